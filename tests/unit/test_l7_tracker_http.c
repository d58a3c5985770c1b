// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 tracker's HTTP: slices of both directions of a connection, as the
 * datapath copies them (a message's first segment and a few after it), turn
 * into request and response records with latency; bodies never copied are
 * skipped by their sequence numbers, retransmissions trimmed, a lost
 * alignment found again at the next message start, unanswered requests
 * reported when the connection ends.
 */
#include "l7_tracker_test.h"

Suite *netobs_test_suite(void);

#define T0	 (200 * SEC)
#define REQ_ISN	 1000u
#define RESP_ISN 900000u

struct conn {
	struct l7_tracker *t;
	struct recorder rec;
	struct netobs_flow_key req_key, resp_key;
	uint32_t req_seq, resp_seq; /* next byte of each direction */
};

/* client 10.0.0.1:47000 -> server 10.0.0.2:80, both directions seen on ifindex 3 */
static void conn_init(struct conn *c, const struct l7_tracker_config *cfg, uint16_t client_port)
{
	memset(c, 0, sizeof(*c));
	c->t = tracker_new(cfg);
	c->req_key = flow_key("10.0.0.1", client_port, "10.0.0.2", 80, IPPROTO_TCP, 3,
			      NETOBS_HOOK_TC_INGRESS);
	c->resp_key = key_reversed(&c->req_key, NETOBS_HOOK_TC_EGRESS);
	c->req_seq = REQ_ISN;
	c->resp_seq = RESP_ISN;
}

/* A segment of `wire` bytes whose first `captured` are `text`'s; the sequence moves on by wire. */
static void send_seg(struct conn *c, bool response, int hint, const char *text, uint32_t captured,
		     uint32_t wire, uint16_t flags, uint64_t ts)
{
	uint32_t *seq = response ? &c->resp_seq : &c->req_seq;

	feed(c->t, &c->rec, response ? &c->resp_key : &c->req_key, hint, *seq, text, captured, wire,
	     flags | NETOBS_TCP_ACK, ts);
	*seq += wire;
}

static void send_text(struct conn *c, bool response, int hint, const char *text, uint64_t ts)
{
	uint32_t n = (uint32_t)strlen(text);

	send_seg(c, response, hint, text, n, n, NETOBS_TCP_PSH, ts);
}

#define START NETOBS_L7_HINT_HTTP_START
#define CONT  NETOBS_L7_HINT_HTTP_CONT

static const struct netobs_l7 *record(struct conn *c, unsigned int i)
{
	ck_assert_msg(i < c->rec.count, "record %u of %u", i, c->rec.count);
	return &c->rec.rec[i].l7;
}

static void assert_request(struct conn *c, unsigned int i, const char *method, const char *url)
{
	const struct netobs_l7 *r = record(c, i);

	ck_assert_int_eq(r->type, NETOBS_L7_REQUEST);
	ck_assert_int_eq(r->kind, NETOBS_L7_HTTP);
	ck_assert_str_eq(r->http.method, method);
	ck_assert_str_eq(r->http.url, url);
	ck_assert(!memcmp(&c->rec.rec[i].key, &c->req_key, sizeof(c->req_key)));
}

static void assert_response(struct conn *c, unsigned int i, unsigned int code, const char *method,
			    const char *url, uint64_t latency)
{
	const struct netobs_l7 *r = record(c, i);

	ck_assert_int_eq(r->type, NETOBS_L7_RESPONSE);
	ck_assert_int_eq(r->kind, NETOBS_L7_HTTP);
	ck_assert_uint_eq(r->http.code, code);
	ck_assert_str_eq(r->http.method, method);
	ck_assert_str_eq(r->http.url, url);
	ck_assert_uint_eq(r->latency_ns, latency);
	ck_assert(!memcmp(&c->rec.rec[i].key, &c->resp_key, sizeof(c->resp_key)));
}

static void conn_done(struct conn *c)
{
	ck_assert_uint_eq(c->rec.dropped, 0);
	l7_tracker_free(c->t);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: web\r\nUser-Agent: curl/8\r\n\r\n"
#define OK_LEN(n) "HTTP/1.1 200 OK\r\nContent-Length: " #n "\r\n\r\n"

/* 10000-byte body: the head and 100 bytes are copied, the rest is a sequence jump. */
START_TEST(test_get_200_body_skipped_by_seq)
{
	static const char head[] = OK_LEN(10000);
	char seg[sizeof(head) + 100];
	struct conn c;

	conn_init(&c, NULL, 47000);
	memset(seg, 'x', sizeof(seg));
	memcpy(seg, head, sizeof(head) - 1);
	send_text(&c, false, START, GET("/a"), T0);
	send_seg(&c, true, START, seg, sizeof(head) - 1 + 100, 1448, NETOBS_TCP_PSH, T0 + 3 * MSEC);
	c.resp_seq += 10000 - (1448 - (sizeof(head) - 1)); /* body segments never copied */
	send_text(&c, false, START, GET("/b"), T0 + 10 * MSEC);
	send_text(&c, true, START, OK_LEN(0), T0 + 11 * MSEC);

	ck_assert_uint_eq(c.rec.count, 4);
	assert_request(&c, 0, "GET", "http://web/a");
	ck_assert_str_eq(record(&c, 0)->http.protocol, "HTTP/1.1");
	ck_assert_uint_eq(record(&c, 0)->http.headers_len, 2);
	ck_assert_str_eq(record(&c, 0)->http.headers[0].key, "Host");
	ck_assert_str_eq(record(&c, 0)->http.headers[0].value, "web");
	ck_assert_str_eq(record(&c, 0)->http.headers[1].key, "User-Agent");
	ck_assert_str_eq(record(&c, 0)->http.headers[1].value, "curl/8");
	ck_assert_uint_eq(c.rec.rec[0].ts_ns, T0);
	assert_response(&c, 1, 200, "GET", "http://web/a", 3 * MSEC);
	ck_assert_uint_eq(c.rec.rec[1].ts_ns, T0 + 3 * MSEC);
	assert_request(&c, 2, "GET", "http://web/b");
	assert_response(&c, 3, 200, "GET", "http://web/b", 1 * MSEC);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems, 0);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_requests, 2);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_responses, 2);
	conn_done(&c);
}
END_TEST

