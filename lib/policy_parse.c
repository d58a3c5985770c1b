// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * CiliumNetworkPolicy documents (json_t) into the policy model, strictly:
 * every field is one netobs supports or an error naming it (with why, for
 * Cilium's fields netobs has no use for), every value is checked and typed
 * here, and every error says file, document, policy, JSON path and value.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "policy.h"
#include "policy_internal.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define VALUE_QUOTE_MAX 80

/* Cilium's fields netobs refuses, and why (the rest are simply unknown). */
static const struct {
	const char *field;
	const char *why;
} unsupported_fields[] = {
	{"rules", "L7 policy"},
	{"listener", "L7 policy"},
	{"originatingTLS", "TLS interception"},
	{"terminatingTLS", "TLS interception"},
	{"serverNames", "TLS server names"},
	{"matchExpressions", "label expressions; use matchLabels"},
	{"cidrGroupRef", "CIDR groups; write the cidr"},
	{"toServices", "Kubernetes services"},
	{"nodeSelector", "node selectors"},
	{"fromNodes", "node selectors"},
	{"toNodes", "node selectors"},
	{"fromRequires", "requirements"},
	{"toRequires", "requirements"},
	{"fromGroups", "cloud provider groups"},
	{"toGroups", "cloud provider groups"},
	{"authentication", "mutual authentication"},
	{"labels", "labels on policies and rules"},
	{"namespace", "Kubernetes namespaces"},
	{"status", "status is written by Kubernetes"},
};

static void path_format_value(const json_t *value, char *buf, size_t len)
{
	/* ASCII (\uXXXX escapes): the cut below must not split a UTF-8 sequence. */
	char *text = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII)
			   : NULL;

	if (!text) {
		snprintf(buf, len, "%s", value ? "?" : "");
		return;
	}
	if (strlen(text) > VALUE_QUOTE_MAX)
		snprintf(buf, len, "%.*s...", VALUE_QUOTE_MAX, text);
	else
		snprintf(buf, len, "%s", text);
	free(text);
}

/* Report at the current path; value (may be NULL) is quoted. Returns -EINVAL. */
int policy_fail(struct parse_ctx *c, const json_t *value, const char *fmt, ...)
{
	char what[256], quoted[VALUE_QUOTE_MAX + 8] = "", where[160] = "";
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->name[0])
		snprintf(where, sizeof(where), " (%s)", c->name);
	path_format_value(value, quoted, sizeof(quoted));
	n = snprintf(c->err->message, sizeof(c->err->message), "%s: document %u%s: %s%s%s%s%s%s",
		     c->file, c->document, where, c->path, c->path_len ? ": " : "", what,
		     value ? " (got " : "", quoted, value ? ")" : "");
	if (n >= (int)sizeof(c->err->message)) /* a long file name: keep the end readable */
		memcpy(c->err->message + sizeof(c->err->message) - 4, "...", 4);
	return -EINVAL;
}

/*
 * Keys come from the file: in the path (a message for a terminal) each byte
 * that is not printable ASCII is a '?', and at most 64 are kept.
 */
size_t policy_path_push_key(struct parse_ctx *c, const char *key)
{
	size_t old = c->path_len, i;
	char shown[65];
	int n;

	for (i = 0; key[i] && i < sizeof(shown) - 1; i++)
		shown[i] = key[i] >= 0x20 && key[i] < 0x7f ? key[i] : '?';
	shown[i] = '\0';
	n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", shown);
	if (n > 0)
		c->path_len =
			old + (size_t)n < sizeof(c->path) ? old + (size_t)n : sizeof(c->path) - 1;
	return old;
}

size_t policy_path_push_index(struct parse_ctx *c, size_t index)
{
	size_t old = c->path_len;
	int n = snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", index);

	if (n > 0)
		c->path_len =
			old + (size_t)n < sizeof(c->path) ? old + (size_t)n : sizeof(c->path) - 1;
	return old;
}

