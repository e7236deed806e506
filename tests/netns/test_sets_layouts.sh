# The two layouts of a set: a set created without timeout, counters and
# comment is plain (a bucket table, or for hash:net* an LPM trie of nomatch
# flags), any other keeps a value per entry. Both drop on real traffic,
# list their map's memory as the kernel reports it, save and restore, and
# are adopted by a restarted daemon. A swap between layouts is refused
# with ipset's "their type does not match" (at run time and in a config),
# and changes nothing; a swap within a layout still works. A set left by an
# earlier daemon in the layout with values, though plain by its options
# (emulated: a set with counters whose record is rewritten without them),
# keeps working in that layout, refuses a swap with a plain set, and is
# rebuilt plain by a restore that writes it.
. "$(dirname "$0")/lib.sh"
require bpftool

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
root=$(pin_root d)

# send N from the blocked source 10.99.0.1 to a closed port; prints how
# many reached b (its NoPorts)
sent_through() {
	n0=$(snmp "$b" Udp NoPorts)
	ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --count "$1" >/dev/null || fail "send"
	echo $(($(snmp "$b" Udp NoPorts) - n0))
}
map_of() { echo "$root/$(ctl d -j set list -terse "$1" | jq -r '.sets[0].pin')"; }
map_type() { bpftool -j map show pinned "$(map_of "$1")" | jq -r .type; }

note "plain and with values, side by side"
ctl d set create plain hash:ip >/dev/null || fail "create plain"
ctl d set create valued hash:ip counters >/dev/null || fail "create valued"
ctl d set create nets hash:net >/dev/null || fail "create nets"
assert_eq array "$(map_type plain)" "a plain hash:ip's map"
assert_eq hash "$(map_type valued)" "a hash:ip with counters' map"
assert_eq lpm_trie "$(map_type nets)" "a plain hash:net's map"
assert_eq 2 "$(bpftool -j map show pinned "$(map_of nets)" | jq .bytes_value)" "a plain hash:net's value size"
for s in plain valued; do
	ctl d set add "$s" 10.99.0.1 >/dev/null || fail "add to $s"
	ctl d set add "$s" 192.0.2.0/30 >/dev/null || fail "add a range to $s"
	expect_exit 1 ctl d set add "$s" 10.99.0.1
	ctl d set add -exist "$s" 10.99.0.1 >/dev/null || fail "-exist on $s"
	ctl d set del "$s" 192.0.2.3 >/dev/null || fail "del from $s"
	ctl d set test "$s" 192.0.2.2 >/dev/null || fail "test $s"
	expect_exit 1 ctl d set test "$s" 192.0.2.3
	assert_eq 4 "$(ctl d -j set list -terse "$s" | jq '.sets[0].entries')" "$s: entries"
	mem=$(ctl d -j set list -terse "$s" | jq '.sets[0].memory')
	assert_eq "$(bpftool -j map show pinned "$(map_of "$s")" | jq .bytes_memlock)" "$mem" \
		"$s: its memory is what the kernel reports for its map"
done
ctl d set list plain >"$T_TMP/list" || fail "list"
grep -q "^Size in memory: [0-9]" "$T_TMP/list" || fail "no size line: $(cat "$T_TMP/list")"
ctl d set add nets 10.99.0.0/24 >/dev/null && ctl d set add nets 10.99.0.1/32 nomatch >/dev/null || fail "nets"
ctl d set test nets 10.99.0.2 >/dev/null || fail "a host in a plain net"
expect_exit 1 ctl d set test nets 10.99.0.1 # the nomatch exception

note "the dataplane: each drops what it holds"
for s in plain valued; do
	ctl d rule add dev vb netns "$b" ingress match-set "$s" src action drop >/dev/null || fail "rule on $s"
	assert_eq 0 "$(sent_through 200)" "$s: datagrams from its member that got through"
	ctl d rule del dev vb netns "$b" ingress match-set "$s" src action drop >/dev/null || fail "rule del"
done
ctl d rule add dev vb netns "$b" ingress match-set nets src action drop >/dev/null || fail "rule on nets"
assert_eq 200 "$(sent_through 200)" "nets: the nomatch host's datagrams that got through"
ctl d set del nets 10.99.0.1/32 >/dev/null || fail "del the exception"
assert_eq 0 "$(sent_through 200)" "nets, without the exception: through"
ctl d rule del dev vb netns "$b" ingress match-set nets src action drop >/dev/null || fail "rule del"

