# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Packet and capture-file builders for make_captures.py, standard library only.

Every function returns bytes: Ethernet frames (802.1Q/802.1ad tags, padding to
60 bytes), IPv4 (options, fragments) and IPv6 (extension headers) packets,
TCP, UDP and ICMP with correct checksums, DNS messages with name compression
(and what netobs should report of them), and pcap (microsecond or nanosecond)
and pcapng files. Addresses are text ("10.0.0.1", "fd00::1", "02:00:...").
"""

import ipaddress
import struct

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def family_of(addr):
    return 6 if ":" in addr else 4


def addr_bytes(addr):
    return ipaddress.ip_address(addr).packed


def pseudo_header(src, dst, proto, length):
    if family_of(src) == 4:
        return addr_bytes(src) + addr_bytes(dst) + struct.pack("!BBH", 0, proto, length)
    return addr_bytes(src) + addr_bytes(dst) + struct.pack("!I3xB", length, proto)


def l4_with_checksum(src, dst, proto, segment, csum_offset):
    """Fill the checksum at csum_offset (over the pseudo header and segment)."""
    segment = bytearray(segment)
    segment[csum_offset : csum_offset + 2] = b"\0\0"
    csum = checksum(pseudo_header(src, dst, proto, len(segment)) + bytes(segment))
    if proto == 17 and csum == 0:
        csum = 0xFFFF
    segment[csum_offset : csum_offset + 2] = struct.pack("!H", csum)
    return bytes(segment)


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp_segment(src, dst, sport, dport, seq, ack, flags, payload=b""):
    hdr = struct.pack(
        "!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 64240, 0, 0
    )
    return l4_with_checksum(src, dst, 6, hdr + payload, 16)


def udp_datagram(src, dst, sport, dport, payload):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    return l4_with_checksum(src, dst, 17, hdr + payload, 6)


def icmp4_message(icmp_type, code, rest, payload):
    msg = bytearray(struct.pack("!BBH", icmp_type, code, 0) + rest + payload)
    msg[2:4] = struct.pack("!H", checksum(bytes(msg)))
    return bytes(msg)


def icmp6_message(src, dst, icmp_type, code, rest, payload):
    return l4_with_checksum(
        src, dst, 58, struct.pack("!BBH", icmp_type, code, 0) + rest + payload, 2
    )


def ipv4_packet(src, dst, proto, payload, options=b"", ident=1, mf=False, frag_offset=0, df=None):
    """frag_offset in bytes (a multiple of 8)."""
    assert len(options) % 4 == 0 and len(options) <= 40
    ihl = 5 + len(options) // 4
    if df is None:
        df = not mf and frag_offset == 0
    flags_frag = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_offset // 8)
    hdr = bytearray(
        struct.pack(
            "!BBHHHBBH4s4s",
            0x40 | ihl,
            0,
            ihl * 4 + len(payload),
            ident,
            flags_frag,
            64,
            proto,
            0,
            addr_bytes(src),
            addr_bytes(dst),
        )
        + options
    )
    hdr[10:12] = struct.pack("!H", checksum(bytes(hdr)))
    return bytes(hdr) + payload


def ipv6_packet(src, dst, proto, payload, ext_headers=()):
    """ext_headers: [(type, body)] in order; body excludes next header and length bytes."""
    chain = b""
    types = [t for t, _ in ext_headers] + [proto]
    for i, (ext_type, body) in enumerate(ext_headers):
        nxt = types[i + 1]
        if ext_type == 44:  # Fragment: 8 bytes, reserved byte instead of a length
            chain += struct.pack("!BB", nxt, 0) + body
        else:
            assert (len(body) + 2) % 8 == 0
            chain += struct.pack("!BB", nxt, (len(body) + 2) // 8 - 1) + body
    first = types[0]
    hdr = struct.pack(
        "!IHBB16s16s",
        6 << 28,
        len(chain) + len(payload),
        first,
        64,
        addr_bytes(src),
        addr_bytes(dst),
    )
    return hdr + chain + payload


def ext_padn(length):
    """Hop-by-hop or destination options body: one PadN filling length bytes."""
    return struct.pack("!BB", 1, length - 2) + b"\0" * (length - 2)


def ext_segment_routing(final_dst):
    # A Segment Routing Header (type 4) whose one segment is the destination,
    # Segments Left 0: the packet has arrived, so the transport checksum's
    # pseudo header uses the IPv6 destination as is.
    return struct.pack("!BBBBH", 4, 0, 0, 0, 0) + addr_bytes(final_dst)


def ext_fragment(offset, mf, ident):
    return struct.pack("!HI", (offset // 8) << 3 | (1 if mf else 0), ident)


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def ethernet_frame(src_mac, dst_mac, ethertype, payload, vlans=()):
    """vlans: [(tpid, vid)] outermost first. Pads to 60 bytes as a NIC does."""
    frame = mac_bytes(dst_mac) + mac_bytes(src_mac)
    for tpid, vid in vlans:
        frame += struct.pack("!H", tpid)
        frame += struct.pack("!H", vid & 0xFFF)
    frame += struct.pack("!H", ethertype) + payload
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    return frame


def pcap_bytes(frames, linktype=1, nanosecond=False, snaplen=65535):
    out = struct.pack(
        "<IHHiIII", 0xA1B23C4D if nanosecond else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype
    )
    for ts, frame in frames:
        frac = ts % 10**9 if nanosecond else ts % 10**9 // 1000
        out += struct.pack("<IIII", ts // 10**9, frac, len(frame), len(frame)) + frame
    return out


def pcapng_option(code, value):
    pad = b"\0" * (-len(value) % 4)
    return struct.pack("<HH", code, len(value)) + value + pad


def pcapng_block(block_type, body):
    total = 12 + len(body)
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def pcapng_bytes(frames, ifname="eth0", nanosecond=False):
    shb_opts = pcapng_option(4, b"netobs make_captures.py") + pcapng_option(0, b"")
    out = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)
    idb_opts = pcapng_option(2, ifname.encode())
    if nanosecond:
        idb_opts += pcapng_option(9, b"\x09")
    idb_opts += pcapng_option(0, b"")
    out += pcapng_block(1, struct.pack("<HHI", 1, 0, 0) + idb_opts)
    for ts, frame in frames:
        units = ts if nanosecond else ts // 1000
        body = struct.pack("<IIIII", 0, units >> 32, units & 0xFFFFFFFF, len(frame), len(frame))
        body += frame + b"\0" * (-len(frame) % 4)
        out += pcapng_block(6, body)
    return out


class DnsMessage:
    """A DNS message built with name compression, and its truth for expected/."""

    def __init__(
        self, ident, response, questions, answers=(), rcode=0, tc=False, edns=False, authority=()
    ):
        self.buf = bytearray()
        self.names = {}
        flags = (
            (0x8000 if response else 0)
            | 0x0100
            | (0x0080 if response else 0)
            | (0x0200 if tc else 0)
            | rcode
        )
        self.buf += struct.pack(
            "!HHHHHH", ident, flags, len(questions), len(answers), len(authority), 1 if edns else 0
        )
        for name, qtype in questions:
            self.name(name)
            self.buf += struct.pack("!HH", qtype, 1)
        for rr in list(answers) + list(authority):
            self.record(*rr)
        if edns:
            self.buf += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
        self.truth = {
            "type": "RESPONSE" if response else "REQUEST",
            "query": questions[0][0].lower() + "." if questions else "",
            "qtypes": [DNS_TYPE_NAMES[q] for _, q in questions],
            "rcode": rcode,
            "ips": [v for _, t, _, v in answers if t in (1, 28)],
            "cnames": [v.lower() + "." for _, t, _, v in answers if t == 5],
            "rrtypes": list(dict.fromkeys(DNS_TYPE_NAMES[t] for _, t, _, _ in answers)),
        }
        ttls = [ttl for _, _, ttl, _ in answers]
        if ttls and response:
            self.truth["ttl"] = min(ttls)

    def name(self, name):
        labels = name.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:]).lower()
            if suffix in self.names:
                self.buf += struct.pack("!H", 0xC000 | self.names[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.names[suffix] = len(self.buf)
            self.buf += bytes([len(labels[i])]) + labels[i].encode()
        self.buf += b"\0"

    def record(self, name, rrtype, ttl, value):
        self.name(name)
        self.buf += struct.pack("!HHI", rrtype, 1, ttl)
        length_at = len(self.buf)
        self.buf += b"\0\0"
        if rrtype in (1, 28):
            self.buf += addr_bytes(value)
        elif rrtype == 5:
            self.name(value)
        elif rrtype == 6:  # SOA: mname, rname, 5 numbers
            self.name(value[0])
            self.name(value[1])
            self.buf += struct.pack("!IIIII", 2026113001, 7200, 3600, 1209600, 300)
        struct.pack_into("!H", self.buf, length_at, len(self.buf) - length_at - 2)

    def wire(self):
        return bytes(self.buf)


DNS_TYPE_NAMES = {1: "A", 5: "CNAME", 6: "SOA", 16: "TXT", 28: "AAAA", 41: "OPT"}
