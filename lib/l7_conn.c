// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 tracker's TCP connections (HTTP, DNS over TCP): a chained hash
 * table keyed by interface and the connection's endpoints in a canonical
 * order, so the request direction (seen at one hook of an interface) and the
 * response direction (at its other hook) share one entry and latency can be
 * measured. At most max_conns entries, allocated as connections appear;
 * addresses come from the network, so buckets are chosen with a keyed SipHash.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "l7_internal.h"
#include "siphash.h"

static uint32_t table_size(uint32_t entries)
{
	uint32_t n = 1;

	while (n < entries && n < (1U << 30))
		n <<= 1;
	return n;
}

int l7_conn_table_init(struct l7_tracker *t)
{
	t->conn_nbuckets = table_size(t->cfg.max_conns);
	t->conn_buckets = calloc(t->conn_nbuckets, sizeof(*t->conn_buckets));
	return t->conn_buckets ? 0 : -ENOMEM;
}

static void conn_destroy(struct l7_conn *conn)
{
	if (conn->http) {
		netobs_http_conn_free(conn->http);
		free(conn->http);
	}
	free(conn->side[0].dns);
	free(conn->side[1].dns);
	free(conn);
}

void l7_conn_table_free(struct l7_tracker *t)
{
	struct l7_conn *conn = t->idle_head, *next;

	for (; conn; conn = next) {
		next = conn->idle_next;
		conn_destroy(conn);
	}
	free(t->conn_buckets);
	t->conn_buckets = NULL;
	t->idle_head = t->idle_tail = NULL;
	t->conn_count = 0;
}

int l7_conn_key_from_flow(const struct netobs_flow_key *flow, struct l7_conn_key *key)
{
	int cmp = memcmp(flow->saddr, flow->daddr, sizeof(flow->saddr));
	int side = cmp > 0 || (!cmp && flow->sport > flow->dport);

	memset(key, 0, sizeof(*key));
	memcpy(key->addr[side], flow->saddr, sizeof(key->addr[0]));
	memcpy(key->addr[!side], flow->daddr, sizeof(key->addr[0]));
	key->port[side] = flow->sport;
	key->port[!side] = flow->dport;
	key->ifindex = flow->ifindex;
	key->family = flow->family;
	key->proto = flow->proto;
	return side;
}

static uint32_t conn_bucket(const struct l7_tracker *t, const struct l7_conn_key *key)
{
	return (uint32_t)netobs_siphash24(t->hash_key, key, sizeof(*key)) & (t->conn_nbuckets - 1);
}

struct l7_conn *l7_conn_lookup(struct l7_tracker *t, const struct l7_conn_key *key)
{
	struct l7_conn *conn = t->conn_buckets[conn_bucket(t, key)];

	while (conn && memcmp(&conn->key, key, sizeof(*key)))
		conn = conn->hash_next;
	return conn;
}

static void idle_unlink(struct l7_tracker *t, struct l7_conn *conn)
{
	if (conn->idle_prev)
		conn->idle_prev->idle_next = conn->idle_next;
	else
		t->idle_head = conn->idle_next;
	if (conn->idle_next)
		conn->idle_next->idle_prev = conn->idle_prev;
	else
		t->idle_tail = conn->idle_prev;
	conn->idle_prev = conn->idle_next = NULL;
}

static void idle_append(struct l7_tracker *t, struct l7_conn *conn)
{
	conn->idle_prev = t->idle_tail;
	conn->idle_next = NULL;
	if (t->idle_tail)
		t->idle_tail->idle_next = conn;
	else
		t->idle_head = conn;
	t->idle_tail = conn;
}

struct l7_conn *l7_conn_create(struct l7_tracker *t, const struct l7_conn_key *key, int kind,
			       uint64_t now_ns)
{
	uint32_t bucket = conn_bucket(t, key);
	struct l7_conn *conn;

	if (t->conn_count >= t->cfg.max_conns) {
		t->stats.conns_full++;
		return NULL;
	}
	conn = calloc(1, sizeof(*conn));
	if (!conn) {
		t->stats.conns_no_memory++;
		return NULL;
	}
	conn->key = *key;
	conn->kind = (uint8_t)kind;
	conn->last_ns = now_ns;
	conn->hash_next = t->conn_buckets[bucket];
	t->conn_buckets[bucket] = conn;
	idle_append(t, conn);
	t->conn_count++;
	t->stats.conns++;
	return conn;
}

void l7_conn_touch(struct l7_tracker *t, struct l7_conn *conn, uint64_t now_ns)
{
	/* Hooks' clocks may interleave slightly: never move an entry back. */
	if (now_ns > conn->last_ns)
		conn->last_ns = now_ns;
	idle_unlink(t, conn);
	idle_append(t, conn);
}

void l7_conn_close(struct l7_tracker *t, struct l7_conn *conn)
{
	struct l7_conn **pp = &t->conn_buckets[conn_bucket(t, &conn->key)];

	/* The request direction first: its end never reports; the response
	 * direction's then reports what is still outstanding. */
	if (conn->kind == L7_CONN_HTTP && conn->http) {
		for (int dir = NETOBS_HTTP_DIR_REQUEST; dir <= NETOBS_HTTP_DIR_RESPONSE; dir++) {
			int side = conn->side[0].http_dir == dir ? 0 : 1;

			if (!conn->side[side].ended)
				l7_http_side_end(t, conn, side);
		}
	}
	while (*pp && *pp != conn)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = conn->hash_next;
	idle_unlink(t, conn);
	t->conn_count--;
	conn_destroy(conn);
}

void l7_conn_expire(struct l7_tracker *t, uint64_t now_ns)
{
	while (t->idle_head && now_ns >= t->idle_head->last_ns &&
	       now_ns - t->idle_head->last_ns >= t->cfg.conn_idle_ns) {
		t->stats.conns_idle++;
		l7_conn_close(t, t->idle_head);
	}
}

void l7_conn_close_all(struct l7_tracker *t)
{
	while (t->idle_head)
		l7_conn_close(t, t->idle_head);
}
