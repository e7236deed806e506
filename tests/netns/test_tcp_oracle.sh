#!/bin/sh
# The oracle of TCP initial windows: the kernel's own per-route setting,
# side by side. Two namespace pairs with the same addresses: in one, routes
# to the peer with `initcwnd N initrwnd M` on both ends; in the other, the
# same values from sluice (`tcp add netns … dst PEER/32 initcwnd N initrwnd
# M` for each end). For N/M in 3/3, 10/10, 10/40, 20/64, IPv4 and IPv6,
# each pair measures one connection:
#   syn, synack  the windows of the SYN and SYN-ACK, from a capture (tcpdump)
#   c_cwnd       the client's tcpi_snd_cwnd before data (active open)
#   s_cwnd       the server's, after accept (passive open)
#   c_peer_wnd, s_peer_wnd  the windows each end holds of the other
#   s_flight     data segments of a 64 kB response sent before the first ACK
#                returns (the server drops the client's ACKs until its first
#                retransmission timeout, then reads tcpi_unacked): the passive
#                open's IW against the client's initial rwnd
#   c_flight     the same for 64 kB the client sends (another connection):
#                the active open's IW against the server's initial rwnd
# sluice must equal the route in every value. Where M x MSS is more than
# the receive space (20/64 here: 64 x 1448 > 65160), the kernel clamps a
# route's initrwnd to the space but takes the window a sockops program
# gives whole (it enlarges the space), so the program clamps it itself: on
# connect from the socket (the SYN's window), on a SYN a listener answers
# from the request socket and its listener (the SYN-ACK's window, and the
# server's window as the client holds it: c_peer_wnd). A connection to a
# second server address outside both the routes and the rules must equal
# the kernel's defaults on the client's side (c_cwnd, syn) in both pairs.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/tcp_lib.sh"
require tcpdump

tcp_pair rc rs 72
RC=$a RS=$b
tcp_pair sc ss 72
SC=$a SS=$b
dev_of() { ip -n "$1" -o link show type veth | awk -F': ' '{ print $2 }' | cut -d@ -f1; }
for ns in "$RS" "$SS"; do # a second server address, outside every route and rule
	ip -n "$ns" addr add 10.72.0.12/24 dev "$(dev_of "$ns")"
	ip -n "$ns" addr add fd00:72::12/64 dev "$(dev_of "$ns")" nodad
done
# no tail loss probe: it would send one more new segment before the
# retransmission timeout, past the first flight the count is about; no
# slow start after idle: a sender that waited longer than an RTO between
# the handshake and its data (the nft calls take that long under
# emulation) restarts at min(cwnd, the route's initcwnd or the kernel's
# 10), which is not the rule's IW (README: the restart window); one
# segment a packet (gso_max_segs 1): a multi-segment packet that the
# window's rest cannot take whole may wait for an ACK
# (tcp_tso_should_defer(), when the flight's first packet left more than
# half an RTT before: under emulation 18 of 20 went out)
for ns in "$RS" "$SS" "$RC" "$SC"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.tcp_early_retrans=0 net.ipv4.tcp_slow_start_after_idle=0
	ip -n "$ns" link set "$(dev_of "$ns")" gso_max_segs 1
done

# windows of the SYN and SYN-ACK of the next connection (port tcp_port + 1),
# captured on the server's device: "syn=N synack=N"
cap_start() { # NS FAMILY
	port=$((tcp_port + 1))
	if [ "$2" = 6 ]; then f="ip6 and ip6[6] == 6 and ip6[53] & 2 != 0"; else f="ip and tcp[13] & 2 != 0"; fi
	rm -f "$T_TMP/cap.out" "$T_TMP/cap.err"
	ip netns exec "$1" timeout 30 tcpdump -i "$(dev_of "$1")" -n -l -c 2 "tcp port $port and $f" \
		>"$T_TMP/cap.out" 2>"$T_TMP/cap.err" &
	cap_pid=$!
	while ! grep -q "listening on" "$T_TMP/cap.err" 2>/dev/null; do
		kill -0 $cap_pid 2>/dev/null || fail "tcpdump did not start: $(cat "$T_TMP/cap.err")"
		sleep 0.02
	done
}
# (in the shell that started it: it waits for tcpdump)
cap_end() {
	wait $cap_pid || fail "tcpdump saw no SYN and SYN-ACK: $(cat "$T_TMP/cap.err")"
	syn=$(grep 'Flags \[S\]' "$T_TMP/cap.out" | sed -n 's/.* win \([0-9]*\).*/\1/p')
	synack=$(grep 'Flags \[S\.\]' "$T_TMP/cap.out" | sed -n 's/.* win \([0-9]*\).*/\1/p')
	[ -n "$syn" ] && [ -n "$synack" ] || fail "no SYN or SYN-ACK in the capture: $(cat "$T_TMP/cap.out")"
	cap="syn=$syn synack=$synack"
}

