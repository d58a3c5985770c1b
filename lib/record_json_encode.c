// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The one place a record becomes JSON (record_json_decode.c reads it back).
 * The layout follows Hubble's protojson output (field names, string enums,
 * 64-bit integers as strings, zero values omitted) so that jq paths written
 * for `hubble observe -o json` work; netobs's own fields are documented in
 * docs/records.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "print.h"
#include "record.h"
#include "record_json_internal.h"

#define TIME_TEXT_MAX	      40
#define ENDPOINT_LABEL_PREFIX "netobs:endpoint="

/*
 * Builders below OR the return values of json_object_set_new() into one
 * error flag: it returns -1 for a NULL value (allocation failure) and drops
 * the value's reference either way, so one check at the end is enough.
 */

/*
 * Hubble's flow.ethernet, for a flow that is not IP: the datapath keeps its
 * MACs in the address bytes (docs/abi.md). NULL without MACs (a device with
 * no Ethernet header, a cut frame): the field is then left out.
 */
static json_t *ethernet_to_json(const struct netobs_flow_key *key)
{
	static const uint8_t zero[6];
	char src[18], dst[18];
	const uint8_t *s = key->saddr, *d = key->daddr;

	if (!memcmp(s, zero, 6) && !memcmp(d, zero, 6))
		return NULL;
	snprintf(src, sizeof(src), "%02x:%02x:%02x:%02x:%02x:%02x", s[0], s[1], s[2], s[3], s[4],
		 s[5]);
	snprintf(dst, sizeof(dst), "%02x:%02x:%02x:%02x:%02x:%02x", d[0], d[1], d[2], d[3], d[4],
		 d[5]);
	return json_pack("{s:s, s:s}", "source", src, "destination", dst);
}

static json_t *json_u64_string(uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	return json_string(text);
}

