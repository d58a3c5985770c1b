/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A packet's policy verdict as the flow entry caches it and the events
 * carry it (lib/abi.h, enum netobs_policy_verdict). lib/policy.h judges.
 */
#pragma once

#include <linux/types.h>

#include "abi.h"

struct policy_decision {
	__u32 gen;	 /* netobs_policy_gen it was judged at; 0: no policy loaded */
	__u16 policy_id; /* the deciding rule's policy, 0 none */
	__u8 verdict;	 /* enum netobs_policy_verdict */
	__u8 match_type; /* enum netobs_policy_match */
};

/* Does this verdict drop the packet? */
static __always_inline int policy_verdict_drops(__u8 verdict)
{
	return verdict == NETOBS_PV_DENIED || verdict == NETOBS_PV_DENY;
}
