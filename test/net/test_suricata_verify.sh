#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Suricata's own regression tests (the core tier of ../shared/peer's
# suricata-verify selection) through test/peer/run-suricata-verify: each
# listed test as a TAP line. One that test/peer/expected-core.txt says
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
expected=$src/test/peer/expected-core.txt
out=$(/usr/bin/python3 "$src/test/peer/run-suricata-verify" "$build" --peer "$peer" --tier core 2>&1)
total=$(tail -1 <<<"$out")
echo "1..$(grep -cE '^ *(pass|fail|n/a) ' <<<"$out")"
while read -r status name why; do
	name=${name%:}
	want=$(awk -v t="$name" '$1 == t { print $2 }' "$expected")
	if [ "$want" = pass ]; then
		[ "$status" = pass ] && ok "$name: $why" || nok "$name: it passed before" "$status: $why"
	elif [ "$status" = pass ]; then
		ok "$name: passes now (expected $want): update test/peer/expected-core.txt"
	elif [ "$status" = fail ]; then
		n=$((n + 1))
		echo "ok $n - $name # SKIP known failure: $why"
	else
		n=$((n + 1))
		echo "ok $n - $name # SKIP not applicable: $why"
	fi
done < <(grep -E '^ *(pass|fail|n/a) ' <<<"$out" | sed 's/^ *//')
echo "# $total"
tap_done "suricata-verify"