void policy_path_pop(struct parse_ctx *c, size_t old)
{
	c->path_len = old;
	c->path[old] = '\0';
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction or exponent";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

int policy_wrong_type(struct parse_ctx *c, const json_t *v, const char *expected)
{
	return policy_fail(c, v, "expected %s, not %s", expected, type_name(v));
}

/* Every key of obj must be in allowed (NULL-terminated). */
int policy_check_fields(struct parse_ctx *c, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *value;

	json_object_foreach ((json_t *)obj, key, value) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a)
			continue;
		policy_path_push_key(c, key); /* the error's path; parsing stops here */
		for (size_t i = 0; i < ARRAY_SIZE(unsupported_fields); i++)
			if (strcmp(unsupported_fields[i].field, key) == 0)
				return policy_fail(
					c, NULL,
					"not supported by netobs (%s); supported fields: "
					"docs/policy.md",
					unsupported_fields[i].why);
		if (strcmp(key, "toFQDNs") == 0)
			return policy_fail(c, NULL,
					   "toFQDNs is only supported in egress (allow) rules");
		return policy_fail(c, NULL, "unknown field; supported fields: docs/policy.md");
	}
	return 0;
}

int policy_check_object(struct parse_ctx *c, const json_t *v, const char *shape,
			const char *const *allowed)
{
	if (!json_is_object(v))
		return policy_wrong_type(c, v, shape);
	return policy_check_fields(c, v, allowed);
}

/*
 * A list at obj[key] (absent: *out NULL). Empty lists are refused: Cilium
 * reads some of them unlike absent ones, and a reader could take them either way.
 */
int policy_get_list(struct parse_ctx *c, const json_t *obj, const char *key, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) == 0) {
		policy_path_push_key(c, key); /* the error names the field; parsing stops here */
		if (!json_is_array(v))
			return policy_wrong_type(c, v, "a list");
		return policy_fail(c, v, "an empty list; leave the field out instead");
	}
	*out = v;
	return 0;
}

/* Count against a per-policy bound. */
int policy_take(struct parse_ctx *c, uint32_t *count, uint32_t add, uint32_t max, const char *what)
{
	if (*count + add > max)
		return policy_fail(c, NULL, "more than %u %s in one policy", max, what);
	*count += add;
	return 0;
}

int policy_parse_items(struct parse_ctx *c, const json_t *list, policy_item_parser parse,
		       void *items, size_t size, uint32_t *n)
{
	const json_t *v;
	size_t i;

	json_array_foreach (list, i, v) {
		size_t old = policy_path_push_index(c, i);
		int ret;

		/* Counted before it is read: what a half-read item holds is still freed. */
		(*n)++;
		ret = parse(c, v, (char *)items + (*n - 1) * size);
		if (ret)
			return ret;
		policy_path_pop(c, old);
	}
	return 0;
}

/* ---- selectors */

static int parse_selector(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_selector *sel = item;
	static const char *const fields[] = {"matchLabels", NULL};
	const json_t *labels, *value;
	const char *key;
	char why[256];
	size_t old;
	int ret;

	memset(sel, 0, sizeof(*sel));
	ret = policy_check_object(c, v, "an object (a label selector)", fields);
	if (ret)
		return ret;
	labels = json_object_get(v, "matchLabels");
	if (!labels)
		return 0;
	old = policy_path_push_key(c, "matchLabels");
	if (!json_is_object(labels))
		return policy_wrong_type(c, labels, "an object of label keys and values");
	if (json_object_size(labels) > POLICY_SELECTOR_LABELS_MAX)
		return policy_fail(c, NULL, "more than %u labels in one selector",
				   POLICY_SELECTOR_LABELS_MAX);
	if (json_object_size(labels) == 0) {
		policy_path_pop(c, old);
		return 0;
	}
	sel->labels = calloc(json_object_size(labels), sizeof(*sel->labels));
	if (!sel->labels)
		return -ENOMEM;
	json_object_foreach ((json_t *)labels, key, value) {
		struct policy_label *l = &sel->labels[sel->n_labels];
		size_t old_key = policy_path_push_key(c, key);

		if (policy_label_key_parse(key, POLICY_SOURCE_ANY, l, why, sizeof(why)))
			return policy_fail(c, NULL, "%s", why);
		if (!json_is_string(value))
			return policy_fail(c, value,
					   "a label value is a string (quote it in YAML)");
		/* The check reads a C string: a NUL inside would hide the rest from it. */
		if (strlen(json_string_value(value)) != json_string_length(value))
			return policy_fail(c, value, "a label value holds a NUL character");
		if (policy_label_value_check(json_string_value(value), why, sizeof(why)))
			return policy_fail(c, value, "%s", why);
		memcpy(l->value, json_string_value(value), json_string_length(value) + 1);
		for (uint32_t i = 0; i < sel->n_labels; i++)
			if (policy_label_cmp(&sel->labels[i], l) == 0)
				return policy_fail(c, NULL,
						   "the same label key twice (with and without "
						   "the source any?)");
		sel->n_labels++;
		policy_path_pop(c, old_key);
	}
	qsort(sel->labels, sel->n_labels, sizeof(sel->labels[0]), policy_label_cmp);
	policy_path_pop(c, old);
	return 0;
}

