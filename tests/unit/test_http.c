// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x heads: what is recognised as HTTP and what never is, fields, URLs,
 * kept and redacted headers, bounds. Every expected value is written out
 * here, next to the bytes that carry it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_recorder.h"

Suite *netobs_test_suite(void);

#define GET_INDEX                                                                                  \
	"GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\n"          \
	"Accept: */*\r\n\r\n"
#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"

START_TEST(test_get_200)
{
	const struct seen_event *req, *resp;

	conn_setup(80, NULL);
	ck_assert_int_eq(feed_req(GET_INDEX, 1000), NETOBS_HTTP_OK);
	ck_assert_int_eq(feed_resp(OK_HELLO, 4000), NETOBS_HTTP_OK);
	ck_assert_int_eq(nseen, 2);

	req = nth(NETOBS_HTTP_EVENT_REQUEST, 0);
	ck_assert_int_eq(req->ev.dir, NETOBS_HTTP_DIR_REQUEST);
	ck_assert_uint_eq(req->ev.time_ns, 1000);
	ck_assert_str_eq(req->msg.method, "GET");
	ck_assert_str_eq(req->msg.target, "/index.html?x=1");
	ck_assert_str_eq(req->msg.path, "/index.html?x=1");
	ck_assert_str_eq(req->msg.host, "example.com");
	ck_assert_str_eq(req->msg.url, "http://example.com/index.html?x=1");
	ck_assert_str_eq(req->msg.protocol, "HTTP/1.1");
	ck_assert_uint_eq(req->msg.header_count, 3);
	ck_assert_str_eq(req->msg.headers[0].key, "Host");
	ck_assert_str_eq(req->msg.headers[1].key, "User-Agent");
	ck_assert_str_eq(req->msg.headers[1].value, "curl/8.5.0");
	ck_assert_str_eq(req->msg.headers[2].key, "Accept");
	ck_assert_str_eq(req->msg.headers[2].value, "*/*");
	ck_assert_uint_eq(req->msg.truncated, 0);

	resp = nth(NETOBS_HTTP_EVENT_RESPONSE, 0);
	ck_assert_int_eq(resp->ev.outcome, NETOBS_HTTP_OK);
	ck_assert_uint_eq(resp->msg.code, 200);
	ck_assert_str_eq(resp->msg.protocol, "HTTP/1.1");
	ck_assert(resp->msg.has_content_length);
	ck_assert_uint_eq(resp->msg.content_length, 5);
	ck_assert_str_eq(header_value(&resp->msg, "Content-Type"), "text/plain");
	ck_assert(resp->has_request);
	ck_assert_str_eq(resp->request.method, "GET");
	ck_assert_str_eq(resp->request.url, "http://example.com/index.html?x=1");
	ck_assert_uint_eq(resp->ev.latency_ns, 3000);
	conn_teardown();
}
END_TEST

START_TEST(test_request_line_every_split)
{
	const char *req = "PATCH /v1/users/42?fields=name HTTP/1.0\r\nHost: users.internal\r\n\r\n";
	size_t len = strlen(req);

	for (size_t k = 1; k < len; k++) {
		conn_setup(80, NULL);
		ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, req, k, 1,
						       record_event, NULL),
				 NETOBS_HTTP_OK);
		ck_assert_msg(nseen == 0, "reported before complete at %zu", k);
		ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, req + k,
						       len - k, 2, record_event, NULL),
				 NETOBS_HTTP_OK);
		ck_assert_int_eq(nseen, 1);
		ck_assert_str_eq(seen[0].msg.method, "PATCH");
		ck_assert_str_eq(seen[0].msg.protocol, "HTTP/1.0");
		ck_assert_str_eq(seen[0].msg.url, "http://users.internal/v1/users/42?fields=name");
		ck_assert_uint_eq(seen[0].ev.time_ns, 1); /* the slice with the first byte */
		conn_teardown();
	}
	/* ... and one byte per slice. */
	conn_setup(80, NULL);
	for (size_t i = 0; i < len; i++)
		netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, req + i, 1, 1, record_event,
				      NULL);
	ck_assert_int_eq(nseen, 1);
	ck_assert_str_eq(seen[0].msg.path, "/v1/users/42?fields=name");
	conn_teardown();
}
END_TEST

