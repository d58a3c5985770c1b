/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names learned from DNS answers, by address: what an L3/L4 record to or
 * from that address shows as destination_names / source_names (Hubble's
 * fields). Pure code: the agent feeds it what lib/dns.h decoded.
 *
 * Bounded whatever is observed: a fixed pool of entries, one per (address,
 * name), allocated at init. An entry lives as long as the answer's TTL
 * (floored and capped, see below); when the pool is full, learning a new
 * pair evicts the least recently learned one, so a flood of answers can only
 * push older names out, never grow memory. Addresses are hashed with a keyed
 * SipHash: answers are chosen by whoever runs the DNS server.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* A TTL of 0 still names the connection that follows the answer at once. */
#define NAME_CACHE_TTL_MIN_S 5
/* A week-long TTL must not pin a name after the address moved on. */
#define NAME_CACHE_TTL_MAX_S 86400

struct name_cache_entry {
	uint64_t expires_ns;	     /* caller's clock (CLOCK_MONOTONIC in the agent) */
	uint32_t hash_next;	     /* bucket chain, or free list */
	uint32_t lru_prev, lru_next; /* learning order: head is the newest */
	uint8_t family;		     /* NETOBS_FAMILY_IPV4 / NETOBS_FAMILY_IPV6 */
	uint8_t addr[16];	     /* network order; IPv4 in the first 4 bytes */
	bool in_use;
	char name[NETOBS_NAME_TEXT_MAX]; /* presentation form with the trailing dot */
};

struct name_cache {
	struct name_cache_entry *entries;
	uint32_t *buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t capacity;
	uint32_t count;
	uint32_t free_head;
	uint32_t lru_head, lru_tail;
	uint64_t hash_key[2];
	uint64_t evicted; /* live entries pushed out by a full pool */
	uint64_t expired; /* entries that reached their TTL */
};

/* capacity entries and a random hash key: 0 or -errno. */
int name_cache_init(struct name_cache *cache, uint32_t capacity);
void name_cache_free(struct name_cache *cache);

/*
 * name for the address, for ttl_s seconds from now_ns. Learning a pair
 * again refreshes it. Names longer than NETOBS_NAME_TEXT_MAX - 1 and
 * families other than IPv4/IPv6 are ignored (false); true when stored.
 */
bool name_cache_learn(struct name_cache *cache, int family, const uint8_t addr[16],
		      const char *name, uint32_t ttl_s, uint64_t now_ns);

/* The unexpired names of the address, newest first, at most NETOBS_NAMES_MAX;
 * returns how many (out->len). */
unsigned int name_cache_lookup(const struct name_cache *cache, int family, const uint8_t addr[16],
			       uint64_t now_ns, struct netobs_names *out);

/* Free every entry whose TTL has passed (call now and then, e.g. per harvest). */
void name_cache_expire(struct name_cache *cache, uint64_t now_ns);