/* ---- peers */

static int parse_endpoints(struct parse_ctx *c, const json_t *list, struct policy_rule *r)
{
	int ret = policy_take(c, &c->selectors, (uint32_t)json_array_size(list),
			      POLICY_SELECTORS_MAX, "endpoint selectors");

	if (ret)
		return ret;
	r->endpoints = calloc(json_array_size(list), sizeof(*r->endpoints));
	if (!r->endpoints)
		return -ENOMEM;
	return policy_parse_items(c, list, parse_selector, r->endpoints, sizeof(*r->endpoints),
				  &r->n_endpoints);
}

/* ---- rules, specs, policies */

/* A rule's fields that are one list each, parsed into the rule. */
typedef int (*rule_list_parser)(struct parse_ctx *c, const json_t *list, struct policy_rule *r);

static int parse_rule(struct parse_ctx *c, const json_t *v, struct policy_rule *r)
{
	static const char *const ingress_fields[] = {
		"fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities",
		"toPorts",	 "icmps",    NULL};
	static const char *const egress_fields[] = {
		"toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toPorts", "icmps", NULL};
	static const char *const egress_allow_fields[] = {"toEndpoints", "toCIDR",  "toCIDRSet",
							  "toEntities",	 "toPorts", "icmps",
							  "toFQDNs",	 NULL};
	bool ingress = r->direction == POLICY_INGRESS;
	const struct {
		const char *key;
		rule_list_parser parse;
	} lists[] = {
		{ingress ? "fromEndpoints" : "toEndpoints", parse_endpoints},
		{ingress ? "fromEntities" : "toEntities", policy_parse_entities},
		{"toFQDNs",
		 policy_parse_fqdns}, /* egress only: check_fields refuses it elsewhere */
		{"toPorts", policy_parse_to_ports},
		{"icmps", policy_parse_icmps},
	};
	const char *cidr_key = ingress ? "fromCIDR" : "toCIDR";
	const char *set_key = ingress ? "fromCIDRSet" : "toCIDRSet";
	const json_t *list, *cidrs, *sets;
	int ret;

	ret = policy_check_object(c, v, "an object (a rule)",
				  ingress		     ? ingress_fields
				  : r->action == POLICY_DENY ? egress_fields
							     : egress_allow_fields);
	if (ret)
		return ret;
	ret = policy_check_rule_peers(c, v, ingress);
	if (ret)
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		size_t old;

		ret = policy_get_list(c, v, lists[i].key, &list);
		if (ret)
			return ret;
		if (!list)
			continue;
		old = policy_path_push_key(c, lists[i].key);
		ret = lists[i].parse(c, list, r);
		if (ret)
			return ret;
		policy_path_pop(c, old);
	}
	if ((ret = policy_get_list(c, v, cidr_key, &cidrs)) ||
	    (ret = policy_get_list(c, v, set_key, &sets)))
		return ret;
	return policy_parse_cidrs(c, cidrs, sets, r, cidr_key, set_key);
}

