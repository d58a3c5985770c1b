// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * `netobs probe dns NAME`: one query through c-ares, reported the way the
 * server answered it. The probe asks exactly the name given (no search
 * domains, no HOSTALIASES) and asks one server once (no retries), so the
 * result is about that server and that name, not about resolver fallbacks.
 */
#include <arpa/inet.h>
#include <ares.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns.h"
#include "probe.h"

#define DNS_DEFAULT_PORT       53
#define DNS_DEFAULT_TIMEOUT_MS 2000
#define DNS_RR_FIXED_LEN       10 /* type, class, ttl, rdlength */
#define DNS_CLASS_IN	       1

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_ANY = 255,
};

/* What the c-ares callback hands back to the loop. */
struct dns_query_state {
	bool done;
	int status;	      /* ARES_* */
	uint64_t answered_ns; /* CLOCK_MONOTONIC when the callback ran */
	unsigned char *response;
	int response_len;
};

/* Appends to a NUL-terminated buffer; a full buffer ends in "...". */
static void text_appendf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void text_appendf(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strnlen(buf, size);
	va_list ap;
	int n;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= size - used && size >= 4)
		memcpy(buf + size - 4, "...", 4);
}

/*
 * IP, IP:PORT, [IPv6], [IPv6]:PORT, or a bare IPv6. Fills a c-ares server
 * node and the peer text "IP:PORT" / "[IPv6]:PORT"; -EINVAL with the reason
 * in detail otherwise.
 */
static int dns_server_parse(const char *text, struct ares_addr_port_node *node, char *peer,
			    size_t peer_size, char *detail, size_t detail_size)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_text = NULL;
	const char *colon;
	unsigned long port = DNS_DEFAULT_PORT;
	size_t host_len;

	memset(node, 0, sizeof(*node));
	if (text[0] == '[') {
		const char *end = strchr(text, ']');

		if (!end)
			goto bad;
		host_len = (size_t)(end - text - 1);
		if (end[1] == ':')
			port_text = end + 2;
		else if (end[1] != '\0')
			goto bad;
		text++;
	} else {
		colon = strchr(text, ':');
		if (colon && !strchr(colon + 1, ':')) {
			host_len = (size_t)(colon - text);
			port_text = colon + 1;
		} else {
			host_len = strlen(text); /* no port, or a bare IPv6 */
		}
	}
	if (host_len == 0 || host_len >= sizeof(host))
		goto bad;
	memcpy(host, text, host_len);
	host[host_len] = '\0';

	if (port_text) {
		char *end;

		errno = 0;
		port = strtoul(port_text, &end, 10);
		if (port_text[0] < '0' || port_text[0] > '9' || *end != '\0' || errno ||
		    port == 0 || port > 65535) {
			snprintf(detail, detail_size,
				 "bad --server port '%s': give a number from 1 to 65535",
				 port_text);
			return -EINVAL;
		}
	}

	if (inet_pton(AF_INET, host, &node->addr.addr4) == 1) {
		node->family = AF_INET;
		snprintf(peer, peer_size, "%s:%lu", host, port);
	} else if (inet_pton(AF_INET6, host, &node->addr.addr6) == 1) {
		node->family = AF_INET6;
		snprintf(peer, peer_size, "[%s]:%lu", host, port);
	} else {
		goto bad;
	}
	node->udp_port = (int)port;
	node->tcp_port = (int)port;
	return 0;
bad:
	snprintf(detail, detail_size,
		 "bad --server '%s': give an IP address, IP:PORT or [IPv6]:PORT (names are not "
		 "resolved)",
		 text);
	return -EINVAL;
}

int probe_dns_server_check(const char *text, char *detail, size_t detail_size)
{
	struct ares_addr_port_node node;
	char peer[64];

	return dns_server_parse(text, &node, peer, sizeof(peer), detail, detail_size);
}

/* The first server c-ares took from resolv.conf, as "IP:PORT". */
static void dns_system_server_peer(ares_channel channel, char *peer, size_t size)
{
	struct ares_addr_port_node *servers = NULL;
	char host[INET6_ADDRSTRLEN];
	int port;

	if (ares_get_servers_ports(channel, &servers) != ARES_SUCCESS || !servers)
		return;
	port = servers->udp_port ? servers->udp_port : DNS_DEFAULT_PORT;
	if (inet_ntop(servers->family, &servers->addr, host, sizeof(host))) {
		if (servers->family == AF_INET6)
			snprintf(peer, size, "[%s]:%d", host, port);
		else
			snprintf(peer, size, "%s:%d", host, port);
	}
	ares_free_data(servers);
}

