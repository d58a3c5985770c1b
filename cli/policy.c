// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netobs policy: validate reads CiliumNetworkPolicy files as netobs would
 * import them, without an agent, and says what netobs understood (a summary,
 * or the normalized JSON) or exactly what it refuses; import, get and delete
 * (cli/policy_agent.c) change the agent's policies. docs/policy.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "policy_cli.h"

void cli_usage_policy(FILE *out)
{
	fprintf(out,
		"Usage: netobs policy validate FILE... [-o text|json]\n"
		"       netobs policy import FILE...\n"
		"       netobs policy get [NAME] [-o table|json]\n"
		"       netobs policy delete NAME...|--all\n"
		"\n"
		"Check CiliumNetworkPolicy files (JSON or YAML; - reads standard input) the way\n"
		"netobs reads them, without an agent. All files are read as one import: a\n"
		"policy name may appear once. A field netobs does not support is an error.\n"
		"  -o text   each policy's selector and rules, one line each (default)\n"
		"  -o json   the normalized policies: what netobs understood, as a JSON list\n"
		"\n"
		"Exit status: 0 when every file is valid, 1 when one is not (each error on\n"
		"standard error names the file, document, policy, field and value), 2 for\n"
		"a usage error.\n"
		"\n"
		"import: check the files as validate does, then load all their policies into\n"
		"  the agent, or none; a policy with a loaded one's name replaces it.\n"
		"get: the loaded policies: NAME KIND ID REVISION and the endpoints each selects\n"
		"  (ingress/egress); -o json prints the documents as a list `import` takes back.\n"
		"delete: unload the named policies (or every one with --all).\n"
		"See docs/policy.md.\n");
}

