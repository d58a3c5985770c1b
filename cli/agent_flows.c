// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The records an agent made for one action (cli/agent_flows.h): one `flows`
 * request with `all` and a filter narrowing to the two addresses and the
 * time, each reply line decoded into its own storage.
 *
 * The API's `ip` filter ORs its values, so `ip: [A, B]` would also bring
 * every record of A with a third address. The request asks for source and
 * destination both in {A, B} instead (fields AND), and the records of A with
 * itself or of B with itself that this still lets through are dropped here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "agent_flows.h"

/* How long one read of the agent's reply may wait (a busy agent answers in far less). */
#define AGENT_FLOWS_READ_TIMEOUT_S 5
#include "print.h"

bool agent_flows_available(const struct cli_globals *g)
{
	char msg[256];
	int fd;

	fd = netobs_api_connect(cli_socket_path(g), msg, sizeof(msg));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* An address of the query, as the flow key holds it. */
struct query_addr {
	uint8_t family; /* NETOBS_FAMILY_* */
	uint8_t addr[16];
};

static int query_addr_parse(const char *text, struct query_addr *a, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->addr) == 1)
		a->family = NETOBS_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, text, a->addr) == 1)
		a->family = NETOBS_FAMILY_IPV6;
	else {
		snprintf(err, errlen, "'%s' is not an IP address", text);
		return -1;
	}
	return 0;
}

static bool addr_is(const struct netobs_flow_key *k, const uint8_t *addr,
		    const struct query_addr *a)
{
	return k->family == a->family &&
	       !memcmp(addr, a->addr, a->family == NETOBS_FAMILY_IPV6 ? 16 : 4);
}

/* Is rec between a and b (either direction)? */
static bool record_between(const struct netobs_record *rec, const struct query_addr *a,
			   const struct query_addr *b)
{
	const struct netobs_flow_key *k = &rec->flow.key;

	return (addr_is(k, k->saddr, a) && addr_is(k, k->daddr, b)) ||
	       (addr_is(k, k->saddr, b) && addr_is(k, k->daddr, a));
}

static json_t *flows_request(const struct agent_flows_query *q)
{
	json_t *allow, *filter;
	char since[24];

	if (q->ip_b)
		allow = json_pack("{s:[ss], s:[ss]}", "source_ip", q->ip_a, q->ip_b,
				  "destination_ip", q->ip_a, q->ip_b);
	else
		allow = json_pack("{s:[s]}", "ip", q->ip_a);
	if (allow && q->drops_only &&
	    json_object_set_new(allow, "verdict", json_pack("[s]", "DROPPED"))) {
		json_decref(allow);
		allow = NULL;
	}
	if (!allow)
		return NULL;
	snprintf(since, sizeof(since), "%" PRIu64, q->since_ns);
	filter = json_pack("{s:o}", "allow", allow);
	if (filter && q->since_ns && json_object_set_new(filter, "since", json_string(since))) {
		json_decref(filter);
		filter = NULL;
	}
	if (!filter)
		return NULL;
	return json_pack("{s:s, s:b, s:b, s:o}", "request", "flows", "all", 1, "follow", 0,
			 "filter", filter);
}

/* Point rec's parts into storage: the decoder did, at the slot the record had then. */
static void record_parts_follow(struct netobs_record *rec, struct netobs_record_storage *storage)
{
	struct netobs_flow_record *flow = &rec->flow;

	if (rec->kind != NETOBS_RECORD_FLOW)
		return;
	if (flow->l7)
		flow->l7 = &storage->l7;
	if (flow->policy)
		flow->policy = &storage->policy;
	if (flow->source_names)
		flow->source_names = &storage->source_names;
	if (flow->destination_names)
		flow->destination_names = &storage->destination_names;
}

/* Room for one more record; the records' pointers follow their storage when it moves. */
static int agent_flows_grow(struct agent_flows *f)
{
	struct netobs_record_storage *storage;
	struct netobs_record *recs;
	size_t cap, i;

	if (f->len < f->cap)
		return 0;
	cap = f->cap ? f->cap * 2 : 16;
	recs = realloc(f->recs, cap * sizeof(*recs));
	if (!recs)
		return -ENOMEM;
	f->recs = recs;
	storage = realloc(f->storage, cap * sizeof(*storage));
	if (!storage)
		return -ENOMEM;
	f->storage = storage;
	f->cap = cap;
	for (i = 0; i < f->len; i++)
		record_parts_follow(&f->recs[i], &storage[i]);
	return 0;
}

