// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The flow table's keyed hash: SipHash-2-4 against the paper's vectors, keys
 * chosen to collide under one hash key chain in a table with that key and
 * spread in a table with another, and every table draws its own key.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "flowtable.h"

Suite *netobs_test_suite(void);

#define TABLE_SIZE 1024 /* buckets too: a power of two */
#define COLLIDING  256

/* Two fixed keys, so the brute force below finds the same keys every run. */
static const uint64_t seed_a[2] = {0x0123456789abcdefULL, 0xfedcba9876543210ULL};
static const uint64_t seed_b[2] = {0x1111111111111111ULL, 0x2222222222222222ULL};

/* Key n of a stream of distinct UDP keys: ports and a source address vary. */
static struct netobs_flow_key udp_key(uint32_t n)
{
	struct netobs_flow_key k;

	memset(&k, 0, sizeof(k));
	k.saddr[0] = 10;
	k.saddr[2] = (uint8_t)(n >> 24);
	k.saddr[3] = (uint8_t)(n >> 16);
	k.daddr[0] = 10;
	k.daddr[3] = 2;
	k.ifindex = 7;
	k.sport = htons((uint16_t)n);
	k.dport = htons(53);
	k.eth_proto = htons(0x0800);
	k.family = NETOBS_FAMILY_IPV4;
	k.proto = IPPROTO_UDP;
	return k;
}

static uint32_t chain_len(const struct flow_table *t, uint32_t bucket)
{
	uint32_t len = 0;

	for (uint32_t idx = t->buckets[bucket]; idx != FLOW_NIL; idx = t->entries[idx].next)
		len++;
	return len;
}

static uint32_t max_chain(const struct flow_table *t)
{
	uint32_t best = 0;

	for (uint32_t b = 0; b < t->nbuckets; b++) {
		uint32_t len = chain_len(t, b);

		if (len > best)
			best = len;
	}
	return best;
}

static void insert_all(struct flow_table *t, const struct netobs_flow_key *keys, unsigned int n)
{
	struct netobs_flow_stats s = {.packets = 1, .bytes = 60, .first_seen_ns = 1};

	for (unsigned int i = 0; i < n; i++)
		ck_assert_ptr_nonnull(flow_table_insert(t, &keys[i], &s, true));
	ck_assert_uint_eq(t->count, n);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_ptr_nonnull(flow_table_lookup(t, &keys[i]));
}

/* The paper's key 00 01 .. 0f and messages 00 01 .. n-1 (its appendix and
 * the reference implementation's vectors_sip64). */
START_TEST(test_siphash_vectors)
{
	static const struct {
		size_t len;
		uint64_t hash;
	} vectors[] = {
		{0, 0x726fdb47dd0e0e31ULL},
		{1, 0x74f839c593dc67fdULL},
		{8, 0x93f5f5799a932462ULL},
		{15, 0xa129ca6149be45e5ULL},
	};
	const uint64_t key[2] = {0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
	uint8_t msg[16];

	for (unsigned int i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	for (unsigned int i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		ck_assert_msg(netobs_siphash24(key, msg, vectors[i].len) == vectors[i].hash,
			      "length %zu: %016llx", vectors[i].len,
			      (unsigned long long)netobs_siphash24(key, msg, vectors[i].len));
}
END_TEST

/* Find COLLIDING keys of bucket 0 under seed A by brute force: in a table
 * keyed with A they form one chain; keyed with B they spread. */
START_TEST(test_colliding_keys_spread_under_another_key)
{
	static struct netobs_flow_key keys[COLLIDING];
	struct flow_table a, b;
	unsigned int n = 0;

	ck_assert_int_eq(flow_table_init(&a, TABLE_SIZE), 0);
	ck_assert_int_eq(flow_table_init(&b, TABLE_SIZE), 0);
	ck_assert_uint_eq(a.nbuckets, TABLE_SIZE);
	flow_table_set_hash_key(&a, seed_a);
	flow_table_set_hash_key(&b, seed_b);
	for (uint32_t i = 0; n < COLLIDING; i++) {
		keys[n] = udp_key(i);
		if (flow_table_bucket(&a, &keys[n]) == 0)
			n++;
	}

	insert_all(&a, keys, COLLIDING);
	ck_assert_uint_eq(chain_len(&a, 0), COLLIDING);

	insert_all(&b, keys, COLLIDING);
	/* 256 keys in 1024 buckets: a longest chain of 9 or more has odds
	 * below 1e-8 for a random hash; seed B is fixed, so this is exact. */
	ck_assert_uint_le(max_chain(&b), 8);
	flow_table_free(&a);
	flow_table_free(&b);
}
END_TEST

/* FNV-1a, the table's former unkeyed hash, computed here to pick the keys
 * an attacker would have sent: under the keyed hash they do not collide. */
static uint32_t fnv1a(const struct netobs_flow_key *key)
{
	const uint8_t *p = (const uint8_t *)key;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*key); i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

START_TEST(test_fnv_collisions_spread)
{
	static struct netobs_flow_key keys[COLLIDING];
	struct flow_table t;
	unsigned int n = 0;

	for (uint32_t i = 0; n < COLLIDING; i++) {
		keys[n] = udp_key(i);
		if ((fnv1a(&keys[n]) & (TABLE_SIZE - 1)) == 0)
			n++;
	}
	ck_assert_int_eq(flow_table_init(&t, TABLE_SIZE), 0);
	flow_table_set_hash_key(&t, seed_b);
	insert_all(&t, keys, COLLIDING);
	ck_assert_uint_le(max_chain(&t), 8);
	flow_table_free(&t);
}
END_TEST

START_TEST(test_each_table_draws_its_key)
{
	struct flow_table a, b;
	const uint64_t zero[2] = {0, 0};

	ck_assert_int_eq(flow_table_init(&a, 16), 0);
	ck_assert_int_eq(flow_table_init(&b, 16), 0);
	ck_assert_int_ne(memcmp(a.hash_key, b.hash_key, sizeof(a.hash_key)), 0);
	ck_assert_int_ne(memcmp(a.hash_key, zero, sizeof(zero)), 0);
	ck_assert_int_ne(memcmp(b.hash_key, zero, sizeof(zero)), 0);
	flow_table_free(&a);
	flow_table_free(&b);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flowhash");
	TCase *tc = tcase_create("hash");

	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_colliding_keys_spread_under_another_key);
	tcase_add_test(tc, test_fnv_collisions_spread);
	tcase_add_test(tc, test_each_table_draws_its_key);
	suite_add_tcase(s, tc);
	return s;
}
