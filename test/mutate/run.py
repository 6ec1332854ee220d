#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mutation check, on demand (not in the default suite).

usage: test/mutate/run.py [--list] [--keep] [SUBSTRING...]

Copies the tree as it is now (tracked files, edits included) to
build-mutate/src, builds it once in build-mutate/build, then for each
mutant of test/mutate/mutants.py (those whose name contains a SUBSTRING, or
all): writes the mutated file, rebuilds, runs the mutant's meson tests, and
puts the file back. A mutant is killed when one of its tests fails, survives
when they all pass, is stale when its text is not found exactly once, and is
stillborn when it does not build. Exits 0 only when every mutant run was
killed. Needs what the tests need (root for most). About a minute a mutant.
"""
import argparse
import os
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "test", "mutate"))
from mutants import MUTANTS  # noqa: E402

WORK = os.path.join(TOP, "build-mutate")
SRC = os.path.join(WORK, "src")
BUILD = os.path.join(WORK, "build")


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, **kw)


def copy_tree():
    files = subprocess.run(["git", "-C", TOP, "ls-files", "-z"], check=True,
                           stdout=subprocess.PIPE).stdout
    os.makedirs(SRC, exist_ok=True)
    tar = subprocess.Popen(["tar", "--null", "-T", "-", "-cf", "-"], cwd=TOP,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    untar = subprocess.Popen(["tar", "-xf", "-", "-C", SRC], stdin=tar.stdout)
    tar.stdin.write(files)
    tar.stdin.close()
    if untar.wait() != 0 or tar.wait() != 0:
        sys.exit("mutate: copying the tree failed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--keep", action="store_true", help="keep build-mutate/ afterwards")
    ap.add_argument("only", nargs="*")
    args = ap.parse_args()
    chosen = [m for m in MUTANTS if not args.only or any(o in m["name"] for o in args.only)]
    if args.list:
        for m in chosen:
            print(f"{m['name']}  [{m['file']}; {' '.join(m['tests'])}]")
        return 0

    copy_tree()
    if not os.path.exists(os.path.join(BUILD, "build.ninja")):
        r = sh(["meson", "setup", BUILD, SRC])
        if r.returncode != 0:
            sys.exit("mutate: meson setup failed\n" + r.stdout[-2000:])
    r = sh(["ninja", "-C", BUILD])
    if r.returncode != 0:
        sys.exit("mutate: the unmutated tree does not build\n" + r.stdout[-2000:])

    results = []
    for m in chosen:
        path = os.path.join(SRC, m["file"])
        orig = open(path).read()
        n = orig.count(m["find"])
        if n != 1:
            results.append((m, "STALE", f"its text is found {n} times in {m['file']}"))
            continue
        t0 = time.monotonic()
        open(path, "w").write(orig.replace(m["find"], m["replace"]))
        try:
            r = sh(["ninja", "-C", BUILD])
            if r.returncode != 0:
                results.append((m, "STILLBORN", r.stdout.strip().splitlines()[-1:]))
                continue
            r = sh(["meson", "test", "-C", BUILD, "--no-rebuild", "--print-errorlogs"]
                   + m["tests"])
            why = [l for l in r.stdout.splitlines() if " FAIL " in l or "not ok" in l][:3]
            verdict = "killed" if r.returncode != 0 else "SURVIVED"
            results.append((m, verdict, f"{time.monotonic() - t0:.0f} s; " + "; ".join(
                w.strip() for w in why)))
        finally:
            open(path, "w").write(orig)
        print(f"{results[-1][1]:10} {m['name']}", flush=True)

    sh(["ninja", "-C", BUILD])	# leave the copy built as it is
    print()
    for m, verdict, why in results:
        print(f"{verdict:10} {m['name']}\n           {why}")
    bad = [r for r in results if r[1] != "killed"]
    print(f"\nmutants: {len(results) - len(bad)} killed, "
          f"{sum(1 for r in results if r[1] == 'SURVIVED')} survived, "
          f"{sum(1 for r in results if r[1] in ('STALE', 'STILLBORN'))} stale or stillborn")
    if not args.keep:
        sh(["rm", "-rf", WORK])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
