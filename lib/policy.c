// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy model's other half: labels and selectors, the normalized JSON
 * form (the one print path of `netobs policy validate`, later of `policy
 * get`), and freeing. Parsing is in policy_parse.c, text in policy_text.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "policy_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The keys netobs puts on every endpoint, under the netobs source. */
static const char *const netobs_keys[] = {"endpoint", "netns", "interface"};

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Kubernetes' label name: 1..63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
static bool label_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > 63 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/* A DNS subdomain: lower case alphanumerics, '-' and '.', alphanumeric at both ends. */
static bool dns_subdomain_ok(const char *s, size_t len)
{
	if (len == 0 || len > 253 || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

int policy_label_key_parse(const char *text, const char *default_source, struct policy_label *out,
			   char *why, size_t len)
{
	const char *colon = strchr(text, ':'), *key = text, *slash;
	size_t source_len = 0;

	memset(out, 0, sizeof(*out));
	if (colon) {
		source_len = (size_t)(colon - text);
		key = colon + 1;
		if (source_len == 0 || source_len > POLICY_LABEL_SOURCE_MAX) {
			snprintf(why, len, "'%.64s': an empty or too long label source", text);
			return -EINVAL;
		}
		memcpy(out->source, text, source_len);
	} else {
		snprintf(out->source, sizeof(out->source), "%s", default_source);
	}
	if (strcmp(out->source, "reserved") == 0) {
		snprintf(why, len,
			 "'%.64s': reserved labels are not supported by netobs; use fromEntities "
			 "or toEntities (host, world, all)",
			 text);
		return -EINVAL;
	}
	if (strcmp(out->source, POLICY_SOURCE_NETOBS) && strcmp(out->source, POLICY_SOURCE_USER) &&
	    strcmp(out->source, POLICY_SOURCE_ANY)) {
		snprintf(why, len,
			 "'%.64s': label source '%s' is not one netobs endpoints have (netobs, "
			 "user, or any: a key without a source matches every source)",
			 text, out->source);
		return -EINVAL;
	}
	slash = strchr(key, '/');
	if (strlen(key) > POLICY_LABEL_KEY_MAX ||
	    (slash ? !dns_subdomain_ok(key, (size_t)(slash - key)) ||
			     !label_name_ok(slash + 1, strlen(slash + 1))
		   : !label_name_ok(key, strlen(key)))) {
		snprintf(why, len,
			 "'%.64s': not a label key ([PREFIX/]NAME, NAME 1-63 of A-Z a-z 0-9 . _ -, "
			 "alphanumeric at both ends)",
			 text);
		return -EINVAL;
	}
	if (strcmp(out->source, POLICY_SOURCE_NETOBS) == 0) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(netobs_keys); i++)
			if (strcmp(key, netobs_keys[i]) == 0)
				break;
		if (i == ARRAY_SIZE(netobs_keys)) {
			snprintf(why, len,
				 "'%.64s': netobs labels are netobs:endpoint, netobs:netns and "
				 "netobs:interface",
				 text);
			return -EINVAL;
		}
	}
	memcpy(out->key, key, strlen(key) + 1);
	return 0;
}

