#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# TCP connections end as a whole: a normal close (half-closed for longer
# than the end grace) ends both directions at each hook with no ghost flow
# after it; a refused connection ends both directions after the grace, long
# before the idle timeout. And records come in time order over several
# harvests of mixed traffic (stored and followed).
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) V1=$(endpoint_if 1) V2=$(endpoint_if 2)
GRACE_S=1
agent_start --idle-timeout 3600 --end-grace ${GRACE_S}s || exit 1
# A follower from the start: its records are checked for time order at the end.
"$CLI" flows --follow -o json >"$TMP/follow.json" 2>/dev/null &
follower=$!
wait_for "follower connected" 5 bash -c "[ \"\$(\"$CLI\" status -o json | jq .status.clients)\" -ge 1 ]"

# conn.py MODE ...: TCP with known shapes, run inside the namespaces.
cat >"$TMP/conn.py" <<'EOF'
import socket, sys, time
mode = sys.argv[1]
if mode == "accept-many":  # ADDR PORT COUNT READY: read each to EOF, close
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((sys.argv[2], int(sys.argv[3])))
    srv.listen(64)
    open(sys.argv[5], "w").close()
    for _ in range(int(sys.argv[4])):
        c, _ = srv.accept()
        while c.recv(65536):
            pass
        c.close()
elif mode == "connect-many":  # ADDR PORT COUNT GAP_S: short connections
    for _ in range(int(sys.argv[4])):
        s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=5)
        s.sendall(b"x" * 3000)
        s.close()
        time.sleep(float(sys.argv[5]))
elif mode == "half-close-server":  # ADDR PORT READY DELAY_S: reply long after the client's FIN
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((sys.argv[2], int(sys.argv[3])))
    srv.listen(1)
    open(sys.argv[4], "w").close()
    c, _ = srv.accept()
    while c.recv(65536):
        pass
    time.sleep(float(sys.argv[5]))
    c.sendall(b"r" * 1000)
    c.close()
elif mode == "half-close-client":  # ADDR PORT: send, FIN, read the late reply to EOF
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=10)
    print(s.getsockname()[1], flush=True)
    s.sendall(b"q" * 1000)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    s.close()
elif mode == "refused":  # ADDR PORT SPORT: connect to a closed port
    s = socket.socket()
    s.bind(("", int(sys.argv[4])))
    try:
        s.connect((sys.argv[2], int(sys.argv[3])))
        sys.exit("connected to a closed port?")
    except ConnectionRefusedError:
        pass
EOF
conn() { $PYTHON "$TMP/conn.py" "$@"; }

harvests() { "$CLI" status -o json | jq .status.harvest.runs; }
# wait_harvests N: until N more harvests have run (whatever they took).
wait_harvests() {
	local target=$(($(harvests) + $1))
	wait_for "$1 more harvests" 10 bash -c "[ \"\$(\"$CLI\" status -o json | jq .status.harvest.runs)\" -ge $target ]"
}

