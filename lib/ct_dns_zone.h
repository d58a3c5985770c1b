/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The answers of the connectivity test's DNS server (cli/ct_dns_server.c):
 * a small authoritative zone built from a query message, pure code so it is
 * unit tested and fuzzed without sockets.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CT_DNS_ZONE_RECORDS_MAX 16

/* One name's records: A and AAAA addresses (network order), or a CNAME target. */
struct ct_dns_zone_record {
	const char *name;   /* presentation form, lower case, trailing dot */
	uint16_t type;	    /* 1 A, 28 AAAA, 5 CNAME */
	uint8_t addr[16];   /* A: first 4 bytes */
	const char *target; /* CNAME */
	uint32_t ttl;
};

struct ct_dns_zone {
	const char *origin; /* "netobs-ct.test.": names under it we do not have are NXDOMAIN */
	struct ct_dns_zone_record records[CT_DNS_ZONE_RECORDS_MAX];
	unsigned int nrecords;
};

/*
 * Build the response to the DNS message query[0..qlen) into out (at most
 * cap bytes; 512 is always enough for UDP). Answers: the records of the
 * question's name and type (a CNAME is followed inside the zone), NOERROR
 * with no answer for a name we have without that type, NXDOMAIN for other
 * names under the origin, REFUSED outside it, FORMERR for a query that does
 * not parse (with the id, when there is one), NOTIMP for an opcode other
 * than QUERY. Returns the response length, or 0 when no response should be
 * sent at all (a response, not a query; fewer than 12 bytes).
 */
size_t ct_dns_zone_answer(const struct ct_dns_zone *zone, const uint8_t *query, size_t qlen,
			  uint8_t *out, size_t cap);
