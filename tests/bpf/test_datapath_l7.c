// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * L7 payload slices (NETOBS_EVENT_L7): which packets the datapath copies,
 * and every byte of the events it sends. Payloads are written here, byte by
 * byte; the expected event is built from the same bytes, never from what
 * the datapath reports. Continuation budgets, bounds and the ring buffer:
 * test_datapath_l7_flow.c.
 */
#include <time.h>
#include <unistd.h>

#include "l7_harness.h"

/* ---- DNS ---------------------------------------------------------------- */

START_TEST(test_dns_udp_ipv4)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, 40000, 53);
	struct pkt p;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_udp(&p, 40000, 53, DNS_QUERY, sizeof(DNS_QUERY));
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_QUERY, sizeof(DNS_QUERY),
		  sizeof(DNS_QUERY));
	expect_l7_counters(1, 1, sizeof(DNS_QUERY), 0);
}
END_TEST

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * L7 events carry the exact CLOCK_MONOTONIC time (the agent subtracts them:
 * a response's latency), not the flow's tick-granular one: a request and
 * its response 1 ms apart are 1 ms apart, not 0 or 4.
 */
START_TEST(test_l7_time_is_exact)
{
	uint64_t t0, t1, t2, t3;
	struct pkt q, r;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_udp(&q, 40000, 53, DNS_QUERY, sizeof(DNS_QUERY));
	build_v4_udp(&r, 53, 40000, DNS_RESPONSE, sizeof(DNS_RESPONSE));
	t0 = monotonic_ns();
	run_tc(&q);
	t1 = monotonic_ns();
	usleep(1500);
	t2 = monotonic_ns();
	run_tc(&r);
	t3 = monotonic_ns();
	expect_l7_events(2);
	ck_assert_uint_ge(l7_got[0].ev.hdr.ts_ns, t0);
	ck_assert_uint_le(l7_got[0].ev.hdr.ts_ns, t1);
	ck_assert_uint_ge(l7_got[1].ev.hdr.ts_ns, t2);
	ck_assert_uint_le(l7_got[1].ev.hdr.ts_ns, t3);
}
END_TEST

/* The answer comes from port 53: the source port counts as well. */
START_TEST(test_dns_udp_ipv6_response)
{
	struct netobs_flow_key want = key_v6(TC, IPPROTO_UDP, 53, 40000);
	struct pkt p;
	size_t ip;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	p.len = 0;
	put_eth(&p, ETH_P_IPV6);
	ip = put_ipv6(&p, IPPROTO_UDP);
	put_udp(&p, 53, 40000, sizeof(DNS_RESPONSE));
	put_bytes(&p, DNS_RESPONSE, sizeof(DNS_RESPONSE));
	ipv6_finish(&p, ip);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_RESPONSE, sizeof(DNS_RESPONSE),
		  sizeof(DNS_RESPONSE));
}
END_TEST

/* Not a DNS port: a DNS message is just UDP payload. Marked: copied. */
START_TEST(test_dns_port_must_be_marked)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_UDP, 40000, 5353);
	struct pkt p;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_udp(&p, 40000, 5353, DNS_QUERY, sizeof(DNS_QUERY));
	run_tc(&p);
	expect_l7_events(0);
	expect_l7_counters(1, 0, 0, 0);

	l7_set_port(5353, NETOBS_L7_PORT_DNS);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0, 0, DNS_QUERY, sizeof(DNS_QUERY),
		  sizeof(DNS_QUERY));
}
END_TEST

/* DNS over TCP: every payload segment on the port, with its sequence number. */
START_TEST(test_dns_tcp)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 53);
	uint8_t msg[2 + sizeof(DNS_QUERY)] = {0, sizeof(DNS_QUERY)};
	const uint16_t flags = NETOBS_TCP_PSH | NETOBS_TCP_ACK;
	struct pkt p;

	memcpy(msg + 2, DNS_QUERY, sizeof(DNS_QUERY));
	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_tcp_data(&p, 40000, 53, flags, 0x80000001u, msg, sizeof(msg));
	run_tc(&p);
	/* the next segment, whatever it holds */
	build_v4_tcp_data(&p, 40000, 53, flags, 0x80000001u + sizeof(msg), (const uint8_t *)"zz",
			  2);
	run_tc(&p);
	expect_l7_events(2);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 0x80000001u, flags, msg, sizeof(msg), sizeof(msg));
	expect_l7(1, &want, NETOBS_L7_HINT_DNS, 0x80000001u + sizeof(msg), flags,
		  (const uint8_t *)"zz", 2, 2);
}
END_TEST

/* A DNS port wins over HTTP content (and gives the DNS hint). */
START_TEST(test_dns_port_over_http_content)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 53);
	struct pkt p;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	build_v4_tcp_data(&p, 40000, 53, NETOBS_TCP_ACK, 7, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_DNS, 7, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
}
END_TEST

