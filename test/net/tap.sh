# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# TAP output and preconditions shared by the network tests: source it.
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
# nok NAME [WHY...]: a failure, each WHY on a comment line
nok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do echo "# $l"; done
}
# check_eq NAME GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok "$1: $2"; else nok "$1" "got '$2', want '$3'"; fi; }
# tap_done NAME: the closing line, and the test's exit status
tap_done() { echo "# $1: $((n - failed)) passed, $failed failed"; [ "$failed" = 0 ]; }

skip_all() { echo "1..0 # SKIP $*"; exit 77; }
# skip_prereq WHY: what every supported machine has is missing (root, a
# namespace, a package the deps script installs); the test command counts
# it as a failure (see test/tap.h)
skip_prereq() { skip_all "prerequisite missing: $*"; }
need_root() { [ "$(id -u)" = 0 ] || skip_prereq "needs root"; }
need_exe() { [ -x "$1" ] || skip_prereq "$(basename "$1") not built"; }
need_scapy() { /usr/bin/python3 -c 'import scapy' 2>/dev/null || skip_prereq "needs python3-scapy"; }
