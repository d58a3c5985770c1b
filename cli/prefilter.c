// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs prefilter update|delete|list: the agent's XDP prefilter, source
 * CIDRs dropped before the stack on the interfaces given to --xdp
 * (docs/policy.md, "XDP prefilter"), as `cilium prefilter` does. The agent
 * checks the CIDRs and says what is wrong with one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_usage_prefilter(FILE *out)
{
	fprintf(out, "Usage: netobs prefilter update --cidr CIDR [--cidr CIDR]...\n"
		     "       netobs prefilter delete --cidr CIDR [--cidr CIDR]...\n"
		     "       netobs prefilter list [-o json]\n"
		     "\n"
		     "The XDP prefilter: packets whose source address is in a listed CIDR are\n"
		     "dropped by netobs's XDP program before the network stack, on the interfaces\n"
		     "netobs-agent was given with --xdp, and reported as DROPPED records\n"
		     "(drop_reason_desc DENIED_BY_PREFILTER). IPv4 and IPv6; host bits are\n"
		     "cleared (10.1.2.3/8 is 10.0.0.0/8); at most 16384 CIDRs. The list is kept\n"
		     "across agent restarts.\n"
		     "\n"
		     "  update   add the CIDRs (those listed already stay once)\n"
		     "  delete   remove the CIDRs (each must be listed)\n"
		     "  list     the CIDRs, the prefilter revision, the XDP interfaces\n"
		     "\n"
		     "Flags:\n"
		     "      --cidr CIDR    ADDRESS/LENGTH, or an address (/32, /128); repeatable,\n"
		     "                     or several separated by commas\n"
		     "  -o, --output MODE  list: text (default) or json\n"
		     "\n"
		     "See netobs(1) and docs/policy.md.\n");
}

/* Send request and return the reply object named key (a new reference), NULL after an error. */
static json_t *prefilter_request(const struct cli_globals *g, json_t *request, const char *key,
				 int *ret)
{
	struct cli_conn conn;
	enum cli_line kind;
	json_t *obj, *reply = NULL;
	size_t raw_len;
	char *raw;

	*ret = cli_conn_send(&conn, g, request);
	if (*ret)
		return NULL;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		if (!reply && json_is_object(json_object_get(obj, key)))
			reply = json_incref(json_object_get(obj, key));
		json_decref(obj);
	}
	*ret = CLI_EXIT_RUNTIME;
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	else if (kind == CLI_LINE_DONE && !reply)
		cli_error("the agent's reply has no %s line (an agent without the prefilter?)",
			  key);
	else if (kind == CLI_LINE_DONE)
		*ret = CLI_EXIT_OK;
	cli_conn_close(&conn);
	if (*ret) {
		json_decref(reply);
		return NULL;
	}
	return reply;
}

static void warn_if_no_xdp(const json_t *reply)
{
	const char *warning = json_string_value(json_object_get(reply, "warning"));

	if (warning)
		fprintf(stderr, "Warning: %s\n", warning);
}

static int prefilter_change(const struct cli_globals *g, bool del, json_t *cidrs)
{
	const char *request = del ? "prefilter_delete" : "prefilter_update";
	json_t *reply;
	char names[2048];
	int ret;

	reply = prefilter_request(g, json_pack("{s:s, s:o}", "request", request, "cidrs", cidrs),
				  request, &ret);
	if (!reply)
		return ret;
	cli_strings_join(json_object_get(reply, del ? "deleted" : "updated"), names, sizeof(names));
	printf("%s %s; %zu CIDR(s) listed, prefilter revision %lld\n",
	       del ? "Deleted from the prefilter:" : "Updated the prefilter:", names,
	       json_array_size(json_object_get(reply, "cidrs")),
	       (long long)json_integer_value(json_object_get(reply, "revision")));
	warn_if_no_xdp(reply);
	json_decref(reply);
	return CLI_EXIT_OK;
}

