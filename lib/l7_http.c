// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x in the L7 tracker: the datapath copies a message's first segment
 * (hint HTTP_START) and a few after it (HTTP_CONT), never the whole stream.
 * Each direction remembers the next sequence number it expects, so what was
 * not copied reaches lib/http.c as a gap it can step over inside a body of
 * known length; retransmitted bytes are trimmed. A direction that lost its
 * alignment (a gap it could not step over) starts again at the next segment
 * the datapath saw begin a message.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "l7_internal.h"

struct http_ctx {
	struct l7_tracker *t;
	struct l7_conn *conn;
};

static int side_of_dir(const struct l7_conn *conn, enum netobs_http_dir dir)
{
	return conn->side[0].http_dir == dir ? 0 : 1;
}

static void headers_copy(struct netobs_l7_http *http, const struct netobs_http_message *msg)
{
	uint32_t n = msg->header_count < NETOBS_HTTP_HEADERS_MAX ? msg->header_count
								 : NETOBS_HTTP_HEADERS_MAX;

	for (uint32_t i = 0; i < n; i++) {
		l7_copy_string(http->headers[i].key, sizeof(http->headers[i].key),
			       msg->headers[i].key);
		l7_copy_string(http->headers[i].value, sizeof(http->headers[i].value),
			       msg->headers[i].value);
	}
	http->headers_len = (uint8_t)n;
}

static void problem_count(struct l7_tracker *t, enum netobs_http_outcome outcome)
{
	t->stats.http_problems++;
	if ((unsigned int)outcome < NETOBS_HTTP_OUTCOME_COUNT)
		t->stats.http_problems_by[outcome]++;
}

static void http_event(const struct netobs_http_event *ev, void *ctx)
{
	struct http_ctx *c = ctx;
	struct l7_tracker *t = c->t;
	const struct netobs_flow_key *key;
	struct netobs_l7 *r;

	switch (ev->type) {
	case NETOBS_HTTP_EVENT_REQUEST:
		t->stats.http_requests++;
		r = l7_record_start(t, NETOBS_L7_REQUEST, NETOBS_L7_HTTP);
		l7_copy_string(r->http.method, sizeof(r->http.method), ev->msg->method);
		l7_copy_string(r->http.url, sizeof(r->http.url), ev->msg->url);
		l7_copy_string(r->http.protocol, sizeof(r->http.protocol), ev->msg->protocol);
		headers_copy(&r->http, ev->msg);
		break;
	case NETOBS_HTTP_EVENT_RESPONSE:
		t->stats.http_responses++;
		if (ev->outcome != NETOBS_HTTP_OK)
			problem_count(t, ev->outcome); /* unpaired: orphan, pipeline overflow */
		r = l7_record_start(t, NETOBS_L7_RESPONSE, NETOBS_L7_HTTP);
		r->http.code = ev->msg->code;
		l7_copy_string(r->http.protocol, sizeof(r->http.protocol), ev->msg->protocol);
		headers_copy(&r->http, ev->msg);
		if (ev->request) {
			l7_copy_string(r->http.method, sizeof(r->http.method), ev->request->method);
			l7_copy_string(r->http.url, sizeof(r->http.url), ev->request->url);
			r->latency_ns = ev->latency_ns;
		}
		break;
	default:
		problem_count(t, ev->outcome);
		if (ev->outcome != NETOBS_HTTP_UNANSWERED || !ev->request)
			return;
		t->stats.http_unanswered++;
		r = l7_record_start(t, NETOBS_L7_REQUEST, NETOBS_L7_HTTP);
		r->flags = NETOBS_L7_F_UNANSWERED;
		l7_copy_string(r->http.method, sizeof(r->http.method), ev->request->method);
		l7_copy_string(r->http.url, sizeof(r->http.url), ev->request->url);
		l7_copy_string(r->http.protocol, sizeof(r->http.protocol), ev->request->protocol);
		break;
	}
	/* UNANSWERED comes as a request-direction event: the request's key. */
	key = &c->conn->side[side_of_dir(c->conn, ev->dir)].key;
	l7_report_record(t, key, ev->time_ns);
}

