/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * An agent's API server for the server tests: a real record store
 * (agent_emit(), no datapath), the server on a socket in a temporary
 * directory, and a client thread that sends one request and reads the
 * reply (a follower hangs up once the reply holds a given text).
 */
#pragma once

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

struct exchange {
	const char *socket_path;
	const char *request;
	const char *stop_at; /* a follower: hang up once the reply holds this */
	char reply[262144];
	size_t len;
	atomic_bool got_first; /* a complete line arrived */
	atomic_bool done;
	uv_async_t *notify; /* if set, sent once done (wakes a loop that is waiting) */
};

static inline void *client_thread(void *arg)
{
	struct exchange *x = arg;
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", x->socket_path);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sun, sizeof(sun)) &&
	    write(fd, x->request, strlen(x->request)) == (ssize_t)strlen(x->request)) {
		while ((n = read(fd, x->reply + x->len, sizeof(x->reply) - 1 - x->len)) > 0) {
			x->len += (size_t)n;
			x->reply[x->len] = '\0';
			if (strchr(x->reply, '\n'))
				atomic_store(&x->got_first, true);
			if (x->stop_at && strstr(x->reply, x->stop_at))
				break;
		}
	}
	x->reply[x->len] = '\0';
	if (fd >= 0)
		close(fd);
	atomic_store(&x->done, true);
	if (x->notify)
		uv_async_send(x->notify);
	return NULL;
}

struct server_fixture {
	struct agent a;
	uv_loop_t loop;
	char dir[64];
};

static inline struct server_fixture *fixture_start(void)
{
	struct server_fixture *f = calloc(1, sizeof(*f));
	char err[256] = "";

	ck_assert_ptr_nonnull(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/netobs-test-server-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	ck_assert_int_eq(uv_loop_init(&f->loop), 0);
	f->a.loop = &f->loop;
	snprintf(f->a.cfg.socket_path, sizeof(f->a.cfg.socket_path), "%s/api.sock", f->dir);
	strcpy(f->a.cfg.node_name, "node1");
	f->a.cfg.store_size = 64;
	f->a.cfg.client_queue = 64;
	f->a.cfg.max_clients = 4;
	f->a.cfg.request_timeout_s = 5;
	ck_assert_int_eq(record_store_init_parts(&f->a.store, 64, RECORD_STORE_PARTS_MIN), 0);
	ck_assert_msg(!server_start(&f->a, err, sizeof(err)), "server_start: %s", err);
	return f;
}

static inline void fixture_stop(struct server_fixture *f)
{
	server_stop(&f->a);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&f->loop), 0);
	record_store_free(&f->a.store);
	rmdir(f->dir);
	free(f);
}

static inline void exchange_start(struct server_fixture *f, struct exchange *x, const char *request,
				  const char *stop_at, pthread_t *thread)
{
	memset(x, 0, sizeof(*x));
	x->socket_path = f->a.cfg.socket_path;
	x->request = request;
	x->stop_at = stop_at;
	ck_assert_int_eq(pthread_create(thread, NULL, client_thread, x), 0);
}

/* Run the loop without waiting for about ms milliseconds (the client
 * thread reads its request, a write completes). */
static inline void run_for(struct server_fixture *f, int ms)
{
	for (int i = 0; i < ms; i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
}

/* Run the loop until flag is set (at most 5 s). */
static inline void run_until(struct server_fixture *f, atomic_bool *flag)
{
	for (int i = 0; i < 5000 && !atomic_load(flag); i++) {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	}
	ck_assert_msg(atomic_load(flag), "no reply within 5 s");
}

/* Send one request line, run the loop until the reply is read. */
static inline void exchange(struct server_fixture *f, struct exchange *x, const char *request)
{
	pthread_t thread;

	exchange_start(f, x, request, NULL, &thread);
	run_until(f, &x->done);
	pthread_join(thread, NULL);
}

static inline size_t count_lines_with(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (memmem(line, len, needle, strlen(needle)))
			n++;
		line += len + (end ? 1 : 0);
	}
	return n;
}
