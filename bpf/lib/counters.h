/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-CPU accounting and error counters (enum netobs_counter). */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi.h"
#include "lib/maps.h"

/* A plain add is safe: the slot is this CPU's, and TC and XDP programs run
 * with bottom halves disabled, so two of them never interleave on one CPU. */
static __always_inline void counter_add(__u32 counter, __u64 value)
{
	__u64 *slot = bpf_map_lookup_elem(&counters, &counter);

	if (slot)
		*slot += value;
}
