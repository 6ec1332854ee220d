#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Benchmark of issue "dataplane": how many packets per second reach the slow
# path. A benchmark, not a test: it prints rates and never asserts on them.
#
#   usage: bench_pipeline.sh BUILD_DIR SOURCE_DIR [SECONDS]   (default 5 s)
#   env:   HYP_BLAST=path  the hyperion-blast binary
#                          (default BUILD_DIR/usertools/hyperion-blast/hyperion-blast)
#
# In a namespace sandbox of its own (veth SRC <-> DUT), hyperion-blast sends
# 64-byte UDP frames (60 + FCS) to port 53 from the SRC side for SECONDS,
# many source ports, while on the DUT side:
#   phase 1: dpdk-testpmd --forward-mode=rxonly on net_af_xdp (the floor:
#            the PMD alone, nothing done per packet);
#   phase 2: dpdk-hyperion, the same way, and the ratio hyperion/testpmd.
#
# What frames need to reach the AF_XDP socket on a veth:
#  - hyperion-blast runs xdp_tx.bpf.o with BPF_PROG_RUN live frames on the
#    SRC veth; XDP_TX becomes ndo_xdp_xmit on SRC, which puts the frame
#    straight on the DUT veth's XDP ring (no skb, no qdisc).
#  - That ring exists only while the DUT veth runs NAPI: it must have an XDP
#    program attached (the af_xdp PMD's xsk_def_prog, or hyperion's own) or
#    GRO enabled. With the PMD's program attached nothing else is needed: GRO
#    stays off. Without either, SRC's xdp_features lack NDO_XMIT and the
#    kernel drops every frame silently; hyperion-blast then reports
#    "xdp_xmit 0" on stderr. So blast only once the program is attached.
#  - The DUT veth's NAPI runs the XDP program and the copy into the PMD's
#    UMEM (copy mode: veth has no zero-copy) in softirq on the SENDER's CPU,
#    and a veth picks its receive queue by that CPU: the sandbox veth has one
#    queue, the PMD's socket binds queue 0, so every frame lands there.
#  - 2 cores: testpmd's forwarding lcore is 1, so the sender is pinned to
#    CPU 0 (shared with testpmd's mostly idle main lcore).
#  - "sent" counts frames handed to the veth; the DUT ring drops what the
#    PMD does not drain in time: testpmd's RX-missed (RX-dropped).
set -u
build=${1:?usage: bench_pipeline.sh BUILD_DIR SOURCE_DIR [SECONDS]}
src=${2:?usage: bench_pipeline.sh BUILD_DIR SOURCE_DIR [SECONDS]}
secs=${3:-5}
blast=${HYP_BLAST:-$build/usertools/hyperion-blast/hyperion-blast}
txobj=$build/bpf/xdp_tx.bpf.o

skip() { echo "# bench_pipeline: SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v dpdk-testpmd >/dev/null || skip "needs dpdk-testpmd"
[ -x "$blast" ] || skip "no $blast (build it, or set HYP_BLAST)"
[ -r "$txobj" ] || skip "no $txobj (ninja -C $build)"
case $secs in ''|*[!0-9.]*) echo "SECONDS: '$secs' is not a number" >&2; exit 2;; esac
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

. "$src/usertools/hyperion-sandbox.sh"
hyp_sandbox_up "hbp$$" || skip "cannot build the namespace sandbox"
tmp=$(mktemp -d)
dut_pid='' dut_bin='' dut_prefix=''

# stop the DUT program: ip netns exec forks, so signal the program itself,
# found by its unique --file-prefix (not the ip process), then reap ip
stop_dut() {
	[ -n "$dut_pid" ] || return 0
	local pat="^[^ ]*$dut_bin .*--file-prefix $dut_prefix( |\$)" _
	pkill -TERM -f -- "$pat"
	for _ in $(seq 50); do kill -0 "$dut_pid" 2>/dev/null || break; sleep 0.2; done
	pkill -KILL -f -- "$pat"
	wait "$dut_pid" 2>/dev/null
	dut_pid=
}
# shellcheck disable=SC2317 # run by the trap
cleanup() { stop_dut; rm -rf "$tmp" /var/run/dpdk/hbp$$*; hyp_sandbox_down; }
trap cleanup EXIT

