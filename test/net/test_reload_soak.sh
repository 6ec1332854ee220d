#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# 100 policy reloads under steady traffic, alternating between two policies
# that give the same queries different verdicts (drop, alert), with a broken
# file in the middle: no packet lost between XDP and the verdict, every
# inspected packet got one of the two policies' verdicts (none passed, none
# refused), the broken file changed nothing, and the process did not grow.
# Growth is measured between the 10th and the last reload, over a fixed set
# of flows (so the flow table does not grow with new source ports): DPDK's
# heap (rte_malloc, which LeakSanitizer cannot see) through its own
# telemetry must hold exactly as many allocations, and the RSS must stay put.
# TAP; 77 = skip.
#   usage: test_reload_soak.sh BUILD_DIR SOURCE_DIR [RELOADS]
set -u
build=$1 src=$2 reloads=${3:-100}
. "$src/test/net/tap.sh"
net_open hyps
pol=$tmp/policy.yaml

policy() {	# ACTION: the same rule id, another verdict; a Hyperscan database too
	printf 'fast_path:\n  redirect_ports: [{protocol: 17, port: 53}]\nslow_path:\n  dns_rules: [{match: "evil.com", action: %s, id: 100}]\n  payload_signatures: [{match: "EVILBYTES", action: alert, id: 500}]\n' "$1" >"$pol.new"
	mv "$pol.new" "$pol"
}
tel=/usr/bin/dpdk-telemetry.py
[ -r "$tel" ] || skip_prereq "needs $tel (dpdk-dev tools)"
# DPDK's heap 0, as its telemetry reports it: "allocations bytes"
heap() { echo "/eal/heap_info,0" | $py "$tel" -f "$prefix" 2>/dev/null | tail -1 | $py -c "import json,sys
r = json.load(sys.stdin)['/eal/heap_info']
print(r['Alloc_count'], r['Alloc_size'])" 2>/dev/null; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$app_pid/status"; }
generation() { grep -c "policy .* loaded (generation" "$log"; }

echo "1..8"
policy drop
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 || { nok "started"; exit 1; }

# steady traffic for the whole run: 300 evil.com queries a second
traffic --only dns_evil --count 100000 --rate 300 --flows 64 >"$tmp/sent.json" &
sender=$!
sleep 2
for i in $(seq "$reloads"); do
	if [ "$i" = 11 ]; then
		rss0=$(rss_kb) heap0=$(heap)
	fi
	if [ "$i" = $((reloads / 2)) ]; then
		printf 'slow_path:\n  dns_rules: [{match: "*.evil.com", action: drop}]\n' >"$pol"
		kill -HUP "$app_pid"
		for _ in $(seq 50); do grep -q "policy reload refused" "$log" && break; sleep 0.05; done
	fi
	[ $((i % 2)) = 1 ] && policy alert || policy drop
	before=$(generation)
	kill -HUP "$app_pid"
	for _ in $(seq 100); do [ "$(generation)" -gt "$before" ] && break; sleep 0.02; done
done
rss1=$(rss_kb) heap1=$(heap)
kill $sender; wait $sender 2>/dev/null
sleep 1
app_stop

check_eq "every reload loaded" "$(generation)" "$reloads"
grep -q "policy reload refused, the running policy stays: .*:2:.*\*" "$log" &&
	ok "the broken file was refused mid-run" || nok "broken file refused" "$(grep -i refused "$log" | tail -1)"
fast() { grep "fast path $HYP_IF_DUT" "$log" | tail -1 | grep -o "$1=[0-9]*" | cut -d= -f2; }
slow() { grep "slow path:" "$log" | tail -1 | grep -o " $1=[0-9]*" | cut -d= -f2; }
red=$(fast redirect) ins=$(slow inspected)
echo "# redirected $red, inspected $ins, dropped $(slow dropped), alerted $(slow alerted), passed $(slow passed)"
check_eq "no packet lost between XDP and the verdict (redirected == inspected)" "$ins" "$red"
check_eq "every packet got drop or alert from one of the two policies" \
	"$(( $(slow dropped) + $(slow alerted) ))/$(slow passed)" "$ins/0"
[ "$(slow dropped)" -gt 0 ] && [ "$(slow alerted)" -gt 0 ] && ok "both policies decided packets" ||
	nok "both policies decided packets" "dropped $(slow dropped), alerted $(slow alerted)"
check_eq "no ring or flow-table loss" "$(slow ring_full)/$(slow tx_failed)/$(slow flow_full)" "0/0/0"
echo "# DPDK heap (allocations bytes): after 10 reloads ${heap0:-?}, after $reloads ${heap1:-?}"
if [ -n "$heap0" ] && [ "$heap0" = "$heap1" ]; then
	ok "DPDK heap: the same allocations after 10 and after $reloads reloads ($heap1)"
else nok "DPDK heap holds per-generation memory" "after 10: '${heap0:-}', after $reloads: '${heap1:-}'"; fi
growth=$(( rss1 - rss0 ))
echo "# RSS ${rss0} kB after 10 reloads -> ${rss1} kB after $reloads"
if ldd "$app" 2>/dev/null | grep -q libasan; then
	# ASan keeps freed memory in quarantine: RSS says nothing about leaks
	# there (LeakSanitizer does, at exit)
	n=$((n + 1)); echo "ok $n - no memory growth # SKIP under AddressSanitizer: RSS grew ${growth} kB"
elif [ "$growth" -lt 1024 ]; then ok "no memory growth from the 10th to the ${reloads}th reload (${growth} kB)"
else nok "memory growth" "RSS grew by ${growth} kB from the 10th to the ${reloads}th reload"; fi
tap_done "reload soak"
