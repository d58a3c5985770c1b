/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The results of one `netobs connectivity test` run, as cli/connectivity.c
 * fills them and cli/ct_report.c prints them (text, -o json, --junit-file).
 * Private to those two files.
 */
#pragma once

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "agent_flows.h"
#include "flow_expect.h"
#include "probe.h"

enum ct_test_status {
	CT_TEST_PASSED = 0,
	CT_TEST_FAILED,
	CT_TEST_SKIPPED,
};

/* What flow validation said about one action. */
enum ct_validation {
	CT_VALIDATION_DISABLED = 0, /* --flow-validation disabled */
	CT_VALIDATION_OFF,	    /* no agent at the socket */
	CT_VALIDATION_MATCHED,	    /* the records show the pattern */
	CT_VALIDATION_FAILED,	    /* they do not: check.reason says what is missing */
	CT_VALIDATION_ERROR,	    /* the records could not be fetched: reason says why */
};

enum ct_flow_validation_mode {
	CT_FLOW_VALIDATION_DISABLED = 0,
	CT_FLOW_VALIDATION_WARNING, /* a mismatch is reported, the action still passes */
	CT_FLOW_VALIDATION_STRICT,  /* a mismatch fails the action */
};

struct ct_action_result {
	char name[48];		      /* "client-to-echo" */
	char source[96];	      /* "client (10.247.0.10)" */
	char destination[272];	      /* "echo (10.247.0.30:7000)" */
	char target[192];	      /* what the probe was given: "http://10.247.0.30/" */
	const char *probe;	      /* probe_kind_name() */
	enum probe_result expected;   /* the result that makes the action pass */
	struct probe_attempt attempt; /* the last attempt */
	unsigned int attempts;	      /* 1 + retries used */
	bool passed;
	bool warned;	  /* validation failed in warning mode */
	char reason[384]; /* when !passed or warned: why, for people */
	enum ct_validation validation;
	struct flow_expect_result check; /* when MATCHED or FAILED */
	char validation_error[256];	 /* when ERROR */
	const char *pattern;		 /* flow_expect_kind_name(), NULL without validation */
	struct agent_flows flows;	 /* the records of this action (relevant ones only) */
};

struct ct_test_result {
	const char *name;
	const char *description;
	enum ct_test_status status;
	char message[768]; /* skipped: why; failed without actions (drops): why */
	uint64_t duration_ns;
	struct ct_action_result *actions;
	unsigned int nactions;
	struct agent_flows flows; /* no-unexpected-drops: the dropped records it saw */
};

struct ct_run {
	struct ct_test_result *tests; /* the selected tests, in order */
	unsigned int ntests;
	enum ct_flow_validation_mode flow_validation;
	bool agent;	       /* an agent answered: validation ran */
	const char *socket;    /* where the agent was looked for */
	uint64_t start_ns;     /* wall clock */
	uint64_t duration_ns;  /* the whole run, topology included */
	bool interrupted;      /* SIGINT/SIGTERM: tests not run are skipped "interrupted" */
	uint64_t lost_events;  /* records the agent reported lost in its replies */
	char setup_error[768]; /* the run could not start: why (JUnit: an error) */
};

struct ct_counts {
	unsigned int tests, passed, failed, skipped;
	unsigned int actions, failed_actions, warnings;
};

/* --test REGEX (repeatable): POSIX extended; a leading '!' excludes. */
#define CT_SELECT_MAX 32
struct ct_selection {
	regex_t include[CT_SELECT_MAX], exclude[CT_SELECT_MAX];
	unsigned int ninclude, nexclude;
};

/* Add one --test pattern. 0, or -1 with err saying why (bad regex, too many). */
int ct_selection_add(struct ct_selection *s, const char *pattern, char *err, size_t errlen);
/* Selected: no include pattern or one matching, and no exclude pattern matching. */
bool ct_selection_matches(const struct ct_selection *s, const char *name);
void ct_selection_free(struct ct_selection *s);

const char *ct_test_status_name(enum ct_test_status status);   /* "passed", ... */
const char *ct_validation_name(enum ct_validation validation); /* "matched", ... */
const char *ct_flow_validation_mode_name(enum ct_flow_validation_mode mode);
void ct_run_count(const struct ct_run *run, struct ct_counts *c);

/* After the progress lines: each failed action with its flows, then the summary line. */
void ct_report_text(FILE *out, const struct ct_run *run, bool print_flows);
/* One JSON object (docs/connectivity.md). 0, or -1 after reporting why. */
int ct_report_json(FILE *out, const struct ct_run *run);
/* JUnit XML to path. 0, or -1 with err saying why. */
int ct_report_junit(const char *path, const struct ct_run *run, char *err, size_t errlen);
/* Write JUnit XML to out (ct_report_junit's body; unit tested). */
void ct_report_junit_write(FILE *out, const struct ct_run *run);
