/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A strict, allocation-free JSON reader over one line of text, for the
 * record fast path (record_json_scan.c). It reads the subset of JSON the
 * record writer makes (no whitespace, non-negative integers, \uXXXX only
 * for control characters) and fails on anything else: a failure means
 * "leave this line to jansson", never "this line is wrong". Header-only
 * (static inline): the reader runs for every byte of every record.
 * Private to lib/.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

struct scan {
	const char *p, *end;
	bool failed;
};

static inline bool scan_fail(struct scan *s)
{
	s->failed = true;
	return false;
}

static inline bool scan_char(struct scan *s, char c)
{
	if (s->failed || s->p >= s->end || *s->p != c)
		return scan_fail(s);
	s->p++;
	return true;
}

static inline bool scan_peek(const struct scan *s, char c)
{
	return !s->failed && s->p < s->end && *s->p == c;
}

static inline unsigned int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	return 16;
}

/* Bytes of a valid UTF-8 sequence at p (at most n available), 0 if none. */
static inline size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned int value, len, i;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	value = p[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		value = (value << 6) | (p[i] & 0x3f);
	}
	if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff) ||
	    (len == 3 && value < 0x800) || (len == 4 && value < 0x10000))
		return 0;
	return len;
}

/* The bytes a string holds as they are (printable ASCII but '"' and '\\'):
 * a table, as the reader looks at every byte of every record. */
static const bool scan_plain[256] = {
	[0x20 ... '"' - 1] = true,
	['"' + 1 ... '\\' - 1] = true,
	['\\' + 1 ... 0x7f] = true,
};

/*
 * A string into out (cap bytes, NUL-terminated; NULL: checked, not kept).
 * Escapes other than \uXXXX of the BMP's non-surrogates, a NUL, or a
 * string that does not fit go to the full decoder.
 */
static inline bool scan_string(struct scan *s, char *out, size_t cap)
{
	size_t len = 0;

	if (!scan_char(s, '"'))
		return false;
	while (s->p < s->end) {
		const unsigned char *run = (const unsigned char *)s->p;
		unsigned char c;
		size_t n;

		while (s->p < s->end && scan_plain[(unsigned char)*s->p])
			s->p++;
		n = (size_t)((const unsigned char *)s->p - run);
		if (out) {
			if (len + n >= cap)
				return scan_fail(s);
			memcpy(out + len, run, n);
		}
		len += n;
		if (s->p >= s->end)
			break;
		c = (unsigned char)*s->p;
		if (c == '"') {
			s->p++;
			if (out)
				out[len] = '\0';
			return true;
		}
		if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s->p, (size_t)(s->end - s->p));
			if (!n || (out && len + n >= cap))
				return scan_fail(s);
			if (out)
				memcpy(out + len, s->p, n);
			len += n;
			s->p += n;
			continue;
		}
		if (c != '\\' || s->end - s->p < 2)
			return scan_fail(s); /* a raw control character */
		s->p++;
		c = (unsigned char)*s->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u': {
			unsigned int v = 0;

			if (s->end - s->p < 4)
				return scan_fail(s);
			for (int i = 0; i < 4; i++) {
				unsigned int digit = hex_digit(s->p[i]);

				if (digit > 15)
					return scan_fail(s);
				v = v << 4 | digit;
			}
			s->p += 4;
			/* the writer escapes only control characters */
			if (!v || v >= 0x80)
				return scan_fail(s);
			c = (unsigned char)v;
			break;
		}
		default:
			return scan_fail(s);
		}
		if (out) {
			if (len + 1 >= cap)
				return scan_fail(s);
			out[len] = (char)c;
		}
		len++;
	}
	return scan_fail(s);
}

/* `"key":`, key into buf. */
static inline bool scan_key(struct scan *s, char *buf, size_t cap)
{
	return scan_string(s, buf, cap) && scan_char(s, ':');
}

