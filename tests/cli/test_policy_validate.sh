#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# netobs policy validate on the example files of tests/policy/ (also the
# examples of docs/policy.md): the summary, the normalized JSON (the same
# for the JSON and YAML forms of one policy, and a fixed point), stdin,
# refused files with their exact message and exit 1, usage errors with
# exit 2. No root, no agent.
set -uo pipefail
BIN=${NETOBS_BIN_DIR:-build}/netobs
cd "${NETOBS_SRC_DIR:-$(dirname "$0")/../..}" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# expect_exit CODE -- COMMAND...: run, keep stdout/stderr in $TMP/out, $TMP/err
expect_exit() {
	local want=$1
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" = "$want" ] || fail "exit $got, want $want: $* (stderr: $(cat "$TMP/err"))"
}

expect_line() { # FILE LINE: LINE is one whole line of FILE
	grep -qFx -- "$2" "$1" || fail "no line '$2' in $1: $(cat "$1")"
}

# The summary of the YAML example, line by line as written in the file.
expect_exit 0 -- "$BIN" policy validate tests/policy/web.yaml
expect_line "$TMP/out" "web-ingress (CiliumNetworkPolicy)"
expect_line "$TMP/out" "  selects: app=web"
expect_line "$TMP/out" "  ingress: default deny; egress: default deny"
expect_line "$TMP/out" "  ingress allow: from endpoints app=client; ports 8080/TCP"
expect_line "$TMP/out" "  ingress deny: from cidr 10.0.9.0/24; all ports"
expect_line "$TMP/out" "  egress allow: to endpoints netobs:endpoint=dns; ports 53/ANY"
expect_line "$TMP/out" "  egress allow: to fqdn *.example.com (pattern), fqdn api.example.org; all ports"
expect_line "$TMP/out" "db-lockdown (CiliumNetworkPolicy)"
expect_line "$TMP/out" "  ingress: default deny; egress: rules only (enableDefaultDeny false)"
expect_line "$TMP/out" "  ingress allow: from cidr 10.0.0.0/8 except 10.96.0.0/12; ports 5432-5439/TCP"
expect_line "$TMP/out" "  ingress allow: from any peer; icmp IPv4 type 8, IPv6 type 128"
expect_line "$TMP/out" "  egress deny: to entity world; all ports"
expect_line "$TMP/out" "valid: 2 policies"
[ -s "$TMP/err" ] && fail "stderr not empty: $(cat "$TMP/err")"

# The same policies written in JSON read the same; the JSON form is typed.
expect_exit 0 -- "$BIN" policy validate -o json tests/policy/web.yaml
cp "$TMP/out" "$TMP/yaml.json"
expect_exit 0 -- "$BIN" policy validate tests/policy/web.json -o json
cmp -s "$TMP/out" "$TMP/yaml.json" || fail "web.json and web.yaml normalize differently: $(diff "$TMP/out" "$TMP/yaml.json")"
[ "$(jq -c '.[0].spec.ingress[0].toPorts[0].ports[0]' "$TMP/yaml.json")" = '{"port":8080,"protocol":"TCP"}' ] ||
	fail "port not normalized: $(jq -c '.[0].spec.ingress[0].toPorts' "$TMP/yaml.json")"
[ "$(jq -c '.[1].spec.ingress[0].toPorts[0].ports[0]' "$TMP/yaml.json")" = '{"port":5432,"endPort":5439,"protocol":"TCP"}' ] ||
	fail "port range not normalized"
[ "$(jq -c '.[1].spec.enableDefaultDeny' "$TMP/yaml.json")" = '{"ingress":true,"egress":false}' ] ||
	fail "enableDefaultDeny not written out"
# The normalized form is a valid input that normalizes to itself.
expect_exit 0 -- "$BIN" policy validate -o json "$TMP/yaml.json"
cmp -s "$TMP/out" "$TMP/yaml.json" || fail "the normalized form is not a fixed point"

# A rule's toPorts entries hold 40 ports at most (Cilium's bound): 45 ports in
# two entries normalize to entries of 40 and 5, which parse back (one entry of
# 45 would not: the agent re-reads the normalized form from its state file).
ports() { local i; for i in $(seq "$1" "$2"); do printf '{port: "%s"}, ' "$i"; done; }
printf 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\nspec:\n  endpointSelector: {}\n  ingress:\n    - toPorts:\n        - ports: [%s]\n        - ports: [%s]\n' \
	"$(ports 1 30 | sed 's/, $//')" "$(ports 31 45 | sed 's/, $//')" >"$TMP/ports45.yaml"
expect_exit 0 -- "$BIN" policy validate -o json "$TMP/ports45.yaml"
cp "$TMP/out" "$TMP/ports45.json"
[ "$(jq -c '.[0].spec.ingress[0].toPorts | map(.ports | length)' "$TMP/ports45.json")" = '[40,5]' ] ||
	fail "45 ports not split 40 + 5: $(jq -c '.[0].spec.ingress[0].toPorts | map(.ports | length)' "$TMP/ports45.json")"
expect_exit 0 -- "$BIN" policy validate -o json "$TMP/ports45.json"
cmp -s "$TMP/out" "$TMP/ports45.json" || fail "45 ports: the normalized form is not a fixed point"

