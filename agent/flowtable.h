/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's view of the flows in the BPF flow map: what was last reported
 * for each, which direction of its connection it is, and the pure decisions
 * harvest makes (read a map value, update or end). Entries come from a pool
 * allocated once; nothing here allocates per flow.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "record.h"
#include "siphash.h"

#define FLOW_NIL UINT32_MAX

struct flow_entry {
	struct netobs_flow_key key;
	struct netobs_flow_stats reported; /* totals in the latest record (monotonic clock) */
	char ifname[NETOBS_IFNAME_MAX];	   /* kept: the interface may be gone when the flow ends */
	uint32_t next;			   /* hash chain, or free list */
	uint32_t seen_gen;		   /* harvest generation that last found it in the map */
	int8_t is_reply;		   /* 1 reply, 0 initiator */
	uint8_t iface_kind; /* enum endpoint_kind of the interface, set by the agent */
	bool reply_certain; /* decided by SYN or ICMP type, never revised */
	bool in_use;
	bool answered;	    /* the reverse direction has been seen */
	uint8_t conn_ended; /* straggler: its connection already ended (enum netobs_end_reason) */
	/* Sides as last resolved, set by the agent: endpoint ID (0 when none)
	 * or reserved identity. An endpoint removed before the flow ends still
	 * names its END record (endpoints remember removed names). */
	uint32_t src_id;
	uint32_t dst_id;
	uint8_t src_identity;
	uint8_t dst_identity;
	/* The policy verdict its packets were last forwarded with (agent.c
	 * agent_flow_policy(): a forwarded entry's records never show a drop). */
	uint8_t fwd_verdict;
	uint8_t fwd_match_type;
	uint16_t fwd_policy_id;
};

struct flow_table {
	struct flow_entry *entries;
	uint32_t *buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t capacity;
	uint32_t count;
	uint32_t free_head;
	uint64_t hash_key[2]; /* SipHash key, from getrandom() at init */
	/*
	 * Both directions of a connection pass the same hook: a capture
	 * (replayed through one program) or a mirror port sees both as
	 * received. Live, a reversed key at the same hook is another flow
	 * (on a veth's ingress the container sent both), so it is off.
	 */
	bool same_hook_reverse;
};

/* Capacity entries, and a fresh random hash key (-errno if getrandom fails). */
int flow_table_init(struct flow_table *table, uint32_t capacity);
void flow_table_free(struct flow_table *table);

/* The bucket a key hashes to in this table. */
uint32_t flow_table_bucket(const struct flow_table *table, const struct netobs_flow_key *key);
/* Replace the random hash key, for tests that need one known key; only while empty. */
void flow_table_set_hash_key(struct flow_table *table, const uint64_t key[2]);

struct flow_entry *flow_table_lookup(const struct flow_table *table,
				     const struct netobs_flow_key *key);

/* A zeroed entry for key, without pairing (NULL, errno ENOSPC when full). */
struct flow_entry *flow_table_add(struct flow_table *table, const struct netobs_flow_key *key);

/*
 * Add a flow first seen with these totals (first packet's flags for a
 * ring-buffer event, the union so far for harvest) and decide which side
 * of its connection it is, revising the reverse flow's guess if needed.
 * NULL with errno ENOSPC when the table is full, EEXIST if present.
 */
struct flow_entry *flow_table_insert(struct flow_table *table, const struct netobs_flow_key *key,
				     const struct netobs_flow_stats *first, bool single_packet);

void flow_table_remove(struct flow_table *table, struct flow_entry *entry);

/*
 * The totals in one flow-map value (one per flow, shared by all CPUs, since
 * ABI 6) as harvest reports them: the datapath-private fields (l7_budget,
 * reserved) zeroed, a value without packets all zero.
 */
void flow_stats_read(const struct netobs_flow_stats *value, struct netobs_flow_stats *out);

/* The keys the other direction of this connection has at the same interface;
 * none for a NETOBS_KEY_F_DROPPED key (dropped packets are answered by no one). */
unsigned int flow_key_reverse(const struct netobs_flow_key *key, struct netobs_flow_key out[2]);

/* The entry of the other direction of key's connection in this table, NULL if none. */
struct flow_entry *flow_table_lookup_reverse(const struct flow_table *table,
					     const struct netobs_flow_key *key);

enum flow_action {
	FLOW_ACTION_NONE = 0,	    /* nothing new */
	FLOW_ACTION_UPDATE,	    /* counters moved: report them */
	FLOW_ACTION_END,	    /* over: report final totals and delete */
	FLOW_ACTION_END_CONNECTION, /* its TCP connection is over: end it and the reverse flow */
};

struct flow_timeouts {
	uint64_t idle_ns;      /* no packet for this long: the flow ended (IDLE) */
	uint64_t end_grace_ns; /* both sides quiet this long after the closing packets: ended */
	uint64_t pressure_ns;  /* under map pressure, dead weight quiet this long ends (IDLE) */
};

/* What harvest knows of a flow besides its own counters. */
struct flow_context {
	/* Latest totals of the reverse flow (other direction, same
	 * interface), NULL when the agent tracks none. */
	const struct netobs_flow_stats *reverse;
	uint8_t conn_ended; /* its connection already ended (a straggler): that end reason */
	bool answered;	    /* the reverse direction has been seen */
	bool pressure;	    /* the flow map is above its high watermark */
	bool dropped;	    /* a NETOBS_KEY_F_DROPPED entry: no connection, FIN/RST end nothing */
};

/*
 * What harvest does with a flow whose latest record said `reported` and whose
 * map entry now sums to `now`. now_ns is on the monotonic clock.
 *
 * A TCP connection ends as a whole: when an RST was seen either way, or a FIN
 * both ways (one way when no reverse flow is tracked), and both directions
 * have been quiet for the end grace, FLOW_ACTION_END_CONNECTION ends this
 * flow and its reverse together. Under pressure, flows that are dead weight
 * (one packet, never answered, or TCP never past SYN) end after the pressure
 * timeout instead of the idle timeout. A dropped entry (ctx->dropped) ends
 * only as idle: its packets reached no one, their FIN or RST closed nothing.
 */
enum flow_action flow_harvest_decide(const struct netobs_flow_stats *reported,
				     const struct netobs_flow_stats *now, uint64_t now_ns,
				     const struct flow_timeouts *timeouts,
				     const struct flow_context *ctx, uint8_t *end_reason);
