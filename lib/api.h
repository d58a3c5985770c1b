/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's API: newline-delimited JSON over a Unix stream socket, one
 * request per connection. See docs/api.md for every message.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define NETOBS_DEFAULT_SOCKET "/run/netobs/netobs.sock"
#define NETOBS_SOCKET_ENV     "NETOBS_SOCKET"
#define NETOBS_VERSION	      "0.1.0"

/*
 * Longest request line the agent accepts, newline included: a policy import
 * of POLICY_TEXT_MAX (4 MiB) of YAML grows as JSON (quotes, escapes), so
 * 16 MiB. A connection's buffer grows only as its request does.
 */
#define NETOBS_API_MAX_REQUEST (16 * 1024 * 1024)

/*
 * Connect to the agent. Returns the fd, or -errno with a one-line message
 * for the user in err, e.g. "agent not running: no socket at
 * /run/netobs/netobs.sock; start it with `netobs-agent`".
 */
int netobs_api_connect(const char *path, char *err, size_t errlen);

/* Write one JSON object as one line (compact encoding). 0 or -errno. */
int netobs_api_send(int fd, const json_t *msg);

/* Blocking line reader for clients. */
struct netobs_line_reader {
	int fd;
	char *buf;
	size_t start; /* where the bytes not yet returned begin */
	size_t len;   /* end of the bytes held */
	size_t cap;
	size_t max;	 /* a longer line is an error (-EMSGSIZE) */
	size_t consumed; /* bytes of the line returned last (and its '\n'), dropped at the next call */
};

void netobs_line_reader_init(struct netobs_line_reader *r, int fd, size_t max_line);
void netobs_line_reader_free(struct netobs_line_reader *r);
/*
 * Next line without its '\n', NUL-terminated, valid until the next call.
 * Returns the line length, 0 with *line NULL at end of stream, or -errno:
 * -EMSGSIZE for a line longer than max_line bytes (without its '\n'),
 * -EPROTO when the stream ends in the middle of a line.
 */
long netobs_line_reader_next(struct netobs_line_reader *r, char **line);
/* Is a whole line held after the one returned last (the next call will not read)? */
bool netobs_line_reader_has_line(const struct netobs_line_reader *r);
