/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow accounting: one map lookup and an in-place update per packet; an
 * insert (and a FLOW_NEW event) only for the first packet of a flow.
 */
#pragma once

#include <linux/bpf.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/clock.h"
#include "lib/counters.h"
#include "lib/events.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/verdict.h"

/* Flags worth telling the agent about at once: a connection opens or ends. */
#define NETOBS_TCP_EVENT_FLAGS (NETOBS_TCP_SYN | NETOBS_TCP_FIN | NETOBS_TCP_RST)

/* The cached verdict of an entry, read in one load: the four fields of
 * one judgement, never a mix of two written by CPUs at once. */
static __always_inline struct netobs_flow_stats
flow_stats_verdict(const struct netobs_flow_stats *stats)
{
	struct netobs_flow_stats v;

	v.verdict_word = *(const volatile __u64 *)&stats->verdict_word;
	return v;
}

/* Cache a verdict judged for this packet in its entry: one 8-byte store. */
static __always_inline void flow_stats_set_verdict(struct netobs_flow_stats *stats,
						   const struct policy_decision *d)
{
	struct netobs_flow_stats v;

	v.policy_gen = d->gen;
	v.verdict = d->verdict;
	v.policy_id = d->policy_id;
	v.match_type = d->match_type;
	*(volatile __u64 *)&stats->verdict_word = v.verdict_word;
}

/*
 * Update an existing entry, shared by every CPU: atomic adds, so no packet
 * is lost when CPUs update one flow at once. first_seen is the insert's.
 * d: the packet's verdict, cached here when newly judged.
 */
static __always_inline void flow_stats_add(struct netobs_flow_stats *stats,
					   const struct parsed_packet *pkt, __u32 packets,
					   __u64 bytes, __u64 now, const struct policy_decision *d)
{
	struct netobs_flow_stats cached = flow_stats_verdict(stats);
	__u32 flags = pkt->tcp_flags;

	/* A new generation, or a new verdict at the same one (a drop that
	 * turned out to be a reply). */
	if (d->gen != cached.policy_gen || d->verdict != cached.verdict)
		flow_stats_set_verdict(stats, d);
	__sync_fetch_and_add(&stats->packets, packets);
	__sync_fetch_and_add(&stats->bytes, bytes);
	/* Only forward: another CPU may have stored a later time already. The
	 * store itself is plain (a lost race loses at most a tick). */
	if (*(volatile __u64 *)&stats->last_seen_ns < now)
		*(volatile __u64 *)&stats->last_seen_ns = now;
	/* Only a flag the flow has not seen yet is news: a storm of SYNs (a
	 * flood, or retransmissions) then costs one event per flag and flow
	 * instead of one per packet on the shared ring buffer. The locked or
	 * only when the packet brings a flag the plain read did not see; its
	 * old value says which CPU brought it first, so exactly one reports it. */
	if (flags & ~*(volatile __u32 *)&stats->tcp_flags) {
		__u32 old = __sync_fetch_and_or(&stats->tcp_flags, flags);

		if (flags & ~old & NETOBS_TCP_EVENT_FLAGS)
			event_flow_emit(NETOBS_EVENT_TCP_FLAGS, pkt, packets, bytes,
					netobs_precise_now_ns(), d);
	}
}

/*
 * One count per packet (skb or frame) whose insert failed, by cause, and its
 * wire packets and bytes: they are in no flow, and without these the
 * agent could not say how much traffic its records miss.
 */
static __always_inline void flow_count_insert_error(long err, __u32 packets, __u64 bytes)
{
	if (err == -E2BIG)
		counter_add(NETOBS_CNT_FLOW_MAP_FULL, 1);
	else if (err == -EBUSY)
		counter_add(NETOBS_CNT_FLOW_MAP_BUSY, 1);
	else
		counter_add(NETOBS_CNT_FLOW_MAP_ERROR, 1);
	counter_add(NETOBS_CNT_UNTRACKED_PACKETS, packets);
	counter_add(NETOBS_CNT_UNTRACKED_BYTES, bytes);
}

/*
 * Create the packet's flow entry (its lookup missed). Returns the entry
 * when another CPU created it meanwhile and the packet updated it in place,
 * NULL when this call created it or failed to.
 */
static __always_inline struct netobs_flow_stats *flow_insert(const struct parsed_packet *pkt,
							     __u32 packets, __u64 bytes, __u64 now,
							     const struct policy_decision *d)
{
	/* Exact: a new flow's first_seen and FLOW_NEW are what a record's time
	 * window is checked against; an insert is rare, the read affordable. */
	__u64 first = netobs_precise_now_ns();
	struct netobs_flow_stats *stats;
	struct netobs_flow_stats fresh;
	long err;

	__builtin_memset(&fresh, 0, sizeof(fresh));
	fresh.packets = packets;
	fresh.bytes = bytes;
	fresh.first_seen_ns = first;
	fresh.last_seen_ns = first;
	fresh.tcp_flags = pkt->tcp_flags;
	flow_stats_set_verdict(&fresh, d);
	/* NOEXIST tells us whether we created the entry, so exactly one
	 * FLOW_NEW is sent; if another CPU created it since our lookup, we
	 * update our copy in place instead. */
	err = bpf_map_update_elem(&flows, &pkt->key, &fresh, BPF_NOEXIST);
	if (!err) {
		event_flow_emit(NETOBS_EVENT_FLOW_NEW, pkt, packets, bytes, first, d);
		return NULL;
	}
	if (err == -EEXIST) {
		stats = bpf_map_lookup_elem(&flows, &pkt->key);
		if (stats) {
			flow_stats_add(stats, pkt, packets, bytes, now, d);
			return stats;
		}
		/* Created and deleted (by the agent) between our two calls. */
	}
	flow_count_insert_error(err, packets, bytes);
	return NULL;
}

/*
 * Account the packet in its flow. stats: the entry when the caller has
 * looked it up already, NULL to look it up here. Returns the entry when the
 * packet updated it in place (the L7 code keeps its budget there), NULL when
 * it created the entry or failed to: an insert goes through a value on the
 * stack, not the map's.
 */
static __always_inline struct netobs_flow_stats *flow_account(const struct parsed_packet *pkt,
							      struct netobs_flow_stats *stats,
							      __u32 packets, __u64 bytes, __u64 now,
							      const struct policy_decision *d)
{
	if (!stats)
		stats = bpf_map_lookup_elem(&flows, &pkt->key);
	if (stats) {
		flow_stats_add(stats, pkt, packets, bytes, now, d);
		return stats;
	}
	return flow_insert(pkt, packets, bytes, now, d);
}
