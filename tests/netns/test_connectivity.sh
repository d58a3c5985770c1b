#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# netobs connectivity test end to end, with the real agent and the real
# topology: everything passes with strict flow validation (text summary,
# JUnit, JSON); one protocol broken outside netobs (an nftables bridge rule
# dropping UDP 7000, a killed echo HTTP server) fails exactly that
# protocol's tests; Ctrl-C and `connectivity cleanup` leave nothing behind;
# --test selects exactly the named tests; without an agent validation is
# off and the tests still pass; validation fails (strict) or warns when the
# agent's records lack a step; usage errors exit 2; --external-ip and
# --external-target reach a namespace this test made (never off the host)
# and leave ip_forward and nftables as they were; an agent that stops in
# the middle of a run is said once and fails the run; the policy tests
# pass (deny by CIDR and toFQDNs against an address behind that namespace),
# are skipped without an agent, and leave no policy in the agent, also
# after SIGINT in the middle of one (and after SIGKILL, through `connectivity
# cleanup`).
# The topology's names are fixed: run this under /tmp/netobs-netns.lock
# (ctest runs it serially; it must not take the lock itself).
source "$(dirname "$0")/lib.sh"

NFT_TABLE=netobs_ct_test
CT_STATE_DIR=/run/netobs/connectivity
SERVER_PIDS=

# Every test of the suite, as docs/connectivity.md lists them: 10
# endpoint-to-endpoint (5 protocols x 2 families, 2 actions each), 6
# endpoint-to-host (2 actions each), 6 host-to-endpoint (1 action each),
# 6 DNS (2 actions each), 2 external (skipped here), 5 policy (2 actions
# each; deny-cidr and to-fqdns need --external-ip: skipped here),
# no-unexpected-drops.
ALL_TESTS="icmp-ipv4-endpoint-to-endpoint tcp-ipv4-endpoint-to-endpoint
udp-ipv4-endpoint-to-endpoint http-ipv4-endpoint-to-endpoint https-ipv4-endpoint-to-endpoint
icmp-ipv6-endpoint-to-endpoint tcp-ipv6-endpoint-to-endpoint udp-ipv6-endpoint-to-endpoint
http-ipv6-endpoint-to-endpoint https-ipv6-endpoint-to-endpoint
icmp-ipv4-endpoint-to-host tcp-ipv4-endpoint-to-host http-ipv4-endpoint-to-host
icmp-ipv6-endpoint-to-host tcp-ipv6-endpoint-to-host http-ipv6-endpoint-to-host
icmp-ipv4-host-to-endpoint tcp-ipv4-host-to-endpoint http-ipv4-host-to-endpoint
icmp-ipv6-host-to-endpoint tcp-ipv6-host-to-endpoint http-ipv6-host-to-endpoint
dns-a-ipv4 dns-aaaa-ipv4 dns-nxdomain-ipv4 dns-a-ipv6 dns-aaaa-ipv6 dns-nxdomain-ipv6
http-external-target icmp-external-ip
policy-default-deny-ingress policy-deny-port policy-deny-cidr policy-audit policy-to-fqdns
no-unexpected-drops"
N_TESTS=36
N_SKIPPED=4
N_ACTIONS=$((10 * 2 + 6 * 2 + 6 * 1 + 6 * 2 + 3 * 2))

# Whatever a failing run left: the topology, the nftables table.
connectivity_cleanup() {
	local rc=$?
	nft delete table bridge "$NFT_TABLE" 2>/dev/null
	"$CLI" connectivity cleanup >/dev/null 2>&1
	(exit $rc)
	cleanup
}
trap connectivity_cleanup EXIT

# topology_left: print what of the topology exists (nothing: all removed).
topology_left() {
	ip netns list | awk '{print $1}' | grep '^netobs-ct-'
	ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^(nct-|netobs-ct0$)'
	[ -e "$CT_STATE_DIR" ] && echo "$CT_STATE_DIR"
	local pid
	for pid in $SERVER_PIDS; do server_running "$pid" && echo "server pid $pid"; done
	true
}

# server_running PID: a process that has not exited (a zombie waiting for
# its new parent, init, to reap it has exited). Waits up to 3 s for it.
server_running() {
	local state
	for _ in $(seq 30); do
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 1
		sleep 0.1
	done
	return 0
}

