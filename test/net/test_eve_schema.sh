#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every EVE line dpdk-hyperion writes validates against Suricata's own JSON
# schema (../shared/peer/suricata-eve-schema.json, Suricata's etc/schema.json),
# so Suricata tooling reads it unchanged. Two sources: a replay of its own
# (DNS alerts v4 and v6, payload signatures, malformed DNS) that must hold
# each kind, and every EVE file the other net tests of this build wrote
# (tap.sh keeps them in meson-logs/eve-collected; this test runs after them
# and removes them). TAP; 77 = skip.
#   usage: test_eve_schema.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
schema=$src/../shared/peer/suricata-eve-schema.json
[ -f "$schema" ] || skip_data "../shared/peer/suricata-eve-schema.json is absent (the peer test data)"
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
	skip_prereq "needs python3-jsonschema (usertools/hyperion-deps.sh)"
app=$build/app/dpdk-hyperion py=/usr/bin/python3
need_root
need_exe "$app"
need_scapy
tmp=$(mktemp -d)
prefix=hypsch$$
trap 'rm -rf "$tmp" "/var/run/dpdk/$prefix"*' EXIT
collected=$build/meson-logs/eve-collected

echo "1..4"
$py "$src/usertools/hyperion-traffic.py" --pcap-out "$tmp/mix.pcap" --count 3 --extra \
	--dns-garbage --flow-drop >/dev/null 2>&1 || { nok "pcap" "hyperion-traffic.py failed"; exit 1; }
timeout 60 "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
	--log-level lib.eal:error -- --pcap "$tmp/mix.pcap" --policy "$src/test/net/ids-policy.yaml" \
	--eve "$tmp/eve.json" --metrics-port 0 >"$tmp/replay.log" 2>&1
out=$($py "$src/test/net/eve_schema.py" "$schema" "$tmp/eve.json")
rc=$?
sed 's/^/# /' <<<"$out" | head -22
[ $rc = 0 ] && ok "the replay's EVE validates: $(tail -1 <<<"$out")" || nok "replay EVE" "$(head -5 <<<"$out")"
kinds=$($py -c "import json,sys
k = set()
for l in open(sys.argv[1]):
    e = json.loads(l)
    k.add('dns' if 'dns' in e else 'event' if e['alert']['signature_id'] >= 2000000 else 'payload')
print(' '.join(sorted(k)))" "$tmp/eve.json" 2>/dev/null)
check_eq "it holds each kind of line: DNS alerts, payload alerts, engine events" "$kinds" "dns event payload"
# the schema is strict (additionalProperties false): a key it does not know fails
$py -c "import json,sys
l = json.loads(open(sys.argv[1]).readline()); l['alert']['made_up'] = 1; print(json.dumps(l))" \
	"$tmp/eve.json" >"$tmp/bad-eve.json"
$py "$src/test/net/eve_schema.py" "$schema" "$tmp/bad-eve.json" >/dev/null
[ $? = 1 ] && ok "a line with a key Suricata does not know is refused (the check is not vacuous)" ||
	nok "the validator accepted a made-up key"
files=$(find "$collected" -type f 2>/dev/null | sort)
if [ -z "$files" ]; then
	echo "ok 4 - the other net tests' EVE files # SKIP none collected (run the whole net suite)"
	n=$((n + 1))
else
	# shellcheck disable=SC2086
	out=$($py "$src/test/net/eve_schema.py" "$schema" $files)
	rc=$?
	sed 's/^/# /' <<<"$out" | head -22
	[ $rc = 0 ] && ok "every EVE line the net suite wrote validates: $(tail -1 <<<"$out")" ||
		nok "collected EVE" "$(head -5 <<<"$out")"
	rm -rf "$collected"
fi
tap_done "eve schema"
