# The bridge multicast policy against the kernel's own snooping bridge, on
# real traffic. Four hosts behind one bridge: h1 sends, h2 joins group G1,
# h3 sits behind the router port, h4 joins nothing. Each host counts what
# arrives on its interface (nftables netdev ingress counters, below any IP
# stack). The delivery matrix for a registered group, an unregistered group
# and a link-local group, after a leave and after the membership expired,
# for IPv4 and IPv6, must be the same:
#   kernel: mcast_snooping 1, mcast_querier 1 (with its start-up delay
#           waited out), mcast_router 2 on the router port;
#   sluice: the same bridge with mcast_snooping 0 (which floods everything)
#           and `mcast bridge … enable`, `mcast port … router on`;
#   sluice's fast path: the same, `fast-path on` (XDP on every port sends a
#           registered group's data to the ports by devmap broadcast, past
#           the bridge; it must be the path taken: its redirected count),
#           by the group's own port set (its members and router ports,
#           waited for before the traffic): the group's redirect counts,
#           and no copy made for a port outside the set.
# The IPv6 link-local group is ff02::1: the kernel snoops the rest of
# ff02::/16 (ff02::fb goes to router ports only unless a host joins it),
# where sluice, as the policy says, leaves all of ff02::/16 alone.
# Under sluice, what it reports per port (`mcast ports`: passed,
# suppressed) must also equal what the receivers counted: passed what the
# host got, suppressed what entered the bridge (counted leaving the
# sender's eth0: with the fast path, XDP on p1 takes frames before any
# hook of p1 sees them) and did not reach it. No step waits a fixed time: each waits for
# the state it needs (memberships in the bridge's own view, a marker
# frame behind the traffic), with a generous bound.
. "$(dirname "$0")/lib.sh"
require nft
require ethtool
require bpftool

# A frame's way through the bridge keeps its order when h1 sends from one
# CPU: a veth hands what it sends to its peer's one receive queue (that
# CPU's backlog, or the peer's NAPI ring), the bridge takes frames from p1
# one by one and forwards each to every port (tc egress decides there) and
# their veths queue the copies the same way. So a marker sent last (to a
# link-local group: every port gets it, in both modes) reaching a host
# means everything sent before it was delivered to that host or decided
# against, and counted on the way. With the fast path, p1's XDP sends a
# registered group's frames to the ports' peers in bulk, flushed when its
# poll ends; the marker follows them in a later poll (each group is sent
# by a process of its own, the registered ones first), so after the flush.
CPU=$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')
MARK_HOSTS="2 3 4" # the hosts on bridge ports, that a marker reaches

sw=$(ns_new sw)
for h in 1 2 3 4; do
	eval "h$h=\$(ns_new h$h)"
done
ns_of() { # KEY: 1..5 for a host, sw for the bridge's namespace
	case $1 in sw) echo "$sw" ;; *) eval echo "\$h$1" ;; esac
}
count_table() { # NS DEV [HOOK TABLE]: counters of what arrives on DEV (or leaves it:
	# HOOK egress), per group, before any IP processing; the seventh counts markers
	ip netns exec "$1" nft -f - <<NFT || fail "nft in $1"
table netdev ${4:-count} {
	chain in {
		type filter hook ${3:-ingress} device $2 priority 0;
		ip daddr 239.1.1.1 udp dport 5000 counter
		ip daddr 239.2.2.2 udp dport 5000 counter
		ip daddr 224.0.0.251 udp dport 5000 counter
		ip6 daddr ff0e::1:1 udp dport 5000 counter
		ip6 daddr ff0e::2:2 udp dport 5000 counter
		ip6 daddr ff02::1 udp dport 5000 counter
		udp dport 5001 counter
	}
}
NFT
}
ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip -n "$sw" link add br0 type bridge mcast_snooping 0
for h in 1 2 3 4; do
	ns=$(ns_of $h)
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	ip -n "$ns" link add eth0 type veth peer name p$h netns "$sw"
	ip -n "$ns" addr add 10.98.0.$h/24 dev eth0
	ip -n "$ns" addr add fd98::$h/64 dev eth0 nodad
	ip -n "$ns" link set eth0 up
	# NAPI on the host's veth, so that it takes frames sent to it by XDP
	# (the fast path's redirects); the same in every mode
	ip netns exec "$ns" ethtool -K eth0 gro on >/dev/null || fail "gro on in h$h"
	ip -n "$ns" route add 224.0.0.0/4 dev eth0
	ip -n "$sw" link set p$h master br0
	ip -n "$sw" link set p$h up
	count_table "$ns" eth0
