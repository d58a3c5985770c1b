// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * L7 records (DNS, HTTP) and names on flows: exact JSON, schema, round
 * trips, decode errors, and the compact and table lines. Times print in
 * TZ=UTC, set here.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "print.h"
#include "print_capture.h"
#include "record.h"
#include "record_schema.h"

Suite *netobs_test_suite(void);

/* 2025-11-25T10:52:20.150Z (Python calendar.timegm) */
#define T0_NS	(1764067940ULL * 1000000000ULL + 150000000ULL)
#define T0_TEXT "2025-11-25T10:52:20.150000000Z"

/* The UDP packet client:40000 -> 10.0.0.53:53 that carried a DNS message. */
static void make_udp_dns_carrier(struct netobs_record *rec, struct netobs_l7 *l7, int type)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	memset(l7, 0, sizeof(*l7));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = 7;
	rec->time_ns = T0_NS;
	inet_pton(AF_INET, "10.0.0.1", f->key.saddr);
	inet_pton(AF_INET, "10.0.0.53", f->key.daddr);
	f->key.sport = htons(40000);
	f->key.dport = htons(53);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.proto = IPPROTO_UDP;
	f->key.hook = NETOBS_HOOK_TC_INGRESS;
	f->src.id = 12;
	strcpy(f->src.name, "client");
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->direction = NETOBS_DIR_EGRESS;
	f->obs_point = NETOBS_OBS_FROM_ENDPOINT;
	f->is_reply = type == NETOBS_L7_RESPONSE;
	if (f->is_reply) {
		/* the answer travels back: swap the sides */
		inet_pton(AF_INET, "10.0.0.53", f->key.saddr);
		inet_pton(AF_INET, "10.0.0.1", f->key.daddr);
		f->key.sport = htons(53);
		f->key.dport = htons(40000);
		f->dst = f->src;
		memset(&f->src, 0, sizeof(f->src));
		f->direction = NETOBS_DIR_INGRESS;
		f->obs_point = NETOBS_OBS_TO_ENDPOINT;
		f->key.hook = NETOBS_HOOK_TC_EGRESS;
	}
	l7->type = (uint8_t)type;
	l7->kind = NETOBS_L7_DNS;
	strcpy(l7->dns.query, "example.com.");
	l7->dns.qtypes_len = 1;
	l7->dns.qtypes[0] = 1; /* A */
	f->l7 = l7;
}

static void add_dns_answer(struct netobs_l7 *l7)
{
	l7->latency_ns = 1500000;
	l7->dns.ttl = 300;
	l7->dns.ips_len = 2;
	l7->dns.ips[0].family = AF_INET;
	inet_pton(AF_INET, "93.184.216.34", l7->dns.ips[0].addr);
	l7->dns.ips[1].family = AF_INET6;
	inet_pton(AF_INET6, "2606:2800:220:1::1", l7->dns.ips[1].addr);
	l7->dns.cnames_len = 1;
	strcpy(l7->dns.cnames[0], "edge.example.net.");
	l7->dns.rrtypes_len = 3;
	l7->dns.rrtypes[0] = 5;	 /* CNAME */
	l7->dns.rrtypes[1] = 1;	 /* A */
	l7->dns.rrtypes[2] = 28; /* AAAA */
}

/* An HTTP/1.1 GET from client:47194 to echo:80, or its 404 answer. */
static void make_http(struct netobs_record *rec, struct netobs_l7 *l7, int type)
{
	struct netobs_flow_record *f = &rec->flow;

	memset(rec, 0, sizeof(*rec));
	memset(l7, 0, sizeof(*l7));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = 8;
	rec->time_ns = T0_NS;
	inet_pton(AF_INET, "10.0.0.1", f->key.saddr);
	inet_pton(AF_INET, "10.0.0.2", f->key.daddr);
	f->key.sport = htons(47194);
	f->key.dport = htons(80);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.proto = IPPROTO_TCP;
	f->key.hook = NETOBS_HOOK_TC_EGRESS;
	f->src.id = 12;
	strcpy(f->src.name, "client");
	f->dst.id = 14;
	strcpy(f->dst.name, "echo");
	f->tcp_flags = NETOBS_TCP_PSH | NETOBS_TCP_ACK;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->direction = NETOBS_DIR_INGRESS;
	f->obs_point = NETOBS_OBS_TO_ENDPOINT;
	f->is_reply = 0;
	l7->type = (uint8_t)type;
	l7->kind = NETOBS_L7_HTTP;
	strcpy(l7->http.method, "GET");
	strcpy(l7->http.url, "http://echo/index.html?q=1");
	strcpy(l7->http.protocol, "HTTP/1.1");
	l7->http.headers_len = 2;
	strcpy(l7->http.headers[0].key, "User-Agent");
	strcpy(l7->http.headers[0].value, "curl/8.5.0");
	strcpy(l7->http.headers[1].key, "Cookie");
	strcpy(l7->http.headers[1].value, "[redacted]");
	if (type == NETOBS_L7_RESPONSE) {
		l7->latency_ns = 3400000;
		l7->http.code = 404;
		l7->http.headers_len = 1;
		strcpy(l7->http.headers[0].key, "Content-Type");
		strcpy(l7->http.headers[0].value, "text/html");
		memset(&l7->http.headers[1], 0, sizeof(l7->http.headers[1]));
	}
	f->l7 = l7;
}

