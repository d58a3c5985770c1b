// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cli/agent_flows.c against a fake agent: a thread of the test listens on a
 * Unix socket, keeps the request line it is sent and answers with the lines
 * the test wrote (records made with the real encoder). Checks the request
 * (all, the address allow lists, since, DROPPED), what is kept (records
 * between the two addresses, not those of one address with itself),
 * lost_events counted, L7 parts still in their storage after the arrays
 * grew, the agent's objects kept beside the records, and the failures (an
 * error line, a reply cut short, no agent).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_flows.h"

Suite *netobs_test_suite(void);

/* cli/common.c's --version handler calls it; the CLI's main.c is not linked here. */
void cli_print_version(void);
void cli_print_version(void)
{
}

#define T0_NS 1764067940000000000ULL

struct fake_agent {
	char path[108];
	int listen_fd;
	pthread_t thread;
	char *reply;	    /* the lines it answers with */
	char request[4096]; /* the request line it got */
};

static void *fake_agent_serve(void *arg)
{
	struct fake_agent *fa = arg;
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = accept(fa->listen_fd, NULL, NULL);
	if (fd < 0)
		return NULL;
	while (got < sizeof(fa->request) - 1 && !memchr(fa->request, '\n', got)) {
		n = read(fd, fa->request + got, sizeof(fa->request) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	fa->request[got] = '\0';
	/* A client that only checked the agent is there has gone: no SIGPIPE. */
	if (send(fd, fa->reply, strlen(fa->reply), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		perror("fake agent: send");
	close(fd);
	return NULL;
}

/* Listen, and answer the one connection to come with reply (the test's, freed by fake_agent_stop). */
static void fake_agent_start(struct fake_agent *fa, char *reply)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	memset(fa, 0, sizeof(*fa));
	snprintf(fa->path, sizeof(fa->path), "/tmp/netobs-test-agent-flows.%d.sock", (int)getpid());
	unlink(fa->path);
	fa->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fa->listen_fd, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", fa->path);
	ck_assert_int_eq(bind(fa->listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(fa->listen_fd, 4), 0);
	fa->reply = reply;
	ck_assert_int_eq(pthread_create(&fa->thread, NULL, fake_agent_serve, fa), 0);
}

static void fake_agent_stop(struct fake_agent *fa)
{
	pthread_join(fa->thread, NULL);
	close(fa->listen_fd);
	unlink(fa->path);
	free(fa->reply);
}

/* Reply lines, built up. */
struct lines {
	char *text;
	size_t len;
};

static void lines_add(struct lines *l, const char *line)
{
	size_t n = strlen(line);

	l->text = realloc(l->text, l->len + n + 2);
	ck_assert_ptr_nonnull(l->text);
	memcpy(l->text + l->len, line, n);
	l->text[l->len + n] = '\n';
	l->len += n + 1;
	l->text[l->len] = '\0';
}

static void lines_add_json(struct lines *l, json_t *obj)
{
	char *text;

	ck_assert_ptr_nonnull(obj);
	text = json_dumps(obj, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	lines_add(l, text);
	free(text);
	json_decref(obj);
}

/* A UDP flow record from src to dst, seq n; with a DNS query when query is set. */
static void lines_add_flow(struct lines *l, const char *src, const char *dst, uint64_t seq,
			   const char *query)
{
	struct netobs_record rec = {.kind = NETOBS_RECORD_FLOW, .seq = seq};
	struct netobs_flow_record *f = &rec.flow;
	struct netobs_l7 l7 = {.type = NETOBS_L7_REQUEST, .kind = NETOBS_L7_DNS};
	int family = strchr(src, ':') ? AF_INET6 : AF_INET;

	rec.time_ns = T0_NS + seq;
	inet_pton(family, src, f->key.saddr);
	inet_pton(family, dst, f->key.daddr);
	f->key.family = family == AF_INET6 ? NETOBS_FAMILY_IPV6 : NETOBS_FAMILY_IPV4;
	f->key.proto = IPPROTO_UDP;
	f->key.sport = htons(40000);
	f->key.dport = htons(53);
	f->packets = 1;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	if (query) {
		snprintf(l7.dns.query, sizeof(l7.dns.query), "%s", query);
		l7.dns.qtypes[0] = 1;
		l7.dns.qtypes_len = 1;
		f->l7 = &l7;
	}
	lines_add_json(l, netobs_record_to_json(&rec, "node1"));
}

static void lines_add_lost(struct lines *l, uint64_t count)
{
	struct netobs_record rec = {.kind = NETOBS_RECORD_LOST_EVENTS, .time_ns = T0_NS};

	rec.lost.count = count;
	rec.lost.cpu = -1;
	rec.lost.source = NETOBS_LOST_HUBBLE_RING_BUFFER;
	lines_add_json(l, netobs_record_to_json(&rec, "node1"));
}

/* Is v the list of strings a (, b)? */
static bool json_strings_are(const json_t *v, const char *a, const char *b)
{
	json_t *want = b ? json_pack("[ss]", a, b) : json_pack("[s]", a);
	bool equal = json_equal(v, want);

	json_decref(want);
	return equal;
}

/* .flow.l7.dns.query of an agent's object */
static const char *object_query(const json_t *obj)
{
	const json_t *l7 = json_object_get(json_object_get(obj, "flow"), "l7");

	return json_string_value(json_object_get(json_object_get(l7, "dns"), "query"));
}

static bool keep_odd_seq(const struct netobs_record *rec, void *arg)
{
	(void)arg;
	return rec->seq % 2 == 1;
}

static int fetch(struct fake_agent *fa, const struct agent_flows_query *q, struct agent_flows *f,
		 char *err, size_t errlen)
{
	struct cli_globals g = {.socket_path = fa->path};

	return agent_flows_fetch(&g, q, f, err, errlen);
}

/*
 * One fetch served l's lines (l is emptied): what the fetch returned, and
 * in *request (unless NULL) the request line it sent, parsed.
 */
static int fetch_served(struct lines *l, const struct agent_flows_query *q, struct agent_flows *f,
			char *err, size_t errlen, json_t **request)
{
	struct fake_agent fa;
	int ret;

	fake_agent_start(&fa, l->text);
	ret = fetch(&fa, q, f, err, errlen);
	fake_agent_stop(&fa);
	memset(l, 0, sizeof(*l));
	if (request) {
		*request = json_loads(fa.request, 0, NULL);
		ck_assert_ptr_nonnull(*request);
	}
	return ret;
}

START_TEST(test_request_and_records)
{
	struct agent_flows_query q = {.ip_a = "10.0.0.1", .ip_b = "10.0.0.2", .since_ns = T0_NS};
	struct agent_flows f = {.objects = json_array()};
	struct lines l = {0};
	json_t *req, *allow;
	char err[256] = "", name[64];
	size_t i;

	/* 40 records between the two (past the arrays' first size, 16), each with its own query. */
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "q%zu.example.", i);
		lines_add_flow(&l, i % 2 ? "10.0.0.2" : "10.0.0.1", i % 2 ? "10.0.0.1" : "10.0.0.2",
			       i + 1, name);
		if (i == 20) {
			/* What the allow lists still let through: one address with itself. */
			lines_add_flow(&l, "10.0.0.1", "10.0.0.1", 100, NULL);
			lines_add_flow(&l, "10.0.0.2", "10.0.0.2", 101, NULL);
			lines_add_lost(&l, 5);
			lines_add(&l, "{\"newer_kind\":{}}");
		}
	}
	lines_add_lost(&l, 2);
	lines_add(&l, "{\"done\":{\"count\":44}}");
	ck_assert_int_eq(fetch_served(&l, &q, &f, err, sizeof(err), &req), 0);
	ck_assert_str_eq(json_string_value(json_object_get(req, "request")), "flows");
	ck_assert(json_is_true(json_object_get(req, "all")));
	ck_assert(json_is_false(json_object_get(req, "follow")));
	allow = json_object_get(json_object_get(req, "filter"), "allow");
	ck_assert(json_strings_are(json_object_get(allow, "source_ip"), "10.0.0.1", "10.0.0.2"));
	ck_assert(
		json_strings_are(json_object_get(allow, "destination_ip"), "10.0.0.1", "10.0.0.2"));
	ck_assert_ptr_null(json_object_get(allow, "ip"));
	ck_assert_ptr_null(json_object_get(allow, "verdict"));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(req, "filter"), "since")),
		"1764067940000000000");
	json_decref(req);

	ck_assert_uint_eq(f.len, 40);
	ck_assert_uint_eq(f.lost, 7);
	ck_assert_uint_eq(json_array_size(f.objects), 40);
	for (i = 0; i < f.len; i++) {
		snprintf(name, sizeof(name), "q%zu.example.", i);
		ck_assert_uint_eq(f.recs[i].seq, i + 1);
		ck_assert_ptr_eq(f.recs[i].flow.l7, &f.storage[i].l7);
		ck_assert_str_eq(f.recs[i].flow.l7->dns.query, name);
		ck_assert_str_eq(object_query(json_array_get(f.objects, i)), name);
	}

	/* Keep the odd sequence numbers: the parts and the objects move with their records. */
	agent_flows_keep(&f, keep_odd_seq, NULL);
	ck_assert_uint_eq(f.len, 20);
	ck_assert_uint_eq(json_array_size(f.objects), 20);
	for (i = 0; i < f.len; i++) {
		snprintf(name, sizeof(name), "q%zu.example.", 2 * i);
		ck_assert_uint_eq(f.recs[i].seq, 2 * i + 1);
		ck_assert_ptr_eq(f.recs[i].flow.l7, &f.storage[i].l7);
		ck_assert_str_eq(f.recs[i].flow.l7->dns.query, name);
		ck_assert_str_eq(object_query(json_array_get(f.objects, i)), name);
	}
	agent_flows_free(&f);
	ck_assert_uint_eq(f.len, 0);
	ck_assert_ptr_nonnull(f.objects); /* the caller's */
	json_decref(f.objects);
}
END_TEST

