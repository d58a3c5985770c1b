// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Harvest decisions that look beyond one flow: a TCP connection ends as a
 * whole (both FINs or an RST, both sides quiet for the grace), stragglers of
 * an ended connection, dead-weight flows under map pressure; and the table's
 * record of whether a flow was answered.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "flowtable.h"

Suite *netobs_test_suite(void);

#define SEC  1000000000ULL
#define T0   (1000 * SEC) /* this flow's last packet */
#define NOW  (T0 + 3 * SEC)
#define NONE 0xffff /* no reverse flow tracked */
#define SYN  NETOBS_TCP_SYN
#define ACK  NETOBS_TCP_ACK
#define FIN  NETOBS_TCP_FIN
#define RST  NETOBS_TCP_RST

static const struct flow_timeouts timeouts = {
	.idle_ns = 30 * SEC, .end_grace_ns = 2 * SEC, .pressure_ns = SEC};

/* The flow was last reported at 10 packets unless `moved`; last packet at T0. */
static const struct decide_case {
	uint16_t own, rev;  /* union of flags of this flow and of its reverse (NONE: none) */
	uint64_t rev_last;  /* the reverse's last packet */
	uint64_t now_ns;    /* harvest time */
	uint64_t packets;   /* this flow's packets */
	uint8_t conn_ended; /* straggler of a connection ended with this reason */
	bool answered, pressure, moved;
	enum flow_action action;
	uint8_t reason;
	const char *what;
	bool dropped; /* a NETOBS_KEY_F_DROPPED entry */
} cases[] = {
	/* both FINs: the pair ends once neither side sent for the grace */
	{SYN | ACK | FIN, SYN | ACK | FIN, T0, NOW, 10, 0, true, false, false,
	 FLOW_ACTION_END_CONNECTION, NETOBS_END_FIN, "FIN both ways, quiet"},
	{SYN | ACK | FIN, SYN | ACK | FIN, T0 + 2 * SEC, NOW, 10, 0, true, false, false,
	 FLOW_ACTION_NONE, NETOBS_END_NONE, "FIN both ways, reverse still sending"},
	{SYN | ACK | FIN, SYN | ACK | FIN, T0 - SEC, T0 + 2 * SEC - 1, 10, 0, true, false, false,
	 FLOW_ACTION_NONE, NETOBS_END_NONE, "FIN both ways, < grace"},
	{SYN | ACK | FIN, SYN | ACK | FIN, T0, NOW, 10, 0, true, false, true, FLOW_ACTION_UPDATE,
	 NETOBS_END_NONE, "FIN both ways, moved"},
	/* a FIN one way is a half-close: the other way may still send */
	{SYN | ACK | FIN, SYN | ACK, T0, NOW, 10, 0, true, false, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "half-closed, quiet"},
	{SYN | ACK, SYN | ACK | FIN, T0, NOW, 10, 0, true, false, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "half-closed by the other side"},
	{SYN | ACK | FIN, SYN | ACK, T0, T0 + 30 * SEC, 10, 0, true, false, false, FLOW_ACTION_END,
	 NETOBS_END_IDLE, "half-closed, idle"},
	/* no reverse tracked (one hook, asymmetric path): its own FIN ends it */
	{SYN | ACK | FIN, NONE, 0, NOW, 10, 0, true, false, false, FLOW_ACTION_END, NETOBS_END_FIN,
	 "FIN, no reverse flow"},
	/* refused: SYN one way, RST the other */
	{SYN, RST | ACK, T0, NOW, 1, 0, true, false, false, FLOW_ACTION_END_CONNECTION,
	 NETOBS_END_RST, "refused, SYN side"},
	{RST | ACK, SYN, T0, NOW, 1, 0, true, false, false, FLOW_ACTION_END_CONNECTION,
	 NETOBS_END_RST, "refused, RST side"},
	{SYN, RST | ACK, T0 + 2 * SEC, NOW, 1, 0, true, false, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "refused, RST < grace"},
	{SYN | ACK | FIN | RST, SYN | ACK | FIN, T0, NOW, 10, 0, true, false, false,
	 FLOW_ACTION_END_CONNECTION, NETOBS_END_RST, "RST wins over FIN"},
	{SYN | ACK, SYN | ACK, T0, NOW, 10, 0, true, false, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "open connection, quiet"},
	/* a straggler ends when its packets stop, with its connection's reason */
	{ACK, NONE, 0, NOW, 1, NETOBS_END_FIN, true, false, false, FLOW_ACTION_END, NETOBS_END_FIN,
	 "straggler, quiet"},
	{ACK, NONE, 0, T0 + SEC, 1, NETOBS_END_RST, true, false, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "straggler, < grace"},
	{ACK, NONE, 0, NOW, 1, NETOBS_END_FIN, true, false, true, FLOW_ACTION_UPDATE,
	 NETOBS_END_NONE, "straggler, moved"},
	/* pressure: dead weight ends after the pressure timeout */
	{0, NONE, 0, T0 + SEC, 1, 0, false, true, false, FLOW_ACTION_END, NETOBS_END_IDLE,
	 "pressure, one packet"},
	{0, NONE, 0, T0 + SEC, 1, 0, false, false, false, FLOW_ACTION_NONE, NETOBS_END_NONE,
	 "no pressure, one packet"},
	{0, NONE, 0, T0 + SEC - 1, 1, 0, false, true, false, FLOW_ACTION_NONE, NETOBS_END_NONE,
	 "pressure, one packet, < timeout"},
	{0, NONE, 0, T0 + SEC, 50, 0, false, true, false, FLOW_ACTION_END, NETOBS_END_IDLE,
	 "pressure, unanswered"},
	{0, 0, T0, T0 + SEC, 50, 0, true, true, false, FLOW_ACTION_NONE, NETOBS_END_NONE,
	 "pressure, answered UDP"},
	{SYN, NONE, 0, T0 + SEC, 3, 0, true, true, false, FLOW_ACTION_END, NETOBS_END_IDLE,
	 "pressure, TCP never past SYN"},
	{SYN | ACK, SYN | ACK, T0, T0 + SEC, 50, 0, true, true, false, FLOW_ACTION_NONE,
	 NETOBS_END_NONE, "pressure, established"},
	/* dropped packets closed nothing: their FIN or RST ends no entry, idle does */
	{ACK | FIN, NONE, 0, NOW, 3, 0, false, false, false, FLOW_ACTION_NONE, NETOBS_END_NONE,
	 "dropped FIN, quiet", true},
	{RST, NONE, 0, NOW, 1, 0, false, false, false, FLOW_ACTION_NONE, NETOBS_END_NONE,
	 "dropped RST, quiet", true},
	{SYN | RST, NONE, 0, T0 + 30 * SEC, 2, 0, false, false, false, FLOW_ACTION_END,
	 NETOBS_END_IDLE, "dropped RST, idle", true},
	{SYN, NONE, 0, T0 + SEC, 4, 0, false, true, false, FLOW_ACTION_END, NETOBS_END_IDLE,
	 "dropped SYNs, pressure", true},
	{ACK | FIN, NONE, 0, NOW, 3, 0, false, false, true, FLOW_ACTION_UPDATE, NETOBS_END_NONE,
	 "dropped, moved", true},
};

