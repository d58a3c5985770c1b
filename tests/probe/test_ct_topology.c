// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The connectivity test's topology with real namespaces: ct_topology_up
 * builds it, then every check here looks at the result from outside the
 * code under test (sysfs, getifaddrs, plain sockets, an OpenSSL client, DNS
 * queries written byte by byte) and compares with the addresses and names
 * connectivity.h promises. Then a server is killed (ct_server_alive must
 * notice, a reuse must not restart it) and the topology is taken down from
 * a second description, as another process would (nothing may be left).
 * Root; fixed names and addresses: run it under the netns lock.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "connectivity.h"
#include "ct_internal.h"
#include "dns.h"

static struct ct_topology topo;
static pid_t first_pids[CT_SERVER__COUNT];

static void topology_setup(void)
{
	struct ct_topology_options o = {.verbose = true};
	char err[512] = "";

	ck_assert_msg(geteuid() == 0, "needs root");
	if (ct_topology_exists()) {
		struct ct_topology old;

		fprintf(stderr, "test_ct_topology: removing a topology left from before\n");
		ct_topology_describe(&old);
		ct_topology_down(&old);
	}
	ck_assert_msg(ct_topology_up(&topo, &o, err, sizeof(err)) == 0, "up: %s", err);
	memcpy(first_pids, topo.servers, sizeof(first_pids));
}

static void topology_teardown(void)
{
	ct_topology_down(&topo);
}

/* ---- plain sockets, run inside a node through ct_in_node */

struct exchange {
	int type;	  /* SOCK_STREAM, SOCK_DGRAM */
	const char *addr; /* numeric */
	uint16_t port;
	const void *send;
	size_t send_len;
	bool shut_write; /* TCP: half-close after sending (echo needs EOF to finish) */
	uint8_t reply[8192];
	size_t reply_len;
	int err; /* errno of the first failure, 0 when none */
};

static int exchange_run(void *arg)
{
	struct exchange *x = arg;
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = {.tv_sec = 3};
	socklen_t len;
	int fd;

	if (inet_pton(AF_INET, x->addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(x->port);
		len = sizeof(*sin);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, x->addr, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(x->port);
		len = sizeof(*sin6);
	}
	x->reply_len = 0;
	fd = socket(ss.ss_family, x->type | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 ||
	    send(fd, x->send, x->send_len, MSG_NOSIGNAL) != (ssize_t)x->send_len) {
		x->err = errno;
		close(fd);
		return 0;
	}
	if (x->shut_write)
		shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n = recv(fd, x->reply + x->reply_len, sizeof(x->reply) - x->reply_len, 0);

		if (n < 0) {
			x->err = errno;
			break;
		}
		x->reply_len += (size_t)n;
		/* A datagram is the whole reply; a stream ends at the server's FIN. */
		if (n == 0 || x->type == SOCK_DGRAM || x->reply_len == sizeof(x->reply))
			break;
	}
	close(fd);
	return 0;
}

static void exchange(enum ct_node_id from, struct exchange *x)
{
	x->err = 0;
	ck_assert_int_eq(ct_in_node(&topo, from, exchange_run, x), 0);
}

/* ---- the checks */

static bool netns_mounted(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return stat(path, &st) == 0;
}

START_TEST(test_names_and_links)
{
	static const char *const netns[] = {"netobs-ct-client", "netobs-ct-client2",
					    "netobs-ct-echo"};
	static const char *const veths[] = {"nct-client", "nct-client2", "nct-echo"};

	ck_assert(!topo.reused);
	ck_assert_str_eq(topo.ca_path, "/run/netobs/connectivity/ca.pem");
	ck_assert_uint_ne(if_nametoindex("netobs-ct0"), 0);
	for (int n = 0; n < 3; n++) {
		char path[PATH_MAX], master[PATH_MAX];
		ssize_t len;

		ck_assert_str_eq(topo.nodes[n].netns, netns[n]);
		ck_assert_str_eq(topo.nodes[n].veth, veths[n]);
		ck_assert_msg(netns_mounted(netns[n]), "/run/netns/%s is missing", netns[n]);
		/* The host side is a port of the bridge. */
		snprintf(path, sizeof(path), "/sys/class/net/%s/master", veths[n]);
		len = readlink(path, master, sizeof(master) - 1);
		ck_assert_msg(len > 0, "%s: %s", path, strerror(errno));
		master[len] = '\0';
		ck_assert_str_eq(strrchr(master, '/') + 1, "netobs-ct0");
	}
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		ck_assert_msg(topo.servers[s] > 0, "server %s has no pid", ct_server_name(s));
	ck_assert_str_eq(ct_server_name(CT_SERVER_TCP), "echo-tcp");
	ck_assert_str_eq(ct_server_name(CT_SERVER_HOST_HTTP), "host-http");
}
END_TEST