# remember_servers: the pids of the topology's servers, to check they end.
remember_servers() {
	SERVER_PIDS=$(cat "$CT_STATE_DIR"/*.pid 2>/dev/null | tr '\n' ' ')
}

# junit_summary FILE: "tests failures skipped testcases" from the XML.
junit_summary() {
	"$PYTHON" - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
print(root.get("tests"), root.get("failures"), root.get("skipped"), len(cases),
      sum(1 for c in cases if c.find("failure") is not None),
      sum(1 for c in cases if c.find("skipped") is not None))
EOF
}

# junit_failed FILE: the names of the failed testcases, one line, sorted.
junit_failed() {
	"$PYTHON" - "$1" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
print(" ".join(sorted(c.get("name") for c in root.iter("testcase")
                      if c.find("failure") is not None)))
EOF
}

sorted_words() { tr ' \n' '\n\n' | grep . | sort | tr '\n' ' ' | sed 's/ $//'; }

agent_start

log "(a) everything passes with --flow-validation strict"
"$CLI" connectivity test --flow-validation strict --junit-file "$TMP/a.xml" \
	>"$TMP/a.out" 2>"$TMP/a.err"
check_eq "all pass: exit code" 0 $?
check_eq "all pass: summary line" \
	"All $((N_TESTS - N_SKIPPED)) tests ($N_ACTIONS actions) successful, $N_SKIPPED tests skipped" \
	"$(tail -n 1 "$TMP/a.out")"
check_true "all pass: validation was on" grep -q "^flow validation: strict" "$TMP/a.out"
check_eq "all pass: progress lines" "$N_TESTS" "$(grep -c '^\[[0-9]*/36\] ' "$TMP/a.out")"
check_eq "all pass: JUnit tests failures skipped cases failed skipped" \
	"$N_TESTS 0 $N_SKIPPED $N_TESTS 0 $N_SKIPPED" "$(junit_summary "$TMP/a.xml")"
check_eq "all pass: topology removed" "" "$(topology_left)"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/a.out" "$TMP/a.err" | tail -n 60; fi

log "(a) -o json, keeping the topology for the next runs (--cleanup false)"
"$CLI" connectivity test --flow-validation strict --cleanup false -o json \
	>"$TMP/a.json" 2>"$TMP/a-json.err"
check_eq "json: exit code" 0 $?
check_eq "json: every test name, in order" "$(echo $ALL_TESTS)" \
	"$(jq -r '[.tests[].name] | join(" ")' "$TMP/a.json")"
check_eq "json: summary tests passed failed skipped actions" \
	"$N_TESTS $((N_TESTS - N_SKIPPED)) 0 $N_SKIPPED $N_ACTIONS" \
	"$(jq -r '.summary | "\(.tests) \(.passed) \(.failed) \(.skipped) \(.actions)"' "$TMP/a.json")"
check_eq "json: every action's flows matched" "$N_ACTIONS" \
	"$(jq '[.tests[].actions[] | select(.validation.result == "matched")] | length' "$TMP/a.json")"
check_eq "json: a tcp action shows its flows" "true" \
	"$(jq '[.tests[] | select(.name == "tcp-ipv4-endpoint-to-endpoint") | .actions[0].flows[]
	       | select(.flow.l4.TCP.destination_port == 7000)] | length > 0' "$TMP/a.json")"
check_eq "json: skipped external and external policy tests say why" "4" \
	"$(jq '[.tests[] | select(.status == "skipped" and (.message | test("not given")))] | length' \
		"$TMP/a.json")"
check_true "json: no-unexpected-drops asked the agent, took the policy tests' drops, read the counters" \
	grep -Eq '^passed: no unexpected drop seen by the agent \([1-9][0-9]* expected: the policy tests.? denied connections\); link drop counters unchanged$' \
	<<<"$(jq -r '.tests[] | select(.name == "no-unexpected-drops") | "\(.status): \(.message)"' \
		"$TMP/a.json")"
# The policy tests: what each action must be, written out from docs/connectivity.md.
check_eq "json: policy tests without --external-ip: statuses" \
	"passed passed skipped passed skipped" \
	"$(jq -r '[.tests[] | select(.name | startswith("policy-")) | .status] | join(" ")' "$TMP/a.json")"
