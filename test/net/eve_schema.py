#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check EVE files line by line against Suricata's JSON schema.

usage: eve_schema.py SCHEMA FILE...   (.gz files are read decompressed)

Prints one summary line (files, lines, DNS alerts, engine events) and, for
each line that does not validate, FILE:LINE and why (the first 20). Exit 0
when every line of every file validates, 1 otherwise, 2 when a line is not
JSON at all.
"""
import gzip
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    v = jsonschema.validators.validator_for(schema)(schema)
    files = lines = dns = events = bad = 0
    rc = 0
    for path in sys.argv[2:]:
        files += 1
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="strict") as f:
            for no, line in enumerate(f, 1):
                lines += 1
                try:
                    ev = json.loads(line)
                except ValueError as e:
                    print(f"{path}:{no}: not JSON: {e}")
                    rc = 2
                    continue
                if "dns" in ev:
                    dns += 1
                if ev.get("alert", {}).get("signature_id", 0) >= 2000000:
                    events += 1
                errs = sorted(v.iter_errors(ev), key=lambda e: list(e.path))
                if errs:
                    bad += 1
                    rc = max(rc, 1)
                    if bad <= 20:
                        e = errs[0]
                        where = "/".join(str(p) for p in e.path) or "(top)"
                        print(f"{path}:{no}: {where}: {e.message}")
    print(f"summary: {files} files, {lines} lines, {dns} with dns, {events} engine events, "
          f"{bad} invalid")
    return rc


if __name__ == "__main__":
    sys.exit(main())
