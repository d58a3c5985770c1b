#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""A UDP DNS server whose answer the query's first label chooses, for the
failures a real resolver will not produce on demand: servfail.*, refused.*,
formerr.*, notimp.*, rcode9.* answer with that rcode (a real wire answer,
question echoed, no records); silent.* gets no answer at all; short.* gets
5 bytes; badrr.* gets NOERROR claiming one answer that is cut off.

usage: dns_rcode_server.py ADDRESS PORT
"""
import socket
import struct
import sys

RCODES = {"servfail": 2, "refused": 5, "formerr": 1, "notimp": 4, "rcode9": 9}


def question_end(query):
    pos = 12
    while query[pos] != 0:
        pos += 1 + query[pos]
    return pos + 1 + 4


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    print("ready", flush=True)
    while True:
        query, client = sock.recvfrom(4096)
        try:
            qid = query[:2]
            first_label = query[13:13 + query[12]].decode("ascii", "replace").lower()
            question = query[12:question_end(query)]
        except IndexError:
            continue
        if first_label == "silent":
            continue
        if first_label == "short":
            sock.sendto(qid + b"\x81\x80\x00", client)
            continue
        if first_label == "badrr":
            # One answer announced; the record stops inside its fixed part.
            sock.sendto(qid + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + question + b"\xc0\x0c\x00\x01", client)
            continue
        rcode = RCODES.get(first_label, 0)
        sock.sendto(qid + struct.pack("!HHHHH", 0x8180 | rcode, 1, 0, 0, 0) + question, client)


if __name__ == "__main__":
    main()