/* ---- HTTP by content ----------------------------------------------------- */

START_TEST(test_http_request_any_port)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 8080);
	const uint16_t flags = NETOBS_TCP_PSH | NETOBS_TCP_ACK;
	struct pkt p;

	build_v4_tcp_data(&p, 40000, 8080, flags, 1234567, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1234567, flags, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
	expect_l7_counters(1, 1, HTTP_GET_LEN, 0);
}
END_TEST

START_TEST(test_http_response)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 80, 40000);
	struct pkt p;

	build_v4_tcp_data(&p, 80, 40000, NETOBS_TCP_ACK, 99, (const uint8_t *)resp,
			  sizeof(resp) - 1);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 99, NETOBS_TCP_ACK, (const uint8_t *)resp,
		  sizeof(resp) - 1, sizeof(resp) - 1);
}
END_TEST

/* Every start the datapath knows, each on a fresh flow. */
static const char *const http_starts[] = {
	"GET / HTTP/1.1\r\n",	      "HEAD / HTTP/1.1\r\n",	    "POST /f HTTP/1.1\r\n",
	"PUT /f HTTP/1.1\r\n",	      "DELETE /f HTTP/1.1\r\n",	    "OPTIONS * HTTP/1.1\r\n",
	"PATCH /f HTTP/1.1\r\n",      "CONNECT h:443 HTTP/1.1\r\n", "TRACE / HTTP/1.1\r\n",
	"HTTP/1.0 404 Not Found\r\n",
};

START_TEST(test_http_every_start)
{
	const char *start = http_starts[_i];
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 80);
	struct pkt p;

	build_v4_tcp_data(&p, 40000, 80, NETOBS_TCP_ACK, 1, (const uint8_t *)start, strlen(start));
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1, NETOBS_TCP_ACK, (const uint8_t *)start,
		  strlen(start), strlen(start));
}
END_TEST

/* Payloads that must not be taken for HTTP, even on port 80. */
static const uint8_t TLS_CLIENT_HELLO[] = {
	0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, 0x5e, 0x1f, 0x00, 0x42,
	0x9a, 0x33, 0x10, 0x07, 0xc1, 0x00, 0x20, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x00, 0x0d,
};
static const char *const not_http[] = {
	"HTTP/2.0 200\r\n",	  /* not HTTP/1.x */
	"HTTPS is a protocol",	  /* starts with the word only */
	"PRI * HTTP/2.0\r\n\r\n", /* the HTTP/2 preface */
	"get / HTTP/1.1\r\n",	  /* methods are case-sensitive */
	"GE",			  /* too short to tell */
	"HTTP/1",		  /* too short for "HTTP/1." */
};

START_TEST(test_not_http_tls)
{
	struct pkt p;

	build_v4_tcp_data(&p, 40000, 80, NETOBS_TCP_ACK, 1, TLS_CLIENT_HELLO,
			  sizeof(TLS_CLIENT_HELLO));
	run_tc(&p);
	expect_l7_events(0);
	expect_l7_counters(1, 0, 0, 0);
}
END_TEST

START_TEST(test_not_http_text)
{
	const char *text = not_http[_i];
	struct pkt p;

	build_v4_tcp_data(&p, 40000, 80, NETOBS_TCP_ACK, 1, (const uint8_t *)text, strlen(text));
	run_tc(&p);
	expect_l7_events(0);
}
END_TEST

/* Random bytes from a fixed LCG; the first is kept off the start letters
 * (C D G H O P T) so the test knows the answer without asking the datapath. */
START_TEST(test_not_http_random)
{
	uint8_t bytes[600];
	uint32_t state = 0x2545f491u + _i;
	struct pkt p;
	size_t i;

	for (i = 0; i < sizeof(bytes); i++) {
		state = state * 1103515245u + 12345u;
		bytes[i] = state >> 16;
	}
	if (strchr("CDGHOPT", bytes[0]) && bytes[0])
		bytes[0] = 0xff;
	build_v4_tcp_data(&p, 40000, 8080, NETOBS_TCP_ACK, 1, bytes, sizeof(bytes));
	run_tc(&p);
	expect_l7_events(0);
}
END_TEST

/* UDP never carries HTTP/1.x: "GET " in a datagram is not copied. */
START_TEST(test_not_http_udp)
{
	struct pkt p;

	build_v4_udp(&p, 40000, 80, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(0);
}
END_TEST

/* ---- settings ---------------------------------------------------------------- */

START_TEST(test_http_ports_only)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 8080);
	struct pkt p;

	l7_set_port(8080, NETOBS_L7_PORT_HTTP);
	l7_set_config(NETOBS_L7_CFG_HTTP_PORTS_ONLY);
	build_v4_tcp_data(&p, 40000, 9090, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(0);
	build_v4_tcp_data(&p, 40000, 8080, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);
	/* An HTTP port still needs HTTP content. */
	build_v4_tcp_data(&p, 40000, 8080, NETOBS_TCP_ACK, 1, TLS_CLIENT_HELLO,
			  sizeof(TLS_CLIENT_HELLO));
	run_tc(&p);
	expect_l7_events(0);
}
END_TEST

