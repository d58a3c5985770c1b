// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Policy files: every supported field in JSON and YAML (the same policy in
 * both reads the same), the document forms, each error class with its exact
 * message, selectors and labels, bounds. Expected values are written out
 * here by hand, never computed by the code under test.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

Suite *netobs_test_suite(void);

/* Every field netobs supports, once, in JSON... */
static const char full_json[] =
	"{\"apiVersion\": \"cilium.io/v2\", \"kind\": \"CiliumNetworkPolicy\",\n"
	" \"metadata\": {\"name\": \"web-ingress\"},\n"
	" \"spec\": {\n"
	"  \"description\": \"the web tier\",\n"
	"  \"endpointSelector\": {\"matchLabels\": {\"app\": \"web\", "
	"\"netobs:netns\": \"ns-web\"}},\n"
	"  \"enableDefaultDeny\": {\"ingress\": true, \"egress\": false},\n"
	"  \"ingress\": [{\"fromEndpoints\": [{\"matchLabels\": {\"user:app\": \"client\"}}, {}],\n"
	"               \"toPorts\": [{\"ports\": [{\"port\": \"8080\", \"protocol\": \"TCP\"},\n"
	"                                        {\"port\": 9000, \"endPort\": 9010}]}]},\n"
	"              {\"icmps\": [{\"fields\": [{\"type\": \"EchoRequest\", \"family\": "
	"\"IPv4\"},\n"
	"                                       {\"type\": 128, \"family\": \"IPv6\"}]}]}],\n"
	"  \"ingressDeny\": [{\"fromCIDR\": [\"10.0.9.0/24\", \"fd00:9::/64\"]},\n"
	"                  {\"fromCIDRSet\": [{\"cidr\": \"10.0.0.0/8\", \"except\": "
	"[\"10.96.0.0/12\"]}]},\n"
	"                  {\"fromEntities\": [\"world\"]}],\n"
	"  \"egress\": [{\"toFQDNs\": [{\"matchName\": \"API.Example.org.\"}, {\"matchPattern\": "
	"\"*.example.com\"}],\n"
	"              \"toPorts\": [{\"ports\": [{\"port\": \"443\", \"protocol\": \"tcp\"}]}]},\n"
	"             {\"toEndpoints\": [{\"matchLabels\": {\"netobs:endpoint\": \"dns\"}}],\n"
	"              \"toPorts\": [{\"ports\": [{\"port\": 53, \"protocol\": \"UDP\"}]},\n"
	"                          {\"ports\": [{\"port\": 2905, \"protocol\": \"SCTP\"}]}]},\n"
	"             {\"toCIDR\": [\"192.0.2.7\"]}, {\"toCIDRSet\": [{\"cidr\": "
	"\"192.0.2.0/24\"}]},\n"
	"             {\"toEntities\": [\"host\", \"all\"]}],\n"
	"  \"egressDeny\": [{\"toEntities\": [\"world\"], \"toPorts\": [{\"ports\": [{\"port\": "
	"25}]}]}]\n"
	" }}\n";

/* ...and in YAML, ports as numbers and strings where the JSON has the other. */
static const char full_yaml[] = "apiVersion: cilium.io/v2\n"
				"kind: CiliumNetworkPolicy\n"
				"metadata:\n"
				"  name: web-ingress\n"
				"spec:\n"
				"  description: the web tier\n"
				"  endpointSelector:\n"
				"    matchLabels: {app: web, 'netobs:netns': ns-web}\n"
				"  enableDefaultDeny:\n"
				"    ingress: true\n"
				"    egress: false\n"
				"  ingress:\n"
				"    - fromEndpoints:\n"
				"        - matchLabels:\n"
				"            user:app: client\n"
				"        - {}\n"
				"      toPorts:\n"
				"        - ports:\n"
				"            - port: 8080\n"
				"              protocol: TCP\n"
				"            - {port: \"9000\", endPort: 9010}\n"
				"    - icmps:\n"
				"        - fields:\n"
				"            - {type: 8, family: IPv4}\n"
				"            - {type: EchoRequest, family: IPv6}\n"
				"  ingressDeny:\n"
				"    - fromCIDR: [10.0.9.0/24, 'fd00:9::/64']\n"
				"    - fromCIDRSet:\n"
				"        - cidr: 10.0.0.0/8\n"
				"          except: [10.96.0.0/12]\n"
				"    - fromEntities: [world]\n"
				"  egress:\n"
				"    - toFQDNs:\n"
				"        - matchName: api.example.org\n"
				"        - matchPattern: \"*.example.com\"\n"
				"      toPorts:\n"
				"        - ports: [{port: 443, protocol: TCP}]\n"
				"    - toEndpoints: [{matchLabels: {netobs:endpoint: dns}}]\n"
				"      toPorts:\n"
				"        - ports: [{port: 53, protocol: UDP}]\n"
				"        - ports: [{port: \"2905\", protocol: sctp}]\n"
				"    - toCIDR: [192.0.2.7/32]\n"
				"    - toCIDRSet: [{cidr: 192.0.2.0/24}]\n"
				"    - toEntities: [all, host]\n"
				"  egressDeny:\n"
				"    - toEntities: [world]\n"
				"      toPorts: [{ports: [{port: 25, protocol: ANY}]}]\n";

