# A `set restore` that overflows a set's maxelem names the line that added
# the failing element (issue 17, finding 5), though adds are batched (4096
# entries per BPF batch update): a failure on an early line, in the middle
# (a batch flushed when full), on the last line, and in a batch flushed at
# the end of the input; and nothing is changed. In both layouts: a plain
# set (its bucket table built in memory) and one with counters.
. "$(dirname "$0")/lib.sh"

daemon_start d

# input MAXELEM NADDS [LAST]: a create and NADDS adds of distinct hosts (line
# k + 1 adds host k); LAST, if given, replaces the last add line
input() {
	echo "create s$1 hash:ip maxelem $1 $OPTS"
	awk -v n="$2" -v m="$1" 'BEGIN { for (k = 1; k <= n; k++) printf "add s%s 10.%d.%d.%d\n", m, int(k / 65536), int(k / 256) % 256, k % 256 }' |
		if [ -n "${3:-}" ]; then sed '$d'; echo "$3"; else cat; fi
}

# fails_at LINE MAXELEM NADDS [LAST]
fails_at() {
	input "$2" "$3" "${4:-}" >"$T_TMP/in"
	ctl d set restore <"$T_TMP/in" >"$T_TMP/out" 2>&1 && fail "a restore beyond maxelem $2 succeeded"
	grep -q "Error in line $1: Hash is full" "$T_TMP/out" || { cat "$T_TMP/out"; fail "the error does not name line $1"; }
	ctl d set list "s$2" >/dev/null 2>&1 && fail "set s$2 exists after the failed restore"
	note "ok: line $1 named, nothing changed"
}

for OPTS in "" counters; do
	note "${OPTS:-plain}: a range on the first add line is larger than the set"
	fails_at 2 1 1 "add s1 10.200.0.0/31"
	note "${OPTS:-plain}: the middle: entry 5001 of 9000 (line 5002) fails in a batch flushed when full (at line 8193)"
	fails_at 5002 5000 9000
	note "${OPTS:-plain}: the last line's element is one too many (a batch flushed at the end of the input)"
	fails_at 9001 8999 9000
	note "${OPTS:-plain}: a failing entry in a batch flushed at the end, lines before the last"
	fails_at 4602 4600 5000
done
