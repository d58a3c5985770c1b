# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""What tshark decodes of a capture, in the terms of netobs's records.

compare_tshark.py's tshark side: flow keys as docs/datapath.md says netobs
keys flows (tshark_flows), DNS messages (tshark_dns) and HTTP messages
(tshark_http) as tuples comparable with what netobs's JSON holds, and the
helpers both sides share (flow_key, dns_message, the *_text printers).
Nothing here reads netobs's code or output.
"""

import collections
import ipaddress
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET

DNS_IPS_MAX = 16
DNS_CNAMES_MAX = 8

L4_BY_LAYER = {"tcp": 6, "udp": 17, "sctp": 132, "icmp": 1, "icmpv6": 58}
PROTO_NAMES = {1: "ICMPv4", 6: "TCP", 17: "UDP", 58: "ICMPv6", 132: "SCTP"}
# The names netobs (miekg/dns) gives the types tshark shows as numbers.
DNS_TYPE_NAMES = {
    int(number): name
    for number, name in (
        pair.split("=")
        for pair in "1=A 2=NS 5=CNAME 6=SOA 12=PTR 15=MX 16=TXT 28=AAAA 33=SRV 35=NAPTR 41=OPT "
        "43=DS 46=RRSIG 47=NSEC 48=DNSKEY 64=SVCB 65=HTTPS 99=SPF 255=ANY 257=CAA".split()
    )
}
IPV6_EXT_LAYERS = ("ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "ipv6.ah")
L2_LAYERS = ("eth", "ethertype", "vlan", "ieee8021ad")
DECODE_AS = []  # tshark -d arguments (--decode-as)

FLOW_FIELDS = """
    frame.number frame.len frame.protocols eth.src eth.dst eth.type vlan.id vlan.etype
    ieee8021ad.id ip.src ip.dst ip.proto ip.frag_offset ipv6.src ipv6.dst ipv6.nxt
    ipv6.fraghdr.offset ipv6.fraghdr.nxt ipv6.hopopts.nxt ipv6.routing.nxt ipv6.dstopts.nxt
    tcp.srcport tcp.dstport udp.srcport udp.dstport sctp.srcport sctp.dstport
    icmp.type icmp.code icmpv6.type icmpv6.code
""".split()


class Unusable(Exception):
    """The comparison cannot run (exit 2)."""


# ---------------------------------------------------------------- flow keys


def norm_addr(addr):
    return str(ipaddress.ip_address(addr))


def flow_key(
    vlan=0,
    family=0,
    src="",
    dst="",
    proto=0,
    sport=0,
    dport=0,
    icmp_type=0,
    icmp_code=0,
    flags=(),
    ethertype=0,
):
    """The fields of netobs's flow key that a record shows, normalised.

    For a non-IP flow src and dst are the MACs (lower case)."""
    if family:
        src, dst = norm_addr(src), norm_addr(dst)
    else:
        src, dst = src.lower(), dst.lower()
    return (
        int(vlan),
        int(family),
        src,
        dst,
        int(proto),
        int(sport),
        int(dport),
        int(icmp_type),
        int(icmp_code),
        tuple(sorted(flags)),
        int(ethertype),
    )


def key_text(key):
    vlan, family, src, dst, proto, sport, dport, icmp_type, icmp_code, flags, ethertype = key
    where = "vlan %d " % vlan if vlan else ""
    extra = " [%s]" % ",".join(flags) if flags else ""
    if not family:
        return "%snon-IP ethertype 0x%04x %s -> %s%s" % (
            where,
            ethertype,
            src or "?",
            dst or "?",
            extra,
        )
    name = PROTO_NAMES.get(proto, "proto %d" % proto)
    if proto in (1, 58):
        return "%s%s %s -> %s type %d code %d%s" % (
            where,
            name,
            src,
            dst,
            icmp_type,
            icmp_code,
            extra,
        )
    if proto in (6, 17, 132):
        return "%s%s %s:%d -> %s:%d%s" % (
            where,
            name,
            bracket(src),
            sport,
            bracket(dst),
            dport,
            extra,
        )
    return "%s%s %s -> %s%s" % (where, name, src, dst, extra)


def bracket(addr):
    return "[%s]" % addr if ":" in addr else addr


# ---------------------------------------------------------------- tshark


def run_tshark(args):
    tshark = shutil.which("tshark")
    if not tshark:
        raise Unusable("tshark is not installed (apt-get install tshark)")
    proc = subprocess.run([tshark] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    errors = [
        line
        for line in proc.stderr.decode(errors="replace").splitlines()
        if line.strip() and "Running as user" not in line
    ]
    return proc.returncode, proc.stdout.decode(errors="replace"), errors


def capture_link_types(path):
    """Link types of a pcap or pcapng file, read from its headers; None if
    it is neither."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) >= 24 and head[:4] in (
            b"\xd4\xc3\xb2\xa1",
            b"\x4d\x3c\xb2\xa1",
            b"\xa1\xb2\xc3\xd4",
            b"\xa1\xb2\x3c\x4d",
        ):
            endian = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
            return {struct.unpack(endian + "I", head[20:24])[0] & 0xFFFF}
        if len(head) < 12 or head[:4] != b"\x0a\x0d\x0d\x0a":
            return None
        f.seek(0)
        data = f.read()
    endian = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
    types, pos = set(), 0
    while pos + 12 <= len(data):
        block_type, length = struct.unpack_from(endian + "II", data, pos)
        if length < 12:
            break
        if block_type == 1 and pos + 10 <= len(data):
            types.add(struct.unpack_from(endian + "H", data, pos + 8)[0])
        pos += length
    return types


