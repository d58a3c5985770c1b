// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Datapath edge cases: truncation at every header boundary, malformed
 * headers, GSO accounting, a full flow map, a full ring buffer, and the
 * invariant that every packet lands in exactly one flow.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "datapath_harness.h"

#define TC  NETOBS_HOOK_TC_INGRESS
#define XDP NETOBS_HOOK_XDP

/* One load per test case group (verification takes ~0.1 s per program);
 * every test starts from empty maps. */
static void group_setup(void)
{
	harness_start();
}

static void group_teardown(void)
{
	harness_stop();
}

static void harness_restart_default(void)
{
	harness_stop();
	harness_start();
}

static void test_setup(void)
{
	harness_reset();
}

/* ---- truncation -------------------------------------------------------- */

/*
 * Run the first cut bytes of full through XDP and (when the kernel's test
 * run accepts the length) TC ingress; each must give one flow with want's
 * fields, the TRUNCATED flag and counter, and 1 packet of cut bytes.
 * Frames under 14 bytes never reach the programs through test_run: the
 * Ethernet cuts are in test_parse_native.c.
 */
static void check_cut(const struct pkt *full, size_t cut, struct netobs_flow_key want)
{
	const int extra[] = {NETOBS_CNT_TRUNCATED};
	struct pkt p;

	ck_assert_uint_lt(cut, full->len);
	memcpy(p.b, full->b, cut);
	p.len = cut;
	want.key_flags = NETOBS_KEY_F_TRUNCATED;
	want.hook = XDP;
	check_packet(XDP, &p, &want, 0, extra, 1);
	if (tc_test_run_accepts(&p)) {
		want.hook = TC;
		check_packet(TC, &p, &want, 0, extra, 1);
	}
}

/* Every cut in [from, to) gives the same key. */
static void check_cuts(const struct pkt *full, size_t from, size_t to,
		       const struct netobs_flow_key *want)
{
	size_t cut;

	for (cut = from; cut < to; cut++)
		check_cut(full, cut, *want);
}

START_TEST(test_truncated_vlan)
{
	struct netobs_flow_key want = key_non_ip(XDP, ETH_P_8021AD);
	struct pkt full = {.len = 0};

	put_eth(&full, ETH_P_8021AD);
	put_vlan(&full, 11, ETH_P_8021Q);
	put_vlan(&full, 12, ETH_P_IP);
	put_ipv4(&full, IPPROTO_UDP);
	/* inside the first tag: no ID yet, eth_proto = the outer TPID */
	check_cuts(&full, 14, 18, &want);
	/* inside the second tag: the first tag's ID and the inner TPID */
	want.vlan_id = 11;
	want.eth_proto = htons(ETH_P_8021Q);
	check_cuts(&full, 18, 22, &want);
}
END_TEST

/* Cut anywhere in the IPv4 header, its options included: family 4 only. */
START_TEST(test_truncated_ipv4)
{
	struct netobs_flow_key want = key_base(XDP, ETH_P_IP);
	struct pkt full = {.len = 0};
	size_t ip;

	want.family = NETOBS_FAMILY_IPV4;
	put_eth(&full, ETH_P_IP);
	ip = put_ipv4_full(&full, 4, 9, IPPROTO_UDP, 0); /* 16 bytes of options */
	put_udp(&full, 1, 2, 0);
	ipv4_finish(&full, ip);
	check_cuts(&full, 14, 14 + 36, &want);
}
END_TEST

/* Build Ethernet + IPv4 + an L4 header of proto; return the L4 offset. */
static size_t build_v4_l4(struct pkt *p, uint8_t proto)
{
	size_t ip, l4;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, proto);
	l4 = p->len;
	switch (proto) {
	case IPPROTO_TCP:
		put_tcp_full(p, 1000, 2000, NETOBS_TCP_SYN, 8); /* 12 bytes of options */
		break;
	case IPPROTO_UDP:
		put_udp(p, 1000, 2000, 0);
		break;
	case IPPROTO_SCTP:
		put_sctp(p, 1000, 2000);
		break;
	default:
		put_icmp(p, 8, 0);
		break;
	}
	put_fill(p, 'z', 4);
	ipv4_finish(p, ip);
	return l4;
}

/* L4 header cut (TCP options included): addresses and proto, ports 0. */
static const uint8_t l4_protos[] = {IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP};

