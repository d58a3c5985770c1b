// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Record store: sequence numbers, bounds before and after wrap-around, copies. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "store.h"

Suite *netobs_test_suite(void);

/* A flow record whose time_ns tells which append it came from. */
static void make_record(struct netobs_record *rec, uint64_t time_ns)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = time_ns;
	rec->flow.packets = time_ns + 1;
	strcpy(rec->flow.ifname, "eth0");
}

START_TEST(test_init_capacity_zero)
{
	struct record_store store;

	ck_assert_int_eq(record_store_init(&store, 0), -EINVAL);
	record_store_free(&store); /* must be safe after a failed init */
}
END_TEST

START_TEST(test_empty_store)
{
	struct record_store store;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	ck_assert_uint_eq(record_store_count(&store), 0);
	ck_assert_uint_eq(record_store_newest_seq(&store), 0);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_ptr_null(record_store_get(&store, 0));
	ck_assert_ptr_null(record_store_get(&store, 1));
	record_store_free(&store);
}
END_TEST

START_TEST(test_append_assigns_sequence)
{
	struct record_store store;
	struct netobs_record rec;
	struct netobs_record *stored;

	ck_assert_int_eq(record_store_init(&store, 8), 0);

	make_record(&rec, 500);
	rec.seq = 999; /* the caller's seq is ignored */
	stored = record_store_append(&store, &rec);
	ck_assert_ptr_nonnull(stored);
	ck_assert_uint_eq(stored->seq, 1);
	ck_assert_uint_eq(stored->time_ns, 500);

	make_record(&rec, 501);
	ck_assert_uint_eq(record_store_append(&store, &rec)->seq, 2);
	make_record(&rec, 502);
	ck_assert_uint_eq(record_store_append(&store, &rec)->seq, 3);

	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_uint_eq(record_store_newest_seq(&store), 3);
	ck_assert_uint_eq(record_store_count(&store), 3);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 500);
	ck_assert_uint_eq(record_store_get(&store, 2)->time_ns, 501);
	ck_assert_uint_eq(record_store_get(&store, 3)->time_ns, 502);
	ck_assert_ptr_null(record_store_get(&store, 4));
	record_store_free(&store);
}
END_TEST

START_TEST(test_wrap_around)
{
	/* time_ns of append number i (1-based) */
	static const uint64_t times[10] = {1001, 1002, 1003, 1004, 1005,
					   1006, 1007, 1008, 1009, 1010};
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	for (int i = 0; i < 4; i++) {
		make_record(&rec, times[i]);
		record_store_append(&store, &rec);
	}
	/* exactly full */
	ck_assert_uint_eq(record_store_oldest_seq(&store), 1);
	ck_assert_uint_eq(record_store_newest_seq(&store), 4);
	ck_assert_uint_eq(record_store_count(&store), 4);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 1001);
	ck_assert_uint_eq(record_store_get(&store, 4)->time_ns, 1004);

	make_record(&rec, times[4]);
	record_store_append(&store, &rec);
	/* one past full: seq 1 overwritten */
	ck_assert_uint_eq(record_store_oldest_seq(&store), 2);
	ck_assert_uint_eq(record_store_newest_seq(&store), 5);
	ck_assert_uint_eq(record_store_count(&store), 4);
	ck_assert_ptr_null(record_store_get(&store, 1));
	ck_assert_uint_eq(record_store_get(&store, 5)->time_ns, 1005);

	for (int i = 5; i < 10; i++) {
		make_record(&rec, times[i]);
		record_store_append(&store, &rec);
	}
	ck_assert_uint_eq(record_store_oldest_seq(&store), 7);
	ck_assert_uint_eq(record_store_newest_seq(&store), 10);
	ck_assert_uint_eq(record_store_count(&store), 4);

	ck_assert_ptr_null(record_store_get(&store, 0));
	ck_assert_ptr_null(record_store_get(&store, 1));
	ck_assert_ptr_null(record_store_get(&store, 6));  /* overwritten */
	ck_assert_ptr_null(record_store_get(&store, 11)); /* not made yet */
	ck_assert_ptr_null(record_store_get(&store, UINT64_MAX));

	ck_assert_uint_eq(record_store_get(&store, 7)->seq, 7);
	ck_assert_uint_eq(record_store_get(&store, 7)->time_ns, 1007);
	ck_assert_uint_eq(record_store_get(&store, 7)->flow.packets, 1008);
	ck_assert_uint_eq(record_store_get(&store, 8)->seq, 8);
	ck_assert_uint_eq(record_store_get(&store, 8)->time_ns, 1008);
	ck_assert_uint_eq(record_store_get(&store, 9)->seq, 9);
	ck_assert_uint_eq(record_store_get(&store, 9)->time_ns, 1009);
	ck_assert_uint_eq(record_store_get(&store, 10)->seq, 10);
	ck_assert_uint_eq(record_store_get(&store, 10)->time_ns, 1010);
	ck_assert_uint_eq(record_store_get(&store, 10)->flow.packets, 1011);
	record_store_free(&store);
}
END_TEST

