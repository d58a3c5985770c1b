/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent: one libuv loop holding the ring buffer (through its epoll fd),
 * the netlink event socket, the API socket and the harvest timer.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>
#include <jansson.h>

#include "abi.h"
#include "datapath.h"
#include "endpoints.h"
#include "flowtable.h"
#include "policy_conns.h"
#include "record.h"
#include "record_lines.h"
#include "store.h"

/* Ports a user may list in --dns-ports / --http-ports. */
#define NETOBS_L7_PORTS_MAX 64

struct ring_buffer;
struct l7_tracker;
struct mnl_socket;
struct client;
struct agent_policy;

struct agent_config {
	char socket_path[108];
	char bpffs[256];
	char node_name[NETOBS_NAME_MAX];
	uint32_t harvest_interval_ms;
	uint32_t idle_timeout_s;
	uint32_t end_grace_ms;	      /* quiet after a connection's closing packets before END */
	uint32_t pressure_timeout_ms; /* dead-weight flows' idle timeout under map pressure */
	uint32_t store_size;
	uint64_t store_l7_bytes; /* arena for the stored records' L7 parts and names, bytes */
	uint32_t flow_map_size;
	uint32_t
		client_queue; /* records a follower may fall behind before it skips ahead (<= store_size) */
	uint32_t max_clients;	    /* API connections at once; more are told so and closed */
	uint32_t request_timeout_s; /* to send a complete request, then closed */
	/* L7 (agent/l7.c, docs/l7.md) */
	bool l7_disabled;
	uint16_t dns_ports[NETOBS_L7_PORTS_MAX];
	uint16_t http_ports[NETOBS_L7_PORTS_MAX]; /* none: HTTP recognised on any port */
	uint32_t ndns_ports, nhttp_ports;
	uint32_t dns_timeout_ms; /* a DNS request unanswered this long is reported so */
	uint32_t l7_max_conns;	 /* TCP connections the L7 tracker follows at once */
	char state_dir[256];	 /* --state-dir: policy.json lives here; "" keeps no state */
};

/* Agent-side counters, reported by `netobs status` beside the datapath's. */
struct agent_stats {
	uint64_t records_seen;
	uint64_t events_malformed;  /* ring-buffer events with a wrong version or size */
	uint64_t flow_table_full;   /* flows the agent could not track (table full) */
	uint64_t lost_ring_buffer;  /* events the datapath could not queue (ring buffer full) */
	uint64_t lost_flow_map;	    /* packets in no flow: the flow map insert failed */
	uint64_t lost_client_queue; /* records dropped for slow clients */
	uint64_t lost_store;	    /* records overwritten before a reader got them */
	uint64_t records_reordered; /* records stamped with the previous record's later time */
	uint64_t harvests;
	uint64_t batch_fallbacks; /* harvests that iterated because batch lookup failed */
	uint64_t l7_records;	  /* DNS and HTTP records made from payload slices */
};

#define AGENT_RATE_SAMPLES 11

/* Flow-map entries read per batch: bounds harvest memory (keys + per-CPU
 * values) independently of --flow-map-size and the CPU count. */
#define HARVEST_CHUNK 4096

/* Flow map occupancy (percent) above which dead-weight flows end after the
 * pressure timeout: room is kept for new flows before inserts fail. */
#define FLOW_PRESSURE_PERCENT 90

/* Longest life of a tombstone (a recently ended connection's key): Linux
 * keeps a closed connection in TIME_WAIT this long, and stray packets of it
 * come within that time. Never longer than the idle timeout. */
#define FLOW_TOMBSTONE_MAX_NS (60ULL * 1000000000ULL)

/* An event record older than the previous record by at most this much is
 * stamped with the previous record's time (agent_emit()); more is a clock step. */
#define RECORD_REORDER_MAX_NS (5ULL * 1000000000ULL)

