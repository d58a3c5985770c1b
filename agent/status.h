/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* JSON for the status and endpoints replies (docs/api.md). */
#pragma once

#include <jansson.h>

#include "agent.h"

json_t *agent_status_json(struct agent *a);
json_t *endpoint_json(const struct endpoint *ep);

/* Names of enum netobs_counter as they appear in status "counters". */
const char *netobs_counter_name(int counter);
