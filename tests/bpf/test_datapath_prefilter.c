// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The XDP prefilter (bpf/lib/prefilter.h) through BPF_PROG_TEST_RUN: the
 * prefilter map and netobs_prefilter_enabled are written here by hand, as
 * the agent writes them (lib/abi.h, "XDP prefilter"). Each case checks the
 * program's action, the flow entries (a dropped packet only in the flow's
 * NETOBS_KEY_F_DROPPED entry, with verdict PREFILTER), exact counts, the
 * FLOW_NEW event and the counters. Packets go V4_SRC -> V4_DST and
 * V6_SRC -> V6_DST: the source is what the prefilter judges.
 */
#include "datapath_harness.h"

static void prefilter_add(int family, const uint8_t *addr, uint8_t len)
{
	struct netobs_ipcache_key k = {.prefixlen = 32 + len, .family = family};
	struct netobs_prefilter_value v = {.revision = 1};

	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(H.skel->maps.prefilter), &k, &v, BPF_ANY),
			 0);
}

static void prefilter_enable(uint32_t on)
{
	H.skel->bss->netobs_prefilter_enabled = on;
}

static void prefilter_reset(void)
{
	harness_reset();
	prefilter_enable(0);
	map_empty(H.skel->maps.prefilter);
}

/* One XDP run; returns the program's action. */
static int xdp_action(const struct pkt *p, uint32_t repeat)
{
	struct xdp_md ctx = {
		.data_end = p->len,
		.ingress_ifindex = TEST_IFINDEX,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);
	int err = bpf_prog_test_run_opts(bpf_program__fd(H.skel->progs.netobs_xdp), &opts);

	ck_assert_msg(!err, "test_run xdp (len %zu): %s", p->len, strerror(errno));
	return (int)opts.retval;
}

static uint64_t counter_get(int which)
{
	uint64_t c[NETOBS_CNT__MAX];

	counters_read(c);
	return c[which];
}

/* One flow entry, summed over the CPUs, with the verdict of a copy that saw packets. */
struct entry {
	int found;
	uint64_t packets, bytes;
	uint8_t verdict;
	uint32_t policy_gen;
};

static struct entry entry_get(struct netobs_flow_key key, int dropped)
{
	struct netobs_flow_stats value;
	struct entry e = {0};

	if (dropped)
		key.key_flags |= NETOBS_KEY_F_DROPPED;
	if (bpf_map_lookup_elem(bpf_map__fd(H.skel->maps.flows), &key, &value))
		return e;
	e.found = 1;
	e.packets = value.packets;
	e.bytes = value.bytes;
	if (value.packets) {
		e.verdict = value.verdict;
		e.policy_gen = value.policy_gen;
	}
	return e;
}

static int flow_count(void)
{
	struct netobs_flow_key key, next, *prev = NULL;
	int fd = bpf_map__fd(H.skel->maps.flows), n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static void build_v4_udp(struct pkt *p, const uint8_t src[4])
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_UDP);
	put_udp(p, 4000, 53, 20);
	put_fill(p, 'q', 20);
	ipv4_finish(p, ip);
	memcpy(p->b + ETH_HLEN + 12, src, 4);
}

static void build_v6_tcp(struct pkt *p, const uint8_t src[16])
{
	size_t ip;

	p->len = 0;
	put_eth(p, ETH_P_IPV6);
	ip = put_ipv6(p, IPPROTO_TCP);
	put_tcp(p, 40000, 443, NETOBS_TCP_SYN);
	ipv6_finish(p, ip);
	memcpy(p->b + ETH_HLEN + 8, src, 16);
}

/* N packets from a listed IPv4 source: N drops, all in the dropped entry, counted exactly. */
START_TEST(test_v4_hit_dropped_and_counted)
{
	const int n = 7;
	struct netobs_flow_key key = key_v4(NETOBS_HOOK_XDP, IPPROTO_UDP, 4000, 53);
	struct entry e;
	struct pkt p;

	prefilter_add(4, (const uint8_t[]){10, 0, 0, 0}, 8);
	prefilter_enable(1);
	build_v4_udp(&p, V4_SRC);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);

	ck_assert_int_eq(entry_get(key, 0).found, 0); /* nothing forwarded */
	e = entry_get(key, 1);
	ck_assert_int_eq(e.found, 1);
	ck_assert_uint_eq(e.packets, n);
	ck_assert_uint_eq(e.bytes, (uint64_t)n * p.len);
	ck_assert_uint_eq(e.verdict, NETOBS_PV_PREFILTER);
	ck_assert_uint_eq(e.policy_gen, 0);
	ck_assert_int_eq(flow_count(), 1);

	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), n);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED_BYTES), (uint64_t)n * p.len);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PACKETS), n);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_POLICY_DROPPED), 0);

	/* One FLOW_NEW, at the first drop, saying so. */
	harness_consume_events();
	ck_assert_int_eq(H.nevents, 1);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	ck_assert_uint_eq(H.events[0].key.key_flags, NETOBS_KEY_F_DROPPED);
	ck_assert_uint_eq(H.events[0].verdict, NETOBS_PV_PREFILTER);
	ck_assert_uint_eq(H.events[0].packets, 1);
	ck_assert_uint_eq(H.events[0].bytes, p.len);
	key.key_flags = NETOBS_KEY_F_DROPPED;
	ck_assert(!memcmp(&H.events[0].key, &key, sizeof(key)));
}
END_TEST

