#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what is missing, build, and run the whole test suite; then build
# build-asan (AddressSanitizer + UBSan) and run its fast and net suites again.
#   usage: hyperion-test.sh [meson test args...]   e.g. --suite fast
# The args go to both runs (without args the sanitized run is --suite fast
# --suite net). HYP_NO_SANITIZE=1 skips the sanitized run. See doc/testing.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# what each phase took, on the closing lines: the suite has a budget (30 min)
t_start=$(date +%s)
bash usertools/hyperion-deps.sh
t_deps=$(date +%s)
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build
t_build=$(date +%s)
set +e
meson test -C build --print-errorlogs "$@"
rc=$?
set -e
t_tests=$(date +%s)

# The sanitized run. Reports go to files (log_path) as well as failing the
# process, so a report from a process whose exit status a test ignores (an
# app under a net test) still fails the run. fast_unwind_on_malloc=0: libbpf
# and DPDK have no frame pointers, and the suppressions match on the PMD's
# frames below them.
asan_log=
san_rc=0
if [ "${HYP_NO_SANITIZE:-0}" != 1 ]; then
	asan_start=$(date +%s)
	san_dir=$top/build-asan/meson-logs/sanitizer
	if { [ -f build-asan/build.ninja ] ||
	     meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false >/dev/null; } &&
	   ninja -C build-asan; then
		rm -rf "$san_dir" build-asan/meson-logs/testlog.json
		mkdir -p "$san_dir"
		san_args=("$@")
		[ $# -gt 0 ] || san_args=(--suite fast --suite net)
		set +e
		ASAN_OPTIONS="halt_on_error=1:print_stacktrace=1:fast_unwind_on_malloc=0:malloc_context_size=30:log_path=$san_dir/asan" \
		LSAN_OPTIONS="suppressions=$top/test/lsan.supp:print_suppressions=0" \
		UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$top/test/ubsan.supp:log_path=$san_dir/ubsan" \
			meson test -C build-asan --print-errorlogs --timeout-multiplier 2 "${san_args[@]}"
		san_rc=$?
		set -e
		asan_log=build-asan/meson-logs/testlog.json
		for f in "$san_dir"/*; do
			[ -f "$f" ] || continue
			echo "=== sanitizer report: $f"
			head -n 60 "$f"
		done
	else
		echo "hyperion-test: the sanitized build (build-asan) FAILED" >&2
		san_rc=1
	fi
	echo "hyperion-test: sanitized build and tests took $(( $(date +%s) - asan_start )) s"
fi
echo "hyperion-test: deps $((t_deps - t_start)) s, build $((t_build - t_deps)) s," \
	"tests $((t_tests - t_build)) s, all $(( $(date +%s) - t_start )) s"

# one closing line over every test of both runs (usertools/hyperion-test-summary.py)
set +e
HYP_SAN_RC=$san_rc /usr/bin/python3 "$top/usertools/hyperion-test-summary.py" \
	build/meson-logs/testlog.json "$asan_log" "$top/build-asan/meson-logs/sanitizer"
sum_rc=$?
set -e
[ $rc = 0 ] && [ $san_rc = 0 ] && [ $sum_rc = 0 ] || exit 1
exit 0
