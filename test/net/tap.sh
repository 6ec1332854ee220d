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
	# every line of every reason a TAP comment (a reason may hold a log's tail)
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
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
# optional test data (../shared) absent: a plain skip, exit 0 (meson reads a
# TAP test's non-zero exit as an error, which is what skip_all is for)
skip_data() { echo "1..0 # SKIP $*"; exit 0; }
need_root() { [ "$(id -u)" = 0 ] || skip_prereq "needs root"; }
need_exe() { [ -x "$1" ] || skip_prereq "$(basename "$1") not built"; }
need_scapy() { /usr/bin/python3 -c 'import scapy' 2>/dev/null || skip_prereq "needs python3-scapy"; }

# ---- the opening of a test that runs on the namespace sandbox -------------
#
# net_open NAME [SANDBOX]: root, the app, scapy; the namespaces (prefix
# NAME$$; SANDBOX is hyp_sandbox_up or hyp_sandbox_ips_up); a temp dir; and
# a cleanup on EXIT that stops every job and whatever runs under the prefix,
# then removes the runtime dirs, the temp dir and the namespaces (a test adds
# its own first with net_on_exit CMD). Sets prefix app ctl py tmp log.
net_open() {
	prefix=$1$$ app=$build/app/dpdk-hyperion ctl=$build/app/hyperion-xdpctl py=/usr/bin/python3
	need_root
	need_exe "$app"
	need_scapy
	. "$src/usertools/hyperion-sandbox.sh"
	"${2:-hyp_sandbox_up}" "$prefix" || skip_prereq "cannot build the namespace sandbox"
	tmp=$(mktemp -d)
	log=$tmp/hyperion.log
	trap net_close EXIT
}
net_on_exit() { net_extra="${net_extra:-}$*;"; }
# every EVE file a test wrote is kept for test_eve_schema.sh, which checks
# each line against Suricata's schema and then removes them
eve_collect() {
	local d=$build/meson-logs/eve-collected f
	mkdir -p "$d" 2>/dev/null || return 0
	find "$tmp" -maxdepth 3 -type f -name '*eve*.json*' 2>/dev/null | while read -r f; do
		cp "$f" "$d/$(basename "$0" .sh)-$$-$(echo "${f#"$tmp"/}" | tr / _)" 2>/dev/null
	done
}
net_close() {
	[ -n "${tmp:-}" ] && [ -d "$tmp" ] && eve_collect
	eval "${net_extra:-}"
	kill $(jobs -p) 2>/dev/null
	pkill -TERM -f -- "--file-prefix $prefix" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp" "/var/run/dpdk/$prefix"*
	hyp_sandbox_down
}

# eal_lcores_of LCORES: the EAL arguments for a list ("0-1": -l) or a map
# ("0@0,1@1,...": --lcores), in the array eal_lcores
eal_lcores_of() {
	eal_lcores=(-l "$1")
	case $1 in *@*) eal_lcores=(--lcores "$1");; esac
}

# app_start [EAL ARGS...] -- [APP ARGS...]: dpdk-hyperion in the DUT
# namespace, in the background (app_pid), its output in $log, with the EAL
# arguments every test uses added (-l 0-1 unless some are given), and waits
# until it runs: 0 then, 1 if it did not (the log's end is shown).
app_start() {
	local eal=() i
	while [ $# -gt 0 ] && [ "$1" != -- ]; do eal+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	[ ${#eal[@]} -gt 0 ] || eal=(-l 0-1)
	# emptied here, not by the background job's redirection: else the wait
	# below can find the previous run's "running" line before the new
	# process has truncated the file (seen under the sanitized build)
	: >"$log"
	ip netns exec "$HYP_NS_DUT" "$app" "${eal[@]}" --no-huge -m 1024 --no-pci \
		--file-prefix "$prefix" --log-level lib.eal:error -- "$@" >"$log" 2>&1 &
	app_pid=$!
	for i in $(seq 100); do
		grep -q "dpdk-hyperion running" "$log" && return 0
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -5 "$log" | sed 's/^/# /'
	return 1
}
# app_stop [SIG]: signal it (TERM) and wait until it printed its final
# statistics and exited (10 s at most)
app_stop() {
	local i
	kill "-${1:-TERM}" "$app_pid" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$app_pid" 2>/dev/null || break
		sleep 0.1
	done
}

# xdp REASON [COLUMN [IFACE]]: one counter of the DUT's XDP program
# (hyperion-xdpctl stats all: 2 packets, 3 bytes, 4 dropped; the DUT's
# sandbox interface unless IFACE); a reason it does not list prints
# missing:REASON, which no check or arithmetic takes for a number
xdp() { ip netns exec "$HYP_NS_DUT" "$ctl" -i "${3:-$HYP_IF_DUT}" stats all |
	awk -v r="$1" -v c="${2:-2}" '$1 == r { v = $c; found = 1 } END { print found ? v : "missing:" r }'; }

# tele CMD[,PARAMS] KEY...: values of the running app's rte_telemetry answer
# to CMD, space separated; KEY is a top-level key or CONTAINER/KEY (the
# container's own name may hold slashes: table/rl_state/entries). A key the
# answer does not have prints missing:KEY, never a number a check could
# take for one.
tele() { echo "$1" | dpdk-telemetry.py -f "$prefix" 2>/dev/null | $py -c "import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith('{') and '${1%%,*}' in l:
        r = json.loads(l)['${1%%,*}']
        out = []
        for k in sys.argv[1:]:
            v = r
            for p in k.rsplit('/', 1):
                v = v.get(p) if isinstance(v, dict) else None
            out.append('missing:' + k if v is None else str(v))
        print(' '.join(out))" "${@:2}"; }

# traffic ARGS...: usertools/hyperion-traffic.py from the sender namespace to the DUT
traffic() { ip netns exec "$HYP_NS_SRC" $py "$src/usertools/hyperion-traffic.py" \
	--iface "$HYP_IF_SRC" --dst-mac "$HYP_MAC_DUT" "$@"; }
# blast ARGS...: hyperion-blast out of the sender namespace to the DUT's MAC
blast() { ip netns exec "$HYP_NS_SRC" "$build/usertools/hyperion-blast/hyperion-blast" \
	-i "$HYP_IF_SRC" --dmac "$HYP_MAC_DUT" --prog "$build/bpf/xdp_tx.bpf.o" "$@"; }
# blast_field JSON KEY: a number from hyperion-blast's closing line
blast_field() { echo "$1" | sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p"; }
# json_get JSON KEY: one key of the traffic tool's counts (0 if absent)
json_get() { echo "$1" | $py -c "import json,sys; print(json.load(sys.stdin).get('$2', 0))"; }
