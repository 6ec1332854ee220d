#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Auto-block: a source that earns N slow-path drops is written into the XDP
# block map, so its next packets, of any kind, die in the kernel; after the
# TTL they pass again. Seen through hyperion-xdpctl and the app's own
# counters. TAP; 77 = skip.
#   usage: test_autoblock.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypa
cat >"$tmp/policy.yaml" <<'Y'
fast_path:
  redirect_ports: [{protocol: 17, port: 53}]
slow_path:
  dns_rules: [{match: "evil.com", action: drop, id: 100}]
  auto_block: {hits: 3, ttl_s: 6}
Y

send() { traffic --count "$1" "${@:2}" >/dev/null; sleep 0.4; }
xdp() { ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" stats all | awk -v r="$1" '$1 == r { print $2 }'; }

echo "1..7"
app_start -- --iface "$HYP_IF_DUT" --policy "$tmp/policy.yaml" --metrics-port 0 ||
	{ nok "started"; exit 1; }

send 2 --only dns_evil
check_eq "two evil.com drops: below the threshold, nothing blocked in XDP" "$(xdp autoblock)" 0
send 1 --only dns_evil
send 3 --only dns_evil --only benign_udp --only dns_query
check_eq "after the third drop, every packet of the source dies in XDP" "$(xdp autoblock)" 9
check_eq "so the slow path saw no more of them" "$(xdp redirect)" 3
check_eq "telemetry lists the block" "$(echo /hyperion/autoblocks | dpdk-telemetry.py -f "$prefix" 2>/dev/null |
	$py -c "import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith('{') and 'autoblocks' in l:
        r = json.loads(l)['/hyperion/autoblocks']; print(r['active'], r['block_0']['addr'])")" "1 198.18.0.1"
sleep 6.5	# the TTL, and scapy's start-up inside it
send 2 --only benign_udp --only dns_query
check_eq "after the TTL the source passes again" "$(xdp autoblock)/$(xdp redirect)" "9/5"
check_eq "and the expired entry was removed from the map" "$(xdp autoblock_expired)" 1
pkill -TERM -f -- "--file-prefix $prefix "
for _ in $(seq 100); do grep -q "autoblock:" "$log" && break; sleep 0.1; done
check_eq "the app counted one block, none refused or lost" \
	"$(grep "autoblock:" "$log" | tail -1 | sed 's/.*blocked=\([0-9]*\).*refused=\([0-9]*\) lost=\([0-9]*\).*/\1 \2 \3/')" "1 0 0"
tap_done "autoblock"
