// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs connectivity test|cleanup: build the topology (cli/ct_topology.c),
 * run the selected tests of cli/ct_tests.c, each action a probe inside its
 * source node's namespace checked against the agent's records for it, then
 * report (cli/ct_report.c) and remove the topology, also after a failure
 * or Ctrl-C. docs/connectivity.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connectivity.h"
#include "ct_run.h"
#include "ct_tests.h"

/* How long an action's records may take to reach the agent's store. */
#define CT_VALIDATION_WAIT_MS 2000
/* A failed probe's records are there already: fetch them for the report only. */
#define CT_FAILED_FLOWS_WAIT_MS 300
#define CT_FETCH_INTERVAL_MS	100
/* How long policy-to-fqdns waits for the agent to compile a DNS answer in. */
#define CT_POLICY_COMPILE_WAIT_MS 2000

_Static_assert(sizeof(((struct ct_action_spec *)0)->name) ==
		       sizeof(((struct ct_action_result *)0)->name),
	       "an action's name is copied whole");
_Static_assert(sizeof(((struct ct_action_spec *)0)->target) ==
		       sizeof(((struct ct_action_result *)0)->target),
	       "an action's target is copied whole");

enum ct_opt {
	OPT_TEST = 0x100,
	OPT_JUNIT_FILE,
	OPT_FLOW_VALIDATION,
	OPT_CLEANUP,
	OPT_CONNECT_TIMEOUT,
	OPT_REQUEST_TIMEOUT,
	OPT_RETRY,
	OPT_RETRY_DELAY,
	OPT_EXTERNAL_TARGET,
	OPT_EXTERNAL_IP,
	OPT_PRINT_FLOWS,
};

struct ct_command {
	struct cli_globals *g;
	struct ct_run_options run_options;
	struct ct_selection selection;
	enum ct_flow_validation_mode mode;
	unsigned int retries;
	uint32_t retry_delay_ms;
	const char *junit_file;
	bool json, cleanup, print_flows, verbose;
	FILE *progress; /* stdout in text mode, stderr with -o json */
	struct ct_topology topology;
	struct ct_link_drops link_drops; /* the links' counters before the tests */
	bool namespace_lost;		 /* ct_in_node could not come back: stop everything */
	bool agent_lost;		 /* the agent stopped answering during the run */
	bool agent_present;		 /* an agent answered at the start: policy tests run */
	struct ct_policy_applied policy; /* the policy test's, while it runs */
	struct ct_expected_drops expected_drops; /* the policy tests' denied connections */
};

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void cli_usage_connectivity(FILE *out)
{
	fprintf(out,
		"Usage: netobs connectivity test [FLAGS] [-o text|json]\n"
		"       netobs connectivity cleanup\n"
		"\n"
		"test: build a topology of its own (namespaces " CT_NETNS_PREFIX "client, "
		"client2, echo on\n"
		"bridge " CT_BRIDGE "), start echo servers (TCP, UDP, HTTP, HTTPS, DNS), run the "
		"tests\n"
		"(ICMP, TCP, UDP, HTTP, HTTPS, DNS; endpoint to endpoint, to and from the host;\n"
		"IPv4 and IPv6; policy: default deny, deny by port and CIDR, audit, toFQDNs,\n"
		"each policy imported into the agent and deleted again), check each action\n"
		"against the agent's flows, remove it all.\n"
		"cleanup: remove a topology an earlier run kept (--cleanup=false), and any\n"
		"netobs-ct-policy-* policy a killed run left in the agent.\n"
		"\n"
		"Flags of test:\n"
		"      --test REGEX          run the tests whose names match (POSIX ERE;\n"
		"                            repeatable; a leading ! excludes)\n"
		"      --flow-validation MODE  disabled, warning (default: report a mismatch),\n"
		"                            strict (a mismatch fails the test)\n"
		"      --junit-file FILE     write JUnit XML for CI\n"
		"      --cleanup=BOOL        remove the topology at the end (default true)\n"
		"      --connect-timeout DURATION  icmp, tcp, udp probes (default 2s)\n"
		"      --request-timeout DURATION  http, https, dns probes (default 5s)\n"
		"      --retry N             retry a failed action N times (default 0)\n"
		"      --retry-delay DURATION  between retries (default 1s)\n"
		"      --external-target NAME  run http-external-target against NAME\n"
		"      --external-ip IP      run icmp-external-ip, policy-deny-cidr and\n"
		"                            policy-to-fqdns against IP (not an endpoint's)\n"
		"      --print-flows         print every action's flows, not only failed ones'\n"
		"  -v, --verbose             say each step and each action's result\n"
		"DURATION: 500ms, 2s, 1.5s, 1m (a bare number: seconds)\n"
		"\n"
		"Exit status: 0 when no test failed, 1 when one did (or the topology could not be\n"
		"built, or the run was interrupted), 2 for a usage error. See "
		"docs/connectivity.md.\n"
		"Example: netobs connectivity test --test '^tcp-' --test '!ipv6' --junit-file "
		"ct.xml\n");
}

