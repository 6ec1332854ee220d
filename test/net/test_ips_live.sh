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
app=$build/app/dpdk-hyperion
py=/usr/bin/python3
echo_py=$src/test/net/udp-echo.py
policy=$src/test/net/ips-policy.yaml

need_root
need_exe "$app"
command -v ethtool >/dev/null || skip_prereq "needs ethtool"
. "$src/usertools/hyperion-sandbox.sh"
hyp_sandbox_ips_up "hyps$$" || skip_prereq "cannot build the IPS sandbox"
tmp=$(mktemp -d)
log=$tmp/hyperion.log
trap 'pkill -TERM -f -- "--file-prefix hyps$$ " 2>/dev/null; kill $(jobs -p) 2>/dev/null
	wait 2>/dev/null; rm -rf "$tmp" /var/run/dpdk/hyps$$; hyp_sandbox_down' EXIT

ask() { ip netns exec "$HYP_NS_CLI" $py "$echo_py" ask 198.18.1.2 "$1" "$2"; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# a DNS query for $1, as bytes
dnsq() { $py -c "import sys
n=b''.join(bytes([len(l)])+l.encode() for l in sys.argv[1].split('.'))
sys.stdout.write((b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00'+n+b'\x00\x00\x01\x00\x01').hex())" "$1"; }

echo "1..9"
ip netns exec "$HYP_NS_SRV" $py "$echo_py" serve 53 5000 >"$tmp/srv.log" 2>&1 &
ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "hyps$$" \
	--log-level lib.eal:error -- --mode ips --iface "$HYP_IF_A" --peer "$HYP_IF_B" \
	--policy "$policy" >"$log" 2>&1 &
for _ in $(seq 100); do grep -q "dpdk-hyperion running" "$log" && break; sleep 0.1; done
if grep -q "dpdk-hyperion running" "$log"; then ok "dpdk-hyperion started in ips mode"
else nok "dpdk-hyperion started" "$(tail -20 "$log")"; exit 1; fi

if ip netns exec "$HYP_NS_CLI" ping -c 2 -W 2 198.18.1.2 >/dev/null; then
	ok "ARP and ICMP cross the bump in the kernel"
else nok "ARP and ICMP cross the bump"; fi
check_eq "benign UDP request/response through the DPDK path" "$(ask 5000 "$(hex 'hello ordinary world')")" reply
check_eq "payload with the signature dropped in-line" "$(ask 5000 "$(hex 'hello EVILBYTES world')")" none
check_eq "DNS query for example.com answered" "$(ask 53 "$(dnsq www.example.com)")" reply
check_eq "DNS query for a subdomain of evil.com dropped" "$(ask 53 "$(dnsq WWW.Evil.COM)")" none
check_eq "the flow works again for a benign request" "$(ask 5000 "$(hex 'another ordinary one')")" reply

pkill -TERM -f -- "--file-prefix hyps$$ "
for _ in $(seq 100); do grep -q "== final statistics" "$log" && ! pgrep -f -- "--file-prefix hyps$$ " >/dev/null && break; sleep 0.1; done
sed 's/^/# /' "$log" | tail -8
slow() { grep "slow path:" "$log" | tail -1 | grep -o " $1=[0-9]*" | cut -d= -f2; }
check_eq "slow path: 2 dropped, 3 sent on to the server" "$(slow dropped)/$(slow tx)" "2/3"
fwd=$(grep "fast path $HYP_IF_B" "$log" | tail -1 | grep -o "forward=[0-9]*" | cut -d= -f2)
if [ "${fwd:-0}" -ge 3 ]; then ok "responses came back through the kernel forward ($fwd)"
else nok "responses forwarded in XDP" "forward=${fwd:-0} on $HYP_IF_B"; fi
tap_done "ips live"
