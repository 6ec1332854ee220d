#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what dpdk-hyperion needs to build, test and run on Debian 12, and
# nothing that is already there. Safe to run again. Needs root.
set -euo pipefail

pkgs=(
	# build
	gcc pkg-config meson ninja-build clang llvm bpftool linux-libc-dev
	# clang's libFuzzer and sanitizer runtimes (the fuzz suite): only a
	# Recommends of clang's, which --no-install-recommends leaves out
	libclang-rt-dev
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev libpcap-dev
	dpdk dpdk-dev libdpdk-dev libvectorscan-dev libyaml-dev libjansson-dev libpcre2-dev
	libmicrohttpd-dev libcrypt-dev libhttp-parser-dev libssl-dev
	# run and test
	iproute2 ethtool iputils-ping xdp-tools python3 python3-scapy python3-jsonschema tcpreplay procps
	prometheus curl openssl util-linux logrotate
	# benchmarks and experiments (usertools/hyperion-bench, hyperion-experiment)
	python3-yaml python3-matplotlib
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "hyperion-deps: missing ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "hyperion-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# the tests and the demo load BPF and make namespaces
mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
