#!/bin/bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# netobs flows --pcap (netobs-agent --replay): a capture made for real on a
# veth pair must give, per flow, the packets and bytes tshark counts in the
# same file, at the capture's times; filters and outputs work as on live
# records; every error says what is wrong and exits non-zero; an empty
# capture gives no records. Needs root (BPF_PROG_TEST_RUN, namespaces): run
# it under the netns lock, `flock /tmp/netobs-netns.lock ctest -R pcap`.
source "$(dirname "${BASH_SOURCE[0]}")/../netns/lib.sh"

NS_A=${P}a
NS_B=${P}b
CAP=$TMP/veth.pcap

# ---- captures written byte by byte -------------------------------------
# mkcap OUT LINKTYPE FRAME...: a pcap file; FRAME is
# "udp:LEN" (Ethernet/IPv4/UDP frame of LEN bytes), "bytes:LEN" (LEN bytes
# of zeros), "cut:LEN:CAPLEN" (a udp:LEN frame captured to CAPLEN bytes) or
# "raw" (a bare IPv4/UDP packet, for LINKTYPE 101); "gap:SECONDS" moves the
# frames after it that much later. Frames are 1 ms apart, from 1700000000 s.
cat >"$TMP/mkcap.py" <<'EOF'
import struct, sys

def udp_frame(total, sport):
    ip_len = total - 14
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 1, 0x4000, 64, 17, 0,
                     bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
    udp = struct.pack("!HHHH", sport, 7777, ip_len - 20, 0)
    return eth + ip + udp + b"x" * (ip_len - 28)

out, linktype = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
    gap = 0
    for i, spec in enumerate(sys.argv[3:]):
        kind, *args = spec.split(":")
        if kind == "gap":
            gap += int(args[0]); continue
        if kind == "udp":
            data = udp_frame(int(args[0]), 4000 + i); wire = len(data)
        elif kind == "bytes":
            data = bytes(int(args[0])); wire = len(data)
        elif kind == "cut":
            full = udp_frame(int(args[0]), 4000 + i); wire = len(full)
            data = full[: int(args[1])]
        elif kind == "raw":
            data = udp_frame(60, 4000 + i)[14:]; wire = len(data)
        f.write(struct.pack("<IIII", 1700000000 + gap, 1000 * i, len(data), wire) + data)
EOF
mkcap() { "$PYTHON" "$TMP/mkcap.py" "$@"; }

# run_cli ARGS...: the CLI on a capture; exit code in $rc, outputs in files.
run_cli() {
	"$CLI" flows "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
expect_err() { # expect_err TEXT WHAT
	if grep -qF -- "$1" "$TMP/err"; then pass "$2"; else
		fail "$2: stderr lacks '$1': $(cat "$TMP/err")"; fi
}

# ---- (a) a real capture: ping, UDP and TCP between two namespaces ------
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "${P}x" netns "$NS_A" type veth peer name "${P}y" netns "$NS_B"
for side in "$NS_A:${P}x:10.77.0.1" "$NS_B:${P}y:10.77.0.2"; do
	IFS=: read -r ns dev addr <<<"$side"
	# IPv4 only, and frames as on the wire: no IPv6 chatter, no GSO
	# aggregates (tshark would count one frame where the wire had several).
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" addr add "$addr/24" dev "$dev"
	ip -n "$ns" link set "$dev" up
	ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null 2>&1
done
ip netns exec "$NS_A" tcpdump -i "${P}x" -w "$CAP" -U >/dev/null 2>&1 &
TCPDUMP_PID=$!
sleep 1
ip netns exec "$NS_A" ping -c 3 -i 0.2 -q 10.77.0.2 >/dev/null
ip netns exec "$NS_B" "$PYTHON" - <<'EOF' &
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("10.77.0.2", 5353))
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("10.77.0.2", 8080)); t.listen(1)
for _ in range(4):
    data, peer = u.recvfrom(2048); u.sendto(data.upper(), peer)
