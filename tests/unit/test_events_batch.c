// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flow events are handled in batches (agent/events.c: their flow table
 * memory is fetched for the whole batch at once). Handling them later must
 * change nothing but the moment: every event makes its record, in the order
 * the events came, a reply pairs with its request whichever batch each fell
 * in, and an L7 event or the end of a consume hands over what waits.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "events_agent.h"

Suite *netobs_test_suite(void);

#define T0_NS	 (1764067940ULL * 1000000000ULL)
#define NFLOWS	 (3 * EVENTS_BATCH + 5) /* requests; as many replies */
#define MAX_RECS (4 * NFLOWS + 8)	/* the flow table's capacity */

static struct netobs_record captured[MAX_RECS];
static unsigned int ncaptured;

static void capture_record(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	ck_assert_uint_lt(ncaptured, MAX_RECS);
	captured[ncaptured++] = *rec;
}

/* An agent with one veth endpoint (ifindex 7) and no datapath. */
static struct agent *agent_new(void)
{
	static const struct events_agent_endpoint batch = {7, ENDPOINT_KIND_VETH, "lxc-batch",
							   "batch"};

	ncaptured = 0;
	return events_agent_new(&batch, 4 * NFLOWS, capture_record, T0_NS);
}

/* Flow i: UDP 10.0.0.1:(20000 + i) -> 10.0.0.2:53 as the endpoint sends it
 * (TC ingress of its veth); the reply swaps sides and hook. Event n's time
 * is T0 + n us, so records show the order events came in. */
static struct netobs_flow_event udp_new(unsigned int i, bool reply, unsigned int n)
{
	struct netobs_flow_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.version = NETOBS_ABI_VERSION;
	ev.hdr.type = NETOBS_EVENT_FLOW_NEW;
	ev.hdr.len = sizeof(ev);
	ev.hdr.ts_ns = T0_NS + n * 1000ULL;
	inet_pton(AF_INET, reply ? "10.0.0.2" : "10.0.0.1", ev.key.saddr);
	inet_pton(AF_INET, reply ? "10.0.0.1" : "10.0.0.2", ev.key.daddr);
	ev.key.sport = htons(reply ? 53 : 20000 + i);
	ev.key.dport = htons(reply ? 20000 + i : 53);
	ev.key.ifindex = 7;
	ev.key.eth_proto = htons(0x0800);
	ev.key.family = NETOBS_FAMILY_IPV4;
	ev.key.proto = IPPROTO_UDP;
	ev.key.hook = reply ? NETOBS_HOOK_TC_EGRESS : NETOBS_HOOK_TC_INGRESS;
	ev.packets = 1;
	ev.bytes = 60;
	return ev;
}

static void take(struct agent *a, const void *ev, size_t size)
{
	a->rb_budget = 1000000;
	ck_assert_int_eq(events_ring_buffer_cb(a, (void *)ev, size), 0);
}

static void take_udp_new(struct agent *a, unsigned int i, bool reply, unsigned int n)
{
	struct netobs_flow_event ev = udp_new(i, reply, n);

	take(a, &ev, sizeof(ev));
}

/*
 * Every request, then every reply, over several batches (the last one part
 * full): one NEW record per event, in event order, requests not replies and
 * replies replies, each reply's flow paired with its request's.
 */
START_TEST(test_batches_keep_order_and_pairing)
{
	struct agent *a = agent_new();
	unsigned int n = 0;

	for (unsigned int i = 0; i < NFLOWS; i++) {
		take_udp_new(a, i, false, n++);
	}
	for (unsigned int i = 0; i < NFLOWS; i++) {
		take_udp_new(a, i, true, n++);
	}
	/* Whole batches were handled as they filled; the rest waits. */
	ck_assert_uint_eq(ncaptured, (2 * NFLOWS) / EVENTS_BATCH * EVENTS_BATCH);
	events_consume(a, 1); /* no ring: hands over what waits */
	ck_assert_uint_eq(ncaptured, 2 * NFLOWS);
	for (unsigned int k = 0; k < 2 * NFLOWS; k++) {
		const struct netobs_flow_record *f = &captured[k].flow;
		bool reply = k >= NFLOWS;
		unsigned int i = reply ? k - NFLOWS : k;

		ck_assert_uint_eq(captured[k].kind, NETOBS_RECORD_FLOW);
		ck_assert_uint_eq(f->event, NETOBS_FLOW_EVENT_NEW);
		ck_assert_uint_eq(captured[k].time_ns, T0_NS + k * 1000ULL);
		ck_assert_uint_eq(ntohs(reply ? f->key.dport : f->key.sport), 20000 + i);
		ck_assert_int_eq(f->is_reply, reply);
		ck_assert_uint_eq(f->packets, 1);
	}
	ck_assert_uint_eq(a->flows.count, 2 * NFLOWS);
	for (unsigned int i = 0; i < NFLOWS; i++) {
		struct netobs_flow_event req = udp_new(i, false, 0), rep = udp_new(i, true, 0);
		struct flow_entry *e = flow_table_lookup(&a->flows, &req.key);
		struct flow_entry *r = flow_table_lookup(&a->flows, &rep.key);

		ck_assert_ptr_nonnull(e);
		ck_assert_ptr_nonnull(r);
		ck_assert(e->answered && r->answered);
	}
	events_agent_free(a);
}
END_TEST

