// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy compiler judged by what it is for: random policy sets (fixed
 * seed) are compiled, and for a grid of packets the datapath's decision, a
 * longest prefix match over the compiled ipcache and rules as lib/abi.h
 * describes it (the peer's identity and ANY, deny wins), is compared with
 * the policy's meaning evaluated straight from the parsed model: which
 * rules' peer and port match, deny over allow, default deny. Nothing here
 * uses the compiler's identities, port blocks or flattening, so a wrong
 * flattening (an allow hiding a covering deny) shows up as a wrong decision.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile_test.h"

Suite *netobs_test_suite(void);

#define SETS	     60
#define TEXT_MAX     (64 * 1024)
#define POLICIES_MAX 4

/* ---- a deterministic generator (xorshift64*) */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

struct text {
	char buf[TEXT_MAX];
	size_t len;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0 && (size_t)n < sizeof(t->buf) - t->len);
	t->len += (size_t)n;
}

#define PICK(list) (list)[rnd(sizeof(list) / sizeof((list)[0]))]

static const char *const selectors[] = {
	"{}",
	"{\"matchLabels\":{\"app\":\"a\"}}",
	"{\"matchLabels\":{\"app\":\"b\"}}",
	"{\"matchLabels\":{\"role\":\"x\"}}",
	"{\"matchLabels\":{\"app\":\"a\",\"role\":\"x\"}}",
	"{\"matchLabels\":{\"netobs:endpoint\":\"e6\"}}",
	"{\"matchLabels\":{\"app\":\"zzz\"}}",
};
static const char *const cidrs[] = {
	"10.0.0.0/8",  "10.96.0.0/12",	  "10.96.1.0/24", "192.168.0.0/16",
	"0.0.0.0/0",   "93.184.216.0/24", "fd00::/8",	  "2001:db8::/32",
	"10.0.0.5/32", "2001:db8:1::/48", "1.2.3.4/32",	  "::/0",
};
static const char *const cidr_sets[] = {
	"{\"cidr\":\"10.0.0.0/8\",\"except\":[\"10.96.0.0/12\"]}",
	"{\"cidr\":\"0.0.0.0/0\",\"except\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}",
	"{\"cidr\":\"2001:db8::/32\",\"except\":[\"2001:db8:1::/48\"]}",
	"{\"cidr\":\"10.96.0.0/12\",\"except\":[\"10.96.1.0/24\"]}",
};
static const char *const entities[] = {"host", "world", "all"};
static const char *const fqdns[] = {
	"{\"matchPattern\":\"*.example.com\"}",
	"{\"matchName\":\"api.example.org\"}",
	"{\"matchPattern\":\"*\"}",
	"{\"matchName\":\"host.example.com\"}",
	"{\"matchPattern\":\"a.*.example.com\"}",
};
static const char *const ports[] = {
	"{\"port\":\"80\",\"protocol\":\"TCP\"}",
	"{\"port\":\"53\",\"protocol\":\"ANY\"}",
	"{\"port\":\"1000\",\"endPort\":2000,\"protocol\":\"TCP\"}",
	"{\"port\":\"0\",\"protocol\":\"UDP\"}",
	"{\"port\":\"443\"}",
	"{\"port\":\"1500\",\"endPort\":1600,\"protocol\":\"UDP\"}",
	"{\"port\":\"8080\",\"protocol\":\"SCTP\"}",
	"{\"port\":\"0\",\"protocol\":\"TCP\"}",
	"{\"port\":\"1024\",\"endPort\":65535,\"protocol\":\"TCP\"}",
	"{\"port\":\"999\",\"endPort\":1001,\"protocol\":\"ANY\"}",
};
static const char *const icmp_fields[] = {
	"{\"type\":8,\"family\":\"IPv4\"}",
	"{\"type\":128,\"family\":\"IPv6\"}",
	"{\"type\":3}",
	"{\"type\":\"EchoReply\"}",
};

