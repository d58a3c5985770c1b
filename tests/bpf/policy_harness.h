/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The policy datapath tests' helpers (test_datapath_policy*.c): the policy
 * maps written by hand as the compiler writes them (lib/abi.h, "Policy
 * enforcement"), and runs through TC on the endpoint TEST_IFINDEX, whose TC
 * egress is its INGRESS and TC ingress its EGRESS.
 */
#pragma once

#include "datapath_harness.h"

/* ---- maps, as the compiler writes them ----------------------------- */

static inline void policy_gen_set(uint32_t gen)
{
	H.skel->bss->netobs_policy_gen = gen;
}

static inline void endpoint_set(uint32_t ifindex, uint32_t flags)
{
	struct netobs_policy_endpoint v = {
		.flags = flags, .identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + ifindex};

	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(H.skel->maps.policy_endpoints), &ifindex,
					     &v, BPF_ANY),
			 0);
}

static inline void ipcache_add(int family, const uint8_t *addr, uint8_t len, uint32_t identity)
{
	struct netobs_ipcache_key k = {.prefixlen = 32 + len, .family = family};
	struct netobs_ipcache_value v = {.identity = identity};

	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	ck_assert_int_eq(
		bpf_map_update_elem(bpf_map__fd(H.skel->maps.policy_ipcache), &k, &v, BPF_ANY), 0);
}

/* prefixlen: NETOBS_POLICY_PREFIX_PEER (any protocol), _PROTO (any port), up to _FULL. */
static inline void rule_add(uint32_t identity, uint8_t dir, uint8_t proto, uint16_t port,
			    uint32_t prefixlen, uint8_t action, uint16_t policy_id, uint8_t match)
{
	struct netobs_policy_key k = {
		.prefixlen = prefixlen,
		.ifindex = TEST_IFINDEX,
		.identity = identity,
		.direction = dir,
		.proto = proto,
		.port = htons(port),
	};
	struct netobs_policy_rule v = {
		.policy_id = policy_id, .action = action, .match_type = match};

	ck_assert_int_eq(
		bpf_map_update_elem(bpf_map__fd(H.skel->maps.policy_rules), &k, &v, BPF_ANY), 0);
}

static inline void rule_delete_all(void)
{
	map_empty(H.skel->maps.policy_rules);
}

/* ---- packets and results ----------------------------------------------- */

static inline void build_v4_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_UDP);
	put_udp(p, sport, dport, 12);
	put_fill(p, 'u', 12);
	ipv4_finish(p, ip);
}

static inline int to_endpoint(const struct pkt *p)
{
	return run_tc_action(H.skel->progs.netobs_tc_egress, p, TEST_IFINDEX, 1);
}

static inline int from_endpoint(const struct pkt *p)
{
	return run_tc_action(H.skel->progs.netobs_tc_ingress, p, TEST_IFINDEX, 1);
}
