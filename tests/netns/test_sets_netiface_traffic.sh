# hash:net,iface on real traffic between two namespaces, against the
# kernel's ipset doing the same job: for each case the same set (create
# line and entries) is made in the kernel and in sluiced, and the same
# datagrams are sent from (ingress) or to (egress) several addresses. The
# kernel's set is matched by a counting iptables rule where the kernel
# knows the interface of the rule's direction: b's INPUT for the incoming
# interface (vb), a's POSTROUTING for the outgoing one (va); sluice's by its
# XDP ingress rule on vb or tc egress rule on va, dropping. Per address,
# the packets the kernel's rule matched must be the packets sluice dropped
# (b's Udp NoPorts counts what arrives: nothing listens), and `set test`
# must answer as `ipset test`.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sets_traffic_lib.sh"

require ipset iptables ip6tables
skip_kernel CONFIG_IP_SET_HASH_NETIFACE "the kernel's hash:net,iface is the oracle"
a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
N=100

veth_addrs "$a" "$b" "1 5 7 9" "5 9" "6 10 18"


cases=0 addrs=0 dropped=0 passed=0
# st_test_elem FAMILY WAY DIRS ADDR: the address and the interface of the
# rule's way (vb coming in, va going out)
st_test_elem() {
	if [ "$2" = in ]; then echo "$4,vb"; else echo "$4,va"; fi
}

# sources .101 .105 .107 .109 on va, arriving on vb: the /28 on vb; inside
# it a nomatch /30 (.104-.107) by the wildcard "v"; another name's /28
st_check i1 4 in src,src "hash:net,iface" "10.99.0.96/28,vb 10.99.0.104/30,v+wildcard+nomatch 10.99.0.112/28,vx" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
# wildcards alone, a physdev: entry (never, as in the kernel without a
# bridge), the /0, with values per entry
st_check i2 4 in src,src "hash:net,iface timeout 600 counters" \
	"10.99.0.100/30,v+wildcard 0.0.0.0/0,veth+timeout+0 10.99.0.104/30,physdev:vb 10.99.0.0/24,vb+nomatch" \
	10.99.0.101 10.99.0.105 10.99.0.109
st_check i6 6 in src,src "hash:net,iface family inet6" "fd99::/124,vb fd99::8/125,vb+nomatch" fd99::5 fd99::9
# egress: the outgoing interface, va, in the rule's dst
st_check o1 4 out dst,dst "hash:net,iface" "10.99.0.0/28,va 10.99.0.8/29,v+wildcard+nomatch" 10.99.0.6 10.99.0.10 10.99.0.18
note "$cases cases, $addrs addresses: kernel and sluice agree on every one ($dropped datagrams dropped, $passed passed)"

note "a restart adopts hash:net,iface sets with their names, wildcards and nomatch, and their rules"
ctl d set create r hash:net,iface timeout 0 >/dev/null || fail "create r"
for e in 10.99.0.96/28,vb "10.99.0.104/30,v wildcard nomatch" 10.99.0.0/24,physdev:vb; do
	# shellcheck disable=SC2086 # the entry and its options are words
	ctl d set add r $e >/dev/null || fail "add r $e"
done
ctl d rule add dev vb netns "$b" ingress match-set r src,src action drop >/dev/null || fail "rule r"
# restart_traffic WHAT: .101 dropped, .105 (nomatch) and .109's /24 (physdev) passed
restart_traffic() {
	got=""
	for x in 10.99.0.101 10.99.0.105; do
		n0=$(reached 4)
		send 4 in "$x"
		got="$got $(($(reached 4) - n0))"
	done
	assert_eq " 0 $N" "$got" "$1: datagrams that reached b from .101, .105"
}
restart_traffic "before the restart"
before=$(ctl d set save r)
daemon_stop d
daemon_start d
assert_eq "$before" "$(ctl d set save r)" "the set's save after a restart"
restart_traffic "the adopted program"
ctl d rule add dev vb netns "$b" ingress prio 1 match-set r src,src action count >/dev/null || fail "count rule"
restart_traffic "the program compiled after the restart"
ctl d rule del dev vb netns "$b" ingress prio 1 match-set r src,src action count >/dev/null || fail "count rule del"
ctl d rule del dev vb netns "$b" ingress match-set r src,src action drop >/dev/null || fail "rule r del"

note "the interface in the other direction: none on either hook (the kernel's -EINVAL: not in the set, so ! matches)"
ip netns exec "$b" ipset create x hash:net,iface || fail "ipset create x"
ctl d set create x hash:net,iface >/dev/null || fail "set create x"
for e in 10.99.0.0/24,vb 10.99.0.0/24,va; do
	ip netns exec "$b" ipset add x "$e" || fail "ipset add $e"
	ctl d set add x "$e" >/dev/null || fail "set add $e"
done
ip netns exec "$b" iptables -t mangle -A INPUT -p udp -m set ! --match-set x src,dst || fail "iptables !"
send 4 in 10.99.0.101
assert_eq "$N" "$(kernel_count "$b" INPUT iptables)" "the kernel's matches of ! src,dst on INPUT"
for hook in "dev vb netns $b ingress" "dev va netns $a egress"; do
	dirs=src,dst && [ "$hook" != "${hook%egress}" ] && dirs=dst,src
	# shellcheck disable=SC2086
	ctl d rule add $hook match-set x "$dirs" action drop >/dev/null || fail "rule add $hook"
	n0=$(reached 4)
	send 4 in 10.99.0.101
	assert_eq "$N" "$(($(reached 4) - n0))" "datagrams through match-set x $dirs on $hook"
	# shellcheck disable=SC2086
	ctl d rule del $hook match-set x "$dirs" action drop >/dev/null || fail "rule del"
	# shellcheck disable=SC2086
	ctl d rule add $hook ! match-set x "$dirs" action drop >/dev/null || fail "rule add ! $hook"
	n0=$(reached 4)
	send 4 in 10.99.0.101
	assert_eq "0" "$(($(reached 4) - n0))" "datagrams through ! match-set x $dirs on $hook"
	# shellcheck disable=SC2086
	ctl d rule del $hook ! match-set x "$dirs" action drop >/dev/null || fail "rule del !"
done
