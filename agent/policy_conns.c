// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's side of the datapath's connection table, policy_conns
 * (lib/abi.h; docs/datapath.md, "Policy enforcement"):
 *   - seeding: a policy that starts enforcing an endpoint must not cut the
 *     connections it already has. The datapath remembers only connections
 *     it forwarded while a policy was loaded; the agent knows the others
 *     (its flow table, with which side opened each) and writes them in
 *     before the new generation takes effect;
 *   - forgetting: a connection ends with its opening direction's flow
 *     entry when that one closes (FIN, RST) or its interface goes. A flow
 *     entry that ends idle leaves the connection to the sweep, as its other
 *     direction may still be in use (the datapath stamps last_used on every
 *     reply): the sweep deletes a connection without a flow entry once it
 *     has not been used for the idle timeout (TCP that never closed: 6 h,
 *     as Cilium's established TCP; the idle timeout too when the map is
 *     three quarters full). That also removes connections remembered by a
 *     judgement whose flow insert then failed (a full flow map).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "log.h"
#include "policy_conns.h"

static int ifindex_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

void policy_conns_seed(struct agent *a, uint32_t *ifindexes, size_t n)
{
	/* Generation 0: never current, so the datapath judges the opening
	 * direction again (at the generation then) before its replies count. */
	struct netobs_policy_conn stale = {0};
	unsigned int seeded = 0;

	if (a->dp.policy_conns_fd < 0 || !n)
		return;
	qsort(ifindexes, n, sizeof(*ifindexes), ifindex_cmp);
	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		const struct flow_entry *e = &a->flows.entries[i];

		if (!e->in_use ||
		    !bsearch(&e->key.ifindex, ifindexes, n, sizeof(*ifindexes), ifindex_cmp) ||
		    e->key.key_flags || e->key.family == NETOBS_FAMILY_NONE || e->is_reply != 0 ||
		    e->conn_ended ||
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

/*
 * How long a connection without a flow entry may go unused before it is
 * forgotten: a TCP connection that never closed lives as long as Cilium's
 * established TCP does (its two sides may be quiet for hours, then speak),
 * anything else for the idle timeout. When the map fills up, every kind
 * gets the idle timeout, so room is made before inserts fail.
 */
#define POLICY_CONN_TCP_TIMEOUT_S (6 * 3600)
#define POLICY_CONN_PRESSURE_PCT  75

void policy_conns_sweep(struct agent *a)
{
	struct policy_conns_sweep *sw = &a->conns_sweep;
	struct netobs_flow_key key, next, *prev = NULL;
	uint32_t now = (uint32_t)(agent_now_mono_ns() >> NETOBS_POLICY_CONN_TIME_SHIFT);
	uint32_t idle = (uint32_t)(((uint64_t)a->cfg.idle_timeout_s * 1000000000ULL) >>
				   NETOBS_POLICY_CONN_TIME_SHIFT) +
			1;
	uint32_t tcp = (uint32_t)((POLICY_CONN_TCP_TIMEOUT_S * 1000000000ULL) >>
				  NETOBS_POLICY_CONN_TIME_SHIFT);
	struct netobs_policy_conn conn;
	struct netobs_flow_key *doomed;
	unsigned int ndoomed = 0, total = 0;
	bool pressure;

	if (a->dp.policy_conns_fd < 0 || !a->flow_value)
		return;
	doomed = calloc(POLICY_CONNS_SWEEP_MAX, sizeof(*doomed));
	if (!doomed)
		return;
	pressure = (uint64_t)sw->last_count * 100 >=
		   (uint64_t)a->dp.flow_capacity * POLICY_CONN_PRESSURE_PCT;
	/* Deleted after the walk: a deleted key would restart it. */
	while (!bpf_map_get_next_key(a->dp.policy_conns_fd, prev, &next)) {
		uint32_t limit;

		key = next;
		prev = &key;
		total++;
		if (bpf_map_lookup_elem(a->dp.policy_conns_fd, &key, &conn))
			continue;
		limit = key.proto == IPPROTO_TCP && !pressure ? tcp : idle;
		/* In use (its opening direction's flow entry lives), or used
		 * lately by either direction: kept. */
		/* A stamp ahead of now (the datapath's tick clock runs up to
		 * two ticks ahead, bpf/lib/clock.h) is as recent as can be. */
		if ((uint32_t)(now - conn.last_used) <= limit ||
		    (int32_t)(now - conn.last_used) < 0 ||
		    !bpf_map_lookup_elem(a->dp.flows_fd, &key, a->flow_value) || errno != ENOENT)
			continue;
		if (ndoomed < POLICY_CONNS_SWEEP_MAX)
			doomed[ndoomed++] = key;
	}
	for (unsigned int i = 0; i < ndoomed; i++)
		if (!bpf_map_delete_elem(a->dp.policy_conns_fd, &doomed[i]))
			sw->deleted++;
	sw->last_count = total - ndoomed;
	free(doomed);
}

void policy_conns_free(struct agent *a)
{
	(void)a; /* the sweep holds nothing between runs */
}
