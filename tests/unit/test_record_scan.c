// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The CLI's fast record decoder (lib/record_json_scan.c) against the full
 * one: for random records of every shape the writer makes, a line the scan
 * accepts must decode to exactly the record json_loadb() and
 * netobs_record_from_json_into() make of it, L7 part included; policy lists
 * and lines in forms the writer does not make are left to the full decoder.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "random_record.h"
#include "record.h"

Suite *netobs_test_suite(void);

/* Does the line name a policy (a list the scanner leaves to jansson)? */
static bool line_has_policy(const char *line)
{
	return strstr(line, "_allowed_by\":[") || strstr(line, "_denied_by\":[");
}

static void assert_same_names(const struct netobs_names *a, const struct netobs_names *b)
{
	ck_assert(!a == !b);
	if (!a)
		return;
	ck_assert_uint_eq(a->len, b->len);
	for (int i = 0; i < a->len; i++)
		ck_assert_str_eq(a->name[i], b->name[i]);
}

START_TEST(test_scan_agrees_with_full_decoder)
{
	static struct netobs_record_storage parts, full_parts, scan_parts;
	struct netobs_record rec, full, scanned;
	unsigned int accepted = 0, plain = 0, policy = 0, dropped = 0, l7 = 0, dns = 0;
	static char line[65536];
	char err[256];

	for (int i = 0; i < 20000; i++) {
		ssize_t len;
		json_t *obj;
		char *dump;

		random_record(&rec, &parts);
		len = netobs_record_json_write(&rec, "node-x", line, sizeof(line) - 1);
		ck_assert_int_gt(len, 0);
		ck_assert_int_lt(len, sizeof(line));
		line[len] = '\0';
		obj = json_loadb(line, (size_t)len, 0, NULL);
		ck_assert_ptr_nonnull(obj);
		/* the writer makes the bytes jansson would (escapes, UTF-8, key order) */
		dump = json_dumps(obj, JSON_COMPACT);
		ck_assert_ptr_nonnull(dump);
		ck_assert_str_eq(dump, line);
		free(dump);
		ck_assert_msg(
			!netobs_record_from_json_into(obj, &full, &full_parts, err, sizeof(err)),
			"%s: %s", err, line);
		json_decref(obj);
		if (!netobs_record_scan_line(line, (size_t)len, &scanned, &scan_parts)) {
			/* only policy lists are left to the full decoder */
			ck_assert_msg(rec.kind == NETOBS_RECORD_FLOW && line_has_policy(line),
				      "not scanned: %s", line);
			continue;
		}
		ck_assert_msg(!line_has_policy(line), "scanned a policy list: %s", line);
		accepted++;
		plain += rec.kind == NETOBS_RECORD_FLOW;
		if (scanned.kind == NETOBS_RECORD_FLOW) {
			/* both clear their L7 storage first: the whole part compares */
			ck_assert(!scanned.flow.l7 == !full.flow.l7);
			if (full.flow.l7) {
				l7 += 1;
				ck_assert_msg(!memcmp(scanned.flow.l7, full.flow.l7,
						      sizeof(*full.flow.l7)),
					      "L7 differs: %s", line);
				dns += full.flow.l7->kind == NETOBS_L7_DNS;
				scanned.flow.l7 = full.flow.l7 = NULL;
			}
			policy += scanned.flow.policy_verdict != NETOBS_PV_NONE;
			dropped += !!(scanned.flow.key.key_flags & NETOBS_KEY_F_DROPPED);
			/* what was written comes back, the dropped flag included */
			ck_assert_uint_eq(scanned.flow.drop_reason, rec.flow.drop_reason);
			ck_assert_uint_eq(scanned.flow.policy_match_type,
					  rec.flow.policy_match_type);
			ck_assert_uint_eq(scanned.flow.key.key_flags, rec.flow.key.key_flags);
			assert_same_names(scanned.flow.source_names, full.flow.source_names);
			assert_same_names(scanned.flow.destination_names,
					  full.flow.destination_names);
			scanned.flow.source_names = full.flow.source_names = NULL;
			scanned.flow.destination_names = full.flow.destination_names = NULL;
		}
		ck_assert_msg(!memcmp(&scanned, &full, sizeof(full)), "differs: %s", line);
	}
	/* the comparison ran on most records, not on none */
	ck_assert_uint_gt(accepted, 15000);
	ck_assert_uint_gt(plain, 12000);
	ck_assert_uint_gt(policy, 3000);
	ck_assert_uint_gt(dropped, 500);
	ck_assert_uint_gt(l7, 2000);
	ck_assert_uint_gt(dns, 1000);
}
END_TEST

