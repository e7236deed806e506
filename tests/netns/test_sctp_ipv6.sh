#!/bin/sh
# One association over an IPv4 path and an IPv6 path, from real endpoints.
# Topology of sctp_lib.sh plus an IPv6 pair on link 2 (fd00:2::1 on a2,
# fd00:2::2 on z2); the libusrsctp client binds 10.1.0.1 and fd00:2::1,
# the server 10.1.0.2 and fd00:2::2 (sctp-peer on AF_INET6 sockets).
# `sctp track` on all four devices, `sctp policy ... allow-set clients`
# on the server's (the set: the client's IPv4 addresses). The client
# streams 1,500 messages; path 1 (IPv4) goes down midway: its routes first,
# in Z and then in A, then a1. (Taking the devices down alone, one end has
# lost its peer before the other is down: what that end still sends passes
# sluice's tc egress, counted, and the carrier-less device drops it where
# no capture sees it. With the routes gone first, nothing is sent on the
# path once its devices change.) Oracles:
#   - the endpoints: every message arrives; the client's own status marks
#     10.1.0.2 inactive and fd00:2::2 active;
#   - tcpdump captures on all four devices: the association sluice shows
#     in each namespace has the tags of the captured INIT and INIT-ACK and
#     exactly the addresses each endpoint bound, both families; its
#     per-path packet counts equal that namespace's captures per address
#     pair; every message's TSN was captured reaching the server, the last
#     ones over IPv6;
#   - nothing of the admitted association was dropped (every drop counter
#     of the server's namespace 0), while a DATA chunk with a wrong tag
#     and an INIT from an IPv6 source (not in the set), both over IPv6,
#     leave A (captured on a2), never reach Z's stack (not captured on z2)
#     and are counted by reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sctp_lib.sh"
require tcpdump
PY=/usr/bin/python3 # Debian's interpreter, standard library only
sctp_topology
sctp_ipv6_link
sctp_policy_daemon d1

for d in a1 a2; do sctp_capture "$A" "$d" sctp; done
for d in z1 z2; do sctp_capture "$Z" "$d" sctp; done

# data flows and the IPv6 path is confirmed (its HEARTBEAT answered) before path 1 goes down
v6_packets() { jq '[.[0].paths[]? | select(.z == "fd00:2::2") | .packets] | add // 0' "$1"; }
flowing() {
	ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/before.json"
	[ "$(jq '[.[].packets] | add // 0' "$T_TMP/before.json")" -gt 200 ] && [ "$(v6_packets "$T_TMP/before.json")" -ge 2 ]
}
path1_down() {
	ip -n "$Z" route add unreachable 10.1.0.1/32 || fail "unreachable 10.1.0.1 in Z"
	ip -n "$A" route add unreachable 10.1.0.2/32 || fail "unreachable 10.1.0.2 in A"
	sctp_link1_down
}
sctp_failover v6 flowing 10.1.0.1,fd00:2::1 10.1.0.2,fd00:2::2 path1_down
note "path 1 went down after $(jq '.[0].packets' "$T_TMP/before.json") packets, $(v6_packets "$T_TMP/before.json") of them over IPv6"
wait_until 60 test -s "$T_TMP/v6-server.json" || fail "the server did not get every message: $(ctl d1 -j sctp assoc)"
note "server: $(cat "$T_TMP/v6-server.json")"
assert_eq 1500 "$(jq -r .messages "$T_TMP/v6-server.json")" "messages the server received across the failover"
assert_eq "10.1.0.2 inactive,fd00:2::2 active" \
	"$(jq -r '[.peer[] | "\(.addr) \(.state)"] | sort | join(",")' "$T_TMP/v6-client.json")" \
	"the client's own status of its paths"
# freeze: no endpoint sends again, so captures and counts are final
kill -KILL "$FAILOVER_CLIENT" "$FAILOVER_SERVER" 2>/dev/null
sleep 0.5
for d in a1 a2 z1 z2; do sctp_capture_stop "$d"; done

cat "$T_TMP/a1.txt" "$T_TMP/a2.txt" >"$T_TMP/cap-a.txt"
tag_a=$(sed -n 's/.*\[INIT\] \[init tag: \([0-9]*\)\].*/\1/p' "$T_TMP/cap-a.txt" | head -n 1)
tag_z=$(sed -n 's/.*\[INIT ACK\] \[init tag: \([0-9]*\)\].*/\1/p' "$T_TMP/cap-a.txt" | head -n 1)
[ -n "$tag_a" ] && [ -n "$tag_z" ] || fail "no INIT and INIT-ACK in the capture: $(head -n 5 "$T_TMP/cap-a.txt")"
sctp_pairs 10.1.0.1,fd00:2::1 "$T_TMP/a1.txt" "$T_TMP/a2.txt" >"$T_TMP/pairs-$A"
sctp_pairs 10.1.0.1,fd00:2::1 "$T_TMP/z1.txt" "$T_TMP/z2.txt" >"$T_TMP/pairs-$Z"
note "capture: INIT tag $tag_a, INIT-ACK tag $tag_z; per pair in A: $(tr '\n' ';' <"$T_TMP/pairs-$A") in Z: $(tr '\n' ';' <"$T_TMP/pairs-$Z")"
grep -q '^fd00:2::1>fd00:2::2 ' "$T_TMP/pairs-$Z" || fail "the capture shows no IPv6 path"

