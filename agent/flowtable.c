// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/random.h>

#include "flowtable.h"

/*
 * Keyed: the key bytes come from packets anyone can send, and with an
 * unkeyed hash they can be chosen to fall in one bucket, turning every
 * lookup into a walk of one long chain.
 */
static uint32_t flow_key_hash(const struct flow_table *table, const struct netobs_flow_key *key)
{
	return (uint32_t)netobs_siphash24(table->hash_key, key, sizeof(*key));
}

uint32_t flow_table_bucket(const struct flow_table *table, const struct netobs_flow_key *key)
{
	return flow_key_hash(table, key) & (table->nbuckets - 1);
}

void flow_table_set_hash_key(struct flow_table *table, const uint64_t key[2])
{
	table->hash_key[0] = key[0];
	table->hash_key[1] = key[1];
}

int flow_table_init(struct flow_table *table, uint32_t capacity)
{
	uint32_t nbuckets = 1;

	memset(table, 0, sizeof(*table));
	if (!capacity || capacity > (1U << 31))
		return -EINVAL;
	while (nbuckets < capacity)
		nbuckets <<= 1;
	table->entries = calloc(capacity, sizeof(*table->entries));
	table->buckets = malloc(sizeof(*table->buckets) * nbuckets);
	if (!table->entries || !table->buckets) {
		flow_table_free(table);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nbuckets; i++)
		table->buckets[i] = FLOW_NIL;
	for (uint32_t i = 0; i < capacity; i++)
		table->entries[i].next = i + 1 < capacity ? i + 1 : FLOW_NIL;
	table->nbuckets = nbuckets;
	table->capacity = capacity;
	table->free_head = 0;
	/* A key per table, unknown outside the process: no set of keys
	 * collides in every agent, nor in two tables of one agent. */
	if (getrandom(table->hash_key, sizeof(table->hash_key), 0) != sizeof(table->hash_key)) {
		int err = -errno;

		flow_table_free(table);
		return err ? err : -EIO;
	}
	return 0;
}

void flow_table_free(struct flow_table *table)
{
	free(table->entries);
	free(table->buckets);
	memset(table, 0, sizeof(*table));
}

struct flow_entry *flow_table_lookup(const struct flow_table *table,
				     const struct netobs_flow_key *key)
{
	uint32_t idx = table->buckets[flow_table_bucket(table, key)];

	while (idx != FLOW_NIL) {
		struct flow_entry *e = &table->entries[idx];

		if (!memcmp(&e->key, key, sizeof(*key)))
			return e;
		idx = e->next;
	}
	return NULL;
}

unsigned int flow_key_reverse(const struct netobs_flow_key *key, struct netobs_flow_key out[2])
{
	struct netobs_flow_key rev = *key;
	unsigned int n = 0;

	/* Dropped packets reached no one: nothing answers them, and the
	 * flag kept in rev means a forwarded flow never finds them either. */
	if (key->key_flags & NETOBS_KEY_F_DROPPED)
		return 0;
	memcpy(rev.saddr, key->daddr, sizeof(rev.saddr));
	memcpy(rev.daddr, key->saddr, sizeof(rev.daddr));
	if (key->proto == IPPROTO_ICMP || key->proto == IPPROTO_ICMPV6) {
		uint8_t request = key->proto == IPPROTO_ICMP ? 8 : 128;
		uint8_t reply = key->proto == IPPROTO_ICMP ? 0 : 129;

		/* Only echo has a reverse flow: errors answer another protocol. */
		if (key->icmp_type == request)
			rev.icmp_type = reply;
		else if (key->icmp_type == reply)
			rev.icmp_type = request;
		else
			return 0;
	} else {
		rev.sport = key->dport;
		rev.dport = key->sport;
	}
	/* Received at one hook, answered at the other; ingress is TC or XDP. */
	if (key->hook == NETOBS_HOOK_TC_EGRESS) {
		rev.hook = NETOBS_HOOK_TC_INGRESS;
		out[n++] = rev;
		rev.hook = NETOBS_HOOK_XDP;
	} else {
		rev.hook = NETOBS_HOOK_TC_EGRESS;
	}
	out[n++] = rev;
	return n;
}

