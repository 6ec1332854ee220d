#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# dpdk-hyperion refuses bad input with a clear message and a non-zero exit,
# before it touches an interface: a bad policy (file:line:column), a bad
# flag, too little memory for its pools, no worker lcore, more io lcores
# than queues or workers allow; and --io-lcores within them is what runs.
# TAP; 77 = skip.
#   usage: test_app_errors.sh BUILD_DIR SOURCE_DIR
set -u
build=$1 src=$2
. "$src/test/net/tap.sh"
app=$build/app/dpdk-hyperion
need_root
need_exe "$app"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" /var/run/dpdk/hype$$_*' EXIT
/usr/bin/python3 "$src/usertools/hyperion-traffic.py" --pcap-out "$tmp/mix.pcap" --count 1 >/dev/null ||
	skip_prereq "cannot write a pcap (scapy)"

# case NAME WANT_RC WANT_TEXT EAL... -- APP...
case_() {
	local name=$1 want_rc=$2 want=$3 out rc
	shift 3
	out=$(timeout 30 "$app" --no-pci --file-prefix "hype$$_$n" --log-level lib.eal:error "$@" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ $rc = "$want_rc" ] && printf '%s' "$out" | grep -qF -- "$want"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name"
		echo "# exit $rc (want $want_rc); output:"
		printf '%s\n' "$out" | tail -4 | sed 's/^/#   /'
	fi
}

echo "1..16"
case_ "a policy with host bits set is refused with file:line:column" 1 \
	"host_bits.yaml:4:7: fast_path.drop_ips[1]: '198.51.100.7/24': host bits set" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --policy "$src/test/policy/bad/host_bits.yaml"
case_ "a policy with a regex Hyperscan refuses is refused" 1 "policy refused:" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --policy "$src/test/policy/bad/regex_unclosed.yaml"
case_ "an unknown pipeline name is refused" 2 "--pipeline is staged or rtc, not 'fast'" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --pipeline fast
case_ "ips without a peer is refused" 2 "--mode ips needs --iface and --peer" \
	-l 0-1 --no-huge -m 256 -- --iface lo --mode ips
case_ "too little memory for the pool says what to do" 1 "give EAL more memory (-m)" \
	-l 0-1 --no-huge -m 16 -- --pcap "$tmp/mix.pcap"
case_ "--help prints the options and exits 0, without EAL" 0 "--metrics-port P" -- --help
case_ "no worker lcore says how many are needed" 1 "give EAL at least two" \
	-l 0 --no-huge -m 256 -- --pcap "$tmp/mix.pcap"
# --io-lcores: a replay has one queue; lcores 1-3 are the pipeline's (on 2 CPUs)
case_ "--io-lcores 3 of 3 pipeline lcores leaves no worker: refused" 1 \
	"at least one lcore must be left for the workers" \
	--lcores 0@0,1@1,2@0,3@1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --io-lcores 3
case_ "--io-lcores 2 with one queue: each io lcore needs a queue" 1 \
	"each io lcore needs a queue" --lcores 0@0,1@1,2@0,3@1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --io-lcores 2
case_ "--io-lcores 1 of 3: one io lcore, two workers, and the replay runs" 0 \
	"lcore 1: io (rx queues 0); lcore 2: worker; lcore 3: worker" \
	--lcores 0@0,1@1,2@0,3@1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --io-lcores 1
# numeric options: bounds, signs, junk; each refused before EAL starts
case_ "--queues 0 is refused with its range" 2 "--queues: '0' is not a number from 1 to" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --queues 0
case_ "--metrics-port 65536 is refused" 2 "--metrics-port: '65536' is not a number from 0 to 65535" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --metrics-port 65536
case_ "--flows -5 is refused, not wrapped" 2 "--flows: '-5' is not a number" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --flows -5
case_ "--burst 12x is refused" 2 "--burst: '12x' is not a number" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --burst 12x
case_ "--stream-inspect-window 16385 is refused with its range" 2 \
	"--stream-inspect-window: '16385' is not a number from 0 to 16384" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --stream-inspect-window 16385
case_ "every numeric option at a bound: the replay runs" 0 "dpdk-hyperion running" \
	-l 0-1 --no-huge -m 256 -- --pcap "$tmp/mix.pcap" --queues 1 --start-queue 0 \
	--stats-period 0 --ring-size 64 --burst 256 --rx-desc 64 --flows 1024 --metrics-port 0 \
	--stream-inspect-window 16384
tap_done "app errors"
