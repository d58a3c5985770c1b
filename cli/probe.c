// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs probe KIND TARGET: parse the flags, enter --from's namespace, make
 * --count attempts with the protocol's probe_*_once, print each attempt
 * like ping does and a summary (or one JSON object). Exit 0 only when every
 * attempt succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "probe.h"

enum probe_opt {
	OPT_COUNT = 0x100,
	OPT_INTERVAL,
	OPT_TIMEOUT,
	OPT_FROM,
	OPT_METHOD,
	OPT_EXPECT_STATUS,
	OPT_CACERT,
	OPT_INSECURE,
	OPT_SERVER,
	OPT_TYPE,
	OPT_NO_FLOWS,
};

static const char *const result_names[PROBE_RESULT__COUNT] = {
	[PROBE_OK] = "ok",
	[PROBE_TIMEOUT] = "timeout",
	[PROBE_REFUSED] = "connection-refused",
	[PROBE_HOST_UNREACHABLE] = "host-unreachable",
	[PROBE_NET_UNREACHABLE] = "network-unreachable",
	[PROBE_RESOLVE_FAILED] = "resolve-failed",
	[PROBE_NXDOMAIN] = "nxdomain",
	[PROBE_SERVFAIL] = "servfail",
	[PROBE_DNS_ERROR] = "dns-error",
	[PROBE_DNS_NO_ANSWER] = "dns-no-answer",
	[PROBE_TLS_VERIFY_FAILED] = "tls-verify-failed",
	[PROBE_TLS_ERROR] = "tls-error",
	[PROBE_HTTP_STATUS] = "http-status",
	[PROBE_ERROR] = "error",
};

static const char *const kind_names[PROBE_KIND__COUNT] = {
	[PROBE_ICMP] = "icmp", [PROBE_TCP] = "tcp",	[PROBE_UDP] = "udp",
	[PROBE_HTTP] = "http", [PROBE_HTTPS] = "https", [PROBE_DNS] = "dns",
};

static void (*const probe_once[PROBE_KIND__COUNT])(const struct probe_options *,
						   struct probe_attempt *) = {
	[PROBE_ICMP] = probe_icmp_once,	 [PROBE_TCP] = probe_tcp_once,
	[PROBE_UDP] = probe_udp_once,	 [PROBE_HTTP] = probe_http_once,
	[PROBE_HTTPS] = probe_http_once, [PROBE_DNS] = probe_dns_once,
};

const char *probe_result_name(enum probe_result result)
{
	if ((unsigned int)result >= PROBE_RESULT__COUNT)
		return "error";
	return result_names[result];
}

const char *probe_kind_name(enum probe_kind kind)
{
	if ((unsigned int)kind >= PROBE_KIND__COUNT)
		return "?";
	return kind_names[kind];
}

void cli_usage_probe(FILE *out)
{
	fprintf(out,
		"Usage: netobs probe KIND TARGET [FLAGS] [-o text|json]\n"
		"\n"
		"Probe a target and say exactly how each attempt ended.\n"
		"  icmp HOST            ICMP echo (IPv4 or IPv6)\n"
		"  tcp HOST:PORT        a TCP handshake ([IPv6]:PORT for IPv6)\n"
		"  udp HOST:PORT        a datagram, waiting for any reply\n"
		"  http URL, https URL  an HTTP request\n"
		"  dns NAME             a DNS query\n"
		"Flags:\n"
		"      --count N          attempts (default 3)\n"
		"      --interval DURATION  between attempts (default 1s)\n"
		"      --timeout DURATION   per attempt (default 2s)\n"
		"                         DURATION: 500ms, 2s, 1.5s, 1m (a bare number: seconds)\n"
		"      --from ENDPOINT    probe from inside the endpoint's network namespace\n"
		"                         (an agent's endpoint name, else a named netns; root)\n"
		"      --no-flows         do not show the flows a running agent saw for the probe\n"
		"http, https:\n"
		"      --method METHOD    default GET\n"
		"      --expect-status CODE  success only with this status (default: 1xx-3xx)\n"
		"      --cacert FILE      trust this CA;  --insecure: no certificate check\n"
		"dns:\n"
		"      --server IP[:PORT] default: /etc/resolv.conf's (with --from:\n"
		"                         /etc/netns/NETNS/resolv.conf if there is one);\n"
		"                         [IPv6] or [IPv6]:PORT for IPv6\n"
		"      --type TYPE        A (default), AAAA, CNAME, MX, TXT, NS, SOA, PTR, SRV,\n"
		"                         ANY, any other type name, TYPEn, or a number\n"
		"\n"
		"Results: ok, timeout, connection-refused, host-unreachable,\n"
		"network-unreachable, resolve-failed, nxdomain, servfail, dns-error,\n"
		"dns-no-answer, tls-verify-failed, tls-error, http-status, error.\n"
		"With netobs-agent running, the flows it saw for the probe follow the summary.\n"
		"Exit status: 0 when every attempt succeeded, 1 when any failed (or --from\n"
		"could not be entered), 2 for a usage error.\n"
		"Example: netobs probe tcp 10.0.0.2:80 --count 5 --from client\n");
}