done
count_table "$h1" eth0 egress sent # what enters the bridge: what the sender sends
ip -n "$sw" addr add 10.98.0.254/24 dev br0
ip -n "$sw" addr add fd98::fe/64 dev br0 nodad
ip -n "$sw" link set br0 up
GROUPS4="239.1.1.1 239.2.2.2 224.0.0.251"
GROUPS6="ff0e::1:1 ff0e::2:2 ff02::1"

counters() { # NS [TABLE]: the seven counters, in rule order
	ip netns exec "$1" nft -j list chain netdev "${2:-count}" in |
		jq -r '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | join(" ")'
}
counts() { # KEY: the six group counters of host KEY, or (sent) what h1 sent
	case $1 in sent) counters "$h1" sent ;; *) counters "$(ns_of $1)" ;; esac | cut -d' ' -f1-6
}
mark() { # remember the counters (and sluice's), so what follows shows what came since
	for k in 1 2 3 4 ${h5:+5} sent; do counts $k >"$T_TMP/mark$k"; done
	[ "$MODE" = sluice ] && stats >"$T_TMP/stats.mark" && redirected >"$T_TMP/redirected.mark" &&
		group_counts >"$T_TMP/groups.mark"
	return 0
}
since() { # KEY: counters of host KEY (or sent) since the mark
	counts "$1" | awk -v before="$(cat "$T_TMP/mark$1")" \
		'{ split(before, b, " "); for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), $i - b[i]; print "" }'
}
data() { awk '{ print $1 + $2 + $4 + $5 }'; } # of six counters: the groups the policy decides on
wait_for() { # SECONDS COMMAND...: poll until COMMAND succeeds; 1 if it never does
	t=$1
	shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}
gen1() { ip netns exec "$h1" taskset -c "$CPU" "$GEN" send "$@" >/dev/null || fail "send $*"; }
marked() { # every host past its count before the marker
	for k in $MARK_HOSTS; do
		[ "$(counters "$(ns_of $k)" | cut -d' ' -f7)" -gt "$(cat "$T_TMP/marker$k")" ] || return 1
	done
}
sync_marker() { # send the marker after what h1 sent and wait until every host has it
	for k in $MARK_HOSTS; do counters "$(ns_of $k)" | cut -d' ' -f7 >"$T_TMP/marker$k"; done
	gen1 --dst 224.0.0.251 --port 5001 --count 1 --src 10.98.0.1
	wait_for 20 marked || fail "the marker did not reach hosts $MARK_HOSTS within 20 s"
}
send_all() { # 20 datagrams to each group, v4 and v6, from h1
	for g in $GROUPS4; do
		gen1 --dst "$g" --port 5000 --count 20 --src 10.98.0.1
	done
	for g in $GROUPS6; do
		gen1 --dst "$g%eth0" --port 5000 --count 20
	done
	sync_marker
}
matrix() { # one line: h2, h3, h4 counters (h1 sends)
	echo "h2[$(since 2)] h3[$(since 3)] h4[$(since 4)] h1[$(since 1)]"
}
join_g1() { # h2 joins G1 for v4 and v6 (sinks hold the membership)
	rm -f "$T_TMP/r4" "$T_TMP/r6"
	spawn ip netns exec "$h2" "$GEN" sink --port 5000 --bind 239.1.1.1 --ready-file "$T_TMP/r4" >/dev/null
	J4=$LAST_SPAWN
	spawn ip netns exec "$h2" "$GEN" sink --port 5000 --bind ff0e::1:1%eth0 --ready-file "$T_TMP/r6" >/dev/null
	J6=$LAST_SPAWN
	wait_file "$T_TMP/r4"
	wait_file "$T_TMP/r6"
}
leave_g1() { # closing the sockets leaves the groups
	kill -TERM "-$J4" "-$J6" 2>/dev/null
	wait "$J4" "$J6" 2>/dev/null
}
member() { # GROUP: h2's port p2 is a member of GROUP, as the bridge in charge sees it
	if [ "$MODE" = kernel ]; then
		bridge -n "$sw" -j mdb show dev br0 | jq -e --arg g "$1" '.[].mdb[]? | select(.port == "p2" and .grp == $g)' >/dev/null
	else
		ctl d -j mcast groups | jq -e --arg g "$1" '.[] | select(.group == $g) | .ports | index("p2")' >/dev/null
	fi
}
joined() { member 239.1.1.1 && member ff0e::1:1; }
gone() { ! member 239.1.1.1 && ! member ff0e::1:1; }

