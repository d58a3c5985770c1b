#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Policy enforcement end to end: real endpoints, real servers, curl, ping and
# counted UDP datagrams; CiliumNetworkPolicy files imported through the CLI;
# the verdicts, drop reasons and policy names in the records, with exact
# counts; deny over allow; stateful replies; audit mode; delete restores.
. "$(dirname "$0")/lib.sh"

bridge_create
for i in 1 2 3; do endpoint_create "$i"; done
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2) E3=$(endpoint_ns 3)
# No IPv6 DAD wait, and neighbours known, so counts are the test's packets only.
for i in 1 2 3; do
	ip netns exec "$(endpoint_ns "$i")" ping -c1 -W2 10.201.0.$(((i % 3) + 1)) >/dev/null 2>&1
done

ip netns exec "$E2" "$PYTHON" "$(dirname "$0")/http_server.py" 10.201.0.2 80 &
ip netns exec "$E2" "$PYTHON" "$(dirname "$0")/http_server.py" 10.201.0.2 8080 &
agent_start || exit 1
wait_for "endpoints listed" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"

wait_for "http servers up" 10 output_is 200 curl_code "$E1" http://10.201.0.2/ok
wait_for "http 8080 up" 10 output_is 200 curl_code "$E1" http://10.201.0.2:8080/ok

# records [FLAGS...]: flow records as JSON lines
records() { flows_json "$@" | jq -c 'select(.flow != null) | .flow'; }

log "no policy: everything passes, nothing is dropped"
check_eq "e3 -> e2:80 before any policy" 200 "$(curl_code "$E3" http://10.201.0.2/ok)"
check_eq "no DROPPED record" 0 "$(records --verdict DROPPED | wc -l)"

cat >"$TMP/web.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web-ingress
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E2
  ingress:
  - fromEndpoints:
    - matchLabels:
        endpoint: $E1
    toPorts:
    - ports:
      - port: "80"
        protocol: TCP
EOF
out=$("$CLI" policy import "$TMP/web.yaml" 2>&1)
check_true "import prints the revision ($out)" grep -q "revision" <<<"$out"

log "ingress default deny on e2: only e1 -> TCP 80"
check_eq "e1 -> e2:80 allowed" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"
check_eq "e1 -> e2:8080 denied" 000 "$(curl_code "$E1" http://10.201.0.2:8080/ok)"
check_eq "e3 -> e2:80 denied" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"

# Exactly 7 UDP datagrams to a port no rule allows: 7 dropped packets, one flow.
dropped_before=$(status_counter policy_dropped)
ip netns exec "$E1" $TRAFFIC udp-send 10.201.0.2 7000 7 20 >/dev/null
sel='.IP.source == "10.201.0.1" and .l4.UDP.destination_port == 7000'
udp_dropped() { records --verdict DROPPED | jq -r "select($sel) | .stats.packets" | tail -n 1; }
wait_for "UDP drop record" 5 output_is 7 udp_dropped
drop=$(records --verdict DROPPED | jq -c "select($sel)" | tail -n 1)
check_eq "UDP drop: packets exactly" 7 "$(jq -r .stats.packets <<<"$drop")"
check_eq "UDP drop: reason" POLICY_DENIED "$(jq -r .drop_reason_desc <<<"$drop")"
check_eq "UDP drop: direction" INGRESS "$(jq -r .traffic_direction <<<"$drop")"
check_eq "UDP drop: event type drop" 1 "$(jq -r .event_type.type <<<"$drop")"
check_eq "UDP drop: datapath counter moved by 7" 7 \
	$(($(status_counter policy_dropped) - dropped_before))
check_eq "UDP: no forwarded record at e2's veth" 0 \
	"$(records --verdict FORWARDED | jq -c "select($sel) | select(.interface.name == \"$(endpoint_if 2)\")" | wc -l)"

allowed=$(records | jq -c 'select(.IP.source == "10.201.0.1" and .l4.TCP.destination_port == 80 and .policy_verdict == "ALLOWED")' | head -n 1)
check_eq "allowed flow names its policy" web-ingress \
	"$(jq -r '.ingress_allowed_by[0].name // empty' <<<"$allowed")"
check_eq "allowed flow: L3-L4 match" 2 "$(jq -r .policy_match_type <<<"$allowed")"
# Judged records (flows from before the import have no verdict) of the server's
# answers at e2's veth: replies, whatever e2's policy says.
replies=$(records | jq -r --arg ifn "$(endpoint_if 2)" 'select(.IP.source == "10.201.0.2" and
	.l4.TCP.source_port == 80 and .interface.name == $ifn and .l7 == null and
	.policy_verdict != null) | "\(.verdict)/\(.policy_verdict)"' | sort -u | paste -sd,)
check_eq "the server's answers pass as replies" FORWARDED/REPLY "$replies"
check_true "e3's SYNs are drop records" jq_any 'select(.IP.source == "10.201.0.3")' \
	<(records --drop-reason-desc POLICY_DENIED)
check_true "--type drop selects them" jq_any 'select(.IP.source == "10.201.0.3")' \
	<(records --type drop)

