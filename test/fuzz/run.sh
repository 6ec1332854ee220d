#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets with clang and run each for a while.
#
#   test/fuzz/run.sh [SECONDS] [TARGET...]     (targets: policy dns flow)
#
# SECONDS per target, default 60. Environment:
#   HYP_BUILD_DIR  the meson build dir (for bpf/hyp_xdp.skel.h), default
#                  ./build, then build/ in the source tree
#   HYP_FUZZ_DIR   where targets, corpora and crash artifacts go, default
#                  build-fuzz/ in the source tree
#   CC             default clang (needs libFuzzer: clang 14+)
#   FUZZ_ARGS      extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#
# The library sources are compiled here, instrumented (coverage, ASan,
# UBSan), not taken from the meson build. The committed seed corpora are
# copied to the build dir first and never written to. Exit status: 0 if
# every target ran clean, 1 if any crashed, leaked, timed out or failed to
# build, 2 on usage errors.
set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FUZZ_SRC=$SRC/test/fuzz
ALL_TARGETS="policy dns flow"

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

if [ -n "${HYP_BUILD_DIR:-}" ]; then
	MESON_BUILD=$HYP_BUILD_DIR
elif [ -f ./build/bpf/hyp_xdp.skel.h ]; then
	MESON_BUILD=$(pwd)/build
else
	MESON_BUILD=$SRC/build
fi
OUT=${HYP_FUZZ_DIR:-$SRC/build-fuzz}
CC=${CC:-clang}
mkdir -p "$OUT" || exit 1
OUT=$(cd "$OUT" && pwd)

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
COMMON=(-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Wall
	-Wno-unused-parameter $SAN)
LIBFLAGS=(-fsanitize=fuzzer-no-link)
INC=(-I"$SRC/lib/hyp_policy" -I"$SRC/lib/hyp_xdp" -I"$SRC/lib/hyp_dns"
	-I"$SRC/lib/hyp_flow" -I"$SRC/bpf")

# Compile sources into objects under $OUT/obj/<target>, then link.
# $1 target, $2 "pkg-config modules", rest: library sources
build() {
	local t=$1 pkgs=$2 obj=$OUT/obj/$1 objs=() cflags libs s o
	shift 2
	mkdir -p "$obj"
	cflags= libs=
	if [ -n "$pkgs" ]; then
		cflags=$(pkg-config --cflags $pkgs) || return 1
		libs=$(pkg-config --libs $pkgs) || return 1
	fi
	for s in "$@"; do
		o=$obj/$(basename "${s%.c}").o
		# shellcheck disable=SC2086
		"$CC" "${COMMON[@]}" "${LIBFLAGS[@]}" "${INC[@]}" $cflags \
			-c "$s" -o "$o" || return 1
		objs+=("$o")
	done
	# shellcheck disable=SC2086
	"$CC" "${COMMON[@]}" -fsanitize=fuzzer "${INC[@]}" $cflags \
		"$FUZZ_SRC/fuzz_$t.c" "${objs[@]}" $libs \
		-o "$OUT/fuzz_$t" || return 1
}

build_target() {
	case $1 in
	policy)
		# hyp_cidr_parse_err() lives in hyp_xdp.c with the BPF loader;
		# the whole file is compiled (and instrumented) rather than a
		# copy of the CIDR code, so it needs the skeleton header and
		# links libbpf, libxdp and DPDK (for rte_log) - never called.
		if [ ! -f "$MESON_BUILD/bpf/hyp_xdp.skel.h" ]; then
			echo "fuzz policy: no $MESON_BUILD/bpf/hyp_xdp.skel.h;" \
				"build the meson tree first or set HYP_BUILD_DIR" >&2
			return 1
		fi
		INC+=(-I"$MESON_BUILD/bpf")
		build policy "libdpdk libbpf libxdp libhs yaml-0.1" \
			"$SRC/lib/hyp_policy/hyp_policy.c" \
			"$SRC/lib/hyp_xdp/hyp_xdp.c" \
			"$SRC/lib/hyp_dns/hyp_dns.c"
		;;
	dns)
		build dns "" "$SRC/lib/hyp_dns/hyp_dns.c"
		;;
	flow)
		build flow "libdpdk" "$SRC/lib/hyp_flow/hyp_flow.c"
		;;
	esac
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
	cp -n "$FUZZ_SRC/corpus/$t/"* "$corpus/" 2>/dev/null
	dict=()
	[ -f "$FUZZ_SRC/$t.dict" ] && dict=(-dict="$FUZZ_SRC/$t.dict")
	start=$(date +%s)
	touch "$OUT/.stamp_$t"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		"$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=5 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "${dict[@]}" ${FUZZ_ARGS:-} \
		"$corpus" >"$log" 2>&1
	rc=$?
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
