// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Datapath parsing and events: well-formed packets of every kind the parser
 * knows, run through the real BPF programs with BPF_PROG_TEST_RUN.
 * Malformed and truncated packets, GSO and map limits: test_datapath_limits.c.
 */
#include <time.h>

#include "datapath_harness.h"

#define TC    NETOBS_HOOK_TC_INGRESS
#define SPORT 43210
#define DPORT 443

/* ---- IPv4 ---------------------------------------------------------- */

static const uint16_t tcp_flag_cases[] = {
	NETOBS_TCP_SYN,
	NETOBS_TCP_SYN | NETOBS_TCP_ACK,
	NETOBS_TCP_FIN | NETOBS_TCP_ACK,
	NETOBS_TCP_RST,
	NETOBS_TCP_NS | NETOBS_TCP_ECE | NETOBS_TCP_CWR | NETOBS_TCP_PSH | NETOBS_TCP_URG,
};

START_TEST(test_ipv4_tcp_flags)
{
	uint16_t flags = tcp_flag_cases[_i];
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	build_v4_tcp(&p, SPORT, DPORT, flags);
	CHECK_TC(&p, &want, flags);
}
END_TEST

/* IHL 6..15: the ports must come from after the options, not from byte 20. */
START_TEST(test_ipv4_options)
{
	uint8_t ihl = _i;
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, 5353, 53);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, ihl, IPPROTO_UDP, 0);
	put_udp(&p, 5353, 53, 4);
	put_be32(&p, 0xcafef00d);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

START_TEST(test_ipv4_udp)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, 40000, 53);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	put_udp(&p, 40000, 53, 30);
	put_fill(&p, 'q', 30);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

START_TEST(test_ipv4_sctp)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_SCTP, 2905, 3868);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_SCTP);
	put_sctp(&p, 2905, 3868);
	put_fill(&p, 0, 16); /* a chunk */
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

static const uint8_t icmp_cases[][2] = {{8, 0}, {0, 0}, {3, 3}, {11, 1}};

START_TEST(test_ipv4_icmp)
{
	uint8_t type = icmp_cases[_i][0], code = icmp_cases[_i][1];
	struct netobs_flow_key want = key_v4(TC, IPPROTO_ICMP, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	want.icmp_type = type;
	want.icmp_code = code;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_ICMP);
	put_icmp(&p, type, code);
	put_fill(&p, 0x55, 56);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

/* An unknown protocol is a flow with ports 0, whatever its payload is. */
START_TEST(test_ipv4_other_proto)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_GRE, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_GRE);
	put_be16(&p, 0);      /* GRE flags */
	put_be16(&p, 0x0800); /* GRE protocol */
	put_fill(&p, 0x45, 24);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

START_TEST(test_ipv4_first_fragment)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, 4500, 4501);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, 5, IPPROTO_UDP, 0x2000 /* MF, offset 0 */);
	put_udp(&p, 4500, 4501, 1472);
	put_fill(&p, 'f', 64);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

/* Later fragments: offset != 0 with MF (middle) and without (last). The
 * payload is shaped like a TCP SYN: it must not become ports or flags. */
static const uint16_t frag_cases[] = {0x2000 | 185, 370, 1};

START_TEST(test_ipv4_nonfirst_fragment)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	want.key_flags = NETOBS_KEY_F_FRAGMENT;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, 5, IPPROTO_TCP, frag_cases[_i]);
	put_tcp(&p, 6666, 22, NETOBS_TCP_SYN);
	ipv4_finish(&p, ip);
	CHECK_TC(&p, &want, 0, NETOBS_CNT_FRAGMENTS);
}
END_TEST

/* ---- IPv6 ---------------------------------------------------------- */

START_TEST(test_ipv6_tcp)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_TCP, SPORT, 80);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_TCP);
	put_tcp_full(&p, SPORT, 80, NETOBS_TCP_SYN | NETOBS_TCP_ECE | NETOBS_TCP_CWR, 10);
	ipv6_finish(&p, ip);
	CHECK_TC(&p, &want, NETOBS_TCP_SYN | NETOBS_TCP_ECE | NETOBS_TCP_CWR);
}
END_TEST

START_TEST(test_ipv6_udp)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, 546, 547);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_UDP);
	put_udp(&p, 546, 547, 12);
	put_fill(&p, 0, 12);
	ipv6_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

