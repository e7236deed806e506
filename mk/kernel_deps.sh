#!/bin/sh
# What `make test` and `make test-kernel` need beyond mk/deps.sh: qemu and a static busybox
# to boot another kernel, and that kernel, Debian's linux-image package
# unpacked into a cache (never installed: the host's /boot is untouched).
#
#   sh mk/kernel_deps.sh [VERSION]    (VERSION like 6.1.0-57-amd64)
# Prints the kernel's directory on stdout (boot/vmlinuz-VERSION,
# lib/modules/VERSION with modules.dep); progress goes to stderr.
# No VERSION: Debian 12's current kernel, the one linux-image-amd64
# depends on. SLUICE_KERNEL_CACHE: the cache (/var/cache/sluice/kernels).
# Kept apart from mk/deps.sh so that `make run` never downloads a kernel;
# `make test` and `make test-kernel` call it.
set -e

# command:package pairs, as in mk/deps.sh (tests/lint/check_test_deps.sh
# reads this list for the scripts under tests/kernel/)
TOOLS="qemu-system-x86_64:qemu-system-x86 busybox:busybox-static depmod:kmod modprobe:kmod"

missing=""
for pair in $TOOLS; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
# a dynamic busybox cannot run in an initramfs that holds nothing else
# (ldd fails on a static binary)
bb=$(command -v busybox 2>/dev/null || true)
[ -n "$bb" ] && ldd "$bb" >/dev/null 2>&1 && missing="$missing busybox-static"

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "kernel deps: installing$missing" >&2
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2
	else
		echo "kernel deps: missing:$missing" >&2
		echo "kernel deps: on Debian/Ubuntu run as root: apt-get install$missing" >&2
		exit 1
	fi
fi

version=$1
if [ -z "$version" ]; then
	version=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$version" ] || version=$(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
		sed -n 's/^linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | sort -t- -k2,2n | tail -n 1)
	[ -n "$version" ] || { echo "kernel deps: no linux-image-6.1.0-*-amd64 known to apt (apt-get update?)" >&2; exit 1; }
fi
case $version in
*[!A-Za-z0-9.+_-]* | "") echo "kernel deps: '$version' is not a kernel version (like 6.1.0-57-amd64)" >&2; exit 2 ;;
esac

cache=${SLUICE_KERNEL_CACHE:-/var/cache/sluice/kernels}
dir=$cache/$version
# unpacked and indexed (depmod) apart, then renamed into place in one step:
# a kernel directory in the cache is always whole
if [ ! -d "$dir" ]; then
	mkdir -p "$cache"
	work=$(mktemp -d "$cache/.fetch-$version.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM HUP
	echo "kernel deps: downloading linux-image-$version into $dir" >&2
	# apt's _apt user must be able to write the download directory
	chmod 0777 "$work"
	(cd "$work" && apt-get download -q "linux-image-$version" >&2) ||
		{ echo "kernel deps: cannot download linux-image-$version (apt-get update? the version exists?)" >&2; exit 1; }
	dpkg-deb -x "$work"/linux-image-"$version"_*.deb "$work/root"
	[ -f "$work/root/boot/vmlinuz-$version" ] ||
		{ echo "kernel deps: the package holds no boot/vmlinuz-$version" >&2; exit 1; }
	depmod -b "$work/root" "$version"
	rm -rf "$dir"
	mv "$work/root" "$dir"
fi
echo "$dir"
