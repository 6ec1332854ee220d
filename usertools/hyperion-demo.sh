#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build, and show the fast path on a namespace
# sandbox: a sender namespace sends benign, blocklisted, malformed, DNS and
# flood traffic over a veth into a namespace where the XDP program runs; the
# verdict counters, the largest flows and the sampled drop events are shown.
# Everything it makes is removed when it exits.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash usertools/hyperion-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

ctl=$top/build/app/hyperion-xdpctl
. usertools/hyperion-sandbox.sh
hyp_sandbox_up
dut() { ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" "$@"; }

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "sandbox: $HYP_NS_SRC/$HYP_IF_SRC (198.18.0.1) -> $HYP_NS_DUT/$HYP_IF_DUT (198.18.0.2)"
dut load
# the seed policy, and a rate limit for the flooder
dut block add 198.51.100.42/32
dut redirect add udp 53
dut ratelimit add 198.18.0.9/32 10 5
dut set event-sample 1
dut status

events=$(mktemp)
trap 'rm -f "$events"; hyp_sandbox_down' EXIT
ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" events >"$events" &

say "sending: 5 rounds of the mix, and 100 back-to-back frames from 198.18.0.9"
ip netns exec "$HYP_NS_SRC" /usr/bin/python3 usertools/hyperion-traffic.py \
	--iface "$HYP_IF_SRC" --dst-mac "$HYP_MAC_DUT" --count 5 --flood 100
sleep 0.5

say "verdicts (reason, packets, bytes, of which dropped)"
dut stats
say "largest flows in flow_map"
dut flows 5
say "first sampled drop events from telemetry_rb"
head -8 "$events"
say "DNS queries were meant for the AF_XDP sockets; with no consumer attached they fell back"
echo "to the kernel stack (fail-open: 'redirect_fallback'). dpdk-hyperion is that consumer."
dut unload
