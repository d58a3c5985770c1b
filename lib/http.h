/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * HTTP/1.x decoder for L7 records, pure user-space code (no kernel, no agent).
 *
 * The agent feeds one struct netobs_http_conn per TCP connection with the
 * in-order payload of each direction: bytes it has (netobs_http_conn_feed),
 * bytes it knows were there but did not copy (netobs_http_conn_gap, e.g. the
 * tail of a segment the datapath truncated) and the end of a direction
 * (netobs_http_conn_end). The decoder calls back with one event per request
 * head, per response head (paired with its request, in order, with latency)
 * and per problem (with its cause, for "malformed L7" counters).
 *
 * Nothing is guessed: a stream must begin with an HTTP/1.0 or 1.1 start line
 * (by content, on any port) or it is NOT_HTTP; a head split across slices is
 * decoded once complete; a gap the decoder cannot step over (inside a head, a
 * chunk-size line, or past the end of a body whose length it knows) stops
 * that direction with GAP_LOST_ALIGNMENT. A stopped direction stays stopped.
 * See docs/http.md for bounds, the kept headers and redaction.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETOBS_HTTP_HEAD_MAX	     8192 /* bytes of start line + headers + blank line */
#define NETOBS_HTTP_METHOD_MAX	     16	  /* with the NUL, as all _MAX sizes below */
#define NETOBS_HTTP_TARGET_MAX	     1024
#define NETOBS_HTTP_HOST_MAX	     256
#define NETOBS_HTTP_URL_MAX	     1024
#define NETOBS_HTTP_PROTOCOL_MAX     9 /* "HTTP/1.1" */
#define NETOBS_HTTP_HEADERS_MAX	     16
#define NETOBS_HTTP_HEADER_KEY_MAX   64
#define NETOBS_HTTP_HEADER_VALUE_MAX 256
#define NETOBS_HTTP_PIPELINE_MAX     8	  /* requests awaiting their response, per connection */
#define NETOBS_HTTP_CHUNK_LINE_MAX   1024 /* chunk-size line with extensions */
#define NETOBS_HTTP_TRAILER_MAX	     8192

#define NETOBS_HTTP_REDACTED "[redacted]"

/* Which way the bytes go: the client's requests or the server's responses. */
enum netobs_http_dir {
	NETOBS_HTTP_DIR_REQUEST = 0,
	NETOBS_HTTP_DIR_RESPONSE = 1,
};

/*
 * Why a direction stopped, or what is odd about one event. Stable names for
 * metrics labels: netobs_http_outcome_name().
 */
enum netobs_http_outcome {
	NETOBS_HTTP_OK = 0,
	NETOBS_HTTP_NOT_HTTP,	   /* the bytes at a message start are no HTTP/1.x start line */
	NETOBS_HTTP_HEAD_TOO_LONG, /* no blank line within NETOBS_HTTP_HEAD_MAX bytes */
	NETOBS_HTTP_BAD_HEADER, /* no colon, space before it, control bytes, bad fold, two Hosts */
	NETOBS_HTTP_BAD_CONTENT_LENGTH,	   /* not digits, too large, or conflicting values */
	NETOBS_HTTP_BAD_TRANSFER_ENCODING, /* a request body coded but not finally chunked */
	NETOBS_HTTP_BAD_CHUNK,		   /* chunk size, extension, CRLF after data, or trailer */
	NETOBS_HTTP_GAP_LOST_ALIGNMENT,	   /* a gap where the next message start cannot be known */
	NETOBS_HTTP_INCOMPLETE_HEAD,	   /* the direction ended inside a head */
	NETOBS_HTTP_ORPHAN_RESPONSE,	   /* a response with no outstanding request */
	NETOBS_HTTP_PIPELINE_OVERFLOW,	   /* a response whose request did not fit the FIFO */
	NETOBS_HTTP_UNANSWERED, /* a request still outstanding when the connection ended */
	NETOBS_HTTP_PEER_LOST,	/* responses cannot be framed: the request side stopped */
	NETOBS_HTTP_TUNNEL,	/* 101 or 2xx to CONNECT: what follows is not HTTP (no error) */
	NETOBS_HTTP_NO_MEMORY,	/* a split head could not be buffered */
	NETOBS_HTTP_OUTCOME_COUNT,
};

