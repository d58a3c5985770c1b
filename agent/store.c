// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int record_store_init(struct record_store *store, size_t capacity)
{
	memset(store, 0, sizeof(*store));
	if (!capacity)
		return -EINVAL;
	store->ring = calloc(capacity, sizeof(*store->ring));
	if (!store->ring)
		return -ENOMEM;
	store->capacity = capacity;
	store->next_seq = 1;
	return 0;
}

void record_store_free(struct record_store *store)
{
	free(store->ring);
	store->ring = NULL;
	store->capacity = 0;
}

struct netobs_record *record_store_append(struct record_store *store,
					  const struct netobs_record *rec)
{
	uint64_t seq = store->next_seq++;
	struct netobs_record *slot = &store->ring[seq % store->capacity];

	*slot = *rec;
	slot->seq = seq;
	return slot;
}

uint64_t record_store_newest_seq(const struct record_store *store)
{
	return store->next_seq - 1;
}

uint64_t record_store_oldest_seq(const struct record_store *store)
{
	uint64_t made = store->next_seq - 1;

	return made > store->capacity ? made - store->capacity + 1 : 1;
}

size_t record_store_count(const struct record_store *store)
{
	uint64_t made = store->next_seq - 1;

	return made > store->capacity ? store->capacity : (size_t)made;
}

const struct netobs_record *record_store_get(const struct record_store *store, uint64_t seq)
{
	if (seq < record_store_oldest_seq(store) || seq > record_store_newest_seq(store))
		return NULL;
	return &store->ring[seq % store->capacity];
}