static void put_list(struct text *t, const char *const *items, size_t n_items, uint32_t count)
{
	uint32_t first = rnd((uint32_t)n_items);

	put(t, "[");
	/* Distinct items: consecutive ones from a random start. */
	for (uint32_t i = 0; i < count && i < n_items; i++)
		put(t, "%s%s", i ? "," : "", items[(first + i) % n_items]);
	put(t, "]");
}

static void put_quoted_list(struct text *t, const char *const *items, size_t n_items,
			    uint32_t count)
{
	uint32_t first = rnd((uint32_t)n_items);

	put(t, "[");
	for (uint32_t i = 0; i < count && i < n_items; i++)
		put(t, "%s\"%s\"", i ? "," : "", items[(first + i) % n_items]);
	put(t, "]");
}

#define N(list) (sizeof(list) / sizeof((list)[0]))

static void put_rule(struct text *t, bool ingress, bool deny)
{
	const char *dir = ingress ? "from" : "to";
	uint32_t peer = rnd(6), l4 = rnd(3);
	bool comma = false;

	if (peer == 4 && (ingress || deny))
		peer = 5; /* toFQDNs: egress allow only */
	put(t, "{");
	switch (peer) {
	case 0:
		put(t, "\"%sEndpoints\":", dir);
		put_list(t, selectors, N(selectors), 1 + rnd(2));
		break;
	case 1:
		put(t, "\"%sCIDR\":", dir);
		put_quoted_list(t, cidrs, N(cidrs), 1 + rnd(2));
		break;
	case 2:
		put(t, "\"%sCIDRSet\":", dir);
		put_list(t, cidr_sets, N(cidr_sets), 1 + rnd(2));
		break;
	case 3:
		put(t, "\"%sEntities\":", dir);
		put_quoted_list(t, entities, N(entities), 1 + rnd(2));
		break;
	case 4:
		put(t, "\"toFQDNs\":");
		put_list(t, fqdns, N(fqdns), 1 + rnd(2));
		break;
	}
	comma = peer != 5;
	if (l4 == 1) {
		put(t, "%s\"toPorts\":[{\"ports\":", comma ? "," : "");
		put_list(t, ports, N(ports), 1 + rnd(2));
		put(t, "}]");
	} else if (l4 == 2) {
		put(t, "%s\"icmps\":[{\"fields\":", comma ? "," : "");
		put_list(t, icmp_fields, N(icmp_fields), 1 + rnd(2));
		put(t, "}]");
	}
	put(t, "}");
}

static void put_spec(struct text *t)
{
	static const char *const sections[] = {"ingress", "ingressDeny", "egress", "egressDeny"};
	bool any = false;

	put(t, "{\"endpointSelector\":%s", PICK(selectors));
	if (!rnd(4))
		put(t, ",\"enableDefaultDeny\":{\"ingress\":%s,\"egress\":%s}",
		    rnd(2) ? "true" : "false", rnd(2) ? "true" : "false");
	for (size_t s = 0; s < 4; s++) {
		uint32_t n = 1 + rnd(3);

		if (rnd(2) && !(s == 3 && !any))
			continue;
		any = true;
		put(t, ",\"%s\":[", sections[s]);
		for (uint32_t r = 0; r < n; r++) {
			put(t, "%s", r ? "," : "");
			put_rule(t, s < 2, s % 2 == 1);
		}
		put(t, "]");
	}
	put(t, "}");
}

static void put_policy_set(struct text *t, uint32_t n_policies)
{
	put(t, "[");
	for (uint32_t p = 0; p < n_policies; p++) {
		put(t,
		    "%s{\"apiVersion\":\"cilium.io/v2\",\"kind\":\"CiliumNetworkPolicy\","
		    "\"metadata\":{\"name\":\"p%u\"},",
		    p ? "," : "", p);
		if (rnd(4)) {
			put(t, "\"spec\":");
			put_spec(t);
		} else {
			put(t, "\"specs\":[");
			put_spec(t);
			put(t, ",");
			put_spec(t);
			put(t, "]");
		}
		put(t, "}");
	}
	put(t, "]");
}

/* ---- the node: endpoints, host, DNS answers, and the packets' peers */

#define N_ENDPOINTS 4
#define N_HOST	    3
#define N_FQDN	    5

