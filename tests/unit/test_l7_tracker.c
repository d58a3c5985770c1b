// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The L7 tracker's DNS: requests and responses over UDP and TCP become
 * records, responses pair with their request's observation (same interface
 * first) for latency_ns, requests unanswered within the timeout are reported
 * so, full tables and malformed messages are counted, answers name addresses.
 * HTTP is in test_l7_tracker_http.c.
 */
#include "l7_tracker_test.h"

Suite *netobs_test_suite(void);

#define T0 (100 * SEC)

/* client 10.0.0.1:40000 asks 10.0.0.53:53; seen at (ifindex, hook). */
static struct netobs_flow_key query_key(int proto, uint32_t ifindex, int hook)
{
	return flow_key("10.0.0.1", 40000, "10.0.0.53", 53, proto, ifindex, hook);
}

static struct netobs_flow_key answer_key(int proto, uint32_t ifindex, int hook)
{
	return flow_key("10.0.0.53", 53, "10.0.0.1", 40000, proto, ifindex, hook);
}

static void build_query(struct dnsb *b, uint16_t id, const char *name)
{
	dnsb_start(b, id, false, 0, 0, name, 1);
}

/* www.example.com. CNAME edge.example.net. (ttl 300), A 93.184.216.34 (ttl 60) */
static void build_answer(struct dnsb *b, uint16_t id)
{
	dnsb_start(b, id, true, 0, 2, "www.example.com", 1);
	dnsb_cname(b, 300, "edge.example.net");
	dnsb_a(b, 60, "93.184.216.34");
}

static void feed_udp(struct l7_tracker *t, struct recorder *rec, const struct netobs_flow_key *key,
		     const struct dnsb *b, uint64_t ts)
{
	feed(t, rec, key, NETOBS_L7_HINT_DNS, 0, b->buf, (uint32_t)b->len, (uint32_t)b->len, 0, ts);
}

START_TEST(test_udp_request_response_same_ifindex)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct recorder rec = {0};
	const struct netobs_l7_dns *dns;
	struct dnsb b;
	uint8_t ip[4];

	build_query(&b, 0x1234, "www.example.com");
	feed_udp(t, &rec, &q, &b, T0);
	build_answer(&b, 0x1234);
	feed_udp(t, &rec, &a, &b, T0 + 1500000);

	ck_assert_uint_eq(rec.count, 2);
	ck_assert_int_eq(rec.rec[0].l7.type, NETOBS_L7_REQUEST);
	ck_assert_int_eq(rec.rec[0].l7.kind, NETOBS_L7_DNS);
	ck_assert_str_eq(rec.rec[0].l7.dns.query, "www.example.com.");
	ck_assert_uint_eq(rec.rec[0].l7.dns.qtypes_len, 1);
	ck_assert_uint_eq(rec.rec[0].l7.dns.qtypes[0], 1);
	ck_assert_uint_eq(rec.rec[0].ts_ns, T0);
	ck_assert(!memcmp(&rec.rec[0].key, &q, sizeof(q)));
	ck_assert_uint_eq(rec.rec[0].l7.flags, 0);

	dns = &rec.rec[1].l7.dns;
	ck_assert_int_eq(rec.rec[1].l7.type, NETOBS_L7_RESPONSE);
	ck_assert_uint_eq(rec.rec[1].l7.latency_ns, 1500000);
	ck_assert(!memcmp(&rec.rec[1].key, &a, sizeof(a)));
	ck_assert_str_eq(dns->query, "www.example.com.");
	ck_assert_uint_eq(dns->ips_len, 1);
	inet_pton(AF_INET, "93.184.216.34", ip);
	ck_assert_int_eq(dns->ips[0].family, AF_INET);
	ck_assert(!memcmp(dns->ips[0].addr, ip, 4));
	ck_assert_uint_eq(dns->ttl, 60);
	ck_assert_uint_eq(dns->cnames_len, 1);
	ck_assert_str_eq(dns->cnames[0], "edge.example.net.");
	ck_assert_uint_eq(dns->rrtypes_len, 2);
	ck_assert_uint_eq(dns->rrtypes[0], 5);
	ck_assert_uint_eq(dns->rrtypes[1], 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_requests, 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_responses, 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 0);

	/* answered: nothing left to report at the timeout */
	l7_tracker_expire(t, T0 + 60 * SEC, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 2);
	l7_tracker_free(t);
}
END_TEST

