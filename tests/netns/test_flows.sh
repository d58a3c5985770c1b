#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# End to end: endpoints discovered, exact packet and byte counts for ICMP,
# TCP (checked against the kernel's own TCP_INFO) and UDP, directions and
# is_reply, at both endpoints' interfaces.
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2 3; do endpoint_create $i; done
# No TCP options beyond the handshake's: every data segment's header size is known.
for i in 1 2; do ip netns exec "$(endpoint_ns $i)" sysctl -qw net.ipv4.tcp_timestamps=0; done
agent_start || exit 1

E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) V1=$(endpoint_if 1) V2=$(endpoint_if 2)

# --- endpoints
eps=$("$CLI" endpoints -o json)
check_eq "three endpoints listed" 3 "$(echo "$eps" | jq -s 'map(select(.name | startswith("'$P'"))) | length')"
check_eq "endpoint 1 IPv4 from inside its namespace" '["10.201.0.1"]' \
	"$(echo "$eps" | jq -c "select(.name==\"$E1\") | .ipv4")"
check_eq "endpoint 1 IPv6 from inside its namespace" '["fd00:201::1"]' \
	"$(echo "$eps" | jq -c "select(.name==\"$E1\") | .ipv6")"
check_eq "endpoint 1 interface" "$V1" "$(echo "$eps" | jq -r "select(.name==\"$E1\") | .interface")"
check_eq "endpoint 1 MAC is the container side's" \
	"$(ip -n "$E1" -j link show eth0 | jq -r '.[0].address')" \
	"$(echo "$eps" | jq -r "select(.name==\"$E1\") | .mac")"
check_eq "endpoint 1 hooks" '["tc-ingress","tc-egress"]' \
	"$(echo "$eps" | jq -c "select(.name==\"$E1\") | .hooks")"
check_eq "endpoint 1 ID is its ifindex" "$(cat /sys/class/net/$V1/ifindex)" \
	"$(echo "$eps" | jq -r "select(.name==\"$E1\") | .id")"
check_true "endpoints table names endpoint 2" \
	bash -c "\"$CLI\" endpoints | grep -q \"$E2.*$V2.*10.201.0.2.*fd00:201::2\""

