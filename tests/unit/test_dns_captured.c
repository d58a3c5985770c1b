// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Real query/response pairs from dig and dnsmasq (dns_captured.h says how
 * they were made). Every expected value is what dig itself printed for the
 * exchange (name, type, TTL, address, status, id), not what the decoder said.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "dns_captured.h"

Suite *netobs_test_suite(void);

static struct dns_message msg;

static void decode_udp(const uint8_t *b, size_t len)
{
	ck_assert_int_eq(dns_message_decode(b, len, len, &msg), DNS_OK);
	ck_assert(!msg.capture_truncated);
	ck_assert_uint_eq(msg.trailing_bytes, 0);
}

static void assert_ip(unsigned int i, int family, const char *text)
{
	uint8_t addr[16] = {0};

	ck_assert_uint_gt(msg.ips_len, i);
	ck_assert_int_eq(inet_pton(family, text, addr), 1);
	ck_assert_uint_eq(msg.ips[i].family, family);
	ck_assert_mem_eq(msg.ips[i].addr, addr, family == AF_INET ? 4 : 16);
}

START_TEST(test_a_exchange)
{
	decode_udp(a_x_test_a_query, sizeof(a_x_test_a_query));
	ck_assert_uint_eq(msg.id, 0xf869);
	ck_assert(!msg.qr && msg.rd);
	ck_assert_str_eq(msg.query, "a.x.test.");
	ck_assert_uint_eq(msg.qtypes_len, 1);
	ck_assert_uint_eq(msg.qtypes[0], 1);
	ck_assert(msg.has_edns); /* dig sends a cookie in an OPT record */

	decode_udp(a_x_test_a_response, sizeof(a_x_test_a_response));
	ck_assert_uint_eq(msg.id, 0xf869);
	ck_assert(msg.qr && msg.aa && msg.rd && msg.ra);
	ck_assert_uint_eq(msg.rcode, 0);
	ck_assert_str_eq(msg.query, "a.x.test.");
	ck_assert_uint_eq(msg.ips_len, 1);
	assert_ip(0, AF_INET, "10.1.2.3");
	ck_assert_uint_eq(msg.ttl_min, 120);
	ck_assert_uint_eq(msg.rrtypes_len, 1);
	ck_assert_uint_eq(msg.rrtypes[0], 1);
}
END_TEST

START_TEST(test_aaaa_mixed_case_exchange)
{
	decode_udp(a_x_test_aaaa_mixed_case_query, sizeof(a_x_test_aaaa_mixed_case_query));
	ck_assert_str_eq(msg.query, "a.x.test."); /* dig was asked for A.X.Test */
	ck_assert_uint_eq(msg.qtypes[0], 28);
	decode_udp(a_x_test_aaaa_mixed_case_response, sizeof(a_x_test_aaaa_mixed_case_response));
	ck_assert_uint_eq(msg.id, 0xbecc);
	ck_assert_str_eq(msg.query, "a.x.test.");
	ck_assert_uint_eq(msg.ips_len, 1);
	assert_ip(0, AF_INET6, "fd00::5");
	ck_assert_uint_eq(msg.ttl_min, 120);
}
END_TEST

START_TEST(test_cname_exchange)
{
	decode_udp(www_y_test_cname_a_query, sizeof(www_y_test_cname_a_query));
	ck_assert_str_eq(msg.query, "www.y.test.");
	decode_udp(www_y_test_cname_a_response, sizeof(www_y_test_cname_a_response));
	ck_assert_uint_eq(msg.id, 0x9ac2);
	ck_assert_str_eq(msg.query, "www.y.test.");
	ck_assert_uint_eq(msg.cnames_len, 1);
	ck_assert_str_eq(msg.cnames[0], "web.y.test.");
	ck_assert_uint_eq(msg.ips_len, 1);
	assert_ip(0, AF_INET, "10.9.9.9");
	ck_assert_uint_eq(msg.rrtypes_len, 2);
	ck_assert_uint_eq(msg.rrtypes[0], 5);
	ck_assert_uint_eq(msg.rrtypes[1], 1);
	ck_assert_uint_eq(msg.ttl_min, 120); /* CNAME 300, A 120 */
}
END_TEST

