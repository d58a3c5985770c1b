/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow filters with Hubble's names and semantics.
 *
 * A filter holds one list of values per field. Values of one field OR; the
 * fields present AND. "Either side" fields (ip, port, endpoint, fqdn) are taken
 * together on one side, as Hubble's CLI does: `--ip A --port 80` matches
 * A:80 as source or as destination, not A on one side and 80 on the
 * other. A filter set is an allow filter and a deny
 * filter (the CLI's --not puts the next flag in the deny filter): a record
 * is shown when it matches the allow filter (or it is empty) and does not
 * match the deny filter (when that is not empty). Lost-events records
 * always pass: losses are never hidden by a filter.
 *
 * The CLI builds a set from flags (netobs_filter_add_flag), sends it as JSON
 * (netobs_filter_set_to_json), the agent decodes it (..._from_json) and
 * matches records (netobs_filter_set_match). A set is plain data: lists have
 * a fixed capacity and adding past it is an error; only matching an HTTP
 * record against --http-path compiles (regcomp) and frees its regexes.
 * A set is about 47 KiB (16 FQDN globs and HTTP path regexes of 256 bytes
 * per field): the agent keeps one per client on the heap.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "record.h"

#define NETOBS_FILTER_MAX_VALUES 16

struct netobs_cidr {
	uint8_t addr[16]; /* network order; IPv4 in the first 4 bytes */
	uint8_t family;	  /* NETOBS_FAMILY_IPV4 / NETOBS_FAMILY_IPV6 */
	uint8_t prefix_len;
};

/* --protocol values. */
enum netobs_filter_proto {
	NETOBS_FPROTO_TCP = 1,
	NETOBS_FPROTO_UDP,
	NETOBS_FPROTO_SCTP,
	NETOBS_FPROTO_ICMP, /* ICMPv4 or ICMPv6 */
	NETOBS_FPROTO_ICMPV4,
	NETOBS_FPROTO_ICMPV6,
	/* L7 records of that kind only, as Hubble matches them (by the l7 field) */
	NETOBS_FPROTO_DNS,
	NETOBS_FPROTO_HTTP,
};

/* One field's values. Strings (endpoints, interfaces) are kept verbatim. */
struct netobs_filter_cidrs {
	struct netobs_cidr v[NETOBS_FILTER_MAX_VALUES];
	unsigned int n;
};
struct netobs_filter_u16s {
	uint16_t v[NETOBS_FILTER_MAX_VALUES];
	unsigned int n;
};
struct netobs_filter_strs {
	char v[NETOBS_FILTER_MAX_VALUES][NETOBS_NAME_MAX];
	unsigned int n;
};

/* Values longer than a name: FQDN globs, HTTP path regexes. */
#define NETOBS_FILTER_PATTERN_MAX 256 /* with the NUL */
struct netobs_filter_patterns {
	char v[NETOBS_FILTER_MAX_VALUES][NETOBS_FILTER_PATTERN_MAX];
	unsigned int n;
};

struct netobs_filter {
	struct netobs_filter_cidrs ip, source_ip, destination_ip;
	struct netobs_filter_u16s port, source_port, destination_port;
	struct netobs_filter_u16s protocol; /* enum netobs_filter_proto */
	struct netobs_filter_strs endpoint, source_endpoint,
		destination_endpoint;		     /* name or numeric ID */
	struct netobs_filter_u16s verdict;	     /* enum netobs_verdict */
	struct netobs_filter_u16s drop_reason;	     /* enum netobs_drop_reason, never NONE */
	struct netobs_filter_u16s traffic_direction; /* enum netobs_traffic_direction */
	struct netobs_filter_u16s
		tcp_flags; /* each a mask: the record's packet carries every flag of one mask */
	struct netobs_filter_strs interface;  /* interface name or numeric ifindex */
	struct netobs_filter_u16s ip_version; /* 4 or 6 (-4/-6) */
	/* --type: NETOBS_FILTER_EVENT_TYPE() values */
	struct netobs_filter_u16s event_type;
	/*
	 * Globs over names learned from DNS (source_names, destination_names)
	 * and, for DNS records, the query: "*.example.com", "api.example.com.".
	 * Case-insensitive; "*" stays within one label; a trailing dot is
	 * optional on both sides. --fqdn is an "either side" field.
	 */
	struct netobs_filter_patterns fqdn, source_fqdn, destination_fqdn;
	struct netobs_filter_strs http_status; /* "404", or a prefix "5+", "40+" */
	struct netobs_filter_strs http_method; /* case-insensitive */
	/* POSIX extended regexes, unanchored, over the URL's path (no query) */
	struct netobs_filter_patterns http_path;
	/* POSIX extended regexes, unanchored, over the whole URL */
	struct netobs_filter_patterns http_url;
};

/*
 * A --type value: Hubble's event type (NETOBS_EVENT_TYPE_*) and, for "trace:X",
 * the trace sub-type (enum netobs_trace_subtype); -1 for any sub-type.
 */
#define NETOBS_FILTER_EVENT_TYPE(type, subtype) ((uint16_t)((type) << 8 | ((subtype) + 1)))

struct netobs_filter_set {
	struct netobs_filter allow;
	struct netobs_filter deny;
	uint64_t since_ns; /* wall clock; 0 = no bound */
	uint64_t until_ns; /* wall clock; 0 = no bound */
};

void netobs_filter_set_init(struct netobs_filter_set *set);

/*
 * Add one CLI flag ("ip", "from-ip", "to-ip", "port", "from-port", "to-port",
 * "protocol", "endpoint", "from-endpoint", "to-endpoint", "verdict",
 * "drop-reason-desc", "traffic-direction", "tcp-flags", "interface", "type", "ipv4", "ipv6",
 * "fqdn", "from-fqdn", "to-fqdn", "http-status", "http-method", "http-path",
 * "http-url"; and
 * Hubble's "pod", "from-pod", "to-pod" for the endpoint flags) with its
 * value to the allow filter, or to the deny filter when negate is true.
 * Returns 0, or -EINVAL with a message for the user in err ("invalid --port
 * value 'x': expected 0-65535"), -ENOENT for an unknown flag name, -E2BIG
 * when the field is full.
 */
int netobs_filter_add_flag(struct netobs_filter_set *set, const char *flag, const char *value,
			   bool negate, char *err, size_t errlen);

/* Does the filter name this flag? (For the CLI's option table.) */
bool netobs_filter_is_flag(const char *flag);

/* Empty filter: no field has a value. */
bool netobs_filter_is_empty(const struct netobs_filter *f);

bool netobs_filter_match(const struct netobs_filter *f, const struct netobs_record *rec);
bool netobs_filter_set_match(const struct netobs_filter_set *set, const struct netobs_record *rec);

/* Wire form: {"allow": {...}, "deny": {...}, "since": "ns", "until": "ns"}; see docs/api.md. */
json_t *netobs_filter_set_to_json(const struct netobs_filter_set *set);
int netobs_filter_set_from_json(const json_t *obj, struct netobs_filter_set *set, char *err,
				size_t errlen);

/* Parse "10.0.0.0/8", "fd00::1" (a bare address is a full-length prefix). 0 or -EINVAL. */
int netobs_cidr_parse(const char *text, struct netobs_cidr *out);
bool netobs_cidr_contains(const struct netobs_cidr *cidr, int family, const uint8_t addr[16]);

/*
 * Parse a time bound for --since/--until: RFC 3339 ("2026-11-25T10:00:00Z",
 * fractional seconds allowed) or a duration before now_ns ("30s", "5m",
 * "1h", "2h30m", "1d"). 0 or -EINVAL.
 */
int netobs_time_bound_parse(const char *text, uint64_t now_ns, uint64_t *out_ns);
