// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lib/record_pack: L7 parts and names round-trip through their blob in many
 * shapes, the blob holds only used bytes, unpackable parts are refused, and
 * a corrupt blob (every truncation, stray bytes, random bytes) is -EBADMSG,
 * never a read past its end or an overflowed field (run under ASan: each
 * blob is in a heap buffer of exactly its length).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record_pack.h"
#include "record_parts.h"

Suite *netobs_test_suite(void);

/* Pack flow into an exact-size heap buffer; *len gets its size. */
static uint8_t *pack_exact(const struct netobs_flow_record *flow, size_t *len)
{
	ssize_t n = record_pack_size(flow);
	uint8_t *buf;

	ck_assert_int_gt(n, 0);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(record_pack(flow, buf, (size_t)n), n);
	*len = (size_t)n;
	return buf;
}

/* Pack, unpack into fresh storage, compare with what the test wrote. */
static size_t assert_round_trip(const struct netobs_l7 *l7, const struct netobs_names *src,
				const struct netobs_names *dst)
{
	struct netobs_record_storage *storage = malloc(sizeof(*storage));
	struct netobs_flow_record flow = {}, got = {};
	size_t len;
	uint8_t *buf;

	ck_assert_ptr_nonnull(storage);
	memset(storage, 0xa5, sizeof(*storage)); /* stale bytes, as in a reused scratch */
	flow.l7 = l7;
	flow.source_names = src;
	flow.destination_names = dst;
	buf = pack_exact(&flow, &len);
	ck_assert_int_eq(record_unpack(buf, len, &got, storage), 0);
	if (l7) {
		ck_assert_ptr_eq(got.l7, &storage->l7);
		assert_l7_equal(got.l7, l7);
	} else {
		ck_assert_ptr_null(got.l7);
	}
	assert_names_equal(got.source_names, src);
	assert_names_equal(got.destination_names, dst);
	free(buf);
	free(storage);
	return len;
}

START_TEST(test_no_parts_packs_to_nothing)
{
	struct netobs_flow_record flow = {};
	uint8_t byte = 0x77;

	ck_assert_int_eq(record_pack_size(&flow), 0);
	ck_assert_int_eq(record_pack(&flow, &byte, 1), 0);
	ck_assert_uint_eq(byte, 0x77);
}
END_TEST

START_TEST(test_dns_request_round_trip)
{
	struct netobs_l7 l7;
	size_t len;

	make_dns_request(&l7, "example.com.");
	len = assert_round_trip(&l7, NULL, NULL);
	/* parts, type/kind/flags/latency, query, ttl, rcode, 4 counts, one qtype */
	ck_assert_uint_eq(len, 1 + 11 + 2 + 12 + 4 + 2 + 4 + 2);
}
END_TEST

START_TEST(test_dns_response_is_small)
{
	struct netobs_l7 l7;
	struct netobs_names dst;
	size_t len;

	make_dns_response(&l7, "www.example.com.");
	len = assert_round_trip(&l7, NULL, NULL);
	ck_assert_uint_eq(len, 1 + 11 + 2 + 16 + 4 + 2 + 1 + 2 * 5 + 1 + 1 + 2 + 1 + 2);
	ck_assert_uint_lt(len, 300);
	printf("record_pack: typical DNS response (2 A records) %zu bytes, struct netobs_l7 %zu\n",
	       len, sizeof(struct netobs_l7));

	make_names(&dst, 1, 16, 3);
	ck_assert_uint_eq(assert_round_trip(&l7, NULL, &dst), len + 1 + 2 + 16);
}
END_TEST

