// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's servers: TCP and UDP echo, HTTP/1.1 and HTTPS on
 * the echo endpoint, a DNS server for the test zone (cli/ct_dns_server.c),
 * and TCP echo and HTTP on the host at the bridge's addresses. Each is its
 * own daemon (so a test can stop one alone and the rest go on), found again
 * by its pid file and its process name (nct-echo-http) by a later run or a
 * cleanup. Each TCP connection is served by a forked child with an alarm,
 * so a stuck client never holds up another and never lives long.
 */
#define _GNU_SOURCE /* setns, close_range, accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ct_internal.h"

#define CT_CONN_TIMEOUT_S   10	 /* a connection's child lives at most this long */
#define CT_HTTP_HEAD_MAX    8192 /* a request head longer than this is answered 431 */
#define CT_DRAIN_TIMEOUT_MS 1000 /* after our response: wait for the client's FIN */

enum ct_proto {
	CT_PROTO_TCP_ECHO,
	CT_PROTO_UDP_ECHO,
	CT_PROTO_HTTP,
	CT_PROTO_HTTPS,
	CT_PROTO_DNS, /* UDP and TCP */
};

struct ct_server_desc {
	const char *name;
	enum ct_node_id node;
	enum ct_proto proto;
	uint16_t port;
};

static const struct ct_server_desc ct_servers[CT_SERVER__COUNT] = {
	[CT_SERVER_TCP] = {"echo-tcp", CT_NODE_ECHO, CT_PROTO_TCP_ECHO, CT_PORT_TCP},
	[CT_SERVER_UDP] = {"echo-udp", CT_NODE_ECHO, CT_PROTO_UDP_ECHO, CT_PORT_UDP},
	[CT_SERVER_HTTP] = {"echo-http", CT_NODE_ECHO, CT_PROTO_HTTP, CT_PORT_HTTP},
	[CT_SERVER_HTTPS] = {"echo-https", CT_NODE_ECHO, CT_PROTO_HTTPS, CT_PORT_HTTPS},
	[CT_SERVER_DNS] = {"echo-dns", CT_NODE_ECHO, CT_PROTO_DNS, CT_PORT_DNS},
	[CT_SERVER_HOST_TCP] = {"host-tcp", CT_NODE_HOST, CT_PROTO_TCP_ECHO, CT_HOST_PORT_TCP},
	[CT_SERVER_HOST_HTTP] = {"host-http", CT_NODE_HOST, CT_PROTO_HTTP, CT_HOST_PORT_HTTP},
};

const char *ct_server_name(enum ct_server_id s)
{
	if ((int)s < 0 || s >= CT_SERVER__COUNT)
		return "unknown";
	return ct_servers[s].name;
}

/* ---- finding a server again */

