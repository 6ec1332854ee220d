#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""HTTP conversations for test_http_pcap.sh, written to a pcap: whole TCP
connections both ways (handshake, the client's and the server's bytes in
the segments given, FINs). Each case is named for what it tries:

  any_port      port 8080; a URI with dot segments and %41; a User-Agent; a
                gzip body; a second, pipelined request answered 404
  byte_segments the request line in 1-byte segments
  head          HEAD's answer claims 5000 bytes and has none; the next
                response's body must still be read as a body
  chunk_junk    a chunk size with junk before its LF, chunked beside a
                Content-Length (a browser reads both)
  benign        nothing any rule names
  not_http      a TLS-looking stream on port 80 carrying the body's marker
                raw: not HTTP, so no file_data rule may see it

usage: http_pcap.py OUT.pcap"""
import gzip
import sys

from scapy.all import wrpcap

from tcp_conv import conn


def main():
    body = gzip.compress(b"<html>MALWARE-MARKER</html>")
    frames = []
    frames += conn(40001, 8080,
                   [b"GET /a/../login.php?u=%41 HTTP/1.1\r\nHost: Shop.Example:8080\r\n"
                    b"User-Agent: EvilBot/2.0\r\n\r\nGET /gone HTTP/1.1\r\nHost: shop.example\r\n\r\n"],
                   [b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
                    % len(body) + body + b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"])
    line = b"GET /evil-path HTTP/1.1\r\nHost: a\r\n\r\n"
    frames += conn(40002, 80, [line[i:i + 1] for i in range(len(line))],
                   [b"HTTP/1.1 204 No Content\r\n\r\n"])
    frames += conn(40003, 80,
                   [b"HEAD /x HTTP/1.1\r\nHost: a\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\n"],
                   [b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
                    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nSECOND-MARKER"])
    frames += conn(40004, 80, [b"GET /c HTTP/1.1\r\nHost: a\r\n\r\n"],
                   [b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"8\r\r\nCHUNKED-\r\n6\x0c\r\nMARKER\r\n0\r\n\r\n"])
    frames += conn(40005, 80, [b"GET /index.html HTTP/1.1\r\nHost: a\r\nUser-Agent: Firefox\r\n\r\n"],
                   [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"])
    frames += conn(40006, 80, [b"\x16\x03\x01\x00\x05hello"],
                   [b"\x16\x03\x01\x00\x20 MALWARE-MARKER SECOND-MARKER"])
    wrpcap(sys.argv[1], frames)


if __name__ == "__main__":
    main()
