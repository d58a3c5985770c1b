// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x streams: bodies skipped across slices and gaps, keep-alive and
 * pipelining, responses paired with requests in order, tunnels, and a real
 * curl / python http.server exchange. Expected values are the tests' own.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_vectors.h"
#include "http_recorder.h"

Suite *netobs_test_suite(void);

START_TEST(test_post_body_skipped)
{
	const char *post =
		"POST /api/items HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\n"
		"Content-Length: 26\r\n\r\n";
	const char *body = "{\"name\":\"GET / HTTP/1.1\"}\n";

	ck_assert_uint_eq(strlen(body), 26);
	conn_setup(80, NULL);
	ck_assert_int_eq(feed_req(post, 10), NETOBS_HTTP_OK);
	/* The body, which itself looks like a request line, in two slices. */
	ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, body, 9, 11,
					       record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(feed_req(body + 9, 12), NETOBS_HTTP_OK);
	ck_assert_int_eq(feed_req("GET /next HTTP/1.1\r\nHost: api\r\n\r\n", 20), NETOBS_HTTP_OK);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 2);
	ck_assert_int_eq(nseen, 2);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_REQUEST, 0)->msg.method, "POST");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_REQUEST, 0)->msg.content_length, 26);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_REQUEST, 1)->msg.url, "http://api/next");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_REQUEST, 1)->ev.time_ns, 20);
	conn_teardown();
}
END_TEST

/* Two requests, then a chunked 200 (extension, trailer) and a 404, as one string. */
static const char chunked_responses[] =
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	"5;name=value\r\nhello\r\n"
	"A \r\n0123456789\r\n"
	"0\r\nX-Checksum: abc\r\n\r\n"
	"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found";

static void two_requests(void)
{
	ck_assert_int_eq(
		feed_req("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", 1),
		NETOBS_HTTP_OK);
}

START_TEST(test_chunked_every_split)
{
	size_t len = strlen(chunked_responses);

	/* Every split point: in the chunk-size line, its extension, the data, the trailer. */
	for (size_t k = 0; k <= len; k++) {
		conn_setup(80, NULL);
		two_requests();
		ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE,
						       chunked_responses, k, 2, record_event, NULL),
				 NETOBS_HTTP_OK);
		ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE,
						       chunked_responses + k, len - k, 3,
						       record_event, NULL),
				 NETOBS_HTTP_OK);
		ck_assert_msg(count_type(NETOBS_HTTP_EVENT_RESPONSE) == 2, "split at %zu", k);
		ck_assert_int_eq(nseen, 4);
		ck_assert(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->msg.chunked);
		ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->msg.code, 200);
		ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->request.url, "http://h/a");
		ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->msg.code, 404);
		ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->request.url, "http://h/b");
		conn_teardown();
	}
}
END_TEST

START_TEST(test_chunked_byte_by_byte)
{
	conn_setup(80, NULL);
	two_requests();
	for (size_t i = 0; chunked_responses[i]; i++)
		ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE,
						       chunked_responses + i, 1, 5, record_event,
						       NULL),
				 NETOBS_HTTP_OK);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_RESPONSE), 2);
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->msg.code, 404);
	conn_teardown();
}
END_TEST

START_TEST(test_bad_chunks)
{
	static const char *const bad[] = {
		"zz\r\nhello\r\n0\r\n\r\n",    /* not hex */
		"\r\n",			       /* no digits */
		"5\r\nhelloXX0\r\n\r\n",       /* no CRLF after the data */
		"1 2\r\nx\r\n",		       /* digits after whitespace */
		"10000000000000000\r\n",       /* 17 hex digits */
		"5\rX",			       /* CR without LF */
		"0\r\nBad\x01Trailer\r\n\r\n", /* control byte in a trailer */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		conn_setup(80, NULL);
		feed_req("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 1);
		feed_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 2);
		ck_assert_msg(feed_resp(bad[i], 3) == NETOBS_HTTP_BAD_CHUNK, "case %zu", i);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 1);
		ck_assert_int_eq(nth(NETOBS_HTTP_EVENT_PROBLEM, 0)->ev.outcome,
				 NETOBS_HTTP_BAD_CHUNK);
		conn_teardown();
	}
}
END_TEST