START_TEST(test_decide)
{
	const struct decide_case *c = &cases[_i];
	struct netobs_flow_stats reported = {.packets = c->packets,
					     .bytes = c->packets * 100,
					     .first_seen_ns = T0 - 5 * SEC,
					     .last_seen_ns = T0,
					     .tcp_flags = c->own};
	struct netobs_flow_stats now = reported, rev = {.packets = 5,
							.bytes = 500,
							.first_seen_ns = T0 - 5 * SEC,
							.last_seen_ns = c->rev_last,
							.tcp_flags = c->rev};
	struct flow_context ctx = {.reverse = c->rev == NONE ? NULL : &rev,
				   .conn_ended = c->conn_ended,
				   .answered = c->answered,
				   .pressure = c->pressure,
				   .dropped = c->dropped};
	uint8_t reason = 0xff;
	enum flow_action action;

	if (c->moved) {
		now.packets++;
		now.bytes += 60;
	}
	action = flow_harvest_decide(&reported, &now, c->now_ns, &timeouts, &ctx, &reason);
	ck_assert_msg(action == c->action, "%s: action %d, want %d", c->what, action, c->action);
	ck_assert_msg(reason == c->reason, "%s: reason %u, want %u", c->what, reason, c->reason);
}
END_TEST

static struct netobs_flow_key tcp_key(uint8_t hook, uint8_t src, uint8_t dst, uint16_t sport,
				      uint16_t dport)
{
	struct netobs_flow_key k;

	memset(&k, 0, sizeof(k));
	k.saddr[0] = k.daddr[0] = 10;
	k.saddr[3] = src;
	k.daddr[3] = dst;
	k.ifindex = 7;
	k.sport = htons(sport);
	k.dport = htons(dport);
	k.eth_proto = htons(0x0800);
	k.family = NETOBS_FAMILY_IPV4;
	k.proto = IPPROTO_TCP;
	k.hook = hook;
	return k;
}

/* answered: false until the reverse flow is inserted, then true on both. */
START_TEST(test_answered)
{
	struct netobs_flow_key syn = tcp_key(NETOBS_HOOK_TC_INGRESS, 1, 2, 40000, 80);
	struct netobs_flow_key rst = tcp_key(NETOBS_HOOK_TC_EGRESS, 2, 1, 80, 40000);
	struct netobs_flow_key other = tcp_key(NETOBS_HOOK_TC_EGRESS, 2, 1, 80, 40001);
	struct netobs_flow_stats s = {.packets = 1, .bytes = 60, .first_seen_ns = 1};
	struct flow_entry *a, *b, *c;
	struct flow_table t;

	ck_assert_int_eq(flow_table_init(&t, 8), 0);
	s.tcp_flags = SYN;
	a = flow_table_insert(&t, &syn, &s, true);
	ck_assert_ptr_nonnull(a);
	ck_assert(!a->answered);
	s.tcp_flags = ACK;
	c = flow_table_insert(&t, &other, &s, true);
	ck_assert_ptr_nonnull(c);
	ck_assert(!a->answered && !c->answered);
	s.tcp_flags = RST | ACK;
	b = flow_table_insert(&t, &rst, &s, true);
	ck_assert_ptr_nonnull(b);
	ck_assert(a->answered && b->answered);
	ck_assert(!c->answered);
	flow_table_free(&t);
}
END_TEST

