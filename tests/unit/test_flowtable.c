// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flow table: reading a flow-map value, insert/lookup/remove with chains and slot reuse,
 * direction pairing (is_reply), reverse keys and the harvest decision.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "flowtable.h"

Suite *netobs_test_suite(void);

#define SEC	1000000000ULL
#define IFINDEX 7

/* IPv4 key; addresses are the last octet of 10.0.0.x, ports in host order. */
static struct netobs_flow_key key4(uint8_t proto, uint8_t hook, uint8_t src, uint8_t dst,
				   uint16_t sport, uint16_t dport)
{
	struct netobs_flow_key k;

	memset(&k, 0, sizeof(k));
	k.saddr[0] = 10;
	k.saddr[3] = src;
	k.daddr[0] = 10;
	k.daddr[3] = dst;
	k.ifindex = IFINDEX;
	k.sport = htons(sport);
	k.dport = htons(dport);
	k.eth_proto = htons(0x0800);
	k.family = NETOBS_FAMILY_IPV4;
	k.proto = proto;
	k.hook = hook;
	return k;
}

static struct netobs_flow_key icmp_key(uint8_t proto, uint8_t hook, uint8_t src, uint8_t dst,
				       uint8_t type)
{
	struct netobs_flow_key k = key4(proto, hook, src, dst, 0, 0);

	k.icmp_type = type;
	if (proto == IPPROTO_ICMPV6) {
		k.family = NETOBS_FAMILY_IPV6;
		k.eth_proto = htons(0x86dd);
	}
	return k;
}

static struct netobs_flow_stats stats(uint64_t first_seen, uint16_t tcp_flags)
{
	struct netobs_flow_stats s;

	memset(&s, 0, sizeof(s));
	s.packets = 1;
	s.bytes = 60;
	s.first_seen_ns = first_seen;
	s.last_seen_ns = first_seen;
	s.tcp_flags = tcp_flags;
	return s;
}

static struct flow_entry *insert(struct flow_table *t, struct netobs_flow_key k,
				 uint64_t first_seen, uint16_t tcp_flags, bool single_packet)
{
	struct netobs_flow_stats s = stats(first_seen, tcp_flags);
	struct flow_entry *e = flow_table_insert(t, &k, &s, single_packet);

	ck_assert_msg(e, "insert failed: errno %d", errno);
	return e;
}

/* ---- reading a flow-map value ---- */

static struct netobs_flow_stats map_value(uint64_t packets, uint64_t bytes, uint64_t first,
					  uint64_t last, uint16_t flags)
{
	struct netobs_flow_stats v;

	memset(&v, 0, sizeof(v));
	v.packets = packets;
	v.bytes = bytes;
	v.first_seen_ns = first;
	v.last_seen_ns = last;
	v.tcp_flags = flags;
	return v;
}

#define ck_assert_read(out, pkts, byts, first, last, flags)                                        \
	do {                                                                                       \
		ck_assert_uint_eq((out).packets, pkts);                                            \
		ck_assert_uint_eq((out).bytes, byts);                                              \
		ck_assert_uint_eq((out).first_seen_ns, first);                                     \
		ck_assert_uint_eq((out).last_seen_ns, last);                                       \
		ck_assert_uint_eq((out).tcp_flags, flags);                                         \
	} while (0)

/* The counts and times as they are; the datapath's own fields left out. */
START_TEST(test_read_value)
{
	struct netobs_flow_stats v = map_value(7, 700, 11, 22, NETOBS_TCP_RST), out;

	v.l7_budget = 3;
	memset(v.reserved, 0xa5, sizeof(v.reserved));
	memset(&out, 0xff, sizeof(out));
	flow_stats_read(&v, &out);
	ck_assert_read(out, 7, 700, 11, 22, NETOBS_TCP_RST);
	ck_assert_uint_eq(out.l7_budget, 0);
	ck_assert_uint_eq(out.reserved[0] | out.reserved[1] | out.reserved[2], 0);
	ck_assert_uint_eq(out.verdict_word, 0);
}
END_TEST

