#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The veth flood (issue 9 part 1): what watching an endpoint costs on real
# traffic. trafgen (netsniff-ng) sends a fixed number of 64-byte UDP frames
# (60 B + FCS) from inside a namespace through a veth pair; the host side of
# the pair is an endpoint for netobs, and its TC ingress is watched in turn by
#   none    nothing attached,
#   empty   bench/empty_tc.bpf.c at tcx ingress, first (flood_attach_empty),
#   netobs  netobs-agent, attached as it attaches by default (tcx, both hooks).
# Cases are interleaved round by round; medians and ratios come from one run.
#
# The veth hands each frame to the receive backlog of the sending CPU and the
# softirq that runs the TC hook runs on that CPU as the send returns, so the
# time trafgen takes to send N frames includes the receiving side's cost.
# delivered = rx_packets of the host-side veth (the frames the backlog took);
# packets/s = delivered / trafgen's wall time.
# accounted = netobs's own count of the frames at that interface's TC
# ingress: the sum over flows of the newest cumulative stats.packets in
# `netobs flows --all -o json` (UPDATE records of the 200 ms harvest), read
# once two harvests in a row saw no more. It must equal delivered.
# agent CPU = utime + stime of the agent (/proc/PID/stat) over the flood.
#
# Run as root, under the namespace lock, from a build directory's parent:
#   flock /tmp/netobs-netns.lock bench/bench_flood.sh [BUILD_DIR]
# Environment: PACKETS (frames per flood, default 1000000), ROUNDS (5),
# FLOWS ("4 4096": one variant per entry, distinct UDP source ports).
set -euo pipefail

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench_lib.sh
. "$SRC_DIR/bench/bench_lib.sh"
BUILD=${1:-$SRC_DIR/build-rel}
AGENT=$BUILD/netobs-agent
CLI=$BUILD/netobs
ATTACH_EMPTY=$BUILD/bench/flood_attach_empty
PACKETS=${PACKETS:-1000000}
ROUNDS=${ROUNDS:-5}
FLOWS=${FLOWS:-4 4096}

[ "$(id -u)" = 0 ] || { echo "Error: bench_flood.sh needs root" >&2; exit 1; }
command -v trafgen >/dev/null || { echo "Error: no trafgen (apt-get install netsniff-ng)" >&2; exit 1; }
for f in "$AGENT" "$CLI" "$ATTACH_EMPTY"; do
	[ -x "$f" ] || { echo "Error: $f missing: build $BUILD first" >&2; exit 1; }
done

# Names of this bench only (nbf-: "netobs bench flood"), so cleanup never
# touches another's namespaces or interfaces.
NS=nbf-ns
HOST_IF=nbf-h0
TMP=$(mktemp -d /tmp/nbf.XXXXXX)
BPFFS=$TMP/bpffs
export NETOBS_SOCKET=$TMP/netobs.sock
WATCH_PID=

watch_stop() {
	if [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; then
		kill -TERM "$WATCH_PID"
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	WATCH_PID=
}

cleanup() {
	watch_stop
	veth_pair_delete "$NS" "$HOST_IF"
	bpffs_private_remove "$BPFFS"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bpffs_private "$BPFFS"
veth_pair_create "$NS" "$HOST_IF" 10.251.0

# One trafgen config per variant: UDP 10.251.0.2 -> 10.251.0.1:9 (no
# listener: the host drops them after the hook, now and then answering with
# a rate-limited ICMP error that leaves by the egress hook, not counted here),
# source port cycling over FLOWS values; 42 B of headers + 18 B = 60 B.
trafgen_cfg() {
	local nflows=$1
	cat >"$TMP/flows$nflows.cfg" <<EOF
{
  eth(da=$HOST_MAC, sa=$NS_MAC, type=0x0800),
  ipv4(saddr=10.251.0.2, daddr=10.251.0.1, ttl=64),
  udp(sp=dinc(1024, $((1023 + nflows))), dp=9),
  fill(0x78, 18)
}
EOF
}

rx_packets() { cat /sys/class/net/$HOST_IF/statistics/rx_packets; }
tx_dropped_ns() { ip netns exec "$NS" cat /sys/class/net/eth0/statistics/tx_dropped; }
now_ns() { date +%s%N; }

watch_start() {
	case $1 in
	none) ;;
	empty)
		"$ATTACH_EMPTY" "$HOST_IF" >"$TMP/empty.out" 2>&1 &
		WATCH_PID=$!
		for _ in $(seq 100); do
			grep -q attached "$TMP/empty.out" && return 0
			sleep 0.05
		done
		echo "Error: empty TC program not attached:" >&2; cat "$TMP/empty.out" >&2
		return 1
		;;
	netobs)
		rm -rf "$TMP/state"
		"$AGENT" --socket "$NETOBS_SOCKET" --bpffs "$BPFFS" --state-dir "$TMP/state" \
			--harvest-interval 200 >"$TMP/agent.log" 2>&1 &
		WATCH_PID=$!
		agent_wait_attached "$CLI" "$HOST_IF" "$WATCH_PID" && return 0
		echo "Error: agent did not attach to $HOST_IF:" >&2; cat "$TMP/agent.log" >&2
		return 1
		;;
	esac
}

