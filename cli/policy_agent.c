// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs policy import|get|delete: the agent's policies (docs/policy.md).
 * Files are read and checked here first, so an error names the file; the
 * agent checks them again and imports all of them or none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy_cli.h"

/* Every file's documents, checked as one import, into one array. */
static json_t *documents_read(int n_files, char **files)
{
	json_t *all = json_array();
	struct policy_set set;
	struct policy_error err;
	bool ok = all != NULL;

	policy_set_init(&set);
	for (int i = 0; i < n_files; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "stdin" : files[i];
		size_t len;
		char *text = cli_policy_read_file(files[i], &len);
		json_t *docs;

		if (!text) {
			ok = false;
			continue;
		}
		docs = policy_text_to_json(name, text, len, &err);
		free(text);
		/* Every file's error at once, as validate does. */
		if (!docs || policy_set_add_json(&set, name, docs, &err)) {
			cli_error("%s", err.message);
			ok = false;
		} else if (ok && json_array_extend(all, docs)) {
			cli_error("out of memory");
			ok = false;
		}
		json_decref(docs);
	}
	if (ok && !set.n_policies) {
		cli_error("the files hold no policy; nothing to import");
		ok = false;
	}
	policy_set_free(&set);
	if (!ok) {
		json_decref(all);
		return NULL;
	}
	return all;
}

/* Send request, print the one reply object named key with its "revision" and list. */
static int change_request(const struct cli_globals *g, json_t *request, const char *key,
			  const char *list, const char *verb)
{
	struct cli_conn conn;
	enum cli_line kind;
	json_t *obj, *reply = NULL;
	size_t raw_len;
	char *raw, names[1024];
	int ret = cli_conn_send(&conn, g, request);

	if (ret)
		return ret;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		if (!reply && json_is_object(json_object_get(obj, key)))
			reply = json_incref(json_object_get(obj, key));
		json_decref(obj);
	}
	ret = CLI_EXIT_RUNTIME;
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	if (kind == CLI_LINE_DONE && reply) {
		const json_t *items = json_object_get(reply, list);
		size_t n = json_array_size(items);

		cli_strings_join(items, names, sizeof(names));
		if (!strcmp(verb, "Deleted") && !n)
			printf("Nothing to delete; policy revision %lld\n",
			       (long long)json_integer_value(json_object_get(reply, "revision")));
		else if (json_is_true(json_object_get(reply, "unchanged")))
			printf("Unchanged: %zu %s (%s); policy revision %lld\n", n,
			       n == 1 ? "policy" : "policies", names,
			       (long long)json_integer_value(json_object_get(reply, "revision")));
		else
			printf("%s %zu %s (%s); policy revision %lld\n", verb, n,
			       n == 1 ? "policy" : "policies", names,
			       (long long)json_integer_value(json_object_get(reply, "revision")));
		ret = CLI_EXIT_OK;
	} else if (kind == CLI_LINE_DONE) {
		cli_error("the agent's reply has no %s line", key);
	}
	json_decref(reply);
	cli_conn_close(&conn);
	return ret;
}

int cli_policy_import(const struct cli_globals *g, int n_files, char **files)
{
	json_t *documents = documents_read(n_files, files);
	char source[1024] = "";
	size_t used = 0;

	if (!documents)
		return CLI_EXIT_RUNTIME;
	for (int i = 0; i < n_files && used + 1 < sizeof(source); i++) {
		int n = snprintf(source + used, sizeof(source) - used, "%s%s", i ? ", " : "",
				 strcmp(files[i], "-") == 0 ? "stdin" : files[i]);

		if (n > 0)
			used += (size_t)n;
	}
	return change_request(g,
			      json_pack("{s:s, s:o, s:s}", "request", "policy_import", "documents",
					documents, "source", source),
			      "policy_import", "imported", "Imported");
}

