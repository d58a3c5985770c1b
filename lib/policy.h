/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Network policy files: CiliumNetworkPolicy documents (JSON or YAML) read
 * into a flat, typed, bounded model, the one JSON form netobs prints them in,
 * and the endpoint label selectors. docs/policy.md is the user's view: the
 * supported subset, what is refused and why.
 *
 * The model is what the datapath compiler reads later: every value is
 * already checked and typed (addresses as bytes, protocols as IP protocol
 * numbers, ports as numbers), nothing is left to interpret. Every list has a
 * bound, below; input past a bound is refused with an error, never cut.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* ---- bounds (an input past one is refused, naming the bound) */
#define POLICY_TEXT_MAX		   (4u << 20) /* bytes of one input file */
#define POLICY_DOCUMENTS_MAX	   1024	      /* policies in one set (one import) */
#define POLICY_NAME_MAX		   253	      /* metadata.name, a DNS-1123 subdomain */
#define POLICY_DESCRIPTION_MAX	   255	      /* spec.description, bytes */
#define POLICY_SPECS_MAX	   16	      /* rule sets (spec + specs[]) per policy */
#define POLICY_RULES_MAX	   256	      /* ingress/egress rules per policy, all specs */
#define POLICY_SELECTORS_MAX	   256	      /* endpoint selectors of peers per policy */
#define POLICY_SELECTOR_LABELS_MAX 16	      /* matchLabels entries per selector */
#define POLICY_CIDRS_MAX	   1024	      /* CIDRs per policy, each except counted too */
#define POLICY_PORTS_MAX	   256	      /* ports (or port ranges) per policy */
#define POLICY_PORTS_ENTRY_MAX	   40	      /* ports per toPorts entry (Cilium) */
#define POLICY_ICMPS_MAX	   64	      /* icmps fields per policy */
#define POLICY_ICMPS_ENTRY_MAX	   40	      /* fields per icmps entry (Cilium) */
#define POLICY_FQDNS_MAX	   64	      /* toFQDNs selectors per policy */
#define POLICY_LABEL_SOURCE_MAX	   15	      /* "netobs", "user", "any" */
#define POLICY_LABEL_KEY_MAX	   317	      /* prefix (253) '/' name (63) */
#define POLICY_LABEL_VALUE_MAX	   63
#define POLICY_FQDN_MAX		   253

/* Label sources: an endpoint's labels carry netobs or user; "any" only in selectors. */
#define POLICY_SOURCE_NETOBS "netobs" /* netobs:endpoint, netobs:netns, netobs:interface */
#define POLICY_SOURCE_USER   "user"   /* labels users add to endpoints (app=web) */
#define POLICY_SOURCE_ANY    "any"    /* a selector key without a source */

enum policy_kind {
	POLICY_KIND_NAMESPACED = 0, /* CiliumNetworkPolicy */
	POLICY_KIND_CLUSTERWIDE,    /* CiliumClusterwideNetworkPolicy: the same on one node */
};

enum policy_direction {
	POLICY_INGRESS = 0,
	POLICY_EGRESS,
};

enum policy_action {
	POLICY_ALLOW = 0,
	POLICY_DENY,
};

/* Entities, a bit mask: the peers netobs knows without labels. */
enum policy_entity {
	POLICY_ENTITY_HOST = 1 << 0,  /* the node itself (its own addresses) */
	POLICY_ENTITY_WORLD = 1 << 1, /* anything that is not a netobs endpoint or the host */
	POLICY_ENTITY_ALL = 1 << 2,   /* everything */
};

/* IP protocol numbers; 0 is Cilium's ANY (TCP, UDP and SCTP). */
enum policy_protocol {
	POLICY_PROTO_ANY = 0,
	POLICY_PROTO_TCP = 6,
	POLICY_PROTO_UDP = 17,
	POLICY_PROTO_SCTP = 132,
};

enum policy_fqdn_kind {
	POLICY_FQDN_NAME = 0, /* matchName: the exact name */
	POLICY_FQDN_PATTERN,  /* matchPattern: '*' as Cilium reads it, see docs/policy.md */
};

/* "source:key=value". */
struct policy_label {
	char source[POLICY_LABEL_SOURCE_MAX + 1];
	char key[POLICY_LABEL_KEY_MAX + 1];
	char value[POLICY_LABEL_VALUE_MAX + 1];
};

/*
 * matchLabels: every label must match (see policy_selector_matches()); no
 * label ({}) selects every endpoint. Labels are kept sorted by source, key.
 */
struct policy_selector {
	uint32_t n_labels;
	/*
	 * Allocated to the labels the selector has (NULL for none): a label
	 * is ~400 bytes, and a file of empty selectors ({}, 3 bytes each)
	 * must not cost 16 of them each (0.9 MB of input took 1.7 GB).
	 */
	struct policy_label *labels;
};

/* An address prefix; host bits are zero (the parser masks them). */
struct policy_prefix {
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
	uint8_t family;	  /* 4 or 6 */
	uint8_t len;	  /* prefix length, 0..32 or 0..128 */
};

/* fromCIDR/toCIDR (no except) or one fromCIDRSet/toCIDRSet entry. */
struct policy_cidr {
	struct policy_prefix prefix;
	bool from_set;		       /* written as a CIDRSet entry (printed back as one) */
	uint32_t n_excepts;	       /* only with from_set */
	struct policy_prefix *excepts; /* each inside prefix, same family */
};

/*
 * A port or a port range [port, end_port]; end_port == port for one port.
 * Cilium's port 0 (every port of the protocol) is [0, 65535].
 */
