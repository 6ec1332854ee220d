#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Suricata rule files in a running instance, as an operator uses them: the
# policy names a rules file and a classification.config beside it; DNS
# queries, UDP payloads and a drop rule from the sender namespace; the EVE
# lines carry each rule's sid, rev, gid, category and severity (and a
# threshold cuts a noisy one); telemetry and /metrics count the rules; a
# reload with a rule file gone is refused and the running rules stay; a
# SIGHUP with an edited file takes the new rules; a detection_filter holds
# a drop rule back (verdict and alert) until its count; --rules-report says what
# loaded. TAP; 77 = skip.
#   usage: test_rules_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hyprl
mkdir -p "$tmp/et"
pol=$tmp/policy.yaml eve=$tmp/eve.json
cat >"$tmp/et/local.rules" <<'RULES'
# local rules
alert dns any any -> any any (msg:"LOCAL DNS lookup of a bad domain"; dns.query; content:"bad-domain"; nocase; classtype:bad-unknown; sid:3000001; rev:2;)
alert udp $HOME_NET any -> any 9999 (msg:"LOCAL beacon"; content:"BEACON"; depth:6; \
    classtype:trojan-activity; threshold: type limit, track by_src, count 2, seconds 60; sid:3000002; rev:1;)
drop udp any any -> any 9999 (msg:"LOCAL kill switch"; content:"KILL"; priority:1; sid:3000003;)
alert smb any any -> any any (msg:"needs SMB"; content:"x"; sid:3000004;)
alert udp any any -> any 7777 (msg:"LOCAL greeting"; content:"HELLO"; flowbits:set,greeted; flowbits:noalert; sid:3000006;)
alert udp any any -> any 7777 (msg:"LOCAL again after a greeting"; content:"AGAIN"; flowbits:isset,greeted; sid:3000007;)
drop udp any any -> any 7778 (msg:"LOCAL login flood"; content:"LOGIN"; detection_filter: track by_src, count 3, seconds 60; sid:3000008;)
RULES
cat >"$tmp/et/classification.config" <<'CLS'
config classification: bad-unknown,Potentially Bad Traffic, 2
config classification: trojan-activity,A Network Trojan was detected, 1
CLS
cat >"$pol" <<'YAML'
fast_path:
  redirect_ports: [{protocol: 17, port: 53}, {protocol: 17, port: 9999}, {protocol: 17, port: 7777}, {protocol: 17, port: 7778}]
slow_path:
  rule_files: [et/local.rules]
  rule_vars: {HOME_NET: "[198.18.0.0/15]"}
