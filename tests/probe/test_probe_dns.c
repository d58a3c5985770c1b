// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * probe_dns_once against real servers that tests/probe/test_probe_dns.sh
 * starts: dnsmasq serving probe.test (its records are on that script's
 * command line, and the expected answers below are written from them), a
 * small UDP server answering with the rcode the name asks for, and a
 * closed port. Their addresses come in the environment.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"

static const char *server_from_env(const char *var)
{
	const char *value = getenv(var);

	ck_assert_msg(value && value[0],
		      "%s is not set: run this test through tests/probe/test_probe_dns.sh", var);
	return value;
}

static uint64_t elapsed_ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - start->tv_sec) * 1000 +
	       (uint64_t)((now.tv_nsec - start->tv_nsec) / 1000000);
}

/* One probe; the attempt is pre-filled with junk the probe must overwrite. */
static void probe(const char *server_var, const char *server, const char *name, int qtype,
		  uint32_t timeout_ms, struct probe_attempt *a)
{
	struct probe_options o = {
		.kind = PROBE_DNS,
		.target = name,
		.count = 1,
		.timeout_ms = timeout_ms,
		.server = server_var ? server_from_env(server_var) : server,
		.qtype = qtype,
	};

	memset(a, 'x', sizeof(*a));
	a->result = PROBE_RESULT__COUNT;
	a->dns_rcode = 77;
	a->latency_ns = 0;
	probe_dns_once(&o, a);
	ck_assert_uint_lt(strnlen(a->detail, sizeof(a->detail)), sizeof(a->detail));
	ck_assert_uint_lt(strnlen(a->answers, sizeof(a->answers)), sizeof(a->answers));
	ck_assert_uint_lt(strnlen(a->peer, sizeof(a->peer)), sizeof(a->peer));
}

static void assert_ok(const struct probe_attempt *a, const char *answers)
{
	ck_assert_msg(a->result == PROBE_OK, "result %d, detail '%s'", a->result, a->detail);
	ck_assert_int_eq(a->dns_rcode, 0);
	ck_assert_str_eq(a->answers, answers);
	ck_assert_uint_gt(a->latency_ns, 0);
	ck_assert_uint_lt(a->latency_ns, 2000000000ull);
}

START_TEST(test_a_record)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 1, 2000, &a);
	assert_ok(&a, "10.1.2.3");
	ck_assert_str_eq(a.peer, server_from_env("NETOBS_DNS_ZONE"));
	ck_assert_str_eq(a.detail, "rcode NOERROR, 1 A record");
}
END_TEST

START_TEST(test_default_type_is_a)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 0, 2000, &a);
	assert_ok(&a, "10.1.2.3");
}
END_TEST

START_TEST(test_aaaa_record)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 28, 2000, &a);
	assert_ok(&a, "fd00::3");
}
END_TEST

START_TEST(test_ipv6_server)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE6", NULL, "a.probe.test", 1, 2000, &a);
	assert_ok(&a, "10.1.2.3");
	ck_assert_str_eq(a.peer, server_from_env("NETOBS_DNS_ZONE6"));
}
END_TEST

START_TEST(test_cname_chain)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "c.probe.test", 1, 2000, &a);
	assert_ok(&a, "c.probe.test. CNAME a.probe.test., 10.1.2.3");
}
END_TEST

START_TEST(test_cname_asked)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "c.probe.test", 5, 2000, &a);
	assert_ok(&a, "a.probe.test.");
}
END_TEST

START_TEST(test_any)
{
	struct probe_attempt a;

	/* Every record counts; the CNAME still shows whose name it is. */
	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 255, 2000, &a);
	assert_ok(&a, "10.1.2.3, fd00::3");
	ck_assert_str_eq(a.detail, "rcode NOERROR, 2 ANY records");
	probe("NETOBS_DNS_ZONE", NULL, "c.probe.test", 255, 2000, &a);
	assert_ok(&a, "c.probe.test. CNAME a.probe.test., 10.1.2.3, fd00::3");
}
END_TEST

START_TEST(test_mx_record)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "probe.test", 15, 2000, &a);
	assert_ok(&a, "10 mail.probe.test.");
}
END_TEST

START_TEST(test_txt_record)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "t.probe.test", 16, 2000, &a);
	assert_ok(&a, "\"hello\"");
}
END_TEST

