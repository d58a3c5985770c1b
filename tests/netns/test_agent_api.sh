#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The agent's promises beyond counting: a slow client loses records only for
# itself and is told exactly how many; the store is bounded; idle flows end;
# named interfaces and the host identity; time bounds; errors at start; and
# every record the agent writes fits the documented JSON Schema.
. "$(dirname "$0")/lib.sh"

bridge_create
ip addr add 10.201.0.254/24 dev "${P}br" # a host address: the host identity
for i in 1 2; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) V1=$(endpoint_if 1) V2=$(endpoint_if 2) BR=${P}br

# --- Run 1: a named interface (glob), idle timeout, a slow client.
agent_start --interfaces "${P}b*" --idle-timeout 1 --client-queue 8000 || exit 1
br=$("$CLI" endpoints -o json | jq -c "select(.interface==\"$BR\")")
check_eq "--interfaces glob adds the bridge as an endpoint" interface "$(echo "$br" | jq -r .kind)"
check_eq "with its host-namespace address" '["10.201.0.254"]' "$(echo "$br" | jq -c .ipv4)"
check_eq "and both TC hooks" '["tc-ingress","tc-egress"]' "$(echo "$br" | jq -c .hooks)"

ping -q -c 4 -i 0.02 -W 1 10.201.0.1 >/dev/null
br_req() { flows_json --interface "$BR" --to-ip 10.201.0.1 --protocol icmpv4 | tail -n 1; }
wait_for "host ping counted" 5 output_is 4 bash -c "$(declare -f flows_json br_req); CLI=$CLI BR=$BR br_req | jq -r .flow.stats.packets"
req=$(br_req)
check_eq "host -> endpoint echo requests at the bridge's egress" 4 "$(echo "$req" | jq -r .flow.stats.packets)"
check_eq "a named interface faces the network: EGRESS, TO_NETWORK" "EGRESS TO_NETWORK" \
	"$(echo "$req" | jq -r '.flow.traffic_direction + " " + .flow.trace_observation_point')"
check_eq "the host's own address is the reserved identity host" '["reserved:host"] 1' \
	"$(echo "$req" | jq -r '(.flow.source.labels | tojson) + " " + (.flow.source.identity | tostring)')"
check_eq "the endpoint side resolves to endpoint 1" "$E1" "$(echo "$req" | jq -r .flow.destination.pod_name)"

# An idle flow ends after --idle-timeout with its final count.
ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 6100 3 20 >/dev/null
idle_end() { flows_json --to-port 6100 --interface "$V1" | jq -r 'select(.flow.flow_event=="END") | .flow.end_reason + " " + .flow.stats.packets'; }
wait_for "idle end" 6 output_is "IDLE 3" idle_end
check_eq "idle UDP flow ended (IDLE) with its 3 packets" "IDLE 3" "$(idle_end)"

# A slow client and a fast one follow the same records; the slow one reads
# nothing for 4 s while 2500 new flows make about 10000 records (NEW at both
# veths, then END after the idle second, all in one harvest), more than a
# client may fall behind (--client-queue 8000). The fast one keeps up, burst
# included. 5000 map entries also take the harvest over more than one
# 4096-entry batch.
"$CLI" flows -f --last 0 -o json --to-port 6200 >"$TMP/fast.jsonl" &
fast=$!
$TRAFFIC slow-follow "$SOCK" 4 6200 "$TMP/slow.ready" >"$TMP/slow.json" &
slow=$!
wait_for "both followers connected" 5 output_is 3 clients
ip netns exec "$E1" $TRAFFIC udp-flows 10.201.0.2 6200 2500 >/dev/null
t0=$SECONDS
check_eq "the agent answers while a client is stalled" 0 "$("$CLI" status >/dev/null; echo $?)"
wait $slow
quiet() { # no new line for 2 s
	local before
	before=$(wc -l <"$TMP/fast.jsonl"); sleep 2
	test "$(wc -l <"$TMP/fast.jsonl")" = "$before"
}
wait_for "records stopped coming" 20 quiet
kill -INT $fast; wait $fast
fast_n=$(jq -c 'select(.flow)' "$TMP/fast.jsonl" | wc -l)
slow_n=$(jq .received "$TMP/slow.json") slow_lost=$(jq .lost "$TMP/slow.json")
log "fast follower: $fast_n records; slow follower: $slow_n received + $slow_lost reported lost"
check_true "the flows made at least 2 records each (ingress at $V1, egress at $V2)" test "$fast_n" -ge 5000
check_eq "every one of the 2500 flows ended, once, with its 1 packet (at $V1)" "2500 1" \
	"$(jq -r "select(.flow.flow_event==\"END\" and .flow.interface.name==\"$V1\") | .flow.stats.packets" \
		"$TMP/fast.jsonl" | sort | uniq -c | awk '{print $1, $2}')"