/* The verdict, its generation, policy and match come whole; none when nothing judged. */
START_TEST(test_read_verdict)
{
	struct netobs_flow_stats v = map_value(2, 120, 10, 20, 0), out;

	v.policy_gen = 4;
	v.verdict = NETOBS_PV_DENY;
	v.policy_id = 9;
	v.match_type = NETOBS_MATCH_L3_ONLY;
	flow_stats_read(&v, &out);
	ck_assert_uint_eq(out.verdict, NETOBS_PV_DENY);
	ck_assert_uint_eq(out.policy_gen, 4);
	ck_assert_uint_eq(out.policy_id, 9);
	ck_assert_uint_eq(out.match_type, NETOBS_MATCH_L3_ONLY);

	v.verdict = 0; /* never judged */
	flow_stats_read(&v, &out);
	ck_assert_uint_eq(out.verdict_word, 0);
	ck_assert_read(out, 2, 120, 10, 20, 0);
}
END_TEST

/* No packet counted: not a flow's value, all zero. */
START_TEST(test_read_no_packets)
{
	struct netobs_flow_stats v = map_value(0, 0, 5, 6, NETOBS_TCP_SYN), out;

	v.policy_gen = 20;
	v.verdict = NETOBS_PV_DENY;
	memset(&out, 0xff, sizeof(out));
	flow_stats_read(&v, &out);
	ck_assert_read(out, 0, 0, 0, 0, 0);
	ck_assert_uint_eq(out.verdict_word, 0);
}
END_TEST

/* ---- table mechanics ---- */

START_TEST(test_init_capacity_zero)
{
	struct flow_table t;

	ck_assert_int_eq(flow_table_init(&t, 0), -EINVAL);
	flow_table_free(&t);
}
END_TEST

START_TEST(test_insert_lookup_remove)
{
	struct flow_table t;
	struct netobs_flow_key a = key4(IPPROTO_UDP, NETOBS_HOOK_TC_EGRESS, 1, 2, 5000, 53);
	struct netobs_flow_key b = key4(IPPROTO_UDP, NETOBS_HOOK_TC_EGRESS, 1, 3, 5000, 53);
	struct netobs_flow_stats s = stats(100, 0);
	struct flow_entry *ea, *eb;

	ck_assert_int_eq(flow_table_init(&t, 16), 0);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_ptr_null(flow_table_lookup(&t, &a));

	ea = insert(&t, a, 100, 0, true);
	ck_assert(ea->in_use);
	ck_assert_int_eq(memcmp(&ea->key, &a, sizeof(a)), 0);
	ck_assert_uint_eq(ea->reported.first_seen_ns, 100);
	ck_assert_uint_eq(ea->reported.packets, 1);
	ck_assert_uint_eq(t.count, 1);
	ck_assert_ptr_eq(flow_table_lookup(&t, &a), ea);
	ck_assert_ptr_null(flow_table_lookup(&t, &b));

	errno = 0;
	ck_assert_ptr_null(flow_table_insert(&t, &a, &s, true));
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(t.count, 1);

	eb = insert(&t, b, 200, 0, true);
	ck_assert_ptr_ne(ea, eb);
	ck_assert_uint_eq(t.count, 2);

	flow_table_remove(&t, ea);
	ck_assert_uint_eq(t.count, 1);
	ck_assert_ptr_null(flow_table_lookup(&t, &a));
	ck_assert_ptr_eq(flow_table_lookup(&t, &b), eb);
	flow_table_remove(&t, eb);
	ck_assert_uint_eq(t.count, 0);
	ck_assert_ptr_null(flow_table_lookup(&t, &b));
	flow_table_free(&t);
}
END_TEST

START_TEST(test_full_and_slot_reuse)
{
	struct flow_table t;
	struct flow_entry *e[5];
	struct netobs_flow_key k;
	struct netobs_flow_stats s = stats(100, 0);

	ck_assert_int_eq(flow_table_init(&t, 5), 0);
	/* fill, overflow, empty: three times, so every slot is reused twice */
	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < 5; i++)
			e[i] = insert(&t, key4(IPPROTO_UDP, 0, 1, 2, 1000 * pass + i, 9), 100, 0,
				      true);
		ck_assert_uint_eq(t.count, 5);

		k = key4(IPPROTO_UDP, 0, 1, 2, 9999, 9);
		errno = 0;
		ck_assert_ptr_null(flow_table_insert(&t, &k, &s, true));
		ck_assert_int_eq(errno, ENOSPC);
		ck_assert_uint_eq(t.count, 5);
		for (int i = 0; i < 5; i++) {
			ck_assert(e[i] >= t.entries && e[i] < t.entries + 5);
			k = key4(IPPROTO_UDP, 0, 1, 2, 1000 * pass + i, 9);
			ck_assert_ptr_eq(flow_table_lookup(&t, &k), e[i]);
		}
		for (int i = 0; i < 5; i++)
			flow_table_remove(&t, e[i]);
		ck_assert_uint_eq(t.count, 0);
	}
	flow_table_free(&t);
}
END_TEST

