// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy compiler (lib/policy_compile.h) on small policy sets whose map
 * contents are written out here by hand from the contract: endpoint flags,
 * ipcache keys and identities, rule keys and their values after
 * flattening, the bounds. test_policy_compile_oracle.c checks decisions
 * against the policy model on random sets.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile_test.h"

Suite *netobs_test_suite(void);

#define DOC(name, spec)                                                                            \
	"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: " name "}\n"        \
	"spec: {" spec "}\n---\n"
#define WEB "endpointSelector: {matchLabels: {app: web}}, "

#define TCP	6
#define UDP	17
#define SCTP	132
#define PEER	NETOBS_POLICY_PREFIX_PEER
#define PROTO	NETOBS_POLICY_PREFIX_PROTO
#define FULL	NETOBS_POLICY_PREFIX_FULL
#define ALLOW	NETOBS_POLICY_ACTION_ALLOW
#define DENY	NETOBS_POLICY_ACTION_DENY
#define CIDR(n) (NETOBS_POLICY_IDENTITY_CIDR_BASE + (n))

/* web 10, client 11 and 12, other 13: the endpoints most tests use. */
static void four_endpoints(struct pc_endpoint eps[4])
{
	pc_endpoint_init(&eps[0], 10, "app=web", "10.0.0.10,fd00::10", false);
	pc_endpoint_init(&eps[1], 11, "app=client,netobs:endpoint=c1", "10.0.0.11", false);
	pc_endpoint_init(&eps[2], 12, "app=client,endpoint=c1", "10.0.0.12", false);
	pc_endpoint_init(&eps[3], 13, "app=other", "10.0.0.13", false);
}

static void compile_four(const char *text, struct policy_set *set, struct policy_compiled *out)
{
	struct pc_endpoint eps[4];
	struct pc_input pi = {.endpoints = eps, .n_endpoints = 4};

	four_endpoints(eps);
	pc_load(set, text);
	pc_compile(set, &pi, out);
}

static void done(struct policy_set *set, struct policy_compiled *out)
{
	policy_compiled_free(out);
	policy_set_free(set);
}

START_TEST(test_endpoint_flags)
{
	struct pc_endpoint eps[3];
	struct pc_input pi = {.endpoints = eps, .n_endpoints = 3};
	struct policy_set set;
	struct policy_compiled out;
	const struct policy_compiled_endpoint *web, *db;

	pc_load(&set,
		DOC("a", WEB "ingress: [{}]") DOC(
			"b",
			"endpointSelector: {matchLabels: {app: db}}, "
			"enableDefaultDeny: {ingress: false}, ingress: [{fromEntities: [host]}]")
			DOC("c", WEB "egress: [{toEntities: [world]}]") DOC(
				"d",
				"endpointSelector: {matchLabels: {app: nothing}}, ingress: [{}]"));
	pc_endpoint_init(&eps[0], 10, "app=web", "10.0.0.10", false);
	pc_endpoint_init(&eps[1], 11, "app=db", "10.0.0.11", true);
	pc_endpoint_init(&eps[2], 12, "app=other", "10.0.0.12", true);
	pc_compile(&set, &pi, &out);

	/* other: no policy selects it, audit or not. */
	ck_assert_uint_eq(out.n_endpoints, 2);
	ck_assert_ptr_null(pc_endpoint_find(&out, 12));
	web = pc_endpoint_find(&out, 10);
	ck_assert_ptr_nonnull(web);
	ck_assert_uint_eq(web->value.flags,
			  NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY |
				  NETOBS_PEP_EGRESS_RULES | NETOBS_PEP_EGRESS_DEFAULT_DENY);
	ck_assert_uint_eq(web->value.identity, PC_EP(10));
	ck_assert_uint_eq(web->n_ingress_policies, 1);
	ck_assert_uint_eq(web->ingress_policies[0], 0);
	ck_assert_uint_eq(web->n_egress_policies, 1);
	ck_assert_uint_eq(web->egress_policies[0], 2);
	/* db: enableDefaultDeny.ingress false: rules, no default deny; audit. */
	db = pc_endpoint_find(&out, 11);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(db->value.flags, NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_AUDIT);
	ck_assert_uint_eq(db->n_ingress_policies, 1);
	ck_assert_uint_eq(db->ingress_policies[0], 1);
	ck_assert_uint_eq(db->n_egress_policies, 0);

	/* Every endpoint's address is a peer, selected or not. */
	ck_assert_uint_eq(out.n_ipcache, 3);
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.0.0.12"), PC_EP(12));
	/* The empty rule: default deny, no entry. */
	ck_assert_uint_eq(pc_rules_of(&out, 10, PC_IN), 0);
	pc_expect_rule(&out, 11, NETOBS_POLICY_IDENTITY_HOST, PC_IN, 0, 0, PEER, ALLOW, 1,
		       NETOBS_MATCH_L3_ONLY);
	/* world without CIDR identities: only WORLD. */
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_WORLD, PC_EG, 0, 0, PEER, ALLOW, 2,
		       NETOBS_MATCH_L3_ONLY);
	ck_assert_uint_eq(out.n_rules, 2);
	done(&set, &out);
}
END_TEST

