// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The values of policy rules: CIDRs and CIDR sets, entities, DNS names,
 * ports and ICMP types, each checked and typed for the datapath compiler.
 * The documents, rule sets and selectors around them are policy_parse.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "policy.h"
#include "policy_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- what one rule may combine */

/*
 * What Cilium's rule validation (pkg/policy/api/rule_validation.go) refuses
 * in one rule: two kinds of peer ("combining %s and %s is not supported
 * yet"), and icmps with toPorts. Refused here too, so that a file netobs
 * takes is one Cilium takes, and each rule has one kind of peer.
 */
int policy_check_rule_peers(struct parse_ctx *c, const json_t *v, bool ingress)
{
	static const char *const ingress_peers[] = {"fromEndpoints", "fromCIDR", "fromCIDRSet",
						    "fromEntities", NULL};
	static const char *const egress_peers[] = {"toEndpoints", "toCIDR",  "toCIDRSet",
						   "toEntities",  "toFQDNs", NULL};
	const char *first = NULL;

	for (const char *const *k = ingress ? ingress_peers : egress_peers; *k; k++) {
		if (!json_object_get(v, *k))
			continue;
		if (first)
			return policy_fail(c, NULL,
					   "%s and %s in one rule: Cilium refuses two kinds of "
					   "peer in one rule; write a rule for each",
					   first, *k);
		first = *k;
	}
	if (json_object_get(v, "icmps") && json_object_get(v, "toPorts"))
		return policy_fail(c, NULL,
				   "icmps and toPorts in one rule: Cilium refuses them together; "
				   "write a rule for each");
	return 0;
}

/* ---- CIDRs */

static void prefix_mask(struct policy_prefix *p)
{
	size_t bytes = p->family == 4 ? 4 : 16;

	for (size_t i = 0; i < 16; i++) {
		size_t bit = i * 8;
		uint8_t mask = bit >= p->len	   ? 0
			       : bit + 8 <= p->len ? 0xff
						   : (uint8_t)(0xff << (8 - (p->len - bit)));

		p->addr[i] = i < bytes ? p->addr[i] & mask : 0;
	}
}

/* "10.0.0.0/8", "fd00::/64"; a bare address is a /32 or /128; host bits are masked. */
static int parse_prefix(struct parse_ctx *c, const json_t *v, struct policy_prefix *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *text, *slash;
	size_t addr_len;

	memset(out, 0, sizeof(*out));
	if (!json_is_string(v))
		return policy_wrong_type(c, v, "a string (a CIDR)");
	text = json_string_value(v);
	slash = strchr(text, '/');
	addr_len = slash ? (size_t)(slash - text) : strlen(text);
	if (addr_len >= sizeof(addr) || json_string_length(v) != strlen(text))
		goto bad;
	memcpy(addr, text, addr_len);
	addr[addr_len] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = 4, out->len = 32;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = 6, out->len = 128;
	else
		goto bad;
	if (slash) {
		const char *d = slash + 1;
		unsigned len = 0;

		if (!*d || strlen(d) > 3)
			goto bad;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				goto bad;
			len = len * 10 + (unsigned)(*d - '0');
		}
		if (len > out->len)
			goto bad;
		out->len = (uint8_t)len;
	}
	prefix_mask(out);
	return 0;
bad:
	return policy_fail(c, v, "not a CIDR (ADDRESS/LENGTH, e.g. 10.0.0.0/8 or fd00::/64)");
}

static bool prefix_contains(const struct policy_prefix *outer, const struct policy_prefix *inner)
{
	struct policy_prefix cut = *inner;

	if (outer->family != inner->family || inner->len < outer->len)
		return false;
	cut.len = outer->len;
	prefix_mask(&cut);
	return memcmp(cut.addr, outer->addr, sizeof(cut.addr)) == 0;
}

static int parse_plain_cidr(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_cidr *out = item;

	return parse_prefix(c, v, &out->prefix);
}

