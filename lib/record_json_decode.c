// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The one place JSON becomes a record again: the inverse of
 * record_json_encode.c, accepting what it writes (Hubble's protojson layout,
 * 64-bit integers as numbers or decimal strings) and naming the offending
 * field in every error so a bad request can be fixed from the message.
 * The L7 part is record_json_decode_l7.c's; the helpers both use are in
 * record_json_decode.h.
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
#include <sys/socket.h>

#include "record.h"
#include "record_json_decode.h"
#include "record_json_internal.h"

#define ETH_P_IPV4_HOST 0x0800
#define ETH_P_IPV6_HOST 0x86DD

static int get_time(struct decoder *d, const json_t *obj, const char *where, const char *key,
		    bool required, uint64_t *out)
{
	json_t *value;
	int err;

	err = get_member(d, obj, where, key, JSON_STRING, required, &value);
	if (err || !value)
		return err;
	if (netobs_time_parse_rfc3339(json_string_value(value), out))
		return decode_fail(d, "%s.%s: '%s' is not an RFC 3339 time", where, key,
				   json_string_value(value));
	return 0;
}

static int decode_uuid_seq(struct decoder *d, const json_t *flow, uint64_t *seq)
{
	json_t *value;
	const char *text;
	uint64_t lo = 0;
	int err;

	err = get_member(d, flow, "flow", "uuid", JSON_STRING, false, &value);
	if (err || !value)
		return err;
	text = json_string_value(value);
	if (strlen(text) != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
	    text[23] != '-')
		return decode_fail(d, "flow.uuid: '%s' is not a UUID", text);
	for (int i = 0; i < 36; i++) {
		char c = text[i];
		int digit;

		if (i == 8 || i == 13 || i == 18 || i == 23)
			continue;
		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return decode_fail(d, "flow.uuid: '%s' is not a UUID", text);
		if (i >= 19)
			lo = lo << 4 | (uint64_t)digit;
	}
	/* Only netobs's own version-8 uuids carry seq. */
	if (text[14] == '8')
		*seq = lo & ~(3ULL << 62);
	return 0;
}

static int decode_ip(struct decoder *d, const json_t *ip, struct netobs_flow_key *key)
{
	json_t *version, *src, *dst;
	const char *ver;
	int af, err;

	if ((err = get_member(d, ip, "flow.IP", "ipVersion", JSON_STRING, true, &version)) ||
	    (err = get_member(d, ip, "flow.IP", "source", JSON_STRING, true, &src)) ||
	    (err = get_member(d, ip, "flow.IP", "destination", JSON_STRING, true, &dst)))
		return err;
	ver = json_string_value(version);
	if (!strcmp(ver, "IPv4")) {
		key->family = NETOBS_FAMILY_IPV4;
		key->eth_proto = htons(ETH_P_IPV4_HOST);
		af = AF_INET;
	} else if (!strcmp(ver, "IPv6")) {
		key->family = NETOBS_FAMILY_IPV6;
		key->eth_proto = htons(ETH_P_IPV6_HOST);
		af = AF_INET6;
	} else {
		return decode_fail(d, "flow.IP.ipVersion: unknown value '%s'", ver);
	}
	if (inet_pton(af, json_string_value(src), key->saddr) != 1)
		return decode_fail(d, "flow.IP.source: '%s' is not an %s address",
				   json_string_value(src), ver);
	if (inet_pton(af, json_string_value(dst), key->daddr) != 1)
		return decode_fail(d, "flow.IP.destination: '%s' is not an %s address",
				   json_string_value(dst), ver);
	return 0;
}

static int decode_tcp_flags(struct decoder *d, const json_t *flags, const char *where,
			    uint16_t *out)
{
	const char *name;
	json_t *value;

	json_object_foreach ((json_t *)flags, name, value) {
		int flag = netobs_tcp_flag_from_name(name);

		if (flag < 0)
			return decode_fail(d, "%s: unknown flag '%s'", where, name);
		if (!json_is_boolean(value))
			return decode_fail(d, "%s.%s: expected a boolean", where, name);
		if (json_is_true(value))
			*out |= flag;
	}
	return 0;
}

