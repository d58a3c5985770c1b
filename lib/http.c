// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x streams: per direction, find each head (http_head.c decodes it),
 * then skip exactly the body its framing announces, so the next message of a
 * keep-alive or pipelined connection is read where it starts. Responses are
 * paired with requests in order through a bounded FIFO.
 *
 * The datapath copies only the first bytes of each segment: the caller
 * reports the rest as gaps. Inside a body of known length (Content-Length, a
 * chunk's data) a gap is stepped over; anywhere else it would leave us
 * guessing where the next message starts, so the direction stops instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_internal.h"

enum stream_state {
	STREAM_HEAD = 0,    /* at or inside a head (head_len bytes buffered) */
	STREAM_BODY,	    /* body_left bytes of a Content-Length body */
	STREAM_CHUNK_SIZE,  /* a chunk-size line, with extensions */
	STREAM_CHUNK_DATA,  /* body_left bytes of chunk data */
	STREAM_CHUNK_END,   /* the CRLF after chunk data */
	STREAM_TRAILER,	    /* trailer lines after the last chunk */
	STREAM_UNTIL_CLOSE, /* a response body that ends with the connection */
	STREAM_STOPPED,	    /* outcome says why; nothing more is decoded */
};

static const char *const http_outcome_names[NETOBS_HTTP_OUTCOME_COUNT] = {
	[NETOBS_HTTP_OK] = "ok",
	[NETOBS_HTTP_NOT_HTTP] = "not-http",
	[NETOBS_HTTP_HEAD_TOO_LONG] = "head-too-long",
	[NETOBS_HTTP_BAD_HEADER] = "bad-header",
	[NETOBS_HTTP_BAD_CONTENT_LENGTH] = "bad-content-length",
	[NETOBS_HTTP_BAD_TRANSFER_ENCODING] = "bad-transfer-encoding",
	[NETOBS_HTTP_BAD_CHUNK] = "bad-chunk",
	[NETOBS_HTTP_GAP_LOST_ALIGNMENT] = "gap-lost-alignment",
	[NETOBS_HTTP_INCOMPLETE_HEAD] = "incomplete-head",
	[NETOBS_HTTP_ORPHAN_RESPONSE] = "orphan-response",
	[NETOBS_HTTP_PIPELINE_OVERFLOW] = "pipeline-overflow",
	[NETOBS_HTTP_UNANSWERED] = "unanswered",
	[NETOBS_HTTP_PEER_LOST] = "peer-lost",
	[NETOBS_HTTP_TUNNEL] = "tunnel",
	[NETOBS_HTTP_NO_MEMORY] = "no-memory",
};

const char *netobs_http_outcome_name(enum netobs_http_outcome outcome)
{
	if ((unsigned int)outcome >= NETOBS_HTTP_OUTCOME_COUNT)
		return "unknown";
	return http_outcome_names[outcome];
}

void netobs_http_conn_init(struct netobs_http_conn *conn, uint16_t server_port,
			   const char *server_host)
{
	memset(conn, 0, sizeof(*conn));
	conn->server_port = server_port;
	if (server_host)
		snprintf(conn->server_host, sizeof(conn->server_host), "%s", server_host);
}

void netobs_http_conn_free(struct netobs_http_conn *conn)
{
	for (int d = 0; d < 2; d++) {
		free(conn->dir[d].head);
		conn->dir[d].head = NULL;
	}
}

int netobs_http_conn_restart(struct netobs_http_conn *conn, enum netobs_http_dir dir)
{
	struct netobs_http_stream *s = &conn->dir[dir];
	uint8_t *head = s->head;
	uint64_t messages = s->messages;
	int dropped = 0;

	if (s->state != STREAM_STOPPED || s->outcome != NETOBS_HTTP_GAP_LOST_ALIGNMENT)
		return -1;
	/* The split-head buffer is kept: this connection already needed one. */
	memset(s, 0, sizeof(*s));
	s->head = head;
	s->messages = messages;
	s->state = STREAM_HEAD;
	/* One outstanding request is the one the next response answers; with more,
	 * any number of responses may have gone by in the lost stretch. */
	if (dir == NETOBS_HTTP_DIR_RESPONSE && conn->pending_count + conn->pending_overflow > 1) {
		dropped = (int)(conn->pending_count + conn->pending_overflow);
		conn->pending_first = conn->pending_count = conn->pending_overflow = 0;
	}
	return dropped;
}

enum netobs_http_outcome netobs_http_conn_outcome(const struct netobs_http_conn *conn,
						  enum netobs_http_dir dir)
{
	const struct netobs_http_stream *s = &conn->dir[dir];

	return s->state == STREAM_STOPPED ? (enum netobs_http_outcome)s->outcome : NETOBS_HTTP_OK;
}

bool netobs_http_conn_active(const struct netobs_http_conn *conn)
{
	return conn->dir[0].state != STREAM_STOPPED || conn->dir[1].state != STREAM_STOPPED;
}

/* Stops a direction once; errors (not a clean end or a tunnel) are reported. */
static void stream_stop(struct netobs_http_conn *conn, enum netobs_http_dir dir,
			enum netobs_http_outcome outcome, netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];
	struct netobs_http_event ev = {
		.type = NETOBS_HTTP_EVENT_PROBLEM,
		.dir = dir,
		.outcome = outcome,
		.time_ns = s->head_time_ns,
	};

	if (s->state == STREAM_STOPPED)
		return;
	s->state = STREAM_STOPPED;
	s->outcome = (uint8_t)outcome;
	if (outcome != NETOBS_HTTP_OK && outcome != NETOBS_HTTP_TUNNEL)
		on_event(&ev, ctx);
}

