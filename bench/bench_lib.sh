# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Sourced by bench/bench_flood.sh, bench/bench_newflows.sh and
# tests/netns/test_newflows.sh: the veth pair they send through, the agent
# they watch it with.

# veth_pair_create NS HOST_IF NET: namespace NS with eth0 at NET.2/24, its
# peer HOST_IF in this namespace at NET.1/24 (an endpoint for netobs). Only
# what the caller sends crosses the pair: no IPv6 (router solicitations,
# MLD), permanent neighbours (no ARP). Sets HOST_MAC and NS_MAC.
veth_pair_create() {
	local ns=$1 host_if=$2 net=$3

	ip netns add "$ns"
	ip link add "$host_if" type veth peer name eth0 netns "$ns"
	sysctl -qw "net.ipv6.conf.$host_if.disable_ipv6=1"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1
	ip addr add "$net.1/24" dev "$host_if"
	ip link set "$host_if" up
	ip -n "$ns" addr add "$net.2/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" link set lo up
	HOST_MAC=$(cat "/sys/class/net/$host_if/address")
	NS_MAC=$(ip netns exec "$ns" cat /sys/class/net/eth0/address)
	ip neigh replace "$net.2" lladdr "$NS_MAC" dev "$host_if" nud permanent
	ip -n "$ns" neigh replace "$net.1" lladdr "$HOST_MAC" dev eth0 nud permanent
}

# veth_pair_delete NS HOST_IF: remove both (quiet when already gone).
veth_pair_delete() {
	ip netns del "$1" 2>/dev/null || true
	ip link del "$2" 2>/dev/null || true
}

# bpffs_private DIR / bpffs_private_remove DIR: a bpffs of the caller's own
# for the agent's pins, so it never touches the node's.
bpffs_private() {
	mkdir -p "$1"
	mount -t bpf bpf "$1"
}

bpffs_private_remove() {
	if mountpoint -q "$1"; then umount "$1"; fi
}

# cpu_ticks PID: utime + stime of PID, in clock ticks (getconf CLK_TCK).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# agent_wait_attached CLI IFNAME AGENT_PID: wait (10 s at most) until the
# agent lists IFNAME as a ready endpoint; 1 if it does not, or exits.
agent_wait_attached() {
	local cli=$1 ifname=$2 pid=$3

	for _ in $(seq 200); do
		if "$cli" endpoints -o json 2>/dev/null |
			jq -e --arg i "$ifname" 'select(.interface == $i and .state == "ready")' \
				>/dev/null; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
