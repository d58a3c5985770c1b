// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * probe_http_once against the real servers test_probe_http.sh starts on
 * 127.0.0.1 (tests/probe/probe_servers.py): every way an HTTP(S) probe can
 * end, produced for real. Statuses, reason phrases and methods are the ones
 * the test server was written to send, not read back from the code under test.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "probe.h"

Suite *netobs_test_suite(void);

static char url_buf[256];

static const char *env_or_fail(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set: run this through tests/probe/test_probe_http.sh",
		      name);
	return v;
}

/* scheme://127.0.0.1:$PORT_VAR/path */
static const char *url(const char *scheme, const char *port_var, const char *path)
{
	snprintf(url_buf, sizeof(url_buf), "%s://127.0.0.1:%s%s", scheme, env_or_fail(port_var),
		 path);
	return url_buf;
}

static struct probe_options http_options(enum probe_kind kind, const char *target)
{
	struct probe_options o = {
		.kind = kind,
		.target = target,
		.count = 1,
		.timeout_ms = 2000,
	};
	return o;
}

static struct probe_attempt run(const struct probe_options *o)
{
	struct probe_attempt a;

	memset(&a, 0xa5, sizeof(a)); /* every field must be written */
	probe_http_once(o, &a);
	return a;
}

static void expect(const struct probe_attempt *a, enum probe_result result, long http_code,
		   const char *detail_part)
{
	ck_assert_msg(a->result == result, "result %d, expected %d (detail \"%s\")", a->result,
		      result, a->detail);
	ck_assert_int_eq(a->http_code, http_code);
	ck_assert_msg(strstr(a->detail, detail_part), "detail \"%s\" lacks \"%s\"", a->detail,
		      detail_part);
}

static void expect_peer(const struct probe_attempt *a, const char *port_var)
{
	char want[64];

	snprintf(want, sizeof(want), "127.0.0.1:%s", env_or_fail(port_var));
	ck_assert_str_eq(a->peer, want);
}

START_TEST(get_200_is_ok)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_OK, 200, "HTTP 200 OK saw GET");
	expect_peer(&a, "HTTP_PORT");
	ck_assert_uint_gt(a.latency_ns, 0);
	ck_assert_uint_lt(a.latency_ns, 2000ULL * 1000 * 1000);
	ck_assert_int_eq(a.dns_rcode, -1);
	ck_assert_str_eq(a.answers, "");
}
END_TEST

START_TEST(status_404_and_503_fail_with_reason)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/404"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_HTTP_STATUS, 404, "HTTP 404 Not Found");
	ck_assert_uint_gt(a.latency_ns, 0); /* it answered */

	o.target = url("http", "HTTP_PORT", "/503");
	a = run(&o);
	expect(&a, PROBE_HTTP_STATUS, 503, "HTTP 503 Service Unavailable");
}
END_TEST

START_TEST(redirect_is_reported_not_followed)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/302"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_OK, 302, "HTTP 302 Found");
}
END_TEST

START_TEST(expect_status_decides)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/404"));
	struct probe_attempt a;

	o.expect_status = 404;
	a = run(&o);
	expect(&a, PROBE_OK, 404, "HTTP 404 Not Found");

	o.target = url("http", "HTTP_PORT", "/");
	a = run(&o);
	expect(&a, PROBE_HTTP_STATUS, 200, "(expected 404)");
}
END_TEST

START_TEST(head_and_post_send_their_method)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/"));
	struct probe_attempt a;

	o.method = "HEAD";
	a = run(&o);
	expect(&a, PROBE_OK, 200, "saw HEAD");

	o.method = "POST";
	a = run(&o);
	expect(&a, PROBE_OK, 201, "HTTP 201 Created saw POST");
}
END_TEST

START_TEST(https_with_cacert_is_ok)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTPS_PORT", "/"));
	struct probe_attempt a;

	o.cacert = env_or_fail("PROBE_CA");
	a = run(&o);
	expect(&a, PROBE_OK, 200, "HTTP 200 OK saw GET");
	expect_peer(&a, "HTTPS_PORT");
	ck_assert_uint_gt(a.latency_ns, 0);
}
END_TEST

START_TEST(https_without_cacert_fails_verification)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTPS_PORT", "/"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_TLS_VERIFY_FAILED, 0, "certificate verify failed: ");
	ck_assert_msg(strstr(a.detail, "issuer") || strstr(a.detail, "self-signed"),
		      "detail \"%s\" does not say why", a.detail);
}
END_TEST

