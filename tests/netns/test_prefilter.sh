#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The XDP prefilter end to end: a sender namespace with two addresses, the
# host side of its veth watched with --xdp, a UDP receiver on the host that
# counts datagrams per source. N datagrams from a listed source: the
# receiver gets none, the DROPPED record and the datapath counter say N
# exactly; the other source passes; the list survives a restart (state
# file); delete restores; bad CIDRs are refused; host bits are cleared.
. "$(dirname "$0")/lib.sh"

NS=${P}s
HOST_IF=${P}x
LISTED=10.202.0.1
OTHER=10.202.0.3
SERVER=10.202.0.254
LISTED6=fd00:202::1
OTHER6=fd00:202::3
SERVER6=fd00:202::fe
PORT=5353

ip netns add "$NS"
ip link add "$HOST_IF" type veth peer name eth0 netns "$NS"
ip addr add "$SERVER/24" dev "$HOST_IF"
ip addr add "$SERVER6/64" dev "$HOST_IF" nodad
ip link set "$HOST_IF" up
ip -n "$NS" link set lo up
ip -n "$NS" addr add "$LISTED/24" dev eth0
ip -n "$NS" addr add "$OTHER/24" dev eth0
ip -n "$NS" addr add "$LISTED6/64" dev eth0 nodad
ip -n "$NS" addr add "$OTHER6/64" dev eth0 nodad
ip -n "$NS" link set eth0 up
# Neighbours known both ways, for good (IPv6 neighbour discovery from a listed
# source would be dropped too, and counted): only the test's datagrams then.
HOST_MAC=$(cat /sys/class/net/"$HOST_IF"/address)
NS_MAC=$(ip netns exec "$NS" cat /sys/class/net/eth0/address)
ip -n "$NS" neigh replace "$SERVER6" lladdr "$HOST_MAC" dev eth0 nud permanent
ip -n "$NS" neigh replace "$SERVER" lladdr "$HOST_MAC" dev eth0 nud permanent
for a in "$LISTED" "$OTHER" "$LISTED6" "$OTHER6"; do
	ip neigh replace "$a" lladdr "$NS_MAC" dev "$HOST_IF" nud permanent
done
ip netns exec "$NS" ping -c1 -W2 -I "$LISTED" "$SERVER" >/dev/null 2>&1
ip netns exec "$NS" ping -c1 -W2 -I "$OTHER" "$SERVER" >/dev/null 2>&1
ip netns exec "$NS" ping -c1 -W2 -I "$LISTED6" "$SERVER6" >/dev/null 2>&1
ip netns exec "$NS" ping -c1 -W2 -I "$OTHER6" "$SERVER6" >/dev/null 2>&1

# receive SECONDS: count UDP datagrams on SERVER:PORT and [SERVER6]:PORT by
# source until SECONDS pass without one; prints "SOURCE COUNT" lines.
receive() {
	"$PYTHON" -c '
import collections, select, socket, sys
socks = []
for family, addr in ((socket.AF_INET, sys.argv[1]), (socket.AF_INET6, sys.argv[2])):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, int(sys.argv[3])))
    socks.append(s)
open(sys.argv[5], "w").close()
counts = collections.Counter()
while True:
    ready, _, _ = select.select(socks, [], [], float(sys.argv[4]))
    if not ready:
        break
    for s in ready:
        _, peer = s.recvfrom(2048)
        counts[peer[0]] += 1
for src, n in counts.items():
    print(src, n)
' "$SERVER" "$SERVER6" "$PORT" "$1" "$TMP/receiver.ready"
}

# send SOURCE DESTINATION COUNT: COUNT datagrams of 64 bytes from SOURCE in the namespace.
send() {
	ip netns exec "$NS" "$PYTHON" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
for _ in range(int(sys.argv[4])):
    s.sendto(b"p" * 64, (sys.argv[2], int(sys.argv[3])))
' "$1" "$2" "$PORT" "$3"
}

