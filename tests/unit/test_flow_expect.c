// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flow patterns (lib/flow_expect.c) on crafted records: what the agent makes
 * for one action at the client's veth and the server's veth, each step taken
 * away in turn, records in reverse order, drops, and records of other
 * addresses, ports, protocols and times that must be ignored.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow_expect.h"

Suite *netobs_test_suite(void);

#define T0_NS	    1764067940000000000ULL
#define CLIENT_PORT 40000
#define SERVER_PORT 7000
#define RECS_MAX    32

/* Records of one crafted action; L7 parts live in l7[]. */
struct recs {
	struct netobs_record rec[RECS_MAX];
	struct netobs_l7 l7[RECS_MAX];
	size_t n;
	uint8_t family;
	uint8_t client[16], server[16];
	uint64_t now;
};

static void recs_init(struct recs *b, int family)
{
	memset(b, 0, sizeof(*b));
	b->family = family == AF_INET6 ? NETOBS_FAMILY_IPV6 : NETOBS_FAMILY_IPV4;
	inet_pton(family, family == AF_INET6 ? "fd00::1" : "10.0.0.1", b->client);
	inet_pton(family, family == AF_INET6 ? "fd00::2" : "10.0.0.2", b->server);
	b->now = T0_NS;
}

static struct flow_expect expect_of(const struct recs *b, enum flow_expect_kind kind)
{
	struct flow_expect e = {.kind = kind, .family = b->family, .since_ns = T0_NS};

	memcpy(e.client, b->client, 16);
	memcpy(e.server, b->server, 16);
	e.port = kind == FLOW_EXPECT_ICMP ? 0 : SERVER_PORT;
	return e;
}

/* A record from the client (forward) or back from the server, 1 ms after the last. */
static struct netobs_flow_record *add(struct recs *b, bool forward, uint8_t proto)
{
	struct netobs_record *rec = &b->rec[b->n++];
	struct netobs_flow_record *f = &rec->flow;

	ck_assert_uint_le(b->n, RECS_MAX);
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = b->n;
	rec->time_ns = b->now;
	b->now += 1000000;
	memcpy(f->key.saddr, forward ? b->client : b->server, 16);
	memcpy(f->key.daddr, forward ? b->server : b->client, 16);
	f->key.family = b->family;
	f->key.proto = proto;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		f->key.sport = htons(forward ? CLIENT_PORT : SERVER_PORT);
		f->key.dport = htons(forward ? SERVER_PORT : CLIENT_PORT);
	}
	f->packets = 1;
	f->event = NETOBS_FLOW_EVENT_NEW;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->is_reply = forward ? 0 : 1;
	f->first_seen_ns = f->last_seen_ns = rec->time_ns;
	return f;
}

/* A TCP packet record (NEW or TCP_FLAGS) with its packet's flags. */
static struct netobs_flow_record *add_tcp(struct recs *b, bool forward, uint8_t event,
					  uint16_t flags)
{
	struct netobs_flow_record *f = add(b, forward, IPPROTO_TCP);

	f->event = event;
	f->tcp_flags = flags;
	f->tcp_flags_seen = flags;
	return f;
}

/*
 * What the agent makes for one TCP connection seen at both veths: each
 * packet with SYN, FIN or RST twice (client's veth, then server's; replies
 * the other way round), ending with close_flags.
 */
static void add_tcp_connection(struct recs *b, uint16_t close_flags)
{
	const uint16_t synack = NETOBS_TCP_SYN | NETOBS_TCP_ACK;
	int hook;

	for (hook = 0; hook < 2; hook++)
		add_tcp(b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN);
	for (hook = 0; hook < 2; hook++)
		add_tcp(b, false, NETOBS_FLOW_EVENT_NEW, synack);
	for (hook = 0; hook < 2; hook++)
		add_tcp(b, true, NETOBS_FLOW_EVENT_TCP_FLAGS, close_flags | NETOBS_TCP_ACK);
}

/* Remove every record whose packet flags are exactly flags (one step, at both hooks). */
static void remove_packets(struct recs *b, uint16_t flags)
{
	size_t i, kept = 0;

	for (i = 0; i < b->n; i++)
		if (b->rec[i].flow.tcp_flags != flags)
			b->rec[kept++] = b->rec[i];
	b->n = kept;
}

