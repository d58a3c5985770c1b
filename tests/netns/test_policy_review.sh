#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Review of policy enforcement (225bf0d): cases where the enforcement does
# not do what docs/policy.md promises. Each check here failed on 225bf0d.
#
#  1. A connection's replies are cut once its opening direction goes idle:
#     the agent ends that flow entry by its own last packet only, and
#     forgets the connection with it (agent/harvest.c, policy_conns_forget),
#     though the other direction is still busy; and a quiet connection
#     (idle past --idle-timeout, 60 s by default) loses its replies until
#     the endpoint speaks again.
#  2. toFQDNs learns from any DNS response the datapath lets through, even
#     one nothing asked for (lib/l7_dns.c names_learn): the endpoint under
#     the policy can forge an "answer" and open any address for itself.
#  3. A policy import that fits the datapath is refused when the ipcache is
#     near full: the map diff writes every new entry before it deletes the
#     old ones (agent/policy_maps.c map_write_diff).
#  5. An endpoint that appears when the policies no longer compile (here:
#     its addresses no longer fit the ipcache) runs with no policy at all,
#     though a policy selects it: agent_sync_endpoints() attaches it after
#     a failed agent_policy_endpoints_changed() (fail-open).
#  4. An agent restart forgets every toFQDNs address: the DNS answers are
#     not kept (agent/policy_fqdn.c), so an endpoint that resolved a name
#     before the restart (and, as most clients do, keeps the address for
#     the answer's TTL) is denied after it.
#
# The outside (for 2): namespace ${P}x behind e3 (a router), as in
# test_policy_fqdn.sh: its addresses are "world", as toFQDNs targets are.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "# curl is needed (scripts/deps.sh installs it)"; exit 1; }

bridge_create
for i in 1 2 3; do endpoint_create "$i"; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3) X=${P}x
for i in 1 2 3; do
	ip netns exec "$(endpoint_ns "$i")" ping -c1 -W2 10.201.0.$(((i % 3) + 1)) >/dev/null 2>&1
done

ip netns add "$X"
ip -n "$E3" link add xr type veth peer name eth0 netns "$X"
ip -n "$E3" addr add 10.202.0.1/24 dev xr
ip -n "$E3" link set xr up
ip -n "$X" link set lo up
ip -n "$X" addr add 10.202.0.10/24 dev eth0
ip -n "$X" addr add 10.202.0.11/24 dev eth0
ip -n "$X" link set eth0 up
ip -n "$X" route add default via 10.202.0.1
ip netns exec "$E3" sysctl -qw net.ipv4.ip_forward=1
ip -n "$E1" route add 10.202.0.0/24 via 10.201.0.3
ip netns exec "$X" "$PYTHON" "$(dirname "$0")/http_server.py" 10.202.0.11 80 &
ip netns exec "$X" "$PYTHON" "$(dirname "$0")/http_server.py" 10.202.0.10 80 &

# A flow with no packet for 2 s ends: the idle expiry of case 1 within the test.
agent_start --idle-timeout 2 || exit 1
wait_for "endpoints listed" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
wait_for "outside server up" 10 output_is 200 curl_code "$E1" http://10.202.0.11/ok

# ---- 1. replies of a connection whose opening side is quiet -------------
log "1: e1 asks e2 once over UDP; e2 answers for 6 s (past the 2 s idle timeout)"
cat >"$TMP/e1.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E1
  ingress:
  - fromEndpoints:
    - matchLabels:
        endpoint: $E3
    toPorts:
    - ports:
      - port: "7"
        protocol: TCP
  egress:
  - toEndpoints:
    - matchLabels:
        endpoint: $E2
    toPorts:
    - ports:
      - port: "5000"
        protocol: UDP
      - port: "53"
        protocol: UDP
      - port: "5001"
        protocol: TCP
  - toFQDNs:
    - matchName: "web.netobs.test"
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
EOF
"$CLI" policy import "$TMP/e1.yaml" >/dev/null || fail "policy import"

cat >"$TMP/stream.py" <<'EOF'
import socket, sys, time
mode = sys.argv[1]
if mode == "server":  # one request, then COUNT answers every INTERVAL s
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    open(sys.argv[6], "w").close()
    _, peer = s.recvfrom(2048)
    for i in range(int(sys.argv[4])):
        s.sendto(b"answer %d" % i, peer)
        time.sleep(float(sys.argv[5]))
