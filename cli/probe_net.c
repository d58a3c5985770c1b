// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The transport probes: ICMP echo, a TCP handshake, a UDP datagram. Each
 * makes one attempt in the caller's network namespace and turns what the
 * kernel said (a reply, an errno, an ICMP error from the error queue) into
 * a probe_result.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/errqueue.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* Milliseconds left until deadline_ns (0 when past it). */
static int ms_left(uint64_t deadline_ns)
{
	uint64_t now = cli_monotonic_ns();
	uint64_t left_ms;

	if (now >= deadline_ns)
		return 0;
	left_ms = (deadline_ns - now + 999999) / 1000000;
	/* poll() takes an int: a --timeout of weeks must not wrap to "forever". */
	return left_ms > INT_MAX ? INT_MAX : (int)left_ms;
}

int probe_parse_host_port(const char *target, char *host, size_t host_len, uint16_t *port)
{
	const char *colon, *port_text;
	unsigned long value;
	size_t len;
	char *end;

	if (target[0] == '[') {
		const char *close = strchr(target, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		len = (size_t)(close - target - 1);
		target++;
		port_text = close + 2;
	} else {
		colon = strrchr(target, ':');
		/* A bare IPv6 address has several colons: it needs [brackets]. */
		if (!colon || memchr(target, ':', (size_t)(colon - target)))
			return -EINVAL;
		len = (size_t)(colon - target);
		port_text = colon + 1;
	}
	if (len == 0 || len >= host_len || port_text[0] < '0' || port_text[0] > '9')
		return -EINVAL;
	errno = 0;
	value = strtoul(port_text, &end, 10);
	if (errno || *end || value == 0 || value > 65535)
		return -ERANGE;
	memcpy(host, target, len);
	host[len] = '\0';
	*port = (uint16_t)value;
	return 0;
}

/* Resolve host (names through getaddrinfo, as ping does); false after filling *a. */
static bool resolve(const char *host, uint16_t port, struct sockaddr_storage *addr,
		    socklen_t *addr_len, struct probe_attempt *a)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
	struct addrinfo *res;
	char text[INET6_ADDRSTRLEN];
	int err;

	err = getaddrinfo(host, NULL, &hints, &res);
	if (err) {
		a->result = PROBE_RESOLVE_FAILED;
		snprintf(a->detail, sizeof(a->detail), "cannot resolve '%s': %s", host,
			 err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return false;
	}
	memcpy(addr, res->ai_addr, res->ai_addrlen);
	*addr_len = res->ai_addrlen;
	freeaddrinfo(res);

	if (addr->ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)addr;

		sin->sin_port = htons(port);
		inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
		if (port)
			snprintf(a->peer, sizeof(a->peer), "%s:%u", text, port);
		else
			snprintf(a->peer, sizeof(a->peer), "%s", text);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)addr;

		sin6->sin6_port = htons(port);
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
		if (port)
			snprintf(a->peer, sizeof(a->peer), "[%s]:%u", text, port);
		else
			snprintf(a->peer, sizeof(a->peer), "%s", text);
	}
	return true;
}

/* An errno from connect, send, recv or the error queue, as a result. */
static void result_from_errno(int err, struct probe_attempt *a)
{
	switch (err) {
	case ECONNREFUSED:
		a->result = PROBE_REFUSED;
		break;
	case EHOSTUNREACH:
	case EHOSTDOWN:
		a->result = PROBE_HOST_UNREACHABLE;
		break;
	case ENETUNREACH:
	case ENETDOWN:
		a->result = PROBE_NET_UNREACHABLE;
		break;
	case ETIMEDOUT:
		a->result = PROBE_TIMEOUT;
		break;
	default:
		a->result = PROBE_ERROR;
		break;
	}
	if (err == EACCES || err == EPERM)
		snprintf(a->detail, sizeof(a->detail),
			 "%s: a route (ip route prohibit) or a firewall rule forbids it",
			 strerror(err));
	else if (err == EINVAL)
		snprintf(a->detail, sizeof(a->detail),
			 "%s: the route to it discards the packet (ip route blackhole?)",
			 strerror(err));
	else
		snprintf(a->detail, sizeof(a->detail), "%s", strerror(err));
}

/*
 * An ICMP error the kernel queued (IP_RECVERR): who sent it and why. The
 * errno it carries already classifies it (net, host, port unreachable...).
 */
