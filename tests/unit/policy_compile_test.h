/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the policy compiler's tests share: endpoints and addresses written as
 * text, a compile call with policy ids 100, 101, ..., the output's
 * invariants, and reference lookups (longest prefix match written here,
 * apart from lib/policy_compile*.c) over the compiled ipcache and rules.
 */
#pragma once

#include <arpa/inet.h>
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy_compile.h"

#define PC_POLICY_ID_BASE 100
#define PC_LABELS_MAX	  4
#define PC_ADDRS_MAX	  4

/* An endpoint written as text, owning its labels and addresses. */
struct pc_endpoint {
	struct policy_compile_endpoint ep;
	struct policy_label labels[PC_LABELS_MAX];
	struct policy_prefix addrs[PC_ADDRS_MAX];
};

/* "10.0.0.0/8", "fd00::1" (a host prefix without a length). */
static inline struct policy_prefix pc_prefix(const char *text)
{
	struct policy_prefix p;
	char addr[64];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);

	memset(&p, 0, sizeof(p));
	ck_assert_uint_lt(len, sizeof(addr));
	memcpy(addr, text, len);
	addr[len] = '\0';
	p.family = strchr(addr, ':') ? 6 : 4;
	ck_assert_int_eq(inet_pton(p.family == 4 ? AF_INET : AF_INET6, addr, p.addr), 1);
	p.len = slash ? (uint8_t)atoi(slash + 1) : (p.family == 4 ? 32 : 128);
	return p;
}

/* labels: "app=web,netobs:endpoint=a" (source user by default); addrs: "10.0.0.1,fd00::1". */
static inline void pc_endpoint_init(struct pc_endpoint *e, uint32_t ifindex, const char *labels,
				    const char *addrs, bool audit)
{
	char buf[512], why[128], *save = NULL, *tok;

	memset(e, 0, sizeof(*e));
	e->ep.ifindex = ifindex;
	e->ep.audit = audit;
	snprintf(buf, sizeof(buf), "%s", labels ? labels : "");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ck_assert_uint_lt(e->ep.n_labels, PC_LABELS_MAX);
		ck_assert_msg(policy_label_parse(tok, POLICY_SOURCE_USER,
						 &e->labels[e->ep.n_labels], why, sizeof(why)) == 0,
			      "%s: %s", tok, why);
		e->ep.n_labels++;
	}
	snprintf(buf, sizeof(buf), "%s", addrs ? addrs : "");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		ck_assert_uint_lt(e->ep.n_addrs, PC_ADDRS_MAX);
		e->addrs[e->ep.n_addrs++] = pc_prefix(tok);
	}
	e->ep.labels = e->labels;
	e->ep.addrs = e->addrs;
}

static inline void pc_load(struct policy_set *set, const char *text)
{
	struct policy_error err;
	int ret;

	policy_set_init(set);
	ret = policy_set_add_text(set, "test.yaml", text, strlen(text), &err);
	ck_assert_msg(ret == 0, "policy refused: %s", err.message);
}

/* What a test compiles: the endpoints, the host's addresses, DNS answers. */
struct pc_input {
	struct pc_endpoint *endpoints;
	size_t n_endpoints;
	const struct policy_prefix *host_addrs;
	size_t n_host_addrs;
	const struct policy_compile_fqdn_addr *fqdn_addrs;
	size_t n_fqdn_addrs;
};

/* Compile with policy ids PC_POLICY_ID_BASE + index; returns what policy_compile() did. */
static inline int pc_compile_err(const struct policy_set *set, const struct pc_input *pi,
				 struct policy_compiled *out, struct policy_error *err)
{
	struct policy_compile_endpoint *eps = calloc(pi->n_endpoints + 1, sizeof(*eps));
	uint16_t *ids = calloc(set->n_policies + 1, sizeof(*ids));
	struct policy_compile_input in = {
		.set = set,
		.policy_ids = ids,
		.endpoints = eps,
		.n_endpoints = pi->n_endpoints,
		.host_addrs = pi->host_addrs,
		.n_host_addrs = pi->n_host_addrs,
		.fqdn_addrs = pi->fqdn_addrs,
		.n_fqdn_addrs = pi->n_fqdn_addrs,
	};
	int ret;

