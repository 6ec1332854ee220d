#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test helper. serve PORT: echo every TCP connection's bytes back (until
killed). ask HOST PORT HEX [HEX...] [--gap S] [--timeout S]: connect, send
each HEX as its own segment (TCP_NODELAY, a pause between them so the
kernel does not join them), close the sending side, and print as hex what
came back before the server closed or the timeout."""
import socket
import sys
import threading
import time


def echo(c):
    with c:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            b = c.recv(65536)
            if not b:
                return
            c.sendall(b)


if sys.argv[1] == "serve":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.listen(16)
    print("ready", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c,), daemon=True).start()
else:
    args = sys.argv[2:]
    gap, timeout = 0.3, 3.0
    if "--gap" in args:
        i = args.index("--gap")
        gap = float(args[i + 1])
        del args[i:i + 2]
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    host, port, parts = args[0], int(args[1]), [bytes.fromhex(h) for h in args[2:]]
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i, p in enumerate(parts):
        if i:
            time.sleep(gap)
        s.sendall(p)
    s.shutdown(socket.SHUT_WR)
    got = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            b = s.recv(65536)
            if not b:
                break
            got += b
    except (socket.timeout, ConnectionResetError):
        pass
    print(got.hex() or "-")
