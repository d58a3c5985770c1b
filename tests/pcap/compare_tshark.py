#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Check `netobs flows --pcap PCAP -o json` against what tshark decodes.

    compare_tshark.py PCAP NETOBS_JSON

Independent of netobs's code: tshark decodes PCAP, this script keys its
frames the way docs/datapath.md says netobs keys flows, and compares

  - flows: every flow tshark implies is in NETOBS_JSON with the same packets
    and bytes, and NETOBS_JSON has no other flow;
  - DNS messages: query name, question types, rcode, answer addresses and
    CNAMEs, addresses and ports, per message (so request and response counts
    per name too);
  - HTTP messages: method, URL, protocol, status code, addresses and ports.

Prints what it compared and a readable diff; exits 0 when everything agrees,
1 on any mismatch, 2 when it cannot run (usage, tshark missing).
tests/pcap/README.md explains the rules and their sources.
"""

import collections
import json
import os
import shlex
import subprocess
import sys
import tempfile

import tshark_view
from tshark_view import (
    Unusable,
    capture_link_types,
    dns_message,
    dns_text,
    flow_key,
    http_text,
    key_text,
    norm_addr,
    pdml_packets,
    tshark_dns,
    tshark_flows,
    tshark_http,
)

L4_BY_JSON = {"TCP": 6, "UDP": 17, "SCTP": 132, "ICMPv4": 1, "ICMPv6": 58}
LINKTYPE_ETHERNET = 1

# --no-l7: flows only, for a netobs built without its L7 datapath (the DNS
# and HTTP records would all be reported missing). Never the default.
COMPARE_L7 = True

# ---------------------------------------------------------------- netobs JSON


def netobs_records(path):
    """Flow counts, DNS and HTTP messages, and problems from netobs's JSON lines.

    A flow's stats are cumulative per flow direction and hook, so the last
    record of a flow holds its counts; END closes a flow, and packets of the
    same key after it form a new flow with fresh counts (docs/records.md,
    "Connections"), so the counts of a key are the sum over its ENDs plus its
    last record after the last END."""
    ended = collections.defaultdict(lambda: [0, 0])
    current = {}
    hooks = collections.defaultdict(set)
    dns, http, problems = [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as err:
                problems.append("line %d is not JSON (%s)" % (number, err))
                continue
            if not isinstance(obj, dict):
                problems.append("line %d is not a JSON object" % number)
                continue
            if "lost_events" in obj:
                lost = obj["lost_events"] if isinstance(obj["lost_events"], dict) else {}
                problems.append(
                    "line %d: %s events lost from %s: counts are incomplete"
                    % (number, lost.get("num_events_lost"), lost.get("source"))
                )
                continue
            flow = obj.get("flow")
            if not isinstance(flow, dict):
                problems.append("line %d holds neither flow nor lost_events" % number)
                continue
            try:
                key = record_key(flow)
                endpoints = record_endpoints(flow)
            except (AttributeError, KeyError, TypeError, ValueError) as err:
                problems.append("line %d: cannot read the flow key (%s)" % (number, err))
                continue
            l7 = flow.get("l7")
            if flow.get("Type") == "L7" or l7:
                try:
                    l7_message(number, l7 or {}, endpoints, dns, http, problems)
                except (AttributeError, KeyError, TypeError, ValueError) as err:
                    problems.append("line %d: cannot read the L7 record (%s)" % (number, err))
                continue
            stats = flow.get("stats") or {}
            try:
                counts = [int(stats["packets"]), int(stats["bytes"])]
            except (KeyError, ValueError) as err:
                problems.append(
                    "line %d: %s has no readable stats (%s)" % (number, key_text(key), err)
                )
                continue
            hooks[key].add((flow.get("hook"), (flow.get("interface") or {}).get("index")))
            current[key] = counts
            if flow.get("flow_event") == "END":
                ended[key][0] += counts[0]
                ended[key][1] += counts[1]
                del current[key]
    flows = collections.OrderedDict()
    for key in list(ended) + [k for k in current if k not in ended]:
        flows[key] = [
            ended[key][0] + current.get(key, [0, 0])[0],
            ended[key][1] + current.get(key, [0, 0])[1],
        ]
    for key, seen in hooks.items():
        if len(seen) > 1:
            problems.append(
                "%s is reported at %d hooks/interfaces %s: a capture is one hook"
                % (key_text(key), len(seen), sorted(map(str, seen)))
            )
    return flows, dns, http, problems


def l7_message(number, l7, endpoints, dns, http, problems):
    """One L7 record as a message tuple comparable with tshark_view's."""
    if "dns" in l7:
        d = l7["dns"]
        ips = [norm_addr(a) for a in d.get("ips", [])]
        dns.append(
            dns_message(
                l7.get("type"),
                d.get("query", ""),
                d.get("qtypes", []),
                d.get("rcode", 0),
                ips,
                d.get("cnames", []),
                endpoints,
            )
        )
    elif "http" in l7:
        h = l7["http"]
        code = h.get("code", 0) if l7.get("type") == "RESPONSE" else 0
        message = (l7.get("type"), h.get("method", ""), h.get("url", ""), h.get("protocol", ""))
        http.append(message + (code,) + endpoints)
    else:
        problems.append("line %d: an L7 record with neither dns nor http" % number)


