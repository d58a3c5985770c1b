/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The bounded text appender of the printers (print.c, print_summary.c).
 * Private to lib/.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"

/*
 * Bounded appender: output is cut at the buffer's end, never overflows.
 * Each append is what snprintf() at the end of the text would do (as much
 * as fits, NUL-terminated; used counts what did not fit too), so the plain
 * appenders below and text_add() cut a long text at the same byte. The
 * plain ones carry every record's text: printf's format parsing was a
 * third of the CLI's time per record in compact output (issue 9).
 */
struct text {
	char *buf;
	size_t len;
	size_t used;
};

static inline void text_put(struct text *t, const char *s, size_t n)
{
	size_t room, copy;

	if (t->used >= t->len)
		return;
	room = t->len - t->used - 1;
	copy = n < room ? n : room;
	memcpy(t->buf + t->used, s, copy);
	t->buf[t->used + copy] = '\0';
	t->used += n;
}

static inline void text_str(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

/* %u / %llu */
static inline void text_u64(struct text *t, uint64_t v)
{
	char digits[DECIMAL_U64_MAX];
	const char *start = decimal_u64(digits, v);

	text_put(t, start, (size_t)(digits + sizeof(digits) - start));
}

/* %*s of "": n spaces */
static inline void text_spaces(struct text *t, size_t n)
{
	static const char spaces[] = "                                ";

	while (n) {
		size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;

		text_put(t, spaces, k);
		n -= k;
	}
}

/* What fits of the text, as text_add() leaves it (its length, not used). */
static inline size_t text_length(const struct text *t)
{
	return t->used < t->len ? t->used : t->len ? t->len - 1 : 0;
}

__attribute__((format(printf, 2, 3))) static inline void text_add(struct text *t, const char *fmt,
								  ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += (size_t)n;
}
