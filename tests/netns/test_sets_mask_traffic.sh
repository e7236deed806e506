# netmask and bitmask sets (hash:ip and hash:ip,port, both families; bitmap:ip) on real traffic between
# two namespaces, against the kernel's ipset doing the same: for each case
# the same set (create line and entry) is made twice, once in the kernel
# (ipset, matched by iptables/ip6tables `-m set` on b's INPUT: a drop in
# a's OUTPUT would fail the send instead) and once in sluiced (matched by
# its XDP ingress rule on b's vb, or its tc egress rule on a's va),
# and the same datagrams are sent from (ingress) or to (egress) addresses
# inside and outside the entry's block. What reaches namespace b's stack
# (its Udp/Udp6 NoPorts: nothing listens) must be the same count per
# address on both sides, each address must be all dropped or all passed,
# and `set test` must answer as `ipset test` for every address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sets_traffic_lib.sh"

require ipset iptables ip6tables
skip_kernel CONFIG_IP_SET "the kernel's ipset is the oracle"
a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
N=100

# more addresses: sources on a's va, destinations on b's vb
veth_addrs "$a" "$b" "1 5 7 9 13 17 2" "5 6 9 d 17 3" "6 10 18"

# send_one FAMILY WAY ADDR: N datagrams from ADDR (in) or to ADDR (out);
# adds how many reached b's stack to $got (no subshell: a failure ends the test)
send_one() {
	fam=$1 way=$2 addr=$3
	if [ "$way" = in ]; then
		dst=10.99.0.2 && [ "$fam" = 6 ] && dst=fd99::2
		set -- --dst "$dst" --src "$addr"
	else
		set -- --dst "$addr"
	fi
	n0=$(reached "$fam")
	ip netns exec "$a" "$GEN" send --port 9 --count "$N" "$@" >/dev/null || fail "send $*"
	got="$got $(($(reached "$fam") - n0))"
}

cases=0 addrs=0 dropped=0 passed=0
# check NAME FAMILY WAY ELEM "TYPE OPTIONS" ADDR...: one case, kernel then
# sluice; a hash:ip,port set holds udp:9 (the port sent to), matched src,dst
check() {
	name=$1 fam=$2 way=$3 elem=$4 opts=$5
	shift 5
	ns=$b chain=INPUT dir=src && [ "$way" = out ] && dir=dst
	port=""
	case $opts in hash:ip,port*) dir=$dir,dst port=,udp:9 ;; esac
	ipt=iptables && [ "$fam" = 6 ] && ipt=ip6tables
	note "$name: $opts, entry $elem, $dir addresses $*"
	# shellcheck disable=SC2086 # the options are words
	ip netns exec "$ns" ipset create "$name" $opts || fail "ipset create"
	ip netns exec "$ns" ipset add "$name" "$elem" || fail "ipset add"
	ip netns exec "$ns" "$ipt" -A "$chain" -m set --match-set "$name" "$dir" -j DROP || fail "$ipt -A"
	got=""
	for x in "$@"; do send_one "$fam" "$way" "$x"; done
	k=$got
	# the kernel's set stays (test, save, counters), its rule goes
	ip netns exec "$ns" "$ipt" -D "$chain" -m set --match-set "$name" "$dir" -j DROP || fail "$ipt -D"
	# shellcheck disable=SC2086
	ctl d set create "$name" $opts >/dev/null || fail "set create: $(cat "$T_TMP/out" 2>/dev/null)"
	ctl d set add "$name" "$elem" >/dev/null || fail "set add"
	# the kernel's initval is random, an entry's seconds left read apart;
	# counters are compared after sluice's traffic
	norm() { sed -e '1s/ bucketsize [0-9]* initval 0x[0-9a-f]*//' -e '/^add /s/ timeout [0-9]*//' \
		-e '/^add /s/ packets [0-9]* bytes [0-9]*//'; }
	assert_eq "$(ip netns exec "$ns" ipset save "$name" | norm)" "$(ctl d set save "$name" | norm)" \
		"$name: ipset save and set save"
	if [ "$way" = in ]; then hook="dev vb netns $b ingress"; else hook="dev va netns $a egress"; fi
	# shellcheck disable=SC2086
	ctl d rule add $hook match-set "$name" "$dir" action drop >/dev/null || fail "rule add"
	got=""
	hits=0
	for x in "$@"; do
		send_one "$fam" "$way" "$x"
		kt=0 st=0
		ip netns exec "$ns" ipset -q test "$name" "$x$port" || kt=1
		ctl d set test "$name" "$x$port" >/dev/null 2>&1 || st=1
		assert_eq "$kt" "$st" "$name: ipset test and set test of $x (0: in the set)"
		[ "$kt" = 0 ] && hits=$((hits + 1))
	done
	s=$got
	# entry counters: packets alike (bytes differ: sluice counts from the
	# Ethernet header, the kernel from the IP header)
	pk() { sed -n 's/^add .* packets \([0-9]*\) .*/\1/p'; }
	case " $opts " in *" counters "*)
		assert_eq "$(ip netns exec "$ns" ipset save "$name" | pk)" "$(ctl d set save "$name" | pk)" \
			"$name: the entry's packets" ;;
	esac
	note "   reached b: kernel$k, sluice$s"
	assert_eq "$k" "$s" "$name: datagrams that reached b per address, kernel then sluice"
	# shellcheck disable=SC2086 # the counts are words
	st_tally "$name" "$hits" $# $s
	st_case_end "$ns" "$name" "$dir" $#
}