def first(value):
    return value.split("|")[0] if value else ""


def ints(value):
    return [int(v, 0) for v in value.split("|") if v] if value else []


def tshark_flows(pcap):
    """Per flow key: [packets, bytes], from tshark without IP reassembly (netobs
    sees every fragment on its own)."""
    args = (
        ["-r", pcap, "-n"]
        + DECODE_AS
        + [
            "-o",
            "ip.defragment:FALSE",
            "-o",
            "ipv6.defragment:FALSE",
            "-T",
            "fields",
            "-E",
            "separator=\t",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
        ]
    )
    for field in FLOW_FIELDS:
        args += ["-e", field]
    rc, out, errors = run_tshark(args)
    flows = collections.OrderedDict()
    problems = []
    for line in out.splitlines():
        row = dict(zip(FLOW_FIELDS, line.split("\t")))
        key, why = frame_key(row)
        if why:
            problems.append("frame %s: %s" % (row.get("frame.number"), why))
        counts = flows.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += int(row["frame.len"])
    return flows, rc, errors, problems


def frame_key(row):
    """The flow key netobs gives this frame (docs/datapath.md, "Parser rules").
    Returns (key, problem) where problem says why tshark's decode could not
    give the whole key (such a frame is keyed with what is known)."""
    layers = row["frame.protocols"].split(":")
    # tshark calls an 802.1Q tag "vlan" and an 802.1ad tag "ieee8021ad";
    # netobs keys by the outermost of either.
    l2_end = next((i for i, name in enumerate(layers) if name not in L2_LAYERS), len(layers))
    tags = [name for name in layers[:l2_end] if name in ("vlan", "ieee8021ad")]
    vlan = 0
    if tags:
        vlan = ints(row["vlan.id"] if tags[0] == "vlan" else row["ieee8021ad.id"])[0]
    if len(tags) > 2:
        # netobs reads 2 tags; a third makes a non-IP flow whose EtherType is
        # that tag's TPID (docs/datapath.md, VLAN row).
        ethertype = ETHERTYPE_BY_LAYER[tags[2]]
        return (
            flow_key(
                vlan=vlan,
                src=first(row["eth.src"]),
                dst=first(row["eth.dst"]),
                ethertype=ethertype,
            ),
            None,
        )
    # IP only right after the Ethernet header and tags: IP inside another
    # EtherType (MPLS, ...) is a non-IP flow to netobs.
    ip_layer = l2_end if l2_end < len(layers) and layers[l2_end] in ("ip", "ipv6") else None
    if ip_layer is None:
        ethertype, why = innermost_ethertype(row, layers, tags)
        return (
            flow_key(
                vlan=vlan,
                src=first(row["eth.src"]),
                dst=first(row["eth.dst"]),
                ethertype=ethertype,
            ),
            why,
        )
    after = layers[ip_layer + 1 :]
    if layers[ip_layer] == "ip":
        family, src, dst = 4, first(row["ip.src"]), first(row["ip.dst"])
        proto = ints(row["ip.proto"])[0]
        fragment = ints(row["ip.frag_offset"])[0] > 0
    else:
        family, src, dst = 6, first(row["ipv6.src"]), first(row["ipv6.dst"])
        exts = []
        while after and after[0] in IPV6_EXT_LAYERS:
            exts.append(after.pop(0))
        offsets = ints(row["ipv6.fraghdr.offset"])
        fragment = bool(offsets) and offsets[0] > 0
        if after and after[0] in L4_BY_LAYER:
            proto = L4_BY_LAYER[after[0]]
        elif exts and exts[-1] != "ipv6.ah":
            # The last extension header's next header (fraghdr for a
            # non-first fragment): the protocol netobs keys by.
            values = ints(row[exts[-1] + ".nxt"])
            proto = values[exts.count(exts[-1]) - 1] if len(values) >= exts.count(exts[-1]) else 0
        else:
            proto = ints(row["ipv6.nxt"])[0]
    if fragment:
        return flow_key(vlan, family, src, dst, proto, flags=("FRAGMENT",)), None
    layer = after[0] if after else ""
    if proto in (6, 17, 132):
        name = {6: "tcp", 17: "udp", 132: "sctp"}[proto]
        if layer != name:
            return (
                flow_key(vlan, family, src, dst, proto),
                "tshark did not decode the %s header" % name.upper(),
            )
        return (
            flow_key(
                vlan,
                family,
                src,
                dst,
                proto,
                ints(row[name + ".srcport"])[0],
                ints(row[name + ".dstport"])[0],
            ),
            None,
        )
    if proto in (1, 58):
        name = "icmp" if proto == 1 else "icmpv6"
        if layer != name:
            return flow_key(vlan, family, src, dst, proto), "tshark did not decode the ICMP header"
        return (
            flow_key(
                vlan,
                family,
                src,
                dst,
                proto,
                icmp_type=ints(row[name + ".type"])[0],
                icmp_code=ints(row[name + ".code"])[0],
            ),
            None,
        )
    return flow_key(vlan, family, src, dst, proto), None


