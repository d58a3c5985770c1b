// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Variants of the per-packet fast path, for bench/bench_fastpath.c: each
 * program adds one piece (parse, a clock, the global counters, a lookup, an
 * update) or swaps one for an alternative (a compact IPv4 key, a value
 * shared by all CPUs with atomic adds, a smaller value), so the bench can
 * say what each piece costs on the same packet. Built from the datapath's
 * own parser (bpf/lib/parse.h); never loaded by the agent.
 *
 * Built with -mcpu=v3 (bench/CMakeLists.txt): the atomic fetch-or of the
 * shared layouts needs BPF atomics (v3, Linux 5.12). The datapath object
 * is built without -mcpu (clang 14: generic, v1), which has only the
 * atomic add whose result is unused (BPF_XADD).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/clock.h"
#include "lib/parse.h"

#define FP_MAP_ENTRIES 65536
#define FP_EVENT_FLAGS (NETOBS_TCP_SYN | NETOBS_TCP_FIN | NETOBS_TCP_RST)

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

/*
 * A value shared by all CPUs: packets and bytes by atomic add, TCP flags
 * by atomic fetch-or (its old value says whether a flag is new to the
 * flow), the policy verdict packed into one word (one store writes it
 * whole), first_seen written once at the insert.
 */
struct fp_shared48 {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen_ns;
	__u64 last_seen_ns;
	__u64 verdict_word; /* gen << 32 | policy_id << 16 | match << 8 | verdict */
	__u32 tcp_flags;
	__u32 l7_budget;
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

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} fp_counters SEC(".maps");

/* Per-CPU, 48-byte key and value: the datapath's layout today. */
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
	__type(value, struct fp_shared48);
} fp_sh48 SEC(".maps");

/* Shared 48-byte value, plain adds: loses counts under contention. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FP_MAP_ENTRIES);
	__type(key, struct netobs_flow_key);
	__type(value, struct fp_shared48);
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
	__type(value, struct fp_shared48);
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

static __always_inline void fp_count(__u32 idx, __u64 v)
{
	__u64 *slot = bpf_map_lookup_elem(&fp_counters, &idx);

	if (slot)
		*slot += v;
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

/* The datapath's per-CPU update (lib/flow.h flow_stats_add() without the
 * verdict and the event). */
static __always_inline void fp_percpu_add(struct netobs_flow_stats *s,
					  const struct parsed_packet *pkt, __u64 bytes, __u64 now)
{
	__u16 new_flags;

	s->packets += 1;
	s->bytes += bytes;
	if (!s->first_seen_ns)
		s->first_seen_ns = now;
	s->last_seen_ns = now;
	new_flags = pkt->tcp_flags & ~s->tcp_flags;
	s->tcp_flags |= pkt->tcp_flags;
	if (new_flags & FP_EVENT_FLAGS)
		fp_flag_events++;
}

static __always_inline void fp_shared_flags(__u32 *flags, __u16 pkt_flags)
{
	/* Read first: the locked or only when the packet brings a new flag
	 * (once per flag and flow), not on every ACK. */
	if (pkt_flags & ~*(volatile __u32 *)flags) {
		__u32 old = __sync_fetch_and_or(flags, (__u32)pkt_flags);

		if (pkt_flags & ~old & FP_EVENT_FLAGS)
			__sync_fetch_and_add(&fp_flag_events, 1);
	}
}

static __always_inline void
fp_shared48_atomic(struct fp_shared48 *s, const struct parsed_packet *pkt, __u64 bytes, __u64 now)
{
	__sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	/* A plain store: another CPU's slightly older time may win, which
	 * the agent's max over harvests absorbs; first_seen is the insert's. */
	if (s->last_seen_ns < now)
		s->last_seen_ns = now;
	fp_shared_flags(&s->tcp_flags, pkt->tcp_flags);
}

#define FP_INSERT(map, key, val_type, bytes_, now_)                                                \
	({                                                                                         \
		val_type fresh;                                                                    \
		__builtin_memset(&fresh, 0, sizeof(fresh));                                        \
		fresh.packets = 1;                                                                 \
		fresh.bytes = (bytes_);                                                            \
		bpf_map_update_elem(&(map), (key), &fresh, BPF_NOEXIST);                           \
	})

SEC("tc")
int fp_parse_only(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_clock_boot(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_boot_ns());
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_clock_mono(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_ns());
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_clock_coarse(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_coarse_ns());
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_clock_jiffies(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_jiffies64());
	return TC_ACT_UNSPEC;
}

/* The datapath's clock (lib/clock.h): jiffies x tick + offset. */
SEC("tc")
int fp_clock_tick(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(netobs_now_ns());
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_counters2(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_boot_ns());
	fp_count(0, 1);
	fp_count(1, skb->len);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_lookup48(struct __sk_buff *skb)
{
	struct parsed_packet pkt;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_boot_ns());
	fp_count(0, 1);
	fp_count(1, skb->len);
	fp_keep(bpf_map_lookup_elem(&fp_pc48, &pkt.key));
	return TC_ACT_UNSPEC;
}