static int add(struct policy_set *set, const char *file, const char *text, struct policy_error *err)
{
	return policy_set_add_text(set, file, text, strlen(text), err);
}

static void load_ok(struct policy_set *set, const char *text)
{
	struct policy_error err;
	int ret;

	policy_set_init(set);
	ret = add(set, "t.yaml", text, &err);
	ck_assert_msg(ret == 0, "unexpected error: %s", err.message);
}

START_TEST(test_full_policy_model)
{
	struct policy_set set;
	const struct policy_spec *s;
	const struct policy_rule *r;
	char buf[64];

	load_ok(&set, full_json);
	ck_assert_uint_eq(set.n_policies, 1);
	ck_assert_str_eq(set.policies[0].name, "web-ingress");
	ck_assert_uint_eq(set.policies[0].kind, POLICY_KIND_NAMESPACED);
	ck_assert(set.policies[0].has_spec);
	ck_assert_uint_eq(set.policies[0].n_specs, 1);
	s = &set.policies[0].specs[0];
	ck_assert_str_eq(s->description, "the web tier");
	/* sorted: source "any" < "netobs" */
	ck_assert_uint_eq(s->subject.n_labels, 2);
	ck_assert_str_eq(s->subject.labels[0].source, "any");
	ck_assert_str_eq(s->subject.labels[0].key, "app");
	ck_assert_str_eq(s->subject.labels[0].value, "web");
	ck_assert_str_eq(s->subject.labels[1].source, "netobs");
	ck_assert_str_eq(s->subject.labels[1].key, "netns");
	ck_assert(s->default_deny_ingress && !s->default_deny_egress);
	ck_assert(s->has_ingress && s->has_egress);
	ck_assert_uint_eq(s->n_rules, 11);

	r = &s->rules[0]; /* ingress: endpoints and ports */
	ck_assert_uint_eq(r->direction, POLICY_INGRESS);
	ck_assert_uint_eq(r->action, POLICY_ALLOW);
	ck_assert_uint_eq(r->n_endpoints, 2);
	ck_assert_str_eq(r->endpoints[0].labels[0].source, "user");
	ck_assert_uint_eq(r->endpoints[1].n_labels, 0);
	ck_assert_uint_eq(r->n_ports, 2);
	ck_assert_uint_eq(r->ports[0].port, 8080);
	ck_assert_uint_eq(r->ports[0].end_port, 8080);
	ck_assert_uint_eq(r->ports[0].protocol, 6);
	ck_assert_uint_eq(r->ports[1].port, 9000);
	ck_assert_uint_eq(r->ports[1].end_port, 9010);
	ck_assert_uint_eq(r->ports[1].protocol, 0);

	r = &s->rules[1]; /* ingress: icmps only, so any peer */
	ck_assert_uint_eq(r->n_icmps, 2);
	ck_assert_uint_eq(r->icmps[0].family, 4);
	ck_assert_uint_eq(r->icmps[0].type, 8);
	ck_assert_uint_eq(r->icmps[1].family, 6);
	ck_assert_uint_eq(r->icmps[1].type, 128);
	ck_assert_uint_eq(r->n_endpoints + r->n_cidrs + r->entities, 0);

	r = &s->rules[2]; /* ingressDeny: CIDRs, a CIDR set, an entity, a rule each */
	ck_assert_uint_eq(r->action, POLICY_DENY);
	ck_assert_uint_eq(r->n_cidrs, 2);
	ck_assert(!r->cidrs[0].from_set && !r->cidrs[1].from_set);
	ck_assert_uint_eq(r->cidrs[0].prefix.family, 4);
	ck_assert_uint_eq(r->cidrs[0].prefix.len, 24);
	ck_assert_mem_eq(r->cidrs[0].prefix.addr, "\x0a\x00\x09\x00", 4);
	ck_assert_uint_eq(r->cidrs[1].prefix.family, 6);
	policy_prefix_format(&r->cidrs[1].prefix, buf, sizeof(buf));
	ck_assert_str_eq(buf, "fd00:9::/64");
	r = &s->rules[3];
	ck_assert_uint_eq(r->n_cidrs, 1);
	ck_assert(r->cidrs[0].from_set);
	ck_assert_uint_eq(r->cidrs[0].n_excepts, 1);
	ck_assert_mem_eq(r->cidrs[0].excepts[0].addr, "\x0a\x60\x00\x00", 4);
	ck_assert_uint_eq(r->cidrs[0].excepts[0].len, 12);
	ck_assert_uint_eq(s->rules[4].action, POLICY_DENY);
	ck_assert_uint_eq(s->rules[4].entities, POLICY_ENTITY_WORLD);

	r = &s->rules[5]; /* egress: fqdns */
	ck_assert_uint_eq(r->direction, POLICY_EGRESS);
	ck_assert_uint_eq(r->n_fqdns, 2);
	ck_assert_uint_eq(r->fqdns[0].kind, POLICY_FQDN_NAME);
	ck_assert_str_eq(r->fqdns[0].text, "api.example.org");
	ck_assert_uint_eq(r->fqdns[1].kind, POLICY_FQDN_PATTERN);
	ck_assert_str_eq(r->fqdns[1].text, "*.example.com");

	r = &s->rules[6]; /* egress: an endpoint, toPorts flattened */
	ck_assert_uint_eq(r->n_endpoints, 1);
	ck_assert_uint_eq(r->n_ports, 2);
	ck_assert_uint_eq(r->ports[0].protocol, 17);
	ck_assert_uint_eq(r->ports[1].port, 2905);
	ck_assert_uint_eq(r->ports[1].protocol, 132);
	ck_assert_uint_eq(s->rules[7].n_cidrs, 1);
	ck_assert_uint_eq(s->rules[7].cidrs[0].prefix.len, 32);
	ck_assert(s->rules[8].cidrs[0].from_set);
	ck_assert_uint_eq(s->rules[9].entities, POLICY_ENTITY_HOST | POLICY_ENTITY_ALL);

	r = &s->rules[10]; /* egressDeny: port 25 of any protocol */
	ck_assert_uint_eq(r->direction, POLICY_EGRESS);
	ck_assert_uint_eq(r->action, POLICY_DENY);
	ck_assert_uint_eq(r->entities, POLICY_ENTITY_WORLD);
	ck_assert_uint_eq(r->n_ports, 1);
	ck_assert_uint_eq(r->ports[0].port, 25);
	ck_assert_uint_eq(r->ports[0].protocol, POLICY_PROTO_ANY);
	policy_set_free(&set);
}
END_TEST

