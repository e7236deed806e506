# Sets matched on real traffic between two namespaces, checked against the
# kernel's own counters: UDP datagrams that reach namespace b's stack show
# in its /proc/net/snmp (NoPorts: nothing listens), so every packet sent
# is either counted by the kernel or dropped by a rule and counted there.
#   drop by source set (XDP ingress), pass by destination set before a
#   catch-all drop, per-rule and per-entry counters, egress (tcx) drops,
#   swap under traffic loses nothing, timeouts expire, a full set refuses
#   the next add and keeps the rest, a set in use cannot be destroyed,
#   IPv6 and the daemon's restart; hash:ip,mark against the mark iptables
#   gives a's packets (egress, alone and as a list:set's member; refused on
#   XDP ingress); a hash:net,net rule in either order of its directions.
. "$(dirname "$0")/lib.sh"

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d

noports() { snmp "$b" Udp NoPorts; }
noports6() { snmp "$b" snmp6 Udp6NoPorts; }
send() { # DST PORT COUNT [more sluice-gen options]
	dst=$1 port=$2 count=$3
	shift 3
	ip netns exec "$a" "$GEN" send --dst "$dst" --port "$port" --count "$count" "$@" >/dev/null || fail "send"
}
rule_count() { # ID: packets the rule matched
	ctl d -j rule list | jq -r --argjson id "$1" '.rules[] | select(.id == $id) | .packets'
}
rule_id() { # SET ACTION
	ctl d -j rule list | jq -r --arg s "$1" --arg a "$2" '[.rules[] | select(.set == $s and .action == $a)][0].id'
}

note "drop by source set: XDP on b's ingress"
ctl d set create blk hash:ip counters >/dev/null || fail "create"
ctl d set add blk 10.99.0.1 >/dev/null || fail "add"
ctl d rule add dev vb netns "$b" ingress match-set blk src action drop >/dev/null || fail "rule add"
mode=$(ctl d -j rule list | jq -r '.hooks[0].mode')
[ "$mode" = xdp ] || fail "veth takes native XDP; the hook says '$mode'"
n0=$(noports)
send 10.99.0.2 9 1000
assert_eq "$n0" "$(noports)" "datagrams that reached b's stack"
drop=$(rule_id blk drop)
assert_eq 1000 "$(rule_count "$drop")" "drop rule counter"
assert_eq 1000 "$(ctl d -j set list blk | jq '.sets[0].members[0].packets')" "the entry's packet counter"
ctl d set test blk 10.99.0.1 >/dev/null || fail "test of a member"
expect_exit 1 ctl d set test blk 10.99.0.3

note "pass by destination set runs before a catch-all drop"
ctl d set create web hash:ip,port >/dev/null
ctl d set add web 10.99.0.2,udp:7000 >/dev/null
ctl d set create none hash:ip >/dev/null
ctl d rule add dev vb netns "$b" ingress prio 10 match-set web dst,dst action pass >/dev/null || fail "pass rule"
ctl d rule add dev vb netns "$b" ingress prio 20 match-set none src ! action drop >/dev/null || fail "catch-all"
n0=$(noports)
send 10.99.0.2 7000 300
send 10.99.0.2 7001 200
assert_eq "$((n0 + 300))" "$(noports)" "only port 7000 reached b"
assert_eq 300 "$(rule_count "$(rule_id web pass)")" "pass rule counter"
assert_eq 200 "$(rule_count "$(rule_id none drop)")" "catch-all counter"
expect_exit 1 ctl d set destroy none
ctl d set list none >/dev/null || fail "a refused destroy removed the set"
ctl d rule del dev vb netns "$b" ingress prio 20 match-set none src ! action drop >/dev/null || fail "rule del"
ctl d set destroy none >/dev/null || fail "destroy once no rule uses it"