check_eq "json: policy tests: each action's result and pattern" \
	"ok/tcp timeout/tcp-denied timeout/tcp-denied ok/tcp ok/tcp ok/tcp" \
	"$(jq -r '[.tests[] | select(.name | startswith("policy-")) | .actions[]
	           | "\(.result)/\(.validation.pattern)"] | join(" ")' "$TMP/a.json")"
check_eq "json: the denied connections' drops: reason, direction" \
	"POLICY_DENIED INGRESS POLICY_DENY INGRESS" \
	"$(jq -r '[.tests[] | select(.name | startswith("policy-")) | .actions[]
	           | select(.validation.pattern == "tcp-denied") | [.flows[].flow
	           | select(.verdict == "DROPPED")][0] | .drop_reason_desc, .traffic_direction]
	          | join(" ")' "$TMP/a.json")"
check_eq "json: policy-deny-port's drop names its policy" "netobs-ct-policy-deny-port" \
	"$(jq -r '[.tests[] | select(.name == "policy-deny-port") | .actions[0].flows[].flow
	           | select(.verdict == "DROPPED") | .ingress_denied_by[0].name][0]' "$TMP/a.json")"
check_eq "json: policy-audit's client2 flow was audited" "true" \
	"$(jq '[.tests[] | select(.name == "policy-audit") | .actions[0].flows[].flow
	        | select(.verdict == "AUDIT")] | length > 0' "$TMP/a.json")"
check_eq "json: no SYN-ACK for a denied connection" "0" \
	"$(jq '[.tests[] | select(.name | startswith("policy-")) | .actions[]
	        | select(.validation.pattern == "tcp-denied") | .flows[].flow
	        | select(.l4.TCP.flags.SYN and .l4.TCP.flags.ACK)] | length' "$TMP/a.json")"
check_eq "no policy left in the agent after the runs" "0" \
	"$("$CLI" policy get -o json | jq length)"
check_eq "echo's audit mode set back" "false" \
	"$(jq -r '.endpoints["netobs-ct-echo"].audit // false' "$STATE_DIR/policy.json")"
check_true "kept: how to remove it is said" grep -q "netobs connectivity cleanup" "$TMP/a-json.err"
check_true "kept: the namespaces are there" ip netns exec netobs-ct-echo true

log "(b) an nftables bridge rule drops UDP 7000: exactly the udp tests fail"
nft add table bridge "$NFT_TABLE"
nft add chain bridge "$NFT_TABLE" forward '{ type filter hook forward priority 0; }'
nft add rule bridge "$NFT_TABLE" forward udp dport 7000 drop
"$CLI" connectivity test --flow-validation strict --cleanup=false --connect-timeout 1s \
	--junit-file "$TMP/b.xml" >"$TMP/b.out" 2>&1
check_eq "udp dropped: exit code" 1 $?
check_true "udp dropped: the kept topology was reused" grep -q "earlier run kept" "$TMP/b.out"
check_eq "udp dropped: failed tests" \
	"udp-ipv4-endpoint-to-endpoint udp-ipv6-endpoint-to-endpoint" "$(junit_failed "$TMP/b.xml")"
check_eq "udp dropped: summary" \
	"2/$((N_TESTS - N_SKIPPED)) tests failed (4/$N_ACTIONS actions), $N_SKIPPED tests skipped" \
	"$(grep 'tests failed' "$TMP/b.out")"
check_true "udp dropped: the failure names the action and the timeout" \
	grep -q "^  udp-ipv4-endpoint-to-endpoint/client-to-echo: client (.*) -> echo (.*:7000): timeout" \
	"$TMP/b.out"
nft delete table bridge "$NFT_TABLE"

log "(c) the echo HTTP server stopped: exactly the http tests to echo fail"
remember_servers
HTTP_PID=$(cat "$CT_STATE_DIR/echo-http.pid" 2>/dev/null)
check_true "echo-http has a pid file" test -n "$HTTP_PID"
kill "${HTTP_PID:-0}"
if server_running "${HTTP_PID:-0}"; then fail "echo-http stopped"; else pass "echo-http stopped"; fi
"$CLI" connectivity test --flow-validation strict --cleanup=false --junit-file "$TMP/c.xml" \
	--retry 1 --retry-delay 100ms -o json >"$TMP/c.json" 2>"$TMP/c.err"