static int parse_cidr_set(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_cidr *out = item;
	static const char *const fields[] = {"cidr", "except", NULL};
	const json_t *cidr, *excepts, *e;
	size_t i, old;
	int ret;

	ret = policy_check_object(c, v, "an object ({\"cidr\": ..., \"except\": [...]})", fields);
	if (ret)
		return ret;
	out->from_set = true;
	cidr = json_object_get(v, "cidr");
	if (!cidr)
		return policy_fail(c, NULL, "cidr is required");
	old = policy_path_push_key(c, "cidr");
	ret = parse_prefix(c, cidr, &out->prefix);
	if (ret)
		return ret;
	policy_path_pop(c, old);
	excepts = json_object_get(v, "except");
	if (!excepts)
		return 0;
	old = policy_path_push_key(c, "except");
	if (!json_is_array(excepts))
		return policy_wrong_type(c, excepts, "a list of CIDRs");
	ret = policy_take(c, &c->cidrs, (uint32_t)json_array_size(excepts), POLICY_CIDRS_MAX,
			  "CIDRs");
	if (ret)
		return ret;
	out->excepts = calloc(json_array_size(excepts) + 1, sizeof(*out->excepts));
	if (!out->excepts)
		return -ENOMEM;
	json_array_foreach (excepts, i, e) {
		size_t old_i = policy_path_push_index(c, i);
		char outer[64];

		ret = parse_prefix(c, e, &out->excepts[i]);
		if (ret)
			return ret;
		out->n_excepts++;
		policy_prefix_format(&out->prefix, outer, sizeof(outer));
		if (!prefix_contains(&out->prefix, &out->excepts[i]))
			return policy_fail(c, e, "an except must lie inside its cidr %s", outer);
		policy_path_pop(c, old_i);
	}
	policy_path_pop(c, old);
	return 0;
}

/* ---- ports and ICMP */

/*
 * Cilium's nested lists, toPorts[].ports[] and icmps[].fields[]: the inner
 * items of every entry, counted against a per-policy bound, into one array.
 */
struct flat_list {
	const char *key;     /* the inner list of each entry */
	const char *shape;   /* what an entry is, for a wrong type */
	const char *missing; /* the error when an entry lacks key */
	const char *what;    /* the items, for the bound's error */
	uint32_t max;
	uint32_t entry_max; /* items in one entry: Cilium's maxPorts, maxICMPFields */
	size_t size;	    /* of one item */
	policy_item_parser parse;
};

static int parse_flat_list(struct parse_ctx *c, const json_t *list, const struct flat_list *desc,
			   uint32_t *counter, void **items, uint32_t *n)
{
	const char *const fields[] = {desc->key, NULL};
	const json_t *entry, *inner;
	size_t i, total = 0;
	int ret;

	json_array_foreach (list, i, entry) {
		size_t old = policy_path_push_index(c, i);

		ret = policy_check_object(c, entry, desc->shape, fields);
		if (ret)
			return ret;
		ret = policy_get_list(c, entry, desc->key, &inner);
		if (ret)
			return ret;
		if (!inner)
			return policy_fail(c, NULL, "%s", desc->missing);
		if (json_array_size(inner) > desc->entry_max) {
			policy_path_push_key(c, desc->key);
			return policy_fail(c, NULL, "more than %u %s in one entry (Cilium's bound)",
					   desc->entry_max, desc->what);
		}
		total += json_array_size(inner);
		policy_path_pop(c, old);
	}
	ret = policy_take(c, counter, (uint32_t)(total <= desc->max ? total : desc->max + 1),
			  desc->max, desc->what);
	if (ret)
		return ret;
	*items = calloc(total, desc->size);
	if (!*items)
		return -ENOMEM;
	json_array_foreach (list, i, entry) {
		size_t old = policy_path_push_index(c, i),
		       old_key = policy_path_push_key(c, desc->key);

		ret = policy_parse_items(c, json_object_get(entry, desc->key), desc->parse, *items,
					 desc->size, n);
		if (ret)
			return ret;
		policy_path_pop(c, old_key);
		policy_path_pop(c, old);
	}
	return 0;
}