static json_t *encode(const struct netobs_record *rec)
{
	json_t *obj = netobs_record_to_json(rec, "node1");

	ck_assert_ptr_nonnull(obj);
	assert_matches_schema(obj, "l7 record");
	return obj;
}

/* The flow object of a response, compared with the JSON the test wrote. */
static void assert_flow_json(const struct netobs_record *rec, const char *expected_text)
{
	json_t *obj = encode(rec), *expected;
	json_error_t jerr;
	char *dump;

	expected = json_loads(expected_text, 0, &jerr);
	ck_assert_msg(expected, "bad expected JSON in test: %s", jerr.text);
	dump = json_dumps(json_object_get(obj, "flow"), JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(json_equal(json_object_get(obj, "flow"), expected), "got %s", dump);
	free(dump);
	json_decref(expected);
	json_decref(obj);
}

START_TEST(test_json_dns_exact)
{
	struct netobs_record rec;
	struct netobs_l7 l7;

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_REQUEST);
	assert_flow_json(&rec,
			 "{\"time\": \"" T0_TEXT "\","
			 "\"uuid\": \"ca4eba72-0723-8f14-8000-000000000007\","
			 "\"verdict\": \"FORWARDED\","
			 "\"IP\": {\"source\": \"10.0.0.1\", \"destination\": \"10.0.0.53\","
			 " \"ipVersion\": \"IPv4\"},"
			 "\"l4\": {\"UDP\": {\"source_port\": 40000, \"destination_port\": 53}},"
			 "\"source\": {\"ID\": 12, \"labels\": [\"netobs:endpoint=client\"],"
			 " \"pod_name\": \"client\"},"
			 "\"Type\": \"L7\", \"node_name\": \"node1\","
			 "\"traffic_direction\": \"EGRESS\","
			 "\"trace_observation_point\": \"FROM_ENDPOINT\", \"is_reply\": false,"
			 "\"event_type\": {\"type\": 129},"
			 "\"l7\": {\"type\": \"REQUEST\","
			 " \"dns\": {\"query\": \"example.com.\", \"qtypes\": [\"A\"]}},"
			 "\"Summary\": \"DNS Query example.com. A\","
			 "\"hook\": \"tc-ingress\"}");

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_RESPONSE);
	add_dns_answer(&l7);
	assert_flow_json(
		&rec, "{\"time\": \"" T0_TEXT "\","
		      "\"uuid\": \"ca4eba72-0723-8f14-8000-000000000007\","
		      "\"verdict\": \"FORWARDED\","
		      "\"IP\": {\"source\": \"10.0.0.53\", \"destination\": \"10.0.0.1\","
		      " \"ipVersion\": \"IPv4\"},"
		      "\"l4\": {\"UDP\": {\"source_port\": 53, \"destination_port\": 40000}},"
		      "\"destination\": {\"ID\": 12, \"labels\": [\"netobs:endpoint=client\"],"
		      " \"pod_name\": \"client\"},"
		      "\"Type\": \"L7\", \"node_name\": \"node1\","
		      "\"traffic_direction\": \"INGRESS\","
		      "\"trace_observation_point\": \"TO_ENDPOINT\", \"is_reply\": true,"
		      "\"event_type\": {\"type\": 129},"
		      "\"l7\": {\"type\": \"RESPONSE\", \"latency_ns\": \"1500000\","
		      " \"dns\": {\"query\": \"example.com.\","
		      " \"ips\": [\"93.184.216.34\", \"2606:2800:220:1::1\"], \"ttl\": 300,"
		      " \"cnames\": [\"edge.example.net.\"], \"qtypes\": [\"A\"],"
		      " \"rrtypes\": [\"CNAME\", \"A\", \"AAAA\"]}},"
		      "\"Summary\": \"DNS Answer \\\"93.184.216.34,2606:2800:220:1::1\\\" CNAMEs:"
		      " \\\"edge.example.net.\\\" TTL: 300 (Query example.com. A)\","
		      "\"hook\": \"tc-egress\"}");
}
END_TEST