/* What the writer never makes goes to the full decoder, even if it is valid. */
START_TEST(test_scan_leaves_other_forms)
{
	static struct netobs_record_storage parts;
	static const char *const lines[] = {
		/* an unknown member */
		"{\"flow\":{\"uuid\":\"x\",\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\","
		"\"extra\":1},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* a port as a string (protojson may) */
		"{\"flow\":{\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\","
		"\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"source_port\":\"80\"}},"
		"\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:"
		"00Z\"}",
		/* whitespace */
		"{ \"lost_events\":{\"source\":\"NETOBS_FLOW_MAP\",\"num_events_lost\":\"1\"},"
		"\"time\":\"2026-01-01T00:00:00Z\"}",
		/* no time */
		"{\"lost_events\":{\"source\":\"NETOBS_FLOW_MAP\",\"num_events_lost\":\"1\"}}",
		/* a surrogate pair escape */
		"{\"flow\":{\"interface\":{\"name\":\"\\ud83d\\ude00\"},\"hook\":\"tc-ingress\","
		"\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* a flag named twice: jansson keeps the last (no SYN), or-ing would set it */
		"{\"flow\":{\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\","
		"\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"flags\":{\"SYN\":true,\"SYN\":false}}},"
		"\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:"
		"00Z\"}",
		/* stats.tcp_flags twice: jansson keeps the second object only */
		"{\"flow\":{\"IP\":{\"source\":\"10.0.0.1\",\"destination\":\"10.0.0.2\","
		"\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{}},\"stats\":{\"tcp_flags\":{\"SYN\":"
		"true},\"tcp_flags\":{\"ACK\":true}},\"hook\":\"tc-ingress\",\"flow_event\":"
		"\"NEW\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* a drop reason as a string (jansson's decoder takes it) */
		"{\"flow\":{\"verdict\":\"DROPPED\",\"drop_reason\":\"133\",\"hook\":\"tc-"
		"ingress\","
		"\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* a policy list */
		"{\"flow\":{\"traffic_direction\":\"INGRESS\",\"policy_verdict\":\"ALLOWED\","
		"\"ingress_allowed_by\":[{\"name\":\"a\",\"kind\":\"k\"}],\"hook\":\"tc-ingress\","
		"\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* L7: latency_ns as a number (the writer makes a string) */
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"latency_ns\":5,"
		"\"http\":{}},\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* L7: dns twice (jansson keeps the second) */
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"dns\":{\"ttl\":1},"
		"\"dns\":{}},\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* L7: a header with a member the decoder does not read */
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"http\":{\"headers\":"
		"[{\"key\":\"a\",\"x\":1}]}},\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:"
		"00:00Z\"}",
		/* L7 errors: both dns and http; l7 on an L3_L4 record; Type L7 without l7;
		 * an L7 record with a flow event; a header without its key */
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"dns\":{},\"http\":{}},"
		"\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		"{\"flow\":{\"Type\":\"L3_L4\",\"l7\":{\"type\":\"REQUEST\",\"dns\":{}},"
		"\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:"
		"00Z\"}",
		"{\"flow\":{\"Type\":\"L7\",\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:"
		"00:00Z\"}",
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"dns\":{}},"
		"\"hook\":\"tc-ingress\",\"flow_event\":\"NEW\"},\"time\":\"2026-01-01T00:00:"
		"00Z\"}",
		"{\"flow\":{\"Type\":\"L7\",\"l7\":{\"type\":\"REQUEST\",\"http\":{\"headers\":"
		"[{\"value\":\"a\"}]}},\"hook\":\"tc-ingress\"},\"time\":\"2026-01-01T00:00:00Z\"}",
		/* not JSON */
		"{\"flow\":{",
	};
	struct netobs_record rec;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(!netobs_record_scan_line(lines[i], strlen(lines[i]), &rec, &parts),
			      "scanned: %s", lines[i]);
}
END_TEST

/*
 * Times of one second in the writer's form read only their nanoseconds
 * (the second is kept); other forms of the same second, before and after
 * a kept one, still read as the full decoder reads them.
 */
START_TEST(test_scan_times_of_one_second)
{
	static struct netobs_record_storage parts;
	static const char *const times[] = {
		"2026-03-29T00:59:59.999999999Z",      "2026-03-29T01:00:00.123456789Z",
		"2026-03-29T01:00:00.987654321Z",      "2026-03-29T01:00:00.5Z",
		"2026-03-29T01:00:00.000000001+01:00", "2026-03-29t01:00:00.000000002Z",
		"2026-03-29T01:00:00.000000003Z",      "2026-03-29T01:00:00.1234567891Z",
		"2026-03-29T01:00:00.000000004Z",      "2026-03-29T01:00:01.000000000Z",
	};
	struct netobs_record scanned, full;
	char line[512], err[256];

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		json_t *obj;
		int n = snprintf(line, sizeof(line),
				 "{\"lost_events\":{\"source\":\"NETOBS_FLOW_MAP\","
				 "\"num_events_lost\":\"1\"},\"time\":\"%s\"}",
				 times[i]);

		obj = json_loadb(line, (size_t)n, 0, NULL);
		ck_assert_ptr_nonnull(obj);
		ck_assert(!netobs_record_from_json_into(obj, &full, NULL, err, sizeof(err)));
		json_decref(obj);
		ck_assert_msg(netobs_record_scan_line(line, (size_t)n, &scanned, &parts), "%s",
			      line);
		ck_assert_msg(scanned.time_ns == full.time_ns, "%s: %llu, not %llu", times[i],
			      (unsigned long long)scanned.time_ns,
			      (unsigned long long)full.time_ns);
	}
	/* and the value itself, independently of both decoders */
	ck_assert_uint_eq(full.time_ns, 1774746001000000000ULL);
}
END_TEST

