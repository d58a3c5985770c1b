// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Review of the policy datapath (bpf/lib/policy.h): cases a review found
 * where the verdict was not the one docs/datapath.md ("Policy enforcement")
 * promises. Each failed against the datapath of commit bdb3e1d.
 *
 * Same setting as test_datapath_policy.c: the endpoint is TEST_IFINDEX (lo),
 * TC egress is its INGRESS, TC ingress its EGRESS. The endpoint is V4_SRC
 * (V6_SRC) when it sends (from_endpoint), the peer V4_DST (V6_DST); a packet
 * of the peer to the endpoint has the addresses swapped.
 */
#include "policy_harness.h"

#define EP	 TEST_IFINDEX
#define PEER_ID	 300 /* identity of V4_SRC / V6_SRC as a peer */
#define POLICY_A 7

#define INGRESS_ENFORCED (NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY)

#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

/* ---- packets ----------------------------------------------------------- */

static void swap_v4_addresses(struct pkt *p)
{
	memcpy(p->b + 14 + 12, V4_DST, 4);
	memcpy(p->b + 14 + 16, V4_SRC, 4);
}

static void swap_v6_addresses(struct pkt *p)
{
	memcpy(p->b + 14 + 8, V6_DST, 16);
	memcpy(p->b + 14 + 24, V6_SRC, 16);
}

/* ICMPv6 neighbour discovery (RFC 4861): NS 135 / NA 136 with a target. */
static void build_v6_ndp(struct pkt *p, uint8_t type)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IPV6);
	ip = put_ipv6(p, IPPROTO_ICMPV6);
	put_icmp(p, type, 0); /* type, code, checksum, 4 reserved/flag bytes */
	put_bytes(p, V6_DST, 16);
	ipv6_finish(p, ip);
}

/* ---- cases ------------------------------------------------------------- */

/*
 * A reply is REPLY "whatever the rules say". A peer's packet dropped once
 * before the endpoint opened the connection caches DENIED in its dropped
 * entry at this generation; the answers of the connection the endpoint
 * then opens must pass all the same (a long-lived TCP connection whose
 * flow entries went idle, where the server speaks first afterwards).
 */
START_TEST(test_reply_after_earlier_drop_passes)
{
	struct pkt query, answer;

	endpoint_set(EP, INGRESS_ENFORCED);
	H.skel->bss->netobs_policy_gen = 1;
	build_v4_udp(&answer, 53, 5000);
	swap_v4_addresses(&answer);
	/* unsolicited: dropped, rightly */
	ck_assert_int_eq(to_endpoint(&answer), TC_ACT_SHOT);
	/* the endpoint asks (its egress is not enforced): the connection opens */
	build_v4_udp(&query, 5000, 53);
	ck_assert_int_eq(from_endpoint(&query), TC_ACT_UNSPEC);
	/* the answer is a reply now */
	ck_assert_msg(to_endpoint(&answer) == TC_ACT_UNSPEC,
		      "the reply of a connection the endpoint opened was dropped: the DENIED "
		      "cached in its dropped entry hides the connection");
}
END_TEST

/*
 * A policy import that starts enforcing an endpoint with live
 * connections: the agent remembers the connections it knows the endpoint
 * opened (agent/policy_conns.c), as policy_conns entries; the server's
 * packets are their replies.
 */
/* The same with the connection the agent seeds at the import
 * (agent/policy_conns.c): not even the first packet after it is lost. */
START_TEST(test_seeded_connection_first_packet_passes)
{
	struct netobs_flow_key opened = key_v4(NETOBS_HOOK_TC_INGRESS, IPPROTO_TCP, 40000, 80);
	struct netobs_policy_conn conn = {.policy_gen = 2};
	struct pkt data;

	build_v4_tcp(&data, 80, 40000, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	swap_v4_addresses(&data);
	H.skel->bss->netobs_policy_gen = 1;
	ck_assert_int_eq(to_endpoint(&data), TC_ACT_UNSPEC);
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(H.skel->maps.policy_conns), &opened, &conn,
					     BPF_ANY),
			 0);
	endpoint_set(EP, INGRESS_ENFORCED);
	H.skel->bss->netobs_policy_gen = 2;
	ck_assert_int_eq(to_endpoint(&data), TC_ACT_UNSPEC);
}
END_TEST

