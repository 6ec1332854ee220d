#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Load shedding in DEGRADED, by the policy's order. Two redirect_ports
# classes: DNS (priority 0, never shed) and UDP 5000 (priority 5). The
# process is stopped while 1,000 queries overflow its AF_XDP ring (256):
# a real loss, so health goes degraded and the control plane sheds class 5
# at once; while shed, port 5000 passes uninspected (fail-open) as
# redirect_shed and DNS is still redirected; once health has been healthy
# for 5 s the class is given back and port 5000 is inspected again. Then
# the fail-closed variant drops what is shed. TAP; 77 = skip.
#   usage: test_shed.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hyps
pol=$tmp/policy.yaml
mkpol() {
	cat >"$pol" <<Y
fast_path:
  redirect_ports:
    - {protocol: 17, port: 53}
    - {protocol: 17, port: 5000, priority: 5}
runtime:
  fail_mode: $1
Y
}
# send PORT N: N datagrams to 198.18.0.2:PORT, back to back
send() { ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, DNS, DNSQR, Raw, sendp
p = int('$1')
l4 = (lambda i: DNS(rd=1, qd=DNSQR(qname='q%d.example' % i))) if p == 53 else (lambda i: Raw(b'hello'))
sendp([Ether(dst='$HYP_MAC_DUT') / IP(src='198.18.0.1', dst='198.18.0.2') /
       UDP(sport=30000 + i, dport=p) / l4(i) for i in range($2)], iface='$HYP_IF_SRC', verbose=0)"; }
# wait_shed LEVEL SECONDS: until /hyperion/health says shed_from LEVEL
wait_shed() {
	local i
	for i in $(seq $(($2 * 5))); do
		[ "$(tele /hyperion/health shed_from)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
overflow() {
	kill -STOP "$app_pid"
	send 53 1000
	kill -CONT "$app_pid"
}

echo "1..11"
mkpol open
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --rx-desc 256 || { nok "started"; exit 1; }
send 5000 10
sleep 0.5
check_eq "healthy: nothing shed, port 5000 redirected" \
	"$(tele /hyperion/health shed_from) $(xdp redirect_shed) $(xdp redirect)" "0 0 10"
overflow
if wait_shed 5 5; then ok "the overflow degraded health and class 5 was shed"
else nok "class 5 shed" "$(tele /hyperion/health state why shed_from)" "$(tail -3 "$log")"; fi
grep -q "shedding: redirect_ports of priority 5 and up go uninspected" "$log" &&
	ok "logged with the rule behind it: $(grep -o 'shedding: .*' "$log" | head -1 | cut -c1-110)" ||
	nok "the shedding log line" "$(tail -3 "$log")"
r0=$(xdp redirect)
send 5000 20
send 53 20
sleep 0.3
check_eq "shed: port 5000 passed uninspected (redirect_shed, fail-open), DNS still redirected" \
	"$(xdp redirect_shed) $(xdp redirect_shed 4) $(( $(xdp redirect) - r0 ))" "20 0 20"
if wait_shed 0 20; then ok "healthy for 5 s: the class was given back"
else nok "class given back" "$(tele /hyperion/health state shed_from in_state_ms)"; fi
r0=$(xdp redirect)
send 5000 10
sleep 0.3
check_eq "port 5000 inspected again, no more redirect_shed" \
	"$(( $(xdp redirect) - r0 )) $(xdp redirect_shed)" "10 20"
check_eq "telemetry: one step shed, one given back" \
	"$(tele /hyperion/health shed_steps shed_restores shed_write_errors)" "1 1 0"
m=$(ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 http://127.0.0.1:2112/metrics)
check_eq "/metrics: hyperion_shed_from and the changes" \
	"$(grep -E '^hyperion_shed_(from|changes_total)' <<<"$m" | awk '{print $NF}' | tr '\n' ' ')" \
	"0 1 1 "
app_stop

# fail-closed: what is shed is dropped, DNS still redirected
mkpol closed
app_start -- --iface "$HYP_IF_DUT" --policy "$pol" --rx-desc 256 || { nok "restarted"; exit 1; }
sleep 0.5	# the first health sample takes the baselines: overflow after it
overflow
if wait_shed 5 5; then ok "fail-closed: class 5 shed"
else nok "fail-closed: class 5 shed" "$(tele /hyperion/health state shed_from)"; fi
send 5000 15
sleep 0.3
check_eq "fail-closed: what is shed is dropped (redirect_shed packets/dropped)" \
	"$(xdp redirect_shed) $(xdp redirect_shed 4)" "15 15"
app_stop
grep -q "== final statistics" "$log" && ok "stopped cleanly" || nok "stopped" "$(tail -3 "$log")"
tap_done "shed"