START_TEST(test_nxdomain_exchange)
{
	char buf[16];

	decode_udp(nope_test_nxdomain_query, sizeof(nope_test_nxdomain_query));
	ck_assert_uint_eq(msg.id, 15966);
	ck_assert_str_eq(msg.query, "nope.test.");
	decode_udp(nope_test_nxdomain_response, sizeof(nope_test_nxdomain_response));
	ck_assert_uint_eq(msg.id, 15966);
	ck_assert_str_eq(dns_rcode_name(msg.rcode, buf, sizeof(buf)), "NXDOMAIN");
	ck_assert_str_eq(msg.query, "nope.test.");
	ck_assert_uint_eq(msg.answers_decoded, 0);
	ck_assert(!msg.has_ttl);
}
END_TEST

struct tcp_result {
	unsigned int messages;
	int err;
};

static void decode_tcp_message(void *ctx, const uint8_t *m, size_t captured_len, size_t wire_len)
{
	struct tcp_result *r = ctx;

	r->messages++;
	r->err = dns_message_decode(m, captured_len, wire_len, &msg);
}

/* Both directions of dig +tcp, each split at every offset into two segments. */
START_TEST(test_tcp_exchange_every_split)
{
	static struct dns_tcp_stream stream;
	const uint8_t *resp = www_y_test_cname_aaaa_tcp_response;
	const size_t len = sizeof(www_y_test_cname_aaaa_tcp_response);

	for (size_t cut = 0; cut <= len; cut++) {
		struct tcp_result r = {0};

		dns_tcp_stream_init(&stream, 1);
		ck_assert_int_eq(
			dns_tcp_stream_feed(&stream, 1, resp, cut, cut, decode_tcp_message, &r), 0);
		ck_assert_int_eq(dns_tcp_stream_feed(&stream, 1 + (uint32_t)cut, resp + cut,
						     len - cut, len - cut, decode_tcp_message, &r),
				 0);
		ck_assert_uint_eq(r.messages, 1);
		ck_assert_int_eq(r.err, DNS_OK);
		ck_assert_uint_eq(msg.id, 0x2661);
		ck_assert_str_eq(msg.query, "www.y.test.");
		ck_assert_uint_eq(msg.qtypes[0], 28);
		ck_assert_uint_eq(msg.cnames_len, 1);
		ck_assert_str_eq(msg.cnames[0], "web.y.test.");
		assert_ip(0, AF_INET6, "fd00::9");
		ck_assert_uint_eq(msg.ttl_min, 120);
	}
	{
		struct tcp_result r = {0};
		const size_t qlen = sizeof(www_y_test_cname_aaaa_tcp_query);

		dns_tcp_stream_init(&stream, 9);
		ck_assert_int_eq(dns_tcp_stream_feed(&stream, 9, www_y_test_cname_aaaa_tcp_query,
						     qlen, qlen, decode_tcp_message, &r),
				 0);
		ck_assert_uint_eq(r.messages, 1);
		ck_assert_int_eq(r.err, DNS_OK);
		ck_assert(!msg.qr);
		ck_assert_str_eq(msg.query, "www.y.test.");
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("dns_captured");
	TCase *tc = tcase_create("dig_dnsmasq");

	tcase_add_test(tc, test_a_exchange);
	tcase_add_test(tc, test_aaaa_mixed_case_exchange);
	tcase_add_test(tc, test_cname_exchange);
	tcase_add_test(tc, test_nxdomain_exchange);
	tcase_add_test(tc, test_tcp_exchange_every_split);
	suite_add_tcase(s, tc);
	return s;
}
