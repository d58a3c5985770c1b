// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Per-packet cost of the netobs datapath under BPF_PROG_TEST_RUN, next to an
 * empty program measured in the same run. Prints ns per packet and ratios;
 * never asserts on time (the numbers depend on the machine and its load).
 *
 * usage: bench_datapath [repeat] [new_flows]
 *   repeat     BPF_PROG_TEST_RUN repeat count per round (default 1000000)
 *   new_flows  distinct flows for the new-flow measurement (default 40000)
 *
 * Method: the kernel times `repeat` runs of the program on one packet and
 * returns the mean (opts.duration), so syscall and skb set-up are outside the
 * figure. Every case runs ROUNDS times, interleaved, and the median and
 * minimum are printed. A new flow happens once per key, so that path is timed
 * differently: see measure_new_flows().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "abi.h"
#include "datapath.h"
#include "netobs.skel.h"
#include "bench_prefilter.h"

#define ROUNDS	       5
#define BENCH_IFINDEX  1 /* lo: the TC test run wants a real device */
#define PKT_MAX	       1600
#define DRAIN_EVERY    4096 /* new-flow packets between untimed ring-buffer drains */
#define DEFAULT_REPEAT 1000000U
#define DEFAULT_FLOWS  40000U
/* SYN-storm runs per round: 8000 events of 88 ring-buffer bytes fit in 1 MiB with room. */
#define SYN_STORM_REPEAT 8000U
/* Runs per round of the cases that send an L7 event each time: 4000 events
 * of at most 8 + 80 + 64 bytes fit in the 1 MiB ring buffer with room. */
#define L7_EVENT_REPEAT 4000U
#define DATA_SEGMENT	1400 /* payload of the data-segment cases, a typical MSS */

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t sport_off; /* where the TCP source port sits, to vary it */
};

static void put(struct pkt *p, const void *data, size_t n)
{
	memcpy(p->b + p->len, data, n);
	p->len += n;
}

static void put_be16(struct pkt *p, uint16_t v)
{
	uint16_t be = htons(v);

	put(p, &be, 2);
}

static void put_eth(struct pkt *p, uint16_t ethertype)
{
	static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

	put(p, macs, sizeof(macs));
	put_be16(p, ethertype);
}

/* 20-byte TCP header with these flags (ACK alone: no ring-buffer event). */
static void put_tcp_flags(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t rest[16] = {0, 0, 0, 1, 0, 0, 0, 2, 5 << 4, flags, 0xff, 0xff};

	p->sport_off = p->len;
	put_be16(p, sport);
	put_be16(p, dport);
	put(p, rest, sizeof(rest));
}

/* Ethernet + IPv4 (no options) + TCP with these flags + 10 bytes of payload. */
static void build_v4_tcp(struct pkt *p, uint16_t sport, uint8_t flags)
{
	uint8_t ip[20] = {0x45, 0, 0,  0, 0x12, 0x34, 0x40, 0,	 64, IPPROTO_TCP,
			  0,	0, 10, 0, 0,	1,    192,  168, 7,  42};
	size_t ip_off;

	p->len = 0;
	put_eth(p, ETH_P_IP);
	ip_off = p->len;
	put(p, ip, sizeof(ip));
	put_tcp_flags(p, sport, 443, flags);
	memset(p->b + p->len, 'x', 10);
	p->len += 10;
	p->b[ip_off + 2] = (p->len - ip_off) >> 8;
	p->b[ip_off + 3] = (p->len - ip_off) & 0xff;
}

static void build_v4_ack(struct pkt *p, uint16_t sport)
{
	build_v4_tcp(p, sport, NETOBS_TCP_ACK);
}

static void ipv4_set_tot_len(struct pkt *p, size_t ip_off, size_t tot_len)
{
	p->b[ip_off + 2] = tot_len >> 8;
	p->b[ip_off + 3] = tot_len & 0xff;
}

/* A 60-byte frame (64 on the wire with the FCS): an ACK without payload,
 * padded to the Ethernet minimum the way a NIC pads it. */
static void build_v4_pure_ack(struct pkt *p, uint16_t sport)
{
	build_v4_ack(p, sport);
	p->len -= 10;
	ipv4_set_tot_len(p, ETH_HLEN, p->len - ETH_HLEN);
	memset(p->b + p->len, 0, 6);
	p->len += 6;
}