/* A source outside every prefix passes and is counted as usual. */
START_TEST(test_v4_miss_passes)
{
	const uint8_t other[4] = {10, 0, 1, 1};
	struct netobs_flow_key key = key_v4(NETOBS_HOOK_XDP, IPPROTO_UDP, 4000, 53);
	struct entry e;
	struct pkt p;

	/* 10.0.0.2/32 and 10.0.2.0/24: neither holds 10.0.1.1 nor 10.0.0.1 */
	prefilter_add(4, (const uint8_t[]){10, 0, 0, 2}, 32);
	prefilter_add(4, (const uint8_t[]){10, 0, 2, 0}, 24);
	prefilter_enable(1);
	build_v4_udp(&p, other);
	ck_assert_int_eq(xdp_action(&p, 3), XDP_PASS);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(xdp_action(&p, 2), XDP_PASS);

	e = entry_get(key, 0);
	ck_assert_uint_eq(e.packets, 2);
	ck_assert_uint_eq(e.verdict, NETOBS_PV_NONE);
	ck_assert_int_eq(entry_get(key, 1).found, 0);
	ck_assert_int_eq(flow_count(), 2);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 0);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PACKETS), 5);
}
END_TEST

/* Prefix boundaries: the last address inside drops, the first outside passes; /32 exact. */
START_TEST(test_prefix_boundaries)
{
	struct pkt p;

	prefilter_add(4, (const uint8_t[]){172, 16, 0, 0}, 12); /* 172.16.0.0 - 172.31.255.255 */
	prefilter_add(4, (const uint8_t[]){192, 0, 2, 7}, 32);
	prefilter_enable(1);
	build_v4_udp(&p, (const uint8_t[]){172, 31, 255, 255});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	build_v4_udp(&p, (const uint8_t[]){172, 32, 0, 0});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	build_v4_udp(&p, (const uint8_t[]){172, 15, 255, 255});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	build_v4_udp(&p, (const uint8_t[]){192, 0, 2, 7});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	build_v4_udp(&p, (const uint8_t[]){192, 0, 2, 6});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 2);
}
END_TEST

/* A longer prefix inside a listed one changes nothing; deleting the wider one
 * leaves the narrower in force (the trie's longest match). */
START_TEST(test_longest_prefix)
{
	const uint8_t wide[4] = {10, 0, 0, 0}, narrow[4] = {10, 0, 0, 0};
	struct netobs_ipcache_key k = {.prefixlen = 32 + 8, .family = 4};
	struct pkt p;

	prefilter_add(4, wide, 8);
	prefilter_add(4, narrow, 30); /* 10.0.0.0 - 10.0.0.3 */
	prefilter_enable(1);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	build_v4_udp(&p, (const uint8_t[]){10, 9, 9, 9});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);

	memcpy(k.addr, wide, 4);
	ck_assert_int_eq(bpf_map_delete_elem(bpf_map__fd(H.skel->maps.prefilter), &k), 0);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	build_v4_udp(&p, (const uint8_t[]){10, 9, 9, 9});
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 3);
}
END_TEST

START_TEST(test_v6_hit_and_miss)
{
	const uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8};
	const uint8_t other[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};
	struct netobs_flow_key key = key_v6(NETOBS_HOOK_XDP, IPPROTO_TCP, 40000, 443);
	struct entry e;
	struct pkt p;

	prefilter_add(6, doc, 32);
	/* an IPv4 prefix of the same leading bytes must not catch IPv6 */
	prefilter_add(4, (const uint8_t[]){0x20, 0x01, 0x0d, 0xb9}, 32);
	prefilter_enable(1);
	build_v6_tcp(&p, V6_SRC);
	ck_assert_int_eq(xdp_action(&p, 4), XDP_DROP);
	build_v6_tcp(&p, other);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);

	e = entry_get(key, 1);
	ck_assert_uint_eq(e.packets, 4);
	ck_assert_uint_eq(e.verdict, NETOBS_PV_PREFILTER);
	ck_assert_int_eq(entry_get(key, 0).found, 0);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 4);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED_BYTES), 4 * p.len);
}
END_TEST

