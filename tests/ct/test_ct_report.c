// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pure parts of `netobs connectivity test`, without a topology or an
 * agent: --test's selection, the test list and the actions it builds from
 * a topology's addresses, and the reports (summary line, JSON, JUnit with
 * XML escaping) of runs the test writes itself. Expected names, counts and
 * targets are written out here from docs/connectivity.md, not read back
 * from the code under test.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_run.h"
#include "ct_tests.h"

/* A drop between two topology addresses is in both their sets: counted once. */
START_TEST(drops_counted_once)
{
	struct netobs_record a[3] = {{.seq = 7}, {.seq = 9}, {.seq = 12}};
	struct agent_flows client = {.recs = &a[0], .len = 1};	/* 7 */
	struct agent_flows client2 = {.recs = &a[1], .len = 2}; /* 9, 12 */
	struct agent_flows echo = {.recs = &a[0], .len = 3};	/* 7, 9, 12 again */
	uint64_t *seen = NULL, count = 0;
	size_t nseen = 0;

	ck_assert_int_eq(ct_drops_count_new(&client, &seen, &nseen, &count), 0);
	ck_assert_int_eq(ct_drops_count_new(&client2, &seen, &nseen, &count), 0);
	ck_assert_int_eq(ct_drops_count_new(&echo, &seen, &nseen, &count), 0);
	ck_assert_uint_eq(count, 3);
	ck_assert_uint_eq(nseen, 3);
	free(seen);
}
END_TEST

Suite *netobs_test_suite(void);

/* cli/main.c's, which this test does not link (cli/common.c refers to it). */
void cli_print_version(void)
{
	printf("netobs test\n");
}

static const char *const all_names[] = {
	"icmp-ipv4-endpoint-to-endpoint",
	"tcp-ipv4-endpoint-to-endpoint",
	"udp-ipv4-endpoint-to-endpoint",
	"http-ipv4-endpoint-to-endpoint",
	"https-ipv4-endpoint-to-endpoint",
	"icmp-ipv6-endpoint-to-endpoint",
	"tcp-ipv6-endpoint-to-endpoint",
	"udp-ipv6-endpoint-to-endpoint",
	"http-ipv6-endpoint-to-endpoint",
	"https-ipv6-endpoint-to-endpoint",
	"icmp-ipv4-endpoint-to-host",
	"tcp-ipv4-endpoint-to-host",
	"http-ipv4-endpoint-to-host",
	"icmp-ipv6-endpoint-to-host",
	"tcp-ipv6-endpoint-to-host",
	"http-ipv6-endpoint-to-host",
	"icmp-ipv4-host-to-endpoint",
	"tcp-ipv4-host-to-endpoint",
	"http-ipv4-host-to-endpoint",
	"icmp-ipv6-host-to-endpoint",
	"tcp-ipv6-host-to-endpoint",
	"http-ipv6-host-to-endpoint",
	"dns-a-ipv4",
	"dns-aaaa-ipv4",
	"dns-nxdomain-ipv4",
	"dns-a-ipv6",
	"dns-aaaa-ipv6",
	"dns-nxdomain-ipv6",
	"http-external-target",
	"icmp-external-ip",
	"policy-default-deny-ingress",
	"policy-deny-port",
	"policy-deny-cidr",
	"policy-audit",
	"policy-to-fqdns",
	"no-unexpected-drops",
};
#define N_NAMES (sizeof(all_names) / sizeof(all_names[0]))

/* The selected names of all_names, space-separated. */
static void selected(const struct ct_selection *s, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < N_NAMES; i++)
		if (ct_selection_matches(s, all_names[i]))
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " " : "",
						 all_names[i]);
}

/* all_names, space-separated. */
static const char *every_name(void)
{
	static char all[2048];
	size_t i, used = 0;

	for (i = 0; i < N_NAMES; i++)
		used += (size_t)snprintf(all + used, sizeof(all) - used, "%s%s", i ? " " : "",
					 all_names[i]);
	return all;
}

