#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Evasion by IP fragmentation and TCP segmentation (test/net/evasion.py):
# a DNS query for a blocked name and a payload signature, cut into
# fragments in order, reversed, in 8-byte pieces, IPv4 and IPv6 (with a
# hop-by-hop header first), overlapping with the same and with different
# bytes; a request whose User-Agent is cut across two TCP segments, a
# signature in 1-byte segments and in reversed ones, a connection picked
# up without its SYN, DNS over TCP with its length prefix in a segment of
# its own, resent bytes the same and different; and the benign version of
# each, against the YAML rules and the same attacks as Suricata rules
# (evasion.rules, over stream windows). Live in ids mode every attack is
# caught and nothing benign alerts;
# the same frames replayed from a pcap give the same alerts and counters;
# replayed without reassembly the attacks walk through, which is what
# this closes, and without the stream window the Suricata rules miss them. TAP; 77 = skip.
#   usage: test_evasion.sh BUILD_DIR SOURCE_DIR [EAL_LCORES [APP_ARGS...]]
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
eal_lcores_of "${3:-0-1}"
shift $(( $# < 3 ? $# : 3 ))
policy=$src/test/net/evasion-policy.yaml
net_open hype
eve=$tmp/eve.json

# the generator's counts: datagrams (d) or frames (f) of every case, or of
# those whose name starts with a prefix
count() { echo "$sent" | $py -c "import json,sys
d = json.load(sys.stdin)['$1']
print(sum(v for k, v in d.items() if k.startswith('${2:-}')))"; }
# alerts in an EVE file: signature id, action, source port, rrname; sorted
alerts() { $py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    print(e['alert']['signature_id'], e['alert']['action'], e['src_ip'], e.get('src_port', 0),
          (e.get('dns', {}).get('queries') or [{}])[0].get('rrname', '-'))" "$1" | sort; }
n_alerts() { alerts "$1" | awk -v s="$2" -v a="$3" '$1 == s && $2 == a' | wc -l; }
stat_line() { grep "$2" "$1" | tail -1; }
val() { echo "$1" | grep -o " $2=[0-9]*" | cut -d= -f2; }

echo "1..25"
if app_start "${eal_lcores[@]}" -- --iface "$HYP_IF_DUT" --policy "$policy" --eve "$eve" "$@"
then ok "dpdk-hyperion started"
else nok "dpdk-hyperion started"; exit 1; fi
sent=$(ip netns exec "$HYP_NS_SRC" $py "$src/test/net/evasion.py" --iface "$HYP_IF_SRC" \
	--dst-mac "$HYP_MAC_DUT" --pcap-out "$tmp/evasion.pcap") || { nok "sending"; exit 1; }
echo "# sent: $sent"
tcp_fr=$(count frames tcp_)
dg=$(( $(count datagrams) - $(count datagrams tcp_) )) fr=$(( $(count frames) - tcp_fr ))
evil_dns=$(count datagrams dns_evil) sig=$(count datagrams sig_split)
tcp_ua=$(( $(count datagrams tcp_ua_split) + $(count datagrams tcp_ua_midstream) ))
tcp_sig=$(( $(count datagrams tcp_sig_bytes) + $(count datagrams tcp_sig_reversed) ))
tcp_dns=$(count datagrams tcp_dns_split)
conflict_frames=$(( 2 * $(count datagrams overlap_conflict) ))	# the fake, and the real one after it
sleep 1
app_stop
sed 's/^/# /' "$log" | tail -6
fast=$(stat_line "$log" "fast path $HYP_IF_DUT")
slow=$(stat_line "$log" "slow path:")
frag=$(stat_line "$log" "defrag:")
strm=$(stat_line "$log" "stream:")

check_eq "XDP: every fragment redirected to the slow path as fragment_redirect" \
	"$(echo "$fast" | grep -o "fragment_redirect=[0-9]*" | cut -d= -f2)" "$fr"
check_eq "reassembly: every fragment taken, every datagram whole, nothing left" \
	"$(val "$frag" fragments)/$(val "$frag" reassembled)/$(val "$frag" datagrams_held)" "$fr/$dg/0"
check_eq "reassembly: the conflicting overlaps seen (the fake fragment and the real one after it)" \
	"$(val "$frag" conflicts)" "$conflict_frames"
check_eq "reassembly: the retransmitted fragments seen as overlaps with the same bytes" \
	"$(val "$frag" overlaps)" "$(count datagrams overlap_same)"
check_eq "reassembly: nothing invalid, no bound reached" \
	"$(val "$frag" invalid)/$(val "$frag" timeouts)/$(val "$frag" table_full)/$(val "$frag" memcap)" \
	"0/0/0/0"
check_eq "every reassembled datagram inspected once, and every TCP segment" \
	"$(val "$slow" inspected)" "$(( dg + tcp_fr ))"
check_eq "the DNS queries for evil.com dropped: fragments (in order, reversed, tiny, v4, v6, hop-by-hop) and DNS over TCP across segments" \
	"$(n_alerts "$eve" 100 blocked)/$(val "$slow" dropped)" \
	"$(( evil_dns + tcp_dns ))/$(( evil_dns + tcp_dns ))"
check_eq "EVE: each names www.evil.com" \
	"$(alerts "$eve" | awk '$1 == 100 && $5 == "www.evil.com"' | wc -l)" "$(( evil_dns + tcp_dns ))"
check_eq "the signature cut across two fragments alerts, and across TCP segments (1-byte, reversed)" \
	"$(n_alerts "$eve" 500 allowed)" "$(( sig + tcp_sig ))"
check_eq "the User-Agent cut across two TCP segments matches the regex, with and without the SYN" \
	"$(n_alerts "$eve" 700 allowed)" "$tcp_ua"
check_eq "every rule alert counted once" "$(val "$slow" alerted)" "$(( sig + tcp_sig + tcp_ua ))"
check_eq "Suricata rules: the signature across TCP segments (1-byte, reversed) alerts once a connection" \
	"$(n_alerts "$eve" 4000001 allowed)" "$tcp_sig"
check_eq "Suricata rules: the User-Agent across two segments, with and without the SYN" \
	"$(n_alerts "$eve" 4000002 allowed)" "$tcp_ua"
check_eq "TCP: resent bytes that differ: one engine alert (2000004) per connection" \
	"$(n_alerts "$eve" 2000004 allowed)" "$(count datagrams tcp_resend_conflict)"
check_eq "TCP reassembly: every segment taken, resends seen, the connection without SYN picked up" \
	"$(val "$strm" segments)/$(val "$strm" overlaps)/$(val "$strm" conflicts)/$(val "$strm" midstream)" \
	"$tcp_fr/$(count datagrams tcp_resend_same)/$(count datagrams tcp_resend_conflict)/$(count datagrams tcp_ua_midstream)"
check_eq "TCP reassembly: nothing skipped or refused" \
	"$(val "$strm" gaps)/$(val "$strm" refused)/$(val "$strm" memcap)" "0/0/0"
check_eq "overlapping fragments with different bytes: one engine alert (2000001) per datagram" \
	"$(n_alerts "$eve" 2000001 allowed)" "$(count datagrams overlap_conflict)"
# benign cases: source ports 43004 (DNS), 46003 (split), 46004 (retransmission),
# 51006 (TCP split), 51007 (TCP resend)
check_eq "nothing benign alerted (example.com, the benign splits, the retransmissions)" \
	"$(alerts "$eve" | awk '$4 == 43004 || $4 == 46003 || $4 == 46004 || $4 == 51006 || $4 == 51007' | wc -l)" 0

# -- the same frames, offline -------------------------------------------------
# replay EVE [ARGS]: one replay, its log in $tmp/replay${rtag}.log
rtag=
replay() {
	timeout 60 "$app" -l 0-1 --no-huge -m 512 --no-pci --file-prefix "${prefix}r$rtag" \
		--log-level lib.eal:error -- --pcap "$tmp/evasion.pcap" --policy "$policy" \
		--metrics-port 0 --eve "$1" "${@:2}" >"$tmp/replay$rtag.log" 2>&1
}
if replay "$tmp/replay.json"; then
	check_eq "replay: the same alerts as live, one by one" \
		"$(alerts "$tmp/replay.json" | md5sum)" "$(alerts "$eve" | md5sum)"
	rfrag=$(stat_line "$tmp/replay.log" "defrag:")
	check_eq "replay: the same reassembly counters as live" \
		"$(echo "$rfrag" | sed 's/ *datagrams_held.*//')" "$(echo "$frag" | sed 's/ *datagrams_held.*//')"
	rstrm=$(stat_line "$tmp/replay.log" "stream:")
	check_eq "replay: the same TCP reassembly counters as live" \
		"$(echo "$rstrm" | sed 's/ *directions.*//')" "$(echo "$strm" | sed 's/ *directions.*//')"
else
	nok "replay ran" "$(tail -3 "$tmp/replay.log")"; nok "replay: reassembly counters"
	nok "replay: TCP reassembly counters"
fi
# a replay binds nothing on the host's interfaces: two at once both work
rtag=a replay "$tmp/a.json" & pa=$!
rtag=b replay "$tmp/b.json" & pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
check_eq "two replays at once: both finish, each with the live alerts" \
	"$ra/$rb/$(alerts "$tmp/a.json" | md5sum)/$(alerts "$tmp/b.json" | md5sum)" \
	"0/0/$(alerts "$eve" | md5sum)/$(alerts "$eve" | md5sum)"
rm -rf "/var/run/dpdk/${prefix}ra" "/var/run/dpdk/${prefix}rb"
if replay "$tmp/nodefrag.json" --defrag-datagrams 0 --stream-memcap-mb 0; then
	rslow=$(stat_line "$tmp/replay.log" "slow path:")
	# only dns_malformed (2000003) sees the DNS pieces, as port-53 junk; the
	# different resend (51008) is seen alone, as if the host kept it
	check_eq "without reassembly the cut attacks walk through: no drop, no rule's alert" \
		"$(val "$rslow" dropped)/$(alerts "$tmp/nodefrag.json" | awk '$1 != 2000003 && $4 != 51008' | wc -l)" "0/0"
else
	nok "replay without reassembly ran" "$(tail -3 "$tmp/replay.log")"
fi
if replay "$tmp/nowindow.json" --stream-inspect-window 0; then
	check_eq "without the stream window the Suricata rules miss the cut matches (the YAML rules, in Hyperscan stream mode, do not)" \
		"$(n_alerts "$tmp/nowindow.json" 4000001 allowed)/$(n_alerts "$tmp/nowindow.json" 4000002 allowed)/$(n_alerts "$tmp/nowindow.json" 500 allowed)/$(n_alerts "$tmp/nowindow.json" 700 allowed)" \
		"0/0/$(( sig + tcp_sig ))/$tcp_ua"
else
	nok "replay without the stream window ran" "$(tail -3 "$tmp/replay.log")"
fi
rm -rf "/var/run/dpdk/${prefix}r"
tap_done "evasion"
