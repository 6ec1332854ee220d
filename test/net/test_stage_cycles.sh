#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# --stage-cycles: every lcore's busy cycles split by stage, and nothing lost
# or made up: per lcore the stages and cyc_other add up to busy_cycles
# exactly (cyc_other is defined as the rest, so a stage counted outside the
# busy turn, or twice, breaks the sum); the stages a DNS query passes through
# are non-zero; the staged io lcore steers; off, every cyc_* stays 0.
# TAP; 77 = skip.
#   usage: test_stage_cycles.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypsc
pol=$tmp/policy.yaml
cat >"$pol" <<'Y'
fast_path:
  redirect_ports: [{protocol: 17, port: 53}]
slow_path:
  dns_rules:
    - {match: "blocked.example.net", action: drop, id: 7}
  payload_signatures:
    - {match: 'zzbenchnomatchzz', action: alert, id: 8}
Y
# lcores LOG: one line per lcore of the final statistics, "role ok|why
# stage=value ..." for the named stages
lcores() { $py - "$1" <<'P'
import re, sys
text = open(sys.argv[1]).read().split("== final statistics", 1)
if len(text) < 2:
    print("no-final-statistics"); sys.exit()
stages = ("rx defrag parse flow stream dns scan sigs app verdict eve output steer other").split()
for line in text[1].splitlines():
    m = re.match(r"\s+lcore (\d+) (\S+) busy=[\d.]+%:(.*)", line)
    if not m:
        continue
    kv = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(3))}
    total = sum(kv.get("cyc_" + s, 0) for s in stages)
    why = "ok" if total == kv["busy_cycles"] else "sum=%d,busy=%d" % (total, kv["busy_cycles"])
    print(m.group(2), why, " ".join("c_%s=%d" % (s, kv.get("cyc_" + s, 0))
                                    for s in stages + ["house"]), "packets=%d" % kv.get("rx", 0))
P
}
nonzero() { local l=$1 s v; shift; for s in "$@"; do
	v=$(echo "$l" | grep -o " c_$s=[0-9]*" | cut -d= -f2); [ "${v:-0}" -gt 0 ] || { echo "$s=0"; return; }; done; echo yes; }

echo "1..8"
# -- rtc, accounting on ---------------------------------------------------------
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 --pipeline rtc \
	--stage-cycles || { nok "started"; exit 1; }
traffic --only dns_query --count 200 >/dev/null
sleep 1
app_stop
line=$(lcores "$log" | grep "^rtc " | head -1)
check_eq "rtc: the stages and cyc_other add up to busy_cycles" "$(echo "$line" | cut -d' ' -f2)" ok
check_eq "rtc: a DNS query's stages counted (rx parse flow dns scan verdict output)" \
	"$(nonzero "$line" rx parse flow dns scan verdict output)" yes
check_eq "rtc: housekeeping between polls counted apart" "$(nonzero "$line" house)" yes
check_eq "rtc: nothing counted for stages it has not (stream, steer, app)" \
	"$(echo "$line" | grep -o " c_\(stream\|steer\|app\)=[0-9]*" | tr -d ' \n')" \
	"c_stream=0c_app=0c_steer=0"
# -- staged: an io lcore steering to workers ---------------------------------------------
app_start --lcores 0@0,1@1,2@1 -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 \
	--pipeline staged --io-lcores 1 --stage-cycles || { nok "started staged"; exit 1; }
traffic --only dns_query --count 200 >/dev/null
sleep 1
app_stop
out=$(lcores "$log")
check_eq "staged: every lcore's stages add up to its busy_cycles" \
	"$(echo "$out" | awk '$2 != "ok" { print }' | head -2)" ""
check_eq "staged: the io lcore received and steered" \
	"$(nonzero "$(echo "$out" | grep '^io ')" rx steer)" yes
check_eq "staged: the worker parsed and inspected" \
	"$(nonzero "$(echo "$out" | grep '^worker ' | head -1)" parse flow dns)" yes
# -- off: nothing counted --------------------------------------------------------
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 --pipeline rtc ||
	{ nok "started without"; exit 1; }
traffic --only dns_query --count 50 >/dev/null
sleep 0.5
app_stop
check_eq "without --stage-cycles every cyc_* stays 0" \
	"$(lcores "$log" | grep "^rtc " | grep -o "c_[a-z]*=[1-9][0-9]*" | head -3 | tr '\n' ' ')" ""
tap_done "stage_cycles"
