// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * toFQDNs (docs/policy.md, "toFQDNs"): the addresses DNS answers gave for
 * names a toFQDNs selector matches, fed to the compiler.
 *
 * Only answers an endpoint asked for count: a DNS response the tracker
 * paired with a request (same transaction, the reversed 5-tuple), seen
 * entering an endpoint (TC egress of its veth). An endpoint that sends
 * itself a made-up "answer" (it leaves the endpoint, TC ingress) opens
 * nothing, and nobody else can answer for it without the transaction id
 * and port of a query in flight.
 *
 * The pairs live for the answer's TTL (at least FQDN_TTL_MIN_S), bounded
 * (FQDN_ADDRS_MAX, the one expiring first makes room), and are kept in a
 * file beside the state file, so a restarted agent still allows what
 * endpoints resolved before. An address whose answer expired stays
 * selected while a flow to or from it is still tracked (a connection
 * outlives its DNS TTL, as in Cilium). When a pair comes or goes, the
 * policy is compiled again at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "agent.h"
#include "clock_ns.h"
#include "log.h"
#include "policy_internal.h"

#define FQDN_ADDRS_MAX 4096
#define FQDN_TTL_MIN_S 5
#define FQDN_TTL_MAX_S 86400
#define FQDN_FILE      "fqdn.json"

struct fqdn_pair {
	char name[POLICY_FQDN_MAX + 1]; /* lower case, no trailing dot */
	struct policy_prefix addr;
	uint64_t expires_ns; /* monotonic clock */
};

struct fqdn_cache {
	struct fqdn_pair *pairs;
	size_t n;
	uint64_t changes; /* pairs came or went */
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

static struct fqdn_cache *fqdn_cache(struct agent_policy *p)
{
	if (!p->fqdn && (p->fqdn = calloc(1, sizeof(*p->fqdn))) &&
	    !(p->fqdn->pairs = calloc(FQDN_ADDRS_MAX, sizeof(*p->fqdn->pairs)))) {
		free(p->fqdn);
		p->fqdn = NULL;
	}
	return p->fqdn;
}

/* name for addr until expires_ns: true when the pair is new. */
static bool fqdn_learn(struct fqdn_cache *c, const char *name, const struct policy_prefix *addr,
		       uint64_t expires_ns)
{
	size_t victim = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct fqdn_pair *p = &c->pairs[i];

		if (!strcmp(p->name, name) && !memcmp(&p->addr, addr, sizeof(*addr))) {
			if (expires_ns > p->expires_ns)
				p->expires_ns = expires_ns;
			return false;
		}
		if (p->expires_ns < c->pairs[victim].expires_ns)
			victim = i;
	}
	if (c->n < FQDN_ADDRS_MAX)
		victim = c->n++;
	memset(&c->pairs[victim], 0, sizeof(c->pairs[victim]));
	snprintf(c->pairs[victim].name, sizeof(c->pairs[victim].name), "%s", name);
	c->pairs[victim].addr = *addr;
	c->pairs[victim].expires_ns = expires_ns;
	c->changes++;
	return true;
}

/* ---- the file: the pairs with wall-clock expiry, rewritten on change */

static void fqdn_path(const struct agent *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", a->cfg.state_dir, FQDN_FILE);
}

static void fqdn_save(struct agent *a, const struct fqdn_cache *c)
{
	uint64_t mono = agent_now_mono_ns(), wall = clock_ns(CLOCK_REALTIME);
	char path[PATH_MAX], tmp[PATH_MAX + 8], addr[64];
	json_t *list = json_array();

	if (!a->cfg.state_dir[0] || !list)
		goto out;
	for (size_t i = 0; i < c->n; i++) {
		const struct fqdn_pair *p = &c->pairs[i];

		if (p->expires_ns <= mono)
			continue;
		inet_ntop(p->addr.family == 4 ? AF_INET : AF_INET6, p->addr.addr, addr,
			  sizeof(addr));
		json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "name", p->name, "addr",
						      addr, "expires_ns",
						      (json_int_t)(wall + (p->expires_ns - mono))));
	}
	fqdn_path(a, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/* No fsync: the file only has to outlive the agent, not the machine
	 * (after a reboot nothing is attached and the answers are old). */
	if (json_dump_file(list, tmp, JSON_COMPACT) || rename(tmp, path))
		log_warn("cannot write %s: %s; a restarted agent would forget the toFQDNs "
			 "addresses resolved so far",
			 path, strerror(errno));
out:
	json_decref(list);
}

/* At start: the pairs a previous agent learned, still within their TTL. */
void agent_policy_fqdn_load(struct agent *a)
{
	uint64_t mono = agent_now_mono_ns(), wall = clock_ns(CLOCK_REALTIME);
	struct agent_policy *p = a->policy;
	char path[PATH_MAX];
	json_t *list, *item;
	struct fqdn_cache *c;
	size_t i;

	if (!p || !a->cfg.state_dir[0])
		return;
	fqdn_path(a, path, sizeof(path));
	if (access(path, F_OK))
		return;
	list = json_load_file(path, 0, NULL);
	c = fqdn_cache(p);
	if (!json_is_array(list) || !c) {
		log_warn("ignoring %s: not a list of toFQDNs addresses; endpoints resolve their "
			 "names again",
			 path);
		json_decref(list);
		return;
	}
	json_array_foreach (list, i, item) {
		const char *name = json_string_value(json_object_get(item, "name"));
		const char *text = json_string_value(json_object_get(item, "addr"));
		json_int_t expires = json_integer_value(json_object_get(item, "expires_ns"));
		struct policy_prefix addr = {0};

		if (!name || strlen(name) > POLICY_FQDN_MAX || !text || (uint64_t)expires <= wall)
			continue;
		addr.family = strchr(text, ':') ? 6 : 4;
		addr.len = addr.family == 4 ? 32 : 128;
		if (inet_pton(addr.family == 4 ? AF_INET : AF_INET6, text, addr.addr) != 1)
			continue;
		fqdn_learn(c, name, &addr, mono + ((uint64_t)expires - wall));
	}
	json_decref(list);
	if (c->n)
		log_info("%zu toFQDNs address(es) from %s", c->n, path);
}

