# What the SCTP tests share (after lib.sh): two namespaces A (the client)
# and Z (the server) joined by two veth pairs, link N being aN in A
# (10.N.0.1/24) to zN in Z (10.N.0.2/24), static neighbours; and the
# multihomed libusrsctp endpoint, tests/tools/sctp-peer.
PEER=$B/tests/tools/sctp-peer
[ -x "$PEER" ] || fail "$PEER is not built (make check-netns)"

# sctp_topology: sets A and Z
sctp_topology() {
	A=$(ns_new a)
	Z=$(ns_new z)
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