static void dns_query_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_query_state *state = arg;

	(void)timeouts;
	state->done = true;
	state->status = status;
	state->answered_ns = cli_monotonic_ns();
	if (abuf && alen > 0) {
		state->response = malloc((size_t)alen);
		if (state->response) {
			memcpy(state->response, abuf, (size_t)alen);
			state->response_len = alen;
		}
	}
}

/* Owner or target name in presentation form, with the trailing dot. */
static int dns_name_read(const unsigned char *ptr, const unsigned char *msg, int msg_len, char *out,
			 size_t size, long *used)
{
	char *name = NULL;

	if (ares_expand_name(ptr, msg, msg_len, &name, used) != ARES_SUCCESS)
		return -EBADMSG;
	/* The root is "" from c-ares, "." in presentation form. */
	snprintf(out, size, "%s.", name[0] ? name : "");
	ares_free_string(name);
	return 0;
}

/* TXT: each character-string quoted, '"' and '\' escaped, others as \DDD. */
static void dns_txt_format(const unsigned char *rdata, int rdlen, char *out, size_t size)
{
	int pos = 0;

	out[0] = '\0';
	while (pos < rdlen) {
		int len = rdata[pos++];

		if (len > rdlen - pos)
			len = rdlen - pos;
		text_appendf(out, size, "%s\"", out[0] ? " " : "");
		for (int i = 0; i < len; i++) {
			unsigned char c = rdata[pos + i];

			if (c == '"' || c == '\\')
				text_appendf(out, size, "\\%c", c);
			else if (c < 0x20 || c > 0x7e)
				text_appendf(out, size, "\\%03u", c);
			else
				text_appendf(out, size, "%c", c);
		}
		text_appendf(out, size, "\"");
		pos += len;
	}
}

/* One record's data in presentation form; -EBADMSG when it does not parse. */
static int dns_rdata_format(int type, const unsigned char *rdata, int rdlen,
			    const unsigned char *msg, int msg_len, char *out, size_t size)
{
	long used;
	char name[300];

	switch (type) {
	case DNS_TYPE_A:
		if (rdlen != 4 || !inet_ntop(AF_INET, rdata, out, size))
			return -EBADMSG;
		return 0;
	case DNS_TYPE_AAAA:
		if (rdlen != 16 || !inet_ntop(AF_INET6, rdata, out, size))
			return -EBADMSG;
		return 0;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_NS:
	case DNS_TYPE_PTR:
		return dns_name_read(rdata, msg, msg_len, out, size, &used);
	case DNS_TYPE_MX:
		if (rdlen < 3 || dns_name_read(rdata + 2, msg, msg_len, name, sizeof(name), &used))
			return -EBADMSG;
		snprintf(out, size, "%u %s", (rdata[0] << 8) | rdata[1], name);
		return 0;
	case DNS_TYPE_SRV:
		if (rdlen < 7 || dns_name_read(rdata + 6, msg, msg_len, name, sizeof(name), &used))
			return -EBADMSG;
		snprintf(out, size, "%u %u %u %s", (rdata[0] << 8) | rdata[1],
			 (rdata[2] << 8) | rdata[3], (rdata[4] << 8) | rdata[5], name);
		return 0;
	case DNS_TYPE_TXT:
		dns_txt_format(rdata, rdlen, out, size);
		return 0;
	default:
		snprintf(out, size, "%s (%d bytes)",
			 dns_type_name((unsigned int)type, name, sizeof(name)), rdlen);
		return 0;
	}
}

/*
 * Walks the answer section: records of the asked type (all of them for
 * ANY) become answers, CNAMEs met on the way (when CNAME was not the asked
 * type) are shown as
 * "OWNER. CNAME TARGET." so the chain is visible. Returns how many records
 * of the asked type there were, or -EBADMSG.
 */
