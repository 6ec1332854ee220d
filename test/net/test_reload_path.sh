#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Reloading a policy by path, as an attacker with the telemetry socket would
# try it: off unless --reload-dir; then only regular files under the
# directory. /dev/null (an empty policy: all protection off), /etc/shadow,
# a symbolic link to it, a directory symlink out of the tree, ../, a sibling
# directory whose name starts with DIR's, a FIFO
# (which would wedge the control thread), a device, a directory, a file
# past the size cap: each refused at once, the running policy stays and
# keeps dropping, and no refusal quotes a byte of what it read. TAP; 77 = skip.
#   usage: test_reload_path.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
net_open hypr
dir=$tmp/policies
mkdir -p "$dir"
cat >"$dir/good.yaml" <<'Y'
fast_path:
  drop_ips: ["198.51.100.42"]
  redirect_ports: [{protocol: 17, port: 53}]
slow_path:
  dns_rules: [{match: "evil.com", action: drop, id: 7}]
Y
cp "$dir/good.yaml" "$tmp/running.yaml"
# reload,ARG: "result error" of /hyperion/reload
reload() { echo "/hyperion/reload,$1" | timeout 10 dpdk-telemetry.py -f "$prefix" 2>/dev/null |
	$py -c "import json,sys
for l in sys.stdin:
    if l.startswith('{'):
        r = json.loads(l)['/hyperion/reload']; print(r.get('result'), r.get('error', ''))"; }
hash() { tele /hyperion/policy hash; }

echo "1..14"
app_start -- --iface "$HYP_IF_DUT" --policy "$tmp/running.yaml" || { nok "started"; exit 1; }
h0=$(hash)
r=$(reload /dev/null)
case $r in "refused reloading a policy by path is off"*) ok "without --reload-dir: /dev/null refused ($r)";;
	*) nok "by path off" "$r";; esac
check_eq "the running policy stays" "$(hash)" "$h0"
app_stop

printf 'root:$y$j9T$SECRETSALT$SECRETHASHVALUE:19000:0:99999:7:::\n' >"$tmp/shadow"
chmod 600 "$tmp/shadow"
ln -s "$tmp/shadow" "$dir/link.yaml"
mkdir -p "$tmp/outside"
cp "$dir/good.yaml" "$tmp/outside/x.yaml"
ln -s "$tmp/outside" "$dir/sub"
mkfifo "$dir/fifo.yaml"
# a sibling whose name starts with the directory's: not under it
mkdir -p "$dir-evil"
cp "$dir/good.yaml" "$dir-evil/x.yaml"
printf 'API_TOKEN: hunter2-secret\n' >"$dir/token.yaml"
truncate -s 257M "$dir/huge.yaml"
app_start -- --iface "$HYP_IF_DUT" --policy "$tmp/running.yaml" --reload-dir "$dir" ||
	{ nok "started with --reload-dir"; exit 1; }
h0=$(hash)
bad=0 leaked=0
for p in /dev/null /etc/shadow "$dir/link.yaml" "$dir/sub/x.yaml" "$dir/../shadow" \
	"$dir/fifo.yaml" /dev/zero "$dir" "$dir/huge.yaml" "$dir/nonexistent.yaml" "$dir/token.yaml" \
	"$dir-evil/x.yaml"; do
	t0=$(date +%s%N)
	r=$(reload "$p")
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	echo "# $p -> $r ($ms ms)"
	case $r in refused*) ;; *) bad=$((bad + 1));; esac
	case $r in *SECRET*|*hunter2*|*API_TOKEN*|*root:*) leaked=$((leaked + 1));; esac
	[ "$ms" -lt 5000 ] || bad=$((bad + 1))
done
check_eq "12 hostile paths refused, each at once" "$bad" 0
check_eq "no refusal quotes what the file holds" "$leaked" 0
check_eq "the running policy stays" "$(hash)" "$h0"
case $(reload "$dir/link.yaml") in *"a symbolic link: refused"*) ok "a symlink is named as one";;
	*) nok "symlink reason";; esac
case $(reload "$dir/sub/x.yaml") in *"not under --reload-dir"*) ok "a directory symlink out of the tree: not under --reload-dir";;
	*) nok "directory symlink reason";; esac
case $(reload "$dir/fifo.yaml") in *"not a regular file"*) ok "a FIFO: not a regular file (and nothing waited for a writer)";;
	*) nok "fifo reason";; esac
case $(reload "$dir/token.yaml") in *"token.yaml:1:1: unknown top-level key '<redacted>'"*)
	ok "a non-policy under the dir: position and reason, the key redacted";;
	*) nok "redacted" "$(reload "$dir/token.yaml")";; esac
check_eq "last_error keeps no content either" \
	"$(tele /hyperion/policy last_error | grep -c 'hunter2\|API_TOKEN')" 0
traffic --only blocklisted --count 5 >/dev/null
check_eq "and the running policy still drops in XDP" "$(xdp blocklist_src)" 5
r=$(reload "$dir/good.yaml")
check_eq "a regular file under the dir is loaded" "$r" "ok "
cat >"$dir/new.yaml" <<'Y'
fast_path:
  drop_ips: ["203.0.113.0/24"]
Y
check_eq "another one too, and it is now the running policy" \
	"$(reload "$dir/new.yaml") $(tele /hyperion/policy file)" "ok  $dir/new.yaml"
app_stop
out=$(ip netns exec "$HYP_NS_DUT" timeout 20 "$app" -l 0-1 --no-huge -m 1024 --no-pci \
	--file-prefix "${prefix}d" -- --iface "$HYP_IF_DUT" --reload-dir / --metrics-port 0 2>&1)
rm -rf "/var/run/dpdk/${prefix}d"
grep -q "reload-dir /: that is every file" <<<"$out" && ok "--reload-dir / is refused" ||
	nok "--reload-dir /" "$(tail -2 <<<"$out")"
tap_done "reload by path"
