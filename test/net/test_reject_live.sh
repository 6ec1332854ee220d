#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Reject rules in ips mode, between a client and a server namespace: a
# rejected TCP connect is refused at once by our RST (the server never sees
# the SYN, and a connection next to it is accepted); a rejected UDP
# datagram comes back as ICMP port unreachable, so the client's socket says
# "connection refused" (the kernel checked both answers' checksums); a drop
# rule on the next port answers nothing; a flood of rejected datagrams gets
# at most the worker's rate of answers, the rest counted. TAP; 77 = skip.
#   usage: test_reject_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
command -v tcpreplay >/dev/null || skip_prereq "needs tcpreplay"
net_open hyprj hyp_sandbox_ips_up
pol=$tmp/policy.yaml
cat >"$tmp/reject.rules" <<'RULES'
reject tcp any any -> any 8081 (msg:"REJECT a closed service"; flags:S; sid:4200001;)
reject udp any any -> any 5001 (msg:"REJECT a datagram"; content:"NOPE"; sid:4200002;)
drop udp any any -> any 5002 (msg:"DROP a datagram"; content:"NOPE"; sid:4200003;)
RULES
cat >"$pol" <<'YAML'
fast_path:
  redirect_ports:
    - {protocol: 6, port: 8081}
    - {protocol: 6, port: 8083}
    - {protocol: 17, port: 5001}
    - {protocol: 17, port: 5002}
slow_path:
  rule_files: [reject.rules]
YAML
mac() { ip -n "$1" -br link show "$2" | awk '{print $3}'; }
# connect PORT: 'connected', 'refused' or 'timeout', and the seconds it took
connect() { ip netns exec "$HYP_NS_CLI" $py -c "
import socket, sys, time
t = time.monotonic()
try:
    socket.create_connection(('198.18.1.2', $1), timeout=3).close(); r = 'connected'
except ConnectionRefusedError: r = 'refused'
except OSError: r = 'timeout'
print(r, '%.1f' % (time.monotonic() - t))"; }
# datagram PORT TEXT: 'reply', 'refused' (an ICMP unreachable came) or 'none'
datagram() { ip netns exec "$HYP_NS_CLI" $py -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.5)
s.connect(('198.18.1.2', $1)); s.send(b'$2')
try: s.recv(100); print('reply')
except ConnectionRefusedError: print('refused')
except OSError: print('none')"; }
slow() { tele /hyperion/stats "slow/$1"; }

echo "1..9"
ip netns exec "$HYP_NS_SRV" $py "$src/test/net/udp-echo.py" serve 5001 5002 >"$tmp/udp.log" 2>&1 &
ip netns exec "$HYP_NS_SRV" $py -c "
import select, socket
ls = []
for port in (8081, 8083):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', port)); s.listen(8); ls.append(s)
print('ready', flush=True)
while True:
    for s in select.select(ls, [], [])[0]:
        c, _ = s.accept(); print('accepted', s.getsockname()[1], flush=True); c.close()" \
	>"$tmp/tcp.log" 2>&1 &
app_start -- --mode ips --iface "$HYP_IF_A" --peer "$HYP_IF_B" --policy "$pol" \
	--eve "$tmp/eve.json" || { nok "dpdk-hyperion started in ips mode"; exit 1; }
ok "dpdk-hyperion started in ips mode"
for _ in $(seq 50); do grep -q ready "$tmp/tcp.log" && grep -q ready "$tmp/udp.log" && break; sleep 0.1; done
ip netns exec "$HYP_NS_CLI" ping -c 1 -W 2 198.18.1.2 >/dev/null || nok "ARP across the bump"

check_eq "a connection to a service no rule names is accepted" "$(connect 8083 | cut -d' ' -f1)" connected
r=$(connect 8081)
check_eq "a rejected connect is refused by our RST at once; the server never saw the SYN" \
	"${r% *} $(awk -v t="${r#* }" 'BEGIN { print t < 1 ? "fast" : "slow" }') $(grep -c 'accepted 8081' "$tmp/tcp.log")" \
	"refused fast 0"
check_eq "a rejected datagram: ICMP port unreachable, the socket says refused; a benign one echoed" \
	"$(datagram 5001 NOPE) $(datagram 5001 hello)" "refused reply"
check_eq "a drop rule's datagram: nothing comes back" "$(datagram 5002 NOPE)" none
check_eq "two answers sent, none held back; the reject alerts in EVE as blocked" \
	"$(slow rejects) $(slow rejects_limited) $(slow rejects_failed) $($py -c "import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['alert']['signature_id'] in (4200001, 4200002)
      and json.loads(l)['alert']['action'] == 'blocked'))" "$tmp/eve.json")" "2 0 0 2"

# a flood: 5000 rejected datagrams as fast as tcpreplay sends them
ip netns exec "$HYP_NS_CLI" $py -c "
from scapy.all import Ether, IP, UDP, Raw, wrpcap
wrpcap('$tmp/flood.pcap', [Ether(src='$(mac "$HYP_NS_CLI" "$HYP_IF_CLI")', dst='$(mac "$HYP_NS_DUT" "$HYP_IF_A")') /
       IP(src='198.18.1.1', dst='198.18.1.2') / UDP(sport=20000 + i % 40000, dport=5001) /
       Raw(b'NOPE') for i in range(5000)])"
h0=$(tele /hyperion/rules rule_4200002/hits) s0=$(slow rejects)
ip netns exec "$HYP_NS_CLI" tcpreplay -q -i "$HYP_IF_CLI" --topspeed "$tmp/flood.pcap" >/dev/null 2>&1 ||
	nok "tcpreplay"
sleep 1
hits=$(( $(tele /hyperion/rules rule_4200002/hits) - h0 )) sent=$(( $(slow rejects) - s0 ))
lim=$(slow rejects_limited)
echo "# flood: $hits matched, $sent answered, $lim held back"
check_eq "the flood: answers within the rate (1,000 a second, a second's burst), the rest counted" \
	"$(( sent + lim == hits && lim > 0 && sent <= 1000 + 1000 * 3 ))" 1
check_eq "/metrics: the answers sent and held back" \
	"$(ip netns exec "$HYP_NS_DUT" curl -s --max-time 5 http://127.0.0.1:2112/metrics |
	   awk '$1 == "hyperion_rejects_total{result=\"sent\"}" { s = $2 }
		$1 == "hyperion_rejects_total{result=\"limited\"}" { l = $2 } END { print s, l }')" \
	"$(slow rejects) $(slow rejects_limited)"
app_stop
grep -q "== final statistics" "$log" && ok "stopped cleanly" || nok "stop" "$(tail -3 "$log")"
tap_done "reject live"
