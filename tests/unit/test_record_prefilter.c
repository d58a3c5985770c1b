// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A packet the XDP prefilter dropped, from the datapath's event to what the
 * user reads: the agent's ring-buffer handling makes a DROPPED record at
 * once (drop reason 256 DENIED_BY_PREFILTER, policy_verdict PREFILTER),
 * the JSON says so and decodes back with the dropped key flag, the compact
 * line says "Denied by prefilter", --drop-reason-desc DENIED_BY_PREFILTER
 * selects it and no other drop.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "events_agent.h"
#include "filter.h"
#include "print.h"

Suite *netobs_test_suite(void);

#define T0_NS (1764067940ULL * 1000000000ULL)

static struct netobs_record captured;
static unsigned int ncaptured;

static void capture_record(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	captured = *rec;
	ncaptured++;
}

/* An agent watching eth0 (ifindex 3) with XDP, no datapath. */
static struct agent *agent_new(void)
{
	static const struct events_agent_endpoint eth0 = {3, ENDPOINT_KIND_INTERFACE, "eth0",
							  "eth0"};

	ncaptured = 0;
	return events_agent_new(&eth0, 64, capture_record, T0_NS);
}

/* 192.0.2.9:5000 -> 198.51.100.1:53 UDP received on eth0 at XDP. */
static struct netobs_flow_event xdp_event(uint8_t verdict, bool dropped)
{
	struct netobs_flow_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.version = NETOBS_ABI_VERSION;
	ev.hdr.type = NETOBS_EVENT_FLOW_NEW;
	ev.hdr.len = sizeof(ev);
	ev.hdr.ts_ns = T0_NS + 1000;
	inet_pton(AF_INET, "192.0.2.9", ev.key.saddr);
	inet_pton(AF_INET, "198.51.100.1", ev.key.daddr);
	ev.key.sport = htons(5000);
	ev.key.dport = htons(53);
	ev.key.ifindex = 3;
	ev.key.eth_proto = htons(0x0800);
	ev.key.family = NETOBS_FAMILY_IPV4;
	ev.key.proto = IPPROTO_UDP;
	ev.key.hook = NETOBS_HOOK_XDP;
	ev.key.key_flags = dropped ? NETOBS_KEY_F_DROPPED : 0;
	ev.packets = 1;
	ev.bytes = 106;
	ev.verdict = verdict;
	return ev;
}

static struct netobs_record deliver(struct agent *a, struct netobs_flow_event ev)
{
	unsigned int before = ncaptured;

	a->rb_budget = 8;
	ck_assert_int_eq(events_ring_buffer_cb(a, &ev, sizeof(ev)), 0);
	events_flush(a); /* flow events are handled in batches */
	ck_assert_uint_eq(ncaptured, before + 1);
	return captured;
}

