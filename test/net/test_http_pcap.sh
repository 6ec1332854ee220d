#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# HTTP buffers end to end (test/net/http_pcap.py, http.rules): a replay of
# whole conversations, each rule of which must alert exactly once, with
# EVE's http object (Suricata's schema when ../shared has it): HTTP on
# port 8080, a normalized URI, a gzip body, pipelined requests, a request
# in 1-byte segments, HEAD's bodiless answer, chunk framing a browser
# reads though http-parser would not; a TLS-looking stream on port 80 is
# not HTTP, and carries the markers to prove no file_data rule saw it.
# Then the body limit of the policy, and a limit out of range refused.
# TAP; 77 = skip.
#   usage: test_http_pcap.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
app=$build/app/dpdk-hyperion py=/usr/bin/python3
need_root
need_exe "$app"
need_scapy
tmp=$(mktemp -d)
prefix=hyphttp$$
trap 'eve_collect; rm -rf "$tmp" "/var/run/dpdk/$prefix"*' EXIT

echo "1..9"
$py "$src/test/net/http_pcap.py" "$tmp/http.pcap" || { nok "pcap" "http_pcap.py failed"; exit 1; }
cp "$src/test/net/http.rules" "$tmp/"
replay() {	# POLICY_EXTRA EVE
	printf 'fast_path:\n  redirect_all: true\nslow_path:\n  rule_files: [http.rules]\n%s' "$1" \
		>"$tmp/policy.yaml"
	timeout 60 "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
		--log-level lib.eal:error -- --pcap "$tmp/http.pcap" --policy "$tmp/policy.yaml" \
		--eve "$2" --metrics-port 0 >"$tmp/replay.log" 2>&1
}
sids() { $py -c "import json,sys,collections
c = collections.Counter(json.loads(l)['alert']['signature_id'] for l in open(sys.argv[1]))
print(' '.join(f'{k}x{c[k]}' for k in sorted(c)))" "$1" 2>/dev/null; }

replay "" "$tmp/eve.json"
# sid 8 matches both pipelined requests, in one segment: one alert a packet
check_eq "every rule alerts once: URI, user agent, gzip body, chunk junk, after HEAD, 1-byte segments, pipelined 404, host" \
	"$(sids "$tmp/eve.json")" "1x1 2x1 3x1 4x1 5x1 6x1 7x1 8x1"
check_eq "the alert on the first pipelined request carries its own request (EVE http object)" \
	"$($py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['alert']['signature_id'] == 1:
        h = e['http']
        print(e['app_proto'], h['hostname'], h['url'], h['http_user_agent'], h['http_method'])" \
	"$tmp/eve.json")" "http shop.example /a/../login.php?u=%41 EvilBot/2.0 GET"
check_eq "the parser's counters: 7 requests, 7 responses, the TLS stream's two directions not HTTP" \
	"$(grep -o 'http: requests=[0-9]* responses=[0-9]* parse_errors=[0-9]* not_http=[0-9]*' \
		"$tmp/replay.log")" "http: requests=7 responses=7 parse_errors=0 not_http=2"
schema=$src/../shared/peer/suricata-eve-schema.json
if [ -f "$schema" ] && $py -c 'import jsonschema' 2>/dev/null; then
	out=$($py "$src/test/net/eve_schema.py" "$schema" "$tmp/eve.json")
	[ $? = 0 ] && ok "the http alerts validate against Suricata's schema: $(tail -1 <<<"$out")" ||
		nok "schema" "$(head -5 <<<"$out")"
else
	echo "ok 4 - Suricata's schema # SKIP ../shared/peer/suricata-eve-schema.json or python3-jsonschema absent"
	n=$((n + 1))
fi

# a body limit of 10 bytes: the gzip body's marker lies past it
replay "  http: {response_body_limit: 10}" "$tmp/eve-limit.json"
check_eq "response_body_limit 10: the marker past it is not seen; the cut bodies are counted" \
	"$(sids "$tmp/eve-limit.json" | tr ' ' '\n' | grep -c '^3x'), $(grep -o 'body_truncated=[0-9]*' \
		"$tmp/replay.log")" "0, body_truncated=3"
replay "  http: {response_body_limit: 99999999}" "$tmp/eve-bad.json"
rc=$?
check_eq "a limit past 16 MiB: refused, naming the key" \
	"$rc $(grep -c 'slow_path.http.response_body_limit' "$tmp/replay.log")" "1 1"
replay "  http: {body_limit: 5}" "$tmp/eve-bad.json"
check_eq "an unknown key under http: refused" "$? $(grep -c 'body_limit' "$tmp/replay.log")" "1 1"
replay "  http: {memcap: 1048576}" "$tmp/eve-least.json"
check_eq "memcap 1 MiB (the least): the same alerts, nothing held after, none stopped" \
	"$(sids "$tmp/eve-least.json"), $(grep -o 'http: .*' "$tmp/replay.log" | tail -1 |
		grep -o 'memcap=[0-9]* bytes_held=[0-9]*')" \
	"1x1 2x1 3x1 4x1 5x1 6x1 7x1 8x1, memcap=0 bytes_held=0"
replay "  http: {memcap: 65536}" "$tmp/eve-bad.json"
check_eq "a memcap below 1 MiB: refused, naming the key" \
	"$? $(grep -c 'slow_path.http.memcap' "$tmp/replay.log")" "1 1"
tap_done "http pcap"
