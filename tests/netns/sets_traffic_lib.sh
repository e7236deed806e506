# What the sets' traffic tests against the kernel's ipset share (after
# lib.sh): each case makes one set in the kernel and in sluiced, sends N
# datagrams per address, and keeps the totals in cases, addrs, dropped and
# passed. The rule's hook is in $hook; a and b are the namespaces (a's va,
# b's vb), GEN the traffic tool.

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