START_TEST(selection_include_exclude)
{
	struct ct_selection s = {0};
	char err[256], out[2048];

	/* No pattern: every test. */
	selected(&s, out, sizeof(out));
	ck_assert_str_eq(out, every_name());
	ck_assert_int_eq(ct_selection_add(&s, "^tcp-", err, sizeof(err)), 0);
	ck_assert_int_eq(ct_selection_add(&s, "!ipv6", err, sizeof(err)), 0);
	selected(&s, out, sizeof(out));
	ck_assert_str_eq(out, "tcp-ipv4-endpoint-to-endpoint tcp-ipv4-endpoint-to-host "
			      "tcp-ipv4-host-to-endpoint");
	ck_assert_int_eq(ct_selection_add(&s, "drops$", err, sizeof(err)), 0);
	selected(&s, out, sizeof(out));
	ck_assert_str_eq(out, "tcp-ipv4-endpoint-to-endpoint tcp-ipv4-endpoint-to-host "
			      "tcp-ipv4-host-to-endpoint no-unexpected-drops");
	ct_selection_free(&s);

	/* Only excludes: everything else. */
	ck_assert_int_eq(ct_selection_add(&s, "!^(dns|http|https|icmp|tcp|udp)-", err, sizeof(err)),
			 0);
	selected(&s, out, sizeof(out));
	ck_assert_str_eq(out, "policy-default-deny-ingress policy-deny-port policy-deny-cidr "
			      "policy-audit policy-to-fqdns no-unexpected-drops");
	ct_selection_free(&s);
}
END_TEST

START_TEST(selection_errors)
{
	struct ct_selection s = {0};
	char err[256];
	int i;

	ck_assert_int_eq(ct_selection_add(&s, "(", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "invalid --test '('"), "%s", err);
	ck_assert_int_eq(ct_selection_add(&s, "!", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "empty --test pattern"), "%s", err);
	for (i = 0; i < CT_SELECT_MAX; i++)
		ck_assert_int_eq(ct_selection_add(&s, "x", err, sizeof(err)), 0);
	ck_assert_int_eq(ct_selection_add(&s, "x", err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "too many"), "%s", err);
	ct_selection_free(&s);
}
END_TEST

static void test_topology(struct ct_topology *t)
{
	static const char *const roles[] = {"client", "client2", "echo", "host"};
	static const char *const v4[] = {"10.9.0.10", "10.9.0.11", "10.9.0.20", "10.9.0.1"};
	static const char *const v6[] = {"fd09::10", "fd09::11", "fd09::20", "fd09::1"};
	int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i <= CT_NODE__COUNT; i++) {
		t->nodes[i].role = roles[i];
		snprintf(t->nodes[i].ipv4, sizeof(t->nodes[i].ipv4), "%s", v4[i]);
		snprintf(t->nodes[i].ipv6, sizeof(t->nodes[i].ipv6), "%s", v6[i]);
	}
	snprintf(t->ca_path, sizeof(t->ca_path), "/tmp/ca.pem");
}

static const struct ct_test_def *find_test(const char *name)
{
	const struct ct_test_def *defs;
	size_t n, i;

	defs = ct_tests(&n);
	for (i = 0; i < n; i++)
		if (strcmp(defs[i].name, name) == 0)
			return &defs[i];
	ck_abort_msg("no test %s", name);
	return NULL;
}

