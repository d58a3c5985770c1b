// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy enforcement at TC (bpf/lib/policy.h) through BPF_PROG_TEST_RUN:
 * the maps are written here by hand, as the agent's compiler would write
 * them (lib/abi.h, "Policy enforcement"), and each case checks the
 * program's action, the flow entries (forwarded and dropped apart, exact
 * counts, the cached verdict) and the counters.
 *
 * The endpoint is TEST_IFINDEX (lo: a test run needs a real device). TC
 * egress on it is the endpoint's INGRESS (packets to the endpoint), TC
 * ingress its EGRESS. Packets go V4_SRC -> V4_DST, so at TC egress the peer
 * is V4_SRC, at TC ingress V4_DST.
 */
#include "policy_harness.h"

#define EP	  TEST_IFINDEX
#define PEER_ID	  300 /* identity of V4_SRC / V6_SRC */
#define OTHER_ID  301
#define CIDR_WIDE (NETOBS_POLICY_IDENTITY_CIDR_BASE + 0)
#define CIDR_EXC  (NETOBS_POLICY_IDENTITY_CIDR_BASE + 1)
#define POLICY_A  7
#define POLICY_B  9

#define INGRESS_ENFORCED (NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY)
#define EGRESS_ENFORCED	 (NETOBS_PEP_EGRESS_RULES | NETOBS_PEP_EGRESS_DEFAULT_DENY)

static void build_v4_icmp(struct pkt *p, uint8_t type)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_ICMP);
	put_icmp(p, type, 0);
	put_fill(p, 'i', 16);
	ipv4_finish(p, ip);
}

/* The reply of build_v4_tcp(): V4_DST -> V4_SRC. */
static void build_v4_tcp_reply(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t flags)
{
	build_v4_tcp(p, sport, dport, flags);
	/* addresses at IP offset 12 and 16 (Ethernet 14 + 12) */
	memcpy(p->b + 26, V4_DST, 4);
	memcpy(p->b + 30, V4_SRC, 4);
	/* the IP checksum is not checked on this path */
}

/* This CPU's view of one flow entry, summed, with the verdict of the copy judged last. */
struct policy_flow {
	int found;
	uint64_t packets, bytes;
	struct netobs_flow_stats merged;
};

static struct policy_flow flow_get(struct netobs_flow_key key, int dropped)
{
	struct netobs_flow_stats value;
	struct policy_flow f = {0};

	if (dropped)
		key.key_flags |= NETOBS_KEY_F_DROPPED;
	if (bpf_map_lookup_elem(bpf_map__fd(H.skel->maps.flows), &key, &value))
		return f;
	f.found = 1;
	f.packets = value.packets;
	f.bytes = value.bytes;
	if (value.packets)
		f.merged = value;
	return f;
}

static uint64_t counter_get(int which)
{
	uint64_t c[NETOBS_CNT__MAX];

	counters_read(c);
	return c[which];
}

static struct netobs_flow_key v4_key(uint8_t hook, uint8_t proto, uint16_t sport, uint16_t dport)
{
	return key_v4(hook, proto, sport, dport);
}

/* The usual start: an endpoint in ingress default deny whose peer V4_SRC is PEER_ID. */
static void ingress_deny_setup(void)
{
	endpoint_set(EP, INGRESS_ENFORCED);
	ipcache_add(4, V4_SRC, 32, PEER_ID);
	policy_gen_set(1);
}

/* ---- cases ------------------------------------------------------------- */

START_TEST(test_no_policy_loaded_judges_nothing)
{
	struct pkt p;
	struct policy_flow f;

	/* maps say deny, but generation 0 means no policy is loaded */
	endpoint_set(EP, INGRESS_ENFORCED);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80), 0);
	ck_assert(f.found);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_NONE);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_JUDGED), 0);
}
END_TEST

