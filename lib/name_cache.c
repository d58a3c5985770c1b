// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "name_cache.h"
#include "siphash.h"

#define NAME_NIL UINT32_MAX

static size_t addr_len(int family)
{
	return family == NETOBS_FAMILY_IPV4 ? 4 : 16;
}

static uint32_t name_cache_bucket(const struct name_cache *cache, int family,
				  const uint8_t addr[16])
{
	uint8_t key[17] = {(uint8_t)family};

	memcpy(key + 1, addr, addr_len(family));
	return (uint32_t)netobs_siphash24(cache->hash_key, key, sizeof(key)) &
	       (cache->nbuckets - 1);
}

int name_cache_init(struct name_cache *cache, uint32_t capacity)
{
	uint32_t nbuckets = 1;

	memset(cache, 0, sizeof(*cache));
	if (!capacity || capacity > (1U << 24))
		return -EINVAL;
	while (nbuckets < capacity)
		nbuckets <<= 1;
	if (getrandom(cache->hash_key, sizeof(cache->hash_key), 0) != sizeof(cache->hash_key))
		return errno ? -errno : -EIO;
	cache->entries = calloc(capacity, sizeof(*cache->entries));
	cache->buckets = malloc(sizeof(*cache->buckets) * nbuckets);
	if (!cache->entries || !cache->buckets) {
		name_cache_free(cache);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nbuckets; i++)
		cache->buckets[i] = NAME_NIL;
	for (uint32_t i = 0; i < capacity; i++)
		cache->entries[i].hash_next = i + 1 < capacity ? i + 1 : NAME_NIL;
	cache->nbuckets = nbuckets;
	cache->capacity = capacity;
	cache->free_head = 0;
	cache->lru_head = cache->lru_tail = NAME_NIL;
	return 0;
}

void name_cache_free(struct name_cache *cache)
{
	free(cache->entries);
	free(cache->buckets);
	memset(cache, 0, sizeof(*cache));
}

static void lru_unlink(struct name_cache *cache, uint32_t idx)
{
	struct name_cache_entry *e = &cache->entries[idx];

	if (e->lru_prev != NAME_NIL)
		cache->entries[e->lru_prev].lru_next = e->lru_next;
	else
		cache->lru_head = e->lru_next;
	if (e->lru_next != NAME_NIL)
		cache->entries[e->lru_next].lru_prev = e->lru_prev;
	else
		cache->lru_tail = e->lru_prev;
}

static void lru_push_head(struct name_cache *cache, uint32_t idx)
{
	struct name_cache_entry *e = &cache->entries[idx];

	e->lru_prev = NAME_NIL;
	e->lru_next = cache->lru_head;
	if (cache->lru_head != NAME_NIL)
		cache->entries[cache->lru_head].lru_prev = idx;
	cache->lru_head = idx;
	if (cache->lru_tail == NAME_NIL)
		cache->lru_tail = idx;
}

/* Take an entry out of its chain and the learning order, back to the free list. */
static void name_cache_remove(struct name_cache *cache, uint32_t idx)
{
	struct name_cache_entry *e = &cache->entries[idx];
	uint32_t *link = &cache->buckets[name_cache_bucket(cache, e->family, e->addr)];

	while (*link != NAME_NIL && *link != idx)
		link = &cache->entries[*link].hash_next;
	if (*link == idx)
		*link = e->hash_next;
	lru_unlink(cache, idx);
	e->in_use = false;
	e->hash_next = cache->free_head;
	cache->free_head = idx;
	cache->count--;
}

static bool entry_is(const struct name_cache_entry *e, int family, const uint8_t addr[16])
{
	return e->family == family && !memcmp(e->addr, addr, addr_len(family));
}

