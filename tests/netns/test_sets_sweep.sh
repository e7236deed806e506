# A daemon killed while it makes a set (SLUICE_FAULT=create:k, at each
# step of `set create` until one completes) can leave a slot that no set
# owns: the set's map pinned, maybe already in its outer map. The next
# start frees it: its pins go and its outer map's slot empties, so no map
# that no set owns stays reachable from the programs, and the slot serves
# the next set. The start looks only at slots with pins (a lookup in a map
# of maps costs an RCU grace period on 6.1, so probing all 6144 slots took
# minutes); this checks that the pins are enough to find every stray map.
. "$(dirname "$0")/lib.sh"
require bpftool jq

root=$(pin_root d)
# the occupied slots of every outer map, "MAP SLOT" per line
occupied() {
	for m in "$root"/maps/sl_sc_*_v1 "$root"/maps/sl_scp_*_v1; do
		bpftool -j map dump pinned "$m" | jq -r --arg m "$(basename "$m")" '.[] | "\($m) \(.key[0])"'
	done | sort
}
slot_pins() { ls "$root/maps" | grep -e '^sl_set_v1_' -e '^sl_setc_v2_' | sort | tr '\n' ' '; }

daemon_start d
ctl d set create keep hash:ip comment >/dev/null || fail "create keep"
clean_occupied=$(occupied)
clean_pins=$(slot_pins)
assert_eq 1 "$(echo "$clean_occupied" | grep -c .)" "one set, one occupied outer slot"

k=1 strays=0
while :; do
	[ $k -le 20 ] || fail "create: still dying at step 20"
	daemon_stop d
	: >"$T_TMP/d.log"
	SLUICE_FAULT=create:$k
	export SLUICE_FAULT
	daemon_launch d
	unset SLUICE_FAULT
	daemon_ready d 60 || { cat "$T_TMP/d.log"; fail "armed with create:$k, died before ready"; }
	if ctl d set create half hash:ip comment >/dev/null 2>&1 && daemon_alive d; then
		note "create:$k is past the last step: the set was made"
		break
	fi
	daemon_reap d
	[ "$REAPED" = 137 ] || { cat "$T_TMP/d.log"; fail "create:$k: exited $REAPED, not by SIGKILL"; }
	[ "$(occupied)" != "$clean_occupied" ] || [ "$(slot_pins)" != "$clean_pins" ] && strays=$((strays + 1))
	note "create:$k killed: outer slots [$(occupied | tr '\n' ' ')] pins [$(slot_pins)]"
	daemon_start d
	# a kill after the create's commit leaves the set made: it owns its slot
	sets=$(ctl d -j set list | jq -c '[.sets[].name]')
	case $sets in
	'["keep"]') ;;
	'["keep","half"]') note "create:$k came after the commit: the set was made"
		ctl d set destroy half >/dev/null || fail "destroy half" ;;
	*) fail "sets after create:$k: $sets" ;;
	esac
	assert_eq "$clean_occupied" "$(occupied)" "outer slots after the start that followed create:$k"
	assert_eq "$clean_pins" "$(slot_pins)" "slot pins after the start that followed create:$k"
	k=$((k + 1))
done
[ "$strays" -gt 0 ] || fail "no kill left a stray slot: the test no longer tests the sweep"
note "$((k - 1)) kills, $strays of them left a stray slot, every one freed by the next start"
# the made set works in the slot the strays held
ctl d set add half 10.0.0.1 >/dev/null || fail "add to the set made after the kills"
expect_exit 0 ctl d set test half 10.0.0.1