static void body_start(struct netobs_http_stream *s, const struct netobs_http_message *msg)
{
	s->line_len = 0;
	s->line_cr = s->chunk_ext = s->chunk_ws = false;
	s->chunk_digits = 0;
	s->chunk_size = 0;
	if (msg->chunked) {
		s->state = STREAM_CHUNK_SIZE;
	} else if (msg->has_content_length && msg->content_length) {
		s->state = STREAM_BODY;
		s->body_left = msg->content_length;
	} else {
		s->state = STREAM_HEAD;
	}
}

static void request_done(struct netobs_http_conn *conn, const struct netobs_http_message *msg,
			 netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[NETOBS_HTTP_DIR_REQUEST];
	struct netobs_http_event ev = {
		.type = NETOBS_HTTP_EVENT_REQUEST,
		.dir = NETOBS_HTTP_DIR_REQUEST,
		.time_ns = s->head_time_ns,
		.msg = msg,
	};

	/* Once one request did not fit, later ones must not jump the queue. */
	if (conn->pending_overflow || conn->pending_count == NETOBS_HTTP_PIPELINE_MAX) {
		conn->pending_overflow++;
	} else {
		uint32_t slot =
			(conn->pending_first + conn->pending_count) % NETOBS_HTTP_PIPELINE_MAX;
		struct netobs_http_pending *p = &conn->pending[slot];

		memcpy(p->method, msg->method, sizeof(p->method));
		memcpy(p->url, msg->url, sizeof(p->url));
		memcpy(p->protocol, msg->protocol, sizeof(p->protocol));
		p->time_ns = s->head_time_ns;
		p->is_head = !strcmp(msg->method, "HEAD");
		p->is_connect = !strcmp(msg->method, "CONNECT");
		conn->pending_count++;
	}
	on_event(&ev, ctx);
	body_start(s, msg); /* a request without length has no body (RFC 9112 6.3) */
}

