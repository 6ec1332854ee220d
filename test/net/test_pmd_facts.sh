#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Pins facts about DPDK 22.11's af_xdp PMD that our design leans on
# (doc/afxdp-pmd-notes.md), so that an upgrade that changes them is noticed:
#   - it counts queues with ETHTOOL_GCHANNELS combined channels, which veth
#     does not report: --queues 2 on a 4-queue veth is refused by the PMD
#     (DPDK 25.07 falls back to min(rx, tx) and would take it);
#   - port close detaches whatever XDP program is on the interface, not only
#     the one it attached: why a graceful stop in fail-closed puts ours back;
#   - close leaves every queue's socket open: the non-shared UMEM is never
#     freed (22.11.5+), and with N queues the close loop stops after queue 0
#     (sockets 1..N-1 never deleted): 4 of 4 stay open;
#   - a second af_xdp port in the same process fails at queue set-up, on
#     the same queue or another, with a fresh pool: what hyperion-queue's
#     "recreate" refuses to try.
# TAP; 77 = skip.
#   usage: test_pmd_facts.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
# the preload comes before a sanitized build's ASan runtime: tell ASan that is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
floor=$build/bpf/xdp_floor.bpf.o
[ -r "$floor" ] || skip_prereq "xdp_floor.bpf.o not built"
net_open hypp
mq=hq$$a
net_on_exit "ip -n $HYP_NS_DUT link del $mq 2>/dev/null"
dut() { ip netns exec "$HYP_NS_DUT" "$@"; }
prog_id() { dut ip -d link show "$1" | grep -o "prog/xdp id [0-9]*" | awk '{print $3}'; }

echo "1..6"
dut ip link add "$mq" numrxqueues 4 numtxqueues 4 type veth peer name "${mq%a}b" \
	numrxqueues 4 numtxqueues 4 && dut ip link set "$mq" up && dut ip link set "${mq%a}b" up ||
	skip_prereq "a 4-queue veth pair"
out=$(timeout 30 ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "${prefix}q" -- --iface "$mq" --queues 2 --metrics-port 0 2>&1)
rc=$?
rm -rf "/var/run/dpdk/${prefix}q"
if [ "$rc" != 0 ] && printf '%s' "$out" | grep -q "larger than combined queue count 1"; then
	ok "22.11 PMD: --queues 2 on a 4-queue veth is refused (veth reports no combined channels)"
else nok "the PMD refuses 2 queues on veth" "rc $rc: $(printf '%s' "$out" | grep -i queue | tail -2)"; fi

app_start -- --iface "$HYP_IF_DUT" --metrics-port 0 || { nok "started"; exit 1; }
# somebody replaces our program while we run (ip -force: no NOEXIST check)
dut ip -force link set dev "$HYP_IF_DUT" xdp obj "$floor" sec xdp || nok "replacing the program"
foreign=$(prog_id "$HYP_IF_DUT")
app_stop INT
check_eq "22.11 PMD: the close detached the program someone else put there ($foreign)" \
	"$(prog_id "$HYP_IF_DUT")" ""
grep -q "stopping: fenced 1 queue" "$log" && ok "and the stop fenced first, as always" ||
	nok "the stop fenced" "$(tail -3 "$log")"

# the close leaves every socket open (preload: 4 queues on the 4-queue veth)
preload=$build/test/veth-channels/libhyp_veth_channels.so
LD_PRELOAD=$preload app_start -l 0-1 -- --iface "$mq" --queues 4 --metrics-port 0 ||
	nok "started with 4 queues"
app_stop INT
check_eq "22.11 PMD: the close of a 4-queue port left every socket open" \
	"$(grep -o 'the close left [0-9]* of the process.s [0-9]* AF_XDP sockets open' "$log")" \
	"the close left 4 of the process's 4 AF_XDP sockets open"
out=$(timeout 60 ip netns exec "$HYP_NS_DUT" "$build/test/veth-channels/hyp_pmd_recreate" \
	"$HYP_IF_DUT" "$build/bpf/hyp_xdp.bpf.o" 2>&1)
rm -rf /var/run/dpdk/pmdrecreate*
echo "$out" | sed 's/^/# probe: /'
check_eq "22.11 PMD: a closed 1-queue port keeps its socket (the UMEM is never freed)" \
	"$(grep '^close:' <<<"$out")" "close: 1 of 1 AF_XDP descriptors left open"
check_eq "22.11 PMD: a second port in the same process fails at queue set-up" \
	"$(grep -E '^(first|second):' <<<"$out" | tr '\n' ' ')" "first: 0 second: Invalid argument "
tap_done "pmd facts"
