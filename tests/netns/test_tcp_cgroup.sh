#!/bin/sh
# tcp add … cgroup PATH: the program is attached to each cgroup the rules
# name (and to the root for rules without one); a socket matches the rules
# of its cgroup and its ancestors', first by prio, whichever program the
# kernel runs first; sockets of other cgroups never match; a missing cgroup
# is a usage error that changes nothing.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/tcp_lib.sh"

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG2" ] || fail "no cgroup2 mount"
TOP=/sluice-test-$T_ID
mkdir -p "$CG2$TOP/a/b" "$CG2$TOP/c" || fail "mkdir cgroups under $CG2"
trap 't_cleanup; rmdir "$CG2$TOP/a/b" "$CG2$TOP/a" "$CG2$TOP/c" "$CG2$TOP"' EXIT

tcp_pair a b 74
A=$a B=$b

# conn_from CGROUP: a connection from A to B whose client runs in CGROUP
conn_from() {
	tcp_port=$((tcp_port + 1))
	rm -f "$T_TMP/tcp.ready"
	ip netns exec "$B" $PY "$PROBE" serve 10.74.0.2 $tcp_port "$T_TMP/tcp.ready" >/dev/null &
	srv=$!
	while [ ! -s "$T_TMP/tcp.ready" ]; do kill -0 $srv 2>/dev/null || fail "serve"; sleep 0.02; done
	out=$(sh -c 'echo $$ > "$1/cgroup.procs" && exec ip netns exec "$2" "$3" "$4" connect 10.74.0.2 "$5"' \
		- "$CG2$1" "$A" $PY "$PROBE" $tcp_port) || fail "connect from cgroup $1"
	wait $srv || fail "serve"
	tcp_val "$out" cwnd
}

daemon_start d
ctl d tcp add netns "$A" initcwnd 5 || fail "tcp add (any cgroup)"
ctl d tcp add netns "$A" cgroup "$TOP/a" prio 50 initcwnd 7 || fail "tcp add (cgroup a)"
ctl d tcp add netns "$A" cgroup "$TOP/a/b/" prio 200 initcwnd 9 || fail "tcp add (cgroup a/b)"
assert_eq "/ $TOP/a $TOP/a/b" "$(ctl d -j status | jq -r '[.features[] | select(.name == "tcp") | .links[].attach | sub("^cgroup "; "")] | sort | join(" ")')" \
	"status: three programs, on the root, a and a/b"

assert_eq 5 "$(conn_from /)" "a socket in the root cgroup: the rule without cgroup"
assert_eq 5 "$(conn_from "$TOP/c")" "in c (no rule of its own): the rule without cgroup"
assert_eq 7 "$(conn_from "$TOP/a")" "in a: a's rule (prio 50) before the root's (100)"
assert_eq 7 "$(conn_from "$TOP/a/b")" "in a/b: a's rule (prio 50) still first; b's (200) after the root's"
list=$(ctl d -j tcp list)
assert_eq "2 0" "$(echo "$list" | jq -r --arg c "$TOP/a" '.[] | select(.cgroup == $c) | "\(.active) \(.passive)"')" \
	"a's rule counted each of its two connections once"
assert_eq 2 "$(echo "$list" | jq -r '.[] | select(.cgroup == "/") | .active')" "the root's rule: two"
assert_eq 0 "$(echo "$list" | jq -r --arg c "$TOP/a/b" '.[] | select(.cgroup == $c) | .active')" "b's rule: none"

ctl d tcp del netns "$A" cgroup "$TOP/a" || fail "tcp del (cgroup a)"
assert_eq 5 "$(conn_from "$TOP/a/b")" "a's rule gone: in a/b the root's (100) before b's (200)"
assert_eq 5 "$(conn_from "$TOP/a")" "in a: the root's"
ctl d tcp del netns "$A" cgroup "$TOP/a/b" || fail "tcp del (cgroup a/b)"
ctl d tcp add netns "$A" cgroup "$TOP/a/b" prio 10 initcwnd 9 || fail "tcp add (cgroup a/b, prio 10)"
assert_eq 9 "$(conn_from "$TOP/a/b")" "in a/b: b's rule at prio 10"
ctl d tcp del netns "$A" || fail "tcp del (any cgroup)"
assert_eq 10 "$(conn_from "$TOP/a")" "in a, with only b's rule: the kernel's"
assert_eq 10 "$(conn_from /)" "in the root, with only b's rule: the kernel's"
assert_eq 9 "$(conn_from "$TOP/a/b")" "in a/b, with b's program alone"
assert_eq 1 "$(ls "$(pin_root d)/links" | grep -c '^sl_tcp_cg_')" "one program left, on a/b"

before=$(ctl d save)
ctl d tcp add netns "$A" cgroup "$TOP/nosuch" initcwnd 3 2>"$T_TMP/err"
assert_eq 2 $? "a missing cgroup ($(cat "$T_TMP/err"))"
ctl d tcp add netns "$A" cgroup "$TOP/../x" initcwnd 3 2>"$T_TMP/err"
assert_eq 2 $? "a path with .. ($(cat "$T_TMP/err"))"
assert_eq "$before" "$(ctl d save)" "refused commands changed nothing"
echo PASS