check_eq "the fast follower lost nothing" 0 "$(jq -c 'select(.lost_events)' "$TMP/fast.jsonl" | wc -l)"
check_true "the slow follower lost records" test "$slow_lost" -gt 0
check_eq "its losses came as OBSERVER_EVENTS_QUEUE" '["OBSERVER_EVENTS_QUEUE"]' "$(jq -c .sources "$TMP/slow.json")"
check_eq "received + reported lost = everything it asked for" "$fast_n" $((slow_n + slow_lost))
check_eq "status counts the same losses" "$slow_lost" \
	"$("$CLI" status -o json | jq .status.lost_events.client_queues)"

# Every record the agent wrote validates against the documented schema.
n=$(flows_json | $TRAFFIC validate "$SRC_DIR/docs/schema/record.schema.json")
check_true "all $n stored records match docs/schema/record.schema.json" test "${n:-0}" -gt 5000
agent_stop

# --- Run 2: the key-by-key harvest (kernels without batch map operations)
# counts and ends flows exactly too.
NETOBS_HARVEST_ITERATE=1 agent_start --idle-timeout 1 || exit 1
check_eq "harvest iterates keys" false "$("$CLI" status -o json | jq .status.harvest.batch)"
ip netns exec "$E1" ping -q -c 12 -i 0.01 -W 1 10.201.0.2 >/dev/null
ip netns exec "$E1" $TRAFFIC udp-flows 10.201.0.2 6400 40 >/dev/null
iter_req() { newest_stat packets '.flow.l4.ICMPv4.type==8' --interface "$V1" --protocol icmpv4; }
iter_ends() { flows_json --to-port 6400 --interface "$V1" | jq -r 'select(.flow.flow_event=="END") | .flow.stats.packets' | wc -l; }
wait_for "iterated ends" 6 output_is 40 iter_ends
check_eq "iterated harvest: 12 echo requests" 12 "$(iter_req)"
check_eq "iterated harvest: all 40 idle flows ended once" 40 "$(iter_ends)"
agent_stop

# --- Run 3: a bounded store; time bounds.
agent_start --store-size 20 || exit 1
check_eq "socket mode 0660" 660 "$(stat -c %a "$SOCK")"
ip netns exec "$E1" $TRAFFIC udp-flows 10.201.0.2 6300 30 >/dev/null
full() { test "$("$CLI" status -o json | jq .status.records.seen)" -ge 60; }
wait_for "records made" 5 full
check_eq "the store keeps --store-size records" 20 "$(flows_json | wc -l)"
check_eq "status: stored/max" "20/20" "$("$CLI" status -o json | jq -r '"\(.status.records.stored)/\(.status.records.max_stored)"')"
# Compare replies taken while no record was made in between (background
# neighbour discovery can add one at any time).
seen() { "$CLI" status -o json | jq .status.records.seen; }
for _ in $(seq 20); do
	before=$(seen)
	all=$(flows_json | jq -r .flow.uuid)
	last5=$("$CLI" flows --last 5 -o json | jq -r .flow.uuid)
	first3=$("$CLI" flows --first 3 -o json | jq -r .flow.uuid)
	[ "$(seen)" = "$before" ] && break
	sleep 0.3
