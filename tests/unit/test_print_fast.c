// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lib/print.c (no printf, the local time of a second kept) against the
 * printf-based printer it replaced (print_reference.c, commit 20b296d):
 * the compact line, the table row and the Summary of random records of
 * every shape must be the same bytes, with colour and without, in time
 * zones with DST changes and odd offsets, for records that share a second
 * and records that cross a DST change second by second.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "print.h"
#include "print_capture.h"
#include "print_reference.h"
#include "random_record.h"

Suite *netobs_test_suite(void);

static void assert_same_text(const struct netobs_record *rec)
{
	char fast[NETOBS_SUMMARY_MAX], ref[NETOBS_SUMMARY_MAX];
	char *a, *b;

	netobs_record_summary(rec, fast, sizeof(fast));
	ref_record_summary(rec, ref, sizeof(ref));
	ck_assert_str_eq(fast, ref);
	a = capture(netobs_print_compact, rec);
	b = capture(ref_print_compact, rec);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	a = capture(netobs_print_table_row, rec);
	b = capture(ref_print_table_row, rec);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}

static void set_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Zones with DST, a half-hour offset, a half-hour DST and none. */
static const char *const zones[] = {"UTC", "Europe/Berlin", "America/St_Johns",
				    "Australia/Lord_Howe", "Asia/Kolkata"};

START_TEST(test_print_matches_reference)
{
	static struct netobs_record_storage parts;
	struct netobs_record rec;
	unsigned int l7 = 0, flows = 0;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		set_zone(zones[z]);
		for (int color = 0; color < 2; color++) {
			netobs_print_set_color(color);
			ref_print_set_color(color);
			for (int i = 0; i < 4000; i++) {
				random_record(&rec, &parts);
				/* runs of records in one second, as an agent sends them */
				if (i % 8)
					rec.time_ns = rec.time_ns / 1000000000ULL * 1000000000ULL +
						      rnd() % 1000000000ULL;
				l7 += rec.kind == NETOBS_RECORD_FLOW && rec.flow.l7;
				flows += rec.kind == NETOBS_RECORD_FLOW;
				assert_same_text(&rec);
			}
		}
	}
	/* the comparison covered L3/L4, L7 and lost records alike */
	ck_assert_uint_gt(flows, 30000);
	ck_assert_uint_gt(l7, 5000);
}
END_TEST

/*
 * Second by second across DST changes (Europe/Berlin 2026-03-29 01:00 UTC,
 * 2026-10-25 01:00 UTC; Lord Howe's half hour 2026-04-04 15:00 UTC), several
 * records a second: the kept second must never lend its offset to the next.
 */
START_TEST(test_print_across_dst_changes)
{
	static const struct {
		const char *zone;
		uint64_t change; /* seconds since the epoch */
	} changes[] = {
		{"Europe/Berlin", 1774746000},
		{"Europe/Berlin", 1792890000},
		{"Australia/Lord_Howe", 1775314800},
	};
	static struct netobs_record_storage parts;
	struct netobs_record rec;
	char *line;

	for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]); c++) {
		set_zone(changes[c].zone);
		for (uint64_t secs = changes[c].change - 3; secs < changes[c].change + 3; secs++) {
			for (int i = 0; i < 5; i++) {
				random_record(&rec, &parts);
				rec.time_ns = secs * 1000000000ULL + (uint64_t)i * 200000000ULL;
				assert_same_text(&rec);
			}
		}
	}
	/* and the text itself, independently of both printers: 02:59:59 CEST then
	 * 02:00:00 CET, an hour back at the autumn change */
	set_zone("Europe/Berlin");
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.lost.cpu = -1;
	rec.time_ns = (1792890000ULL - 1) * 1000000000ULL + 999000000ULL;
	line = capture(netobs_print_compact, &rec);
	ck_assert_msg(!strncmp(line, "Oct 25 02:59:59.999: ", 21), "%s", line);
	free(line);
	rec.time_ns = 1792890000ULL * 1000000000ULL;
	line = capture(netobs_print_compact, &rec);
	ck_assert_msg(!strncmp(line, "Oct 25 02:00:00.000: ", 21), "%s", line);
	free(line);
}
END_TEST

/* A tzset() to another zone within one second: the kept text is not reused. */
START_TEST(test_print_follows_tzset)
{
	struct netobs_record rec = {.kind = NETOBS_RECORD_LOST_EVENTS};
	char *line;

	rec.lost.cpu = -1;
	rec.time_ns = 1774746001ULL * 1000000000ULL; /* 2026-03-29 01:00:01 UTC */
	set_zone("UTC");
	line = capture(netobs_print_compact, &rec);
	ck_assert_msg(!strncmp(line, "Mar 29 01:00:01.000: ", 21), "%s", line);
	free(line);
	set_zone("Asia/Kolkata");
	line = capture(netobs_print_compact, &rec);
	ck_assert_msg(!strncmp(line, "Mar 29 06:30:01.000: ", 21), "%s", line);
	free(line);
}
END_TEST

/*
 * A tzset() within one second to a zone of the same names but another
 * offset: glibc hands out the same tzname pointers for equal names, so
 * those alone do not tell the zones apart.
 */
START_TEST(test_print_follows_tzset_same_names)
{
	static const char *const pairs[][2] = {
		{"America/Chicago", "America/Havana"}, /* CST/CDT both, an hour apart */
		{"ABC-3", "ABC-5"},		       /* POSIX: one name, two offsets */
	};
	static struct netobs_record_storage parts;
	struct netobs_record rec;
	char *line;

	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		random_record(&rec, &parts);
		rec.time_ns = 1774746001ULL * 1000000000ULL; /* 2026-03-29 01:00:01 UTC */
		for (int z = 0; z < 2; z++) {
			set_zone(pairs[p][z]);
			assert_same_text(&rec);
		}
	}
	/* and the text itself: 21:00:01 in Havana (CDT, UTC-4) */
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.lost.cpu = -1;
	rec.time_ns = 1774746001ULL * 1000000000ULL;
	set_zone("America/Chicago");
	free(capture(netobs_print_compact, &rec));
	set_zone("America/Havana");
	line = capture(netobs_print_compact, &rec);
	ck_assert_msg(!strncmp(line, "Mar 28 21:00:01.000: ", 21), "%s", line);
	free(line);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("print_fast");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_print_matches_reference);
	tcase_add_test(tc, test_print_across_dst_changes);
	tcase_add_test(tc, test_print_follows_tzset);
	tcase_add_test(tc, test_print_follows_tzset_same_names);
	suite_add_tcase(s, tc);
	return s;
}
