/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the record encoder (record_json_encode.c) and decoder
 * (record_json_decode.c) must agree on, kept in one place so the two
 * directions cannot drift. Private to lib/: not part of record.h.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
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

/* Hubble's l4 member of each IP protocol netobs writes one for. */
static const struct {
	const char *name;
	uint8_t proto;
} l4_kinds[] = {
	{"TCP", IPPROTO_TCP},	  {"UDP", IPPROTO_UDP},	      {"SCTP", IPPROTO_SCTP},
	{"ICMPv4", IPPROTO_ICMP}, {"ICMPv6", IPPROTO_ICMPV6},
};
#define L4_KIND_COUNT (sizeof(l4_kinds) / sizeof(l4_kinds[0]))

/* The l4 member's name of proto, NULL when it has none. */
static inline const char *l4_kind_name(uint8_t proto)
{
	for (size_t i = 0; i < L4_KIND_COUNT; i++)
		if (l4_kinds[i].proto == proto)
			return l4_kinds[i].name;
	return NULL;
}

static inline bool proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}