static int dns_answers_collect(const unsigned char *msg, int msg_len, int qtype, char *answers,
			       size_t size)
{
	const unsigned char *ptr = msg + DNS_HEADER_LEN;
	const unsigned char *end = msg + msg_len;
	int qdcount = (msg[4] << 8) | msg[5];
	int ancount = (msg[6] << 8) | msg[7];
	int matched = 0;
	char owner[300], data[400];
	long used;

	answers[0] = '\0';
	for (int i = 0; i < qdcount; i++) {
		if (dns_name_read(ptr, msg, msg_len, owner, sizeof(owner), &used) ||
		    end - ptr < used + 4)
			return -EBADMSG;
		ptr += used + 4;
	}
	for (int i = 0; i < ancount; i++) {
		bool type_matches;
		int type, rdlen;

		if (dns_name_read(ptr, msg, msg_len, owner, sizeof(owner), &used) ||
		    end - ptr < used + DNS_RR_FIXED_LEN)
			return -EBADMSG;
		ptr += used;
		type = (ptr[0] << 8) | ptr[1];
		rdlen = (ptr[8] << 8) | ptr[9];
		ptr += DNS_RR_FIXED_LEN;
		if (end - ptr < rdlen)
			return -EBADMSG;
		/* ANY: whatever the server gives counts as an answer. */
		type_matches = qtype == DNS_TYPE_ANY || type == qtype;
		if (!type_matches && type != DNS_TYPE_CNAME) {
			ptr += rdlen;
			continue;
		}
		if (dns_rdata_format(type, ptr, rdlen, msg, msg_len, data, sizeof(data)))
			return -EBADMSG;
		if (type == DNS_TYPE_CNAME && qtype != DNS_TYPE_CNAME)
			text_appendf(answers, size, "%s%s CNAME %s", answers[0] ? ", " : "", owner,
				     data);
		else
			text_appendf(answers, size, "%s%s", answers[0] ? ", " : "", data);
		if (type_matches)
			matched++;
		ptr += rdlen;
	}
	return matched;
}

/* The server answered: the rcode and the answer section decide. */
static void dns_response_report(const struct probe_options *o, int qtype, const unsigned char *msg,
				int msg_len, struct probe_attempt *a)
{
	char rcode_buf[16], type_buf[16];
	const char *type_name;
	int matched;

	if (msg_len < DNS_HEADER_LEN) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "malformed DNS response from %s (%d bytes, shorter than a header)",
			 a->peer, msg_len);
		return;
	}
	a->dns_rcode = msg[3] & 0x0f;
	switch (a->dns_rcode) {
	case DNS_RCODE_NOERROR:
		break;
	case DNS_RCODE_NXDOMAIN:
		a->result = PROBE_NXDOMAIN;
		snprintf(a->detail, sizeof(a->detail), "rcode NXDOMAIN: %s does not exist",
			 o->target);
		return;
	case DNS_RCODE_SERVFAIL:
		a->result = PROBE_SERVFAIL;
		snprintf(a->detail, sizeof(a->detail),
			 "rcode SERVFAIL: %s could not resolve %s (its upstream or zone failed)",
			 a->peer, o->target);
		return;
	default:
		a->result = PROBE_DNS_ERROR;
		snprintf(a->detail, sizeof(a->detail), "rcode %s",
			 dns_rcode_name((unsigned int)a->dns_rcode, rcode_buf, sizeof(rcode_buf)));
		return;
	}

	type_name = dns_type_name((unsigned int)qtype, type_buf, sizeof(type_buf));
	matched = dns_answers_collect(msg, msg_len, qtype, a->answers, sizeof(a->answers));
	if (matched < 0) {
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "malformed DNS response from %s (rcode NOERROR, records do not parse)",
			 a->peer);
		return;
	}
	if (matched == 0) {
		a->result = PROBE_DNS_NO_ANSWER;
		snprintf(a->detail, sizeof(a->detail), "rcode NOERROR but no %s record for %s",
			 type_name, o->target);
		return;
	}
	a->result = PROBE_OK;
	snprintf(a->detail, sizeof(a->detail), "rcode NOERROR, %d %s record%s", matched, type_name,
		 matched == 1 ? "" : "s");
}

