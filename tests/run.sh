#!/bin/sh
# Run the test suites and end with one summary line.
#   sh tests/run.sh BUILD_DIR [lint|unit|bpf|netns|systemd|fuzz|kernel]...
#   sh tests/run.sh BUILD_DIR netns/test_sets_rules bpf/test_parse ...
# (a suite, or one test of it by its file's name)
#
# What is counted is what ran: each Criterion test (from the TAP report
# each binary writes), each fixture row (the "fixture-row: PASS|FAIL" lines
# tests/bpf/fixture.c prints; the test running them counts too) and each
# shell test. Shell tests exit 0 (pass), 77 (skipped, the reason on their
# last line) or anything else (fail). Every skipped test is listed by name.
#
# The kernel suite (a qemu guest) starts before the others when asked for
# with them, at nice 19, and is reported in its place: the host's suites
# leave more than half of the machine's CPU time idle (they wait on
# daemons, bridges and timers), which the guest takes, while at nice 19 it
# takes little from them when they do compute. SLUICE_KERNEL_OVERLAP=0
# runs it alone, in its turn.
#
# Run as root, a skip is a failure unless its reason is a property of the
# machine that tests/machine.sh confirms here ("machine: CONFIG_X is not
# set", "machine: BTF has no NAME"): a missing tool is never one. A suite
# with nothing to run fails: a missing build is not a pass.
B=${1:-build}
[ $# -gt 0 ] && shift
SUITES=${*:-lint unit bpf netns systemd fuzz kernel}
SL_SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SL_SRC/tests/machine.sh"
pass=0 fail=0 skip=0 failed="" skipped=""
start=$(date +%s)
# checked before anything is created under it
[ -d "$B" ] || { echo "sluice tests: build directory '$B' does not exist (run make first)"; exit 2; }
# SLUICE_TEST_LOGS: elsewhere (the qemu guest's: its view of BUILD_DIR is
# the host's, where the host's suites write their logs meanwhile)
log_dir=${SLUICE_TEST_LOGS:-$B/test-logs}
mkdir -p "$log_dir" 2>/dev/null && [ -w "$log_dir" ] || log_dir=$(mktemp -d /tmp/sluice-test-logs.XXXXXX)

count_fail() { # NAME: count one failure
	fail=$((fail + 1))
	failed="$failed $1"
}

# skipped NAME REASON: a skip, or a failure when run as root for a reason
# that is not a true property of this machine
skipped() {
	if [ "$(id -u)" = 0 ]; then
		why=""
		case $2 in
		"machine: "*) machine_claim_true "${2#machine: }" || why="a claim about the machine that is not true here" ;;
		*) why="not a property of the machine" ;;
		esac
		if [ -n "$why" ]; then
			count_fail "$1(skip)"
			printf '  FAIL  %s skipped as root, %s: %s\n' "$1" "$why" "$2"
			return
		fi
	fi
	skip=$((skip + 1))
	skipped="$skipped $1"
	printf '  SKIP  %s: %s\n' "$1" "$2"
}

show_log() { grep -v "^fixture-row: PASS " "$1" | sed 's/^/        | /' | tail -n 40; }

# criterion NAME BINARY: every test and fixture row it ran
criterion() {
	log="$log_dir/$(echo "$1" | tr '/' '_').log"
	tap=$log.tap
	rm -f "$tap"
	t0=$(date +%s)
	"$2" --jobs 2 --verbose --tap="$tap" >"$log" 2>&1
	rc=$?
	dt=$(($(date +%s) - t0))
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" 2>/dev/null)
	ok=$(grep '^ok - ' "$tap" 2>/dev/null | grep -vc ' # SKIP ')
	bad=$(grep -c '^not ok - ' "$tap" 2>/dev/null)
	rows_ok=$(grep -c '^fixture-row: PASS ' "$log")
	rows_bad=$(grep -c '^fixture-row: FAIL ' "$log")
	nskip=$(grep '^ok - .* # SKIP ' "$tap" 2>/dev/null | grep -c .)
	pass=$((pass + ok + rows_ok))
	[ -n "$plan" ] && [ "$plan" = $((ok + bad + nskip)) ] && [ "$rc$bad$rows_bad" = 000 ] && verdict=PASS || verdict=FAIL
	printf '  %s  %-34s %3s tests, %4s rows %4ss\n' $verdict "$1" "$((ok + bad + nskip))" \
		"$((rows_ok + rows_bad))" "$dt"
	grep '^not ok - ' "$tap" 2>/dev/null | while read -r _ _ _ test _; do echo "        failed: $test"; done
	for test in $(grep '^not ok - ' "$tap" 2>/dev/null | awk '{ print $4 }'); do count_fail "$1:$test"; done
	grep '^fixture-row: FAIL ' "$log" | sed 's/^fixture-row: FAIL /        failed row: /'
	[ "$rows_bad" = 0 ] || { fail=$((fail + rows_bad)); failed="$failed $1(${rows_bad}rows)"; }
	grep '^ok - .* # SKIP ' "$tap" 2>/dev/null | sed 's/^ok - \([^ ]*\) .* # SKIP /\1 /' >"$log.skips"
	while read -r test reason; do skipped "$1:$test" "$reason"; done <"$log.skips"
	# what the report cannot show: a binary that died, or one that lost tests
	if [ -z "$plan" ] || [ "$plan" != $((ok + bad + nskip)) ]; then
		count_fail "$1(incomplete)"
		echo "        the TAP report lists $((ok + bad + nskip)) of ${plan:-?} tests (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$bad$rows_bad" = 00 ]; then
		count_fail "$1(exit-$rc)"
		echo "        exit $rc with no failing test"
	fi
	[ $verdict = PASS ] || show_log "$log"
}

