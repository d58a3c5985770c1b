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
 * agree on every record shape the writer makes.
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
	int flag = netobs_tcp_flag_from_name(key);
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
	uint32_t seen; /* bit per member: a repeated one is the full decoder's */
	bool has_ip, has_l4, has_stats_tcp_flags, has_ethertype, has_ethernet, has_ip_protocol;
	bool has_flow_event, has_hook, type_l7, has_type, has_l7, has_l4_flags;
	bool has_drop_reason;
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

	if (!strcmp(key, "source"))
		return scan_string(s, f->ip_src, sizeof(f->ip_src));
	if (!strcmp(key, "destination"))
		return scan_string(s, f->ip_dst, sizeof(f->ip_dst));
	if (!strcmp(key, "ipVersion"))
		return scan_string(s, f->ip_version, sizeof(f->ip_version));
	return scan_fail(s);
}

static bool l4_inner_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_flow_key *k = &f->rec->flow.key;
	bool ports = proto_has_ports(f->l4_proto);
	uint64_t v;

	if (ports && (!strcmp(key, "source_port") || !strcmp(key, "destination_port"))) {
		if (!scan_uint(s, 65535, &v))
			return false;
		if (key[0] == 's')
			k->sport = htons((uint16_t)v);
		else
			k->dport = htons((uint16_t)v);
		return true;
	}
	if (!ports && (!strcmp(key, "type") || !strcmp(key, "code"))) {
		if (!scan_uint(s, 255, &v))
			return false;
		if (key[0] == 't')
			k->icmp_type = (uint8_t)v;
		else
			k->icmp_code = (uint8_t)v;
		return true;
	}
	/* a repeated "flags" replaces the first in jansson, it does not add to it */
	if (f->l4_proto == IPPROTO_TCP && !strcmp(key, "flags") && !f->has_l4_flags) {
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

	if (!strcmp(key, "ID") || !strcmp(key, "identity")) {
		if (!scan_uint(s, UINT32_MAX, &v))
			return false;
		if (key[1] == 'D')
			peer->id = (uint32_t)v;
		else
			peer->identity = (uint32_t)v;
		return true;
	}
	if (!strcmp(key, "labels"))
		return scan_peek(s, '[') ? skip_value(s, depth) : scan_fail(s);
	if (!strcmp(key, "pod_name"))
		return scan_string(s, peer->name, sizeof(peer->name));
	return scan_fail(s);
}

static bool interface_member(struct scan *s, const char *key, void *ctx)
{
	struct netobs_flow_record *flow = ctx;
	uint64_t v;

	if (!strcmp(key, "index")) {
		if (!scan_uint(s, UINT32_MAX, &v))
			return false;
		flow->key.ifindex = (uint32_t)v;
		return true;
	}
	if (!strcmp(key, "name"))
		return scan_string(s, flow->ifname, sizeof(flow->ifname));
	return scan_fail(s);
}

static bool stats_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_flow_record *flow = &f->rec->flow;

	if (!strcmp(key, "packets"))
		return scan_uint_string(s, &flow->packets);
	if (!strcmp(key, "bytes"))
		return scan_uint_string(s, &flow->bytes);
	if (!strcmp(key, "first_seen"))
		return scan_time(s, &flow->first_seen_ns);
	if (!strcmp(key, "last_seen"))
		return scan_time(s, &flow->last_seen_ns);
	if (!strcmp(key, "tcp_flags") && !f->has_stats_tcp_flags) { /* as l4's "flags" */
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

	if (!strcmp(key, "source"))
		return scan_string(s, f->eth_src, sizeof(f->eth_src));
	if (!strcmp(key, "destination"))
		return scan_string(s, f->eth_dst, sizeof(f->eth_dst));
	return scan_fail(s);
}

/* The members of flow read here, in the writer's order; "l7" is not one:
 * L7 records are the full decoder's. */
static const char *const flow_members[] = {
	"time",
	"uuid",
	"verdict",
	"ethernet",
	"IP",
	"l4",
	"source",
	"destination",
	"Type",
	"node_name",
	"traffic_direction",
	"trace_observation_point",
	"trace_reason",
	"is_reply",
	"interface",
	"event_type",
	"source_names",
	"destination_names",
	"Summary",
	"stats",
	"flow_event",
	"end_reason",
	"hook",
	"vlan_id",
	"key_flags",
	"ethertype",
	"ip_protocol",
	/* the policy's, but not its lists (*_allowed_by, *_denied_by): the full decoder's */
	"drop_reason",
	"drop_reason_desc",
	"policy_match_type",
	"policy_verdict",
};

