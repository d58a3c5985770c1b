/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Shared by the L7 tracker's files: l7_tracker.c (entry points, records),
 * l7_conn.c (the TCP connection table), l7_dns.c (DNS over UDP and TCP, the
 * pending-request table) and l7_http.c (HTTP/1.x streams).
 */
#pragma once

#include "l7_tracker.h"

/* Hooks that may see one DNS request: more are counted, not tracked. */
#define L7_DNS_OBSERVATIONS 4

/* A connection's two endpoints in a fixed order, so both directions find one entry. */
struct l7_conn_key {
	uint8_t addr[2][16]; /* network order; addr[0] sorts before addr[1] (then port) */
	uint16_t port[2];    /* network order */
	uint32_t ifindex;
	uint8_t family;
	uint8_t proto;
	uint8_t pad[2]; /* zero: the key is hashed as bytes */
};

enum l7_conn_kind {
	L7_CONN_HTTP = 1,
	L7_CONN_DNS = 2,
};

/* One direction of a connection: the packets endpoint side[i] sends. */
struct l7_conn_side {
	struct netobs_flow_key key; /* its latest slice's: the key of its records */
	uint32_t next_seq;	    /* sequence number of the next byte expected */
	bool started;		    /* a first slice fixed next_seq */
	bool ended;		    /* FIN or RST seen */
	uint8_t http_dir;	    /* HTTP: enum netobs_http_dir of these bytes */
	struct dns_tcp_stream *dns; /* DNS over TCP: allocated at its first slice */
};

struct l7_conn {
	struct l7_conn *hash_next;
	struct l7_conn *idle_prev, *idle_next; /* least recently used first */
	struct l7_conn_key key;
	uint64_t last_ns;
	uint8_t kind;	  /* enum l7_conn_kind */
	bool roles_known; /* HTTP: which side is the client */
	struct l7_conn_side side[2];
	struct netobs_http_conn *http; /* HTTP: allocated once the roles are known */
};

/* A DNS request awaiting its response (l7_dns.c). */
struct l7_dns_pending;

struct l7_tracker {
	struct l7_tracker_config cfg;
	struct l7_stats stats;
	uint64_t hash_key[2];
	struct name_cache names;

	struct l7_conn **conn_buckets;
	uint32_t conn_nbuckets; /* power of two */
	uint32_t conn_count;
	struct l7_conn *idle_head, *idle_tail;

	struct l7_dns_pending **pending_buckets;
	uint32_t pending_nbuckets; /* power of two */
	uint32_t pending_count;
	struct l7_dns_pending *pending_head, *pending_tail; /* oldest first */

	/* Scratch space, too large for the stack of a callback chain. */
	struct dns_message dns_msg;
	struct netobs_l7 record;

	/* The caller's callback during one entry point call. */
	l7_report_fn report;
	void *report_ctx;
};

/* l7_tracker.c */
void l7_report_record(struct l7_tracker *t, const struct netobs_flow_key *key, uint64_t ts_ns);
struct netobs_l7 *l7_record_start(struct l7_tracker *t, int type, int kind);
void l7_copy_string(char *dst, size_t size, const char *src);

/* l7_conn.c */
int l7_conn_table_init(struct l7_tracker *t);
void l7_conn_table_free(struct l7_tracker *t);
/* Which side (0 or 1) of its connection a packet's key is sent by. */
int l7_conn_key_from_flow(const struct netobs_flow_key *flow, struct l7_conn_key *key);
struct l7_conn *l7_conn_lookup(struct l7_tracker *t, const struct l7_conn_key *key);
/* A new entry, or NULL counted as conns_full / conns_no_memory. */
struct l7_conn *l7_conn_create(struct l7_tracker *t, const struct l7_conn_key *key, int kind,
			       uint64_t now_ns);
void l7_conn_touch(struct l7_tracker *t, struct l7_conn *conn, uint64_t now_ns);
/* Ends both directions (HTTP: outstanding requests reported unanswered) and frees. */
void l7_conn_close(struct l7_tracker *t, struct l7_conn *conn);
void l7_conn_expire(struct l7_tracker *t, uint64_t now_ns);
void l7_conn_close_all(struct l7_tracker *t);

/* l7_dns.c */
int l7_dns_init(struct l7_tracker *t);
void l7_dns_free(struct l7_tracker *t);
void l7_dns_udp_slice(struct l7_tracker *t, const struct l7_slice *slice);
void l7_dns_tcp_slice(struct l7_tracker *t, struct l7_conn *conn, int side,
		      const struct l7_slice *slice);
void l7_dns_expire(struct l7_tracker *t, uint64_t now_ns, bool all);

/* l7_http.c */
void l7_http_slice(struct l7_tracker *t, struct l7_conn *conn, int side,
		   const struct l7_slice *slice);
/* Direction `side` ended (FIN or RST). */
void l7_http_side_end(struct l7_tracker *t, struct l7_conn *conn, int side);
