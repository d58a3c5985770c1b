/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The policy compiler: a policy set (lib/policy.h) and the node's endpoints
 * in, the contents of the datapath's policy maps out (lib/abi.h,
 * "Policy enforcement"). Pure code: no agent, no kernel, no map; the agent
 * writes what this returns (agent/policy.c). docs/policy.md, "Datapath",
 * explains the tables to users.
 *
 * Identities (Cilium's model on one node):
 *   - each endpoint: NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + its ifindex, for
 *     each of its addresses as a host prefix (/32, /128);
 *   - the host's addresses: NETOBS_POLICY_IDENTITY_HOST;
 *   - each distinct prefix of a CIDR rule or an except, and each address a
 *     toFQDNs name resolved to: NETOBS_POLICY_IDENTITY_CIDR_BASE + n, in the
 *     order first met;
 *   - no match: NETOBS_POLICY_IDENTITY_WORLD.
 * The longest prefix wins, so a CIDR rule never selects an endpoint's or the
 * host's address (as in Cilium: CIDR rules are for the world), and an
 * except, being longer, has its own identity that the rule does not select.
 *
 * Peers of a rule to identities: fromEndpoints/toEndpoints: the matching
 * endpoints' identities; CIDRs: every CIDR identity whose prefix is inside
 * the rule's prefix and inside none of its excepts; entities: host -> HOST,
 * world -> WORLD and every CIDR identity, all -> ANY; toFQDNs: the
 * identities of the addresses of matching names; no peer (an L4-only
 * rule): ANY. Ports: protocol ANY is TCP, UDP and SCTP; a range is split
 * into the fewest prefixes. icmps: protocol 1 (IPv4) or 58 (IPv6), the type.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"
#include "policy.h"

/* One endpoint of the node as the compiler needs it. */
struct policy_compile_endpoint {
	uint32_t ifindex; /* host-side veth; its identity is ENDPOINT_BASE + ifindex */
	const struct policy_label *labels;
	size_t n_labels;
	const struct policy_prefix *addrs; /* its addresses, each a host prefix (/32, /128) */
	size_t n_addrs;
	bool audit; /* PolicyAuditMode=Enabled */
};

/* An address a DNS answer gave for a name (toFQDNs), still within its TTL. */
struct policy_compile_fqdn_addr {
	const char *name;	   /* lower case, no trailing dot */
	struct policy_prefix addr; /* a host prefix */
};

struct policy_compile_input {
	const struct policy_set *set;
	/* policy_ids[i]: the agent's id of set->policies[i], non-zero and
	 * distinct; it lands in the rules and comes back in flow records. */
	const uint16_t *policy_ids;
	const struct policy_compile_endpoint *endpoints;
	size_t n_endpoints;
	const struct policy_prefix *host_addrs; /* the host namespace's addresses */
	size_t n_host_addrs;
	const struct policy_compile_fqdn_addr *fqdn_addrs;
	size_t n_fqdn_addrs;
};

struct policy_compiled_endpoint {
	uint32_t ifindex;
	struct netobs_policy_endpoint value;
	/* Indexes into input->set->policies of the policies selecting it, by
	 * direction with rules (for `netobs endpoints` and `policy get`). */
	uint32_t n_ingress_policies, n_egress_policies;
	uint32_t *ingress_policies, *egress_policies;
};

struct policy_compiled_ipcache {
	struct netobs_ipcache_key key;
	struct netobs_ipcache_value value;
};

struct policy_compiled_rule {
	struct netobs_policy_key key;
	struct netobs_policy_rule value;
};

/*
 * What the maps must hold, sorted by key (bytes) so two compilations diff
 * cheaply. Only endpoints some policy selects are in endpoints[]; every
 * endpoint's addresses are in ipcache[] (they are peers of the others).
 * Keys are unique; host bits beyond prefixlen are zero.
 */
struct policy_compiled {
	struct policy_compiled_endpoint *endpoints;
	size_t n_endpoints;
	struct policy_compiled_ipcache *ipcache;
	size_t n_ipcache;
	struct policy_compiled_rule *rules;
	size_t n_rules;
	/* CIDR and FQDN identities: identity - CIDR_BASE indexes this. */
	struct policy_prefix *cidr_identities;
	size_t n_cidr_identities;
};

/*
 * Compile. 0, -EINVAL with err set when the result would not fit the maps
 * (NETOBS_POLICY_*_MAX, naming which and by how much), or -ENOMEM. On error
 * out is empty (freeable).
 */
int policy_compile(const struct policy_compile_input *in, struct policy_compiled *out,
		   struct policy_error *err);
void policy_compiled_free(struct policy_compiled *out);

/*
 * Whether a name (lower case, no trailing dot) matches a toFQDNs selector:
 * matchName exactly; matchPattern with '*' standing for any characters
 * within one label ("*.example.com" matches "a.example.com", not
 * "a.b.example.com" nor "example.com"); a lone "*" matches every name.
 */
bool policy_fqdn_matches(const struct policy_fqdn *fqdn, const char *name);

/* Whether any policy of the set has a toFQDNs rule (the agent then feeds
 * DNS answers back in). */
bool policy_set_has_fqdns(const struct policy_set *set);