void agent_flows_keep(struct agent_flows *f,
		      bool (*keep)(const struct netobs_record *rec, void *arg), void *arg)
{
	size_t i, kept = 0;

	for (i = 0; i < f->len; i++) {
		if (!keep(&f->recs[i], arg))
			continue;
		if (kept != i) {
			f->recs[kept] = f->recs[i];
			f->storage[kept] = f->storage[i];
			record_parts_follow(&f->recs[kept], &f->storage[kept]);
			json_array_set(f->objects, kept, json_array_get(f->objects, i));
		}
		kept++;
	}
	f->len = kept;
	while (json_array_size(f->objects) > kept)
		json_array_remove(f->objects, kept);
}

/* Keep one reply line. 0, or -1 with err saying why. */
static int agent_flows_add(struct agent_flows *f, const json_t *obj, const struct query_addr *a,
			   const struct query_addr *b, char *err, size_t errlen)
{
	struct netobs_record *rec;
	char why[256] = "";

	/* Line kinds this CLI does not know (a newer agent) are not records. */
	if (!json_object_get(obj, "flow") && !json_object_get(obj, "lost_events"))
		return 0;
	if (agent_flows_grow(f)) {
		snprintf(err, errlen, "out of memory for %zu records", f->len + 1);
		return -1;
	}
	rec = &f->recs[f->len];
	if (netobs_record_from_json_into(obj, rec, &f->storage[f->len], why, sizeof(why))) {
		snprintf(err, errlen, "cannot decode a record from the agent: %s", why);
		return -1;
	}
	if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		f->lost += rec->lost.count;
		return 0;
	}
	if (b && !record_between(rec, a, b))
		return 0;
	if (f->objects && json_array_append(f->objects, (json_t *)obj)) {
		snprintf(err, errlen, "out of memory for %zu records", f->len + 1);
		return -1;
	}
	f->len++;
	return 0;
}

int agent_flows_fetch(const struct cli_globals *g, const struct agent_flows_query *q,
		      struct agent_flows *f, char *err, size_t errlen)
{
	struct query_addr a, b;
	struct cli_conn conn;
	enum cli_line line;
	size_t raw_len;
	json_t *obj;
	char *raw;
	int ret = 0;

	f->len = 0;
	f->lost = 0;
	if (f->objects)
		json_array_clear(f->objects);
	if (!q->ip_a) {
		snprintf(err, errlen, "no address to fetch the flows of");
		return -1;
	}
	if (query_addr_parse(q->ip_a, &a, err, errlen) ||
	    (q->ip_b && query_addr_parse(q->ip_b, &b, err, errlen)))
		return -1;
	/* cli_conn reports on stderr why the agent could not be reached. */
	if (cli_conn_send(&conn, g, flows_request(q))) {
		snprintf(err, errlen, "no flows from the agent at %s", cli_socket_path(g));
		return -1;
	}
	/*
	 * A hung agent (stopped, wedged) must not hang the caller: the reader
	 * retries a read that a signal interrupted, so not even Ctrl-C would
	 * end it. A read waits at most this long, then the reply failed.
	 */
	setsockopt(conn.fd, SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){.tv_sec = AGENT_FLOWS_READ_TIMEOUT_S}, sizeof(struct timeval));
	while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		ret = agent_flows_add(f, obj, &a, q->ip_b ? &b : NULL, err, errlen);
		json_decref(obj);
		if (ret)
			break;
	}
	if (!ret && line == CLI_LINE_EOF) {
		snprintf(err, errlen,
			 "the agent at %s closed the connection before the end of its reply",
			 cli_socket_path(g));
		ret = -1;
	} else if (!ret && line == CLI_LINE_FAILED) {
		snprintf(err, errlen,
			 "the agent's reply at %s failed (see above; a read waits at most %d s)",
			 cli_socket_path(g), AGENT_FLOWS_READ_TIMEOUT_S);
		ret = -1;
	}
	cli_conn_close(&conn);
	return ret;
}

void agent_flows_free(struct agent_flows *f)
{
	free(f->recs);
	free(f->storage);
	f->recs = NULL;
	f->storage = NULL;
	f->len = f->cap = 0;
	f->lost = 0;
	/* f->objects is the caller's */
}

void agent_flows_print(FILE *out, const struct agent_flows *f, const char *prefix)
{
	size_t i;

	for (i = 0; i < f->len; i++) {
		fputs(prefix ? prefix : "", out);
		netobs_print_compact(out, &f->recs[i]);
	}
}