/* Ethernet + IPv4 + TCP ACK|PSH to dport + payload. */
static void build_v4_tcp_payload(struct pkt *p, uint16_t sport, uint16_t dport,
				 const uint8_t *payload, size_t n)
{
	uint8_t ip[20] = {0x45, 0, 0,  0, 0x12, 0x34, 0x40, 0,	 64, IPPROTO_TCP,
			  0,	0, 10, 0, 0,	1,    192,  168, 7,  42};

	p->len = 0;
	put_eth(p, ETH_P_IP);
	put(p, ip, sizeof(ip));
	put_tcp_flags(p, sport, dport, NETOBS_TCP_ACK | NETOBS_TCP_PSH);
	put(p, payload, n);
	ipv4_set_tot_len(p, ETH_HLEN, p->len - ETH_HLEN);
}

/* Ethernet + IPv4 + UDP + payload. */
static void build_v4_udp_payload(struct pkt *p, uint16_t sport, uint16_t dport,
				 const uint8_t *payload, size_t n)
{
	uint8_t ip[20] = {0x45, 0, 0,  0, 0x12, 0x34, 0x40, 0,	 64, IPPROTO_UDP,
			  0,	0, 10, 0, 0,	1,    192,  168, 7,  42};

	p->len = 0;
	put_eth(p, ETH_P_IP);
	put(p, ip, sizeof(ip));
	put_be16(p, sport);
	put_be16(p, dport);
	put_be16(p, 8 + n);
	put_be16(p, 0);
	put(p, payload, n);
	ipv4_set_tot_len(p, ETH_HLEN, p->len - ETH_HLEN);
}

/* Ethernet + IPv6 + Hop-by-Hop + Destination Options + TCP ACK + 10 bytes. */
static void build_v6_ext_ack(struct pkt *p, uint16_t sport)
{
	uint8_t ip6[40] = {0x60, 0, 0, 0, 0, 0, IPPROTO_HOPOPTS, 64};
	uint8_t hbh[8] = {IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0}; /* PadN */
	uint8_t dstopts[8] = {IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0}; /* PadN */
	size_t ip_off, payload;

	ip6[8] = 0x20, ip6[9] = 0x01, ip6[10] = 0x0d, ip6[11] = 0xb8, ip6[23] = 1;
	ip6[24] = 0xfd, ip6[39] = 0x34;
	p->len = 0;
	put_eth(p, ETH_P_IPV6);
	ip_off = p->len;
	put(p, ip6, sizeof(ip6));
	put(p, hbh, sizeof(hbh));
	put(p, dstopts, sizeof(dstopts));
	put_tcp_flags(p, sport, 443, NETOBS_TCP_ACK);
	memset(p->b + p->len, 'x', 10);
	p->len += 10;
	payload = p->len - ip_off - 40;
	p->b[ip_off + 4] = payload >> 8;
	p->b[ip_off + 5] = payload & 0xff;
}

/* r0 = retval; exit */
static int load_empty_prog(enum bpf_prog_type type, int retval)
{
	struct bpf_insn insns[2] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = retval},
		{.code = BPF_JMP | BPF_EXIT},
	};

	return bpf_prog_load(type, "bench_empty", "GPL", insns, 2, NULL);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * One BPF_PROG_TEST_RUN. Returns 0 and the kernel's mean ns per run in
 * *duration, or -errno.
 */
static int test_run(int prog_fd, bool xdp, const struct pkt *p, uint32_t repeat, uint32_t *duration)
{
	struct __sk_buff skb_ctx = {.ifindex = BENCH_IFINDEX};
	struct xdp_md xdp_ctx = {.data_end = p->len, .ingress_ifindex = BENCH_IFINDEX};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len,
		    .repeat = repeat);

	if (xdp) {
		opts.ctx_in = &xdp_ctx;
		opts.ctx_size_in = sizeof(xdp_ctx);
	} else {
		opts.ctx_in = &skb_ctx;
		opts.ctx_size_in = sizeof(skb_ctx);
	}
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	if (duration)
		*duration = opts.duration;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct series {
	const char *name;
	int prog_fd;
	bool xdp;
	const struct pkt *pkt;
	uint32_t repeat; /* 0: the command line's */
	bool policy;	 /* run with a policy loaded (netobs_policy_gen 1), else none (0) */
	bool prefilter;	 /* run with the prefilter on (bench_prefilter.h), else off */
	double ns[ROUNDS];
	double median, min;
};

static void series_finish(struct series *s)
{
	double sorted[ROUNDS];

	memcpy(sorted, s->ns, sizeof(sorted));
	qsort(sorted, ROUNDS, sizeof(double), cmp_double);
	s->median = sorted[ROUNDS / 2];
	s->min = sorted[0];
}

static int counter_sum(struct netobs *skel, int ncpus, uint32_t idx, uint64_t *out)
{
	uint64_t values[ncpus];
	int cpu;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &idx, values))
		return -errno;
	*out = 0;
	for (cpu = 0; cpu < ncpus; cpu++)
		*out += values[cpu];
	return 0;
}