static int decode_l4(struct decoder *d, const json_t *l4, struct netobs_flow_record *flow)
{
	struct netobs_flow_key *key = &flow->key;
	const char *name;
	json_t *inner, *flags;
	char where[32];
	uint64_t a = 0, b = 0;
	size_t i;
	int err;

	if (json_object_size(l4) != 1)
		return decode_fail(
			d, "flow.l4: expected exactly one of TCP, UDP, SCTP, ICMPv4, ICMPv6");
	json_object_foreach ((json_t *)l4, name, inner) {
		for (i = 0; i < L4_KIND_COUNT; i++)
			if (!strcmp(l4_kinds[i].name, name))
				break;
		if (i == L4_KIND_COUNT)
			return decode_fail(d, "flow.l4: unknown protocol '%s'", name);
		if (!json_is_object(inner))
			return decode_fail(d, "flow.l4.%s: expected an object", name);
		snprintf(where, sizeof(where), "flow.l4.%s", name);
		key->proto = l4_kinds[i].proto;
		if (proto_has_ports(key->proto)) {
			if ((err = get_uint(d, inner, where, "source_port", 65535, false, &a)) ||
			    (err = get_uint(d, inner, where, "destination_port", 65535, false, &b)))
				return err;
			key->sport = htons((uint16_t)a);
			key->dport = htons((uint16_t)b);
		} else {
			if ((err = get_uint(d, inner, where, "type", 255, false, &a)) ||
			    (err = get_uint(d, inner, where, "code", 255, false, &b)))
				return err;
			key->icmp_type = (uint8_t)a;
			key->icmp_code = (uint8_t)b;
		}
		if (key->proto == IPPROTO_TCP) {
			err = get_member(d, inner, where, "flags", JSON_OBJECT, false, &flags);
			if (err)
				return err;
			if (flags && (err = decode_tcp_flags(d, flags, "flow.l4.TCP.flags",
							     &flow->tcp_flags)))
				return err;
		}
	}
	return 0;
}

static int decode_peer(struct decoder *d, const json_t *flow, const char *key,
		       struct netobs_peer *peer)
{
	json_t *obj, *name, *labels;
	char where[32];
	uint64_t value = 0;
	int err;

	err = get_member(d, flow, "flow", key, JSON_OBJECT, false, &obj);
	if (err || !obj)
		return err;
	snprintf(where, sizeof(where), "flow.%s", key);
	if ((err = get_uint(d, obj, where, "ID", UINT32_MAX, false, &value)))
		return err;
	peer->id = (uint32_t)value;
	value = 0;
	if ((err = get_uint(d, obj, where, "identity", UINT32_MAX, false, &value)))
		return err;
	peer->identity = (uint32_t)value;
	if ((err = get_member(d, obj, where, "labels", JSON_ARRAY, false, &labels)) ||
	    (err = get_member(d, obj, where, "pod_name", JSON_STRING, false, &name)))
		return err;
	if (name) {
		if (strlen(json_string_value(name)) >= sizeof(peer->name))
			return decode_fail(d, "%s.pod_name: longer than %d characters", where,
					   NETOBS_NAME_MAX - 1);
		strcpy(peer->name, json_string_value(name));
	}
	return 0;
}

static int decode_interface(struct decoder *d, const json_t *flow, struct netobs_flow_record *rec)
{
	json_t *iface, *name;
	uint64_t index = 0;
	int err;

	err = get_member(d, flow, "flow", "interface", JSON_OBJECT, false, &iface);
	if (err || !iface)
		return err;
	if ((err = get_uint(d, iface, "flow.interface", "index", UINT32_MAX, false, &index)) ||
	    (err = get_member(d, iface, "flow.interface", "name", JSON_STRING, false, &name)))
		return err;
	rec->key.ifindex = (uint32_t)index;
	if (name) {
		if (strlen(json_string_value(name)) >= sizeof(rec->ifname))
			return decode_fail(d, "flow.interface.name: longer than %d characters",
					   NETOBS_IFNAME_MAX - 1);
		strcpy(rec->ifname, json_string_value(name));
	}
	return 0;
}