START_TEST(test_list_and_actions)
{
	struct ct_run_options o = {.connect_timeout_ms = 1000, .request_timeout_ms = 3000};
	struct ct_action_spec specs[CT_ACTIONS_MAX];
	const struct ct_test_def *defs;
	struct ct_topology t;
	unsigned int actions = 0;
	size_t n, i;

	test_topology(&t);
	defs = ct_tests(&n);
	ck_assert_uint_eq(n, N_NAMES);
	for (i = 0; i < n; i++) {
		ck_assert_str_eq(defs[i].name, all_names[i]);
		actions += ct_test_actions(&defs[i], &t, &o, specs);
	}
	/* 10 x 2 + 6 x 2 + 6 x 1 + 6 x 2 + 3 policy tests x 2, externals (and the
	 * policy tests needing --external-ip) skipped without their options. */
	ck_assert_uint_eq(actions, 56);

	ck_assert_uint_eq(
		ct_test_actions(find_test("udp-ipv6-endpoint-to-endpoint"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[1].target, "[fd09::20]:7000");
	ck_assert_str_eq(specs[1].name, "client2-to-echo");
	ck_assert_str_eq(specs[1].src_addr, "fd09::11");
	ck_assert_int_eq(specs[1].expect.kind, FLOW_EXPECT_UDP);
	ck_assert_uint_eq(specs[1].expect.port, 7000);
	ck_assert_uint_eq(specs[1].expect.server[15], 0x20);
	ck_assert_uint_eq(specs[1].probe.timeout_ms, 1000);

	ck_assert_uint_eq(ct_test_actions(find_test("http-ipv4-endpoint-to-host"), &t, &o, specs),
			  2);
	ck_assert_str_eq(specs[0].target, "http://10.9.0.1:17080/");
	ck_assert_str_eq(specs[0].destination, "host (10.9.0.1:17080)");
	ck_assert_int_eq(specs[0].expect.kind, FLOW_EXPECT_HTTP);
	ck_assert_uint_eq(specs[0].expect.http_code, 200);
	ck_assert_uint_eq(specs[0].probe.timeout_ms, 3000);

	ck_assert_uint_eq(
		ct_test_actions(find_test("https-ipv6-endpoint-to-endpoint"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[0].target, "https://[fd09::20]/");
	ck_assert_str_eq(specs[0].probe.cacert, "/tmp/ca.pem");
	ck_assert_int_eq(specs[0].expect.kind, FLOW_EXPECT_TCP);
	ck_assert_uint_eq(specs[0].expect.port, 443);

	ck_assert_uint_eq(ct_test_actions(find_test("tcp-ipv4-host-to-endpoint"), &t, &o, specs),
			  1);
	ck_assert_str_eq(specs[0].name, "host-to-echo");
	ck_assert_str_eq(specs[0].src_addr, "10.9.0.1");
	ck_assert_str_eq(specs[0].target, "10.9.0.20:7000");

	ck_assert_uint_eq(ct_test_actions(find_test("dns-nxdomain-ipv6"), &t, &o, specs), 2);
	ck_assert_int_eq(specs[0].expected, PROBE_NXDOMAIN);
	ck_assert_int_eq(specs[0].expect.dns_rcode, 3);
	ck_assert_str_eq(specs[0].probe.server, "fd09::20");
	ck_assert_str_eq(specs[0].target, "no-such-name.netobs-ct.test.");
	ck_assert_uint_eq(ct_test_actions(find_test("dns-aaaa-ipv4"), &t, &o, specs), 2);
	ck_assert_int_eq(specs[0].probe.qtype, 28);
	ck_assert_int_eq(specs[0].expected, PROBE_OK);
	ck_assert_str_eq(specs[0].expect.dns_query, "echo.netobs-ct.test.");

	o.external_target = "example.org";
	ck_assert_uint_eq(ct_test_actions(find_test("http-external-target"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[0].target, "https://example.org/");
	ck_assert_str_eq(specs[1].target, "http://example.org/");
	{
		struct probe_attempt a = {0};

		snprintf(a.peer, sizeof(a.peer), "[2001:db8::5]:443");
		ck_assert(ct_action_resolve_external(&specs[0], &a));
		ck_assert_str_eq(specs[0].dst_addr, "2001:db8::5");
		ck_assert_str_eq(specs[0].src_addr, "fd09::10");
		ck_assert_int_eq(specs[0].expect.family, NETOBS_FAMILY_IPV6);
		snprintf(a.peer, sizeof(a.peer), "192.0.2.7:80");
		ck_assert(ct_action_resolve_external(&specs[1], &a));
		ck_assert_str_eq(specs[1].dst_addr, "192.0.2.7");
		ck_assert_str_eq(specs[1].src_addr, "10.9.0.10");
	}
}
END_TEST

START_TEST(policy_actions)
{
	struct ct_run_options o = {.connect_timeout_ms = 1000, .request_timeout_ms = 3000};
	struct ct_action_spec specs[CT_ACTIONS_MAX];
	struct ct_expected_drops expected = {0};
	struct netobs_record drop = {.kind = NETOBS_RECORD_FLOW};
	struct probe_attempt a = {0};
	struct ct_topology t;
	char name[64];

	test_topology(&t);
	ck_assert(ct_test_is_policy(find_test("policy-audit")));
	ck_assert(!ct_test_is_policy(find_test("icmp-external-ip")));
	ct_policy_name(find_test("policy-deny-port"), name, sizeof(name));
	ck_assert_str_eq(name, "netobs-ct-policy-deny-port");

	/* Default deny on echo: client allowed by the policy, client2's SYN dropped. */
	ck_assert_uint_eq(ct_test_actions(find_test("policy-default-deny-ingress"), &t, &o, specs),
			  2);
	ck_assert_str_eq(specs[0].name, "client-to-echo");
	ck_assert_int_eq(specs[0].expect.kind, FLOW_EXPECT_TCP);
	ck_assert_str_eq(specs[0].expect.policy_name, "netobs-ct-policy-default-deny-ingress");
	ck_assert_int_eq(specs[0].expected, PROBE_OK);
	ck_assert_str_eq(specs[1].name, "client2-to-echo");
	ck_assert_str_eq(specs[1].target, "10.9.0.20:7000");
	ck_assert_int_eq(specs[1].expected, PROBE_TIMEOUT);
	ck_assert_int_eq(specs[1].expect.kind, FLOW_EXPECT_TCP_DENIED);
	ck_assert_uint_eq(specs[1].expect.drop_reason, 133);
	ck_assert_uint_eq(specs[1].expect.drop_direction, NETOBS_DIR_INGRESS);
	ck_assert_ptr_null(specs[1].expect.policy_name);

	/* The noted drop is client2 -> echo:7000 with POLICY_DENIED, nothing else. */
	ct_expected_drops_add(&expected, &specs[0].expect); /* allowed: not a drop */
	ct_expected_drops_add(&expected, &specs[1].expect);
	ck_assert_uint_eq(expected.n, 1);
	drop.flow.verdict = NETOBS_VERDICT_DROPPED;
	drop.flow.drop_reason = 133;
	drop.flow.key.family = NETOBS_FAMILY_IPV4;
	drop.flow.key.proto = IPPROTO_TCP;
	inet_pton(AF_INET, "10.9.0.11", drop.flow.key.saddr);
	inet_pton(AF_INET, "10.9.0.20", drop.flow.key.daddr);
	drop.flow.key.sport = htons(40000);
	drop.flow.key.dport = htons(7000);
	ck_assert(ct_expected_drops_match(&expected, &drop));
	drop.flow.drop_reason = 181;
	ck_assert(!ct_expected_drops_match(&expected, &drop));
	drop.flow.drop_reason = 133;
	drop.flow.key.dport = htons(80);
	ck_assert(!ct_expected_drops_match(&expected, &drop));
	drop.flow.key.dport = htons(7000);
	inet_pton(AF_INET, "10.9.0.10", drop.flow.key.saddr);
	ck_assert(!ct_expected_drops_match(&expected, &drop));

	/* Deny of TCP 80: HTTP dropped by the policy's deny rule within the connect timeout. */
	ck_assert_uint_eq(ct_test_actions(find_test("policy-deny-port"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[0].target, "http://10.9.0.20/");
	ck_assert_int_eq(specs[0].expect.kind, FLOW_EXPECT_TCP_DENIED);
	ck_assert_uint_eq(specs[0].expect.port, 80);
	ck_assert_uint_eq(specs[0].expect.drop_reason, 181);
	ck_assert_str_eq(specs[0].expect.policy_name, "netobs-ct-policy-deny-port");
	ck_assert_uint_eq(specs[0].probe.timeout_ms, 1000);
	ck_assert_str_eq(specs[1].target, "10.9.0.20:7000");
	ck_assert_int_eq(specs[1].expect.kind, FLOW_EXPECT_TCP);

	ck_assert_uint_eq(ct_test_actions(find_test("policy-audit"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[0].name, "client2-to-echo");
	ck_assert(specs[0].expect.audit);
	ck_assert_int_eq(specs[0].expected, PROBE_OK);

	/* CIDR and FQDN need an outside address. */
	ck_assert_uint_eq(ct_test_actions(find_test("policy-deny-cidr"), &t, &o, specs), 0);
	ck_assert_uint_eq(ct_test_actions(find_test("policy-to-fqdns"), &t, &o, specs), 0);
	o.external_ip = "ext.example";
	ck_assert_uint_eq(ct_test_actions(find_test("policy-deny-cidr"), &t, &o, specs), 0);
	o.external_ip = "10.248.0.2";
	ck_assert_uint_eq(ct_test_actions(find_test("policy-deny-cidr"), &t, &o, specs), 2);
	ck_assert_str_eq(specs[0].target, "10.248.0.2:80");
	ck_assert_int_eq(specs[0].probe.kind, PROBE_TCP);
	ck_assert_int_eq(specs[0].expect.kind, FLOW_EXPECT_TCP_DENIED);
	ck_assert_uint_eq(specs[0].expect.drop_direction, NETOBS_DIR_EGRESS);
	ck_assert_uint_eq(specs[0].expect.drop_reason, 181);
	ck_assert(ct_action_resolve_external(&specs[0], &a));
	ck_assert_str_eq(specs[0].dst_addr, "10.248.0.2");
	ck_assert_uint_eq(specs[0].expect.port, 80);
	ck_assert_str_eq(specs[1].target, "10.248.0.2");
	ck_assert_int_eq(specs[1].expect.kind, FLOW_EXPECT_ICMP);

	ck_assert_uint_eq(ct_test_actions(find_test("policy-to-fqdns"), &t, &o, specs), 4);
	ck_assert_str_eq(specs[0].target, "external.netobs-ct.test.");
	ck_assert_str_eq(specs[0].expect.dns_query, "external.netobs-ct.test.");
	ck_assert_str_eq(specs[0].probe.server, "10.9.0.20");
	ck_assert_int_eq(specs[0].probe.qtype, 1);
	ck_assert(specs[0].note_policy_generation && !specs[0].wait_policy_compiled);
	ck_assert(specs[1].wait_policy_compiled);
	ck_assert_str_eq(specs[1].target, "10.248.0.2");
	ck_assert_str_eq(specs[2].target, "denied.netobs-ct.test.");
	ck_assert_str_eq(specs[3].target, "192.0.2.1:80");
	ck_assert_uint_eq(specs[3].expect.drop_reason, 133);
	o.external_ip = "fd10::2";
	ck_assert_uint_eq(ct_test_actions(find_test("policy-to-fqdns"), &t, &o, specs), 4);
	ck_assert_int_eq(specs[0].probe.qtype, 28);
	ck_assert_str_eq(specs[3].target, "[2001:db8::1]:80");
}
END_TEST

/* A run of three tests: passed (one action), failed (two actions, one failed), skipped. */
static struct ct_action_result actions_passed[1], actions_failed[2];
static struct ct_test_result tests[3];

static void make_run(struct ct_run *run)
{
	memset(actions_passed, 0, sizeof(actions_passed));
	memset(actions_failed, 0, sizeof(actions_failed));
	memset(tests, 0, sizeof(tests));
	snprintf(actions_passed[0].name, sizeof(actions_passed[0].name), "client-to-echo");
	actions_passed[0].passed = true;
	actions_passed[0].probe = "tcp";
	actions_passed[0].validation = CT_VALIDATION_MATCHED;
	snprintf(actions_failed[0].name, sizeof(actions_failed[0].name), "client-to-echo");
	actions_failed[0].passed = true;
	actions_failed[0].probe = "udp";
	snprintf(actions_failed[1].name, sizeof(actions_failed[1].name), "client2-to-echo");
	snprintf(actions_failed[1].source, sizeof(actions_failed[1].source), "client2 (10.9.0.11)");
	snprintf(actions_failed[1].destination, sizeof(actions_failed[1].destination),
		 "echo (10.9.0.20:7000)");
	snprintf(actions_failed[1].reason, sizeof(actions_failed[1].reason),
		 "timeout (<no> & \"reply\" 'at' all\x01)");
	actions_failed[1].probe = "udp";
	actions_failed[1].attempt.result = PROBE_TIMEOUT;
	actions_failed[1].validation = CT_VALIDATION_OFF;
	tests[0] = (struct ct_test_result){.name = "tcp-x",
					   .description = "d",
					   .status = CT_TEST_PASSED,
					   .actions = actions_passed,
					   .nactions = 1,
					   .duration_ns = 1500000000};
	tests[1] = (struct ct_test_result){.name = "udp-x",
					   .description = "d",
					   .status = CT_TEST_FAILED,
					   .actions = actions_failed,
					   .nactions = 2};
	tests[2] = (struct ct_test_result){
		.name = "ext", .description = "d", .status = CT_TEST_SKIPPED};
	snprintf(tests[2].message, sizeof(tests[2].message), "--external-ip IP not given");
	*run = (struct ct_run){.tests = tests,
			       .ntests = 3,
			       .flow_validation = CT_FLOW_VALIDATION_STRICT,
			       .socket = "/s"};
}

static char *capture(void (*fn)(FILE *, const struct ct_run *), const struct ct_run *run)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(mem);
	fn(mem, run);
	fclose(mem);
	return text;
}

static void text_report(FILE *out, const struct ct_run *run)
{
	ct_report_text(out, run, false);
}

static void json_report(FILE *out, const struct ct_run *run)
{
	ck_assert_int_eq(ct_report_json(out, run), 0);
}

START_TEST(report_text)
{
	struct ct_run run;
	char *text;

	make_run(&run);
	text = capture(text_report, &run);
	ck_assert_msg(strstr(text, "\n  udp-x/client2-to-echo: client2 (10.9.0.11) -> echo "
				   "(10.9.0.20:7000): timeout (<no>"),
		      "%s", text);
	ck_assert_msg(strstr(text, "\n1/2 tests failed (1/3 actions), 1 tests skipped\n"), "%s",
		      text);
	ck_assert_msg(strstr(text, "Failed tests: udp-x\n"), "%s", text);
	ck_assert_ptr_null(strstr(text, "client-to-echo: "));
	free(text);

	tests[1].status = CT_TEST_PASSED;
	actions_failed[1].passed = true;
	text = capture(text_report, &run);
	ck_assert_msg(strstr(text, "\nAll 2 tests (3 actions) successful, 1 tests skipped\n"), "%s",
		      text);
	free(text);
}
END_TEST

START_TEST(report_json)
{
	json_error_t jerr;
	struct ct_run run;
	json_t *root, *summary, *t1, *a1;
	char *text;

	make_run(&run);
	text = capture(json_report, &run);
	root = json_loads(text, 0, &jerr);
	ck_assert_msg(root, "%s: %s", jerr.text, text);
	summary = json_object_get(root, "summary");
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "tests")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "passed")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "failed")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "skipped")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "actions")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(summary, "failed_actions")), 1);
	ck_assert_str_eq(json_string_value(
				 json_object_get(json_object_get(root, "flow_validation"), "mode")),
			 "strict");
	t1 = json_array_get(json_object_get(root, "tests"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(t1, "name")), "udp-x");
	ck_assert_str_eq(json_string_value(json_object_get(t1, "status")), "failed");
	a1 = json_array_get(json_object_get(t1, "actions"), 1);
	ck_assert_str_eq(json_string_value(json_object_get(a1, "result")), "timeout");
	ck_assert_str_eq(json_string_value(json_object_get(a1, "reason")),
			 "timeout (<no> & \"reply\" 'at' all\x01)");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(a1, "validation"), "result")),
		"off");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(root, "tests"), 2), "message")),
			 "--external-ip IP not given");
	json_decref(root);
	free(text);
}
END_TEST