/* -1 when the flow itself does not tell; else 1 for a reply, 0 for an initiator. */
static int flow_reply_by_itself(const struct netobs_flow_key *key, uint16_t flags,
				bool single_packet)
{
	if (key->key_flags & (NETOBS_KEY_F_FRAGMENT | NETOBS_KEY_F_TRUNCATED))
		return -1;
	switch (key->proto) {
	case IPPROTO_ICMP:
		if (key->icmp_type == 8 || key->icmp_type == 13)
			return 0; /* echo / timestamp request */
		if (key->icmp_type == 0 || key->icmp_type == 14 || key->icmp_type == 3 ||
		    key->icmp_type == 11 || key->icmp_type == 12)
			return 1; /* replies and errors answer something */
		return -1;
	case IPPROTO_ICMPV6:
		if (key->icmp_type == 128)
			return 0;
		if (key->icmp_type == 129 || (key->icmp_type >= 1 && key->icmp_type <= 4))
			return 1;
		return -1;
	case IPPROTO_TCP:
		/* The SYN sender opens the connection. A union of flags holding
		 * SYN and ACK fits both sides, so only SYN alone decides there. */
		if (!(flags & NETOBS_TCP_SYN))
			return -1;
		if (!(flags & NETOBS_TCP_ACK))
			return 0;
		return single_packet ? 1 : -1;
	default:
		return -1;
	}
}

struct flow_entry *flow_table_add(struct flow_table *table, const struct netobs_flow_key *key)
{
	struct flow_entry *e;
	uint32_t idx, bucket;

	if (table->free_head == FLOW_NIL) {
		errno = ENOSPC;
		return NULL;
	}
	idx = table->free_head;
	e = &table->entries[idx];
	table->free_head = e->next;

	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->in_use = true;
	bucket = flow_table_bucket(table, key);
	e->next = table->buckets[bucket];
	table->buckets[bucket] = idx;
	table->count++;
	return e;
}

struct flow_entry *flow_table_lookup_reverse(const struct flow_table *table,
					     const struct netobs_flow_key *key)
{
	struct netobs_flow_key rev_keys[2];
	unsigned int nrev = flow_key_reverse(key, rev_keys);

	for (unsigned int i = 0; i < nrev; i++) {
		struct flow_entry *rev = flow_table_lookup(table, &rev_keys[i]);

		if (rev)
			return rev;
	}
	if (nrev && table->same_hook_reverse) {
		rev_keys[0].hook = key->hook;
		return flow_table_lookup(table, &rev_keys[0]);
	}
	return NULL;
}

struct flow_entry *flow_table_insert(struct flow_table *table, const struct netobs_flow_key *key,
				     const struct netobs_flow_stats *first, bool single_packet)
{
	struct flow_entry *e, *rev;
	int verdict;

	if (flow_table_lookup(table, key)) {
		errno = EEXIST;
		return NULL;
	}
	e = flow_table_add(table, key);
	if (!e)
		return NULL;
	e->reported = *first;

	rev = flow_table_lookup_reverse(table, key);

	verdict = flow_reply_by_itself(key, first->tcp_flags, single_packet);
	if (verdict >= 0) {
		e->is_reply = (int8_t)verdict;
		e->reply_certain = true;
	} else if (rev && rev->reply_certain) {
		e->is_reply = !rev->is_reply;
	} else if (rev) {
		/* First seen opens the connection (UDP, mid-stream TCP). */
		e->is_reply = first->first_seen_ns > rev->reported.first_seen_ns;
	} else {
		e->is_reply = 0;
	}
	if (rev && !rev->reply_certain)
		rev->is_reply = !e->is_reply;
	if (rev)
		e->answered = rev->answered = true;
	return e;
}

