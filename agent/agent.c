// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Turning datapath observations into records. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "agent.h"
#include "clock_ns.h"
#include "l7.h"
#include "log.h"
#include "agent_policy.h"

/*
 * A capture replay (agent/replay.c) runs on the capture's clock: monotonic
 * time is the capture's wall time (the offset to wall time is 0) and "now"
 * is the time of the packet being replayed, so idle timeouts, the end grace,
 * tombstones and harvests all follow the capture, not the machine.
 */
static struct {
	bool on;
	uint64_t now_ns; /* wall clock of the current packet, ns since the Unix epoch */
} replay_clock;

void agent_clock_replay_set(uint64_t capture_ns)
{
	replay_clock.on = true;
	replay_clock.now_ns = capture_ns;
}

/* The datapath's time base (bpf/lib/clock.h): CLOCK_MONOTONIC (it was
 * CLOCK_BOOTTIME before ABI 5). A flow entry's last_seen may be up to a
 * tick ahead of it (the end of its packet's tick). */
uint64_t agent_now_mono_ns(void)
{
	return replay_clock.on ? replay_clock.now_ns : clock_ns(CLOCK_MONOTONIC);
}

/* Realtime minus the datapath's clock, read once per batch of work so that the times of
 * one record (time, first_seen, last_seen) convert with the same offset. */
static uint64_t wall_minus_mono_ns;

/* Reads per sync; the tightest bracket wins. */
#define CLOCK_SYNC_TRIES 3

/*
 * The offset from the tightest of n brackets (monotonic read, wall read,
 * monotonic read): the wall read lies between its two monotonic reads, so their midpoint
 * is within half the bracket of it. A single wall-then-monotonic read was off by
 * however long the thread was preempted between the two, and every record
 * of the batch took a time that much early (a loaded machine, a sanitizer
 * build: milliseconds, enough to put a packet's record before the moment a
 * client asked for "records since").
 */
uint64_t agent_wall_minus_mono(const struct clock_bracket *b, unsigned int n)
{
	const struct clock_bracket *best = NULL;

	for (unsigned int i = 0; i < n; i++) {
		if (b[i].mono_after < b[i].mono_before)
			continue;
		if (!best ||
		    b[i].mono_after - b[i].mono_before < best->mono_after - best->mono_before)
			best = &b[i];
	}
	if (!best)
		return b[0].wall - b[0].mono_before;
	return best->wall - (best->mono_before + (best->mono_after - best->mono_before) / 2);
}

void agent_clock_sync(void)
{
	struct clock_bracket b[CLOCK_SYNC_TRIES];

	if (replay_clock.on)
		return;
	for (unsigned int i = 0; i < CLOCK_SYNC_TRIES; i++) {
		b[i].mono_before = clock_ns(CLOCK_MONOTONIC);
		b[i].wall = clock_ns(CLOCK_REALTIME);
		b[i].mono_after = clock_ns(CLOCK_MONOTONIC);
	}
	wall_minus_mono_ns = agent_wall_minus_mono(b, CLOCK_SYNC_TRIES);
}

uint64_t agent_mono_to_wall_ns(uint64_t mono_ns)
{
	if (replay_clock.on)
		return mono_ns;
	if (!wall_minus_mono_ns)
		agent_clock_sync();
	return mono_ns ? wall_minus_mono_ns + mono_ns : 0;
}

/* An interface name between two NETOBS_IFNAME_MAX arrays: a copy of the
 * array, not snprintf("%s") (a record per event made that a cost). */
static void ifname_copy(char dst[NETOBS_IFNAME_MAX], const char src[NETOBS_IFNAME_MAX])
{
	memcpy(dst, src, NETOBS_IFNAME_MAX);
	dst[NETOBS_IFNAME_MAX - 1] = '\0';
}

static void agent_record_evicting(void *ctx, const struct netobs_record *rec)
{
	server_record_evicting(ctx, rec);
}

void agent_emit(struct agent *a, const struct netobs_record *rec)
{
	struct netobs_record ordered;
	uint64_t refused;

	/* Records are stored and streamed in time order. An event can still
	 * come out of the ring after a harvest's records though its packet
	 * was earlier: raced the harvest from another CPU (microseconds), or
	 * left behind by the drain's budget in a flood. It takes the time of
	 * the record before it; stats keep its packet's own time. A larger
	 * step back is the wall clock being set back: times follow it. */
	if (rec->time_ns < a->last_record_time_ns &&
	    a->last_record_time_ns - rec->time_ns <= RECORD_REORDER_MAX_NS) {
		ordered = *rec;
		ordered.time_ns = a->last_record_time_ns;
		rec = &ordered;
		a->stats.records_reordered++;
	}
	a->last_record_time_ns = rec->time_ns;
	if (a->replay_emit) {
		/* A capture replay prints its records instead: no store, no
		 * clients. Numbered as the store numbers them (from 1): the
		 * uuid derives from the number. */
		struct netobs_record numbered = *rec;

		numbered.seq = ++a->stats.records_seen;
		a->replay_emit(a, &numbered);
		return;
	}
	/* Whether the ring needs a slot or the arena room for the L7 part,
	 * every record evicted passes the server, so readers count the loss.
	 * With no client there is no reader to tell, and the store need not
	 * unpack what it evicts. */
	refused = a->store.refused_parts;
	record_store_append(&a->store, rec, a->clients ? agent_record_evicting : NULL, a);
	/* Readers see a lost_events record in its place; the log says why, on
	 * the 1st, 2nd, 4th, 8th... so a stream of them cannot flood it. */
	if (a->store.refused_parts != refused && !(refused & (refused - 1)))
		log_warn("a record's L7 part or names could not be stored (a count or string "
			 "past its field; %llu so far) and a lost_events record took its place: "
			 "this is a bug in netobs, please report it",
			 (unsigned long long)a->store.refused_parts);
	a->stats.records_seen++;
	server_wake_followers(a);
}

