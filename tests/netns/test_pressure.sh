#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A flow map far smaller than the flows offered: every packet whose flow
# could not be inserted reaches clients as lost_events (source
# NETOBS_FLOW_MAP), so packets sent = packets in flow records + packets
# reported lost; under pressure the one-packet flows end after the pressure
# timeout, the map frees up and new flows are tracked again.
. "$(dirname "$0")/lib.sh"

MAP=64
BURST=300 # distinct UDP flows, one datagram each
LATER=20  # new flows once the map has room again

# One endpoint, no IPv6 and a static neighbour: the test's datagrams are the
# only packets its hooks see, each seen once (TC ingress of its veth; the
# bridge has no other port to forward them to).
ip link add "${P}br" type bridge
sysctl -qw "net.ipv6.conf.${P}br.disable_ipv6=1"
ip link set "${P}br" up
NS=${P}e1 V1=${P}v1
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add "$V1" type veth peer name eth0 netns "$NS"
sysctl -qw "net.ipv6.conf.$V1.disable_ipv6=1"
ip link set "$V1" master "${P}br" up
ip -n "$NS" addr add 10.202.0.1/24 dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS" neigh add 10.202.0.99 lladdr 02:00:00:00:00:99 dev eth0 nud permanent

agent_start --flow-map-size $MAP --idle-timeout 3600 --pressure-timeout 1s || exit 1

# send_flows FIRST_PORT COUNT: one 1-byte datagram from each source port.
send_flows() {
	ip netns exec "$NS" $PYTHON -c '
import socket, sys
first, count = int(sys.argv[1]), int(sys.argv[2])
for port in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.202.0.1", port))
    s.sendto(b"p", ("10.202.0.99", 7777))
    s.close()' "$1" "$2"
}

status() { "$CLI" status -o json; }
insert_failures() { status | jq '.status.counters | .flow_map_full + .flow_map_busy + .flow_map_error'; }
lost_reported() {
	flows_json | jq -s '[.[] | select(.lost_events.source == "NETOBS_FLOW_MAP") |
		.lost_events.num_events_lost | tonumber] | add // 0'
}
# Packets in flow records of the test's flows: each source port sends once,
# so each is one flow, whose newest record holds its total.
tracked_packets() {
	flows_json --protocol udp --to-port 7777 | jq -s '[.[] | select(.flow.interface.name == "'$V1'") |
		.flow] | group_by(.l4.UDP.source_port) |
		map(map(.stats.packets | tonumber) | max) | add // 0'
}
tracked_ports() { # FIRST COUNT: test flows from these ports with a NEW record
	flows_json --protocol udp --to-port 7777 | jq -r 'select(.flow.flow_event == "NEW") |
		.flow.l4.UDP.source_port' | awk -v f="$1" -v n="$2" '$1 >= f && $1 < f + n' | sort -u | wc -l
}
# The counters at the last harvest are all reported (lost_events come at harvest).
reported_all() { [ "$(lost_reported)" = "$(insert_failures)" ]; }

send_flows 20000 $BURST
wait_for "insert failures reported" 10 reported_all
fails=$(insert_failures)
log "burst of $BURST flows into a map of $MAP: $fails inserts failed"
check_true "the map overflowed (inserts failed)" test "$fails" -ge $((BURST - MAP - 10))
check_eq "lost_events (NETOBS_FLOW_MAP) count every failed insert" "$fails" "$(lost_reported)"
check_eq "status: untracked_packets = failed inserts (1 packet each)" "$fails" \
	"$(status | jq .status.counters.untracked_packets)"
check_eq "status: untracked_bytes = their wire bytes (14 + 20 + 8 + 1 each)" $((fails * 43)) \
	"$(status | jq .status.counters.untracked_bytes)"
check_eq "status: lost_events.flow_map" "$fails" "$(status | jq .status.lost_events.flow_map)"
check_true "netobs status shows the untracked packets" \
	bash -c "\"$CLI\" status | grep -q 'untracked_packets $fails'"

# Pressure: the one-packet flows end after the pressure timeout, not the
# idle timeout (an hour), and the map empties.
wait_for "the flow map to free up" 20 output_is 0 bash -c "\"$CLI\" status -o json | jq .status.flows.active"
check_eq "the flows ended as IDLE under pressure" "$(tracked_ports 20000 $BURST)" \
	"$(flows_json --protocol udp --to-port 7777 | jq -r 'select(.flow.flow_event == "END" and .flow.end_reason == "IDLE") | .flow.l4.UDP.source_port' | sort -u | wc -l)"

send_flows 30000 $LATER
wait_for "the new flows tracked" 10 output_is $LATER tracked_ports 30000 $LATER
check_eq "every new flow after the pressure is tracked" $LATER "$(tracked_ports 30000 $LATER)"
wait_for "insert failures reported" 10 reported_all
check_eq "no insert failed for them" "$fails" "$(insert_failures)"

sent=$((BURST + LATER))
lost=$(lost_reported) tracked=$(tracked_packets)
log "sent $sent, in flow records $tracked, reported lost $lost"
check_eq "packets sent = packets in flow records + packets reported lost" $sent $((tracked + lost))
check_eq "records in time order" 0 \
	"$(flows_json | jq -s '[.[].time] as $t | [range(1; $t | length) | select($t[.] < $t[. - 1])] | length')"

agent_stop
check_eq "agent exits 0 on SIGTERM" 0 $?
finish