# received SOURCE: datagrams the last round's receiver got from SOURCE
received() { awk -v a="$1" '$1 == a {print $2}' "$TMP/received" | grep . || echo 0; }

# round LISTED_COUNT OTHER_COUNT [LISTED6_COUNT OTHER6_COUNT]: send, print
# what was received from each ("listed other", then "listed6 other6").
round() {
	rm -f "$TMP/receiver.ready"
	receive 1.5 >"$TMP/received" &
	local receiver=$!
	wait_for "receiver ready" 5 test -e "$TMP/receiver.ready"
	send "$LISTED" "$SERVER" "$1"
	send "$OTHER" "$SERVER" "$2"
	[ $# -gt 2 ] && send "$LISTED6" "$SERVER6" "$3" && send "$OTHER6" "$SERVER6" "$4"
	wait "$receiver"
	if [ $# -gt 2 ]; then
		echo "$(received "$LISTED") $(received "$OTHER") $(received "$LISTED6") $(received "$OTHER6")"
	else
		echo "$(received "$LISTED") $(received "$OTHER")"
	fi
}

# drop_record: the newest DROPPED record of LISTED -> SERVER:PORT
drop_record() {
	flows_json --verdict DROPPED --drop-reason-desc DENIED_BY_PREFILTER |
		jq -c --arg s "$LISTED" 'select(.flow.IP.source == $s) | .flow' | tail -n 1
}

agent_start --xdp "$HOST_IF" || exit 1
wait_for "XDP on $HOST_IF" 10 jq_any '.interfaces[]?' < <("$CLI" prefilter list -o json)

log "empty prefilter: both sources pass"
list=$("$CLI" prefilter list -o json)
check_eq "empty list" 0 "$(jq '.cidrs | length' <<<"$list")"
check_eq "XDP interface listed" "$HOST_IF" "$(jq -r '.interfaces[0]' <<<"$list")"
check_eq "no warning with XDP attached" null "$(jq -r '.warning' <<<"$list")"
check_eq "before: received listed/other, listed6/other6" "5 5 4 4" "$(round 5 5 4 4)"

log "bad CIDRs are refused, nothing changes"
err=$("$CLI" prefilter update --cidr 10.202.0.1/33 2>&1)
check_eq "a /33 is refused (exit 1)" 1 "$("$CLI" prefilter update --cidr 10.202.0.1/33 >/dev/null 2>&1; echo $?)"
check_true "the error names the prefix length" grep -q "prefix length '33' is not a number from 0 to 32" <<<"$err"
err=$("$CLI" prefilter update --cidr 10.202.0.1/32 --cidr 10.202.0.x/8 2>&1)
check_true "a bad address is named" grep -q "'10.202.0.x' is no IPv4 or IPv6 address" <<<"$err"
check_eq "still empty" 0 "$("$CLI" prefilter list -o json | jq '.cidrs | length')"
check_eq "update without --cidr is a usage error" 2 "$("$CLI" prefilter update >/dev/null 2>&1; echo $?)"

log "listed source: dropped before the stack, counted exactly"
out=$("$CLI" prefilter update --cidr "$LISTED/32" --cidr fd00:202::1)
check_true "update says what it listed" grep -q "Updated the prefilter: $LISTED/32, fd00:202::1/128; 2 CIDR(s) listed, prefilter revision 1" <<<"$out"
dropped_before=$(status_counter prefilter_dropped)
N=20
N6=9
check_eq "with the prefilter: received listed/other, listed6/other6" "0 7 0 6" "$(round $N 7 $N6 6)"
check_eq "prefilter_dropped counter moved by N + N6" $((N + N6)) \
	$(($(status_counter prefilter_dropped) - dropped_before))
check_eq "its bytes: N frames of 14+20+8+64, N6 of 14+40+8+64" $((N * 106 + N6 * 126)) \
	"$(status_counter prefilter_dropped_bytes)"
wait_for "drop record" 5 jq_any . < <(drop_record)
rec=$(drop_record)
check_eq "DROPPED record: packets exactly N" $N "$(jq -r .stats.packets <<<"$rec")"
check_eq "DROPPED record: reason" DENIED_BY_PREFILTER "$(jq -r .drop_reason_desc <<<"$rec")"
check_eq "DROPPED record: reason number" 256 "$(jq -r .drop_reason <<<"$rec")"
check_eq "DROPPED record: event type drop/256" "1/256" "$(jq -r '"\(.event_type.type)/\(.event_type.sub_type)"' <<<"$rec")"
check_eq "DROPPED record: verdict PREFILTER" PREFILTER "$(jq -r .policy_verdict <<<"$rec")"
check_eq "DROPPED record: hook xdp" xdp "$(jq -r .hook <<<"$rec")"
rec6=$(flows_json --verdict DROPPED | jq -c --arg s "$LISTED6" 'select(.flow.IP.source == $s and .flow.l4.UDP != null) | .flow' | tail -n 1)
check_eq "IPv6 DROPPED record: packets exactly N6, reason" "$N6 DENIED_BY_PREFILTER" \
	"$(jq -r '"\(.stats.packets) \(.drop_reason_desc)"' <<<"$rec6")"
check_true "the DROPPED records validate against the record schema" \
	bash -c "'$CLI' flows --all -o json --verdict DROPPED | $TRAFFIC validate '$SRC_DIR/docs/schema/record.schema.json' | grep -qv '^0\$'"
check_true "compact line says Denied by prefilter" grep -q "Denied by prefilter" < <("$CLI" flows --all --verdict DROPPED)
check_eq "forwarded flow of the listed source: still the 5 sent before" 5 \
	"$(flows_json --verdict FORWARDED | jq -r --arg s "$LISTED" 'select(.flow.IP.source == $s and .flow.l4.UDP != null) | .flow.stats.packets' | tail -n 1)"

log "the list survives a restart"
agent_stop
check_true "the state file holds it" grep -q "\"$LISTED/32\"" "$STATE_DIR/policy.json"
agent_start --xdp "$HOST_IF" || exit 1
list=$("$CLI" prefilter list -o json)
check_eq "restarted: list" "$LISTED/32 fd00:202::1/128" "$(jq -r '.cidrs | join(" ")' <<<"$list")"
check_eq "restarted: revision" 1 "$(jq -r .revision <<<"$list")"
wait_for "XDP on $HOST_IF again" 10 jq_any '.interfaces[]?' < <("$CLI" prefilter list -o json)
check_eq "restarted: received listed/other" "0 3" "$(round 10 3)"
check_eq "restarted: counter says 10" 10 "$(status_counter prefilter_dropped)"

log "delete restores, host bits are cleared"
check_eq "deleting an unlisted CIDR fails" 1 "$("$CLI" prefilter delete --cidr 192.0.2.0/24 >/dev/null 2>&1; echo $?)"
"$CLI" prefilter delete --cidr "$LISTED/32" >/dev/null
check_eq "after delete: received listed/other" "4 2" "$(round 4 2)"
"$CLI" prefilter update --cidr 10.202.0.77/24 >/dev/null
check_eq "host bits cleared" "10.202.0.0/24 fd00:202::1/128" \
	"$("$CLI" prefilter list -o json | jq -r '.cidrs | join(" ")')"
check_eq "the /24 drops both" "0 0" "$(round 3 3)"
"$CLI" prefilter delete --cidr 10.202.0.0/24,fd00:202::1 >/dev/null
check_eq "emptied: revision 4" 4 "$("$CLI" prefilter list -o json | jq -r .revision)"
check_eq "emptied: both pass" "2 2" "$(round 2 2)"

log "without XDP the prefilter warns"
agent_stop
agent_start || exit 1
out=$("$CLI" prefilter update --cidr 198.51.100.0/24 2>&1)
check_true "update warns that nothing has XDP" grep -q "Warning: no interface has netobs's XDP program" <<<"$out"

finish
