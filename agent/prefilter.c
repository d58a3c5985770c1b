// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The XDP prefilter in the agent (docs/policy.md, "XDP prefilter"): the
 * list kept with the policy state (its state file's "prefilter" member),
 * written to the datapath's prefilter map at start and on every change,
 * and the API requests prefilter_update, prefilter_delete and
 * prefilter_list (docs/api.md). A change is all or nothing: the map is
 * written first, and only when that worked does the list change and get
 * saved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "agent.h"
#include "log.h"
#include "netobs.skel.h"
#include "policy_internal.h"
#include "prefilter.h"

static void lpm_key(const struct policy_prefix *p, struct netobs_ipcache_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = 32 + p->len;
	key->family = p->family;
	memcpy(key->addr, p->addr, p->family == 4 ? 4 : 16);
}

/*
 * Make the map hold next instead of old: new prefixes first, then the
 * enabled flag (on while any prefix is listed), then the old prefixes
 * gone; so a source both lists hold is never let through. 0, or -errno
 * with err; then the map holds old again.
 */
int agent_prefilter_apply(struct agent *a, const struct prefilter_list *old,
			  const struct prefilter_list *next, char *err, size_t errlen)
{
	struct netobs_prefilter_value value = {.revision = (uint32_t)next->revision};
	struct netobs_ipcache_key key;
	uint32_t added = 0;
	int fd, rc = 0;

	if (!a->dp.skel || !a->dp.skel->bss) {
		snprintf(err, errlen, "the datapath is not loaded");
		return -EINVAL;
	}
	fd = bpf_map__fd(a->dp.skel->maps.prefilter);
	for (; added < next->n; added++) {
		if (prefilter_list_has(old, &next->prefixes[added]))
			continue;
		lpm_key(&next->prefixes[added], &key);
		if (bpf_map_update_elem(fd, &key, &value, BPF_ANY)) {
			rc = -errno;
			snprintf(err, errlen, "cannot write the prefilter map: %s",
				 strerror(errno));
			break;
		}
	}
	if (rc) {
		for (uint32_t i = 0; i < added; i++) {
			if (prefilter_list_has(old, &next->prefixes[i]))
				continue;
			lpm_key(&next->prefixes[i], &key);
			bpf_map_delete_elem(fd, &key);
		}
		return rc;
	}
	__atomic_store_n(&a->dp.skel->bss->netobs_prefilter_enabled, next->n > 0, __ATOMIC_RELEASE);
	for (uint32_t i = 0; i < old->n; i++) {
		if (prefilter_list_has(next, &old->prefixes[i]))
			continue;
		lpm_key(&old->prefixes[i], &key);
		/* Left behind, it would still drop: say so, the list is what counts. */
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			log_error("cannot delete a prefix from the prefilter map: %s; it drops "
				  "until the agent restarts",
				  strerror(errno));
	}
	return 0;
}

/* Names of the interfaces netobs_xdp is attached to. */
static json_t *xdp_interfaces(const struct agent *a)
{
	json_t *names = json_array();

	for (unsigned int i = 0; names && i < a->endpoints->count; i++)
		if (a->endpoints->eps[i].hooks & ENDPOINT_HOOK_XDP)
			json_array_append_new(names, json_string(a->endpoints->eps[i].ifname));
	return names;
}

#define NO_XDP_WARNING                                                                             \
	"no interface has netobs's XDP program, so the prefilter drops nothing: start "            \
	"netobs-agent with --xdp IFACE,..."

/* A reply object with the revision, the list and the XDP interfaces (and a warning). */
static json_t *prefilter_reply_body(const struct agent *a, const char *changed_key, json_t *changed)
{
	const struct prefilter_list *l = &a->policy->prefilter;
	json_t *interfaces = xdp_interfaces(a);
	json_t *body = json_pack("{s:I, s:o, s:o}", "revision", (json_int_t)l->revision, "cidrs",
				 prefilter_list_cidrs_json(l), "interfaces", interfaces);

	if (body && changed_key)
		json_object_set(body, changed_key, changed);
	if (body && !json_array_size(interfaces))
		json_object_set_new(body, "warning", json_string(NO_XDP_WARNING));
	return body;
}

/* The request's "cidrs" parsed into *out (the caller frees). 0, or -EINVAL after the error reply. */
static int request_cidrs(struct client *c, const json_t *req, const char *request,
			 struct policy_prefix **out, size_t *n)
{
	const json_t *cidrs = json_object_get(req, "cidrs");
	char why[256];
	json_t *v;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!json_is_array(cidrs) || !json_array_size(cidrs)) {
		server_reply_error(c,
				   "%s needs \"cidrs\": a non-empty array of CIDRs such as "
				   "\"192.0.2.0/24\"",
				   request);
		return -EINVAL;
	}
	if (json_array_size(cidrs) > PREFILTER_PREFIXES_MAX) {
		server_reply_error(c, "%s: more than %d CIDRs; nothing was changed", request,
				   PREFILTER_PREFIXES_MAX);
		return -EINVAL;
	}
	*out = calloc(json_array_size(cidrs), sizeof(**out));
	if (!*out) {
		server_reply_error(c, "the agent is out of memory; nothing was changed");
		return -EINVAL;
	}
	json_array_foreach (cidrs, i, v) {
		if (!json_is_string(v) ||
		    prefilter_cidr_parse(json_string_value(v), &(*out)[i], why, sizeof(why))) {
			server_reply_error(c, "cidrs[%zu]: %s; nothing was changed", i,
					   json_is_string(v) ? why : "expected a string");
			free(*out);
			*out = NULL;
			return -EINVAL;
		}
	}
	*n = json_array_size(cidrs);
	return 0;
}