bool probe_parse_duration_ms(const char *text, uint32_t *ms)
{
	double value, scale;
	char *unit;

	if (!((text[0] >= '0' && text[0] <= '9') || text[0] == '.'))
		return false;
	errno = 0;
	value = strtod(text, &unit);
	if (errno || unit == text || !isfinite(value))
		return false;
	if (strcmp(unit, "ms") == 0)
		scale = 1;
	else if (strcmp(unit, "s") == 0 || *unit == '\0')
		scale = 1000;
	else if (strcmp(unit, "m") == 0)
		scale = 60000;
	else
		return false;
	value *= scale;
	if (value > (double)UINT32_MAX)
		return false;
	*ms = (uint32_t)value;
	return true;
}

/* --type: a name lib/dns.c knows (any case, "TYPE99" too) or a number. */
static int parse_qtype(const char *text, int *qtype)
{
	unsigned long value;
	char *end;

	*qtype = dns_type_from_name(text);
	if (*qtype > 0)
		return 0;
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value == 0 || value > 65535)
		goto bad;
	*qtype = (int)value;
	return 0;
bad:
	return cli_usage_error(
		"probe",
		"invalid --type '%s': expected a type name (A, AAAA, CNAME, MX, TXT, "
		"NS, SOA, PTR, SRV, ANY, ...) or a number from 1 to 65535",
		text);
}

/* --server: checked by the dns probe's own parser, so both accept the same forms. */
static int check_server(const char *text)
{
	char detail[256];

	if (probe_dns_server_check(text, detail, sizeof(detail)))
		return cli_usage_error("probe", "%s", detail);
	return 0;
}

/* Flags that belong to one kind only: given with another, they are an error. */
struct kind_flags {
	const char *http_flag; /* the first http-only flag given, NULL if none */
	const char *dns_flag;
};

static int check_target(const struct probe_options *o)
{
	char host[256];
	uint16_t port;
	int err;

	switch (o->kind) {
	case PROBE_TCP:
	case PROBE_UDP:
		err = probe_parse_host_port(o->target, host, sizeof(host), &port);
		if (err == -ERANGE)
			return cli_usage_error("probe", "invalid target '%s': port out of 1-65535",
					       o->target);
		if (err)
			return cli_usage_error("probe",
					       "invalid target '%s': %s takes HOST:PORT "
					       "([IPv6]:PORT for IPv6)",
					       o->target, probe_kind_name(o->kind));
		return 0;
	case PROBE_HTTP:
	case PROBE_HTTPS:
		if (!strstr(o->target, "://"))
			return cli_usage_error("probe",
					       "invalid target '%s': %s takes a URL, e.g. "
					       "%s://10.0.0.2/",
					       o->target, probe_kind_name(o->kind),
					       probe_kind_name(o->kind));
		return 0;
	default:
		if (!*o->target)
			return cli_usage_error("probe", "empty target");
		return 0;
	}
}