/* specs: each rule set selects on its own; a policy counts once per direction. */
START_TEST(test_specs)
{
	struct pc_endpoint eps[2];
	struct pc_input pi = {.endpoints = eps, .n_endpoints = 2};
	struct policy_set set;
	struct policy_compiled out;
	const struct policy_compiled_endpoint *web, *db;

	pc_load(&set,
		"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: s}\n"
		"specs:\n"
		"- {endpointSelector: {matchLabels: {app: web}}, ingress: [{fromEntities: "
		"[host]}]}\n"
		"- {endpointSelector: {}, ingress: [{fromEntities: [world]}]}\n"
		"- {endpointSelector: {matchLabels: {app: db}}, egress: [{toEntities: [host]}],"
		"   enableDefaultDeny: {egress: false}}\n");
	pc_endpoint_init(&eps[0], 10, "app=web", "10.0.0.10", false);
	pc_endpoint_init(&eps[1], 11, "app=db", "10.0.0.11", false);
	pc_compile(&set, &pi, &out);
	web = pc_endpoint_find(&out, 10);
	db = pc_endpoint_find(&out, 11);
	ck_assert_ptr_nonnull(web);
	ck_assert_ptr_nonnull(db);
	ck_assert_uint_eq(web->value.flags,
			  NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY);
	ck_assert_uint_eq(web->n_ingress_policies, 1);
	ck_assert_uint_eq(db->value.flags, NETOBS_PEP_INGRESS_RULES |
						   NETOBS_PEP_INGRESS_DEFAULT_DENY |
						   NETOBS_PEP_EGRESS_RULES);
	ck_assert_uint_eq(db->n_ingress_policies, 1);
	ck_assert_uint_eq(db->n_egress_policies, 1);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_HOST, PC_IN, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_WORLD, PC_IN, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 11, NETOBS_POLICY_IDENTITY_WORLD, PC_IN, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 11, NETOBS_POLICY_IDENTITY_HOST, PC_EG, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	ck_assert_uint_eq(out.n_rules, 4);
	done(&set, &out);
}
END_TEST

