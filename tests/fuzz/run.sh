#!/bin/sh
# Run every libFuzzer target (make fuzz builds them in BUILD/fuzz) for a
# bounded time on its corpus in tests/fuzz/corpus/<target>/, which is read,
# never written: new inputs go to a scratch directory. Any crash, sanitizer
# report or leak fails; a crashing input is kept in BUILD/fuzz/crashes/.
#   sh tests/fuzz/run.sh BUILD [SECONDS_PER_TARGET [TARGET...]]
# Prints one summary line per target: runs, coverage (edges), corpus.
B=${1:-build}
SECS=${2:-${SLUICE_FUZZ_SECONDS:-10}}
[ $# -gt 2 ] && shift 2 || set --
dir=$(dirname "$0")
targets=$*
[ -n "$targets" ] || targets=$(ls "$dir"/fuzz_*.c | sed 's|.*/||; s|\.c$||')
crashes=$B/fuzz/crashes
mkdir -p "$crashes"
rc=0
found=0
for t in $targets; do
	rm -f "$crashes/$t-"* "$crashes/$t.log" # this run's findings only
	bin=$B/fuzz/$t
	[ -x "$bin" ] || { echo "FAIL: $bin is not built (make fuzz)"; rc=1; continue; }
	found=$((found + 1))
	scratch=$(mktemp -d "/tmp/sluice-fuzz-$t.XXXXXX")
	log=$scratch.log
	# a slow input on a busy 2-core machine is not a hang: 25 s before it counts as one
	"$bin" -max_total_time="$SECS" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -error_exitcode=1 \
		-artifact_prefix="$crashes/$t-" "$scratch" "$dir/corpus/$t" >"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	seed=$(sed -n 's/^INFO: Seed: *//p' "$log")
	cov=$(grep -a 'DONE\|INITED' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	corp=$(find "$scratch" -type f | wc -l)
	if [ "$st" = 0 ]; then
		echo "fuzz $t: ${runs:-?} runs in ${SECS}s (seed ${seed:-?}), ${cov:-?} edges covered, $corp new inputs: clean"
	else
		cp "$log" "$crashes/$t.log" # the whole report, and the seed to replay it with (-seed=N)
		echo "FAIL: fuzz $t exited $st after ${runs:-?} runs (seed ${seed:-?}); input and log kept in $crashes:"
		grep -a -A 30 'ERROR\|SUMMARY\|deadly' "$log" | head -n 60
		rc=1
	fi
	rm -rf "$scratch" "$log"
done
[ "$found" -gt 0 ] || { echo "FAIL: no fuzz targets in $dir"; rc=1; }
exit $rc
