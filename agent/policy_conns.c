// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's side of the datapath's connection table, policy_conns
 * (lib/abi.h; docs/datapath.md, "Policy enforcement"):
 *   - seeding: a policy that starts enforcing an endpoint must not cut the
 *     connections it already has. The datapath remembers only connections
 *     it forwarded while a policy was loaded; the agent knows the others
 *     (its flow table, with which side opened each) and writes them in
 *     before the new generation takes effect;
 *   - sweeping: an entry lives as long as the flow entry of the same key,
 *     and the agent deletes it with that entry when the flow ends. When the
 *     flow insert failed after the datapath remembered the connection (a
 *     full flow map), no flow entry will ever end it: the sweep deletes
 *     such orphans, once seen twice in a row (the first time may be the
 *     instant between the two inserts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "log.h"
#include "policy_conns.h"

void policy_conns_seed(struct agent *a)
{
	/* Generation 0: never current, so the datapath judges the opening
	 * direction again (at the generation then) before its replies count. */
	struct netobs_policy_conn stale = {0};
	unsigned int seeded = 0;

	if (a->dp.policy_conns_fd < 0)
		return;
	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		const struct flow_entry *e = &a->flows.entries[i];

		if (!e->in_use || e->key.key_flags || e->key.family == NETOBS_FAMILY_NONE ||
		    e->is_reply != 0 || e->conn_ended ||
		    (e->key.hook != NETOBS_HOOK_TC_INGRESS && e->key.hook != NETOBS_HOOK_TC_EGRESS))
			continue;
		if (!bpf_map_update_elem(a->dp.policy_conns_fd, &e->key, &stale, BPF_NOEXIST))
			seeded++;
	}
	if (seeded)
		log_debug("policy: %u open connection(s) remembered for their replies", seeded);
}

void policy_conns_forget(struct agent *a, const struct netobs_flow_key *key)
{
	if (key->key_flags || a->dp.policy_conns_fd < 0)
		return;
	bpf_map_delete_elem(a->dp.policy_conns_fd, key);
}

static int key_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct netobs_flow_key));
}

void policy_conns_sweep(struct agent *a)
{
	struct policy_conns_sweep *sw = &a->conns_sweep;
	struct netobs_flow_key key, next, *prev = NULL;
	struct netobs_flow_key *found, *doomed;
	unsigned int nfound = 0, ndoomed = 0;

	if (a->dp.policy_conns_fd < 0 || !a->percpu_value)
		return;
	found = calloc(POLICY_CONNS_SWEEP_MAX, sizeof(*found));
	doomed = calloc(POLICY_CONNS_SWEEP_MAX, sizeof(*doomed));
	if (!found || !doomed) {
		free(found);
		free(doomed);
		return;
	}
	/* Deleted after the walk: a deleted key would restart it. */
	while (!bpf_map_get_next_key(a->dp.policy_conns_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(a->dp.flows_fd, &key, a->percpu_value) || errno != ENOENT)
			continue;
		if (sw->norphans &&
		    bsearch(&key, sw->orphans, sw->norphans, sizeof(key), key_cmp)) {
			if (ndoomed < POLICY_CONNS_SWEEP_MAX)
				doomed[ndoomed++] = key;
		} else if (nfound < POLICY_CONNS_SWEEP_MAX) {
			found[nfound++] = key;
		}
	}
	for (unsigned int i = 0; i < ndoomed; i++)
		if (!bpf_map_delete_elem(a->dp.policy_conns_fd, &doomed[i]))
			sw->deleted++;
	free(doomed);
	qsort(found, nfound, sizeof(*found), key_cmp);
	free(sw->orphans);
	sw->orphans = found;
	sw->norphans = nfound;
}

void policy_conns_free(struct agent *a)
{
	free(a->conns_sweep.orphans);
	a->conns_sweep.orphans = NULL;
	a->conns_sweep.norphans = 0;
}
