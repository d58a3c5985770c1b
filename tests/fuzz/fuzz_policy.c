// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy file reader on arbitrary text (JSON or YAML, by its first
 * character). It must never crash or leak; an error must be a message; an
 * accepted input must respect every bound of policy.h and print to a
 * normalized form that reads back, as JSON and as text, to the same form.
 * abort() on any broken invariant, so libFuzzer reports it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void check_prefix(const struct policy_prefix *p)
{
	unsigned bits = p->family == 4 ? 32 : 128;

	require(p->family == 4 || p->family == 6);
	require(p->len <= bits);
	for (unsigned bit = p->len; bit < 128; bit++)
		require(!(p->addr[bit / 8] & (0x80 >> (bit % 8))));
}

static void check_selector(const struct policy_selector *s)
{
	require(s->n_labels <= POLICY_SELECTOR_LABELS_MAX);
	for (uint32_t i = 0; i < s->n_labels; i++) {
		require(s->labels[i].key[0] && s->labels[i].value[0]);
		require(!strcmp(s->labels[i].source, "any") ||
			!strcmp(s->labels[i].source, "user") ||
			!strcmp(s->labels[i].source, "netobs"));
	}
	/* A selector matches an endpoint that has exactly its labels. */
	require(policy_selector_matches(s, s->labels, s->n_labels));
}

static void check_rule(const struct policy_rule *r)
{
	require(r->direction <= POLICY_EGRESS && r->action <= POLICY_DENY);
	require(r->entities < 8);
	require(r->n_fqdns == 0 || (r->direction == POLICY_EGRESS && r->action == POLICY_ALLOW));
	/* One kind of peer, ports or icmps (Cilium's rule validation). */
	require((r->n_endpoints > 0) + (r->entities != 0) + (r->n_fqdns > 0) + (r->n_cidrs > 0) <=
		1);
	require(!(r->n_ports && r->n_icmps));
	for (uint32_t i = 1; i < r->n_cidrs; i++)
		require(r->cidrs[i].from_set == r->cidrs[0].from_set);
	for (uint32_t i = 0; i < r->n_endpoints; i++)
		check_selector(&r->endpoints[i]);
	for (uint32_t i = 0; i < r->n_cidrs; i++) {
		check_prefix(&r->cidrs[i].prefix);
		require(r->cidrs[i].from_set || r->cidrs[i].n_excepts == 0);
		for (uint32_t j = 0; j < r->cidrs[i].n_excepts; j++) {
			check_prefix(&r->cidrs[i].excepts[j]);
			require(r->cidrs[i].excepts[j].family == r->cidrs[i].prefix.family);
			require(r->cidrs[i].excepts[j].len >= r->cidrs[i].prefix.len);
		}
	}
	for (uint32_t i = 0; i < r->n_ports; i++) {
		require(r->ports[i].end_port >= r->ports[i].port);
		require(r->ports[i].port >= 1 || r->ports[i].end_port == 65535);
		require(r->ports[i].protocol == POLICY_PROTO_ANY ||
			r->ports[i].protocol == POLICY_PROTO_TCP ||
			r->ports[i].protocol == POLICY_PROTO_UDP ||
			r->ports[i].protocol == POLICY_PROTO_SCTP);
	}
	for (uint32_t i = 0; i < r->n_icmps; i++)
		require(r->icmps[i].family == 4 || r->icmps[i].family == 6);
	for (uint32_t i = 0; i < r->n_fqdns; i++)
		require(r->fqdns[i].text[0] && strlen(r->fqdns[i].text) <= POLICY_FQDN_MAX);
}

static void check_set(const struct policy_set *set)
{
	require(set->n_policies >= 1 && set->n_policies <= POLICY_DOCUMENTS_MAX);
	for (uint32_t i = 0; i < set->n_policies; i++) {
		const struct policy *p = &set->policies[i];
		uint32_t rules = 0, ports = 0;

		require(p->name[0] && strlen(p->name) <= POLICY_NAME_MAX);
		require(p->n_specs >= 1 && p->n_specs <= POLICY_SPECS_MAX);
		for (uint32_t j = 0; j < i; j++)
			require(strcmp(set->policies[j].name, p->name) != 0);
		for (uint32_t s = 0; s < p->n_specs; s++) {
			const struct policy_spec *spec = &p->specs[s];
			bool ingress = false, egress = false;

			check_selector(&spec->subject);
			for (uint32_t r = 0; r < spec->n_rules; r++) {
				check_rule(&spec->rules[r]);
				ports += spec->rules[r].n_ports;
				ingress |= spec->rules[r].direction == POLICY_INGRESS;
				egress |= spec->rules[r].direction == POLICY_EGRESS;
			}
			require(ingress == spec->has_ingress && egress == spec->has_egress);
			/* No default deny in a direction without rules (Cilium's repository.go). */
			require(spec->has_ingress || !spec->default_deny_ingress);
			require(spec->has_egress || !spec->default_deny_egress);
			rules += spec->n_rules;
		}
		require(rules <= POLICY_RULES_MAX && ports <= POLICY_PORTS_MAX);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_set set, again, from_text;
	struct policy_error err;
	json_t *normal, *normal_again, *normal_text;
	char *text;

	policy_set_init(&set);
	err.message[0] = '\0';
	if (policy_set_add_text(&set, "fuzz", (const char *)data, size, &err)) {
		require(set.n_policies == 0);
		require(strncmp(err.message, "fuzz: ", 6) == 0);
		return 0;
	}
	check_set(&set);
	normal = policy_set_to_json(&set);
	require(normal);
	policy_set_init(&again);
	require(policy_set_add_json(&again, "normal", normal, &err) == 0);
	normal_again = policy_set_to_json(&again);
	require(normal_again && json_equal(normal, normal_again));
	text = json_dumps(normal, JSON_COMPACT);
	require(text);
	policy_set_init(&from_text);
	require(policy_set_add_text(&from_text, "text", text, strlen(text), &err) == 0);
	normal_text = policy_set_to_json(&from_text);
	require(normal_text && json_equal(normal, normal_text));
	free(text);
	json_decref(normal);
	json_decref(normal_again);
	json_decref(normal_text);
	policy_set_free(&set);
	policy_set_free(&again);
	policy_set_free(&from_text);
	return 0;
}
