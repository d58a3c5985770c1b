// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * For the namespace tests: check the flows of a `netobs probe -o json`
 * report (on stdin: the agent's real records of a real probe) against a
 * pattern of lib/flow_expect.h, so the patterns are held to what the agent
 * really emits, not only to crafted records.
 *
 *   flow_expect_check tcp|tcp-denied|udp|icmp CLIENT SERVER PORT
 *   flow_expect_check dns CLIENT SERVER PORT NAME RCODE
 *   flow_expect_check http CLIENT SERVER PORT METHOD CODE
 *
 * Prints "matched STEPS/WANTED" or "failed STEPS/WANTED: REASON"; exit 0
 * when matched, 1 when not, 2 on bad input.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_expect.h"

static int kind_from_name(const char *name)
{
	for (int k = FLOW_EXPECT_TCP; k <= FLOW_EXPECT_HTTP; k++)
		if (!strcmp(flow_expect_kind_name((enum flow_expect_kind)k), name))
			return k;
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: flow_expect_check KIND CLIENT SERVER PORT [NAME RCODE | METHOD "
			"CODE] < probe-report.json\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct netobs_record_storage *storage = NULL;
	struct flow_expect e = {.since_ns = 0};
	struct netobs_record *recs = NULL;
	struct flow_expect_result r;
	json_t *report, *flows;
	json_error_t jerr;
	char err[256];
	int kind, family, ret = 2;
	size_t n, i;

	if (argc < 5)
		return usage();
	kind = kind_from_name(argv[1]);
	if (kind < 0)
		return usage();
	e.kind = (enum flow_expect_kind)kind;
	family = strchr(argv[2], ':') ? AF_INET6 : AF_INET;
	e.family = family == AF_INET6 ? NETOBS_FAMILY_IPV6 : NETOBS_FAMILY_IPV4;
	if (inet_pton(family, argv[2], e.client) != 1 || inet_pton(family, argv[3], e.server) != 1)
		return usage();
	e.port = (uint16_t)atoi(argv[4]);
	if (e.kind == FLOW_EXPECT_DNS || e.kind == FLOW_EXPECT_HTTP) {
		if (argc < 7)
			return usage();
		if (e.kind == FLOW_EXPECT_DNS) {
			e.dns_query = argv[5];
			e.dns_rcode = atoi(argv[6]);
		} else {
			e.http_method = argv[5];
			e.http_code = (unsigned int)atoi(argv[6]);
		}
	}

	report = json_loadf(stdin, 0, &jerr);
	flows = json_object_get(report, "flows");
	if (!json_is_array(flows)) {
		fprintf(stderr, "flow_expect_check: no \"flows\" list on stdin (%s)\n",
			report ? "not in the report" : jerr.text);
		goto out;
	}
	n = json_array_size(flows);
	recs = calloc(n + 1, sizeof(*recs));
	storage = calloc(n + 1, sizeof(*storage));
	if (!recs || !storage)
		goto out;
	for (i = 0; i < n; i++) {
		if (netobs_record_from_json_into(json_array_get(flows, i), &recs[i], &storage[i],
						 err, sizeof(err))) {
			fprintf(stderr, "flow_expect_check: record %zu: %s\n", i, err);
			goto out;
		}
	}
	if (flow_expect_check(&e, recs, n, &r)) {
		printf("matched %u/%u\n", r.steps, r.wanted);
		ret = 0;
	} else {
		printf("failed %u/%u: %s\n", r.steps, r.wanted, r.reason);
		ret = 1;
	}
out:
	free(recs);
	free(storage);
	json_decref(report);
	return ret;
}
