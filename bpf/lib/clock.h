/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's clocks, both on CLOCK_MONOTONIC's time base.
 *
 * netobs_now_ns(), read once per packet (flow first/last seen, flow
 * events, policy stamps), is tick-granular: jiffies times the tick length
 * plus an offset, an inlined load and a multiply, where
 * bpf_ktime_get_boot_ns() is a helper call that reads the clocksource (39
 * of the fast path's ~100 ns above the empty program in bench_fastpath).
 * The kernel advances jiffies in steps of exactly one tick of
 * CLOCK_MONOTONIC (tick_do_update_jiffies64()) and updates the coarse clock
 * right after, in the same tick: jiffies x tick and CLOCK_MONOTONIC_COARSE
 * differ by a constant that never drifts. The first packet measures it once
 * (netobs_clock_offset_ns), reading the coarse clock before jiffies: a time
 * from here is then the start of its packet's tick (plus the tick's own
 * latency), never after the packet's true CLOCK_MONOTONIC time, at most one
 * tick (4 ms at HZ=250) before it, and so never ahead of the agent's clock.
 * netobs_tick_ns is the tick length (clock_getres(CLOCK_MONOTONIC_COARSE)),
 * set by the agent before load; left 0 (tests, benches that load the object
 * themselves) the clock is bpf_ktime_get_ns(), exact, on the same base.
 *
 * netobs_precise_now_ns() is bpf_ktime_get_ns(): for L7 events, whose
 * times the agent subtracts (a response's latency), never per packet.
 *
 * A capture replay (netobs-agent --replay) loads the same programs with
 * netobs_virtual_clock set and writes each packet's capture time into
 * netobs_virtual_now_ns before running it, so every timestamp, and every
 * timeout the agent derives from them, follows the capture. The knobs are
 * read-only data frozen at load: the verifier sees their values and drops
 * the branches not taken, so the live programs pay nothing for them.
 */
#pragma once

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u8 netobs_virtual_clock = 0;
const volatile __u64 netobs_tick_ns = 0;
__u64 netobs_virtual_now_ns = 0;
/*
 * CLOCK_MONOTONIC_COARSE minus jiffies x tick; 0 until the first packet sets
 * it. CPUs racing to set it store the same value, or one a tick lower (the
 * coarse clock read before a tick, jiffies after: still never ahead); one
 * 8-byte store, never torn.
 */
__u64 netobs_clock_offset_ns = 0;

static __always_inline __u64 netobs_precise_now_ns(void)
{
	if (netobs_virtual_clock)
		return netobs_virtual_now_ns;
	return bpf_ktime_get_ns();
}

static __always_inline __u64 netobs_now_ns(void)
{
	__u64 jiffies, offset, coarse;

	if (netobs_virtual_clock)
		return netobs_virtual_now_ns;
	if (!netobs_tick_ns)
		return bpf_ktime_get_ns();
	offset = netobs_clock_offset_ns;
	if (!offset) {
		/* Coarse first: jiffies is written before it at each tick. */
		coarse = bpf_ktime_get_coarse_ns();
		barrier();
		jiffies = bpf_jiffies64();
		/* Unsigned wrap-around is fine: only the sum below matters. */
		offset = coarse - jiffies * netobs_tick_ns;
		netobs_clock_offset_ns = offset;
		return jiffies * netobs_tick_ns + offset;
	}
	jiffies = bpf_jiffies64();
	return jiffies * netobs_tick_ns + offset;
}
