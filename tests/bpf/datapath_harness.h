/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Shared by the datapath tests: builds packets byte by byte, runs them
 * through the BPF programs with BPF_PROG_TEST_RUN, and reads the maps and
 * the ring buffer back. Every expected value in the tests is written by the
 * test itself; nothing here interprets packets the way the datapath does.
 */
#pragma once

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "abi.h"
#include "datapath.h"
#include "netobs.skel.h"

Suite *netobs_test_suite(void);

#define TEST_IFINDEX 1 /* lo: BPF_PROG_TEST_RUN needs a real device */
#define PKT_MAX	     4096
#define EVENTS_MAX   256

/* ---- packet builder ---------------------------------------------------- */

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
};

static inline void put_bytes(struct pkt *p, const void *data, size_t n)
{
	ck_assert_uint_le(p->len + n, sizeof(p->b));
	memcpy(p->b + p->len, data, n);
	p->len += n;
}

static inline void put_u8(struct pkt *p, uint8_t v)
{
	put_bytes(p, &v, 1);
}

static inline void put_be16(struct pkt *p, uint16_t v)
{
	uint8_t b[2] = {v >> 8, v & 0xff};

	put_bytes(p, b, 2);
}

static inline void put_be32(struct pkt *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p, v & 0xffff);
}

static inline void put_fill(struct pkt *p, uint8_t byte, size_t n)
{
	while (n--)
		put_u8(p, byte);
}

static inline void set_be16(struct pkt *p, size_t off, uint16_t v)
{
	p->b[off] = v >> 8;
	p->b[off + 1] = v & 0xff;
}

static const uint8_t MAC_DST[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t MAC_SRC[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t V4_SRC[4] = {10, 0, 0, 1};
static const uint8_t V4_DST[4] = {192, 168, 7, 42};
static const uint8_t V6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t V6_DST[16] = {0xfd, 0x00, 0xbe, 0xef, [14] = 0x12, [15] = 0x34};

static inline void put_eth(struct pkt *p, uint16_t ethertype)
{
	put_bytes(p, MAC_DST, 6);
	put_bytes(p, MAC_SRC, 6);
	put_be16(p, ethertype);
}

/* The tag after an EtherType field that announced it (0x8100/0x88a8). */
static inline void put_vlan(struct pkt *p, uint16_t vid, uint16_t next_ethertype)
{
	put_be16(p, (3 << 13) | vid); /* PCP 3: the ID must be masked out of the TCI */
	put_be16(p, next_ethertype);
}

/* IPv4 header with ihl words (options filled with a pattern that would look
 * like ports to a parser ignoring IHL); returns its offset for ipv4_finish. */
static inline size_t put_ipv4_full(struct pkt *p, uint8_t version, uint8_t ihl, uint8_t proto,
				   uint16_t frag_field)
{
	size_t off = p->len;

	put_u8(p, (version << 4) | ihl);
	put_u8(p, 0);		 /* TOS */
	put_be16(p, 0);		 /* total length: ipv4_finish */
	put_be16(p, 0x1234);	 /* ID */
	put_be16(p, frag_field); /* flags + fragment offset */
	put_u8(p, 64);		 /* TTL */
	put_u8(p, proto);
	put_be16(p, 0); /* checksum: not checked by the datapath */
	put_bytes(p, V4_SRC, 4);
	put_bytes(p, V4_DST, 4);
	if (ihl > 5)
		put_fill(p, 0x7f, (ihl - 5) * 4);
	return off;
}

static inline size_t put_ipv4(struct pkt *p, uint8_t proto)
{
	return put_ipv4_full(p, 4, 5, proto, 0x4000 /* DF */);
}

/* Set total length to "everything from the IP header on". */
static inline void ipv4_finish(struct pkt *p, size_t off)
{
	set_be16(p, off + 2, p->len - off);
}

static inline size_t put_ipv6(struct pkt *p, uint8_t nexthdr)
{
	size_t off = p->len;

	put_be32(p, 0x60000000);
	put_be16(p, 0); /* payload length: ipv6_finish */
	put_u8(p, nexthdr);
	put_u8(p, 64);
	put_bytes(p, V6_SRC, 16);
	put_bytes(p, V6_DST, 16);
	return off;
}

static inline void ipv6_finish(struct pkt *p, size_t off)
{
	set_be16(p, off + 4, p->len - off - 40);
}

/* Hop-by-Hop / Routing / Destination Options: (hdrlen + 1) * 8 bytes. */
static inline void put_ext_opts(struct pkt *p, uint8_t next, uint8_t hdrlen)
{
	put_u8(p, next);
	put_u8(p, hdrlen);
	put_fill(p, 0x01 /* PadN-ish */, (hdrlen + 1) * 8 - 2);
}

/* AH: (hdrlen + 2) * 4 bytes. */
static inline void put_ext_ah(struct pkt *p, uint8_t next, uint8_t hdrlen)
{
	put_u8(p, next);
	put_u8(p, hdrlen);
	put_fill(p, 0xa5, (hdrlen + 2) * 4 - 2);
}

/* Fragment header; offset in 8-byte units. */
static inline void put_ext_frag(struct pkt *p, uint8_t next, uint16_t offset, int more)
{
	put_u8(p, next);
	put_u8(p, 0);
	put_be16(p, (offset << 3) | (more ? 1 : 0));
	put_be32(p, 0xdeadbeef);
}

/* TCP header; doff words; flags9 = byte 13 plus NS as bit 8. */
static inline void put_tcp_full(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t flags9,
				uint8_t doff)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_be32(p, 1000); /* seq */
	put_be32(p, 2000); /* ack */
	put_u8(p, (doff << 4) | ((flags9 >> 8) & 1));
	put_u8(p, flags9 & 0xff);
	put_be16(p, 65535); /* window */
	put_be16(p, 0);	    /* checksum */
	put_be16(p, 0);	    /* urgent */
	if (doff > 5)
		put_fill(p, 0x01 /* NOP */, (doff - 5) * 4);
}

static inline void put_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t flags9)
{
	put_tcp_full(p, sport, dport, flags9, 5);
}

