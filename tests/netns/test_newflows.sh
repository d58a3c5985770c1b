#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A burst of new flows reaches a follower whole (issue 9 part 2): N distinct
# UDP flows, one frame each, sent at 100k frames/s from an endpoint's
# namespace (bench/newflows_send) while `netobs flows -f -o json` follows.
# Every flow must arrive as a NEW record, with no lost_events and no ring
# buffer loss, and netobs must count exactly the frames the interface
# received. Counts only, no timing: how fast is bench_newflows.sh's business.
. "$(dirname "$0")/lib.sh"

N=40000
SEND=$BIN_DIR/bench/newflows_send
[ -x "$SEND" ] || { echo "# $SEND missing: build the bench/ targets"; exit 1; }

NS=${P}e1
HOST_IF=${P}v1
# shellcheck source=../../bench/bench_lib.sh
. "$SRC_DIR/bench/bench_lib.sh"
veth_pair_create "$NS" "$HOST_IF" 10.203.0

# The flow map holds the burst with room (the default, 65536, would be 61% full).
agent_start --flow-map-size 131072 || exit 1
agent_wait_attached "$CLI" "$HOST_IF" "$AGENT_PID" || { fail "endpoint $HOST_IF attached"; exit 1; }

"$CLI" flows -f -o json >"$TMP/follow.json" 2>"$TMP/follow.err" &
FOLLOW_PID=$!
sleep 0.5

rx0=$(cat "/sys/class/net/$HOST_IF/statistics/rx_packets")
sent=$(ip netns exec "$NS" "$SEND" eth0 "$HOST_MAC" 10.203.0.2 10.203.0.1 "$N" 100000 | cut -d' ' -f1)
check_eq "sender sent every frame" "$N" "$sent"

# NEW records of the burst's flows at the veth's ingress, one line per flow.
new_flows() {
	jq -r --arg i "$HOST_IF" 'select(.flow.flow_event == "NEW" and .flow.hook == "tc-ingress"
		and .flow.interface.name == $i and .flow.l4.UDP != null)
		| "\(.flow.l4.UDP.source_port) \(.flow.l4.UDP.destination_port)"' "$TMP/follow.json" |
		sort -u | wc -l
}
wait_for "$N flows at the follower" 60 output_is "$N" new_flows
rx1=$(cat "/sys/class/net/$HOST_IF/statistics/rx_packets")
check_eq "the interface received every frame" "$N" "$((rx1 - rx0))"
check_eq "every new flow reached the follower" "$N" "$(new_flows)"
check_eq "each NEW record counts its one frame" "$N" "$(jq -s --arg i "$HOST_IF" '
	map(select(.flow.flow_event == "NEW" and .flow.hook == "tc-ingress"
		   and .flow.interface.name == $i and .flow.l4.UDP != null)
	    | .flow.stats.packets | tonumber) | add' "$TMP/follow.json")"
check_eq "no lost_events record at the follower" 0 \
	"$(grep -c '^{"lost_events"' "$TMP/follow.json" || true)"

status=$("$CLI" status -o json)
check_eq "datapath: no event refused by the ring buffer" 0 \
	"$(echo "$status" | jq '.status.counters.ringbuf_full')"
check_eq "agent: no ring-buffer loss reported" 0 \
	"$(echo "$status" | jq '.status.lost_events.ring_buffer')"

# Exact per-flow counts from the harvest as well: the newest cumulative
# count of every flow at the veth's ingress sums to N.
stored_ingress_packets() {
	"$CLI" flows --all -o json | jq -s --arg i "$HOST_IF" '
		map(select(.flow.hook == "tc-ingress" and .flow.interface.name == $i
			   and .flow.l4.UDP != null))
		| group_by([.flow.l4.UDP.source_port, .flow.l4.UDP.destination_port])
		| map(map(.flow.stats.packets | tonumber) | max) | add'
}
wait_for "stored counts settled" 10 output_is "$N" stored_ingress_packets
check_eq "stored records: packets at the veth's ingress sum to N" "$N" "$(stored_ingress_packets)"

kill "$FOLLOW_PID" 2>/dev/null
wait "$FOLLOW_PID" 2>/dev/null
finish