c, _ = t.accept()
while True:
    d = c.recv(4096)
    if not d: break
    c.sendall(b"ok:" + d)
c.close()
EOF
SERVER_PID=$!
sleep 0.5
ip netns exec "$NS_A" "$PYTHON" - <<'EOF'
import socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
for i in range(4):
    u.sendto(b"datagram %d" % i + b"." * (100 * i), ("10.77.0.2", 5353)); u.recv(2048)
t = socket.create_connection(("10.77.0.2", 8080), timeout=2)
for i in range(5):
    t.sendall(b"request %d " % i + b"y" * 500); t.recv(4096); time.sleep(0.05)
t.close()
time.sleep(0.3)
EOF
wait "$SERVER_PID"
sleep 1
kill -INT "$TCPDUMP_PID"
wait "$TCPDUMP_PID"
log "capture: $(tshark -r "$CAP" 2>/dev/null | wc -l) frames"

# Per flow as netobs keys it (one direction; ICMP by type and code; other
# frames by MAC pair): packets, frame.len sum, first and last frame time (ns).
tshark -r "$CAP" -T fields -E separator='|' -e frame.time_epoch -e frame.len -e eth.src \
	-e eth.dst -e ip.src -e ip.dst -e ip.proto -e tcp.srcport -e tcp.dstport -e udp.srcport \
	-e udp.dstport -e icmp.type -e icmp.code 2>/dev/null >"$TMP/tshark.txt"
"$CLI" flows --pcap "$CAP" -o json >"$TMP/replay.json" 2>"$TMP/replay.err"
check_eq "replay of a real capture exits 0" 0 $?
"$PYTHON" - "$TMP/tshark.txt" "$TMP/replay.json" >"$TMP/compare.txt" <<'EOF'
import json, sys
from datetime import datetime, timezone

def ns_of(rfc3339):  # "2026-11-30T02:52:15.205885000Z" -> ns since the epoch
    base, frac = rfc3339.rstrip("Z").split(".")
    t = datetime.strptime(base, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(t.timestamp()) * 10**9 + int(frac.ljust(9, "0"))

def epoch_ns(text):
    sec, frac = text.split(".")
    return int(sec) * 10**9 + int(frac.ljust(9, "0"))

expected = {}
for line in open(sys.argv[1]):
    (ts, flen, esrc, edst, src, dst, proto, tsp, tdp, usp, udp, itype, icode) = \
        line.rstrip("\n").split("|")
    if not src:
        key = ("eth", esrc, edst)
    elif proto == "1":
        key = ("icmp", src, dst, itype, icode or "0")
    else:
        key = (proto, src, dst, tsp or usp, tdp or udp)
    e = expected.setdefault(key, [0, 0, None, None])
    e[0] += 1; e[1] += int(flen)
    t = epoch_ns(ts)
    e[2] = t if e[2] is None else min(e[2], t); e[3] = t if e[3] is None else max(e[3], t)

final = {}
for line in open(sys.argv[2]):
    f = json.loads(line)["flow"]
    l4 = f.get("l4", {})
    if "IP" not in f:
        key = ("eth", f["ethernet"]["source"], f["ethernet"]["destination"])
    elif "ICMPv4" in l4:
        i = l4["ICMPv4"]
        key = ("icmp", f["IP"]["source"], f["IP"]["destination"], str(i.get("type", 0)),
               str(i.get("code", 0)))
    else:
        proto, ports = ("6", l4["TCP"]) if "TCP" in l4 else ("17", l4["UDP"])
        key = (proto, f["IP"]["source"], f["IP"]["destination"], str(ports["source_port"]),
               str(ports["destination_port"]))
    final[key] = f  # the flow's latest record: its END

bad = 0
for key in sorted(set(expected) | set(final)):
    want, got = expected.get(key), final.get(key)
    if not want or not got:
        print("MISMATCH", key, "tshark" if want else "netobs", "only"); bad += 1; continue
    s = got["stats"]
    have = [int(s["packets"]), int(s["bytes"]), ns_of(s["first_seen"]), ns_of(s["last_seen"])]
    if have != want or got.get("flow_event") != "END":
        print("MISMATCH", key, "tshark", want, "netobs", have, got.get("flow_event")); bad += 1
    else:
        print("ok", key, want[0], "packets", want[1], "bytes")
print("flows", len(expected), "mismatches", bad)
EOF
sed 's/^/# /' "$TMP/compare.txt"
check_true "every flow's final record matches tshark (packets, bytes, first/last time)" \
	grep -q "mismatches 0$" "$TMP/compare.txt"
check_true "the capture has TCP, UDP and ICMP flows" \
	bash -c "grep -q \"^ok ('6'\" $TMP/compare.txt && grep -q \"^ok ('17'\" $TMP/compare.txt &&
		grep -q \"^ok ('icmp'\" $TMP/compare.txt"
check_eq "records carry the capture's interface name and node name" "pcap pcap" \
	"$(jq -r '"\(.flow.interface.name) \(.node_name)"' "$TMP/replay.json" | sort -u | tr '\n' ' ' |
		sed 's/ $//')"