/* One member of the encoded flow object, compared with the JSON the test wrote. */
static void assert_flow_member(const struct netobs_record *rec, const char *key,
			       const char *expected_text)
{
	json_t *obj = encode(rec), *expected, *got;
	json_error_t jerr;
	char *dump;

	expected = json_loads(expected_text, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(expected, "bad expected JSON in test: %s", jerr.text);
	got = json_object_get(json_object_get(obj, "flow"), key);
	ck_assert_msg(got, "no flow.%s", key);
	dump = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	ck_assert_msg(json_equal(got, expected), "flow.%s: got %s", key, dump);
	free(dump);
	json_decref(expected);
	json_decref(obj);
}

START_TEST(test_json_http_exact)
{
	struct netobs_record rec;
	struct netobs_l7 l7;

	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	assert_flow_member(&rec, "l7",
			   "{\"type\": \"REQUEST\", \"http\": {\"method\": \"GET\","
			   " \"url\": \"http://echo/index.html?q=1\", \"protocol\": \"HTTP/1.1\","
			   " \"headers\": [{\"key\": \"User-Agent\", \"value\": \"curl/8.5.0\"},"
			   " {\"key\": \"Cookie\", \"value\": \"[redacted]\"}]}}");
	assert_flow_member(&rec, "Summary", "\"HTTP/1.1 GET http://echo/index.html?q=1\"");
	assert_flow_member(&rec, "Type", "\"L7\"");
	assert_flow_member(&rec, "l4",
			   "{\"TCP\": {\"source_port\": 47194, \"destination_port\": 80,"
			   " \"flags\": {\"PSH\": true, \"ACK\": true}}}");

	make_http(&rec, &l7, NETOBS_L7_RESPONSE);
	assert_flow_member(
		&rec, "l7",
		"{\"type\": \"RESPONSE\", \"latency_ns\": \"3400000\","
		" \"http\": {\"code\": 404, \"method\": \"GET\","
		" \"url\": \"http://echo/index.html?q=1\", \"protocol\": \"HTTP/1.1\","
		" \"headers\": [{\"key\": \"Content-Type\", \"value\": \"text/html\"}]}}");
	assert_flow_member(&rec, "Summary",
			   "\"HTTP/1.1 404 3ms (GET http://echo/index.html?q=1)\"");
	assert_flow_member(&rec, "event_type", "{\"type\": 129}");
}
END_TEST

START_TEST(test_json_names)
{
	struct netobs_names dst_names = {.len = 2};
	struct netobs_record rec;
	struct netobs_l7 l7;
	json_t *obj;

	/* an L3/L4 record with names: still L3_L4, with Hubble's destination_names */
	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	rec.flow.l7 = NULL;
	rec.flow.event = NETOBS_FLOW_EVENT_NEW;
	rec.flow.packets = 1;
	rec.flow.bytes = 100;
	strcpy(dst_names.name[0], "echo.example.");
	strcpy(dst_names.name[1], "www.example.");
	rec.flow.destination_names = &dst_names;
	assert_flow_member(&rec, "destination_names", "[\"echo.example.\", \"www.example.\"]");
	assert_flow_member(&rec, "Type", "\"L3_L4\"");
	obj = encode(&rec);
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "source_names"));
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "l7"));
	ck_assert_ptr_nonnull(json_object_get(json_object_get(obj, "flow"), "stats"));
	json_decref(obj);

	/* an empty list is no list */
	dst_names.len = 0;
	obj = encode(&rec);
	ck_assert_ptr_null(json_object_get(json_object_get(obj, "flow"), "destination_names"));
	json_decref(obj);
}
END_TEST

