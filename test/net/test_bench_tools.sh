#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The benchmark tools' inputs, the hostile versions beside the good one:
# hyperion-experiment reads an experiment file (the shipped example lists its
# points; unknown keys, wrong types, a bad lcore list, a runaway matrix and a
# file that is not a mapping are refused with the key named, before anything
# runs); a host knob the runner writes is put back when the run is
# interrupted by SIGTERM; hyperion-blast refuses a bad --rate and a missing
# or empty --payload; a matrix's capture must be a file that is there. No
# traffic. TAP.
#   usage: test_bench_tools.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
py=/usr/bin/python3
exp=$src/usertools/hyperion-experiment
$py -c 'import yaml' 2>/dev/null || skip_prereq "needs python3-yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..15"
out=$($py "$exp" "$src/config/experiments/layouts.yaml" --dry-run 2>&1)
check_eq "the example file: 2 lcore sets x 2 pipelines x 2 NAPI settings = 8 points" \
	"$(echo "$out" | grep -c '^  lcores=')" 8
# refused FILE PATTERN NAME: the runner exits non-zero naming PATTERN
refused() {
	local o rc
	o=$($py "$exp" "$1" --dry-run 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$o" | grep -q -- "$2"; then ok "$3: refused ($(echo "$o" | tail -1 | cut -c1-90))"
	else nok "$3" "exit $rc" "$o"; fi
}
printf 'name: x\nmatrx: {lcores: ["0-1"]}\n' >"$tmp/a.yaml"
refused "$tmp/a.yaml" "unknown keys.*matrx" "a misspelt top-level key"
printf 'matrix: {lcore: ["0-1"]}\n' >"$tmp/b.yaml"
refused "$tmp/b.yaml" "matrix.lcore: unknown" "an unknown matrix key"
printf 'matrix: {lcores: ["0-1; rm -rf /"]}\n' >"$tmp/c.yaml"
refused "$tmp/c.yaml" "matrix.lcores.*not an lcore list" "an lcore list with a shell command"
printf 'matrix: {rules: [ten]}\n' >"$tmp/d.yaml"
refused "$tmp/d.yaml" "matrix.rules: 'ten' is not an integer" "a word for a number"
printf 'matrix: {burst: [-1]}\n' >"$tmp/e.yaml"
refused "$tmp/e.yaml" "matrix.burst: -1 out of range" "a negative burst"
{ echo "repeat: 100"; echo "matrix:"; for k in burst ring_size rx_desc; do
	printf '  %s: [%s]\n' "$k" "$(seq -s, 1 30)"; done; } >"$tmp/f.yaml"
refused "$tmp/f.yaml" "more than 10,000 runs" "a runaway matrix (27,000 points x 100)"
printf -- '- lcores\n' >"$tmp/g.yaml"
refused "$tmp/g.yaml" "not a mapping" "a list, not a mapping"
printf 'matrix: {pipeline: [pipelined]}\n' >"$tmp/h.yaml"
refused "$tmp/h.yaml" "matrix.pipeline: rtc or staged" "an unknown pipeline"
# a capture path: relative to the file, and there; a traversal to nothing is named
printf 'matrix: {pcap: [../../no/such.pcap]}\n' >"$tmp/i.yaml"
refused "$tmp/i.yaml" "matrix.pcap: .*no/such.pcap: no such file" "a capture that is not there"
printf 'matrix: {pcap: [42]}\n' >"$tmp/j.yaml"
refused "$tmp/j.yaml" "matrix.pcap: 42 is not a string" "a number for a capture path"
# a knob written, then SIGTERM: put back
knob=$tmp/knob
echo 7 >"$knob"
PYTHONPATH=$src/usertools $py -c "
import sys, time, hyperion_benchlib as hb
k = hb.Knobs(); k.set('$knob', 99); print('set', flush=True); time.sleep(30)" >"$tmp/knob.out" 2>&1 &
kp=$!
for _ in $(seq 50); do grep -q set "$tmp/knob.out" && break; sleep 0.1; done
during=$(cat "$knob")
kill -TERM "$kp"; wait "$kp" 2>/dev/null
check_eq "a knob written for a run (99), then SIGTERM: put back" "$during $(cat "$knob")" "99 7"
# hyperion-blast's new inputs, refused before it needs root or an interface
blast=$build/usertools/hyperion-blast/hyperion-blast
if [ -x "$blast" ]; then
	o=$("$blast" -i lo --rate 0 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$o" | grep -q -- "--rate"; then ok "blast: --rate 0 refused"; else nok "blast --rate 0" "$o"; fi
	: >"$tmp/empty"
	o=$("$blast" -i lo --payload "$tmp/empty" 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$o" | grep -q "empty"; then ok "blast: an empty --payload refused"; else nok "blast empty payload" "$o"; fi
	o=$("$blast" -i lo --engine dpdk 2>&1); rc=$?
	if [ $rc -ne 0 ] && echo "$o" | grep -q "not auto, xdp or packet"; then ok "blast: an unknown --engine refused"
	else nok "blast: unknown --engine" "$o"; fi
else
	nok "blast: --rate 0 refused" "no $blast"; nok "blast: an empty --payload refused" "no $blast"
	nok "blast: an unknown --engine refused" "no $blast"
fi
tap_done "bench_tools"
