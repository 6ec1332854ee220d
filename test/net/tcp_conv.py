#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Whole TCP conversations as frames, for the pcap generators of the tests
(http_pcap.py, tls_pcap.py): handshake, the client's then the server's
segments, FINs, between 198.18.0.1 and 198.18.0.2."""
from scapy.all import IP, TCP, Ether, Raw

CLI, SRV = "198.18.0.1", "198.18.0.2"
ETH = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def conn(sport, dport, client, server):
    """client, server: lists of byte strings, one segment each, sent in turns"""
    c_isn, s_isn = 1000 + sport, 50000 + sport
    f = [ETH / IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="S", seq=c_isn),
         ETH / IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="SA", seq=s_isn,
                                          ack=c_isn + 1),
         ETH / IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="A", seq=c_isn + 1,
                                          ack=s_isn + 1)]
    c, s = c_isn + 1, s_isn + 1
    for seg in client:
        f.append(ETH / IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="PA", seq=c,
                                                  ack=s) / Raw(seg))
        c += len(seg)
    for seg in server:
        f.append(ETH / IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="PA", seq=s,
                                                  ack=c) / Raw(seg))
        s += len(seg)
    f.append(ETH / IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="FA", seq=c, ack=s))
    f.append(ETH / IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="FA", seq=s,
                                              ack=c + 1))
    return f