# measure SERVER_NS CLIENT_NS ADDR FAMILY [--hold]
measure() {
	cap_start "$1" "$4"
	conn=$(tcp_conn "$1" "$3" "$2" ${5:-})
	cap_end
	echo "$cap $conn"
}

base4=$(measure "$RS" "$RC" 10.72.0.2 4)
base6=$(measure "$RS" "$RC" fd00:72::2 6)
note "kernel defaults: v4 $base4; v6 $base6"

daemon_start d
table="| N/M | family | syn | synack | c_cwnd | s_cwnd | s_flight | c_flight | route = sluice |"
for nm in 3/3 10/10 10/40 20/64; do
	n=${nm%/*} m=${nm#*/}
	for fam in 4 6; do
		if [ $fam = 4 ]; then cli=10.72.0.1 srv=10.72.0.2 out=10.72.0.12 len=32
		else cli=fd00:72::1 srv=fd00:72::2 out=fd00:72::12 len=128; fi
		ip -n "$RC" route replace "$srv/$len" dev "$(dev_of "$RC")" initcwnd "$n" initrwnd "$m"
		ip -n "$RS" route replace "$cli/$len" dev "$(dev_of "$RS")" initcwnd "$n" initrwnd "$m"
		ctl d tcp add netns "$SC" dst "$srv/$len" initcwnd "$n" initrwnd "$m" || fail "tcp add ($SC)"
		ctl d tcp add netns "$SS" dst "$cli/$len" initcwnd "$n" initrwnd "$m" || fail "tcp add ($SS)"

		route="$(measure "$RS" "$RC" "$srv" $fam --hold) $(tcp_conn "$RS" "$srv" "$RC" --hold-client | tr ' ' '\n' | grep '^c_flight=')"
		sluice="$(measure "$SS" "$SC" "$srv" $fam --hold) $(tcp_conn "$SS" "$srv" "$SC" --hold-client | tr ' ' '\n' | grep '^c_flight=')"
		note "$nm IPv$fam route:  $route"
		note "$nm IPv$fam sluice: $sluice"
		assert_eq "$route" "$sluice" "initcwnd $n initrwnd $m, IPv$fam: every value (for 20/64 the program must clamp initrwnd x MSS to the receive space as the kernel clamps the route's: the SYN's from the connecting socket, the SYN-ACK's from the request and its listener)"
		assert_eq "$n" "$(tcp_val "$sluice" c_cwnd)" "IPv$fam $nm: the client's IW"
		assert_eq "$n" "$(tcp_val "$sluice" s_cwnd)" "IPv$fam $nm: the server's IW"
		assert_eq "$([ "$n" -lt "$m" ] && echo "$n" || echo "$m")" "$(tcp_val "$route" s_flight)" \
			"IPv$fam $nm: the route's first flight is min(initcwnd, initrwnd) segments"
		assert_eq "$(tcp_val "$route" s_flight)" "$(tcp_val "$route" c_flight)" \
			"IPv$fam $nm: the route's first flight is the same both ways"

		rout=$(measure "$RS" "$RC" "$out" $fam)
		sout=$(measure "$SS" "$SC" "$out" $fam)
		[ $fam = 4 ] && b=$base4 || b=$base6
		assert_eq "$rout" "$sout" "IPv$fam $nm, to $out (outside): route = sluice"
		assert_eq "$(tcp_val "$b" c_cwnd) $(tcp_val "$b" syn)" "$(tcp_val "$sout" c_cwnd) $(tcp_val "$sout" syn)" \
			"IPv$fam $nm, to $out: the client's side has the kernel's defaults"
		table="$table
| $nm | IPv$fam | $(tcp_val "$route" syn) / $(tcp_val "$sluice" syn) | $(tcp_val "$route" synack) / $(tcp_val "$sluice" synack) | $(tcp_val "$route" c_cwnd) / $(tcp_val "$sluice" c_cwnd) | $(tcp_val "$route" s_cwnd) / $(tcp_val "$sluice" s_cwnd) | $(tcp_val "$route" s_flight) / $(tcp_val "$sluice" s_flight) | $(tcp_val "$route" c_flight) / $(tcp_val "$sluice" c_flight) | yes |"

		ip -n "$RC" route del "$srv/$len"
		ip -n "$RS" route del "$cli/$len"
		ctl d tcp del netns "$SC" dst "$srv/$len" || fail "tcp del"
		ctl d tcp del netns "$SS" dst "$cli/$len" || fail "tcp del"
	done
done
echo "route / sluice:"
echo "$table"
echo PASS
