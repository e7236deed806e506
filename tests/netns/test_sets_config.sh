# Sets and rules as configuration: a config file's set and rule lines are
# checked whole (file:line:col), applied onto fresh maps, printed back by
# `sluicectl save` in a form that reproduces them; a restart on the same
# config keeps what changed at run time, a reload makes it the config's
# again, a config that fails while applying changes nothing. Also: XDP on
# a device without native XDP falls back to generic mode and says so, and
# expired entries are collected from the map in the background.
. "$(dirname "$0")/lib.sh"
require bpftool

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
ip -n "$b" link add dum0 type bridge
ip -n "$b" link set dum0 up
noports() { snmp "$b" Udp NoPorts; }
send() { ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --count "$1" >/dev/null || fail "send"; }
entries() { ctl d -j set list "$1" | jq '.sets[0].entries'; }

conf=$T_TMP/sluice.conf
cat >"$conf" <<CONF
# blocklist
set create blk hash:ip counters comment
set add blk 10.99.0.1 comment "the sender"
set add blk 192.0.2.0/30
set create nets hash:net
set add nets 198.51.100.0/24
set add nets 198.51.100.7 nomatch
set create fa hash:ip forceadd maxelem 1
set create sk hash:ip skbinfo
set add sk 10.0.0.1 skbmark 0x5/0xff skbprio 1:2 skbqueue 2
rule add dev vb netns $b ingress match-set blk src action drop
rule add dev dum0 netns $b ingress prio 7 match-set nets dst action count
CONF

note "--check-config reads set and rule lines"
"$SLUICED" --check-config --config "$conf" >"$T_TMP/out" 2>&1 || { cat "$T_TMP/out"; fail "valid config refused"; }
sed 's/^set add blk 192.0.2.0\/30$/set add blk 192.0.2.0\/33/' "$conf" >"$T_TMP/bad.conf"
expect_exit 2 "$SLUICED" --check-config --config "$T_TMP/bad.conf"
grep -q "bad.conf:4:" "$T_TMP/out" || fail "the error does not name line 4: $(cat "$T_TMP/out")"
printf 'set add nosuch 10.0.0.1\n' >"$T_TMP/bad2.conf"
expect_exit 2 "$SLUICED" --check-config --config "$T_TMP/bad2.conf"
grep -q "bad2.conf:1:9:" "$T_TMP/out" || fail "the error does not point at the set name: $(cat "$T_TMP/out")"

note "the config's sets and rules apply at start"
daemon_start d --config "$conf"
assert_eq 5 "$(entries blk)" "blk entries"
n0=$(noports)
send 100
assert_eq "$n0" "$(noports)" "the config's drop rule drops"
assert_eq xdp-generic "$(ctl d -j rule list | jq -r '.hooks[] | select(.dev == "dum0") | .mode')" \
	"a bridge has no native XDP: generic, and said"
assert_eq xdp "$(ctl d -j rule list | jq -r '.hooks[] | select(.dev == "vb") | .mode')" "veth: native"

note "save reproduces the state"
ctl d save >"$T_TMP/saved.conf"
grep -q '^rule add dev vb netns .* ingress prio 100 match-set blk src action drop$' "$T_TMP/saved.conf" ||
	fail "save lacks the rule: $(cat "$T_TMP/saved.conf")"
"$SLUICED" --pin-root "$(pin_root e)" --socket "$(sock_path e)" --config "$T_TMP/saved.conf" >"$T_TMP/out" 2>&1 &&
	fail "a second daemon attached to the same devices"
grep -q "busy" "$T_TMP/out" || fail "the refusal does not say the device is taken: $(cat "$T_TMP/out")"
"$SLUICED" --cleanup --pin-root "$(pin_root e)" >/dev/null
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null
daemon_start e --config "$T_TMP/saved.conf"
ctl e set save | sort >"$T_TMP/e.sets"
ctl e save >"$T_TMP/e.conf"
assert_eq "$(sort "$T_TMP/saved.conf" | grep -v '^#')" "$(sort "$T_TMP/e.conf" | grep -v '^#')" "save of the reloaded save"
grep -q 'add blk 10.99.0.1 packets 100 bytes' "$T_TMP/e.sets" || fail "counters did not come back: $(cat "$T_TMP/e.sets")"
# forceadd is no word of ipset's save, but the config must keep it
grep -q '^set create fa hash:ip .* forceadd$' "$T_TMP/saved.conf" || fail "save lacks forceadd: $(cat "$T_TMP/saved.conf")"
ctl e set add fa 10.0.0.1 && ctl e set add fa 10.0.0.2 || fail "the reloaded forceadd set refused an add when full"
assert_eq 1 "$(ctl e -j set list fa | jq '.sets[0].entries')" "forceadd keeps maxelem entries"
ctl e set test fa 10.0.0.2 2>/dev/null || fail "forceadd: the new element is not in"
grep -qx 'add sk 10.0.0.1 skbmark 0x5/0xff skbprio 1:2 skbqueue 2' "$T_TMP/e.sets" ||
	fail "skbinfo did not come back: $(cat "$T_TMP/e.sets")"
grep -q 'comment "the sender"' "$T_TMP/e.sets" || fail "the comment did not come back"
daemon_stop e
"$SLUICED" --cleanup --pin-root "$(pin_root e)" >/dev/null

note "a restart on the same config keeps run-time changes; a reload makes it the config's again"
daemon_start d --config "$conf"
ctl d set add blk 10.5.5.5 >/dev/null
ctl d set create extra hash:ip >/dev/null
daemon_stop d
daemon_start d --config "$conf"
assert_eq 6 "$(entries blk)" "run-time add kept across the restart"
ctl d set list extra >/dev/null || fail "run-time set kept across the restart"
ctl d reload >/dev/null || fail "reload"
assert_eq 5 "$(entries blk)" "the reload made blk the config's"
expect_exit 1 ctl d set list extra
n0=$(noports)
send 10
assert_eq "$n0" "$(noports)" "still dropping after the reload"

note "a config that fails while it is applied changes nothing"
link=$(ctl d -j rule list | jq '.hooks[] | select(.dev == "vb") | .link_id')
before=$(ctl d save)
{ cat "$conf"; echo "set add blk 10.99.0.1"; } >"$T_TMP/dup.conf"
cp "$T_TMP/dup.conf" "$conf"
expect_exit 2 ctl d reload
grep -q "already added" "$T_TMP/out" || fail "the reload error does not say why: $(cat "$T_TMP/out")"
assert_eq "$before" "$(ctl d save)" "state after the failed reload"
assert_eq "$link" "$(ctl d -j rule list | jq '.hooks[] | select(.dev == "vb") | .link_id')" "link kept"
send 10
assert_eq "$n0" "$(noports)" "still dropping after the failed reload"

note "expired entries are collected in the background"
ctl d set create tmo hash:ip timeout 1 >/dev/null
ctl d set add tmo 10.7.0.0/24 >/dev/null
slot=$(ctl d -j set list -terse tmo | jq -r '.sets[0].pin')
assert_eq 256 "$(bpftool -j map dump pinned "$(pin_root d)/$slot" | jq length)" "entries in the map"
for _ in $(seq 40); do
	[ "$(bpftool -j map dump pinned "$(pin_root d)/$slot" | jq length)" = 0 ] && break
	sleep 0.1
done
assert_eq 0 "$(bpftool -j map dump pinned "$(pin_root d)/$slot" | jq length)" "entries left 3 s after they expired"
