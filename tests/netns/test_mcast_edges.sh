# The bridge multicast policy when things go away: a bridge that is not
# there cannot be enabled; a port leaving takes its memberships with it;
# a deleted bridge detaches from its former ports and waits, coming back
# when the bridge does; a deleted namespace is let go (sluice holds no
# reference that keeps it alive); a restart with the bridge gone starts.
. "$(dirname "$0")/lib.sh"
require bpftool

bridge_ports() { # NS BRIDGE PORT...: a bridge (snooping off) up, each port a veth (peer qPORT) up in it
	bp_ns=$1 bp_br=$2
	shift 2
	ip -n "$bp_ns" link add "$bp_br" type bridge mcast_snooping 0
	ip -n "$bp_ns" link set "$bp_br" up
	for p in "$@"; do
		ip -n "$bp_ns" link add "$p" type veth peer name "q$p"
		ip -n "$bp_ns" link set "$p" master "$bp_br"
		ip -n "$bp_ns" link set "$p" up
		ip -n "$bp_ns" link set "q$p" up
	done
}
sw=$(ns_new sw)
h=$(ns_new h)
bridge_ports "$sw" br0 p1 p2
ip -n "$h" link add eth0 type veth peer name p3 netns "$sw"
ip -n "$h" link set eth0 up
ip -n "$sw" link set p3 master br0
ip -n "$sw" link set p3 up
conf=$T_TMP/sluice.conf
echo "mcast bridge br0 netns $sw enable" >"$conf"
daemon_start d --config "$conf"
# mcast attachments: pinned tcx links, or recorded legacy tc filters
# (the map is pinned only once a legacy filter is recorded: none is none)
tc_filters() {
	f="$(pin_root d)/maps/sl_tc_filters_v1"
	if [ -e "$f" ]; then bpftool -j map dump pinned "$f"; else echo '[]'; fi
}
records() { tc_filters | jq -r '.[] | .formatted.key.name' | grep '^sl_mc_'; }
links() { { ls "$(pin_root d)/links" | grep '^sl_mc_'; records; } | grep -c .; }
wait_links() { # N, within a generous 20 s (link events reach the daemon at once; a bridge that is gone is looked for every 1 s)
	for _ in $(seq 200); do [ "$(links)" = "$1" ] && return 0; sleep 0.1; done
	fail "expected $1 mcast links, have $(links)"
}

note "a failed first enable pins nothing"
daemon_start e
expect_exit 2 ctl e mcast bridge nosuch netns "$sw" enable
assert_eq 0 "$(ls "$(pin_root e)/maps" | grep -c '^sl_mc')" "mcast maps pinned by a failed first enable"
expect_exit 2 ctl e mcast bridge br0 netns nosuch enable
assert_eq 0 "$(ls "$(pin_root e)/maps" | grep -c '^sl_mc')" "mcast maps pinned by an enable in a missing namespace"
daemon_stop e

note "a pin of another mcast layout is refused by a daemon that does not use mcast"
old=$(pin_root old)
mkdir -p "$old/maps"
bpftool map create "$old/maps/sl_mcbr_v0" type array key 4 value 48 entries 8 name sl_mcbr_v0 || fail "plant"
timeout 10 "$SLUICED" --pin-root "$old" --socket "$(sock_path old)" >"$T_TMP/out" 2>&1
assert_eq 1 "$?" "exit code of a start on an old mcast pin"
grep -qF "pin maps/sl_mcbr_v0: this build uses maps/sl_mcbr_v1 instead" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
expect_exit 0 "$SLUICED" --cleanup --pin-root "$old"

note "a port setting at run time for a device that is not there is refused, and not saved"
expect_exit 2 ctl d mcast port dev nosuchdev netns "$sw" router on
grep -q "no device 'nosuchdev'" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
ctl d save | grep -q nosuchdev && fail "save holds the refused port setting"
expect_exit 0 ctl d mcast port dev p2 netns "$sw" flood on
ctl d save | grep -q "mcast port dev p2 netns $sw.*flood on" || fail "save lacks the port setting: $(ctl d save)"

