#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What keeps the EVE log honest under a flood, as an operator meets it.
# Thresholds: a drop rule limited to 3 alerts per source and minute, an
# alert rule that speaks every 10th match per destination, and one without
# a threshold, from two sources; the verdicts stay (every match dropped),
# the alerts are cut as Suricata's threshold types say, the windows go on
# across a SIGHUP reload. A full disk: the log on a small tmpfs filled up,
# a flood of alert-only matches and then drop matches; nothing is written,
# the flood overflows the shared slots, every drop alert still gets one of
# the reserved slots; once there is room every kept alert is written,
# whole. TAP; 77 = skip.
#   usage: test_eve_limits.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypel
pol=$tmp/policy.yaml
cat >"$pol" <<'YAML'
fast_path:
  redirect_ports: [{protocol: 17, port: 53}]
slow_path:
  dns_rules:
    - {match: "evil.com", action: drop, id: 9,
       threshold: {type: limit, track: by_src, count: 3, seconds: 60}}
    - {match: "watch.example", action: alert, id: 11,
       threshold: {type: threshold, track: by_dst, count: 10, seconds: 60}}
    - {match: "plain.example", action: alert, id: 12}
    - {match: "noise.example", action: alert, id: 13}
    - {match: "evil2.com", action: drop, id: 14}
YAML

# send NAME COUNT SRC RATE: COUNT queries for NAME (a label per query) from SRC
send() {
	ip netns exec "$HYP_NS_SRC" $py -c "
import time
from scapy.all import Ether, IP, UDP, DNS, DNSQR, conf, raw
s = conf.L2socket(iface='$HYP_IF_SRC')
f = [raw(Ether(dst='$HYP_MAC_DUT') / IP(src='$3', dst='198.18.0.2') /
         UDP(sport=20000 + i % 40000, dport=53) / DNS(rd=1, qd=DNSQR(qname='q%d.$1' % i)))
     for i in range($2)]
t0 = time.monotonic()
for i, b in enumerate(f):
    if $4 > 0:
        d = t0 + i / $4 - time.monotonic()
        if d > 0:
            time.sleep(d)
    s.send(b)
"; }
sids() { $py -c "import json,sys,collections
c = collections.Counter()
for l in open(sys.argv[1]):
    c[json.loads(l)['alert']['signature_id']] += 1
print(' '.join('%d:%d' % (k, c[k]) for k in sorted(c)))" "$1"; }
metric() { ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 http://127.0.0.1:2112/metrics |
	awk -v m="$1" '$1 == m { print $2; f = 1 } END { if (!f) print "missing:" m }'; }

echo "1..14"
eve=$tmp/eve.json
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --eve "$eve" || { nok "started"; exit 1; }
send evil.com 20 198.18.0.1 300
send evil.com 20 198.18.0.3 300
send watch.example 25 198.18.0.1 300
send plain.example 5 198.18.0.1 300
sleep 1
check_eq "hits: every match decided (9, 11, 12)" \
	"$(tele /hyperion/rules rule_9/hits rule_11/hits rule_12/hits)" "40 25 5"
check_eq "every evil.com query dropped, thresholded or not" "$(tele /hyperion/stats slow/dropped)" 40
check_eq "alerts per sid: 3 per source for 9, every 10th for 11, all for 12" "$(sids "$eve")" \
	"9:6 11:2 12:5"
check_eq "threshold counters: checked, alerted, suppressed" \
	"$(tele /hyperion/stats threshold/checked threshold/alerted threshold/suppressed)" "65 8 57"
check_eq "the same in /metrics" \
	"$(metric 'hyperion_threshold_total{result="suppressed"}') $(metric 'hyperion_threshold_total{result="alerted"}')" \
	"57 8"
check_eq "/hyperion/rules shows a rule's threshold" \
	"$(tele /hyperion/rules rule_9/threshold_type rule_9/threshold_track rule_9/threshold_count rule_9/threshold_seconds rule_12/threshold_type)" \
	"limit by_src 3 60 missing:rule_12/threshold_type"
gens=$(grep -c "loaded (generation" "$log")
kill -HUP "$app_pid"
for i in $(seq 100); do [ "$(grep -c "loaded (generation" "$log")" -gt "$gens" ] && break; sleep 0.05; done
send evil.com 5 198.18.0.1 300
send evil.com 2 198.18.0.5 300
sleep 1
check_eq "after a reload the window goes on: no new alert for .1, a new source gets its 2" \
	"$(sids "$eve")" "9:8 11:2 12:5"
app_stop

# ---- a full disk ----
disk=$tmp/disk
mkdir -p "$disk"
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$disk" || { nok "tmpfs" "mount failed"; exit 1; }
net_on_exit "umount -l '$disk' 2>/dev/null"
eve=$disk/eve.json
rm -f "$log"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --eve "$eve" || { nok "started on the small disk"; exit 1; }
send plain.example 1 198.18.0.1 0
sleep 0.5
dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null
# 6,000 alert-only matches: more than the 3,072 shared slots; then 300 drops
send noise.example 6000 198.18.0.1 0
send evil2.com 300 198.18.0.1 0
sleep 1
read -r written lost lost_drops retrying werr <<<"$(tele /hyperion/stats eve/written eve/lost eve/lost_drops eve/retrying eve/write_errors)"
read -r h13 h14 <<<"$(tele /hyperion/rules rule_13/hits rule_14/hits)"
echo "# disk full: written $written lost $lost lost_drops $lost_drops retrying $retrying write_errors $werr; hits 13: $h13 14: $h14"
[ "$retrying" = 1 ] && [ "$werr" -ge 1 ] && [ "$written" -le 50 ] &&
	ok "a full disk: the writer keeps the lines and retries ($werr failed writes)" ||
	nok "disk full" "written $written retrying $retrying write_errors $werr"
[ "$h13" -gt 3200 ] && [ "$lost" -gt 0 ] && [ "$lost" -lt "$h13" ] &&
	ok "the alert flood overflowed the queue: $lost of $h13 lost, counted" ||
	nok "flood" "hits $h13 lost $lost"
check_eq "every drop alert got a reserved slot ($h14 drops)" "$lost_drops $((h14 >= 250))" "0 1"
grep -q "alerts kept, retrying" "$log" && ok "the failure is logged once: $(grep -c 'alerts kept, retrying' "$log") line" ||
	nok "log" "$(tail -3 "$log")"
rm -f "$disk/filler"
total=$((1 + h13 + h14))
# the writer retries within a second, then drains the queue (slower sanitized)
for i in $(seq 100); do
	read -r written lost errors retrying <<<"$(tele /hyperion/stats eve/written eve/lost eve/errors eve/retrying)"
	[ "$retrying" = 0 ] && [ $((written + lost)) -ge "$total" ] && break
	sleep 0.2
done
check_eq "room again: every kept alert written, none given up (written + lost = matches)" \
	"$retrying $errors $((written + lost))" "0 0 $total"
lines=$(wc -l <"$eve")
valid=$($py -c "import json,sys
n = 0
for l in open(sys.argv[1]):
    if l.endswith('\n'):
        json.loads(l); n += 1
print(n)" "$eve" 2>/dev/null)
check_eq "the file holds exactly the written lines, each whole JSON" "$lines $valid" "$written $written"
check_eq "every drop alert is in the file" "$(sids "$eve" | tr ' ' '\n' | awk -F: '$1 == 14 { print $2 }')" "$h14"
app_stop
tap_done "eve limits"