START_TEST(https_insecure_is_ok)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTPS_WRONG_PORT", "/"));
	struct probe_attempt a;

	o.insecure = true;
	a = run(&o);
	expect(&a, PROBE_OK, 200, "HTTP 200");
}
END_TEST

START_TEST(https_wrong_name_fails_verification)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTPS_WRONG_PORT", "/"));
	struct probe_attempt a;

	o.cacert = env_or_fail("PROBE_CA");
	a = run(&o);
	expect(&a, PROBE_TLS_VERIFY_FAILED, 0, "certificate verify failed: ");
	ck_assert_msg(strstr(a.detail, "127.0.0.1"), "detail \"%s\" lacks the name", a.detail);
}
END_TEST

START_TEST(plain_http_to_tls_port_fails)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTPS_PORT", "/"));
	struct probe_attempt a = run(&o);

	ck_assert_msg(a.result != PROBE_OK, "plain HTTP to a TLS port succeeded: %s", a.detail);
	ck_assert_int_eq(a.http_code, 0);
	ck_assert_str_ne(a.detail, "");
}
END_TEST

START_TEST(tls_to_plain_port_is_tls_error)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTP_PORT", "/"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_TLS_ERROR, 0, "TLS handshake failed");
}
END_TEST

START_TEST(closed_port_is_refused)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "REFUSED_PORT", "/"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_REFUSED, 0, "connection refused");
	expect_peer(&a, "REFUSED_PORT");
}
END_TEST

START_TEST(silent_server_times_out_on_time)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "SILENT_PORT", "/"));
	struct timespec t0, t1;
	struct probe_attempt a;
	long elapsed_ms;

	o.timeout_ms = 300;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = run(&o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;

	expect(&a, PROBE_TIMEOUT, 0, "no answer within 300 ms");
	ck_assert_int_ge(elapsed_ms, 290);
	ck_assert_int_le(elapsed_ms, 450);
}
END_TEST

START_TEST(scheme_mismatch_is_refused_clearly)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("http", "HTTP_PORT", "/"));
	struct probe_attempt a = run(&o);

	expect(&a, PROBE_ERROR, 0, "https probes take a URL starting with https://");
	ck_assert_str_eq(a.peer, ""); /* nothing was sent */

	o = http_options(PROBE_HTTP, "127.0.0.1:80");
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "http probes take a URL starting with http://");

	o.target = NULL;
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "http probes take a URL");

	o.target = "http://127.0.0.1:99999/";
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "bad URL \"http://127.0.0.1:99999/\"");
}
END_TEST

START_TEST(bad_method_is_rejected)
{
	struct probe_options o = http_options(PROBE_HTTP, url("http", "HTTP_PORT", "/"));
	struct probe_attempt a;

	o.method = "GET / HTTP/1.1\r\nX-Injected: 1\r\n";
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "is not an HTTP method");

	o.method = "";
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "is not an HTTP method");
}
END_TEST

START_TEST(unreadable_cacert_is_our_error)
{
	struct probe_options o = http_options(PROBE_HTTPS, url("https", "HTTPS_PORT", "/"));
	struct probe_attempt a;

	o.cacert = "/nonexistent/netobs-ca.pem";
	a = run(&o);
	expect(&a, PROBE_ERROR, 0, "cannot use --cacert /nonexistent/netobs-ca.pem");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("probe_http");
	TCase *tc = tcase_create("probe_http_once");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, get_200_is_ok);
	tcase_add_test(tc, status_404_and_503_fail_with_reason);
	tcase_add_test(tc, redirect_is_reported_not_followed);
	tcase_add_test(tc, expect_status_decides);
	tcase_add_test(tc, head_and_post_send_their_method);
	tcase_add_test(tc, https_with_cacert_is_ok);
	tcase_add_test(tc, https_without_cacert_fails_verification);
	tcase_add_test(tc, https_insecure_is_ok);
	tcase_add_test(tc, https_wrong_name_fails_verification);
	tcase_add_test(tc, plain_http_to_tls_port_fails);
	tcase_add_test(tc, tls_to_plain_port_is_tls_error);
	tcase_add_test(tc, closed_port_is_refused);
	tcase_add_test(tc, silent_server_times_out_on_time);
	tcase_add_test(tc, scheme_mismatch_is_refused_clearly);
	tcase_add_test(tc, bad_method_is_rejected);
	tcase_add_test(tc, unreadable_cacert_is_our_error);
	suite_add_tcase(s, tc);
	return s;
}
