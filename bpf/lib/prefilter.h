/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The XDP prefilter (lib/abi.h, "XDP prefilter"; docs/policy.md): source
 * prefixes netobs_xdp drops before the stack. It judges by the parsed
 * source address alone, so it needs a whole, valid IP header: a frame cut
 * inside it, a malformed one and every non-IP frame are never dropped
 * here. A packet whose IP header is whole but whose L4 header is cut or a
 * fragment is dropped like any other from its source.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/account.h"
#include "lib/counters.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/verdict.h"

/*
 * Did the parser take the source address from a whole IP header? It copies
 * the addresses only then, and header_len then ends past that header. When
 * it stopped inside the IP header (cut, or invalid), header_len is the
 * Ethernet header and its tags, at most 14 + NETOBS_VLAN_MAX_TAGS * 4 = 22
 * bytes: less than the shortest whole one (14 + 20). Told apart here, so
 * the parser (shared with TC, near the verifier's budget) stays as it is.
 */
static __always_inline int prefilter_has_source(const struct parsed_packet *pkt)
{
	if (pkt->key.family == NETOBS_FAMILY_IPV4)
		return pkt->header_len >= ETH_HLEN + 20;
	if (pkt->key.family == NETOBS_FAMILY_IPV6)
		return pkt->header_len >= ETH_HLEN + NETOBS_IPV6_HLEN;
	return 0;
}

_Static_assert(ETH_HLEN + NETOBS_VLAN_MAX_TAGS * NETOBS_VLAN_HLEN < ETH_HLEN + 20,
	       "a frame cut inside its IP header must not look whole");

/*
 * Drop the packet when its source is in the prefilter map: account it in
 * its flow's NETOBS_KEY_F_DROPPED entry (verdict PREFILTER; its FLOW_NEW
 * reports the drop at once, as for a TC policy drop) and count it. Returns
 * 1 when dropped. Global, so verified once and apart from the caller, which
 * sees only its return value: inlined, the second flow accounting and the
 * branches on the parse result roughly doubled netobs_xdp's verifier work.
 */
__noinline int netobs_prefilter_drop(const struct parsed_packet *pkt, __u32 bytes, __u64 now)
{
	struct policy_decision prefiltered = {.verdict = NETOBS_PV_PREFILTER};
	struct netobs_ipcache_key lpm = {};
	struct parsed_packet dropped;

	if (!pkt || !prefilter_has_source(pkt))
		return 0;
	lpm.family = pkt->key.family;
	lpm.prefixlen = 32 + (pkt->key.family == NETOBS_FAMILY_IPV4 ? 32 : 128);
	__builtin_memcpy(lpm.addr, pkt->key.saddr, sizeof(lpm.addr));
	if (!bpf_map_lookup_elem(&prefilter, &lpm))
		return 0;
	dropped = *pkt;
	dropped.key.key_flags |= NETOBS_KEY_F_DROPPED;
	account_packet(&dropped, NULL, 1, bytes, now, &prefiltered);
	counter_add(NETOBS_CNT_PREFILTER_DROPPED, 1);
	counter_add(NETOBS_CNT_PREFILTER_DROPPED_BYTES, bytes);
	return 1;
}
