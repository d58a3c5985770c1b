// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What each piece of the per-packet fast path costs, and what the
 * alternatives cost: the variants of bench/fastpath_variants.bpf.c and the
 * datapath's own netobs_tc_ingress, on one 64-byte IPv4 TCP ACK of a known
 * flow, under BPF_PROG_TEST_RUN. Never asserts on time.
 *
 * usage: bench_fastpath [repeat] [contention_repeat]
 *
 * 1. One CPU: every case ROUNDS times, interleaved, the kernel's mean ns
 *    per run (opts.duration); median and min printed, ratios to the empty
 *    TC program.
 * 2. Two CPUs at once: two threads pinned to CPUs 0 and 1 run the same case
 *    together (a barrier starts them), on the SAME flow and on two
 *    different flows; ns/packet is the mean of both threads' durations. The
 *    map is emptied before each run, and the packets the map holds after it
 *    are compared with the runs made: per-CPU and atomic layouts must be
 *    exact; plain adds on a shared value lose what they lose.
 * 3. Memory per flow slot: memlock of each map (/proc/self/fdinfo) at this
 *    machine's CPU count, and the kernel's formula at 64 and 256 CPUs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "abi.h"
#include "datapath.h"
#include "fastpath_variants.skel.h"
#include "netobs.skel.h"

#define ROUNDS		    5
#define CONTENTION_ROUNDS   3
#define BENCH_IFINDEX	    1
#define DEFAULT_REPEAT	    1000000U
#define DEFAULT_CONT_REPEAT 2000000U
#define SPORT_A		    40000
#define SPORT_B		    40001
#define SPORT_OFF	    34 /* Ethernet 14 + IPv4 20 */

/* Ethernet + IPv4 + TCP ACK + 10 payload bytes ('x'): 64 bytes, as bench_datapath's. */
static void build_packet(uint8_t *b, uint16_t sport)
{
	static const uint8_t head[54] = {
		2,    0,    0,		 0,    0,    2,	     2,
		0,    0,    0,		 0,    1,    0x08,   0x00, /* Ethernet */
		0x45, 0,    0,		 50,   0x12, 0x34,   0x40,
		0,    64,   IPPROTO_TCP, 0,    0, /* IPv4 */
		10,   0,    0,		 1,    192,  168,    7,
		42, /* addresses */
		0,    0,    0x01,	 0xbb, 0,    0,	     0,
		1,    0,    0,		 0,    2,    5 << 4, NETOBS_TCP_ACK,
		0xff, 0xff, 0,		 0,    0,    0, /* TCP */
	};

	memcpy(b, head, sizeof(head));
	memset(b + sizeof(head), 'x', 10);
	b[SPORT_OFF] = sport >> 8;
	b[SPORT_OFF + 1] = sport & 0xff;
}

#define PKT_LEN 64

enum layout {
	L_NONE,
	L_PERCPU,
	L_SHARED
};

struct fp_case {
	const char *name;
	int prog_fd;
	int map_fd; /* the map its flow lives in, -1 none */
	enum layout layout;
	uint32_t value_size;
	bool contention; /* run in the two-CPU part */
	double ns[ROUNDS];
	double median, min;
	/* two CPUs: ns/packet and packets missing (runs - counted), same flow / two flows */
	double same_ns, diff_ns;
	int64_t same_lost, diff_lost;
};

static int test_run(int prog_fd, const uint8_t *pkt, uint32_t repeat, uint32_t *duration)
{
	struct __sk_buff ctx = {.ifindex = BENCH_IFINDEX};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = PKT_LEN,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = repeat);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	if (duration)
		*duration = opts.duration;
	return 0;
}

static int load_empty_tc(void)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = TC_ACT_UNSPEC},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "fp_empty", "GPL", insns, 2, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return v[n / 2];
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Packets in every entry of the map (the first 8 bytes of the value), all CPUs summed. */
static int map_packets(int fd, enum layout layout, uint32_t value_size, int ncpus, uint64_t *out)
{
	size_t stride = (value_size + 7) & ~7U, n = layout == L_PERCPU ? (size_t)ncpus : 1;
	uint8_t key[64], next[64], *values = calloc(n, stride);
	void *prev = NULL;
	int err = 0;

	if (!values)
		return -ENOMEM;
	*out = 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		if (bpf_map_lookup_elem(fd, next, values)) {
			err = -errno;
			break;
		}
		for (size_t i = 0; i < n; i++)
			*out += *(uint64_t *)(values + i * stride);
		memcpy(key, next, sizeof(key));
		prev = key;
	}
	free(values);
	return err;
}

