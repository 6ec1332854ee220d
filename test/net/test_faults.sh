#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Fault injection under load, measured: each scenario asserts figures read
# from the XDP program's counters and telemetry, and writes what it measured
# to $BUILD/faults/faults.csv (scenario,fail_mode,measure,value,unit), the
# numbers doc/failure-modes.md quotes. Load: hyperion-blast at line rate
# (DNS to port 53, a redirect candidate) or hyperion-traffic at a set rate;
# a blocklisted source at 200/s throughout. Bounds are generous (a shared
# 2-core machine): they say the mechanism works, the CSV says how fast.
#   SIGKILL under load, fail-open and fail-closed: redirect candidates get
#     the fail mode as soon as the dead process's sockets are gone, the
#     blocklist never stops;
#   SIGSTOP/SIGCONT with a 300 ms watchdog: candidates go to the fail mode
#     once the heartbeat is stale, and are redirected again after SIGCONT;
#   graceful stop in fail-closed under load: the kept program drops the
#     candidates and the blocklisted source;
#   saturation: line rate into a 256-slot ring: degraded entered and
#     counted, healthy again when the load stops;
#   mbuf pool starvation (--mbufs): counted as rx_nombuf, no crash, the
#     queue recovers;
#   link down/up during traffic: the socket survives, traffic resumes;
#   ethtool -L below a bound queue: refused by the kernel, nothing breaks.
# TAP; 77 = skip.
#   usage: test_faults.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
# the preload comes before a sanitized build's ASan runtime: tell ASan that is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
blast=$build/usertools/hyperion-blast/hyperion-blast
need_exe "$blast"
net_open hypx
csvdir=$build/faults
mkdir -p "$csvdir"
csv=$csvdir/faults.csv
echo "scenario,fail_mode,measure,value,unit" >"$csv"
row() { echo "$1,$2,$3,$4,$5" >>"$csv"; echo "# csv: $1,$2,$3,$4,$5"; }
pol=$tmp/policy.yaml
mkpol() {
	cat >"$pol" <<Y
fast_path:
  drop_ips: ["198.51.100.42"]
  redirect_ports: [{protocol: 17, port: 53}]
runtime:
  fail_mode: $1
  watchdog_ms: ${2:-0}
Y
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# wait_grow REASON COL BASE MS: ms until the counter passes BASE (or -1)
wait_grow() {
	local t0 v
	t0=$(now_ms)
	while [ $(( $(now_ms) - t0 )) -lt "$4" ]; do
		v=$(xdp "$1" "$2")
		[ "$v" -gt "$3" ] 2>/dev/null && { echo $(( $(now_ms) - t0 )); return; }
		sleep 0.01
	done
	echo -1
}
blocked_load() {	# the blocklisted source, 200/s for $1 s; what it sent: $tmp/bl.json
	traffic --only blocklisted --count $(( 200 * $1 )) --rate 200 >"$tmp/bl.json" 2>"$tmp/bl.err" &
	bl_pid=$!
}
bl_sent() { $py -c "import json; print(json.load(open('$tmp/bl.json')).get('blocklisted', 0))" 2>/dev/null || echo 0; }
blast_load() {	# line-rate DNS for $1 s
	ip netns exec "$HYP_NS_SRC" "$blast" -i "$HYP_IF_SRC" --dmac "$HYP_MAC_DUT" \
		--src 198.18.0.1 --dst 198.18.0.2 --dport 53 -s "$1" >"$tmp/blast.json" 2>/dev/null &
	blast_pid=$!
}
dns_load() {	# DNS at $1/s for $2 s; what it sent: $tmp/dns.json
	traffic --only dns_query --count $(( $1 * $2 )) --rate "$1" >"$tmp/dns.json" 2>"$tmp/dns.err" &
	dns_pid=$!
}
dns_sent() { $py -c "import json; print(json.load(open('$tmp/dns.json')).get('dns_query', 0))" 2>/dev/null || echo 0; }
start() { app_start -- --iface "$HYP_IF_DUT" --policy "$pol" "$@" || { nok "started"; exit 1; }; }

echo "1..15"

# -- SIGKILL under load ---------------------------------------------------------
for mode in open closed; do
	mkpol "$mode" 300
	start
	blocked_load 3
	blast_load 2
	sleep 0.7
	f0=$(xdp redirect_fallback) b0=$(xdp blocklist_src) r0=$(xdp redirect)
	kill -KILL "$app_pid"
	ms=$(wait_grow redirect_fallback 2 "$f0" 2000)
	r1=$(xdp redirect)
	wait "$blast_pid" 2>/dev/null
	wait "$bl_pid" 2>/dev/null
	b1=$(xdp blocklist_src) f1=$(xdp redirect_fallback) fd=$(xdp redirect_fallback 4)
	row sigkill "$mode" kill_to_fail_mode_ms "$ms" ms
	row sigkill "$mode" redirected_into_dead_socket "$((r1 - r0))" packets
	row sigkill "$mode" fail_mode_after_kill "$((f1 - f0))" packets
	row sigkill "$mode" blocklist_drops_after_kill "$((b1 - b0))" packets
	# fail-open passes every fallback (dropped 0); fail-closed drops them all
	want_fd=0
	[ "$mode" = closed ] && want_fd=$f1
	bs=$(bl_sent)
	[ -s "$tmp/bl.err" ] && sed 's/^/# blocklisted sender: /' "$tmp/bl.err" | tail -3
	# every blocklisted frame sent was dropped, before the kill and after
	if [ "$ms" -ge 0 ] && [ "$ms" -lt 1000 ] && [ $((b1 - b0)) -gt 0 ] && [ "$b1" = "$bs" ] &&
	   [ $((f1 - f0)) -gt 0 ] && [ "$fd" = "$want_fd" ]; then
		ok "SIGKILL, fail-$mode: the fail mode after $ms ms ($((f1 - f0)) candidates, dropped $fd), all $bs blocklisted dropped ($((b1 - b0)) after the kill)"
	else nok "SIGKILL, fail-$mode" "fail mode after $ms ms, fallback $((f1 - f0)) dropped $fd, blocklist $b1 of $bs sent (+$((b1 - b0)))"; fi
	rm -rf "/var/run/dpdk/$prefix"
done

# -- SIGSTOP / SIGCONT with the watchdog -----------------------------------------
# The stop waits until both senders are seen at the DUT (a Python sender can
# take a second to start on a loaded host), and "quiet again" is a 300 ms
# window with redirects and no watchdog verdict, looked for over 2 s: a
# host that stalls the resumed process for 300 ms more fires the watchdog
# as it should, and is not the mechanism failing. What failed is printed.
mkpol open 300
start
blocked_load 6
dns_load 500 6
r0=$(xdp redirect) b0=$(xdp blocklist_src)
up_r=$(wait_grow redirect 2 "$r0" 3000) up_b=$(wait_grow blocklist_src 2 "$b0" 3000)
sleep 0.3
w0=$(xdp watchdog) b0=$(xdp blocklist_src)
kill -STOP "$app_pid"
ms=$(wait_grow watchdog 2 "$w0" 3000)
sleep 0.5
b1=$(xdp blocklist_src) w1=$(xdp watchdog) r1=$(xdp redirect)
kill -CONT "$app_pid"
ms2=$(wait_grow redirect 2 "$r1" 3000)
quiet=-1 windows=""
for i in 1 2 3 4 5; do
	sleep 0.1
	w2=$(xdp watchdog) r2=$(xdp redirect)
	sleep 0.3
	w3=$(xdp watchdog) r3=$(xdp redirect)
	windows="$windows watchdog+$((w3 - w2))/redirect+$((r3 - r2))"
	if [ "$w3" = "$w2" ] && [ "$r3" -gt "$r2" ]; then quiet=$i; break; fi
done
hb=$(tele /hyperion/watchdog heartbeats_written heartbeats_withheld stalled_lcore state)
wait "$dns_pid" "$bl_pid" 2>/dev/null
row sigstop open stop_to_watchdog_ms "$ms" ms
row sigstop open cont_to_redirect_ms "$ms2" ms
row sigstop open blocklist_drops_while_stopped "$((b1 - b0))" packets
if [ "$ms" -ge 250 ] && [ "$ms" -lt 2000 ]; then
	ok "SIGSTOP: redirect candidates to the fail mode $ms ms after the stop (watchdog 300 ms)"
else nok "SIGSTOP: watchdog" "$ms ms (senders seen after $up_r / $up_b ms)"; fi
if [ "$ms2" -ge 0 ] && [ "$ms2" -lt 2000 ] && [ "$quiet" -gt 0 ] && [ $((b1 - b0)) -gt 50 ]; then
	ok "SIGCONT: redirected again after $ms2 ms, the watchdog quiet again (window $quiet), blocklist dropped $((b1 - b0)) while stopped"
else
	nok "SIGCONT" "redirect after $ms2 ms; windows:$windows; blocklist +$((b1 - b0)) while stopped;" \
		"senders seen after $up_r / $up_b ms; heartbeats written/withheld/stalled lcore/state: $hb"
	grep -iE "heartbeat|stall|watchdog" "$log" | tail -5 | sed 's/^/# app: /'
fi
app_stop

# -- graceful stop in fail-closed, under load ------------------------------------
mkpol closed 0
start
blocked_load 8	# through the stop and the window below, however long the stop takes
blast_load 2
sleep 0.6
t_stop=$(now_ms)
kill -TERM "$app_pid"
# a sanitized build may take seconds to exit: wait for the process, not a guess
for _ in $(seq 300); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
stop_ms=$(( $(now_ms) - t_stop ))
wait "$blast_pid" 2>/dev/null
# fresh line rate on the now unattended interface, so the window below
# does not depend on how long the stop took
blast_load 1
sleep 0.2
b0=$(xdp blocklist_src) f0=$(xdp redirect_fallback 4)
sleep 0.5
b1=$(xdp blocklist_src) f1=$(xdp redirect_fallback 4)
wait "$blast_pid" 2>/dev/null
kill "$bl_pid" 2>/dev/null; wait "$bl_pid" 2>/dev/null
row graceful_stop closed sigterm_to_exit_ms "$stop_ms" ms
bare=$(grep -o "without an XDP program for [0-9]* us" "$log" | grep -o "[0-9]*")
# from before the PMD's close (which detaches at its end) to our attach: an upper bound
row graceful_stop closed bare_interface_us_at_most "${bare:--1}" us
row graceful_stop closed candidates_dropped_500ms_after "$((f1 - f0))" packets
row graceful_stop closed blocklist_drops_500ms_after "$((b1 - b0))" packets
if grep -q "kept the fast path" "$log" && [ $((f1 - f0)) -gt 0 ] && [ $((b1 - b0)) -gt 20 ]; then
	ok "graceful stop, fail-closed: the kept program drops candidates ($((f1 - f0)) in 0.5 s) and the blocklisted source ($((b1 - b0))); bare for ${bare:-?} us"
else nok "graceful stop under load" "exit after $stop_ms ms, candidates dropped +$((f1 - f0)), blocklist +$((b1 - b0))" "$(grep -i "kept\|without" "$log")"; fi
ip -n "$HYP_NS_DUT" link set dev "$HYP_IF_DUT" xdp off

# -- saturation -------------------------------------------------------------------
mkpol open 0
start --rx-desc 256
sleep 0.5
blast_load 2
wait "$blast_pid"
t_end=$(now_ms)
pps=$($py -c "import json; print(int(json.load(open('$tmp/blast.json'))['pps']))" 2>/dev/null)
read -r deg full <<<"$(tele /hyperion/health entered_degraded) $(tele /hyperion/xsk 0/0/rx_ring_full)"
back=-1
for _ in $(seq 100); do
	[ "$(tele /hyperion/health state)" = healthy ] && { back=$(( $(now_ms) - t_end )); break; }
	sleep 0.1
done
insp=$(tele /hyperion/stats slow/inspected)
row saturation open offered_pps "${pps:-0}" pps
row saturation open inspected "$insp" packets
row saturation open rx_ring_full "$full" packets
row saturation open load_end_to_healthy_ms "$back" ms
if [ "${deg:-0}" -ge 1 ] && [ "${full:-0}" -gt 0 ] && [ "$back" -ge 0 ]; then
	ok "saturation at ${pps:-?} pps: degraded entered ($deg), $full lost to the full ring, healthy $back ms after the load stopped"
else nok "saturation" "entered degraded $deg, rx_ring_full $full, back to healthy after $back ms"; fi
check_eq "saturation: nothing crashed, the slow path still answers" "$(tele /hyperion/health state)" healthy
app_stop

# -- mbuf pool starvation ----------------------------------------------------------
# an io lcore and a worker sharing a CPU: what the io lcore takes in one
# time slice waits in the worker's ring, out of a pool that barely covers
# the fill ring (the PMD puts 2048 mbufs there at set-up)
mkpol open 0
out=$(ip netns exec "$HYP_NS_DUT" timeout 30 "$app" --lcores 0@0,1@1,2@1 --no-huge -m 1024 \
	--no-pci --file-prefix "${prefix}m" -- --iface "$HYP_IF_DUT" --mbufs 2400 --metrics-port 0 2>&1)
rm -rf "/var/run/dpdk/${prefix}m"
grep -q -- "--mbufs 2400: a port needs at least 3296" <<<"$out" &&
	ok "--mbufs below what the fill ring and the lcores' caches hold is refused, with the floor" ||
	nok "--mbufs floor" "$(tail -2 <<<"$out")"
# 200 over the floor: 2048 in the fill ring, the caches, and 200 to park in
# a worker ring of 4096, while 1,900 queries wait in the socket's rx ring
app_start --lcores 0@0,1@1,2@1 -- --iface "$HYP_IF_DUT" --policy "$pol" --mbufs 3496 \
	--ring-size 4096 --io-lcores 1 || { nok "started"; exit 1; }
sleep 0.3
kill -STOP "$app_pid"
traffic --only dns_query --count 1900 >/dev/null 2>&1
kill -CONT "$app_pid"
sleep 1.5
nombuf=$(echo "/ethdev/stats,0" | dpdk-telemetry.py -f "$prefix" 2>/dev/null | $py -c "import json,sys
for l in sys.stdin:
    if l.startswith('{'): print(json.loads(l)['/ethdev/stats'].get('rx_nombuf', 'missing'))")
r0=$(tele /hyperion/stats slow/inspected)
traffic --only dns_query --count 50 >/dev/null 2>&1
sleep 0.5
r1=$(tele /hyperion/stats slow/inspected)
row mbuf_starvation open rx_nombuf "$nombuf" events
row mbuf_starvation open inspected_after_recovery "$((r1 - r0))" packets
if [ "$nombuf" -gt 0 ] 2>/dev/null && [ $((r1 - r0)) = 50 ]; then
	ok "mbuf starvation: $nombuf allocation failures counted (rx_nombuf), then all 50 new queries inspected"
else nok "mbuf starvation" "rx_nombuf '$nombuf', inspected after +$((r1 - r0)) of 50"; fi
kill -0 "$app_pid" 2>/dev/null && ok "mbuf starvation: still running" || nok "mbuf starvation: crashed" "$(tail -3 "$log")"
app_stop

# -- link down/up during traffic ---------------------------------------------------
txd() { ip -n "$HYP_NS_SRC" -s -j link show "$HYP_IF_SRC" | $py -c "import json,sys; print(json.load(sys.stdin)[0]['stats64']['tx']['dropped'])"; }
start
tx0=$(txd)
dns_load 500 3
sleep 0.8
ip -n "$HYP_NS_DUT" link set "$HYP_IF_DUT" down
sleep 0.3
r0=$(xdp redirect)
ip -n "$HYP_NS_DUT" link set "$HYP_IF_DUT" up
ms=$(wait_grow redirect 2 "$r0" 3000)
wait "$dns_pid" 2>/dev/null
sleep 0.3
got=$(xdp redirect) sent=$(dns_sent)
[ -s "$tmp/dns.err" ] && sed 's/^/# sender: /' "$tmp/dns.err" | tail -3
tx_drop=$(( $(txd) - tx0 ))
row link_flap open up_to_redirect_ms "$ms" ms
row link_flap open sent "$sent" packets
row link_flap open redirected "$got" packets
row link_flap open dropped_by_the_sender_veth_while_down "$tx_drop" packets
r1=$(xdp redirect)
dns_load 100 1
wait "$dns_pid" 2>/dev/null
sleep 0.3
r2=$(xdp redirect) insp=$(tele /hyperion/stats slow/inspected)
if [ "$ms" -ge 0 ] && [ "$ms" -lt 2000 ] && [ $((r2 - r1)) = 100 ] && [ "$insp" = "$r2" ]; then
	ok "link down/up under 500/s: redirected again $ms ms after the up ($got of $sent; the sender's veth dropped $tx_drop while down), then 100 of 100, each inspected"
else nok "link flap" "redirect after $ms ms, then $((r2 - r1)) of 100, inspected $insp of $r2"; fi
check_eq "link flap: the socket still bound" "$(tele /hyperion/xsk 0/0/socket)" 1
app_stop
# -- ethtool -L below a bound queue (2 queues, the preload; last: the sandbox changes)
app_stop
hyp_sandbox_down
export HYP_SANDBOX_QUEUES=2
. "$src/usertools/hyperion-sandbox.sh"
hyp_sandbox_up "$prefix" || skip_prereq "sandbox"
trap net_close EXIT
LD_PRELOAD=$build/test/veth-channels/libhyp_veth_channels.so app_start --lcores 0@0,1@1,2@1 \
	-- --iface "$HYP_IF_DUT" --policy "$pol" --queues 2 --pipeline rtc || { nok "2 queues"; exit 1; }
out=$(ip netns exec "$HYP_NS_DUT" ethtool -L "$HYP_IF_DUT" rx 1 tx 1 2>&1); rc=$?
echo "ethtool -L: rc $rc: $out" | sed "s/^/# /"
row ethtool_L open refused_rc "$rc" exit
if [ "$rc" != 0 ]; then
	ok "ethtool -L rx 1 below bound queue 1: refused by the kernel (rc $rc)"
else nok "ethtool -L refused" "it took it: $(ip netns exec "$HYP_NS_DUT" ethtool -l "$HYP_IF_DUT" | tail -4 | tr '\n' ' ')"; fi
check_eq "and both queues still have their sockets" "$(tele /hyperion/xsk 0/0/socket 0/1/socket)" "1 1"
app_stop INT
grep -q "== final statistics" "$log" && ok "stopped cleanly after all of it" || nok "final stop" "$(tail -3 "$log")"
echo "# $(($(wc -l <"$csv") - 1)) measurements in $csv"
tap_done "faults"