int policy_label_value_check(const char *value, char *why, size_t len)
{
	size_t n = strlen(value);

	if (n == 0) {
		snprintf(why, len, "an empty label value (selectors match labels with a value)");
		return -EINVAL;
	}
	if (n > POLICY_LABEL_VALUE_MAX) {
		snprintf(why, len, "a label value longer than %d characters",
			 POLICY_LABEL_VALUE_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		if (!is_alnum(value[i]) && value[i] != '.' && value[i] != '_' && value[i] != '-') {
			snprintf(why, len,
				 "'%.64s': a label value has only A-Z a-z 0-9 . _ - characters",
				 value);
			return -EINVAL;
		}
	return 0;
}

int policy_label_cmp(const void *a, const void *b)
{
	const struct policy_label *la = a, *lb = b;
	int c = strcmp(la->source, lb->source);

	return c ? c : strcmp(la->key, lb->key);
}

int policy_label_parse(const char *text, const char *default_source, struct policy_label *out,
		       char *err, size_t errlen)
{
	const char *eq = strchr(text, '=');
	char key[POLICY_LABEL_SOURCE_MAX + POLICY_LABEL_KEY_MAX + 2];
	size_t key_len;
	int ret;

	if (!eq) {
		snprintf(err, errlen, "'%.64s': a label is KEY=VALUE or SOURCE:KEY=VALUE", text);
		return -EINVAL;
	}
	key_len = (size_t)(eq - text);
	if (key_len >= sizeof(key)) {
		snprintf(err, errlen, "'%.64s...': the label key is too long", text);
		return -EINVAL;
	}
	memcpy(key, text, key_len);
	key[key_len] = '\0';
	ret = policy_label_key_parse(key, default_source, out, err, errlen);
	if (ret)
		return ret;
	if (strcmp(out->source, POLICY_SOURCE_ANY) == 0) {
		snprintf(err, errlen, "'%.64s': an endpoint label has a source (netobs or user)",
			 text);
		return -EINVAL;
	}
	ret = policy_label_value_check(eq + 1, err, errlen);
	if (ret)
		return ret;
	memcpy(out->value, eq + 1, strlen(eq + 1) + 1);
	return 0;
}

bool policy_selector_matches(const struct policy_selector *selector,
			     const struct policy_label *labels, size_t n_labels)
{
	for (uint32_t i = 0; i < selector->n_labels; i++) {
		const struct policy_label *want = &selector->labels[i];
		bool any_source = strcmp(want->source, POLICY_SOURCE_ANY) == 0, found = false;

		for (size_t j = 0; j < n_labels && !found; j++)
			found = strcmp(labels[j].key, want->key) == 0 &&
				strcmp(labels[j].value, want->value) == 0 &&
				(any_source || strcmp(labels[j].source, want->source) == 0);
		if (!found)
			return false;
	}
	return true;
}

const char *policy_protocol_name(uint8_t protocol)
{
	switch (protocol) {
	case POLICY_PROTO_TCP:
		return "TCP";
	case POLICY_PROTO_UDP:
		return "UDP";
	case POLICY_PROTO_SCTP:
		return "SCTP";
	default:
		return "ANY";
	}
}

void policy_prefix_format(const struct policy_prefix *prefix, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";

	inet_ntop(prefix->family == 4 ? AF_INET : AF_INET6, prefix->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, prefix->len);
}

/* The selector key: "app" for the source any, else "source:key". */
static void label_key_format(const struct policy_label *label, char *buf, size_t len)
{
	if (strcmp(label->source, POLICY_SOURCE_ANY) == 0)
		snprintf(buf, len, "%s", label->key);
	else
		snprintf(buf, len, "%s:%s", label->source, label->key);
}

void policy_label_format(const struct policy_label *label, char *buf, size_t len)
{
	char key[POLICY_LABEL_SOURCE_MAX + POLICY_LABEL_KEY_MAX + 2];

	label_key_format(label, key, sizeof(key));
	snprintf(buf, len, "%s=%s", key, label->value);
}

/* ---- the normalized JSON form */

/* Steal value into obj[key]; -1 (value freed) when either is NULL or out of memory. */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value) {
		json_decref(value);
		return -1;
	}
	return json_object_set_new(obj, key, value);
}

static int append(json_t *arr, json_t *value)
{
	if (!arr || !value) {
		json_decref(value);
		return -1;
	}
	return json_array_append_new(arr, value);
}

static json_t *selector_to_json(const struct policy_selector *sel)
{
	json_t *labels = json_object(), *out = json_object();
	char key[POLICY_LABEL_SOURCE_MAX + POLICY_LABEL_KEY_MAX + 2];

	for (uint32_t i = 0; i < sel->n_labels && labels; i++) {
		label_key_format(&sel->labels[i], key, sizeof(key));
		if (put(labels, key, json_string(sel->labels[i].value)))
			goto fail;
	}
	if (put(out, "matchLabels", labels))
		goto fail_out;
	return out;
fail:
	json_decref(labels);
fail_out:
	json_decref(out);
	return NULL;
}

