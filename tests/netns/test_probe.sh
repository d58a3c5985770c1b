#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# netobs probe against real servers in namespaces: every result the icmp,
# tcp and udp probes give, produced for real (a listener, a closed port, a
# neighbour that never answers, a neighbour that never resolves, routes that
# say unreachable or nothing at all), checked by name in text and JSON with
# the exit code; --from with a netns name (no agent) and with an endpoint
# (agent running); usage errors. http, https and dns are skipped while the
# CLI says they are "not built".
source "$(dirname "$0")/lib.sh"

bridge_create
endpoint_create 1 # the client
endpoint_create 2 # the servers
C=$(endpoint_ns 1)
S=$(endpoint_ns 2)
SILENT=10.201.0.99  # a neighbour entry with a MAC nobody has: packets leave, nothing comes back
NOBODY=10.201.0.98  # on the subnet, no neighbour entry: ARP fails -> host unreachable
TCP_PORT=8080
UDP_PORT=9000

ip -n "$C" neigh add "$SILENT" lladdr 02:00:00:00:00:99 dev eth0 nud permanent
# ARP gives up after one probe of 100 ms instead of three of a second.
ip netns exec "$C" sysctl -qw net.ipv4.neigh.eth0.mcast_solicit=1 \
	net.ipv4.neigh.eth0.ucast_solicit=1 net.ipv4.neigh.eth0.retrans_time_ms=100
# `unreachable` answers EHOSTUNREACH; 192.0.2.0/24 has no route at all.
ip -n "$C" route add unreachable 198.51.100.0/24
# `prohibit` answers EACCES, `blackhole` EINVAL: "error", with a detail that says why.
ip -n "$C" route add prohibit 198.18.1.0/24
ip -n "$C" route add blackhole 198.18.2.0/24
# The servers' namespace lets root use ping sockets; the client's does not (raw socket).
ip netns exec "$S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

ip netns exec "$S" "$PYTHON" -c '
import socket, sys
t = socket.socket(socket.AF_INET6); t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("::", '$TCP_PORT')); t.listen(64)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
u.bind(("::", '$UDP_PORT'))
import selectors
sel = selectors.DefaultSelector(); sel.register(t, selectors.EVENT_READ); sel.register(u, selectors.EVENT_READ)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        if key.fileobj is t:
            c, _ = t.accept(); c.close()
        else:
            data, peer = u.recvfrom(2048); u.sendto(data, peer)
' >"$TMP/servers.log" 2>&1 &
wait_for "servers listening" 5 grep -q ready "$TMP/servers.log"

# probe_in NS ARGS...: run `netobs probe ARGS` in NS; stdout in $OUT, exit code in $RC.
probe_in() {
	local ns=$1; shift
	OUT=$(ip netns exec "$ns" "$CLI" probe "$@" 2>"$TMP/err")
	RC=$?
}

# expect KIND TARGET RESULT EXIT: one attempt from the client, text then JSON.
expect() {
	local kind=$1 target=$2 result=$3 rc=$4 line
	probe_in "$C" "$kind" "$target" --count 1 --timeout 500ms
	line=$(echo "$OUT" | head -n 1)
	check_eq "$kind $target: text result" "$result" "$(echo "$line" | awk '{print $3}')"
	check_eq "$kind $target: text exit code" "$rc" "$RC"
	probe_in "$C" "$kind" "$target" --count 1 --timeout 500ms -o json
	check_eq "$kind $target: json result" "$result" "$(echo "$OUT" | jq -r '.attempts[0].result')"
	check_eq "$kind $target: json summary" "1" "$(echo "$OUT" | jq -r ".summary.results[\"$result\"]")"
	check_eq "$kind $target: json exit code" "$rc" "$RC"
}

