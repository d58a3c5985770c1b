// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ct_dns_zone_answer: queries written byte by byte here, answers compared
 * with the bytes RFC 1035 says they must have (and read back with lib/dns.c's
 * decoder where whole records are easier to compare than bytes).
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ct_dns_zone.h"
#include "dns.h"

static struct ct_dns_zone zone;

static void zone_setup(void)
{
	memset(&zone, 0, sizeof(zone));
	zone.origin = "netobs-ct.test.";
	zone.records[0] = (struct ct_dns_zone_record){
		.name = "echo.netobs-ct.test.", .type = 1, .addr = {10, 247, 0, 20}, .ttl = 30};
	zone.records[1] = (struct ct_dns_zone_record){
		.name = "echo.netobs-ct.test.",
		.type = 28,
		.addr = {0xfd, 0x00, 0x6e, 0x6f, 0x63, 0x74, [15] = 0x20},
		.ttl = 30};
	zone.records[2] = (struct ct_dns_zone_record){.name = "www.netobs-ct.test.",
						      .type = 5,
						      .target = "echo.netobs-ct.test.",
						      .ttl = 60};
	zone.nrecords = 3;
}

/* Header (id 0xbeef, RD) and one question; returns its length. */
static size_t query_build(uint8_t *q, const char *name, uint16_t type, uint16_t qclass)
{
	size_t len = 12;

	memset(q, 0, 12);
	q[0] = 0xbe;
	q[1] = 0xef;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	while (*name) {
		size_t label = strcspn(name, ".");

		q[len++] = (uint8_t)label;
		memcpy(q + len, name, label);
		len += label;
		name += label + (name[label] == '.');
	}
	q[len++] = 0;
	q[len++] = (uint8_t)(type >> 8);
	q[len++] = (uint8_t)type;
	q[len++] = (uint8_t)(qclass >> 8);
	q[len++] = (uint8_t)qclass;
	return len;
}

static uint8_t query[600], out[600];
static struct dns_message msg;

static size_t ask(const char *name, uint16_t type)
{
	size_t qlen = query_build(query, name, type, 1);

	return ct_dns_zone_answer(&zone, query, qlen, out, 512);
}

/* The fixed part of every response to our query: id, QR, RD, the question echoed. */
static void assert_response(size_t len, size_t qlen, int rcode, bool aa, unsigned int ancount)
{
	ck_assert_uint_ge(len, qlen);
	ck_assert_uint_eq(out[0], 0xbe);
	ck_assert_uint_eq(out[1], 0xef);
	ck_assert_uint_eq(out[2], 0x80 | (aa ? 0x04 : 0) | 0x01);
	ck_assert_uint_eq(out[3], (unsigned int)rcode);
	ck_assert_uint_eq(out[4] << 8 | out[5], 1);
	ck_assert_uint_eq(out[6] << 8 | out[7], ancount);
	ck_assert_uint_eq(out[8] << 8 | out[9], 0);
	ck_assert_uint_eq(out[10] << 8 | out[11], 0);
	ck_assert(memcmp(out + 12, query + 12, qlen - 12) == 0);
	ck_assert_int_eq(dns_message_decode(out, len, len, &msg), DNS_OK);
	ck_assert_uint_eq(msg.answers_decoded, ancount);
}

START_TEST(test_a)
{
	static const uint8_t record[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 10, 247, 0, 20};
	size_t qlen = query_build(query, "echo.netobs-ct.test", 1, 1);
	size_t len = ct_dns_zone_answer(&zone, query, qlen, out, 512);

	assert_response(len, qlen, 0, true, 1);
	ck_assert_uint_eq(len, qlen + sizeof(record));
	ck_assert(memcmp(out + qlen, record, sizeof(record)) == 0);
}
END_TEST

START_TEST(test_aaaa_any_case)
{
	static const uint8_t addr[16] = {0xfd, 0x00, 0x6e, 0x6f, 0x63, 0x74, [15] = 0x20};
	size_t qlen = query_build(query, "EcHo.NETOBS-ct.TEST", 28, 1);
	size_t len = ct_dns_zone_answer(&zone, query, qlen, out, 512);

	/* The question comes back in the asker's spelling (DNS 0x20). */
	assert_response(len, qlen, 0, true, 1);
	ck_assert_uint_eq(msg.ips_len, 1);
	ck_assert_int_eq(msg.ips[0].family, AF_INET6);
	ck_assert(memcmp(msg.ips[0].addr, addr, 16) == 0);
	ck_assert_uint_eq(msg.ttl_min, 30);
}
END_TEST

