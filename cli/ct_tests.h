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
	/* Policy scenarios (cli/ct_policy.c): a policy imported into the agent for the test. */
	CT_SCENARIO_POLICY_DEFAULT_DENY, /* echo ingress: only client on TCP 7000 */
	CT_SCENARIO_POLICY_DENY_PORT,	 /* echo ingress: all allowed, TCP 80 denied */
	CT_SCENARIO_POLICY_DENY_CIDR,	 /* client egress: TCP 80 to --external-ip/32 denied */
	CT_SCENARIO_POLICY_AUDIT,	 /* the default deny of echo, in audit mode */
	CT_SCENARIO_POLICY_TO_FQDNS,	 /* client egress: DNS to echo and one name's address */
	CT_SCENARIO_NO_DROPS,		 /* counters over the whole run, no action */
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

#define CT_ACTIONS_MAX 4

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
	enum probe_result expected;  /* the result that makes it pass */
	bool validate;		     /* flow validation applies */
	bool note_policy_generation; /* a DNS action: the agent's policy generation before it */
	bool wait_policy_compiled;   /* first let the agent compile that DNS answer in */
	char policy_name[64];	     /* expect.policy_name points here */
	char dns_name[64];	     /* expect.dns_query points here when not a constant */
	struct flow_expect expect;   /* since_ns is set just before the probe */
};

#define CT_POLICY_PORT_DENIED 80 /* policy-deny-port, policy-deny-cidr */

/* Every test, in the order they run (no-unexpected-drops last). */
const struct ct_test_def *ct_tests(size_t *n);

/*
 * The actions of test d on topology t into specs[0..CT_ACTIONS_MAX); returns
 * how many (0: the test has none, or is skipped for want of an option).
 */
unsigned int ct_test_actions(const struct ct_test_def *d, const struct ct_topology *t,
			     const struct ct_run_options *o, struct ct_action_spec *specs);

/*
 * One action from src to dst (both topology nodes) of d's probe kind and
 * family, as the endpoint tests make it: ct_policy.c builds on it.
 */
void ct_action_between(struct ct_action_spec *s, const struct ct_topology *t,
		       const struct ct_test_def *d, enum ct_node_id src, enum ct_node_id dst,
		       const struct ct_run_options *o);
/* One action from client to target_host outside the topology (ICMP, HTTP, HTTPS). */
void ct_action_external(struct ct_action_spec *s, const struct ct_topology *t, enum probe_kind kind,
			const char *target_host, const struct ct_run_options *o);

/* node's address of family 4 or 6 ("10.247.0.1" for the host). */
const char *ct_node_address(const struct ct_topology *t, enum ct_node_id node, int family);

/*
 * An external action's destination is known once its probe has resolved
 * the name: take it (and the client's address of its family) from the
 * attempt's peer into s's flow pattern. false when the attempt names none.
 */
bool ct_action_resolve_external(struct ct_action_spec *s, const struct probe_attempt *a);

/* Is d one of the policy scenarios (they need an agent to enforce)? */
bool ct_test_is_policy(const struct ct_test_def *d);

/*
 * A policy scenario's actions (ct_test_actions calls it), 0 when d needs
 * --external-ip and it is not given or not an address.
 */
unsigned int ct_policy_actions(const struct ct_test_def *d, const struct ct_topology *t,
			       const struct ct_run_options *o, struct ct_action_spec *specs);

/* What a policy scenario changed in the agent, to undo. */
struct ct_policy_applied {
	char name[64];		 /* the policy imported; "" none */
	char audit_endpoint[32]; /* whose PolicyAuditMode was set to Enabled; "" none */
	/* The agent's policy generation after the import, then before the DNS action. */
	uint64_t generation;
};

/* The policy name of scenario d: "netobs-ct-" and the test's name. */
void ct_policy_name(const struct ct_test_def *d, char *buf, size_t len);

/*
 * Import d's policy into the agent (and for policy-audit, echo's audit mode
 * first); *applied says what to undo, also after a failure half-way.
 * 0, or -1 with err saying why.
 */