static int drain_event(void *ctx, void *data, size_t size)
{
	(void)data;
	(void)size;
	(*(uint64_t *)ctx)++;
	return 0;
}

struct loop_cost {
	uint64_t user_ns;   /* wall time of the calls, user space, syscall included */
	uint64_t kernel_ns; /* sum of opts.duration (repeat = 1) */
	uint64_t calls;
};

/*
 * Run `count` packets once each (repeat = 1) and time the calls from user
 * space. With vary_port the TCP source port is base + i (a distinct flow per
 * packet); without it every call sends the same packet.
 */
static int time_single_runs(int prog_fd, struct pkt *p, bool vary_port, uint32_t base,
			    uint32_t count, struct loop_cost *cost)
{
	uint64_t start = now_ns();
	uint32_t i, dur = 0; /* set by test_run(); zero keeps -O3's flow analysis quiet */
	int err;

	for (i = 0; i < count; i++) {
		if (vary_port) {
			uint16_t sport = htons((uint16_t)(base + i));

			memcpy(p->b + p->sport_off, &sport, 2);
		}
		err = test_run(prog_fd, false, p, 1, &dur);
		if (err)
			return err;
		cost->kernel_ns += dur;
	}
	cost->user_ns += now_ns() - start;
	cost->calls += count;
	return 0;
}

static double per_call(uint64_t total, uint64_t calls)
{
	return calls ? (double)total / calls : 0.0;
}

#define MAX_CHUNKS ((NETOBS_FLOW_MAP_DEFAULT_ENTRIES + DRAIN_EVERY - 1) / DRAIN_EVERY)

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * The new-flow path cannot use `repeat` (only the first run inserts). Method:
 * in chunks of DRAIN_EVERY source ports, run the chunk's packets once each
 * through the empty program, then through netobs (every one inserts a flow
 * and emits FLOW_NEW), then through netobs again (every one finds its flow),
 * then one already known flow as often. Cost per packet = (loop time - empty
 * loop time) / chunk, which removes the syscall and skb set-up; the median
 * over chunks is printed, as a burst of load on another task spoils a chunk,
 * not the result. The kernel's own per-call duration (opts.duration, repeat
 * = 1) is summed as a second, less noisy estimate. The ring buffer is drained
 * between chunks, untimed, so it never fills.
 */
static int measure_new_flows(struct netobs *skel, int empty_tc, uint32_t nflows,
			     struct ring_buffer *rb)
{
	int prog = bpf_program__fd(skel->progs.netobs_tc_ingress);
	struct loop_cost empty = {0}, fresh = {0}, again = {0}, same = {0}, warm = {0};
	double d_fresh[MAX_CHUNKS], d_again[MAX_CHUNKS], d_same[MAX_CHUNKS];
	double u_fresh, u_again, u_same, k_fresh, k_again, k_same;
	struct pkt p, known;
	uint32_t done = 0;
	int err, nchunks = 0;

	build_v4_ack(&p, 0);
	build_v4_ack(&known, 40000); /* created by the repeat cases */
	/* New flows go to port 80, the repeat cases' flows to 443: no overlap. */
	p.b[p.sport_off + 2] = 0;
	p.b[p.sport_off + 3] = 80;
	err = time_single_runs(empty_tc, &p, true, 0, 2000, &warm); /* warm-up, discarded */
	while (!err && done < nflows) {
		uint32_t chunk = nflows - done < DRAIN_EVERY ? nflows - done : DRAIN_EVERY;
		struct loop_cost e = empty, f = fresh, a = again, s = same;

		err = time_single_runs(empty_tc, &p, true, 1 + done, chunk, &empty);
		if (!err)
			err = time_single_runs(prog, &p, true, 1 + done, chunk, &fresh);
		if (!err)
			err = time_single_runs(prog, &p, true, 1 + done, chunk, &again);
		if (!err)
			err = time_single_runs(prog, &known, false, 0, chunk, &same);
		if (!err && ring_buffer__consume(rb) < 0)
			err = -EIO;
		done += chunk;
		e.user_ns = empty.user_ns - e.user_ns;
		d_fresh[nchunks] = ((double)(fresh.user_ns - f.user_ns) - e.user_ns) / chunk;
		d_again[nchunks] = ((double)(again.user_ns - a.user_ns) - e.user_ns) / chunk;
		d_same[nchunks] = ((double)(same.user_ns - s.user_ns) - e.user_ns) / chunk;
		nchunks++;
	}
	if (err)
		return err;

