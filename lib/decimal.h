/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Unsigned decimal without printf, for the record writer and the printers. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Room for the digits of any uint64_t. */
#define DECIMAL_U64_MAX 20

/* The digits of v written backwards into buf, ending at its end (buf holds
 * DECIMAL_U64_MAX chars); returns where they start. */
static inline const char *decimal_u64(char buf[DECIMAL_U64_MAX], uint64_t v)
{
	char *p = buf + DECIMAL_U64_MAX;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}
