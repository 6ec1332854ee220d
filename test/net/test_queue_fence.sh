#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Taking a queue out of service and back, by hand, with
# usertools/hyperion-queue (and the /hyperion/queue telemetry command under
# it): --dry-run changes nothing; fence deletes the queue's xsks_map entry,
# so its redirect candidates get the fail mode (redirect_fallback) while the
# socket stays; veth has no RSS table, which the tool reports as unsupported
# rather than pretending; drain settles; unfence puts the same socket back;
# a fence under load loses no count; interface-wide recovery (link down/up)
# keeps the socket; re-creating a queue's socket is refused with the PMD's
# reason; hostile telemetry parameters are refused and change nothing; the
# graceful stop refuses an unfence. TAP; 77 = skip.
#   usage: test_queue_fence.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypf
tool=$src/usertools/hyperion-queue
q() { ip netns exec "$HYP_NS_DUT" /usr/bin/python3 "$tool" -f "$prefix" "$@"; }
tq() { echo "/hyperion/queue,$1" | dpdk-telemetry.py -f "$prefix" 2>/dev/null | $py -c "
import json, sys
for l in sys.stdin:
    if l.startswith('{'):
        r = json.loads(l)['/hyperion/queue']
        print(r.get('result'), r.get('error', r.get('note', '')))"; }
fenced() { tele /hyperion/xsk 0/0/fenced; }
dns() { traffic --only dns_query --count "$1" >/dev/null; }

echo "1..17"
app_start -- --iface "$HYP_IF_DUT" --policy "$src/test/net/ids-policy.yaml" ||
	{ nok "started"; exit 1; }
out=$(q --dry-run fence 0); rc=$?
dns 5
if [ "$rc" = 0 ] && grep -q "dry run: nothing changed" <<<"$out" && [ "$(fenced)" = 0 ] &&
   [ "$(xdp redirect)" = 5 ]; then ok "--dry-run: the steps printed, nothing fenced, 5 redirected"
else nok "--dry-run" "rc $rc, fenced $(fenced), redirect $(xdp redirect)" "$out"; fi
out=$(q fence 0); rc=$?
echo "$out" | sed 's/^/# /'
check_eq "fence: exit 0, the xsks_map step done and checked" \
	"$rc $(grep -c 'xsks_map: fence queue 0: ok\|check queue 0: ok: fenced' <<<"$out")" "0 2"
grep -q "RSS: withdraw queue 0: unsupported: $HYP_IF_DUT has no RSS indirection table" <<<"$out" &&
	ok "veth has no RSS table: reported as unsupported, not faked" ||
	nok "RSS unsupported on veth" "$out"
check_eq "telemetry and /metrics say fenced" "$(fenced) $(ip netns exec "$HYP_NS_DUT" curl -s \
	--max-time 5 http://127.0.0.1:2112/metrics | grep -c "^hyperion_afxdp_queue_fenced{port=\"$HYP_IF_DUT\",queue=\"0\"} 1")" "1 1"
dns 20
check_eq "fenced: 20 queries get the fail mode (redirect_fallback, passed), none redirected" \
	"$(xdp redirect_fallback) $(xdp redirect_fallback 4) $(xdp redirect)" "20 0 5"
out=$(q drain 0); rc=$?
grep -q "drain queue 0: ok" <<<"$out" && [ "$rc" = 0 ] && ok "drain settled: ${out%%$'\n'*}" ||
	nok "drain" "rc $rc" "$out"
out=$(q unfence 0); rc=$?
dns 10
check_eq "unfence: the same socket back, 10 more redirected" \
	"$rc $(fenced) $(xdp redirect) $(xdp redirect_fallback)" "0 0 15 20"
# under load: 300 queries at 300/s while the queue is fenced and unfenced
r0=$(xdp redirect) f0=$(xdp redirect_fallback)
traffic --only dns_query --count 300 --rate 300 >/dev/null &
sender=$!
sleep 0.3; q fence 0 >/dev/null; sleep 0.3; q unfence 0 >/dev/null
wait "$sender"
sleep 0.3
dr=$(( $(xdp redirect) - r0 )) df=$(( $(xdp redirect_fallback) - f0 ))
mkdir -p "$build/faults"
{
	echo "scenario,fail_mode,measure,value,unit"
	echo "fence_under_load,open,offered,300,packets"
	echo "fence_under_load,open,redirected,$dr,packets"
	echo "fence_under_load,open,fail_mode_while_fenced,$df,packets"
	echo "fence_under_load,open,lost,$((300 - dr - df)),packets"
} >"$build/faults/queue_fence.csv"
if [ $((dr + df)) = 300 ] && [ "$df" -gt 0 ] && [ "$dr" -gt 0 ]; then
	ok "fence/unfence under load: $dr redirected + $df fail mode = 300, none lost"
else nok "fence under load" "redirect $dr, fallback $df (want a split of 300)"; fi
check_eq "the slow path inspected exactly what was redirected" \
	"$(tele /hyperion/stats slow/inspected)" "$(xdp redirect)"
out=$(q recover); rc=$?
dns 10
check_eq "recover: link down/up, the socket still bound, traffic redirected again" \
	"$rc $(grep -c 'sockets: ok' <<<"$out") $(( $(xdp redirect) - r0 - dr ))" "0 1 10"
bad=""
for args in "fence" "fence 64" "fence -1" "fence abc" "bogus 0" "drain 0 --timeout-ms 10001" \
	"fence 0 1"; do
	out=$(q $args 2>&1); rc=$?
	[ $rc = 2 ] && grep -q "usage:" <<<"$out" || bad="$bad [$args -> $rc: $(tail -1 <<<"$out")]"
done
out=$(q fence 5 2>&1); rc=$?
[ $rc = 1 ] && grep -q "queue 5 is not served" <<<"$out" || bad="$bad [fence 5 -> $rc: $out]"
[ -z "$bad" ] && ok "hyperion-queue: seven bad argument lists refused (exit 2), a queue not served (exit 1)" ||
	nok "hyperion-queue bad args" "$bad"
out=$(q recreate 0); rc=$?
check_eq "recreate: refused as unsupported with the PMD's reason (exit 3)" \
	"$rc $(grep -c 'never frees a non-shared UMEM' <<<"$out")" "3 1"
# hostile parameters: each refused, nothing changed
bad=0
for p in "fence,99" "fence,-1" "fence,abc" "fence,0,1" "fence" "drain,0,99999" "unfence,0x0" \
	"fence,00000000001" "nuke,0" "fence,$(head -c 300 /dev/zero | tr '\0' 9)" ","; do
	r=$(tq "$p")
	case $r in refused*) ;; *) bad=$((bad + 1)); echo "# accepted: '$p' -> $r";; esac
done
check_eq "11 hostile /hyperion/queue parameters refused, queue still serving" "$bad $(fenced)" "0 0"
check_eq "drain of a queue that is not fenced is refused" "$(tq drain,0)" \
	"refused the queue is not fenced: fence it first"
check_eq "a queue nobody serves" "$(tq fence,7)" "refused no af_xdp port serves queue 7"
q fence 0 >/dev/null
app_stop INT
grep -q "stopping: fenced 1 queue" "$log" && ok "the stop fenced, a queue fenced by hand too" ||
	nok "stop" "$(tail -3 "$log")"
check_eq "dpdk-hyperion ran to the end (final statistics)" \
	"$(grep -c '== final statistics' "$log")" 1
tap_done "queue fence"