check_eq "no peer resolves to this host (only reserved:world)" "reserved:world" \
	"$(jq -r '.flow.source.labels[]?, .flow.destination.labels[]?' "$TMP/replay.json" | sort -u)"
check_eq "each flow's last record is its END (one END per flow)" \
	"$(sed -n 's/^flows \([0-9]*\) .*/\1/p' "$TMP/compare.txt")" \
	"$(jq -c 'select(.flow.flow_event == "END")' "$TMP/replay.json" | wc -l)"

# ---- (b) the same output as the agent, filters, output modes -----------
check_true "-o json without a filter is the replay's lines, byte for byte" \
	cmp -s "$TMP/replay.json" <("$AGENT" --replay "$CAP")
run_cli --pcap "$CAP" --protocol udp -o json
check_eq "--protocol udp: only UDP records" \
	"$(jq -c 'select(.flow.l4.UDP)' "$TMP/replay.json" | wc -l) 0" \
	"$(wc -l <"$TMP/out") $(jq -c 'select(.flow.l4.UDP | not)' "$TMP/out" | wc -l)"
run_cli --pcap "$CAP" --to-ip 10.77.0.2 --protocol tcp -o json
check_eq "--to-ip and --protocol together" \
	"$(jq -c 'select(.flow.l4.TCP and .flow.IP.destination == "10.77.0.2")' \
		"$TMP/replay.json" | wc -l)" "$(wc -l <"$TMP/out")"
run_cli --pcap "$CAP" --not --ip 10.77.0.1 -o json
check_eq "--not --ip: non-IP records only (ARP)" \
	"$(jq -c 'select(.flow.IP | not)' "$TMP/replay.json" | wc -l)" "$(wc -l <"$TMP/out")"
TZ=UTC run_cli --pcap "$CAP"
check_eq "-o compact (default): one line per record" "$(wc -l <"$TMP/replay.json") 0" \
	"$(wc -l <"$TMP/out") $rc"
check_true "compact lines carry the capture's time" \
	grep -qF "$(jq -r .time "$TMP/replay.json" | head -1 | cut -c12-23)" <(head -1 "$TMP/out")
run_cli --pcap "$CAP" --protocol icmp -o table
check_eq "-o table: a header and one row per ICMP record" \
	"$(("$(jq -c 'select(.flow.l4.ICMPv4)' "$TMP/replay.json" | wc -l)" + 1))" "$(wc -l <"$TMP/out")"
check_true "-o table header" grep -q "^TIMESTAMP" "$TMP/out"

