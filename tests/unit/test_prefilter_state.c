// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The XDP prefilter's list (agent/prefilter_state.c): CIDR parsing (IPv4,
 * IPv6, bare addresses, host bits cleared, every malformed form refused
 * with a message naming it), adding and deleting (sorted, no duplicate,
 * the bound), and the state file's "prefilter" member: what is saved comes
 * back the same, a file without it (written before the prefilter) loads
 * with an empty list, a hand-edited one is refused saying where.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_internal.h"
#include "prefilter.h"

Suite *netobs_test_suite(void);

/* The canonical text of a parsed CIDR, or the error. */
static const char *parsed(const char *text)
{
	static char out[512];
	struct policy_prefix p;

	if (prefilter_cidr_parse(text, &p, out, sizeof(out)))
		return out;
	policy_prefix_format(&p, out, sizeof(out));
	return out;
}

START_TEST(test_cidr_parse_good)
{
	ck_assert_str_eq(parsed("10.0.0.0/8"), "10.0.0.0/8");
	ck_assert_str_eq(parsed("10.1.2.3/8"), "10.0.0.0/8"); /* host bits cleared */
	ck_assert_str_eq(parsed("192.0.2.7"), "192.0.2.7/32");
	ck_assert_str_eq(parsed("192.0.2.255/31"), "192.0.2.254/31");
	ck_assert_str_eq(parsed("0.0.0.0/0"), "0.0.0.0/0");
	ck_assert_str_eq(parsed("255.255.255.255/0"), "0.0.0.0/0");
	ck_assert_str_eq(parsed("2001:db8::1"), "2001:db8::1/128");
	ck_assert_str_eq(parsed("2001:db8:ffff::1/33"), "2001:db8:8000::/33");
	ck_assert_str_eq(parsed("::/0"), "::/0");
	ck_assert_str_eq(parsed("::ffff:10.0.0.1/128"), "::ffff:10.0.0.1/128");
}
END_TEST

START_TEST(test_cidr_parse_bad)
{
	static const struct {
		const char *text, *says;
	} bad[] = {
		{"", "'' is no IPv4 or IPv6 address"},
		{"/8", "'' is no IPv4 or IPv6 address"},
		{"10.0.0/8", "'10.0.0' is no IPv4 or IPv6 address"},
		{"10.0.0.256", "'10.0.0.256' is no IPv4"},
		{"host.example/8", "'host.example' is no IPv4"},
		{"10.0.0.0/33", "the prefix length '33' is not a number from 0 to 32 (IPv4)"},
		{"2001:db8::/129", "'129' is not a number from 0 to 128 (IPv6)"},
		{"10.0.0.0/", "the prefix length '' is not"},
		{"10.0.0.0/-1", "'-1' is not"},
		{"10.0.0.0/+8", "'+8' is not"},
		{"10.0.0.0/08", "'08' is not"},
		{"10.0.0.0/8/8", "'8/8' is not"},
		{"10.0.0.0/ 8", "' 8' is not"},
		{"10.0.0.0/1000", "'1000' is not"},
		{"10.0.0.0 /8", "'10.0.0.0 ' is no IPv4"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct policy_prefix p;
		char err[512];

		ck_assert_int_eq(prefilter_cidr_parse(bad[i].text, &p, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].says), "%s: '%s' lacks '%s'", bad[i].text, err,
			      bad[i].says);
	}
}
END_TEST

static struct policy_prefix cidr(const char *text)
{
	struct policy_prefix p;
	char err[256];

	ck_assert_msg(!prefilter_cidr_parse(text, &p, err, sizeof(err)), "%s: %s", text, err);
	return p;
}

static const char *joined(const struct prefilter_list *l)
{
	static char out[1024];
	json_t *cidrs = prefilter_list_cidrs_json(l);
	size_t i, used = 0;
	json_t *v;

	out[0] = '\0';
	json_array_foreach (cidrs, i, v)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? " " : "",
					 json_string_value(v));
	json_decref(cidrs);
	return out;
}

START_TEST(test_add_and_delete)
{
	struct prefilter_list empty, one, two, three;
	struct policy_prefix add[] = {cidr("fd00::/8"), cidr("10.0.0.0/8"), cidr("10.0.0.0/8"),
				      cidr("10.0.0.0/16")};
	struct policy_prefix del[] = {cidr("10.0.0.0/8"), cidr("fd00::/8")};
	struct policy_prefix unlisted = cidr("192.0.2.0/24");
	size_t missing = 99;

	prefilter_list_init(&empty);
	prefilter_list_init(&one);
	prefilter_list_init(&two);
	prefilter_list_init(&three);
	empty.revision = 4;
	ck_assert_int_eq(prefilter_list_with(&empty, add, 4, &one), 0);
	/* sorted by family, address, length; the duplicate once */
	ck_assert_str_eq(joined(&one), "10.0.0.0/8 10.0.0.0/16 fd00::/8");
	ck_assert_uint_eq(one.revision, 4);
	ck_assert(prefilter_list_has(&one, &add[3]));
	ck_assert(!prefilter_list_has(&one, &unlisted));

	ck_assert_int_eq(prefilter_list_without(&one, del, 2, &two, &missing), 0);
	ck_assert_str_eq(joined(&two), "10.0.0.0/16");
	ck_assert_int_eq(prefilter_list_without(&two, del, 2, &three, &missing), -ENOENT);
	ck_assert_uint_eq(missing, 0);
	ck_assert_ptr_null(three.prefixes);
	prefilter_list_free(&one);
	prefilter_list_free(&two);
}
END_TEST

