/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The agent's L7 wiring: ring-buffer payload slices (NETOBS_EVENT_L7) go to
 * the pure-code tracker (lib/l7_tracker.h); the DNS and HTTP messages it
 * reports become Type L7 records, and the names it learns go on L3/L4
 * records. The live agent and the capture replay share it.
 */
#pragma once

#include <stdint.h>
#include <jansson.h>

#include "abi.h"

struct agent;

/* A FIN or RST waiting for the slices of its packet (agent_l7_tcp_end()). */
struct agent_l7_end {
	struct netobs_flow_key key;
	uint64_t ts_ns;
	uint16_t tcp_flags;
};
/* Ends held at most between two harvests; more are applied at once. */
#define AGENT_L7_ENDS_MAX 1024
struct netobs_flow_record;

/* Configure the datapath's L7 ports (or turn L7 off) and, unless off,
 * make the tracker; says what failed. 0 or -errno. */
int agent_l7_init(struct agent *a);
void agent_l7_free(struct agent *a);
/* A NETOBS_EVENT_L7 event (size checked by the caller). */
void agent_l7_event(struct agent *a, const struct netobs_l7_event *ev);
/* A TCP packet with FIN or RST (a TCP_FLAGS event): held until the next harvest. */
void agent_l7_tcp_end(struct agent *a, const struct netobs_flow_key *key, uint16_t tcp_flags,
		      uint64_t ts_mono_ns);
/* Once per harvest: unanswered DNS requests, idle connections, expired names. */
void agent_l7_expire(struct agent *a, uint64_t now_mono_ns);
/* End of input (capture replay): report everything still waiting. */
void agent_l7_flush(struct agent *a);
/*
 * Names learned from DNS answers for the record's addresses
 * (source_names / destination_names). They point into the agent and stay
 * valid until the next call: emit the record first.
 */
void agent_l7_names(struct agent *a, struct netobs_flow_record *f, uint64_t now_mono_ns);

/* The "l7" section of `netobs status`: ports, counters by cause. */
json_t *agent_l7_status(const struct agent *a);