START_TEST(test_capacity_one)
{
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 1), 0);
	make_record(&rec, 70);
	record_store_append(&store, &rec);
	make_record(&rec, 71);
	record_store_append(&store, &rec);
	make_record(&rec, 72);
	record_store_append(&store, &rec);
	ck_assert_uint_eq(record_store_oldest_seq(&store), 3);
	ck_assert_uint_eq(record_store_newest_seq(&store), 3);
	ck_assert_uint_eq(record_store_count(&store), 1);
	ck_assert_ptr_null(record_store_get(&store, 2));
	ck_assert_uint_eq(record_store_get(&store, 3)->time_ns, 72);
	record_store_free(&store);
}
END_TEST

START_TEST(test_copies_are_independent)
{
	struct record_store store;
	struct netobs_record rec;
	struct netobs_record *stored;
	const struct netobs_record *got;

	ck_assert_int_eq(record_store_init(&store, 4), 0);
	make_record(&rec, 300);
	rec.flow.key.proto = 6;
	stored = record_store_append(&store, &rec);
	ck_assert_ptr_ne(stored, &rec);

	/* the caller reuses its struct: the stored copy must not follow */
	rec.time_ns = 301;
	rec.flow.key.proto = 17;
	strcpy(rec.flow.ifname, "wlan9");

	got = record_store_get(&store, 1);
	ck_assert_ptr_eq(got, stored);
	ck_assert_uint_eq(got->time_ns, 300);
	ck_assert_uint_eq(got->flow.key.proto, 6);
	ck_assert_str_eq(got->flow.ifname, "eth0");
	ck_assert_uint_eq(got->kind, NETOBS_RECORD_FLOW);
	ck_assert_uint_eq(rec.seq, 0); /* input not written */

	/* the next append goes elsewhere and leaves the first alone */
	record_store_append(&store, &rec);
	ck_assert_uint_eq(record_store_get(&store, 1)->time_ns, 300);
	ck_assert_uint_eq(record_store_get(&store, 2)->time_ns, 301);
	ck_assert_str_eq(record_store_get(&store, 2)->flow.ifname, "wlan9");
	record_store_free(&store);
}
END_TEST

START_TEST(test_lost_record_kind)
{
	struct record_store store;
	struct netobs_record rec;

	ck_assert_int_eq(record_store_init(&store, 2), 0);
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.lost.count = 42;
	rec.lost.cpu = -1;
	rec.lost.source = NETOBS_LOST_HUBBLE_RING_BUFFER;
	record_store_append(&store, &rec);
	ck_assert_uint_eq(record_store_get(&store, 1)->kind, NETOBS_RECORD_LOST_EVENTS);
	ck_assert_uint_eq(record_store_get(&store, 1)->lost.count, 42);
	ck_assert_int_eq(record_store_get(&store, 1)->lost.cpu, -1);
	record_store_free(&store);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_init_capacity_zero);
	tcase_add_test(tc, test_empty_store);
	tcase_add_test(tc, test_append_assigns_sequence);
	tcase_add_test(tc, test_wrap_around);
	tcase_add_test(tc, test_capacity_one);
	tcase_add_test(tc, test_copies_are_independent);
	tcase_add_test(tc, test_lost_record_kind);
	suite_add_tcase(s, tc);
	return s;
}
