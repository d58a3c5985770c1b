// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * HTTP/1.x decoder: heads, body framing across slices and gaps, request and
 * response pairing, and what must never be reported as HTTP. Every expected
 * value is written out here, next to the bytes that carry it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_vectors.h"

Suite *netobs_test_suite(void);

#define MAX_SEEN 40

/* A copy of each event the decoder reported, in order. */
struct seen_event {
	struct netobs_http_event ev;
	struct netobs_http_message msg;
	struct netobs_http_pending request;
	bool has_msg, has_request;
};

static struct seen_event seen[MAX_SEEN];
static int nseen;

static void record_event(const struct netobs_http_event *ev, void *ctx)
{
	struct seen_event *s;

	(void)ctx;
	ck_assert_int_lt(nseen, MAX_SEEN);
	s = &seen[nseen++];
	memset(s, 0, sizeof(*s));
	s->ev = *ev;
	if (ev->msg) {
		s->msg = *ev->msg;
		s->has_msg = true;
	}
	if (ev->request) {
		s->request = *ev->request;
		s->has_request = true;
	}
}

static struct netobs_http_conn conn;

static void conn_setup(uint16_t port, const char *server_host)
{
	nseen = 0;
	netobs_http_conn_init(&conn, port, server_host);
}

static void conn_teardown(void)
{
	netobs_http_conn_free(&conn);
}

static enum netobs_http_outcome feed(enum netobs_http_dir dir, const char *bytes, uint64_t t)
{
	return netobs_http_conn_feed(&conn, dir, bytes, strlen(bytes), t, record_event, NULL);
}

static enum netobs_http_outcome feed_req(const char *bytes, uint64_t t)
{
	return feed(NETOBS_HTTP_DIR_REQUEST, bytes, t);
}

static enum netobs_http_outcome feed_resp(const char *bytes, uint64_t t)
{
	return feed(NETOBS_HTTP_DIR_RESPONSE, bytes, t);
}

static int count_type(enum netobs_http_event_type type)
{
	int n = 0;

	for (int i = 0; i < nseen; i++)
		n += seen[i].ev.type == type;
	return n;
}

/* The i-th event of a type. */
static const struct seen_event *nth(enum netobs_http_event_type type, int i)
{
	for (int k = 0; k < nseen; k++)
		if (seen[k].ev.type == type && !i--)
			return &seen[k];
	ck_abort_msg("no event %d of type %d (%d events)", i, type, nseen);
	return NULL;
}

static const char *header_value(const struct netobs_http_message *msg, const char *key)
{
	for (uint32_t i = 0; i < msg->header_count; i++)
		if (!strcmp(msg->headers[i].key, key))
			return msg->headers[i].value;
	return NULL;
}

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
	ck_assert_str_eq(seen[1].msg.url, "http://example.org:3128/");
	feed_req("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 3);
	ck_assert_str_eq(seen[2].msg.url, "example.com:443");
	ck_assert_str_eq(seen[2].msg.path, "");
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
	tcase_add_test(tc, test_post_body_skipped);
	tcase_add_test(tc, test_chunked_every_split);
	tcase_add_test(tc, test_chunked_byte_by_byte);
	tcase_add_test(tc, test_bad_chunks);
	tcase_add_test(tc, test_keep_alive_three);
	tcase_add_test(tc, test_pipelining);
	tcase_add_test(tc, test_request_line_every_split);
	tcase_add_test(tc, test_never_http);
	tcase_add_test(tc, test_incomplete_request_line);
	tcase_add_test(tc, test_head_304_204_interim);
	tcase_add_test(tc, test_absolute_form_and_hosts);
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_head_bounds);
	tcase_add_test(tc, test_header_folding_and_errors);
	tcase_add_test(tc, test_gaps);
	tcase_add_test(tc, test_pipeline_overflow_orphan_unanswered);
	tcase_add_test(tc, test_tunnels);
	tcase_add_test(tc, test_real_curl_keepalive);
	tcase_add_test(tc, test_outcome_names);
	suite_add_tcase(s, tc);
	return s;
}