log "icmp"
expect icmp 10.201.0.2 ok 0
expect icmp fd00:201::2 ok 0
expect icmp "$SILENT" timeout 1
expect icmp "$NOBODY" host-unreachable 1
expect icmp 198.51.100.1 host-unreachable 1
expect icmp 192.0.2.1 network-unreachable 1
expect icmp no-such-host.invalid resolve-failed 1
expect icmp 198.18.1.1 error 1
check_true "prohibit route: the detail says so" grep -q "prohibit" <<<"$OUT"
expect icmp 198.18.2.1 error 1
check_true "blackhole route: the detail says so" grep -q "blackhole" <<<"$OUT"
probe_in "$S" icmp 10.201.0.1 --count 1
check_eq "icmp through a ping socket: ok" "ok 0" "$(awk 'NR==1{print $3}' <<<"$OUT") $RC"
probe_in "$S" icmp fd00:201::1 --count 1
check_eq "icmpv6 through a ping socket: ok" "ok 0" "$(awk 'NR==1{print $3}' <<<"$OUT") $RC"

log "tcp"
expect tcp "10.201.0.2:$TCP_PORT" ok 0
expect tcp "[fd00:201::2]:$TCP_PORT" ok 0
expect tcp "10.201.0.2:$((TCP_PORT + 1))" connection-refused 1
expect tcp "$SILENT:$TCP_PORT" timeout 1
expect tcp "$NOBODY:$TCP_PORT" host-unreachable 1
expect tcp "192.0.2.1:$TCP_PORT" network-unreachable 1

log "udp"
expect udp "10.201.0.2:$UDP_PORT" ok 0
expect udp "[fd00:201::2]:$UDP_PORT" ok 0
expect udp "10.201.0.2:$((UDP_PORT + 1))" connection-refused 1
expect udp "$SILENT:$UDP_PORT" timeout 1
probe_in "$C" udp "$SILENT:$UDP_PORT" --count 1 --timeout 200ms
check_true "udp timeout says a silent service and a filter look alike" \
	grep -q "cannot tell" <<<"$OUT"

log "counting, summary, mixed results"
probe_in "$C" tcp "10.201.0.2:$TCP_PORT" --count 3 --interval 50ms
check_eq "--count 3: three attempt lines" 3 "$(grep -c '^[0-9]*: 10.201.0.2:8080 ok [0-9.]* ms' <<<"$OUT")"
check_true "summary with min/avg/max" grep -q '^3 sent, 3 ok, min/avg/max = [0-9.]*/[0-9.]*/[0-9.]* ms$' <<<"$OUT"
probe_in "$C" icmp "$SILENT" --count 2 --interval 0 --timeout 200ms
check_eq "two timeouts counted by name" "2 sent, 0 ok; 2 timeout" "$(grep ' sent, ' <<<"$OUT")"
check_true "a timeout line says after how long" grep -q '^1: 10.201.0.99 timeout after 200 ms' <<<"$OUT"
probe_in "$C" tcp "10.201.0.2:$TCP_PORT" --count 2 --interval 50ms -o json
check_eq "json: 2 attempts, 2 ok, from null" "2 2 2 null tcp" \
	"$(jq -r '"\(.attempts|length) \(.summary.sent) \(.summary.ok) \(.from) \(.kind)"' <<<"$OUT")"
check_eq "json: 0 < min <= avg <= max" true \
	"$(jq '.summary | .min_ns > 0 and .min_ns <= .avg_ns and .avg_ns <= .max_ns' <<<"$OUT")"

log "--from a namespace name, no agent"
# The host has no address on the bridge: only inside the client's namespace
# does 10.201.0.2 answer.
OUT=$("$CLI" probe icmp 10.201.0.2 --from "$C" --count 2 --interval 50ms)
RC=$?
check_eq "--from netns: two ok lines" 2 "$(grep -c ' ok ' <<<"$OUT")"
check_eq "--from netns: exit 0" 0 "$RC"
check_eq "no agent: one line says so, last" \
	"flows: no agent at $SOCK (start netobs-agent to see the flows of this probe)" \
	"$(tail -n 1 <<<"$OUT")"
check_eq "no agent: no flows heading" 0 "$(grep -c '^Flows seen' <<<"$OUT")"
OUT=$("$CLI" probe icmp 10.201.0.2 --from "$C" --count 1 -o json)
check_eq "no agent, json: exit 0, flows null, the note" "0 null true" \
	"$? $(jq -c '.flows' <<<"$OUT") $(jq --arg s "$SOCK" '.flows_note | startswith("no agent at " + $s)' <<<"$OUT")"