/* "ok", "not-http", "head-too-long", ...; "unknown" out of range. */
const char *netobs_http_outcome_name(enum netobs_http_outcome outcome);

/* Bits of netobs_http_message.truncated: a field cut at its bound. */
#define NETOBS_HTTP_TRUNC_TARGET  (1u << 0)
#define NETOBS_HTTP_TRUNC_HOST	  (1u << 1)
#define NETOBS_HTTP_TRUNC_URL	  (1u << 2)
#define NETOBS_HTTP_TRUNC_HEADERS (1u << 3) /* a kept key or value cut, or more than HEADERS_MAX */

struct netobs_http_header {
	char key[NETOBS_HTTP_HEADER_KEY_MAX];	  /* as written */
	char value[NETOBS_HTTP_HEADER_VALUE_MAX]; /* OWS trimmed, or NETOBS_HTTP_REDACTED */
};

/*
 * One decoded head. Strings are NUL-terminated, printable ASCII (a byte
 * outside 0x20-0x7e in a header value is stored as '?': records are JSON).
 */
struct netobs_http_message {
	bool is_response;
	char protocol[NETOBS_HTTP_PROTOCOL_MAX]; /* "HTTP/1.0" or "HTTP/1.1" */
	/* requests */
	char method[NETOBS_HTTP_METHOD_MAX];
	char target[NETOBS_HTTP_TARGET_MAX]; /* request-target as written */
	char path[NETOBS_HTTP_TARGET_MAX]; /* path?query; for absolute-form, after the authority */
	char host[NETOBS_HTTP_HOST_MAX];   /* Host header (absolute-form: the target's authority) */
	char url[NETOBS_HTTP_URL_MAX];	   /* as Hubble writes it: http://HOST[:PORT]/path?query */
	/* responses */
	uint16_t code;
	/* both */
	bool has_content_length;
	bool transfer_encoding; /* a Transfer-Encoding header is present */
	bool chunked;		/* ... and its last coding is chunked */
	uint64_t content_length;
	uint32_t truncated;	  /* NETOBS_HTTP_TRUNC_* */
	uint32_t header_count;	  /* entries of headers[] */
	uint32_t headers_dropped; /* headers not on the allow-list (values never stored) */
	struct netobs_http_header headers[NETOBS_HTTP_HEADERS_MAX];
};

/* What a response is paired with: kept from its request until it comes. */
struct netobs_http_pending {
	char method[NETOBS_HTTP_METHOD_MAX];
	char url[NETOBS_HTTP_URL_MAX];
	char protocol[NETOBS_HTTP_PROTOCOL_MAX]; /* for an unanswered request's record */
	uint64_t time_ns;
	bool is_head;	 /* its response has no body */
	bool is_connect; /* a 2xx response opens a tunnel */
};

enum netobs_http_event_type {
	NETOBS_HTTP_EVENT_REQUEST = 1,
	NETOBS_HTTP_EVENT_RESPONSE = 2,
	/* Once per direction stopped by an error, once per unanswered request. */
	NETOBS_HTTP_EVENT_PROBLEM = 3,
};

/*
 * What the callback gets; every pointer is valid only during the call.
 * REQUEST: msg. RESPONSE: msg, and request + latency_ns when paired
 * (outcome OK), else request NULL and outcome ORPHAN_RESPONSE or
 * PIPELINE_OVERFLOW. PROBLEM: outcome, and request for UNANSWERED.
 */
struct netobs_http_event {
	enum netobs_http_event_type type;
	enum netobs_http_dir dir;
	enum netobs_http_outcome outcome;
	uint64_t time_ns; /* caller's timestamp of the slice holding the head's first byte */
	const struct netobs_http_message *msg;
	const struct netobs_http_pending *request;
	uint64_t latency_ns; /* response time_ns - request time_ns (0 if the clock went back) */
};

typedef void (*netobs_http_event_fn)(const struct netobs_http_event *event, void *ctx);

