# hash:net,net on real traffic between two namespaces, against the
# kernel's ipset doing the same job (issue 10): for each case the same set
# (create line and entries) is made in the kernel and in sluiced, and the
# same datagrams are sent from (ingress) or to (egress) several addresses.
# The kernel's set is matched by a counting iptables rule (b's INPUT for
# what arrives on vb, a's POSTROUTING for what leaves va), sluice's by its
# XDP ingress rule on vb or tc egress rule on va, dropping. Per address,
# the packets the kernel's rule matched must be the packets sluice dropped
# (b's Udp NoPorts counts what arrives: nothing listens), and `set test`
# of the address pair must answer as `ipset test`. Kernels without the
# type (this machine's 6.18) cannot be the oracle: it runs in Debian 12's
# 6.1 guest (sh tests/kernel/guest.sh build 6.1.0-57-amd64 OUT
# netns/test_sets_netnet_traffic).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sets_traffic_lib.sh"

require ipset iptables ip6tables
skip_kernel CONFIG_IP_SET_HASH_NETNET "the kernel's hash:net,net is the oracle"
a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
daemon_start d
N=100

veth_addrs "$a" "$b" "1 5 7 9" "5 9" "6 10 18"

# pair FAMILY WAY DIRS ADDR: the element a packet of ADDR's gives in DIRS
pair() {
	other=10.99.0.2 && [ "$1" = 6 ] && other=fd99::2
	src=$4 dst=$other && [ "$2" = out ] && src=10.99.0.1 dst=$4
	case $3 in src,dst) echo "$src,$dst" ;; dst,src) echo "$dst,$src" ;; src,src) echo "$src,$src" ;; *) echo "$dst,$dst" ;; esac
}

cases=0 addrs=0 dropped=0 passed=0
# check NAME FAMILY WAY DIRS "CREATE OPTIONS" "ENTRY[+OPTION]..." ADDR...
check() {
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
		e=$(pair "$fam" "$way" "$dir" "$x")
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

# sources .101-.109 to b's 10.99.0.2: a /28 first net; inside it a /30
# whose only entry is a nomatch (it is tried first); another /30 whose
# second net misses 10.99.0.2, so its /28 answers
check n1 4 in src,dst "hash:net,net" \
	"10.99.0.96/28,10.99.0.0/24 10.99.0.104/30,10.99.0.2+nomatch 10.99.0.108/30,10.98.0.0/16" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
# the other order of directions; with values; a longer first net with a
# shorter second decides before a shorter first net
check n2 4 in dst,src "hash:net,net timeout 600 counters" \
	"10.99.0.0/30,10.99.0.100/30 10.99.0.0/24,10.99.0.96/27+nomatch 10.99.0.0/24,10.99.0.108/30+timeout+0" \
	10.99.0.101 10.99.0.105 10.99.0.109
# ranges on both sides, split into blocks as ipset splits them
check n3 4 in src,dst "hash:net,net" "10.99.0.101-10.99.0.106,10.99.0.1-10.99.0.3" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
check n6 6 in src,dst "hash:net,net family inet6" "fd99::/124,fd99::/64 fd99::8/125,fd99::2+nomatch" fd99::5 fd99::9
# egress: a's own address first, the destination second
check o1 4 out src,dst "hash:net,net" "10.99.0.0/24,10.99.0.0/28 10.99.0.0/24,10.99.0.8/29+nomatch" \
	10.99.0.6 10.99.0.10 10.99.0.18
note "$cases cases, $addrs addresses: kernel and sluice agree on every one ($dropped datagrams dropped, $passed passed)"
