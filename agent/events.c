// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Ring-buffer events -> records, as they happen. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "l7.h"
#include "log.h"

/*
 * The verdict the event's packet was judged with, unless the stats hold
 * one judged at a later generation (the map is read after the event was
 * made). A FLOW_NEW of a dropped entry is the drop, reported at once.
 */
static void events_take_verdict(struct netobs_flow_stats *stats, const struct netobs_flow_event *ev)
{
	if (!ev->verdict || ev->policy_gen < stats->policy_gen)
		return;
	stats->verdict = ev->verdict;
	stats->policy_gen = ev->policy_gen;
	stats->policy_id = ev->policy_id;
	stats->match_type = ev->match_type;
}

static void events_flow_new(struct agent *a, const struct netobs_flow_event *ev)
{
	struct netobs_flow_stats first = {
		.packets = ev->packets,
		.bytes = ev->bytes,
		.first_seen_ns = ev->hdr.ts_ns,
		.last_seen_ns = ev->hdr.ts_ns,
		.tcp_flags = ev->tcp_flags,
	};

	events_take_verdict(&first, ev);
	/* If harvest got there first (the event waited in the ring), the
	 * flow is tracked and reported already: agent_flow_new() makes no
	 * record (and its insert is the one lookup). */
	agent_flow_new(a, &ev->key, &first, true, ev->tcp_flags, ev->hdr.ts_ns);
}

static void events_tcp_flags(struct agent *a, const struct netobs_flow_event *ev)
{
	struct netobs_flow_stats totals;
	struct netobs_record rec;
	struct flow_entry *e = flow_table_lookup(&a->flows, &ev->key);
	bool in_map = agent_flow_map_totals(a, &ev->key, &totals);

	/* An L7 stream ends with its direction (a FIN or RST has no slice
	 * unless it carries data); a dropped FIN or RST never reached the
	 * peer and closes nothing. */
	if (!(ev->key.key_flags & NETOBS_KEY_F_DROPPED))
		agent_l7_tcp_end(a, &ev->key, ev->tcp_flags, ev->hdr.ts_ns);

	if (!e && !in_map)
		return; /* a packet the flow's END already counted: reported */
	if (!in_map) {
		/* Ended between the event and now, but not yet harvested: its
		 * END will carry the totals; this record says what the packet was. */
		totals = e->reported;
	}
	events_take_verdict(&totals, ev);
	if (e && e->conn_ended && (ev->tcp_flags & NETOBS_TCP_SYN)) {
		/* A SYN (or SYN-ACK) on the leftover of an ended connection (the
		 * ports were reused while its stragglers were still tracked): a
		 * new connection, not a straggler. */
		struct flow_entry *tomb = flow_table_lookup(&a->ended, &ev->key);

		if (tomb)
			flow_table_remove(&a->ended, tomb);
		e->conn_ended = NETOBS_END_NONE;
		e->reply_certain = true;
		e->is_reply = (ev->tcp_flags & NETOBS_TCP_ACK) ? 1 : 0;
		agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_NEW, ev->tcp_flags,
				  NETOBS_END_NONE, ev->hdr.ts_ns, &rec);
		e->reported = totals;
		agent_emit(a, &rec);
		return;
	}
	if (!e) {
		/* Its FLOW_NEW was lost (ring full) or is still behind this event
		 * in the ring: report the flow as new first (at this packet's
		 * time, so records stay in time order; no packet flags: the
		 * NEW stands for packets this event does not describe). */
		e = agent_flow_new(a, &ev->key, &totals, false, 0, ev->hdr.ts_ns);
		if (!e)
			return;
	}
	agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_TCP_FLAGS, ev->tcp_flags,
			  NETOBS_END_NONE, ev->hdr.ts_ns, &rec);
	e->reported = totals;
	agent_emit(a, &rec);
}