static struct netobs_l7 *add_l7(struct recs *b, bool forward, uint8_t proto, uint8_t kind,
				uint8_t type)
{
	struct netobs_flow_record *f = add(b, forward, proto);
	struct netobs_l7 *l7 = &b->l7[b->n - 1];

	l7->kind = kind;
	l7->type = type;
	f->l7 = l7;
	return l7;
}

static void add_dns(struct recs *b, bool forward, const char *query, uint16_t rcode)
{
	struct netobs_l7 *l7 = add_l7(b, forward, IPPROTO_UDP, NETOBS_L7_DNS,
				      forward ? NETOBS_L7_REQUEST : NETOBS_L7_RESPONSE);

	snprintf(l7->dns.query, sizeof(l7->dns.query), "%s", query);
	l7->dns.rcode = rcode;
}

static void add_http(struct recs *b, bool forward, const char *method, uint32_t code)
{
	struct netobs_l7 *l7 = add_l7(b, forward, IPPROTO_TCP, NETOBS_L7_HTTP,
				      forward ? NETOBS_L7_REQUEST : NETOBS_L7_RESPONSE);

	snprintf(l7->http.method, sizeof(l7->http.method), "%s", method);
	l7->http.code = code;
}

static bool check(const struct recs *b, const struct flow_expect *e, struct flow_expect_result *r)
{
	return flow_expect_check(e, b->rec, b->n, r);
}

/* The check fails with steps seen and reason. */
static void assert_fails(const struct recs *b, const struct flow_expect *e,
			 struct flow_expect_result *r, unsigned int steps, const char *reason)
{
	ck_assert(!check(b, e, r));
	ck_assert(!r->matched);
	ck_assert_uint_eq(r->steps, steps);
	ck_assert_str_eq(r->reason, reason);
}

START_TEST(test_tcp_allowed_v4_and_v6)
{
	int families[] = {AF_INET, AF_INET6};

	for (size_t i = 0; i < 2; i++) {
		struct flow_expect_result r;
		struct flow_expect e;
		struct recs b;

		recs_init(&b, families[i]);
		add_tcp_connection(&b, NETOBS_TCP_FIN);
		e = expect_of(&b, FLOW_EXPECT_TCP);
		ck_assert(check(&b, &e, &r));
		ck_assert(r.matched);
		ck_assert_uint_eq(r.steps, 3);
		ck_assert_uint_eq(r.wanted, 3);
		ck_assert_uint_eq(r.records, 6);
		ck_assert_uint_eq(r.drops, 0);
		ck_assert_str_eq(r.reason, "");
	}
}
END_TEST

START_TEST(test_tcp_closed_by_rst)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	add_tcp_connection(&b, NETOBS_TCP_RST);
	e = expect_of(&b, FLOW_EXPECT_TCP);
	ck_assert(check(&b, &e, &r));
}
END_TEST

/* Ring-buffer events lost: the NEWs harvest found and an END's union still show every step. */
START_TEST(test_tcp_from_harvest_records)
{
	struct netobs_flow_record *f;
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	f = add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, 0);
	f->tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK;
	f = add_tcp(&b, false, NETOBS_FLOW_EVENT_NEW, 0);
	f->tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK;
	e = expect_of(&b, FLOW_EXPECT_TCP);
	assert_fails(&b, &e, &r, 2, "no FIN or RST between 10.0.0.1 and 10.0.0.2:7000");

	f = add_tcp(&b, true, NETOBS_FLOW_EVENT_END, 0);
	f->tcp_flags_seen = NETOBS_TCP_SYN | NETOBS_TCP_ACK | NETOBS_TCP_FIN;
	f->end_reason = NETOBS_END_FIN;
	ck_assert(check(&b, &e, &r));
}
END_TEST