START_TEST(test_ipcache)
{
	struct pc_endpoint eps[2];
	struct policy_prefix host[2];
	struct policy_compile_fqdn_addr fqdns[3];
	struct pc_input pi = {.endpoints = eps,
			      .n_endpoints = 2,
			      .host_addrs = host,
			      .n_host_addrs = 2,
			      .fqdn_addrs = fqdns,
			      .n_fqdn_addrs = 3};
	struct policy_set set;
	struct policy_compiled out;
	const struct policy_compiled_ipcache *e;
	static const struct {
		const char *prefix;
		uint32_t identity;
	} want[] = {
		{"10.0.0.1/32", PC_EP(10)}, {"fd00::1/128", PC_EP(10)},
		{"10.0.0.2/32", PC_EP(11)}, {"192.168.1.1/32", NETOBS_POLICY_IDENTITY_HOST},
		{"10.0.0.0/8", CIDR(0)},    {"10.96.0.0/12", CIDR(1)},
		{"1.2.3.4/32", CIDR(2)},
	};

	pc_load(&set, DOC("p", WEB
			  "ingress: [{fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.96.0.0/12]}]},"
			  " {fromCIDR: [192.168.1.1/32, 10.0.0.1/32, 10.1.2.3/8]}],"
			  " egress: [{toFQDNs: [{matchName: a.example.com}]}]"));
	/* The higher ifindex first: the lower still wins the shared address. */
	pc_endpoint_init(&eps[0], 11, "app=db", "10.0.0.2,10.0.0.1", false);
	pc_endpoint_init(&eps[1], 10, "app=web", "10.0.0.1,fd00::1", false);
	/* An endpoint's address wins over the host's; a length is ignored (a host address). */
	host[0] = pc_prefix("10.0.0.2");
	host[1] = pc_prefix("192.168.1.1/24");
	fqdns[0] = (struct policy_compile_fqdn_addr){"a.example.com", pc_prefix("1.2.3.4")};
	fqdns[1] = (struct policy_compile_fqdn_addr){"b.example.com", pc_prefix("1.2.3.4")};
	fqdns[2] = (struct policy_compile_fqdn_addr){"c.example.com", pc_prefix("10.0.0.1")};
	pc_compile(&set, &pi, &out);

	ck_assert_uint_eq(out.n_ipcache, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct policy_prefix p = pc_prefix(want[i].prefix);

		e = pc_ipcache_find(&out, want[i].prefix);
		ck_assert_msg(e, "no ipcache entry %s", want[i].prefix);
		ck_assert_uint_eq(e->value.identity, want[i].identity);
		ck_assert_uint_eq(e->key.prefixlen, 32 + p.len);
		ck_assert_uint_eq(e->key.family, p.family);
	}
	/* CIDR identities in the order first met: rule prefix, its except, then DNS. */
	ck_assert_uint_eq(out.n_cidr_identities, 3);
	ck_assert_uint_eq(out.cidr_identities[0].len, 8);
	ck_assert_uint_eq(out.cidr_identities[0].addr[0], 10);
	ck_assert_uint_eq(out.cidr_identities[1].len, 12);
	ck_assert_uint_eq(out.cidr_identities[1].addr[1], 96);
	ck_assert_uint_eq(out.cidr_identities[2].len, 32);
	ck_assert_uint_eq(out.cidr_identities[2].addr[3], 4);
	/* What the datapath's longest prefix match finds. */
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.0.0.1"), PC_EP(10));
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.5.5.5"), CIDR(0));
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.96.3.3"), CIDR(1));
	ck_assert_uint_eq(pc_identity_of_text(&out, "11.0.0.1"), NETOBS_POLICY_IDENTITY_WORLD);
	ck_assert_uint_eq(pc_identity_of_text(&out, "fd00::2"), NETOBS_POLICY_IDENTITY_WORLD);
	/*
	 * The CIDR rules reach neither the host's nor an endpoint's address;
	 * the plain 10/8 of the second rule takes in the first one's except.
	 */
	pc_expect_rule(&out, 10, CIDR(0), PC_IN, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, CIDR(1), PC_IN, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, CIDR(2), PC_EG, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	ck_assert_uint_eq(out.n_rules, 3);
	done(&set, &out);
}
END_TEST

START_TEST(test_rules_endpoints)
{
	struct policy_set set;
	struct policy_compiled out;

	compile_four(DOC("p0", WEB "ingress: [{fromEndpoints: [{matchLabels: {app: client}}],"
				   " toPorts: [{ports: [{port: '8080', protocol: TCP}]}]}]")
			     DOC("p1", WEB "egress: [{toEndpoints: [{}]}]") DOC(
				     "p2",
				     "endpointSelector: {matchLabels: {app: client}},"
				     " ingress: [{fromEndpoints: [{matchLabels: {app: nobody}}]}]")
				     DOC("p3", "endpointSelector: {matchLabels: {app: other}},"
					       " ingress: [{fromEndpoints: [{matchLabels: "
					       "{'netobs:endpoint': c1}}]}]"),
		     &set, &out);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 8080, FULL, ALLOW, 0, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, PC_EP(12), PC_IN, TCP, 8080, FULL, ALLOW, 0, NETOBS_MATCH_L3_L4);
	/* {} selects every endpoint, itself included. */
	for (uint32_t ifindex = 10; ifindex <= 13; ifindex++)
		pc_expect_rule(&out, 10, PC_EP(ifindex), PC_EG, 0, 0, PEER, ALLOW, 1,
			       NETOBS_MATCH_L3_ONLY);
	/* A selector matching no endpoint: default deny, no entry. */
	ck_assert_uint_eq(pc_rules_of(&out, 11, PC_IN), 0);
	ck_assert_uint_eq(pc_endpoint_find(&out, 11)->value.flags,
			  NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY);
	/* netobs:endpoint=c1 matches that source only (12 has user:endpoint=c1). */
	pc_expect_rule(&out, 13, PC_EP(11), PC_IN, 0, 0, PEER, ALLOW, 3, NETOBS_MATCH_L3_ONLY);
	ck_assert_uint_eq(pc_rules_of(&out, 13, PC_IN), 1);
	ck_assert_uint_eq(out.n_rules, 7);
	done(&set, &out);
}
END_TEST