static int decode_key_flags(struct decoder *d, const json_t *flow, uint8_t *out)
{
	json_t *names, *name;
	size_t i, j;
	int err;

	err = get_member(d, flow, "flow", "key_flags", JSON_ARRAY, false, &names);
	if (err || !names)
		return err;
	json_array_foreach (names, i, name) {
		for (j = 0; j < KEY_FLAG_COUNT; j++)
			if (json_is_string(name) &&
			    !strcmp(json_string_value(name), key_flag_names[j].name))
				break;
		if (j == KEY_FLAG_COUNT)
			return decode_fail(d, "flow.key_flags[%zu]: unknown key flag", i);
		*out |= key_flag_names[j].flag;
	}
	return 0;
}

static int decode_stats(struct decoder *d, const json_t *flow, struct netobs_flow_record *rec)
{
	json_t *stats, *flags;
	int err;

	err = get_member(d, flow, "flow", "stats", JSON_OBJECT, false, &stats);
	if (err || !stats)
		return err;
	if ((err = get_uint(d, stats, "flow.stats", "packets", UINT64_MAX, false, &rec->packets)) ||
	    (err = get_uint(d, stats, "flow.stats", "bytes", UINT64_MAX, false, &rec->bytes)) ||
	    (err = get_time(d, stats, "flow.stats", "first_seen", false, &rec->first_seen_ns)) ||
	    (err = get_time(d, stats, "flow.stats", "last_seen", false, &rec->last_seen_ns)) ||
	    (err = get_member(d, stats, "flow.stats", "tcp_flags", JSON_OBJECT, false, &flags)))
		return err;
	if (flags && rec->key.proto != IPPROTO_TCP)
		return decode_fail(d, "flow.stats.tcp_flags: only for TCP records");
	if (flags)
		return decode_tcp_flags(d, flags, "flow.stats.tcp_flags", &rec->tcp_flags_seen);
	return 0;
}

/* "aa:bb:cc:dd:ee:ff" (either case) into mac[6]. */
static int decode_mac(struct decoder *d, const json_t *eth, const char *key, uint8_t mac[6])
{
	json_t *value;
	const char *text;
	int used = 0, err;

	if ((err = get_member(d, eth, "flow.ethernet", key, JSON_STRING, true, &value)))
		return err;
	text = json_string_value(value);
	if (strlen(text) != 17 ||
	    sscanf(text, "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx%n", &mac[0], &mac[1], &mac[2],
		   &mac[3], &mac[4], &mac[5], &used) != 6 ||
	    used != 17)
		return decode_fail(d, "flow.ethernet.%s: '%s' is not a MAC address", key, text);
	return 0;
}

/* flow.ethernet: the MACs of a non-IP flow, kept in the address bytes. */
static int decode_ethernet(struct decoder *d, const json_t *obj, struct netobs_flow_key *key)
{
	json_t *eth;
	int err;

	if ((err = get_member(d, obj, "flow", "ethernet", JSON_OBJECT, false, &eth)) || !eth)
		return err;
	if (key->family != NETOBS_FAMILY_NONE)
		return decode_fail(d, "flow.ethernet: present on an IP record");
	if ((err = decode_mac(d, eth, "source", key->saddr)) ||
	    (err = decode_mac(d, eth, "destination", key->daddr)))
		return err;
	return 0;
}

static int decode_names(struct decoder *d, const json_t *obj, const char *key,
			struct netobs_names *names, const struct netobs_names **out)
{
	char where[64];
	json_t *list, *name;
	size_t i;
	int err;

