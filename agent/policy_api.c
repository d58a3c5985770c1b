// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy API requests (docs/api.md, "Policy"): import, get and delete
 * policies; an endpoint's audit mode and user labels. Every change is all
 * or nothing: it is compiled and written to the maps first, and only when
 * that worked does the state change (and get saved); otherwise the reply is
 * an error and the running policy is what it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "log.h"
#include "agent_policy.h"
#include "policy_internal.h"

/* Members of a request other than these are refused, naming them. */
static bool fields_known(struct client *c, const json_t *req, const char *const *known,
			 const char *list)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)req, key, v) {
		bool ok = !strcmp(key, "request");

		for (const char *const *k = known; *k && !ok; k++)
			ok = !strcmp(key, *k);
		if (!ok) {
			server_reply_error(c, "unknown field '%.64s' in %s request: expected %s",
					   key, json_string_value(json_object_get(req, "request")),
					   list);
			return false;
		}
	}
	return true;
}

static struct endpoint *endpoint_by_name(struct agent *a, const char *name)
{
	for (unsigned int i = 0; i < a->endpoints->count; i++)
		if (!strcmp(a->endpoints->eps[i].name, name))
			return &a->endpoints->eps[i];
	return NULL;
}

/*
 * Compile policies (the current ones when NULL) and put them into the maps
 * at the next revision. 0 (the revision bumped), or -errno with err; then
 * nothing changed.
 */
static int policy_change_apply(struct agent *a, const struct policy_imported *policies, char *err,
			       size_t errlen)
{
	struct agent_policy *p = a->policy;
	const struct policy_imported *set = policies ? policies : &p->policies;
	struct policy_compiled next = {};
	struct policy_error perr;
	int rc;

	rc = agent_policy_compile(a, set, &next, &perr);
	if (rc) {
		snprintf(err, errlen, "%s; nothing was changed",
			 rc == -ENOMEM ? "the agent is out of memory" : perr.message);
		policy_compiled_free(&next);
		return rc;
	}
	p->revision++;
	rc = agent_policy_maps_apply(a, &next, set->set.n_policies > 0, err, errlen);
	policy_compiled_free(&next);
	if (rc)
		p->revision--;
	return rc;
}

/* The running policies except those keep[] says no to, into out. */
static int policies_keep(const struct agent_policy *p, const bool *keep,
			 struct policy_imported *out, struct policy_error *err)
{
	for (uint32_t i = 0; i < p->policies.set.n_policies; i++) {
		const struct policy *policy = &p->policies.set.policies[i];
		json_t *doc;
		int rc;

		if (!keep[i])
			continue;
		/* The normalized form parses back to the same policy. */
		doc = policy_to_json(policy);
		if (!doc)
			return -ENOMEM;
		rc = policy_imported_add(out, policy->origin, doc, p->policies.ids[i],
					 p->policies.revisions[i], err);
		json_decref(doc);
		if (rc)
			return rc;
	}
	return 0;
}

static uint32_t policy_index(const struct policy_set *set, const char *name)
{
	for (uint32_t i = 0; i < set->n_policies; i++)
		if (!strcmp(set->policies[i].name, name))
			return i;
	return UINT32_MAX;
}

/* Swap in the policies a change put in force, and save. */
static void policies_commit(struct agent *a, struct policy_imported *next)
{
	struct agent_policy *p = a->policy;

	policy_imported_free(&p->policies);
	p->policies = *next;
	policy_imported_init(next);
	agent_policy_save(a);
}

