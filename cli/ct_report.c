// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What `netobs connectivity test` says at the end: each failed action with
 * the flows it saw and the summary line (text), one JSON object (-o json),
 * and JUnit XML for CI (--junit-file). Also --test's selection. Formats:
 * docs/connectivity.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct_run.h"

int ct_selection_add(struct ct_selection *s, const char *pattern, char *err, size_t errlen)
{
	bool exclude = pattern[0] == '!';
	const char *expr = exclude ? pattern + 1 : pattern;
	regex_t *re;
	int rc;

	if ((exclude ? s->nexclude : s->ninclude) >= CT_SELECT_MAX) {
		snprintf(err, errlen, "too many --test patterns (at most %d of each kind)",
			 CT_SELECT_MAX);
		return -1;
	}
	if (!*expr) {
		snprintf(err, errlen, "empty --test pattern '%s': give a regular expression",
			 pattern);
		return -1;
	}
	re = exclude ? &s->exclude[s->nexclude] : &s->include[s->ninclude];
	rc = regcomp(re, expr, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[128];

		regerror(rc, re, why, sizeof(why));
		snprintf(err, errlen, "invalid --test '%s': %s (POSIX extended regular expression)",
			 pattern, why);
		return -1;
	}
	if (exclude)
		s->nexclude++;
	else
		s->ninclude++;
	return 0;
}

bool ct_selection_matches(const struct ct_selection *s, const char *name)
{
	bool included = s->ninclude == 0;
	unsigned int i;

	for (i = 0; i < s->ninclude && !included; i++)
		included = regexec(&s->include[i], name, 0, NULL, 0) == 0;
	for (i = 0; i < s->nexclude && included; i++)
		included = regexec(&s->exclude[i], name, 0, NULL, 0) != 0;
	return included;
}

void ct_selection_free(struct ct_selection *s)
{
	unsigned int i;

	for (i = 0; i < s->ninclude; i++)
		regfree(&s->include[i]);
	for (i = 0; i < s->nexclude; i++)
		regfree(&s->exclude[i]);
	s->ninclude = s->nexclude = 0;
}

const char *ct_test_status_name(enum ct_test_status status)
{
	switch (status) {
	case CT_TEST_PASSED:
		return "passed";
	case CT_TEST_FAILED:
		return "failed";
	default:
		return "skipped";
	}
}

const char *ct_validation_name(enum ct_validation validation)
{
	switch (validation) {
	case CT_VALIDATION_DISABLED:
		return "disabled";
	case CT_VALIDATION_OFF:
		return "off";
	case CT_VALIDATION_MATCHED:
		return "matched";
	case CT_VALIDATION_FAILED:
		return "failed";
	default:
		return "error";
	}
}

const char *ct_flow_validation_mode_name(enum ct_flow_validation_mode mode)
{
	switch (mode) {
	case CT_FLOW_VALIDATION_DISABLED:
		return "disabled";
	case CT_FLOW_VALIDATION_WARNING:
		return "warning";
	default:
		return "strict";
	}
}

void ct_run_count(const struct ct_run *run, struct ct_counts *c)
{
	unsigned int i, j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < run->ntests; i++) {
		const struct ct_test_result *t = &run->tests[i];

		c->tests++;
		if (t->status == CT_TEST_PASSED)
			c->passed++;
		else if (t->status == CT_TEST_FAILED)
			c->failed++;
		else
			c->skipped++;
		for (j = 0; j < t->nactions; j++) {
			c->actions++;
			c->failed_actions += !t->actions[j].passed;
			c->warnings += t->actions[j].warned;
		}
	}
}

/* "TEST/ACTION: SRC -> DST: reason" */
static void print_action_line(FILE *out, const char *indent, const struct ct_test_result *t,
			      const struct ct_action_result *a)
{
	fprintf(out, "%s%s/%s: %s -> %s: %s\n", indent, t->name, a->name, a->source, a->destination,
		a->reason);
}

