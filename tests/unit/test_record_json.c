// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Record model: enum names, time and flag formatting, JSON encoding and decoding. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "record_schema.h"

Suite *netobs_test_suite(void);

/* 2025-11-25T10:52:20Z, computed with Python's calendar.timegm() */
#define T0_SECS 1764067940ULL
#define T0_NS	(T0_SECS * 1000000000ULL + 150000000ULL)

static void set_v4(uint8_t addr[16], const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET, text, addr), 1);
}

static void set_v6(uint8_t addr[16], const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, addr), 1);
}

/* The TCP SYN from client:47194 to echo:80 most tests start from. */
static void make_tcp_syn(struct netobs_record *rec)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = 42;
	rec->time_ns = T0_NS;
	set_v4(f->key.saddr, "10.0.0.1");
	set_v4(f->key.daddr, "10.0.0.2");
	f->key.sport = htons(47194);
	f->key.dport = htons(80);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.proto = IPPROTO_TCP;
	f->key.hook = NETOBS_HOOK_TC_EGRESS;
	f->key.ifindex = 7;
	strcpy(f->ifname, "veth-echo");
	f->packets = 1;
	f->bytes = 74;
	f->first_seen_ns = T0_NS;
	f->last_seen_ns = T0_NS;
	f->src.id = 12;
	strcpy(f->src.name, "client");
	f->dst.id = 14;
	strcpy(f->dst.name, "echo");
	f->tcp_flags = NETOBS_TCP_SYN;
	f->tcp_flags_seen = NETOBS_TCP_SYN;
	f->event = NETOBS_FLOW_EVENT_NEW;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->direction = NETOBS_DIR_INGRESS;
	f->obs_point = NETOBS_OBS_TO_ENDPOINT;
	f->is_reply = 0;
}

static void make_lost(struct netobs_record *rec, uint8_t source, uint64_t count, int32_t cpu)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_LOST_EVENTS;
	rec->time_ns = T0_NS;
	rec->lost.source = source;
	rec->lost.count = count;
	rec->lost.cpu = cpu;
}