elif mode == "push-server":  # accept, stay quiet for QUIET s, then speak first
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((sys.argv[2], int(sys.argv[3])))
    s.listen(1)
    open(sys.argv[5], "w").close()
    c, _ = s.accept()
    time.sleep(float(sys.argv[4]))
    c.sendall(b"push")
    time.sleep(10)
elif mode == "push-client":  # connect, send nothing, wait WINDOW s for the push
    s = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=2)
    s.settimeout(float(sys.argv[4]))
    try:
        print(s.recv(16).decode() or "closed")
    except socket.timeout:
        print("nothing")
else:  # client: one request, then count answers for WINDOW s
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 40000))
    s.sendto(b"request", (sys.argv[2], int(sys.argv[3])))
    deadline, n = time.time() + float(sys.argv[4]), 0
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            break
    print(n)
EOF
ip netns exec "$E2" "$PYTHON" "$TMP/stream.py" server 10.201.0.2 5000 30 0.2 "$TMP/ready" &
wait_for "stream server up" 5 test -e "$TMP/ready"
got=$(ip netns exec "$E1" "$PYTHON" "$TMP/stream.py" client 10.201.0.2 5000 8)
check_eq "every answer of the allowed connection reaches e1" 30 "$got"

log "1b: e1 opens TCP to e2:5001; both sides quiet for 4 s (past the idle timeout); e2 speaks first"
ip netns exec "$E2" "$PYTHON" "$TMP/stream.py" push-server 10.201.0.2 5001 4 "$TMP/push.ready" &
wait_for "push server up" 5 test -e "$TMP/push.ready"
got=$(ip netns exec "$E1" "$PYTHON" "$TMP/stream.py" push-client 10.201.0.2 5001 9)
check_eq "the server's first words after a quiet spell reach e1" push "$got"

# ---- 2. toFQDNs from an answer nobody asked for ------------------------
log "2: e1 sends a forged DNS response to e2:53 (allowed) naming 10.202.0.11"
check_eq "before: 10.202.0.11 denied to e1" 000 "$(curl_code "$E1" http://10.202.0.11/ok)"
cat >"$TMP/forge.py" <<'EOF'
import socket, struct, sys
name, addr = sys.argv[1], socket.inet_aton(sys.argv[2])
qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
msg = struct.pack("!HHHHHH", 0x4242, 0x8180, 1, 1, 0, 0) + qname + struct.pack("!HH", 1, 1)
msg += struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + addr
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(msg, (sys.argv[3], 53))
EOF
ip netns exec "$E1" "$PYTHON" "$TMP/forge.py" web.netobs.test 10.202.0.11 10.201.0.2
sleep 1 # the agent compiles answers in as it reads them (harvest, 200 ms)
check_eq "after the forged answer: 10.202.0.11 still denied to e1" 000 \
	"$(curl_code "$E1" http://10.202.0.11/ok)"
"$CLI" policy delete e1 >/dev/null

# ---- 3. replacing a policy near the ipcache's capacity -----------------
log "3: 16 policies of 1000 CIDRs each (16000 of 16384 ipcache entries), one replaced"
# cidr_policy NAME SECOND_OCTET: a policy for e3 with 1000 /32s in 10.OCTET.0.0/16.
cidr_policy() {
	jq -n --arg name "$1" --arg ep "$E3" --argjson o "$2" '{
		apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy",
		metadata: {name: $name},
		spec: {endpointSelector: {matchLabels: {endpoint: $ep}},
		       egress: [{toCIDR: [range(1000) |
				"10.\($o).\(. / 250 | floor).\(. % 250 + 1)/32"]}]}}'
}
filled=0
for i in $(seq 1 16); do
	cidr_policy "cidrs-$i" $((100 + i)) >"$TMP/cidrs.json"
	"$CLI" policy import "$TMP/cidrs.json" >/dev/null 2>>"$TMP/import.err" &&
		filled=$((filled + 1))