START_TEST(test_allowed_port_and_default_deny)
{
	struct netobs_flow_key k80 = v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80);
	struct netobs_flow_key k81 = v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40001, 81);
	struct pkt p80, p81;
	struct policy_flow f;
	int i, drop_events = 0;

	ingress_deny_setup();
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	build_v4_tcp(&p80, 40000, 80, NETOBS_TCP_SYN);
	build_v4_tcp(&p81, 40001, 81, NETOBS_TCP_SYN);

	ck_assert_int_eq(to_endpoint(&p80), TC_ACT_UNSPEC);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(to_endpoint(&p81), TC_ACT_SHOT);

	f = flow_get(k80, 0);
	ck_assert(f.found);
	ck_assert_uint_eq(f.packets, 1);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_ALLOWED);
	ck_assert_uint_eq(f.merged.policy_id, POLICY_A);
	ck_assert_uint_eq(f.merged.match_type, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(f.merged.policy_gen, 1);
	ck_assert(!flow_get(k80, 1).found);

	/* the denied flow: only a dropped entry, every packet in it */
	ck_assert(!flow_get(k81, 0).found);
	f = flow_get(k81, 1);
	ck_assert(f.found);
	ck_assert_uint_eq(f.packets, 3);
	ck_assert_uint_eq(f.bytes, 3 * p81.len);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_DENIED);
	ck_assert_uint_eq(f.merged.policy_id, 0);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_DROPPED), 3);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_DROPPED_BYTES), 3 * p81.len);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PACKETS), 4);

	/* the drop is reported at once: a FLOW_NEW of the dropped entry, with its verdict */
	harness_consume_events();
	for (i = 0; i < H.nevents && i < EVENTS_MAX; i++) {
		const struct netobs_flow_event *ev = &H.events[i];

		if (!(ev->key.key_flags & NETOBS_KEY_F_DROPPED))
			continue;
		ck_assert_uint_eq(ev->hdr.type, NETOBS_EVENT_FLOW_NEW);
		ck_assert_uint_eq(ev->verdict, NETOBS_PV_DENIED);
		ck_assert_uint_eq(ev->policy_gen, 1);
		drop_events++;
	}
	ck_assert_int_eq(drop_events, 1);
	/* judged once each: the dropped flow's later packets read the cache */
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_JUDGED), 2);
}
END_TEST

START_TEST(test_established_flow_judged_once)
{
	struct pkt p;
	struct policy_flow f;

	ingress_deny_setup();
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_ACK);
	/* repeat runs on one CPU: one judgement, then the cached verdict */
	ck_assert_int_eq(run_tc_action(H.skel->progs.netobs_tc_egress, &p, EP, 100), TC_ACT_UNSPEC);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80), 0);
	ck_assert_uint_eq(f.packets, 100);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_JUDGED), 1);
}
END_TEST

START_TEST(test_cidr_and_except)
{
	static const uint8_t wide[4] = {10, 0, 0, 0};
	static const uint8_t except[4] = {10, 0, 0, 0}; /* 10.0.0.0/24 holds V4_SRC 10.0.0.1 */
	struct pkt p;

	endpoint_set(EP, INGRESS_ENFORCED);
	ipcache_add(4, wide, 8, CIDR_WIDE);
	policy_gen_set(1);
	/* allow 10.0.0.0/8: V4_SRC is in it */
	rule_add(CIDR_WIDE, NETOBS_POLICY_DIR_INGRESS, 0, 0, NETOBS_POLICY_PREFIX_PEER,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_ONLY);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);

	/* except 10.0.0.0/24: a longer prefix with its own identity, not selected */
	ipcache_add(4, except, 24, CIDR_EXC);
	policy_gen_set(2);
	build_v4_tcp(&p, 40002, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	ck_assert_uint_eq(
		flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40002, 80), 1).merged.verdict,
		NETOBS_PV_DENIED);
}
END_TEST

