#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Suricata's own regression tests (the core tier of ../shared/peer's
# suricata-verify selection, and the HTTP/TLS tier's tests that need no
# HTTP or TLS buffer) through test/peer/run-suricata-verify: each test as
# a TAP line. One that test/peer/expected-core.txt or -http-tls.txt says
# passes must pass; one expected to fail or not to apply is a SKIP line
# with the runner's reason (known failure, or n/a), and says so if it
# starts to pass. TAP; 77 = skip.
#   usage: test_suricata_verify.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
peer=$src/../shared/peer/suricata-verify
[ -f "$peer/MANIFEST" ] || skip_data "../shared/peer/suricata-verify is absent (the peer test data)"
need_root
need_exe "$build/app/dpdk-hyperion"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip_prereq "needs python3-yaml"
# the core tier whole; of the HTTP/TLS tier the tests its expected file lists
core=$(/usr/bin/python3 "$src/test/peer/run-suricata-verify" "$build" --peer "$peer" --tier core 2>&1)
ht_exp=$src/test/peer/expected-http-tls.txt
ht=$(/usr/bin/python3 "$src/test/peer/run-suricata-verify" "$build" --peer "$peer" --tier http-tls \
	--only $(awk '!/^#/ && NF { print $1 }' "$ht_exp") 2>&1)
lines() { grep -E '^ *(pass|fail|n/a) ' <<<"$1" | sed 's/^ *//'; }
echo "1..$(( $(lines "$core" | wc -l) + $(lines "$ht" | wc -l) ))"
check_tier() {
	local expected=$1 status name why want
	while read -r status name why; do
		name=${name%:}
		want=$(awk -v t="$name" '$1 == t { print $2 }' "$expected")
		if [ "$want" = pass ]; then
			[ "$status" = pass ] && ok "$name: $why" || nok "$name: it passed before" "$status: $why"
		elif [ "$status" = pass ]; then
			ok "$name: passes now (expected $want): update $(basename "$expected")"
		elif [ "$status" = fail ]; then
			n=$((n + 1))
			echo "ok $n - $name # SKIP known failure: $why"
		else
			n=$((n + 1))
			echo "ok $n - $name # SKIP not applicable: $why"
		fi
	done < <(lines "$2")
}
check_tier "$src/test/peer/expected-core.txt" "$core"
check_tier "$ht_exp" "$ht"
echo "# $(tail -1 <<<"$core")"
echo "# $(tail -1 <<<"$ht")"
tap_done "suricata-verify"
