/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Counting the TC filters on a clsact side, so netobs removes a clsact
 * qdisc it created only when nobody else has put filters on it; listing
 * the BPF ones, so a restart finds filters an earlier agent left. */
#pragma once

#include <stdint.h>

#define TC_FILTER_PARENT_INGRESS 0xFFFFFFF2U /* TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) */
#define TC_FILTER_PARENT_EGRESS	 0xFFFFFFF3U /* TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS) */

/* Number of filters on that parent, or -errno. */
int tc_filter_count(uint32_t ifindex, uint32_t parent);

/* A cls_bpf filter running an eBPF program. */
struct tc_bpf_filter {
	uint32_t handle;
	uint16_t priority;
	uint32_t prog_id;
};

/* Up to max cls_bpf filters on that parent into out; their number, or -errno. */
int tc_bpf_filter_list(uint32_t ifindex, uint32_t parent, struct tc_bpf_filter *out, int max);