START_TEST(test_port_range_prefix)
{
	struct pkt p;
	const struct {
		uint16_t port;
		int action;
	} cases[] = {
		{1023, TC_ACT_SHOT},   {1024, TC_ACT_UNSPEC}, {1500, TC_ACT_UNSPEC},
		{2047, TC_ACT_UNSPEC}, {2048, TC_ACT_SHOT},
	};

	ingress_deny_setup();
	/* 1024-2047: the 16-bit port's first 6 bits 000001 */
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 1024,
		 NETOBS_POLICY_PREFIX_PROTO + 6, NETOBS_POLICY_ACTION_ALLOW, POLICY_A,
		 NETOBS_MATCH_L3_L4);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build_v4_tcp(&p, 41000 + i, cases[i].port, NETOBS_TCP_SYN);
		ck_assert_msg(to_endpoint(&p) == cases[i].action, "port %u", cases[i].port);
	}
}
END_TEST

START_TEST(test_protocols_and_icmp_type)
{
	struct pkt p;

	ingress_deny_setup();
	/* UDP, any port; ICMP echo request only */
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_UDP, 0, NETOBS_POLICY_PREFIX_PROTO,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_ICMP, 8 << 8,
		 NETOBS_POLICY_PREFIX_PROTO + 8, NETOBS_POLICY_ACTION_ALLOW, POLICY_B,
		 NETOBS_MATCH_L3_L4);
	build_v4_udp(&p, 5353, 9999);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	build_v4_tcp(&p, 5353, 9999, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	build_v4_icmp(&p, 8);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	build_v4_icmp(&p, 13); /* timestamp request */
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
}
END_TEST

START_TEST(test_entity_all_and_unknown_peer)
{
	static const uint8_t stranger[4] = {192, 0, 2, 1};
	struct pkt p;

	/* the peer is in no ipcache entry: world; an any-peer rule still matches */
	endpoint_set(EP, INGRESS_ENFORCED);
	policy_gen_set(1);
	rule_add(NETOBS_POLICY_IDENTITY_WORLD, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 22,
		 NETOBS_POLICY_PREFIX_FULL, NETOBS_POLICY_ACTION_ALLOW, POLICY_A,
		 NETOBS_MATCH_L3_L4);
	build_v4_tcp(&p, 40000, 22, NETOBS_TCP_SYN);
	memcpy(p.b + 26, stranger, 4);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	build_v4_tcp(&p, 40000, 23, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	rule_add(NETOBS_POLICY_IDENTITY_ANY, NETOBS_POLICY_DIR_INGRESS, 0, 0,
		 NETOBS_POLICY_PREFIX_PEER, NETOBS_POLICY_ACTION_ALLOW, POLICY_B, NETOBS_MATCH_ALL);
	policy_gen_set(2);
	build_v4_tcp(&p, 40001, 23, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	ck_assert_uint_eq(flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40001, 23), 0)
				  .merged.match_type,
			  NETOBS_MATCH_ALL);
}
END_TEST

START_TEST(test_deny_wins_over_allow)
{
	struct pkt p;
	struct policy_flow f;

	ingress_deny_setup();
	/* the peer's allow for port 80, any peer's deny of TCP 80 */
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	rule_add(NETOBS_POLICY_IDENTITY_ANY, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80,
		 NETOBS_POLICY_PREFIX_FULL, NETOBS_POLICY_ACTION_DENY, POLICY_B,
		 NETOBS_MATCH_L4_ONLY);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80), 1);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_DENY);
	ck_assert_uint_eq(f.merged.policy_id, POLICY_B);
	ck_assert_uint_eq(f.merged.match_type, NETOBS_MATCH_L4_ONLY);

	/* and the other way round: the peer's deny beats any peer's allow */
	rule_delete_all();
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_DENY, POLICY_A, NETOBS_MATCH_L3_L4);
	rule_add(NETOBS_POLICY_IDENTITY_ANY, NETOBS_POLICY_DIR_INGRESS, 0, 0,
		 NETOBS_POLICY_PREFIX_PEER, NETOBS_POLICY_ACTION_ALLOW, POLICY_B, NETOBS_MATCH_ALL);
	policy_gen_set(2);
	build_v4_tcp(&p, 40001, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40001, 80), 1);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_DENY);
	ck_assert_uint_eq(f.merged.policy_id, POLICY_A);
}
END_TEST

