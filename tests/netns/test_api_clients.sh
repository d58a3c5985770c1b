#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The API socket under clients that misbehave: one that half-closes after its
# request still gets its whole reply; connections are capped with a message;
# one that never completes a request is closed, a follower never; an idle
# connection costs the agent little memory; the socket is born 0660.
. "$(dirname "$0")/lib.sh"

CLIENTS="$PYTHON $(dirname "$0")/api_clients.py"
bridge_create
for i in 1 2; do endpoint_create $i; done
E1=$(endpoint_ns 1) V1=$(endpoint_if 1)
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$AGENT_PID/status"; }

# hold_start N: N idle connections, kept by a background client until hold_stop.
hold_start() {
	rm -f "$TMP/hold.ready" "$TMP/hold.in"
	mkfifo "$TMP/hold.in"
	$CLIENTS hold "$SOCK" "$1" "$TMP/hold.ready" <"$TMP/hold.in" >"$TMP/hold.out" &
	HOLD_PID=$!
	exec 7>"$TMP/hold.in"
	wait_for "$1 connections open" 30 test -e "$TMP/hold.ready"
}
# hold_stop: release them (not in a subshell: it closes our end of the fifo);
# $(held_touched) then tells how many the agent wrote to or closed.
hold_stop() {
	exec 7>&-
	wait "$HOLD_PID"
}
held_touched() { cat "$TMP/hold.out"; }

# --- Run 1: a half-closing client gets its whole reply (thousands of
# records); a connection that does not complete a request is closed with a
# reason, a follower never.
agent_start --store-size 10000 --request-timeout 2 || exit 1
ip netns exec "$E1" $TRAFFIC udp-flows 10.201.0.2 7100 3000 >/dev/null
req='{"request":"flows","all":true,"filter":{"allow":{"destination_port":[7100]}}}'
stored() { flows_json --to-port 7100 | wc -l; }
# Each of the 3000 flows is recorded as NEW at both veths: 6000 records.
wait_for "6000 records stored" 20 output_is 6000 stored
# socat shuts its writing side down when echo's output ends, then reads the
# reply (-t: for up to 60 s, not socat's default half second).
echo "$req" | socat -t 60 - "UNIX-CONNECT:$SOCK" >"$TMP/halfclosed.jsonl"
check_eq "a half-closed client reads all 6000 records and the done line" 6001 \
	"$(wc -l <"$TMP/halfclosed.jsonl")"
check_eq "the reply ends with done, count 6000" 6000 "$(tail -n 1 "$TMP/halfclosed.jsonl" | jq .done.count)"
check_eq "every record once" 6000 "$(jq -r 'select(.flow) | .flow.uuid' "$TMP/halfclosed.jsonl" | sort -u | wc -l)"
check_eq "a request without its newline ends at the half-close" '{"done":{}}' \
	"$(printf '{"request":"status"}' | socat -t 60 - "UNIX-CONNECT:$SOCK" | tail -n 1)"

tmo="no complete request within 2 s (--request-timeout); send one JSON request line ending in a newline right after connecting"
out=$($CLIENTS wait-reply "$SOCK" "b''")
check_eq "nothing sent: closed after --request-timeout" "$tmo <closed>" \
	"$(echo "$out" | head -n 1 | jq -r .error.message) $(echo "$out" | tail -n 1)"
check_eq "half a request: closed the same way" "$tmo" \
	"$($CLIENTS wait-reply "$SOCK" "b'{\"request\":'" | head -n 1 | jq -r .error.message)"
