// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * L7 slices over a flow's life and at the edges: the continuation budget of
 * a split HTTP head, the slice bound, cut and fragmented packets, other
 * frame shapes (VLAN, L3 devices, XDP, GSO) and a full ring buffer.
 */
#include "l7_harness.h"

#define CPORT 40000 /* client */
#define SPORT 8080  /* server: not marked, HTTP found by content */

static cpu_set_t allowed_cpus;

/* The budget lives in this CPU's copy of the flow: keep every run on one. */
static void pin_here(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	ck_assert_int_ge(cpu, 0);
	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
}

static void unpin(void)
{
	ck_assert_int_eq(sched_setaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
}

static void send_segment(uint32_t seq, const char *text)
{
	struct pkt p;

	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, seq, (const uint8_t *)text,
			  strlen(text));
	run_tc(&p);
}

/* The handshake's ACK creates the flow entry (no payload, no event). */
static void open_flow(void)
{
	struct pkt p;

	build_v4_tcp(&p, CPORT, SPORT, NETOBS_TCP_ACK);
	p.len -= 10; /* build_v4_tcp() adds 10 bytes of payload */
	set_be16(&p, ETH_HLEN + 2, p.len - ETH_HLEN);
	run_tc(&p);
	expect_l7_events(0);
}

static const char *const split_head[] = {
	"GET /big HTTP/1.1\r\nHost: example.com\r\n", /* start, no blank line */
	"Accept: */*\r\n",
	"Cookie: a=1\r\n",
	"X-Long: yes\r\n",
	"\r\n", /* a 4th: past the budget */
};

/* A head split over segments: the start and NETOBS_L7_CONT_SEGMENTS more. */
START_TEST(test_http_continuation_budget)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, CPORT, SPORT);
	uint32_t seq = 5000, seqs[5];
	uint64_t bytes = 0;
	int i;

	ck_assert_int_eq(NETOBS_L7_CONT_SEGMENTS, 3);
	pin_here();
	open_flow();
	for (i = 0; i < 5; i++) {
		seqs[i] = seq;
		send_segment(seq, split_head[i]);
		seq += strlen(split_head[i]);
		if (i < 4)
			bytes += strlen(split_head[i]);
	}
	unpin();
	expect_l7_events(4);
	for (i = 0; i < 4; i++)
		expect_l7(i, &want, i ? NETOBS_L7_HINT_HTTP_CONT : NETOBS_L7_HINT_HTTP_START,
			  seqs[i], NETOBS_TCP_ACK, (const uint8_t *)split_head[i],
			  strlen(split_head[i]), strlen(split_head[i]));
	expect_l7_counters(6, 4, bytes, 0);
}
END_TEST

/* A start that holds the whole head needs no continuation. */
START_TEST(test_http_complete_head_no_budget)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, CPORT, SPORT);

	pin_here();
	open_flow();
	send_segment(1, HTTP_GET_TEXT);
	send_segment(1 + HTTP_GET_LEN, "body bytes, not a head");
	unpin();
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
}
END_TEST

/* A new start resets the budget; the next message gets its own. */
START_TEST(test_http_budget_restarts)
{
	pin_here();
	open_flow();
	send_segment(1, split_head[0]);
	send_segment(100, split_head[1]);
	send_segment(200, split_head[0]); /* pipelined next request */
	send_segment(300, split_head[1]);
	send_segment(400, split_head[2]);
	send_segment(500, split_head[3]);
	send_segment(600, split_head[4]); /* 4th after the second start */
	unpin();
	expect_l7_events(6);
	ck_assert_uint_eq(l7_got[2].ev.hint, NETOBS_L7_HINT_HTTP_START);
	ck_assert_uint_eq(l7_got[5].ev.hint, NETOBS_L7_HINT_HTTP_CONT);
	ck_assert_uint_eq(l7_got[5].ev.seq, 500);
}
END_TEST

/* The packet that creates the flow entry has no per-CPU value to hold a
 * budget (docs/datapath.md): its start is copied, its continuation not. */
START_TEST(test_http_first_packet_no_budget)
{
	pin_here();
	send_segment(1, split_head[0]);
	send_segment(100, split_head[1]);
	unpin();
	expect_l7_events(1);
	ck_assert_uint_eq(l7_got[0].ev.hint, NETOBS_L7_HINT_HTTP_START);
}
END_TEST