START_TEST(test_ipv6_icmpv6)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_ICMPV6, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	want.icmp_type = 128; /* echo request */
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_ICMPV6);
	put_icmp(&p, 128, 0);
	put_fill(&p, 'p', 32);
	ipv6_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

/* Append one extension header of the given type, announcing next. */
static void put_ext(struct pkt *p, uint8_t type, uint8_t next)
{
	switch (type) {
	case IPPROTO_AH:
		put_ext_ah(p, next, 4); /* 24 bytes: AH with a 96-bit ICV */
		break;
	case IPPROTO_FRAGMENT:
		put_ext_frag(p, next, 0, 1); /* first fragment */
		break;
	default:
		put_ext_opts(p, next, type == IPPROTO_ROUTING ? 2 : 1);
		break;
	}
}

/* Build Ethernet + IPv6 + the chain types[0..n) + UDP 7000 -> 8000. */
static void build_v6_chain(struct pkt *p, const uint8_t *types, int n)
{
	size_t ip;
	int i;

	p->len = 0;
	put_eth(p, ETH_P_IPV6);
	ip = put_ipv6(p, n ? types[0] : IPPROTO_UDP);
	for (i = 0; i < n; i++)
		put_ext(p, types[i], i + 1 < n ? types[i + 1] : IPPROTO_UDP);
	put_udp(p, 7000, 8000, 8);
	put_fill(p, 'u', 8);
	ipv6_finish(p, ip);
}

static const uint8_t single_exthdrs[] = {IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
					 IPPROTO_DSTOPTS, IPPROTO_AH};

START_TEST(test_ipv6_each_exthdr)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, 7000, 8000);
	struct pkt p;

	build_v6_chain(&p, &single_exthdrs[_i], 1);
	CHECK_TC(&p, &want, 0);
}
END_TEST

START_TEST(test_ipv6_exthdr_chain)
{
	static const uint8_t chain[] = {IPPROTO_HOPOPTS,  IPPROTO_DSTOPTS, IPPROTO_ROUTING,
					IPPROTO_FRAGMENT, IPPROTO_AH,	   IPPROTO_DSTOPTS};
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, 7000, 8000);
	struct pkt p;

	build_v6_chain(&p, chain, 6);
	CHECK_TC(&p, &want, 0);
}
END_TEST

/* 8 extension headers are walked; a 9th hits the bound. */
START_TEST(test_ipv6_exthdr_bound)
{
	uint8_t chain[9];
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, 7000, 8000);
	struct pkt p;
	int i;

	for (i = 0; i < 9; i++)
		chain[i] = i % 2 ? IPPROTO_DSTOPTS : IPPROTO_AH;
	build_v6_chain(&p, chain, 8);
	CHECK_TC(&p, &want, 0);

	build_v6_chain(&p, chain, 9);
	want = key_v6(TC, chain[8], 0, 0); /* stopped at the 9th header's type */
	want.key_flags = NETOBS_KEY_F_EXTHDR_LIMIT;
	CHECK_TC(&p, &want, 0, NETOBS_CNT_EXTHDR_LIMIT);
}
END_TEST

START_TEST(test_ipv6_nonfirst_fragment)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_TCP, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	want.key_flags = NETOBS_KEY_F_FRAGMENT;
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_HOPOPTS);
	put_ext_opts(&p, IPPROTO_FRAGMENT, 0);
	put_ext_frag(&p, IPPROTO_TCP, 181, 0); /* last fragment */
	put_tcp(&p, 6666, 22, NETOBS_TCP_SYN); /* payload shaped like TCP */
	ipv6_finish(&p, ip);
	CHECK_TC(&p, &want, 0, NETOBS_CNT_FRAGMENTS);
}
END_TEST

/*
 * Next headers outside the allow-list are the L4 protocol: 253
 * (experimental) followed by bytes shaped like a Destination Options header
 * and a UDP header, and ESP (50), must not be walked.
 */
static const uint8_t opaque_nexthdrs[] = {253, IPPROTO_ESP, 59 /* No Next Header */};