OUT=$("$CLI" probe icmp 10.201.0.2 --from "$C" --count 1 --no-flows)
check_eq "no agent, --no-flows: no flows line" "0 0" "$? $(grep -c '^flows:' <<<"$OUT")"
OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1 -o json)
check_eq "--from netns: json from" "$C" "$(jq -r .from <<<"$OUT")"
"$CLI" probe icmp 10.201.0.2 --from "${P}nosuch" --count 1 >/dev/null 2>"$TMP/err"
check_eq "--from unknown: exit 1" 1 "$?"
check_true "--from unknown: says so" grep -q "no such endpoint.*nor network namespace" "$TMP/err"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
as_nobody "$CLI" probe icmp 10.201.0.2 --from "$C" --count 1 >/dev/null 2>"$TMP/err"
check_eq "--from as a user: exit 1" 1 "$?"
check_true "--from as a user: needs root" grep -q "needs root" "$TMP/err"
# The client's namespace lets nobody use ping sockets, and a user has no raw socket.
OUT=$(ip netns exec "$C" setpriv --reuid 65534 --regid 65534 --clear-groups \
	"$CLI" probe icmp 10.201.0.2 --count 1)
check_eq "icmp as a user without ping_group_range: exit 1" 1 "$?"
check_true "icmp as a user: names ping_group_range" grep -q "ping_group_range" <<<"$OUT"

log "--from an endpoint, agent running"
endpoint_known() { "$CLI" endpoints -o json | grep -q "\"name\":\"$1\""; }
agent_start || fail "agent start"
wait_for "agent lists the client endpoint" 5 endpoint_known "$C" || fail "agent lists $C"
OUT=$("$CLI" probe udp "10.201.0.2:$UDP_PORT" --from "$C" --count 1)
check_eq "--from endpoint: exit 0" 0 "$?"
check_true "--from endpoint: ok" grep -q "^1: 10.201.0.2:9000 ok" <<<"$OUT"

log "the flows the agent saw for a probe"
# Each packet is seen twice: leaving the client (its veth's ingress hook) and
# reaching the server (the server veth's egress hook); a flow's NEW record
# carries its first packet's flags. One attempt, so one of each packet.
syn='select(.flow.l4.TCP.flags.SYN and (.flow.l4.TCP.flags.ACK | not))'
synack='select(.flow.l4.TCP.flags.SYN and .flow.l4.TCP.flags.ACK)'
rst='select(.flow.l4.TCP.flags.RST)'
count() { jq "[.flows[] | $1] | length" <<<"$OUT"; }
OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1 -o json)
check_eq "tcp ok: exit 0" 0 "$?"
check_eq "tcp ok: 2 SYN (client's veth, server's), 2 SYN-ACK, 0 RST" "2 2 0" \
	"$(count "$syn") $(count "$synack") $(count "$rst")"
check_eq "tcp ok: the SYNs go from the client to the server port" \
	"10.201.0.1 10.201.0.2 $TCP_PORT" \
	"$(jq -r "[.flows[] | $syn | .flow | \"\\(.IP.source) \\(.IP.destination) \\(.l4.TCP.destination_port)\"] | unique | join(\",\")" <<<"$OUT")"
check_eq "tcp ok: every record is of the target's port" true \
	"$(jq "[.flows[].flow.l4.TCP | .source_port == $TCP_PORT or .destination_port == $TCP_PORT] | all" <<<"$OUT")"
check_eq "tcp ok: no flows_note" null "$(jq -c .flows_note <<<"$OUT")"
OUT=$("$CLI" probe tcp "10.201.0.2:$((TCP_PORT + 1))" --from "$C" --count 1 -o json)
check_eq "tcp refused: exit 1" 1 "$?"
check_eq "tcp refused: 2 SYN, 0 SYN-ACK, 2 RST" "2 0 2" \
	"$(count "$syn") $(count "$synack") $(count "$rst")"
OUT=$("$CLI" probe icmp 10.201.0.2 --from "$C" --count 1 -o json)
check_eq "icmp: 2 echo requests, 2 echo replies (type 0: an empty ICMPv4)" "2 2" \
	"$(count 'select(.flow.l4.ICMPv4.type == 8)') $(count 'select(.flow.l4.ICMPv4 == {})')"