	u_fresh = median(d_fresh, nchunks);
	u_again = median(d_again, nchunks);
	u_same = median(d_same, nchunks);
	k_fresh = per_call(fresh.kernel_ns - empty.kernel_ns, nflows);
	k_again = per_call(again.kernel_ns - empty.kernel_ns, nflows);
	k_same = per_call(same.kernel_ns - empty.kernel_ns, nflows);
	printf("\nnew-flow path: %u distinct IPv4 TCP flows, one run each (repeat = 1), "
	       "%d chunks\n",
	       nflows, nchunks);
	printf("  %-35s %12s %13s %14s %14s\n", "", "user ns/call", "kernel ns/run", "user - empty",
	       "kernel - empty");
	printf("  %-35s %12.0f %13.1f\n", "empty TC (syscall + skb set-up)",
	       per_call(empty.user_ns, nflows), per_call(empty.kernel_ns, nflows));
	printf("  %-35s %12.0f %13.1f %14.0f %14.1f\n", "netobs, new flow (insert + event)",
	       per_call(fresh.user_ns, nflows), per_call(fresh.kernel_ns, nflows), u_fresh,
	       k_fresh);
	printf("  %-35s %12.0f %13.1f %14.0f %14.1f\n", "netobs, same flows again (lookup)",
	       per_call(again.user_ns, nflows), per_call(again.kernel_ns, nflows), u_again,
	       k_again);
	printf("  %-35s %12.0f %13.1f %14.0f %14.1f\n", "netobs, one known flow every call",
	       per_call(same.user_ns, nflows), per_call(same.kernel_ns, nflows), u_same, k_same);
	printf("  (user - empty: median over chunks; kernel - empty: mean over all calls)\n");
	printf("ratios new-flow/existing-flow (each minus empty):\n");
	if (u_again > 0 && u_same > 0)
		printf("  user-space timing:  %5.2f vs the same flows, %5.2f vs one known flow\n",
		       u_fresh / u_again, u_fresh / u_same);
	else
		printf("  user-space timing:  not meaningful (difference below the noise)\n");
	if (k_again > 0 && k_same > 0)
		printf("  kernel duration:    %5.2f vs the same flows, %5.2f vs one known flow\n",
		       k_fresh / k_again, k_fresh / k_same);
	return 0;
}

static void pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (!sched_setaffinity(0, sizeof(set), &set))
		printf("pinned to CPU %d\n", cpu);
}

/* What verification cost: the load's wall time and each program's
 * instructions as the verifier walked them (states included), translated
 * and JITed. */
static void print_load_stats(struct netobs *skel, uint64_t load_ns)
{
	struct bpf_program *prog;

	printf("load (open + verify + JIT, all programs): %.0f ms\n", load_ns / 1e6);
	bpf_object__for_each_program(prog, skel->obj)
	{
		struct bpf_prog_info info = {0};
		uint32_t len = sizeof(info);

		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		printf("  %-22s verified insns %7u, xlated insns %5u, jited bytes %6u\n",
		       bpf_program__name(prog), info.verified_insns, info.xlated_prog_len / 8,
		       info.jited_prog_len);
	}
}

static void print_ratio(const char *what, const struct series *a, const struct series *b)
{
	printf("  %-28s %6.2f   (min/min %.2f)\n", what, a->median / b->median, a->min / b->min);
}

/*
 * A policy as the compiler would write it for a node of 256 endpoints:
 * the bench interface is an endpoint in egress default deny (TC ingress is
 * its egress), its peer 192.168.7.42 has identity 300 and may be reached on
 * TCP 443 and 80-8191 (a range: several prefixes); the ipcache holds 256
 * endpoint addresses and a few CIDRs, as lookups cost more in a fuller trie.
 */
#define BENCH_PEER_ID	  300
#define BENCH_DENIED_PORT 9443

/* The same packet the other way: IPv4 addresses and TCP ports swapped. */
static void bench_swap_v4(struct pkt *p)
{
	uint8_t tmp[4];

	memcpy(tmp, p->b + 14 + 12, 4);
	memcpy(p->b + 14 + 12, p->b + 14 + 16, 4);
	memcpy(p->b + 14 + 16, tmp, 4);
	memcpy(tmp, p->b + p->sport_off, 2);
	memcpy(p->b + p->sport_off, p->b + p->sport_off + 2, 2);
	memcpy(p->b + p->sport_off + 2, tmp, 2);
}

