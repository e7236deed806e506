# A million entries, in each layout: `set restore` of 1,000,000 hash:ip
# lines (ipset save format) into a plain set (its bucket table) and into
# one with counters (a BPF hash) reports progress, ends with every entry in
# the map (bpftool's count, not sluice's) and the same count the kernel's
# ipset gets from the same file; memory is reported (the plain table's is
# within 2x of ipset's); the full set refuses one more and keeps the rest;
# a restore that would overflow it changes nothing; the set still drops on
# real traffic.
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

# the entries bpftool dumps (jq over a million is slow): a hash map's
# "key" lines, a bucket table's used bits
map_count() {
	if [ "$(bpftool -j map show pinned "$1" | jq -r .type)" = array ]; then
		bpftool map dump pinned "$1" |
			awk -F': ' '/"used":/ { u = $2 + 0; while (u) { n += u % 2; u = int(u / 2) } } END { print n + 0 }'
	else
		bpftool map dump pinned "$1" | grep -c '"key":'
	fi
}
ip netns exec "$b" ipset restore <"$big" || fail "ipset restore"
assert_eq 1000000 "$(ip netns exec "$b" ipset list -terse big | awk '/^Number of entries/ { print $4 }')" \
	"entries the kernel's ipset counts"
imem=$(ip netns exec "$b" ipset list -terse big | awk '/^Size in memory/ { print $4 }')
ip netns exec "$b" ipset destroy big

for opts in counters ""; do
	layout=${opts:-plain}
	note "$layout: restore a million entries"
	sed "1s/\$/ $opts/" "$big" >"$T_TMP/in"
	t0=$(now_ms)
	ctl d set restore <"$T_TMP/in" >"$T_TMP/restore.out" 2>"$T_TMP/restore.err" ||
		fail "restore: $(cat "$T_TMP/restore.err")"
	t1=$(now_ms)
	note "$layout: restored in $((t1 - t0)) ms"
	assert_eq 10 "$(grep -c 'set restore: [0-9]* lines' "$T_TMP/restore.err")" "progress lines"
	pin=$(pin_root d)/$(ctl d -j set list -terse big | jq -r '.sets[0].pin')
	bpftool map show pinned "$pin" -j >"$T_TMP/map.json"
	if [ -z "$opts" ]; then
		# buckets of 30 addresses, filled to at most 3/4 at maxelem
		[ "$(jq '.type == "array" and .max_entries * 30 * 3 >= 4 * 1000000' "$T_TMP/map.json")" = true ] ||
			fail "a plain set's map is not a bucket table for maxelem: $(cat "$T_TMP/map.json")"
	else
		assert_eq 1000000 "$(jq .max_entries "$T_TMP/map.json")" "max_entries is maxelem"
	fi
	assert_eq 1000000 "$(ctl d -j set list -terse big | jq '.sets[0].entries')" "entries sluice counts"
	assert_eq 1000000 "$(map_count "$pin")" "entries bpftool counts"
	mem=$(ctl d -j set list -terse big | jq '.sets[0].memory')
	[ "$mem" -gt 1000000 ] || fail "memory reported: $mem"
	assert_eq "$(jq .bytes_memlock "$T_TMP/map.json")" "$mem" "memory: what the kernel reports for the map"
	note "$layout: memory: sluice $mem bytes, ipset $imem"
	[ -n "$opts" ] || [ "$mem" -le $((2 * imem)) ] || fail "a plain set takes more than twice ipset's memory"

	note "$layout: full: one more is refused, the rest stays, updates still work"
	expect_exit 1 ctl d set add big 10.200.0.1
	grep -q "full" "$T_TMP/out" || fail "no word of the set being full: $(cat "$T_TMP/out")"
	ctl d set add -exist big 10.0.0.1 >/dev/null || fail "updating an entry of the full set"
	printf 'add big 10.200.0.1\nadd big 10.200.0.2\n' >"$T_TMP/more.txt"
	expect_exit 1 ctl d set restore <"$T_TMP/more.txt"
	grep -q "Error in line" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
	assert_eq 1000000 "$(map_count "$pin")" "entries after the refused restore"
	expect_exit 1 ctl d set test big 10.200.0.1
	[ -z "$opts" ] && break # the plain set stays for the traffic
	ctl d set destroy big >/dev/null || fail "destroy the $layout set"
done

note "the million-entry set drops on real traffic"
ctl d rule add dev vb netns "$b" ingress match-set big src action drop >/dev/null || fail "rule"
n0=$(snmp "$b" Udp NoPorts)
ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --count 1000 >/dev/null || fail "send"
assert_eq "$n0" "$(snmp "$b" Udp NoPorts)" "datagrams that reached b"
assert_eq 1000 "$(ctl d -j rule list | jq '.rules[0].packets')" "rule counter"
