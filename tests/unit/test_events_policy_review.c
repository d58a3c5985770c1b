// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Review of the policy verdicts in records (agent/agent.c agent_flow_policy):
 * a flow forwarded at one generation and denied at the next. The datapath
 * (bpf/netobs.bpf.c observe_skb) writes the drop verdict into the flow's
 * forwarded entry too, so its next packets are not judged again; its packets
 * stay the forwarded ones, and the drops are counted in the flow's
 * NETOBS_KEY_F_DROPPED entry. The forwarded entry's record must then not
 * say its packets were denied. Failed on 225bf0d.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "events_agent.h"

Suite *netobs_test_suite(void);

#define T0_NS (1764067940ULL * 1000000000ULL)

static struct netobs_record captured;

static void capture_record(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	captured = *rec;
}

/* An agent with one endpoint (ifindex 7) and no datapath. */
static struct agent *agent_new(void)
{
	static const struct events_agent_endpoint web = {7, ENDPOINT_KIND_VETH, "lxc-web", "web"};

	return events_agent_new(&web, 64, capture_record, T0_NS);
}

START_TEST(test_forwarded_entry_record_after_a_later_drop)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev;
	struct netobs_flow_stats value, totals;
	struct netobs_record rec;
	struct flow_entry *e;

	/* 10.0.0.1:40000 -> 10.0.0.2:80 into the endpoint, allowed at generation 1 */
	memset(&ev, 0, sizeof(ev));
	ev.hdr.version = NETOBS_ABI_VERSION;
	ev.hdr.type = NETOBS_EVENT_FLOW_NEW;
	ev.hdr.len = sizeof(ev);
	ev.hdr.ts_ns = T0_NS;
	inet_pton(AF_INET, "10.0.0.1", ev.key.saddr);
	inet_pton(AF_INET, "10.0.0.2", ev.key.daddr);
	ev.key.sport = htons(40000);
	ev.key.dport = htons(80);
	ev.key.ifindex = 7;
	ev.key.eth_proto = htons(0x0800);
	ev.key.family = NETOBS_FAMILY_IPV4;
	ev.key.proto = IPPROTO_TCP;
	ev.key.hook = NETOBS_HOOK_TC_EGRESS;
	ev.packets = 1;
	ev.bytes = 74;
	ev.tcp_flags = NETOBS_TCP_SYN;
	ev.verdict = NETOBS_PV_ALLOWED;
	ev.policy_gen = 1;
	ev.policy_id = 3;
	a->rb_budget = 8;
	ck_assert_int_eq(events_ring_buffer_cb(a, &ev, sizeof(ev)), 0);
	events_flush(a); /* flow events are handled in batches */
	ck_assert_uint_eq(captured.flow.verdict, NETOBS_VERDICT_FORWARDED);
	e = flow_table_lookup(&a->flows, &ev.key);
	ck_assert_ptr_nonnull(e);

	/* The forwarded entry as the datapath leaves it: 10 packets forwarded at
	 * generation 1, then the policy changed (generation 2) and the next
	 * packet was dropped: flow_stats_set_verdict() wrote DENIED into the
	 * entry; the drop itself is counted in the DROPPED entry. */
	memset(&value, 0, sizeof(value));
	value.packets = 10;
	value.bytes = 740;
	value.first_seen_ns = value.last_seen_ns = 1;
	value.policy_gen = 2;
	value.verdict = NETOBS_PV_DENIED;
	flow_stats_read(&value, &totals);
	agent_flow_record(a, e, &totals, NETOBS_FLOW_EVENT_END, 0, NETOBS_END_IDLE, T0_NS, &rec);

	ck_assert_uint_eq(rec.flow.packets, 10);
	ck_assert_msg(!(rec.flow.verdict == NETOBS_VERDICT_FORWARDED &&
			(rec.flow.policy_verdict == NETOBS_PV_DENIED ||
			 rec.flow.policy_verdict == NETOBS_PV_DENY)),
		      "the END record of the forwarded entry (10 packets, all forwarded) says "
		      "verdict FORWARDED with policy_verdict %u (DENIED): the drop verdict of the "
		      "DROPPED entry's packets",
		      rec.flow.policy_verdict);
	events_agent_free(a);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("events_policy_review");
	TCase *tc = tcase_create("review");

	tcase_add_test(tc, test_forwarded_entry_record_after_a_later_drop);
	suite_add_tcase(s, tc);
	return s;
}
