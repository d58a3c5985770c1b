/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Shared by the L7 slice tests: payloads the tests write, frames around
 * them, and checks of every field of a NETOBS_EVENT_L7 against values the
 * test itself chose.
 */
#pragma once

#define _GNU_SOURCE
#include <sched.h>

#include "datapath.h"
#include "datapath_harness.h"

#define TC   NETOBS_HOOK_TC_INGRESS
#define XDP  NETOBS_HOOK_XDP
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* A query for example.com A, and an answer with one A record. */
static const uint8_t DNS_QUERY[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'e',  'x',
	'a',  'm',  'p',  'l',	'e',  0x03, 'c',  'o',	'm',  0x00, 0x00, 0x01, 0x00, 0x01,
};
static const uint8_t DNS_RESPONSE[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 'e',  'x',
	'a',  'm',  'p',  'l',	'e',  0x03, 'c',  'o',	'm',  0x00, 0x00, 0x01, 0x00, 0x01, 0xc0,
	0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 93,	184,  216,  34,
};
/* A whole request head: ends with CRLF CRLF. */
#define HTTP_GET_TEXT "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n"
#define HTTP_GET      ((const uint8_t *)HTTP_GET_TEXT)
#define HTTP_GET_LEN  (sizeof(HTTP_GET_TEXT) - 1)

/* Offset of the TCP sequence number in build_v4_tcp_data()'s frames. */
#define V4_TCP_SEQ_OFF (ETH_HLEN + 20 + 4)

static inline void set_be32(struct pkt *p, size_t off, uint32_t v)
{
	set_be16(p, off, v >> 16);
	set_be16(p, off + 2, v & 0xffff);
}

static inline void build_v4_udp(struct pkt *p, uint16_t sport, uint16_t dport,
				const uint8_t *payload, size_t n)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_UDP);
	put_udp(p, sport, dport, n);
	put_bytes(p, payload, n);
	ipv4_finish(p, ip);
}

static inline void build_v4_tcp_data(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t flags,
				     uint32_t seq, const uint8_t *payload, size_t n)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_TCP);
	put_tcp(p, sport, dport, flags);
	set_be32(p, V4_TCP_SEQ_OFF, seq);
	put_bytes(p, payload, n);
	ipv4_finish(p, ip);
}

static inline uint8_t l7_read_port(uint16_t port)
{
	return H.skel->bss->netobs_l7_port_flags[port];
}

static inline uint32_t l7_read_config(void)
{
	return H.skel->bss->netobs_l7_config;
}

/* The L7 events taken by the last expect_l7_events(). */
static struct l7_capture l7_got[L7_EVENTS_MAX];

/* Exactly n L7 events arrived since the last call, all of the right size. */
static inline void expect_l7_events(int n)
{
	harness_consume_events();
	ck_assert_int_eq(H.bad_event_size, 0);
	ck_assert_msg(H.nl7 == n, "%d L7 events, want %d", H.nl7, n);
	ck_assert_int_le(n, L7_EVENTS_MAX);
	memcpy(l7_got, H.l7, sizeof(l7_got[0]) * n);
	H.nl7 = 0;
}

/* Every field of event i, and its payload bytes against the test's. */
static inline void expect_l7(int i, const struct netobs_flow_key *key, uint8_t hint, uint32_t seq,
			     uint16_t tcp_flags, const uint8_t *payload, uint32_t payload_len,
			     uint16_t captured)
{
	const struct l7_capture *c = &l7_got[i];
	const struct netobs_l7_event *ev = &c->ev;
	char gs[200], ws[200];

	ck_assert_uint_eq(c->size, sizeof(*ev) + captured);
	ck_assert_uint_eq(ev->hdr.version, NETOBS_ABI_VERSION);
	ck_assert_uint_eq(ev->hdr.type, NETOBS_EVENT_L7);
	ck_assert_uint_eq(ev->hdr.len, sizeof(*ev) + captured);
	ck_assert_uint_lt(ev->hdr.cpu, H.ncpu);
	ck_assert_uint_ne(ev->hdr.ts_ns, 0);
	key_format(&ev->key, gs, sizeof(gs));
	key_format(key, ws, sizeof(ws));
	ck_assert_msg(!memcmp(&ev->key, key, sizeof(*key)), "key %s, want %s", gs, ws);
	ck_assert_uint_eq(ev->seq, seq);
	ck_assert_uint_eq(ev->payload_len, payload_len);
	ck_assert_uint_eq(ev->captured_len, captured);
	ck_assert_uint_eq(ev->tcp_flags, tcp_flags);
	ck_assert_uint_eq(ev->hint, hint);
	ck_assert_uint_eq(ev->reserved[0] | ev->reserved[1] | ev->reserved[2], 0);
	ck_assert_msg(!memcmp(ev->data, payload, captured), "event %d: payload bytes differ", i);
}

/* The L7 counters, and the ones that must stay 0 while no ring buffer fills. */
static inline void expect_l7_counters(uint64_t packets, uint64_t l7_events, uint64_t l7_bytes,
				      uint64_t l7_truncated)
{
	uint64_t got[NETOBS_CNT__MAX];

	harness_consume_events();
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_PACKETS], packets);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_EVENTS], l7_events);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_BYTES], l7_bytes);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_TRUNCATED], l7_truncated);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_COPY_ERROR], 0);
	ck_assert_uint_eq(got[NETOBS_CNT_RINGBUF_FULL], 0);
	/* EVENTS counts every event type; the ring buffer had exactly these. */
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], (uint64_t)H.nevents + H.l7_total);
	ck_assert_uint_eq(H.l7_total, l7_events);
}

/* One load per test case group; every test starts from empty maps and the
 * L7 settings of a fresh load. */
static void group_setup(void)
{
	harness_start();
}

static void group_teardown(void)
{
	harness_stop();
}

static void test_setup(void)
{
	harness_reset();
}

#define ADD_TCASE(name)                                                                            \
	tc = tcase_create(name);                                                                   \
	tcase_add_unchecked_fixture(tc, group_setup, group_teardown);                              \
	tcase_add_checked_fixture(tc, test_setup, NULL);                                           \
	tcase_set_timeout(tc, 120);                                                                \
	suite_add_tcase(s, tc)
