#!/bin/sh
# Every command the test and benchmark scripts call is installed by
# mk/deps.sh (its TOOLS list) or belongs to the base system, so no test can
# find a tool missing on a fresh Debian 12 machine and stop testing. The
# scripts of tests/kernel/ (make test-kernel) may also call what
# mk/kernel_deps.sh installs.
#
#   sh tests/lint/check_test_deps.sh [SCRIPT...]   (default: every tests/**/*.sh)
#   SLUICE_DEPS=FILE, SLUICE_KERNEL_DEPS=FILE: check against other lists
#   (to see the check fail)
# Paths are taken from the top of the source tree.
#
# The calls are found by shell_calls.awk (first words of commands, `command
# -v X`, `require X`, `ip netns exec NS X`, ...). Base: the shell's builtins
# and the commands of Debian 12's Essential packages (coreutils,
# util-linux, bsdutils, findutils, grep, sed, gzip, tar, diffutils,
# debianutils, dash, bash, libc-bin, hostname), plus mawk and mount (in every
# Debian 12 install, minimal images too) and make (`make test` runs us).
cd "$(dirname "$0")/../.." || exit 2

BASE=". : [ alias break cd command continue echo eval exec exit export false getopts hash
kill local printf pwd read readonly return set shift test times trap true type ulimit
umask unalias unset wait
basename cat chgrp chmod chown cksum comm cp cut date dd df dirname du env expand expr
factor fmt fold head id install join link ln logname ls md5sum mkdir mkfifo mknod mktemp
mv nice nl nohup nproc numfmt od paste printenv readlink realpath rm rmdir seq sha1sum
sha256sum shuf sleep sort split stat stdbuf stty sum sync tac tail tee timeout touch tr
truncate tsort tty uname unexpand uniq unlink wc whoami yes
flock getopt ionice logger mountpoint nsenter prlimit renice script setsid unshare
find xargs grep egrep fgrep sed gzip gunzip zcat tar diff cmp which run-parts sh dash bash
getconf ldd hostname awk mawk mount umount make"

# tests/kernel/init.sh is left out: it runs in the guest's initramfs, where
# the static busybox that mk/kernel_deps.sh installs is every command
files=${*:-$(find tests -name '*.sh' ! -path tests/kernel/init.sh | sort)}
deps=${SLUICE_DEPS:-mk/deps.sh}
[ -f "$deps" ] || { echo "FAIL: $deps not found"; exit 1; }
# the commands of TOOLS="cmd:pkg ..." (it may span lines)
tools_of() { sed -n '/^TOOLS="/,/"/p' "$1" | tr ' \t"' '\n\n\n' | sed -n 's/^TOOLS=//; s/:.*//p'; }
tools=$(tools_of "$deps")
# the guest harness (make test-kernel, the kernel suite) has its own deps
# script, which `make run` never calls: its TOOLS count for tests/kernel/ only
kernel_deps=${SLUICE_KERNEL_DEPS:-mk/kernel_deps.sh}
kernel_tools=$(tools_of "$kernel_deps")
[ -n "$kernel_tools" ] || { echo "FAIL: no TOOLS=\"cmd:package ...\" list in $kernel_deps"; exit 1; }
[ -n "$tools" ] || { echo "FAIL: no TOOLS=\"cmd:package ...\" list in $deps"; exit 1; }

# shellcheck disable=SC2086 # word lists on purpose
calls=$(awk -f tests/lint/shell_calls.awk pass=1 $files pass=2 $files) || {
	echo "FAIL: shell_calls.awk failed"; exit 1; }
bad=$(echo "$calls" | KNOWN="$BASE $tools" KERNEL="$kernel_tools" awk '
	BEGIN { n = split(ENVIRON["KNOWN"], k, /[ \t\n]+/); for (i = 1; i <= n; i++) known[k[i]] = 1
		n = split(ENVIRON["KERNEL"], k, /[ \t\n]+/); for (i = 1; i <= n; i++) kernel[k[i]] = 1 }
	NF && !($2 in known) && !(index($1, "tests/kernel/") == 1 && $2 in kernel)')
n=$(echo "$calls" | grep -c .)
echo "$(echo "$files" | wc -w) scripts, $n calls of $(echo "$calls" | awk '{ print $2 }' | sort -u | wc -l) commands"
if [ -n "$bad" ]; then
	echo "$bad" | sed "s|\$|  (not in $deps TOOLS (tests/kernel/: nor $kernel_deps), not a base command)|"
	echo "FAIL: add each as cmd:package to TOOLS in $deps (or to BASE here if every Debian 12 has it)"
	exit 1
fi
echo "every command is installed by mk/deps.sh or in the base system"