START_TEST(test_ports)
{
	/* 1000-2000 as aligned blocks, worked out by hand: start, leading bits. */
	static const struct {
		uint16_t port;
		uint8_t bits;
	} blocks[] = {{1000, 13}, {1008, 12}, {1024, 7},  {1536, 8},
		      {1792, 9},  {1920, 10}, {1984, 12}, {2000, 16}};
	static const uint8_t any[] = {TCP, UDP, SCTP};
	struct policy_set set;
	struct policy_compiled out;
	const uint32_t host = NETOBS_POLICY_IDENTITY_HOST;

	compile_four(
		DOC("p",
		    WEB "ingress: [{fromEntities: [host], toPorts: [{ports: ["
			"{port: '1000', endPort: 2000, protocol: TCP}, {port: '53', protocol: ANY},"
			"{port: '0', protocol: UDP}, {port: '443'}]}]}]"),
		&set, &out);
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		pc_expect_rule(&out, 10, host, PC_IN, TCP, blocks[i].port, PROTO + blocks[i].bits,
			       ALLOW, 0, NETOBS_MATCH_L3_L4);
	for (size_t i = 0; i < 3; i++) {
		pc_expect_rule(&out, 10, host, PC_IN, any[i], 53, FULL, ALLOW, 0,
			       NETOBS_MATCH_L3_L4);
		pc_expect_rule(&out, 10, host, PC_IN, any[i], 443, FULL, ALLOW, 0,
			       NETOBS_MATCH_L3_L4);
	}
	/* Port 0: the whole protocol. */
	pc_expect_rule(&out, 10, host, PC_IN, UDP, 0, PROTO, ALLOW, 0, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(out.n_rules, 8 + 3 + 3 + 1);
	/* Every port of each protocol: covered exactly where the policy says. */
	for (uint32_t port = 0; port <= 65535; port++) {
		uint8_t bytes[2] = {(uint8_t)(port >> 8), (uint8_t)port};
		bool tcp = (port >= 1000 && port <= 2000) || port == 53 || port == 443;
		bool sctp = port == 53 || port == 443;

		ck_assert_msg(!!pc_rule_lookup(&out, 10, host, PC_IN, TCP, bytes) == tcp,
			      "TCP port %u", port);
		ck_assert(pc_rule_lookup(&out, 10, host, PC_IN, UDP, bytes));
		ck_assert_msg(!!pc_rule_lookup(&out, 10, host, PC_IN, SCTP, bytes) == sctp,
			      "SCTP port %u", port);
	}
	done(&set, &out);
}
END_TEST

START_TEST(test_icmps)
{
	struct policy_set set;
	struct policy_compiled out;
	const uint8_t echo_code3[2] = {8, 3}, reply[2] = {0, 0}, v6_echo[2] = {128, 0};

	compile_four(DOC("p",
			 WEB "ingress: [{fromEntities: [all], icmps: [{fields: ["
			     "{type: 8, family: IPv4}, {type: EchoRequest, family: IPv6}]}]}]"),
		     &set, &out);
	/* The type is the first byte of the port: type << 8 in host order. */
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 1, 8 << 8, PROTO + 8, ALLOW, 0,
		       NETOBS_MATCH_L4_ONLY);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 58, 128 << 8, PROTO + 8, ALLOW,
		       0, NETOBS_MATCH_L4_ONLY);
	ck_assert_uint_eq(out.n_rules, 2);
	/* Any code of the type; not another type; not the other family's protocol. */
	ck_assert(pc_rule_lookup(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 1, echo_code3));
	ck_assert(!pc_rule_lookup(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 1, reply));
	ck_assert(!pc_rule_lookup(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 1, v6_echo));
	ck_assert(pc_rule_lookup(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, 58, v6_echo));
	done(&set, &out);
}
END_TEST

START_TEST(test_entities)
{
	struct policy_set set;
	struct policy_compiled out;

	compile_four(
		DOC("p0", WEB "ingress: [{fromEntities: [host]}], egress: [{toEntities: [world]}]")
			DOC("p1", WEB
			    "ingress: [{fromEntities: [all], toPorts: [{ports: [{port: '80', "
			    "protocol: TCP}]}]}]") DOC("p2", WEB "egress: [{toEntities: [all]}]")
				DOC("p3", "endpointSelector: {matchLabels: {app: none}},"
					  " ingress: [{fromCIDR: [10.0.0.0/8, 2001:db8::/32]}]"),
		&set, &out);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_HOST, PC_IN, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	/* world: WORLD and every CIDR identity (addresses outside the node). */
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_WORLD, PC_EG, 0, 0, PEER, ALLOW, 0,
		       NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, CIDR(0), PC_EG, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, CIDR(1), PC_EG, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	/* all: the ANY identity; L4-only with ports, ALL without. */
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, TCP, 80, FULL, ALLOW, 1,
		       NETOBS_MATCH_L4_ONLY);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_EG, 0, 0, PEER, ALLOW, 2,
		       NETOBS_MATCH_ALL);
	ck_assert_uint_eq(out.n_rules, 6);
	done(&set, &out);
}
END_TEST

