/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Random records of every shape the agent makes (L3/L4 and non-IP flows,
 * DNS and HTTP, policy verdicts and drops, names, lost events), texts with
 * escapes, UTF-8 and now and then their full length: for the tests that
 * hold two implementations to each other (the record scanner and the full
 * decoder, the printer and its printf reference).
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "record.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static void random_text(char *out, size_t size)
{
	static const char *const pieces[] = {
		"web", "-1",   ".example.com.", "\"",		"\\", "\n",
		"\t",  "\x01", "\xc3\xa9",	"\xe6\x97\xa5", "/",  " "};
	/* now and then as long as it may be: texts cut at their buffer's end */
	size_t len = 0, n = rnd() % 64 == 0 ? size : rnd() % 5;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);

		if (len + l + 1 > size)
			break;
		memcpy(out + len, p, l + 1);
		len += l;
	}
}

/* DNS or HTTP, request or response, every member present or not. */
static void random_l7(struct netobs_l7 *l7)
{
	static const uint16_t types[] = {1, 28, 5, 33, 16, 255, 65280, 12};

	memset(l7, 0, sizeof(*l7));
	l7->type = (uint8_t)(rnd() % 2 ? NETOBS_L7_REQUEST : NETOBS_L7_RESPONSE);
	l7->latency_ns = rnd() % 2 ? (uint64_t)rnd() << (rnd() % 32) : 0;
	l7->flags = (uint8_t)(rnd() % 4 == 0 ? NETOBS_L7_F_UNANSWERED : 0);
	if (rnd() % 2) {
		struct netobs_l7_dns *dns = &l7->dns;

		l7->kind = NETOBS_L7_DNS;
		random_text(dns->query, sizeof(dns->query));
		dns->ttl = rnd() % 2 ? rnd() : 0;
		dns->rcode = (uint16_t)(rnd() % 3 ? 0 : rnd() % 4096);
		dns->ips_len = (uint8_t)(rnd() % 4 ? rnd() % 4 : DNS_IPS_MAX);
		for (int i = 0; i < dns->ips_len; i++) {
			dns->ips[i].family = rnd() % 2 ? AF_INET : AF_INET6;
			for (int b = 0; b < 16; b++)
				dns->ips[i].addr[b] = dns->ips[i].family == AF_INET && b >= 4
							      ? 0
							      : (uint8_t)rnd();
		}
		dns->cnames_len = (uint8_t)(rnd() % 3);
		for (int i = 0; i < dns->cnames_len; i++)
			random_text(dns->cnames[i], sizeof(dns->cnames[i]));
		dns->qtypes_len = (uint8_t)(rnd() % 3);
		for (int i = 0; i < dns->qtypes_len; i++)
			dns->qtypes[i] = types[rnd() % 8];
		dns->rrtypes_len = (uint8_t)(rnd() % 3);
		for (int i = 0; i < dns->rrtypes_len; i++)
			dns->rrtypes[i] = types[rnd() % 8];
	} else {
		struct netobs_l7_http *http = &l7->http;

		l7->kind = NETOBS_L7_HTTP;
		http->code = rnd() % 2 ? rnd() % 1000 : 0;
		random_text(http->method, sizeof(http->method));
		random_text(http->url, sizeof(http->url));
		random_text(http->protocol, sizeof(http->protocol));
		http->headers_len = (uint8_t)(rnd() % 4);
		for (int i = 0; i < http->headers_len; i++) {
			random_text(http->headers[i].key, sizeof(http->headers[i].key));
			random_text(http->headers[i].value, sizeof(http->headers[i].value));
		}
	}
}

