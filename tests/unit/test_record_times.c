// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A record's times from the datapath's: a flow's last_seen is the end of its
 * packet's tick (bpf/lib/clock.h), up to two ticks ahead of the agent's
 * clock, and a record never shows a last_seen after its own time.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

Suite *netobs_test_suite(void);

#define TICK_NS 4000000ULL
#define T_NS	(1000ULL * 1000000000ULL) /* a harvest's time, monotonic-clock ns */

static struct netobs_record record_at(uint64_t first, uint64_t last, uint64_t ts)
{
	struct netobs_flow_stats totals = {
		.packets = 3, .bytes = 180, .first_seen_ns = first, .last_seen_ns = last};
	struct endpoint_table *table = calloc(1, sizeof(*table));
	struct agent agent;
	struct flow_entry e;
	struct netobs_record rec;

	ck_assert_ptr_nonnull(table);
	memset(&agent, 0, sizeof(agent));
	agent.endpoints = table;
	memset(&e, 0, sizeof(e));
	e.key.family = NETOBS_FAMILY_IPV4;
	e.key.proto = IPPROTO_UDP;
	e.in_use = true;
	agent_flow_record(&agent, &e, &totals, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, ts,
			  &rec);
	free(table);
	return rec;
}

/* A last_seen a tick ahead of the harvest: the record's time instead. */
START_TEST(test_last_seen_ahead_is_clamped)
{
	struct netobs_record rec = record_at(T_NS - 5 * TICK_NS, T_NS + TICK_NS, T_NS);

	ck_assert_uint_eq(rec.flow.last_seen_ns, rec.time_ns);
	ck_assert_uint_le(rec.flow.first_seen_ns, rec.flow.last_seen_ns);
	ck_assert_uint_eq(rec.time_ns - rec.flow.first_seen_ns, 5 * TICK_NS);
}
END_TEST

/* One before the record's time is the packet's: kept. */
START_TEST(test_last_seen_before_is_kept)
{
	struct netobs_record rec = record_at(T_NS - 5 * TICK_NS, T_NS - TICK_NS, T_NS);

	ck_assert_uint_eq(rec.time_ns - rec.flow.last_seen_ns, TICK_NS);
	ck_assert_uint_eq(rec.flow.last_seen_ns - rec.flow.first_seen_ns, 4 * TICK_NS);
}
END_TEST

/*
 * A flow created while the harvest walked the map (after the harvest read
 * its time): its exact first_seen is after the record's time. Clamped to
 * that time, last_seen would come before first_seen.
 */
START_TEST(test_last_seen_never_before_first_seen)
{
	struct netobs_record rec = record_at(T_NS + TICK_NS / 2, T_NS + 2 * TICK_NS, T_NS);

	ck_assert_uint_ge(rec.flow.last_seen_ns, rec.flow.first_seen_ns);
	ck_assert_uint_eq(rec.flow.last_seen_ns - rec.time_ns, TICK_NS / 2);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_times");
	TCase *tc = tcase_create("clamp");

	tcase_add_test(tc, test_last_seen_ahead_is_clamped);
	tcase_add_test(tc, test_last_seen_before_is_kept);
	tcase_add_test(tc, test_last_seen_never_before_first_seen);
	suite_add_tcase(s, tc);
	return s;
}