static void result_from_error_queue(int fd, struct probe_attempt *a)
{
	char control[512], data[256], from[INET6_ADDRSTRLEN] = "";
	struct sockaddr_storage offender_addr;
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control)};
	struct sock_extended_err *ee = NULL;
	struct cmsghdr *cmsg;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
		int err = 0;
		socklen_t len = sizeof(err);

		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		result_from_errno(err ? err : errno, a);
		return;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if ((cmsg->cmsg_level == SOL_IP && cmsg->cmsg_type == IP_RECVERR) ||
		    (cmsg->cmsg_level == SOL_IPV6 && cmsg->cmsg_type == IPV6_RECVERR))
			ee = (struct sock_extended_err *)CMSG_DATA(cmsg);
	if (!ee) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "an error without its cause");
		return;
	}
	result_from_errno((int)ee->ee_errno, a);
	memset(&offender_addr, 0, sizeof(offender_addr));
	memcpy(&offender_addr, SO_EE_OFFENDER(ee), sizeof(struct sockaddr_in6));
	if (offender_addr.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&offender_addr)->sin_addr, from,
			  sizeof(from));
	else if (offender_addr.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&offender_addr)->sin6_addr, from,
			  sizeof(from));
	if (ee->ee_origin == SO_EE_ORIGIN_ICMP || ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		size_t used = strlen(a->detail);

		snprintf(a->detail + used, sizeof(a->detail) - used,
			 " (ICMP%s type %u code %u from %s)",
			 ee->ee_origin == SO_EE_ORIGIN_ICMP6 ? "v6" : "", ee->ee_type, ee->ee_code,
			 *from ? from : "?");
	}
}

/* Turn on the error queue: ICMP errors for our packets come back there. */
static void enable_recverr(int fd, int family)
{
	int on = 1;

	if (family == AF_INET)
		setsockopt(fd, SOL_IP, IP_RECVERR, &on, sizeof(on));
	else
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &on, sizeof(on));
}

/*
 * The kernel's ping socket needs net.ipv4.ping_group_range to hold our
 * group (a new namespace holds nobody); root can use a raw socket instead.
 */
static int open_icmp_socket(int family, bool *raw)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, proto);

	*raw = false;
	if (fd >= 0 || (errno != EACCES && errno != EPERM))
		return fd;
	*raw = true;
	return socket(family, SOCK_RAW | SOCK_CLOEXEC, proto);
}

/* Is this datagram our echo reply? Raw IPv4 sockets see the IP header too. */
static bool is_echo_reply(const unsigned char *buf, ssize_t len, int family, bool raw,
			  uint16_t ident, uint16_t seq)
{
	const unsigned char *icmp = buf;
	uint16_t got_id, got_seq;

	if (family == AF_INET && raw) {
		size_t ihl;

		if (len < (ssize_t)sizeof(struct iphdr))
			return false;
		ihl = (size_t)(buf[0] & 0x0f) * 4;
		if ((ssize_t)ihl + 8 > len)
			return false;
		icmp += ihl;
		len -= (ssize_t)ihl;
	}
	if (len < 8)
		return false;
	if (icmp[0] != (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY))
		return false;
	memcpy(&got_id, icmp + 4, 2);
	memcpy(&got_seq, icmp + 6, 2);
	/* A ping socket sets the identifier itself and delivers only its own replies. */
	return ntohs(got_seq) == seq && (!raw || ntohs(got_id) == ident);
}

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void probe_icmp_once(const struct probe_options *o, struct probe_attempt *a)
{
	static uint16_t seq;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned char request[64] = {0}, reply[1500];
	uint16_t ident = (uint16_t)getpid(), value;
	uint64_t start, deadline;
	struct pollfd pfd;
	bool raw;
	int fd;

	if (!resolve(o->target, 0, &addr, &addr_len, a))
		return;
	fd = open_icmp_socket(addr.ss_family, &raw);
	if (fd < 0) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "cannot open an ICMP socket (%s): add your group to "
			 "net.ipv4.ping_group_range or run as root",
			 strerror(errno));
		return;
	}
	enable_recverr(fd, addr.ss_family);
	seq++;
	request[0] = addr.ss_family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	value = htons(ident);
	memcpy(request + 4, &value, 2);
	value = htons(seq);
	memcpy(request + 6, &value, 2);
	snprintf((char *)request + 8, sizeof(request) - 8, "netobs probe %u", seq);
	/* IPv4 raw sockets send our checksum; ping sockets and ICMPv6 make their own. */
	if (addr.ss_family == AF_INET) {
		value = htons(icmp_checksum(request, sizeof(request)));
		memcpy(request + 2, &value, 2);
	}

	start = cli_monotonic_ns();
	deadline = start + (uint64_t)o->timeout_ms * 1000000ull;
	if (connect(fd, (struct sockaddr *)&addr, addr_len) < 0 ||
	    send(fd, request, sizeof(request), 0) < 0) {
		result_from_errno(errno, a);
		goto out;
	}
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	for (;;) {
		int ready = poll(&pfd, 1, ms_left(deadline));
		ssize_t len;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			a->result = PROBE_TIMEOUT;
			snprintf(a->detail, sizeof(a->detail), "no echo reply");
			break;
		}
		if (pfd.revents & POLLERR) {
			a->latency_ns = cli_monotonic_ns() - start;
			result_from_error_queue(fd, a);
			break;
		}
		len = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
		if (len < 0 && errno != EAGAIN && errno != EINTR) {
			a->latency_ns = cli_monotonic_ns() - start;
			result_from_error_queue(fd, a);
			break;
		}
		/* Raw sockets also see other pings' replies and our own request on lo. */
		if (len > 0 && is_echo_reply(reply, len, addr.ss_family, raw, ident, seq)) {
			a->latency_ns = cli_monotonic_ns() - start;
			a->result = PROBE_OK;
			snprintf(a->detail, sizeof(a->detail), "echo reply seq %u", seq);
			break;
		}
	}
