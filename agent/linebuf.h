/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A buffer of reply lines for one write to an API client (agent/server.c):
 * grown as lines are added, handed to the write and freed when it is done.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "record.h"

struct linebuf {
	char *data;
	size_t len;
	size_t cap;
};

/* Each returns 0, or -ENOMEM (then lb holds what it held before). */
/* Room for n more bytes. */
int linebuf_reserve(struct linebuf *lb, size_t n);
/* Bytes that already end in their '\n' (lines from struct record_lines). */
int linebuf_append_lines(struct linebuf *lb, const char *s, size_t len);
/* One line: s and a '\n'. */
int linebuf_append(struct linebuf *lb, const char *s, size_t len);
/* A record's JSON line written in place (a record made for one client, as a
 * lost_events record is); also -EILSEQ / -EINVAL as netobs_record_json_write(). */
int linebuf_append_record(struct linebuf *lb, const struct netobs_record *rec,
			  const char *node_name);
/* An object's compact JSON line; takes the reference (NULL: -ENOMEM). */
int linebuf_append_json(struct linebuf *lb, json_t *obj);
/* A lost_events record of the agent's own, now (agent/server.c's losses). */
int linebuf_append_lost_events(struct linebuf *lb, const char *node_name, int source,
			       uint64_t count);

/* One spare buffer: take it (empty if none), keep a finished one (freed if
 * one is kept already or it is over max_cap), free it at shutdown. */
void linebuf_take_spare(struct linebuf *lb);
void linebuf_keep_spare(char *data, size_t cap, size_t max_cap);
void linebuf_free_spare(void);
