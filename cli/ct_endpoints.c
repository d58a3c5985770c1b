// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Before `netobs connectivity test` validates anything: the agent must see
 * the topology's three namespaces as endpoints (it discovers them over
 * netlink, within moments of their veths appearing).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <time.h>

#include "ct_tests.h"

#define CT_ENDPOINTS_WAIT_MS 10000
#define CT_ENDPOINTS_POLL_MS 200

int ct_wait_for_endpoints(const struct cli_globals *g, const struct ct_topology *t,
			  volatile sig_atomic_t *stop)
{
	uint64_t deadline = cli_monotonic_ns() + CT_ENDPOINTS_WAIT_MS * 1000000ull;
	bool ready[CT_NODE__COUNT];
	char missing[128];
	unsigned int i;

	for (;;) {
		struct cli_conn conn;
		enum cli_line line;
		size_t raw_len, len = 0;
		json_t *obj;
		char *raw;
		bool all = true;

		memset(ready, 0, sizeof(ready));
		if (cli_conn_send(&conn, g, json_pack("{s:s}", "request", "endpoints")))
			return -1;
		while ((line = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
			const json_t *ep = json_object_get(obj, "endpoint");
			const char *name = json_string_value(json_object_get(ep, "name"));
			const char *state = json_string_value(json_object_get(ep, "state"));

			for (i = 0; name && state && i < CT_NODE__COUNT; i++)
				if (strcmp(name, t->nodes[i].netns) == 0 &&
				    strcmp(state, "ready") == 0)
					ready[i] = true;
			json_decref(obj);
		}
		cli_conn_close(&conn);
		if (line == CLI_LINE_FAILED)
			return -1;
		missing[0] = '\0';
		for (i = 0; i < CT_NODE__COUNT; i++) {
			if (ready[i])
				continue;
			all = false;
			len = strlen(missing); /* a cut list stays a string */
			snprintf(missing + len, sizeof(missing) - len, "%s%s", len ? ", " : "",
				 t->nodes[i].netns);
		}
		/* Interrupted: not the agent's fault; the run skips its tests as interrupted. */
		if (all || *stop)
			return 0;
		if (cli_monotonic_ns() >= deadline)
			break;
		nanosleep(&(struct timespec){.tv_nsec = CT_ENDPOINTS_POLL_MS * 1000000L}, NULL);
	}
	cli_error("the agent at %s does not list the endpoint(s) %s as ready after %d s: is it "
		  "watching this host's interfaces? See `netobs endpoints` and the agent's log",
		  cli_socket_path(g), missing, CT_ENDPOINTS_WAIT_MS / 1000);
	return -1;
}
