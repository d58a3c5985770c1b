// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Building flow filters: CLI flags and their JSON wire form (docs/api.md)
 * map onto one field table, so a flag and its JSON field cannot drift apart.
 * Also the CIDR and --since/--until parsers. Matching is in filter_match.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "filter.h"
#include "filter_internal.h"

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define IFNAME_LEN_MAX 15
#define NS_PER_SEC     1000000000ULL

enum value_kind {
	VALUE_CIDR,
	VALUE_PORT,
	VALUE_PROTOCOL,
	VALUE_ENDPOINT,
	VALUE_VERDICT,
	VALUE_DIRECTION,
	VALUE_TCP_FLAGS,
	VALUE_INTERFACE,
	VALUE_IP_VERSION,
	VALUE_EVENT_TYPE,
	VALUE_FQDN,	   /* struct netobs_filter_patterns */
	VALUE_HTTP_PATH,   /* struct netobs_filter_patterns */
	VALUE_HTTP_URL,	   /* struct netobs_filter_patterns */
	VALUE_HTTP_STATUS, /* struct netobs_filter_strs */
	VALUE_HTTP_METHOD, /* struct netobs_filter_strs */
	VALUE_DROP_REASON,
};

struct field_desc {
	const char *json_name;
	const char *flag; /* CLI flag, without "--" */
	enum value_kind kind;
	size_t offset; /* of the value list in struct netobs_filter */
};

#define FIELD(json, flag, kind, member)                                                            \
	{                                                                                          \
		json, flag, kind, offsetof(struct netobs_filter, member)                           \
	}

static const struct field_desc fields[] = {
	FIELD("ip", "ip", VALUE_CIDR, ip),
	FIELD("source_ip", "from-ip", VALUE_CIDR, source_ip),
	FIELD("destination_ip", "to-ip", VALUE_CIDR, destination_ip),
	FIELD("port", "port", VALUE_PORT, port),
	FIELD("source_port", "from-port", VALUE_PORT, source_port),
	FIELD("destination_port", "to-port", VALUE_PORT, destination_port),
	FIELD("protocol", "protocol", VALUE_PROTOCOL, protocol),
	FIELD("endpoint", "endpoint", VALUE_ENDPOINT, endpoint),
	FIELD("source_endpoint", "from-endpoint", VALUE_ENDPOINT, source_endpoint),
	FIELD("destination_endpoint", "to-endpoint", VALUE_ENDPOINT, destination_endpoint),
	FIELD("verdict", "verdict", VALUE_VERDICT, verdict),
	FIELD("drop_reason_desc", "drop-reason-desc", VALUE_DROP_REASON, drop_reason),
	FIELD("traffic_direction", "traffic-direction", VALUE_DIRECTION, traffic_direction),
	FIELD("tcp_flags", "tcp-flags", VALUE_TCP_FLAGS, tcp_flags),
	FIELD("interface", "interface", VALUE_INTERFACE, interface),
	FIELD("event_type", "type", VALUE_EVENT_TYPE, event_type),
	FIELD("fqdn", "fqdn", VALUE_FQDN, fqdn),
	FIELD("source_fqdn", "from-fqdn", VALUE_FQDN, source_fqdn),
	FIELD("destination_fqdn", "to-fqdn", VALUE_FQDN, destination_fqdn),
	FIELD("http_status_code", "http-status", VALUE_HTTP_STATUS, http_status),
	FIELD("http_method", "http-method", VALUE_HTTP_METHOD, http_method),
	FIELD("http_path", "http-path", VALUE_HTTP_PATH, http_path),
	FIELD("http_url", "http-url", VALUE_HTTP_URL, http_url),
	/* last: -4/-6 find it there, see netobs_filter_add_flag() */
	FIELD("ip_version", NULL, VALUE_IP_VERSION, ip_version),
};