START_TEST(test_txt_escaped)
{
	struct probe_attempt a;

	/* --txt-record=q.probe.test,"say \"hi\"",x\\y: two strings. */
	probe("NETOBS_DNS_ZONE", NULL, "q.probe.test", 16, 2000, &a);
	assert_ok(&a, "\"say \\\"hi\\\"\" \"x\\\\y\"");
}
END_TEST

START_TEST(test_unknown_type)
{
	struct probe_attempt a;

	/* --dns-rr=r.probe.test,65280,010203: three bytes of a type without a name. */
	probe("NETOBS_DNS_ZONE", NULL, "r.probe.test", 65280, 2000, &a);
	assert_ok(&a, "TYPE65280 (3 bytes)");
	/* A type lib/dns.c names (miekg/dns's table) but the probe does not decode. */
	probe("NETOBS_DNS_ZONE", NULL, "spf.probe.test", 99, 2000, &a);
	assert_ok(&a, "SPF (3 bytes)");
}
END_TEST

START_TEST(test_trailing_dot)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test.", 1, 2000, &a);
	assert_ok(&a, "10.1.2.3");
}
END_TEST

START_TEST(test_nxdomain)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "x.probe.test", 1, 2000, &a);
	ck_assert_int_eq(a.result, PROBE_NXDOMAIN);
	ck_assert_int_eq(a.dns_rcode, 3);
	ck_assert_str_eq(a.answers, "");
	ck_assert_ptr_nonnull(strstr(a.detail, "NXDOMAIN"));
	ck_assert_uint_gt(a.latency_ns, 0);
}
END_TEST

START_TEST(test_no_answer_of_type)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 15, 2000, &a);
	ck_assert_msg(a.result == PROBE_DNS_NO_ANSWER, "result %d, detail '%s'", a.result,
		      a.detail);
	ck_assert_int_eq(a.dns_rcode, 0);
	ck_assert_str_eq(a.answers, "");
	ck_assert_str_eq(a.detail, "rcode NOERROR but no MX record for a.probe.test");
}
END_TEST

START_TEST(test_servfail)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_RCODE", NULL, "servfail.probe.test", 1, 2000, &a);
	ck_assert_msg(a.result == PROBE_SERVFAIL, "result %d, detail '%s'", a.result, a.detail);
	ck_assert_int_eq(a.dns_rcode, 2);
	ck_assert_ptr_nonnull(strstr(a.detail, "SERVFAIL"));
	ck_assert_uint_gt(a.latency_ns, 0);
}
END_TEST

static void assert_dns_error(const char *name, int rcode, const char *detail)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_RCODE", NULL, name, 1, 2000, &a);
	ck_assert_msg(a.result == PROBE_DNS_ERROR, "%s: result %d, detail '%s'", name, a.result,
		      a.detail);
	ck_assert_int_eq(a.dns_rcode, rcode);
	ck_assert_str_eq(a.detail, detail);
}

START_TEST(test_other_rcodes)
{
	assert_dns_error("refused.probe.test", 5, "rcode REFUSED");
	assert_dns_error("formerr.probe.test", 1, "rcode FORMERR");
	assert_dns_error("notimp.probe.test", 4, "rcode NOTIMP");
	assert_dns_error("rcode9.probe.test", 9, "rcode NOTAUTH");
}
END_TEST

START_TEST(test_timeout)
{
	struct probe_attempt a;
	struct timespec start;
	uint64_t took_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	probe("NETOBS_DNS_RCODE", NULL, "silent.probe.test", 1, 300, &a);
	took_ms = elapsed_ms_since(&start);
	ck_assert_msg(a.result == PROBE_TIMEOUT, "result %d, detail '%s'", a.result, a.detail);
	ck_assert_int_eq(a.dns_rcode, -1);
	ck_assert_uint_ge(took_ms, 290);
	ck_assert_uint_lt(took_ms, 500);
	ck_assert_ptr_nonnull(strstr(a.detail, "within 300 ms"));
}
END_TEST

START_TEST(test_port_unreachable)
{
	struct probe_attempt a;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	probe("NETOBS_DNS_CLOSED", NULL, "a.probe.test", 1, 2000, &a);
	ck_assert_msg(a.result == PROBE_REFUSED, "result %d, detail '%s'", a.result, a.detail);
	ck_assert_int_eq(a.dns_rcode, -1);
	/* The ICMP error ends it, not the timeout. */
	ck_assert_uint_lt(elapsed_ms_since(&start), 1000);
}
END_TEST

