#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion's telemetry commands, read with DPDK's own client
# (dpdk-telemetry.py) while the app runs in ids mode on a veth of a namespace
# sandbox, after a known mix of traffic: the values must be the ones that
# traffic makes, not merely present. Then usertools/hyperion-top.py --once.
# TAP; 77 = skip.
#   usage: test_telemetry.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
tel=/usr/bin/dpdk-telemetry.py
policy=$src/test/net/ids-policy.yaml
[ -r "$tel" ] || skip_prereq "needs $tel (dpdk-dev tools)"
net_open hypt
eve=$tmp/eve.json

# query CMD: DPDK's client prints one JSON line per command it reads
query() { echo "$1" | $py "$tel" -f "$prefix" 2>&1 | tail -1; }
# field CMD EXPR: EXPR is Python over r, the command's reply
field() {
	query "$1" | $py -c "import json,sys
try:
    r = json.load(sys.stdin)['$(echo "$1" | cut -d, -f1)']
    print($2)
except Exception as e:
    print('error: %s' % e)"
}

echo "1..22"
sock=/var/run/dpdk/$prefix/dpdk_telemetry.v2
if app_start -- --iface "$HYP_IF_DUT" --policy "$policy" --eve "$eve" --reload-dir "$tmp" && [ -S "$sock" ]; then
	ok "dpdk-hyperion started, telemetry socket $sock"
else nok "dpdk-hyperion started with telemetry"; exit 1; fi

cmds=$(query /)
if echo "$cmds" | grep -q '"/hyperion/stats"' && echo "$cmds" | grep -q '"/hyperion/xsk"'; then
	ok "the /hyperion commands are registered"
else nok "the /hyperion commands are registered" "$cmds"; fi

sent=$(traffic --count 10)
echo "# sent: $sent"
want() { json_get "$sent" "$1"; }
red=$(( $(want dns_query) + $(want dns_evil) + $(want payload_alert) + $(want payload_benign) ))
# until the slow path has seen everything (and the EVE writer written it)
for _ in $(seq 50); do
	[ "$(field /hyperion/stats "r['slow']['inspected']")" = "$red" ] && break
	sleep 0.1
done
sleep 0.5

st=$(query /hyperion/stats)
echo "# /hyperion/stats: $(echo "$st" | cut -c1-400)..."
sf() { echo "$st" | $py -c "import json,sys; r = json.load(sys.stdin)['/hyperion/stats']; print($1)" 2>&1 | tail -1; }
check_eq "stats: fast/blocklist_src packets == blocklisted sent" "$(sf "r['fast/blocklist_src']['packets']")" "$(want blocklisted)"
check_eq "stats: blocklisted are counted dropped" "$(sf "r['fast/blocklist_src']['dropped']")" "$(want blocklisted)"
check_eq "stats: fast/redirect packets == DNS and port-5000 sent" "$(sf "r['fast/redirect']['packets']")" "$red"
check_eq "stats: slow inspected" "$(sf "r['slow']['inspected']")" "$red"
check_eq "stats: slow dropped == evil.com queries" "$(sf "r['slow']['dropped']")" "$(want dns_evil)"
check_eq "stats: slow alerted == payload alerts" "$(sf "r['slow']['alerted']")" "$(want payload_alert)"
check_eq "stats: redirect_failures, eve written/lost, aux present" \
	"$(sf "(r['redirect_failures'], r['eve']['written'], r['eve']['lost'], 'events_sent' in r['aux'])")" \
	"(0, $(( $(want dns_evil) + $(want payload_alert) )), 0, True)"

check_eq "lcores: lcore 1 runs io+worker, rx == inspected" \
	"$(field /hyperion/lcores "(r['1']['role'], r['1']['rx'], 0 <= r['1']['busy_permille'] <= 1000)")" \
	"('io+worker', $red, True)"
check_eq "rings: none with a single io+worker lcore" "$(field /hyperion/rings "r")" "{}"

# the six XDP_STATISTICS counters come from sock_diag where the kernel has
# CONFIG_XDP_SOCKETS_DIAG, else from our own sockets (getsockopt): either way
# the queue has its socket and the counters
xq=$(field /hyperion/xsk "[(q['socket'], all(k in q for k in ('rx_dropped', 'rx_invalid_descs', 'tx_invalid_descs', 'rx_ring_full', 'rx_fill_ring_empty_descs', 'tx_ring_empty_descs')), q.get('diag_errno', 0)) for q in r.values() if q['ifname'] == '$HYP_IF_DUT' and q['queue'] == 0]")
xq=$(echo "$xq" | sed 's/, [0-9]*)]$/)]/')	# diag_errno says which source answered
check_eq "xsk: queue 0 of $HYP_IF_DUT has its socket and the six counters" "$xq" "[(1, True)]"
check_eq "xsk: mbuf pool available and the port's redirect count" \
	"$(field /hyperion/xsk "(r['0/0']['mbuf_avail'] > 0, r['0/0']['port_xdp_redirect'], r['0/0']['port_xdp_redirect_fail'])")" \
	"(True, $red, 0)"

check_eq "policy: the file and a 16-digit hash" \
	"$(field /hyperion/policy "(r['file'], len(r['hash']), r['reloads_ok'], r['reloads_failed'], r['last_error'])")" \
	"('$policy', 16, 0, 0, '')"
check_eq "watchdog: off (the ids policy sets none), heartbeats seen" \
	"$(field /hyperion/watchdog "(r['state'], r['limit_ms'], r['heartbeats'], r['heartbeat_age_ms'] < 1000)")" \
	"('off', 0, 1, True)"
check_eq "rules: evil.com (100) decided each evil query, EVILBYTES (500) each payload alert" \
	"$(field /hyperion/rules "(r['rule_100']['action'], r['rule_100']['hits'], r['rule_500']['hits'])")" \
	"('drop', $(want dns_evil), $(want payload_alert))"
check_eq "flows,5: five flows, largest first, each with bytes" \
	"$(field /hyperion/flows,5 "(len(r), all(r['flow_%d' % i]['bytes'] >= r['flow_%d' % (i + 1)]['bytes'] for i in range(len(r) - 1)), all(f['bytes'] > 0 for f in r.values()))")" \
	"(5, True, True)"
printf 'slow_path:\n  dns_rules: [{match: "*.evil.com", action: drop}]\n' >"$tmp/bad.yaml"
check_eq "reload,FILE: a bad file is refused with file:line and the policy stays" \
	"$(field "/hyperion/reload,$tmp/bad.yaml" "(r['result'], 'bad.yaml:2:' in r['error'])")" "('refused', True)"
check_eq "policy: the refusal is counted and shown" \
	"$(field /hyperion/policy "(r['reloads_failed'], 'bad.yaml:2:' in r['last_error'], r['file'].endswith('ids-policy.yaml'))")" \
	"(1, True, True)"
check_eq "/ethdev/stats,0 ipackets == redirected packets" "$(field /ethdev/stats,0 "r['ipackets']")" "$red"

top=$(timeout 10 $py "$src/usertools/hyperion-top.py" --file-prefix "$prefix" --once 2>&1)
echo "$top" | sed 's/^/# top: /'
if echo "$top" | grep -Eq "^lcore 1 +io\+worker +$red "; then ok "hyperion-top --once prints lcore 1 with its rx"
else nok "hyperion-top --once prints the lcore line"; fi

kill -TERM "$app_pid"
wait "$app_pid"
check_eq "dpdk-hyperion exits cleanly while telemetry was used" "$?" "0"
tap_done "telemetry"