static struct pc_endpoint endpoints[N_ENDPOINTS];
static struct policy_prefix host_addrs[N_HOST];
static struct policy_compile_fqdn_addr fqdn_addrs[N_FQDN];

static void node_init(void)
{
	pc_endpoint_init(&endpoints[0], 5, "app=a,role=x", "10.0.0.5,fd00::5", false);
	pc_endpoint_init(&endpoints[1], 6, "app=b,netobs:endpoint=e6", "10.0.0.6,fd00::6", false);
	pc_endpoint_init(&endpoints[2], 300, "app=c,role=x", "10.1.0.44", true);
	pc_endpoint_init(&endpoints[3], 7, "app=a", "192.168.0.7,fd00::7", false);
	host_addrs[0] = pc_prefix("10.0.0.254");
	host_addrs[1] = pc_prefix("fd00::fe");
	host_addrs[2] = pc_prefix("192.168.0.1");
	fqdn_addrs[0] =
		(struct policy_compile_fqdn_addr){"www.example.com", pc_prefix("93.184.216.34")};
	fqdn_addrs[1] = (struct policy_compile_fqdn_addr){"api.example.org", pc_prefix("1.2.3.4")};
	fqdn_addrs[2] =
		(struct policy_compile_fqdn_addr){"a.b.example.com", pc_prefix("93.184.216.35")};
	fqdn_addrs[3] =
		(struct policy_compile_fqdn_addr){"host.example.com", pc_prefix("10.0.0.254")};
	fqdn_addrs[4] =
		(struct policy_compile_fqdn_addr){"www.example.com", pc_prefix("2001:db8:1::80")};
}

static const char *const peers[] = {
	"10.0.0.5",	  "fd00::5",	   "10.0.0.6",	    "fd00::6",	   "10.1.0.44",
	"192.168.0.7",	  "fd00::7",	   "10.0.0.254",    "fd00::fe",	   "192.168.0.1",
	"10.96.1.1",	  "10.96.2.2",	   "10.1.2.3",	    "192.168.5.5", "8.8.8.8",
	"93.184.216.34",  "93.184.216.35", "93.184.216.99", "1.2.3.4",	   "2001:db8::1",
	"2001:db8:1::80", "2001:db8:1::1", "fd00::99",	    "2a00::1",	   "10.0.0.99",
};
static const uint16_t grid_ports[] = {1,    53,	  80,	443,  998,  999,  1000, 1001, 1023,
				      1024, 1500, 1600, 1601, 2000, 2001, 8080, 65535};
static const uint8_t grid_icmp[][2] = {{0, 0}, {3, 1}, {8, 0}, {8, 5}, {128, 0}, {129, 0}};

/* ---- the policy's meaning, from the model */

enum peer_kind {
	PEER_ENDPOINT,
	PEER_HOST,
	PEER_WORLD
};

struct packet {
	size_t endpoint; /* index into endpoints[] */
	uint8_t direction;
	struct policy_prefix peer;
	enum peer_kind peer_kind;
	size_t peer_endpoint;
	uint8_t proto;
	bool icmp;
	uint16_t port;
	uint8_t icmp_type, icmp_code;
};

static bool addr_inside(const struct policy_prefix *prefix, const struct policy_prefix *addr)
{
	return prefix->family == addr->family &&
	       pc_bits_equal(prefix->addr, addr->addr, prefix->len);
}

static bool same_addr(const struct policy_prefix *a, const struct policy_prefix *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, a->family == 4 ? 4 : 16);
}

/* Who owns an address: the endpoint with the lowest ifindex, else the host, else the world. */
static void classify_peer(struct packet *pkt)
{
	uint32_t best = UINT32_MAX;

	pkt->peer_kind = PEER_WORLD;
	for (size_t e = 0; e < N_ENDPOINTS; e++)
		for (size_t a = 0; a < endpoints[e].ep.n_addrs; a++)
			if (same_addr(&endpoints[e].addrs[a], &pkt->peer) &&
			    endpoints[e].ep.ifindex < best) {
				best = endpoints[e].ep.ifindex;
				pkt->peer_kind = PEER_ENDPOINT;
				pkt->peer_endpoint = e;
			}
	if (pkt->peer_kind == PEER_WORLD)
		for (size_t h = 0; h < N_HOST; h++)
			if (same_addr(&host_addrs[h], &pkt->peer))
				pkt->peer_kind = PEER_HOST;
}

