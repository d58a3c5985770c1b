// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TCP-flag events: one per SYN/FIN/RST new to a flow on a CPU, never one per
 * packet. Each case pins itself to CPUs it chooses, so it knows how many
 * per-CPU copies of the flow the packets went through.
 */
#define _GNU_SOURCE
#include <sched.h>

#include "datapath_harness.h"

#define TC    NETOBS_HOOK_TC_INGRESS
#define SPORT 40001
#define DPORT 80
/* A storm of SYNs: one event per packet would be STORM events, not one
 * per CPU. */
#define STORM 100000U

static cpu_set_t allowed_cpus;

static void pin_to_cpu(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
}

static void unpin(void)
{
	ck_assert_int_eq(sched_setaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
}

/*
 * STORM SYNs on one 5-tuple, split over every CPU this test may run on:
 * each CPU's copy learns SYN once, so exactly one event per CPU used (the
 * first is FLOW_NEW), however many SYNs, and never more than the CPU count.
 */
START_TEST(test_syn_storm_bounded)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	uint64_t got[NETOBS_CNT__MAX];
	struct flow_entry flow;
	int cpus[CPU_SETSIZE], ncpus_used = 0, cpu, i, j;
	uint32_t sent = 0, share;
	struct pkt syn;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
	for (cpu = 0; cpu < CPU_SETSIZE && cpu < H.ncpu; cpu++)
		if (CPU_ISSET(cpu, &allowed_cpus))
			cpus[ncpus_used++] = cpu;
	ck_assert_int_gt(ncpus_used, 0);
	build_v4_tcp(&syn, SPORT, DPORT, NETOBS_TCP_SYN);
	share = STORM / ncpus_used;
	for (i = 0; i < ncpus_used; i++) {
		uint32_t n = i == ncpus_used - 1 ? STORM - sent : share;

		pin_to_cpu(cpus[i]);
		run_tc_repeat(H.skel->progs.netobs_tc_ingress, &syn, 0, 0, n);
		sent += n;
	}
	unpin();

	flow = expect_one_flow(&want, STORM, (uint64_t)STORM * syn.len);
	ck_assert_uint_eq(flow.tcp_flags, NETOBS_TCP_SYN);
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_PACKETS], STORM);
	ck_assert_uint_eq(got[NETOBS_CNT_RINGBUF_FULL], 0);
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], ncpus_used);
	ck_assert_uint_le(got[NETOBS_CNT_EVENTS], H.ncpu);
	ck_assert_int_eq(harness_consume_events(), ncpus_used);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	for (i = 0; i < ncpus_used; i++) {
		ck_assert(!memcmp(&H.events[i].key, &want, sizeof(want)));
		ck_assert_uint_eq(H.events[i].tcp_flags, NETOBS_TCP_SYN);
		ck_assert_uint_eq(H.events[i].hdr.cpu, cpus[i]);
		if (i)
			ck_assert_uint_eq(H.events[i].hdr.type, NETOBS_EVENT_TCP_FLAGS);
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(H.events[i].hdr.cpu, H.events[j].hdr.cpu);
	}
}
END_TEST

/*
 * On one CPU: SYN, FIN and RST each announce themselves once, whatever
 * repeats or rides along (ACK, PSH); a packet adding a new flag next to an
 * old one is still an event, carrying all of its flags.
 */
START_TEST(test_each_flag_once)
{
	static const struct {
		uint16_t flags;
		uint32_t repeat;
		int event; /* 0 none, else the event type */
	} seq[] = {
		{NETOBS_TCP_SYN, 3, NETOBS_EVENT_FLOW_NEW},
		{NETOBS_TCP_SYN | NETOBS_TCP_ACK, 2, 0},
		{NETOBS_TCP_ACK, 5, 0},
		{NETOBS_TCP_FIN | NETOBS_TCP_ACK, 4, NETOBS_EVENT_TCP_FLAGS},
		{NETOBS_TCP_FIN | NETOBS_TCP_PSH, 1, 0},
		{NETOBS_TCP_RST | NETOBS_TCP_FIN, 3, NETOBS_EVENT_TCP_FLAGS},
		{NETOBS_TCP_RST, 2, 0},
	};
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	uint64_t got[NETOBS_CNT__MAX];
	uint64_t packets = 0, bytes = 0;
	int nevents = 0;
	struct pkt p;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
	pin_to_cpu(sched_getcpu());
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		build_v4_tcp(&p, SPORT, DPORT, seq[i].flags);
		run_tc_repeat(H.skel->progs.netobs_tc_ingress, &p, 0, 0, seq[i].repeat);
		packets += seq[i].repeat;
		bytes += (uint64_t)seq[i].repeat * p.len;
		harness_consume_events();
		if (seq[i].event) {
			ck_assert_int_eq(H.nevents, nevents + 1);
			ck_assert_uint_eq(H.events[nevents].hdr.type, seq[i].event);
			ck_assert_uint_eq(H.events[nevents].tcp_flags, seq[i].flags);
			nevents++;
		}
		ck_assert_msg(H.nevents == nevents, "step %zu: %d events, want %d", i, H.nevents,
			      nevents);
	}
	unpin();
	expect_one_flow(&want, packets, bytes);
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], 3);
}
END_TEST

/* Flags are per flow: a SYN on another 5-tuple is news again. */
START_TEST(test_flags_per_flow)
{
	struct pkt a, b;

	build_v4_tcp(&a, SPORT, DPORT, NETOBS_TCP_SYN);
	build_v4_tcp(&b, SPORT + 1, DPORT, NETOBS_TCP_SYN);
	run_tc_repeat(H.skel->progs.netobs_tc_ingress, &a, 0, 0, 50);
	run_tc_repeat(H.skel->progs.netobs_tc_ingress, &b, 0, 0, 50);
	ck_assert_int_eq(harness_consume_events(), 2);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	ck_assert_uint_eq(H.events[1].hdr.type, NETOBS_EVENT_FLOW_NEW);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("datapath_events");
	TCase *tc = tcase_create("tcp_flags");

	tcase_add_unchecked_fixture(tc, harness_start, harness_stop);
	tcase_add_checked_fixture(tc, harness_reset, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_syn_storm_bounded);
	tcase_add_test(tc, test_each_flag_once);
	tcase_add_test(tc, test_flags_per_flow);
	suite_add_tcase(s, tc);
	return s;
}
