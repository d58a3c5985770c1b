// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Compile and write: the imported policies and the endpoint table through
 * lib/policy_compile.h into the datapath's policy maps (lib/abi.h, "Policy
 * enforcement"). Each write is a diff against what the maps hold: entries
 * first (new and changed ones, then the ones gone), the generation last, so
 * the datapath judges flows again only once the maps are whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "attach.h"
#include "log.h"
#include "netobs.skel.h"
#include "policy_internal.h"

static void label_set(struct policy_label *l, const char *source, const char *key,
		      const char *value)
{
	snprintf(l->source, sizeof(l->source), "%s", source);
	snprintf(l->key, sizeof(l->key), "%s", key);
	/* Names are at most NETOBS_NAME_MAX - 1 (63) bytes: they fit whole. */
	snprintf(l->value, sizeof(l->value), "%.*s", (int)sizeof(l->value) - 1, value);
}

static void prefix_from_ip(const struct ip_addr *ip, struct policy_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->family = ip->family == NETOBS_FAMILY_IPV4 ? 4 : 6;
	out->len = out->family == 4 ? 32 : 128;
	memcpy(out->addr, ip->addr, out->family == 4 ? 4 : 16);
}

/* Everything the compiler reads about the endpoints, in one allocation each. */
struct compile_scratch {
	struct policy_compile_endpoint *endpoints;
	struct policy_label *labels;
	struct policy_prefix *addrs;
	struct policy_prefix *host_addrs;
};

static void compile_scratch_free(struct compile_scratch *s)
{
	free(s->endpoints);
	free(s->labels);
	free(s->addrs);
	free(s->host_addrs);
}

/* The labels an endpoint is selected by (what the compiler is given). */
static size_t endpoint_labels(const struct agent_policy *p, const struct endpoint *ep,
			      struct policy_label *out, size_t max)
{
	const struct policy_endpoint_config *cfg = policy_endpoint_config_find(p, ep->name);
	size_t n = 0;

	/* netobs:endpoint, netobs:netns (when named), netobs:interface, then the user's. */
	label_set(&out[n++], POLICY_SOURCE_NETOBS, "endpoint", ep->name);
	if (ep->netns[0])
		label_set(&out[n++], POLICY_SOURCE_NETOBS, "netns", ep->netns);
	label_set(&out[n++], POLICY_SOURCE_NETOBS, "interface", ep->ifname);
	for (uint32_t j = 0; cfg && j < cfg->n_labels && n < max; j++)
		out[n++] = cfg->labels[j];
	return n;
}

int agent_policy_compile(struct agent *a, const struct policy_imported *policies,
			 struct policy_compiled *out, struct policy_error *err)
{
	const struct endpoint_table *table = a->endpoints;
	struct agent_policy *p = a->policy;
	struct policy_compile_fqdn_addr *fqdn_in = NULL;
	struct policy_fqdn_addr *selected = NULL;
	struct compile_scratch s = {};
	size_t n_selected = 0;
	struct policy_compile_input in = {
		.set = &policies->set,
		.policy_ids = policies->ids,
	};
	size_t n_labels = 0, n_addrs = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	/* No policy: empty maps, generation 0 (the datapath reads nothing else). */
	if (!policies->set.n_policies)
		return 0;
	for (unsigned int i = 0; i < table->count; i++) {
		const struct policy_endpoint_config *cfg =
			policy_endpoint_config_find(p, table->eps[i].name);

		n_labels += 3 + (cfg ? cfg->n_labels : 0);
		n_addrs += table->eps[i].naddrs;
	}
	s.endpoints = calloc(table->count + 1, sizeof(*s.endpoints));
	s.labels = calloc(n_labels + 1, sizeof(*s.labels));
	s.addrs = calloc(n_addrs + 1, sizeof(*s.addrs));
	s.host_addrs = calloc(table->nhost_addrs + 1, sizeof(*s.host_addrs));
	if (!s.endpoints || !s.labels || !s.addrs || !s.host_addrs) {
		compile_scratch_free(&s);
		snprintf(err->message, sizeof(err->message), "out of memory");
		return -ENOMEM;
	}
	n_labels = n_addrs = 0;
	for (unsigned int i = 0; i < table->count; i++) {
		const struct endpoint *ep = &table->eps[i];
		const struct policy_endpoint_config *cfg = policy_endpoint_config_find(p, ep->name);
		struct policy_compile_endpoint *ce = &s.endpoints[i];

		ce->ifindex = ep->ifindex;
		ce->labels = &s.labels[n_labels];
		ce->n_labels =
			endpoint_labels(p, ep, &s.labels[n_labels], 3 + (cfg ? cfg->n_labels : 0));
		n_labels += ce->n_labels;
		/* Link-local ones too: a peer may talk from one. */
		ce->addrs = &s.addrs[n_addrs];
		for (unsigned int j = 0; j < ep->naddrs; j++)
			prefix_from_ip(&ep->addrs[j], &s.addrs[n_addrs++]);
		ce->n_addrs = ep->naddrs;
		ce->audit = cfg && cfg->audit;
	}
	for (unsigned int i = 0; i < table->nhost_addrs; i++)
		prefix_from_ip(&table->host_addrs[i], &s.host_addrs[i]);
	in.endpoints = s.endpoints;
	in.n_endpoints = table->count;
	in.host_addrs = s.host_addrs;
	in.n_host_addrs = table->nhost_addrs;
	/* toFQDNs: the addresses DNS answers gave for the selected names. */
	rc = agent_policy_fqdn_collect(a, &policies->set, &selected, &n_selected);
	if (!rc && n_selected) {
		fqdn_in = calloc(n_selected, sizeof(*fqdn_in));
		rc = fqdn_in ? 0 : -ENOMEM;
	}
	if (rc) {
		free(selected);
		compile_scratch_free(&s);
		snprintf(err->message, sizeof(err->message), "out of memory");
		return rc;
	}
	for (size_t i = 0; i < n_selected; i++) {
		fqdn_in[i].name = selected[i].name;
		fqdn_in[i].addr = selected[i].addr;
	}
	in.fqdn_addrs = fqdn_in;
	in.n_fqdn_addrs = n_selected;
	rc = policy_compile(&in, out, err);
	free(fqdn_in);
	compile_scratch_free(&s);
	free(selected);
	return rc;
}

