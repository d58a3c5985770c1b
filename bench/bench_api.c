// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Records from the agent's store to a consumer (issue 9, part 3): how many
 * records per second `netobs flows` delivers, and the CPU the agent and the
 * CLI each spend per record.
 *
 * The agent side is the agent's own code (agent/server.c, agent/store.c,
 * agent_emit()) in a child process running its libuv loop on a private
 * socket; only the records are made here instead of by the datapath, so no
 * kernel, BPF or traffic generator stands between the store and the
 * measurement. The consumer is the real CLI binary (build/netobs), run as a
 * user runs it. Records are a mix like a busy node's: nine in ten L3/L4
 * (TCP and UDP between two endpoints and to the world, NEW/UPDATE/END),
 * one in twenty a DNS response with names, one in twenty an HTTP request.
 *
 * Cases, each ROUNDS times (medians printed):
 *   netobs flows --all -o json > /dev/null
 *   netobs flows --all -o compact > /dev/null
 *   netobs flows --all -o table > /dev/null
 *   netobs flows -f --last 0 -o json | (this bench counting lines), while
 *     the agent makes N new records as fast as it can
 * CPU: the agent's from /proc/PID/schedstat (ns), the CLI's from wait4().
 * The agent's CPU in the follow case includes making and storing the N
 * records; "emit only" measures that alone (no client connected).
 *
 * usage: bench_api [N [ROUNDS]]   records (default 300000), rounds (default 3)
 * The CLI is found beside the bench's build directory (../netobs) or in
 * $NETOBS_CLI. Prints measurements; never asserts on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

#define DEFAULT_RECORDS 300000
#define DEFAULT_ROUNDS	3
#define MAX_ROUNDS	15
#define EMIT_PER_TICK	2048 /* records made per loop iteration while following */

static struct agent agent;
static uint64_t emit_left, emit_next;
static uv_idle_t emit_idle;
static uv_signal_t emit_signal;

static struct netobs_l7 dns_l7, http_l7;
static struct netobs_names dns_names;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void make_l7_parts(void)
{
	dns_l7.type = NETOBS_L7_RESPONSE;
	dns_l7.kind = NETOBS_L7_DNS;
	dns_l7.latency_ns = 250000;
	snprintf(dns_l7.dns.query, sizeof(dns_l7.dns.query), "api.example.com.");
	dns_l7.dns.ttl = 300;
	dns_l7.dns.ips_len = 2;
	dns_l7.dns.ips[0].family = AF_INET;
	memcpy(dns_l7.dns.ips[0].addr, "\x5d\xb8\xd7\x0e", 4);
	dns_l7.dns.ips[1].family = AF_INET;
	memcpy(dns_l7.dns.ips[1].addr, "\x5d\xb8\xd7\x0f", 4);
	dns_l7.dns.qtypes_len = 1;
	dns_l7.dns.qtypes[0] = 1;
	dns_l7.dns.rrtypes_len = 1;
	dns_l7.dns.rrtypes[0] = 1;
	dns_names.len = 1;
	strcpy(dns_names.name[0], "dns.example.net.");

	http_l7.type = NETOBS_L7_REQUEST;
	http_l7.kind = NETOBS_L7_HTTP;
	strcpy(http_l7.http.method, "GET");
	strcpy(http_l7.http.url, "http://api.example.com/v1/items/42");
	strcpy(http_l7.http.protocol, "HTTP/1.1");
	http_l7.http.headers_len = 2;
	strcpy(http_l7.http.headers[0].key, "Host");
	strcpy(http_l7.http.headers[0].value, "api.example.com");
	strcpy(http_l7.http.headers[1].key, "User-Agent");
	strcpy(http_l7.http.headers[1].value, "curl/7.88.1");
}

