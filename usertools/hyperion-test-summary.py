#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The test command's closing line, over every test of both runs (the normal
build's and the sanitized one's), subtests included: the TAP lines say it
all; sanitized tests are named asan/<test>.

usage: hyperion-test-summary.py TESTLOG.json [ASAN_TESTLOG.json SANITIZER_DIR]
Exits 1 when anything failed, crashed, left a sanitizer report, or was
skipped for a missing prerequisite (test/tap.h); HYP_SAN_RC != 0 says the
sanitized build itself failed.
"""
import json, os, re, sys
passed = failed = skipped = 0
bad = []
def count(path, prefix):
    global passed, failed, skipped
    if not os.path.exists(path):
        bad.append(f"{prefix}*: no {path}")
        return
    for line in open(path):
        t = json.loads(line)
        name = prefix + t.get("name", "?")
        res = t.get("result")
        out = t.get("stdout", "")
        # a skip for what every supported machine has (test/tap.h) is a failure:
        # a run that did not run cannot pass
        prereq = re.findall(r"# SKIP prerequisite missing: (.*)", out)
        if prereq:
            failed += 1
            bad.append(f"{name}: skipped, prerequisite missing: {prereq[0]}"
                       + ("" if os.geteuid() == 0 else " (run the test command as root)"))
            continue
        lines = out.splitlines()
        sub = [l for l in lines if re.match(r"(not )?ok \d+", l)]
        if sub:
            for i, l in enumerate(lines):
                if not re.match(r"(not )?ok \d+", l):
                    continue
                if "# SKIP" in l:
                    skipped += 1
                elif l.startswith("not ok"):
                    failed += 1
                    # the diagnostics the test printed under it: all a CI log may show
                    why = []
                    for c in lines[i + 1:i + 5]:
                        if not c.startswith("#"):
                            break
                        why.append("\n    " + c[:300])
                    bad.append(f"{name}: {l}" + "".join(why))
                else:
                    passed += 1
            if res not in ("OK", "SKIP") and not any(l.startswith("not ok") for l in sub):
                failed += 1      # crashed or timed out after its last line
                bad.append(f"{name}: {res} after its last TAP line")
        elif res == "SKIP":
            skipped += 1
        elif res in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            failed += 1
            # no TAP lines to point at: the output's last lines say why (the
            # CI log's tail is often all there is of a run)
            tail = [l for l in out.splitlines() if l.strip()][-6:]
            bad.append(f"{name}: {res}" + "".join("\n    " + l for l in tail))
count(sys.argv[1], "")
if len(sys.argv) > 2 and sys.argv[2]:
    count(sys.argv[2], "asan/")
    d = sys.argv[3]
    reports = sorted(os.listdir(d)) if os.path.isdir(d) else []
    if reports:
        failed += 1
        bad.append(f"asan/sanitizer: {len(reports)} report(s) in {d}")
elif os.environ.get("HYP_SAN_RC", "0") != "0":
    failed += 1
    bad.append("asan/build: the sanitized build failed")
for b in bad:
    print("FAILED " + b)
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if bad else 0)
