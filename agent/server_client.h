/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What agent/server.c (the socket, requests, writes) and
 * agent/server_flows.c (flows replies and followers) share: the client and
 * the calls that write to it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "linebuf.h"

struct agent;
struct netobs_filter_set;

/* A reply goes out in writes of about this much (a line more at most), */
#define PUMP_MAX_BYTES (256 * 1024)
/* and at most this many of them before the loop serves others. */
#define PUMP_WRITES_AT_ONCE 8

enum client_state {
	CLIENT_READING_REQUEST = 0,
	CLIENT_SENDING_HISTORY, /* stored records, a batch per completed write */
	CLIENT_FOLLOWING,	/* new records as they are made */
	CLIENT_FINISHING,	/* last write queued; close when it completes */
};

struct client {
	uv_pipe_t pipe;
	uv_timer_t request_timer; /* --request-timeout: runs until a request is complete */
	struct agent *agent;
	struct client *next;
	char *request; /* NULL until bytes arrive, freed once handled */
	size_t request_len;
	size_t request_cap;
	enum client_state state;
	struct netobs_filter_set *filter; /* a flows request's; NULL before */
	uint64_t cursor;		  /* next sequence number to consider */
	uint64_t end_seq;		  /* last sequence number of a non-follow reply */
	uint64_t limit;			  /* records still to send (--first N) */
	uint64_t sent;
	bool follow;
	bool filter_reads_parts; /* the filter looks at more than times: match full records */
	bool closing;
	bool rejected; /* over --max-clients: told so, not counted in nclients */
	bool linger;   /* an error reply: read until the client closes, then close */
	bool read_eof; /* the client has shut down its side */
	uv_shutdown_t shutdown_req;
	unsigned int open_handles; /* pipe and timer: freed when both are closed */
	bool writing;		   /* a write is in flight: the next batch waits for it */
	uint64_t lost_evicted;	   /* matching records the store overwrote before we sent them */
};

/* server.c */
void client_close(struct client *c);
/* A batch written at once if the socket takes all of it: true, and lb's
 * buffer kept for the next batch; false with lb holding what is left. */
bool client_write_now(struct client *c, struct linebuf *lb);
/* Queue a buffer of lines; takes ownership of lb->data. */
void client_write(struct client *c, struct linebuf *lb, size_t lines, bool close_after);
/* One object's line (the reference taken); close after it if close_after. */
void client_send_json(struct client *c, json_t *obj, bool close_after);
/* An error line, then the connection closes once the client has read it. */
void client_send_error(struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* server_flows.c */
/* Send batches of the reply while the socket takes them (a write completed). */
void client_pump(struct client *c);
/* A flows request: check it, set the client's cursor, start the reply. */
void client_start_flows(struct client *c, json_t *req);