START_TEST(test_chains)
{
	struct flow_table t;
	struct netobs_flow_key keys[8];
	bool removed[8] = {false};
	uint32_t chain_len = 0, best_bucket = 0, idx;
	unsigned int n = 0;

	ck_assert_int_eq(flow_table_init(&t, 8), 0);
	/* keys of one bucket under this table's (random) hash key */
	for (uint16_t port = 1; n < 8; port++) {
		keys[n] = key4(IPPROTO_TCP, NETOBS_HOOK_TC_INGRESS, 1, 2, port, 443);
		if (flow_table_bucket(&t, &keys[n]) == 0)
			n++;
	}
	for (unsigned int i = 0; i < 8; i++)
		insert(&t, keys[i], 100 + i, NETOBS_TCP_ACK, false);
	ck_assert_uint_eq(t.count, 8);

	/* find the longest chain, whatever the hash */
	for (uint32_t b = 0; b < t.nbuckets; b++) {
		uint32_t len = 0;

		for (idx = t.buckets[b]; idx != FLOW_NIL; idx = t.entries[idx].next)
			len++;
		if (len > chain_len) {
			chain_len = len;
			best_bucket = b;
		}
	}
	ck_assert_uint_ge(chain_len, 3);

	/* remove the middle of it, then the head, then the tail */
	for (int pass = 0; pass < 3; pass++) {
		uint32_t len = 0, pos, target;
		struct netobs_flow_key victim_key;

		for (idx = t.buckets[best_bucket]; idx != FLOW_NIL; idx = t.entries[idx].next)
			len++;
		ck_assert_uint_eq(len, chain_len - pass);
		pos = pass == 0 ? len / 2 : pass == 1 ? 0 : len - 1;
		target = t.buckets[best_bucket];
		for (uint32_t i = 0; i < pos; i++)
			target = t.entries[target].next;
		victim_key = t.entries[target].key;
		flow_table_remove(&t, &t.entries[target]);
		for (unsigned int i = 0; i < 8; i++)
			if (!memcmp(&keys[i], &victim_key, sizeof(victim_key)))
				removed[i] = true;
		ck_assert_uint_eq(t.count, 7 - pass);
		for (unsigned int i = 0; i < 8; i++) {
			struct flow_entry *e = flow_table_lookup(&t, &keys[i]);

			if (removed[i]) {
				ck_assert_ptr_null(e);
				continue;
			}
			ck_assert_msg(e, "key %u lost after removing chain position %u", i, pos);
			ck_assert_int_eq(memcmp(&e->key, &keys[i], sizeof(keys[i])), 0);
		}
	}
	/* and all three slots come back */
	for (unsigned int i = 0; i < 3; i++)
		insert(&t, key4(IPPROTO_UDP, 0, 9, 9, 100 + i, 1), 1, 0, true);
	ck_assert_uint_eq(t.count, 8);
	flow_table_free(&t);
}
END_TEST

/* ---- pairing: is_reply ---- */

#define SYN NETOBS_TCP_SYN
#define ACK NETOBS_TCP_ACK
#define FIN NETOBS_TCP_FIN
#define RST NETOBS_TCP_RST
#define EG  NETOBS_HOOK_TC_EGRESS
#define IN  NETOBS_HOOK_TC_INGRESS
#define XDP NETOBS_HOOK_XDP

/* One direction: for ICMP, sport is the type. */
struct side {
	uint8_t hook, src, dst;
	uint16_t sport, dport;
	uint64_t first_seen;
	uint16_t flags;
	bool single_packet;
	int8_t want_reply;
	bool want_certain;
};