START_TEST(test_ipv6_unknown_nexthdr)
{
	uint8_t nexthdr = opaque_nexthdrs[_i];
	struct netobs_flow_key want = key_v6(TC, nexthdr, 0, 0);
	struct pkt p = {.len = 0};
	size_t ip;

	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, nexthdr);
	put_ext_opts(&p, IPPROTO_UDP, 0);
	put_udp(&p, 1111, 2222, 0);
	ipv6_finish(&p, ip);
	CHECK_TC(&p, &want, 0);
}
END_TEST

/* ---- Ethernet and VLAN --------------------------------------------- */

static void build_tagged_v4_tcp(struct pkt *p, const uint16_t *tpids, const uint16_t *vids,
				int ntags)
{
	size_t ip;
	int i;

	p->len = 0;
	put_eth(p, ntags ? tpids[0] : ETH_P_IP);
	for (i = 0; i < ntags; i++)
		put_vlan(p, vids[i], i + 1 < ntags ? tpids[i + 1] : ETH_P_IP);
	ip = put_ipv4(p, IPPROTO_TCP);
	put_tcp(p, SPORT, DPORT, NETOBS_TCP_ACK);
	ipv4_finish(p, ip);
}

START_TEST(test_vlan_8021q)
{
	static const uint16_t tpids[] = {ETH_P_8021Q}, vids[] = {100};
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	want.vlan_id = 100;
	build_tagged_v4_tcp(&p, tpids, vids, 1);
	CHECK_TC(&p, &want, NETOBS_TCP_ACK);
}
END_TEST

START_TEST(test_vlan_8021ad_single)
{
	static const uint16_t tpids[] = {ETH_P_8021AD}, vids[] = {4094};
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	want.vlan_id = 4094;
	build_tagged_v4_tcp(&p, tpids, vids, 1);
	CHECK_TC(&p, &want, NETOBS_TCP_ACK);
}
END_TEST

START_TEST(test_vlan_qinq)
{
	static const uint16_t tpids[] = {ETH_P_8021AD, ETH_P_8021Q}, vids[] = {200, 300};
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	want.vlan_id = 200; /* outermost */
	build_tagged_v4_tcp(&p, tpids, vids, 2);
	CHECK_TC(&p, &want, NETOBS_TCP_ACK);
}
END_TEST

START_TEST(test_vlan_three_tags)
{
	static const uint16_t tpids[] = {ETH_P_8021AD, ETH_P_8021Q, ETH_P_8021Q},
			      vids[] = {10, 20, 30};
	struct netobs_flow_key want = key_non_ip(TC, ETH_P_8021Q); /* the third tag's TPID */
	struct pkt p;

	want.vlan_id = 10;
	build_tagged_v4_tcp(&p, tpids, vids, 3);
	CHECK_TC(&p, &want, 0, NETOBS_CNT_VLAN_LIMIT);
}
END_TEST

static const uint16_t non_ip_types[] = {ETH_P_ARP, 0x88cc /* LLDP */, ETH_P_MPLS_UC};

START_TEST(test_non_ip)
{
	uint16_t type = non_ip_types[_i];
	struct netobs_flow_key want = key_non_ip(TC, type);
	struct pkt p = {.len = 0};

	put_eth(&p, type);
	put_fill(&p, 0x45, 28); /* looks like an IPv4 header start: must be ignored */
	CHECK_TC(&p, &want, 0, NETOBS_CNT_NON_IP);
	want.hook = NETOBS_HOOK_XDP;
	CHECK_XDP(&p, &want, 0, NETOBS_CNT_NON_IP);
}
END_TEST

/* A non-IP EtherType behind a tag: NON_IP, with the tag's ID. */
START_TEST(test_vlan_non_ip)
{
	struct netobs_flow_key want = key_non_ip(TC, ETH_P_ARP);
	struct pkt p = {.len = 0};

	want.vlan_id = 7;
	put_eth(&p, ETH_P_8021Q);
	put_vlan(&p, 7, ETH_P_ARP);
	put_fill(&p, 0, 28);
	CHECK_TC(&p, &want, 0, NETOBS_CNT_NON_IP);
}
END_TEST

/* ---- hooks ------------------------------------------------------------ */