START_TEST(test_cidr_except)
{
	struct policy_set set;
	struct policy_compiled out;

	compile_four(
		DOC("p0",
		    WEB "ingress: [{fromCIDRSet: [{cidr: 10.0.0.0/8, except: [10.96.0.0/12]}]}]")
			DOC("p1",
			    "endpointSelector: {matchLabels: {app: none}}, ingress: [{fromCIDR:"
			    " [10.1.0.0/16, 10.96.1.0/24, 192.168.0.0/16, 10.0.0.0/8]}]"),
		&set, &out);
	/* 10/8 (0), 10.96/12 (1), 10.1/16 (2), 10.96.1/24 (3), 192.168/16 (4). */
	ck_assert_uint_eq(out.n_cidr_identities, 5);
	pc_expect_rule(&out, 10, CIDR(0), PC_IN, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	/* A nested CIDR of another rule: its addresses are still in 10/8. */
	pc_expect_rule(&out, 10, CIDR(2), PC_IN, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	/* Not the except, nor what lies inside it, nor what lies outside 10/8. */
	ck_assert_uint_eq(out.n_rules, 2);
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.1.2.3"), CIDR(2));
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.96.1.5"), CIDR(3));
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.97.0.1"), CIDR(1));
	ck_assert_uint_eq(pc_identity_of_text(&out, "10.200.0.1"), CIDR(0));
	done(&set, &out);
}
END_TEST

START_TEST(test_flatten_deny_covers_allow)
{
	struct policy_set set;
	struct policy_compiled out;
	const uint8_t port80[2] = {0, 80};

	/* Deny all of TCP, allow TCP 80: the port-80 entry must say DENY. */
	compile_four(DOC("p0", WEB "ingress: [{fromEndpoints: [{matchLabels: {app: client}}],"
				   " toPorts: [{ports: [{port: '80', protocol: TCP}]}]}]")
			     DOC("p1",
				 WEB "ingressDeny: [{fromEndpoints: [{matchLabels: {app: client}}],"
				     " toPorts: [{ports: [{port: '0', protocol: TCP}]}]}]"),
		     &set, &out);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 80, FULL, DENY, 1, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 0, PROTO, DENY, 1, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(pc_rule_lookup(&out, 10, PC_EP(11), PC_IN, TCP, port80)->value.action,
			  DENY);
	ck_assert_uint_eq(out.n_rules, 4);
	done(&set, &out);
}
END_TEST

START_TEST(test_flatten_allow_all_deny_port)
{
	struct policy_set set;
	struct policy_compiled out;
	const uint8_t port80[2] = {0, 80}, port81[2] = {0, 81};

	compile_four(DOC("p0", WEB "ingress: [{fromEndpoints: [{matchLabels: {app: client}}]}]")
			     DOC("p1",
				 WEB "ingressDeny: [{fromEndpoints: [{matchLabels: {app: client}}],"
				     " toPorts: [{ports: [{port: '80', protocol: TCP}]}]}]"),
		     &set, &out);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 80, FULL, DENY, 1, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(pc_rule_lookup(&out, 10, PC_EP(11), PC_IN, TCP, port80)->value.action,
			  DENY);
	ck_assert_uint_eq(pc_rule_lookup(&out, 10, PC_EP(11), PC_IN, TCP, port81)->value.action,
			  ALLOW);
	ck_assert_uint_eq(pc_rule_lookup(&out, 10, PC_EP(11), PC_IN, UDP, port80)->value.action,
			  ALLOW);
	ck_assert_uint_eq(out.n_rules, 4);
	done(&set, &out);
}
END_TEST

START_TEST(test_flatten_policy_ids)
{
	struct policy_set set;
	struct policy_compiled out;

	/* Allows: the most specific one decides, the first policy of equals. */
	compile_four(
		DOC("p0", WEB "ingress: [{fromEndpoints: [{matchLabels: {app: client}}],"
			      " toPorts: [{ports: [{port: '0', protocol: TCP}]}]}]")
			DOC("p1", WEB
			    "ingress: [{fromEndpoints: [{matchLabels: {'netobs:endpoint': c1}}],"
			    " toPorts: [{ports: [{port: '80', protocol: TCP}]}]}]")
				DOC("p2",
				    WEB "ingress: [{fromEndpoints: [{}],"
					" toPorts: [{ports: [{port: '80', protocol: TCP}]}]}]")
		/* Denies: the first policy in set order, however specific. */
		DOC("p3", WEB "egressDeny: [{toEntities: [host]}]")
			DOC("p4", WEB "egressDeny: [{toEntities: [host], toPorts: [{ports: [{port: "
				      "'22', protocol: TCP}]}]}]"),
		&set, &out);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 80, FULL, ALLOW, 1, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, PC_EP(11), PC_IN, TCP, 0, PROTO, ALLOW, 0, NETOBS_MATCH_L3_L4);
	/* p2's port 80 is more specific than p0's whole of TCP. */
	pc_expect_rule(&out, 10, PC_EP(12), PC_IN, TCP, 80, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, PC_EP(12), PC_IN, TCP, 0, PROTO, ALLOW, 0, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, PC_EP(13), PC_IN, TCP, 80, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_HOST, PC_EG, TCP, 22, FULL, DENY, 3,
		       NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_HOST, PC_EG, 0, 0, PEER, DENY, 3,
		       NETOBS_MATCH_L3_ONLY);
	done(&set, &out);
}
END_TEST

START_TEST(test_l4_only)
{
	struct policy_set set;
	struct policy_compiled out;

	compile_four(DOC("p",
			 WEB "ingress: [{toPorts: [{ports: [{port: '80', protocol: TCP}]}]}],"
			     " egressDeny: [{toPorts: [{ports: [{port: '25', protocol: TCP}]}]}]"),
		     &set, &out);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_IN, TCP, 80, FULL, ALLOW, 0,
		       NETOBS_MATCH_L4_ONLY);
	pc_expect_rule(&out, 10, NETOBS_POLICY_IDENTITY_ANY, PC_EG, TCP, 25, FULL, DENY, 0,
		       NETOBS_MATCH_L4_ONLY);
	ck_assert_uint_eq(out.n_rules, 2);
	done(&set, &out);
}
END_TEST