START_TEST(test_tcp_each_step_missing)
{
	static const struct {
		uint16_t removed;
		unsigned int steps;
		const char *reason;
	} cases[] = {
		{NETOBS_TCP_SYN, 0, "no SYN from 10.0.0.1 to 10.0.0.2:7000"},
		{NETOBS_TCP_SYN | NETOBS_TCP_ACK, 1, "no SYN-ACK from 10.0.0.2:7000 to 10.0.0.1"},
		{NETOBS_TCP_FIN | NETOBS_TCP_ACK, 2,
		 "no FIN or RST between 10.0.0.1 and 10.0.0.2:7000"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct flow_expect_result r;
		struct flow_expect e;
		struct recs b;

		recs_init(&b, AF_INET);
		add_tcp_connection(&b, NETOBS_TCP_FIN);
		remove_packets(&b, cases[i].removed);
		ck_assert_uint_eq(b.n, 4);
		e = expect_of(&b, FLOW_EXPECT_TCP);
		ck_assert(!check(&b, &e, &r));
		ck_assert_uint_eq(r.steps, cases[i].steps);
		ck_assert_uint_eq(r.records, 4);
		ck_assert_str_eq(r.reason, cases[i].reason);
	}
}
END_TEST

START_TEST(test_tcp_reverse_order)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_TCP_FLAGS, NETOBS_TCP_FIN | NETOBS_TCP_ACK);
	add_tcp(&b, false, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN);
	e = expect_of(&b, FLOW_EXPECT_TCP);
	assert_fails(&b, &e, &r, 1, "no SYN-ACK from 10.0.0.2:7000 to 10.0.0.1");
}
END_TEST

START_TEST(test_tcp_with_a_drop_fails)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	add_tcp_connection(&b, NETOBS_TCP_FIN);
	add_tcp(&b, false, NETOBS_FLOW_EVENT_TCP_FLAGS, NETOBS_TCP_FIN | NETOBS_TCP_ACK)->verdict =
		NETOBS_VERDICT_DROPPED;
	e = expect_of(&b, FLOW_EXPECT_TCP);
	ck_assert(!check(&b, &e, &r));
	ck_assert_uint_eq(r.steps, 3);
	ck_assert_uint_eq(r.drops, 1);
	ck_assert_uint_eq(r.records, 7);
	ck_assert_str_eq(r.reason, "a drop from 10.0.0.2:7000 to 10.0.0.1");
}
END_TEST

/* The whole connection, but of another address, port, protocol or time: none of it counts. */
START_TEST(test_other_records_ignored)
{
	enum {
		OTHER_CLIENT,
		OTHER_SERVER_PORT,
		OTHER_PROTOCOL,
		EARLIER,
		OTHER_FAMILY,
		CASES
	};

	for (int c = 0; c < CASES; c++) {
		struct flow_expect_result r;
		struct flow_expect e;
		struct recs b;

		recs_init(&b, AF_INET);
		add_tcp_connection(&b, NETOBS_TCP_FIN);
		e = expect_of(&b, FLOW_EXPECT_TCP);
		for (size_t i = 0; i < b.n; i++) {
			struct netobs_flow_record *f = &b.rec[i].flow;
			bool forward = f->is_reply == 0;

			switch (c) {
			case OTHER_CLIENT:
				(forward ? f->key.saddr : f->key.daddr)[3] = 3;
				break;
			case OTHER_SERVER_PORT:
				*(forward ? &f->key.dport : &f->key.sport) = htons(SERVER_PORT + 1);
				break;
			case OTHER_PROTOCOL:
				f->key.proto = IPPROTO_SCTP;
				break;
			case EARLIER:
				b.rec[i].time_ns = T0_NS - 1;
				break;
			case OTHER_FAMILY:
				f->key.family = NETOBS_FAMILY_IPV6;
				break;
			}
			ck_assert(!flow_expect_relevant(&e, &b.rec[i]));
		}
		ck_assert(!check(&b, &e, &r));
		ck_assert_uint_eq(r.records, 0);
		ck_assert_uint_eq(r.steps, 0);
		ck_assert_str_eq(r.reason, "no SYN from 10.0.0.1 to 10.0.0.2:7000");
	}
}
END_TEST