static inline void put_udp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t payload)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_be16(p, 8 + payload);
	put_be16(p, 0);
}

static inline void put_sctp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	put_be16(p, sport);
	put_be16(p, dport);
	put_be32(p, 0x01020304); /* verification tag */
	put_be32(p, 0);		 /* checksum */
}

static inline void put_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	put_u8(p, type);
	put_u8(p, code);
	put_be16(p, 0);		 /* checksum */
	put_be32(p, 0x00010002); /* id, seq */
}

/* The common frames: Ethernet + IPv4/IPv6 + TCP, lengths fixed up. */
static inline void build_v4_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint16_t flags9)
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_TCP);
	put_tcp(p, sport, dport, flags9);
	put_fill(p, 'x', 10);
	ipv4_finish(p, ip);
}

/* ---- expected keys --------------------------------------------------- */

static inline struct netobs_flow_key key_base(uint8_t hook, uint16_t ethertype)
{
	struct netobs_flow_key k;

	memset(&k, 0, sizeof(k));
	k.ifindex = TEST_IFINDEX;
	k.hook = hook;
	k.eth_proto = htons(ethertype);
	return k;
}

/* A frame that is not IP (family NONE) keeps the MACs put_eth() wrote. */
static inline struct netobs_flow_key key_non_ip(uint8_t hook, uint16_t ethertype)
{
	struct netobs_flow_key k = key_base(hook, ethertype);

	memcpy(k.saddr, MAC_SRC, 6);
	memcpy(k.daddr, MAC_DST, 6);
	return k;
}