/* Encode, print, parse, decode into storage; every field must come back. */
static void assert_round_trip(const struct netobs_record *rec, const char *what)
{
	struct netobs_record_storage storage;
	struct netobs_record back, want;
	char err[256], *text;
	json_t *obj, *parsed;

	obj = encode(rec);
	text = json_dumps(obj, JSON_COMPACT);
	parsed = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(parsed);
	memset(&back, 0xa5, sizeof(back));
	ck_assert_msg(netobs_record_from_json_into(parsed, &back, &storage, err, sizeof(err)) == 0,
		      "%s: decode failed: %s (%s)", what, err, text);
	/* the pointers differ (storage); what they point at must not */
	ck_assert_int_eq(!back.flow.l7, !rec->flow.l7);
	if (rec->flow.l7) {
		ck_assert_ptr_eq(back.flow.l7, &storage.l7);
		ck_assert_msg(!memcmp(&storage.l7, rec->flow.l7, sizeof(storage.l7)),
			      "%s: l7 differs: %s", what, text);
	}
	ck_assert_int_eq(!back.flow.source_names, !rec->flow.source_names);
	if (rec->flow.source_names)
		ck_assert(!memcmp(&storage.source_names, rec->flow.source_names,
				  sizeof(storage.source_names)));
	ck_assert_int_eq(!back.flow.destination_names, !rec->flow.destination_names);
	if (rec->flow.destination_names)
		ck_assert(!memcmp(&storage.destination_names, rec->flow.destination_names,
				  sizeof(storage.destination_names)));
	want = *rec;
	want.flow.l7 = back.flow.l7;
	want.flow.source_names = back.flow.source_names;
	want.flow.destination_names = back.flow.destination_names;
	ck_assert_msg(!memcmp(&want, &back, sizeof(back)), "%s: record differs: %s", what, text);
	free(text);
	json_decref(obj);
	json_decref(parsed);
}

START_TEST(test_json_round_trip)
{
	struct netobs_names src_names, dst_names;
	struct netobs_record rec;
	struct netobs_l7 l7;

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_REQUEST);
	l7.dns.qtypes_len = 3;
	l7.dns.qtypes[1] = 28;	  /* AAAA */
	l7.dns.qtypes[2] = 65280; /* unnamed: TYPE65280 */
	assert_round_trip(&rec, "dns request");

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_RESPONSE);
	add_dns_answer(&l7);
	assert_round_trip(&rec, "dns response");

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_RESPONSE);
	l7.dns.rcode = 3; /* NXDOMAIN */
	assert_round_trip(&rec, "dns nxdomain");

	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	assert_round_trip(&rec, "http request");

	make_http(&rec, &l7, NETOBS_L7_RESPONSE);
	memset(&src_names, 0, sizeof(src_names));
	memset(&dst_names, 0, sizeof(dst_names));
	src_names.len = 1;
	strcpy(src_names.name[0], "client.example.");
	dst_names.len = NETOBS_NAMES_MAX;
	for (int i = 0; i < NETOBS_NAMES_MAX; i++)
		snprintf(dst_names.name[i], sizeof(dst_names.name[i]), "n%d.example.", i);
	rec.flow.source_names = &src_names;
	rec.flow.destination_names = &dst_names;
	assert_round_trip(&rec, "http response with names");
}
END_TEST

struct bad_input {
	const char *json;
	const char *message;
};

#define T	"\"time\": \"" T0_TEXT "\""
#define L7_OK	"\"hook\": \"tc-egress\", \"Type\": \"L7\""
#define DNS_REQ "\"l7\": {\"type\": \"REQUEST\", \"dns\": {\"query\": \"a.\"}}"