static void response_done(struct netobs_http_conn *conn, const struct netobs_http_message *msg,
			  netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[NETOBS_HTTP_DIR_RESPONSE];
	struct netobs_http_pending request;
	struct netobs_http_event ev = {
		.type = NETOBS_HTTP_EVENT_RESPONSE,
		.dir = NETOBS_HTTP_DIR_RESPONSE,
		.time_ns = s->head_time_ns,
		.msg = msg,
	};
	/* 1xx but 101 come before the final response to the same request. */
	bool interim = msg->code < 200 && msg->code != 101;
	bool paired = false;

	if (conn->pending_count) {
		request = conn->pending[conn->pending_first];
		paired = true;
		ev.request = &request;
		if (ev.time_ns >= request.time_ns)
			ev.latency_ns = ev.time_ns - request.time_ns;
		if (!interim) {
			conn->pending_first = (conn->pending_first + 1) % NETOBS_HTTP_PIPELINE_MAX;
			conn->pending_count--;
		}
	} else if (conn->pending_overflow) {
		ev.outcome = NETOBS_HTTP_PIPELINE_OVERFLOW;
		if (!interim)
			conn->pending_overflow--;
	} else if (conn->dir[NETOBS_HTTP_DIR_REQUEST].state == STREAM_STOPPED) {
		/* Whether it answers a HEAD, and so has a body, is unknowable. */
		stream_stop(conn, NETOBS_HTTP_DIR_RESPONSE, NETOBS_HTTP_PEER_LOST, on_event, ctx);
		return;
	} else {
		ev.outcome = NETOBS_HTTP_ORPHAN_RESPONSE;
	}
	on_event(&ev, ctx);

	if (msg->code == 101 || (paired && request.is_connect && msg->code / 100 == 2)) {
		stream_stop(conn, NETOBS_HTTP_DIR_REQUEST, NETOBS_HTTP_TUNNEL, on_event, ctx);
		stream_stop(conn, NETOBS_HTTP_DIR_RESPONSE, NETOBS_HTTP_TUNNEL, on_event, ctx);
		return;
	}
	/* RFC 9112 6.3, in its order. */
	if (interim || msg->code == 204 || msg->code == 304 || (paired && request.is_head)) {
		s->state = STREAM_HEAD;
	} else if (msg->transfer_encoding && !msg->chunked) {
		s->state = STREAM_UNTIL_CLOSE;
	} else if (msg->chunked || msg->has_content_length) {
		body_start(s, msg);
	} else {
		s->state = STREAM_UNTIL_CLOSE;
	}
}

static void head_done(struct netobs_http_conn *conn, enum netobs_http_dir dir, const uint8_t *head,
		      size_t len, netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_message msg;
	enum netobs_http_outcome r = netobs_http_head_parse(head, len, dir, conn, &msg);

	if (r != NETOBS_HTTP_OK) {
		stream_stop(conn, dir, r, on_event, ctx);
		return;
	}
	conn->dir[dir].messages++;
	if (dir == NETOBS_HTTP_DIR_REQUEST)
		request_done(conn, &msg, on_event, ctx);
	else
		response_done(conn, &msg, on_event, ctx);
}