check_eq "http stopped: exit code" 1 $?
check_eq "http stopped: failed tests" \
	"http-ipv4-endpoint-to-endpoint http-ipv4-host-to-endpoint http-ipv6-endpoint-to-endpoint http-ipv6-host-to-endpoint" \
	"$(junit_failed "$TMP/c.xml")"
check_eq "http stopped: json agrees" "$(junit_failed "$TMP/c.xml")" \
	"$(jq -r '[.tests[] | select(.status == "failed") | .name] | sort | join(" ")' "$TMP/c.json")"
check_eq "http stopped: the probe says refused" "connection-refused" \
	"$(jq -r '.tests[] | select(.name == "http-ipv4-endpoint-to-endpoint") | .actions[0].result' \
		"$TMP/c.json")"
check_eq "http stopped: --retry 1 tried each failed action twice, each other once" "2 1" \
	"$(jq -r '([.tests[].actions[] | select(.passed | not) | .attempts] | unique | join(","))
		+ " " + ([.tests[].actions[] | select(.passed) | .attempts] | unique | join(","))' \
		"$TMP/c.json")"
remember_servers
"$CLI" connectivity cleanup >"$TMP/cleanup.out" 2>&1
check_eq "cleanup: exit code" 0 $?
check_true "cleanup: says what it removed" grep -q "^Removed" "$TMP/cleanup.out"
check_eq "cleanup: nothing left" "" "$(topology_left)"
"$CLI" connectivity cleanup >"$TMP/cleanup2.out" 2>&1
check_eq "cleanup again: exit code" 0 $?
check_true "cleanup again: nothing was there" grep -q "^No connectivity test topology" \
	"$TMP/cleanup2.out"

log "(d) SIGINT during a run removes everything"
# UDP dropped again, so the run is surely inside udp-ipv4's probe (2 s timeout) when
# SIGINT comes: the probe ends by its timeout, then the topology goes.
nft add table bridge "$NFT_TABLE"
nft add chain bridge "$NFT_TABLE" forward '{ type filter hook forward priority 0; }'
nft add rule bridge "$NFT_TABLE" forward udp dport 7000 drop
"$CLI" connectivity test >"$TMP/d.out" 2>&1 &
RUN_PID=$!
wait_for "the run reaches udp-ipv4" 60 grep -q '^\[3/36\] udp-ipv4-endpoint-to-endpoint' "$TMP/d.out"
remember_servers
STARTED=$SECONDS
kill -INT "$RUN_PID"
wait "$RUN_PID"
check_eq "interrupted: exit code" 1 $?
check_true "interrupted: ends within the probe's timeout and the cleanup" \
	test $((SECONDS - STARTED)) -le 10
check_true "interrupted: says so" grep -q "^Interrupted" "$TMP/d.out"
check_true "interrupted: the tests not run are skipped" grep -q "tests skipped" "$TMP/d.out"
check_eq "interrupted: the last test run" "[3/36] udp-ipv4-endpoint-to-endpoint" \
	"$(grep -o '^\[[0-9]*/36\] [a-z0-9-]*' "$TMP/d.out" | tail -n 1)"
check_eq "interrupted: nothing left" "" "$(topology_left)"
nft delete table bridge "$NFT_TABLE"

log "(k) SIGINT while the topology is being built removes everything"
"$CLI" connectivity test -v --junit-file "$TMP/k.xml" >"$TMP/k.out" 2>"$TMP/k.err" &
RUN_PID=$!
wait_for "the topology is being built" 30 grep -q '^building the topology' "$TMP/k.err"
kill -INT "$RUN_PID"
wait "$RUN_PID"
check_eq "interrupted while building: exit code" 1 $?
check_true "interrupted while building: says so" grep -q "^Interrupted" "$TMP/k.err"
check_eq "interrupted while building: no test ran, all skipped" "0 $N_TESTS" \
	"$(grep -c '^\[[0-9]*/36\] ' "$TMP/k.out") $("$PYTHON" -c '
import sys, xml.etree.ElementTree as ET
print(sum(1 for c in ET.parse(sys.argv[1]).getroot().iter("testcase")
          if c.find("skipped") is not None))' "$TMP/k.xml")"
