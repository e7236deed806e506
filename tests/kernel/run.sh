#!/bin/sh
# Boot a Debian kernel under qemu and run one command in it, on this
# machine's own root (read-only over 9p, a tmpfs overlay on top), from the
# current directory. The command's output streams to stdout; its exit code
# is this script's.
#
#   sh tests/kernel/run.sh KERNEL_VERSION -- COMMAND [ARG]...
#     KERNEL_VERSION: a Debian linux-image version (6.1.0-57-amd64);
#     mk/kernel_deps.sh fetches it into its cache when it is not there
#   SLUICE_KERNEL_TIMEOUT: seconds before qemu is killed (900)
#   SLUICE_KERNEL_OUT: a directory to keep the guest's console log, its
#     boot time (booted: guest uptime in seconds when the command started)
#     and what the command wrote to $SLUICE_GUEST_OUT in the guest
#
# Exit: the command's, 124 when the timeout killed the guest, 125 when the
# guest never reported one (no boot, a panic: the console's tail is shown).
# Emulated (TCG), not KVM: /dev/kvm on these machines is nested, and
# Debian's kernel hangs under it after "Probing EDD". 2 CPUs, 2 GiB, no
# network device (tests make their own namespaces and veths). One guest at
# a time: a second run waits for the first.
SL_SRC=$(cd "$(dirname "$0")/../.." && pwd)
usage() { echo "usage: sh tests/kernel/run.sh KERNEL_VERSION -- COMMAND [ARG]..." >&2; exit 2; }
[ $# -ge 3 ] && [ "$2" = -- ] || usage
version=$1
shift 2
timeout=${SLUICE_KERNEL_TIMEOUT:-900}
case $timeout in *[!0-9]* | "") echo "run.sh: SLUICE_KERNEL_TIMEOUT '$timeout' is not a number of seconds" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root (9p shares the root as root, modules are read as root)" >&2; exit 2; }

kdir=$(sh "$SL_SRC/mk/kernel_deps.sh" "$version") || exit 2
vmlinuz=$kdir/boot/vmlinuz-$version

T=$(mktemp -d /tmp/sluice-kernel.XXXXXX) || exit 2
qemu=""
tailer=""
cleanup() {
	[ -n "$qemu" ] && kill "$qemu" 2>/dev/null
	[ -n "$tailer" ] && kill "$tailer" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# One guest at a time (TCG takes both CPUs); qemu inherits the lock and
# holds it as long as it lives.
lock=/run/lock/sluice-kernel.lock
exec 9>"$lock"
if ! flock -n 9; then
	echo "run.sh: another guest is running (lock $lock); waiting" >&2
	waited=$(date +%s)
	flock 9
	# tests/run.sh reports this line's figure beside the suite's time
	echo "run.sh: waited $(($(date +%s) - waited)) s for the guest lock" >&2
fi

# --- the initramfs: busybox, /init, the modules needed before the root --
stage=$T/initramfs
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/modules"
cp "$(command -v busybox)" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
cp "$SL_SRC/tests/kernel/init.sh" "$stage/init"
chmod 0755 "$stage/init"
# the kernel opens /dev/console for init before anything mounts /dev
mknod -m 600 "$stage/dev/console" c 5 1
# virtio PCI transport, 9p over it, overlayfs: modules in Debian's kernel,
# in the order modprobe would load them (a built-in one prints "builtin")
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$kdir" -S "$version" --show-depends "$m" ||
		{ echo "run.sh: modprobe cannot resolve the guest's module $m in $kdir" >&2; exit 2; }
done >"$T/deps" || exit 2
awk '$1 == "insmod" && !seen[$2]++ { print $2 }' "$T/deps" | while read -r ko; do
	cp "$ko" "$stage/modules/" && basename "$ko"
done >"$stage/modules.load"
(cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null) >"$T/initrd.cpio" ||
	{ echo "run.sh: cannot build the initramfs" >&2; exit 2; }

# --- what the guest runs: the command, quoted, from this directory -------
mkdir "$T/out"
quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root"
	echo "export SLUICE_GUEST_OUT=/run/sluice-kernel/out"
	printf 'exec'
	for arg; do printf ' %s' "$(quote "$arg")"; done
	echo
} >"$T/out/cmd"
pwd -P >"$T/out/cwd"

# --- boot ------------------------------------------------------------------
: >"$T/console.log"
: >"$T/output.log"
t0=$(date +%s)
qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp 2 -m 2G \
	-nodefaults -no-reboot -display none -monitor none \
	-kernel "$vmlinuz" -initrd "$T/initrd.cpio" \
	-append "console=ttyS0 panic=-1 mitigations=off sluice_kdir=$kdir sluice_deadline=$((timeout + 60))" \
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$T/out,mount_tag=out,security_model=none" \
	-serial "file:$T/console.log" -serial "file:$T/output.log" \
	</dev/null >"$T/qemu.log" 2>&1 &
qemu=$!
tail -n +1 -f --pid="$qemu" "$T/output.log" &
tailer=$!

timed_out=0
while kill -0 "$qemu" 2>/dev/null; do
	if [ $(($(date +%s) - t0)) -ge "$timeout" ]; then
		timed_out=1
		kill "$qemu" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$qemu" 2>/dev/null
qemu_rc=$?
qemu=""
wait "$tailer" 2>/dev/null
tailer=""
elapsed=$(($(date +%s) - t0))

if [ -n "${SLUICE_KERNEL_OUT:-}" ]; then
	mkdir -p "$SLUICE_KERNEL_OUT"
	cp -r "$T/out/." "$SLUICE_KERNEL_OUT/"
	cp "$T/console.log" "$SLUICE_KERNEL_OUT/console.log"
fi

booted=$(cat "$T/out/booted" 2>/dev/null)
rc=$(cat "$T/out/rc" 2>/dev/null)
if [ "$timed_out" = 1 ]; then
	echo "run.sh: kernel $version: timed out after $timeout s (SLUICE_KERNEL_TIMEOUT); qemu killed" >&2
	rc=124
elif [ -z "$rc" ]; then
	echo "run.sh: kernel $version: the guest ended without an exit code (qemu exit $qemu_rc); the console's end:" >&2
	rc=125
fi
if [ "$rc" -ge 124 ]; then
	tail -n 30 "$T/console.log" | sed 's/^/  console| /' >&2
	sed 's/^/  qemu| /' "$T/qemu.log" >&2
fi
echo "run.sh: kernel $version: ${booted:+booted in ${booted%.*} s, }$elapsed s in all, exit $rc" >&2
exit "$rc"
