#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The EVE log under Debian's real logrotate, with the shipped
# config/logrotate.d/dpdk-hyperion (its path and its signal pointed at this
# instance): 1,200 alerts, each for its own name, while the log is rotated
# twice; every alert is in exactly one of the three files, none lost, none
# twice. The file is made 0640; a symbolic link planted at the path is
# refused at start and at a reopen (the old file stays in use, counted);
# telemetry /hyperion/eve_reopen answers. TAP; 77 = skip.
#   usage: test_eve_rotate.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
lr=/usr/sbin/logrotate
[ -x "$lr" ] || skip_prereq "needs logrotate (usertools/hyperion-deps.sh)"
net_open hype
logdir=$tmp/log
mkdir -p "$logdir"
eve=$logdir/eve.json
pol=$tmp/policy.yaml
printf 'fast_path:\n  redirect_ports: [{protocol: 17, port: 53}]\nslow_path:\n  dns_rules: [{match: "evil.com", action: drop, id: 9}]\n' >"$pol"
alerts=1200

echo "1..9"
ln -s /etc/passwd "$eve"
out=$(ip netns exec "$HYP_NS_DUT" timeout 20 "$app" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "${prefix}s" -- --iface "$HYP_IF_DUT" --eve "$eve" --metrics-port 0 2>&1)
rm -rf "/var/run/dpdk/${prefix}s"
grep -q "cannot open the EVE log" <<<"$out" && ok "a symbolic link at the EVE path is refused at start" ||
	nok "symlink at start" "$(tail -2 <<<"$out")"
rm -f "$eve"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --eve "$eve" || { nok "started"; exit 1; }
check_eq "the log is created 0640" "$(stat -c %a "$eve")" 640
# the shipped rotation, pointed at this file and this process
sed -e "s|/var/log/dpdk-hyperion/eve.json|$eve|" \
	-e "s|systemctl kill --signal=USR1 dpdk-hyperion.service 2>/dev/null \\|\\||kill -USR1 $app_pid \\|\\||" \
	-e "s|create 0640 root adm|create 0640 root root|" \
	"$src/config/logrotate.d/dpdk-hyperion" >"$tmp/logrotate.conf"
grep -q "kill -USR1 $app_pid" "$tmp/logrotate.conf" || nok "the shipped logrotate file has the postrotate it documents"
ip netns exec "$HYP_NS_SRC" $py -c "
import time
from scapy.all import Ether, IP, UDP, DNS, DNSQR, conf
s = conf.L2socket(iface='$HYP_IF_SRC')
t0 = time.monotonic()
for i in range($alerts):
    d = t0 + i / 300.0 - time.monotonic()
    if d > 0:
        time.sleep(d)
    s.send(Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
           UDP(sport=20000 + i % 40000, dport=53) / DNS(rd=1, qd=DNSQR(qname='q%d.evil.com' % i)))
" &
sender=$!
sleep 1.2
"$lr" -f -s "$tmp/lr.state" "$tmp/logrotate.conf" || nok "logrotate 1"
sleep 1.3
"$lr" -f -s "$tmp/lr.state" "$tmp/logrotate.conf" || nok "logrotate 2"
wait "$sender"
sleep 1
ls -la "$logdir" | sed 's/^/# /'
names() { zcat -f "$@" 2>/dev/null | $py -c "import json,sys
for l in sys.stdin:
    print(json.loads(l)['dns']['queries'][0]['rrname'])"; }
a=$(names "$logdir/eve.json.2.gz" | wc -l) b=$(names "$logdir/eve.json.1" | wc -l) c=$(names "$eve" | wc -l)
all=$(names "$logdir/eve.json.2.gz" "$logdir/eve.json.1" "$eve" | sort)
if [ "$a" -gt 0 ] && [ "$b" -gt 0 ] && [ "$c" -gt 0 ]; then
	ok "two rotations under traffic: $a + $b + $c lines in the three files"
else nok "rotations" "lines per file: $a $b $c"; fi
check_eq "every alert in exactly one file: none lost, none twice" \
	"$(wc -l <<<"$all") $(uniq <<<"$all" | wc -l)" "$alerts $alerts"
check_eq "the process reopened twice, and counted it" \
	"$(grep -c 'eve.json: reopened' "$log") $(ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 http://127.0.0.1:2112/metrics | awk '/^hyperion_eve_reopens_total\{result="ok"\}/ {print $2}')" "2 2"
check_eq "the new file is 0640 too" "$(stat -c %a "$eve")" 640
# somebody plants a link where the log is to be reopened
mv "$eve" "$eve.old"
ln -s /etc/passwd "$eve"
r=$(echo /hyperion/eve_reopen | dpdk-telemetry.py -f "$prefix" 2>/dev/null | $py -c "import json,sys
for l in sys.stdin:
    if l.startswith('{'): r = json.loads(l)['/hyperion/eve_reopen']; print(r['result'], r.get('error', ''))")
case $r in "failed reopening the EVE log: Too many levels of symbolic links") ok "a reopen onto a planted link is refused: $r";;
	*) nok "reopen onto a link" "$r";; esac
[ "$(grep -c evil /etc/passwd)" = 0 ] &&
	ok "and nothing was written through it" || nok "wrote through the link"
rm -f "$eve"
r=$(echo /hyperion/eve_reopen | dpdk-telemetry.py -f "$prefix" 2>/dev/null | grep -o '"result": "[a-z]*"')
check_eq "with the link gone, /hyperion/eve_reopen works" "$r" '"result": "ok"'
app_stop
tap_done "eve rotate"
