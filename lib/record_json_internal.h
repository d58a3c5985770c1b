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

/*
 * NETOBS_KEY_F_DROPPED is not among them: a dropped entry's record says so
 * by its verdict (DROPPED with a policy or prefilter drop reason), and the
 * decoders restore the flag from it (record_key_restore_dropped()).
 */
#define KEY_FLAGS_WRITTEN                                                                          \
	(NETOBS_KEY_F_TRUNCATED | NETOBS_KEY_F_MALFORMED | NETOBS_KEY_F_FRAGMENT |                 \
	 NETOBS_KEY_F_EXTHDR_LIMIT)

/* The drops the datapath makes itself: TC policy and the XDP prefilter. */
static inline bool drop_reason_is_policy(unsigned int reason)
{
	return reason == NETOBS_DROP_POLICY_DENIED || reason == NETOBS_DROP_POLICY_DENY ||
	       reason == NETOBS_DROP_PREFILTER;
}

/* The agent accounts these drops in their own flow entry, keyed with the flag. */
static inline void record_key_restore_dropped(struct netobs_flow_record *flow)
{
	if (flow->verdict == NETOBS_VERDICT_DROPPED && drop_reason_is_policy(flow->drop_reason))
		flow->key.key_flags |= NETOBS_KEY_F_DROPPED;
}

/*
 * Hubble's lists of the policies that decided: {ingress,egress}_{allowed,
 * denied}_by, by the record's traffic direction. netobs names one policy,
 * for ALLOWED (allowed_by) and DENY, AUDIT_DENY (denied_by).
 */
static const char *const policy_list_keys[4] = {
	"ingress_allowed_by",
	"egress_allowed_by",
	"ingress_denied_by",
	"egress_denied_by",
};

/* The list key the record's policy goes in, NULL when it goes in none. */
static inline const char *policy_list_key(const struct netobs_flow_record *flow)
{
	int dir;

	if (!flow->policy)
		return NULL;
	if (flow->direction == NETOBS_DIR_INGRESS)
		dir = 0;
	else if (flow->direction == NETOBS_DIR_EGRESS)
		dir = 1;
	else
		return NULL;
	if (flow->policy_verdict == NETOBS_PV_ALLOWED)
		return policy_list_keys[dir];
	if (flow->policy_verdict == NETOBS_PV_DENY || flow->policy_verdict == NETOBS_PV_AUDIT_DENY)
		return policy_list_keys[2 + dir];
	return NULL;
}

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