note "egress: $(tc_mode) on a's device"
ctl d set create out hash:ip >/dev/null
ctl d set add out 10.99.0.2 >/dev/null
ctl d rule add dev va netns "$a" egress match-set out dst action drop >/dev/null || fail "egress rule"
assert_eq "$(tc_mode)" "$(ctl d -j rule list | jq -r '.hooks[] | select(.dev == "va") | .mode')" "egress hook"
n0=$(noports)
send 10.99.0.2 7000 100
assert_eq "$n0" "$(noports)" "egress drops never leave a"
assert_eq 100 "$(rule_count "$(rule_id out drop)")" "egress rule counter"
ctl d rule del dev va netns "$a" egress match-set out dst action drop >/dev/null || fail "rule del"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 100))" "$(noports)" "after rule del, traffic flows"

note "hash:ip,mark: the packet's mark at egress (a's mangle OUTPUT marks it), refused on XDP ingress"
require iptables
ctl d set create mk hash:ip,mark markmask 0xff00 >/dev/null
ctl d set add mk 10.99.0.2,0x1200 >/dev/null
expect_exit 2 ctl d rule add dev vb netns "$b" ingress match-set mk dst,dst action drop
ctl d rule add dev va netns "$a" egress match-set mk dst,dst action drop >/dev/null || fail "mark rule"
n0=$(noports)
send 10.99.0.2 7000 100
assert_eq "$((n0 + 100))" "$(noports)" "unmarked traffic flows"
ip netns exec "$a" iptables -t mangle -A OUTPUT -j MARK --set-mark 0x12ab || fail "iptables MARK"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 100))" "$(noports)" "traffic marked 0x12ab (0x1200 under the markmask) dropped"
assert_eq 100 "$(rule_count "$(rule_id mk drop)")" "mark rule counter"
ip netns exec "$a" iptables -t mangle -R OUTPUT 1 -j MARK --set-mark 0x1300 || fail "iptables MARK"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 200))" "$(noports)" "another mark flows"
ctl d rule del dev va netns "$a" egress match-set mk dst,dst action drop >/dev/null || fail "rule del"
note "a list:set with the hash:ip,mark member, at egress: its members match there"
ctl d set create mkl list:set >/dev/null
ctl d set add mkl mk >/dev/null
ctl d rule add dev va netns "$a" egress match-set mkl dst,dst action drop >/dev/null || fail "list rule"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 300))" "$(noports)" "another mark flows past the list"
ip netns exec "$a" iptables -t mangle -R OUTPUT 1 -j MARK --set-mark 0x12ab || fail "iptables MARK"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 300))" "$(noports)" "the member's mark dropped by the list"
assert_eq 100 "$(rule_count "$(rule_id mkl drop)")" "list rule counter"
ctl d rule del dev va netns "$a" egress match-set mkl dst,dst action drop >/dev/null || fail "rule del"
ip netns exec "$a" iptables -t mangle -F OUTPUT

note "hash:net,net through the daemon: a rule's two directions (src,dst; the kernel's own type is the oracle in test_sets_netnet_traffic)"
ctl d set create nn hash:net,net >/dev/null
ctl d set add nn 10.99.0.0/24,10.99.0.0-10.99.0.3 >/dev/null
ctl d set add nn 10.99.0.2,10.99.0.0/30 nomatch >/dev/null
ctl d rule add dev vb netns "$b" ingress prio 5 match-set nn src,dst action drop >/dev/null || fail "net,net rule"
n0=$(noports)
send 10.99.0.2 7000 100
assert_eq "$n0" "$(noports)" "a's packets to b, in the /24 and the range's /30, dropped"
ctl d rule del dev vb netns "$b" ingress prio 5 match-set nn src,dst action drop >/dev/null || fail "rule del"
ctl d rule add dev vb netns "$b" ingress prio 5 match-set nn dst,src action drop >/dev/null || fail "net,net rule"
send 10.99.0.2 7000 100
assert_eq "$((n0 + 100))" "$(noports)" "the other order: b's /32 first net, a nomatch, answers first: they flow (to the web rule's pass)"
assert_eq 0 "$(rule_count "$(rule_id nn drop)")" "the nomatch rule counted nothing"
ctl d rule del dev vb netns "$b" ingress prio 5 match-set nn dst,src action drop >/dev/null || fail "rule del"
ctl d set destroy nn >/dev/null || fail "destroy nn"