/* A port 0-65535 (min is 0 for `port`, where 0 is every port, 1 for endPort). */
static int parse_port_number(struct parse_ctx *c, const json_t *v, json_int_t min, uint16_t *out)
{
	json_int_t n = 0;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);

		if (len == 0 || len > 5 || strspn(s, "0123456789") != len) {
			if (len > 0 && strspn(s, "0123456789") == 0)
				return policy_fail(c, v,
						   "named ports are not supported by netobs (no "
						   "pods to name them); write the port number");
			return policy_fail(c, v, "not a port number (%lld-65535)", (long long)min);
		}
		/* Cilium reads the string with Go's ParseUint(s, 0, 16): "010" is port 8. */
		if (len > 1 && s[0] == '0')
			return policy_fail(c, v,
					   "a port with a leading zero (Cilium reads it as octal); "
					   "write it without");
		n = strtol(s, NULL, 10);
	} else if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else {
		return policy_wrong_type(
			c, v, min ? "a port number (1-65535)" : "a port number (0-65535)");
	}
	if (n < min || n > 65535)
		return policy_fail(c, v, "not a port number (%lld-65535)", (long long)min);
	*out = (uint16_t)n;
	return 0;
}

static int parse_port(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_port *out = item;
	static const char *const fields[] = {"port", "endPort", "protocol", NULL};
	static const struct {
		const char *name;
		uint8_t proto;
	} protocols[] = {
		{"TCP", POLICY_PROTO_TCP},
		{"UDP", POLICY_PROTO_UDP},
		{"SCTP", POLICY_PROTO_SCTP},
		{"ANY", POLICY_PROTO_ANY},
	};
	const json_t *port = json_object_get(v, "port"), *end = json_object_get(v, "endPort");
	const json_t *proto = json_object_get(v, "protocol");
	size_t old;
	int ret;

	ret = policy_check_object(c, v, "an object ({\"port\": ..., \"protocol\": ...})", fields);
	if (ret)
		return ret;
	if (!port)
		return policy_fail(c, NULL, "port is required");
	old = policy_path_push_key(c, "port");
	ret = parse_port_number(c, port, 0, &out->port);
	if (ret)
		return ret;
	policy_path_pop(c, old);
	/* Port 0 is Cilium's "every port" (of the protocol): the whole range. */
	out->end_port = out->port ? out->port : 65535;
	if (end) {
		old = policy_path_push_key(c, "endPort");
		if (!json_is_integer(end))
			return policy_wrong_type(c, end, "a port number (1-65535)");
		if (out->port == 0)
			return policy_fail(c, end,
					   "port 0 is already every port; leave endPort out");
		ret = parse_port_number(c, end, 1, &out->end_port);
		if (ret)
			return ret;
		if (out->end_port < out->port)
			return policy_fail(c, end, "endPort is below port %u", out->port);
		policy_path_pop(c, old);
	}
	out->protocol = POLICY_PROTO_ANY;
	if (!proto)
		return 0;
	old = policy_path_push_key(c, "protocol");
	if (!json_is_string(proto))
		return policy_wrong_type(c, proto, "a string (TCP, UDP, SCTP or ANY)");
	for (size_t i = 0; i < ARRAY_SIZE(protocols); i++)
		if (strcasecmp(json_string_value(proto), protocols[i].name) == 0) {
			out->protocol = protocols[i].proto;
			policy_path_pop(c, old);
			return 0;
		}
	if (strncasecmp(json_string_value(proto), "ICMP", 4) == 0)
		return policy_fail(c, proto, "not a port protocol; ICMP goes in icmps");
	return policy_fail(c, proto, "not a protocol netobs supports (TCP, UDP, SCTP or ANY)");
}

