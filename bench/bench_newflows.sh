#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# New flows without loss (issue 9 part 2). bench/newflows_send sends FLOWS
# distinct UDP flows (one 64-byte frame each, source port over 60000 values,
# destination port over 7) at a fixed RATE, paced per millisecond, from
# inside a namespace through an endpoint's veth (trafgen -b paces frame by
# frame and reached 67-98k frames/s of 209-250k asked), while a follower
# `netobs flows -f -o json` is attached. Reported per run:
#   - the rate achieved (frames / the sender's wall time);
#   - lost events: the datapath's ringbuf_full counter and the lost_events
#     records the follower received;
#   - how many of the FLOWS flows reached the follower (a NEW record at the
#     veth's tc-ingress) within 2 s of their first packet, and in all by the
#     end of the wait (WAIT s after the sender ends); p50 / p99 / max lateness =
#     arrival at the follower (stamped by bench/newflows_follow.py as the
#     lines are read) - stats.first_seen;
#   - the agent's CPU seconds over the run (/proc/PID/stat).
# With PERF=1 the agent is profiled during the flood (perf record -g) and
# the top of `perf report --no-children` is printed (PERF_OUT=FILE keeps
# perf.data as FILE.RATE).
#
# Run as root, under the namespace lock:
#   flock /tmp/netobs-netns.lock bench/bench_newflows.sh [BUILD_DIR]
# Environment: FLOWS (300000), RATES ("209000 250000" frames/s offered),
# ROUNDS (1: runs per rate, interleaved), WAIT (8 s), AGENT_ARGS (extra).
set -euo pipefail

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench_lib.sh
. "$SRC_DIR/bench/bench_lib.sh"
BUILD=${1:-$SRC_DIR/build-rel}
AGENT=$BUILD/netobs-agent
CLI=$BUILD/netobs
SEND=$BUILD/bench/newflows_send
FOLLOW_PY="python3 $SRC_DIR/bench/newflows_follow.py"
FLOWS=${FLOWS:-300000}
RATES=${RATES:-209000 250000}
ROUNDS=${ROUNDS:-1}
WAIT=${WAIT:-8}
PERF=${PERF:-0}
# The flow map must hold every flow of the run: 2^19 slots.
FLOW_MAP=${FLOW_MAP:-524288}

[ "$(id -u)" = 0 ] || { echo "Error: bench_newflows.sh needs root" >&2; exit 1; }
for f in "$AGENT" "$CLI" "$SEND"; do
	[ -x "$f" ] || { echo "Error: $f missing: build $BUILD first" >&2; exit 1; }
done
[ "$FLOWS" -le 420000 ] || { echo "Error: FLOWS at most 420000 (60000 x 7 port pairs)" >&2; exit 1; }

# nbn-: "netobs bench new flows", so cleanup never touches another's.
NS=nbn-ns
HOST_IF=nbn-h0
TMP=$(mktemp -d /tmp/nbn.XXXXXX)
BPFFS=$TMP/bpffs
export NETOBS_SOCKET=$TMP/netobs.sock
AGENT_PID=
FOLLOW_PID=
STAMP_PID=
PERF_PID=

stop_pid() {
	local pid=$1
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}

run_stop() {
	stop_pid "$PERF_PID"
	stop_pid "$FOLLOW_PID"
	stop_pid "$STAMP_PID"
	stop_pid "$AGENT_PID"
	PERF_PID= FOLLOW_PID= STAMP_PID= AGENT_PID=
}

cleanup() {
	run_stop
	veth_pair_delete "$NS" "$HOST_IF"
	bpffs_private_remove "$BPFFS"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bpffs_private "$BPFFS"
veth_pair_create "$NS" "$HOST_IF" 10.252.0

agent_start() {
	rm -rf "$TMP/state"
	# shellcheck disable=SC2086 # AGENT_ARGS is a list of flags
	"$AGENT" --socket "$NETOBS_SOCKET" --bpffs "$BPFFS" --state-dir "$TMP/state" \
		--flow-map-size "$FLOW_MAP" ${AGENT_ARGS:-} >"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
	agent_wait_attached "$CLI" "$HOST_IF" "$AGENT_PID" && return 0
	echo "Error: agent did not attach to $HOST_IF:" >&2; cat "$TMP/agent.log" >&2
	return 1
}

# run RATE: one flood of FLOWS new flows at RATE frames/s offered.
run() {
	local rate=$1 t0 t1 cpu0 cpu1 status
	agent_start
	rm -f "$TMP/follow.fifo"
	mkfifo "$TMP/follow.fifo"
	$FOLLOW_PY stamp "$TMP/follow.out" <"$TMP/follow.fifo" &
	STAMP_PID=$!
	"$CLI" flows -f -o json >"$TMP/follow.fifo" &
	FOLLOW_PID=$!
	sleep 0.5
	if [ "$PERF" = 1 ]; then
		perf record -q -g -o "$TMP/perf.data" -p "$AGENT_PID" >/dev/null 2>&1 &
		PERF_PID=$!
		sleep 0.3
	fi
	cpu0=$(cpu_ticks "$AGENT_PID")
	t0=$(date +%s%N)
	ip netns exec "$NS" taskset -c 0 "$SEND" eth0 "$HOST_MAC" 10.252.0.2 10.252.0.1 \
		"$FLOWS" "$rate" >"$TMP/send.out" 2>&1 ||
		{ echo "Error: newflows_send failed:" >&2; cat "$TMP/send.out" >&2; return 1; }
	t1=$(date +%s%N)
	[ "$PERF" = 1 ] && { stop_pid "$PERF_PID"; PERF_PID=; }
	sleep "$WAIT"
	cpu1=$(cpu_ticks "$AGENT_PID")
	status=$("$CLI" status -o json) # {"status": {...}}
	stop_pid "$FOLLOW_PID"
	FOLLOW_PID=
	stop_pid "$AGENT_PID"
	AGENT_PID=
	# The follower closed the fifo: the stamper writes out the rest and ends.
	wait "$STAMP_PID" || true
	STAMP_PID=
	report=$($FOLLOW_PY report "$TMP/follow.out" "$HOST_IF" "$FLOWS" "$t0")
	jq -n -c --argjson r "$report" --argjson s "$status" --arg rate "$rate" \
		--arg achieved "$(awk -v n="$FLOWS" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')" \
		--arg cpu "$(awk -v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", c / hz }')" \
		'$s.status as $s | {offered: ($rate | tonumber), achieved: ($achieved | tonumber),
		  ringbuf_full: $s.counters.ringbuf_full, events: $s.counters.events,
		  lost_ring_buffer: $s.lost_events.ring_buffer,
		  lost_client_queues: $s.lost_events.client_queues,
		  agent_cpu_s: ($cpu | tonumber)} + $r'
	if [ "$PERF" = 1 ]; then
		perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 1.5 \
			-g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >"$TMP/perf.$rate.txt"
		echo "--- perf report --no-children (agent, during the flood at $rate/s)" >&2
		cat "$TMP/perf.$rate.txt" >&2
		[ -n "${PERF_OUT:-}" ] && cp "$TMP/perf.data" "$PERF_OUT.$rate"
	fi
}

echo "new flows: $FLOWS distinct UDP flows, one 64 B frame each, newflows_send on CPU 0 at RATE/s;"
echo "follower netobs flows -f -o json; agent --flow-map-size $FLOW_MAP ${AGENT_ARGS:-}"
echo "kernel $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
	for rate in $RATES; do
		run "$rate"
	done
done