/* The first message start fixes which side is the client; the server names URLs. */
static bool roles_assign(struct l7_tracker *t, struct l7_conn *conn, int side,
			 const struct l7_slice *slice)
{
	bool response = slice->captured_len >= 5 && !memcmp(slice->data, "HTTP/", 5);
	int server = response ? side : !side;
	char addr[INET6_ADDRSTRLEN], host[INET6_ADDRSTRLEN + 2];
	int af = conn->key.family == NETOBS_FAMILY_IPV6 ? AF_INET6 : AF_INET;

	conn->http = malloc(sizeof(*conn->http));
	if (!conn->http) {
		t->stats.conns_no_memory++;
		return false;
	}
	conn->side[server].http_dir = NETOBS_HTTP_DIR_RESPONSE;
	conn->side[!server].http_dir = NETOBS_HTTP_DIR_REQUEST;
	host[0] = '\0';
	if (inet_ntop(af, conn->key.addr[server], addr, sizeof(addr)))
		snprintf(host, sizeof(host), af == AF_INET6 ? "[%s]" : "%s", addr);
	netobs_http_conn_init(conn->http, ntohs(conn->key.port[server]), host);
	conn->roles_known = true;
	return true;
}

void l7_http_slice(struct l7_tracker *t, struct l7_conn *conn, int side,
		   const struct l7_slice *slice)
{
	struct l7_conn_side *s = &conn->side[side];
	struct http_ctx ctx = {.t = t, .conn = conn};
	bool start = slice->hint == NETOBS_L7_HINT_HTTP_START;
	enum netobs_http_outcome outcome;
	enum netobs_http_dir dir;
	uint32_t skip = 0, have;
	int32_t delta;

	if (!conn->roles_known && (!start || !roles_assign(t, conn, side, slice)))
		goto ignored;
	dir = (enum netobs_http_dir)s->http_dir;
	outcome = netobs_http_conn_outcome(conn->http, dir);
	/* Stopped for good (not HTTP, a tunnel, a bad header): costs nothing more. */
	if (s->ended || (outcome != NETOBS_HTTP_OK && outcome != NETOBS_HTTP_GAP_LOST_ALIGNMENT))
		goto ignored;
	if (!s->started) {
		if (!start)
			goto ignored;
		s->started = true;
		s->next_seq = slice->seq;
	}
	s->key = *slice->key;

	delta = (int32_t)(slice->seq - s->next_seq);
	if (delta < 0) {
		skip = (uint32_t) - (int64_t)delta;
		if (skip >= slice->payload_len)
			goto ignored; /* a retransmission: nothing new */
	} else {
		s->next_seq = slice->seq + slice->payload_len;
		if (delta > 0)
			netobs_http_conn_gap(conn->http, dir, (uint64_t)delta, http_event, &ctx);
	}
	if (skip)
		s->next_seq = slice->seq + slice->payload_len;

	/* A message starts here: a direction that lost its place finds it again. */
	if (start && !skip &&
	    netobs_http_conn_outcome(conn->http, dir) == NETOBS_HTTP_GAP_LOST_ALIGNMENT) {
		int dropped = netobs_http_conn_restart(conn->http, dir);

		if (dropped >= 0) {
			t->stats.http_resyncs++;
			t->stats.http_resync_dropped += (uint64_t)dropped;
		}
	}
	if (netobs_http_conn_outcome(conn->http, dir) != NETOBS_HTTP_OK)
		goto ignored; /* lost, until the next message start */

	if (slice->captured_len > skip)
		netobs_http_conn_feed(conn->http, dir, slice->data + skip,
				      slice->captured_len - skip, slice->ts_ns, http_event, &ctx);
	have = slice->captured_len > skip ? slice->captured_len : skip;
	if (slice->payload_len > have)
		netobs_http_conn_gap(conn->http, dir, slice->payload_len - have, http_event, &ctx);
	return;
ignored:
	t->stats.slices_ignored++;
}

void l7_http_side_end(struct l7_tracker *t, struct l7_conn *conn, int side)
{
	struct http_ctx ctx = {.t = t, .conn = conn};

	conn->side[side].ended = true;
	if (conn->roles_known)
		netobs_http_conn_end(conn->http, (enum netobs_http_dir)conn->side[side].http_dir,
				     http_event, &ctx);
}
