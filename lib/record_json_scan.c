// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A record line decoded straight from its text, without a jansson tree:
 * `netobs flows -o compact` and `-o table` decode every record the agent
 * sends, and parsing each into jansson objects cost the CLI about 12 us a
 * record (docs/performance.md, issue 9).
 *
 * This is a fast path, not a second decoder: it accepts only what it can
 * decode to exactly the record record_json_decode.c would make (the members
 * it knows, of the types it expects, within the same bounds), and answers
 * "not mine" for anything else, a line the full decoder then reads and,
 * if it is wrong, explains. tests/unit/test_record_scan.c checks the two
 * agree on every record shape the writer makes. flow.l7 is
 * record_json_scan_l7.c's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "json_scan.h"
#include "record.h"
#include "record_json_internal.h"

/*
 * A "flags" object of TCP flags. A flag named twice is the full decoder's:
 * jansson keeps only the last of repeated keys ({"SYN":true,"SYN":false}
 * is no SYN), where or-ing each would set it.
 */
struct tcp_flags_scan {
	uint16_t *flags;
	uint16_t named; /* the flags a member has named so far */
};

static bool tcp_flag_member(struct scan *s, const char *key, void *ctx)
{
	struct tcp_flags_scan *t = ctx;
	int flag = scan_name_value(netobs_tcp_flag_from_name, key);
	bool on;

	if (flag < 0 || (t->named & flag) || !scan_bool(s, &on))
		return scan_fail(s);
	t->named |= (uint16_t)flag;
	if (on)
		*t->flags |= (uint16_t)flag;
	return true;
}

static bool scan_tcp_flags(struct scan *s, uint16_t *flags)
{
	struct tcp_flags_scan t = {.flags = flags};

	return scan_object(s, tcp_flag_member, &t);
}

/* What a flow's members said, checked against each other at the end. */
struct flow_scan {
	struct netobs_record *rec;
	struct netobs_record_storage *storage;
	uint64_t seen; /* bit per enum flow_member_id: a repeated one is the full decoder's */
	unsigned int last_member; /* the previous member's id: the next is likely after it */
	bool has_stats_tcp_flags, type_l7, has_l4_flags;
	int drop_reason_desc; /* -1: absent */
	uint64_t ip_protocol, drop_reason;
	uint8_t l4_proto;
	char ip_version[8];
	char ip_src[INET6_ADDRSTRLEN + 8], ip_dst[INET6_ADDRSTRLEN + 8];
	char eth_src[24], eth_dst[24];
};

static bool ip_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;

	if (KEY_IS(key, "source"))
		return scan_string(s, f->ip_src, sizeof(f->ip_src));
	if (KEY_IS(key, "destination"))
		return scan_string(s, f->ip_dst, sizeof(f->ip_dst));
	if (KEY_IS(key, "ipVersion"))
		return scan_string(s, f->ip_version, sizeof(f->ip_version));
	return scan_fail(s);
}

static bool l4_inner_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_flow_key *k = &f->rec->flow.key;
	bool ports = proto_has_ports(f->l4_proto);
	uint64_t v;

	if (ports && (KEY_IS(key, "source_port") || KEY_IS(key, "destination_port"))) {
		if (!scan_uint(s, 65535, &v))
			return false;
		if (key[0] == 's')
			k->sport = htons((uint16_t)v);
		else
			k->dport = htons((uint16_t)v);
		return true;
	}
	if (!ports && (KEY_IS(key, "type") || KEY_IS(key, "code"))) {
		if (!scan_uint(s, 255, &v))
			return false;
		if (key[0] == 't')
			k->icmp_type = (uint8_t)v;
		else
			k->icmp_code = (uint8_t)v;
		return true;
	}
	/* a repeated "flags" replaces the first in jansson, it does not add to it */
	if (f->l4_proto == IPPROTO_TCP && KEY_IS(key, "flags") && !f->has_l4_flags) {
		f->has_l4_flags = true;
		return scan_tcp_flags(s, &f->rec->flow.tcp_flags);
	}
	return scan_fail(s);
}

static bool l4_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;

	if (f->l4_proto) /* exactly one protocol */
		return scan_fail(s);
	for (size_t i = 0; i < L4_KIND_COUNT; i++) {
		if (!strcmp(key, l4_kinds[i].name)) {
			f->l4_proto = l4_kinds[i].proto;
			f->rec->flow.key.proto = l4_kinds[i].proto;
			return scan_object(s, l4_inner_member, f);
		}
	}
	return scan_fail(s);
}