/* Ring-buffer events handled per wakeup before the loop runs other work. */
#define EVENTS_PER_WAKEUP 4096

/* Flow events taken from the ring and handled together (events.c): their
 * flow table buckets are fetched from memory for all of them at once. */
#define EVENTS_BATCH 64

struct events_batch {
	struct netobs_flow_event ev[EVENTS_BATCH];
	unsigned int n;
};

struct agent {
	struct agent_config cfg;
	uv_loop_t *loop;
	struct datapath dp;
	struct endpoint_table *endpoints;
	struct endpoint_changes endpoint_changes; /* since the last rescan */
	struct flow_table flows;
	struct flow_table ended; /* tombstones: TCP flows ended by FIN/RST, recently */
	uint64_t tombstone_ns;	 /* how long a tombstone lasts */
	struct record_store store;
	struct record_lines
		lines; /* the stored records' JSON, shared by clients; from the first flows request */
	struct flow_timeouts timeouts;

	struct ring_buffer *rb;
	struct mnl_socket *nl_events;
	uv_poll_t rb_poll;
	uv_poll_t nl_poll;
	uv_timer_t harvest_timer;
	uv_timer_t rescan_timer;
	uv_signal_t stop_signals[4]; /* SIGINT, SIGTERM, SIGHUP, SIGQUIT: each stops cleanly */
	uv_pipe_t server;
	uv_prepare_t followers_wake; /* wakes idle followers once per loop iteration */
	bool server_listening;
	struct client *clients;
	unsigned int nclients;

	/* harvest buffers, allocated once: HARVEST_CHUNK entries, whatever the map size */
	struct netobs_flow_key *batch_keys;
	void *batch_values;
	struct netobs_flow_key *all_keys; /* key-by-key fallback only, allocated on first use */
	void *flow_value;		  /* one key's value, for a lookup */
	size_t value_stride;
	bool batch_unsupported;
	uint32_t harvest_gen;
	struct policy_conns_sweep conns_sweep; /* agent/policy_conns.c */

	unsigned int rb_budget; /* events left in this wakeup */
	struct events_batch ev_batch;

	uint64_t counters[NETOBS_CNT__MAX];
	uint64_t ringbuf_full_reported;
	uint64_t insert_failed_reported; /* FLOW_MAP_FULL + BUSY + ERROR in lost_events so far */
	bool flow_pressure; /* flow map above FLOW_PRESSURE_PERCENT, or inserts failing, lately */
	uint64_t
		pressure_seen_ns; /* monotonic clock of the last harvest that saw pressure, 0: never */
	struct agent_stats stats;
	uint64_t start_mono_ns;
	uint64_t last_record_time_ns;		/* wall clock of the newest stored record */
	uint64_t rate_seen[AGENT_RATE_SAMPLES]; /* records_seen at the last harvests */
	uint64_t rate_time[AGENT_RATE_SAMPLES];
	unsigned int rate_next;
	bool stopping;

	struct agent_policy *policy; /* agent/agent_policy.h; NULL in a replay */

	struct l7_tracker *l7; /* NULL when L7 is off */
	/* FIN/RST of L7 connections, applied after the slices read with them
	 * (agent_l7_tcp_end()). */
	struct agent_l7_end *l7_ends;
	unsigned int l7_nends;
	uint64_t l7_now_ns; /* monotonic clock of the input the tracker is handling */
	/* Names of the record being built (agent_l7_names()). */
	struct netobs_names l7_source_names;
	struct netobs_names l7_destination_names;
	/* Set by a capture replay (agent/replay.c): agent_emit() hands records
	 * here instead of storing and streaming them. */
	void (*replay_emit)(struct agent *a, const struct netobs_record *rec);
};

