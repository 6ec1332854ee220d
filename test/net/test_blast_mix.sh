#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# hyperion-blast's template mix, counted by the receiver: a quarter of the
# frames from a blocklisted source (--mix-src), the rest DNS queries to a
# redirected port, at a paced rate. Our XDP program must count exactly the
# sender's "mixed" frames as blocklist_src and the others as redirected, and
# the paced rate must hold. TAP; 77 = skip.
#   usage: test_blast_mix.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypbm
blast=$build/usertools/hyperion-blast/hyperion-blast
need_exe "$blast"
pol=$tmp/policy.yaml
printf 'fast_path:\n  drop_ips: [192.0.2.0/24]\n  redirect_ports: [{protocol: 17, port: 53}]\n' >"$pol"
echo "1..5"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 || { nok "started"; exit 1; }
b0=$(xdp blocklist_src) r0=$(xdp redirect)
out=$(ip netns exec "$HYP_NS_SRC" "$blast" -i "$HYP_IF_SRC" -n 20000 --rate 20000 --size 60 \
	--dport 53 --dmac "$HYP_MAC_DUT" --prog "$build/bpf/xdp_tx.bpf.o" \
	--mix-share 0.25 --mix-src 192.0.2.7 2>"$tmp/blast.err")
field() { echo "$out" | sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p"; }
sent=$(field sent) mixed=$(field mixed) pps=$(field pps)
sleep 0.5
check_eq "the sender sent all 20000" "$sent" 20000
if [ "${mixed:-0}" -ge 4000 ] && [ "${mixed:-0}" -le 6000 ]; then ok "a quarter mixed: $mixed of $sent"
else nok "a quarter mixed" "mixed ${mixed:-?} of ${sent:-?}" "$(cat "$tmp/blast.err")"; fi
check_eq "XDP dropped exactly the mixed frames (blocklisted source)" "$(( $(xdp blocklist_src) - b0 ))" "$mixed"
check_eq "and redirected exactly the others" "$(( $(xdp redirect) - r0 ))" "$(( sent - mixed ))"
# paced at 20,000/s: one second, give or take the scheduler (not a benchmark)
if awk -v p="${pps:-0}" 'BEGIN { exit !(p > 10000 && p < 22000) }'; then ok "paced near 20000/s: $pps"
else nok "paced near 20000/s" "pps ${pps:-?}"; fi
app_stop
tap_done "blast_mix"
