// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Variants of the per-packet fast path, for bench/bench_fastpath.c: each
 * program adds one piece (parse, a clock, the global counters, a lookup, an
 * update) or swaps one for an alternative (a compact IPv4 key, a value
 * shared by all CPUs with atomic adds, a smaller value), so the bench can
 * say what each piece costs on the same packet. Built from the datapath's
 * own headers (bpf/lib/: the parser, the clock, counter_add() on the real
 * counters map, flow_stats_add() for the shared update); never loaded by
 * the agent.
 *
 * Built with -mcpu=v3, as the datapath (CMakeLists.txt): the atomic
 * fetch-or of the shared layouts needs BPF atomics (v3, Linux 5.12); clang
 * 14's default (generic, v1) has only the atomic add whose result is unused
 * (BPF_XADD).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/clock.h"
#include "lib/counters.h"
#include "lib/flow.h"
#include "lib/parse.h"

#define FP_MAP_ENTRIES 65536

/* Keep a value alive without storing it anywhere (a store to shared
 * memory would add cache traffic to the contention cases). */
#define fp_keep(x) asm volatile("" : : "r"(x))

/* The compact IPv4 key: 20 bytes hashed instead of 48. */
struct fp_key_v4 {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u32 ifindex;
	__u8 proto;
	__u8 hook;
	__u8 key_flags;
	__u8 pad;
};

/* The smallest shared value that keeps the counts and the times. */
struct fp_shared32 {
	__u64 packets;
	__u64 bytes;
	__u64 last_seen_ns;
	__u32 tcp_flags;
	__u32 verdict_word;
};

/* The smallest per-CPU value: what must be summed. */
struct fp_percpu16 {
	__u64 packets;
	__u64 bytes;
};

/* Per-CPU, 48-byte key and value: the datapath's layout until ABI 5. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct netobs_flow_stats);
} fp_pc48 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct fp_key_v4);
	__type(value, struct netobs_flow_stats);
} fp_pc48_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct fp_percpu16);
} fp_pc16 SEC(".maps");

/* Shared 48-byte value, atomic updates. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct netobs_flow_stats);
} fp_sh48 SEC(".maps");

/* Shared 48-byte value, plain adds: loses counts under contention. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct netobs_flow_stats);
} fp_sh48_plain SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct fp_shared32);
} fp_sh32 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct fp_key_v4);
	__type(value, struct netobs_flow_stats);
} fp_sh48_v4 SEC(".maps");

/* TCP flags new to a flow, as the datapath would report them. */
__u64 fp_flag_events;

static __always_inline void fp_parse(struct __sk_buff *skb, struct parsed_packet *pkt)
{
	struct frame_meta meta = {
		.ifindex = skb->ifindex,
		.hook = NETOBS_HOOK_TC_INGRESS,
	};

	parse_frame((void *)(long)skb->data, (void *)(long)skb->data_end, &meta, pkt);
}

static __always_inline void fp_key_v4_from(const struct netobs_flow_key *k, struct fp_key_v4 *v4)
{
	v4->saddr = *(const __be32 *)k->saddr;
	v4->daddr = *(const __be32 *)k->daddr;
	v4->sport = k->sport;
	v4->dport = k->dport;
	v4->ifindex = k->ifindex;
	v4->proto = k->proto;
	v4->hook = k->hook;
	v4->key_flags = k->key_flags;
	v4->pad = 0;
}

/* The datapath's per-CPU update until ABI 5 (lib/flow.h flow_stats_add() then,
 * without the verdict): plain adds on this CPU's copy. */
static __always_inline void fp_percpu_add(struct netobs_flow_stats *s,
					  const struct parsed_packet *pkt, __u64 bytes, __u64 now)
{
	__u32 new_flags;

	s->packets += 1;
	s->bytes += bytes;
	if (!s->first_seen_ns)
		s->first_seen_ns = now;
	s->last_seen_ns = now;
	new_flags = pkt->tcp_flags & ~s->tcp_flags;
	s->tcp_flags |= pkt->tcp_flags;
	if (new_flags & NETOBS_TCP_EVENT_FLAGS)
		fp_flag_events++;
}

static __always_inline void fp_shared_flags(__u32 *flags, __u16 pkt_flags)
{
	/* Read first: the locked or only when the packet brings a new flag
	 * (once per flag and flow), not on every ACK. */
	if (pkt_flags & ~*(volatile __u32 *)flags) {
		__u32 old = __sync_fetch_and_or(flags, (__u32)pkt_flags);

		if (pkt_flags & ~old & NETOBS_TCP_EVENT_FLAGS)
			__sync_fetch_and_add(&fp_flag_events, 1);
	}
}

