// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Payload slices -> L7 records (agent/l7.h). */
#include "l7.h"
#include "agent.h"

int agent_l7_init(struct agent *a)
{
	(void)a;
	return 0;
}

void agent_l7_free(struct agent *a)
{
	(void)a;
}

void agent_l7_event(struct agent *a, const struct netobs_l7_event *ev)
{
	(void)a;
	(void)ev;
}

void agent_l7_tcp_end(struct agent *a, const struct netobs_flow_key *key, uint16_t tcp_flags,
		      uint64_t ts_boot_ns)
{
	(void)a;
	(void)key;
	(void)tcp_flags;
	(void)ts_boot_ns;
}

void agent_l7_expire(struct agent *a, uint64_t now_boot_ns)
{
	(void)a;
	(void)now_boot_ns;
}

void agent_l7_flush(struct agent *a)
{
	(void)a;
}
