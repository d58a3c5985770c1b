// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy compiler's rules: each rule of each rule set becomes raw
 * entries (endpoint x peer identity x protocol/port prefix), raw entries of
 * one key merge, and flattening gives each key the merged verdict of every
 * key covering it, because the datapath's LPM lookup sees only the longest
 * one (lib/abi.h, policy_rules).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile.h"
#include "policy_compile_internal.h"

#define NO_POLICY UINT32_MAX
/* Distinct keys counted before giving up: an error past the map's size
 * names the exact count up to here, "more than" beyond. */
#define RULES_COUNT_MAX (4 * (size_t)NETOBS_POLICY_RULES_MAX)
#define RAW_INITIAL_CAP 4096
/* Prefix lengths of one (endpoint, direction, peer) run from PEER to FULL. */
#define FLATTEN_DEPTH_MAX (NETOBS_POLICY_PREFIX_FULL - NETOBS_POLICY_PREFIX_PEER + 1)
/* The aligned blocks of a 16-bit range: at most 2 * 16 - 2. */
#define PORT_BLOCKS_MAX 32

/*
 * A key with what its own rules say: the first policy (set order) denying
 * it and the first allowing it, each with its match type.
 */
struct raw_rule {
	struct netobs_policy_key key;
	uint32_t deny_policy, allow_policy; /* set index, NO_POLICY for none */
	uint8_t deny_match, allow_match;    /* enum netobs_policy_match */
};

struct raw_rules {
	struct raw_rule *items;
	size_t n, cap;
};

/* One protocol/port prefix of a rule (the part of the key after the peer). */
struct l4_item {
	uint32_t prefixlen;
	uint8_t proto;
	uint8_t port[2]; /* the key's port bytes, network order */
};

/* What one rule applies to, rebuilt for each rule. */
struct rule_scope {
	uint32_t *identities;
	size_t n_identities;
	uint8_t *cidr_marked; /* by identity - CIDR_BASE: already in identities */
	struct l4_item *l4;
	size_t n_l4, cap_l4;
	size_t *endpoints; /* indexes into in->endpoints the rule set selects */
	size_t n_endpoints;
};

/* The bytes of a key after prefixlen: ifindex, identity, direction, proto, port. */
static const uint8_t *key_bits(const struct netobs_policy_key *key)
{
	return (const uint8_t *)key + sizeof(key->prefixlen);
}

/*
 * Flattening order: by the key's bits, then shorter prefixes first, so a
 * prefix comes before every prefix inside it (host bits are zero).
 */
static int raw_flat_cmp(const void *a, const void *b)
{
	const struct raw_rule *x = a, *y = b;
	int diff = memcmp(key_bits(&x->key), key_bits(&y->key),
			  sizeof(x->key) - sizeof(x->key.prefixlen));

	if (diff)
		return diff;
	return (x->key.prefixlen > y->key.prefixlen) - (x->key.prefixlen < y->key.prefixlen);
}

static int compiled_rule_cmp(const void *a, const void *b)
{
	const struct policy_compiled_rule *x = a, *y = b;

	return memcmp(&x->key, &y->key, sizeof(x->key));
}

static bool key_covers(const struct netobs_policy_key *outer, const struct netobs_policy_key *inner)
{
	return outer->prefixlen <= inner->prefixlen &&
	       compile_bits_equal(key_bits(outer), key_bits(inner), outer->prefixlen);
}

/* Merge what from says about the same key into into: the first policy of each action. */
static void raw_merge(struct raw_rule *into, const struct raw_rule *from)
{
	if (from->deny_policy < into->deny_policy) {
		into->deny_policy = from->deny_policy;
		into->deny_match = from->deny_match;
	}
	if (from->allow_policy < into->allow_policy) {
		into->allow_policy = from->allow_policy;
		into->allow_match = from->allow_match;
	}
}

