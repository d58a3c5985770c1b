// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy files read as Cilium reads them, where the first increment did not:
 * enableDefaultDeny, port 0 and octal-looking ports, Cilium's ICMP names,
 * empty rule lists, NUL characters in strings. Each expected value is
 * written out here from Cilium's source and documentation
 * (pkg/policy/api: rule.go, l4.go, icmp.go, rule_validation.go), never
 * computed by the code under test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

Suite *netobs_test_suite(void);

#define DOC(spec)                                                                                  \
	"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c}\n"               \
	"spec: {endpointSelector: {}, " spec "}\n"

static void load_ok(struct policy_set *set, const char *text)
{
	struct policy_error err;
	int ret;

	policy_set_init(set);
	ret = policy_set_add_text(set, "c.yaml", text, strlen(text), &err);
	ck_assert_msg(ret == 0, "unexpected error: %s", err.message);
}

static void expect_error_n(const char *text, size_t len, const char *message)
{
	struct policy_set set;
	struct policy_error err;

	policy_set_init(&set);
	ck_assert_msg(policy_set_add_text(&set, "c.yaml", text, len, &err) == -EINVAL,
		      "accepted: %s", text);
	ck_assert_str_eq(err.message, message);
	ck_assert_uint_eq(set.n_policies, 0);
	policy_set_free(&set);
}

static void expect_error(const char *text, const char *message)
{
	expect_error_n(text, strlen(text), message);
}

/*
 * Cilium's rule.go: "If not specified, the default is true for each traffic
 * direction that has rules, and false otherwise"; repository.go reads
 * EnableDefaultDeny.Ingress only `if len(r.Ingress) > 0 || len(r.IngressDeny) > 0`.
 */
START_TEST(test_default_deny)
{
	struct policy_set set;
	const struct policy_spec *s;
	json_t *out;

	/* Only ingress rules: ingress in default deny, egress not. */
	load_ok(&set, DOC("ingress: [{fromEntities: [host]}]"));
	s = &set.policies[0].specs[0];
	ck_assert(s->default_deny_ingress);
	ck_assert(!s->default_deny_egress);
	/* The normalized form writes the outcome, so the compiler needs no has_egress. */
	out = policy_to_json(&set.policies[0]);
	ck_assert(json_is_true(json_object_get(
		json_object_get(json_object_get(out, "spec"), "enableDefaultDeny"), "ingress")));
	ck_assert(json_is_false(json_object_get(
		json_object_get(json_object_get(out, "spec"), "enableDefaultDeny"), "egress")));
	json_decref(out);
	policy_set_free(&set);

	/* Explicit true without rules in that direction: nothing, as in repository.go. */
	load_ok(&set, DOC("enableDefaultDeny: {egress: true}, ingress: [{fromEntities: [host]}]"));
	s = &set.policies[0].specs[0];
	ck_assert(s->default_deny_ingress);
	ck_assert(!s->default_deny_egress);
	policy_set_free(&set);

	/* Explicit false with rules: rules only. */
	load_ok(&set,
		DOC("enableDefaultDeny: {ingress: false}, ingress: [{fromEntities: [host]}]"));
	ck_assert(!set.policies[0].specs[0].default_deny_ingress);
	policy_set_free(&set);

	/* No rules, nothing asked: no default deny in either direction. */
	load_ok(&set, DOC("description: none"));
	ck_assert(!set.policies[0].specs[0].default_deny_ingress);
	ck_assert(!set.policies[0].specs[0].default_deny_egress);
	policy_set_free(&set);
}
END_TEST

/* docs/policy.md: `ingress: []` is refused (Cilium: no section; Kubernetes readers: deny all). */
START_TEST(test_empty_rule_lists)
{
	expect_error(DOC("ingress: []"),
		     "c.yaml: document 1 (c): spec.ingress: an empty list of rules; leave it out, "
		     "or write [{}] to put this direction in default deny (got [])");
	expect_error(DOC("egressDeny: []"),
		     "c.yaml: document 1 (c): spec.egressDeny: an empty list of rules; leave it "
		     "out, or write [{}] to put this direction in default deny (got [])");
}
END_TEST

