/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The agent's side of the datapath's policy_conns map (agent/policy_conns.c). */
#pragma once

#include <stdint.h>

#include "abi.h"

struct agent;

/* Connections one sweep forgets at most. */
#define POLICY_CONNS_SWEEP_MAX 4096
/* Harvests between two sweeps. */
#define POLICY_CONNS_SWEEP_EVERY 10

struct policy_conns_sweep {
	unsigned int last_count; /* connections the last sweep left */
	uint64_t deleted;	 /* connections it forgot so far */
};

/*
 * Before a new generation that starts enforcing these interfaces (the
 * datapath remembered no connection of theirs so far): remember the
 * connections the agent's flow table says they opened, for their replies
 * (judged again before use). Sorts ifindexes.
 */
void policy_conns_seed(struct agent *a, uint32_t *ifindexes, size_t n);
/* The flow entry of this key ended: so did its connection. */
void policy_conns_forget(struct agent *a, const struct netobs_flow_key *key);
/* Forget connections without a flow entry that went unused too long. */
void policy_conns_sweep(struct agent *a);
void policy_conns_free(struct agent *a);