/* The clock a variant reads. */
enum fp_clock {
	FP_CLOCK_NONE,
	FP_CLOCK_BOOT,	  /* bpf_ktime_get_boot_ns(): the datapath until ABI 4 */
	FP_CLOCK_MONO,	  /* bpf_ktime_get_ns() */
	FP_CLOCK_COARSE,  /* bpf_ktime_get_coarse_ns() */
	FP_CLOCK_JIFFIES, /* bpf_jiffies64() alone */
	FP_CLOCK_TICK,	  /* lib/clock.h netobs_now_ns(): jiffies x tick + offset */
};

/*
 * What every variant starts with: parse, read the clock, and (counters)
 * the two per-packet global counters, PACKETS and BYTES. clock and counters
 * are constants at each call: the compiler keeps only what is asked for.
 */
static __always_inline __u64 fp_start(struct __sk_buff *skb, struct parsed_packet *pkt,
				      enum fp_clock clock, int counters)
{
	__u64 now = 0;

	fp_parse(skb, pkt);
	if (clock == FP_CLOCK_BOOT)
		now = bpf_ktime_get_boot_ns();
	else if (clock == FP_CLOCK_MONO)
		now = bpf_ktime_get_ns();
	else if (clock == FP_CLOCK_COARSE)
		now = bpf_ktime_get_coarse_ns();
	else if (clock == FP_CLOCK_JIFFIES)
		now = bpf_jiffies64();
	else if (clock == FP_CLOCK_TICK)
		now = netobs_now_ns();
	fp_keep(now);
	if (counters) {
		counter_add(NETOBS_CNT_PACKETS, 1);
		counter_add(NETOBS_CNT_BYTES, skb->len);
	}
	return now;
}

/* Insert the flow of a first packet (zeroed value, packets and bytes set). */
#define FP_INSERT(map_ptr, key, val_type, bytes_)                                                  \
	({                                                                                         \
		val_type fresh;                                                                    \
		__builtin_memset(&fresh, 0, sizeof(fresh));                                        \
		fresh.packets = 1;                                                                 \
		fresh.bytes = (bytes_);                                                            \
		bpf_map_update_elem((map_ptr), (key), &fresh, BPF_NOEXIST);                        \
	})

/* Per-CPU value of today's layout: lookup, in-place update or insert. */
static __always_inline int fp_percpu48(struct __sk_buff *skb, void *map, const void *key,
				       const struct parsed_packet *pkt, __u64 now)
{
	struct netobs_flow_stats *s = bpf_map_lookup_elem(map, key);

	if (s)
		fp_percpu_add(s, pkt, skb->len, now);
	else
		FP_INSERT(map, key, struct netobs_flow_stats, skb->len);
	return TC_ACT_UNSPEC;
}

/* Shared 48-byte value with atomic updates. */
static __always_inline int fp_shared48(struct __sk_buff *skb, void *map, const void *key,
				       const struct parsed_packet *pkt, __u64 now)
{
	struct netobs_flow_stats *s = bpf_map_lookup_elem(map, key);
	struct policy_decision no_policy = {};

	/* The datapath's own update (lib/flow.h): atomic adds, fetch-or. */
	if (s)
		flow_stats_add(s, pkt, 1, skb->len, now, &no_policy);
	else
		FP_INSERT(map, key, struct netobs_flow_stats, skb->len);
	return TC_ACT_UNSPEC;
}

#define FP_PROG(name) SEC("tc") int name(struct __sk_buff *skb)

FP_PROG(fp_parse_only)
{
	struct parsed_packet pkt;

	fp_start(skb, &pkt, FP_CLOCK_NONE, 0);
	return TC_ACT_UNSPEC;
}

#define FP_CLOCK_PROG(name, clock)                                                                 \
	FP_PROG(name)                                                                              \
	{                                                                                          \
		struct parsed_packet pkt;                                                          \
		fp_start(skb, &pkt, clock, 0);                                                     \
		return TC_ACT_UNSPEC;                                                              \
	}
FP_CLOCK_PROG(fp_clock_boot, FP_CLOCK_BOOT)
FP_CLOCK_PROG(fp_clock_mono, FP_CLOCK_MONO)
FP_CLOCK_PROG(fp_clock_coarse, FP_CLOCK_COARSE)
FP_CLOCK_PROG(fp_clock_jiffies, FP_CLOCK_JIFFIES)
FP_CLOCK_PROG(fp_clock_tick, FP_CLOCK_TICK)

FP_PROG(fp_counters2)
{
	struct parsed_packet pkt;

	fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	return TC_ACT_UNSPEC;
}

FP_PROG(fp_lookup48)
{
	struct parsed_packet pkt;

	fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	fp_keep(bpf_map_lookup_elem(&fp_pc48, &pkt.key));
	return TC_ACT_UNSPEC;
}

FP_PROG(fp_lookup_v4)
{
	struct parsed_packet pkt;
	struct fp_key_v4 k;

	fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	fp_key_v4_from(&pkt.key, &k);
	fp_keep(bpf_map_lookup_elem(&fp_pc48_v4, &k));
	return TC_ACT_UNSPEC;
}