	snprintf(where, sizeof(where), "flow.%s", key);
	if ((err = get_array(d, obj, "flow", key, NETOBS_NAMES_MAX, &list)) || !list)
		return err;
	if (!d->storage)
		return decode_fail(d, "%s: the caller gave no storage for names", where);
	json_array_foreach (list, i, name) {
		snprintf(where, sizeof(where), "flow.%s[%zu]", key, i);
		if ((err = copy_string(d, name, where, names->name[i], NETOBS_NAME_TEXT_MAX)))
			return err;
	}
	names->len = (uint8_t)json_array_size(list);
	*out = names;
	return 0;
}

/* [{"name", "kind", "revision"}] of one policy into storage->policy. */
static int decode_policy_ref(struct decoder *d, const json_t *list, const char *key,
			     struct netobs_policy_ref *out)
{
	json_t *entry, *name, *kind;
	char where[48];
	int err;

	if (json_array_size(list) != 1)
		return decode_fail(d, "flow.%s: expected a list of one policy", key);
	snprintf(where, sizeof(where), "flow.%s[0]", key);
	entry = json_array_get(list, 0);
	if (!json_is_object(entry))
		return decode_fail(d, "%s: expected an object", where);
	if ((err = get_member(d, entry, where, "name", JSON_STRING, true, &name)) ||
	    (err = get_member(d, entry, where, "kind", JSON_STRING, true, &kind)) ||
	    (err = get_uint(d, entry, where, "revision", UINT64_MAX, false, &out->revision)))
		return err;
	snprintf(where, sizeof(where), "flow.%s[0].name", key);
	if ((err = copy_string(d, name, where, out->name, sizeof(out->name))))
		return err;
	snprintf(where, sizeof(where), "flow.%s[0].kind", key);
	return copy_string(d, kind, where, out->kind, sizeof(out->kind));
}

/*
 * The policy fields: verdict's drop reason (the number; its name, when
 * both are there, must agree), policy_match_type, policy_verdict and the
 * one policy list the encoder writes for them (policy_list_key()).
 */
static int decode_policy(struct decoder *d, const json_t *obj, struct netobs_flow_record *flow)
{
	const char *list_key = NULL;
	json_t *list = NULL;
	uint64_t number = 0;
	int e = NETOBS_PV_NONE, desc = -1, err;

	if ((err = get_uint(d, obj, "flow", "drop_reason", UINT16_MAX, false, &number)) ||
	    (err = get_enum(d, obj, "flow", "drop_reason_desc", netobs_drop_reason_from_name, false,
			    &desc)))
		return err;
	if (json_object_get(obj, "drop_reason") && desc >= 0 && (uint64_t)desc != number)
		return decode_fail(d, "flow.drop_reason_desc: names %d, not drop_reason %" PRIu64,
				   desc, number);
	flow->drop_reason =
		(uint16_t)(json_object_get(obj, "drop_reason") || desc < 0 ? number
									   : (uint64_t)desc);
	number = 0;
	if ((err = get_uint(d, obj, "flow", "policy_match_type", UINT8_MAX, false, &number)) ||
	    (err = get_enum(d, obj, "flow", "policy_verdict", netobs_policy_verdict_from_name,
			    false, &e)))
		return err;
	flow->policy_match_type = (uint8_t)number;
	flow->policy_verdict = (uint8_t)e;
	for (size_t i = 0; i < sizeof(policy_list_keys) / sizeof(policy_list_keys[0]); i++) {
		json_t *found;

		if ((err = get_member(d, obj, "flow", policy_list_keys[i], JSON_ARRAY, false,
				      &found)))
			return err;
		if (found && list)
			return decode_fail(d,
					   "flow: both \"%s\" and \"%s\": a record names one "
					   "policy",
					   list_key, policy_list_keys[i]);
		if (found) {
			list = found;
			list_key = policy_list_keys[i];
		}
	}
	if (!list)
		return 0;
	if (!d->storage)
		return decode_fail(d, "flow.%s: the caller gave no storage for policies", list_key);
	if ((err = decode_policy_ref(d, list, list_key, &d->storage->policy)))
		return err;
	flow->policy = &d->storage->policy;
	/* Where the encoder would put it, or it would not come back the same. */
	if (!policy_list_key(flow) || strcmp(policy_list_key(flow), list_key))
		return decode_fail(d,
				   "flow.%s: does not go with policy_verdict %s and "
				   "traffic_direction %s",
				   list_key, netobs_policy_verdict_name(flow->policy_verdict),
				   netobs_direction_name(flow->direction));
	return 0;
}

