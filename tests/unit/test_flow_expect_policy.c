// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flow_expect's policy checks (lib/flow_expect.h): the denied pattern's drop
 * with its reason, direction and denying policy; the allowed pattern's
 * policy-verdict record naming the allowing policy; audit mode's AUDIT
 * verdict. Records as the agent makes them for one connection under a
 * policy on the server's endpoint: the client's veth first (no policy
 * there), then the server's (judged).
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <string.h>

#include "flow_expect.h"

Suite *netobs_test_suite(void);

#define T0_NS	    1800000000000000000ull
#define CLIENT_PORT 41000
#define SERVER_PORT 7000

struct policy_records {
	struct netobs_record rec[12];
	size_t n;
	uint8_t client[16], server[16];
	uint64_t now;
};

static const struct netobs_policy_ref allow_policy = {.name = "ct-allow"};
static const struct netobs_policy_ref deny_policy = {.name = "ct-deny"};

static void records_init(struct policy_records *b)
{
	memset(b, 0, sizeof(*b));
	inet_pton(AF_INET, "10.0.0.1", b->client);
	inet_pton(AF_INET, "10.0.0.2", b->server);
	b->now = T0_NS + 1000;
}

static struct netobs_flow_record *add_tcp(struct policy_records *b, bool forward, uint16_t flags)
{
	struct netobs_record *rec = &b->rec[b->n++];
	struct netobs_flow_record *f = &rec->flow;

	ck_assert_uint_le(b->n, 12);
	rec->kind = NETOBS_RECORD_FLOW;
	rec->seq = b->n;
	rec->time_ns = b->now;
	b->now += 1000;
	memcpy(f->key.saddr, forward ? b->client : b->server, 4);
	memcpy(f->key.daddr, forward ? b->server : b->client, 4);
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.proto = IPPROTO_TCP;
	f->key.sport = htons(forward ? CLIENT_PORT : SERVER_PORT);
	f->key.dport = htons(forward ? SERVER_PORT : CLIENT_PORT);
	f->event = NETOBS_FLOW_EVENT_NEW;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->tcp_flags = f->tcp_flags_seen = flags;
	f->first_seen_ns = f->last_seen_ns = rec->time_ns;
	f->packets = 1;
	return f;
}

/* A SYN dropped at the server's veth (its endpoint's INGRESS). */
static void add_denied_syn(struct policy_records *b, uint16_t reason,
			   const struct netobs_policy_ref *policy)
{
	struct netobs_flow_record *f;

	add_tcp(b, true, NETOBS_TCP_SYN)->policy_verdict = NETOBS_PV_UNENFORCED;
	f = add_tcp(b, true, NETOBS_TCP_SYN);
	f->verdict = NETOBS_VERDICT_DROPPED;
	f->direction = NETOBS_DIR_INGRESS;
	f->drop_reason = reason;
	f->policy_verdict = reason == NETOBS_DROP_POLICY_DENY ? NETOBS_PV_DENY : NETOBS_PV_DENIED;
	f->policy = policy;
}

/* A whole connection; the server's veth judges the SYN with verdict pv. */
static void add_judged_connection(struct policy_records *b, uint8_t pv,
				  const struct netobs_policy_ref *policy)
{
	struct netobs_flow_record *f;

	add_tcp(b, true, NETOBS_TCP_SYN);
	f = add_tcp(b, true, NETOBS_TCP_SYN);
	f->policy_verdict = pv;
	f->direction = NETOBS_DIR_INGRESS;
	f->verdict = pv == NETOBS_PV_AUDIT_DENIED ? NETOBS_VERDICT_AUDIT : NETOBS_VERDICT_FORWARDED;
	f->policy = policy;
	add_tcp(b, false, NETOBS_TCP_SYN | NETOBS_TCP_ACK)->policy_verdict = NETOBS_PV_REPLY;
	add_tcp(b, true, NETOBS_TCP_FIN | NETOBS_TCP_ACK);
}

static struct flow_expect expect_of(const struct policy_records *b, enum flow_expect_kind kind)
{
	struct flow_expect e = {
		.kind = kind, .family = NETOBS_FAMILY_IPV4, .since_ns = T0_NS, .port = SERVER_PORT};

	memcpy(e.client, b->client, 4);
	memcpy(e.server, b->server, 4);
	return e;
}

