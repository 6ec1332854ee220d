#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test helper: what an attacker sends to turn the auto-block and the flow
table against the defended network, and the genuine traffic beside it.

Each case is a list of frames built here (addresses forged where the case
says so): run it in the sender's namespace, it writes them with one raw
socket (--iface) and/or a pcap (--pcap-out), and prints as JSON how many
frames each case sent.

  forged_udp      DNS queries for a blocked name "from" --victim-ip (the resolver)
  forged_tcp      segments carrying the drop signature, no handshake ever
  victim_forged   one forged signature segment on a 5-tuple, then the genuine
                  benign segment of that 5-tuple
  handshake       N connections from --attacker-ip: SYN, SYN-ACK (the server's,
                  as a two-sided sensor sees it), ACK, then the signature
                  (--follow: and a benign segment after it)
  benign_tcp      the same handshake and a benign request, from --attacker-ip
  syn_flood       N SYNs to port 80 from spoofed sources in 198.18.128.0/17
  rotate4         N datagrams, each from another address in 198.18.5.0/24
  rotate6         N datagrams, each from another address in 2001:db8:1::/64
                  (--prefix6 another /64)
  synfin_sig      a SYN+FIN segment (malformed) carrying the drop signature
  udp53           one datagram 198.18.0.1:53 -> :53 (both sides redirected by
                  port 53), --reply: and the answer back, --sig: carrying the
                  drop signature
  udp_badlen      a DNS query whose UDP length claims one byte more than it has
  dns_flood       N back-to-back DNS queries from --attacker-ip
  ethertype       N frames of EtherType --ethertype
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../usertools"))
try:
    from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, IPv6, Raw, raw
    import hyperion_frames
except ImportError:
    sys.exit("abuse.py: needs scapy (apt-get install python3-scapy; run with /usr/bin/python3)")

SIG = b"GET /x HTTP/1.1\r\nUser-Agent: sqlmap\r\n\r\n"
BENIGN = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"


def eth(args):
    return Ether(src=args.src_mac, dst=args.dst_mac)


def forged_udp(args):
    return [raw(eth(args) / IP(src=args.victim_ip, dst=args.dst_ip) /
                UDP(sport=33000 + i, dport=53) / DNS(id=i, qd=DNSQR(qname="evil.com")))
            for i in range(args.n)]


def forged_tcp(args):
    return [raw(eth(args) / IP(src=args.forger_ip, dst=args.dst_ip) /
                TCP(sport=41000 + i, dport=80, flags="PA", seq=1000, ack=1) / Raw(SIG))
            for i in range(args.n)]


def victim_forged(args):
    t = dict(sport=42000, dport=80)
    return [raw(eth(args) / IP(src=args.victim_ip, dst=args.dst_ip) /
                TCP(flags="PA", seq=5000, ack=1, **t) / Raw(SIG)),
            raw(eth(args) / IP(src=args.victim_ip, dst=args.dst_ip) /
                TCP(flags="PA", seq=5000 + len(SIG), ack=1, **t) / Raw(BENIGN))]


def connection(args, sport, payload):
    c, s = args.attacker_ip, args.dst_ip
    isn_c, isn_s = 7000 + sport, 9000 + sport
    follow = [raw(eth(args) / IP(src=c, dst=s) /
                  TCP(sport=sport, dport=80, flags="PA", seq=isn_c + 1 + len(payload),
                      ack=isn_s + 1) / Raw(BENIGN))] if args.follow else []
    return [raw(eth(args) / IP(src=c, dst=s) / TCP(sport=sport, dport=80, flags="S", seq=isn_c)),
            raw(eth(args) / IP(src=s, dst=c) /
                TCP(sport=80, dport=sport, flags="SA", seq=isn_s, ack=isn_c + 1)),
            raw(eth(args) / IP(src=c, dst=s) /
                TCP(sport=sport, dport=80, flags="A", seq=isn_c + 1, ack=isn_s + 1)),
            raw(eth(args) / IP(src=c, dst=s) /
                TCP(sport=sport, dport=80, flags="PA", seq=isn_c + 1, ack=isn_s + 1) /
                Raw(payload))] + follow


def handshake(args):
    return [f for i in range(args.n) for f in connection(args, 43000 + args.port_base + i, SIG)]


