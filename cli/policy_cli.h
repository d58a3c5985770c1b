/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* What cli/policy.c (the command) and cli/policy_agent.c (its agent side) share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "policy.h"

/* A policy file whole (- for standard input); NULL after reporting why. */
char *cli_policy_read_file(const char *path, size_t *len);

/* netobs policy import FILE...: checked here, then imported whole by the agent. */
int cli_policy_import(const struct cli_globals *g, int n_files, char **files);
/* netobs policy get [NAME] [-o json]. */
int cli_policy_get(const struct cli_globals *g, const char *name, bool json);
/* netobs policy delete NAME...|--all. */
int cli_policy_delete(const struct cli_globals *g, int n_names, char **names, bool all);