void flow_table_remove(struct flow_table *table, struct flow_entry *entry)
{
	uint32_t idx = (uint32_t)(entry - table->entries);
	uint32_t *link = &table->buckets[flow_table_bucket(table, &entry->key)];

	while (*link != FLOW_NIL && *link != idx)
		link = &table->entries[*link].next;
	if (*link == idx)
		*link = entry->next;
	entry->in_use = false;
	entry->next = table->free_head;
	table->free_head = idx;
	table->count--;
}

void flow_stats_read(const struct netobs_flow_stats *value, struct netobs_flow_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!value->packets)
		return; /* not a flow's value (no packet counted): nothing to report */
	out->packets = value->packets;
	out->bytes = value->bytes;
	out->first_seen_ns = value->first_seen_ns;
	out->last_seen_ns = value->last_seen_ns;
	out->tcp_flags = value->tcp_flags;
	/* The verdict's four fields together (one word, one judgement), or
	 * none when nothing judged the flow. */
	if (value->verdict)
		out->verdict_word = value->verdict_word;
}

/* Dead weight under pressure: a flow nobody answered holds a map entry
 * for nothing but its one direction's count. */
static bool flow_is_dead_weight(const struct netobs_flow_stats *now, const struct flow_context *ctx)
{
	bool syn_only = (now->tcp_flags & NETOBS_TCP_SYN) && !(now->tcp_flags & NETOBS_TCP_ACK);

	return now->packets <= 1 || !ctx->answered || syn_only;
}

static uint64_t quiet_since(uint64_t now_ns, uint64_t last_ns)
{
	return now_ns > last_ns ? now_ns - last_ns : 0;
}

enum flow_action flow_harvest_decide(const struct netobs_flow_stats *reported,
				     const struct netobs_flow_stats *now, uint64_t now_ns,
				     const struct flow_timeouts *timeouts,
				     const struct flow_context *ctx, uint8_t *end_reason)
{
	uint64_t quiet_ns = quiet_since(now_ns, now->last_seen_ns);
	uint16_t own = now->tcp_flags, rev = ctx->reverse ? ctx->reverse->tcp_flags : 0;

	*end_reason = NETOBS_END_NONE;
	if (now->packets != reported->packets || now->bytes != reported->bytes)
		return FLOW_ACTION_UPDATE;
	if (ctx->dropped) {
		/* A dropped FIN or RST closed nothing: only idle ends it (below). */
	} else if (ctx->conn_ended) {
		/* Packets after its connection's END (a last ACK, a
		 * retransmitted FIN): over once they stop. */
		if (quiet_ns >= timeouts->end_grace_ns) {
			*end_reason = ctx->conn_ended;
			return FLOW_ACTION_END;
		}
	} else if (((own | rev) & NETOBS_TCP_RST) ||
		   ((own & NETOBS_TCP_FIN) && (!ctx->reverse || (rev & NETOBS_TCP_FIN)))) {
		/* Closed: an RST either way ends it, a FIN only once both
		 * sides sent one (a half-closed connection still carries data
		 * the other way). Over when neither side has sent for the grace. */
		uint64_t last = now->last_seen_ns;

		if (ctx->reverse && ctx->reverse->last_seen_ns > last)
			last = ctx->reverse->last_seen_ns;
		if (quiet_since(now_ns, last) >= timeouts->end_grace_ns) {
			*end_reason =
				(own | rev) & NETOBS_TCP_RST ? NETOBS_END_RST : NETOBS_END_FIN;
			return ctx->reverse ? FLOW_ACTION_END_CONNECTION : FLOW_ACTION_END;
		}
	}
	if (quiet_ns >= timeouts->idle_ns ||
	    (ctx->pressure && quiet_ns >= timeouts->pressure_ns && flow_is_dead_weight(now, ctx))) {
		*end_reason = NETOBS_END_IDLE;
		return FLOW_ACTION_END;
	}
	return FLOW_ACTION_NONE;
}