OUT=$("$CLI" probe icmp fd00:201::2 --from "$C" --count 1 -o json)
check_eq "icmpv6: 2 echo requests, 2 echo replies" "2 2" \
	"$(count 'select(.flow.l4.ICMPv6.type == 128)') $(count 'select(.flow.l4.ICMPv6.type == 129)')"
# The patterns `netobs connectivity test` validates with (lib/flow_expect.h), on these real records.
FLOW_EXPECT=$BIN_DIR/tests/flow_expect_check
OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1 -o json)
check_eq "pattern tcp on a connection: SYN, SYN-ACK, FIN or RST" "matched 3/3" \
	"$("$FLOW_EXPECT" tcp 10.201.0.1 10.201.0.2 "$TCP_PORT" <<<"$OUT")"
OUT=$("$CLI" probe tcp "10.201.0.2:$((TCP_PORT + 1))" --from "$C" --count 1 -o json)
check_eq "pattern tcp on a refused connection: the SYN-ACK is missing" \
	"failed 1/3: no SYN-ACK from 10.201.0.2:$((TCP_PORT + 1)) to 10.201.0.1" \
	"$("$FLOW_EXPECT" tcp 10.201.0.1 10.201.0.2 "$((TCP_PORT + 1))" <<<"$OUT")"
check_eq "pattern tcp-denied on a refused connection: no drop" \
	"failed 1/2: no drop of the connection from 10.201.0.1 to 10.201.0.2:$((TCP_PORT + 1))" \
	"$("$FLOW_EXPECT" tcp-denied 10.201.0.1 10.201.0.2 "$((TCP_PORT + 1))" <<<"$OUT")"
OUT=$("$CLI" probe tcp "[fd00:201::2]:$TCP_PORT" --from "$C" --count 1 -o json)
check_eq "pattern tcp, IPv6" "matched 3/3" \
	"$("$FLOW_EXPECT" tcp fd00:201::1 fd00:201::2 "$TCP_PORT" <<<"$OUT")"
OUT=$("$CLI" probe udp "10.201.0.2:$UDP_PORT" --from "$C" --count 1 -o json)
check_eq "pattern udp: a datagram each way" "matched 2/2" \
	"$("$FLOW_EXPECT" udp 10.201.0.1 10.201.0.2 "$UDP_PORT" <<<"$OUT")"
OUT=$("$CLI" probe icmp 10.201.0.2 --from "$C" --count 1 -o json)
check_eq "pattern icmp: request and reply" "matched 2/2" \
	"$("$FLOW_EXPECT" icmp 10.201.0.1 10.201.0.2 0 <<<"$OUT")"
OUT=$("$CLI" probe icmp fd00:201::2 --from "$C" --count 1 -o json)
check_eq "pattern icmp, IPv6" "matched 2/2" "$("$FLOW_EXPECT" icmp fd00:201::1 fd00:201::2 0 <<<"$OUT")"
check_eq "pattern icmp from the wrong client: nothing of it" \
	"failed 0/2: no ICMP echo request from fd00:201::3 to fd00:201::2" \
	"$("$FLOW_EXPECT" icmp fd00:201::3 fd00:201::2 0 <<<"$OUT")"

OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1)
check_eq "text: exit 0" 0 "$?"
heading=$(grep '^Flows seen by netobs-agent (' <<<"$OUT")
n=$(sed -n 's/^Flows seen by netobs-agent (\([0-9]*\)):$/\1/p' <<<"$heading")
check_true "text: a heading with the count after the summary" \
	bash -c "[ -n '$n' ] && [ '$n' -ge 4 ] && grep -A1 ' sent, ' <<<\"\$1\" | grep -q '^Flows seen'" _ "$OUT"
check_eq "text: as many compact lines as the heading says" "$n" \
	"$(grep -Ec '^  [A-Z][a-z]{2} [ 0-9][0-9] [0-9:.]+: [^ ]+:[0-9]+ .* (->|<-) ' <<<"$OUT")"