static void assert_json_equals(json_t *actual, const char *expected_text)
{
	json_error_t error;
	json_t *expected = json_loads(expected_text, 0, &error);
	char *dump;

	ck_assert_msg(expected, "bad expected JSON in test: %s", error.text);
	dump = json_dumps(actual, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(json_equal(actual, expected), "got %s", dump);
	free(dump);
	json_decref(expected);
}

START_TEST(test_enum_names)
{
	ck_assert_str_eq(netobs_verdict_name(NETOBS_VERDICT_FORWARDED), "FORWARDED");
	ck_assert_str_eq(netobs_verdict_name(NETOBS_VERDICT_DROPPED), "DROPPED");
	ck_assert_str_eq(netobs_verdict_name(99), "VERDICT_UNKNOWN");
	ck_assert_int_eq(netobs_verdict_from_name("audit"), NETOBS_VERDICT_AUDIT);
	ck_assert_int_eq(netobs_verdict_from_name("Error"), NETOBS_VERDICT_ERROR);
	ck_assert_int_eq(netobs_verdict_from_name("bogus"), -1);
	ck_assert_str_eq(netobs_direction_name(NETOBS_DIR_EGRESS), "EGRESS");
	ck_assert_str_eq(netobs_direction_name(0), "TRAFFIC_DIRECTION_UNKNOWN");
	ck_assert_int_eq(netobs_direction_from_name("ingress"), NETOBS_DIR_INGRESS);
	ck_assert_str_eq(netobs_obs_point_name(101), "TO_ENDPOINT");
	ck_assert_str_eq(netobs_obs_point_name(5), "FROM_ENDPOINT");
	ck_assert_str_eq(netobs_obs_point_name(10), "FROM_NETWORK");
	ck_assert_str_eq(netobs_obs_point_name(11), "TO_NETWORK");
	ck_assert_str_eq(netobs_obs_point_name(0), "UNKNOWN_POINT");
	ck_assert_int_eq(netobs_obs_point_from_name("to_network"), 11);
	ck_assert_str_eq(netobs_flow_event_name(NETOBS_FLOW_EVENT_TCP_FLAGS), "TCP_FLAGS");
	ck_assert_int_eq(netobs_flow_event_from_name("end"), NETOBS_FLOW_EVENT_END);
	ck_assert_str_eq(netobs_end_reason_name(NETOBS_END_IDLE), "IDLE");
	ck_assert_int_eq(netobs_end_reason_from_name("forced"), NETOBS_END_FORCED);
	ck_assert_str_eq(netobs_lost_source_name(1), "PERF_EVENT_RING_BUFFER");
	ck_assert_str_eq(netobs_lost_source_name(3), "HUBBLE_RING_BUFFER");
	ck_assert_str_eq(netobs_lost_source_name(0), "UNKNOWN_LOST_EVENT_SOURCE");
	ck_assert_int_eq(netobs_lost_source_from_name("observer_events_queue"), 2);
	ck_assert_str_eq(netobs_hook_name(NETOBS_HOOK_XDP), "xdp");
	ck_assert_int_eq(netobs_hook_from_name("tc-ingress"), NETOBS_HOOK_TC_INGRESS);
	ck_assert_int_eq(netobs_hook_from_name("unknown"), -1);
}
END_TEST

START_TEST(test_tcp_flags_format)
{
	char buf[64];

	netobs_tcp_flags_format(NETOBS_TCP_FIN | NETOBS_TCP_SYN | NETOBS_TCP_ACK, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SYN, ACK, FIN");
	netobs_tcp_flags_format(0x1ff, buf, sizeof(buf));
	ck_assert_str_eq(buf, "SYN, ACK, RST, FIN, PSH, URG, ECE, CWR, NS");
	netobs_tcp_flags_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	netobs_tcp_flags_format(NETOBS_TCP_SYN | NETOBS_TCP_ACK, buf, 6);
	ck_assert_str_eq(buf, "SYN"); /* "SYN, ACK" does not fit: cut, terminated */
}
END_TEST

START_TEST(test_addr_format)
{
	uint8_t addr[16] = {0};
	char buf[64];

	set_v4(addr, "192.168.1.20");
	netobs_addr_format(NETOBS_FAMILY_IPV4, addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "192.168.1.20");
	set_v6(addr, "fd00:0:0::1");
	netobs_addr_format(NETOBS_FAMILY_IPV6, addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "fd00::1");
	netobs_addr_format(NETOBS_FAMILY_NONE, addr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_time_rfc3339)
{
	uint64_t ns = 1;
	char buf[64];

	netobs_time_format_rfc3339(T0_NS, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2025-11-25T10:52:20.150000000Z");
	netobs_time_format_rfc3339(946684800ULL * 1000000000ULL + 7, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2000-01-01T00:00:00.000000007Z");

	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20Z", &ns), 0);
	ck_assert_uint_eq(ns, T0_SECS * 1000000000ULL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20.15Z", &ns), 0);
	ck_assert_uint_eq(ns, T0_NS);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20.150000000Z", &ns), 0);
	ck_assert_uint_eq(ns, T0_NS);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T12:52:20+02:00", &ns), 0);
	ck_assert_uint_eq(ns, T0_SECS * 1000000000ULL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T05:22:20.5-05:30", &ns), 0);
	ck_assert_uint_eq(ns, T0_SECS * 1000000000ULL + 500000000ULL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2024-02-29t00:00:00z", &ns), 0);
	ck_assert_uint_eq(ns, 1709164800ULL * 1000000000ULL);

	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-02-29T00:00:00Z", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-13-01T00:00:00Z", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T24:00:00Z", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20Zx", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("2025-11-25T10:52:20.Z", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("1969-12-31T23:59:59Z", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("yesterday", &ns), -EINVAL);
	ck_assert_int_eq(netobs_time_parse_rfc3339("", &ns), -EINVAL);
}
END_TEST

START_TEST(test_json_tcp_syn_exact)
{
	struct netobs_record rec;
	json_t *obj;

	make_tcp_syn(&rec);
	obj = netobs_record_to_json(&rec, "node1");
	ck_assert_ptr_nonnull(obj);
	assert_json_equals(
		obj,
		"{\"flow\": {"
		"\"time\": \"2025-11-25T10:52:20.150000000Z\","
		"\"uuid\": \"ca4eba72-0723-8f14-8000-00000000002a\","
		"\"verdict\": \"FORWARDED\","
		"\"IP\": {\"source\": \"10.0.0.1\", \"destination\": \"10.0.0.2\","
		" \"ipVersion\": \"IPv4\"},"
		"\"l4\": {\"TCP\": {\"source_port\": 47194, \"destination_port\": 80,"
		" \"flags\": {\"SYN\": true}}},"
		"\"source\": {\"ID\": 12, \"labels\": [\"netobs:endpoint=client\"],"
		" \"pod_name\": \"client\"},"
		"\"destination\": {\"ID\": 14, \"labels\": [\"netobs:endpoint=echo\"],"
		" \"pod_name\": \"echo\"},"
		"\"Type\": \"L3_L4\", \"node_name\": \"node1\","
		"\"traffic_direction\": \"INGRESS\", \"trace_observation_point\": \"TO_ENDPOINT\","
		"\"trace_reason\": \"NEW\", \"is_reply\": false,"
		"\"interface\": {\"index\": 7, \"name\": \"veth-echo\"},"
		"\"event_type\": {\"type\": 4},"
		"\"Summary\": \"TCP Flags: SYN\","
		"\"stats\": {\"packets\": \"1\", \"bytes\": \"74\","
		" \"first_seen\": \"2025-11-25T10:52:20.150000000Z\","
		" \"last_seen\": \"2025-11-25T10:52:20.150000000Z\","
		" \"tcp_flags\": {\"SYN\": true}},"
		"\"flow_event\": \"NEW\", \"hook\": \"tc-egress\"},"
		"\"node_name\": \"node1\", \"time\": \"2025-11-25T10:52:20.150000000Z\"}");
	json_decref(obj);
}
END_TEST

START_TEST(test_json_lost_exact)
{
	struct netobs_record rec;
	json_t *obj;
	char *text;

	make_lost(&rec, NETOBS_LOST_OBSERVER_EVENTS_QUEUE, 17, 0);
	obj = netobs_record_to_json(&rec, "n1");
	ck_assert_ptr_nonnull(obj);
	text = json_dumps(obj, JSON_COMPACT);
	ck_assert_str_eq(text, "{\"lost_events\":{\"source\":\"OBSERVER_EVENTS_QUEUE\","
			       "\"num_events_lost\":\"17\",\"cpu\":0},\"node_name\":\"n1\","
			       "\"time\":\"2025-11-25T10:52:20.150000000Z\"}");
	free(text);
	json_decref(obj);

	make_lost(&rec, NETOBS_LOST_HUBBLE_RING_BUFFER, 18446744073709551615ULL, -1);
	obj = netobs_record_to_json(&rec, "n1");
	assert_json_equals(obj, "{\"lost_events\": {\"source\": \"HUBBLE_RING_BUFFER\","
				" \"num_events_lost\": \"18446744073709551615\"},"
				" \"node_name\": \"n1\","
				" \"time\": \"2025-11-25T10:52:20.150000000Z\"}");
	json_decref(obj);
}
END_TEST

/* Encode one record and return flow.<member> (borrowed from *obj). */
static json_t *encoded_member(const struct netobs_record *rec, json_t **obj, const char *member)
{
	*obj = netobs_record_to_json(rec, "node1");
	ck_assert_ptr_nonnull(*obj);
	return json_object_get(json_object_get(*obj, "flow"), member);
}

START_TEST(test_json_field_variants)
{
	struct netobs_record rec;
	json_t *obj, *value;

	/* ICMPv4 echo reply: type 0 code 0 is an empty object, as protojson writes it */
	make_tcp_syn(&rec);
	rec.flow.key.proto = IPPROTO_ICMP;
	rec.flow.key.sport = 0;
	rec.flow.key.dport = 0;
	rec.flow.tcp_flags = 0;
	value = encoded_member(&rec, &obj, "l4");
	assert_json_equals(value, "{\"ICMPv4\": {}}");
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "ip_protocol"));
	json_decref(obj);

	/* other IP protocol: no l4, the number in ip_protocol */
	rec.flow.key.proto = 47;
	value = encoded_member(&rec, &obj, "ip_protocol");
	ck_assert_int_eq(json_integer_value(value), 47);
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "l4"));
	json_decref(obj);

	/* non-IP: no IP, no l4, an ethertype string */
	make_tcp_syn(&rec);
	memset(rec.flow.key.saddr, 0, 16);
	memset(rec.flow.key.daddr, 0, 16);
	rec.flow.key.family = NETOBS_FAMILY_NONE;
	rec.flow.key.proto = 0;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	rec.flow.key.eth_proto = htons(0x0806);
	rec.flow.tcp_flags = 0;
	value = encoded_member(&rec, &obj, "ethertype");
	ck_assert_str_eq(json_string_value(value), "0x0806");
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "IP"));
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "l4"));
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "ip_protocol"));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(obj, "flow"), "Summary")),
		"ethertype 0x0806 (ARP)");
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "ethernet")); /* no MACs */
	json_decref(obj);
	/* with the MACs the datapath keeps in the address bytes: Hubble's ethernet */
	memcpy(rec.flow.key.saddr, (uint8_t[]){0x02, 0x42, 0xac, 0x11, 0x00, 0x0a}, 6);
	memset(rec.flow.key.daddr, 0xff, 6);
	value = encoded_member(&rec, &obj, "ethernet");
	assert_json_equals(value, "{\"source\": \"02:42:ac:11:00:0a\", "
				  "\"destination\": \"ff:ff:ff:ff:ff:ff\"}");
	json_decref(obj);

	/* END with reason, key flags, VLAN, 64-bit counters as strings, unknown is_reply */
	make_tcp_syn(&rec);
	rec.flow.event = NETOBS_FLOW_EVENT_END;
	rec.flow.end_reason = NETOBS_END_RST;
	rec.flow.key.key_flags = NETOBS_KEY_F_TRUNCATED | NETOBS_KEY_F_FRAGMENT;
	rec.flow.key.vlan_id = 100;
	rec.flow.packets = 1ULL << 40;
	rec.flow.bytes = 5000000000ULL;
	rec.flow.is_reply = -1;
	rec.flow.direction = NETOBS_DIR_UNKNOWN;
	rec.flow.verdict = NETOBS_VERDICT_UNKNOWN;
	value = encoded_member(&rec, &obj, "stats");
	ck_assert_str_eq(json_string_value(json_object_get(value, "packets")), "1099511627776");
	ck_assert_str_eq(json_string_value(json_object_get(value, "bytes")), "5000000000");
	value = json_object_get(obj, "flow");
	ck_assert_str_eq(json_string_value(json_object_get(value, "flow_event")), "END");
	ck_assert_str_eq(json_string_value(json_object_get(value, "end_reason")), "RST");
	ck_assert_str_eq(json_string_value(json_object_get(value, "trace_reason")), "ESTABLISHED");
	ck_assert_int_eq(json_integer_value(json_object_get(value, "vlan_id")), 100);
	assert_json_equals(json_object_get(value, "key_flags"), "[\"TRUNCATED\", \"FRAGMENT\"]");
	ck_assert_ptr_null(json_object_get(value, "is_reply"));
	ck_assert_ptr_null(json_object_get(value, "traffic_direction"));
	ck_assert_ptr_null(json_object_get(value, "verdict"));
	json_decref(obj);

	/* reply, IPv6, reserved identities, UDP without a port */
	make_tcp_syn(&rec);
	rec.flow.is_reply = 1;
	rec.flow.key.family = NETOBS_FAMILY_IPV6;
	rec.flow.key.eth_proto = htons(0x86dd);
	set_v6(rec.flow.key.saddr, "fd00::1");
	set_v6(rec.flow.key.daddr, "2001:db8::53");
	rec.flow.key.proto = IPPROTO_UDP;
	rec.flow.key.sport = 0;
	rec.flow.tcp_flags = NETOBS_TCP_SYN; /* not TCP: must not appear */
	memset(&rec.flow.src, 0, sizeof(rec.flow.src));
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	rec.flow.src.identity = NETOBS_IDENTITY_HOST;
	rec.flow.dst.identity = NETOBS_IDENTITY_WORLD;
	value = encoded_member(&rec, &obj, "IP");
	assert_json_equals(value, "{\"source\": \"fd00::1\", \"destination\": \"2001:db8::53\","
				  " \"ipVersion\": \"IPv6\"}");
	value = json_object_get(obj, "flow");
	assert_json_equals(json_object_get(value, "l4"), "{\"UDP\": {\"destination_port\": 80}}");
	assert_json_equals(json_object_get(value, "source"),
			   "{\"identity\": 1, \"labels\": [\"reserved:host\"]}");
	assert_json_equals(json_object_get(value, "destination"),
			   "{\"identity\": 2, \"labels\": [\"reserved:world\"]}");
	ck_assert(json_is_true(json_object_get(value, "is_reply")));
	json_decref(obj);

	/* nothing known about either side: no source/destination objects */
	memset(&rec.flow.src, 0, sizeof(rec.flow.src));
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	value = encoded_member(&rec, &obj, "source");
	ck_assert_ptr_null(value);
	json_decref(obj);
}
END_TEST