# --- 50 pings: exactly 50 packets each way at each endpoint
ip netns exec "$E1" ping -q -c 50 -i 0.01 -W 1 10.201.0.2 >/dev/null
# The ARP that came before: MACs and the endpoints they belong to, not "- (unknown)".
MAC1=$(ip -n "$E1" -j link show eth0 | jq -r '.[0].address')
MAC2=$(ip -n "$E2" -j link show eth0 | jq -r '.[0].address')
arp_at() { # IFACE HOOK: "src-mac src-endpoint dst-mac dst-endpoint" of its ARP records
	flows_json --interface "$1" | jq -r "select(.flow.ethertype==\"0x0806\" and .flow.hook==\"$2\") |
		[.flow.ethernet.source, .flow.source.pod_name // \"-\", .flow.ethernet.destination,
		 .flow.destination.pod_name // \"-\"] | join(\" \")" | sort -u
}
check_true "ARP request from endpoint 1: its MAC and name, to broadcast (no one)" \
	bash -c "$(declare -f flows_json arp_at); CLI=$CLI arp_at $V1 tc-ingress | grep -qx '$MAC1 $E1 ff:ff:ff:ff:ff:ff -'"
check_true "ARP reply from endpoint 2 names endpoint 1 by its MAC" \
	bash -c "$(declare -f flows_json arp_at); CLI=$CLI arp_at $V2 tc-ingress | grep -qx '$MAC2 $E2 $MAC1 $E1'"

icmp_count() { # IFACE HOOK TYPE SRC DST
	newest_stat packets ".flow.interface.name==\"$1\" and .flow.hook==\"$2\" and
		(.flow.l4.ICMPv4.type // 0)==$3 and .flow.IP.source==\"$4\" and .flow.IP.destination==\"$5\"" \
		--protocol icmpv4
}
wait_for "ping counts" 5 output_is 50 icmp_count "$V2" tc-ingress 0 10.201.0.2 10.201.0.1
check_eq "echo requests leaving endpoint 1 (at $V1 ingress)" 50 "$(icmp_count "$V1" tc-ingress 8 10.201.0.1 10.201.0.2)"
check_eq "echo replies reaching endpoint 1 (at $V1 egress)" 50 "$(icmp_count "$V1" tc-egress 0 10.201.0.2 10.201.0.1)"
check_eq "echo requests reaching endpoint 2 (at $V2 egress)" 50 "$(icmp_count "$V2" tc-egress 8 10.201.0.1 10.201.0.2)"
check_eq "echo replies leaving endpoint 2 (at $V2 ingress)" 50 "$(icmp_count "$V2" tc-ingress 0 10.201.0.2 10.201.0.1)"

req=$(flows_json --from-ip 10.201.0.1 --to-ip 10.201.0.2 --protocol icmpv4 --interface "$V1" | tail -n 1)
check_eq "request: direction at endpoint 1 is EGRESS" EGRESS "$(echo "$req" | jq -r .flow.traffic_direction)"
check_eq "request: observation point" FROM_ENDPOINT "$(echo "$req" | jq -r .flow.trace_observation_point)"
check_eq "request: is_reply" false "$(echo "$req" | jq -r .flow.is_reply)"
check_eq "request: source endpoint name" "$E1" "$(echo "$req" | jq -r .flow.source.pod_name)"
check_eq "request: destination endpoint ID" "$(cat /sys/class/net/$V2/ifindex)" "$(echo "$req" | jq -r .flow.destination.ID)"
rep=$(flows_json --from-ip 10.201.0.2 --to-ip 10.201.0.1 --protocol icmpv4 --interface "$V1" | tail -n 1)
check_eq "reply: direction at endpoint 1 is INGRESS" INGRESS "$(echo "$rep" | jq -r .flow.traffic_direction)"
check_eq "reply: is_reply" true "$(echo "$rep" | jq -r .flow.is_reply)"

# --- IPv6 ping
ip netns exec "$E1" ping -6 -q -c 7 -i 0.01 -W 1 fd00:201::2 >/dev/null
icmp6_count() {
	newest_stat packets ".flow.interface.name==\"$1\" and .flow.hook==\"$2\" and .flow.l4.ICMPv6.type==$3" \
		--protocol icmpv6 --ip fd00:201::1
}
wait_for "ping6 counts" 5 output_is 7 icmp6_count "$V1" tc-egress 129
check_eq "IPv6 echo requests at $V1" 7 "$(icmp6_count "$V1" tc-ingress 128)"
check_eq "IPv6 echo replies at $V1" 7 "$(icmp6_count "$V1" tc-egress 129)"

# --- TCP: the client's packets and bytes against its kernel's own TCP_INFO;
# the server's (pure ACKs, whose SACK options vary) against a tcpdump capture.
SIZE=3000000
ip netns exec "$E2" tcpdump --immediate-mode -U -i eth0 -nn -s 128 -w "$TMP/server.pcap" tcp port 5001 2>"$TMP/tcpdump.err" &
dump=$!
wait_for "tcpdump listening" 5 grep -q listening "$TMP/tcpdump.err"
ip netns exec "$E2" $TRAFFIC tcp-server 10.201.0.2 5001 "$TMP/ready" >"$TMP/server.json" &
srv=$!
wait_for "TCP server" 5 test -e "$TMP/ready"
ip netns exec "$E1" $TRAFFIC tcp-client 10.201.0.2 5001 $SIZE >"$TMP/client.json"
wait $srv
sleep 0.2
kill -INT $dump; wait $dump
check_eq "server received every byte" $SIZE "$(jq .received "$TMP/server.json")"
cport=$(jq .local_port "$TMP/client.json")
csegs=$(jq .segs_out "$TMP/client.json") csent=$(jq .bytes_sent "$TMP/client.json")
# Frame lengths of what the server sent, as captured: "length N:" with -e.
read -r ssegs s_bytes < <(tcpdump -r "$TMP/server.pcap" -nn -e "src port 5001" 2>/dev/null |
	sed -n 's/.*, length \([0-9]*\):.*/\1/p' | awk '{n++; b+=$1} END {print n+0, b+0}')
log "client: $csegs segments, $csent payload bytes (TCP_INFO); server: $ssegs frames, $s_bytes bytes (tcpdump)"
tcp_sel() { # IFACE HOOK SPORT DPORT
	echo ".flow.interface.name==\"$1\" and .flow.hook==\"$2\" and
		.flow.l4.TCP.source_port==$3 and .flow.l4.TCP.destination_port==$4"
}
# Client frame = 14 Ethernet + 20 IPv4 + 20 TCP + payload; its SYN also
# carries 12 bytes of options (MSS, SACK-permitted, window scale).
c_bytes=$((csegs * 54 + csent + 12))
tcp_ended() { flows_json --port $cport | jq_any 'select(.flow.flow_event=="END")'; }
wait_for "TCP flow end" 5 tcp_ended
for at in "$V1 tc-ingress" "$V2 tc-egress"; do
	set -- $at
	check_eq "client->server packets at $1 $2 = client segs_out" "$csegs" \
		"$(newest_stat packets "$(tcp_sel $1 $2 $cport 5001)" --port $cport)"
	check_eq "client->server bytes at $1 $2" "$c_bytes" \
		"$(newest_stat bytes "$(tcp_sel $1 $2 $cport 5001)" --port $cport)"
done
for at in "$V1 tc-egress" "$V2 tc-ingress"; do
	set -- $at
	check_eq "server->client packets at $1 $2 = tcpdump's" "$ssegs" \
		"$(newest_stat packets "$(tcp_sel $1 $2 5001 $cport)" --port $cport)"
	check_eq "server->client bytes at $1 $2 = tcpdump's" "$s_bytes" \
		"$(newest_stat bytes "$(tcp_sel $1 $2 5001 $cport)" --port $cport)"
done
gso=$(flows_json --port $cport --interface "$V1" | jq -s '[.[] | select(.flow.hook=="tc-ingress")] | last |
	(.flow.stats.packets|tonumber) > 100')
check_eq "the transfer was more than 100 wire packets (GSO counted per segment)" true "$gso"
last=$(flows_json --from-port $cport --interface "$V1" | tail -n 1)
check_eq "client flow ended on FIN" "END FIN" "$(echo "$last" | jq -r '.flow.flow_event + " " + .flow.end_reason')"
check_eq "client flow's union of flags in stats.tcp_flags" "true true true" \
	"$(echo "$last" | jq -r '[.flow.stats.tcp_flags.SYN, .flow.stats.tcp_flags.ACK, .flow.stats.tcp_flags.FIN] | map(tostring) | join(" ")')"
check_eq "an END record stands for no one packet: no l4 flags" null \
	"$(echo "$last" | jq -c .flow.l4.TCP.flags)"
check_eq "client flow is_reply" false "$(echo "$last" | jq -r .flow.is_reply)"
check_eq "server flow is_reply" true \
	"$(flows_json --from-port 5001 --to-port $cport --interface "$V1" | tail -n 1 | jq -r .flow.is_reply)"
syn=$(flows_json --from-port $cport --interface "$V1" --tcp-flags SYN | head -n 1)
check_eq "first record of the connection is its SYN, NEW" "NEW 1" \
	"$(echo "$syn" | jq -r '.flow.flow_event + " " + .flow.stats.packets')"

# --- UDP: 10 datagrams of 100 bytes, frames of 14 + 20 + 8 + 100
uport=$(ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.3 6000 10 100 | jq .local_port)
udp_sel=".flow.interface.name==\"$V1\" and .flow.l4.UDP.source_port==$uport"
wait_for "UDP counts" 5 output_is 10 newest_stat packets "$udp_sel" --protocol udp
check_eq "UDP packets" 10 "$(newest_stat packets "$udp_sel" --protocol udp)"
check_eq "UDP bytes" 1420 "$(newest_stat bytes "$udp_sel" --protocol udp)"

# --- VLAN: raw tagged frames from inside endpoint 1. The host veth's receive
# path moves the outer tag into skb metadata before TC ingress (the path
# BPF_PROG_TEST_RUN cannot reach); with QinQ the inner tag stays in the packet.
# At TC egress of endpoint 2's veth the bridge hands the frame on tagged.
vlan_count() { # IFACE HOOK VLAN
	newest_stat packets ".flow.hook==\"$2\" and .flow.vlan_id==$3 and .flow.l4.UDP.source_port==7000" \
		--interface "$1" --protocol udp
}
vlan_bytes() {
	newest_stat bytes ".flow.hook==\"$2\" and .flow.vlan_id==$3 and .flow.l4.UDP.source_port==7000" \
		--interface "$1" --protocol udp
}
single=$(ip netns exec "$E1" $TRAFFIC vlan-send eth0 8100:100 9 | jq .frame_bytes)
double=$(ip netns exec "$E1" $TRAFFIC vlan-send eth0 88a8:200,8100:100 4 | jq .frame_bytes)
wait_for "VLAN counts" 5 output_is 4 vlan_count "$V1" tc-ingress 200
check_eq "802.1Q frames at $V1 ingress (tag in skb metadata), VLAN 100" 9 "$(vlan_count "$V1" tc-ingress 100)"
check_eq "their bytes count the tag: 9 x $single" $((9 * single)) "$(vlan_bytes "$V1" tc-ingress 100)"
check_eq "QinQ frames at $V1 ingress: outer VLAN 200 (metadata), inner parsed in-packet" 4 \
	"$(vlan_count "$V1" tc-ingress 200)"
check_eq "their bytes: 4 x $double" $((4 * double)) "$(vlan_bytes "$V1" tc-ingress 200)"
check_eq "802.1Q frames forwarded to endpoint 2 (at $V2 egress)" 9 "$(vlan_count "$V2" tc-egress 100)"
check_eq "and their bytes there" $((9 * single)) "$(vlan_bytes "$V2" tc-egress 100)"
check_eq "no untagged record of the tagged traffic" 0 \
	"$(flows_json --protocol udp --from-port 7000 | jq -c 'select((.flow.vlan_id // 0) == 0)' | wc -l)"

# --- nothing lost, nothing malformed
st=$("$CLI" status -o json)
check_eq "no ring buffer loss" 0 "$(echo "$st" | jq '.status.counters.ringbuf_full // .counters.ringbuf_full')"
check_eq "no malformed packets" 0 "$(echo "$st" | jq '.status.counters.malformed // .counters.malformed')"

agent_stop
check_eq "agent exits 0 on SIGTERM" 0 $?
finish