for ns in "$A" "$Z"; do
	ctl d1 -j sctp assoc --netns "$ns" >"$T_TMP/assoc.json" || fail "sctp assoc --netns $ns"
	note "sluice in $ns: $(jq -c '.[0] | {state, addrs_a, addrs_z, last_data, paths}' "$T_TMP/assoc.json")"
	assert_eq 1 "$(jq 'length' "$T_TMP/assoc.json")" "associations in $ns"
	assert_eq "$tag_a $tag_z" "$(jq -r '.[0] | "\(.tag_a) \(.tag_z)"' "$T_TMP/assoc.json")" "tags in $ns"
	assert_eq "10.1.0.1,fd00:2::1" "$(jq -r '.[0].addrs_a | sort | join(",")' "$T_TMP/assoc.json")" \
		"the client's addresses in $ns"
	assert_eq "10.1.0.2,fd00:2::2" "$(jq -r '.[0].addrs_z | sort | join(",")' "$T_TMP/assoc.json")" \
		"the server's addresses in $ns"
	assert_eq "fd00:2::1>fd00:2::2" "$(jq -r '.[0].last_data' "$T_TMP/assoc.json")" "the last data's path in $ns"
	assert_eq "$(cat "$T_TMP/pairs-$ns")" \
		"$(jq -r '.[0].paths[] | "\(.a)>\(.z) \(.packets)"' "$T_TMP/assoc.json" | sort)" \
		"packets per path in $ns (capture vs sluice)"
done

# every message reached the server's stack (its TSN captured on z1 or z2), the last ones over IPv6
tsns() { grep -ho '\[TSN: [0-9]*' "$@" | sort -u | wc -l; }
last_data() { grep '\[TSN: ' "$1" | tail -n 1 | cut -d' ' -f1; }
assert_eq 1500 "$(tsns "$T_TMP/z1.txt" "$T_TMP/z2.txt")" "messages captured reaching the server"
note "DATA TSNs over IPv4 $(tsns "$T_TMP/z1.txt"), over IPv6 $(tsns "$T_TMP/z2.txt")"
later() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; } # epoch times
[ "$(tsns "$T_TMP/z2.txt")" -gt 0 ] && later "$(last_data "$T_TMP/z2.txt")" "$(last_data "$T_TMP/z1.txt")" ||
	fail "the data did not move to the IPv6 path (last over IPv4 $(last_data "$T_TMP/z1.txt"), over IPv6 $(last_data "$T_TMP/z2.txt"))"
for c in drop_init drop_unknown_tag drop_not_admitted drop_stray_path drop_malformed; do
	assert_eq 0 "$(sctp_counter "$Z" "$c")" "$c in Z across the failover"
done

note "forged over IPv6: DATA with a wrong tag, an INIT from a source outside the set"
sctp_capture "$A" a2 "ip6 and sctp"
sctp_capture "$Z" z2 "ip6 and sctp"
ip netns exec "$A" "$PY" -c "
import socket, struct
def send(sport, vtag, chunk):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 132)
    s.bind(('fd00:2::1', 0))
    s.sendto(struct.pack('!HHII', sport, 7000, vtag, 0) + chunk, ('fd00:2::2', 0))
send(7000, 0xdeadbeef, struct.pack('!BBHIHHI', 0, 3, 24, 1, 0, 0, 0) + b'x' * 8)
send(7001, 0, struct.pack('!BBHIIHHI', 1, 0, 20, 0x1234, 65536, 10, 10, 1))
" || fail "sending the forged packets"
wait_until 10 sh -c "[ \"\$(tcpdump -r $T_TMP/a2.pcap 2>/dev/null | wc -l)\" = 2 ]" ||
	fail "the forged packets did not leave A"
assert_eq "1 1" "$(sctp_counter "$Z" drop_unknown_tag) $(sctp_counter "$Z" drop_init)" \
	"forged packets dropped in Z, by reason"
sctp_capture_stop a2
sctp_capture_stop z2
assert_eq 0 "$(wc -l <"$T_TMP/z2.txt")" "forged packets that reached Z's stack"
assert_eq 1 "$(ctl d1 -j sctp assoc --netns "$Z" | jq length)" "associations in Z after the forged packets"
exit 0