/* A slice the datapath cut (captured < wire): the rest is a gap inside the body. */
START_TEST(test_capture_cut_slice)
{
	static const char head[] = OK_LEN(3000);
	char seg[NETOBS_L7_SLICE_MAX];
	struct conn c;

	conn_init(&c, NULL, 47000);
	memset(seg, 'y', sizeof(seg));
	memcpy(seg, head, sizeof(head) - 1);
	send_text(&c, false, START, GET("/big"), T0);
	send_seg(&c, true, START, seg, sizeof(seg), (uint32_t)(sizeof(head) - 1 + 3000), 0, T0 + 1);
	send_text(&c, false, START, GET("/next"), T0 + 2);
	send_text(&c, true, START, OK_LEN(0), T0 + 3);
	ck_assert_uint_eq(c.rec.count, 4);
	assert_response(&c, 3, 200, "GET", "http://web/next", 1);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems, 0);
	conn_done(&c);
}
END_TEST

START_TEST(test_keep_alive_three_requests)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	for (int i = 0; i < 3; i++) {
		send_text(&c, false, START, GET("/k"), T0 + (uint64_t)i * SEC);
		send_text(&c, true, START, OK_LEN(2) "hi", T0 + (uint64_t)i * SEC + 5 + i);
	}
	ck_assert_uint_eq(c.rec.count, 6);
	for (unsigned int i = 0; i < 3; i++) {
		assert_request(&c, 2 * i, "GET", "http://web/k");
		assert_response(&c, 2 * i + 1, 200, "GET", "http://web/k", 5 + i);
	}
	conn_done(&c);
}
END_TEST

START_TEST(test_pipelined)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_text(&c, false, START, GET("/one") GET("/two"), T0);
	send_text(&c, true, START,
		  OK_LEN(1) "1"
			    "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		  T0 + 7);
	ck_assert_uint_eq(c.rec.count, 4);
	assert_request(&c, 0, "GET", "http://web/one");
	assert_request(&c, 1, "GET", "http://web/two");
	assert_response(&c, 2, 200, "GET", "http://web/one", 7);
	assert_response(&c, 3, 404, "GET", "http://web/two", 7);
	conn_done(&c);
}
END_TEST

/* A request line over two segments is decoded once whole, with the first one's time. */
START_TEST(test_request_line_split)
{
	static const char req[] = GET("/split");
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_seg(&c, false, START, req, 9, 9, 0, T0);
	ck_assert_uint_eq(c.rec.count, 0);
	send_seg(&c, false, CONT, req + 9, sizeof(req) - 10, sizeof(req) - 10, NETOBS_TCP_PSH,
		 T0 + 50);
	ck_assert_uint_eq(c.rec.count, 1);
	assert_request(&c, 0, "GET", "http://web/split");
	ck_assert_uint_eq(c.rec.rec[0].ts_ns, T0);
	conn_done(&c);
}
END_TEST