check_eq "interrupted while building: nothing left" "" "$(topology_left)"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/k.out" "$TMP/k.err" | tail -n 30; fi

log "(e) --test selects exactly the named tests"
"$CLI" connectivity test --test '^tcp-' --test '!ipv6' -o json >"$TMP/e.json" 2>"$TMP/e.err"
check_eq "include and exclude: exit code" 0 $?
check_eq "include and exclude: the tests" \
	"tcp-ipv4-endpoint-to-endpoint tcp-ipv4-endpoint-to-host tcp-ipv4-host-to-endpoint" \
	"$(jq -r '[.tests[].name] | join(" ")' "$TMP/e.json")"
check_eq "include and exclude: progress counts the selected" "3" \
	"$(grep -c '^\[[0-9]/3\] ' "$TMP/e.err")"
"$CLI" connectivity test --test 'nxdomain' --test 'drops$' -o json >"$TMP/e2.json" 2>/dev/null
check_eq "two includes: exit code" 0 $?
check_eq "two includes: the tests" "dns-nxdomain-ipv4 dns-nxdomain-ipv6 no-unexpected-drops" \
	"$(jq -r '[.tests[].name] | join(" ")' "$TMP/e2.json")"
check_eq "nxdomain: the expected outcome passes" "nxdomain nxdomain" \
	"$(jq -r '[.tests[] | select(.name == "dns-nxdomain-ipv4") | .actions[].result] | join(" ")' \
		"$TMP/e2.json")"

log "(i) --external-ip and --external-target reach an \"external\" host this test made"
# The "outside" is a namespace of this test behind a veth of the host
# (10.248.0.0/24), never the host's default route: the clients' default
# route goes to the host, which forwards and masquerades to that veth. The
# namespace has no default route (the masqueraded source, 10.248.0.1, is on
# its link): nothing in it can reach beyond the host. Its HTTP server is a
# plain TCPServer: http.server.HTTPServer asks DNS for its own name (getfqdn),
# which would go to /etc/resolv.conf's server.
EXT_NS=${P}x
EXT_IF=${P}xh
EXT_IP=10.248.0.2
ip netns add "$EXT_NS"
ip link add "$EXT_IF" type veth peer name eth0 netns "$EXT_NS"
ip addr add 10.248.0.1/24 dev "$EXT_IF"
ip link set "$EXT_IF" up
ip -n "$EXT_NS" link set lo up
ip -n "$EXT_NS" addr add "$EXT_IP/24" dev eth0
ip -n "$EXT_NS" link set eth0 up
ip netns exec "$EXT_NS" "$PYTHON" -u -c '
import http.server, socketserver, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"external\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
socketserver.TCPServer.allow_reuse_address = True
server = socketserver.TCPServer((sys.argv[1], 80), Handler)
print("listening", flush=True)
server.serve_forever()
' "$EXT_IP" >"$TMP/ext-http.log" 2>&1 &
EXT_HTTP_PID=$!
# Nothing runs unless the route to the "external" address is this test's veth.
check_eq "external: the route to $EXT_IP is the test's veth" "$EXT_IF" \
	"$(ip -o route get "$EXT_IP" | grep -o 'dev [^ ]*' | cut -d' ' -f2)"
wait_for "the external HTTP server" 10 grep -q "^listening" "$TMP/ext-http.log" ||
	sed 's/^/# /' "$TMP/ext-http.log"
FORWARD_BEFORE=$(cat /proc/sys/net/ipv4/ip_forward)
EXT_TX_BEFORE=$(cat "/sys/class/net/$EXT_IF/statistics/tx_packets")
if [ "$(ip -o route get "$EXT_IP" | grep -o 'dev [^ ]*' | cut -d' ' -f2)" = "$EXT_IF" ]; then
	"$CLI" connectivity test --flow-validation strict --external-ip "$EXT_IP" \
		--external-target "$EXT_IP" --test 'external' -o json \
		>"$TMP/i.json" 2>"$TMP/i.err"
	check_eq "external: exit code (https has no server there)" 1 $?
else
	echo '{}' >"$TMP/i.json"