/* enableDefaultDeny: *ingress and *egress become 1 or 0 where given, else stay -1. */
static int parse_default_deny(struct parse_ctx *c, const json_t *v, int *ingress, int *egress)
{
	static const char *const fields[] = {"ingress", "egress", NULL};
	const json_t *in = json_object_get(v, "ingress"), *out = json_object_get(v, "egress");
	int ret;

	ret = policy_check_object(c, v, "an object ({\"ingress\": BOOL, \"egress\": BOOL})",
				  fields);
	if (ret)
		return ret;
	if (in && !json_is_boolean(in)) {
		policy_path_push_key(c, "ingress");
		return policy_wrong_type(c, in, "true or false");
	}
	if (out && !json_is_boolean(out)) {
		policy_path_push_key(c, "egress");
		return policy_wrong_type(c, out, "true or false");
	}
	if (in)
		*ingress = json_is_true(in);
	if (out)
		*egress = json_is_true(out);
	return 0;
}

static const struct {
	const char *key;
	uint8_t direction, action;
} rule_lists[] = {
	{"ingress", POLICY_INGRESS, POLICY_ALLOW},
	{"ingressDeny", POLICY_INGRESS, POLICY_DENY},
	{"egress", POLICY_EGRESS, POLICY_ALLOW},
	{"egressDeny", POLICY_EGRESS, POLICY_DENY},
};

static int parse_spec(struct parse_ctx *c, const json_t *v, struct policy_spec *s)
{
	static const char *const fields[] = {
		"endpointSelector", "enableDefaultDeny", "description", "ingress", "ingressDeny",
		"egress",	    "egressDeny",	 NULL};
	const json_t *lists[ARRAY_SIZE(rule_lists)], *sel, *field, *rule;
	int deny_ingress = -1, deny_egress = -1; /* enableDefaultDeny; -1: not given */
	size_t total = 0, old, i, j;
	int ret;

	ret = policy_check_object(c, v, "an object (a rule set)", fields);
	if (ret)
		return ret;
	sel = json_object_get(v, "endpointSelector");
	if (!sel)
		return policy_fail(c, NULL,
				   "endpointSelector is required ({} selects every endpoint)");
	old = policy_path_push_key(c, "endpointSelector");
	if ((ret = parse_selector(c, sel, &s->subject)))
		return ret;
	policy_path_pop(c, old);
	field = json_object_get(v, "enableDefaultDeny");
	if (field) {
		old = policy_path_push_key(c, "enableDefaultDeny");
		if ((ret = parse_default_deny(c, field, &deny_ingress, &deny_egress)))
			return ret;
		policy_path_pop(c, old);
	}
	field = json_object_get(v, "description");
	if (field) {
		old = policy_path_push_key(c, "description");
		if (!json_is_string(field))
			return policy_wrong_type(c, field, "a string");
		if (json_string_length(field) > POLICY_DESCRIPTION_MAX ||
		    strlen(json_string_value(field)) != json_string_length(field))
			return policy_fail(c, NULL, "longer than %d bytes or holds a NUL",
					   POLICY_DESCRIPTION_MAX);
		memcpy(s->description, json_string_value(field), json_string_length(field) + 1);
		policy_path_pop(c, old);
	}
	for (i = 0; i < ARRAY_SIZE(rule_lists); i++) {
		/* Cilium decides default deny by a non-empty list: `ingress: []` is not a section. */
		lists[i] = json_object_get(v, rule_lists[i].key);
		if (lists[i] && !json_is_array(lists[i])) {
			policy_path_push_key(c, rule_lists[i].key);
			return policy_wrong_type(c, lists[i], "a list of rules");
		}
		/*
		 * Refused as docs/policy.md says: Cilium reads `ingress: []` as no
		 * section (no default deny), a Kubernetes NetworkPolicy author as
		 * "deny all ingress".
		 */
		if (lists[i] && json_array_size(lists[i]) == 0) {
			policy_path_push_key(c, rule_lists[i].key);
			return policy_fail(c, lists[i],
					   "an empty list of rules; leave it out, or write [{}] "
					   "to put this direction in default deny");
		}
		total += json_array_size(lists[i]);
	}
	ret = policy_take(c, &c->rules,
			  (uint32_t)(total <= POLICY_RULES_MAX ? total : POLICY_RULES_MAX + 1),
			  POLICY_RULES_MAX, "rules");
	if (ret)
		return ret;
	s->rules = calloc(total + 1, sizeof(*s->rules));
	if (!s->rules)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(rule_lists); i++) {
		old = policy_path_push_key(c, rule_lists[i].key);
		json_array_foreach (lists[i], j, rule) {
			size_t old_j = policy_path_push_index(c, j);
			struct policy_rule *r = &s->rules[s->n_rules++];

			r->direction = rule_lists[i].direction;
			r->action = rule_lists[i].action;
			if ((ret = parse_rule(c, rule, r)))
				return ret;
			if (r->direction == POLICY_INGRESS)
				s->has_ingress = true;
			else
				s->has_egress = true;
			policy_path_pop(c, old_j);
		}
		policy_path_pop(c, old);
	}
	/*
	 * Cilium's repository.go reads enableDefaultDeny only for a direction
	 * that has rules: unset or true, default deny; false, rules only. An
	 * explicit true without rules in that direction does nothing.
	 */
	s->default_deny_ingress = s->has_ingress && deny_ingress != 0;
	s->default_deny_egress = s->has_egress && deny_egress != 0;
	return 0;
}