/* The budget is the flow direction's: the answer does not use it. */
START_TEST(test_http_budget_per_direction)
{
	struct pkt p;

	pin_here();
	open_flow();
	build_v4_tcp(&p, SPORT, CPORT, NETOBS_TCP_ACK); /* the server's side exists too */
	run_tc(&p);
	send_segment(1, split_head[0]);
	build_v4_tcp_data(&p, SPORT, CPORT, NETOBS_TCP_ACK, 9, (const uint8_t *)"body", 4);
	run_tc(&p);
	unpin();
	expect_l7_events(1);
}
END_TEST

/* ---- bounds -------------------------------------------------------------------- */

/* 3000 bytes of payload: 2048 copied, payload_len tells the whole. */
START_TEST(test_slice_bound)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, CPORT, SPORT);
	static uint8_t payload[3000];
	struct pkt p;
	size_t i;

	memcpy(payload, "POST /upload HTTP/1.1\r\n", 23);
	for (i = 23; i < sizeof(payload); i++)
		payload[i] = 'a' + i % 26;
	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 77, payload, sizeof(payload));
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 77, NETOBS_TCP_ACK, payload, sizeof(payload),
		  NETOBS_L7_SLICE_MAX);
	expect_l7_counters(1, 1, NETOBS_L7_SLICE_MAX, 1);
}
END_TEST

/* Ethernet padding after a pure ACK is not payload, whatever it reads. */
START_TEST(test_padding_is_not_payload)
{
	struct pkt p;

	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	set_be16(&p, ETH_HLEN + 2, 40); /* the datagram ends after the TCP header */
	run_tc(&p);
	expect_l7_events(0);
	expect_l7_counters(1, 0, 0, 0);
}
END_TEST

/* Padding after a payload: only the datagram's bytes are copied. */
START_TEST(test_padding_after_payload)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, CPORT, 53);
	struct pkt p;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_udp(&p, CPORT, 53, DNS_QUERY, sizeof(DNS_QUERY));
	put_fill(&p, 0xee, 17);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_QUERY, sizeof(DNS_QUERY),
		  sizeof(DNS_QUERY));
}
END_TEST

/* IP says more than the frame holds: the bytes that are there are copied,
 * and payload_len says how many (the rest never reached this hook). */
START_TEST(test_ip_length_beyond_frame)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, CPORT, SPORT);
	struct pkt p;

	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 3, HTTP_GET, HTTP_GET_LEN);
	set_be16(&p, ETH_HLEN + 2, 1500);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 3, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
}
END_TEST

/* A frame cut inside the TCP header: TRUNCATED, counted, no slice. */
START_TEST(test_cut_in_tcp_header)
{
	uint64_t got[NETOBS_CNT__MAX];
	struct pkt p;

	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 3, HTTP_GET, HTTP_GET_LEN);
	p.len = ETH_HLEN + 20 + 12;
	run_tc(&p);
	expect_l7_events(0);
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_TRUNCATED], 1);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_EVENTS], 0);
}
END_TEST

/* ---- fragments ------------------------------------------------------------------ */

/* IPv4: a first fragment (MF, offset 0) has whole headers but half a
 * message; a later one has no L4 header. Neither is copied. */
static const uint16_t v4_frag_fields[] = {0x2000, 0x2000 | 185, 185};

START_TEST(test_ipv4_fragments)
{
	struct pkt p;
	size_t ip;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, 5, IPPROTO_UDP, v4_frag_fields[_i]);
	put_udp(&p, CPORT, 53, 1600);
	put_bytes(&p, DNS_QUERY, sizeof(DNS_QUERY));
	ipv4_finish(&p, ip);
	run_tc(&p);
	/* and TCP that starts like HTTP */
	p.len = 0;
	put_eth(&p, ETH_P_IP);
	ip = put_ipv4_full(&p, 4, 5, IPPROTO_TCP, v4_frag_fields[_i]);
	put_tcp(&p, CPORT, SPORT, NETOBS_TCP_ACK);
	put_bytes(&p, HTTP_GET, HTTP_GET_LEN);
	ipv4_finish(&p, ip);
	run_tc(&p);
	expect_l7_events(0);
}
END_TEST

/* IPv6: the first fragment of a UDP datagram (its length says more than the
 * fragment holds), and a later fragment. An atomic fragment (offset 0, no
 * M flag) is a whole datagram: copied. */
