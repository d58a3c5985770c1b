// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs flows: ask the agent for stored (and, with --follow, new) flow
 * records matching Hubble-style filters, and print them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "filter.h"
#include "print.h"
#include "record.h"

#define FLOWS_DEFAULT_LAST 20

enum flows_opt {
	OPT_LAST = 0x100,
	OPT_FIRST,
	OPT_ALL,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_NOT,
	OPT_COLOR,
	OPT_PCAP,
	OPT_FILTER = 0x200, /* + index in filter_flags */
};

/* Filter flags: names as netobs_filter_add_flag() knows them. */
static const char *const filter_flags[] = {
	"ip",
	"from-ip",
	"to-ip",
	"port",
	"from-port",
	"to-port",
	"protocol",
	"endpoint",
	"from-endpoint",
	"to-endpoint",
	"verdict",
	"drop-reason-desc",
	"traffic-direction",
	"tcp-flags",
	"interface",
	"ipv4",
	"ipv6",
	"type",
	"pod",
	"from-pod",
	"to-pod",
	"fqdn",
	"from-fqdn",
	"to-fqdn",
	"http-status",
	"http-method",
	"http-path",
	"http-url",
};
#define N_FILTER_FLAGS (sizeof(filter_flags) / sizeof(filter_flags[0]))

struct flows_request {
	struct netobs_filter_set filter;
	unsigned long last, first;
	bool all, follow;
	bool last_given, first_given;
	enum cli_output output;
	bool color;	       /* ANSI colour and bold in compact and table output */
	const char *pcap_path; /* --pcap: a capture's records instead of the agent's */
};

void cli_usage_flows(FILE *out)
{
	fprintf(out,
		"Usage: netobs flows [SELECTION] [FILTERS] [-o compact|json|table]\n"
		"       netobs flows --pcap FILE [FILTERS] [-o compact|json|table]\n"
		"\n"
		"      --pcap FILE         every record of a pcap or pcapng capture, each flow\n"
		"                          ending with its final record: the capture runs\n"
		"                          through the datapath (netobs-agent --replay; needs\n"
		"                          root), on the capture's clock; no agent needed\n"
		"Selection:\n"
		"      --last N            the N newest stored records (default %d)\n"
		"      --first N           the N oldest stored records\n"
		"      --all               every stored record\n"
		"  -f, --follow            then print new records as they come (Ctrl-C stops)\n"
		"      --since TIME        records observed at or after TIME\n"
		"      --until TIME        records observed at or before TIME\n"
		"                          TIME: RFC 3339 (2026-11-25T10:00:00Z) or an age (30s, "
		"5m, 2h30m, 1d)\n"
		"Filters (the same flag repeated ORs its values; different flags AND):\n"
		"      --ip, --from-ip, --to-ip IP[/LEN]     address or CIDR (--ip: either side)\n"
		"      --port, --from-port, --to-port PORT   (--port: either side)\n"
		"      --protocol tcp|udp|sctp|icmp|icmpv4|icmpv6|dns|http\n"
		"                           dns, http: L7 records of that kind only\n"
		"      --endpoint, --from-endpoint, --to-endpoint NAME|ID\n"
		"      --pod, --from-pod, --to-pod NAME|ID  the same (Hubble's names)\n"
		"  -t, --type TYPE          trace, or one observation point (each packet once):\n"
		"                           trace:to-endpoint, trace:from-endpoint,\n"
		"                           trace:to-network, trace:from-network; l7 (DNS and\n"
		"                           HTTP records); drop (policy drops); policy-verdict\n"
		"                           (the first record of a flow a policy rule judged)\n"
		"      --fqdn, --from-fqdn, --to-fqdn GLOB  names learned from DNS, or a DNS\n"
		"                           record's query (*.example.com; --fqdn: either side)\n"
		"      --http-status CODE   404, or a prefix: 5+ (5xx), 40+ (400-409)\n"
		"      --http-method METHOD GET, POST, ... (any case)\n"
		"      --http-path REGEX    POSIX extended regex over the URL path (^/api/)\n"
		"      --http-url REGEX     the same over the whole URL (^http://api\\.)\n"
		"      --verdict FORWARDED|DROPPED|ERROR|AUDIT\n"
		"      --drop-reason-desc POLICY_DENIED|POLICY_DENY|DENIED_BY_PREFILTER\n"
		"                           why a policy or the XDP prefilter dropped it\n"
		"      --traffic-direction ingress|egress\n"
		"      --tcp-flags FLAGS    packets with all these flags, e.g. SYN or SYN,ACK\n"
		"      --interface NAME|IFINDEX\n"
		"  -4, --ipv4, -6, --ipv6   IPv4 or IPv6 records only\n"
		"      --not                negate the next filter flag\n"
		"Output:\n"
		"  -o compact   one Hubble-style line per record (default)\n"
		"  -o json      the agent's JSON lines, untouched (one object per line)\n"
		"  -o table     TIMESTAMP SOURCE DESTINATION TYPE VERDICT SUMMARY EVENT ...\n"
		"      --color auto|always|never   colour and bold; auto (default): only on a\n"
		"                                  terminal and when NO_COLOR is not set\n"
		"\n"
		"Example: netobs flows -f --protocol tcp -o json | jq .flow.IP\n",
		FLOWS_DEFAULT_LAST);
}

