#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""bench_newflows.sh's follower side.

stamp OUT:   copy `netobs flows -f -o json` from stdin to OUT, and before the
             lines of each read put a line `#T <ns>`: the wall clock when they
             arrived (CLOCK_REALTIME, the clock records' times are in). Reads
             are large and nothing is parsed, so the stamper keeps up with the
             follower and takes little CPU from the agent.
report OUT IFNAME FLOWS START_NS:
             the flows whose NEW record (at IFNAME's tc-ingress) arrived, how
             late each arrived after its first packet (stats.first_seen), and
             the lost_events records, as one line of JSON.
"""
import datetime
import json
import os
import sys
import time


def stamp(out_path):
    fd_in = sys.stdin.buffer.raw
    with open(out_path, "wb", buffering=1 << 20) as out:
        partial = b""
        while True:
            chunk = fd_in.read(1 << 20)
            if not chunk:
                break
            now = time.time_ns()
            data = partial + chunk
            end = data.rfind(b"\n") + 1
            partial = data[end:]
            if end:
                out.write(b"#T %d\n" % now)
                out.write(data[:end])
        out.write(partial)


_second_cache = {}


def rfc3339_ns(text):
    """'2026-11-30T11:40:00.123456789Z' -> ns since the epoch."""
    head, frac = text[:19], text[20:29]
    base = _second_cache.get(head)
    if base is None:
        dt = datetime.datetime.strptime(head, "%Y-%m-%dT%H:%M:%S")
        base = int(dt.replace(tzinfo=datetime.timezone.utc).timestamp()) * 10**9
        _second_cache[head] = base
    return base + int(frac)


def percentile(sorted_vals, p):
    if not sorted_vals:
        return 0
    return sorted_vals[min(len(sorted_vals) - 1, int(len(sorted_vals) * p))]


def report(out_path, ifname, nflows, start_ns):
    arrival = 0
    late = {}  # (sport, dport) -> arrival - first packet, ns
    lost = {}
    records = 0
    last_arrival = 0
    with open(out_path, "rb") as f:
        for line in f:
            if line.startswith(b"#T "):
                arrival = int(line[3:])
                continue
            records += 1
            last_arrival = arrival
            if line.startswith(b'{"lost_events"'):
                ev = json.loads(line)["lost_events"]
                src = ev.get("source", "?")
                lost[src] = lost.get(src, 0) + int(ev.get("num_events_lost", "0"))
                continue
            if b'"flow_event":"NEW"' not in line or ifname.encode() not in line:
                continue
            flow = json.loads(line)["flow"]
            if flow.get("hook") != "tc-ingress" or flow["interface"]["name"] != ifname:
                continue
            udp = flow.get("l4", {}).get("UDP")
            if not udp:
                continue
            key = (udp.get("source_port", 0), udp.get("destination_port", 0))
            if key in late:
                continue
            late[key] = arrival - rfc3339_ns(flow["stats"]["first_seen"])
    vals = sorted(late.values())
    print(json.dumps({
        "flows_sent": nflows,
        "flows_arrived": len(vals),
        "within_2s": sum(1 for v in vals if v <= 2 * 10**9),
        "late_p50_ms": percentile(vals, 0.50) / 1e6,
        "late_p99_ms": percentile(vals, 0.99) / 1e6,
        "late_max_ms": (vals[-1] if vals else 0) / 1e6,
        "records": records,
        "last_arrival_s": (last_arrival - start_ns) / 1e9 if last_arrival else 0,
        "lost_events_records": lost,
    }))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "stamp":
        stamp(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "report":
        report(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