/* Returns the bytes used: a head ends inside the slice, or all of it is buffered. */
static size_t head_consume(struct netobs_http_conn *conn, enum netobs_http_dir dir,
			   const uint8_t *data, size_t len, uint64_t time_ns,
			   netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];
	size_t head_len = 0, take, used;
	enum http_scan scan;

	if (!s->head_len) {
		/* Empty lines between messages may be skipped (RFC 9112 2.2). */
		if (s->messages && (data[0] == '\r' || data[0] == '\n'))
			return 1;
		s->head_time_ns = time_ns;
		/* Most heads come whole in one slice: decode them in place. */
		take = len < NETOBS_HTTP_HEAD_MAX ? len : NETOBS_HTTP_HEAD_MAX;
		scan = http_head_scan(data, take, dir, &head_len);
		if (scan == HTTP_SCAN_COMPLETE) {
			head_done(conn, dir, data, head_len, on_event, ctx);
			return head_len;
		}
	} else {
		take = NETOBS_HTTP_HEAD_MAX - s->head_len;
		if (take > len)
			take = len;
		memcpy(s->head + s->head_len, data, take);
		scan = http_head_scan(s->head, s->head_len + take, dir, &head_len);
		if (scan == HTTP_SCAN_COMPLETE) {
			used = head_len - s->head_len;
			s->head_len = 0;
			head_done(conn, dir, s->head, head_len, on_event, ctx);
			return used;
		}
	}
	if (scan == HTTP_SCAN_INVALID) {
		stream_stop(conn, dir, NETOBS_HTTP_NOT_HTTP, on_event, ctx);
		return len;
	}
	if (s->head_len + take >= NETOBS_HTTP_HEAD_MAX) {
		stream_stop(conn, dir, NETOBS_HTTP_HEAD_TOO_LONG, on_event, ctx);
		return len;
	}
	if (!s->head_len) {
		/* Only connections with split heads pay for the buffer. */
		if (!s->head && !(s->head = malloc(NETOBS_HTTP_HEAD_MAX))) {
			stream_stop(conn, dir, NETOBS_HTTP_NO_MEMORY, on_event, ctx);
			return len;
		}
		memcpy(s->head, data, take);
	}
	s->head_len += (uint32_t)take;
	return take;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* chunk-size [ws] [; ext] CRLF; returns bytes used, or 0 with the stream stopped. */
static size_t chunk_size_consume(struct netobs_http_conn *conn, enum netobs_http_dir dir,
				 const uint8_t *data, size_t len, netobs_http_event_fn on_event,
				 void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];

	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];
		int v;

		if (++s->line_len > NETOBS_HTTP_CHUNK_LINE_MAX)
			goto bad;
		if (s->line_cr && c != '\n')
			goto bad;
		if (c == '\r') {
			s->line_cr = true;
			continue;
		}
		if (c == '\n') {
			if (!s->chunk_digits)
				goto bad;
			s->line_len = 0;
			s->line_cr = s->chunk_ext = s->chunk_ws = false;
			s->chunk_digits = 0;
			if (s->chunk_size) {
				s->state = STREAM_CHUNK_DATA;
				s->body_left = s->chunk_size;
			} else {
				s->state = STREAM_TRAILER;
				s->trailer_len = 0;
			}
			s->chunk_size = 0;
			return i + 1;
		}
		if (s->chunk_ext) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				goto bad;
			continue;
		}
		if (c == ';' || c == ' ' || c == '\t') {
			if (!s->chunk_digits)
				goto bad;
			s->chunk_ext = c == ';';
			s->chunk_ws = true;
			continue;
		}
		v = hex_value(c);
		/* 15 hex digits: below 2^60, no overflow to worry about. */
		if (v < 0 || s->chunk_ws || ++s->chunk_digits > 15)
			goto bad;
		s->chunk_size = s->chunk_size * 16 + (uint64_t)v;
	}
	return len;
bad:
	stream_stop(conn, dir, NETOBS_HTTP_BAD_CHUNK, on_event, ctx);
	return 0;
}

/* The CRLF after chunk data, or trailer lines up to an empty one. */
static size_t chunk_line_end_consume(struct netobs_http_conn *conn, enum netobs_http_dir dir,
				     const uint8_t *data, size_t len, netobs_http_event_fn on_event,
				     void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];
	bool trailer = s->state == STREAM_TRAILER;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = data[i];

		if (trailer && ++s->trailer_len > NETOBS_HTTP_TRAILER_MAX)
			goto bad;
		if (s->line_cr && c != '\n')
			goto bad;
		if (c == '\r') {
			s->line_cr = true;
			continue;
		}
		if (c != '\n') {
			if (!trailer || (c < 0x20 && c != '\t') || c == 0x7f)
				goto bad;
			s->line_len = 1; /* the line is not empty */
			continue;
		}
		s->line_cr = false;
		if (trailer && s->line_len) {
			s->line_len = 0;
			continue;
		}
		s->line_len = 0;
		s->state = trailer ? STREAM_HEAD : STREAM_CHUNK_SIZE;
		return i + 1;
	}
	return len;