attached() { ip -n "$HYP_NS_DUT" link show "$HYP_IF_DUT" | grep -q "prog/xdp"; }

# start_dut BIN PREFIX LOG READY ARGS...: BIN ARGS in the DUT namespace;
# returns once its XDP program is on the DUT veth and LOG shows READY (its
# first periodic statistics: it polls by then)
start_dut() {
	local bin=$1 prefix=$2 log=$3 ready=$4 _
	shift 4
	ip netns exec "$HYP_NS_DUT" "$bin" "$@" >"$log" 2>&1 &
	dut_pid=$! dut_bin=$(basename "$bin") dut_prefix=$prefix
	for _ in $(seq 100); do
		kill -0 "$dut_pid" 2>/dev/null || break
		attached && grep -q -- "$ready" "$log" && return 0
		sleep 0.2
	done
	echo "# $dut_bin did not come up:"; tail -8 "$log" | sed 's/^/#   /'
	return 1
}

# blast NAME: SECONDS of 64-byte UDP to port 53 from SRC; sets blast_pps,
# blast_sent, blast_secs
blast() {
	ip netns exec "$HYP_NS_SRC" "${pin[@]}" "$blast" -i "$HYP_IF_SRC" \
		-s "$secs" --size 60 --dport 53 --dmac "$HYP_MAC_DUT" \
		--prog "$txobj" >"$tmp/$1.json" 2>"$tmp/$1.err"
	local rc=$?
	sed 's/^/#   /' "$tmp/$1.err"
	[ $rc = 0 ] || { echo "# hyperion-blast failed ($rc)"; return 1; }
	json() { sed -n "s/.*\"$1\": \\([0-9.]*\\).*/\\1/p" "$tmp/$2.json"; }
	blast_sent=$(json sent "$1") blast_secs=$(json seconds "$1") blast_pps=$(json pps "$1")
}

# rate COUNT SECONDS: packets per second, an integer
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

echo "# bench_pipeline: ${secs} s of 64-byte UDP to port 53, veth $HYP_IF_SRC -> $HYP_IF_DUT (AF_XDP copy mode)"