/* A SYN-ACK and FIN of another connection (another client port) do not finish this one. */
START_TEST(test_tcp_follows_one_connection)
{
	struct netobs_flow_record *f;
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN);
	f = add_tcp(&b, false, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	f->key.dport = htons(CLIENT_PORT + 1);
	e = expect_of(&b, FLOW_EXPECT_TCP);
	ck_assert(flow_expect_relevant(&e, &b.rec[1]));
	ck_assert(!check(&b, &e, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_uint_eq(r.records, 2);
}
END_TEST

START_TEST(test_tcp_denied)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	/* Forwarded at the client's veth, dropped at the server's. */
	recs_init(&b, AF_INET);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN);
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	ck_assert(!check(&b, &e, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_uint_eq(r.wanted, 2);
	ck_assert_str_eq(r.reason, "no drop of the connection from 10.0.0.1 to 10.0.0.2:7000");
	add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN)->verdict = NETOBS_VERDICT_DROPPED;
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.steps, 2);
	ck_assert_uint_eq(r.drops, 1);

	/* Dropped where it was first seen: one record is the SYN and the drop. */
	recs_init(&b, AF_INET);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_SYN)->verdict = NETOBS_VERDICT_DROPPED;
	ck_assert(check(&b, &e, &r));

	/* A drop before any SYN is not the pattern. */
	recs_init(&b, AF_INET);
	add_tcp(&b, false, NETOBS_FLOW_EVENT_NEW, NETOBS_TCP_RST)->verdict = NETOBS_VERDICT_DROPPED;
	assert_fails(&b, &e, &r, 0, "no SYN from 10.0.0.1 to 10.0.0.2:7000");

	/* Answered: a SYN-ACK must not be there, even with a drop after it (of an
	 * ACK, which is not the SYN's drop: the pattern stops after the SYN). */
	recs_init(&b, AF_INET);
	add_tcp_connection(&b, NETOBS_TCP_FIN);
	add_tcp(&b, true, NETOBS_FLOW_EVENT_TCP_FLAGS, NETOBS_TCP_ACK)->verdict =
		NETOBS_VERDICT_DROPPED;
	assert_fails(&b, &e, &r, 1,
		     "a SYN-ACK from 10.0.0.2:7000 to 10.0.0.1: the connection "
		     "was answered, not denied");
}
END_TEST

START_TEST(test_udp)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET6);
	add(&b, true, IPPROTO_UDP);
	e = expect_of(&b, FLOW_EXPECT_UDP);
	assert_fails(&b, &e, &r, 1, "no UDP datagram back from [fd00::2]:7000 to fd00::1");
	add(&b, true, IPPROTO_UDP);
	add(&b, false, IPPROTO_UDP);
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 3);

	add(&b, false, IPPROTO_UDP)->verdict = NETOBS_VERDICT_DROPPED;
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "a drop from [fd00::2]:7000 to fd00::1");

	/* Only the reply: the request is missing. */
	recs_init(&b, AF_INET6);
	add(&b, false, IPPROTO_UDP);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "no UDP datagram from fd00::1 to [fd00::2]:7000");
}
END_TEST

static void add_icmp(struct recs *b, bool forward, uint8_t type)
{
	add(b, forward, b->family == NETOBS_FAMILY_IPV6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)
		->key.icmp_type = type;
}

START_TEST(test_icmp_v4_and_v6)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	e = expect_of(&b, FLOW_EXPECT_ICMP);
	add_icmp(&b, true, 8);
	add_icmp(&b, true, 8);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "no ICMP echo reply from 10.0.0.2 to 10.0.0.1");
	add_icmp(&b, false, 3); /* a destination unreachable is no reply */
	ck_assert(!check(&b, &e, &r));
	add_icmp(&b, false, 0);
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 4);

	/* ICMPv4 types in an ICMPv6 action count for nothing. */
	recs_init(&b, AF_INET6);
	e = expect_of(&b, FLOW_EXPECT_ICMP);
	add_icmp(&b, true, 8);
	add_icmp(&b, false, 0);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "no ICMP echo request from fd00::1 to fd00::2");
	add_icmp(&b, true, 128);
	add_icmp(&b, false, 129);
	ck_assert(check(&b, &e, &r));

	/* An ICMPv4 echo request in an IPv4 action but an ICMPv6 protocol number: not relevant. */
	recs_init(&b, AF_INET);
	e = expect_of(&b, FLOW_EXPECT_ICMP);
	add(&b, true, IPPROTO_ICMPV6)->key.icmp_type = 8;
	ck_assert(!flow_expect_relevant(&e, &b.rec[0]));

	/* A dropped reply. */
	recs_init(&b, AF_INET);
	add_icmp(&b, true, 8);
	add_icmp(&b, false, 0);
	b.rec[1].flow.verdict = NETOBS_VERDICT_DROPPED;
	ck_assert(!check(&b, &e, &r));
	ck_assert_uint_eq(r.drops, 1);
	ck_assert_str_eq(r.reason, "a drop from 10.0.0.2 to 10.0.0.1");
}
END_TEST

