// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * toFQDNs (docs/policy.md, "toFQDNs"): the addresses DNS answers gave for
 * names a toFQDNs selector matches, fed to the compiler. The answers come
 * from the L7 tracker's name cache (lib/name_cache.h: every DNS answer the
 * datapath let through, with its TTL, floored at 5 s); when a pair comes or
 * goes and a policy has a toFQDNs rule, the policy is compiled again at
 * once, after the ring buffer is drained.
 *
 * An address whose answer expired stays selected while a flow to or from
 * it is still tracked (a connection outlives its DNS TTL, as in Cilium),
 * so an expiry never cuts a live connection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "l7_tracker.h"
#include "log.h"
#include "name_cache.h"
#include "policy_internal.h"

struct fqdn_collect {
	const struct policy_set *set;
	struct policy_fqdn_addr *out;
	size_t n, cap;
	bool oom;
};

static bool set_matches(const struct policy_set *set, const char *name)
{
	for (uint32_t i = 0; i < set->n_policies; i++)
		for (uint32_t s = 0; s < set->policies[i].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[i].specs[s];

			for (uint32_t r = 0; r < spec->n_rules; r++)
				for (uint32_t f = 0; f < spec->rules[r].n_fqdns; f++)
					if (policy_fqdn_matches(&spec->rules[r].fqdns[f], name))
						return true;
		}
	return false;
}

static bool fqdn_add(struct fqdn_collect *c, const char *name, const struct policy_prefix *addr)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->out[i].name, name) && !memcmp(&c->out[i].addr, addr, sizeof(*addr)))
			return true;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct policy_fqdn_addr *p = realloc(c->out, cap * sizeof(*p));

		if (!p) {
			c->oom = true;
			return false;
		}
		c->out = p;
		c->cap = cap;
	}
	memset(&c->out[c->n], 0, sizeof(c->out[c->n]));
	snprintf(c->out[c->n].name, sizeof(c->out[c->n].name), "%s", name);
	c->out[c->n].addr = *addr;
	c->n++;
	return true;
}

static void collect_entry(const struct name_cache_entry *e, void *ctx)
{
	struct fqdn_collect *c = ctx;
	char name[NETOBS_NAME_TEXT_MAX];
	struct policy_prefix addr = {0};
	size_t len;

	/* The cache keeps the presentation form ("a.example.com."); selectors
	 * match names without the trailing dot. */
	snprintf(name, sizeof(name), "%s", e->name);
	len = strlen(name);
	if (len && name[len - 1] == '.')
		name[len - 1] = '\0';
	if (!name[0] || !set_matches(c->set, name))
		return;
	addr.family = e->family == NETOBS_FAMILY_IPV4 ? 4 : 6;
	addr.len = addr.family == 4 ? 32 : 128;
	memcpy(addr.addr, e->addr, addr.family == 4 ? 4 : 16);
	fqdn_add(c, name, &addr);
}

/* Is a flow to or from this address still tracked? */
static bool address_in_use(const struct agent *a, const struct policy_prefix *addr)
{
	size_t len = addr->family == 4 ? 4 : 16;
	int family = addr->family == 4 ? NETOBS_FAMILY_IPV4 : NETOBS_FAMILY_IPV6;

	for (uint32_t i = 0; i < a->flows.capacity; i++) {
		const struct flow_entry *e = &a->flows.entries[i];

		if (e->in_use && e->key.family == family &&
		    (!memcmp(e->key.daddr, addr->addr, len) ||
		     !memcmp(e->key.saddr, addr->addr, len)))
			return true;
	}
	return false;
}

int agent_policy_fqdn_collect(struct agent *a, const struct policy_set *set,
			      struct policy_fqdn_addr **out, size_t *n)
{
	struct agent_policy *p = a->policy;
	struct fqdn_collect c = {.set = set};

	*out = NULL;
	*n = 0;
	if (!policy_set_has_fqdns(set))
		return 0;
	if (a->l7)
		name_cache_foreach(l7_tracker_name_cache(a->l7), agent_now_boot_ns(), collect_entry,
				   &c);
	/* Kept past their TTL while a connection uses them. */
	for (size_t i = 0; p && i < p->n_fqdn_selected; i++) {
		const struct policy_fqdn_addr *old = &p->fqdn_selected[i];

		if (set_matches(set, old->name) && address_in_use(a, &old->addr))
			fqdn_add(&c, old->name, &old->addr);
	}
	if (c.oom) {
		free(c.out);
		return -ENOMEM;
	}
	*out = c.out;
	*n = c.n;
	return 0;
}

/* Is this selected pair still backed by an unexpired answer? */
static bool answer_alive(const struct name_cache *cache, const struct policy_fqdn_addr *sel,
			 uint64_t now_ns)
{
	int family = sel->addr.family == 4 ? NETOBS_FAMILY_IPV4 : NETOBS_FAMILY_IPV6;
	struct netobs_names names;
	uint8_t addr[16] = {0};

	memcpy(addr, sel->addr.addr, sel->addr.family == 4 ? 4 : 16);
	name_cache_lookup(cache, family, addr, now_ns, &names);
	for (unsigned int i = 0; i < names.len; i++) {
		size_t len = strlen(names.name[i]);

		if (len && names.name[i][len - 1] == '.')
			len--;
		if (len == strlen(sel->name) && !strncmp(names.name[i], sel->name, len))
			return true;
	}
	return false;
}

/*
 * An address kept past its answer for a connection: once no flow uses it
 * any more, it goes. Only kept addresses are checked, one flow table walk
 * each, and only when there are any.
 */
static bool kept_address_released(struct agent *a, const struct name_cache *cache)
{
	const struct agent_policy *p = a->policy;
	uint64_t now = agent_now_boot_ns();

	for (size_t i = 0; i < p->n_fqdn_selected; i++)
		if (!answer_alive(cache, &p->fqdn_selected[i], now) &&
		    !address_in_use(a, &p->fqdn_selected[i].addr))
			return true;
	return false;
}

void agent_policy_fqdn_check(struct agent *a, bool harvest)
{
	struct agent_policy *p = a->policy;
	const struct name_cache *cache;

	if (!p || !a->l7 || !policy_set_has_fqdns(&p->policies.set))
		return;
	cache = l7_tracker_name_cache(a->l7);
	/* The walk for released addresses once per harvest, not per wakeup. */
	if (cache->changes == p->fqdn_changes_seen && !(harvest && kept_address_released(a, cache)))
		return;
	p->fqdn_changes_seen = cache->changes;
	agent_policy_endpoints_changed(a);
}