/* A JSON integer 0..max, no sign, no fraction or exponent. */
static inline bool scan_uint(struct scan *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *start = s->p;

	while (!s->failed && s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		unsigned int digit = (unsigned int)(*s->p - '0');

		if (v > (UINT64_MAX - digit) / 10)
			return scan_fail(s);
		v = v * 10 + digit;
		s->p++;
	}
	if (s->failed || s->p == start || v > max || (s->p - start > 1 && *start == '0') ||
	    (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')))
		return scan_fail(s);
	/* jansson keeps integers as signed 64-bit: larger ones are its to refuse */
	if (v > INT64_MAX)
		return scan_fail(s);
	*out = v;
	return true;
}

/* A 64-bit count as protojson writes it: a decimal string. */
static inline bool scan_uint_string(struct scan *s, uint64_t *out)
{
	char text[24], *end;
	const char *p = s->p + 1;
	uint64_t v = 0;

	/* The writer's form, "digits", read in place: what strtoull() below
	 * makes of it, without the copy (a leading zero reads the same). */
	if (!s->failed && s->end - s->p >= 3 && *s->p == '"' && *p >= '0' && *p <= '9') {
		for (; p < s->end && *p >= '0' && *p <= '9' && p - s->p <= 19; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (p < s->end && *p == '"' && p - s->p <= 19) { /* 18 digits: no overflow */
			s->p = p + 1;
			*out = v;
			return true;
		}
	}
	if (!scan_string(s, text, sizeof(text)))
		return false;
	errno = 0;
	*out = strtoull(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end || errno)
		return scan_fail(s);
	return true;
}

static inline bool scan_literal(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if (s->failed || (size_t)(s->end - s->p) < n || memcmp(s->p, lit, n))
		return scan_fail(s);
	s->p += n;
	return true;
}

static inline bool scan_bool(struct scan *s, bool *out)
{
	if (scan_peek(s, 't'))
		return (*out = true, scan_literal(s, "true"));
	*out = false;
	return scan_literal(s, "false");
}

/*
 * from_name(name), from a cache of the names seen last: a record has a
 * dozen names (verdict, hook, TCP flags, DNS types), each looked up by a
 * walk of strcmp() over its table, and the records of a node use few.
 * from_name is a pure function of the text, so a kept answer is its
 * answer. Per thread, so lib/ stays safe to share.
 */
#define SCAN_NAME_CACHE 32

static inline int scan_name_value(int (*from_name)(const char *), const char *name)
{
	static __thread struct {
		int (*from_name)(const char *);
		char name[24];
		int value;
	} cache[SCAN_NAME_CACHE];
	static __thread unsigned int next;
	size_t len;
	int value;

	for (unsigned int i = 0; i < SCAN_NAME_CACHE; i++)
		if (cache[i].from_name == from_name && cache[i].name[0] == name[0] &&
		    !strcmp(cache[i].name, name))
			return cache[i].value;
	value = from_name(name);
	len = strlen(name);
	if (value >= 0 && len < sizeof(cache[0].name)) {
		cache[next].from_name = from_name;
		memcpy(cache[next].name, name, len + 1);
		cache[next].value = value;
		next = (next + 1) % SCAN_NAME_CACHE;
	}
	return value;
}

static inline bool scan_enum(struct scan *s, int (*from_name)(const char *), uint8_t *out)
{
	char name[64];
	int v;

	if (!scan_string(s, name, sizeof(name)))
		return false;
	v = scan_name_value(from_name, name);
	if (v < 0)
		return scan_fail(s);
	*out = (uint8_t)v;
	return true;
}

/* The writer's times: "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ", quotes included. */
#define SCAN_TIME_LEN	 32
#define SCAN_TIME_SECOND 19 /* "YYYY-MM-DDTHH:MM:SS" */

/* Nine digits at p: the nanoseconds, or -1. */
static inline int64_t scan_nanoseconds(const char *p)
{
	int64_t v = 0;

	for (int i = 0; i < 9; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * An RFC 3339 time. A record has three and the records of a second share
 * it, so the second of the writer's form is kept: a time of the same
 * second reads only its nanoseconds. The kept second was read by
 * netobs_time_parse_rfc3339(), and the same text reads the same, so the
 * result is the parse's. Anything else is parsed in full.
 */
static inline bool scan_time(struct scan *s, uint64_t *out)
{
	static __thread char second_text[SCAN_TIME_SECOND];
	static __thread uint64_t second_ns;
	static __thread bool second_kept;
	const char *p = s->p;
	bool writer_form = !s->failed && s->end - p >= SCAN_TIME_LEN && p[0] == '"' &&
			   p[SCAN_TIME_SECOND + 1] == '.' && p[SCAN_TIME_LEN - 2] == 'Z' &&
			   p[SCAN_TIME_LEN - 1] == '"';
	int64_t frac = writer_form ? scan_nanoseconds(p + SCAN_TIME_SECOND + 2) : -1;
	char text[64];

	/* past 2554 the sum overflows: the parse refuses it, so must this */
	if (frac >= 0 && second_kept && (uint64_t)frac <= UINT64_MAX - second_ns &&
	    !memcmp(p + 1, second_text, SCAN_TIME_SECOND)) {
		*out = second_ns + (uint64_t)frac;
		s->p += SCAN_TIME_LEN;
		return true;
	}
	if (!scan_string(s, text, sizeof(text)))
		return false;
	if (netobs_time_parse_rfc3339(text, out))
		return scan_fail(s);
	if (frac >= 0) {
		memcpy(second_text, p + 1, SCAN_TIME_SECOND);
		second_ns = *out - (uint64_t)frac;
		second_kept = true;
	}
	return true;
}

/* Room for a member's name; a longer one fails the scan. */
#define SCAN_KEY_MAX 64

/*
 * Is key, as scan_object() hands it to a member (in a buffer of
 * SCAN_KEY_MAX initialised bytes), the literal lit? A compare of
 * sizeof(lit) bytes, its NUL included, that the compiler inlines: calls to
 * strcmp() were a tenth of the CLI's time per record.
 */
#define KEY_IS(key, lit) (sizeof(lit) <= SCAN_KEY_MAX && !memcmp((key), (lit), sizeof(lit)))

/*
 * Members of an object: member(s, key, ctx) for each, after its `"key":`.
 * Returns with s->failed set if member did, or the text was not an object.
 */
static inline bool scan_object(struct scan *s, bool (*member)(struct scan *, const char *, void *),
			       void *ctx)
{
	char key[SCAN_KEY_MAX] = ""; /* all of it initialised: KEY_IS() reads past the NUL */

	if (!scan_char(s, '{'))
		return false;
	if (scan_peek(s, '}'))
		return scan_char(s, '}');
	do {
		if (!scan_key(s, key, sizeof(key)) || !member(s, key, ctx))
			return scan_fail(s);
	} while (scan_peek(s, ',') && scan_char(s, ','));
	return scan_char(s, '}');
}

/* Array elements: element(s, index, ctx) for each, at most max of them. */
static inline bool scan_array(struct scan *s, size_t max,
			      bool (*element)(struct scan *, size_t, void *), void *ctx,
			      size_t *count)
{
	size_t n = 0;

	if (!scan_char(s, '['))
		return false;
	if (!scan_peek(s, ']')) {
		do {
			if (n >= max || !element(s, n, ctx))
				return scan_fail(s);
			n++;
		} while (scan_peek(s, ',') && scan_char(s, ','));
	}
	if (count)
		*count = n;
	return scan_char(s, ']');
}

/* Any value, checked and dropped (members the decoder does not read). */
static inline bool skip_value(struct scan *s, int depth);

static inline bool skip_member(struct scan *s, const char *key, void *ctx)
{
	(void)key;
	return skip_value(s, *(int *)ctx);
}

static inline bool skip_element(struct scan *s, size_t i, void *ctx)
{
	(void)i;
	return skip_value(s, *(int *)ctx);
}

static inline bool skip_value(struct scan *s, int depth)
{
	uint64_t number;
	bool flag;

	if (depth > 8 || s->failed || s->p >= s->end)
		return scan_fail(s);
	depth++;
	switch (*s->p) {
	case '"':
		return scan_string(s, NULL, 0);
	case '{':
		return scan_object(s, skip_member, &depth);
	case '[':
		return scan_array(s, SIZE_MAX, skip_element, &depth, NULL);
	case 't':
	case 'f':
		return scan_bool(s, &flag);
	default:
		return scan_uint(s, UINT64_MAX, &number);
	}
}

/* flow.l7 into l7 (cleared first), in the writer's form (record_json_scan_l7.c). */
bool scan_l7(struct scan *s, struct netobs_l7 *l7);