START_TEST(test_cname_followed)
{
	size_t qlen = query_build(query, "www.netobs-ct.test", 1, 1);
	size_t len = ct_dns_zone_answer(&zone, query, qlen, out, 512);

	assert_response(len, qlen, 0, true, 2);
	ck_assert_uint_eq(msg.cnames_len, 1);
	ck_assert_str_eq(msg.cnames[0], "echo.netobs-ct.test.");
	ck_assert_uint_eq(msg.ips_len, 1);
	ck_assert_uint_eq(msg.ips[0].addr[3], 20);
	ck_assert_uint_eq(msg.rrtypes_len, 2);
	ck_assert_uint_eq(msg.rrtypes[0], 5);
	ck_assert_uint_eq(msg.rrtypes[1], 1);
	ck_assert_uint_eq(msg.ttl_min, 30);

	qlen = query_build(query, "www.netobs-ct.test", 28, 1);
	len = ct_dns_zone_answer(&zone, query, qlen, out, 512);
	assert_response(len, qlen, 0, true, 2);
	ck_assert_int_eq(msg.ips[0].family, AF_INET6);

	/* Asking for the CNAME itself: only it. */
	qlen = query_build(query, "www.netobs-ct.test", 5, 1);
	len = ct_dns_zone_answer(&zone, query, qlen, out, 512);
	assert_response(len, qlen, 0, true, 1);
	ck_assert_uint_eq(msg.cnames_len, 1);
	ck_assert_uint_eq(msg.ips_len, 0);
}
END_TEST

START_TEST(test_nodata)
{
	size_t len = ask("echo.netobs-ct.test", 15 /* MX */);

	assert_response(len, len, 0, true, 0);
	/* The apex exists: it is the zone, with no records of its own here. */
	len = ask("netobs-ct.test", 1);
	assert_response(len, len, 0, true, 0);
	/* www's target has no MX: the CNAME, and NOERROR. */
	ck_assert_uint_gt(ask("www.netobs-ct.test", 15), 0);
	ck_assert_uint_eq(out[3], 0);
	ck_assert_uint_eq(out[7], 1);
}
END_TEST

START_TEST(test_nxdomain)
{
	size_t len = ask("nope.netobs-ct.test", 1);

	assert_response(len, len, 3, true, 0);
	len = ask("deep.echo.netobs-ct.test", 28);
	assert_response(len, len, 3, true, 0);
}
END_TEST

START_TEST(test_refused)
{
	size_t len = ask("example.com", 1);

	assert_response(len, len, 5, false, 0);
	/* A suffix that is not on a label boundary is outside the zone. */
	len = ask("xnetobs-ct.test", 1);
	assert_response(len, len, 5, false, 0);
	len = ask("test", 1);
	assert_response(len, len, 5, false, 0);
	/* Class CH (3): not ours. */
	len = query_build(query, "echo.netobs-ct.test", 1, 3);
	len = ct_dns_zone_answer(&zone, query, len, out, 512);
	assert_response(len, len, 5, false, 0);
}
END_TEST

START_TEST(test_notimp)
{
	size_t qlen = query_build(query, "echo.netobs-ct.test", 1, 1);
	size_t len;

	query[2] = 2 << 3 | 1; /* opcode STATUS */
	len = ct_dns_zone_answer(&zone, query, qlen, out, 512);
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(out[2], 0x80 | 2 << 3 | 1);
	ck_assert_uint_eq(out[3], 4);
}
END_TEST

static void assert_formerr(size_t len)
{
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(out[0], 0xbe);
	ck_assert_uint_eq(out[1], 0xef);
	ck_assert_uint_eq(out[2], 0x81);
	ck_assert_uint_eq(out[3], 1);
	for (int i = 4; i < 12; i++)
		ck_assert_uint_eq(out[i], 0);
}

START_TEST(test_formerr_truncated)
{
	size_t qlen = query_build(query, "echo.netobs-ct.test", 1, 1);

	for (size_t cut = 0; cut < 12; cut++)
		ck_assert_uint_eq(ct_dns_zone_answer(&zone, query, cut, out, 512), 0);
	for (size_t cut = 12; cut < qlen; cut++)
		assert_formerr(ct_dns_zone_answer(&zone, query, cut, out, 512));
	/* No question at all, or two. */
	query[5] = 0;
	assert_formerr(ct_dns_zone_answer(&zone, query, 12, out, 512));
	qlen = query_build(query, "echo.netobs-ct.test", 1, 1);
	query[5] = 2;
	memcpy(query + qlen, query + 12, qlen - 12);
	assert_formerr(ct_dns_zone_answer(&zone, query, 2 * qlen - 12, out, 512));
}
END_TEST

