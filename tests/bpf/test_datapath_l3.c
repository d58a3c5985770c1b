// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The TC programs for devices without an Ethernet header
 * (netobs_tc_ingress_l3 / netobs_tc_egress_l3): frames that start at the IP
 * header, their protocol given by skb->protocol.
 *
 * BPF_PROG_TEST_RUN sets skb->protocol with eth_type_trans(), from bytes
 * 12-13 of the data, and wants a whole IP header 14 bytes in when those
 * say IPv4/IPv6. So each IP frame here uses a source address that puts the
 * EtherType it stands for at bytes 12-13 (8.0.0.1 for IPv4; 2001:db8:86dd::1
 * for IPv6, whose bytes 4-5 sit there), and is long enough. The test knows
 * every byte it wrote; the expected keys are built from the same constants.
 */
#include "datapath_harness.h"

#define SPORT 51000
#define DPORT 4789

static const uint8_t L3_V4_SRC[4] = {8, 0, 0, 1}; /* bytes 12-13 of the frame: 0x0800 */
static const uint8_t L3_V4_DST[4] = {10, 99, 0, 2};
static const uint8_t L3_V6_SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0x86, 0xdd, [15] = 1};
static const uint8_t L3_V6_DST[16] = {0xfd, 0x00, 0x00, 0x99, [15] = 2};

/* IPv4 header (no options) + L4 proto; tot_len fixed by the caller. */
static void put_l3_ipv4(struct pkt *p, uint8_t proto)
{
	put_u8(p, 0x45);
	put_u8(p, 0);
	put_be16(p, 0); /* total length: set_be16(p, 2, ...) */
	put_be16(p, 0x4242);
	put_be16(p, 0x4000);
	put_u8(p, 64);
	put_u8(p, proto);
	put_be16(p, 0);
	put_bytes(p, L3_V4_SRC, 4);
	put_bytes(p, L3_V4_DST, 4);
}

static void build_l3_v4_tcp(struct pkt *p, uint16_t flags, size_t payload)
{
	p->len = 0;
	put_l3_ipv4(p, IPPROTO_TCP);
	put_tcp(p, SPORT, DPORT, flags);
	put_fill(p, 'w', payload);
	set_be16(p, 2, p->len);
	ck_assert_uint_eq(p->b[12] << 8 | p->b[13], ETH_P_IP); /* the kernel's skb->protocol */
}

static void build_l3_v6_udp(struct pkt *p)
{
	p->len = 0;
	put_be32(p, 0x60000000);
	put_be16(p, 0); /* payload length, below */
	put_u8(p, IPPROTO_UDP);
	put_u8(p, 64);
	put_bytes(p, L3_V6_SRC, 16);
	put_bytes(p, L3_V6_DST, 16);
	put_udp(p, SPORT, DPORT, 20);
	put_fill(p, 'v', 20);
	set_be16(p, 4, p->len - 40);
	ck_assert_uint_eq(p->b[12] << 8 | p->b[13], ETH_P_IPV6);
}

static struct netobs_flow_key l3_key(uint8_t hook, int family, uint8_t proto)
{
	struct netobs_flow_key k = key_base(hook, family == 4 ? ETH_P_IP : ETH_P_IPV6);

	k.family = family;
	k.proto = proto;
	if (family == 4) {
		memcpy(k.saddr, L3_V4_SRC, 4);
		memcpy(k.daddr, L3_V4_DST, 4);
	} else {
		memcpy(k.saddr, L3_V6_SRC, 16);
		memcpy(k.daddr, L3_V6_DST, 16);
	}
	k.sport = htons(SPORT);
	k.dport = htons(DPORT);
	return k;
}

/* One packet through prog: one flow with want, p->len bytes (no Ethernet
 * header to add), the given TCP flags and extra counter, one FLOW_NEW. */
static void check_l3(struct bpf_program *prog, const struct pkt *p,
		     const struct netobs_flow_key *want, uint16_t tcp_flags, int extra)
{
	uint64_t counters[NETOBS_CNT__MAX] = {0};
	struct flow_entry flow;

	harness_reset();
	run_tc_prog(prog, p, 0, 0);
	flow = expect_one_flow(want, 1, p->len);
	ck_assert_uint_eq(flow.tcp_flags, tcp_flags);
	counters[NETOBS_CNT_PACKETS] = 1;
	counters[NETOBS_CNT_BYTES] = p->len;
	counters[NETOBS_CNT_EVENTS] = 1;
	if (extra >= 0)
		counters[extra] = 1;
	expect_counters(counters);
	ck_assert_int_eq(harness_consume_events(), 1);
	ck_assert(!memcmp(&H.events[0].key, want, sizeof(*want)));
}

