#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Prometheus /metrics of a live dpdk-hyperion (staged pipeline, so the stage
# rings exist): known traffic from the sandbox's other namespace, then the
# app's own /metrics and Debian's real prometheus, scraping it from inside
# the DUT namespace, must both count exactly that traffic. TAP; 77 = skip.
#   usage: test_metrics.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
prom=/usr/bin/prometheus
lcores="0@0,1@1,2@1,3@0"
[ -x "$prom" ] || skip_prereq "needs prometheus (usertools/hyperion-deps.sh)"
command -v curl >/dev/null || skip_prereq "needs curl"
net_open hypm
eve=$tmp/eve.json
# the live tests' policy, with the watchdog on (so its state is 1, not 0)
{ printf 'runtime:\n  watchdog_ms: 3000\n'; cat "$src/test/net/ids-policy.yaml"; } >"$tmp/policy.yaml"
policy=$tmp/policy.yaml
mport=$((21120 + $$ % 1000)) pport=$((22120 + $$ % 1000))
prom_pid=

dut() { ip netns exec "$HYP_NS_DUT" "$@"; }
scrape() { dut curl -s --max-time 5 "http://127.0.0.1:$mport/metrics"; }
# value of one series (exact name and labels as a substring) in a scrape
metric() { grep -F "$1" <<<"$2" | grep -v '^#' | awk '{print $NF}' | head -1; }
# one instant query through prometheus's HTTP API: the value, or "none"
pquery() {
	dut curl -s --max-time 5 -G "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		$py -c 'import json,sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "none")' 2>/dev/null || echo "none"
}

echo "1..27"
if app_start --lcores "$lcores" -- --iface "$HYP_IF_DUT" --policy "$policy" --eve "$eve" \
	--metrics-addr 127.0.0.1 --metrics-port "$mport"; then
	ok "dpdk-hyperion started with --metrics-port $mport"
else nok "dpdk-hyperion started"; exit 1; fi

hdr=$(dut curl -s -o /dev/null -D - "http://127.0.0.1:$mport/metrics" | tr -d '\r')
if grep -q "^HTTP/1.1 200" <<<"$hdr" &&
   grep -qi "^Content-Type: text/plain; version=0.0.4" <<<"$hdr"; then
	ok "GET /metrics: 200, text/plain; version=0.0.4"
else nok "GET /metrics" "$hdr"; fi
check_eq "GET /other is 404" \
	"$(dut curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")" 404
first=$(scrape)
if dut promtool check metrics <<<"$first" >"$tmp/promtool.out" 2>&1; then
	ok "promtool check metrics: valid exposition format"
else nok "promtool check metrics" "$(head -5 "$tmp/promtool.out")"; fi

# -- prometheus, scraping the app from inside the DUT namespace ----------------
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: hyperion
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
mkdir "$tmp/tsdb"
ip netns exec "$HYP_NS_DUT" "$prom" --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$pport" \
	--log.level=warn >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
