// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The API server filters and encodes stored records with their L7 parts and
 * names: records are emitted into a real agent store (agent_emit(), no
 * datapath), the server listens on a socket in a temporary directory, and a
 * client thread asks for flows with L7 filters and reads the reply.
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <uv.h>

#include "agent.h"
#include "record_parts.h"
#include "server_fixture.h"

Suite *netobs_test_suite(void);

/* A plain DNS-port flow, a DNS response with a destination name, a named
 * L3/L4 flow and an HTTP request; the caller's parts die right after. */
static void emit_mixed(struct agent *a)
{
	struct netobs_record rec;
	struct netobs_l7 *l7 = malloc(sizeof(*l7));
	struct netobs_names *names = malloc(sizeof(*names));

	make_flow(&rec, 1000);
	agent_emit(a, &rec);

	make_flow(&rec, 1001);
	make_dns_response(l7, "www.example.com.");
	make_names(names, 1, 0, 0);
	strcpy(names->name[0], "resolver.example.net.");
	rec.flow.l7 = l7;
	rec.flow.destination_names = names;
	agent_emit(a, &rec);
	memset(l7, 0xee, sizeof(*l7));

	make_flow(&rec, 1002);
	rec.flow.destination_names = names;
	agent_emit(a, &rec);
	memset(names, 0xee, sizeof(*names));

	make_flow(&rec, 1003);
	make_http_request(l7);
	rec.flow.l7 = l7;
	agent_emit(a, &rec);
	memset(l7, 0xee, sizeof(*l7));
	free(l7);
	free(names);
}

START_TEST(test_filter_and_encode_l7)
{
	struct server_fixture *f = fixture_start();
	struct exchange *x = malloc(sizeof(*x));

	emit_mixed(&f->a);

	exchange(f, x, "{\"request\":\"flows\",\"all\":true}\n");
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 4);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"query\":\"www.example.com.\""), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"resolver.example.net.\""), 2);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"url\":\"http://example.com/index.html\""),
			  1);
	ck_assert_uint_eq(count_lines_with(x->reply, "{\"done\":{\"count\":4}}"), 1);

	/* protocol dns: the L7 record only, not the UDP flow on port 53 */
	exchange(f, x,
		 "{\"request\":\"flows\",\"all\":true,\"filter\":{\"allow\":{\"protocol\":"
		 "[\"dns\"]}}}\n");
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"query\":\"www.example.com.\""), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "{\"done\":{\"count\":1}}"), 1);

	/* a destination name: the DNS response and the named flow */
	exchange(f, x,
		 "{\"request\":\"flows\",\"last\":10,\"filter\":{\"allow\":{"
		 "\"destination_fqdn\":[\"resolver.example.net\"]}}}\n");
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 2);
	ck_assert_uint_eq(count_lines_with(x->reply, "{\"done\":{\"count\":2}}"), 1);

	/* http_method over l7.http */
	exchange(f, x,
		 "{\"request\":\"flows\",\"last\":1,\"filter\":{\"allow\":{\"http_method\":"
		 "[\"GET\"]}}}\n");
	ck_assert_uint_eq(count_lines_with(x->reply, "\"method\":\"GET\""), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "{\"done\":{\"count\":1}}"), 1);

	free(x);
	fixture_stop(f);
}
END_TEST

/*
 * A follower behind while the store evicts what it still wanted:
 * the records evicted for arena room (9.5 KiB DNS parts in a 64 KiB arena)
 * reach server_record_evicting() with their L7 part, so a "protocol dns"
 * filter counts exactly the DNS ones among them.
 */
