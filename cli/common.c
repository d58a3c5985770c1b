// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Helpers every netobs command uses: flags, errors, the agent connection. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli.h"

/* Reply lines are records of a few hundred bytes, but a policy_get line holds
 * a whole policy document: as long as a request may be. Longer is broken. */
#define CLI_MAX_REPLY_LINE NETOBS_API_MAX_REQUEST
/* How much of a bad reply line an error message quotes. */
#define CLI_QUOTE_MAX 512

static volatile sig_atomic_t sigint_fd = -1;
static volatile sig_atomic_t sigint_seen;

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "Run 'netobs %s --help' for usage.\n", cmd);
	else
		fputs("Run 'netobs help' for usage.\n", stderr);
	return CLI_EXIT_USAGE;
}

/* The argv element a long option came from ("--port=53" or "--port" "53"). */
static const char *long_opt_element(char **argv, const struct option *o)
{
	const char *elem = argv[optind - 1];

	if (o->has_arg == required_argument && !(strncmp(elem, "--", 2) == 0 && strchr(elem, '=')))
		elem = argv[optind - 2];
	return elem;
}

static bool long_opt_exact(const char *elem, const char *name)
{
	size_t len;

	if (strncmp(elem, "--", 2) != 0)
		return true; /* not given in long form */
	elem += 2;
	len = strcspn(elem, "=");
	return len == strlen(name) && strncmp(elem, name, len) == 0;
}

#define FLAG_NAME_MAX 64

/*
 * Optimal string alignment distance: edits, with a swap of two neighbours
 * as one edit, so the common typo --form-ip is one step from --from-ip.
 */
static size_t typo_distance(const char *a, size_t alen, const char *b)
{
	size_t d[FLAG_NAME_MAX + 1][FLAG_NAME_MAX + 1], blen = strlen(b), i, j;

	if (alen > FLAG_NAME_MAX || blen > FLAG_NAME_MAX)
		return SIZE_MAX;
	for (i = 0; i <= alen; i++)
		d[i][0] = i;
	for (j = 0; j <= blen; j++)
		d[0][j] = j;
	for (i = 1; i <= alen; i++) {
		for (j = 1; j <= blen; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[alen][blen];
}

/* The long flag closest to a mistyped "--name[=value]", or NULL when none is close. */
static const char *nearest_long_flag(const char *elem, const struct option *longopts)
{
	const char *name = elem + 2, *best = NULL;
	size_t len = strcspn(name, "="), best_distance;

	/* one edit for short names, two from six letters on: more is another word */
	best_distance = (len >= 6 ? 2 : 1) + 1;
	for (; longopts->name; longopts++) {
		size_t distance = typo_distance(name, len, longopts->name);

		if (distance < best_distance) {
			best_distance = distance;
			best = longopts->name;
		}
	}
	return best;
}

static void report_unknown_long_flag(const char *cmd, const char *elem, const char *suggestion)
{
	int len = (int)strcspn(elem, "=");

	if (suggestion)
		cli_usage_error(cmd, "unknown flag %.*s; did you mean --%s?", len, elem,
				suggestion);
	else
		cli_usage_error(cmd, "unknown flag %.*s", len, elem);
}

int cli_getopt(int argc, char **argv, const char *optstring, const struct option *longopts,
	       const char *cmd)
{
	int longindex = -1;
	const char *elem;
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts, &longindex);
	if (opt == '?') {
		elem = argv[optind - 1];
		if (optopt)
			cli_usage_error(cmd, "unknown flag -%c", optopt);
		else
			report_unknown_long_flag(cmd, elem, nearest_long_flag(elem, longopts));
		return CLI_OPT_BAD;
	}
	if (opt == ':') {
		elem = argv[optind - 1];
		if (optopt > 0 && optopt < 0x80 && strncmp(elem, "--", 2) != 0)
			cli_usage_error(cmd, "flag '-%c' needs a value", optopt);
		else
			cli_usage_error(cmd, "flag '%s' needs a value", elem);
		return CLI_OPT_BAD;
	}
	if (opt != -1 && longindex >= 0) {
		elem = long_opt_element(argv, &longopts[longindex]);
		if (!long_opt_exact(elem, longopts[longindex].name)) {
			/* getopt_long took a prefix; netobs wants whole names. A typo
			 * (--prot for --port) is likelier than a cut-off name. */
			const char *nearest = nearest_long_flag(elem, longopts);

			report_unknown_long_flag(cmd, elem,
						 nearest ? nearest : longopts[longindex].name);
			return CLI_OPT_BAD;
		}
	}
	return opt;
}

bool cli_handle_global_opt(int opt, void (*usage)(FILE *out), struct cli_globals *g)
{
	switch (opt) {
	case CLI_OPT_SOCKET:
		/* connect("") fails with a puzzling errno: say what is wrong instead */
		if (!optarg[0])
			exit(cli_usage_error(NULL,
					     "--socket was given an empty path; give the agent's "
					     "socket path, or leave --socket out to use $%s or %s",
					     NETOBS_SOCKET_ENV, NETOBS_DEFAULT_SOCKET));
		g->socket_path = optarg;
		return true;
	case 'o':
		g->output = optarg;
		return true;
	case 'h':
		usage(stdout);
		exit(cli_stdout_flush() < 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK);
	case CLI_OPT_VERSION:
		cli_print_version();
		exit(cli_stdout_flush() < 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK);
	default:
		return false;
	}
}

int cli_output_parse(const struct cli_globals *g, const char *cmd, const char *const *allowed,
		     enum cli_output dflt, enum cli_output *out)
{
	static const struct {
		const char *name;
		enum cli_output mode;
	} modes[] = {
		{"compact", CLI_OUTPUT_COMPACT},
		{"json", CLI_OUTPUT_JSON},
		{"table", CLI_OUTPUT_TABLE},
	};
	char choices[64] = "";
	size_t i, j;

	if (!g->output) {
		*out = dflt;
		return 0;
	}
	for (i = 0; allowed[i]; i++) {
		if (strcmp(g->output, allowed[i]) != 0)
			continue;
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++) {
			if (strcmp(modes[j].name, allowed[i]) == 0) {
				*out = modes[j].mode;
				return 0;
			}
		}
	}
	for (i = 0; allowed[i]; i++) {
		if (i)
			strncat(choices, ", ", sizeof(choices) - strlen(choices) - 1);
		strncat(choices, allowed[i], sizeof(choices) - strlen(choices) - 1);
	}
	return cli_usage_error(cmd, "invalid --output value '%s' for '%s': expected one of %s",
			       g->output, cmd, choices);
}