SEC("tc")
int fp_lookup_v4(struct __sk_buff *skb)
{
	struct parsed_packet pkt;
	struct fp_key_v4 k;

	fp_parse(skb, &pkt);
	fp_keep(bpf_ktime_get_boot_ns());
	fp_count(0, 1);
	fp_count(1, skb->len);
	fp_key_v4_from(&pkt.key, &k);
	fp_keep(bpf_map_lookup_elem(&fp_pc48_v4, &k));
	return TC_ACT_UNSPEC;
}

/* Today's core: parse, boot clock, 2 counters, per-CPU 48/48 in-place update. */
SEC("tc")
int fp_pc48_update(struct __sk_buff *skb)
{
	struct netobs_flow_stats *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_pc48, &pkt.key);
	if (s)
		fp_percpu_add(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_pc48, &pkt.key, struct netobs_flow_stats, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* The same without the two global counters. */
SEC("tc")
int fp_pc48_nocnt(struct __sk_buff *skb)
{
	struct netobs_flow_stats *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	s = bpf_map_lookup_elem(&fp_pc48, &pkt.key);
	if (s)
		fp_percpu_add(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_pc48, &pkt.key, struct netobs_flow_stats, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* Today's core with the coarse clock. */
SEC("tc")
int fp_pc48_coarse(struct __sk_buff *skb)
{
	struct netobs_flow_stats *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_coarse_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_pc48, &pkt.key);
	if (s)
		fp_percpu_add(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_pc48, &pkt.key, struct netobs_flow_stats, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* Today's core with the datapath's tick clock. */
SEC("tc")
int fp_pc48_tick(struct __sk_buff *skb)
{
	struct netobs_flow_stats *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = netobs_now_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_pc48, &pkt.key);
	if (s)
		fp_percpu_add(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_pc48, &pkt.key, struct netobs_flow_stats, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* Per-CPU with the compact IPv4 key. */
SEC("tc")
int fp_pc48_v4_update(struct __sk_buff *skb)
{
	struct netobs_flow_stats *s;
	struct parsed_packet pkt;
	struct fp_key_v4 k;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	fp_key_v4_from(&pkt.key, &k);
	s = bpf_map_lookup_elem(&fp_pc48_v4, &k);
	if (s)
		fp_percpu_add(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_pc48_v4, &k, struct netobs_flow_stats, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* Per-CPU, a 16-byte value (packets, bytes): no times, no flags. */
SEC("tc")
int fp_pc16_update(struct __sk_buff *skb)
{
	struct fp_percpu16 *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_keep(now);
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_pc16, &pkt.key);
	if (s) {
		s->packets += 1;
		s->bytes += skb->len;
	} else {
		FP_INSERT(fp_pc16, &pkt.key, struct fp_percpu16, skb->len, now);
	}
	return TC_ACT_UNSPEC;
}

/* Shared 48-byte value, atomic adds. */
SEC("tc")
int fp_sh48_atomic(struct __sk_buff *skb)
{
	struct fp_shared48 *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_sh48, &pkt.key);
	if (s)
		fp_shared48_atomic(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_sh48, &pkt.key, struct fp_shared48, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* The same, no global counters: the shared design's fast path. */
SEC("tc")
int fp_sh48_atomic_nocnt(struct __sk_buff *skb)
{
	struct fp_shared48 *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	s = bpf_map_lookup_elem(&fp_sh48, &pkt.key);
	if (s)
		fp_shared48_atomic(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_sh48, &pkt.key, struct fp_shared48, skb->len, now);
	return TC_ACT_UNSPEC;
}

/* Shared 48-byte value, plain adds (what two CPUs lose). */
SEC("tc")
int fp_sh48_plain_update(struct __sk_buff *skb)
{
	struct fp_shared48 *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_sh48_plain, &pkt.key);
	if (s) {
		s->packets += 1;
		s->bytes += skb->len;
		s->last_seen_ns = now;
		s->tcp_flags |= pkt.tcp_flags;
	} else {
		FP_INSERT(fp_sh48_plain, &pkt.key, struct fp_shared48, skb->len, now);
	}
	return TC_ACT_UNSPEC;
}

/* Shared 32-byte value, atomic adds. */
SEC("tc")
int fp_sh32_atomic(struct __sk_buff *skb)
{
	struct fp_shared32 *s;
	struct parsed_packet pkt;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	s = bpf_map_lookup_elem(&fp_sh32, &pkt.key);
	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, skb->len);
		if (s->last_seen_ns < now)
			s->last_seen_ns = now;
		fp_shared_flags(&s->tcp_flags, pkt.tcp_flags);
	} else {
		FP_INSERT(fp_sh32, &pkt.key, struct fp_shared32, skb->len, now);
	}
	return TC_ACT_UNSPEC;
}

/* Shared 48-byte value, atomic adds, compact IPv4 key. */
SEC("tc")
int fp_sh48_v4_atomic(struct __sk_buff *skb)
{
	struct fp_shared48 *s;
	struct parsed_packet pkt;
	struct fp_key_v4 k;
	__u64 now;

	fp_parse(skb, &pkt);
	now = bpf_ktime_get_boot_ns();
	fp_count(0, 1);
	fp_count(1, skb->len);
	fp_key_v4_from(&pkt.key, &k);
	s = bpf_map_lookup_elem(&fp_sh48_v4, &k);
	if (s)
		fp_shared48_atomic(s, &pkt, skb->len, now);
	else
		FP_INSERT(fp_sh48_v4, &k, struct fp_shared48, skb->len, now);
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
