/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The JSON writer's appenders (record_json_encode.c): a text written
 * straight into the caller's buffer, escaped as jansson's json_dumps()
 * escapes it. Private to lib/.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decimal.h"

/* The text so far: bytes past size are counted, not written (snprintf's way). */
struct json_text {
	char *buf;
	size_t size;
	size_t len;
	int err;    /* first error: -EILSEQ (not UTF-8), -EINVAL (a value without a name) */
	bool first; /* no member yet in the object being written */
};

/*
 * The appenders are inlined (always_inline): they run for every byte of
 * every record the agent serves, and a call per key or character, with a
 * strlen() of each literal key, was a third of the encoder's time.
 */
#define APPEND static inline __attribute__((always_inline))

APPEND void put(struct json_text *t, const char *s, size_t n)
{
	if (t->len + n <= t->size)
		memcpy(t->buf + t->len, s, n);
	else if (t->len < t->size)
		memcpy(t->buf + t->len, s, t->size - t->len);
	t->len += n;
}

#define PUT_LITERAL(t, lit) put(t, lit, sizeof(lit) - 1)

APPEND void put_char(struct json_text *t, char c)
{
	if (t->len < t->size)
		t->buf[t->len] = c;
	t->len++;
}

static inline void put_u64(struct json_text *t, uint64_t v)
{
	char digits[DECIMAL_U64_MAX];
	const char *start = decimal_u64(digits, v);

	put(t, start, (size_t)(digits + sizeof(digits) - start));
}

static inline void put_i64(struct json_text *t, int64_t v)
{
	if (v < 0) {
		put_char(t, '-');
		put_u64(t, (uint64_t)0 - (uint64_t)v);
		return;
	}
	put_u64(t, (uint64_t)v);
}

/* Length of the UTF-8 sequence at s, 0 when it is not one (jansson's rules:
 * no overlong forms, no surrogates, nothing past U+10FFFF). */
static inline size_t utf8_sequence_len(const unsigned char *s)
{
	unsigned int value, n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2)
		return 0;
	if (s[0] < 0xe0) {
		n = 2;
		value = s[0] & 0x1f;
	} else if (s[0] < 0xf0) {
		n = 3;
		value = s[0] & 0x0f;
	} else if (s[0] < 0xf5) {
		n = 4;
		value = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		value = (value << 6) | (s[i] & 0x3f);
	}
	if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff) || (n == 3 && value < 0x800) ||
	    (n == 4 && value < 0x10000))
		return 0;
	return n;
}

/* The bytes a JSON string holds as they are: printable ASCII but '"' and '\\'. */
static const bool json_plain[256] = {
	[0x20 ... '"' - 1] = true,
	['"' + 1 ... '\\' - 1] = true,
	['\\' + 1 ... 0x7f] = true,
};

/* A JSON string, escaped as jansson's dump escapes it. */
static inline void put_string(struct json_text *t, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *run;

	if (!s) {
		if (!t->err)
			t->err = -EINVAL;
		return;
	}
	put_char(t, '"');
	for (;;) {
		run = p;
		while (json_plain[*p])
			p++;
		put(t, (const char *)run, (size_t)(p - run));
		if (!*p)
			break;
		if (*p >= 0x80) {
			size_t n = utf8_sequence_len(p);

			if (!n) {
				if (!t->err)
					t->err = -EILSEQ;
				return;
			}
			put(t, (const char *)p, n);
			p += n;
			continue;
		}
		put_char(t, '\\');
		switch (*p) {
		case '"':
		case '\\':
			put_char(t, (char)*p);
			break;
		case '\b':
			put_char(t, 'b');
			break;
		case '\f':
			put_char(t, 'f');
			break;
		case '\n':
			put_char(t, 'n');
			break;
		case '\r':
			put_char(t, 'r');
			break;
		case '\t':
			put_char(t, 't');
			break;
		default:
			PUT_LITERAL(t, "u00");
			put_char(t, hex[*p >> 4]);
			put_char(t, hex[*p & 0xf]);
			break;
		}
		p++;
	}
	put_char(t, '"');
}

/* `"key":` inside the object being written, after a comma unless first
 * (keys are literals: their strlen() is the compiler's). */
APPEND void put_key(struct json_text *t, const char *key)
{
	size_t n = strlen(key);

	if (t->len + n + 4 <= t->size) {
		char *out = t->buf + t->len;

		if (!t->first)
			*out++ = ',';
		*out++ = '"';
		memcpy(out, key, n);
		out[n] = '"';
		out[n + 1] = ':';
		t->len = (size_t)(out + n + 2 - t->buf);
		t->first = false;
		return;
	}
	if (!t->first)
		put_char(t, ',');
	t->first = false;
	put_char(t, '"');
	put(t, key, n);
	PUT_LITERAL(t, "\":");
}

static inline void open_object(struct json_text *t)
{
	put_char(t, '{');
	t->first = true;
}

static inline void close_object(struct json_text *t)
{
	put_char(t, '}');
	t->first = false;
}

APPEND void member_string(struct json_text *t, const char *key, const char *value)
{
	put_key(t, key);
	put_string(t, value);
}

/* A string the encoder knows needs no escape (an enum's name, an address),
 * copied as it is; NULL is refused as put_string() refuses it. */
APPEND void member_name(struct json_text *t, const char *key, const char *value)
{
	size_t n;

	if (!value) {
		if (!t->err)
			t->err = -EINVAL;
		return;
	}
	n = strlen(value);
	put_key(t, key);
	put_char(t, '"');
	put(t, value, n);
	put_char(t, '"');
}

APPEND void member_int(struct json_text *t, const char *key, int64_t value)
{
	put_key(t, key);
	put_i64(t, value);
}

/* 64-bit counters are strings, as protojson writes them. */
APPEND void member_u64_string(struct json_text *t, const char *key, uint64_t value)
{
	put_key(t, key);
	put_char(t, '"');
	put_u64(t, value);
	put_char(t, '"');
}
