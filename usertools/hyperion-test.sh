#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build, and run the whole test suite.
#   usage: hyperion-test.sh [meson test args...]   e.g. --suite fast
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bash usertools/hyperion-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build
set +e
meson test -C build --print-errorlogs "$@"
rc=$?
set -e
# one closing line over every test, subtests included: the TAP lines say it all
/usr/bin/python3 - build/meson-logs/testlog.json <<'PY'
import json, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    res = t.get("result")
    sub = [l for l in t.get("stdout", "").splitlines() if re.match(r"(not )?ok \d+", l)]
    if sub:
        for l in sub:
            if "# SKIP" in l:
                skipped += 1
            elif l.startswith("not ok"):
                failed += 1
            else:
                passed += 1
        if res not in ("OK", "SKIP") and not any(l.startswith("not ok") for l in sub):
            failed += 1      # crashed or timed out after its last line
    elif res == "SKIP":
        skipped += 1
    elif res in ("OK", "EXPECTEDFAIL"):
        passed += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