const struct policy_compiled_endpoint *agent_policy_compiled_endpoint(const struct agent_policy *p,
								      uint32_t ifindex)
{
	for (size_t i = 0; i < p->compiled.n_endpoints; i++)
		if (p->compiled.endpoints[i].ifindex == ifindex)
			return &p->compiled.endpoints[i];
	return NULL;
}

/*
 * One map's entries as the diff sees them: key and value of each entry at
 * a stride in an array. The compiler sorts them; the diff sorts its own
 * view anyway, by the key bytes, so it depends on no particular order.
 */
struct map_view {
	const char *base;
	size_t n, stride, key_off, key_size, value_off, value_size;
	const char **sorted;
};

static size_t sort_key_size;
static size_t sort_key_off;

static int entry_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	return memcmp(x + sort_key_off, y + sort_key_off, sort_key_size);
}

static int map_view_sort(struct map_view *v)
{
	v->sorted = calloc(v->n + 1, sizeof(*v->sorted));
	if (!v->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < v->n; i++)
		v->sorted[i] = v->base + i * v->stride;
	sort_key_off = v->key_off;
	sort_key_size = v->key_size;
	qsort(v->sorted, v->n, sizeof(*v->sorted), entry_cmp);
	return 0;
}

/*
 * Make the map at fd hold next's entries where it held prev's: update what
 * is new or changed, then delete what next lacks. 0 or -errno (err).
 */
/* One pass of a map's diff: the new and changed entries, or the ones gone. */
enum map_pass {
	MAP_PASS_WRITE,
	MAP_PASS_DELETE,
};

static int map_write_diff(int fd, const char *map, struct map_view *prev, struct map_view *next,
			  enum map_pass pass, size_t *changes, char *err, size_t errlen)
{
	size_t i = 0, j = 0;
	int rc = 0;

	if (map_view_sort(prev) || map_view_sort(next)) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory writing %s", map);
		goto out;
	}
	for (j = 0; pass == MAP_PASS_WRITE && j < next->n; j++) {
		const char *e = next->sorted[j];
		int cmp = 1;

		while (i < prev->n && (cmp = memcmp(prev->sorted[i] + prev->key_off,
						    e + next->key_off, next->key_size)) < 0)
			i++;
		if (i < prev->n && cmp == 0 &&
		    !memcmp(prev->sorted[i] + prev->value_off, e + next->value_off,
			    next->value_size))
			continue; /* already there */
		if (bpf_map_update_elem(fd, e + next->key_off, e + next->value_off, BPF_ANY)) {
			rc = -errno;
			snprintf(err, errlen, "cannot write an entry of map %s: %s", map,
				 strerror(errno));
			goto out;
		}
		(*changes)++;
	}
	for (i = j = 0; pass == MAP_PASS_DELETE && i < prev->n; i++) {
		const char *e = prev->sorted[i];
		int cmp = 1;

		while (j < next->n && (cmp = memcmp(next->sorted[j] + next->key_off,
						    e + prev->key_off, prev->key_size)) < 0)
			j++;
		if (j < next->n && cmp == 0)
			continue;
		if (bpf_map_delete_elem(fd, e + prev->key_off) && errno != ENOENT) {
			rc = -errno;
			snprintf(err, errlen, "cannot delete an entry of map %s: %s", map,
				 strerror(errno));
			goto out;
		}
		(*changes)++;
	}