START_TEST(test_ipv6_fragments)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, CPORT, 53);
	static const struct {
		uint16_t offset;
		int more;
		uint16_t udp_payload;
		int copied;
	} cases[] = {
		{0, 1, 1600, 0},
		{185, 0, sizeof(DNS_QUERY), 0},
		{0, 0, sizeof(DNS_QUERY), 1},
	};
	struct pkt p;
	size_t ip;
	int i;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	for (i = 0; i < N(cases); i++) {
		p.len = 0;
		put_eth(&p, ETH_P_IPV6);
		ip = put_ipv6(&p, IPPROTO_FRAGMENT);
		put_ext_frag(&p, IPPROTO_UDP, cases[i].offset, cases[i].more);
		put_udp(&p, CPORT, 53, cases[i].udp_payload);
		put_bytes(&p, DNS_QUERY, sizeof(DNS_QUERY));
		ipv6_finish(&p, ip);
		run_tc(&p);
		expect_l7_events(cases[i].copied);
	}
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_QUERY, sizeof(DNS_QUERY),
		  sizeof(DNS_QUERY));
}
END_TEST

/* ---- frame shapes --------------------------------------------------------------- */

START_TEST(test_vlan_tagged)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, CPORT, 53);
	struct pkt p = {.len = 0};
	size_t ip;

	want.vlan_id = 42;
	l7_set_port(53, NETOBS_L7_PORT_DNS);
	put_eth(&p, ETH_P_8021Q);
	put_vlan(&p, 42, ETH_P_IP);
	ip = put_ipv4(&p, IPPROTO_UDP);
	put_udp(&p, CPORT, 53, sizeof(DNS_QUERY));
	put_bytes(&p, DNS_QUERY, sizeof(DNS_QUERY));
	ipv4_finish(&p, ip);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_QUERY, sizeof(DNS_QUERY),
		  sizeof(DNS_QUERY));
}
END_TEST

START_TEST(test_xdp)
{
	struct netobs_flow_key want = key_v4(XDP, IPPROTO_TCP, CPORT, SPORT);
	struct pkt p;

	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 11, HTTP_GET, HTTP_GET_LEN);
	run_xdp(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 11, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
}
END_TEST

/* The _l3 programs: the frame starts at the IP header. As in
 * test_datapath_l3.c, the source 8.0.0.1 puts 0x0800 where
 * BPF_PROG_TEST_RUN reads the frame's protocol. */
START_TEST(test_l3_device)
{
	static const uint8_t src[4] = {8, 0, 0, 1}, dst[4] = {10, 99, 0, 2};
	struct netobs_flow_key want = key_base(TC, ETH_P_IP);
	struct bpf_program *progs[] = {H.skel->progs.netobs_tc_ingress_l3,
				       H.skel->progs.netobs_tc_egress_l3};
	struct pkt p = {.len = 0};
	int i;

	want.family = NETOBS_FAMILY_IPV4;
	want.proto = IPPROTO_TCP;
	memcpy(want.saddr, src, 4);
	memcpy(want.daddr, dst, 4);
	want.sport = htons(CPORT);
	want.dport = htons(80);
	put_u8(&p, 0x45);
	put_u8(&p, 0);
	put_be16(&p, 0);
	put_be16(&p, 1);
	put_be16(&p, 0x4000);
	put_u8(&p, 64);
	put_u8(&p, IPPROTO_TCP);
	put_be16(&p, 0);
	put_bytes(&p, src, 4);
	put_bytes(&p, dst, 4);
	put_tcp(&p, CPORT, 80, NETOBS_TCP_ACK);
	put_bytes(&p, HTTP_GET, HTTP_GET_LEN);
	set_be16(&p, 2, p.len);
	for (i = 0; i < 2; i++) {
		want.hook = i ? NETOBS_HOOK_TC_EGRESS : NETOBS_HOOK_TC_INGRESS;
		run_tc_prog(progs[i], &p, 0, 0);
		expect_l7_events(1);
		expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1000 /* put_tcp() */, NETOBS_TCP_ACK,
			  HTTP_GET, HTTP_GET_LEN, HTTP_GET_LEN);
	}
}
END_TEST