START_TEST(test_connection_open_before_enforcement_survives)
{
	struct pkt request, data;
	int first;

	H.skel->bss->netobs_policy_gen = 1; /* a policy for some other endpoint */
	build_v4_tcp(&request, 40000, 80, NETOBS_TCP_ACK);
	ck_assert_int_eq(from_endpoint(&request), TC_ACT_UNSPEC);
	build_v4_tcp(&data, 80, 40000, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	swap_v4_addresses(&data);
	ck_assert_int_eq(to_endpoint(&data), TC_ACT_UNSPEC);

	/* a policy now selects the endpoint: ingress default deny */
	endpoint_set(EP, INGRESS_ENFORCED);
	H.skel->bss->netobs_policy_gen = 2;
	first = to_endpoint(&data); /* no connection known yet */
	ck_assert_int_eq(from_endpoint(&request), TC_ACT_UNSPEC);
	ck_assert_msg(to_endpoint(&data) == TC_ACT_UNSPEC,
		      "the server's packets stay dropped after the endpoint spoke on the "
		      "connection (the first one after the import was %s)",
		      first == TC_ACT_SHOT ? "dropped" : "forwarded");
}
END_TEST

/*
 * When the agent deletes the connection with its flow entry (idle), the
 * peer's packets are no reply any more: a CPU that cached REPLY in the reply
 * direction's flow entry at this generation must not keep forwarding them
 * while a CPU without that copy drops the very same packet.
 */
START_TEST(test_reply_cache_outlives_connection)
{
	struct netobs_flow_key fwd = key_v4(NETOBS_HOOK_TC_INGRESS, IPPROTO_UDP, 5000, 53);
	struct netobs_flow_key back = key_v4(NETOBS_HOOK_TC_EGRESS, IPPROTO_UDP, 53, 5000);
	struct pkt query, answer;
	int first, second;

	memcpy(back.saddr, V4_DST, 4);
	memcpy(back.daddr, V4_SRC, 4);
	endpoint_set(EP, INGRESS_ENFORCED);
	H.skel->bss->netobs_policy_gen = 1;
	build_v4_udp(&query, 5000, 53);
	ck_assert_int_eq(from_endpoint(&query), TC_ACT_UNSPEC);
	build_v4_udp(&answer, 53, 5000);
	swap_v4_addresses(&answer);
	ck_assert_int_eq(to_endpoint(&answer), TC_ACT_UNSPEC);

	/* the endpoint's direction goes idle: the agent forgets flow and connection */
	ck_assert_int_eq(bpf_map_delete_elem(bpf_map__fd(H.skel->maps.flows), &fwd), 0);
	ck_assert_int_eq(bpf_map_delete_elem(bpf_map__fd(H.skel->maps.policy_conns), &fwd), 0);

	first = to_endpoint(&answer); /* this CPU has REPLY cached */
	/* the same packet on a CPU that never saw the reply direction */
	ck_assert_int_eq(bpf_map_delete_elem(bpf_map__fd(H.skel->maps.flows), &back), 0);
	second = to_endpoint(&answer);
	ck_assert_int_eq(second, TC_ACT_SHOT);
	ck_assert_msg(first == second,
		      "the same packet, same maps, same generation: %s with a cached REPLY, "
		      "%s without",
		      first == TC_ACT_SHOT ? "dropped" : "forwarded",
		      second == TC_ACT_SHOT ? "dropped" : "forwarded");
}
END_TEST

/*
 * ARP passes every policy (family NONE), but its IPv6 counterpart, ICMPv6
 * neighbour discovery, is judged as L4 traffic: under ingress default deny
 * an endpoint whose policy allows a peer over IPv6 cannot be resolved by
 * that peer (its NS is dropped), nor resolve it (the NA answering its own
 * NS is no "reply": only echo is reversed). Cilium lets ND through before
 * policy; IPv6 to an enforced endpoint breaks as soon as its neighbour
 * entries go stale.
 */
START_TEST(test_ipv6_neighbour_discovery_passes)
{
	struct pkt p;
	int solicitation, advertisement;

	/* here the endpoint is V6_DST, the allowed peer V6_SRC */
	endpoint_set(EP, INGRESS_ENFORCED);
	ipcache_add(6, V6_SRC, 128, PEER_ID);
	rule_add(PEER_ID, NETOBS_POLICY_DIR_INGRESS, IPPROTO_UDP, 53, NETOBS_POLICY_PREFIX_FULL,
		 NETOBS_POLICY_ACTION_ALLOW, POLICY_A, NETOBS_MATCH_L3_L4);
	H.skel->bss->netobs_policy_gen = 1;
	/* the peer resolves the endpoint */
	build_v6_ndp(&p, 135);
	solicitation = to_endpoint(&p);
	/* the endpoint resolves the peer (its egress is not enforced), and the answer */
	build_v6_ndp(&p, 135);
	swap_v6_addresses(&p);
	ck_assert_int_eq(from_endpoint(&p), TC_ACT_UNSPEC);
	build_v6_ndp(&p, 136);
	advertisement = to_endpoint(&p);
	ck_assert_msg(solicitation == TC_ACT_UNSPEC && advertisement == TC_ACT_UNSPEC,
		      "ICMPv6 neighbour discovery under ingress default deny: the allowed peer's "
		      "solicitation %s, the advertisement answering the endpoint %s",
		      solicitation == TC_ACT_SHOT ? "dropped" : "forwarded",
		      advertisement == TC_ACT_SHOT ? "dropped" : "forwarded");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_policy_review");
	TCase *tc = tcase_create("review");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, harness_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_reply_after_earlier_drop_passes);
	tcase_add_test(tc, test_connection_open_before_enforcement_survives);
	tcase_add_test(tc, test_seeded_connection_first_packet_passes);
	tcase_add_test(tc, test_reply_cache_outlives_connection);
	tcase_add_test(tc, test_ipv6_neighbour_discovery_passes);
	suite_add_tcase(s, tc);

	return s;
}
