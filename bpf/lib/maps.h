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
 * One entry per flow, one value per CPU: the fast path updates its own CPU's
 * copy with plain adds and no atomics. A plain hash, not LRU: an LRU map
 * evicts live flows silently, while a full plain map fails the insert, which
 * we count (NETOBS_CNT_FLOW_MAP_FULL) and the agent can react to.
 * Preallocated (the default): inserts never allocate in the packet path.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
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