/* A response seen on another interface than its request still pairs (the earliest). */
START_TEST(test_udp_across_ifindexes)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 7, NETOBS_HOOK_TC_INGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 7, "a.test");
	feed_udp(t, &rec, &q, &b, T0);
	build_answer(&b, 7);
	feed_udp(t, &rec, &a, &b, T0 + 2 * MSEC);
	ck_assert_uint_eq(rec.count, 2);
	ck_assert_uint_eq(rec.rec[1].l7.latency_ns, 2 * MSEC);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 0);
	l7_tracker_free(t);
}
END_TEST

/*
 * The request seen leaving the client (ifindex 5) and entering the server
 * (ifindex 7); the response entering 7 then leaving 5: each pairs with the
 * request observed on its own interface.
 */
START_TEST(test_udp_two_hooks_pair_by_ifindex)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q5 = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key q7 = query_key(IPPROTO_UDP, 7, NETOBS_HOOK_TC_EGRESS);
	struct netobs_flow_key a7 = answer_key(IPPROTO_UDP, 7, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key a5 = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 99, "a.test");
	feed_udp(t, &rec, &q5, &b, T0);
	feed_udp(t, &rec, &q7, &b, T0 + 100);
	build_answer(&b, 99);
	feed_udp(t, &rec, &a7, &b, T0 + 300);
	feed_udp(t, &rec, &a5, &b, T0 + 400);
	ck_assert_uint_eq(rec.count, 4);
	ck_assert_uint_eq(rec.rec[2].key.ifindex, 7);
	ck_assert_uint_eq(rec.rec[2].l7.latency_ns, 200);
	ck_assert_uint_eq(rec.rec[3].key.ifindex, 5);
	ck_assert_uint_eq(rec.rec[3].l7.latency_ns, 400);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 0);
	l7_tracker_expire(t, T0 + 60 * SEC, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 4);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unanswered, 0);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_udp_unanswered_after_timeout)
{
	struct l7_tracker_config cfg = {.dns_timeout_ns = 2 * SEC};
	struct l7_tracker *t = tracker_new(&cfg);
	struct netobs_flow_key q5 = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key q7 = query_key(IPPROTO_UDP, 7, NETOBS_HOOK_TC_EGRESS);
	struct netobs_flow_key a5;
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 42, "lost.test");
	feed_udp(t, &rec, &q5, &b, T0);
	feed_udp(t, &rec, &q7, &b, T0 + 500 * MSEC);
	ck_assert_uint_eq(rec.count, 2);

	l7_tracker_expire(t, T0 + 2 * SEC - 1, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 2); /* not before */
	l7_tracker_expire(t, T0 + 2 * SEC, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 3); /* the first observation only */
	ck_assert_int_eq(rec.rec[2].l7.type, NETOBS_L7_REQUEST);
	ck_assert_uint_eq(rec.rec[2].l7.flags, NETOBS_L7_F_UNANSWERED);
	ck_assert_uint_eq(rec.rec[2].l7.latency_ns, 0);
	ck_assert_str_eq(rec.rec[2].l7.dns.query, "lost.test.");
	ck_assert_uint_eq(rec.rec[2].l7.dns.qtypes_len, 1);
	ck_assert_uint_eq(rec.rec[2].ts_ns, T0);
	ck_assert(!memcmp(&rec.rec[2].key, &q5, sizeof(q5)));
	l7_tracker_expire(t, T0 + 2 * SEC + 500 * MSEC, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 4);
	ck_assert_uint_eq(rec.rec[3].ts_ns, T0 + 500 * MSEC);
	ck_assert(!memcmp(&rec.rec[3].key, &q7, sizeof(q7)));
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unanswered, 2);

	/* reported once, then forgotten: a late answer is unmatched */
	l7_tracker_expire(t, T0 + 10 * SEC, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 4);
	build_answer(&b, 42);
	a5 = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	feed_udp(t, &rec, &a5, &b, T0 + 11 * SEC);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 1);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_udp_flush_reports_waiting)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 1, "a.test");
	feed_udp(t, &rec, &q, &b, T0);
	l7_tracker_flush(t, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 2);
	ck_assert_uint_eq(rec.rec[1].l7.flags, NETOBS_L7_F_UNANSWERED);
	l7_tracker_free(t);
}
END_TEST