health=none
for _ in $(seq 150); do
	health=$(dut curl -s --max-time 2 "http://127.0.0.1:$pport/api/v1/targets" 2>/dev/null |
		$py -c 'import json,sys
t = json.load(sys.stdin)["data"]["activeTargets"]
print(t[0]["health"] if t else "none")' 2>/dev/null)
	[ "$health" = up ] && break
	sleep 0.2
done
check_eq "prometheus /api/v1/targets: the hyperion target is" "$health" up
[ "$health" = up ] || sed 's/^/# prometheus: /' "$tmp/prometheus.log" | tail -5

# -- known traffic ------------------------------------------------------------
sent=$(traffic --count 10 --pcap-out "$tmp/mix.pcap")
echo "# sent: $sent"
want() { json_get "$sent" "$1"; }
blk=$(want blocklisted) evil=$(want dns_evil) alert=$(want payload_alert)
red=$(( $(want dns_query) + evil + alert + $(want payload_benign) ))
# the slow path is done when everything redirected was inspected
for _ in $(seq 50); do
	m=$(scrape)
	[ "$(metric 'hyperion_stage_packets_total{stage="inspected"}' "$m")" = "$red" ] && break
	sleep 0.2
done
sleep 1
m=$(scrape)

check_eq "/metrics: fastpath drops, reason=blocklist" \
	"$(metric 'hyperion_fastpath_drops_total{port="'"$HYP_IF_DUT"'",reason="blocklist"}' "$m")" "$blk"
check_eq "/metrics: fastpath packets, reason=redirect" \
	"$(metric 'reason="redirect",dropped="false"}' "$m")" "$red"
check_eq "/metrics: redirect failures (a socket is bound)" \
	"$(metric 'hyperion_redirect_failures_total{' "$m")" 0
check_eq "/metrics: stage inspected" "$(metric 'stage="inspected"' "$m")" "$red"
check_eq "/metrics: the latency histogram counts every inspected packet" \
	"$(metric 'hyperion_inspection_latency_seconds_count' "$m")/$(metric 'hyperion_inspection_latency_seconds_bucket{le="+Inf"}' "$m")" "$red/$red"
check_eq "/metrics: slowpath drops by rule 100 (evil.com)" \
	"$(metric 'hyperion_slowpath_drops_total{rule="100"}' "$m")" "$evil"
check_eq "/metrics: verdicts drop/alert/pass" \
	"$(metric 'verdict="drop"' "$m")/$(metric 'verdict="alert"' "$m")/$(metric 'verdict="pass"' "$m")" \
	"$evil/$alert/$((red - evil - alert))"
check_eq "/metrics: alerts" "$(metric 'hyperion_alerts_total ' "$m")" "$alert"
check_eq "/metrics: EVE written/lost" \
	"$(metric 'result="written"' "$m")/$(metric 'result="lost"' "$m")" "$((evil + alert))/0"
check_eq "/metrics: watchdog state 1 (on, heartbeat fresh)" \
	"$(metric 'hyperion_watchdog_state ' "$m")" 1
age=$(metric 'hyperion_heartbeat_age_seconds ' "$m")
if $py -c "import sys; sys.exit(not 0 <= float('$age') < 2)" 2>/dev/null; then
	ok "/metrics: heartbeat age ${age}s"
else nok "/metrics: heartbeat age" "got '$age'"; fi
rings=$(grep -c '^hyperion_ring_occupancy{ring="hyp_w' <<<"$m")
press=$(grep -c "^hyperion_afxdp_rx_queue_pressure{port=\"$HYP_IF_DUT\",queue=\"0\"}" <<<"$m")
busy=$(grep '^hyperion_lcore_busy_ratio{' <<<"$m" | awk '$NF >= 0 && $NF <= 1' | wc -l)
if [ "$rings" -ge 2 ] && [ "$press" = 1 ] && [ "$busy" -ge 3 ]; then
	ok "/metrics: $rings worker rings with occupancy, the queue's pressure, $busy lcore busy ratios in [0,1]"
else nok "/metrics: rings and lcores" "rings=$rings pressure=$press busy=$busy"; fi
# every lcore that received packets spent cycles on them, never more than it polled
cyc=$($py -c '
import re, sys
busy, poll, rx = {}, {}, {}
for l in sys.stdin.read().splitlines():
    g = re.match(r"hyperion_lcore_(busy|poll)_cycles_total\{lcore=\"(\d+)\",role=\"[^\"]*\"\} (\S+)", l)
    if g:
        (busy if g.group(1) == "busy" else poll)[g.group(2)] = float(g.group(3))
    g = re.match(r"hyperion_lcore_rx_total\{lcore=\"(\d+)\",role=\"[^\"]*\"\} (\S+)", l)
    if g:
        rx[g.group(1)] = float(g.group(2))
with_rx = [k for k in rx if rx[k] > 0]
ok = [k for k in with_rx if 0 < busy.get(k, 0) <= poll.get(k, 0)]
bad = [k for k in busy if busy[k] > poll.get(k, 0)]
print("%d/%d/%d" % (len(ok), len(with_rx), len(bad)))' <<<"$m")
if [ "${cyc%%/*}" -ge 1 ] && [ "$(echo "$cyc" | cut -d/ -f1)" = "$(echo "$cyc" | cut -d/ -f2)" ] &&
   [ "${cyc##*/}" = 0 ]; then
	ok "/metrics: each lcore that received packets has busy cycles > 0 and <= its poll cycles ($cyc)"
else nok "/metrics: busy cycles" "lcores with rx and 0 < busy <= poll / lcores with rx / busy > poll: $cyc"; fi
# counters never go back: every *_total series of the first scrape is <= now
echo "$first" >"$tmp/first"
echo "$m" >"$tmp/second"
back=$($py - "$tmp/first" "$tmp/second" <<'EOF'
import sys
def load(f):
    return {l.rsplit(' ', 1)[0]: float(l.rsplit(' ', 1)[1]) for l in open(f).read().splitlines()
            if l and not l.startswith('#') and '_total' in l.split('{')[0].split(' ')[0]}
a, b = load(sys.argv[1]), load(sys.argv[2])
print(sum(1 for k in a if k in b and b[k] < a[k]), len(a))
EOF
)
if [ "${back%% *}" = 0 ] && [ "${back##* }" -gt 50 ]; then ok "counters monotonic (${back##* } series)"
else nok "counters monotonic" "went back / compared: $back"; fi

# hyperion-top over telemetry shows the same rings, with the ring table's names
# and the capacity /metrics reports
top=$(timeout 10 $py "$src/usertools/hyperion-top.py" --file-prefix "$prefix" --once 2>&1)
cap=$(grep '^hyperion_ring_capacity{' <<<"$m" | grep -F 'ring="hyp_w0"' | awk '{print $NF}')
if grep -q "^ring  *occupancy  *capacity  *high_watermark  *enqueue_failures" <<<"$top" &&
   grep -Eq "^hyp_w0 +[0-9]+ +$cap +[0-9]+ +0\$" <<<"$top"; then
	ok "hyperion-top --once: worker ring hyp_w0 with capacity $cap"
else nok "hyperion-top --once: the rings" "$(grep -A3 '^ring' <<<"$top")"; fi

# -- the same numbers through prometheus -----------------------------------------
# wait for a scrape taken after the traffic
for _ in $(seq 50); do
	[ "$(pquery 'hyperion_stage_packets_total{stage="inspected"}')" = "$red" ] && break
	sleep 0.2
done
pblk=$(pquery 'hyperion_fastpath_drops_total{reason="blocklist"}')
check_eq "prometheus: hyperion_fastpath_drops_total{reason=\"blocklist\"}" "$pblk" "$blk"
check_eq "prometheus equals /metrics for the blocklist drops" "$pblk" \
	"$(metric 'hyperion_fastpath_drops_total{port="'"$HYP_IF_DUT"'",reason="blocklist"}' "$(scrape)")"
check_eq "prometheus: slowpath drops and verdicts drop/alert/pass" \
	"$(pquery 'hyperion_slowpath_drops_total{rule="100"}') $(pquery 'hyperion_slowpath_verdicts_total{verdict="drop"}')/$(pquery 'hyperion_slowpath_verdicts_total{verdict="alert"}')/$(pquery 'hyperion_slowpath_verdicts_total{verdict="pass"}')" \
	"$evil $evil/$alert/$((red - evil - alert))"
check_eq "prometheus: redirect failures, EVE written, alerts" \
	"$(pquery 'hyperion_redirect_failures_total') $(pquery 'hyperion_eve_events_total{result="written"}') $(pquery 'hyperion_alerts_total')" \
	"0 $((evil + alert)) $alert"

# -- errors: the port is taken, the address is not an address --------------------
timeout 30 ip netns exec "$HYP_NS_DUT" "$app" -l 0-1 --no-huge -m 512 --no-pci \
	--file-prefix "${prefix}e" --log-level lib.eal:error -- --pcap "$tmp/mix.pcap" \
	--metrics-addr 127.0.0.1 --metrics-port "$mport" >"$tmp/busy.log" 2>&1
rc=$?
if [ $rc != 0 ] && grep -q "cannot serve /metrics: 127.0.0.1:$mport: Address already in use" "$tmp/busy.log"; then
	ok "a second instance on the same port fails: exit $rc"
else nok "port in use" "exit $rc" "$(tail -3 "$tmp/busy.log")"; fi

kill -TERM "$prom_pid"; wait "$prom_pid" 2>/dev/null; prom_pid=
kill -TERM "$app_pid"
for _ in $(seq 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
wait "$app_pid" 2>/dev/null
rc=$?
app_pid=
grep -q "== final statistics" "$log" && [ $rc = 0 ] && ok "SIGTERM: the app exits 0" ||
	nok "SIGTERM: exit" "rc=$rc" "$(tail -3 "$log")"
if dut curl -s --max-time 2 "http://127.0.0.1:$mport/metrics" >/dev/null; then
	nok "/metrics closed after exit"
else ok "/metrics closed after exit"; fi
tap_done "metrics"
