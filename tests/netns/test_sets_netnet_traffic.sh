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

# st_test_elem FAMILY WAY DIRS ADDR: the element a packet of ADDR's gives in DIRS
st_test_elem() {
	other=10.99.0.2 && [ "$1" = 6 ] && other=fd99::2
	src=$4 dst=$other && [ "$2" = out ] && src=10.99.0.1 dst=$4
	case $3 in src,dst) echo "$src,$dst" ;; dst,src) echo "$dst,$src" ;; src,src) echo "$src,$src" ;; *) echo "$dst,$dst" ;; esac
}

cases=0 addrs=0 dropped=0 passed=0

# sources .101-.109 to b's 10.99.0.2: a /28 first net; inside it a /30
# whose only entry is a nomatch (it is tried first); another /30 whose
# second net misses 10.99.0.2, so its /28 answers
st_check n1 4 in src,dst "hash:net,net" \
	"10.99.0.96/28,10.99.0.0/24 10.99.0.104/30,10.99.0.2+nomatch 10.99.0.108/30,10.98.0.0/16" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
# the other order of directions; with values; a longer first net with a
# shorter second decides before a shorter first net
st_check n2 4 in dst,src "hash:net,net timeout 600 counters" \
	"10.99.0.0/30,10.99.0.100/30 10.99.0.0/24,10.99.0.96/27+nomatch 10.99.0.0/24,10.99.0.108/30+timeout+0" \
	10.99.0.101 10.99.0.105 10.99.0.109
# ranges on both sides, split into blocks as ipset splits them
st_check n3 4 in src,dst "hash:net,net" "10.99.0.101-10.99.0.106,10.99.0.1-10.99.0.3" \
	10.99.0.101 10.99.0.105 10.99.0.107 10.99.0.109
st_check n6 6 in src,dst "hash:net,net family inet6" "fd99::/124,fd99::/64 fd99::8/125,fd99::2+nomatch" fd99::5 fd99::9
# egress: a's own address first, the destination second
st_check o1 4 out src,dst "hash:net,net" "10.99.0.0/24,10.99.0.0/28 10.99.0.0/24,10.99.0.8/29+nomatch" \
	10.99.0.6 10.99.0.10 10.99.0.18
note "$cases cases, $addrs addresses: kernel and sluice agree on every one ($dropped datagrams dropped, $passed passed)"
