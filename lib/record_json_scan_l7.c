// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flow.l7 (DNS and HTTP) in the record fast path (record_json_scan.c): one
 * record in ten on a busy node is L7, and parsing those with jansson cost
 * the CLI about 12 us each, a third of its time per record in compact
 * output (docs/performance.md, issue 9).
 *
 * As for the rest of the scan, this takes only what the writer makes
 * (record_json_encode.c's member_l7()) and decodes it exactly as
 * record_json_decode_l7.c does; anything else (a number as a string, an
 * unknown or repeated member, a value out of bounds) is "not mine", left to
 * the full decoder. tests/unit/test_record_scan.c checks the two agree.
 */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "dns.h"
#include "json_scan.h"

/* Bit per member seen in one object: jansson keeps the last of a repeated
 * key, so a repeat is the full decoder's. */
static bool first_time(struct scan *s, uint32_t *seen, unsigned int bit)
{
	if (*seen & (1u << bit))
		return scan_fail(s);
	*seen |= 1u << bit;
	return true;
}

/* Which of names[0..n) key is; n if none. */
static unsigned int member_index(const char *key, const char *const *names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n && strcmp(key, names[i]); i++)
		;
	return i;
}

struct dns_types_scan {
	uint16_t *types;
};

static bool dns_type_element(struct scan *s, size_t i, void *ctx)
{
	struct dns_types_scan *t = ctx;
	char name[32];
	int type;

	if (!scan_string(s, name, sizeof(name)))
		return false;
	/* netobs_dns_type_from_name() walks lib/dns.c's whole table */
	type = scan_name_value(netobs_dns_type_from_name, name);
	if (type < 0)
		return scan_fail(s);
	t->types[i] = (uint16_t)type;
	return true;
}

static bool dns_types(struct scan *s, size_t max, uint16_t *types, uint8_t *len)
{
	struct dns_types_scan t = {.types = types};
	size_t count;

	if (!scan_array(s, max, dns_type_element, &t, &count))
		return false;
	*len = (uint8_t)count;
	return true;
}

static bool dns_ip_element(struct scan *s, size_t i, void *ctx)
{
	struct dns_ip *ip = &((struct dns_ip *)ctx)[i];
	char text[INET6_ADDRSTRLEN + 8];

	if (!scan_string(s, text, sizeof(text)))
		return false;
	ip->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	return inet_pton(ip->family, text, ip->addr) == 1 || scan_fail(s);
}

static bool dns_cname_element(struct scan *s, size_t i, void *ctx)
{
	struct netobs_l7_dns *dns = ctx;

	return scan_string(s, dns->cnames[i], sizeof(dns->cnames[i]));
}

struct dns_scan {
	struct netobs_l7_dns *dns;
	uint32_t seen;
};

static bool dns_member(struct scan *s, const char *key, void *ctx)
{
	static const char *const names[] = {"query", "ips",    "ttl",	 "cnames",
					    "rcode", "qtypes", "rrtypes"};
	struct dns_scan *d = ctx;
	struct netobs_l7_dns *dns = d->dns;
	unsigned int i;
	size_t count;
	uint64_t v;

	i = member_index(key, names, sizeof(names) / sizeof(names[0]));
	if (!first_time(s, &d->seen, i))
		return false;
	switch (i) {
	case 0:
		return scan_string(s, dns->query, sizeof(dns->query));
	case 1:
		if (!scan_array(s, DNS_IPS_MAX, dns_ip_element, dns->ips, &count))
			return false;
		dns->ips_len = (uint8_t)count;
		return true;
	case 2:
		if (!scan_uint(s, UINT32_MAX, &v))
			return false;
		dns->ttl = (uint32_t)v;
		return true;
	case 3:
		if (!scan_array(s, DNS_CNAMES_MAX, dns_cname_element, dns, &count))
			return false;
		dns->cnames_len = (uint8_t)count;
		return true;
	case 4:
		if (!scan_uint(s, 4095, &v))
			return false;
		dns->rcode = (uint16_t)v;
		return true;
	case 5:
		return dns_types(s, DNS_QTYPES_MAX, dns->qtypes, &dns->qtypes_len);
	case 6:
		return dns_types(s, DNS_RRTYPES_MAX, dns->rrtypes, &dns->rrtypes_len);
	}
	return scan_fail(s);
}