run_cli --pcap "$CAP" --pod web
check_eq "--pod on a capture: no record, exit 0" "0 0" "$(wc -l <"$TMP/out") $rc"
expect_err "Warning: a capture's records name no endpoints" "--pod on a capture: warns"
# Records enough to fill stdio's buffer: the reader leaves in the middle of a write.
mkcap "$TMP/many.pcap" 1 $(printf 'udp:100 %.0s' $(seq 400))
"$CLI" flows --pcap "$TMP/many.pcap" 2>"$TMP/err" | head -1 >/dev/null
check_eq "| head: exit 0, nothing on stderr" "0 0" "${PIPESTATUS[0]} $(wc -c <"$TMP/err")"

# ---- (c) errors ----------------------------------------------------------
run_cli --pcap "$TMP/missing.pcap"
check_eq "missing file: exit 1" 1 "$rc"
expect_err "cannot read capture $TMP/missing.pcap: No such file or directory" "missing file: says so"
echo "not a capture at all" >"$TMP/text.pcap"
run_cli --pcap "$TMP/text.pcap"
check_eq "not a capture: exit 1" 1 "$rc"
expect_err "$TMP/text.pcap is not a pcap or pcapng capture" "not a capture: says so"
run_cli --pcap "$TMP"
check_eq "a directory: exit 1" 1 "$rc"
expect_err "is a directory: not a pcap or pcapng capture" "a directory: says so"
: >"$TMP/zero.pcap"
run_cli --pcap "$TMP/zero.pcap"
check_eq "an empty file: exit 1" 1 "$rc"
expect_err "is empty: not a pcap or pcapng capture" "an empty file: says so"
# Cut two thirds in: the frames before the cut are reported, then the error.
head -c "$(($(stat -c %s "$CAP") * 2 / 3))" "$CAP" >"$TMP/cut.pcap"
run_cli --pcap "$TMP/cut.pcap" -o json
check_eq "truncated capture: exit 1" 1 "$rc"
expect_err "$TMP/cut.pcap is cut short or damaged after frame" "truncated capture: says so"
check_true "truncated capture: the records before the cut are printed" test -s "$TMP/out"
check_eq "truncated capture: the message once" 1 "$(grep -c "cut short" "$TMP/err")"
head -c 10 "$CAP" >"$TMP/header.pcap"
run_cli --pcap "$TMP/header.pcap"
check_eq "cut file header: exit 1" 1 "$rc"
expect_err "is truncated: its file header is cut short" "cut file header: says so"
mkcap "$TMP/raw.pcap" 101 raw
run_cli --pcap "$TMP/raw.pcap"
check_eq "link type RAW: exit 1" 1 "$rc"
expect_err "has link type RAW: netobs replays Ethernet captures only" "link type: named"

# Short, snaplen-cut and oversize frames: counted and said, never dropped quietly.
mkcap "$TMP/odd.pcap" 1 udp:100 bytes:10 cut:1000:60 udp:9000 udp:200
run_cli --pcap "$TMP/odd.pcap" -o json
check_eq "odd frames: exit 0" 0 "$rc"
expect_err "5 frames, 4 run through the datapath" "odd frames: summary line"
expect_err "not run, under 14 bytes (no Ethernet header): 1 frames" \
	"a frame under 14 bytes: counted"
expect_err "cut by the capture's snapshot length, bytes counted as captured: 1 frames" \
	"snaplen-cut frame: counted"
expect_err "bytes and the rest added to their flows' counts: 1 frames" \
	"an oversize frame: counted"
check_eq "odd frames: four UDP flows, their END packets" "1 1 1 1" \
	"$(jq -r 'select(.flow.flow_event == "END") | .flow.stats.packets' "$TMP/out" | xargs)"
check_eq "snaplen-cut frame: bytes are what was captured" 60 \
	"$(jq -r 'select(.flow.flow_event == "END" and .flow.l4.UDP.source_port == 4002) |
		.flow.stats.bytes' "$TMP/out")"