START_TEST(test_never_http)
{
	/* TLS 1.2 ClientHello record header and start, an SSH banner, HTTP/2, junk. */
	static const unsigned char tls[] = {0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00,
					    0xa1, 0x03, 0x03, 'G',  'E',  'T',	' ',  '/'};
	static const char *const texts[] = {
		"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET / HTTP/2.0\r\n\r\n",
		"get / HTTP/1.1\r\n\r\n",
		"GET  / HTTP/1.1\r\n\r\n",
		"GET /\x01 HTTP/1.1\r\n\r\n",
		"GETX / HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\rX",
	};
	unsigned int rng = 12345;

	conn_setup(443, NULL);
	ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, tls, sizeof(tls), 1,
					       record_event, NULL),
			 NETOBS_HTTP_NOT_HTTP);
	ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE, tls, sizeof(tls), 2,
					       record_event, NULL),
			 NETOBS_HTTP_NOT_HTTP);
	ck_assert_int_eq(nseen, 2);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 2);
	ck_assert(!netobs_http_conn_active(&conn));
	/* Later bytes, even a valid request, are ignored without events. */
	ck_assert_int_eq(feed_req("GET / HTTP/1.1\r\n\r\n", 3), NETOBS_HTTP_NOT_HTTP);
	ck_assert_int_eq(nseen, 2);
	conn_teardown();

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		conn_setup(80, NULL);
		ck_assert_msg(feed_req(texts[i], 1) == NETOBS_HTTP_NOT_HTTP, "text %zu", i);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 0);
		conn_teardown();
	}
	for (int round = 0; round < 200; round++) {
		unsigned char junk[512];

		for (size_t i = 0; i < sizeof(junk); i++) {
			rng = rng * 1103515245u + 12345u;
			junk[i] = (unsigned char)(rng >> 16);
		}
		conn_setup(80, NULL);
		netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, junk, sizeof(junk), 1,
				      record_event, NULL);
		netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE, junk, sizeof(junk), 1,
				      record_event, NULL);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 0);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_RESPONSE), 0);
		conn_teardown();
	}
}
END_TEST

START_TEST(test_incomplete_request_line)
{
	conn_setup(80, NULL);
	ck_assert_int_eq(feed_req("GET /index.html HTTP/1.", 1), NETOBS_HTTP_OK);
	ck_assert_int_eq(nseen, 0);
	ck_assert_int_eq(netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_REQUEST, record_event, NULL),
			 NETOBS_HTTP_INCOMPLETE_HEAD);
	ck_assert_int_eq(nseen, 1);
	ck_assert_int_eq(seen[0].ev.type, NETOBS_HTTP_EVENT_PROBLEM);
	ck_assert_int_eq(seen[0].ev.outcome, NETOBS_HTTP_INCOMPLETE_HEAD);
	conn_teardown();
}
END_TEST