/* DNS patterns written apart from the compiler: '*' is any run of non-dot characters. */
static bool glob(const char *pattern, const char *name)
{
	if (!*pattern)
		return !*name;
	if (*pattern == '*') {
		for (const char *n = name;; n++) {
			if (glob(pattern + 1, n))
				return true;
			if (!*n || *n == '.')
				return false;
		}
	}
	return *pattern == *name && glob(pattern + 1, name + 1);
}

static bool fqdn_selects(const struct policy_fqdn *f, const char *name)
{
	if (f->kind == POLICY_FQDN_NAME)
		return !strcmp(f->text, name);
	return !strcmp(f->text, "*") || glob(f->text, name);
}

static bool rule_peer_matches(const struct policy_rule *r, const struct packet *pkt)
{
	if (r->n_endpoints) {
		const struct pc_endpoint *peer = &endpoints[pkt->peer_endpoint];

		if (pkt->peer_kind != PEER_ENDPOINT)
			return false;
		for (uint32_t s = 0; s < r->n_endpoints; s++)
			if (policy_selector_matches(&r->endpoints[s], peer->labels,
						    peer->ep.n_labels))
				return true;
		return false;
	}
	if (r->n_cidrs) {
		if (pkt->peer_kind != PEER_WORLD)
			return false;
		for (uint32_t c = 0; c < r->n_cidrs; c++) {
			bool excepted = false;

			if (!addr_inside(&r->cidrs[c].prefix, &pkt->peer))
				continue;
			for (uint32_t x = 0; x < r->cidrs[c].n_excepts; x++)
				excepted |= addr_inside(&r->cidrs[c].excepts[x], &pkt->peer);
			if (!excepted)
				return true;
		}
		return false;
	}
	if (r->entities)
		return (r->entities & POLICY_ENTITY_ALL) ||
		       ((r->entities & POLICY_ENTITY_HOST) && pkt->peer_kind == PEER_HOST) ||
		       ((r->entities & POLICY_ENTITY_WORLD) && pkt->peer_kind == PEER_WORLD);
	if (r->n_fqdns) {
		if (pkt->peer_kind != PEER_WORLD)
			return false;
		for (size_t a = 0; a < N_FQDN; a++)
			for (uint32_t f = 0; f < r->n_fqdns; f++)
				if (same_addr(&fqdn_addrs[a].addr, &pkt->peer) &&
				    fqdn_selects(&r->fqdns[f], fqdn_addrs[a].name))
					return true;
		return false;
	}
	/* No peer: every peer for an L4-only rule, none for the empty rule. */
	return r->n_ports || r->n_icmps;
}

static bool rule_l4_matches(const struct policy_rule *r, const struct packet *pkt)
{
	if (!r->n_ports && !r->n_icmps)
		return true;
	for (uint32_t i = 0; i < r->n_ports && !pkt->icmp; i++) {
		const struct policy_port *p = &r->ports[i];
		bool proto = p->protocol == pkt->proto ||
			     (p->protocol == POLICY_PROTO_ANY &&
			      (pkt->proto == 6 || pkt->proto == 17 || pkt->proto == 132));

		if (proto && pkt->port >= p->port && pkt->port <= p->end_port)
			return true;
	}
	for (uint32_t i = 0; i < r->n_icmps && pkt->icmp; i++)
		if (pkt->proto == (r->icmps[i].family == 4 ? 1 : 58) &&
		    pkt->icmp_type == r->icmps[i].type)
			return true;
	return false;
}

struct judgement {
	bool enforced, default_deny;
	uint64_t deny_policies, allow_policies; /* bit per policy index */
};

static struct judgement judge(const struct policy_set *set, const struct packet *pkt)
{
	const struct pc_endpoint *e = &endpoints[pkt->endpoint];
	uint8_t dir = pkt->direction == PC_IN ? POLICY_INGRESS : POLICY_EGRESS;
	struct judgement j = {0};