log "endpoints show the enforcement"
ep2=$("$CLI" endpoints -o json | jq -c --arg n "$E2" 'select(.name == $n)')
check_eq "e2 ingress enforcement" Enabled "$(jq -r '.. | objects | .ingress? // empty' <<<"$ep2" | head -n 1)"
check_eq "e2 egress enforcement" Disabled "$(jq -r '.. | objects | .egress? // empty' <<<"$ep2" | head -n 1)"

log "deny over allow: allow all from e1, deny TCP 8080 from anyone"
cat >"$TMP/deny.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: web-ingress
spec:
  endpointSelector:
    matchLabels:
      endpoint: $E2
  ingress:
  - fromEndpoints:
    - matchLabels:
        endpoint: $E1
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: no-8080
spec:
  endpointSelector: {}
  ingressDeny:
  - toPorts:
    - ports:
      - port: "8080"
        protocol: TCP
EOF
"$CLI" policy import "$TMP/deny.yaml" >/dev/null
check_eq "e1 -> e2:80 still allowed" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"
check_eq "e1 -> e2:8080 denied by the deny rule" 000 "$(curl_code "$E1" http://10.201.0.2:8080/ok)"
deny=$(records --drop-reason-desc POLICY_DENY | jq -c 'select(.l4.TCP.destination_port == 8080)' | tail -n 1)
check_eq "deny drop names the deny policy" no-8080 "$(jq -r '.ingress_denied_by[0].name // empty' <<<"$deny")"
# The probe says why it failed: the flows the agent saw, and the drop's reason.
out=$("$CLI" probe tcp 10.201.0.2:8080 --from "$E1" --count 1 --timeout 1s 2>&1); rc=$?
check_eq "probe into the deny rule fails" 1 "$rc"
check_true "and names the drop and its reason ($(grep 'drop:' <<<"$out" | head -n 1))" \
	grep -q "drop: Policy denied by denylist (POLICY_DENY)" <<<"$out"

log "egress: e1 may reach e2:80 only; replies pass, e1 -> e3 does not"
cat >"$TMP/egress.yaml" <<EOF
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1-egress
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
      - port: "80"
  ingress:
  - {}
EOF
"$CLI" policy import "$TMP/egress.yaml" >/dev/null
check_eq "e1 -> e2:80 allowed out, answered in" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"
check_true "e1 -> e3 ping denied" bash -c "! ip netns exec '$E1' ping -c1 -W1 10.201.0.3 >/dev/null"
check_true "e3 -> e1 ping denied (e1's ingress default deny)" \
	bash -c "! ip netns exec '$E3' ping -c1 -W1 10.201.0.1 >/dev/null"
eg=$(records --verdict DROPPED | jq -c 'select(.IP.source == "10.201.0.1" and .IP.destination == "10.201.0.3" and .l4.ICMPv4 != null)' | tail -n 1)
check_eq "e1's ping drop is EGRESS" EGRESS "$(jq -r .traffic_direction <<<"$eg")"
"$CLI" policy delete e1-egress >/dev/null

log "audit mode: what would be dropped passes, as AUDIT"
"$CLI" endpoints config "$E2" PolicyAuditMode=Enabled >/dev/null
check_eq "e3 -> e2:80 passes in audit mode" 200 "$(curl_code "$E3" http://10.201.0.2/ok)"
check_true "an AUDIT record for it" jq_any 'select(.IP.source == "10.201.0.3" and .l4.TCP.destination_port == 80)' \
	<(records --verdict AUDIT)
ep2=$("$CLI" endpoints -o json | jq -c --arg n "$E2" 'select(.name == $n)')
check_eq "e2 ingress shows audit" "Disabled (Audit)" "$(jq -r '.. | objects | .ingress? // empty' <<<"$ep2" | head -n 1)"
"$CLI" endpoints config "$E2" PolicyAuditMode=Disabled >/dev/null
check_eq "audit off: e3 -> e2:80 denied again" 000 "$(curl_code "$E3" http://10.201.0.2/ok)"

log "delete restores traffic"
"$CLI" policy delete --all >/dev/null
dropped_before=$(status_counter policy_dropped)
check_eq "e3 -> e2:80 after delete" 200 "$(curl_code "$E3" http://10.201.0.2/ok)"
check_eq "e1 -> e2:8080 after delete" 200 "$(curl_code "$E1" http://10.201.0.2:8080/ok)"
check_eq "no drop after delete" 0 $(($(status_counter policy_dropped) - dropped_before))

log "an endpoint watched with XDP: enforcing its egress puts TC ingress on too"
agent_stop
agent_start --xdp "$(endpoint_if 1)" || exit 1
wait_for "endpoints listed" 10 output_is 3 bash -c "'$CLI' endpoints -o json | jq -s 'length'"
check_eq "XDP: e1 -> e3 ping before the policy" 0 \
	"$(ip netns exec "$E1" ping -c1 -W1 10.201.0.3 >/dev/null 2>&1; echo $?)"
"$CLI" policy import "$TMP/egress.yaml" >/dev/null
check_eq "XDP: e1 -> e3 ping denied by e1's egress policy" 1 \
	"$(ip netns exec "$E1" ping -c1 -W1 10.201.0.3 >/dev/null 2>&1; echo $?)"
check_eq "XDP: e1 -> e2:80 allowed, answered" 200 "$(curl_code "$E1" http://10.201.0.2/ok)"
"$CLI" policy delete --all >/dev/null

finish