/* Record i of the mix (see the top of the file). */
static void make_record(struct netobs_record *rec, uint64_t i)
{
	struct netobs_flow_record *f = &rec->flow;
	uint64_t now = agent_mono_to_wall_ns(agent_now_mono_ns());

	memset(rec, 0, sizeof(*rec));
	rec->kind = NETOBS_RECORD_FLOW;
	rec->time_ns = now;
	f->key.family = NETOBS_FAMILY_IPV4;
	f->key.eth_proto = htons(0x0800);
	f->key.ifindex = 7;
	memcpy(f->key.saddr, "\x0a\x00\x00\x02", 4);
	memcpy(f->key.daddr, i % 3 ? "\x0a\x00\x00\x03" : "\x5d\xb8\xd7\x0e", 4);
	f->key.sport = htons((uint16_t)(32768 + i % 28000));
	f->key.dport = htons(i % 3 ? 5432 : 443);
	f->key.proto = i % 7 ? 6 : 17;
	f->key.hook = NETOBS_HOOK_TC_INGRESS;
	f->packets = 1 + i % 100;
	f->bytes = 64 * f->packets;
	f->first_seen_ns = now - 1000000;
	f->last_seen_ns = now;
	f->src.id = 1;
	strcpy(f->src.name, "web-1");
	if (i % 3) {
		f->dst.id = 2;
		strcpy(f->dst.name, "db-1");
	} else {
		f->dst.identity = NETOBS_IDENTITY_WORLD;
	}
	strcpy(f->ifname, "veth-web");
	f->event = (uint8_t)(i % 4 == 0	  ? NETOBS_FLOW_EVENT_NEW
			     : i % 4 == 3 ? NETOBS_FLOW_EVENT_END
					  : NETOBS_FLOW_EVENT_UPDATE);
	if (f->event == NETOBS_FLOW_EVENT_END)
		f->end_reason = 1;
	f->verdict = NETOBS_VERDICT_FORWARDED;
	f->direction = NETOBS_DIR_EGRESS;
	f->obs_point = NETOBS_OBS_FROM_ENDPOINT;
	f->is_reply = 0;
	if (f->key.proto == 6) {
		f->tcp_flags = f->event == NETOBS_FLOW_EVENT_NEW ? 0x02 : 0;
		f->tcp_flags_seen = 0x18;
	}
	if (i % 20 == 5) {
		f->key.proto = 17;
		f->key.dport = htons(53);
		f->event = NETOBS_FLOW_EVENT_NEW;
		f->end_reason = 0;
		f->tcp_flags = f->tcp_flags_seen = 0;
		f->l7 = &dns_l7;
		f->destination_names = &dns_names;
	} else if (i % 20 == 15) {
		f->key.proto = 6;
		f->key.dport = htons(80);
		f->event = NETOBS_FLOW_EVENT_NEW;
		f->end_reason = 0;
		f->tcp_flags = f->tcp_flags_seen = 0;
		f->l7 = &http_l7;
	}
}

static void emit_records(uint64_t n)
{
	struct netobs_record rec;

	for (uint64_t i = 0; i < n; i++) {
		make_record(&rec, emit_next++);
		agent_emit(&agent, &rec);
	}
}

static void emit_tick_cb(uv_idle_t *idle)
{
	uint64_t n = emit_left < EMIT_PER_TICK ? emit_left : EMIT_PER_TICK;

	emit_records(n);
	emit_left -= n;
	if (!emit_left)
		uv_idle_stop(idle);
}

/* SIGUSR1: make the follow case's records, EMIT_PER_TICK per loop iteration
 * so the loop writes to the followers between them, as the live agent's
 * ring-buffer wakeups do. */
static void emit_signal_cb(uv_signal_t *sig, int signum)
{
	(void)signum;
	emit_left = *(uint64_t *)sig->data;
	uv_idle_start(&emit_idle, emit_tick_cb);
}