# Packets netobs counted at HOST_IF's TC ingress: newest cumulative count per flow.
netobs_accounted() {
	"$CLI" flows --all -o json | jq -s --arg i "$HOST_IF" '
		map(select(.flow.interface.name == $i and .flow.hook == "tc-ingress"
			   and .flow.stats != null))
		| group_by(.flow.IP.source, .flow.l4.UDP.source_port, .flow.IP.destination,
			   .flow.l4.UDP.destination_port)
		| map(map(.flow.stats.packets | tonumber) | max) | add // 0'
}

# Wait until two successive reads agree (no harvest found more), then print.
netobs_accounted_settled() {
	local prev=-1 cur
	for _ in $(seq 50); do
		sleep 0.3
		cur=$(netobs_accounted)
		[ "$cur" = "$prev" ] && break
		prev=$cur
	done
	echo "$cur"
}

# flood CASE NFLOWS -> "pps delivered accounted agent_cpu_s dropped"
flood() {
	local case=$1 nflows=$2 rx0 rx1 t0 t1 drop0 drop1 cpu0=0 cpu1=0 accounted=-
	watch_start "$case"
	sleep 0.2
	rx0=$(rx_packets)
	drop0=$(tx_dropped_ns)
	[ "$case" = netobs ] && cpu0=$(cpu_ticks "$WATCH_PID")
	t0=$(now_ns)
	ip netns exec "$NS" trafgen -o eth0 -i "$TMP/flows$nflows.cfg" -n "$PACKETS" -P 1 -C \
		>/dev/null 2>"$TMP/trafgen.err" ||
		{ echo "Error: trafgen failed:" >&2; cat "$TMP/trafgen.err" >&2; return 1; }
	t1=$(now_ns)
	rx1=$(rx_packets)
	drop1=$(tx_dropped_ns)
	if [ "$case" = netobs ]; then
		accounted=$(netobs_accounted_settled)
		cpu1=$(cpu_ticks "$WATCH_PID")
	fi
	watch_stop
	awk -v d=$((rx1 - rx0)) -v ns=$((t1 - t0)) -v a="$accounted" \
		-v c=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" -v dr=$((drop1 - drop0)) \
		'BEGIN { printf "%.0f %d %s %.2f %d\n", d / (ns / 1e9), d, a, c / hz, dr }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "veth flood: $PACKETS frames of 64 B (60 + FCS) per flood, UDP, $ROUNDS rounds interleaved"
echo "kernel $(uname -r), $(nproc) CPUs, trafgen -P 1 (one sender), load $(cut -d' ' -f1-3 /proc/loadavg)"
for nflows in $FLOWS; do
	trafgen_cfg "$nflows"
	: >"$TMP/results"
	for r in $(seq "$ROUNDS"); do
		# Rotate the order so no case always runs first (or right after another).
		case $((r % 3)) in
		1) order="none empty netobs" ;;
		2) order="empty netobs none" ;;
		0) order="netobs none empty" ;;
		esac
		for c in $order; do
			echo "$r $c $(flood "$c" "$nflows")" >>"$TMP/results"
		done
	done
	echo
	echo "== $nflows flows"
	printf '  %-7s %10s   %s\n' case "median pps" "pps per round (delivered; accounted by netobs; agent CPU s)"
	for c in none empty netobs; do
		line=$(awk -v c=$c '$2 == c {
			s = s sprintf(" %d", $3)
			if (c == "netobs") s = s sprintf(" (%d; %s; %.2f)", $4, $5, $6)
			if ($7 > 0) s = s sprintf(" [%d dropped]", $7)
		} END { print s }' "$TMP/results")
		m=$(awk -v c=$c '$2 == c { print $3 }' "$TMP/results" | median)
		printf '  %-7s %10.0f  %s\n' "$c" "$m" "$line"
		eval "med_$c=$m"
	done
	# shellcheck disable=SC2154 # set by the eval above
	awk -v n="$med_none" -v e="$med_empty" -v o="$med_netobs" 'BEGIN {
		printf "  ratios (median/median): empty/none %.3f  netobs/none %.3f  netobs/empty %.3f\n",
		       e / n, o / n, o / e }'
	awk '$2 == "netobs" { t++; if ($4 == $5) ok++ } END {
		printf "  netobs accounted == delivered in %d of %d floods\n", ok, t }' "$TMP/results"
done