int ct_policy_apply(const struct cli_globals *g, const struct ct_test_def *d,
		    const struct ct_topology *t, const struct ct_run_options *o,
		    struct ct_policy_applied *applied, char *err, size_t errlen);

/* Delete the policy by name and put audit mode back. 0, or -1 with err saying why. */
int ct_policy_remove(const struct cli_globals *g, struct ct_policy_applied *applied, char *err,
		     size_t errlen);

/*
 * Before action s of a policy test: note the agent's policy generation
 * (s->note_policy_generation), or wait (at most max_ms, or until *stop)
 * until it is past the noted one: the agent compiled in the DNS answer of
 * the action that noted it (s->wait_policy_compiled). verbose: say when the
 * wait ran out.
 */
void ct_policy_before_action(const struct cli_globals *g, struct ct_policy_applied *applied,
			     const struct ct_action_spec *s, uint32_t max_ms,
			     volatile sig_atomic_t *stop, bool verbose);

/*
 * Is ip an address of one of the agent's endpoints? Then its name into
 * name: CIDR rules and toFQDNs never select an endpoint (as in Cilium), so
 * policy-deny-cidr and policy-to-fqdns cannot use it.
 */
bool ct_policy_endpoint_of(const struct cli_globals *g, const char *ip, char *name, size_t len);

/*
 * Should policy test d be skipped (no_agent: why there is no agent, NULL
 * when there is one)?
 * Then why into why: no agent, --external-ip missing or no address, or an
 * endpoint's address.
 */
bool ct_policy_skip_reason(const struct cli_globals *g, const struct ct_test_def *d,
			   const struct ct_topology *t, const struct ct_run_options *o,
			   const char *no_agent, char *why, size_t len);

/*
 * Delete every policy whose name is a policy scenario's (a run killed
 * before it could): `netobs connectivity cleanup`. The number deleted, or
 * -1 when the agent could not be asked.
 */
int ct_policy_remove_leftovers(const struct cli_globals *g);

/* A drop a policy scenario expected: no-unexpected-drops does not count it. */
struct ct_expected_drop {
	uint8_t family;			/* NETOBS_FAMILY_* */
	uint8_t client[16], server[16]; /* network order */
	uint16_t port;			/* the server port */
	uint16_t reason;		/* enum netobs_drop_reason */
};
#define CT_EXPECTED_DROPS_MAX 16
struct ct_expected_drops {
	struct ct_expected_drop drop[CT_EXPECTED_DROPS_MAX];
	unsigned int n;
};

/* Note the drop of a denied action's pattern e (no-op past the bound or for other patterns). */
void ct_expected_drops_add(struct ct_expected_drops *x, const struct flow_expect *e);
/* Is rec (DROPPED) one of them: its addresses, server port and drop reason? */
bool ct_expected_drops_match(const struct ct_expected_drops *x, const struct netobs_record *rec);

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
 * As ct_drops_count_new, with the records expected matches counted into
 * *expected_count instead of *count.
 */
int ct_drops_count_unexpected(const struct agent_flows *got,
			      const struct ct_expected_drops *expected, uint64_t **seen,
			      size_t *nseen, uint64_t *count, uint64_t *expected_count);

/*
 * no-unexpected-drops into res: the agent's DROPPED records for the
 * topology's addresses since run_start_ns, but those the policy scenarios
 * expected, and
 * the growth of the links' counters since ct_link_drops_start; skipped when
 * there is neither an agent nor a counter. *lost: the most records the
 * agent said it lost.
 */
void ct_no_drops_check(const struct cli_globals *g, const struct ct_topology *t,
		       const struct ct_link_drops *d, const struct ct_expected_drops *expected,
		       bool agent, uint64_t run_start_ns, struct ct_test_result *res,
		       uint64_t *lost);

/*
 * Wait (at most 10 s) until the agent lists the three endpoints ready:
 * their records then carry endpoint names. 0 (also as soon as *stop is set:
 * an interruption is not the agent's failure), or -1 after saying why.
 */
int ct_wait_for_endpoints(const struct cli_globals *g, const struct ct_topology *t,
			  volatile sig_atomic_t *stop);
