// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The wall-minus-monotonic offset (agent/agent.c) comes from the tightest of its
 * brackets: a read preempted between the wall and the monotonic clock must not
 * move every record of a batch back in time (a connectivity test once found
 * no SYN "since the action began" under a sanitizer build).
 */
#include <check.h>
#include <time.h>

#include "agent.h"

Suite *netobs_test_suite(void);

#define WALL 1700000000000000000ULL /* the true offset in these tests: wall = mono + WALL */

START_TEST(test_preempted_read_is_not_taken)
{
	/* First try: preempted for 5 ms after the wall read. Then two tight ones. */
	struct clock_bracket b[3] = {
		{.mono_before = 1000, .wall = WALL + 1100, .mono_after = 5001200},
		{.mono_before = 5001300, .wall = WALL + 5001350, .mono_after = 5001400},
		{.mono_before = 5001500, .wall = WALL + 5001560, .mono_after = 5001600},
	};
	uint64_t off = agent_wall_minus_mono(b, 3);

	/* Within the tight bracket's half width (50 ns) of the truth; a
	 * wall-then-monotonic read of the first try would be 5 ms early. */
	ck_assert_uint_ge(off, WALL - 50);
	ck_assert_uint_le(off, WALL + 50);
}
END_TEST

START_TEST(test_backward_bracket_is_skipped)
{
	struct clock_bracket b[2] = {
		{.mono_before = 2000, .wall = WALL + 1000, .mono_after = 1000}, /* impossible */
		{.mono_before = 3000, .wall = WALL + 3010, .mono_after = 3020},
	};

	ck_assert_uint_eq(agent_wall_minus_mono(b, 2), WALL);
}
END_TEST

START_TEST(test_live_offset_matches_the_clocks)
{
	struct timespec wall, mono;
	uint64_t off, direct;

	agent_clock_sync();
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	off = agent_mono_to_wall_ns(1) - 1;
	direct = ((uint64_t)wall.tv_sec * 1000000000ULL + (uint64_t)wall.tv_nsec) -
		 ((uint64_t)mono.tv_sec * 1000000000ULL + (uint64_t)mono.tv_nsec);
	/* Same clocks a moment apart: within 50 ms even on a loaded machine. */
	ck_assert_uint_le(off > direct ? off - direct : direct - off, 50000000ULL);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("clock_sync");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_preempted_read_is_not_taken);
	tcase_add_test(tc, test_backward_bracket_is_skipped);
	tcase_add_test(tc, test_live_offset_matches_the_clocks);
	suite_add_tcase(s, tc);
	return s;
}