START_TEST(test_keep_alive_three)
{
	static const char *const paths[] = {"/one", "/two", "/three"};
	static const unsigned int codes[] = {200, 404, 500};

	conn_setup(8080, NULL);
	for (int i = 0; i < 3; i++) {
		char req[128], resp[128];

		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: svc\r\n\r\n", paths[i]);
		snprintf(resp, sizeof(resp), "HTTP/1.1 %u X\r\nContent-Length: 3\r\n\r\nabc",
			 codes[i]);
		ck_assert_int_eq(feed_req(req, 100 * (i + 1)), NETOBS_HTTP_OK);
		ck_assert_int_eq(feed_resp(resp, 100 * (i + 1) + 7 * (i + 1)), NETOBS_HTTP_OK);
	}
	ck_assert_int_eq(nseen, 6);
	for (int i = 0; i < 3; i++) {
		const struct seen_event *r = nth(NETOBS_HTTP_EVENT_RESPONSE, i);
		char url[64];

		snprintf(url, sizeof(url), "http://svc:8080%s", paths[i]);
		ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_REQUEST, i)->msg.url, url);
		ck_assert_uint_eq(r->msg.code, codes[i]);
		ck_assert_str_eq(r->request.url, url);
		ck_assert_uint_eq(r->ev.latency_ns, 7 * (i + 1));
	}
	conn_teardown();
}
END_TEST

START_TEST(test_pipelining)
{
	conn_setup(80, NULL);
	ck_assert_int_eq(feed_req("GET /1 HTTP/1.1\r\nHost: p\r\n\r\n"
				  "HEAD /2 HTTP/1.1\r\nHost: p\r\n\r\n"
				  "DELETE /3 HTTP/1.1\r\nHost: p\r\n\r\n",
				  1000),
			 NETOBS_HTTP_OK);
	/* The HEAD answer announces 100 bytes it does not send. */
	ck_assert_int_eq(feed_resp("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
				   "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
				   "HTTP/1.1 204 No Content\r\n\r\n",
				   1500),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(nseen, 6);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->request.url, "http://p/1");
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->request.method, "HEAD");
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 2)->request.method, "DELETE");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 2)->msg.code, 204);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, i)->ev.latency_ns, 500);
	conn_teardown();
}
END_TEST

START_TEST(test_head_304_204_interim)
{
	conn_setup(80, NULL);
	feed_req("HEAD /big HTTP/1.1\r\nHost: h\r\n\r\n", 10);
	feed_resp("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", 11);
	feed_req("GET /cached HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n", 20);
	feed_resp("HTTP/1.1 304 Not Modified\r\nContent-Length: 77\r\n\r\n", 22);
	feed_req("PUT /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
		 30);
	feed_resp("HTTP/1.1 100 Continue\r\n\r\n", 31);
	feed_req("data", 32);
	ck_assert_int_eq(feed_resp("HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 999", 35),
			 NETOBS_HTTP_NOT_HTTP);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 3);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_RESPONSE), 4);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->request.method, "HEAD");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->msg.code, 304);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->request.url, "http://h/cached");
	/* The interim 100 and the final 204 both answer the PUT. */
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 2)->msg.code, 100);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 2)->request.method, "PUT");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 3)->msg.code, 204);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 3)->request.method, "PUT");
	ck_assert_uint_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 3)->ev.latency_ns, 5);
	/* "HTTP/1.1 999" right after the 204 proves the 204 had no body. */
	ck_assert_int_eq(nth(NETOBS_HTTP_EVENT_PROBLEM, 0)->ev.outcome, NETOBS_HTTP_NOT_HTTP);
	conn_teardown();
}
END_TEST

