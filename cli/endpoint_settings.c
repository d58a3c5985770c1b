// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs endpoints config|labels: an endpoint's policy audit mode and its
 * user labels, kept by the agent under the endpoint's name (docs/policy.md,
 * "Endpoint labels" and "Audit mode").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_ADD = 0x100,
	OPT_DELETE
};

/* "PolicyAuditMode=Enabled" -> {"PolicyAuditMode":"Enabled"}; NULL after a usage error. */
static json_t *config_options(int n, char **args)
{
	json_t *options = json_object();

	for (int i = 0; options && i < n; i++) {
		const char *eq = strchr(args[i], '=');
		char key[64];

		if (!eq || eq == args[i] || (size_t)(eq - args[i]) >= sizeof(key)) {
			cli_usage_error("endpoints",
					"'%s': expected OPTION=VALUE, e.g. PolicyAuditMode=Enabled",
					args[i]);
			json_decref(options);
			return NULL;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - args[i]), args[i]);
		json_object_set_new(options, key, json_string(eq + 1));
	}
	return options;
}

static void labels_print(const json_t *reply)
{
	const json_t *labels = json_object_get(reply, "labels");
	size_t i;
	json_t *v;

	printf("Endpoint %s: ", json_string_value(json_object_get(reply, "endpoint")) ?: "?");
	if (!json_array_size(labels))
		printf("no user labels");
	json_array_foreach (labels, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v) ?: "?");
	printf("; policy revision %lld\n",
	       (long long)json_integer_value(json_object_get(reply, "revision")));
}

static void config_print(const json_t *reply)
{
	printf("Endpoint %s: PolicyAuditMode=%s; policy revision %lld\n",
	       json_string_value(json_object_get(reply, "endpoint")) ?: "?",
	       json_string_value(
		       json_object_get(json_object_get(reply, "options"), "PolicyAuditMode"))
		       ?: "?",
	       (long long)json_integer_value(json_object_get(reply, "revision")));
}

static int settings_request(const struct cli_globals *g, json_t *request, const char *key)
{
	struct cli_conn conn;
	enum cli_line kind;
	json_t *obj;
	size_t raw_len;
	char *raw;
	int ret = cli_conn_send(&conn, g, request);

	if (ret)
		return ret;
	ret = CLI_EXIT_RUNTIME;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *reply = json_object_get(obj, key);

		if (json_is_object(reply) && !strcmp(key, "endpoint_labels"))
			labels_print(reply);
		else if (json_is_object(reply))
			config_print(reply);
		json_decref(obj);
	}
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	if (kind == CLI_LINE_DONE)
		ret = CLI_EXIT_OK;
	cli_conn_close(&conn);
	return ret;
}

int cli_endpoints_settings(int argc, char **argv, struct cli_globals *g)
{
	static const struct option options[] = {CLI_GLOBAL_LONGOPTS,
						{"add", required_argument, NULL, OPT_ADD},
						{"delete", required_argument, NULL, OPT_DELETE},
						{NULL, 0, NULL, 0}};
	char **positional = calloc((size_t)argc + 1, sizeof(*positional));
	json_t *add = json_array(), *del = json_array(), *request = NULL;
	int n = 0, opt, ret = CLI_EXIT_USAGE;
	bool labels;

	if (!positional || !add || !del) {
		cli_error("out of memory");
		ret = CLI_EXIT_RUNTIME;
		goto out;
	}
	optind = 0;
	for (;;) {
		opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, "endpoints");
		if (opt == -1) {
			if (optind >= argc)
				break;
			positional[n++] = argv[optind++];
			continue;
		}
		if (opt == CLI_OPT_BAD)
			goto out;
		if (opt == OPT_ADD || opt == OPT_DELETE)
			json_array_append_new(opt == OPT_ADD ? add : del, json_string(optarg));
		else
			cli_handle_global_opt(opt, cli_usage_endpoints, g);
	}
	/* positional[0] is the subcommand (the caller saw it), [1] the endpoint. */
	labels = n && !strcmp(positional[0], "labels");
	if (g->output) {
		ret = cli_usage_error("endpoints", "%s has no -o", positional[0]);
		goto out;
	}
	if (n < 2) {
		ret = cli_usage_error("endpoints", "%s needs an ENDPOINT (its name)",
				      positional[0]);
		goto out;
	}
	if (labels) {
		if (n > 2) {
			ret = cli_usage_error("endpoints",
					      "unexpected argument '%s': labels are given with "
					      "--add KEY=VALUE and --delete KEY",
					      positional[2]);
			goto out;
		}
		request = json_pack("{s:s, s:s, s:O, s:O}", "request", "endpoint_labels",
				    "endpoint", positional[1], "add", add, "delete", del);
		ret = settings_request(g, request, "endpoint_labels");
		goto out;
	}
	if (json_array_size(add) || json_array_size(del)) {
		ret = cli_usage_error("endpoints", "--add and --delete are flags of labels");
		goto out;
	}
	if (n == 2) {
		ret = cli_usage_error("endpoints", "config needs OPTION=VALUE, e.g. "
						   "PolicyAuditMode=Enabled");
		goto out;
	}
	request = config_options(n - 2, positional + 2);
	if (!request)
		goto out;
	request = json_pack("{s:s, s:s, s:o}", "request", "endpoint_config", "endpoint",
			    positional[1], "options", request);
	ret = settings_request(g, request, "endpoint_config");
out:
	json_decref(add);
	json_decref(del);
	free(positional);
	return ret;
}