check_eq "text: 2 SYN lines" 2 "$(grep -c '(TCP Flags: SYN) new' <<<"$OUT")"
OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1 --no-flows -o json)
check_eq "--no-flows, json: no flows key" false "$(jq 'has("flows")' <<<"$OUT")"
OUT=$("$CLI" probe tcp "10.201.0.2:$TCP_PORT" --from "$C" --count 1 --no-flows)
check_eq "--no-flows, text: the summary is the last line" 1 "$(tail -n 1 <<<"$OUT" | grep -c ' sent, ')"
# An endpoint whose peer is in an unnamed namespace (a process's, not `ip netns
# add`'s) is named after its interface: only the agent knows it, and says
# it cannot be entered (without the agent the name would be unknown).
unshare --net sleep 60 &
UNNAMED_PID=$!
ip link add "${P}u0" type veth peer name "${P}u1"
ip link set "${P}u1" netns "/proc/$UNNAMED_PID/ns/net"
ip link set "${P}u0" up
if wait_for "agent lists ${P}u0" 5 endpoint_known "${P}u0"; then
	"$CLI" probe icmp 10.201.0.2 --from "${P}u0" --count 1 >/dev/null 2>"$TMP/err"
	check_eq "--from endpoint without a named netns: exit 1" 1 "$?"
	check_true "--from endpoint without a named netns: the agent's answer" \
		grep -q "endpoint '${P}u0' has no named network namespace" "$TMP/err"
else
	fail "agent lists ${P}u0"
fi
agent_stop

log "usage errors"
usage_error() {
	local desc=$1; shift
	"$CLI" probe "$@" >/dev/null 2>"$TMP/err"
	check_eq "usage: $desc: exit 2" 2 "$?"
	check_true "usage: $desc: says what" grep -q "^Error: " "$TMP/err"
}
usage_error "no kind"
usage_error "unknown kind" smtp 10.0.0.1
usage_error "no target" tcp
usage_error "tcp without port" tcp 10.0.0.1
usage_error "port out of range" tcp 10.0.0.1:70000
usage_error "port zero" udp 10.0.0.1:0
usage_error "count 0" icmp 10.0.0.1 --count 0
usage_error "bad duration" icmp 10.0.0.1 --timeout fast
usage_error "bad interval unit" icmp 10.0.0.1 --interval 3h
usage_error "--server with tcp" tcp 10.0.0.1:80 --server 10.0.0.2
usage_error "--method with icmp" icmp 10.0.0.1 --method POST
usage_error "--type bad" dns example.com --type BOGUS
usage_error "bad output" icmp 10.0.0.1 -o table
usage_error "extra argument" icmp 10.0.0.1 10.0.0.2
check_true "help names the exit status" bash -c "'$CLI' probe --help | grep -q 'Exit status: 0 when every attempt succeeded'"

log "http, https, dns through the command, with real servers in the server's namespace"
HTTP_PORT=8081 HTTPS_PORT=8443
# A CA made on the spot, and a certificate for 10.201.0.2 it signed.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=netobs-test-ca \
	-keyout "$TMP/ca.key" -out "$TMP/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=10.201.0.2 -keyout "$TMP/srv.key" \
	-out "$TMP/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:10.201.0.2\n' >"$TMP/san.ext"
openssl x509 -req -in "$TMP/srv.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
	-days 1 -extfile "$TMP/san.ext" -out "$TMP/srv.pem" 2>/dev/null
ip netns exec "$S" "$PYTHON" -c '
import http.server, ssl, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        code = 404 if self.path.startswith("/missing") else 503 if self.path.startswith("/down") else 200
        self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
plain = http.server.HTTPServer(("10.201.0.2", int(sys.argv[1])), H)
tls = http.server.HTTPServer(("10.201.0.2", int(sys.argv[2])), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[3], sys.argv[4])
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
threading.Thread(target=plain.serve_forever, daemon=True).start()
tls.serve_forever()' "$HTTP_PORT" "$HTTPS_PORT" "$TMP/srv.pem" "$TMP/srv.key" &
ip netns exec "$S" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.201.0.2 --user=root --pid-file="$TMP/dnsmasq.pid" --local=/probe.test/ \
	--host-record=web.probe.test,10.201.0.2 --log-facility="$TMP/dnsmasq.log" &
