#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Driver presets on a real interface: the veth preset is found by the
# interface's driver and applied (force_copy, busy_budget) and its quirks
# printed; a preset's host knobs are set for the run and put back at the
# stop, its ring size yields to --rx-desc; a preset for another driver, an
# expectation of zero-copy and an MTU past the preset's limit are each
# warned about; a broken preset stops the start with file:line:column and
# leaves no program behind; --driver-cfg none applies nothing. TAP; 77 = skip.
#   usage: test_driver_cfg.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypc
knobs() { ip netns exec "$HYP_NS_DUT" cat "/sys/class/net/$HYP_IF_DUT/napi_defer_hard_irqs" \
	"/sys/class/net/$HYP_IF_DUT/gro_flush_timeout" | tr '\n' ' '; }

echo "1..10"
app_start -- --iface "$HYP_IF_DUT" || { nok "started"; exit 1; }
grep -q "$HYP_IF_DUT: driver veth, preset $(realpath "$src")/drivers-cfg/veth.yaml: mode copy (force_copy=1), busy_budget 64, rx_desc 2048 (default)" "$log" &&
	ok "the veth preset found by the interface's driver and applied" ||
	nok "veth preset" "$(grep -i preset "$log")"
check_eq "its two quirks printed, with their scope" \
	"$(grep -c 'known quirk veth-no-\(combined-channels\|rss\) (veth' "$log")" 2
app_stop

knob0=$(knobs)
cat >"$tmp/p.yaml" <<'Y'
driver: veth
afxdp: {mode: copy, rx_desc: 512}
host: {napi_defer_hard_irqs: 3, gro_flush_timeout_ns: 50000}
Y
app_start -- --iface "$HYP_IF_DUT" --driver-cfg "$tmp/p.yaml" || { nok "started"; exit 1; }
check_eq "host knobs set for the run" "$(knobs)" "3 50000 "
grep -q "rx_desc 512 (preset), napi_defer_hard_irqs ${knob0%% *} -> 3" "$log" &&
	ok "the preset's ring size taken, the knob's old value logged" ||
	nok "ring and knob logged" "$(grep -i preset "$log")"
app_stop
check_eq "and put back at the stop" "$(knobs)" "$knob0"
app_start -- --iface "$HYP_IF_DUT" --driver-cfg "$tmp/p.yaml" --rx-desc 1024 ||
	{ nok "started"; exit 1; }
grep -q "rx_desc 1024 (--rx-desc)" "$log" && ok "--rx-desc wins over the preset's ring size" ||
	nok "--rx-desc wins" "$(grep -i preset "$log")"
app_stop

# another driver's preset, expecting zero-copy, with an MTU limit the veth is past
ip -n "$HYP_NS_DUT" link set "$HYP_IF_DUT" mtu 4000
cat >"$tmp/z.yaml" <<'Y'
driver: mlx5_core
afxdp: {mode: zerocopy}
limits: {zerocopy_max_mtu: 3498}
Y
app_start -- --iface "$HYP_IF_DUT" --driver-cfg "$tmp/z.yaml" || { nok "started"; exit 1; }
w=$(grep -c "is for driver mlx5_core, the interface's is veth\|MTU 4000 is above the preset's limit for linear XDP frames (3498)\|queue 0 bound in copy mode, the preset expects zero-copy" "$log")
check_eq "warned: another driver's preset, the MTU past its limit, copy mode where zero-copy was expected" "$w" 3
app_stop
ip -n "$HYP_NS_DUT" link set "$HYP_IF_DUT" mtu 1500

printf 'driver: veth\nafxdp:\n  mode: turbo\n' >"$tmp/bad.yaml"
out=$(ip netns exec "$HYP_NS_DUT" timeout 30 "$app" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "${prefix}b" -- --iface "$HYP_IF_DUT" --driver-cfg "$tmp/bad.yaml" \
	--metrics-port 0 2>&1)
rc=$?
rm -rf "/var/run/dpdk/${prefix}b"
if [ "$rc" != 0 ] && grep -q "driver preset $tmp/bad.yaml:3:9: afxdp.mode: 'turbo' is not auto, copy or zerocopy" <<<"$out"; then
	ok "a broken preset stops the start with file:line:column (exit $rc)"
else nok "broken preset" "rc $rc" "$(grep -i preset <<<"$out")"; fi
ip -n "$HYP_NS_DUT" link show "$HYP_IF_DUT" | grep -q "prog/xdp" &&
	nok "no program left behind" || ok "no program left behind"
app_start -- --iface "$HYP_IF_DUT" --driver-cfg none || { nok "started"; exit 1; }
grep -q "driver veth, no preset (--driver-cfg none)" "$log" && ok "--driver-cfg none applies nothing" ||
	nok "--driver-cfg none" "$(grep -i preset "$log")"
app_stop
tap_done "driver presets"
