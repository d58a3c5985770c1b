/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the two halves of the policy compiler share: policy_compile.c
 * (endpoints, identities, the ipcache, the entry point) and
 * policy_compile_rules.c (the policy_rules entries and their flattening).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy_compile.h"

/* A CIDR identity's prefix, kept in address order for range lookups. */
struct compile_cidr {
	struct policy_prefix prefix;
	uint32_t identity;
};

struct compile_ctx {
	const struct policy_compile_input *in;
	struct policy_compiled *out;
	struct policy_error *err;
	/* The CIDR identities sorted by compile_prefix_cmp(): a rule's CIDR
	 * selects a contiguous run of them. */
	struct compile_cidr *cidrs;
	size_t n_cidrs;
	/* fqdn_identity[i]: the identity of in->fqdn_addrs[i], 0 when an
	 * endpoint's or the host's address shadows it (no CIDR identity). */
	uint32_t *fqdn_identity;
};

/* Order of prefixes: family, then address bytes, then length (shorter first). */
int compile_prefix_cmp(const struct policy_prefix *a, const struct policy_prefix *b);

/* Whether the first bits bits (from the most significant of a[0]) of a and b are equal. */
bool compile_bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits);

/* Whether inner lies inside outer: same family, at least as long, same leading bits. */
bool compile_prefix_contains(const struct policy_prefix *outer, const struct policy_prefix *inner);

/* Set err and return -EINVAL. */
int compile_fail(struct compile_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Fill c->out->rules from the set, the endpoints and the CIDR identities
 * (c->cidrs, c->fqdn_identity): raw entries, merged per key, flattened,
 * sorted. 0, -EINVAL past NETOBS_POLICY_RULES_MAX (err set), -ENOMEM.
 */
int compile_rules(struct compile_ctx *c);