note "IPv6"
ctl d set create blk6 hash:net family inet6 >/dev/null
ctl d set add blk6 fd99::/64 >/dev/null
ctl d set add blk6 fd99::1/128 nomatch >/dev/null
ctl d rule add dev vb netns "$b" ingress prio 5 match-set blk6 src action drop >/dev/null || fail "v6 rule"
m0=$(noports6)
send fd99::2 9 100
assert_eq "$((m0 + 100))" "$(noports6)" "a nomatch host inside a dropped net passes"
ctl d set del blk6 fd99::1/128 >/dev/null
send fd99::2 9 100
assert_eq "$((m0 + 100))" "$(noports6)" "without the exception the net drops"

note "swap under traffic loses nothing"
ctl d set del blk 10.99.0.1 >/dev/null
ctl d set create blk2 hash:ip counters >/dev/null
ctl d set add blk2 10.99.0.1 >/dev/null
# what the veth itself drops (its XDP ring full under a burst, on a slow
# machine): counted by the kernel on both ends, and part of the total
veth_drops() {
	echo $(($(ip -n "$a" -s -j link show va | jq '.[0].stats64.tx.dropped') +
		$(ip -n "$b" -s -j link show vb | jq '.[0].stats64.rx.dropped')))
}
v0=$(veth_drops)
n0=$(noports)
c0=$(rule_count "$drop")
# The sender runs until told to stop; each swap is followed by a wait for
# traffic under the new state (the drop counter moves when blk holds the
# sender, NoPorts when it does not), so every swap happens mid-traffic
# however fast or slow the machine, and the sender's own count is the total.
spawn ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --rate 20000 --batch 16 --json >"$T_TMP/gen"
gen=$LAST_SPAWN
moved() { # COUNTER_CMD BEFORE: until the counter passes BEFORE (30 s guard)
	for _ in $(seq 600); do
		[ "$($1)" -gt "$2" ] && return 0
		sleep 0.05
	done
	fail "no traffic after a swap: $1 stayed at $2"
}
drops_now() { rule_count "$drop"; }
moved noports "$n0"
for swaps in 1 2 3 4 5 6; do
	before_d=$(drops_now) before_p=$(noports)
	ctl d set swap blk blk2 >/dev/null || fail "swap $swaps"
	# odd swaps put the sender's address in blk (dropped), even ones take it out
	if [ $((swaps % 2)) = 1 ]; then moved drops_now "$before_d"; else moved noports "$before_p"; fi
done
kill -TERM "-$gen"
wait "$gen" 2>/dev/null
sent=$(jq -r '.packets' "$T_TMP/gen")
[ "$(jq -r '.errors' "$T_TMP/gen")" = 0 ] || fail "sender errors: $(cat "$T_TMP/gen")"
# what left the sender has crossed the veth once the counters stop short of it
total() { echo $(($(rule_count "$drop") - c0 + $(noports) - n0 + $(veth_drops) - v0)); }
for _ in $(seq 100); do [ "$(total)" -ge "$sent" ] && break; sleep 0.05; done
dropped=$(($(rule_count "$drop") - c0))
passed=$(($(noports) - n0))
lost=$(($(veth_drops) - v0))
note "$swaps swaps: $sent sent, $dropped dropped, $passed passed, $lost dropped by the veth (ring full)"
assert_eq "$sent" "$((dropped + passed + lost))" "dropped + passed + the veth's own drops"
ctl d set flush blk >/dev/null && ctl d set flush blk2 >/dev/null || fail "flush"