	for (uint32_t p = 0; p < set->n_policies; p++)
		for (uint32_t s = 0; s < set->policies[p].n_specs; s++) {
			const struct policy_spec *spec = &set->policies[p].specs[s];

			if (!policy_selector_matches(&spec->subject, e->labels, e->ep.n_labels))
				continue;
			j.enforced |= dir == POLICY_INGRESS ? spec->has_ingress : spec->has_egress;
			j.default_deny |= dir == POLICY_INGRESS ? spec->default_deny_ingress
								: spec->default_deny_egress;
			for (uint32_t r = 0; r < spec->n_rules; r++) {
				const struct policy_rule *rule = &spec->rules[r];

				if (rule->direction != dir || !rule_peer_matches(rule, pkt) ||
				    !rule_l4_matches(rule, pkt))
					continue;
				if (rule->action == POLICY_DENY)
					j.deny_policies |= 1ull << p;
				else
					j.allow_policies |= 1ull << p;
			}
		}
	return j;
}

/* ---- the datapath's decision from the compiled maps, and the comparison */

struct tally {
	size_t packets, denied, allowed, unmatched, not_enforced;
};

static void check_packet(const struct policy_set *set, const struct policy_compiled *out,
			 const struct packet *pkt, struct tally *tally, const char *text)
{
	const struct pc_endpoint *e = &endpoints[pkt->endpoint];
	const struct policy_compiled_endpoint *ce = pc_endpoint_find(out, e->ep.ifindex);
	struct judgement want = judge(set, pkt);
	uint32_t rules_flag =
		pkt->direction == PC_IN ? NETOBS_PEP_INGRESS_RULES : NETOBS_PEP_EGRESS_RULES;
	uint32_t deny_flag = pkt->direction == PC_IN ? NETOBS_PEP_INGRESS_DEFAULT_DENY
						     : NETOBS_PEP_EGRESS_DEFAULT_DENY;
	const struct policy_compiled_rule *found[2];
	uint8_t bytes[2];
	uint32_t identity, first_deny = UINT32_MAX;
	bool denied = false, allowed = false;
	char peer[64];

	policy_prefix_format(&pkt->peer, peer, sizeof(peer));
	tally->packets++;
	ck_assert_msg((ce && (ce->value.flags & rules_flag)) == want.enforced,
		      "endpoint %u dir %u enforced: %d, want %d\n%s", e->ep.ifindex, pkt->direction,
		      ce && (ce->value.flags & rules_flag), want.enforced, text);
	if (!want.enforced) {
		tally->not_enforced++;
		return;
	}
	ck_assert(!!(ce->value.flags & deny_flag) == want.default_deny);
	if (pkt->icmp) {
		bytes[0] = pkt->icmp_type;
		bytes[1] = pkt->icmp_code;
	} else {
		bytes[0] = (uint8_t)(pkt->port >> 8);
		bytes[1] = (uint8_t)pkt->port;
	}
	identity = pc_identity_of(out, &pkt->peer);
	found[0] = pc_rule_lookup(out, e->ep.ifindex, identity, pkt->direction, pkt->proto, bytes);
	found[1] = pc_rule_lookup(out, e->ep.ifindex, NETOBS_POLICY_IDENTITY_ANY, pkt->direction,
				  pkt->proto, bytes);
	for (size_t i = 0; i < 2; i++) {
		if (!found[i])
			continue;
		if (found[i]->value.action == NETOBS_POLICY_ACTION_DENY) {
			denied = true;
			if (found[i]->value.policy_id < first_deny)
				first_deny = found[i]->value.policy_id;
		} else {
			allowed = true;
		}
	}
	ck_assert_msg(denied == !!want.deny_policies,
		      "endpoint %u dir %u peer %s (identity %u) proto %u port %u/%u,%u: "
		      "denied %d, the policy says %d\n%s",
		      e->ep.ifindex, pkt->direction, peer, identity, pkt->proto, pkt->port,
		      pkt->icmp_type, pkt->icmp_code, denied, !!want.deny_policies, text);
	if (denied) {
		/* The first denying policy in set order is reported. */
		ck_assert_uint_eq(first_deny, PC_POLICY_ID_BASE + (uint32_t)__builtin_ctzll(
									  want.deny_policies));
		tally->denied++;
		return;
	}
	ck_assert_msg(allowed == !!want.allow_policies,
		      "endpoint %u dir %u peer %s (identity %u) proto %u port %u/%u,%u: "
		      "allowed %d, the policy says %d\n%s",
		      e->ep.ifindex, pkt->direction, peer, identity, pkt->proto, pkt->port,
		      pkt->icmp_type, pkt->icmp_code, allowed, !!want.allow_policies, text);
	for (size_t i = 0; i < 2 && allowed; i++)
		if (found[i])
			ck_assert(want.allow_policies &
				  (1ull << (found[i]->value.policy_id - PC_POLICY_ID_BASE)));
	if (allowed)
		tally->allowed++;
	else
		tally->unmatched++;
}

