// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy compiler on whatever the policy reader accepts: each accepted
 * input is compiled against three fixed endpoints, the host and a few DNS
 * answers. It must never crash or leak; a refusal must be a bounds error
 * with a message and an empty result; a result must have unique sorted
 * keys, host bits past every prefix length zero, and only identities,
 * endpoints and policy ids that exist. abort() on any broken invariant.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy_compile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

#define N_ENDPOINTS 3
#define ID_BASE	    1000

static const struct policy_label labels_web[] = {
	{"user", "app", "web"},
	{"netobs", "endpoint", "web"},
};
static const struct policy_label labels_client[] = {
	{"user", "app", "client"},
	{"user", "role", "frontend"},
};
static const struct policy_label labels_db[] = {
	{"user", "app", "db"},
	{"netobs", "endpoint", "dns"},
};
static const struct policy_prefix addrs_web[] = {
	{.addr = {10, 0, 0, 1}, .family = 4, .len = 32},
	{.addr = {0xfd, 0, [15] = 1}, .family = 6, .len = 128},
};
static const struct policy_prefix addrs_client[] = {
	{.addr = {10, 0, 9, 2}, .family = 4, .len = 32},
};
static const struct policy_prefix addrs_db[] = {
	{.addr = {10, 96, 0, 3}, .family = 4, .len = 32},
	{.addr = {10, 0, 0, 1}, .family = 4, .len = 32}, /* shared with web */
};
static const struct policy_prefix host_addrs[] = {
	{.addr = {192, 168, 1, 1}, .family = 4, .len = 32},
	{.addr = {10, 0, 9, 2}, .family = 4, .len = 32}, /* client's: it wins */
};
static const struct policy_compile_fqdn_addr fqdn_addrs[] = {
	{"www.example.com", {.addr = {93, 184, 216, 34}, .family = 4, .len = 32}},
	{"api.example.org", {.addr = {1, 2, 3, 4}, .family = 4, .len = 32}},
	{"a.b.example.com", {.addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 8}, .family = 6, .len = 128}},
};

static const struct policy_compile_endpoint endpoints[N_ENDPOINTS] = {
	{4, labels_web, 2, addrs_web, 2, false},
	{70000, labels_client, 2, addrs_client, 1, true},
	{5, labels_db, 2, addrs_db, 2, false},
};

