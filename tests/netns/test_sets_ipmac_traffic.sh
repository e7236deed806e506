# bitmap:ip,mac on real traffic between two namespaces, against the
# kernel's ipset doing the same job: for each case the same set (create
# line and entries) is made twice, once in the kernel (ipset, matched by
# iptables `-m set` on b's INPUT) and once in sluiced (matched by its XDP
# ingress rule on b's vb, or its tc egress rule on a's va), and the same
# datagrams are sent from (ingress) or to (egress) several addresses. What
# reaches b's stack (Udp NoPorts: nothing listens) must be the same count
# per address on both sides; entries added without a MAC must have taken
# the MAC of the first packet that met them on both sides (`ipset save`
# and `set save` after the traffic), and `set test` must answer as
# `ipset test` for each address with the frame's MAC.
#
# Egress: the kernel's bitmap:ip,mac never matches a packet this host
# sends (OUTPUT/POSTROUTING: no MAC header yet, measured below), so the
# oracle of sluice's tc egress rule is the kernel's set matching the same
# frame where it arrives, on b's INPUT: a veth delivers the frame va sends
# unchanged, MACs included.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sets_traffic_lib.sh"

require ipset iptables
skip_kernel CONFIG_IP_SET_BITMAP_IPMAC "the kernel's bitmap:ip,mac is the oracle"
a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
N=100

ma=$(ip -n "$a" -j link show va | jq -r '.[0].address' | tr a-f A-F)
mb=$(ip -n "$b" -j link show vb | jq -r '.[0].address' | tr a-f A-F)
veth_addrs "$a" "$b" "1 5 7 9" "" "6 10 18"

reached() { snmp "$b" Udp NoPorts; }
# send_one WAY ADDR: N datagrams from ADDR (in) or to ADDR (out); adds how
# many reached b's stack to $got (no subshell: a failure ends the test)
send_one() {
	if [ "$1" = in ]; then set -- --dst 10.99.0.2 --src "$2"; else set -- --dst "$2"; fi
	n0=$(reached)
	ip netns exec "$a" "$GEN" send --port 9 --count "$N" "$@" >/dev/null || fail "send $*"
	got="$got $(($(reached) - n0))"
}

note "the kernel at a's OUTPUT and POSTROUTING: no bitmap:ip,mac match on a packet it sends, in any direction"
ip netns exec "$a" ipset create lo bitmap:ip,mac range 10.99.0.0/24 || fail "ipset create lo"
ip netns exec "$a" ipset add lo "10.99.0.2,$mb" || fail "ipset add lo"
ip netns exec "$a" ipset add lo 10.99.0.1 || fail "ipset add lo"
for c in OUTPUT POSTROUTING; do
	for dir in src,src dst,dst src,dst dst,src; do
		ip netns exec "$a" iptables -t mangle -A "$c" -p udp -m set --match-set lo "$dir" || fail "iptables $c"
	done
done
got=""
send_one out 10.99.0.2
assert_eq " $N" "$got" "datagrams from a to b with counting rules only"
assert_eq "0" "$(ip netns exec "$a" iptables -t mangle -L -v -n -x | awk '/match-set/ { s += $1 } END { print s + 0 }')" \
	"packets the kernel's OUTPUT/POSTROUTING rules on bitmap:ip,mac matched"
assert_eq "10.99.0.1" "$(ip netns exec "$a" ipset list lo | sed -n '/^Members:/{n;p}')" \
	"the entry without MAC, untouched by a's own packets"
ip netns exec "$a" iptables -t mangle -F || fail "iptables -F"
ip netns exec "$a" ipset destroy lo || fail "ipset destroy lo"