static int bench_policy_rule(int fd, uint16_t port, uint32_t prefixlen)
{
	struct netobs_policy_key k = {
		.prefixlen = prefixlen,
		.ifindex = BENCH_IFINDEX,
		.identity = BENCH_PEER_ID,
		.direction = NETOBS_POLICY_DIR_EGRESS,
		.proto = IPPROTO_TCP,
		.port = htons(port),
	};
	struct netobs_policy_rule v = {1, NETOBS_POLICY_ACTION_ALLOW, NETOBS_MATCH_L3_L4};

	return bpf_map_update_elem(fd, &k, &v, BPF_ANY);
}

static int bench_policy_setup(struct netobs *skel)
{
	struct netobs_policy_endpoint ep = {
		.flags = NETOBS_PEP_EGRESS_RULES | NETOBS_PEP_EGRESS_DEFAULT_DENY,
		.identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + BENCH_IFINDEX,
	};
	int ipc = bpf_map__fd(skel->maps.policy_ipcache);
	int rules = bpf_map__fd(skel->maps.policy_rules);
	struct netobs_ipcache_key ck = {.family = 4};
	struct netobs_ipcache_value cv;
	uint32_t ifindex = BENCH_IFINDEX, i;
	int err;

	err = bpf_map_update_elem(bpf_map__fd(skel->maps.policy_endpoints), &ifindex, &ep, BPF_ANY);
	for (i = 0; !err && i < 256; i++) {
		ck.prefixlen = 32 + 32;
		memcpy(ck.addr, (uint8_t[]){10, 1, 0, (uint8_t)i}, 4);
		cv.identity = NETOBS_POLICY_IDENTITY_ENDPOINT_BASE + 1000 + i;
		err = bpf_map_update_elem(ipc, &ck, &cv, BPF_ANY);
	}
	for (i = 0; !err && i < 8; i++) {
		ck.prefixlen = 32 + 16;
		memcpy(ck.addr, (uint8_t[]){172, (uint8_t)(16 + i), 0, 0}, 4);
		cv.identity = NETOBS_POLICY_IDENTITY_CIDR_BASE + i;
		err = bpf_map_update_elem(ipc, &ck, &cv, BPF_ANY);
	}
	if (!err) {
		ck.prefixlen = 32 + 32;
		memcpy(ck.addr, (uint8_t[]){192, 168, 7, 42}, 4);
		cv.identity = BENCH_PEER_ID;
		err = bpf_map_update_elem(ipc, &ck, &cv, BPF_ANY);
	}
	if (!err)
		err = bench_policy_rule(rules, 443, NETOBS_POLICY_PREFIX_FULL);
	/* 80-8191: 80/12+4 ... as the compiler splits a range */
	for (uint32_t lo = 80; !err && lo <= 8191;) {
		uint32_t size = lo ? lo & -lo : 65536;

		while (lo + size - 1 > 8191)
			size >>= 1;
		err = bench_policy_rule(
			rules, lo, NETOBS_POLICY_PREFIX_PROTO + 16 - (uint32_t)__builtin_ctz(size));
		lo += size;
	}
	return err ? -errno : 0;
}

/*
 * What judging a new flow costs: new flows (one run each, as in
 * measure_new_flows()) with a policy loaded and without, in alternating
 * chunks; each flow is judged, found allowed by the 80-8191 range and
 * remembered in policy_conns.
 */