START_TEST(test_json_and_yaml_agree)
{
	struct policy_set from_json, from_yaml, again;
	struct policy_error err;
	json_t *a, *b, *c;

	load_ok(&from_json, full_json);
	load_ok(&from_yaml, full_yaml);
	a = policy_set_to_json(&from_json);
	b = policy_set_to_json(&from_yaml);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_msg(json_equal(a, b), "JSON and YAML differ:\n%s\n%s",
		      json_dumps(a, JSON_COMPACT), json_dumps(b, JSON_COMPACT));
	/* The normalized form reads back to itself. */
	policy_set_init(&again);
	ck_assert_int_eq(policy_set_add_json(&again, "n.json", a, &err), 0);
	c = policy_set_to_json(&again);
	ck_assert(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	policy_set_free(&from_json);
	policy_set_free(&from_yaml);
	policy_set_free(&again);
}
END_TEST

#define DOC(name, spec)                                                                            \
	"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: " name "}\n"        \
	"spec: " spec "\n"

START_TEST(test_document_forms)
{
	struct policy_set set;
	struct policy_error err;

	/* Several YAML documents; an empty one (a stray ---) is skipped. */
	load_ok(&set, "---\n" DOC("a", "{endpointSelector: {}}") "---\n---\n" DOC(
			      "b", "{endpointSelector: {}, ingress: [{}]}") "...\n");
	ck_assert_uint_eq(set.n_policies, 2);
	ck_assert_str_eq(set.policies[0].name, "a");
	ck_assert_str_eq(set.policies[1].name, "b");
	ck_assert(!set.policies[0].specs[0].has_ingress && !set.policies[0].specs[0].has_egress);
	/* ingress: [{}] is an ingress section: default deny, no rule allows anything */
	ck_assert(set.policies[1].specs[0].has_ingress && !set.policies[1].specs[0].has_egress);
	ck_assert_uint_eq(set.policies[1].specs[0].n_rules, 1);
	/* A second file joins the set; a name it repeats is refused, the set untouched. */
	ck_assert_int_eq(
		add(&set, "more.yaml",
		    DOC("c", "{endpointSelector: {}}") "---\n" DOC("a", "{endpointSelector: {}}"),
		    &err),
		-EINVAL);
	ck_assert_str_eq(err.message, "more.yaml: document 2 (a): metadata.name: another policy of "
				      "this import has this name (t.yaml: document 1) (got \"a\")");
	ck_assert_uint_eq(set.n_policies, 2);
	policy_set_free(&set);

	/* A JSON array, a kind: List, a CiliumNetworkPolicyList in YAML. */
	load_ok(&set, "[{\"apiVersion\": \"cilium.io/v2\", \"kind\": \"CiliumNetworkPolicy\", "
		      "\"metadata\": {\"name\": \"x\"}, \"spec\": {\"endpointSelector\": {}}},"
		      " {\"apiVersion\": \"v1\", \"kind\": \"List\", \"metadata\": {}, \"items\": ["
		      "{\"apiVersion\": \"cilium.io/v2\", \"kind\": "
		      "\"CiliumClusterwideNetworkPolicy\", \"metadata\": {\"name\": \"y\"}, "
		      "\"spec\": {\"endpointSelector\": {}}}]}]");
	ck_assert_uint_eq(set.n_policies, 2);
	ck_assert_str_eq(set.policies[1].name, "y");
	ck_assert_uint_eq(set.policies[1].kind, POLICY_KIND_CLUSTERWIDE);
	policy_set_free(&set);
	load_ok(&set, "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicyList\nitems:\n"
		      "- apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n"
		      "  metadata: {name: l1}\n  spec: {endpointSelector: {}}\n"
		      "- apiVersion: cilium.io/v2\n  kind: CiliumNetworkPolicy\n"
		      "  metadata: {name: l2}\n  spec: {endpointSelector: {}}\n");
	ck_assert_uint_eq(set.n_policies, 2);
	ck_assert_str_eq(set.policies[1].name, "l2");
	policy_set_free(&set);

	/* A byte order mark before JSON (editors on Windows write one). */
	load_ok(&set, "\xef\xbb\xbf {\"apiVersion\": \"cilium.io/v2\", \"kind\": "
		      "\"CiliumNetworkPolicy\", \"metadata\": {\"name\": \"bom\"}, \"spec\": "
		      "{\"endpointSelector\": {}}}");
	ck_assert_str_eq(set.policies[0].name, "bom");
	policy_set_free(&set);

	/* spec and specs: each rule set keeps its own selector. */
	load_ok(&set,
		DOC("s", "{endpointSelector: {matchLabels: {app: a}}}") "specs:\n"
									"- endpointSelector: "
									"{matchLabels: {app: b}}\n"
									"  egress: [{toEntities: "
									"[world]}]\n"
									"- endpointSelector: {}\n");
	ck_assert_uint_eq(set.policies[0].n_specs, 3);
	ck_assert(set.policies[0].has_spec);
	ck_assert_str_eq(set.policies[0].specs[0].subject.labels[0].value, "a");
	ck_assert_str_eq(set.policies[0].specs[1].subject.labels[0].value, "b");
	ck_assert(set.policies[0].specs[1].has_egress);
	ck_assert_uint_eq(set.policies[0].specs[2].subject.n_labels, 0);
	policy_set_free(&set);
}
END_TEST

START_TEST(test_values_normalized)
{
	struct policy_set set;
	json_t *out;
	char *text;

	/* Host bits are masked (as Cilium's Go net.ParseCIDR does); a bare address is a host. */
	load_ok(&set,
		DOC("n", "{endpointSelector: {matchLabels: {any:app: w}}, ingress: [{"
			 "fromCIDR: [10.1.2.3/8, 'fd00::1', 'FD00:0:0:0:0:0:0:0/16'], "
			 "toPorts: [{ports: [{port: 0x50, endPort: 80, protocol: uDp}]}]}]}"));
	out = policy_to_json(&set.policies[0]);
	text = json_dumps(json_object_get(out, "spec"), JSON_COMPACT);
	ck_assert_str_eq(
		text, "{\"endpointSelector\":{\"matchLabels\":{\"app\":\"w\"}},"
		      "\"enableDefaultDeny\":{\"ingress\":true,\"egress\":false},"
		      "\"ingress\":[{\"fromCIDR\":[\"10.0.0.0/8\",\"fd00::1/128\",\"fd00::/16\"],"
		      "\"toPorts\":[{\"ports\":[{\"port\":80,\"protocol\":\"UDP\"}]}]}]}");
	free(text);
	json_decref(out);
	policy_set_free(&set);
}
END_TEST

/* The error for text, exactly. */
static void expect_error(const char *text, const char *message)
{
	struct policy_set set;
	struct policy_error err;

	policy_set_init(&set);
	ck_assert_msg(add(&set, "p.yaml", text, &err) == -EINVAL, "accepted: %s", text);
	ck_assert_str_eq(err.message, message);
	ck_assert_uint_eq(set.n_policies, 0);
	policy_set_free(&set);
}

START_TEST(test_errors_fields)
{
	expect_error(DOC("web", "{endpointSelector: {}}") "---\n" DOC(
			     "web-ingress",
			     "{endpointSelector: {}, ingress: [{toPorts: [{ports: [{port: "
			     "'80'}], rules: {http: [{method: GET}]}}]}]}"),
		     "p.yaml: document 2 (web-ingress): spec.ingress[0].toPorts[0].rules: not "
		     "supported by netobs (L7 policy); supported fields: docs/policy.md");
	expect_error(
		DOC("m", "{endpointSelector: {matchExpressions: [{key: app, operator: "
			 "Exists}]}}"),
		"p.yaml: document 1 (m): spec.endpointSelector.matchExpressions: not supported "
		"by netobs (label expressions; use matchLabels); supported fields: "
		"docs/policy.md");
	expect_error(DOC("s", "{endpointSelector: {}, egress: [{toServices: [{k8sService: {}}]}]}"),
		     "p.yaml: document 1 (s): spec.egress[0].toServices: not supported by netobs "
		     "(Kubernetes services); supported fields: docs/policy.md");
	expect_error(DOC("n", "{nodeSelector: {}}"),
		     "p.yaml: document 1 (n): spec.nodeSelector: not supported by netobs (node "
		     "selectors); supported fields: docs/policy.md");
	expect_error(DOC("u", "{endpointSelector: {}, ingres: []}"),
		     "p.yaml: document 1 (u): spec.ingres: unknown field; supported fields: "
		     "docs/policy.md");
	expect_error(DOC("f", "{endpointSelector: {}, egressDeny: [{toFQDNs: [{matchName: a}]}]}"),
		     "p.yaml: document 1 (f): spec.egressDeny[0].toFQDNs: toFQDNs is only "
		     "supported in egress (allow) rules");
	expect_error("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
		     "metadata: {name: ns, namespace: default}\nspec: {endpointSelector: {}}\n",
		     "p.yaml: document 1 (ns): metadata.namespace: not supported by netobs "
		     "(Kubernetes namespaces); supported fields: docs/policy.md");
	expect_error("apiVersion: cilium.io/v1\nkind: CiliumNetworkPolicy\nmetadata: {name: v}\n"
		     "spec: {endpointSelector: {}}\n",
		     "p.yaml: document 1 (v): apiVersion: netobs reads cilium.io/v2 (got "
		     "\"cilium.io/v1\")");
	expect_error("apiVersion: cilium.io/v2\nkind: NetworkPolicy\nmetadata: {name: k}\n"
		     "spec: {endpointSelector: {}}\n",
		     "p.yaml: document 1 (k): kind: netobs reads CiliumNetworkPolicy and "
		     "CiliumClusterwideNetworkPolicy (got \"NetworkPolicy\")");
	expect_error("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {}\n"
		     "spec: {endpointSelector: {}}\n",
		     "p.yaml: document 1: metadata: name is required");
	expect_error(DOC("Web_1", "{endpointSelector: {}}"),
		     "p.yaml: document 1 (Web_1): metadata.name: not a policy name (1-253 of a-z "
		     "0-9 - ., alphanumeric at both ends) (got \"Web_1\")");
	expect_error(DOC("e", "{ingress: []}"),
		     "p.yaml: document 1 (e): spec: endpointSelector is required ({} selects every "
		     "endpoint)");
	expect_error("apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\n",
		     "p.yaml: document 1 (x): spec or specs is required");
	expect_error("", "p.yaml: no policies (an empty file, list or document)");
}
END_TEST

START_TEST(test_errors_values)
{
#define RULE(rule) DOC("v", "{endpointSelector: {}, " rule "}")
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: 99999}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].port: not a "
		     "port number (0-65535) (got 99999)");
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: '65536'}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].port: not a "
		     "port number (0-65535) (got \"65536\")");
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: http}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].port: named "
		     "ports are not supported by netobs (no pods to name them); write the port "
		     "number (got \"http\")");
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: 90, endPort: 80}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].endPort: "
		     "endPort is below port 90 (got 80)");
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: 80, protocol: QUIC}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].protocol: not a "
		     "protocol netobs supports (TCP, UDP, SCTP or ANY) (got \"QUIC\")");
	expect_error(RULE("ingress: [{toPorts: [{ports: [{port: true}]}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].toPorts[0].ports[0].port: expected "
		     "a port number (0-65535), not a boolean (got true)");
	expect_error(
		RULE("egress: [{toCIDR: [10.0.0.0/33]}]"),
		"p.yaml: document 1 (v): spec.egress[0].toCIDR[0]: not a CIDR (ADDRESS/LENGTH, "
		"e.g. 10.0.0.0/8 or fd00::/64) (got \"10.0.0.0/33\")");
	expect_error(RULE("egress: [{toCIDRSet: [{cidr: 10.0.0.0/16, except: [10.1.0.0/24]}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toCIDRSet[0].except[0]: an except "
		     "must lie inside its cidr 10.0.0.0/16 (got \"10.1.0.0/24\")");
	expect_error(RULE("egress: [{toCIDRSet: [{cidr: 10.0.0.0/8, except: ['fd00::/64']}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toCIDRSet[0].except[0]: an except "
		     "must lie inside its cidr 10.0.0.0/8 (got \"fd00::/64\")");
	expect_error(RULE("egress: [{toEntities: [cluster]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toEntities[0]: not supported by "
		     "netobs (a cluster entity); netobs knows host, world, all (got \"cluster\")");
	expect_error(RULE("egress: [{toFQDNs: [{matchName: 'a b'}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toFQDNs[0].matchName: not a DNS name "
		     "(letters, digits, - _ .) (got \"a b\")");
	expect_error(RULE("egress: [{toFQDNs: [{matchName: a..b.}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toFQDNs[0].matchName: not a DNS name "
		     "(an empty label or one over 63 characters) (got \"a..b.\")");
	expect_error(RULE("egress: [{icmps: [{fields: [{type: EchoRequest, family: IPv5}]}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].icmps[0].fields[0].family: not an "
		     "ICMP family (IPv4 or IPv6) (got \"IPv5\")");
	expect_error(RULE("egress: [{icmps: [{fields: [{type: 256}]}]}]"),
		     "p.yaml: document 1 (v): spec.egress[0].icmps[0].fields[0].type: not an ICMP "
		     "type (0-255) (got 256)");
	expect_error(RULE("ingress: [{fromEndpoints: [{matchLabels: {app: ''}}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].fromEndpoints[0].matchLabels.app: an "
		     "empty label value (selectors match labels with a value) (got \"\")");
	expect_error(RULE("ingress: [{fromEndpoints: [{matchLabels: {tier: 2}}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].fromEndpoints[0].matchLabels.tier: a "
		     "label value is a string (quote it in YAML) (got 2)");
	expect_error(
		RULE("ingress: [{fromEndpoints: [{matchLabels: {app: a, any:app: b}}]}]"),
		"p.yaml: document 1 (v): spec.ingress[0].fromEndpoints[0].matchLabels.any:app: "
		"the same label key twice (with and without the source any?)");
	expect_error(RULE("ingress: [{fromEndpoints: [{matchLabels: {reserved:host: ''}}]}]"),
		     "p.yaml: document 1 (v): spec.ingress[0].fromEndpoints[0].matchLabels."
		     "reserved:host: 'reserved:host': reserved labels are not supported by netobs; "
		     "use fromEntities or toEntities (host, world, all)");
	expect_error(
		RULE("ingress: [{fromEndpoints: []}]"),
		"p.yaml: document 1 (v): spec.ingress[0].fromEndpoints: an empty list; leave the "
		"field out "
		"instead (got [])");
	expect_error(
		RULE("ingress: {fromCIDR: [10.0.0.0/8]}"),
		"p.yaml: document 1 (v): spec.ingress: expected a list of rules, not an object "
		"(got {\"fromCIDR\":[\"10.0.0.0/8\"]})");
	expect_error(RULE("egress: [{toPorts: {ports: [{port: 80}]}}]"),
		     "p.yaml: document 1 (v): spec.egress[0].toPorts: expected a list, not an "
		     "object (got {\"ports\":[{\"port\":80}]})");
	expect_error(RULE("enableDefaultDeny: {ingress: 'no'}"),
		     "p.yaml: document 1 (v): spec.enableDefaultDeny.ingress: expected true or "
		     "false, not a string (got \"no\")");
#undef RULE
}
END_TEST

START_TEST(test_errors_syntax)
{
	expect_error("a: 1\na: 2\n", "p.yaml: line 2: duplicate key 'a'");
	expect_error("a: &x {b: 1}\nc: *x\n",
		     "p.yaml: line 1: YAML anchors (&x) are not supported");
	expect_error("a: !!str 1\n", "p.yaml: line 1: YAML tags (tag:yaml.org,2002:str) are not "
				     "supported");
	expect_error("a: [1, 2\n", "p.yaml: line 2 column 1: YAML: did not find expected ',' or "
				   "']' while parsing a flow sequence");
	expect_error("{\"a\": 1, \"a\": 2}",
		     "p.yaml: line 1 column 12: JSON: duplicate object key near '\"a\"'");
	expect_error("[1]", "p.yaml: document 1: expected an object (a CiliumNetworkPolicy), not "
			    "an integer (got 1)");
	expect_error("a: .inf\n", "p.yaml: line 1: '.inf': infinity and NaN have no JSON form");
}
END_TEST

START_TEST(test_yaml_scalars)
{
	struct policy_error err;
	json_t *docs = policy_text_to_json(
		"s.yaml",
		"a: 80\nb: \"80\"\nc: true\nd: 'null'\ne: ~\nf: yes\ng: 0o17\nh: 1.5\n"
		"80: key\n",
		strlen("a: 80\nb: \"80\"\nc: true\nd: 'null'\ne: ~\nf: yes\ng: 0o17\nh: 1.5\n"
		       "80: key\n"),
		&err);
	json_t *doc;

	ck_assert_ptr_nonnull(docs);
	doc = json_array_get(docs, 0);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "a")), 80);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "b")), "80");
	ck_assert(json_is_true(json_object_get(doc, "c")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "d")), "null");
	ck_assert(json_is_null(json_object_get(doc, "e")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "f")), "yes"); /* YAML 1.2 */
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "g")), 15);
	ck_assert(json_real_value(json_object_get(doc, "h")) == 1.5);
	ck_assert_str_eq(json_string_value(json_object_get(doc, "80")), "key");
	json_decref(docs);
}
END_TEST