static void policy_import(struct agent *a, struct client *c, const json_t *req)
{
	static const char *const known[] = {"documents", "source", NULL};
	struct agent_policy *p = a->policy;
	const json_t *documents = json_object_get(req, "documents");
	const char *source = json_string_value(json_object_get(req, "source"));
	struct policy_set incoming;
	struct policy_imported next;
	struct policy_error perr;
	uint64_t *revisions = NULL;
	uint16_t *ids = NULL, *fresh = NULL;
	uint32_t n_new = 0;
	bool *keep = NULL;
	json_t *names = NULL;
	char err[1024];
	int rc;

	if (!fields_known(c, req, known, "documents, source"))
		return;
	if (!json_is_array(documents) || !json_array_size(documents)) {
		server_reply_error(c, "policy_import needs \"documents\": a non-empty array of "
				      "policy documents");
		return;
	}
	if (!source)
		source = "request";
	policy_set_init(&incoming);
	policy_imported_init(&next);
	/* The documents as the user wrote them, checked whole: the errors name
	 * document, field and value. */
	rc = policy_set_add_json(&incoming, source, documents, &perr);
	if (rc) {
		server_reply_error(c, "%s; nothing was imported",
				   rc == -ENOMEM ? "the agent is out of memory" : perr.message);
		goto out;
	}
	if (!incoming.n_policies) {
		server_reply_error(c, "%s holds no policy; nothing was imported", source);
		goto out;
	}
	keep = calloc(p->policies.set.n_policies + 1, sizeof(*keep));
	ids = calloc(incoming.n_policies, sizeof(*ids));
	names = json_array();
	if (!keep || !ids || !names)
		goto nomem;
	/* Like kubectl apply: a name imported again is replaced, the rest stay. */
	for (uint32_t i = 0; i < p->policies.set.n_policies; i++)
		keep[i] = policy_index(&incoming, p->policies.set.policies[i].name) == UINT32_MAX;
	rc = policies_keep(p, keep, &next, &perr);
	if (!rc && next.set.n_policies + incoming.n_policies > POLICY_DOCUMENTS_MAX) {
		server_reply_error(c,
				   "%u policies would be loaded, more than the %d netobs holds; "
				   "nothing was imported: delete some first",
				   next.set.n_policies + incoming.n_policies, POLICY_DOCUMENTS_MAX);
		goto out;
	}
	/* A policy imported again unchanged keeps its id and revision (a
	 * controller that applies the same files every few seconds must not
	 * use up the ids); only new or changed ones get new ids. */
	revisions = calloc(incoming.n_policies, sizeof(*revisions));
	if (!revisions)
		goto nomem;
	for (uint32_t i = 0; !rc && i < incoming.n_policies; i++) {
		uint32_t old = policy_index(&p->policies.set, incoming.policies[i].name);
		json_t *a_doc, *b_doc;

		if (old == UINT32_MAX)
			continue;
		a_doc = policy_to_json(&incoming.policies[i]);
		b_doc = policy_to_json(&p->policies.set.policies[old]);
		if (a_doc && b_doc && json_equal(a_doc, b_doc)) {
			ids[i] = p->policies.ids[old];
			revisions[i] = p->policies.revisions[old];
		}
		json_decref(a_doc);
		json_decref(b_doc);
	}
	for (uint32_t i = 0; !rc && i < incoming.n_policies; i++)
		n_new += !ids[i];
	fresh = calloc(n_new + 1, sizeof(*fresh));
	if (!fresh)
		goto nomem;
	if (!rc && n_new && agent_policy_pick_ids(p, n_new, fresh)) {
		server_reply_error(c, "no policy id left (65535 in use or given out since the "
				      "agent started); restart the agent");
		goto out;
	}
	for (uint32_t i = 0, f = 0; !rc && i < incoming.n_policies; i++) {
		if (ids[i])
			continue;
		ids[i] = fresh[f++];
		revisions[i] = p->revision + 1;
	}
	for (uint32_t i = 0; !rc && i < incoming.n_policies; i++) {
		json_t *doc = policy_to_json(&incoming.policies[i]);

		if (!doc)
			goto nomem;
		rc = policy_imported_add(&next, incoming.policies[i].origin, doc, ids[i],
					 revisions[i], &perr);
		json_decref(doc);
		if (!rc)
			rc = json_array_append_new(names, json_string(incoming.policies[i].name))
				     ? -ENOMEM
				     : 0;
	}
	if (rc == -ENOMEM)
		goto nomem;
	if (rc) {
		server_reply_error(c, "%s; nothing was imported", perr.message);
		goto out;
	}
	/* Every one unchanged: nothing to apply, no new revision. */
	if (!n_new) {
		server_reply(c, json_pack("[{s:{s:I, s:O, s:b}}, {s:{}}]", "policy_import",
					  "revision", (json_int_t)p->revision, "imported", names,
					  "unchanged", 1, "done"));
		goto out;
	}
	rc = policy_change_apply(a, &next, err, sizeof(err));
	if (rc) {
		server_reply_error(c, "the import does not fit the datapath: %s", err);
		goto out;
	}
	for (uint32_t i = 0; i < incoming.n_policies; i++)
		if (agent_policy_commit_id(p, ids[i], &incoming.policies[i], p->revision))
			log_warn("out of memory naming policy %s in records",
				 incoming.policies[i].name);
	policies_commit(a, &next);
	log_info("imported %u %s from %s; policy revision %llu", incoming.n_policies,
		 incoming.n_policies == 1 ? "policy" : "policies", source,
		 (unsigned long long)p->revision);
	server_reply(c, json_pack("[{s:{s:I, s:O}}, {s:{}}]", "policy_import", "revision",
				  (json_int_t)p->revision, "imported", names, "done"));
	goto out;
nomem:
	server_reply_error(c, "the agent is out of memory; nothing was imported");
out:
	json_decref(names);
	free(keep);
	free(ids);
	free(fresh);
	free(revisions);
	policy_set_free(&incoming);
	policy_imported_free(&next);
}

