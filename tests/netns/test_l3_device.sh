#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# A device without an Ethernet header: two namespaces joined by a pair of tun
# devices (ARPHRD_NONE, like WireGuard's) and a relay that copies packets
# between them. The agent runs in the first namespace and watches its tun
# device by name: IP flows with exact counts, addresses and ports (read as
# Ethernet they were non-IP flows with a garbage EtherType), and --xdp on
# such a device refused with a clear error, TC counting instead.
. "$(dirname "$0")/lib.sh"

NA=${P}a NB=${P}b TA=${P}ta TB=${P}tb
RELAY_PID=

relay_cleanup() {
	local rc=$?
	[ -n "$RELAY_PID" ] && kill "$RELAY_PID" 2>/dev/null && wait "$RELAY_PID" 2>/dev/null
	(exit $rc)
	cleanup
}
trap relay_cleanup EXIT

# The relay: attaches to TA in NA and TB in NB (a process reaches a tun
# device only from the device's namespace), then copies each packet one side
# sends to the other side, where the kernel receives it. Exits on its own
# after 300 s in case the test dies without killing it.
cat >"$TMP/tun_relay.py" <<'EOF'
import ctypes, fcntl, os, select, struct, sys, time
CLONE_NEWNET, TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x40000000, 0x400454ca, 0x0001, 0x1000
libc = ctypes.CDLL(None, use_errno=True)
def tun_in(ns, name):
    with open("/run/netns/" + ns) as f:
        if libc.setns(f.fileno(), CLONE_NEWNET):
            sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
a = tun_in(sys.argv[1], sys.argv[2])
b = tun_in(sys.argv[3], sys.argv[4])
open(sys.argv[5], "w").close()
peer = {a: b, b: a}
deadline = time.time() + 300
while time.time() < deadline:
    for fd in select.select([a, b], [], [], 1.0)[0]:
        try:
            os.write(peer[fd], os.read(fd, 65536))
        except OSError:
            pass  # EIO while the other side is not up yet: the packet is dropped
EOF

ip netns add "$NA"
ip netns add "$NB"
# Persistent devices (they outlive the relay's file descriptors).
ip -n "$NA" tuntap add dev "$TA" mode tun
ip -n "$NB" tuntap add dev "$TB" mode tun
$PYTHON "$TMP/tun_relay.py" "$NA" "$TA" "$NB" "$TB" "$TMP/relay_ready" &
RELAY_PID=$!
wait_for "tun relay" 5 test -e "$TMP/relay_ready" || exit 1
for side in "$NA $TA 1 2" "$NB $TB 2 1"; do
	set -- $side
	ip -n "$1" link set lo up
	ip -n "$1" addr add "10.204.0.$3/32" peer "10.204.0.$4" dev "$2"
	ip -n "$1" addr add "fd00:204::$3/64" dev "$2" nodad
	ip -n "$1" link set "$2" up
done
check_eq "$TA link type is none (no Ethernet header)" none \
	"$(ip -n "$NA" -j link show "$TA" | jq -r '.[0].link_type')"

# The agent runs inside NA, where the device is (lib.sh agent_start_in).
agent_start_in "$NA" --interfaces "$TA" || exit 1
check_eq "$TA is an endpoint with both TC hooks" '["tc-ingress","tc-egress"]' \
	"$("$CLI" endpoints -o json | jq -c "select(.interface==\"$TA\") | .hooks")"

# --- 20 pings: requests leave NA through TA (egress), replies come back (ingress)
ip netns exec "$NA" ping -q -c 20 -i 0.01 -W 1 10.204.0.2 >/dev/null
icmp_sel() { # HOOK TYPE SRC DST
	echo ".flow.interface.name==\"$TA\" and .flow.hook==\"$1\" and (.flow.l4.ICMPv4.type // 0)==$2 and
		.flow.IP.source==\"$3\" and .flow.IP.destination==\"$4\""
}
wait_for "ping counts" 5 output_is 20 newest_stat packets "$(icmp_sel tc-ingress 0 10.204.0.2 10.204.0.1)" \
	--protocol icmpv4
check_eq "echo requests at $TA egress, 10.204.0.1 > 10.204.0.2" 20 \
	"$(newest_stat packets "$(icmp_sel tc-egress 8 10.204.0.1 10.204.0.2)" --protocol icmpv4)"