static struct netobs_flow_key side_key(uint8_t proto, const struct side *d)
{
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return icmp_key(proto, d->hook, d->src, d->dst, (uint8_t)d->sport);
	return key4(proto, d->hook, d->src, d->dst, d->sport, d->dport);
}

/* a is inserted, then b; both are checked after b. */
static const struct pair_case {
	const char *what;
	uint8_t proto;
	struct side a, b;
} pair_cases[] = {
	{"TCP SYN, then SYN|ACK",
	 IPPROTO_TCP,
	 {EG, 1, 2, 40000, 80, 500, SYN, true, 0, true},
	 {IN, 2, 1, 80, 40000, 400, SYN | ACK, true, 1, true}},
	{"TCP SYN|ACK found first, at XDP",
	 IPPROTO_TCP,
	 {XDP, 2, 1, 80, 40000, 400, SYN | ACK, true, 1, true},
	 {EG, 1, 2, 40000, 80, 500, SYN, true, 0, true}},
	{"TCP SYN|ACK unions from harvest: first seen decides",
	 IPPROTO_TCP,
	 {EG, 1, 2, 40000, 80, 300, SYN | ACK, false, 1, false},
	 {IN, 2, 1, 80, 40000, 100, SYN | ACK, false, 0, false}},
	{"a certain SYN beats an earlier mid-stream reverse",
	 IPPROTO_TCP,
	 {IN, 1, 2, 40000, 22, 900, SYN, true, 0, true},
	 {EG, 2, 1, 22, 40000, 100, ACK, false, 1, false}},
	{"TCP mid-stream both ways",
	 IPPROTO_TCP,
	 {IN, 1, 2, 40000, 22, 900, ACK, false, 1, false},
	 {EG, 2, 1, 22, 40000, 800, ACK | FIN, false, 0, false}},
	{"ICMP echo reply found first",
	 IPPROTO_ICMP,
	 {IN, 2, 1, 0, 0, 100, 0, true, 1, true},
	 {EG, 1, 2, 8, 0, 200, 0, true, 0, true}},
	{"ICMPv6 echo",
	 IPPROTO_ICMPV6,
	 {XDP, 1, 2, 128, 0, 300, 0, true, 0, true},
	 {EG, 2, 1, 129, 0, 400, 0, true, 1, true}},
	{"UDP found in the order it started",
	 IPPROTO_UDP,
	 {EG, 1, 2, 5353, 53, 100, 0, true, 0, false},
	 {IN, 2, 1, 53, 5353, 200, 0, true, 1, false}},
	{"UDP: reverse started earlier, first guess revised",
	 IPPROTO_UDP,
	 {EG, 1, 2, 5353, 53, 200, 0, true, 1, false},
	 {XDP, 2, 1, 53, 5353, 100, 0, true, 0, false}},
	{"UDP: XDP first, egress reverse started earlier",
	 IPPROTO_UDP,
	 {XDP, 2, 1, 53, 5353, 200, 0, true, 1, false},
	 {EG, 1, 2, 5353, 53, 100, 0, true, 0, false}},
};

START_TEST(test_pairing)
{
	const struct pair_case *c = &pair_cases[_i];
	struct flow_table t;
	struct flow_entry *a, *b;

	ck_assert_int_eq(flow_table_init(&t, 16), 0);
	a = insert(&t, side_key(c->proto, &c->a), c->a.first_seen, c->a.flags, c->a.single_packet);
	b = insert(&t, side_key(c->proto, &c->b), c->b.first_seen, c->b.flags, c->b.single_packet);
	ck_assert_msg(a->is_reply == c->a.want_reply, "%s: a is_reply %d", c->what, a->is_reply);
	ck_assert_msg(b->is_reply == c->b.want_reply, "%s: b is_reply %d", c->what, b->is_reply);
	ck_assert_msg(a->reply_certain == c->a.want_certain, "%s: a certain", c->what);
	ck_assert_msg(b->reply_certain == c->b.want_certain, "%s: b certain", c->what);
	flow_table_free(&t);
}
END_TEST