cases=0 addrs=0 dropped=0 passed=0
# check NAME WAY DIRS "CREATE OPTIONS" "ENTRY[+OPTION+VALUE]..." ADDR...: one case,
# kernel then sluice; the frame's MAC for DIRS' second direction is
# tested with each address
check() {
	name=$1 way=$2 dir=$3 opts=$4 elems=$5
	shift 5
	mac=$ma && [ "${dir#*,}" = dst ] && mac=$mb
	note "$name: $opts, entries $elems, $dir, $way, addresses $*"
	# shellcheck disable=SC2086 # the options are words
	ip netns exec "$b" ipset create "$name" $opts || fail "ipset create"
	# shellcheck disable=SC2086
	ctl d set create "$name" $opts >/dev/null || fail "set create"
	for e in $elems; do
		e=$(echo "$e" | tr + ' ') # ELEM+OPTION+VALUE: an entry with its options
		# shellcheck disable=SC2086 # the entry and its options are words
		ip netns exec "$b" ipset add "$name" $e || fail "ipset add $e"
		# shellcheck disable=SC2086
		ctl d set add "$name" $e >/dev/null || fail "set add $e"
	done
	ip netns exec "$b" iptables -A INPUT -m set --match-set "$name" "$dir" -j DROP || fail "iptables -A"
	got=""
	for x in "$@"; do send_one "$way" "$x"; done
	k=$got
	ip netns exec "$b" iptables -D INPUT -m set --match-set "$name" "$dir" -j DROP || fail "iptables -D"
	if [ "$way" = in ]; then hook="dev vb netns $b ingress"; else hook="dev va netns $a egress"; fi
	# shellcheck disable=SC2086
	ctl d rule add $hook match-set "$name" "$dir" action drop >/dev/null || fail "rule add"
	got=""
	hits=0
	for x in "$@"; do
		send_one "$way" "$x"
		kt=0 st=0
		ip netns exec "$b" ipset -q test "$name" "$x,$mac" || kt=1
		ctl d set test "$name" "$x,$mac" >/dev/null 2>&1 || st=1
		assert_eq "$kt" "$st" "$name: ipset test and set test of $x,$mac (0: in the set)"
		[ "$kt" = 0 ] && hits=$((hits + 1))
	done
	s=$got
	# after the traffic: the MACs filled in, counters' packets (bytes
	# differ: sluice counts from the Ethernet header, the kernel from the
	# IP header), the comment a fill drops; seconds left are read apart
	norm() { sed -e '/^add /s/ timeout [1-9][0-9]*/ timeout T/' -e '/^add /s/ bytes [0-9]*//'; }
	assert_eq "$(ip netns exec "$b" ipset save "$name" | norm)" "$(ctl d set save "$name" | norm)" \
		"$name: ipset save and set save after the traffic"
	note "   reached b: kernel$k, sluice$s"
	assert_eq "$k" "$s" "$name: datagrams that reached b per address, kernel then sluice"
	# shellcheck disable=SC2086 # the counts are words
	st_tally "$name" "$hits" $# $s
	st_case_end "$b" "$name" "$dir" $#
}

# sources on va (MAC $ma): .101 with its MAC, .105 with another, .107
# without one (takes $ma), .109 absent
check i1 in src,src "bitmap:ip,mac range 10.99.0.96/28" \
	"10.99.0.101,$ma 10.99.0.105,02:00:00:00:00:01 10.99.0.107" 10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
# the destination MAC (vb's, $mb) as the second direction
check i2 in src,dst "bitmap:ip,mac range 10.99.0.96/28" \
	"10.99.0.101,$mb 10.99.0.105,$ma 10.99.0.107" 10.99.0.101 10.99.0.105 10.99.0.107
# values: the pending timeout starts at the fill, counters become the
# packets, the comment goes; a timeout 0 entry fills and stays permanent
check i3 in src,src "bitmap:ip,mac range 10.99.0.0/24 timeout 600 counters comment" \
	"10.99.0.101,$ma+comment+c1 10.99.0.105,02:00:00:00:00:01 10.99.0.107+comment+c7+packets+5" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check i5 in src,src "bitmap:ip,mac range 10.99.0.0/24 timeout 0 counters" "10.99.0.107 10.99.0.109,02:00:00:00:00:09" \
	10.99.0.107 10.99.0.109
# egress, oracle at b: destinations .6 with vb's MAC, .10 with another, .2
# without one (takes vb's, the frame's destination MAC)
check o1 out dst,dst "bitmap:ip,mac range 10.99.0.0/28" \
	"10.99.0.6,$mb 10.99.0.10,02:00:00:00:00:01 10.99.0.2" 10.99.0.6 10.99.0.10 10.99.0.2
check o2 out dst,src "bitmap:ip,mac range 10.99.0.0/28 counters" "10.99.0.6,$ma 10.99.0.2,$mb" 10.99.0.6 10.99.0.2
note "$cases cases, $addrs addresses: kernel and sluice agree on every one ($dropped datagrams dropped, $passed passed)"

note "a restart adopts bitmap:ip,mac sets with their range and the MACs packets filled in"
ctl d set create r bitmap:ip,mac range 10.99.0.96/28 timeout 0 >/dev/null || fail "create r"
ctl d set add r 10.99.0.105 >/dev/null || fail "add r .105"
ctl d set add r 10.99.0.109,02:00:00:00:00:09 >/dev/null || fail "add r .109"
ctl d rule add dev vb netns "$b" ingress match-set r src,src action drop >/dev/null || fail "rule r"
got=""
for x in 10.99.0.105 10.99.0.109 10.99.0.101; do send_one in "$x"; done
assert_eq " 0 $N $N" "$got" "before the restart: datagrams that reached b from .105 (filled), .109, .101"
before=$(ctl d set save r)
case $before in *"add r 10.99.0.105,$ma timeout 0"*) ;; *) fail "the fill is not in the save: $before" ;; esac
daemon_stop d
daemon_start d
assert_eq "$before" "$(ctl d set save r)" "the set's save after a restart"
ctl d set add r 10.99.0.112 >/dev/null 2>&1 && fail "bitmap:ip,mac took an address outside its range after the restart"
got=""
for x in 10.99.0.105 10.99.0.109 10.99.0.101; do send_one in "$x"; done
assert_eq " 0 $N $N" "$got" "after the restart: datagrams that reached b from .105, .109, .101"
