// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Harvest: read the whole flow map (batched where the kernel can), report
 * what moved, end what is over. One value per flow, shared by all CPUs
 * (ABI 6): nothing to merge, and the buffers do not grow with the CPU
 * count. Sized once at start: no allocation per flow or per harvest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <bpf/bpf.h>

#include "agent.h"
#include "agent_policy.h"
#include "l7.h"
#include "log.h"

/* The kernel's internal "not supported" (not in userspace errno.h); BPF syscalls return it. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

int harvest_init(struct agent *a)
{
	/* A batch read packs the values value_size apart. */
	a->value_stride = sizeof(struct netobs_flow_stats);
	a->batch_keys = calloc(HARVEST_CHUNK, sizeof(*a->batch_keys));
	a->batch_values = calloc(HARVEST_CHUNK, a->value_stride);
	a->flow_value = calloc(1, a->value_stride);
	if (!a->batch_keys || !a->batch_values || !a->flow_value) {
		harvest_free(a);
		return -ENOMEM;
	}
	return 0;
}

void harvest_free(struct agent *a)
{
	policy_conns_free(a);
	free(a->batch_keys);
	free(a->batch_values);
	free(a->flow_value);
	free(a->all_keys);
	a->all_keys = NULL;
	a->batch_keys = NULL;
	a->batch_values = NULL;
	a->flow_value = NULL;
}

/*
 * A TCP flow ended by FIN or RST leaves a tombstone: its key, end reason and
 * side, for FLOW_TOMBSTONE_MAX_NS (at most the idle timeout). A packet that
 * comes later on the key without SYN (the last ACK, a retransmitted FIN)
 * belongs to the ended connection: agent_flow_new() counts it without a NEW
 * record. When the tombstone table is full the key simply gets none.
 */
static void harvest_tombstone(struct agent *a, const struct flow_entry *e, uint8_t reason,
			      uint64_t now)
{
	struct flow_entry *t = flow_table_lookup(&a->ended, &e->key);

	/* A dropped entry's packets closed no connection: it leaves none. */
	if (e->key.proto != IPPROTO_TCP || (reason != NETOBS_END_FIN && reason != NETOBS_END_RST) ||
	    (e->key.key_flags & NETOBS_KEY_F_DROPPED))
		return;
	if (!t)
		t = flow_table_add(&a->ended, &e->key);
	if (!t)
		return;
	t->conn_ended = reason;
	t->is_reply = e->is_reply;
	t->reply_certain = e->reply_certain;
	t->reported.last_seen_ns = now; /* when it ended */
	t->seen_gen = a->harvest_gen;	/* ended in this harvest */
}

/* True when the flow ended; false when it moved since the decision (an
 * UPDATE was reported instead). */

static bool harvest_end_flow(struct agent *a, struct flow_entry *e,
			     const struct netobs_flow_stats *totals, uint8_t reason, uint64_t now)
{
	struct netobs_flow_stats final = *totals;
	struct netobs_record rec;

	/* The decision was made on totals read up to a batch ago: if the flow
	 * moved since, it is not over (for an idle end, not idle at all). */
	if (reason != NETOBS_END_FORCED) {
		struct netobs_flow_stats fresh;

		if (agent_flow_map_totals(a, &e->key, &fresh) && fresh.packets != totals->packets) {
			agent_flow_record(a, e, &fresh, NETOBS_FLOW_EVENT_UPDATE, 0,
					  NETOBS_END_NONE, now, &rec);
			e->reported = fresh;
			agent_emit(a, &rec);
			return false;
		}
	}
	/* Delete and read in one step: packets that raced in since the check
	 * are in the final count, not lost. */
	if (!bpf_map_lookup_and_delete_elem(a->dp.flows_fd, &e->key, a->flow_value)) {
		struct netobs_flow_stats now_totals;

		flow_stats_read(a->flow_value, &now_totals);
		if (now_totals.packets > final.packets)
			final = now_totals;
	} else if (errno == EINVAL || errno == ENOTSUPP || errno == EOPNOTSUPP) {
		bpf_map_delete_elem(a->dp.flows_fd, &e->key);
	}
	/* Closed (FIN, RST) or gone with its interface: so is the connection.
	 * Idle: the other direction may still be in use (a server pushing
	 * after a quiet spell, a stream of answers); the sweep decides. */
	if (reason != NETOBS_END_IDLE)
		policy_conns_forget(a, &e->key);
	agent_flow_record(a, e, &final, NETOBS_FLOW_EVENT_END, 0, reason, now, &rec);
	harvest_tombstone(a, e, reason, now);
	flow_table_remove(&a->flows, e);
	agent_emit(a, &rec);
	return true;
}