START_TEST(test_reply_of_allowed_connection_passes)
{
	struct pkt out, reply, unsolicited;
	struct netobs_flow_key rk;
	struct policy_flow f;

	/* egress not enforced, ingress default deny with no rule at all */
	endpoint_set(EP, INGRESS_ENFORCED);
	policy_gen_set(1);
	/* the endpoint (V4_SRC here) connects out: TC ingress, its egress */
	build_v4_tcp(&out, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(from_endpoint(&out), TC_ACT_UNSPEC);
	ck_assert_uint_eq(
		flow_get(v4_key(NETOBS_HOOK_TC_INGRESS, IPPROTO_TCP, 40000, 80), 0).merged.verdict,
		NETOBS_PV_UNENFORCED);
	/* the SYN-ACK comes back through TC egress: a reply, whatever ingress says */
	build_v4_tcp_reply(&reply, 80, 40000, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	ck_assert_int_eq(to_endpoint(&reply), TC_ACT_UNSPEC);
	rk = key_v4(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 80, 40000);
	memcpy(rk.saddr, V4_DST, 4);
	memcpy(rk.daddr, V4_SRC, 4);
	f = flow_get(rk, 0);
	ck_assert(f.found);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_REPLY);
	/* the same peer opening its own connection: denied */
	build_v4_tcp_reply(&unsolicited, 80, 40001, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&unsolicited), TC_ACT_SHOT);
}
END_TEST

START_TEST(test_icmp_echo_reply_is_a_reply)
{
	struct pkt req, rep;

	endpoint_set(EP, INGRESS_ENFORCED);
	policy_gen_set(1);
	build_v4_icmp(&req, 8);
	ck_assert_int_eq(from_endpoint(&req), TC_ACT_UNSPEC);
	build_v4_icmp(&rep, 0);
	memcpy(rep.b + 26, V4_DST, 4);
	memcpy(rep.b + 30, V4_SRC, 4);
	ck_assert_int_eq(to_endpoint(&rep), TC_ACT_UNSPEC);
	/* an echo reply nobody asked for (other peer) */
	rep.b[29] ^= 1;
	ck_assert_int_eq(to_endpoint(&rep), TC_ACT_SHOT);
}
END_TEST

/* ICMP port unreachable V4_DST -> V4_SRC quoting V4_SRC:sport -> V4_DST:53/UDP. */
static void build_v4_port_unreachable(struct pkt *p, uint16_t quoted_sport)
{
	size_t ip, quoted;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_ICMP);
	memcpy(p->b + ip + 12, V4_DST, 4);
	memcpy(p->b + ip + 16, V4_SRC, 4);
	put_icmp(p, 3, 3);
	quoted = put_ipv4(p, IPPROTO_UDP);
	put_udp(p, quoted_sport, 53, 4);
	put_fill(p, 'q', 4);
	ipv4_finish(p, quoted);
	ipv4_finish(p, ip);
}

START_TEST(test_related_icmp_error_follows_its_connection)
{
	struct pkt q, err;

	endpoint_set(EP, INGRESS_ENFORCED);
	policy_gen_set(1);
	/* the endpoint's query goes out (egress not enforced: remembered) */
	build_v4_udp(&q, 5000, 53);
	ck_assert_int_eq(from_endpoint(&q), TC_ACT_UNSPEC);
	/* the error about it comes in: related, passes */
	build_v4_port_unreachable(&err, 5000);
	ck_assert_int_eq(to_endpoint(&err), TC_ACT_UNSPEC);
	/* the same kind of error about a datagram never sent: the same flow key,
	 * but not answered from the cache */
	build_v4_port_unreachable(&err, 5001);
	ck_assert_int_eq(to_endpoint(&err), TC_ACT_SHOT);
	/* and the related one still passes after that */
	build_v4_port_unreachable(&err, 5000);
	ck_assert_int_eq(to_endpoint(&err), TC_ACT_UNSPEC);
}
END_TEST