START_TEST(test_gaps)
{
	char seen_body[100];

	memset(seen_body, 'b', sizeof(seen_body));
	conn_setup(80, NULL);
	/* 10000-byte upload: its head and 100 bytes seen, the rest a gap. */
	ck_assert_int_eq(
		feed_req("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10000\r\n\r\n", 1),
		NETOBS_HTTP_OK);
	ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, seen_body, 100, 2,
					       record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(
		netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_REQUEST, 9900, record_event, NULL),
		NETOBS_HTTP_OK);
	ck_assert_int_eq(feed_req("GET /after HTTP/1.1\r\nHost: h\r\n\r\n", 3), NETOBS_HTTP_OK);
	/* A chunked download: 0x1000 bytes of data, 10 of them seen. */
	feed_resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n0123456789", 4);
	ck_assert_int_eq(netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_RESPONSE, 0x1000 - 10,
					      record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(feed_resp("\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 5),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 2);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_RESPONSE), 2);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 1)->request.url, "http://h/after");
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 0);

	/* A gap past the end of a known body, or where a head goes: lost. */
	feed_resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 6);
	ck_assert_int_eq(
		netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_RESPONSE, 11, record_event, NULL),
		NETOBS_HTTP_GAP_LOST_ALIGNMENT);
	ck_assert_int_eq(
		netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_REQUEST, 1, record_event, NULL),
		NETOBS_HTTP_GAP_LOST_ALIGNMENT);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 2);
	ck_assert(!netobs_http_conn_active(&conn));
	conn_teardown();

	/* A body until close takes any gap; the end completes it. */
	conn_setup(80, NULL);
	feed_req("GET /stream HTTP/1.0\r\n\r\n", 1);
	feed_resp("HTTP/1.0 200 OK\r\n\r\nbody", 2);
	ck_assert_int_eq(netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_RESPONSE, 1ULL << 40,
					      record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_RESPONSE, record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 0);
	conn_teardown();
}
END_TEST

START_TEST(test_pipeline_overflow_orphan_unanswered)
{
	const int sent = NETOBS_HTTP_PIPELINE_MAX + 2;

	conn_setup(80, NULL);
	ck_assert_int_eq(feed_resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 1),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(seen[0].ev.outcome, NETOBS_HTTP_ORPHAN_RESPONSE);
	ck_assert(!seen[0].has_request);

	for (int i = 0; i < sent; i++) {
		char req[64];

		snprintf(req, sizeof(req), "GET /%d HTTP/1.1\r\nHost: h\r\n\r\n", i);
		feed_req(req, 10);
	}
	for (int i = 0; i < sent; i++)
		feed_resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 20);
	for (int i = 0; i < sent; i++) {
		const struct seen_event *r = nth(NETOBS_HTTP_EVENT_RESPONSE, 1 + i);
		char url[64];

		if (i < NETOBS_HTTP_PIPELINE_MAX) {
			snprintf(url, sizeof(url), "http://h/%d", i);
			ck_assert_int_eq(r->ev.outcome, NETOBS_HTTP_OK);
			ck_assert_str_eq(r->request.url, url);
		} else {
			ck_assert_int_eq(r->ev.outcome, NETOBS_HTTP_PIPELINE_OVERFLOW);
			ck_assert(!r->has_request);
		}
	}
	/* Drained: pairing resumes; then two requests go unanswered. */
	feed_req("GET /again HTTP/1.1\r\nHost: h\r\n\r\n", 30);
	feed_resp("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", 31);
	ck_assert_str_eq(seen[nseen - 1].request.url, "http://h/again");
	feed_req("GET /x HTTP/1.1\r\nHost: h\r\n\r\nGET /y HTTP/1.1\r\nHost: h\r\n\r\n", 40);
	nseen = 0;
	ck_assert_int_eq(netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_RESPONSE, record_event, NULL),
			 NETOBS_HTTP_OK);
	ck_assert_int_eq(nseen, 2);
	ck_assert_int_eq(seen[0].ev.outcome, NETOBS_HTTP_UNANSWERED);
	ck_assert_str_eq(seen[0].request.url, "http://h/x");
	ck_assert_str_eq(seen[1].request.url, "http://h/y");
	conn_teardown();
}
END_TEST

START_TEST(test_tunnels)
{
	static const unsigned char tls[] = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};

	conn_setup(3128, NULL);
	feed_req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 1);
	ck_assert_int_eq(feed_resp("HTTP/1.1 200 Connection established\r\n\r\n", 2),
			 NETOBS_HTTP_TUNNEL);
	ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, tls, sizeof(tls), 3,
					       record_event, NULL),
			 NETOBS_HTTP_TUNNEL);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 0);
	ck_assert_str_eq(nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->request.method, "CONNECT");
	conn_teardown();

	conn_setup(80, NULL);
	feed_req("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: "
		 "Upgrade\r\n\r\n",
		 1);
	ck_assert_str_eq(header_value(&seen[0].msg, "Upgrade"), "websocket");
	ck_assert_int_eq(feed_resp("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
				   "\x81\x05hello",
				   2),
			 NETOBS_HTTP_TUNNEL);
	ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 0);
	ck_assert(!netobs_http_conn_active(&conn));
	conn_teardown();
}
END_TEST