check_eq "oversize frame: all its 9000 bytes, not only the head that ran" 9000 \
	"$(jq -r 'select(.flow.flow_event == "END" and .flow.l4.UDP.source_port == 4003) |
		.flow.stats.bytes' "$TMP/out")"
check_true "oversize frame: its flow entry found under the parser's key" \
	bash -c "! grep -q 'no flow entry' '$TMP/err'"
# An oversize frame whose flow the datapath could not insert (16 flows fill a
# 16-entry map first): the bytes past the head are in no flow, and said so.
mkcap "$TMP/full.pcap" 1 $(printf 'udp:100 %.0s' $(seq 16)) udp:9000
"$AGENT" --replay "$TMP/full.pcap" --flow-map-size 16 >/dev/null 2>"$TMP/err"
check_eq "oversize frame, flow map full: exit 0" 0 "$?"
expect_err "of those, no flow entry under the parser's key (lookup: No such file or directory), their rest counted as untracked bytes and missing from the records: 1 frames" \
	"oversize frame in no flow: counted and said"
editcap -F pcapng "$TMP/odd.pcap" "$TMP/odd.pcapng"
check_true "pcapng: the same records as pcap" \
	cmp -s <("$AGENT" --replay "$TMP/odd.pcapng" 2>/dev/null) "$TMP/out"

run_cli --pcap "$CAP" --follow
check_eq "--follow with --pcap: usage error" 2 "$rc"
expect_err "--follow cannot be combined with --pcap" "--follow: says why"
run_cli --pcap "$CAP" --last 5
check_eq "--last with --pcap: usage error" 2 "$rc"
NETOBS_AGENT=$TMP/no-such-agent run_cli --pcap "$CAP"
check_eq "no agent binary: exit 1" 1 "$rc"
expect_err "cannot run $TMP/no-such-agent" "no agent binary: says so"
check_eq "no agent binary: one message" 1 "$(grep -c . "$TMP/err")"
chmod 755 "$TMP"
chmod 644 "$CAP"
setpriv --reuid=65534 --regid=65534 --clear-groups "$CLI" flows --pcap "$CAP" \
	>"$TMP/out" 2>"$TMP/err"
rc=$?
check_eq "not root: exit 1" 1 "$rc"
expect_err "reading a capture runs the netobs BPF programs, which needs root" "not root: says so"
"$AGENT" --replay "$CAP" --socket /tmp/x.sock >/dev/null 2>"$TMP/err"
check_eq "agent --replay with --socket: usage error" 2 $?
expect_err "--socket has no meaning with --replay" "--socket with --replay: says why"

# ---- timeouts and harvests run on the capture's clock ---------------------
# A flow, then 100 s of silence, then another: the first ends IDLE at the
# harvest tick 60 s (--idle-timeout) after its packet, in capture time.
mkcap "$TMP/idle.pcap" 1 udp:100 gap:100 udp:120
run_cli --pcap "$TMP/idle.pcap" -o json
check_eq "idle capture: the first flow ends IDLE, 60 s after its packet" "IDLE 1700000060" \
	"$(jq -r 'select(.flow.flow_event == "END" and .flow.l4.UDP.source_port == 4000) |
		"\(.flow.end_reason) \(.time | sub("\\.[0-9]+Z$"; "Z") | fromdate)"' "$TMP/out")"
check_eq "idle capture: the last flow ends FORCED at the capture's last packet" \
	"FORCED 2023-11-14T22:15:00.002000000Z" \
	"$(jq -r 'select(.flow.flow_event == "END" and .flow.l4.UDP.source_port == 4002) |
		"\(.flow.end_reason) \(.time)"' "$TMP/out")"

# ---- (d) an empty capture ------------------------------------------------
mkcap "$TMP/empty.pcap" 1
run_cli --pcap "$TMP/empty.pcap" -o json
check_eq "empty capture: exit 0, no records, no message" "0 0 0" \
	"$rc $(wc -l <"$TMP/out") $(wc -c <"$TMP/err")"
