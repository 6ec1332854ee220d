#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The program as the DPDK af_xdp PMD loads it (xdp_prog=): dpdk-testpmd
# attaches the installed object, hyperion-xdpctl finds it and its maps on the
# interface, the redirect set sends DNS to the PMD's AF_XDP socket, and the
# PMD removes the program when its port closes. TAP; 77 = skip.
#   usage: test_pmd_attach.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
obj=$build/bpf/hyp_xdp.bpf.o
command -v dpdk-testpmd >/dev/null || skip_prereq "needs dpdk-testpmd"
net_open hypp

dut() { ip netns exec "$HYP_NS_DUT" "$@"; }
attached() { dut ip link show "$HYP_IF_DUT" | grep -q "prog/xdp"; }

echo "1..6"
dut dpdk-testpmd -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
	--vdev "net_af_xdp0,iface=$HYP_IF_DUT,xdp_prog=$obj" -- \
	--forward-mode=rxonly --stats-period 1 >"$log" 2>&1 &
pmd=$!
for _ in $(seq 50); do attached && break; sleep 0.2; done
if attached; then ok "the PMD attached hyp_xdp.bpf.o"
else nok "the PMD attached the program" "$(tail -5 "$log")"; exit 1; fi

if st=$(dut "$ctl" -i "$HYP_IF_DUT" status) && echo "$st" | grep -q "^program id"; then
	ok "hyperion-xdpctl found the PMD's program and its maps"
else nok "found the PMD's program" "$st"; exit 1; fi
dut "$ctl" -i "$HYP_IF_DUT" redirect add udp 53 || { nok "redirect add"; exit 1; }

sent=$(traffic --count 20)
dns=$(echo "$sent" | $py -c 'import json,sys; d=json.load(sys.stdin); print(d["dns_query"] + d["dns_evil"])')
sleep 1.5
stats=$(dut "$ctl" -i "$HYP_IF_DUT" stats)
echo "$stats" | sed 's/^/# /'
red=$(echo "$stats" | awk '$1 == "redirect" { print $2 }')
if [ "${red:-0}" = "$dns" ]; then ok "all $dns DNS queries redirected into the AF_XDP socket"
else nok "DNS redirected" "redirect=${red:-0}, want $dns"; fi
fb=$(echo "$stats" | awk '$1 == "redirect_fallback" { print $2 }')
if [ -z "$fb" ]; then ok "no redirect fell back"; else nok "no fallback" "redirect_fallback=$fb"; fi

# testpmd prints its counters every second: wait for a print that has them
# all (a loaded machine delays the prints, not the count), then it must be
# exactly the redirected ones
rx=
for _ in $(seq 50); do
	rx=$(grep -o "RX-packets: *[0-9]*" "$log" | tail -1 | grep -o "[0-9]*$")
	[ "${rx:-0}" -ge "$dns" ] && break
	sleep 0.2
done
if [ "${rx:-0}" = "$dns" ]; then ok "testpmd received exactly them: RX-packets $rx"
else nok "testpmd received them" "RX-packets ${rx:-none} within 10 s, want $dns"; fi

# ip netns exec forks: signal testpmd itself, then its parent ends with it
pkill -TERM -f -- "--file-prefix $prefix " ; wait $pmd
if attached; then nok "the PMD removed the program at close" "$(tail -8 "$log")"
else ok "the PMD removed the program at close"; fi
tap_done "pmd attach"