bool name_cache_learn(struct name_cache *cache, int family, const uint8_t addr[16],
		      const char *name, uint32_t ttl_s, uint64_t now_ns)
{
	struct name_cache_entry *e;
	uint32_t bucket, idx;
	size_t name_len;

	if (family != NETOBS_FAMILY_IPV4 && family != NETOBS_FAMILY_IPV6)
		return false;
	name_len = strnlen(name, NETOBS_NAME_TEXT_MAX);
	if (!name_len || name_len == NETOBS_NAME_TEXT_MAX)
		return false; /* empty, or too long to keep whole: never a cut name */
	if (ttl_s < NAME_CACHE_TTL_MIN_S)
		ttl_s = NAME_CACHE_TTL_MIN_S;
	if (ttl_s > NAME_CACHE_TTL_MAX_S)
		ttl_s = NAME_CACHE_TTL_MAX_S;

	bucket = name_cache_bucket(cache, family, addr);
	for (idx = cache->buckets[bucket]; idx != NAME_NIL; idx = cache->entries[idx].hash_next) {
		e = &cache->entries[idx];
		if (entry_is(e, family, addr) && !strcmp(e->name, name)) {
			e->expires_ns = now_ns + (uint64_t)ttl_s * 1000000000ULL;
			lru_unlink(cache, idx);
			lru_push_head(cache, idx);
			return true;
		}
	}
	if (cache->free_head == NAME_NIL) {
		/* Full: the least recently learned pair makes room. */
		name_cache_remove(cache, cache->lru_tail);
		cache->evicted++;
	}
	idx = cache->free_head;
	e = &cache->entries[idx];
	cache->free_head = e->hash_next;
	memset(e, 0, sizeof(*e));
	e->family = (uint8_t)family;
	memcpy(e->addr, addr, addr_len(family));
	memcpy(e->name, name, name_len + 1);
	e->expires_ns = now_ns + (uint64_t)ttl_s * 1000000000ULL;
	e->in_use = true;
	e->hash_next = cache->buckets[bucket];
	cache->buckets[bucket] = idx;
	lru_push_head(cache, idx);
	cache->count++;
	return true;
}

unsigned int name_cache_lookup(const struct name_cache *cache, int family, const uint8_t addr[16],
			       uint64_t now_ns, struct netobs_names *out)
{
	/* Newest first: collect this address's entries with their expiry, then
	 * order by it (a later expiry was learned later or has a longer TTL). */
	const struct name_cache_entry *found[NETOBS_NAMES_MAX];
	unsigned int n = 0;

	out->len = 0;
	if ((family != NETOBS_FAMILY_IPV4 && family != NETOBS_FAMILY_IPV6) || !cache->capacity)
		return 0;
	for (uint32_t idx = cache->buckets[name_cache_bucket(cache, family, addr)]; idx != NAME_NIL;
	     idx = cache->entries[idx].hash_next) {
		const struct name_cache_entry *e = &cache->entries[idx];
		unsigned int pos;

		if (!entry_is(e, family, addr) || e->expires_ns <= now_ns)
			continue;
		/* Insertion into a short sorted list; the oldest falls off. */
		for (pos = n; pos > 0 && found[pos - 1]->expires_ns < e->expires_ns; pos--)
			if (pos < NETOBS_NAMES_MAX)
				found[pos] = found[pos - 1];
		if (pos < NETOBS_NAMES_MAX) {
			found[pos] = e;
			if (n < NETOBS_NAMES_MAX)
				n++;
		}
	}
	for (unsigned int i = 0; i < n; i++)
		memcpy(out->name[i], found[i]->name, NETOBS_NAME_TEXT_MAX);
	out->len = (uint8_t)n;
	return n;
}

void name_cache_expire(struct name_cache *cache, uint64_t now_ns)
{
	for (uint32_t idx = 0; cache->count && idx < cache->capacity; idx++) {
		if (cache->entries[idx].in_use && cache->entries[idx].expires_ns <= now_ns) {
			name_cache_remove(cache, idx);
			cache->expired++;
		}
	}
}