/* Per direction framing state. Opaque: use the conn functions. */
struct netobs_http_stream {
	uint8_t state;
	uint8_t outcome; /* enum netobs_http_outcome once stopped */
	bool line_cr;	 /* chunk/trailer line: CR seen */
	bool chunk_ext;	 /* chunk-size line: in the extension */
	bool chunk_ws;	 /* chunk-size line: whitespace after the digits */
	uint8_t chunk_digits;
	uint16_t line_len; /* current chunk-size or trailer line */
	uint32_t trailer_len;
	uint32_t head_len;  /* bytes buffered of a split head */
	uint8_t *head;	    /* NETOBS_HTTP_HEAD_MAX bytes, allocated at the first split head */
	uint64_t body_left; /* of a Content-Length body or a chunk */
	uint64_t chunk_size;
	uint64_t head_time_ns;
	uint64_t messages; /* heads decoded */
};

struct netobs_http_conn {
	struct netobs_http_stream dir[2]; /* indexed by enum netobs_http_dir */
	struct netobs_http_pending pending[NETOBS_HTTP_PIPELINE_MAX];
	uint32_t pending_first;
	uint32_t pending_count;
	/* Requests after a full FIFO: their responses are reported unpaired, in order. */
	uint32_t pending_overflow;
	uint16_t server_port;
	char server_host[NETOBS_HTTP_HOST_MAX];
};

/*
 * server_port (host order) goes into URLs whose Host lacks a port unless it
 * is 80 or 0. server_host (optional: an IP literal, IPv6 in brackets) stands
 * in for a missing Host header; without either, url is the path alone.
 */
void netobs_http_conn_init(struct netobs_http_conn *conn, uint16_t server_port,
			   const char *server_host);
/* Frees the split-head buffers; the conn may be initialised again. */
void netobs_http_conn_free(struct netobs_http_conn *conn);

/*
 * The next len bytes of direction dir, observed at time_ns. Returns
 * NETOBS_HTTP_OK while the direction decodes, else the outcome that stopped it
 * (later feeds and gaps return the same, without callbacks).
 */
enum netobs_http_outcome netobs_http_conn_feed(struct netobs_http_conn *conn,
					       enum netobs_http_dir dir, const void *data,
					       size_t len, uint64_t time_ns,
					       netobs_http_event_fn on_event, void *ctx);
/* len bytes of dir that were on the wire but are not given; same return. */
enum netobs_http_outcome netobs_http_conn_gap(struct netobs_http_conn *conn,
					      enum netobs_http_dir dir, uint64_t len,
					      netobs_http_event_fn on_event, void *ctx);
/*
 * Direction dir ended (FIN or RST): a body "until close" is complete, a
 * partial head is INCOMPLETE_HEAD. Ending the response direction also reports
 * each still outstanding request as UNANSWERED. Same return.
 */
enum netobs_http_outcome netobs_http_conn_end(struct netobs_http_conn *conn,
					      enum netobs_http_dir dir,
					      netobs_http_event_fn on_event, void *ctx);
/*
 * The caller knows a message of direction dir starts at its next byte (the
 * datapath flagged a segment as an HTTP start) after the direction stopped
 * with GAP_LOST_ALIGNMENT: decode again from there. Other outcomes stay
 * stopped (NOT_HTTP is still not HTTP). Restarting the RESPONSE direction
 * with more than one request outstanding cannot know which one the next
 * response answers: the FIFO is cleared (its requests are neither answered
 * nor reported unanswered) and the next response is reported unpaired.
 * Returns the number of requests so dropped, or -1 when the direction was
 * not restarted (it was not stopped by a lost gap).
 */
int netobs_http_conn_restart(struct netobs_http_conn *conn, enum netobs_http_dir dir);
/* The outcome that stopped direction dir, NETOBS_HTTP_OK while it decodes. */
enum netobs_http_outcome netobs_http_conn_outcome(const struct netobs_http_conn *conn,
						  enum netobs_http_dir dir);
/* True while either direction still decodes: false means the state can go. */
bool netobs_http_conn_active(const struct netobs_http_conn *conn);

/*
 * Decodes one complete head (start line through the blank line) into msg.
 * Exposed for tests and for callers with whole messages. conn supplies
 * server_port/server_host for the URL and may be NULL.
 */
enum netobs_http_outcome netobs_http_head_parse(const uint8_t *head, size_t len,
						enum netobs_http_dir dir,
						const struct netobs_http_conn *conn,
						struct netobs_http_message *msg);