note "timeouts expire at once for the dataplane"
ctl d set create tmo hash:ip timeout 600 >/dev/null
ctl d rule add dev vb netns "$b" ingress prio 1 match-set tmo src action drop >/dev/null
# The send must fall inside the entry's life, however slow the machine (an
# emulated guest takes seconds): the entry is asked again after it, and a
# send it did not outlive is done again with a longer timeout.
t=2
while :; do
	ctl d set add -exist tmo 10.99.0.1 timeout "$t" >/dev/null || fail "add with timeout $t"
	n0=$(noports)
	send 10.99.0.2 9 50
	n1=$(noports)
	ctl d set test tmo 10.99.0.1 >/dev/null 2>&1 && break
	[ "$t" -lt 64 ] || fail "the entry never outlived a send of 50 datagrams"
	t=$((t * 2))
	note "the entry expired during the send: again with timeout $t"
done
assert_eq "$n0" "$n1" "dropped while the entry lives"
# until the daemon says it expired (the guard is a minute past its timeout)
for _ in $(seq $(((t + 60) * 20))); do
	ctl d set test tmo 10.99.0.1 >/dev/null 2>&1 || break
	sleep 0.05
done
expect_exit 1 ctl d set test tmo 10.99.0.1
n0=$(noports)
send 10.99.0.2 9 50
assert_eq "$((n0 + 50))" "$(noports)" "passes once the entry expired"

note "a full set refuses the next add and keeps every entry"
ctl d set create full hash:ip maxelem 2 timeout 0 >/dev/null
ctl d set add full 10.1.0.1 >/dev/null
ctl d set add full 10.1.0.2 >/dev/null
expect_exit 1 ctl d set add full 10.1.0.3
grep -q "full" "$T_TMP/out" || fail "the error does not say the set is full: $(cat "$T_TMP/out")"
ctl d set add -exist full 10.1.0.2 timeout 100 >/dev/null || fail "updating an entry of a full set"
assert_eq 2 "$(ctl d -j set list full | jq '.sets[0].entries')" "entries kept"
expect_exit 1 ctl d set add -exist full 10.1.0.0/30
assert_eq "10.1.0.1 10.1.0.2" "$(ctl d -j set list full | jq -r '[.sets[0].members[].elem] | sort | join(" ")')" \
	"a range that does not fit adds nothing"

note "the daemon restarts without touching the dataplane"
ctl d set add tmo 10.99.0.1 timeout 0 >/dev/null || fail "a permanent entry"
link=$(ctl d -j rule list | jq '.hooks[] | select(.dev == "vb") | .link_id')
before=$(ctl d set save)
daemon_stop d
n0=$(noports)
send 10.99.0.2 9 100
assert_eq "$n0" "$(noports)" "rules keep dropping while no daemon runs"
daemon_start d
assert_eq "$link" "$(ctl d -j rule list | jq '.hooks[] | select(.dev == "vb") | .link_id')" "link adopted"
# an entry's remaining timeout moves while the daemon is down: compare the
# saves without it, then check that no remaining timeout grew (was reset)
after=$(ctl d set save)
strip_tmo() { sed -E '/^add /s/ timeout [0-9]+//'; }
assert_eq "$(echo "$before" | strip_tmo)" "$(echo "$after" | strip_tmo)" "sets adopted"
tmo_of() { echo "$1" | awk -v e="$2" '$1 == "add" && $2 == "full" && $3 == e {
	for (i = 4; i < NF; i++) if ($i == "timeout") print $(i + 1) }'; }
t0=$(tmo_of "$before" 10.1.0.2)
t1=$(tmo_of "$after" 10.1.0.2)
[ -n "$t0" ] && [ -n "$t1" ] || fail "no remaining timeout for 10.1.0.2 in the saves: '$t0' '$t1'"
[ "$t1" -le "$t0" ] && [ "$t1" -gt 0 ] || fail "10.1.0.2's timeout was $t0 before the restart, $t1 after"

note "--cleanup leaves nothing"
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
# the kernel releases an unpinned link from a work queue: give it a moment
no_xdp() { ip -n "$b" -j link show vb | jq -e '.[0].xdp == null' >/dev/null; }
wait_until 2 no_xdp || fail "XDP still on vb"
n0=$(noports)
send 10.99.0.2 9 10
assert_eq "$((n0 + 10))" "$(noports)" "traffic flows after cleanup"