START_TEST(test_dns_max_round_trip)
{
	struct netobs_l7 l7;
	struct netobs_names src, dst;

	make_dns_max(&l7, false);
	assert_round_trip(&l7, NULL, NULL);
	make_dns_max(&l7, true);
	ck_assert_uint_eq(assert_round_trip(&l7, NULL, NULL), 1 + RECORD_PACK_L7_MAX);
	make_names(&src, NETOBS_NAMES_MAX, NETOBS_NAME_TEXT_MAX - 1, 7);
	make_names(&dst, NETOBS_NAMES_MAX, NETOBS_NAME_TEXT_MAX - 1, 11);
	/* The largest record there is: the bound the store's arena must hold. */
	ck_assert_uint_eq(assert_round_trip(&l7, &src, &dst), RECORD_PACK_MAX);
}
END_TEST

START_TEST(test_http_round_trip)
{
	struct netobs_l7 l7;
	struct netobs_names src;

	make_http_request(&l7);
	assert_round_trip(&l7, NULL, NULL);
	make_http_max(&l7);
	assert_round_trip(&l7, NULL, NULL);
	make_names(&src, 2, 30, 1);
	assert_round_trip(&l7, &src, NULL);
	/* A response with no header and empty strings. */
	memset(&l7, 0, sizeof(l7));
	l7.type = NETOBS_L7_RESPONSE;
	l7.kind = NETOBS_L7_HTTP;
	l7.http.code = 204;
	assert_round_trip(&l7, NULL, NULL);
}
END_TEST

START_TEST(test_names_round_trip)
{
	struct netobs_names src, dst, empty;

	make_names(&src, NETOBS_NAMES_MAX, 40, 1);
	make_names(&dst, 3, NETOBS_NAME_TEXT_MAX - 1, 2);
	make_names(&empty, 0, 0, 0);
	assert_round_trip(NULL, &src, NULL);
	assert_round_trip(NULL, NULL, &dst);
	assert_round_trip(NULL, &src, &dst);
	ck_assert_uint_eq(assert_round_trip(NULL, &empty, NULL), 2);
	ck_assert_uint_eq(assert_round_trip(NULL, &empty, &empty), 3);
}
END_TEST

/* Parts the blob cannot say truthfully are refused, not cut. */
START_TEST(test_unpackable_parts_refused)
{
	struct netobs_flow_record flow = {};
	struct netobs_l7 l7;
	struct netobs_names names;
	uint8_t buf[64];

	flow.l7 = &l7;
	make_dns_response(&l7, "a.");
	l7.dns.ips_len = DNS_IPS_MAX + 1;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);
	ck_assert_int_eq(record_pack(&flow, buf, sizeof(buf)), -EINVAL);

	make_dns_response(&l7, "a.");
	l7.dns.cnames_len = DNS_CNAMES_MAX + 1;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	make_dns_response(&l7, "a.");
	l7.dns.ips[1].family = 0;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	make_dns_response(&l7, "a.");
	memset(l7.dns.query, 'x', sizeof(l7.dns.query)); /* no NUL */
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	make_dns_response(&l7, "a.");
	l7.kind = 0;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	make_dns_response(&l7, "a.");
	l7.type = NETOBS_L7_NONE;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	make_http_request(&l7);
	l7.http.headers_len = NETOBS_HTTP_HEADERS_MAX + 1;
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);

	flow.l7 = NULL;
	flow.source_names = &names;
	make_names(&names, NETOBS_NAMES_MAX + 1, 3, 0);
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);
	make_names(&names, 1, 3, 0);
	memset(names.name[0], 'y', sizeof(names.name[0]));
	ck_assert_int_eq(record_pack_size(&flow), -EINVAL);
}
END_TEST

/* A buffer one byte short is -ENOSPC, and nothing is written past it. */
START_TEST(test_pack_buffer_too_small)
{
	struct netobs_flow_record flow = {};
	struct netobs_l7 l7;
	struct netobs_names src;
	size_t len;
	uint8_t *full;

	make_dns_max(&l7, false);
	make_names(&src, 2, 20, 4);
	flow.l7 = &l7;
	flow.source_names = &src;
	full = pack_exact(&flow, &len);
	for (size_t n = 0; n < len; n += (n < 64 || len - n < 64) ? 1 : 97) {
		uint8_t *buf = malloc(n ? n : 1);

		ck_assert_int_eq(record_pack(&flow, buf, n), -ENOSPC);
		free(buf);
	}
	free(full);
}
END_TEST

