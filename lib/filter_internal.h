/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Helpers that filter parsing (filter_parse.c) and matching
 * (filter_match.c) share: a value is stored by the one and looked up by the
 * other, so both must read it the same way. Private to lib/.
 */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "filter.h"

static inline bool parse_decimal(const char *text, unsigned long max, unsigned long *out)
{
	unsigned long value = 0;

	if (!text || !*text || strlen(text) > 10)
		return false;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		value = value * 10 + (unsigned long)(*p - '0');
	}
	if (value > max)
		return false;
	*out = value;
	return true;
}

static inline bool u16s_has(const struct netobs_filter_u16s *list, uint16_t value)
{
	for (unsigned int i = 0; i < list->n; i++)
		if (list->v[i] == value)
			return true;
	return false;
}