/* The same query sent twice past one hook is one observation: latency from the first send. */
START_TEST(test_udp_retransmitted_query_one_observation)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 77, "again.test");
	feed_udp(t, &rec, &q, &b, T0);
	feed_udp(t, &rec, &q, &b, T0 + SEC);
	build_answer(&b, 77);
	feed_udp(t, &rec, &a, &b, T0 + SEC + 10);
	ck_assert_uint_eq(rec.count, 3);
	ck_assert_uint_eq(rec.rec[2].l7.latency_ns, SEC + 10);
	/* nothing left waiting */
	l7_tracker_flush(t, recorder_add, &rec);
	ck_assert_uint_eq(rec.count, 3);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unanswered, 0);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_udp_pending_full_counted)
{
	struct l7_tracker_config cfg = {.max_dns_pending = 2};
	struct l7_tracker *t = tracker_new(&cfg);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	for (uint16_t id = 1; id <= 3; id++) {
		build_query(&b, id, "a.test");
		feed_udp(t, &rec, &q, &b, T0 + id);
	}
	ck_assert_uint_eq(rec.count, 3); /* every request is still reported */
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_pending_full, 1);
	for (uint16_t id = 1; id <= 3; id++) {
		build_answer(&b, id);
		feed_udp(t, &rec, &a, &b, T0 + 1000);
	}
	ck_assert_uint_eq(rec.count, 6);
	ck_assert_uint_eq(rec.rec[3].l7.latency_ns, 999);
	ck_assert_uint_eq(rec.rec[4].l7.latency_ns, 998);
	ck_assert_uint_eq(rec.rec[5].l7.latency_ns, 0);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 1);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_udp_unmatched_response)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct recorder rec = {0};
	struct dnsb b;

	/* a request with another id is no match */
	build_query(&b, 10, "www.example.com");
	feed_udp(t, &rec, &q, &b, T0);
	build_answer(&b, 11);
	feed_udp(t, &rec, &a, &b, T0 + 10);
	ck_assert_uint_eq(rec.count, 2);
	ck_assert_int_eq(rec.rec[1].l7.type, NETOBS_L7_RESPONSE);
	ck_assert_uint_eq(rec.rec[1].l7.latency_ns, 0);
	ck_assert_uint_eq(rec.rec[1].l7.dns.ips_len, 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_unmatched_responses, 1);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_udp_malformed_counted_by_cause)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	const struct l7_stats *st = l7_tracker_stats(t);
	struct recorder rec = {0};
	static const uint8_t garbage[] = {0xde, 0xad, 0xbe, 0xef, 0x00};
	struct dnsb b;

	/* compression loop: the question's name is a pointer to itself */
	build_query(&b, 1, "a.test");
	b.len = 12;
	dnsb_u16(&b, 0xc00c);
	dnsb_u16(&b, 1);
	dnsb_u16(&b, 1);
	feed_udp(t, &rec, &q, &b, T0);
	/* a label running past the end */
	build_query(&b, 2, "a.test");
	b.buf[12] = 60;
	feed_udp(t, &rec, &q, &b, T0);
	/* garbage shorter than a header */
	feed(t, &rec, &q, NETOBS_L7_HINT_DNS, 0, garbage, sizeof(garbage), sizeof(garbage), 0, T0);

	ck_assert_uint_eq(rec.count, 0);
	ck_assert_uint_eq(st->dns_malformed, 3);
	ck_assert_uint_eq(st->dns_malformed_by[DNS_ERR_POINTER_LOOP], 1);
	ck_assert_uint_eq(st->dns_malformed_by[DNS_ERR_NAME_PAST_END], 1);
	ck_assert_uint_eq(st->dns_malformed_by[DNS_ERR_SHORT_HEADER], 1);
	ck_assert_uint_eq(st->dns_requests, 0);
	l7_tracker_free(t);
}
END_TEST