uint64_t agent_now_mono_ns(void);
uint64_t agent_mono_to_wall_ns(uint64_t mono_ns);
/* Re-read the wall-clock offset (once per harvest: follows clock steps). */
void agent_clock_sync(void);
/* One read of the wall clock between two reads of the monotonic clock (ns). */
struct clock_bracket {
	uint64_t mono_before;
	uint64_t wall;
	uint64_t mono_after;
};
/* Wall minus monotonic time from the tightest of n brackets (n >= 1). */
uint64_t agent_wall_minus_mono(const struct clock_bracket *b, unsigned int n);
/* Capture replay: from now on every clock reads capture_ns (ns since the
 * Unix epoch), monotonic time included (see agent.c). */
void agent_clock_replay_set(uint64_t capture_ns);

/* replay.c: netobs-agent --replay FILE; returns the exit code. */
int replay_run(struct agent *a, const char *path);

/* Store a record and stream it to following clients. */
void agent_emit(struct agent *a, const struct netobs_record *rec);

/* Record for a flow entry with these totals (monotonic-clock times); refreshes
 * the entry's remembered peers. */
void agent_flow_record(struct agent *a, struct flow_entry *e,
		       const struct netobs_flow_stats *totals, uint8_t event, uint16_t tcp_flags,
		       uint8_t end_reason, uint64_t ts_mono_ns, struct netobs_record *rec);

/* Current totals of a flow, straight from the map; false if it is gone. */
bool agent_flow_map_totals(struct agent *a, const struct netobs_flow_key *key,
			   struct netobs_flow_stats *out);

/* Track a flow the agent has not seen: name its interface, decide its side.
 * A key without SYN whose connection recently ended is tracked as a
 * straggler (conn_ended set, side kept from the ended flow). */
struct flow_entry *agent_flow_track(struct agent *a, const struct netobs_flow_key *key,
				    const struct netobs_flow_stats *first, bool single_packet);

/* Track a new flow and report it (NEW at ts_mono_ns with these TCP flags),
 * unless it is a straggler of an ended connection: counted, not new. */
struct flow_entry *agent_flow_new(struct agent *a, const struct netobs_flow_key *key,
				  const struct netobs_flow_stats *first, bool single_packet,
				  uint16_t tcp_flags, uint64_t ts_mono_ns);

/* harvest.c */
int harvest_init(struct agent *a);
void harvest_free(struct agent *a);
void harvest_run(struct agent *a);
/* The interface is gone: end its flows now (END, reason FORCED). */
void harvest_end_interface(struct agent *a, uint32_t ifindex);
double agent_records_per_second(const struct agent *a);

/* events.c: ring-buffer consumer */
/* libbpf's callback: takes one event. Flow events wait in a->ev_batch
 * until EVENTS_BATCH of them are there, an L7 event comes, or the consume
 * ends (events_consume(), events_drain(); a caller of its own calls
 * events_flush()). */
int events_ring_buffer_cb(void *ctx, void *data, size_t size);
/* Handle the flow events taken so far, in the order they came. */
void events_flush(struct agent *a);
/* Handle at most budget events waiting in the ring (a flood must not keep
 * the loop here), every one of them before returning. */
void events_consume(struct agent *a, unsigned int budget);
/* Read every event waiting in the ring now (before a harvest: their records
 * are older than the harvest's). */
void events_drain(struct agent *a);

/* server.c: the API socket */
/* Fail (with a message) when another agent serves path; clear a stale socket. */
int server_check_path(const char *path, char *err, size_t errlen);
int server_start(struct agent *a, char *err, size_t errlen);
/* A record was stored: idle followers send it now, busy ones with their next batch. */
void server_wake_followers(struct agent *a);
/* The store is about to overwrite rec: readers still behind it count the loss. */
void server_record_evicting(struct agent *a, const struct netobs_record *rec);
void server_stop(struct agent *a);
/* A one-shot request's reply: each object of lines (an array, taken) one
 * line, then the connection closes. NULL: out of memory, said so. */
void server_reply(struct client *c, json_t *lines);
/* An error line for the request, then the connection closes. */
void server_reply_error(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
