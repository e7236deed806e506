# What the sets' traffic tests against the kernel's ipset share (after
# lib.sh): each case makes one set in the kernel and in sluiced, sends N
# datagrams per address, and keeps the totals in cases, addrs, dropped and
# passed. The rule's hook is in $hook.

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