note "enabling what is not there"
expect_exit 2 ctl d mcast bridge nosuch netns "$sw" enable
grep -q "no device 'nosuch'" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
expect_exit 2 ctl d mcast bridge br0 netns nosuch enable
ip -n "$sw" link add notbr type veth peer name notbr2
expect_exit 2 ctl d mcast bridge notbr netns "$sw" enable
grep -q "not a bridge" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"

note "one port refused midway: the apply changes nothing"
wait_links 6
# a second bridge whose second port the kernel refuses: a directory sits
# where its egress link would be pinned, so bpffs refuses the pin (EEXIST).
# The apply that enables br1 first moves br0's links to new programs and
# attaches br1's first port, then meets the refusal.
bridge_ports "$sw" br1 r1 r2
ifx() { ip -n "$sw" -j link show "$1" | jq '.[0].ifindex'; }
[ "$(ifx r1)" -lt "$(ifx r2)" ] || fail "r2 is not listed after r1"
# r2's egress refused: its link's pin path taken by a directory (br1 takes
# the first free index, 1), or with legacy tc a filter at sluice's place
squat="$(pin_root d)/links/sl_mc_1_$(ifx r2)_eg"
if [ "$(tc_mode)" = tcx ]; then
	mkdir "$squat"
	squat_msg="dev r2: pin .*sl_mc_1_$(ifx r2)_eg: File exists"
	unsquat() { rmdir "$squat"; } # --cleanup removes pins, not directories
else
	tc -n "$sw" qdisc add dev r2 clsact
	tc -n "$sw" filter add dev r2 egress pref 20942 handle 0x51ce0002 protocol all bpf bytecode '1,6 0 0 0,' ||
		fail "a filter at sluice's place on r2"
	squat_msg="dev r2: a tc egress filter is at sluice's place already"
	unsquat() { tc -n "$sw" filter del dev r2 egress pref 20942 handle 0x51ce0002 bpf; }
fi
squat_fail() { unsquat; fail "$@"; }
dataplane() { # links (pin, link id, program id) and every mcast map, as the kernel has them
	# (sl_mcfast_v1 aside: it counts whatever frames the ports carry meanwhile;
	# each bridge's devmap: its ports and the program each entry runs)
	for l in $(ls "$(pin_root d)/links" | grep '^sl_mc_'); do
		[ -d "$(pin_root d)/links/$l" ] ||
			echo "$l $(bpftool -j link show pinned "$(pin_root d)/links/$l" | jq -c '[.id, .prog_id]')"
	done
	tc_filters | jq -c 'sort_by(.formatted.key.name) | .[] | .formatted'
	for m in sl_mccfg_v1 sl_mcport_v1 sl_mcmemb_v1 sl_mcgrp_v2 sl_mcstat_v2 sl_mcbr_v1 sl_mcdev_v1 \
		sl_mcgen_v1 sl_mcgset_v1 sl_mcgstat_v1; do
		echo "$m $(bpftool -j map dump pinned "$(pin_root d)/maps/$m" | jq -c .)"
	done
	for id in $(bpftool -j map dump pinned "$(pin_root d)/maps/sl_mcdev_v1" |
		jq -r '.[] | .value | map(ltrimstr("0x")) | reverse | join("")'); do
		echo "devmap $((0x$id)) $(bpftool -j map dump id $((0x$id)) | jq -c 'sort_by(.key)')"
	done
}
dataplane >"$T_TMP/dp.before"
ctl d save >"$T_TMP/save.before"
ctl d mcast bridge br1 netns "$sw" enable >"$T_TMP/out" 2>&1
rc=$?
[ $rc = 4 ] || squat_fail "enable br1 with a port refused: exit $rc, expected 4 (the kernel refused): $(cat "$T_TMP/out")"
grep -q "$squat_msg" "$T_TMP/out" || squat_fail "unclear error: $(cat "$T_TMP/out")"
dataplane >"$T_TMP/dp.after"
diff "$T_TMP/dp.before" "$T_TMP/dp.after" >&2 || squat_fail "the failed apply changed links or maps"
ctl d save >"$T_TMP/save.after"
diff "$T_TMP/save.before" "$T_TMP/save.after" >&2 || squat_fail "the failed apply changed what save prints"
note "ok: links, programs, maps and save as before the failed apply"
unsquat

