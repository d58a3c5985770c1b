/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The test list of `netobs connectivity test` (cli/ct_tests.c) and the
 * actions of each test, built from the topology's names and addresses.
 * Private to cli/connectivity.c and cli/ct_tests.c.
 */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectivity.h"
#include "ct_run.h"
#include "flow_expect.h"
#include "probe.h"

/* A name under the test zone that it does not have: its answer is NXDOMAIN. */
#define CT_MISSING_NAME "no-such-name.netobs-ct.test."

enum ct_scenario {
	CT_SCENARIO_ENDPOINT_TO_ENDPOINT = 0, /* client and client2 -> echo */
	CT_SCENARIO_ENDPOINT_TO_HOST,	      /* client and client2 -> the host's servers */
	CT_SCENARIO_HOST_TO_ENDPOINT,	      /* the host -> echo */
	CT_SCENARIO_DNS,		      /* client and client2 -> echo's DNS server */
	CT_SCENARIO_EXTERNAL_TARGET,	      /* client -> --external-target (HTTPS, HTTP) */
	CT_SCENARIO_EXTERNAL_IP,	      /* client -> --external-ip (ICMP) */
	CT_SCENARIO_NO_DROPS,		      /* counters over the whole run, no action */
};

struct ct_test_def {
	const char *name;
	const char *description;
	enum ct_scenario scenario;
	enum probe_kind probe;
	int family;		    /* 4 or 6; 0: of the target (external) or none */
	int dns_qtype;		    /* DNS: 1 A, 28 AAAA */
	enum probe_result expected; /* DNS: PROBE_OK, or PROBE_NXDOMAIN for the missing name */
};

/* The options the actions are built from. */
struct ct_run_options {
	uint32_t connect_timeout_ms; /* icmp, tcp, udp probes */
	uint32_t request_timeout_ms; /* http, https, dns probes */
	const char *external_target; /* NULL: http-external-target is skipped */
	const char *external_ip;     /* NULL: icmp-external-ip is skipped */
};

#define CT_ACTIONS_MAX 2

/* One action: a probe from src to a target, and the flow pattern it must leave. */
struct ct_action_spec {
	char name[48]; /* "client-to-echo" */
	enum ct_node_id src, dst;
	bool external;			   /* the destination is outside the topology */
	char src_addr[64];		   /* the address the probe is sent from */
	char src_addr4[64], src_addr6[64]; /* external: the client's two, one is picked */
	char dst_addr[64];     /* the address it goes to (external: known after the probe) */
	char source[96];       /* "client (10.247.0.10)" */
	char destination[272]; /* "echo (10.247.0.30:7000)" */
	char target[192];      /* what the probe is given */
	char dns_server[64];
	struct probe_options probe;
	enum probe_result expected; /* the result that makes it pass */
	bool validate;		    /* flow validation applies */
	struct flow_expect expect;  /* since_ns is set just before the probe */
};

/* Every test, in the order they run (no-unexpected-drops last). */
const struct ct_test_def *ct_tests(size_t *n);

/*
 * The actions of test d on topology t into specs[0..CT_ACTIONS_MAX); returns
 * how many (0: the test has none, or is skipped for want of an option).
 */
unsigned int ct_test_actions(const struct ct_test_def *d, const struct ct_topology *t,
			     const struct ct_run_options *o, struct ct_action_spec *specs);

/* node's address of family 4 or 6 ("10.247.0.1" for the host). */
const char *ct_node_address(const struct ct_topology *t, enum ct_node_id node, int family);

/*
 * An external action's destination is known once its probe has resolved
 * the name: take it (and the client's address of its family) from the
 * attempt's peer into s's flow pattern. false when the attempt names none.
 */
bool ct_action_resolve_external(struct ct_action_spec *s, const struct probe_attempt *a);

/* The links whose kernel drop counters no-unexpected-drops watches: the
 * host sides of the veths, then the bridge. */
#define CT_LINKS (CT_NODE__COUNT + 1)

struct ct_link_drops {
	uint64_t before[CT_LINKS]; /* rx_dropped + tx_dropped before the tests */
	bool counted[CT_LINKS];	   /* false: the counters could not be read */
};

/* Read the links' drop counters before the first test. */
void ct_link_drops_start(struct ct_link_drops *d, const struct ct_topology *t);

/*
 * Count got's records whose seq is not in (*seen)[*nseen] into *count, adding
 * them there: a drop between two topology addresses comes in both their sets
 * and counts once. 0, or -1 out of memory. *seen is the caller's to free.
 */
int ct_drops_count_new(const struct agent_flows *got, uint64_t **seen, size_t *nseen,
		       uint64_t *count);

/*
 * no-unexpected-drops into res: the agent's DROPPED records for the
 * topology's addresses since run_start_ns (the tests expect none today) and
 * the growth of the links' counters since ct_link_drops_start; skipped when
 * there is neither an agent nor a counter. *lost: the most records the
 * agent said it lost.
 */
void ct_no_drops_check(const struct cli_globals *g, const struct ct_topology *t,
		       const struct ct_link_drops *d, bool agent, uint64_t run_start_ns,
		       struct ct_test_result *res, uint64_t *lost);

/*
 * Wait (at most 10 s) until the agent lists the three endpoints ready:
 * their records then carry endpoint names. 0 (also as soon as *stop is set:
 * an interruption is not the agent's failure), or -1 after saying why.
 */
int ct_wait_for_endpoints(const struct cli_globals *g, const struct ct_topology *t,
			  volatile sig_atomic_t *stop);