/* Hubble's per-packet TCP flags, the flow's union in stats, trace_reason and event_type. */
START_TEST(test_json_packet_flags_reason_event_type)
{
	static const struct {
		uint8_t obs_point;
		const char *event_type; /* NULL: no event_type */
	} points[] = {
		/* Cilium's TraceToLxc 0 (omitted as protojson omits zero), TraceFromLxc 5,
		 * TraceFromNetwork 10, TraceToNetwork 11 */
		{NETOBS_OBS_TO_ENDPOINT, "{\"type\": 4}"},
		{NETOBS_OBS_FROM_ENDPOINT, "{\"type\": 4, \"sub_type\": 5}"},
		{NETOBS_OBS_FROM_NETWORK, "{\"type\": 4, \"sub_type\": 10}"},
		{NETOBS_OBS_TO_NETWORK, "{\"type\": 4, \"sub_type\": 11}"},
		{NETOBS_OBS_UNKNOWN, NULL},
	};
	static const struct {
		uint8_t event;
		int8_t is_reply;
		const char *reason;
	} reasons[] = {
		{NETOBS_FLOW_EVENT_NEW, 0, "NEW"},
		{NETOBS_FLOW_EVENT_NEW, -1, "NEW"},
		{NETOBS_FLOW_EVENT_NEW, 1, "REPLY"},
		{NETOBS_FLOW_EVENT_TCP_FLAGS, 1, "REPLY"},
		{NETOBS_FLOW_EVENT_UPDATE, 1, "REPLY"},
		{NETOBS_FLOW_EVENT_END, 1, "REPLY"},
		{NETOBS_FLOW_EVENT_TCP_FLAGS, 0, "ESTABLISHED"},
		{NETOBS_FLOW_EVENT_UPDATE, 0, "ESTABLISHED"},
		{NETOBS_FLOW_EVENT_END, -1, "ESTABLISHED"},
	};
	struct netobs_record rec;
	json_t *obj, *flow;

	/* END: no packet, so no l4 flags; the union is in stats; Summary without flags */
	make_tcp_syn(&rec);
	rec.flow.event = NETOBS_FLOW_EVENT_END;
	rec.flow.end_reason = NETOBS_END_FIN;
	rec.flow.tcp_flags = 0;
	rec.flow.tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	encoded_member(&rec, &obj, "l4");
	flow = json_object_get(obj, "flow");
	assert_json_equals(json_object_get(flow, "l4"),
			   "{\"TCP\": {\"source_port\": 47194, \"destination_port\": 80}}");
	assert_json_equals(json_object_get(json_object_get(flow, "stats"), "tcp_flags"),
			   "{\"SYN\": true, \"ACK\": true, \"FIN\": true}");
	ck_assert_str_eq(json_string_value(json_object_get(flow, "Summary")), "TCP");
	json_decref(obj);

	/* a reply's FIN packet: l4 has that packet's flags only */
	rec.flow.event = NETOBS_FLOW_EVENT_TCP_FLAGS;
	rec.flow.is_reply = 1;
	rec.flow.tcp_flags = NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	encoded_member(&rec, &obj, "l4");
	flow = json_object_get(obj, "flow");
	assert_json_equals(
		json_object_get(json_object_get(json_object_get(flow, "l4"), "TCP"), "flags"),
		"{\"ACK\": true, \"FIN\": true}");
	ck_assert_str_eq(json_string_value(json_object_get(flow, "Summary")),
			 "TCP Flags: ACK, FIN");
	json_decref(obj);

	/* no stats.tcp_flags for other protocols, nor when no flag was seen */
	rec.flow.key.proto = IPPROTO_UDP;
	ck_assert_ptr_null(json_object_get(encoded_member(&rec, &obj, "stats"), "tcp_flags"));
	json_decref(obj);
	rec.flow.key.proto = IPPROTO_TCP;
	rec.flow.tcp_flags_seen = 0;
	ck_assert_ptr_null(json_object_get(encoded_member(&rec, &obj, "stats"), "tcp_flags"));
	json_decref(obj);

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		make_tcp_syn(&rec);
		rec.flow.event = reasons[i].event;
		rec.flow.is_reply = reasons[i].is_reply;
		ck_assert_msg(!strcmp(json_string_value(encoded_member(&rec, &obj, "trace_reason")),
				      reasons[i].reason),
			      "case %zu: want %s", i, reasons[i].reason);
		json_decref(obj);
	}
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		json_t *event_type;

		make_tcp_syn(&rec);
		rec.flow.obs_point = points[i].obs_point;
		event_type = encoded_member(&rec, &obj, "event_type");
		if (points[i].event_type)
			assert_json_equals(event_type, points[i].event_type);
		else
			ck_assert_ptr_null(event_type);
		json_decref(obj);
	}
}
END_TEST