START_TEST(report_junit)
{
	struct ct_run run;
	char *xml;

	make_run(&run);
	xml = capture(ct_report_junit_write, &run);
	ck_assert_msg(strstr(xml, "<testsuites name=\"netobs connectivity test\" tests=\"3\" "
				  "failures=\"1\" errors=\"0\" skipped=\"1\""),
		      "%s", xml);
	ck_assert_msg(strstr(xml, "<testcase name=\"tcp-x\" classname=\"netobs connectivity "
				  "test\" time=\"1.500\"/>"),
		      "%s", xml);
	ck_assert_msg(strstr(xml, "<skipped message=\"--external-ip IP not given\"/>"), "%s", xml);
	/* The reason, escaped, in the message attribute and in the text; the
	 * control character XML cannot carry is replaced. */
	ck_assert_msg(strstr(xml, "message=\"client2-to-echo: client2 (10.9.0.11) -&gt; echo "
				  "(10.9.0.20:7000): timeout (&lt;no&gt; &amp; &quot;reply&quot; "
				  "&apos;at&apos; all?)\""),
		      "%s", xml);
	ck_assert_msg(strstr(xml, ">udp-x/client2-to-echo: client2 (10.9.0.11) -&gt; echo"), "%s",
		      xml);
	ck_assert_ptr_null(strstr(xml, "<no>"));
	ck_assert_ptr_null(strstr(xml, "\x01"));
	ck_assert_msg(strstr(xml, "</testsuite>\n</testsuites>\n"), "%s", xml);
	free(xml);
}
END_TEST