static int decode_flow(struct decoder *d, const json_t *obj, struct netobs_record *rec)
{
	struct netobs_flow_record *flow = &rec->flow;
	struct netobs_flow_key *key = &flow->key;
	json_t *value;
	uint64_t number;
	int e, err;

	rec->kind = NETOBS_RECORD_FLOW;
	flow->is_reply = -1;
	if ((err = decode_uuid_seq(d, obj, &rec->seq)))
		return err;
	e = NETOBS_VERDICT_UNKNOWN;
	if ((err = get_enum(d, obj, "flow", "verdict", netobs_verdict_from_name, false, &e)))
		return err;
	flow->verdict = (uint8_t)e;
	if ((err = get_member(d, obj, "flow", "IP", JSON_OBJECT, false, &value)))
		return err;
	if (value && (err = decode_ip(d, value, key)))
		return err;
	if ((err = get_member(d, obj, "flow", "l4", JSON_OBJECT, false, &value)))
		return err;
	if (value && key->family == NETOBS_FAMILY_NONE)
		return decode_fail(d, "flow.l4: present without flow.IP");
	if (value && (err = decode_l4(d, value, flow)))
		return err;
	if ((err = decode_peer(d, obj, "source", &flow->src)) ||
	    (err = decode_peer(d, obj, "destination", &flow->dst)))
		return err;
	e = NETOBS_DIR_UNKNOWN;
	if ((err = get_enum(d, obj, "flow", "traffic_direction", netobs_direction_from_name, false,
			    &e)))
		return err;
	flow->direction = (uint8_t)e;
	e = NETOBS_OBS_UNKNOWN;
	if ((err = get_enum(d, obj, "flow", "trace_observation_point", netobs_obs_point_from_name,
			    false, &e)))
		return err;
	flow->obs_point = (uint8_t)e;
	if ((err = get_member(d, obj, "flow", "is_reply", JSON_TRUE, false, &value)))
		return err;
	if (value)
		flow->is_reply = json_is_true(value) ? 1 : 0;
	if ((err = decode_interface(d, obj, flow)) || (err = record_decode_l7(d, obj, flow)))
		return err;
	if (d->storage &&
	    ((err = decode_names(d, obj, "source_names", &d->storage->source_names,
				 &flow->source_names)) ||
	     (err = decode_names(d, obj, "destination_names", &d->storage->destination_names,
				 &flow->destination_names))))
		return err;
	if (!d->storage &&
	    (json_object_get(obj, "source_names") || json_object_get(obj, "destination_names")))
		return decode_fail(d,
				   "flow: the caller gave no storage for source/destination_names");
	if (flow->l7 && (json_object_get(obj, "stats") || json_object_get(obj, "flow_event")))
		return decode_fail(d, "flow: an L7 record has no \"stats\" or \"flow_event\"");
	if ((err = decode_stats(d, obj, flow)))
		return err;

	e = NETOBS_FLOW_EVENT_NEW;
	if ((err = get_enum(d, obj, "flow", "flow_event", netobs_flow_event_from_name, !flow->l7,
			    &e)))
		return err;
	flow->event = (uint8_t)e;
	e = NETOBS_END_NONE;
	if ((err = get_enum(d, obj, "flow", "end_reason", netobs_end_reason_from_name, false, &e)))
		return err;
	/* The writer names a reason on END only: anything else would not
	 * survive a round trip. */
	if (e != NETOBS_END_NONE && flow->event != NETOBS_FLOW_EVENT_END)
		return decode_fail(d, "flow: \"end_reason\" is only on an END \"flow_event\"");
	flow->end_reason = (uint8_t)e;
	if ((err = get_enum(d, obj, "flow", "hook", netobs_hook_from_name, true, &e)))
		return err;
	key->hook = (uint8_t)e;
	number = 0;
	if ((err = get_uint(d, obj, "flow", "vlan_id", 4095, false, &number)))
		return err;
	key->vlan_id = (uint16_t)number;
	if ((err = decode_key_flags(d, obj, &key->key_flags)) ||
	    (err = decode_policy(d, obj, flow)))
		return err;
	record_key_restore_dropped(flow);
	if ((err = get_member(d, obj, "flow", "ethertype", JSON_STRING, false, &value)))
		return err;
	if (value) {
		const char *text = json_string_value(value);
		char *end;
		unsigned long type;

		errno = 0;
		type = strtoul(text, &end, 16);
		if (strncmp(text, "0x", 2) || !text[2] || *end || errno || type > 0xffff)
			return decode_fail(d, "flow.ethertype: '%s' is not a 0xNNNN EtherType",
					   text);
		if (key->family != NETOBS_FAMILY_NONE)
			return decode_fail(d, "flow.ethertype: present on an IP record");
		key->eth_proto = htons((uint16_t)type);
	}
	if ((err = decode_ethernet(d, obj, key)))
		return err;
	value = json_object_get(obj, "ip_protocol");
	if (value) {
		if (key->family == NETOBS_FAMILY_NONE || json_object_get(obj, "l4"))
			return decode_fail(d, "flow.ip_protocol: only for IP records without l4");
		if ((err = get_uint(d, obj, "flow", "ip_protocol", 255, true, &number)))
			return err;
		key->proto = (uint8_t)number;
	}
	return 0;
}