static const struct option *flows_options(void)
{
	static const struct option fixed[] = {
		{"last", required_argument, NULL, OPT_LAST},
		{"first", required_argument, NULL, OPT_FIRST},
		{"all", no_argument, NULL, OPT_ALL},
		{"follow", no_argument, NULL, 'f'},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"not", no_argument, NULL, OPT_NOT},
		{"color", required_argument, NULL, OPT_COLOR},
		{"pcap", required_argument, NULL, OPT_PCAP},
		CLI_GLOBAL_LONGOPTS,
	};
	static struct option all[sizeof(fixed) / sizeof(fixed[0]) + N_FILTER_FLAGS + 1];
	size_t i, n = 0;

	if (all[0].name)
		return all;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		all[n++] = fixed[i];
	for (i = 0; i < N_FILTER_FLAGS; i++) {
		bool takes_value =
			strcmp(filter_flags[i], "ipv4") && strcmp(filter_flags[i], "ipv6");

		all[n++] = (struct option){filter_flags[i],
					   takes_value ? required_argument : no_argument, NULL,
					   OPT_FILTER + (int)i};
	}
	return all;
}

static int filter_index(const char *name)
{
	size_t i;

	for (i = 0; i < N_FILTER_FLAGS; i++)
		if (strcmp(filter_flags[i], name) == 0)
			return (int)i;
	return -1;
}

static int add_filter_flag(struct flows_request *req, int index, const char *value, bool negate)
{
	const char *flag = filter_flags[index];
	char msg[256] = "";
	int err;

	/* -4/-6 take no value; the filter wants the IP version as one. */
	if (!value)
		value = strcmp(flag, "ipv4") == 0 ? "4" : "6";
	err = netobs_filter_add_flag(&req->filter, flag, value, negate, msg, sizeof(msg));
	if (!err)
		return 0;
	if (!msg[0])
		snprintf(msg, sizeof(msg), "invalid --%s value '%s': %s", flag, value,
			 strerror(-err));
	return cli_usage_error("flows", "%s", msg);
}

static int parse_time_bound(const char *flag, const char *text, uint64_t *out)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (netobs_time_bound_parse(
		    text, (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec, out) == 0)
		return 0;
	return cli_usage_error("flows",
			       "invalid --%s value '%s': expected an RFC 3339 time "
			       "(2026-11-25T10:00:00Z) or an age (30s, 5m, 2h30m, 1d)",
			       flag, text);
}

/* --color: auto is a terminal on stdout and no NO_COLOR (no-color.org: set and not empty). */
static int parse_color(const char *when, bool *color)
{
	const char *no_color = getenv("NO_COLOR");

	if (!strcmp(when, "always"))
		*color = true;
	else if (!strcmp(when, "never"))
		*color = false;
	else if (!strcmp(when, "auto"))
		*color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
	else
		return cli_usage_error("flows",
				       "invalid --color value '%s': expected auto, always or never",
				       when);
	return 0;
}

static int parse_flows_flags(int argc, char **argv, struct cli_globals *g,
			     struct flows_request *req)
{
	static const char *const outputs[] = {"compact", "json", "table", NULL};
	const struct option *options = flows_options();
	const char *color = "auto";
	bool negate_next = false;
	int opt, ret, selections;

