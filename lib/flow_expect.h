/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow validation: do the records an agent made during one action (a
 * ping, a TCP connect, a DNS lookup, an HTTP request) show the packets that
 * action must have produced? Pure code over decoded records, no agent and no
 * socket, so it is unit tested on crafted records. Patterns follow
 * `cilium connectivity test` (docs/connectivity.md):
 *   TCP allowed:  a SYN from the client, a SYN-ACK back, a FIN or RST; no drop
 *   TCP denied:   a SYN from the client, then a drop (with the drop reason,
 *                 direction and denying policy asked for); no SYN-ACK
 * and, for actions under a policy, optionally: the allowing policy named in
 * the policy-verdict record of the client's first packet, or the AUDIT
 * verdict audit mode gives what it would have dropped.
 *   UDP:          a datagram to the server port and one back; no drop
 *   ICMP:         an echo request and an echo reply; no drop
 *   DNS:          an L7 request for the name and an L7 response with the rcode
 *   HTTP:         an L7 request with the method and an L7 response with the code
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum flow_expect_kind {
	FLOW_EXPECT_TCP = 1, /* allowed TCP connection (also HTTPS, whose payload is opaque) */
	FLOW_EXPECT_TCP_DENIED,
	FLOW_EXPECT_UDP,
	FLOW_EXPECT_ICMP,
	FLOW_EXPECT_DNS,
	FLOW_EXPECT_HTTP,
};

struct flow_expect {
	enum flow_expect_kind kind;
	uint8_t family;	       /* NETOBS_FAMILY_IPV4 or NETOBS_FAMILY_IPV6 */
	uint8_t client[16];    /* the address the action was sent from (network order) */
	uint8_t server[16];    /* the address it was sent to */
	uint16_t port;	       /* the server port (TCP, UDP, DNS, HTTP); 0 for ICMP */
	uint64_t since_ns;     /* records before this (wall clock) belong to earlier actions */
	const char *dns_query; /* DNS: the name asked, presentation form with the trailing dot */
	int dns_rcode;	       /* DNS: the rcode expected in the response (0 NOERROR, 3 NXDOMAIN) */
	const char *http_method; /* HTTP: "GET" */
	unsigned int http_code;	 /* HTTP: the status expected in the response */
	/*
	 * Policy (0/NULL/false: not checked). The denied pattern's drop must
	 * carry drop_reason (enum netobs_drop_reason), be judged in
	 * drop_direction (enum netobs_traffic_direction, the endpoint's) and,
	 * with policy_name, name that policy (a deny rule's: *_denied_by).
	 * The tcp pattern with policy_name wants a policy-verdict record
	 * (policy_verdict ALLOWED) of the client's packets naming that policy
	 * (*_allowed_by); with audit, a record of them with verdict AUDIT.
	 * Each is one more step of the pattern.
	 */
	uint16_t drop_reason;
	uint8_t drop_direction;
	bool audit;
	const char *policy_name;
};

/* The verdict on the records of one action. */
struct flow_expect_result {
	bool matched;	     /* every step of the pattern was seen, and nothing that must not be */
	unsigned int steps;  /* steps of the pattern seen, in order, so far */
	unsigned int wanted; /* steps the pattern has */
	unsigned int
		records; /* records that belong to the action (addresses, protocol, port, time) */
	unsigned int drops; /* of those, records with verdict DROPPED */
	char reason[256];   /* when !matched: the first step missing or what must not be there,
			       * e.g. "no SYN-ACK from 10.0.0.2:7000 to 10.0.0.1" */
};

/*
 * Check recs[0..n) (in the agent's order, which is time order) against e.
 * Records of other addresses, protocols, ports or earlier times are ignored.
 * Fills *r; returns r->matched.
 */
bool flow_expect_check(const struct flow_expect *e, const struct netobs_record *recs, size_t n,
		       struct flow_expect_result *r);

/*
 * Does rec belong to e's action (either direction between e->client and
 * e->server, e's protocol and port, at or after e->since_ns)? The records a
 * report prints for a failed action are these.
 */
bool flow_expect_relevant(const struct flow_expect *e, const struct netobs_record *rec);

/* "tcp", "tcp-denied", "udp", "icmp", "dns", "http". */
const char *flow_expect_kind_name(enum flow_expect_kind kind);
