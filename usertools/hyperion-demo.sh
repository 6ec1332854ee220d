#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build, and run dpdk-hyperion on a namespace
# sandbox: a sender namespace sends benign, blocklisted, malformed, DNS,
# HTTP-attack and flood traffic over a veth into a namespace where
# dpdk-hyperion defends the interface with config/policy.example.yaml. Shows
# what the XDP fast path dropped, what the slow path dropped, alerted and
# passed, and the EVE alerts. Everything it makes is removed when it exits.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash usertools/hyperion-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

app=$top/build/app/dpdk-hyperion
ctl=$top/build/app/hyperion-xdpctl
policy=$top/config/policy.example.yaml
. usertools/hyperion-sandbox.sh
hyp_sandbox_up
tmp=$(mktemp -d)
pfx=hypdemo$$
trap 'set +e; pkill -TERM -f -- "--file-prefix $pfx "; wait; rm -rf "$tmp" /var/run/dpdk/$pfx; hyp_sandbox_down' EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say "sandbox: $HYP_NS_SRC/$HYP_IF_SRC (198.18.0.1) -> $HYP_NS_DUT/$HYP_IF_DUT (198.18.0.2)"
echo "dpdk-hyperion -l 0-1 --no-huge -m 1024 -- --iface $HYP_IF_DUT --policy config/policy.example.yaml --eve eve.json"
ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$pfx" \
	--log-level lib.eal:error -- --iface "$HYP_IF_DUT" --policy "$policy" \
	--eve "$tmp/eve.json" >"$tmp/hyperion.log" 2>&1 &
for _ in $(seq 100); do grep -q "dpdk-hyperion running" "$tmp/hyperion.log" && break; sleep 0.1; done
grep -q "dpdk-hyperion running" "$tmp/hyperion.log" || { cat "$tmp/hyperion.log"; exit 1; }
grep -v TELEMETRY "$tmp/hyperion.log"

say "sending 5 rounds of the mix, and 50 back-to-back frames from 198.18.0.9"
ip netns exec "$HYP_NS_SRC" /usr/bin/python3 usertools/hyperion-traffic.py \
	--iface "$HYP_IF_SRC" --dst-mac "$HYP_MAC_DUT" --count 5 --flood 50 --extra
sleep 1

say "the XDP fast path, live (hyperion-xdpctl stats)"
ip netns exec "$HYP_NS_DUT" "$ctl" -i "$HYP_IF_DUT" stats

say "stopping dpdk-hyperion (SIGTERM): it drains its stages and prints its totals"
pkill -TERM -f -- "--file-prefix $pfx "
for _ in $(seq 100); do grep -q "== final statistics" "$tmp/hyperion.log" && break; sleep 0.1; done
sleep 0.5
sed -n '/== final statistics/,$p' "$tmp/hyperion.log"

say "EVE alerts ($(wc -l <"$tmp/eve.json") lines of eve.json; first of each rule)"
/usr/bin/python3 - "$tmp/eve.json" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    a = json.loads(line)
    sid = a["alert"]["signature_id"]
    if sid in seen:
        continue
    seen.add(sid)
    dns = (a.get("dns", {}).get("queries") or [{}])[0].get("rrname")
    print(f'{a["alert"]["action"]:8} sid {sid:<8} {a["proto"]} {a["src_ip"]}:{a.get("src_port", "")}'
          f' -> {a["dest_ip"]}:{a.get("dest_port", "")}  "{a["alert"]["signature"]}"'
          + (f"  rrname={dns}" if dns else ""))
PY
