#!/bin/sh
# `make test-kernel`: the BPF fixtures and the netns suite on this machine's
# kernel, then on Debian 12's own kernel booted under qemu
# (tests/kernel/run.sh), and a feature x kernel table of the two runs, each
# failure with the line of its log that says why.
#
#   sh tests/kernel/matrix.sh BUILD_DIR [KERNEL_VERSION]
#   SLUICE_KERNEL_SLOW: netns tests the guest leaves out (below)
# The runs' output, the guest's test logs and console land in
# BUILD_DIR/kernel/ (host.log, KERNEL_VERSION.log, KERNEL_VERSION/).
# Exit 0 when every test passed on both kernels, 1 when some failed,
# 2 when the guest did not run the suites to their end.
B=${1:?usage: sh tests/kernel/matrix.sh BUILD_DIR [KERNEL_VERSION]}
SL_SRC=$(cd "$(dirname "$0")/../.." && pwd)
cd "$SL_SRC" || exit 2
[ -x "$B/sluiced" ] || { echo "matrix.sh: $B/sluiced is not built (make test-kernel builds it)" >&2; exit 2; }
kdir=$(sh mk/kernel_deps.sh ${2:+"$2"}) || exit 2
guest=$(basename "$kdir")
host=$(uname -r)
out=$B/kernel
rm -rf "${out:?}/$guest"
mkdir -p "$out"

# Emulation (TCG) is slow: in the guest a dynamically linked exec costs
# about 80 ms and the BPF verifier about 25 times its time here, so a daemon
# start takes some 30 s. These tests check the daemon's own transactions and
# scale, not what the kernel offers, and take 40-140 s on the host
# (test_fault_steps did not end in 13 minutes in the guest): the host runs
# them, the guest does not.
SLOW=${SLUICE_KERNEL_SLOW-test_fault_steps test_kill_loop test_sets_scale}
# What the timeout may cut off comes last: the BPF fixtures (every
# feature's programs, about 3 minutes), then one end-to-end test per
# feature, then the rest.
FIRST="test_drops_oracle test_sets_rules test_mcast_bridge test_sets_ipset_oracle"
guest_tests="bpf"
for t in $FIRST $(ls tests/netns/ | sed -n 's/^\(test_.*\)\.sh$/\1/p'); do
	case " $SLOW $guest_tests " in *" $t "* | *" netns/$t "*) continue ;; esac
	guest_tests="$guest_tests netns/$t"
done

# the suites' summary line without its lists: "N passed, F failed, ..."
summary_of() { grep '^sluice tests: ' "$1" | tail -n 1 | sed 's/ (failed:.*//; s/ (skipped:.*//; s/^sluice tests: //'; }

echo "== host, kernel $host: tests/run.sh $B bpf netns"
t0=$(date +%s)
sh tests/run.sh "$B" bpf netns 2>&1 | tee "$out/host.log" | grep --line-buffered -v '^        '
host_s=$(($(date +%s) - t0))
rm -rf "$out/host-logs"
cp -r "$B/test-logs" "$out/host-logs"

echo "== guest, kernel $guest under qemu: tests/run.sh $B bpf netns${SLOW:+ (not: $SLOW)}"
t0=$(date +%s)
# the guest's test logs go straight to the results share, so a guest the
# timeout kills leaves them too (build/test-logs is replaced in the guest's
# overlay only)
# shellcheck disable=SC2016,SC2086 # expanded in the guest; the test list
SLUICE_KERNEL_OUT=$out/$guest sh tests/kernel/run.sh "$guest" -- sh -c '
	mkdir -p "$SLUICE_GUEST_OUT/test-logs"
	rm -rf "$1/test-logs" && ln -s "$SLUICE_GUEST_OUT/test-logs" "$1/test-logs" || exit 125
	exec sh tests/run.sh "$@"' guest "$B" $guest_tests 2>&1 | tee "$out/$guest.log" | grep --line-buffered -v '^        '
guest_s=$(($(date +%s) - t0))
booted=$(cut -d. -f1 "$out/$guest/booted" 2>/dev/null)

# verdicts SIDE LOG: "SIDE TEST VERDICT" for each test a run printed (a
# test that left objects behind failed)
verdicts() {
	sed -n "s/^  FAIL  left behind by \\([^:]*\\):.*/$1 netns\\/\\1 FAIL/p
		s/^  \\(PASS\\|FAIL\\|SKIP\\)  \\([^ :]*\\).*/$1 \\2 \\1/p" "$2"
}