bool agent_flow_map_totals(struct agent *a, const struct netobs_flow_key *key,
			   struct netobs_flow_stats *out)
{
	if (bpf_map_lookup_elem(a->dp.flows_fd, key, a->flow_value))
		return false;
	flow_stats_read(a->flow_value, out);
	return out->packets != 0;
}

struct flow_entry *agent_flow_track(struct agent *a, const struct netobs_flow_key *key,
				    const struct netobs_flow_stats *first, bool single_packet)
{
	struct flow_entry *e = flow_table_insert(&a->flows, key, first, single_packet);
	struct flow_entry *tomb;
	struct endpoint *ep;

	if (!e) {
		/* EEXIST: already tracked (harvest found it before its
		 * FLOW_NEW came out of the ring), already reported. */
		if (errno != EEXIST)
			a->stats.flow_table_full++;
		return NULL;
	}
	/* As if found by the latest harvest: if the next one does not find it
	 * in the map, it is forgotten, not kept forever. */
	e->seen_gen = a->harvest_gen;
	ep = endpoints_find_by_ifindex(a->endpoints, key->ifindex);
	if (ep)
		ifname_copy(e->ifname, ep->ifname);
	else if (!if_indextoname(key->ifindex, e->ifname))
		snprintf(e->ifname, sizeof(e->ifname), "if%u", key->ifindex);
	/* Remember which way the interface faces: it may be gone by the end. */
	e->iface_kind = ep ? ep->kind : ENDPOINT_KIND_INTERFACE;

	/* Most floods of new flows come with no connection ended: no lookup. */
	tomb = a->ended.count ? flow_table_lookup(&a->ended, key) : NULL;
	if (tomb && (first->tcp_flags & NETOBS_TCP_SYN)) {
		flow_table_remove(&a->ended, tomb); /* the ports were reused: a new connection */
	} else if (tomb) {
		/* A last ACK or a retransmitted FIN of the connection that
		 * ended: not a new connection, but its packets still count. */
		e->conn_ended = tomb->conn_ended;
		e->is_reply = tomb->is_reply;
		e->reply_certain = true;
	}
	return e;
}

struct flow_entry *agent_flow_new(struct agent *a, const struct netobs_flow_key *key,
				  const struct netobs_flow_stats *first, bool single_packet,
				  uint16_t tcp_flags, uint64_t ts_mono_ns)
{
	struct flow_entry *e = agent_flow_track(a, key, first, single_packet);
	struct netobs_record rec;

	if (e && !e->conn_ended) {
		agent_flow_record(a, e, first, NETOBS_FLOW_EVENT_NEW, tcp_flags, NETOBS_END_NONE,
				  ts_mono_ns, &rec);
		agent_emit(a, &rec);
	}
	return e;
}

/*
 * One side of a flow. On an endpoint's veth the side facing the container
 * is that endpoint, whatever address the packet claims: the interface says
 * who sent or receives it, and an address can be spoofed or shared. The far
 * side is resolved by address. A side once resolved to an endpoint keeps it
 * when the endpoint (or its address) is gone by the time of this record.
 */
static void agent_flow_peer(struct agent *a, const struct flow_entry *e, bool local,
			    const uint8_t addr[16], uint32_t *id, uint8_t *identity,
			    struct netobs_peer *out)
{
	struct endpoint *ep = NULL;

	if (local)
		ep = endpoints_find_by_ifindex(a->endpoints, e->key.ifindex);
	if (ep && ep->kind == ENDPOINT_KIND_VETH)
		endpoint_peer(ep, out);
	else if (!local || !*id)
		endpoints_resolve_peer(a->endpoints, e->key.family, addr, out);
	else
		memset(out, 0, sizeof(*out)); /* its endpoint is gone: the remembered one below */
	if (!out->id && *id && endpoints_peer_by_id(a->endpoints, *id, out))
		return;
	*id = out->id;
	*identity = (uint8_t)out->identity;
}

/*
 * The policy part of a record, from the verdict its stats carry (judged at
 * the largest generation: a flow's verdict may change between records).
 * The dropped packets of a flow are an entry of their own, keyed with
 * NETOBS_KEY_F_DROPPED: its records are the drops, whatever else changed.
 */
static bool policy_verdict_is_drop(uint8_t verdict)
{
	return verdict == NETOBS_PV_DENIED || verdict == NETOBS_PV_DENY;
}