START_TEST(test_truncated_l4)
{
	uint8_t proto = l4_protos[_i];
	struct netobs_flow_key want = key_v4(XDP, proto, 0, 0);
	struct pkt full;
	size_t l4 = build_v4_l4(&full, proto);

	/* the test's own header sizes: the full length minus 4 payload bytes */
	check_cuts(&full, l4, full.len - 4, &want);
}
END_TEST

/* ---- the IP length bounds the L4 parse ------------------------------- */

/* p, whole in the frame, at XDP and TC: want's key with TRUNCATED (or, with
 * flagged 0, want as is) and its TCP flags. */
static void check_whole_frame(const struct pkt *p, struct netobs_flow_key want, int flagged,
			      uint16_t tcp_flags)
{
	const int extra[] = {NETOBS_CNT_TRUNCATED};

	if (flagged)
		want.key_flags = NETOBS_KEY_F_TRUNCATED;
	want.hook = XDP;
	check_packet(XDP, p, &want, tcp_flags, extra, flagged);
	want.hook = TC;
	check_packet(TC, p, &want, tcp_flags, extra, flagged);
}

/*
 * The frame holds the whole L4 header, but the IPv4 total length ends the
 * datagram inside it: what follows is link-layer padding, whatever it looks
 * like. Every such length gives ports 0 and TRUNCATED; a length that takes
 * the whole header in gives the ports.
 */
START_TEST(test_ipv4_len_ends_in_l4)
{
	uint8_t proto = l4_protos[_i];
	struct netobs_flow_key want = key_v4(XDP, proto, 0, 0);
	struct netobs_flow_key full_key = key_v4(XDP, proto, 1000, 2000);
	uint16_t flags = proto == IPPROTO_TCP ? NETOBS_TCP_SYN : 0;
	struct pkt p;
	size_t l4 = build_v4_l4(&p, proto), hdr_end = p.len - 4, end;

	if (proto == IPPROTO_ICMP) {
		full_key.icmp_type = 8;
		full_key.icmp_code = 0;
		full_key.icmp_pad = 0;
	}
	for (end = l4; end < hdr_end; end++) {
		set_be16(&p, ETH_HLEN + 2, end - ETH_HLEN);
		check_whole_frame(&p, want, 1, 0);
	}
	set_be16(&p, ETH_HLEN + 2, hdr_end - ETH_HLEN);
	check_whole_frame(&p, full_key, 0, flags);
}
END_TEST

/* The classic case: a 20-byte IPv4 datagram (no L4 header at all) padded to
 * the 60-byte Ethernet minimum with bytes that would read as UDP ports. */
START_TEST(test_ipv4_ethernet_padding)
{
	struct netobs_flow_key want = key_v4(XDP, IPPROTO_UDP, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	ipv4_finish(&p, ip);
	put_udp(&p, 53, 53, 0);
	put_fill(&p, 0x35, 60 - p.len);
	ck_assert_uint_eq(p.len, 60);
	check_whole_frame(&p, want, 1, 0);
}
END_TEST

/* IPv6: a payload length that ends inside the UDP header or inside an
 * extension header bounds the walk; 0 (jumbogram, BIG TCP) does not. */
START_TEST(test_ipv6_len_bounds)
{
	struct netobs_flow_key want = key_v6(XDP, IPPROTO_UDP, 0, 0);
	struct netobs_flow_key full_key = key_v6(XDP, IPPROTO_UDP, 53, 5353);
	struct pkt p = {.len = 0};
	size_t ip, payload;

	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_DSTOPTS);
	put_ext_opts(&p, IPPROTO_UDP, 1); /* 16 bytes */
	put_udp(&p, 53, 5353, 0);
	put_fill(&p, 'p', 6);
	for (payload = 16; payload < 24; payload++) {
		set_be16(&p, ip + 4, payload);
		check_whole_frame(&p, want, 1, 0);
	}
	set_be16(&p, ip + 4, 24);
	check_whole_frame(&p, full_key, 0, 0);
	set_be16(&p, ip + 4, 0);
	check_whole_frame(&p, full_key, 0, 0);
	/* ends inside the Destination Options header: proto stays its type */
	want.proto = IPPROTO_DSTOPTS;
	for (payload = 1; payload < 16; payload++) {
		set_be16(&p, ip + 4, payload);
		check_whole_frame(&p, want, 1, 0);
	}
}
END_TEST