/* Encode, print, parse, decode; the result must equal the original byte for byte. */
static void assert_round_trip(const struct netobs_record *rec, const char *what)
{
	struct netobs_record back;
	char err[256], *text;
	json_error_t jerr;
	json_t *obj, *parsed;
	int ret;

	obj = netobs_record_to_json(rec, "node-a");
	ck_assert_msg(obj, "%s: encode failed", what);
	assert_matches_schema(obj, what);
	text = json_dumps(obj, JSON_COMPACT);
	if (getenv("NETOBS_TEST_DUMP_JSON")) {
		FILE *dump = fopen(getenv("NETOBS_TEST_DUMP_JSON"), "a");

		if (dump) {
			fprintf(dump, "%s\n", text);
			fclose(dump);
		}
	}
	parsed = json_loads(text, 0, &jerr);
	ck_assert_msg(parsed, "%s: encoder wrote invalid JSON", what);
	memset(&back, 0xa5, sizeof(back));
	ret = netobs_record_from_json(parsed, &back, err, sizeof(err));
	ck_assert_msg(ret == 0, "%s: decode failed: %s (%s)", what, err, text);
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_msg(((uint8_t *)&back)[i] == ((const uint8_t *)rec)[i],
			      "%s: round trip differs at byte %zu: %s", what, i, text);
	free(text);
	json_decref(obj);
	json_decref(parsed);
}

