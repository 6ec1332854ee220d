#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# TLS buffers end to end (test/net/tls_pcap.py, tls.rules): a replay of
# real OpenSSL handshakes, each rule of which must alert exactly once, with
# EVE's tls object (Suricata's schema when ../shared has it): the server
# name and the certificate of TLS 1.2, TLS on port 8443 with the hello
# re-framed into 7-byte records in 3-byte segments, TLS 1.3 (the name seen,
# the certificate not: it is encrypted), an HTTP stream on 443 naming the
# servers (not TLS), a hello whose name length lies (a parse error).
# Then the memcap of the policy at its least (one message), and one out of
# range refused.
# TAP; 77 = skip.
#   usage: test_tls_pcap.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
app=$build/app/dpdk-hyperion py=/usr/bin/python3
need_root
need_exe "$app"
need_scapy
command -v openssl >/dev/null || { echo "1..0 # SKIP openssl(1) absent"; exit 77; }
tmp=$(mktemp -d)
prefix=hyptls$$
trap 'eve_collect; rm -rf "$tmp" "/var/run/dpdk/$prefix"*' EXIT

echo "1..7"
$py "$src/test/net/tls_pcap.py" "$tmp/tls.pcap" || { nok "pcap" "tls_pcap.py failed"; exit 1; }
cp "$src/test/net/tls.rules" "$tmp/"
replay() {	# POLICY_EXTRA EVE
	printf 'fast_path:\n  redirect_all: true\nslow_path:\n  rule_files: [tls.rules]\n%s' "$1" \
		>"$tmp/policy.yaml"
	timeout 60 "$app" -l 0-1 --no-huge -m 1024 --no-pci --file-prefix "$prefix" \
		--log-level lib.eal:error -- --pcap "$tmp/tls.pcap" --policy "$tmp/policy.yaml" \
		--eve "$2" --metrics-port 0 >"$tmp/replay.log" 2>&1
}
sids() { $py -c "import json,sys,collections
c = collections.Counter(json.loads(l)['alert']['signature_id'] for l in open(sys.argv[1]))
print(' '.join(f'{k}x{c[k]}' for k in sorted(c)))" "$1" 2>/dev/null; }
replay "" "$tmp/eve.json" || { nok "replay" "$(tail -5 "$tmp/replay.log")"; exit 1; }
sids=$(sids "$tmp/eve.json")
# sid 2 would alert twice if TLS 1.3's certificate were read, 1 and 8 if the HTTP stream were TLS
check_eq "every rule alerts once: sni, subject, issuer, serial, fragmented hello, TLS 1.3, stream" \
	"$sids" "1x1 2x1 3x1 4x1 5x1 7x1 8x1"
check_eq "the certificate's alert carries EVE's tls object (sni from the client's hello)" \
	"$($py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['alert']['signature_id'] == 2:
        t = e['tls']
        print(e['app_proto'], '|', t['sni'], '|', t['subject'], '|', t['issuerdn'], '|',
              t['serial'], '|', t['version'], '|', t['fingerprint'])" "$tmp/eve.json")" \
	"tls | www.example.test | C=US, O=Hyperion Test, CN=www.example.test | C=US, O=Hyperion CA, CN=Hyperion Test CA | 01:23:45:67:89 | TLS 1.2 | $(cat "$tmp/tls.fingerprint")"
check_eq "a hello's alert: the tls object has the sni only" \
	"$($py -c "import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e['alert']['signature_id'] == 7:
        print(e['app_proto'], sorted(e['tls'].items()))" "$tmp/eve.json")" \
	"tls [('sni', 'tls13.example.test')]"
check_eq "the reader's counters: 3 hellos (the liar's refused), 3 server hellos, 2 certificates, 1 hidden, HTTP's 2 directions not TLS, the liar a parse error" \
	"$(grep -o 'tls: client_hellos=[0-9]* server_hellos=[0-9]* certificates=[0-9]* hidden_certs=[0-9]* not_tls=[0-9]* parse_errors=[0-9]*' \
		"$tmp/replay.log")" \
	"tls: client_hellos=3 server_hellos=3 certificates=2 hidden_certs=1 not_tls=2 parse_errors=1"
schema=$src/../shared/peer/suricata-eve-schema.json
if [ -f "$schema" ] && $py -c 'import jsonschema' 2>/dev/null; then
	out=$($py "$src/test/net/eve_schema.py" "$schema" "$tmp/eve.json")
	[ $? = 0 ] && ok "the tls alerts validate against Suricata's schema: $(tail -1 <<<"$out")" ||
		nok "schema" "$(head -5 <<<"$out")"
else
	echo "ok 5 - Suricata's schema # SKIP ../shared/peer/suricata-eve-schema.json or python3-jsonschema absent"
	n=$((n + 1))
fi
# one message at a time is all a worker needs: the least memcap sees everything
replay "  tls: {memcap: 65536}" "$tmp/eve-least.json"
check_eq "memcap 65536 (one whole message): the same alerts, nothing held after, none stopped" \
	"$(sids "$tmp/eve-least.json"), $(grep -o 'memcap=[0-9]* bytes_held=[0-9]*' "$tmp/replay.log" |
		tail -1)" "1x1 2x1 3x1 4x1 5x1 7x1 8x1, memcap=0 bytes_held=0"
replay "  tls: {memcap: 4096}" "$tmp/eve-bad.json"
check_eq "a memcap below one message: refused, naming the key" \
	"$? $(grep -c 'slow_path.tls.memcap' "$tmp/replay.log")" "1 1"
tap_done "tls pcap"
