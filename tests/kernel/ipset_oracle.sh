#!/bin/sh
# Ask Debian 12's own kernel's ipset (under qemu, tests/kernel/run.sh) what
# it answers to command lines, for the set types this machine's kernel
# lacks (hash:ip,mark, hash:net,net: see README, ipset drop-in). A tool
# for measuring a new type's behaviour, not a test.
#
#   sh tests/kernel/ipset_oracle.sh FILE [KERNEL_VERSION]
#     FILE: one ipset command line a line, its words as sh splits them;
#     blank lines and lines starting with # are skipped
#
# Prints, for each line in order: "### ipset LINE", its standard output,
# its standard error with each line prefixed "stderr: ", and "rc=N". All
# lines run in one private namespace, so a set made by one line is there
# for the next.
case $# in 1 | 2) ;; *) echo "usage: sh tests/kernel/ipset_oracle.sh FILE [KERNEL_VERSION]" >&2; exit 2 ;; esac
[ -r "$1" ] || { echo "ipset_oracle.sh: cannot read '$1'" >&2; exit 2; }
version=${2:-6.1.0-57-amd64}
# The guest sees this machine's root read-only but not its /tmp: the lines
# travel as an argument.
# shellcheck disable=SC2016 # expanded in the guest
exec sh "$(dirname "$0")/run.sh" "$version" -- sh -c '
	ns=sluice-ipset-oracle
	ip netns add "$ns" || exit 1
	printf "%s\n" "$1" | while IFS= read -r line; do
		case $line in "" | "#"*) continue ;; esac
		echo "### ipset $line"
		eval "set -- $line"
		ip netns exec "$ns" ipset "$@" 2>/run/oracle.err </dev/null
		rc=$?
		sed "s/^/stderr: /" /run/oracle.err
		echo "rc=$rc"
	done
	ip netns del "$ns"' oracle "$(cat "$1")"