START_TEST(test_json_round_trip)
{
	struct netobs_record rec;

	make_tcp_syn(&rec);
	assert_round_trip(&rec, "tcp syn v4");

	make_tcp_syn(&rec);
	rec.seq = (1ULL << 61) + 12345;
	rec.flow.tcp_flags = 0x1ff;
	rec.flow.tcp_flags_seen = NETOBS_TCP_SYN | 0x1ff;
	rec.flow.event = NETOBS_FLOW_EVENT_TCP_FLAGS;
	rec.flow.is_reply = 1;
	rec.flow.key.hook = NETOBS_HOOK_XDP;
	rec.flow.verdict = NETOBS_VERDICT_DROPPED;
	rec.flow.obs_point = NETOBS_OBS_FROM_NETWORK;
	assert_round_trip(&rec, "tcp all flags, reply");

	make_tcp_syn(&rec);
	rec.flow.key.family = NETOBS_FAMILY_IPV6;
	rec.flow.key.eth_proto = htons(0x86dd);
	set_v6(rec.flow.key.saddr, "fd00::10");
	set_v6(rec.flow.key.daddr, "fe80::1:2:3:4");
	rec.flow.event = NETOBS_FLOW_EVENT_END;
	rec.flow.end_reason = NETOBS_END_FIN;
	rec.flow.tcp_flags = 0;
	rec.flow.tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	rec.flow.packets = 123456789012ULL;
	rec.flow.bytes = 18446744073709551615ULL;
	rec.flow.last_seen_ns = T0_NS + 5000000001ULL;
	rec.flow.is_reply = -1;
	rec.flow.direction = NETOBS_DIR_EGRESS;
	rec.flow.obs_point = NETOBS_OBS_FROM_ENDPOINT;
	assert_round_trip(&rec, "tcp v6 end");

	for (int reason = NETOBS_END_FIN; reason <= NETOBS_END_FORCED; reason++) {
		rec.flow.end_reason = (uint8_t)reason;
		assert_round_trip(&rec, "end reasons");
	}

	make_tcp_syn(&rec);
	rec.flow.key.proto = IPPROTO_UDP;
	rec.flow.tcp_flags = 0;
	rec.flow.tcp_flags_seen = 0;
	rec.flow.event = NETOBS_FLOW_EVENT_UPDATE;
	rec.flow.key.vlan_id = 4095;
	rec.flow.obs_point = NETOBS_OBS_TO_NETWORK;
	rec.flow.key.hook = NETOBS_HOOK_TC_INGRESS;
	assert_round_trip(&rec, "udp update vlan");

	rec.flow.key.proto = IPPROTO_SCTP;
	rec.flow.key.sport = 0;
	assert_round_trip(&rec, "sctp, port 0");

	rec.flow.key.proto = IPPROTO_ICMP;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	assert_round_trip(&rec, "icmpv4 type 0 code 0");
	rec.flow.key.icmp_type = 3;
	rec.flow.key.icmp_code = 3;
	assert_round_trip(&rec, "icmpv4 unreachable");

	rec.flow.key.family = NETOBS_FAMILY_IPV6;
	rec.flow.key.eth_proto = htons(0x86dd);
	set_v6(rec.flow.key.saddr, "::");
	set_v6(rec.flow.key.daddr, "ff02::1");
	rec.flow.key.proto = IPPROTO_ICMPV6;
	rec.flow.key.icmp_type = 0;
	rec.flow.key.icmp_code = 0;
	assert_round_trip(&rec, "icmpv6 type 0 code 0");
	rec.flow.key.icmp_type = 128;
	assert_round_trip(&rec, "icmpv6 echo");

	rec.flow.key.proto = 47;
	rec.flow.key.icmp_type = 0;
	assert_round_trip(&rec, "gre v6");
	rec.flow.key.proto = 0;
	assert_round_trip(&rec, "ip proto 0");

	make_tcp_syn(&rec);
	rec.flow.key.key_flags = NETOBS_KEY_F_TRUNCATED | NETOBS_KEY_F_MALFORMED |
				 NETOBS_KEY_F_FRAGMENT | NETOBS_KEY_F_EXTHDR_LIMIT;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	assert_round_trip(&rec, "all key flags");

	make_tcp_syn(&rec);
	memset(rec.flow.key.saddr, 0, 16);
	memset(rec.flow.key.daddr, 0, 16);
	rec.flow.key.family = NETOBS_FAMILY_NONE;
	rec.flow.key.proto = 0;
	rec.flow.key.sport = rec.flow.key.dport = 0;
	rec.flow.key.eth_proto = htons(0x88cc);
	rec.flow.tcp_flags = 0;
	rec.flow.tcp_flags_seen = 0;
	memset(&rec.flow.dst, 0, sizeof(rec.flow.dst));
	memset(rec.flow.ifname, 0, sizeof(rec.flow.ifname));
	rec.flow.first_seen_ns = 0;
	rec.flow.last_seen_ns = 0;
	rec.flow.verdict = NETOBS_VERDICT_UNKNOWN;
	rec.flow.direction = NETOBS_DIR_UNKNOWN;
	rec.flow.obs_point = NETOBS_OBS_UNKNOWN;
	assert_round_trip(&rec, "non-ip lldp");
	memcpy(rec.flow.key.saddr, (uint8_t[]){0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01}, 6);
	memcpy(rec.flow.key.daddr, (uint8_t[]){0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}, 6);
	assert_round_trip(&rec, "non-ip lldp with MACs");

	make_tcp_syn(&rec);
	rec.flow.src.id = 0;
	rec.flow.src.identity = NETOBS_IDENTITY_WORLD;
	memset(rec.flow.src.name, 0, sizeof(rec.flow.src.name));
	rec.flow.dst.identity = NETOBS_IDENTITY_HOST;
	rec.flow.verdict = NETOBS_VERDICT_AUDIT;
	assert_round_trip(&rec, "world to host endpoint");
	rec.flow.verdict = NETOBS_VERDICT_ERROR;
	rec.flow.is_reply = 1;
	assert_round_trip(&rec, "error verdict");

	make_lost(&rec, NETOBS_LOST_PERF_EVENT_RING_BUFFER, 3, 1);
	assert_round_trip(&rec, "lost perf ring");
	make_lost(&rec, NETOBS_LOST_OBSERVER_EVENTS_QUEUE, 18446744073709551615ULL, -1);
	assert_round_trip(&rec, "lost queue no cpu");
	make_lost(&rec, NETOBS_LOST_HUBBLE_RING_BUFFER, 0, 0);
	assert_round_trip(&rec, "lost store cpu 0");
}
END_TEST

