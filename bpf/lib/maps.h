/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's maps. Their names are part of the contract with the agent
 * (it finds them through the skeleton), so they are fixed.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"

/*
 * One entry per flow, one value shared by all CPUs (lib/flow.h): atomic adds
 * cost no more than plain adds on a per-CPU copy (bench_fastpath, also with
 * two CPUs on one flow), and a per-CPU value cost its size x possible CPUs
 * for every slot, used or not (800 MB at 256 CPUs and 65536 flows; 10 MB
 * shared). A plain hash, not LRU: an LRU map
 * evicts live flows silently, while a full plain map fails the insert, which
 * we count (NETOBS_CNT_FLOW_MAP_FULL) and the agent can react to.
 * Preallocated (the default): inserts never allocate in the packet path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETOBS_FLOW_MAP_DEFAULT_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct netobs_flow_stats);
} flows SEC(".maps");

/* enum netobs_counter -> per-CPU count; the agent sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NETOBS_CNT__MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Rare, important events (new flow, TCP SYN/FIN/RST), and L7 slices bounded per
 * DNS packet and per HTTP message head (lib/l7.h); never one per packet of a flow. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, NETOBS_RINGBUF_BYTES);
} events SEC(".maps");

/*
 * L7 slice settings (lib/l7.h), in global data (.bss) rather than array
 * maps: the datapath reads them with plain loads, no map lookup, and the
 * agent writes them through the skeleton's memory-mapped .bss
 * (datapath_set_l7()). All zero (the state after load): no DNS port, HTTP
 * recognised on any port, slices on.
 *
 * netobs_l7_port_flags: enum netobs_l7_port_flags, indexed by the port in
 * host order. netobs_l7_config: enum netobs_l7_config_flags.
 */
__u8 netobs_l7_port_flags[NETOBS_L7_PORTS];
__u32 netobs_l7_config;

/*
 * Where an L7 event is assembled before bpf_ringbuf_output() copies exactly
 * its used length into the ring buffer: reserving in place would take
 * NETOBS_L7_SLICE_MAX bytes of the ring for a 40-byte DNS query. Too big for
 * the 512-byte BPF stack; per-CPU, as a program never migrates mid-run.
 */
struct netobs_l7_scratch {
	__u32 payload_off; /* see l7_forget_path() */
	__u32 payload_end;
	__u8 bytes[sizeof(struct netobs_l7_event) + NETOBS_L7_SLICE_MAX]; /* the event */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct netobs_l7_scratch);
} l7_scratch SEC(".maps");

/*
 * Policy enforcement (lib/abi.h, "Policy enforcement"; lib/policy.h in bpf/).
 * The policy maps hold twice what one compile may use (NETOBS_POLICY_*_MAX):
 * the agent writes a new policy's entries before it deletes the old ones.
 * The agent writes these from the compiled policy (agent/policy_maps.c),
 * then bumps netobs_policy_gen so every flow is judged again. 0: no policy
 * is loaded; the datapath then judges nothing and only reads this word.
 */
__u32 netobs_policy_gen;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2 * NETOBS_POLICY_ENDPOINTS_MAX);
	__type(key, __u32);
	__type(value, struct netobs_policy_endpoint);
} policy_endpoints SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * NETOBS_POLICY_IPCACHE_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netobs_ipcache_key);
	__type(value, struct netobs_ipcache_value);
} policy_ipcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * NETOBS_POLICY_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netobs_policy_key);
	__type(value, struct netobs_policy_rule);
} policy_rules SEC(".maps");

/*
 * Connections an enforced endpoint allowed, for their replies. Shared by
 * all CPUs (a reply may come on another CPU). A plain hash, as the flow
 * map, and sized like it by the agent: an entry lives as long as the flow
 * entry of the same key.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NETOBS_FLOW_MAP_DEFAULT_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct netobs_policy_conn);
} policy_conns SEC(".maps");

/*
 * XDP prefilter (lib/abi.h, "XDP prefilter"; lib/prefilter.h). The agent
 * sets netobs_prefilter_enabled while the map holds a prefix, so XDP
 * without a prefilter pays this one load and no lookup.
 */
__u32 netobs_prefilter_enabled;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, NETOBS_PREFILTER_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct netobs_ipcache_key);
	__type(value, struct netobs_prefilter_value);
} prefilter SEC(".maps");