/* Blobs of every shape the corruption tests start from. */
static uint8_t *valid_blob(int shape, size_t *len)
{
	static struct netobs_l7 l7;
	static struct netobs_names src, dst;
	struct netobs_flow_record flow = {};

	switch (shape) {
	case 0:
		make_dns_response(&l7, "www.example.com.");
		flow.l7 = &l7;
		break;
	case 1:
		make_dns_max(&l7, false);
		l7.dns.cnames_len = 2; /* keep truncation loops short */
		fill_text(l7.dns.query, 40, 3);
		flow.l7 = &l7;
		break;
	case 2:
		make_http_request(&l7);
		make_names(&src, 2, 10, 5);
		flow.l7 = &l7;
		flow.source_names = &src;
		break;
	default:
		make_names(&src, 4, 12, 1);
		make_names(&dst, 1, 7, 2);
		flow.source_names = &src;
		flow.destination_names = &dst;
		break;
	}
	return pack_exact(&flow, len);
}
#define BLOB_SHAPES 4

START_TEST(test_every_truncation_rejected)
{
	struct netobs_record_storage *storage = malloc(sizeof(*storage));

	for (int shape = 0; shape < BLOB_SHAPES; shape++) {
		size_t len;
		uint8_t *blob = valid_blob(shape, &len);

		for (size_t n = 0; n < len; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			struct netobs_flow_record flow = {};

			memcpy(cut, blob, n);
			ck_assert_int_eq(record_unpack(cut, n, &flow, storage), -EBADMSG);
			ck_assert_ptr_null(flow.l7);
			ck_assert_ptr_null(flow.source_names);
			ck_assert_ptr_null(flow.destination_names);
			free(cut);
		}
		free(blob);
	}
	free(storage);
}
END_TEST

START_TEST(test_trailing_byte_rejected)
{
	struct netobs_record_storage *storage = malloc(sizeof(*storage));
	struct netobs_flow_record flow = {};
	size_t len;
	uint8_t *blob = valid_blob(0, &len);
	uint8_t *longer = malloc(len + 1);

	memcpy(longer, blob, len);
	longer[len] = 0;
	ck_assert_int_eq(record_unpack(longer, len, &flow, storage), 0);
	ck_assert_int_eq(record_unpack(longer, len + 1, &flow, storage), -EBADMSG);
	free(longer);
	free(blob);
	free(storage);
}
END_TEST

/*
 * Whatever unpacks must fit its fields and pack back to the same bytes:
 * a blob is either exactly what some record packs to, or rejected.
 */
static void assert_accepted_is_faithful(const uint8_t *blob, size_t len,
					struct netobs_record_storage *storage)
{
	struct netobs_flow_record flow = {};
	uint8_t *again;
	int rc = record_unpack(blob, len, &flow, storage);

	ck_assert(rc == 0 || rc == -EBADMSG);
	if (rc)
		return;
	if (flow.l7 && flow.l7->kind == NETOBS_L7_DNS) {
		ck_assert_uint_le(flow.l7->dns.ips_len, DNS_IPS_MAX);
		ck_assert_uint_le(flow.l7->dns.cnames_len, DNS_CNAMES_MAX);
		ck_assert_uint_lt(strnlen(flow.l7->dns.query, DNS_NAME_TEXT_SIZE),
				  DNS_NAME_TEXT_SIZE);
	}
	ck_assert_int_eq(record_pack_size(&flow), (ssize_t)len);
	again = malloc(len);
	ck_assert_int_eq(record_pack(&flow, again, len), (ssize_t)len);
	ck_assert_mem_eq(again, blob, len);
	free(again);
}

