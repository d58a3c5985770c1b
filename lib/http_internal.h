/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Shared between http_head.c (one head) and http.c (streams and matching). */
#pragma once

#include "http.h"

enum http_scan {
	HTTP_SCAN_NEED_MORE = 0,
	HTTP_SCAN_INVALID,
	HTTP_SCAN_COMPLETE,
};

/*
 * Is buf[0..len) a valid prefix of a head of direction dir? COMPLETE sets
 * *head_len to the length of the head through its blank line. Decides
 * NOT_HTTP from the start line alone, as early as the bytes allow (a TLS
 * record fails at its first byte).
 */
enum http_scan http_head_scan(const uint8_t *buf, size_t len, enum netobs_http_dir dir,
			      size_t *head_len);
