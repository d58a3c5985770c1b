// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x decoder under arbitrary bytes. The first 4 bytes steer: where the
 * rest divides into request and response bytes, where each side is split
 * into slices, and whether gaps are reported between slices. Every event the
 * decoder reports is checked against the bounds and promises of http.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void check_string(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	CHECK(n < cap);
	for (size_t i = 0; i < n; i++)
		CHECK(s[i] >= 0x20 && s[i] <= 0x7e);
}

static bool is_redacted_key(const char *key)
{
	return !strcasecmp(key, "Cookie") || !strcasecmp(key, "Set-Cookie") ||
	       !strcasecmp(key, "Authorization") || !strcasecmp(key, "Proxy-Authorization");
}

static void check_message(const struct netobs_http_message *msg, bool response)
{
	CHECK(msg->is_response == response);
	CHECK(!strcmp(msg->protocol, "HTTP/1.0") || !strcmp(msg->protocol, "HTTP/1.1"));
	check_string(msg->method, sizeof(msg->method));
	check_string(msg->target, sizeof(msg->target));
	check_string(msg->path, sizeof(msg->path));
	check_string(msg->host, sizeof(msg->host));
	check_string(msg->url, sizeof(msg->url));
	CHECK(msg->header_count <= NETOBS_HTTP_HEADERS_MAX);
	for (uint32_t i = 0; i < msg->header_count; i++) {
		check_string(msg->headers[i].key, sizeof(msg->headers[i].key));
		check_string(msg->headers[i].value, sizeof(msg->headers[i].value));
		if (is_redacted_key(msg->headers[i].key))
			CHECK(!strcmp(msg->headers[i].value, NETOBS_HTTP_REDACTED));
	}
	if (response) {
		CHECK(msg->code >= 100 && msg->code <= 599);
		CHECK(!msg->method[0] && !msg->url[0]);
	} else {
		CHECK(msg->method[0] && msg->target[0]);
		CHECK(msg->code == 0);
	}
	CHECK(!msg->chunked || msg->transfer_encoding);
}

static void check_event(const struct netobs_http_event *ev, void *ctx)
{
	unsigned int *events = ctx;

	(*events)++;
	CHECK((unsigned int)ev->outcome < NETOBS_HTTP_OUTCOME_COUNT);
	switch (ev->type) {
	case NETOBS_HTTP_EVENT_REQUEST:
		CHECK(ev->dir == NETOBS_HTTP_DIR_REQUEST && ev->msg && !ev->request);
		CHECK(ev->outcome == NETOBS_HTTP_OK);
		check_message(ev->msg, false);
		break;
	case NETOBS_HTTP_EVENT_RESPONSE:
		CHECK(ev->dir == NETOBS_HTTP_DIR_RESPONSE && ev->msg);
		check_message(ev->msg, true);
		if (ev->request) {
			CHECK(ev->outcome == NETOBS_HTTP_OK);
			check_string(ev->request->method, sizeof(ev->request->method));
			check_string(ev->request->url, sizeof(ev->request->url));
			CHECK(ev->time_ns >= ev->request->time_ns
				      ? ev->latency_ns == ev->time_ns - ev->request->time_ns
				      : ev->latency_ns == 0);
		} else {
			CHECK(ev->outcome == NETOBS_HTTP_ORPHAN_RESPONSE ||
			      ev->outcome == NETOBS_HTTP_PIPELINE_OVERFLOW);
		}
		break;
	case NETOBS_HTTP_EVENT_PROBLEM:
		CHECK(!ev->msg);
		CHECK(ev->outcome != NETOBS_HTTP_OK && ev->outcome != NETOBS_HTTP_TUNNEL);
		CHECK((ev->outcome == NETOBS_HTTP_UNANSWERED) == (ev->request != NULL));
		break;
	default:
		abort();
	}
}

/* Feeds one slice; once a direction stopped, it must say so the same way. */
static void feed_checked(struct netobs_http_conn *conn, enum netobs_http_dir dir, const uint8_t *p,
			 size_t len, uint64_t t, enum netobs_http_outcome *last,
			 unsigned int *events)
{
	unsigned int before = *events;
	enum netobs_http_outcome r =
		netobs_http_conn_feed(conn, dir, p, len, t, check_event, events);

	if (*last != NETOBS_HTTP_OK) {
		CHECK(r == *last);
		CHECK(*events == before);
	}
	*last = r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netobs_http_message msg;
	struct netobs_http_conn conn;
	enum netobs_http_outcome last[2] = {NETOBS_HTTP_OK, NETOBS_HTTP_OK};
	const uint8_t *side[2];
	size_t side_len[2], cut[2][2];
	unsigned int events = 0;
	uint8_t flags;

	if (size < 4)
		return 0;
	flags = data[3];
	side_len[0] = (size - 4) * data[0] / 255;
	side_len[1] = size - 4 - side_len[0];
	side[0] = data + 4;
	side[1] = side[0] + side_len[0];
	for (int d = 0; d < 2; d++) {
		cut[d][0] = side_len[d] * data[1 + d] / 255;
		cut[d][1] = cut[d][0] + (side_len[d] - cut[d][0]) / 2;
	}

	netobs_http_conn_init(&conn, flags & 1 ? 8080 : 80, flags & 2 ? "[fd00::1]" : NULL);
	/* Three slices per side, alternating request and response. */
	for (int slice = 0; slice < 3; slice++) {
		for (int d = 0; d < 2; d++) {
			size_t from = slice ? cut[d][slice - 1] : 0;
			size_t to = slice < 2 ? cut[d][slice] : side_len[d];

			feed_checked(&conn, (enum netobs_http_dir)d, side[d] + from, to - from,
				     100 * (uint64_t)slice + (uint64_t)d, &last[d], &events);
			if (flags & (4 << d)) {
				enum netobs_http_outcome r =
					netobs_http_conn_gap(&conn, (enum netobs_http_dir)d,
							     flags >> 4, check_event, &events);

				if (last[d] != NETOBS_HTTP_OK)
					CHECK(r == last[d]);
				last[d] = r;
			}
		}
	}
	netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_REQUEST, check_event, &events);
	netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_RESPONSE, check_event, &events);
	CHECK(!netobs_http_conn_active(&conn));
	CHECK(conn.pending_count == 0);
	netobs_http_conn_free(&conn);

	/* The one-head entry point, both ways, on the whole input. */
	for (int d = 0; d < 2; d++)
		if (netobs_http_head_parse(data, size, (enum netobs_http_dir)d, NULL, &msg) ==
		    NETOBS_HTTP_OK)
			check_message(&msg, d == NETOBS_HTTP_DIR_RESPONSE);
	return 0;
}
