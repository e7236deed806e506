#!/bin/sh
# Run the test suites and end with one summary line.
#   sh tests/run.sh BUILD_DIR [unit|bpf|netns|systemd]...
# Criterion binaries pass or fail as a whole; shell tests exit 0 (pass),
# 77 (skipped, with the reason on their output) or anything else (fail).
# A suite with nothing to run fails: a missing build is not a pass.
B=${1:-build}
[ $# -gt 0 ] && shift
SUITES=${*:-unit bpf netns systemd}
pass=0 fail=0 skip=0 failed=""
start=$(date +%s)
# checked before anything is created under it
[ -d "$B" ] || { echo "sluice tests: build directory '$B' does not exist (run make first)"; exit 2; }
log_dir=$B/test-logs
mkdir -p "$log_dir" 2>/dev/null && [ -w "$log_dir" ] || log_dir=$(mktemp -d /tmp/sluice-test-logs.XXXXXX)

run() { # name command...
	name=$1
	shift
	log="$log_dir/$(echo "$name" | tr '/' '_').log"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	dt=$(($(date +%s) - t0))
	# a Criterion binary whose every test skipped (e.g. no root) is a skip
	if [ $rc = 0 ] && grep -q 'Synthesis: Tested: 0 ' "$log"; then
		rc=77
		echo "every test skipped: $(grep -m1 -io 'needs [^.]*' "$log" || echo 'see log')" >>"$log"
	fi
	case $rc in
	0) pass=$((pass + 1)); printf '  PASS  %-40s %3ss\n' "$name" "$dt" ;;
	77) skip=$((skip + 1)); printf '  SKIP  %-40s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*) fail=$((fail + 1)); failed="$failed $name"
	   printf '  FAIL  %-40s %3ss (exit %s)\n' "$name" "$dt" "$rc"
	   sed 's/^/        | /' "$log" | tail -n 40 ;;
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
	fail=$((fail + 1)); failed="$failed $1(none)"
	echo "  FAIL  $1: no tests found in $2 (not built? make check-$1 builds them)"
}

for suite in $SUITES; do
	echo "== $suite"
	found=0
	case $suite in
	unit|bpf)
		for t in "$B"/tests/"$suite"/test_*; do
			[ -x "$t" ] || continue
			found=$((found + 1))
			run "$suite/$(basename "$t")" "$t" --jobs 2 --verbose
		done
		[ $found -gt 0 ] || no_tests "$suite" "$B/tests/$suite" ;;
	netns|systemd)
		for t in tests/"$suite"/test_*.sh; do
			[ -f "$t" ] || continue
			found=$((found + 1))
			before=$(live_objects) # in memory: runs may share the log directory
			run "$suite/$(basename "$t" .sh)" env SLUICE_BUILD="$B" sh "$t"
			left=$(leftovers "$before")
			if [ -n "$left" ]; then
				fail=$((fail + 1)); failed="$failed $(basename "$t" .sh)(left-behind)"
				echo "  FAIL  left behind by $(basename "$t" .sh): $left"
			fi
		done
		[ $found -gt 0 ] || no_tests "$suite" "tests/$suite (run from the source tree)" ;;
	*) echo "unknown suite $suite"; exit 2 ;;
	esac
done

echo "sluice tests: $pass passed, $fail failed, $skip skipped in $(($(date +%s) - start))s${failed:+ (failed:$failed)}"
[ "$fail" -eq 0 ]