wait_for "the HTTP and DNS servers" 10 bash -c "ip netns exec $C '$CLI' probe http http://10.201.0.2:$HTTP_PORT/ --count 1 >/dev/null &&
	ip netns exec $C '$CLI' probe dns web.probe.test --server 10.201.0.2 --count 1 >/dev/null"

result() { awk 'NR==1{print $3}' <<<"$OUT"; }
probe_in "$C" http "http://10.201.0.2:$HTTP_PORT/" --count 2
check_eq "http 200: ok, exit 0" "ok 0" "$(result) $RC"
probe_in "$C" http "http://10.201.0.2:$HTTP_PORT/missing" --count 1
check_eq "http 404: http-status, exit 1" "http-status 1" "$(result) $RC"
check_true "... and says HTTP 404" grep -q "HTTP 404" <<<"$OUT"
probe_in "$C" http "http://10.201.0.2:$HTTP_PORT/down" --count 1
check_true "http 503 says HTTP 503" grep -q "http-status.*HTTP 503" <<<"$OUT"
probe_in "$C" http "http://10.201.0.2:$HTTP_PORT/missing" --expect-status 404 --count 1
check_eq "--expect-status 404 on a 404: ok" "ok 0" "$(result) $RC"
probe_in "$C" http "http://10.201.0.2:$((HTTP_PORT + 10))/" --count 1
check_eq "http to a closed port: connection-refused" "connection-refused 1" "$(result) $RC"
probe_in "$C" https "https://10.201.0.2:$HTTPS_PORT/" --count 1
check_eq "https, CA not given: tls-verify-failed" "tls-verify-failed 1" "$(result) $RC"
probe_in "$C" https "https://10.201.0.2:$HTTPS_PORT/" --cacert "$TMP/ca.pem" --count 1
check_eq "https with --cacert: ok" "ok 0" "$(result) $RC"
probe_in "$C" https "https://10.201.0.2:$HTTPS_PORT/" --insecure --count 1
check_eq "https --insecure: ok" "ok 0" "$(result) $RC"
probe_in "$C" dns web.probe.test --server 10.201.0.2 --count 2
check_eq "dns A: ok, exit 0" "ok 0" "$(result) $RC"
check_true "... answers 10.201.0.2" grep -q "10.201.0.2" <<<"$OUT"
probe_in "$C" dns nope.probe.test --server 10.201.0.2 --count 1
check_eq "dns NXDOMAIN: nxdomain, exit 1" "nxdomain 1" "$(result) $RC"
probe_in "$C" dns web.probe.test --server 10.201.0.2 --type AAAA --count 1
check_eq "dns AAAA of a name with only A: dns-no-answer" "dns-no-answer 1" "$(result) $RC"
probe_in "$C" dns web.probe.test --server "$SILENT" --count 1 --timeout 300ms
check_eq "dns to a silent server: timeout" "timeout 1" "$(result) $RC"
probe_in "$C" dns web.probe.test --server 10.201.0.3 --count 1 --timeout 1s
check_true "dns to an address nobody has: host-unreachable or timeout, never ok" \
	bash -c "[ '$RC' = 1 ] && grep -Eq '^1: .* (host-unreachable|timeout)' <<<\"\$1\"" _ "$OUT"
OUT=$("$CLI" probe dns web.probe.test --server 10.201.0.2 --from "$C" --count 1 -o json); RC=$?
check_eq "dns -o json --from: result, rcode, answers" 'ok 0 10.201.0.2 0' \
	"$(jq -r '.attempts[0] | "\(.result) \(.dns_rcode) \(.answers)"' <<<"$OUT") $RC"

log "DNS and HTTP patterns on the agent's real L7 records"
agent_start || fail "agent start"
wait_for "agent lists the client endpoint" 5 endpoint_known "$C" || fail "agent lists $C"
fe() { "$FLOW_EXPECT" "$@" <<<"$OUT"; }
OUT=$("$CLI" probe dns web.probe.test --server 10.201.0.2 --from "$C" --count 1 -o json)
check_eq "pattern dns: request and NOERROR response" "matched 2/2" \
	"$(fe dns 10.201.0.1 10.201.0.2 53 web.probe.test. 0)"
