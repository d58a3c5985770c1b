// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The policy state file (agent/policy_state.c): what is saved comes back
 * the same (policies, ids, revisions, next id, endpoint labels and audit
 * mode); a missing file is a first start; a corrupt file, another format
 * version, duplicate ids, a netobs label or a bad policy are refused with
 * a message saying what and where; saves leave no temporary file.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy_internal.h"

Suite *netobs_test_suite(void);

static char dir[64];

static void dir_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/netobs-state-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, POLICY_STATE_FILE);
	unlink(path);
	rmdir(dir);
}

static struct agent_policy *state_new(void)
{
	struct agent_policy *p = calloc(1, sizeof(*p));

	ck_assert_ptr_nonnull(p);
	policy_imported_init(&p->policies);
	p->next_id = 1;
	snprintf(p->state_path, sizeof(p->state_path), "%s/%s", dir, POLICY_STATE_FILE);
	return p;
}

static void state_free(struct agent_policy *p)
{
	policy_imported_free(&p->policies);
	policy_endpoint_configs_free(p);
	prefilter_list_free(&p->prefilter);
	free(p);
}

static void add_policy(struct agent_policy *p, const char *name, uint16_t id, uint64_t revision)
{
	struct policy_error err;
	json_t *doc =
		json_pack("{s:s, s:s, s:{s:s}, s:{s:{s:{s:s}}, s:[{}]}}", "apiVersion",
			  "cilium.io/v2", "kind", "CiliumNetworkPolicy", "metadata", "name", name,
			  "spec", "endpointSelector", "matchLabels", "app", name, "ingress");

	ck_assert_int_eq(policy_imported_add(&p->policies, "test", doc, id, revision, &err), 0);
	json_decref(doc);
}

static void add_label(struct agent_policy *p, const char *endpoint, const char *text)
{
	struct policy_endpoint_config *cfg = policy_endpoint_config_get(p, endpoint);
	char why[256];

	ck_assert_ptr_nonnull(cfg);
	cfg->labels = realloc(cfg->labels, (cfg->n_labels + 1) * sizeof(*cfg->labels));
	ck_assert_int_eq(policy_label_parse(text, POLICY_SOURCE_USER, &cfg->labels[cfg->n_labels],
					    why, sizeof(why)),
			 0);
	cfg->n_labels++;
}

static void write_file(const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, POLICY_STATE_FILE);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Load text as the state file: the return code and the message. */
static int load_text(const char *text, char *err, size_t errlen)
{
	struct agent_policy *p = state_new();
	int rc;

	write_file(text);
	err[0] = '\0';
	rc = policy_state_load(p, err, errlen);
	state_free(p);
	return rc;
}

