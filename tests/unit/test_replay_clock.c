// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A capture replay's clock and output (agent/agent.c): once set, every agent
 * clock reads the capture time, monotonic time converts to wall time unchanged
 * (the capture's times are wall times), a clock sync cannot bring the
 * machine's clock back, and agent_emit() hands records to the replay,
 * numbered from 1, instead of storing them.
 */
#include <check.h>
#include <string.h>

#include "agent.h"

Suite *netobs_test_suite(void);

#define CAPTURE_NS 1700000000123456789ULL /* 2023-11-14T22:13:20.123456789Z */

static struct netobs_record emitted[4];
static unsigned int nemitted;

static void collect(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	ck_assert_uint_lt(nemitted, 4);
	emitted[nemitted++] = *rec;
}

START_TEST(test_clock_follows_the_capture)
{
	agent_clock_replay_set(CAPTURE_NS);
	ck_assert_uint_eq(agent_now_mono_ns(), CAPTURE_NS);
	ck_assert_uint_eq(agent_now_mono_ns(), CAPTURE_NS);
	agent_clock_sync(); /* live, this reads the machine's clocks */
	ck_assert_uint_eq(agent_mono_to_wall_ns(CAPTURE_NS), CAPTURE_NS);
	ck_assert_uint_eq(agent_mono_to_wall_ns(CAPTURE_NS - 5), CAPTURE_NS - 5);

	agent_clock_replay_set(CAPTURE_NS + 60ULL * 1000000000ULL); /* a minute later */
	ck_assert_uint_eq(agent_now_mono_ns(), CAPTURE_NS + 60ULL * 1000000000ULL);
}
END_TEST

START_TEST(test_emit_goes_to_the_replay_numbered)
{
	struct agent a;
	struct netobs_record rec;

	memset(&a, 0, sizeof(a)); /* no store: emit must not touch it */
	a.replay_emit = collect;
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_FLOW;
	rec.time_ns = CAPTURE_NS;
	rec.seq = 99; /* not the replay's number */
	agent_emit(&a, &rec);
	rec.time_ns = CAPTURE_NS + 1;
	agent_emit(&a, &rec);

	ck_assert_uint_eq(nemitted, 2);
	ck_assert_uint_eq(emitted[0].seq, 1);
	ck_assert_uint_eq(emitted[1].seq, 2);
	ck_assert_uint_eq(emitted[1].time_ns, CAPTURE_NS + 1);
	ck_assert_uint_eq(a.stats.records_seen, 2);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("replay_clock");
	TCase *tc = tcase_create("replay_clock");

	tcase_add_test(tc, test_clock_follows_the_capture);
	tcase_add_test(tc, test_emit_goes_to_the_replay_numbered);
	suite_add_tcase(s, tc);
	return s;
}