START_TEST(test_compression_pointers)
{
	size_t qlen = query_build(query, "www.netobs-ct.test", 1, 1), len;
	/* An additional A record whose owner is a pointer to the question's name. */
	static const uint8_t extra[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4};
	/* A question whose name is a pointer to itself, and one pointing forward. */
	static const uint8_t self_pointer[] = {0xbe, 0xef, 1, 0,    0,	1, 0, 0, 0,
					       0,    0,	   0, 0xc0, 12, 0, 1, 0, 1};
	static const uint8_t forward[] = {0xbe, 0xef, 1,    0,	0, 1, 0, 0, 0, 0,
					  0,	0,    0xc0, 18, 0, 1, 0, 1, 0};

	memcpy(query + qlen, extra, sizeof(extra));
	query[11] = 1; /* ARCOUNT */
	len = ct_dns_zone_answer(&zone, query, qlen + sizeof(extra), out, 512);
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_eq(out[3], 0);
	ck_assert_uint_eq(out[7], 2);
	ck_assert_uint_eq(out[11], 0); /* nothing of the query's additional section comes back */
	ck_assert_int_eq(dns_message_decode(out, len, len, &msg), DNS_OK);
	ck_assert_str_eq(msg.query, "www.netobs-ct.test.");

	memcpy(query, self_pointer, sizeof(self_pointer));
	assert_formerr(ct_dns_zone_answer(&zone, query, sizeof(self_pointer), out, 512));
	memcpy(query, forward, sizeof(forward));
	assert_formerr(ct_dns_zone_answer(&zone, query, sizeof(forward), out, 512));
}
END_TEST

START_TEST(test_edns_query)
{
	static const uint8_t opt[] = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	size_t qlen = query_build(query, "echo.netobs-ct.test", 1, 1), len;

	memcpy(query + qlen, opt, sizeof(opt));
	query[11] = 1;
	len = ct_dns_zone_answer(&zone, query, qlen + sizeof(opt), out, 512);
	ck_assert_uint_eq(len, qlen + 16);
	ck_assert_uint_eq(out[3], 0);
	ck_assert_uint_eq(out[7], 1);
}
END_TEST

START_TEST(test_response_is_not_answered)
{
	size_t qlen = query_build(query, "echo.netobs-ct.test", 1, 1), len;

	len = ct_dns_zone_answer(&zone, query, qlen, out, 512);
	ck_assert_uint_gt(len, 0);
	memcpy(query, out, len);
	ck_assert_uint_eq(ct_dns_zone_answer(&zone, query, len, out, 512), 0);
	ck_assert_uint_eq(ct_dns_zone_answer(NULL, query, len, out, 512), 0);
}
END_TEST

START_TEST(test_small_buffer)
{
	size_t qlen = query_build(query, "www.netobs-ct.test", 1, 1), len;

	/* Room for the question and the CNAME only: TC, never half a record. */
	len = ct_dns_zone_answer(&zone, query, qlen, out, qlen + 40);
	ck_assert_uint_eq(out[2] & 0x02, 0x02);
	ck_assert_uint_eq(out[7], 1);
	ck_assert_int_eq(dns_message_decode(out, len, len, &msg), DNS_OK);
	ck_assert_uint_eq(msg.cnames_len, 1);
	/* Not even the question. */
	len = ct_dns_zone_answer(&zone, query, qlen, out, 12);
	ck_assert_uint_eq(len, 12);
	ck_assert_uint_eq(out[2] & 0x02, 0x02);
	ck_assert_uint_eq(out[5], 0);
	ck_assert_uint_eq(ct_dns_zone_answer(&zone, query, qlen, out, 11), 0);
}
END_TEST

/* Every prefix of every kind of query, into heap buffers of exactly that size (ASan sees past it). */
START_TEST(test_every_truncation)
{
	static const struct {
		const char *name;
		uint16_t type;
	} asks[] = {{"echo.netobs-ct.test", 1},
		    {"www.netobs-ct.test", 28},
		    {"nope.netobs-ct.test", 1},
		    {"example.com", 1}};

	for (size_t a = 0; a < sizeof(asks) / sizeof(asks[0]); a++) {
		size_t qlen = query_build(query, asks[a].name, asks[a].type, 1);

		for (size_t cut = 0; cut <= qlen; cut++) {
			uint8_t *q = malloc(cut ? cut : 1);

			memcpy(q, query, cut);
			for (size_t cap = 0; cap < 80; cap += 7) {
				uint8_t *o = malloc(cap ? cap : 1);
				size_t len = ct_dns_zone_answer(&zone, q, cut, o, cap);

				ck_assert_uint_le(len, cap);
				free(o);
			}
			free(q);
		}
	}
}
END_TEST

Suite *netobs_test_suite(void);
Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("ct_dns_zone");
	TCase *tc = tcase_create("answers");

	tcase_add_checked_fixture(tc, zone_setup, NULL);
	tcase_add_test(tc, test_a);
	tcase_add_test(tc, test_aaaa_any_case);
	tcase_add_test(tc, test_cname_followed);
	tcase_add_test(tc, test_nodata);
	tcase_add_test(tc, test_nxdomain);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_notimp);
	tcase_add_test(tc, test_formerr_truncated);
	tcase_add_test(tc, test_compression_pointers);
	tcase_add_test(tc, test_edns_query);
	tcase_add_test(tc, test_response_is_not_answered);
	tcase_add_test(tc, test_small_buffer);
	tcase_add_test(tc, test_every_truncation);
	suite_add_tcase(s, tc);
	return s;
}
