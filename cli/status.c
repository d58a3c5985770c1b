// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* netobs status: the agent's health, load and counters. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Counters that count work, not trouble; the rest print as errors. */
static const char *const activity_counters[] = {
	"packets", "bytes", "events", "l7_events", "l7_bytes", "l7_truncated", NULL,
};
/* docs/api.md order; counters the agent adds later print after these, sorted. */
static const char *const error_counters[] = {
	"truncated",
	"malformed",
	"fragments",
	"exthdr_limit",
	"vlan_limit",
	"non_ip",
	"flow_map_full",
	"flow_map_busy",
	"flow_map_error",
	"untracked_packets",
	"untracked_bytes",
	"ringbuf_full",
	NULL,
};
/* Policy enforcement's counters: their own line (print_policy_counters). */
static const char *const policy_counters[] = {
	"policy_dropped", "policy_dropped_bytes", "policy_audit",
	"policy_judged",  "policy_conn_full",	  NULL,
};

void cli_usage_status(FILE *out)
{
	fprintf(out, "Usage: netobs status [-o table|json] [--socket PATH]\n"
		     "\n"
		     "Show whether the agent answers, its version, node, uptime, endpoints and\n"
		     "hooks, record store use, flow rate, lost events and datapath counters.\n"
		     "  -o json   print the agent's status line as it is: {\"status\":{...}}\n");
}

/* Integer at a path of object keys, NULL-terminated; 0 when absent. */
static unsigned long long status_uint(const json_t *obj, ...)
{
	const char *key;
	va_list ap;

	va_start(ap, obj);
	while ((key = va_arg(ap, const char *)))
		obj = json_object_get(obj, key);
	va_end(ap);
	if (json_is_integer(obj) && json_integer_value(obj) > 0)
		return (unsigned long long)json_integer_value(obj);
	return 0;
}

/* "1,234" */
static const char *thousands(unsigned long long v, char *buf, size_t len)
{
	cli_format_thousands(v, buf, len);
	return buf;
}

