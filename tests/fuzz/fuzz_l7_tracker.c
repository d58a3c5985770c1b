// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 tracker under arbitrary slice sequences. The input is a series of
 * steps, each a 6-byte header and, for a slice, its captured bytes:
 *   op     bit 7: a call, not a slice (bits 0-1: expire, flush, tcp_end,
 *          names); else bits 0-1: the hint (0 is an invalid one), bits 2-6:
 *          wire bytes past the captured ones, in 64-byte units
 *   flags  bit 0: the packet goes server to client; bit 1: UDP, not TCP;
 *          bit 2: the second interface; bit 3: FIN; bit 4: RST;
 *          bits 5-7: time advance, in milliseconds
 *   delta  2 bytes, signed: sequence jump before the slice (gaps, retransmissions)
 *   len    2 bytes: captured bytes taken from the input (at most the slice bound)
 * Small tables make the bounds and their counters part of every run. Every
 * record is checked against lib/record.h's promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l7_tracker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void check_string(const char *s, size_t cap)
{
	CHECK(strnlen(s, cap) < cap);
}

static void check_report(void *ctx, const struct l7_report *report)
{
	const struct netobs_l7 *l7 = report->l7;
	unsigned long *records = ctx;

	(*records)++;
	CHECK(report->key);
	CHECK(l7->type == NETOBS_L7_REQUEST || l7->type == NETOBS_L7_RESPONSE);
	CHECK(!(l7->flags & NETOBS_L7_F_UNANSWERED) || l7->type == NETOBS_L7_REQUEST);
	CHECK(l7->type == NETOBS_L7_RESPONSE || !l7->latency_ns);
	if (l7->kind == NETOBS_L7_DNS) {
		check_string(l7->dns.query, sizeof(l7->dns.query));
		CHECK(l7->dns.ips_len <= DNS_IPS_MAX && l7->dns.cnames_len <= DNS_CNAMES_MAX);
		CHECK(l7->dns.qtypes_len <= DNS_QTYPES_MAX);
		CHECK(l7->dns.rrtypes_len <= DNS_RRTYPES_MAX);
		for (unsigned int i = 0; i < l7->dns.cnames_len; i++)
			check_string(l7->dns.cnames[i], sizeof(l7->dns.cnames[i]));
	} else {
		CHECK(l7->kind == NETOBS_L7_HTTP);
		check_string(l7->http.method, sizeof(l7->http.method));
		check_string(l7->http.url, sizeof(l7->http.url));
		check_string(l7->http.protocol, sizeof(l7->http.protocol));
		CHECK(l7->http.headers_len <= NETOBS_HTTP_HEADERS_MAX);
		CHECK(l7->type == NETOBS_L7_RESPONSE || !l7->http.code);
	}
}

static void make_key(struct netobs_flow_key *key, uint8_t flags)
{
	bool reply = flags & 1;

	memset(key, 0, sizeof(*key));
	key->family = NETOBS_FAMILY_IPV4;
	key->proto = (flags & 2) ? 17 : 6;
	key->ifindex = (flags & 4) ? 2 : 1;
	key->hook = reply ? NETOBS_HOOK_TC_EGRESS : NETOBS_HOOK_TC_INGRESS;
	key->saddr[0] = key->daddr[0] = 10;
	key->saddr[3] = reply ? 2 : 1;
	key->daddr[3] = reply ? 1 : 2;
	key->sport = reply ? 0x5000 : 0x1234; /* 80 in network order, any client port */
	key->dport = reply ? 0x1234 : 0x5000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l7_tracker_config cfg = {
		.max_conns = 4,
		.max_dns_pending = 4,
		.dns_timeout_ns = 5000000,
		.conn_idle_ns = 50000000,
		.name_cache_size = 8,
	};
	uint32_t next_seq[2][2] = {{1000, 1000}, {900000, 900000}}; /* [reply][ifindex - 1] */
	unsigned long records = 0;
	struct netobs_flow_key key;
	struct netobs_names names;
	struct l7_tracker *t;
	uint64_t now = 1000000000ULL;

	if (l7_tracker_new(&cfg, &t))
		return 0;
	while (size >= 6) {
		uint8_t op = data[0], flags = data[1];
		int16_t delta = (int16_t)(uint16_t)(data[2] << 8 | data[3]);
		size_t len = (size_t)(data[4] << 8 | data[5]) % (NETOBS_L7_SLICE_MAX + 1);
		uint32_t *seq = &next_seq[flags & 1][(flags >> 2) & 1];

		data += 6;
		size -= 6;
		now += (uint64_t)(flags >> 5) * 1000000;
		make_key(&key, flags);
		if (op & 0x80) {
			switch (op & 3) {
			case 0:
				l7_tracker_expire(t, now, check_report, &records);
				break;
			case 1:
				l7_tracker_flush(t, check_report, &records);
				break;
			case 2:
				l7_tracker_tcp_end(t, &key,
						   flags & 0x18 ? (flags & 0x10 ? 4 : 1) : 0, now,
						   check_report, &records);
				break;
			default:
				l7_tracker_names(t, NETOBS_FAMILY_IPV4, key.saddr, now, &names);
				CHECK(names.len <= NETOBS_NAMES_MAX);
				break;
			}
			continue;
		}
		if (len > size)
			len = size;
		{
			struct l7_slice slice = {
				.key = &key,
				.ts_ns = now,
				.seq = *seq + (uint32_t)(int32_t)delta,
				.captured_len = (uint32_t)len,
				.payload_len = (uint32_t)len + ((op >> 2) & 0x1f) * 64u,
				.tcp_flags = (uint16_t)(((flags & 8) ? 1 : 0) |
							((flags & 0x10) ? 4 : 0)),
				.hint = op & 3,
				.data = data,
			};

			l7_tracker_slice(t, &slice, check_report, &records);
			*seq = slice.seq + slice.payload_len;
		}
		data += len;
		size -= len;
	}
	l7_tracker_flush(t, check_report, &records);
	/* Flushed: nothing waits, nothing is left to report. */
	l7_tracker_expire(t, UINT64_MAX, check_report, &records);
	l7_tracker_free(t);
	return 0;
}
