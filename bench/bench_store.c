// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Cost of the record store per record, as the agent uses it: append (with
 * the eviction callback, the store full so every append evicts) and
 * record_store_get_full() of what was appended (a follower's read). For
 * plain L3/L4 records, typical DNS responses (two A records, a name for
 * the destination) and HTTP requests; and the memory each kind takes.
 * Prints measurements of one run; never asserts on time.
 *
 * usage: bench_store [N [plain|dns|http]]   records appended per kind (default
 *        2000000), and only that kind
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "store.h"

#define ROUNDS 5

static uint64_t evictions;

static void count_eviction(void *ctx, const struct netobs_record *rec)
{
	(void)ctx;
	evictions += rec->seq != 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

enum kind {
	PLAIN,
	DNS,
	HTTP
};

static void make(struct netobs_record *rec, struct netobs_l7 *l7, struct netobs_names *names,
		 enum kind kind, unsigned int i)
{
	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = i;
	rec->flow.key.family = NETOBS_FAMILY_IPV4;
	rec->flow.key.proto = 17;
	rec->flow.packets = 1;
	strcpy(rec->flow.ifname, "veth0");
	if (kind == DNS) {
		memset(l7, 0, offsetof(struct netobs_l7, dns));
		l7->type = NETOBS_L7_RESPONSE;
		l7->kind = NETOBS_L7_DNS;
		l7->latency_ns = 250000;
		snprintf(l7->dns.query, sizeof(l7->dns.query), "api-%u.example.com.", i % 1000);
		l7->dns.ttl = 300;
		l7->dns.rcode = 0;
		l7->dns.ips_len = 2;
		l7->dns.ips[0].family = AF_INET;
		memcpy(l7->dns.ips[0].addr, "\x5d\xb8\xd7\x0e", 4);
		l7->dns.ips[1].family = AF_INET;
		memcpy(l7->dns.ips[1].addr, "\x5d\xb8\xd7\x0f", 4);
		l7->dns.cnames_len = 0;
		l7->dns.qtypes_len = 1;
		l7->dns.qtypes[0] = 1;
		l7->dns.rrtypes_len = 1;
		l7->dns.rrtypes[0] = 1;
		rec->flow.l7 = l7;
		names->len = 1;
		strcpy(names->name[0], "dns.example.net.");
		rec->flow.destination_names = names;
	} else if (kind == HTTP) {
		memset(l7, 0, offsetof(struct netobs_l7, http));
		l7->type = NETOBS_L7_REQUEST;
		l7->kind = NETOBS_L7_HTTP;
		strcpy(l7->http.method, "GET");
		snprintf(l7->http.url, sizeof(l7->http.url), "http://api.example.com/v1/items/%u",
			 i % 1000);
		strcpy(l7->http.protocol, "HTTP/1.1");
		l7->http.headers_len = 2;
		strcpy(l7->http.headers[0].key, "Host");
		strcpy(l7->http.headers[0].value, "api.example.com");
		strcpy(l7->http.headers[1].key, "User-Agent");
		strcpy(l7->http.headers[1].value, "curl/7.88.1");
		rec->flow.l7 = l7;
	}
}

static void bench(const char *what, enum kind kind, size_t n)
{
	static struct netobs_l7 l7;
	static struct netobs_names names;
	struct record_store store;
	struct record_store_scratch *scratch = malloc(sizeof(*scratch));
	struct netobs_record rec;
	double best = 0;
	uint64_t sink = 0;

	if (!scratch || record_store_init(&store, 65535)) {
		fprintf(stderr, "bench_store: out of memory\n");
		exit(1);
	}
	make(&rec, &l7, &names, kind, 0);
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t t0 = now_ns();

		for (size_t i = 0; i < n; i++) {
			const struct netobs_record *got;

			/* Vary the query as the agent would; the rest is the same record. */
			if (kind == DNS && i % 1000 == 0)
				make(&rec, &l7, &names, kind, (unsigned int)i);
			rec.time_ns = i;
			record_store_append(&store, &rec, count_eviction, NULL);
			got = record_store_get_full(&store, record_store_newest_seq(&store),
						    scratch);
			sink += got->time_ns + (got->flow.l7 ? got->flow.l7->type : 0);
		}
		double ns = (double)(now_ns() - t0) / (double)n;

		if (!round || ns < best)
			best = ns;
	}
	printf("%-14s append+get_full %6.1f ns/record   stored %6zu of them, parts %4.0f B each, "
	       "%4zu B with the ring slot\n",
	       what, best, record_store_count(&store),
	       (double)record_store_parts_used(&store) / (double)record_store_count(&store),
	       (size_t)((double)record_store_parts_used(&store) /
				(double)record_store_count(&store) +
			sizeof(struct record_store_entry)));
	if (sink == 42)
		printf("\n");
	free(scratch);
	record_store_free(&store);
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	const char *only = argc > 2 ? argv[2] : "";

	printf("record store of 65535 records, %u-byte arena; best of %d runs of %zu appends\n",
	       RECORD_STORE_PARTS_DEFAULT, ROUNDS, n);
	if (!*only || !strcmp(only, "plain"))
		bench("plain L3/L4", PLAIN, n);
	if (!*only || !strcmp(only, "dns"))
		bench("DNS response", DNS, n);
	if (!*only || !strcmp(only, "http"))
		bench("HTTP request", HTTP, n);
	printf("(struct netobs_record %zu B, struct netobs_l7 %zu B, struct netobs_names %zu B; "
	       "%llu evictions seen)\n",
	       sizeof(struct netobs_record), sizeof(struct netobs_l7), sizeof(struct netobs_names),
	       (unsigned long long)evictions);
	return 0;
}