/* Its second piece never seen: nothing is guessed, the next message start is decoded. */
START_TEST(test_request_split_second_missing)
{
	static const char req[] = GET("/lost");
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_seg(&c, false, START, req, 9, 9, 0, T0);
	c.req_seq += sizeof(req) - 10; /* the rest of the head went by uncopied */
	ck_assert_uint_eq(c.rec.count, 0);
	send_text(&c, false, START, GET("/after"), T0 + 100);
	ck_assert_uint_eq(c.rec.count, 1);
	assert_request(&c, 0, "GET", "http://web/after");
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems_by[NETOBS_HTTP_GAP_LOST_ALIGNMENT],
			  1);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_resyncs, 1);
	conn_done(&c);
}
END_TEST

#define CHUNKED "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\nzzzz"

/* A chunked body not copied loses the response side; the next response start restarts it. */
START_TEST(test_chunked_resync)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_text(&c, false, START, GET("/c1"), T0);
	send_seg(&c, true, START, CHUNKED, sizeof(CHUNKED) - 1, 1400, 0, T0 + 1);
	c.resp_seq += 5000; /* the rest of the chunks: where the next response starts is unknown */
	send_text(&c, false, START, GET("/c2"), T0 + 10);
	send_text(&c, true, START, OK_LEN(0), T0 + 12);
	ck_assert_uint_eq(c.rec.count, 4);
	assert_response(&c, 1, 200, "GET", "http://web/c1", 1);
	assert_response(&c, 3, 200, "GET", "http://web/c2", 2);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_resyncs, 1);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_resync_dropped, 0);
	conn_done(&c);
}
END_TEST

/* Two requests outstanding at a resync: which one the next response answers is unknowable. */
START_TEST(test_resync_with_two_outstanding)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_text(&c, false, START, GET("/c1"), T0);
	send_seg(&c, true, START, CHUNKED, sizeof(CHUNKED) - 1, 1400, 0, T0 + 1);
	c.resp_seq += 5000;
	send_text(&c, false, START, GET("/c2") GET("/c3"), T0 + 10);
	send_text(&c, true, START, OK_LEN(0), T0 + 12);
	ck_assert_uint_eq(c.rec.count, 5);
	assert_response(&c, 4, 200, "", "", 0);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_resync_dropped, 2);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems_by[NETOBS_HTTP_ORPHAN_RESPONSE], 1);
	/* dropped, neither answered nor reported unanswered */
	l7_tracker_flush(c.t, recorder_add, &c.rec);
	ck_assert_uint_eq(c.rec.count, 5);
	conn_done(&c);
}
END_TEST

START_TEST(test_retransmission_trimmed)
{
	static const char req[] = GET("/r");
	struct conn c;
	uint32_t isn;

	conn_init(&c, NULL, 47000);
	isn = c.req_seq;
	send_text(&c, false, START, req, T0);
	/* the same segment again */
	c.req_seq = isn;
	send_text(&c, false, START, req, T0 + 1);
	ck_assert_uint_eq(c.rec.count, 1);
	/* overlapping: the old bytes and the next request */
	c.req_seq = isn + 10;
	{
		char both[256];

		snprintf(both, sizeof(both), "%s%s", req + 10, GET("/s"));
		send_text(&c, false, START, both, T0 + 2);
	}
	ck_assert_uint_eq(c.rec.count, 2);
	assert_request(&c, 1, "GET", "http://web/s");
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems, 0);
	conn_done(&c);
}
END_TEST

/* TLS on port 80, flagged as a start by mistake: not HTTP, counted, then free of cost. */
START_TEST(test_tls_not_http)
{
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_seg(&c, false, START, tls, sizeof(tls) - 1, 517, 0, T0);
	send_seg(&c, false, CONT, tls, sizeof(tls) - 1, 100, 0, T0 + 1);
	ck_assert_uint_eq(c.rec.count, 0);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_problems_by[NETOBS_HTTP_NOT_HTTP], 1);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->slices_ignored, 1);
	conn_done(&c);
}
END_TEST