/* Sort and merge equal keys; room is made when most entries are distinct. */
static int raw_compact(struct raw_rules *raw)
{
	size_t kept = 0;

	if (raw->n > 1)
		qsort(raw->items, raw->n, sizeof(*raw->items), raw_flat_cmp);
	for (size_t i = 0; i < raw->n; i++) {
		if (kept && !raw_flat_cmp(&raw->items[kept - 1], &raw->items[i]))
			raw_merge(&raw->items[kept - 1], &raw->items[i]);
		else
			raw->items[kept++] = raw->items[i];
	}
	raw->n = kept;
	if (raw->n > RULES_COUNT_MAX)
		return -E2BIG;
	if (raw->n >= raw->cap / 2) {
		size_t cap = raw->cap ? raw->cap * 2 : RAW_INITIAL_CAP;
		struct raw_rule *grown = realloc(raw->items, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		raw->items = grown;
		raw->cap = cap;
	}
	return 0;
}

static int raw_add(struct raw_rules *raw, const struct netobs_policy_key *key, uint8_t action,
		   uint32_t policy, uint8_t match)
{
	struct raw_rule *r;
	int err;

	if (raw->n == raw->cap && (err = raw_compact(raw)))
		return err;
	r = &raw->items[raw->n++];
	r->key = *key;
	r->deny_policy = r->allow_policy = NO_POLICY;
	r->deny_match = r->allow_match = NETOBS_MATCH_NONE;
	if (action == POLICY_DENY) {
		r->deny_policy = policy;
		r->deny_match = match;
	} else {
		r->allow_policy = policy;
		r->allow_match = match;
	}
	return 0;
}

/* ---- what a rule applies to */

static void identity_add(struct rule_scope *scope, uint32_t identity)
{
	if (identity >= NETOBS_POLICY_IDENTITY_CIDR_BASE) {
		uint32_t index = identity - NETOBS_POLICY_IDENTITY_CIDR_BASE;

		if (scope->cidr_marked[index])
			return;
		scope->cidr_marked[index] = 1;
	}
	scope->identities[scope->n_identities++] = identity;
}

/* The CIDR identities inside cidr and inside none of its excepts. */
static void cidr_identities_add(const struct compile_ctx *c, struct rule_scope *scope,
				const struct policy_cidr *cidr)
{
	size_t lo = 0, hi = c->n_cidrs;

	/* The first prefix not before cidr's: those inside it follow in a run. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compile_prefix_cmp(&c->cidrs[mid].prefix, &cidr->prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < c->n_cidrs; i++) {
		const struct compile_cidr *candidate = &c->cidrs[i];
		bool excepted = false;

		if (!compile_prefix_contains(&cidr->prefix, &candidate->prefix))
			break;
		for (uint32_t x = 0; x < cidr->n_excepts && !excepted; x++)
			excepted = compile_prefix_contains(&cidr->excepts[x], &candidate->prefix);
		if (!excepted)
			identity_add(scope, candidate->identity);
	}
}

static void rule_identities(const struct compile_ctx *c, const struct policy_rule *rule,
			    struct rule_scope *scope)
{
	const struct policy_compile_input *in = c->in;

	/* Unmark the previous rule's CIDR identities (cheaper than clearing all). */
	for (size_t i = 0; i < scope->n_identities; i++)
		if (scope->identities[i] >= NETOBS_POLICY_IDENTITY_CIDR_BASE)
			scope->cidr_marked[scope->identities[i] -
					   NETOBS_POLICY_IDENTITY_CIDR_BASE] = 0;
	scope->n_identities = 0;
	if (!rule->n_endpoints && !rule->n_cidrs && !rule->n_fqdns && !rule->entities) {
		/* An L4-only rule: every peer. (The empty rule has no L4 either.) */
		if (rule->n_ports || rule->n_icmps)
			identity_add(scope, NETOBS_POLICY_IDENTITY_ANY);
		return;
	}
	if (rule->entities & POLICY_ENTITY_ALL)
		identity_add(scope, NETOBS_POLICY_IDENTITY_ANY);
	if (rule->entities & POLICY_ENTITY_HOST)
		identity_add(scope, NETOBS_POLICY_IDENTITY_HOST);
	if (rule->entities & POLICY_ENTITY_WORLD) {
		identity_add(scope, NETOBS_POLICY_IDENTITY_WORLD);
		for (size_t i = 0; i < c->n_cidrs; i++)
			identity_add(scope, c->cidrs[i].identity);
	}
	for (size_t e = 0; e < in->n_endpoints && rule->n_endpoints; e++) {
		const struct policy_compile_endpoint *ep = &in->endpoints[e];

		for (uint32_t s = 0; s < rule->n_endpoints; s++)
			if (policy_selector_matches(&rule->endpoints[s], ep->labels,
						    ep->n_labels)) {
				identity_add(scope,
					     NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + ep->ifindex);
				break;
			}
	}
	for (uint32_t k = 0; k < rule->n_cidrs; k++)
		cidr_identities_add(c, scope, &rule->cidrs[k]);
	for (size_t a = 0; a < in->n_fqdn_addrs && rule->n_fqdns; a++) {
		if (!c->fqdn_identity[a])
			continue; /* an endpoint's or the host's address */
		for (uint32_t f = 0; f < rule->n_fqdns; f++)
			if (policy_fqdn_matches(&rule->fqdns[f], in->fqdn_addrs[a].name)) {
				identity_add(scope, c->fqdn_identity[a]);
				break;
			}
	}
}

static int l4_add(struct rule_scope *scope, uint32_t prefixlen, uint8_t proto, uint8_t port_hi,
		  uint8_t port_lo)
{
	if (scope->n_l4 == scope->cap_l4) {
		size_t cap = scope->cap_l4 ? scope->cap_l4 * 2 : 64;
		struct l4_item *grown = realloc(scope->l4, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		scope->l4 = grown;
		scope->cap_l4 = cap;
	}
	scope->l4[scope->n_l4++] = (struct l4_item){
		.prefixlen = prefixlen,
		.proto = proto,
		.port = {port_hi, port_lo},
	};
	return 0;
}

/*
 * [lo, hi] as the fewest aligned blocks, each a port and how many of its
 * leading bits count. Returns the number of blocks.
 */
static size_t port_range_blocks(uint16_t lo, uint16_t hi, uint16_t *ports, uint8_t *bits)
{
	uint32_t start = lo, end = hi;
	size_t n = 0;

	while (start <= end && n < PORT_BLOCKS_MAX) {
		unsigned size_log = 0;

		/* Grow the block while start stays aligned to it and it ends in range. */
		while (size_log < 16 && !(start & ((2u << size_log) - 1)) &&
		       start + (2u << size_log) - 1 <= end)
			size_log++;
		ports[n] = (uint16_t)start;
		bits[n] = (uint8_t)(16 - size_log);
		n++;
		start += 1u << size_log;
	}
	return n;
}

static int rule_l4(const struct policy_rule *rule, struct rule_scope *scope)
{
	static const uint8_t any_protocols[] = {POLICY_PROTO_TCP, POLICY_PROTO_UDP,
						POLICY_PROTO_SCTP};
	int err;

	scope->n_l4 = 0;
	if (!rule->n_ports && !rule->n_icmps)
		return l4_add(scope, NETOBS_POLICY_PREFIX_PEER, 0, 0, 0);
	for (uint32_t i = 0; i < rule->n_ports; i++) {
		const struct policy_port *port = &rule->ports[i];
		const uint8_t *protos =
			port->protocol == POLICY_PROTO_ANY ? any_protocols : &port->protocol;
		size_t n_protos = port->protocol == POLICY_PROTO_ANY ? 3 : 1;
		uint16_t starts[PORT_BLOCKS_MAX];
		uint8_t bits[PORT_BLOCKS_MAX];
		size_t n_blocks;

		if (port->end_port < port->port)
			continue; /* the parser refuses it; nothing to allow */
		n_blocks = port_range_blocks(port->port, port->end_port, starts, bits);
		for (size_t p = 0; p < n_protos; p++)
			for (size_t b = 0; b < n_blocks; b++) {
				err = l4_add(scope, NETOBS_POLICY_PREFIX_PROTO + bits[b], protos[p],
					     (uint8_t)(starts[b] >> 8), (uint8_t)starts[b]);
				if (err)
					return err;
			}
	}
	for (uint32_t i = 0; i < rule->n_icmps; i++) {
		uint8_t proto = rule->icmps[i].family == 6 ? 58 : 1;

		/* The type is the port's first byte; the code is not matched. */
		err = l4_add(scope, NETOBS_POLICY_PREFIX_PROTO + 8, proto, rule->icmps[i].type, 0);
		if (err)
			return err;
	}
	return 0;
}

static uint8_t match_type(uint32_t identity, bool has_l4)
{
	if (identity == NETOBS_POLICY_IDENTITY_ANY)
		return has_l4 ? NETOBS_MATCH_L4_ONLY : NETOBS_MATCH_ALL;
	return has_l4 ? NETOBS_MATCH_L3_L4 : NETOBS_MATCH_L3_ONLY;
}

/* The raw entries of one rule of policy p for the endpoints its rule set selects. */
static int rule_emit(const struct compile_ctx *c, uint32_t p, const struct policy_rule *rule,
		     struct rule_scope *scope, struct raw_rules *raw)
{
	uint8_t direction = rule->direction == POLICY_EGRESS ? NETOBS_POLICY_DIR_EGRESS
							     : NETOBS_POLICY_DIR_INGRESS;
	bool has_l4 = rule->n_ports || rule->n_icmps;
	int err;

	rule_identities(c, rule, scope);
	if (!scope->n_identities)
		return 0;
	if ((err = rule_l4(rule, scope)))
		return err;
	for (size_t e = 0; e < scope->n_endpoints; e++)
		for (size_t i = 0; i < scope->n_identities; i++) {
			uint32_t identity = scope->identities[i];
			uint8_t match = match_type(identity, has_l4);

			for (size_t l = 0; l < scope->n_l4; l++) {
				const struct l4_item *item = &scope->l4[l];
				struct netobs_policy_key key = {
					.prefixlen = item->prefixlen,
					.ifindex = c->in->endpoints[scope->endpoints[e]].ifindex,
					.identity = identity,
					.direction = direction,
					.proto = item->proto,
				};

				memcpy(&key.port, item->port, sizeof(key.port));
				err = raw_add(raw, &key, rule->action, p, match);
				if (err)
					return err;
			}
		}
	return 0;
}

static int raw_collect(const struct compile_ctx *c, struct rule_scope *scope, struct raw_rules *raw)
{
	const struct policy_set *set = c->in->set;
	int err;

	for (uint32_t p = 0; set && p < set->n_policies; p++)
		for (uint32_t s = 0; s < set->policies[p].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[p].specs[s];

			scope->n_endpoints = 0;
			for (size_t e = 0; e < c->in->n_endpoints; e++)
				if (policy_selector_matches(&spec->subject,
							    c->in->endpoints[e].labels,
							    c->in->endpoints[e].n_labels))
					scope->endpoints[scope->n_endpoints++] = e;
			for (uint32_t r = 0; r < spec->n_rules && scope->n_endpoints; r++)
				if ((err = rule_emit(c, p, &spec->rules[r], scope, raw)))
					return err;
		}
	return 0;
}

/* ---- flattening */

/* A key covering the current one, with the first deny of it and every key covering it. */
struct flat_level {
	const struct netobs_policy_key *key;
	uint32_t deny_policy;
	uint8_t deny_match;
};

/*
 * raw is sorted by raw_flat_cmp() with unique keys, so the keys covering
 * one are on a stack: each gets the first policy (set order) denying any
 * of them, else its own allow (the most specific; of one key, the first
 * policy's).
 */
static void flatten(const struct compile_ctx *c, const struct raw_rules *raw,
		    struct policy_compiled_rule *rules)
{
	struct flat_level stack[FLATTEN_DEPTH_MAX + 1];
	size_t depth = 0;

	for (size_t i = 0; i < raw->n; i++) {
		const struct raw_rule *r = &raw->items[i];
		struct flat_level level = {
			.key = &r->key,
			.deny_policy = r->deny_policy,
			.deny_match = r->deny_match,
		};
		struct policy_compiled_rule *out = &rules[i];

		while (depth && !key_covers(stack[depth - 1].key, &r->key))
			depth--;
		if (depth) {
			const struct flat_level *parent = &stack[depth - 1];

			/*
			 * The parent's deny already merges every key above it.
			 * No allow to inherit: a key without a deny of its own
			 * has an allow of its own, the most specific one.
			 */
			if (parent->deny_policy < level.deny_policy) {
				level.deny_policy = parent->deny_policy;
				level.deny_match = parent->deny_match;
			}
		}
		/* Covering keys have strictly shorter prefixes: the stack stays bounded. */
		if (depth < FLATTEN_DEPTH_MAX + 1)
			stack[depth++] = level;
		out->key = r->key;
		memset(&out->value, 0, sizeof(out->value));
		if (level.deny_policy != NO_POLICY) {
			out->value.action = NETOBS_POLICY_ACTION_DENY;
			out->value.policy_id = c->in->policy_ids[level.deny_policy];
			out->value.match_type = level.deny_match;
		} else {
			out->value.action = NETOBS_POLICY_ACTION_ALLOW;
			out->value.policy_id = c->in->policy_ids[r->allow_policy];
			out->value.match_type = r->allow_match;
		}
	}
}

static int rules_too_many(struct compile_ctx *c, const char *more_than, size_t count)
{
	return compile_fail(c,
			    "policy needs %s%zu rule entries, the datapath holds %d "
			    "(map policy_rules): each selected endpoint, peer and port block "
			    "is one entry (a port range is split into aligned blocks); select "
			    "fewer endpoints or peers, or list fewer ports",
			    more_than, count, NETOBS_POLICY_RULES_MAX);
}

int compile_rules(struct compile_ctx *c)
{
	const struct policy_compile_input *in = c->in;
	struct raw_rules raw = {0};
	struct rule_scope scope = {0};
	size_t n_identities = in->n_endpoints + c->n_cidrs + 4;
	int err;

	scope.identities = calloc(n_identities, sizeof(*scope.identities));
	scope.cidr_marked = calloc(c->n_cidrs + 1, 1);
	scope.endpoints = calloc(in->n_endpoints + 1, sizeof(*scope.endpoints));
	if (!scope.identities || !scope.cidr_marked || !scope.endpoints) {
		err = -ENOMEM;
		goto out_free;
	}
	err = raw_collect(c, &scope, &raw);
	if (!err)
		err = raw_compact(&raw);
	if (err == -E2BIG) {
		err = rules_too_many(c, "more than ", RULES_COUNT_MAX);
		goto out_free;
	}
	if (err)
		goto out_free;
	if (raw.n > NETOBS_POLICY_RULES_MAX) {
		err = rules_too_many(c, "", raw.n);
		goto out_free;
	}
	c->out->rules = calloc(raw.n + 1, sizeof(*c->out->rules));
	if (!c->out->rules) {
		err = -ENOMEM;
		goto out_free;
	}
	flatten(c, &raw, c->out->rules);
	c->out->n_rules = raw.n;
	qsort(c->out->rules, c->out->n_rules, sizeof(*c->out->rules), compiled_rule_cmp);
out_free:
	free(raw.items);
	free(scope.identities);
	free(scope.cidr_marked);
	free(scope.endpoints);
	free(scope.l4);
	return err;
}
