// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Client side of the agent API (docs/api.md): connect with errors a user can
 * act on, send one request line, read reply lines.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"

/* Reads of up to this much: a flows reply is many lines, read a batch at a
 * time (the buffer grows beyond it only for a longer line). */
#define LINE_READER_INITIAL_CAP (64 * 1024)

static void api_connect_error(int err, const char *path, char *msg, size_t msglen)
{
	switch (err) {
	case ENOENT:
		snprintf(msg, msglen,
			 "agent not running: no socket at %s; start it with `netobs-agent`", path);
		break;
	case ECONNREFUSED:
		snprintf(msg, msglen,
			 "agent not running: %s refuses connections (stale socket?); "
			 "start it with `netobs-agent`",
			 path);
		break;
	case EACCES:
	case EPERM:
		snprintf(
			msg, msglen,
			"permission denied on %s: run as root or as a member of the socket's group",
			path);
		break;
	case ENOTDIR:
		snprintf(msg, msglen, "cannot reach %s: a component of the path is not a directory",
			 path);
		break;
	case ENOTSOCK:
		snprintf(msg, msglen, "%s is not a socket: is --socket or $NETOBS_SOCKET right?",
			 path);
		break;
	default:
		snprintf(msg, msglen, "cannot connect to the agent at %s: %s", path, strerror(err));
		break;
	}
}

int netobs_api_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	size_t path_len = strlen(path);
	int fd, ret;

	if (path_len == 0 || path_len >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "socket path %s: %zu bytes long, must be 1 to %zu", path,
			 path_len, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, path_len + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a Unix socket: %s", strerror(-ret));
		return ret;
	}
	do {
		ret = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		ret = -errno;
		/* ECONNREFUSED is also what a regular file at the path gives:
		 * telling the two apart saves the user a wrong guess. */
		if (ret == -ECONNREFUSED && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			ret = -ENOTSOCK;
		api_connect_error(-ret, path, err, errlen);
		close(fd);
		return ret;
	}
	return fd;
}

/* Write all of buf; a socket write uses MSG_NOSIGNAL so a closed peer is
 * -EPIPE, not a SIGPIPE that kills the caller. */
static int write_all(int fd, const char *buf, size_t len)
{
	bool is_socket = true;
	ssize_t n;

	while (len > 0) {
		if (is_socket) {
			n = send(fd, buf, len, MSG_NOSIGNAL);
			if (n < 0 && errno == ENOTSOCK) {
				is_socket = false;
				continue;
			}
		} else {
			n = write(fd, buf, len);
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int netobs_api_send(int fd, const json_t *msg)
{
	char *text, *line;
	size_t len;
	int err;

	text = json_dumps(msg, JSON_COMPACT);
	if (!text)
		return -ENOMEM;
	/* One write for the whole line (text and newline together), so the peer
	 * never sees a line without its end in a separate segment. */
	len = strlen(text);
	line = realloc(text, len + 2);
	if (!line) {
		free(text);
		return -ENOMEM;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	err = write_all(fd, line, len + 1);
	free(line);
	return err;
}

void netobs_line_reader_init(struct netobs_line_reader *r, int fd, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max_line;
}

void netobs_line_reader_free(struct netobs_line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->start = 0;
	r->len = 0;
	r->cap = 0;
	r->consumed = 0;
}

/* Room for more input: grow up to max + 1 bytes (a longest line and its '\n'). */
static int line_reader_grow(struct netobs_line_reader *r)
{
	size_t limit = r->max + 1;
	size_t cap;
	char *buf;

	if (r->cap >= limit)
		return -EMSGSIZE;
	cap = r->cap ? r->cap * 2 : LINE_READER_INITIAL_CAP;
	if (cap > limit)
		cap = limit;
	buf = realloc(r->buf, cap);
	if (!buf)
		return -ENOMEM;
	r->buf = buf;
	r->cap = cap;
	return 0;
}

long netobs_line_reader_next(struct netobs_line_reader *r, char **line)
{
	size_t scanned;
	char *newline;
	ssize_t n;
	int err;

	*line = NULL;
	/* The line returned last time stays valid until now: drop it. Lines
	 * are handed out in place; the bytes left move to the front only when
	 * the buffer is full. */
	r->start += r->consumed;
	r->consumed = 0;
	if (r->start == r->len)
		r->start = r->len = 0;
	scanned = r->start;
	for (;;) {
		newline =
			r->len > scanned ? memchr(r->buf + scanned, '\n', r->len - scanned) : NULL;
		if (newline) {
			size_t line_len = (size_t)(newline - (r->buf + r->start));

			if (line_len > r->max)
				return -EMSGSIZE;
			*newline = '\0';
			r->consumed = line_len + 1;
			*line = r->buf + r->start;
			return (long)line_len;
		}
		scanned = r->len;
		if (r->len - r->start > r->max)
			return -EMSGSIZE;
		if (r->len == r->cap && r->start) {
			memmove(r->buf, r->buf + r->start, r->len - r->start);
			r->len -= r->start;
			scanned -= r->start;
			r->start = 0;
		}
		if (r->len == r->cap) {
			err = line_reader_grow(r);
			if (err)
				return err;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			/* End of stream: clean between lines, cut short inside one. */
			return r->len > r->start ? -EPROTO : 0;
		r->len += (size_t)n;
	}
}

bool netobs_line_reader_has_line(const struct netobs_line_reader *r)
{
	size_t from = r->start + r->consumed;

	return r->len > from && memchr(r->buf + from, '\n', r->len - from);
}