START_TEST(test_prefilter_drop_record)
{
	struct agent *a = agent_new();
	struct netobs_record rec = deliver(a, xdp_event(NETOBS_PV_PREFILTER, true)), back;
	struct netobs_record_storage storage;
	char line[4096], err[256];
	json_t *obj;

	ck_assert_uint_eq(rec.flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(rec.flow.drop_reason, 256);
	ck_assert_uint_eq(rec.flow.policy_verdict, NETOBS_PV_PREFILTER);
	ck_assert_ptr_null(rec.flow.policy);
	ck_assert_uint_eq(rec.flow.packets, 1);
	ck_assert_int_gt(netobs_record_json_write(&rec, "n", line, sizeof(line)), 0);
	ck_assert_ptr_nonnull(strstr(line, "\"verdict\":\"DROPPED\",\"drop_reason\":256,"));
	ck_assert_ptr_nonnull(strstr(line, "\"drop_reason_desc\":\"DENIED_BY_PREFILTER\""));
	ck_assert_ptr_nonnull(strstr(line, "\"event_type\":{\"type\":1,\"sub_type\":256}"));
	ck_assert_ptr_nonnull(strstr(line, "\"policy_verdict\":\"PREFILTER\""));
	ck_assert_ptr_null(strstr(line, "denied_by"));

	/* Both decoders give the record back, the dropped entry's flag too. */
	obj = json_loads(line, 0, NULL);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(netobs_record_from_json_into(obj, &back, &storage, err, sizeof(err)), 0);
	json_decref(obj);
	ck_assert_uint_eq(back.flow.key.key_flags, NETOBS_KEY_F_DROPPED);
	ck_assert_uint_eq(back.flow.drop_reason, 256);
	ck_assert_uint_eq(back.flow.policy_verdict, NETOBS_PV_PREFILTER);
	ck_assert(!memcmp(&back.flow.key, &rec.flow.key, sizeof(rec.flow.key)));
	memset(&back, 0, sizeof(back));
	ck_assert_int_eq(netobs_record_scan_line(line, strlen(line), &back, &storage), 1);
	ck_assert(!memcmp(&back.flow.key, &rec.flow.key, sizeof(rec.flow.key)));
	ck_assert_uint_eq(back.flow.drop_reason, 256);
	events_agent_free(a);
}
END_TEST

START_TEST(test_names_and_text)
{
	ck_assert_str_eq(netobs_drop_reason_name(NETOBS_DROP_PREFILTER), "DENIED_BY_PREFILTER");
	ck_assert_int_eq(netobs_drop_reason_from_name("DENIED_BY_PREFILTER"), 256);
	ck_assert_str_eq(netobs_drop_reason_text(256), "Denied by prefilter");
	ck_assert_str_eq(netobs_policy_verdict_name(NETOBS_PV_PREFILTER), "PREFILTER");
	ck_assert_int_eq(netobs_policy_verdict_from_name("PREFILTER"), NETOBS_PV_PREFILTER);
}
END_TEST

START_TEST(test_compact_line)
{
	struct agent *a = agent_new();
	struct netobs_record rec = deliver(a, xdp_event(NETOBS_PV_PREFILTER, true));
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	netobs_print_compact(out, &rec);
	fclose(out);
	ck_assert_msg(strstr(text, "Denied by prefilter DROPPED"), "%s", text);
	free(text);
	events_agent_free(a);
}
END_TEST

START_TEST(test_filter_selects_prefilter_drops)
{
	struct agent *a = agent_new();
	struct netobs_record drop = deliver(a, xdp_event(NETOBS_PV_PREFILTER, true)), policy_drop,
			     forwarded;
	struct netobs_flow_event ev = xdp_event(NETOBS_PV_DENY, true);
	struct netobs_filter_set set;
	char err[256];

	ev.key.sport = htons(5001);
	policy_drop = deliver(a, ev);
	ck_assert_uint_eq(policy_drop.flow.drop_reason, NETOBS_DROP_POLICY_DENY);
	ev = xdp_event(NETOBS_PV_NONE, false);
	ev.key.sport = htons(5002);
	forwarded = deliver(a, ev);
	ck_assert_uint_eq(forwarded.flow.verdict, NETOBS_VERDICT_FORWARDED);

	netobs_filter_set_init(&set);
	ck_assert_int_eq(netobs_filter_add_flag(&set, "drop-reason-desc", "denied_by_prefilter",
						false, err, sizeof(err)),
			 0);
	ck_assert(netobs_filter_set_match(&set, &drop));
	ck_assert(!netobs_filter_set_match(&set, &policy_drop));
	ck_assert(!netobs_filter_set_match(&set, &forwarded));
	events_agent_free(a);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("record_prefilter");
	TCase *tc = tcase_create("record_prefilter");

	tcase_add_test(tc, test_prefilter_drop_record);
	tcase_add_test(tc, test_names_and_text);
	tcase_add_test(tc, test_compact_line);
	tcase_add_test(tc, test_filter_selects_prefilter_drops);
	suite_add_tcase(s, tc);
	return s;
}
