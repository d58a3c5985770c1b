// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's ring-buffer handling turns the datapath's verdicts into
 * records: synthetic struct netobs_flow_event values go through
 * events_ring_buffer_cb() exactly as libbpf hands them over, into an agent
 * with no datapath (its records captured through replay_emit). A dropped
 * packet's FLOW_NEW (key flag NETOBS_KEY_F_DROPPED) is a DROPPED record at
 * once, in an entry of its own that never pairs with the forwarded flow.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "events_agent.h"
#include "status.h"

Suite *netobs_test_suite(void);

#define T0_NS	     (1764067940ULL * 1000000000ULL)
#define MAX_CAPTURED 16

static struct netobs_record captured[MAX_CAPTURED];
static unsigned int ncaptured;

static void capture_record(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	ck_assert_uint_lt(ncaptured, MAX_CAPTURED);
	captured[ncaptured++] = *rec;
}

/* An agent with echo's veth (ifindex 7) as its one endpoint and no datapath. */
static struct agent *agent_new(void)
{
	static const struct events_agent_endpoint echo = {7, ENDPOINT_KIND_VETH, "lxc-echo",
							  "echo"};

	ncaptured = 0;
	return events_agent_new(&echo, 64, capture_record, T0_NS);
}

/*
 * 10.0.0.1:40000 -> 10.0.0.2:80 on echo's veth as echo receives it (TC
 * egress: echo's ingress); reply swaps the sides and the hook.
 */
static struct netobs_flow_event flow_event(uint16_t type, bool reply, bool dropped,
					   uint16_t tcp_flags, uint8_t verdict)
{
	struct netobs_flow_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.version = NETOBS_ABI_VERSION;
	ev.hdr.type = type;
	ev.hdr.len = sizeof(ev);
	ev.hdr.ts_ns = T0_NS + ncaptured * 1000;
	inet_pton(AF_INET, reply ? "10.0.0.2" : "10.0.0.1", ev.key.saddr);
	inet_pton(AF_INET, reply ? "10.0.0.1" : "10.0.0.2", ev.key.daddr);
	ev.key.sport = htons(reply ? 80 : 40000);
	ev.key.dport = htons(reply ? 40000 : 80);
	ev.key.ifindex = 7;
	ev.key.eth_proto = htons(0x0800);
	ev.key.family = NETOBS_FAMILY_IPV4;
	ev.key.proto = IPPROTO_TCP;
	ev.key.hook = reply ? NETOBS_HOOK_TC_INGRESS : NETOBS_HOOK_TC_EGRESS;
	ev.key.key_flags = dropped ? NETOBS_KEY_F_DROPPED : 0;
	ev.packets = 1;
	ev.bytes = 74;
	ev.tcp_flags = tcp_flags;
	ev.verdict = verdict;
	ev.policy_gen = 1;
	return ev;
}

static const struct netobs_record *deliver(struct agent *a, struct netobs_flow_event ev)
{
	unsigned int before = ncaptured;

	a->rb_budget = 8;
	ck_assert_int_eq(events_ring_buffer_cb(a, &ev, sizeof(ev)), 0);
	events_flush(a); /* flow events are handled in batches */
	ck_assert_uint_eq(ncaptured, before + 1);
	return &captured[ncaptured - 1];
}