ETHERTYPE_BY_LAYER = {
    "arp": 0x0806,
    "ip": 0x0800,
    "ipv6": 0x86DD,
    "vlan": 0x8100,
    "ieee8021ad": 0x88A8,
    "lldp": 0x88CC,
    "mpls": 0x8847,
}


def innermost_ethertype(row, layers, tags):
    """The EtherType after the last VLAN tag. tshark has a field for it only
    after an 802.1Q tag (vlan.etype); after an 802.1ad tag the next layer's
    name tells it."""
    if not tags:
        return (ints(row["eth.type"]) or [0])[0], None
    if tags[-1] == "vlan":
        return ints(row["vlan.etype"])[-1], None
    last = len(layers) - 1 - layers[::-1].index("ieee8021ad")
    following = [name for name in layers[last + 1 :] if name != "ethertype"]
    if following and following[0] in ETHERTYPE_BY_LAYER:
        return ETHERTYPE_BY_LAYER[following[0]], None
    return 0, "cannot tell the EtherType after the 802.1ad tag"


def pdml_packets(pcap):
    """tshark's PDML with TCP reassembly on (its default), one element per frame."""
    rc, out, errors = run_tshark(["-r", pcap, "-n"] + DECODE_AS + ["-T", "pdml"])
    try:
        root = ET.fromstring(out) if out.strip() else ET.Element("pdml")
    except ET.ParseError as err:
        raise Unusable("cannot parse tshark's PDML: %s" % err)
    return root.findall("packet"), rc, errors


def fields_named(elem, name):
    return [f.get("show") for f in elem.iter("field") if f.get("name") == name]


def packet_endpoints(packet):
    """Addresses and ports of a frame's outermost IP and transport headers."""
    src = dst = None
    sport = dport = 0
    transport = ""
    for proto in packet.findall("proto"):
        name = proto.get("name")
        if name in ("ip", "ipv6") and src is None:
            src = fields_named(proto, name + ".src")[0]
            dst = fields_named(proto, name + ".dst")[0]
        elif name in ("tcp", "udp") and not transport:
            transport = name.upper()
            sport = int(fields_named(proto, name + ".srcport")[0])
            dport = int(fields_named(proto, name + ".dstport")[0])
    return (norm_addr(src) if src else "", norm_addr(dst) if dst else "", sport, dport, transport)


def dns_name(text):
    return "." if text == "<Root>" else text.lower() + "."