note "the fast path refused midway (r2's XDP link) changes nothing either"
# br0 with the fast path first (its ports' devmap entries and XDP links),
# then br1's, whose last step, r2's XDP link, meets a directory at its pin
ctl d mcast bridge br0 netns "$sw" enable fast-path on >/dev/null || fail "br0 fast-path on"
ports_on_xdp() { ip -n "$sw" -j link show master "$1" | jq -r '[.[] | select(.xdp != null) | .ifname] | join(" ")'; }
assert_eq "p1 p2 p3" "$(ports_on_xdp br0)" "br0's ports with an XDP program"
xsquat="$(pin_root d)/links/sl_mc_1_$(ifx r2)_xdp"
mkdir "$xsquat"
dataplane >"$T_TMP/dp.before"
ctl d save >"$T_TMP/save.before"
ctl d mcast bridge br1 netns "$sw" enable fast-path on >"$T_TMP/out" 2>&1
rc=$?
rmdir "$xsquat"
[ $rc = 4 ] || fail "enable br1 fast-path on with r2's XDP pin refused: exit $rc, expected 4: $(cat "$T_TMP/out")"
grep -q "sl_mc_1_$(ifx r2)_xdp: File exists" "$T_TMP/out" || fail "unclear error: $(cat "$T_TMP/out")"
dataplane >"$T_TMP/dp.after"
diff "$T_TMP/dp.before" "$T_TMP/dp.after" >&2 || fail "the failed fast path apply changed links or maps"
ctl d save >"$T_TMP/save.after"
diff "$T_TMP/save.before" "$T_TMP/save.after" >&2 || fail "the failed fast path apply changed what save prints"
assert_eq "" "$(ports_on_xdp br1)" "br1's ports with an XDP program after the failed apply"
assert_eq "p1 p2 p3" "$(ports_on_xdp br0)" "br0's ports with an XDP program after the failed apply"

note "the fast path refused midway in another namespace: br0's devmap entries back on their programs"
# The failed apply moved br0's devmap entries to its new devmap program;
# the undo puts them back on the one they ran (dev_back in undo.c). Here
# the refused bridge sits in a namespace of its own, so no link event in
# br0's makes the daemon write br0's entries again (which would hide an
# undo that did not): what the dump shows is the undo's alone.
sw2=$(ns_new sw2)
bridge_ports "$sw2" brx x1 x2
# and a group port set in place on br0 (p1 a member of 239.1.1.1: planted;
# p2, a flood port, in every set),
# which the failed apply must leave current
p1if=$(printf '%02x ' "$(ifx p1)")
plant() { # N: p1 a member of 239.1.1.N for ever, the group registered (generation 1)
	bpftool map update pinned "$(pin_root d)/maps/sl_mcmemb_v1" \
		key hex 00 00 00 00 $p1if 00 00 00 04 00 00 00 ef 01 01 0$1 00 00 00 00 00 00 00 00 00 00 00 00 \
		value hex ff ff ff ff ff ff ff 7f 02 00 00 00 00 00 00 00 || fail "could not plant a membership"
	bpftool map update pinned "$(pin_root d)/maps/sl_mcgrp_v2" \
		key hex 00 00 00 00 04 00 00 00 ef 01 01 0$1 00 00 00 00 00 00 00 00 00 00 00 00 \
		value hex ff ff ff ff ff ff ff 7f 01 00 00 00 00 00 00 00 || fail "could not plant a group"
}
plant 1
# planted entries move no generation: the daemon would see them at its 5 s
# look; moving br0's change count (as a join does) makes it look at once
nudge() {
	bpftool -j map lookup pinned "$(pin_root d)/maps/sl_mcgen_v1" key hex 00 00 00 00 |
		jq -r '.formatted.value | [.learned, .changes + 1] | map(. % 256, (. / 256 | floor) % 256, 0, 0) |
			map("\(.)") | join(" ")' >"$T_TMP/gen" || fail "br0's generations"
	# shellcheck disable=SC2046 # the value's bytes, one word each
	bpftool map update pinned "$(pin_root d)/maps/sl_mcgen_v1" key hex 00 00 00 00 value $(cat "$T_TMP/gen") ||
		fail "could not move br0's change count"
}
nudge
set_p1() { [ "$(ctl d -j mcast groups | jq -c '[.[] | select(.group == "239.1.1.1") | .fast_set]')" = '[["p1","p2"]]' ]; }
for _ in $(seq 200); do set_p1 && break; sleep 0.1; done
set_p1 || fail "no current port set p1 p2 for 239.1.1.1 within 20 s: $(ctl d -j mcast groups)"
xsquat="$(pin_root d)/links/sl_mc_1_$(ip -n "$sw2" -j link show x2 | jq '.[0].ifindex')_xdp"
mkdir "$xsquat"
dataplane >"$T_TMP/dp.before"
grep -q '^devmap .*"value"' "$T_TMP/dp.before" || fail "no devmap entries of br0 to compare: $(cat "$T_TMP/dp.before")"
ctl d mcast bridge brx netns "$sw2" enable fast-path on >"$T_TMP/out" 2>&1
rc=$?
rmdir "$xsquat"
[ $rc = 4 ] || fail "enable brx fast-path on with x2's XDP pin refused: exit $rc, expected 4: $(cat "$T_TMP/out")"
dataplane >"$T_TMP/dp.after"
diff "$T_TMP/dp.before" "$T_TMP/dp.after" >&2 || fail "the failed apply left br0's devmap entries or other maps changed"
assert_eq "" "$(ip -n "$sw2" -j link show master brx | jq -r '[.[] | select(.xdp != null) | .ifname] | join(" ")')" \
	"brx's ports with an XDP program after the failed apply"
