// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The API socket's path: one agent serves it (agent/server.c listens on it). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"

/* Refuse to take over a socket another agent is serving; clear a stale one. */
int server_check_path(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; remove it or use --socket",
			 path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (!rc) {
		snprintf(
			err, errlen,
			"another netobs-agent is already serving %s; stop it first or use --socket",
			path);
		return -EADDRINUSE;
	}
	unlink(path); /* nobody listens: left by an agent that crashed */
	return 0;
}
