# Pins of another sluice layout, planted before the daemon starts: it
# refuses each with a message naming the pin and what differs, exits 1,
# creates nothing and leaves the planted pin as it was; --cleanup removes
# it. A good start gives the per-set and comment maps BTF (bpftool prints
# their fields by name), a plain set's bucket table too, and a plain set's
# record over a map of the other layout is refused alike.
. "$(dirname "$0")/lib.sh"
require bpftool timeout

root=$(pin_root d)
T_DAEMONS="$T_DAEMONS d" # the exit trap cleans its pin root up, whatever happens
HINT="(a pin of another sluice layout; run sluiced --cleanup or remove it)"
sets_conf=$T_TMP/sets.conf
printf '%s\n' 'set create blk hash:ip comment' 'set add blk 192.0.2.1 comment "first"' >"$sets_conf"
drops_conf=$T_TMP/drops.conf
echo "drops enable" >"$drops_conf"

# plant NAME bpftool-map-create-args...: a pinned map as an older build left it
plant() {
	name=$1
	shift
	mkdir -p "$root/maps"
	bpftool map create "$root/maps/$name" "$@" name "$name" || fail "bpftool map create $name"
}

map_field() { bpftool -j map show pinned "$root/maps/$1" | jq ".$2"; }

# refused CONFIG PIN MESSAGE WHAT: the daemon exits 1 with MESSAGE, nothing
# but PIN under the pin root, PIN the same map as before; --cleanup removes it
refused() {
	conf=$1 pin=$2 msg=$3 what=$4
	id=$(map_field "$pin" id)
	vsize=$(map_field "$pin" bytes_value)
	# a daemon that started anyway would serve until killed: 124 then
	timeout 10 "$SLUICED" --config "$conf" --pin-root "$root" --socket "$(sock_path d)" >"$T_TMP/out" 2>&1
	rc=$?
	cat "$T_TMP/out"
	assert_eq 1 "$rc" "$what: exit code"
	grep -qF "sluiced: error: cannot start: $msg" "$T_TMP/out" || fail "$what: no message '$msg'"
	note "ok: $what: '$msg'"
	assert_eq "$pin" "$(ls "$root/maps" | tr '\n' ' ' | sed 's/ $//')" "$what: maps under the pin root"
	assert_eq "$id" "$(map_field "$pin" id)" "$what: the planted pin's map"
	assert_eq "$vsize" "$(map_field "$pin" bytes_value)" "$what: the planted pin's value size"
	expect_exit 0 "$SLUICED" --cleanup --pin-root "$root"
	[ ! -e "$root" ] || fail "$what: --cleanup left $(ls -R "$root")"
	note "ok: $what: --cleanup removed it"
}

note "a shared map of the current name with another value size"
plant sl_sets_v3 type array key 4 value 72 entries 512
refused "$sets_conf" sl_sets_v3 "pin maps/sl_sets_v3: value size 72, this build expects 96 $HINT" \
	"sets meta map, 72-byte values"

note "the sets meta map before netmask and bitmask (sl_sets_v2, 72-byte records)"
plant sl_sets_v2 type array key 4 value 72 entries 512
refused "$sets_conf" sl_sets_v2 "pin maps/sl_sets_v2: this build uses maps/sl_sets_v3 instead $HINT" \
	"v2 sets meta map"

note "the sets meta map of the layout before the catalog banks (sl_sets_v1)"
plant sl_sets_v1 type array key 4 value 72 entries 256
refused "$sets_conf" sl_sets_v1 "pin maps/sl_sets_v1: this build uses maps/sl_sets_v3 instead $HINT" \
	"old sets meta map"

note "a per-set map of the unversioned layout (sl_set_<slot>)"
plant sl_set_3 type hash key 4 value 32 entries 16 flags 1
refused "$sets_conf" sl_set_3 "pin maps/sl_set_3: this build uses maps/sl_set_v1_<slot> instead $HINT" \
	"old per-set map"

note "a comment map of the unversioned layout (sl_setc_<slot>)"
plant sl_setc_0 type hash key 4 value 256 entries 16 flags 1
refused "$sets_conf" sl_setc_0 "pin maps/sl_setc_0: this build uses maps/sl_setc_v2_<slot> instead $HINT" \
	"old comment map"

note "a comment map of v1 (the comment alone, before skbinfo joined it)"
plant sl_setc_v1_0 type hash key 4 value 256 entries 16 flags 1
refused "$sets_conf" sl_setc_v1_0 "pin maps/sl_setc_v1_0: this build uses maps/sl_setc_v2_<slot> instead $HINT" \
	"v1 comment map"

