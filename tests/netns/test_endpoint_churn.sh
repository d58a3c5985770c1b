#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Namespaces come and go under one running agent, as `netobs connectivity
# test` runs do: the kernel gives a new namespace the id a deleted one had,
# and names are reused. Every new endpoint must be listed under its own
# namespace's name, ready, with its addresses, within moments, never under
# the name of a namespace that had its id before.
. "$(dirname "$0")/lib.sh"

endpoint_line() {
	"$CLI" endpoints -o json |
		jq -r "select(.interface==\"$1\") | [.name, .state, (.ipv4 | join(\",\"))] | join(\" \")"
}
nsid_of() { ip netns list | awk -v ns="$1" '$1 == ns {print $3}' | tr -d ')'; }

# ns_create NAME HOSTIF ADDR: a namespace with a veth to the host, as the test does it.
ns_create() {
	ip netns add "$1"
	ip link add "$2" type veth peer name eth0 netns "$1"
	ip link set "$2" up
	ip -n "$1" link set lo up
	ip -n "$1" addr add "$3/24" dev eth0
	ip -n "$1" link set eth0 up
}

# expect_endpoint DESC NAME HOSTIF ADDR
expect_endpoint() {
	wait_for "$1" 3 output_is "$2 ready $4" endpoint_line "$3"
	check_eq "$1" "$2 ready $4" "$(endpoint_line "$3")"
}

agent_start || exit 1

# 1. One namespace goes, another (another name) comes: it gets the same id.
ns_create "${P}a" "${P}ha" 10.202.0.1
expect_endpoint "first namespace listed" "${P}a" "${P}ha" 10.202.0.1
OLD_ID=$(nsid_of "${P}a")
ip netns del "${P}a"
wait_for "first endpoint gone" 3 output_is "" endpoint_line "${P}ha"
ns_create "${P}b" "${P}hb" 10.202.0.2
# What this case is about: without the id reused, it tests nothing.
check_eq "the kernel gave ${P}b the id ${P}a had" "$OLD_ID" "$(nsid_of "${P}b")"
expect_endpoint "a namespace taking a deleted one's id listed under its own name" \
	"${P}b" "${P}hb" 10.202.0.2

# 2. Several at once, deleted and made again in another order, names reused:
# each id now belongs to another name than the last time.
for r in 1 2 3; do
	ns_create "${P}r$r" "${P}hr$r" "10.202.1.$r"
done
for r in 1 2 3; do expect_endpoint "round 1: ${P}r$r" "${P}r$r" "${P}hr$r" "10.202.1.$r"; done
for r in 1 2 3; do ip netns del "${P}r$r"; done
ip netns del "${P}b"
for r in 1 2 3; do wait_for "${P}hr$r gone" 3 output_is "" endpoint_line "${P}hr$r"; done
for r in 3 2 1; do
	ns_create "${P}r$r" "${P}hr$r" "10.202.2.$r"
done
for r in 1 2 3; do expect_endpoint "round 2: ${P}r$r" "${P}r$r" "${P}hr$r" "10.202.2.$r"; done
check_eq "each endpoint's name is its namespace's, one each" 3 \
	"$("$CLI" endpoints -o json | jq -r '.name' | grep -c "^${P}r[123]$")"

finish