note "a swap between layouts is refused and changes nothing; within one it works"
ctl d rule add dev vb netns "$b" ingress match-set plain src action drop >/dev/null || fail "rule on plain"
expect_exit 1 ctl d set swap plain valued
grep -qi "the sets cannot be swapped: their type does not match" "$T_TMP/out" || fail "not ipset's words"
grep -q "plain" "$T_TMP/out" || fail "the message does not say which layouts: $(cat "$T_TMP/out")"
assert_eq 0 "$(sent_through 100)" "after the refused swap, plain still drops"
ctl d set create plain2 hash:ip >/dev/null || fail "create plain2"
ctl d set swap plain plain2 >/dev/null || fail "a swap of two plain sets"
assert_eq 100 "$(sent_through 100)" "after swapping an empty plain set in: through"
ctl d set swap plain plain2 >/dev/null || fail "and back"
assert_eq 0 "$(sent_through 100)" "swapped back: through"
printf '%s\n' "set create x hash:ip" "set create y hash:ip timeout 5" "set swap x y" >"$T_TMP/swap.conf"
expect_exit 2 "$SLUICED" --check-config --config "$T_TMP/swap.conf"
grep -q "differ in type" "$T_TMP/out" || fail "a config's swap between layouts: $(cat "$T_TMP/out")"

note "save, restore, flush and a restart keep both layouts"
ctl d set save >"$T_TMP/save.txt" || fail "save"
grep -qx "create plain hash:ip family inet hashsize 1024 maxelem 65536" "$T_TMP/save.txt" ||
	fail "plain's create line: $(grep plain "$T_TMP/save.txt")"
{ echo "create copy hash:ip"; grep "^add plain " "$T_TMP/save.txt" | sed 's/^add plain /add copy /'; } |
	ctl d set restore >/dev/null 2>&1 || fail "restore into a new plain set"
assert_eq "$(grep -c '^add plain ' "$T_TMP/save.txt")" "$(ctl d -j set list -terse copy | jq '.sets[0].entries')" \
	"the restored copy's entries"
ctl d set flush copy >/dev/null || fail "flush"
assert_eq 0 "$(ctl d -j set list -terse copy | jq '.sets[0].entries')" "entries after a flush"
ctl d set add copy 10.99.0.7 >/dev/null || fail "add after a flush"
daemon_stop d
daemon_start d
assert_eq array "$(map_type plain)" "plain's map after a restart"
assert_eq 0 "$(sent_through 100)" "after a restart, plain still drops"
ctl d set test copy 10.99.0.7 >/dev/null || fail "the flushed set's entry after a restart"
ctl d set save >"$T_TMP/save2.txt" || fail "save"
cmp -s "$T_TMP/save.txt" "$(grep -v ' copy' "$T_TMP/save2.txt" >"$T_TMP/s2"; echo "$T_TMP/s2")" ||
	{ diff "$T_TMP/save.txt" "$T_TMP/s2"; fail "save differs after a restart"; }
ctl d rule del dev vb netns "$b" ingress match-set plain src action drop >/dev/null || fail "rule del"

note "a set of the earlier layout (values, though plain by its options)"
ctl d set create old hash:ip counters >/dev/null || fail "create old"
ctl d set add old 10.99.0.1 >/dev/null || fail "add to old"
daemon_stop d
# its record, in the committed bank: counters cleared from its flags
bank=$(bpftool -j map dump pinned "$root/maps/sl_setcfg_v2" | jq '.[0].formatted.value.committed_gen % 2')
row=$(bpftool -j map dump pinned "$root/maps/sl_sets_v3" | jq --argjson b "$bank" \
	'.[] | select((.formatted.key / 256 | floor) == $b and .formatted.value.name == "old" and .formatted.value.used == 1) | .formatted.key')
[ -n "$row" ] || fail "no record of set old"
key=$(printf '%08x' "$row" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4 \3 \2 \1/')
val=$(bpftool -j map lookup pinned "$root/maps/sl_sets_v3" key hex $key | jq -r '.value | map(ltrimstr("0x")) | join(" ")')
# flags: the __u32 at byte 36 (name[32], used, type, family, cls)
new=$(echo "$val" | awk '{ $37 = "00"; $38 = "00"; $39 = "00"; $40 = "00"; print }')
bpftool map update pinned "$root/maps/sl_sets_v3" key hex $key value hex $new || fail "rewrite the record"
daemon_start d
assert_eq hash "$(map_type old)" "the earlier layout's map, adopted"
grep -qx "create old hash:ip family inet hashsize 1024 maxelem 65536" "$(ctl d set save old >"$T_TMP/old"; echo "$T_TMP/old")" ||
	fail "old's create line: $(cat "$T_TMP/old")"
ctl d set test old 10.99.0.1 >/dev/null || fail "old's entry"
ctl d set add old 10.99.0.5 >/dev/null || fail "add to old"
ctl d rule add dev vb netns "$b" ingress match-set old src action drop >/dev/null || fail "rule on old"
assert_eq 0 "$(sent_through 100)" "old drops"
expect_exit 1 ctl d set swap old plain
grep -qi "their type does not match" "$T_TMP/out" || fail "old and plain swapped: $(cat "$T_TMP/out")"
printf 'add old 10.99.0.6\n' | ctl d set restore >/dev/null 2>&1 || fail "a restore that writes old"
assert_eq array "$(map_type old)" "old after a restore wrote it: plain"
assert_eq 3 "$(ctl d -j set list -terse old | jq '.sets[0].entries')" "old's entries, rebuilt"
assert_eq 0 "$(sent_through 100)" "old, rebuilt, drops"
ctl d set swap old plain >/dev/null || fail "old, now plain, swaps with plain"
