// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * DNS in the L7 tracker: each message decoded (lib/dns.h) becomes a record;
 * requests wait in a bounded table for their response, which they give
 * latency_ns, or are reported unanswered after dns_timeout_ns.
 *
 * A request is keyed by transaction id and its 5-tuple, not by interface or
 * hook: the same datagram is usually seen twice (leaving the client's veth,
 * entering the server's), and each view is kept as an observation of one
 * entry. A response pairs with the observation on its own interface (the
 * same vantage point, so the latency is that hop's), else the earliest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "l7_internal.h"
#include "siphash.h"

struct l7_dns_match_key {
	uint8_t client[16]; /* the requester's address, network order */
	uint8_t server[16];
	uint16_t client_port, server_port; /* network order */
	uint16_t id;			   /* transaction id */
	uint8_t family, proto;
};

struct l7_dns_observation {
	struct netobs_flow_key key; /* of the request packet at this hook */
	uint64_t ts_ns;
	bool done; /* answered, or reported unanswered */
};

struct l7_dns_pending {
	struct l7_dns_pending *hash_next;
	struct l7_dns_pending *prev, *next; /* creation order: oldest first */
	struct l7_dns_match_key key;
	uint64_t first_ts_ns;
	uint8_t observations, open; /* kept; of them, neither answered nor reported */
	uint8_t qtypes_len;
	uint16_t qtypes[DNS_QTYPES_MAX];
	struct l7_dns_observation obs[L7_DNS_OBSERVATIONS];
	char query[]; /* for the unanswered record; sized to the name */
};

int l7_dns_init(struct l7_tracker *t)
{
	uint32_t n = 1;

	while (n < t->cfg.max_dns_pending && n < (1U << 30))
		n <<= 1;
	t->pending_nbuckets = n;
	t->pending_buckets = calloc(n, sizeof(*t->pending_buckets));
	return t->pending_buckets ? 0 : -ENOMEM;
}

void l7_dns_free(struct l7_tracker *t)
{
	struct l7_dns_pending *p = t->pending_head, *next;

	for (; p; p = next) {
		next = p->next;
		free(p);
	}
	free(t->pending_buckets);
	t->pending_buckets = NULL;
	t->pending_head = t->pending_tail = NULL;
	t->pending_count = 0;
}

static void match_key(const struct netobs_flow_key *flow, uint16_t id, bool response,
		      struct l7_dns_match_key *key)
{
	memset(key, 0, sizeof(*key));
	memcpy(key->client, response ? flow->daddr : flow->saddr, sizeof(key->client));
	memcpy(key->server, response ? flow->saddr : flow->daddr, sizeof(key->server));
	key->client_port = response ? flow->dport : flow->sport;
	key->server_port = response ? flow->sport : flow->dport;
	key->id = id;
	key->family = flow->family;
	key->proto = flow->proto;
}

static uint32_t pending_bucket(const struct l7_tracker *t, const struct l7_dns_match_key *key)
{
	return (uint32_t)netobs_siphash24(t->hash_key, key, sizeof(*key)) &
	       (t->pending_nbuckets - 1);
}

static struct l7_dns_pending *pending_lookup(struct l7_tracker *t,
					     const struct l7_dns_match_key *key)
{
	struct l7_dns_pending *p = t->pending_buckets[pending_bucket(t, key)];

	while (p && memcmp(&p->key, key, sizeof(*key)))
		p = p->hash_next;
	return p;
}

static void pending_remove(struct l7_tracker *t, struct l7_dns_pending *p)
{
	struct l7_dns_pending **pp = &t->pending_buckets[pending_bucket(t, &p->key)];

	while (*pp && *pp != p)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = p->hash_next;
	if (p->prev)
		p->prev->next = p->next;
	else
		t->pending_head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		t->pending_tail = p->prev;
	t->pending_count--;
	free(p);
}

static void observation_add(struct l7_dns_pending *p, const struct l7_slice *slice)
{
	struct l7_dns_observation *o = &p->obs[p->observations++];

	o->key = *slice->key;
	o->ts_ns = slice->ts_ns;
	o->done = false;
	p->open++;
}

static void pending_add(struct l7_tracker *t, const struct l7_slice *slice,
			const struct dns_message *msg)
{
	struct l7_dns_match_key key;
	struct l7_dns_pending *p;
	size_t query_size = strlen(msg->query) + 1;
	uint32_t bucket;

	match_key(slice->key, msg->id, false, &key);
	p = pending_lookup(t, &key);
	if (p) {
		/* One observation per hook: a retransmission there keeps the
		 * first send's time, a reused id after an answer starts anew. */
		for (unsigned int i = 0; i < p->observations; i++) {
			struct l7_dns_observation *o = &p->obs[i];

			if (o->key.ifindex != slice->key->ifindex ||
			    o->key.hook != slice->key->hook)
				continue;
			if (o->done) {
				o->key = *slice->key;
				o->ts_ns = slice->ts_ns;
				o->done = false;
				p->open++;
			}
			return;
		}
		if (p->observations < L7_DNS_OBSERVATIONS)
			observation_add(p, slice);
		else
			t->stats.dns_observations_full++;
		return;
	}
	if (t->pending_count >= t->cfg.max_dns_pending) {
		t->stats.dns_pending_full++;
		return;
	}
	p = calloc(1, sizeof(*p) + query_size);
	if (!p) {
		t->stats.dns_pending_full++;
		return;
	}
	p->key = key;
	p->first_ts_ns = slice->ts_ns;
	p->qtypes_len = msg->qtypes_len;
	memcpy(p->qtypes, msg->qtypes, sizeof(p->qtypes));
	memcpy(p->query, msg->query, query_size);
	observation_add(p, slice);
	bucket = pending_bucket(t, &key);
	p->hash_next = t->pending_buckets[bucket];
	t->pending_buckets[bucket] = p;
	p->prev = t->pending_tail;
	if (t->pending_tail)
		t->pending_tail->next = p;
	else
		t->pending_head = p;
	t->pending_tail = p;
	t->pending_count++;
}

/* The response's latency from the request observation it answers; false when none waits. */
static bool pending_answer(struct l7_tracker *t, const struct l7_slice *slice,
			   const struct dns_message *msg, uint64_t *latency_ns)
{
	struct l7_dns_observation *best = NULL;
	struct l7_dns_match_key key;
	struct l7_dns_pending *p;

	match_key(slice->key, msg->id, true, &key);
	p = pending_lookup(t, &key);
	if (!p)
		return false;
	for (unsigned int i = 0; i < p->observations; i++) {
		struct l7_dns_observation *o = &p->obs[i];

		if (o->done)
			continue;
		if (o->key.ifindex == slice->key->ifindex) {
			best = o;
			break;
		}
		if (!best || o->ts_ns < best->ts_ns)
			best = o;
	}
	if (!best)
		return false;
	*latency_ns = slice->ts_ns >= best->ts_ns ? slice->ts_ns - best->ts_ns : 0;
	best->done = true;
	if (!--p->open)
		pending_remove(t, p);
	return true;
}

static int netobs_family_of(int af)
{
	return af == AF_INET ? NETOBS_FAMILY_IPV4 : af == AF_INET6 ? NETOBS_FAMILY_IPV6 : 0;
}

/* Every answer address is named by the query and by each CNAME target. */
static void names_learn(struct l7_tracker *t, const struct dns_message *msg, uint64_t now_ns)
{
	for (unsigned int i = 0; i < msg->ips_len && i < DNS_IPS_MAX; i++) {
		int family = netobs_family_of(msg->ips[i].family);
		const uint8_t *addr = msg->ips[i].addr;
		uint8_t addr16[16] = {0};

		/* name_cache hashes 4 bytes of IPv4 but compares 16: zero the rest. */
		memcpy(addr16, addr, family == NETOBS_FAMILY_IPV4 ? 4 : 16);
		if (msg->query[0] &&
		    name_cache_learn(&t->names, family, addr16, msg->query, msg->ttl_min, now_ns))
			t->stats.names_learned++;
		for (unsigned int c = 0; c < msg->cnames_len && c < DNS_CNAMES_MAX; c++)
			if (name_cache_learn(&t->names, family, addr16, msg->cnames[c],
					     msg->ttl_min, now_ns))
				t->stats.names_learned++;
	}
}

static void dns_record_fill(struct netobs_l7_dns *dns, const struct dns_message *msg, bool response)
{
	l7_copy_string(dns->query, sizeof(dns->query), msg->query);
	dns->qtypes_len = msg->qtypes_len <= DNS_QTYPES_MAX ? msg->qtypes_len : DNS_QTYPES_MAX;
	memcpy(dns->qtypes, msg->qtypes, sizeof(dns->qtypes[0]) * dns->qtypes_len);
	if (!response)
		return;
	dns->rcode = msg->rcode;
	dns->ttl = msg->ttl_min;
	dns->ips_len = msg->ips_len <= DNS_IPS_MAX ? msg->ips_len : DNS_IPS_MAX;
	memcpy(dns->ips, msg->ips, sizeof(dns->ips[0]) * dns->ips_len);
	dns->cnames_len = msg->cnames_len <= DNS_CNAMES_MAX ? msg->cnames_len : DNS_CNAMES_MAX;
	for (unsigned int i = 0; i < dns->cnames_len; i++)
		l7_copy_string(dns->cnames[i], sizeof(dns->cnames[i]), msg->cnames[i]);
	dns->rrtypes_len = msg->rrtypes_len <= DNS_RRTYPES_MAX ? msg->rrtypes_len : DNS_RRTYPES_MAX;
	memcpy(dns->rrtypes, msg->rrtypes, sizeof(dns->rrtypes[0]) * dns->rrtypes_len);
}

/* One whole (or capture-cut) message, from a datagram or a TCP stream. */
static void dns_message(struct l7_tracker *t, const struct l7_slice *slice, const uint8_t *data,
			size_t captured_len, size_t wire_len)
{
	struct dns_message *msg = &t->dns_msg;
	uint64_t latency_ns = 0;
	struct netobs_l7 *r;
	int err;

	err = dns_message_decode(data, captured_len, wire_len, msg);
	if (err != DNS_OK) {
		t->stats.dns_malformed++;
		t->stats.dns_malformed_by[err > 0 && err < DNS_ERR__COUNT ? err : 0]++;
		return;
	}
	if (msg->capture_truncated)
		t->stats.dns_capture_cut++;
	if (!msg->qr) {
		t->stats.dns_requests++;
		pending_add(t, slice, msg);
		r = l7_record_start(t, NETOBS_L7_REQUEST, NETOBS_L7_DNS);
		dns_record_fill(&r->dns, msg, false);
		l7_report_record(t, slice->key, slice->ts_ns);
		return;
	}
	t->stats.dns_responses++;
	if (!pending_answer(t, slice, msg, &latency_ns))
		t->stats.dns_unmatched_responses++;
	names_learn(t, msg, slice->ts_ns);
	r = l7_record_start(t, NETOBS_L7_RESPONSE, NETOBS_L7_DNS);
	r->latency_ns = latency_ns;
	dns_record_fill(&r->dns, msg, true);
	l7_report_record(t, slice->key, slice->ts_ns);
}

void l7_dns_udp_slice(struct l7_tracker *t, const struct l7_slice *slice)
{
	dns_message(t, slice, slice->data, slice->captured_len, slice->payload_len);
}

struct dns_tcp_ctx {
	struct l7_tracker *t;
	const struct l7_slice *slice;
};

static void dns_tcp_message(void *ctx, const uint8_t *msg, size_t captured_len, size_t wire_len)
{
	struct dns_tcp_ctx *c = ctx;

	dns_message(c->t, c->slice, msg, captured_len, wire_len);
}

void l7_dns_tcp_slice(struct l7_tracker *t, struct l7_conn *conn, int side,
		      const struct l7_slice *slice)
{
	struct l7_conn_side *s = &conn->side[side];
	struct dns_tcp_ctx ctx = {.t = t, .slice = slice};
	uint64_t desyncs;
	int events;

	if (!s->dns) {
		s->dns = malloc(sizeof(*s->dns));
		if (!s->dns) {
			t->stats.conns_no_memory++;
			return;
		}
		/* A connection's first data begins with a length prefix. */
		dns_tcp_stream_init(s->dns, slice->seq);
		s->started = true;
	}
	desyncs = s->dns->desyncs;
	events = dns_tcp_stream_feed(s->dns, slice->seq, slice->data, slice->captured_len,
				     slice->payload_len, dns_tcp_message, &ctx);
	if (events > 0 && (events & DNS_TCP_GAP))
		t->stats.dns_tcp_gaps++;
	t->stats.dns_tcp_desyncs += s->dns->desyncs - desyncs;
}

static void report_unanswered(struct l7_tracker *t, const struct l7_dns_pending *p,
			      const struct l7_dns_observation *o)
{
	struct netobs_l7 *r = l7_record_start(t, NETOBS_L7_REQUEST, NETOBS_L7_DNS);

	r->flags = NETOBS_L7_F_UNANSWERED;
	l7_copy_string(r->dns.query, sizeof(r->dns.query), p->query);
	r->dns.qtypes_len = p->qtypes_len <= DNS_QTYPES_MAX ? p->qtypes_len : DNS_QTYPES_MAX;
	memcpy(r->dns.qtypes, p->qtypes, sizeof(r->dns.qtypes[0]) * r->dns.qtypes_len);
	t->stats.dns_unanswered++;
	l7_report_record(t, &o->key, o->ts_ns);
}

static bool due(uint64_t ts_ns, uint64_t now_ns, uint64_t timeout_ns)
{
	return now_ns >= ts_ns && now_ns - ts_ns >= timeout_ns;
}

void l7_dns_expire(struct l7_tracker *t, uint64_t now_ns, bool all)
{
	struct l7_dns_pending *p = t->pending_head, *next;

	for (; p; p = next) {
		next = p->next;
		/* Entries are in creation order: the first not due ends the walk. */
		if (!all && !due(p->first_ts_ns, now_ns, t->cfg.dns_timeout_ns))
			break;
		for (unsigned int i = 0; i < p->observations; i++) {
			struct l7_dns_observation *o = &p->obs[i];

			if (o->done || (!all && !due(o->ts_ns, now_ns, t->cfg.dns_timeout_ns)))
				continue;
			report_unanswered(t, p, o);
			o->done = true;
			p->open--;
		}
		if (!p->open)
			pending_remove(t, p);
	}
}