/*
 * Cilium's l4.go: port "0" is every port of the protocol; the string is read
 * with ParseUint(s, 0, 16), so "010" is port 8.
 */
START_TEST(test_ports)
{
	struct policy_set set;
	const struct policy_rule *r;
	json_t *out;
	char *text;

	load_ok(&set, DOC("ingress: [{toPorts: [{ports: [{port: '0', protocol: TCP}, "
			  "{port: 0, protocol: UDP}]}]}]"));
	r = &set.policies[0].specs[0].rules[0];
	ck_assert_uint_eq(r->n_ports, 2);
	ck_assert_uint_eq(r->ports[0].port, 0);
	ck_assert_uint_eq(r->ports[0].end_port, 65535);
	ck_assert_uint_eq(r->ports[0].protocol, 6);
	ck_assert_uint_eq(r->ports[1].end_port, 65535);
	ck_assert_uint_eq(r->ports[1].protocol, 17);
	out = policy_to_json(&set.policies[0]);
	text = json_dumps(
		json_object_get(
			json_array_get(json_object_get(json_object_get(out, "spec"), "ingress"), 0),
			"toPorts"),
		JSON_COMPACT);
	ck_assert_str_eq(text, "[{\"ports\":[{\"port\":0,\"protocol\":\"TCP\"},"
			       "{\"port\":0,\"protocol\":\"UDP\"}]}]");
	free(text);
	json_decref(out);
	policy_set_free(&set);

	expect_error(DOC("ingress: [{toPorts: [{ports: [{port: '010'}]}]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0].toPorts[0].ports[0].port: a port "
		     "with a leading zero (Cilium reads it as octal); write it without (got "
		     "\"010\")");
	expect_error(DOC("ingress: [{toPorts: [{ports: [{port: 0, endPort: 80}]}]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0].toPorts[0].ports[0].endPort: port 0 "
		     "is already every port; leave endPort out (got 80)");
	expect_error(DOC("ingress: [{toPorts: [{ports: [{port: 80, endPort: 0}]}]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0].toPorts[0].ports[0].endPort: not a "
		     "port number (1-65535) (got 0)");
	/* A fraction is not called "a number" in a message that asks for a number. */
	expect_error(DOC("ingress: [{toPorts: [{ports: [{port: 80.0}]}]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0].toPorts[0].ports[0].port: expected "
		     "a port number (0-65535), not a number with a fraction or exponent (got "
		     "80.0)");
}
END_TEST

/* Cilium's icmp.go name tables, some of the names the first increment lacked. */
START_TEST(test_icmp_names)
{
	struct policy_set set;
	const struct policy_rule *r;

	load_ok(&set, DOC("ingress: [{icmps: [{fields: [{type: Echo}, {type: Photuris}, "
			  "{type: ExtendedEchoReply, family: IPv4}, "
			  "{type: MulticastListenerQuery, family: IPv6}, "
			  "{type: DuplicateAddressConfirmationCodeSuffix, family: IPv6}, "
			  "{type: ExtendedEchoReply, family: IPv6}]}]}]"));
	r = &set.policies[0].specs[0].rules[0];
	ck_assert_uint_eq(r->n_icmps, 6);
	ck_assert_uint_eq(r->icmps[0].type, 8);
	ck_assert_uint_eq(r->icmps[1].type, 40);
	ck_assert_uint_eq(r->icmps[2].type, 43);
	ck_assert_uint_eq(r->icmps[3].type, 130);
	ck_assert_uint_eq(r->icmps[4].type, 158);
	ck_assert_uint_eq(r->icmps[5].type, 161);
	ck_assert_uint_eq(r->icmps[5].family, 6);
	policy_set_free(&set);
	/* Cilium's pattern has no leading zeros; "08" is no type. */
	expect_error(DOC("ingress: [{icmps: [{fields: [{type: '08'}]}]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0].icmps[0].fields[0].type: not an ICMP "
		     "type netobs knows for IPv4 (a number 0-255 or a name such as EchoRequest) "
		     "(got \"08\")");
}
END_TEST

/*
 * Cilium's rule_validation.go: "combining %s and %s is not supported yet"
 * for two kinds of peer in one rule, errUnsupportedICMPWithToPorts, and
 * maxPorts = maxICMPFields = 40 in one entry.
 */
START_TEST(test_rule_combinations)
{
	char text[4096];
	size_t len;

	expect_error(DOC("ingress: [{fromCIDR: [10.0.0.0/8], fromEntities: [world]}]"),
		     "c.yaml: document 1 (c): spec.ingress[0]: fromCIDR and fromEntities in one "
		     "rule: Cilium refuses two kinds of peer in one rule; write a rule for each");
	expect_error(DOC("ingressDeny: [{fromCIDR: [10.0.0.0/8], "
			 "fromCIDRSet: [{cidr: 10.0.0.0/8}]}]"),
		     "c.yaml: document 1 (c): spec.ingressDeny[0]: fromCIDR and fromCIDRSet in one "
		     "rule: Cilium refuses two kinds of peer in one rule; write a rule for each");
	expect_error(DOC("egress: [{toFQDNs: [{matchName: a.example}], toEndpoints: [{}]}]"),
		     "c.yaml: document 1 (c): spec.egress[0]: toEndpoints and toFQDNs in one rule: "
		     "Cilium refuses two kinds of peer in one rule; write a rule for each");
	expect_error(DOC("egress: [{toEntities: [host], icmps: [{fields: [{type: 8}]}], "
			 "toPorts: [{ports: [{port: 80}]}]}]"),
		     "c.yaml: document 1 (c): spec.egress[0]: icmps and toPorts in one rule: "
		     "Cilium refuses them together; write a rule for each");
	/* 41 ports in one toPorts entry */
	len = (size_t)snprintf(text, sizeof(text),
			       "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
			       "metadata: {name: c}\n"
			       "spec: {endpointSelector: {}, ingress: [{toPorts: [{ports: [");
	for (int i = 1; i <= 41; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s{port: %d}",
					i > 1 ? ", " : "", i);
	snprintf(text + len, sizeof(text) - len, "]}]}]}\n");
	expect_error(text, "c.yaml: document 1 (c): spec.ingress[0].toPorts[0].ports: more than 40 "
			   "ports in one entry (Cilium's bound)");
}
END_TEST

/*
 * Memory follows the input: 1024 policies of 256 empty selectors are 0.9 MB
 * of YAML; with 16 labels of ~400 bytes inline in every selector they took
 * 1.7 GB. A selector now holds only the labels it has.
 */
START_TEST(test_selector_memory)
{
	struct policy_set set;
	const struct policy_rule *r;

	ck_assert_uint_le(sizeof(struct policy_selector), 16);
	load_ok(&set, DOC("ingress: [{fromEndpoints: [{}, {matchLabels: {a: b, c: d}}]}]"));
	r = &set.policies[0].specs[0].rules[0];
	ck_assert_ptr_null(set.policies[0].specs[0].subject.labels);
	ck_assert_ptr_null(r->endpoints[0].labels);
	ck_assert_uint_eq(r->endpoints[1].n_labels, 2);
	ck_assert_str_eq(r->endpoints[1].labels[1].key, "c");
	ck_assert_str_eq(r->endpoints[1].labels[1].value, "d");
	policy_set_free(&set);
}
END_TEST

/* world-ipv4 and none are Cilium entities, but not cluster entities. */
START_TEST(test_entities)
{
	expect_error(DOC("egress: [{toEntities: [world-ipv4]}]"),
		     "c.yaml: document 1 (c): spec.egress[0].toEntities[0]: not supported by "
		     "netobs yet; netobs knows host, world, all (got \"world-ipv4\")");
	expect_error(DOC("egress: [{toEntities: [cluster]}]"),
		     "c.yaml: document 1 (c): spec.egress[0].toEntities[0]: not supported by "
		     "netobs (a cluster entity); netobs knows host, world, all (got \"cluster\")");
}
END_TEST

/*
 * A NUL in a double-quoted YAML scalar: every check after the reader sees a
 * C string, so "host\0x" read as host, and a label value with a NUL in its
 * first 63 bytes was checked short and copied long, past its 64 bytes.
 */
START_TEST(test_nul_characters)
{
	char text[1024];
	int n;

	expect_error(DOC("egress: [{toEntities: [\"host\\0junk\"]}]"),
		     "c.yaml: line 4: a scalar holds a NUL character (\\0)");
	expect_error(DOC("egress: [{toPorts: [{ports: [{port: 80, protocol: \"TCP\\0x\"}]}]}]"),
		     "c.yaml: line 4: a scalar holds a NUL character (\\0)");
	n = snprintf(text, sizeof(text),
		     DOC("ingress: [{fromEndpoints: [{matchLabels: {app: \"web\\0%0300d\"}}]}]"),
		     0);
	ck_assert_int_lt(n, (int)sizeof(text));
	expect_error(text, "c.yaml: line 4: a scalar holds a NUL character (\\0)");
	expect_error("a: {\"k\\0\": 1}\n", "c.yaml: line 1: a scalar holds a NUL character (\\0)");
}
END_TEST

/* Bytes that are not UTF-8: where they are (libyaml's reader has no line; it said line 1). */
START_TEST(test_bad_utf8)
{
	/* 25 bytes of the first line, 18 before the quote's content: the 0xff is byte 43. */
	expect_error("apiVersion: cilium.io/v2\nmetadata: {name: \"\xff\"}\n",
		     "c.yaml: byte 43: YAML: invalid leading UTF-8 octet");
}
END_TEST

/* The same label value through policy_set_add_json (jansson can hold a NUL). */
START_TEST(test_nul_in_json_label)
{
	struct policy_set set;
	struct policy_error err;
	char value[301];
	json_t *doc;

	memset(value, 'A', sizeof(value));
	memcpy(value, "web", 4); /* "web\0AAAA...": 300 characters, 3 before the NUL */
	doc = json_pack("{ss ss s{ss} s{s{} s[{s[{s{ss%}}]}]}}", "apiVersion", "cilium.io/v2",
			"kind", "CiliumNetworkPolicy", "metadata", "name", "c", "spec",
			"endpointSelector", "ingress", "fromEndpoints", "matchLabels", "app", value,
			sizeof(value) - 1);
	ck_assert_ptr_nonnull(doc);
	policy_set_init(&set);
	ck_assert_int_eq(policy_set_add_json(&set, "c.json", doc, &err), -EINVAL);
	ck_assert_str_eq(err.message, "c.json: document 1 (c): spec.ingress[0].fromEndpoints[0]."
				      "matchLabels.app: a label value holds a NUL character (got "
				      "\"web\\u0000" /* then 70 of the 297 A: the quote keeps 80 */
				      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...)");
	ck_assert_uint_eq(set.n_policies, 0);
	json_decref(doc);
	policy_set_free(&set);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("policy_cilium");
	TCase *tc = tcase_create("policy_cilium");

	tcase_add_test(tc, test_default_deny);
	tcase_add_test(tc, test_empty_rule_lists);
	tcase_add_test(tc, test_ports);
	tcase_add_test(tc, test_icmp_names);
	tcase_add_test(tc, test_rule_combinations);
	tcase_add_test(tc, test_selector_memory);
	tcase_add_test(tc, test_entities);
	tcase_add_test(tc, test_nul_characters);
	tcase_add_test(tc, test_nul_in_json_label);
	tcase_add_test(tc, test_bad_utf8);
	suite_add_tcase(s, tc);
	return s;
}