START_TEST(report_junit_setup_error)
{
	struct ct_run run = {.flow_validation = CT_FLOW_VALIDATION_STRICT};
	char *xml;

	snprintf(run.setup_error, sizeof(run.setup_error),
		 "building the topology: port 17000 <in use>");
	xml = capture(ct_report_junit_write, &run);
	ck_assert_msg(strstr(xml, "<testsuites name=\"netobs connectivity test\" tests=\"1\" "
				  "failures=\"0\" errors=\"1\" skipped=\"0\""),
		      "%s", xml);
	ck_assert_msg(strstr(xml, "<testcase name=\"setup\" classname=\"netobs connectivity "
				  "test\" time=\"0.000\">\n      <error type=\"setup\" "
				  "message=\"building the topology: port 17000 &lt;in use&gt;\"/>"),
		      "%s", xml);
	free(xml);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("ct_report");
	TCase *tc = tcase_create("ct_report");

	tcase_add_test(tc, selection_include_exclude);
	tcase_add_test(tc, selection_errors);
	tcase_add_test(tc, test_list_and_actions);
	tcase_add_test(tc, policy_actions);
	tcase_add_test(tc, report_text);
	tcase_add_test(tc, report_json);
	tcase_add_test(tc, report_junit);
	tcase_add_test(tc, report_junit_setup_error);
	tcase_add_test(tc, drops_counted_once);
	suite_add_tcase(s, tc);
	return s;
}
