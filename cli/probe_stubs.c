// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Temporary: the HTTP and DNS probes are written elsewhere (cli/probe_http.c,
 * cli/probe_dns.c); until they are merged these say so. Delete at merge.
 */
#include <stdio.h>

#include "probe.h"

void probe_http_once(const struct probe_options *o, struct probe_attempt *a)
{
	(void)o;
	a->result = PROBE_ERROR;
	snprintf(a->detail, sizeof(a->detail), "the http probe is not built in this netobs");
}

void probe_dns_once(const struct probe_options *o, struct probe_attempt *a)
{
	(void)o;
	a->result = PROBE_ERROR;
	snprintf(a->detail, sizeof(a->detail), "the dns probe is not built in this netobs");
}