static void stop_signal_cb(uv_signal_t *sig, int signum)
{
	(void)signum;
	server_stop(&agent);
	uv_close((uv_handle_t *)sig, NULL);
	uv_close((uv_handle_t *)&emit_signal, NULL);
	uv_close((uv_handle_t *)&emit_idle, NULL);
}

static void write_u64(int fd, uint64_t v)
{
	if (write(fd, &v, sizeof(v)) != sizeof(v))
		_exit(1);
}

/* The agent process: report how long storing `emit_only` records took with
 * no client, store `history` more, then serve; each SIGUSR1 makes follow_n
 * new records (room for follow_rounds of them: nothing is evicted). */
static void agent_child(const char *socket_path, uint64_t history, uint64_t follow_n,
			uint64_t follow_rounds, uint64_t emit_only, int ready_fd)
{
	static uv_signal_t stop_signal;
	char err[256];
	uint64_t t0, cpu0;
	struct timespec ts;

	agent.loop = uv_default_loop();
	snprintf(agent.cfg.socket_path, sizeof(agent.cfg.socket_path), "%s", socket_path);
	snprintf(agent.cfg.node_name, sizeof(agent.cfg.node_name), "bench-node");
	agent.cfg.store_size = (uint32_t)(history + follow_n * follow_rounds + emit_only);
	agent.cfg.client_queue = agent.cfg.store_size;
	agent.cfg.max_clients = 16;
	agent.cfg.request_timeout_s = 10;
	if (record_store_init(&agent.store, agent.cfg.store_size)) {
		fprintf(stderr, "bench_api: out of memory for the store\n");
		_exit(1);
	}
	/* A running agent's store has been written before (it is a ring): touch
	 * it now, so that the cases measure serving records, not the first
	 * page faults of a store sized for every round (7% of the agent's time
	 * in the follow case, whose records land in fresh memory). */
	memset(agent.store.ring, 0, agent.store.capacity * sizeof(*agent.store.ring));
	memset(agent.store.arena, 0, agent.store.arena_size);
	make_l7_parts();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	cpu0 = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	t0 = now_ns();
	emit_records(emit_only);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	write_u64(ready_fd, now_ns() - t0);
	write_u64(ready_fd, (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec - cpu0);
	emit_records(history);
	if (server_start(&agent, err, sizeof(err))) {
		fprintf(stderr, "bench_api: %s\n", err);
		_exit(1);
	}
	uv_idle_init(agent.loop, &emit_idle);
	uv_signal_init(agent.loop, &emit_signal);
	emit_signal.data = &follow_n;
	uv_signal_start(&emit_signal, emit_signal_cb, SIGUSR1);
	uv_signal_init(agent.loop, &stop_signal);
	uv_signal_start(&stop_signal, stop_signal_cb, SIGTERM);
	write_u64(ready_fd, agent.store.next_seq - 1);
	close(ready_fd);
	uv_run(agent.loop, UV_RUN_DEFAULT);
	_exit(0);
}

static uint64_t agent_cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu", &ns) != 1) {
		fprintf(stderr, "bench_api: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	return ns;
}

static pid_t spawn_cli(const char *cli, const char *socket_path, char *const extra[], int out_fd)
{
	char *argv[16];
	int n = 0;
	pid_t pid;

	argv[n++] = (char *)cli;
	argv[n++] = (char *)"flows";
	argv[n++] = (char *)"--socket";
	argv[n++] = (char *)socket_path;
	for (int i = 0; extra[i]; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		dup2(out_fd, STDOUT_FILENO);
		execv(cli, argv);
		perror("bench_api: exec netobs");
		_exit(127);
	}
	return pid;
}

static uint64_t rusage_cpu_ns(const struct rusage *ru)
{
	return (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000000ULL +
	       (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) * 1000ULL;
}

struct sample {
	double wall_s, agent_ns, cli_ns;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const char *name, const struct sample *s, int rounds, uint64_t n)
{
	double rate[MAX_ROUNDS], agent_us[MAX_ROUNDS], cli[MAX_ROUNDS];
	double r, ag, cl;

	printf("  %-32s", name);
	for (int i = 0; i < rounds; i++) {
		rate[i] = (double)n / s[i].wall_s;
		agent_us[i] = s[i].agent_ns / (double)n / 1000.0;
		cli[i] = s[i].cli_ns / (double)n / 1000.0;
		printf(" %8.0f", rate[i]);
	}
	r = median(rate, rounds);
	ag = median(agent_us, rounds);
	cl = median(cli, rounds);
	printf("\n  %-32s median %9.0f records/s   agent %6.3f us/record   CLI %6.3f us/record\n",
	       "", r, ag, cl);
}

/* One --all reply to /dev/null. */
static struct sample run_all(const char *cli, const char *sock, pid_t agent_pid, const char *mode)
{
	char *extra[] = {"--all", "-o", (char *)mode, NULL};
	int devnull = open("/dev/null", O_WRONLY);
	struct sample s;
	struct rusage ru;
	uint64_t t0, cpu0;
	int status;
	pid_t pid;

	cpu0 = agent_cpu_ns(agent_pid);
	t0 = now_ns();
	pid = spawn_cli(cli, sock, extra, devnull);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_api: netobs flows -o %s failed\n", mode);
		exit(1);
	}
	s.wall_s = (double)(now_ns() - t0) / 1e9;
	s.agent_ns = (double)(agent_cpu_ns(agent_pid) - cpu0);
	s.cli_ns = (double)rusage_cpu_ns(&ru);
	close(devnull);
	return s;
}

/*
 * Count records (and lost ones) in the follower's output until n are
 * accounted for. Lines are found with memchr() and only a line's first
 * bytes are looked at: the counter shares the machine with the agent and
 * the CLI, and one that looked at every byte in a loop of its own (as it
 * did) cost about as much CPU a record as the CLI, which held the follow
 * case back on 2 vCPUs.
 */
static uint64_t count_follow_output(int fd, uint64_t n, uint64_t *lost)
{
	static char buf[1 << 16];
	uint64_t lines = 0, accounted = 0;
	char head[256] = ""; /* a line's first bytes: a lost_events line's count is in them */
	size_t head_len = 0;
	ssize_t got;

	*lost = 0;
	while (accounted < n && (got = read(fd, buf, sizeof(buf))) > 0) {
		const char *p = buf, *end = buf + got;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t take = (size_t)((nl ? nl : end) - p);

			if (take > sizeof(head) - 1 - head_len)
				take = sizeof(head) - 1 - head_len;
			memcpy(head + head_len, p, take);
			head_len += take;
			if (!nl)
				break;
			p = nl + 1;
			head[head_len] = '\0';
			if (!strncmp(head, "{\"lost_events\"", 14)) {
				const char *c = strstr(head, "num_events_lost\":\"");
				uint64_t count = c ? strtoull(c + 18, NULL, 10) : 0;

				*lost += count;
				accounted += count;
			} else {
				accounted++;
			}
			lines++;
			head_len = 0;
		}
	}
	return lines;
}