/* Per-CPU 48/48 variants: the ABI 4 core (boot clock, counters) and one change each. */
#define FP_PERCPU48_PROG(name, clock, counters)                                                    \
	FP_PROG(name)                                                                              \
	{                                                                                          \
		struct parsed_packet pkt;                                                          \
		__u64 now = fp_start(skb, &pkt, clock, counters);                                  \
		return fp_percpu48(skb, &fp_pc48, &pkt.key, &pkt, now);                            \
	}
FP_PERCPU48_PROG(fp_pc48_update, FP_CLOCK_BOOT, 1)
FP_PERCPU48_PROG(fp_pc48_nocnt, FP_CLOCK_BOOT, 0)
FP_PERCPU48_PROG(fp_pc48_coarse, FP_CLOCK_COARSE, 1)
FP_PERCPU48_PROG(fp_pc48_tick, FP_CLOCK_TICK, 1)

/* Per-CPU with the compact IPv4 key. */
FP_PROG(fp_pc48_v4_update)
{
	struct parsed_packet pkt;
	__u64 now = fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	struct fp_key_v4 k;

	fp_key_v4_from(&pkt.key, &k);
	return fp_percpu48(skb, &fp_pc48_v4, &k, &pkt, now);
}

/* Per-CPU, a 16-byte value (packets, bytes): no times, no flags. */
FP_PROG(fp_pc16_update)
{
	struct parsed_packet pkt;
	struct fp_percpu16 *s;

	fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	s = bpf_map_lookup_elem(&fp_pc16, &pkt.key);
	if (s) {
		s->packets += 1;
		s->bytes += skb->len;
	} else {
		FP_INSERT(&fp_pc16, &pkt.key, struct fp_percpu16, skb->len);
	}
	return TC_ACT_UNSPEC;
}

/* Shared 48-byte value, atomic adds; and without the global counters. */
#define FP_SHARED48_PROG(name, clock, counters)                                                    \
	FP_PROG(name)                                                                              \
	{                                                                                          \
		struct parsed_packet pkt;                                                          \
		__u64 now = fp_start(skb, &pkt, clock, counters);                                  \
		return fp_shared48(skb, &fp_sh48, &pkt.key, &pkt, now);                            \
	}
FP_SHARED48_PROG(fp_sh48_atomic, FP_CLOCK_BOOT, 1)
FP_SHARED48_PROG(fp_sh48_atomic_nocnt, FP_CLOCK_BOOT, 0)
FP_SHARED48_PROG(fp_sh48_atomic_tick, FP_CLOCK_TICK, 1)

/* Shared 48-byte value, atomic adds, compact IPv4 key. */
FP_PROG(fp_sh48_v4_atomic)
{
	struct parsed_packet pkt;
	__u64 now = fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	struct fp_key_v4 k;

	fp_key_v4_from(&pkt.key, &k);
	return fp_shared48(skb, &fp_sh48_v4, &k, &pkt, now);
}

/* Shared 48-byte value, plain adds (what two CPUs lose). */
FP_PROG(fp_sh48_plain_update)
{
	struct parsed_packet pkt;
	__u64 now = fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	struct netobs_flow_stats *s = bpf_map_lookup_elem(&fp_sh48_plain, &pkt.key);

	if (s) {
		s->packets += 1;
		s->bytes += skb->len;
		s->last_seen_ns = now;
		s->tcp_flags |= pkt.tcp_flags;
	} else {
		FP_INSERT(&fp_sh48_plain, &pkt.key, struct netobs_flow_stats, skb->len);
	}
	return TC_ACT_UNSPEC;
}

/* Shared 32-byte value, atomic adds. */
FP_PROG(fp_sh32_atomic)
{
	struct parsed_packet pkt;
	__u64 now = fp_start(skb, &pkt, FP_CLOCK_BOOT, 1);
	struct fp_shared32 *s = bpf_map_lookup_elem(&fp_sh32, &pkt.key);

	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, skb->len);
		if (s->last_seen_ns < now)
			s->last_seen_ns = now;
		fp_shared_flags(&s->tcp_flags, pkt.tcp_flags);
	} else {
		FP_INSERT(&fp_sh32, &pkt.key, struct fp_shared32, skb->len);
	}
	return TC_ACT_UNSPEC;
}

/* Not a variant: keeps parse.h's L3 parser used (-Werror, unused function). */
SEC("tc")
int fp_parse_l3(struct __sk_buff *skb)
{
	struct frame_meta meta = {.ifindex = skb->ifindex, .l3_proto = (__be16)skb->protocol};
	struct parsed_packet pkt;

	parse_frame_l3((void *)(long)skb->data, (void *)(long)skb->data_end, &meta, &pkt);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
