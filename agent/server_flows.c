// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flows replies: a client's cursor through the record store, its batches
 * (each record's line written once, by struct record_lines, whoever reads
 * it first), followers woken once per loop iteration, and the exact count
 * of what a client loses (overwritten by the store, or skipped when it
 * falls more than --client-queue records behind). The socket, requests and
 * writes are agent/server.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "api.h"
#include "filter.h"
#include "linebuf.h"
#include "log.h"
#include "server_client.h"

static void client_finish(struct client *c)
{
	c->state = CLIENT_FINISHING;
	client_send_json(c, json_pack("{s:{s:I}}", "done", "count", (json_int_t)c->sent), true);
}

/*
 * Where the records this file filters and encodes get their L7 part and
 * names (record_store_get_full()). One is enough: the loop is single-
 * threaded and every use below is done with a record before it gets the
 * next; evictions use the store's own scratch.
 */
static struct record_store_scratch record_scratch;

/* The stored record seq as the client's filter needs it: full (parts
 * unpacked) when it looks at more than times. NULL if gone. */
static const struct netobs_record *client_record(const struct client *c, uint64_t seq)
{
	struct record_store *store = &c->agent->store;

	return c->filter_reads_parts ? record_store_get_full(store, seq, &record_scratch)
				     : record_store_get(store, seq);
}

/* Does rec match the client's filter? Without a content filter only the
 * time window can say no (netobs_filter_set_match()'s first tests), and
 * asking whether each empty filter is empty cost a follower's records more
 * than the rest of the match. */
static bool client_wants(const struct client *c, const struct netobs_record *rec)
{
	const struct netobs_filter_set *f = c->filter;

	if (c->filter_reads_parts)
		return netobs_filter_set_match(f, rec);
	return (!f->since_ns || rec->time_ns >= f->since_ns) &&
	       (!f->until_ns || rec->time_ns <= f->until_ns);
}

/* Records in [from, to) that match the client's filter. */
static uint64_t client_count_matching(const struct client *c, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (uint64_t seq = from; seq < to; seq++) {
		const struct netobs_record *rec = client_record(c, seq);

		if (rec && client_wants(c, rec))
			n++;
	}
	return n;
}

/*
 * Send the next batch from the client's cursor; when it is caught up, a
 * follower waits for new records and any other reply finishes.
 */
static bool client_pump_once(struct client *c, bool may_write_now)
{
	struct agent *a = c->agent;
	uint64_t oldest = record_store_oldest_seq(&a->store);
	uint64_t newest = record_store_newest_seq(&a->store);
	uint64_t end = c->follow ? newest : c->end_seq;
	struct linebuf lb;
	size_t lines = 0;

	if (c->writing || c->closing)
		return false;
	linebuf_take_spare(&lb);
	if (c->cursor < oldest && c->cursor <= end) {
		/* The store overwrote records before this reader got them (a burst
		 * larger than the store during one write); server_record_evicting()
		 * counted those that matched its filter. */
		c->cursor = oldest;
		if (c->lost_evicted) {
			a->stats.lost_store += c->lost_evicted;
			if (linebuf_append_lost_events(&lb, a->cfg.node_name,
						       NETOBS_LOST_HUBBLE_RING_BUFFER,
						       c->lost_evicted))
				goto fail;
			c->lost_evicted = 0;
			lines++;
		}
	}
	if (c->state == CLIENT_FOLLOWING && c->cursor <= newest &&
	    newest - c->cursor >= a->cfg.client_queue) {
		/* Too far behind: skip ahead to the newest --client-queue records,
		 * and say exactly how many of the skipped ones it wanted. (Only once
		 * following: the stored history a reply asked for is not a backlog.) */
		uint64_t resume = newest + 1 - a->cfg.client_queue;
		uint64_t lost = client_count_matching(c, c->cursor, resume);

		c->cursor = resume;
		if (lost) {
			a->stats.lost_client_queue += lost;
			if (linebuf_append_lost_events(&lb, a->cfg.node_name,
						       NETOBS_LOST_OBSERVER_EVENTS_QUEUE, lost))
				goto fail;
			lines++;
		}
	}
	while (c->cursor <= end && c->limit && lb.len < PUMP_MAX_BYTES) {
		uint64_t seq = c->cursor++;
		const struct netobs_record *rec = client_record(c, seq);
		const char *line;
		size_t len;

		if (!rec || !client_wants(c, rec))
			continue;
		/* Each record's line is written once, whichever client reads it first. */
		line = record_lines_get(&a->lines, &a->store, seq, a->cfg.node_name,
					&record_scratch, &len);
		if (!line) {
			if (errno == ENOENT)
				continue; /* its parts did not unpack: counted, not sent */
			log_warn("cannot encode record %llu for a client: %s",
				 (unsigned long long)seq, strerror(errno));
			goto fail;
		}
		if (linebuf_append_lines(&lb, line, len))
			goto fail;
		lines++;
		c->limit--;
		c->sent++;
	}
	if (lines) {
		if (may_write_now && client_write_now(c, &lb))
			return true;
		client_write(c, &lb, lines, false);
		return false;
	}
	linebuf_keep_spare(lb.data, lb.cap, 2 * PUMP_MAX_BYTES);
	if (c->follow) {
		c->state = CLIENT_FOLLOWING; /* caught up: server_wake_followers() wakes it */
		return false;
	}
	client_finish(c);
	return false;
fail:
	linebuf_keep_spare(lb.data, lb.cap, 2 * PUMP_MAX_BYTES);
	client_close(c);
	return false;
}

