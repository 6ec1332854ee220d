#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The console (-i) of a running dpdk-hyperion, driven through its stdin
# after known traffic: show rules counts the evil.com queries, a blocklist
# add takes effect in XDP at once, a bad argument is refused and the console
# goes on, quit stops the instance cleanly. TAP; 77 = skip.
#   usage: test_console_live.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypc
log=$tmp/console.log
net_on_exit 'exec 3>&- 2>/dev/null'

# cmd COMMAND: type it, and return once the console has answered (next prompt)
cmd() {
	local before
	before=$(grep -c "hyperion> " "$log")
	echo "$1" >&3
	for _ in $(seq 50); do [ "$(grep -c "hyperion> " "$log")" -gt "$before" ] && return 0; sleep 0.1; done
	return 1
}
# the output of the last command: what follows its echo
answer() { awk -v c="hyperion> $1" 'index($0, c) { buf = ""; on = 1; next } on { buf = buf $0 "\n" } END { printf "%s", buf }' "$log"; }
send() { traffic --count "$1"; }
want() { json_get "$@"; }

echo "1..7"
mkfifo "$tmp/in"
ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
	--log-level lib.eal:error -- --iface "$HYP_IF_DUT" --policy "$src/test/net/ids-policy.yaml" \
	--metrics-port 0 -i <"$tmp/in" >"$log" 2>&1 &
exec 3>"$tmp/in"
for _ in $(seq 100); do grep -q "hyperion> " "$log" && break; sleep 0.1; done
grep -q "hyperion> " "$log" && ok "console prompt up" || { nok "console prompt" "$(tail -5 "$log")"; exit 1; }

sent=$(send 6); sleep 0.5
cmd "show rules"
hits=$(answer "show rules" | awk '$2 == 100 { print $4 }')
[ "$hits" = "$(want "$sent" dns_evil)" ] && ok "show rules: rule 100 decided $hits evil.com queries" ||
	nok "show rules" "$(answer "show rules")"

cmd "blocklist add 198.51.100.7/24"
answer "blocklist add 198.51.100.7/24" | grep -q "host bits set" && ok "a bad prefix is refused with the reason" ||
	nok "bad prefix refused" "$(answer "blocklist add 198.51.100.7/24")"

cmd "blocklist add 198.18.0.1/32"
before=$(ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" stats | awk '$1 == "blocklist_src" { print $2 }')
sent2=$(send 2); sleep 0.5
after=$(ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" stats | awk '$1 == "blocklist_src" { print $2 }')
# every frame from 198.18.0.1 now dies in XDP, the malformed ones too: the
# blocklist is checked whenever the addresses could be read
mine=$(echo "$sent2" | $py -c "import json,sys; d=json.load(sys.stdin); print(sum(v for k, v in d.items() if k != 'blocklisted'))")
[ $((after - before)) = $((mine + $(want "$sent2" blocklisted))) ] &&
	ok "blocklist add took effect in XDP at once: $((after - before)) more dropped" ||
	nok "blocklist add in XDP" "blocklist_src went $before -> $after, want +$((mine + $(want "$sent2" blocklisted)))"

cmd "blocklist list"
answer "blocklist list" | grep -q "198.18.0.1/32" && ok "blocklist list shows it" || nok "blocklist list" "$(answer "blocklist list")"

cmd "show lcores"
answer "show lcores" | grep -q "io+worker" && ok "show lcores lists the io+worker lcore" || nok "show lcores" "$(answer "show lcores")"

echo "quit" >&3
for _ in $(seq 100); do grep -q "== final statistics" "$log" && break; sleep 0.1; done
grep -q "== final statistics" "$log" && ok "quit: final statistics, clean stop" || nok "quit" "$(tail -5 "$log")"
tap_done "console live"
