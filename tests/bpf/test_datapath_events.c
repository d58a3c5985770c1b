// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * TCP-flag events: one per SYN/FIN/RST new to a flow, never one per packet,
 * whatever CPUs the packets come on (the flow's entry is shared by all CPUs,
 * its flags set with an atomic fetch-or). Each case pins itself to CPUs it
 * chooses, and one runs two CPUs on one flow at the same time.
 */
#define _GNU_SOURCE
#include <pthread.h>
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
 * STORM SYNs on one 5-tuple, split over every CPU this test may run on, one
 * after the other: the flow learns SYN once, so exactly one event (FLOW_NEW)
 * however many SYNs and CPUs (it was one per CPU while the value was per-CPU).
 */
START_TEST(test_syn_storm_bounded)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	uint64_t got[NETOBS_CNT__MAX];
	struct flow_entry flow;
	int cpus[CPU_SETSIZE], ncpus_used = 0, cpu, i;
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
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], 1);
	ck_assert_int_eq(harness_consume_events(), 1);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	ck_assert(!memcmp(&H.events[0].key, &want, sizeof(want)));
	ck_assert_uint_eq(H.events[0].tcp_flags, NETOBS_TCP_SYN);
	ck_assert_uint_eq(H.events[0].hdr.cpu, cpus[0]);
}
END_TEST

/* One thread of test_two_cpus_one_flow: pinned, then `repeat` runs at once with the other. */
struct cpu_runner {
	pthread_t thread;
	pthread_barrier_t *start;
	const struct pkt *pkt;
	uint32_t repeat;
	int cpu, err;
};

static void *cpu_runner_main(void *arg)
{
	struct cpu_runner *r = arg;
	struct __sk_buff ctx = {.ifindex = TEST_IFINDEX};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = r->pkt->b, .data_size_in = r->pkt->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = r->repeat);
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(r->cpu, &one);
	r->err = pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	pthread_barrier_wait(r->start);
	if (!r->err &&
	    bpf_prog_test_run_opts(bpf_program__fd(H.skel->progs.netobs_tc_ingress), &opts))
		r->err = errno;
	return NULL;
}

/*
 * Two CPUs on one flow at the same time (BPF_PROG_TEST_RUN from two threads
 * pinned to two CPUs): every packet and byte counted, however the updates
 * interleave (atomic adds: plain adds on a shared value lose some, ~2% in
 * bench_fastpath), and the FIN both bring is reported once for the flow.
 */
START_TEST(test_two_cpus_one_flow)
{
	struct netobs_flow_key want = key_v4(TC, IPPROTO_TCP, SPORT, DPORT);
	const uint32_t repeat = 300000;
	struct cpu_runner r[2];
	pthread_barrier_t start;
	uint64_t got[NETOBS_CNT__MAX];
	struct pkt ack, fin;
	int cpus[2], n = 0;

	ck_assert_int_eq(sched_getaffinity(0, sizeof(allowed_cpus), &allowed_cpus), 0);
	for (int cpu = 0; cpu < CPU_SETSIZE && cpu < H.ncpu && n < 2; cpu++)
		if (CPU_ISSET(cpu, &allowed_cpus))
			cpus[n++] = cpu;
	if (n < 2)
		return; /* one CPU: nothing runs at once */
	build_v4_tcp(&ack, SPORT, DPORT, NETOBS_TCP_ACK);
	build_v4_tcp(&fin, SPORT, DPORT, NETOBS_TCP_FIN | NETOBS_TCP_ACK);
	run_tc(&ack); /* the flow exists: both threads take the update path */
	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct cpu_runner){
			.start = &start, .pkt = &fin, .repeat = repeat, .cpu = cpus[i]};
		ck_assert_int_eq(pthread_create(&r[i].thread, NULL, cpu_runner_main, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(r[i].thread, NULL);
		ck_assert_msg(!r[i].err, "thread on CPU %d: %s", r[i].cpu, strerror(r[i].err));
	}
	pthread_barrier_destroy(&start);

	expect_one_flow(&want, 1 + 2 * (uint64_t)repeat, ack.len + 2 * (uint64_t)repeat * fin.len);
	counters_read(got);
	ck_assert_uint_eq(got[NETOBS_CNT_PACKETS], 1 + 2 * (uint64_t)repeat);
	ck_assert_uint_eq(got[NETOBS_CNT_EVENTS], 2); /* FLOW_NEW, one TCP_FLAGS (FIN) */
	ck_assert_int_eq(harness_consume_events(), 2);
	ck_assert_uint_eq(H.events[0].hdr.type, NETOBS_EVENT_FLOW_NEW);
	ck_assert_uint_eq(H.events[1].hdr.type, NETOBS_EVENT_TCP_FLAGS);
	ck_assert_uint_eq(H.events[1].tcp_flags, NETOBS_TCP_FIN | NETOBS_TCP_ACK);
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
	tcase_add_test(tc, test_two_cpus_one_flow);
	suite_add_tcase(s, tc);
	return s;
}