# shell NAME command...: one test, its exit code the verdict
shell() {
	name=$1
	shift
	log="$log_dir/$(echo "$name" | tr '/' '_').log"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	dt=$(($(date +%s) - t0))
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS  %-40s %3ss\n' "$name" "$dt" ;;
	77) skipped "$name" "$(tail -n 1 "$log" | sed 's/^SKIP: //')" ;;
	*) count_fail "$name"
	   printf '  FAIL  %-40s %3ss (exit %s)\n' "$name" "$dt" "$rc"
	   show_log "$log" ;;
	esac
}

# Namespaces and pins named by tests/netns/lib.sh ("sl<pid>-*",
# "sluice-test-sl<pid>-*"), one per line, sorted.
live_objects() {
	{ ip netns list 2>/dev/null | awk '$1 ~ /^sl[0-9]+-/ { print "namespace " $1 }'
	  ls -d /sys/fs/bpf/sluice-test-* 2>/dev/null | sed 's/^/pin root /'; } | sort
}

# What a test left behind: objects that are new since `before` and whose
# creator (the pid in the name) has exited. Objects of a concurrent run
# that is still going are its runner's business, not this test's.
leftovers() { # BEFORE (live_objects' output)
	live_objects | BEFORE=$1 awk 'BEGIN { n = split(ENVIRON["BEFORE"], b, "\n"); for (i = 1; i <= n; i++) old[b[i]] = 1 }
		!($0 in old)' | while read -r kind obj; do
		pid=$(echo "$obj" | sed -n 's/.*sl\([0-9][0-9]*\)-.*/\1/p')
		[ -n "$pid" ] && [ -d "/proc/$pid" ] && continue
		printf '%s %s ' "$kind" "$obj"
	done
}

no_tests() { # SUITE WHERE
	count_fail "$1(none)"
	echo "  FAIL  $1: no tests found in $2 (not built? make check-${1%%/*} builds them)"
}

# picked FILE: a test this run asked for (its whole suite, or it by name)
picked() { [ -z "$only" ] || [ "$(basename "$1" | sed 's/\.[a-z]*$//')" = "$only" ]; }

# kernel_launch: the guest's run of tests/kernel/subset, in the background
# (kpid; kversion, kout, kt0 for its report), or kdeps_failed
kpid="" kdeps_failed="" koverlap=""
kernel_launch() {
	kdir=$(sh "$SL_SRC/mk/kernel_deps.sh" 2>"$log_dir/kernel-deps.log") || { kdeps_failed=1; return; }
	kversion=$(basename "$kdir")
	kout=$log_dir/kernel-$kversion
	rm -rf "$kout"
	kt0=$(date +%s)
	# beside the other suites it may take longer than run.sh's 900 s
	# shellcheck disable=SC2046 # the list
	(cd "$SL_SRC" && SLUICE_KERNEL_TIMEOUT=${SLUICE_KERNEL_TIMEOUT:-${1:+1500}} &&
		export SLUICE_KERNEL_TIMEOUT && exec nice -n "${1:-0}" sh tests/kernel/guest.sh "$B" "$kversion" "$kout" \
		$(sed 's/#.*//' tests/kernel/subset)) >"$kout.log" 2>&1 &
	kpid=$!
}
# an interrupted run takes its guest with it (run.sh's trap stops qemu)
trap '[ -z "$kpid" ] || kill "$kpid" 2>/dev/null; exit 130' INT TERM HUP
case " $SUITES " in
*" kernel "*)
	if [ "${SLUICE_KERNEL_OVERLAP:-1}" != 0 ] && [ "$(echo $SUITES)" != kernel ]; then
		koverlap=1
		kernel_launch 19
	fi ;;