void agent_policy_fqdn_answer(struct agent *a, const struct flow_entry *e,
			      const struct netobs_l7 *l7)
{
	struct agent_policy *p = a->policy;
	const struct netobs_l7_dns *dns = &l7->dns;
	const char *names[1 + DNS_CNAMES_MAX];
	uint64_t expires, before;
	struct fqdn_cache *c;
	unsigned int nnames = 0;
	uint32_t ttl;

	if (!p || l7->kind != NETOBS_L7_DNS || l7->type != NETOBS_L7_RESPONSE || !l7->latency_ns ||
	    (l7->flags & NETOBS_L7_F_UNANSWERED) || dns->rcode || !dns->ips_len ||
	    e->key.hook != NETOBS_HOOK_TC_EGRESS || e->iface_kind != ENDPOINT_KIND_VETH ||
	    !policy_set_has_fqdns(&p->policies.set) || !(c = fqdn_cache(p)))
		return;
	ttl = dns->ttl < FQDN_TTL_MIN_S ? FQDN_TTL_MIN_S : dns->ttl;
	if (ttl > FQDN_TTL_MAX_S)
		ttl = FQDN_TTL_MAX_S;
	expires = agent_now_mono_ns() + (uint64_t)ttl * 1000000000ULL;
	names[nnames++] = dns->query;
	for (unsigned int i = 0; i < dns->cnames_len && i < DNS_CNAMES_MAX; i++)
		names[nnames++] = dns->cnames[i];
	before = c->changes;
	for (unsigned int n = 0; n < nnames; n++) {
		char name[POLICY_FQDN_MAX + 2];
		size_t len;

		snprintf(name, sizeof(name), "%s", names[n]);
		len = strlen(name);
		if (len && name[len - 1] == '.')
			name[--len] = '\0';
		if (!len || len > POLICY_FQDN_MAX || !set_matches(&p->policies.set, name))
			continue;
		for (unsigned int i = 0; i < dns->ips_len && i < DNS_IPS_MAX; i++) {
			struct policy_prefix addr = {0};

			addr.family = dns->ips[i].family == AF_INET ? 4 : 6;
			addr.len = addr.family == 4 ? 32 : 128;
			memcpy(addr.addr, dns->ips[i].addr, addr.family == 4 ? 4 : 16);
			fqdn_learn(c, name, &addr, expires);
		}
	}
	if (c->changes != before)
		fqdn_save(a, c);
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

/* Drop expired pairs, except those a tracked flow still uses. */
static void fqdn_expire(struct agent *a, struct fqdn_cache *c)
{
	uint64_t now = agent_now_mono_ns();
	size_t kept = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (c->pairs[i].expires_ns <= now && !address_in_use(a, &c->pairs[i].addr)) {
			c->changes++;
			continue;
		}
		c->pairs[kept++] = c->pairs[i];
	}
	if (kept != c->n) {
		c->n = kept;
		fqdn_save(a, c);
	}
}

int agent_policy_fqdn_collect(struct agent *a, const struct policy_set *set,
			      struct policy_fqdn_addr **out, size_t *n)
{
	struct agent_policy *p = a->policy;
	struct policy_fqdn_addr *sel;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (!p || !p->fqdn || !p->fqdn->n || !policy_set_has_fqdns(set))
		return 0;
	sel = calloc(p->fqdn->n, sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	for (size_t i = 0; i < p->fqdn->n; i++) {
		const struct fqdn_pair *pair = &p->fqdn->pairs[i];

		if (!set_matches(set, pair->name))
			continue;
		snprintf(sel[count].name, sizeof(sel[count].name), "%s", pair->name);
		sel[count].addr = pair->addr;
		count++;
	}
	*out = sel;
	*n = count;
	return 0;
}

void agent_policy_fqdn_check(struct agent *a, bool harvest)
{
	struct agent_policy *p = a->policy;

	if (!p || !p->fqdn || !policy_set_has_fqdns(&p->policies.set))
		return;
	/* The expiry walks the flow table for kept addresses: once per
	 * harvest, not per ring-buffer wakeup. */
	if (harvest)
		fqdn_expire(a, p->fqdn);
	if (p->fqdn->changes == p->fqdn_changes_seen)
		return;
	p->fqdn_changes_seen = p->fqdn->changes;
	agent_policy_endpoints_changed(a);
}

void agent_policy_fqdn_free(struct agent_policy *p)
{
	if (p->fqdn)
		free(p->fqdn->pairs);
	free(p->fqdn);
	p->fqdn = NULL;
}
