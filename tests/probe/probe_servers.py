#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The servers test_probe_http.sh probes, all on 127.0.0.1, ephemeral ports.

http        GET /404 -> 404 Not Found, /503 -> 503 Service Unavailable,
            /302 -> 302 Found (not to be followed), anything else -> 200;
            the reason phrase of a 200 names the method seen ("OK saw HEAD"),
            so a test knows which method arrived; POST answers 201 Created.
https       the same over TLS, certificate for IP:127.0.0.1 (from CERTDIR)
https_wrong the same, certificate for DNS:wrong.example only
silent      accepts connections (kernel backlog) and never answers
refused     a bound TCP socket that never listens: SYNs get a RST

When all listen, the ports go to PORTS_FILE as shell assignments; then it
serves until killed.
"""
import http.server
import os
import socket
import ssl
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, reason, body=b""):
        self.send_response(code, reason)
        self.send_header("Content-Length", str(len(body)))
        if code == 302:
            self.send_header("Location", "/elsewhere")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path == "/404":
            self.answer(404, "Not Found", b"no such page\n")
        elif self.path == "/503":
            self.answer(503, "Service Unavailable", b"try later\n")
        elif self.path == "/302":
            self.answer(302, "Found")
        else:
            self.answer(200, "OK saw " + self.command, b"hello from the probe test\n")

    do_HEAD = do_GET

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.answer(201, "Created saw POST", b"created\n")


class TLSServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, cert, key):
        super().__init__(addr, Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        # The handshake happens in the handler's thread, so a client that
        # never speaks TLS cannot stall the accept loop.
        self.socket = ctx.wrap_socket(self.socket, server_side=True,
                                      do_handshake_on_connect=False)

    def handle_error(self, request, client_address):
        pass


class PlainServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def main():
    certdir, ports_file = sys.argv[1], sys.argv[2]
    addr = ("127.0.0.1", 0)
    servers = {
        "HTTP_PORT": PlainServer(addr, Handler),
        "HTTPS_PORT": TLSServer(addr, f"{certdir}/server.pem", f"{certdir}/server.key"),
        "HTTPS_WRONG_PORT": TLSServer(addr, f"{certdir}/wrong.pem", f"{certdir}/wrong.key"),
    }
    silent = socket.socket()
    silent.bind(addr)
    silent.listen(16)
    refused = socket.socket()
    refused.bind(addr)

    ports = {name: srv.server_address[1] for name, srv in servers.items()}
    ports["SILENT_PORT"] = silent.getsockname()[1]
    ports["REFUSED_PORT"] = refused.getsockname()[1]
    for srv in servers.values():
        threading.Thread(target=srv.serve_forever, daemon=True).start()

    tmp = ports_file + ".tmp"
    with open(tmp, "w") as f:
        for name, port in ports.items():
            f.write(f"{name}={port}\n")
    os.rename(tmp, ports_file)
    threading.Event().wait()


if __name__ == "__main__":
    main()