struct addr_find {
	const char *ifname;
	char found[4][INET6_ADDRSTRLEN];
	int nfound;
};

static int addrs_read(void *arg)
{
	struct addr_find *f = arg;
	struct ifaddrs *list, *i;

	ck_assert_int_eq(getifaddrs(&list), 0);
	for (i = list; i; i = i->ifa_next) {
		const void *a;

		if (!i->ifa_addr || strcmp(i->ifa_name, f->ifname) != 0 || f->nfound == 4)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			a = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else if (i->ifa_addr->sa_family == AF_INET6)
			a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		else
			continue;
		inet_ntop(i->ifa_addr->sa_family, a, f->found[f->nfound++], INET6_ADDRSTRLEN);
	}
	freeifaddrs(list);
	return 0;
}

static void assert_has_addr(const struct addr_find *f, const char *addr)
{
	for (int i = 0; i < f->nfound; i++)
		if (strcmp(f->found[i], addr) == 0)
			return;
	ck_abort_msg("%s has no address %s", f->ifname, addr);
}

START_TEST(test_addresses)
{
	static const char *const v4[] = {"10.247.0.10", "10.247.0.11", "10.247.0.20"};
	static const char *const v6[] = {"fd00:6e6f:6374::10", "fd00:6e6f:6374::11",
					 "fd00:6e6f:6374::20"};
	struct addr_find f = {.ifname = "netobs-ct0"};

	addrs_read(&f);
	assert_has_addr(&f, "10.247.0.1");
	assert_has_addr(&f, "fd00:6e6f:6374::1");
	for (int n = 0; n < 3; n++) {
		f = (struct addr_find){.ifname = "eth0"};
		ck_assert_int_eq(ct_in_node(&topo, n, addrs_read, &f), 0);
		assert_has_addr(&f, v4[n]);
		assert_has_addr(&f, v6[n]);
		ck_assert_str_eq(topo.nodes[n].ipv4, v4[n]);
		ck_assert_str_eq(topo.nodes[n].ipv6, v6[n]);
	}
}
END_TEST

static void assert_echo(enum ct_node_id from, int type, const char *addr, uint16_t port)
{
	struct exchange x = {.type = type, .addr = addr, .port = port, .shut_write = true};
	uint8_t data[3000];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)random();
	x.send = data;
	x.send_len = type == SOCK_STREAM ? sizeof(data) : 1200;
	exchange(from, &x);
	ck_assert_msg(x.err == 0, "%s %s port %u: %s", type == SOCK_STREAM ? "TCP" : "UDP", addr,
		      port, strerror(x.err));
	ck_assert_uint_eq(x.reply_len, x.send_len);
	ck_assert(memcmp(x.reply, data, x.send_len) == 0);
}

START_TEST(test_echo_servers)
{
	assert_echo(CT_NODE_CLIENT, SOCK_STREAM, "10.247.0.20", CT_PORT_TCP);
	assert_echo(CT_NODE_CLIENT2, SOCK_STREAM, "fd00:6e6f:6374::20", CT_PORT_TCP);
	assert_echo(CT_NODE_CLIENT, SOCK_DGRAM, "10.247.0.20", CT_PORT_UDP);
	assert_echo(CT_NODE_CLIENT, SOCK_DGRAM, "fd00:6e6f:6374::20", CT_PORT_UDP);
	/* The host's echo, at the bridge's addresses, from an endpoint. */
	assert_echo(CT_NODE_CLIENT, SOCK_STREAM, "10.247.0.1", CT_HOST_PORT_TCP);
	assert_echo(CT_NODE_ECHO, SOCK_STREAM, "fd00:6e6f:6374::1", CT_HOST_PORT_TCP);
}
END_TEST