/*
 * The last second 64-bit nanoseconds hold (2554-07-21T23:34:33Z), kept by
 * a time the parse takes: a later time of it past UINT64_MAX is refused as
 * the full decoder refuses it, not wrapped round to 1970.
 */
START_TEST(test_scan_time_past_2554_refused)
{
	static struct netobs_record_storage parts;
	static const struct {
		const char *time;
		bool valid;
	} times[] = {
		{"2554-07-21T23:34:33.000000000Z", true},
		{"2554-07-21T23:34:33.709551615Z", true}, /* UINT64_MAX */
		{"2554-07-21T23:34:33.709551616Z", false},
		{"2554-07-21T23:34:33.999999999Z", false},
	};
	struct netobs_record scanned, full;
	char line[512], err[256];

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int n = snprintf(line, sizeof(line),
				 "{\"lost_events\":{\"source\":\"NETOBS_FLOW_MAP\","
				 "\"num_events_lost\":\"1\"},\"time\":\"%s\"}",
				 times[i].time);
		json_t *obj = json_loadb(line, (size_t)n, 0, NULL);
		int scan = netobs_record_scan_line(line, (size_t)n, &scanned, &parts);

		ck_assert_ptr_nonnull(obj);
		ck_assert_int_eq(!netobs_record_from_json_into(obj, &full, NULL, err, sizeof(err)),
				 times[i].valid);
		json_decref(obj);
		ck_assert_msg(!!scan == times[i].valid, "%s: scanned %llu", times[i].time,
			      (unsigned long long)scanned.time_ns);
		if (scan)
			ck_assert_uint_eq(scanned.time_ns, full.time_ns);
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_scan");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scan_agrees_with_full_decoder);
	tcase_add_test(tc, test_scan_leaves_other_forms);
	tcase_add_test(tc, test_scan_times_of_one_second);
	tcase_add_test(tc, test_scan_time_past_2554_refused);
	suite_add_tcase(s, tc);
	return s;
}