START_TEST(test_bound)
{
	struct prefilter_list full, over;
	struct policy_prefix *many = calloc(PREFILTER_PREFIXES_MAX + 1, sizeof(*many));

	ck_assert_ptr_nonnull(many);
	for (uint32_t i = 0; i <= PREFILTER_PREFIXES_MAX; i++) {
		many[i].family = 4;
		many[i].len = 32;
		many[i].addr[0] = 10;
		many[i].addr[2] = (uint8_t)(i >> 8);
		many[i].addr[3] = (uint8_t)i;
	}
	prefilter_list_init(&full);
	prefilter_list_init(&over);
	ck_assert_int_eq(prefilter_list_with(&full, many, PREFILTER_PREFIXES_MAX, &over), 0);
	ck_assert_uint_eq(over.n, PREFILTER_PREFIXES_MAX);
	full = over;
	prefilter_list_init(&over);
	ck_assert_int_eq(prefilter_list_with(&full, many + PREFILTER_PREFIXES_MAX, 1, &over),
			 -ENOSPC);
	prefilter_list_free(&over);
	/* one already listed does not count twice */
	ck_assert_int_eq(prefilter_list_with(&full, many, 1, &over), 0);
	prefilter_list_free(&over);
	prefilter_list_free(&full);
	free(many);
}
END_TEST

/* A policy state with this "prefilter" member (NULL: none), read back. */
static int state_read(const char *prefilter_json, struct agent_policy *p, char *err, size_t len)
{
	char text[2048];
	json_t *root;
	int rc;

	snprintf(text, sizeof(text),
		 "{\"version\": 1, \"revision\": 0, \"next_id\": 1, \"policies\": [], "
		 "\"endpoints\": {}%s%s}",
		 prefilter_json ? ", \"prefilter\": " : "", prefilter_json ? prefilter_json : "");
	root = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(root);
	memset(p, 0, sizeof(*p));
	policy_imported_init(&p->policies);
	rc = policy_state_from_json(p, root, err, len);
	json_decref(root);
	return rc;
}

static void state_free(struct agent_policy *p)
{
	policy_imported_free(&p->policies);
	policy_endpoint_configs_free(p);
	prefilter_list_free(&p->prefilter);
}

START_TEST(test_state_round_trip)
{
	struct agent_policy p, back;
	struct policy_prefix add[] = {cidr("2001:db8::/32"), cidr("198.51.100.0/24")};
	json_t *saved;
	char err[512], *text;

	ck_assert_int_eq(state_read(NULL, &p, err, sizeof(err)), 0);
	ck_assert_uint_eq(p.prefilter.n, 0); /* a file from before the prefilter */
	ck_assert_int_eq(prefilter_list_with(&p.prefilter, add, 2, &back.prefilter), 0);
	prefilter_list_free(&p.prefilter);
	p.prefilter = back.prefilter;
	p.prefilter.revision = 7;
	saved = policy_state_to_json(&p);
	ck_assert_ptr_nonnull(saved);
	text = json_dumps(json_object_get(saved, "prefilter"), JSON_COMPACT);
	ck_assert_str_eq(text,
			 "{\"revision\":7,\"cidrs\":[\"198.51.100.0/24\",\"2001:db8::/32\"]}");
	ck_assert_int_eq(state_read(text, &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.prefilter.revision, 7);
	ck_assert_str_eq(joined(&back.prefilter), "198.51.100.0/24 2001:db8::/32");
	free(text);
	json_decref(saved);
	state_free(&p);
	state_free(&back);
}
END_TEST

START_TEST(test_state_refused)
{
	static const struct {
		const char *json, *says;
	} bad[] = {
		{"[]", "prefilter: expected {\"revision\""},
		{"{\"cidrs\": []}", "prefilter: expected"},
		{"{\"revision\": -1, \"cidrs\": []}", "prefilter: expected"},
		{"{\"revision\": 1, \"cidrs\": [\"10.0.0.0/33\"]}",
		 "prefilter.cidrs[0]: '10.0.0.0/33' is not a CIDR"},
		{"{\"revision\": 1, \"cidrs\": [7]}", "prefilter.cidrs[0]: expected a string"},
		{"{\"revision\": 1, \"cidrs\": [\"10.1.0.0/8\"]}",
		 "prefilter.cidrs[0]: '10.1.0.0/8' is not written as 10.0.0.0/8"},
		{"{\"revision\": 1, \"cidrs\": [\"10.0.0.0/8\", \"10.0.0.0/8\"]}",
		 "prefilter.cidrs[1]: '10.0.0.0/8' is out of order or appears twice"},
		{"{\"revision\": 1, \"cidrs\": [\"11.0.0.0/8\", \"10.0.0.0/8\"]}",
		 "prefilter.cidrs[1]: '10.0.0.0/8' is out of order"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct agent_policy p;
		char err[512] = "";

		ck_assert_int_eq(state_read(bad[i].json, &p, err, sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].says), "%s: '%s' lacks '%s'", bad[i].json, err,
			      bad[i].says);
		state_free(&p);
	}
}
END_TEST

Suite *netobs_test_suite(void)
{
	Suite *s = suite_create("prefilter_state");
	TCase *tc = tcase_create("prefilter_state");

	tcase_add_test(tc, test_cidr_parse_good);
	tcase_add_test(tc, test_cidr_parse_bad);
	tcase_add_test(tc, test_add_and_delete);
	tcase_add_test(tc, test_bound);
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_state_refused);
	suite_add_tcase(s, tc);
	return s;
}