START_TEST(test_denied_reason_direction_policy)
{
	struct flow_expect_result r;
	struct policy_records b;
	struct flow_expect e;

	records_init(&b);
	add_denied_syn(&b, NETOBS_DROP_POLICY_DENIED, NULL);
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	e.drop_reason = NETOBS_DROP_POLICY_DENIED;
	e.drop_direction = NETOBS_DIR_INGRESS;
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 2);
	ck_assert_uint_eq(r.wanted, 2);
	ck_assert_uint_eq(r.drops, 1);

	/* A deny rule's drop where default deny's was expected. */
	e.drop_reason = NETOBS_DROP_POLICY_DENY;
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_str_eq(r.reason, "no drop with reason POLICY_DENY at INGRESS of the connection "
				   "from 10.0.0.1 to 10.0.0.2:7000 (a drop with reason "
				   "POLICY_DENIED)");

	/* The right reason at the wrong side of the endpoint. */
	e.drop_reason = NETOBS_DROP_POLICY_DENIED;
	e.drop_direction = NETOBS_DIR_EGRESS;
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason, "no drop with reason POLICY_DENIED at EGRESS of the connection "
				   "from 10.0.0.1 to 10.0.0.2:7000 (a drop at INGRESS)");

	/* A deny rule's drop names its policy. */
	records_init(&b);
	add_denied_syn(&b, NETOBS_DROP_POLICY_DENY, &deny_policy);
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	e.drop_reason = NETOBS_DROP_POLICY_DENY;
	e.policy_name = "ct-deny";
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	e.policy_name = "other";
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason, "no drop with reason POLICY_DENY by other of the connection "
				   "from 10.0.0.1 to 10.0.0.2:7000 (a drop by ct-deny)");

	/* A drop of the server's packet, or of a client packet without SYN, is not the SYN's. */
	records_init(&b);
	add_tcp(&b, true, NETOBS_TCP_SYN);
	add_tcp(&b, false, NETOBS_TCP_SYN | NETOBS_TCP_ACK)->verdict = NETOBS_VERDICT_DROPPED;
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 1);
	records_init(&b);
	add_tcp(&b, true, NETOBS_TCP_SYN);
	add_tcp(&b, true, NETOBS_TCP_ACK)->verdict = NETOBS_VERDICT_DROPPED;
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason, "no drop of the connection from 10.0.0.1 to 10.0.0.2:7000");

	/* A drop without a reason (not a policy's) is not the policy's drop. */
	records_init(&b);
	add_denied_syn(&b, NETOBS_DROP_NONE, NULL);
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	e.drop_reason = NETOBS_DROP_POLICY_DENIED;
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));

	/* Answered after all: the SYN-ACK fails it whatever the drop said. */
	records_init(&b);
	add_denied_syn(&b, NETOBS_DROP_POLICY_DENIED, NULL);
	add_tcp(&b, false, NETOBS_TCP_SYN | NETOBS_TCP_ACK);
	e = expect_of(&b, FLOW_EXPECT_TCP_DENIED);
	e.drop_reason = NETOBS_DROP_POLICY_DENIED;
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason, "a SYN-ACK from 10.0.0.2:7000 to 10.0.0.1: the connection was "
				   "answered, not denied");
}
END_TEST

START_TEST(test_allowed_by_policy)
{
	struct flow_expect_result r;
	struct policy_records b;
	struct flow_expect e;

	records_init(&b);
	add_judged_connection(&b, NETOBS_PV_ALLOWED, &allow_policy);
	e = expect_of(&b, FLOW_EXPECT_TCP);
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.wanted, 3);
	e.policy_name = "ct-allow";
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 4);
	ck_assert_uint_eq(r.wanted, 4);

	e.policy_name = "ct-other";
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_str_eq(r.reason, "no policy verdict allowing 10.0.0.1 to 10.0.0.2:7000 by "
				   "ct-other (allowed by ct-allow)");

	/* No policy judged it (unenforced): the step is missing, nothing else. */
	records_init(&b);
	add_judged_connection(&b, NETOBS_PV_UNENFORCED, NULL);
	e.policy_name = "ct-allow";
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason,
			 "no policy verdict allowing 10.0.0.1 to 10.0.0.2:7000 by ct-allow");
}
END_TEST

START_TEST(test_audit)
{
	struct flow_expect_result r;
	struct policy_records b;
	struct flow_expect e;

	records_init(&b);
	add_judged_connection(&b, NETOBS_PV_AUDIT_DENIED, NULL);
	e = expect_of(&b, FLOW_EXPECT_TCP);
	e.audit = true;
	ck_assert(flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.wanted, 4);

	/* Enforced instead of audited: the connection went through unjudged. */
	records_init(&b);
	add_judged_connection(&b, NETOBS_PV_UNENFORCED, NULL);
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_uint_eq(r.steps, 1);
	ck_assert_str_eq(r.reason,
			 "no AUDIT verdict of the connection from 10.0.0.1 to 10.0.0.2:7000");

	/* Dropped although audit was asked: the drop fails it first. */
	records_init(&b);
	add_denied_syn(&b, NETOBS_DROP_POLICY_DENIED, NULL);
	ck_assert(!flow_expect_check(&e, b.rec, b.n, &r));
	ck_assert_str_eq(r.reason, "a drop from 10.0.0.1 to 10.0.0.2:7000");
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("flow_expect_policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_denied_reason_direction_policy);
	tcase_add_test(tc, test_allowed_by_policy);
	tcase_add_test(tc, test_audit);
	suite_add_tcase(s, tc);
	return s;
}
