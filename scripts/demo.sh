#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The main job on a demo: three container-style endpoints (network
# namespaces wired to a bridge with veths, as Docker does), netobs-agent
# watching them, some real traffic, and what `netobs` shows of it.
# Installs what is missing and builds first; removes everything it made.
#   --keep   leave the endpoints and the agent running to explore
set -euo pipefail
cd "$(dirname "$0")/.."
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1

bash scripts/deps.sh
BUILD_DIR=build bash scripts/build.sh >/dev/null
BIN=$PWD/build
NETOBS=$BIN/netobs
SOCK=/run/netobs/netobs.sock
DEMO=$(mktemp -d /tmp/netobs-demo.XXXXXX)
AGENT_PID=
NAMES=(client web db)

cleanup() {
	[ "$KEEP" = 1 ] && return
	[ -n "$AGENT_PID" ] && kill -TERM "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null
	kill ${web:-} ${dns:-} 2>/dev/null || true
	for n in "${NAMES[@]}"; do ip netns del "demo-$n" 2>/dev/null || true; done
	ip link del nodemo-br 2>/dev/null || true
	rm -rf "$DEMO"
}
trap cleanup EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

echo "== creating endpoints: demo-client, demo-web, demo-db on bridge nodemo-br"
ip link add nodemo-br type bridge && ip link set nodemo-br up
for i in "${!NAMES[@]}"; do
	n=${NAMES[$i]} addr=$((i + 1))
	ip netns add "demo-$n"
	ip link add "nodemo-$n" type veth peer name eth0 netns "demo-$n"
	ip link set "nodemo-$n" master nodemo-br up
	ip -n "demo-$n" link set lo up
	ip -n "demo-$n" addr add "10.202.0.$addr/24" dev eth0
	ip -n "demo-$n" addr add "fd00:202::$addr/64" dev eth0 nodad
	ip -n "demo-$n" link set eth0 up
done

echo "== starting netobs-agent"
"$BIN/netobs-agent" --socket "$SOCK" >"$DEMO/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 50); do "$NETOBS" status --socket "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done
"$NETOBS" status --socket "$SOCK" >/dev/null || { cat "$DEMO/agent.log"; exit 1; }
export NETOBS_SOCKET=$SOCK

step netobs endpoints
"$NETOBS" endpoints

echo
echo "== traffic: client asks db's DNS server for web's name, pings web, fetches a page over"
echo "   HTTP, sends UDP to db; web pings db over IPv6"
ip netns exec demo-web python3 -m http.server 8080 --bind 10.202.0.2 >/dev/null 2>&1 &
web=$!
ip netns exec demo-db dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
	--listen-address=10.202.0.3 --user=root --pid-file="$DEMO/dnsmasq.pid" --local=/demo.test/ \
	--host-record=web.demo.test,10.202.0.2 --log-facility="$DEMO/dnsmasq.log" &
dns=$!
"$NETOBS" flows -f --last 0 --protocol tcp --to-port 8080 >"$DEMO/follow.txt" &
follower=$!
sleep 0.5
for _ in $(seq 20); do ip netns exec demo-client dig +short +tries=1 +time=1 @10.202.0.3 web.demo.test >/dev/null && break; sleep 0.2; done
ip netns exec demo-client dig +short +tries=1 +time=1 @10.202.0.3 nope.demo.test >/dev/null || true
ip netns exec demo-client ping -q -c 5 -i 0.2 10.202.0.2 >/dev/null
ip netns exec demo-client curl -s -o /dev/null --resolve web.demo.test:8080:10.202.0.2 \
	http://web.demo.test:8080/ -o /dev/null http://web.demo.test:8080/missing
ip netns exec demo-client python3 scripts/../tests/netns/traffic.py udp-send 10.202.0.3 5353 3 64 >/dev/null
ip netns exec demo-web ping -6 -q -c 3 -i 0.2 fd00:202::3 >/dev/null
sleep 1.5 # one harvest: counters of running flows are read every second

step "netobs flows -f --protocol tcp --to-port 8080   # (was running during the traffic)"
kill -INT "$follower"; wait "$follower" 2>/dev/null || true
cat "$DEMO/follow.txt"

step netobs flows --last 15
"$NETOBS" flows --last 15

step "netobs flows --from-endpoint demo-client --protocol icmpv4 -o table"
"$NETOBS" flows --from-endpoint demo-client --protocol icmpv4 -o table

step "netobs flows -o json --protocol tcp --last 1 | jq '.flow | {src: .IP.source, dst: .IP.destination, port: .l4.TCP.destination_port, packets: .stats.packets, bytes: .stats.bytes}'"
"$NETOBS" flows -o json --protocol tcp --last 1 |
	jq '.flow | {src: .IP.source, dst: .IP.destination, port: .l4.TCP.destination_port, packets: .stats.packets, bytes: .stats.bytes}'

step "netobs flows --all --type l7 --interface nodemo-client   # DNS and HTTP, no proxy"
"$NETOBS" flows --all --type l7 --interface nodemo-client

step "netobs flows --to-fqdn web.demo.test --protocol tcp --last 2   # names learned from the DNS answer"
"$NETOBS" flows --to-fqdn web.demo.test --protocol tcp --last 2

step netobs status
"$NETOBS" status
kill "$web" "$dns" 2>/dev/null || true

if [ "$KEEP" = 1 ]; then
	echo
	echo "Left running: netobs-agent (pid $AGENT_PID, log $DEMO/agent.log) and namespaces demo-client, demo-web, demo-db."
	echo "Try: $NETOBS flows -f    then: ip netns exec demo-client ping 10.202.0.3"
	echo "Clean up: kill $AGENT_PID; ip netns del demo-client; ip netns del demo-web; ip netns del demo-db; ip link del nodemo-br; rm -rf $DEMO"
fi
