/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What agent/policy.c, policy_state.c, policy_maps.c and policy_api.c
 * share: the policy state itself, the state file's JSON form (pure, so the
 * unit tests read and write it without an agent) and the compile-and-write
 * step.
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "agent_policy.h"
#include "policy_compile.h"
#include "prefilter.h"
#include "record.h"

struct agent;

/* Version of the state file's format (policy.json, "version"). */
#define POLICY_STATE_VERSION 1
/* Name of the state file in --state-dir. */
#define POLICY_STATE_FILE "policy.json"
/* User labels one endpoint may carry. */
#define POLICY_ENDPOINT_LABELS_MAX 64
/* Endpoint names the state remembers labels or audit mode for. */
#define POLICY_ENDPOINT_CONFIGS_MAX 4096
/* Policy ids are a __u16 in the maps; 0 means none. */
#define POLICY_ID_MAX 65535

/* An endpoint's settings, by name: the endpoint may come and go, they stay. */
struct policy_endpoint_config {
	char name[NETOBS_NAME_MAX];
	bool audit;		     /* PolicyAuditMode=Enabled */
	uint32_t n_labels;	     /* user labels, source "user" */
	struct policy_label *labels; /* allocated to n_labels */
};

/* The imported policies, each with its id and the revision it came at. */
struct policy_imported {
	struct policy_set set;
	uint16_t *ids;	     /* ids[i]: set.policies[i]'s id */
	uint64_t *revisions; /* revisions[i]: the policy revision it was imported at */
};

/* A toFQDNs address as the last compile selected it (agent/policy_fqdn.c). */
struct policy_fqdn_addr {
	char name[POLICY_FQDN_MAX + 1]; /* lower case, no trailing dot */
	struct policy_prefix addr;
};

struct agent_policy {
	char state_path[PATH_MAX]; /* DIR/policy.json; "" for none (unit tests) */
	struct policy_imported policies;
	uint64_t revision; /* bumps with every change */
	uint32_t next_id;  /* the next id to give out (may pass POLICY_ID_MAX: then reuse) */
	struct policy_endpoint_config *endpoints;
	uint32_t n_endpoints;
	/* refs[id]: interned for the agent's life (records point at them); an id
	 * with a ref was given out in this agent's life and is never given again. */
	struct netobs_policy_ref **refs;
	/* What the maps hold now, and the revision it was compiled at. */
	struct policy_compiled compiled;
	uint64_t compiled_revision;
	uint32_t generation;	   /* netobs_policy_gen counter: only grows */
	uint64_t compile_failures; /* endpoint changes whose compile failed (maps kept) */
	/* toFQDNs (policy_fqdn.c): the answers endpoints got, and their change
	 * count the maps were compiled at. */
	struct fqdn_cache *fqdn;
	uint64_t fqdn_changes_seen;
	/* The XDP prefilter's list (agent/prefilter.c), saved in the same file. */
	struct prefilter_list prefilter;
};

/*
 * The policies do not fit the datapath after an endpoint change (the
 * previous maps stay): every endpoint a policy selects that the maps do not
 * enforce yet is put in default deny both ways, and not left open.
 */
void agent_policy_fail_closed(struct agent *a);

/* ---- policy_fqdn.c: toFQDNs addresses from the DNS answers endpoints got */
struct fqdn_cache;
/* The (name, address) pairs the set's toFQDNs selectors match. *out is the
 * caller's to free. 0 or -ENOMEM. */
int agent_policy_fqdn_collect(struct agent *a, const struct policy_set *set,
			      struct policy_fqdn_addr **out, size_t *n);
/* At start: the pairs a previous agent kept (the file beside the state file). */
void agent_policy_fqdn_load(struct agent *a);
void agent_policy_fqdn_free(struct agent_policy *p);

/* ---- policy_state.c: the imported set and the state file */
void policy_imported_init(struct policy_imported *pi);
void policy_imported_free(struct policy_imported *pi);
/* Append one document (its id and revision) to pi; 0, -EINVAL (err) or -ENOMEM. */
int policy_imported_add(struct policy_imported *pi, const char *source, const json_t *document,
			uint16_t id, uint64_t revision, struct policy_error *err);

/* The settings of an endpoint name; NULL when it has none. */
struct policy_endpoint_config *policy_endpoint_config_find(const struct agent_policy *p,
							   const char *name);
/* The same, made (empty) when missing; NULL when out of memory or full. */
struct policy_endpoint_config *policy_endpoint_config_get(struct agent_policy *p, const char *name);
/* Forget a name whose settings are all default again. */
void policy_endpoint_config_tidy(struct agent_policy *p, struct policy_endpoint_config *cfg);
void policy_endpoint_configs_free(struct agent_policy *p);

/*
 * The state file's JSON (docs/policy.md, "State file"), and back. Reading
 * fills an empty agent_policy: policies, ids, revision, next_id, endpoint
 * settings (no refs). 0, or -EINVAL with err saying what is wrong and where.
 */
json_t *policy_state_to_json(const struct agent_policy *p);
int policy_state_from_json(struct agent_policy *p, const json_t *root, char *err, size_t errlen);
/* Write p->state_path atomically (temporary file, fsync, rename). 0 or -errno (err). */
int policy_state_save(const struct agent_policy *p, char *err, size_t errlen);
/* Read p->state_path; 0 also when there is no file yet; -errno with err. */
int policy_state_load(struct agent_policy *p, char *err, size_t errlen);

/* ---- policy.c */
/*
 * n ids for new policies, not given out yet (agent_policy_commit_id() does
 * that once they are in force). 0 or -ENOSPC.
 */
int agent_policy_pick_ids(const struct agent_policy *p, uint32_t n, uint16_t *ids);
/* Give out id: its ref is made and kept for the agent's life. 0 or -ENOMEM. */
int agent_policy_commit_id(struct agent_policy *p, uint16_t id, const struct policy *policy,
			   uint64_t revision);
int agent_policy_make_ref(struct agent_policy *p, uint16_t id, const struct policy *policy,
			  uint64_t revision);
/* For `status`: {"revision", "policies", "generation", "compile_failures"}. */
json_t *agent_policy_status_json(const struct agent *a);
/* Write the state file; a failure is logged (the change stays in effect). */
void agent_policy_save(struct agent *a);

/* ---- prefilter.c */
/* Make the prefilter map hold next instead of old. 0, or -errno (err; the map holds old). */
int agent_prefilter_apply(struct agent *a, const struct prefilter_list *old,
			  const struct prefilter_list *next, char *err, size_t errlen);
/* prefilter_update, prefilter_delete, prefilter_list: true when kind was one of them. */
struct client;
bool agent_prefilter_request(struct agent *a, struct client *c, const char *kind,
			     const json_t *req);

/* ---- policy_maps.c */
/*
 * Compile policies against the endpoint table and the endpoints' settings.
 * 0, -EINVAL (err: a bound) or -ENOMEM.
 */
int agent_policy_compile(struct agent *a, const struct policy_imported *policies,
			 struct policy_compiled *out, struct policy_error *err);
/*
 * Put next into the maps (diffed against what they hold, p->compiled),
 * then the generation (0 when no policy is loaded); on success next is
 * moved into p->compiled. 0 or -errno (err), the previous contents put back.
 */
int agent_policy_maps_apply(struct agent *a, struct policy_compiled *next, bool any_policy,
			    char *err, size_t errlen);
/* Which policies of p select the endpoint with this ifindex, by direction. */
const struct policy_compiled_endpoint *agent_policy_compiled_endpoint(const struct agent_policy *p,
								      uint32_t ifindex);
