/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Records with L7 parts and names for the record_pack and store tests, and
 * a field-by-field comparison written apart from lib/record_pack.c.
 */
#pragma once

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "record.h"

/* A string of exactly len characters: 'a'..'z' then '.', seeded by seed. */
static inline void fill_text(char *dst, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (i % 8 == 7) ? '.' : (char)('a' + (seed + i) % 26);
	dst[len] = '\0';
}

static inline void make_flow(struct netobs_record *rec, uint64_t time_ns)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = time_ns;
	rec->flow.key.family = NETOBS_FAMILY_IPV4;
	rec->flow.key.eth_proto = htons(0x0800);
	rec->flow.key.proto = 17;
	rec->flow.key.saddr[0] = 10;
	rec->flow.key.saddr[3] = 1;
	rec->flow.key.daddr[0] = 10;
	rec->flow.key.daddr[3] = 2;
	rec->flow.key.sport = htons(40000);
	rec->flow.key.dport = htons(53);
	rec->flow.packets = 1;
	rec->flow.bytes = 80;
	rec->flow.first_seen_ns = time_ns;
	rec->flow.last_seen_ns = time_ns;
	rec->flow.verdict = NETOBS_VERDICT_FORWARDED;
	rec->flow.is_reply = 0;
	strcpy(rec->flow.ifname, "veth0");
}

static inline void make_dns_request(struct netobs_l7 *l7, const char *query)
{
	memset(l7, 0, sizeof(*l7));
	l7->type = NETOBS_L7_REQUEST;
	l7->kind = NETOBS_L7_DNS;
	snprintf(l7->dns.query, sizeof(l7->dns.query), "%s", query);
	l7->dns.qtypes_len = 1;
	l7->dns.qtypes[0] = 1; /* A */
}

/* A typical answer: two A records. */
static inline void make_dns_response(struct netobs_l7 *l7, const char *query)
{
	make_dns_request(l7, query);
	l7->type = NETOBS_L7_RESPONSE;
	l7->latency_ns = 1234567;
	l7->dns.ttl = 300;
	l7->dns.ips_len = 2;
	l7->dns.ips[0].family = AF_INET;
	memcpy(l7->dns.ips[0].addr, "\x5d\xb8\xd7\x0e", 4);
	l7->dns.ips[1].family = AF_INET;
	memcpy(l7->dns.ips[1].addr, "\x5d\xb8\xd7\x0f", 4);
	l7->dns.rrtypes_len = 1;
	l7->dns.rrtypes[0] = 1;
}

/* Every array full, every name at its longest; v6 says whether the
 * addresses are all AAAA (the largest blob) or alternate. */
static inline void make_dns_max(struct netobs_l7 *l7, bool v6)
{
	memset(l7, 0, sizeof(*l7));
	l7->type = NETOBS_L7_RESPONSE;
	l7->kind = NETOBS_L7_DNS;
	l7->flags = NETOBS_L7_F_UNANSWERED;
	l7->latency_ns = UINT64_MAX;
	fill_text(l7->dns.query, sizeof(l7->dns.query) - 1, 1);
	l7->dns.ttl = UINT32_MAX;
	l7->dns.rcode = 3;
	l7->dns.ips_len = DNS_IPS_MAX;
	for (int i = 0; i < DNS_IPS_MAX; i++) {
		l7->dns.ips[i].family = (v6 || i % 2) ? AF_INET6 : AF_INET;
		for (int b = 0; b < 16; b++)
			l7->dns.ips[i].addr[b] = (uint8_t)(i * 16 + b + 1);
		if (l7->dns.ips[i].family == AF_INET)
			memset(l7->dns.ips[i].addr + 4, 0, 12);
	}
	l7->dns.cnames_len = DNS_CNAMES_MAX;
	for (int i = 0; i < DNS_CNAMES_MAX; i++)
		fill_text(l7->dns.cnames[i], sizeof(l7->dns.cnames[i]) - 1, 2 + i);
	l7->dns.qtypes_len = DNS_QTYPES_MAX;
	for (int i = 0; i < DNS_QTYPES_MAX; i++)
		l7->dns.qtypes[i] = (uint16_t)(65280 + i);
	l7->dns.rrtypes_len = DNS_RRTYPES_MAX;
	for (int i = 0; i < DNS_RRTYPES_MAX; i++)
		l7->dns.rrtypes[i] = (uint16_t)(i + 1);
}

