#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# One wedged worker, the rest of the process alive: a SCHED_FIFO busy loop
# on the worker's CPU (the kernel's RT throttling, 950 ms of every 1,000,
# leaves the worker a 50 ms slice a second) for 2 s, while the control and
# telemetry threads on CPU 0 keep running. The heartbeat thread sees the
# worker's loop count stand still, withholds the heartbeat and names the
# lcore; the XDP watchdog (300 ms) then gives redirect candidates the fail
# mode; health says failed (lcore_stalled). When the loop ends, the worker
# moves again: heartbeats resume, candidates are redirected and inspected,
# health climbs back. TAP; 77 = skip.
#   usage: test_wedge.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
[ "$(nproc)" -ge 2 ] || skip_prereq "two CPUs (the worker's to wedge, the control's to watch)"
command -v chrt >/dev/null || skip_prereq "chrt (util-linux)"
rt=$(cat /proc/sys/kernel/sched_rt_runtime_us 2>/dev/null)
# without RT throttling a FIFO loop would own the CPU outright: never here
[ -n "$rt" ] && [ "$rt" -gt 0 ] && [ "$rt" -lt 1000000 ] ||
	skip_all "RT throttling is off (sched_rt_runtime_us $rt): a FIFO loop would not be bounded"
net_open hypw
pol=$tmp/policy.yaml
cat >"$pol" <<'Y'
fast_path:
  redirect_ports: [{protocol: 17, port: 53}]
runtime:
  watchdog_ms: 300
Y

echo "1..6"
# the main lcore (control) on CPU 0, the one data-path lcore on CPU 1
app_start -l 0-1 -- --iface "$HYP_IF_DUT" --policy "$pol" || { nok "started"; exit 1; }
# the sender on CPU 0 too: the veth's receive work runs where it sends
ip netns exec "$HYP_NS_SRC" taskset -c 0 $py "$src/usertools/hyperion-traffic.py" \
	--iface "$HYP_IF_SRC" --dst-mac "$HYP_MAC_DUT" --only dns_query --count 3600 --rate 400 \
	>"$tmp/sent.json" 2>/dev/null &
sender=$!
sleep 1
read -r wh0 <<<"$(tele /hyperion/watchdog heartbeats_withheld)"
read -r ef0 <<<"$(tele /hyperion/health entered_failed)"
w0=$(xdp watchdog)
timeout 2 chrt -f 50 taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
sleep 1.2
read -r wh1 st <<<"$(tele /hyperion/watchdog heartbeats_withheld stalled_lcore)"
read -r ef1 hs why <<<"$(tele /hyperion/health entered_failed state why)"
w1=$(xdp watchdog)
wait "$hog"
sleep 1.5
r0=$(xdp redirect) w2=$(xdp watchdog)
sleep 1
r1=$(xdp redirect) w3=$(xdp watchdog)
wait "$sender"
sleep 0.5
if [ $((wh1 - wh0)) -ge 5 ] && [ "$st" = 1 ]; then
	ok "the heartbeat thread withheld $((wh1 - wh0)) beats and named lcore 1"
else nok "heartbeats withheld" "withheld +$((wh1 - wh0)), stalled_lcore '$st'"; fi
# the state itself climbs back during the 50 ms slices the worker gets: the entry counts
if [ $((ef1 - ef0)) -ge 1 ] && grep -q "health: .* -> failed (lcore_stalled)" "$log"; then
	ok "the running control thread said so: health entered failed (lcore_stalled), now $hs ($why)"
else nok "health failed" "entered_failed +$((ef1 - ef0)), now $hs ($why)" "$(grep 'health:' "$log" | tail -3)"; fi
if [ $((w1 - w0)) -gt 0 ]; then ok "the XDP watchdog took over: $((w1 - w0)) candidates got the fail mode"
else nok "XDP watchdog" "watchdog +$((w1 - w0))"; fi
grep -q "lcore 1 made no progress" "$log" &&
	ok "a log line names the stalled lcore: $(grep -m1 -o 'lcore 1 made no progress.*' "$log" | cut -c1-90)" ||
	nok "log names the lcore" "$(tail -3 "$log")"
if [ $((r1 - r0)) -gt 20 ] && [ "$w3" = "$w2" ]; then
	ok "the loop ended: redirected again ($((r1 - r0)) in 1 s), the watchdog quiet"
else nok "recovered" "redirect +$((r1 - r0)), watchdog $w2 -> $w3"; fi
check_eq "every redirected candidate inspected" "$(tele /hyperion/stats slow/inspected)" \
	"$(xdp redirect)"
app_stop
tap_done "wedged worker"
