// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Cost of one harvest pass over the flow map: reading it with
 * bpf_map_lookup_batch against bpf_map_get_next_key + bpf_map_lookup_elem per
 * key, and reading the values with flow_stats_read() (one per key since
 * ABI 6, the map shared by all CPUs; one per possible CPU before). Also
 * the memory both sides hold per flow. Prints measurements and ratios taken
 * in one run; never asserts on time.
 *
 * usage: bench_harvest [N ...]   flows to fill the map with (default 10000 60000)
 *
 * The map is the datapath's own (loaded from the skeleton, max_entries =
 * NETOBS_FLOW_MAP_DEFAULT_ENTRIES or the largest N if bigger), filled from
 * user space with distinct keys and a non-zero value (on every possible CPU
 * when the map is per-CPU).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "abi.h"
#include "flowtable.h"
#include "netobs.skel.h"

#define ROUNDS	  5
#define MAX_SIZES 8

struct harvest_bufs {
	struct netobs_flow_key *keys;
	void *values;	/* capacity * ncpus * stride bytes, as the kernel lays them out */
	size_t per_key; /* ncpus * stride */
	uint32_t capacity;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Flow i: 10.x.y.z:(1024 + i % 50000) -> 192.168.7.42:443, TCP, TC ingress. */
static void make_key(uint32_t i, struct netobs_flow_key *key)
{
	uint32_t host = i / 50000;

	memset(key, 0, sizeof(*key));
	key->saddr[0] = 10;
	key->saddr[1] = host >> 16;
	key->saddr[2] = host >> 8;
	key->saddr[3] = host;
	key->daddr[0] = 192, key->daddr[1] = 168, key->daddr[2] = 7, key->daddr[3] = 42;
	key->ifindex = 1;
	key->sport = htons(1024 + i % 50000);
	key->dport = htons(443);
	key->eth_proto = htons(ETH_P_IP);
	key->family = NETOBS_FAMILY_IPV4;
	key->proto = IPPROTO_TCP;
	key->hook = NETOBS_HOOK_TC_INGRESS;
}

/* Empty the map, then insert flows 0..n-1 with a value on every CPU. */
static int fill_map(int fd, uint32_t n, unsigned int ncpus, size_t stride)
{
	struct netobs_flow_key key, next;
	char values[ncpus * stride];
	uint32_t i;
	unsigned int cpu;

	while (!bpf_map_get_next_key(fd, NULL, &next))
		if (bpf_map_delete_elem(fd, &next))
			return -errno;
	memset(values, 0, sizeof(values));
	for (i = 0; i < n; i++) {
		make_key(i, &key);
		for (cpu = 0; cpu < ncpus; cpu++) {
			struct netobs_flow_stats *v = (void *)(values + cpu * stride);

			v->packets = i + cpu + 1;
			v->bytes = 100 * v->packets;
			v->first_seen_ns = 1000000 + i + cpu;
			v->last_seen_ns = 2000000 + i + cpu;
			v->tcp_flags = NETOBS_TCP_ACK;
		}
		if (bpf_map_update_elem(fd, &key, values, BPF_NOEXIST))
			return -errno;
	}
	return 0;
}

/* The agent's way: as many entries per call as the buffers hold, until ENOENT. */
static long read_batch(int fd, struct harvest_bufs *b, unsigned int *calls)
{
	struct netobs_flow_key token;
	size_t total = 0;
	bool first = true;

	*calls = 0;
	while (total < b->capacity) {
		__u32 count = b->capacity - total;
		int rc;

		rc = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, b->keys + total,
					  (char *)b->values + total * b->per_key, &count, NULL);
		(*calls)++;
		total += count;
		first = false;
		if (rc) {
			if (errno == ENOENT)
				break;
			return -errno;
		}
	}
	return (long)total;
}