START_TEST(test_truncated_ipv6)
{
	struct netobs_flow_key want = key_base(XDP, ETH_P_IPV6);
	struct pkt full = {.len = 0};
	size_t ip;

	want.family = NETOBS_FAMILY_IPV6;
	put_eth(&full, ETH_P_IPV6);
	ip = put_ipv6(&full, IPPROTO_TCP);
	put_tcp(&full, 1, 2, 0);
	ipv6_finish(&full, ip);
	check_cuts(&full, 14, 14 + 40, &want);
	/* L4 cut after a complete IPv6 header */
	want = key_v6(XDP, IPPROTO_TCP, 0, 0);
	check_cuts(&full, 14 + 40, 14 + 40 + 20, &want);
}
END_TEST

/* A cut inside an extension header keeps that header's type as proto. */
START_TEST(test_truncated_exthdrs)
{
	struct netobs_flow_key want = key_v6(XDP, 0, 0, 0);
	struct pkt full = {.len = 0};
	size_t ip, start;

	put_eth(&full, ETH_P_IPV6);
	ip = put_ipv6(&full, IPPROTO_HOPOPTS);
	start = full.len;
	put_ext_opts(&full, IPPROTO_ROUTING, 1); /* 16 bytes */
	want.proto = IPPROTO_HOPOPTS;
	check_cuts(&full, start, full.len, &want);

	start = full.len;
	put_ext_opts(&full, IPPROTO_FRAGMENT, 2); /* 24 bytes */
	want.proto = IPPROTO_ROUTING;
	check_cuts(&full, start, full.len, &want);

	start = full.len;
	put_ext_frag(&full, IPPROTO_AH, 0, 1); /* 8 bytes */
	want.proto = IPPROTO_FRAGMENT;
	check_cuts(&full, start, full.len, &want);

	start = full.len;
	put_ext_ah(&full, IPPROTO_DSTOPTS, 4); /* 24 bytes */
	want.proto = IPPROTO_AH;
	check_cuts(&full, start, full.len, &want);

	start = full.len;
	put_ext_opts(&full, IPPROTO_UDP, 0); /* 8 bytes */
	want.proto = IPPROTO_DSTOPTS;
	check_cuts(&full, start, full.len, &want);

	start = full.len;
	put_udp(&full, 53, 53, 0);
	put_fill(&full, 0, 1);
	ipv6_finish(&full, ip);
	want.proto = IPPROTO_UDP;
	check_cuts(&full, start, start + 8, &want);
}
END_TEST

/* ---- malformed ---------------------------------------------------------- */

static void check_malformed(const struct pkt *p, const struct netobs_flow_key *want)
{
	struct netobs_flow_key k = *want;

	k.key_flags = NETOBS_KEY_F_MALFORMED;
	CHECK_TC(p, &k, 0, NETOBS_CNT_MALFORMED);
}

/* IHL 0..4: below the minimum header; the header contributes nothing. */
START_TEST(test_malformed_ihl)
{
	struct netobs_flow_key want = key_base(TC, ETH_P_IP);
	struct pkt p = {.len = 0};

	want.family = NETOBS_FAMILY_IPV4;
	put_eth(&p, ETH_P_IP);
	put_ipv4_full(&p, 4, _i, IPPROTO_TCP, 0);
	set_be16(&p, 14 + 2, 40);
	put_tcp(&p, 1, 2, NETOBS_TCP_SYN);
	check_malformed(&p, &want);
}
END_TEST

static const uint8_t bad_versions[] = {0, 5, 6, 15};

START_TEST(test_malformed_ipv4_version)
{
	struct netobs_flow_key want = key_base(TC, ETH_P_IP);
	struct pkt p = {.len = 0};
	size_t ip;

	want.family = NETOBS_FAMILY_IPV4;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, bad_versions[_i], 5, IPPROTO_TCP, 0);
	put_tcp(&p, 1, 2, NETOBS_TCP_SYN);
	ipv4_finish(&p, ip);
	check_malformed(&p, &want);
}
END_TEST

START_TEST(test_malformed_ipv6_version)
{
	struct netobs_flow_key want = key_base(TC, ETH_P_IPV6);
	struct pkt p = {.len = 0};
	size_t ip;

	want.family = NETOBS_FAMILY_IPV6;
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_UDP);
	p.b[ip] = 0x40; /* version 4 in an IPv6 frame */
	put_udp(&p, 1, 2, 0);
	ipv6_finish(&p, ip);
	check_malformed(&p, &want);
}
END_TEST

/* Total length shorter than the header (0 included, not a GSO skb). */
static const uint16_t bad_tot_lens[] = {0, 19, 20 /* < IHL 6 * 4 */};

