#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# L7 end to end with real servers and clients: dnsmasq answering a test
# zone to dig (UDP, TCP, an added port, an unanswered query), an HTTP/1.1
# server answering curl (keep-alive, 404, chunked, a large download, non-HTTP
# bytes on port 80). Records must show exactly the names, answers, codes and
# request counts generated here, latency above zero, and the names on the
# flows that follow the answers.
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null && command -v dig >/dev/null && command -v curl >/dev/null || {
	echo "# dnsmasq, dig and curl are needed (scripts/deps.sh installs them)"; exit 1; }

# --- L7 options: bad values are refused with what was expected
bad_option() { # EXPECTED_TEXT ARGS...
	local want=$1 out rc; shift
	out=$("$AGENT" --socket "$TMP/never.sock" --bpffs "$BPFFS" --state-dir "$STATE_DIR" "$@" 2>&1); rc=$?
	check_true "netobs-agent $* is refused: $want" \
		bash -c "[ $rc -ne 0 ] && grep -qF -- \"$want\" <<<\"\$1\"" _ "$out"
}
bad_option "invalid --dns-ports '0': expected ports 1 to 65535" --dns-ports 0
bad_option "invalid --dns-ports '53,,54'" --dns-ports 53,,54
bad_option "invalid --http-ports '80,'" --http-ports 80,
bad_option "invalid --http-ports 'http'" --http-ports http
bad_option "invalid --dns-timeout '10ms'" --dns-timeout 10ms

bridge_create
for i in 1 2 3; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3)
V1=$(endpoint_if 1) V2=$(endpoint_if 2) V3=$(endpoint_if 3)

# --- servers: the zone on 53 and on an added port, HTTP on 8080, a sink on 80
for port in 53 5353; do
	ip netns exec "$E2" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
		--listen-address=10.201.0.2 --port=$port --user=root --pid-file="$TMP/dnsmasq$port.pid" \
		--local=/netobs.test/ --host-record=web.netobs.test,10.201.0.3 \
		--host-record=v6.netobs.test,fd00:201::3 --cname=alias.netobs.test,web.netobs.test \
		--log-facility="$TMP/dnsmasq$port.log" &
done
ip netns exec "$E3" "$PYTHON" "$(dirname "$0")/http_server.py" 10.201.0.3 8080 &
ip netns exec "$E3" "$PYTHON" -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.201.0.3", 80)); s.listen(8)
while True:
    c, _ = s.accept()
    while c.recv(65536): pass
    c.close()' &
agent_start --dns-ports 5353 --dns-timeout 1s || exit 1
wait_for "dnsmasq answers" 10 ip netns exec "$E1" dig +short +tries=1 +time=1 @10.201.0.2 web.netobs.test
wait_for "HTTP server answers" 10 ip netns exec "$E1" curl -sf -o /dev/null http://10.201.0.3:8080/ok-warmup
wait_for "warm-up records" 5 jq_any 'select(.flow.l7.http.code == 200)' <(flows_json)
START=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
sleep 0.1

digq() { ip netns exec "$E1" dig +tries=1 +time=2 "$@"; }

# --- DNS over UDP
for _ in 1 2 3; do digq @10.201.0.2 web.netobs.test A >/dev/null; done
digq @10.201.0.2 v6.netobs.test AAAA >/dev/null
digq @10.201.0.2 alias.netobs.test A >/dev/null
digq @10.201.0.2 nope.netobs.test A >/dev/null
# --- DNS over TCP, and on the added port
for _ in 1 2; do digq +tcp @10.201.0.2 web.netobs.test A >/dev/null; done
digq -p 5353 @10.201.0.2 v6.netobs.test AAAA >/dev/null
# --- nobody answers on endpoint 3's port 53
digq +tries=1 +time=1 @10.201.0.3 lost.netobs.test A >/dev/null
# --- HTTP: three requests on one kept-alive connection, then chunked + one more
RESOLVE=(--resolve web.netobs.test:8080:10.201.0.3)
ip netns exec "$E1" curl -s -o /dev/null "${RESOLVE[@]}" "http://web.netobs.test:8080/ok1?x=1" \
	-o /dev/null "http://web.netobs.test:8080/ok2" -o /dev/null "http://web.netobs.test:8080/missing"
ip netns exec "$E1" curl -s -o /dev/null "${RESOLVE[@]}" "http://web.netobs.test:8080/chunked" \
	-o /dev/null "http://web.netobs.test:8080/ok3"
slices_before=$("$CLI" status -o json | jq '.status.l7.slices')
ip netns exec "$E1" curl -s -o /dev/null "${RESOLVE[@]}" "http://web.netobs.test:8080/big?n=20000000"
slices_after=$("$CLI" status -o json | jq '.status.l7.slices')
# --- not HTTP on port 80: a TLS ClientHello's first bytes, then random bytes
ip netns exec "$E1" "$PYTHON" -c '
import os, socket
for payload in (bytes.fromhex("160301020001") + os.urandom(500), os.urandom(1000),
                b"GET \x01\x02\x03 HTTP/1.1\r\n\r\n"):
    s = socket.create_connection(("10.201.0.3", 80)); s.sendall(payload); s.close()'