done
check_eq "--last 5 returns the 5 newest" "$(tail -n 5 <<<"$all")" "$last5"
check_eq "--first 3 returns the 3 oldest" "$(head -n 3 <<<"$all")" "$first3"
check_eq "--since 1h keeps them all" 20 "$(flows_json --since 1h | wc -l)"
check_eq "--until a past date keeps none" 0 "$(flows_json --until 2001-01-01T00:00:00Z | wc -l)"
# --- Malformed requests get a clear error, and never hurt the agent.
raw() { $TRAFFIC raw-request "$SOCK" "$1"; }
err_of() { raw "$1" | jq -r .error.message; }
check_eq "not JSON" "malformed request: '[' or '{' expected near 'hello'" "$(err_of "b'hello\\n'")"
check_eq "not an object" "malformed request: expected a JSON object" "$(err_of "b'[1,2]\\n'")"
check_eq "no request field" 'malformed request: no "request" field' "$(err_of "b'{}\\n'")"
check_eq "unknown request" "unknown request 'nope': expected status, endpoints, flows, policy_import, policy_get, policy_delete, endpoint_config or endpoint_labels" \
	"$(err_of "b'{\"request\":\"nope\"}\\n'")"
check_eq "bad count" "'last' and 'first' must be non-negative integers" \
	"$(err_of "b'{\"request\":\"flows\",\"last\":-1}\\n'")"
check_eq "unknown field" "unknown field 'lats' in flows request" \
	"$(err_of "b'{\"request\":\"flows\",\"lats\":1}\\n'")"
msg=$(err_of "b'{\"request\":\"flows\",\"filter\":{\"allow\":{\"source_port\":[\"x\"]}}}\\n'")
check_true "bad filter value: '$msg'" grep -q '^invalid filter: .*source_port' <<<"$msg"
# 16 MiB: room for a policy import of the largest policy file (docs/api.md).
check_eq "a request line over 16 MiB is refused" "request longer than 16777216 bytes" \
	"$(err_of "b'a' * (16 * 1024 * 1024 + 10)")"
check_eq "one just under 16 MiB is read whole (and is malformed)" "malformed" \
	"$(err_of "b'a' * (16 * 1024 * 1024 - 100) + b'\\n'" | cut -d' ' -f1)"
check_eq "a NUL in the request is malformed, not a crash" "malformed" \
	"$(err_of "b'{\"request\":\"status\"\\x00}\\n'" | cut -d: -f1 | cut -d' ' -f1)"
raw "b'{\"request\":\"flows\",\"all\":true,\"follow\":true}\\n'" >/dev/null & # connects...
sleep 0.3; kill $! 2>/dev/null                                                    # ...and vanishes
check_eq "the agent is still there" 0 "$("$CLI" status >/dev/null; echo $?)"

agent_stop

# --- Run 4: a burst larger than the store overruns a stalled follower: the
# records it loses are gone, yet it is told exactly how many it wanted.
agent_start --store-size 100 || exit 1
$TRAFFIC slow-follow "$SOCK" 3 6500 "$TMP/slow4.ready" >"$TMP/slow4.json" &
slow=$!
wait_for "follower connected" 5 output_is 2 clients
ip netns exec "$E1" $TRAFFIC udp-flows 10.201.0.2 6500 2500 >/dev/null
wait $slow
slow_n=$(jq .received "$TMP/slow4.json") slow_lost=$(jq .lost "$TMP/slow4.json")
log "store of 100, 5000 records: follower received $slow_n, told lost $slow_lost"
check_true "the follower was overrun" test "$slow_lost" -gt 0
check_eq "received + reported lost = the 5000 records it asked for (NEW at $V1 and $V2)" 5000 \
	$((slow_n + slow_lost))
check_eq "reported as overwritten by the store" '["HUBBLE_RING_BUFFER"]' "$(jq -c .sources "$TMP/slow4.json")"
agent_stop

# --- Errors at start say what to do.
mkdir -p "$TMP/plain"
out=$("$AGENT" --socket "$TMP/e.sock" --bpffs "$TMP/plain" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "bpffs missing: exit 1" 1 $rc
check_true "bpffs missing: says how to mount it" grep -q "mount -t bpf bpf $TMP/plain" <<<"$out"
check_true "bpffs missing: leaves no socket" test ! -e "$TMP/e.sock"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
	"$AGENT" --socket "$TMP/e.sock" --bpffs "$BPFFS" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "not root: exit 1" 1 $rc
check_true "not root: says to run as root" grep -q "as root" <<<"$out"
out=$("$AGENT" --no-such-flag 2>&1); rc=$?
check_eq "unknown flag: exit 2" 2 $rc
out=$("$AGENT" --harvest-interval 0 2>&1); rc=$?
check_eq "out-of-range value: exit 2" 2 $rc
check_true "and names the range" grep -q "expected 10 to" <<<"$out"
finish