struct bad_input {
	const char *json;
	const char *message; /* a substring the error must contain */
};

#define T	"\"time\": \"2025-11-25T10:52:20Z\""
#define FLOW_OK "\"flow_event\": \"NEW\", \"hook\": \"xdp\""

static const struct bad_input bad_inputs[] = {
	{"[1, 2]", "expected a JSON object"},
	{"{" T "}", "exactly one of"},
	{"{\"flow\": {" FLOW_OK "}, \"lost_events\": {}, " T "}", "exactly one of"},
	{"{\"flow\": {" FLOW_OK "}}", "missing \"time\""},
	{"{\"flow\": {" FLOW_OK "}, \"time\": \"noon\"}", "not an RFC 3339 time"},
	{"{\"flow\": {" FLOW_OK "}, \"time\": 5}", "record.time: expected a string"},
	{"{\"flow\": [], " T "}", "record.flow: expected an object"},
	{"{\"flow\": {\"hook\": \"xdp\"}, " T "}", "missing \"flow_event\""},
	{"{\"flow\": {\"flow_event\": \"NEW\"}, " T "}", "missing \"hook\""},
	{"{\"flow\": {\"flow_event\": \"BORN\", \"hook\": \"xdp\"}, " T "}",
	 "flow.flow_event: unknown value 'BORN'"},
	{"{\"flow\": {\"flow_event\": \"NEW\", \"hook\": \"tc\"}, " T "}", "flow.hook"},
	/* the writer names a reason on END only (a fuzzer's round trip found it) */
	{"{\"flow\": {" FLOW_OK ", \"end_reason\": \"FIN\"}, " T "}",
	 "\"end_reason\" is only on an END"},
	{"{\"flow\": {" FLOW_OK ", \"verdict\": 1}, " T "}", "flow.verdict: expected a string"},
	{"{\"flow\": {" FLOW_OK ", \"verdict\": \"MAYBE\"}, " T "}", "unknown value 'MAYBE'"},
	{"{\"flow\": {" FLOW_OK ", \"IP\": {\"source\": \"10.0.0.300\", \"destination\": "
	 "\"10.0.0.1\", \"ipVersion\": \"IPv4\"}}, " T "}",
	 "flow.IP.source: '10.0.0.300' is not an IPv4 address"},
	{"{\"flow\": {" FLOW_OK ", \"IP\": {\"source\": \"10.0.0.3\", \"destination\": "
	 "\"10.0.0.1\", \"ipVersion\": \"IPv6\"}}, " T "}",
	 "is not an IPv6 address"},
	{"{\"flow\": {" FLOW_OK ", \"IP\": {\"source\": \"10.0.0.3\", \"destination\": "
	 "\"10.0.0.1\", \"ipVersion\": \"IPv5\"}}, " T "}",
	 "flow.IP.ipVersion: unknown value 'IPv5'"},
	{"{\"flow\": {" FLOW_OK ", \"IP\": {\"source\": \"10.0.0.3\", \"ipVersion\": \"IPv4\"}}, " T
	 "}",
	 "flow.IP: missing \"destination\""},
	{"{\"flow\": {" FLOW_OK ", \"l4\": {\"UDP\": {}}}, " T "}", "present without flow.IP"},
#define IP4                                                                                        \
	"\"IP\": {\"source\": \"1.1.1.1\", \"destination\": \"2.2.2.2\", \"ipVersion\": \"IPv4\"}"
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"UDP\": {}, \"TCP\": {}}}, " T "}",
	 "exactly one of TCP"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"GRE\": {}}}, " T "}",
	 "unknown protocol 'GRE'"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"UDP\": {\"source_port\": 70000}}}, " T "}",
	 "flow.l4.UDP.source_port: expected an integer 0-65535"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"UDP\": {\"source_port\": \"x\"}}}, " T "}",
	 "flow.l4.UDP.source_port"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"ICMPv4\": {\"type\": 256}}}, " T "}",
	 "flow.l4.ICMPv4.type: expected an integer 0-255"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"TCP\": {\"flags\": {\"XYZ\": true}}}}, " T
	 "}",
	 "unknown flag 'XYZ'"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"TCP\": {\"flags\": {\"SYN\": 1}}}}, " T "}",
	 "flow.l4.TCP.flags.SYN: expected a boolean"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"ethertype\": \"0x0800\"}, " T "}",
	 "present on an IP record"},
	{"{\"flow\": {" FLOW_OK ", \"ethertype\": \"0806\"}, " T "}", "not a 0xNNNN EtherType"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"ethernet\": {\"source\": \"02:00:00:00:00:01\", "
	 "\"destination\": \"02:00:00:00:00:02\"}}, " T "}",
	 "flow.ethernet: present on an IP record"},
	{"{\"flow\": {" FLOW_OK ", \"ethernet\": {\"source\": \"02:00:00:00:00:1\", "
	 "\"destination\": \"02:00:00:00:00:02\"}}, " T "}",
	 "flow.ethernet.source: '02:00:00:00:00:1' is not a MAC address"},
	{"{\"flow\": {" FLOW_OK ", \"ethernet\": {\"source\": \"02:00:00:00:00:01\"}}, " T "}",
	 "flow.ethernet: missing \"destination\""},
	{"{\"flow\": {" FLOW_OK ", \"ip_protocol\": 47}, " T "}", "only for IP records"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"ip_protocol\": 300}, " T "}",
	 "flow.ip_protocol: expected an integer 0-255"},
	{"{\"flow\": {" FLOW_OK ", \"key_flags\": [\"BROKEN\"]}, " T "}",
	 "flow.key_flags[0]: unknown key flag"},
	{"{\"flow\": {" FLOW_OK ", \"vlan_id\": 4096}, " T "}", "flow.vlan_id"},
	{"{\"flow\": {" FLOW_OK ", \"is_reply\": \"yes\"}, " T "}",
	 "flow.is_reply: expected a boolean"},
	{"{\"flow\": {" FLOW_OK ", \"stats\": {\"packets\": -1}}, " T "}", "flow.stats.packets"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"UDP\": {}}, \"stats\": {\"tcp_flags\": "
	 "{\"SYN\": true}}}, " T "}",
	 "flow.stats.tcp_flags: only for TCP records"},
	{"{\"flow\": {" FLOW_OK ", " IP4 ", \"l4\": {\"TCP\": {}}, \"stats\": {\"tcp_flags\": "
	 "{\"SYN\": \"yes\"}}}, " T "}",
	 "flow.stats.tcp_flags.SYN: expected a boolean"},
	{"{\"flow\": {" FLOW_OK ", \"stats\": {\"first_seen\": \"then\"}}, " T "}",
	 "flow.stats.first_seen: 'then' is not an RFC 3339 time"},
	{"{\"flow\": {" FLOW_OK ", \"source\": {\"ID\": \"a\"}}, " T "}", "flow.source.ID"},
	{"{\"flow\": {" FLOW_OK ", \"destination\": {\"pod_name\": "
	 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}}, " T "}",
	 "flow.destination.pod_name: longer than 63 characters"},
	{"{\"flow\": {" FLOW_OK ", \"interface\": {\"name\": \"a-very-long-ifname\"}}, " T "}",
	 "flow.interface.name: longer than 15"},
	{"{\"flow\": {" FLOW_OK ", \"uuid\": \"not-a-uuid\"}, " T "}", "not a UUID"},
	{"{\"lost_events\": {\"num_events_lost\": \"3\"}, " T "}",
	 "lost_events: missing \"source\""},
	{"{\"lost_events\": {\"source\": \"HUBBLE_RING_BUFFER\"}, " T "}",
	 "missing \"num_events_lost\""},
	{"{\"lost_events\": {\"source\": \"SOMEWHERE\", \"num_events_lost\": \"3\"}, " T "}",
	 "lost_events.source: unknown value 'SOMEWHERE'"},
	{"{\"lost_events\": {\"source\": \"HUBBLE_RING_BUFFER\", \"num_events_lost\": \"3x\"}, " T
	 "}",
	 "lost_events.num_events_lost"},
	{"{\"lost_events\": {\"source\": \"HUBBLE_RING_BUFFER\", \"num_events_lost\": \"3\", "
	 "\"cpu\": -2}, " T "}",
	 "lost_events.cpu"},
};