static bool peer_member(struct scan *s, const char *key, void *ctx)
{
	struct netobs_peer *peer = ctx;
	uint64_t v;
	int depth = 1;

	if (KEY_IS(key, "ID") || KEY_IS(key, "identity")) {
		if (!scan_uint(s, UINT32_MAX, &v))
			return false;
		if (key[1] == 'D')
			peer->id = (uint32_t)v;
		else
			peer->identity = (uint32_t)v;
		return true;
	}
	if (KEY_IS(key, "labels"))
		return scan_peek(s, '[') ? skip_value(s, depth) : scan_fail(s);
	if (KEY_IS(key, "pod_name"))
		return scan_string(s, peer->name, sizeof(peer->name));
	return scan_fail(s);
}

static bool interface_member(struct scan *s, const char *key, void *ctx)
{
	struct netobs_flow_record *flow = ctx;
	uint64_t v;

	if (KEY_IS(key, "index")) {
		if (!scan_uint(s, UINT32_MAX, &v))
			return false;
		flow->key.ifindex = (uint32_t)v;
		return true;
	}
	if (KEY_IS(key, "name"))
		return scan_string(s, flow->ifname, sizeof(flow->ifname));
	return scan_fail(s);
}

static bool stats_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_flow_record *flow = &f->rec->flow;

	if (KEY_IS(key, "packets"))
		return scan_uint_string(s, &flow->packets);
	if (KEY_IS(key, "bytes"))
		return scan_uint_string(s, &flow->bytes);
	if (KEY_IS(key, "first_seen"))
		return scan_time(s, &flow->first_seen_ns);
	if (KEY_IS(key, "last_seen"))
		return scan_time(s, &flow->last_seen_ns);
	if (KEY_IS(key, "tcp_flags") && !f->has_stats_tcp_flags) { /* as l4's "flags" */
		f->has_stats_tcp_flags = true;
		return scan_tcp_flags(s, &flow->tcp_flags_seen);
	}
	return scan_fail(s);
}

static bool name_element(struct scan *s, size_t i, void *ctx)
{
	struct netobs_names *names = ctx;

	return scan_string(s, names->name[i], sizeof(names->name[i]));
}

static bool key_flag_element(struct scan *s, size_t i, void *ctx)
{
	char name[32];

	(void)i;
	if (!scan_string(s, name, sizeof(name)))
		return false;
	for (size_t j = 0; j < KEY_FLAG_COUNT; j++) {
		if (!strcmp(name, key_flag_names[j].name)) {
			*(uint8_t *)ctx |= key_flag_names[j].flag;
			return true;
		}
	}
	return scan_fail(s);
}

static bool ethernet_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;

	if (KEY_IS(key, "source"))
		return scan_string(s, f->eth_src, sizeof(f->eth_src));
	if (KEY_IS(key, "destination"))
		return scan_string(s, f->eth_dst, sizeof(f->eth_dst));
	return scan_fail(s);
}

/* The members of flow read here, in the writer's order; flow.l7 is
 * record_json_scan_l7.c's. */
enum flow_member_id {
	FM_TIME,
	FM_UUID,
	FM_VERDICT,
	FM_DROP_REASON,
	FM_ETHERNET,
	FM_IP,
	FM_L4,
	FM_SOURCE,
	FM_DESTINATION,
	FM_TYPE,
	FM_NODE_NAME,
	FM_TRAFFIC_DIRECTION,
	FM_POLICY_MATCH_TYPE,
	FM_TRACE_OBSERVATION_POINT,
	FM_TRACE_REASON,
	FM_DROP_REASON_DESC,
	FM_IS_REPLY,
	FM_INTERFACE,
	FM_L7,
	FM_EVENT_TYPE,
	FM_SOURCE_NAMES,
	FM_DESTINATION_NAMES,
	FM_SUMMARY,
	/* the policy lists (*_allowed_by, *_denied_by) are not here: the full decoder's */
	FM_POLICY_VERDICT,
	FM_STATS,
	FM_FLOW_EVENT,
	FM_END_REASON,
	FM_HOOK,
	FM_VLAN_ID,
	FM_KEY_FLAGS,
	FM_ETHERTYPE,
	FM_IP_PROTOCOL,
	FM_COUNT,
};