/* Hubble's names for netobs's endpoint flags (its endpoints are pods). */
static const struct {
	const char *alias;
	const char *flag;
} flag_aliases[] = {
	{"pod", "endpoint"},
	{"from-pod", "from-endpoint"},
	{"to-pod", "to-endpoint"},
};

/* Hubble's --type names; trace:SUBTYPE names come from record.c. */
static const struct {
	const char *name;
	int type;
} event_type_names[] = {
	{"drop", NETOBS_EVENT_TYPE_DROP},
	{"trace", NETOBS_EVENT_TYPE_TRACE},
	{"policy-verdict", NETOBS_EVENT_TYPE_POLICY_VERDICT},
	{"l7", NETOBS_EVENT_TYPE_L7},
};

static const char *const protocol_names[] = {
	[NETOBS_FPROTO_TCP] = "tcp",	   [NETOBS_FPROTO_UDP] = "udp",
	[NETOBS_FPROTO_SCTP] = "sctp",	   [NETOBS_FPROTO_ICMP] = "icmp",
	[NETOBS_FPROTO_ICMPV4] = "icmpv4", [NETOBS_FPROTO_ICMPV6] = "icmpv6",
	[NETOBS_FPROTO_DNS] = "dns",	   [NETOBS_FPROTO_HTTP] = "http",
};
#define FPROTO_LAST NETOBS_FPROTO_HTTP

static const char *const value_expectations[] = {
	[VALUE_CIDR] = "expected an IP address or CIDR (10.0.0.0/8, fd00::/64)",
	[VALUE_PORT] = "expected a port number 0-65535",
	[VALUE_PROTOCOL] = "expected tcp, udp, sctp, icmp, icmpv4, icmpv6, dns or http",
	[VALUE_ENDPOINT] = "expected an endpoint name or numeric ID (at most 63 characters)",
	[VALUE_VERDICT] = "expected FORWARDED, DROPPED, ERROR or AUDIT",
	[VALUE_DIRECTION] = "expected ingress or egress",
	[VALUE_TCP_FLAGS] = "expected a comma-separated list of SYN, ACK, RST, FIN, PSH, URG, "
			    "ECE, CWR, NS",
	[VALUE_INTERFACE] = "expected an interface name (at most 15 characters) or ifindex",
	[VALUE_IP_VERSION] = "expected 4 or 6",
	[VALUE_EVENT_TYPE] = "expected trace, trace:to-endpoint, trace:from-endpoint, "
			     "trace:to-network, trace:from-network, l7, drop or policy-verdict",
	[VALUE_FQDN] = "expected a DNS name glob of letters, digits, '-', '_', '.' and '*' "
		       "(*.example.com)",
	[VALUE_HTTP_PATH] = "expected a POSIX extended regular expression (^/api/v[0-9]+/)",
	[VALUE_HTTP_URL] = "expected a POSIX extended regular expression (^https?://api\\.)",
	[VALUE_HTTP_STATUS] = "expected a status code 100-599 (404) or a prefix of one "
			      "followed by + (5+, 40+)",
	[VALUE_HTTP_METHOD] = "expected an HTTP method (GET, POST, ...)",
	[VALUE_DROP_REASON] = "expected POLICY_DENIED or POLICY_DENY",
};

