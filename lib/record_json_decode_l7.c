// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 part of a record from JSON (flow.l7: dns or http), the inverse of
 * record_json_encode.c's member_l7(); the rest of the flow is
 * record_json_decode.c's.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <sys/socket.h>

#include "record_json_decode.h"

static int decode_dns_types(struct decoder *d, const json_t *dns, const char *key, size_t max,
			    uint16_t *types, uint8_t *len)
{
	json_t *list, *name;
	size_t i;
	int err, type;

	if ((err = get_array(d, dns, "flow.l7.dns", key, max, &list)) || !list)
		return err;
	json_array_foreach (list, i, name) {
		type = json_is_string(name) ? netobs_dns_type_from_name(json_string_value(name))
					    : -1;
		if (type < 0)
			return decode_fail(d, "flow.l7.dns.%s[%zu]: not a DNS type name", key, i);
		types[i] = (uint16_t)type;
	}
	*len = (uint8_t)json_array_size(list);
	return 0;
}

static int decode_l7_dns(struct decoder *d, const json_t *dns, struct netobs_l7_dns *out)
{
	json_t *value, *list;
	char where[64];
	uint64_t number = 0;
	size_t i;
	int err;

	if ((err = get_member(d, dns, "flow.l7.dns", "query", JSON_STRING, false, &value)))
		return err;
	if (value &&
	    (err = copy_string(d, value, "flow.l7.dns.query", out->query, sizeof(out->query))))
		return err;
	if ((err = get_array(d, dns, "flow.l7.dns", "ips", DNS_IPS_MAX, &list)))
		return err;
	json_array_foreach (list, i, value) {
		const char *text = json_is_string(value) ? json_string_value(value) : "";
		struct dns_ip *ip = &out->ips[i];

		ip->family = strchr(text, ':') ? AF_INET6 : AF_INET;
		if (inet_pton(ip->family, text, ip->addr) != 1)
			return decode_fail(d, "flow.l7.dns.ips[%zu]: not an IP address", i);
	}
	out->ips_len = (uint8_t)json_array_size(list);
	if ((err = get_uint(d, dns, "flow.l7.dns", "ttl", UINT32_MAX, false, &number)))
		return err;
	out->ttl = (uint32_t)number;
	if ((err = get_array(d, dns, "flow.l7.dns", "cnames", DNS_CNAMES_MAX, &list)))
		return err;
	json_array_foreach (list, i, value) {
		snprintf(where, sizeof(where), "flow.l7.dns.cnames[%zu]", i);
		if ((err = copy_string(d, value, where, out->cnames[i], sizeof(out->cnames[i]))))
			return err;
	}
	out->cnames_len = (uint8_t)json_array_size(list);
	number = 0;
	if ((err = get_uint(d, dns, "flow.l7.dns", "rcode", 4095, false, &number)))
		return err;
	out->rcode = (uint16_t)number;
	if ((err = decode_dns_types(d, dns, "qtypes", DNS_QTYPES_MAX, out->qtypes,
				    &out->qtypes_len)) ||
	    (err = decode_dns_types(d, dns, "rrtypes", DNS_RRTYPES_MAX, out->rrtypes,
				    &out->rrtypes_len)))
		return err;
	return 0;
}

static int decode_l7_http(struct decoder *d, const json_t *http, struct netobs_l7_http *out)
{
	static const struct {
		const char *key;
		size_t offset, size;
	} strings[] = {
		{"method", offsetof(struct netobs_l7_http, method), NETOBS_HTTP_METHOD_MAX},
		{"url", offsetof(struct netobs_l7_http, url), NETOBS_HTTP_URL_MAX},
		{"protocol", offsetof(struct netobs_l7_http, protocol), NETOBS_HTTP_PROTOCOL_MAX},
	};
	json_t *value, *list;
	char where[64];
	uint64_t code = 0;
	size_t i;
	int err;

	if ((err = get_uint(d, http, "flow.l7.http", "code", 999, false, &code)))
		return err;
	out->code = (uint32_t)code;
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		snprintf(where, sizeof(where), "flow.l7.http.%s", strings[i].key);
		value = json_object_get(http, strings[i].key);
		if (value && (err = copy_string(d, value, where, (char *)out + strings[i].offset,
						strings[i].size)))
			return err;
	}
	if ((err = get_array(d, http, "flow.l7.http", "headers", NETOBS_HTTP_HEADERS_MAX, &list)))
		return err;
	json_array_foreach (list, i, value) {
		snprintf(where, sizeof(where), "flow.l7.http.headers[%zu]", i);
		if (!json_is_object(value))
			return decode_fail(d, "%s: expected an object", where);
		snprintf(where, sizeof(where), "flow.l7.http.headers[%zu].key", i);
		if ((err = copy_string(d, json_object_get(value, "key"), where, out->headers[i].key,
				       sizeof(out->headers[i].key))))
			return err;
		snprintf(where, sizeof(where), "flow.l7.http.headers[%zu].value", i);
		if (json_object_get(value, "value") &&
		    (err = copy_string(d, json_object_get(value, "value"), where,
				       out->headers[i].value, sizeof(out->headers[i].value))))
			return err;
	}
	out->headers_len = (uint8_t)json_array_size(list);
	return 0;
}

/* flow.l7 into storage->l7; "Type" must agree with its presence. */
int record_decode_l7(struct decoder *d, const json_t *obj, struct netobs_flow_record *flow)
{
	json_t *l7, *type, *dns, *http, *unanswered;
	struct netobs_l7 *out;
	int err, e = 0;

	if ((err = get_member(d, obj, "flow", "Type", JSON_STRING, false, &type)) ||
	    (err = get_member(d, obj, "flow", "l7", JSON_OBJECT, false, &l7)))
		return err;
	if (type && strcmp(json_string_value(type), "L3_L4") &&
	    strcmp(json_string_value(type), "L7"))
		return decode_fail(d, "flow.Type: unknown value '%s'", json_string_value(type));
	if (!l7) {
		if (type && !strcmp(json_string_value(type), "L7"))
			return decode_fail(d, "flow: Type L7 without \"l7\"");
		return 0;
	}
	if (!type || strcmp(json_string_value(type), "L7"))
		return decode_fail(d, "flow.l7: present on a record whose Type is not L7");
	if (!d->storage)
		return decode_fail(d, "flow.l7: the caller gave no storage for L7 records");
	out = &d->storage->l7;
	if ((err = get_enum(d, l7, "flow.l7", "type", netobs_l7_type_from_name, true, &e)) ||
	    (err = get_uint(d, l7, "flow.l7", "latency_ns", UINT64_MAX, false, &out->latency_ns)) ||
	    (err = get_member(d, l7, "flow.l7", "dns", JSON_OBJECT, false, &dns)) ||
	    (err = get_member(d, l7, "flow.l7", "http", JSON_OBJECT, false, &http)) ||
	    (err = get_member(d, l7, "flow.l7", "unanswered", JSON_TRUE, false, &unanswered)))
		return err;
	out->type = (uint8_t)e;
	if (unanswered && json_is_true(unanswered))
		out->flags |= NETOBS_L7_F_UNANSWERED;
	if (!dns == !http)
		return decode_fail(d, "flow.l7: expected exactly one of \"dns\", \"http\"");
	if (dns) {
		out->kind = NETOBS_L7_DNS;
		err = decode_l7_dns(d, dns, &out->dns);
	} else {
		out->kind = NETOBS_L7_HTTP;
		err = decode_l7_http(d, http, &out->http);
	}
	if (err)
		return err;
	flow->l7 = out;
	return 0;
}