START_TEST(test_fin_with_outstanding_request)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_text(&c, false, START, GET("/slow"), T0);
	/* the client half-closes: the response may still come */
	l7_tracker_tcp_end(c.t, &c.req_key, NETOBS_TCP_FIN, T0 + 1, recorder_add, &c.rec);
	ck_assert_uint_eq(c.rec.count, 1);
	/* the server closes without answering */
	send_seg(&c, true, CONT, "", 0, 0, NETOBS_TCP_FIN, T0 + 2);
	ck_assert_uint_eq(c.rec.count, 2);
	ck_assert_int_eq(record(&c, 1)->type, NETOBS_L7_REQUEST);
	ck_assert_uint_eq(record(&c, 1)->flags, NETOBS_L7_F_UNANSWERED);
	ck_assert_str_eq(record(&c, 1)->http.method, "GET");
	ck_assert_str_eq(record(&c, 1)->http.url, "http://web/slow");
	ck_assert_str_eq(record(&c, 1)->http.protocol, "HTTP/1.1");
	ck_assert_uint_eq(c.rec.rec[1].ts_ns, T0);
	ck_assert(!memcmp(&c.rec.rec[1].key, &c.req_key, sizeof(c.req_key)));
	ck_assert_uint_eq(l7_tracker_stats(c.t)->http_unanswered, 1);
	/* both ended: the entry is gone, a later segment starts nothing (the
	 * empty FIN segment before was ignored too: that side had not started) */
	send_seg(&c, true, CONT, "x", 1, 1, 0, T0 + 3);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->slices_ignored, 2);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->conns, 1);
	conn_done(&c);
}
END_TEST

START_TEST(test_rst_and_idle_report_unanswered)
{
	struct l7_tracker_config cfg = {.conn_idle_ns = 10 * SEC};
	struct conn c;

	conn_init(&c, &cfg, 47000);
	send_text(&c, false, START, GET("/rst"), T0);
	l7_tracker_tcp_end(c.t, &c.resp_key, NETOBS_TCP_RST, T0 + 1, recorder_add, &c.rec);
	ck_assert_uint_eq(c.rec.count, 2);
	ck_assert_uint_eq(record(&c, 1)->flags, NETOBS_L7_F_UNANSWERED);

	send_text(&c, false, START, GET("/idle"), T0 + 2);
	l7_tracker_expire(c.t, T0 + 2 + 10 * SEC - 1, recorder_add, &c.rec);
	ck_assert_uint_eq(c.rec.count, 3);
	l7_tracker_expire(c.t, T0 + 2 + 10 * SEC, recorder_add, &c.rec);
	ck_assert_uint_eq(c.rec.count, 4);
	ck_assert_str_eq(record(&c, 3)->http.url, "http://web/idle");
	ck_assert_uint_eq(record(&c, 3)->flags, NETOBS_L7_F_UNANSWERED);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->conns_idle, 1);
	conn_done(&c);
}
END_TEST

START_TEST(test_conn_table_full)
{
	struct l7_tracker_config cfg = {.max_conns = 1};
	struct conn c, d;

	conn_init(&c, &cfg, 47000);
	conn_init(&d, NULL, 47001);
	send_text(&c, false, START, GET("/first"), T0);
	/* a second connection, same tracker */
	feed(c.t, &c.rec, &d.req_key, START, 1, GET("/second"), sizeof(GET("/second")) - 1,
	     sizeof(GET("/second")) - 1, 0, T0 + 1);
	ck_assert_uint_eq(c.rec.count, 1);
	assert_request(&c, 0, "GET", "http://web/first");
	ck_assert_uint_eq(l7_tracker_stats(c.t)->conns, 1);
	ck_assert_uint_eq(l7_tracker_stats(c.t)->conns_full, 1);
	conn_done(&c);
	conn_done(&d);
}
END_TEST

/* The server speaks first in this view (the request was missed): roles still right. */
START_TEST(test_response_first_sets_roles)
{
	struct conn c;

	conn_init(&c, NULL, 47000);
	send_text(&c, true, START, OK_LEN(0), T0);
	send_text(&c, false, START, GET("/x"), T0 + 1);
	send_text(&c, true, START, OK_LEN(0), T0 + 4);
	ck_assert_uint_eq(c.rec.count, 3);
	assert_response(&c, 0, 200, "", "", 0);
	assert_request(&c, 1, "GET", "http://web/x");
	assert_response(&c, 2, 200, "GET", "http://web/x", 3);
	conn_done(&c);
}
END_TEST

