// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Harvest: read the whole flow map (batched where the kernel can), merge the
 * per-CPU copies, report what moved, end what is over. Buffers are sized to
 * the map once at start: no allocation per flow or per harvest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "log.h"

/* The kernel's internal "not supported" (not in userspace errno.h); BPF syscalls return it. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

int harvest_init(struct agent *a)
{
	/* The kernel lays per-CPU values out 8-byte aligned, one per possible CPU. */
	a->value_stride = (sizeof(struct netobs_flow_stats) + 7) & ~(size_t)7;
	a->batch_keys = calloc(HARVEST_CHUNK, sizeof(*a->batch_keys));
	a->batch_values = calloc(HARVEST_CHUNK, a->value_stride * a->dp.ncpus);
	a->percpu_value = calloc(a->dp.ncpus, a->value_stride);
	if (!a->batch_keys || !a->batch_values || !a->percpu_value) {
		harvest_free(a);
		return -ENOMEM;
	}
	return 0;
}

void harvest_free(struct agent *a)
{
	free(a->batch_keys);
	free(a->batch_values);
	free(a->percpu_value);
	free(a->all_keys);
	a->all_keys = NULL;
	a->batch_keys = NULL;
	a->batch_values = NULL;
	a->percpu_value = NULL;
}

static void harvest_end_flow(struct agent *a, struct flow_entry *e,
			     const struct netobs_flow_stats *totals, uint8_t reason, uint64_t now)
{
	struct netobs_flow_stats final = *totals;
	struct netobs_record rec;

	/* The decision was made on totals read up to a batch ago: if the flow
	 * moved since, it is not over (for an idle end, not idle at all). */
	if (reason != NETOBS_END_FORCED) {
		struct netobs_flow_stats fresh;

		if (agent_flow_map_totals(a, &e->key, &fresh) && fresh.packets != totals->packets) {
			agent_flow_record(a, e, &fresh, NETOBS_FLOW_EVENT_UPDATE, fresh.tcp_flags,
					  NETOBS_END_NONE, fresh.last_seen_ns, &rec);
			e->reported = fresh;
			agent_emit(a, &rec);
			return;
		}
	}
	/* Delete and read in one step: packets that raced in since the check
	 * are in the final count, not lost. */
	if (!bpf_map_lookup_and_delete_elem(a->dp.flows_fd, &e->key, a->percpu_value)) {
		struct netobs_flow_stats now_totals;

		flow_stats_merge_percpu(a->percpu_value, a->value_stride, a->dp.ncpus, &now_totals);
		if (now_totals.packets > final.packets)
			final = now_totals;
	} else if (errno == EINVAL || errno == ENOTSUPP || errno == EOPNOTSUPP) {
		bpf_map_delete_elem(a->dp.flows_fd, &e->key);
	}
	agent_flow_record(a, e, &final, NETOBS_FLOW_EVENT_END, final.tcp_flags, reason, now, &rec);
	flow_table_remove(&a->flows, e);
	agent_emit(a, &rec);
}

void harvest_end_interface(struct agent *a, uint32_t ifindex)
{
	uint64_t now = agent_now_boot_ns();

	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		struct flow_entry *e = &a->flows.entries[i];

		if (e->in_use && e->key.ifindex == ifindex)
			harvest_end_flow(a, e, &e->reported, NETOBS_END_FORCED, now);
	}
}

static void harvest_counters(struct agent *a)
{
	uint64_t full;

	if (datapath_read_counters(&a->dp, a->counters))
		return;
	full = a->counters[NETOBS_CNT_RINGBUF_FULL];
	if (full > a->ringbuf_full_reported) {
		struct netobs_record rec = {.kind = NETOBS_RECORD_LOST_EVENTS};

		rec.time_ns = agent_boot_to_wall_ns(agent_now_boot_ns());
		rec.lost.source = NETOBS_LOST_PERF_EVENT_RING_BUFFER;
		rec.lost.count = full - a->ringbuf_full_reported;
		rec.lost.cpu = -1;
		a->stats.lost_ring_buffer += rec.lost.count;
		a->ringbuf_full_reported = full;
		agent_emit(a, &rec);
	}
}

static void harvest_rate_sample(struct agent *a)
{
	a->rate_seen[a->rate_next] = a->stats.records_seen;
	a->rate_time[a->rate_next] = agent_now_mono_ns();
	a->rate_next = (a->rate_next + 1) % AGENT_RATE_SAMPLES;
}

double agent_records_per_second(const struct agent *a)
{
	unsigned int newest = (a->rate_next + AGENT_RATE_SAMPLES - 1) % AGENT_RATE_SAMPLES;
	unsigned int oldest = a->rate_next;

	if (!a->rate_time[oldest])
		oldest = 0;
	if (!a->rate_time[newest] || a->rate_time[newest] <= a->rate_time[oldest])
		return 0.0;
	return (double)(a->rate_seen[newest] - a->rate_seen[oldest]) * 1e9 /
	       (double)(a->rate_time[newest] - a->rate_time[oldest]);
}