START_TEST(test_mutated_blobs)
{
	struct netobs_record_storage *storage = malloc(sizeof(*storage));
	static const uint8_t values[] = {0x00, 0x01, 0x02, 0x04, 0x07, 0x10, 0x11, 0x7f, 0xff};

	for (int shape = 0; shape < BLOB_SHAPES; shape++) {
		size_t len;
		uint8_t *blob = valid_blob(shape, &len);

		for (size_t i = 0; i < len; i++) {
			uint8_t keep = blob[i];

			for (size_t v = 0; v < sizeof(values); v++) {
				blob[i] = values[v];
				assert_accepted_is_faithful(blob, len, storage);
			}
			blob[i] = keep;
		}
		free(blob);
	}
	free(storage);
}
END_TEST

static uint32_t rng_state = 0x9e3779b9;

static uint32_t rng(uint32_t bound)
{
	rng_state = rng_state * 1664525u + 1013904223u;
	return (rng_state >> 8) % bound;
}

/* Mostly in bounds, sometimes just past them. */
static uint32_t rng_near(uint32_t max)
{
	return rng(16) ? rng(max + 1) : max + 1 + rng(3);
}

struct blob_gen {
	uint8_t buf[4096];
	size_t len;
};

static void gen_bytes(struct blob_gen *g, const void *p, size_t n)
{
	if (n <= sizeof(g->buf) - g->len) {
		memcpy(g->buf + g->len, p, n);
		g->len += n;
	}
}

static void gen_u8(struct blob_gen *g, uint8_t v)
{
	gen_bytes(g, &v, 1);
}

static void gen_u16(struct blob_gen *g, uint16_t v)
{
	gen_bytes(g, &v, 2);
}

/* A string for a char[size] field: usually fitting, letters, rarely a NUL. */
static void gen_str(struct blob_gen *g, size_t size)
{
	uint16_t n = (uint16_t)rng_near((uint32_t)size - 1);

	if (n > 300)
		n = rng(4) ? (uint16_t)rng(300) : n;
	gen_u16(g, n);
	for (uint16_t i = 0; i < n && g->len < sizeof(g->buf); i++)
		gen_u8(g, rng(200) ? (uint8_t)('a' + rng(26)) : 0);
}

/* A blob that follows the layout with random values, most of them valid:
 * random bytes alone would almost never get past the first counts. */