esac

for suite in $SUITES; do
	only=""
	case $suite in */*) only=${suite#*/} suite=${suite%%/*} ;; esac
	echo "== $suite${only:+ ($only)}"
	found=0
	case $suite in
	unit|bpf)
		for t in "$B"/tests/"$suite"/test_*; do
			picked "$t" || continue
			[ -x "$t" ] || continue
			found=$((found + 1))
			criterion "$suite/$(basename "$t")" "$t"
		done
		[ $found -gt 0 ] || no_tests "$suite${only:+/$only}" "$B/tests/$suite" ;;
	lint)
		for t in "$SL_SRC"/tests/lint/check_*.sh; do
			picked "$t" || continue
			[ -f "$t" ] || continue
			found=$((found + 1))
			shell "lint/$(basename "$t" .sh)" sh "$t"
		done
		[ $found -gt 0 ] || no_tests "$suite${only:+/$only}" "tests/lint" ;;
	netns|systemd)
		for t in tests/"$suite"/test_*.sh; do
			picked "$t" || continue
			[ -f "$t" ] || continue
			found=$((found + 1))
			before=$(live_objects) # in memory: runs may share the log directory
			shell "$suite/$(basename "$t" .sh)" env SLUICE_BUILD="$B" sh "$t"
			left=$(leftovers "$before")
			if [ -n "$left" ]; then
				count_fail "$(basename "$t" .sh)(left-behind)"
				echo "  FAIL  left behind by $(basename "$t" .sh): $left"
			fi
		done
		[ $found -gt 0 ] || no_tests "$suite${only:+/$only}" "tests/$suite (run from the source tree)" ;;
	fuzz) # each libFuzzer target for a bounded time (SLUICE_FUZZ_SECONDS, default 10)
		for t in "$SL_SRC"/tests/fuzz/fuzz_*.c; do
			picked "$t" || continue
			[ -f "$t" ] || continue
			found=$((found + 1))
			t=$(basename "$t" .c)
			shell "fuzz/$t" sh "$SL_SRC/tests/fuzz/run.sh" "$B" "${SLUICE_FUZZ_SECONDS:-10}" "$t"
			sed -n 's/^fuzz /        /p' "$log_dir/fuzz_$t.log"
		done
		[ $found -gt 0 ] || no_tests "$suite${only:+/$only}" "tests/fuzz" ;;
	kernel) # tests/kernel/subset inside Debian 12's own kernel under qemu:
		# the guest's tests count one by one, named after the kernel
		found=1
		[ -n "$kpid" ] || kernel_launch
		[ -z "$kdeps_failed" ] ||
			{ count_fail "kernel(deps)"; echo "  FAIL  kernel: $(tail -n 1 "$log_dir/kernel-deps.log")"; continue; }
		wait "$kpid"
		rc=$?
		kpid=""
		version=$kversion out=$kout t0=$kt0
		sed -n "s/^  \(PASS\|FAIL\|SKIP\)  /  \1  $version: /p; /^        /p" "$out.log"
		counts=$(sed -n 's/^sluice tests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' "$out.log" | tail -n 1)
		if [ -z "$counts" ]; then
			count_fail "kernel/$version(exit-$rc)"
			echo "  FAIL  kernel $version: the guest's tests did not run to their end (exit $rc)"
			tail -n 20 "$out.log" | sed 's/^/        | /'
			continue
		fi
		set -- $counts
		pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
		for t in $(sed -n 's/^sluice tests: .*(failed: \([^)]*\)).*/\1/p' "$out.log"); do failed="$failed $version:$t"; done
		for t in $(sed -n 's/^sluice tests: .*(skipped: \([^)]*\)).*/\1/p' "$out.log"); do skipped="$skipped $version:$t"; done
		waited=$(sed -n 's/^run.sh: waited \([0-9]*\) s for the guest lock$/\1/p' "$out.log" | tail -n 1)
		echo "  kernel $version: $1 passed, $2 failed, $3 skipped in $(($(date +%s) - t0))s${koverlap:+ (beside the suites before it)}${waited:+, ${waited}s of it waiting for another guest (lock)} (logs: $out)" ;;
	*) echo "unknown suite $suite"; exit 2 ;;
	esac
done

echo "sluice tests: $pass passed, $fail failed, $skip skipped in $(($(date +%s) - start))s${failed:+ (failed:$failed)}${skipped:+ (skipped:$skipped)}"
[ "$fail" -eq 0 ]