	ck_assert(eps && ids);
	for (size_t i = 0; i < pi->n_endpoints; i++)
		eps[i] = pi->endpoints[i].ep;
	for (uint32_t i = 0; i < set->n_policies; i++)
		ids[i] = (uint16_t)(PC_POLICY_ID_BASE + i);
	ret = policy_compile(&in, out, err);
	free(eps);
	free(ids);
	return ret;
}

static inline bool pc_bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	for (unsigned i = 0; i < bits; i++) {
		uint8_t mask = (uint8_t)(0x80 >> (i % 8));

		if ((a[i / 8] & mask) != (b[i / 8] & mask))
			return false;
	}
	return true;
}

static inline bool pc_bits_zero_from(const uint8_t *a, unsigned from, unsigned total)
{
	for (unsigned i = from; i < total; i++)
		if (a[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

/* Keys strictly increasing by memcmp (so unique), host bits past prefixlen zero. */
static inline void pc_check_invariants(const struct policy_compiled *out)
{
	for (size_t i = 0; i < out->n_rules; i++) {
		const struct netobs_policy_key *k = &out->rules[i].key;

		ck_assert_uint_ge(k->prefixlen, NETOBS_POLICY_PREFIX_PEER);
		ck_assert_uint_le(k->prefixlen, NETOBS_POLICY_PREFIX_FULL);
		ck_assert(pc_bits_zero_from((const uint8_t *)&k->ifindex, k->prefixlen,
					    NETOBS_POLICY_PREFIX_FULL));
		ck_assert(out->rules[i].value.action == NETOBS_POLICY_ACTION_ALLOW ||
			  out->rules[i].value.action == NETOBS_POLICY_ACTION_DENY);
		ck_assert_uint_ge(out->rules[i].value.policy_id, PC_POLICY_ID_BASE);
		if (i)
			ck_assert_int_lt(memcmp(&out->rules[i - 1].key, k, sizeof(*k)), 0);
	}
	for (size_t i = 0; i < out->n_ipcache; i++) {
		const struct netobs_ipcache_key *k = &out->ipcache[i].key;
		unsigned bits = k->family == 4 ? 32 : 128;

		ck_assert(k->family == 4 || k->family == 6);
		ck_assert_uint_ge(k->prefixlen, 32);
		ck_assert_uint_le(k->prefixlen, 32 + bits);
		ck_assert(!k->pad[0] && !k->pad[1] && !k->pad[2]);
		ck_assert(pc_bits_zero_from(k->addr, k->prefixlen - 32, 128));
		if (i)
			ck_assert_int_lt(memcmp(&out->ipcache[i - 1].key, k, sizeof(*k)), 0);
	}
	for (size_t i = 1; i < out->n_endpoints; i++)
		ck_assert_int_lt(memcmp(&out->endpoints[i - 1].ifindex, &out->endpoints[i].ifindex,
					sizeof(uint32_t)),
				 0);
}

static inline int pc_compile(const struct policy_set *set, const struct pc_input *pi,
			     struct policy_compiled *out)
{
	struct policy_error err;
	int ret = pc_compile_err(set, pi, out, &err);

	ck_assert_msg(ret == 0, "compile failed (%d): %s", ret, err.message);
	pc_check_invariants(out);
	return ret;
}

/* The identity the datapath finds for an address: the longest ipcache prefix, else WORLD. */
static inline uint32_t pc_identity_of(const struct policy_compiled *out,
				      const struct policy_prefix *addr)
{
	uint32_t best_len = 0, identity = NETOBS_POLICY_IDENTITY_WORLD;

	for (size_t i = 0; i < out->n_ipcache; i++) {
		const struct netobs_ipcache_key *k = &out->ipcache[i].key;

		if (k->family == addr->family && k->prefixlen >= best_len &&
		    pc_bits_equal(k->addr, addr->addr, k->prefixlen - 32)) {
			best_len = k->prefixlen;
			identity = out->ipcache[i].value.identity;
		}
	}
	return identity;
}

static inline uint32_t pc_identity_of_text(const struct policy_compiled *out, const char *addr)
{
	struct policy_prefix p = pc_prefix(addr);

	return pc_identity_of(out, &p);
}

/* The ipcache entry with exactly this prefix, or NULL. */
static inline const struct policy_compiled_ipcache *
pc_ipcache_find(const struct policy_compiled *out, const char *prefix)
{
	struct policy_prefix p = pc_prefix(prefix);

	for (size_t i = 0; i < out->n_ipcache; i++) {
		const struct netobs_ipcache_key *k = &out->ipcache[i].key;

		if (k->family == p.family && k->prefixlen == 32u + p.len &&
		    !memcmp(k->addr, p.addr, sizeof(k->addr)))
			return &out->ipcache[i];
	}
	return NULL;
}

/* The rule with exactly this key (port in host order; ICMP: pass type << 8). */
static inline const struct policy_compiled_rule *pc_rule_find(const struct policy_compiled *out,
							      uint32_t ifindex, uint32_t identity,
							      uint8_t direction, uint8_t proto,
							      uint16_t port, uint32_t prefixlen)
{
	for (size_t i = 0; i < out->n_rules; i++) {
		const struct netobs_policy_key *k = &out->rules[i].key;

		if (k->ifindex == ifindex && k->identity == identity && k->direction == direction &&
		    k->proto == proto && k->port == htons(port) && k->prefixlen == prefixlen)
			return &out->rules[i];
	}
	return NULL;
}

/* The datapath's one lookup: the longest rule covering the packet's key, or NULL. */
static inline const struct policy_compiled_rule *pc_rule_lookup(const struct policy_compiled *out,
								uint32_t ifindex, uint32_t identity,
								uint8_t direction, uint8_t proto,
								const uint8_t port_bytes[2])
{
	struct netobs_policy_key want = {
		.prefixlen = NETOBS_POLICY_PREFIX_FULL,
		.ifindex = ifindex,
		.identity = identity,
		.direction = direction,
		.proto = proto,
	};
	const struct policy_compiled_rule *best = NULL;

	memcpy(&want.port, port_bytes, 2);
	for (size_t i = 0; i < out->n_rules; i++) {
		const struct netobs_policy_key *k = &out->rules[i].key;

		if ((!best || k->prefixlen > best->key.prefixlen) &&
		    pc_bits_equal((const uint8_t *)&k->ifindex, (const uint8_t *)&want.ifindex,
				  k->prefixlen))
			best = &out->rules[i];
	}
	return best;
}

static inline size_t pc_rules_of(const struct policy_compiled *out, uint32_t ifindex,
				 uint8_t direction)
{
	size_t n = 0;

	for (size_t i = 0; i < out->n_rules; i++)
		n += out->rules[i].key.ifindex == ifindex &&
		     out->rules[i].key.direction == direction;
	return n;
}

static inline const struct policy_compiled_endpoint *
pc_endpoint_find(const struct policy_compiled *out, uint32_t ifindex)
{
	for (size_t i = 0; i < out->n_endpoints; i++)
		if (out->endpoints[i].ifindex == ifindex)
			return &out->endpoints[i];
	return NULL;
}

#define PC_EP(ifindex) (NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + (ifindex))
#define PC_IN	       NETOBS_POLICY_DIR_INGRESS
#define PC_EG	       NETOBS_POLICY_DIR_EGRESS

/* Assert a rule entry exists with this value. */
#define pc_expect_rule(out, ifindex, identity, dir, proto, port, plen, act, policy, match)         \
	do {                                                                                       \
		const struct policy_compiled_rule *r_ =                                            \
			pc_rule_find(out, ifindex, identity, dir, proto, port, plen);              \
		ck_assert_msg(r_, "no rule ifindex %u identity %u dir %u proto %u port %u/%u",     \
			      (unsigned)(ifindex), (unsigned)(identity), (unsigned)(dir),          \
			      (unsigned)(proto), (unsigned)(port), (unsigned)(plen));              \
		ck_assert_uint_eq(r_->value.action, act);                                          \
		ck_assert_uint_eq(r_->value.policy_id, PC_POLICY_ID_BASE + (policy));              \
		ck_assert_uint_eq(r_->value.match_type, match);                                    \
	} while (0)