static int decode_lost(struct decoder *d, const json_t *obj, struct netobs_record *rec)
{
	uint64_t cpu = 0;
	json_t *value;
	int source = 0, err;

	rec->kind = NETOBS_RECORD_LOST_EVENTS;
	rec->lost.cpu = -1;
	if ((err = get_enum(d, obj, "lost_events", "source", netobs_lost_source_from_name, true,
			    &source)) ||
	    (err = get_uint(d, obj, "lost_events", "num_events_lost", UINT64_MAX, true,
			    &rec->lost.count)))
		return err;
	rec->lost.source = (uint8_t)source;
	value = json_object_get(obj, "cpu");
	if (value) {
		if ((err = get_uint(d, obj, "lost_events", "cpu", INT32_MAX, true, &cpu)))
			return err;
		rec->lost.cpu = (int32_t)cpu;
	}
	return 0;
}

int netobs_record_from_json(const json_t *obj, struct netobs_record *rec, char *err, size_t errlen)
{
	return netobs_record_from_json_into(obj, rec, NULL, err, errlen);
}

int netobs_record_from_json_into(const json_t *obj, struct netobs_record *rec,
				 struct netobs_record_storage *storage, char *err, size_t errlen)
{
	struct decoder d = {.err = err, .errlen = errlen, .storage = storage};
	json_t *flow, *lost;
	int ret;

	memset(rec, 0, sizeof(*rec));
	if (storage)
		memset(storage, 0, sizeof(*storage));
	if (errlen)
		err[0] = '\0';
	if (!json_is_object(obj))
		return decode_fail(&d, "record: expected a JSON object");
	if ((ret = get_member(&d, obj, "record", "flow", JSON_OBJECT, false, &flow)) ||
	    (ret = get_member(&d, obj, "record", "lost_events", JSON_OBJECT, false, &lost)))
		return ret;
	if (!flow == !lost)
		return decode_fail(&d, "record: expected exactly one of \"flow\", \"lost_events\"");
	if ((ret = get_time(&d, obj, "record", "time", true, &rec->time_ns)))
		return ret;
	ret = flow ? decode_flow(&d, flow, rec) : decode_lost(&d, lost, rec);
	if (ret)
		memset(rec, 0, sizeof(*rec));
	return ret;
}