static void random_record(struct netobs_record *rec, struct netobs_record_storage *parts)
{
	struct netobs_flow_record *f = &rec->flow;
	static const uint8_t protos[] = {6, 17, 132, 1, 58, 47};
	static const uint8_t points[] = {0, 5, 10, 11, 101};

	memset(rec, 0, sizeof(*rec));
	rec->seq = rnd();
	rec->time_ns = (uint64_t)rnd() * 1000000000ULL / 3 + rnd();
	if (rnd() % 8 == 0) {
		rec->kind = NETOBS_RECORD_LOST_EVENTS;
		rec->lost.source = (uint8_t)(rnd() % 5);
		rec->lost.count = rnd();
		rec->lost.cpu = rnd() % 2 ? -1 : (int32_t)(rnd() % 64);
		return;
	}
	rec->kind = NETOBS_RECORD_FLOW;
	f->key.family = (uint8_t)(rnd() % 6 == 0 ? NETOBS_FAMILY_NONE
				  : rnd() % 2	 ? NETOBS_FAMILY_IPV4
						 : NETOBS_FAMILY_IPV6);
	for (int i = 0; i < 16; i++) {
		f->key.saddr[i] = (uint8_t)rnd();
		f->key.daddr[i] = (uint8_t)rnd();
	}
	if (f->key.family == NETOBS_FAMILY_NONE) {
		memset(f->key.saddr + 6, 0, 10);
		memset(f->key.daddr + 6, 0, 10);
		f->key.eth_proto = (uint16_t)rnd();
	} else {
		f->key.eth_proto = htons(f->key.family == NETOBS_FAMILY_IPV4 ? 0x0800 : 0x86dd);
		if (f->key.family == NETOBS_FAMILY_IPV4) {
			memset(f->key.saddr + 4, 0, 12);
			memset(f->key.daddr + 4, 0, 12);
		}
		f->key.proto = protos[rnd() % sizeof(protos)];
		f->key.sport = (uint16_t)(rnd() % 3 ? rnd() : 0);
		f->key.dport = (uint16_t)(rnd() % 3 ? rnd() : 0);
		if (f->key.proto == 47)
			f->key.sport = f->key.dport = 0;
	}
	f->key.ifindex = rnd() % 2 ? rnd() : 0;
	f->key.vlan_id = (uint16_t)(rnd() % 2 ? rnd() % 4096 : 0);
	f->key.hook = (uint8_t)(rnd() % 3);
	f->key.key_flags = (uint8_t)(rnd() % 2 ? rnd() % 16 : 0);
	f->packets = rnd() % 2 ? (uint64_t)rnd() << 20 : rnd();
	f->bytes = rnd();
	f->first_seen_ns = rnd() % 2 ? rec->time_ns - rnd() : 0;
	f->last_seen_ns = rnd() % 2 ? rec->time_ns : 0;
	f->src.id = rnd() % 2 ? rnd() : 0;
	f->src.identity = rnd() % 3;
	random_text(f->src.name, sizeof(f->src.name));
	f->dst.id = rnd() % 2 ? rnd() : 0;
	f->dst.identity = rnd() % 3;
	random_text(f->dst.name, sizeof(f->dst.name));
	random_text(f->ifname, sizeof(f->ifname));
	f->verdict = (uint8_t)(rnd() % 5);
	f->direction = (uint8_t)(rnd() % 3);
	f->obs_point = points[rnd() % sizeof(points)];
	f->is_reply = (int8_t)(rnd() % 3) - 1;
	f->event = (uint8_t)(rnd() % 4);
	f->end_reason = f->event == NETOBS_FLOW_EVENT_END ? (uint8_t)(rnd() % 4) : 0;
	if (f->key.family != NETOBS_FAMILY_NONE && f->key.proto == 6) {
		f->tcp_flags = (uint16_t)(rnd() % 2 ? rnd() % 512 : 0);
		f->tcp_flags_seen = (uint16_t)(rnd() % 512);
	}
	memset(parts, 0, sizeof(*parts));
	/* policy: any verdict, reason and match, sometimes a policy (then jansson's) */
	if (rnd() % 2) {
		static const uint16_t reasons[] = {0, 133, 181, 196, 256, 0, 133};

		f->policy_verdict = (uint8_t)(rnd() % NETOBS_PV__MAX);
		f->policy_match_type = (uint8_t)(rnd() % 3 ? rnd() % 5 : rnd() % 256);
		f->drop_reason = reasons[rnd() % sizeof(reasons) / sizeof(reasons[0])];
		if (f->drop_reason && rnd() % 4)
			f->verdict = NETOBS_VERDICT_DROPPED;
		if (rnd() % 4 == 0) {
			snprintf(parts->policy.name, sizeof(parts->policy.name), "p%u", rnd());
			random_text(parts->policy.kind, sizeof(parts->policy.kind));
			parts->policy.revision = (uint64_t)rnd() << (rnd() % 33);
			f->policy = &parts->policy;
		}
	}
	if (f->verdict == NETOBS_VERDICT_DROPPED &&
	    (f->drop_reason == NETOBS_DROP_POLICY_DENIED ||
	     f->drop_reason == NETOBS_DROP_POLICY_DENY || f->drop_reason == NETOBS_DROP_PREFILTER))
		f->key.key_flags |= NETOBS_KEY_F_DROPPED; /* the agent's dropped entries */
	if (rnd() % 3 == 0) {
		parts->destination_names.len = (uint8_t)(rnd() % NETOBS_NAMES_MAX);
		for (int i = 0; i < parts->destination_names.len; i++)
			random_text(parts->destination_names.name[i], 64);
		f->destination_names = &parts->destination_names;
	}
	if (rnd() % 5 == 0) {
		random_l7(&parts->l7);
		f->l7 = &parts->l7;
		f->event = 0;
		f->tcp_flags_seen = 0;
	}
}
