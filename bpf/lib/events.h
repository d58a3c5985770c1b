/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Ring-buffer events. Only for rare, important moments (a flow entry was
 * created, a TCP connection opened or closed): the ring buffer has one lock
 * shared by all CPUs, so it must never see one event per packet.
 *
 * L7 payload slices (lib/l7.h) start with the same header and emit their
 * own, variable size, so nothing here assumes one event size.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/counters.h"
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/verdict.h"

static __always_inline void event_hdr_init(struct netobs_event_hdr *hdr, __u16 type, __u16 len,
					   __u64 now)
{
	hdr->ts_ns = now;
	hdr->version = NETOBS_ABI_VERSION;
	hdr->type = type;
	hdr->len = len;
	hdr->cpu = bpf_get_smp_processor_id();
}

/*
 * Emit a flow event. A failed reserve loses only this prompt notification:
 * the flow entry is already updated and the agent still sees it when it
 * reads the map, so we count the loss and carry on. d: the packet's policy
 * verdict (all zero when no policy is loaded).
 */
static __always_inline void event_flow_emit(__u16 type, const struct parsed_packet *pkt,
					    __u32 packets, __u64 bytes, __u64 now,
					    const struct policy_decision *d)
{
	struct netobs_flow_event *event;

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		counter_add(NETOBS_CNT_RINGBUF_FULL, 1);
		return;
	}
	event_hdr_init(&event->hdr, type, sizeof(*event), now);
	__builtin_memcpy(&event->key, &pkt->key, sizeof(event->key));
	event->bytes = bytes;
	event->packets = packets;
	event->tcp_flags = pkt->tcp_flags;
	event->verdict = d->verdict;
	event->match_type = d->match_type;
	event->policy_gen = d->gen;
	event->policy_id = d->policy_id;
	event->reserved = 0;
	bpf_ringbuf_submit(event, 0);
	counter_add(NETOBS_CNT_EVENTS, 1);
}
