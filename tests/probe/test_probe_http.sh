#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# probe_http_once against real servers on 127.0.0.1: makes a CA and two
# server certificates on the spot, starts tests/probe/probe_servers.py
# (ephemeral ports, so no netns lock is needed), runs the check program
# given as $1 with the ports and paths in its environment, stops the servers.
set -euo pipefail

test_bin=${1:?usage: test_probe_http.sh PATH/TO/test_probe_http}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/netobs-probe-http.XXXXXX)
server_pid=

cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true # 143: the SIGTERM we sent
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# One CA; a server certificate for IP:127.0.0.1 it signs; one for another name.
make_cert() { # NAME SUBJECT_ALT_NAME
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$work/$1.key" -out "$work/$1.csr" -subj "/CN=netobs probe test $1" 2>/dev/null
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$2" >"$work/$1.ext"
	openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
		-CAcreateserial -days 2 -out "$work/$1.pem" -extfile "$work/$1.ext" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$work/ca.key" -out "$work/ca.pem" -days 2 -subj "/CN=netobs probe test CA" \
	-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
make_cert server "IP:127.0.0.1"
make_cert wrong "DNS:wrong.example"

python3 "$here/probe_servers.py" "$work" "$work/ports" &
server_pid=$!
for _ in $(seq 100); do
	[ -f "$work/ports" ] && break
	kill -0 "$server_pid" 2>/dev/null || { echo "probe_servers.py died" >&2; exit 1; }
	sleep 0.1
done
[ -f "$work/ports" ] || { echo "probe_servers.py did not start within 10 s" >&2; exit 1; }

set -a
# shellcheck disable=SC1091
. "$work/ports"
export PROBE_CA="$work/ca.pem"
set +a
# No proxy from the environment may reach the probe: prove it by setting one.
http_proxy=http://127.0.0.1:1 https_proxy=http://127.0.0.1:1 "$test_bin"
