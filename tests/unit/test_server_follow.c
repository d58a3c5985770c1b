// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * A follower gets new records in the loop iteration that made them, also
 * when they are made before the loop would wait (a timer: the harvest; an
 * idle callback), not only in an I/O callback (a ring-buffer wakeup). The
 * follower was woken by a uv_check handle, which runs only after the loop's
 * wait: records made in a timer reached it only when some other event
 * ended the wait (bench_api's follow case hung on its last records).
 */
#define _GNU_SOURCE /* memmem */
#include <check.h>

#include "agent.h"
#include "record_parts.h"
#include "server_fixture.h"

Suite *netobs_test_suite(void);

#define RECORDS 3

struct follow_run {
	struct server_fixture *f;
	bool guard_fired;
};

static void emit_timer_cb(uv_timer_t *t)
{
	struct follow_run *run = t->data;
	struct netobs_record rec;

	for (int i = 0; i < RECORDS; i++) {
		make_flow(&rec, 5000 + (uint64_t)i);
		rec.flow.key.sport = htons((uint16_t)(41000 + i));
		agent_emit(&run->f->a, &rec);
	}
}

/* A second without the records: the follower was not woken by them. */
static void guard_timer_cb(uv_timer_t *t)
{
	struct follow_run *run = t->data;

	run->guard_fired = true;
	uv_stop(t->loop);
}

static void done_cb(uv_async_t *async)
{
	uv_stop(async->loop);
}

START_TEST(test_follower_gets_records_made_in_a_timer)
{
	struct follow_run run = {.f = fixture_start()};
	struct exchange *x = malloc(sizeof(*x));
	uv_timer_t emit_timer, guard_timer;
	uv_async_t done;
	pthread_t thread;

	ck_assert_ptr_nonnull(x);
	exchange_start(run.f, x, "{\"request\":\"flows\",\"last\":0,\"follow\":true}\n",
		       "\"source_port\":41002", &thread);
	/* connected and following: the request is read and nothing is behind */
	for (int i = 0; i < 200 && !run.f->a.clients; i++) {
		uv_run(&run.f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	ck_assert_ptr_nonnull(run.f->a.clients);
	run_for(run.f, 20);

	ck_assert_int_eq(uv_async_init(&run.f->loop, &done, done_cb), 0);
	x->notify = &done;
	uv_timer_init(&run.f->loop, &emit_timer);
	uv_timer_init(&run.f->loop, &guard_timer);
	emit_timer.data = guard_timer.data = &run;
	uv_timer_start(&emit_timer, emit_timer_cb, 1, 0);
	uv_timer_start(&guard_timer, guard_timer_cb, 1000, 0);
	/* the loop waits in between: only the server's own wakeup can end it early */
	uv_run(&run.f->loop, UV_RUN_DEFAULT);
	ck_assert_msg(!run.guard_fired,
		      "the follower had no records a second after they were made");
	pthread_join(thread, NULL);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), RECORDS);

	uv_close((uv_handle_t *)&emit_timer, NULL);
	uv_close((uv_handle_t *)&guard_timer, NULL);
	uv_close((uv_handle_t *)&done, NULL);
	free(x);
	fixture_stop(run.f);
}
END_TEST

/*
 * Without a content filter the server matches records by their time alone
 * (client_wants()): since and until still bound the reply, and lost-events
 * records outside the window are left out too.
 */
START_TEST(test_time_window_without_content_filter)
{
	struct server_fixture *f = fixture_start();
	struct exchange *x = malloc(sizeof(*x));
	struct netobs_record rec;

	ck_assert_ptr_nonnull(x);
	for (uint64_t t = 1000; t < 1006; t++) {
		make_flow(&rec, t);
		rec.flow.key.sport = htons((uint16_t)(42000 + t - 1000));
		agent_emit(&f->a, &rec);
	}
	memset(&rec, 0, sizeof(rec));
	rec.kind = NETOBS_RECORD_LOST_EVENTS;
	rec.time_ns = 999;
	rec.lost.cpu = -1;
	rec.lost.count = 7;
	agent_emit(&f->a, &rec);
	exchange(f, x,
		 "{\"request\":\"flows\",\"all\":true,\"filter\":{\"since\":\"1002\","
		 "\"until\":\"1004\"}}\n");
	/* 1002, 1003 and 1004: source ports 42002-42004, nothing else */
	ck_assert_uint_eq(count_lines_with(x->reply, "\"flow\""), 3);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"source_port\":42002"), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"source_port\":42004"), 1);
	ck_assert_uint_eq(count_lines_with(x->reply, "lost_events"), 0);
	ck_assert_uint_eq(count_lines_with(x->reply, "\"done\":{\"count\":3}"), 1);
	free(x);
	fixture_stop(f);
}
END_TEST

/* Each record's line is written once: two followers and then a reader of
 * the same records share it (struct record_lines). */
START_TEST(test_line_written_once_for_every_client)
{
	struct server_fixture *f = fixture_start();
	struct exchange *x = calloc(3, sizeof(*x));
	struct netobs_record rec;
	pthread_t threads[2];

	ck_assert_ptr_nonnull(x);
	for (int i = 0; i < 2; i++)
		exchange_start(f, &x[i], "{\"request\":\"flows\",\"last\":0,\"follow\":true}\n",
			       "\"source_port\":43009", &threads[i]);
	for (int i = 0; i < 500 && f->a.nclients < 2; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	run_for(f, 20); /* both read their request: they follow */
	for (int i = 0; i < 10; i++) {
		make_flow(&rec, 6000 + (uint64_t)i);
		rec.flow.key.sport = htons((uint16_t)(43000 + i));
		agent_emit(&f->a, &rec);
	}
	for (int i = 0; i < 2; i++) {
		run_until(f, &x[i].done);
		pthread_join(threads[i], NULL);
		ck_assert_uint_eq(count_lines_with(x[i].reply, "\"flow\""), 10);
	}
	exchange(f, &x[2], "{\"request\":\"flows\",\"all\":true}\n");
	ck_assert_uint_eq(count_lines_with(x[2].reply, "\"flow\""), 10);
	/* ten lines encoded, for three clients */
	ck_assert_uint_eq(f->a.lines.encoded, 10);
	ck_assert_uint_eq(f->a.lines.reused, 20);
	free(x);
	fixture_stop(f);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("server_follow");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_follower_gets_records_made_in_a_timer);
	tcase_add_test(tc, test_time_window_without_content_filter);
	tcase_add_test(tc, test_line_written_once_for_every_client);
	suite_add_tcase(s, tc);
	return s;
}