# port_records PORT: the records of one connection (client port), one line
# each: interface hook source_port destination_port flow_event end_reason.
port_records() {
	flows_json --port "$1" --protocol tcp | jq -r 'select(.flow) | .flow | [.interface.name, .hook,
		.l4.TCP.source_port, .l4.TCP.destination_port, .flow_event, (.end_reason // "-")] | join(" ")'
}
# ends_of PORT: "IFACE HOOK SPORT DPORT REASON" of each END record, sorted.
ends_of() { port_records "$1" | awk '$5 == "END" {print $1, $2, $3, $4, $6}' | sort; }
# new_after_end PORT: records NEW that come after an END of the same flow.
new_after_end() {
	port_records "$1" | awk '{k = $1 " " $2 " " $3 " " $4} $5 == "END" {ended[k] = 1}
		$5 == "NEW" && ended[k] {n++} END {print n + 0}'
}

# --- a normal close, half-closed for longer than the grace: the client's
# FIN comes 2.5 s before the server's reply and FIN. Both directions end
# together after both FINs, at each hook, and the client's ACKs of the late
# reply are not a new flow.
ip netns exec "$E2" $PYTHON "$TMP/conn.py" half-close-server 10.201.0.2 5200 "$TMP/hc-ready" 2.5 &
srv=$!
wait_for "half-close server" 5 test -e "$TMP/hc-ready"
cport=$(ip netns exec "$E1" $PYTHON "$TMP/conn.py" half-close-client 10.201.0.2 5200)
wait $srv
want_ends=$(printf '%s\n' "$V1 tc-egress 5200 $cport FIN" "$V1 tc-ingress $cport 5200 FIN" \
	"$V2 tc-egress $cport 5200 FIN" "$V2 tc-ingress 5200 $cport FIN" | sort)
wait_for "END of both directions at both hooks" 20 output_is "$want_ends" ends_of "$cport"
wait_harvests 3
check_eq "normal close: one END(FIN) per direction at each hook" "$want_ends" "$(ends_of "$cport")"
check_eq "normal close: one NEW per direction at each hook" 4 \
	"$(port_records "$cport" | awk '$5 == "NEW"' | wc -l)"
check_eq "normal close: no NEW after an END (no ghost flow)" 0 "$(new_after_end "$cport")"

# --- a refused connection: SYN one way, RST back. Both directions end,
# reason RST, after the grace; the idle timeout is an hour.
ip netns exec "$E1" $PYTHON "$TMP/conn.py" refused 10.201.0.2 5999 45999
want_ends=$(printf '%s\n' "$V1 tc-egress 5999 45999 RST" "$V1 tc-ingress 45999 5999 RST" \
	"$V2 tc-egress 45999 5999 RST" "$V2 tc-ingress 5999 45999 RST" | sort)
wait_for "END of the refused connection" 20 output_is "$want_ends" ends_of 45999
check_eq "refused: both directions END(RST) at each hook" "$want_ends" "$(ends_of 45999)"
# The grace is kept: each END comes at least GRACE_S after the flow's last packet.
early=$(flows_json --port 45999 | $PYTHON -c '
import json, sys, datetime
def ns(t):
    d = datetime.datetime.strptime(t[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp()) * 10**9 + int(t[20:29])
n = 0
for line in sys.stdin:
    f = json.loads(line).get("flow", {})
    if f.get("flow_event") == "END" and ns(f["time"]) - ns(f["stats"]["last_seen"]) < '$GRACE_S' * 10**9:
        n += 1
print(n)')
check_eq "refused: no END before the grace" 0 "$early"
check_eq "refused: no NEW after an END" 0 "$(new_after_end 45999)"

# Non-decreasing `time` over JSON lines on stdin: prints the count of steps back.
backsteps() { jq -s '[.[].time] as $t | [range(1; $t | length) | select($t[.] < $t[. - 1])] | length'; }

# --- mixed traffic over many harvests: a flow that keeps moving (ping, so
# UPDATE records), new TCP connections (SYN/FIN events) and UDP in between.
ip netns exec "$E2" bash -c "$(declare -f conn); PYTHON=$PYTHON TMP=$TMP conn accept-many 10.201.0.2 5100 20 $TMP/ready" &
srv=$!
wait_for "TCP server" 5 test -e "$TMP/ready"
ip netns exec "$E1" ping -q -c 150 -i 0.02 10.201.0.2 >/dev/null &
pinger=$!
ip netns exec "$E1" bash -c "$(declare -f conn); PYTHON=$PYTHON TMP=$TMP conn connect-many 10.201.0.2 5100 20 0.13"
for i in $(seq 5); do
	ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 6100 3 50 >/dev/null
	sleep 0.1
done
wait $pinger $srv
runs=$("$CLI" status -o json | jq .status.harvest.runs)
wait_for "two more harvests" 5 bash -c "[ \"\$(\"$CLI\" status -o json | jq .status.harvest.runs)\" -ge $((runs + 2)) ]"
all=$(flows_json)
log "$(echo "$all" | wc -l) records stored, $(echo "$all" | jq -r 'select(.flow) | .flow.flow_event' | sort | uniq -c | tr '\n' ' ')"
check_true "several harvests saw the traffic (UPDATE records)" \
	test "$(echo "$all" | jq -r 'select(.flow.flow_event == "UPDATE") | .flow.uuid' | wc -l)" -ge 5
check_true "events were recorded between harvests (NEW, TCP_FLAGS)" \
	test "$(echo "$all" | jq -r 'select(.flow.flow_event == "TCP_FLAGS") | .flow.uuid' | wc -l)" -ge 20
check_eq "stored records (flows --all) in time order" 0 "$(echo "$all" | backsteps)"
kill -INT $follower 2>/dev/null; wait $follower 2>/dev/null
check_true "the follower got the traffic's records" test "$(wc -l <"$TMP/follow.json")" -ge 100
check_eq "followed records (flows --follow) in time order" 0 "$(backsteps <"$TMP/follow.json")"

agent_stop
check_eq "agent exits 0 on SIGTERM" 0 $?

# --- churn with a small flow map, so the table of ended connections (as big
# as the map) fills: a flow ended together with its reverse earlier in a
# harvest must not come back as NEW when the batch read before the delete
# reaches it, tombstone or not. 3 rounds of 12 connections, 4 flows each.
agent_start --idle-timeout 3600 --end-grace ${GRACE_S}s --flow-map-size 64 || exit 1
for round in 1 2 3; do
	port=$((5300 + round))
	ip netns exec "$E2" bash -c "$(declare -f conn); PYTHON=$PYTHON TMP=$TMP conn accept-many 10.201.0.2 $port 12 $TMP/churn$round" &
	srv=$!
	wait_for "churn server $round" 5 test -e "$TMP/churn$round"
	ip netns exec "$E1" bash -c "$(declare -f conn); PYTHON=$PYTHON TMP=$TMP conn connect-many 10.201.0.2 $port 12 0"
	wait $srv
	# All 48 flows of the round end (both FINs, then the grace) before the next.
	wait_for "round $round ended" 20 output_is 48 bash -c \
		"$(declare -f flows_json port_records); CLI=$CLI port_records $port | awk '\$5 == \"END\"' | wc -l"
done
churn=$(for round in 1 2 3; do port_records $((5300 + round)); done)
check_eq "churn: every flow of the 36 connections ended once" 144 \
	"$(echo "$churn" | awk '$5 == "END"' | wc -l)"
check_eq "churn: one NEW per flow, none after its END" "144 0" \
	"$(echo "$churn" | awk '{k = $1 " " $2 " " $3 " " $4} $5 == "END" {ended[k] = 1}
		$5 == "NEW" {n++; if (ended[k]) again++} END {print n + 0, again + 0}')"
check_eq "churn: nothing lost to a full map" 0 "$("$CLI" status -o json | jq .status.lost_events.flow_map)"
agent_stop
check_eq "agent exits 0 on SIGTERM" 0 $?
finish
