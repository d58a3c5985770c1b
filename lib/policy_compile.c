// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy compiler's front half: input checks, the endpoints' flags, the
 * identities of peers and the ipcache that gives them, the toFQDNs name
 * match. policy_compile_rules.c turns rules into policy_rules entries.
 * lib/policy_compile.h states the contract; docs/policy.md, "Datapath
 * tables", explains it to users.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy_compile.h"
#include "policy_compile_internal.h"

/* Endpoint identities must stay below the CIDR identities. */
#define ENDPOINT_IFINDEX_MAX                                                                       \
	(NETOBS_POLICY_IDENTITY_CIDR_BASE - NETOBS_POLICY_IDENTITY_ENDPOINT_BASE - 1)

int compile_fail(struct compile_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static unsigned family_bits(uint8_t family)
{
	return family == 4 ? 32 : 128;
}

bool compile_bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (!rest)
		return true;
	return ((a[bytes] ^ b[bytes]) & (uint8_t)(0xff00 >> rest)) == 0;
}

int compile_prefix_cmp(const struct policy_prefix *a, const struct policy_prefix *b)
{
	int diff;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	diff = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (diff)
		return diff;
	return (a->len > b->len) - (a->len < b->len);
}

bool compile_prefix_contains(const struct policy_prefix *outer, const struct policy_prefix *inner)
{
	return outer->family == inner->family && inner->len >= outer->len &&
	       compile_bits_equal(outer->addr, inner->addr, outer->len);
}

/* A prefix with its host bits (and the bytes past its family) cleared. */
static struct policy_prefix prefix_masked(const struct policy_prefix *p)
{
	struct policy_prefix m = {.family = p->family, .len = p->len};
	unsigned bytes = p->len / 8, rest = p->len % 8;

	memcpy(m.addr, p->addr, bytes);
	if (rest)
		m.addr[bytes] = p->addr[bytes] & (uint8_t)(0xff00 >> rest);
	return m;
}

/* An address the agent gives (an endpoint's, the host's, a DNS answer's) as a host prefix. */
static struct policy_prefix host_prefix(const struct policy_prefix *p)
{
	struct policy_prefix h = {.family = p->family, .len = (uint8_t)family_bits(p->family)};

	memcpy(h.addr, p->addr, h.family == 4 ? 4 : 16);
	return h;
}

static void ipcache_key_set(struct netobs_ipcache_key *key, const struct policy_prefix *p)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = 32 + p->len;
	key->family = p->family;
	memcpy(key->addr, p->addr, sizeof(key->addr));
}

static int check_address(struct compile_ctx *c, const struct policy_prefix *p, const char *whose)
{
	if (p->family != 4 && p->family != 6)
		return compile_fail(c, "%s: address family %u is neither 4 nor 6", whose,
				    p->family);
	return 0;
}

static int check_input(struct compile_ctx *c)
{
	const struct policy_compile_input *in = c->in;
	size_t n_policies = in->set ? in->set->n_policies : 0;
	char whose[64];
	int err;

	if (n_policies && !in->policy_ids)
		return compile_fail(c, "policy compiler: no policy ids for %zu policies",
				    n_policies);
	for (size_t i = 0; i < n_policies; i++) {
		if (!in->policy_ids[i])
			return compile_fail(c, "policy %s: policy id 0 (ids start at 1)",
					    in->set->policies[i].name);
		for (size_t j = 0; j < i; j++)
			if (in->policy_ids[j] == in->policy_ids[i])
				return compile_fail(c, "policies %s and %s: the same id %u",
						    in->set->policies[j].name,
						    in->set->policies[i].name, in->policy_ids[i]);
	}
	for (size_t i = 0; i < in->n_endpoints; i++) {
		const struct policy_compile_endpoint *e = &in->endpoints[i];

		if (e->ifindex == 0 || e->ifindex > ENDPOINT_IFINDEX_MAX)
			return compile_fail(c,
					    "endpoint ifindex %u: not 1..%u, so it has no identity",
					    e->ifindex, ENDPOINT_IFINDEX_MAX);
		for (size_t j = 0; j < i; j++)
			if (in->endpoints[j].ifindex == e->ifindex)
				return compile_fail(c, "endpoint ifindex %u given twice",
						    e->ifindex);
		snprintf(whose, sizeof(whose), "endpoint ifindex %u", e->ifindex);
		for (size_t j = 0; j < e->n_addrs; j++)
			if ((err = check_address(c, &e->addrs[j], whose)))
				return err;
	}
	for (size_t i = 0; i < in->n_host_addrs; i++)
		if ((err = check_address(c, &in->host_addrs[i], "host")))
			return err;
	for (size_t i = 0; i < in->n_fqdn_addrs; i++) {
		snprintf(whose, sizeof(whose), "DNS answer %zu", i);
		if (!in->fqdn_addrs[i].name)
			return compile_fail(c, "%s: no name", whose);
		if ((err = check_address(c, &in->fqdn_addrs[i].addr, whose)))
			return err;
	}
	return 0;
}

