// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The agent's policy state (agent/agent_policy.h): set up from the state file at
 * start, ids and their interned refs, the endpoints' policy view, and the
 * recompile when the endpoints change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "agent_policy.h"
#include "policy_internal.h"

int agent_policy_make_ref(struct agent_policy *p, uint16_t id, const struct policy *policy,
			  uint64_t revision)
{
	struct netobs_policy_ref *ref;

	if (p->refs[id])
		return 0;
	ref = calloc(1, sizeof(*ref));
	if (!ref)
		return -ENOMEM;
	snprintf(ref->name, sizeof(ref->name), "%s", policy->name);
	snprintf(ref->kind, sizeof(ref->kind), "%s",
		 policy->kind == POLICY_KIND_CLUSTERWIDE ? "CiliumClusterwideNetworkPolicy"
							 : "CiliumNetworkPolicy");
	ref->revision = revision;
	p->refs[id] = ref;
	return 0;
}

int agent_policy_pick_ids(const struct agent_policy *p, uint32_t n, uint16_t *ids)
{
	uint32_t found = 0;

	if (p->next_id >= 1 && p->next_id + n - 1 <= POLICY_ID_MAX) {
		for (uint32_t i = 0; i < n && !p->refs[p->next_id + i]; i++)
			ids[found++] = (uint16_t)(p->next_id + i);
		if (found == n)
			return 0;
		found = 0; /* a state file with an id past next_id: look for free ones */
	}
	/* All ids were given out once (across restarts): take ones this agent
	 * has neither given out nor loaded (every loaded one has a ref), so no
	 * record of this agent's life can name an older policy by them. */
	for (uint32_t id = 1; id <= POLICY_ID_MAX && found < n; id++)
		if (!p->refs[id])
			ids[found++] = (uint16_t)id;
	return found == n ? 0 : -ENOSPC;
}

int agent_policy_commit_id(struct agent_policy *p, uint16_t id, const struct policy *policy,
			   uint64_t revision)
{
	int rc = agent_policy_make_ref(p, id, policy, revision);

	if (!rc && p->next_id <= POLICY_ID_MAX && id >= p->next_id)
		p->next_id = (uint32_t)id + 1;
	return rc;
}

void agent_policy_save(struct agent *a)
{
	char err[PATH_MAX + 256];

	if (!a->policy->state_path[0])
		return;
	if (policy_state_save(a->policy, err, sizeof(err)))
		log_error("cannot save the policy state: %s; the change is in effect but a "
			  "restarted agent would not have it: fix the --state-dir and change "
			  "something again",
			  err);
}

/* The prefilter list of the state file into the (fresh) map, before any XDP goes on. */
static int prefilter_init(struct agent *a, char *err, size_t errlen)
{
	struct agent_policy *p = a->policy;
	struct prefilter_list empty;
	char why[512];

	prefilter_list_init(&empty);
	if (!p->prefilter.n)
		return 0;
	if (agent_prefilter_apply(a, &empty, &p->prefilter, why, sizeof(why))) {
		snprintf(err, errlen,
			 "cannot put the prefilter of %s into the datapath: %s; move the file "
			 "away to start with no prefilter and no policy",
			 p->state_path, why);
		return -EIO;
	}
	log_info("prefilter: %u CIDR(s) from %s, prefilter revision %llu", p->prefilter.n,
		 p->state_path, (unsigned long long)p->prefilter.revision);
	return 0;
}

int agent_policy_init(struct agent *a, char *err, size_t errlen)
{
	struct agent_policy *p = calloc(1, sizeof(*p));
	struct policy_compiled next = {};
	struct policy_error perr;
	char why[PATH_MAX + 512];
	int rc;

	if (!p || !(p->refs = calloc(POLICY_ID_MAX + 1, sizeof(*p->refs)))) {
		free(p);
		snprintf(err, errlen, "out of memory for the policy state");
		return -ENOMEM;
	}
	a->policy = p;
	policy_imported_init(&p->policies);
	p->next_id = 1;
	if (!a->cfg.state_dir[0])
		return 0;
	snprintf(p->state_path, sizeof(p->state_path), "%s/%s", a->cfg.state_dir,
		 POLICY_STATE_FILE);
	rc = policy_state_load(p, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen,
			 "cannot read the policy state: %s; the agent does not start without "
			 "the policies it enforced: repair the file, or move it away to start "
			 "with no policy (then import them again)",
			 why);
		return rc;
	}
	for (uint32_t i = 0; i < p->policies.set.n_policies; i++) {
		rc = agent_policy_make_ref(p, p->policies.ids[i], &p->policies.set.policies[i],
					   p->policies.revisions[i]);
		if (rc) {
			snprintf(err, errlen, "out of memory for the policy state");
			return rc;
		}
	}
	if (!p->policies.set.n_policies)
		return prefilter_init(a, err, errlen);
	agent_policy_fqdn_load(a);
	/* The endpoints are not scanned yet: this fills the maps' rules for
	 * whatever the policies need without them; the first scan fills the rest. */
	rc = agent_policy_compile(a, &p->policies, &next, &perr);
	if (!rc)
		rc = agent_policy_maps_apply(a, &next, true, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", perr.message);
	policy_compiled_free(&next);
	if (rc) {
		snprintf(err, errlen,
			 "cannot put the policies of %s into the datapath: %s; move the file "
			 "away to start with no policy",
			 p->state_path, why);
		return rc;
	}
	log_info("%u policies from %s, revision %llu", p->policies.set.n_policies, p->state_path,
		 (unsigned long long)p->revision);
	return prefilter_init(a, err, errlen);
}

