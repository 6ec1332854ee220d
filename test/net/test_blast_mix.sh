#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# hyperion-blast's template mix, counted by the receiver: a quarter of the
# frames from a blocklisted source (--mix-src), the rest DNS queries to a
# redirected port, at a paced rate. Our XDP program must count exactly the
# sender's "mixed" frames as blocklist_src and the others as redirected, and
# the paced rate must hold. Source rotation (--sport-range x --src-count):
# seen on the wire by the kernel stack, every frame has the next (address,
# port) and valid IP and UDP checksums; a rotation that walks out of the
# blocklist is counted exactly. Both engines: the packet engine (AF_PACKET,
# the program run per frame) must give the same counts, and the xdp engine
# either sends or says the kernel refused it and what to use. TAP; 77 = skip.
#   usage: test_blast_mix.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypbm
need_exe "$build/usertools/hyperion-blast/hyperion-blast"
pol=$tmp/policy.yaml
printf 'fast_path:\n  drop_ips: [192.0.2.0/24]\n  redirect_ports: [{protocol: 17, port: 53}]\n' >"$pol"
echo "1..13"

# before the app: GRO on the DUT veth lets the frames reach its stack, where
# a capture checks each one (3 ports x 4 addresses, twice round, plus 6)
ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_DUT" gro on >/dev/null 2>&1
# sniffed ENGINE: the rotation as the DUT's stack sees it, sent by ENGINE
sniffed() {
	ip netns exec "$HYP_NS_DUT" $py - "$HYP_IF_DUT" >"$tmp/sniff.out" 2>&1 <<'EOF' &
import sys
from scapy.all import sniff, IP, UDP
pk = sniff(iface=sys.argv[1], count=30, timeout=15, filter="udp and dst port 9")
bad, seq = 0, []
for p in pk:
    ip, u = p[IP], p[UDP]
    c_ip, c_udp = ip.chksum, u.chksum
    del ip.chksum, u.chksum
    q = IP(bytes(ip))
    bad += q.chksum != c_ip or q[UDP].chksum != c_udp
    seq.append("%s:%d" % (p[IP].src, p[UDP].sport))
want = ["198.18.1.%d:%d" % (i // 3 % 4, 1000 + i % 3) for i in range(30)]
print("frames %d bad_checksums %d order %s" % (len(pk), bad, "ok" if seq == want else seq))
EOF
	local sniffer=$!
	sleep 2
	# paced: each frame reaches the socket with a page's truesize (see test_blast_pcap)
	blast --engine "$1" --src 198.18.1.0 --src-count 4 --sport-range 1000-1002 --dport 9 -n 30 \
		--rate 200 >/dev/null 2>"$tmp/blast.err"
	wait "$sniffer"
	tail -1 "$tmp/sniff.out"
}
check_eq "rotation on the wire: next (address, port) each frame, checksums valid" \
	"$(sniffed auto)" "frames 30 bad_checksums 0 order ok"
# the packet engine sends this period (12 frames) from its cache: the same order
got=$(sniffed packet)
check_eq "and so from the packet engine's cache of the period" \
	"$got, cached $(grep -c "period of frames cached" "$tmp/blast.err")" \
	"frames 30 bad_checksums 0 order ok, cached 1"
ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_DUT" gro off >/dev/null 2>&1

app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 || { nok "started"; exit 1; }
b0=$(xdp blocklist_src) r0=$(xdp redirect)
out=$(blast -n 20000 --rate 20000 --size 60 --dport 53 \
	--mix-share 0.25 --mix-src 192.0.2.7 2>"$tmp/blast.err")
sent=$(blast_field "$out" sent) mixed=$(blast_field "$out" mixed) pps=$(blast_field "$out" pps)
sleep 0.5
check_eq "the sender sent all 20000" "$sent" 20000
if [ "${mixed:-0}" -ge 4000 ] && [ "${mixed:-0}" -le 6000 ]; then ok "a quarter mixed: $mixed of $sent"
else nok "a quarter mixed" "mixed ${mixed:-?} of ${sent:-?}" "$(cat "$tmp/blast.err")"; fi
check_eq "XDP dropped exactly the mixed frames (blocklisted source)" "$(( $(xdp blocklist_src) - b0 ))" "$mixed"
check_eq "and redirected exactly the others" "$(( $(xdp redirect) - r0 ))" "$(( sent - mixed ))"
# paced at 20,000/s: one second, give or take the scheduler (not a benchmark)
if awk -v p="${pps:-0}" 'BEGIN { exit !(p > 10000 && p < 22000) }'; then ok "paced near 20000/s: $pps"
else nok "paced near 20000/s" "pps ${pps:-?}"; fi
# 10 ports x 10 addresses from 192.0.2.250: six rounds inside the
# blocklisted /24 (.250-.255), four past it (192.0.3.0-3), 100 flows
b0=$(xdp blocklist_src) r0=$(xdp redirect)
blast --src 192.0.2.250 --src-count 10 --sport-range 1000-1009 --dport 53 -n 100 >/dev/null \
	2>"$tmp/blast.err"
sleep 0.5
check_eq "rotated out of the blocklist: 60 dropped, 40 redirected" \
	"$(( $(xdp blocklist_src) - b0 )) $(( $(xdp redirect) - r0 ))" "60 40"
# the packet engine, asked for: the same mix, counted as exactly
b0=$(xdp blocklist_src) r0=$(xdp redirect)
out=$(blast --engine packet -n 4000 --rate 8000 --mix-share 0.25 --mix-src 192.0.2.7 2>"$tmp/blast.err")
sent=$(blast_field "$out" sent) mixed=$(blast_field "$out" mixed)
sleep 0.5
if echo "$out" | grep -q '"engine": "packet"' && [ "${sent:-0}" = 4000 ] && [ "${mixed:-0}" -ge 800 ] &&
   [ "$(( $(xdp blocklist_src) - b0 )) $(( $(xdp redirect) - r0 ))" = "$mixed $(( sent - mixed ))" ]; then
	ok "--engine packet: $mixed of $sent mixed, exactly those dropped and the rest redirected"
else nok "--engine packet" "$out" "blocklist +$(( $(xdp blocklist_src) - b0 )) redirect +$(( $(xdp redirect) - r0 ))" \
	"$(cat "$tmp/blast.err")"; fi
# a period past the cache's bound (64,512 ports x 16 addresses, over 262,144
# frames) is rewritten frame by frame, and still all sent and redirected
r0=$(xdp redirect)
out=$(blast --engine packet --src 198.18.2.0 --src-count 16 -n 3000 --rate 6000 2>"$tmp/blast.err")
sleep 0.5
check_eq "--engine packet past the cache's bound: run per frame, 3000 of 3000 redirected" \
	"$(grep -c "run on every frame" "$tmp/blast.err") $(blast_field "$out" sent) $(( $(xdp redirect) - r0 ))" \
	"1 3000 3000"
# the xdp engine, asked for: it sends, or it says the kernel refused and what to use
out=$(blast --engine xdp -n 100 2>"$tmp/blast.err"); rc=$?
if { [ $rc = 0 ] && echo "$out" | grep -q '"engine": "xdp"'; } ||
   { [ $rc != 0 ] && grep -q -- "--engine packet" "$tmp/blast.err"; }; then
	ok "--engine xdp: $([ $rc = 0 ] && echo sent || echo "refused by this kernel, and said so")"
else nok "--engine xdp" "exit $rc: $out" "$(cat "$tmp/blast.err")"; fi
# auto: whichever engine, said in the output
out=$(blast -n 100 2>"$tmp/blast.err")
if echo "$out" | grep -qE '"engine": "(xdp|packet)"'; then ok "auto: $(echo "$out" | grep -o '"engine": "[a-z]*"')"
else nok "auto names its engine" "$out"; fi
o=$(blast --src 255.255.255.250 --src-count 10 -n 1 2>&1); rc=$?
if [ $rc -ne 0 ] && echo "$o" | grep -q "past 255.255.255.255"; then ok "a rotation past the last address refused"
else nok "a rotation past the last address refused" "exit $rc" "$o"; fi
app_stop
tap_done "blast_mix"
