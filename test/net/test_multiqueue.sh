#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion --queues 2 on a 2-queue veth, one af_xdp port with two
# queues as on a NIC. DPDK 22.11's PMD counts queues by combined channels,
# which veth has none of; test/veth-channels (LD_PRELOAD) answers with
# min(rx, tx), as DPDK 25.07 does. Frames are steered to a queue by the
# sender's CPU (XPS on the sender's veth: CPU 0 -> tx queue 0 -> the DUT's
# rx queue 0, CPU 1 -> 1). Checks: each queue's socket is found at its
# set-up, counted per queue, polled by the lcore the layout gives it, and
# inspected; a queue whose socket ring overflows shows pressure 1, the other
# does not; the stop fences both. TAP; 77 = skip.
#   usage: test_multiqueue.sh BUILD_DIR SOURCE_DIR LCORES PIPELINE
#   rtc "0@0,1@1,2@1": two rtc lcores on one CPU (oversubscribed: 2 cores
#   are not enough for the control lcore and two pollers);
#   staged "0@0,1@1,2@1,3@0": an io lcore and two workers (oversubscribed)
set -u
build=$1 src=$2 lcores=${3:-0@0,1@1,2@1} layout=${4:-rtc}
. "$src/test/net/tap.sh"
# the preload comes before a sanitized build's ASan runtime: tell ASan that is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
eal_lcores_of "$lcores"
preload=$build/test/veth-channels/libhyp_veth_channels.so
[ -r "$preload" ] || skip_prereq "libhyp_veth_channels.so not built"
[ "$(nproc)" -ge 2 ] || skip_prereq "two CPUs to steer by"
export HYP_SANDBOX_QUEUES=2
net_open hypq
echo "# layout $layout on --lcores $lcores (oversubscribed: 2 CPUs)"
for q in 0 1; do
	ip netns exec "$HYP_NS_SRC" sh -c \
		"echo $((1 << q)) > /sys/class/net/$HYP_IF_SRC/queues/tx-$q/xps_cpus" ||
		skip_prereq "XPS on the sender's veth"
