/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The record decoder's own helpers, shared by its two files: the flow
 * (record_json_decode.c) and its L7 part (record_json_decode_l7.c). Every
 * error names the offending field, so a bad request can be fixed from the
 * message. Private to lib/.
 */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "record.h"

struct decoder {
	char *err;
	size_t errlen;
	struct netobs_record_storage *storage; /* NULL: L7 records and names are refused */
};

__attribute__((format(printf, 2, 3))) static inline int decode_fail(struct decoder *d,
								    const char *fmt, ...)
{
	va_list ap;

	if (d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Member `key` of `obj` of the given JSON type; NULL (and 0) when absent. */
static inline int get_member(struct decoder *d, const json_t *obj, const char *where,
			     const char *key, json_type type, bool required, json_t **out)
{
	static const char *const type_names[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string",  [JSON_INTEGER] = "an integer",
		[JSON_REAL] = "a number",    [JSON_TRUE] = "a boolean",
		[JSON_FALSE] = "a boolean",  [JSON_NULL] = "null",
	};
	json_t *value = json_object_get(obj, key);

	*out = NULL;
	if (!value) {
		if (required)
			return decode_fail(d, "%s: missing \"%s\"", where, key);
		return 0;
	}
	if (json_typeof(value) != type && !(type == JSON_TRUE && json_is_boolean(value)))
		return decode_fail(d, "%s.%s: expected %s", where, key, type_names[type]);
	*out = value;
	return 0;
}

/* An unsigned number up to max, as a JSON integer or (protojson 64-bit) a decimal string. */
static inline int get_uint(struct decoder *d, const json_t *obj, const char *where, const char *key,
			   uint64_t max, bool required, uint64_t *out)
{
	json_t *value = json_object_get(obj, key);
	uint64_t number;

	if (!value) {
		if (required)
			return decode_fail(d, "%s: missing \"%s\"", where, key);
		return 0;
	}
	if (json_is_integer(value) && json_integer_value(value) >= 0) {
		number = (uint64_t)json_integer_value(value);
	} else if (json_is_string(value)) {
		const char *text = json_string_value(value);
		char *end;

		errno = 0;
		number = strtoull(text, &end, 10);
		if (*text < '0' || *text > '9' || *end || errno)
			goto bad;
	} else {
		goto bad;
	}
	if (number > max)
		goto bad;
	*out = number;
	return 0;
bad:
	return decode_fail(d, "%s.%s: expected an integer 0-%" PRIu64, where, key, max);
}

static inline int get_enum(struct decoder *d, const json_t *obj, const char *where, const char *key,
			   int (*from_name)(const char *), bool required, int *out)
{
	json_t *value;
	int err, parsed;

	err = get_member(d, obj, where, key, JSON_STRING, required, &value);
	if (err || !value)
		return err;
	parsed = from_name(json_string_value(value));
	if (parsed < 0)
		return decode_fail(d, "%s.%s: unknown value '%s'", where, key,
				   json_string_value(value));
	*out = parsed;
	return 0;
}

/* A JSON string into a char array of `size` bytes, refusing what would not fit. */
static inline int copy_string(struct decoder *d, const json_t *value, const char *where, char *out,
			      size_t size)
{
	if (!json_is_string(value))
		return decode_fail(d, "%s: expected a string", where);
	if (strlen(json_string_value(value)) >= size)
		return decode_fail(d, "%s: longer than %zu characters", where, size - 1);
	strcpy(out, json_string_value(value));
	return 0;
}

/* An optional array member of at most max entries; *out NULL when absent. */
static inline int get_array(struct decoder *d, const json_t *obj, const char *where,
			    const char *key, size_t max, json_t **out)
{
	int err = get_member(d, obj, where, key, JSON_ARRAY, false, out);

	if (err || !*out)
		return err;
	if (json_array_size(*out) > max)
		return decode_fail(d, "%s.%s: more than %zu entries", where, key, max);
	return 0;
}

/* flow.l7 into storage->l7 (record_json_decode_l7.c); "Type" must agree with its presence. */
int record_decode_l7(struct decoder *d, const json_t *obj, struct netobs_flow_record *flow);