static int parse_metadata(struct parse_ctx *c, const json_t *v, struct policy *p)
{
	static const char *const fields[] = {"name", NULL};
	const json_t *name = json_object_get(v, "name");
	const char *s;
	size_t len, old;
	int ret;

	ret = policy_check_object(c, v, "an object", fields);
	if (ret)
		return ret;
	if (!name)
		return policy_fail(c, NULL, "name is required");
	old = policy_path_push_key(c, "name");
	s = json_string_value(name);
	if (!s)
		return policy_wrong_type(c, name, "a string");
	len = json_string_length(name);
	if (len == 0 || len > POLICY_NAME_MAX || strlen(s) != len)
		goto bad;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      ((s[i] == '-' || s[i] == '.') && i > 0 && i + 1 < len)))
			goto bad;
	memcpy(p->name, s, len + 1);
	policy_path_pop(c, old);
	return 0;
bad:
	return policy_fail(c, name,
			   "not a policy name (1-%d of a-z 0-9 - ., alphanumeric at both ends)",
			   POLICY_NAME_MAX);
}

/* The name as messages show it: printable and short, else left out. */
static void name_for_messages(struct parse_ctx *c, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(c->name))
		return;
	for (size_t i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return;
	memcpy(c->name, name, len + 1);
}

static int parse_policy(struct parse_ctx *c, const json_t *v, struct policy *p)
{
	static const char *const fields[] = {"apiVersion", "kind",  "metadata",
					     "spec",	   "specs", NULL};
	const json_t *api = json_object_get(v, "apiVersion"), *kind = json_object_get(v, "kind");
	const json_t *meta = json_object_get(v, "metadata"), *spec = json_object_get(v, "spec");
	const json_t *specs, *s;
	size_t old, i, n_specs;
	int ret;

	memset(c->name, 0, sizeof(c->name));
	c->rules = c->selectors = c->cidrs = c->ports = c->icmps = c->fqdns = 0;
	if (!json_is_object(v))
		return policy_wrong_type(c, v, "an object (a CiliumNetworkPolicy)");
	/* Name the policy in every message, even one about its other fields. */
	if (json_is_string(json_object_get(meta, "name")))
		name_for_messages(c, json_string_value(json_object_get(meta, "name")));
	ret = policy_check_fields(c, v, fields);
	if (ret)
		return ret;
	old = policy_path_push_key(c, "apiVersion");
	if (!api)
		return policy_fail(c, NULL, "required (cilium.io/v2)");
	if (!json_is_string(api) || strcmp(json_string_value(api), "cilium.io/v2"))
		return policy_fail(c, api, "netobs reads cilium.io/v2");
	policy_path_pop(c, old);
	old = policy_path_push_key(c, "kind");
	if (!kind)
		return policy_fail(c, NULL, "required (CiliumNetworkPolicy)");
	if (json_is_string(kind) && strcmp(json_string_value(kind), "CiliumNetworkPolicy") == 0)
		p->kind = POLICY_KIND_NAMESPACED;
	else if (json_is_string(kind) &&
		 strcmp(json_string_value(kind), "CiliumClusterwideNetworkPolicy") == 0)
		p->kind = POLICY_KIND_CLUSTERWIDE;
	else
		return policy_fail(c, kind,
				   "netobs reads CiliumNetworkPolicy and "
				   "CiliumClusterwideNetworkPolicy");
	policy_path_pop(c, old);
	if (!meta)
		return policy_fail(c, NULL,
				   "metadata is required (metadata.name names the policy)");
	old = policy_path_push_key(c, "metadata");
	if ((ret = parse_metadata(c, meta, p)))
		return ret;
	policy_path_pop(c, old);
	if ((ret = policy_get_list(c, v, "specs", &specs)))
		return ret;
	if (spec && !json_is_object(spec)) {
		policy_path_push_key(c, "spec");
		return policy_wrong_type(c, spec, "an object (a rule set)");
	}
	n_specs = (spec ? 1 : 0) + json_array_size(specs);
	if (n_specs == 0)
		return policy_fail(c, NULL, "spec or specs is required");
	if (n_specs > POLICY_SPECS_MAX)
		return policy_fail(c, NULL, "more than %u rule sets (spec and specs) in one policy",
				   POLICY_SPECS_MAX);
	p->specs = calloc(n_specs, sizeof(*p->specs));
	if (!p->specs)
		return -ENOMEM;
	if (spec) {
		p->has_spec = true;
		old = policy_path_push_key(c, "spec");
		p->n_specs++;
		if ((ret = parse_spec(c, spec, &p->specs[0])))
			return ret;
		policy_path_pop(c, old);
	}
	old = policy_path_push_key(c, "specs");
	json_array_foreach (specs, i, s) {
		size_t old_i = policy_path_push_index(c, i);

		p->n_specs++;
		if ((ret = parse_spec(c, s, &p->specs[p->n_specs - 1])))
			return ret;
		policy_path_pop(c, old_i);
	}
	policy_path_pop(c, old);
	return 0;
}

