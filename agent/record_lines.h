/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The JSON lines of stored records, each written once and shared by every
 * client that sends the record (issue 9: encoding a record per client cost
 * the agent most of its time per record served). Lines are encoded when a
 * client first needs them, not when the record is stored, so a record no
 * client reads costs nothing here.
 *
 * Lines live in a byte ring written in the order they are encoded; a slot
 * per store slot says where a record's line is. A line is valid while the
 * ring has not come round over it and its slot still names the record's
 * sequence number; a line overwritten or never made is encoded again. The
 * ring is bounded (RECORD_LINES_MAX_BYTES): in a larger store it holds the
 * lines clients are reading now, which is what concurrent readers and
 * followers share, not the whole store.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* The ring: 1 KiB per store slot (a line of an L3/L4 record between two
 * endpoints is about 900 bytes, so a default store's lines all fit), within
 * these bounds. The smallest holds several of the longest line (an L7
 * record with every part full). A reply that reads a store larger than the
 * ring in order finds none of its lines held (the ring is first in, first
 * out): it encodes each, as it would without the ring. */
#define RECORD_LINES_MIN_BYTES (1u << 20)
#define RECORD_LINES_MAX_BYTES (64u << 20)

struct record_line_slot {
	uint64_t seq; /* whose line this is; 0: none */
	uint64_t pos; /* ring position, as head counts */
	uint32_t len; /* bytes, the '\n' included */
};

struct record_lines {
	struct record_line_slot *slots; /* one per store slot, seq % nslots */
	size_t nslots;
	char *ring;
	size_t ring_size;
	uint64_t head;	  /* bytes written since init; position p is at ring[p % ring_size] */
	uint64_t encoded; /* lines written (misses) */
	uint64_t reused;  /* lines served from the ring (hits) */
};

/* For a store of nslots records. 0 or -ENOMEM. */
int record_lines_init(struct record_lines *lines, size_t nslots);
void record_lines_free(struct record_lines *lines);

/*
 * The JSON line of stored record seq, '\n' included (not NUL-terminated),
 * valid until the next call; encoded from the store if it is not held.
 * NULL with errno: ENOENT (evicted, or its parts do not unpack), EILSEQ or
 * EINVAL (netobs_record_json_write() refused it), EMSGSIZE (a line longer
 * than the ring).
 */
const char *record_lines_get(struct record_lines *lines, struct record_store *store, uint64_t seq,
			     const char *node_name, struct record_store_scratch *scratch,
			     size_t *len);
