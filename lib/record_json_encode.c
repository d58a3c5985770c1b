// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The one place a record becomes JSON (record_json_decode.c reads it back).
 * The layout follows Hubble's protojson output (field names, string enums,
 * 64-bit integers as strings, zero values omitted) so that jq paths written
 * for `hubble observe -o json` work; netobs's own fields are documented in
 * docs/records.md.
 *
 * The text is written straight into the caller's buffer, the bytes jansson's
 * json_dumps(JSON_COMPACT) would make of the same object (keys in the order
 * written, strings escaped as jansson escapes them, not UTF-8 refused), but
 * without a tree of allocated nodes: the agent writes every record it
 * serves this way, and building and dumping a tree cost it about 10 us a
 * record (docs/performance.md, issue 9). netobs_record_to_json() parses
 * this text, so the two cannot differ.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "print.h"
#include "record.h"
#include "json_text.h"
#include "record_json_internal.h"

#define ENDPOINT_LABEL_PREFIX "netobs:endpoint="

/* RFC 3339 with nanoseconds; the date of the last second asked for is kept:
 * a record's times, and the records served in a row, share it. */
static void member_time(struct json_text *t, const char *key, uint64_t ns)
{
	static __thread uint64_t cached_secs = UINT64_MAX;
	static __thread char cached_date[32];
	static __thread size_t cached_len;
	uint64_t secs = ns / 1000000000ULL;
	uint32_t frac = (uint32_t)(ns % 1000000000ULL);
	char digits[9];

	if (secs != cached_secs) {
		char text[48];

		netobs_time_format_rfc3339(secs * 1000000000ULL, text, sizeof(text));
		/* "...T10:52:20.000000000Z": keep what comes before the fraction */
		cached_len = strcspn(text, ".");
		memcpy(cached_date, text, cached_len < sizeof(cached_date) ? cached_len : 0);
		if (cached_len >= sizeof(cached_date))
			cached_len = 0;
		cached_secs = secs;
	}
	put_key(t, key);
	put_char(t, '"');
	if (!cached_len) { /* gmtime failed: jansson got "" */
		put_char(t, '"');
		return;
	}
	put(t, cached_date, cached_len);
	put_char(t, '.');
	for (int i = 8; i >= 0; i--) {
		digits[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	put(t, digits, sizeof(digits));
	PUT_LITERAL(t, "Z\"");
}

static void put_hex(struct json_text *t, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char text[16];

	for (int i = digits - 1; i >= 0; i--) {
		text[i] = hex[v & 0xf];
		v >>= 4;
	}
	put(t, text, (size_t)digits);
}

static uint64_t fnv1a64(const char *text)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (; *text; text++) {
		hash ^= (uint8_t)*text;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/*
 * A version-8 (custom) UUID: node hash in the first half, seq in the second,
 * so uuids differ across nodes and the decoder can recover seq (all but the
 * two variant bits, which seq never reaches in practice).
 */
static void member_uuid(struct json_text *t, const char *node_name, uint64_t seq)
{
	uint64_t hi = fnv1a64(node_name);
	uint64_t lo = seq;

	hi = (hi & ~0xf000ULL) | 0x8000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	put_key(t, "uuid");
	put_char(t, '"');
	put_hex(t, hi >> 32, 8);
	put_char(t, '-');
	put_hex(t, (hi >> 16) & 0xffff, 4);
	put_char(t, '-');
	put_hex(t, hi & 0xffff, 4);
	put_char(t, '-');
	put_hex(t, lo >> 48, 4);
	put_char(t, '-');
	put_hex(t, lo & UINT64_C(0xffffffffffff), 12);
	put_char(t, '"');
}

/*
 * Hubble's flow.ethernet, for a flow that is not IP: the datapath keeps its
 * MACs in the address bytes (docs/abi.md). Left out without MACs (a device
 * with no Ethernet header, a cut frame).
 */
static void member_ethernet(struct json_text *t, const struct netobs_flow_key *key)
{
	static const uint8_t zero[6];

	if (!memcmp(key->saddr, zero, 6) && !memcmp(key->daddr, zero, 6))
		return;
	put_key(t, "ethernet");
	open_object(t);
	for (int side = 0; side < 2; side++) {
		const uint8_t *mac = side ? key->daddr : key->saddr;

		put_key(t, side ? "destination" : "source");
		put_char(t, '"');
		for (int i = 0; i < 6; i++) {
			if (i)
				put_char(t, ':');
			put_hex(t, mac[i], 2);
		}
		put_char(t, '"');
	}
	close_object(t);
}

static void member_tcp_flags(struct json_text *t, const char *key, uint16_t flags)
{
	put_key(t, key);
	open_object(t);
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT; i++) {
		if (flags & netobs_tcp_flag_names[i].flag) {
			put_key(t, netobs_tcp_flag_names[i].name);
			PUT_LITERAL(t, "true");
		}
	}
	close_object(t);
}

/* {"TCP": {...}} and friends; nothing for protocols without one. */
static void member_l4(struct json_text *t, const struct netobs_flow_record *flow)
{
	const struct netobs_flow_key *key = &flow->key;
	const char *name = l4_kind_name(key->proto);

	if (!name)
		return;
	put_key(t, "l4");
	open_object(t);
	put_key(t, name);
	open_object(t);
	if (proto_has_ports(key->proto)) {
		if (key->sport)
			member_int(t, "source_port", ntohs(key->sport));
		if (key->dport)
			member_int(t, "destination_port", ntohs(key->dport));
	} else {
		if (key->icmp_type)
			member_int(t, "type", key->icmp_type);
		if (key->icmp_code)
			member_int(t, "code", key->icmp_code);
	}
	if (key->proto == IPPROTO_TCP && flow->tcp_flags)
		member_tcp_flags(t, "flags", flow->tcp_flags);
	close_object(t);
	close_object(t);
}

/* Hubble's Endpoint; left out entirely for a side netobs knows nothing about. */
static void member_peer(struct json_text *t, const char *key, const struct netobs_peer *peer)
{
	bool reserved =
		peer->identity == NETOBS_IDENTITY_HOST || peer->identity == NETOBS_IDENTITY_WORLD;

	if (!peer->id && !peer->identity && !peer->name[0])
		return;
	put_key(t, key);
	open_object(t);
	if (peer->id)
		member_int(t, "ID", peer->id);
	if (peer->identity)
		member_int(t, "identity", peer->identity);
	if (peer->name[0] || reserved) {
		put_key(t, "labels");
		put_char(t, '[');
		if (peer->name[0]) {
			char label[sizeof(ENDPOINT_LABEL_PREFIX) + NETOBS_NAME_MAX];

			memcpy(label, ENDPOINT_LABEL_PREFIX, sizeof(ENDPOINT_LABEL_PREFIX) - 1);
			strcpy(label + sizeof(ENDPOINT_LABEL_PREFIX) - 1, peer->name);
			put_string(t, label);
			if (reserved)
				put_char(t, ',');
		}
		if (peer->identity == NETOBS_IDENTITY_HOST)
			put_string(t, "reserved:host");
		else if (peer->identity == NETOBS_IDENTITY_WORLD)
			put_string(t, "reserved:world");
		put_char(t, ']');
		t->first = false;
	}
	if (peer->name[0])
		member_string(t, "pod_name", peer->name);
	close_object(t);
}

/* A list of strings; the caller has checked that it is not empty. */
static void member_strings(struct json_text *t, const char *key, const char *first, size_t stride,
			   unsigned int n)
{
	put_key(t, key);
	put_char(t, '[');
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			put_char(t, ',');
		put_string(t, first + i * stride);
	}
	put_char(t, ']');
}

/* ["a.example.", ...]; nothing written for an empty list. */
static void member_names(struct json_text *t, const char *key, const struct netobs_names *names)
{
	if (!names || !names->len)
		return;
	member_strings(t, key, names->name[0], sizeof(names->name[0]),
		       names->len < NETOBS_NAMES_MAX ? names->len : NETOBS_NAMES_MAX);
}

static void member_dns_types(struct json_text *t, const char *key, const uint16_t *types,
			     unsigned int len)
{
	char buf[16];

	if (!len)
		return;
	put_key(t, key);
	put_char(t, '[');
	for (unsigned int i = 0; i < len; i++) {
		if (i)
			put_char(t, ',');
		put_string(t, dns_type_name(types[i], buf, sizeof(buf)));
	}
	put_char(t, ']');
}

/* Hubble's flow.l7.dns; Hubble writes rcode as a number, types by name. */
static void member_l7_dns(struct json_text *t, const struct netobs_l7_dns *dns)
{
	char addr[INET6_ADDRSTRLEN];

	put_key(t, "dns");
	open_object(t);
	if (dns->query[0])
		member_string(t, "query", dns->query);
	if (dns->ips_len) {
		put_key(t, "ips");
		put_char(t, '[');
		for (unsigned int i = 0; i < dns->ips_len && i < DNS_IPS_MAX; i++) {
			if (i)
				put_char(t, ',');
			inet_ntop(dns->ips[i].family, dns->ips[i].addr, addr, sizeof(addr));
			put_string(t, addr);
		}
		put_char(t, ']');
	}
	if (dns->ttl)
		member_int(t, "ttl", dns->ttl);
	if (dns->cnames_len)
		member_strings(t, "cnames", dns->cnames[0], sizeof(dns->cnames[0]),
			       dns->cnames_len < DNS_CNAMES_MAX ? dns->cnames_len : DNS_CNAMES_MAX);
	if (dns->rcode)
		member_int(t, "rcode", dns->rcode);
	member_dns_types(t, "qtypes", dns->qtypes,
			 dns->qtypes_len < DNS_QTYPES_MAX ? dns->qtypes_len : DNS_QTYPES_MAX);
	member_dns_types(t, "rrtypes", dns->rrtypes,
			 dns->rrtypes_len < DNS_RRTYPES_MAX ? dns->rrtypes_len : DNS_RRTYPES_MAX);
	close_object(t);
}

/* Hubble's flow.l7.http. */
static void member_l7_http(struct json_text *t, const struct netobs_l7_http *http)
{
	put_key(t, "http");
	open_object(t);
	if (http->code)
		member_int(t, "code", http->code);
	if (http->method[0])
		member_string(t, "method", http->method);
	if (http->url[0])
		member_string(t, "url", http->url);
	if (http->protocol[0])
		member_string(t, "protocol", http->protocol);
	if (http->headers_len) {
		put_key(t, "headers");
		put_char(t, '[');
		for (unsigned int i = 0; i < http->headers_len && i < NETOBS_HTTP_HEADERS_MAX;
		     i++) {
			if (i)
				put_char(t, ',');
			open_object(t);
			member_string(t, "key", http->headers[i].key);
			member_string(t, "value", http->headers[i].value);
			close_object(t);
		}
		put_char(t, ']');
	}
	close_object(t);
}

/* Hubble's flow.l7: {type, latency_ns, dns | http}, and netobs's "unanswered". */
static void member_l7(struct json_text *t, const struct netobs_l7 *l7)
{
	put_key(t, "l7");
	open_object(t);
	member_name(t, "type", netobs_l7_type_name(l7->type));
	if (l7->latency_ns)
		member_u64_string(t, "latency_ns", l7->latency_ns);
	/* Only when set: Hubble's readers never see a key they do not know. */
	if (l7->flags & NETOBS_L7_F_UNANSWERED) {
		put_key(t, "unanswered");
		PUT_LITERAL(t, "true");
	}
	if (l7->kind == NETOBS_L7_DNS)
		member_l7_dns(t, &l7->dns);
	else if (l7->kind == NETOBS_L7_HTTP)
		member_l7_http(t, &l7->http);
	close_object(t);
}

/*
 * Hubble's {"type": N, "sub_type": M}, as netobs_flow_event_type() decides
 * it: a trace {4, observation point}, a policy drop {1, drop reason}, a
 * policy verdict {5}, an L7 record {129} (Cilium's AccessLog). protojson
 * omits a zero sub_type (a trace to-endpoint); a trace at an unknown
 * observation point has no event_type at all.
 */
static void member_event_type(struct json_text *t, const struct netobs_flow_record *flow)
{
	int type, subtype;

	if (!netobs_flow_event_type(flow, &type, &subtype))
		return;
	put_key(t, "event_type");
	open_object(t);
	member_int(t, "type", type);
	if (subtype)
		member_int(t, "sub_type", subtype);
	close_object(t);
}

/* [{"name", "kind", "revision"}]: Hubble's Policy, revision a uint64 string. */
static void member_policy_list(struct json_text *t, const struct netobs_flow_record *flow)
{
	const char *key = policy_list_key(flow);

	if (!key)
		return;
	put_key(t, key);
	put_char(t, '[');
	open_object(t);
	member_string(t, "name", flow->policy->name);
	member_string(t, "kind", flow->policy->kind);
	member_u64_string(t, "revision", flow->policy->revision);
	close_object(t);
	put_char(t, ']');
}

/* netobs's own counters of an L3/L4 record (an L7 record is one message). */
static void member_stats(struct json_text *t, const struct netobs_flow_record *flow)
{
	put_key(t, "stats");
	open_object(t);
	member_u64_string(t, "packets", flow->packets);
	member_u64_string(t, "bytes", flow->bytes);
	if (flow->first_seen_ns)
		member_time(t, "first_seen", flow->first_seen_ns);
	if (flow->last_seen_ns)
		member_time(t, "last_seen", flow->last_seen_ns);
	/* Hubble's l4 flags are one packet's; the flow's union is netobs's own */
	if (flow->key.family != NETOBS_FAMILY_NONE && flow->key.proto == IPPROTO_TCP &&
	    flow->tcp_flags_seen)
		member_tcp_flags(t, "tcp_flags", flow->tcp_flags_seen);
	close_object(t);
}

static void write_flow(struct json_text *t, const struct netobs_record *rec, const char *node_name)
{
	const struct netobs_flow_record *flow = &rec->flow;
	const struct netobs_flow_key *key = &flow->key;
	char summary[NETOBS_SUMMARY_MAX];

	open_object(t);
	member_time(t, "time", rec->time_ns);
	member_uuid(t, node_name, rec->seq);
	if (flow->verdict != NETOBS_VERDICT_UNKNOWN)
		member_name(t, "verdict", netobs_verdict_name(flow->verdict));
	if (flow->drop_reason) /* Hubble's deprecated number, next to its name below */
		member_int(t, "drop_reason", flow->drop_reason);
	if (key->family == NETOBS_FAMILY_NONE)
		member_ethernet(t, key);
	if (key->family == NETOBS_FAMILY_IPV4 || key->family == NETOBS_FAMILY_IPV6) {
		char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

		netobs_addr_format(key->family, key->saddr, src, sizeof(src));
		netobs_addr_format(key->family, key->daddr, dst, sizeof(dst));
		put_key(t, "IP");
		open_object(t);
		member_name(t, "source", src);
		member_name(t, "destination", dst);
		member_name(t, "ipVersion", key->family == NETOBS_FAMILY_IPV4 ? "IPv4" : "IPv6");
		close_object(t);
		member_l4(t, flow);
	}
	member_peer(t, "source", &flow->src);
	member_peer(t, "destination", &flow->dst);
	member_name(t, "Type", flow->l7 ? "L7" : "L3_L4");
	if (node_name[0])
		member_string(t, "node_name", node_name);
	if (flow->direction != NETOBS_DIR_UNKNOWN)
		member_name(t, "traffic_direction", netobs_direction_name(flow->direction));
	if (flow->policy_match_type)
		member_int(t, "policy_match_type", flow->policy_match_type);
	if (flow->obs_point != NETOBS_OBS_UNKNOWN)
		member_name(t, "trace_observation_point", netobs_obs_point_name(flow->obs_point));
	/* a trace's reason: an L7 record is no trace (Hubble leaves it out too) */
	if (!flow->l7)
		member_name(t, "trace_reason",
			    netobs_trace_reason_name(netobs_flow_trace_reason(flow)));
	/* a reason without a name is the number alone: the decoder reads it back as is */
	if (flow->drop_reason && netobs_drop_reason_from_name(netobs_drop_reason_name(
					 flow->drop_reason)) == flow->drop_reason)
		member_name(t, "drop_reason_desc", netobs_drop_reason_name(flow->drop_reason));
	/* Deviation from protojson: false is written too, scripts need to see it. */
	if (flow->is_reply >= 0) {
		put_key(t, "is_reply");
		if (flow->is_reply > 0)
			PUT_LITERAL(t, "true");
		else
			PUT_LITERAL(t, "false");
	}
	if (key->ifindex || flow->ifname[0]) {
		put_key(t, "interface");
		open_object(t);
		if (key->ifindex)
			member_int(t, "index", key->ifindex);
		if (flow->ifname[0])
			member_string(t, "name", flow->ifname);
		close_object(t);
	}
	if (flow->l7)
		member_l7(t, flow->l7);
	member_event_type(t, flow);
	member_names(t, "source_names", flow->source_names);
	member_names(t, "destination_names", flow->destination_names);
	netobs_record_summary(rec, summary, sizeof(summary));
	member_string(t, "Summary", summary);
	member_policy_list(t, flow);
	if (flow->policy_verdict != NETOBS_PV_NONE)
		member_name(t, "policy_verdict", netobs_policy_verdict_name(flow->policy_verdict));
	if (!flow->l7) {
		member_stats(t, flow);
		member_name(t, "flow_event", netobs_flow_event_name(flow->event));
		if (flow->event == NETOBS_FLOW_EVENT_END && flow->end_reason != NETOBS_END_NONE)
			member_name(t, "end_reason", netobs_end_reason_name(flow->end_reason));
	}
	member_name(t, "hook", netobs_hook_name(key->hook));
	if (key->vlan_id)
		member_int(t, "vlan_id", key->vlan_id);
	if (key->key_flags & KEY_FLAGS_WRITTEN) {
		bool any = false;

		put_key(t, "key_flags");
		put_char(t, '[');
		for (size_t i = 0; i < KEY_FLAG_COUNT; i++) {
			if (!(key->key_flags & key_flag_names[i].flag))
				continue;
			if (any)
				put_char(t, ',');
			put_string(t, key_flag_names[i].name);
			any = true;
		}
		put_char(t, ']');
	}
	if (key->family == NETOBS_FAMILY_NONE) {
		put_key(t, "ethertype");
		PUT_LITERAL(t, "\"0x");
		put_hex(t, ntohs(key->eth_proto), 4);
		put_char(t, '"');
	} else if (!proto_has_ports(key->proto) && key->proto != IPPROTO_ICMP &&
		   key->proto != IPPROTO_ICMPV6) {
		member_int(t, "ip_protocol", key->proto);
	}
	close_object(t);
}

static void write_lost(struct json_text *t, const struct netobs_record *rec)
{
	open_object(t);
	member_string(t, "source", netobs_lost_source_name(rec->lost.source));
	member_u64_string(t, "num_events_lost", rec->lost.count);
	if (rec->lost.cpu >= 0)
		member_int(t, "cpu", rec->lost.cpu);
	close_object(t);
}

ssize_t netobs_record_json_write(const struct netobs_record *rec, const char *node_name, char *buf,
				 size_t size)
{
	struct json_text t = {.buf = buf, .size = size};

	if (!node_name)
		node_name = "";
	if (rec->kind != NETOBS_RECORD_FLOW && rec->kind != NETOBS_RECORD_LOST_EVENTS)
		return -EINVAL;
	open_object(&t);
	if (rec->kind == NETOBS_RECORD_FLOW) {
		put_key(&t, "flow");
		write_flow(&t, rec, node_name);
	} else {
		put_key(&t, "lost_events");
		write_lost(&t, rec);
	}
	if (node_name[0])
		member_string(&t, "node_name", node_name);
	member_time(&t, "time", rec->time_ns);
	close_object(&t);
	if (t.err)
		return t.err;
	return (ssize_t)t.len;
}

json_t *netobs_record_to_json(const struct netobs_record *rec, const char *node_name)
{
	char small[4096], *text = small;
	ssize_t len = netobs_record_json_write(rec, node_name, small, sizeof(small));
	json_t *obj;

	if (len < 0) {
		errno = -(int)len;
		return NULL;
	}
	if ((size_t)len > sizeof(small)) {
		text = malloc((size_t)len);
		if (!text) {
			errno = ENOMEM;
			return NULL;
		}
		netobs_record_json_write(rec, node_name, text, (size_t)len);
	}
	obj = json_loadb(text, (size_t)len, 0, NULL);
	if (text != small)
		free(text);
	if (!obj)
		errno = ENOMEM;
	return obj;
}