static long read_iterate(int fd, struct harvest_bufs *b)
{
	struct netobs_flow_key key, prev;
	bool have_prev = false;
	size_t total = 0;

	while (total < b->capacity && !bpf_map_get_next_key(fd, have_prev ? &prev : NULL, &key)) {
		prev = key;
		have_prev = true;
		if (!bpf_map_lookup_elem(fd, &key, (char *)b->values + total * b->per_key))
			b->keys[total++] = key;
	}
	return (long)total;
}

/* Sum of the packets read, so the compiler cannot drop the reads. */
static uint64_t read_all(const struct harvest_bufs *b, long n)
{
	struct netobs_flow_stats totals;
	uint64_t packets = 0;
	long i;

	for (i = 0; i < n; i++) {
		flow_stats_read((const void *)((const char *)b->values + (size_t)i * b->per_key),
				&totals);
		packets += totals.packets;
	}
	return packets;
}

/* "memlock:" of the map fd, as the kernel accounts it; 0 if not found. */
static unsigned long long map_memlock(int fd)
{
	unsigned long long memlock = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &memlock) == 1)
			break;
	fclose(f);
	return memlock;
}

static int bench_size(int fd, uint32_t n, struct harvest_bufs *b, unsigned int ncpus, size_t stride)
{
	double batch[ROUNDS], iter[ROUNDS], merge[ROUNDS];
	uint64_t want_packets = 0, got_packets = 0;
	unsigned int calls = 0;
	uint32_t i;
	long got;
	int err, r;

	err = fill_map(fd, n, ncpus, stride);
	if (err) {
		fprintf(stderr, "Error: filling the flow map with %u flows: %s\n", n,
			strerror(-err));
		return err;
	}
	/* What the merge must find: computed from the fill, not from the code under test. */
	for (i = 0; i < n; i++)
		want_packets += (uint64_t)ncpus * (i + 1) + (uint64_t)ncpus * (ncpus - 1) / 2;

	for (r = 0; r < ROUNDS; r++) {
		uint64_t t0, t1, t2, t3;

		t0 = now_ns();
		got = read_batch(fd, b, &calls);
		t1 = now_ns();
		if (got != (long)n) {
			fprintf(stderr, "Error: batch read %ld of %u flows (%s)\n", got, n,
				got < 0 ? strerror((int)-got) : "short");
			return got < 0 ? (int)got : -EIO;
		}
		got_packets = read_all(b, got);
		t2 = now_ns();
		got = read_iterate(fd, b);
		t3 = now_ns();
		if (got != (long)n) {
			fprintf(stderr, "Error: iterated %ld of %u flows\n", got, n);
			return -EIO;
		}
		batch[r] = (double)(t1 - t0) / n;
		merge[r] = (double)(t2 - t1) / n;
		iter[r] = (double)(t3 - t2) / n;
	}
	printf("\n%u flows, %u value(s) per key, %d rounds (median, min in brackets)\n", n, ncpus,
	       ROUNDS);
	qsort(batch, ROUNDS, sizeof(double), cmp_double);
	qsort(iter, ROUNDS, sizeof(double), cmp_double);
	qsort(merge, ROUNDS, sizeof(double), cmp_double);
	printf("  bpf_map_lookup_batch (%u calls)     %8.1f ns/flow  (%.1f)  %6.2f ms/pass\n",
	       calls, median(batch, ROUNDS), batch[0], median(batch, ROUNDS) * n / 1e6);
	printf("  get_next_key + lookup_elem          %8.1f ns/flow  (%.1f)  %6.2f ms/pass\n",
	       median(iter, ROUNDS), iter[0], median(iter, ROUNDS) * n / 1e6);
	printf("  flow_stats_read                     %8.1f ns/flow  (%.1f)  %6.2f ms/pass\n",
	       median(merge, ROUNDS), merge[0], median(merge, ROUNDS) * n / 1e6);
	printf("  ratio iterate/batch                 %8.2f          (min/min %.2f)\n",
	       median(iter, ROUNDS) / median(batch, ROUNDS), iter[0] / batch[0]);
	printf("  ratio merge/batch                   %8.2f\n",
	       median(merge, ROUNDS) / median(batch, ROUNDS));
	printf("  merged packets %s the fill (%llu)\n",
	       got_packets == want_packets ? "match" : "DO NOT MATCH",
	       (unsigned long long)want_packets);
	return got_packets == want_packets ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = {10000, 60000};
	uint32_t capacity = NETOBS_FLOW_MAP_DEFAULT_ENTRIES;
	struct harvest_bufs bufs = {0};
	struct netobs *skel = NULL;
	struct flow_table table = {0};
	int nsizes = 2, ncpus, fd, err = 1, i;
	unsigned long long memlock;
	size_t stride;

	if (argc > 1) {
		nsizes = argc - 1 < MAX_SIZES ? argc - 1 : MAX_SIZES;
		for (i = 0; i < nsizes; i++) {
			sizes[i] = strtoul(argv[i + 1], NULL, 0);
			if (!sizes[i]) {
				fprintf(stderr, "usage: %s [N ...]\n", argv[0]);
				return 2;
			}
		}
	}
	for (i = 0; i < nsizes; i++)
		if (sizes[i] > capacity)
			capacity = sizes[i];
	if (geteuid() != 0) {
		fprintf(stderr, "Error: bench_harvest needs root (BPF maps)\n");
		return 1;
	}
	libbpf_set_print(NULL);
	ncpus = libbpf_num_possible_cpus();
	skel = netobs__open();
	if (!skel || ncpus <= 0 || bpf_map__set_max_entries(skel->maps.flows, capacity) ||
	    netobs__load(skel)) {
		fprintf(stderr, "Error: BPF unavailable (loading the datapath failed: %s)\n",
			strerror(errno));
		goto out;
	}
	fd = bpf_map__fd(skel->maps.flows);
	/* One value per key, shared by every CPU, since ABI 6 (it was one per
	 * possible CPU before). */
	ncpus = 1;

	/* Same layout as agent/harvest.c: 8-byte aligned values. */
	stride = (sizeof(struct netobs_flow_stats) + 7) & ~(size_t)7;
	bufs.capacity = capacity;
	bufs.per_key = stride * ncpus;
	bufs.keys = calloc(capacity, sizeof(*bufs.keys));
	bufs.values = calloc(capacity, bufs.per_key);
	if (!bufs.keys || !bufs.values || flow_table_init(&table, capacity)) {
		fprintf(stderr, "Error: out of memory for %u flows\n", capacity);
		goto out;
	}

	memlock = map_memlock(fd);
	printf("flow map: HASH, max_entries %u, key %zu B, value %zu B x %d\n", capacity,
	       sizeof(struct netobs_flow_key), sizeof(struct netobs_flow_stats), ncpus);
	printf("memory per flow slot (sized for max_entries, whether used or not):\n");
	printf("  kernel, flows map memlock     %10llu B total  %6.1f B/flow\n", memlock,
	       (double)memlock / capacity);
	printf("  agent, harvest buffers        %10zu B total  %6zu B/flow (key %zu + %d x %zu)\n",
	       (size_t)capacity * (sizeof(struct netobs_flow_key) + bufs.per_key),
	       sizeof(struct netobs_flow_key) + bufs.per_key, sizeof(struct netobs_flow_key), ncpus,
	       stride);
	printf("  agent, flow table             %10zu B total  %6.1f B/flow (entry %zu + "
	       "buckets)\n",
	       (size_t)table.capacity * sizeof(struct flow_entry) +
		       (size_t)table.nbuckets * sizeof(uint32_t),
	       ((double)table.capacity * sizeof(struct flow_entry) +
		(double)table.nbuckets * sizeof(uint32_t)) /
		       capacity,
	       sizeof(struct flow_entry));
	if (!memlock)
		printf("  (memlock not found in /proc/self/fdinfo/%d)\n", fd);

	for (i = 0; i < nsizes; i++) {
		if (bench_size(fd, sizes[i], &bufs, ncpus, stride))
			goto out;
	}
	err = 0;
out:
	flow_table_free(&table);
	free(bufs.keys);
	free(bufs.values);
	netobs__destroy(skel);
	return err;
}
