// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * agent_emit() stores records in time order: an event record that comes
 * after a later record (it raced a harvest) takes that record's time and is
 * counted; a step back larger than RECORD_REORDER_MAX_NS is the wall clock
 * being set back and is kept as it is.
 */
#include <check.h>
#include <string.h>

#include "agent.h"

Suite *netobs_test_suite(void);

#define SEC 1000000000ULL

static void emit_at(struct agent *a, uint64_t time_ns, uint64_t first_seen_ns)
{
	struct netobs_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_FLOW;
	rec.time_ns = time_ns;
	rec.flow.first_seen_ns = first_seen_ns;
	agent_emit(a, &rec);
}

START_TEST(test_emit_keeps_time_order)
{
	struct agent a;
	const struct netobs_record *r;
	uint64_t base = 1700000000ULL * SEC;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(record_store_init(&a.store, 16), 0);
	emit_at(&a, base + 2 * SEC, base + 2 * SEC);		   /* a harvest's record */
	emit_at(&a, base + 2 * SEC - 3000, base + 2 * SEC - 3000); /* an event that raced it */
	emit_at(&a, base + 3 * SEC, base + 3 * SEC);
	emit_at(&a, base - 60 * SEC, base - 60 * SEC); /* the clock was set back a minute */

	r = record_store_get(&a.store, record_store_oldest_seq(&a.store) + 1);
	ck_assert_uint_eq(r->time_ns, base + 2 * SEC);
	ck_assert_uint_eq(r->flow.first_seen_ns, base + 2 * SEC - 3000); /* the packet's own */
	r = record_store_get(&a.store, record_store_oldest_seq(&a.store) + 3);
	ck_assert_uint_eq(r->time_ns, base - 60 * SEC);
	ck_assert_uint_eq(a.stats.records_reordered, 1);
	ck_assert_uint_eq(a.stats.records_seen, 4);
	record_store_free(&a.store);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("emit");
	TCase *tc = tcase_create("emit");

	tcase_add_test(tc, test_emit_keeps_time_order);
	suite_add_tcase(s, tc);
	return s;
}