/* The names of the endpoints a policy (index i) selects in one direction. */
static json_t *selected_endpoints(struct agent *a, uint32_t index, bool ingress)
{
	const struct policy_compiled *compiled = &a->policy->compiled;
	json_t *names = json_array();

	for (size_t e = 0; names && e < compiled->n_endpoints; e++) {
		const struct policy_compiled_endpoint *ce = &compiled->endpoints[e];
		const uint32_t *list = ingress ? ce->ingress_policies : ce->egress_policies;
		uint32_t n = ingress ? ce->n_ingress_policies : ce->n_egress_policies;
		struct endpoint *ep = endpoints_find_by_ifindex(a->endpoints, ce->ifindex);

		for (uint32_t k = 0; k < n && ep; k++)
			if (list[k] == index)
				json_array_append_new(names, json_string(ep->name));
	}
	return names;
}

static void policy_get(struct agent *a, struct client *c, const json_t *req)
{
	static const char *const known[] = {"name", NULL};
	const struct agent_policy *p = a->policy;
	const json_t *name = json_object_get(req, "name");
	json_t *lines;
	uint32_t count = 0;

	if (!fields_known(c, req, known, "name"))
		return;
	if (name && !json_is_string(name)) {
		server_reply_error(c, "\"name\" must be a string");
		return;
	}
	if (name && policy_index(&p->policies.set, json_string_value(name)) == UINT32_MAX) {
		server_reply_error(c, "no policy named %.253s; `netobs policy get` lists them",
				   json_string_value(name));
		return;
	}
	lines = json_array();
	for (uint32_t i = 0; lines && i < p->policies.set.n_policies; i++) {
		const struct policy *policy = &p->policies.set.policies[i];

		if (name && strcmp(policy->name, json_string_value(name)))
			continue;
		if (json_array_append_new(lines,
					  json_pack("{s:{s:i, s:I, s:o, s:{s:o, s:o}}}", "policy",
						    "id", (int)p->policies.ids[i], "revision",
						    (json_int_t)p->policies.revisions[i],
						    "document", policy_to_json(policy), "endpoints",
						    "ingress", selected_endpoints(a, i, true),
						    "egress", selected_endpoints(a, i, false)))) {
			json_decref(lines);
			lines = NULL;
		}
		count++;
	}
	if (lines &&
	    json_array_append_new(lines, json_pack("{s:{s:i, s:I}}", "done", "count", (int)count,
						   "revision", (json_int_t)p->revision))) {
		json_decref(lines);
		lines = NULL;
	}
	server_reply(c, lines);
}