check_eq "pattern dns expecting NXDOMAIN: says the rcode it got" \
	"failed 1/2: no DNS response NXDOMAIN for web.probe.test. from 10.201.0.2:53 to 10.201.0.1 (the DNS response had rcode NOERROR, expected NXDOMAIN)" \
	"$(fe dns 10.201.0.1 10.201.0.2 53 web.probe.test. 3)"
OUT=$("$CLI" probe dns nope.probe.test --server 10.201.0.2 --from "$C" --count 1 -o json)
check_eq "pattern dns: NXDOMAIN response" "matched 2/2" \
	"$(fe dns 10.201.0.1 10.201.0.2 53 nope.probe.test. 3)"
OUT=$("$CLI" probe http "http://10.201.0.2:$HTTP_PORT/" --from "$C" --count 1 -o json)
check_eq "pattern http: GET and 200" "matched 2/2" \
	"$(fe http 10.201.0.1 10.201.0.2 "$HTTP_PORT" GET 200)"
check_eq "pattern tcp under the HTTP request" "matched 3/3" \
	"$(fe tcp 10.201.0.1 10.201.0.2 "$HTTP_PORT")"
OUT=$("$CLI" probe http "http://10.201.0.2:$HTTP_PORT/missing" --from "$C" --count 1 -o json)
check_eq "pattern http expecting 200 on a 404: says the status it got" \
	"failed 1/2: no HTTP 200 response from 10.201.0.2:$HTTP_PORT to 10.201.0.1 (the HTTP response had status 404, expected 200)" \
	"$(fe http 10.201.0.1 10.201.0.2 "$HTTP_PORT" GET 200)"
check_eq "pattern http expecting POST: says the method it got" \
	"failed 0/2: no HTTP POST request from 10.201.0.1 to 10.201.0.2:$HTTP_PORT (the HTTP request had method GET, expected POST)" \
	"$(fe http 10.201.0.1 10.201.0.2 "$HTTP_PORT" POST 404)"
agent_stop

log "dns --server forms, and --from's resolv.conf"
# --server [IPv6] without a port is what the dns probe reads, so the flag check takes it too.
for server in '[fd00:201::2]' '[fd00:201::2]:53' 'fd00:201::2'; do
	OUT=$("$CLI" probe dns web.probe.test --server "$server" --from "$C" --count 1 \
		--timeout 300ms --no-flows -o json)
	RC=$?
	check_eq "--server $server: taken (no usage error), peer [fd00:201::2]:53" \
		"1 [fd00:201::2]:53" "$RC $(jq -r '.attempts[0].peer' <<<"$OUT")"
done
usage_error "--server [IPv6 without ]" dns web.probe.test --server '[fd00:201::2'
usage_error "--server a name" dns web.probe.test --server dns.example
# Without --server, --from reads /etc/netns/NETNS/resolv.conf as `ip netns exec` would.
ETC_NETNS=/etc/netns/$C
[ -d /etc/netns ] && MADE_ETC_NETNS= || MADE_ETC_NETNS=1
trap 'rc=$?; rm -rf "$ETC_NETNS"; [ -n "$MADE_ETC_NETNS" ] && rmdir /etc/netns 2>/dev/null; (exit $rc); cleanup' EXIT
mkdir -p "$ETC_NETNS"
echo "nameserver 10.201.0.2" >"$ETC_NETNS/resolv.conf"
OUT=$("$CLI" probe dns web.probe.test --from "$C" --count 1 --no-flows -o json); RC=$?
check_eq "--from, no --server: the namespace's resolv.conf (10.201.0.2)" \
	"ok 10.201.0.2:53 10.201.0.2 0" \
	"$(jq -r '.attempts[0] | "\(.result) \(.peer) \(.answers)"' <<<"$OUT") $RC"
rm -rf "$ETC_NETNS"
OUT=$("$CLI" probe dns web.probe.test --from "$C" --count 1 --timeout 300ms --no-flows -o json)
check_true "--from without the namespace's resolv.conf: /etc/resolv.conf's server, not 10.201.0.2" \
	bash -c '[ "$1" != "10.201.0.2:53" ]' _ "$(jq -r '.attempts[0].peer' <<<"$OUT")"

finish