static void gen_blob(struct blob_gen *g)
{
	uint8_t parts = (uint8_t)(1 + rng(7));
	uint32_t n;

	g->len = 0;
	gen_u8(g, rng(32) ? parts : (uint8_t)rng(256));
	if (parts & RECORD_PACK_PART_L7) {
		uint8_t kind = (uint8_t)(rng(16) ? 1 + rng(2) : rng(4));
		uint64_t latency = rng(1000000);

		gen_u8(g, (uint8_t)(rng(16) ? 1 + rng(2) : rng(4)));
		gen_u8(g, kind);
		gen_u8(g, (uint8_t)rng(4));
		gen_bytes(g, &latency, 8);
		if (kind == NETOBS_L7_DNS) {
			gen_str(g, DNS_NAME_TEXT_SIZE);
			gen_bytes(g, "\x2c\x01\x00\x00\x03\x00", 6); /* ttl 300, rcode 3 */
			gen_u8(g, (uint8_t)(n = rng_near(DNS_IPS_MAX)));
			for (uint32_t i = 0; i < n; i++) {
				uint8_t family = rng(2) ? AF_INET : AF_INET6;

				gen_u8(g, rng(32) ? family : (uint8_t)rng(12));
				gen_bytes(g, "0123456789abcdef", family == AF_INET ? 4 : 16);
			}
			gen_u8(g, (uint8_t)(n = rng_near(DNS_CNAMES_MAX)));
			for (uint32_t i = 0; i < n; i++)
				gen_str(g, DNS_NAME_TEXT_SIZE);
			gen_u8(g, (uint8_t)(n = rng_near(DNS_QTYPES_MAX)));
			for (uint32_t i = 0; i < n; i++)
				gen_u16(g, (uint16_t)rng(65536));
			gen_u8(g, (uint8_t)(n = rng_near(DNS_RRTYPES_MAX)));
			for (uint32_t i = 0; i < n; i++)
				gen_u16(g, (uint16_t)rng(65536));
		} else {
			gen_bytes(g, "\xc8\x00\x00\x00", 4); /* code 200 */
			gen_str(g, NETOBS_HTTP_METHOD_MAX);
			gen_str(g, NETOBS_HTTP_URL_MAX);
			gen_str(g, NETOBS_HTTP_PROTOCOL_MAX);
			gen_u8(g, (uint8_t)(n = rng_near(NETOBS_HTTP_HEADERS_MAX)));
			for (uint32_t i = 0; i < n; i++) {
				gen_str(g, NETOBS_HTTP_HEADER_KEY_MAX);
				gen_str(g, NETOBS_HTTP_HEADER_VALUE_MAX);
			}
		}
	}
	for (int side = 0; side < 2; side++) {
		if (!(parts &
		      (side ? RECORD_PACK_PART_DESTINATION_NAMES : RECORD_PACK_PART_SOURCE_NAMES)))
			continue;
		gen_u8(g, (uint8_t)(n = rng_near(NETOBS_NAMES_MAX)));
		for (uint32_t i = 0; i < n; i++)
			gen_str(g, NETOBS_NAME_TEXT_MAX);
	}
	/* Now and then a byte too few or too many. */
	if (!rng(16) && g->len)
		g->len--;
	else if (!rng(16))
		gen_u8(g, 0);
}

START_TEST(test_random_bytes)
{
	struct netobs_record_storage *storage = malloc(sizeof(*storage));
	unsigned int accepted_random = 0, accepted_shaped = 0;
	struct blob_gen *g = malloc(sizeof(*g));

	for (int round = 0; round < 20000; round++) {
		struct netobs_flow_record flow = {};
		size_t len = rng(200);
		uint8_t *blob = malloc(len ? len : 1);

		for (size_t i = 0; i < len; i++)
			blob[i] = (uint8_t)rng(256);
		if (!record_unpack(blob, len, &flow, storage))
			accepted_random++;
		assert_accepted_is_faithful(blob, len, storage);
		free(blob);

		gen_blob(g);
		blob = malloc(g->len ? g->len : 1);
		memcpy(blob, g->buf, g->len);
		if (!record_unpack(blob, g->len, &flow, storage))
			accepted_shaped++;
		assert_accepted_is_faithful(blob, g->len, storage);
		free(blob);
	}
	printf("record_pack: of 20000 random blobs %u unpacked, of 20000 shaped ones %u "
	       "(each re-packed identically)\n",
	       accepted_random, accepted_shaped);
	/* The shaped ones reach the checks past the counts both ways. */
	ck_assert_uint_gt(accepted_shaped, 1000);
	ck_assert_uint_lt(accepted_shaped, 19000);
	free(g);
	free(storage);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_pack");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_no_parts_packs_to_nothing);
	tcase_add_test(tc, test_dns_request_round_trip);
	tcase_add_test(tc, test_dns_response_is_small);
	tcase_add_test(tc, test_dns_max_round_trip);
	tcase_add_test(tc, test_http_round_trip);
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_unpackable_parts_refused);
	tcase_add_test(tc, test_pack_buffer_too_small);
	tcase_add_test(tc, test_every_truncation_rejected);
	tcase_add_test(tc, test_trailing_byte_rejected);
	tcase_add_test(tc, test_mutated_blobs);
	tcase_add_test(tc, test_random_bytes);
	suite_add_tcase(s, tc);
	return s;
}