bool ct_server_pid_is(pid_t pid, enum ct_server_id s)
{
	char path[64], stat[256], comm[32];
	const char *open_paren, *close_paren;
	size_t comm_len;
	ssize_t n;
	int fd;

	if (pid <= 0 || (int)s < 0 || s >= CT_SERVER__COUNT)
		return false;
	/* /proc/PID/stat is "PID (COMM) STATE ...": COMM is ours, STATE is not a zombie. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = '\0';
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ')
		return false;
	comm_len = (size_t)(close_paren - open_paren - 1);
	snprintf(comm, sizeof(comm), "%s%s", CT_SERVER_COMM_PREFIX, ct_servers[s].name);
	if (comm_len != strlen(comm) || memcmp(open_paren + 1, comm, comm_len) != 0)
		return false;
	return close_paren[2] != 'Z' && close_paren[2] != 'X';
}

pid_t ct_server_pid_read(enum ct_server_id s)
{
	char path[PATH_MAX], text[32];
	ssize_t n;
	long pid;
	int fd;

	snprintf(path, sizeof(path), "%s/%s.pid", CT_STATE_DIR, ct_server_name(s));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	pid = strtol(text, NULL, 10);
	if (pid <= 0 || pid > 0x3fffffff || !ct_server_pid_is((pid_t)pid, s))
		return 0;
	return (pid_t)pid;
}

/* ---- I/O on a connection, plain or TLS */

struct ct_stream {
	int fd;
	SSL *ssl; /* NULL: plain TCP */
};

static ssize_t stream_read(struct ct_stream *st, void *buf, size_t len)
{
	ssize_t n;

	if (st->ssl) {
		int r = SSL_read(st->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);

		return r > 0 ? r : 0;
	}
	do
		n = read(st->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int stream_write_all(struct ct_stream *st, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;

		if (st->ssl) {
			int r = SSL_write(st->ssl, p, len > INT32_MAX ? INT32_MAX : (int)len);

			n = r > 0 ? r : -1;
		} else {
			n = send(st->fd, p, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
		}
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Our side is done: say so (FIN, or TLS close_notify) and let the client close first. */
static void stream_finish(struct ct_stream *st)
{
	struct pollfd pfd = {.fd = st->fd, .events = POLLIN};
	char sink[512];

	if (st->ssl)
		SSL_shutdown(st->ssl);
	shutdown(st->fd, SHUT_WR);
	/* Unread bytes at close() would make the kernel send RST instead of FIN. */
	while (poll(&pfd, 1, CT_DRAIN_TIMEOUT_MS) > 0 && read(st->fd, sink, sizeof(sink)) > 0)
		;
}

/* ---- the protocols */

static void tcp_echo_serve(struct ct_stream *st)
{
	char buf[4096];
	ssize_t n;

	while ((n = stream_read(st, buf, sizeof(buf))) > 0)
		if (stream_write_all(st, buf, (size_t)n))
			return;
	shutdown(st->fd, SHUT_WR);
}

static void udp_echo_serve_datagram(int fd)
{
	struct sockaddr_storage peer;
	socklen_t peer_len = sizeof(peer);
	char buf[65536];
	ssize_t n;

	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&peer, &peer_len);
	if (n >= 0)
		sendto(fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&peer, peer_len);
}

static const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 204:
		return "No Content";
	case 301:
		return "Moved Permanently";
	case 302:
		return "Found";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 418:
		return "I'm a teapot";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Status";
	}
}

/* The status a request target asks for: / (any query) is 200, /status/NNN is NNN (200-599), else 404. */
static int http_status_for(const char *target)
{
	char *end;
	long status;

	if (strcmp(target, "/") == 0 || strncmp(target, "/?", 2) == 0)
		return 200;
	if (strncmp(target, "/status/", 8) != 0)
		return 404;
	status = strtol(target + 8, &end, 10);
	if (end == target + 8 || (*end && *end != '?') || status < 200 || status > 599)
		return 404;
	return (int)status;
}

static void http_respond(struct ct_stream *st, const char *server_name, int status, bool head)
{
	char response[512], body[128], length[48] = "";
	bool has_body = status != 204 && status != 304; /* RFC 9110 6.4.1: never a body */
	int head_len, body_len = 0;

	if (has_body) {
		body_len = snprintf(body, sizeof(body), "netobs connectivity test: %s, %d %s\n",
				    server_name, status, http_reason(status));
		snprintf(length, sizeof(length), "Content-Length: %d\r\n", body_len);
	}
	head_len = snprintf(response, sizeof(response),
			    "HTTP/1.1 %d %s\r\n"
			    "Server: netobs-ct\r\n"
			    "Content-Type: text/plain\r\n"
			    "%s"
			    "Connection: close\r\n\r\n",
			    status, http_reason(status), length);
	if (stream_write_all(st, response, (size_t)head_len) == 0 && !head && body_len > 0)
		stream_write_all(st, body, (size_t)body_len);
}

/* One request per connection (Connection: close): flows stay one request each. */
static void http_serve(struct ct_stream *st, const char *server_name)
{
	char head[CT_HTTP_HEAD_MAX + 1], method[16], target[1024], version[16];
	size_t len = 0;

	for (;;) {
		ssize_t n;

		if (len == CT_HTTP_HEAD_MAX) {
			http_respond(st, server_name, 431, false);
			goto out;
		}
		n = stream_read(st, head + len, CT_HTTP_HEAD_MAX - len);
		if (n <= 0)
			return;
		len += (size_t)n;
		head[len] = '\0';
		if (strstr(head, "\r\n\r\n") || strstr(head, "\n\n"))
			break;
	}
	if (sscanf(head, "%15s %1023s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0) {
		http_respond(st, server_name, 400, false);
		goto out;
	}
	http_respond(st, server_name, http_status_for(target), strcmp(method, "HEAD") == 0);
out:
	stream_finish(st);
}

static SSL_CTX *tls_context_load(char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, CT_STATE_DIR "/" CT_CERT_FILE) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, CT_STATE_DIR "/" CT_KEY_FILE, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "loading %s/%s and %s: %s", CT_STATE_DIR, CT_CERT_FILE,
			 CT_KEY_FILE, ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static void https_serve(int fd, SSL_CTX *ctx, const char *server_name)
{
	struct ct_stream st = {.fd = fd};

	st.ssl = SSL_new(ctx);
	if (!st.ssl || SSL_set_fd(st.ssl, fd) != 1)
		return;
	/* A client that rejects our certificate ends here, with its alert. */
	if (SSL_accept(st.ssl) == 1)
		http_serve(&st, server_name);
	SSL_free(st.ssl);
}

/* ---- the daemon */

struct ct_listeners {
	struct pollfd fds[4];
	int types[4]; /* SOCK_STREAM or SOCK_DGRAM */
	unsigned int count;
};

static int listener_add(struct ct_listeners *l, int type, const char *addr, uint16_t port,
			char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t ss_len;
	int fd, one = 1;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ss_len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ss_len = sizeof(*sin6);
	} else {
		snprintf(err, errlen, "bad address %s", addr);
		return -1;
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, ss_len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		int bind_errno = errno;

		snprintf(err, errlen, "%s %s port %u: %s%s", type == SOCK_STREAM ? "TCP" : "UDP",
			 addr, port, strerror(bind_errno),
			 bind_errno == EADDRINUSE
				 ? " (another program listens there: see `ss -ltnup`, "
				   "stop it or run netobs connectivity cleanup)"
				 : "");
		close(fd);
		return -1;
	}
	l->fds[l->count] = (struct pollfd){.fd = fd, .events = POLLIN};
	l->types[l->count++] = type;
	return 0;
}

struct ct_daemon {
	const struct ct_server_desc *desc;
	struct ct_listeners listeners;
	SSL_CTX *tls;		 /* HTTPS */
	struct ct_dns_zone zone; /* DNS */
};

static void connection_serve(const struct ct_daemon *d, int fd)
{
	struct ct_stream st = {.fd = fd};

	switch (d->desc->proto) {
	case CT_PROTO_TCP_ECHO:
		tcp_echo_serve(&st);
		break;
	case CT_PROTO_HTTP:
		http_serve(&st, d->desc->name);
		break;
	case CT_PROTO_HTTPS:
		https_serve(fd, d->tls, d->desc->name);
		break;
	case CT_PROTO_DNS:
		ct_dns_serve_stream(fd, &d->zone);
		break;
	case CT_PROTO_UDP_ECHO:
		break;
	}
}

static void datagram_serve(const struct ct_daemon *d, int fd)
{
	if (d->desc->proto == CT_PROTO_DNS)
		ct_dns_serve_datagram(fd, &d->zone);
	else
		udp_echo_serve_datagram(fd);
}

static void connection_accept(const struct ct_daemon *d, int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	pid_t pid;

	if (fd < 0)
		return;
	pid = fork();
	if (pid == 0) {
		for (unsigned int i = 0; i < d->listeners.count; i++)
			close(d->listeners.fds[i].fd);
		signal(SIGALRM, SIG_DFL);
		alarm(CT_CONN_TIMEOUT_S);
		connection_serve(d, fd);
		close(fd);
		_exit(0);
	}
	close(fd);
}

static void __attribute__((noreturn)) daemon_run(struct ct_daemon *d)
{
	for (;;) {
		int n = poll(d->listeners.fds, d->listeners.count, -1);

		if (n < 0 && errno != EINTR)
			_exit(1);
		for (unsigned int i = 0; n > 0 && i < d->listeners.count; i++) {
			if (!(d->listeners.fds[i].revents & POLLIN))
				continue;
			if (d->listeners.types[i] == SOCK_DGRAM)
				datagram_serve(d, d->listeners.fds[i].fd);
			else
				connection_accept(d, d->listeners.fds[i].fd);
		}
	}
}

/* In the daemon: its namespace, its sockets, its TLS context. 0, or -1 with err. */
static int daemon_prepare(struct ct_daemon *d, const struct ct_topology *t, char *err,
			  size_t errlen)
{
	const struct ct_node *node = &t->nodes[d->desc->node];
	bool tcp = d->desc->proto != CT_PROTO_UDP_ECHO;
	bool udp = d->desc->proto == CT_PROTO_UDP_ECHO || d->desc->proto == CT_PROTO_DNS;
	const char *addrs[2] = {node->ipv4, node->ipv6};

	if (d->desc->node != CT_NODE_HOST) {
		char path[PATH_MAX];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", CT_NETNS_RUN_DIR, node->netns);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
			snprintf(err, errlen, "entering %s: %s", node->netns, strerror(errno));
			return -1;
		}
		close(fd);
	}
	for (int i = 0; i < 2; i++) {
		if (tcp &&
		    listener_add(&d->listeners, SOCK_STREAM, addrs[i], d->desc->port, err, errlen))
			return -1;
		if (udp &&
		    listener_add(&d->listeners, SOCK_DGRAM, addrs[i], d->desc->port, err, errlen))
			return -1;
	}
	if (d->desc->proto == CT_PROTO_HTTPS) {
		d->tls = tls_context_load(err, errlen);
		if (!d->tls)
			return -1;
	}
	if (d->desc->proto == CT_PROTO_DNS)
		ct_dns_zone_fill(&d->zone, t->external_ip);
	return 0;
}

/* The grandchild: says "PID" or "error: ..." on report_fd once listening, then serves. */
static void __attribute__((noreturn))
daemon_main(const struct ct_topology *t, enum ct_server_id s, int report_fd)
{
	static struct ct_daemon d;
	char path[PATH_MAX], msg[512], err[400] = "";
	sigset_t unblocked;
	int log_fd, len;

	d.desc = &ct_servers[s];
	snprintf(msg, sizeof(msg), "%s%s", CT_SERVER_COMM_PREFIX, d.desc->name);
	prctl(PR_SET_NAME, msg);
	/* Nothing of the CLI's: its sockets, its agent connection, its stdout pipe. */
	close_range(3, report_fd - 1, 0);
	close_range((unsigned int)report_fd + 1, ~0u, 0);
	snprintf(path, sizeof(path), "%s/%s.log", CT_STATE_DIR, d.desc->name);
	log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (log_fd >= 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			close(null);
		}
		dup2(log_fd, STDOUT_FILENO);
		dup2(log_fd, STDERR_FILENO);
		close(log_fd);
	}
	signal(SIGINT, SIG_IGN);  /* Ctrl-C on the CLI: the CLI decides what stops */
	signal(SIGPIPE, SIG_IGN); /* a client gone while we write */
	signal(SIGCHLD, SIG_IGN); /* connection children reap themselves */
	signal(SIGTERM, SIG_DFL);
	/* The CLI may block signals around its own work; a daemon must not inherit that. */
	sigemptyset(&unblocked);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	if (daemon_prepare(&d, t, err, sizeof(err)) < 0) {
		len = snprintf(msg, sizeof(msg), "error: %s", err);
		fprintf(stderr, "%s\n", msg);
		if (write(report_fd, msg, (size_t)len) < 0)
			_exit(1);
		_exit(1);
	}
	len = snprintf(msg, sizeof(msg), "%d", (int)getpid());
	if (write(report_fd, msg, (size_t)len) < 0)
		_exit(1);
	close(report_fd);
	daemon_run(&d);
}