/* ---- documents and sets */

/* Policies parsed from one input, added to the set only if all of them are good. */
struct pending {
	struct policy *policies;
	uint32_t n, cap;
};

static void pending_free(struct pending *p)
{
	for (uint32_t i = 0; i < p->n; i++)
		policy_free(&p->policies[i]);
	free(p->policies);
}

static int add_policy(struct parse_ctx *c, const json_t *v, const struct policy_set *set,
		      struct pending *out)
{
	struct policy *p;
	int ret;

	if (out->n == out->cap) {
		uint32_t cap = out->cap ? out->cap * 2 : 8;
		struct policy *grown = realloc(out->policies, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		out->policies = grown;
		out->cap = cap;
	}
	p = &out->policies[out->n];
	memset(p, 0, sizeof(*p));
	ret = parse_policy(c, v, p);
	if (ret) {
		policy_free(p);
		return ret;
	}
	/* Checked after parsing, so that the message names the policy. */
	if (set->n_policies + out->n >= POLICY_DOCUMENTS_MAX) {
		policy_free(p);
		return policy_fail(c, NULL, "more than %u policies in one import",
				   POLICY_DOCUMENTS_MAX);
	}
	snprintf(p->origin, sizeof(p->origin), "%.64s: document %u", c->file, c->document);
	for (uint32_t i = 0; i < set->n_policies + out->n; i++) {
		const struct policy *other = i < set->n_policies
						     ? &set->policies[i]
						     : &out->policies[i - set->n_policies];

		if (strcmp(other->name, p->name) == 0) {
			size_t old = policy_path_push_key(c, "metadata.name");

			ret = policy_fail(
				c, json_object_get(json_object_get(v, "metadata"), "name"),
				"another policy of this import has this name (%s)", other->origin);
			policy_path_pop(c, old);
			policy_free(p);
			return ret;
		}
	}
	out->n++;
	return 0;
}

static bool is_list_kind(const json_t *doc)
{
	const char *kind = json_string_value(json_object_get(doc, "kind"));

	return kind && (strcmp(kind, "List") == 0 || strcmp(kind, "CiliumNetworkPolicyList") == 0 ||
			strcmp(kind, "CiliumClusterwideNetworkPolicyList") == 0);
}

/* kubectl's `kind: List` (or CiliumNetworkPolicyList): its metadata says nothing of policies. */
static int parse_list(struct parse_ctx *c, const json_t *doc, const struct policy_set *set,
		      struct pending *out)
{
	static const char *const fields[] = {"apiVersion", "kind", "metadata", "items", NULL};
	const json_t *items = json_object_get(doc, "items"), *item;
	size_t i, old;
	int ret = policy_check_fields(c, doc, fields);