int cli_parse_count(const char *cmd, const char *flag, const char *text, unsigned long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	v = strtoull(text, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		goto bad;
	*out = (unsigned long)v;
	return 0;
bad:
	return cli_usage_error(cmd, "invalid --%s value '%s': expected a number from 0 to %u", flag,
			       text, UINT32_MAX);
}

const char *cli_socket_path(const struct cli_globals *g)
{
	const char *env;

	if (g->socket_path)
		return g->socket_path;
	env = getenv(NETOBS_SOCKET_ENV);
	if (env && *env)
		return env;
	return NETOBS_DEFAULT_SOCKET;
}

int cli_conn_open(struct cli_conn *c, const struct cli_globals *g, const json_t *request)
{
	const char *path = cli_socket_path(g);
	char msg[512];
	int fd, err;

	c->fd = -1;
	netobs_line_reader_init(&c->reader, -1, CLI_MAX_REPLY_LINE);
	fd = netobs_api_connect(path, msg, sizeof(msg));
	if (fd < 0) {
		cli_error("%s", msg);
		return CLI_EXIT_RUNTIME;
	}
	err = netobs_api_send(fd, request);
	if (err) {
		cli_error("sending the request to the agent at %s: %s", path, strerror(-err));
		close(fd);
		return CLI_EXIT_RUNTIME;
	}
	c->fd = fd;
	c->reader.fd = fd;
	return 0;
}

int cli_conn_send(struct cli_conn *c, const struct cli_globals *g, json_t *request)
{
	int ret;

	if (!request) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	ret = cli_conn_open(c, g, request);
	json_decref(request);
	return ret;
}

int cli_command_start(int argc, char **argv, struct cli_globals *g, const struct cli_plain_cmd *cmd,
		      enum cli_output *output, struct cli_conn *conn)
{
	static const struct option options[] = {CLI_GLOBAL_LONGOPTS, {NULL, 0, NULL, 0}};
	int opt, ret;

	optind = 0;
	while ((opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, cmd->name)) !=
	       -1) {
		if (opt == CLI_OPT_BAD)
			return CLI_EXIT_USAGE;
		cli_handle_global_opt(opt, cmd->usage, g);
	}
	if (optind < argc)
		return cli_usage_error(cmd->name, "unexpected argument '%s'", argv[optind]);
	ret = cli_output_parse(g, cmd->name, cmd->outputs, cmd->default_output, output);
	if (ret)
		return ret;
	return cli_conn_send(conn, g, json_pack("{s:s}", "request", cmd->name));
}

static void report_bad_line(const char *why, const char *line, size_t len)
{
	if (len > CLI_QUOTE_MAX)
		cli_error("unparseable line from the agent (%s): %.*s...", why, CLI_QUOTE_MAX,
			  line);
	else
		cli_error("unparseable line from the agent (%s): %.*s", why, (int)len, line);
}