check_eq "echo replies at $TA ingress, 10.204.0.2 > 10.204.0.1" 20 \
	"$(newest_stat packets "$(icmp_sel tc-ingress 0 10.204.0.2 10.204.0.1)" --protocol icmpv4)"
# No Ethernet header to count: IPv4 20 + ICMP 8 + ping's 56 bytes of data.
check_eq "their bytes: 20 x (20 + 8 + 56), from the IP header on" 1680 \
	"$(newest_stat bytes "$(icmp_sel tc-egress 8 10.204.0.1 10.204.0.2)" --protocol icmpv4)"

# --- IPv6
ip netns exec "$NA" ping -6 -q -c 7 -i 0.01 -W 1 fd00:204::2 >/dev/null
icmp6_sel() { # HOOK TYPE
	echo ".flow.interface.name==\"$TA\" and .flow.hook==\"$1\" and .flow.l4.ICMPv6.type==$2"
}
wait_for "ping6 counts" 5 output_is 7 newest_stat packets "$(icmp6_sel tc-ingress 129)" \
	--protocol icmpv6 --ip fd00:204::1
check_eq "IPv6 echo requests at $TA egress" 7 \
	"$(newest_stat packets "$(icmp6_sel tc-egress 128)" --protocol icmpv6 --ip fd00:204::1)"
check_eq "their bytes: 7 x (40 + 8 + 56)" 728 \
	"$(newest_stat bytes "$(icmp6_sel tc-egress 128)" --protocol icmpv6 --ip fd00:204::1)"

# --- UDP: 10 datagrams of 100 bytes; the ports are the ones the sender used
uport=$(ip netns exec "$NA" $TRAFFIC udp-send 10.204.0.2 6000 10 100 | jq .local_port)
udp_sel=".flow.interface.name==\"$TA\" and .flow.hook==\"tc-egress\" and
	.flow.l4.UDP.source_port==$uport and .flow.l4.UDP.destination_port==6000 and
	.flow.IP.source==\"10.204.0.1\" and .flow.IP.destination==\"10.204.0.2\""
wait_for "UDP counts" 5 output_is 10 newest_stat packets "$udp_sel" --protocol udp
check_eq "UDP packets $uport > 6000 at $TA egress" 10 "$(newest_stat packets "$udp_sel" --protocol udp)"
check_eq "UDP bytes: 10 x (20 + 8 + 100)" 1280 "$(newest_stat bytes "$udp_sel" --protocol udp)"
check_eq "no record on $TA without an IP family" 0 \
	"$(flows_json --interface "$TA" | jq -c 'select(.flow.IP == null)' | wc -l)"

st=$("$CLI" status -o json)
counter() { echo "$st" | jq ".status.counters.$1 // .counters.$1"; }
check_eq "no non-IP packets counted" 0 "$(counter non_ip)"
check_eq "no malformed packets" 0 "$(counter malformed)"
check_eq "no truncated packets" 0 "$(counter truncated)"
agent_stop
check_eq "agent exits 0" 0 $?

# --- --xdp on the tun device: refused, said so, ingress counted by TC
agent_start_in "$NA" --xdp "$TA" || exit 1
ep=$("$CLI" endpoints -o json | jq -c "select(.interface==\"$TA\")")
check_eq "XDP refused on $TA: TC hooks instead" '["tc-ingress","tc-egress"]' "$(echo "$ep" | jq -c .hooks)"
check_eq "the endpoint reports the XDP error" "Operation not supported" "$(echo "$ep" | jq -r .xdp_error)"
check_true "the agent log says why" grep -q "refusing XDP on $TA: it has no Ethernet header" "$TMP/agent.log"
ip netns exec "$NA" ping -q -c 5 -i 0.01 -W 1 10.204.0.2 >/dev/null
wait_for "replies at TC ingress" 5 output_is 5 newest_stat packets \
	"$(icmp_sel tc-ingress 0 10.204.0.2 10.204.0.1)" --protocol icmpv4
check_eq "5 echo replies at $TA tc-ingress" 5 \
	"$(newest_stat packets "$(icmp_sel tc-ingress 0 10.204.0.2 10.204.0.1)" --protocol icmpv4)"
agent_stop
check_eq "agent exits 0" 0 $?
finish
