// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs endpoints: the interfaces the agent watches, as a table or JSON;
 * `config` and `labels` (cli/endpoint_settings.c) change their policy
 * settings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum endpoint_column {
	COL_ID,
	COL_NAME,
	COL_INTERFACE,
	COL_IPV4,
	COL_IPV6,
	COL_MAC,
	COL_STATE,
	COL_HOOKS,
	COL_POLICY_INGRESS,
	COL_POLICY_EGRESS,
	COL_LABELS,
	COL_COUNT,
};

static const char *const column_titles[COL_COUNT] = {
	"ID",
	"NAME",
	"INTERFACE",
	"IPv4",
	"IPv6",
	"MAC",
	"STATE",
	"HOOKS",
	"POLICY (ingress)",
	"POLICY (egress)",
	"LABELS",
};

struct endpoint_row {
	char *cells[COL_COUNT];
};

struct endpoint_table {
	struct endpoint_row *rows;
	size_t n, cap;
	size_t width[COL_COUNT];
};

void cli_usage_endpoints(FILE *out)
{
	fprintf(out,
		"Usage: netobs endpoints [-o table|json] [--socket PATH]\n"
		"       netobs endpoints config ENDPOINT PolicyAuditMode=Enabled|Disabled\n"
		"       netobs endpoints labels ENDPOINT [--add KEY=VALUE]... [--delete KEY]...\n"
		"\n"
		"List the endpoints the agent watches: ID NAME INTERFACE IPv4 IPv6 MAC STATE\n"
		"HOOKS, policy enforcement by direction (Enabled, Disabled, Disabled (Audit))\n"
		"and the user LABELS (several values are comma-separated, a missing one '-').\n"
		"  -o json   one endpoint object per line, e.g. {\"id\":1,\"name\":...}\n"
		"config: PolicyAuditMode=Enabled lets what policy would drop pass, reported as\n"
		"  audit verdicts. labels: add or delete user labels (policy selectors match\n"
		"  them). Both are kept by endpoint name, across agent restarts.\n");
}

/* A string field, or "-" when absent or empty. */
static char *string_cell(const json_t *ep, const char *key)
{
	const char *s = json_string_value(json_object_get(ep, key));

	return strdup(s && *s ? s : "-");
}

/* A list of strings joined with ",", or "-" when empty; with prefix, only
 * the strings that start with it, without it. */
static char *list_cell_prefixed(const json_t *ep, const char *key, const char *prefix)
{
	size_t skip = prefix ? strlen(prefix) : 0;
	const json_t *list = json_object_get(ep, key);
	size_t i, len = 1;
	json_t *item;
	char *cell;

	json_array_foreach (list, i, item)
		if (json_is_string(item) && !strncmp(json_string_value(item), prefix ?: "", skip))
			len += json_string_length(item) + 1;
	if (len == 1)
		return strdup("-");
	cell = calloc(1, len);
	if (!cell)
		return NULL;
	json_array_foreach (list, i, item) {
		if (!json_is_string(item) || strncmp(json_string_value(item), prefix ?: "", skip))
			continue;
		if (*cell)
			strcat(cell, ",");
		strcat(cell, json_string_value(item) + skip);
	}
	return cell;
}

static char *list_cell(const json_t *ep, const char *key)
{
	return list_cell_prefixed(ep, key, NULL);
}

static char *id_cell(const json_t *ep)
{
	const json_t *id = json_object_get(ep, "id");
	char cell[24];

	if (!json_is_integer(id))
		return strdup("-");
	snprintf(cell, sizeof(cell), "%lld", (long long)json_integer_value(id));
	return strdup(cell);
}

