#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# hyperion-blast --pcap: a capture's frames, in file order, over and over,
# counted by our XDP program per reason. The file holds four frames that
# each land on a reason of their own position (redirected DNS, a
# blocklisted IPv4 source, plain TCP, a blocklisted IPv6 source) and three
# records that cannot be sent as captured (cut short by the snap length, a
# runt, a jumbo): those are skipped and counted. Hostile files (missing,
# not a capture, not Ethernet, cut mid-record, nothing sendable) and a
# template option next to --pcap get a clear error and no frame; pcapng
# is read too; a connection replayed with --sport-range/--src-count gets
# its client rotated round by round (on the wire and by the counters). TAP; 77 = skip.
#   usage: test_blast_pcap.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypbp
need_exe "$build/usertools/hyperion-blast/hyperion-blast"
pol=$tmp/policy.yaml
printf 'fast_path:\n  drop_ips: [192.0.2.0/24, 2001:db8::/32]\n  redirect_ports: [{protocol: 17, port: 53}]\n' >"$pol"

# pcap records written by hand: scapy cannot write a record whose captured
# length is below its wire length, which is the case under test
$py - "$tmp" <<'EOF' || { echo "1..0 # SKIP cannot write the captures"; exit 77; }
import struct, sys
from scapy.all import Ether, IP, IPv6, UDP, TCP, DNS, DNSQR, Raw
d = sys.argv[1]
def pcap(path, recs, linktype=1, cut=0):
    parts = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype)]
    for i, (frame, wire) in enumerate(recs):
        parts += [struct.pack("<IIII", 1000 + i, 0, len(frame), wire if wire else len(frame)), frame]
    b = b"".join(parts)
    open(path, "wb").write(b[:len(b) - cut] if cut else b)
eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
good = [
    bytes(eth / IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=40000, dport=53) / DNS(qd=DNSQR(qname="pcap.example.net"))),
    bytes(eth / IP(src="192.0.2.9", dst="198.18.0.2") / UDP(sport=40001, dport=9) / Raw(b"x" * 20)),
    bytes(eth / IP(src="198.18.0.1", dst="198.18.0.2") / TCP(sport=40002, dport=80, flags="S")),
    bytes(eth / IPv6(src="2001:db8::5", dst="2001:db8:1::2") / UDP(sport=40003, dport=9) / Raw(b"y" * 20)),
]
jumbo = bytes(eth / IP(src="198.18.0.1", dst="198.18.0.2") / UDP(sport=1, dport=9) / Raw(b"z" * 1900))
cutshort = good[0][:30]
recs = [(good[0], 0), (cutshort, len(good[0])), (good[1], 0), (b"\x02" * 10, 0),
        (good[2], 0), (jumbo, 0), (good[3], 0)]
pcap(d + "/mix.pcap", recs)
pcap(d + "/raw.pcap", [(good[0][14:], 0)], linktype=101)
pcap(d + "/cut.pcap", recs, cut=7)
pcap(d + "/none.pcap", [(cutshort, len(good[0])), (b"\x02" * 10, 0)])
pcap(d + "/v6first.pcap", [(good[3], 0), (good[0], 0)])
pcap(d + "/huge.pcap", [(good[0], 0)] * 65537)
from scapy.utils import PcapNgWriter
w = PcapNgWriter(d + "/mix.pcapng")
for f in good:
    w.write(Ether(f))
w.close()
# a TCP connection from a blocklisted client: SYN, SYN-ACK, ACK, data, FIN
cl, sv = IP(src="192.0.2.254", dst="198.18.0.2"), IP(src="198.18.0.2", dst="192.0.2.254")
conn = [eth / cl / TCP(sport=40000, dport=80, flags="S", seq=100),
        eth / sv / TCP(sport=80, dport=40000, flags="SA", seq=900, ack=101),
        eth / cl / TCP(sport=40000, dport=80, flags="A", seq=101, ack=901),
        eth / cl / TCP(sport=40000, dport=80, flags="PA", seq=101, ack=901) / Raw(b"GET / HTTP/1.1\r\n\r\n"),
        eth / cl / TCP(sport=40000, dport=80, flags="FA", seq=119, ack=901)]
from scapy.all import wrpcap
wrpcap(d + "/conn.pcap", conn)
# a client six addresses below the last one
wrpcap(d + "/top.pcap", [eth / IP(src="255.255.255.250", dst="198.18.0.2") / TCP(sport=1, dport=80)])
EOF
echo "1..20"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 || { nok "started"; exit 1; }
snap() { r0=$(xdp redirect) b0=$(xdp blocklist_src) p0=$(xdp pass); }
delta() { echo "$(( $(xdp redirect) - r0 )) $(( $(xdp blocklist_src) - b0 )) $(( $(xdp pass) - p0 ))"; }

# six frames of a four-frame file, one a call: A B C D A B
snap
out=$(blast --pcap "$tmp/mix.pcap" -n 6 2>"$tmp/blast.err")
sleep 0.5
check_eq "file order, wrapped: redirected, blocklisted, passed" "$(delta)" "2 3 1"
check_eq "four frames loaded" "$(blast_field "$out" frames)" 4
check_eq "three records skipped: cut short, runt, jumbo" \
	"$(blast_field "$out" truncated) $(blast_field "$out" runts) $(blast_field "$out" oversize)" "1 1 1"

# the same frames as pcapng (libpcap reads both)
snap
out=$(blast --pcap "$tmp/mix.pcapng" -n 4 2>"$tmp/blast.err")
sleep 0.5
check_eq "pcapng: four frames, one each, in order" "$(blast_field "$out" frames) $(delta)" "4 1 2 1"

