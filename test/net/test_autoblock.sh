#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Auto-block, attacked. A source that earns N slow-path drops on flows it
# began, with a TCP handshake seen, is written into the XDP block map, so its
# next packets die in the kernel, and the block leaves the map when its TTL
# runs out, whether or not the source sends again. What an attacker forges
# does not count: DNS queries "from" the resolver (UDP), signature segments
# with no handshake, a forged segment on someone else's 5-tuple (whose
# genuine traffic goes on), and exempt sources are never blocked. Seen
# through hyperion-xdpctl, the auto-block telemetry and the app's counters.
# TAP; 77 = skip.
#   usage: test_autoblock.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypa
# redirect_all: the sensor sees both directions, so handshakes can be seen
cat >"$tmp/policy.yaml" <<'Y'
fast_path:
  redirect_all: true
slow_path:
  dns_rules: [{match: "evil.com", action: drop, id: 100}]
  payload_signatures: [{match: "User-Agent: sqlmap", action: drop, id: 200}]
  auto_block: {hits: 3, ttl_s: 5, exempt: [198.18.0.77]}
Y

abuse() { ip netns exec "$HYP_NS_SRC" $py "$src/test/net/abuse.py" --iface "$HYP_IF_SRC" \
	--dst-mac "$HYP_MAC_DUT" "$@" >/dev/null; sleep 0.5; }
listed() { ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" autoblock list | awk '{ print $1 }' | sort | tr '\n' ' '; }
ab() { tele /hyperion/autoblocks "$@"; }
slow() { tele /hyperion/stats "${@/#/slow/}"; }

echo "1..12"
app_start -- --iface "$HYP_IF_DUT" --policy "$tmp/policy.yaml" --metrics-port 0 ||
	{ nok "started"; exit 1; }

abuse forged_udp --n 10
check_eq "10 forged DNS drops 'from' the resolver: counted as connectionless, nothing blocked" \
	"$(ab ignored_connectionless blocked)/$(xdp autoblock)" "10 0/0"
abuse forged_tcp --n 5
check_eq "5 signature segments without a handshake: unestablished, nothing blocked" \
	"$(ab ignored_unestablished blocked)/$(listed)" "5 0/"
abuse victim_forged
check_eq "a forged segment on a victim's 5-tuple drops itself only: not cached, not counted" \
	"$(ab ignored_unestablished)/$(slow drops_uncached cached_drops)" "6/6 0"
check_eq "the victim's genuine segment on that 5-tuple was inspected and passed" \
	"$(slow passed)" 1
abuse handshake --n 3 --attacker-ip 198.18.0.77
check_eq "an exempt source's 3 drops: counted exempt, never blocked" \
	"$(ab exempt blocked)/$(listed)" "3 0/"
abuse benign_tcp --n 1
abuse handshake --n 2 --follow
check_eq "2 drops on handshaken flows: below 3, not blocked; cached on their flows" \
	"$(ab blocked)/$(slow cached_drops)/$(listed)" "0/2/"
abuse handshake --n 1 --port-base 10
check_eq "the 3rd drop blocks the source: the XDP map lists it" "$(ab blocked active)/$(listed)" \
	"1 1/198.18.0.1 "
abuse benign_tcp --n 1 --port-base 20
check_eq "then its SYN, ACK and request die in XDP (the server's SYN-ACK does not)" \
	"$(xdp autoblock)" 3
sleep 5.5	# the TTL (hits count within it too): the source sends nothing meanwhile
check_eq "after the TTL the block left the map, without a packet to notice" \
	"$(listed)/$(ab expired active)" "/1 0"
abuse benign_tcp --n 1 --port-base 30
check_eq "and the source passes again" "$(xdp autoblock)/$(xdp autoblock_expired)" "3/0"
# by hand, an operator's: an entry that never expires, or a whole prefix, is refused
r1=$(ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" autoblock add 198.51.100.9 0 2>&1; echo "rc=$?")
r2=$(ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" autoblock add 198.51.100.0/24 60 2>&1; echo "rc=$?")
if printf '%s' "$r1" | grep -q "an auto-block expires" && printf '%s' "$r1" | grep -q "rc=2" &&
   printf '%s' "$r2" | grep -q "one address, not a prefix" && printf '%s' "$r2" | grep -q "rc=2" &&
   [ "$(listed)" = "" ]; then ok "xdpctl refuses a TTL of 0 and a prefix; nothing was written"
else nok "xdpctl refuses bad auto-blocks" "$r1 / $r2 / listed '$(listed)'"; fi
app_stop
check_eq "the app counted one block, none refused or lost" \
	"$(grep "autoblock:" "$log" | tail -1 | sed 's/.*blocked=\([0-9]*\).*refused=\([0-9]*\).*lost=\([0-9]*\).*/\1 \2 \3/')" "1 0 0"
tap_done "autoblock"