/* ---- endpoints */

static int compiled_endpoint_cmp(const void *a, const void *b)
{
	const struct policy_compiled_endpoint *x = a, *y = b;

	return memcmp(&x->ifindex, &y->ifindex, sizeof(x->ifindex));
}

static uint32_t *index_list_dup(const uint32_t *list, uint32_t n)
{
	uint32_t *copy;

	if (!n)
		return NULL;
	copy = malloc(n * sizeof(*copy));
	if (copy)
		memcpy(copy, list, n * sizeof(*copy));
	return copy;
}

/*
 * The flags of one endpoint and the policies selecting it per direction,
 * into ce; scratch holds two lists of n_policies indexes.
 */
static int endpoint_compile(struct compile_ctx *c, const struct policy_compile_endpoint *e,
			    struct policy_compiled_endpoint *ce, uint32_t *scratch)
{
	const struct policy_set *set = c->in->set;
	uint32_t n_policies = set ? set->n_policies : 0;
	uint32_t *ingress = scratch, *egress = scratch + n_policies;
	uint32_t flags = 0, n_ingress = 0, n_egress = 0;

	for (uint32_t p = 0; p < n_policies; p++) {
		const struct policy *policy = &set->policies[p];
		bool in_ingress = false, in_egress = false;

		for (uint32_t s = 0; s < policy->n_specs; s++) {
			const struct policy_spec *spec = &policy->specs[s];

			if (!policy_selector_matches(&spec->subject, e->labels, e->n_labels))
				continue;
			in_ingress |= spec->has_ingress;
			in_egress |= spec->has_egress;
			if (spec->default_deny_ingress)
				flags |= NETOBS_PEP_INGRESS_DEFAULT_DENY;
			if (spec->default_deny_egress)
				flags |= NETOBS_PEP_EGRESS_DEFAULT_DENY;
		}
		if (in_ingress)
			ingress[n_ingress++] = p;
		if (in_egress)
			egress[n_egress++] = p;
	}
	if (n_ingress)
		flags |= NETOBS_PEP_INGRESS_RULES;
	if (n_egress)
		flags |= NETOBS_PEP_EGRESS_RULES;
	if (e->audit && (flags & (NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_EGRESS_RULES)))
		flags |= NETOBS_PEP_AUDIT;

	memset(ce, 0, sizeof(*ce));
	ce->ifindex = e->ifindex;
	ce->value.flags = flags;
	ce->value.identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + e->ifindex;
	ce->n_ingress_policies = n_ingress;
	ce->n_egress_policies = n_egress;
	ce->ingress_policies = index_list_dup(ingress, n_ingress);
	ce->egress_policies = index_list_dup(egress, n_egress);
	if ((n_ingress && !ce->ingress_policies) || (n_egress && !ce->egress_policies))
		return -ENOMEM;
	return 0;
}

static int compile_endpoints(struct compile_ctx *c)
{
	const struct policy_compile_input *in = c->in;
	struct policy_compiled *out = c->out;
	size_t n_policies = in->set ? in->set->n_policies : 0;
	uint32_t *scratch;
	int err = 0;

	if (!in->n_endpoints)
		return 0;
	scratch = calloc(2 * n_policies + 1, sizeof(*scratch));
	out->endpoints = calloc(in->n_endpoints, sizeof(*out->endpoints));
	if (!scratch || !out->endpoints) {
		err = -ENOMEM;
		goto out_scratch;
	}
	for (size_t i = 0; i < in->n_endpoints; i++) {
		struct policy_compiled_endpoint *ce = &out->endpoints[out->n_endpoints];

		err = endpoint_compile(c, &in->endpoints[i], ce, scratch);
		if (err) {
			/* Counted so policy_compiled_free() frees its lists. */
			out->n_endpoints++;
			goto out_scratch;
		}
		/* Only endpoints some rule set with rules selects are enforced. */
		if (ce->n_ingress_policies || ce->n_egress_policies)
			out->n_endpoints++;
	}
	if (out->n_endpoints > NETOBS_POLICY_ENDPOINTS_MAX) {
		err = compile_fail(c,
				   "policy selects %zu endpoints, the datapath holds %d "
				   "(map policy_endpoints): select fewer endpoints",
				   out->n_endpoints, NETOBS_POLICY_ENDPOINTS_MAX);
		goto out_scratch;
	}
	qsort(out->endpoints, out->n_endpoints, sizeof(*out->endpoints), compiled_endpoint_cmp);
out_scratch:
	free(scratch);
	return err;
}

