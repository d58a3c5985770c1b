// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Names from DNS answers by address: newest first, TTL-aware with a floor
 * and a cap, refreshed not duplicated, bounded under a flood of answers
 * (oldest learned evicted, counted), expired entries freed.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "name_cache.h"

Suite *netobs_test_suite(void);

#define SEC 1000000000ULL
#define T0  (1000 * SEC)

static const uint8_t *v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	static uint8_t addr[16];

	memset(addr, 0, sizeof(addr));
	addr[0] = a, addr[1] = b, addr[2] = c, addr[3] = d;
	return addr;
}

START_TEST(test_learn_and_lookup)
{
	struct name_cache cache;
	struct netobs_names names;
	uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	ck_assert_int_eq(name_cache_init(&cache, 64), 0);
	ck_assert(
		name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), "web.test.", 60, T0));
	ck_assert(name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), "www.test.", 300,
				   T0 + SEC));
	ck_assert(name_cache_learn(&cache, NETOBS_FAMILY_IPV6, v6, "web.test.", 60, T0));
	ck_assert_uint_eq(name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1),
					    T0 + 2 * SEC, &names),
			  2);
	ck_assert_str_eq(names.name[0], "www.test."); /* newest first */
	ck_assert_str_eq(names.name[1], "web.test.");
	ck_assert_uint_eq(name_cache_lookup(&cache, NETOBS_FAMILY_IPV6, v6, T0, &names), 1);
	/* Same first bytes, other family or address: nothing. */
	ck_assert_uint_eq(
		name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 2), T0, &names), 0);
	ck_assert_uint_eq(names.len, 0);
	/* Learning a pair again refreshes it, no second copy. */
	ck_assert(name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), "web.test.", 600,
				   T0 + 2 * SEC));
	ck_assert_uint_eq(cache.count, 3);
	name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), T0 + 400 * SEC, &names);
	ck_assert_uint_eq(names.len, 1);
	ck_assert_str_eq(names.name[0], "web.test.");
	name_cache_free(&cache);
}
END_TEST

START_TEST(test_ttl_floor_cap_and_expiry)
{
	struct name_cache cache;
	struct netobs_names names;

	ck_assert_int_eq(name_cache_init(&cache, 16), 0);
	name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), "zero.test.", 0, T0);
	name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 2), "week.test.", 7 * 86400, T0);
	ck_assert_uint_eq(name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1),
					    T0 + (NAME_CACHE_TTL_MIN_S - 1) * SEC, &names),
			  1);
	ck_assert_uint_eq(name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1),
					    T0 + NAME_CACHE_TTL_MIN_S * SEC, &names),
			  0);
	ck_assert_uint_eq(name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 2),
					    T0 + NAME_CACHE_TTL_MAX_S * SEC, &names),
			  0);
	name_cache_expire(&cache, T0 + NAME_CACHE_TTL_MIN_S * SEC);
	ck_assert_uint_eq(cache.count, 1);
	ck_assert_uint_eq(cache.expired, 1);
	name_cache_expire(&cache, T0 + NAME_CACHE_TTL_MAX_S * SEC);
	ck_assert_uint_eq(cache.count, 0);
	ck_assert_uint_eq(cache.expired, 2);
	name_cache_free(&cache);
}
END_TEST

START_TEST(test_flood_is_bounded)
{
	struct name_cache cache;
	struct netobs_names names;
	char name[64];
	const uint32_t flood = 10000, cap = 64;

	ck_assert_int_eq(name_cache_init(&cache, cap), 0);
	for (uint32_t i = 0; i < flood; i++) {
		snprintf(name, sizeof(name), "n%u.flood.test.", i);
		ck_assert(name_cache_learn(&cache, NETOBS_FAMILY_IPV4,
					   v4(10, 1, (uint8_t)(i >> 8), (uint8_t)i), name, 3600,
					   T0));
	}
	ck_assert_uint_eq(cache.count, cap);
	ck_assert_uint_eq(cache.evicted, flood - cap);
	/* The newest are kept, the oldest went. */
	ck_assert_uint_eq(
		name_cache_lookup(&cache, NETOBS_FAMILY_IPV4,
				  v4(10, 1, (uint8_t)((flood - 1) >> 8), (uint8_t)(flood - 1)), T0,
				  &names),
		1);
	snprintf(name, sizeof(name), "n%u.flood.test.", flood - 1);
	ck_assert_str_eq(names.name[0], name);
	ck_assert_uint_eq(
		name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 1, 0, 0), T0, &names), 0);

	/* Many names for one address: the newest NETOBS_NAMES_MAX come back. */
	for (uint32_t i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "alias%u.test.", i);
		name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 2, 0, 1), name, 3600, T0 + i);
	}
	ck_assert_uint_eq(
		name_cache_lookup(&cache, NETOBS_FAMILY_IPV4, v4(10, 2, 0, 1), T0 + 100, &names),
		NETOBS_NAMES_MAX);
	ck_assert_str_eq(names.name[0], "alias99.test.");
	ck_assert_str_eq(names.name[NETOBS_NAMES_MAX - 1], "alias96.test.");
	name_cache_free(&cache);
}
END_TEST

START_TEST(test_rejects)
{
	struct name_cache cache;
	char too_long[NETOBS_NAME_TEXT_MAX + 8];
	char longest[NETOBS_NAME_TEXT_MAX];

	ck_assert_int_eq(name_cache_init(&cache, 0), -EINVAL);
	ck_assert_int_eq(name_cache_init(&cache, 8), 0);
	ck_assert(
		!name_cache_learn(&cache, NETOBS_FAMILY_NONE, v4(10, 0, 0, 1), "x.test.", 60, T0));
	ck_assert(!name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), "", 60, T0));
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	ck_assert(!name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), too_long, 60, T0));
	memset(longest, 'b', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	ck_assert(name_cache_learn(&cache, NETOBS_FAMILY_IPV4, v4(10, 0, 0, 1), longest, 60, T0));
	ck_assert_uint_eq(cache.count, 1);
	name_cache_free(&cache);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("name_cache");
	TCase *tc = tcase_create("name_cache");

	tcase_add_test(tc, test_learn_and_lookup);
	tcase_add_test(tc, test_ttl_floor_cap_and_expiry);
	tcase_add_test(tc, test_flood_is_bounded);
	tcase_add_test(tc, test_rejects);
	suite_add_tcase(s, tc);
	return s;
}
