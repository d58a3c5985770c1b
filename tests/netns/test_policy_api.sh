#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# The agent's policies end to end: import (YAML), get (text and JSON),
# re-import replaces, delete, delete --all; a bad file refused whole with
# the running policy untouched; revisions and ids; user labels and audit
# mode in `netobs endpoints`; the state file across restarts (SIGTERM and
# SIGKILL) and a corrupt one refused; and what lands in the policy maps
# (read with bpftool from the agent's own map fds). Nothing is dropped yet
# by this branch alone: no traffic is checked here.
. "$(dirname "$0")/lib.sh"

command -v bpftool >/dev/null && command -v jq >/dev/null && command -v socat >/dev/null || {
	echo "# bpftool, jq and socat are needed (scripts/deps.sh installs them)"; exit 1; }

bridge_create
endpoint_create 1
endpoint_create 2
E1=$(endpoint_ns 1) E2=$(endpoint_ns 2)
IF1=$(cat /sys/class/net/"$(endpoint_if 1)"/ifindex)
IF2=$(cat /sys/class/net/"$(endpoint_if 2)"/ifindex)
agent_start || exit 1

# The id of one of the agent's maps by name (the kernel cuts names at 15
# bytes), found through the agent's own file descriptors: another netobs
# object loaded elsewhere has maps of the same names.
agent_map_id() {
	local f id
	for f in /proc/"$AGENT_PID"/fdinfo/*; do
		id=$(awk '/^map_id:/{print $2}' "$f" 2>/dev/null)
		[ -n "$id" ] && bpftool -j map show id "$id" | jq -r --arg n "$1" 'select(.name==$n) | .id'
	done | head -n1
}
# policy_endpoints' flags for an ifindex, "none" without an entry.
pep_flags() {
	bpftool -j map dump id "$(agent_map_id policy_endpoint)" |
		jq -r --argjson k "$1" '[.[] | select(.formatted.key==$k) | .formatted.value.flags] | if length==0 then "none" else .[0] end'
}
pep_count() { bpftool -j map dump id "$(agent_map_id policy_endpoint)" | jq length; }
ipcache_count() { bpftool -j map dump id "$(agent_map_id policy_ipcache)" | jq length; }
policy_gen() {
	bpftool -j map dump id "$(agent_map_id netobs.bss)" |
		jq -r '.[0].formatted.value[".bss"][] | select(has("netobs_policy_gen")) | .netobs_policy_gen'
}
# endpoint_field NAME FIELD: one member of an endpoint's JSON.
endpoint_field() { "$CLI" endpoints -o json | jq -r --arg n "$1" "select(.name==\$n) | $2"; }
raw_request() { echo "$1" | socat -t 10 - UNIX-CONNECT:"$SOCK"; }

# --- nothing loaded: nothing enforced, the generation 0
check_eq "no policy at first" "No policy loaded." "$("$CLI" policy get)"
check_eq "endpoint 1 ingress not enforced" "Disabled" "$(endpoint_field "$E1" .ingress)"
check_eq "generation 0 with no policy" "0" "$(policy_gen)"

# --- import a YAML file of two policies
cat >"$TMP/two.yaml" <<Y
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: e1-in
spec:
  endpointSelector:
    matchLabels:
      netobs:endpoint: $E1
  ingress:
    - fromEndpoints:
        - matchLabels:
            netobs:endpoint: $E2
      toPorts:
        - ports:
            - port: "8080"
              protocol: TCP
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata:
  name: web-out
spec:
  endpointSelector:
    matchLabels:
      app: web
  egress:
    - toEntities:
        - host
Y
check_eq "import prints what and the revision" \
	"Imported 2 policies (e1-in, web-out); policy revision 1" "$("$CLI" policy import "$TMP/two.yaml")"
"$CLI" policy get >"$TMP/get.txt"
check_eq "get: header" "NAME KIND ID REVISION ENDPOINTS (in/eg)" \
	"$(head -n1 "$TMP/get.txt" | tr -s ' ')"
check_eq "get: e1-in, id 1, revision 1, selects endpoint 1 for ingress" \
	"e1-in CiliumNetworkPolicy 1 1 1/0" "$(grep '^e1-in ' "$TMP/get.txt" | tr -s ' ')"
check_eq "get: web-out, id 2, selects nothing yet" \
	"web-out CiliumClusterwideNetworkPolicy 2 1 0/0" "$(grep '^web-out ' "$TMP/get.txt" | tr -s ' ')"
"$CLI" policy get -o json >"$TMP/get.json"
check_eq "get -o json: the documents as a list" "e1-in,web-out" \
	"$(jq -r '[.[].metadata.name] | join(",")' "$TMP/get.json")"
check_eq "get NAME: only that one" "1" "$("$CLI" policy get -o json e1-in | jq length)"
check_eq "API policy_get: the selected endpoints by name" "$E1" \
	"$(raw_request '{"request":"policy_get","name":"e1-in"}' | jq -r 'select(.policy) | .policy.endpoints.ingress[]')"
check_eq "API policy_get: done with count and revision" '{"count":2,"revision":1}' \
	"$(raw_request '{"request":"policy_get"}' | jq -c 'select(.done) | .done')"
out=$("$CLI" policy get nope 2>&1); rc=$?
check_eq "get of an unknown name fails" "1" "$rc"
check_eq "and says how to list them" 'Error: no policy named nope; `netobs policy get` lists them' "$out"

# --- the maps: endpoint 1 enforced on ingress (rules + default deny), the
# addresses of both endpoints in the ipcache, the generation set
check_eq "endpoint 1 in policy_endpoints: INGRESS_RULES|INGRESS_DEFAULT_DENY" "3" "$(pep_flags "$IF1")"
check_eq "endpoint 2 not in policy_endpoints" "none" "$(pep_flags "$IF2")"
check_true "both endpoints' addresses in policy_ipcache" test "$(ipcache_count)" -ge 4
GEN1=$(policy_gen)
check_true "generation non-zero with a policy ($GEN1)" test "$GEN1" -gt 0
check_eq "endpoint 1 ingress Enabled" "Enabled" "$(endpoint_field "$E1" .ingress)"
check_eq "endpoint 1 egress Disabled" "Disabled" "$(endpoint_field "$E1" .egress)"
check_eq "endpoint 1 at policy revision 1" "1" "$(endpoint_field "$E1" .revision)"
"$CLI" endpoints >"$TMP/eps.txt"
check_true "endpoints table: enforcement columns" grep -q "POLICY (ingress)  POLICY (egress)  LABELS" "$TMP/eps.txt"
check_eq "endpoints table: endpoint 1 Enabled/Disabled, no label" "Enabled Disabled -" \
	"$(grep " $E1 " "$TMP/eps.txt" | awk '{print $(NF-2), $(NF-1), $NF}')"

# --- re-import replaces by name: new ids and revision, same names; a policy
# imported again unchanged keeps its id (a controller re-applying its files
# must not use the ids up)
check_eq "re-import unchanged: no new revision" \
	"Unchanged: 2 policies (e1-in, web-out); policy revision 1" \
	"$("$CLI" policy import "$TMP/get.json")"
check_eq "re-imported unchanged: the same ids" "1,2" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.policy) | .policy.id' | paste -sd,)"
jq '[.[] | .spec.description = "changed"]' "$TMP/get.json" >"$TMP/get-changed.json"
check_eq "re-import of a changed get -o json" "Imported 2 policies (e1-in, web-out); policy revision 2" \
	"$("$CLI" policy import "$TMP/get-changed.json")"
check_eq "replaced policies have new ids, never reused" "3,4" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.policy) | .policy.id' | paste -sd,)"
check_eq "still two policies" "2" "$("$CLI" policy get -o json | jq length)"

# --- a bad file is refused whole: the good policy in it is not imported
# either, and the running ones stay
cat >"$TMP/bad.yaml" <<Y
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: e1-in}
spec:
  endpointSelector: {}
  ingress: [{}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: broken}
spec:
  endpointSelector: {}
  ingress:
    - toPorts:
        - ports:
            - port: "99999"
Y
out=$("$CLI" policy import "$TMP/bad.yaml" 2>&1); rc=$?
check_eq "a bad file: import fails" "1" "$rc"
check_true "the error names file, document and field ($out)" \
	grep -q "$TMP/bad.yaml: document 2 (broken): spec.ingress\[0\].toPorts\[0\].ports\[0\].port" <<<"$out"
# The agent checks too (a client may skip the local check): the same whole refusal.
cat >"$TMP/raw.json" <<'J'
[{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"e1-in"},
  "spec":{"endpointSelector":{},"ingress":[{}]}},
 {"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"broken"},
  "spec":{"endpointSelector":{},"bogus":1}}]
J
out=$(raw_request "$(jq -c '{request:"policy_import",source:"raw.json",documents:.}' "$TMP/raw.json")")
check_true "the agent refuses a bad document, naming it ($out)" \
	grep -q '"error".*raw.json: document 2 (broken): spec.bogus: unknown field' <<<"$out"
check_eq "running policies untouched: ids" "3,4" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.policy) | .policy.id' | paste -sd,)"
check_eq "running policies untouched: revision" "2" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.done) | .done.revision')"
check_eq "e1-in is still the old one (selects endpoint 1 only)" "$E1" \
	"$("$CLI" policy get -o json e1-in | jq -r '.[0].spec.endpointSelector.matchLabels["netobs:endpoint"]')"

# --- a file far larger than the old 64 KiB request line: 400 policies in one
# import (none selects an endpoint); then delete them again
"$PYTHON" - "$TMP/many.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(400):
        f.write("---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n"
                f"metadata: {{name: many-{i:03d}}}\n"
                "spec:\n  description: \"" + "padding " * 20 + "\"\n"
                f"  endpointSelector: {{matchLabels: {{app: nobody-{i}}}}}\n"
                "  ingress:\n    - fromCIDR: [10.9.0.0/16]\n"
                "      toPorts: [{ports: [{port: \"443\", protocol: TCP}]}]\n")
PY
check_true "the file is over 64 KiB" test "$(stat -c %s "$TMP/many.yaml")" -gt 65536
out=$("$CLI" policy import "$TMP/many.yaml" 2>&1)
check_true "400 policies import in one request ($(cut -c1-60 <<<"$out"))" \
	grep -q "^Imported 400 policies (many-000, many-001, .*); policy revision 3$" <<<"$out"
check_eq "402 loaded" "402" "$("$CLI" policy get -o json | jq length)"
for i in $(seq -f %03g 0 399); do echo "many-$i"; done | xargs "$CLI" policy delete >/dev/null
check_eq "deleted again, one revision each" "403" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.done) | .done.revision')"
REV=403

# --- an import past the datapath's bounds is refused whole: 300 CIDRs times
# 256 ports for one endpoint is more rules than policy_rules holds
"$PYTHON" - "$TMP/huge.json" "$E1" <<'PY'
import json, sys
cidrs = [f"10.{i // 256}.{i % 256}.0/24" for i in range(300)]
ports = [{"port": str(1000 + 2 * i), "protocol": "TCP"} for i in range(256)]
doc = {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
       "metadata": {"name": "huge"},
       "spec": {"endpointSelector": {"matchLabels": {"netobs:endpoint": sys.argv[2]}},
                "ingress": [{"fromCIDR": cidrs, "toPorts": [{"ports": ports[k:k + 40]} for k in range(0, 256, 40)]}]}}
json.dump([doc], open(sys.argv[1], "w"))
PY
out=$("$CLI" policy import "$TMP/huge.json" 2>&1); rc=$?
check_eq "an import past the map bounds fails" "1" "$rc"
check_true "saying it does not fit ($(cut -c1-100 <<<"$out"))" grep -q "the import does not fit the datapath: .*nothing was changed" <<<"$out"
check_eq "nothing changed: revision" "$REV" \
	"$(raw_request '{"request":"policy_get"}' | jq -r 'select(.done) | .done.revision')"
check_eq "nothing changed: policies" "e1-in,web-out" \
	"$("$CLI" policy get -o json | jq -r '[.[].metadata.name] | join(",")')"

# --- user labels: a selector matching one puts the endpoint under policy
check_eq "add a user label" "Endpoint $E2: app=web; policy revision $((REV + 1))" \
	"$("$CLI" endpoints labels "$E2" --add app=web)"
check_eq "web-out now selects endpoint 2: egress Enabled" "Enabled" "$(endpoint_field "$E2" .egress)"
check_eq "its labels" "netobs:endpoint=$E2,netobs:interface=$(endpoint_if 2),netobs:netns=$E2,user:app=web" \
	"$(endpoint_field "$E2" '.labels | join(",")')"
check_eq "endpoint 2 in policy_endpoints: EGRESS_RULES|EGRESS_DEFAULT_DENY" "12" "$(pep_flags "$IF2")"
GEN2=$(policy_gen)
check_true "the generation grew ($GEN1 -> $GEN2)" test "$GEN2" -gt "$GEN1"
check_eq "endpoints table: LABELS" "app=web" "$("$CLI" endpoints | grep " $E2 " | awk '{print $NF}')"
out=$("$CLI" endpoints labels "$E2" --add netobs:endpoint=x 2>&1); rc=$?
check_eq "netobs labels cannot be added" "1" "$rc"
check_true "and says why ($out)" grep -q "only user labels may be added; netobs:\* labels are the agent's own" <<<"$out"
out=$("$CLI" endpoints labels "$E2" --delete netobs:endpoint 2>&1); rc=$?
check_eq "nor deleted" "1" "$rc"
out=$("$CLI" endpoints labels nope --add a=b 2>&1); rc=$?
check_eq "an unknown endpoint" 'Error: no endpoint named nope; `netobs endpoints` lists them' "$out"
check_eq "delete the label" "Endpoint $E2: no user labels; policy revision $((REV + 2))" \
	"$("$CLI" endpoints labels "$E2" --delete app)"
check_eq "endpoint 2 no longer selected" "Disabled" "$(endpoint_field "$E2" .egress)"
check_eq "nor in policy_endpoints" "none" "$(pep_flags "$IF2")"
"$CLI" endpoints labels "$E2" --add app=web --add tier=front >/dev/null

# --- audit mode
check_eq "audit on" "Endpoint $E1: PolicyAuditMode=Enabled; policy revision $((REV + 4))" \
	"$("$CLI" endpoints config "$E1" PolicyAuditMode=Enabled)"
check_eq "ingress shows Disabled (Audit)" "Disabled (Audit)" "$(endpoint_field "$E1" .ingress)"
check_eq "policy_endpoints flags gain AUDIT (16)" "19" "$(pep_flags "$IF1")"
out=$("$CLI" endpoints config "$E1" Foo=Bar 2>&1)
check_eq "an unknown option is named" "Error: unknown endpoint option 'Foo': the option is PolicyAuditMode" "$out"
out=$("$CLI" endpoints config "$E1" PolicyAuditMode=Maybe 2>&1)
check_eq "a bad value lists the good ones" "Error: PolicyAuditMode: expected Enabled or Disabled" "$out"
check_eq "setting it again changes nothing (same revision)" \
	"Endpoint $E1: PolicyAuditMode=Enabled; policy revision $((REV + 4))" \
	"$("$CLI" endpoints config "$E1" PolicyAuditMode=Enabled)"

# --- the state survives a restart: SIGTERM, then SIGKILL
snapshot() {
	raw_request '{"request":"policy_get"}' | jq -c 'select(.policy) | [.policy.id, .policy.revision, .policy.document.metadata.name]'
	raw_request '{"request":"policy_get"}' | jq -c 'select(.done)'
	"$CLI" endpoints -o json | jq -c '[.name, .labels, .ingress, .egress, .audit]'
}
snapshot >"$TMP/before"
check_true "state file written" test -s "$STATE_DIR/policy.json"
agent_stop; check_eq "the agent stops cleanly (exit 0, no sanitizer report)" 0 "$?"
agent_start || exit 1
snapshot >"$TMP/after-term"
check_true "after SIGTERM: same policies, ids, revision, labels, audit" cmp -s "$TMP/before" "$TMP/after-term"
kill -KILL "$AGENT_PID"; wait "$AGENT_PID" 2>/dev/null; AGENT_PID=
agent_start || exit 1
snapshot >"$TMP/after-kill"
check_true "after SIGKILL: the same" cmp -s "$TMP/before" "$TMP/after-kill"
check_eq "after restart the maps are written again" "19" "$(pep_flags "$IF1")"
check_eq "status: revision, policies, no failed recompile" "$((REV + 4)) 2 0" \
	"$("$CLI" status -o json | jq -r '.status.policy | "\(.revision) \(.policies) \(.compile_failures)"')"
check_eq "ids given out before the restart are not given again" "Imported 1 policy (web-out); policy revision $((REV + 5))" \
	"$("$CLI" policy get -o json web-out | jq '.[0].spec.description = "again"' | "$CLI" policy import -)"
check_eq "web-out's new id" "405" \
	"$(raw_request '{"request":"policy_get","name":"web-out"}' | jq -r 'select(.policy) | .policy.id')"

# --- delete one, then all
check_eq "delete one" "Deleted 1 policy (e1-in); policy revision $((REV + 6))" "$("$CLI" policy delete e1-in)"
check_eq "endpoint 1 no longer enforced" "none" "$(pep_flags "$IF1")"
out=$("$CLI" policy delete e1-in 2>&1); rc=$?
check_eq "deleting it again fails" "1" "$rc"
check_eq "delete --all" "Deleted 1 policy (web-out); policy revision $((REV + 7))" "$("$CLI" policy delete --all)"
check_eq "nothing left" "No policy loaded." "$("$CLI" policy get)"
check_eq "generation 0 again" "0" "$(policy_gen)"
check_eq "policy_endpoints empty" "0" "$(pep_count)"
check_eq "policy_ipcache empty" "0" "$(ipcache_count)"
check_eq "delete --all with nothing: no new revision" "Nothing to delete; policy revision $((REV + 7))" \
	"$("$CLI" policy delete --all)"

# --- a corrupt state file: the agent refuses to start and says what to do
agent_stop; check_eq "the agent stops cleanly (exit 0, no sanitizer report)" 0 "$?"
cp "$STATE_DIR/policy.json" "$TMP/good.json"
echo '{"version":1,"revision":' >"$STATE_DIR/policy.json"
out=$(timeout 20 "$AGENT" --socket "$SOCK" --bpffs "$BPFFS" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "a corrupt state file stops the start" "1" "$rc"
check_true "naming the file and what to do ($out)" \
	grep -q "cannot read the policy state: $STATE_DIR/policy.json: line .*move it away to start with no policy" <<<"$out"
jq '.version = 7' "$TMP/good.json" >"$STATE_DIR/policy.json"
out=$(timeout 20 "$AGENT" --socket "$SOCK" --bpffs "$BPFFS" --state-dir "$STATE_DIR" 2>&1); rc=$?
check_eq "another format version stops the start" "1" "$rc"
check_true "and says which ($out)" grep -q "policy.json: format version 7; this agent reads version 1" <<<"$out"
cp "$TMP/good.json" "$STATE_DIR/policy.json"
agent_start || exit 1
check_eq "the good file again: labels kept" "app=web,tier=front" \
	"$(endpoint_field "$E2" '[.labels[] | select(startswith("user:")) | ltrimstr("user:")] | join(",")')"

# --- policies that fit two endpoints but not three: a third endpoint's
# recompile fails, is logged and counted, and the maps in force stay
"$PYTHON" - "$TMP/wide.json" <<'PY'
import json, sys
cidrs = [f"10.{i // 256}.{i % 256}.0/24" for i in range(120)]
ports = [{"port": str(1000 + 2 * i), "protocol": "TCP"} for i in range(256)]
doc = {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "wide"},
       "spec": {"endpointSelector": {},
                "ingress": [{"fromCIDR": cidrs, "toPorts": [{"ports": ports[k:k + 40]} for k in range(0, 256, 40)]}]}}
json.dump([doc], open(sys.argv[1], "w"))
PY
out=$("$CLI" policy import "$TMP/wide.json" 2>&1)
check_true "a policy of ~30000 rules per endpoint fits two endpoints ($out)" grep -q "^Imported 1 policy (wide)" <<<"$out"
check_eq "both endpoints enforced (1 still in audit mode)" "19 3" "$(pep_flags "$IF1") $(pep_flags "$IF2")"
endpoint_create 3
wait_for "the third endpoint" 10 bash -c "'$CLI' endpoints | grep -q ' $(endpoint_ns 3) '"
wait_for "its recompile to fail" 10 bash -c \
	"[ \"\$('$CLI' status -o json | jq .status.policy.compile_failures)\" -ge 1 ]"
check_true "the failure is counted" test "$("$CLI" status -o json | jq .status.policy.compile_failures)" -ge 1
check_true "and logged, saying what stays" grep -q "the endpoints changed but the policies no longer fit the datapath: .*the previous policy maps stay in force" "$TMP/agent.log"
IF3=$(cat /sys/class/net/"$(endpoint_if 3)"/ifindex)
# The third endpoint is selected ({}) but does not fit: not left open, it is
# in default deny both ways (15) until the policies fit again.
check_eq "the maps in force stay: endpoints 1 and 2 enforced, 3 in default deny" "19 3 15" \
	"$(pep_flags "$IF1") $(pep_flags "$IF2") $(pep_flags "$IF3")"
"$CLI" policy delete --all >/dev/null

agent_stop; check_eq "the agent stops cleanly at the end" 0 "$?"

echo "# passed $PASSED, failed $FAILED"
[ "$FAILED" -eq 0 ]