START_TEST(test_malformed_responses)
{
	struct probe_attempt a;

	probe("NETOBS_DNS_RCODE", NULL, "badrr.probe.test", 1, 1000, &a);
	ck_assert_msg(a.result == PROBE_ERROR, "result %d, detail '%s'", a.result, a.detail);
	ck_assert_ptr_nonnull(strstr(a.detail, "malformed"));

	/* c-ares drops a datagram shorter than a header and waits on. */
	probe("NETOBS_DNS_RCODE", NULL, "short.probe.test", 1, 300, &a);
	ck_assert_msg(a.result == PROBE_TIMEOUT, "result %d, detail '%s'", a.result, a.detail);
}
END_TEST

START_TEST(test_bad_server_strings)
{
	static const char *const bad[] = {
		"",	"not-an-ip", "127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:", "127.0.0.1:x",
		"[::1", "[::1]x",    "[::1]:-5",    "[]:53",	       "1.2.3.4.5",
	};
	struct probe_attempt a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		probe(NULL, bad[i], "a.probe.test", 1, 300, &a);
		ck_assert_msg(a.result == PROBE_ERROR, "'%s': result %d", bad[i], a.result);
		ck_assert_msg(strstr(a.detail, "--server"), "'%s': detail '%s'", bad[i], a.detail);
		ck_assert_int_eq(a.dns_rcode, -1);
	}
}
END_TEST

START_TEST(test_bad_names)
{
	char long_label[80];
	struct probe_attempt a;

	memset(long_label, 'a', 70);
	strcpy(long_label + 70, ".test");
	probe("NETOBS_DNS_ZONE", NULL, long_label, 1, 300, &a);
	ck_assert_msg(a.result == PROBE_ERROR, "result %d", a.result);
	ck_assert_ptr_nonnull(strstr(a.detail, "not a valid DNS name"));

	probe("NETOBS_DNS_ZONE", NULL, "", 1, 300, &a);
	ck_assert_int_eq(a.result, PROBE_ERROR);
	probe("NETOBS_DNS_ZONE", NULL, NULL, 1, 300, &a);
	ck_assert_int_eq(a.result, PROBE_ERROR);
	probe("NETOBS_DNS_ZONE", NULL, "a.probe.test", 70000, 300, &a);
	ck_assert_int_eq(a.result, PROBE_ERROR);
	ck_assert_ptr_nonnull(strstr(a.detail, "--type"));
}
END_TEST

/*
 * Run by the script in a mount namespace whose /etc/resolv.conf says
 * "search probe.test" and "nameserver 127.0.0.77" (port 53, where a second
 * dnsmasq serves the zone).
 */
START_TEST(test_system_resolver)
{
	struct probe_attempt a;

	probe(NULL, NULL, "a.probe.test", 1, 2000, &a);
	assert_ok(&a, "10.1.2.3");
	ck_assert_str_eq(a.peer, "127.0.0.77:53");

	/* No search domains: "a" is asked as "a.", never as a.probe.test. */
	probe(NULL, NULL, "a", 1, 2000, &a);
	ck_assert_msg(a.result != PROBE_OK, "'a' resolved: %s", a.answers);
	ck_assert_str_eq(a.answers, "");
}
END_TEST

Suite *netobs_test_suite(void);
Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("probe_dns");
	TCase *tc = tcase_create("probe_dns_once");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_a_record);
	tcase_add_test(tc, test_default_type_is_a);
	tcase_add_test(tc, test_aaaa_record);
	tcase_add_test(tc, test_ipv6_server);
	tcase_add_test(tc, test_cname_chain);
	tcase_add_test(tc, test_cname_asked);
	tcase_add_test(tc, test_any);
	tcase_add_test(tc, test_mx_record);
	tcase_add_test(tc, test_txt_record);
	tcase_add_test(tc, test_txt_escaped);
	tcase_add_test(tc, test_unknown_type);
	tcase_add_test(tc, test_trailing_dot);
	tcase_add_test(tc, test_nxdomain);
	tcase_add_test(tc, test_no_answer_of_type);
	tcase_add_test(tc, test_servfail);
	tcase_add_test(tc, test_other_rcodes);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_port_unreachable);
	tcase_add_test(tc, test_malformed_responses);
	tcase_add_test(tc, test_bad_server_strings);
	tcase_add_test(tc, test_bad_names);
	suite_add_tcase(s, tc);

	/* CK_RUN_CASE=system_resolver: only inside the script's mount namespace. */
	tc = tcase_create("system_resolver");
	tcase_add_test(tc, test_system_resolver);
	suite_add_tcase(s, tc);
	return s;
}