done
policy=$src/test/net/ids-policy.yaml
# send CPU N NAME: N DNS queries for NAME from CPU (so onto queue CPU)
send() { ip netns exec "$HYP_NS_SRC" taskset -c "$1" $py -c "
from scapy.all import Ether, IP, UDP, DNS, DNSQR, sendp
f = [Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
     UDP(sport=20000 + $1 * 20000 + i % 20000, dport=53) / DNS(rd=1, qd=DNSQR(qname='$3'))
     for i in range($2)]
sendp(f, iface='$HYP_IF_SRC', verbose=0)"; }
lc() { tele /hyperion/lcores "$1/$2"; }
# staged: one io lcore for both queues, two workers behind it
io=()
[ "$layout" = staged ] && io=(--io-lcores 1)

[ "$layout" = rtc ] && echo "1..14" || echo "1..15"
export HYP_VETH_CHANNELS_LOG=1
if LD_PRELOAD=$preload app_start "${eal_lcores[@]}" -- --iface "$HYP_IF_DUT" --queues 2 \
	--rx-desc 256 --policy "$policy" --pipeline "$layout" "${io[@]}"; then
	ok "started with --queues 2 on a 2-queue veth"
else nok "started with --queues 2"; exit 1; fi
unset HYP_VETH_CHANNELS_LOG
grep -q "veth-channels: $HYP_IF_DUT: combined 2 of 2" "$log" &&
	ok "the PMD saw 2 combined channels (the preload answered)" ||
	nok "the preload answered" "$(grep veth-channels "$log")"
fds=$(grep -o "queue [01]: AF_XDP socket fd [0-9]*" "$log" | awk '{print $NF}' | sort -u | wc -l)
check_eq "each queue's socket found at its set-up, two distinct descriptors" "$fds" 2
check_eq "telemetry: both sockets bound, copy mode (veth has no zero-copy)" \
	"$(tele /hyperion/xsk 0/0/socket 0/1/socket 0/0/mode 0/1/mode)" "1 1 copy copy"
grep "lcore roles" "$log" | sed 's/^/# /'
l0=$(tele /hyperion/xsk 0/0/lcore) l1=$(tele /hyperion/xsk 0/1/lcore)
if [ "$layout" = rtc ]; then
	check_eq "rtc: lcore 1 polls queue 0, lcore 2 queue 1" "$l0 $l1" "1 2"
else
	check_eq "staged: the io lcore polls both queues" "$l0 $l1" "1 1"
fi

n0=40 n1=90
send 0 "$n0" a.example
send 1 "$n1" www.evil.com
sleep 1.5
check_eq "per queue: what each CPU sent arrived on its queue ($n0/$n1)" \
	"$(tele /hyperion/xsk 0/0/rx 0/1/rx)" "$n0 $n1"
if [ "$layout" = rtc ]; then
	# run to completion: the lcore that polled a queue inspected its packets
	check_eq "rtc: lcore 1 inspected queue 0's, lcore 2 queue 1's (dropping its evil.com)" \
		"$(lc 1 inspected) $(lc 1 passed) $(lc 2 inspected) $(lc 2 dropped)" "$n0 $n0 $n1 $n1"
else
	# staged: the io lcore spreads by flow hash over both workers
	w2=$(lc 2 inspected) w3=$(lc 3 inspected)
	if [ "$((w2 + w3))" = $((n0 + n1)) ] && [ "$w2" -gt 0 ] && [ "$w3" -gt 0 ]; then
		ok "staged: both workers inspected, $w2 + $w3 = $((n0 + n1))"
	else nok "staged: workers inspected" "lcore 2: $w2, lcore 3: $w3"; fi
	check_eq "staged: the evil.com queries dropped whichever worker had them" \
		"$(( $(lc 2 dropped) + $(lc 3 dropped) ))" "$n1"
fi
m=$(ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 "http://127.0.0.1:2112/metrics")
metric() { grep -F "$1" <<<"$m" | head -1 | awk '{print $NF}'; }
check_eq "/metrics: per-queue rx with the polling lcore" \
	"$(metric "hyperion_afxdp_queue_rx_total{port=\"$HYP_IF_DUT\",queue=\"0\",lcore=\"$l0\"}")/$(metric "hyperion_afxdp_queue_rx_total{port=\"$HYP_IF_DUT\",queue=\"1\",lcore=\"$l1\"}")" \
	"$n0/$n1"
check_eq "/metrics: pressure, zero-copy and the kernel's six counters on both queues" \
	"$(grep -c "^hyperion_afxdp_rx_queue_pressure{port=\"$HYP_IF_DUT\",queue=\"[01]\"}" <<<"$m") $(grep -c "^hyperion_afxdp_zerocopy{.*} 0" <<<"$m") $(grep -c '^hyperion_afxdp_rx_ring_full_total{' <<<"$m")" \
	"2 2 2"

# queue 1's ring (256) overflows while the process is stopped; queue 0 is idle
kill -STOP "$app_pid"
send 1 1500 b.example
kill -CONT "$app_pid"
seen0=0 seen1=0
for i in $(seq 15); do
	sleep 0.3
	read -r o0 o1 p1 <<<"$(tele /hyperion/xsk 0/0/pressure_overflowed 0/1/pressure_overflowed 0/1/pressure_permille)"
	[ "$o0" = 1 ] && seen0=1
	[ "$o1" = 1 ] && [ "$p1" = 1000 ] && seen1=1
done
check_eq "the overflowed queue's pressure window said 1 (overflowed), the idle queue's never" \
	"$seen1 $seen0" "1 0"
full=$(tele /hyperion/xsk 0/1/rx_ring_full 0/0/rx_ring_full)
read -r f1 f0 <<<"$full"
if [ "$f1" -gt 0 ] 2>/dev/null && [ "$f0" = 0 ]; then
	ok "the kernel counted queue 1's ring full ($f1), queue 0's not"
else nok "rx_ring_full per queue" "queue 1/0: $full"; fi
# one queue fenced: its frames get the fail mode, the other queue's are redirected
echo "/hyperion/queue,fence,1" | dpdk-telemetry.py -f "$prefix" >/dev/null 2>&1
r0=$(tele /hyperion/xsk 0/0/rx) f0=$(xdp redirect_fallback)
send 0 10 c.example
send 1 10 d.example
sleep 0.5
check_eq "queue 1 fenced: its 10 get the fail mode, queue 0's 10 are polled as before" \
	"$(tele /hyperion/xsk 0/1/fenced 0/0/fenced) $(( $(xdp redirect_fallback) - f0 )) $(( $(tele /hyperion/xsk 0/0/rx) - r0 ))" \
	"1 0 10 10"
app_stop INT
check_eq "the stop fenced both queues" "$(grep -c 'stopping: fenced 2 queues' "$log")" 1
grep -q "== final statistics" "$log" && ok "drained and printed final statistics" ||
	nok "final statistics" "$(tail -3 "$log")"
tap_done "multiqueue $layout"
