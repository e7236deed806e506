# What the sets' traffic tests against the kernel's ipset share (after
# lib.sh): each case makes one set in the kernel and in sluiced, sends N
# datagrams per address, and keeps the totals in cases, addrs, dropped and
# passed. The rule's hook is in $hook; a and b are the namespaces (a's va,
# b's vb), GEN the traffic tool.
# shellcheck disable=SC2154 # a and b: the sourcing test's namespaces

reached() { # FAMILY: datagrams b's stack took (nothing listens)
	if [ "$1" = 6 ]; then snmp "$b" snmp6 Udp6NoPorts; else snmp "$b" Udp NoPorts; fi
}
# send FAMILY WAY ADDR: N datagrams from ADDR to b (in) or from a to ADDR (out)
send() {
	if [ "$2" = in ]; then
		dst=10.99.0.2 && [ "$1" = 6 ] && dst=fd99::2
		set -- --dst "$dst" --src "$3"
	else
		set -- --dst "$3"
	fi
	ip netns exec "$a" "$GEN" send --port 9 --count "$N" "$@" >/dev/null || fail "send $*"
}
# kernel_rule NS CHAIN IPT -A|-D NAME DIRS: the kernel's counting rule
kernel_rule() {
	ip netns exec "$1" "$3" -t mangle "$4" "$2" -p udp -m set --match-set "$5" "$6" || fail "$3 $4 $2"
}
kernel_count() { # NS CHAIN IPT: packets its rule matched
	ip netns exec "$1" "$3" -t mangle -L "$2" -v -n -x | awk '/match-set/ { print $1 }'
}

# st_tally NAME HITS NADDRS REACHED...: each address's datagrams reached b
# all or none (counted as passed or dropped), the case had addresses in
# the set and out of it, and sluice's rule counted every datagram of the
# addresses in the set
st_tally() {
	_name=$1 _hits=$2 _naddrs=$3
	shift 3
	for _v in "$@"; do
		case $_v in
		0) dropped=$((dropped + N)) ;;
		"$N") passed=$((passed + N)) ;;
		*) fail "$_name: $_v of $N datagrams from one address reached b" ;;
		esac
	done
	[ "$_hits" -gt 0 ] && [ "$_hits" -lt "$_naddrs" ] ||
		fail "$_name: $_hits of $_naddrs addresses in the set: a case must have both"
	_rule=$(ctl d -j rule list | jq -r --arg s "$_name" '.rules[] | select(.set == $s) | .packets')
	assert_eq "$((_hits * N))" "$_rule" "$_name: the rule's packets"
}

# st_case_end KERNEL_NS NAME DIRS NADDRS: the case's rule (on $hook) and
# both sets go; the case is counted
st_case_end() {
	# shellcheck disable=SC2086 # the hook's words
	ctl d rule del $hook match-set "$2" "$3" action drop >/dev/null || fail "rule del"
	ctl d set destroy "$2" >/dev/null || fail "set destroy"
	ip netns exec "$1" ipset destroy "$2" || fail "ipset destroy"
	cases=$((cases + 1)) addrs=$((addrs + $4))
}

# st_check NAME FAMILY WAY DIRS "CREATE OPTIONS" "ENTRY[+OPTION]..." ADDR...:
# one case: the set made alike in the kernel and in sluiced, N datagrams
# per address from (WAY in, to b) or to (out, from a) it, matched first by
# the kernel's counting rule (b's INPUT or a's POSTROUTING), then dropped
# by sluice's rule (XDP on vb or tc on va): per address the kernel's
# matches must be sluice's drops, and `ipset test` must answer as `set
# test` of the element the test's st_test_elem FAMILY WAY DIRS ADDR names
st_check() {
	name=$1 fam=$2 way=$3 dir=$4 opts=$5 elems=$6
	shift 6
	ipt=iptables && [ "$fam" = 6 ] && ipt=ip6tables
	kns=$b chain=INPUT && [ "$way" = out ] && kns=$a chain=POSTROUTING
	note "$name: $opts, entries $elems, $dir, $way, addresses $*"
	# shellcheck disable=SC2086 # the options are words
	ip netns exec "$kns" ipset create "$name" $opts || fail "ipset create"
	# shellcheck disable=SC2086
	ctl d set create "$name" $opts >/dev/null || fail "set create"
	for e in $elems; do
		e=$(echo "$e" | tr + ' ') # ELEM+OPTION: an entry with its options
		# shellcheck disable=SC2086 # the entry and its options are words
		ip netns exec "$kns" ipset add "$name" $e || fail "ipset add $e"
		# shellcheck disable=SC2086
		ctl d set add "$name" $e >/dev/null || fail "set add $e"
	done
	kernel_rule "$kns" "$chain" "$ipt" -A "$name" "$dir"
	k="" s="" hits=0
	for x in "$@"; do
		c0=$(kernel_count "$kns" "$chain" "$ipt")
		send "$fam" "$way" "$x"
		k="$k $(($(kernel_count "$kns" "$chain" "$ipt") - c0))"
	done
	kernel_rule "$kns" "$chain" "$ipt" -D "$name" "$dir"
	if [ "$way" = in ]; then hook="dev vb netns $b ingress"; else hook="dev va netns $a egress"; fi
	# shellcheck disable=SC2086
	ctl d rule add $hook match-set "$name" "$dir" action drop >/dev/null || fail "rule add"
	for x in "$@"; do
		n0=$(reached "$fam")
		send "$fam" "$way" "$x"
		s="$s $((N - ($(reached "$fam") - n0)))"
		e=$(st_test_elem "$fam" "$way" "$dir" "$x")
		kt=0 st=0
		ip netns exec "$kns" ipset -q test "$name" "$e" || kt=1
		ctl d set test "$name" "$e" >/dev/null 2>&1 || st=1
		assert_eq "$kt" "$st" "$name: ipset test and set test of $e (0: in the set)"
	done
	note "   matched (kernel) / dropped (sluice) per address:$k /$s"
	assert_eq "$k" "$s" "$name: the kernel's matches and sluice's drops per address"
	for v in $s; do
		case $v in
		0) passed=$((passed + N)) ;;
		"$N") dropped=$((dropped + N)) hits=$((hits + 1)) ;;
		*) fail "$name: $v of $N datagrams from one address dropped" ;;
		esac
	done
	[ "$hits" -gt 0 ] && [ "$hits" -lt $# ] || fail "$name: $hits of $# addresses matched: a case must have both"
	st_case_end "$kns" "$name" "$dir" $#
}
