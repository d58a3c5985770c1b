/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the HTTP unit tests share: one connection, and a copy of every event
 * the decoder reports, to compare with the values each test wrote itself.
 */
#pragma once

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

#define MAX_SEEN 40

/* A copy of each event the decoder reported, in order. */
struct seen_event {
	struct netobs_http_event ev;
	struct netobs_http_message msg;
	struct netobs_http_pending request;
	bool has_msg, has_request;
};

static struct seen_event seen[MAX_SEEN];
static int nseen;

static inline void record_event(const struct netobs_http_event *ev, void *ctx)
{
	struct seen_event *s;

	(void)ctx;
	ck_assert_int_lt(nseen, MAX_SEEN);
	s = &seen[nseen++];
	memset(s, 0, sizeof(*s));
	s->ev = *ev;
	if (ev->msg) {
		s->msg = *ev->msg;
		s->has_msg = true;
	}
	if (ev->request) {
		s->request = *ev->request;
		s->has_request = true;
	}
}

static struct netobs_http_conn conn;

static inline void conn_setup(uint16_t port, const char *server_host)
{
	nseen = 0;
	netobs_http_conn_init(&conn, port, server_host);
}

static inline void conn_teardown(void)
{
	netobs_http_conn_free(&conn);
}

static inline enum netobs_http_outcome feed(enum netobs_http_dir dir, const char *bytes, uint64_t t)
{
	return netobs_http_conn_feed(&conn, dir, bytes, strlen(bytes), t, record_event, NULL);
}

static inline enum netobs_http_outcome feed_req(const char *bytes, uint64_t t)
{
	return feed(NETOBS_HTTP_DIR_REQUEST, bytes, t);
}

static inline enum netobs_http_outcome feed_resp(const char *bytes, uint64_t t)
{
	return feed(NETOBS_HTTP_DIR_RESPONSE, bytes, t);
}

static inline int count_type(enum netobs_http_event_type type)
{
	int n = 0;

	for (int i = 0; i < nseen; i++)
		n += seen[i].ev.type == type;
	return n;
}

/* The i-th event of a type. */
static inline const struct seen_event *nth(enum netobs_http_event_type type, int i)
{
	for (int k = 0; k < nseen; k++)
		if (seen[k].ev.type == type && !i--)
			return &seen[k];
	ck_abort_msg("no event %d of type %d (%d events)", i, type, nseen);
	return NULL;
}

static inline const char *header_value(const struct netobs_http_message *msg, const char *key)
{
	for (uint32_t i = 0; i < msg->header_count; i++)
		if (!strcmp(msg->headers[i].key, key))
			return msg->headers[i].value;
	return NULL;
}