static void print_action_flows(FILE *out, const char *indent, const struct ct_action_result *a)
{
	char prefix[64];

	if (a->validation == CT_VALIDATION_DISABLED || a->validation == CT_VALIDATION_OFF)
		return;
	if (a->validation == CT_VALIDATION_ERROR) {
		fprintf(out, "%sflows: could not be fetched: %s\n", indent, a->validation_error);
		return;
	}
	if (!a->flows.len) {
		fprintf(out, "%sflows: the agent recorded none for this action\n", indent);
		return;
	}
	fprintf(out, "%sflows (%zu, pattern %s):\n", indent, a->flows.len,
		a->pattern ? a->pattern : "?");
	snprintf(prefix, sizeof(prefix), "%s  ", indent);
	agent_flows_print(out, &a->flows, prefix);
}

static void print_summary_line(FILE *out, const struct ct_run *run, const struct ct_counts *c)
{
	unsigned int ran = c->tests - c->skipped;

	if (!c->failed && !run->interrupted)
		fprintf(out, "All %u tests (%u actions) successful, %u tests skipped\n", ran,
			c->actions, c->skipped);
	else
		fprintf(out, "%u/%u tests failed (%u/%u actions), %u tests skipped\n", c->failed,
			ran, c->failed_actions, c->actions, c->skipped);
}

void ct_report_text(FILE *out, const struct ct_run *run, bool print_flows)
{
	struct ct_counts c;
	bool heading = false;
	unsigned int i, j;

	ct_run_count(run, &c);
	for (i = 0; i < run->ntests; i++) {
		const struct ct_test_result *t = &run->tests[i];

		if (t->status != CT_TEST_FAILED)
			continue;
		if (!heading)
			fprintf(out, "\nFailures:\n");
		heading = true;
		if (!t->nactions)
			fprintf(out, "  %s: %s\n", t->name, t->message);
		if (t->flows.len) {
			fprintf(out, "    flows (%zu):\n", t->flows.len);
			agent_flows_print(out, &t->flows, "      ");
		}
		for (j = 0; j < t->nactions; j++) {
			if (t->actions[j].passed)
				continue;
			print_action_line(out, "  ", t, &t->actions[j]);
			print_action_flows(out, "    ", &t->actions[j]);
		}
	}
	heading = false;
	for (i = 0; i < run->ntests; i++) {
		const struct ct_test_result *t = &run->tests[i];

		for (j = 0; j < t->nactions; j++) {
			if (!t->actions[j].warned)
				continue;
			if (!heading)
				fprintf(out,
					"\nWarnings (flow validation failed; --flow-validation "
					"strict makes these failures):\n");
			heading = true;
			print_action_line(out, "  ", t, &t->actions[j]);
			print_action_flows(out, "    ", &t->actions[j]);
		}
	}
	if (print_flows) {
		fprintf(out, "\nFlows of each action:\n");
		for (i = 0; i < run->ntests; i++) {
			const struct ct_test_result *t = &run->tests[i];

			for (j = 0; j < t->nactions; j++) {
				const struct ct_action_result *a = &t->actions[j];

				fprintf(out, "  %s/%s: %s -> %s: %s, validation %s\n", t->name,
					a->name, a->source, a->destination,
					probe_result_name(a->attempt.result),
					ct_validation_name(a->validation));
				print_action_flows(out, "    ", a);
			}
		}
	}
	if (run->lost_events)
		fprintf(out,
			"\nNote: the agent reported %llu records lost during the run; flow "
			"validation may have missed some (see netobs status)\n",
			(unsigned long long)run->lost_events);
	fprintf(out, "\n");
	if (run->interrupted)
		fprintf(out, "Interrupted: tests not run are reported as skipped\n");
	print_summary_line(out, run, &c);
	if (c.failed) {
		fprintf(out, "Failed tests:");
		for (i = 0; i < run->ntests; i++)
			if (run->tests[i].status == CT_TEST_FAILED)
				fprintf(out, " %s", run->tests[i].name);
		fprintf(out, "\n");
	}
}

/* The records as the agent sent them when kept, else encoded again. */
static json_t *flows_json(const struct agent_flows *f)
{
	json_t *arr;
	size_t i;

	if (f->objects && json_array_size(f->objects) == f->len)
		return json_copy(f->objects);
	arr = json_array();

	for (i = 0; arr && i < f->len; i++)
		json_array_append_new(arr, netobs_record_to_json(&f->recs[i], ""));
	return arr;
}