bad:
	stream_stop(conn, dir, NETOBS_HTTP_BAD_CHUNK, on_event, ctx);
	return 0;
}

static size_t body_consume(struct netobs_http_stream *s, size_t len)
{
	size_t take = s->body_left < len ? (size_t)s->body_left : len;

	s->body_left -= take;
	if (!s->body_left)
		s->state = s->state == STREAM_CHUNK_DATA ? STREAM_CHUNK_END : STREAM_HEAD;
	return take;
}

enum netobs_http_outcome netobs_http_conn_feed(struct netobs_http_conn *conn,
					       enum netobs_http_dir dir, const void *data,
					       size_t len, uint64_t time_ns,
					       netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];
	const uint8_t *p = data;

	while (len && s->state != STREAM_STOPPED) {
		size_t used;

		switch (s->state) {
		case STREAM_HEAD:
			used = head_consume(conn, dir, p, len, time_ns, on_event, ctx);
			break;
		case STREAM_BODY:
		case STREAM_CHUNK_DATA:
			used = body_consume(s, len);
			break;
		case STREAM_CHUNK_SIZE:
			used = chunk_size_consume(conn, dir, p, len, on_event, ctx);
			break;
		case STREAM_CHUNK_END:
		case STREAM_TRAILER:
			used = chunk_line_end_consume(conn, dir, p, len, on_event, ctx);
			break;
		default: /* STREAM_UNTIL_CLOSE */
			used = len;
			break;
		}
		p += used;
		len -= used;
	}
	return s->state == STREAM_STOPPED ? (enum netobs_http_outcome)s->outcome : NETOBS_HTTP_OK;
}

enum netobs_http_outcome netobs_http_conn_gap(struct netobs_http_conn *conn,
					      enum netobs_http_dir dir, uint64_t len,
					      netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];

	if (!len || s->state == STREAM_STOPPED || s->state == STREAM_UNTIL_CLOSE)
		goto out;
	if ((s->state == STREAM_BODY || s->state == STREAM_CHUNK_DATA) && len <= s->body_left) {
		s->body_left -= len;
		if (!s->body_left)
			s->state = s->state == STREAM_CHUNK_DATA ? STREAM_CHUNK_END : STREAM_HEAD;
		goto out;
	}
	stream_stop(conn, dir, NETOBS_HTTP_GAP_LOST_ALIGNMENT, on_event, ctx);
out:
	return s->state == STREAM_STOPPED ? (enum netobs_http_outcome)s->outcome : NETOBS_HTTP_OK;
}

enum netobs_http_outcome netobs_http_conn_end(struct netobs_http_conn *conn,
					      enum netobs_http_dir dir,
					      netobs_http_event_fn on_event, void *ctx)
{
	struct netobs_http_stream *s = &conn->dir[dir];

	/* A body cut short was still a message: only a partial head is an error. */
	if (s->state == STREAM_HEAD && s->head_len)
		stream_stop(conn, dir, NETOBS_HTTP_INCOMPLETE_HEAD, on_event, ctx);
	else
		stream_stop(conn, dir, NETOBS_HTTP_OK, on_event, ctx);

	if (dir == NETOBS_HTTP_DIR_RESPONSE) {
		while (conn->pending_count) {
			struct netobs_http_event ev = {
				.type = NETOBS_HTTP_EVENT_PROBLEM,
				.dir = NETOBS_HTTP_DIR_REQUEST,
				.outcome = NETOBS_HTTP_UNANSWERED,
				.request = &conn->pending[conn->pending_first],
			};

			ev.time_ns = ev.request->time_ns;
			on_event(&ev, ctx);
			conn->pending_first = (conn->pending_first + 1) % NETOBS_HTTP_PIPELINE_MAX;
			conn->pending_count--;
		}
		conn->pending_overflow = 0;
	}
	return (enum netobs_http_outcome)s->outcome;
}
