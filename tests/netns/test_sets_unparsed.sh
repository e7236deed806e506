# A hook that fails closed: frames sluice's parser gives up on (here IPv6
# with more extension headers than it walks) pass every set rule, so they
# slip past an address blocklist; an `unparsed action drop` rule stops them.
# The receiver's own stack is the oracle: it parses any number of headers,
# so every frame that gets through shows in its /proc/net/snmp6
# Udp6NoPorts (nothing listens on the port). Ingress (XDP) and egress
# (tcx), rule counters, save, and a restart that adopts the rule.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3 # Debian's interpreter, standard library only
SEND=$(dirname "$0")/tools/send_ip6_ext.py

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
ma=$(ip -n "$a" -j link show va | jq -r '.[0].address')
mb=$(ip -n "$b" -j link show vb | jq -r '.[0].address')

noports6() { snmp "$b" snmp6 Udp6NoPorts; }
# EXT_HEADERS COUNT: from a's fd99::1 to b's fd99::2 port 9, then an IPv4
# marker from one CPU; returns once b has counted the marker (so every
# frame before it is handled); prints how many a's egress refused
send_ext() {
	m0=$(snmp "$b" Udp NoPorts)
	ip netns exec "$a" taskset -c 0 "$PY" "$SEND" va "$ma" "$mb" fd99::1 fd99::2 9 "$1" "$2" 10.99.0.1 10.99.0.2 \
		>"$T_TMP/sent" || fail "send_ext"
	for _ in $(seq 200); do
		[ "$(snmp "$b" Udp NoPorts)" -gt "$m0" ] && break
		sleep 0.05
	done
	[ "$(snmp "$b" Udp NoPorts)" -gt "$m0" ] || fail "the marker behind the frames never reached b"
	awk '{ print $4 }' "$T_TMP/sent"
}
rule_field() { # MATCH ACTION FIELD
	ctl d -j rule list | jq -r --arg m "$1" --arg a "$2" --arg f "$3" \
		'[.rules[] | select(.match == $m and .action == $a)][0][$f]'
}
hook_unparsed() { # DIR: the hook's unparsed counter
	ctl d -j rule list | jq -r --arg d "$1" '[.hooks[] | select(.hook == $d)][0].unparsed'
}

note "a blocklist on b's ingress; the parser walks at most 6 extension headers"
ctl d set create blk6 hash:ip family inet6 >/dev/null || fail "create"
ctl d set add blk6 fd99::1 >/dev/null || fail "add"
ctl d rule add dev vb netns "$b" ingress match-set blk6 src action drop >/dev/null || fail "rule add"
n0=$(noports6)
assert_eq 0 "$(send_ext 6 200)" "frames refused at a's egress"
assert_eq "$n0" "$(noports6)" "6 extension headers parse: the blocklist drops them all"
assert_eq 200 "$(rule_field set drop packets)" "set rule counter"

note "7 extension headers: unparsed, so the blocklist is bypassed (the default, pass)"
send_ext 7 300 >/dev/null
assert_eq "$((n0 + 300))" "$(noports6)" "datagrams past the blocklist"
assert_eq 300 "$(hook_unparsed ingress)" "the hook counted them unparsed"

note "unparsed action drop: the hook fails closed"
ctl d rule add dev vb netns "$b" ingress unparsed action drop >/dev/null || fail "unparsed rule"
n1=$(noports6)
send_ext 7 300 >/dev/null
send_ext 12 100 >/dev/null
assert_eq "$n1" "$(noports6)" "unparsed datagrams that reached b"
assert_eq 400 "$(rule_field unparsed drop packets)" "unparsed rule counter"
assert_eq 200 "$(rule_field set drop packets)" "the set rule saw none of them"
ctl d -j rule list | jq -e '[.rules[] | select(.match == "unparsed")][0].set == ""' >/dev/null ||
	fail "an unparsed rule names no set"

note "parsed traffic from elsewhere still flows"
n2=$(snmp "$b" Udp NoPorts) # the markers above count here too: read after them
ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 9 --count 250 >/dev/null || fail "send v4"
assert_eq "$((n2 + 250))" "$(snmp "$b" Udp NoPorts)" "IPv4 datagrams that reached b"

note "egress (tcx) on a's side fails closed too"
ctl d rule add dev va netns "$a" egress unparsed action drop >/dev/null || fail "egress rule"
ctl d rule del dev vb netns "$b" ingress unparsed action drop >/dev/null || fail "rule del"
n3=$(noports6)
assert_eq 150 "$(send_ext 9 150)" "frames a's egress refused (the kernel's ENOBUFS)"
assert_eq "$n3" "$(noports6)" "dropped on a's egress"
assert_eq 150 "$(rule_field unparsed drop packets)" "egress unparsed rule counter"

note "save prints it, a restart adopts it"
ctl d save | grep -qx "rule add dev va netns $a egress prio 100 unparsed action drop" ||
	fail "save lacks the rule: $(ctl d save)"
daemon_stop d
daemon_start d
assert_eq unparsed "$(ctl d -j rule list | jq -r '[.rules[] | select(.hook == "egress")][0].match')" \
	"the adopted egress rule"
assert_eq 50 "$(send_ext 7 50)" "refused at a's egress after the restart"
assert_eq "$n3" "$(noports6)" "still dropped after the restart"

note "bad input changes nothing"
expect_exit 2 ctl d rule add dev vb netns "$b" ingress ! unparsed action drop
grep -q "'!' does not go with unparsed" "$T_TMP/out" || fail "$(cat "$T_TMP/out")"
expect_exit 2 ctl d rule add dev vb netns "$b" ingress unparsed match-set blk6 src action drop
assert_eq 2 "$(ctl d -j rule list | jq '.rules | length')" "rules after refused adds"