START_TEST(test_fqdns)
{
	struct pc_endpoint eps[1];
	struct policy_compile_fqdn_addr fqdns[5];
	struct pc_input pi = {
		.endpoints = eps, .n_endpoints = 1, .fqdn_addrs = fqdns, .n_fqdn_addrs = 5};
	struct policy_set set;
	struct policy_compiled out;
	uint32_t www, deep, apex, api, v6;

	pc_load(&set, DOC("p0", WEB "egress: [{toFQDNs: [{matchPattern: '*.example.com'}]}]")
			      DOC("p1", WEB "egress: [{toFQDNs: [{matchName: api.example.org}],"
					    " toPorts: [{ports: [{port: '443', protocol: TCP}]}]}]")
				      DOC("p2", WEB
					  "egress: [{toFQDNs: [{matchPattern: '*'}],"
					  " toPorts: [{ports: [{port: '53', protocol: UDP}]}]}]"));
	pc_endpoint_init(&eps[0], 10, "app=web", "10.0.0.10", false);
	fqdns[0] = (struct policy_compile_fqdn_addr){"www.example.com", pc_prefix("93.184.216.34")};
	fqdns[1] = (struct policy_compile_fqdn_addr){"a.b.example.com", pc_prefix("93.184.216.35")};
	fqdns[2] = (struct policy_compile_fqdn_addr){"example.com", pc_prefix("93.184.216.36")};
	fqdns[3] = (struct policy_compile_fqdn_addr){"api.example.org", pc_prefix("1.2.3.4")};
	fqdns[4] = (struct policy_compile_fqdn_addr){"www.example.com", pc_prefix("2001:db8::80")};
	pc_compile(&set, &pi, &out);
	www = pc_identity_of_text(&out, "93.184.216.34");
	deep = pc_identity_of_text(&out, "93.184.216.35");
	apex = pc_identity_of_text(&out, "93.184.216.36");
	api = pc_identity_of_text(&out, "1.2.3.4");
	v6 = pc_identity_of_text(&out, "2001:db8::80");
	ck_assert_uint_eq(www, CIDR(0));
	ck_assert_uint_eq(v6, CIDR(4));
	/* *.example.com: one label, so not a.b.example.com nor example.com. */
	pc_expect_rule(&out, 10, www, PC_EG, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	pc_expect_rule(&out, 10, v6, PC_EG, 0, 0, PEER, ALLOW, 0, NETOBS_MATCH_L3_ONLY);
	ck_assert_ptr_null(pc_rule_find(&out, 10, deep, PC_EG, 0, 0, PEER));
	ck_assert_ptr_null(pc_rule_find(&out, 10, apex, PC_EG, 0, 0, PEER));
	ck_assert_ptr_null(pc_rule_find(&out, 10, api, PC_EG, 0, 0, PEER));
	pc_expect_rule(&out, 10, api, PC_EG, TCP, 443, FULL, ALLOW, 1, NETOBS_MATCH_L3_L4);
	ck_assert_ptr_null(pc_rule_find(&out, 10, www, PC_EG, TCP, 443, FULL));
	/* '*': every name. */
	pc_expect_rule(&out, 10, www, PC_EG, UDP, 53, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, deep, PC_EG, UDP, 53, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, apex, PC_EG, UDP, 53, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, api, PC_EG, UDP, 53, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	pc_expect_rule(&out, 10, v6, PC_EG, UDP, 53, FULL, ALLOW, 2, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(out.n_rules, 2 + 1 + 5);
	ck_assert(policy_set_has_fqdns(&set));
	done(&set, &out);

	pc_load(&set, DOC("p", WEB "egress: [{toEntities: [world]}]"));
	ck_assert(!policy_set_has_fqdns(&set));
	policy_set_free(&set);
}
END_TEST

static bool fqdn_matches(uint8_t kind, const char *text, const char *name)
{
	struct policy_fqdn f = {.kind = kind};

	snprintf(f.text, sizeof(f.text), "%s", text);
	return policy_fqdn_matches(&f, name);
}

START_TEST(test_fqdn_matches)
{
	const uint8_t name = POLICY_FQDN_NAME, pattern = POLICY_FQDN_PATTERN;

	ck_assert(fqdn_matches(name, "api.example.org", "api.example.org"));
	ck_assert(!fqdn_matches(name, "api.example.org", "www.api.example.org"));
	ck_assert(!fqdn_matches(name, "api.example.org", "api.example.or"));
	ck_assert(fqdn_matches(pattern, "*.example.com", "www.example.com"));
	ck_assert(!fqdn_matches(pattern, "*.example.com", "example.com"));
	ck_assert(!fqdn_matches(pattern, "*.example.com", "a.b.example.com"));
	ck_assert(!fqdn_matches(pattern, "*.example.com", "www.example.com.evil.org"));
	/* Docs (policy.md): sub*.example.com matches sub. and subdomain. */
	ck_assert(fqdn_matches(pattern, "sub*.example.com", "sub.example.com"));
	ck_assert(fqdn_matches(pattern, "sub*.example.com", "subdomain.example.com"));
	ck_assert(!fqdn_matches(pattern, "sub*.example.com", "su.example.com"));
	ck_assert(fqdn_matches(pattern, "a*b*c.x", "aXXbYYc.x"));
	ck_assert(fqdn_matches(pattern, "a*b*c.x", "abc.x"));
	ck_assert(!fqdn_matches(pattern, "a*b*c.x", "abcd.x"));
	ck_assert(fqdn_matches(pattern, "*.*.example.com", "a.b.example.com"));
	ck_assert(fqdn_matches(pattern, "*", "anything.at.all"));
	ck_assert(fqdn_matches(pattern, "*", "localhost"));
	ck_assert(fqdn_matches(pattern, "www.example.com", "www.example.com"));
	ck_assert(!fqdn_matches(pattern, "", "www.example.com"));
	ck_assert(!fqdn_matches(pattern, "*", ""));
}
END_TEST

/* n endpoints app=web with 10.1.x.y, ifindex 1..n. */
static struct pc_endpoint *many_endpoints(size_t n, size_t addrs_each)
{
	struct pc_endpoint *eps = calloc(n, sizeof(*eps));
	char addrs[128];

	ck_assert_ptr_nonnull(eps);
	for (size_t i = 0; i < n; i++) {
		int len = 0;

		addrs[0] = '\0';
		for (size_t a = 0; a < addrs_each; a++)
			len += snprintf(addrs + len, sizeof(addrs) - (size_t)len,
					"%s10.%zu.%zu.%zu", a ? "," : "", a + 1, (i + 1) / 256,
					(i + 1) % 256);
		pc_endpoint_init(&eps[i], (uint32_t)(i + 1), "app=web", addrs, false);
	}
	return eps;
}

static void expect_bounds_error(const char *text, size_t n_endpoints, size_t addrs_each,
				const char *message)
{
	struct pc_endpoint *eps = many_endpoints(n_endpoints, addrs_each);
	struct pc_input pi = {.endpoints = eps, .n_endpoints = n_endpoints};
	struct policy_set set;
	struct policy_compiled out;
	struct policy_error err;

	pc_load(&set, text);
	ck_assert_int_eq(pc_compile_err(&set, &pi, &out, &err), -EINVAL);
	ck_assert_msg(strncmp(err.message, message, strlen(message)) == 0, "message: %s",
		      err.message);
	/* Empty on error. */
	ck_assert_ptr_null(out.endpoints);
	ck_assert_ptr_null(out.ipcache);
	ck_assert_ptr_null(out.rules);
	ck_assert_ptr_null(out.cidr_identities);
	ck_assert_uint_eq(out.n_endpoints + out.n_ipcache + out.n_rules + out.n_cidr_identities, 0);
	policy_compiled_free(&out);
	policy_set_free(&set);
	free(eps);
}

#define SEVEN_PORTS                                                                                \
	"ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: '1', protocol: TCP},"           \
	"{port: '2', protocol: TCP}, {port: '3', protocol: TCP}, {port: '4', protocol: TCP},"      \
	"{port: '5', protocol: TCP}, {port: '6', protocol: TCP}, {port: '7', protocol: TCP}]}]}]"

START_TEST(test_bounds)
{
	struct pc_endpoint *eps;
	struct pc_input pi = {0};
	struct policy_set set;
	struct policy_compiled out;

	/* Each endpoint x each endpoint x 7 ports: 100 * 100 * 7 = 70000. */
	expect_bounds_error(DOC("p", "endpointSelector: {}, " SEVEN_PORTS), 100, 1,
			    "policy needs 70000 rule entries, the datapath holds 65536 "
			    "(map policy_rules): ");
	/* 200 * 200 * 7 = 280000: past what the compiler counts. */
	expect_bounds_error(DOC("p", "endpointSelector: {}, " SEVEN_PORTS), 200, 1,
			    "policy needs more than 262144 rule entries, the datapath holds 65536");
	expect_bounds_error(DOC("p", "endpointSelector: {}, ingress: [{}]"), 1025, 1,
			    "policy selects 1025 endpoints, the datapath holds 1024 "
			    "(map policy_endpoints)");
	expect_bounds_error(DOC("p", "endpointSelector: {matchLabels: {app: none}}, ingress: [{}]"),
			    4100, 4,
			    "policy needs 16400 peer address entries, the datapath holds 16384 "
			    "(map policy_ipcache)");

	/* Exactly full: 256 * 256 = 65536 entries fit. */
	eps = many_endpoints(256, 1);
	pi.endpoints = eps;
	pi.n_endpoints = 256;
	pc_load(&set, DOC("p", "endpointSelector: {}, ingress: [{fromEndpoints: [{}]}]"));
	pc_compile(&set, &pi, &out);
	ck_assert_uint_eq(out.n_rules, NETOBS_POLICY_RULES_MAX);
	ck_assert_uint_eq(out.n_endpoints, 256);
	done(&set, &out);
	free(eps);
}
END_TEST

START_TEST(test_input_errors)
{
	struct pc_endpoint eps[2];
	struct pc_input pi = {.endpoints = eps, .n_endpoints = 2};
	struct policy_set set;
	struct policy_compiled out;
	struct policy_error err;

	pc_load(&set, DOC("p", WEB "ingress: [{}]"));
	pc_endpoint_init(&eps[0], 10, "app=web", "10.0.0.10", false);
	pc_endpoint_init(&eps[1], 10, "app=db", "10.0.0.11", false);
	ck_assert_int_eq(pc_compile_err(&set, &pi, &out, &err), -EINVAL);
	ck_assert_str_eq(err.message, "endpoint ifindex 10 given twice");
	eps[1].ep.ifindex = 0;
	ck_assert_int_eq(pc_compile_err(&set, &pi, &out, &err), -EINVAL);
	ck_assert_str_eq(err.message, "endpoint ifindex 0: not 1..16776959, so it has no identity");
	eps[1].ep.ifindex = 11;
	eps[1].addrs[0].family = 5;
	ck_assert_int_eq(pc_compile_err(&set, &pi, &out, &err), -EINVAL);
	ck_assert_str_eq(err.message, "endpoint ifindex 11: address family 5 is neither 4 nor 6");
	ck_assert_uint_eq(out.n_ipcache, 0);
	policy_set_free(&set);
}
END_TEST

/* Endpoints and DNS answers in another order: the same maps. */
START_TEST(test_deterministic)
{
	struct pc_endpoint eps[4], reversed[4];
	struct policy_compile_fqdn_addr fqdns[2];
	struct pc_input pi = {
		.endpoints = eps, .n_endpoints = 4, .fqdn_addrs = fqdns, .n_fqdn_addrs = 2};
	struct policy_set set;
	struct policy_compiled a, b;

	pc_load(&set,
		DOC("p0",
		    WEB "ingress: [{fromEndpoints: [{}], toPorts: [{ports: [{port: '80'}]}]}],"
			" egress: [{toFQDNs: [{matchPattern: '*'}]}, {toCIDR: [10.0.0.0/8]}]")
			DOC("p1", "endpointSelector: {}, ingressDeny: [{fromEntities: [world]}]"));
	four_endpoints(eps);
	fqdns[0] = (struct policy_compile_fqdn_addr){"a.example.com", pc_prefix("1.1.1.1")};
	fqdns[1] = (struct policy_compile_fqdn_addr){"b.example.com", pc_prefix("1.1.1.2")};
	pc_compile(&set, &pi, &a);
	for (size_t i = 0; i < 4; i++)
		reversed[i] = eps[3 - i];
	for (size_t i = 0; i < 4; i++) {
		reversed[i].ep.labels = reversed[i].labels;
		reversed[i].ep.addrs = reversed[i].addrs;
	}
	pi.endpoints = reversed;
	pc_compile(&set, &pi, &b);
	ck_assert_uint_eq(a.n_rules, b.n_rules);
	ck_assert_uint_gt(a.n_rules, 0);
	ck_assert_mem_eq(a.rules, b.rules, a.n_rules * sizeof(*a.rules));
	ck_assert_uint_eq(a.n_ipcache, b.n_ipcache);
	ck_assert_mem_eq(a.ipcache, b.ipcache, a.n_ipcache * sizeof(*a.ipcache));
	ck_assert_uint_eq(a.n_endpoints, 4);
	for (size_t i = 0; i < a.n_endpoints; i++) {
		ck_assert_uint_eq(a.endpoints[i].ifindex, b.endpoints[i].ifindex);
		ck_assert_uint_eq(a.endpoints[i].value.flags, b.endpoints[i].value.flags);
	}
	policy_compiled_free(&b);
	done(&set, &a);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("policy_compile");
	TCase *tc = tcase_create("policy_compile");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_endpoint_flags);
	tcase_add_test(tc, test_specs);
	tcase_add_test(tc, test_ipcache);
	tcase_add_test(tc, test_rules_endpoints);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_icmps);
	tcase_add_test(tc, test_entities);
	tcase_add_test(tc, test_cidr_except);
	tcase_add_test(tc, test_flatten_deny_covers_allow);
	tcase_add_test(tc, test_flatten_allow_all_deny_port);
	tcase_add_test(tc, test_flatten_policy_ids);
	tcase_add_test(tc, test_l4_only);
	tcase_add_test(tc, test_fqdns);
	tcase_add_test(tc, test_fqdn_matches);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_input_errors);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	return s;
}
