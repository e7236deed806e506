# TCP initial windows, measured (sourced by test_tcp_*.sh after lib.sh):
# one connection through tests/netns/tcp_probe.py, its values as words
# "c_cwnd=N c_peer_wnd=N s_cwnd=N s_peer_wnd=N [s_flight=N]":
#   c_cwnd      the client's tcpi_snd_cwnd before data (active open's IW)
#   c_peer_wnd  the window of the SYN-ACK (the server's initial rwnd)
#   s_cwnd      the server's tcpi_snd_cwnd after accept (passive open's IW)
#   s_peer_wnd  the client's window as the server holds it after the
#               handshake (its initial rwnd, rounded up to the scale)
#   s_flight    with --hold: data segments of the 64 kB response the server
#               sent before any ACK returned
#   c_flight    with --hold-client: the same of 64 kB the client sends
PY=/usr/bin/python3 # Debian's interpreter, standard library only
PROBE=$SL_SRC/tests/netns/tcp_probe.py
require nft
tcp_port=40000

# tcp_conn SERVER_NS ADDR CLIENT_NS [--hold|--hold-client]: one connection
# (a namespace "-" is the test's own); TCP_BIND="--bind ::" makes the
# server listen dual-stack
tcp_conn() {
	tcp_port=$((tcp_port + 1))
	rm -f "$T_TMP/tcp.ready" "$T_TMP/tcp.srv"
	tcp_sflag= tcp_cflag=
	case ${4:-} in --hold) tcp_sflag=--hold ;; --hold-client) tcp_cflag=--hold ;; esac
	# shellcheck disable=SC2086 # TCP_BIND: "--bind ADDR" or nothing
	tcp_in "$1" $PY "$PROBE" serve "$2" $tcp_port "$T_TMP/tcp.ready" $tcp_sflag ${TCP_BIND:-} >"$T_TMP/tcp.srv" &
	tcp_srv=$!
	while [ ! -s "$T_TMP/tcp.ready" ]; do
		kill -0 $tcp_srv 2>/dev/null || fail "tcp_probe serve $2 in $1 did not start"
		sleep 0.02
	done
	tcp_cli=$(tcp_in "$3" $PY "$PROBE" connect "$2" $tcp_port $tcp_cflag) || fail "tcp_probe connect $2 from $3"
	wait $tcp_srv || fail "tcp_probe serve $2 in $1 failed"
	echo "$tcp_cli" | sed 's/\([a-z_]*\)=/c_\1=/g' | tr '\n' ' '
	sed 's/\([a-z_]*\)=/s_\1=/g' "$T_TMP/tcp.srv"
}

tcp_in() {
	ns=$1
	shift
	if [ "$ns" = - ]; then "$@"; else ip netns exec "$ns" "$@"; fi
}

# tcp_val WORDS KEY: the number after KEY=
tcp_val() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# tcp_pair NAME_A NAME_B SUBNET: namespaces A (.1, ::1) and B (.2, ::2)
# joined by veth, IPv4 10.SUBNET.0.0/24 and IPv6 fd00:SUBNET::/64
tcp_pair() {
	a=$(ns_new "$1") b=$(ns_new "$2")
	ip link add "v$T_ID$3a" netns "$a" type veth peer name "v$T_ID$3b" netns "$b"
	ip -n "$a" addr add "10.$3.0.1/24" dev "v$T_ID$3a"
	ip -n "$b" addr add "10.$3.0.2/24" dev "v$T_ID$3b"
	ip -n "$a" addr add "fd00:$3::1/64" dev "v$T_ID$3a" nodad
	ip -n "$b" addr add "fd00:$3::2/64" dev "v$T_ID$3b" nodad
	ip -n "$a" link set "v$T_ID$3a" up
	ip -n "$b" link set "v$T_ID$3b" up
}
