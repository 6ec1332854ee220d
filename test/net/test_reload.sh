#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Policy reload on SIGHUP while dpdk-hyperion runs: the new policy's
# verdicts apply to the next packets, in the slow path and in XDP; a broken
# file changes nothing and says why with file:line:column; counters keep
# counting across reloads. TAP; 77 = skip.
#   usage: test_reload.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypr
pol=$tmp/policy.yaml

# send ROUNDS [FIRST_ROUND]: rounds of the mix; a round's source ports are
# its own, so rounds already sent are flows the slow path has seen
send() { traffic --count "$1" --round-offset "${2:-0}" >/dev/null; sleep 0.5; }
# the running instance's counters, read from its periodic statistics
stat() { grep "$1" "$log" | tail -1 | grep -o " $2=[0-9]*" | cut -d= -f2; }
# fresh: wait for the next periodic statistics (at most 10 s: the app may be gone)
fresh() {
	local l i
	l=$(grep -c "== statistics" "$log")
	for i in $(seq 100); do
		[ "$(grep -c "== statistics" "$log")" -gt "$l" ] && return 0
		sleep 0.1
	done
	echo "# no fresh statistics in 10 s: $(tail -2 "$log" | tr '\n' ' ')"
}
hup() { kill -HUP "$app_pid"; sleep 0.5; }

# One policy, three ways: $1 the fast path's blocklist line (or nothing),
# $2 the action of the evil.com DNS rule, $3 that of the EVILBYTES payload
# signature (or nothing: no signature).
#   A: 198.51.100.42 blocked, evil.com dropped
#   B: evil.com only alerted, the source allowed, EVILBYTES dropped
#   C: EVILBYTES only alerts
policy() {
	{
		echo "fast_path:"
		[ -n "$1" ] && echo "  drop_ips: [\"$1\"]"
		echo "  redirect_ports: [{protocol: 17, port: 53}, {protocol: 17, port: 5000}]"
		echo "slow_path:"
		echo "  dns_rules: [{match: \"evil.com\", action: $2, id: 100}]"
		[ -n "$3" ] &&
			echo "  payload_signatures: [{match: \"EVILBYTES\", action: $3, id: 500}]"
		true
	} >"$pol"
}
policy_a() { policy 198.51.100.42 drop ""; }
policy_b() { policy "" alert drop; }
policy_c() { policy "" alert alert; }

echo "1..15"
policy_a
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --stats-period 1 --metrics-port 0 ||
	{ nok "started"; exit 1; }

send 5; fresh
d1=$(stat "slow path" dropped) b1=$(stat "fast path" blocklist_src)
check_eq "policy A: evil.com queries dropped" "$d1" 5
check_eq "policy A: blocklisted source dropped in XDP" "$b1" 5

policy_b; hup
if grep -q "policy .* loaded (generation 2)" "$log"; then ok "SIGHUP: policy B loaded as generation 2"
else nok "policy B loaded" "$(tail -3 "$log")"; fi
send 5; fresh
check_eq "policy B: EVILBYTES payloads now dropped, evil.com not" "$(stat "slow path" dropped)" $((d1 + 5))
check_eq "policy B: evil.com alerted" "$(stat "slow path" alerted)" 5
check_eq "policy B: the source is no longer blocked in XDP" "$(stat "fast path" blocklist_src)" "$b1"

printf 'fast_path:\n  drop_ips: ["198.51.100.7/24"]\n' >"$pol"
hup
if grep -q "policy reload refused, the running policy stays: .*policy.yaml:2:[0-9]*: .*host bits set" "$log"
then ok "a broken file is refused with file:line:column"
else nok "broken file refused" "$(grep -i refused "$log" | tail -1)"; fi
# new flows: what decides is inspection under B, not a cached verdict
c0=$(stat "slow path" cached_drops)
send 5 5; fresh
check_eq "after the refused reload, policy B still decides new flows" "$(stat "slow path" dropped)" $((d1 + 10))
check_eq "by inspection: no cached verdict was used" "$(stat "slow path" cached_drops)" "$c0"
check_eq "and counters kept counting across the reloads" "$(stat "slow path" alerted)" 10
# the flows B dropped before: one-way UDP, never established, so no verdict
# was cached on them (a forged datagram must not kill a flow): inspected again
send 5; fresh
check_eq "flows B dropped stay dropped" "$(stat "slow path" dropped)" $((d1 + 15))
check_eq "by inspection again: not established, no verdict cached" \
	"$(stat "slow path" cached_drops)/$(stat "slow path" drops_uncached)" "$c0/15"
# C alerts on EVILBYTES: a new generation decides those flows anew
policy_c; hup
if grep -q "policy .* loaded (generation 3)" "$log"; then ok "policy C loaded as generation 3"
else nok "policy C loaded" "$(tail -3 "$log")"; fi
send 5; fresh
check_eq "policy C: the flows B dropped are inspected again and only alerted" \
	"$(stat "slow path" dropped)/$(stat "slow path" alerted)/$(stat "slow path" cached_drops)" \
	"$((d1 + 15))/25/$c0"
# rule hits carry over by rule id: 100 decided every evil.com query under A, B
# and C (5 rounds x 5 sends), 500 every EVILBYTES under B and C (4 rounds:
# none was a cached drop, which would be no decision); read through DPDK's
# own client
rules=$(echo /hyperion/rules | $py /usr/bin/dpdk-telemetry.py -f "$prefix" 2>/dev/null | tail -1 |
	$py -c "import json,sys; r = json.load(sys.stdin)['/hyperion/rules']; print(r['rule_100']['hits'], r['rule_500']['hits'])" 2>&1)
check_eq "rule hits carried over three generations by rule id (100, 500)" "$rules" "25 20"
tap_done "reload"