START_TEST(test_absolute_form_and_hosts)
{
	conn_setup(3128, NULL);
	feed_req("GET http://example.org:8080/a/b?c=d HTTP/1.1\r\nHost: other.example\r\n\r\n", 1);
	ck_assert_str_eq(seen[0].msg.host, "example.org:8080");
	ck_assert_str_eq(seen[0].msg.path, "/a/b?c=d");
	ck_assert_str_eq(seen[0].msg.url, "http://example.org:8080/a/b?c=d");
	ck_assert_str_eq(header_value(&seen[0].msg, "Host"), "other.example");
	feed_req("GET http://example.org HTTP/1.1\r\n\r\n", 2);
	ck_assert_str_eq(seen[1].msg.path, "/");
	ck_assert_str_eq(seen[1].msg.url, "http://example.org/"); /* not the proxy's port */
	feed_req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 3);
	ck_assert_str_eq(seen[2].msg.url, "example.com:443");
	ck_assert_str_eq(seen[2].msg.path, "");
	feed_req("GET HTTPS://secure.example?q=1 HTTP/1.1\r\n\r\n", 4);
	ck_assert_str_eq(seen[3].msg.host, "secure.example");
	ck_assert_str_eq(seen[3].msg.path, "?q=1");
	ck_assert_str_eq(seen[3].msg.url, "HTTPS://secure.example?q=1");
	conn_teardown();

	conn_setup(8080, NULL);
	feed_req("GET /v1 HTTP/1.1\r\nHost: api.local:8080\r\n\r\n", 1);
	feed_req("GET /v1 HTTP/1.1\r\nHost: api.local\r\n\r\n", 2);
	feed_req("GET / HTTP/1.1\r\nHost: [fd00::1]\r\n\r\n", 3);
	feed_req("GET / HTTP/1.1\r\nHost: [fd00::1]:9000\r\n\r\n", 4);
	ck_assert_str_eq(seen[0].msg.url, "http://api.local:8080/v1");
	ck_assert_str_eq(seen[1].msg.url, "http://api.local:8080/v1");
	ck_assert_str_eq(seen[2].msg.url, "http://[fd00::1]:8080/");
	ck_assert_str_eq(seen[3].msg.url, "http://[fd00::1]:9000/");
	conn_teardown();

	/* No Host (HTTP/1.0): the server address the caller gave. */
	conn_setup(8000, "10.0.0.2");
	feed_req("GET /file HTTP/1.0\r\n\r\n", 1);
	ck_assert_str_eq(seen[0].msg.host, "");
	ck_assert_str_eq(seen[0].msg.url, "http://10.0.0.2:8000/file");
	conn_teardown();
	conn_setup(80, "[fd00::2]");
	feed_req("GET / HTTP/1.0\r\n\r\n", 1);
	ck_assert_str_eq(seen[0].msg.url, "http://[fd00::2]/");
	conn_teardown();
	conn_setup(80, NULL);
	feed_req("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 1);
	feed_req("GET /x HTTP/1.0\r\n\r\n", 2);
	ck_assert_str_eq(seen[0].msg.path, "*");
	ck_assert_str_eq(seen[0].msg.url, "http://h");
	ck_assert_str_eq(seen[1].msg.url, "/x");
	conn_teardown();
}
END_TEST

static bool message_contains(const struct netobs_http_message *msg, const char *secret)
{
	const char *bytes = (const char *)msg;
	size_t n = strlen(secret);

	for (size_t i = 0; i + n <= sizeof(*msg); i++)
		if (!memcmp(bytes + i, secret, n))
			return true;
	return false;
}

START_TEST(test_redaction)
{
	conn_setup(80, NULL);
	feed_req(
		"GET /me HTTP/1.1\r\nHost: h\r\nCookie: session=s3cr3t-cookie\r\n"
		"Authorization: Bearer s3cr3t-bearer\r\nProxy-Authorization: Basic s3cr3t-proxy\r\n"
		"X-Api-Key: s3cr3t-key\r\nX-Request-Id: req-77\r\n\r\n",
		1);
	feed_resp("HTTP/1.1 200 OK\r\nSet-Cookie: id=s3cr3t-set; HttpOnly\r\nContent-Length: "
		  "0\r\n\r\n",
		  2);
	ck_assert_int_eq(nseen, 2);
	ck_assert_str_eq(header_value(&seen[0].msg, "Cookie"), NETOBS_HTTP_REDACTED);
	ck_assert_str_eq(header_value(&seen[0].msg, "Authorization"), NETOBS_HTTP_REDACTED);
	ck_assert_str_eq(header_value(&seen[0].msg, "Proxy-Authorization"), NETOBS_HTTP_REDACTED);
	ck_assert_ptr_null(header_value(&seen[0].msg, "X-Api-Key"));
	ck_assert_str_eq(header_value(&seen[0].msg, "X-Request-Id"), "req-77");
	ck_assert_uint_eq(seen[0].msg.headers_dropped, 1);
	ck_assert_str_eq(header_value(&seen[1].msg, "Set-Cookie"), NETOBS_HTTP_REDACTED);
	for (int i = 0; i < 2; i++)
		ck_assert(!message_contains(&seen[i].msg, "s3cr3t"));
	conn_teardown();
}
END_TEST