static inline void make_http_max(struct netobs_l7 *l7)
{
	memset(l7, 0, sizeof(*l7));
	l7->type = NETOBS_L7_RESPONSE;
	l7->kind = NETOBS_L7_HTTP;
	l7->latency_ns = 42;
	l7->http.code = 503;
	fill_text(l7->http.method, sizeof(l7->http.method) - 1, 3);
	fill_text(l7->http.url, sizeof(l7->http.url) - 1, 4);
	strcpy(l7->http.protocol, "HTTP/1.1");
	l7->http.headers_len = NETOBS_HTTP_HEADERS_MAX;
	for (int i = 0; i < NETOBS_HTTP_HEADERS_MAX; i++) {
		fill_text(l7->http.headers[i].key, sizeof(l7->http.headers[i].key) - 1, 5 + i);
		fill_text(l7->http.headers[i].value, sizeof(l7->http.headers[i].value) - 1, 9 + i);
	}
}

static inline void make_http_request(struct netobs_l7 *l7)
{
	memset(l7, 0, sizeof(*l7));
	l7->type = NETOBS_L7_REQUEST;
	l7->kind = NETOBS_L7_HTTP;
	strcpy(l7->http.method, "GET");
	strcpy(l7->http.url, "http://example.com/index.html");
	strcpy(l7->http.protocol, "HTTP/1.1");
	l7->http.headers_len = 1;
	strcpy(l7->http.headers[0].key, "Host");
	strcpy(l7->http.headers[0].value, "example.com");
}

static inline void make_names(struct netobs_names *names, unsigned int n, size_t len,
			      unsigned int seed)
{
	memset(names, 0, sizeof(*names));
	names->len = (uint8_t)n; /* may exceed the array, to test refusal: fill what fits */
	for (unsigned int i = 0; i < n && i < NETOBS_NAMES_MAX; i++)
		fill_text(names->name[i], len, seed + i);
}

/* Field by field, over the fields the counts make meaningful. */
static inline void assert_l7_equal(const struct netobs_l7 *got, const struct netobs_l7 *want)
{
	ck_assert_uint_eq(got->type, want->type);
	ck_assert_uint_eq(got->kind, want->kind);
	ck_assert_uint_eq(got->flags, want->flags);
	ck_assert_uint_eq(got->latency_ns, want->latency_ns);
	if (want->kind == NETOBS_L7_DNS) {
		const struct netobs_l7_dns *g = &got->dns, *w = &want->dns;

		ck_assert_str_eq(g->query, w->query);
		ck_assert_uint_eq(g->ttl, w->ttl);
		ck_assert_uint_eq(g->rcode, w->rcode);
		ck_assert_uint_eq(g->ips_len, w->ips_len);
		for (int i = 0; i < w->ips_len; i++) {
			ck_assert_uint_eq(g->ips[i].family, w->ips[i].family);
			ck_assert_mem_eq(g->ips[i].addr, w->ips[i].addr,
					 w->ips[i].family == AF_INET ? 4 : 16);
		}
		ck_assert_uint_eq(g->cnames_len, w->cnames_len);
		for (int i = 0; i < w->cnames_len; i++)
			ck_assert_str_eq(g->cnames[i], w->cnames[i]);
		ck_assert_uint_eq(g->qtypes_len, w->qtypes_len);
		for (int i = 0; i < w->qtypes_len; i++)
			ck_assert_uint_eq(g->qtypes[i], w->qtypes[i]);
		ck_assert_uint_eq(g->rrtypes_len, w->rrtypes_len);
		for (int i = 0; i < w->rrtypes_len; i++)
			ck_assert_uint_eq(g->rrtypes[i], w->rrtypes[i]);
	} else {
		const struct netobs_l7_http *g = &got->http, *w = &want->http;

		ck_assert_uint_eq(g->code, w->code);
		ck_assert_str_eq(g->method, w->method);
		ck_assert_str_eq(g->url, w->url);
		ck_assert_str_eq(g->protocol, w->protocol);
		ck_assert_uint_eq(g->headers_len, w->headers_len);
		for (int i = 0; i < w->headers_len; i++) {
			ck_assert_str_eq(g->headers[i].key, w->headers[i].key);
			ck_assert_str_eq(g->headers[i].value, w->headers[i].value);
		}
	}
}

static inline void assert_names_equal(const struct netobs_names *got,
				      const struct netobs_names *want)
{
	if (!want) {
		ck_assert_ptr_null(got);
		return;
	}
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(got->len, want->len);
	for (int i = 0; i < want->len; i++)
		ck_assert_str_eq(got->name[i], want->name[i]);
}
