#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Write the crafted captures that `netobs flows --pcap` is checked on.

    make_captures.py OUTDIR

Writes OUTDIR/NAME.pcap (or .pcapng) and OUTDIR/expected/NAME.json, the
generator's ground truth: every flow (key, packets, bytes) as netobs keys
flows (docs/datapath.md), every DNS and HTTP message and what it carries,
and display-filter checks that tshark must agree with (tshark_checks:
filter -> number of frames). Broken files get {"error": WHY} instead.

Deterministic: fixed timestamps from 2026-11-30T10:00:00Z, a few ms apart,
fixed sequence numbers, a seeded generator for the random bytes. Python 3
standard library only. What each capture holds and why: tests/pcap/README.md.
"""

import json
import os
import random
import struct
import sys

from packets import (
    DnsMessage,
    ETH_ARP,
    ETH_IPV4,
    ETH_IPV6,
    TCP_ACK,
    TCP_FIN,
    TCP_PSH,
    TCP_SYN,
    TPID_8021AD,
    TPID_8021Q,
    addr_bytes,
    ethernet_frame,
    ext_fragment,
    ext_padn,
    ext_segment_routing,
    family_of,
    icmp4_message,
    icmp6_message,
    ipv4_packet,
    ipv6_packet,
    mac_bytes,
    pcap_bytes,
    pcapng_bytes,
    tcp_segment,
    udp_datagram,
)

START_NS = 1796032800 * 10**9  # 2026-11-30T10:00:00Z
STEP_NS = 3 * 10**6  # 3 ms between packets

CLIENT_MAC = "02:00:00:00:00:01"
SERVER_MAC = "02:00:00:00:00:02"


class Capture:
    """Frames with their timestamps, and the ground truth the generator knows."""

    def __init__(self, name, fmt="pcap", linktype=1):
        self.name = name
        self.fmt = fmt
        self.linktype = linktype
        self.frames = []  # (ts_ns, bytes)
        self.flows = {}  # key string -> flow dict
        self.dns = []
        self.http = []
        self.dns_malformed = 0
        self.checks = []
        self.notes = []
        self.now = START_NS

    def add(self, frame, key):
        self.frames.append((self.now, frame))
        self.now += STEP_NS
        if key is None:
            return
        ks = json.dumps(key, sort_keys=True)
        flow = self.flows.setdefault(ks, {"key": key, "packets": 0, "bytes": 0})
        flow["packets"] += 1
        flow["bytes"] += len(frame)
        return flow

    def check(self, display_filter, frames, why):
        """tshark must show exactly `frames` frames matching display_filter."""
        self.checks.append({"filter": display_filter, "frames": frames, "why": why})

    def expected(self):
        return {
            "capture": self.filename(),
            "linktype": self.linktype,
            "packets": len(self.frames),
            "flows": sorted(
                self.flows.values(), key=lambda f: json.dumps(f["key"], sort_keys=True)
            ),
            "dns": self.dns,
            "dns_malformed": self.dns_malformed,
            "http": self.http,
            "tshark_checks": self.checks,
            "notes": self.notes,
        }

    def filename(self):
        return self.name + (".pcapng" if self.fmt.startswith("pcapng") else ".pcap")


def ip_key(src, dst, proto, sport=0, dport=0, icmp_type=0, icmp_code=0, vlan=0, fragment=False):
    key = {
        "vlan_id": vlan,
        "ipVersion": "IPv%d" % family_of(src),
        "source": src,
        "destination": dst,
        "proto": proto,
    }
    if proto in (6, 17, 132):
        key["source_port"], key["destination_port"] = sport, dport
    elif proto in (1, 58):
        key["icmp_type"], key["icmp_code"] = icmp_type, icmp_code
    if fragment:
        key["source_port"] = key["destination_port"] = 0
        key.pop("icmp_type", None)
        key.pop("icmp_code", None)
        key["key_flags"] = ["FRAGMENT"]
    return key


def vlan_of(vlans):
    return vlans[0][1] if vlans else 0


class Endpoint:
    def __init__(self, addr, mac):
        self.addr, self.mac = addr, mac


def ip_frame(cap, src_ep, dst_ep, proto, l4, vlans=(), ip_options=b"", ext_headers=(), key=None):
    src, dst = src_ep.addr, dst_ep.addr
    if family_of(src) == 4:
        packet, ethertype = ipv4_packet(src, dst, proto, l4, options=ip_options), ETH_IPV4
    else:
        packet, ethertype = ipv6_packet(src, dst, proto, l4, ext_headers), ETH_IPV6
    return cap.add(ethernet_frame(src_ep.mac, dst_ep.mac, ethertype, packet, vlans), key)


def udp_frame(
    cap, src_ep, dst_ep, sport, dport, payload, vlans=(), ip_options=b"", ext_headers=()
):
    l4 = udp_datagram(src_ep.addr, dst_ep.addr, sport, dport, payload)
    key = ip_key(src_ep.addr, dst_ep.addr, 17, sport, dport, vlan=vlan_of(vlans))
    return ip_frame(cap, src_ep, dst_ep, 17, l4, vlans, ip_options, ext_headers, key)


class TcpConnection:
    """One TCP connection with correct sequence and acknowledgement numbers."""

    def __init__(
        self,
        cap,
        client,
        server,
        cport,
        sport,
        vlans=(),
        ip_options=b"",
        ext_headers=(),
        isn=(1000, 50000),
    ):
        self.cap, self.client, self.server = cap, client, server
        self.cport, self.sport = cport, sport
        self.vlans, self.ip_options, self.ext_headers = vlans, ip_options, ext_headers
        self.next_seq = {True: isn[0], False: isn[1]}  # from_client -> next seq
        self.acked = {True: 0, False: 0}  # what each side has acked of the other

    def segment(self, from_client, flags, payload=b""):
        src, dst = (self.client, self.server) if from_client else (self.server, self.client)
        sport, dport = (self.cport, self.sport) if from_client else (self.sport, self.cport)
        seq = self.next_seq[from_client]
        ack = self.next_seq[not from_client] if flags & TCP_ACK else 0
        l4 = tcp_segment(src.addr, dst.addr, sport, dport, seq, ack, flags, payload)
        self.next_seq[from_client] += len(payload) + (1 if flags & (TCP_SYN | TCP_FIN) else 0)
        key = ip_key(src.addr, dst.addr, 6, sport, dport, vlan=vlan_of(self.vlans))
        return ip_frame(
            self.cap, src, dst, 6, l4, self.vlans, self.ip_options, self.ext_headers, key
        )

    def open(self):
        self.segment(True, TCP_SYN)
        self.segment(False, TCP_SYN | TCP_ACK)
        self.segment(True, TCP_ACK)

    def send(self, from_client, payload, ack_it=True):
        self.segment(from_client, TCP_PSH | TCP_ACK, payload)
        if ack_it:
            self.segment(not from_client, TCP_ACK)

    def close(self):
        self.segment(True, TCP_FIN | TCP_ACK)
        self.segment(False, TCP_FIN | TCP_ACK)
        self.segment(True, TCP_ACK)


# ---------------------------------------------------------------- DNS


def dns_truth(msg, src, dst, sport, dport, transport):
    truth = dict(msg.truth)
    truth.update(
        {
            "source": src.addr,
            "destination": dst.addr,
            "source_port": sport,
            "destination_port": dport,
            "transport": transport,
        }
    )
    return truth


def dns_over_udp(cap, client, server, cport, query, response, vlans=()):
    udp_frame(cap, client, server, cport, 53, query.wire(), vlans)
    cap.dns.append(dns_truth(query, client, server, cport, 53, "UDP"))
    if response is not None:
        udp_frame(cap, server, client, 53, cport, response.wire(), vlans)
        cap.dns.append(dns_truth(response, server, client, 53, cport, "UDP"))


# ---------------------------------------------------------------- captures


def cap_vlan():
    cap = Capture("vlan")
    a = Endpoint("10.0.1.1", CLIENT_MAC)
    b = Endpoint("10.0.1.2", SERVER_MAC)
    dot1q = [(TPID_8021Q, 100)]
    qinq = [(TPID_8021AD, 200), (TPID_8021Q, 300)]
    # The same UDP 5-tuple three ways: netobs keys by the outermost VLAN ID, so
    # these are three flows per direction, not one.
    frames = {}
    for vlans, count in ((dot1q, 3), (qinq, 2), ((), 1)):
        before = len(cap.frames)
        for i in range(count):
            udp_frame(cap, a, b, 40001, 5000, b"vlan payload %d" % i, vlans)
        udp_frame(cap, b, a, 5000, 40001, b"vlan reply", vlans)
        frames[vlan_of(vlans)] = len(cap.frames) - before
    for vlans in (dot1q, qinq):
        # Other ports than the UDP flows': tshark would take two connections
        # on one 5-tuple for one with retransmissions.
        before = len(cap.frames)
        conn = TcpConnection(cap, a, b, 40002 + len(vlans), 8000, vlans=vlans)
        conn.open()
        conn.send(True, b"hello over a tagged link\n")
        conn.close()
        frames[vlan_of(vlans)] += len(cap.frames) - before
    arp_frame(cap, CLIENT_MAC, "ff:ff:ff:ff:ff:ff", 1, a.addr, b.addr, dot1q)
    frames[100] += 1
    cap.check(
        "vlan.id == 100 && !ieee8021ad", frames[100], "802.1Q frames with VLAN 100 (UDP, TCP, ARP)"
    )
    cap.check(
        "ieee8021ad.id == 200 && vlan.id == 300",
        frames[200],
        "QinQ frames: outer 200 (802.1ad), inner 300 (802.1Q)",
    )
    cap.check("eth.type == 0x88a8", frames[200], "QinQ outer TPID is 802.1ad")
    cap.check("!vlan && !ieee8021ad", frames[0], "the untagged copies of the UDP 5-tuple")
    return cap


def arp_frame(cap, src_mac, dst_mac, op, sender_ip, target_ip, vlans=()):
    target_mac = "00:00:00:00:00:00" if op == 1 else dst_mac
    body = (
        struct.pack("!HHBBH", 1, ETH_IPV4, 6, 4, op) + mac_bytes(src_mac) + addr_bytes(sender_ip)
    )
    body += mac_bytes(target_mac) + addr_bytes(target_ip)
    key = {
        "vlan_id": vlan_of(vlans),
        "ethertype": "0x0806",
        "source_mac": src_mac,
        "destination_mac": dst_mac,
    }
    cap.add(ethernet_frame(src_mac, dst_mac, ETH_ARP, body, vlans), key)


def cap_ipv4_options():
    cap = Capture("ipv4-options")
    a = Endpoint("10.0.4.1", CLIENT_MAC)
    b = Endpoint("10.0.4.2", SERVER_MAC)
    router_alert = bytes([0x94, 4, 0, 0])  # IHL 6
    record_route = bytes([7, 39, 4]) + b"\0" * 36 + b"\0"  # 39 bytes + EOL: IHL 15, the maximum
    conn = TcpConnection(cap, a, b, 40400, 80, ip_options=record_route)
    conn.open()
    conn.send(True, b"options on every packet\n")
    conn.close()
    tcp_frames = len(cap.frames)
    for i in range(2):
        udp_frame(cap, a, b, 40401, 7000, b"router alert %d" % i, ip_options=router_alert)
    udp_frame(cap, b, a, 7000, 40401, b"reply", ip_options=router_alert)
    cap.check(
        "ip.hdr_len == 60", tcp_frames, "TCP packets with 40 bytes of options (record route)"
    )
    cap.check("ip.hdr_len == 24 && udp", 3, "UDP packets with a router alert option")
    return cap


def cap_ipv6_exthdr():
    cap = Capture("ipv6-exthdr")
    a = Endpoint("fd00:6::1", CLIENT_MAC)
    b = Endpoint("fd00:6::2", SERVER_MAC)
    hbh = [(0, ext_padn(6))]
    conn = TcpConnection(cap, a, b, 40600, 8080, ext_headers=hbh)
    conn.open()
    conn.send(True, b"hop-by-hop before TCP\n")
    conn.close()
    tcp_frames = len(cap.frames)
    chain = [
        (0, ext_padn(6)),
        (60, ext_padn(14)),
        (43, ext_segment_routing(b.addr)),
        (60, ext_padn(6)),
    ]
    for i in range(2):
        udp_frame(cap, a, b, 40601, 9000, b"four extension headers %d" % i, ext_headers=chain)
    back = [(43, ext_segment_routing(a.addr)), (60, ext_padn(6))]
    udp_frame(cap, b, a, 9000, 40601, b"routing then destination options", ext_headers=back)
    for seq in range(2):
        for src, dst, icmp_type in ((a, b, 128), (b, a, 129)):
            msg = icmp6_message(
                src.addr, dst.addr, icmp_type, 0, struct.pack("!HH", 0x66, seq), b"ping6" * 8
            )
            key = ip_key(src.addr, dst.addr, 58, icmp_type=icmp_type, icmp_code=0)
            ip_frame(cap, src, dst, 58, msg, ext_headers=[(60, ext_padn(6))], key=key)
    cap.check("ipv6.hopopts && tcp", tcp_frames, "TCP behind a hop-by-hop header")
    cap.check("ipv6.routing && ipv6.dstopts && ipv6.hopopts && udp", 2, "UDP behind four headers")
    cap.check("ipv6.routing && udp.srcport == 9000", 1, "UDP behind routing + destination options")
    cap.check("icmpv6.type == 128 && ipv6.dstopts", 2, "echo requests behind destination options")
    cap.check("icmpv6.type == 129", 2, "echo replies")
    return cap


def cap_fragments():
    cap = Capture("fragments", fmt="pcap-ns")
    a = Endpoint("10.0.5.1", CLIENT_MAC)
    b = Endpoint("10.0.5.2", SERVER_MAC)
    payload = bytes(range(256)) * 12  # 3072 bytes
    datagram = udp_datagram(a.addr, b.addr, 40500, 5354, payload)
    pieces = [(0, datagram[:1480]), (1480, datagram[1480:2960]), (2960, datagram[2960:])]
    for offset, piece in pieces:
        mf = offset + len(piece) < len(datagram)
        packet = ipv4_packet(a.addr, b.addr, 17, piece, ident=0x1234, mf=mf, frag_offset=offset)
        key = ip_key(a.addr, b.addr, 17, 40500, 5354, fragment=offset != 0)
        cap.add(ethernet_frame(a.mac, b.mac, ETH_IPV4, packet), key)
    udp_frame(cap, b, a, 5354, 40500, b"got it")

    a6 = Endpoint("fd00:5::1", CLIENT_MAC)
    b6 = Endpoint("fd00:5::2", SERVER_MAC)
    datagram6 = udp_datagram(a6.addr, b6.addr, 40501, 5354, payload[:2000])
    for offset, piece in ((0, datagram6[:1232]), (1232, datagram6[1232:])):
        mf = offset == 0
        packet = ipv6_packet(a6.addr, b6.addr, 17, piece, [(44, ext_fragment(offset, mf, 0xABCD))])
        key = ip_key(a6.addr, b6.addr, 17, 40501, 5354, fragment=offset != 0)
        cap.add(ethernet_frame(a6.mac, b6.mac, ETH_IPV6, packet), key)
    udp_frame(cap, b6, a6, 5354, 40501, b"got it too")
    cap.check("ip.flags.mf == 1 || ip.frag_offset > 0", 3, "the IPv4 datagram's three fragments")
    cap.check("ip.frag_offset > 0", 2, "IPv4 fragments without the UDP header")
    cap.check("ipv6.fraghdr.offset > 0", 1, "IPv6 fragment without the UDP header")
    cap.check("ipv6.fraghdr.more == 1", 1, "IPv6 first fragment")
    cap.notes.append(
        "IPv4 UDP datagram of %d bytes in 3 fragments, IPv6 one of %d bytes in 2; "
        "the first fragments carry the ports" % (len(datagram), len(datagram6))
    )
    return cap


def cap_icmp():
    cap = Capture("icmp")
    a = Endpoint("10.0.7.1", CLIENT_MAC)
    b = Endpoint("10.0.7.2", SERVER_MAC)
    for seq in range(3):
        for src, dst, icmp_type in ((a, b, 8), (b, a, 0)):
            msg = icmp4_message(icmp_type, 0, struct.pack("!HH", 0x77, seq), b"ping" * 14)
            ip_frame(cap, src, dst, 1, msg, key=ip_key(src.addr, dst.addr, 1, icmp_type=icmp_type))
    # Port unreachable quoting a UDP datagram: the key is the outer header's
    # (type 3, code 3), not the quoted ports.
    quoted = ipv4_packet(a.addr, b.addr, 17, udp_datagram(a.addr, b.addr, 40700, 33434, b"probe"))
    msg = icmp4_message(3, 3, b"\0\0\0\0", quoted)
    ip_frame(cap, b, a, 1, msg, key=ip_key(b.addr, a.addr, 1, icmp_type=3, icmp_code=3))
    arp_frame(cap, CLIENT_MAC, "ff:ff:ff:ff:ff:ff", 1, a.addr, b.addr)
    arp_frame(cap, SERVER_MAC, CLIENT_MAC, 2, b.addr, a.addr)
    cap.check("icmp.type == 8", 3, "echo requests")
    cap.check("icmp.type == 0", 3, "echo replies")
    cap.check("icmp.type == 3 && icmp.code == 3", 1, "port unreachable with a quoted UDP header")
    cap.check("arp.opcode == 1", 1, "ARP request")
    cap.check("arp.opcode == 2", 1, "ARP reply")
    return cap


def cap_dns_udp():
    cap = Capture("dns-udp")
    c = Endpoint("10.0.2.1", CLIENT_MAC)
    s = Endpoint("10.0.2.53", SERVER_MAC)
    # A, through a CNAME chain; mixed case in the question (DNS 0x20) while
    # netobs writes lower case. The answers compress against the question.
    q = DnsMessage(0x1001, False, [("WwW.Example.COM", 1)])
    r = DnsMessage(
        0x1001,
        True,
        [("WwW.Example.COM", 1)],
        [
            ("WwW.Example.COM", 5, 300, "cdn.example.net"),
            ("cdn.example.net", 5, 120, "edge.cdn.example.net"),
            ("edge.cdn.example.net", 1, 60, "192.0.2.10"),
            ("edge.cdn.example.net", 1, 60, "192.0.2.11"),
        ],
    )
    dns_over_udp(cap, c, s, 50001, q, r)
    # AAAA over IPv6.
    c6 = Endpoint("fd00:2::1", CLIENT_MAC)
    s6 = Endpoint("fd00:2::53", SERVER_MAC)
    q = DnsMessage(0x1002, False, [("v6.example.com", 28)])
    r = DnsMessage(
        0x1002,
        True,
        [("v6.example.com", 28)],
        [("v6.example.com", 28, 600, "2001:db8::1"), ("v6.example.com", 28, 600, "2001:db8::2")],
    )
    dns_over_udp(cap, c6, s6, 50002, q, r)
    # NXDOMAIN with the zone's SOA in the authority section.
    q = DnsMessage(0x1003, False, [("nope.example.com", 1)])
    soa = [("example.com", 6, 300, ("ns1.example.com", "hostmaster.example.com"))]
    r = DnsMessage(0x1003, True, [("nope.example.com", 1)], rcode=3, authority=soa)
    dns_over_udp(cap, c, s, 50003, q, r)
    # Twenty answers: more than netobs keeps (16 ips).
    q = DnsMessage(0x1004, False, [("many.example.com", 1)])
    many = [("many.example.com", 1, 30 + i, "198.51.100.%d" % (i + 1)) for i in range(20)]
    r = DnsMessage(0x1004, True, [("many.example.com", 1)], many)
    dns_over_udp(cap, c, s, 50004, q, r)
    # EDNS: an OPT record in the additional section of both.
    q = DnsMessage(0x1005, False, [("edns.example.com", 1)], edns=True)
    r = DnsMessage(
        0x1005,
        True,
        [("edns.example.com", 1)],
        [("edns.example.com", 1, 3600, "203.0.113.5")],
        edns=True,
    )
    dns_over_udp(cap, c, s, 50005, q, r)
    # Truncated: TC set, no answers (the client would retry over TCP).
    q = DnsMessage(0x1006, False, [("big.example.com", 16)])
    r = DnsMessage(0x1006, True, [("big.example.com", 16)], tc=True)
    dns_over_udp(cap, c, s, 50006, q, r)
    # Malformed: the question's name is a compression pointer to itself. No
    # response. netobs must count it, not report it, and still count its flow.
    loop = (
        struct.pack("!HHHHHH", 0x1007, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    )
    udp_frame(cap, c, s, 50007, 53, loop)
    cap.dns_malformed += 1
    cap.check("dns.flags.response == 0", 7, "queries")
    cap.check("dns.flags.response == 1", 6, "responses")
    cap.check('dns.cname == "edge.cdn.example.net"', 1, "the CNAME chain, decompressed")
    cap.check("dns.flags.rcode == 3", 1, "NXDOMAIN")
    cap.check("dns.count.answers == 20", 1, "the response with many answers")
    cap.check("dns.resp.type == 41", 2, "EDNS OPT records")
    cap.check("dns.flags.truncated == 1", 1, "the TC response")
    cap.check('dns.qry.name contains "loops"', 1, "tshark names the compression loop")
    return cap


def cap_dns_tcp():
    cap = Capture("dns-tcp")
    c = Endpoint("10.0.3.1", CLIENT_MAC)
    s = Endpoint("10.0.3.53", SERVER_MAC)
    conn = TcpConnection(cap, c, s, 40300, 53)
    conn.open()

    def framed(msg):
        return struct.pack("!H", len(msg.wire())) + msg.wire()

    def truth(msg, from_client):
        src, dst = (c, s) if from_client else (s, c)
        sport, dport = (40300, 53) if from_client else (53, 40300)
        cap.dns.append(dns_truth(msg, src, dst, sport, dport, "TCP"))

    q1 = DnsMessage(0x2001, False, [("a.example.org", 1)])
    q2 = DnsMessage(0x2002, False, [("b.example.org", 28)])
    r1 = DnsMessage(
        0x2001, True, [("a.example.org", 1)], [("a.example.org", 1, 900, "192.0.2.51")]
    )
    r2 = DnsMessage(
        0x2002,
        True,
        [("b.example.org", 28)],
        [("b.example.org", 5, 900, "c.example.org"), ("c.example.org", 28, 900, "2001:db8::53")],
    )
    # Two length-prefixed queries in one segment.
    conn.send(True, framed(q1) + framed(q2))
    truth(q1, True)
    truth(q2, True)
    # Response 1 and the first 10 bytes of response 2, then the rest of it.
    both = framed(r1) + framed(r2)
    cut = len(framed(r1)) + 10
    conn.send(False, both[:cut])
    conn.send(False, both[cut:])
    truth(r1, False)
    truth(r2, False)
    # A query whose body is split across two segments, then its response.
    q3 = DnsMessage(0x2003, False, [("split.example.org", 1)])
    r3 = DnsMessage(
        0x2003, True, [("split.example.org", 1)], [("split.example.org", 1, 60, "192.0.2.53")]
    )
    wire = framed(q3)
    conn.send(True, wire[:7])
    conn.send(True, wire[7:])
    truth(q3, True)
    conn.send(False, framed(r3))
    truth(r3, False)
    conn.close()
    cap.check("dns.flags.response == 0", 2, "frames completing queries (the first holds two)")
    cap.check(
        "dns.flags.response == 1",
        3,
        "frames completing responses (the first holds one and a part)",
    )
    cap.check(
        'dns.qry.name == "split.example.org" && dns.flags.response == 0',
        1,
        "the split query, reassembled",
    )
    cap.check("tcp.analysis.flags", 0, "no retransmission, no lost segment: seq/ack are right")
    return cap


def http_truth(cap, kind, src, dst, sport, dport, method, url, protocol, code=0):
    entry = {
        "type": kind,
        "method": method,
        "url": url,
        "protocol": protocol,
        "source": src.addr,
        "destination": dst.addr,
        "source_port": sport,
        "destination_port": dport,
    }
    if code:
        entry["code"] = code
    cap.http.append(entry)


def cap_http_pipelined():
    cap = Capture("http-pipelined")
    c = Endpoint("10.0.8.1", CLIENT_MAC)
    s = Endpoint("10.0.8.80", SERVER_MAC)
    conn = TcpConnection(cap, c, s, 40800, 80)
    conn.open()

    def req(method, path, proto="HTTP/1.1", host="www.example.com", url=None):
        hdr = "%s %s %s\r\n" % (method, path, proto)
        if host:
            hdr += "Host: %s\r\n" % host
        hdr += "User-Agent: make_captures\r\n\r\n"
        return hdr.encode(), (method, url or "http://%s%s" % (host, path), proto)

    def resp(code, body, proto="HTTP/1.1", chunked=False, length=True):
        reason = {200: "OK", 201: "Created", 404: "Not Found", 204: "No Content"}[code]
        head = "%s %d %s\r\nContent-Type: text/plain\r\n" % (proto, code, reason)
        if chunked:
            head += "Transfer-Encoding: chunked\r\n\r\n"
            out = head.encode()
            for i in range(0, len(body), 7):
                out += b"%x\r\n" % len(body[i : i + 7]) + body[i : i + 7] + b"\r\n"
            return out + b"0\r\n\r\n"
        if length:
            head += "Content-Length: %d\r\n" % len(body)
        return (head + "\r\n").encode() + body

    def requests(items, from_conn, cport):
        for method, url, proto in items:
            http_truth(cap, "REQUEST", c, s, cport, from_conn, method, url, proto)

    def responses(items, codes, cport, sport):
        for (method, url, _), (code, proto) in zip(items, codes):
            http_truth(cap, "RESPONSE", s, c, sport, cport, method, url, proto, code)

    # Two GETs in one segment, then both responses in one segment.
    r1, t1 = req("GET", "/one?x=1")
    r2, t2 = req("GET", "/two")
    conn.send(True, r1 + r2)
    requests([t1, t2], 80, 40800)
    conn.send(False, resp(200, b"first body\n") + resp(404, b"no such thing\n"))
    responses([t1, t2], [(200, "HTTP/1.1"), (404, "HTTP/1.1")], 40800, 80)
    # Keep-alive: a POST and its response on the same connection.
    r3, t3 = req("POST", "/submit")
    conn.send(True, r3)
    requests([t3], 80, 40800)
    conn.send(False, resp(201, b"created\n"))
    responses([t3], [(201, "HTTP/1.1")], 40800, 80)
    # A chunked response.
    r4, t4 = req("GET", "/chunked")
    conn.send(True, r4)
    requests([t4], 80, 40800)
    conn.send(False, resp(200, b"a body sent in chunks of seven bytes\n", chunked=True))
    responses([t4], [(200, "HTTP/1.1")], 40800, 80)
    # A request line split across two segments (the first still starts with
    # the method, as any real split would).
    r5, t5 = req("GET", "/split/request/line")
    conn.send(True, r5[:10])
    conn.send(True, r5[10:])
    requests([t5], 80, 40800)
    conn.send(False, resp(204, b""))
    responses([t5], [(204, "HTTP/1.1")], 40800, 80)
    conn.close()

    # HTTP/1.0 on its own connection: the body runs until the server closes.
    conn = TcpConnection(cap, c, s, 40801, 80, isn=(7000, 90000))
    conn.open()
    r6, t6 = req("GET", "/old", proto="HTTP/1.0", host="old.example.com")
    conn.send(True, r6)
    requests([t6], 80, 40801)
    conn.send(False, resp(200, b"until close\n", proto="HTTP/1.0", length=False))
    responses([t6], [(200, "HTTP/1.0")], 40801, 80)
    conn.segment(False, TCP_FIN | TCP_ACK)
    conn.segment(True, TCP_FIN | TCP_ACK)
    conn.segment(False, TCP_ACK)
    cap.check("http.request", 5, "frames completing requests (the pipelined pair is one frame)")
    cap.check(
        'http.request.method == "GET" && http.request.uri == "/two"',
        1,
        "the second pipelined request",
    )
    cap.check("http.response.code == 404", 1, "the second pipelined response")
    cap.check('http.transfer_encoding == "chunked"', 1, "the chunked response")
    cap.check('http.request.version == "HTTP/1.0"', 1, "the HTTP/1.0 request")
    cap.check("tcp.analysis.flags", 0, "no retransmission, no lost segment: seq/ack are right")
    return cap


def cap_large_frames():
    """Frames as long as real captures hold: a 9000-byte jumbo UDP datagram,
    and a TCP segment of 30000 bytes as a capture on loopback or before GRO
    and TSO segmentation (tcpdump on the sending host) holds. tshark counts
    their whole length; so must netobs."""
    cap = Capture("large-frames")
    a = Endpoint("10.0.11.1", CLIENT_MAC)
    b = Endpoint("10.0.11.2", SERVER_MAC)
    udp_frame(cap, a, b, 41100, 9100, bytes(range(256)) * 35 + bytes(8972 - 35 * 256))
    udp_frame(cap, b, a, 9100, 41100, b"ok")
    conn = TcpConnection(cap, a, b, 41101, 9101)
    conn.open()
    conn.send(False, b"x" * 30000)
    conn.close()
    cap.check("frame.len == 9014", 1, "the jumbo frame: 9000 bytes of IP")
    cap.check("frame.len == 30054", 1, "the aggregated TCP segment")
    return cap


def cap_http_not_http():
    cap = Capture("http-not-http")
    c = Endpoint("10.0.9.1", CLIENT_MAC)
    s = Endpoint("10.0.9.80", SERVER_MAC)
    # A TLS 1.2 ClientHello (record header, handshake header, version, random,
    # empty session id, two suites, null compression, SNI) sent to port 80.
    sni = b"tls.example.com"
    sni_ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    hello = (
        struct.pack("!H", 0x0303)
        + bytes(range(32))
        + b"\0"
        + struct.pack("!H", 4)
        + b"\x13\x01\xc0\x2f"
        + b"\x01\x00"
    )
    hello += struct.pack("!H", len(sni_ext)) + sni_ext
    handshake = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
    record = b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake
    conn = TcpConnection(cap, c, s, 40900, 80)
    conn.open()
    conn.send(True, record)
    conn.close()
    rng = random.Random(2026)
    noise = bytes(rng.randrange(256) for _ in range(300))
    conn = TcpConnection(cap, c, s, 40901, 80, isn=(3000, 60000))
    conn.open()
    conn.send(True, noise)
    conn.send(False, bytes(rng.randrange(256) for _ in range(100)))
    conn.close()
    cap.check("http.request || http.response", 0, "nothing here is HTTP")
    cap.check("tcp.len > 0", 3, "the three payload segments")
    return cap


def cap_pcapng(source, tsresol_ns):
    cap = source()
    cap.name = "pcapng-" + cap.name
    cap.fmt = "pcapng-ns" if tsresol_ns else "pcapng"
    cap.notes.append(
        "the same frames as %s.pcap, in pcapng (SHB, IDB with if_name, EPB)" % cap.name[7:]
    )
    return cap


# ---------------------------------------------------------------- writers


def capture_bytes(cap):
    if cap.fmt.startswith("pcapng"):
        return pcapng_bytes(cap.frames, nanosecond=cap.fmt == "pcapng-ns")
    return pcap_bytes(cap.frames, cap.linktype, nanosecond=cap.fmt == "pcap-ns")


def write_broken(outdir, expected_dir):
    """Files netobs must refuse (or, for empty.pcap, read as nothing)."""
    good = cap_icmp()
    whole = pcap_bytes(good.frames)
    broken = {
        "not-a-capture.txt": (
            b"This is a text file, not a packet capture.\n" * 4,
            "not-a-capture",
        ),
        # Cut inside the 5th packet record's data: 24-byte header, then
        # records of 16 + frame bytes.
        "truncated.pcap": (
            whole[: 24 + sum(16 + len(f) for _, f in good.frames[:4]) + 16 + 20],
            "truncated",
        ),
        "linktype-raw.pcap": (
            pcap_bytes(
                [
                    (
                        START_NS,
                        ipv4_packet(
                            "10.0.10.1",
                            "10.0.10.2",
                            17,
                            udp_datagram("10.0.10.1", "10.0.10.2", 1, 2, b"raw"),
                        ),
                    )
                ],
                linktype=101,
            ),
            "linktype",
        ),
        "linktype-80211.pcap": (
            pcap_bytes([(START_NS, b"\x08\x00" + b"\0" * 30)], linktype=105),
            "linktype",
        ),
        "empty.pcap": (pcap_bytes([]), None),
    }
    for name, (data, error) in broken.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        truth = {
            "capture": name,
            "packets": 0,
            "flows": [],
            "dns": [],
            "dns_malformed": 0,
            "http": [],
            "tshark_checks": [],
            "notes": [],
        }
        if error:
            truth["error"] = error
        if name == "truncated.pcap":
            truth["packets_before_cut"] = 4
            truth["notes"].append(
                "4 whole packets (ICMP echo), then a record cut 20 bytes into its data"
            )
        write_json(os.path.join(expected_dir, os.path.splitext(name)[0] + ".json"), truth)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


CAPTURES = [
    cap_vlan,
    cap_ipv4_options,
    cap_ipv6_exthdr,
    cap_fragments,
    cap_icmp,
    cap_dns_udp,
    cap_dns_tcp,
    cap_http_pipelined,
    cap_http_not_http,
    cap_large_frames,
]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_captures.py OUTDIR\n")
        return 2
    outdir = argv[1]
    expected_dir = os.path.join(outdir, "expected")
    os.makedirs(expected_dir, exist_ok=True)
    caps = [make() for make in CAPTURES]
    caps.append(cap_pcapng(cap_dns_udp, False))
    caps.append(cap_pcapng(cap_http_pipelined, True))
    caps.append(cap_pcapng(cap_vlan, False))
    for cap in caps:
        with open(os.path.join(outdir, cap.filename()), "wb") as f:
            f.write(capture_bytes(cap))
        write_json(os.path.join(expected_dir, cap.name + ".json"), cap.expected())
    write_broken(outdir, expected_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