/* The datapath copied the first bytes of a longer response: what is whole is reported. */
START_TEST(test_udp_capture_cut_response)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	struct dnsb b;
	size_t first_answer_end;

	dnsb_start(&b, 3, true, 0, 2, "www.example.com", 1);
	dnsb_a(&b, 60, "10.1.1.1");
	first_answer_end = b.len;
	dnsb_a(&b, 60, "10.1.1.2");
	feed(t, &rec, &a, NETOBS_L7_HINT_DNS, 0, b.buf, (uint32_t)first_answer_end + 5,
	     (uint32_t)b.len, 0, T0);
	ck_assert_uint_eq(rec.count, 1);
	ck_assert_uint_eq(rec.rec[0].l7.dns.ips_len, 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_capture_cut, 1);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_malformed, 0);
	l7_tracker_free(t);
}
END_TEST

/* A DNS over TCP message: its 2-byte length, then the message. */
static size_t tcp_frame(uint8_t *out, const struct dnsb *b)
{
	out[0] = (uint8_t)(b->len >> 8);
	out[1] = (uint8_t)b->len;
	memcpy(out + 2, b->buf, b->len);
	return b->len + 2;
}

START_TEST(test_tcp_two_messages_one_slice_and_split)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_TCP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key a = answer_key(IPPROTO_TCP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	uint8_t seg[2048];
	size_t n = 0, m;
	struct dnsb b;

	/* two queries in one segment */
	build_query(&b, 1, "one.test");
	n += tcp_frame(seg + n, &b);
	build_query(&b, 2, "two.test");
	n += tcp_frame(seg + n, &b);
	feed(t, &rec, &q, NETOBS_L7_HINT_DNS, 1000, seg, (uint32_t)n, (uint32_t)n,
	     NETOBS_TCP_PSH | NETOBS_TCP_ACK, T0);
	ck_assert_uint_eq(rec.count, 2);
	ck_assert_str_eq(rec.rec[0].l7.dns.query, "one.test.");
	ck_assert_str_eq(rec.rec[1].l7.dns.query, "two.test.");

	/* one answer over two segments */
	build_answer(&b, 1);
	m = tcp_frame(seg, &b);
	feed(t, &rec, &a, NETOBS_L7_HINT_DNS, 5000, seg, 10, 10, NETOBS_TCP_ACK, T0 + 100);
	ck_assert_uint_eq(rec.count, 2);
	feed(t, &rec, &a, NETOBS_L7_HINT_DNS, 5010, seg + 10, (uint32_t)m - 10, (uint32_t)m - 10,
	     NETOBS_TCP_ACK, T0 + 200);
	ck_assert_uint_eq(rec.count, 3);
	ck_assert_int_eq(rec.rec[2].l7.type, NETOBS_L7_RESPONSE);
	ck_assert_uint_eq(rec.rec[2].l7.dns.ips_len, 1);
	ck_assert_uint_eq(rec.rec[2].l7.latency_ns, 200); /* the segment completing it */
	ck_assert_uint_eq(l7_tracker_stats(t)->conns, 1);

	/* both FINs: the connection goes */
	l7_tracker_tcp_end(t, &q, NETOBS_TCP_FIN, T0 + 300, recorder_add, &rec);
	feed(t, &rec, &a, NETOBS_L7_HINT_DNS, (uint32_t)(5000 + m), NULL, 0, 0,
	     NETOBS_TCP_FIN | NETOBS_TCP_ACK, T0 + 400);
	l7_tracker_flush(t, recorder_add, &rec);
	/* the flush reports only query 2, still waiting: no connection was left */
	ck_assert_uint_eq(rec.count, 4);
	ck_assert_str_eq(rec.rec[3].l7.dns.query, "two.test.");
	l7_tracker_free(t);
}
END_TEST