def record_key(flow):
    vlan = flow.get("vlan_id", 0)
    flags = tuple(flow.get("key_flags", []))
    ip = flow.get("IP")
    if not ip:
        eth = flow.get("ethernet") or {}
        return flow_key(
            vlan=vlan,
            src=eth.get("source", ""),
            dst=eth.get("destination", ""),
            flags=flags,
            ethertype=int(flow.get("ethertype", "0"), 16),
        )
    family = {"IPv4": 4, "IPv6": 6}[ip["ipVersion"]]
    l4 = flow.get("l4") or {}
    if not l4:
        return flow_key(
            vlan, family, ip["source"], ip["destination"], flow.get("ip_protocol", 0), flags=flags
        )
    ((name, fields),) = l4.items()
    proto = L4_BY_JSON[name]
    if proto in (1, 58):
        return flow_key(
            vlan,
            family,
            ip["source"],
            ip["destination"],
            proto,
            icmp_type=fields.get("type", 0),
            icmp_code=fields.get("code", 0),
            flags=flags,
        )
    return flow_key(
        vlan,
        family,
        ip["source"],
        ip["destination"],
        proto,
        fields.get("source_port", 0),
        fields.get("destination_port", 0),
        flags=flags,
    )


def record_endpoints(flow):
    ip = flow.get("IP") or {}
    l4 = flow.get("l4") or {}
    ports = next(iter(l4.values()), {}) if l4 else {}
    src = norm_addr(ip["source"]) if ip else ""
    dst = norm_addr(ip["destination"]) if ip else ""
    return (src, dst, ports.get("source_port", 0), ports.get("destination_port", 0))


# ---------------------------------------------------------------- compare


def compare_multisets(what, theirs, ours, text, out):
    """theirs: tshark's; ours: netobs's. Returns the number of mismatches."""
    missing = collections.Counter(theirs) - collections.Counter(ours)
    extra = collections.Counter(ours) - collections.Counter(theirs)
    for msg, n in missing.items():
        out.append(
            "  %s in tshark, not in netobs%s: %s"
            % (what, " (x%d)" % n if n > 1 else "", text(msg))
        )
    for msg, n in extra.items():
        out.append(
            "  %s in netobs, not in tshark%s: %s"
            % (what, " (x%d)" % n if n > 1 else "", text(msg))
        )
    return sum(missing.values()) + sum(extra.values())