static int parse_args(int argc, char **argv, struct cli_globals *g, struct probe_options *o,
		      bool *json)
{
	static const struct option options[] = {
		{"count", required_argument, NULL, OPT_COUNT},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{"from", required_argument, NULL, OPT_FROM},
		{"method", required_argument, NULL, OPT_METHOD},
		{"expect-status", required_argument, NULL, OPT_EXPECT_STATUS},
		{"cacert", required_argument, NULL, OPT_CACERT},
		{"insecure", no_argument, NULL, OPT_INSECURE},
		{"server", required_argument, NULL, OPT_SERVER},
		{"type", required_argument, NULL, OPT_TYPE},
		{"no-flows", no_argument, NULL, OPT_NO_FLOWS},
		CLI_GLOBAL_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct kind_flags given = {0};
	const char *positional[2];
	unsigned long value;
	size_t n_positional = 0, k;
	int opt, err;

	*o = (struct probe_options){
		.count = 3, .interval_ms = 1000, .timeout_ms = 2000, .method = "GET", .qtype = 1};
	optind = 0;
	for (;;) {
		opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, "probe");
		if (opt == -1) {
			/* "+" stops at KIND and TARGET: collect them, go on with the flags. */
			if (optind >= argc)
				break;
			if (n_positional == 2)
				return cli_usage_error("probe", "unexpected argument '%s'",
						       argv[optind]);
			positional[n_positional++] = argv[optind++];
			continue;
		}
		switch (opt) {
		case CLI_OPT_BAD:
			return CLI_EXIT_USAGE;
		case OPT_COUNT:
			err = cli_parse_count("probe", "count", optarg, &value);
			if (err)
				return err;
			if (value == 0)
				return cli_usage_error("probe", "--count must be at least 1");
			o->count = (unsigned int)value;
			break;
		case OPT_INTERVAL:
		case OPT_TIMEOUT:
			if (!probe_parse_duration_ms(optarg, opt == OPT_TIMEOUT ? &o->timeout_ms
										: &o->interval_ms))
				return cli_usage_error("probe",
						       "invalid --%s '%s': expected a duration "
						       "like 500ms, 2s, 1.5s or 1m",
						       opt == OPT_TIMEOUT ? "timeout" : "interval",
						       optarg);
			if (opt == OPT_TIMEOUT && o->timeout_ms == 0)
				return cli_usage_error("probe", "--timeout must be at least 1ms");
			break;
		case OPT_FROM:
			if (!*optarg)
				return cli_usage_error("probe", "--from needs an endpoint name");
			o->from = optarg;
			break;
		case OPT_METHOD:
			o->method = optarg;
			given.http_flag = "--method";
			break;
		case OPT_EXPECT_STATUS:
			err = cli_parse_count("probe", "expect-status", optarg, &value);
			if (err)
				return err;
			if (value < 100 || value > 599)
				return cli_usage_error("probe",
						       "invalid --expect-status '%s': expected an "
						       "HTTP status from 100 to 599",
						       optarg);
			o->expect_status = (int)value;
			given.http_flag = "--expect-status";
			break;
		case OPT_CACERT:
			o->cacert = optarg;
			given.http_flag = "--cacert";
			break;
		case OPT_INSECURE:
			o->insecure = true;
			given.http_flag = "--insecure";
			break;
		case OPT_SERVER:
			err = check_server(optarg);
			if (err)
				return err;
			o->server = optarg;
			given.dns_flag = "--server";
			break;
		case OPT_NO_FLOWS:
			o->no_flows = true;
			break;
		case OPT_TYPE:
			err = parse_qtype(optarg, &o->qtype);
			if (err)
				return err;
			given.dns_flag = "--type";
			break;
		default:
			cli_handle_global_opt(opt, cli_usage_probe, g);
			break;
		}
	}
	if (n_positional < 2)
		return cli_usage_error("probe",
				       n_positional ? "missing TARGET" : "missing KIND and TARGET");
	for (k = 0; k < PROBE_KIND__COUNT; k++)
		if (strcmp(positional[0], kind_names[k]) == 0)
			break;
	if (k == PROBE_KIND__COUNT)
		return cli_usage_error("probe",
				       "unknown probe kind '%s': expected icmp, tcp, udp, http, "
				       "https or dns",
				       positional[0]);
	o->kind = (enum probe_kind)k;
	o->target = positional[1];
	if (given.http_flag && o->kind != PROBE_HTTP && o->kind != PROBE_HTTPS)
		return cli_usage_error("probe", "%s is for http and https probes, not %s",
				       given.http_flag, positional[0]);
	if (given.dns_flag && o->kind != PROBE_DNS)
		return cli_usage_error("probe", "%s is for dns probes, not %s", given.dns_flag,
				       positional[0]);
	if (o->cacert && o->insecure)
		return cli_usage_error("probe", "--cacert and --insecure contradict each other");
	if (!g->output || strcmp(g->output, "text") == 0)
		*json = false;
	else if (strcmp(g->output, "json") == 0)
		*json = true;
	else
		return cli_usage_error("probe", "invalid output '%s': expected text or json",
				       g->output);
	return check_target(o);
}

