# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# Namespace test harness: real agent, real veths, real traffic.
# Source it from a test_*.sh; it sets a cleanup trap that removes every
# namespace, interface, bpffs mount and temp file the test made, also when
# the test fails.
set -uo pipefail

BIN_DIR=${NETOBS_BIN_DIR:?set NETOBS_BIN_DIR to the build directory}
AGENT=$BIN_DIR/netobs-agent
CLI=$BIN_DIR/netobs
# Short, unique per run: interface names are limited to 15 characters.
P=nt$(printf '%x' $(( $$ % 65536 )))
TMP=$(mktemp -d /tmp/netobs-test.XXXXXX)
SOCK=$TMP/netobs.sock
BPFFS=$TMP/bpffs
STATE_DIR=$TMP/state
AGENT_PID=
PASSED=0
FAILED=0
export NETOBS_SOCKET=$SOCK
# Debian's python3 (scripts/deps.sh installs it and python3-jsonschema).
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3
TRAFFIC="$PYTHON $(dirname "${BASH_SOURCE[0]}")/traffic.py"
SRC_DIR=${NETOBS_SRC_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

[ "$(id -u)" = 0 ] || { echo "netns tests need root"; exit 1; }

log() { echo "# $*"; }

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "not ok - $1"; }

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}

# check_true DESCRIPTION COMMAND...
check_true() {
	local desc=$1; shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

cleanup() {
	local rc=$?
	if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
		kill -INT "$AGENT_PID" 2>/dev/null
		wait "$AGENT_PID" 2>/dev/null
	fi
	# Servers a test started in the background (dnsmasq, python): they
	# hold the test's output open, and ctest would wait for them.
	local job
	for job in $(jobs -p); do kill "$job" 2>/dev/null; done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P" || true); do
		ip netns del "$ns" 2>/dev/null
	done
	for dev in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$P" || true); do
		ip link del "$dev" 2>/dev/null
	done
	mountpoint -q "$BPFFS" && umount "$BPFFS"
	if [ "$FAILED" -gt 0 ] && [ -f "$TMP/agent.log" ]; then
		echo "# --- agent log (last 30 lines) ---"
		tail -n 30 "$TMP/agent.log" | sed 's/^/# /'
	fi
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$BPFFS"
mount -t bpf bpf "$BPFFS"
# iproute2's tc makes tc/, ip/ and xdp/ in the bpffs it finds when a test
# adds a BPF filter of its own: keep those in the test's private mount.
export TC_BPF_MNT=$BPFFS

# bridge_create: the host-side bridge endpoints hang off, like docker0.
bridge_create() {
	ip link add "${P}br" type bridge
	ip link set "${P}br" up
}

# endpoint_create INDEX: namespace ${P}eINDEX with eth0 (10.201.0.INDEX,
# fd00:201::INDEX), host side ${P}vINDEX on the bridge.
endpoint_create() {
	local i=$1 ns=${P}e$1 host=${P}v$1
	ip netns add "$ns"
	ip link add "$host" type veth peer name eth0 netns "$ns"
	ip link set "$host" master "${P}br" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "10.201.0.$i/24" dev eth0
	ip -n "$ns" addr add "fd00:201::$i/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
}

endpoint_ns() { echo "${P}e$1"; }
endpoint_if() { echo "${P}v$1"; }

# agent_start [ARGS...]: start the agent and wait until it answers.
agent_start() { agent_start_in "" "$@"; }

# agent_start_in NETNS [ARGS...]: the same inside a namespace ("": this one).
agent_start_in() {
	local ns=$1 in_ns=()
	shift
	[ -n "$ns" ] && in_ns=(ip netns exec "$ns")
	# A private --state-dir: tests never share (nor touch the node's) policies.
	"${in_ns[@]}" "$AGENT" --socket "$SOCK" --bpffs "$BPFFS" --state-dir "$STATE_DIR" \
		--harvest-interval 200 "$@" \
		>>"$TMP/agent.log" 2>&1 &
	AGENT_PID=$!
	for _ in $(seq 100); do
		"$CLI" status >/dev/null 2>&1 && return 0
		kill -0 "$AGENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# agent did not start:"; sed 's/^/# /' "$TMP/agent.log"
	return 1
}

# agent_stop: SIGTERM, wait, return the agent's exit code.
agent_stop() {
	local rc
	kill -TERM "$AGENT_PID"
	wait "$AGENT_PID"
	rc=$?
	AGENT_PID=
	return $rc
}

# wait_for DESCRIPTION TIMEOUT_S COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local desc=$1 timeout=$2; shift 2
	local deadline=$((SECONDS + timeout))
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null && return 0
		sleep 0.1
	done
	echo "# timed out after ${timeout}s waiting for: $desc"
	return 1
}

# output_is EXPECTED COMMAND...: does COMMAND print exactly EXPECTED? (for wait_for)
output_is() {
	local expected=$1; shift
	[ "$("$@")" = "$expected" ]
}

# jq_any FILTER [FILE]: does jq print anything for FILTER? (jq -e alone
# succeeds on empty input, which would make a wait pass before any line came.)
jq_any() {
	[ -n "$(jq -c "$@" 2>/dev/null)" ]
}

# The HTTP status of a GET from inside namespace NS ("000": no answer).
curl_code() { # curl_code NS URL
	ip netns exec "$1" curl -s -o /dev/null -w '%{http_code}' --connect-timeout 2 \
		--max-time 4 "$2" || true
}
# A counter of `netobs status -o json` by name, wherever it sits (0 when absent).
status_counter() {
	"$CLI" status -o json | jq -r --arg n "$1" '[.. | objects | .[$n]? | numbers] | first // 0'
}
clients() { "$CLI" status -o json | jq .status.clients; }
prog_name() { bpftool prog show id "$1" -j 2>/dev/null | jq -r .name; }

# flows_json [FLAGS...]: every stored record matching FLAGS, one JSON per line.
flows_json() { "$CLI" flows --all -o json "$@"; }

# newest_stat FIELD JQ_SELECT [FLAGS...]: cumulative FIELD (packets|bytes) of the
# newest record matching the jq selector; 0 when none.
newest_stat() {
	local field=$1 sel=$2; shift 2
	flows_json "$@" | jq -r "select(.flow != null) | select($sel) | .flow.stats.$field" |
		tail -n 1 | grep . || echo 0
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