static const char *const flow_members[FM_COUNT] = {
	[FM_TIME] = "time",
	[FM_UUID] = "uuid",
	[FM_VERDICT] = "verdict",
	[FM_DROP_REASON] = "drop_reason",
	[FM_ETHERNET] = "ethernet",
	[FM_IP] = "IP",
	[FM_L4] = "l4",
	[FM_SOURCE] = "source",
	[FM_DESTINATION] = "destination",
	[FM_TYPE] = "Type",
	[FM_NODE_NAME] = "node_name",
	[FM_TRAFFIC_DIRECTION] = "traffic_direction",
	[FM_POLICY_MATCH_TYPE] = "policy_match_type",
	[FM_TRACE_OBSERVATION_POINT] = "trace_observation_point",
	[FM_TRACE_REASON] = "trace_reason",
	[FM_DROP_REASON_DESC] = "drop_reason_desc",
	[FM_IS_REPLY] = "is_reply",
	[FM_INTERFACE] = "interface",
	[FM_L7] = "l7",
	[FM_EVENT_TYPE] = "event_type",
	[FM_SOURCE_NAMES] = "source_names",
	[FM_DESTINATION_NAMES] = "destination_names",
	[FM_SUMMARY] = "Summary",
	[FM_POLICY_VERDICT] = "policy_verdict",
	[FM_STATS] = "stats",
	[FM_FLOW_EVENT] = "flow_event",
	[FM_END_REASON] = "end_reason",
	[FM_HOOK] = "hook",
	[FM_VLAN_ID] = "vlan_id",
	[FM_KEY_FLAGS] = "key_flags",
	[FM_ETHERTYPE] = "ethertype",
	[FM_IP_PROTOCOL] = "ip_protocol",
};

/*
 * Which member key is, FM_COUNT if none. Members come in the writer's
 * order, so the search starts after the previous one, and a name is
 * compared only when its length and first letter are the key's: most keys
 * cost one compare (a strcmp() walk from the top cost the CLI more than
 * any other part of the scan).
 */
static unsigned int flow_member_find(const struct flow_scan *f, const char *key)
{
	static __thread uint8_t lengths[FM_COUNT];
	unsigned int start = f->last_member + 1;
	size_t len = strlen(key);

	if (!lengths[0])
		for (unsigned int i = 0; i < FM_COUNT; i++)
			lengths[i] = (uint8_t)strlen(flow_members[i]);
	for (unsigned int n = 0; n < FM_COUNT; n++) {
		unsigned int i = (start + n) % FM_COUNT;

		if (lengths[i] == len && key[0] == flow_members[i][0] &&
		    !memcmp(key, flow_members[i], len))
			return i;
	}
	return FM_COUNT;
}

static bool scan_uuid_seq(struct scan *s, uint64_t *seq)
{
	char uuid[40];
	uint64_t lo = 0;

	if (!scan_string(s, uuid, sizeof(uuid)) || strlen(uuid) != 36)
		return scan_fail(s);
	for (int c = 0; c < 36; c++) {
		unsigned int digit;

		if (c == 8 || c == 13 || c == 18 || c == 23) {
			if (uuid[c] != '-')
				return scan_fail(s);
			continue;
		}
		digit = hex_digit(uuid[c]);
		if (digit > 15)
			return scan_fail(s);
		if (c >= 19)
			lo = lo << 4 | digit;
	}
	if (uuid[14] == '8')
		*seq = lo & ~(3ULL << 62);
	return true;
}

static bool scan_names(struct scan *s, struct netobs_names *names, const struct netobs_names **out)
{
	size_t count;

	if (!scan_array(s, NETOBS_NAMES_MAX, name_element, names, &count))
		return false;
	names->len = (uint8_t)count;
	*out = names;
	return true;
}