START_TEST(test_truncated_syn_does_not_decide)
{
	struct flow_table t;
	struct netobs_flow_key k = key4(IPPROTO_TCP, EG, 1, 2, 40000, 80);
	struct flow_entry *e;

	k.key_flags = NETOBS_KEY_F_TRUNCATED;
	ck_assert_int_eq(flow_table_init(&t, 4), 0);
	e = insert(&t, k, 100, SYN | ACK, true);
	ck_assert(!e->reply_certain);
	ck_assert_int_eq(e->is_reply, 0);
	flow_table_free(&t);
}
END_TEST

START_TEST(test_icmp_errors_are_replies)
{
	static const struct {
		uint8_t proto, type;
	} errors[] = {
		{IPPROTO_ICMP, 3},   /* destination unreachable */
		{IPPROTO_ICMP, 11},  /* time exceeded */
		{IPPROTO_ICMPV6, 1}, /* destination unreachable */
		{IPPROTO_ICMPV6, 3}, /* time exceeded */
	};
	struct flow_table t;

	ck_assert_int_eq(flow_table_init(&t, 8), 0);
	for (unsigned int i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct flow_entry *e = insert(
			&t, icmp_key(errors[i].proto, EG, 1, 2, errors[i].type), 10, 0, true);

		ck_assert_msg(e->is_reply == 1 && e->reply_certain, "proto %u type %u",
			      errors[i].proto, errors[i].type);
	}
	flow_table_free(&t);
}
END_TEST

START_TEST(test_no_pairing_across_hooks_or_interfaces)
{
	struct flow_table t;
	struct netobs_flow_key other_if = key4(IPPROTO_UDP, EG, 2, 1, 53, 5353);
	struct flow_entry *a;

	/* each would make a a reply (all started earlier) if wrongly paired */
	ck_assert_int_eq(flow_table_init(&t, 16), 0);
	a = insert(&t, key4(IPPROTO_UDP, IN, 1, 2, 5353, 53), 100, 0, true);
	insert(&t, key4(IPPROTO_UDP, IN, 2, 1, 53, 5353), 50, 0, true);	 /* same hook */
	insert(&t, key4(IPPROTO_UDP, XDP, 2, 1, 53, 5353), 60, 0, true); /* ingress too */
	other_if.ifindex = IFINDEX + 1;
	insert(&t, other_if, 70, 0, true);
	ck_assert_int_eq(a->is_reply, 0);
	flow_table_free(&t);
}
END_TEST

START_TEST(test_same_hook_pairing_when_asked)
{
	struct flow_table t;
	struct flow_entry *a, *b;

	/* A capture replayed through one program: the answer is at the same hook. */
	ck_assert_int_eq(flow_table_init(&t, 16), 0);
	t.same_hook_reverse = true;
	a = insert(&t, key4(IPPROTO_UDP, IN, 1, 2, 5353, 53), 100, 0, true);
	b = insert(&t, key4(IPPROTO_UDP, IN, 2, 1, 53, 5353), 150, 0, true);
	ck_assert_int_eq(a->is_reply, 0);
	ck_assert_int_eq(b->is_reply, 1);
	ck_assert(a->answered && b->answered);
	ck_assert_ptr_eq(flow_table_lookup_reverse(&t, &b->key), a);
	flow_table_free(&t);
}
END_TEST

/* ---- reverse keys ---- */

/* The key 10.0.0.1 -> 10.0.0.2 at hook reverses to 10.0.0.2 -> 10.0.0.1 at
 * each of rev_hooks with ports (or ICMP type) rsport/rdport. */
static const struct reverse_case {
	uint8_t proto, hook;
	uint16_t sport, dport;
	unsigned int n;
	uint8_t rev_hooks[2];
	uint16_t rsport, rdport;
} reverse_cases[] = {
	{IPPROTO_TCP, EG, 40000, 80, 2, {IN, XDP}, 80, 40000},
	{IPPROTO_TCP, IN, 40000, 80, 1, {EG}, 80, 40000},
	{IPPROTO_UDP, XDP, 5353, 53, 1, {EG}, 53, 5353},
	{IPPROTO_ICMP, IN, 8, 0, 1, {EG}, 0, 0},
	{IPPROTO_ICMP, IN, 0, 0, 1, {EG}, 8, 0},
	{IPPROTO_ICMPV6, IN, 128, 0, 1, {EG}, 129, 0},
	{IPPROTO_ICMPV6, EG, 129, 0, 2, {IN, XDP}, 128, 0},
	/* errors and neighbour discovery have no reverse flow */
	{IPPROTO_ICMP, EG, 3, 0, 0, {0}, 0, 0},
	{IPPROTO_ICMP, IN, 11, 0, 0, {0}, 0, 0},
	{IPPROTO_ICMPV6, EG, 135, 0, 0, {0}, 0, 0},
};