static int map_clear(int fd)
{
	uint8_t key[64];

	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

struct worker {
	pthread_t thread;
	pthread_barrier_t *start;
	int cpu, prog_fd, err;
	uint32_t repeat, duration;
	uint8_t pkt[PKT_LEN];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	w->err = pin(w->cpu);
	pthread_barrier_wait(w->start);
	if (!w->err)
		w->err = test_run(w->prog_fd, w->pkt, w->repeat, &w->duration);
	return NULL;
}

/*
 * Both CPUs run the case at once, on one flow (same) or two. Returns 0 and
 * the mean ns/packet of the two threads and the packets the map misses.
 */
static int run_pair(struct fp_case *c, bool same, uint32_t repeat, int ncpus, double *ns,
		    int64_t *lost)
{
	pthread_barrier_t start;
	struct worker w[2];
	uint64_t counted, runs;
	int err;

	err = map_clear(c->map_fd);
	pthread_barrier_init(&start, NULL, 2);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct worker){
			.start = &start, .cpu = i, .prog_fd = c->prog_fd, .repeat = repeat};
		build_packet(w[i].pkt, same || !i ? SPORT_A : SPORT_B);
		/* Insert the flow first: the timed runs take the fast path. */
		if (!err)
			err = test_run(c->prog_fd, w[i].pkt, 1, NULL);
	}
	for (int i = 0; !err && i < 2; i++)
		err = -pthread_create(&w[i].thread, NULL, worker_run, &w[i]);
	for (int i = 0; !err && i < 2; i++) {
		pthread_join(w[i].thread, NULL);
		err = w[i].err;
	}
	pthread_barrier_destroy(&start);
	if (!err)
		err = map_packets(c->map_fd, c->layout, c->value_size, ncpus, &counted);
	if (err)
		return err;
	runs = 2 + 2 * (uint64_t)repeat;
	*ns = (w[0].duration + w[1].duration) / 2.0;
	*lost = (int64_t)runs - (int64_t)counted;
	return 0;
}

static int contention(struct fp_case *cases, int ncases, uint32_t repeat, int ncpus)
{
	double same[ncases][CONTENTION_ROUNDS], diff[ncases][CONTENTION_ROUNDS];
	int err = 0;

	for (int r = 0; r < CONTENTION_ROUNDS; r++) {
		for (int i = 0; i < ncases && !err; i++) {
			struct fp_case *c = &cases[i];
			int64_t lost;

			if (!c->contention)
				continue;
			err = run_pair(c, true, repeat, ncpus, &same[i][r], &lost);
			if (!err && (r == 0 || lost > c->same_lost))
				c->same_lost = lost;
			if (!err)
				err = run_pair(c, false, repeat, ncpus, &diff[i][r], &lost);
			if (!err && (r == 0 || lost > c->diff_lost))
				c->diff_lost = lost;
		}
	}
	if (err)
		return err;
	printf("\ntwo CPUs at once: threads pinned to CPUs 0 and 1, repeat %u each, %d rounds "
	       "(median of the two threads' mean)\n",
	       repeat, CONTENTION_ROUNDS);
	printf("  %-40s %9s %9s %12s %12s\n", "case", "same ns", "2 flows", "same: lost",
	       "2 flows: lost");
	for (int i = 0; i < ncases; i++) {
		struct fp_case *c = &cases[i];

		if (!c->contention)
			continue;
		c->same_ns = median_of(same[i], CONTENTION_ROUNDS);
		c->diff_ns = median_of(diff[i], CONTENTION_ROUNDS);
		printf("  %-40s %9.1f %9.1f %12lld %12lld\n", c->name, c->same_ns, c->diff_ns,
		       (long long)c->same_lost, (long long)c->diff_lost);
	}
	printf("  (lost: runs made minus packets the map counts, worst round; of %llu runs)\n",
	       (unsigned long long)(2 + 2 * (uint64_t)repeat));
	return 0;
}

static int64_t memlock_of(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * Bytes per slot by the kernel's htab_map_mem_usage() (kernel/bpf/hashtab.c,
 * preallocated map, max_entries a power of two so one bucket per slot):
 * bucket 16 + elem (struct htab_elem 48 + round_up(key, 8) + per-CPU: an
 * 8-byte pointer; shared: round_up(value, 8)) + per-CPU: round_up(value,
 * 8) x possible CPUs. A shared map also preallocates one extra element per
 * CPU (for updates of an existing key), ncpus x elem for the whole map.
 */