static void policy_delete(struct agent *a, struct client *c, const json_t *req)
{
	static const char *const known[] = {"name", "all", NULL};
	struct agent_policy *p = a->policy;
	const json_t *name = json_object_get(req, "name"), *all = json_object_get(req, "all");
	struct policy_imported next;
	struct policy_error perr;
	json_t *deleted = json_array();
	bool *keep = calloc(p->policies.set.n_policies + 1, sizeof(*keep));
	char err[1024];
	int rc;

	policy_imported_init(&next);
	if (!fields_known(c, req, known, "name, all"))
		goto out;
	if ((all && !json_is_boolean(all)) || (name && !json_is_string(name)) ||
	    !(name || json_is_true(all)) || (name && json_is_true(all))) {
		server_reply_error(c, "policy_delete needs \"name\": a policy's name, or "
				      "\"all\": true");
		goto out;
	}
	if (!keep || !deleted) {
		server_reply_error(c, "the agent is out of memory; nothing was deleted");
		goto out;
	}
	if (name && policy_index(&p->policies.set, json_string_value(name)) == UINT32_MAX) {
		server_reply_error(c, "no policy named %.253s; `netobs policy get` lists them",
				   json_string_value(name));
		goto out;
	}
	for (uint32_t i = 0; i < p->policies.set.n_policies; i++) {
		keep[i] = name && strcmp(p->policies.set.policies[i].name, json_string_value(name));
		if (!keep[i])
			json_array_append_new(deleted,
					      json_string(p->policies.set.policies[i].name));
	}
	if (json_array_size(deleted)) {
		rc = policies_keep(p, keep, &next, &perr);
		if (rc) {
			server_reply_error(c, "%s; nothing was deleted",
					   rc == -ENOMEM ? "the agent is out of memory"
							 : perr.message);
			goto out;
		}
		rc = policy_change_apply(a, &next, err, sizeof(err));
		if (rc) {
			server_reply_error(c, "cannot delete: %s", err);
			goto out;
		}
		policies_commit(a, &next);
		log_info("deleted %zu %s; policy revision %llu", json_array_size(deleted),
			 json_array_size(deleted) == 1 ? "policy" : "policies",
			 (unsigned long long)p->revision);
	}
	server_reply(c, json_pack("[{s:{s:I, s:O}}, {s:{}}]", "policy_delete", "revision",
				  (json_int_t)p->revision, "deleted", deleted, "done"));
out:
	json_decref(deleted);
	free(keep);
	policy_imported_free(&next);
}

/* The endpoint a request names, or NULL after the error reply. */
static struct endpoint *request_endpoint(struct agent *a, struct client *c, const json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "endpoint"));
	struct endpoint *ep;

	if (!name) {
		server_reply_error(c, "\"endpoint\" must be an endpoint's name");
		return NULL;
	}
	ep = endpoint_by_name(a, name);
	if (!ep)
		server_reply_error(c, "no endpoint named %.64s; `netobs endpoints` lists them",
				   name);
	return ep;
}