START_TEST(test_head_bounds)
{
	static char big[NETOBS_HTTP_HEAD_MAX + 200];
	char value[600];
	int n;

	/* One over-long header: whole, then in 100-byte slices. */
	n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 1);
	for (int sliced = 0; sliced < 2; sliced++) {
		size_t len = strlen(big);

		conn_setup(80, NULL);
		for (size_t off = 0; off < len; off += sliced ? 100 : len)
			netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, big + off,
					      sliced && len - off > 100 ? 100 : len - off, 1,
					      record_event, NULL);
		ck_assert_int_eq(nseen, 1);
		ck_assert_int_eq(seen[0].ev.outcome, NETOBS_HTTP_HEAD_TOO_LONG);
		conn_teardown();
	}

	/* Long but within the head: values cut at their bound, flagged. */
	memset(value, 'v', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: %s\r\n", value);
	for (int i = 0; i < 20; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "Accept: t%d\r\n", i);
	snprintf(big + n, sizeof(big) - (size_t)n, "\r\n");
	conn_setup(80, NULL);
	feed_req(big, 1);
	ck_assert_int_eq(nseen, 1);
	ck_assert_uint_eq(strlen(header_value(&seen[0].msg, "User-Agent")),
			  NETOBS_HTTP_HEADER_VALUE_MAX - 1);
	ck_assert_uint_eq(seen[0].msg.header_count, NETOBS_HTTP_HEADERS_MAX);
	ck_assert_uint_eq(seen[0].msg.headers_dropped, 2 + 20 - NETOBS_HTTP_HEADERS_MAX);
	ck_assert(seen[0].msg.truncated & NETOBS_HTTP_TRUNC_HEADERS);
	conn_teardown();
}
END_TEST

START_TEST(test_header_folding_and_errors)
{
	conn_setup(80, NULL);
	feed_req("GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: agent\r\n\tversion 2\r\n\r\n", 1);
	ck_assert_str_eq(header_value(&seen[0].msg, "User-Agent"), "agent version 2");
	conn_teardown();

	static const struct {
		const char *head;
		enum netobs_http_outcome want;
	} bad[] = {
		{"GET / HTTP/1.1\r\nContent-Length: 5\r\n 6\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\n folded-first\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\nHost : h\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\nno colon\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"GET / HTTP/1.1\r\nX: a\x01\r\n\r\n", NETOBS_HTTP_BAD_HEADER},
		{"POST / HTTP/1.1\r\nContent-Length: 12a\r\n\r\n", NETOBS_HTTP_BAD_CONTENT_LENGTH},
		{"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", NETOBS_HTTP_BAD_CONTENT_LENGTH},
		{"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
		 NETOBS_HTTP_BAD_CONTENT_LENGTH},
		{"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
		 NETOBS_HTTP_BAD_TRANSFER_ENCODING},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		conn_setup(80, NULL);
		ck_assert_msg(feed_req(bad[i].head, 1) == bad[i].want, "case %zu", i);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 0);
		conn_teardown();
	}
	conn_setup(80, NULL);
	ck_assert_int_eq(feed_req("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc"
				  "GET / HTTP/1.1\r\n\r\n",
				  1),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 2);
	conn_teardown();
}
END_TEST

START_TEST(test_outcome_names)
{
	ck_assert_str_eq(netobs_http_outcome_name(NETOBS_HTTP_OK), "ok");
	ck_assert_str_eq(netobs_http_outcome_name(NETOBS_HTTP_NOT_HTTP), "not-http");
	ck_assert_str_eq(netobs_http_outcome_name(NETOBS_HTTP_HEAD_TOO_LONG), "head-too-long");
	ck_assert_str_eq(netobs_http_outcome_name(NETOBS_HTTP_BAD_CHUNK), "bad-chunk");
	ck_assert_str_eq(netobs_http_outcome_name(NETOBS_HTTP_OUTCOME_COUNT), "unknown");
	for (int i = 0; i < NETOBS_HTTP_OUTCOME_COUNT; i++)
		ck_assert_ptr_nonnull(netobs_http_outcome_name((enum netobs_http_outcome)i));
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, test_get_200);
	tcase_add_test(tc, test_request_line_every_split);
	tcase_add_test(tc, test_never_http);
	tcase_add_test(tc, test_incomplete_request_line);
	tcase_add_test(tc, test_absolute_form_and_hosts);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_head_bounds);
	tcase_add_test(tc, test_header_folding_and_errors);
	tcase_add_test(tc, test_outcome_names);
	suite_add_tcase(s, tc);
	return s;
}
