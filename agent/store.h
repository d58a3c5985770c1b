/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Bounded store of recent records: a ring addressed by sequence number, so a
 * reader holding a cursor learns exactly how many records were overwritten
 * under it. Allocated once; appending never allocates.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct record_store {
	struct netobs_record *ring;
	size_t capacity;
	uint64_t next_seq; /* sequence number the next record gets; the first is 1 */
};

/* 0 or -ENOMEM / -EINVAL (capacity 0). */
int record_store_init(struct record_store *store, size_t capacity);
void record_store_free(struct record_store *store);

/* Copy rec in, give it the next sequence number; returns the stored copy. */
struct netobs_record *record_store_append(struct record_store *store,
					  const struct netobs_record *rec);

/* Sequence numbers held: [oldest, newest]; oldest > newest when empty. */
uint64_t record_store_oldest_seq(const struct record_store *store);
uint64_t record_store_newest_seq(const struct record_store *store);
size_t record_store_count(const struct record_store *store);

/* The record with this sequence number, NULL if overwritten or not yet made. */
const struct netobs_record *record_store_get(const struct record_store *store, uint64_t seq);
