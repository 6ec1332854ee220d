# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# A two-namespace sandbox joined by one veth pair, for the demo and the
# network tests. Source it, then:
#
#   hyp_sandbox_up [PREFIX]   # namespaces $HYP_NS_SRC, $HYP_NS_DUT;
#                             # veth $HYP_IF_SRC (198.18.0.1) <-> $HYP_IF_DUT (198.18.0.2)
#   hyp_sandbox_down          # also run from the EXIT trap hyp_sandbox_up sets
#
# Names carry the PID so that parallel runs never collide, and everything
# the sandbox made goes away with its namespaces.

hyp_sandbox_down() {
	local ns
	for ns in "${HYP_NS_SRC:-}" "${HYP_NS_DUT:-}" "${HYP_NS_SRV:-}"; do
		[ -n "$ns" ] || continue
		# killing what runs inside first lets the namespace really go
		# (|| true: callers may run under set -e, and cleanup must finish)
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
		ip netns del "$ns" 2>/dev/null || true
	done
	HYP_NS_SRC= HYP_NS_DUT= HYP_NS_SRV=
}

hyp_sandbox_up() {
	local p=${1:-hyp$$}
	HYP_NS_SRC=${p}s HYP_NS_DUT=${p}d
	HYP_IF_SRC=${p}a HYP_IF_DUT=${p}b
	trap hyp_sandbox_down EXIT
	trap 'exit 130' INT TERM
	ip netns add "$HYP_NS_SRC" && ip netns add "$HYP_NS_DUT" || return 1
	# HYP_SANDBOX_QUEUES=N: N rx and N tx queues on both ends (multi-queue tests)
	local qs=()
	[ -n "${HYP_SANDBOX_QUEUES:-}" ] &&
		qs=(numrxqueues "$HYP_SANDBOX_QUEUES" numtxqueues "$HYP_SANDBOX_QUEUES")
	ip link add "$HYP_IF_SRC" netns "$HYP_NS_SRC" "${qs[@]}" type veth \
		peer name "$HYP_IF_DUT" netns "$HYP_NS_DUT" "${qs[@]}" || return 1
	local ns ifc addr
	for ns in "$HYP_NS_SRC:$HYP_IF_SRC:198.18.0.1/24" "$HYP_NS_DUT:$HYP_IF_DUT:198.18.0.2/24"; do
		IFS=: read -r ns ifc addr <<<"$ns"
		# no IPv6: keeps router solicitations and MLD out of the counters
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$ns" addr add "$addr" dev "$ifc" || return 1
		ip -n "$ns" link set "$ifc" up || return 1
		ip -n "$ns" link set lo up || return 1
	done
	HYP_MAC_DUT=$(ip -n "$HYP_NS_DUT" -br link show "$HYP_IF_DUT" | awk '{print $3}')
	HYP_MAC_SRC=$(ip -n "$HYP_NS_SRC" -br link show "$HYP_IF_SRC" | awk '{print $3}')
	export HYP_NS_SRC HYP_NS_DUT HYP_IF_SRC HYP_IF_DUT HYP_MAC_DUT HYP_MAC_SRC
}

# A bump in the wire: $HYP_NS_CLI ($HYP_IF_CLI, 198.18.1.1) -- $HYP_NS_DUT
# ($HYP_IF_A | $HYP_IF_B) -- $HYP_NS_SRV ($HYP_IF_SRV, 198.18.1.2), one L2
# segment across the DUT, which has no addresses of its own.
hyp_sandbox_ips_up() {
	local p=${1:-hyp$$} ns
	HYP_NS_CLI=${p}c HYP_NS_DUT=${p}d HYP_NS_SRV=${p}s
	HYP_IF_CLI=${p}c HYP_IF_A=${p}a HYP_IF_B=${p}b HYP_IF_SRV=${p}s
	# hyp_sandbox_down removes what these name
	HYP_NS_SRC=$HYP_NS_CLI
	trap hyp_sandbox_down EXIT
	trap 'exit 130' INT TERM
	for ns in "$HYP_NS_CLI" "$HYP_NS_DUT" "$HYP_NS_SRV"; do
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip link add "$HYP_IF_CLI" netns "$HYP_NS_CLI" type veth \
		peer name "$HYP_IF_A" netns "$HYP_NS_DUT" || return 1
	ip link add "$HYP_IF_SRV" netns "$HYP_NS_SRV" type veth \
		peer name "$HYP_IF_B" netns "$HYP_NS_DUT" || return 1
	ip -n "$HYP_NS_CLI" addr add 198.18.1.1/24 dev "$HYP_IF_CLI" &&
	ip -n "$HYP_NS_SRV" addr add 198.18.1.2/24 dev "$HYP_IF_SRV" || return 1
	# frames XDP-redirected into a veth need NAPI on the receiving end: GRO;
	# and a veth leaves checksums to an offload that never comes once XDP
	# or DPDK forwards the frame: have the endpoints' kernels compute them
	ip netns exec "$HYP_NS_CLI" ethtool -K "$HYP_IF_CLI" gro on tx off >/dev/null &&
	ip netns exec "$HYP_NS_SRV" ethtool -K "$HYP_IF_SRV" gro on tx off >/dev/null &&
	ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_A" gro on >/dev/null &&
	ip netns exec "$HYP_NS_DUT" ethtool -K "$HYP_IF_B" gro on >/dev/null || return 1
	for ns in "$HYP_NS_CLI:$HYP_IF_CLI" "$HYP_NS_DUT:$HYP_IF_A" "$HYP_NS_DUT:$HYP_IF_B" \
		  "$HYP_NS_SRV:$HYP_IF_SRV"; do
		ip -n "${ns%%:*}" link set "${ns#*:}" up || return 1
	done
	export HYP_NS_CLI HYP_NS_DUT HYP_NS_SRV HYP_IF_CLI HYP_IF_A HYP_IF_B HYP_IF_SRV
}