START_TEST(test_generation_change_judges_again)
{
	struct netobs_flow_key k = v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80);
	struct pkt p, reply;
	struct policy_flow f;

	ingress_deny_setup();
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_ACK);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	/* the endpoint's answer (TC ingress, its egress, not enforced) */
	build_v4_tcp_reply(&reply, 80, 40000, NETOBS_TCP_ACK);
	ck_assert_int_eq(from_endpoint(&reply), TC_ACT_UNSPEC);

	/* the rule goes: the established flow is judged again and dropped */
	rule_delete_all();
	policy_gen_set(2);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	f = flow_get(k, 0);
	ck_assert_uint_eq(f.packets, 2); /* forwarded before, exactly */
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_DENIED);
	f = flow_get(k, 1);
	ck_assert_uint_eq(f.packets, 2); /* dropped after, exactly */
	/* the forwarded entry caches the drop: judged once at generation 2
	 * (twice at 1: the flow and the endpoint's answer) */
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_JUDGED), 3);

	/* the rule comes back: forwarded again, in the forwarded entry */
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	policy_gen_set(3);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	ck_assert_uint_eq(flow_get(k, 0).packets, 3);
	ck_assert_uint_eq(flow_get(k, 1).packets, 2);
}
END_TEST

START_TEST(test_stale_connection_is_no_reply)
{
	struct pkt out, reply;

	/* egress allowed to port 80 by a rule; ingress default deny */
	endpoint_set(EP, INGRESS_ENFORCED | EGRESS_ENFORCED);
	ipcache_add(4, V4_DST, 32, OTHER_ID);
	rule_add(OTHER_ID, NETOBS_POLICY_DIR_EGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	policy_gen_set(1);
	build_v4_tcp(&out, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(from_endpoint(&out), TC_ACT_UNSPEC);
	build_v4_tcp_reply(&reply, 80, 40000, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	ck_assert_int_eq(to_endpoint(&reply), TC_ACT_UNSPEC);

	/* the egress rule goes: the connection no longer counts, its replies are new */
	rule_delete_all();
	policy_gen_set(2);
	build_v4_tcp_reply(&reply, 80, 40000, NETOBS_TCP_ACK);
	ck_assert_int_eq(to_endpoint(&reply), TC_ACT_SHOT);
}
END_TEST

START_TEST(test_audit_mode_forwards)
{
	struct pkt p;
	struct policy_flow f;

	endpoint_set(EP, INGRESS_ENFORCED | NETOBS_PEP_AUDIT);
	ipcache_add(4, V4_SRC, 32, PEER_ID);
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 81, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_DENY, POLICY_B, NETOBS_MATCH_L3_L4);
	policy_gen_set(1);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80), 0);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_AUDIT_DENIED);
	build_v4_tcp(&p, 40000, 81, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	f = flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 81), 0);
	ck_assert_uint_eq(f.merged.verdict, NETOBS_PV_AUDIT_DENY);
	ck_assert_uint_eq(f.merged.policy_id, POLICY_B);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_AUDIT), 2);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_DROPPED), 0);
}
END_TEST

START_TEST(test_unenforced_interface_and_xdp)
{
	struct pkt p;

	/* another interface is enforced; this one is not in policy_endpoints */
	endpoint_set(EP + 1000, INGRESS_ENFORCED);
	policy_gen_set(1);
	build_v4_tcp(&p, 40000, 80, NETOBS_TCP_SYN);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	ck_assert_uint_eq(
		flow_get(v4_key(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 40000, 80), 0).merged.verdict,
		NETOBS_PV_UNENFORCED);
	/* XDP never enforces (policy is a TC matter) and never judges */
	endpoint_set(EP, INGRESS_ENFORCED | EGRESS_ENFORCED);
	run_xdp(&p);
	ck_assert_uint_eq(
		flow_get(v4_key(NETOBS_HOOK_XDP, IPPROTO_TCP, 40000, 80), 0).merged.verdict,
		NETOBS_PV_NONE);
}
END_TEST