int cli_policy_delete(const struct cli_globals *g, int n_names, char **names, bool all)
{
	int ret = CLI_EXIT_OK;

	if (all)
		return change_request(g,
				      json_pack("{s:s, s:b}", "request", "policy_delete", "all", 1),
				      "policy_delete", "deleted", "Deleted");
	/* One request per name: each is whole; the first that fails stops. */
	for (int i = 0; i < n_names && ret == CLI_EXIT_OK; i++)
		ret = change_request(
			g, json_pack("{s:s, s:s}", "request", "policy_delete", "name", names[i]),
			"policy_delete", "deleted", "Deleted");
	return ret;
}

struct policy_row {
	char name[256], kind[48], id[16], revision[24], endpoints[32];
};

static void row_print(const struct policy_row *r, const int *w)
{
	printf("%-*s  %-*s  %*s  %*s  %s\n", w[0], r->name, w[1], r->kind, w[2], r->id, w[3],
	       r->revision, r->endpoints);
}

int cli_policy_get(const struct cli_globals *g, const char *name, bool json)
{
	static const struct policy_row titles = {"NAME", "KIND", "ID", "REVISION",
						 "ENDPOINTS (in/eg)"};
	struct policy_row *rows = NULL;
	size_t n = 0;
	int width[4] = {4, 4, 2, 8};
	json_t *documents = json_array();
	struct cli_conn conn;
	enum cli_line kind;
	json_t *obj;
	size_t raw_len;
	char *raw;
	int ret;

	ret = cli_conn_send(&conn, g,
			    name ? json_pack("{s:s, s:s}", "request", "policy_get", "name", name)
				 : json_pack("{s:s}", "request", "policy_get"));
	if (ret) {
		json_decref(documents);
		return ret;
	}
	ret = CLI_EXIT_RUNTIME;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *p = json_object_get(obj, "policy");
		const json_t *doc = json_object_get(p, "document");
		const json_t *eps = json_object_get(p, "endpoints");
		struct policy_row *grown, *r;

		if (!json_is_object(doc)) {
			json_decref(obj); /* a line kind this CLI does not know */
			continue;
		}
		json_array_append(documents, (json_t *)doc);
		grown = realloc(rows, (n + 1) * sizeof(*rows));
		if (!grown) {
			json_decref(obj);
			cli_error("out of memory");
			kind = CLI_LINE_FAILED;
			break;
		}
		rows = grown;
		r = &rows[n++];
		snprintf(
			r->name, sizeof(r->name), "%s",
			json_string_value(json_object_get(json_object_get(doc, "metadata"), "name"))
				?: "?");
		snprintf(r->kind, sizeof(r->kind), "%s",
			 json_string_value(json_object_get(doc, "kind")) ?: "?");
		snprintf(r->id, sizeof(r->id), "%lld",
			 (long long)json_integer_value(json_object_get(p, "id")));
		snprintf(r->revision, sizeof(r->revision), "%lld",
			 (long long)json_integer_value(json_object_get(p, "revision")));
		snprintf(r->endpoints, sizeof(r->endpoints), "%zu/%zu",
			 json_array_size(json_object_get(eps, "ingress")),
			 json_array_size(json_object_get(eps, "egress")));
		json_decref(obj);
	}
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	if (kind == CLI_LINE_DONE && json) {
		/* The documents as a list: `netobs policy import` takes it back. */
		if (json_dumpf(documents, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF)
			cli_error("printing the policies: out of memory or write error");
		else
			ret = CLI_EXIT_OK;
	} else if (kind == CLI_LINE_DONE) {
		for (size_t i = 0; i < n; i++) {
			int l[4] = {(int)strlen(rows[i].name), (int)strlen(rows[i].kind),
				    (int)strlen(rows[i].id), (int)strlen(rows[i].revision)};

			for (int c = 0; c < 4; c++)
				width[c] = l[c] > width[c] ? l[c] : width[c];
		}
		if (!n) {
			printf("No policy loaded.\n");
		} else {
			row_print(&titles, width);
			for (size_t i = 0; i < n; i++)
				row_print(&rows[i], width);
		}
		ret = CLI_EXIT_OK;
	}
	free(rows);
	json_decref(documents);
	cli_conn_close(&conn);
	return ret;
}