/* Sleep ms unless SIGINT/SIGTERM comes first. */
static void sleep_ms(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (!stop_requested && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int parse_duration_flag(const char *flag, const char *text, bool zero_ok, uint32_t *ms)
{
	if (!probe_parse_duration_ms(text, ms))
		return cli_usage_error("connectivity",
				       "invalid --%s '%s': expected a duration like 500ms, 2s, "
				       "1.5s or 1m",
				       flag, text);
	if (!zero_ok && *ms == 0)
		return cli_usage_error("connectivity", "--%s must be at least 1ms", flag);
	return 0;
}

/* --cleanup, --cleanup=BOOL or --cleanup BOOL. */
static int parse_cleanup(int argc, char **argv, bool *cleanup)
{
	const char *value = optarg;

	if (!value && optind < argc &&
	    (strcmp(argv[optind], "true") == 0 || strcmp(argv[optind], "false") == 0))
		value = argv[optind++];
	if (!value || strcmp(value, "true") == 0)
		*cleanup = true;
	else if (strcmp(value, "false") == 0)
		*cleanup = false;
	else
		return cli_usage_error("connectivity",
				       "invalid --cleanup '%s': expected true or false", value);
	return 0;
}

static int parse_flow_validation(const char *text, enum ct_flow_validation_mode *mode)
{
	if (strcmp(text, "disabled") == 0)
		*mode = CT_FLOW_VALIDATION_DISABLED;
	else if (strcmp(text, "warning") == 0)
		*mode = CT_FLOW_VALIDATION_WARNING;
	else if (strcmp(text, "strict") == 0)
		*mode = CT_FLOW_VALIDATION_STRICT;
	else
		return cli_usage_error("connectivity",
				       "invalid --flow-validation '%s': expected disabled, "
				       "warning or strict",
				       text);
	return 0;
}

/* The flags; the subcommand ("test", "cleanup") into *sub. */
static int parse_args(int argc, char **argv, struct ct_command *c, const char **sub)
{
	static const struct option options[] = {
		{"test", required_argument, NULL, OPT_TEST},
		{"junit-file", required_argument, NULL, OPT_JUNIT_FILE},
		{"flow-validation", required_argument, NULL, OPT_FLOW_VALIDATION},
		{"cleanup", optional_argument, NULL, OPT_CLEANUP},
		{"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
		{"request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT},
		{"retry", required_argument, NULL, OPT_RETRY},
		{"retry-delay", required_argument, NULL, OPT_RETRY_DELAY},
		{"external-target", required_argument, NULL, OPT_EXTERNAL_TARGET},
		{"external-ip", required_argument, NULL, OPT_EXTERNAL_IP},
		{"print-flows", no_argument, NULL, OPT_PRINT_FLOWS},
		{"verbose", no_argument, NULL, 'v'},
		CLI_GLOBAL_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	bool test_flag = false;
	unsigned long value;
	char err[256];
	int opt, ret;

	*sub = NULL;
	optind = 0;
	for (;;) {
		opt = cli_getopt(argc, argv, "+:v" CLI_GLOBAL_SHORTOPTS, options, "connectivity");
		if (opt == -1) {
			if (optind >= argc)
				break;
			if (*sub)
				return cli_usage_error("connectivity", "unexpected argument '%s'",
						       argv[optind]);
			*sub = argv[optind++];
			continue;
		}
		ret = 0;
		test_flag = test_flag || (opt != 'v' && opt >= OPT_TEST && opt <= OPT_PRINT_FLOWS);
		switch (opt) {
		case CLI_OPT_BAD:
			return CLI_EXIT_USAGE;
		case OPT_TEST:
			if (ct_selection_add(&c->selection, optarg, err, sizeof(err)))
				return cli_usage_error("connectivity", "%s", err);
			break;
		case OPT_JUNIT_FILE:
			if (!*optarg)
				return cli_usage_error("connectivity", "--junit-file needs a path");
			c->junit_file = optarg;
			break;
		case OPT_FLOW_VALIDATION:
			ret = parse_flow_validation(optarg, &c->mode);
			break;
		case OPT_CLEANUP:
			ret = parse_cleanup(argc, argv, &c->cleanup);
			break;
		case OPT_CONNECT_TIMEOUT:
			ret = parse_duration_flag("connect-timeout", optarg, false,
						  &c->run_options.connect_timeout_ms);
			break;
		case OPT_REQUEST_TIMEOUT:
			ret = parse_duration_flag("request-timeout", optarg, false,
						  &c->run_options.request_timeout_ms);
			break;
		case OPT_RETRY:
			ret = cli_parse_count("connectivity", "retry", optarg, &value);
			c->retries = (unsigned int)value;
			break;
		case OPT_RETRY_DELAY:
			ret = parse_duration_flag("retry-delay", optarg, true, &c->retry_delay_ms);
			break;
		case OPT_EXTERNAL_TARGET:
			if (!*optarg)
				return cli_usage_error("connectivity",
						       "--external-target needs a host name");
			c->run_options.external_target = optarg;
			break;
		case OPT_EXTERNAL_IP:
			if (!*optarg)
				return cli_usage_error("connectivity",
						       "--external-ip needs an IP address");
			c->run_options.external_ip = optarg;
			break;
		case OPT_PRINT_FLOWS:
			c->print_flows = true;
			break;
		case 'v':
			c->verbose = true;
			break;
		default:
			cli_handle_global_opt(opt, cli_usage_connectivity, c->g);
			break;
		}
		if (ret)
			return ret;
	}
	if (!*sub)
		return cli_usage_error("connectivity", "missing subcommand: test or cleanup");
	if (strcmp(*sub, "test") != 0 && strcmp(*sub, "cleanup") != 0)
		return cli_usage_error("connectivity",
				       "unknown subcommand '%s': expected test or cleanup", *sub);
	if (strcmp(*sub, "cleanup") == 0 && test_flag)
		return cli_usage_error("connectivity",
				       "cleanup takes no flags of its own (only -v); the flags "
				       "given are test's");
	if (!c->g->output || strcmp(c->g->output, "text") == 0)
		c->json = false;
	else if (strcmp(c->g->output, "json") == 0)
		c->json = true;
	else
		return cli_usage_error("connectivity", "invalid output '%s': expected text or json",
				       c->g->output);
	return 0;
}

static void (*probe_function(enum probe_kind kind))(const struct probe_options *,
						    struct probe_attempt *)
{
	switch (kind) {
	case PROBE_ICMP:
		return probe_icmp_once;
	case PROBE_TCP:
		return probe_tcp_once;
	case PROBE_UDP:
		return probe_udp_once;
	case PROBE_DNS:
		return probe_dns_once;
	default:
		return probe_http_once;
	}
}

struct probe_call {
	const struct probe_options *options;
	struct probe_attempt *attempt;
};

static int probe_in_node(void *arg)
{
	struct probe_call *call = arg;

	probe_function(call->options->kind)(call->options, call->attempt);
	return 0;
}

/* Is rec the action's (and not another flow between the same two addresses)? */
static bool record_of_action(const struct netobs_record *rec, void *expect)
{
	return flow_expect_relevant(expect, rec);
}

/*
 * After a failed fetch: is the agent gone? Then say so once, and the actions
 * after this one are not validated (each would fail the same way, with the
 * same message); no-unexpected-drops still asks it and fails, so a run
 * whose agent died is not green.
 */
static void agent_check_still_there(struct ct_command *c)
{
	if (c->agent_lost || agent_flows_available(c->g))
		return;
	c->agent_lost = true;
	fflush(c->progress);
	cli_error("the agent at %s stopped answering: flow validation is off for the rest of "
		  "the run; restart netobs-agent (or give --flow-validation disabled) and run "
		  "again",
		  cli_socket_path(c->g));
}

/* Fetch the action's records until they show the pattern or the wait is over. */
static void validate_action(struct ct_command *c, struct ct_action_spec *s,
			    struct ct_action_result *res, bool probe_ok, uint64_t *lost)
{
	struct agent_flows_query q = {
		.ip_a = s->src_addr, .ip_b = s->dst_addr, .since_ns = s->expect.since_ns};
	uint64_t deadline =
		cli_monotonic_ns() +
		(probe_ok ? CT_VALIDATION_WAIT_MS : CT_FAILED_FLOWS_WAIT_MS) * 1000000ull;

	res->pattern = flow_expect_kind_name(s->expect.kind);
	/* The agent's own JSON of each record, for -o json (freed with the run). */
	if (!res->flows.objects)
		res->flows.objects = json_array();
	for (;;) {
		if (agent_flows_fetch(c->g, &q, &res->flows, res->validation_error,
				      sizeof(res->validation_error))) {
			res->validation = CT_VALIDATION_ERROR;
			agent_check_still_there(c);
			return;
		}
		if (res->flows.lost > *lost)
			*lost = res->flows.lost;
		if (flow_expect_check(&s->expect, res->flows.recs, res->flows.len, &res->check))
			break;
		if (cli_monotonic_ns() >= deadline || stop_requested)
			break;
		sleep_ms(CT_FETCH_INTERVAL_MS);
	}
	res->validation = res->check.matched ? CT_VALIDATION_MATCHED : CT_VALIDATION_FAILED;
	agent_flows_keep(&res->flows, record_of_action, &s->expect);
}

/* One attempt of an action: the probe in its node, then its flows. -1: stop the run. */
static int attempt_action(struct ct_command *c, struct ct_action_spec *s,
			  struct ct_action_result *res, bool agent, uint64_t *lost)
{
	struct probe_attempt *a = &res->attempt;
	struct probe_call call = {.options = &s->probe, .attempt = a};
	bool probe_ok, strict = c->mode == CT_FLOW_VALIDATION_STRICT;
	const char *why;

	memset(a, 0, sizeof(*a));
	a->dns_rcode = -1;
	res->passed = res->warned = false;
	res->validation =
		c->mode == CT_FLOW_VALIDATION_DISABLED ? CT_VALIDATION_DISABLED : CT_VALIDATION_OFF;
	if (c->agent_present && !c->agent_lost)
		ct_policy_before_action(c->g, &c->policy, s, CT_POLICY_COMPILE_WAIT_MS,
					&stop_requested, c->verbose);
	s->expect.since_ns = cli_realtime_ns();
	if (ct_in_node(&c->topology, s->src, probe_in_node, &call) < 0) {
		cli_error("could not enter or leave the network namespace of %s: %s; stopping",
			  c->topology.nodes[s->src].netns, strerror(errno));
		c->namespace_lost = true;
		return -1;
	}
	if ((unsigned int)a->result >= PROBE_RESULT__COUNT)
		a->result = PROBE_ERROR;
	probe_ok = a->result == s->expected;
	if (s->external && !ct_action_resolve_external(s, a))
		s->validate = false;
	if (c->mode != CT_FLOW_VALIDATION_DISABLED && agent && !c->agent_lost && s->validate)
		validate_action(c, s, res, probe_ok, lost);

	if (!probe_ok) {
		if (s->expected == PROBE_OK)
			snprintf(res->reason, sizeof(res->reason), "%s%s%s%s",
				 probe_result_name(a->result), *a->detail ? " (" : "", a->detail,
				 *a->detail ? ")" : "");
		else
			snprintf(res->reason, sizeof(res->reason), "expected %s, got %s%s%s%s",
				 probe_result_name(s->expected), probe_result_name(a->result),
				 *a->detail ? " (" : "", a->detail, *a->detail ? ")" : "");
		return 0;
	}
	if (res->validation == CT_VALIDATION_FAILED)
		why = res->check.reason;
	else if (res->validation == CT_VALIDATION_ERROR)
		why = res->validation_error;
	else
		why = NULL;
	if (!why) {
		res->passed = true;
		return 0;
	}
	snprintf(res->reason, sizeof(res->reason), "flow validation: %s", why);
	res->passed = !strict;
	res->warned = !strict;
	return 0;
}

static void print_action_verbose(struct ct_command *c, const struct ct_action_result *res)
{
	fprintf(c->progress, "\n    %s: %s -> %s: %s", res->name, res->source, res->destination,
		probe_result_name(res->attempt.result));
	if (res->attempt.result == PROBE_OK)
		fprintf(c->progress, " %.3f ms", (double)res->attempt.latency_ns / 1e6);
	if (*res->attempt.detail)
		fprintf(c->progress, " (%s)", res->attempt.detail);
	fprintf(c->progress, "; flows %s", ct_validation_name(res->validation));
	if (res->validation == CT_VALIDATION_MATCHED || res->validation == CT_VALIDATION_FAILED)
		fprintf(c->progress, " (%u/%u steps, %u records)", res->check.steps,
			res->check.wanted, res->check.records);
	if (res->attempts > 1)
		fprintf(c->progress, "; %u attempts", res->attempts);
}

/* Run test d's actions into res. -1: the run must stop (a namespace could not be left). */
static int run_actions(struct ct_command *c, const struct ct_test_def *d,
		       struct ct_test_result *res, bool agent, uint64_t *lost)
{
	struct ct_action_spec specs[CT_ACTIONS_MAX];
	unsigned int n = ct_test_actions(d, &c->topology, &c->run_options, specs), i, tries;

	res->actions = calloc(n ? n : 1, sizeof(*res->actions));
	if (!res->actions) {
		snprintf(res->message, sizeof(res->message), "out of memory");
		res->status = CT_TEST_FAILED;
		return 0;
	}
	res->status = CT_TEST_PASSED;
	for (i = 0; i < n && !stop_requested; i++) {
		struct ct_action_result *a = &res->actions[i];

		res->nactions++;
		/* The same sizes: ct_action_spec's and ct_action_result's. */
		memcpy(a->name, specs[i].name, sizeof(a->name));
		memcpy(a->target, specs[i].target, sizeof(a->target));
		a->probe = probe_kind_name(specs[i].probe.kind);
		a->expected = specs[i].expected;
		for (tries = 0; tries <= c->retries; tries++) {
			if (tries)
				sleep_ms(c->retry_delay_ms);
			if (stop_requested && tries)
				break;
			a->attempts = tries + 1;
			if (attempt_action(c, &specs[i], a, agent, lost) < 0)
				return -1;
			if (a->passed && !a->warned)
				break;
		}
		/* After the attempt: an external action learns its address there. */
		ct_expected_drops_add(&c->expected_drops, &specs[i].expect);
		snprintf(a->source, sizeof(a->source), "%s", specs[i].source);
		snprintf(a->destination, sizeof(a->destination), "%s", specs[i].destination);
		if (specs[i].external && *specs[i].dst_addr &&
		    strcmp(specs[i].dst_addr, specs[i].target) != 0)
			snprintf(a->destination, sizeof(a->destination), "%s (%s)", specs[i].target,
				 specs[i].dst_addr);
		if (!a->passed)
			res->status = CT_TEST_FAILED;
		if (c->verbose)
			print_action_verbose(c, a);
		else
			fputc(!a->passed ? 'x' : a->warned ? '!' : '.', c->progress);
		fflush(c->progress);
	}
	return 0;
}

/*
 * A policy test: its policy imported, its actions, the policy deleted again
 * whatever happened to them. -1: the run must stop (after the delete).
 */
static int run_policy_test(struct ct_command *c, const struct ct_test_def *d,
			   struct ct_test_result *res, struct ct_run *run)
{
	char err[512];
	int ret = 0;

	if (ct_policy_skip_reason(c->g, d, &c->topology, &c->run_options,
				  !c->agent_present ? "no agent"
				  : c->agent_lost   ? "the agent stopped answering"
						    : NULL,
				  res->message, sizeof(res->message))) {
		res->status = CT_TEST_SKIPPED;
		return 0;
	}
	if (c->verbose)
		fprintf(stderr, "importing policy netobs-ct-%s\n", d->name);
	if (ct_policy_apply(c->g, d, &c->topology, &c->run_options, &c->policy, err, sizeof(err))) {
		res->status = CT_TEST_FAILED;
		snprintf(res->message, sizeof(res->message), "%s", err);
	} else {
		ret = run_actions(c, d, res, run->agent, &run->lost_events);
	}
	if (ct_policy_remove(c->g, &c->policy, err, sizeof(err))) {
		res->status = CT_TEST_FAILED;
		snprintf(res->message, sizeof(res->message), "%s", err);
		agent_check_still_there(c);
	}
	return ret;
}

static void topology_remove(struct ct_command *c)
{
	int failed;

	fflush(stdout); /* the report before what the removal says on stderr */
	if (!c->cleanup) {
		fprintf(c->progress,
			"Kept the topology (--cleanup=false): namespaces %sclient, %sclient2, "
			"%secho, bridge %s, servers (pid files in %s).\n"
			"Remove it with: netobs connectivity cleanup\n",
			CT_NETNS_PREFIX, CT_NETNS_PREFIX, CT_NETNS_PREFIX, CT_BRIDGE, CT_STATE_DIR);
		return;
	}
	if (c->verbose)
		fprintf(stderr, "removing the topology\n");
	failed = ct_topology_down(&c->topology);
	if (failed)
		cli_error("%d step(s) of removing the topology failed (see above); run `netobs "
			  "connectivity cleanup` to try again",
			  failed);
}

static void run_free(struct ct_run *run)
{
	unsigned int i, j;

	for (i = 0; i < run->ntests; i++) {
		for (j = 0; j < run->tests[i].nactions; j++) {
			agent_flows_free(&run->tests[i].actions[j].flows);
			json_decref(run->tests[i].actions[j].flows.objects);
		}
		free(run->tests[i].actions);
		agent_flows_free(&run->tests[i].flows);
	}
	free(run->tests);
}

/* The selected tests, each run (or skipped) into run->tests. -1: stop now. */
static int run_tests(struct ct_command *c, struct ct_run *run, const struct ct_test_def *defs,
		     size_t ndefs, uint64_t run_start_ns)
{
	unsigned int i, n = 0, total = 0;
	size_t k;

	for (k = 0; k < ndefs; k++)
		total += ct_selection_matches(&c->selection, defs[k].name);
	for (k = 0; k < ndefs; k++) {
		struct ct_test_result *res;
		const struct ct_test_def *d = &defs[k];
		uint64_t started = cli_realtime_ns();

		if (!ct_selection_matches(&c->selection, d->name))
			continue;
		res = &run->tests[run->ntests++];
		res->name = d->name;
		res->description = d->description;
		n++;
		if (stop_requested) { /* reported as skipped, without a progress line */
			res->status = CT_TEST_SKIPPED;
			snprintf(res->message, sizeof(res->message), "not run: interrupted");
			continue;
		}
		fprintf(c->progress, "[%u/%u] %s ", n, total, d->name);
		fflush(c->progress); /* the test's name shows while its actions run */
		if (d->scenario == CT_SCENARIO_EXTERNAL_TARGET && !c->run_options.external_target) {
			res->status = CT_TEST_SKIPPED;
			snprintf(res->message, sizeof(res->message),
				 "--external-target NAME not given");
		} else if (d->scenario == CT_SCENARIO_EXTERNAL_IP && !c->run_options.external_ip) {
			res->status = CT_TEST_SKIPPED;
			snprintf(res->message, sizeof(res->message), "--external-ip IP not given");
		} else if (ct_test_is_policy(d)) {
			if (run_policy_test(c, d, res, run) < 0)
				return -1;
		} else if (d->scenario == CT_SCENARIO_NO_DROPS) {
			ct_no_drops_check(c->g, &c->topology, &c->link_drops, &c->expected_drops,
					  run->agent, run_start_ns, res, &run->lost_events);
		} else if (run_actions(c, d, res, run->agent, &run->lost_events) < 0) {
			return -1;
		}
		res->duration_ns = cli_realtime_ns() - started;
		if (res->status == CT_TEST_SKIPPED)
			fprintf(c->progress, "skipped (%s)", res->message);
		else if (!res->nactions)
			fprintf(c->progress, "%s", res->status == CT_TEST_PASSED ? "." : "x");
		fputc('\n', c->progress);
		fflush(c->progress);
	}
	for (i = 0; i < run->ntests; i++)
		if (run->tests[i].status == CT_TEST_SKIPPED &&
		    strcmp(run->tests[i].message, "not run: interrupted") == 0)
			run->interrupted = true;
	return 0;
}

static int cmd_cleanup(struct ct_command *c)
{
	bool existed;
	int failed;

	if (geteuid() != 0) {
		cli_error("connectivity cleanup needs root (it removes namespaces and links)");
		return CLI_EXIT_RUNTIME;
	}
	ct_topology_describe(&c->topology);
	existed = ct_topology_exists();
	/* Also without namespaces: servers or the state directory may be left. */
	failed = ct_topology_down(&c->topology);
	if (failed) {
		cli_error(
			"%d step(s) of removing the connectivity test topology failed (see above)",
			failed);
		return CLI_EXIT_RUNTIME;
	}
	/* Policies of a run killed (SIGKILL) before it could delete them. */
	if (agent_flows_available(c->g) && ct_policy_remove_leftovers(c->g) < 0)
		cli_error("could not list the agent's policies; delete any netobs-ct-policy-* "
			  "with `netobs policy delete NAME`");
	if (existed)
		printf("Removed the connectivity test topology: namespaces %sclient, %sclient2, "
		       "%secho, bridge %s, its servers and %s\n",
		       CT_NETNS_PREFIX, CT_NETNS_PREFIX, CT_NETNS_PREFIX, CT_BRIDGE, CT_STATE_DIR);
	else
		printf("No connectivity test topology was there; nothing left behind\n");
	return CLI_EXIT_OK;
}

static void say_validation(struct ct_command *c, struct ct_run *run)
{
	if (c->mode == CT_FLOW_VALIDATION_DISABLED) {
		fprintf(c->progress, "flow validation: disabled\n");
		return;
	}
	run->agent = agent_flows_available(c->g);
	if (run->agent)
		fprintf(c->progress, "flow validation: %s (agent at %s)\n",
			ct_flow_validation_mode_name(c->mode), run->socket);
	else
		fprintf(c->progress,
			"flow validation: off (no agent at %s; start netobs-agent, or give "
			"--socket, to check each action's flows)\n",
			run->socket);
}

/* A run that could not start still leaves CI a JUnit file that says why. */
static void write_setup_error(struct ct_command *c, struct ct_run *run)
{
	char err[512];

	if (!c->junit_file)
		return;
	run->duration_ns = cli_realtime_ns() - run->start_ns;
	if (ct_report_junit(c->junit_file, run, err, sizeof(err)))
		cli_error("%s", err);
}

/* Build the topology, run, report. The exit code. */
static int cmd_test(struct ct_command *c)
{
	struct ct_topology_options topo_options = {
		.external = c->run_options.external_target || c->run_options.external_ip,
		.external_ip = c->run_options.external_ip,
		.verbose = c->verbose,
	};
	struct sigaction stop = {.sa_handler = request_stop}, old_int, old_term;
	struct ct_run run = {.flow_validation = c->mode, .socket = cli_socket_path(c->g)};
	const struct ct_test_def *defs;
	size_t ndefs;
	struct ct_counts counts;
	char err[512];
	int ret = CLI_EXIT_RUNTIME;

	defs = ct_tests(&ndefs);
	if (geteuid() != 0) {
		cli_error("connectivity test needs root (it makes network namespaces, a bridge "
			  "and veths): run it as root");
		return CLI_EXIT_RUNTIME;
	}
	run.tests = calloc(ndefs, sizeof(*run.tests));
	if (!run.tests) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	run.start_ns = cli_realtime_ns();
	say_validation(c, &run);
	c->agent_present = run.agent || agent_flows_available(c->g);

	/* No SA_RESTART: a wait in progress ends early; a probe ends by its timeout. */
	sigaction(SIGINT, &stop, &old_int);
	sigaction(SIGTERM, &stop, &old_term);
	if (c->verbose)
		fprintf(stderr, "building the topology\n");
	if (ct_topology_up(&c->topology, &topo_options, err, sizeof(err))) {
		cli_error("%s", err);
		snprintf(run.setup_error, sizeof(run.setup_error), "building the topology: %s",
			 err);
		write_setup_error(c, &run);
		goto out;
	}
	if (c->topology.reused)
		fprintf(c->progress, "Using the topology an earlier run kept (--cleanup=false)\n");
	if (!stop_requested && run.agent &&
	    ct_wait_for_endpoints(c->g, &c->topology, &stop_requested)) {
		snprintf(run.setup_error, sizeof(run.setup_error),
			 "the agent at %s did not list the topology's endpoints as ready",
			 run.socket);
		write_setup_error(c, &run);
		goto remove;
	}
	ct_link_drops_start(&c->link_drops, &c->topology);
	if (run_tests(c, &run, defs, ndefs, cli_realtime_ns()) < 0)
		goto remove;
	run.duration_ns = cli_realtime_ns() - run.start_ns;
	run.interrupted = run.interrupted || stop_requested;
	if (c->json) {
		if (ct_report_json(stdout, &run))
			goto remove;
	} else {
		ct_report_text(stdout, &run, c->print_flows);
	}
	if (c->junit_file && ct_report_junit(c->junit_file, &run, err, sizeof(err))) {
		cli_error("%s", err);
		goto remove;
	}
	ct_run_count(&run, &counts);
	ret = counts.failed || run.interrupted ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
remove:
	/* Leaving a namespace failed: this process is somewhere else; do not clean from there. */
	if (!c->namespace_lost)
		topology_remove(c);
out:
	if (stop_requested && ret == CLI_EXIT_OK)
		ret = CLI_EXIT_RUNTIME;
	fflush(stdout); /* the report first, then this */
	if (stop_requested)
		fprintf(stderr, "Interrupted%s\n", c->cleanup ? "; the topology was removed" : "");
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	run_free(&run);
	return ret;
}

int cli_cmd_connectivity(int argc, char **argv, struct cli_globals *g)
{
	struct ct_command c = {
		.g = g,
		.run_options = {.connect_timeout_ms = 2000, .request_timeout_ms = 5000},
		.mode = CT_FLOW_VALIDATION_WARNING,
		.retry_delay_ms = 1000,
		.cleanup = true,
	};
	const char *sub;
	int ret;

	ret = parse_args(argc, argv, &c, &sub);
	if (!ret) {
		c.progress = c.json ? stderr : stdout;
		ret = strcmp(sub, "cleanup") == 0 ? cmd_cleanup(&c) : cmd_test(&c);
	}
	ct_selection_free(&c.selection);
	return ret;
}