/* Listed, but netobs_prefilter_enabled is 0: nothing is judged. */
START_TEST(test_disabled_flag)
{
	struct pkt p;

	prefilter_add(4, V4_SRC, 32);
	prefilter_add(6, V6_SRC, 128);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(xdp_action(&p, 2), XDP_PASS);
	build_v6_tcp(&p, V6_SRC);
	ck_assert_int_eq(xdp_action(&p, 2), XDP_PASS);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 0);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PACKETS), 4);

	prefilter_enable(1);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
}
END_TEST

/*
 * Frames without a whole IP header are never dropped, whatever is listed
 * (0.0.0.0/0 and ::/0 hold every address, the zeros of a cut header too);
 * a whole IP header with a cut L4 header, or behind VLAN tags, is judged.
 */
START_TEST(test_truncated_and_non_ip)
{
	uint8_t zero[16] = {0};
	struct pkt full, p;
	size_t ip;

	prefilter_add(4, zero, 0);
	prefilter_add(6, zero, 0);
	prefilter_enable(1);

	/* IPv4 cut at every length inside its header */
	build_v4_udp(&full, V4_SRC);
	for (size_t len = ETH_HLEN; len < ETH_HLEN + 20; len++) {
		p = full;
		p.len = len;
		ck_assert_msg(xdp_action(&p, 1) == XDP_PASS, "IPv4 cut at %zu", len);
	}
	/* IPv6 the same */
	build_v6_tcp(&full, V6_SRC);
	for (size_t len = ETH_HLEN; len < ETH_HLEN + 40; len++) {
		p = full;
		p.len = len;
		ck_assert_msg(xdp_action(&p, 1) == XDP_PASS, "IPv6 cut at %zu", len);
	}
	/* malformed IPv4 (IHL 4, version 5), ARP, a frame of 14 bytes */
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, 4, IPPROTO_UDP, 0);
	put_fill(&p, 0, 20);
	ipv4_finish(&p, ip);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 5, 5, IPPROTO_UDP, 0);
	put_fill(&p, 0, 20);
	ipv4_finish(&p, ip);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	p.len = 0;
	put_eth(&p, ETH_P_ARP);
	put_fill(&p, 0, 28);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	/* two VLAN tags, then an IPv4 header cut short: still not judged */
	p.len = 0;
	put_eth(&p, ETH_P_8021AD);
	put_vlan(&p, 10, ETH_P_8021Q);
	put_vlan(&p, 20, ETH_P_IP);
	put_fill(&p, 0x45, 12);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_PASS);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 0);

	/* whole IPv4 header, UDP header cut: the source is known, dropped */
	build_v4_udp(&p, V4_SRC);
	p.len = ETH_HLEN + 20 + 4;
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	/* behind two VLAN tags, whole: dropped */
	p.len = 0;
	put_eth(&p, ETH_P_8021AD);
	put_vlan(&p, 10, ETH_P_8021Q);
	put_vlan(&p, 20, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	put_udp(&p, 1, 2, 0);
	ipv4_finish(&p, ip);
	ck_assert_int_eq(xdp_action(&p, 1), XDP_DROP);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 2);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_TRUNCATED), 1 + 20 + 40 + 1 + 1);
}
END_TEST

/* TC programs never consult the prefilter: it is XDP's. */
START_TEST(test_tc_ignores_prefilter)
{
	struct pkt p;

	prefilter_add(4, V4_SRC, 32);
	prefilter_enable(1);
	build_v4_udp(&p, V4_SRC);
	ck_assert_int_eq(run_tc_action(H.skel->progs.netobs_tc_ingress, &p, TEST_IFINDEX, 3),
			 TC_ACT_UNSPEC);
	ck_assert_uint_eq(counter_get(NETOBS_CNT_PREFILTER_DROPPED), 0);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_prefilter");
	TCase *tc = tcase_create("prefilter");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, prefilter_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_v4_hit_dropped_and_counted);
	tcase_add_test(tc, test_v4_miss_passes);
	tcase_add_test(tc, test_prefix_boundaries);
	tcase_add_test(tc, test_longest_prefix);
	tcase_add_test(tc, test_v6_hit_and_miss);
	tcase_add_test(tc, test_disabled_flag);
	tcase_add_test(tc, test_truncated_and_non_ip);
	tcase_add_test(tc, test_tc_ignores_prefilter);
	suite_add_tcase(s, tc);
	return s;
}