void agent_policy_free(struct agent *a)
{
	struct agent_policy *p = a->policy;

	if (!p)
		return;
	policy_imported_free(&p->policies);
	policy_endpoint_configs_free(p);
	policy_compiled_free(&p->compiled);
	agent_policy_fqdn_free(p);
	prefilter_list_free(&p->prefilter);
	for (uint32_t i = 0; i <= POLICY_ID_MAX; i++)
		free(p->refs[i]);
	free(p->refs);
	free(p);
	a->policy = NULL;
}

const struct netobs_policy_ref *agent_policy_ref(const struct agent *a, uint16_t policy_id)
{
	if (!a->policy || !policy_id)
		return NULL;
	return a->policy->refs[policy_id];
}

json_t *agent_policy_status_json(const struct agent *a)
{
	const struct agent_policy *p = a->policy;

	if (!p)
		return json_object();
	return json_pack("{s:I, s:i, s:I, s:I}", "revision", (json_int_t)p->revision, "policies",
			 (int)p->policies.set.n_policies, "generation", (json_int_t)p->generation,
			 "compile_failures", (json_int_t)p->compile_failures);
}

uint64_t agent_policy_revision(const struct agent *a)
{
	return a->policy ? a->policy->revision : 0;
}

void agent_policy_endpoints_changed(struct agent *a)
{
	struct agent_policy *p = a->policy;
	struct policy_compiled next = {};
	struct policy_error perr;
	char err[512];
	int rc;

	if (!p || (!p->policies.set.n_policies && !p->compiled.n_endpoints &&
		   !p->compiled.n_ipcache && !p->compiled.n_rules))
		return; /* no policy: the maps stay empty */
	rc = agent_policy_compile(a, &p->policies, &next, &perr);
	if (rc) {
		p->compile_failures++;
		log_error("the endpoints changed but the policies no longer fit the datapath: "
			  "%s; the previous policy maps stay in force: delete or narrow a "
			  "policy",
			  rc == -ENOMEM ? "out of memory" : perr.message);
		policy_compiled_free(&next);
		/* Not open either: a new endpoint a policy selects is denied. */
		agent_policy_fail_closed(a);
		return;
	}
	rc = agent_policy_maps_apply(a, &next, p->policies.set.n_policies > 0, err, sizeof(err));
	if (rc) {
		p->compile_failures++;
		log_error("the endpoints changed but the policy maps could not be written: %s; "
			  "the previous policy maps stay in force",
			  err);
		agent_policy_fail_closed(a);
	}
	policy_compiled_free(&next);
}

static const char *enforcement_name(const struct policy_compiled_endpoint *ce, uint32_t mask,
				    bool audit)
{
	if (!ce || !(ce->value.flags & mask))
		return "Disabled";
	return audit ? "Disabled (Audit)" : "Enabled";
}

json_t *agent_policy_endpoint_json(const struct agent *a, const struct endpoint *ep)
{
	const struct agent_policy *p = a->policy;
	const struct policy_endpoint_config *cfg =
		p ? policy_endpoint_config_find(p, ep->name) : NULL;
	const struct policy_compiled_endpoint *ce =
		p ? agent_policy_compiled_endpoint(p, ep->ifindex) : NULL;
	char label[NETOBS_NAME_MAX + 32];
	bool audit = cfg && cfg->audit;
	json_t *labels = json_array();

	snprintf(label, sizeof(label), "netobs:endpoint=%s", ep->name);
	json_array_append_new(labels, json_string(label));
	snprintf(label, sizeof(label), "netobs:interface=%s", ep->ifname);
	json_array_append_new(labels, json_string(label));
	if (ep->netns[0]) {
		snprintf(label, sizeof(label), "netobs:netns=%s", ep->netns);
		json_array_append_new(labels, json_string(label));
	}
	for (uint32_t i = 0; cfg && i < cfg->n_labels; i++) {
		char text[POLICY_LABEL_KEY_MAX + POLICY_LABEL_VALUE_MAX + 8];

		snprintf(text, sizeof(text), "user:%s=%s", cfg->labels[i].key,
			 cfg->labels[i].value);
		json_array_append_new(labels, json_string(text));
	}
	return json_pack(
		"{s:o, s:s, s:s, s:I, s:b}", "labels", labels, "ingress",
		enforcement_name(ce, NETOBS_PEP_INGRESS_RULES | NETOBS_PEP_INGRESS_DEFAULT_DENY,
				 audit),
		"egress",
		enforcement_name(ce, NETOBS_PEP_EGRESS_RULES | NETOBS_PEP_EGRESS_DEFAULT_DENY,
				 audit),
		"revision", (json_int_t)(p ? p->compiled_revision : 0), "audit", audit);
}