out:
	close(fd);
}

void probe_tcp_once(const struct probe_options *o, struct probe_attempt *a)
{
	struct sockaddr_storage addr;
	socklen_t addr_len, len;
	char host[256];
	uint16_t port;
	uint64_t start;
	struct pollfd pfd;
	int fd, err = 0, ready;

	if (probe_parse_host_port(o->target, host, sizeof(host), &port) < 0) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "'%s' is not HOST:PORT", o->target);
		return;
	}
	if (!resolve(host, port, &addr, &addr_len, a))
		return;
	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		result_from_errno(errno, a);
		return;
	}
	start = cli_monotonic_ns();
	if (connect(fd, (struct sockaddr *)&addr, addr_len) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		a->latency_ns = cli_monotonic_ns() - start;
		result_from_errno(errno, a);
		goto out;
	}
	pfd = (struct pollfd){.fd = fd, .events = POLLOUT};
	do
		ready = poll(&pfd, 1, ms_left(start + (uint64_t)o->timeout_ms * 1000000ull));
	while (ready < 0 && errno == EINTR);
	if (ready <= 0) {
		a->result = PROBE_TIMEOUT;
		snprintf(a->detail, sizeof(a->detail),
			 "the SYN went unanswered: filtered, or nobody there");
		goto out;
	}
	len = sizeof(err);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		a->latency_ns = cli_monotonic_ns() - start;
		result_from_errno(err, a);
		goto out;
	}
connected:
	a->latency_ns = cli_monotonic_ns() - start;
	a->result = PROBE_OK;
	snprintf(a->detail, sizeof(a->detail), "connected");
out:
	close(fd);
}

void probe_udp_once(const struct probe_options *o, struct probe_attempt *a)
{
	static unsigned int sent;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char host[256], payload[32], reply[1500];
	uint16_t port;
	uint64_t start, deadline;
	struct pollfd pfd;
	int fd;

	if (probe_parse_host_port(o->target, host, sizeof(host), &port) < 0) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "'%s' is not HOST:PORT", o->target);
		return;
	}
	if (!resolve(host, port, &addr, &addr_len, a))
		return;
	fd = socket(addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		result_from_errno(errno, a);
		return;
	}
	enable_recverr(fd, addr.ss_family);
	snprintf(payload, sizeof(payload), "netobs probe %u", ++sent);
	start = cli_monotonic_ns();
	deadline = start + (uint64_t)o->timeout_ms * 1000000ull;
	/* Connected: the kernel then reports ICMP port unreachable as ECONNREFUSED. */
	if (connect(fd, (struct sockaddr *)&addr, addr_len) < 0 ||
	    send(fd, payload, strlen(payload), 0) < 0) {
		a->latency_ns = cli_monotonic_ns() - start;
		result_from_errno(errno, a);
		goto out;
	}
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	for (;;) {
		int ready = poll(&pfd, 1, ms_left(deadline));
		ssize_t len;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0) {
			a->result = PROBE_TIMEOUT;
			snprintf(a->detail, sizeof(a->detail),
				 "no reply: UDP cannot tell a service that does not answer "
				 "from a filter that drops");
			break;
		}
		a->latency_ns = cli_monotonic_ns() - start;
		if (pfd.revents & POLLERR) {
			result_from_error_queue(fd, a);
			break;
		}
		len = recv(fd, reply, sizeof(reply), MSG_DONTWAIT);
		if (len >= 0) {
			a->result = PROBE_OK;
			snprintf(a->detail, sizeof(a->detail), "%zd-byte reply", len);
			break;
		}
		if (errno != EAGAIN && errno != EINTR) {
			result_from_errno(errno, a);
			break;
		}
	}
out:
	close(fd);
}