/*
 * Bring the flow table memory a batch of flow events will touch into the
 * cache, all at once: the bucket of each key and of its reverse in the
 * flow table, and of each key in the table of ended connections, then the
 * first entry of each chain. With hundreds of thousands of flows these are
 * cache (and TLB) misses, one after another when each event waits for its
 * own; this way they overlap, and handling the batch then finds them in
 * the cache. Only a hint: it changes no result.
 */
static void events_batch_prefetch(const struct agent *a, const struct events_batch *b)
{
	const struct flow_table *flows = &a->flows, *ended = &a->ended;
	uint32_t bucket[EVENTS_BATCH];

	for (unsigned int i = 0; i < b->n; i++) {
		const struct netobs_flow_key *key = &b->ev[i].key;
		struct netobs_flow_key rev[2];

		bucket[i] = flow_table_bucket(flows, key);
		__builtin_prefetch(&flows->buckets[bucket[i]]);
		if (ended->count) /* else agent_flow_track() looks nothing up there */
			__builtin_prefetch(&ended->buckets[flow_table_bucket(ended, key)]);
		if (flow_key_reverse(key, rev))
			__builtin_prefetch(&flows->buckets[flow_table_bucket(flows, &rev[0])]);
	}
	for (unsigned int i = 0; i < b->n; i++) {
		uint32_t idx = flows->buckets[bucket[i]];

		if (idx != FLOW_NIL)
			__builtin_prefetch(&flows->entries[idx]);
	}
}

void events_flush(struct agent *a)
{
	struct events_batch *b = &a->ev_batch;

	if (!b->n)
		return;
	events_batch_prefetch(a, b);
	for (unsigned int i = 0; i < b->n; i++) {
		const struct netobs_flow_event *ev = &b->ev[i];

		if (ev->hdr.type == NETOBS_EVENT_FLOW_NEW)
			events_flow_new(a, ev);
		else
			events_tcp_flags(a, ev);
	}
	b->n = 0;
}

static void events_handle(struct agent *a, void *data, size_t size)
{
	const struct netobs_event_hdr *hdr = data;
	struct events_batch *b = &a->ev_batch;

	if (size < sizeof(*hdr) || hdr->version != NETOBS_ABI_VERSION || hdr->len > size) {
		a->stats.events_malformed++;
		return;
	}
	switch (hdr->type) {
	case NETOBS_EVENT_FLOW_NEW:
	case NETOBS_EVENT_TCP_FLAGS:
		if (hdr->len < sizeof(struct netobs_flow_event)) {
			a->stats.events_malformed++;
			return;
		}
		/* Copied out of the ring (88 bytes): libbpf releases the
		 * ring's room as soon as this callback returns. */
		memcpy(&b->ev[b->n++], data, sizeof(struct netobs_flow_event));
		if (b->n == EVENTS_BATCH)
			events_flush(a);
		return;
	case NETOBS_EVENT_L7:
		if (hdr->len < sizeof(struct netobs_l7_event)) {
			a->stats.events_malformed++;
			return;
		}
		/* In order: the flow events before it first. */
		events_flush(a);
		agent_l7_event(a, data);
		return;
	default:
		/* A newer datapath's event: skip it, count it. */
		a->stats.events_malformed++;
		return;
	}
}

/* Events the ring buffer holds at most: its bytes over the smallest event
 * with libbpf's 8-byte record header. */
#define EVENTS_RING_MAX (NETOBS_RINGBUF_BYTES / (sizeof(struct netobs_flow_event) + 8))

void events_consume(struct agent *a, unsigned int budget)
{
	if (a->rb) {
		a->rb_budget = budget;
		ring_buffer__consume(a->rb);
	}
	events_flush(a);
}

void events_drain(struct agent *a)
{
	/* Every event in the ring when the drain starts is read (the ring
	 * cannot hold more than this); a flood arriving meanwhile cannot keep
	 * the loop here. */
	events_consume(a, EVENTS_RING_MAX + 1);
}

int events_ring_buffer_cb(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;

	events_handle(a, data, size);
	/* Negative stops ring_buffer__consume() after this event (libbpf has
	 * already moved past it). */
	return --a->rb_budget ? 0 : -EAGAIN;
}