static void check_grid(const struct policy_set *set, const struct policy_compiled *out,
		       struct tally *tally, const char *text)
{
	static const uint8_t protos[] = {6, 17, 132};
	struct packet pkt = {0};

	for (pkt.endpoint = 0; pkt.endpoint < N_ENDPOINTS; pkt.endpoint++)
		for (uint8_t dir = 0; dir < 2; dir++)
			for (size_t p = 0; p < N(peers); p++) {
				pkt.direction = dir;
				pkt.peer = pc_prefix(peers[p]);
				classify_peer(&pkt);
				pkt.icmp = false;
				for (size_t i = 0; i < N(protos); i++)
					for (size_t j = 0; j < N(grid_ports); j++) {
						pkt.proto = protos[i];
						pkt.port = grid_ports[j];
						check_packet(set, out, &pkt, tally, text);
					}
				pkt.icmp = true;
				pkt.port = 0;
				pkt.proto = pkt.peer.family == 4 ? 1 : 58;
				for (size_t i = 0; i < N(grid_icmp); i++) {
					pkt.icmp_type = grid_icmp[i][0];
					pkt.icmp_code = grid_icmp[i][1];
					check_packet(set, out, &pkt, tally, text);
				}
			}
}

START_TEST(test_oracle_random_sets)
{
	static struct text text;
	struct pc_input pi = {.endpoints = endpoints,
			      .n_endpoints = N_ENDPOINTS,
			      .host_addrs = host_addrs,
			      .n_host_addrs = N_HOST,
			      .fqdn_addrs = fqdn_addrs,
			      .n_fqdn_addrs = N_FQDN};
	struct tally tally = {0};
	size_t rules = 0;

	node_init();
	rng_state = 0x6e65746f62730001ull;
	for (int round = 0; round < SETS; round++) {
		struct policy_set set;
		struct policy_compiled out;

		text.len = 0;
		put_policy_set(&text, 1 + rnd(POLICIES_MAX));
		pc_load(&set, text.buf);
		pc_compile(&set, &pi, &out);
		rules += out.n_rules;
		check_grid(&set, &out, &tally, text.buf);
		policy_compiled_free(&out);
		policy_set_free(&set);
	}
	printf("oracle: %d sets, %zu rule entries, %zu packets: %zu denied, %zu allowed, "
	       "%zu matched no rule, %zu not enforced\n",
	       SETS, rules, tally.packets, tally.denied, tally.allowed, tally.unmatched,
	       tally.not_enforced);
	/* The sets must exercise every outcome, or the comparison proves little. */
	ck_assert_uint_gt(tally.denied, tally.packets / 50);
	ck_assert_uint_gt(tally.allowed, tally.packets / 50);
	ck_assert_uint_gt(tally.unmatched, tally.packets / 50);
	ck_assert_uint_gt(tally.not_enforced, 0);
	ck_assert_uint_gt(rules, SETS * 10);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("policy_compile_oracle");
	TCase *tc = tcase_create("policy_compile_oracle");

	tcase_set_timeout(tc, 110);
	tcase_add_test(tc, test_oracle_random_sets);
	suite_add_tcase(s, tc);
	return s;
}
