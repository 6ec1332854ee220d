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

echo "1..11"
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
check_eq "the dropped flow stays dropped, benign payload or not (cached verdict)" \
	"$(ask 5000 "$(hex 'now an ordinary one')" 40123)" none
check_eq "DNS query for example.com answered" "$(ask 53 "$(dnsq www.example.com)")" reply
check_eq "DNS query for a subdomain of evil.com dropped" "$(ask 53 "$(dnsq WWW.Evil.COM)")" none
check_eq "a new flow from the same client gets through" "$(ask 5000 "$(hex 'another ordinary one')")" reply
# requests A -> B were redirected to DPDK (6), the 3 replies B -> A forwarded in XDP
check_eq "XDP: the 6 requests went to the slow path on $HYP_IF_A, none was forwarded" \
	"$(( $(xstat "$HYP_IF_A" redirect) - ra0 ))/$(( $(xstat "$HYP_IF_A" forward) - fa0 ))" "6/0"
check_eq "XDP: exactly the 3 replies crossed back on $HYP_IF_B by the kernel forward" \
	"$(( $(xstat "$HYP_IF_B" forward) - fb0 ))/$(( $(xstat "$HYP_IF_B" redirect) - rb0 ))" "3/0"

app_stop
sed 's/^/# /' "$log" | tail -8
slow() { grep "slow path:" "$log" | tail -1 | grep -o " $1=[0-9]*" | cut -d= -f2; }
check_eq "slow path: 3 dropped (one by the flow's cached verdict), 3 sent on to the server" \
	"$(slow dropped)/$(slow cached_drops)/$(slow tx)" "3/1/3"
tap_done "ips live"
