#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `meson install` into a DESTDIR puts each file where Debian looks for it,
# the systemd unit passes `systemd-analyze verify` and the man page renders
# with `man -l`. TAP; 77 = skip.
#   usage: test_install.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
py=/usr/bin/python3
command -v systemd-analyze >/dev/null || skip_prereq "needs systemd-analyze"
command -v man >/dev/null || skip_prereq "needs man"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
prefix=$(meson introspect "$build" --buildoptions | $py -c "import json,sys
print(next(o['value'] for o in json.load(sys.stdin) if o['name'] == 'prefix'))")

echo "1..5"
if meson install -C "$build" --destdir "$root" --no-rebuild --quiet >"$root.log" 2>&1; then
	ok "meson install --destdir"
else nok "meson install" "$(tail -5 "$root.log")"; fi
rm -f "$root.log"
miss=0
for f in "$prefix/sbin/dpdk-hyperion" "$prefix/sbin/hyperion-xdpctl" \
	"$prefix/share/dpdk-hyperion/hyp_xdp.bpf.o" "$prefix/share/dpdk-hyperion/drivers-cfg/veth.yaml" \
	"$prefix/lib/systemd/system/dpdk-hyperion.service" /etc/logrotate.d/dpdk-hyperion \
	/etc/hyperion/policy.yaml "$prefix/share/man/man8/dpdk-hyperion.8"; do
	[ -e "$root$f" ] || { miss=$((miss + 1)); echo "# missing: $f"; }
done
check_eq "binaries, XDP object, presets, unit, logrotate, policy, man page in place" "$miss" 0
unit=$root$prefix/lib/systemd/system/dpdk-hyperion.service
grep -q "^ExecStart=$prefix/sbin/dpdk-hyperion " "$unit" && grep -q '^ExecReload=/bin/kill -HUP $MAINPID' "$unit" &&
	ok "the unit runs the installed binary, ExecReload sends SIGHUP" || nok "unit content" "$(grep '^Exec' "$unit")"
# verified against this host's systemd, with ExecStart pointing into DESTDIR
# (the binary is not installed here); the man page is checked below
mkdir -p "$root/verify"
sed "s|^ExecStart=$prefix/sbin/|ExecStart=$root$prefix/sbin/|" "$unit" >"$root/verify/dpdk-hyperion.service"
out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$root/verify/dpdk-hyperion.service" 2>&1)
rc=$?
# a verify in a container may not reach the system manager: only the unit's own findings count
bad=$(grep -v "Failed to connect\|System has not been booted\|Transport endpoint\|Failed to create bus connection\|pid1\|/proc/" <<<"$out" | grep -ci "dpdk-hyperion.service")
if [ "$bad" = 0 ]; then ok "systemd-analyze verify: no finding about the unit (rc $rc)"
else nok "systemd-analyze verify" "$out"; fi
page=$(MANWIDTH=80 man -l "$root$prefix/share/man/man8/dpdk-hyperion.8" 2>&1 | col -b)
grep -q "SIGUSR1" <<<"$page" && grep -q "reload-dir" <<<"$page" && ok "man -l renders the page (signals, options)" ||
	nok "man page" "$(head -5 <<<"$page")"
tap_done "install"
