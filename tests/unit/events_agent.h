/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * An agent for tests of the ring-buffer path (events_ring_buffer_cb()):
 * one endpoint, flow tables of a given capacity, no datapath (TCP_FLAGS
 * events use what was reported), records handed to the test's emit
 * function instead of the store, on the replay clock at t0_ns (monotonic time
 * is wall time: records keep their events' times).
 */
#pragma once

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

struct events_agent_endpoint {
	uint32_t ifindex; /* also its endpoint ID */
	uint8_t kind;	  /* enum endpoint_kind */
	const char *ifname;
	const char *name;
};

static inline struct agent *
events_agent_new(const struct events_agent_endpoint *spec, uint32_t table_capacity,
		 void (*emit)(struct agent *a, const struct netobs_record *rec), uint64_t t0_ns)
{
	struct agent *a = calloc(1, sizeof(*a));
	struct endpoint *ep;

	ck_assert_ptr_nonnull(a);
	a->endpoints = calloc(1, sizeof(*a->endpoints));
	ck_assert_ptr_nonnull(a->endpoints);
	ep = &a->endpoints->eps[a->endpoints->count++];
	ep->id = ep->ifindex = spec->ifindex;
	ep->kind = spec->kind;
	snprintf(ep->ifname, sizeof(ep->ifname), "%s", spec->ifname);
	snprintf(ep->name, sizeof(ep->name), "%s", spec->name);
	ck_assert_int_eq(flow_table_init(&a->flows, table_capacity), 0);
	ck_assert_int_eq(flow_table_init(&a->ended, table_capacity), 0);
	a->dp.flows_fd = -1;
	a->replay_emit = emit;
	agent_clock_replay_set(t0_ns);
	return a;
}

static inline void events_agent_free(struct agent *a)
{
	flow_table_free(&a->flows);
	flow_table_free(&a->ended);
	free(a->endpoints);
	free(a);
}