START_TEST(test_malformed_tot_len)
{
	struct netobs_flow_key want = key_base(TC, ETH_P_IP);
	struct pkt p = {.len = 0};

	want.family = NETOBS_FAMILY_IPV4;
	put_eth(&p, ETH_P_IP);
	put_ipv4_full(&p, 4, 6, IPPROTO_UDP, 0);
	set_be16(&p, 14 + 2, bad_tot_lens[_i]);
	put_udp(&p, 1, 2, 0);
	check_malformed(&p, &want);
}
END_TEST

/* TCP data offset below 5: proto and addresses kept, no ports or flags. */
START_TEST(test_malformed_tcp_doff)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_TCP);
	put_tcp_full(&p, 1, 2, NETOBS_TCP_SYN, _i);
	ipv4_finish(&p, ip);
	check_malformed(&p, &want);
}
END_TEST

/* ---- GSO -------------------------------------------------------------- */

/*
 * One skb with these gso_segs/gso_size that stands for segs wire packets:
 * packets = segs, bytes = len + (segs - 1) * headers, headers being what the
 * test wrote before the payload.
 */
static void check_gso_ctx(const struct pkt *p, size_t headers, uint32_t gso_segs, uint32_t gso_size,
			  uint32_t segs, const struct netobs_flow_key *want, uint16_t flags)
{
	uint64_t counters[NETOBS_CNT__MAX] = {0};
	uint64_t bytes = p->len + (uint64_t)(segs - 1) * headers;
	struct flow_entry flow;

	harness_reset();
	run_tc_prog(H.skel->progs.netobs_tc_egress, p, gso_segs, gso_size);
	flow = expect_one_flow(want, segs, bytes);
	ck_assert_uint_eq(flow.tcp_flags, flags);
	counters[NETOBS_CNT_PACKETS] = segs;
	counters[NETOBS_CNT_BYTES] = bytes;
	counters[NETOBS_CNT_EVENTS] = 1;
	expect_counters(counters);
	harness_consume_events();
	ck_assert_int_eq(H.nevents, 1);
	ck_assert_uint_eq(H.events[0].packets, segs);
	ck_assert_uint_eq(H.events[0].bytes, bytes);
}

static void check_gso(const struct pkt *p, size_t headers, uint32_t segs, uint32_t seg_size,
		      const struct netobs_flow_key *want, uint16_t flags)
{
	check_gso_ctx(p, headers, segs, seg_size, segs, want, flags);
}

/* gso_segs 0 with a gso_size: the segments the test's payload makes. */
static void check_gso_uncounted(const struct pkt *p, size_t headers, uint32_t gso_size,
				const struct netobs_flow_key *want, uint16_t flags)
{
	uint32_t segs = (p->len - headers + gso_size - 1) / gso_size;

	check_gso_ctx(p, headers, 0, gso_size, segs, want, flags);
}

