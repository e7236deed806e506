# list:set on real traffic between two namespaces, against the kernel's
# ipset doing the same job: the same member sets and the same list are made
# in the kernel (matched by iptables/ip6tables `-m set --match-set L DIR` on
# b's INPUT) and in sluiced (its rule on L: XDP ingress on b's vb, or tc
# egress on a's va), and the same datagrams are sent from (ingress) or to
# (egress) addresses in and out of the members. What reaches b's stack (its
# Udp/Udp6 NoPorts: nothing listens) must be the same count per address on
# both sides, in every phase: as made, after a member is added to the list
# and after one is deleted from it while the rules are live, after a `!`
# rule, and after a swap of two members. A member of more dimensions than
# the rule gives (hash:ip,port under `src`) and one of the other family
# never match, as in the kernel; so do members of bitmap:ip,mac (the
# source MAC) and hash:net,iface (b's incoming interface). Then an add/del on a list, which rebuilds
# its rules' programs as one transaction, is killed at each of its steps
# (SLUICE_FAULT=list:k): after the restart the dataplane must do what
# `save` says.
. "$(dirname "$0")/lib.sh"

require ipset iptables ip6tables jq
skip_kernel CONFIG_IP_SET "the kernel's ipset is the oracle"
skip_kernel CONFIG_IP_SET_LIST_SET "the kernel's list:set is the oracle"
a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
N=50

# sources on a's va, destinations on b's vb (static neighbours, as
# veth_pair's own, so no packet waits for ARP or ND)
mb=$(ip -n "$b" -j link show vb | jq -r '.[0].address')
for x in 105 107 109 113 121; do ip -n "$a" addr add "10.99.0.$x/24" dev va; done
for x in 5 7; do ip -n "$a" addr add "fd99::$x/64" dev va nodad; done
for x in 6 10 18; do
	ip -n "$b" addr add "10.99.0.$x/24" dev vb
	ip -n "$a" neigh replace "10.99.0.$x" lladdr "$mb" dev va nud permanent
done

reached() { # FAMILY: datagrams b's stack took (nothing listens)
	if [ "$1" = 6 ]; then snmp "$b" snmp6 Udp6NoPorts; else snmp "$b" Udp NoPorts; fi
}
# send_all WAY ADDR...: N datagrams from each ADDR (in) or to each (out);
# $got: how many reached b's stack, per address
send_all() {
	way=$1
	shift
	got=""
	for addr in "$@"; do
		fam=4
		case $addr in *:*) fam=6 ;; esac
		if [ "$way" = in ]; then
			dst=10.99.0.2 && [ "$fam" = 6 ] && dst=fd99::2
			n0=$(reached "$fam")
			ip netns exec "$a" "$GEN" send --port 9 --count "$N" --dst "$dst" --src "$addr" >/dev/null ||
				fail "send from $addr"
		else
			n0=$(reached "$fam")
			ip netns exec "$a" "$GEN" send --port 9 --count "$N" --dst "$addr" >/dev/null || fail "send to $addr"
		fi
		got="$got $(($(reached "$fam") - n0))"
	done
}

# both CMD...: an ipset command line in the kernel (b) and in sluiced
both() {
	ip netns exec "$b" ipset "$@" || fail "ipset $*"
	ctl d set "$@" >/dev/null || fail "set $*: $(ctl d set "$@" 2>&1)"
}

# members, each in the kernel and in sluiced: two IPv4 hosts, a net, an
# IPv6 host, a hash:ip,port (two dimensions), a spare for the live add
members() {
	both create m4 hash:ip
	both add m4 10.99.0.105
	both create n4 hash:net
	both add n4 10.99.0.112/30
	both create m6 hash:ip family inet6
	both add m6 fd99::5
	both create p4 hash:ip,port
	both add p4 10.99.0.107,udp:9
	both create x4 hash:ip
	both add x4 10.99.0.109
	both create e4 hash:ip
	both add e4 10.99.0.6
	both add e4 10.99.0.10
	both create en hash:net
	both add en 10.99.0.16/30
}

daemon_start d
members
both create L list:set
both add L m4
both add L m6
both add L p4
both add L n4 before m4
assert_eq "$(ip netns exec "$b" ipset save L)" "$(ctl d set save L)" "ipset save L and set save L"