/* An L7 event is handled after the flow events before it: the waiting
 * batch goes first, even part full. */
START_TEST(test_l7_event_hands_over_the_batch)
{
	struct agent *a = agent_new();
	struct netobs_l7_event l7;

	for (unsigned int i = 0; i < 3; i++) {
		take_udp_new(a, i, false, i);
	}
	ck_assert_uint_eq(ncaptured, 0);
	memset(&l7, 0, sizeof(l7));
	l7.hdr.version = NETOBS_ABI_VERSION;
	l7.hdr.type = NETOBS_EVENT_L7;
	l7.hdr.len = sizeof(l7);
	take(a, &l7, sizeof(l7)); /* no L7 tracker: only its place in the order counts */
	ck_assert_uint_eq(ncaptured, 3);
	ck_assert_uint_eq(a->ev_batch.n, 0);
	events_agent_free(a);
}
END_TEST

/* A malformed event is counted and never enters the batch. */
START_TEST(test_malformed_not_batched)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev = udp_new(0, false, 0);

	ev.hdr.len = sizeof(ev) - 1;
	take(a, &ev, sizeof(ev));
	events_flush(a);
	ck_assert_uint_eq(ncaptured, 0);
	ck_assert_uint_eq(a->stats.events_malformed, 1);
	events_agent_free(a);
}
END_TEST

/*
 * A FLOW_NEW of a flow already tracked (harvest found it while its event
 * waited in the ring) makes no second NEW record and is no full table;
 * one whose table is full is counted as such.
 */
START_TEST(test_flow_new_of_tracked_flow)
{
	struct agent *a = agent_new();
	struct netobs_flow_event ev = udp_new(0, false, 0);
	struct netobs_flow_stats first = {.packets = 1, .bytes = 60};
	struct flow_entry *e;

	first.first_seen_ns = first.last_seen_ns = ev.hdr.ts_ns;
	e = agent_flow_new(a, &ev.key, &first, false, 0, ev.hdr.ts_ns); /* as harvest does */
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(ncaptured, 1);
	take(a, &ev, sizeof(ev));
	events_flush(a);
	ck_assert_uint_eq(ncaptured, 1);
	ck_assert_uint_eq(a->flows.count, 1);
	ck_assert_uint_eq(a->stats.flow_table_full, 0);

	/* Fill the table: the next new flow finds no room. */
	for (unsigned int i = 1; a->flows.count < a->flows.capacity; i++) {
		take_udp_new(a, i, false, i);
		events_flush(a);
	}
	ck_assert_uint_eq(a->stats.flow_table_full, 0);
	ev = udp_new(4 * NFLOWS + 1, false, 0);
	take(a, &ev, sizeof(ev));
	events_flush(a);
	ck_assert_uint_eq(a->stats.flow_table_full, 1);
	ck_assert_uint_eq(ncaptured, a->flows.capacity);
	events_agent_free(a);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("events_batch");
	TCase *tc = tcase_create("batch");

	tcase_add_test(tc, test_batches_keep_order_and_pairing);
	tcase_add_test(tc, test_l7_event_hands_over_the_batch);
	tcase_add_test(tc, test_malformed_not_batched);
	tcase_add_test(tc, test_flow_new_of_tracked_flow);
	suite_add_tcase(s, tc);
	return s;
}
