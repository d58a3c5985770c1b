// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs: the command-line client of netobs-agent. Global flags, then a
 * command from the table below (exact names only), then its flags.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "connectivity.h"
#include "probe.h"

static int cmd_help(int argc, char **argv, struct cli_globals *g);
static int cmd_version(int argc, char **argv, struct cli_globals *g);
static void usage_help(FILE *out);
static void usage_version(FILE *out);

static const struct cli_cmd commands[] = {
	{"flows", cli_cmd_flows, cli_usage_flows},
	{"endpoints", cli_cmd_endpoints, cli_usage_endpoints},
	{"status", cli_cmd_status, cli_usage_status},
	{"probe", cli_cmd_probe, cli_usage_probe},
	{"policy", cli_cmd_policy, cli_usage_policy},
	{"prefilter", cli_cmd_prefilter, cli_usage_prefilter},
	{"connectivity", cli_cmd_connectivity, cli_usage_connectivity},
	{"version", cmd_version, usage_version},
	{"help", cmd_help, usage_help},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: netobs [GLOBAL FLAGS] COMMAND [FLAGS]\n"
		"\n"
		"Commands:\n"
		"  flows       show flow records: stored ones, then new ones with --follow;\n"
		"              or a capture's with --pcap FILE (no agent needed)\n"
		"  endpoints   list the endpoints the agent watches; config|labels: an\n"
		"              endpoint's policy audit mode and labels\n"
		"  status      show the agent's health, load and counters\n"
		"  probe       probe icmp|tcp|udp|http|https|dns TARGET, optionally from an\n"
		"              endpoint's namespace (--from); exit 0 only if all succeeded\n"
		"  policy      validate CiliumNetworkPolicy files (JSON or YAML), no agent;\n"
		"              import|get|delete the agent's policies\n"
		"  prefilter   update|delete|list the XDP prefilter: source CIDRs dropped\n"
		"              before the stack on the --xdp interfaces\n"
		"  connectivity test|cleanup\n"
		"              test: build namespaces and servers of its own, run ICMP, TCP,\n"
		"              UDP, HTTP, HTTPS, DNS tests checked against the agent's flows,\n"
		"              report text, JSON or JUnit; cleanup: remove a kept topology\n"
		"  version     print the version\n"
		"  help        print this help, or a command's: netobs help flows\n"
		"\n"
		"Global flags (before or after the command):\n"
		"      --socket PATH    agent socket (default: $%s, else %s)\n"
		"  -o, --output MODE    flows: compact (default), json, table;\n"
		"                       endpoints, status: table (default), json;\n"
		"                       probe, connectivity, policy, prefilter: text (default),\n"
		"                       json\n"
		"  -h, --help           print help\n"
		"      --version        print the version\n"
		"\n"
		"Exit status: 0 ok, 1 runtime error (e.g. agent not running), 2 usage error.\n"
		"See netobs(1).\n",
		NETOBS_SOCKET_ENV, NETOBS_DEFAULT_SOCKET);
}

static void usage_help(FILE *out)
{
	fprintf(out, "Usage: netobs help [COMMAND]\n");
}

static void usage_version(FILE *out)
{
	fprintf(out, "Usage: netobs version\n");
}

void cli_print_version(void)
{
	printf("netobs %s\n", NETOBS_VERSION);
}

static const struct cli_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Flags of commands without their own: only the global ones. */
static int parse_global_flags_only(int argc, char **argv, const char *cmd,
				   void (*cmd_usage)(FILE *out), struct cli_globals *g)
{
	static const struct option options[] = {CLI_GLOBAL_LONGOPTS, {NULL, 0, NULL, 0}};
	int opt;

	optind = 0;
	while ((opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, cmd)) != -1) {
		if (opt == CLI_OPT_BAD)
			return CLI_EXIT_USAGE;
		cli_handle_global_opt(opt, cmd_usage, g);
	}
	return 0;
}

static int cmd_version(int argc, char **argv, struct cli_globals *g)
{
	int err = parse_global_flags_only(argc, argv, "version", usage_version, g);

	if (err)
		return err;
	if (optind < argc)
		return cli_usage_error("version", "unexpected argument '%s'", argv[optind]);
	cli_print_version();
	return 0;
}

static int cmd_help(int argc, char **argv, struct cli_globals *g)
{
	const struct cli_cmd *cmd;
	int err = parse_global_flags_only(argc, argv, "help", usage_help, g);

	if (err)
		return err;
	if (optind == argc) {
		usage(stdout);
		return 0;
	}
	if (optind + 1 < argc)
		return cli_usage_error("help", "unexpected argument '%s'", argv[optind + 1]);
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	cmd->usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {CLI_GLOBAL_LONGOPTS, {NULL, 0, NULL, 0}};
	struct cli_globals globals = {0};
	const struct cli_cmd *cmd;
	int opt, ret, flushed;

	/* A closed stdout (`netobs flows -f | head`) is an EPIPE write error we
	 * turn into a quiet exit, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	while ((opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, NULL)) != -1) {
		if (opt == CLI_OPT_BAD)
			return CLI_EXIT_USAGE;
		cli_handle_global_opt(opt, usage, &globals);
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);

	ret = cmd->func(argc - optind, argv + optind, &globals);
	flushed = cli_stdout_flush();
	/* flushed > 0: the reader closed our stdout; it has what it wanted. */
	if (flushed < 0 && ret == CLI_EXIT_OK)
		return CLI_EXIT_RUNTIME;
	return ret;
}