static json_t *validation_json(const struct ct_action_result *a)
{
	json_t *v = json_pack("{s:s}", "result", ct_validation_name(a->validation));

	if (!v)
		return NULL;
	if (a->pattern)
		json_object_set_new(v, "pattern", json_string(a->pattern));
	if (a->validation == CT_VALIDATION_MATCHED || a->validation == CT_VALIDATION_FAILED) {
		json_object_set_new(v, "steps", json_integer(a->check.steps));
		json_object_set_new(v, "wanted", json_integer(a->check.wanted));
		json_object_set_new(v, "records", json_integer(a->check.records));
		json_object_set_new(v, "drops", json_integer(a->check.drops));
		json_object_set_new(v, "lost", json_integer((json_int_t)a->flows.lost));
	}
	if (a->validation == CT_VALIDATION_FAILED)
		json_object_set_new(v, "reason", json_string(a->check.reason));
	if (a->validation == CT_VALIDATION_ERROR)
		json_object_set_new(v, "reason", json_string(a->validation_error));
	return v;
}

static json_t *action_json(const struct ct_action_result *a)
{
	json_t *obj = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:b, s:b, s:o*, s:o*}", "name",
		a->name, "source", a->source, "destination", a->destination, "probe", a->probe,
		"target", a->target, "expected", probe_result_name(a->expected), "result",
		probe_result_name(a->attempt.result), "latency_ns",
		(json_int_t)a->attempt.latency_ns, "detail", a->attempt.detail, "attempts",
		(int)a->attempts, "passed", a->passed, "warning", a->warned, "validation",
		validation_json(a), "flows", flows_json(&a->flows));

	if (obj && (!a->passed || a->warned))
		json_object_set_new(obj, "reason", json_string(a->reason));
	return obj;
}

static json_t *test_json(const struct ct_test_result *t)
{
	json_t *actions = json_array(), *obj;
	unsigned int i;

	for (i = 0; actions && i < t->nactions; i++)
		json_array_append_new(actions, action_json(&t->actions[i]));
	obj = json_pack("{s:s, s:s, s:s, s:I, s:o*}", "name", t->name, "description",
			t->description, "status", ct_test_status_name(t->status), "duration_ns",
			(json_int_t)t->duration_ns, "actions", actions);
	if (obj && *t->message)
		json_object_set_new(obj, "message", json_string(t->message));
	if (obj && t->flows.len)
		json_object_set_new(obj, "flows", flows_json(&t->flows));
	return obj;
}

int ct_report_json(FILE *out, const struct ct_run *run)
{
	json_t *tests = json_array(), *report;
	struct ct_counts c;
	unsigned int i;

	ct_run_count(run, &c);
	for (i = 0; tests && i < run->ntests; i++)
		json_array_append_new(tests, test_json(&run->tests[i]));
	report =
		json_pack("{s:o*, s:{s:s, s:b, s:s, s:I}, s:{s:i, s:i, s:i, s:i, s:i, s:i, "
			  "s:i, s:I, s:b}}",
			  "tests", tests, "flow_validation", "mode",
			  ct_flow_validation_mode_name(run->flow_validation), "agent", run->agent,
			  "socket", run->socket ? run->socket : "", "lost_events",
			  (json_int_t)run->lost_events, "summary", "tests", c.tests, "passed",
			  c.passed, "failed", c.failed, "skipped", c.skipped, "actions", c.actions,
			  "failed_actions", c.failed_actions, "warnings", c.warnings, "duration_ns",
			  (json_int_t)run->duration_ns, "interrupted", run->interrupted);
	if (!report) {
		cli_error("out of memory building the JSON report");
		return -1;
	}
	json_dumpf(report, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(report);
	return 0;
}

/* Text as XML character data or an attribute value: & < > " ' escaped,
 * control characters XML 1.0 cannot carry replaced by '?'. */
static void xml_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		case '\n':
		case '\t':
			fputc(ch, out);
			break;
		default:
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
			break;
		}
	}
}

