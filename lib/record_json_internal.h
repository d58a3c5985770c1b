/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the record encoder (record_json_encode.c) and decoder
 * (record_json_decode.c) must agree on, kept in one place so the two
 * directions cannot drift. Private to lib/: not part of record.h.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "record.h"

static const struct {
	uint8_t flag;
	const char *name;
} key_flag_names[] = {
	{NETOBS_KEY_F_TRUNCATED, "TRUNCATED"},
	{NETOBS_KEY_F_MALFORMED, "MALFORMED"},
	{NETOBS_KEY_F_FRAGMENT, "FRAGMENT"},
	{NETOBS_KEY_F_EXTHDR_LIMIT, "EXTHDR_LIMIT"},
};
#define KEY_FLAG_COUNT (sizeof(key_flag_names) / sizeof(key_flag_names[0]))

static inline bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}
