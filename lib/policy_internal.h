/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What policy.c and policy_parse.c share: the label and name checks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "policy.h"

/*
 * "source:key" or "key" (source default_source) into out->source and
 * out->key, checked: a known source, a Kubernetes-style key. 0, or -EINVAL
 * with why (size len) saying what is wrong.
 */
int policy_label_key_parse(const char *text, const char *default_source, struct policy_label *out,
			   char *why, size_t len);
/* A label value: 1..63 of [A-Za-z0-9._-]. 0 or -EINVAL with why. */
int policy_label_value_check(const char *value, char *why, size_t len);
/* Order of labels in a selector: by source, then key. */
int policy_label_cmp(const void *a, const void *b);
void policy_spec_free(struct policy_spec *spec);
void policy_free(struct policy *policy);

/* ---- parsing (policy_parse.c): where in the input, and the per-policy counts */
struct parse_ctx {
	const char *file;
	uint32_t document; /* 1-based */
	char name[64];	   /* the policy's name, for messages; "" when unknown */
	char path[384];	   /* JSON path of the value being read */
	size_t path_len;
	struct policy_error *err;
	/* per policy, against the bounds of policy.h */
	uint32_t rules, selectors, cidrs, ports, icmps, fqdns;
};

/* Report at c's path, quoting value (may be NULL). Returns -EINVAL. */
int policy_fail(struct parse_ctx *c, const json_t *value, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "expected EXPECTED, not a string" at c's path. Returns -EINVAL. */
int policy_wrong_type(struct parse_ctx *c, const json_t *v, const char *expected);
/* Every key of obj must be in allowed (NULL-terminated), else an error naming it. */
int policy_check_fields(struct parse_ctx *c, const json_t *obj, const char *const *allowed);
/* v must be an object (else "expected SHAPE") with only allowed keys. */
int policy_check_object(struct parse_ctx *c, const json_t *v, const char *shape,
			const char *const *allowed);
/* A non-empty list at obj[key], or *out NULL when absent. */
int policy_get_list(struct parse_ctx *c, const json_t *obj, const char *key, const json_t **out);
/* Count add more against a per-policy bound max. */
int policy_take(struct parse_ctx *c, uint32_t *count, uint32_t add, uint32_t max, const char *what);
/* Extend the path by ".key" or "[index]"; each returns what policy_path_pop() takes back. */
size_t policy_path_push_key(struct parse_ctx *c, const char *key);
size_t policy_path_push_index(struct parse_ctx *c, size_t index);
void policy_path_pop(struct parse_ctx *c, size_t old);

/* Parse one list element into item (zeroed). */
typedef int (*policy_item_parser)(struct parse_ctx *c, const json_t *v, void *item);
/*
 * Parse each element of list with parse into items (each size bytes),
 * appending at index *n, which counts each item as it is begun.
 */
int policy_parse_items(struct parse_ctx *c, const json_t *list, policy_item_parser parse,
		       void *items, size_t size, uint32_t *n);

/* ---- rule values (policy_parse_values.c); lists are non-empty arrays or NULL */
/* One kind of peer, and not icmps with toPorts, in rule v (Cilium's validation). */
int policy_check_rule_peers(struct parse_ctx *c, const json_t *v, bool ingress);
int policy_parse_cidrs(struct parse_ctx *c, const json_t *plain, const json_t *sets,
		       struct policy_rule *r, const char *plain_key, const char *sets_key);
int policy_parse_entities(struct parse_ctx *c, const json_t *list, struct policy_rule *r);
int policy_parse_fqdns(struct parse_ctx *c, const json_t *list, struct policy_rule *r);
int policy_parse_to_ports(struct parse_ctx *c, const json_t *list, struct policy_rule *r);
int policy_parse_icmps(struct parse_ctx *c, const json_t *list, struct policy_rule *r);
