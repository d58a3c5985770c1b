// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "linebuf.h"

/* Room for n more bytes. */
int linebuf_reserve(struct linebuf *lb, size_t n)
{
	size_t cap = lb->cap ? lb->cap : 4096;
	char *p;

	if (lb->len + n <= lb->cap)
		return 0;
	while (cap < lb->len + n)
		cap *= 2;
	p = realloc(lb->data, cap);
	if (!p)
		return -ENOMEM;
	lb->data = p;
	lb->cap = cap;
	return 0;
}

/* Bytes that already end in their '\n'. */
int linebuf_append_lines(struct linebuf *lb, const char *s, size_t len)
{
	if (linebuf_reserve(lb, len))
		return -ENOMEM;
	memcpy(lb->data + lb->len, s, len);
	lb->len += len;
	return 0;
}

int linebuf_append(struct linebuf *lb, const char *s, size_t len)
{
	if (linebuf_reserve(lb, len + 1))
		return -ENOMEM;
	memcpy(lb->data + lb->len, s, len);
	lb->len += len;
	lb->data[lb->len++] = '\n';
	return 0;
}

/* A record made for this client alone (a lost_events record): written in place. */
int linebuf_append_record(struct linebuf *lb, const struct netobs_record *rec,
			  const char *node_name)
{
	ssize_t n = netobs_record_json_write(rec, node_name, lb->data + lb->len, lb->cap - lb->len);

	if (n >= 0 && (size_t)n + 1 > lb->cap - lb->len) {
		if (linebuf_reserve(lb, (size_t)n + 1))
			return -ENOMEM;
		n = netobs_record_json_write(rec, node_name, lb->data + lb->len, lb->cap - lb->len);
	}
	if (n < 0)
		return (int)n;
	lb->len += (size_t)n;
	lb->data[lb->len++] = '\n';
	return 0;
}

int linebuf_append_json(struct linebuf *lb, json_t *obj)
{
	char *s;
	int rc;

	if (!obj)
		return -ENOMEM;
	s = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!s)
		return -ENOMEM;
	rc = linebuf_append(lb, s, strlen(s));
	free(s);
	return rc;
}

/* The buffer of a completed write, kept for the next batch: a long reply
 * reuses one buffer instead of allocating and growing one per write (the
 * server's loop is single-threaded: one spare is enough). */
static struct linebuf spare_lines;

void linebuf_take_spare(struct linebuf *lb)
{
	*lb = spare_lines;
	lb->len = 0;
	spare_lines = (struct linebuf){0};
}

void linebuf_keep_spare(char *data, size_t cap, size_t max_cap)
{
	if (spare_lines.data || cap > max_cap) {
		free(data);
		return;
	}
	spare_lines.data = data;
	spare_lines.cap = cap;
}

void linebuf_free_spare(void)
{
	free(spare_lines.data);
	spare_lines = (struct linebuf){0};
}

int linebuf_append_lost_events(struct linebuf *lb, const char *node_name, int source,
			       uint64_t count)
{
	struct netobs_record rec = {.kind = NETOBS_RECORD_LOST_EVENTS};

	rec.time_ns = agent_mono_to_wall_ns(agent_now_mono_ns());
	rec.lost.source = (uint8_t)source;
	rec.lost.count = count;
	rec.lost.cpu = -1;
	return linebuf_append_record(lb, &rec, node_name);
}
