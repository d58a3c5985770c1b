// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The datapath's parser (bpf/lib/parse.h) compiled natively. It covers what
 * BPF_PROG_TEST_RUN cannot deliver to the programs (frames under 14 bytes)
 * and, with every frame in a heap buffer of exactly its length, lets the
 * sanitizer build catch any read past the end on every prefix of every
 * packet and on random frames. The verifier proves the same for the BPF
 * build; this proves the rules give the intended answers.
 */
#include "datapath_harness.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas" /* #pragma unroll is for clang */
#include "../../bpf/lib/parse.h"
#pragma GCC diagnostic pop

static const struct frame_meta META = {.ifindex = TEST_IFINDEX, .hook = NETOBS_HOOK_XDP};

/* Parse the first len bytes of p from a buffer of exactly len bytes (as an
 * L3 frame when meta->l3_proto is set). */
static struct parsed_packet parse_prefix_meta(const struct pkt *p, size_t len,
					      const struct frame_meta *meta)
{
	struct parsed_packet out;
	uint8_t *buf = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, p->b, len);
	if (meta->l3_proto)
		parse_frame_l3(buf, buf + len, meta, &out);
	else
		parse_frame(buf, buf + len, meta, &out);
	free(buf);
	ck_assert_uint_le(out.header_len, len);
	return out;
}

static struct parsed_packet parse_prefix(const struct pkt *p, size_t len)
{
	return parse_prefix_meta(p, len, &META);
}

START_TEST(test_ethernet_cut)
{
	struct netobs_flow_key want = key_base(NETOBS_HOOK_XDP, 0);
	struct parsed_packet got;
	struct pkt p;
	size_t len;

	want.eth_proto = 0;
	want.key_flags = NETOBS_KEY_F_TRUNCATED;
	build_v4_tcp(&p, 1, 2, NETOBS_TCP_SYN);
	for (len = 0; len < ETH_HLEN; len++) {
		got = parse_prefix(&p, len);
		ck_assert_msg(!memcmp(&got.key, &want, sizeof(want)), "len %zu", len);
		ck_assert_uint_eq(got.header_len, 0);
		ck_assert_uint_eq(got.tcp_flags, 0);
		ck_assert_uint_eq(got.notes, 0);
	}
}
END_TEST

/* A packet whose headers end at hdr_end (known to the test, not the parser). */
struct sweep_case {
	struct pkt p;
	size_t hdr_end;
};

static void build_sweep_case(int which, struct sweep_case *c)
{
	struct pkt *p = &c->p;
	size_t ip;

	p->len = 0;
	switch (which) {
	case 0: /* QinQ + IPv4 with options + TCP with options */
		put_eth(p, ETH_P_8021AD);
		put_vlan(p, 1, ETH_P_8021Q);
		put_vlan(p, 2, ETH_P_IP);
		ip = put_ipv4_full(p, 4, 7, IPPROTO_TCP, 0);
		put_tcp_full(p, 10, 20, NETOBS_TCP_SYN, 9);
		c->hdr_end = p->len;
		put_fill(p, 'a', 5);
		ipv4_finish(p, ip);
		break;
	case 1: /* IPv6 + every walked extension header + UDP */
		put_eth(p, ETH_P_IPV6);
		ip = put_ipv6(p, IPPROTO_HOPOPTS);
		put_ext_opts(p, IPPROTO_ROUTING, 0);
		put_ext_opts(p, IPPROTO_FRAGMENT, 3);
		put_ext_frag(p, IPPROTO_AH, 0, 1);
		put_ext_ah(p, IPPROTO_DSTOPTS, 1);
		put_ext_opts(p, IPPROTO_UDP, 2);
		put_udp(p, 53, 5353, 3);
		c->hdr_end = p->len;
		put_fill(p, 'b', 3);
		ipv6_finish(p, ip);
		break;
	case 2: /* IPv4 ICMP */
		put_eth(p, ETH_P_IP);
		ip = put_ipv4(p, IPPROTO_ICMP);
		put_icmp(p, 8, 0);
		c->hdr_end = p->len;
		put_fill(p, 'c', 7);
		ipv4_finish(p, ip);
		break;
	default: /* 802.1Q + IPv6 SCTP */
		put_eth(p, ETH_P_8021Q);
		put_vlan(p, 3, ETH_P_IPV6);
		ip = put_ipv6(p, IPPROTO_SCTP);
		put_sctp(p, 1, 2);
		c->hdr_end = p->len;
		put_fill(p, 'd', 1);
		ipv6_finish(p, ip);
		break;
	}
}

