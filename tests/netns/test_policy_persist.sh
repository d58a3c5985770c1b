#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Enforcement never lapses while a policy is imported: through SIGKILL,
# SIGTERM and restarts of the agent, with one netobs program per hook (no
# duplicates), and an established connection's replies still pass after
# the restart; `netobs-agent --cleanup` and deleting the last policy remove
# it.
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2 3; do endpoint_create "$i"; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3)
for i in 1 2 3; do
	ip netns exec "$(endpoint_ns "$i")" ping -c1 -W2 10.201.0.$(((i % 3) + 1)) >/dev/null 2>&1
done
ip netns exec "$E2" "$PYTHON" "$(dirname "$0")/http_server.py" 10.201.0.2 80 &

# netobs's tcx links on the machine (this test's endpoints are the only ones).
tcx_links() {
	local n=0 id
	for id in $(bpftool link -j | jq -r '.[].prog_id'); do
		case $(prog_name "$id") in netobs_tc_*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}
agent_kill() { kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=; }

agent_start || exit 1
wait_for "endpoints listed" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
wait_for "http server up" 10 output_is 200 curl_code "$E1" http://10.201.0.2/ok
links_before=$(tcx_links)
check_eq "one netobs program per hook (3 endpoints x 2)" 6 "$links_before"

cat >"$TMP/policy.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e2-from-e1
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E2
  ingress:
  - fromEndpoints:
    - matchLabels:
        endpoint: $E1
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1-out-only
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E1
  ingress:
  - {}
EOF
"$CLI" policy import "$TMP/policy.yaml" >/dev/null
check_eq "e1 -> e2 allowed" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"
check_eq "e3 -> e2 denied" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"

# One keep-alive connection from e1 (whose ingress is default deny: the
# answers pass only as replies), with a request before and after restarts.
cat >"$TMP/keepalive.py" <<'EOF'
import os, socket, sys, time
s = socket.create_connection(("10.201.0.2", 80), timeout=5)
def get():
    s.sendall(b"GET /ok HTTP/1.1\r\nHost: e2\r\n\r\n")
    data = b""
    while b"hello from netobs test\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    return data.split(b" ")[1].decode()
print(get(), flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
try:
    print(get(), flush=True)
except OSError as e:
    print("error", e, flush=True)
EOF
ip netns exec "$E1" "$PYTHON" "$TMP/keepalive.py" "$TMP/go" >"$TMP/keepalive.out" 2>&1 &
keepalive=$!
wait_for "first request answered" 5 grep -q 200 "$TMP/keepalive.out"

gen_of() { "$CLI" status -o json | jq -r '.. | objects | .policy? | objects | .generation' | head -n 1; }
# Some churn first, so the killed agent's generation is well above where a
# fresh count would start: the next agent must go above it, not reuse it.
cat >"$TMP/churn.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: churn
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E3
  egress:
  - toEntities: [all]
EOF
for _ in 1 2 3 4; do
	"$CLI" policy import "$TMP/churn.yaml" >/dev/null
	"$CLI" policy delete churn >/dev/null
done
gen_before=$(gen_of)

log "SIGKILL: the programs stay attached and keep enforcing"
agent_kill
check_eq "after SIGKILL: links still there" 6 "$(tcx_links)"
check_eq "after SIGKILL: e3 -> e2 still denied" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"
check_eq "after SIGKILL: e1 -> e2 still allowed" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"

log "restart: the same policies, the links taken over, not doubled"
agent_start || exit 1
wait_for "endpoints listed again" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
check_eq "restarted agent lists both policies" 2 \
	"$("$CLI" policy get -o json | jq 'if type == "array" then length else 1 end' | tail -n 1)"
check_eq "after restart: no duplicate hooks" 6 "$(tcx_links)"
gen_after=$(gen_of)
check_true "the new generation ($gen_after) is above the killed agent's ($gen_before)" \
	test "$gen_after" -gt "$gen_before"
check_eq "after restart: e3 -> e2 denied" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"
touch "$TMP/go"
wait "$keepalive"
check_eq "the connection opened before the kill and restart still gets its answers" \
	"200 200" "$(tr '\n' ' ' <"$TMP/keepalive.out" | sed 's/ $//')"
check_eq "the datapath dropped nothing of it" 0 \
	"$(flows_json --verdict DROPPED | jq -c 'select(.flow.IP.source == "10.201.0.2" and .flow.IP.destination == "10.201.0.1")' | wc -l)"

log "SIGTERM keeps enforcing too; --cleanup removes it"
agent_stop
check_eq "after SIGTERM: links kept" 6 "$(tcx_links)"
check_eq "after SIGTERM: e3 -> e2 denied" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"
out=$("$AGENT" --bpffs "$BPFFS" --socket "$SOCK" --cleanup 2>&1)
check_true "--cleanup says what it released ($out)" grep -q "released 6 pinned TC link" <<<"$out"
check_eq "after --cleanup: no netobs program attached" 0 "$(tcx_links)"
check_eq "after --cleanup: e3 -> e2 passes" 200 "$(curl_code "$E3" http://10.201.0.2/ok)"

log "the state file brings the policies back; deleting the last one releases the hooks"
agent_start || exit 1
wait_for "endpoints listed again" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
check_eq "policies enforced again from the state file" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"
"$CLI" policy delete --all >/dev/null
check_eq "after delete --all: e3 -> e2 passes" 200 "$(curl_code "$E3" http://10.201.0.2/ok)"
agent_stop
check_eq "no policy: stopping the agent takes its programs off" 0 "$(tcx_links)"

finish
