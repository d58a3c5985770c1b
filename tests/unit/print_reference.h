/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The printf-based printer of commit 20b296d (print_reference.c). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "record.h"

void ref_print_set_color(bool on);
void ref_record_summary(const struct netobs_record *rec, char *buf, size_t len);
void ref_print_compact(FILE *out, const struct netobs_record *rec);
void ref_print_table_header(FILE *out);
void ref_print_table_row(FILE *out, const struct netobs_record *rec);