#define HTAB_ELEM   48
#define HTAB_BUCKET 16
static double slot_bytes(uint32_t key, uint32_t value, bool percpu, int ncpus, uint32_t entries)
{
	double k = (key + 7) & ~7U, v = (value + 7) & ~7U;

	if (percpu)
		return HTAB_BUCKET + HTAB_ELEM + k + 8 + v * ncpus;
	return HTAB_BUCKET + HTAB_ELEM + k + v + (double)ncpus * (HTAB_ELEM + k + v + 8) / entries;
}

static void memory(struct fastpath_variants *v, int ncpus)
{
	struct {
		const char *name;
		struct bpf_map *map;
	} maps[] = {
		{"per-CPU, key 48, value 48 (ABI 4-5)", v->maps.fp_pc48},
		{"per-CPU, key 20 (IPv4), value 48", v->maps.fp_pc48_v4},
		{"per-CPU, key 48, value 16", v->maps.fp_pc16},
		{"shared, key 48, value 48 (ABI 6)", v->maps.fp_sh48},
		{"shared, key 48, value 32", v->maps.fp_sh32},
		{"shared, key 20 (IPv4), value 48", v->maps.fp_sh48_v4},
	};

	printf("\nmemory per flow slot (kernel memlock / max_entries; formula: see "
	       "slot_bytes())\n");
	printf("  %-36s %10s %10s %10s %10s %14s\n", "layout", "measured", "formula", "64 CPUs",
	       "256 CPUs", "65536 @256");
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		const struct bpf_map *m = maps[i].map;
		uint32_t entries = bpf_map__max_entries(m), key = bpf_map__key_size(m),
			 value = bpf_map__value_size(m);
		bool percpu = bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_HASH;
		int64_t lock = memlock_of(bpf_map__fd(m));
		double at256 = slot_bytes(key, value, percpu, 256, entries);

		printf("  %-36s %10.1f %10.1f %10.1f %10.1f %11.1f MB\n", maps[i].name,
		       lock > 0 ? (double)lock / entries : -1.0,
		       slot_bytes(key, value, percpu, ncpus, entries),
		       slot_bytes(key, value, percpu, 64, entries), at256, at256 * 65536 / 1e6);
	}
	printf("  (measured at %d possible CPUs; bpf_htab, the lock counters and the extra "
	       "elements make the rest)\n",
	       ncpus);
}

int main(int argc, char **argv)
{
	uint32_t repeat = argc > 1 ? strtoul(argv[1], NULL, 0) : DEFAULT_REPEAT;
	uint32_t crepeat = argc > 2 ? strtoul(argv[2], NULL, 0) : DEFAULT_CONT_REPEAT;
	struct fastpath_variants *v = NULL;
	struct netobs *skel = NULL;
	int empty = -1, ncpus, err = 0;
	uint8_t pkt[PKT_LEN];

	if (!repeat || !crepeat) {
		fprintf(stderr, "usage: %s [repeat] [contention_repeat]\n", argv[0]);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "Error: bench_fastpath needs root (BPF_PROG_TEST_RUN)\n");
		return 1;
	}
	libbpf_set_print(NULL);
	ncpus = libbpf_num_possible_cpus();
	/* The tick clock as the agent sets it (datapath_open()). */
	v = fastpath_variants__open();
	if (v)
		v->rodata->netobs_tick_ns = datapath_clock_tick_ns();
	skel = netobs__open();
	if (skel)
		skel->rodata->netobs_tick_ns = datapath_clock_tick_ns();
	empty = load_empty_tc();
	if (!v || !skel || empty < 0 || ncpus <= 0 || fastpath_variants__load(v) ||
	    netobs__load(skel)) {
		fprintf(stderr, "Error: BPF unavailable (loading programs failed: %s)\n",
			strerror(errno));
		err = 1;
		goto out;
	}
	/* As the agent sets it: DNS on 53, HTTP on any port (the packet's 10
	 * payload bytes go through the L7 check, as in bench_datapath). */
	skel->bss->netobs_l7_port_flags[53] = NETOBS_L7_PORT_DNS;

#define PCPU(n, p, m, vs)                                                                          \
	{                                                                                          \
		n, bpf_program__fd(v->progs.p), bpf_map__fd(v->maps.m), L_PERCPU, vs, true         \
	}
#define SHRD(n, p, m, vs)                                                                          \
	{                                                                                          \
		n, bpf_program__fd(v->progs.p), bpf_map__fd(v->maps.m), L_SHARED, vs, true         \
	}