def compare(pcap, netobs_json, cut_short=False):
    """cut_short: the capture is known to end inside a frame; compare what
    comes before the cut (netobs reports it, then fails) instead of refusing."""
    out = []
    mismatches = 0
    try:
        link_types = capture_link_types(pcap)
    except OSError as err:
        raise Unusable("cannot read %s: %s" % (pcap, err))
    flows_netobs, dns_netobs, http_netobs, problems = netobs_records(netobs_json)
    records = len(flows_netobs) + len(dns_netobs) + len(http_netobs)
    if link_types is None or link_types != {LINKTYPE_ETHERNET}:
        why = (
            "is not a pcap or pcapng file"
            if link_types is None
            else "has link type %s, not Ethernet (1)" % sorted(link_types)
        )
        out.append(
            "%s %s: netobs flows --pcap must refuse it with an error, yet it gave %d flows and %d L7 messages"
            % (pcap, why, len(flows_netobs), len(dns_netobs) + len(http_netobs))
        )
        return 1, out
    flows_tshark, rc, errors, frame_problems = tshark_flows(pcap)
    if cut_short and errors and all("cut short" in e for e in errors):
        out.append("  note: tshark: %s; comparing the frames before the cut" % " / ".join(errors))
    elif rc != 0 or errors:
        out.append(
            "tshark could not read all of %s (exit %d): %s" % (pcap, rc, " / ".join(errors))
        )
        out.append(
            "  netobs flows --pcap must report this capture as broken, not print %d records"
            % records
        )
        return 1, out
    for problem in frame_problems:
        out.append("  note: " + problem)
    for problem in problems:
        out.append("  netobs output: " + problem)
        mismatches += 1

    flow_lines = []
    for key, (packets, nbytes) in flows_tshark.items():
        if key not in flows_netobs:
            flow_lines.append(
                "  flow missing in netobs: %s (tshark: %d packets, %d bytes)"
                % (key_text(key), packets, nbytes)
            )
            continue
        got = flows_netobs[key]
        if got != [packets, nbytes]:
            flow_lines.append(
                "  flow %s: tshark %d packets %d bytes, netobs %d packets %d bytes"
                % (key_text(key), packets, nbytes, got[0], got[1])
            )
    for key, (packets, nbytes) in flows_netobs.items():
        if key not in flows_tshark:
            flow_lines.append(
                "  flow in netobs, not in tshark: %s (%d packets, %d bytes)"
                % (key_text(key), packets, nbytes)
            )
    mismatches += len(flow_lines)
    out.extend(flow_lines)

    if COMPARE_L7:
        packets, rc, errors = pdml_packets(pcap)
        dns_tshark, dns_malformed = tshark_dns(packets)
        mismatches += compare_multisets("DNS message", dns_tshark, dns_netobs, dns_text, out)
        http_tshark = tshark_http(packets)
        mismatches += compare_multisets("HTTP message", http_tshark, http_netobs, http_text, out)

    summary = (
        "%s: compared %d flows (%d packets, %d bytes), %d DNS messages (%d malformed ones netobs must skip), %d HTTP messages"
        % (
            os.path.basename(pcap),
            len(flows_tshark),
            sum(c[0] for c in flows_tshark.values()),
            sum(c[1] for c in flows_tshark.values()),
            len(dns_tshark),
            len(dns_malformed),
            len(http_tshark),
        )
        if COMPARE_L7
        else "%s: compared %d flows (%d packets, %d bytes); DNS and HTTP not compared (--no-l7)"
        % (
            os.path.basename(pcap),
            len(flows_tshark),
            sum(c[0] for c in flows_tshark.values()),
            sum(c[1] for c in flows_tshark.values()),
        )
    )
    out.insert(0, summary)
    out.append("%d mismatches" % mismatches if mismatches else "netobs and tshark agree")
    return (1 if mismatches else 0), out


