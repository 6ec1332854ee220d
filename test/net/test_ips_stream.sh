#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP through the bump (--mode ips), real connections from a client to an
# echo server: requests sent in two segments are reassembled and inspected
# as one stream. A benign one is echoed whole; one whose User-Agent or
# signature is cut across the two segments loses the segment that completes
# the match and everything after it, so the server never sees the match:
# what came before it (the first segment) is what went through, as
# doc/reassembly.md says. TAP; 77 = skip.
#   usage: test_ips_stream.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
echo_py=$src/test/net/tcp-echo.py
command -v ethtool >/dev/null || skip_prereq "needs ethtool"
net_open hypq hyp_sandbox_ips_up
policy=$tmp/policy.yaml
cat >"$policy" <<'Y'
fast_path:
  redirect_ports: [{protocol: 6, port: 80}]
slow_path:
  payload_signatures: [{match: "EVILBYTES", action: drop, id: 500}]
  payload_rules:
    - {id: 700, msg: "sqlmap", regex: '(?i)user-agent:\s*sqlmap', protocol: 6, port: 80, action: drop}
Y
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# ask PART...: one connection, each part its own segment; what came back, as
# hex ("-": nothing)
ask() {
	local a=() p
	for p in "$@"; do a+=("$(hex "$p")"); done
	ip netns exec "$HYP_NS_CLI" $py "$echo_py" ask 198.18.1.2 80 "${a[@]}"
}
slow() { grep "$1" "$log" | tail -1 | grep -o " $2=[0-9]*" | cut -d= -f2; }

echo "1..7"
ip netns exec "$HYP_NS_SRV" $py "$echo_py" serve 80 >"$tmp/srv.log" 2>&1 &
for _ in $(seq 30); do grep -q ready "$tmp/srv.log" && break; sleep 0.1; done
if app_start -- --mode ips --iface "$HYP_IF_A" --peer "$HYP_IF_B" --policy "$policy"; then
	ok "dpdk-hyperion started in ips mode"
else nok "dpdk-hyperion started"; exit 1; fi

a="GET /search?q=1 HTTP/1.1"$'\r\n'"Host: shop.example"$'\r\n'"User-Agent: sql"
b="map/1.7.2"$'\r\n'$'\r\n'
c="GET /index.html HTTP/1.1"$'\r\n' d="Host: shop.example"$'\r\n'$'\r\n'
check_eq "a benign request in two segments: echoed whole" "$(ask "$c" "$d")" "$(hex "$c$d")"
check_eq "the User-Agent cut across two segments: only the first went through" \
	"$(ask "$a" "$b")" "$(hex "$a")"
check_eq "a signature cut across two segments: only the first went through" \
	"$(ask "hello EVIL" "BYTES world")" "$(hex "hello EVIL")"
check_eq "a new connection after them is served" "$(ask "ping" "pong")" "$(hex pingpong)"

app_stop
sed 's/^/# /' "$log" | tail -6
# dropped counts the flows' later packets too (resends, FIN): by their cached verdict
check_eq "slow path: the two completing segments dropped by a rule, the rest of their flows after them" \
	"$(( $(slow "slow path:" dropped) - $(slow "slow path:" cached_drops) ))/$(( $(slow "slow path:" cached_drops) > 0 ))" \
	"2/1"
check_eq "TCP reassembly: nothing refused, no gap, no conflict" \
	"$(slow "stream:" refused)/$(slow "stream:" gaps)/$(slow "stream:" conflicts)" "0/0/0"
tap_done "ips stream"
