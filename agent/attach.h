/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#pragma once

struct agent;

/* Rescan endpoints and attach hooks to the new ones. */
void agent_sync_endpoints(struct agent *a);
/* Take every netobs hook off (at exit). */
void agent_detach_all(struct agent *a);
