#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# toFQDNs with a real DNS server: an endpoint in egress default deny may
# reach an outside address only after a DNS answer for a selected name gave
# it, and only that address; a name no selector matches opens nothing.
#
# The outside: namespace ${P}x behind e3 (a router), on a veth pair that
# lives between two namespaces, so no endpoint holds its addresses: they
# are "world", as toFQDNs targets are.
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null && command -v dig >/dev/null && command -v curl >/dev/null || {
	echo "# dnsmasq, dig and curl are needed (scripts/deps.sh installs them)"; exit 1; }

bridge_create
for i in 1 2 3; do endpoint_create "$i"; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3) X=${P}x

ip netns add "$X"
ip -n "$E3" link add xr type veth peer name eth0 netns "$X"
ip -n "$E3" addr add 10.202.0.1/24 dev xr
ip -n "$E3" link set xr up
ip -n "$X" link set lo up
ip -n "$X" addr add 10.202.0.10/24 dev eth0
ip -n "$X" addr add 10.202.0.11/24 dev eth0
ip -n "$X" addr add 10.202.0.12/24 dev eth0
ip -n "$X" link set eth0 up
ip -n "$X" route add default via 10.202.0.1
ip netns exec "$E3" sysctl -qw net.ipv4.ip_forward=1
ip -n "$E1" route add 10.202.0.0/24 via 10.201.0.3

ip netns exec "$E2" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.201.0.2 --user=root --pid-file="$TMP/dnsmasq.pid" \
	--local=/netobs.test/ --local-ttl=60 --host-record=web.netobs.test,10.202.0.10 \
	--host-record=other.netobs.test,10.202.0.11 --log-facility="$TMP/dnsmasq.log" &
ip netns exec "$X" "$PYTHON" "$(dirname "$0")/http_server.py" 10.202.0.10 80 &
ip netns exec "$X" "$PYTHON" "$(dirname "$0")/http_server.py" 10.202.0.11 80 &
ip netns exec "$X" "$PYTHON" "$(dirname "$0")/http_server.py" 10.202.0.12 80 &
# A second server, on another address of e2, whose answers live 1 s (the agent
# keeps a name at least 5 s).
ip -n "$E2" addr add 10.201.0.20/24 dev eth0
ip netns exec "$E2" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.201.0.20 --user=root --pid-file="$TMP/dnsmasq-short.pid" \
	--local=/netobs.test/ --local-ttl=1 --host-record=short.netobs.test,10.202.0.12 \
	--log-facility="$TMP/dnsmasq-short.log" &

resolve() {
	ip netns exec "$E1" dig +short +time=2 +tries=1 "@${2:-10.201.0.2}" "$1" | tail -n 1
}

agent_start --end-grace 500ms || exit 1
wait_for "endpoints listed" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
wait_for "outside servers up" 10 output_is 200 curl_code "$E1" http://10.202.0.10/ok
wait_for "outside servers up" 10 output_is 200 curl_code "$E1" http://10.202.0.11/ok
wait_for "outside servers up" 10 output_is 200 curl_code "$E1" http://10.202.0.12/ok
check_eq "no policy: e1 reaches the other outside address" 200 "$(curl_code "$E1" http://10.202.0.11/ok)"

cat >"$TMP/fqdn.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1-to-web
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E1
  egress:
  - toEndpoints:
    - matchLabels:
        endpoint: $E2
    toPorts:
    - ports:
      - port: "53"
        protocol: UDP
  - toFQDNs:
    - matchPattern: "web.*.test"
    - matchName: short.netobs.test
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
EOF
"$CLI" policy import "$TMP/fqdn.yaml" >/dev/null
# A fresh agent has not seen these answers: nothing is selected yet.
check_eq "before any answer: web's address denied" 000 "$(curl_code "$E1" http://10.202.0.10/ok)"

check_eq "the DNS server may be asked (toEndpoints, UDP 53)" 10.202.0.10 "$(resolve web.netobs.test)"
# The agent turns the answer into policy as it reads it; give it that moment.
wait_for "web's address allowed" 5 output_is 200 curl_code "$E1" http://10.202.0.10/ok
check_eq "after the answer: web's address allowed" 200 "$(curl_code "$E1" http://10.202.0.10/ok)"
allowed=$(flows_json | jq -c 'select(.flow.IP.destination == "10.202.0.10" and .flow.policy_verdict == "ALLOWED") | .flow' | tail -n 1)
check_eq "allowed by the toFQDNs policy" e1-to-web "$(jq -r '.egress_allowed_by[0].name // empty' <<<"$allowed")"
check_eq "other port of web's address still denied" 000 "$(curl_code "$E1" http://10.202.0.10:8080/ok)"

check_eq "other.netobs.test resolves" 10.202.0.11 "$(resolve other.netobs.test)"
sleep 0.5
check_eq "an answer for a name no selector matches opens nothing" 000 \
	"$(curl_code "$E1" http://10.202.0.11/ok)"
drop=$(flows_json --verdict DROPPED | jq -c 'select(.flow.IP.destination == "10.202.0.11") | .flow' | tail -n 1)
check_eq "that drop is EGRESS default deny" EGRESS/POLICY_DENIED \
	"$(jq -r '"\(.traffic_direction)/\(.drop_reason_desc)"' <<<"$drop")"

log "an answer's TTL passes: a connection using the address keeps it, a new one does not"
check_eq "short.netobs.test resolves" 10.202.0.12 "$(resolve short.netobs.test 10.201.0.20)"
cat >"$TMP/keepalive.py" <<'EOF'
import socket, sys, time
s = socket.create_connection(("10.202.0.12", 80), timeout=5)
def get():
    s.sendall(b"GET /ok HTTP/1.1\r\nHost: short\r\n\r\n")
    data = b""
    while b"hello from netobs test\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    return data.split(b" ")[1].decode()
for _ in range(int(sys.argv[1])):
    print(get(), flush=True)
    time.sleep(1)
EOF
wait_for "short's address allowed" 5 output_is 200 curl_code "$E1" http://10.202.0.12/ok
# 9 requests, one a second, on one connection: well past the 5 s the answer lives.
check_eq "one connection across the answer's expiry" "200 200 200 200 200 200 200 200 200" \
	"$(ip netns exec "$E1" "$PYTHON" "$TMP/keepalive.py" 9 2>&1 | paste -sd' ')"
# Closed: once its flows end (FIN, then 0.5 s), nothing holds the address. (Not
# polled: each try would be a connection that holds it again.)
sleep 3
check_eq "a new connection after the TTL and the old one's end: denied" 000 \
	"$(curl_code "$E1" http://10.202.0.12/ok)"

"$CLI" policy delete e1-to-web >/dev/null
check_eq "delete: the other address again" 200 "$(curl_code "$E1" http://10.202.0.11/ok)"

finish
