#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion as a bump in the wire (--mode ips) between a client and a
# server namespace: real request/response exchanges go through, the
# malicious ones do not, and what needs no inspection crosses in the kernel.
# TAP; 77 = skip.
#   usage: test_ips_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
echo_py=$src/test/net/udp-echo.py
policy=$src/test/net/ips-policy.yaml
command -v ethtool >/dev/null || skip_prereq "needs ethtool"
net_open hyps hyp_sandbox_ips_up

# ask PORT HEX [SPORT]: one request from the client, 'reply' or 'none'
ask() { ip netns exec "$HYP_NS_CLI" $py "$echo_py" ask 198.18.1.2 "$1" "$2" 1.5 ${3:-}; }
# a counter of the XDP program on one side of the bump, read while it runs
xstat() { ip netns exec "$HYP_NS_DUT" "$build/app/hyperion-xdpctl" -i "$1" stats all |
	awk -v r="$2" '$1 == r { print $2 }'; }
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# a DNS query for $1, as bytes
dnsq() { $py -c "import sys
n=b''.join(bytes([len(l)])+l.encode() for l in sys.argv[1].split('.'))
sys.stdout.write((b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'+n+b'\x00\x00\x01\x00\x01').hex())" "$1"; }

# a payload of N bytes: 'x' repeated, with $2 (if given) at byte $3
big() { $py -c "import sys
n, w, at = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
b = bytearray(b'x' * n); b[at:at + len(w)] = w
sys.stdout.write(bytes(b).hex())" "$1" "${2:-}" "${3:-0}"; }

echo "1..19"
ip netns exec "$HYP_NS_SRV" $py "$echo_py" serve 53 5000 >"$tmp/srv.log" 2>&1 &
if app_start -- --mode ips --iface "$HYP_IF_A" --peer "$HYP_IF_B" --policy "$policy"; then
	ok "dpdk-hyperion started in ips mode"
else nok "dpdk-hyperion started"; exit 1; fi

if ip netns exec "$HYP_NS_CLI" ping -c 2 -W 2 198.18.1.2 >/dev/null; then
	ok "ARP and ICMP cross the bump in the kernel"
else nok "ARP and ICMP cross the bump"; fi
# from here on no ARP: the neighbours are fixed, so what crosses the bump is
# the exchanges below and nothing else, and the counters can be exact
ip -n "$HYP_NS_CLI" neigh replace 198.18.1.2 lladdr "$(mac "$HYP_NS_SRV" "$HYP_IF_SRV")" \
	dev "$HYP_IF_CLI" nud permanent &&
ip -n "$HYP_NS_SRV" neigh replace 198.18.1.1 lladdr "$(mac "$HYP_NS_CLI" "$HYP_IF_CLI")" \
	dev "$HYP_IF_SRV" nud permanent || nok "fixing the neighbours"
fa0=$(xstat "$HYP_IF_A" forward) fb0=$(xstat "$HYP_IF_B" forward)
ra0=$(xstat "$HYP_IF_A" redirect) rb0=$(xstat "$HYP_IF_B" redirect)
check_eq "benign UDP request/response through the DPDK path" "$(ask 5000 "$(hex 'hello ordinary world')")" reply
check_eq "payload with the signature dropped in-line" "$(ask 5000 "$(hex 'hello EVILBYTES world')" 40123)" none
# one-way UDP, its replies forwarded in XDP: never established, so the drop
# is not cached, and a forged datagram cannot kill the 5-tuple's own traffic
check_eq "the dropped datagram's 5-tuple: its next, benign datagram is inspected and passes" \
	"$(ask 5000 "$(hex 'now an ordinary one')" 40123)" reply
check_eq "DNS query for example.com answered" "$(ask 53 "$(dnsq www.example.com)")" reply
check_eq "DNS query for a subdomain of evil.com dropped" "$(ask 53 "$(dnsq WWW.Evil.COM)")" none
check_eq "a new flow from the same client gets through" "$(ask 5000 "$(hex 'another ordinary one')")" reply
# requests A -> B were redirected to DPDK (6), the 4 replies B -> A forwarded in XDP
check_eq "XDP: the 6 requests went to the slow path on $HYP_IF_A, none was forwarded" \
	"$(( $(xstat "$HYP_IF_A" redirect) - ra0 ))/$(( $(xstat "$HYP_IF_A" forward) - fa0 ))" "6/0"
check_eq "XDP: exactly the 4 replies crossed back on $HYP_IF_B by the kernel forward" \
	"$(( $(xstat "$HYP_IF_B" forward) - fb0 ))/$(( $(xstat "$HYP_IF_B" redirect) - rb0 ))" "4/0"

# -- fragments: reassembled, inspected whole, forwarded as they came ---------
# 4000 bytes go as three fragments each way (MTU 1500): the echo comes back
# only if the server got every original fragment and reassembled them itself
fa=$(xstat "$HYP_IF_A" fragment_redirect) fb=$(xstat "$HYP_IF_B" fragment_redirect)
check_eq "4000-byte datagram in fragments, both ways: echoed whole" "$(ask 5000 "$(big 4000)")" reply
check_eq "XDP: its 3 fragments each way went to the slow path" \
	"$(( $(xstat "$HYP_IF_A" fragment_redirect) - fa ))/$(( $(xstat "$HYP_IF_B" fragment_redirect) - fb ))" \
	"3/3"
# the first fragment carries 1472 bytes of payload: the signature straddles it
check_eq "the signature across the first two fragments: dropped whole" \
	"$(ask 5000 "$(big 4000 EVILBYTES 1468)")" none
# a route MTU of 68 (IPv4's minimum) cuts a long DNS query into 48-byte
# pieces; the link keeps 1500, so the answer still fits on the way back
ip -n "$HYP_NS_CLI" route replace 198.18.1.2/32 dev "$HYP_IF_CLI" mtu lock 68 ||
	nok "route MTU 68 on the client"
long=a-rather-long-label-to-force-fragments.www
fa=$(xstat "$HYP_IF_A" fragment_redirect)
check_eq "a long DNS query in 48-byte fragments answered" "$(ask 53 "$(dnsq $long.example.com)")" reply
dns_frags=$(( $(xstat "$HYP_IF_A" fragment_redirect) - fa ))
check_eq "the same for evil.com in 48-byte fragments: dropped" \
	"$(ask 53 "$(dnsq $long.evil.com)")" none
ip -n "$HYP_NS_CLI" route del 198.18.1.2/32 dev "$HYP_IF_CLI"
check_eq "an answered query came in more than one fragment" "$(( dns_frags > 1 ))" 1
# hand-cut fragments (test/net/evasion.py): a retransmitted fragment goes
# on with the rest; different bytes over held ones and the datagram stops
ev=$(ip netns exec "$HYP_NS_CLI" $py "$src/test/net/evasion.py" --iface "$HYP_IF_CLI" \
	--dst-mac "$(mac "$HYP_NS_DUT" "$HYP_IF_A")" --src-ip 198.18.1.1 --dst-ip 198.18.1.2 \
	--only overlap_same4 --only overlap_conflict4) || nok "sending hand-cut fragments"
same_frames=$(echo "$ev" | $py -c "import json,sys; print(json.load(sys.stdin)['frames']['overlap_same4'])")
sleep 0.5
# non-IP: the policy's default pass_ethertypes (ARP, LLDP, 802.1X, LACP, LLC)
# cross; any other EtherType would cross the bump unchecked, so it is dropped
nd0=$(xstat "$HYP_IF_A" non_ip_drop) f0=$(xstat "$HYP_IF_A" forward)
for et in 0x88b5 0x88b5 0x88cc; do
	ip netns exec "$HYP_NS_CLI" $py "$src/test/net/abuse.py" ethertype --ethertype $et \
		--iface "$HYP_IF_CLI" --dst-mac "$(mac "$HYP_NS_DUT" "$HYP_IF_A")" >/dev/null
done
sleep 0.3
check_eq "IPS: two frames of an unlisted EtherType dropped, the LLDP frame forwarded" \
	"$(( $(xstat "$HYP_IF_A" non_ip_drop) - nd0 ))/$(( $(xstat "$HYP_IF_A" forward) - f0 ))" "2/1"

app_stop
sed 's/^/# /' "$log" | tail -8
slow() { grep "slow path:" "$log" | tail -1 | grep -o " $1=[0-9]*" | cut -d= -f2; }
# dropped: the 2 above, the split signature, the fragmented evil.com query,
# the conflicting overlap; sent on: 4 datagrams, the 4000-byte one's 3
# fragments each way, the long query's fragments (its answer is forwarded
# in XDP: not a redirect port), and the retransmission's every frame
check_eq "slow path: 5 dropped, none cached (one-way flows), every fragment sent on as it came" \
	"$(slow dropped)/$(slow cached_drops)/$(slow tx)" "5/0/$(( 4 + 6 + dns_frags + same_frames ))"
frag=$(grep "defrag:" "$log" | tail -1)
check_eq "reassembly: the overlaps seen, nothing held at the end" \
	"$(echo "$frag" | grep -o " overlaps=[0-9]*") $(echo "$frag" | grep -o " conflicts=[0-9]*") $(echo "$frag" | grep -o " datagrams_held=[0-9]*")" \
	" overlaps=1  conflicts=2  datagrams_held=0"
tap_done "ips live"
