// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `netobs probe`'s flows: after the attempts, the records a running agent
 * made for them (issue 8: "With an agent running it also shows the flows it
 * saw for the probe and any drop with its reason").
 *
 * The probe knows the address it probed (an attempt's peer) but not always
 * the one it probed from (the kernel picks it; a resolver's socket is
 * c-ares'), so the records are those of the target's address, with the
 * probe's protocol and the target's port, since the probe started. Traffic
 * of other hosts to the same service in that second shows too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent_flows.h"
#include "probe.h"

/*
 * The agent's ring-buffer records are stored at once; harvest-made ones
 * (an UPDATE is all a second ping between the same two addresses makes)
 * within its --harvest-interval, 1 s by default: wait a little longer.
 */
#define FLOWS_FIRST_WAIT_MS 300
#define FLOWS_RETRY_MS	    200
#define FLOWS_WAIT_MAX_MS   1300
/*
 * Records are stamped from the kernel's monotonic clock turned into wall-clock
 * time, the probe's start from CLOCK_REALTIME: allow for the two to differ
 * by a little.
 */
#define FLOWS_CLOCK_SLACK_NS 10000000ull

#define ICMPV4_DEST_UNREACH 3
#define ICMPV6_DEST_UNREACH 1

struct probe_target {
	char addr_text[INET6_ADDRSTRLEN];
	uint8_t family; /* NETOBS_FAMILY_* */
	uint8_t addr[16];
	uint16_t port; /* 0 for icmp */
};

/* "10.0.0.2", "10.0.0.2:80", "[fd00::2]:443", "fd00::2". false when no address. */
static bool probe_target_parse(const char *peer, struct probe_target *t)
{
	memset(t, 0, sizeof(*t));
	/* An attempt's peer is the target's form, HOST:PORT, or an address alone (icmp). */
	if (probe_parse_host_port(peer, t->addr_text, sizeof(t->addr_text), &t->port))
		snprintf(t->addr_text, sizeof(t->addr_text), "%s", peer);
	if (inet_pton(AF_INET, t->addr_text, t->addr) == 1)
		t->family = NETOBS_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, t->addr_text, t->addr) == 1)
		t->family = NETOBS_FAMILY_IPV6;
	else
		return false;
	return true;
}

static bool is_icmp_error(const struct netobs_flow_key *k)
{
	if (k->proto == IPPROTO_ICMP)
		return k->icmp_type == ICMPV4_DEST_UNREACH;
	if (k->proto == IPPROTO_ICMPV6)
		return k->icmp_type == ICMPV6_DEST_UNREACH;
	return false;
}

/*
 * Is rec one of the probe's: its protocol, the target's port on the
 * target's side, a packet seen after the probe started? An ICMP destination
 * unreachable counts for every kind: it is how a refused UDP probe ends.
 */
static bool probe_record_wanted(const struct probe_options *o, const struct probe_target *t,
				const struct netobs_record *rec, uint64_t since_ns)
{
	const struct netobs_flow_record *f = &rec->flow;
	const struct netobs_flow_key *k = &f->key;
	size_t len = t->family == NETOBS_FAMILY_IPV6 ? 16 : 4;
	bool target_is_source = k->family == t->family && !memcmp(k->saddr, t->addr, len);
	uint16_t target_port = ntohs(target_is_source ? k->sport : k->dport);
	bool tcp = k->proto == IPPROTO_TCP, udp = k->proto == IPPROTO_UDP;

	/* An UPDATE or END harvested since, of packets from before the probe. */
	if (!f->l7 && f->last_seen_ns && f->last_seen_ns + FLOWS_CLOCK_SLACK_NS < since_ns)
		return false;
	switch (o->kind) {
	case PROBE_ICMP:
		return k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	case PROBE_TCP:
	case PROBE_HTTP:
	case PROBE_HTTPS:
		return (tcp && target_port == t->port) || is_icmp_error(k);
	case PROBE_UDP:
		return (udp && target_port == t->port) || is_icmp_error(k);
	case PROBE_DNS: /* over TCP too, when an answer was truncated */
		return ((tcp || udp) && target_port == t->port) || is_icmp_error(k);
	default:
		return false;
	}
}

struct probe_records {
	const struct probe_options *o;
	const struct probe_target *t;
	uint64_t since_ns;
};

static bool probe_record_keep(const struct netobs_record *rec, void *arg)
{
	const struct probe_records *p = arg;

	return probe_record_wanted(p->o, p->t, rec, p->since_ns);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	/* An interrupted sleep (Ctrl-C) just asks sooner. */
	nanosleep(&ts, NULL);
}

/*
 * Fetch until a record of the probe appears or the wait is over. 0, or -1
 * with err saying why.
 */
static int probe_flows_fetch(const struct cli_globals *g, const struct probe_options *o,
			     const struct probe_target *t, uint64_t since_ns, struct agent_flows *f,
			     char *err, size_t errlen)
{
	struct agent_flows_query q = {
		.ip_a = t->addr_text,
		.since_ns = since_ns > FLOWS_CLOCK_SLACK_NS ? since_ns - FLOWS_CLOCK_SLACK_NS : 0,
	};
	unsigned int waited = FLOWS_FIRST_WAIT_MS;
	struct probe_records wanted = {.o = o, .t = t, .since_ns = since_ns};

	sleep_ms(FLOWS_FIRST_WAIT_MS);
	for (;;) {
		if (agent_flows_fetch(g, &q, f, err, errlen))
			return -1;
		agent_flows_keep(f, probe_record_keep, &wanted);
		if (f->len || waited >= FLOWS_WAIT_MAX_MS)
			return 0;
		sleep_ms(FLOWS_RETRY_MS);
		waited += FLOWS_RETRY_MS;
	}
}

static size_t count_drops(const struct agent_flows *f)
{
	size_t i, drops = 0;

	for (i = 0; i < f->len; i++)
		drops += f->recs[i].flow.verdict == NETOBS_VERDICT_DROPPED;
	return drops;
}

static void flows_print_text(const struct agent_flows *f, const struct probe_target *t)
{
	size_t i, drops = count_drops(f);

	if (drops)
		printf("Flows seen by netobs-agent (%zu, %zu dropped):\n", f->len, drops);
	else
		printf("Flows seen by netobs-agent (%zu):\n", f->len);
	if (!f->len)
		printf("  none for %s: does the agent watch an interface on the path? "
		       "(netobs endpoints)\n",
		       t->addr_text);
	agent_flows_print(stdout, f, "  ");
	/* The compact line says DROPPED; say once more why, so it is not missed. */
	for (i = 0; i < f->len; i++) {
		const struct netobs_flow_record *drop = &f->recs[i].flow;

		if (drop->verdict != NETOBS_VERDICT_DROPPED)
			continue;
		if (drop->drop_reason)
			printf("  drop: %s (%s), %s, at %s\n",
			       netobs_drop_reason_text(drop->drop_reason),
			       netobs_drop_reason_name(drop->drop_reason),
			       netobs_obs_point_text(drop->obs_point), drop->ifname);
		else
			printf("  drop: %s, at %s (no drop reason recorded)\n",
			       netobs_obs_point_text(drop->obs_point), drop->ifname);
	}
	if (f->lost)
		printf("  the agent lost %llu records meanwhile: the list may miss some\n",
		       (unsigned long long)f->lost);
}

static void flows_json_note(json_t *report, const char *note)
{
	json_object_set_new(report, "flows_note", json_string(note));
}

void probe_flows_report(const struct cli_globals *g, const struct probe_options *o,
			const char *peer, uint64_t since_ns, json_t *report)
{
	struct agent_flows f = {0};
	struct probe_target t;
	char note[512], err[256] = "";

	if (!agent_flows_available(g)) {
		snprintf(note, sizeof(note),
			 "no agent at %s (start netobs-agent to see the flows of this probe)",
			 cli_socket_path(g));
		goto no_flows;
	}
	if (!probe_target_parse(peer, &t)) {
		snprintf(note, sizeof(note), "no flows to show: the probe reached no address");
		goto no_flows;
	}
	f.objects = report ? json_array() : NULL;
	if (report && !f.objects) {
		snprintf(note, sizeof(note), "out of memory");
		goto no_flows;
	}
	if (probe_flows_fetch(g, o, &t, since_ns, &f, err, sizeof(err))) {
		json_decref(f.objects);
		agent_flows_free(&f);
		snprintf(note, sizeof(note), "the agent's flows could not be read: %s", err);
		goto no_flows;
	}
	if (report) {
		json_object_set_new(report, "flows", f.objects);
		if (f.lost) {
			snprintf(note, sizeof(note),
				 "the agent lost %llu records meanwhile: the list may miss some",
				 (unsigned long long)f.lost);
			flows_json_note(report, note);
		}
	} else {
		flows_print_text(&f, &t);
	}
	agent_flows_free(&f);
	return;

no_flows:
	if (report) {
		json_object_set_new(report, "flows", json_null());
		flows_json_note(report, note);
	} else {
		printf("flows: %s\n", note);
	}
}