/* A pure ACK: no payload, no slice, and the counters of any packet. */
START_TEST(test_pure_ack)
{
	uint64_t want[NETOBS_CNT__MAX] = {0};
	struct pkt p;

	l7_set_port(SPORT, NETOBS_L7_PORT_DNS | NETOBS_L7_PORT_HTTP);
	build_v4_tcp(&p, CPORT, SPORT, NETOBS_TCP_ACK);
	p.len -= 10;
	set_be16(&p, ETH_HLEN + 2, p.len - ETH_HLEN);
	run_tc(&p);
	expect_l7_events(0);
	want[NETOBS_CNT_PACKETS] = 1;
	want[NETOBS_CNT_BYTES] = p.len;
	want[NETOBS_CNT_EVENTS] = 1; /* FLOW_NEW */
	expect_counters(want);
}
END_TEST

/* A GSO skb with an IP length of 0 (BIG TCP): the payload is all of
 * skb->len after the headers. */
START_TEST(test_gso_big_tcp)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, CPORT, SPORT);
	static uint8_t payload[3000];
	struct pkt p;

	memcpy(payload, HTTP_GET, HTTP_GET_LEN);
	memset(payload + HTTP_GET_LEN, 'z', sizeof(payload) - HTTP_GET_LEN);
	build_v4_tcp_data(&p, CPORT, SPORT, NETOBS_TCP_ACK, 21, payload, sizeof(payload));
	set_be16(&p, ETH_HLEN + 2, 0);
	run_tc_prog(H.skel->progs.netobs_tc_ingress, &p, 3, 1000);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 21, NETOBS_TCP_ACK, payload, sizeof(payload),
		  NETOBS_L7_SLICE_MAX);
}
END_TEST

/* ---- ring buffer -------------------------------------------------------------- */

/*
 * A 4 KiB ring buffer, never consumed. Each DNS event takes an 8-byte record
 * header plus its exact size rounded to 8: 8 + 80 + 32 (29 bytes of query)
 * = 120, after the flow's FLOW_NEW (8 + 80). Had each event reserved the
 * largest slice, not one would fit.
 */
START_TEST(test_ring_full)
{
	const uint32_t ring = 4096, sent = 50;
	const uint32_t fit = (ring - (8 + sizeof(struct netobs_flow_event))) / 120;
	uint64_t got[NETOBS_CNT__MAX];
	struct pkt p;
	uint32_t i;

	ck_assert_uint_eq(fit, 33);
	harness_stop();
	harness_start_sized(0, ring);
	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_udp(&p, CPORT, 53, DNS_QUERY, sizeof(DNS_QUERY));
	for (i = 0; i < sent; i++)
		run_tc(&p);
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_EVENTS], fit);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_BYTES], fit * sizeof(DNS_QUERY));
	ck_assert_uint_eq(got[NETOBS_CNT_RINGBUF_FULL], sent - fit);
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], 1 + fit);
	ck_assert_uint_eq(got[NETOBS_CNT_L7_COPY_ERROR], 0);
	harness_consume_events();
	ck_assert_int_eq(H.bad_event_size, 0);
	ck_assert_int_eq(H.nevents, 1);
	ck_assert_int_eq(H.l7_total, (int)fit);
	harness_stop();
	harness_start();
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_l7_flow");
	TCase *tc;

	ADD_TCASE("budget");
	tcase_add_test(tc, test_http_continuation_budget);
	tcase_add_test(tc, test_http_complete_head_no_budget);
	tcase_add_test(tc, test_http_budget_restarts);
	tcase_add_test(tc, test_http_first_packet_no_budget);
	tcase_add_test(tc, test_http_budget_per_direction);

	ADD_TCASE("bounds");
	tcase_add_test(tc, test_slice_bound);
	tcase_add_test(tc, test_padding_is_not_payload);
	tcase_add_test(tc, test_padding_after_payload);
	tcase_add_test(tc, test_ip_length_beyond_frame);
	tcase_add_test(tc, test_cut_in_tcp_header);
	tcase_add_loop_test(tc, test_ipv4_fragments, 0, N(v4_frag_fields));
	tcase_add_test(tc, test_ipv6_fragments);

	ADD_TCASE("shapes");
	tcase_add_test(tc, test_vlan_tagged);
	tcase_add_test(tc, test_xdp);
	tcase_add_test(tc, test_l3_device);
	tcase_add_test(tc, test_pure_ack);
	tcase_add_test(tc, test_gso_big_tcp);

	ADD_TCASE("ring");
	tcase_add_test(tc, test_ring_full);
	return s;
}
