#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test helper: what an attacker sends to walk around an inspector that
looks at one packet at a time, and the benign version of each.

Every case is one datagram cut into IP fragments by hand (offsets, order,
overlaps chosen here, not by the kernel), IPv4 and IPv6 (with a hop-by-hop
header before the fragment header). Run it in the sender's namespace; it
writes every frame with one raw socket (--iface) and/or to a pcap
(--pcap-out), and prints as JSON how many datagrams and frames each case
sent, so a test can compare them with what was reassembled and alerted.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../usertools"))
try:
    from scapy.all import (DNS, DNSQR, IP, TCP, UDP, Ether, IPv6, IPv6ExtHdrFragment,
                           IPv6ExtHdrHopByHop, Raw, raw)
    import hyperion_frames
except ImportError:
    sys.exit("evasion.py: needs scapy (apt-get install python3-scapy; run with /usr/bin/python3)")


def udp_bytes(sport, dport, payload, src, dst, v6):
    """The UDP header and payload as one datagram would carry them (checksum right)."""
    ip = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
    return raw((ip / UDP(sport=sport, dport=dport) / payload)[UDP])


def fragments(eth, src, dst, data, pieces, ident, v6, hbh=False):
    """Frames carrying data[off:off+len] for each (off, len, more) in pieces."""
    out = []
    for off, ln, more in pieces:
        chunk = data[off:off + ln]
        if v6:
            hdr = IPv6(src=src, dst=dst)
            if hbh:
                hdr = hdr / IPv6ExtHdrHopByHop()
            f = hdr / IPv6ExtHdrFragment(nh=17, offset=off // 8, m=int(more), id=ident) / Raw(chunk)
        else:
            f = IP(src=src, dst=dst, id=ident, proto=17, flags="MF" if more else 0,
                   frag=off // 8) / Raw(chunk)
        out.append(raw(eth / f))
    return out


def even(total, size):
    """In order, size bytes each (a multiple of 8), the last one the rest."""
    return [(o, min(size, total - o), o + size < total) for o in range(0, total, size)]


def cases(args):
    eth = Ether(src=args.src_mac, dst=args.dst_mac)
    evil_q = DNS(id=0x1234, rd=1, qd=DNSQR(qname="WWW.Evil.COM."))
    good_q = DNS(id=0x4321, rd=1, qd=DNSQR(qname="www.example.com"))
    sig = b"hello EVILBYTES world, cut where an inspector of packets would miss it"
    benign = b"hello ordinary world, and some more bytes after it to fragment"
    for v6 in (False, True):
        src, dst = (args.src_ip6, args.dst_ip6) if v6 else (args.src_ip, args.dst_ip)
        tag = "6" if v6 else "4"
        ident = 0x1000 if not v6 else 0x10000

        def frags(name, sport, dport, payload, pieces, hbh=False, mangle=None):
            nonlocal ident
            ident += 1
            data = udp_bytes(sport, dport, payload, src, dst, v6)
            p = pieces(len(data)) if callable(pieces) else pieces
            fr = fragments(eth, src, dst, data, p, ident, v6, hbh)
            if mangle:
                fr = mangle(fr, data, ident)
            return (name + tag, fr)

        yield frags("dns_evil_inorder", 43001, 53, evil_q, lambda n: even(n, 16))
        yield frags("dns_evil_reversed", 43002, 53, evil_q, lambda n: even(n, 16)[::-1])
        yield frags("dns_evil_tiny", 43003, 53, evil_q, lambda n: even(n, 8))
        yield frags("dns_benign", 43004, 53, good_q, lambda n: even(n, 16))
        # the signature across two fragments: UDP header and "hello EV" in one,
        # "ILBYTES world..." in the next
        yield frags("sig_split", 46001, 5000, sig, lambda n: [(0, 16, True), (16, n - 16, False)])
        yield frags("sig_split_reversed", 46002, 5000, sig,
                    lambda n: [(16, n - 16, False), (0, 16, True)])
        yield frags("benign_split", 46003, 5000, benign, lambda n: even(n, 24))
        if v6:
            yield frags("dns_evil_hbh", 43005, 53, evil_q, lambda n: even(n, 16), hbh=True)

        # the same bytes again: a retransmitted fragment is no evasion
        def dup(fr, data, ident):
            return fr[:2] + [fr[1]] + fr[2:]
        yield frags("overlap_same", 46004, 5000, benign, lambda n: even(n, 24), mangle=dup)

        # bytes 16..40 once more, different: what does the host keep?
        def conflict(fr, data, ident):
            fake = data[:16] + b"X" * 24 + data[40:]
            return fr[:1] + fragments(eth, src, dst, fake, [(16, 24, True)], ident, v6) + fr[1:]
        yield frags("overlap_conflict", 46005, 5000, benign, lambda n: even(n, 24),
                    mangle=conflict)


def tcp_cases(args):
    """Streams cut into segments: each case one connection, its SYN (or not)
    and the client's bytes, with sequence numbers chosen here."""
    eth = Ether(src=args.src_mac, dst=args.dst_mac)
    req = (b"GET /search?q=1 HTTP/1.1\r\nHost: shop.example\r\n"
           b"User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n\r\n")
    cut = req.index(b"sqlmap") + 3          # "...User-Agent: sql" | "map/1.7..."
    sig = b"POST /upload HTTP/1.1\r\nHost: a\r\n\r\nhello EVILBYTES world"
    benign = b"GET /index.html HTTP/1.1\r\nHost: shop.example\r\n\r\n"
    evil_q = DNS(id=0x2222, rd=1, qd=DNSQR(qname="WWW.Evil.COM."))
    dnsmsg = raw(evil_q)
    dnstcp = len(dnsmsg).to_bytes(2, "big") + dnsmsg
    for v6 in (False, True):
        src, dst = (args.src_ip6, args.dst_ip6) if v6 else (args.src_ip, args.dst_ip)
        tag = "6" if v6 else "4"

        def conn(name, sport, dport, data, pieces, syn=True, extra=()):
            """pieces: (offset, length) of data in sending order; extra: (offset, bytes)"""
            ip = IPv6(src=src, dst=dst) if v6 else IP(src=src, dst=dst)
            isn = 100000 + sport
            fr = []
            if syn:
                fr.append(raw(eth / ip / TCP(sport=sport, dport=dport, flags="S", seq=isn)))
            for off, ln in pieces:
                fr.append(raw(eth / ip / TCP(sport=sport, dport=dport, flags="PA",
                                             seq=isn + 1 + off, ack=1) / Raw(data[off:off + ln])))
            for off, b in extra:
                fr.append(raw(eth / ip / TCP(sport=sport, dport=dport, flags="PA",
                                             seq=isn + 1 + off, ack=1) / Raw(b)))
            return (name + tag, fr)

        yield conn("tcp_ua_split", 51001, 80, req, [(0, cut), (cut, len(req) - cut)])
        yield conn("tcp_sig_bytes", 51002, 80, sig, [(i, 1) for i in range(len(sig))])
        yield conn("tcp_sig_reversed", 51003, 80, sig,
                   [(i, min(8, len(sig) - i)) for i in range(0, len(sig), 8)][::-1])
        yield conn("tcp_ua_midstream", 51004, 80, req, [(0, cut), (cut, len(req) - cut)],
                   syn=False)
        yield conn("tcp_dns_split", 51005, 53, dnstcp, [(0, 2), (2, 9), (11, len(dnstcp) - 11)])
        yield conn("tcp_benign_split", 51006, 80, benign, [(0, 10), (10, len(benign) - 10)])
        yield conn("tcp_resend_same", 51007, 80, benign, [(0, 20), (20, len(benign) - 20)],
                   extra=[(0, benign[:20])])
        # bytes 10..19 once more, different: which does the host keep?
        yield conn("tcp_resend_conflict", 51008, 80, benign, [(0, 20), (20, len(benign) - 20)],
                   extra=[(10, b"EVILBYTES!")])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hyperion_frames.add_args(ap)
    ap.add_argument("--src-ip6", default="2001:db8:18::1")
    ap.add_argument("--dst-ip6", default="2001:db8:18::2")
    ap.add_argument("--only", action="append", metavar="CASE", help="send only this case")
    args = ap.parse_args()
    hyperion_frames.check_args(ap, args)

    sent = {"datagrams": {}, "frames": {}}
    allframes = []
    for name, fr in list(cases(args)) + list(tcp_cases(args)):
        if args.only and name not in args.only:
            continue
        sent["datagrams"][name] = 1
        sent["frames"][name] = len(fr)
        allframes += fr
    hyperion_frames.write_pcap(args, allframes)
    s = hyperion_frames.raw_socket(args)
    if s:
        for f in allframes:
            s.send(f)
        s.close()
    print(json.dumps(sent, sort_keys=True))


if __name__ == "__main__":
    main()
