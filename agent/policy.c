// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TEMPORARY (pol-records only): agent_policy_ref() alone, so this branch
 * builds and tests before pol-agent's agent/policy.c arrives. The lead
 * drops this file at merge.
 */
#include "agent.h"
#include "policy.h"

const struct netobs_policy_ref *agent_policy_ref(const struct agent *a, uint16_t policy_id)
{
	(void)a;
	(void)policy_id;
	return NULL;
}