/* The whole file (or standard input for "-"); NULL after reporting why. */
char *cli_policy_read_file(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t cap = 65536, n = 0;
	char *buf = NULL, *grown;

	if (!f) {
		cli_error("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (!buf || n == cap) {
			if (buf)
				cap *= 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				cli_error("%s: out of memory", path);
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n > POLICY_TEXT_MAX) {
			cli_error("%s: larger than the %u bytes a policy file may have", path,
				  POLICY_TEXT_MAX);
			goto fail;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		cli_error("reading %s: %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	if (f != stdin)
		fclose(f);
	return NULL;
}

static void print_selector(const struct policy_selector *sel)
{
	char label[POLICY_LABEL_SOURCE_MAX + POLICY_LABEL_KEY_MAX + POLICY_LABEL_VALUE_MAX + 4];

	if (sel->n_labels == 0) {
		printf("{} (every endpoint)");
		return;
	}
	for (uint32_t i = 0; i < sel->n_labels; i++) {
		policy_label_format(&sel->labels[i], label, sizeof(label));
		printf("%s%s", i ? "," : "", label);
	}
}

static void print_peers(const struct policy_rule *r)
{
	const char *sep = "";
	char prefix[64];

	printf(" %s ", r->direction == POLICY_INGRESS ? "from" : "to");
	for (uint32_t i = 0; i < r->n_endpoints; i++, sep = ", ") {
		printf("%sendpoints ", sep);
		print_selector(&r->endpoints[i]);
	}
	for (uint32_t i = 0; i < r->n_cidrs; i++, sep = ", ") {
		policy_prefix_format(&r->cidrs[i].prefix, prefix, sizeof(prefix));
		printf("%scidr %s", sep, prefix);
		for (uint32_t j = 0; j < r->cidrs[i].n_excepts; j++) {
			policy_prefix_format(&r->cidrs[i].excepts[j], prefix, sizeof(prefix));
			printf("%s%s", j ? "," : " except ", prefix);
		}
	}
	if (r->entities & POLICY_ENTITY_HOST)
		printf("%sentity host", sep), sep = ", ";
	if (r->entities & POLICY_ENTITY_WORLD)
		printf("%sentity world", sep), sep = ", ";
	if (r->entities & POLICY_ENTITY_ALL)
		printf("%sentity all", sep), sep = ", ";
	for (uint32_t i = 0; i < r->n_fqdns; i++, sep = ", ")
		printf("%sfqdn %s%s", sep, r->fqdns[i].text,
		       r->fqdns[i].kind == POLICY_FQDN_PATTERN ? " (pattern)" : "");
	if (!*sep)
		printf("any peer");
}

static void print_rule(const struct policy_rule *r)
{
	printf("  %s %s:", r->direction == POLICY_INGRESS ? "ingress" : "egress",
	       r->action == POLICY_DENY ? "deny" : "allow");
	if (!r->n_endpoints && !r->n_cidrs && !r->entities && !r->n_fqdns && !r->n_ports &&
	    !r->n_icmps) {
		printf(" nothing (an empty rule: it only sets default deny)\n");
		return;
	}
	print_peers(r);
	if (!r->n_ports && !r->n_icmps) {
		printf("; all ports\n");
		return;
	}
	for (uint32_t i = 0; i < r->n_ports; i++) {
		const struct policy_port *p = &r->ports[i];

		if (p->port == 0)
			printf("%sall", i ? ", " : "; ports ");
		else
			printf("%s%u", i ? ", " : "; ports ", p->port);
		if (p->port && p->end_port != p->port)
			printf("-%u", p->end_port);
		printf("/%s", policy_protocol_name(p->protocol));
	}
	for (uint32_t i = 0; i < r->n_icmps; i++)
		printf("%s%s type %u", i ? ", " : "; icmp ",
		       r->icmps[i].family == 6 ? "IPv6" : "IPv4", r->icmps[i].type);
	printf("\n");
}

/* The description on one line: its control characters (newlines, escapes) as spaces. */
static void print_description(const char *text)
{
	printf("  description: ");
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		putchar(*p < 0x20 || *p == 0x7f ? ' ' : *p);
	putchar('\n');
}

static const char *enforcement(bool has_section, bool default_deny)
{
	if (!has_section)
		return "no rules (not restricted by this policy)";
	return default_deny ? "default deny" : "rules only (enableDefaultDeny false)";
}

static void print_policy_text(const struct policy *p)
{
	printf("%s (%s)\n", p->name,
	       p->kind == POLICY_KIND_CLUSTERWIDE ? "CiliumClusterwideNetworkPolicy"
						  : "CiliumNetworkPolicy");
	for (uint32_t i = 0; i < p->n_specs; i++) {
		const struct policy_spec *s = &p->specs[i];

		if (p->n_specs > 1)
			printf("  rule set %u of %u\n", i + 1, p->n_specs);
		if (s->description[0])
			print_description(s->description);
		printf("  selects: ");
		print_selector(&s->subject);
		printf("\n  ingress: %s; egress: %s\n",
		       enforcement(s->has_ingress, s->default_deny_ingress),
		       enforcement(s->has_egress, s->default_deny_egress));
		for (uint32_t j = 0; j < s->n_rules; j++)
			print_rule(&s->rules[j]);
	}
}

static int policy_validate(int n_files, char **files, bool json)
{
	struct policy_set set;
	struct policy_error err;
	int ret = CLI_EXIT_OK;

	policy_set_init(&set);
	for (int i = 0; i < n_files; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "stdin" : files[i];
		size_t len;
		char *text = cli_policy_read_file(files[i], &len);

		if (!text) {
			ret = CLI_EXIT_RUNTIME;
			continue;
		}
		/* Go on after a bad file: the user sees every file's error at once. */
		if (policy_set_add_text(&set, name, text, len, &err)) {
			cli_error("%s", err.message);
			ret = CLI_EXIT_RUNTIME;
		}
		free(text);
	}
	if (ret == CLI_EXIT_OK && json) {
		json_t *out = policy_set_to_json(&set);

		if (!out || json_dumpf(out, stdout, JSON_INDENT(2)) || fputc('\n', stdout) == EOF) {
			cli_error("printing the policies: out of memory or write error");
			ret = CLI_EXIT_RUNTIME;
		}
		json_decref(out);
	} else if (ret == CLI_EXIT_OK) {
		for (uint32_t i = 0; i < set.n_policies; i++)
			print_policy_text(&set.policies[i]);
		printf("valid: %u %s\n", set.n_policies,
		       set.n_policies == 1 ? "policy" : "policies");
	}
	policy_set_free(&set);
	return ret;
}

/* -o for validate (text|json) and get (table|json): true for json. */
static int policy_output(const struct cli_globals *g, const char *plain, bool *json)
{
	if (!g->output || strcmp(g->output, plain) == 0) {
		*json = false;
		return 0;
	}
	if (strcmp(g->output, "json") == 0) {
		*json = true;
		return 0;
	}
	return cli_usage_error("policy", "invalid output '%s': expected %s or json", g->output,
			       plain);
}

enum {
	OPT_ALL = 0x100
};

static int policy_subcommand(struct cli_globals *g, int n, char **args, bool all)
{
	const char *sub = args[0];
	bool json = false;
	int ret;

	if (all && strcmp(sub, "delete"))
		return cli_usage_error("policy", "--all is a flag of delete only");
	if (!strcmp(sub, "validate")) {
		if (n == 1)
			return cli_usage_error("policy",
					       "validate needs at least one FILE (- for stdin)");
		ret = policy_output(g, "text", &json);
		return ret ? ret : policy_validate(n - 1, args + 1, json);
	}
	if (!strcmp(sub, "import")) {
		if (n == 1)
			return cli_usage_error("policy",
					       "import needs at least one FILE (- for stdin)");
		if (g->output)
			return cli_usage_error("policy", "import has no -o");
		return cli_policy_import(g, n - 1, args + 1);
	}
	if (!strcmp(sub, "get")) {
		if (n > 2)
			return cli_usage_error("policy", "get takes one NAME at most");
		ret = policy_output(g, "table", &json);
		return ret ? ret : cli_policy_get(g, n == 2 ? args[1] : NULL, json);
	}
	if (!strcmp(sub, "delete")) {
		if ((n == 1) == !all)
			return cli_usage_error("policy",
					       "delete needs NAME... or --all (not both)");
		if (g->output)
			return cli_usage_error("policy", "delete has no -o");
		return cli_policy_delete(g, n - 1, args + 1, all);
	}
	return cli_usage_error(
		"policy", "unknown subcommand '%s': expected validate, import, get or delete", sub);
}

int cli_cmd_policy(int argc, char **argv, struct cli_globals *g)
{
	static const struct option options[] = {
		CLI_GLOBAL_LONGOPTS, {"all", no_argument, NULL, OPT_ALL}, {NULL, 0, NULL, 0}};
	char **positional = calloc((size_t)argc + 1, sizeof(*positional));
	int n_positional = 0, opt, ret;
	bool all = false;

	if (!positional) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	optind = 0;
	for (;;) {
		opt = cli_getopt(argc, argv, "+:" CLI_GLOBAL_SHORTOPTS, options, "policy");
		if (opt == -1) {
			/* "+" stops at the subcommand and each FILE: collect, go on with flags. */
			if (optind >= argc)
				break;
			positional[n_positional++] = argv[optind++];
			continue;
		}
		if (opt == CLI_OPT_BAD) {
			ret = CLI_EXIT_USAGE;
			goto out;
		}
		if (opt == OPT_ALL)
			all = true;
		else
			cli_handle_global_opt(opt, cli_usage_policy, g);
	}
	if (n_positional == 0) {
		ret = cli_usage_error("policy",
				      "missing the subcommand (validate, import, get or delete)");
		goto out;
	}
	ret = policy_subcommand(g, n_positional, positional, all);
out:
	free(positional);
	return ret;
}