int policy_parse_to_ports(struct parse_ctx *c, const json_t *list, struct policy_rule *r)
{
	static const struct flat_list ports = {
		.key = "ports",
		.shape = "an object ({\"ports\": [...]})",
		.missing = "ports is required (netobs has no L7 rules)",
		.what = "ports",
		.max = POLICY_PORTS_MAX,
		.entry_max = POLICY_PORTS_ENTRY_MAX,
		.size = sizeof(*r->ports),
		.parse = parse_port,
	};

	return parse_flat_list(c, list, &ports, &c->ports, (void **)&r->ports, &r->n_ports);
}

/* Cilium's ICMP type names, per family: all of pkg/policy/api/icmp.go. */
static const struct {
	uint8_t family, type;
	const char *name;
} icmp_names[] = {
	{4, 0, "EchoReply"},
	{4, 3, "DestinationUnreachable"},
	{4, 5, "Redirect"},
	{4, 8, "Echo"},
	{4, 8, "EchoRequest"},
	{4, 9, "RouterAdvertisement"},
	{4, 10, "RouterSelection"},
	{4, 11, "TimeExceeded"},
	{4, 12, "ParameterProblem"},
	{4, 13, "Timestamp"},
	{4, 14, "TimestampReply"},
	{4, 40, "Photuris"},
	{4, 42, "ExtendedEchoRequest"},
	{4, 43, "ExtendedEchoReply"},
	{6, 1, "DestinationUnreachable"},
	{6, 2, "PacketTooBig"},
	{6, 3, "TimeExceeded"},
	{6, 4, "ParameterProblem"},
	{6, 128, "EchoRequest"},
	{6, 129, "EchoReply"},
	{6, 130, "MulticastListenerQuery"},
	{6, 131, "MulticastListenerReport"},
	{6, 132, "MulticastListenerDone"},
	{6, 133, "RouterSolicitation"},
	{6, 134, "RouterAdvertisement"},
	{6, 135, "NeighborSolicitation"},
	{6, 136, "NeighborAdvertisement"},
	{6, 137, "RedirectMessage"},
	{6, 138, "RouterRenumbering"},
	{6, 139, "ICMPNodeInformationQuery"},
	{6, 140, "ICMPNodeInformationResponse"},
	{6, 141, "InverseNeighborDiscoverySolicitation"},
	{6, 142, "InverseNeighborDiscoveryAdvertisement"},
	{6, 144, "HomeAgentAddressDiscoveryRequest"},
	{6, 145, "HomeAgentAddressDiscoveryReply"},
	{6, 146, "MobilePrefixSolicitation"},
	{6, 147, "MobilePrefixAdvertisement"},
	{6, 157, "DuplicateAddressRequestCodeSuffix"},
	{6, 158, "DuplicateAddressConfirmationCodeSuffix"},
	{6, 160, "ExtendedEchoRequest"},
	{6, 161, "ExtendedEchoReply"},
};