static int table_add(struct endpoint_table *t, const json_t *ep)
{
	struct endpoint_row row;
	size_t col;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct endpoint_row *rows = realloc(t->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		t->rows = rows;
		t->cap = cap;
	}
	row.cells[COL_ID] = id_cell(ep);
	row.cells[COL_NAME] = string_cell(ep, "name");
	row.cells[COL_INTERFACE] = string_cell(ep, "interface");
	row.cells[COL_IPV4] = list_cell(ep, "ipv4");
	row.cells[COL_IPV6] = list_cell(ep, "ipv6");
	row.cells[COL_MAC] = string_cell(ep, "mac");
	row.cells[COL_STATE] = string_cell(ep, "state");
	row.cells[COL_HOOKS] = list_cell(ep, "hooks");
	row.cells[COL_POLICY_INGRESS] = string_cell(ep, "ingress");
	row.cells[COL_POLICY_EGRESS] = string_cell(ep, "egress");
	row.cells[COL_LABELS] = list_cell_prefixed(ep, "labels", "user:");
	for (col = 0; col < COL_COUNT; col++) {
		if (!row.cells[col]) {
			for (col = 0; col < COL_COUNT; col++)
				free(row.cells[col]);
			return -ENOMEM;
		}
	}
	t->rows[t->n++] = row;
	return 0;
}

/* One line; the last column is not padded, so lines have no trailing blanks. */
static void print_cells(const char *const *cells, const size_t *width)
{
	size_t col;

	for (col = 0; col + 1 < COL_COUNT; col++)
		printf("%-*s  ", (int)width[col], cells[col]);
	printf("%s\n", cells[COL_COUNT - 1]);
}

static void table_print(struct endpoint_table *t)
{
	size_t col, i;

	for (col = 0; col < COL_COUNT; col++) {
		t->width[col] = strlen(column_titles[col]);
		for (i = 0; i < t->n; i++)
			if (strlen(t->rows[i].cells[col]) > t->width[col])
				t->width[col] = strlen(t->rows[i].cells[col]);
	}
	print_cells(column_titles, t->width);
	for (i = 0; i < t->n; i++)
		print_cells((const char *const *)t->rows[i].cells, t->width);
}

static void table_free(struct endpoint_table *t)
{
	size_t col, i;

	for (i = 0; i < t->n; i++)
		for (col = 0; col < COL_COUNT; col++)
			free(t->rows[i].cells[col]);
	free(t->rows);
}

static const char *const endpoints_outputs[] = {"table", "json", NULL};
static const struct cli_plain_cmd endpoints_cmd = {
	.name = "endpoints",
	.usage = cli_usage_endpoints,
	.outputs = endpoints_outputs,
	.default_output = CLI_OUTPUT_TABLE,
};

int cli_cmd_endpoints(int argc, char **argv, struct cli_globals *g)
{
	struct endpoint_table table = {0};
	enum cli_output output;
	struct cli_conn conn;
	enum cli_line kind;
	json_t *obj;
	size_t raw_len;
	char *raw, *text;
	int ret;

	/* The first argument that is no flag (nor a flag's value) names a subcommand. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") || !strcmp(argv[i], "-o") ||
		    !strcmp(argv[i], "--output")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (!strcmp(argv[i], "config") || !strcmp(argv[i], "labels"))
			return cli_endpoints_settings(argc, argv, g);
		break;
	}
	ret = cli_command_start(argc, argv, g, &endpoints_cmd, &output, &conn);
	if (ret)
		return ret;

	ret = CLI_EXIT_RUNTIME;
	while ((kind = cli_conn_next(&conn, &raw, &raw_len, &obj)) == CLI_LINE_DATA) {
		const json_t *ep = json_object_get(obj, "endpoint");
		int err = 0;

		if (!json_is_object(ep)) {
			/* Replies may grow new line kinds; an old CLI skips them. */
		} else if (output == CLI_OUTPUT_JSON) {
			text = json_dumps(ep, JSON_COMPACT);
			if (text)
				printf("%s\n", text);
			else
				err = -ENOMEM;
			free(text);
		} else {
			err = table_add(&table, ep);
		}
		json_decref(obj);
		if (err) {
			cli_error("out of memory");
			kind = CLI_LINE_FAILED;
			break;
		}
	}
	if (kind == CLI_LINE_EOF)
		cli_error("agent closed the connection before the end of the reply");
	if (kind == CLI_LINE_DONE) {
		if (output != CLI_OUTPUT_JSON)
			table_print(&table);
		ret = CLI_EXIT_OK;
	}
	table_free(&table);
	cli_conn_close(&conn);
	return ret;
}
