// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The API client: line reader, connect errors, request lines (lib/api.c). */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"

Suite *netobs_test_suite(void);

struct pair {
	int reader, writer;
};

static struct pair make_pair(void)
{
	int fds[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	return (struct pair){.reader = fds[0], .writer = fds[1]};
}

static void write_str(int fd, const char *s)
{
	ck_assert_int_eq(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* Expect the next line to be want (NULL: end of stream). */
static void expect_line(struct netobs_line_reader *r, const char *want)
{
	char *line;
	long n = netobs_line_reader_next(r, &line);

	if (!want) {
		ck_assert_int_eq(n, 0);
		ck_assert_ptr_null(line);
		return;
	}
	ck_assert_int_eq(n, (long)strlen(want));
	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(line, want);
}

START_TEST(test_reader_splits_lines)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;

	write_str(p.writer, "a\nbc\n\n{\"done\":{}}\n");
	close(p.writer);
	netobs_line_reader_init(&r, p.reader, 1024);
	expect_line(&r, "a");
	expect_line(&r, "bc");
	expect_line(&r, "");
	expect_line(&r, "{\"done\":{}}");
	expect_line(&r, NULL);
	netobs_line_reader_free(&r);
	close(p.reader);
}
END_TEST

/* Lines of many lengths through a buffer of max 100 bytes: the bytes left
 * after the lines handed out move to the front each time it fills; and
 * has_line tells whether the next line is already read. */
static void *write_numbered(void *arg)
{
	int fd = *(int *)arg;
	char line[128];

	for (int i = 0; i < 2000; i++) {
		int n = snprintf(
			line, sizeof(line), "%d:%.*s\n", i, i % 90,
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");

		ck_assert_int_eq(write(fd, line, (size_t)n), n);
	}
	close(fd);
	return NULL;
}

START_TEST(test_reader_compacts_and_has_line)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;
	pthread_t writer;
	char want[128];

	ck_assert_int_eq(pthread_create(&writer, NULL, write_numbered, &p.writer), 0);
	netobs_line_reader_init(&r, p.reader, 100);
	ck_assert(!netobs_line_reader_has_line(&r));
	for (int i = 0; i < 2000; i++) {
		snprintf(want, sizeof(want), "%d:%.*s", i, i % 90,
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		expect_line(&r, want);
		ck_assert_uint_le(r.cap, 101);
	}
	pthread_join(writer, NULL);
	ck_assert(!netobs_line_reader_has_line(&r));
	expect_line(&r, NULL);
	netobs_line_reader_free(&r);
	close(p.reader);

	/* Three lines in one read: after the first, the second is at hand. */
	p = make_pair();
	write_str(p.writer, "one\ntwo\nthr");
	netobs_line_reader_init(&r, p.reader, 100);
	expect_line(&r, "one");
	ck_assert(netobs_line_reader_has_line(&r));
	expect_line(&r, "two");
	ck_assert(!netobs_line_reader_has_line(&r)); /* "thr" has no newline yet */
	write_str(p.writer, "ee\n");
	close(p.writer);
	expect_line(&r, "three");
	expect_line(&r, NULL);
	netobs_line_reader_free(&r);
	close(p.reader);
}
END_TEST

/* Writes pieces with pauses, so the reader sees them in separate reads. */
static const char *const pieces[] = {"hel", "lo\nwor", "ld", "\nlast\n", NULL};

static void *write_pieces(void *arg)
{
	int fd = *(int *)arg;
	size_t i;

	for (i = 0; pieces[i]; i++) {
		usleep(20000);
		write_str(fd, pieces[i]);
	}
	close(fd);
	return NULL;
}

START_TEST(test_reader_lines_across_reads)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;
	pthread_t writer;

	ck_assert_int_eq(pthread_create(&writer, NULL, write_pieces, &p.writer), 0);
	netobs_line_reader_init(&r, p.reader, 1024);
	expect_line(&r, "hello");
	expect_line(&r, "world");
	expect_line(&r, "last");
	expect_line(&r, NULL);
	pthread_join(writer, NULL);
	netobs_line_reader_free(&r);
	close(p.reader);
}
END_TEST

/* Lines longer than the first buffer make it grow; a line of exactly max is fine. */
START_TEST(test_reader_grows_to_max)
{
	enum {
		LONG = 10000
	};
	struct pair p = make_pair();
	struct netobs_line_reader r;
	char *text = malloc(LONG + 1);

	memset(text, 'x', LONG);
	text[LONG] = '\0';
	netobs_line_reader_init(&r, p.reader, LONG);
	/* Two lines larger than the socket's default buffer would need a
	 * concurrent writer; one fits. */
	write_str(p.writer, text);
	write_str(p.writer, "\nok\n");
	close(p.writer);
	expect_line(&r, text);
	expect_line(&r, "ok");
	expect_line(&r, NULL);
	netobs_line_reader_free(&r);
	close(p.reader);
	free(text);
}
END_TEST

START_TEST(test_reader_rejects_long_line)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;
	char text[102];
	char *line;

	memset(text, 'y', 101);
	text[101] = '\0';
	write_str(p.writer, text); /* 101 bytes, no newline yet */
	write_str(p.writer, "\n");
	close(p.writer);
	netobs_line_reader_init(&r, p.reader, 100);
	ck_assert_int_eq(netobs_line_reader_next(&r, &line), -EMSGSIZE);
	netobs_line_reader_free(&r);
	close(p.reader);
}
END_TEST

START_TEST(test_reader_rejects_long_line_without_newline)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;
	char text[300];
	char *line;