static int prefilter_list(const struct cli_globals *g, bool json)
{
	json_t *reply, *v;
	char names[1024];
	size_t i;
	int ret;

	reply = prefilter_request(g, json_pack("{s:s}", "request", "prefilter_list"), "prefilter",
				  &ret);
	if (!reply)
		return ret;
	if (json) {
		if (json_dumpf(reply, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			cli_error("printing the prefilter: out of memory or write error");
			ret = CLI_EXIT_RUNTIME;
		}
		json_decref(reply);
		return ret;
	}
	printf("Revision: %lld\n",
	       (long long)json_integer_value(json_object_get(reply, "revision")));
	cli_strings_join(json_object_get(reply, "interfaces"), names, sizeof(names));
	printf("XDP interfaces: %s\n", names[0] ? names : "(none)");
	if (!json_array_size(json_object_get(reply, "cidrs")))
		printf("No CIDR listed.\n");
	json_array_foreach (json_object_get(reply, "cidrs"), i, v)
		printf("%s\n", json_string_value(v) ?: "?");
	warn_if_no_xdp(reply);
	json_decref(reply);
	return CLI_EXIT_OK;
}

enum {
	OPT_CIDR = 0x100
};

/* Each --cidr value, split at commas, appended to cidrs. */
static int add_cidrs(json_t *cidrs, const char *value)
{
	const char *p = value;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len)
			return cli_usage_error("prefilter", "--cidr '%s': an empty CIDR", value);
		if (json_array_append_new(cidrs, json_stringn(p, len))) {
			cli_error("out of memory");
			return CLI_EXIT_RUNTIME;
		}
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int cli_cmd_prefilter(int argc, char **argv, struct cli_globals *g)
{
	static const struct option options[] = {CLI_GLOBAL_LONGOPTS,
						{"cidr", required_argument, NULL, OPT_CIDR},
						{NULL, 0, NULL, 0}};
	const char *sub = NULL;
	json_t *cidrs = json_array();
	int opt, ret = 0;

	if (!cidrs) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	optind = 0;
	for (;;) {
		opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, "prefilter");
		if (opt == -1) {
			/* "+" stops at the subcommand: take it, go on with the flags. */
			if (optind >= argc)
				break;
			if (sub) {
				ret = cli_usage_error("prefilter", "unexpected argument '%s'",
						      argv[optind]);
				goto out;
			}
			sub = argv[optind++];
			continue;
		}
		if (opt == CLI_OPT_BAD) {
			ret = CLI_EXIT_USAGE;
			goto out;
		}
		if (opt == OPT_CIDR)
			ret = add_cidrs(cidrs, optarg);
		else
			cli_handle_global_opt(opt, cli_usage_prefilter, g);
		if (ret)
			goto out;
	}
	if (!sub) {
		ret = cli_usage_error("prefilter",
				      "missing the subcommand (update, delete or list)");
	} else if (!strcmp(sub, "list")) {
		if (json_array_size(cidrs))
			ret = cli_usage_error("prefilter", "list takes no --cidr");
		else if (g->output && strcmp(g->output, "text") && strcmp(g->output, "json"))
			ret = cli_usage_error("prefilter",
					      "invalid output '%s': expected text or json",
					      g->output);
		else
			ret = prefilter_list(g, g->output && !strcmp(g->output, "json"));
	} else if (!strcmp(sub, "update") || !strcmp(sub, "delete")) {
		if (!json_array_size(cidrs))
			ret = cli_usage_error("prefilter", "%s needs at least one --cidr CIDR",
					      sub);
		else if (g->output)
			ret = cli_usage_error("prefilter", "%s has no -o", sub);
		else
			return prefilter_change(g, !strcmp(sub, "delete"), cidrs);
	} else {
		ret = cli_usage_error("prefilter",
				      "unknown subcommand '%s': expected update, delete or list",
				      sub);
	}
out:
	json_decref(cidrs);
	return ret;
}