fi
check_eq "external: icmp-external-ip passed, its flows matched" "passed ok matched" \
	"$(jq -r '.tests[] | select(.name == "icmp-external-ip")
	          | "\(.status) \(.actions[0].result) \(.actions[0].validation.result)"' "$TMP/i.json")"
check_eq "external: http-external-target ran both: https refused, http ok and matched" \
	"client-to-external-https connection-refused client-to-external-http ok matched" \
	"$(jq -r '[.tests[] | select(.name == "http-external-target") | .actions[]
	           | .name, .result, (select(.result == "ok") | .validation.result)] | join(" ")' \
		"$TMP/i.json")"
check_true "external: the packets went to the test's namespace" \
	test "$(cat "/sys/class/net/$EXT_IF/statistics/tx_packets")" -gt "$EXT_TX_BEFORE"
check_eq "external: ip_forward restored" "$FORWARD_BEFORE" "$(cat /proc/sys/net/ipv4/ip_forward)"
check_eq "external: the masquerade table removed" "" "$(nft list tables | grep -w netobs_ct)"
check_eq "external: nothing left" "" "$(topology_left)"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/i.err"; jq -c '.tests[]' "$TMP/i.json" | sed 's/^/# /'; fi

log "(l) the policy tests with an outside address: deny by CIDR and toFQDNs run too"
# The external namespace's eth0 is a veth into a named namespace: the agent
# takes it for an endpoint, and CIDR rules and toFQDNs never select an
# endpoint (as in Cilium), so the suite skips those two tests saying so. An
# address on the namespace's lo, routed through it, is nobody's endpoint: the
# world, as a real outside address would be.
EXT_WORLD_IP=10.249.0.2
ip -n "$EXT_NS" addr add "$EXT_WORLD_IP/32" dev lo
ip route add 10.249.0.0/24 via "$EXT_IP" dev "$EXT_IF"
"$CLI" connectivity test --flow-validation strict --external-ip "$EXT_IP" \
	--test '^policy-(deny-cidr|to-fqdns)$' -o json >"$TMP/l1.json" 2>"$TMP/l1.err"
check_eq "endpoint's address: exit code" 0 $?
check_eq "endpoint's address: both skipped, saying why" "2" \
	"$(jq '[.tests[] | select(.status == "skipped" and (.message
	        | test("is endpoint .* address: CIDR rules and toFQDNs never select endpoints")))]
	       | length' "$TMP/l1.json")"
"$CLI" connectivity test --flow-validation strict --external-ip "$EXT_WORLD_IP" \
	--test '^policy-' --test 'drops$' --junit-file "$TMP/l.xml" -o json \
	>"$TMP/l.json" 2>"$TMP/l.err"
check_eq "policy with an outside address: exit code" 0 $?
check_eq "policy with an outside address: JUnit tests failures skipped cases failed skipped" \
	"6 0 0 6 0 0" "$(junit_summary "$TMP/l.xml")"
check_eq "policy with an outside address: summary tests passed actions matched" "6 6 12 12" \
	"$(jq -r '"\(.summary.tests) \(.summary.passed) \(.summary.actions) \([.tests[].actions[]
	          | select(.validation.result == "matched")] | length)"' "$TMP/l.json")"
check_eq "deny-cidr: TCP 80 to the CIDR dropped by its policy at egress, ICMP passes" \
	"timeout POLICY_DENY EGRESS netobs-ct-policy-deny-cidr ok" \
	"$(jq -r '.tests[] | select(.name == "policy-deny-cidr") | [.actions[0].result,
	          ([.actions[0].flows[].flow | select(.verdict == "DROPPED")][0]
	           | .drop_reason_desc, .traffic_direction, .egress_denied_by[0].name),
	          .actions[1].result] | join(" ")' "$TMP/l.json")"
check_eq "to-fqdns: resolved, then allowed; the other name resolved, then dropped" \
	"ok ok ok timeout POLICY_DENIED" \
	"$(jq -r '.tests[] | select(.name == "policy-to-fqdns") | [(.actions[] | .result),
	          ([.actions[3].flows[].flow | select(.verdict == "DROPPED")][0]
	           | .drop_reason_desc)] | join(" ")' "$TMP/l.json")"
check_eq "policy with an outside address: no policy left" "0" \
	"$("$CLI" policy get -o json | jq length)"