# Standard input; a List with a clusterwide policy and specs.
expect_exit 0 -- bash -c "'$BIN' policy validate - < tests/policy/web.yaml"
expect_line "$TMP/out" "valid: 2 policies"
expect_exit 0 -- "$BIN" policy validate tests/policy/list.json
expect_line "$TMP/out" "lockdown-all (CiliumClusterwideNetworkPolicy)"
expect_line "$TMP/out" "  rule set 2 of 2"
expect_line "$TMP/out" "  ingress allow: from entity all; ports 53/UDP, 53/TCP"
expect_line "$TMP/out" "  egress allow: to cidr 192.0.2.0/24, cidr 2001:db8::/32; icmp IPv4 type 8, IPv6 type 128"

# Refused: the whole file, nothing on stdout, the message names everything.
expect_exit 1 -- "$BIN" policy validate tests/policy/web.yaml tests/policy/bad-l7.yaml
[ -s "$TMP/out" ] && fail "output for a refused import: $(cat "$TMP/out")"
expect_line "$TMP/err" "Error: tests/policy/bad-l7.yaml: document 2 (web-ingress): spec.ingress[0].toPorts[0].rules: not supported by netobs (L7 policy); supported fields: docs/policy.md"
expect_exit 1 -- "$BIN" policy validate tests/policy/web.yaml tests/policy/web.json
expect_line "$TMP/err" "Error: tests/policy/web.json: document 1 (web-ingress): metadata.name: another policy of this import has this name (tests/policy/web.yaml: document 1) (got \"web-ingress\")"
printf '{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "p"},\n "spec": {"endpointSelector": {}, "egress": [{"toPorts": [{"ports": [{"port": 99999}]}]}]}}\n' >"$TMP/port.json"
expect_exit 1 -- "$BIN" policy validate "$TMP/port.json"
expect_line "$TMP/err" "Error: $TMP/port.json: document 1 (p): spec.egress[0].toPorts[0].ports[0].port: not a port number (0-65535) (got 99999)"
# Port 0 is Cilium's every port of the protocol: printed as such, kept as 0.
printf '{"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy", "metadata": {"name": "p0"},\n "spec": {"endpointSelector": {}, "ingress": [{"toPorts": [{"ports": [{"port": "0", "protocol": "TCP"}, {"port": 443, "protocol": "UDP"}]}]}]}}\n' >"$TMP/port0.json"
expect_exit 0 -- "$BIN" policy validate "$TMP/port0.json"
expect_line "$TMP/out" "  ingress allow: from any peer; ports all/TCP, 443/UDP"
expect_exit 0 -- "$BIN" policy validate -o json "$TMP/port0.json"
[ "$(jq -c '.[0].spec.ingress[0].toPorts[0].ports[0]' "$TMP/out")" = '{"port":0,"protocol":"TCP"}' ] ||
	fail "port 0 not kept: $(cat "$TMP/out")"
# What the file says is shown without its control characters: a description
# on its line, an unknown key with '?' for them (no terminal escapes).
printf 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: d}\nspec:\n  endpointSelector: {}\n  description: "two\\nlines\\e[31m"\n' >"$TMP/desc.yaml"
expect_exit 0 -- "$BIN" policy validate "$TMP/desc.yaml"
expect_line "$TMP/out" "  description: two lines [31m"
printf 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: k}\nspec: {endpointSelector: {}, "x\\e]0;y\\a": 1}\n' >"$TMP/key.yaml"
expect_exit 1 -- "$BIN" policy validate "$TMP/key.yaml"
expect_line "$TMP/err" "Error: $TMP/key.yaml: document 1 (k): spec.x?]0;y?: unknown field; supported fields: docs/policy.md"
expect_exit 1 -- "$BIN" policy validate "$TMP/missing.yaml"
expect_line "$TMP/err" "Error: cannot open $TMP/missing.yaml: No such file or directory"

# Usage errors.
expect_exit 2 -- "$BIN" policy
expect_exit 2 -- "$BIN" policy validate
expect_exit 2 -- "$BIN" policy frobnicate
expect_line "$TMP/err" "Error: unknown subcommand 'frobnicate': expected validate, import, get or delete"
expect_exit 2 -- "$BIN" policy import
expect_line "$TMP/err" "Error: import needs at least one FILE (- for stdin)"
expect_exit 2 -- "$BIN" policy delete
expect_exit 2 -- "$BIN" policy delete web --all
expect_line "$TMP/err" "Error: delete needs NAME... or --all (not both)"
expect_exit 2 -- "$BIN" policy get --all
expect_line "$TMP/err" "Error: --all is a flag of delete only"
expect_exit 2 -- "$BIN" policy get a b
# import checks the files before it needs an agent: the error names the file.
expect_exit 1 -- "$BIN" policy import "$TMP/key.yaml" --socket "$TMP/no.sock"
expect_line "$TMP/err" "Error: $TMP/key.yaml: document 1 (k): spec.x?]0;y?: unknown field; supported fields: docs/policy.md"
expect_exit 2 -- "$BIN" policy validate tests/policy/web.yaml -o table
expect_exit 0 -- "$BIN" help policy
expect_line "$TMP/out" "Usage: netobs policy validate FILE... [-o text|json]"

if [ "$failures" -gt 0 ]; then
	echo "test_policy_validate: $failures failure(s)" >&2
	exit 1
fi
echo "test_policy_validate: ok"
