#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The netobs CLI on its own: usage errors, a missing agent, and replies from a
# fake agent (a small Python Unix-socket server serving canned lines), so
# the CLI's side of docs/api.md is checked without BPF or root.
set -u

NETOBS="${NETOBS_BIN_DIR:-.}/netobs"
TMP=$(mktemp -d /tmp/netobs-cli-test.XXXXXX)
SOCK="$TMP/agent.sock"
REPLY="$TMP/reply"     # what the fake agent sends (REPLY.<request> when it exists)
REQUEST="$TMP/request" # the last request line it received
FAKE_PID=
passed=0
failed=0

teardown() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap teardown EXIT

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run ARGS...: run the CLI, keep exit code, stdout and stderr.
run() {
	"$NETOBS" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
expect_rc() { # expect_rc CODE WHAT
	if [ "$rc" -eq "$1" ]; then pass; else fail "$2: exit $rc, want $1 (stderr: $(cat "$TMP/err"))"; fi
}
expect_stdout_empty() {
	if [ ! -s "$TMP/out" ]; then pass; else fail "$1: stdout not empty: $(head -c 200 "$TMP/out")"; fi
}
expect_stderr_has() { # expect_stderr_has TEXT WHAT
	if grep -qF -- "$1" "$TMP/err"; then pass; else fail "$2: stderr lacks '$1': $(cat "$TMP/err")"; fi
}
expect_stdout_is() { # expect_stdout_is FILE WHAT
	if cmp -s "$1" "$TMP/out"; then pass; else
		fail "$2: stdout differs"; diff "$1" "$TMP/out" >&2
	fi
}

# ---- no agent
run --socket "$TMP/missing.sock" status
expect_rc 1 "no agent"
expect_stderr_has "$TMP/missing.sock" "no agent: socket path"
expect_stderr_has "netobs-agent" "no agent: how to start it"
expect_stdout_empty "no agent"
[ "$(wc -l <"$TMP/err")" -eq 1 ] && pass || fail "no agent: want one stderr line: $(cat "$TMP/err")"

NETOBS_SOCKET="$TMP/from-env.sock" run flows
expect_rc 1 "NETOBS_SOCKET"
expect_stderr_has "$TMP/from-env.sock" "NETOBS_SOCKET is used"

NETOBS_SOCKET="$TMP/from-env.sock" run flows --socket "$TMP/from-flag.sock"
expect_stderr_has "$TMP/from-flag.sock" "--socket beats NETOBS_SOCKET"

# A socket file nobody listens on (agent killed without cleanup).
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$TMP/dead-agent.sock"
run endpoints --socket "$TMP/dead-agent.sock"
expect_rc 1 "stale socket"
expect_stderr_has "stale socket" "stale socket: says so"
expect_stderr_has "$TMP/dead-agent.sock" "stale socket: path"

# ---- usage errors: exit 2, nothing on stdout
usage_error() { # usage_error WHAT ARGS...
	local what=$1
	shift
	run --socket "$TMP/missing.sock" "$@"
	expect_rc 2 "$what"
	expect_stdout_empty "$what"
	expect_stderr_has "Error:" "$what"
}
usage_error "unknown command" frobnicate
usage_error "command prefix" flow
usage_error "unknown global flag" --bogus status
usage_error "unknown flows flag" flows --bogus
usage_error "flag prefix" flows --fol
usage_error "bad --port" flows --port 70000
usage_error "bad --port text" flows --port http
usage_error "missing value" flows --port
usage_error "bad --last" flows --last -3
usage_error "--not alone" flows --not
usage_error "--not before a non-filter flag" flows --not --follow --port 53
usage_error "two selections" flows --last 3 --first 2
usage_error "bad output for flows" flows -o yaml
usage_error "bad output for status" status -o compact
usage_error "stray argument" endpoints extra
usage_error "bad --color" flows --color sometimes
usage_error "bad --type" flows --type bogus
usage_error "bad -t sub-type" flows -t trace:to-moon

# An unknown flag names the nearest known one (transposed letters are one typo).
typo() { # typo WANT_MESSAGE ARGS...
	local want=$1
	shift
	run --socket "$TMP/missing.sock" "$@"
	expect_rc 2 "typo $*"
	expect_stderr_has "Error: $want" "typo $*"
}
typo "unknown flag --form-ip; did you mean --from-ip?" flows --form-ip 10.0.0.1
typo "unknown flag --prot; did you mean --port?" flows --prot=80
typo "unknown flag --fol; did you mean --follow?" flows --fol
typo "unknown flag --to-pdo; did you mean --to-pod?" flows --to-pdo web
typo "unknown flag --sockt; did you mean --socket?" --sockt "$TMP/x" status
typo "unknown flag --bogus" flows --bogus
! grep -q "did you mean" "$TMP/err" && pass || fail "--bogus: suggests $(cat "$TMP/err")"
typo "unknown flag -x" flows -x

# An empty --socket is a usage error that says so, not a failed connect("").
for args in "--socket= status" "flows --socket="; do
	run $args
	expect_rc 2 "$args"
	expect_stdout_empty "$args"
	expect_stderr_has "Error: --socket was given an empty path" "$args"
done
run --socket "" endpoints
expect_rc 2 "--socket ''"
expect_stderr_has "Error: --socket was given an empty path" "--socket ''"

run
expect_rc 2 "no arguments"
expect_stdout_empty "no arguments"
expect_stderr_has "Usage:" "no arguments"

for args in --version version; do
	run $args
	expect_rc 0 "$args"
	[ "$(cat "$TMP/out")" = "netobs 0.1.0" ] && pass || fail "$args prints '$(cat "$TMP/out")'"
done
for args in help --help "flows --help"; do
	run $args
	expect_rc 0 "$args"
	grep -q "^Usage: netobs" "$TMP/out" && pass || fail "$args: no usage on stdout"
done

# ---- the man page renders cleanly and documents every flows flag
MAN_SRC="${NETOBS_SRC_DIR:-$(dirname "$0")/../..}/docs/man/netobs.1"
if command -v groff >/dev/null; then
	MANWIDTH=80 groff -man -Tutf8 -ww "$MAN_SRC" 2>"$TMP/man.err" | col -b >"$TMP/man.txt"
	[ ! -s "$TMP/man.err" ] && pass || fail "groff warnings: $(cat "$TMP/man.err")"
	# a .BR with a word after the closing bracket glued ") of one" into ")ofone"
	grep -q 'or --xdp)\.' "$TMP/man.txt" && pass || fail "man: --xdp sentence: $(grep -- '--xdp' "$TMP/man.txt")"
	# paths and flags must not be hyphenated at line ends (U+2010 where groff broke a word)
	! grep -q $'\u2010$' "$TMP/man.txt" && pass || fail "man: hyphenated: $(grep $'\u2010$' "$TMP/man.txt")"
	run flows --help
	for flag in $(grep -o -- '--[a-z][a-z0-9-]*' "$TMP/out" | sort -u); do
		grep -q -- "$flag\b" "$TMP/man.txt" && pass || fail "man page lacks flows flag $flag"
	done
else
	echo "# groff not installed: man page checks skipped"
fi

# ---- a fake agent
cat >"$TMP/fake_agent.py" <<'PY'
import json, os, socket, sys, time
path, reply_file, request_file = sys.argv[1:4]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(8)
while True:
    conn, _ = srv.accept()
    request = conn.makefile("rb").readline()
    with open(request_file, "wb") as f:
        f.write(request)
    try:
        name = json.loads(request).get("request")
    except ValueError:
        name = None
    own = "%s.%s" % (reply_file, name)
    lines = open(own if os.path.exists(own) else reply_file, "rb").read().splitlines(keepends=True)
    mode = lines.pop().strip() if lines and lines[-1].startswith(b"#") else b""
    try:
        conn.sendall(b"".join(lines))
        while mode == b"#HOLD" and conn.recv(4096):  # until the client closes
            pass
        while mode == b"#REPEAT":  # the last line, again and again
            conn.sendall(lines[-1])
            time.sleep(0.02)
    except OSError:
        pass
    conn.close()
PY
python3 "$TMP/fake_agent.py" "$SOCK" "$REPLY" "$REQUEST" &
FAKE_PID=$!
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || { echo "fake agent did not start" >&2; exit 1; }

FLOW1='{"flow":{"time":"2026-11-25T10:52:20.123456789Z","verdict":"FORWARDED","IP":{"source":"10.0.0.2","destination":"10.0.0.3","ipVersion":"IPv4"}},"node_name":"n1","time":"2026-11-25T10:52:20.123456789Z"}'
# Unusual spacing and key order: passthrough must not re-encode.
FLOW2='{ "flow" : {"verdict":"DROPPED", "IP":{"destination":"fd00::1","source":"fd00::2"}} ,"time":"2026-11-25T10:52:21Z","node_name":"n1"}'
LOST='{"lost_events":{"source":"OBSERVER_EVENTS_QUEUE","num_events_lost":"17","cpu":-1},"node_name":"n1","time":"2026-11-25T10:52:22Z"}'

printf '%s\n' "$FLOW1" "$FLOW2" "$LOST" '{"done":{"count":3}}' '{"flow":{"after":"done"}}' >"$REPLY"
printf '%s\n' "$FLOW1" "$FLOW2" "$LOST" >"$TMP/want"
run --socket "$SOCK" flows -o json
expect_rc 0 "flows -o json"
expect_stdout_is "$TMP/want" "flows -o json passes lines through and stops at done"
[ ! -s "$TMP/err" ] && pass || fail "flows -o json: stderr: $(cat "$TMP/err")"

# The request line, field by field (docs/api.md).
run --socket "$SOCK" -o json flows --from-ip 10.0.0.0/8 --not --port 53 --protocol udp --last 7
expect_rc 0 "flows with filters"
python3 - "$REQUEST" <<'PY' && pass || fail "request line with filters: $(cat "$REQUEST")"
import json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\n") and raw.count(b"\n") == 1, raw
req = json.loads(raw)
assert req["request"] == "flows" and req["last"] == 7 and req["follow"] is False, req
assert "first" not in req and "all" not in req, req
allow, deny = req["filter"]["allow"], req["filter"]["deny"]
assert allow == {"source_ip": ["10.0.0.0/8"], "protocol": ["udp"]}, allow
assert deny == {"port": [53]}, deny
PY

NETOBS_SOCKET="$SOCK" run flows --all -f -o json --socket "$SOCK" -6 --verdict DROPPED
python3 - "$REQUEST" <<'PY' && pass || fail "request line --all -f: $(cat "$REQUEST")"
import json, sys
req = json.loads(open(sys.argv[1]).read())
assert req["all"] is True and req["follow"] is True and "last" not in req, req
assert req["filter"]["allow"]["verdict"] == ["DROPPED"], req
assert req["filter"]["allow"]["ip_version"] == [6], req
PY

printf '%s\n' "$FLOW1" "$FLOW2" >"$REPLY"
run --socket "$SOCK" flows -o json
expect_rc 1 "reply without done"
expect_stderr_has "before the end of the reply" "reply without done"

printf '%s\n' '{"error":{"message":"unknown request \"flowz\""}}' >"$REPLY"
run --socket "$SOCK" flows -o json
expect_rc 1 "error reply"
expect_stdout_empty "error reply"
expect_stderr_has 'Error: unknown request "flowz"' "error reply"

printf '%s\n' "$FLOW1" 'this is not json' '{"done":{}}' >"$REPLY"
run --socket "$SOCK" flows -o json
expect_rc 1 "unparseable line"
expect_stderr_has "this is not json" "unparseable line quoted"

printf '%s' "$FLOW1" >"$REPLY" # no newline: cut short
run --socket "$SOCK" flows -o json
expect_rc 1 "line cut short"

# Following: a closed stdout ends netobs quietly with 0.
printf '%s\n' "$FLOW1" '#REPEAT' >"$REPLY"
timeout 10 "$NETOBS" --socket "$SOCK" flows -f -o json 2>"$TMP/err" | head -3 >"$TMP/out"
rc=${PIPESTATUS[0]}
expect_rc 0 "flows -f | head -3"
[ "$(wc -l <"$TMP/out")" -eq 3 ] && pass || fail "flows -f | head -3: $(wc -l <"$TMP/out") lines"
[ ! -s "$TMP/err" ] && pass || fail "flows -f | head: stderr: $(cat "$TMP/err")"

# Following: SIGINT ends it with 0, records already printed are kept.
printf '%s\n' "$FLOW1" '#HOLD' >"$REPLY"
# Empty it here, not only in the child's redirection: the previous case left
# lines in it, and a SIGINT sent before the child has exec'd the CLI would run
# this script's EXIT trap in the child (which removed $TMP under our feet).
: >"$TMP/out"
"$NETOBS" --socket "$SOCK" flows -f -o json >"$TMP/out" 2>"$TMP/err" &
cli_pid=$!
for _ in $(seq 100); do [ -s "$TMP/out" ] && break; sleep 0.05; done
kill -INT "$cli_pid"
wait "$cli_pid"
rc=$?
expect_rc 0 "SIGINT while following"
printf '%s\n' "$FLOW1" >"$TMP/want"
expect_stdout_is "$TMP/want" "SIGINT while following"

# -t/--type and Hubble's pod flags, in the request; endpoint names are checked
# against the agent's endpoints first (the fake agent answers that from REPLY.endpoints).
printf '%s\n' '{"endpoint":{"id":1,"name":"web"}}' '{"endpoint":{"id":12,"name":"db"}}' \
	'{"done":{"count":2}}' >"$REPLY.endpoints"
printf '%s\n' "$FLOW1" '{"done":{"count":1}}' >"$REPLY"
run --socket "$SOCK" flows -o json -t trace:to-endpoint --type l7 --pod web --not --to-pod 12
expect_rc 0 "flows -t --pod"
[ ! -s "$TMP/err" ] && pass || fail "flows -t --pod: known endpoints warned: $(cat "$TMP/err")"
python3 - "$REQUEST" <<'PY' && pass || fail "request line -t --pod: $(cat "$REQUEST")"
import json, sys
req = json.loads(open(sys.argv[1]).read())
assert req["request"] == "flows", req
allow, deny = req["filter"]["allow"], req["filter"]["deny"]
assert allow == {"endpoint": ["web"], "event_type": ["trace:to-endpoint", "l7"]}, allow
assert deny == {"destination_endpoint": ["12"]}, deny
PY

# A name the agent does not know warns once, and the records are still shown.
run --socket "$SOCK" flows -o json --pod nosuch --from-endpoint web --to-pod nosuch --to-endpoint 99
expect_rc 0 "unknown endpoint"
printf '%s\n' "$FLOW1" >"$TMP/want"
expect_stdout_is "$TMP/want" "unknown endpoint: records still shown"
expect_stderr_has "Warning: the agent has no endpoint 'nosuch'" "unknown endpoint named"
expect_stderr_has "Warning: the agent has no endpoint '99'" "unknown endpoint ID"
[ "$(wc -l <"$TMP/err")" -eq 2 ] && pass || fail "unknown endpoint: want two warnings: $(cat "$TMP/err")"
rm -f "$REPLY.endpoints"

# ---- -o table and colour, from a whole record the test wrote
REC='{"flow":{"time":"2026-11-25T10:52:20.123456789Z","verdict":"DROPPED","IP":{"source":"10.0.0.1","destination":"10.0.0.2","ipVersion":"IPv4"},"l4":{"TCP":{"source_port":47194,"destination_port":80,"flags":{"SYN":true}}},"source":{"ID":12,"pod_name":"client"},"destination":{"ID":14,"pod_name":"echo"},"trace_observation_point":"TO_ENDPOINT","is_reply":false,"stats":{"packets":"1","bytes":"74"},"flow_event":"NEW","hook":"tc-egress"},"time":"2026-11-25T10:52:20.123456789Z"}'
printf '%s\n' "$REC" '{"done":{"count":1}}' >"$REPLY"
TZ=UTC run --socket "$SOCK" flows -o table
expect_rc 0 "flows -o table"
python3 - "$TMP/out" <<'PY' && pass || fail "flows -o table: $(cat "$TMP/out")"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
assert lines[0].split() == ["TIMESTAMP", "SOURCE", "DESTINATION", "TYPE", "VERDICT", "SUMMARY",
                            "EVENT", "PACKETS", "BYTES"], lines[0]
# every value starts under its title
for title, value in [("SOURCE", "client:47194"), ("DESTINATION", "echo:80"), ("TYPE", "to-endpoint"),
                     ("VERDICT", "DROPPED"), ("SUMMARY", "TCP Flags: SYN"), ("EVENT", "new")]:
    assert lines[1].index(value) == lines[0].index(title), (title, lines)
assert lines[1].startswith("Nov 25 10:52:20.123 "), lines[1]
assert lines[1].split()[-2:] == ["1", "74"], lines[1]
assert "\033" not in "".join(lines), "colour in a file"
PY
grep -q $'\033' "$TMP/out" && fail "colour without a terminal" || pass

TZ=UTC run --socket "$SOCK" flows --color always
grep -qF $'\033[31mDROPPED\033[0m' "$TMP/out" && pass || fail "--color always: $(cat -v "$TMP/out")"
TZ=UTC run --socket "$SOCK" flows -o table --color always
head -1 "$TMP/out" | grep -q $'^\033\[1mTIMESTAMP' && pass || fail "--color always: bold header: $(cat -v "$TMP/out")"
# On a terminal (script(1) gives one) auto colours, unless NO_COLOR or --color never.
tty_run() { # tty_run ENV... -- ARGS...: the CLI's output on a pseudo-terminal
	script -qec "env $(printf '%q ' "$@")" /dev/null </dev/null >"$TMP/out" 2>&1
}
tty_run TZ=UTC "$NETOBS" --socket "$SOCK" flows
grep -qF $'\033[31mDROPPED' "$TMP/out" && pass || fail "tty: auto colours: $(cat -v "$TMP/out")"
tty_run NO_COLOR=1 "$NETOBS" --socket "$SOCK" flows
grep -q DROPPED "$TMP/out" && ! grep -q $'\033\\[' "$TMP/out" && pass ||
	fail "tty, NO_COLOR: $(cat -v "$TMP/out")"
tty_run "$NETOBS" --socket "$SOCK" flows --color never -o table
grep -q DROPPED "$TMP/out" && ! grep -q $'\033\\[' "$TMP/out" && pass ||
	fail "tty, --color never: $(cat -v "$TMP/out")"

# ---- endpoints: table built from data, JSON one object per line
cat >"$REPLY" <<'JSON'
{"endpoint":{"id":1,"name":"web","interface":"veth-web","ifindex":5,"mac":"aa:bb:cc:dd:ee:01","netns":"ns1","peer_ifindex":2,"ipv4":["10.0.0.2","10.0.1.2"],"ipv6":[],"state":"ready","hooks":["tc-ingress","tc-egress"],"labels":["netobs:endpoint=web","user:app=web","user:tier=front"],"ingress":"Disabled (Audit)","egress":"Disabled","revision":3,"audit":true}}
{"endpoint":{"id":12,"name":"db","interface":"veth-database","ifindex":7,"mac":"aa:bb:cc:dd:ee:02","netns":"","ipv4":["10.0.0.3"],"ipv6":["fd00::3"],"state":"down","hooks":[]}}
{"done":{"count":2}}
JSON
cat >"$TMP/want" <<'TABLE'
ID  NAME  INTERFACE      IPv4               IPv6     MAC                STATE  HOOKS                 POLICY (ingress)  POLICY (egress)  LABELS
1   web   veth-web       10.0.0.2,10.0.1.2  -        aa:bb:cc:dd:ee:01  ready  tc-ingress,tc-egress  Disabled (Audit)  Disabled         app=web,tier=front
12  db    veth-database  10.0.0.3           fd00::3  aa:bb:cc:dd:ee:02  down   -                     -                 -                -
TABLE
run --socket "$SOCK" endpoints
expect_rc 0 "endpoints"
expect_stdout_is "$TMP/want" "endpoints table"
[ "$(cat "$REQUEST")" = '{"request":"endpoints"}' ] && pass || fail "endpoints request: $(cat "$REQUEST")"

run --socket "$SOCK" endpoints -o json
expect_rc 0 "endpoints -o json"
python3 - "$TMP/out" <<'PY' && pass || fail "endpoints -o json: $(cat "$TMP/out")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert [o["id"] for o in objs] == [1, 12], objs
assert objs[0]["ipv4"] == ["10.0.0.2", "10.0.1.2"] and objs[1]["interface"] == "veth-database", objs
PY

# ---- endpoints config|labels: the request each sends, usage errors before any
printf '%s\n' '{"endpoint_labels":{"endpoint":"web","revision":4,"labels":["app=web"]}}' '{"done":{}}' >"$REPLY"
run --socket "$SOCK" endpoints labels web --add app=web --delete tier
expect_rc 0 "endpoints labels"
[ "$(cat "$TMP/out")" = "Endpoint web: app=web; policy revision 4" ] && pass || fail "labels output: $(cat "$TMP/out")"
[ "$(jq -c . "$REQUEST")" = '{"request":"endpoint_labels","endpoint":"web","add":["app=web"],"delete":["tier"]}' ] &&
	pass || fail "labels request: $(cat "$REQUEST")"
printf '%s\n' '{"endpoint_config":{"endpoint":"web","revision":5,"options":{"PolicyAuditMode":"Enabled"}}}' '{"done":{}}' >"$REPLY"
run --socket "$SOCK" endpoints config web PolicyAuditMode=Enabled
expect_rc 0 "endpoints config"
[ "$(cat "$TMP/out")" = "Endpoint web: PolicyAuditMode=Enabled; policy revision 5" ] && pass || fail "config output: $(cat "$TMP/out")"
[ "$(jq -c . "$REQUEST")" = '{"request":"endpoint_config","endpoint":"web","options":{"PolicyAuditMode":"Enabled"}}' ] &&
	pass || fail "config request: $(cat "$REQUEST")"
run --socket "$SOCK" endpoints config web
expect_rc 2 "config without OPTION=VALUE"
expect_stderr_has "config needs OPTION=VALUE, e.g. PolicyAuditMode=Enabled" "config usage"
run --socket "$SOCK" endpoints labels
expect_rc 2 "labels without an endpoint"
expect_stderr_has "labels needs an ENDPOINT (its name)" "labels usage"
run --socket "$SOCK" endpoints config web PolicyAuditMode=Enabled --add a=b
expect_rc 2 "--add on config"
expect_stderr_has "--add and --delete are flags of labels" "config --add"

# ---- status
STATUS='{"status":{"version":"0.1.0","abi_version":1,"node_name":"n1","uptime_ns":83000000000,"endpoints":3,"hooks":{"tc_ingress":3,"tc_egress":3,"xdp":0},"records":{"seen":5000,"per_second":42.17,"stored":1234,"max_stored":65535},"flows":{"active":7,"max":65536},"clients":1,"lost_events":{"ring_buffer":1,"client_queues":2,"store_overwritten":3},"counters":{"packets":10,"bytes":2000,"truncated":4,"malformed":5,"fragments":0,"exthdr_limit":0,"vlan_limit":0,"non_ip":0,"flow_map_full":0,"flow_map_busy":0,"flow_map_error":0,"ringbuf_full":6,"events":9,"zz_new":8}}}'
printf '%s\n' "$STATUS" '{"done":{}}' >"$REPLY"
run --socket "$SOCK" status
expect_rc 0 "status"
for want in "Healthcheck (via unix://$SOCK): Ok" \
	"Version: 0.1.0 (ABI 1), node n1, uptime 1m23s" \
	"Endpoints: 3, hooks: 3 tc-ingress, 3 tc-egress, 0 xdp" \
	"Current/Max Flows (records stored): 1,234/65,535 (1.88%)" \
	"Flows/s: 42.17, records seen: 5,000, active flows: 7/65,536" \
	"Lost events: ring buffer 1, client queues 2, store overwritten 3" \
	"truncated 4, malformed 5," "ringbuf_full 6, zz_new 8"; do
	grep -qF -- "$want" "$TMP/out" && pass || fail "status lacks '$want': $(cat "$TMP/out")"
done

run --socket "$SOCK" status -o json
expect_rc 0 "status -o json"
printf '%s\n' "$STATUS" >"$TMP/want"
expect_stdout_is "$TMP/want" "status -o json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