USAGE = """usage: compare_tshark.py [--no-l7] [--decode-as SPEC]... PCAP NETOBS_JSON
       compare_tshark.py [--no-l7] [--decode-as SPEC]... --run-all DIR NETOBS_COMMAND
  NETOBS_JSON      the output of: netobs flows --pcap PCAP -o json
  --run-all        every file of DIR (written by make_captures.py): run
                   NETOBS_COMMAND with {} replaced by the file (e.g.
                   'build/netobs flows --pcap {} -o json'), then expect an
                   error exit with a message for the broken files
                   (expected/NAME.json "error") and agreement with tshark
                   for the others
  --decode-as SPEC passed to tshark as -d SPEC, e.g. tcp.port==8000,http when
                   netobs decodes HTTP on a port tshark does not
  --no-l7          compare flows only, not DNS and HTTP messages: for a netobs
                   whose datapath has no L7 code yet (every message would be
                   missing); the summary line says they were not compared
"""


def compare_output(pcap, stdout, cut_short=False):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        out.write(stdout)
        out.flush()
        return compare(pcap, out.name, cut_short)


def run_all(directory, command):
    """The whole set in one go: returns 0 when every file passes."""
    failed = []
    names = sorted(n for n in os.listdir(directory) if os.path.isfile(os.path.join(directory, n)))
    for name in names:
        path = os.path.join(directory, name)
        truth_path = os.path.join(directory, "expected", os.path.splitext(name)[0] + ".json")
        truth = {}
        if os.path.exists(truth_path):
            with open(truth_path) as f:
                truth = json.load(f)
        argv = [
            path if word == "{}" else word.replace("{}", path) for word in shlex.split(command)
        ]
        try:
            proc = subprocess.run(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise Unusable("cannot run %s: %s" % (argv, err))
        stderr = proc.stderr.decode(errors="replace").strip()
        if truth.get("error"):
            if proc.returncode != 0 and stderr:
                lines = stderr.splitlines()
                message = next((line for line in lines if "error" in line.lower()), lines[-1])
                print("%s: refused as it should (%s): %s" % (name, truth["error"], message))
                if truth["error"] == "truncated":
                    # docs/pcap.md: the frames before the cut are reported.
                    status, lines = compare_output(path, proc.stdout, cut_short=True)
                    print("\n".join(lines))
                    if status:
                        failed.append(name)
            else:
                print(
                    "%s: netobs must refuse it (%s) with an error message; exit %d, stderr %r"
                    % (name, truth["error"], proc.returncode, stderr)
                )
                failed.append(name)
            continue
        if proc.returncode != 0:
            print("%s: netobs failed (exit %d): %s" % (name, proc.returncode, stderr))
            failed.append(name)
            continue
        status, lines = compare_output(path, proc.stdout)
        print("\n".join(lines))
        if status:
            failed.append(name)
    print(
        "%d files, %d agree or are refused as they should, %d fail%s"
        % (
            len(names),
            len(names) - len(failed),
            len(failed),
            (": " + ", ".join(failed)) if failed else "",
        )
    )
    return 1 if failed else 0


def main(argv):
    global COMPARE_L7
    argv = list(argv)
    while len(argv) > 1 and argv[1] in ("--decode-as", "--no-l7"):
        if argv[1] == "--no-l7":
            COMPARE_L7 = False
            del argv[1]
        elif len(argv) > 2:
            tshark_view.DECODE_AS.extend(["-d", argv[2]])
            del argv[1:3]
        else:
            break
    if len(argv) == 4 and argv[1] == "--run-all":
        try:
            return run_all(argv[2], argv[3])
        except Unusable as err:
            sys.stderr.write("compare_tshark.py: %s\n" % err)
            return 2
    if len(argv) != 3 or argv[1].startswith("-"):
        sys.stderr.write(USAGE)
        return 2
    try:
        status, lines = compare(argv[1], argv[2])
    except Unusable as err:
        sys.stderr.write("compare_tshark.py: %s\n" % err)
        return 2
    except OSError as err:
        sys.stderr.write("compare_tshark.py: %s\n" % err)
        return 2
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