static struct sample run_follow(const char *cli, const char *sock, pid_t agent_pid, uint64_t n,
				const char *mode, uint64_t *lost)
{
	char *extra[] = {"-f", "--last", "0", "-o", (char *)mode, NULL};
	struct timespec settle = {.tv_nsec = 300000000};
	struct sample s;
	struct rusage ru;
	uint64_t t0, cpu0;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds)) {
		perror("bench_api: pipe");
		exit(1);
	}
	pid = spawn_cli(cli, sock, extra, fds[1]);
	close(fds[1]);
	nanosleep(&settle, NULL); /* connected and caught up */
	cpu0 = agent_cpu_ns(agent_pid);
	t0 = now_ns();
	kill(agent_pid, SIGUSR1);
	count_follow_output(fds[0], n, lost);
	s.wall_s = (double)(now_ns() - t0) / 1e9;
	s.agent_ns = (double)(agent_cpu_ns(agent_pid) - cpu0);
	kill(pid, SIGINT);
	if (wait4(pid, &status, 0, &ru) != pid) {
		fprintf(stderr, "bench_api: the follower did not stop\n");
		exit(1);
	}
	s.cli_ns = (double)rusage_cpu_ns(&ru);
	close(fds[0]);
	return s;
}

static void find_cli(char *out, size_t len)
{
	const char *env = getenv("NETOBS_CLI");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		perror("bench_api: /proc/self/exe");
		exit(1);
	}
	self[n] = '\0';
	/* build/bench/bench_api -> build/netobs */
	snprintf(out, len, "%s/netobs", dirname(dirname(self)));
	if (access(out, X_OK)) {
		fprintf(stderr, "bench_api: no netobs CLI at %s; set NETOBS_CLI\n", out);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : DEFAULT_RECORDS;
	int rounds = argc > 2 ? atoi(argv[2]) : DEFAULT_ROUNDS;
	char dir[] = "/tmp/netobs-bench-api-XXXXXX", sock[64], cli[PATH_MAX];
	struct sample all_json[MAX_ROUNDS], all_compact[MAX_ROUNDS], all_table[MAX_ROUNDS];
	struct sample follow[MAX_ROUNDS];
	uint64_t emit_wall, emit_cpu, stored, lost_total = 0;
	int ready[2];
	pid_t agent_pid;

	if (!n || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench_api [N [ROUNDS]]   (ROUNDS 1-%d)\n", MAX_ROUNDS);
		return 2;
	}
	find_cli(cli, sizeof(cli));
	if (!mkdtemp(dir) || pipe(ready)) {
		perror("bench_api");
		return 1;
	}
	snprintf(sock, sizeof(sock), "%s/netobs.sock", dir);
	signal(SIGPIPE, SIG_IGN);
	agent_pid = fork();
	if (agent_pid == 0) {
		close(ready[0]);
		agent_child(sock, n, n, (uint64_t)rounds, n, ready[1]);
	}
	close(ready[1]);
	if (read(ready[0], &emit_wall, 8) != 8 || read(ready[0], &emit_cpu, 8) != 8 ||
	    read(ready[0], &stored, 8) != 8) {
		fprintf(stderr, "bench_api: the agent process did not start\n");
		return 1;
	}
	close(ready[0]);

	printf("%llu records per case (%llu stored), %d rounds; CLI %s\n", (unsigned long long)n,
	       (unsigned long long)stored, rounds, cli);
	printf("records/s per round, then medians; CPU per record delivered\n");
	/* Every --all reply first: the follow rounds add records to the store. */
	for (int r = 0; r < rounds; r++) {
		all_json[r] = run_all(cli, sock, agent_pid, "json");
		all_compact[r] = run_all(cli, sock, agent_pid, "compact");
		all_table[r] = run_all(cli, sock, agent_pid, "table");
	}
	for (int r = 0; r < rounds; r++) {
		uint64_t lost;

		follow[r] = run_follow(cli, sock, agent_pid, n, "json", &lost);
		lost_total += lost;
	}
	report("flows --all -o json >/dev/null", all_json, rounds, stored);
	report("flows --all -o compact", all_compact, rounds, stored);
	report("flows --all -o table", all_table, rounds, stored);
	report("flows -f -o json (N new)", follow, rounds, n);
	printf("  emit only (make + store, no client): %.0f records/s, %.3f us CPU/record\n",
	       (double)n / ((double)emit_wall / 1e9), (double)emit_cpu / (double)n / 1000.0);
	printf("  follower lost_events: %llu records\n", (unsigned long long)lost_total);
	kill(agent_pid, SIGTERM);
	waitpid(agent_pid, NULL, 0);
	rmdir(dir);
	return 0;
}