__attribute__((format(printf, 3, 4))) static int filter_fail(char *err, size_t errlen,
							     const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void netobs_filter_set_init(struct netobs_filter_set *set)
{
	memset(set, 0, sizeof(*set));
}

/* ---- CIDR ---- */

int netobs_cidr_parse(const char *text, struct netobs_cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash;
	unsigned int max_prefix, prefix;
	struct netobs_cidr cidr = {0};
	size_t addr_len;

	if (!text)
		return -EINVAL;
	slash = strchr(text, '/');
	addr_len = slash ? (size_t)(slash - text) : strlen(text);
	if (!addr_len || addr_len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, addr_len);
	addr[addr_len] = '\0';
	if (inet_pton(AF_INET, addr, cidr.addr) == 1) {
		cidr.family = NETOBS_FAMILY_IPV4;
		max_prefix = 32;
	} else if (inet_pton(AF_INET6, addr, cidr.addr) == 1) {
		cidr.family = NETOBS_FAMILY_IPV6;
		max_prefix = 128;
	} else {
		return -EINVAL;
	}
	prefix = max_prefix;
	if (slash) {
		const char *p = slash + 1;

		if (!*p || strlen(p) > 3)
			return -EINVAL;
		prefix = 0;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			prefix = prefix * 10 + (unsigned int)(*p - '0');
		}
		if (prefix > max_prefix)
			return -EINVAL;
	}
	cidr.prefix_len = (uint8_t)prefix;
	/* Host bits are cleared so that 10.1.2.3/8 and 10.0.0.0/8 are one value. */
	for (unsigned int bit = prefix; bit < max_prefix; bit++)
		cidr.addr[bit / 8] &= (uint8_t) ~(0x80 >> (bit % 8));
	*out = cidr;
	return 0;
}

static void cidr_format(const struct netobs_cidr *cidr, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];

	netobs_addr_format(cidr->family, cidr->addr, addr, sizeof(addr));
	snprintf(buf, len, "%s/%u", addr, cidr->prefix_len);
}

/* ---- values ---- */

static int parse_tcp_flags(const char *text, uint16_t *mask)
{
	char copy[128], *save = NULL, *token;

	if (strlen(text) >= sizeof(copy))
		return -EINVAL;
	strcpy(copy, text);
	*mask = 0;
	for (token = strtok_r(copy, ",", &save); token; token = strtok_r(NULL, ",", &save)) {
		char *end;
		int flag;

		while (*token == ' ')
			token++;
		end = token + strlen(token);
		while (end > token && end[-1] == ' ')
			*--end = '\0';
		flag = netobs_tcp_flag_from_name(token);
		if (flag < 0)
			return -EINVAL;
		*mask |= (uint16_t)flag;
	}
	return *mask ? 0 : -EINVAL;
}

static void tcp_flags_mask_format(uint16_t mask, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT && used < len; i++)
		if (mask & netobs_tcp_flag_names[i].flag)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 netobs_tcp_flag_names[i].name);
}

/* "trace", "trace:to-endpoint", "l7", ...: see NETOBS_FILTER_EVENT_TYPE(). */
static int parse_event_type(const char *text, uint16_t *value)
{
	size_t name_len = strcspn(text, ":");
	int subtype = -1;

	for (size_t i = 0; i < ARRAY_SIZE(event_type_names); i++) {
		if (strlen(event_type_names[i].name) != name_len ||
		    strncmp(event_type_names[i].name, text, name_len))
			continue;
		if (text[name_len]) {
			/* only traces have sub-types netobs knows */
			if (event_type_names[i].type != NETOBS_EVENT_TYPE_TRACE)
				return -EINVAL;
			subtype = netobs_trace_subtype_from_text(text + name_len + 1);
			if (subtype < 0)
				return -EINVAL;
		}
		*value = NETOBS_FILTER_EVENT_TYPE(event_type_names[i].type, subtype);
		return 0;
	}
	return -EINVAL;
}

static void event_type_format(uint16_t value, char *buf, size_t len)
{
	const char *name = "", *subtype = netobs_trace_subtype_text((value & 0xff) - 1);

	for (size_t i = 0; i < ARRAY_SIZE(event_type_names); i++)
		if (event_type_names[i].type == value >> 8)
			name = event_type_names[i].name;
	if (value & 0xff)
		snprintf(buf, len, "%s:%s", name, subtype ? subtype : "");
	else
		snprintf(buf, len, "%s", name);
}

static int u16s_add(struct netobs_filter_u16s *list, uint16_t value)
{
	if (u16s_has(list, value))
		return 0;
	if (list->n >= NETOBS_FILTER_MAX_VALUES)
		return -E2BIG;
	list->v[list->n++] = value;
	return 0;
}