START_TEST(test_l3_ipv4_tcp_both_hooks)
{
	struct netobs_flow_key want = l3_key(NETOBS_HOOK_TC_INGRESS, 4, IPPROTO_TCP);
	struct pkt p;

	build_l3_v4_tcp(&p, NETOBS_TCP_SYN, 12);
	check_l3(H.skel->progs.netobs_tc_ingress_l3, &p, &want, NETOBS_TCP_SYN, -1);
	want.hook = NETOBS_HOOK_TC_EGRESS;
	check_l3(H.skel->progs.netobs_tc_egress_l3, &p, &want, NETOBS_TCP_SYN, -1);
}
END_TEST

START_TEST(test_l3_ipv6_udp)
{
	struct netobs_flow_key want = l3_key(NETOBS_HOOK_TC_EGRESS, 6, IPPROTO_UDP);
	struct pkt p;

	build_l3_v6_udp(&p);
	check_l3(H.skel->progs.netobs_tc_egress_l3, &p, &want, 0, -1);
}
END_TEST

/* What the Ethernet program makes of the same bytes (the bug on tun, wg,
 * ipip): the source address read as an EtherType, and an "IP header" 14
 * bytes in: not the flow that was sent. */
START_TEST(test_l3_frame_on_ethernet_program)
{
	struct netobs_flow_key want = l3_key(NETOBS_HOOK_TC_INGRESS, 4, IPPROTO_TCP);
	struct flow_entry got[2];
	struct pkt p;

	build_l3_v4_tcp(&p, NETOBS_TCP_ACK, 12);
	run_tc(&p);
	ck_assert_int_eq(flows_read(got, 2), 1);
	ck_assert(memcmp(&got[0].key, &want, sizeof(want)));
	ck_assert(memcmp(got[0].key.saddr, L3_V4_SRC, 4));
}
END_TEST

/* GSO on an L3 device: the repeated headers are the IP and TCP headers. */
START_TEST(test_l3_gso)
{
	struct netobs_flow_key want = l3_key(NETOBS_HOOK_TC_EGRESS, 4, IPPROTO_TCP);
	const size_t headers = 20 + 20, payload = 2800, gso_size = 1400;
	uint32_t segs = (payload + gso_size - 1) / gso_size;
	uint64_t bytes;
	struct pkt p;

	build_l3_v4_tcp(&p, NETOBS_TCP_ACK, payload);
	bytes = p.len + (segs - 1) * headers;
	run_tc_prog(H.skel->progs.netobs_tc_egress_l3, &p, 0, gso_size);
	expect_one_flow(&want, segs, bytes);
}
END_TEST

/* Another protocol on an L3 device (MPLS): family NONE, its EtherType, no
 * MACs (there are none), counted NON_IP. */
START_TEST(test_l3_non_ip)
{
	struct netobs_flow_key want = key_base(NETOBS_HOOK_TC_INGRESS, ETH_P_MPLS_UC);
	struct pkt p = {.len = 0};

	put_fill(&p, 0x45, 12); /* starts like IPv4: must not be read as such */
	put_be16(&p, ETH_P_MPLS_UC);
	put_fill(&p, 0x11, 30);
	check_l3(H.skel->progs.netobs_tc_ingress_l3, &p, &want, 0, NETOBS_CNT_NON_IP);
}
END_TEST

/* skb->protocol says IPv4, the version nibble says 6: MALFORMED, nothing
 * read from the header. */
START_TEST(test_l3_version_mismatch)
{
	struct netobs_flow_key want = key_base(NETOBS_HOOK_TC_INGRESS, ETH_P_IP);
	struct pkt p;

	build_l3_v4_tcp(&p, NETOBS_TCP_ACK, 12);
	p.b[0] = 0x65;
	want.family = NETOBS_FAMILY_IPV4;
	want.key_flags = NETOBS_KEY_F_MALFORMED;
	check_l3(H.skel->progs.netobs_tc_ingress_l3, &p, &want, 0, NETOBS_CNT_MALFORMED);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_l3");
	TCase *tc = tcase_create("l3");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, harness_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_l3_ipv4_tcp_both_hooks);
	tcase_add_test(tc, test_l3_ipv6_udp);
	tcase_add_test(tc, test_l3_frame_on_ethernet_program);
	tcase_add_test(tc, test_l3_gso);
	tcase_add_test(tc, test_l3_non_ip);
	tcase_add_test(tc, test_l3_version_mismatch);
	suite_add_tcase(s, tc);
	return s;
}