static void agent_flow_policy(const struct agent *a, struct flow_entry *e,
			      const struct netobs_flow_stats *totals, struct netobs_flow_record *f)
{
	uint8_t verdict = totals->verdict, match = totals->match_type;
	uint16_t policy_id = totals->policy_id;

	if (!(e->key.key_flags & NETOBS_KEY_F_DROPPED)) {
		if (!policy_verdict_is_drop(verdict)) {
			e->fwd_verdict = verdict;
			e->fwd_match_type = match;
			e->fwd_policy_id = policy_id;
		} else {
			/* Denied since: the datapath caches the drop in the
			 * forwarded entry too (so its next packets are not
			 * judged again), but this entry's packets were all
			 * forwarded, and the drops are the DROPPED entry's. It
			 * keeps the verdict its packets went through with. */
			verdict = e->fwd_verdict;
			match = e->fwd_match_type;
			policy_id = e->fwd_policy_id;
		}
	}
	/* a verdict of a newer datapath than this agent: not one it can name */
	f->policy_verdict = verdict < NETOBS_PV__MAX ? verdict : NETOBS_PV_NONE;
	f->policy_match_type = match;
	f->policy = agent_policy_ref(a, policy_id);
	if (e->key.key_flags & NETOBS_KEY_F_DROPPED) {
		f->verdict = NETOBS_VERDICT_DROPPED;
		/* Only policy and prefilter drops have an entry: a rule's DENY
		 * and the prefilter say so, any other verdict (default deny, or
		 * one not read yet) is DENIED. */
		if (f->policy_verdict == NETOBS_PV_PREFILTER)
			f->drop_reason = NETOBS_DROP_PREFILTER;
		else if (f->policy_verdict == NETOBS_PV_DENY)
			f->drop_reason = NETOBS_DROP_POLICY_DENY;
		else
			f->drop_reason = NETOBS_DROP_POLICY_DENIED;
	} else if (f->policy_verdict == NETOBS_PV_AUDIT_DENIED ||
		   f->policy_verdict == NETOBS_PV_AUDIT_DENY) {
		f->verdict = NETOBS_VERDICT_AUDIT;
	} else {
		f->verdict = NETOBS_VERDICT_FORWARDED;
	}
}

/*
 * The datapath's last_seen is the end of its packet's tick (bpf/lib/clock.h),
 * up to two ticks ahead: a record shows it no later than its own time, and
 * never before the flow's first_seen (exact: a flow created while a harvest
 * walked the map has one after the harvest's time).
 */
static uint64_t record_last_seen(const struct netobs_flow_stats *totals, uint64_t ts_mono_ns)
{
	uint64_t bound = ts_mono_ns > totals->first_seen_ns ? ts_mono_ns : totals->first_seen_ns;

	return ts_mono_ns && totals->last_seen_ns > bound ? bound : totals->last_seen_ns;
}

void agent_flow_record(struct agent *a, struct flow_entry *e,
		       const struct netobs_flow_stats *totals, uint8_t event, uint16_t tcp_flags,
		       uint8_t end_reason, uint64_t ts_mono_ns, struct netobs_record *rec)
{
	struct netobs_flow_record *f = &rec->flow;
	bool received = e->key.hook != NETOBS_HOOK_TC_EGRESS;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = agent_mono_to_wall_ns(ts_mono_ns);
	f->key = e->key;
	f->packets = totals->packets;
	f->bytes = totals->bytes;
	f->first_seen_ns = agent_mono_to_wall_ns(totals->first_seen_ns);
	f->last_seen_ns = agent_mono_to_wall_ns(record_last_seen(totals, ts_mono_ns));
	ifname_copy(f->ifname, e->ifname);
	f->tcp_flags = tcp_flags;
	f->tcp_flags_seen = totals->tcp_flags;
	f->event = event;
	f->end_reason = end_reason;
	agent_flow_policy(a, e, totals, f);
	f->is_reply = e->is_reply;
	/* A container's veth receives what the container sends: the hook's
	 * ingress is the endpoint's egress. */
	if (e->iface_kind == ENDPOINT_KIND_VETH) {
		f->direction = received ? NETOBS_DIR_EGRESS : NETOBS_DIR_INGRESS;
		f->obs_point = received ? NETOBS_OBS_FROM_ENDPOINT : NETOBS_OBS_TO_ENDPOINT;
	} else {
		f->direction = received ? NETOBS_DIR_INGRESS : NETOBS_DIR_EGRESS;
		f->obs_point = received ? NETOBS_OBS_FROM_NETWORK : NETOBS_OBS_TO_NETWORK;
	}
	/* Received on an endpoint's veth: the container sent it. */
	agent_flow_peer(a, e, e->iface_kind == ENDPOINT_KIND_VETH && received, e->key.saddr,
			&e->src_id, &e->src_identity, &f->src);
	agent_flow_peer(a, e, e->iface_kind == ENDPOINT_KIND_VETH && !received, e->key.daddr,
			&e->dst_id, &e->dst_identity, &f->dst);
	agent_l7_names(a, f, ts_mono_ns);
}