static bool flow_member(struct scan *s, const char *key, void *ctx)
{
	struct flow_scan *f = ctx;
	struct netobs_record *rec = f->rec;
	struct netobs_flow_record *flow = &rec->flow;
	size_t i, n = sizeof(flow_members) / sizeof(flow_members[0]);
	char text[64];
	uint64_t v;
	bool b;
	int depth = 1;

	for (i = 0; i < n && strcmp(key, flow_members[i]); i++)
		;
	if (i == n || (f->seen & (1u << i)))
		return scan_fail(s);
	f->seen |= 1u << i;
	switch (i) {
	case 0:	 /* time: the decoder reads the outer one */
	case 8:	 /* Type: checked at the end */
	case 9:	 /* node_name */
	case 12: /* trace_reason */
	case 15: /* event_type */
	case 18: /* Summary */
		if (i == 8) {
			f->has_type = true;
			if (!scan_string(s, text, sizeof(text)))
				return false;
			if (!strcmp(text, "L7"))
				f->type_l7 = true;
			else if (strcmp(text, "L3_L4"))
				return scan_fail(s);
			return true;
		}
		return skip_value(s, depth);
	case 1: {
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
			rec->seq = lo & ~(3ULL << 62);
		return true;
	}
	case 2:
		return scan_enum(s, netobs_verdict_from_name, &flow->verdict);
	case 3:
		f->has_ethernet = true;
		return scan_object(s, ethernet_member, f);
	case 4:
		f->has_ip = true;
		return scan_object(s, ip_member, f);
	case 5:
		f->has_l4 = true;
		return scan_object(s, l4_member, f);
	case 6:
	case 7:
		return scan_object(s, peer_member, i == 6 ? &flow->src : &flow->dst);
	case 10:
		return scan_enum(s, netobs_direction_from_name, &flow->direction);
	case 11:
		return scan_enum(s, netobs_obs_point_from_name, &flow->obs_point);
	case 13:
		if (!scan_bool(s, &b))
			return false;
		flow->is_reply = b ? 1 : 0;
		return true;
	case 14:
		return scan_object(s, interface_member, flow);
	case 16:
	case 17: {
		struct netobs_names *names =
			i == 16 ? &f->storage->source_names : &f->storage->destination_names;
		size_t count;

		if (!scan_array(s, NETOBS_NAMES_MAX, name_element, names, &count))
			return false;
		names->len = (uint8_t)count;
		if (i == 16)
			flow->source_names = names;
		else
			flow->destination_names = names;
		return true;
	}
	case 19:
		return scan_object(s, stats_member, f);
	case 20:
		f->has_flow_event = true;
		return scan_enum(s, netobs_flow_event_from_name, &flow->event);
	case 21:
		return scan_enum(s, netobs_end_reason_from_name, &flow->end_reason);
	case 22:
		f->has_hook = true;
		return scan_enum(s, netobs_hook_from_name, &flow->key.hook);
	case 23:
		if (!scan_uint(s, 4095, &v))
			return false;
		flow->key.vlan_id = (uint16_t)v;
		return true;
	case 24:
		return scan_array(s, SIZE_MAX, key_flag_element, &flow->key.key_flags, NULL);
	case 25: {
		char *end;

		f->has_ethertype = true;
		if (!scan_string(s, text, sizeof(text)))
			return false;
		errno = 0;
		v = strtoul(text, &end, 16);
		if (strncmp(text, "0x", 2) || !text[2] || *end || errno || v > 0xffff)
			return scan_fail(s);
		flow->key.eth_proto = htons((uint16_t)v);
		return true;
	}
	case 26:
		f->has_ip_protocol = true;
		return scan_uint(s, 255, &f->ip_protocol);
	case 27:
		f->has_drop_reason = true;
		return scan_uint(s, UINT16_MAX, &f->drop_reason);
	case 28:
		if (!scan_string(s, text, sizeof(text)))
			return false;
		f->drop_reason_desc = netobs_drop_reason_from_name(text);
		return f->drop_reason_desc >= 0 || scan_fail(s);
	case 29:
		if (!scan_uint(s, UINT8_MAX, &v))
			return false;
		flow->policy_match_type = (uint8_t)v;
		return true;
	case 30:
		return scan_enum(s, netobs_policy_verdict_from_name, &flow->policy_verdict);
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

/* What the full decoder checks across members, and the address text. */
static bool flow_finish(struct flow_scan *f)
{
	struct netobs_flow_record *flow = &f->rec->flow;
	struct netobs_flow_key *key = &flow->key;

	if (f->type_l7 || !f->has_flow_event || !f->has_hook)
		return false; /* L7 records, and the decoder's errors, are the full decoder's */
	if (f->has_ip) {
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
	if (f->has_l4 && (!f->has_ip || !f->l4_proto))
		return false;
	if (f->has_stats_tcp_flags && key->proto != IPPROTO_TCP)
		return false;
	if (f->has_ethertype && key->family != NETOBS_FAMILY_NONE)
		return false;
	if (f->has_ethernet) {
		if (key->family != NETOBS_FAMILY_NONE || !mac_parse(f->eth_src, key->saddr) ||
		    !mac_parse(f->eth_dst, key->daddr))
			return false;
	}
	if (f->has_ip_protocol) {
		if (key->family == NETOBS_FAMILY_NONE || f->has_l4)
			return false;
		key->proto = (uint8_t)f->ip_protocol;
	}
	/* the number decides; its name, when both are there, must agree */
	if (f->has_drop_reason && f->drop_reason_desc >= 0 &&
	    (uint64_t)f->drop_reason_desc != f->drop_reason)
		return false;
	flow->drop_reason = (uint16_t)(f->has_drop_reason || f->drop_reason_desc < 0
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

	if (!strcmp(key, "source") && !l->source) {
		l->source = true;
		return scan_enum(s, netobs_lost_source_from_name, &l->rec->lost.source);
	}
	if (!strcmp(key, "num_events_lost") && !l->count) {
		l->count = true;
		return scan_uint_string(s, &l->rec->lost.count);
	}
	if (!strcmp(key, "cpu")) {
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
	struct flow_scan f = {.rec = rec, .storage = storage, .drop_reason_desc = -1};
	struct lost_scan l = {.rec = rec};
	bool has_time = false, has_node = false, has_body = false;
	char key[32];
	int depth = 1;

	memset(rec, 0, sizeof(*rec));
	if (!scan_char(&s, '{'))
		return 0;
	do {
		if (!scan_key(&s, key, sizeof(key)))
			return 0;
		if ((!strcmp(key, "flow") || !strcmp(key, "lost_events")) && !has_body) {
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
		} else if (!strcmp(key, "time") && !has_time) {
			has_time = true;
			if (!scan_time(&s, &rec->time_ns))
				return 0;
		} else if (!strcmp(key, "node_name") && !has_node) {
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