/* A segment never seen inside a message: the message is cut, the next one still decodes. */
START_TEST(test_tcp_gap)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_TCP, 5, NETOBS_HOOK_TC_INGRESS);
	struct recorder rec = {0};
	uint8_t first[600], second[600];
	size_t n1, n2;
	struct dnsb b;

	build_query(&b, 1, "one.test");
	n1 = tcp_frame(first, &b);
	build_query(&b, 2, "two.test");
	n2 = tcp_frame(second, &b);
	/* message one's first 8 bytes arrive, its other bytes are never seen */
	feed(t, &rec, &q, NETOBS_L7_HINT_DNS, 1, first, 8, 8, 0, T0);
	feed(t, &rec, &q, NETOBS_L7_HINT_DNS, (uint32_t)(1 + n1), second, (uint32_t)n2,
	     (uint32_t)n2, 0, T0 + 10);
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_tcp_gaps, 1);
	/* one is cut inside its header: malformed, no record; two decodes */
	ck_assert_uint_eq(l7_tracker_stats(t)->dns_malformed, 1);
	ck_assert_uint_eq(rec.count, 1);
	ck_assert_str_eq(rec.rec[0].l7.dns.query, "two.test.");
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_names_learned_and_expired)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key a = answer_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_EGRESS);
	struct recorder rec = {0};
	struct netobs_names names;
	uint8_t ip[16] = {0};
	struct dnsb b;

	build_answer(&b, 5);
	feed_udp(t, &rec, &a, &b, T0);
	inet_pton(AF_INET, "93.184.216.34", ip);
	ck_assert_uint_eq(l7_tracker_names(t, NETOBS_FAMILY_IPV4, ip, T0 + SEC, &names), 2);
	/* newest first: the CNAME target was learned after the query name */
	ck_assert_str_eq(names.name[0], "edge.example.net.");
	ck_assert_str_eq(names.name[1], "www.example.com.");
	ck_assert_uint_eq(l7_tracker_stats(t)->names_learned, 2);

	/* the answer's smallest TTL, 60 s */
	ck_assert_uint_eq(l7_tracker_names(t, NETOBS_FAMILY_IPV4, ip, T0 + 59 * SEC, &names), 2);
	l7_tracker_expire(t, T0 + 61 * SEC, recorder_add, &rec);
	ck_assert_uint_eq(l7_tracker_names(t, NETOBS_FAMILY_IPV4, ip, T0 + 61 * SEC, &names), 0);
	l7_tracker_free(t);
}
END_TEST

START_TEST(test_invalid_slices_counted)
{
	struct l7_tracker *t = tracker_new(NULL);
	struct netobs_flow_key q = query_key(IPPROTO_UDP, 5, NETOBS_HOOK_TC_INGRESS);
	struct netobs_flow_key icmp = q;
	struct recorder rec = {0};
	struct dnsb b;

	build_query(&b, 1, "a.test");
	/* captured more than the wire length */
	feed(t, &rec, &q, NETOBS_L7_HINT_DNS, 0, b.buf, (uint32_t)b.len, 4, 0, T0);
	/* unknown hint */
	feed(t, &rec, &q, 77, 0, b.buf, (uint32_t)b.len, (uint32_t)b.len, 0, T0);
	/* HTTP hint on UDP */
	feed(t, &rec, &q, NETOBS_L7_HINT_HTTP_START, 0, b.buf, (uint32_t)b.len, (uint32_t)b.len, 0,
	     T0);
	icmp.proto = IPPROTO_ICMP;
	feed(t, &rec, &icmp, NETOBS_L7_HINT_DNS, 0, b.buf, (uint32_t)b.len, (uint32_t)b.len, 0, T0);
	ck_assert_uint_eq(rec.count, 0);
	ck_assert_uint_eq(l7_tracker_stats(t)->slices, 4);
	ck_assert_uint_eq(l7_tracker_stats(t)->slices_invalid, 4);
	l7_tracker_free(t);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("l7_tracker");
	TCase *tc = tcase_create("dns");

	tcase_add_test(tc, test_udp_request_response_same_ifindex);
	tcase_add_test(tc, test_udp_across_ifindexes);
	tcase_add_test(tc, test_udp_two_hooks_pair_by_ifindex);
	tcase_add_test(tc, test_udp_unanswered_after_timeout);
	tcase_add_test(tc, test_udp_flush_reports_waiting);
	tcase_add_test(tc, test_udp_pending_full_counted);
	tcase_add_test(tc, test_udp_retransmitted_query_one_observation);
	tcase_add_test(tc, test_udp_unmatched_response);
	tcase_add_test(tc, test_udp_malformed_counted_by_cause);
	tcase_add_test(tc, test_udp_capture_cut_response);
	tcase_add_test(tc, test_tcp_two_messages_one_slice_and_split);
	tcase_add_test(tc, test_tcp_gap);
	tcase_add_test(tc, test_names_learned_and_expired);
	tcase_add_test(tc, test_invalid_slices_counted);
	suite_add_tcase(s, tc);
	return s;
}
