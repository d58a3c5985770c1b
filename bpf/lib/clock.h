/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's one clock. Live, it is CLOCK_BOOTTIME. A capture replay
 * (netobs-agent --replay) loads the same programs with netobs_virtual_clock
 * set and writes each packet's capture time into netobs_virtual_now_ns
 * before running it, so every timestamp, and every timeout the agent derives
 * from them, follows the capture. netobs_virtual_clock is read-only data
 * frozen at load: the verifier sees its value and drops the branch not
 * taken, so the live programs pay nothing for it.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 netobs_virtual_clock = 0;
__u64 netobs_virtual_now_ns = 0;

static __always_inline __u64 netobs_now_ns(void)
{
	if (netobs_virtual_clock)
		return netobs_virtual_now_ns;
	return bpf_ktime_get_boot_ns();
}