/*
 * Every prefix shorter than the headers is TRUNCATED and nothing else, with
 * no ports; every prefix that holds them all gives the full packet's key.
 */
START_TEST(test_prefix_sweep)
{
	struct parsed_packet full, got;
	struct sweep_case c;
	size_t len;

	build_sweep_case(_i, &c);
	full = parse_prefix(&c.p, c.p.len);
	ck_assert_uint_eq(full.key.key_flags, 0);
	ck_assert_uint_eq(full.header_len, c.hdr_end);
	ck_assert_uint_ne(full.key.sport | full.key.dport, 0);
	for (len = 0; len <= c.p.len; len++) {
		got = parse_prefix(&c.p, len);
		if (len < c.hdr_end) {
			ck_assert_msg(got.key.key_flags == NETOBS_KEY_F_TRUNCATED,
				      "len %zu flags %u", len, got.key.key_flags);
			ck_assert_uint_eq(got.key.sport | got.key.dport, 0);
			ck_assert_uint_lt(got.header_len, c.hdr_end);
		} else {
			ck_assert_msg(!memcmp(&got.key, &full.key, sizeof(full.key)), "len %zu",
				      len);
			ck_assert_uint_eq(got.header_len, c.hdr_end);
		}
	}
}
END_TEST

/*
 * The IP length ends the datagram before the L4 header does; the frame goes
 * on (Ethernet padding to 60 bytes, here bytes that read as ports): no
 * ports, TRUNCATED, header_len at the end of the IP header. A length of 0
 * on a GSO skb (IPv4 BIG TCP) or in IPv6 (jumbogram) bounds nothing.
 */
START_TEST(test_ip_length_bound)
{
	struct frame_meta gso = META;
	struct parsed_packet got;
	struct pkt p = {.len = 0};
	size_t ip;

	gso.is_gso = 1;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	ipv4_finish(&p, ip); /* 20: the datagram is the IP header alone */
	put_udp(&p, 53, 53, 0);
	put_fill(&p, 0, 60 - p.len);
	got = parse_prefix(&p, p.len);
	ck_assert_uint_eq(got.key.key_flags, NETOBS_KEY_F_TRUNCATED);
	ck_assert_uint_eq(got.key.sport | got.key.dport, 0);
	ck_assert_uint_eq(got.key.proto, IPPROTO_UDP);
	ck_assert_uint_eq(got.header_len, ETH_HLEN + 20);
	/* the same bytes with the UDP header inside the datagram */
	set_be16(&p, ip + 2, 28);
	got = parse_prefix(&p, p.len);
	ck_assert_uint_eq(got.key.key_flags, 0);
	ck_assert_uint_eq(ntohs(got.key.sport), 53);
	ck_assert_uint_eq(got.header_len, ETH_HLEN + 28);
	/* tot_len 0: malformed on an ordinary packet, unbounded on a GSO skb */
	set_be16(&p, ip + 2, 0);
	got = parse_prefix(&p, p.len);
	ck_assert_uint_eq(got.key.key_flags, NETOBS_KEY_F_MALFORMED);
	got = parse_prefix_meta(&p, p.len, &gso);
	ck_assert_uint_eq(got.key.key_flags, 0);
	ck_assert_uint_eq(ntohs(got.key.dport), 53);

	p.len = 0;
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_TCP);
	put_tcp(&p, 7, 8, NETOBS_TCP_SYN);
	set_be16(&p, ip + 4, 19); /* one byte short of the TCP header */
	got = parse_prefix(&p, p.len);
	ck_assert_uint_eq(got.key.key_flags, NETOBS_KEY_F_TRUNCATED);
	ck_assert_uint_eq(got.key.sport | got.key.dport, 0);
	ck_assert_uint_eq(got.tcp_flags, 0);
	set_be16(&p, ip + 4, 0);
	got = parse_prefix(&p, p.len);
	ck_assert_uint_eq(got.key.key_flags, 0);
	ck_assert_uint_eq(got.tcp_flags, NETOBS_TCP_SYN);
}
END_TEST

/*
 * L3 frames (no Ethernet header; the protocol comes from skb->protocol):
 * every prefix of an IPv4 TCP packet is TRUNCATED until its headers are
 * whole, then gives the full key; no MACs ever, even for a non-IP protocol.
 */
