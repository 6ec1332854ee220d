#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets with clang and run each for a while.
#
#   test/fuzz/run.sh [SECONDS] [TARGET...]     (targets: policy dns flow defrag stream rules http tls)
#
# SECONDS per target, default 60. Environment:
#   HYP_FUZZ_DIR   the meson tree of the targets (-Dfuzz=true), with their
#                  corpora and crash artifacts; default build-fuzz/ in the
#                  source tree
#   CC             default clang (needs libFuzzer: clang 14+)
#   FUZZ_ARGS      extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#
# meson builds the targets, every library instrumented (coverage, ASan,
# UBSan). The seeds (test/fuzz/corpus/, and for the policy the test suite's
# own files) are copied to the tree first and never written to. Exit status: 0 if
# every target ran clean, 1 if any crashed, leaked, timed out or failed to
# build, 2 on usage errors.
set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ_SRC=$SRC/test/fuzz
ALL_TARGETS="policy dns flow defrag stream rules http tls"

SECS=${1:-60}
[ $# -gt 0 ] && shift
if ! [[ $SECS =~ ^[0-9]+$ ]] || [ "$SECS" -eq 0 ]; then
	echo "usage: $0 [SECONDS] [TARGET...]   targets: $ALL_TARGETS" >&2
	exit 2
fi
TARGETS=${*:-$ALL_TARGETS}
for t in $TARGETS; do
	case " $ALL_TARGETS " in
	*" $t "*) ;;
	*) echo "fuzz: unknown target '$t' (have: $ALL_TARGETS)" >&2; exit 2;;
	esac
done

OUT=${HYP_FUZZ_DIR:-$SRC/build-fuzz}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

# the targets are meson's (-Dfuzz=true), in a tree of their own, with
# AddressSanitizer and UBSan on top of libFuzzer's coverage
build_target() {
	if [ ! -f "$OUT/build.ninja" ]; then
		CC=${CC:-clang} meson setup "$OUT" "$SRC" -Dfuzz=true -Db_lto=false \
			-Db_sanitize=address,undefined -Db_lundef=false || return 1
	fi
	ninja -C "$OUT" "test/fuzz/fuzz_$1"
}

# the policy corpus is the test suite's own files, named for where they are
seed_policy() {
	local f
	for f in "$SRC"/test/policy/good/*.yaml; do cp -n "$f" "$1/good_$(basename "$f")"; done
	for f in "$SRC"/test/policy/bad/*.yaml; do cp -n "$f" "$1/bad_$(basename "$f")"; done
	cp -n "$SRC/config/policy.example.yaml" "$1/example.yaml"
}

passed=0
failed=0
for t in $TARGETS; do
	log=$OUT/fuzz_$t.log
	if ! (build_target "$t") >"$OUT/build_$t.log" 2>&1; then
		echo "fuzz $t: build FAILED, see $OUT/build_$t.log"
		tail -n 20 "$OUT/build_$t.log" | sed 's/^/  /'
		failed=$((failed + 1))
		continue
	fi
	corpus=$OUT/corpus/$t
	art=$OUT/artifacts/$t
	mkdir -p "$corpus" "$art"
	if [ "$t" = policy ]; then
		seed_policy "$corpus"
	else
		cp -n "$FUZZ_SRC/corpus/$t/"* "$corpus/" 2>/dev/null
	fi
	dict=()
	[ -f "$FUZZ_SRC/$t.dict" ] && dict=(-dict="$FUZZ_SRC/$t.dict")
	start=$(date +%s)
	touch "$OUT/.stamp_$t"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$OUT/test/fuzz/fuzz_$t" -max_total_time="$SECS" -timeout=5 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "${dict[@]}" ${FUZZ_ARGS:-} \
		"$corpus" >"$log" 2>&1
	rc=$?
	# the EAL's runtime directory of a target that ran it (fuzz_defrag): its
	# process is gone, nothing else uses it
	for d in /var/run/dpdk/fuzz*; do
		[ -d "$d" ] || continue
		p=${d##*[!0-9]}
		[ -n "$p" ] && ! kill -0 "$p" 2>/dev/null && rm -rf "$d"
	done
	secs=$(( $(date +%s) - start ))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	crashes=$(find "$art" -type f -newer "$OUT/.stamp_$t" 2>/dev/null)
	if [ $rc -eq 0 ]; then
		echo "fuzz $t: ${runs:-?} runs in $secs s, ok"
		passed=$((passed + 1))
	else
		what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*|check failed: .*' "$log")
		echo "fuzz $t: FAILED (exit $rc) after ${runs:-?} runs in $secs s: ${what:-see log}; log $log"
		for c in $crashes; do
			echo "  artifact: $c"
		done
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