static const struct bad_input bad_inputs[] = {
	{"{\"flow\": {" L7_OK "}, " T "}", "Type L7 without \"l7\""},
	{"{\"flow\": {\"hook\": \"tc-egress\", \"flow_event\": \"NEW\", " DNS_REQ "}, " T "}",
	 "flow.l7: present on a record whose Type is not L7"},
	{"{\"flow\": {\"hook\": \"tc-egress\", \"Type\": \"SOCK\"}, " T "}",
	 "flow.Type: unknown value 'SOCK'"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"SAMPLE\", \"dns\": {}}}, " T "}",
	 "flow.l7.type: unknown value 'SAMPLE'"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"REQUEST\"}}, " T "}",
	 "flow.l7: expected exactly one of \"dns\", \"http\""},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"REQUEST\", \"dns\": {}, \"http\": {}}}, " T
	 "}",
	 "flow.l7: expected exactly one of \"dns\", \"http\""},
	{"{\"flow\": {" L7_OK ", " DNS_REQ ", \"flow_event\": \"NEW\"}, " T "}",
	 "an L7 record has no \"stats\" or \"flow_event\""},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"RESPONSE\", \"dns\": {\"ips\": [\"x\"]}}}, " T
	 "}",
	 "flow.l7.dns.ips[0]: not an IP address"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"REQUEST\", \"dns\": {\"qtypes\": [\"A\", "
	 "\"NOPE\"]}}}, " T "}",
	 "flow.l7.dns.qtypes[1]: not a DNS type name"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"RESPONSE\", \"dns\": {\"rcode\": 5000}}}, " T
	 "}",
	 "flow.l7.dns.rcode: expected an integer 0-4095"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"RESPONSE\", \"http\": {\"code\": \"x\"}}}, " T
	 "}",
	 "flow.l7.http.code"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"REQUEST\", \"http\": {\"method\": "
	 "\"AVERYLONGMETHODNAME\"}}}, " T "}",
	 "flow.l7.http.method: longer than 15 characters"},
	{"{\"flow\": {" L7_OK ", \"l7\": {\"type\": \"REQUEST\", \"http\": {\"headers\": "
	 "[{\"value\": \"v\"}]}}}, " T "}",
	 "flow.l7.http.headers[0].key: expected a string"},
	{"{\"flow\": {\"hook\": \"tc-egress\", \"flow_event\": \"NEW\", \"source_names\": "
	 "[\"a.\", \"b.\", \"c.\", \"d.\", \"e.\"]}, " T "}",
	 "flow.source_names: more than 4 entries"},
	{"{\"flow\": {\"hook\": \"tc-egress\", \"flow_event\": \"NEW\", \"destination_names\": "
	 "[7]}, " T "}",
	 "flow.destination_names[0]: expected a string"},
};

START_TEST(test_json_decode_errors)
{
	const struct bad_input *bad = &bad_inputs[_i];
	struct netobs_record_storage storage;
	struct netobs_record rec;
	json_error_t jerr;
	char err[256];
	json_t *obj = json_loads(bad->json, 0, &jerr);

	ck_assert_msg(obj, "test input %d is not JSON: %s", _i, jerr.text);
	ck_assert_int_eq(netobs_record_from_json_into(obj, &rec, &storage, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad->message), "input %d: error '%s' lacks '%s'", _i, err,
		      bad->message);
	ck_assert_int_eq(rec.kind, 0);
	ck_assert_ptr_null(rec.flow.l7);
	json_decref(obj);
}
END_TEST

/* Without storage, L7 records and names are refused, not half-decoded. */
START_TEST(test_json_decode_without_storage)
{
	struct netobs_record rec;
	char err[256];
	json_t *obj;

	obj = json_loads("{\"flow\": {" L7_OK ", " DNS_REQ "}, " T "}", 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "flow.l7: the caller gave no storage for L7 records");
	json_decref(obj);
	obj = json_loads("{\"flow\": {\"hook\": \"tc-egress\", \"flow_event\": \"NEW\","
			 " \"source_names\": [\"a.\"]}, " T "}",
			 0, NULL);
	ck_assert_int_eq(netobs_record_from_json(obj, &rec, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "flow: the caller gave no storage for source/destination_names");
	json_decref(obj);
}
END_TEST

START_TEST(test_compact_dns)
{
	struct netobs_record rec;
	struct netobs_l7 l7;

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_REQUEST);
	assert_compact(&rec, "Nov 25 10:52:20.150: client:40000 (ID:12) -> 10.0.0.53:53 (unknown)"
			     " dns-request FORWARDED (DNS Query example.com. A)\n");

	/* the reply prints initiator first, arrow back, as for L3/L4 replies */
	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_RESPONSE);
	add_dns_answer(&l7);
	l7.dns.cnames_len = 0;
	l7.dns.ips_len = 1;
	assert_compact(&rec, "Nov 25 10:52:20.150: client:40000 (ID:12) <- 10.0.0.53:53 (unknown)"
			     " dns-response FORWARDED (DNS Answer \"93.184.216.34\" TTL: 300"
			     " (Query example.com. A))\n");

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_RESPONSE);
	l7.dns.rcode = 3;
	l7.dns.qtypes_len = 2;
	l7.dns.qtypes[1] = 28;
	assert_compact(&rec, "Nov 25 10:52:20.150: client:40000 (ID:12) <- 10.0.0.53:53 (unknown)"
			     " dns-response FORWARDED (DNS Answer RCode: NXDOMAIN TTL: 0"
			     " (Query example.com. A,AAAA))\n");
}
END_TEST

