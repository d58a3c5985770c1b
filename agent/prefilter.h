/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The XDP prefilter's list (docs/policy.md, "XDP prefilter"): source
 * prefixes netobs_xdp drops on the interfaces given to --xdp. The list is
 * pure data here (parse, add, delete, the state file's JSON), so the unit
 * tests run it without an agent; agent/prefilter.c writes it to the
 * datapath and answers the API requests.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "abi.h"
#include "policy.h"

/* Prefixes the list holds at most: the prefilter map's size. */
#define PREFILTER_PREFIXES_MAX NETOBS_PREFILTER_MAX

struct prefilter_list {
	struct policy_prefix *prefixes; /* sorted (family, address, length), no duplicate */
	uint32_t n;
	uint64_t revision; /* bumps with every change; 0: never changed */
};

void prefilter_list_init(struct prefilter_list *l);
void prefilter_list_free(struct prefilter_list *l);

/*
 * "ADDRESS/LENGTH" (IPv4 or IPv6; a bare address is /32 or /128) into out,
 * host bits cleared as `netobs policy` does (10.1.2.3/8 is 10.0.0.0/8).
 * 0, or -EINVAL with err saying what is wrong with text.
 */
int prefilter_cidr_parse(const char *text, struct policy_prefix *out, char *err, size_t errlen);

/* Is p in the list? */
bool prefilter_list_has(const struct prefilter_list *l, const struct policy_prefix *p);

/*
 * out = l with add[] added (those already there stay once), or with del[]
 * taken out (each must be there). out must be initialised and empty; its
 * revision is l's. 0, -ENOSPC (more than PREFILTER_PREFIXES_MAX), -ENOENT
 * (a deleted prefix is not listed; *missing is its index) or -ENOMEM.
 */
int prefilter_list_with(const struct prefilter_list *l, const struct policy_prefix *add,
			size_t n_add, struct prefilter_list *out);
int prefilter_list_without(const struct prefilter_list *l, const struct policy_prefix *del,
			   size_t n_del, struct prefilter_list *out, size_t *missing);

/* ["10.0.0.0/8", "2001:db8::/32"]: new reference, NULL when out of memory. */
json_t *prefilter_list_cidrs_json(const struct prefilter_list *l);

/*
 * The state file's "prefilter" member: {"revision": N, "cidrs": [...]},
 * and back into an empty list (a CIDR with host bits set is refused: the
 * agent writes them cleared). 0, -EINVAL (err) or -ENOMEM.
 */
json_t *prefilter_list_to_json(const struct prefilter_list *l);
int prefilter_list_from_json(struct prefilter_list *l, const json_t *obj, char *err, size_t errlen);
