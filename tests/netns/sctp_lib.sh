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
		ma=$(ip -n "$A" -j link show "a$n" | jq -r '.[0].address')
		mz=$(ip -n "$Z" -j link show "z$n" | jq -r '.[0].address')
		ip -n "$A" neigh replace "10.$n.0.2" lladdr "$mz" dev "a$n" nud permanent
		ip -n "$Z" neigh replace "10.$n.0.1" lladdr "$ma" dev "z$n" nud permanent
	done
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

# sctp_failover NAME FLOWING: the failover stream in the topology of A and
# Z: a server in Z, a client in A, both bound to both addresses, 1,500
# messages 2 ms apart with fast failure detection (--fast); once the
# command FLOWING succeeds (data flows), path 1 goes down (a1). Returns
# when the client has reported ($T_TMP/NAME-client.json: its sent count
# and path states); the server's report is $T_TMP/NAME-server.json once
# it has every message or its association ended. Their pids in
# FAILOVER_CLIENT and FAILOVER_SERVER.
sctp_failover() {
	sctp_server "$1-server" --port 7000 --bind 10.1.0.2,10.2.0.2 --count 1500 --hold --fast
	FAILOVER_SERVER=$LAST_SPAWN
	spawn ip netns exec "$A" "$PEER" client --port 7000 --bind 10.1.0.1,10.2.0.1 --peer 10.1.0.2,10.2.0.2 \
		--count 1500 --interval-us 2000 --hold --fast >"$T_TMP/$1-client.json"
	FAILOVER_CLIENT=$LAST_SPAWN
	wait_until 20 "$2" || fail "$1: no data flowed"
	ip -n "$A" link set a1 down
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