# IPv4 sources 10.99.0.105, .107 lie in the /30 of .106 (.104); 10.99.0.101
# and .109 do not. 243 = 11110011: .101 and .105 share .97, .113 and .117
# share .113, .102 is .98.
check m4 4 in 10.99.0.106 "hash:ip netmask 30" 10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check b4 4 in 10.99.0.101 "hash:ip bitmask 255.255.255.243" 10.99.0.101 10.99.0.105 10.99.0.113 10.99.0.117 10.99.0.102
check c4 4 in 10.99.0.117 "hash:ip netmask 28 timeout 600 counters" 10.99.0.113 10.99.0.117 10.99.0.101
# destinations on tc egress: .2 and .6 in the /29 of .0, .10 and .18 not
check e4 4 out 10.99.0.3 "hash:ip netmask 29" 10.99.0.2 10.99.0.6 10.99.0.10 10.99.0.18
# 241 = 11110001: .2, .6, .10 share .0 (.10 outside its /29), .18 not
check f4 4 out 10.99.0.2 "hash:ip bitmask 255.255.255.241" 10.99.0.2 10.99.0.6 10.99.0.10 10.99.0.18
# IPv6 sources: fd99::5, ::6 in the /126 of ::4; bitmask ...:fff3 keeps
# bits 7..4 and 1..0 of the last byte: ::5, ::9, ::d, ::1 share ::1
check m6 6 in fd99::7 "hash:ip family inet6 netmask 126 counters" fd99::5 fd99::6 fd99::9 fd99::3
check b6 6 in fd99::1 "hash:ip family inet6 bitmask ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff3" fd99::5 fd99::9 fd99::d fd99::3 fd99::17
# hash:ip,port: the address masked, the port kept (9 is what is sent to)
check p4 4 in 10.99.0.106,udp:9 "hash:ip,port netmask 30 counters" 10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check p6 6 in fd99::1,udp:9 "hash:ip,port family inet6 bitmask ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff3" \
	fd99::5 fd99::3
# bitmap:ip (sluice keeps it as an IPv4 hash:ip with the netmask): the
# netmask's blocks; hosts in a range that is no CIDR block, .109 outside
# it; on egress with values per entry, the members listed in order
check bm4 4 in 10.99.0.106 "bitmap:ip range 10.99.0.0/24 netmask 30" 10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check bh4 4 in 10.99.0.104/30 "bitmap:ip range 10.99.0.96-10.99.0.107" 10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check be4 4 out 10.99.0.7-10.99.0.1 "bitmap:ip range 10.99.0.0/28 timeout 600 counters" 10.99.0.2 10.99.0.6 10.99.0.10
note "$cases cases, $addrs addresses: kernel and sluice agree on every one ($dropped datagrams dropped, $passed passed)"

note "a restart adopts masked sets (the mask is in the set's record, sl_sets_v3) and their rules"
ctl d set create r4 hash:ip netmask 30 >/dev/null || fail "create r4"
ctl d set add r4 10.99.0.106 >/dev/null || fail "add r4"
ctl d set create r6 hash:ip family inet6 bitmask ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff3 counters >/dev/null ||
	fail "create r6"
ctl d set add r6 fd99::1 >/dev/null || fail "add r6"
# bitmap:ip keeps its range where hash:ip keeps a bitmask
ctl d set create rb bitmap:ip range 10.99.0.96-10.99.0.107 netmask 30 timeout 0 >/dev/null || fail "create rb"
ctl d set add rb 10.99.0.106 >/dev/null || fail "add rb"
ctl d rule add dev vb netns "$b" ingress match-set r4 src action drop >/dev/null || fail "rule r4"
ctl d rule add dev vb netns "$b" ingress match-set r6 src action drop >/dev/null || fail "rule r6"
before=$(ctl d set save | sed '/^add /s/ packets [0-9]* bytes [0-9]*//')
daemon_stop d
daemon_start d
assert_eq "$before" "$(ctl d set save | sed '/^add /s/ packets [0-9]* bytes [0-9]*//')" "the sets' save after a restart"
# restart_traffic WHAT: 10.99.0.105 and fd99::5 dropped, 10.99.0.109 and fd99::3 passed
restart_traffic() {
	got=""
	for x in 10.99.0.105 10.99.0.109; do send_one 4 in "$x"; done
	for x in fd99::5 fd99::3; do send_one 6 in "$x"; done
	assert_eq " 0 $N 0 $N" "$got" "$1: datagrams that reached b from .105, .109, ::5, ::3"
}
restart_traffic "the adopted program"
ctl d set test r4 10.99.0.107 >/dev/null 2>&1 || fail "set test of a masked address after the restart"
ctl d set test rb 10.99.0.105 >/dev/null 2>&1 || fail "set test of a bitmap:ip address after the restart"
ctl d set add rb 10.99.0.108 >/dev/null 2>&1 && fail "bitmap:ip took an address outside its range after the restart"
# a rule change loads the hook's program again, from the records the restart read
ctl d rule add dev vb netns "$b" ingress prio 1 match-set r4 src action count >/dev/null || fail "count rule"
restart_traffic "the program compiled after the restart"

note "a swap with an unmasked set: the rule on r4 takes the other set's (absent) mask with its entries"
ctl d set create r4x hash:ip >/dev/null || fail "create r4x"
ctl d set add r4x 10.99.0.109 >/dev/null || fail "add r4x"
ctl d set swap r4 r4x >/dev/null || fail "swap"
got=""
for x in 10.99.0.105 10.99.0.109 10.99.0.113; do send_one 4 in "$x"; done
assert_eq " $N 0 $N" "$got" "after the swap: datagrams that reached b from .105, .109, .113"
ctl d set swap r4 r4x >/dev/null || fail "swap back"
got=""
for x in 10.99.0.105 10.99.0.109 10.99.0.113; do send_one 4 in "$x"; done
assert_eq " 0 $N $N" "$got" "swapped back: datagrams that reached b from .105, .109, .113"
