# What the SCTP tests share (after lib.sh): two namespaces A (the client)
# and Z (the server) joined by two veth pairs, link N being aN in A
# (10.N.0.1/24) to zN in Z (10.N.0.2/24), static neighbours; and the
# multihomed libusrsctp endpoint, tests/tools/sctp-peer.
PEER=$B/tests/tools/sctp-peer
[ -x "$PEER" ] || fail "$PEER is not built (make check-netns)"

# sctp_topology [SUFFIX]: sets A and Z (namespaces aSUFFIX and zSUFFIX, so
# a test can build the topology twice)
sctp_topology() {
	A=$(ns_new "a${1:-}")
	Z=$(ns_new "z${1:-}")
	for n in 1 2; do
		ip -n "$A" link add "a$n" type veth peer name "z$n" netns "$Z" || fail "veth $n"
		ip -n "$A" addr add "10.$n.0.1/24" dev "a$n"
		ip -n "$Z" addr add "10.$n.0.2/24" dev "z$n"
		ip -n "$A" link set "a$n" up
		ip -n "$Z" link set "z$n" up
		sctp_neigh "$n" "10.$n.0.1" "10.$n.0.2"
	done
}

# sctp_neigh N ADDR_A ADDR_Z: static neighbours on link N: in A, ADDR_Z at
# zN; in Z, ADDR_A at aN (no resolution traffic, nothing to wait for)
sctp_neigh() {
	ip -n "$A" neigh replace "$3" lladdr "$(ip -n "$Z" -j link show "z$1" | jq -r '.[0].address')" dev "a$1" nud permanent ||
		fail "neighbour $3 in A"
	ip -n "$Z" neigh replace "$2" lladdr "$(ip -n "$A" -j link show "a$1" | jq -r '.[0].address')" dev "z$1" nud permanent ||
		fail "neighbour $2 in Z"
}

# sctp_ipv6_link: an IPv6 pair on link 2 too, fd00:2::1/64 on a2 and
# fd00:2::2/64 on z2, usable at once (no duplicate address detection)
sctp_ipv6_link() {
	ip -n "$A" addr add fd00:2::1/64 dev a2 nodad || fail "fd00:2::1 on a2"
	ip -n "$Z" addr add fd00:2::2/64 dev z2 nodad || fail "fd00:2::2 on z2"
	sctp_neigh 2 fd00:2::1 fd00:2::2
}

# sctp_capture NS DEV FILTER: tcpdump on DEV in NS into $T_TMP/DEV.pcap,
# spawned (a failure's cleanup stops it; its pid in cap_DEV), returning
# once it listens. Immediate mode: a packet is read as it comes, none left
# in the ring when it stops; -s 2048 keeps the ring's slots small enough
# (with the default snap length 2 MB hold 8 packets and a burst overflows)
sctp_capture() {
	spawn ip netns exec "$1" tcpdump -i "$2" -nn -U --immediate-mode -s 2048 -B 16384 -w "$T_TMP/$2.pcap" "$3" \
		2>"$T_TMP/$2.err"
	eval "cap_$2=\$LAST_SPAWN"
	wait_until 10 grep -q "listening on" "$T_TMP/$2.err" || fail "tcpdump on $2 did not start: $(cat "$T_TMP/$2.err")"
}

# sctp_capture_stop DEV: stops it; fails when it lost packets; its text (epoch times) in $T_TMP/DEV.txt
sctp_capture_stop() {
	eval "kill -INT \$cap_$1; wait \$cap_$1"
	grep -q "^0 packets dropped by kernel" "$T_TMP/$1.err" || fail "tcpdump on $1 lost packets: $(cat "$T_TMP/$1.err")"
	tcpdump -r "$T_TMP/$1.pcap" -nn -tt 2>/dev/null >"$T_TMP/$1.txt"
}