/*
 * A flow's dropped packets are an entry of their own (NETOBS_KEY_F_DROPPED):
 * never the reverse of the forwarded entries, whichever comes first, and
 * deciding its side by itself.
 */
START_TEST(test_dropped_entry_pairs_with_nothing)
{
	struct netobs_flow_key syn = tcp_key(NETOBS_HOOK_TC_EGRESS, 1, 2, 40000, 80);
	struct netobs_flow_key synack = tcp_key(NETOBS_HOOK_TC_INGRESS, 2, 1, 80, 40000);
	struct netobs_flow_key dropped_syn = syn, dropped_synack = synack, rev[2];
	struct netobs_flow_stats s = {.packets = 1, .bytes = 60, .first_seen_ns = 1};
	struct flow_entry *fwd, *drop, *drop_rev, *reply;
	struct flow_table t;

	dropped_syn.key_flags = NETOBS_KEY_F_DROPPED;
	dropped_synack.key_flags = NETOBS_KEY_F_DROPPED;
	ck_assert_uint_eq(flow_key_reverse(&dropped_syn, rev), 0);
	ck_assert_uint_eq(flow_key_reverse(&syn, rev), 2); /* TC ingress and XDP */
	ck_assert_uint_eq(rev[0].key_flags, 0);
	ck_assert_uint_eq(rev[1].key_flags, 0);

	ck_assert_int_eq(flow_table_init(&t, 8), 0);
	s.tcp_flags = SYN;
	fwd = flow_table_insert(&t, &syn, &s, true);
	drop = flow_table_insert(&t, &dropped_syn, &s, true);
	ck_assert_ptr_nonnull(fwd);
	ck_assert_ptr_nonnull(drop);
	ck_assert_ptr_ne(fwd, drop);
	ck_assert_int_eq(drop->is_reply, 0);
	/* a dropped SYN-ACK the other way is no reply to either, and answers nothing */
	s.tcp_flags = SYN | ACK;
	s.first_seen_ns = 2;
	drop_rev = flow_table_insert(&t, &dropped_synack, &s, true);
	ck_assert_ptr_nonnull(drop_rev);
	ck_assert(!fwd->answered && !drop->answered && !drop_rev->answered);
	ck_assert_ptr_null(flow_table_lookup_reverse(&t, &dropped_synack));
	ck_assert_ptr_null(flow_table_lookup_reverse(&t, &dropped_syn));
	/* the forwarded SYN-ACK pairs with the forwarded SYN only */
	reply = flow_table_insert(&t, &synack, &s, true);
	ck_assert_ptr_nonnull(reply);
	ck_assert_ptr_eq(flow_table_lookup_reverse(&t, &synack), fwd);
	ck_assert(fwd->answered && reply->answered);
	ck_assert(!drop->answered && !drop_rev->answered);
	ck_assert_int_eq(reply->is_reply, 1);
	ck_assert_int_eq(fwd->is_reply, 0);
	flow_table_free(&t);
}
END_TEST

/* flow_table_add: a bare entry, no pairing with an existing reverse. */
START_TEST(test_add_does_not_pair)
{
	struct netobs_flow_key syn = tcp_key(NETOBS_HOOK_TC_INGRESS, 1, 2, 40000, 80);
	struct netobs_flow_key rst = tcp_key(NETOBS_HOOK_TC_EGRESS, 2, 1, 80, 40000);
	struct netobs_flow_stats s = {.packets = 1, .first_seen_ns = 1, .tcp_flags = SYN};
	struct flow_entry *a, *b;
	struct flow_table t;

	ck_assert_int_eq(flow_table_init(&t, 2), 0);
	a = flow_table_insert(&t, &syn, &s, true);
	b = flow_table_add(&t, &rst);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert(!a->answered && !b->answered && !b->reply_certain);
	ck_assert_ptr_eq(flow_table_lookup(&t, &rst), b);
	ck_assert_ptr_null(flow_table_add(&t, &syn)); /* full */
	flow_table_free(&t);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flowdecide");
	TCase *tc = tcase_create("decide");

	tcase_add_loop_test(tc, test_decide, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_answered);
	tcase_add_test(tc, test_add_does_not_pair);
	tcase_add_test(tc, test_dropped_entry_pairs_with_nothing);
	suite_add_tcase(s, tc);
	return s;
}