/* The status code of a raw HTTP/1.1 request, and the body in *body. */
static int http_request(enum ct_node_id from, const char *addr, uint16_t port, const char *method,
			const char *path, struct exchange *x)
{
	char request[256];
	int status = 0;

	snprintf(request, sizeof(request), "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: test\r\n\r\n",
		 method, path, addr);
	*x = (struct exchange){.type = SOCK_STREAM, .addr = addr, .port = port};
	x->send = request;
	x->send_len = strlen(request);
	exchange(from, x);
	ck_assert_msg(x->err == 0, "HTTP %s:%u%s: %s", addr, port, path, strerror(x->err));
	x->reply[x->reply_len < sizeof(x->reply) ? x->reply_len : sizeof(x->reply) - 1] = '\0';
	ck_assert_msg(sscanf((char *)x->reply, "HTTP/1.1 %d ", &status) == 1, "reply: %s",
		      x->reply);
	return status;
}

START_TEST(test_http_servers)
{
	struct exchange x;
	const char *body;

	ck_assert_int_eq(http_request(CT_NODE_CLIENT, "10.247.0.20", 80, "GET", "/", &x), 200);
	body = strstr((char *)x.reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_ptr_nonnull(strstr((char *)x.reply, "Content-Length: "));
	ck_assert_int_gt((int)strlen(body + 4), 0);
	ck_assert_int_eq(http_request(CT_NODE_CLIENT2, "10.247.0.20", 80, "GET", "/status/503", &x),
			 503);
	ck_assert_ptr_nonnull(strstr((char *)x.reply, "503 Service Unavailable"));
	ck_assert_int_eq(
		http_request(CT_NODE_CLIENT, "fd00:6e6f:6374::20", 80, "GET", "/status/404", &x),
		404);
	ck_assert_int_eq(http_request(CT_NODE_CLIENT, "10.247.0.20", 80, "GET", "/nothing", &x),
			 404);
	/* HEAD: the same head, no body. */
	ck_assert_int_eq(http_request(CT_NODE_CLIENT, "10.247.0.20", 80, "HEAD", "/", &x), 200);
	body = strstr((char *)x.reply, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(body, "\r\n\r\n");
	ck_assert_int_eq(
		http_request(CT_NODE_ECHO, "10.247.0.1", CT_HOST_PORT_HTTP, "GET", "/", &x), 200);
	ck_assert_int_eq(http_request(CT_NODE_CLIENT, "fd00:6e6f:6374::1", CT_HOST_PORT_HTTP, "GET",
				      "/", &x),
			 200);
}
END_TEST

struct tls_check {
	const char *cafile; /* NULL: an empty trust store */
	const char *addr;
	const char *host; /* checked against the certificate's DNS SAN; NULL: the IP SAN */
	bool handshake_ok;
	long verify_result;
	int status;
};

static int tls_check_run(void *arg)
{
	struct tls_check *c = arg;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	char reply[1024] = "";
	SSL *ssl;
	int fd, n;

	ck_assert_ptr_nonnull(ctx);
	if (c->cafile)
		ck_assert_int_eq(SSL_CTX_load_verify_locations(ctx, c->cafile, NULL), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (inet_pton(AF_INET, c->addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(CT_PORT_HTTPS);
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, c->addr, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(CT_PORT_HTTPS);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&ss, sizeof(ss)), 0);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (c->host) {
		SSL_set_tlsext_host_name(ssl, c->host);
		ck_assert_int_eq(SSL_set1_host(ssl, c->host), 1);
	} else {
		ck_assert_int_eq(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), c->addr), 1);
	}
	c->handshake_ok = SSL_connect(ssl) == 1;
	c->verify_result = SSL_get_verify_result(ssl);
	if (c->handshake_ok) {
		const char *req = "GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n";

		ck_assert_int_eq(SSL_write(ssl, req, (int)strlen(req)), (int)strlen(req));
		n = SSL_read(ssl, reply, sizeof(reply) - 1);
		if (n > 0)
			sscanf(reply, "HTTP/1.1 %d ", &c->status);
	}
	SSL_free(ssl);
	close(fd);
	SSL_CTX_free(ctx);
	return 0;
}

START_TEST(test_https_server)
{
	struct tls_check c = {.cafile = topo.ca_path, .addr = "10.247.0.20"};

	ck_assert_int_eq(ct_in_node(&topo, CT_NODE_CLIENT, tls_check_run, &c), 0);
	ck_assert_msg(c.handshake_ok, "verify result %ld: %s", c.verify_result,
		      X509_verify_cert_error_string(c.verify_result));
	ck_assert_int_eq(c.status, 201);

	c = (struct tls_check){.cafile = topo.ca_path, .addr = "fd00:6e6f:6374::20"};
	ck_assert_int_eq(ct_in_node(&topo, CT_NODE_CLIENT2, tls_check_run, &c), 0);
	ck_assert(c.handshake_ok);
	ck_assert_int_eq(c.status, 201);

	c = (struct tls_check){
		.cafile = topo.ca_path, .addr = "10.247.0.20", .host = "echo.netobs-ct.test"};
	ck_assert_int_eq(ct_in_node(&topo, CT_NODE_CLIENT, tls_check_run, &c), 0);
	ck_assert(c.handshake_ok);

	/* A name the certificate does not carry: verification fails. */
	c = (struct tls_check){
		.cafile = topo.ca_path, .addr = "10.247.0.20", .host = "www.netobs-ct.test"};
	ck_assert_int_eq(ct_in_node(&topo, CT_NODE_CLIENT, tls_check_run, &c), 0);
	ck_assert(!c.handshake_ok);
	ck_assert_int_eq(c.verify_result, X509_V_ERR_HOSTNAME_MISMATCH);

	/* Without the CA: not trusted. */
	c = (struct tls_check){.addr = "10.247.0.20"};
	ck_assert_int_eq(ct_in_node(&topo, CT_NODE_CLIENT, tls_check_run, &c), 0);
	ck_assert(!c.handshake_ok);
	ck_assert_int_eq(c.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}
END_TEST

/* A query written by hand: id, RD, one question NAME TYPE IN. */
static size_t dns_query_build(uint8_t *q, uint16_t id, const char *name, uint16_t type)
{
	size_t len = 12;

	memset(q, 0, 12);
	q[0] = (uint8_t)(id >> 8);
	q[1] = (uint8_t)id;
	q[2] = 0x01;
	q[5] = 1;
	while (*name) {
		size_t label = strcspn(name, ".");

		q[len++] = (uint8_t)label;
		memcpy(q + len, name, label);
		len += label;
		name += label + (name[label] == '.');
	}
	q[len++] = 0;
	q[len++] = (uint8_t)(type >> 8);
	q[len++] = (uint8_t)type;
	q[len++] = 0;
	q[len++] = 1;
	return len;
}

static struct dns_message answer;

static void dns_ask(int sock_type, const char *server, const char *name, uint16_t type)
{
	uint8_t query[300];
	struct exchange x = {.type = sock_type, .addr = server, .port = CT_PORT_DNS};
	size_t qlen = dns_query_build(query + 2, 0x1234, name, type);
	const uint8_t *msg = x.reply;
	size_t msg_len;

	if (sock_type == SOCK_STREAM) {
		query[0] = (uint8_t)(qlen >> 8);
		query[1] = (uint8_t)qlen;
		x.send = query;
		x.send_len = qlen + 2;
		x.shut_write = true;
	} else {
		x.send = query + 2;
		x.send_len = qlen;
	}
	exchange(CT_NODE_CLIENT, &x);
	ck_assert_msg(x.err == 0, "DNS %s %s: %s", server, name, strerror(x.err));
	msg_len = x.reply_len;
	if (sock_type == SOCK_STREAM) {
		ck_assert_uint_ge(x.reply_len, 2);
		ck_assert_uint_eq((size_t)x.reply[0] << 8 | x.reply[1], x.reply_len - 2);
		msg += 2;
		msg_len -= 2;
	}
	ck_assert_int_eq(dns_message_decode(msg, msg_len, msg_len, &answer), DNS_OK);
	ck_assert_int_eq(answer.id, 0x1234);
	ck_assert(answer.qr && answer.aa);
}

static void assert_ip(unsigned int i, int family, const char *text)
{
	uint8_t want[16] = {0};

	ck_assert_uint_gt(answer.ips_len, i);
	ck_assert_int_eq(answer.ips[i].family, family);
	ck_assert_int_eq(inet_pton(family, text, want), 1);
	ck_assert(memcmp(answer.ips[i].addr, want, family == AF_INET ? 4 : 16) == 0);
}

START_TEST(test_dns_server)
{
	dns_ask(SOCK_DGRAM, "10.247.0.20", "echo.netobs-ct.test", 1);
	ck_assert_int_eq(answer.rcode, 0);
	ck_assert_int_eq(answer.ancount, 1);
	assert_ip(0, AF_INET, "10.247.0.20");

	dns_ask(SOCK_DGRAM, "fd00:6e6f:6374::20", "ECHO.netobs-ct.test", 28);
	ck_assert_int_eq(answer.rcode, 0);
	ck_assert_int_eq(answer.ancount, 1);
	assert_ip(0, AF_INET6, "fd00:6e6f:6374::20");

	dns_ask(SOCK_DGRAM, "10.247.0.20", "nope.netobs-ct.test", 1);
	ck_assert_int_eq(answer.rcode, 3);
	ck_assert_int_eq(answer.ancount, 0);

	dns_ask(SOCK_STREAM, "10.247.0.20", "www.netobs-ct.test", 1);
	ck_assert_int_eq(answer.rcode, 0);
	ck_assert_int_eq(answer.ancount, 2);
	ck_assert_int_eq(answer.cnames_len, 1);
	ck_assert_str_eq(answer.cnames[0], "echo.netobs-ct.test.");
	assert_ip(0, AF_INET, "10.247.0.20");
}
END_TEST

START_TEST(test_reuse_and_dead_server)
{
	struct ct_topology_options o = {0};
	struct ct_topology again;
	char err[512] = "";
	pid_t http = topo.servers[CT_SERVER_HTTP];
	struct exchange x;

	ck_assert(ct_server_alive(&topo, CT_SERVER_HTTP));
	ck_assert_int_eq(kill(http, SIGKILL), 0);
	for (int i = 0; i < 100 && ct_server_alive(&topo, CT_SERVER_HTTP); i++)
		usleep(20000);
	ck_assert(!ct_server_alive(&topo, CT_SERVER_HTTP));
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		if (s != CT_SERVER_HTTP)
			ck_assert_msg(ct_server_alive(&topo, s), "%s", ct_server_name(s));

	/* Taken as it is: the same servers, the dead one stays dead. */
	ck_assert_int_eq(ct_topology_up(&again, &o, err, sizeof(err)), 0);
	ck_assert(again.reused);
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		ck_assert_int_eq(again.servers[s], s == CT_SERVER_HTTP ? 0 : first_pids[s]);
	x = (struct exchange){.type = SOCK_STREAM, .addr = "10.247.0.20", .port = 80};
	x.send = "GET / HTTP/1.1\r\n\r\n";
	x.send_len = strlen(x.send);
	exchange(CT_NODE_CLIENT, &x);
	ck_assert_int_eq(x.err, ECONNREFUSED);
}
END_TEST

/*
 * Is pid a process that still runs? A zombie does not: the daemons' parent
 * is init (or a subreaper), which reaps them when it gets round to it.
 */
static bool process_lives(pid_t pid)
{
	char path[64], stat[512], *state;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	state = strrchr(stat, ')');
	return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/* Is /run/netns a mount point (as iproute2 leaves it), by /proc/self/mountinfo? */
static bool run_netns_mounted(void)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " /run/netns ") != NULL;
	fclose(f);
	return found;
}

START_TEST(test_down_leaves_nothing)
{
	struct ct_topology other;
	char path[PATH_MAX];

	/* As another process would: only the names, the pids from the pid files. */
	ct_topology_describe(&other);
	ck_assert_int_eq(ct_topology_down(&other), 0);
	ck_assert(!ct_topology_exists());
	for (int n = 0; n < 3; n++) {
		snprintf(path, sizeof(path), "/run/netns/%s", topo.nodes[n].netns);
		ck_assert_msg(access(path, F_OK) < 0, "%s is left", path);
		ck_assert_msg(if_nametoindex(topo.nodes[n].veth) == 0, "%s is left",
			      topo.nodes[n].veth);
	}
	ck_assert_uint_eq(if_nametoindex("netobs-ct0"), 0);
	ck_assert_int_lt(access("/run/netobs/connectivity", F_OK), 0);
	for (int s = 0; s < CT_SERVER__COUNT; s++)
		ck_assert_msg(!process_lives(first_pids[s]), "server %s (%d) lives",
			      ct_server_name(s), first_pids[s]);
	/* Again: nothing to do, nothing fails. */
	ck_assert_int_eq(ct_topology_down(&other), 0);
	/* A description never filled: the fixed names all the same, /run/netns left mounted. */
	memset(&other, 0, sizeof(other));
	ck_assert_int_eq(ct_topology_down(&other), 0);
	ck_assert(run_netns_mounted());
}
END_TEST

START_TEST(test_refuses_routed_subnet)
{
	struct ct_topology_options o = {0};
	struct ct_topology t;
	char err[512] = "";
	int rc;

	if (ct_topology_exists()) {
		ct_topology_describe(&t);
		ct_topology_down(&t);
	}
	ck_assert_int_eq(system("ip route add 10.247.0.0/16 dev lo table main"), 0);
	rc = ct_topology_up(&t, &o, err, sizeof(err));
	ck_assert_int_eq(system("ip route del 10.247.0.0/16 dev lo table main"), 0);
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(strstr(err, "10.247.0.0/24 is already routed") && strstr(err, "dev lo"), "%s",
		      err);
	ck_assert(!ct_topology_exists());
}
END_TEST

static void sigint_note(int sig)
{
	(void)sig;
}

/*
 * A command ct_run_quietly runs (nft, while the topology goes) outlives the
 * SIGINT a second Ctrl-C sends the whole process group, as the CLI does.
 */
START_TEST(test_run_quietly_outlives_sigint)
{
	struct sigaction caught = {.sa_handler = sigint_note}, old;
	char *const argv[] = {"sh", "-c", "kill -INT $$; exit 0", NULL};
	int rc;

	sigaction(SIGINT, &caught, &old);
	rc = ct_run_quietly(argv);
	sigaction(SIGINT, &old, NULL);
	ck_assert_int_eq(rc, 0);
}
END_TEST

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
}