/*
 * Send batches while the socket takes them whole, PUMP_WRITES_AT_ONCE at
 * most (then the loop serves others, and the last batch's write callback
 * goes on): a reader that keeps up gets a batch per write(2), not one per
 * loop iteration.
 */
void client_pump(struct client *c)
{
	for (unsigned int i = 0; i < PUMP_WRITES_AT_ONCE; i++)
		if (!client_pump_once(c, i + 1 < PUMP_WRITES_AT_ONCE))
			return;
}

/* The store is about to overwrite rec: every reader that still wanted it
 * loses it, and counts it if it matches its filter, so the loss it is told
 * about is exact. */
void server_record_evicting(struct agent *a, const struct netobs_record *rec)
{
	for (struct client *c = a->clients; c; c = c->next) {
		if ((c->state != CLIENT_SENDING_HISTORY && c->state != CLIENT_FOLLOWING) ||
		    c->cursor > rec->seq || (!c->follow && rec->seq > c->end_seq) || !c->limit)
			continue;
		if (client_wants(c, rec))
			c->lost_evicted++;
	}
}

/* Records were stored: followers that are not busy writing take them now;
 * busy ones take them with their next batch. */
static void followers_wake_cb(uv_prepare_t *prepare)
{
	struct agent *a = prepare->data;

	uv_prepare_stop(prepare);
	for (struct client *c = a->clients; c; c = c->next)
		if (c->state == CLIENT_FOLLOWING && !c->writing && !c->closing)
			client_pump(c);
}

/*
 * Followers take new records once per loop iteration, after the callbacks
 * that made them (a ring-buffer wakeup makes thousands): one write for the
 * lot, not one per record. A prepare handle runs before the loop waits:
 * records made in a timer (the harvest) or an idle callback go out in the
 * same iteration, those made in an I/O callback at the start of the next.
 * (A check handle, which runs after the wait, left records made before it
 * waiting for some other event.)
 */
void server_wake_followers(struct agent *a)
{
	if (!a->server_listening)
		return;
	for (struct client *c = a->clients; c; c = c->next) {
		if (c->state == CLIENT_FOLLOWING && !c->writing && !c->closing) {
			uv_prepare_start(&a->followers_wake, followers_wake_cb);
			return;
		}
	}
}

static bool json_get_count(json_t *req, const char *name, uint64_t *out, bool *present)
{
	json_t *v = json_object_get(req, name);

	*present = v != NULL;
	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

void client_start_flows(struct client *c, json_t *req)
{
	struct agent *a = c->agent;
	uint64_t last = 20, first = 0;
	bool has_last, has_first, all = false;
	const char *key;
	json_t *v, *filter;
	char err[256];

	json_object_foreach (req, key, v) {
		if (strcmp(key, "request") && strcmp(key, "last") && strcmp(key, "first") &&
		    strcmp(key, "all") && strcmp(key, "follow") && strcmp(key, "filter")) {
			client_send_error(c, "unknown field '%s' in flows request", key);
			return;
		}
	}
	if (!json_get_count(req, "last", &last, &has_last) ||
	    !json_get_count(req, "first", &first, &has_first)) {
		client_send_error(c, "'last' and 'first' must be non-negative integers");
		return;
	}
	if ((v = json_object_get(req, "all")) && !json_is_boolean(v)) {
		client_send_error(c, "'all' must be true or false");
		return;
	}
	all = json_is_true(v);
	if ((v = json_object_get(req, "follow")) && !json_is_boolean(v)) {
		client_send_error(c, "'follow' must be true or false");
		return;
	}
	c->follow = json_is_true(v);
	if (has_first + has_last + all > 1) {
		client_send_error(c, "use only one of 'first', 'last' and 'all'");
		return;
	}
	if (has_first && c->follow) {
		client_send_error(c, "'first' cannot be combined with 'follow'");
		return;
	}
	c->filter = malloc(sizeof(*c->filter));
	if (!c->filter) {
		client_send_error(c, "the agent is out of memory; try again later");
		return;
	}
	netobs_filter_set_init(c->filter);
	filter = json_object_get(req, "filter");
	if (filter && netobs_filter_set_from_json(filter, c->filter, err, sizeof(err))) {
		client_send_error(c, "invalid filter: %s", err);
		return;
	}
	c->filter_reads_parts = !netobs_filter_is_empty(&c->filter->allow) ||
				!netobs_filter_is_empty(&c->filter->deny);
	if (!a->lines.slots && record_lines_init(&a->lines, a->store.capacity)) {
		client_send_error(c, "the agent is out of memory; try again later");
		return;
	}

	c->end_seq = record_store_newest_seq(&a->store);
	c->limit = UINT64_MAX;
	if (all) {
		c->cursor = record_store_oldest_seq(&a->store);
	} else if (has_first) {
		c->cursor = record_store_oldest_seq(&a->store);
		c->limit = first;
	} else {
		/* The N newest matching: walk back from the newest. */
		uint64_t seq = c->end_seq + 1, found = 0;
		uint64_t oldest = record_store_oldest_seq(&a->store);

		while (found < last && seq > oldest) {
			const struct netobs_record *rec = client_record(c, seq - 1);

			seq--;
			if (rec && client_wants(c, rec))
				found++;
		}
		c->cursor = seq;
	}
	c->state = CLIENT_SENDING_HISTORY;
	client_pump(c);
}
