#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion's lifecycle on a live veth: SIGINT drains, prints the final
# statistics, removes the XDP program and exits 0; after a SIGKILL the
# program stays attached, and the next start removes it (it is hyperion's)
# and runs; a program that is not hyperion's makes it refuse to start
# (exit 1) and is left where it is. TAP; 77 = skip.
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

echo "1..10"
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