START_TEST(test_l3_frames)
{
	struct frame_meta l3 = META;
	struct parsed_packet got;
	struct pkt p = {.len = 0};
	size_t len, ip = 0;
	static const uint8_t zero[16];

	l3.hook = NETOBS_HOOK_TC_INGRESS;
	l3.l3_proto = htons(ETH_P_IP);
	put_ipv4(&p, IPPROTO_TCP);
	put_tcp(&p, 1234, 80, NETOBS_TCP_SYN);
	ipv4_finish(&p, ip);
	for (len = 0; len <= p.len; len++) {
		got = parse_prefix_meta(&p, len, &l3);
		ck_assert_uint_eq(got.key.family, NETOBS_FAMILY_IPV4);
		ck_assert_uint_eq(got.key.eth_proto, htons(ETH_P_IP));
		if (len < 40) {
			ck_assert_uint_eq(got.key.key_flags, NETOBS_KEY_F_TRUNCATED);
			ck_assert_uint_eq(got.key.sport | got.key.dport, 0);
		} else {
			ck_assert_uint_eq(got.key.key_flags, 0);
			ck_assert_uint_eq(ntohs(got.key.sport), 1234);
			ck_assert(!memcmp(got.key.saddr, V4_SRC, 4));
			ck_assert_uint_eq(got.header_len, 40);
		}
	}
	l3.l3_proto = htons(ETH_P_MPLS_UC);
	got = parse_prefix_meta(&p, p.len, &l3);
	ck_assert_uint_eq(got.key.family, NETOBS_FAMILY_NONE);
	ck_assert_uint_eq(got.key.eth_proto, htons(ETH_P_MPLS_UC));
	ck_assert_uint_eq(got.notes, PARSE_NOTE_NON_IP);
	ck_assert(!memcmp(got.key.saddr, zero, 16));
	ck_assert(!memcmp(got.key.daddr, zero, 16));
}
END_TEST

/*
 * Random frames (fixed seed) with plausible starts: never a read past the
 * end (sanitizer build), at most one key flag, and once parsing stopped
 * early no port or TCP flag was taken from the cut or invalid header.
 */
START_TEST(test_random_frames)
{
	static const uint16_t types[] = {ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD,
					 ETH_P_ARP};
	static const uint8_t protos[] = {0, 6, 17, 132, 1, 58, 43, 44, 60, 51, 50};
	struct parsed_packet got;
	struct pkt p;
	unsigned int seed = 12345;
	int round;
	size_t i;

	for (round = 0; round < 200000; round++) {
		p.len = rand_r(&seed) % 160;
		for (i = 0; i < p.len; i++)
			p.b[i] = rand_r(&seed);
		if (p.len >= 14) {
			set_be16(&p, 12, types[rand_r(&seed) % 5]);
			if (p.len > 14 && rand_r(&seed) % 2)
				p.b[14] = rand_r(&seed) % 2 ? 0x45 : 0x60;
			if (p.len > 20 && rand_r(&seed) % 2)
				p.b[20] = protos[rand_r(&seed) % sizeof(protos)]; /* IPv6 nexthdr */
			if (p.len > 23 && rand_r(&seed) % 2)
				p.b[23] = protos[rand_r(&seed) % sizeof(protos)]; /* IPv4 proto */
		}
		got = parse_prefix(&p, p.len);
		ck_assert_uint_eq(__builtin_popcount(got.key.key_flags), got.key.key_flags ? 1 : 0);
		/* not IP: the frame's own MACs once its Ethernet header is whole */
		if (got.key.family == NETOBS_FAMILY_NONE && p.len >= ETH_HLEN) {
			ck_assert(!memcmp(got.key.saddr, p.b + 6, 6));
			ck_assert(!memcmp(got.key.daddr, p.b, 6));
		}
		if (got.key.key_flags & ~NETOBS_KEY_F_EXTHDR_LIMIT) {
			ck_assert_uint_eq(got.key.sport | got.key.dport, 0);
			ck_assert_uint_eq(got.tcp_flags, 0);
		}
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("parse_native");
	TCase *tc = tcase_create("parse");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ethernet_cut);
	tcase_add_loop_test(tc, test_prefix_sweep, 0, 4);
	tcase_add_test(tc, test_ip_length_bound);
	tcase_add_test(tc, test_l3_frames);
	tcase_add_test(tc, test_random_frames);
	suite_add_tcase(s, tc);
	return s;
}
