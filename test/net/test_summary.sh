#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The test command's verdict (usertools/hyperion-test-summary.py) on made-up
# meson test logs: passes count per subtest, a failed subtest or a crash after
# the last TAP line fails the run, and so does a test skipped for a missing
# prerequisite; a skip for what this machine may lack does not. TAP.
#   usage: test_summary.sh BUILD_DIR SOURCE_DIR
set -u
src=$2
. "$src/test/net/tap.sh"
sum=$src/usertools/hyperion-test-summary.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# log NAME RESULT STDOUT... : one test, as meson's testlog.json has it
log() { /usr/bin/python3 -c 'import json,sys; print(json.dumps({"name": sys.argv[1], "result": sys.argv[2], "stdout": "\n".join(sys.argv[3:]) + "\n"}))' "$@"; }
# verdict FILE: "RC | last line"
verdict() { local out rc; out=$(/usr/bin/python3 "$sum" "$1" 2>&1); rc=$?; echo "$rc | $(echo "$out" | tail -1)"; }

echo "1..7"
log a OK "ok 1 - x" "ok 2 - y" "1..2" >"$tmp/ok.json"
log b SKIP "1..0 # SKIP kernel lacks CONFIG_XDP_SOCKETS_DIAG" >>"$tmp/ok.json"
check_eq "two passing subtests and an optional skip pass" "$(verdict "$tmp/ok.json")" \
	"0 | tests: 2 passed, 0 failed, 1 skipped"
log c SKIP "1..0 # SKIP prerequisite missing: needs root" >"$tmp/prereq.json"
check_eq "a test skipped for a missing prerequisite fails the run" "$(verdict "$tmp/prereq.json")" \
	"1 | tests: 0 passed, 1 failed, 0 skipped"
/usr/bin/python3 "$sum" "$tmp/prereq.json" | grep -q "FAILED c: skipped, prerequisite missing: needs root" &&
	ok "and says which test and why" || nok "the prerequisite is named"
log d FAIL "ok 1 - x" "not ok 2 - y" "1..2" >"$tmp/fail.json"
check_eq "a failed subtest fails the run" "$(verdict "$tmp/fail.json")" \
	"1 | tests: 1 passed, 1 failed, 0 skipped"
/usr/bin/python3 "$sum" "$tmp/fail.json" | grep -q "FAILED d: not ok 2 - y" &&
	ok "names the failed subtest" || nok "the failed subtest is named"
log f FAIL "not ok 1 - z" "# got 3, want 4" "# second line" "ok 2 - w" "# not its" "1..2" >"$tmp/why.json"
got=$(/usr/bin/python3 "$sum" "$tmp/why.json" | grep -A3 "FAILED f: not ok 1 - z")
if echo "$got" | grep -q "    # got 3, want 4" && echo "$got" | grep -q "    # second line" &&
   ! echo "$got" | grep -q "not its"; then
	ok "and the diagnostics under it, not the next subtest's"
else nok "the diagnostics under a failed subtest" "$got"; fi
log e TIMEOUT "ok 1 - x" >"$tmp/crash.json"
check_eq "a test that timed out after its last TAP line fails the run" "$(verdict "$tmp/crash.json")" \
	"1 | tests: 1 passed, 1 failed, 0 skipped"
tap_done "summary"