static int parse_icmp_field(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_icmp *out = item;
	static const char *const fields[] = {"type", "family", NULL};
	const json_t *type = json_object_get(v, "type"), *family = json_object_get(v, "family");
	size_t old;
	int ret;

	ret = policy_check_object(c, v, "an object ({\"type\": ..., \"family\": ...})", fields);
	if (ret)
		return ret;
	out->family = 4;
	if (family) {
		const char *f = json_string_value(family);

		old = policy_path_push_key(c, "family");
		if (!f)
			return policy_wrong_type(c, family, "a string (IPv4 or IPv6)");
		if (strcasecmp(f, "IPv4") == 0)
			out->family = 4;
		else if (strcasecmp(f, "IPv6") == 0)
			out->family = 6;
		else
			return policy_fail(c, family, "not an ICMP family (IPv4 or IPv6)");
		policy_path_pop(c, old);
	}
	if (!type)
		return policy_fail(c, NULL, "type is required");
	old = policy_path_push_key(c, "type");
	if (json_is_integer(type)) {
		if (json_integer_value(type) < 0 || json_integer_value(type) > 255)
			return policy_fail(c, type, "not an ICMP type (0-255)");
		out->type = (uint8_t)json_integer_value(type);
	} else if (json_is_string(type)) {
		const char *t = json_string_value(type);
		size_t i, len = json_string_length(type);

		/* Digits as Cilium's pattern has them: 0-255, no leading zero. */
		if (len > 0 && len <= 3 && strspn(t, "0123456789") == len && atoi(t) <= 255 &&
		    (len == 1 || t[0] != '0')) {
			out->type = (uint8_t)atoi(t);
			policy_path_pop(c, old);
			return 0;
		}
		for (i = 0; i < ARRAY_SIZE(icmp_names); i++)
			if (icmp_names[i].family == out->family &&
			    strcmp(icmp_names[i].name, t) == 0)
				break;
		if (i == ARRAY_SIZE(icmp_names))
			return policy_fail(c, type,
					   "not an ICMP type netobs knows for %s (a number 0-255 "
					   "or a name such as EchoRequest)",
					   out->family == 4 ? "IPv4" : "IPv6");
		out->type = icmp_names[i].type;
	} else {
		return policy_wrong_type(c, type, "an ICMP type (a number or a name)");
	}
	policy_path_pop(c, old);
	return 0;
}

int policy_parse_icmps(struct parse_ctx *c, const json_t *list, struct policy_rule *r)
{
	static const struct flat_list icmps = {
		.key = "fields",
		.shape = "an object ({\"fields\": [...]})",
		.missing = "fields is required",
		.what = "ICMP fields",
		.max = POLICY_ICMPS_MAX,
		.entry_max = POLICY_ICMPS_ENTRY_MAX,
		.size = sizeof(*r->icmps),
		.parse = parse_icmp_field,
	};

	return parse_flat_list(c, list, &icmps, &c->icmps, (void **)&r->icmps, &r->n_icmps);
}

/* fromCIDR and fromCIDRSet share r->cidrs: make room for both before either is read. */
int policy_parse_cidrs(struct parse_ctx *c, const json_t *plain, const json_t *sets,
		       struct policy_rule *r, const char *plain_key, const char *sets_key)
{
	size_t n_plain = json_array_size(plain), n_sets = json_array_size(sets), old;
	int ret;

	if (!n_plain && !n_sets)
		return 0;
	ret = policy_take(c, &c->cidrs, (uint32_t)(n_plain + n_sets), POLICY_CIDRS_MAX, "CIDRs");
	if (ret)
		return ret;
	r->cidrs = calloc(n_plain + n_sets, sizeof(*r->cidrs));
	if (!r->cidrs)
		return -ENOMEM;
	old = policy_path_push_key(c, plain_key);
	ret = policy_parse_items(c, plain, parse_plain_cidr, r->cidrs, sizeof(*r->cidrs),
				 &r->n_cidrs);
	if (ret)
		return ret;
	policy_path_pop(c, old);
	old = policy_path_push_key(c, sets_key);
	ret = policy_parse_items(c, sets, parse_cidr_set, r->cidrs, sizeof(*r->cidrs), &r->n_cidrs);
	if (ret)
		return ret;
	policy_path_pop(c, old);
	return 0;
}

