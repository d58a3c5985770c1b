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

/*
 * L7 filter values (filter_l7.c): checks for the parser, matchers for
 * filter_match.c. The checks return true for a valid value.
 */
bool filter_fqdn_pattern_valid(const char *pattern);
bool filter_http_status_valid(const char *text);
bool filter_http_method_valid(const char *text);
bool filter_http_path_valid(const char *regex);

/* A name ("a.example.com.") matches one of the globs. */
bool filter_fqdn_patterns_match(const struct netobs_filter_patterns *globs, const char *name);
/* A name of the chosen sides, or a DNS record's query, matches. */
bool filter_fqdn_match(const struct netobs_filter_patterns *globs,
		       const struct netobs_flow_record *flow, bool source, bool destination);
bool filter_http_status_match(const struct netobs_filter_strs *values,
			      const struct netobs_flow_record *flow);
bool filter_http_method_match(const struct netobs_filter_strs *values,
			      const struct netobs_flow_record *flow);
/* Regexes over the URL's path (whole_url false) or the whole URL. */
bool filter_http_url_match(const struct netobs_filter_patterns *regexes,
			   const struct netobs_flow_record *flow, bool whole_url);
