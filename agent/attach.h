/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#pragma once

struct agent;

/* Rescan endpoints and attach hooks to the new ones. */
void agent_sync_endpoints(struct agent *a);
/* At start, before attaching: take off every netobs program an earlier
 * agent (killed, crashed) left on any interface of the namespace. */
void agent_reclaim_stale(struct agent *a);
/* Attach what each endpoint lacks (after a policy change: an endpoint a
 * policy now enforces needs TC ingress even when XDP watches it). */
void agent_attach_endpoints(struct agent *a);
/* Take every netobs hook off (at exit). */
void agent_detach_all(struct agent *a);