static bool flow_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_record *rec = f->rec;
	struct netobs_flow_record *flow = &rec->flow;
	unsigned int i = flow_member_find(f, key);
	char text[64];
	uint64_t v;
	bool b;
	int depth = 1;

	if (i == FM_COUNT || (f->seen & (1ULL << i)))
		return scan_fail(s);
	f->seen |= 1ULL << i;
	f->last_member = i;
	switch ((enum flow_member_id)i) {
	case FM_TIME: /* the decoder reads the outer one */
	case FM_NODE_NAME:
	case FM_TRACE_REASON:
	case FM_EVENT_TYPE:
	case FM_SUMMARY:
		return skip_value(s, depth);
	case FM_TYPE:			       /* checked at the end */
		memset(text, 0, sizeof(text)); /* for KEY_IS(), which reads past the NUL */
		if (!scan_string(s, text, sizeof(text)))
			return false;
		if (KEY_IS(text, "L7"))
			f->type_l7 = true;
		else if (!KEY_IS(text, "L3_L4"))
			return scan_fail(s);
		return true;
	case FM_UUID:
		return scan_uuid_seq(s, &rec->seq);
	case FM_VERDICT:
		return scan_enum(s, netobs_verdict_from_name, &flow->verdict);
	case FM_ETHERNET:
		return scan_object(s, ethernet_member, f);
	case FM_IP:
		return scan_object(s, ip_member, f);
	case FM_L4:
		return scan_object(s, l4_member, f);
	case FM_SOURCE:
	case FM_DESTINATION:
		return scan_object(s, peer_member, i == FM_SOURCE ? &flow->src : &flow->dst);
	case FM_TRAFFIC_DIRECTION:
		return scan_enum(s, netobs_direction_from_name, &flow->direction);
	case FM_TRACE_OBSERVATION_POINT:
		return scan_enum(s, netobs_obs_point_from_name, &flow->obs_point);
	case FM_IS_REPLY:
		if (!scan_bool(s, &b))
			return false;
		flow->is_reply = b ? 1 : 0;
		return true;
	case FM_INTERFACE:
		return scan_object(s, interface_member, flow);
	case FM_L7:
		if (!scan_l7(s, &f->storage->l7))
			return false;
		flow->l7 = &f->storage->l7;
		return true;
	case FM_SOURCE_NAMES:
		return scan_names(s, &f->storage->source_names, &flow->source_names);
	case FM_DESTINATION_NAMES:
		return scan_names(s, &f->storage->destination_names, &flow->destination_names);
	case FM_STATS:
		return scan_object(s, stats_member, f);
	case FM_FLOW_EVENT:
		return scan_enum(s, netobs_flow_event_from_name, &flow->event);
	case FM_END_REASON:
		return scan_enum(s, netobs_end_reason_from_name, &flow->end_reason);
	case FM_HOOK:
		return scan_enum(s, netobs_hook_from_name, &flow->key.hook);
	case FM_VLAN_ID:
		if (!scan_uint(s, 4095, &v))
			return false;
		flow->key.vlan_id = (uint16_t)v;
		return true;
	case FM_KEY_FLAGS:
		return scan_array(s, SIZE_MAX, key_flag_element, &flow->key.key_flags, NULL);
	case FM_ETHERTYPE: {
		char *end;

		if (!scan_string(s, text, sizeof(text)))
			return false;
		errno = 0;
		v = strtoul(text, &end, 16);
		if (strncmp(text, "0x", 2) || !text[2] || *end || errno || v > 0xffff)
			return scan_fail(s);
		flow->key.eth_proto = htons((uint16_t)v);
		return true;
	}
	case FM_IP_PROTOCOL:
		return scan_uint(s, 255, &f->ip_protocol);
	case FM_DROP_REASON:
		return scan_uint(s, UINT16_MAX, &f->drop_reason);
	case FM_DROP_REASON_DESC:
		if (!scan_string(s, text, sizeof(text)))
			return false;
		f->drop_reason_desc = netobs_drop_reason_from_name(text);
		return f->drop_reason_desc >= 0 || scan_fail(s);
	case FM_POLICY_MATCH_TYPE:
		if (!scan_uint(s, UINT8_MAX, &v))
			return false;
		flow->policy_match_type = (uint8_t)v;
		return true;
	case FM_POLICY_VERDICT:
		return scan_enum(s, netobs_policy_verdict_from_name, &flow->policy_verdict);
	case FM_COUNT:
		break;
	}
	return scan_fail(s);
}

