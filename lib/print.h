/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Text printers for records: Hubble's compact line and its table. JSON
 * output never comes through here: the CLI passes the agent's lines through.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "record.h"

/*
 * Compact line, Hubble's layout:
 *   Nov 25 10:52:20.150: a:47194 (ID:12) -> b:80 (ID:14) to-endpoint FORWARDED (TCP Flags: SYN)
 * Replies print "<-" with source and destination swapped; unknown "<>".
 * Lost events: "Nov 25 10:52:20.150: EVENTS LOST: OBSERVER_EVENTS_QUEUE CPU(0) 17".
 */
void netobs_print_compact(FILE *out, const struct netobs_record *rec);

/* Table: TIMESTAMP SOURCE DESTINATION TYPE VERDICT SUMMARY (+ EVENT PACKETS BYTES). */
void netobs_print_table_header(FILE *out);
void netobs_print_table_row(FILE *out, const struct netobs_record *rec);

/*
 * Colour and bold (ANSI escapes) in the compact line and the table; off by
 * default. The CLI decides (a terminal, --color); a setter rather than a
 * parameter keeps every printer's signature as it is.
 */
void netobs_print_set_color(bool on);

/*
 * Hubble-style summary text ("TCP Flags: SYN, ACK", "ICMPv4 EchoRequest",
 * "UDP", "DNS Query example.com. A", "HTTP/1.1 GET http://a/"); cut to fit
 * len. NETOBS_SUMMARY_MAX holds an L7 summary's longest URL.
 */
#define NETOBS_SUMMARY_MAX 2048
void netobs_record_summary(const struct netobs_record *rec, char *buf, size_t len);