/* ---- identities and the ipcache */

/* An ipcache candidate; rank orders candidates of the same key (lowest wins). */
struct ipcache_candidate {
	struct policy_prefix prefix;
	uint32_t identity;
	uint64_t rank;
};

static int candidate_cmp(const void *a, const void *b)
{
	const struct ipcache_candidate *x = a, *y = b;
	int diff = compile_prefix_cmp(&x->prefix, &y->prefix);

	if (diff)
		return diff;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static int candidate_rank_cmp(const void *a, const void *b)
{
	const struct ipcache_candidate *x = a, *y = b;

	return (x->rank > y->rank) - (x->rank < y->rank);
}

static int compile_cidr_cmp(const void *a, const void *b)
{
	const struct compile_cidr *x = a, *y = b;

	return compile_prefix_cmp(&x->prefix, &y->prefix);
}

static int compiled_ipcache_cmp(const void *a, const void *b)
{
	const struct policy_compiled_ipcache *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* Sort by prefix then rank, keep the first of each prefix; returns the new count. */
static size_t candidates_unique(struct ipcache_candidate *list, size_t n)
{
	size_t kept = 0;

	qsort(list, n, sizeof(*list), candidate_cmp);
	for (size_t i = 0; i < n; i++)
		if (!kept || compile_prefix_cmp(&list[kept - 1].prefix, &list[i].prefix))
			list[kept++] = list[i];
	return kept;
}

static bool candidates_find(const struct ipcache_candidate *sorted, size_t n,
			    const struct policy_prefix *prefix)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int diff = compile_prefix_cmp(&sorted[mid].prefix, prefix);

		if (!diff)
			return true;
		if (diff < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The endpoints' and the host's addresses: endpoint first, lowest ifindex, then the host. */
static struct ipcache_candidate *local_candidates(const struct policy_compile_input *in, size_t *n)
{
	struct ipcache_candidate *list;
	size_t count = in->n_host_addrs;

	for (size_t i = 0; i < in->n_endpoints; i++)
		count += in->endpoints[i].n_addrs;
	list = calloc(count + 1, sizeof(*list));
	if (!list)
		return NULL;
	count = 0;
	for (size_t i = 0; i < in->n_endpoints; i++) {
		const struct policy_compile_endpoint *e = &in->endpoints[i];

		for (size_t j = 0; j < e->n_addrs; j++)
			list[count++] = (struct ipcache_candidate){
				.prefix = host_prefix(&e->addrs[j]),
				.identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + e->ifindex,
				.rank = e->ifindex,
			};
	}
	for (size_t i = 0; i < in->n_host_addrs; i++)
		list[count++] = (struct ipcache_candidate){
			.prefix = host_prefix(&in->host_addrs[i]),
			.identity = NETOBS_POLICY_IDENTITY_HOST,
			.rank = 1ull << 32,
		};
	*n = candidates_unique(list, count);
	return list;
}

static size_t set_cidr_count(const struct policy_set *set)
{
	size_t count = 0;

	for (uint32_t p = 0; set && p < set->n_policies; p++)
		for (uint32_t s = 0; s < set->policies[p].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[p].specs[s];

			for (uint32_t r = 0; r < spec->n_rules; r++)
				for (uint32_t k = 0; k < spec->rules[r].n_cidrs; k++)
					count += 1 + spec->rules[r].cidrs[k].n_excepts;
		}
	return count;
}

/* Append p (masked) ranked by its position, unless a local address has that key. */
static void cidr_candidate_add(struct ipcache_candidate *list, size_t *count,
			       const struct ipcache_candidate *local, size_t n_local,
			       const struct policy_prefix *p)
{
	struct policy_prefix masked = prefix_masked(p);

	if (candidates_find(local, n_local, &masked))
		return;
	list[*count] = (struct ipcache_candidate){.prefix = masked, .rank = *count};
	(*count)++;
}

/*
 * Every prefix of a CIDR rule or except, then every DNS answer's address,
 * ranked by the order first met, leaving out those equal to a local address.
 */
static struct ipcache_candidate *cidr_candidates(const struct policy_compile_input *in,
						 const struct ipcache_candidate *local,
						 size_t n_local, size_t *n)
{
	const struct policy_set *set = in->set;
	struct ipcache_candidate *list;
	size_t count = 0;

	list = calloc(set_cidr_count(set) + in->n_fqdn_addrs + 1, sizeof(*list));
	if (!list)
		return NULL;
	for (uint32_t p = 0; set && p < set->n_policies; p++)
		for (uint32_t s = 0; s < set->policies[p].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[p].specs[s];

			for (uint32_t r = 0; r < spec->n_rules; r++)
				for (uint32_t k = 0; k < spec->rules[r].n_cidrs; k++) {
					const struct policy_cidr *cidr = &spec->rules[r].cidrs[k];

					cidr_candidate_add(list, &count, local, n_local,
							   &cidr->prefix);
					for (uint32_t x = 0; x < cidr->n_excepts; x++)
						cidr_candidate_add(list, &count, local, n_local,
								   &cidr->excepts[x]);
				}
		}
	for (size_t i = 0; i < in->n_fqdn_addrs; i++) {
		struct policy_prefix addr = host_prefix(&in->fqdn_addrs[i].addr);

		cidr_candidate_add(list, &count, local, n_local, &addr);
	}
	*n = candidates_unique(list, count);
	return list;
}

static uint32_t cidr_identity_of(const struct compile_ctx *c, const struct policy_prefix *prefix)
{
	struct compile_cidr want = {.prefix = *prefix};
	const struct compile_cidr *found;

	found = bsearch(&want, c->cidrs, c->n_cidrs, sizeof(*c->cidrs), compile_cidr_cmp);
	return found ? found->identity : 0;
}

static int compile_ipcache(struct compile_ctx *c)
{
	const struct policy_compile_input *in = c->in;
	struct policy_compiled *out = c->out;
	struct ipcache_candidate *local = NULL, *cidrs = NULL;
	size_t n_local = 0, n_cidrs = 0, total;
	int err = 0;

	local = local_candidates(in, &n_local);
	if (!local)
		return -ENOMEM;
	cidrs = cidr_candidates(in, local, n_local, &n_cidrs);
	if (!cidrs) {
		err = -ENOMEM;
		goto out_free;
	}
	total = n_local + n_cidrs;
	if (total > NETOBS_POLICY_IPCACHE_MAX) {
		err = compile_fail(c,
				   "policy needs %zu peer address entries, the datapath holds %d "
				   "(map policy_ipcache): %zu endpoint and host addresses and "
				   "%zu distinct CIDRs, excepts and DNS answers; use fewer CIDRs",
				   total, NETOBS_POLICY_IPCACHE_MAX, n_local, n_cidrs);
		goto out_free;
	}
	/* CIDR identities are numbered in the order their prefixes were first met. */
	qsort(cidrs, n_cidrs, sizeof(*cidrs), candidate_rank_cmp);
	out->ipcache = calloc(total + 1, sizeof(*out->ipcache));
	out->cidr_identities = calloc(n_cidrs + 1, sizeof(*out->cidr_identities));
	c->cidrs = calloc(n_cidrs + 1, sizeof(*c->cidrs));
	c->fqdn_identity = calloc(in->n_fqdn_addrs + 1, sizeof(*c->fqdn_identity));
	if (!out->ipcache || !out->cidr_identities || !c->cidrs || !c->fqdn_identity) {
		err = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < n_local; i++) {
		ipcache_key_set(&out->ipcache[i].key, &local[i].prefix);
		out->ipcache[i].value.identity = local[i].identity;
	}
	for (size_t i = 0; i < n_cidrs; i++) {
		uint32_t identity = NETOBS_POLICY_IDENTITY_CIDR_BASE + (uint32_t)i;

		ipcache_key_set(&out->ipcache[n_local + i].key, &cidrs[i].prefix);
		out->ipcache[n_local + i].value.identity = identity;
		out->cidr_identities[i] = cidrs[i].prefix;
		c->cidrs[i] =
			(struct compile_cidr){.prefix = cidrs[i].prefix, .identity = identity};
	}
	out->n_ipcache = total;
	out->n_cidr_identities = n_cidrs;
	c->n_cidrs = n_cidrs;
	qsort(out->ipcache, total, sizeof(*out->ipcache), compiled_ipcache_cmp);
	qsort(c->cidrs, n_cidrs, sizeof(*c->cidrs), compile_cidr_cmp);
	for (size_t i = 0; i < in->n_fqdn_addrs; i++) {
		struct policy_prefix addr = host_prefix(&in->fqdn_addrs[i].addr);

		c->fqdn_identity[i] = cidr_identity_of(c, &addr);
	}
out_free:
	free(local);
	free(cidrs);
	return err;
}

/* ---- the entry point */

int policy_compile(const struct policy_compile_input *in, struct policy_compiled *out,
		   struct policy_error *err)
{
	struct policy_error scratch_err;
	struct compile_ctx c = {.in = in, .out = out, .err = err ? err : &scratch_err};
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	c.err->message[0] = '\0';
	if (!in)
		return compile_fail(&c, "policy compiler: no input");
	ret = check_input(&c);
	if (!ret)
		ret = compile_endpoints(&c);
	if (!ret)
		ret = compile_ipcache(&c);
	if (!ret)
		ret = compile_rules(&c);
	free(c.cidrs);
	free(c.fqdn_identity);
	if (ret) {
		if (ret == -ENOMEM && !c.err->message[0])
			snprintf(c.err->message, sizeof(c.err->message),
				 "policy compiler: out of memory");
		policy_compiled_free(out);
	}
	return ret;
}

void policy_compiled_free(struct policy_compiled *out)
{
	if (!out)
		return;
	for (size_t i = 0; i < out->n_endpoints; i++) {
		free(out->endpoints[i].ingress_policies);
		free(out->endpoints[i].egress_policies);
	}
	free(out->endpoints);
	free(out->ipcache);
	free(out->rules);
	free(out->cidr_identities);
	memset(out, 0, sizeof(*out));
}

/* ---- toFQDNs */

/* One label against one pattern label, '*' standing for any characters. */
static bool label_glob_matches(const char *pattern, size_t plen, const char *label, size_t llen)
{
	size_t p = 0, l = 0, star = SIZE_MAX, star_l = 0;

	while (l < llen) {
		if (p < plen && pattern[p] == '*') {
			star = p++;
			star_l = l;
		} else if (p < plen &&
			   tolower((unsigned char)pattern[p]) == tolower((unsigned char)label[l])) {
			p++;
			l++;
		} else if (star != SIZE_MAX) {
			/* Let the last star take one more character. */
			p = star + 1;
			l = ++star_l;
		} else {
			return false;
		}
	}
	while (p < plen && pattern[p] == '*')
		p++;
	return p == plen;
}

/* Label by label: a '*' never reaches past a dot, so the labels pair up. */
static bool pattern_matches(const char *pattern, size_t plen, const char *name, size_t nlen)
{
	size_t p = 0, n = 0;

	for (;;) {
		const char *pdot = memchr(pattern + p, '.', plen - p);
		const char *ndot = memchr(name + n, '.', nlen - n);
		size_t pend = pdot ? (size_t)(pdot - pattern) : plen;
		size_t nend = ndot ? (size_t)(ndot - name) : nlen;

		if (!label_glob_matches(pattern + p, pend - p, name + n, nend - n))
			return false;
		if (!pdot || !ndot)
			return !pdot && !ndot;
		p = pend + 1;
		n = nend + 1;
	}
}

bool policy_fqdn_matches(const struct policy_fqdn *fqdn, const char *name)
{
	size_t nlen, plen;

	if (!fqdn || !name)
		return false;
	nlen = strlen(name);
	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!nlen)
		return false;
	plen = strnlen(fqdn->text, sizeof(fqdn->text));
	if (fqdn->kind == POLICY_FQDN_NAME)
		return plen == nlen && strncasecmp(fqdn->text, name, nlen) == 0;
	if (plen == 1 && fqdn->text[0] == '*')
		return true;
	return pattern_matches(fqdn->text, plen, name, nlen);
}

bool policy_set_has_fqdns(const struct policy_set *set)
{
	for (uint32_t p = 0; set && p < set->n_policies; p++)
		for (uint32_t s = 0; s < set->policies[p].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[p].specs[s];

			for (uint32_t r = 0; r < spec->n_rules; r++)
				if (spec->rules[r].n_fqdns)
					return true;
		}
	return false;
}