check_eq "policy with an outside address: nothing left" "" "$(topology_left)"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/l.err"; jq -c '.tests[]' "$TMP/l.json" | sed 's/^/# /'; fi
kill "$EXT_HTTP_PID"
wait "$EXT_HTTP_PID" 2>/dev/null
ip netns del "$EXT_NS"

policy_count() { "$CLI" policy get -o json | jq length; }

log "(m) SIGINT in the middle of a policy test: its policy is deleted, nothing left"
# The denied action waits out its 2 s connect timeout with the policy loaded.
"$CLI" connectivity test --test '^policy-' >"$TMP/m.out" 2>&1 &
RUN_PID=$!
wait_for "policy-default-deny-ingress has its policy loaded" 60 output_is 1 policy_count
check_eq "the run's policy is in the agent" "netobs-ct-policy-default-deny-ingress" \
	"$("$CLI" policy get -o json | jq -r '.[0].metadata.name')"
remember_servers
kill -INT "$RUN_PID"
wait "$RUN_PID"
check_eq "interrupted in a policy test: exit code" 1 $?
check_true "interrupted in a policy test: says so" grep -q "^Interrupted" "$TMP/m.out"
check_eq "interrupted in a policy test: the last test run" "[1/5] policy-default-deny-ingress" \
	"$(grep -o '^\[[0-9]*/5\] [a-z0-9-]*' "$TMP/m.out" | tail -n 1)"
check_eq "interrupted in a policy test: no policy left" "0" "$(policy_count)"
check_eq "interrupted in a policy test: nothing left" "" "$(topology_left)"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/m.out"; fi

log "(n) a run killed (SIGKILL) in a policy test: connectivity cleanup deletes its policy"
"$CLI" connectivity test --test '^policy-deny-port$' >"$TMP/n.out" 2>&1 &
RUN_PID=$!
wait_for "policy-deny-port has its policy loaded" 60 output_is 1 policy_count
kill -KILL "$RUN_PID"
wait "$RUN_PID" 2>/dev/null
check_eq "killed: its policy is left" "netobs-ct-policy-deny-port" \
	"$("$CLI" policy get -o json | jq -r '.[0].metadata.name')"
"$CLI" connectivity cleanup >"$TMP/n-cleanup.out" 2>&1
check_eq "cleanup after a kill: exit code" 0 $?
check_true "cleanup after a kill: says it deleted the policy" \
	grep -q "^Deleted policy netobs-ct-policy-deny-port a connectivity test left" \
	"$TMP/n-cleanup.out"
check_eq "cleanup after a kill: no policy left" "0" "$(policy_count)"
check_eq "cleanup after a kill: nothing left" "" "$(topology_left)"

log "(j) the agent stops in the middle of a run"
# The agent of (i), whose external namespace went (its nsid is reused by
# this run's namespaces: test_endpoint_churn.sh).
# UDP dropped, as in (d): the run sits in udp-ipv4's probe (2 s timeout)
# while the agent goes; its flows, and every later action's, cannot be fetched.
nft add table bridge "$NFT_TABLE"
nft add chain bridge "$NFT_TABLE" forward '{ type filter hook forward priority 0; }'
nft add rule bridge "$NFT_TABLE" forward udp dport 7000 drop
"$CLI" connectivity test --test '-ipv4-endpoint-to-endpoint$' --test 'drops$' \
	--flow-validation strict >"$TMP/j.out" 2>"$TMP/j.err" &
RUN_PID=$!
wait_for "the run reaches udp-ipv4" 60 grep -q '^\[3/6\] udp-ipv4' "$TMP/j.out"
# Frozen first, so nothing answers once this case has decided it is gone.
kill -STOP "$AGENT_PID"
kill -TERM "$AGENT_PID"
kill -CONT "$AGENT_PID"
wait "$AGENT_PID"
AGENT_PID=
wait "$RUN_PID"
check_eq "agent gone: exit code" 1 $?
check_eq "agent gone: said once, with what to do" 1 \
	"$(grep -c "the agent at $SOCK stopped answering: flow validation is off for the rest of the run; restart netobs-agent" "$TMP/j.err")"