static inline struct netobs_flow_key key_v4(uint8_t hook, uint8_t proto, uint16_t sport,
					    uint16_t dport)
{
	struct netobs_flow_key k = key_base(hook, ETH_P_IP);

	k.family = NETOBS_FAMILY_IPV4;
	k.proto = proto;
	memcpy(k.saddr, V4_SRC, 4);
	memcpy(k.daddr, V4_DST, 4);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static inline struct netobs_flow_key key_v6(uint8_t hook, uint8_t proto, uint16_t sport,
					    uint16_t dport)
{
	struct netobs_flow_key k = key_base(hook, ETH_P_IPV6);

	k.family = NETOBS_FAMILY_IPV6;
	k.proto = proto;
	memcpy(k.saddr, V6_SRC, 16);
	memcpy(k.daddr, V6_DST, 16);
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

static inline void key_format(const struct netobs_flow_key *k, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = k->family == NETOBS_FAMILY_IPV6 ? AF_INET6 : AF_INET;

	inet_ntop(af, k->saddr, s, sizeof(s));
	inet_ntop(af, k->daddr, d, sizeof(d));
	snprintf(buf, size,
		 "{if %u hook %u fam %u proto %u %s:%u > %s:%u eth 0x%04x vlan %u flags 0x%x}",
		 k->ifindex, k->hook, k->family, k->proto, s, ntohs(k->sport), d, ntohs(k->dport),
		 ntohs(k->eth_proto), k->vlan_id, k->key_flags);
}

/* ---- skeleton, runs, maps ------------------------------------------- */

struct flow_entry {
	struct netobs_flow_key key;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_seen_ns; /* the insert's */
	uint64_t last_seen_ns;
	uint16_t tcp_flags;
};

#define L7_EVENTS_MAX  16
#define L7_EVENT_BYTES (sizeof(struct netobs_l7_event) + NETOBS_L7_SLICE_MAX)

/* An L7 event as it came off the ring buffer: the header, then data[]. */
struct l7_capture {
	size_t size; /* bytes the ring buffer handed over */
	union {
		struct netobs_l7_event ev;
		uint8_t bytes[L7_EVENT_BYTES];
	};
};

struct harness {
	struct netobs *skel;
	struct ring_buffer *rb;
	int ncpu;
	uint64_t tick_ns; /* the datapath's clock tick (bpf/lib/clock.h) */
	struct netobs_flow_event events[EVENTS_MAX]; /* FLOW_NEW and TCP_FLAGS */
	int nevents;
	int bad_event_size; /* events whose size does not match their type */
	struct l7_capture l7[L7_EVENTS_MAX];
	int nl7;      /* L7 events not yet taken by the test (tests may reset it) */
	int l7_total; /* L7 events received since harness_reset() */
};

static struct harness H;

static inline int harness_event_cb(void *ctx, void *data, size_t size)
{
	const struct netobs_event_hdr *hdr = data;

	(void)ctx;
	if (size >= sizeof(struct netobs_l7_event) && hdr->type == NETOBS_EVENT_L7) {
		if (size > L7_EVENT_BYTES || size != hdr->len) {
			H.bad_event_size++;
			return 0;
		}
		if (H.nl7 < L7_EVENTS_MAX) {
			H.l7[H.nl7].size = size;
			memcpy(H.l7[H.nl7].bytes, data, size);
		}
		H.nl7++;
		H.l7_total++;
		return 0;
	}
	if (size != sizeof(struct netobs_flow_event)) {
		H.bad_event_size++;
		return 0;
	}
	if (H.nevents < EVENTS_MAX)
		memcpy(&H.events[H.nevents], data, size);
	H.nevents++;
	return 0;
}

/* ---- L7 settings (the .bss globals datapath_set_l7() writes) ---------- */

static inline void l7_set_port(uint16_t port, uint8_t flags)
{
	H.skel->bss->netobs_l7_port_flags[port] = flags;
}

static inline void l7_clear_ports(void)
{
	memset(H.skel->bss->netobs_l7_port_flags, 0, NETOBS_L7_PORTS);
}

static inline void l7_set_config(uint32_t flags)
{
	H.skel->bss->netobs_l7_config = flags;
}

/* Open and load; flow_entries / ringbuf_bytes of 0 keep the defaults. */
static inline void harness_start_sized(uint32_t flow_entries, uint32_t ringbuf_bytes)
{
	int err;

	memset(&H, 0, sizeof(H));
	H.ncpu = libbpf_num_possible_cpus();
	ck_assert_int_gt(H.ncpu, 0);
	H.skel = netobs__open();
	ck_assert_msg(H.skel, "netobs__open: %s", strerror(errno));
	if (flow_entries)
		ck_assert_int_eq(bpf_map__set_max_entries(H.skel->maps.flows, flow_entries), 0);
	if (ringbuf_bytes)
		ck_assert_int_eq(bpf_map__set_max_entries(H.skel->maps.events, ringbuf_bytes), 0);
	/* The per-packet clock as the agent sets it (datapath_open()). */
	H.tick_ns = datapath_clock_tick_ns();
	ck_assert_uint_gt(H.tick_ns, 0);
	H.skel->rodata->netobs_tick_ns = H.tick_ns;
	err = netobs__load(H.skel);
	ck_assert_msg(!err, "netobs__load: %d (root needed; see verifier log above)", err);
	H.rb = ring_buffer__new(bpf_map__fd(H.skel->maps.events), harness_event_cb, NULL, NULL);
	ck_assert_msg(H.rb, "ring_buffer__new: %s", strerror(errno));
}

static inline void harness_start(void)
{
	harness_start_sized(0, 0);
}

static inline void harness_stop(void)
{
	ring_buffer__free(H.rb);
	netobs__destroy(H.skel);
	memset(&H, 0, sizeof(H));
}

static inline int harness_consume_events(void)
{
	int n = ring_buffer__consume(H.rb);

	ck_assert_int_ge(n, 0);
	return n;
}

/* Delete every entry of a map whose keys are at most 64 bytes. */
static inline void map_empty(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	uint8_t key[64];

	ck_assert_uint_le(bpf_map__key_size(map), sizeof(key));
	while (!bpf_map_get_next_key(fd, NULL, key))
		ck_assert_int_eq(bpf_map_delete_elem(fd, key), 0);
}

/* Empty the flow map, the counters, the ring buffer and the policy between cases. */
static inline void harness_reset(void)
{
	uint64_t zeros[H.ncpu];
	uint32_t i;

	map_empty(H.skel->maps.flows);
	H.skel->bss->netobs_policy_gen = 0;
	map_empty(H.skel->maps.policy_endpoints);
	map_empty(H.skel->maps.policy_ipcache);
	map_empty(H.skel->maps.policy_rules);
	map_empty(H.skel->maps.policy_conns);
	memset(zeros, 0, sizeof(zeros));
	for (i = 0; i < NETOBS_CNT__MAX; i++)
		ck_assert_int_eq(
			bpf_map_update_elem(bpf_map__fd(H.skel->maps.counters), &i, zeros, 0), 0);
	harness_consume_events();
	H.nevents = 0;
	H.bad_event_size = 0;
	H.nl7 = 0;
	H.l7_total = 0;
	/* Back to the state after load: no DNS port, HTTP on any port. All
	 * ports, not just the ones this process set: check runs each test in
	 * a child, so what the last test set is not in our memory. */
	l7_set_config(0);
	l7_clear_ports();
}

/* TC run of the same skb `repeat` times; gso_segs/gso_size 0 for an ordinary skb. */
static inline void run_tc_repeat(struct bpf_program *prog, const struct pkt *p, uint32_t gso_segs,
				 uint32_t gso_size, uint32_t repeat)
{
	struct __sk_buff ctx = {
		.ifindex = TEST_IFINDEX,
		.gso_segs = gso_segs,
		.gso_size = gso_size,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	ck_assert_msg(!err, "test_run tc (len %zu): %s", p->len, strerror(errno));
	ck_assert_int_eq((int)opts.retval, TC_ACT_UNSPEC);
}

/* One TC run on a given interface; returns the program's action. */
static inline int run_tc_action(struct bpf_program *prog, const struct pkt *p, uint32_t ifindex,
				uint32_t repeat)
{
	struct __sk_buff ctx = {
		.ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	ck_assert_msg(!err, "test_run tc (len %zu): %s", p->len, strerror(errno));
	return (int)opts.retval;
}

static inline void run_tc_prog(struct bpf_program *prog, const struct pkt *p, uint32_t gso_segs,
			       uint32_t gso_size)
{
	run_tc_repeat(prog, p, gso_segs, gso_size, 1);
}

static inline void run_tc(const struct pkt *p)
{
	run_tc_prog(H.skel->progs.netobs_tc_ingress, p, 0, 0);
}

/* XDP run. BPF_PROG_TEST_RUN refuses frames under ETH_HLEN bytes (metadata
 * in front does not count); test_parse_native.c covers those. */
static inline void run_xdp(const struct pkt *p)
{
	struct xdp_md ctx = {
		.data_end = p->len,
		.ingress_ifindex = TEST_IFINDEX,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	int err = bpf_prog_test_run_opts(bpf_program__fd(H.skel->progs.netobs_xdp), &opts);

	ck_assert_msg(!err, "test_run xdp (len %zu): %s", p->len, strerror(errno));
	ck_assert_int_eq((int)opts.retval, XDP_PASS);
}

/*
 * Whether BPF_PROG_TEST_RUN takes this frame for a TC program: besides
 * ETH_HLEN, Linux 6.18 wants the whole IPv4 or IPv6 header when the
 * EtherType announces one (measured on this kernel).
 */
static inline int tc_test_run_accepts(const struct pkt *p)
{
	uint16_t type;

	if (p->len < ETH_HLEN)
		return 0;
	type = (p->b[12] << 8) | p->b[13];
	if (type == ETH_P_IP)
		return p->len >= ETH_HLEN + 20;
	if (type == ETH_P_IPV6)
		return p->len >= ETH_HLEN + 40;
	return 1;
}

/* All flows (one value per flow, shared by all CPUs), as the agent reads them. */
static inline int flows_read(struct flow_entry *out, int max)
{
	int fd = bpf_map__fd(H.skel->maps.flows);
	struct netobs_flow_key key, next;
	struct netobs_flow_key *prev = NULL;
	struct netobs_flow_stats v;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		struct flow_entry *e = &out[n];

		key = next;
		prev = &key;
		ck_assert_int_lt(n, max);
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &key, &v), 0);
		memset(e, 0, sizeof(*e));
		e->key = key;
		e->packets = v.packets;
		e->bytes = v.bytes;
		e->tcp_flags = v.tcp_flags;
		e->first_seen_ns = v.first_seen_ns;
		e->last_seen_ns = v.last_seen_ns;
		ck_assert_uint_le(v.first_seen_ns, v.last_seen_ns);
		ck_assert_uint_eq(v.verdict, 0);
		ck_assert_uint_eq(v.policy_gen, 0);
		n++;
	}
	return n;
}

static inline void counters_read(uint64_t out[NETOBS_CNT__MAX])
{
	int fd = bpf_map__fd(H.skel->maps.counters);
	uint64_t values[H.ncpu];
	uint32_t i;
	int cpu;

	for (i = 0; i < NETOBS_CNT__MAX; i++) {
		ck_assert_int_eq(bpf_map_lookup_elem(fd, &i, values), 0);
		out[i] = 0;
		for (cpu = 0; cpu < H.ncpu; cpu++)
			out[i] += values[cpu];
	}
}

/* Every counter equals want[] exactly (unlisted ones must be 0). */
static inline void expect_counters(const uint64_t want[NETOBS_CNT__MAX])
{
	uint64_t got[NETOBS_CNT__MAX];
	int i;

	counters_read(got);
	for (i = 0; i < NETOBS_CNT__MAX; i++)
		ck_assert_msg(got[i] == want[i], "counter %d: got %llu, want %llu", i,
			      (unsigned long long)got[i], (unsigned long long)want[i]);
}

/* The map holds exactly one flow, with this key and these totals. */
static inline struct flow_entry expect_one_flow(const struct netobs_flow_key *want,
						uint64_t packets, uint64_t bytes)
{
	struct flow_entry got[8];
	char gs[200], ws[200];
	int n = flows_read(got, 8);

	ck_assert_int_eq(n, 1);
	key_format(&got[0].key, gs, sizeof(gs));
	key_format(want, ws, sizeof(ws));
	ck_assert_msg(!memcmp(&got[0].key, want, sizeof(*want)), "key %s, want %s", gs, ws);
	ck_assert_uint_eq(got[0].packets, packets);
	ck_assert_uint_eq(got[0].bytes, bytes);
	ck_assert_uint_ne(got[0].first_seen_ns, 0);
	ck_assert_uint_ge(got[0].last_seen_ns, got[0].first_seen_ns);
	return got[0];
}

/* Counters a single new-flow packet must produce, plus extra ones set to 1. */
static inline void expect_single_packet_counters(uint64_t bytes, const int *extra, int nextra)
{
	uint64_t want[NETOBS_CNT__MAX] = {0};
	int i;

	want[NETOBS_CNT_PACKETS] = 1;
	want[NETOBS_CNT_BYTES] = bytes;
	want[NETOBS_CNT_EVENTS] = 1;
	for (i = 0; i < nextra; i++)
		want[extra[i]] = 1;
	expect_counters(want);
}

/*
 * Fresh maps, one packet through hook, then: exactly one flow with key
 * want, 1 packet, p->len bytes, the given tcp_flags, exactly the counters
 * PACKETS/BYTES/EVENTS + extra, and one FLOW_NEW event carrying the key.
 */
static inline void check_packet(uint8_t hook, const struct pkt *p,
				const struct netobs_flow_key *want, uint16_t tcp_flags,
				const int *extra, int nextra)
{
	struct flow_entry got;

	harness_reset();
	if (hook == NETOBS_HOOK_XDP)
		run_xdp(p);
	else
		run_tc_prog(hook == NETOBS_HOOK_TC_EGRESS ? H.skel->progs.netobs_tc_egress
							  : H.skel->progs.netobs_tc_ingress,
			    p, 0, 0);
	got = expect_one_flow(want, 1, p->len);
	ck_assert_uint_eq(got.tcp_flags, tcp_flags);
	expect_single_packet_counters(p->len, extra, nextra);
	harness_consume_events();
	ck_assert_int_eq(H.bad_event_size, 0);
	ck_assert_int_eq(H.nevents, 1);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	ck_assert(!memcmp(&H.events[0].key, want, sizeof(*want)));
	ck_assert_uint_eq(H.events[0].tcp_flags, tcp_flags);
}

#define CHECK_TC(p, want, flags, ...)                                                              \
	do {                                                                                       \
		const int extra_[] = {-1, ##__VA_ARGS__};                                          \
		check_packet(NETOBS_HOOK_TC_INGRESS, p, want, flags, extra_ + 1,                   \
			     (int)(sizeof(extra_) / sizeof(extra_[0])) - 1);                       \
	} while (0)

#define CHECK_XDP(p, want, flags, ...)                                                             \
	do {                                                                                       \
		const int extra_[] = {-1, ##__VA_ARGS__};                                          \
		check_packet(NETOBS_HOOK_XDP, p, want, flags, extra_ + 1,                          \
			     (int)(sizeof(extra_) / sizeof(extra_[0])) - 1);                       \
	} while (0)