START_TEST(test_non_ip_and_malformed_under_default_deny)
{
	struct pkt p;
	size_t ip;

	endpoint_set(EP, INGRESS_ENFORCED);
	ipcache_add(4, V4_SRC, 32, PEER_ID);
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_TCP, 80, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	policy_gen_set(1);
	/* ARP passes: L3/L4 policy does not judge it */
	p.len = 0;
	put_eth(&p, ETH_P_ARP);
	put_fill(&p, 0, 28);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	/* a TCP header cut after 6 bytes: no port, judged as port 0, denied and counted */
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_TCP);
	put_be16(&p, 40000);
	put_be16(&p, 80);
	put_be16(&p, 0);
	ipv4_finish(&p, ip);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_TRUNCATED), 1);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_DROPPED), 1);
}
END_TEST

START_TEST(test_ipv6_peer)
{
	struct netobs_flow_key k = key_v6(NETOBS_HOOK_TC_EGRESS, IPPROTO_UDP, 5000, 53);
	struct pkt p;
	size_t ip;

	endpoint_set(EP, INGRESS_ENFORCED);
	ipcache_add(6, V6_SRC, 128, PEER_ID);
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_UDP, 53, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	policy_gen_set(1);
	p.len = 0;
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_UDP);
	put_udp(&p, 5000, 53, 8);
	put_fill(&p, 'q', 8);
	ipv6_finish(&p, ip);
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_UNSPEC);
	ck_assert_uint_eq(flow_get(k, 0).merged.verdict, NETOBS_PV_ALLOWED);
	/* the same from an address the ipcache does not know (world): denied */
	p.b[14 + 8 + 15] ^= 0x40;
	ck_assert_int_eq(to_endpoint(&p), TC_ACT_SHOT);
	/* neighbor discovery passes (133..137), other ICMPv6 does not */
	for (int type = 132; type <= 138; type++) {
		p.len = 0;
		put_eth(&p, ETH_P_IPV6);
		ip = put_ipv6(&p, IPPROTO_ICMPV6);
		put_icmp(&p, type, 0);
		put_fill(&p, 'n', 16);
		ipv6_finish(&p, ip);
		ck_assert_msg(to_endpoint(&p) ==
				      (type >= 133 && type <= 137 ? TC_ACT_UNSPEC : TC_ACT_SHOT),
			      "ICMPv6 type %d", type);
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, harness_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_no_policy_loaded_judges_nothing);
	tcase_add_test(tc, test_allowed_port_and_default_deny);
	tcase_add_test(tc, test_established_flow_judged_once);
	tcase_add_test(tc, test_cidr_and_except);
	tcase_add_test(tc, test_port_range_prefix);
	tcase_add_test(tc, test_protocols_and_icmp_type);
	tcase_add_test(tc, test_entity_all_and_unknown_peer);
	tcase_add_test(tc, test_deny_wins_over_allow);
	tcase_add_test(tc, test_reply_of_allowed_connection_passes);
	tcase_add_test(tc, test_icmp_echo_reply_is_a_reply);
	tcase_add_test(tc, test_related_icmp_error_follows_its_connection);
	tcase_add_test(tc, test_generation_change_judges_again);
	tcase_add_test(tc, test_stale_connection_is_no_reply);
	tcase_add_test(tc, test_audit_mode_forwards);
	tcase_add_test(tc, test_unenforced_interface_and_xdp);
	tcase_add_test(tc, test_non_ip_and_malformed_under_default_deny);
	tcase_add_test(tc, test_ipv6_peer);
	suite_add_tcase(s, tc);
	return s;
}