START_TEST(test_json_decode_errors)
{
	const struct bad_input *bad = &bad_inputs[_i];
	struct netobs_record rec;
	json_error_t jerr;
	char err[256];
	json_t *obj = json_loads(bad->json, 0, &jerr);

	ck_assert_msg(obj, "test input %d is not JSON: %s", _i, jerr.text);
	memset(&rec, 0xa5, sizeof(rec));
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, bad->message), "input %d: error '%s' lacks '%s'", _i, err,
		      bad->message);
	ck_assert_int_eq(rec.kind, 0); /* nothing half-decoded is left behind */
	json_decref(obj);
}
END_TEST

START_TEST(test_json_decode_lenient)
{
	struct netobs_record rec;
	char err[128];
	json_t *obj;

	/* minimal flow; 64-bit numbers may come as JSON integers too */
	obj = json_pack("{s:{s:s, s:s, s:{s:i}}, s:s}", "flow", "flow_event", "UPDATE", "hook",
			"tc-ingress", "stats", "packets", 9, "time", "2025-11-25T10:52:20Z");
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), 0);
	ck_assert_int_eq(rec.kind, NETOBS_RECORD_FLOW);
	ck_assert_uint_eq(rec.flow.packets, 9);
	ck_assert_int_eq(rec.flow.is_reply, -1);
	ck_assert_int_eq(rec.flow.event, NETOBS_FLOW_EVENT_UPDATE);
	ck_assert_uint_eq(rec.time_ns, T0_SECS * 1000000000ULL);
	ck_assert_uint_eq(rec.seq, 0);
	json_decref(obj);

	obj = json_pack("{s:{s:s, s:i}, s:s}", "lost_events", "source", "HUBBLE_RING_BUFFER",
			"num_events_lost", 17, "time", "2025-11-25T10:52:20Z");
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), 0);
	ck_assert_uint_eq(rec.lost.count, 17);
	ck_assert_int_eq(rec.lost.cpu, -1);
	json_decref(obj);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_json");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_enum_names);
	tcase_add_test(tc, test_tcp_flags_format);
	tcase_add_test(tc, test_addr_format);
	tcase_add_test(tc, test_time_rfc3339);
	tcase_add_test(tc, test_json_tcp_syn_exact);
	tcase_add_test(tc, test_json_lost_exact);
	tcase_add_test(tc, test_json_field_variants);
	tcase_add_test(tc, test_json_packet_flags_reason_event_type);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_loop_test(tc, test_json_decode_errors, 0,
			    (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0])));
	tcase_add_test(tc, test_json_decode_lenient);
	suite_add_tcase(s, tc);
	return s;
}
