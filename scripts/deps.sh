#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Install what netobs needs to build and test, from Debian 12's archive,
# and mount bpffs if it is missing. Idempotent; run as root.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config clang llvm
	libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev
	libmnl-dev libjansson-dev libuv1-dev check
	iproute2 iputils-ping ethtool jq python3 socat procps tcpdump python3-jsonschema util-linux
	strace
	libpcap-dev # netobs flows --pcap reads captures with libpcap
	tshark dnsmasq-base bind9-dnsutils curl # L7 tests: an independent decoder, real servers/clients
	libclang-rt-14-dev # libFuzzer, for scripts/fuzz.sh
	libcurl4-openssl-dev openssl # netobs probe http/https; the probe tests make a CA on the spot
	libc-ares-dev # netobs probe dns: the DNS client (c-ares)
	libyaml-dev # policy files in YAML (CiliumNetworkPolicy documents), lib/policy_text.c
	# netobs connectivity test: its topology over netlink (libnl-route), its CA and HTTPS
	# server (libssl), the masquerade rule of --external-* (the nft binary)
	libnl-route-3-dev libssl-dev nftables
	netsniff-ng # trafgen: bench/bench_flood.sh and bench_newflows.sh send fixed floods through a veth
)

[ "$(id -u)" = 0 ] || { echo "scripts/deps.sh: run as root (it installs packages)" >&2; exit 1; }

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "scripts/deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! mountpoint -q /sys/fs/bpf; then
	echo "scripts/deps.sh: mounting bpffs at /sys/fs/bpf"
	mount -t bpf bpf /sys/fs/bpf
fi
