/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The records an agent made for one action: `netobs probe` prints them
 * after its attempts, `netobs connectivity test` validates each action with
 * them (lib/flow_expect.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "record.h"

/* Decoded records, each with its own storage for the L7 part and names. */
struct agent_flows {
	struct netobs_record *recs;
	struct netobs_record_storage *storage; /* storage[i] belongs to recs[i] */
	size_t len, cap;
	uint64_t lost; /* records the agent reported lost (lost_events) in the reply */
	/*
	 * Optional, owned by the caller: when it is a JSON array before the
	 * fetch, the fetch empties it and appends each kept record's object
	 * as the agent sent it, objects[i] for recs[i] (`netobs probe -o json`
	 * passes them through). NULL: not kept.
	 */
	json_t *objects;
};

struct agent_flows_query {
	const char *ip_a,
		*ip_b;	   /* records between these addresses (either direction); ip_b NULL: any */
	uint64_t since_ns; /* records at or after this wall-clock time */
	bool drops_only;   /* verdict DROPPED only */
};

/*
 * Is an agent listening at g's socket? false quietly when not (the caller
 * says "validation off").
 */
bool agent_flows_available(const struct cli_globals *g);

/*
 * Replace f's records with the agent's stored records matching q (every one,
 * in the agent's order). 0, or -1 with err saying why (agent gone, reply
 * malformed).
 */
int agent_flows_fetch(const struct cli_globals *g, const struct agent_flows_query *q,
		      struct agent_flows *f, char *err, size_t errlen);
void agent_flows_free(struct agent_flows *f);

/*
 * Keep only the records keep(rec, arg) says yes to, in their order; each
 * record's parts (and its object in f->objects) move with it.
 */
void agent_flows_keep(struct agent_flows *f,
		      bool (*keep)(const struct netobs_record *rec, void *arg), void *arg);

/* Print records as `netobs flows` prints them (compact), each line prefixed. */
void agent_flows_print(FILE *out, const struct agent_flows *f, const char *prefix);