int ct_server_start(struct ct_topology *t, enum ct_server_id s, char *err, size_t errlen)
{
	char report[512], path[PATH_MAX], pid_text[32];
	int pipe_fds[2], pid_fd;
	ssize_t n, total = 0;
	pid_t child;
	long pid;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "starting server %s: pipe: %s", ct_server_name(s),
			 strerror(errno));
		return -1;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		snprintf(err, errlen, "starting server %s: fork: %s", ct_server_name(s),
			 strerror(errno));
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return -1;
	}
	if (child == 0) {
		/*
		 * Our child, so the run that started it reaps it when it stops
		 * it (no zombie left behind); in a session and process group of
		 * its own (its pid), so Ctrl-C on the terminal does not reach it
		 * and stopping the group stops its connections too. When this
		 * process exits first (--cleanup=false), init adopts it.
		 */
		close(pipe_fds[0]);
		if (setsid() < 0)
			_exit(1);
		daemon_main(t, s, pipe_fds[1]);
	}
	close(pipe_fds[1]);
	while ((n = read(pipe_fds[0], report + total, sizeof(report) - 1 - (size_t)total)) > 0 ||
	       (n < 0 && errno == EINTR))
		total += n > 0 ? n : 0;
	close(pipe_fds[0]);
	report[total] = '\0';
	if (strncmp(report, "error: ", 7) == 0 || total == 0) {
		snprintf(err, errlen, "starting server %s: %s", ct_server_name(s),
			 total ? report + 7 : "it exited before it listened");
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	pid = strtol(report, NULL, 10);
	if (pid != child) {
		snprintf(err, errlen, "starting server %s: it reported pid %ld, not %d",
			 ct_server_name(s), pid, (int)child);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return -1;
	}
	t->servers[s] = child;
	snprintf(path, sizeof(path), "%s/%s.pid", CT_STATE_DIR, ct_server_name(s));
	snprintf(pid_text, sizeof(pid_text), "%ld\n", pid);
	pid_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (pid_fd < 0 || write(pid_fd, pid_text, strlen(pid_text)) != (ssize_t)strlen(pid_text)) {
		snprintf(err, errlen, "writing %s: %s", path, strerror(errno));
		if (pid_fd >= 0)
			close(pid_fd);
		return -1;
	}
	close(pid_fd);
	return 0;
}

