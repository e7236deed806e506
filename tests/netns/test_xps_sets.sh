#!/bin/sh
# xps add ... match-set SET DIR[,DIR...]: the packets a set of the sets
# feature matches (ipset's directions: dst, src, dst,dst for hash:ip,port)
# leave on the rule's tx queue, all of them, and the set's other packets
# keep the kernel's choice. The oracle is the kernel's, as in
# test_xps_steer: veth hands tx queue N to the peer's rx queue N, where an
# XDP program counts the test's own traffic per queue. The set is read as it
# is now (set add/del move packets without touching the rule); a set a rule
# names cannot be destroyed (ipset's exit code 1 and text); bad input
# changes nothing.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/xps_lib.sh"
require bpftool ethtool taskset

[ "$(nproc)" -ge 2 ] || skip "machine: fewer than 2 CPUs"
A=$(ns_new a)
Bn=$(ns_new b)
veth_pair "$A" "$Bn" 4
mb=$(ip -n "$Bn" -j link show vb | jq -r '.[0].address')
# destinations beside vb's own (its XDP program counts them all), and a second source
ip -n "$A" neigh replace 10.99.0.3 lladdr "$mb" dev va nud permanent
ip -n "$A" neigh replace fd99::3 lladdr "$mb" dev va nud permanent
ip -n "$A" addr add 10.99.0.11/24 dev va
daemon_start d

ctl d set create near hash:ip || fail "set create near"
ctl d set add near 10.99.0.2 || fail "set add near"
ctl d set create near6 hash:net family inet6 || fail "set create near6"
ctl d set add near6 fd99::2/128 || fail "set add near6"
ctl d set create svc hash:ip,port || fail "set create svc"
ctl d set add svc 10.99.0.3,udp:5001 || fail "set add svc"
ctl d set create srcs hash:ip || fail "set create srcs"
ctl d set add srcs 10.99.0.11 || fail "set add srcs"

# udp_from SRC DST PORT CPU: as udp, from address SRC
udp_from() {
	ip netns exec "$A" "$GEN" send --src "$1" --dst "$2" --port "$3" --count $N --cpu "$4" --sport-range 6000-6063 \
		--batch 16 >/dev/null || fail "sluice-gen $1 -> $2:$3 from CPU $4"
}

ctl d xps add dev va netns "$A" match-set near dst queue 2 || fail "xps add match-set near dst"
ctl d xps add dev va netns "$A" match-set near6 dst queue 1 || fail "xps add match-set near6 dst"
ctl d xps add dev va netns "$A" match-set svc dst,dst queue 3 || fail "xps add match-set svc dst,dst"
ctl d xps add dev va netns "$A" prio 5 match-set srcs src queue 0 || fail "xps add match-set srcs src"
steered "near dst -> 2, UDP/IPv4 to 10.99.0.2" "0 0 $N 0" udp 10.99.0.2 5000 0
steered "near dst -> 2, from CPU 1 too (a set selects every CPU)" "0 0 $N 0" udp 10.99.0.2 5000 1
spread "near dst, UDP/IPv4 to 10.99.0.3 (not in near)" udp 10.99.0.3 5000 0
steered "near6 dst -> 1, UDP/IPv6 to fd99::2" "0 $N 0 0" udp fd99::2 5000 0
spread "near6 dst, UDP/IPv6 to fd99::3 (not in near6)" udp fd99::3 5000 0
steered "svc dst,dst -> 3, UDP to 10.99.0.3 port 5001" "0 0 0 $N" udp 10.99.0.3 5001 0
spread "svc dst,dst, UDP to 10.99.0.3 port 5000 (not in svc)" udp 10.99.0.3 5000 0
steered "srcs src -> 0 (prio 5, first), UDP from 10.99.0.11 to 10.99.0.2" "$N 0 0 0" udp_from 10.99.0.11 10.99.0.2 5000 1
steered "srcs src, UDP from 10.99.0.1: near's rule" "0 0 $N 0" udp_from 10.99.0.1 10.99.0.2 5000 1

# the set as it is now: no apply, no program change
ctl d set del near 10.99.0.2 || fail "set del near"
spread "after set del: UDP/IPv4 to 10.99.0.2" udp 10.99.0.2 5000 0
ctl d set add near 10.99.0.2 || fail "set add near again"
steered "after set add: on 2 again" "0 0 $N 0" udp 10.99.0.2 5000 0

list=$(ctl d -j xps list) || fail "xps list"
assert_eq "near true" "$(echo "$list" | jq -r '.rules[] | select(.queue == 2) | "\(.match_set) \(.set_found)"')" \
	"xps list: the near rule names near, found"
[ "$(echo "$list" | jq '.rules[] | select(.queue == 3) | .packets')" -ge $N ] || fail "svc's rule count: $list"
assert_eq "xps add dev va netns $A match-set svc dst,dst queue 3" "$(ctl d save | grep 'match-set svc')" "save"

# bad input: an error naming what is wrong, nothing changed
before=$(ctl d save)
bad() {
	ctl d xps add dev va netns "$A" "$@" 2>"$T_TMP/err"
	assert_eq 2 $? "xps add $* ($(cat "$T_TMP/err"))"
	grep -q "$want" "$T_TMP/err" || fail "xps add $*: the error says '$want': $(cat "$T_TMP/err")"
}
want="does not exist" bad match-set nosuch dst queue 1
want="2 dimensions, 1 direction" bad match-set svc dst queue 1
want="missing DIR" bad match-set near
want="not src or dst" bad match-set near sideways queue 1
want="exactly one selector" bad match-set near dst cpu 0 queue 1
assert_eq "$before" "$(ctl d save)" "bad input changed nothing"

# a set a rule names stays: ipset's exit code and text
ctl d set destroy near 2>"$T_TMP/err"
assert_eq 1 $? "set destroy of a set an xps rule names ($(cat "$T_TMP/err"))"
grep -q "in use by a kernel component" "$T_TMP/err" || fail "ipset's text: $(cat "$T_TMP/err")"
ctl d xps del dev va netns "$A" match-set near dst || fail "xps del match-set near dst"
ctl d set destroy near || fail "set destroy near once no rule names it"
spread "after xps del: UDP/IPv4 to 10.99.0.2" udp 10.99.0.2 5000 0
echo PASS