START_TEST(test_dropped_syn_is_a_drop_record)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev =
		flow_event(NETOBS_EVENT_FLOW_NEW, false, true, NETOBS_TCP_SYN, NETOBS_PV_DENIED);
	const struct netobs_record *rec = deliver(a, ev);
	char line[4096];

	ck_assert_uint_eq(rec->flow.event, NETOBS_FLOW_EVENT_NEW);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(rec->flow.drop_reason, NETOBS_DROP_POLICY_DENIED);
	ck_assert_uint_eq(rec->flow.policy_verdict, NETOBS_PV_DENIED);
	ck_assert_uint_eq(rec->flow.key.key_flags, NETOBS_KEY_F_DROPPED);
	ck_assert_uint_eq(rec->flow.direction, NETOBS_DIR_INGRESS);
	ck_assert_int_eq(rec->flow.is_reply, 0);
	ck_assert_uint_eq(rec->flow.packets, 1);
	ck_assert_uint_eq(rec->time_ns, ev.hdr.ts_ns);
	ck_assert_int_gt(netobs_record_json_write(rec, "n", line, sizeof(line)), 0);
	ck_assert_ptr_nonnull(strstr(line, "\"verdict\":\"DROPPED\",\"drop_reason\":133,"));
	ck_assert_ptr_nonnull(strstr(line, "\"drop_reason_desc\":\"POLICY_DENIED\""));
	ck_assert_ptr_nonnull(strstr(line, "\"event_type\":{\"type\":1,\"sub_type\":133}"));

	/* a deny rule's drop: 181, with the rule's match */
	ev = flow_event(NETOBS_EVENT_FLOW_NEW, false, true, NETOBS_TCP_SYN, NETOBS_PV_DENY);
	ev.key.sport = htons(40001);
	ev.policy_id = 4;
	ev.match_type = NETOBS_MATCH_L3_ONLY;
	rec = deliver(a, ev);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(rec->flow.drop_reason, NETOBS_DROP_POLICY_DENY);
	ck_assert_uint_eq(rec->flow.policy_match_type, NETOBS_MATCH_L3_ONLY);
	events_agent_free(a);
}
END_TEST

/*
 * A flow's forwarded and dropped packets (a policy change between them) are
 * two entries; the reply pairs with the forwarded one only, and a dropped
 * FIN ends nothing.
 */
START_TEST(test_dropped_entry_is_its_own_direction)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev;
	const struct netobs_record *rec;
	struct flow_entry *fwd, *drop;

	ev = flow_event(NETOBS_EVENT_FLOW_NEW, false, false, NETOBS_TCP_SYN, NETOBS_PV_ALLOWED);
	ev.policy_id = 3;
	ev.match_type = NETOBS_MATCH_L3_L4;
	rec = deliver(a, ev);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_FORWARDED);
	ck_assert_uint_eq(rec->flow.policy_verdict, NETOBS_PV_ALLOWED);
	ck_assert_uint_eq(rec->flow.policy_match_type, NETOBS_MATCH_L3_L4);
	ck_assert_uint_eq(rec->flow.drop_reason, 0);
	ck_assert(netobs_flow_is_policy_verdict(&rec->flow));

	ev = flow_event(NETOBS_EVENT_FLOW_NEW, false, true, NETOBS_TCP_ACK, NETOBS_PV_DENIED);
	ev.policy_gen = 2;
	rec = deliver(a, ev);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(a->flows.count, 2);

	ev = flow_event(NETOBS_EVENT_FLOW_NEW, true, false, NETOBS_TCP_SYN | NETOBS_TCP_ACK,
			NETOBS_PV_REPLY);
	rec = deliver(a, ev);
	ck_assert_int_eq(rec->flow.is_reply, 1);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_FORWARDED);
	ck_assert_uint_eq(rec->flow.policy_verdict, NETOBS_PV_REPLY);
	ck_assert_uint_eq(rec->flow.direction, NETOBS_DIR_EGRESS);

	ev = flow_event(NETOBS_EVENT_FLOW_NEW, false, false, 0, 0);
	fwd = flow_table_lookup(&a->flows, &ev.key);
	ev.key.key_flags = NETOBS_KEY_F_DROPPED;
	drop = flow_table_lookup(&a->flows, &ev.key);
	ck_assert_ptr_nonnull(fwd);
	ck_assert_ptr_nonnull(drop);
	ck_assert(fwd->answered);
	ck_assert(!drop->answered);
	ck_assert_int_eq(drop->is_reply, 0);

	/* a dropped FIN: a record of the dropped entry, its connection not ended */
	ev = flow_event(NETOBS_EVENT_TCP_FLAGS, false, true, NETOBS_TCP_FIN | NETOBS_TCP_ACK,
			NETOBS_PV_DENIED);
	ev.policy_gen = 2;
	rec = deliver(a, ev);
	ck_assert_uint_eq(rec->flow.event, NETOBS_FLOW_EVENT_TCP_FLAGS);
	ck_assert_uint_eq(rec->flow.verdict, NETOBS_VERDICT_DROPPED);
	ck_assert_uint_eq(rec->flow.key.key_flags, NETOBS_KEY_F_DROPPED);
	ck_assert_uint_eq(drop->conn_ended, NETOBS_END_NONE);
	ck_assert_uint_eq(a->ended.count, 0);
	events_agent_free(a);
}
END_TEST