static int measure_policy_new_flows(struct netobs *skel, struct ring_buffer *rb)
{
	int prog = bpf_program__fd(skel->progs.netobs_tc_ingress);
	const uint32_t nflows = 8000, chunk = 1000;
	struct loop_cost off = {0}, on = {0};
	struct pkt p;
	int err = 0;

	build_v4_ack(&p, 0);
	for (uint32_t done = 0; !err && done < nflows; done += chunk) {
		/* distinct destination ports keep the two sets of flows apart */
		p.b[p.sport_off + 2] = 0x1f;
		p.b[p.sport_off + 3] = 0x90; /* 8080 */
		skel->bss->netobs_policy_gen = 0;
		err = time_single_runs(prog, &p, true, 1 + done, chunk, &off);
		p.b[p.sport_off + 3] = 0x91; /* 8081 */
		skel->bss->netobs_policy_gen = 1;
		if (!err)
			err = time_single_runs(prog, &p, true, 1 + done, chunk, &on);
		skel->bss->netobs_policy_gen = 0;
		if (!err && ring_buffer__consume(rb) < 0)
			err = -EIO;
	}
	if (err)
		return err;
	printf("\npolicy judgement: %u new flows each, one run each, policy loaded vs none\n",
	       nflows);
	printf("  user ns/call: none %.0f, loaded %.0f, judgement %.0f ns per new flow\n",
	       per_call(off.user_ns, off.calls), per_call(on.user_ns, on.calls),
	       per_call(on.user_ns, on.calls) - per_call(off.user_ns, off.calls));
	printf("  kernel ns/run: none %.1f, loaded %.1f, judgement %.1f ns per new flow\n",
	       per_call(off.kernel_ns, off.calls), per_call(on.kernel_ns, on.calls),
	       per_call(on.kernel_ns, on.calls) - per_call(off.kernel_ns, off.calls));
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t repeat = argc > 1 ? strtoul(argv[1], NULL, 0) : DEFAULT_REPEAT;
	uint32_t nflows = argc > 2 ? strtoul(argv[2], NULL, 0) : DEFAULT_FLOWS;
	int empty_tc = -1, empty_xdp = -1, ncpus, err = 0, i, r;
	struct ring_buffer *rb = NULL;
	struct netobs *skel = NULL;
	uint64_t drained = 0, events = 0, full = 0, map_full = 0, busy = 0, load_start, load_ns;
	struct pkt v4, v6, syn, pure_ack, dns, http_get, http_body, tcp_data, allowed, denied, hit,
		reply, opening;
	static const uint8_t dns_query[] = {0x12, 0x34, 0x01, 0x00, 0,	 1,   0,   0,	0,   0,
					    0,	  0,	7,    'e',  'x', 'a', 'm', 'p', 'l', 'e',
					    3,	  'c',	'o',  'm',  0,	 0,   1,   0,	1};
	static const char get[] = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
	uint8_t body[DATA_SEGMENT], tls[DATA_SEGMENT];

	if (!repeat || !nflows || nflows > NETOBS_FLOW_MAP_DEFAULT_ENTRIES - 16) {
		fprintf(stderr, "usage: %s [repeat] [new_flows <= %u]\n", argv[0],
			NETOBS_FLOW_MAP_DEFAULT_ENTRIES - 16);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "Error: bench_datapath needs root (BPF_PROG_TEST_RUN)\n");
		return 1;
	}
	libbpf_set_print(NULL);
	ncpus = libbpf_num_possible_cpus();
	load_start = now_ns();
	skel = netobs__open();
	if (skel) /* the per-packet clock as the agent sets it (datapath_open()) */
		skel->rodata->netobs_tick_ns = datapath_clock_tick_ns();
	if (skel && netobs__load(skel)) {
		netobs__destroy(skel);
		skel = NULL;
	}
	load_ns = now_ns() - load_start;
	empty_tc = load_empty_prog(BPF_PROG_TYPE_SCHED_CLS, TC_ACT_UNSPEC);
	empty_xdp = load_empty_prog(BPF_PROG_TYPE_XDP, XDP_PASS);
	if (!skel || empty_tc < 0 || empty_xdp < 0 || ncpus <= 0) {
		fprintf(stderr, "Error: BPF unavailable (loading programs failed: %s)\n",
			strerror(errno));
		err = 1;
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), drain_event, &drained, NULL);
	if (!rb) {
		fprintf(stderr, "Error: ring_buffer__new: %s\n", strerror(errno));
		err = 1;
		goto out;
	}
	/* What the agent sets by default: DNS on port 53, HTTP on any port. */
	skel->bss->netobs_l7_port_flags[53] = NETOBS_L7_PORT_DNS;
	skel->bss->netobs_l7_config = 0;
	print_load_stats(skel, load_ns);
	pin_to_current_cpu();
	build_v4_ack(&v4, 40000);
	build_v4_pure_ack(&pure_ack, 40002);
	build_v4_udp_payload(&dns, 40003, 53, dns_query, sizeof(dns_query));
	build_v4_tcp_payload(&http_get, 40004, 80, (const uint8_t *)get, sizeof(get) - 1);
	/* A response body: text, not a start line, on a flow whose budget is 0. */
	memset(body, 'b', sizeof(body));
	memcpy(body, "{\"items\": [", 11);
	build_v4_tcp_payload(&http_body, 40005, 80, body, sizeof(body));
	/* TLS application data on 443. */
	memset(tls, 0xa7, sizeof(tls));
	memcpy(tls, "\x17\x03\x03\x05\x73", 5);
	build_v4_tcp_payload(&tcp_data, 40006, 443, tls, sizeof(tls));
	build_v6_ext_ack(&v6, 40000);
	build_v4_tcp(&syn, 40001, NETOBS_TCP_SYN);
	build_v4_ack(&allowed, 40010);
	build_v4_ack(&denied, 40011);
	denied.b[denied.sport_off + 2] = BENCH_DENIED_PORT >> 8;
	denied.b[denied.sport_off + 3] = BENCH_DENIED_PORT & 0xff;
	/* A reply on a port the rules deny: the peer opened the connection
	 * (TC egress, the endpoint's ingress, not enforced), the endpoint answers. */
	build_v4_ack(&reply, 40012);
	reply.b[reply.sport_off + 2] = BENCH_DENIED_PORT >> 8;
	reply.b[reply.sport_off + 3] = BENCH_DENIED_PORT & 0xff;
	opening = reply;
	bench_swap_v4(&opening);
	hit = v4;
	bench_prefilter_hit_packet(hit.b);
	err = bench_policy_setup(skel);
	if (!err)
		err = bench_prefilter_setup(skel);
	if (err) {
		fprintf(stderr, "Error: writing the policy maps: %s\n", strerror(-err));
		err = 1;
		goto out;
	}

	struct series cases[] = {
		{"empty TC", empty_tc, false, &v4},
		{"netobs TC, IPv4 TCP existing", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &v4},
		{"netobs TC, IPv6+2 ext existing", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &v6},
		{"empty XDP", empty_xdp, true, &v4},
		{"netobs XDP, IPv4 TCP existing", bpf_program__fd(skel->progs.netobs_xdp), true,
		 &v4},
		/* A SYN storm on one existing flow. Fewer runs, and the ring buffer drained
		 * before each, so that a datapath sending an event per SYN is timed
		 * submitting them, not failing to reserve in a full ring buffer. */
		{"netobs TC, SYN storm one flow", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &syn, SYN_STORM_REPEAT},
		/* L7: cases 6-10. The two that copy a slice send an event per run. */
		{"TC pure ACK (no payload)", bpf_program__fd(skel->progs.netobs_tc_ingress), false,
		 &pure_ack},
		{"TC DNS query (UDP/53)", bpf_program__fd(skel->progs.netobs_tc_ingress), false,
		 &dns, L7_EVENT_REPEAT},
		{"TC HTTP GET start", bpf_program__fd(skel->progs.netobs_tc_ingress), false,
		 &http_get, L7_EVENT_REPEAT},
		{"TC HTTP body segment (no budget)", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &http_body},
		{"TC TCP data non-HTTP", bpf_program__fd(skel->progs.netobs_tc_ingress), false,
		 &tcp_data},
		/* Policy: cases 11-12, with a policy loaded; the cached verdict. */
		{"TC ACK, policy: allowed flow", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &allowed, 0, true},
		{"TC ACK, policy: denied flow", bpf_program__fd(skel->progs.netobs_tc_ingress),
		 false, &denied, 0, true},
		{"TC ACK, policy: reply", bpf_program__fd(skel->progs.netobs_tc_ingress), false,
		 &reply, 0, true},
		/* Prefilter: cases 14-15, 1025 prefixes listed; a source none holds, one dropped. */
		{"XDP, prefilter on: miss", bpf_program__fd(skel->progs.netobs_xdp), true, &v4, 0,
		 false, true},
		{"XDP, prefilter on: hit (drop)", bpf_program__fd(skel->progs.netobs_xdp), true,
		 &hit, 0, false, true},
	};
	const int ncases = sizeof(cases) / sizeof(cases[0]);

	/* The connection the reply case answers. */
	skel->bss->netobs_policy_gen = 1;
	err = test_run(bpf_program__fd(skel->progs.netobs_tc_egress), false, &opening, 1, NULL);
	if (err) {
		fprintf(stderr, "Error: BPF_PROG_TEST_RUN (opening): %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	/* One run each first: creates the flows, so the timed runs take the fast path. */
	for (i = 0; i < ncases; i++) {
		skel->bss->netobs_policy_gen = cases[i].policy;
		skel->bss->netobs_prefilter_enabled = cases[i].prefilter;
		err = test_run(cases[i].prog_fd, cases[i].xdp, cases[i].pkt, 1, NULL);
		if (err) {
			fprintf(stderr, "Error: BPF_PROG_TEST_RUN (%s): %s\n", cases[i].name,
				strerror(-err));
			err = 1;
			goto out;
		}
	}
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < ncases; i++) {
			uint32_t n = cases[i].repeat ? cases[i].repeat : repeat;
			uint32_t dur;

			if (ring_buffer__consume(rb) < 0) {
				fprintf(stderr, "Error: draining the ring buffer failed\n");
				err = 1;
				goto out;
			}
			skel->bss->netobs_policy_gen = cases[i].policy;
			skel->bss->netobs_prefilter_enabled = cases[i].prefilter;
			err = test_run(cases[i].prog_fd, cases[i].xdp, cases[i].pkt, n, &dur);
			if (err) {
				fprintf(stderr, "Error: BPF_PROG_TEST_RUN: %s\n", strerror(-err));
				err = 1;
				goto out;
			}
			cases[i].ns[r] = dur;
		}
	}

	printf("BPF_PROG_TEST_RUN, repeat %u (SYN storm %u, L7 events %u), %d rounds interleaved, "
	       "%d possible "
	       "CPUs\n",
	       repeat, SYN_STORM_REPEAT, L7_EVENT_REPEAT, ROUNDS, ncpus);
	printf("packets: IPv4 TCP ACK %zu bytes (10 of payload), IPv6+HBH+DstOpts TCP ACK %zu "
	       "bytes, pure ACK %zu, DNS %zu, HTTP GET %zu, data segments %zu\n",
	       v4.len, v6.len, pure_ack.len, dns.len, http_get.len, tcp_data.len);
	printf("  %-32s %8s %8s   %s\n", "case", "median", "min", "ns/packet per round");
	for (i = 0; i < ncases; i++) {
		series_finish(&cases[i]);
		printf("  %-32s %8.0f %8.0f  ", cases[i].name, cases[i].median, cases[i].min);
		for (r = 0; r < ROUNDS; r++)
			printf(" %.0f", cases[i].ns[r]);
		printf("\n");
	}
	printf("ratios (median/median):\n");
	print_ratio("netobs TC / empty TC", &cases[1], &cases[0]);
	print_ratio("netobs XDP / empty XDP", &cases[4], &cases[3]);
	print_ratio("IPv6+ext / IPv4 (TC)", &cases[2], &cases[1]);
	print_ratio("SYN storm / ACK (TC)", &cases[5], &cases[1]);
	print_ratio("pure ACK / empty TC", &cases[6], &cases[0]);
	print_ratio("DNS query / empty TC", &cases[7], &cases[0]);
	print_ratio("HTTP GET start / empty TC", &cases[8], &cases[0]);
	print_ratio("HTTP body / empty TC", &cases[9], &cases[0]);
	print_ratio("TCP data non-HTTP / empty TC", &cases[10], &cases[0]);
	print_ratio("DNS query / ACK (TC)", &cases[7], &cases[1]);
	print_ratio("HTTP GET start / ACK (TC)", &cases[8], &cases[1]);
	print_ratio("TCP data non-HTTP / ACK", &cases[10], &cases[1]);
	print_ratio("policy allowed / empty TC", &cases[11], &cases[0]);
	print_ratio("policy allowed / ACK (TC)", &cases[11], &cases[1]);
	print_ratio("policy denied / empty TC", &cases[12], &cases[0]);
	print_ratio("policy reply / empty TC", &cases[13], &cases[0]);
	print_ratio("policy reply / ACK (TC)", &cases[13], &cases[1]);
	print_ratio("prefilter miss / XDP (off)", &cases[14], &cases[4]);
	print_ratio("prefilter hit / XDP (off)", &cases[15], &cases[4]);
	print_ratio("prefilter hit / empty XDP", &cases[15], &cases[3]);
	printf("netobs minus empty (median): TC %.0f ns, XDP %.0f ns, TC IPv6+ext %.0f ns\n",
	       cases[1].median - cases[0].median, cases[4].median - cases[3].median,
	       cases[2].median - cases[0].median);

	skel->bss->netobs_policy_gen = 0;
	skel->bss->netobs_prefilter_enabled = 0;
	err = measure_new_flows(skel, empty_tc, nflows, rb);
	if (!err)
		err = measure_policy_new_flows(skel, rb);
	if (err) {
		fprintf(stderr, "Error: new-flow measurement: %s\n", strerror(-err));
		err = 1;
		goto out;
	}
	if (counter_sum(skel, ncpus, NETOBS_CNT_RINGBUF_FULL, &full) ||
	    counter_sum(skel, ncpus, NETOBS_CNT_EVENTS, &events) ||
	    counter_sum(skel, ncpus, NETOBS_CNT_FLOW_MAP_FULL, &map_full) ||
	    counter_sum(skel, ncpus, NETOBS_CNT_FLOW_MAP_BUSY, &busy)) {
		fprintf(stderr, "Error: reading counters: %s\n", strerror(errno));
		err = 1;
		goto out;
	}
	printf("datapath counters after the run: events %llu (drained %llu), ringbuf_full %llu, "
	       "flow_map_full %llu, flow_map_busy %llu\n",
	       (unsigned long long)events, (unsigned long long)drained, (unsigned long long)full,
	       (unsigned long long)map_full, (unsigned long long)busy);
	err = 0;
out:
	ring_buffer__free(rb);
	if (empty_xdp >= 0)
		close(empty_xdp);
	if (empty_tc >= 0)
		close(empty_tc);
	netobs__destroy(skel);
	return err;
}
