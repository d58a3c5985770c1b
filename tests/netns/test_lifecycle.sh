#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Agent lifecycle: --follow sees a SYN at once, veths come and go while it
# runs, it restarts cleanly (also after kill -9), coexists with other TC
# filters, and XDP replaces TC ingress without double counting.
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) V1=$(endpoint_if 1) V2=$(endpoint_if 2)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
endpoint_field() { "$CLI" endpoints -o json | jq -r "select(.interface==\"$1\") | $2"; }

# --- Phase A: harvest every 10 s, so only the ring buffer can be quick.
agent_start --harvest-interval 10000 || exit 1
# Each line stamped with its arrival time, to compare with the packet's own time.
stamp_lines() { while IFS= read -r line; do printf '%s %s\n' "$(date +%s%N)" "$line"; done; }
"$CLI" flows -f --last 0 -o json --protocol tcp --to-port 5002 > >(stamp_lines >"$TMP/follow.txt") &
follower=$!
wait_for "follower connected" 5 output_is 2 clients # the follower and this status query
ip netns exec "$E2" $TRAFFIC tcp-server 10.201.0.2 5002 "$TMP/ready" >/dev/null &
server=$!
wait_for "TCP server" 5 test -e "$TMP/ready"
ip netns exec "$E1" $TRAFFIC tcp-client 10.201.0.2 5002 1000 >/dev/null &
client=$!
syn_line() { grep -m1 '"SYN":true' "$TMP/follow.txt" | grep -v '"ACK":true'; }
wait_for "SYN record on --follow" 5 syn_line
arrived_ns=$(syn_line | cut -d' ' -f1)
packet_ns=$(date -d "$(syn_line | cut -d' ' -f2- | jq -r .flow.time)" +%s%N)
latency_ms=$(( (arrived_ns - packet_ns) / 1000000 ))
log "SYN on screen ${latency_ms} ms after the packet (harvest interval 10000 ms)"
check_true "--follow shows a new connection's SYN within a second of it" test "$latency_ms" -lt 1000
check_eq "that record is the flow's NEW event" NEW "$(syn_line | cut -d' ' -f2- | jq -r .flow.flow_event)"
check_eq "--follow -o json prints only flow lines" 0 \
	"$(cut -d' ' -f2- "$TMP/follow.txt" | jq -c 'select(.flow == null)' | wc -l)"
kill -INT $follower; wait $follower
check_eq "--follow exits 0 on SIGINT" 0 $?
wait $client $server

# A veth added while the agent runs is attached within a second of appearing.
V3=$(endpoint_if 3) E3=$(endpoint_ns 3)
ip netns add "$E3"
t0=$(now_ms)
ip link add "$V3" type veth peer name eth0 netns "$E3"
wait_for "endpoint 3 attached" 3 output_is '["tc-ingress","tc-egress"]' endpoint_field "$V3" '.hooks | tostring'
t1=$(now_ms)
ip link set "$V3" master "${P}br" up
ip -n "$E3" link set lo up
ip -n "$E3" addr add 10.201.0.3/24 dev eth0
ip -n "$E3" link set eth0 up
log "new veth attached $((t1 - t0)) ms after it appeared"
check_true "new veth attached within a second" test $((t1 - t0)) -lt 1000
wait_for "address seen" 3 output_is 10.201.0.3 endpoint_field "$V3" '.ipv4[0]'
check_eq "an address added inside later is picked up" 10.201.0.3 "$(endpoint_field "$V3" '.ipv4[0]')"
ip netns exec "$E3" ping -q -c 3 -i 0.05 10.201.0.1 >/dev/null
new_seen() {
	flows_json --interface "$V3" --protocol icmpv4 | jq_any 'select(.flow.flow_event=="NEW" and .flow.l4.ICMPv4.type==8)'
}
wait_for "new endpoint's traffic" 3 new_seen
check_true "new endpoint's first ping seen at once (ring buffer)" new_seen

# A removed one disappears, without error noise.
cat "/sys/class/net/$V3/ifindex" >"$TMP/v3_ifindex"
ip netns del "$E3"
wait_for "endpoint 3 gone" 3 output_is "" endpoint_field "$V3" .id
check_eq "removed veth gone from netobs endpoints" "" "$(endpoint_field "$V3" .id)"
check_eq "its flows ended at once, with their final counts" "END FORCED 3" \
	"$(flows_json --interface "$V3" --protocol icmpv4 | jq -r 'select(.flow.l4.ICMPv4.type==8) |
		.flow.flow_event + " " + .flow.end_reason + " " + .flow.stats.packets' | tail -n 1)"
check_eq "the END of a removed endpoint's flow keeps its name and ID" "$E3 $(cat "$TMP/v3_ifindex")" \
	"$(flows_json --interface "$V3" --protocol icmpv4 | jq -r 'select(.flow.flow_event=="END" and .flow.l4.ICMPv4.type==8) |
		.flow.source.pod_name + " " + (.flow.source.ID | tostring)' | tail -n 1)"
check_eq "no warnings or errors logged for the removal" 0 "$(grep -c -E 'warn|error' "$TMP/agent.log")"