START_TEST(test_compact_http_and_names)
{
	struct netobs_names names = {.len = 2};
	struct netobs_record rec;
	struct netobs_l7 l7;

	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	assert_compact(&rec, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14)"
			     " http-request FORWARDED (HTTP/1.1 GET"
			     " http://echo/index.html?q=1)\n");
	make_http(&rec, &l7, NETOBS_L7_RESPONSE);
	rec.flow.is_reply = 1;
	assert_compact(&rec, "Nov 25 10:52:20.150: echo:80 (ID:14) <- client:47194 (ID:12)"
			     " http-response FORWARDED (HTTP/1.1 404 3ms (GET"
			     " http://echo/index.html?q=1))\n");

	/* names replace an address without an endpoint name, as Hubble's Hostname() does */
	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_REQUEST);
	rec.flow.l7 = NULL;
	rec.flow.packets = 2;
	rec.flow.bytes = 120;
	strcpy(names.name[0], "ns1.example.");
	strcpy(names.name[1], "ns.example.");
	rec.flow.destination_names = &names;
	assert_compact(&rec, "Nov 25 10:52:20.150: client:40000 (ID:12) ->"
			     " ns1.example.,ns.example.:53 (unknown) from-endpoint FORWARDED (UDP)"
			     " new 2 pkts 120 B\n");
}
END_TEST

/* netobs's "unanswered": JSON only when set, a round trip, the compact line's suffix. */
START_TEST(test_unanswered_flag)
{
	struct netobs_record rec;
	struct netobs_l7 l7;
	json_t *obj;

	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	obj = encode(&rec);
	ck_assert_ptr_null(
		json_object_get(json_object_get(json_object_get(obj, "flow"), "l7"), "unanswered"));
	json_decref(obj);

	l7.flags = NETOBS_L7_F_UNANSWERED;
	assert_flow_member(&rec, "l7",
			   "{\"type\": \"REQUEST\", \"unanswered\": true, \"http\": {\"method\":"
			   " \"GET\", \"url\": \"http://echo/index.html?q=1\", \"protocol\":"
			   " \"HTTP/1.1\", \"headers\": [{\"key\": \"User-Agent\", \"value\":"
			   " \"curl/8.5.0\"}, {\"key\": \"Cookie\", \"value\": \"[redacted]\"}]}}");
	assert_flow_member(&rec, "Summary",
			   "\"HTTP/1.1 GET http://echo/index.html?q=1 unanswered\"");
	assert_round_trip(&rec, "unanswered http request");
	assert_compact(&rec, "Nov 25 10:52:20.150: client:47194 (ID:12) -> echo:80 (ID:14)"
			     " http-request FORWARDED (HTTP/1.1 GET"
			     " http://echo/index.html?q=1 unanswered)\n");

	make_udp_dns_carrier(&rec, &l7, NETOBS_L7_REQUEST);
	l7.flags = NETOBS_L7_F_UNANSWERED;
	assert_round_trip(&rec, "unanswered dns request");
	assert_compact(&rec, "Nov 25 10:52:20.150: client:40000 (ID:12) -> 10.0.0.53:53 (unknown)"
			     " dns-request FORWARDED (DNS Query example.com. A unanswered)\n");
}
END_TEST

START_TEST(test_table_l7)
{
	struct netobs_record rec;
	struct netobs_l7 l7;
	char *row;

	make_http(&rec, &l7, NETOBS_L7_REQUEST);
	row = capture(netobs_print_table_row, &rec);
	/* TIMESTAMP(19) SOURCE(30) DESTINATION(30) TYPE(13) VERDICT(9) SUMMARY; no counters */
	ck_assert_str_eq(row, "Nov 25 10:52:20.150 client:47194                   echo:80        "
			      "                http-request  FORWARDED HTTP/1.1 GET"
			      " http://echo/index.html?q=1\n");
	free(row);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_l7");
	TCase *tc = tcase_create("core");

	use_utc();
	tcase_add_test(tc, test_json_dns_exact);
	tcase_add_test(tc, test_json_http_exact);
	tcase_add_test(tc, test_json_names);
	tcase_add_test(tc, test_json_round_trip);
	tcase_add_loop_test(tc, test_json_decode_errors, 0,
			    (int)(sizeof(bad_inputs) / sizeof(bad_inputs[0])));
	tcase_add_test(tc, test_json_decode_without_storage);
	tcase_add_test(tc, test_compact_dns);
	tcase_add_test(tc, test_compact_http_and_names);
	tcase_add_test(tc, test_table_l7);
	tcase_add_test(tc, test_unanswered_flag);
	suite_add_tcase(s, tc);
	return s;
}