static bool only_field(struct client *c, const json_t *req, const char *field)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)req, key, v) {
		if (strcmp(key, "request") && (!field || strcmp(key, field))) {
			server_reply_error(c, "unknown field '%.64s' in %s request%s%s", key,
					   json_string_value(json_object_get(req, "request")),
					   field ? ": expected " : "", field ? field : "");
			return false;
		}
	}
	return true;
}

/* update (del false) or delete: compute, write, commit, reply. */
static void prefilter_change(struct agent *a, struct client *c, const json_t *req, bool del)
{
	const char *request = del ? "prefilter_delete" : "prefilter_update";
	struct prefilter_list *cur = &a->policy->prefilter, next;
	struct policy_prefix *given = NULL;
	size_t n = 0, missing = 0;
	json_t *changed = NULL;
	char err[512];
	int rc;

	prefilter_list_init(&next);
	if (!only_field(c, req, "cidrs") || request_cidrs(c, req, request, &given, &n))
		goto out;
	rc = del ? prefilter_list_without(cur, given, n, &next, &missing)
		 : prefilter_list_with(cur, given, n, &next);
	if (rc == -ENOENT) {
		char text[INET6_ADDRSTRLEN + 8];

		policy_prefix_format(&given[missing], text, sizeof(text));
		server_reply_error(c,
				   "%s is not in the prefilter; nothing was deleted: `netobs "
				   "prefilter list` shows it",
				   text);
		goto out;
	}
	if (rc == -ENOSPC) {
		server_reply_error(c,
				   "the prefilter holds at most %d prefixes, and this would make "
				   "%u; nothing was changed: delete some first",
				   PREFILTER_PREFIXES_MAX, next.n);
		goto out;
	}
	if (rc) {
		server_reply_error(c, "the agent is out of memory; nothing was changed");
		goto out;
	}
	/* The prefixes as stored (host bits cleared), whether new or not. */
	changed = json_array();
	for (size_t i = 0; changed && i < n; i++) {
		char text[INET6_ADDRSTRLEN + 8];

		policy_prefix_format(&given[i], text, sizeof(text));
		json_array_append_new(changed, json_string(text));
	}
	if (next.n != cur->n ||
	    memcmp(next.prefixes, cur->prefixes, (size_t)next.n * sizeof(*next.prefixes))) {
		next.revision = cur->revision + 1;
		rc = agent_prefilter_apply(a, cur, &next, err, sizeof(err));
		if (rc) {
			server_reply_error(c, "%s; nothing was changed", err);
			goto out;
		}
		prefilter_list_free(cur);
		*cur = next;
		prefilter_list_init(&next);
		agent_policy_save(a);
		log_info("prefilter: %s %zu CIDR(s); %u listed, prefilter revision %llu",
			 del ? "deleted" : "added", n, cur->n, (unsigned long long)cur->revision);
	}
	server_reply(c, json_pack("[{s:o}, {s:{}}]", request,
				  prefilter_reply_body(a, del ? "deleted" : "updated", changed),
				  "done"));
out:
	json_decref(changed);
	free(given);
	prefilter_list_free(&next);
}

static void prefilter_list_request(struct agent *a, struct client *c, const json_t *req)
{
	if (!only_field(c, req, NULL))
		return;
	server_reply(c, json_pack("[{s:o}, {s:{}}]", "prefilter",
				  prefilter_reply_body(a, NULL, NULL), "done"));
}

bool agent_prefilter_request(struct agent *a, struct client *c, const char *kind, const json_t *req)
{
	if (!strcmp(kind, "prefilter_update"))
		prefilter_change(a, c, req, false);
	else if (!strcmp(kind, "prefilter_delete"))
		prefilter_change(a, c, req, true);
	else if (!strcmp(kind, "prefilter_list"))
		prefilter_list_request(a, c, req);
	else
		return false;
	return true;
}