START_TEST(test_one_address_drops_only_v6)
{
	struct agent_flows_query q = {.ip_a = "fd00::1", .drops_only = true};
	struct agent_flows f = {0};
	struct lines l = {0};
	json_t *req, *allow;
	char err[256] = "";

	lines_add_flow(&l, "fd00::1", "fd00::1", 1, NULL);
	lines_add_flow(&l, "fd00::9", "fd00::1", 2, NULL);
	lines_add(&l, "{\"done\":{\"count\":2}}");
	ck_assert_int_eq(fetch_served(&l, &q, &f, err, sizeof(err), &req), 0);
	allow = json_object_get(json_object_get(req, "filter"), "allow");
	ck_assert(json_strings_are(json_object_get(allow, "ip"), "fd00::1", NULL));
	ck_assert(json_strings_are(json_object_get(allow, "verdict"), "DROPPED", NULL));
	/* since 0: no bound */
	ck_assert_ptr_null(json_object_get(json_object_get(req, "filter"), "since"));
	json_decref(req);
	/* ip_b NULL: every record the agent sent is kept */
	ck_assert_uint_eq(f.len, 2);
	ck_assert_uint_eq(f.recs[1].flow.key.family, NETOBS_FAMILY_IPV6);
	agent_flows_free(&f);
}
END_TEST