/* The server's FIN seen, the client's missed: the same ports again are a new connection. */
START_TEST(test_port_reuse_after_fin)
{
	static const char again[] = GET("/again");
	struct conn c;
	uint32_t fin_seq;

	conn_init(&c, NULL, 47000);
	send_text(&c, false, START, GET("/one"), T0);
	fin_seq = c.req_seq;
	send_seg(&c, false, CONT, "", 0, 0, NETOBS_TCP_FIN, T0 + 1);
	/* the FIN segment again (with nothing new), then a new connection's request */
	c.req_seq = fin_seq;
	send_seg(&c, false, START, "", 0, 0, NETOBS_TCP_FIN, T0 + 2);
	c.req_seq = 77777777;
	send_text(&c, false, START, again, T0 + 3);
	ck_assert_uint_eq(c.rec.count, 3);
	assert_request(&c, 0, "GET", "http://web/one");
	/* the first connection ended: its request is unanswered */
	ck_assert_uint_eq(record(&c, 1)->flags, NETOBS_L7_F_UNANSWERED);
	assert_request(&c, 2, "GET", "http://web/again");
	ck_assert_uint_eq(l7_tracker_stats(c.t)->conns, 2);
	conn_done(&c);
}
END_TEST

static void count_events(const struct netobs_http_event *ev, void *ctx)
{
	(void)ev;
	(*(unsigned int *)ctx)++;
}

/* lib/http.c's restart: only after a lost alignment; NOT_HTTP stays stopped. */
START_TEST(test_http_conn_restart_rules)
{
	static const char tls[] = "\x16\x03\x01";
	static const char req[] = GET("/a");
	struct netobs_http_conn conn;
	unsigned int events = 0;

	netobs_http_conn_init(&conn, 80, NULL);
	ck_assert_int_eq(netobs_http_conn_restart(&conn, NETOBS_HTTP_DIR_REQUEST), -1);
	netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, tls, 3, 1, count_events, &events);
	ck_assert_int_eq(netobs_http_conn_outcome(&conn, NETOBS_HTTP_DIR_REQUEST),
			 NETOBS_HTTP_NOT_HTTP);
	ck_assert_int_eq(netobs_http_conn_restart(&conn, NETOBS_HTTP_DIR_REQUEST), -1);
	ck_assert_int_eq(netobs_http_conn_outcome(&conn, NETOBS_HTTP_DIR_REQUEST),
			 NETOBS_HTTP_NOT_HTTP);

	/* the response side loses its place with three requests outstanding */
	netobs_http_conn_free(&conn);
	netobs_http_conn_init(&conn, 80, NULL);
	for (int i = 0; i < 3; i++)
		netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_REQUEST, req, sizeof(req) - 1, 1,
				      count_events, &events);
	netobs_http_conn_feed(&conn, NETOBS_HTTP_DIR_RESPONSE, "HTTP/1.1 2", 10, 2, count_events,
			      &events);
	netobs_http_conn_gap(&conn, NETOBS_HTTP_DIR_RESPONSE, 100, count_events, &events);
	ck_assert_int_eq(netobs_http_conn_outcome(&conn, NETOBS_HTTP_DIR_RESPONSE),
			 NETOBS_HTTP_GAP_LOST_ALIGNMENT);
	ck_assert_int_eq(netobs_http_conn_restart(&conn, NETOBS_HTTP_DIR_RESPONSE), 3);
	ck_assert_int_eq(netobs_http_conn_outcome(&conn, NETOBS_HTTP_DIR_RESPONSE), NETOBS_HTTP_OK);
	ck_assert_uint_eq(conn.pending_count, 0);
	/* nothing left to report unanswered */
	events = 0;
	netobs_http_conn_end(&conn, NETOBS_HTTP_DIR_RESPONSE, count_events, &events);
	ck_assert_uint_eq(events, 0);
	netobs_http_conn_free(&conn);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("l7_tracker_http");
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, test_get_200_body_skipped_by_seq);
	tcase_add_test(tc, test_capture_cut_slice);
	tcase_add_test(tc, test_keep_alive_three_requests);
	tcase_add_test(tc, test_pipelined);
	tcase_add_test(tc, test_request_line_split);
	tcase_add_test(tc, test_request_split_second_missing);
	tcase_add_test(tc, test_chunked_resync);
	tcase_add_test(tc, test_resync_with_two_outstanding);
	tcase_add_test(tc, test_retransmission_trimmed);
	tcase_add_test(tc, test_tls_not_http);
	tcase_add_test(tc, test_fin_with_outstanding_request);
	tcase_add_test(tc, test_rst_and_idle_report_unanswered);
	tcase_add_test(tc, test_conn_table_full);
	tcase_add_test(tc, test_response_first_sets_roles);
	tcase_add_test(tc, test_http_conn_restart_rules);
	tcase_add_test(tc, test_port_reuse_after_fin);
	suite_add_tcase(s, tc);
	return s;
}