set_p1 || fail "239.1.1.1's port set is not current after the failed apply: $(ctl d -j mcast groups)"
ip netns del "$sw2"

note "the group sets' map full: a new group has no set of its own (said once), then room, and it has"
# The map is filled with sets of bridge 15 (no bridge here: the daemon
# leaves them alone), all holding one planted devmap (some 8 ms each, a
# grace period per update: the longest step of this test); a group registered
# then finds no room. Its frames take the bridge's devmap (the fixtures'
# "no set" rows); here: the daemon says so, shows no set, and once there
# is room builds it at its next look.
gsets="$(pin_root d)/maps/sl_mcgset_v1"
planted="$(pin_root d)/planted_devmap"
bpftool map create "$planted" type devmap_hash key 4 value 8 entries 128 name planted || fail "planted devmap"
free=$((1024 - $(bpftool -j map dump pinned "$gsets" | jq length)))
i=0
: >"$T_TMP/fill"
while [ $i -lt $free ]; do
	echo "map update pinned $gsets key hex 0f 00 00 00 04 00 00 00 ef 02 $(printf '%02x %02x' $((i / 256)) $((i % 256))) 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 value pinned $planted" >>"$T_TMP/fill"
	i=$((i + 1))
done
bpftool batch file "$T_TMP/fill" >/dev/null || fail "could not fill $gsets"
rm "$planted" # the sets hold it
assert_eq 1024 "$(bpftool -j map dump pinned "$gsets" | jq length)" "sets in the full map"
plant 2
nudge
said_full() { daemon_log d | grep -q "br0: 1 groups without a port set of their own (sl_mcgset_v1 full"; }
for _ in $(seq 200); do said_full && break; sleep 0.1; done
said_full || fail "the daemon does not say the set map is full: $(daemon_log d | tail -n 5)"
assert_eq "null" "$(ctl d -j mcast groups | jq -c '.[] | select(.group == "239.1.1.2") | .fast_set')" \
	"239.1.1.2's own set with the map full"
set_p1 || fail "239.1.1.1's port set is not kept with the map full: $(ctl d -j mcast groups)"
# room for one (each change to a map of maps waits for an RCU grace period:
# the rest stay, bridge 15's, until the pins go)
# shellcheck disable=SC2046 # the delete command's words
bpftool $(head -n 1 "$T_TMP/fill" | sed 's/^map update \(pinned [^ ]*\) \(key hex .*\) value .*/map delete \1 \2/') ||
	fail "could not make room in $gsets"