/* No answer buffer: what c-ares says happened. */
static void dns_status_report(const struct probe_options *o, uint32_t timeout_ms, int status,
			      struct probe_attempt *a)
{
	char rcode_buf[16];

	switch (status) {
	case ARES_ETIMEOUT:
	case ARES_ECANCELLED: /* our own deadline cancelled it */
		a->result = PROBE_TIMEOUT;
		snprintf(a->detail, sizeof(a->detail), "no answer from %s within %u ms", a->peer,
			 timeout_ms);
		return;
	case ARES_ECONNREFUSED:
		a->result = PROBE_REFUSED;
		snprintf(
			a->detail, sizeof(a->detail),
			"%s refused the query (ICMP port unreachable): no DNS server listens there",
			a->peer);
		return;
	case ARES_EBADNAME:
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail),
			 "'%s' is not a valid DNS name (labels of 1-63 bytes, 253 in all)",
			 o->target);
		return;
	case ARES_ENOTFOUND: /* c-ares' mapping of rcodes, if no buffer came with it */
		a->result = PROBE_NXDOMAIN;
		a->dns_rcode = DNS_RCODE_NXDOMAIN;
		snprintf(a->detail, sizeof(a->detail), "rcode NXDOMAIN");
		return;
	case ARES_ESERVFAIL:
		a->result = PROBE_SERVFAIL;
		a->dns_rcode = DNS_RCODE_SERVFAIL;
		snprintf(a->detail, sizeof(a->detail), "rcode SERVFAIL");
		return;
	case ARES_EREFUSED:
	case ARES_EFORMERR:
	case ARES_ENOTIMP:
		a->result = PROBE_DNS_ERROR;
		a->dns_rcode = status == ARES_EREFUSED	 ? DNS_RCODE_REFUSED
			       : status == ARES_EFORMERR ? DNS_RCODE_FORMERR
							 : DNS_RCODE_NOTIMP;
		snprintf(a->detail, sizeof(a->detail), "rcode %s",
			 dns_rcode_name((unsigned int)a->dns_rcode, rcode_buf, sizeof(rcode_buf)));
		return;
	default:
		a->result = PROBE_ERROR;
		snprintf(a->detail, sizeof(a->detail), "DNS query to %s failed: %s", a->peer,
			 ares_strerror(status));
		return;
	}
}