done
check_eq "16 policies of 1000 CIDRs imported" 16 "$filled"
cidr_policy cidrs-16 200 >"$TMP/cidrs.json"
if "$CLI" policy import "$TMP/cidrs.json" >/dev/null 2>"$TMP/replace.err"; then
	pass "a policy replaced by one of the same size (the ipcache holds the result)"
else
	fail "a policy replaced by one of the same size (the ipcache holds the result): $(head -c 300 "$TMP/replace.err")"
fi

# ---- 5. a new endpoint when the policy no longer compiles ---------------
log "5: ipcache filled to the last entry; e4 appears, selected by an ingress default-deny policy"
cat >"$TMP/e4.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e4-deny
spec:
  endpointSelector:
    matchLabels:
      endpoint: $(endpoint_ns 4)
  ingress:
  - {}
EOF
"$CLI" policy import "$TMP/e4.yaml" >/dev/null || fail "policy import (e4-deny)"
# fill_policy NAME COUNT: a policy for e3 with COUNT /32s in 172.16.0.0/16
fill_policy() {
	jq -n --arg name "$1" --arg ep "$E3" --argjson n "$2" '{
		apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy",
		metadata: {name: $name},
		spec: {endpointSelector: {matchLabels: {endpoint: $ep}},
		       egress: [{toCIDR: [range($n) |
				"172.16.\(. / 250 | floor).\(. % 250 + 1)/32"]}]}}'
}
# The refusal of a too large policy names how many addresses the endpoints take.
fill_policy fill 1000 >"$TMP/fill.json"
n_local=$("$CLI" policy import "$TMP/fill.json" 2>&1 >/dev/null |
	sed -n 's/.*: \([0-9]*\) endpoint and host addresses.*/\1/p')
room=$((16384 - 16000 - ${n_local:-16384}))
log "endpoint and host addresses: $n_local; room left: $room"
if [ "$room" -gt 0 ]; then
	fill_policy fill "$room" >"$TMP/fill.json"
	"$CLI" policy import "$TMP/fill.json" >/dev/null || fail "fill the ipcache"
fi
endpoint_create 4
E4=$(endpoint_ns 4)
wait_for "e4 listed" 10 output_is 4 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
sleep 1
check_eq "e4 under ingress default deny: e1's ping unanswered" 0 \
	"$(ip netns exec "$E1" ping -c1 -W1 10.201.0.4 2>/dev/null | grep -c 'bytes from')"
log "agent: $(grep -m1 'no longer fit' "$TMP/agent.log" | cut -c1-200)"
"$CLI" policy delete fill e4-deny >/dev/null 2>&1

# ---- 4. toFQDNs through an agent restart --------------------------------
log "4: e1 resolves real.netobs.test (TTL 600 s) and reaches it; the agent restarts"
"$CLI" policy delete --all >/dev/null
command -v dnsmasq >/dev/null && command -v dig >/dev/null || {
	echo "# dnsmasq and dig are needed (scripts/deps.sh installs them)"; exit 1; }
ip netns exec "$E2" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.201.0.2 --user=root --pid-file="$TMP/dnsmasq.pid" \
	--local=/netobs.test/ --local-ttl=600 --host-record=real.netobs.test,10.202.0.10 \
	--log-facility="$TMP/dnsmasq.log" &
cat >"$TMP/fqdn.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1-fqdn
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
    - matchName: "real.netobs.test"
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
EOF
"$CLI" policy import "$TMP/fqdn.yaml" >/dev/null || fail "policy import (fqdn)"
wait_for "dnsmasq answers" 5 output_is 10.202.0.10 bash -c \
	"ip netns exec $E1 dig +short +time=1 +tries=1 @10.201.0.2 real.netobs.test | tail -n 1"
wait_for "the answer opens real.netobs.test" 5 output_is 200 curl_code "$E1" http://10.202.0.10/ok
check_eq "before the restart: real.netobs.test reachable" 200 "$(curl_code "$E1" http://10.202.0.10/ok)"
agent_stop
agent_start --idle-timeout 2 || exit 1
wait_for "endpoints listed again" 10 output_is 4 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
sleep 1
check_eq "after the restart, within the answer's TTL: real.netobs.test still reachable" 200 \
	"$(curl_code "$E1" http://10.202.0.10/ok)"

finish