static bool mac_parse(const char *text, uint8_t mac[6])
{
	if (strlen(text) != 17)
		return false;
	for (int i = 0; i < 6; i++) {
		unsigned int hi = hex_digit(text[i * 3]), lo = hex_digit(text[i * 3 + 1]);

		if (hi > 15 || lo > 15 || (i < 5 && text[i * 3 + 2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool flow_has(const struct flow_scan *f, enum flow_member_id id)
{
	return f->seen & (1ULL << id);
}

/* What the full decoder checks across members, and the address text. */
static bool flow_finish(struct flow_scan *f)
{
	struct netobs_flow_record *flow = &f->rec->flow;
	struct netobs_flow_key *key = &flow->key;

	/* the decoder's errors are the full decoder's to explain */
	if (!flow_has(f, FM_HOOK))
		return false;
	if (flow->l7) {
		/* an L7 record is one message: no counters, no flow event (NEW) */
		if (!f->type_l7 || flow_has(f, FM_STATS) || flow_has(f, FM_FLOW_EVENT))
			return false;
		flow->event = NETOBS_FLOW_EVENT_NEW;
	} else if (f->type_l7 || !flow_has(f, FM_FLOW_EVENT)) {
		return false;
	}
	if (flow->end_reason != NETOBS_END_NONE && flow->event != NETOBS_FLOW_EVENT_END)
		return false;
	if (flow_has(f, FM_IP)) {
		int af;

		if (!strcmp(f->ip_version, "IPv4")) {
			key->family = NETOBS_FAMILY_IPV4;
			key->eth_proto = htons(0x0800);
			af = AF_INET;
		} else if (!strcmp(f->ip_version, "IPv6")) {
			key->family = NETOBS_FAMILY_IPV6;
			key->eth_proto = htons(0x86DD);
			af = AF_INET6;
		} else {
			return false;
		}
		if (inet_pton(af, f->ip_src, key->saddr) != 1 ||
		    inet_pton(af, f->ip_dst, key->daddr) != 1)
			return false;
	}
	if (flow_has(f, FM_L4) && (!flow_has(f, FM_IP) || !f->l4_proto))
		return false;
	if (f->has_stats_tcp_flags && key->proto != IPPROTO_TCP)
		return false;
	if (flow_has(f, FM_ETHERTYPE) && key->family != NETOBS_FAMILY_NONE)
		return false;
	if (flow_has(f, FM_ETHERNET)) {
		if (key->family != NETOBS_FAMILY_NONE || !mac_parse(f->eth_src, key->saddr) ||
		    !mac_parse(f->eth_dst, key->daddr))
			return false;
	}
	if (flow_has(f, FM_IP_PROTOCOL)) {
		if (key->family == NETOBS_FAMILY_NONE || flow_has(f, FM_L4))
			return false;
		key->proto = (uint8_t)f->ip_protocol;
	}
	/* the number decides; its name, when both are there, must agree */
	if (flow_has(f, FM_DROP_REASON) && f->drop_reason_desc >= 0 &&
	    (uint64_t)f->drop_reason_desc != f->drop_reason)
		return false;
	flow->drop_reason = (uint16_t)(flow_has(f, FM_DROP_REASON) || f->drop_reason_desc < 0
					       ? f->drop_reason
					       : (uint64_t)f->drop_reason_desc);
	record_key_restore_dropped(flow);
	return true;
}

struct lost_scan {
	struct netobs_record *rec;
	bool source, count;
};

static bool lost_member(struct scan *s, const char *key, void *ctx)
{
	struct lost_scan *l = ctx;
	uint64_t v;

	if (KEY_IS(key, "source") && !l->source) {
		l->source = true;
		return scan_enum(s, netobs_lost_source_from_name, &l->rec->lost.source);
	}
	if (KEY_IS(key, "num_events_lost") && !l->count) {
		l->count = true;
		return scan_uint_string(s, &l->rec->lost.count);
	}
	if (KEY_IS(key, "cpu")) {
		if (!scan_uint(s, INT32_MAX, &v))
			return false;
		l->rec->lost.cpu = (int32_t)v;
		return true;
	}
	return scan_fail(s);
}

int netobs_record_scan_line(const char *line, size_t len, struct netobs_record *rec,
			    struct netobs_record_storage *storage)
{
	struct scan s = {.p = line, .end = line + len};
	struct flow_scan f = {.rec = rec,
			      .storage = storage,
			      .drop_reason_desc = -1,
			      .last_member = FM_COUNT - 1};
	struct lost_scan l = {.rec = rec};
	bool has_time = false, has_node = false, has_body = false;
	char key[SCAN_KEY_MAX] = ""; /* as scan_object()'s, for KEY_IS() */
	int depth = 1;

	memset(rec, 0, sizeof(*rec));
	if (!scan_char(&s, '{'))
		return 0;
	do {
		if (!scan_key(&s, key, sizeof(key)))
			return 0;
		if ((KEY_IS(key, "flow") || KEY_IS(key, "lost_events")) && !has_body) {
			has_body = true;
			if (key[0] == 'f') {
				rec->kind = NETOBS_RECORD_FLOW;
				rec->flow.is_reply = -1;
				if (!scan_object(&s, flow_member, &f) || !flow_finish(&f))
					return 0;
			} else {
				rec->kind = NETOBS_RECORD_LOST_EVENTS;
				rec->lost.cpu = -1;
				if (!scan_object(&s, lost_member, &l) || !l.source || !l.count)
					return 0;
			}
		} else if (KEY_IS(key, "time") && !has_time) {
			has_time = true;
			if (!scan_time(&s, &rec->time_ns))
				return 0;
		} else if (KEY_IS(key, "node_name") && !has_node) {
			has_node = true;
			if (!skip_value(&s, depth))
				return 0;
		} else {
			return 0;
		}
	} while (scan_peek(&s, ',') && scan_char(&s, ','));
	if (!scan_char(&s, '}') || s.p != s.end || !has_body || !has_time)
		return 0;
	return 1;
}