/*
 * Parse `text` as a value of `desc` and add it to filter f. `label` names
 * the source in messages: "--port" or "filter field allow.port".
 */
static int field_add_text(struct netobs_filter *f, const struct field_desc *desc, const char *text,
			  const char *label, char *err, size_t errlen)
{
	void *list = (char *)f + desc->offset;
	unsigned long number;
	uint16_t value = 0;
	int ret = 0, parsed;

	if (!text)
		text = "";
	switch (desc->kind) {
	case VALUE_CIDR: {
		struct netobs_filter_cidrs *cidrs = list;
		struct netobs_cidr cidr;

		if (netobs_cidr_parse(text, &cidr))
			goto invalid;
		for (unsigned int i = 0; i < cidrs->n; i++)
			if (!memcmp(&cidrs->v[i], &cidr, sizeof(cidr)))
				return 0;
		if (cidrs->n >= NETOBS_FILTER_MAX_VALUES)
			ret = -E2BIG;
		else
			cidrs->v[cidrs->n++] = cidr;
		break;
	}
	case VALUE_FQDN:
	case VALUE_HTTP_PATH:
	case VALUE_HTTP_URL: {
		struct netobs_filter_patterns *patterns = list;

		if (desc->kind == VALUE_FQDN ? !filter_fqdn_pattern_valid(text)
					     : !filter_http_path_valid(text))
			goto invalid;
		for (unsigned int i = 0; i < patterns->n; i++)
			if (!strcmp(patterns->v[i], text))
				return 0;
		if (patterns->n >= NETOBS_FILTER_MAX_VALUES)
			ret = -E2BIG;
		else
			strcpy(patterns->v[patterns->n++], text);
		break;
	}
	case VALUE_HTTP_STATUS:
	case VALUE_HTTP_METHOD:
		if (desc->kind == VALUE_HTTP_STATUS ? !filter_http_status_valid(text)
						    : !filter_http_method_valid(text))
			goto invalid;
		/* stored as the strings they are */
		__attribute__((fallthrough));
	case VALUE_ENDPOINT:
	case VALUE_INTERFACE: {
		struct netobs_filter_strs *strs = list;
		size_t max = desc->kind == VALUE_INTERFACE ? IFNAME_LEN_MAX : NETOBS_NAME_MAX - 1;

		if (!*text || (strlen(text) > max && !parse_decimal(text, UINT32_MAX, &number)))
			goto invalid;
		if (strlen(text) >= NETOBS_NAME_MAX)
			goto invalid;
		for (unsigned int i = 0; i < strs->n; i++)
			if (!strcmp(strs->v[i], text))
				return 0;
		if (strs->n >= NETOBS_FILTER_MAX_VALUES)
			ret = -E2BIG;
		else
			strcpy(strs->v[strs->n++], text);
		break;
	}
	case VALUE_PORT:
		if (!parse_decimal(text, 65535, &number))
			goto invalid;
		ret = u16s_add(list, (uint16_t)number);
		break;
	case VALUE_IP_VERSION:
		if (!parse_decimal(text, 6, &number) || (number != 4 && number != 6))
			goto invalid;
		ret = u16s_add(list, (uint16_t)number);
		break;
	case VALUE_PROTOCOL:
		for (value = NETOBS_FPROTO_TCP; value <= FPROTO_LAST; value++)
			if (!strcasecmp(protocol_names[value], text))
				break;
		if (value > FPROTO_LAST)
			goto invalid;
		ret = u16s_add(list, value);
		break;
	case VALUE_VERDICT:
		parsed = netobs_verdict_from_name(text);
		if (parsed <= NETOBS_VERDICT_UNKNOWN)
			goto invalid;
		ret = u16s_add(list, (uint16_t)parsed);
		break;
	case VALUE_DROP_REASON:
		parsed = netobs_drop_reason_from_name(text);
		if (parsed <= NETOBS_DROP_NONE)
			goto invalid;
		ret = u16s_add(list, (uint16_t)parsed);
		break;
	case VALUE_DIRECTION:
		parsed = netobs_direction_from_name(text);
		if (parsed <= NETOBS_DIR_UNKNOWN)
			goto invalid;
		ret = u16s_add(list, (uint16_t)parsed);
		break;
	case VALUE_TCP_FLAGS:
		if (parse_tcp_flags(text, &value))
			goto invalid;
		ret = u16s_add(list, value);
		break;
	case VALUE_EVENT_TYPE:
		if (parse_event_type(text, &value))
			goto invalid;
		ret = u16s_add(list, value);
		break;
	}
	if (ret == -E2BIG)
		snprintf(err, errlen, "too many %s values (at most %d)", label,
			 NETOBS_FILTER_MAX_VALUES);
	return ret;
invalid:
	return filter_fail(err, errlen, "invalid %s value '%s': %s", label, text,
			   value_expectations[desc->kind]);
}