/* One map entry: report it if new or moved, end it if over. */
static void harvest_flow(struct agent *a, const struct netobs_flow_key *key, const void *values,
			 uint32_t gen, uint64_t now)
{
	struct netobs_flow_stats totals;
	struct netobs_record rec;
	struct flow_entry *e;
	uint8_t reason;

	flow_stats_merge_percpu(values, a->value_stride, a->dp.ncpus, &totals);
	if (!totals.packets)
		return;
	e = flow_table_lookup(&a->flows, key);
	if (!e) {
		/* Its ring-buffer event was lost (ring full): report it now. */
		e = agent_flow_track(a, key, &totals, false);
		if (!e)
			return;
		e->seen_gen = gen;
		agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_NEW, totals.tcp_flags,
				  NETOBS_END_NONE, totals.first_seen_ns, &rec);
		agent_emit(a, &rec);
		return;
	}
	e->seen_gen = gen;
	switch (flow_harvest_decide(&e->reported, &totals, now, &a->timeouts, &reason)) {
	case FLOW_ACTION_UPDATE:
		agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_UPDATE, totals.tcp_flags,
				  NETOBS_END_NONE, totals.last_seen_ns, &rec);
		e->reported = totals;
		agent_emit(a, &rec);
		break;
	case FLOW_ACTION_END:
		harvest_end_flow(a, e, &totals, reason, now);
		break;
	case FLOW_ACTION_NONE:
		break;
	}
}

/*
 * Read the map HARVEST_CHUNK entries at a time with bpf_map_lookup_batch,
 * handling each chunk before the next: the buffers stay small whatever the
 * map size and CPU count. Ending a flow deletes an entry of a bucket the
 * batch cursor has passed, which the kernel allows. Returns the entries
 * handled, or -errno when the first read fails (no batch support); *complete
 * tells whether the walk reached the end of the map.
 */
static long harvest_batched(struct agent *a, uint32_t gen, uint64_t now, bool *complete)
{
	size_t per_key = a->value_stride * a->dp.ncpus;
	uint8_t token[sizeof(struct netobs_flow_key)];
	bool first = true;
	long handled = 0;

	*complete = false;
	for (;;) {
		__u32 count = HARVEST_CHUNK;
		int rc, err;

		rc = bpf_map_lookup_batch(a->dp.flows_fd, first ? NULL : token, token,
					  a->batch_keys, a->batch_values, &count, NULL);
		err = rc ? errno : 0;
		if (rc && err != ENOENT) {
			if (first)
				return -err;
			log_warn("flow map batch read failed midway: %s; the rest waits for the "
				 "next harvest",
				 strerror(err));
			break;
		}
		first = false;
		for (__u32 i = 0; i < count; i++)
			harvest_flow(a, &a->batch_keys[i], (char *)a->batch_values + i * per_key,
				     gen, now);
		handled += count;
		if (err == ENOENT) {
			*complete = true; /* that was the last chunk */
			break;
		}
	}
	return handled;
}

/*
 * Key-by-key read for kernels without batch support. Keys are collected
 * first: ending a flow deletes its key, and get_next_key() from a deleted
 * key starts over at the beginning.
 */
static bool harvest_iterated(struct agent *a, uint32_t gen, uint64_t now)
{
	struct netobs_flow_key key;
	bool complete;
	uint32_t n = 0;
	int rc = 0;

	if (!a->all_keys) {
		a->all_keys = calloc(a->dp.flow_capacity, sizeof(*a->all_keys));
		if (!a->all_keys) {
			log_warn("out of memory reading the flow map; retrying at the next "
				 "harvest");
			return false;
		}
	}
	while (n < a->dp.flow_capacity &&
	       !(rc = bpf_map_get_next_key(a->dp.flows_fd, n ? &a->all_keys[n - 1] : NULL, &key)))
		a->all_keys[n++] = key;
	/* ENOENT: past the last key; any other error cut the walk short. */
	complete = n == a->dp.flow_capacity || (rc && errno == ENOENT);

	for (uint32_t i = 0; i < n; i++)
		if (!bpf_map_lookup_elem(a->dp.flows_fd, &a->all_keys[i], a->percpu_value))
			harvest_flow(a, &a->all_keys[i], a->percpu_value, gen, now);
	return complete;
}

void harvest_run(struct agent *a)
{
	uint64_t now = agent_now_boot_ns();
	uint32_t gen = ++a->harvest_gen;
	bool complete = false;

	a->stats.harvests++;
	agent_clock_sync();
	if (!a->batch_unsupported) {
		long rc = harvest_batched(a, gen, now, &complete);

		if (rc == -EINVAL || rc == -ENOTSUPP || rc == -EOPNOTSUPP) {
			log_info("batch map lookup unsupported (%s): iterating keys instead",
				 strerror((int)-rc));
			a->batch_unsupported = true;
		} else if (rc < 0) {
			log_warn("flow map batch read failed: %s; iterating keys this time",
				 strerror((int)-rc));
		}
		if (rc < 0) {
			a->stats.batch_fallbacks++;
			complete = harvest_iterated(a, gen, now);
		}
	} else {
		complete = harvest_iterated(a, gen, now);
	}

	/* Entries the map no longer has: forget them. Only after a walk of the
	 * whole map: an entry a cut-short walk did not reach is still there. */
	for (uint32_t i = 0; complete && i < a->flows.capacity; i++) {
		struct flow_entry *e = &a->flows.entries[i];

		if (e->in_use && e->seen_gen != gen)
			flow_table_remove(&a->flows, e);
	}
	harvest_counters(a);
	harvest_rate_sample(a);
}