# features TEST: the rows a test counts for. Sets tests count for egress
# when they add an egress rule (tc), for ingress (XDP) otherwise; the
# sets fixtures run every frame through both programs.
features() {
	case $1 in
	*/test_drops_*) echo drops ;;
	*/test_mcast_*) echo mcast ;;
	bpf/test_sets_* | bpf/test_parse) echo "sets ingress"; echo "sets egress" ;;
	netns/test_sets_*)
		if grep -q 'rule add .* egress' "tests/$1.sh"; then echo "sets egress"; else echo "sets ingress"; fi ;;
	*) echo "core" ;;
	esac
}

# why LOG: one line on why a test failed: the verifier's complaint (the
# two lines before its "processed N insns") and the program, the daemon's
# error, the test's own FAIL line or Criterion's assertion
why() {
	awk '
		match($0, /prog \047[^\047]*\047: BPF program load failed/) && !prog { prog = substr($0, RSTART + 6); sub(/\047.*/, "", prog) }
		/^processed [0-9]+ insns/ && !verifier { verifier = p2 "; " p1 }
		/sluiced: error: / && !daemon { daemon = $0; sub(/.*sluiced: error: /, "", daemon) }
		/^FAIL: / { fail = substr($0, 7) }
		/^\[----\]   [^ ]/ && !assertion { assertion = $0; sub(/^\[----\] +/, "", assertion) }
		{ p2 = p1; p1 = $0; sub(/^[0-9]+: \([0-9a-f]+\) /, "", p1) }
		END {
			s = verifier != "" ? prog ": " verifier : ""
			if (daemon != "") s = s (s != "" ? " | " : "") daemon
			if (s == "") s = fail != "" ? fail : assertion
			print substr(s, 1, 240)
		}' "$1" 2>/dev/null
}

{ verdicts host "$out/host.log"; verdicts guest "$out/$guest.log"; } >"$out/verdicts"
awk '{ print $2 }' "$out/verdicts" | sort -u | while read -r t; do
	features "$t" | sed "s|^|$t	|"
done >"$out/features"

echo
echo "== feature x kernel: tests passed of those run (bpf and netns suites)"
awk -F'\t' -v host="$host" -v guest="$guest" '
	FNR == NR { split($0, f, " "); v[f[1], f[2]] = f[3]; next }
	{
		t = $1; row = $2
		if (!(row in n)) order[++rows] = row
		n[row]++
		for (k = 1; k <= 2; k++) {
			side = k == 1 ? "host" : "guest"
			r = v[side, t]
			if (r == "") continue
			ran[row, side]++
			if (r == "PASS") ok[row, side]++
		}
	}
	function cell(row, side,   s) {
		if (!ran[row, side]) return "not run"
		s = sprintf("%s %d/%d", ok[row, side] == ran[row, side] ? "pass" : "FAIL", ok[row, side], ran[row, side])
		return ran[row, side] < n[row] ? s sprintf(" (%d not run)", n[row] - ran[row, side]) : s
	}
	END {
		printf "%-14s %-24s %-24s\n", "feature", host, guest
		for (i = 1; i <= rows; i++)
			printf "%-14s %-24s %-24s\n", order[i], cell(order[i], "host"), cell(order[i], "guest")
	}' "$out/verdicts" "$out/features"

# each failure, with why: logs are named by the test (bpf/test_x: bpf_test_x.log)
awk '$3 == "FAIL" { print $1, $2 }' "$out/verdicts" | sort -u | while read -r side t; do
	if [ "$side" = host ]; then k=$host logs=$out/host-logs; else k=$guest logs=$out/$guest/test-logs; fi
	echo "  $k $t: $(why "$logs/$(echo "$t" | tr '/' '_').log")"
done
[ -z "$SLOW" ] || echo "  not run in the guest (too slow under emulation):$(printf ' netns/%s' $SLOW)"
cut=$(for t in $guest_tests; do
	[ "$t" = bpf ] || grep -q "^guest $t " "$out/verdicts" || printf ' %s' "$t"
done)
[ -z "$cut" ] || echo "  not reached in the guest before its timeout (SLUICE_KERNEL_TIMEOUT):$cut"

host_sum=$(summary_of "$out/host.log")
guest_sum=$(summary_of "$out/$guest.log")
echo "sluice test-kernel: $host: ${host_sum:-no summary} ($host_s s); $guest: ${guest_sum:-no summary}" \
	"(${booted:+booted in $booted s, }$guest_s s in all)"
[ -n "$guest_sum" ] || exit 2
[ "$(printf '%s\n%s\n' "$host_sum" "$guest_sum" | grep -c ' 0 failed')" = 2 ] || exit 1