stats() { # sluice's count per port: port passed suppressed fast_offered
	ctl d -j mcast ports | jq -r '.[] | "\(.port) \(.passed) \(.suppressed) \(.fast_offered)"'
}
group_counts() { # with the fast path, per group: group redirected-by-its-set redirected-by-the-bridge's
	ctl d -j mcast groups | jq -r '.[] | select(has("fast_set")) | "\(.group) \(.fast_redirected) \(.fast_fallback)"'
}
set_of() { # GROUP: the ports of GROUP's current port set, or "none"
	ctl d -j mcast groups | jq -r --arg g "$1" '.[] | select(.group == $g) | .fast_set // ["none"] | join(" ")'
}
sets_current() { [ "$(set_of 239.1.1.1)" = "p2 p3" ] && [ "$(set_of ff0e::1:1)" = "p2 p3" ]; }
redirected() { # frames the fast path sent by devmap broadcast
	ctl d -j status | jq '.features[] | select(.name == "mcast") | .bridges[0].fast_path.redirected'
}
check_fast() { # PHASE FRAMES: with the fast path on, it redirected FRAMES since the mark
	[ "${FAST:-off}" = on ] || return 0
	assert_eq "$2" "$(($(redirected) - $(cat "$T_TMP/redirected.mark")))" \
		"$1: frames the fast path redirected (the registered group's, v4 and v6)"
}
check_sets() { # PHASE: with the fast path on, G1's frames (20 each, v4 and v6) took G1's own
	# port set, none the bridge's; the copies were made for p2 and p3 alone
	[ "${FAST:-off}" = on ] || return 0
	group_counts >"$T_TMP/groups.now"
	assert_eq "239.1.1.1 20 0
ff0e::1:1 20 0" "$(awk 'FNR == NR { r[$1] = $2; f[$1] = $3; next }
		$1 == "239.1.1.1" || $1 == "ff0e::1:1" { print $1, $2 - r[$1], $3 - f[$1] }' \
		"$T_TMP/groups.mark" "$T_TMP/groups.now")" "$1: G1's frames by its own port set, by the bridge's"
	assert_eq "p1 0 p2 40 p3 40 p4 0" "$(stats | sort | awk 'FNR == NR { o[$1] = $4; next }
		{ printf "%s%s %d", (FNR > 1 ? " " : ""), $1, $4 - o[$1] } END { print "" }' "$T_TMP/stats.mark" -)" \
		"$1: fast path copies made per port"
}
check_counters() { # PHASE: in sluice's mode, what it reports per port equals what the
	# receivers counted: passed = the data frames the host received, suppressed
	# = those that entered the bridge and did not reach it (the sender's own
	# port is offered none)
	[ "$MODE" = sluice ] || return 0
	stats >"$T_TMP/stats.now"
	in=$(since sent | data)
	for h in 1 2 3 4; do
		got=$(since $h | data)
		[ $h = 1 ] && held=0 || held=$((in - got))
		assert_eq "$got $held" "$(awk -v p=p$h 'FNR == NR { if ($1 == p) { pa = $2; su = $3 } next }
			$1 == p { print $2 - pa, $3 - su }' "$T_TMP/stats.mark" "$T_TMP/stats.now")" \
			"$1: p$h passed, suppressed (sluice) against h$h's count of the $in data frames sent"
	done
}

# the phases, the same in both modes; one matrix line per phase into FILE
run_phases() {
	join_g1
	wait_for 20 joined || fail "h2's joins not registered within 20 s"
	[ -n "${MCAST_DEBUG:-}" ] && ip netns exec "$sw" bridge mdb show >&2
	if [ "${FAST:-off}" = on ]; then
		wait_for 20 sets_current || fail "G1's port sets are not p2 p3 within 20 s: $(ctl d -j mcast groups)"
	fi
	mark
	send_all
	echo "joined: $(matrix)" >>"$1"
	check_counters joined
	check_fast joined 40
	check_sets joined
	leave_g1
	wait_for 20 gone || fail "h2's leaves did not take effect within 20 s"
	mark
	send_all
	echo "left: $(matrix)" >>"$1"
	check_counters left
	join_g1
	wait_for 20 joined || fail "h2's joins not registered again within 20 s"
	# h2 stops answering and reporting, without leaving: the membership expires
	ip netns exec "$h2" nft -f - <<NFT || fail "nft quiet"
table inet quiet {
	chain out {
		type filter hook output priority 0;
		ip protocol igmp drop
		icmpv6 type { mld-listener-report, mld2-listener-report, mld-listener-done } drop
	}
}
NFT
	wait_for 30 gone || fail "h2's memberships did not expire within 30 s"
	mark
	send_all
	echo "expired: $(matrix)" >>"$1"
	check_counters expired
	check_fast expired 0
	ip netns exec "$h2" nft delete table inet quiet
	leave_g1
}

expected() { # the policy, worked out by hand: registered G1 to h2 and the router port h3,
	# unregistered G2 to h3 only, link-local to all; nothing back to h1 but
	# its own ff02::1 datagrams, looped back by its stack (every IPv6 host is
	# a member of ff02::1) and so seen on its eth0's ingress
	cat <<EXP
joined: h2[20 0 20 20 0 20] h3[20 20 20 20 20 20] h4[0 0 20 0 0 20] h1[0 0 0 0 0 20]
left: h2[0 0 20 0 0 20] h3[20 20 20 20 20 20] h4[0 0 20 0 0 20] h1[0 0 0 0 0 20]
expired: h2[0 0 20 0 0 20] h3[20 20 20 20 20 20] h4[0 0 20 0 0 20] h1[0 0 0 0 0 20]
EXP
}

note "the kernel's snooping (querier on, router port static)"
MODE=kernel
ip -n "$sw" link set br0 type bridge mcast_snooping 1 mcast_query_interval 200 \
	mcast_query_response_interval 100 mcast_membership_interval 500 mcast_last_member_interval 50 \
	mcast_startup_query_interval 100 || fail "bridge settings"
# the querier on its own, once snooping runs: set together with it, the
# kernel never counts its own querier as present and keeps flooding
ip -n "$sw" link set br0 type bridge mcast_querier 1 || fail "querier"
ip -n "$sw" link set p3 type bridge_slave mcast_router 2
# until its querier has started, the kernel floods every group: wait until
# an unregistered group (v4 and v6) no longer reaches h4
unregistered_held() {
	mark
	gen1 --dst 239.2.2.2 --port 5000 --count 1 --src 10.98.0.1
	gen1 --dst ff0e::2:2%eth0 --port 5000 --count 1
	sync_marker
	[ "$(since 4)" = "0 0 0 0 0 0" ]
}
wait_for 30 unregistered_held || fail "the kernel still floods unregistered groups after 30 s"
run_phases "$T_TMP/kernel"
cat "$T_TMP/kernel"
assert_eq "$(expected)" "$(cat "$T_TMP/kernel")" "the kernel's delivery matrix (the oracle itself)"

note "sluice on the same bridge with snooping off"
ip -n "$sw" link set br0 type bridge mcast_snooping 0
ip -n "$sw" link set br0 type bridge mcast_querier 0
ip -n "$sw" link set p3 type bridge_slave mcast_router 1
daemon_start d
ctl d mcast bridge br0 netns "$sw" enable robustness 2 query-interval 2 query-response-interval 1 \
	last-member-interval 500 >/dev/null || fail "mcast bridge enable"
ctl d mcast port dev p3 netns "$sw" router on >/dev/null || fail "router port"
# A querier behind p3, with the kernel bridge's timers above: as in the
# kernel's phases, h2's answers to its queries refresh the memberships, so
# they last however long the machine takes between a join and the data
# (without one they ended 5 s after the join, which an emulated guest can
# exceed). h3 becomes the querier: its eth0 joins a snooping bridge of its
# own, which sends general queries out of it, towards p3.
ip -n "$h3" link add br3 type bridge mcast_snooping 1 mcast_query_interval 200 \
	mcast_query_response_interval 100 mcast_startup_query_interval 100
ip -n "$h3" link set eth0 master br3
ip -n "$h3" link set br3 up
ip -n "$h3" link set br3 type bridge mcast_querier 1
MODE=sluice
run_phases "$T_TMP/sluice"
cat "$T_TMP/sluice"
assert_eq "$(cat "$T_TMP/kernel")" "$(cat "$T_TMP/sluice")" "sluice's delivery matrix against the kernel's"
ctl d mcast ports
ctl d mcast groups

note "sluice's fast path (XDP, devmap broadcast) on the same bridge"
FAST=on
ctl d mcast bridge br0 netns "$sw" enable robustness 2 query-interval 2 query-response-interval 1 \
	last-member-interval 500 fast-path on >/dev/null || fail "mcast bridge enable fast-path on"
assert_eq "xdp xdp xdp xdp" "$(ctl d -j mcast ports | jq -r '[.[].fast_path] | join(" ")')" \
	"the fast path's XDP link on every port (native on veth)"
run_phases "$T_TMP/fast"
cat "$T_TMP/fast"
assert_eq "$(cat "$T_TMP/kernel")" "$(cat "$T_TMP/fast")" "the fast path's delivery matrix against the kernel's"
# What the bridge itself shows: it never saw the redirected frames, so its
# own counters are short of them; its forwarding database still learns h1
# from what passes to it (the markers, IGMP/MLD).
ctl d -j status | jq -c '.features[] | select(.name == "mcast") | .bridges[0].fast_path'
bridge -n "$sw" fdb show br br0 dynamic
ip -n "$sw" -s link show p1
h1_mac=$(ip -n "$h1" -j link show eth0 | jq -r '.[0].address')
bridge -n "$sw" -j fdb show br br0 | jq -e --arg m "$h1_mac" '.[] | select(.mac == $m and .ifname == "p1")' >/dev/null ||
	fail "the bridge's fdb lacks h1 ($h1_mac) on p1 with the fast path on"
ctl d save | grep -q "^mcast bridge br0 netns $sw enable .*fast-path on$" || fail "save lacks fast-path on: $(ctl d save)"
ctl d mcast bridge br0 netns "$sw" enable robustness 2 query-interval 2 query-response-interval 1 \
	last-member-interval 500 >/dev/null || fail "fast-path off again"
FAST=off
[ -z "$(ls "$(pin_root d)/links" | grep '^sl_mc_.*_xdp$')" ] || fail "XDP links left with the fast path off"
ip -n "$sw" -j link show | jq -e 'all(.[]; .xdp == null)' >/dev/null || fail "an XDP program left on a port"
assert_eq 0 "$(bpftool -j map dump pinned "$(pin_root d)/maps/sl_mcgset_v1" | jq length)" \
	"group port sets left with the fast path off"

note "a learned router port: a querier behind p3"
ctl d mcast port dev p3 netns "$sw" router auto >/dev/null || fail "router auto"
# h3's querier (above) sends general queries towards p3
p3_learned() {
	ctl d -j mcast ports | jq -e '.[] | select(.port == "p3") | .router | startswith("learned")' >/dev/null
}
wait_for 30 p3_learned || fail "p3 did not become a learned router port: $(ctl d -j mcast ports)"
mark
gen1 --dst 239.2.2.2 --port 5000 --count 20 --src 10.98.0.1
sync_marker
assert_eq "0 20 0 0 0 0" "$(since 3)" "an unregistered group reaches the learned router port"
assert_eq "0 0 0 0 0 0" "$(since 4)" "and not the others"
ctl d mcast port dev p3 netns "$sw" router off >/dev/null || fail "router off"
mark
gen1 --dst 239.2.2.2 --port 5000 --count 20 --src 10.98.0.1
sync_marker
assert_eq "0 0 0 0 0 0" "$(since 3)" "router off: queries heard or not, no unregistered groups"
ip -n "$h3" link set eth0 nomaster
ctl d mcast port dev p3 netns "$sw" router on >/dev/null

note "a port added later gets the policy; one that leaves the bridge loses it"
h5=$(ns_new h5)
ip -n "$h5" link add eth0 type veth peer name p5 netns "$sw"
ip -n "$h5" addr add 10.98.0.5/24 dev eth0
ip -n "$h5" link set eth0 up
count_table "$h5" eth0
ip -n "$sw" link set p5 master br0
ip -n "$sw" link set p5 up
p5_listed() { ctl d -j mcast ports | jq -e '.[] | select(.port == "p5")' >/dev/null; }
p5_unlisted() { ! p5_listed; }
wait_for 20 p5_listed || fail "p5 was not picked up"
MARK_HOSTS="2 3 4 5"
mark
gen1 --dst 239.2.2.2 --port 5000 --count 20 --src 10.98.0.1
sync_marker
assert_eq "0 0 0 0 0 0" "$(since 5)" "an unregistered group on the new port"
ip -n "$sw" link set p5 nomaster
MARK_HOSTS="2 3 4"
wait_for 20 p5_unlisted || fail "p5 is still listed after leaving"
[ -z "$(ls "$(pin_root d)/links" | grep "^sl_mc_.*_$(ip -n "$sw" -j link show p5 | jq '.[0].ifindex')_")" ] ||
	fail "p5's links are still pinned"

note "save, and disable"
ctl d save >"$T_TMP/saved"
grep -q "^mcast bridge br0 netns $sw enable query-interval 2 query-response-interval 1 last-member-interval 500$" \
	"$T_TMP/saved" || fail "save: $(cat "$T_TMP/saved")"
grep -q "^mcast port dev p3 netns $sw router on$" "$T_TMP/saved" || fail "save lacks the router port"
ctl d mcast bridge br0 netns "$sw" disable >/dev/null || fail "disable"
[ -z "$(ls "$(pin_root d)/links" | grep '^sl_mc_')" ] || fail "links left after disable"
mark
send_all
assert_eq "20 20 20 20 20 20" "$(since 4)" "h4 after disable: the bridge floods everything again"