YAML
udp() { ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, Raw, conf
s = conf.L2socket(iface='$HYP_IF_SRC')
for i in range($2):
    s.send(Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
           UDP(sport=30000 + i, dport=9999) / Raw(b'$1'))"; }
dns() { ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, DNS, DNSQR, conf
s = conf.L2socket(iface='$HYP_IF_SRC')
for i in range($2):
    s.send(Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
           UDP(sport=31000 + i, dport=53) / DNS(rd=1, qd=DNSQR(qname='q%d.$1' % i)))"; }
sids() { $py -c "import json,sys,collections
c = collections.Counter(json.loads(l)['alert']['signature_id'] for l in open(sys.argv[1]))
print(' '.join('%d:%d' % (k, c[k]) for k in sorted(c)))" "$eve"; }
metric() { ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 http://127.0.0.1:2112/metrics |
	awk -v m="$1" '$1 == m { print $2; f = 1 } END { if (!f) print "missing:" m }'; }
gens() { grep -c "loaded (generation" "$log"; }
hup() {
	local g0
	g0=$(gens)
	kill -HUP "$app_pid"
	for _ in $(seq 100); do [ "$(gens)" -gt "$g0" ] || grep -q "reload failed\|refused" "$log" && break; sleep 0.05; done
	sleep 0.2
}

echo "1..16"
out=$(ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "${prefix}r" \
	--log-level lib.eal:error -- --policy "$pol" --rules-report 2>/dev/null)
rm -rf "/var/run/dpdk/${prefix}r"
check_eq "--rules-report: its first line, and the skip by keyword" \
	"$(head -1 <<<"$out") | $(grep -c '^  protocol smb  *1$' <<<"$out")" "rules: 6 loaded, 1 skipped | 1"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --eve "$eve" || { nok "started"; exit 1; }
dns bad-domain.example 3
udp BEACON-1 5
udp KILL-ME 4
dns good.example 2
sleep 1
check_eq "EVE per sid: 3 DNS alerts, the beacon cut to 2 by its threshold, 4 drops" "$(sids)" \
	"3000001:3 3000002:2 3000003:4"
line=$($py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['alert']['signature_id'] == 3000001:
        a = e['alert']; print(a['gid'], a['rev'], a['severity'], a['category'], e['dns']['queries'][0]['rrname']); break" "$eve")
check_eq "a DNS rule's alert: gid, rev, severity and category from classification.config, the name" \
	"$line" "1 2 2 Potentially Bad Traffic q0.bad-domain.example"
check_eq "the drop rule: priority 1 as severity, action blocked" \
	"$($py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['alert']['signature_id'] == 3000003: print(e['alert']['severity'], e['alert']['action']); break" "$eve")" "1 blocked"
check_eq "the drops were dropped" "$(tele /hyperion/stats slow/dropped)" 4
check_eq "/hyperion/rules: hits per Suricata rule (every match, thresholded or not)" \
	"$(tele /hyperion/rules rule_3000001/hits rule_3000002/hits rule_3000003/hits)" "3 5 4"
check_eq "/hyperion/rules/report: loaded, skipped, errors, the skip by keyword" \
	"$(tele /hyperion/rules/report loaded skipped errors skipped_by_keyword/protocol_smb)" "6 1 0 1"
check_eq "/metrics: the Suricata rules matched 12 times" \
	"$(metric 'hyperion_rules_total{result="matches"}') $(metric 'hyperion_rules_total{result="step_limit"}')" "12 0"
# the file goes away: the reload is refused, the running rules stay
mv "$tmp/et/local.rules" "$tmp/et/local.rules.off"
hup
grep -q "rule_files\[0\].*No such file" "$log" && ok "a reload without its rule file is refused, and says why" ||
	nok "refused reload" "$(grep -i 'reload\|rule_files' "$log" | tail -3)"
udp KILL-AGAIN 2
sleep 0.5
check_eq "the running rules still drop" "$(tele /hyperion/stats slow/dropped)" 6
# an edited file: the kill switch is an alert now, a new rule is in
sed -e 's/^drop udp any any -> any 9999/alert udp any any -> any 9999/' "$tmp/et/local.rules.off" >"$tmp/et/local.rules"
echo 'alert udp any any -> any 9999 (msg:"LOCAL new"; content:"NEWRULE"; sid:3000005;)' >>"$tmp/et/local.rules"
hup
udp KILL-ALERT 2
udp NEWRULE 1
sleep 0.5
check_eq "SIGHUP with an edited file: kill switch alerts, no drop; the new rule alerts" \
	"$(tele /hyperion/stats slow/dropped) $(sids)" "6 3000001:3 3000002:2 3000003:8 3000005:1"
check_eq "hits carried across the reload by sid" "$(tele /hyperion/rules rule_3000003/hits)" 8
# flowbits per flow: a greeting then "AGAIN" on one 5-tuple alerts; "AGAIN" on another does not
ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, Raw, conf
s = conf.L2socket(iface='$HYP_IF_SRC')
for sport, pl in ((41000, b'HELLO'), (41000, b'AGAIN'), (41001, b'AGAIN'), (41000, b'AGAIN')):
    s.send(Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
           UDP(sport=sport, dport=7777) / Raw(pl))"
sleep 0.5
check_eq "flowbits across a flow's packets: 2 alerts for the greeted flow, none for the other, none for the setter" \
	"$(sids | tr ' ' '\n' | grep -E '^300000[67]:' | tr '\n' ' ')" "3000007:2 "
# detection_filter: a drop rule that holds from its 4th match on a source, the verdict too
d0=$(tele /hyperion/stats slow/dropped)
ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, Raw, conf
s = conf.L2socket(iface='$HYP_IF_SRC')
for i, src in enumerate(['198.18.0.1'] * 10 + ['198.18.0.9'] * 2):
    s.send(Ether(dst='$HYP_MAC_DUT') / IP(src=src, dst='198.18.0.2') /
           UDP(sport=42000 + i, dport=7778) / Raw(b'LOGIN root'))"
sleep 0.5
check_eq "detection_filter count 3: 10 logins from one source, 2 from another: 7 dropped and alerted, 5 let through" \
	"$(( $(tele /hyperion/stats slow/dropped) - d0 )) $(sids | tr ' ' '\n' | grep '^3000008:')" "7 3000008:7"
check_eq "/metrics: the matches a detection_filter held back" \
	"$(metric 'hyperion_rules_total{result="filtered"}')" 5
app_stop
grep -q "== final statistics" "$log" && ok "stopped cleanly" || nok "stop" "$(tail -3 "$log")"
tap_done "rules live"
