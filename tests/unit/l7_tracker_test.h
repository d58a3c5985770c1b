/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Helpers of the L7 tracker tests: flow keys, slices, a DNS message builder
 * and a recorder keeping a copy of every record the tracker reports.
 */
#pragma once

#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "l7_tracker.h"

#define SEC  1000000000ULL
#define MSEC 1000000ULL

#define RECORDS_MAX 32

struct recorded {
	struct netobs_flow_key key;
	uint64_t ts_ns;
	struct netobs_l7 l7;
};

struct recorder {
	unsigned int count;
	unsigned int dropped; /* more than RECORDS_MAX: fails the test */
	struct recorded rec[RECORDS_MAX];
};

static inline void recorder_add(void *ctx, const struct l7_report *report)
{
	struct recorder *r = ctx;

	if (r->count == RECORDS_MAX) {
		r->dropped++;
		return;
	}
	r->rec[r->count].key = *report->key;
	r->rec[r->count].ts_ns = report->ts_ns;
	r->rec[r->count].l7 = *report->l7;
	r->count++;
}

/* A key of the packet src:sport -> dst:dport seen at (ifindex, hook). */
static inline struct netobs_flow_key flow_key(const char *src, uint16_t sport, const char *dst,
					      uint16_t dport, int proto, uint32_t ifindex, int hook)
{
	struct netobs_flow_key key;
	int af = strchr(src, ':') ? AF_INET6 : AF_INET;

	memset(&key, 0, sizeof(key));
	ck_assert_int_eq(inet_pton(af, src, key.saddr), 1);
	ck_assert_int_eq(inet_pton(af, dst, key.daddr), 1);
	key.sport = htons(sport);
	key.dport = htons(dport);
	key.family = af == AF_INET6 ? NETOBS_FAMILY_IPV6 : NETOBS_FAMILY_IPV4;
	key.eth_proto = htons(af == AF_INET6 ? 0x86dd : 0x0800);
	key.proto = (uint8_t)proto;
	key.ifindex = ifindex;
	key.hook = (uint8_t)hook;
	return key;
}

static inline struct netobs_flow_key key_reversed(const struct netobs_flow_key *k, int hook)
{
	struct netobs_flow_key r = *k;

	memcpy(r.saddr, k->daddr, 16);
	memcpy(r.daddr, k->saddr, 16);
	r.sport = k->dport;
	r.dport = k->sport;
	r.hook = (uint8_t)hook;
	return r;
}

/* One slice of `len` wire bytes, `captured` of them copied (captured <= len). */
static inline void feed(struct l7_tracker *t, struct recorder *rec,
			const struct netobs_flow_key *key, int hint, uint32_t seq, const void *data,
			uint32_t captured, uint32_t len, uint16_t flags, uint64_t ts_ns)
{
	struct l7_slice s = {
		.key = key,
		.ts_ns = ts_ns,
		.seq = seq,
		.payload_len = len,
		.captured_len = captured,
		.tcp_flags = flags,
		.hint = (uint8_t)hint,
		.data = data,
	};

	l7_tracker_slice(t, &s, recorder_add, rec);
}

static inline struct l7_tracker *tracker_new(const struct l7_tracker_config *cfg)
{
	struct l7_tracker *t = NULL;

	ck_assert_int_eq(l7_tracker_new(cfg, &t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* ---- DNS messages, written byte by byte as RFC 1035 lays them out */
struct dnsb {
	uint8_t buf[1024];
	size_t len;
};

static inline void dnsb_u16(struct dnsb *b, uint16_t v)
{
	b->buf[b->len++] = (uint8_t)(v >> 8);
	b->buf[b->len++] = (uint8_t)v;
}

static inline void dnsb_u32(struct dnsb *b, uint32_t v)
{
	dnsb_u16(b, (uint16_t)(v >> 16));
	dnsb_u16(b, (uint16_t)v);
}

/* "www.example.com" as length-prefixed labels and the root. */
static inline void dnsb_name(struct dnsb *b, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		b->buf[b->len++] = (uint8_t)n;
		memcpy(b->buf + b->len, name, n);
		b->len += n;
		name += n + (dot ? 1 : 0);
	}
	b->buf[b->len++] = 0;
}

/* Header and one question (QTYPE qtype, class IN); answers follow with dnsb_a/cname. */
static inline void dnsb_start(struct dnsb *b, uint16_t id, bool response, uint16_t rcode,
			      uint16_t ancount, const char *qname, uint16_t qtype)
{
	b->len = 0;
	dnsb_u16(b, id);
	dnsb_u16(b, (uint16_t)((response ? 0x8000 : 0) | 0x0100 | (response ? 0x0080 : 0) |
			       (rcode & 0xf)));
	dnsb_u16(b, 1);
	dnsb_u16(b, ancount);
	dnsb_u16(b, 0);
	dnsb_u16(b, 0);
	dnsb_name(b, qname);
	dnsb_u16(b, qtype);
	dnsb_u16(b, 1);
}

/* An answer owned by the question's name (a pointer to offset 12). */
static inline void dnsb_answer_head(struct dnsb *b, uint16_t type, uint32_t ttl, uint16_t rdlen)
{
	dnsb_u16(b, 0xc00c);
	dnsb_u16(b, type);
	dnsb_u16(b, 1);
	dnsb_u32(b, ttl);
	dnsb_u16(b, rdlen);
}

static inline void dnsb_a(struct dnsb *b, uint32_t ttl, const char *addr)
{
	dnsb_answer_head(b, 1, ttl, 4);
	ck_assert_int_eq(inet_pton(AF_INET, addr, b->buf + b->len), 1);
	b->len += 4;
}

static inline void dnsb_cname(struct dnsb *b, uint32_t ttl, const char *target)
{
	struct dnsb name = {.len = 0};

	dnsb_name(&name, target);
	dnsb_answer_head(b, 5, ttl, (uint16_t)name.len);
	memcpy(b->buf + b->len, name.buf, name.len);
	b->len += name.len;
}
