/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* One packet's accounting: the counters its parse result calls for, then its flow. */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/parse.h"
#include "lib/verdict.h"

/*
 * Counters that follow from the parse result, then the flow; one place for
 * all hooks. Returns the flow entry (NULL on an insert),
 * for the L7 code.
 */
static __always_inline struct netobs_flow_stats *
account_packet(const struct parsed_packet *pkt, struct netobs_flow_stats *stats, __u32 packets,
	       __u64 bytes, __u64 now, const struct policy_decision *d)
{
	__u8 flags = pkt->key.key_flags;

	counter_add(NETOBS_CNT_PACKETS, packets);
	counter_add(NETOBS_CNT_BYTES, bytes);
	if (flags & NETOBS_KEY_F_TRUNCATED)
		counter_add(NETOBS_CNT_TRUNCATED, packets);
	if (flags & NETOBS_KEY_F_MALFORMED)
		counter_add(NETOBS_CNT_MALFORMED, packets);
	if (flags & NETOBS_KEY_F_FRAGMENT)
		counter_add(NETOBS_CNT_FRAGMENTS, packets);
	if (flags & NETOBS_KEY_F_EXTHDR_LIMIT)
		counter_add(NETOBS_CNT_EXTHDR_LIMIT, packets);
	if (pkt->notes & PARSE_NOTE_VLAN_LIMIT)
		counter_add(NETOBS_CNT_VLAN_LIMIT, packets);
	if (pkt->notes & PARSE_NOTE_NON_IP)
		counter_add(NETOBS_CNT_NON_IP, packets);
	return flow_account(pkt, stats, packets, bytes, now, d);
}