sleep 1.5 # the DNS timeout (1s) and a harvest

l7() { flows_json --since "$START" --type l7 "$@"; }
count() { l7 "$@" | wc -l; }

# --- DNS, at endpoint 1's interface: requests leave it (ingress), responses reach it (egress)
check_eq "DNS requests for web.netobs.test. over UDP at $V1" 3 \
	"$(l7 --interface "$V1" --protocol udp | jq -s 'map(select(.flow.hook=="tc-ingress" and .flow.l7.type=="REQUEST" and .flow.l7.dns.query=="web.netobs.test." and .flow.l7.dns.qtypes==["A"])) | length')"
check_eq "DNS responses for web.netobs.test. over UDP at $V1: its address" 3 \
	"$(l7 --interface "$V1" --protocol udp | jq -s 'map(select(.flow.hook=="tc-egress" and .flow.l7.type=="RESPONSE" and .flow.l7.dns.query=="web.netobs.test." and .flow.l7.dns.ips==["10.201.0.3"] and (.flow.l7.dns.rcode // 0)==0)) | length')"
check_true "every DNS response at $V1 has a latency above zero" \
	bash -c "[ \"\$(\"$CLI\" flows --all -o json --since $START --type l7 --interface $V1 --protocol dns | jq -s 'map(select(.flow.l7.type==\"RESPONSE\" and (.flow.l7.unanswered|not)) | (.flow.l7.latency_ns // \"0\" | tonumber) > 0) | all')\" = true ]"
check_eq "the same requests at $V2 (reaching the server)" 3 \
	"$(l7 --interface "$V2" --protocol udp | jq -s 'map(select(.flow.hook=="tc-egress" and .flow.l7.type=="REQUEST" and .flow.l7.dns.query=="web.netobs.test.")) | length')"
check_eq "AAAA answer" '["fd00:201::3"] ["AAAA"]' \
	"$(l7 --interface "$V1" --protocol udp | jq -r 'select(.flow.l7.type=="RESPONSE" and .flow.l7.dns.query=="v6.netobs.test." and .flow.l4.UDP.source_port==53) | "\(.flow.l7.dns.ips|tojson) \(.flow.l7.dns.rrtypes|tojson)"')"
check_eq "CNAME chain" '["web.netobs.test."] ["10.201.0.3"]' \
	"$(l7 --interface "$V1" | jq -r 'select(.flow.l7.type=="RESPONSE" and .flow.l7.dns.query=="alias.netobs.test.") | "\(.flow.l7.dns.cnames|tojson) \(.flow.l7.dns.ips|tojson)"')"
check_eq "NXDOMAIN" 3 "$(l7 --interface "$V1" | jq -r 'select(.flow.l7.type=="RESPONSE" and .flow.l7.dns.query=="nope.netobs.test.") | .flow.l7.dns.rcode')"
check_eq "DNS over TCP: 2 requests and 2 responses at $V1" "2 2" \
	"$(l7 --interface "$V1" --protocol dns | jq -s '[(map(select(.flow.l4.TCP and .flow.l7.type=="REQUEST")) | length), (map(select(.flow.l4.TCP and .flow.l7.type=="RESPONSE" and .flow.l7.dns.ips==["10.201.0.3"])) | length)] | join(" ")' -r)"
check_eq "DNS on the added port 5353: request and response" "1 1" \
	"$(l7 --interface "$V1" --port 5353 | jq -s '[(map(select(.flow.l7.type=="REQUEST")) | length), (map(select(.flow.l7.type=="RESPONSE" and .flow.l7.dns.ips==["fd00:201::3"])) | length)] | join(" ")' -r)"
check_eq "the unanswered query is reported so, once at $V1" 1 \
	"$(l7 --interface "$V1" | jq -s 'map(select(.flow.l7.dns.query=="lost.netobs.test." and .flow.l7.unanswered==true)) | length')"
check_eq "... and never answered" 0 \
	"$(l7 | jq -s 'map(select(.flow.l7.dns.query=="lost.netobs.test." and .flow.l7.type=="RESPONSE")) | length')"

# --- HTTP at endpoint 1's interface
check_eq "HTTP requests on the kept-alive connection, in order" \
	"GET http://web.netobs.test:8080/ok1?x=1 HTTP/1.1,GET http://web.netobs.test:8080/ok2 HTTP/1.1,GET http://web.netobs.test:8080/missing HTTP/1.1" \
	"$(l7 --interface "$V1" --protocol http | jq -r 'select(.flow.l7.type=="REQUEST" and .flow.hook=="tc-ingress" and (.flow.l7.http.url|test("ok1|ok2|missing"))) | "\(.flow.l7.http.method) \(.flow.l7.http.url) \(.flow.l7.http.protocol)"' | paste -sd,)"
