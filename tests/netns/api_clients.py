#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""API-socket clients that misbehave on purpose, for test_api_clients.sh.

hold PATH N READY_FILE: open N connections, send nothing, write READY_FILE,
    and keep them until stdin closes (then print how many the agent had
    written to or closed meanwhile: 0 when it left them alone).
wait-reply PATH DATA: connect, send DATA (a bytes literal, maybe b''), and
    print every line the agent sends until it closes, then "<closed>".
"""
import select
import socket
import sys


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


def hold(path, count, ready_file):
    socks = [connect(path) for _ in range(count)]
    open(ready_file, "w").close()
    sys.stdin.read()  # until the test closes our stdin
    poller = select.poll()  # select() cannot watch fds above 1023
    for s in socks:
        poller.register(s, select.POLLIN)
    touched = len(poller.poll(0))
    print(touched, flush=True)


def wait_reply(path, data):
    payload = eval(data, {"__builtins__": {}})  # test input written by the test itself
    sock = connect(path)
    sock.settimeout(60.0)  # a bound for a broken agent, not an expectation
    sock.sendall(payload)
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
        sys.stdout.write(out.decode() + "<closed>\n")
    except socket.timeout:
        sys.stdout.write(out.decode() + "<still open>\n")


if __name__ == "__main__":
    if sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "wait-reply":
        wait_reply(sys.argv[2], sys.argv[3])
    else:
        sys.exit("unknown mode " + sys.argv[1])