/* Offsets of each "HTTP/1.1 " status line: where the server's messages start. */
static int response_starts(const char *stream, size_t *starts, int max)
{
	int n = 0;

	for (const char *p = stream; (p = strstr(p, "HTTP/1.1 ")) && n < max; p++)
		starts[n++] = (size_t)(p - stream);
	return n;
}

START_TEST(test_real_curl_keepalive)
{
	static const char *const urls[] = {"http://127.0.0.1:18768/hello.txt",
					   "http://127.0.0.1:18768/sub/",
					   "http://127.0.0.1:18768/missing"};
	static const unsigned int codes[] = {200, 200, 404};
	static const uint64_t lengths[] = {18, 230, 335};
	size_t starts[4], total = strlen(python_responses);

	ck_assert_int_eq(response_starts(python_responses, starts, 4), 3);
	starts[3] = total;
	/* As the datapath will: the first 200 bytes of each segment, the rest a gap. */
	for (int gaps = 0; gaps < 2; gaps++) {
		conn_setup(18768, "127.0.0.1");
		ck_assert_int_eq(feed_req(curl_requests, 1000), NETOBS_HTTP_OK);
		for (int i = 0; i < 3; i++) {
			size_t len = starts[i + 1] - starts[i];
			size_t given = gaps && len > 200 ? 200 : len;

			ck_assert_int_eq(netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE,
							       python_responses + starts[i], given,
							       2000 + (uint64_t)i, record_event,
							       NULL),
					 NETOBS_HTTP_OK);
			ck_assert_int_eq(netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_RESPONSE,
							      len - given, record_event, NULL),
					 NETOBS_HTTP_OK);
		}
		netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_REQUEST, record_event, NULL);
		netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_RESPONSE, record_event, NULL);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_PROBLEM), 0);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_REQUEST), 3);
		ck_assert_int_eq(count_type(NETOBS_HTTP_EVENT_RESPONSE), 3);
		for (int i = 0; i < 3; i++) {
			const struct seen_event *q = nth(NETOBS_HTTP_EVENT_REQUEST, i);
			const struct seen_event *r = nth(NETOBS_HTTP_EVENT_RESPONSE, i);

			ck_assert_str_eq(q->msg.url, urls[i]);
			ck_assert_str_eq(header_value(&q->msg, "User-Agent"), "curl/7.88.1");
			ck_assert_str_eq(header_value(&q->msg, "Cookie"), NETOBS_HTTP_REDACTED);
			ck_assert_uint_eq(r->msg.code, codes[i]);
			ck_assert_uint_eq(r->msg.content_length, lengths[i]);
			ck_assert_str_eq(header_value(&r->msg, "Server"),
					 "SimpleHTTP/0.6 Python/3.11.7");
			ck_assert_str_eq(r->request.url, urls[i]);
			ck_assert_uint_eq(r->ev.latency_ns, 1000 + (uint64_t)i);
		}
		ck_assert_str_eq(
			header_value(&nth(NETOBS_HTTP_EVENT_RESPONSE, 0)->msg, "Content-type"),
			"text/plain");
		conn_teardown();
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("http_stream");
	TCase *tc = tcase_create("http_stream");

	tcase_add_test(tc, test_post_body_skipped);
	tcase_add_test(tc, test_chunked_every_split);
	tcase_add_test(tc, test_chunked_byte_by_byte);
	tcase_add_test(tc, test_bad_chunks);
	tcase_add_test(tc, test_keep_alive_three);
	tcase_add_test(tc, test_pipelining);
	tcase_add_test(tc, test_head_304_204_interim);
	tcase_add_test(tc, test_gaps);
	tcase_add_test(tc, test_pipeline_overflow_orphan_unanswered);
	tcase_add_test(tc, test_tunnels);
	tcase_add_test(tc, test_real_curl_keepalive);
	suite_add_tcase(s, tc);
	return s;
}