/*
 * --from: the agent's endpoint of that name names its namespace; without an
 * agent, or when it does not know the name, the name is a named netns.
 * Returns the netns name (static storage, or from) or NULL after reporting.
 */
static const char *endpoint_netns(const struct cli_globals *g, const char *from)
{
	static char netns[256];
	char msg[256], *raw;
	struct cli_conn conn;
	enum cli_line line;
	size_t raw_len;
	json_t *obj;
	bool found = false;
	int fd;

	/* Probe for an agent quietly: no agent is a normal case here. */
	fd = netobs_api_connect(cli_socket_path(g), msg, sizeof(msg));
	if (fd < 0)
		return from;
	close(fd);
	if (cli_conn_send(&conn, g, json_pack("{s:s}", "request", "endpoints")))
		return from;
	while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *ep = json_object_get(obj, "endpoint");
		const char *name = json_string_value(json_object_get(ep, "name"));
		const char *ns = json_string_value(json_object_get(ep, "netns"));

		if (!found && name && strcmp(name, from) == 0) {
			found = true;
			snprintf(netns, sizeof(netns), "%s", ns ? ns : "");
		}
		json_decref(obj);
	}
	cli_conn_close(&conn);
	if (!found)
		return from;
	if (!*netns) {
		cli_error("endpoint '%s' has no named network namespace (its peer is in the "
			  "host's or in an unnamed one): --from needs a namespace from "
			  "`ip netns list`",
			  from);
		return NULL;
	}
	return netns;
}

/*
 * Enter --from's network namespace. 0, or CLI_EXIT_RUNTIME after reporting
 * why. A dns probe without --server then reads the namespace's own
 * resolv.conf when there is one, as `ip netns exec` would show it.
 */
static int enter_from(const struct cli_globals *g, struct probe_options *o)
{
	static char resolv_conf[PATH_MAX];
	const char *from = o->from;
	char path[PATH_MAX];
	const char *netns;
	int fd;

	if (geteuid() != 0) {
		cli_error("--from %s needs root (entering a network namespace): run as root", from);
		return CLI_EXIT_RUNTIME;
	}
	netns = endpoint_netns(g, from);
	if (!netns)
		return CLI_EXIT_RUNTIME;
	if (strchr(netns, '/') || strcmp(netns, "..") == 0 || strcmp(netns, ".") == 0) {
		cli_error("--from '%s': not an endpoint or network namespace name", from);
		return CLI_EXIT_RUNTIME;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && netns == from)
			cli_error("--from '%s': no such endpoint (agent) nor network namespace "
				  "(%s): see netobs endpoints and ip netns list",
				  from, path);
		else if (errno == ENOENT)
			cli_error("--from '%s': its network namespace %s is gone (%s does not "
				  "exist)",
				  from, netns, path);
		else
			cli_error("--from '%s': opening %s: %s", from, path, strerror(errno));
		return CLI_EXIT_RUNTIME;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		cli_error("--from '%s': entering network namespace %s: %s", from, netns,
			  strerror(errno));
		close(fd);
		return CLI_EXIT_RUNTIME;
	}
	close(fd);
	snprintf(resolv_conf, sizeof(resolv_conf), "/etc/netns/%s/resolv.conf", netns);
	if (access(resolv_conf, F_OK) == 0)
		o->resolv_conf = resolv_conf;
	return 0;
}

static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void print_attempt_text(unsigned int n, const struct probe_options *o,
			       const struct probe_attempt *a)
{
	const char *peer = *a->peer ? a->peer : o->target;

	printf("%u: %s %s", n, peer, probe_result_name(a->result));
	if (a->result == PROBE_OK)
		printf(" %.3f ms", (double)a->latency_ns / 1e6);
	else if (a->result == PROBE_TIMEOUT)
		printf(" after %u ms", o->timeout_ms);
	/* The detail in parentheses keeps the result name a field of its own (awk '{print $3}'). */
	if (*a->detail && (a->result != PROBE_OK || o->kind != PROBE_ICMP))
		printf(" (%s)", a->detail);
	printf("\n");
	fflush(stdout);
}

static json_t *attempt_json(const struct probe_attempt *a)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:i, s:s}", "result",
			 probe_result_name(a->result), "latency_ns", (json_int_t)a->latency_ns,
			 "detail", a->detail, "peer", a->peer, "http_code",
			 (json_int_t)a->http_code, "dns_rcode", a->dns_rcode, "answers",
			 a->answers);
}

