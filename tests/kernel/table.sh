#!/bin/sh
# The feature x kernel table of a `make test-kernel` run (tests/kernel/
# matrix.sh), from what it left in BUILD_DIR/kernel: each feature's tests
# passed of those run on either kernel, then every failure with the line
# of its log that says why, and the tests the guest did not run.
#
#   sh tests/kernel/table.sh BUILD_DIR/kernel KERNEL_VERSION
# Run from the source tree (a sets test's rows are read from its script).
out=${1:?usage: sh tests/kernel/table.sh BUILD_DIR/kernel KERNEL_VERSION}
guest=${2:?usage: sh tests/kernel/table.sh BUILD_DIR/kernel KERNEL_VERSION}
cd "$(dirname "$0")/../.." || exit 2
for f in host.log host.release "$guest.log" "$guest.tests"; do
	[ -f "$out/$f" ] || { echo "table.sh: no $out/$f (make test-kernel writes it)" >&2; exit 2; }
done
host=$(cat "$out/host.release")
guest_tests=$(cat "$out/$guest.tests")
SLOW=$(cat "$out/$guest.slow" 2>/dev/null)

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
	*/test_tcp_*) echo tcp ;;
	*/test_send_*) echo send ;;
	*/test_gen_xdp*) echo "gen xdp" ;;
	*/test_sctp_*) echo sctp ;;
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
		/sluiced: error: / && !daemon {
			daemon = $0
			sub(/.*sluiced: error: /, "", daemon)
			sub(/ \(run with -v[^)]*\)/, "", daemon)
			sub(/; the pinned dataplane is left as it was/, "", daemon)
		}
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

{ verdicts host "$out/host.log"; verdicts guest "$out/$guest.log"; } >"$out/$guest.verdicts"
awk '{ print $2 }' "$out/$guest.verdicts" | sort -u | while read -r t; do
	features "$t" | sed "s|^|$t	|"
done >"$out/$guest.features"

echo
echo "== feature x kernel: tests passed of those run (bpf and netns suites)"
awk -F'\t' -v host="$host" -v guest="$guest" '
	FNR == NR { split($0, f, " "); v[f[1], f[2]] = f[3]; next }
	{
		t = $1; row = $2
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
		rows = split("drops|sets ingress|sets egress|mcast|tcp|send|gen xdp|core", order, "|")
		printf "%-14s %-24s %-24s\n", "feature", host, guest
		for (i = 1; i <= rows; i++)
			printf "%-14s %-24s %-24s\n", order[i], cell(order[i], "host"), cell(order[i], "guest")
	}' "$out/$guest.verdicts" "$out/$guest.features"

# each failure, with why: logs are named by the test (bpf/test_x: bpf_test_x.log)
awk '$3 == "FAIL" { print $1, $2 }' "$out/$guest.verdicts" | sort -u | while read -r side t; do
	if [ "$side" = host ]; then k=$host logs=$out/host-logs; else k=$guest logs=$out/$guest/test-logs; fi
	log=$logs/$(echo "$t" | tr '/' '_').log
	echo "  $k $t: $(why "$log" | grep . || echo "see $log")"
done
[ -z "$SLOW" ] || echo "  not run in the guest (too slow under emulation):$(printf ' netns/%s' $SLOW)"
cut=$(for t in $guest_tests; do
	[ "$t" = bpf ] || grep -q "^guest $t " "$out/$guest.verdicts" || printf ' %s' "$t"
done)
[ -z "$cut" ] || echo "  not reached in the guest before its timeout (SLUICE_KERNEL_TIMEOUT):$cut"