out:
	free(prev->sorted);
	free(next->sorted);
	prev->sorted = next->sorted = NULL;
	return rc;
}

#define VIEW(arr, count, type)                                                                     \
	((struct map_view){.base = (const char *)(arr),                                            \
			   .n = (count),                                                           \
			   .stride = sizeof(type),                                                 \
			   .key_off = offsetof(type, key),                                         \
			   .key_size = sizeof(((type *)0)->key),                                   \
			   .value_off = offsetof(type, value),                                     \
			   .value_size = sizeof(((type *)0)->value)})

/* The endpoints' key is their ifindex, beside the value. */
#define ENDPOINT_VIEW(arr, count)                                                                  \
	((struct map_view){.base = (const char *)(arr),                                            \
			   .n = (count),                                                           \
			   .stride = sizeof(struct policy_compiled_endpoint),                      \
			   .key_off = offsetof(struct policy_compiled_endpoint, ifindex),          \
			   .key_size = sizeof(uint32_t),                                           \
			   .value_off = offsetof(struct policy_compiled_endpoint, value),          \
			   .value_size = sizeof(struct netobs_policy_endpoint)})

static int maps_write(struct agent *a, const struct policy_compiled *prev,
		      const struct policy_compiled *next, size_t *changes, char *err, size_t errlen)
{
	struct netobs *skel = a->dp.skel;
	struct {
		const char *name;
		int fd;
		struct map_view prev, next;
	} maps[] = {
		{"policy_ipcache", bpf_map__fd(skel->maps.policy_ipcache),
		 VIEW(prev->ipcache, prev->n_ipcache, struct policy_compiled_ipcache),
		 VIEW(next->ipcache, next->n_ipcache, struct policy_compiled_ipcache)},
		{"policy_rules", bpf_map__fd(skel->maps.policy_rules),
		 VIEW(prev->rules, prev->n_rules, struct policy_compiled_rule),
		 VIEW(next->rules, next->n_rules, struct policy_compiled_rule)},
		{"policy_endpoints", bpf_map__fd(skel->maps.policy_endpoints),
		 ENDPOINT_VIEW(prev->endpoints, prev->n_endpoints),
		 ENDPOINT_VIEW(next->endpoints, next->n_endpoints)},
	};
	const int n = (int)(sizeof(maps) / sizeof(maps[0]));
	int rc;

	/* New entries first, peers and rules before the endpoints that use
	 * them (an endpoint put under enforcement finds its rules there
	 * already); then the old ones go, endpoints first (an endpoint taken
	 * out of enforcement never sits in default deny without its rules).
	 * The maps hold twice what one compile may use (bpf/lib/maps.h), so
	 * writing before deleting never runs out of room. */
	for (int i = 0; i < n; i++) {
		rc = map_write_diff(maps[i].fd, maps[i].name, &maps[i].prev, &maps[i].next,
				    MAP_PASS_WRITE, changes, err, errlen);
		if (rc)
			return rc;
	}
	for (int i = n - 1; i >= 0; i--) {
		rc = map_write_diff(maps[i].fd, maps[i].name, &maps[i].prev, &maps[i].next,
				    MAP_PASS_DELETE, changes, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* Seed the connections of the interfaces next enforces and prev did not. */
static void seed_newly_enforced(struct agent *a, const struct policy_compiled *prev,
				const struct policy_compiled *next)
{
	uint32_t *ifindexes = calloc(next->n_endpoints + 1, sizeof(*ifindexes));
	size_t n = 0;

	if (!ifindexes)
		return;
	for (size_t i = 0; i < next->n_endpoints; i++) {
		bool before = false;

		for (size_t j = 0; j < prev->n_endpoints && !before; j++)
			before = prev->endpoints[j].ifindex == next->endpoints[i].ifindex;
		if (!before)
			ifindexes[n++] = next->endpoints[i].ifindex;
	}
	policy_conns_seed(a, ifindexes, n);
	free(ifindexes);
}

int agent_policy_maps_apply(struct agent *a, struct policy_compiled *next, bool any_policy,
			    char *err, size_t errlen)
{
	struct agent_policy *p = a->policy;
	int rc;

	if (a->dp.skel) {
		uint32_t *gen = &a->dp.skel->bss->netobs_policy_gen;
		size_t changes = 0, undone = 0;

		rc = maps_write(a, &p->compiled, next, &changes, err, errlen);
		if (rc) {
			char again[256];

			/* Back to what the generation in force was judged with. */
			if (maps_write(a, next, &p->compiled, &undone, again, sizeof(again)))
				log_error("cannot restore the policy maps either: %s", again);
			/* Flows judged while the maps were half written cached
			 * verdicts at this generation: a new one judges them again. */
			if (changes && __atomic_load_n(gen, __ATOMIC_ACQUIRE)) {
				if (p->generation < a->dp.policy_gen_floor)
					p->generation = a->dp.policy_gen_floor;
				__atomic_store_n(gen, ++p->generation, __ATOMIC_RELEASE);
			}
			return rc;
		}
		/* Last: flows are judged again against whole maps. A generation is
		 * never reused, so no verdict cached under an older one survives.
		 * Maps that did not change keep their flows' verdicts. */
		if (!any_policy) {
			__atomic_store_n(gen, 0, __ATOMIC_RELEASE);
		} else if (changes || !__atomic_load_n(gen, __ATOMIC_ACQUIRE)) {
			/* Above what a flow map taken over from an earlier agent
			 * caches, too. */
			if (p->generation < a->dp.policy_gen_floor)
				p->generation = a->dp.policy_gen_floor;
			/* The connections endpoints the maps start enforcing
			 * opened so far, for their replies under the new rules
			 * (agent/policy_conns.c). */
			seed_newly_enforced(a, &p->compiled, next);
			__atomic_store_n(gen, ++p->generation, __ATOMIC_RELEASE);
		}
		/* While a policy is loaded, enforcement outlives the agent. */
		datapath_set_persistent(&a->dp, any_policy);
	}
	policy_compiled_free(&p->compiled);
	p->compiled = *next;
	memset(next, 0, sizeof(*next));
	p->compiled_revision = p->revision;
	/* An endpoint the policy now enforces gets TC ingress even if XDP
	 * watches it (agent/attach.c). */
	if (a->dp.skel && a->endpoints)
		agent_attach_endpoints(a);
	return 0;
}

bool agent_policy_enforces(const struct agent *a, uint32_t ifindex)
{
	return a->policy && agent_policy_compiled_endpoint(a->policy, ifindex);
}

/* Does a policy with rules select this endpoint? */
static bool endpoint_selected(const struct agent_policy *p, const struct endpoint *ep)
{
	struct policy_label labels[3 + POLICY_ENDPOINT_LABELS_MAX];
	size_t n = endpoint_labels(p, ep, labels, sizeof(labels) / sizeof(labels[0]));
	const struct policy_set *set = &p->policies.set;

	for (uint32_t i = 0; i < set->n_policies; i++)
		for (uint32_t s = 0; s < set->policies[i].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[i].specs[s];

			if ((spec->has_ingress || spec->has_egress) &&
			    policy_selector_matches(&spec->subject, labels, n))
				return true;
		}
	return false;
}

void agent_policy_fail_closed(struct agent *a)
{
	struct agent_policy *p = a->policy;
	struct policy_compiled_endpoint *grown;
	uint32_t closed[ENDPOINT_MAX];
	size_t nclosed = 0;
	int fd;

	if (!a->dp.skel || !p->policies.set.n_policies)
		return;
	fd = bpf_map__fd(a->dp.skel->maps.policy_endpoints);
	for (unsigned int i = 0; i < a->endpoints->count; i++) {
		const struct endpoint *ep = &a->endpoints->eps[i];
		struct policy_compiled_endpoint deny = {
			.ifindex = ep->ifindex,
			.value = {.flags = NETOBS_PEP_INGRESS_RULES |
					   NETOBS_PEP_INGRESS_DEFAULT_DENY |
					   NETOBS_PEP_EGRESS_RULES | NETOBS_PEP_EGRESS_DEFAULT_DENY,
				  .identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + ep->ifindex},
		};

		if (agent_policy_compiled_endpoint(p, ep->ifindex) || !endpoint_selected(p, ep))
			continue;
		grown = realloc(p->compiled.endpoints,
				(p->compiled.n_endpoints + 1) * sizeof(*grown));
		if (!grown)
			break;
		p->compiled.endpoints = grown;
		/* Known to the maps' diff from now on: the next compile that
		 * fits replaces or removes it. */
		if (bpf_map_update_elem(fd, &deny.ifindex, &deny.value, BPF_ANY)) {
			log_error("cannot put %s in default deny: %s", ep->name, strerror(errno));
			continue;
		}
		p->compiled.endpoints[p->compiled.n_endpoints++] = deny;
		log_warn("%s: selected by a policy that does not fit the datapath now; it is in "
			 "default deny both ways until it does",
			 ep->name);
		if (nclosed < ENDPOINT_MAX)
			closed[nclosed++] = ep->ifindex;
	}
	if (nclosed) {
		uint32_t *gen = &a->dp.skel->bss->netobs_policy_gen;

		if (p->generation < a->dp.policy_gen_floor)
			p->generation = a->dp.policy_gen_floor;
		policy_conns_seed(a, closed, nclosed);
		__atomic_store_n(gen, ++p->generation, __ATOMIC_RELEASE);
	}
}