/*
 * A second ping while the agent still tracks the first one's flows: no NEW
 * (the ICMP key has no echo identifier), only UPDATEs harvest writes in no
 * order of their packets, whose last_seen says whether they hold this
 * action's packets.
 */
START_TEST(test_icmp_second_ping_from_updates)
{
	struct netobs_flow_record *request, *reply;
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	e = expect_of(&b, FLOW_EXPECT_ICMP);
	b.now = T0_NS + 500000000; /* the harvest, half a second on */
	reply = add(&b, false, IPPROTO_ICMP);
	request = add(&b, true, IPPROTO_ICMP);
	request->key.icmp_type = 8;
	reply->event = request->event = NETOBS_FLOW_EVENT_UPDATE;
	request->first_seen_ns = reply->first_seen_ns = T0_NS - 5000000000ULL;
	request->last_seen_ns = T0_NS + 1000;
	reply->last_seen_ns = T0_NS + 2000;
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 2);

	/* The reply before the request: not this action's answer. */
	reply->last_seen_ns = T0_NS + 500;
	assert_fails(&b, &e, &r, 1, "no ICMP echo reply from 10.0.0.2 to 10.0.0.1");

	/* Harvested after the action began, but every packet from before it. */
	request->last_seen_ns = reply->last_seen_ns = T0_NS - 1000;
	assert_fails(&b, &e, &r, 0, "no ICMP echo request from 10.0.0.1 to 10.0.0.2");
	ck_assert_uint_eq(r.records, 2);
}
END_TEST

START_TEST(test_dns)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	e = expect_of(&b, FLOW_EXPECT_DNS);
	e.dns_query = "echo.netobs-ct.test.";
	e.dns_rcode = 0;
	add(&b, true, IPPROTO_UDP); /* the L3/L4 records are the action's too */
	add_dns(&b, true, "echo.netobs-ct.test.", 0);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason,
			 "no DNS response NOERROR for echo.netobs-ct.test. from 10.0.0.2:7000 to "
			 "10.0.0.1");
	add_dns(&b, false, "echo.netobs-ct.test.", 3);
	assert_fails(&b, &e, &r, 1,
		     "no DNS response NOERROR for echo.netobs-ct.test. from 10.0.0.2:7000 to "
		     "10.0.0.1 (the DNS response had rcode NXDOMAIN, expected NOERROR)");
	e.dns_rcode = 3;
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 3);

	/* Names compare without case; the trailing dot may be left out. */
	e.dns_query = "ECHO.netobs-ct.test";
	ck_assert(check(&b, &e, &r));

	/* Another name's request and response. */
	e.dns_query = "other.netobs-ct.test.";
	assert_fails(&b, &e, &r, 0,
		     "no DNS request for other.netobs-ct.test. from 10.0.0.1 to 10.0.0.2:7000 "
		     "(the DNS request was for echo.netobs-ct.test.)");

	/* A response in the request's direction is no response. */
	recs_init(&b, AF_INET6);
	e = expect_of(&b, FLOW_EXPECT_DNS);
	e.dns_query = "echo.netobs-ct.test.";
	add_dns(&b, true, "echo.netobs-ct.test.", 0);
	add_l7(&b, true, IPPROTO_UDP, NETOBS_L7_DNS, NETOBS_L7_RESPONSE);
	ck_assert(!check(&b, &e, &r));
	ck_assert_uint_eq(r.steps, 1);
}
END_TEST

