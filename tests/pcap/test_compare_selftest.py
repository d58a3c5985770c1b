#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Self-test of the crafted captures and of compare_tshark.py (no root, no BPF).

1. make_captures.py writes every capture, twice: the bytes must not change
   (fixed timestamps, seeded randomness).
2. tshark decodes each capture as intended: every expected/NAME.json
   "tshark_checks" display filter matches exactly the frames it says, and
   no IP, TCP, UDP or ICMP checksum is bad.
3. A "netobs-like" JSON built from expected/NAME.json (the generator's
   ground truth, as netobs's records would carry it) passes
   compare_tshark.py: tshark and the generator agree on every flow, DNS and
   HTTP message.
4. The same JSON with one error injected fails it, for each kind of error:
   a byte off, a packet missing, a flow missing, an extra flow, a wrong DNS
   answer, a missing DNS response, a wrong HTTP code, a wrong URL.
5. The broken files: tshark cannot read not-a-capture.txt and truncated.pcap
   whole, the link types are 101 and 105, empty.pcap has no packet; the
   comparator refuses output for the first four and accepts none for empty.
6. --run-all with a stand-in for netobs: passes when it prints the truth,
   fails when it accepts a DLT_RAW file.

Exit 0 when all hold, 1 otherwise, 77 (ctest's skip) without tshark.
"""

import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAKE = os.path.join(HERE, "make_captures.py")
COMPARE = os.path.join(HERE, "compare_tshark.py")
FAILURES = []


def fail(message):
    FAILURES.append(message)
    print("FAIL: " + message)


def tshark(*args):
    proc = subprocess.run(["tshark"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return (
        proc.returncode,
        proc.stdout.decode(errors="replace"),
        proc.stderr.decode(errors="replace"),
    )


def count_frames(pcap, display_filter, *options):
    rc, out, err = tshark(
        "-r", pcap, "-n", *options, "-Y", display_filter, "-T", "fields", "-e", "frame.number"
    )
    if rc != 0:
        fail("tshark -Y %r on %s: exit %d: %s" % (display_filter, pcap, rc, err.strip()))
    return len([line for line in out.splitlines() if line.strip()])


# ---------------------------------------------------------------- netobs-like JSON

TIME = "2026-11-30T10:00:00.000000000Z"
L4_NAMES = {6: "TCP", 17: "UDP", 132: "SCTP", 1: "ICMPv4", 58: "ICMPv6"}


def record(flow):
    return json.dumps({"flow": flow, "node_name": "selftest", "time": TIME})


def l3_fields(key):
    flow = {
        "time": TIME,
        "uuid": "00000000-0000-8000-8000-000000000000",
        "Type": "L3_L4",
        "Summary": "",
        "hook": "xdp",
        "interface": {"index": 1, "name": "pcap"},
    }
    if key.get("vlan_id"):
        flow["vlan_id"] = key["vlan_id"]
    if "ethertype" in key:
        flow["ethertype"] = key["ethertype"]
        flow["ethernet"] = {"source": key["source_mac"], "destination": key["destination_mac"]}
        return flow
    flow["IP"] = {
        "source": key["source"],
        "destination": key["destination"],
        "ipVersion": key["ipVersion"],
    }
    name = L4_NAMES.get(key["proto"])
    if name is None:
        flow["ip_protocol"] = key["proto"]
    elif name.startswith("ICMP"):
        flow["l4"] = {
            name: {
                k: key[f] for k, f in (("type", "icmp_type"), ("code", "icmp_code")) if key.get(f)
            }
        }
    else:
        flow["l4"] = {
            name: {
                k: key[f]
                for k, f in (
                    ("source_port", "source_port"),
                    ("destination_port", "destination_port"),
                )
                if key.get(f)
            }
        }
    if key.get("key_flags"):
        flow["key_flags"] = key["key_flags"]
    return flow


def flow_records(flow):
    """NEW with the first packet, UPDATE with all but nothing, END with the
    totals: the comparator must take the last record, not the first or a sum."""
    out = []
    for event, packets, nbytes in (
        ("NEW", 1, flow["bytes"] // flow["packets"]),
        ("UPDATE", flow["packets"], flow["bytes"]),
        ("END", flow["packets"], flow["bytes"]),
    ):
        rec = l3_fields(flow["key"])
        rec.update(
            {
                "trace_reason": "NEW",
                "flow_event": event,
                "stats": {"packets": str(packets), "bytes": str(nbytes)},
            }
        )
        out.append(rec)
    return out


def l7_record(msg, kind):
    proto = "UDP" if msg.get("transport") == "UDP" else "TCP"
    ip_version = "IPv6" if ":" in msg["source"] else "IPv4"
    rec = {
        "time": TIME,
        "uuid": "00000000-0000-8000-8000-000000000001",
        "Type": "L7",
        "Summary": "",
        "hook": "xdp",
        "event_type": {"type": 129},
    }
    rec["IP"] = {
        "source": msg["source"],
        "destination": msg["destination"],
        "ipVersion": ip_version,
    }
    rec["l4"] = {
        proto: {"source_port": msg["source_port"], "destination_port": msg["destination_port"]}
    }
    rec["is_reply"] = msg["type"] == "RESPONSE"
    if kind == "dns":
        dns = {
            k: msg[k] for k in ("query", "qtypes", "ips", "cnames", "rrtypes", "ttl") if msg.get(k)
        }
        dns["ips"] = msg["ips"][:16]
        if not dns["ips"]:
            del dns["ips"]
        if msg.get("rcode"):
            dns["rcode"] = msg["rcode"]
        rec["l7"] = {"type": msg["type"], "dns": dns}
    else:
        http = {k: msg[k] for k in ("method", "url", "protocol", "code") if msg.get(k)}
        rec["l7"] = {"type": msg["type"], "http": http}
    return rec


def netobs_like(expected):
    """Records in the order netobs would interleave them does not matter to the
    comparator; NEW records first, then L7, then UPDATE and END."""
    per_flow = [flow_records(f) for f in expected["flows"]]
    lines = [recs[0] for recs in per_flow]
    lines += [l7_record(m, "dns") for m in expected["dns"]]
    lines += [l7_record(m, "http") for m in expected["http"]]
    lines += [recs[1] for recs in per_flow] + [recs[2] for recs in per_flow]
    return lines


def write_lines(path, flows):
    with open(path, "w") as f:
        for flow in flows:
            f.write(record(flow) + "\n")


def run_compare(pcap, json_path, *options):
    proc = subprocess.run(
        [sys.executable, COMPARE, *options, pcap, json_path],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return proc.returncode, proc.stdout.decode(errors="replace")


# ---------------------------------------------------------------- injected errors


def last_of(lines, pred):
    for i in range(len(lines) - 1, -1, -1):
        if pred(lines[i]):
            return i
    raise LookupError("no such record")


def mutate_byte_off(lines):
    for rec in lines:
        if rec.get("flow_event") == "END":
            rec["stats"]["bytes"] = str(int(rec["stats"]["bytes"]) - 1)
            return "END bytes - 1"


def mutate_packet_missing(lines):
    for rec in lines:
        if rec.get("flow_event") in ("UPDATE", "END"):
            rec["stats"]["packets"] = str(int(rec["stats"]["packets"]) - 1)
    return "every UPDATE/END one packet short"


def mutate_flow_missing(lines):
    target = json.dumps(l3_key_of(lines[0]))
    lines[:] = [
        r for r in lines if not (r.get("Type") == "L3_L4" and json.dumps(l3_key_of(r)) == target)
    ]
    return "every record of the first flow removed"


def mutate_extra_flow(lines):
    rec = copy.deepcopy(next(r for r in lines if r.get("flow_event") == "END"))
    rec["vlan_id"] = 4000
    lines.append(rec)
    return "an END record of a flow on VLAN 4000"


def mutate_dns_answer(lines):
    i = last_of(lines, lambda r: r.get("l7", {}).get("dns", {}).get("ips"))
    ips = lines[i]["l7"]["dns"]["ips"]
    ips[0] = "192.0.2.254" if "." in ips[0] else "2001:db8::dead"
    return "first answer address of a DNS response changed"


def mutate_dns_response_missing(lines):
    i = last_of(lines, lambda r: r.get("l7", {}).get("type") == "RESPONSE" and "dns" in r["l7"])
    del lines[i]
    return "a DNS response removed"


def mutate_http_code(lines):
    i = last_of(lines, lambda r: r.get("l7", {}).get("http", {}).get("code") == 404)
    lines[i]["l7"]["http"]["code"] = 200
    return "HTTP 404 reported as 200"


def mutate_http_url(lines):
    i = last_of(lines, lambda r: r.get("l7", {}).get("type") == "REQUEST" and "http" in r["l7"])
    lines[i]["l7"]["http"]["url"] += "x"
    return "an HTTP request's URL changed"


def l3_key_of(rec):
    return {
        k: rec.get(k)
        for k in ("vlan_id", "IP", "l4", "ethertype", "ethernet", "key_flags", "ip_protocol")
    }


MUTATIONS = [
    ("byte off", "vlan", mutate_byte_off, "flow "),
    ("packet missing", "fragments", mutate_packet_missing, "flow "),
    ("flow missing", "ipv6-exthdr", mutate_flow_missing, "flow missing in netobs"),
    ("extra flow", "icmp", mutate_extra_flow, "flow in netobs, not in tshark"),
    ("wrong DNS answer", "dns-udp", mutate_dns_answer, "DNS message in netobs, not in tshark"),
    (
        "DNS response missing",
        "dns-tcp",
        mutate_dns_response_missing,
        "DNS message in tshark, not in netobs",
    ),
    (
        "wrong HTTP code",
        "http-pipelined",
        mutate_http_code,
        "HTTP message in netobs, not in tshark",
    ),
    (
        "wrong HTTP URL",
        "pcapng-http-pipelined",
        mutate_http_url,
        "HTTP message in tshark, not in netobs",
    ),
]


# ---------------------------------------------------------------- --run-all

FAKE_NETOBS = """
import os, sys
pcap = sys.argv[sys.argv.index("--pcap") + 1]
name = os.path.basename(pcap)
if name.startswith("linktype") and not os.environ.get("FAKE_ACCEPTS_ALL"):
    sys.stderr.write("Error: %s: not an Ethernet capture\\n" % pcap)
    sys.exit(1)
if os.path.exists(os.path.join(sys.argv[1], name + ".json")):
    sys.stdout.write(open(os.path.join(sys.argv[1], name + ".json")).read())
if name == "truncated.pcap":
    sys.stderr.write("error: %s is cut short after frame 4\\n" % pcap)
    sys.exit(1)
"""


def check_run_all(tmp, first, expected):
    """--run-all with a stand-in for netobs that prints the truth: accepted;
    and with one that reads a DLT_RAW file: refused. truncated.pcap holds
    icmp.pcap's first 4 frames (2 echo requests, 2 replies of 98 bytes): the
    stand-in reports them and fails, as docs/pcap.md says netobs does."""
    before_cut = []
    for flow in expected["icmp.pcap"]["flows"]:
        if flow["key"].get("icmp_type") in (0, 8) and flow["key"].get("icmp_code") == 0:
            rec = l3_fields(flow["key"])
            stats = {"packets": "2", "bytes": "196"}
            rec.update({"trace_reason": "NEW", "flow_event": "END", "stats": stats})
            before_cut.append(rec)
    write_lines(os.path.join(tmp, "truncated.pcap.json"), before_cut)
    subset = os.path.join(tmp, "subset")
    os.makedirs(os.path.join(subset, "expected"))
    for name in ("vlan.pcap", "linktype-raw.pcap", "empty.pcap", "truncated.pcap"):
        shutil.copy(os.path.join(first, name), subset)
        stem = os.path.splitext(name)[0] + ".json"
        shutil.copy(os.path.join(first, "expected", stem), os.path.join(subset, "expected", stem))
    fake = os.path.join(tmp, "fake_netobs.py")
    with open(fake, "w") as f:
        f.write(FAKE_NETOBS)
    command = "%s %s %s flows --pcap {} -o json" % (sys.executable, fake, tmp)
    for accepts_all, want in (("", 0), ("1", 1)):
        env = dict(os.environ, FAKE_ACCEPTS_ALL=accepts_all)
        proc = subprocess.run(
            [sys.executable, COMPARE, "--run-all", subset, command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        out = proc.stdout.decode(errors="replace")
        if proc.returncode != want:
            fail(
                "--run-all with a netobs that %s: exit %d, want %d:\n%s"
                % ("reads DLT_RAW" if accepts_all else "is right", proc.returncode, want, out)
            )
        else:
            print("--run-all: %s" % out.strip().splitlines()[-1])


# ---------------------------------------------------------------- main


def main():
    if not shutil.which("tshark"):
        print("SKIP: tshark is not installed (apt-get install tshark)")
        return 77
    with tempfile.TemporaryDirectory(prefix="netobs-pcap-") as tmp:
        first, second = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        for outdir in (first, second):
            subprocess.run([sys.executable, MAKE, outdir], check=True)
        names = sorted(n for n in os.listdir(first) if n != "expected")
        for name in names:
            with open(os.path.join(first, name), "rb") as f, open(
                os.path.join(second, name), "rb"
            ) as g:
                if f.read() != g.read():
                    fail("%s differs between two runs of make_captures.py" % name)
        print("generated %d files, identical across two runs" % len(names))

        expected = {}
        for name in names:
            with open(os.path.join(first, "expected", os.path.splitext(name)[0] + ".json")) as f:
                expected[name] = json.load(f)

        checksum_options = [
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
        ]
        bad = 'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad"'
        for name, truth in expected.items():
            if "error" in truth or not truth["packets"]:
                continue
            pcap = os.path.join(first, name)
            total = count_frames(pcap, "frame")
            if total != truth["packets"]:
                fail(
                    "%s: tshark reads %d frames, the generator wrote %d"
                    % (name, total, truth["packets"])
                )
            if count_frames(pcap, bad, *checksum_options):
                fail("%s: tshark finds bad checksums" % name)
            for check in truth["tshark_checks"]:
                got = count_frames(
                    pcap,
                    check["filter"],
                    "-o",
                    "ip.defragment:FALSE",
                    "-o",
                    "ipv6.defragment:FALSE",
                )
                if got != check["frames"]:
                    fail(
                        "%s: %s (%s): tshark %d frames, expected %d"
                        % (name, check["why"], check["filter"], got, check["frames"])
                    )
            json_path = os.path.join(tmp, name + ".json")
            write_lines(json_path, netobs_like(truth))
            rc, out = run_compare(pcap, json_path)
            if rc != 0:
                fail(
                    "%s: compare_tshark.py rejects the generator's truth (exit %d):\n%s"
                    % (name, rc, out)
                )
            else:
                print(out.splitlines()[0])
            # The comparator must have compared all of it, not agreed on less.
            want = (
                "compared %d flows (%d packets, %d bytes), %d DNS messages (%d malformed ones netobs must skip), %d HTTP messages"
                % (
                    len(truth["flows"]),
                    truth["packets"],
                    sum(f["bytes"] for f in truth["flows"]),
                    len(truth["dns"]),
                    truth["dns_malformed"],
                    len(truth["http"]),
                )
            )
            if want not in out:
                fail("%s: the comparator's summary is not %r:\n%s" % (name, want, out))

        # A key that ends and comes back is two flows of one key: the counts
        # are the sum of the two (docs/records.md, "Connections").
        name = "vlan.pcap"
        lines = netobs_like(expected[name])
        split = next(f for f in expected[name]["flows"] if f["packets"] >= 2)
        target = json.dumps(l3_key_of(l3_fields(split["key"])))
        lines = [r for r in lines if json.dumps(l3_key_of(r)) != target]
        part = split["bytes"] // split["packets"]
        for event, packets, nbytes in (
            ("NEW", 1, part),
            ("END", 1, part),
            ("NEW", 1, split["bytes"] - part),
            ("UPDATE", split["packets"] - 1, split["bytes"] - part),
        ):
            rec = l3_fields(split["key"])
            rec.update(
                {
                    "trace_reason": "NEW",
                    "flow_event": event,
                    "stats": {"packets": str(packets), "bytes": str(nbytes)},
                }
            )
            lines.append(rec)
        json_path = os.path.join(tmp, "reborn.json")
        write_lines(json_path, lines)
        rc, out = run_compare(os.path.join(first, name), json_path)
        if rc != 0:
            fail("a flow split by an END into two is not summed:\n" + out)
        else:
            print("accepted as it should: a flow that ENDs and comes back (counts summed)")

        for label, capture, mutate, needle in MUTATIONS:
            name = next(n for n in names if os.path.splitext(n)[0] == capture)
            lines = netobs_like(expected[name])
            what = mutate(lines)
            json_path = os.path.join(tmp, "mutated-%s.json" % capture)
            write_lines(json_path, lines)
            rc, out = run_compare(os.path.join(first, name), json_path)
            if rc != 1 or needle not in out:
                fail(
                    "%s on %s (%s): compare_tshark.py exit %d, output lacks %r:\n%s"
                    % (label, name, what, rc, needle, out)
                )
            else:
                print("rejected as it should: %s on %s (%s)" % (label, name, what))

        # --no-l7 (flows only, for a netobs without its L7 datapath): the
        # flows without a single DNS record agree, a byte off still does not.
        name = "dns-udp.pcap"
        flows_only = [r for r in netobs_like(expected[name]) if r.get("Type") != "L7"]
        json_path = os.path.join(tmp, "flows-only.json")
        write_lines(json_path, flows_only)
        rc, out = run_compare(os.path.join(first, name), json_path, "--no-l7")
        if rc != 0 or "DNS and HTTP not compared (--no-l7)" not in out:
            fail("--no-l7 rejects the flows alone, or hides that L7 was skipped:\n" + out)
        rc, out = run_compare(os.path.join(first, name), json_path)
        if rc != 1 or "DNS message in tshark, not in netobs" not in out:
            fail("without --no-l7 the missing DNS records are not reported:\n" + out)
        mutate_byte_off(flows_only)
        write_lines(json_path, flows_only)
        rc, out = run_compare(os.path.join(first, name), json_path, "--no-l7")
        if rc != 1 or "flow " not in out:
            fail("--no-l7 accepts a byte off:\n" + out)
        else:
            print("--no-l7: flows still compared, DNS and HTTP skipped and said so")

        empty_json = os.path.join(tmp, "empty.json")
        open(empty_json, "w").close()
        rc, out, err = tshark("-r", os.path.join(first, "not-a-capture.txt"))
        if rc == 0 or "isn't a capture file" not in err and "unknown format" not in err:
            fail("tshark reads not-a-capture.txt (exit %d): %s" % (rc, err))
        rc, out, err = tshark("-r", os.path.join(first, "truncated.pcap"))
        if rc == 0 or "cut short" not in err or len(out.splitlines()) != 4:
            fail(
                "truncated.pcap: tshark exit %d, %d frames, %s" % (rc, len(out.splitlines()), err)
            )
        for name, linktype in (("linktype-raw.pcap", 101), ("linktype-80211.pcap", 105)):
            with open(os.path.join(first, name), "rb") as f:
                if int.from_bytes(f.read(24)[20:24], "little") != linktype:
                    fail("%s: link type is not %d" % (name, linktype))
            _, out, _ = tshark(
                "-r", os.path.join(first, name), "-T", "fields", "-e", "frame.protocols"
            )
            if not out.strip() or out.startswith("eth:"):
                fail("%s: tshark decodes it as Ethernet: %s" % (name, out))
        if count_frames(os.path.join(first, "empty.pcap"), "frame") != 0:
            fail("empty.pcap has frames")
        for name in (
            "not-a-capture.txt",
            "truncated.pcap",
            "linktype-raw.pcap",
            "linktype-80211.pcap",
        ):
            rc, out = run_compare(os.path.join(first, name), empty_json)
            if rc != 1:
                fail("compare_tshark.py accepts %s (exit %d): %s" % (name, rc, out))
            else:
                print("refused as it should: %s: %s" % (name, out.splitlines()[0]))
        rc, out = run_compare(os.path.join(first, "empty.pcap"), empty_json)
        if rc != 0:
            fail("compare_tshark.py rejects empty.pcap with no records: %s" % out)

        check_run_all(tmp, first, expected)

    if FAILURES:
        print("%d failures" % len(FAILURES))
        return 1
    print("all good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