/* Every failed action of t, with its flows, as one text (malloc'd; NULL on ENOMEM). */
static char *failure_text(const struct ct_test_result *t)
{
	char *text = NULL;
	size_t len = 0;
	unsigned int j;
	FILE *mem = open_memstream(&text, &len);

	if (!mem)
		return NULL;
	if (*t->message)
		fprintf(mem, "%s\n", t->message);
	if (t->flows.len)
		agent_flows_print(mem, &t->flows, "  ");
	for (j = 0; j < t->nactions; j++) {
		if (t->actions[j].passed && !t->actions[j].warned)
			continue;
		print_action_line(mem, "", t, &t->actions[j]);
		print_action_flows(mem, "  ", &t->actions[j]);
	}
	if (fclose(mem) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static const char *first_failure(const struct ct_test_result *t, char *buf, size_t len)
{
	unsigned int j;

	if (*t->message)
		return t->message;
	for (j = 0; j < t->nactions; j++) {
		if (!t->actions[j].passed) {
			snprintf(buf, len, "%s: %s -> %s: %s", t->actions[j].name,
				 t->actions[j].source, t->actions[j].destination,
				 t->actions[j].reason);
			return buf;
		}
	}
	return "failed";
}

void ct_report_junit_write(FILE *out, const struct ct_run *run)
{
	static const char suite[] = "netobs connectivity test";
	char stamp[64], message[1024];
	struct ct_counts c;
	unsigned int i;

	unsigned int errors = *run->setup_error ? 1 : 0;

	ct_run_count(run, &c);
	netobs_time_format_rfc3339(run->start_ns, stamp, sizeof(stamp));
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
		"<testsuites name=\"%s\" tests=\"%u\" failures=\"%u\" errors=\"%u\" "
		"skipped=\"%u\" time=\"%.3f\">\n",
		suite, c.tests + errors, c.failed, errors, c.skipped,
		(double)run->duration_ns / 1e9);
	fprintf(out,
		"  <testsuite name=\"%s\" package=\"netobs\" tests=\"%u\" failures=\"%u\" "
		"errors=\"%u\" skipped=\"%u\" time=\"%.3f\" timestamp=\"",
		suite, c.tests + errors, c.failed, errors, c.skipped,
		(double)run->duration_ns / 1e9);
	xml_escaped(out, stamp);
	fprintf(out, "\">\n");
	fprintf(out, "    <properties>\n");
	fprintf(out, "      <property name=\"flow-validation\" value=\"%s\"/>\n",
		ct_flow_validation_mode_name(run->flow_validation));
	fprintf(out, "      <property name=\"agent\" value=\"%s\"/>\n", run->agent ? "yes" : "no");
	fprintf(out, "    </properties>\n");
	if (errors) {
		/* No test ran: one testcase carries why, as an error (not a test's failure). */
		fprintf(out,
			"    <testcase name=\"setup\" classname=\"%s\" time=\"%.3f\">\n"
			"      <error type=\"setup\" message=\"",
			suite, (double)run->duration_ns / 1e9);
		xml_escaped(out, run->setup_error);
		fprintf(out, "\"/>\n    </testcase>\n");
	}
	for (i = 0; i < run->ntests; i++) {
		const struct ct_test_result *t = &run->tests[i];

		fprintf(out, "    <testcase name=\"");
		xml_escaped(out, t->name);
		fprintf(out, "\" classname=\"%s\" time=\"%.3f\"", suite,
			(double)t->duration_ns / 1e9);
		if (t->status == CT_TEST_PASSED) {
			fprintf(out, "/>\n");
			continue;
		}
		fprintf(out, ">\n");
		if (t->status == CT_TEST_SKIPPED) {
			fprintf(out, "      <skipped message=\"");
			xml_escaped(out, t->message);
			fprintf(out, "\"/>\n");
		} else {
			char *text = failure_text(t);

			fprintf(out, "      <failure type=\"failure\" message=\"");
			xml_escaped(out, first_failure(t, message, sizeof(message)));
			fprintf(out, "\">");
			xml_escaped(out, text ? text : "");
			fprintf(out, "</failure>\n");
			free(text);
		}
		fprintf(out, "    </testcase>\n");
	}
	fprintf(out, "  </testsuite>\n</testsuites>\n");
}

int ct_report_junit(const char *path, const struct ct_run *run, char *err, size_t errlen)
{
	FILE *out = fopen(path, "w");

	if (!out) {
		snprintf(err, errlen, "cannot write the JUnit file %s: %s", path, strerror(errno));
		return -1;
	}
	ct_report_junit_write(out, run);
	if (ferror(out) | (fclose(out) != 0)) {
		snprintf(err, errlen, "writing the JUnit file %s failed: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}