int policy_parse_entities(struct parse_ctx *c, const json_t *list, struct policy_rule *r)
{
	static const struct {
		const char *name;
		uint8_t bit;
	} entities[] = {
		{"host", POLICY_ENTITY_HOST},
		{"world", POLICY_ENTITY_WORLD},
		{"all", POLICY_ENTITY_ALL},
	};
	static const char *const cluster_entities[] = {
		"cluster",   "remote-node",    "init",	  "health",
		"unmanaged", "kube-apiserver", "ingress", NULL,
	};
	/* Cilium's entities that are not about a cluster, but netobs has no use for yet. */
	static const char *const other_entities[] = {"world-ipv4", "world-ipv6", "none", NULL};
	const json_t *v;
	size_t i, j;

	json_array_foreach (list, i, v) {
		size_t old = policy_path_push_index(c, i);
		const char *name = json_string_value(v);

		if (!name)
			return policy_wrong_type(c, v, "a string (host, world or all)");
		for (j = 0; j < ARRAY_SIZE(entities); j++)
			if (strcmp(name, entities[j].name) == 0)
				break;
		if (j == ARRAY_SIZE(entities)) {
			for (const char *const *k = cluster_entities; *k; k++)
				if (strcmp(name, *k) == 0)
					return policy_fail(
						c, v,
						"not supported by netobs (a cluster "
						"entity); netobs knows host, world, all");
			for (const char *const *k = other_entities; *k; k++)
				if (strcmp(name, *k) == 0)
					return policy_fail(c, v,
							   "not supported by netobs yet; netobs "
							   "knows host, world, all");
			return policy_fail(c, v, "not an entity (host, world or all)");
		}
		r->entities |= entities[j].bit;
		policy_path_pop(c, old);
	}
	return 0;
}

/* DNS names: letters, digits, '-', '_', '.', and '*' in patterns; lower-cased, no final dot. */
static int parse_fqdn(struct parse_ctx *c, const json_t *v, void *item)
{
	struct policy_fqdn *out = item;
	static const char *const fields[] = {"matchName", "matchPattern", NULL};
	const json_t *name = json_object_get(v, "matchName");
	const json_t *pattern = json_object_get(v, "matchPattern");
	const json_t *text_v = name ? name : pattern;
	const char *text;
	size_t len, old;
	int ret;

	ret = policy_check_object(
		c, v, "an object ({\"matchName\": ...} or {\"matchPattern\": ...})", fields);
	if (ret)
		return ret;
	if (!name == !pattern)
		return policy_fail(c, NULL, "give exactly one of matchName and matchPattern");
	out->kind = name ? POLICY_FQDN_NAME : POLICY_FQDN_PATTERN;
	old = policy_path_push_key(c, name ? "matchName" : "matchPattern");
	text = json_string_value(text_v);
	if (!text)
		return policy_wrong_type(c, text_v, "a string (a DNS name)");
	len = json_string_length(text_v);
	if (len > 1 && text[len - 1] == '.')
		len--;
	if (len == 0 || len > POLICY_FQDN_MAX || strlen(text) < len)
		return policy_fail(c, text_v, "not a DNS name (1-%d characters)", POLICY_FQDN_MAX);
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.' || (ch == '*' && pattern)))
			return policy_fail(c, text_v, "not a DNS name%s (letters, digits, - _ .%s)",
					   pattern ? " pattern" : "", pattern ? " and *" : "");
		out->text[i] = ch;
	}
	out->text[len] = '\0';
	/* Labels of 1-63 characters: no leading dot, no "..", one final dot at most (dropped). */
	for (size_t start = 0, i = 0; i <= len; i++) {
		if (i < len && out->text[i] != '.')
			continue;
		if (i == start || i - start > 63)
			return policy_fail(c, text_v,
					   "not a DNS name%s (an empty label or one over "
					   "63 characters)",
					   pattern ? " pattern" : "");
		start = i + 1;
	}
	policy_path_pop(c, old);
	return 0;
}

int policy_parse_fqdns(struct parse_ctx *c, const json_t *list, struct policy_rule *r)
{
	int ret = policy_take(c, &c->fqdns, (uint32_t)json_array_size(list), POLICY_FQDNS_MAX,
			      "toFQDNs selectors");

	if (ret)
		return ret;
	r->fqdns = calloc(json_array_size(list), sizeof(*r->fqdns));
	if (!r->fqdns)
		return -ENOMEM;
	return policy_parse_items(c, list, parse_fqdn, r->fqdns, sizeof(*r->fqdns), &r->n_fqdns);
}