START_TEST(test_selectors)
{
	struct policy_label ep[3];
	struct policy_label want[2] = {0};
	struct policy_selector sel = {.labels = want};
	char err[256];

	ck_assert_int_eq(policy_label_parse("netobs:endpoint=web-1", "user", &ep[0], err, 256), 0);
	ck_assert_int_eq(policy_label_parse("app=web", "user", &ep[1], err, 256), 0);
	ck_assert_str_eq(ep[1].source, "user");
	ck_assert_int_eq(policy_label_parse("netobs:interface=veth0", "user", &ep[2], err, 256), 0);
	/* {} selects every endpoint, even one without labels */
	ck_assert(policy_selector_matches(&sel, ep, 3));
	ck_assert(policy_selector_matches(&sel, NULL, 0));
	/* no source: any source has it */
	sel.n_labels = 1;
	strcpy(sel.labels[0].source, "any");
	strcpy(sel.labels[0].key, "endpoint");
	strcpy(sel.labels[0].value, "web-1");
	ck_assert(policy_selector_matches(&sel, ep, 3));
	strcpy(sel.labels[0].value, "web-2");
	ck_assert(!policy_selector_matches(&sel, ep, 3));
	/* a source: only that source */
	strcpy(sel.labels[0].source, "user");
	strcpy(sel.labels[0].value, "web-1");
	ck_assert(!policy_selector_matches(&sel, ep, 3));
	strcpy(sel.labels[0].source, "netobs");
	ck_assert(policy_selector_matches(&sel, ep, 3));
	/* every label must match */
	sel.n_labels = 2;
	strcpy(sel.labels[1].source, "any");
	strcpy(sel.labels[1].key, "app");
	strcpy(sel.labels[1].value, "web");
	ck_assert(policy_selector_matches(&sel, ep, 3));
	ck_assert(!policy_selector_matches(&sel, ep, 1));
	/* endpoint labels carry a real source; any is for selectors */
	ck_assert_int_eq(policy_label_parse("any:app=x", "user", &ep[0], err, 256), -EINVAL);
	ck_assert_int_eq(policy_label_parse("netobs:color=red", "user", &ep[0], err, 256), -EINVAL);
	ck_assert_str_eq(err, "'netobs:color': netobs labels are netobs:endpoint, netobs:netns and "
			      "netobs:interface");
	ck_assert_int_eq(policy_label_parse("app", "user", &ep[0], err, 256), -EINVAL);
	ck_assert_int_eq(policy_label_parse("app=", "user", &ep[0], err, 256), -EINVAL);
	ck_assert_int_eq(policy_label_parse("-app=x", "user", &ep[0], err, 256), -EINVAL);
	ck_assert_int_eq(policy_label_parse("example.com/app=x", "user", &ep[0], err, 256), 0);
	ck_assert_str_eq(ep[0].key, "example.com/app");
}
END_TEST

