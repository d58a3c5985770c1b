/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * `netobs probe icmp|tcp|udp|http|https|dns TARGET`: one protocol's probe is
 * one function that makes a single attempt and says exactly how it ended;
 * cli/probe.c repeats it (--count, --interval), enters the endpoint's
 * namespace first (--from), and prints the attempts and min/avg/max.
 * Well-kept libraries do the protocol work: libcurl (HTTP, HTTPS), c-ares
 * (DNS); ICMP uses the kernel's ping sockets.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

enum probe_kind {
	PROBE_ICMP = 0,
	PROBE_TCP,
	PROBE_UDP,
	PROBE_HTTP,
	PROBE_HTTPS,
	PROBE_DNS,
	PROBE_KIND__COUNT,
};

/* How one attempt ended; names (probe_result_name) are stable, for scripts. */
enum probe_result {
	PROBE_OK = 0,
	PROBE_TIMEOUT,		/* "timeout": no answer within --timeout */
	PROBE_REFUSED,		/* "connection-refused": TCP RST, ICMP port unreachable */
	PROBE_HOST_UNREACHABLE, /* "host-unreachable": no route, ARP/ND failed, ICMP host unreach */
	PROBE_NET_UNREACHABLE,	/* "network-unreachable" */
	PROBE_RESOLVE_FAILED,	/* "resolve-failed": a host name in the target did not resolve */
	PROBE_NXDOMAIN,		/* "nxdomain" */
	PROBE_SERVFAIL,		/* "servfail" */
	PROBE_DNS_ERROR,     /* "dns-error": another rcode (REFUSED, FORMERR...), detail names it */
	PROBE_DNS_NO_ANSWER, /* "dns-no-answer": NOERROR without a record of the asked type */
	PROBE_TLS_VERIFY_FAILED, /* "tls-verify-failed": the server's certificate did not verify */
	PROBE_TLS_ERROR,	 /* "tls-error": the handshake failed otherwise */
	PROBE_HTTP_STATUS, /* "http-status": a status other than expected (4xx/5xx by default) */
	PROBE_ERROR,	   /* "error": anything else; detail says what */
	PROBE_RESULT__COUNT,
};

const char *probe_result_name(enum probe_result result);
const char *probe_kind_name(enum probe_kind kind);
/* "2s", "500ms", "1.5s", "1m", "3" (seconds) -> ms; false when not a duration (also the
 * connectivity test's durations). */
bool probe_parse_duration_ms(const char *text, uint32_t *ms);

struct probe_options {
	enum probe_kind kind;
	const char
		*target; /* icmp: HOST; tcp, udp: HOST:PORT ([v6]:PORT); http(s): URL; dns: NAME */
	unsigned int count;   /* attempts (--count, default 3) */
	uint32_t interval_ms; /* between attempts (--interval, default 1000) */
	uint32_t timeout_ms;  /* per attempt (--timeout, default 2000) */
	const char *from;     /* --from ENDPOINT: run inside its namespace; NULL: the host */
	/* http, https */
	const char *method; /* --method, default GET */
	int expect_status;  /* --expect-status; 0: any 1xx-3xx is success */
	const char *cacert; /* --cacert FILE */
	bool insecure;	    /* --insecure: no certificate verification */
	/* dns */
	const char *server; /* --server IP[:PORT] (IPv6: [IP]:PORT); NULL: /etc/resolv.conf's */
	int qtype;	    /* --type: DNS TYPE number, default 1 (A) */
	/*
	 * dns without --server: the resolver file to read; NULL is
	 * /etc/resolv.conf. --from sets /etc/netns/NETNS/resolv.conf when it
	 * exists, as `ip netns exec` shows it to the programs it runs.
	 */
	const char *resolv_conf;
	bool no_flows; /* --no-flows: do not show the agent's records of the probe */
};

/* One attempt, as the protocol function fills it. */
struct probe_attempt {
	enum probe_result result;
	uint64_t
		latency_ns; /* from the start of the attempt to its answer (also on failures that answered) */
	char detail
		[256]; /* what happened, for people: "HTTP 404 Not Found", "rcode NXDOMAIN", errno text */
	char peer[64];	   /* the address actually probed ("10.0.0.2", "[fd00::2]:443") */
	long http_code;	   /* http(s): the status, 0 when none */
	int dns_rcode;	   /* dns: the rcode, -1 when no response */
	char answers[512]; /* dns: the answers, comma-separated, in presentation form */
};

/*
 * The protocol functions: one attempt each, in the network namespace the
 * caller is in, never longer than o->timeout_ms (plus a few ms), never
 * exiting or printing. Each fills every field of *a it knows.
 */
/*
 * What an attempt holds before a protocol function learns anything: failed
 * with no detail, no peer, no HTTP status, no DNS response.
 */
static inline void probe_attempt_start(struct probe_attempt *a)
{
	a->result = PROBE_ERROR;
	a->latency_ns = 0;
	a->detail[0] = '\0';
	a->peer[0] = '\0';
	a->http_code = 0;
	a->dns_rcode = -1;
	a->answers[0] = '\0';
}

void probe_icmp_once(const struct probe_options *o, struct probe_attempt *a);
void probe_tcp_once(const struct probe_options *o, struct probe_attempt *a);
void probe_udp_once(const struct probe_options *o, struct probe_attempt *a);
void probe_http_once(const struct probe_options *o, struct probe_attempt *a); /* http and https */
void probe_dns_once(const struct probe_options *o, struct probe_attempt *a);

/*
 * Split a tcp/udp TARGET, HOST:PORT or [IPv6]:PORT, into host (NUL-terminated)
 * and port. 0; -EINVAL when it is not of that form; -ERANGE for a port
 * outside 1-65535.
 */
int probe_parse_host_port(const char *target, char *host, size_t host_len, uint16_t *port);

/*
 * Check a dns --server value as the dns probe reads it: IP, IP:PORT, [IPv6],
 * [IPv6]:PORT or a bare IPv6 (names are not resolved). 0, or -EINVAL with
 * why in detail.
 */
int probe_dns_server_check(const char *text, char *detail, size_t detail_size);

/*
 * After the attempts: the records the agent at g's socket made for the
 * probe, those of the target's address (peer, as an attempt filled it)
 * with the probe's protocol and port since since_ns (wall clock). Text
 * (report NULL): printed under a heading, or one line saying why there are
 * none; -o json: sets report's "flows" (the agent's objects, or null) and,
 * when there is something to say, "flows_note". cli/probe_flows.c.
 */
void probe_flows_report(const struct cli_globals *g, const struct probe_options *o,
			const char *peer, uint64_t since_ns, json_t *report);

int cli_cmd_probe(int argc, char **argv, struct cli_globals *g);
void cli_usage_probe(FILE *out);
