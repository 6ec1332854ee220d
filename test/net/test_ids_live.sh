#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion in ids mode on a veth in a namespace, real traffic from the
# other namespace: blocklisted sources die in XDP, DNS queries for evil.com
# and its subdomains are dropped by the slow path, other names are not,
# payload signatures alert, and the EVE log says so. Then the same packets,
# captured to a pcap, are replayed offline (--pcap): the verdicts must be
# the live run's. TAP; 77 = skip.
#   usage: test_ids_live.sh BUILD_DIR SOURCE_DIR [EAL_LCORES [APP_ARGS...]]
#   e.g. "0@0,1@1,2@1,3@0" for a staged pipeline with an io lcore and two
#   workers on this 2-core machine (lcores share CPUs: slow, but the roles,
#   rings and the drain at exit are the real ones).
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
eal_lcores_of "${3:-0-1}"
shift $(( $# < 3 ? $# : 3 ))
policy=$src/test/net/ids-policy.yaml
net_open hypi
eve=$tmp/eve.json

attached() { ip -n "$HYP_NS_DUT" link show "$HYP_IF_DUT" | grep -q "prog/xdp"; }

echo "1..19"
if app_start "${eal_lcores[@]}" -- --iface "$HYP_IF_DUT" --policy "$policy" --eve "$eve" "$@" &&
   attached; then ok "dpdk-hyperion started, XDP attached"
else nok "dpdk-hyperion started"; exit 1; fi

sent=$(traffic --count 10 --flow-drop --dns-garbage --pcap-out "$tmp/mix.pcap")
echo "# sent: $sent"
want() { json_get "$sent" "$1"; }
sleep 1
app_stop
sed 's/^/# /' "$log" | tail -12
if grep -q "== final statistics" "$log"; then ok "SIGTERM: drained and printed final statistics"
else nok "final statistics on SIGTERM"; fi

fast() { grep "fast path $HYP_IF_DUT" "$log" | tail -1 | grep -o "$1=[0-9]*" | cut -d= -f2; }
slow() { grep "slow path:" "$log" | tail -1 | grep -o " $1=[0-9]*" | cut -d= -f2; }
check_eq "blocklisted source dropped in XDP" "$(fast blocklist_src)" "$(want blocklisted)"
dns=$(( $(want dns_query) + $(want dns_evil) ))
fd=$(want flow_drop) dg=$(want dns_garbage)
red=$(( dns + $(want payload_alert) + $(want payload_benign) + fd + dg ))
check_eq "DNS and port-5000 traffic redirected to the slow path" "$(fast redirect)" "$red"
# the drop signature's flow is one-way UDP, never answered: not established,
# so its drop verdict is not cached (a forged datagram must not kill someone
# else's flow) and each of its packets is inspected and dropped again
check_eq "every redirected packet inspected, the dropped flow's later ones too" \
	"$(slow inspected)" "$red"
check_eq "the one-way flow's drops: none cached, each counted as not cached" \
	"$(slow cached_drops)/$(slow drops_uncached)" "0/$fd"
check_eq "evil.com queries and the dropped flow's packets dropped by the slow path" \
	"$(slow dropped)" "$(( $(want dns_evil) + fd ))"
# the 1-byte datagrams to port 53 get the policy's dns_malformed: alert (the default)
check_eq "payload signature alerts, and an alert per 1-byte datagram to port 53" \
	"$(slow alerted)" "$(( $(want payload_alert) + dg ))"
check_eq "the rest passed" "$(slow passed)" \
	"$(( red - $(want dns_evil) - $(want payload_alert) - dg - fd ))"
check_eq "1-byte datagrams to port 53 alerted (dns_malformed) and counted as DNS errors" \
	"$(slow dns_errors)" "$dg"
check_eq "EVE: one drop alert per evil.com query, with dns.queries[0].rrname" \
	"$(grep -c '"rrname": *"www.evil.com"' "$eve")" "$(want dns_evil)"
check_eq "EVE: drop alerts say blocked and carry rule 100" \
	"$(grep '"signature_id": *100' "$eve" | grep -c '"action": *"blocked"')" "$(want dns_evil)"
check_eq "EVE: payload alerts are allowed, rule 500" \
	"$(grep '"signature_id": *500' "$eve" | grep -c '"action": *"allowed"')" "$(want payload_alert)"
check_eq "EVE: each inspected drop of the one-way flow alerts (rule 600)" \
	"$(grep -c '"signature_id": *600' "$eve")" "$fd"
check_eq "EVE: signature texts of a DNS rule, a payload signature, malformed DNS" \
	"$($py -c "import json,sys; print(sorted({(a['alert']['signature_id'], a['alert']['signature']) for a in map(json.loads, open(sys.argv[1]))}))" "$eve")" \
	"[(100, 'HYPERION DNS query for evil.com'), (500, 'HYPERION payload signature 500'), (600, 'HYPERION payload signature 600'), (2000003, 'HYPERION DNS to port 53 that does not parse as a query')]"
if attached; then nok "XDP program removed at exit"; else ok "XDP program removed at exit"; fi

# -- the same packets offline -------------------------------------------------
rlog=$tmp/replay.log reve=$tmp/replay-eve.json
timeout 60 "$app" "${eal_lcores[@]}" --no-huge -m 1024 --no-pci --file-prefix "${prefix}r" \
	--log-level lib.eal:error -- --pcap "$tmp/mix.pcap" --policy "$policy" --eve "$reve" \
	--metrics-port 0 \
	"$@" >"$rlog" 2>&1
sed 's/^/# replay: /' "$rlog" | tail -4
# the live count may hold frames the kernel sent on its own (pass_non_ip);
# the loop's own counters (rx, polls, cycles, the replay's prefilter) differ
verdicts() { grep "$1" "$2" | tail -1 | tr ' ' '\n' | grep "=" |
	grep -v "pass_non_ip\|^rx=\|^bursts=\|^empty_polls=\|_cycles=\|^prefiltered=" | sort; }
if [ "$(verdicts "fast path" "$log")" = "$(verdicts "fast path" "$rlog")" ] &&
   [ -n "$(verdicts "fast path" "$rlog")" ]; then ok "replay: the XDP verdicts equal the live run's"
else nok "replay: XDP verdicts" "live: $(verdicts "fast path" "$log" | tr '\n' ' ')" \
	"replay: $(verdicts "fast path" "$rlog" | tr '\n' ' ')"; fi
if [ "$(verdicts "slow path" "$log")" = "$(verdicts "slow path" "$rlog")" ] &&
   [ -n "$(verdicts "slow path" "$rlog")" ]; then
	ok "replay: the slow-path verdicts equal the live run's"
else nok "replay: slow-path verdicts" "live: $(verdicts "slow path" "$log" | tr '\n' ' ')" \
	"replay: $(verdicts "slow path" "$rlog" | tr '\n' ' ')"; fi
alerts() { $py -c "import json,sys; print(sorted((a['alert']['signature_id'], a['alert']['action'], (a.get('dns', {}).get('queries') or [{}])[0].get('rrname', '')) for a in map(json.loads, open(sys.argv[1]))))" "$1"; }
check_eq "replay: the same EVE alerts" "$(alerts "$reve")" "$(alerts "$eve")"
tap_done "ids live"
