#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test helper. serve PORT...: echo every UDP datagram back (until killed).
ask HOST PORT HEX [TIMEOUT [SPORT]]: send one datagram (from SPORT: the same
flow again), print 'reply' or 'none'."""
import select
import socket
import sys

if sys.argv[1] == "serve":
    socks = []
    for port in sys.argv[2:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", int(port)))
        socks.append(s)
    print("ready", flush=True)
    while True:
        for s in select.select(socks, [], [])[0]:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
else:
    host, port, payload = sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
    timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 1.5
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if len(sys.argv) > 6:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", int(sys.argv[6])))
    s.settimeout(timeout)
    s.sendto(payload, (host, port))
    try:
        print("reply" if s.recvfrom(65535)[0] == payload else "wrong")
    except socket.timeout:
        print("none")
