/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the netobs commands share: global flags, output modes, the agent
 * connection and its reply lines, error reporting and exit codes.
 */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#include <jansson.h>

#include "api.h"
#include "clock_ns.h"

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_RUNTIME = 1, /* the agent or the system failed */
	CLI_EXIT_USAGE = 2,   /* the command line is wrong */
};

enum cli_output {
	CLI_OUTPUT_DEFAULT = 0, /* the command's own default */
	CLI_OUTPUT_COMPACT,
	CLI_OUTPUT_JSON,
	CLI_OUTPUT_TABLE,
};

/* Flags accepted before the command and after it. */
struct cli_globals {
	const char *socket_path; /* --socket, NULL when not given */
	const char *output;	 /* -o text, checked by the command */
};

/* Long options every command accepts: put CLI_GLOBAL_LONGOPTS in each command's table. */
enum cli_global_opt {
	CLI_OPT_SOCKET = 0x1000,
	CLI_OPT_VERSION,
};
/* clang-format off */
#define CLI_GLOBAL_LONGOPTS						\
	{ "socket", required_argument, NULL, CLI_OPT_SOCKET },		\
	{ "output", required_argument, NULL, 'o' },			\
	{ "help", no_argument, NULL, 'h' },				\
	{ "version", no_argument, NULL, CLI_OPT_VERSION }
/* clang-format on */
#define CLI_GLOBAL_SHORTOPTS "o:h"

struct cli_cmd {
	const char *name;
	int (*func)(int argc, char **argv, struct cli_globals *g);
	void (*usage)(FILE *out);
};

int cli_cmd_flows(int argc, char **argv, struct cli_globals *g);
int cli_cmd_endpoints(int argc, char **argv, struct cli_globals *g);
int cli_cmd_status(int argc, char **argv, struct cli_globals *g);
int cli_cmd_policy(int argc, char **argv, struct cli_globals *g);
/* netobs prefilter update|delete|list (cli/prefilter.c). */
int cli_cmd_prefilter(int argc, char **argv, struct cli_globals *g);
void cli_usage_prefilter(FILE *out);
void cli_usage_flows(FILE *out);
void cli_usage_endpoints(FILE *out);
/* netobs endpoints config|labels (cli/endpoint_settings.c). */
int cli_endpoints_settings(int argc, char **argv, struct cli_globals *g);
void cli_usage_status(FILE *out);
void cli_usage_policy(FILE *out);
void cli_print_version(void);

/* "Error: ..." on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "Error: ..." and a hint to the help of cmd (NULL: the top-level help); returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * getopt_long with netobs's rules: long flags match exactly (no prefixes),
 * errors are reported with a hint to cmd's help (cmd NULL: top level).
 * Returns what getopt_long returns, or CLI_OPT_BAD after reporting a usage
 * error. optstring should start with "+:".
 */
#define CLI_OPT_BAD 0x2000
int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	       const char *cmd);

/*
 * Handle a global flag returned by cli_getopt: store --socket and -o; print
 * usage (to stdout) for -h and the version for --version and exit(0).
 * Returns false when opt is not a global flag.
 */
bool cli_handle_global_opt(int opt, void (*usage)(FILE *out), struct cli_globals *g);

/* Parse -o against the modes a command allows (dflt when -o was not given). */
int cli_output_parse(const struct cli_globals *g, const char *cmd, const char *const *allowed,
		     enum cli_output dflt, enum cli_output *out);

/* Parse a non-negative decimal count for flag. 0 or CLI_EXIT_USAGE after an error. */
int cli_parse_count(const char *cmd, const char *flag, const char *text, unsigned long *out);

/* Socket path: --socket, else $NETOBS_SOCKET, else the default. */
const char *cli_socket_path(const struct cli_globals *g);

/* One request and its reply lines. */
struct cli_conn {
	int fd;
	struct netobs_line_reader reader;
};

