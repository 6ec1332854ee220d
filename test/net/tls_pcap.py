#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TLS conversations for test_tls_pcap.sh, written to a pcap: real
handshakes of Python's ssl module (OpenSSL) through memory BIOs, with a
leaf certificate signed by a test CA made with openssl(1), carried in
whole TCP connections. Each case is named for what it tries:

  tls12        port 443, TLS 1.2: the ClientHello's server_name and the
               server's certificate (subject, issuer, serial)
  fragmented   port 8443 (TLS on any port), TLS 1.2, the hello's messages
               re-framed into 7-byte records and sent in 3-byte segments
  tls13        port 443, TLS 1.3: the server_name; the certificate is
               encrypted, so no certificate rule may alert on it
  not_tls      port 443, an HTTP request naming the servers: not TLS
  liar         port 443, a hello whose server_name length runs past its
               extension: a parse error, no alert

Writes OUT.pcap and OUT.fingerprint (the leaf's SHA-1 fingerprint as EVE
writes it).

usage: tls_pcap.py OUT.pcap"""
import os
import ssl
import subprocess
import sys
import tempfile

from scapy.all import wrpcap

from tcp_conv import conn


def certs(d):
    """a CA and a leaf it signed, serial 01:23:45:67:89"""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("req", "-x509", *ec, "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem", "-days", "2",
        "-subj", "/C=US/O=Hyperion CA/CN=Hyperion Test CA")
    run("req", "-new", *ec, "-keyout", f"{d}/leaf.key", "-out", f"{d}/leaf.csr",
        "-subj", "/C=US/O=Hyperion Test/CN=www.example.test")
    run("x509", "-req", "-in", f"{d}/leaf.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
        "-set_serial", "0x0123456789", "-days", "2", "-out", f"{d}/leaf.pem")
    fp = subprocess.run(["openssl", "x509", "-in", f"{d}/leaf.pem", "-noout", "-fingerprint",
                         "-sha1"], check=True, capture_output=True, text=True).stdout
    return f"{d}/leaf.pem", f"{d}/leaf.key", fp.strip().split("=", 1)[1].lower()


def handshake(version, sni, cert, key):
    """the bytes each side sent, flight by flight: ([client...], [server...])"""
    cc = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cc.check_hostname = False
    cc.verify_mode = ssl.CERT_NONE
    cc.minimum_version = cc.maximum_version = version
    sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sc.load_cert_chain(cert, key)
    ci, co, si, so = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    c = cc.wrap_bio(ci, co, server_hostname=sni)
    s = sc.wrap_bio(si, so, server_side=True)
    c2s, s2c = [], []
    c_done = s_done = False
    for _ in range(10):
        if not c_done:
            try:
                c.do_handshake()
                c_done = True
            except ssl.SSLWantReadError:
                pass
        data = co.read()
        if data:
            c2s.append(data)
            si.write(data)
        if not s_done:
            try:
                s.do_handshake()
                s_done = True
            except ssl.SSLWantReadError:
                pass
        data = so.read()
        if data:
            s2c.append(data)
            ci.write(data)
        if c_done and s_done:
            break
    assert c_done and s_done, "handshake did not finish"
    return c2s, s2c


def split_records(data):
    out, off = [], 0
    while off + 5 <= len(data):
        n = int.from_bytes(data[off + 3:off + 5], "big")
        out.append((data[off], data[off + 5:off + 5 + n]))
        off += 5 + n
    return out


def reframe(data, size):
    """the handshake records' bytes in records of `size` bytes; the rest as it was"""
    out = b""
    for typ, body in split_records(data):
        step = size if typ == 22 else len(body)
        for i in range(0, len(body), step):
            part = body[i:i + step]
            out += bytes([typ, 3, 3]) + len(part).to_bytes(2, "big") + part
    return out


def cut(data, size):
    return [data[i:i + size] for i in range(0, len(data), size)]


def main():
    frames = []
    with tempfile.TemporaryDirectory() as d:
        cert, key, fingerprint = certs(d)
        c2s, s2c = handshake(ssl.TLSVersion.TLSv1_2, "www.example.test", cert, key)
        frames += conn(41001, 443, [c2s[0]], cut(b"".join(s2c), 100))
        c2s, s2c = handshake(ssl.TLSVersion.TLSv1_2, "frag.example.test", cert, key)
        frames += conn(41002, 8443, cut(reframe(c2s[0], 7), 3), s2c)
        c2s, s2c = handshake(ssl.TLSVersion.TLSv1_3, "tls13.example.test", cert, key)
        frames += conn(41003, 443, [c2s[0]], s2c)
        frames += conn(41004, 443, [b"GET / HTTP/1.1\r\nHost: www.example.test\r\n"
                                    b"X: tls13.example.test\r\n\r\n"],
                       [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"])
        c2s, _ = handshake(ssl.TLSVersion.TLSv1_2, "liar.example.test", cert, key)
        hello = bytearray(c2s[0])
        at = hello.index(b"liar.example.test")
        hello[at - 2:at] = b"\xff\xff"
        frames += conn(41005, 443, [bytes(hello)], [])
    wrpcap(sys.argv[1], frames)
    with open(os.path.splitext(sys.argv[1])[0] + ".fingerprint", "w") as f:
        f.write(fingerprint + "\n")


if __name__ == "__main__":
    main()