START_TEST(test_round_trip)
{
	struct agent_policy *p = state_new(), *q = state_new();
	struct policy_endpoint_config *cfg;
	char err[512], tmp[PATH_MAX + 8];
	json_t *a, *b;
	struct stat st;

	add_policy(p, "web", 3, 5);
	add_policy(p, "db", 9, 7);
	p->revision = 7;
	p->next_id = 10;
	add_label(p, "e1", "app=web");
	add_label(p, "e1", "tier=front");
	policy_endpoint_config_get(p, "e2")->audit = true;
	ck_assert_int_eq(policy_state_save(p, err, sizeof(err)), 0);

	snprintf(tmp, sizeof(tmp), "%s.tmp", p->state_path);
	ck_assert_int_eq(access(tmp, F_OK), -1); /* renamed into place */
	ck_assert_int_eq(stat(p->state_path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	ck_assert_int_eq(policy_state_load(q, err, sizeof(err)), 0);
	ck_assert_uint_eq(q->revision, 7);
	ck_assert_uint_eq(q->next_id, 10);
	ck_assert_uint_eq(q->policies.set.n_policies, 2);
	ck_assert_str_eq(q->policies.set.policies[0].name, "web");
	ck_assert_str_eq(q->policies.set.policies[1].name, "db");
	ck_assert_uint_eq(q->policies.ids[0], 3);
	ck_assert_uint_eq(q->policies.ids[1], 9);
	ck_assert_uint_eq(q->policies.revisions[0], 5);
	ck_assert_uint_eq(q->policies.revisions[1], 7);
	cfg = policy_endpoint_config_find(q, "e1");
	ck_assert_ptr_nonnull(cfg);
	ck_assert(!cfg->audit);
	ck_assert_uint_eq(cfg->n_labels, 2);
	ck_assert_str_eq(cfg->labels[0].source, "user");
	ck_assert_str_eq(cfg->labels[0].key, "app");
	ck_assert_str_eq(cfg->labels[0].value, "web");
	ck_assert_str_eq(cfg->labels[1].key, "tier");
	cfg = policy_endpoint_config_find(q, "e2");
	ck_assert_ptr_nonnull(cfg);
	ck_assert(cfg->audit);
	ck_assert_uint_eq(cfg->n_labels, 0);

	/* And the whole form is the same, byte for byte as JSON. */
	a = policy_state_to_json(p);
	b = policy_state_to_json(q);
	ck_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	state_free(p);
	state_free(q);
}
END_TEST

START_TEST(test_missing_file_is_first_start)
{
	struct agent_policy *p = state_new();
	char err[256] = "";

	ck_assert_int_eq(policy_state_load(p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p->policies.set.n_policies, 0);
	ck_assert_uint_eq(p->revision, 0);
	ck_assert_uint_eq(p->next_id, 1);
	state_free(p);
}
END_TEST

START_TEST(test_corrupt_file)
{
	char err[512];

	ck_assert_int_eq(load_text("{\"version\":1,\"revision\":", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, POLICY_STATE_FILE ": line "));
	ck_assert_int_eq(load_text("[]", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "expected a JSON object"));
	ck_assert_int_eq(load_text("{\"version\":1,\"revision\":-1,\"next_id\":1,\"policies\":[],"
				   "\"endpoints\":{}}",
				   err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "\"revision\": expected an integer"));
}
END_TEST

START_TEST(test_version_mismatch)
{
	char err[512];

	ck_assert_int_eq(load_text("{\"version\":2,\"revision\":0,\"next_id\":1,\"policies\":[],"
				   "\"endpoints\":{}}",
				   err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "format version 2; this agent reads version 1"));
}
END_TEST

START_TEST(test_refused_contents)
{
	static const char head[] = "{\"version\":1,\"revision\":3,\"next_id\":5,";
	static const char doc[] = "{\"apiVersion\":\"cilium.io/v2\",\"kind\":"
				  "\"CiliumNetworkPolicy\",\"metadata\":{\"name\":\"%s\"},"
				  "\"spec\":{\"endpointSelector\":{}%s}}";
	char text[2048], d1[512], d2[512], err[512];

	snprintf(d1, sizeof(d1), doc, "a", "");
	snprintf(d2, sizeof(d2), doc, "b", "");
	snprintf(text, sizeof(text),
		 "%s\"policies\":[{\"id\":1,\"revision\":1,\"document\":%s},"
		 "{\"id\":1,\"revision\":2,\"document\":%s}],\"endpoints\":{}}",
		 head, d1, d2);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "policies[1].id: 1 appears twice"));

	snprintf(text, sizeof(text),
		 "%s\"policies\":[{\"id\":1,\"revision\":9,\"document\":%s}],\"endpoints\":{}}",
		 head, d1);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "policies[0].\"revision\": expected an integer"));

	snprintf(d2, sizeof(d2), doc, "b", ",\"bogus\":1");
	snprintf(text, sizeof(text),
		 "%s\"policies\":[{\"id\":2,\"revision\":1,\"document\":%s}],\"endpoints\":{}}",
		 head, d2);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "policies[0].document"));
	ck_assert_ptr_nonnull(strstr(err, "bogus"));

	snprintf(text, sizeof(text),
		 "%s\"policies\":[],\"endpoints\":{\"e1\":{\"labels\":[\"netobs:endpoint=x\"],"
		 "\"audit\":false}}}",
		 head);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "endpoints.\"e1\".labels[0]: not a user label"));

	snprintf(text, sizeof(text),
		 "%s\"policies\":[],\"endpoints\":{\"e1\":{\"labels\":[],\"audit\":\"yes\"}}}",
		 head);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "endpoints.\"e1\": expected"));
}
END_TEST

START_TEST(test_endpoint_config_tidy)
{
	struct agent_policy *p = state_new();
	struct policy_endpoint_config *cfg = policy_endpoint_config_get(p, "e1");

	ck_assert_ptr_nonnull(policy_endpoint_config_get(p, "e2"));
	ck_assert_uint_eq(p->n_endpoints, 2);
	cfg = policy_endpoint_config_find(p, "e1");
	policy_endpoint_config_tidy(p, cfg); /* nothing set: forgotten */
	ck_assert_uint_eq(p->n_endpoints, 1);
	ck_assert_ptr_null(policy_endpoint_config_find(p, "e1"));
	ck_assert_ptr_nonnull(policy_endpoint_config_find(p, "e2"));
	state_free(p);
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("policy_state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_missing_file_is_first_start);
	tcase_add_test(tc, test_corrupt_file);
	tcase_add_test(tc, test_version_mismatch);
	tcase_add_test(tc, test_refused_contents);
	tcase_add_test(tc, test_endpoint_config_tidy);
	suite_add_tcase(s, tc);
	return s;
}
