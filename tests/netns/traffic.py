#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""Traffic with known, independently measured counts for the namespace tests.

The TCP modes print the kernel's own TCP_INFO counters for the connection
(segments sent, payload bytes sent) as JSON, so the test compares netobs's
counts with a source that is not netobs.
"""
import json
import socket
import struct
import sys
import time

# Offsets in struct tcp_info (include/uapi/linux/tcp.h).
TCPI_SEGS_OUT = 136
TCPI_BYTES_SENT = 200
TCPI_BYTES_RETRANS = 208


def tcp_info(sock):
    raw = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    segs_out, = struct.unpack_from("I", raw, TCPI_SEGS_OUT)
    bytes_sent, bytes_retrans = struct.unpack_from("QQ", raw, TCPI_BYTES_SENT)
    return {"segs_out": segs_out, "bytes_sent": bytes_sent, "bytes_retrans": bytes_retrans}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def tcp_server(addr, port, ready_file):
    srv = socket.socket(family_of(addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1)
    open(ready_file, "w").close()
    conn, peer = srv.accept()
    received = 0
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        received += len(chunk)
    conn.shutdown(socket.SHUT_WR)  # our FIN
    time.sleep(0.3)  # the client's last ACK
    info = tcp_info(conn)
    info.update(received=received, peer_port=peer[1])
    print(json.dumps(info), flush=True)
    conn.close()
    srv.close()


def tcp_client(addr, port, nbytes):
    sock = socket.create_connection((addr, port), timeout=10)
    local_port = sock.getsockname()[1]
    block = b"x" * 65536
    left = nbytes
    while left:
        left -= sock.send(block[:min(left, len(block))])
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(65536):  # until the server's FIN
        pass
    time.sleep(0.1)
    info = tcp_info(sock)
    info.update(local_port=local_port)
    print(json.dumps(info), flush=True)
    sock.close()


def udp_send(addr, port, count, size):
    sock = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    for _ in range(count):
        sock.sendto(b"u" * size, (addr, port))
        time.sleep(0.005)
    print(json.dumps({"local_port": sock.getsockname()[1]}), flush=True)


def vlan_send(ifname, tags, count):
    """Raw Ethernet frames with in-packet VLAN tags (outermost first, each
    "TPID:VID", TPID 8100 or 88a8) carrying IPv4/UDP 7000 -> 7001, 32 bytes."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((ifname, 0))
    src_mac = sock.getsockname()[4]
    frame = b"\xff" * 6 + src_mac
    for tag in tags.split(","):
        tpid, vid = tag.split(":")
        frame += struct.pack("!HH", int(tpid, 16), int(vid))
    payload = b"v" * 32
    udp = struct.pack("!HHHH", 7000, 7001, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton("10.203.0.1"), socket.inet_aton("10.203.0.255"))
    frame += struct.pack("!H", 0x0800) + ip + udp
    for _ in range(count):
        sock.send(frame)
        time.sleep(0.002)
    print(json.dumps({"frame_bytes": len(frame)}), flush=True)


def udp_flows(addr, port, count, first_sport=20000):
    """One datagram from each of count source ports: count distinct new flows
    (bound explicitly: ephemeral ports could repeat)."""
    for i in range(count):
        sock = socket.socket(family_of(addr), socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", first_sport + i))
        sock.sendto(b"f", (addr, port))
        sock.close()
    print(json.dumps({"flows": count}), flush=True)


def slow_follow(path, delay, port, ready_file):
    """Follow records to `port` but read nothing for `delay` seconds, then
    drain; report flow lines received and losses the agent reported."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # A small receive buffer, so the agent's own queue is what overflows.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(path)
    req = {"request": "flows", "last": 0, "follow": True,
           "filter": {"allow": {"destination_port": [port]}}}
    sock.sendall((json.dumps(req) + "\n").encode())
    open(ready_file, "w").close()
    time.sleep(delay)
    sock.settimeout(2.0)
    buf = b""
    try:
        while True:
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            buf += chunk
    except socket.timeout:
        pass
    received = lost = 0
    sources = set()
    for line in buf.decode().splitlines():
        msg = json.loads(line)
        if "flow" in msg:
            received += 1
        elif "lost_events" in msg:
            lost += int(msg["lost_events"]["num_events_lost"])
            sources.add(msg["lost_events"]["source"])
    print(json.dumps({"received": received, "lost": lost, "sources": sorted(sources)}), flush=True)


def validate(schema_path):
    """Validate each JSON line on stdin against the JSON Schema; print the count."""
    import jsonschema
    schema = json.load(open(schema_path))
    validator = jsonschema.Draft202012Validator(schema)
    n = 0
    for line in sys.stdin:
        errors = list(validator.iter_errors(json.loads(line)))
        if errors:
            sys.exit("line %d: %s\n%s" % (n + 1, errors[0].message, line))
        n += 1
    print(n)


def raw_request(path, data):
    """Send data (a Python bytes literal, e.g. b'x\\n' or b'a' * 70000) as is
    and print the agent's reply, up to its closing the connection."""
    payload = eval(data, {"__builtins__": {}})  # test input written by the test itself
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(5.0)
    sock.connect(path)
    try:
        sock.sendall(payload)
    except BrokenPipeError:
        pass
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    except (socket.timeout, ConnectionResetError):
        out += b"<no close>"
    sys.stdout.write(out.decode())


def main():
    mode = sys.argv[1]
    if mode == "tcp-server":
        tcp_server(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif mode == "tcp-client":
        tcp_client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "udp-send":
        udp_send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "udp-flows":
        udp_flows(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "slow-follow":
        slow_follow(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    elif mode == "raw-request":
        raw_request(sys.argv[2], sys.argv[3])
    elif mode == "validate":
        validate(sys.argv[2])
    elif mode == "vlan-send":
        vlan_send(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