/* ---- is it answering? */

struct answer_check {
	const struct ct_server_desc *desc;
	const char *addr; /* the node's IPv4 address */
	unsigned int timeout_ms;
	bool answered;
};

static int check_socket(const char *addr, uint16_t port, int type, struct sockaddr_in *sin)
{
	*sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(port)};
	if (inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		return -1;
	return socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
}

static int answer_check_run(void *arg)
{
	struct answer_check *c = arg;
	bool stream = c->desc->proto != CT_PROTO_UDP_ECHO && c->desc->proto != CT_PROTO_DNS;
	static const uint8_t
		dns_query
			[] =
				{
					0x4e, 0x43, 0x01, 0x00, 0,   1,	  0,   0,   0,
					0,    0,    0, /* id "NC", RD, one question */
					4,    'e',  'c',  'h',	'o', 9,	  'n', 'e', 't',
					'o',  'b',  's',  '-',	'c', 't', 4,   't', 'e',
					's',  't',  0,	  0,	1,   0,	  1, /* echo.netobs-ct.test A IN */
				};
	struct pollfd pfd;
	struct sockaddr_in sin;
	uint8_t reply[512];
	int fd;

	fd = check_socket(c->addr, c->desc->port, stream ? SOCK_STREAM : SOCK_DGRAM, &sin);
	if (fd < 0)
		return -1;
	pfd = (struct pollfd){.fd = fd, .events = stream ? POLLOUT : POLLIN};
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 && errno != EINPROGRESS)
		goto out;
	if (!stream) {
		bool dns = c->desc->proto == CT_PROTO_DNS;

		if (send(fd, dns ? (const void *)dns_query : "netobs-ct",
			 dns ? sizeof(dns_query) : 9, 0) < 0)
			goto out;
	}
	if (poll(&pfd, 1, (int)c->timeout_ms) != 1 || (pfd.revents & (POLLERR | POLLHUP)))
		goto out;
	if (stream) {
		c->answered = true;
	} else {
		ssize_t n = recv(fd, reply, sizeof(reply), 0);

		c->answered = c->desc->proto == CT_PROTO_DNS
				      ? n >= 12 && reply[0] == dns_query[0] &&
						reply[1] == dns_query[1] && (reply[2] & 0x80)
				      : n == 9 && memcmp(reply, "netobs-ct", 9) == 0;
	}
out:
	close(fd);
	return 0;
}

bool ct_server_answers(const struct ct_topology *t, enum ct_server_id s, unsigned int timeout_ms)
{
	struct answer_check c = {.timeout_ms = timeout_ms};

	if ((int)s < 0 || s >= CT_SERVER__COUNT)
		return false;
	c.desc = &ct_servers[s];
	c.addr = t->nodes[c.desc->node].ipv4;
	/* From the server's own node: a rule on the bridge must not make it look dead. */
	if (ct_in_node(t, c.desc->node, answer_check_run, &c) < 0)
		return false;
	return c.answered;
}

bool ct_server_alive(const struct ct_topology *t, enum ct_server_id s)
{
	pid_t pid;

	if ((int)s < 0 || s >= CT_SERVER__COUNT)
		return false;
	pid = t->servers[s] ? t->servers[s] : ct_server_pid_read(s);
	if (!ct_server_pid_is(pid, s))
		return false;
	return ct_server_answers(t, s, 1000);
}
