#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The fast path on a live veth: hyperion-xdpctl attaches the program in a
# namespace, scapy sends a known mix from the other side, and the reason
# counters must account for every hostile frame. TAP; 77 = skip.
#   usage: test_fastpath_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypl

dut() { ip netns exec "$HYP_NS_DUT" "$@"; }

echo "1..17"
if dut "$ctl" -i "$HYP_IF_DUT" load >/dev/null; then ok "program attached on the veth"
else nok "program attached"; exit 1; fi
dut "$ctl" -i "$HYP_IF_DUT" block add 198.51.100.0/24 &&
dut "$ctl" -i "$HYP_IF_DUT" redirect add udp 53 &&
dut "$ctl" -i "$HYP_IF_DUT" ratelimit add 198.18.0.9/32 1 5 &&
dut "$ctl" -i "$HYP_IF_DUT" set event-sample 1 || { nok "configuring the maps"; exit 1; }

flood=40
sent=$(traffic --count 5 --flood $flood) ||
	{ nok "sending traffic"; exit 1; }
echo "# sent: $sent"
sleep 0.3
stats=$(dut "$ctl" -i "$HYP_IF_DUT" stats all)
echo "$stats" | sed 's/^/# /'

count() { echo "$stats" | awk -v r="$1" '$1 == r { print $2 }'; }
dropped() { echo "$stats" | awk -v r="$1" '$1 == r { print $4 }'; }
want() { json_get "$sent" "$1"; }


check_eq "blocklisted source dropped in XDP" "$(dropped blocklist_src)" "$(want blocklisted)"
check_eq "IHL 4 frames dropped as malformed" "$(dropped malformed_ip4_ihl)" "$(want malformed_ihl)"
check_eq "SYN+FIN dropped as malformed" "$(dropped malformed_tcp_flags)" "$(want malformed_synfin)"
# no AF_XDP socket on the queue: DNS falls back to the stack, fail-open
dns=$(( $(want dns_query) + $(want dns_evil) ))
check_eq "DNS queries wanted redirect, no socket: fell back to pass" "$(count redirect_fallback)" "$dns"
check_eq "fail-open fallback dropped nothing" "$(dropped redirect_fallback)" 0
rl=$(dropped ratelimit)
if [ -n "$rl" ] && [ "$rl" -ge $((flood - 7)) ] && [ "$rl" -le $((flood - 5)) ]; then
	ok "flood at 1 pps burst 5: $rl of $flood dropped"
else nok "flood rate limited" "ratelimit dropped ${rl:-none} of $flood, want $((flood - 7))..$((flood - 5))"; fi
# pass: every benign frame, the port-5000 samples (not redirected here) and
# the flood frames the limiter let through: exactly, so a dropped benign
# frame shows
benign=$(( $(want benign_udp) + $(want benign_tcp) ))
payload=$(( $(want payload_alert) + $(want payload_benign) ))
check_eq "benign traffic passed (pass = benign + port-5000 + flood under the limit)" \
	"$(count pass)" "$(( benign + payload + flood - ${rl:-0} ))"
# flow_map: what passed, one flow per source port; the flood is the largest
fl=$(dut "$ctl" -i "$HYP_IF_DUT" flows 1)
echo "$fl" | sed 's/^/# /'
check_eq "flows: one per passed 5-tuple" "$(echo "$fl" | awk 'NR == 1 { print $1 }')" \
	"$(( benign + payload + 1 ))"
check_eq "flows: the largest is the flood, with the packets the limiter passed" \
	"$(echo "$fl" | awk 'NR == 3 { print $1, $2, $3, $4 }')" \
	"17 198.18.0.9:45000 198.18.0.2:9 $(( flood - ${rl:-0} ))"
ev=$(timeout 3 ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" events 3)
if echo "$ev" | grep -q "blocklist_src .*198.51.100.42"; then ok "drop events carry reason and source"
else nok "drop events" "got: $ev"; fi
# a destination prefix, then fail-closed for redirect candidates with no socket
stat_of() { dut "$ctl" -i "$HYP_IF_DUT" stats all | awk -v r="$1" -v c="$2" '$1 == r { print $c }'; }
b0=$(stat_of blocklist_dst 4)
dut "$ctl" -i "$HYP_IF_DUT" block add dst 203.0.113.0/24 || nok "block add dst"
traffic --dst-ip 203.0.113.5 --only benign_udp --count 3 >/dev/null
sleep 0.2
check_eq "block add dst: frames to 203.0.113.5 dropped as blocklist_dst" \
	"$(( $(stat_of blocklist_dst 4) - ${b0:-0} ))" 3
f0=$(stat_of redirect_fallback 4)
dut "$ctl" -i "$HYP_IF_DUT" set fail-mode closed || nok "set fail-mode closed"
traffic --only dns_query --count 4 >/dev/null
sleep 0.2
check_eq "set fail-mode closed: DNS with no socket now dropped as redirect_fallback" \
	"$(( $(stat_of redirect_fallback 4) - ${f0:-0} ))" 4
# hostile `set`: each refused with usage (2), the running value kept
cfg_of() { dut "$ctl" -i "$HYP_IF_DUT" status | awk -v k="$1" '$1 == k { print $2 }'; }
bad=0
for args in "fail-mode sideways" "watchdog-ms -5" "watchdog-ms 4294967296" \
	    "event-sample 1x" "nonsense 1" "fail-mode" "malformed pass extra"; do
	# shellcheck disable=SC2086
	dut "$ctl" -i "$HYP_IF_DUT" set $args >/dev/null 2>&1
	rc=$?
	[ "$rc" = 2 ] || { echo "# set $args: exit $rc, want 2"; bad=$((bad + 1)); }
done
check_eq "hostile set arguments: every one refused with exit 2" "$bad" 0
check_eq "after them fail_mode is still closed ($(cfg_of fail_mode))" "$(cfg_of fail_mode)" 1
dut "$ctl" -i "$HYP_IF_DUT" set watchdog-ms 1500 && dut "$ctl" -i "$HYP_IF_DUT" set malformed pass
check_eq "set watchdog-ms 1500 and malformed pass reach the config map" \
	"$(cfg_of watchdog_ns)/$(cfg_of malformed_action)" "1500000000/2"
if dut "$ctl" -i "$HYP_IF_DUT" unload && ! dut ip link show "$HYP_IF_DUT" | grep -q xdp; then
	ok "program detached"
else nok "program detached"; fi
tap_done "fastpath live"
