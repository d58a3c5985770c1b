// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

_Static_assert(RECORD_STORE_PARTS_MIN >= RECORD_PACK_MAX,
	       "the smallest arena must hold the largest record's parts");

int record_store_init_parts(struct record_store *store, size_t capacity, size_t parts_bytes)
{
	memset(store, 0, sizeof(*store));
	/* A smaller arena could meet a record whose parts fit nowhere. */
	if (!capacity || parts_bytes < RECORD_STORE_PARTS_MIN)
		return -EINVAL;
	store->ring = calloc(capacity, sizeof(*store->ring));
	store->arena = malloc(parts_bytes);
	store->evict_scratch = malloc(sizeof(*store->evict_scratch));
	if (!store->ring || !store->arena || !store->evict_scratch) {
		record_store_free(store);
		return -ENOMEM;
	}
	store->capacity = capacity;
	store->arena_size = parts_bytes;
	store->next_seq = 1;
	store->oldest_seq = 1;
	return 0;
}

int record_store_init(struct record_store *store, size_t capacity)
{
	return record_store_init_parts(store, capacity, RECORD_STORE_PARTS_DEFAULT);
}

void record_store_free(struct record_store *store)
{
	free(store->ring);
	free(store->arena);
	free(store->evict_scratch);
	store->ring = NULL;
	store->arena = NULL;
	store->evict_scratch = NULL;
	store->capacity = 0;
	store->arena_size = 0;
}

static struct record_store_entry *store_entry(const struct record_store *store, uint64_t seq)
{
	if (seq < store->oldest_seq || seq >= store->next_seq)
		return NULL;
	return &store->ring[seq % store->capacity];
}

static const struct netobs_record *entry_full(struct record_store *store,
					      const struct record_store_entry *e,
					      struct record_store_scratch *scratch)
{
	if (!e->parts_len)
		return &e->rec;
	scratch->rec = e->rec;
	if (record_unpack(store->arena + e->parts_pos % store->arena_size, e->parts_len,
			  &scratch->rec.flow, &scratch->parts)) {
		store->corrupt_parts++;
		errno = EBADMSG;
		return NULL;
	}
	return &scratch->rec;
}

static void evict_oldest(struct record_store *store, record_store_evict_fn evicted, void *ctx)
{
	struct record_store_entry *e = &store->ring[store->oldest_seq % store->capacity];

	if (evicted) {
		const struct netobs_record *full = entry_full(store, e, store->evict_scratch);

		/* Parts that do not unpack (counted): the reader still loses the
		 * record, judged on what is left of it. */
		evicted(ctx, full ? full : &e->rec);
	}
	/* Blobs are laid out in sequence order: the oldest one ends the gap. */
	if (e->parts_len)
		store->arena_tail = e->parts_pos + e->parts_len;
	store->oldest_seq++;
}

/* Where a blob of n bytes would start: at the head, or at the next lap
 * when it would run past the arena's end (blobs never wrap). */
static uint64_t arena_place(const struct record_store *store, size_t n)
{
	uint64_t start = store->arena_head;
	size_t in_lap = start % store->arena_size;

	if (in_lap + n > store->arena_size)
		start += store->arena_size - in_lap;
	return start;
}

static bool arena_fits(const struct record_store *store, uint64_t start, size_t n)
{
	return start + n - store->arena_tail <= store->arena_size;
}

static void make_refused_lost(struct netobs_record *out, const struct netobs_record *rec)
{
	memset(out, 0, sizeof(*out));
	out->kind = NETOBS_RECORD_LOST_EVENTS;
	out->time_ns = rec->time_ns;
	out->lost.count = 1;
	out->lost.cpu = -1;
	out->lost.source = NETOBS_LOST_HUBBLE_RING_BUFFER;
}

struct netobs_record *record_store_append(struct record_store *store,
					  const struct netobs_record *rec,
					  record_store_evict_fn evicted, void *ctx)
{
	struct netobs_record refused;
	struct record_store_entry *e;
	uint64_t seq, start = 0;
	ssize_t n = 0;

	if (rec->kind == NETOBS_RECORD_FLOW)
		n = record_pack_size(&rec->flow);
	if (n < 0 || (size_t)n > store->arena_size) {
		store->refused_parts++;
		make_refused_lost(&refused, rec);
		rec = &refused;
		n = 0;
	}

	if (store->next_seq - store->oldest_seq == store->capacity)
		evict_oldest(store, evicted, ctx);
	if (n) {
		if (store->arena_tail == store->arena_head) /* empty: start a lap afresh */
			store->arena_head = store->arena_tail = 0;
		while (!arena_fits(store, start = arena_place(store, n), n)) {
			evict_oldest(store, evicted, ctx);
			store->evicted_for_parts++;
			if (store->arena_tail == store->arena_head)
				store->arena_head = store->arena_tail = 0;
		}
	}

	seq = store->next_seq++;
	e = &store->ring[seq % store->capacity];
	e->rec = *rec;
	e->rec.seq = seq;
	e->parts_len = 0;
	e->parts_pos = 0;
	if (n) {
		/* Sized by record_pack_size() above: cannot fail. */
		record_pack(&rec->flow, store->arena + start % store->arena_size, n);
		e->parts_pos = start;
		e->parts_len = (uint32_t)n;
		store->arena_head = start + n;
		store->parts_bytes_stored += n;
	}
	if (e->rec.kind == NETOBS_RECORD_FLOW) {
		/* The caller's pointers die with its record: keep none. */
		e->rec.flow.l7 = NULL;
		e->rec.flow.source_names = NULL;
		e->rec.flow.destination_names = NULL;
	}
	return &e->rec;
}

uint64_t record_store_newest_seq(const struct record_store *store)
{
	return store->next_seq - 1;
}

uint64_t record_store_oldest_seq(const struct record_store *store)
{
	return store->oldest_seq;
}

size_t record_store_count(const struct record_store *store)
{
	return (size_t)(store->next_seq - store->oldest_seq);
}

size_t record_store_parts_used(const struct record_store *store)
{
	return (size_t)(store->arena_head - store->arena_tail);
}

const struct netobs_record *record_store_get(const struct record_store *store, uint64_t seq)
{
	const struct record_store_entry *e = store_entry(store, seq);

	return e ? &e->rec : NULL;
}

const struct netobs_record *record_store_get_full(struct record_store *store, uint64_t seq,
						  struct record_store_scratch *scratch)
{
	const struct record_store_entry *e = store_entry(store, seq);

	return e ? entry_full(store, e, scratch) : NULL;
}