START_TEST(test_disabled)
{
	struct pkt p;

	l7_set_port(53, NETOBS_L7_PORT_DNS);
	l7_set_config(NETOBS_L7_CFG_DISABLED);
	build_v4_tcp_data(&p, 40000, 80, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	build_v4_udp(&p, 40000, 53, DNS_QUERY, sizeof(DNS_QUERY));
	run_tc(&p);
	expect_l7_events(0);
	expect_l7_counters(2, 0, 0, 0);
}
END_TEST

/* datapath_set_l7() (the agent's setter) writes what the datapath reads. */
START_TEST(test_datapath_set_l7)
{
	const uint16_t dns[] = {53, 5353}, http[] = {8080};
	struct datapath dp = {
		.skel = H.skel,
	};
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, 40000, 8080);
	struct pkt p;

	ck_assert_int_eq(datapath_set_l7(&dp, dns, 2, http, 1, false), 0);
	ck_assert_uint_eq(l7_read_port(53), NETOBS_L7_PORT_DNS);
	ck_assert_uint_eq(l7_read_port(5353), NETOBS_L7_PORT_DNS);
	ck_assert_uint_eq(l7_read_port(8080), NETOBS_L7_PORT_HTTP);
	ck_assert_uint_eq(l7_read_port(80), 0);
	ck_assert_uint_eq(l7_read_config(), NETOBS_L7_CFG_HTTP_PORTS_ONLY);
	build_v4_tcp_data(&p, 40000, 80, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	build_v4_tcp_data(&p, 40000, 8080, NETOBS_TCP_ACK, 1, HTTP_GET, HTTP_GET_LEN);
	run_tc(&p);
	expect_l7_events(1);
	expect_l7(0, &want, NETOBS_L7_HINT_HTTP_START, 1, NETOBS_TCP_ACK, HTTP_GET, HTTP_GET_LEN,
		  HTTP_GET_LEN);

	/* A new setting replaces the whole old one. */
	ck_assert_int_eq(datapath_set_l7(&dp, dns + 1, 1, NULL, 0, true), 0);
	ck_assert_uint_eq(l7_read_port(53), 0);
	ck_assert_uint_eq(l7_read_port(5353), NETOBS_L7_PORT_DNS);
	ck_assert_uint_eq(l7_read_port(8080), 0);
	ck_assert_uint_eq(l7_read_config(), NETOBS_L7_CFG_DISABLED);
	ck_assert_int_eq(datapath_set_l7(&dp, NULL, 0, NULL, 0, false), 0);
	ck_assert_uint_eq(l7_read_port(5353), 0);
	ck_assert_uint_eq(l7_read_config(), 0);
}
END_TEST

/* Without a loaded skeleton there is nothing to write: an error, no crash,
 * and the loaded datapath's settings stay as they were. */
START_TEST(test_datapath_set_l7_not_loaded)
{
	const uint16_t dns[] = {53};
	struct datapath dp = {.skel = NULL};

	l7_set_port(80, NETOBS_L7_PORT_HTTP);
	l7_set_config(NETOBS_L7_CFG_HTTP_PORTS_ONLY);
	ck_assert_int_eq(datapath_set_l7(&dp, dns, 1, NULL, 0, true), -EINVAL);
	ck_assert_uint_eq(l7_read_port(53), 0);
	ck_assert_uint_eq(l7_read_port(80), NETOBS_L7_PORT_HTTP);
	ck_assert_uint_eq(l7_read_config(), NETOBS_L7_CFG_HTTP_PORTS_ONLY);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_l7");
	TCase *tc;

	ADD_TCASE("dns");
	tcase_add_test(tc, test_dns_udp_ipv4);
	tcase_add_test(tc, test_l7_time_is_exact);
	tcase_add_test(tc, test_dns_udp_ipv6_response);
	tcase_add_test(tc, test_dns_port_must_be_marked);
	tcase_add_test(tc, test_dns_tcp);
	tcase_add_test(tc, test_dns_port_over_http_content);

	ADD_TCASE("http");
	tcase_add_test(tc, test_http_request_any_port);
	tcase_add_test(tc, test_http_response);
	tcase_add_loop_test(tc, test_http_every_start, 0, N(http_starts));
	tcase_add_test(tc, test_not_http_tls);
	tcase_add_loop_test(tc, test_not_http_text, 0, N(not_http));
	tcase_add_loop_test(tc, test_not_http_random, 0, 8);
	tcase_add_test(tc, test_not_http_udp);

	ADD_TCASE("settings");
	tcase_add_test(tc, test_http_ports_only);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_datapath_set_l7);
	tcase_add_test(tc, test_datapath_set_l7_not_loaded);
	return s;
}
