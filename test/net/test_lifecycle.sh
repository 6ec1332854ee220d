#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion's lifecycle on a live veth: SIGINT drains, prints the final
# statistics, removes the XDP program and exits 0; after a SIGKILL the
# program stays attached, and the next start removes it (it is hyperion's)
# and runs; a program that is not hyperion's makes it refuse to start
# (exit 1) and is left where it is. A graceful stop fences the queues first;
# in fail-closed mode (or with --keep-fastpath) our program is put back after
# the PMD's close removed it: blocklisted sources stay dropped and redirect
# candidates get the fail mode, with nobody running; the next start says it
# replaces that program. TAP; 77 = skip.
#   usage: test_lifecycle.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
floor=$build/bpf/xdp_floor.bpf.o
policy=$src/test/net/ids-policy.yaml
[ -r "$build/bpf/xdp_floor.bpf.o" ] || skip_prereq "xdp_floor.bpf.o not built"
net_open hypf

dut() { ip netns exec "$HYP_NS_DUT" "$@"; }
prog_id() { dut ip -d link show "$HYP_IF_DUT" | grep -o "prog/xdp id [0-9]*" | awk '{print $3}'; }
start() { app_start -- --iface "$HYP_IF_DUT" --policy "$policy" --metrics-port 0; }
# stop SIG: rc is the exit status, or 124 if it did not exit within 10 s
stop() {
	app_stop "$1"
	if kill -0 "$app_pid" 2>/dev/null; then rc=124; return; fi
	wait "$app_pid"
	rc=$?
}
send_dns() { traffic --only dns_query --count "$1" >/dev/null; }

echo "1..17"
# -- SIGINT ---------------------------------------------------------------
if start; then ok "started"; else nok "started"; exit 1; fi
send_dns 4; sleep 0.5
stop INT
check_eq "SIGINT: exit status 0" "$rc" 0
grep "slow path:" "$log" | tail -1 | grep -q " inspected=4 " &&
	grep -q "== final statistics" "$log" &&
	ok "SIGINT: drained, final statistics with the 4 inspected queries" ||
	nok "SIGINT: final statistics" "$(tail -6 "$log")"
check_eq "SIGINT: the XDP program is removed" "$(prog_id)" ""

# -- SIGKILL, then a restart ------------------------------------------------
start || { nok "second start"; exit 1; }
old=$(prog_id)
stop KILL
if [ -n "$old" ] && [ "$(prog_id)" = "$old" ] && dut "$ctl" -i "$HYP_IF_DUT" status >/dev/null; then
	ok "SIGKILL: hyperion's program $old stays attached"
else nok "SIGKILL leaves the program" "before '$old', after '$(prog_id)', rc $rc"; fi
rm -rf "/var/run/dpdk/$prefix"
if start && grep -q "removing hyperion program id $old left by an earlier run" "$log"
then ok "restart: the stale program $old is removed, and it runs"
else nok "restart after SIGKILL" "$(tail -5 "$log")"; fi
new=$(prog_id)
send_dns 3; sleep 0.5
stop TERM
if [ -n "$new" ] && [ "$new" != "$old" ] && [ "$rc" = 0 ] &&
   grep "slow path:" "$log" | tail -1 | grep -q " inspected=3 "; then
	ok "restart: its own program ($new) redirected and inspected the 3 queries"
else nok "restart: a working instance" "program '$new' (old '$old'), rc $rc" "$(grep "slow path:" "$log")"; fi

# -- a graceful stop in fail-closed mode keeps the fast path -----------------
closed=$tmp/closed.yaml
sed 's/^slow_path:/runtime:\n  fail_mode: closed\nslow_path:/' "$policy" >"$closed"
app_start -- --iface "$HYP_IF_DUT" --policy "$closed" --metrics-port 0 || nok "fail-closed start"
pmd=$(prog_id)
stop TERM
kept=$(prog_id)
if [ "$rc" = 0 ] && [ -n "$kept" ] && [ "$kept" != "$pmd" ] &&
   grep -q "stopping: fenced 1 queue, redirect candidates get the fail mode" "$log" &&
   grep -q "kept the fast path: hyperion program id $kept stays attached" "$log"; then
	ok "fail-closed stop: fenced, exit 0, and our program $kept is back on the interface"
else nok "fail-closed stop keeps the fast path" "rc $rc, pmd '$pmd', after '$kept'" "$(grep -i "fenc\|kept" "$log")"; fi
b0=$(xdp blocklist_src 4) f0=$(xdp redirect_fallback 4) p0=$(xdp pass)
traffic --only blocklisted --only dns_query --only benign_udp --count 3 >/dev/null; sleep 0.5
check_eq "with nothing running: blocklisted dropped, DNS (a redirect candidate) dropped, the rest passes" \
	"$(( $(xdp blocklist_src 4) - b0 ))/$(( $(xdp redirect_fallback 4) - f0 ))/$(( $(xdp pass) - p0 ))" "3/3/3"
rm -rf "/var/run/dpdk/$prefix"
app_start -- --iface "$HYP_IF_DUT" --policy "$policy" --metrics-port 0 || nok "start after a kept stop"
if grep -q "replacing hyperion program id $kept a graceful stop kept" "$log" &&
   grep -q "no XDP program for [0-9]* us between the old program's removal and the PMD's attach" "$log"
then ok "the next start replaces the kept program and says how long the interface was bare: $(grep -o "for [0-9]* us" "$log" | head -1)"
else nok "start replaces the kept program" "$(grep -i "replac\|removing\|no XDP" "$log")"; fi
stop INT
check_eq "fail-open stop without --keep-fastpath: the program is removed" "$(prog_id)" ""
app_start -- --iface "$HYP_IF_DUT" --policy "$policy" --keep-fastpath --metrics-port 0 ||
	nok "--keep-fastpath start"
stop TERM
kept=$(prog_id)
check_eq "--keep-fastpath, fail-open: the program stays" "$(( ${kept:-0} > 0 ))" 1
f0=$(xdp redirect_fallback 2) d0=$(xdp redirect_fallback 4)
traffic --only dns_query --count 2 >/dev/null; sleep 0.5
check_eq "and its redirect candidates pass (fail-open), counted as redirect_fallback" \
	"$(( $(xdp redirect_fallback 2) - f0 ))/$(( $(xdp redirect_fallback 4) - d0 ))" "2/0"
dut ip link set dev "$HYP_IF_DUT" xdp off
check_eq "ip link set xdp off removes it" "$(prog_id)" ""
rm -rf "/var/run/dpdk/$prefix"

# -- somebody else's program --------------------------------------------------
dut ip link set dev "$HYP_IF_DUT" xdp obj "$floor" sec xdp || nok "attaching xdp_floor"
foreign=$(prog_id)
out=$(timeout 30 ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "$prefix" --log-level lib.eal:error -- --iface "$HYP_IF_DUT" \
	--metrics-port 0 2>&1)
rc=$?
check_eq "another program on the interface: exit status 1" "$rc" 1
printf '%s' "$out" | grep -q "has another XDP program attached; remove it first" &&
	ok "and it says what to do" || nok "the refusal says why" "$(printf '%s' "$out" | tail -3)"
check_eq "the other program is left attached" "$(prog_id)" "$foreign"
dut ip link set dev "$HYP_IF_DUT" xdp off
tap_done "lifecycle"
