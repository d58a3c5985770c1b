// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flow_expect's ICMP pattern when the pair pinged before: the datapath keys
 * ICMP flows by type, not identifier, so a second ping between the same
 * addresses (a rerun of `netobs connectivity test` on a kept topology, a
 * --retry) creates no NEW record; both directions show up only in one
 * harvest's UPDATE records, in the flow map's order, the reply as likely
 * first as the request. Seen for real in tests/netns/test_connectivity.sh.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "flow_expect.h"

Suite *netobs_test_suite(void);

#define T0_NS 1800000000000000000ull

struct icmp_records {
	struct netobs_record rec[4];
	size_t n;
	uint8_t client[16], server[16];
};

/* One UPDATE record of the request (forward) or reply direction at time_ns. */
static void add_update(struct icmp_records *b, bool forward, uint64_t time_ns)
{
	struct netobs_record *rec = &b->rec[b->n++];
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = b->n;
	rec->time_ns = time_ns;
	memcpy(f->key.saddr, forward ? b->client : b->server, 16);
	memcpy(f->key.daddr, forward ? b->server : b->client, 16);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.proto = IPPROTO_ICMP;
	f->key.icmp_type = forward ? 8 : 0; /* echo request, echo reply */
	f->packets = 2;			    /* the earlier run's packet and this one */
	f->event = NETOBS_FLOW_EVENT_UPDATE;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->is_reply = forward ? 0 : 1;
	f->first_seen_ns = T0_NS - 5000000000ull;
	f->last_seen_ns = time_ns;
}

static struct flow_expect icmp_expect(struct icmp_records *b)
{
	struct flow_expect e = {
		.kind = FLOW_EXPECT_ICMP, .family = NETOBS_FAMILY_IPV4, .since_ns = T0_NS};

	memset(b, 0, sizeof(*b));
	inet_pton(AF_INET, "10.247.0.10", b->client);
	inet_pton(AF_INET, "10.247.0.1", b->server);
	memcpy(e.client, b->client, 16);
	memcpy(e.server, b->server, 16);
	return e;
}

START_TEST(reply_update_before_request_update)
{
	struct flow_expect_result r;
	struct icmp_records b;
	struct flow_expect e = icmp_expect(&b);

	add_update(&b, false, T0_NS + 200000000);
	add_update(&b, true, T0_NS + 200000000);
	ck_assert_msg(flow_expect_check(&e, b.rec, b.n, &r), "%s", r.reason);
	ck_assert_uint_eq(r.steps, 2);
	ck_assert_uint_eq(r.wanted, 2);
	ck_assert_uint_eq(r.records, 2);
}
END_TEST

START_TEST(reply_alone_is_not_enough)
{
	struct flow_expect_result r;
	struct icmp_records b;
	struct flow_expect e = icmp_expect(&b);

	add_update(&b, false, T0_NS + 200000000);
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 0);
	ck_assert_str_eq(r.reason, "no ICMP echo request from 10.247.0.10 to 10.247.0.1");

	/* A reply from before the action and this action's request: the reply is missing. */
	b.n = 0;
	add_update(&b, false, T0_NS - 1000);
	add_update(&b, true, T0_NS + 200000000);
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_str_eq(r.reason, "no ICMP echo reply from 10.247.0.1 to 10.247.0.10");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flow_expect_icmp_rerun");
	TCase *tc = tcase_create("icmp_rerun");

	tcase_add_test(tc, reply_update_before_request_update);
	tcase_add_test(tc, reply_alone_is_not_enough);
	suite_add_tcase(s, tc);
	return s;
}
