#!/bin/sh
# Install what sluice needs to build and test, and mount bpffs and tracefs.
# Debian/Ubuntu as root: installs missing packages with apt-get. Elsewhere:
# prints what is missing and the command to get it.
set -e

# command:package pairs for tools, pkg-config:package pairs for libraries.
# TOOLS holds every command a test or benchmark calls beyond the base system
# (tests/lint/check_test_deps.sh checks that, as part of `make test`). A
# command given by path must be that one (PATH may hold another python3).
TOOLS="nft:nftables ipset:ipset iptables:iptables ip6tables:iptables
       clang:clang bpftool:bpftool pkg-config:pkg-config
       ip:iproute2 ss:iproute2 bridge:iproute2 tc:iproute2 nstat:iproute2 jq:jq socat:socat sysctl:procps
       setpriv:util-linux taskset:util-linux chrt:util-linux ps:procps systemd-analyze:systemd
       iperf3:iperf3 bpftrace:bpftrace tcpdump:tcpdump ethtool:ethtool conntrack:conntrack
       /usr/bin/python3:python3"
LIBS="libbpf:libbpf-dev libelf:libelf-dev zlib:zlib1g-dev libcap:libcap-dev criterion:libcriterion-dev
      json-c:libjson-c-dev libsystemd:libsystemd-dev libmnl:libmnl-dev
      usrsctp:libusrsctp-dev"

missing=""
for pair in $TOOLS; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
for pair in $LIBS; do
	pkg-config --exists "${pair%%:*}" 2>/dev/null || missing="$missing ${pair#*:}"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "deps: installing$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "deps: missing:$missing" >&2
		echo "deps: on Debian/Ubuntu run as root: apt-get install$missing" >&2
		exit 1
	fi
fi

# bpffs for pins, tracefs for classic tracepoints (both absent on some hosts)
if [ "$(id -u)" = 0 ]; then
	mountpoint -q /sys/fs/bpf 2>/dev/null || mount -t bpf bpf /sys/fs/bpf
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi
