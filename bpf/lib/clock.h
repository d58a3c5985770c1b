/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The datapath's clocks, both on CLOCK_MONOTONIC's time base.
 *
 * netobs_now_ns(), read once per packet (a flow's last_seen, policy
 * stamps), is tick-granular: jiffies times the tick length plus an offset,
 * an inlined load and a multiply, where
 * bpf_ktime_get_boot_ns() is a helper call that reads the clocksource (39
 * of the fast path's ~100 ns above the empty program in bench_fastpath).
 * The kernel advances jiffies in steps of exactly one tick of
 * CLOCK_MONOTONIC (tick_do_update_jiffies64()), so jiffies x tick and
 * CLOCK_MONOTONIC differ by a constant that never drifts. The first packet
 * measures it once (netobs_clock_offset_ns): jiffies, then the exact clock.
 * A time from here is (jiffies + 1) x tick + that offset: never before the
 * packet's true CLOCK_MONOTONIC time (a record never claims a packet earlier
 * than it was: `--since` windows hold), less than two ticks (8 ms at
 * HZ=250) after it. The agent clamps a record's last_seen to the record's
 * own time, which is never before the packet either.
 * netobs_tick_ns is the tick length (clock_getres(CLOCK_MONOTONIC_COARSE)),
 * set by the agent before load; left 0 (tests, benches that load the object
 * themselves) the clock is bpf_ktime_get_ns(), exact, on the same base.
 *
 * netobs_precise_now_ns() is bpf_ktime_get_ns(), for what is rare: a new
 * flow entry (first_seen, FLOW_NEW), a TCP_FLAGS event, an L7 event (the
 * agent subtracts their times: a response's latency); never per packet.
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
 * CLOCK_MONOTONIC minus jiffies x tick, jiffies read first (a tick between
 * the two reads makes the offset a tick larger: later, never earlier); 0
 * until the first packet sets it. CPUs racing to set it each store a valid
 * one; one 8-byte store, never torn.
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
	__u64 jiffies, offset, exact;

	if (netobs_virtual_clock)
		return netobs_virtual_now_ns;
	if (!netobs_tick_ns)
		return bpf_ktime_get_ns();
	offset = netobs_clock_offset_ns;
	if (!offset) {
		jiffies = bpf_jiffies64();
		barrier();
		exact = bpf_ktime_get_ns();
		/* Unsigned wrap-around is fine: only the sum below matters. */
		offset = exact - jiffies * netobs_tick_ns;
		netobs_clock_offset_ns = offset;
	} else {
		jiffies = bpf_jiffies64();
	}
	/* + 1: the end of the tick, never before the packet. */
	return (jiffies + 1) * netobs_tick_ns + offset;
}