/* A policy with n ports in one rule, as JSON. */
static char *many_ports(unsigned n)
{
	size_t cap = 256 + n * 16, len;
	char *text = malloc(cap);

	len = (size_t)snprintf(text, cap,
			       "{\"apiVersion\": \"cilium.io/v2\", \"kind\": "
			       "\"CiliumNetworkPolicy\", \"metadata\": {\"name\": \"b\"}, "
			       "\"spec\": {\"endpointSelector\": {}, \"ingress\": "
			       "[{\"toPorts\": [{\"ports\": [");
	/* 32 ports per toPorts entry: Cilium allows 40 in one */
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s{\"port\": %u}",
					i == 0	 ? ""
					: i % 32 ? ","
						 : "]}, {\"ports\": [",
					i + 1);
	snprintf(text + len, cap - len, "]}]}]}}");
	return text;
}

/* One policy with two rule sets of a and b empty ingress rules. */
static char *many_rules(unsigned a, unsigned b)
{
	size_t cap = 512 + (a + b) * 4, len;
	char *text = malloc(cap);

	len = (size_t)snprintf(text, cap,
			       "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
			       "metadata: {name: r}\nspecs:\n");
	for (unsigned set = 0; set < 2; set++) {
		len += (size_t)snprintf(text + len, cap - len,
					"- endpointSelector: {}\n  ingress: [");
		for (unsigned i = 0; i < (set ? b : a); i++)
			len += (size_t)snprintf(text + len, cap - len, "%s{}", i ? "," : "");
		len += (size_t)snprintf(text + len, cap - len, "]\n");
	}
	return text;
}