note "a per-CPU counter map with another value size"
plant sl_drops_v1 type percpu_hash key 28 value 24 entries 16384
refused "$drops_conf" sl_drops_v1 "pin maps/sl_drops_v1: value size 24, this build expects 16 $HINT" \
	"per-CPU drop counters, 24-byte values"

note "an older version of a map that changed layout (sl_dcfg_v1 before sl_dcfg_v2)"
plant sl_dcfg_v1 type array key 4 value 24 entries 1
refused "$drops_conf" sl_dcfg_v1 "pin maps/sl_dcfg_v1: this build uses maps/sl_dcfg_v2 instead $HINT" \
	"old drops config map"

note "a good start: per-set and comment maps carry BTF"
daemon_start d --config "$sets_conf"
for m in sl_set_v1_0 sl_setc_v2_0; do
	btf=$(map_field "$m" btf_id)
	[ -n "$btf" ] && [ "$btf" != null ] && [ "$btf" -gt 0 ] || fail "$m has no BTF (btf_id $btf)"
	note "ok: $m: btf_id $btf"
done
bpftool map dump pinned "$root/maps/sl_set_v1_0" >"$T_TMP/set.dump"
grep -q '"expires_ns"' "$T_TMP/set.dump" && grep -q '"addr"' "$T_TMP/set.dump" ||
	{ cat "$T_TMP/set.dump"; fail "the set map's dump has no field names"; }
bpftool map dump pinned "$root/maps/sl_setc_v2_0" >"$T_TMP/cmt.dump"
grep -q '"text": "first"' "$T_TMP/cmt.dump" || { cat "$T_TMP/cmt.dump"; fail "the comment map's dump has no field names"; }
note "ok: bpftool prints both maps' fields by name"
daemon_stop d
note "a restart adopts the set maps of its own layout"
daemon_start d --config "$sets_conf"
assert_eq "first" "$(ctl d -j set list blk | jq -r '.sets[0].members[0].comment')" "the adopted set's comment"
daemon_stop d

note "a per-set map of this version's name with another value size, under a set record"
rm "$root/maps/sl_set_v1_0"
plant sl_set_v1_0 type hash key 4 value 16 entries 65536 flags 1
id=$(map_field sl_set_v1_0 id)
timeout 10 "$SLUICED" --config "$sets_conf" --pin-root "$root" --socket "$(sock_path d)" >"$T_TMP/out" 2>&1
rc=$?
cat "$T_TMP/out"
assert_eq 1 "$rc" "swapped set map: exit code"
grep -qF "pin maps/sl_set_v1_0: value size 16, this build expects 32 $HINT" "$T_TMP/out" ||
	fail "swapped set map: no message naming it"
assert_eq "$id" "$(map_field sl_set_v1_0 id)" "swapped set map: the planted pin's map"
expect_exit 0 "$SLUICED" --cleanup --pin-root "$root"
[ ! -e "$root" ] || fail "--cleanup left $(ls -R "$root")"

note "a plain set (no timeout, counters, comment): its bucket table carries BTF and is adopted"
plain_conf=$T_TMP/plain.conf
printf '%s\n' 'set create pl hash:ip' 'set add pl 192.0.2.1' >"$plain_conf"
daemon_start d --config "$plain_conf"
assert_eq '"array"' "$(map_field sl_set_v1_0 type)" "the plain set's map"
bpftool map dump pinned "$root/maps/sl_set_v1_0" >"$T_TMP/plain.dump"
grep -q '"used"' "$T_TMP/plain.dump" && grep -q '"nbuckets"' "$T_TMP/plain.dump" && grep -q '"addr"' "$T_TMP/plain.dump" ||
	{ head -c 2000 "$T_TMP/plain.dump"; fail "the bucket table's dump has no field names"; }
daemon_stop d
daemon_start d --config "$plain_conf"
ctl d set test pl 192.0.2.1 >/dev/null || fail "the adopted plain set lost its entry"
daemon_stop d

note "a plain set's record over a map of the other layout"
rm "$root/maps/sl_set_v1_0"
plant sl_set_v1_0 type hash key 4 value 32 entries 65536 flags 1
timeout 10 "$SLUICED" --config "$plain_conf" --pin-root "$root" --socket "$(sock_path d)" >"$T_TMP/out" 2>&1
rc=$?
cat "$T_TMP/out"
assert_eq 1 "$rc" "a plain record's map of the other layout: exit code"
grep -qF "pin maps/sl_set_v1_0: type hash, this build expects array; value size 32, this build expects 128; flags 0x1, this build expects 0x1000 $HINT" "$T_TMP/out" ||
	fail "a plain record's map of the other layout: no message naming it"
expect_exit 0 "$SLUICED" --cleanup --pin-root "$root"
[ ! -e "$root" ] || fail "--cleanup left $(ls -R "$root")"