# sctp_pairs A_ADDRS FILE...: the SCTP packets of tcpdump -nn text per
# address pair, one "A>Z N" line each, A's address first whichever way the
# packet went (A_ADDRS: the client's, comma-separated); sorted
sctp_pairs() {
	_a=$1
	shift
	awk -v a="$_a" '
		BEGIN { split(a, l, ","); for (i in l) is_a[l[i]] = 1 }
		$2 != "IP" && $2 != "IP6" { next } # continuation lines of one packet
		{ s = $3; d = $5; sub(/\.[0-9]+$/, "", s); sub(/\.[0-9]+:$/, "", d)
		  if (s in is_a) n[s ">" d]++; else n[d ">" s]++ }
		END { for (k in n) print k, n[k] }' "$@" | sort
}

# sctp_server NAME ARGS...: the server in Z in the background (its pid in
# LAST_SPAWN), its JSON line in $T_TMP/NAME.json; returns once it listens
sctp_server() {
	_name=$1
	shift
	spawn ip netns exec "$Z" "$PEER" server "$@" >"$T_TMP/$_name.json" 2>"$T_TMP/$_name.err"
	wait_until 10 grep -q listening "$T_TMP/$_name.err" || fail "server $_name did not listen: $(cat "$T_TMP/$_name.err")"
}

# sctp_counter NS NAME: a counter of the sctp programs in NS (daemon d1)
sctp_counter() {
	ctl d1 -j status | jq --arg ns "$1" --arg c "$2" \
		'[.features[] | select(.name == "sctp") | .zones[] | select(.netns == $ns) | .counters[$c]] | add // 0'
}

# sctp_link1_down: how the failover tests take path 1 down: a1 goes down
sctp_link1_down() { ip -n "$A" link set a1 down; }

# sctp_failover NAME FLOWING [A_ADDRS Z_ADDRS [DOWN]]: the failover stream
# in the topology of A and Z: a server in Z bound to Z_ADDRS, a client in A
# bound to A_ADDRS (both default to the two IPv4 addresses of the side),
# 1,500 messages 2 ms apart with fast failure detection (--fast); once the
# command FLOWING succeeds (data flows), the command DOWN takes path 1 down
# (default sctp_link1_down). Returns when the client has reported
# ($T_TMP/NAME-client.json: its sent count and path states); the server's
# report is $T_TMP/NAME-server.json once it has every message or its
# association ended. Their pids in FAILOVER_CLIENT and FAILOVER_SERVER.
sctp_failover() {
	_za=${4:-10.1.0.2,10.2.0.2}
	sctp_server "$1-server" --port 7000 --bind "$_za" --count 1500 --hold --fast
	FAILOVER_SERVER=$LAST_SPAWN
	spawn ip netns exec "$A" "$PEER" client --port 7000 --bind "${3:-10.1.0.1,10.2.0.1}" --peer "$_za" \
		--count 1500 --interval-us 2000 --hold --fast >"$T_TMP/$1-client.json"
	FAILOVER_CLIENT=$LAST_SPAWN
	wait_until 20 "$2" || fail "$1: no data flowed"
	"${5:-sctp_link1_down}"
	wait_until 60 test -s "$T_TMP/$1-client.json" || fail "$1: the client did not finish"
	note "$1: client: $(cat "$T_TMP/$1-client.json")"
}

# sctp_policy_daemon NAME: a daemon tracking both paths in both namespaces,
# with the policy on the server's devices admitting the client's two addresses
sctp_policy_daemon() {
	{
		echo "set create clients hash:ip"
		echo "set add clients 10.1.0.1"
		echo "set add clients 10.2.0.1"
		for n in 1 2; do
			echo "sctp track dev a$n netns $A"
			echo "sctp track dev z$n netns $Z"
			echo "sctp policy dev z$n netns $Z allow-set clients"
		done
	} >"$T_TMP/$1.conf"
	daemon_start "$1" --config "$T_TMP/$1.conf"
}