check_eq "HTTP responses matched to them, with latency" \
	"200 GET http://web.netobs.test:8080/ok1?x=1 true,200 GET http://web.netobs.test:8080/ok2 true,404 GET http://web.netobs.test:8080/missing true" \
	"$(l7 --interface "$V1" --protocol http | jq -r 'select(.flow.l7.type=="RESPONSE" and .flow.hook=="tc-egress" and (.flow.l7.http.url|test("ok1|ok2|missing"))) | "\(.flow.l7.http.code) \(.flow.l7.http.method) \(.flow.l7.http.url) \((.flow.l7.latency_ns|tonumber) > 0)"' | paste -sd,)"
check_eq "a chunked response and the next one on its connection" "200 /chunked,200 /ok3" \
	"$(l7 --interface "$V1" --protocol http | jq -r 'select(.flow.l7.type=="RESPONSE" and (.flow.l7.http.url|test("chunked|ok3"))) | "\(.flow.l7.http.code) \(.flow.l7.http.url|sub("^http://[^/]*";""))"' | paste -sd,)"
check_eq "a 20 MB download: one request, one response" "1 1" \
	"$(l7 --interface "$V1" --http-path '^/big' | jq -s '[(map(select(.flow.l7.type=="REQUEST")) | length), (map(select(.flow.l7.type=="RESPONSE" and .flow.l7.http.code==200)) | length)] | join(" ")' -r)"
check_true "... whose body did not go through the ring buffer ($((slices_after - slices_before)) slices for ~14000 segments at 2 hooks)" \
	test $((slices_after - slices_before)) -le 20
check_eq "no HTTP record for TLS, random bytes or a broken request line on port 80" 0 "$(count --port 80)"
check_eq "... the broken request line (it starts like one) counted as not HTTP, at each endpoint's interface" 2 \
	"$("$CLI" status -o json | jq '.status.l7.http.problems_by_outcome["not-http"] // 0')"

# --- names learned from the answers, on the flows that follow
# 10.201.0.3 was the answer for web.netobs.test. and, through a CNAME, for
# alias.netobs.test. (dnsmasq's TTL 0 keeps a name 5 s, the cache's floor:
# alias, asked once, may be gone from the last records).
has_name() { # FLAGS... -- JQ_PATH: does every matching L3/L4 record carry web.netobs.test.?
	local path=${*: -1}
	flows_json --since "$START" --type trace --interface "$V1" "${@:1:$#-1}" |
		jq -s "length > 0 and all(.[]; .flow.$path // [] | index(\"web.netobs.test.\"))"
}
check_eq "every record of the HTTP connections names the server by its DNS name" true \
	"$(has_name --to-ip 10.201.0.3 --to-port 8080 destination_names)"
check_eq "... and the reply direction as source_names" true \
	"$(has_name --from-ip 10.201.0.3 --from-port 8080 source_names)"
check_true "the CNAME's alias names the address too" \
	jq_any 'select(.flow.destination_names | index("alias.netobs.test."))' \
	<(flows_json --since "$START" --type trace --interface "$V1" --to-ip 10.201.0.3)

# --- filters and compact lines
check_eq "--http-status 404 at $V1" 1 "$(count --interface "$V1" --http-status 404)"
check_eq "--http-status 2+ at $V1 (ok1 ok2 chunked ok3 big)" 5 "$(count --interface "$V1" --http-status 2+)"
# lost.netobs.test. twice: the request, and its report as unanswered.
check_eq "--to-fqdn on DNS requests: the query's name, or a destination known by that name" \
	"lost.netobs.test. lost.netobs.test. web.netobs.test. web.netobs.test. web.netobs.test." \
	"$(l7 --interface "$V1" --protocol udp --to-fqdn 'web.netobs.test' | jq -r 'select(.flow.l7.type=="REQUEST") | .flow.l7.dns.query' | sort | paste -sd' ')"
check_true "compact lines as Hubble prints them" bash -c "
	out=\$(\"$CLI\" flows --all --since $START --interface $V1 --type l7)
	grep -q 'dns-request FORWARDED (DNS Query web.netobs.test. A)' <<<\"\$out\" &&
	grep -q 'dns-response FORWARDED (DNS Answer \"10.201.0.3\" TTL: ' <<<\"\$out\" &&
	grep -q 'http-request FORWARDED (HTTP/1.1 GET http://web.netobs.test:8080/ok2)' <<<\"\$out\" &&
	grep -Eq 'http-response FORWARDED \(HTTP/1.1 404 [0-9]+ms \(GET http://web.netobs.test:8080/missing\)\)' <<<\"\$out\""

# --- counters
st=$("$CLI" status -o json)
check_eq "no malformed DNS" 0 "$(echo "$st" | jq '.status.l7.dns.malformed')"
check_eq "no events the agent could not read" 0 "$(echo "$st" | jq '.status.counters.events_malformed // 0')"
finish