START_TEST(test_failures)
{
	struct agent_flows_query q = {.ip_a = "10.0.0.1", .ip_b = "10.0.0.2"};
	struct cli_globals none = {.socket_path = "/tmp/netobs-test-no-such-agent.sock"};
	struct agent_flows f = {0};
	struct lines l = {0};
	char err[256] = "";

	/* An error line from the agent. */
	lines_add(&l, "{\"error\":{\"message\":\"bad filter\"}}");
	ck_assert_int_eq(fetch_served(&l, &q, &f, err, sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "failed"));

	/* A reply cut short: a record, no done line. */
	lines_add_flow(&l, "10.0.0.1", "10.0.0.2", 1, NULL);
	ck_assert_int_eq(fetch_served(&l, &q, &f, err, sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "closed the connection before the end of its reply"));

	/* A record that does not decode. */
	lines_add(&l, "{\"flow\":{\"IP\":7}}");
	lines_add(&l, "{\"done\":{}}");
	ck_assert_int_eq(fetch_served(&l, &q, &f, err, sizeof(err), NULL), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot decode a record from the agent"));

	/* Not an address: nothing is sent. */
	q.ip_b = "host.example";
	ck_assert_int_eq(agent_flows_fetch(&none, &q, &f, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'host.example' is not an IP address");

	/* No agent. */
	q.ip_b = NULL;
	ck_assert(!agent_flows_available(&none));
	ck_assert_int_eq(agent_flows_fetch(&none, &q, &f, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(
		strstr(err, "no flows from the agent at /tmp/netobs-test-no-such-agent"));
	agent_flows_free(&f);
}
END_TEST

START_TEST(test_available)
{
	struct lines l = {0};
	struct fake_agent fa;
	struct cli_globals g;

	lines_add(&l, "{\"done\":{}}");
	fake_agent_start(&fa, l.text);
	g = (struct cli_globals){.socket_path = fa.path};
	ck_assert(agent_flows_available(&g));
	fake_agent_stop(&fa);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("agent_flows");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_request_and_records);
	tcase_add_test(tc, test_one_address_drops_only_v6);
	tcase_add_test(tc, test_failures);
	tcase_add_test(tc, test_available);
	suite_add_tcase(s, tc);
	return s;
}