static json_t *json_time_string(uint64_t ns)
{
	char text[TIME_TEXT_MAX];

	netobs_time_format_rfc3339(ns, text, sizeof(text));
	return json_string(text);
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
static void record_uuid(const char *node_name, uint64_t seq, char *buf, size_t len)
{
	uint64_t hi = fnv1a64(node_name);
	uint64_t lo = seq;

	hi = (hi & ~0xf000ULL) | 0x8000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	snprintf(buf, len, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		 hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
		 lo & UINT64_C(0xffffffffffff));
}

static json_t *tcp_flags_to_json(uint16_t flags)
{
	json_t *obj = json_object();
	int err = 0;

	if (!obj)
		return NULL;
	for (int i = 0; i < NETOBS_TCP_FLAG_COUNT; i++)
		if (flags & netobs_tcp_flag_names[i].flag)
			err |= json_object_set_new(obj, netobs_tcp_flag_names[i].name, json_true());
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* {"TCP": {...}} and friends; *l4 stays NULL for protocols without one. */
static int l4_to_json(const struct netobs_flow_record *flow, json_t **l4)
{
	const struct netobs_flow_key *key = &flow->key;
	const char *name;
	json_t *inner, *outer;
	int err = 0;

	*l4 = NULL;
	switch (key->proto) {
	case IPPROTO_TCP:
		name = "TCP";
		break;
	case IPPROTO_UDP:
		name = "UDP";
		break;
	case IPPROTO_SCTP:
		name = "SCTP";
		break;
	case IPPROTO_ICMP:
		name = "ICMPv4";
		break;
	case IPPROTO_ICMPV6:
		name = "ICMPv6";
		break;
	default:
		return 0;
	}
	inner = json_object();
	outer = json_object();
	if (!inner || !outer) {
		json_decref(inner);
		json_decref(outer);
		return -ENOMEM;
	}
	if (proto_has_ports(key->proto)) {
		if (key->sport)
			err |= json_object_set_new(inner, "source_port",
						   json_integer(ntohs(key->sport)));
		if (key->dport)
			err |= json_object_set_new(inner, "destination_port",
						   json_integer(ntohs(key->dport)));
	} else {
		if (key->icmp_type)
			err |= json_object_set_new(inner, "type", json_integer(key->icmp_type));
		if (key->icmp_code)
			err |= json_object_set_new(inner, "code", json_integer(key->icmp_code));
	}
	if (key->proto == IPPROTO_TCP && flow->tcp_flags)
		err |= json_object_set_new(inner, "flags", tcp_flags_to_json(flow->tcp_flags));
	err |= json_object_set_new(outer, name, inner);
	if (err) {
		json_decref(outer);
		return -ENOMEM;
	}
	*l4 = outer;
	return 0;
}

/* Hubble's Endpoint; omitted entirely for a side netobs knows nothing about. */
static int peer_to_json(json_t *flow, const char *key, const struct netobs_peer *peer)
{
	json_t *obj, *labels;
	int err = 0;

	if (!peer->id && !peer->identity && !peer->name[0])
		return 0;
	obj = json_object();
	labels = json_array();
	if (!obj || !labels) {
		json_decref(obj);
		json_decref(labels);
		return -ENOMEM;
	}
	if (peer->id)
		err |= json_object_set_new(obj, "ID", json_integer(peer->id));
	if (peer->identity)
		err |= json_object_set_new(obj, "identity", json_integer(peer->identity));
	if (peer->name[0]) {
		char label[sizeof(ENDPOINT_LABEL_PREFIX) + NETOBS_NAME_MAX];

		snprintf(label, sizeof(label), ENDPOINT_LABEL_PREFIX "%s", peer->name);
		err |= json_array_append_new(labels, json_string(label));
	}
	if (peer->identity == NETOBS_IDENTITY_HOST)
		err |= json_array_append_new(labels, json_string("reserved:host"));
	else if (peer->identity == NETOBS_IDENTITY_WORLD)
		err |= json_array_append_new(labels, json_string("reserved:world"));
	if (json_array_size(labels))
		err |= json_object_set_new(obj, "labels", labels);
	else
		json_decref(labels);
	if (peer->name[0])
		err |= json_object_set_new(obj, "pod_name", json_string(peer->name));
	err |= json_object_set_new(flow, key, obj);
	return err ? -ENOMEM : 0;
}

/* ["a.example.", ...]; nothing written for an empty list. */
static int names_to_json(json_t *obj, const char *key, const struct netobs_names *names)
{
	json_t *list;
	int err = 0;

	if (!names || !names->len)
		return 0;
	list = json_array();
	for (unsigned int i = 0; list && i < names->len && i < NETOBS_NAMES_MAX; i++)
		err |= json_array_append_new(list, json_string(names->name[i]));
	err |= json_object_set_new(obj, key, list);
	return err;
}

static int dns_types_to_json(json_t *obj, const char *key, const uint16_t *types, unsigned int len)
{
	json_t *list;
	char buf[16];
	int err = 0;

	if (!len)
		return 0;
	list = json_array();
	for (unsigned int i = 0; list && i < len; i++)
		err |= json_array_append_new(
			list, json_string(dns_type_name(types[i], buf, sizeof(buf))));
	err |= json_object_set_new(obj, key, list);
	return err;
}

/* Hubble's flow.l7.dns; Hubble writes rcode as a number, types by name. */
static json_t *l7_dns_to_json(const struct netobs_l7_dns *dns)
{
	json_t *obj = json_object(), *list;
	char addr[INET6_ADDRSTRLEN];
	int err = 0;

	if (!obj)
		return NULL;
	if (dns->query[0])
		err |= json_object_set_new(obj, "query", json_string(dns->query));
	if (dns->ips_len) {
		list = json_array();
		for (unsigned int i = 0; list && i < dns->ips_len && i < DNS_IPS_MAX; i++) {
			inet_ntop(dns->ips[i].family, dns->ips[i].addr, addr, sizeof(addr));
			err |= json_array_append_new(list, json_string(addr));
		}
		err |= json_object_set_new(obj, "ips", list);
	}
	if (dns->ttl)
		err |= json_object_set_new(obj, "ttl", json_integer(dns->ttl));
	if (dns->cnames_len) {
		list = json_array();
		for (unsigned int i = 0; list && i < dns->cnames_len && i < DNS_CNAMES_MAX; i++)
			err |= json_array_append_new(list, json_string(dns->cnames[i]));
		err |= json_object_set_new(obj, "cnames", list);
	}
	if (dns->rcode)
		err |= json_object_set_new(obj, "rcode", json_integer(dns->rcode));
	err |= dns_types_to_json(obj, "qtypes", dns->qtypes,
				 dns->qtypes_len < DNS_QTYPES_MAX ? dns->qtypes_len
								  : DNS_QTYPES_MAX);
	err |= dns_types_to_json(obj, "rrtypes", dns->rrtypes,
				 dns->rrtypes_len < DNS_RRTYPES_MAX ? dns->rrtypes_len
								    : DNS_RRTYPES_MAX);
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Hubble's flow.l7.http. */
static json_t *l7_http_to_json(const struct netobs_l7_http *http)
{
	json_t *obj = json_object(), *list;
	int err = 0;

	if (!obj)
		return NULL;
	if (http->code)
		err |= json_object_set_new(obj, "code", json_integer(http->code));
	if (http->method[0])
		err |= json_object_set_new(obj, "method", json_string(http->method));
	if (http->url[0])
		err |= json_object_set_new(obj, "url", json_string(http->url));
	if (http->protocol[0])
		err |= json_object_set_new(obj, "protocol", json_string(http->protocol));
	if (http->headers_len) {
		list = json_array();
		for (unsigned int i = 0;
		     list && i < http->headers_len && i < NETOBS_HTTP_HEADERS_MAX; i++)
			err |= json_array_append_new(list, json_pack("{s:s, s:s}", "key",
								     http->headers[i].key, "value",
								     http->headers[i].value));
		err |= json_object_set_new(obj, "headers", list);
	}
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* Hubble's flow.l7: {type, latency_ns, dns | http}, and netobs's "unanswered". */
static json_t *l7_to_json(const struct netobs_l7 *l7)
{
	json_t *obj = json_object();
	int err = 0;

	if (!obj)
		return NULL;
	err |= json_object_set_new(obj, "type", json_string(netobs_l7_type_name(l7->type)));
	if (l7->latency_ns)
		err |= json_object_set_new(obj, "latency_ns", json_u64_string(l7->latency_ns));
	/* Only when set: Hubble's readers never see a key they do not know. */
	if (l7->flags & NETOBS_L7_F_UNANSWERED)
		err |= json_object_set_new(obj, "unanswered", json_true());
	if (l7->kind == NETOBS_L7_DNS)
		err |= json_object_set_new(obj, "dns", l7_dns_to_json(&l7->dns));
	else if (l7->kind == NETOBS_L7_HTTP)
		err |= json_object_set_new(obj, "http", l7_http_to_json(&l7->http));
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/*
 * Hubble's {"type": 129} for an L7 record: Cilium's AccessLog message, which
 * has no sub_type.
 */
static int l7_event_type_to_json(json_t *obj)
{
	return json_object_set_new(obj, "event_type",
				   json_pack("{s:i}", "type", NETOBS_EVENT_TYPE_L7));
}

/*
 * Hubble's {"type": 4, "sub_type": N}: every L3/L4 flow record is a trace. protojson
 * omits the zero sub_type of to-endpoint; without a known observation point
 * there is no sub_type to give, so there is no event_type either.
 */
static int event_type_to_json(json_t *obj, const struct netobs_flow_record *flow)
{
	int subtype = netobs_obs_point_trace_subtype(flow->obs_point);
	json_t *event_type;
	int err = 0;

	if (subtype < 0)
		return 0;
	event_type = json_object();
	if (!event_type)
		return -1;
	err |= json_object_set_new(event_type, "type", json_integer(NETOBS_EVENT_TYPE_TRACE));
	if (subtype)
		err |= json_object_set_new(event_type, "sub_type", json_integer(subtype));
	err |= json_object_set_new(obj, "event_type", event_type);
	return err;
}

static json_t *flow_to_json(const struct netobs_record *rec, const char *node_name)
{
	const struct netobs_flow_record *flow = &rec->flow;
	const struct netobs_flow_key *key = &flow->key;
	json_t *obj = json_object(), *l4 = NULL;
	char text[NETOBS_SUMMARY_MAX];
	int err = 0;

	if (!obj)
		return NULL;
	err |= json_object_set_new(obj, "time", json_time_string(rec->time_ns));
	record_uuid(node_name, rec->seq, text, sizeof(text));
	err |= json_object_set_new(obj, "uuid", json_string(text));
	if (flow->verdict != NETOBS_VERDICT_UNKNOWN)
		err |= json_object_set_new(obj, "verdict",
					   json_string(netobs_verdict_name(flow->verdict)));
	if (key->family == NETOBS_FAMILY_NONE) {
		json_t *eth = ethernet_to_json(key);

		if (eth)
			err |= json_object_set_new(obj, "ethernet", eth);
	}
	if (key->family == NETOBS_FAMILY_IPV4 || key->family == NETOBS_FAMILY_IPV6) {
		char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

		netobs_addr_format(key->family, key->saddr, src, sizeof(src));
		netobs_addr_format(key->family, key->daddr, dst, sizeof(dst));
		err |= json_object_set_new(
			obj, "IP",
			json_pack("{s:s, s:s, s:s}", "source", src, "destination", dst, "ipVersion",
				  key->family == NETOBS_FAMILY_IPV4 ? "IPv4" : "IPv6"));
		if (l4_to_json(flow, &l4))
			err = -1;
		else if (l4)
			err |= json_object_set_new(obj, "l4", l4);
	}
	if (peer_to_json(obj, "source", &flow->src) || peer_to_json(obj, "destination", &flow->dst))
		err = -1;
	err |= json_object_set_new(obj, "Type", json_string(flow->l7 ? "L7" : "L3_L4"));
	if (node_name[0])
		err |= json_object_set_new(obj, "node_name", json_string(node_name));
	if (flow->direction != NETOBS_DIR_UNKNOWN)
		err |= json_object_set_new(obj, "traffic_direction",
					   json_string(netobs_direction_name(flow->direction)));
	if (flow->obs_point != NETOBS_OBS_UNKNOWN)
		err |= json_object_set_new(obj, "trace_observation_point",
					   json_string(netobs_obs_point_name(flow->obs_point)));
	/* a trace's reason: an L7 record is no trace (Hubble leaves it out too) */
	if (!flow->l7)
		err |= json_object_set_new(
			obj, "trace_reason",
			json_string(netobs_trace_reason_name(netobs_flow_trace_reason(flow))));
	/* Deviation from protojson: false is written too, scripts need to see it. */
	if (flow->is_reply >= 0)
		err |= json_object_set_new(obj, "is_reply", json_boolean(flow->is_reply > 0));
	if (key->ifindex || flow->ifname[0]) {
		json_t *iface = json_object();

		if (iface && key->ifindex)
			err |= json_object_set_new(iface, "index", json_integer(key->ifindex));
		if (iface && flow->ifname[0])
			err |= json_object_set_new(iface, "name", json_string(flow->ifname));
		err |= json_object_set_new(obj, "interface", iface);
	}
	if (flow->l7) {
		err |= json_object_set_new(obj, "l7", l7_to_json(flow->l7));
		err |= l7_event_type_to_json(obj);
	} else {
		err |= event_type_to_json(obj, flow);
	}
	err |= names_to_json(obj, "source_names", flow->source_names);
	err |= names_to_json(obj, "destination_names", flow->destination_names);
	netobs_record_summary(rec, text, sizeof(text));
	err |= json_object_set_new(obj, "Summary", json_string(text));

	/* netobs's own fields; an L7 record is one message: no counters, no flow event */
	if (!flow->l7) {
		json_t *stats = json_object();

		if (stats) {
			err |= json_object_set_new(stats, "packets",
						   json_u64_string(flow->packets));
			err |= json_object_set_new(stats, "bytes", json_u64_string(flow->bytes));
			if (flow->first_seen_ns)
				err |= json_object_set_new(stats, "first_seen",
							   json_time_string(flow->first_seen_ns));
			if (flow->last_seen_ns)
				err |= json_object_set_new(stats, "last_seen",
							   json_time_string(flow->last_seen_ns));
			/* Hubble's l4 flags are one packet's; the flow's union is netobs's own */
			if (key->family != NETOBS_FAMILY_NONE && key->proto == IPPROTO_TCP &&
			    flow->tcp_flags_seen)
				err |= json_object_set_new(stats, "tcp_flags",
							   tcp_flags_to_json(flow->tcp_flags_seen));
		}
		err |= json_object_set_new(obj, "stats", stats);
		err |= json_object_set_new(obj, "flow_event",
					   json_string(netobs_flow_event_name(flow->event)));
		if (flow->event == NETOBS_FLOW_EVENT_END && flow->end_reason != NETOBS_END_NONE)
			err |= json_object_set_new(
				obj, "end_reason",
				json_string(netobs_end_reason_name(flow->end_reason)));
	}
	err |= json_object_set_new(obj, "hook", json_string(netobs_hook_name(key->hook)));
	if (key->vlan_id)
		err |= json_object_set_new(obj, "vlan_id", json_integer(key->vlan_id));
	if (key->key_flags) {
		json_t *names = json_array();

		for (size_t i = 0; names && i < KEY_FLAG_COUNT; i++)
			if (key->key_flags & key_flag_names[i].flag)
				err |= json_array_append_new(names,
							     json_string(key_flag_names[i].name));
		err |= json_object_set_new(obj, "key_flags", names);
	}
	if (key->family == NETOBS_FAMILY_NONE) {
		snprintf(text, sizeof(text), "0x%04x", ntohs(key->eth_proto));
		err |= json_object_set_new(obj, "ethertype", json_string(text));
	} else if (!proto_has_ports(key->proto) && key->proto != IPPROTO_ICMP &&
		   key->proto != IPPROTO_ICMPV6) {
		err |= json_object_set_new(obj, "ip_protocol", json_integer(key->proto));
	}
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *lost_to_json(const struct netobs_record *rec)
{
	json_t *obj = json_object();
	int err = 0;

	if (!obj)
		return NULL;
	err |= json_object_set_new(obj, "source",
				   json_string(netobs_lost_source_name(rec->lost.source)));
	err |= json_object_set_new(obj, "num_events_lost", json_u64_string(rec->lost.count));
	if (rec->lost.cpu >= 0)
		err |= json_object_set_new(obj, "cpu", json_integer(rec->lost.cpu));
	if (err) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *netobs_record_to_json(const struct netobs_record *rec, const char *node_name)
{
	json_t *resp, *body;
	int err = 0;

	if (!node_name)
		node_name = "";
	if (rec->kind == NETOBS_RECORD_FLOW) {
		body = flow_to_json(rec, node_name);
	} else if (rec->kind == NETOBS_RECORD_LOST_EVENTS) {
		body = lost_to_json(rec);
	} else {
		errno = EINVAL;
		return NULL;
	}
	resp = json_object();
	if (!resp || !body) {
		json_decref(resp);
		json_decref(body);
		errno = ENOMEM;
		return NULL;
	}
	err |= json_object_set_new(resp, rec->kind == NETOBS_RECORD_FLOW ? "flow" : "lost_events",
				   body);
	if (node_name[0])
		err |= json_object_set_new(resp, "node_name", json_string(node_name));
	err |= json_object_set_new(resp, "time", json_time_string(rec->time_ns));
	if (err) {
		json_decref(resp);
		errno = ENOMEM;
		return NULL;
	}
	return resp;
}