	netobs_filter_set_init(&req->filter);
	req->last = FLOWS_DEFAULT_LAST;
	optind = 0;
	while ((opt = cli_getopt(argc, argv, "+:fo:h46t:", options, "flows")) != -1) {
		if (opt == CLI_OPT_BAD)
			return CLI_EXIT_USAGE;
		if (opt == '4' || opt == '6')
			opt = OPT_FILTER + filter_index(opt == '4' ? "ipv4" : "ipv6");
		if (opt == 't')
			opt = OPT_FILTER + filter_index("type");
		if (opt >= OPT_FILTER && opt < OPT_FILTER + (int)N_FILTER_FLAGS) {
			ret = add_filter_flag(req, opt - OPT_FILTER, optarg, negate_next);
			if (ret)
				return ret;
			negate_next = false;
			continue;
		}
		if (negate_next)
			return cli_usage_error("flows",
					       "--not must come right before a filter flag");
		ret = 0;
		switch (opt) {
		case OPT_NOT:
			negate_next = true;
			break;
		case OPT_LAST:
			req->last_given = true;
			ret = cli_parse_count("flows", "last", optarg, &req->last);
			break;
		case OPT_FIRST:
			req->first_given = true;
			ret = cli_parse_count("flows", "first", optarg, &req->first);
			break;
		case OPT_ALL:
			req->all = true;
			break;
		case OPT_COLOR:
			color = optarg;
			break;
		case OPT_PCAP:
			req->pcap_path = optarg;
			break;
		case 'f':
			req->follow = true;
			break;
		case OPT_SINCE:
			ret = parse_time_bound("since", optarg, &req->filter.since_ns);
			break;
		case OPT_UNTIL:
			ret = parse_time_bound("until", optarg, &req->filter.until_ns);
			break;
		default:
			cli_handle_global_opt(opt, cli_usage_flows, g);
			break;
		}
		if (ret)
			return ret;
	}
	if (negate_next)
		return cli_usage_error("flows", "--not must come right before a filter flag");
	if (optind < argc)
		return cli_usage_error("flows", "unexpected argument '%s'", argv[optind]);
	if (req->pcap_path) {
		const char *agent_only = req->follow	    ? "--follow"
					 : req->last_given  ? "--last"
					 : req->first_given ? "--first"
					 : req->all	    ? "--all"
					 : g->socket_path   ? "--socket"
							    : NULL;

		if (agent_only)
			return cli_usage_error("flows",
					       "%s cannot be combined with --pcap: it selects from "
					       "a running agent's records, and --pcap prints every "
					       "record of the capture",
					       agent_only);
	}
	selections = req->last_given + req->first_given + req->all;
	if (selections > 1)
		return cli_usage_error("flows", "use only one of --last, --first and --all");
	if (req->first_given && req->follow)
		return cli_usage_error("flows", "--first cannot be combined with --follow");
	if (req->filter.since_ns && req->filter.until_ns &&
	    req->filter.since_ns > req->filter.until_ns)
		return cli_usage_error("flows", "--since is later than --until");
	ret = parse_color(color, &req->color);
	if (ret)
		return ret;
	return cli_output_parse(g, "flows", outputs, CLI_OUTPUT_COMPACT, &req->output);
}

/* Does the agent know an endpoint by this name or numeric ID? (As the filter matches.) */
static bool endpoint_value_known(const char *value, const json_t *ep)
{
	const char *name = json_string_value(json_object_get(ep, "name"));
	const json_t *id = json_object_get(ep, "id");
	char text[24];

	if (name && !strcmp(name, value))
		return true;
	if (!json_is_integer(id))
		return false;
	snprintf(text, sizeof(text), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
	return !strcmp(text, value);
}

/* Was lists[l]->v[i] given before it (--pod web --to-pod web)? One warning is enough. */
static bool named_before(const struct netobs_filter_strs *const *lists, size_t l, unsigned int i)
{
	for (size_t pl = 0; pl <= l; pl++)
		for (unsigned int pi = 0; pi < (pl == l ? i : lists[pl]->n); pi++)
			if (!strcmp(lists[pl]->v[pi], lists[l]->v[i]))
				return true;
	return false;
}

static void warn_unknown_endpoint(const char *value)
{
	fprintf(stderr,
		"Warning: the agent has no endpoint '%s' ('netobs endpoints' lists them); "
		"showing what matches anyway\n",
		value);
}

/*
 * A typo in an endpoint filter silently shows nothing, which reads as "no
 * traffic": ask the agent for its endpoints and warn about names it does not
 * know. Only a warning: records of a removed endpoint keep its name and
 * still match. 0, or the exit code after reporting why the agent failed.
 */
static int warn_unknown_endpoints(struct cli_globals *g, const struct flows_request *req)
{
	const struct netobs_filter_strs *lists[] = {
		&req->filter.allow.endpoint,
		&req->filter.allow.source_endpoint,
		&req->filter.allow.destination_endpoint,
		&req->filter.deny.endpoint,
		&req->filter.deny.source_endpoint,
		&req->filter.deny.destination_endpoint,
	};
	bool known[sizeof(lists) / sizeof(lists[0])][NETOBS_FILTER_MAX_VALUES] = {{false}};
	size_t n_lists = sizeof(lists) / sizeof(lists[0]), l, total = 0;
	struct cli_conn conn;
	enum cli_line kind;
	size_t raw_len;
	json_t *obj;
	char *raw;
	int ret;

	for (l = 0; l < n_lists; l++)
		total += lists[l]->n;
	if (!total)
		return 0;
	ret = cli_conn_send(&conn, g, json_pack("{s:s}", "request", "endpoints"));
	if (ret)
		return ret;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *ep = json_object_get(obj, "endpoint");

		for (l = 0; json_is_object(ep) && l < n_lists; l++)
			for (unsigned int i = 0; i < lists[l]->n; i++)
				known[l][i] |= endpoint_value_known(lists[l]->v[i], ep);
		json_decref(obj);
	}
	cli_conn_close(&conn);
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	if (kind != CLI_LINE_DONE)
		return CLI_EXIT_RUNTIME;
	for (l = 0; l < n_lists; l++)
		for (unsigned int i = 0; i < lists[l]->n; i++)
			if (!known[l][i] && !named_before(lists, l, i))
				warn_unknown_endpoint(lists[l]->v[i]);
	return 0;
}

