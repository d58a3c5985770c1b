#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Where netobs's programs sit and what is left of them: a restart removes
# everything a killed agent left on every interface (and nobody else's);
# SIGHUP and SIGQUIT stop the agent as SIGTERM does; TC programs go on tcx
# links placed first, so a tcx program that drops packets cannot hide them.
. "$(dirname "$0")/lib.sh"

TCX_DROP=$BIN_DIR/tests/tcx_drop
A=${P}a B=${P}b
# Two plain interfaces (veths with both ends here: no endpoint unless named).
for dev in $A $B; do
	ip link add "$dev" type veth peer name "${dev}p"
	ip link set "$dev" up
	ip link set "${dev}p" up
done
# Someone else's clsact filter, which must outlive every netobs agent.
tc qdisc add dev "$A" clsact
tc filter add dev "$A" ingress pref 10 bpf bytecode '1,6 0 0 0'
foreign_kept() { tc filter show dev "$A" ingress | grep -c 'pref 10 bpf.*bytecode'; }

# Every netobs program attached in this namespace, one line each: XDP and
# clsact filters as bpftool net lists them, tcx links by their program;
# netobs's are told by their program's name, as the agent tells them.
attached() {
	local dev where id name
	while read -r dev where id; do
		name=$(prog_name "$id")
		case $name in netobs_*) echo "$dev $where $name" ;; esac
	done < <(bpftool net -j | jq -r '.[] | (.xdp[]? | "\(.devname) xdp \(.id)"),
		(.tc[]? | select(.id) | "\(.devname) \(.kind) \(.id)")')
	for id in $(bpftool link -j | jq -r '.[].prog_id'); do
		name=$(prog_name "$id")
		case $name in netobs_*) echo "tcx-link $name" ;; esac
	done
}
on() { attached | grep -c "^$1 "; }
tcx_links() { attached | grep -c '^tcx-link '; }

# --- A kill -9 leaves clsact filters and XDP; a restart watching less removes them all.
NETOBS_TC_CLSACT=1 agent_start --interfaces "$A,$B" --xdp "$B" || exit 1
check_eq "clsact agent: TC ingress and egress on $A" 2 "$(on "$A")"
check_eq "and XDP plus TC egress on $B" 2 "$(on "$B")"
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
check_eq "after kill -9 its programs are still attached" 4 $(( $(on "$A") + $(on "$B") ))
check_true "and its maps still pinned" test -e "$BPFFS/netobs"
agent_start --interfaces "$A" || exit 1
# This test needs tcx (Linux 6.6+): the agent says what it found at start.
check_true "the agent found tcx in this kernel ($(uname -r))" grep -q "TC hooks on tcx" "$TMP/agent.log"
check_eq "a restart watching only $A leaves nothing on $B" 0 "$(on "$B")"
check_eq "and removed the clsact the killed agent made there" 0 "$(tc qdisc show dev "$B" | grep -c clsact)"
check_eq "no clsact filter of netobs on $A: it is on tcx now" 0 "$(on "$A")"
check_true "the agent logs what it removed" grep -q "removed 4 program attachment(s) an earlier netobs-agent left" "$TMP/agent.log"
check_eq "someone else's filter on $A is kept" 1 "$(foreign_kept)"
hooks=$("$CLI" status -o json | jq '.status.hooks.tc_ingress + .status.hooks.tc_egress')
check_eq "one tcx link per TC hook the agent reports" "$hooks" "$(tcx_links)"
agent_stop
check_eq "stopped: no netobs program attached anywhere" "" "$(attached)"
check_true "nothing pinned" test ! -e "$BPFFS/netobs"
check_eq "someone else's filter still there" 1 "$(foreign_kept)"

# --- SIGHUP and SIGQUIT stop it cleanly (on clsact, where nothing detaches by itself).
for sig in HUP QUIT; do
	NETOBS_TC_CLSACT=1 agent_start --interfaces "$A" || exit 1
	check_eq "SIG$sig: attached before" 2 "$(on "$A")"
	kill -"$sig" "$AGENT_PID"; wait "$AGENT_PID"; rc=$?; AGENT_PID=
	check_eq "SIG$sig: exit 0" 0 $rc
	check_eq "SIG$sig: every program detached" "" "$(attached)"
	check_true "SIG$sig: maps unpinned, socket removed" test ! -e "$BPFFS/netobs" -a ! -e "$SOCK"
done

# --- A tcx program that drops everything, attached first before netobs
# started (as Cilium's is), does not hide the packets from netobs.
bridge_create
for i in 1 2; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) V1=$(endpoint_if 1)
# A static neighbour: ARP would be dropped too, and no datagram would leave.
ip -n "$E1" neigh replace 10.201.0.2 lladdr "$(ip -n "$E2" -j link show eth0 | jq -r '.[0].address')" dev eth0
$TCX_DROP "$V1" ingress "$TMP/drop.ready" &
DROP_PID=$!
trap 'rc=$?; kill "$DROP_PID" 2>/dev/null; (exit $rc); cleanup' EXIT
wait_for "foreign drop program attached" 5 test -e "$TMP/drop.ready"
# UDP datagrams that reached E2's stack (delivered or port unreachable).
udp_in_e2() { ip netns exec "$E2" awk '/^Udp:/ && $2 ~ /^[0-9]+$/ {print $2 + $3}' /proc/net/snmp; }
udp_at_v1() { newest_stat packets ".flow.hook==\"tc-ingress\"" --interface "$V1" --to-port "$1"; }

NETOBS_TC_CLSACT=1 agent_start || exit 1
ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 7301 7 20 >/dev/null
sleep 1 # five harvests
check_eq "on clsact (no tcx) the foreign tcx program hides the packets" 0 "$(udp_at_v1 7301)"
agent_stop

agent_start || exit 1
ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 7302 7 20 >/dev/null
wait_for "7 datagrams counted" 5 output_is 7 udp_at_v1 7302
check_eq "on tcx netobs runs first and counts all 7 datagrams" 7 "$(udp_at_v1 7302)"
check_eq "the foreign program did drop them: none reached $E2" 0 "$(udp_in_e2)"
check_true "netobs's links are listed by bpftool link" test "$(tcx_links)" -ge 2
check_eq "and no netobs clsact filter on $V1" 0 "$(on "$V1")"
agent_stop
kill -TERM "$DROP_PID"; wait "$DROP_PID"
check_eq "stopped: no netobs program attached anywhere" "" "$(attached)"
finish
