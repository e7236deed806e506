#!/bin/sh
# tests/run.sh inside another kernel under qemu (tests/kernel/run.sh), with
# the guest's test logs and console kept on the host.
#
#   sh tests/kernel/guest.sh BUILD_DIR KERNEL_VERSION OUT SUITE|SUITE/TEST...
# Run from the source tree. OUT receives the console log, the boot time and
# test-logs/ (the guest's tests/run.sh's logs, SLUICE_TEST_LOGS: not under
# BUILD_DIR, which the host's own suites may be writing to meanwhile):
# written straight to the results share, so a guest the timeout kills
# leaves them too. Exit: the guest's tests/run.sh's, or run.sh's 124/125.
# The guest's tests stretch their guards (SLUICE_GUARD_SCALE,
# tests/netns/lib.sh) tenfold.
[ $# -ge 4 ] || { echo "usage: sh tests/kernel/guest.sh BUILD_DIR KERNEL_VERSION OUT TEST..." >&2; exit 2; }
B=$1 version=$2 out=$3
shift 3
mkdir -p "$out" || exit 2
# shellcheck disable=SC2016 # expanded in the guest
SLUICE_KERNEL_OUT=$out exec sh "$(dirname "$0")/run.sh" "$version" -- sh -c '
	# emulation runs some 10-25 times slower: stretch the tests'"'"' guards
	export SLUICE_GUARD_SCALE=10
	export SLUICE_TEST_LOGS="$SLUICE_GUEST_OUT/test-logs"
	mkdir -p "$SLUICE_TEST_LOGS" || exit 125
	exec sh tests/run.sh "$@"' guest "$B" "$@"
