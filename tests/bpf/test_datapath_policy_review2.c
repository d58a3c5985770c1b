// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Second review of the policy datapath (bpf/lib/policy.h, 225bf0d): an ICMP
 * error about a connection the endpoint opened is RELATED only while the
 * connection's policy_conns entry carries the current generation
 * (netobs_policy_related). A reply refreshes a stale entry (it judges the
 * opening direction again, netobs_policy_judge); an error does not, so
 * after any generation change (an endpoint appearing anywhere on the node,
 * a policy import) and for every connection the agent seeds at an import
 * (generation 0, agent/policy_conns.c) the error is judged by the rules,
 * and dropped under default deny, until the endpoint sends on that
 * connection again. Failed on 225bf0d.
 *
 * Same setting as test_datapath_policy_review.c: the endpoint is
 * TEST_IFINDEX (lo) with address V4_SRC; TC ingress is its egress, TC
 * egress its ingress; the peer is V4_DST.
 */
#include "policy_harness.h"

#define EP TEST_IFINDEX

/* The endpoint's UDP datagram V4_SRC:40000 -> V4_DST:53. */
static void build_v4_udp_request(struct pkt *p)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_UDP);
	put_udp(p, 40000, 53, 12);
	put_fill(p, 'q', 12);
	ipv4_finish(p, ip);
}

/* The peer's port unreachable (ICMP 3/3) V4_DST -> V4_SRC about that datagram. */
static void build_v4_port_unreachable(struct pkt *p)
{
	size_t outer, inner;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	outer = put_ipv4(p, IPPROTO_ICMP);
	memcpy(p->b + outer + 12, V4_DST, 4);
	memcpy(p->b + outer + 16, V4_SRC, 4);
	put_icmp(p, 3, 3);
	inner = put_ipv4(p, IPPROTO_UDP); /* the quoted datagram, V4_SRC -> V4_DST */
	put_udp(p, 40000, 53, 12);
	put_fill(p, 'q', 12);
	ipv4_finish(p, inner);
	ipv4_finish(p, outer);
}

/* Control: at the generation the connection was opened at, the error passes. */
START_TEST(test_icmp_error_related_same_generation)
{
	struct pkt request, error;

	endpoint_set(EP, NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY);
	H.skel->bss->netobs_policy_gen = 1;
	build_v4_udp_request(&request);
	ck_assert_int_eq(from_endpoint(&request), TC_ACT_UNSPEC);
	build_v4_port_unreachable(&error);
	ck_assert_int_eq(to_endpoint(&error), TC_ACT_UNSPEC);
}
END_TEST

START_TEST(test_icmp_error_related_after_generation_change)
{
	struct pkt request, error;

	endpoint_set(EP, NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY);
	H.skel->bss->netobs_policy_gen = 1;
	build_v4_udp_request(&request);
	ck_assert_int_eq(from_endpoint(&request), TC_ACT_UNSPEC);
	/* the agent recompiles (another endpoint appeared): nothing changed here */
	H.skel->bss->netobs_policy_gen = 2;
	build_v4_port_unreachable(&error);
	ck_assert_msg(to_endpoint(&error) == TC_ACT_UNSPEC,
		      "the port unreachable about the endpoint's own datagram was dropped after "
		      "an unrelated generation change (its connection was allowed at 1, is "
		      "still allowed at 2, and a reply would have passed)");
}
END_TEST

START_TEST(test_icmp_error_related_seeded_connection)
{
	struct netobs_flow_key opened = {0};
	struct netobs_policy_conn seeded = {.policy_gen = 0};
	struct pkt error;

	/* the connection as agent/policy_conns.c seeds it at an import */
	memcpy(opened.saddr, V4_SRC, 4);
	memcpy(opened.daddr, V4_DST, 4);
	opened.ifindex = EP;
	opened.eth_proto = htons(ETH_P_IP);
	opened.family = NETOBS_FAMILY_IPV4;
	opened.proto = IPPROTO_UDP;
	opened.hook = NETOBS_HOOK_TC_INGRESS;
	opened.sport = htons(40000);
	opened.dport = htons(53);
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(H.skel->maps.policy_conns), &opened,
					     &seeded, BPF_ANY),
			 0);
	endpoint_set(EP, NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY);
	H.skel->bss->netobs_policy_gen = 1;
	build_v4_port_unreachable(&error);
	ck_assert_msg(to_endpoint(&error) == TC_ACT_UNSPEC,
		      "the port unreachable about a connection the agent seeded was dropped");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_policy_review2");
	TCase *tc = tcase_create("review2");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, harness_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_icmp_error_related_same_generation);
	tcase_add_test(tc, test_icmp_error_related_after_generation_change);
	tcase_add_test(tc, test_icmp_error_related_seeded_connection);
	suite_add_tcase(s, tc);
	return s;
}
