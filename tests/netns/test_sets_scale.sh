# A million entries: `set restore` of 1,000,000 hash:ip lines (ipset save
# format) reports progress, ends with every entry in the map (bpftool's
# count, not sluice's) and the same count the kernel's ipset gets from the
# same file; memory is reported; the full set refuses one more and keeps
# the rest; a restore that would overflow it changes nothing; the set
# still drops on real traffic.
. "$(dirname "$0")/lib.sh"
require ipset bpftool

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
big=$T_TMP/big.txt
# 10.0.0.0 .. 10.15.66.63 plus the sender, 10.99.0.1: 1,000,000 entries
awk 'BEGIN { print "create big hash:ip family inet hashsize 1048576 maxelem 1000000"
	for (i = 0; i < 999999; i++)
		printf "add big 10.%d.%d.%d\n", int(i / 65536), int(i / 256) % 256, i % 256
	print "add big 10.99.0.1" }' >"$big"

# the entries bpftool dumps (one "key" each; jq over a million is slow)
map_count() { bpftool map dump pinned "$1" | grep -c '"key":'; }

note "restore a million entries"
t0=$(now_ms)
ctl d set restore <"$big" >"$T_TMP/restore.out" 2>"$T_TMP/restore.err" || fail "restore: $(cat "$T_TMP/restore.err")"
t1=$(now_ms)
note "restored in $((t1 - t0)) ms"
assert_eq 10 "$(grep -c 'set restore: [0-9]* lines' "$T_TMP/restore.err")" "progress lines"
pin=$(pin_root d)/$(ctl d -j set list -terse big | jq -r '.sets[0].pin')
assert_eq 1000000 "$(bpftool map show pinned "$pin" -j | jq .max_entries)" "max_entries is maxelem"
assert_eq 1000000 "$(ctl d -j set list -terse big | jq '.sets[0].entries')" "entries sluice counts"
assert_eq 1000000 "$(map_count "$pin")" "entries bpftool counts"
ip netns exec "$b" ipset restore <"$big" || fail "ipset restore"
assert_eq 1000000 "$(ip netns exec "$b" ipset list -terse big | awk '/^Number of entries/ { print $4 }')" \
	"entries the kernel's ipset counts"
mem=$(ctl d -j set list -terse big | jq '.sets[0].memory')
[ "$mem" -gt 1000000 ] || fail "memory reported: $mem"
note "memory: sluice $mem bytes, ipset $(ip netns exec "$b" ipset list -terse big | awk '/^Size in memory/ { print $4 }')"

note "full: one more is refused, the rest stays, updates still work"
expect_exit 4 ctl d set add big 10.200.0.1
grep -q "full" "$T_TMP/out" || fail "no word of the set being full: $(cat "$T_TMP/out")"
ctl d set add -exist big 10.0.0.1 >/dev/null || fail "updating an entry of the full set"
printf 'add big 10.200.0.1\nadd big 10.200.0.2\n' >"$T_TMP/more.txt"
expect_exit 4 ctl d set restore <"$T_TMP/more.txt"
grep -q "nothing was changed" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
assert_eq 1000000 "$(map_count "$pin")" "entries after the refused restore"
expect_exit 1 ctl d set test big 10.200.0.1

note "the million-entry set drops on real traffic"
ctl d rule add dev vb netns "$b" ingress match-set big src action drop >/dev/null || fail "rule"
ip netns exec "$b" ipset destroy big
n0=$(snmp "$b" Udp NoPorts)
ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --count 1000 >/dev/null || fail "send"
assert_eq "$n0" "$(snmp "$b" Udp NoPorts)" "datagrams that reached b"
assert_eq 1000 "$(ctl d -j rule list | jq '.rules[0].packets')" "rule counter"
