#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# What an operator sets by hand during an incident outlives a policy reload:
# a prefix blocked from the console, one blocked with hyperion-xdpctl and
# one with telemetry /hyperion/block still drop in XDP after a SIGHUP, and one the policy also had stays after
# the policy drops it; 'set fail-mode closed' and 'set watchdog' stay until
# 'reset overrides'; 'show runtime' and /hyperion/runtime list all of it;
# the reload's log line says what it kept. A prefix removed by hand is gone
# for good. TAP; 77 = skip.
#   usage: test_runtime_state.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypt
clog=$tmp/console.log
net_on_exit 'exec 3>&- 2>/dev/null'
pol=$tmp/policy.yaml
cmd() {
	local before
	before=$(grep -c "hyperion> " "$clog")
	echo "$1" >&3
	for _ in $(seq 50); do [ "$(grep -c "hyperion> " "$clog")" -gt "$before" ] && return 0; sleep 0.1; done
	return 1
}
# the answer to the last COMMAND: the lines after its echo (which log lines may push
# off the prompt's line) up to the next prompt
answer() { awk -v c="$1" '{ gsub(/\r/, "") } substr($0, length($0) - length(c) + 1) == c { buf = ""; on = 1; next }
	/^hyperion> / { on = 0 } on { buf = buf $0 "\n" } END { printf "%s", buf }' "$clog"; }
cfg() { ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" status | awk -v k="$1" '$1 == k { print $2 }'; }
hup() {
	local n
	n=$(grep -c "loaded (generation" "$clog")
	kill -HUP "$app_pid"
	for _ in $(seq 100); do [ "$(grep -c "loaded (generation" "$clog")" -gt "$n" ] && return 0; sleep 0.05; done
	return 1
}
# drops SRC: blocklisted XDP drops of 3 UDP datagrams from SRC
drops() {
	local b0
	b0=$(xdp blocklist_src)
	ip netns exec "$HYP_NS_SRC" $py -c "
from scapy.all import Ether, IP, UDP, Raw, sendp
sendp([Ether(dst='$HYP_MAC_DUT') / IP(src='$1', dst='198.18.0.2') / UDP(sport=999, dport=9) / Raw(b'x')] * 3,
      iface='$HYP_IF_SRC', verbose=0)"
	sleep 0.3
	echo $(( $(xdp blocklist_src) - b0 ))
}
printf 'fast_path:\n  drop_ips: ["198.51.100.42", "192.0.2.0/24"]\nruntime:\n  fail_mode: open\n  watchdog_ms: 0\n' >"$pol"

echo "1..16"
mkfifo "$tmp/in"
ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --file-prefix "$prefix" \
	--log-level lib.eal:error -- --iface "$HYP_IF_DUT" --policy "$pol" --metrics-port 0 -i \
	<"$tmp/in" >"$clog" 2>&1 &
app_pid=$!
exec 3>"$tmp/in"
for _ in $(seq 100); do grep -q "hyperion> " "$clog" && break; sleep 0.1; done
grep -q "hyperion> " "$clog" || { nok "console up" "$(tail -5 "$clog")"; exit 1; }
# started without --no-pci: an af_xdp application probes no PCI device unless told to
check_eq "EAL hygiene: --no-pci added to the EAL's arguments" \
	"$(echo /eal/params | dpdk-telemetry.py -f "$prefix" 2>/dev/null | grep -c '"--no-pci"')" 1
cmd "blocklist add 203.0.113.0/24"
ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" block add 198.18.200.0/24 ||
	nok "xdpctl block add"
cmd "blocklist add 192.0.2.0/24"	# the policy's own: now also held by hand
cmd "set fail-mode closed"
check_eq "telemetry /hyperion/block,add: result, prefix, changed" \
	"$(tele /hyperion/block,add,198.51.100.128/25 result prefix changed)" "ok 198.51.100.128/25 1"
bad=""
for p in add add, add,198.51.100.300 add,192.0.2.1/24 add,198.51.100.0/24,x block,198.51.100.0/24 \
	del,::ffff:/200 "add,$(printf 'x%.0s' $(seq 90))" ",198.51.100.0/24"; do
	r=$(tele "/hyperion/block,$p" result)
	[ "$r" = refused ] || bad="$bad [$p -> $r]"
done
[ -z "$bad" ] && ok "nine hostile /hyperion/block parameters refused" || nok "hostile block params" "$bad"
cmd "set watchdog 700"
check_eq "before the reload: console, xdpctl, telemetry and the policy's prefix drop" \
	"$(drops 203.0.113.9) $(drops 198.18.200.5) $(drops 198.51.100.200) $(drops 192.0.2.1)" "3 3 3 3"
# the new policy has neither hand-made prefix, nor 192.0.2.0/24, and says fail-open
printf 'fast_path:\n  drop_ips: ["198.51.100.42"]\nruntime:\n  fail_mode: open\n  watchdog_ms: 0\n' >"$pol"
hup || nok "SIGHUP reload" "$(tail -3 "$clog")"
check_eq "after SIGHUP: the prefixes blocked by hand still drop" \
	"$(drops 203.0.113.9) $(drops 198.18.200.5) $(drops 198.51.100.200) $(drops 192.0.2.1)" "3 3 3 3"
check_eq "and the policy's own prefix too" "$(drops 198.51.100.42)" 3
check_eq "the overrides stay: fail-mode closed, watchdog 700 ms" \
	"$(cfg fail_mode) $(cfg watchdog_ns)" "1 700000000"
grep -q "loaded (generation 2); kept 4 prefixes blocked by hand, overrides, fail-mode closed, watchdog (ms) 700" "$clog" &&
	ok "the reload said what it kept" || nok "reload log" "$(grep 'generation 2' "$clog")"
cmd "show runtime"
a=$(answer "show runtime")
if grep -q "blocked by hand (kept across reloads until blocklist del): 4" <<<"$a" &&
   grep -q "src  203.0.113.0/24" <<<"$a" && grep -q "override: fail-mode closed" <<<"$a" &&
   grep -q "src  198.51.100.128/25" <<<"$a" &&
   grep -q "override: watchdog 700 ms" <<<"$a"; then ok "show runtime lists the four and the overrides"
else nok "show runtime" "$a"; fi
check_eq "/hyperion/runtime" \
	"$(tele /hyperion/runtime blocks fail_mode_override watchdog_ms_override)" "4 closed 700"
cmd "reset overrides"
check_eq "reset overrides: the policy's fail-mode and watchdog again" \
	"$(answer "reset overrides" | head -1) $(cfg fail_mode) $(cfg watchdog_ns)" \
	"2 overrides dropped: the policy's fail-mode and watchdog again 0 0"
hup
check_eq "and a reload no longer brings them back" "$(cfg fail_mode) $(cfg watchdog_ns)" "0 0"
cmd "blocklist del 203.0.113.0/24"
hup
check_eq "a prefix removed by hand is gone for good" "$(drops 203.0.113.9)" 0
check_eq "the other three still there" "$(tele /hyperion/runtime blocks)" 3
check_eq "telemetry /hyperion/block,del lifts one for good" \
	"$(tele /hyperion/block,del,198.51.100.128/25 result changed) $(hup; drops 198.51.100.200)" "ok 1 0"
cmd "quit"
for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
grep -q "== final statistics" "$clog" && ok "quit: stopped cleanly" || nok "quit" "$(tail -3 "$clog")"
tap_done "runtime state"
