#!/bin/sh
# `make test-kernel`: the BPF fixtures and the netns suite on this machine's
# kernel, then on Debian 12's own kernel booted under qemu
# (tests/kernel/run.sh), and a feature x kernel table of the two runs.
#
#   sh tests/kernel/matrix.sh BUILD_DIR [KERNEL_VERSION]
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
rm -rf "$out/$guest"
mkdir -p "$out"
SUITES="bpf netns"

# the suites' summary line: "sluice tests: N passed, ..."
summary_of() { grep '^sluice tests: ' "$1" | tail -n 1; }

echo "== host, kernel $host: tests/run.sh $B $SUITES"
t0=$(date +%s)
# shellcheck disable=SC2086 # the suite list
sh tests/run.sh "$B" $SUITES 2>&1 | tee "$out/host.log" | grep -v '^        '
host_s=$(($(date +%s) - t0))

echo "== guest, kernel $guest under qemu: tests/run.sh $B $SUITES"
t0=$(date +%s)
# the guest's test logs come back beside its console
# shellcheck disable=SC2016 # expanded in the guest
SLUICE_KERNEL_OUT=$out/$guest sh tests/kernel/run.sh "$guest" -- sh -c '
	sh tests/run.sh "$@"
	rc=$?
	cp -r "$1/test-logs" "$SLUICE_GUEST_OUT/"
	exit $rc' guest "$B" $SUITES 2>&1 | tee "$out/$guest.log" | grep -v '^        '
guest_s=$(($(date +%s) - t0))
booted=$(cut -d. -f1 "$out/$guest/booted" 2>/dev/null)

# verdicts LOG: "TEST VERDICT" for each test a run printed (a test that
# left objects behind failed)
verdicts() {
	sed -n 's/^  \(PASS\|FAIL\|SKIP\)  left behind by \([^:]*\):.*/netns\/\2 FAIL/p
		s/^  \(PASS\|FAIL\|SKIP\)  \([^ :]*\).*/\2 \1/p' "$1"
}

# features TEST: the rows a test counts for. Sets tests count for egress
# when they add an egress rule (tc), for ingress (XDP) otherwise; the
# sets fixtures run every frame through both programs.
features() {
	case $1 in
	*/test_drops_*) echo drops ;;
	*/test_mcast_*) echo mcast ;;
	bpf/test_sets_*|bpf/test_parse) echo "sets ingress"; echo "sets egress" ;;
	netns/test_sets_*)
		if grep -q 'rule add .* egress' "tests/$1.sh" 2>/dev/null; then echo "sets egress"; else echo "sets ingress"; fi ;;
	*) echo "core" ;;
	esac
}

{ verdicts "$out/host.log" | sed 's/^/host /'; verdicts "$out/$guest.log" | sed 's/^/guest /'; } >"$out/verdicts"
awk '{ print $2 }' "$out/verdicts" | sort -u | while read -r t; do
	features "$t" | sed "s|^|$t	|"
done >"$out/features"

echo
echo "== feature x kernel ($SUITES suites; a row passes when each of its tests does)"
awk -F'\t' -v host="$host" -v guest="$guest" '
	FNR == NR { split($0, f, " "); v[f[1], f[2]] = f[3]; next }
	{
		t = $1; row = $2
		if (!(row in n)) order[++rows] = row
		n[row]++
		for (k = 1; k <= 2; k++) {
			side = k == 1 ? "host" : "guest"
			r = v[side, t]
			if (r == "PASS") ok[row, side]++
			else if (r == "") missing[row, side]++
			else bad[row, side] = bad[row, side] " " t
		}
	}
	function cell(row, side,   nbad) {
		nbad = split(bad[row, side], x, " ")
		if (missing[row, side] == n[row]) return "not run"
		if (nbad == 0 && !missing[row, side]) return "pass"
		return sprintf("FAIL %d/%d", nbad + missing[row, side], n[row])
	}
	END {
		printf "%-14s %6s   %-16s %-16s\n", "feature", "tests", host, guest
		for (i = 1; i <= rows; i++) {
			row = order[i]
			printf "%-14s %6d   %-16s %-16s\n", row, n[row], cell(row, "host"), cell(row, "guest")
		}
		for (k = 1; k <= 2; k++) {
			side = k == 1 ? "host" : "guest"
			for (i = 1; i <= rows; i++)
				if (bad[order[i], side] != "")
					printf "  failed on %s, %s:%s\n", side == "host" ? host : guest, order[i], bad[order[i], side]
		}
	}' "$out/verdicts" "$out/features"

host_sum=$(summary_of "$out/host.log" | sed 's/ (failed:.*//; s/^sluice tests: //')
guest_sum=$(summary_of "$out/$guest.log" | sed 's/ (failed:.*//; s/^sluice tests: //')
echo "sluice test-kernel: $host: ${host_sum:-no summary} ($host_s s); $guest: ${guest_sum:-no summary}" \
	"(${booted:+booted in $booted s, }$guest_s s in all)"
[ -n "$guest_sum" ] || exit 2
[ "$(printf '%s\n%s\n' "$host_sum" "$guest_sum" | grep -c ' 0 failed')" = 2 ] || exit 1