struct policy_port {
	uint16_t port;	   /* 0..65535, host byte order; 0 only with end_port 65535 */
	uint16_t end_port; /* >= port */
	uint8_t protocol;  /* enum policy_protocol */
};

struct policy_icmp {
	uint8_t family; /* 4 or 6 */
	uint8_t type;	/* ICMP or ICMPv6 type */
};

struct policy_fqdn {
	uint8_t kind;			/* enum policy_fqdn_kind */
	char text[POLICY_FQDN_MAX + 1]; /* lower case, without a trailing dot */
};

/*
 * One rule of ingress, ingressDeny, egress or egressDeny. It has at most one
 * kind of peer (endpoints, cidrs, entities or fqdns; cidrs all plain or all
 * from a CIDR set), as Cilium requires, and ports or icmps, not both. The
 * peers of the list are alternatives: the rule applies to a peer any of
 * them matches. No peer at all: every peer when the rule has ports or
 * icmps (Cilium's L4-only rule), no peer when it has none either (the empty
 * rule `{}`, which only puts its direction in default deny). Ports and icmps
 * are alternatives too; none: every port and protocol.
 */
struct policy_rule {
	uint8_t direction; /* enum policy_direction */
	uint8_t action;	   /* enum policy_action */
	uint8_t entities;  /* enum policy_entity bits */
	uint32_t n_endpoints, n_cidrs, n_fqdns, n_ports, n_icmps;
	struct policy_selector *endpoints;
	struct policy_cidr *cidrs;
	struct policy_fqdn *fqdns; /* egress allow only */
	struct policy_port *ports; /* toPorts[].ports[], flattened */
	struct policy_icmp *icmps; /* icmps[].fields[], flattened */
};

/*
 * A rule set: `spec`, or one entry of `specs`. has_ingress: the set has an
 * ingress or ingressDeny rule (even `ingress: [{}]`). default_deny_ingress
 * is what the compiler reads: this set puts ingress of the endpoints it
 * selects into default deny. As in Cilium (repository.go) it is has_ingress
 * unless enableDefaultDeny.ingress is false; without ingress rules it is
 * false whatever enableDefaultDeny says. Same for egress.
 */
struct policy_spec {
	struct policy_selector subject; /* endpointSelector */
	bool default_deny_ingress, default_deny_egress;
	bool has_ingress, has_egress;
	char description[POLICY_DESCRIPTION_MAX + 1];
	uint32_t n_rules;
	struct policy_rule *rules; /* ingress, ingressDeny, egress, egressDeny, in that order */
};

struct policy {
	char name[POLICY_NAME_MAX + 1];
	uint8_t kind;	  /* enum policy_kind */
	bool has_spec;	  /* specs[0] came from `spec`, the others from `specs` */
	uint32_t n_specs; /* >= 1 */
	struct policy_spec *specs;
	char origin[96]; /* "FILE: document N", for the duplicate-name error */
};

struct policy_set {
	uint32_t n_policies;
	struct policy *policies;
};

/* An error for the user: "FILE: document N (NAME): PATH: what (value)". */
struct policy_error {
	char message[512];
};

void policy_set_init(struct policy_set *set);
void policy_set_free(struct policy_set *set);

/*
 * Add the policies of one input file's text: JSON (an object, an array of
 * them, or a List with items) or YAML (one or more documents). All or
 * nothing: on error the set is unchanged and err says what and where.
 * A policy whose name the set already holds is an error. file names the
 * input in messages. Returns 0, -EINVAL (err set) or -ENOMEM.
 */
int policy_set_add_text(struct policy_set *set, const char *file, const char *text, size_t len,
			struct policy_error *err);

/*
 * The same from documents already parsed: root is one document, an array
 * of documents, or a List (kind List or *List with items).
 */
int policy_set_add_json(struct policy_set *set, const char *file, const json_t *root,
			struct policy_error *err);

/*
 * Text to JSON documents, without checking them as policies: a JSON array
 * with one element per document (YAML's empty documents skipped; a JSON
 * array's elements each a document). NULL with err set on a syntax error,
 * an anchor or alias, a tag, a duplicate key, or past POLICY_TEXT_MAX.
 */
json_t *policy_text_to_json(const char *file, const char *text, size_t len,
			    struct policy_error *err);

/*
 * The normalized form: an array of documents in Cilium's format as netobs
 * understood them (ports as numbers, protocols upper case, CIDRs masked,
 * selector keys without the `any` source, defaults written out). It parses
 * back to the same set. NULL when out of memory.
 */
json_t *policy_set_to_json(const struct policy_set *set);
json_t *policy_to_json(const struct policy *policy);

/*
 * Whether an endpoint with these labels is selected. A selector label with
 * source `any` matches a label of that key and value from any source; one
 * with a source (netobs:endpoint, user:app) only a label from that source.
 */
bool policy_selector_matches(const struct policy_selector *selector,
			     const struct policy_label *labels, size_t n_labels);

/*
 * Parse an endpoint label "source:key=value" or "key=value" (source
 * default_source). 0, or -EINVAL with err (size errlen) saying why.
 */
int policy_label_parse(const char *text, const char *default_source, struct policy_label *out,
		       char *err, size_t errlen);

/* "TCP", "UDP", "SCTP", "ANY". */
const char *policy_protocol_name(uint8_t protocol);
/* "10.0.0.0/8", "fd00::/64" into buf (at least 64 bytes). */
void policy_prefix_format(const struct policy_prefix *prefix, char *buf, size_t len);
/* "app=web", "netobs:endpoint=a" (the source `any` left out) into buf. */
void policy_label_format(const struct policy_label *label, char *buf, size_t len);