# --- Phase B: clean stop leaves nothing behind.
agent_stop
check_eq "agent exits 0 on SIGTERM" 0 $?
check_eq "no TC filter left on $V1" "" "$(tc filter show dev "$V1" ingress; tc filter show dev "$V1" egress)"
check_eq "no clsact left on $V1 (netobs made it)" 0 "$(tc qdisc show dev "$V1" | grep -c clsact)"
check_true "no pinned maps left" test ! -e "$BPFFS/netobs"
check_true "socket removed" test ! -e "$SOCK"

# --- Phase C: someone else's clsact filter stays, before, during and after.
# (On clsact, as on a kernel without tcx: on tcx netobs uses no filter at all;
# tests/netns/test_attach.sh covers tcx.)
tc qdisc add dev "$V2" clsact
tc filter add dev "$V2" ingress pref 10 bpf bytecode '1,6 0 0 0'
# ...also one sitting exactly where netobs attaches (handle 0x4e42 prio 1).
tc filter add dev "$V2" egress pref 1 handle 0x4e42 bpf bytecode '1,6 0 0 0'
NETOBS_TC_CLSACT=1 agent_start || exit 1
check_eq "a foreign filter at netobs's own place is not replaced" 1 \
	"$(tc filter show dev "$V2" egress | grep -c 'pref 1 bpf.*handle 0x4e42.*bytecode')"
check_eq "that endpoint says why" "error ingress-only" \
	"$(endpoint_field "$V2" '.state + " " + (if .hooks == ["tc-ingress"] then "ingress-only" else (.hooks|tostring) end)')"
check_true "and the log names the place" grep -q "another filter holds netobs's place" "$TMP/agent.log"
check_eq "foreign filter kept while netobs is attached" 1 \
	"$(tc filter show dev "$V2" ingress | grep -c 'pref 10 bpf.*bytecode')"
check_eq "netobs filter beside it" 1 "$(tc filter show dev "$V2" ingress | grep -c 'netobs_tc_ingr')"
ip netns exec "$E2" ping -q -c 5 -i 0.05 10.201.0.1 >/dev/null
cnt() { newest_stat packets ".flow.hook==\"tc-ingress\" and .flow.l4.ICMPv4.type==8" --interface "$V2" --protocol icmpv4; }
wait_for "restart counts" 5 output_is 5 cnt
check_eq "after a restart counting starts afresh and is exact" 5 "$(cnt)"
agent_stop
check_eq "foreign filter still there after netobs stopped" 1 \
	"$(tc filter show dev "$V2" ingress | grep -c 'pref 10 bpf.*bytecode')"
check_eq "clsact netobs did not make is kept" 1 "$(tc qdisc show dev "$V2" | grep -c clsact)"
check_eq "and the foreign filter at netobs's place too" 1 \
	"$(tc filter show dev "$V2" egress | grep -c 'handle 0x4e42.*bytecode')"
check_eq "netobs filter gone" 0 "$(tc filter show dev "$V2" ingress | grep -c netobs)"

# --- Phase D: after kill -9, a new agent takes over the stale socket, pins and
# clsact filters (tcx links die with their agent).
NETOBS_TC_CLSACT=1 agent_start || exit 1
kill -9 "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
check_true "kill -9 left a stale socket" test -S "$SOCK"
NETOBS_TC_CLSACT=1 agent_start || exit 1
check_eq "restarted over stale state: endpoints attached" '["tc-ingress","tc-egress"]' \
	"$(endpoint_field "$V1" '.hooks | tostring')"
check_eq "one netobs filter per hook, not two" 1 "$(tc filter show dev "$V1" ingress | grep -c netobs_tc_ingr)"
second=$("$AGENT" --socket "$SOCK" --bpffs "$BPFFS" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "a second agent on the same socket is refused" 1 $rc
check_true "and says why" grep -q "another netobs-agent is running on this node (pid $AGENT_PID" <<<"$second"
mkdir -p "$TMP/other"
second=$("$AGENT" --socket "$TMP/other/s.sock" --bpffs "$BPFFS" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "a second agent on another socket is refused too (one per node)" 1 $rc
check_true "and says why" grep -q "another netobs-agent is running on this node (pid $AGENT_PID" <<<"$second"
agent_stop

# --- Phase E: XDP counts ingress in place of TC; nothing counted twice.
agent_start --xdp "$V1" || exit 1
check_eq "XDP endpoint hooks" '["tc-egress","xdp"]' "$(endpoint_field "$V1" '.hooks | tostring')"
ip netns exec "$E1" ping -q -c 10 -i 0.02 10.201.0.2 >/dev/null
at_hook() { newest_stat packets ".flow.hook==\"$1\" and (.flow.l4.ICMPv4.type // 0)==$2" --interface "$V1" --protocol icmpv4; }
wait_for "XDP counts" 5 output_is 10 at_hook xdp 8
check_eq "echo requests counted by XDP" 10 "$(at_hook xdp 8)"
check_eq "and not by TC ingress" 0 "$(at_hook tc-ingress 8)"
check_eq "replies counted by TC egress" 10 "$(at_hook tc-egress 0)"
agent_stop
check_eq "XDP program detached" "" "$(ip -j link show "$V1" | jq -r '.[0].xdp.prog.id // empty')"
finish