# A follower is not idle: it is still there well after the timeout, and
# gets a flow that starts then.
"$CLI" flows -f --last 0 -o json --to-port 7200 >"$TMP/follow.jsonl" &
follower=$!
wait_for "follower connected" 5 output_is 2 clients
sleep 4 # twice --request-timeout
check_eq "a follower outlives --request-timeout" 2 "$(clients)"
ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 7200 3 20 >/dev/null
got_new() { jq_any "select(.flow.flow_event==\"NEW\" and .flow.interface.name==\"$V1\")" "$TMP/follow.jsonl"; }
wait_for "follower gets the new flow" 10 got_new
check_true "and receives a flow made after it" got_new
kill -INT $follower; wait $follower
# A follower that half-closes keeps following; once it closes for good it is
# dropped, even when no record comes to fail a write to it. (socat -t 1:
# read for a second after the request, then close.)
echo '{"request":"flows","last":0,"follow":true,"filter":{"allow":{"destination_port":[1]}}}' |
	socat -t 1 - "UNIX-CONNECT:$SOCK" >/dev/null
wait_for "the closed follower dropped" 10 output_is 1 clients
check_eq "a half-closed follower that then closed is dropped" 1 "$(clients)"
agent_stop

# --- Run 2: the cap.
agent_start --max-clients 3 --request-timeout 3600 || exit 1
hold_start 3
out=$($CLIENTS wait-reply "$SOCK" "b'{\"request\":\"status\"}\\n'")
check_eq "over --max-clients 3, a client is told why and closed" \
	"too many API clients (3, the --max-clients limit); close an idle client (a forgotten \`netobs flows --follow\`?) or restart the agent with a higher --max-clients <closed>" \
	"$(echo "$out" | head -n 1 | jq -r .error.message) $(echo "$out" | tail -n 1)"
hold_stop
check_eq "the 3 connections within the cap were left alone" 0 "$(held_touched)"
wait_for "a client is served again" 10 "$CLI" status
check_eq "below the cap again: served" 0 "$("$CLI" status >/dev/null; echo $?)"
agent_stop

# --- Run 3: idle connections cost a bounded amount of memory each.
# Per connection the agent keeps its struct client with a pipe and a timer
# handle (under 1 KiB); the kernel's socket buffers are not in its RSS. A
# read buffer or a request buffer or a filter per connection (64 KiB, 13 KiB)
# would each show; 4 KiB (one page) per connection leaves room for malloc's
# own bookkeeping and the list of 1500 handles in libuv.
N=1500
agent_start --max-clients 2000 --request-timeout 3600 || exit 1
hold_start 100 # warm-up: the loop's and the allocator's first growth
hold_stop
check_eq "warm-up connections untouched" 0 "$(held_touched)"
wait_for "warm-up closed" 10 output_is 1 clients
rss0=$(rss_kib)
hold_start $N
wait_for "$N clients connected" 30 output_is $((N + 1)) clients
rss1=$(rss_kib)
per=$(( (rss1 - rss0) * 1024 / N ))
log "agent RSS ${rss0} KiB -> ${rss1} KiB with $N idle connections: $per bytes each"
check_true "an idle connection costs at most 4096 bytes of RSS ($per)" test "$per" -le 4096
hold_stop
check_eq "and all $N were left alone" 0 "$(held_touched)"
agent_stop

# --- The socket is created 0660 by bind itself, not chmod-ed after: no
# moment where it has the umask's mode. (The agent runs no other thread.)
strace -qq -e trace=umask,bind,chmod,fchmodat,fchmod -o "$TMP/strace.txt" \
	"$AGENT" --socket "$SOCK" --bpffs "$BPFFS" --state-dir "$STATE_DIR" >>"$TMP/agent.log" 2>&1 &
STRACE_PID=$!
wait_for "agent under strace answers" 30 "$CLI" status
kill -TERM "$(pgrep -P $STRACE_PID)"
wait $STRACE_PID
check_eq "bind runs under umask 0117 (the socket is born 0660)" "umask(0117)" \
	"$(grep -E '^(umask|bind)\(' "$TMP/strace.txt" | grep -B1 "bind(.*sun_path=\"$SOCK\"" |
		head -n 1 | grep -o 'umask(0117)')"
check_eq "and is never chmod-ed" 0 "$(grep -c -E 'chmod.*\.sock' "$TMP/strace.txt")"
finish
