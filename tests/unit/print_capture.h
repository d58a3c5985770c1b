/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the printer tests share: times in UTC (the compact line prints local
 * time), and a printer's output captured into a string.
 */
#pragma once

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "print.h"
#include "record.h"

static inline void use_utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

/* Run a printer into a string; caller frees. */
static inline char *capture(void (*print)(FILE *, const struct netobs_record *),
			    const struct netobs_record *rec)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	print(out, rec);
	fclose(out);
	return text;
}

static inline void assert_compact(const struct netobs_record *rec, const char *expected)
{
	char *line = capture(netobs_print_compact, rec);

	ck_assert_str_eq(line, expected);
	free(line);
}
