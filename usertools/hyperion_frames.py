# SPDX-License-Identifier: BSD-3-Clause
"""What the frame senders share (hyperion-traffic.py, test/net/evasion.py):
where the frames go and the addresses they carry by default."""
import socket

from scapy.all import Ether, wrpcap


def add_args(ap):
    """--iface/--pcap-out and the sandbox's default addresses."""
    ap.add_argument("--iface", help="send out of this interface")
    ap.add_argument("--pcap-out", help="also (or only) write the frames to this pcap")
    ap.add_argument("--src-mac", default="02:00:00:00:00:01")
    ap.add_argument("--dst-mac", default="ff:ff:ff:ff:ff:ff")
    ap.add_argument("--src-ip", default="198.18.0.1")
    ap.add_argument("--dst-ip", default="198.18.0.2")


def check_args(ap, args):
    if not args.iface and not args.pcap_out:
        ap.error("give --iface, --pcap-out, or both")


def write_pcap(args, frames):
    if args.pcap_out:
        wrpcap(args.pcap_out, [Ether(f) for f in frames])


def raw_socket(args):
    """One raw socket on --iface (None without): nothing is routed."""
    if not args.iface:
        return None
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    return s