/* "3d4h5m6s", leading zero units left out. */
static void format_uptime(unsigned long long ns, char *buf, size_t len)
{
	unsigned long long s = ns / 1000000000ULL;
	unsigned long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	size_t out = 0;

	buf[0] = '\0';
	if (d)
		out += (size_t)snprintf(buf + out, len - out, "%llud", d);
	if ((d || h) && out < len)
		out += (size_t)snprintf(buf + out, len - out, "%lluh", h);
	if ((d || h || m) && out < len)
		out += (size_t)snprintf(buf + out, len - out, "%llum", m);
	if (out < len)
		snprintf(buf + out, len - out, "%llus", s % 60);
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_counter(const json_t *counters, const char *name, bool *first)
{
	char num[32];

	printf("%s%s %s", *first ? "" : ", ", name,
	       thousands(status_uint(counters, name, NULL), num, sizeof(num)));
	*first = false;
}

static void print_counters(const json_t *counters)
{
	const char *unknown[64];
	size_t n_unknown = 0, i;
	const char *key;
	json_t *value;
	bool first = true;

	printf("Datapath: ");
	for (i = 0; activity_counters[i]; i++)
		print_counter(counters, activity_counters[i], &first);
	printf("\nErrors: ");
	first = true;
	for (i = 0; error_counters[i]; i++)
		print_counter(counters, error_counters[i], &first);
	json_object_foreach ((json_t *)counters, key, value) {
		if (!in_list(activity_counters, key) && !in_list(error_counters, key) &&
		    !in_list(policy_counters, key) &&
		    n_unknown < sizeof(unknown) / sizeof(unknown[0]))
			unknown[n_unknown++] = key;
	}
	qsort(unknown, n_unknown, sizeof(unknown[0]), compare_strings);
	for (i = 0; i < n_unknown; i++)
		print_counter(counters, unknown[i], &first);
	printf("\n");
}

/*
 * The policies in force (how many, the revision, the datapath generation)
 * and what enforcement did: packets dropped (and their bytes), packets
 * audit mode let through, verdicts judged, and connections the datapath
 * could not remember (their replies are judged as new connections).
 */
static void print_policy_counters(const json_t *policy, const json_t *counters)
{
	char dropped[32], bytes[32], audit[32], judged[32], full[32];

	if (policy)
		printf("Policy: %" JSON_INTEGER_FORMAT " policies, revision %" JSON_INTEGER_FORMAT
		       ", datapath generation %" JSON_INTEGER_FORMAT "%s\n",
		       json_integer_value(json_object_get(policy, "policies")),
		       json_integer_value(json_object_get(policy, "revision")),
		       json_integer_value(json_object_get(policy, "generation")),
		       json_integer_value(json_object_get(policy, "compile_failures"))
			       ? " (endpoint changes that did not fit: see the agent's log)"
			       : "");
	printf("Policy: dropped %s packets (%s bytes), audit %s, judged %s, connection map full "
	       "%s\n",
	       thousands(status_uint(counters, "policy_dropped", NULL), dropped, sizeof(dropped)),
	       thousands(status_uint(counters, "policy_dropped_bytes", NULL), bytes, sizeof(bytes)),
	       thousands(status_uint(counters, "policy_audit", NULL), audit, sizeof(audit)),
	       thousands(status_uint(counters, "policy_judged", NULL), judged, sizeof(judged)),
	       thousands(status_uint(counters, "policy_conn_full", NULL), full, sizeof(full)));
}

/* DNS and HTTP decoding: what was seen, and what could not be decoded. */
static void print_l7(const json_t *l7)
{
	const json_t *dns = json_object_get(l7, "dns");
	const json_t *http = json_object_get(l7, "http");

	if (!l7)
		return;
	if (!json_is_true(json_object_get(l7, "enabled"))) {
		printf("L7: off (--no-l7)\n");
		return;
	}
	printf("L7: DNS %llu requests, %llu responses, %llu unanswered, %llu malformed; "
	       "HTTP %llu requests, %llu responses, %llu unanswered, %llu undecodable; "
	       "connections not followed (table full) %llu\n",
	       status_uint(dns, "requests", NULL), status_uint(dns, "responses", NULL),
	       status_uint(dns, "unanswered", NULL), status_uint(dns, "malformed", NULL),
	       status_uint(http, "requests", NULL), status_uint(http, "responses", NULL),
	       status_uint(http, "unanswered", NULL), status_uint(http, "problems", NULL),
	       status_uint(l7, "connections", "table_full", NULL));
}

static void print_status_text(const json_t *st, const char *path)
{
	const json_t *hooks = json_object_get(st, "hooks");
	const json_t *records = json_object_get(st, "records");
	const json_t *lost = json_object_get(st, "lost_events");
	unsigned long long stored = status_uint(records, "stored", NULL);
	unsigned long long max_stored = status_uint(records, "max_stored", NULL);
	const char *version = json_string_value(json_object_get(st, "version"));
	const char *node = json_string_value(json_object_get(st, "node_name"));
	char a[32], b[32], c[32], uptime[64];

	format_uptime(status_uint(st, "uptime_ns", NULL), uptime, sizeof(uptime));
	printf("Healthcheck (via unix://%s): Ok\n", path);
	printf("Version: %s (ABI %llu), node %s, uptime %s\n", version ? version : "?",
	       status_uint(st, "abi_version", NULL), node && *node ? node : "?", uptime);
	printf("Endpoints: %llu, hooks: %llu tc-ingress, %llu tc-egress, %llu xdp\n",
	       status_uint(st, "endpoints", NULL), status_uint(hooks, "tc_ingress", NULL),
	       status_uint(hooks, "tc_egress", NULL), status_uint(hooks, "xdp", NULL));
	printf("Current/Max Flows (records stored): %s/%s (%.2f%%)\n",
	       thousands(stored, a, sizeof(a)), thousands(max_stored, b, sizeof(b)),
	       max_stored ? 100.0 * (double)stored / (double)max_stored : 0.0);
	printf("Flows/s: %.2f, records seen: %s, active flows: %s/%s, clients: %llu\n",
	       json_number_value(json_object_get(records, "per_second")),
	       thousands(status_uint(records, "seen", NULL), a, sizeof(a)),
	       thousands(status_uint(st, "flows", "active", NULL), b, sizeof(b)),
	       thousands(status_uint(st, "flows", "max", NULL), c, sizeof(c)),
	       status_uint(st, "clients", NULL));
	printf("Lost events: ring buffer %llu, client queues %llu, store overwritten %llu, flow "
	       "map %llu\n",
	       status_uint(lost, "ring_buffer", NULL), status_uint(lost, "client_queues", NULL),
	       status_uint(lost, "store_overwritten", NULL), status_uint(lost, "flow_map", NULL));
	print_counters(json_object_get(st, "counters"));
	print_policy_counters(json_object_get(st, "policy"), json_object_get(st, "counters"));
	print_l7(json_object_get(st, "l7"));
}

static const char *const status_outputs[] = {"table", "json", NULL};
static const struct cli_plain_cmd status_cmd = {
	.name = "status",
	.usage = cli_usage_status,
	.outputs = status_outputs,
	.default_output = CLI_OUTPUT_TABLE,
};

int cli_cmd_status(int argc, char **argv, struct cli_globals *g)
{
	enum cli_output output;
	struct cli_conn conn;
	bool got_status = false;
	enum cli_line kind;
	json_t *obj;
	size_t raw_len;
	char *raw;
	int ret;

	ret = cli_command_start(argc, argv, g, &status_cmd, &output, &conn);
	if (ret)
		return ret;

	ret = CLI_EXIT_RUNTIME;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *st = json_object_get(obj, "status");

		if (st && !got_status) {
			got_status = true;
			if (output == CLI_OUTPUT_JSON)
				printf("%s\n", raw);
			else
				print_status_text(st, cli_socket_path(g));
		}
		json_decref(obj);
	}
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	else if (kind == CLI_LINE_DONE && !got_status)
		cli_error("the agent's reply has no status");
	else if (kind == CLI_LINE_DONE)
		ret = CLI_EXIT_OK;
	cli_conn_close(&conn);
	return ret;
}
