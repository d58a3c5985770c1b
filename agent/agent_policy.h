/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's policy state (docs/policy.md): the imported policies and
 * their ids, the policy revision, the endpoints' user labels and audit
 * mode, the state file that keeps them across restarts, and the
 * compile-and-write step that puts them into the datapath's policy maps
 * (lib/policy_compile.h -> agent/policy_maps.c). The API requests that
 * change them are in agent/policy_api.c.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "policy_compile.h"
#include "record.h"

struct agent;
struct endpoint;

/* Default directory of the state file (policy.json), --state-dir. */
#define NETOBS_DEFAULT_STATE_DIR "/var/lib/netobs"

/*
 * Set up the state (empty), then load the state file if there is one and
 * apply it. 0, or -errno with err saying what is wrong with the file (the
 * agent then refuses to start rather than run without the policies).
 */
int agent_policy_init(struct agent *a, char *err, size_t errlen);
void agent_policy_free(struct agent *a);

/*
 * The policy with this id as records name it; NULL for 0 or an id this
 * agent never gave out. Stays valid for the agent's life.
 */
const struct netobs_policy_ref *agent_policy_ref(const struct agent *a, uint16_t policy_id);

/* The endpoints changed (added, removed, addresses): compile and write again. */
void agent_policy_endpoints_changed(struct agent *a);

/* A DNS record: an answer an endpoint asked for feeds toFQDNs (policy_fqdn.c). */
struct flow_entry;
struct netobs_l7;
void agent_policy_fqdn_answer(struct agent *a, const struct flow_entry *e,
			      const struct netobs_l7 *l7);

/*
 * DNS answers came or expired: with a toFQDNs rule loaded, compile again.
 * harvest: also release addresses kept past their answer for connections
 * that have ended (a walk of the flow table: once per harvest).
 */
void agent_policy_fqdn_check(struct agent *a, bool harvest);

/* Does a loaded policy enforce this interface (policy_endpoints has it)? */
bool agent_policy_enforces(const struct agent *a, uint32_t ifindex);

/* The current policy revision (0: nothing ever imported). */
uint64_t agent_policy_revision(const struct agent *a);

/*
 * An endpoint's policy view for `netobs endpoints`: {"ingress":
 * "Enabled"|"Disabled"|"Disabled (Audit)", "egress": ..., "revision": N,
 * "audit": bool, "labels": ["netobs:endpoint=a", "user:app=web", ...]}.
 * New reference or NULL when out of memory.
 */
json_t *agent_policy_endpoint_json(const struct agent *a, const struct endpoint *ep);

/*
 * API requests (docs/api.md): policy_import, policy_get, policy_delete,
 * endpoint_config, endpoint_labels, and the prefilter's prefilter_update,
 * prefilter_delete, prefilter_list (agent/prefilter.c). Returns true when the request was one
 * of these (then the reply lines were queued on the client), false
 * otherwise.
 */
struct client;
bool agent_policy_request(struct agent *a, struct client *c, const char *kind, const json_t *req);