#define NOMAP(n, p)                                                                                \
	{                                                                                          \
		n, bpf_program__fd(v->progs.p), -1, L_NONE, 0, false                               \
	}
	struct fp_case cases[] = {
		{"empty TC", empty, -1, L_NONE, 0, false},
		NOMAP("parse", fp_parse_only),
		NOMAP("parse + boot ns", fp_clock_boot),
		NOMAP("parse + ktime ns (mono)", fp_clock_mono),
		NOMAP("parse + coarse ns", fp_clock_coarse),
		NOMAP("parse + jiffies64", fp_clock_jiffies),
		NOMAP("parse + tick clock (lib/clock.h)", fp_clock_tick),
		NOMAP("parse + boot + 2 counters", fp_counters2),
		NOMAP("  + lookup, key 48", fp_lookup48),
		NOMAP("  + lookup, key 20 (IPv4)", fp_lookup_v4),
		PCPU("  + update, per-CPU 48 (ABI 4 core)", fp_pc48_update, fp_pc48,
		     sizeof(struct netobs_flow_stats)),
		PCPU("ABI 4 core, no counters", fp_pc48_nocnt, fp_pc48,
		     sizeof(struct netobs_flow_stats)),
		PCPU("ABI 4 core, coarse clock", fp_pc48_coarse, fp_pc48,
		     sizeof(struct netobs_flow_stats)),
		PCPU("ABI 4 core, tick clock (ABI 5)", fp_pc48_tick, fp_pc48,
		     sizeof(struct netobs_flow_stats)),
		PCPU("per-CPU 48, key 20 (IPv4)", fp_pc48_v4_update, fp_pc48_v4,
		     sizeof(struct netobs_flow_stats)),
		PCPU("per-CPU 16 (packets, bytes)", fp_pc16_update, fp_pc16, 16),
		SHRD("shared 48, atomic (flow.h)", fp_sh48_atomic, fp_sh48, 48),
		SHRD("shared 48, atomic, no counters", fp_sh48_atomic_nocnt, fp_sh48, 48),
		SHRD("shared 48, atomic, tick (ABI 6)", fp_sh48_atomic_tick, fp_sh48, 48),
		SHRD("shared 48, plain adds", fp_sh48_plain_update, fp_sh48_plain, 48),
		SHRD("shared 32, atomic", fp_sh32_atomic, fp_sh32, 32),
		SHRD("shared 48, atomic, key 20 (IPv4)", fp_sh48_v4_atomic, fp_sh48_v4, 48),
		{"netobs_tc_ingress (full)", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 bpf_map__fd(skel->maps.flows), L_PERCPU, sizeof(struct netobs_flow_stats), true},
	};
	int ncases = sizeof(cases) / sizeof(cases[0]);

	pin(0);
	build_packet(pkt, SPORT_A);
	for (int i = 0; i < ncases && !err; i++)
		err = test_run(cases[i].prog_fd, pkt, 1, NULL); /* create the flows */
	for (int r = 0; r < ROUNDS && !err; r++)
		for (int i = 0; i < ncases && !err; i++) {
			uint32_t d = 0;

			err = test_run(cases[i].prog_fd, pkt, repeat, &d);
			cases[i].ns[r] = d;
		}
	if (err) {
		fprintf(stderr, "Error: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	printf("one CPU: BPF_PROG_TEST_RUN, repeat %u, %d rounds interleaved, %d possible CPUs\n",
	       repeat, ROUNDS, ncpus);
	printf("packet: IPv4 TCP ACK, 64 bytes (10 payload), its flow already in the map\n");
	printf("  %-40s %7s %7s %8s   per round\n", "case", "median", "min", "/empty");
	for (int i = 0; i < ncases; i++) {
		struct fp_case *c = &cases[i];
		double sorted[ROUNDS];

		memcpy(sorted, c->ns, sizeof(sorted));
		c->median = median_of(sorted, ROUNDS);
		c->min = sorted[0];
		printf("  %-40s %7.0f %7.0f %8.2f  ", c->name, c->median, c->min,
		       c->median / cases[0].median);
		for (int r = 0; r < ROUNDS; r++)
			printf(" %.0f", c->ns[r]);
		printf("\n");
	}
	err = contention(cases, ncases, crepeat, ncpus);
	if (err) {
		fprintf(stderr, "Error: two-CPU run: %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	memory(v, ncpus);
out:
	if (empty >= 0)
		close(empty);
	netobs__destroy(skel);
	fastpath_variants__destroy(v);
	return err;
}
