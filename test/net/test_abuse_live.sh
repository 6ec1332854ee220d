#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The fast path and the flow table, attacked through a namespace, each
# beside the benign case:
#   - a spoofed SYN flood larger than the flow table: the table evicts the
#     flood's own half-open flows, counted; a cached drop survives it
#   - address rotation inside a limited prefix (scope prefix) and inside
#     one IPv6 /64 (ipv6_mask 64): one bucket, not one per address; another
#     /64 keeps its own
#   - malformed: pass, a SYN+FIN segment carrying the drop signature to a
#     redirected port: still inspected and dropped, not waved through; one
#     the slow path cannot parse either is counted as a parse error
#   - a DNS flood over the per-queue redirect budget: the excess gets the
#     fail mode in XDP, counted as redirect_overload, and the slow path sees
#     exactly what was redirected
# TAP; 77 = skip.
#   usage: test_abuse_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypb
pol=$tmp/policy.yaml
cat >"$pol" <<'Y'
fast_path:
  malformed: pass
  redirect_ports: [{protocol: 6, port: 80}, {protocol: 17, port: 53}]
  rate_limits:
    - {cidr: 198.18.5.0/24, pps: 1, burst: 5, scope: prefix}
    - {cidr: "2001:db8:1::/48", pps: 1, burst: 5}
slow_path:
  payload_signatures: [{match: "User-Agent: sqlmap", action: drop, id: 200}]
Y

abuse() { ip netns exec "$HYP_NS_SRC" $py "$src/test/net/abuse.py" --iface "$HYP_IF_SRC" \
	--dst-mac "$HYP_MAC_DUT" "$@" >/dev/null; sleep 0.5; }
slow() { tele /hyperion/stats "${@/#/slow/}"; }

echo "1..13"
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --flows 1024 --metrics-port 0 ||
	{ nok "started"; exit 1; }

# a connection whose request carries the signature: SYN seen, the stream
# vouches, so the drop is cached on its flow; the follow-up is a cached drop
abuse handshake --n 1 --follow
check_eq "a signature request on a vouched-for stream: dropped, its flow's next segment by the cache" \
	"$(slow dropped cached_drops)" "2 1"
rx0=$(slow rx) a0=$(slow flows_added)
abuse syn_flood --n 3000
read -r added expired ev_new ev_est ev_verdict full <<<"$(slow flows_added flows_expired \
	flows_evicted_new flows_evicted_established flows_evicted_verdict flow_full)"
got=$(( $(slow rx) - rx0 ))	# what the AF_XDP ring let through (a sanitizer is slow)
check_eq "spoofed SYNs (${got} of 3000 received) into 1024 slots: each a flow, the table held, evicted and counted, no verdict evicted, none refused" \
	"$(( added - a0 == got ))/$(( got > 1024 ))/$(( added - expired - ev_new - ev_est - ev_verdict <= 1024 && ev_new > 0 ))/$ev_verdict/$full" "1/1/1/0/0"
abuse handshake --n 1 --follow
check_eq "after the flood the flow still has its verdict: SYN, ACK, request, follow-up all cached drops" \
	"$(slow cached_drops)" 5

abuse rotate4 --n 20
check_eq "20 addresses of 198.18.5.0/24 (scope prefix, burst 5): one bucket, 15 limited" \
	"$(xdp ratelimit)" 15
abuse rotate6 --n 20
check_eq "20 addresses inside one IPv6 /64 (burst 5): one bucket, 15 more limited" \
	"$(xdp ratelimit)" 30
abuse rotate6 --n 3 --prefix6 2001:db8:1:1
check_eq "another /64 of the same /48 has its own bucket: its 3 pass" "$(xdp ratelimit)" 30
check_eq "rl_state holds one bucket per prefix and /64: 3" \
	"$(tele /hyperion/stats table/rl_state/entries)" 3

abuse synfin_sig
check_eq "malformed: pass, SYN+FIN with the signature to port 80: to the slow path, dropped" \
	"$(xdp malformed_redirect)/$(slow dropped)" "1/7"

p0=$(slow passed)
abuse udp_badlen
check_eq "malformed: pass, a bad UDP length to port 53: inward, counted a parse error, not as passed" \
	"$(xdp malformed_redirect)/$(slow parse_errors)/$(( $(slow passed) - p0 ))" "2/1/0"

# an established UDP flow (port 53 both ways: both sides redirected)
abuse udp53 --reply
c0=$(slow cached_drops)
abuse udp53 --sig
abuse udp53
check_eq "UDP seen both ways is established: its drop is cached, the next datagram a cached drop" \
	"$(( $(slow cached_drops) - c0 ))" 1

# the budget: a reload, so the flood above did not spend it
sed -i 's/^  malformed: pass$/  malformed: pass\n  redirect_budget_pps: 20\n  redirect_budget_burst: 50/' "$pol"
pkill -HUP -f -- "--file-prefix $prefix "
for _ in $(seq 50); do grep -q "loaded (generation 2)" "$log" && break; sleep 0.1; done
c0=$(slow cached_drops) i0=$(slow inspected) d0=$(slow dropped)
abuse udp53
check_eq "a new policy generation decides the UDP flow anew: inspected, not dropped" \
	"$(( $(slow cached_drops) - c0 ))/$(( $(slow inspected) - i0 ))/$(( $(slow dropped) - d0 ))" "0/1/0"
abuse handshake --n 1 --follow
check_eq "a dropped TCP connection stays dropped across the reload (its bytes were taken)" \
	"$(( $(slow cached_drops) - c0 ))" 4
r0=$(xdp redirect) rx0=$(slow rx)
abuse dns_flood --n 400
r=$(( $(xdp redirect) - r0 )) o=$(xdp redirect_overload)
check_eq "400 back-to-back queries over a budget of 20 pps, burst 50: the excess is redirect_overload" \
	"$(( r + o ))/$(( r >= 50 && r < 150 ))/$(( $(slow rx) - rx0 == r ))" "400/1/1"
tap_done "abuse live"