# K copies a call: 100 rounds of the file, 25 copies of each frame a run
snap
out=$(blast --pcap "$tmp/mix.pcap" -n 10000 --pcap-repeat 25 2>"$tmp/blast.err")
sleep 0.5
check_eq "the sender sent all 10000" "$(blast_field "$out" sent)" 10000
check_eq "each frame a quarter of them" "$(delta)" "2500 5000 2500"

# paced replay: a rate holds for a capture too (not a benchmark: loose bounds)
out=$(blast --pcap "$tmp/mix.pcap" -n 4000 --pcap-repeat 4 --rate 4000 2>"$tmp/blast.err")
if awk -v p="$(blast_field "$out" pps)" 'BEGIN { exit !(p > 2000 && p < 4400) }'; then
	ok "paced near 4000/s: $(blast_field "$out" pps)"
else nok "paced near 4000/s" "$out" "$(cat "$tmp/blast.err")"; fi

# a connection replayed with its client rotated, 2 ports x 4 addresses from
# the captured 192.0.2.254: eight rounds, each a connection of its own. On
# the wire first (GRO on, before the app): every frame's client is its
# round's, in both directions, and the IP and TCP checksums are valid
app_stop
ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_DUT" gro on >/dev/null 2>&1
ip netns exec "$HYP_NS_DUT" $py - "$HYP_IF_DUT" >"$tmp/sniff.out" 2>&1 <<'EOF' &
import sys
from scapy.all import sniff, IP, TCP
pk = sniff(iface=sys.argv[1], count=40, timeout=15, filter="tcp")
bad, wrong = 0, 0
for i, p in enumerate(pk):
    ip, t = p[IP], p[TCP]
    c_ip, c_tcp = ip.chksum, t.chksum
    del ip.chksum, t.chksum
    q = IP(bytes(ip))
    bad += q.chksum != c_ip or q[TCP].chksum != c_tcp
    r = i // 5
    want = ("192.0.2.%d" % (254 + r // 2) if r < 4 else "192.0.3.%d" % (r // 2 - 2), 50000 + r % 2)
    got = (p[IP].src, p[TCP].sport) if p[TCP].dport == 80 else (p[IP].dst, p[TCP].dport)
    wrong += got != want
print("frames %d bad_checksums %d wrong_client %d" % (len(pk), bad, wrong))
EOF
sniffer=$!
sleep 2
# paced: a veth's XDP frames reach a socket with a page's truesize each, and
# 40 at once overrun its default receive buffer
blast --pcap "$tmp/conn.pcap" --sport-range 50000-50001 --src-count 4 -n 40 --rate 200 >/dev/null \
	2>"$tmp/blast.err"
wait "$sniffer"
check_eq "client rotation on the wire: round by round, both directions, checksums valid" \
	"$(tail -1 "$tmp/sniff.out")" "frames 40 bad_checksums 0 wrong_client 0"
ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_DUT" gro off >/dev/null 2>&1
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 || { nok "restarted"; exit 1; }
# rounds 0-3 from 192.0.2.254/.255 (blocklisted: their 4 client frames each),
# rounds 4-7 from 192.0.3.0/.1; the server's frames go to the client: passed
snap
blast --pcap "$tmp/conn.pcap" --sport-range 50000-50001 --src-count 4 -n 40 >/dev/null 2>"$tmp/blast.err"
sleep 0.5
check_eq "rotated rounds: 16 client frames blocklisted, 24 passed" "$(delta)" "0 16 24"
# the packet engine: the file x clients period (40 frames) from its cache, the same counts
snap
blast --engine packet --pcap "$tmp/conn.pcap" --sport-range 50000-50001 --src-count 4 -n 80 \
	>/dev/null 2>"$tmp/blast.err"
sleep 0.5
check_eq "--engine packet: twice the rotated rounds, from its cache" \
	"$(delta), cached $(grep -c "period of frames cached" "$tmp/blast.err")" "0 32 48, cached 1"

# hostile files and options: an error naming the cause, nothing sent
refused() { # NAME PATTERN ARGS...
	local name=$1 pat=$2 rc
	shift 2
	snap
	blast "$@" -n 10 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sleep 0.2
	if [ "$rc" != 0 ] && grep -q -- "$pat" "$tmp/err" && [ "$(delta)" = "0 0 0" ]; then
		ok "$name: $(head -c 160 "$tmp/err")"
	else nok "$name" "exit $rc, delta $(delta)" "$(cat "$tmp/err" "$tmp/out")"; fi
}
refused "a missing file" "No such file" --pcap "$tmp/absent.pcap"
refused "not a capture" "unknown file format" --pcap "$pol"
refused "not Ethernet" "not Ethernet" --pcap "$tmp/raw.pcap"
refused "cut mid-record" "truncated" --pcap "$tmp/cut.pcap"
refused "nothing sendable" "no frame to send" --pcap "$tmp/none.pcap"
refused "a template option next to --pcap" "does not apply to --pcap" --pcap "$tmp/mix.pcap" --dport 80
refused "--pcap-repeat 0" "not a number" --pcap "$tmp/mix.pcap" --pcap-repeat 0
# a rotation needs an IPv4 TCP/UDP first frame to name the client: IPv6 is not
refused "a rotation over a file whose first frame names no client" "must be IPv4" \
	--pcap "$tmp/v6first.pcap" --src-count 2
refused "a rotation past 255.255.255.255" "past 255.255.255.255" \
	--pcap "$tmp/top.pcap" --src-count 10
# one frame more than the program's map holds
refused "65,537 frames" "more than 65536 frames" --pcap "$tmp/huge.pcap"
app_stop
tap_done "blast_pcap"