static bool bits_zero_from(const uint8_t *bytes, unsigned from, unsigned total)
{
	for (unsigned i = from; i < total; i++)
		if (bytes[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

static bool is_endpoint(uint32_t ifindex)
{
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		if (endpoints[i].ifindex == ifindex)
			return true;
	return false;
}

static bool is_known_identity(const struct policy_compiled *out, uint32_t identity)
{
	if (identity >= NETOBS_POLICY_IDENTITY_CIDR_BASE)
		return identity - NETOBS_POLICY_IDENTITY_CIDR_BASE < out->n_cidr_identities;
	if (identity >= NETOBS_POLICY_IDENTITY_ENDPOINT_BASE)
		return is_endpoint(identity - NETOBS_POLICY_IDENTITY_ENDPOINT_BASE);
	return identity <= NETOBS_POLICY_IDENTITY_WORLD;
}

static void check_compiled(const struct policy_set *set, const struct policy_compiled *out)
{
	require(out->n_endpoints <= N_ENDPOINTS && out->n_rules <= NETOBS_POLICY_RULES_MAX &&
		out->n_ipcache <= NETOBS_POLICY_IPCACHE_MAX);
	for (size_t i = 0; i < out->n_endpoints; i++) {
		const struct policy_compiled_endpoint *e = &out->endpoints[i];

		require(is_endpoint(e->ifindex));
		require(e->value.identity == NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + e->ifindex);
		require(e->n_ingress_policies + e->n_egress_policies > 0);
		require(!!(e->value.flags & NETOBS_PEP_INGRESS_RULES) == !!e->n_ingress_policies);
		require(!!(e->value.flags & NETOBS_PEP_EGRESS_RULES) == !!e->n_egress_policies);
		for (uint32_t p = 0; p < e->n_ingress_policies; p++)
			require(e->ingress_policies[p] < set->n_policies);
		for (uint32_t p = 0; p < e->n_egress_policies; p++)
			require(e->egress_policies[p] < set->n_policies);
		if (i)
			require(memcmp(&out->endpoints[i - 1].ifindex, &e->ifindex,
				       sizeof(e->ifindex)) < 0);
	}
	for (size_t i = 0; i < out->n_ipcache; i++) {
		const struct policy_compiled_ipcache *c = &out->ipcache[i];
		unsigned bits = c->key.family == 4 ? 32 : 128;

		require(c->key.family == 4 || c->key.family == 6);
		require(c->key.prefixlen >= 32 && c->key.prefixlen <= 32 + bits);
		require(!c->key.pad[0] && !c->key.pad[1] && !c->key.pad[2]);
		require(bits_zero_from(c->key.addr, c->key.prefixlen - 32, 128));
		require(c->value.identity != NETOBS_POLICY_IDENTITY_ANY &&
			c->value.identity != NETOBS_POLICY_IDENTITY_WORLD);
		require(is_known_identity(out, c->value.identity));
		if (i)
			require(memcmp(&out->ipcache[i - 1].key, &c->key, sizeof(c->key)) < 0);
	}
	for (size_t i = 0; i < out->n_rules; i++) {
		const struct policy_compiled_rule *r = &out->rules[i];
		bool id_known = false;

		require(r->key.prefixlen >= NETOBS_POLICY_PREFIX_PEER &&
			r->key.prefixlen <= NETOBS_POLICY_PREFIX_FULL);
		require(bits_zero_from((const uint8_t *)&r->key.ifindex, r->key.prefixlen,
				       NETOBS_POLICY_PREFIX_FULL));
		require(r->key.direction <= NETOBS_POLICY_DIR_EGRESS);
		require(is_endpoint(r->key.ifindex) && is_known_identity(out, r->key.identity));
		require(r->value.action == NETOBS_POLICY_ACTION_ALLOW ||
			r->value.action == NETOBS_POLICY_ACTION_DENY);
		require(r->value.match_type >= NETOBS_MATCH_L3_ONLY &&
			r->value.match_type <= NETOBS_MATCH_ALL);
		for (uint32_t p = 0; p < set->n_policies; p++)
			id_known |= r->value.policy_id == ID_BASE + p;
		require(id_known);
		if (i)
			require(memcmp(&out->rules[i - 1].key, &r->key, sizeof(r->key)) < 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_compile_input in = {
		.endpoints = endpoints,
		.n_endpoints = N_ENDPOINTS,
		.host_addrs = host_addrs,
		.n_host_addrs = sizeof(host_addrs) / sizeof(host_addrs[0]),
		.fqdn_addrs = fqdn_addrs,
		.n_fqdn_addrs = sizeof(fqdn_addrs) / sizeof(fqdn_addrs[0]),
	};
	struct policy_set set;
	struct policy_error err;
	struct policy_compiled out;
	uint16_t *ids;
	int ret;

	policy_set_init(&set);
	if (policy_set_add_text(&set, "fuzz", (const char *)data, size, &err))
		return 0;
	ids = calloc(set.n_policies, sizeof(*ids));
	require(ids);
	for (uint32_t p = 0; p < set.n_policies; p++)
		ids[p] = (uint16_t)(ID_BASE + p);
	in.set = &set;
	in.policy_ids = ids;
	ret = policy_compile(&in, &out, &err);
	if (ret) {
		require(ret == -EINVAL && err.message[0]);
		require(!out.endpoints && !out.ipcache && !out.rules && !out.cidr_identities);
		require(!out.n_endpoints && !out.n_ipcache && !out.n_rules);
	} else {
		check_compiled(&set, &out);
	}
	policy_compiled_free(&out);
	policy_set_free(&set);
	free(ids);
	return 0;
}