struct probe_summary {
	unsigned int sent, ok;
	uint64_t min_ns, max_ns, sum_ns;
	unsigned int by_result[PROBE_RESULT__COUNT];
};

static void summary_add(struct probe_summary *s, const struct probe_attempt *a)
{
	s->sent++;
	s->by_result[a->result]++;
	if (a->result != PROBE_OK)
		return;
	if (!s->ok || a->latency_ns < s->min_ns)
		s->min_ns = a->latency_ns;
	if (!s->ok || a->latency_ns > s->max_ns)
		s->max_ns = a->latency_ns;
	s->sum_ns += a->latency_ns;
	s->ok++;
}

static void print_summary_text(const struct probe_summary *s)
{
	bool first = true;
	size_t r;

	printf("%u sent, %u ok", s->sent, s->ok);
	if (s->ok)
		printf(", min/avg/max = %.3f/%.3f/%.3f ms", (double)s->min_ns / 1e6,
		       (double)s->sum_ns / s->ok / 1e6, (double)s->max_ns / 1e6);
	for (r = PROBE_OK + 1; r < PROBE_RESULT__COUNT; r++) {
		if (!s->by_result[r])
			continue;
		printf("%s%u %s", first ? "; " : ", ", s->by_result[r], result_names[r]);
		first = false;
	}
	printf("\n");
}

static json_t *summary_json(const struct probe_summary *s)
{
	json_t *results = json_object();
	size_t r;

	for (r = 0; results && r < PROBE_RESULT__COUNT; r++)
		if (s->by_result[r])
			json_object_set_new(results, result_names[r],
					    json_integer(s->by_result[r]));
	return json_pack("{s:i, s:i, s:I, s:I, s:I, s:o*}", "sent", s->sent, "ok", s->ok, "min_ns",
			 (json_int_t)s->min_ns, "avg_ns",
			 (json_int_t)(s->ok ? s->sum_ns / s->ok : 0), "max_ns",
			 (json_int_t)s->max_ns, "results", results);
}

/* Sleep ms unless Ctrl-C comes first. */
static void wait_interval(uint32_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (!stop_requested && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cli_cmd_probe(int argc, char **argv, struct cli_globals *g)
{
	struct sigaction stop = {.sa_handler = request_stop};
	struct probe_summary summary = {0};
	char peer[sizeof(((struct probe_attempt *)0)->peer)] = "";
	struct probe_options o;
	json_t *attempts = NULL, *report;
	uint64_t started_ns;
	unsigned int n;
	bool json = false;
	int ret;

	ret = parse_args(argc, argv, g, &o, &json);
	if (ret)
		return ret;
	if (o.from) {
		ret = enter_from(g, &o);
		if (ret)
			return ret;
	}
	if (json) {
		attempts = json_array();
		if (!attempts) {
			cli_error("out of memory");
			return CLI_EXIT_RUNTIME;
		}
	}
	/* Ctrl-C ends the run like ping: the attempts so far, then the summary. */
	sigaction(SIGINT, &stop, NULL);

	started_ns = cli_realtime_ns();
	for (n = 1; n <= o.count && !stop_requested; n++) {
		struct probe_attempt a = {.dns_rcode = -1};

		if (n > 1)
			wait_interval(o.interval_ms);
		if (stop_requested)
			break;
		probe_once[o.kind](&o, &a);
		if ((unsigned int)a.result >= PROBE_RESULT__COUNT)
			a.result = PROBE_ERROR;
		summary_add(&summary, &a);
		if (*a.peer)
			snprintf(peer, sizeof(peer), "%s", a.peer);
		if (json)
			json_array_append_new(attempts, attempt_json(&a));
		else
			print_attempt_text(n, &o, &a);
	}

	if (json) {
		report = json_pack("{s:s, s:s, s:s?, s:o, s:o*}", "kind", probe_kind_name(o.kind),
				   "target", o.target, "from", o.from, "attempts", attempts,
				   "summary", summary_json(&summary));
		if (!report) {
			cli_error("out of memory");
			return CLI_EXIT_RUNTIME;
		}
		if (!o.no_flows)
			probe_flows_report(g, &o, peer, started_ns, report);
		json_dumpf(report, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(report);
	} else {
		print_summary_text(&summary);
		if (!o.no_flows)
			probe_flows_report(g, &o, peer, started_ns, NULL);
	}
	return summary.sent && summary.ok == summary.sent ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