/* The field a flag (or its Hubble alias) sets; NULL for -4/-6 and unknown flags. */
static const struct field_desc *field_of_flag(const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_aliases); i++)
		if (!strcmp(flag_aliases[i].alias, flag))
			flag = flag_aliases[i].flag;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (fields[i].flag && !strcmp(fields[i].flag, flag))
			return &fields[i];
	return NULL;
}

bool netobs_filter_is_flag(const char *flag)
{
	if (!flag)
		return false;
	if (!strcmp(flag, "ipv4") || !strcmp(flag, "ipv6"))
		return true;
	return field_of_flag(flag) != NULL;
}

int netobs_filter_add_flag(struct netobs_filter_set *set, const char *flag, const char *value,
			   bool negate, char *err, size_t errlen)
{
	struct netobs_filter *f = negate ? &set->deny : &set->allow;
	const struct field_desc *desc = NULL;
	char label[48];

	if (errlen)
		err[0] = '\0';
	if (!flag)
		return -ENOENT;
	if (!strcmp(flag, "ipv4") || !strcmp(flag, "ipv6")) {
		/* -4/-6 take no value: the flag is the value */
		snprintf(label, sizeof(label), "-%c", flag[3]);
		return field_add_text(f, &fields[ARRAY_SIZE(fields) - 1],
				      flag[3] == '4' ? "4" : "6", label, err, errlen);
	}
	desc = field_of_flag(flag);
	if (!desc) {
		snprintf(err, errlen, "unknown filter flag --%s", flag);
		return -ENOENT;
	}
	snprintf(label, sizeof(label), "--%s", flag);
	return field_add_text(f, desc, value, label, err, errlen);
}

bool netobs_filter_is_empty(const struct netobs_filter *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *list = (const char *)f + fields[i].offset;
		unsigned int n;

		switch (fields[i].kind) {
		case VALUE_CIDR:
			n = ((const struct netobs_filter_cidrs *)list)->n;
			break;
		case VALUE_ENDPOINT:
		case VALUE_INTERFACE:
		case VALUE_HTTP_STATUS:
		case VALUE_HTTP_METHOD:
			n = ((const struct netobs_filter_strs *)list)->n;
			break;
		case VALUE_FQDN:
		case VALUE_HTTP_PATH:
		case VALUE_HTTP_URL:
			n = ((const struct netobs_filter_patterns *)list)->n;
			break;
		default:
			n = ((const struct netobs_filter_u16s *)list)->n;
			break;
		}
		if (n)
			return false;
	}
	return true;
}

/* ---- JSON wire form ---- */