START_TEST(test_reverse_keys)
{
	const struct reverse_case *c = &reverse_cases[_i];
	struct side fwd = {c->hook, 1, 2, c->sport, c->dport, 0, 0, false, 0, false};
	struct netobs_flow_key k = side_key(c->proto, &fwd), out[2];
	unsigned int n;

	k.vlan_id = 100;
	memset(out, 0, sizeof(out));
	n = flow_key_reverse(&k, out);
	ck_assert_msg(n == c->n, "case %d: %u keys", _i, n);
	for (unsigned int i = 0; i < c->n; i++) {
		struct side rev = {c->rev_hooks[i], 2, 1,    c->rsport, c->rdport, 0, 0,
				   false,	    0, false};
		struct netobs_flow_key want = side_key(c->proto, &rev);
		bool found = false;

		want.vlan_id = 100;
		for (unsigned int j = 0; j < n; j++)
			found |= !memcmp(&out[j], &want, sizeof(want));
		ck_assert_msg(found, "case %d: no reverse at hook %u", _i, c->rev_hooks[i]);
	}
}
END_TEST

START_TEST(test_reverse_ipv6_addresses)
{
	struct netobs_flow_key k, want, out[2];

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < 16; i++) {
		k.saddr[i] = (uint8_t)(0x10 + i);
		k.daddr[i] = (uint8_t)(0xa0 + i);
	}
	k.family = NETOBS_FAMILY_IPV6;
	k.proto = IPPROTO_UDP;
	k.ifindex = 3;
	k.sport = htons(1234);
	k.dport = htons(443);
	k.hook = XDP;
	want = k;
	for (int i = 0; i < 16; i++) {
		want.saddr[i] = (uint8_t)(0xa0 + i);
		want.daddr[i] = (uint8_t)(0x10 + i);
	}
	want.sport = htons(443);
	want.dport = htons(1234);
	want.hook = EG;
	ck_assert_uint_eq(flow_key_reverse(&k, out), 1);
	ck_assert_int_eq(memcmp(&out[0], &want, sizeof(want)), 0);
}
END_TEST

/* ---- harvest decision ---- */

#define LAST_SEEN (1000 * SEC)
#define FIN	  NETOBS_TCP_FIN
#define RST	  NETOBS_TCP_RST
#define ACK	  NETOBS_TCP_ACK

/* The flow was last reported at 10 packets, 1000 bytes, last seen LAST_SEEN,
 * with these flags; idle timeout 30 s, end grace 2 s. */
