// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "record_lines.h"

int record_lines_init(struct record_lines *lines, size_t nslots)
{
	size_t ring_size = nslots * 1024;

	memset(lines, 0, sizeof(*lines));
	if (ring_size < RECORD_LINES_MIN_BYTES)
		ring_size = RECORD_LINES_MIN_BYTES;
	if (ring_size > RECORD_LINES_MAX_BYTES)
		ring_size = RECORD_LINES_MAX_BYTES;
	lines->slots = calloc(nslots, sizeof(*lines->slots));
	lines->ring = malloc(ring_size);
	if (!lines->slots || !lines->ring) {
		record_lines_free(lines);
		return -ENOMEM;
	}
	lines->nslots = nslots;
	lines->ring_size = ring_size;
	return 0;
}

void record_lines_free(struct record_lines *lines)
{
	free(lines->slots);
	free(lines->ring);
	memset(lines, 0, sizeof(*lines));
}

/* Has the ring come round over [pos, pos + len) since it was written? */
static bool line_intact(const struct record_lines *lines, const struct record_line_slot *slot)
{
	return lines->head <= slot->pos + lines->ring_size;
}

/* Encode rec at the head; lines never wrap: one that would run past the
 * ring's end starts the next lap. */
static const char *line_encode(struct record_lines *lines, struct record_line_slot *slot,
			       const struct netobs_record *rec, const char *node_name, size_t *len)
{
	uint64_t start = lines->head;
	size_t in_lap = start % lines->ring_size;
	size_t room = lines->ring_size - in_lap;
	ssize_t n = netobs_record_json_write(rec, node_name, lines->ring + in_lap, room);

	if (n < 0) {
		errno = (int)-n;
		return NULL;
	}
	if ((size_t)n + 1 > lines->ring_size) {
		errno = EMSGSIZE;
		return NULL;
	}
	if ((size_t)n + 1 > room) {
		start += room;
		in_lap = 0;
		netobs_record_json_write(rec, node_name, lines->ring, lines->ring_size);
	}
	lines->ring[in_lap + (size_t)n] = '\n';
	lines->head = start + (size_t)n + 1;
	slot->seq = rec->seq;
	slot->pos = start;
	slot->len = (uint32_t)n + 1;
	lines->encoded++;
	*len = slot->len;
	return lines->ring + in_lap;
}

const char *record_lines_get(struct record_lines *lines, struct record_store *store, uint64_t seq,
			     const char *node_name, struct record_store_scratch *scratch,
			     size_t *len)
{
	struct record_line_slot *slot = &lines->slots[seq % lines->nslots];
	const struct netobs_record *rec;

	/* A slot may still hold the line of a record the store has evicted. */
	if (seq < record_store_oldest_seq(store) || seq > record_store_newest_seq(store)) {
		errno = ENOENT;
		return NULL;
	}
	if (slot->seq == seq && line_intact(lines, slot)) {
		lines->reused++;
		*len = slot->len;
		return lines->ring + slot->pos % lines->ring_size;
	}
	rec = record_store_get_full(store, seq, scratch);
	if (!rec) {
		errno = ENOENT;
		return NULL;
	}
	return line_encode(lines, slot, rec, node_name, len);
}