static json_t *prefix_to_json(const struct policy_prefix *prefix)
{
	char buf[64];

	policy_prefix_format(prefix, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *cidr_set_to_json(const struct policy_cidr *cidr)
{
	json_t *out = json_object(), *excepts;

	if (put(out, "cidr", prefix_to_json(&cidr->prefix)))
		goto fail;
	if (cidr->n_excepts == 0)
		return out;
	excepts = json_array();
	for (uint32_t i = 0; i < cidr->n_excepts; i++)
		if (append(excepts, prefix_to_json(&cidr->excepts[i])))
			goto fail_excepts;
	if (put(out, "except", excepts))
		goto fail;
	return out;
fail_excepts:
	json_decref(excepts);
fail:
	json_decref(out);
	return NULL;
}

/* Set each non-NULL list of lists[] as out[key] (stolen, even on failure). */
struct keyed_list {
	const char *key;
	json_t *list;
};

static int put_lists(json_t *out, struct keyed_list *lists, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		if (lists[i].list && put(out, lists[i].key, lists[i].list))
			ret = -1;
	return ret;
}

static json_t *fqdn_to_json(const struct policy_fqdn *f)
{
	return json_pack("{ss}", f->kind == POLICY_FQDN_NAME ? "matchName" : "matchPattern",
			 f->text);
}

static const struct {
	uint8_t bit;
	const char *name;
} entity_names[] = {
	{POLICY_ENTITY_HOST, "host"},
	{POLICY_ENTITY_WORLD, "world"},
	{POLICY_ENTITY_ALL, "all"},
};

static json_t *entities_to_json(uint8_t entities)
{
	json_t *out = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(entity_names); i++)
		if ((entities & entity_names[i].bit) &&
		    append(out, json_string(entity_names[i].name)))
			goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

/*
 * A rule's ports (icmps fields) as toPorts (icmps) entries of at most
 * POLICY_PORTS_ENTRY_MAX (POLICY_ICMPS_ENTRY_MAX) each, Cilium's bound per
 * entry: one entry of all of them would not parse back when the rule's
 * entries held more than that between them.
 */
static json_t *ports_to_json(const struct policy_rule *r)
{
	json_t *entries = json_array(), *ports = NULL;

	for (uint32_t i = 0; i < r->n_ports; i++) {
		const struct policy_port *p = &r->ports[i];
		json_t *port = json_pack("{sI}", "port", (json_int_t)p->port);

		if (i % POLICY_PORTS_ENTRY_MAX == 0 &&
		    append(entries, json_pack("{so}", "ports", ports = json_array())))
			goto fail_port;
		/* Port 0 stands for the whole range by itself. */
		if (p->port && p->end_port != p->port &&
		    put(port, "endPort", json_integer(p->end_port)))
			goto fail_port;
		if (put(port, "protocol", json_string(policy_protocol_name(p->protocol))))
			goto fail_port;
		if (append(ports, port))
			goto fail;
		continue;
	fail_port:
		json_decref(port);
		goto fail;
	}
	return entries;
fail:
	json_decref(entries);
	return NULL;
}

static json_t *icmps_to_json(const struct policy_rule *r)
{
	json_t *entries = json_array(), *fields = NULL;

	for (uint32_t i = 0; i < r->n_icmps; i++) {
		if (i % POLICY_ICMPS_ENTRY_MAX == 0 &&
		    append(entries, json_pack("{so}", "fields", fields = json_array())))
			goto fail;
		if (append(fields, json_pack("{sIss}", "type", (json_int_t)r->icmps[i].type,
					     "family", r->icmps[i].family == 6 ? "IPv6" : "IPv4")))
			goto fail;
	}
	return entries;
fail:
	json_decref(entries);
	return NULL;
}

static json_t *rule_to_json(const struct policy_rule *r)
{
	bool ingress = r->direction == POLICY_INGRESS;
	struct keyed_list lists[] = {
		{ingress ? "fromEndpoints" : "toEndpoints", NULL},
		{ingress ? "fromCIDR" : "toCIDR", NULL},
		{ingress ? "fromCIDRSet" : "toCIDRSet", NULL},
		{ingress ? "fromEntities" : "toEntities", NULL},
		{"toFQDNs", NULL},
		{"toPorts", NULL},
		{"icmps", NULL},
	};
	bool failed = false;
	json_t *out = json_object();

	if (r->n_endpoints)
		lists[0].list = json_array();
	for (uint32_t i = 0; i < r->n_endpoints; i++)
		failed |= append(lists[0].list, selector_to_json(&r->endpoints[i])) != 0;
	for (uint32_t i = 0; i < r->n_cidrs; i++) {
		const struct policy_cidr *c = &r->cidrs[i];
		struct keyed_list *l = &lists[c->from_set ? 2 : 1];

		if (!l->list)
			l->list = json_array();
		failed |= append(l->list, c->from_set ? cidr_set_to_json(c)
						      : prefix_to_json(&c->prefix)) != 0;
	}
	if (r->entities)
		lists[3].list = entities_to_json(r->entities);
	if (r->n_fqdns)
		lists[4].list = json_array();
	for (uint32_t i = 0; i < r->n_fqdns; i++)
		failed |= append(lists[4].list, fqdn_to_json(&r->fqdns[i])) != 0;
	if (r->n_ports)
		lists[5].list = ports_to_json(r);
	if (r->n_icmps)
		lists[6].list = icmps_to_json(r);
	failed |= (r->entities && !lists[3].list) || (r->n_ports && !lists[5].list) ||
		  (r->n_icmps && !lists[6].list);
	if (put_lists(out, lists, ARRAY_SIZE(lists)) || failed || !out) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static const char *const rule_list_keys[2][2] = {
	[POLICY_INGRESS] = {[POLICY_ALLOW] = "ingress", [POLICY_DENY] = "ingressDeny"},
	[POLICY_EGRESS] = {[POLICY_ALLOW] = "egress", [POLICY_DENY] = "egressDeny"},
};

static json_t *spec_to_json(const struct policy_spec *s)
{
	json_t *out = json_object();

	if (put(out, "endpointSelector", selector_to_json(&s->subject)) ||
	    put(out, "enableDefaultDeny",
		json_pack("{sbsb}", "ingress", s->default_deny_ingress, "egress",
			  s->default_deny_egress)))
		goto fail;
	if (s->description[0] && put(out, "description", json_string(s->description)))
		goto fail;
	for (uint32_t i = 0; i < s->n_rules; i++) {
		const struct policy_rule *r = &s->rules[i];
		const char *key = rule_list_keys[r->direction & 1][r->action & 1];
		json_t *list = json_object_get(out, key);

		if (!list) {
			list = json_array();
			if (put(out, key, list))
				goto fail;
		}
		if (append(list, rule_to_json(r)))
			goto fail;
	}
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *policy_to_json(const struct policy *p)
{
	json_t *out =
		json_pack("{s:s, s:s, s:{s:s}}", "apiVersion", "cilium.io/v2", "kind",
			  p->kind == POLICY_KIND_CLUSTERWIDE ? "CiliumClusterwideNetworkPolicy"
							     : "CiliumNetworkPolicy",
			  "metadata", "name", p->name);
	json_t *specs = NULL;
	uint32_t first = 0;

	if (!out)
		return NULL;
	if (p->has_spec) {
		if (put(out, "spec", spec_to_json(&p->specs[0])))
			goto fail;
		first = 1;
	}
	if (first < p->n_specs) {
		specs = json_array();
		if (put(out, "specs", specs))
			goto fail;
	}
	for (uint32_t i = first; i < p->n_specs; i++)
		if (append(specs, spec_to_json(&p->specs[i])))
			goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

json_t *policy_set_to_json(const struct policy_set *set)
{
	json_t *out = json_array();

	for (uint32_t i = 0; i < set->n_policies; i++)
		if (append(out, policy_to_json(&set->policies[i])))
			goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

/* ---- freeing */

static void rule_free(struct policy_rule *r)
{
	for (uint32_t i = 0; i < r->n_cidrs; i++)
		free(r->cidrs[i].excepts);
	for (uint32_t i = 0; i < r->n_endpoints; i++)
		free(r->endpoints[i].labels);
	free(r->endpoints);
	free(r->cidrs);
	free(r->fqdns);
	free(r->ports);
	free(r->icmps);
}

void policy_spec_free(struct policy_spec *spec)
{
	for (uint32_t i = 0; i < spec->n_rules; i++)
		rule_free(&spec->rules[i]);
	free(spec->subject.labels);
	spec->subject.labels = NULL;
	free(spec->rules);
	spec->rules = NULL;
	spec->n_rules = 0;
}

void policy_free(struct policy *policy)
{
	for (uint32_t i = 0; i < policy->n_specs; i++)
		policy_spec_free(&policy->specs[i]);
	free(policy->specs);
	policy->specs = NULL;
	policy->n_specs = 0;
}

void policy_set_init(struct policy_set *set)
{
	set->n_policies = 0;
	set->policies = NULL;
}

void policy_set_free(struct policy_set *set)
{
	for (uint32_t i = 0; i < set->n_policies; i++)
		policy_free(&set->policies[i]);
	free(set->policies);
	policy_set_init(set);
}