static void endpoint_config(struct agent *a, struct client *c, const json_t *req)
{
	static const char *const known[] = {"endpoint", "options", NULL};
	struct agent_policy *p = a->policy;
	const json_t *options = json_object_get(req, "options");
	struct policy_endpoint_config *cfg;
	struct endpoint *ep;
	const char *key;
	json_t *v;
	bool audit;
	char err[1024];

	if (!fields_known(c, req, known, "endpoint, options") ||
	    !(ep = request_endpoint(a, c, req)))
		return;
	if (!json_is_object(options) || !json_object_size(options)) {
		server_reply_error(c, "\"options\" must be an object such as "
				      "{\"PolicyAuditMode\":\"Enabled\"}");
		return;
	}
	cfg = policy_endpoint_config_find(p, ep->name);
	audit = cfg && cfg->audit;
	json_object_foreach ((json_t *)options, key, v) {
		const char *value = json_string_value(v);

		if (strcmp(key, "PolicyAuditMode")) {
			server_reply_error(c,
					   "unknown endpoint option '%.64s': the option is "
					   "PolicyAuditMode",
					   key);
			return;
		}
		if (!value || (strcmp(value, "Enabled") && strcmp(value, "Disabled"))) {
			server_reply_error(c, "PolicyAuditMode: expected Enabled or Disabled");
			return;
		}
		audit = !strcmp(value, "Enabled");
	}
	if (audit != (cfg && cfg->audit)) {
		cfg = policy_endpoint_config_get(p, ep->name);
		if (!cfg) {
			server_reply_error(c, "the agent cannot keep more endpoint settings; "
					      "nothing was changed");
			return;
		}
		cfg->audit = audit;
		if (policy_change_apply(a, NULL, err, sizeof(err))) {
			cfg->audit = !audit;
			policy_endpoint_config_tidy(p, cfg);
			server_reply_error(c, "cannot change %s: %s", ep->name, err);
			return;
		}
		policy_endpoint_config_tidy(p, cfg);
		agent_policy_save(a);
		log_info("endpoint %s: PolicyAuditMode %s; policy revision %llu", ep->name,
			 audit ? "Enabled" : "Disabled", (unsigned long long)p->revision);
	}
	server_reply(c,
		     json_pack("[{s:{s:s, s:I, s:{s:s}}}, {s:{}}]", "endpoint_config", "endpoint",
			       ep->name, "revision", (json_int_t)p->revision, "options",
			       "PolicyAuditMode", audit ? "Enabled" : "Disabled", "done"));
}

/* "app", "user:app" or "app=web" -> the key "app"; NULL for another source. */
static const char *label_key_to_delete(const char *text, char *key, size_t keylen)
{
	const char *colon = strchr(text, ':'), *eq;

	if (colon && (!(eq = strchr(text, '=')) || colon < eq)) {
		if (strncmp(text, POLICY_SOURCE_USER ":", strlen(POLICY_SOURCE_USER) + 1))
			return NULL;
		text = colon + 1;
	}
	snprintf(key, keylen, "%.*s", (int)strcspn(text, "="), text);
	return key;
}

/* Apply add and delete to labels (n, at most POLICY_ENDPOINT_LABELS_MAX). */
static int labels_edit(struct client *c, const json_t *add, const json_t *del,
		       struct policy_label *labels, uint32_t *n)
{
	char why[512], key[POLICY_LABEL_KEY_MAX + 1];
	size_t i;
	json_t *v;

	json_array_foreach (del, i, v) {
		const char *text = json_string_value(v);
		uint32_t k;

		if (!text || !label_key_to_delete(text, key, sizeof(key))) {
			server_reply_error(c,
					   "delete[%zu]: only user labels may be deleted (KEY "
					   "or user:KEY); netobs:* labels are the agent's own",
					   i);
			return -EINVAL;
		}
		for (k = 0; k < *n && strcmp(labels[k].key, key); k++)
			;
		if (k == *n) {
			server_reply_error(c, "the endpoint has no user label '%.64s'", key);
			return -EINVAL;
		}
		memmove(&labels[k], &labels[k + 1], (*n - k - 1) * sizeof(*labels));
		(*n)--;
	}
	json_array_foreach (add, i, v) {
		const char *text = json_string_value(v);
		struct policy_label l;
		uint32_t k;

		if (!text || policy_label_parse(text, POLICY_SOURCE_USER, &l, why, sizeof(why))) {
			server_reply_error(c, "add[%zu]: %s", i, text ? why : "not a string");
			return -EINVAL;
		}
		if (strcmp(l.source, POLICY_SOURCE_USER)) {
			server_reply_error(c,
					   "add[%zu]: '%.64s': only user labels may be added; "
					   "netobs:* labels are the agent's own",
					   i, text);
			return -EINVAL;
		}
		for (k = 0; k < *n && strcmp(labels[k].key, l.key); k++)
			;
		if (k == POLICY_ENDPOINT_LABELS_MAX) {
			server_reply_error(c, "an endpoint has at most %d user labels",
					   POLICY_ENDPOINT_LABELS_MAX);
			return -EINVAL;
		}
		labels[k] = l; /* a key added again takes the new value */
		if (k == *n)
			(*n)++;
	}
	return 0;
}

