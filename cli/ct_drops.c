// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * no-unexpected-drops, the last test of `netobs connectivity test`: over
 * the whole run, no packet of the topology may have been dropped unless a
 * test expected it (the denied actions of the policy scenarios: their
 * addresses, server port and drop reason). Two witnesses: the agent's
 * DROPPED records and the kernel's drop counters of the links.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_tests.h"

static const char *link_name(const struct ct_topology *t, unsigned int i)
{
	return i < CT_NODE__COUNT ? t->nodes[i].veth : CT_BRIDGE;
}

/* rx_dropped + tx_dropped of a link; false when it cannot be read. */
static bool link_drops(const char *ifname, uint64_t *drops)
{
	static const char *const counters[] = {"rx_dropped", "tx_dropped"};
	unsigned int i;

	*drops = 0;
	for (i = 0; i < 2; i++) {
		unsigned long long v;
		char path[128];
		FILE *f;
		int n;

		snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", ifname,
			 counters[i]);
		f = fopen(path, "r");
		if (!f)
			return false;
		n = fscanf(f, "%llu", &v);
		fclose(f);
		if (n != 1)
			return false;
		*drops += v;
	}
	return true;
}

void ct_link_drops_start(struct ct_link_drops *d, const struct ct_topology *t)
{
	unsigned int i;

	for (i = 0; i < CT_LINKS; i++)
		d->counted[i] = link_drops(link_name(t, i), &d->before[i]);
}

int ct_drops_count_new(const struct agent_flows *got, uint64_t **seen, size_t *nseen,
		       uint64_t *count)
{
	uint64_t expected_count = 0;

	return ct_drops_count_unexpected(got, NULL, seen, nseen, count, &expected_count);
}

int ct_drops_count_unexpected(const struct agent_flows *got,
			      const struct ct_expected_drops *expected, uint64_t **seen,
			      size_t *nseen, uint64_t *count, uint64_t *expected_count)
{
	uint64_t *grown;
	size_t f, k;

	if (!got->len)
		return 0;
	grown = realloc(*seen, (*nseen + got->len) * sizeof(**seen));
	if (!grown)
		return -1;
	*seen = grown;
	for (f = 0; f < got->len; f++) {
		for (k = 0; k < *nseen && grown[k] != got->recs[f].seq; k++)
			;
		if (k < *nseen)
			continue;
		grown[(*nseen)++] = got->recs[f].seq;
		if (ct_expected_drops_match(expected, &got->recs[f]))
			(*expected_count)++;
		else
			(*count)++;
	}
	return 0;
}

static bool drop_unexpected(const struct netobs_record *rec, void *expected)
{
	return !ct_expected_drops_match(expected, rec);
}

/* no-unexpected-drops: the agent's drops since the run began, and the links' counters. */
void ct_no_drops_check(const struct cli_globals *g, const struct ct_topology *t,
		       const struct ct_link_drops *d, const struct ct_expected_drops *expected,
		       bool agent, uint64_t run_start_ns, struct ct_test_result *res,
		       uint64_t *lost)
{
	char links[128] = "", agent_text[320] = "", err[256], expected_text[96] = "";
	uint64_t agent_drops = 0, expected_drops = 0, grown = 0, after, *seen = NULL;
	size_t nseen = 0;
	bool counted = false;
	unsigned int i;
	size_t len = 0;

	for (i = 0; i < CT_LINKS; i++) {
		if (!d->counted[i] || !link_drops(link_name(t, i), &after))
			continue;
		counted = true;
		if (after <= d->before[i])
			continue;
		grown += after - d->before[i];
		len = strlen(links); /* a cut list stays a string */
		snprintf(links + len, sizeof(links) - len, "%s%s +%llu", len ? ", " : "",
			 link_name(t, i), (unsigned long long)(after - d->before[i]));
	}
	if (agent) {
		/* The drops of each topology address; a drop between two of them
		 * comes twice, once per address: counted once, by its seq. */
		res->flows = (struct agent_flows){0};
		for (i = 0; i < CT_NODE__COUNT * 2; i++) {
			struct agent_flows_query q = {
				.ip_a = ct_node_address(t, i / 2, i % 2 ? 6 : 4),
				.since_ns = run_start_ns,
				.drops_only = true,
			};
			struct agent_flows got = {0};

			if (agent_flows_fetch(g, &q, &got, err, sizeof(err))) {
				snprintf(agent_text, sizeof(agent_text),
					 "the agent's drops could not be fetched: %s", err);
				agent_flows_free(&got);
				break;
			}
			if (got.lost > *lost)
				*lost = got.lost;
			if (ct_drops_count_unexpected(&got, expected, &seen, &nseen, &agent_drops,
						      &expected_drops)) {
				snprintf(agent_text, sizeof(agent_text),
					 "out of memory counting the agent's drops");
				agent_flows_free(&got);
				break;
			}
			/* Shown: the first non-empty set of the unexpected ones. */
			agent_flows_keep(&got, drop_unexpected, (void *)expected);
			if (!res->flows.len) {
				agent_flows_free(&res->flows);
				res->flows = got;
			} else {
				agent_flows_free(&got);
			}
		}
	}
	free(seen);
	if (expected_drops)
		snprintf(expected_text, sizeof(expected_text),
			 " (%llu expected: the policy tests' denied connections)",
			 (unsigned long long)expected_drops);
	if (!agent && !counted) {
		res->status = CT_TEST_SKIPPED;
		snprintf(res->message, sizeof(res->message),
			 "no agent to ask for drops and no link counters to read");
		return;
	}
	if (*agent_text || agent_drops || grown) {
		res->status = CT_TEST_FAILED;
		snprintf(res->message, sizeof(res->message),
			 "%s%s%llu unexpected drops seen by the agent%s%s%s%s%s", agent_text,
			 *agent_text ? "; " : "", (unsigned long long)agent_drops, expected_text,
			 grown ? "; kernel drop counters grew: " : "", links,
			 !agent ? " (no agent: counters only)" : "",
			 counted ? "" : " (link counters unreadable)");
		return;
	}
	res->status = CT_TEST_PASSED;
	snprintf(res->message, sizeof(res->message), "%s%s%s",
		 agent ? "no unexpected drop seen by the agent" : "no agent: link counters only",
		 expected_text,
		 counted ? "; link drop counters unchanged" : "; link counters unreadable");
}