START_TEST(test_tc_egress_hook)
{
	struct netobs_flow_key want = key_v4(NETOBS_HOOK_TC_EGRESS, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	build_v4_tcp(&p, SPORT, DPORT, NETOBS_TCP_ACK);
	check_packet(NETOBS_HOOK_TC_EGRESS, &p, &want, NETOBS_TCP_ACK, NULL, 0);
}
END_TEST

START_TEST(test_xdp_ipv4_tcp)
{
	struct netobs_flow_key want = key_v4(NETOBS_HOOK_XDP, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	build_v4_tcp(&p, SPORT, DPORT, NETOBS_TCP_SYN);
	CHECK_XDP(&p, &want, NETOBS_TCP_SYN);
}
END_TEST

START_TEST(test_xdp_vlan)
{
	static const uint16_t tpids[] = {ETH_P_8021AD, ETH_P_8021Q}, vids[] = {5, 6};
	struct netobs_flow_key want = key_v4(NETOBS_HOOK_XDP, IPPROTO_TCP, SPORT, DPORT);
	struct pkt p;

	want.vlan_id = 5;
	build_tagged_v4_tcp(&p, tpids, vids, 2);
	CHECK_XDP(&p, &want, NETOBS_TCP_ACK);
}
END_TEST

/* ---- fast path and events ------------------------------------------ */

/* The datapath's time base (bpf/lib/clock.h). */
static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* An exact time (a new entry's first_seen, an event's) of a packet run between t0 and t1. */
static void expect_exact_time(uint64_t ts, uint64_t t0, uint64_t t1)
{
	ck_assert_uint_ge(ts, t0);
	ck_assert_uint_le(ts, t1);
}

/*
 * A time from the datapath's per-packet tick clock (a later packet's
 * last_seen), for a packet run between t0 and t1 (CLOCK_MONOTONIC): never
 * before t0 (the end of the packet's tick), less than two ticks after t1,
 * and a whole number of ticks from the offset the first packet measured.
 */
static void expect_tick_time(uint64_t ts, uint64_t t0, uint64_t t1)
{
	uint64_t offset = H.skel->bss->netobs_clock_offset_ns;

	ck_assert_uint_ne(offset, 0);
	ck_assert_uint_ge(ts, t0);
	ck_assert_uint_le(ts, t1 + 2 * H.tick_ns);
	ck_assert_uint_eq((ts - offset) % H.tick_ns, 0);
}

static void expect_event(int i, uint16_t type, const struct netobs_flow_key *key, uint16_t flags,
			 uint64_t bytes, uint64_t t0, uint64_t t1)
{
	const struct netobs_flow_event *ev = &H.events[i];

	ck_assert_uint_eq(ev->hdr.version, NETOBS_ABI_VERSION);
	ck_assert_uint_eq(ev->hdr.type, type);
	ck_assert_uint_eq(ev->hdr.len, sizeof(struct netobs_flow_event));
	ck_assert_int_lt(ev->hdr.cpu, H.ncpu);
	expect_exact_time(ev->hdr.ts_ns, t0, t1);
	ck_assert(!memcmp(&ev->key, key, sizeof(*key)));
	ck_assert_uint_eq(ev->packets, 1);
	ck_assert_uint_eq(ev->bytes, bytes);
	ck_assert_uint_eq(ev->tcp_flags, flags);
	ck_assert_uint_eq(ev->reserved, 0);
}

START_TEST(test_same_flow_events)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	uint64_t counters[NETOBS_CNT__MAX] = {0};
	struct pkt syn, ack, fin;
	struct flow_entry flow;
	uint64_t t0, t1, t2;

	build_v4_tcp(&syn, SPORT, DPORT, NETOBS_TCP_SYN);
	build_v4_tcp(&ack, SPORT, DPORT, NETOBS_TCP_ACK);
	build_v4_tcp(&fin, SPORT, DPORT, NETOBS_TCP_FIN | NETOBS_TCP_ACK);
	fin.len -= 4; /* a different size, to tell the events apart */

	t0 = monotonic_ns();
	run_tc(&syn);
	t1 = monotonic_ns();
	run_tc(&ack); /* existing entry, no SYN/FIN/RST: no event */
	flow = expect_one_flow(&want, 2, syn.len + ack.len);
	ck_assert_uint_eq(flow.tcp_flags, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	expect_exact_time(flow.first_seen_ns, t0, t1);
	expect_tick_time(flow.last_seen_ns, t1, monotonic_ns()); /* the ACK's */
	ck_assert_int_eq(harness_consume_events(), 1);
	expect_event(0, NETOBS_EVENT_FLOW_NEW, &want, NETOBS_TCP_SYN, syn.len, t0, t1);

	run_tc(&fin);
	t2 = monotonic_ns();
	flow = expect_one_flow(&want, 3, syn.len + ack.len + fin.len);
	ck_assert_uint_eq(flow.tcp_flags, NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN);
	expect_tick_time(flow.last_seen_ns, t1, t2);
	ck_assert_uint_ge(flow.last_seen_ns, flow.first_seen_ns);
	ck_assert_int_eq(harness_consume_events(), 1);
	expect_event(1, NETOBS_EVENT_TCP_FLAGS, &want, NETOBS_TCP_FIN | NETOBS_TCP_ACK, fin.len, t1,
		     t2);

	counters[NETOBS_CNT_PACKETS] = 3;
	counters[NETOBS_CNT_BYTES] = syn.len + ack.len + fin.len;
	counters[NETOBS_CNT_EVENTS] = 2;
	expect_counters(counters);
}
END_TEST

/* The same 5-tuple at different hooks, or on the reverse path, is a
 * different entry. */
START_TEST(test_flows_are_per_hook_and_direction)
{
	struct pkt fwd, rev;
	struct flow_entry flows[8];

	build_v4_tcp(&fwd, SPORT, DPORT, NETOBS_TCP_ACK);
	build_v4_tcp(&rev, DPORT, SPORT, NETOBS_TCP_ACK);
	run_tc(&fwd);
	run_tc_prog(H.skel->progs.netobs_tc_egress, &fwd, 0, 0);
	run_xdp(&fwd);
	run_tc(&rev);
	run_tc(&fwd);
	ck_assert_int_eq(flows_read(flows, 8), 4);
	ck_assert_int_eq(harness_consume_events(), 4);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath");
	TCase *tc;

/* One load per test case group (verification takes ~0.1 s per program);
 * every test starts from empty maps. */
#define ADD_TCASE(name)                                                                            \
	tc = tcase_create(name);                                                                   \
	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);                              \
	tcase_add_checked_fixture(tc, harness_reset, NULL);                                        \
	tcase_set_timeout(tc, 60);                                                                 \
	suite_add_tcase(s, tc)
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

	ADD_TCASE("ipv4");
	tcase_add_loop_test(tc, test_ipv4_tcp_flags, 0, N(tcp_flag_cases));
	tcase_add_loop_test(tc, test_ipv4_options, 6, 16);
	tcase_add_test(tc, test_ipv4_udp);
	tcase_add_test(tc, test_ipv4_sctp);
	tcase_add_loop_test(tc, test_ipv4_icmp, 0, N(icmp_cases));
	tcase_add_test(tc, test_ipv4_other_proto);
	tcase_add_test(tc, test_ipv4_first_fragment);
	tcase_add_loop_test(tc, test_ipv4_nonfirst_fragment, 0, N(frag_cases));

	ADD_TCASE("ipv6");
	tcase_add_test(tc, test_ipv6_tcp);
	tcase_add_test(tc, test_ipv6_udp);
	tcase_add_test(tc, test_ipv6_icmpv6);
	tcase_add_loop_test(tc, test_ipv6_each_exthdr, 0, N(single_exthdrs));
	tcase_add_test(tc, test_ipv6_exthdr_chain);
	tcase_add_test(tc, test_ipv6_exthdr_bound);
	tcase_add_test(tc, test_ipv6_nonfirst_fragment);
	tcase_add_loop_test(tc, test_ipv6_unknown_nexthdr, 0, N(opaque_nexthdrs));

	ADD_TCASE("ethernet");
	tcase_add_test(tc, test_vlan_8021q);
	tcase_add_test(tc, test_vlan_8021ad_single);
	tcase_add_test(tc, test_vlan_qinq);
	tcase_add_test(tc, test_vlan_three_tags);
	tcase_add_loop_test(tc, test_non_ip, 0, N(non_ip_types));
	tcase_add_test(tc, test_vlan_non_ip);

	ADD_TCASE("hooks");
	tcase_add_test(tc, test_tc_egress_hook);
	tcase_add_test(tc, test_xdp_ipv4_tcp);
	tcase_add_test(tc, test_xdp_vlan);

	ADD_TCASE("events");
	tcase_add_test(tc, test_same_flow_events);
	tcase_add_test(tc, test_flows_are_per_hook_and_direction);
	return s;
}