/* Runs c-ares' sockets until the query ends or the deadline passes. */
static void dns_query_drive(ares_channel channel, struct dns_query_state *state,
			    uint64_t deadline_ns)
{
	while (!state->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfds[ARES_GETSOCK_MAXNUM];
		struct timeval max_wait, wait_buf, *wait_tv;
		uint64_t now = cli_monotonic_ns();
		int nfds = 0, ready, wait_ms;
		unsigned int bits;

		if (now >= deadline_ns) {
			ares_cancel(channel); /* calls back with ARES_ECANCELLED */
			return;
		}
		max_wait.tv_sec = (time_t)((deadline_ns - now) / 1000000000ull);
		max_wait.tv_usec = (suseconds_t)((deadline_ns - now) % 1000000000ull / 1000);
		/* Returns max_wait itself when c-ares has no timer of its own. */
		wait_tv = ares_timeout(channel, &max_wait, &wait_buf);
		/* Round up: waking before c-ares' own timer would spin. */
		{
			/* In 64 bits, then capped: a --timeout of weeks must not
			 * wrap to a negative (endless) poll. */
			int64_t ms =
				(int64_t)wait_tv->tv_sec * 1000 + (wait_tv->tv_usec + 999) / 1000;

			wait_ms = ms > INT_MAX ? INT_MAX : ms < 0 ? 0 : (int)ms;
		}

		/* Unsigned: c-ares' ARES_GETSOCK_WRITABLE shifts into the sign bit. */
		bits = (unsigned int)ares_getsock(channel, socks, ARES_GETSOCK_MAXNUM);
		for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short events = 0;

			if (bits & (1u << i))
				events |= POLLIN;
			if (bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
				events |= POLLOUT;
			if (!events)
				continue;
			pfds[nfds].fd = socks[i];
			pfds[nfds].events = events;
			pfds[nfds].revents = 0;
			nfds++;
		}
		ready = poll(pfds, (nfds_t)nfds, wait_ms);
		if (ready < 0 && errno != EINTR) {
			ares_cancel(channel);
			return;
		}
		if (ready <= 0) {
			/* Lets c-ares run its timeouts. */
			ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (int i = 0; i < nfds; i++) {
			/* Errors (ICMP port unreachable) surface on read. */
			bool readable = pfds[i].revents & (POLLIN | POLLERR | POLLHUP);
			bool writable = pfds[i].revents & POLLOUT;

			ares_process_fd(channel, readable ? pfds[i].fd : ARES_SOCKET_BAD,
					writable ? pfds[i].fd : ARES_SOCKET_BAD);
		}
	}
}

void probe_dns_once(const struct probe_options *o, struct probe_attempt *a)
{
	uint32_t timeout_ms = o->timeout_ms ? o->timeout_ms : DNS_DEFAULT_TIMEOUT_MS;
	int qtype = o->qtype > 0 ? o->qtype : DNS_TYPE_A;
	struct dns_query_state state = {0};
	struct ares_addr_port_node server;
	struct ares_options opts = {0};
	ares_channel channel = NULL;
	uint64_t started_ns;
	int status, optmask;

	probe_attempt_start(a);

	if (!o->target || !o->target[0]) {
		snprintf(a->detail, sizeof(a->detail),
			 "no name to query: give one, e.g. netobs probe dns example.com");
		return;
	}
	if (qtype > 65535) {
		snprintf(a->detail, sizeof(a->detail), "bad --type %d: a DNS TYPE is 1 to 65535",
			 qtype);
		return;
	}
	if (o->server && dns_server_parse(o->server, &server, a->peer, sizeof(a->peer), a->detail,
					  sizeof(a->detail)))
		return;

	status = ares_library_init(ARES_LIB_INIT_ALL);
	if (status != ARES_SUCCESS) {
		snprintf(a->detail, sizeof(a->detail), "c-ares did not start: %s",
			 ares_strerror(status));
		return;
	}
	/*
	 * NOCHECKRESP: without it c-ares swallows SERVFAIL/REFUSED/NOTIMP
	 * answers and tries the next server; the probe reports this server's.
	 */
	opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
	opts.tries = 1;
	opts.timeout = timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms;
	optmask = ARES_OPT_FLAGS | ARES_OPT_TRIES | ARES_OPT_TIMEOUTMS;
	if (o->resolv_conf && !o->server) {
		/* c-ares only reads it; the option's type is not const */
		opts.resolvconf_path = (char *)o->resolv_conf;
		optmask |= ARES_OPT_RESOLVCONF;
	}
	status = ares_init_options(&channel, &opts, optmask);
	if (status != ARES_SUCCESS) {
		snprintf(a->detail, sizeof(a->detail), "c-ares did not start: %s (is %s readable?)",
			 ares_strerror(status),
			 o->resolv_conf ? o->resolv_conf : "/etc/resolv.conf");
		goto out_cleanup;
	}
	if (o->server) {
		status = ares_set_servers_ports(channel, &server);
		if (status != ARES_SUCCESS) {
			snprintf(a->detail, sizeof(a->detail), "c-ares did not take server %s: %s",
				 a->peer, ares_strerror(status));
			goto out_destroy;
		}
	} else {
		dns_system_server_peer(channel, a->peer, sizeof(a->peer));
	}

	started_ns = cli_monotonic_ns();
	ares_query(channel, o->target, DNS_CLASS_IN, qtype, dns_query_done, &state);
	dns_query_drive(channel, &state, started_ns + (uint64_t)timeout_ms * 1000000ull);
	if (!state.done) { /* cannot happen: ares_cancel calls back */
		snprintf(a->detail, sizeof(a->detail), "the DNS query did not end");
		goto out_destroy;
	}
	if (state.response) {
		a->latency_ns = state.answered_ns - started_ns;
		dns_response_report(o, qtype, state.response, state.response_len, a);
	} else {
		if (state.status != ARES_ECANCELLED && state.status != ARES_ETIMEOUT)
			a->latency_ns = state.answered_ns - started_ns;
		dns_status_report(o, timeout_ms, state.status, a);
	}
out_destroy:
	ares_destroy(channel);
out_cleanup:
	free(state.response);
	ares_library_cleanup();
}