	if (ret)
		return ret;
	if (!items)
		return policy_fail(c, NULL, "items is required in a %s",
				   json_string_value(json_object_get(doc, "kind")));
	old = policy_path_push_key(c, "items");
	if (!json_is_array(items))
		return policy_wrong_type(c, items, "a list of policies");
	json_array_foreach (items, i, item) {
		size_t old_i = policy_path_push_index(c, i);

		if (is_list_kind(item))
			return policy_fail(c, NULL, "a List inside a List");
		ret = add_policy(c, item, set, out);
		if (ret)
			return ret;
		memset(c->name, 0, sizeof(c->name));
		policy_path_pop(c, old_i);
	}
	policy_path_pop(c, old);
	return 0;
}

int policy_set_add_json(struct policy_set *set, const char *file, const json_t *root,
			struct policy_error *err)
{
	struct parse_ctx c = {.file = file, .err = err};
	size_t n_docs = json_is_array(root) ? json_array_size(root) : 1;
	struct pending pending = {0};
	struct policy *grown;
	int ret = 0;

	err->message[0] = '\0';
	for (size_t i = 0; i < n_docs && !ret; i++) {
		const json_t *doc = json_is_array(root) ? json_array_get(root, i) : root;

		c.document = (uint32_t)(i + 1);
		memset(c.name, 0, sizeof(c.name));
		policy_path_pop(&c, 0);
		if (json_is_object(doc) && is_list_kind(doc))
			ret = parse_list(&c, doc, set, &pending);
		else
			ret = add_policy(&c, doc, set, &pending);
	}
	if (!ret && pending.n == 0) {
		snprintf(err->message, sizeof(err->message),
			 "%s: no policies (an empty file, list or document)", file);
		ret = -EINVAL;
	}
	if (!ret) {
		grown = realloc(set->policies, (set->n_policies + pending.n) * sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;
		} else {
			set->policies = grown;
			memcpy(&set->policies[set->n_policies], pending.policies,
			       pending.n * sizeof(*grown));
			set->n_policies += pending.n;
			free(pending.policies);
			return 0;
		}
	}
	if (ret == -ENOMEM)
		snprintf(err->message, sizeof(err->message), "%s: out of memory", file);
	pending_free(&pending);
	return ret;
}

int policy_set_add_text(struct policy_set *set, const char *file, const char *text, size_t len,
			struct policy_error *err)
{
	json_t *docs = policy_text_to_json(file, text, len, err);
	int ret;

	if (!docs)
		return -EINVAL;
	ret = policy_set_add_json(set, file, docs, err);
	json_decref(docs);
	return ret;
}