START_TEST(test_eviction_loss_counts_l7_matches)
{
	struct server_fixture *f = fixture_start();
	struct exchange *x = malloc(sizeof(*x));
	struct netobs_l7 *l7 = malloc(sizeof(*l7));
	struct netobs_record rec;
	bool is_dns[64] = {};
	uint64_t seq = 0, want_lost = 0, want_sent = 0, oldest;
	char want_line[128];
	pthread_t thread;

	make_flow(&rec, 2000);
	make_dns_request(l7, "first.example.");
	rec.flow.l7 = l7;
	agent_emit(&f->a, &rec); /* seq 1: the follower's "last 1" */
	is_dns[++seq] = true;

	exchange_start(f, x,
		       "{\"request\":\"flows\",\"last\":1,\"follow\":true,\"filter\":{\"allow\":{"
		       "\"protocol\":[\"dns\"]}}}\n",
		       "\"query\":\"last.example.\"", &thread);
	run_until(f, &x->got_first);
	run_for(f, 20); /* let its write complete: it follows now */

	/* No loop run from here on: the follower takes new records once per
	 * loop iteration (server_wake_followers()), so it is behind all of
	 * these, and the 9 large DNS responses (and 9 plain flows) overflow
	 * the arena. */
	for (int i = 0; i < 18; i++) {
		make_flow(&rec, 2001 + (uint64_t)i);
		if (i % 2 == 0) {
			make_dns_max(l7, true);
			rec.flow.l7 = l7;
		}
		agent_emit(&f->a, &rec);
		is_dns[++seq] = i % 2 == 0;
	}
	make_flow(&rec, 2100);
	make_dns_request(l7, "last.example.");
	rec.flow.l7 = l7;
	agent_emit(&f->a, &rec);
	is_dns[++seq] = true;

	/* What the test knows it sent: the DNS records in [2, oldest) were
	 * evicted before the follower got them, the rest are sent. */
	oldest = record_store_oldest_seq(&f->a.store);
	ck_assert_uint_gt(oldest, 3);
	ck_assert_uint_gt(f->a.store.evicted_for_parts, 0);
	for (uint64_t s = 2; s <= seq; s++) {
		if (is_dns[s] && s < oldest)
			want_lost++;
		else if (is_dns[s])
			want_sent++;
	}
	ck_assert_uint_gt(want_lost, 0);

	run_until(f, &x->done);
	pthread_join(thread, NULL);
	snprintf(want_line, sizeof(want_line),
		 "\"source\":\"HUBBLE_RING_BUFFER\",\"num_events_lost\":\"%llu\"",
		 (unsigned long long)want_lost);
	ck_assert_msg(count_lines_with(x->reply, want_line) == 1, "want %s in:\n%.2000s", want_line,
		      x->reply);
	/* seq 1, then what was left: every DNS record, no plain one */
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 1 + want_sent);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"dns\""), 1 + want_sent);
	ck_assert_uint_eq(f->a.stats.lost_store, want_lost);
	free(l7);
	free(x);
	fixture_stop(f);
}
END_TEST

/* A record whose L7 part cannot be stored reaches readers as a loss. */
START_TEST(test_refused_record_is_a_loss)
{
	struct server_fixture *f = fixture_start();
	struct exchange *x = malloc(sizeof(*x));
	struct netobs_l7 *l7 = malloc(sizeof(*l7));
	struct netobs_record rec;

	make_flow(&rec, 3000);
	make_dns_response(l7, "broken.example.");
	l7->dns.cnames_len = 200;
	rec.flow.l7 = l7;
	agent_emit(&f->a, &rec);
	make_flow(&rec, 3001);
	agent_emit(&f->a, &rec);

	exchange(f, x, "{\"request\":\"flows\",\"all\":true}\n");
	ck_assert_uint_eq(
		count_lines_with(x->reply,
				 "\"source\":\"HUBBLE_RING_BUFFER\",\"num_events_lost\":\"1\""),
		1);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "broken.example."), 0);
	ck_assert_uint_eq(count_lines_with(x->reply, "{\"done\":{\"count\":2}}"), 1);
	ck_assert_uint_eq(f->a.store.refused_parts, 1);
	free(l7);
	free(x);
	fixture_stop(f);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("server_l7");
	TCase *tc = tcase_create("server");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_filter_and_encode_l7);
	tcase_add_test(tc, test_eviction_loss_counts_l7_matches);
	tcase_add_test(tc, test_refused_record_is_a_loss);
	suite_add_tcase(s, tc);
	return s;
}
