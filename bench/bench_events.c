// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_events [FLOWS] [ROUNDS]: the agent's cost per ring-buffer event,
 * without the kernel. FLOWS synthetic FLOW_NEW events of distinct UDP flows
 * (as bench_newflows.sh sends) go through events_ring_buffer_cb() exactly
 * as libbpf hands them over, EVENTS_PER_WAKEUP at a time then the end of
 * the consume (events_drain()), into an agent whose flow tables are sized
 * for 2^19 flows (--flow-map-size 524288, as in bench_newflows.sh). Records
 * go to a counter instead of the store (agent_emit()'s replay hook), so
 * this is the event path alone: flow table, record making. Prints ns per
 * event per round and the median; no datapath, no root needed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"

#define TABLE_FLOWS (1U << 19)

static uint64_t records;

static void count_record(struct agent *a, const struct netobs_record *rec)
{
	(void)a;
	(void)rec;
	records++;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void event_fill(struct netobs_flow_event *ev, uint32_t i, uint64_t ts)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.version = NETOBS_ABI_VERSION;
	ev->hdr.type = NETOBS_EVENT_FLOW_NEW;
	ev->hdr.len = sizeof(*ev);
	ev->hdr.ts_ns = ts;
	inet_pton(AF_INET, "10.252.0.2", ev->key.saddr);
	inet_pton(AF_INET, "10.252.0.1", ev->key.daddr);
	ev->key.sport = htons((uint16_t)(1024 + i % 60000));
	ev->key.dport = htons((uint16_t)(10000 + i % 7));
	ev->key.ifindex = 7;
	ev->key.eth_proto = htons(0x0800);
	ev->key.family = NETOBS_FAMILY_IPV4;
	ev->key.proto = IPPROTO_UDP;
	ev->key.hook = NETOBS_HOOK_TC_INGRESS;
	ev->packets = 1;
	ev->bytes = 60;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	uint32_t nflows = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 300000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	struct netobs_flow_event *evs;
	struct agent *a;
	struct endpoint *ep;
	double ns[64];

	if (!nflows || nflows > 420000 || rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: bench_events [FLOWS (1-420000)] [ROUNDS (1-64)]\n");
		return 2;
	}
	a = calloc(1, sizeof(*a));
	evs = calloc(nflows, sizeof(*evs));
	if (!a || !evs || !(a->endpoints = calloc(1, sizeof(*a->endpoints)))) {
		fprintf(stderr, "Error: out of memory\n");
		return 1;
	}
	ep = &a->endpoints->eps[a->endpoints->count++];
	ep->id = ep->ifindex = 7;
	ep->kind = ENDPOINT_KIND_VETH;
	strcpy(ep->ifname, "nbn-h0");
	strcpy(ep->name, "bench");
	a->dp.flows_fd = -1;
	a->replay_emit = count_record;
	agent_clock_sync();
	for (uint32_t i = 0; i < nflows; i++)
		event_fill(&evs[i], i, agent_now_mono_ns() + i * 4000ULL);

	printf("%u FLOW_NEW events of distinct UDP flows, flow tables of %u, %u per wakeup, "
	       "%d rounds\n",
	       nflows, TABLE_FLOWS, EVENTS_PER_WAKEUP, rounds);
	for (int r = 0; r < rounds; r++) {
		uint64_t t0, t;

		if (flow_table_init(&a->flows, TABLE_FLOWS) ||
		    flow_table_init(&a->ended, TABLE_FLOWS)) {
			fprintf(stderr, "Error: flow_table_init\n");
			return 1;
		}
		records = 0;
		t0 = now_ns();
		for (uint32_t i = 0; i < nflows;) {
			a->rb_budget = EVENTS_PER_WAKEUP + 1;
			for (uint32_t k = 0; k < EVENTS_PER_WAKEUP && i < nflows; k++, i++)
				events_ring_buffer_cb(a, &evs[i], sizeof(evs[i]));
			events_drain(a); /* the end of a consume */
		}
		t = now_ns() - t0;
		if (records != nflows) {
			fprintf(stderr, "Error: %llu records for %u events\n",
				(unsigned long long)records, nflows);
			return 1;
		}
		ns[r] = (double)t / nflows;
		printf("  round %d: %.0f ns/event\n", r + 1, ns[r]);
		flow_table_free(&a->flows);
		flow_table_free(&a->ended);
	}
	qsort(ns, (size_t)rounds, sizeof(ns[0]), cmp_double);
	printf("median %.0f ns/event (min %.0f)\n", ns[rounds / 2], ns[0]);
	free(evs);
	free(a->endpoints);
	free(a);
	return 0;
}