static json_t *field_to_json(const struct netobs_filter *f, const struct field_desc *desc)
{
	const char *list = (const char *)f + desc->offset;
	const struct netobs_filter_u16s *u16s = (const void *)list;
	json_t *values = json_array();
	char text[INET6_ADDRSTRLEN + 8];
	int err = 0;

	if (!values)
		return NULL;
	if (desc->kind == VALUE_CIDR) {
		const struct netobs_filter_cidrs *cidrs = (const void *)list;

		for (unsigned int i = 0; i < cidrs->n; i++) {
			cidr_format(&cidrs->v[i], text, sizeof(text));
			err |= json_array_append_new(values, json_string(text));
		}
	} else if (desc->kind == VALUE_ENDPOINT || desc->kind == VALUE_INTERFACE ||
		   desc->kind == VALUE_HTTP_STATUS || desc->kind == VALUE_HTTP_METHOD) {
		const struct netobs_filter_strs *strs = (const void *)list;

		for (unsigned int i = 0; i < strs->n; i++)
			err |= json_array_append_new(values, json_string(strs->v[i]));
	} else if (desc->kind == VALUE_FQDN || desc->kind == VALUE_HTTP_PATH ||
		   desc->kind == VALUE_HTTP_URL) {
		const struct netobs_filter_patterns *patterns = (const void *)list;

		for (unsigned int i = 0; i < patterns->n; i++)
			err |= json_array_append_new(values, json_string(patterns->v[i]));
	} else {
		for (unsigned int i = 0; i < u16s->n; i++) {
			uint16_t v = u16s->v[i];
			json_t *value;

			switch (desc->kind) {
			case VALUE_PROTOCOL:
				value = json_string(v <= FPROTO_LAST ? protocol_names[v] : "");
				break;
			case VALUE_VERDICT:
				value = json_string(netobs_verdict_name(v));
				break;
			case VALUE_DROP_REASON:
				value = json_string(netobs_drop_reason_name(v));
				break;
			case VALUE_DIRECTION:
				value = json_string(v == NETOBS_DIR_INGRESS ? "ingress" : "egress");
				break;
			case VALUE_TCP_FLAGS:
				tcp_flags_mask_format(v, text, sizeof(text));
				value = json_string(text);
				break;
			case VALUE_EVENT_TYPE:
				event_type_format(v, text, sizeof(text));
				value = json_string(text);
				break;
			default: /* ports, ip_version */
				value = json_integer(v);
				break;
			}
			err |= json_array_append_new(values, value);
		}
	}
	if (err) {
		json_decref(values);
		return NULL;
	}
	return values;
}

static json_t *filter_to_json(const struct netobs_filter *f)
{
	json_t *obj = json_object();
	int err = 0;

	if (!obj)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		json_t *values = field_to_json(f, &fields[i]);

		if (values && !json_array_size(values))
			json_decref(values);
		else
			err |= json_object_set_new(obj, fields[i].json_name, values);
	}
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *json_u64_string(uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return json_string(text);
}

json_t *netobs_filter_set_to_json(const struct netobs_filter_set *set)
{
	json_t *obj = json_object();
	int err = 0;

	if (!obj)
		return NULL;
	if (!netobs_filter_is_empty(&set->allow))
		err |= json_object_set_new(obj, "allow", filter_to_json(&set->allow));
	if (!netobs_filter_is_empty(&set->deny))
		err |= json_object_set_new(obj, "deny", filter_to_json(&set->deny));
	if (set->since_ns)
		err |= json_object_set_new(obj, "since", json_u64_string(set->since_ns));
	if (set->until_ns)
		err |= json_object_set_new(obj, "until", json_u64_string(set->until_ns));
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static int filter_from_json(const json_t *obj, const char *part, struct netobs_filter *f, char *err,
			    size_t errlen)
{
	const char *name;
	json_t *values;

	if (!json_is_object(obj))
		return filter_fail(err, errlen, "filter field '%s' must be an object", part);
	json_object_foreach ((json_t *)obj, name, values) {
		const struct field_desc *desc = NULL;
		char label[64];
		json_t *value;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fields); i++)
			if (!strcmp(fields[i].json_name, name))
				desc = &fields[i];
		if (!desc)
			return filter_fail(err, errlen, "unknown filter field '%s.%s'", part, name);
		snprintf(label, sizeof(label), "filter field %s.%s", part, name);
		if (!json_is_array(values))
			return filter_fail(err, errlen, "%s must be a list", label);
		json_array_foreach (values, i, value) {
			bool numeric = desc->kind == VALUE_PORT || desc->kind == VALUE_IP_VERSION;
			char text[32];
			int ret;

			if (numeric && json_is_integer(value)) {
				snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT,
					 json_integer_value(value));
				ret = field_add_text(f, desc, text, label, err, errlen);
			} else if (!numeric && json_is_string(value)) {
				ret = field_add_text(f, desc, json_string_value(value), label, err,
						     errlen);
			} else {
				return filter_fail(err, errlen, "%s values must be %s", label,
						   numeric ? "numbers" : "strings");
			}
			if (ret)
				return ret == -E2BIG ? -EINVAL : ret;
		}
	}
	return 0;
}

