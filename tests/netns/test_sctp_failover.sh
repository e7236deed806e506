#!/bin/sh
# sctp policy across a failover. Topology of sctp_lib.sh; the server's
# devices z1 and z2 carry `sctp policy ... allow-set clients`, the set
# holding the client's two addresses. A libusrsctp client streams messages
# to the server; path 1 goes down midway. Oracles:
#   - the endpoints: every message arrives, and the client's own path
#     status says path 1 failed (its peer address 10.1.0.2 inactive);
#   - sluice: the association keeps being counted, now on the server's
#     second address, and nothing of it was dropped (every drop counter of
#     the server's namespace 0);
#   - forged packets: an INIT from an address outside the set and a DATA
#     chunk with a wrong tag leave A (a capture on a2 sees both) and never
#     reach Z's stack (a capture on z2 sees neither), each counted by reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sctp_lib.sh"
require tcpdump
PY=/usr/bin/python3 # Debian's interpreter, standard library only
sctp_topology

conf=$T_TMP/sctp.conf
{
	echo "set create clients hash:ip"
	echo "set add clients 10.1.0.1"
	echo "set add clients 10.2.0.1"
	for n in 1 2; do
		echo "sctp track dev a$n netns $A"
		echo "sctp track dev z$n netns $Z"
		echo "sctp policy dev z$n netns $Z allow-set clients"
	done
} >"$conf"
daemon_start d1 --config "$conf"

sctp_server server --port 7000 --bind 10.1.0.2,10.2.0.2 --count 1500 --hold --fast
server=$LAST_SPAWN
spawn ip netns exec "$A" "$PEER" client --port 7000 --bind 10.1.0.1,10.2.0.1 --peer 10.1.0.2,10.2.0.2 --count 1500 \
	--interval-us 2000 --hold --fast >"$T_TMP/client.json"
client=$LAST_SPAWN

# data flows (the server's namespace has counted some) before path 1 goes down
packets_in_z() { ctl d1 -j sctp assoc --netns "$Z" | jq '[.[].packets] | add // 0'; }
flowing() { [ "$(packets_in_z)" -gt 200 ]; }
wait_until 20 flowing || fail "no data flowed: $(ctl d1 -j sctp assoc)"
ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/before.json"
ip -n "$A" link set a1 down
note "path 1 down after $(jq '.[0].packets' "$T_TMP/before.json") packets"

wait_until 60 test -s "$T_TMP/server.json" || fail "the server did not get every message: $(ctl d1 -j sctp assoc)"
wait_until 30 test -s "$T_TMP/client.json" || fail "the client did not finish"
note "client: $(cat "$T_TMP/client.json")"
note "server: $(cat "$T_TMP/server.json")"
assert_eq 1500 "$(jq -r .messages "$T_TMP/server.json")" "messages the server received across the failover"
assert_eq inactive "$(jq -r '.peer[] | select(.addr == "10.1.0.2") | .state' "$T_TMP/client.json")" \
	"the client's own status of path 1"

ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/after.json"
note "sluice after: $(jq -c '.[0] | {state, packets, last_data, paths}' "$T_TMP/after.json")"
assert_eq 1 "$(jq length "$T_TMP/after.json")" "associations in Z"
to_z2() { jq '[.[0].paths[] | select(.z == "10.2.0.2") | .packets] | add // 0' "$1"; }
[ "$(to_z2 "$T_TMP/after.json")" -gt "$(to_z2 "$T_TMP/before.json")" ] ||
	fail "no packets moved to the server's second address: $(to_z2 "$T_TMP/before.json") -> $(to_z2 "$T_TMP/after.json")"
case $(jq -r '.[0].last_data' "$T_TMP/after.json") in *'>10.2.0.2') ;; *) fail "the last data did not take path 2" ;; esac
for c in drop_init drop_unknown_tag drop_not_admitted drop_stray_path drop_malformed; do
	assert_eq 0 "$(sctp_counter "$Z" "$c")" "$c in Z across the failover"
done

note "forged: an INIT from outside the set, DATA with a wrong tag"
ip -n "$A" addr add 10.2.0.99/24 dev a2
filter='ip proto 132 and (src host 10.2.0.99 or ip[24:4] = 0xdeadbeef)'
ip netns exec "$A" tcpdump -i a2 -nn -U -w "$T_TMP/fa.pcap" "$filter" 2>"$T_TMP/fa.err" &
cap_a=$!
ip netns exec "$Z" tcpdump -i z2 -nn -U -w "$T_TMP/fz.pcap" "$filter" 2>"$T_TMP/fz.err" &
cap_z=$!
wait_until 10 grep -q "listening on" "$T_TMP/fa.err" || fail "tcpdump on a2 did not start"
wait_until 10 grep -q "listening on" "$T_TMP/fz.err" || fail "tcpdump on z2 did not start"
# raw IP sockets (protocol 132) bound to the source: an INIT, then DATA
ip netns exec "$A" "$PY" -c "
import socket, struct
def send(src, vtag, chunk):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
    s.bind((src, 0))
    s.sendto(struct.pack('!HHII', 7000, 7000, vtag, 0) + chunk, ('10.2.0.2', 0))
send('10.2.0.99', 0, struct.pack('!BBHIIHHI', 1, 0, 20, 0x1234, 65536, 10, 10, 1))
send('10.2.0.1', 0xdeadbeef, struct.pack('!BBHIHHI', 0, 3, 24, 1, 0, 0, 0) + b'x' * 8)
" || fail "sending the forged packets"
wait_until 10 sh -c "[ \"\$(ip netns exec $A tcpdump -r $T_TMP/fa.pcap 2>/dev/null | wc -l)\" = 2 ]" ||
	fail "the forged packets did not leave A"
assert_eq "1 1" "$(sctp_counter "$Z" drop_init) $(sctp_counter "$Z" drop_unknown_tag)" "forged packets dropped in Z, by reason"
kill -INT $cap_a $cap_z
wait $cap_a $cap_z
assert_eq 0 "$(ip netns exec "$Z" tcpdump -r "$T_TMP/fz.pcap" 2>/dev/null | wc -l)" "forged packets that reached Z's stack"
assert_eq 1 "$(ctl d1 -j sctp assoc --netns "$Z" | jq length)" "associations in Z after the forged packets"
kill -KILL "$client" "$server" 2>/dev/null
exit 0