nudge
set_p2() { [ "$(ctl d -j mcast groups | jq -c '[.[] | select(.group == "239.1.1.2") | .fast_set]')" = '[["p1","p2"]]' ]; }
for _ in $(seq 200); do set_p2 && break; sleep 0.1; done
set_p2 || fail "239.1.1.2 has no port set once there is room: $(ctl d -j mcast groups)"
bpftool map delete pinned "$(pin_root d)/maps/sl_mcmemb_v1" \
	key hex 00 00 00 00 $p1if 00 00 00 04 00 00 00 ef 01 01 02 00 00 00 00 00 00 00 00 00 00 00 00 ||
	fail "could not take the planted membership back"

note "a kernel without devmap broadcast: fast-path on is refused (exit 4), nothing changes"
daemon_stop d
export SLUICE_KERNEL_LACKS=devmap-broadcast
daemon_start d --config "$conf"
unset SLUICE_KERNEL_LACKS
expect_exit 4 ctl d mcast bridge br0 netns "$sw" enable fast-path on
grep -q "fast-path on: the kernel lacks devmap-broadcast (needs 5.13" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
assert_eq "" "$(ports_on_xdp br0)" "br0's ports with an XDP program (the config has no fast path)"
ctl d save | grep -q fast-path && fail "save holds the refused fast path"
daemon_stop d
daemon_start d --config "$conf"
ctl d mcast bridge br1 netns "$sw" enable >/dev/null || fail "enable br1 once the pin is free"
wait_links 10
ctl d mcast bridge br1 netns "$sw" disable >/dev/null || fail "disable br1"
wait_links 6
ip -n "$sw" link del br1

note "a port that leaves takes its memberships"
wait_links 6
bpftool map update pinned "$(pin_root d)/maps/sl_mcmemb_v1" \
	key hex 00 00 00 00 $(printf '%02x ' $(ip -n "$sw" -j link show p1 | jq '.[0].ifindex') | sed 's/$/00 00 00/') \
	04 00 00 00 ef 01 01 01 00 00 00 00 00 00 00 00 00 00 00 00 \
	value hex ff ff ff ff ff ff ff 7f 02 00 00 00 00 00 00 00 2>/dev/null ||
	fail "could not plant a membership"
[ "$(ctl d -j mcast groups | jq length)" = 1 ] || fail "the planted membership does not show"
ip -n "$sw" link set p1 nomaster
wait_links 4
# the kernel's map, not sluice's account of it
assert_eq 0 "$(bpftool -j map dump pinned "$(pin_root d)/maps/sl_mcmemb_v1" | jq length)" \
	"memberships of the port that left"

note "a deleted bridge: its ports lose the policy; it is taken up again when back"
ip -n "$sw" link del br0
wait_links 0
ip -n "$sw" link add br0 type bridge mcast_snooping 0
ip -n "$sw" link set p2 master br0
ip -n "$sw" link set br0 up
wait_links 2

note "a restart with the bridge gone starts, and waits"
daemon_stop d
ip -n "$sw" link del br0
daemon_start d --config "$conf"
wait_links 0
ctl d -j status | jq -e '.features[] | select(.name == "mcast") | .bridges | length == 1' >/dev/null ||
	fail "the bridge is not kept: $(ctl d -j status)"

note "a deleted namespace is let go"
ip -n "$sw" link add br0 type bridge mcast_snooping 0
ip -n "$sw" link set p3 master br0
ip -n "$sw" link set br0 up
wait_links 2
ip netns del "$sw"
# the switch namespace dies only if nothing holds it: then h's veth loses its peer
for _ in $(seq 300); do # the kernel frees a namespace in the background: up to 30 s
	ip -n "$h" link show eth0 >/dev/null 2>&1 || break
	sleep 0.1
done
ip -n "$h" link show eth0 >/dev/null 2>&1 && fail "the deleted namespace is kept alive (h's veth still has its peer)"
wait_links 0
