// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy state as data: the imported set with ids and revisions, the
 * endpoints' settings by name, and the state file that keeps them across
 * restarts (docs/policy.md, "State file"). No agent here: the unit tests
 * run all of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy_internal.h"

void policy_imported_init(struct policy_imported *pi)
{
	policy_set_init(&pi->set);
	pi->ids = NULL;
	pi->revisions = NULL;
}

void policy_imported_free(struct policy_imported *pi)
{
	policy_set_free(&pi->set);
	free(pi->ids);
	free(pi->revisions);
	policy_imported_init(pi);
}

int policy_imported_add(struct policy_imported *pi, const char *source, const json_t *document,
			uint16_t id, uint64_t revision, struct policy_error *err)
{
	uint32_t before = pi->set.n_policies;
	uint16_t *ids;
	uint64_t *revisions;
	int rc;

	if (!json_is_object(document)) {
		snprintf(err->message, sizeof(err->message), "%s: a policy is a JSON object",
			 source);
		return -EINVAL;
	}
	ids = realloc(pi->ids, (before + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	pi->ids = ids;
	revisions = realloc(pi->revisions, (before + 1) * sizeof(*revisions));
	if (!revisions)
		return -ENOMEM;
	pi->revisions = revisions;
	rc = policy_set_add_json(&pi->set, source, document, err);
	if (rc)
		return rc;
	if (pi->set.n_policies != before + 1) {
		/* A List of policies where one was expected: not the normalized form. */
		snprintf(err->message, sizeof(err->message), "%s: expected one policy, found %u",
			 source, pi->set.n_policies - before);
		return -EINVAL;
	}
	pi->ids[before] = id;
	pi->revisions[before] = revision;
	return 0;
}

struct policy_endpoint_config *policy_endpoint_config_find(const struct agent_policy *p,
							   const char *name)
{
	for (uint32_t i = 0; i < p->n_endpoints; i++)
		if (!strcmp(p->endpoints[i].name, name))
			return &p->endpoints[i];
	return NULL;
}

struct policy_endpoint_config *policy_endpoint_config_get(struct agent_policy *p, const char *name)
{
	struct policy_endpoint_config *cfg = policy_endpoint_config_find(p, name), *grown;

	if (cfg)
		return cfg;
	if (p->n_endpoints >= POLICY_ENDPOINT_CONFIGS_MAX || strlen(name) >= sizeof(cfg->name)) {
		errno = ENOSPC;
		return NULL;
	}
	grown = realloc(p->endpoints, (p->n_endpoints + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	p->endpoints = grown;
	cfg = &p->endpoints[p->n_endpoints++];
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->name, name, strlen(name) + 1);
	return cfg;
}

void policy_endpoint_config_tidy(struct agent_policy *p, struct policy_endpoint_config *cfg)
{
	uint32_t i = (uint32_t)(cfg - p->endpoints);

	if (cfg->audit || cfg->n_labels)
		return;
	free(cfg->labels);
	memmove(cfg, cfg + 1, (p->n_endpoints - i - 1) * sizeof(*cfg));
	p->n_endpoints--;
}

void policy_endpoint_configs_free(struct agent_policy *p)
{
	for (uint32_t i = 0; i < p->n_endpoints; i++)
		free(p->endpoints[i].labels);
	free(p->endpoints);
	p->endpoints = NULL;
	p->n_endpoints = 0;
}

/* "app=web": a user label as the state file and the API write it. */
static json_t *user_label_json(const struct policy_label *l)
{
	char text[POLICY_LABEL_KEY_MAX + POLICY_LABEL_VALUE_MAX + 2];

	snprintf(text, sizeof(text), "%s=%s", l->key, l->value);
	return json_string(text);
}

json_t *policy_state_to_json(const struct agent_policy *p)
{
	json_t *root, *policies = json_array(), *endpoints = json_object(),
		      *prefilter = prefilter_list_to_json(&p->prefilter);

	for (uint32_t i = 0; policies && i < p->policies.set.n_policies; i++) {
		json_t *doc = policy_to_json(&p->policies.set.policies[i]);

		if (!doc ||
		    json_array_append_new(policies, json_pack("{s:i, s:I, s:o}", "id",
							      (int)p->policies.ids[i], "revision",
							      (json_int_t)p->policies.revisions[i],
							      "document", doc))) {
			json_decref(policies);
			policies = NULL;
		}
	}
	for (uint32_t i = 0; endpoints && i < p->n_endpoints; i++) {
		const struct policy_endpoint_config *cfg = &p->endpoints[i];
		json_t *labels = json_array();

		for (uint32_t j = 0; labels && j < cfg->n_labels; j++)
			if (json_array_append_new(labels, user_label_json(&cfg->labels[j]))) {
				json_decref(labels);
				labels = NULL;
			}
		if (!labels || json_object_set_new(endpoints, cfg->name,
						   json_pack("{s:o, s:b}", "labels", labels,
							     "audit", cfg->audit))) {
			json_decref(endpoints);
			endpoints = NULL;
		}
	}
	if (!policies || !endpoints || !prefilter) {
		json_decref(policies);
		json_decref(endpoints);
		json_decref(prefilter);
		return NULL;
	}
	root = json_pack("{s:i, s:I, s:I, s:o, s:o, s:o}", "version", POLICY_STATE_VERSION,
			 "revision", (json_int_t)p->revision, "next_id", (json_int_t)p->next_id,
			 "policies", policies, "endpoints", endpoints, "prefilter", prefilter);
	return root;
}

/* A non-negative integer member no larger than max; false (err set) otherwise. */
static bool state_uint(const json_t *obj, const char *where, const char *name, uint64_t max,
		       uint64_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(obj, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		snprintf(err, errlen, "%s\"%s\": expected an integer from 0 to %llu", where, name,
			 (unsigned long long)max);
		return false;
	}
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static int state_endpoint_from_json(struct agent_policy *p, const char *name, const json_t *obj,
				    char *err, size_t errlen)
{
	const json_t *labels = json_object_get(obj, "labels"),
		     *audit = json_object_get(obj, "audit");
	struct policy_endpoint_config *cfg;
	char why[256];
	size_t i;
	json_t *label;

	if (!json_is_object(obj) || !json_is_array(labels) || !json_is_boolean(audit)) {
		snprintf(err, errlen,
			 "endpoints.\"%.64s\": expected {\"labels\": [...], \"audit\": true|false}",
			 name);
		return -EINVAL;
	}
	if (json_array_size(labels) > POLICY_ENDPOINT_LABELS_MAX) {
		snprintf(err, errlen, "endpoints.\"%.64s\": more than %d labels", name,
			 POLICY_ENDPOINT_LABELS_MAX);
		return -EINVAL;
	}
	if (policy_endpoint_config_find(p, name)) {
		snprintf(err, errlen, "endpoints.\"%.64s\" appears twice", name);
		return -EINVAL;
	}
	cfg = policy_endpoint_config_get(p, name);
	if (!cfg) {
		snprintf(err, errlen, "endpoints.\"%.64s\": %s", name,
			 errno == ENOSPC ? "name too long, or too many endpoints"
					 : "out of memory");
		return -EINVAL;
	}
	cfg->audit = json_is_true(audit);
	cfg->labels = calloc(json_array_size(labels) + 1, sizeof(*cfg->labels));
	if (!cfg->labels)
		return -ENOMEM;
	json_array_foreach (labels, i, label) {
		struct policy_label *l = &cfg->labels[cfg->n_labels];

		if (!json_is_string(label) ||
		    policy_label_parse(json_string_value(label), POLICY_SOURCE_USER, l, why,
				       sizeof(why)) ||
		    strcmp(l->source, POLICY_SOURCE_USER)) {
			snprintf(err, errlen, "endpoints.\"%.64s\".labels[%zu]: %s", name, i,
				 json_is_string(label) && strcmp(l->source, POLICY_SOURCE_USER)
					 ? "not a user label"
					 : "not a label KEY=VALUE");
			return -EINVAL;
		}
		cfg->n_labels++;
	}
	return 0;
}

int policy_state_from_json(struct agent_policy *p, const json_t *root, char *err, size_t errlen)
{
	const json_t *policies = json_object_get(root, "policies");
	const json_t *endpoints = json_object_get(root, "endpoints");
	uint64_t version, revision, next_id;
	const char *name;
	json_t *entry;
	size_t i;
	int rc;

	if (!json_is_object(root)) {
		snprintf(err, errlen, "expected a JSON object");
		return -EINVAL;
	}
	if (!state_uint(root, "", "version", UINT32_MAX, &version, err, errlen))
		return -EINVAL;
	if (version != POLICY_STATE_VERSION) {
		snprintf(err, errlen,
			 "format version %llu; this agent reads version %d (written by another "
			 "netobs version?)",
			 (unsigned long long)version, POLICY_STATE_VERSION);
		return -EINVAL;
	}
	if (!state_uint(root, "", "revision", INT64_MAX, &revision, err, errlen) ||
	    !state_uint(root, "", "next_id", POLICY_ID_MAX + 1, &next_id, err, errlen))
		return -EINVAL;
	if (!json_is_array(policies) || !json_is_object(endpoints)) {
		snprintf(err, errlen,
			 "expected \"policies\" (an array) and \"endpoints\" (an "
			 "object)");
		return -EINVAL;
	}
	if (json_array_size(policies) > POLICY_DOCUMENTS_MAX) {
		snprintf(err, errlen, "more than %d policies", POLICY_DOCUMENTS_MAX);
		return -EINVAL;
	}
	p->revision = revision;
	p->next_id = next_id ? (uint32_t)next_id : 1;
	json_array_foreach (policies, i, entry) {
		struct policy_error perr;
		uint64_t id, policy_revision;
		char where[48], source[64];

		snprintf(where, sizeof(where), "policies[%zu].", i);
		if (!state_uint(entry, where, "id", POLICY_ID_MAX, &id, err, errlen) ||
		    !state_uint(entry, where, "revision", revision, &policy_revision, err, errlen))
			return -EINVAL;
		if (!id) {
			snprintf(err, errlen, "policies[%zu].id: 0 is no policy id", i);
			return -EINVAL;
		}
		for (uint32_t j = 0; j < p->policies.set.n_policies; j++) {
			if (p->policies.ids[j] == id) {
				snprintf(err, errlen, "policies[%zu].id: %llu appears twice", i,
					 (unsigned long long)id);
				return -EINVAL;
			}
		}
		snprintf(source, sizeof(source), "policies[%zu].document", i);
		rc = policy_imported_add(&p->policies, source, json_object_get(entry, "document"),
					 (uint16_t)id, policy_revision, &perr);
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			snprintf(err, errlen, "%s", perr.message);
			return rc;
		}
	}
	json_object_foreach ((json_t *)endpoints, name, entry) {
		rc = state_endpoint_from_json(p, name, entry, err, errlen);
		if (rc)
			return rc;
	}
	/* Files written before the prefilter have none: an empty list. */
	if (json_object_get(root, "prefilter"))
		return prefilter_list_from_json(&p->prefilter, json_object_get(root, "prefilter"),
						err, errlen);
	return 0;
}

int policy_state_save(const struct agent_policy *p, char *err, size_t errlen)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	json_t *root = policy_state_to_json(p);
	int fd = -1, rc = 0, dfd;

	if (!root) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(dir, sizeof(dir), "%s", p->state_path);
	if (mkdir(dirname(dir), 0700) && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", p->state_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	/* A crash leaves the old file or the new one, never half of one. */
	if (json_dumpfd(root, fd, JSON_INDENT(1)) || write(fd, "\n", 1) != 1 || fsync(fd)) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(-rc));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, p->state_path)) {
		rc = -errno;
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, p->state_path,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* The rename itself must survive a power cut. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	if (fd >= 0)
		close(fd);
	json_decref(root);
	return rc;
}

int policy_state_load(struct agent_policy *p, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	char why[512];
	int rc;

	if (access(p->state_path, F_OK) && errno == ENOENT)
		return 0; /* a first start: nothing imported yet */
	root = json_load_file(p->state_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "%s: line %d: %s", p->state_path, jerr.line, jerr.text);
		return -EINVAL;
	}
	rc = policy_state_from_json(p, root, why, sizeof(why));
	json_decref(root);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory reading it", p->state_path);
	else if (rc)
		snprintf(err, errlen, "%s: %s", p->state_path, why);
	return rc;
}
