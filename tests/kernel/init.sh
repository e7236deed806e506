#!/bin/sh
# /init of the guest that tests/kernel/run.sh boots, run by a static busybox
# (the initramfs holds only it, this script and the modules below).
#
# Stage 1 (no argument, PID 1 in the initramfs): load the modules the
# kernel has as modules and the guest needs before it has a root
# (modules.load, in dependency order), mount the host's root read-only
# over 9p, lay a tmpfs over it (overlayfs) so tests can write, mount what
# the tests expect (proc, sys, dev, bpffs, tracefs, cgroup2, a fresh /run
# and /tmp, the current directory again if it was under those) and switch
# root into it.
# Stage 2 (argument "run", PID 1 in the new root): run the command
# run.sh left on the "out" share with its output on the second serial
# port, write its exit code next to it, and power off.
#
# The kernel passes the unknown parameters of its command line to init as
# environment: sluice_kdir is the unpacked kernel's directory on the host
# (its lib/modules tree serves the guest's modprobe), sluice_deadline the
# seconds the command may take.
export PATH=/run/sluice-kernel/bin:/bin:/usr/sbin:/usr/bin:/sbin

die() {
	echo "sluice guest init: $*" >&2
	# what was loaded, for the console run.sh shows; nothing will report an
	# exit code, and run.sh says so
	lsmod >&2
	poweroff -f
}

if [ "${1:-}" != run ]; then
	/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
	/bin/busybox --install -s
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	while read -r ko; do
		insmod "/modules/$ko" || die "insmod $ko failed"
	done </modules.load

	mkdir -p /lower /rw /newroot
	# read-only below, so the guest may cache all it reads (cache=loose)
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 root /lower ||
		die "cannot mount the host's root (9p tag root)"
	mount -t tmpfs -o mode=0755 rw /rw
	mkdir /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
		die "cannot lay the overlay over the host's root"

	r=/newroot
	mount -t proc proc $r/proc
	mount -t sysfs sysfs $r/sys
	mount -t devtmpfs devtmpfs $r/dev
	mkdir -p $r/dev/pts $r/dev/shm
	mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts $r/dev/pts
	mount -t tmpfs -o mode=1777 shm $r/dev/shm
	# the host's /run and /tmp (its namespaces, sockets) are not the guest's
	mount -t tmpfs -o mode=0755 run $r/run
	mount -t tmpfs -o mode=1777 tmp $r/tmp
	mount -t bpf bpf $r/sys/fs/bpf
	mount -t tracefs tracefs $r/sys/kernel/tracing
	mount -t cgroup2 cgroup2 $r/sys/fs/cgroup

	# this kernel's modules and config where modprobe and tests look
	rel=$(uname -r)
	[ -d "$r$sluice_kdir/lib/modules/$rel" ] || die "no $sluice_kdir/lib/modules/$rel on the host's root"
	mkdir -p "$r/lib/modules/$rel" $r/boot
	mount --bind "$r$sluice_kdir/lib/modules/$rel" "$r/lib/modules/$rel"
	cp "$r$sluice_kdir/boot/config-$rel" "$r/boot/config-$rel"

	k=$r/run/sluice-kernel
	mkdir -p $k/bin $k/out
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out $k/out ||
		die "cannot mount the results share (9p tag out)"
	# a source tree under the host's /tmp or /run (a CI clone) is hidden by
	# the fresh ones above: lay it back at its path, writable as the rest
	cwd=$(cat $k/out/cwd)
	case $cwd in
	/tmp/* | /run/*)
		mkdir -p "$r$cwd" /rw/cwd-upper /rw/cwd-work
		mount -t overlay -o "lowerdir=/lower$cwd,upperdir=/rw/cwd-upper,workdir=/rw/cwd-work" overlay "$r$cwd" ||
			die "cannot lay the overlay over $cwd" ;;
	esac
	cp /bin/busybox $k/bin/busybox
	for tool in sh poweroff stty sync timeout; do ln -s busybox $k/bin/$tool; done
	cp /init $k/init
	umount /proc /sys /dev 2>/dev/null
	exec switch_root $r /run/sluice-kernel/bin/sh /run/sluice-kernel/init run
fi

k=/run/sluice-kernel
out=$k/out
cut -d' ' -f1 /proc/uptime >$out/booted
# the guest's own loopback up, as every host has it: tests connect to
# 127.0.0.1 as the host's own traffic that rules must leave alone
ip link set lo up 2>/dev/null || echo "sluice guest init: cannot bring lo up" >&2
# raw output: no CR before each LF
stty -F /dev/ttyS1 -opost 2>/dev/null
# the guest keeps its own deadline too: were run.sh killed outright, qemu
# would still end (sluice_deadline: run.sh's timeout and a margin)
(
	cd "$(cat $out/cwd)" || exit 125
	exec timeout -s KILL "${sluice_deadline:-3600}" /bin/sh $out/cmd
) </dev/null >/dev/ttyS1 2>&1
echo $? >$out/rc.part
mv $out/rc.part $out/rc
sync
poweroff -f