def benign_tcp(args):
    return [f for i in range(args.n) for f in connection(args, 44000 + args.port_base + i, BENIGN)]


def syn_flood(args):
    return [raw(eth(args) / IP(src="198.18.%d.%d" % (128 + (i >> 8) % 128, i & 255), dst=args.dst_ip) /
                TCP(sport=1024 + i % 60000, dport=80, flags="S", seq=i))
            for i in range(args.n)]


def rotate4(args):
    return [raw(eth(args) / IP(src="198.18.5.%d" % (1 + i % 254), dst=args.dst_ip) /
                UDP(sport=40000, dport=9) / Raw(b"x" * 10)) for i in range(args.n)]


def rotate6(args):
    return [raw(eth(args) / IPv6(src="%s:%x:%x::%x" % (args.prefix6, i + 1, 7 * i, i + 2),
                                 dst="2001:db8:18::2") /
                UDP(sport=40000, dport=9) / Raw(b"x" * 10)) for i in range(args.n)]


def synfin_sig(args):
    return [raw(eth(args) / IP(src=args.attacker_ip, dst=args.dst_ip) /
                TCP(sport=45000, dport=80, flags="SFP", seq=1) / Raw(SIG))]


def udp53(args):
    c, s = args.attacker_ip, args.dst_ip
    out = [raw(eth(args) / IP(src=c, dst=s) / UDP(sport=53, dport=53) /
               Raw(SIG if args.sig else BENIGN))]
    if args.reply:
        out.append(raw(eth(args) / IP(src=s, dst=c) / UDP(sport=53, dport=53) / Raw(BENIGN)))
    return out


def udp_badlen(args):
    f = eth(args) / IP(src=args.attacker_ip, dst=args.dst_ip) / UDP(sport=45100, dport=53) / \
        DNS(id=1, qd=DNSQR(qname="example.com"))
    f[UDP].len = len(f[UDP]) + 1
    return [raw(f)]


def dns_flood(args):
    return [raw(eth(args) / IP(src=args.attacker_ip, dst=args.dst_ip) /
                UDP(sport=30000 + i % 30000, dport=53) / DNS(id=i, qd=DNSQR(qname="example.com")))
            for i in range(args.n)]


def ethertype(args):
    return [raw(Ether(src=args.src_mac, dst=args.dst_mac, type=args.ethertype) / Raw(b"\0" * 46))
            for _ in range(args.n)]


CASES = {"syn_flood": syn_flood, "rotate4": rotate4, "rotate6": rotate6, "synfin_sig": synfin_sig,
         "udp_badlen": udp_badlen, "udp53": udp53,
         "dns_flood": dns_flood, "ethertype": ethertype,
"forged_udp": forged_udp, "forged_tcp": forged_tcp, "victim_forged": victim_forged,
         "handshake": handshake, "benign_tcp": benign_tcp}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    hyperion_frames.add_args(ap)
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--n", type=int, default=1, help="how many (queries, segments, connections)")
    ap.add_argument("--victim-ip", default="198.18.0.50", help="the address forged as the source")
    ap.add_argument("--forger-ip", default="198.18.0.51")
    ap.add_argument("--attacker-ip", default="198.18.0.1")
    ap.add_argument("--port-base", type=int, default=0, help="keeps connections of two runs apart")
    ap.add_argument("--prefix6", default="2001:db8:1:0", help="rotate6: the /64, 4 groups")
    ap.add_argument("--ethertype", type=lambda v: int(v, 0), default=0x88b5)
    ap.add_argument("--reply", action="store_true", help="udp53: the answer too")
    ap.add_argument("--sig", action="store_true", help="udp53: the drop signature")
    ap.add_argument("--follow", action="store_true",
                    help="a benign segment after each connection's request, same 5-tuple")
    args = ap.parse_args()
    hyperion_frames.check_args(ap, args)
    frames = CASES[args.case](args)
    hyperion_frames.write_pcap(args, frames)
    s = hyperion_frames.raw_socket(args)
    if s:
        for f in frames:
            s.send(f)
    print(json.dumps({"case": args.case, "frames": len(frames)}))


if __name__ == "__main__":
    main()
