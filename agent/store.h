/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Bounded store of recent records: a ring addressed by sequence number, so a
 * reader holding a cursor learns exactly how many records were evicted
 * under it. Beside it, a byte arena keeps the records' L7 parts and names
 * packed (lib/record_pack.h), so an L7 record costs the bytes it uses, not
 * the 9.6 KiB of struct netobs_l7. Both are allocated once; appending never
 * allocates.
 *
 * A record leaves the store when the ring needs its slot or the arena needs
 * room, always the oldest first: the store holds one stretch of sequence
 * numbers [oldest, newest], and every eviction is reported to the caller's
 * callback before it happens.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "record_pack.h"

/* Default arena size, and the smallest: every valid record's parts fit in it. */
#define RECORD_STORE_PARTS_DEFAULT (32u << 20)
#define RECORD_STORE_PARTS_MIN	   (64u << 10)

/* Where a reader materializes a full record (about 12 KiB: keep one). */
struct record_store_scratch {
	struct netobs_record rec;
	struct netobs_record_storage parts;
};

/* A ring slot: where the record's parts are, and the record without its
 * pointers. The location first: an eviction or read tests parts_len and
 * the record's seq in one cache line. */
struct record_store_entry {
	uint64_t parts_pos;	  /* arena position, as arena_head counts */
	uint32_t parts_len;	  /* 0: no parts */
	struct netobs_record rec; /* flow.l7 and the names are NULL here */
};

struct record_store {
	struct record_store_entry *ring;
	size_t capacity;
	uint64_t next_seq;   /* sequence number the next record gets; the first is 1 */
	uint64_t oldest_seq; /* oldest held; next_seq when empty */

	/* Arena: positions count bytes since the arena was last empty; a
	 * position p is at arena[p % arena_size]. Live bytes are [tail, head);
	 * a blob never wraps: it starts at the next lap when it would. */
	uint8_t *arena;
	size_t arena_size;
	uint64_t arena_head;
	uint64_t arena_tail;

	/* Where record_store_append() materializes what it evicts. */
	struct record_store_scratch *evict_scratch;

	/* Counters (docs/records.md "Memory"; `netobs status` records.l7_parts). */
	uint64_t evicted_for_parts;  /* records evicted for arena room, not for a ring slot */
	uint64_t refused_parts;	     /* records whose parts could not be packed: stored as lost */
	uint64_t corrupt_parts;	     /* stored parts that did not unpack (a bug): not returned */
	uint64_t parts_bytes_stored; /* bytes of parts appended in all */
};

/* Called with each record about to be evicted, full (parts unpacked). */
typedef void (*record_store_evict_fn)(void *ctx, const struct netobs_record *rec);

/* capacity records, parts_bytes of arena (>= RECORD_STORE_PARTS_MIN).
 * 0 or -ENOMEM / -EINVAL (capacity 0, arena too small). */
int record_store_init_parts(struct record_store *store, size_t capacity, size_t parts_bytes);
/* As record_store_init_parts() with RECORD_STORE_PARTS_DEFAULT. */
int record_store_init(struct record_store *store, size_t capacity);
void record_store_free(struct record_store *store);

/*
 * Copy rec in with its parts, give it the next sequence number; first evict
 * the oldest records until there is a ring slot and arena room, calling
 * evicted(ctx, record) for each (evicted may be NULL). Returns the stored
 * copy, without its parts (see record_store_get()).
 *
 * A record whose parts cannot be packed (record_pack_size() says why) is
 * not stored as it is: a lost-events record (HUBBLE_RING_BUFFER, count 1,
 * rec's time) takes its sequence number, so readers learn of it, and
 * refused_parts counts it.
 */
struct netobs_record *record_store_append(struct record_store *store,
					  const struct netobs_record *rec,
					  record_store_evict_fn evicted, void *ctx);

/* Sequence numbers held: [oldest, newest]; oldest > newest when empty. */
uint64_t record_store_oldest_seq(const struct record_store *store);
uint64_t record_store_newest_seq(const struct record_store *store);
size_t record_store_count(const struct record_store *store);
/* Arena bytes in use (blobs and the unused end of a lap). */
size_t record_store_parts_used(const struct record_store *store);

/*
 * The record with this sequence number, NULL if evicted or not yet made;
 * without its parts: flow.l7 and the names are NULL even when it has them.
 * For L3/L4-only use (times, kinds); to filter or encode, get it full.
 */
const struct netobs_record *record_store_get(const struct record_store *store, uint64_t seq);

/*
 * The record with this sequence number with its parts: the stored record
 * itself when it has none, else a copy in scratch pointing into scratch.
 * Valid until the next append, or the next call with this scratch.
 * NULL if evicted or not yet made, or (corrupt_parts counts it, errno
 * EBADMSG) if its parts do not unpack.
 */
const struct netobs_record *record_store_get_full(struct record_store *store, uint64_t seq,
						  struct record_store_scratch *scratch);