/* {"request":"flows", one of "last"/"first"/"all", "follow", "filter"}; docs/api.md. */
static json_t *flows_request_json(const struct flows_request *req)
{
	json_t *msg = json_object(), *filter = netobs_filter_set_to_json(&req->filter);
	int err = 0;

	if (!msg || !filter) {
		json_decref(msg);
		json_decref(filter);
		return NULL;
	}
	err |= json_object_set_new(msg, "request", json_string("flows"));
	if (req->first_given)
		err |= json_object_set_new(msg, "first", json_integer((json_int_t)req->first));
	else if (req->all)
		err |= json_object_set_new(msg, "all", json_true());
	else
		err |= json_object_set_new(msg, "last", json_integer((json_int_t)req->last));
	err |= json_object_set_new(msg, "follow", json_boolean(req->follow));
	err |= json_object_set_new(msg, "filter", filter);
	if (err) {
		json_decref(msg);
		return NULL;
	}
	return msg;
}

/* stdout's buffer when it is not a terminal (it lives as long as stdout). */
static char stdout_buffer[256 * 1024];

/* A record decoded: draw it in compact or table output. */
static void print_record(const struct flows_request *req, const struct netobs_record *rec,
			 bool *header_printed)
{
	if (req->output == CLI_OUTPUT_TABLE) {
		if (!*header_printed)
			netobs_print_table_header(stdout);
		*header_printed = true;
		netobs_print_table_row(stdout, rec);
	} else {
		netobs_print_compact(stdout, rec);
	}
}

/* Print one reply line in the chosen mode. 0, or CLI_EXIT_RUNTIME after reporting. */
static int print_reply_line(const struct flows_request *req, const char *raw, size_t raw_len,
			    bool *header_printed)
{
	/* about 12 KiB, reused: the L7 part and names of the record being printed */
	static struct netobs_record_storage storage;
	struct netobs_record rec;
	char err[256] = "";
	json_error_t jerr;
	json_t *obj;

	if (req->output == CLI_OUTPUT_JSON) {
		/* The agent's bytes, untouched: what jq sees is what the agent sent. */
		fwrite(raw, 1, raw_len, stdout);
		fputc('\n', stdout);
		return 0;
	}
	/* Most lines decode straight from their text; the rest (L7 records,
	 * anything unusual) through jansson, which also explains a bad one. */
	if (netobs_record_scan_line(raw, raw_len, &rec, &storage)) {
		print_record(req, &rec, header_printed);
		return 0;
	}
	obj = json_loadb(raw, raw_len, 0, &jerr);
	if (!obj) {
		cli_error("unparseable line from the agent (%s): %s", jerr.text, raw);
		return CLI_EXIT_RUNTIME;
	}
	/* Line kinds this CLI does not know (a newer agent) are not records to draw. */
	if (!json_object_get(obj, "flow") && !json_object_get(obj, "lost_events")) {
		json_decref(obj);
		return 0;
	}
	if (netobs_record_from_json_into(obj, &rec, &storage, err, sizeof(err))) {
		cli_error("cannot decode a record from the agent (%s): %s", err, raw);
		json_decref(obj);
		return CLI_EXIT_RUNTIME;
	}
	json_decref(obj);
	print_record(req, &rec, header_printed);
	return 0;
}

/*
 * --pcap: the capture's records, through the same filter the agent applies
 * (netobs_filter_set_match) and the same printers. With -o json and no
 * filter the output is the replay's lines, byte for byte.
 */