static const struct decide_case {
	uint64_t packets, bytes;
	uint16_t flags;
	uint64_t now_ns;
	enum flow_action action;
	uint8_t reason;
	const char *what;
} decide_cases[] = {
	{11, 1100, 0, LAST_SEEN + 100 * SEC, FLOW_ACTION_UPDATE, NETOBS_END_NONE, "moved"},
	{11, 1100, FIN, LAST_SEEN + 100 * SEC, FLOW_ACTION_UPDATE, NETOBS_END_NONE, "moved, FIN"},
	{11, 1100, RST, LAST_SEEN + 100 * SEC, FLOW_ACTION_UPDATE, NETOBS_END_NONE, "moved, RST"},
	{10, 1001, 0, LAST_SEEN, FLOW_ACTION_UPDATE, NETOBS_END_NONE, "bytes moved"},
	{10, 1000, FIN | ACK, LAST_SEEN + 2 * SEC, FLOW_ACTION_END, NETOBS_END_FIN, "FIN, grace"},
	{10, 1000, FIN, LAST_SEEN + 2 * SEC - 1, FLOW_ACTION_NONE, NETOBS_END_NONE, "FIN < grace"},
	{10, 1000, FIN, LAST_SEEN + 31 * SEC, FLOW_ACTION_END, NETOBS_END_FIN, "FIN, past idle"},
	{10, 1000, RST, LAST_SEEN + 2 * SEC, FLOW_ACTION_END, NETOBS_END_RST, "RST"},
	{10, 1000, RST | FIN | ACK, LAST_SEEN + 5 * SEC, FLOW_ACTION_END, NETOBS_END_RST,
	 "RST wins over FIN"},
	/* flowtable.h: the grace applies after an RST too */
	{10, 1000, RST, LAST_SEEN + SEC, FLOW_ACTION_NONE, NETOBS_END_NONE, "RST < grace"},
	{10, 1000, ACK, LAST_SEEN + 30 * SEC, FLOW_ACTION_END, NETOBS_END_IDLE, "idle"},
	{10, 1000, 0, LAST_SEEN + 30 * SEC - 1, FLOW_ACTION_NONE, NETOBS_END_NONE, "< idle"},
	{10, 1000, 0, LAST_SEEN + 3 * SEC, FLOW_ACTION_NONE, NETOBS_END_NONE, "quiet, no FIN"},
	/* clock skew: now before last_seen is quiet 0, not 2^64 - something */
	{10, 1000, FIN, LAST_SEEN - SEC, FLOW_ACTION_NONE, NETOBS_END_NONE, "skew, FIN"},
	{10, 1000, RST, LAST_SEEN - 1, FLOW_ACTION_NONE, NETOBS_END_NONE, "skew, RST"},
	{10, 1000, 0, 0, FLOW_ACTION_NONE, NETOBS_END_NONE, "skew, now 0"},
};

START_TEST(test_harvest_decide)
{
	static const struct flow_timeouts timeouts = {
		.idle_ns = 30 * SEC, .end_grace_ns = 2 * SEC, .pressure_ns = SEC};
	/* one direction alone, no pressure: connection cases are in test_flowdecide.c */
	static const struct flow_context ctx = {.answered = true};
	const struct decide_case *c = &decide_cases[_i];
	struct netobs_flow_stats reported = {.packets = 10,
					     .bytes = 1000,
					     .first_seen_ns = 900 * SEC,
					     .last_seen_ns = LAST_SEEN,
					     .tcp_flags = c->flags};
	struct netobs_flow_stats now = reported;
	uint8_t reason = 0xff;
	enum flow_action action;

	now.packets = c->packets;
	now.bytes = c->bytes;
	action = flow_harvest_decide(&reported, &now, c->now_ns, &timeouts, &ctx, &reason);
	ck_assert_msg(action == c->action, "%s: action %d, want %d", c->what, action, c->action);
	ck_assert_msg(reason == c->reason, "%s: reason %u, want %u", c->what, reason, c->reason);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flowtable");
	TCase *read = tcase_create("read");
	TCase *table = tcase_create("table");
	TCase *pairing = tcase_create("pairing");
	TCase *harvest = tcase_create("harvest");

	tcase_add_test(read, test_read_value);
	tcase_add_test(read, test_read_verdict);
	tcase_add_test(read, test_read_no_packets);
	suite_add_tcase(s, read);

	tcase_add_test(table, test_init_capacity_zero);
	tcase_add_test(table, test_insert_lookup_remove);
	tcase_add_test(table, test_full_and_slot_reuse);
	tcase_add_test(table, test_chains);
	suite_add_tcase(s, table);

	tcase_add_loop_test(pairing, test_pairing, 0,
			    (int)(sizeof(pair_cases) / sizeof(pair_cases[0])));
	tcase_add_test(pairing, test_truncated_syn_does_not_decide);
	tcase_add_test(pairing, test_icmp_errors_are_replies);
	tcase_add_test(pairing, test_no_pairing_across_hooks_or_interfaces);
	tcase_add_test(pairing, test_same_hook_pairing_when_asked);
	tcase_add_loop_test(pairing, test_reverse_keys, 0,
			    (int)(sizeof(reverse_cases) / sizeof(reverse_cases[0])));
	tcase_add_test(pairing, test_reverse_ipv6_addresses);
	suite_add_tcase(s, pairing);

	tcase_add_loop_test(harvest, test_harvest_decide, 0,
			    (int)(sizeof(decide_cases) / sizeof(decide_cases[0])));
	suite_add_tcase(s, harvest);
	return s;
}
