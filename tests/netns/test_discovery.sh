#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Endpoint discovery refreshes only what a netlink event touched: a
# container flapping its link (on either side of the veth) never makes the
# agent rescan the whole node, and the endpoint table stays right: addresses
# added inside a namespace, new and removed endpoints, exact counts after.
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2 3; do endpoint_create $i; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3)
V1=$(endpoint_if 1) V2=$(endpoint_if 2) V3=$(endpoint_if 3)
endpoint_field() { "$CLI" endpoints -o json | jq -r "select(.interface==\"$1\") | $2"; }
discovery() { "$CLI" status -o json | jq -r ".status.discovery.$1"; }

agent_start || exit 1
check_eq "one full scan at start" 1 "$(discovery full_rescans)"

FLAPS=30
for _ in $(seq $FLAPS); do
	ip link set "$V1" down; ip link set "$V1" up             # host side
	ip -n "$E2" link set eth0 down; ip -n "$E2" link set eth0 up # container side
done
# Whatever the bursts, the table ends right: both flapped endpoints up again.
wait_for "flapped endpoints ready" 5 output_is "ready ready" \
	bash -c "echo \$($CLI endpoints -o json | jq -r 'select(.interface==\"$V1\" or .interface==\"$V2\") | .state')"
check_eq "flapped endpoints are ready" "ready ready" \
	"$(echo $("$CLI" endpoints -o json | jq -r "select(.interface==\"$V1\" or .interface==\"$V2\") | .state"))"
check_eq "no full rescan for $((FLAPS * 4)) link changes" 1 "$(discovery full_rescans)"
refreshes=$(discovery link_refreshes)
# Each burst refreshes the one link it touched, never the other endpoints:
# at most one refresh per change (the 50 ms debounce usually folds many,
# but on a loaded machine, as under the sanitizers, each change may come
# alone: the bound is the changes, not what the debounce folds).
check_true "link refreshes bounded by the changes ($refreshes <= $((FLAPS * 4 + 3)))" \
	test "$refreshes" -le $((FLAPS * 4 + 3))
check_true "container-side changes refreshed through their namespace" \
	test "$(discovery netns_refreshes)" -ge 1

# An address added inside a namespace is picked up through its namespace.
ip -n "$E3" addr add 10.201.0.103/24 dev eth0
wait_for "address inside picked up" 3 output_is 10.201.0.103 endpoint_field "$V3" '.ipv4[1]'
check_eq "address added inside $E3 listed" 10.201.0.103 "$(endpoint_field "$V3" '.ipv4[1]')"

# A new endpoint arrives complete (name from /run/netns, address, hooks).
endpoint_create 4
E4=$(endpoint_ns 4) V4=$(endpoint_if 4)
wait_for "endpoint 4" 3 output_is '["tc-ingress","tc-egress"]' endpoint_field "$V4" '.hooks | tostring'
check_eq "new endpoint named, addressed and attached" "$E4 10.201.0.4 [\"tc-ingress\",\"tc-egress\"]" \
	"$(endpoint_field "$V4" '.name + " " + .ipv4[0] + " " + (.hooks | tostring)')"
ip netns del "$E4"
wait_for "endpoint 4 gone" 3 output_is "" endpoint_field "$V4" .id
check_eq "removed endpoint gone" "" "$(endpoint_field "$V4" .id)"
check_eq "still no full rescan" 1 "$(discovery full_rescans)"

# Counting is unaffected: exact echo requests from the flapped endpoint.
ip netns exec "$E1" ping -q -c 7 -i 0.05 10.201.0.2 >/dev/null
wait_for "pings harvested" 3 output_is 7 newest_stat packets '.flow.l4.ICMPv4.type==8' \
	--interface "$V1" --protocol icmpv4
check_eq "echo requests counted on the flapped veth" 7 \
	"$(newest_stat packets '.flow.l4.ICMPv4.type==8' --interface "$V1" --protocol icmpv4)"

finish