static void report_agent_error(const json_t *error)
{
	const char *msg = json_string_value(error);

	if (!msg)
		msg = json_string_value(json_object_get(error, "message"));
	cli_error("%s", msg ? msg : "the agent reported an error without a message");
}

/* A record line as the agent writes it: its first key says so. */
static bool line_is_record(const char *line, size_t len)
{
	static const char flow[] = "{\"flow\":", lost[] = "{\"lost_events\":";

	return (len > sizeof(flow) - 1 && !memcmp(line, flow, sizeof(flow) - 1)) ||
	       (len > sizeof(lost) - 1 && !memcmp(line, lost, sizeof(lost) - 1));
}

enum cli_line cli_conn_next(struct cli_conn *c, char **raw, size_t *raw_len, json_t **obj)
{
	json_t *parsed = NULL, **want = obj ? obj : &parsed;
	enum cli_line kind;
	json_error_t jerr;
	json_t *error;
	char *line;
	long n;

	if (obj)
		*obj = NULL;
	n = netobs_line_reader_next(&c->reader, &line);
	if (sigint_seen)
		return CLI_LINE_EOF;
	if (n == -EPROTO) {
		cli_error("agent closed the connection in the middle of a line");
		return CLI_LINE_FAILED;
	}
	if (n == -EMSGSIZE) {
		cli_error("reply line from the agent longer than %d bytes", CLI_MAX_REPLY_LINE);
		return CLI_LINE_FAILED;
	}
	if (n < 0) {
		cli_error("reading from the agent: %s", strerror((int)-n));
		return CLI_LINE_FAILED;
	}
	if (!line)
		return CLI_LINE_EOF;
	if (!obj && line_is_record(line, (size_t)n)) {
		*raw = line;
		*raw_len = (size_t)n;
		return CLI_LINE_DATA;
	}

	*want = json_loadb(line, (size_t)n, 0, &jerr);
	if (!*want || !json_is_object(*want)) {
		report_bad_line(*want ? "not an object" : jerr.text, line, (size_t)n);
		kind = CLI_LINE_FAILED;
	} else if ((error = json_object_get(*want, "error"))) {
		report_agent_error(error);
		kind = CLI_LINE_FAILED;
	} else if (json_is_object(json_object_get(*want, "done"))) {
		kind = CLI_LINE_DONE;
	} else {
		*raw = line;
		*raw_len = (size_t)n;
		json_decref(parsed); /* the caller asked for no object */
		return CLI_LINE_DATA;
	}
	json_decref(*want);
	*want = NULL;
	return kind;
}

void cli_conn_close(struct cli_conn *c)
{
	sigint_fd = -1;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	netobs_line_reader_free(&c->reader);
}

static void sigint_shutdown(int sig)
{
	(void)sig;
	sigint_seen = 1;
	/* shutdown(2) is async-signal-safe; the blocked read then sees the end. */
	if (sigint_fd >= 0)
		shutdown(sigint_fd, SHUT_RDWR);
}

void cli_conn_stop_on_sigint(struct cli_conn *c)
{
	struct sigaction sa = {.sa_handler = sigint_shutdown};

	sigint_fd = c->fd;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

bool cli_interrupted(void)
{
	return sigint_seen;
}

int cli_stdout_flush(void)
{
	/* After a failed write glibc drops its buffer and later flushes
	 * "succeed" with ferror() set: the first failure is the answer. */
	static int first_failure;

	if (first_failure)
		return first_failure;
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	/* The write that failed was a printf's, errno long gone, and this
	 * flush had nothing left to write: a pipe whose reader is gone says
	 * so in poll (POLLERR). */
	if (!errno) {
		struct pollfd out = {.fd = STDOUT_FILENO};

		if (poll(&out, 1, 0) == 1 && (out.revents & POLLERR))
			errno = EPIPE;
	}
	/* The reader closed our stdout, or Ctrl-C broke a blocked write: the
	 * user has what they wanted. */
	if (errno == EPIPE || (errno == EINTR && sigint_seen))
		return first_failure = 1;
	cli_error("writing the output: %s", strerror(errno ? errno : EIO));
	return first_failure = -1;
}

void cli_format_thousands(unsigned long long v, char *buf, size_t len)
{
	char digits[32];
	size_t n, i, out = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%llu", v);
	for (i = 0; i < n && out + 1 < len; i++) {
		if (i && (n - i) % 3 == 0 && out + 2 < len)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
}

void cli_strings_join(const json_t *list, char *buf, size_t len)
{
	size_t i, used = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach (list, i, v) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 json_string_value(v) ? json_string_value(v) : "?");

		if (n < 0 || (size_t)n >= len - used) {
			snprintf(buf + len - 4, 4, "...");
			return;
		}
		used += (size_t)n;
	}
}