phases=0 addrs=0
# phase WHAT WAY DIR [!] ADDR...: the kernel's rule, then sluice's, on the
# same traffic; per address, what reached b must agree
phase() {
	what=$1 way=$2 dir=$3
	shift 3
	inv="" && [ "$1" = "!" ] && inv="!" && shift
	for ipt in iptables ip6tables; do
		# shellcheck disable=SC2086 # inv: the word or nothing
		ip netns exec "$b" "$ipt" -A INPUT -m set $inv --match-set L "$dir" -j DROP || fail "$ipt -A"
	done
	send_all "$way" "$@"
	k=$got
	for ipt in iptables ip6tables; do
		# shellcheck disable=SC2086
		ip netns exec "$b" "$ipt" -D INPUT -m set $inv --match-set L "$dir" -j DROP || fail "$ipt -D"
	done
	if [ "$way" = in ]; then hook="dev vb netns $b ingress"; else hook="dev va netns $a egress"; fi
	# shellcheck disable=SC2086
	ctl d rule add $hook match-set L "$dir" $inv action drop >/dev/null || fail "rule add"
	send_all "$way" "$@"
	s=$got
	# shellcheck disable=SC2086
	ctl d rule del $hook match-set L "$dir" $inv action drop >/dev/null || fail "rule del"
	note "$what ($way, $dir${inv:+ $inv}): reached b from $*: kernel$k, sluice$s"
	assert_eq "$k" "$s" "$what: datagrams that reached b per address, kernel then sluice"
	case " $s " in *" 0 "*) ;; *) fail "$what: nothing was dropped: the phase tests nothing" ;; esac
	case " $s " in *" $N "*) ;; *) fail "$what: nothing passed: the phase tests nothing" ;; esac
	phases=$((phases + 1)) addrs=$((addrs + $#))
}

IN4="10.99.0.105 10.99.0.107 10.99.0.109 10.99.0.113 10.99.0.121 fd99::5 fd99::7" # (for notes)
# in4 FUNCTION ARGS...: FUNCTION ARGS and the addresses sent from: hosts in
# m4, p4 (with port 9), x4, n4's net, none of them, m6's, none of them
in4() { "$@" 10.99.0.105 10.99.0.107 10.99.0.109 10.99.0.113 10.99.0.121 fd99::5 fd99::7; }
in4 phase "as made" in src
in4 phase "the hash:ip,port member matches under src,dst" in src,dst
in4 phase "inverted" in src !

note "live changes: a rule on L stays while members come and go"
ctl d rule add dev vb netns "$b" ingress match-set L src action drop >/dev/null || fail "live rule"
for ipt in iptables ip6tables; do
	ip netns exec "$b" "$ipt" -A INPUT -m set --match-set L src -j DROP || fail "$ipt -A live"
done
# kernel_alone WHAT: both rules stay in place between the checks; the same
# traffic against the kernel's alone (sluice's rule deleted), then
# sluice's alone (the kernel's deleted): with both, the kernel would see
# only what sluice passed
kernel_alone() {
	ctl d rule del dev vb netns "$b" ingress match-set L src action drop >/dev/null || fail "live rule off"
	in4 send_all in
	k=$got
	ctl d rule add dev vb netns "$b" ingress match-set L src action drop >/dev/null || fail "live rule on"
	for ipt in iptables ip6tables; do
		ip netns exec "$b" "$ipt" -D INPUT -m set --match-set L src -j DROP || fail "$ipt -D live"
	done
	in4 send_all in
	for ipt in iptables ip6tables; do
		ip netns exec "$b" "$ipt" -A INPUT -m set --match-set L src -j DROP || fail "$ipt -A live"
	done
	note "$1: reached b from $IN4: kernel$k, sluice$got"
	assert_eq "$k" "$got" "$1: datagrams that reached b per address, kernel then sluice"
	phases=$((phases + 1)) addrs=$((addrs + 7))
}
kernel_alone "live, as made"
both add L x4 after m6
kernel_alone "live, x4 added after m6"
both del L m4
kernel_alone "live, m4 deleted"
both swap x4 m4
kernel_alone "live, members x4 and m4 swapped"
both flush m6
kernel_alone "live, member m6 flushed"
ctl d rule del dev vb netns "$b" ingress match-set L src action drop >/dev/null || fail "live rule off"
for ipt in iptables ip6tables; do
	ip netns exec "$b" "$ipt" -D INPUT -m set --match-set L src -j DROP || fail "$ipt -D live"
done

note "egress: destinations in a list of a host set and a net"
both create E list:set
both add E e4
both add E en
both swap E L
phase "egress" out dst 10.99.0.6 10.99.0.10 10.99.0.18 10.99.0.2

note "members of issue 10's other types: bitmap:ip,mac (the source MAC) and hash:net,iface (the incoming interface)"
ma=$(ip -n "$a" -j link show va | jq -r '.[0].address')
both create im bitmap:ip,mac range 10.99.0.0/24
both add im "10.99.0.105,$ma"
both add im 10.99.0.107,02:00:00:00:00:01
both add im 10.99.0.109 # no MAC: the first packet's fills it in, then matches
both create ni hash:net,iface
both add ni 10.99.0.112/30,vb
both add ni 10.99.0.120/30,vx
both create ni6 hash:net,iface family inet6
both add ni6 fd99::5/128,v wildcard
both create I list:set
both add I im
both add I ni
both add I ni6
both swap I L
in4 phase "bitmap:ip,mac and hash:net,iface members" in src,src
in4 phase "bitmap:ip,mac and hash:net,iface members, inverted" in src,src !
note "$phases phases, $addrs addresses: kernel and sluice agree on every one"

note "crash safety: an add or del on a list under a rule is a transaction (fault points list:k)"
daemon_stop d
conf=$T_TMP/list.conf
cat >"$conf" <<EOF
set create m4 hash:ip
set add m4 10.99.0.105
set create L list:set
set add L m4
rule add dev vb netns $b ingress match-set L src action drop
EOF
restart() {
	: >"$T_TMP/d.log"
	daemon_launch d --config "$conf"
	daemon_ready d 20 || { cat "$T_TMP/d.log"; fail "$1: the daemon did not come up"; }
}
# matches WHAT: 10.99.0.105 is dropped if and only if save has m4 in L
matches() {
	ctl d save >"$T_TMP/save" || fail "$1: save"
	send_all in 10.99.0.105 10.99.0.121
	if grep -q "^set add L m4" "$T_TMP/save"; then want=" 0 $N"; else want=" $N $N"; fi
	assert_eq "$want" "$got" "$1: datagrams that reached b from .105 (save: $(grep -c '^set add L m4' "$T_TMP/save") m4 in L) and .121"
}
restart "fresh start"
matches "fresh start"
# each kill at step k of whichever change the state allows (del while m4
# is in L, add while it is not), until one completes
k=1 opened=0
while :; do
	[ $k -le 40 ] || fail "list: still dying at step 40"
	daemon_stop d
	: >"$T_TMP/d.log"
	SLUICE_FAULT=list:$k
	export SLUICE_FAULT
	daemon_launch d --config "$conf"
	unset SLUICE_FAULT
	daemon_ready d 20 || { cat "$T_TMP/d.log"; fail "armed with list:$k, died before ready"; }
	ctl d save >"$T_TMP/save" || fail "save before list:$k"
	if grep -q "^set add L m4" "$T_TMP/save"; then change="set del L m4"; else change="set add L m4"; fi
	# shellcheck disable=SC2086 # the command's words
	if ctl d $change >"$T_TMP/out" 2>&1 && daemon_alive d; then
		matches "$change completed"
		break
	fi
	daemon_reap d
	[ "$REAPED" = 137 ] || { cat "$T_TMP/d.log"; fail "list:$k: exited $REAPED, not by SIGKILL"; }
	grep -q "fault point list:$k: killing myself" "$T_TMP/d.log" || { cat "$T_TMP/d.log"; fail "not at list:$k"; }
	restart "after list:$k"
	grep -q "rolled back" "$T_TMP/d.log" && opened=$((opened + 1))
	matches "restart after '$change' killed at list:$k"
	note "ok: '$change' killed at list:$k: the dataplane does what save says"
	k=$((k + 1))
done
[ "$opened" -ge 1 ] || fail "list: no kill left the change open"
note "list: $((k - 1)) steps killed, $opened left open and were rolled back"
daemon_stop d