/* Is there an IPv4 default route via 10.247.0.1 (/proc/net/route: hex, host byte order)? */
static int default_route_find(void *arg)
{
	bool *found = arg;
	char line[256], ifname[32];
	unsigned int dst, gateway;
	FILE *f = fopen("/proc/net/route", "r");

	ck_assert_ptr_nonnull(f);
	*found = false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %x %x", ifname, &dst, &gateway) == 3 && dst == 0 &&
		    gateway == inet_addr("10.247.0.1"))
			*found = true;
	fclose(f);
	return 0;
}

/* --external-*: default routes, forwarding on, a masquerade rule; all undone by down. */
START_TEST(test_external)
{
	struct ct_topology_options o = {.external = true};
	struct ct_topology t;
	char err[512] = "", forward_before[16], forward[16];
	bool route = false;

	if (ct_topology_exists()) {
		ct_topology_describe(&t);
		ct_topology_down(&t);
	}
	read_text("/proc/sys/net/ipv4/ip_forward", forward_before, sizeof(forward_before));
	ck_assert_msg(ct_topology_up(&t, &o, err, sizeof(err)) == 0, "up: %s", err);
	ck_assert(t.external);
	read_text("/proc/sys/net/ipv4/ip_forward", forward, sizeof(forward));
	ck_assert_str_eq(forward, "1\n");
	ck_assert_int_eq(system("nft list table ip netobs_ct | grep -q 'ip saddr 10.247.0.0/24 "
				"ip daddr != 10.247.0.0/24 masquerade'"),
			 0);
	for (int n = 0; n < 3; n++) {
		ck_assert_int_eq(ct_in_node(&t, n, default_route_find, &route), 0);
		ck_assert_msg(route, "%s has no default route via 10.247.0.1", t.nodes[n].netns);
	}
	ck_assert_int_eq(ct_topology_down(&t), 0);
	read_text("/proc/sys/net/ipv4/ip_forward", forward, sizeof(forward));
	ck_assert_str_eq(forward, forward_before);
	ck_assert_int_ne(system("nft list table ip netobs_ct >/dev/null 2>&1"), 0);
	ck_assert(!ct_topology_exists());
}
END_TEST

Suite *netobs_test_suite(void);
Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("ct_topology");
	TCase *tc = tcase_create("refuse");

	tcase_add_test(tc, test_refuses_routed_subnet);
	tcase_add_test(tc, test_run_quietly_outlives_sigint);
	suite_add_tcase(s, tc);

	tc = tcase_create("topology");
	tcase_add_unchecked_fixture(tc, topology_setup, topology_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_names_and_links);
	tcase_add_test(tc, test_addresses);
	tcase_add_test(tc, test_echo_servers);
	tcase_add_test(tc, test_http_servers);
	tcase_add_test(tc, test_https_server);
	tcase_add_test(tc, test_dns_server);
	tcase_add_test(tc, test_reuse_and_dead_server);
	tcase_add_test(tc, test_down_leaves_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("external");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_external);
	suite_add_tcase(s, tc);
	return s;
}