def tshark_dns(packets):
    messages, malformed = [], []
    for packet in packets:
        endpoints = packet_endpoints(packet)
        cut = any(p.get("name") == "_ws.malformed" for p in packet.findall("proto"))
        for proto in packet.findall("proto"):
            if proto.get("name") != "dns":
                continue
            # tshark shows a name it could not decode (a pointer loop, ...)
            # as "<...>"; netobs rejects such a message (docs/dns.md).
            names = fields_named(proto, "dns.qry.name")
            if any(n.startswith("<") and n != "<Root>" for n in names) or cut:
                malformed.append(
                    "%s:%d -> %s:%d %s"
                    % (
                        bracket(endpoints[0]),
                        endpoints[2],
                        bracket(endpoints[1]),
                        endpoints[3],
                        names[:1],
                    )
                )
                continue
            response = fields_named(proto, "dns.flags.response")[:1] == ["1"]
            answers = [f for f in proto.findall("field") if f.get("show") == "Answers"]
            ips, cnames = [], []
            for section in answers:
                for f in section.iter("field"):
                    if f.get("name") in ("dns.a", "dns.aaaa"):
                        ips.append(norm_addr(f.get("show")))
                    elif f.get("name") == "dns.cname":
                        cnames.append(dns_name(f.get("show")))
            rcode = int((fields_named(proto, "dns.flags.rcode") or ["0"])[0])
            qtypes = [
                DNS_TYPE_NAMES.get(int(t), "TYPE%s" % t)
                for t in fields_named(proto, "dns.qry.type")
            ]
            messages.append(
                dns_message(
                    "RESPONSE" if response else "REQUEST",
                    dns_name(names[0]) if names else "",
                    qtypes,
                    rcode if response else 0,
                    ips[:DNS_IPS_MAX] if response else [],
                    cnames[:DNS_CNAMES_MAX] if response else [],
                    endpoints,
                )
            )
    return messages, malformed


def dns_message(kind, query, qtypes, rcode, ips, cnames, endpoints):
    return (kind, query, tuple(qtypes), int(rcode), tuple(ips), tuple(cnames)) + tuple(
        endpoints[:4]
    )


def dns_text(msg):
    kind, query, qtypes, rcode, ips, cnames, src, dst, sport, dport = msg
    text = "%s %s %s %s:%d -> %s:%d" % (
        kind,
        query or '""',
        "/".join(qtypes),
        bracket(src),
        sport,
        bracket(dst),
        dport,
    )
    if kind == "RESPONSE":
        text += " rcode %d ips [%s] cnames [%s]" % (rcode, ", ".join(ips), ", ".join(cnames))
    return text


def http_url(target, host, server, server_port):
    """The URL netobs writes (docs/http.md): Host as written, :PORT only when
    Host has none and the port is not 80; absolute-form targets as written."""
    if target.lower().startswith(("http://", "https://")):
        rest = target.split("://", 1)[1]
        return target if "/" in rest else target + "/"
    if not host:
        host = "[%s]" % server if ":" in server else server
    has_port = host.rsplit("]", 1)[-1].count(":") == 1 if host.startswith("[") else ":" in host
    if not has_port and server_port != 80:
        host = "%s:%d" % (host, server_port)
    if target == "*":
        return "http://" + host
    return "http://" + host + target


def tshark_http(packets):
    """HTTP messages in wire order. Responses are paired with requests in
    order per connection (tshark's own pairing is wrong for pipelining)."""
    messages = []
    pending = collections.defaultdict(collections.deque)
    for packet in packets:
        src, dst, sport, dport, transport = packet_endpoints(packet)
        for proto in packet.findall("proto"):
            if proto.get("name") != "http":
                continue
            method = fields_named(proto, "http.request.method")
            code = fields_named(proto, "http.response.code")
            if method:
                target = (fields_named(proto, "http.request.uri") or [""])[0]
                host = (fields_named(proto, "http.host") or [""])[0]
                version = (fields_named(proto, "http.request.version") or [""])[0]
                url = http_url(target, host, dst, dport)
                pending[(src, sport, dst, dport)].append((method[0], url))
                messages.append(("REQUEST", method[0], url, version, 0, src, dst, sport, dport))
            elif code:
                code = int(code[0])
                version = (fields_named(proto, "http.response.version") or [""])[0]
                queue = pending[(dst, dport, src, sport)]
                if 100 <= code < 200 and code != 101:
                    request = queue[0] if queue else ("", "")
                else:
                    request = queue.popleft() if queue else ("", "")
                messages.append(
                    ("RESPONSE", request[0], request[1], version, code, src, dst, sport, dport)
                )
    return messages


def http_text(msg):
    kind, method, url, version, code, src, dst, sport, dport = msg
    text = "%s %s %s %s %s:%d -> %s:%d" % (
        kind,
        method or "?",
        url or "?",
        version,
        bracket(src),
        sport,
        bracket(dst),
        dport,
    )
    return text + (" code %d" % code if kind == "RESPONSE" else "")