static void endpoint_labels(struct agent *a, struct client *c, const json_t *req)
{
	static const char *const known[] = {"endpoint", "add", "delete", NULL};
	struct agent_policy *p = a->policy;
	const json_t *add = json_object_get(req, "add"), *del = json_object_get(req, "delete");
	struct policy_endpoint_config *cfg;
	struct policy_label *labels = NULL, *old;
	uint32_t n = 0, old_n;
	struct endpoint *ep;
	json_t *list;
	char err[1024];

	if (!fields_known(c, req, known, "endpoint, add, delete") ||
	    !(ep = request_endpoint(a, c, req)))
		return;
	if ((add && !json_is_array(add)) || (del && !json_is_array(del))) {
		server_reply_error(c, "\"add\" and \"delete\" must be arrays of labels");
		return;
	}
	cfg = policy_endpoint_config_find(p, ep->name);
	labels = calloc(POLICY_ENDPOINT_LABELS_MAX, sizeof(*labels));
	if (!labels) {
		server_reply_error(c, "the agent is out of memory; nothing was changed");
		return;
	}
	if (cfg && cfg->n_labels) { /* an audit-only endpoint has none (NULL) */
		memcpy(labels, cfg->labels, cfg->n_labels * sizeof(*labels));
		n = cfg->n_labels;
	}
	if (labels_edit(c, add, del, labels, &n))
		goto out;
	if (json_array_size(add) || json_array_size(del)) {
		cfg = policy_endpoint_config_get(p, ep->name);
		if (!cfg) {
			server_reply_error(c, "the agent cannot keep more endpoint settings; "
					      "nothing was changed");
			goto out;
		}
		old = cfg->labels;
		old_n = cfg->n_labels;
		cfg->labels = labels;
		cfg->n_labels = n;
		if (policy_change_apply(a, NULL, err, sizeof(err))) {
			cfg->labels = old;
			cfg->n_labels = old_n;
			policy_endpoint_config_tidy(p, cfg);
			server_reply_error(c, "cannot change %s's labels: %s", ep->name, err);
			goto out;
		}
		labels = old;
		policy_endpoint_config_tidy(p, cfg);
		agent_policy_save(a);
		log_info("endpoint %s: %u user label(s); policy revision %llu", ep->name, n,
			 (unsigned long long)p->revision);
	}
	cfg = policy_endpoint_config_find(p, ep->name);
	list = json_array();
	for (uint32_t i = 0; list && cfg && i < cfg->n_labels; i++) {
		char text[POLICY_LABEL_KEY_MAX + POLICY_LABEL_VALUE_MAX + 2];

		snprintf(text, sizeof(text), "%s=%s", cfg->labels[i].key, cfg->labels[i].value);
		json_array_append_new(list, json_string(text));
	}
	server_reply(c, json_pack("[{s:{s:s, s:I, s:o}}, {s:{}}]", "endpoint_labels", "endpoint",
				  ep->name, "revision", (json_int_t)p->revision, "labels", list,
				  "done"));
out:
	free(labels);
}

bool agent_policy_request(struct agent *a, struct client *c, const char *kind, const json_t *req)
{
	if (!strcmp(kind, "policy_import"))
		policy_import(a, c, req);
	else if (!strcmp(kind, "policy_get"))
		policy_get(a, c, req);
	else if (!strcmp(kind, "policy_delete"))
		policy_delete(a, c, req);
	else if (!strcmp(kind, "endpoint_config"))
		endpoint_config(a, c, req);
	else if (!strcmp(kind, "endpoint_labels"))
		endpoint_labels(a, c, req);
	else
		return agent_prefilter_request(a, c, kind, req);
	return true;
}