check_true "agent gone: no-unexpected-drops fails, saying why" \
	grep -q "no-unexpected-drops: the agent's drops could not be fetched" "$TMP/j.out"
check_eq "agent gone: the last test ran" "[6/6] no-unexpected-drops" \
	"$(grep -o '^\[[0-9]*/6\] [a-z0-9-]*' "$TMP/j.out" | tail -n 1)"
check_eq "agent gone: nothing left" "" "$(topology_left)"
check_true "agent gone: http after it was not validated, not failed" \
	grep -q '^\[4/6\] http-ipv4-endpoint-to-endpoint \.\.$' "$TMP/j.out"
if [ "$FAILED" -gt 0 ]; then sed 's/^/# /' "$TMP/j.out" "$TMP/j.err" | tail -n 40; fi
nft delete table bridge "$NFT_TABLE"
agent_start

log "(f) no agent: validation off, the tests still pass"
agent_stop
"$CLI" connectivity test --test '-ipv4-endpoint-to-endpoint$' --flow-validation strict \
	>"$TMP/f.out" 2>&1
check_eq "no agent: exit code" 0 $?
check_true "no agent: validation off, said once" \
	test "$(grep -c "^flow validation: off (no agent at $SOCK" "$TMP/f.out")" = 1
check_eq "no agent: summary" "All 5 tests (10 actions) successful, 0 tests skipped" \
	"$(tail -n 1 "$TMP/f.out")"
check_eq "no agent: nothing left" "" "$(topology_left)"
"$CLI" connectivity test --test '^policy-' -o json >"$TMP/f2.json" 2>/dev/null
check_eq "no agent: policy tests: exit code" 0 $?
check_eq "no agent: the five policy tests skipped, saying they need an agent" "5" \
	"$(jq '[.tests[] | select(.status == "skipped" and (.message
	        | startswith("needs a running agent to enforce its policy (no agent at")))]
	       | length' "$TMP/f2.json")"

log "(h) flow validation fails when the flows lack a step: an agent that decodes no HTTP"
# --http-ports 1: the agent makes no HTTP records on port 80, so the HTTP
# pattern's request is missing while the probes succeed.
agent_start --http-ports 1
"$CLI" connectivity test --test '^http-ipv4-endpoint-to-endpoint$' >"$TMP/h1.out" 2>&1
check_eq "warning mode: exit code" 0 $?
check_true "warning mode: both actions warned" grep -q '^\[1/1\] http-ipv4-endpoint-to-endpoint !!$' \
	"$TMP/h1.out"
check_true "warning mode: the missing step, with its flows" grep -A1 -q \
	"client-to-echo: .*: flow validation: no HTTP GET request from 10.247.0.10 to 10.247.0.20:80" \
	"$TMP/h1.out"
"$CLI" connectivity test --test '^http-ipv4-endpoint-to-endpoint$' --flow-validation strict \
	-o json >"$TMP/h2.json" 2>/dev/null
check_eq "strict mode: exit code" 1 $?
check_eq "strict mode: both actions failed on validation, the probes succeeded" \
	"ok failed ok failed" \
	"$(jq -r '[.tests[0].actions[] | .result, .validation.result] | join(" ")' "$TMP/h2.json")"
agent_stop

log "(g) usage errors exit 2 with a clear message"
"$CLI" connectivity test --flow-validation sometimes >/dev/null 2>"$TMP/g1.err"
check_eq "bad --flow-validation: exit code" 2 $?
check_true "bad --flow-validation: message" \
	grep -q "invalid --flow-validation 'sometimes': expected disabled, warning or strict" \
	"$TMP/g1.err"
"$CLI" connectivity test --test '(' >/dev/null 2>"$TMP/g2.err"
check_eq "bad regex: exit code" 2 $?
check_true "bad regex: message" grep -q "invalid --test '('" "$TMP/g2.err"
"$CLI" connectivity test --cleanup=maybe >/dev/null 2>"$TMP/g3.err"
check_eq "bad --cleanup: exit code" 2 $?
"$CLI" connectivity >/dev/null 2>"$TMP/g4.err"
check_eq "no subcommand: exit code" 2 $?
check_true "no subcommand: message" grep -q "missing subcommand: test or cleanup" "$TMP/g4.err"
check_eq "usage errors: nothing made" "" "$(topology_left)"

finish