	/* The writer stays open: the reader must give up at max, not wait. */
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	write_str(p.writer, text);
	netobs_line_reader_init(&r, p.reader, 100);
	ck_assert_int_eq(netobs_line_reader_next(&r, &line), -EMSGSIZE);
	netobs_line_reader_free(&r);
	close(p.writer);
	close(p.reader);
}
END_TEST

START_TEST(test_reader_eof_mid_line)
{
	struct pair p = make_pair();
	struct netobs_line_reader r;
	char *line;

	write_str(p.writer, "abc\nde");
	close(p.writer);
	netobs_line_reader_init(&r, p.reader, 1024);
	expect_line(&r, "abc");
	ck_assert_int_eq(netobs_line_reader_next(&r, &line), -EPROTO);
	netobs_line_reader_free(&r);
	close(p.reader);
}
END_TEST

/* A fresh directory for socket paths. */
static char tmpdir[64];

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/netobs-test-api.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(const char *sock)
{
	unlink(sock);
	rmdir(tmpdir);
}

START_TEST(test_connect_missing_socket)
{
	char path[128], err[512] = "";

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/nobody.sock", tmpdir);
	ck_assert_int_eq(netobs_api_connect(path, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "netobs-agent"));
	ck_assert_ptr_nonnull(strstr(err, "not running"));
	ck_assert_ptr_null(strchr(err, '\n'));
	remove_tmpdir(path);
}
END_TEST

static int bind_unix(const char *path, bool listening)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	strcpy(addr.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	if (listening)
		ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

START_TEST(test_connect_stale_socket)
{
	char path[128], err[512] = "";

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/dead-agent.sock", tmpdir);
	/* An agent that died without unlinking its socket leaves this behind. */
	close(bind_unix(path, false));
	ck_assert_int_eq(netobs_api_connect(path, err, sizeof(err)), -ECONNREFUSED);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, "stale socket"));
	ck_assert_ptr_nonnull(strstr(err, "netobs-agent"));
	remove_tmpdir(path);
}
END_TEST

START_TEST(test_connect_path_too_long)
{
	char path[200], err[512] = "";

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(netobs_api_connect(path, err, sizeof(err)), -ENAMETOOLONG);
	ck_assert_ptr_nonnull(strstr(err, "199 bytes"));
}
END_TEST

START_TEST(test_connect_and_send_one_line)
{
	const char *want = "{\"request\":\"flows\",\"last\":20,\"follow\":false}\n";
	char path[128], err[512] = "", got[256];
	int listener, client, server;
	json_t *msg;
	ssize_t n, total = 0;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/agent.sock", tmpdir);
	listener = bind_unix(path, true);
	client = netobs_api_connect(path, err, sizeof(err));
	ck_assert_msg(client >= 0, "connect: %s", err);
	server = accept(listener, NULL, NULL);
	ck_assert_int_ge(server, 0);

	msg = json_object();
	json_object_set_new(msg, "request", json_string("flows"));
	json_object_set_new(msg, "last", json_integer(20));
	json_object_set_new(msg, "follow", json_false());
	ck_assert_int_eq(netobs_api_send(client, msg), 0);
	json_decref(msg);
	close(client);
	while ((n = read(server, got + total, sizeof(got) - 1 - (size_t)total)) > 0)
		total += n;
	got[total] = '\0';
	ck_assert_str_eq(got, want);

	close(server);
	close(listener);
	remove_tmpdir(path);
}
END_TEST

START_TEST(test_send_to_closed_peer)
{
	struct pair p = make_pair();
	json_t *msg = json_pack("{s:s}", "request", "status");

	close(p.reader);
	/* -EPIPE, and no SIGPIPE killing the test. */
	ck_assert_int_eq(netobs_api_send(p.writer, msg), -EPIPE);
	json_decref(msg);
	close(p.writer);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("api");
	TCase *reader = tcase_create("line_reader");
	TCase *client = tcase_create("client");

	tcase_add_test(reader, test_reader_splits_lines);
	tcase_add_test(reader, test_reader_lines_across_reads);
	tcase_add_test(reader, test_reader_compacts_and_has_line);
	tcase_add_test(reader, test_reader_grows_to_max);
	tcase_add_test(reader, test_reader_rejects_long_line);
	tcase_add_test(reader, test_reader_rejects_long_line_without_newline);
	tcase_add_test(reader, test_reader_eof_mid_line);
	tcase_add_test(client, test_connect_missing_socket);
	tcase_add_test(client, test_connect_stale_socket);
	tcase_add_test(client, test_connect_path_too_long);
	tcase_add_test(client, test_connect_and_send_one_line);
	tcase_add_test(client, test_send_to_closed_peer);
	suite_add_tcase(s, reader);
	suite_add_tcase(s, client);
	return s;
}