START_TEST(test_gso_ipv4_tcp)
{
	struct netobs_flow_key want = key_v4(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 5001, 33000);
	struct pkt p = {.len = 0};
	size_t ip, headers;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_TCP);
	put_tcp_full(&p, 5001, 33000, NETOBS_TCP_ACK | NETOBS_TCP_PSH, 8);
	headers = p.len; /* 14 + 20 + 32 */
	ck_assert_uint_eq(headers, 66);
	put_fill(&p, 'g', 3500);
	ipv4_finish(&p, ip);
	check_gso(&p, headers, 4, 1000, &want, NETOBS_TCP_ACK | NETOBS_TCP_PSH);

	/* gso_segs 1 means one packet of skb->len bytes */
	check_gso(&p, headers, 1, 1000, &want, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	/* gso_segs 0 (left to the kernel): 3500 bytes of payload in 1000-byte
	 * segments are 4 wire packets; 3000 would be 3 */
	check_gso_uncounted(&p, headers, 1000, &want, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	p.len -= 500;
	ipv4_finish(&p, ip);
	check_gso_uncounted(&p, headers, 1000, &want, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	/* and no gso_size at all: not GSO, one packet */
	check_gso_ctx(&p, headers, 0, 0, 1, &want, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
}
END_TEST

START_TEST(test_gso_ipv6_tcp_exthdr)
{
	struct netobs_flow_key want = key_v6(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 5001, 33000);
	struct pkt p = {.len = 0};
	size_t ip, headers;

	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_DSTOPTS);
	put_ext_opts(&p, IPPROTO_TCP, 1);
	put_tcp(&p, 5001, 33000, NETOBS_TCP_ACK);
	headers = p.len; /* 14 + 40 + 16 + 20 */
	put_fill(&p, 'g', 2400);
	ipv6_finish(&p, ip);
	check_gso(&p, headers, 3, 800, &want, NETOBS_TCP_ACK);
	check_gso_uncounted(&p, headers, 800, &want, NETOBS_TCP_ACK);
	check_gso_uncounted(&p, headers, 700, &want, NETOBS_TCP_ACK); /* 2400 / 700: 4 */
}
END_TEST

/* BIG TCP: IPv4 GSO packets over 64 KiB carry tot_len 0; not malformed. */
START_TEST(test_gso_big_tcp_tot_len_zero)
{
	struct netobs_flow_key want = key_v4(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, 5001, 33000);
	struct pkt p = {.len = 0};
	size_t headers;

	put_eth(&p, ETH_P_IP);
	put_ipv4(&p, IPPROTO_TCP); /* tot_len left 0 */
	put_tcp(&p, 5001, 33000, NETOBS_TCP_ACK);
	headers = p.len;
	put_fill(&p, 'g', 3000);
	check_gso(&p, headers, 2, 1500, &want, NETOBS_TCP_ACK);
	/* gso_size alone marks a GSO skb, whatever gso_segs says */
	check_gso(&p, headers, 1, 1500, &want, NETOBS_TCP_ACK);
	check_gso_uncounted(&p, headers, 1500, &want, NETOBS_TCP_ACK);
}
END_TEST

/* ---- map limits and the accounting invariant --------------------------- */

START_TEST(test_flow_map_full)
{
	uint64_t counters[NETOBS_CNT__MAX] = {0};
	struct flow_entry flows[8];
	struct pkt p;
	uint64_t bytes = 0, untracked_bytes = 0;
	int i, n;

	harness_stop();
	harness_start_sized(4, 0);
	for (i = 0; i < 6; i++) {
		build_v4_tcp(&p, 1000 + i, 80, NETOBS_TCP_ACK);
		run_tc(&p);
		bytes += p.len;
		if (i >= 4) /* the map holds 4: these two are in no flow */
			untracked_bytes += p.len;
	}
	/* an existing flow still counts when the map is full */
	build_v4_tcp(&p, 1000, 80, NETOBS_TCP_ACK);
	run_tc(&p);
	bytes += p.len;

	n = flows_read(flows, 8);
	ck_assert_int_eq(n, 4);
	counters[NETOBS_CNT_PACKETS] = 7;
	counters[NETOBS_CNT_BYTES] = bytes;
	counters[NETOBS_CNT_EVENTS] = 4;
	counters[NETOBS_CNT_FLOW_MAP_FULL] = 2;
	counters[NETOBS_CNT_UNTRACKED_PACKETS] = 2;
	counters[NETOBS_CNT_UNTRACKED_BYTES] = untracked_bytes;
	expect_counters(counters);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(flows[i].packets, ntohs(flows[i].key.sport) == 1000 ? 2 : 1);
	harness_restart_default(); /* for later tests when not forking */
}
END_TEST

/*
 * A 4 KiB ring buffer holds 4096 / (8-byte record header + 88) = 42 events.
 * Without consuming, 60 new flows give 42 events and 18 RINGBUF_FULL, and
 * all 60 flows are still in the map.
 */
START_TEST(test_ringbuf_full)
{
	const uint32_t ring = 4096, nflows = 60;
	const uint32_t fit = ring / (8 + sizeof(struct netobs_flow_event));
	uint64_t counters[NETOBS_CNT__MAX] = {0};
	static struct flow_entry flows[64];
	struct pkt p;
	uint32_t i;
	int n;

	ck_assert_uint_eq(fit, 42);
	harness_stop();
	harness_start_sized(0, ring);
	for (i = 0; i < nflows; i++) {
		build_v4_tcp(&p, 2000 + i, 80, NETOBS_TCP_ACK);
		run_tc(&p);
	}
	n = flows_read(flows, 64);
	ck_assert_int_eq(n, nflows);
	for (i = 0; i < nflows; i++)
		ck_assert_uint_eq(flows[i].packets, 1);
	counters[NETOBS_CNT_PACKETS] = nflows;
	counters[NETOBS_CNT_BYTES] = (uint64_t)nflows * p.len;
	counters[NETOBS_CNT_EVENTS] = fit;
	counters[NETOBS_CNT_RINGBUF_FULL] = nflows - fit;
	expect_counters(counters);
	ck_assert_int_eq(harness_consume_events(), (int)fit);
	harness_restart_default();
}
END_TEST

/* Mixed cases, several rounds: flows' packets and bytes add up to the
 * counters, which equal what the test sent. */
START_TEST(test_every_packet_accounted)
{
	static struct flow_entry flows[64];
	uint64_t counters[NETOBS_CNT__MAX];
	uint64_t packets = 0, bytes = 0, flow_packets = 0, flow_bytes = 0;
	struct pkt p;
	size_t full_len, cut;
	int round, proto, n, i;
	cpu_set_t allowed, one;

	/* One CPU: the event count below is then exact. */
	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	for (round = 0; round < 3; round++) {
		for (proto = 0; proto < 4; proto++) {
			build_v4_l4(&p, l4_protos[proto]);
			full_len = p.len;
			run_tc(&p);
			run_xdp(&p);
			packets += 2;
			bytes += 2 * p.len;
			for (cut = ETH_HLEN; cut < full_len; cut += 7) {
				p.len = cut;
				run_xdp(&p);
				packets++;
				bytes += cut;
			}
		}
		build_v4_tcp(&p, 9, 9, NETOBS_TCP_ACK);
		run_tc_prog(H.skel->progs.netobs_tc_egress, &p, 5, 100);
		packets += 5;
		bytes += p.len + 4 * (14 + 20 + 20);
		p.b[14] = 0x44; /* IHL 4 */
		run_tc(&p);
		packets++;
		bytes += p.len;
	}
	ck_assert_int_eq(sched_setaffinity(0, sizeof(allowed), &allowed), 0);
	n = flows_read(flows, 64);
	for (i = 0; i < n; i++) {
		flow_packets += flows[i].packets;
		flow_bytes += flows[i].bytes;
	}
	counters_read(counters);
	ck_assert_uint_eq(counters[NETOBS_CNT_PACKETS], packets);
	ck_assert_uint_eq(counters[NETOBS_CNT_BYTES], bytes);
	ck_assert_uint_eq(flow_packets, packets);
	ck_assert_uint_eq(flow_bytes, bytes);
	ck_assert_uint_eq(counters[NETOBS_CNT_MALFORMED], 3);
	/* One FLOW_NEW per flow, nothing else: the TCP SYN (TC and XDP) of each
	 * round after the first repeats a flag its entry has already seen. */
	ck_assert_uint_eq(counters[NETOBS_CNT_EVENTS], (uint64_t)n);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_limits");
	TCase *tc;

#define ADD_TCASE(name)                                                                            \
	tc = tcase_create(name);                                                                   \
	tcase_add_unchecked_fixture(tc, group_setup, group_teardown);                              \
	tcase_add_checked_fixture(tc, test_setup, NULL);                                           \
	tcase_set_timeout(tc, 120);                                                                \
	suite_add_tcase(s, tc)
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

	ADD_TCASE("truncated");
	tcase_add_test(tc, test_truncated_vlan);
	tcase_add_test(tc, test_truncated_ipv4);
	tcase_add_loop_test(tc, test_truncated_l4, 0, N(l4_protos));
	tcase_add_test(tc, test_truncated_ipv6);
	tcase_add_loop_test(tc, test_ipv4_len_ends_in_l4, 0, N(l4_protos));
	tcase_add_test(tc, test_ipv4_ethernet_padding);
	tcase_add_test(tc, test_ipv6_len_bounds);
	tcase_add_test(tc, test_truncated_exthdrs);

	ADD_TCASE("malformed");
	tcase_add_loop_test(tc, test_malformed_ihl, 0, 5);
	tcase_add_loop_test(tc, test_malformed_ipv4_version, 0, N(bad_versions));
	tcase_add_test(tc, test_malformed_ipv6_version);
	tcase_add_loop_test(tc, test_malformed_tot_len, 0, N(bad_tot_lens));
	tcase_add_loop_test(tc, test_malformed_tcp_doff, 0, 5);

	ADD_TCASE("gso");
	tcase_add_test(tc, test_gso_ipv4_tcp);
	tcase_add_test(tc, test_gso_ipv6_tcp_exthdr);
	tcase_add_test(tc, test_gso_big_tcp_tot_len_zero);

	ADD_TCASE("maps");
	tcase_add_test(tc, test_flow_map_full);
	tcase_add_test(tc, test_ringbuf_full);
	tcase_add_test(tc, test_every_packet_accounted);
	return s;
}