struct header_scan {
	struct netobs_http_header *header;
	uint32_t seen;
};

static bool header_member(struct scan *s, const char *key, void *ctx)
{
	struct header_scan *h = ctx;

	if (KEY_IS(key, "key"))
		return first_time(s, &h->seen, 0) &&
		       scan_string(s, h->header->key, sizeof(h->header->key));
	if (KEY_IS(key, "value"))
		return first_time(s, &h->seen, 1) &&
		       scan_string(s, h->header->value, sizeof(h->header->value));
	return scan_fail(s);
}

static bool header_element(struct scan *s, size_t i, void *ctx)
{
	struct header_scan h = {.header = &((struct netobs_http_header *)ctx)[i]};

	/* the full decoder requires the key */
	return scan_object(s, header_member, &h) && ((h.seen & 1) || scan_fail(s));
}

struct http_scan {
	struct netobs_l7_http *http;
	uint32_t seen;
};

static bool http_member(struct scan *s, const char *key, void *ctx)
{
	static const char *const names[] = {"code", "method", "url", "protocol", "headers"};
	struct http_scan *h = ctx;
	struct netobs_l7_http *http = h->http;
	unsigned int i;
	size_t count;
	uint64_t v;

	i = member_index(key, names, sizeof(names) / sizeof(names[0]));
	if (!first_time(s, &h->seen, i))
		return false;
	switch (i) {
	case 0:
		if (!scan_uint(s, 999, &v))
			return false;
		http->code = (uint32_t)v;
		return true;
	case 1:
		return scan_string(s, http->method, sizeof(http->method));
	case 2:
		return scan_string(s, http->url, sizeof(http->url));
	case 3:
		return scan_string(s, http->protocol, sizeof(http->protocol));
	case 4:
		if (!scan_array(s, NETOBS_HTTP_HEADERS_MAX, header_element, http->headers, &count))
			return false;
		http->headers_len = (uint8_t)count;
		return true;
	}
	return scan_fail(s);
}

struct l7_scan {
	struct netobs_l7 *l7;
	uint32_t seen;
};

enum {
	L7_TYPE,
	L7_LATENCY,
	L7_UNANSWERED,
	L7_DNS,
	L7_HTTP,
	L7_MEMBERS
};

static bool l7_member(struct scan *s, const char *key, void *ctx)
{
	static const char *const names[L7_MEMBERS] = {
		[L7_TYPE] = "type", [L7_LATENCY] = "latency_ns", [L7_UNANSWERED] = "unanswered",
		[L7_DNS] = "dns",   [L7_HTTP] = "http",
	};
	struct l7_scan *l = ctx;
	struct netobs_l7 *l7 = l->l7;
	unsigned int i;
	bool on;

	i = member_index(key, names, L7_MEMBERS);
	if (!first_time(s, &l->seen, i))
		return false;
	switch (i) {
	case L7_TYPE:
		return scan_enum(s, netobs_l7_type_from_name, &l7->type);
	case L7_LATENCY:
		return scan_uint_string(s, &l7->latency_ns);
	case L7_UNANSWERED:
		if (!scan_bool(s, &on))
			return false;
		if (on)
			l7->flags |= NETOBS_L7_F_UNANSWERED;
		return true;
	case L7_DNS: {
		struct dns_scan d = {.dns = &l7->dns};

		l7->kind = NETOBS_L7_DNS;
		return scan_object(s, dns_member, &d);
	}
	case L7_HTTP: {
		struct http_scan h = {.http = &l7->http};

		l7->kind = NETOBS_L7_HTTP;
		return scan_object(s, http_member, &h);
	}
	}
	return scan_fail(s);
}

bool scan_l7(struct scan *s, struct netobs_l7 *l7)
{
	struct l7_scan l = {.l7 = l7};

	/* Cleared first, as the full decoder clears its storage. */
	memset(l7, 0, sizeof(*l7));
	if (!scan_object(s, l7_member, &l))
		return false;
	/* a type, and exactly one of dns and http */
	if (!(l.seen & (1u << L7_TYPE)) ||
	    !(l.seen & (1u << L7_DNS)) == !(l.seen & (1u << L7_HTTP)))
		return scan_fail(s);
	return true;
}