# This machine is shared and noisy: the phases run interleaved, ROUNDS times
# (env HYP_BENCH_ROUNDS, default 3), and the medians make the result.
rounds=${HYP_BENCH_ROUNDS:-3}
hys=() tps=() tqs=()
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'; }
for round in $(seq "$rounds"); do
	echo "# round $round of $rounds"
	# ---- phase 1: dpdk-testpmd rxonly, the floor ----
	pfx=hbp$$t
	start_dut dpdk-testpmd "$pfx" "$tmp/testpmd.log" "Rx-pps" \
		-l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$pfx" \
		--vdev "net_af_xdp0,iface=$HYP_IF_DUT" -- \
		--forward-mode=rxonly --stats-period 1 || exit 1
	blast testpmd || exit 1
	sleep 1.5	# the ring drains and one more stats period prints
	stop_dut
	# the final "Accumulated forward statistics", printed at exit
	tp_rx=$(grep -o "RX-packets: *[0-9]*" "$tmp/testpmd.log" | tail -1 | grep -o "[0-9]*$")
	tp_miss=$(grep -o "RX-dropped: *[0-9]*" "$tmp/testpmd.log" | tail -1 | grep -o "[0-9]*$")
	tp_peak=$(grep -o "Rx-pps: *[0-9]*" "$tmp/testpmd.log" | grep -o "[0-9]*$" | sort -n | tail -1)
	tp_pps=$(rate "${tp_rx:-0}" "$blast_secs")
	printf "sender   hyperion-blast %10s pps  (%s frames in %s s)\n" "$blast_pps" "$blast_sent" "$blast_secs"
	printf "received testpmd rxonly %10s pps  (RX-packets %s, RX-missed %s, peak 1-s Rx-pps %s)\n" \
		"$tp_pps" "${tp_rx:-?}" "${tp_miss:-?}" "${tp_peak:-?}"

	# ---- phase 1b: testpmd rxonly behind hyperion's own XDP program ----
	# The same kernel-side work as phase 2 (our program, redirecting UDP 53),
	# so hyperion/this ratio isolates what the DPDK side costs.
	pfx=hbp$$p
	start_dut dpdk-testpmd "$pfx" "$tmp/testpmd-hyp.log" "Rx-pps" \
		-l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$pfx" \
		--vdev "net_af_xdp0,iface=$HYP_IF_DUT,xdp_prog=$build/bpf/hyp_xdp.bpf.o" -- \
		--forward-mode=rxonly --stats-period 1 || exit 1
	ip netns exec "$HYP_NS_DUT" "$build/app/hyperion-xdpctl" -i "$HYP_IF_DUT" redirect add udp 53
	blast testpmd-hyp || exit 1
	sleep 1.5
	stop_dut
	tq_rx=$(grep -o "RX-packets: *[0-9]*" "$tmp/testpmd-hyp.log" | tail -1 | grep -o "[0-9]*$")
	tq_pps=$(rate "${tq_rx:-0}" "$blast_secs")
	printf "sender   hyperion-blast %10s pps  (%s frames in %s s)\n" "$blast_pps" "$blast_sent" "$blast_secs"
	printf "received testpmd rxonly, hyperion XDP %10s pps  (RX-packets %s)\n" "$tq_pps" "${tq_rx:-?}"

	# ---- phase 2: dpdk-hyperion, the same way ----
	# It loads hyp_xdp.bpf.o on the DUT veth (that program is what gives the
	# veth its NAPI, as the PMD's does for testpmd); the policy redirects UDP 53
	# to its AF_XDP socket, with the DNS parser and an empty rule set behind it.
	app=$build/app/dpdk-hyperion
	if [ -x "$app" ]; then
		printf 'fast_path:\n  redirect_ports:\n    - protocol: 17\n      port: 53\n' \
			>"$tmp/policy.yaml"
		pfx=hbp$$h
		start_dut "$app" "$pfx" "$tmp/hyperion.log" "== statistics" \
			-l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$pfx" -- \
			--iface "$HYP_IF_DUT" --policy "$tmp/policy.yaml" \
			--xdp-prog "$build/bpf/hyp_xdp.bpf.o" --stats-period 1 ${HYP_BENCH_ARGS:-} || exit 1
		if [ -n "${HYP_BENCH_XDPCTL:-}" ]; then
			ip netns exec "$HYP_NS_DUT" "$build/app/hyperion-xdpctl" -i "$HYP_IF_DUT" $HYP_BENCH_XDPCTL
		fi
		blast hyperion || exit 1
		sleep 1.5
		stop_dut
		hy_rx=$(sed -n '/== final statistics/,$ s/.*slow path: rx=\([0-9]*\).*/\1/p' \
			"$tmp/hyperion.log" | tail -1)
		hy_pps=$(rate "${hy_rx:-0}" "$blast_secs")
		printf "sender   hyperion-blast %10s pps  (%s frames in %s s)\n" \
			"$blast_pps" "$blast_sent" "$blast_secs"
		printf "received dpdk-hyperion  %10s pps  (slow path rx %s)\n" "$hy_pps" "${hy_rx:-?}"
		hys+=("$hy_pps") tps+=("$tp_pps") tqs+=("$tq_pps")
		awk -v h="$hy_pps" -v t="$tp_pps" -v q="$tq_pps" 'BEGIN {
			printf "ratio    hyperion/testpmd %.3f (end to end: our XDP program included)\n", (t > 0 ? h / t : 0)
			printf "ratio    hyperion/testpmd-behind-hyperion-XDP %.3f (the DPDK side alone)\n", (q > 0 ? h / q : 0) }'
	fi
done
hy=$(median "${hys[@]}") tp=$(median "${tps[@]}") tq=$(median "${tqs[@]}")
echo "# medians over $rounds rounds: dpdk-hyperion $hy pps, testpmd $tp pps, testpmd behind hyperion's XDP $tq pps"
awk -v h="$hy" -v t="$tp" -v q="$tq" 'BEGIN {
	printf "median ratio hyperion/testpmd %.3f (end to end)\n", (t > 0 ? h / t : 0)
	printf "median ratio hyperion/testpmd-behind-hyperion-XDP %.3f (the DPDK side alone)\n", (q > 0 ? h / q : 0) }'
exit 0