/* n policies p0..p(n-1) as YAML documents. */
static char *many_policies(unsigned n)
{
	size_t cap = 16 + n * 128, len = 0;
	char *text = malloc(cap);

	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
					"metadata: {name: p%u}\nspec: {endpointSelector: {}}\n",
					i);
	return text;
}

START_TEST(test_bounds)
{
	struct policy_set set;
	char *text = many_ports(256);
	char labels[2048] = "", doc[4096];

	load_ok(&set, text);
	ck_assert_uint_eq(set.policies[0].specs[0].rules[0].n_ports, 256);
	policy_set_free(&set);
	free(text);
	text = many_ports(257);
	expect_error(text, "p.yaml: document 1 (b): spec.ingress[0].toPorts: more than 256 ports "
			   "in one policy");
	free(text);
	for (int i = 0; i < 17; i++)
		snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels), "%sk%d: v",
			 i ? ", " : "", i);
	snprintf(doc, sizeof(doc), DOC("l", "{endpointSelector: {matchLabels: {%s}}}"), labels);
	expect_error(doc, "p.yaml: document 1 (l): spec.endpointSelector.matchLabels: more than 16 "
			  "labels in one selector");
	/* 256 rules in two rule sets pass, 257 do not */
	text = many_rules(128, 128);
	load_ok(&set, text);
	ck_assert_uint_eq(set.policies[0].specs[1].n_rules, 128);
	policy_set_free(&set);
	free(text);
	text = many_rules(128, 129);
	expect_error(text, "p.yaml: document 1 (r): specs[1]: more than 256 rules in one policy");
	free(text);
	/* 1024 policies in one import pass, the 1025th does not */
	text = many_policies(1024);
	load_ok(&set, text);
	ck_assert_uint_eq(set.n_policies, 1024);
	ck_assert_str_eq(set.policies[1023].name, "p1023");
	policy_set_free(&set);
	free(text);
	text = many_policies(1025);
	expect_error(text, "p.yaml: document 1025 (p1024): more than 1024 policies in one import");
	free(text);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("policy_parse");
	TCase *tc = tcase_create("policy_parse");

	tcase_add_test(tc, test_full_policy_model);
	tcase_add_test(tc, test_json_and_yaml_agree);
	tcase_add_test(tc, test_document_forms);
	tcase_add_test(tc, test_values_normalized);
	tcase_add_test(tc, test_errors_fields);
	tcase_add_test(tc, test_errors_values);
	tcase_add_test(tc, test_errors_syntax);
	tcase_add_test(tc, test_yaml_scalars);
	tcase_add_test(tc, test_selectors);
	tcase_add_test(tc, test_bounds);
	suite_add_tcase(s, tc);
	return s;
}