/* Each record carries the verdict of its own stats: a policy change shows. */
START_TEST(test_verdict_follows_the_stats)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev = flow_event(NETOBS_EVENT_FLOW_NEW, false, false,
						 NETOBS_TCP_SYN, NETOBS_PV_UNENFORCED);
	struct netobs_flow_stats merged;
	struct netobs_record rec;
	struct flow_entry *e;

	ck_assert_uint_eq(deliver(a, ev)->flow.policy_verdict, NETOBS_PV_UNENFORCED);
	e = flow_table_lookup(&a->flows, &ev.key);
	ck_assert_ptr_nonnull(e);

	/* an audit policy arrives (generation 2): the next packet's event says so */
	ev = flow_event(NETOBS_EVENT_TCP_FLAGS, false, false, NETOBS_TCP_FIN, NETOBS_PV_AUDIT_DENY);
	ev.policy_gen = 2;
	ev.policy_id = 6;
	ev.match_type = NETOBS_MATCH_L4_ONLY;
	ck_assert_uint_eq(deliver(a, ev)->flow.verdict, NETOBS_VERDICT_AUDIT);
	ck_assert_uint_eq(e->reported.policy_gen, 2);
	ck_assert_uint_eq(e->reported.policy_id, 6);

	/* an event judged at an older generation than the stats changes nothing */
	ev = flow_event(NETOBS_EVENT_TCP_FLAGS, false, false, NETOBS_TCP_RST, NETOBS_PV_ALLOWED);
	ev.policy_gen = 1;
	ck_assert_uint_eq(deliver(a, ev)->flow.policy_verdict, NETOBS_PV_AUDIT_DENY);

	/* harvest's UPDATE from merged stats judged at generation 3 */
	merged = e->reported;
	merged.packets += 5;
	merged.policy_gen = 3;
	merged.verdict = NETOBS_PV_ALLOWED;
	merged.policy_id = 2;
	merged.match_type = NETOBS_MATCH_ALL;
	agent_flow_record(a, e, &merged, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, T0_NS, &rec);
	ck_assert_uint_eq(rec.flow.verdict, NETOBS_VERDICT_FORWARDED);
	ck_assert_uint_eq(rec.flow.policy_verdict, NETOBS_PV_ALLOWED);
	ck_assert_uint_eq(rec.flow.policy_match_type, NETOBS_MATCH_ALL);
	ck_assert(!netobs_flow_is_policy_verdict(&rec.flow)); /* an UPDATE is a trace */

	/* a verdict this agent cannot name is none */
	merged.verdict = NETOBS_PV__MAX;
	agent_flow_record(a, e, &merged, NETOBS_FLOW_EVENT_UPDATE, 0, NETOBS_END_NONE, T0_NS, &rec);
	ck_assert_uint_eq(rec.flow.policy_verdict, NETOBS_PV_NONE);
	ck_assert_uint_eq(rec.flow.verdict, NETOBS_VERDICT_FORWARDED);
	events_agent_free(a);
}
END_TEST

/* netobs status names every datapath counter once: a missing name would
 * put several counters under one "unknown" key of the status object. */
START_TEST(test_counter_names)
{
	static const char *const policy[] = {"policy_dropped", "policy_dropped_bytes",
					     "policy_audit", "policy_judged", "policy_conn_full"};

	for (int i = 0; i < NETOBS_CNT__MAX; i++) {
		ck_assert_str_ne(netobs_counter_name(i), "unknown");
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(netobs_counter_name(i), netobs_counter_name(j));
	}
	for (int i = 0; i < 5; i++)
		ck_assert_str_eq(netobs_counter_name(NETOBS_CNT_POLICY_DROPPED + i), policy[i]);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("events_policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dropped_syn_is_a_drop_record);
	tcase_add_test(tc, test_dropped_entry_is_its_own_direction);
	tcase_add_test(tc, test_verdict_follows_the_stats);
	tcase_add_test(tc, test_counter_names);
	suite_add_tcase(s, tc);
	return s;
}