static int time_bound_from_json(const json_t *value, const char *name, uint64_t *out, char *err,
				size_t errlen)
{
	unsigned long long ns;
	const char *text;
	char *end;

	if (json_is_integer(value) && json_integer_value(value) >= 0) {
		*out = (uint64_t)json_integer_value(value);
		return 0;
	}
	if (!json_is_string(value))
		goto invalid;
	text = json_string_value(value);
	errno = 0;
	ns = strtoull(text, &end, 10);
	if (*text < '0' || *text > '9' || *end || errno)
		goto invalid;
	*out = ns;
	return 0;
invalid:
	return filter_fail(err, errlen,
			   "filter field '%s' must be Unix-epoch nanoseconds as a decimal string",
			   name);
}

int netobs_filter_set_from_json(const json_t *obj, struct netobs_filter_set *set, char *err,
				size_t errlen)
{
	const char *name;
	json_t *value;
	int ret = 0;

	netobs_filter_set_init(set);
	if (errlen)
		err[0] = '\0';
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return filter_fail(err, errlen, "filter must be an object");
	json_object_foreach ((json_t *)obj, name, value) {
		if (!strcmp(name, "allow"))
			ret = filter_from_json(value, name, &set->allow, err, errlen);
		else if (!strcmp(name, "deny"))
			ret = filter_from_json(value, name, &set->deny, err, errlen);
		else if (!strcmp(name, "since"))
			ret = time_bound_from_json(value, name, &set->since_ns, err, errlen);
		else if (!strcmp(name, "until"))
			ret = time_bound_from_json(value, name, &set->until_ns, err, errlen);
		else
			ret = filter_fail(err, errlen,
					  "unknown filter field '%s' (expected allow, deny, since, "
					  "until)",
					  name);
		if (ret) {
			netobs_filter_set_init(set);
			return ret;
		}
	}
	return 0;
}

/* ---- --since / --until ---- */

int netobs_time_bound_parse(const char *text, uint64_t now_ns, uint64_t *out_ns)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		/* "ms" before "m": the longest unit that matches wins */
		{"ms", 1000000ULL},	  {"s", NS_PER_SEC},	     {"m", 60 * NS_PER_SEC},
		{"h", 3600 * NS_PER_SEC}, {"d", 86400 * NS_PER_SEC},
	};
	uint64_t total = 0;
	const char *p;

	if (!text || !*text)
		return -EINVAL;
	if (!netobs_time_parse_rfc3339(text, out_ns))
		return 0;
	for (p = text; *p;) {
		uint64_t amount = 0;
		size_t digits = 0, i;

		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits >= 9)
				return -EINVAL; /* more than 999999999 of a unit */
			amount = amount * 10 + (uint64_t)(*p - '0');
		}
		if (!digits)
			return -EINVAL;
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (!strncmp(p, units[i].unit, strlen(units[i].unit)))
				break;
		if (i == ARRAY_SIZE(units))
			return -EINVAL;
		p += strlen(units[i].unit);
		if (amount > (UINT64_MAX - total) / units[i].ns)
			return -EINVAL;
		total += amount * units[i].ns;
	}
	if (total > now_ns)
		return -EINVAL;
	*out_ns = now_ns - total;
	return 0;
}