START_TEST(test_http)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	e = expect_of(&b, FLOW_EXPECT_HTTP);
	e.http_method = "GET";
	e.http_code = 200;
	add_tcp_connection(&b, NETOBS_TCP_FIN);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "no HTTP GET request from 10.0.0.1 to 10.0.0.2:7000");
	ck_assert_uint_eq(r.records, 6);

	add_http(&b, true, "POST", 0);
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "no HTTP GET request from 10.0.0.1 to 10.0.0.2:7000 (the "
				   "HTTP request had method POST, expected GET)");

	add_http(&b, true, "GET", 0);
	add_http(&b, false, "GET", 404);
	assert_fails(&b, &e, &r, 1,
		     "no HTTP 200 response from 10.0.0.2:7000 to 10.0.0.1 (the HTTP "
		     "response had status 404, expected 200)");

	add_http(&b, false, "GET", 200);
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 10);

	e.http_code = 404;
	ck_assert(check(&b, &e, &r));

	/* A response names its request's method: another one is not this action's answer. */
	recs_init(&b, AF_INET6);
	e = expect_of(&b, FLOW_EXPECT_HTTP);
	e.http_method = "GET";
	e.http_code = 200;
	add_http(&b, true, "GET", 0);
	add_http(&b, false, "HEAD", 200);
	assert_fails(&b, &e, &r, 1,
		     "no HTTP 200 response from [fd00::2]:7000 to fd00::1 (the HTTP response had "
		     "method HEAD, expected GET)");
	add_http(&b, false, "", 200); /* its request was not seen: no method to compare */
	ck_assert(check(&b, &e, &r));
}
END_TEST

START_TEST(test_lost_events_and_unknown_kind)
{
	struct flow_expect_result r;
	struct flow_expect e;
	struct recs b;

	recs_init(&b, AF_INET);
	add_tcp_connection(&b, NETOBS_TCP_FIN);
	b.rec[b.n].kind = NETOBS_RECORD_LOST_EVENTS;
	b.rec[b.n].time_ns = b.now;
	b.rec[b.n++].lost.count = 5;
	e = expect_of(&b, FLOW_EXPECT_TCP);
	ck_assert(!flow_expect_relevant(&e, &b.rec[b.n - 1]));
	ck_assert(check(&b, &e, &r));
	ck_assert_uint_eq(r.records, 6);

	e.kind = (enum flow_expect_kind)99;
	ck_assert(!check(&b, &e, &r));
	ck_assert_str_eq(r.reason, "unknown flow pattern 99");
	ck_assert(!flow_expect_relevant(&e, &b.rec[0]));
}
END_TEST

START_TEST(test_kind_names)
{
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_TCP), "tcp");
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_TCP_DENIED), "tcp-denied");
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_UDP), "udp");
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_ICMP), "icmp");
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_DNS), "dns");
	ck_assert_str_eq(flow_expect_kind_name(FLOW_EXPECT_HTTP), "http");
	ck_assert_str_eq(flow_expect_kind_name((enum flow_expect_kind)0), "unknown");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flow_expect");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tcp_allowed_v4_and_v6);
	tcase_add_test(tc, test_tcp_closed_by_rst);
	tcase_add_test(tc, test_tcp_from_harvest_records);
	tcase_add_test(tc, test_tcp_each_step_missing);
	tcase_add_test(tc, test_tcp_reverse_order);
	tcase_add_test(tc, test_tcp_with_a_drop_fails);
	tcase_add_test(tc, test_other_records_ignored);
	tcase_add_test(tc, test_tcp_follows_one_connection);
	tcase_add_test(tc, test_tcp_denied);
	tcase_add_test(tc, test_udp);
	tcase_add_test(tc, test_icmp_v4_and_v6);
	tcase_add_test(tc, test_icmp_second_ping_from_updates);
	tcase_add_test(tc, test_dns);
	tcase_add_test(tc, test_http);
	tcase_add_test(tc, test_lost_events_and_unknown_kind);
	tcase_add_test(tc, test_kind_names);
	suite_add_tcase(s, tc);
	return s;
}