enum cli_line {
	CLI_LINE_DATA,	 /* a reply object other than done/error */
	CLI_LINE_DONE,	 /* the done line: the reply is complete */
	CLI_LINE_EOF,	 /* the agent closed the connection without a done line */
	CLI_LINE_FAILED, /* an error line, an unparseable line or a read error: reported already */
};

/* Connect and send request. 0, or CLI_EXIT_RUNTIME after reporting why. */
int cli_conn_open(struct cli_conn *c, const struct cli_globals *g, const json_t *request);
/*
 * cli_conn_open, then drop the caller's reference to request. A NULL request
 * (its json_pack ran out of memory) is reported and not sent.
 */
int cli_conn_send(struct cli_conn *c, const struct cli_globals *g, json_t *request);

/*
 * Next reply line. For CLI_LINE_DATA *raw (NUL-terminated, valid until the
 * next call) and *raw_len hold the agent's bytes, *obj the parsed object
 * (the caller owns the reference). With obj NULL a record line (one that
 * begins {"flow": or {"lost_events":, as the agent writes them) is passed
 * on unparsed, for callers that only copy the bytes; other lines are
 * still parsed to find the done and error lines.
 */
enum cli_line cli_conn_next(struct cli_conn *c, char **raw, size_t *raw_len, json_t **obj);
void cli_conn_close(struct cli_conn *c);

/*
 * Until the connection closes, SIGINT ends the reply as if it were complete:
 * the handler shuts the socket down, the next read sees the end of stream.
 */
void cli_conn_stop_on_sigint(struct cli_conn *c);
bool cli_interrupted(void);

/* A command that takes no arguments and sends the request {"request": name}. */
struct cli_plain_cmd {
	const char *name; /* the command and the request it sends */
	void (*usage)(FILE *out);
	const char *const *outputs; /* the -o modes it allows, NULL-terminated */
	enum cli_output default_output;
};

/*
 * Parse a plain command's flags and -o, send its request. 0 with *output set
 * and *conn open, or the exit code after reporting why (*conn not open).
 */
int cli_command_start(int argc, char **argv, struct cli_globals *g, const struct cli_plain_cmd *cmd,
		      enum cli_output *output, struct cli_conn *conn);

/*
 * Flush stdout. 0 when written; 1 when the reader went away (EPIPE: stop
 * quietly with exit 0); -1 on another error (reported).
 */
int cli_stdout_flush(void);

/*
 * A capture read by `netobs-agent --replay FILE` (cli/pcap.c): its records
 * as the JSON lines the agent's API streams.
 */
struct cli_replay {
	const char *capture_path;
	pid_t pid;
	FILE *out; /* the agent's stdout */
	char *line;
	size_t line_cap;
};

/* Start the agent on the capture. 0, or CLI_EXIT_RUNTIME after reporting why. */
int cli_replay_start(struct cli_replay *r, const char *capture_path);
/* Next line (NUL-terminated, without its newline, valid until the next
 * call) and its length; -1 at the end. */
ssize_t cli_replay_next(struct cli_replay *r, char **line);
/*
 * Stop reading, wait for the agent: CLI_EXIT_OK when it read the whole
 * capture (or we stopped reading), else CLI_EXIT_RUNTIME (the agent's own
 * message on stderr says why; one of ours when it died of a signal).
 */
int cli_replay_finish(struct cli_replay *r);

/* "1,234,567" */
void cli_format_thousands(unsigned long long v, char *buf, size_t len);

/*
 * Clocks in ns. Inline so the protocol files the probe tests build on
 * their own (cli/probe_dns.c, cli/probe_net.c) need no other CLI file.
 *//* For latencies: never steps. */
static inline uint64_t cli_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
/* Wall clock, ns since the Unix epoch: the agent's records are stamped with it. */
static inline uint64_t cli_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/* "a, b, c" of a JSON array of strings into buf (cut with "..." when longer). */
void cli_strings_join(const json_t *list, char *buf, size_t len);