run_cli --pcap "$TMP/empty.pcap" -o table
check_eq "empty capture -o table: the header only" 1 "$(wc -l <"$TMP/out")"

log "an HTTP response in the same segment as the server's FIN"
# The datapath sends a packet's TCP_FLAGS event before its L7 slice: the
# FIN must not end the response direction before the response is read.
"$PYTHON" - "$TMP/fin.pcap" "$SRC_DIR/tests/pcap" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from packets import ethernet_frame, ipv4_packet, pcap_bytes, tcp_segment
C, S, CM, SM = "10.9.0.1", "10.9.0.2", "02:00:00:00:09:01", "02:00:00:00:09:02"
SYN, ACK, FIN, PSH = 0x02, 0x10, 0x01, 0x08
req = b"GET /close HTTP/1.1\r\nHost: fin.test\r\n\r\n"
resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi"
def frame(src, dst, sm, dm, sport, dport, seq, ack, flags, payload=b""):
    return ethernet_frame(sm, dm, 0x0800, ipv4_packet(src, dst, 6,
        tcp_segment(src, dst, sport, dport, seq, ack, flags, payload)))
t0 = 1_700_000_000 * 10**9
frames = [
    frame(C, S, CM, SM, 40000, 80, 100, 0, SYN),
    frame(S, C, SM, CM, 80, 40000, 500, 101, SYN | ACK),
    frame(C, S, CM, SM, 40000, 80, 101, 501, ACK),
    frame(C, S, CM, SM, 40000, 80, 101, 501, ACK | PSH, req),
    frame(S, C, SM, CM, 80, 40000, 501, 101 + len(req), ACK | PSH | FIN, resp),
    frame(C, S, CM, SM, 40000, 80, 101 + len(req), 502 + len(resp), ACK | FIN),
    frame(S, C, SM, CM, 80, 40000, 502 + len(resp), 102 + len(req), ACK),
]
open(sys.argv[1], "wb").write(pcap_bytes([(t0 + i * 1_000_000, f) for i, f in enumerate(frames)]))
PY
"$CLI" flows --pcap "$TMP/fin.pcap" --type l7 -o json >"$TMP/out" 2>"$TMP/err"
check_eq "one request and its response, paired; nothing unanswered" \
	"REQUEST GET http://fin.test/close false,RESPONSE 200 http://fin.test/close true" \
	"$(jq -r '"\(.flow.l7.type) \(if .flow.l7.type == "REQUEST" then .flow.l7.http.method else .flow.l7.http.code end) \(.flow.l7.http.url) \(.flow.l7.latency_ns != null)"' "$TMP/out" | paste -sd,)"
check_eq "... and no unanswered report" 0 "$(jq -s 'map(select(.flow.l7.unanswered)) | length' "$TMP/out")"

log "a capture read from a pipe; frames all stamped 0"
"$PYTHON" - "$TMP/zero.pcap" "$SRC_DIR/tests/pcap" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from packets import ethernet_frame, ipv4_packet, pcap_bytes, udp_datagram
f = ethernet_frame("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0800,
    ipv4_packet("10.0.0.1", "10.0.0.2", 17, udp_datagram("10.0.0.1", "10.0.0.2", 1000, 2000, b"x" * 10)))
open(sys.argv[1], "wb").write(pcap_bytes([(0, f), (0, f)]))
PY
check_eq "frames stamped 0 still end their flows (END, 2 packets)" "END 2" \
	"$("$CLI" flows --pcap "$TMP/zero.pcap" -o json | jq -r '"\(.flow.flow_event) \(.flow.stats.packets)"' | tail -n 1)"
check_eq "a capture from a pipe: the same records as from the file" \
	"$("$CLI" flows --pcap "$TMP/fin.pcap" -o json | wc -l)" \
	"$("$CLI" flows --pcap <(cat "$TMP/fin.pcap") -o json | wc -l)"

finish
