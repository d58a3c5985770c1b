// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs flows --pcap FILE: the records of a capture. The CLI links neither
 * libbpf nor libpcap: it runs `netobs-agent --replay FILE`, which pushes the
 * capture through the real datapath and agent code and writes the records
 * as JSON lines, and reads those lines as it reads the agent's socket.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "cli.h"

#define AGENT_BINARY "netobs-agent"
#define AGENT_ENV    "NETOBS_AGENT"

/* The exit code a child uses when it cannot exec the agent (the shell's). */
#define EXEC_FAILED 127

/*
 * The agent to run: $NETOBS_AGENT; else netobs-agent beside this binary
 * (the build tree and `make install` put both in one directory); else "",
 * meaning: search PATH.
 */
static void agent_path(char *buf, size_t len)
{
	const char *env = getenv(AGENT_ENV);
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	buf[0] = '\0';
	if (env && env[0]) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return;
	*slash = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", self, AGENT_BINARY) >= len || access(buf, X_OK))
		buf[0] = '\0';
}

int cli_replay_start(struct cli_replay *r, const char *capture_path)
{
	char path[PATH_MAX];
	int fds[2];

	memset(r, 0, sizeof(*r));
	r->capture_path = capture_path;
	agent_path(path, sizeof(path));
	if (pipe2(fds, O_CLOEXEC)) {
		cli_error("cannot create a pipe to read the capture's records: %s",
			  strerror(errno));
		return CLI_EXIT_RUNTIME;
	}
	r->pid = fork();
	if (r->pid < 0) {
		cli_error("cannot start %s to read the capture: %s", AGENT_BINARY, strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return CLI_EXIT_RUNTIME;
	}
	if (r->pid == 0) {
		char *argv[] = {path[0] ? path : AGENT_BINARY, "--replay", (char *)capture_path,
				NULL};

		/* The records come on stdout; messages keep the terminal's stderr. */
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(EXEC_FAILED);
		signal(SIGPIPE, SIG_DFL);
		if (path[0])
			execv(path, argv);
		else
			execvp(AGENT_BINARY, argv);
		fprintf(stderr,
			"Error: cannot run %s: %s; netobs reads captures with `" AGENT_BINARY
			" --replay`: install it beside netobs or in PATH, or set " AGENT_ENV
			" to its path\n",
			argv[0], strerror(errno));
		_exit(EXEC_FAILED);
	}
	close(fds[1]);
	r->out = fdopen(fds[0], "r");
	if (!r->out) {
		cli_error("cannot read the capture's records: %s", strerror(errno));
		close(fds[0]);
		cli_replay_finish(r);
		return CLI_EXIT_RUNTIME;
	}
	return 0;
}

ssize_t cli_replay_next(struct cli_replay *r, char **line)
{
	ssize_t n;

	if (!r->out)
		return -1;
	n = getline(&r->line, &r->line_cap, r->out);
	if (n <= 0)
		return -1;
	if (r->line[n - 1] == '\n')
		r->line[--n] = '\0';
	*line = r->line;
	return n;
}

int cli_replay_finish(struct cli_replay *r)
{
	int status = 0;
	pid_t got;

	/* Closed first: an agent still writing (we stopped reading) gets
	 * EPIPE and stops, instead of blocking on a full pipe. */
	if (r->out)
		fclose(r->out);
	r->out = NULL;
	free(r->line);
	r->line = NULL;
	if (r->pid <= 0)
		return CLI_EXIT_RUNTIME;
	while ((got = waitpid(r->pid, &status, 0)) < 0 && errno == EINTR)
		;
	r->pid = 0;
	if (got < 0) {
		cli_error("cannot wait for %s reading %s: %s", AGENT_BINARY, r->capture_path,
			  strerror(errno));
		return CLI_EXIT_RUNTIME;
	}
	if (WIFEXITED(status))
		/* Not 0: the agent said what went wrong on stderr already. */
		return WEXITSTATUS(status) ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
		return CLI_EXIT_OK; /* we stopped reading: our reader went away */
	cli_error("%s reading %s was killed by signal %d (%s)", AGENT_BINARY, r->capture_path,
		  WTERMSIG(status), strsignal(WTERMSIG(status)));
	return CLI_EXIT_RUNTIME;
}