void harvest_end_interface(struct agent *a, uint32_t ifindex)
{
	uint64_t now;

	events_drain(a); /* older than these END records: stored first */
	now = agent_now_mono_ns();

	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		struct flow_entry *e = &a->flows.entries[i];

		if (e->in_use && e->key.ifindex == ifindex)
			harvest_end_flow(a, e, &e->reported, NETOBS_END_FORCED, now);
	}
}

/* One lost_events record for the losses of a source since the last one. */
static void harvest_report_lost(struct agent *a, uint8_t source, uint64_t total, uint64_t *reported,
				uint64_t *stat)
{
	struct netobs_record rec = {.kind = NETOBS_RECORD_LOST_EVENTS};

	if (total <= *reported)
		return;
	rec.time_ns = agent_mono_to_wall_ns(agent_now_mono_ns());
	rec.lost.source = source;
	rec.lost.count = total - *reported;
	rec.lost.cpu = -1;
	*stat += rec.lost.count;
	*reported = total;
	agent_emit(a, &rec);
}

static void harvest_counters(struct agent *a)
{
	uint64_t failed;

	if (datapath_read_counters(&a->dp, a->counters))
		return;
	harvest_report_lost(a, NETOBS_LOST_PERF_EVENT_RING_BUFFER,
			    a->counters[NETOBS_CNT_RINGBUF_FULL], &a->ringbuf_full_reported,
			    &a->stats.lost_ring_buffer);
	/* Packets in no flow: a client summing flow records must learn that
	 * its sum misses them, as it does for ring-buffer losses. */
	failed = a->counters[NETOBS_CNT_FLOW_MAP_FULL] + a->counters[NETOBS_CNT_FLOW_MAP_BUSY] +
		 a->counters[NETOBS_CNT_FLOW_MAP_ERROR];
	if (failed > a->insert_failed_reported ||
	    (uint64_t)a->flows.count * 100 >= (uint64_t)a->dp.flow_capacity * FLOW_PRESSURE_PERCENT)
		a->pressure_seen_ns = agent_now_mono_ns();
	/* Pressure lasts two pressure timeouts after it was last seen: the
	 * dead weight of that moment all gets past the timeout and ends, not
	 * only the part that ended first and took occupancy below the mark. */
	a->flow_pressure = a->pressure_seen_ns &&
			   agent_now_mono_ns() - a->pressure_seen_ns < 2 * a->timeouts.pressure_ns;
	harvest_report_lost(a, NETOBS_LOST_FLOW_MAP, failed, &a->insert_failed_reported,
			    &a->stats.lost_flow_map);
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

/* How the connection of e stands: its reverse flow's latest totals (into
 * *rev_totals) or, with none, whether the reverse already ended. */
static struct flow_entry *harvest_context(struct agent *a, const struct flow_entry *e,
					  const struct netobs_flow_stats *totals, uint64_t now,
					  struct netobs_flow_stats *rev_totals,
					  struct flow_context *ctx)
{
	/* Only TCP has a connection to end as a whole. */
	struct flow_entry *r =
		e->key.proto == IPPROTO_TCP ? flow_table_lookup_reverse(&a->flows, &e->key) : NULL;

	ctx->reverse = NULL;
	ctx->conn_ended = e->conn_ended;
	ctx->answered = e->answered;
	ctx->pressure = a->flow_pressure;
	ctx->dropped = e->key.key_flags & NETOBS_KEY_F_DROPPED;
	if (r) {
		*rev_totals = r->reported;
		/* Could the pair end now? Then it needs the reverse's numbers
		 * of now: this harvest may not have read it yet. */
		if (((totals->tcp_flags | r->reported.tcp_flags) &
		     (NETOBS_TCP_FIN | NETOBS_TCP_RST)) &&
		    totals->last_seen_ns + a->timeouts.end_grace_ns <= now &&
		    !agent_flow_map_totals(a, &r->key, rev_totals))
			*rev_totals = r->reported;
		ctx->reverse = rev_totals;
	} else if (e->key.proto == IPPROTO_TCP && !ctx->conn_ended) {
		/* The other side ended its connection (it moved when this
		 * one ended and so outlived it): this side is over too. */
		struct flow_entry *t = flow_table_lookup_reverse(&a->ended, &e->key);

		if (t)
			ctx->conn_ended = t->conn_ended;
	}
	return r;
}

/* One map entry: report it if new or moved, end it if over. */
static void harvest_flow(struct agent *a, const struct netobs_flow_key *key, const void *values,
			 uint32_t gen, uint64_t now)
{
	struct netobs_flow_stats totals, rev_totals;
	struct flow_context ctx;
	struct netobs_record rec;
	struct flow_entry *e, *r;
	uint8_t reason;

	flow_stats_read(values, &totals);
	if (!totals.packets)
		return;
	e = flow_table_lookup(&a->flows, key);
	if (!e) {
		/* What the batch read may have been deleted since: ended with
		 * its connection earlier in this harvest, it was reported by
		 * that END. Only an entry still in the map is a flow whose
		 * ring-buffer event was lost (ring full). Not the tombstone:
		 * its table may have been full. */
		if (!agent_flow_map_totals(a, key, &totals))
			return;
		/* Report it now, at the harvest's time (records are stored in
		 * time order); stats.first_seen keeps its first packet's. It
		 * stands for no one packet: no packet flags. */
		e = agent_flow_new(a, key, &totals, false, 0, now);
		if (e)
			e->seen_gen = gen;
		return;
	}
	e->seen_gen = gen;
	r = harvest_context(a, e, &totals, now, &rev_totals, &ctx);
	switch (flow_harvest_decide(&e->reported, &totals, now, &a->timeouts, &ctx, &reason)) {
	case FLOW_ACTION_UPDATE:
		agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, now,
				  &rec);
		e->reported = totals;
		agent_emit(a, &rec);
		break;
	case FLOW_ACTION_END:
		harvest_end_flow(a, e, &totals, reason, now);
		break;
	case FLOW_ACTION_END_CONNECTION:
		/* Both directions, in one harvest. If the reverse moved since
		 * its numbers were read it gets an UPDATE and, this side's
		 * tombstone telling it the connection is over, ends after the
		 * grace on its own. */
		if (harvest_end_flow(a, e, &totals, reason, now) && r)
			harvest_end_flow(a, r, &rev_totals, reason, now);
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
	size_t per_key = a->value_stride;
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
		if (!bpf_map_lookup_elem(a->dp.flows_fd, &a->all_keys[i], a->flow_value))
			harvest_flow(a, &a->all_keys[i], a->flow_value, gen, now);
	return complete;
}

void harvest_run(struct agent *a)
{
	uint32_t gen = ++a->harvest_gen;
	bool complete = false;
	uint64_t now;

	/* Records are stored in time order: events (packet time) waiting in
	 * the ring are older than this harvest, so they go first, and the
	 * harvest's time is read after them. */
	agent_clock_sync(); /* one offset for the drained events and this harvest */
	events_drain(a);
	now = agent_now_mono_ns();
	a->stats.harvests++;
	agent_l7_expire(a, now); /* unanswered DNS requests, idle L7 connections */
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
	if (gen % POLICY_CONNS_SWEEP_EVERY == 0)
		policy_conns_sweep(a);
	/* Usually empty: then no walk over its whole pool every harvest. */
	for (uint32_t i = 0; a->ended.count && i < a->ended.capacity; i++) {
		struct flow_entry *t = &a->ended.entries[i];

		if (t->in_use && now - t->reported.last_seen_ns >= a->tombstone_ns)
			flow_table_remove(&a->ended, t);
	}
	harvest_counters(a);
	harvest_rate_sample(a);
	agent_policy_fqdn_check(a, true); /* answers expired (agent_l7_expire) */
}