static int flows_from_capture(const struct flows_request *req)
{
	/* about 12 KiB, reused: the L7 part and names of the record being matched */
	static struct netobs_record_storage storage;
	bool header_printed = false;
	struct cli_replay replay;
	int ret, finished;
	ssize_t len;
	char *line;

	/* As warn_unknown_endpoints() does live: an empty result must not
	 * read as "no traffic". */
	if (req->filter.allow.endpoint.n || req->filter.allow.source_endpoint.n ||
	    req->filter.allow.destination_endpoint.n)
		fprintf(stderr, "Warning: a capture's records name no endpoints (every peer is "
				"world): endpoint and pod filters match none of them\n");
	ret = cli_replay_start(&replay, req->pcap_path);
	if (ret)
		return ret;
	while ((len = cli_replay_next(&replay, &line)) >= 0) {
		struct netobs_record rec;
		json_error_t jerr;
		json_t *obj = json_loadb(line, (size_t)len, 0, &jerr);
		char err[256] = "";

		if (!obj || netobs_record_from_json_into(obj, &rec, &storage, err, sizeof(err))) {
			cli_error("cannot decode a record of the capture's replay (%s): %s",
				  obj ? err : jerr.text, line);
			json_decref(obj);
			ret = CLI_EXIT_RUNTIME;
			break;
		}
		if (netobs_filter_set_match(&req->filter, &rec)) {
			if (req->output == CLI_OUTPUT_JSON)
				ret = print_reply_line(req, line, (size_t)len, &header_printed);
			else
				print_record(req, &rec, &header_printed);
		}
		json_decref(obj);
		if (ret)
			break;
		if (ferror(stdout)) {
			int flushed = cli_stdout_flush();

			if (flushed) {
				ret = flushed > 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
				cli_replay_finish(&replay);
				return ret;
			}
		}
	}
	finished = cli_replay_finish(&replay);
	if (ret)
		return ret;
	if (finished == CLI_EXIT_OK && req->output == CLI_OUTPUT_TABLE && !header_printed)
		netobs_print_table_header(stdout);
	return finished;
}

int cli_cmd_flows(int argc, char **argv, struct cli_globals *g)
{
	struct flows_request req = {0};
	bool header_printed = false;
	struct cli_conn conn;
	enum cli_line kind;
	size_t raw_len;
	int ret, flushed;
	char *raw;

	ret = parse_flows_flags(argc, argv, g, &req);
	if (ret)
		return ret;
	/* Into a pipe or a file, records go out in large writes: stdio's
	 * default there is a write(2) per 4 KiB, four records. (A terminal
	 * keeps its line buffering; a follower still flushes when no further
	 * record is at hand.) Before anything is written, as setvbuf() needs;
	 * with a buffer of ours: glibc ignores the size of one it allocates. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
	netobs_print_set_color(req.color);
	if (req.pcap_path)
		return flows_from_capture(&req);
	ret = warn_unknown_endpoints(g, &req);
	if (ret)
		return ret;
	ret = cli_conn_send(&conn, g, flows_request_json(&req));
	if (ret)
		return ret;
	if (req.follow)
		cli_conn_stop_on_sigint(&conn);

	/* Record lines come unparsed: -o json copies them, the others decode them. */
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, NULL)) == CLI_LINE_DATA) {
		ret = print_reply_line(&req, raw, raw_len, &header_printed);
		if (ret)
			goto out;
		/* Following, records go out as soon as no more are at hand (`| jq`
		 * sees them live, a burst in one write); otherwise only a closed
		 * stdout is worth checking for. */
		if ((req.follow && !netobs_line_reader_has_line(&conn.reader)) || ferror(stdout)) {
			flushed = cli_stdout_flush();
			if (flushed) {
				ret = flushed > 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
				goto out;
			}
		}
	}
	switch (kind) {
	case CLI_LINE_DONE:
		ret = CLI_EXIT_OK;
		break;
	case CLI_LINE_EOF:
		if (cli_interrupted()) {
			ret = CLI_EXIT_OK;
			break;
		}
		cli_error(req.follow ? "agent closed the connection (agent stopped?)"
				     : "agent closed the connection before the end of the reply");
		ret = CLI_EXIT_RUNTIME;
		break;
	default:
		ret = CLI_EXIT_RUNTIME;
		break;
	}
	if (ret == CLI_EXIT_OK && req.output == CLI_OUTPUT_TABLE && !header_printed)
		netobs_print_table_header(stdout);
out:
	cli_conn_close(&conn);
	return ret;
}
