#!/bin/sh
# A path added to a live association by ASCONF (RFC 5061), from a real
# endpoint. Topology of sctp_lib.sh, `sctp track` on all four devices and
# `sctp policy ... allow-set clients` on the server's, the set holding the
# client's two first addresses. Halfway through its messages the libusrsctp
# client binds a third address, 10.2.0.3 (sctp-peer --add-addr), which
# usrsctp announces to the server in an ASCONF. Oracles:
#   - the endpoints: every message arrives;
#   - a capture on z1 and z2: the ASCONF, the packets to and from 10.2.0.3;
#   - sluice: the association in Z has the added address among the
#     client's, its packets on the new path are counted there as many as
#     the capture saw, and nothing of the association was dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sctp_lib.sh"
require tcpdump
sctp_topology
ip -n "$A" addr add 10.2.0.3/24 dev a2
sctp_neigh 2 10.2.0.3 10.2.0.2

sctp_policy_daemon d1

for n in 1 2; do sctp_capture "$Z" "z$n" 'ip proto 132'; done

sctp_server server --port 7000 --bind 10.1.0.2,10.2.0.2 --count 400 --hold --fast
server=$LAST_SPAWN
spawn ip netns exec "$A" "$PEER" client --port 7000 --bind 10.1.0.1,10.2.0.1 --peer 10.1.0.2,10.2.0.2 --count 400 \
	--interval-us 2000 --hold --fast --add-addr 10.2.0.3 >"$T_TMP/client.json" 2>"$T_TMP/client.err"
client=$LAST_SPAWN
wait_until 30 test -s "$T_TMP/server.json" || fail "the server did not get every message: $(cat "$T_TMP/client.err")"
assert_eq 400 "$(jq -r .messages "$T_TMP/server.json")" "messages the server received"
grep -q "added 10.2.0.3" "$T_TMP/client.err" || fail "the client did not add 10.2.0.3: $(cat "$T_TMP/client.err")"

# the new path carried packets (the server's HEARTBEAT to the new address, its answer)
new_path() { ctl d1 -j sctp assoc --netns "$Z" | jq '[.[0].paths[]? | select(.a == "10.2.0.3") | .packets] | add // 0'; }
carried() { [ "$(new_path)" -ge 2 ]; }
wait_until 20 carried || fail "no packets counted on the new path: $(ctl d1 -j sctp assoc --netns "$Z")"
# freeze: no endpoint sends again, so capture and counts are final
kill -KILL "$client" "$server" 2>/dev/null
sleep 0.5
for n in 1 2; do sctp_capture_stop "z$n"; done
# tcpdump 4.99 names chunk 0xc1 (ASCONF) by its draft name, "REL CTRL";
# usrsctp sends it behind an AUTH chunk (0xf)
grep -h 'REL CTRL' "$T_TMP/z1.txt" "$T_TMP/z2.txt" >"$T_TMP/asconf.txt"
note "the capture's ASCONF: $(cat "$T_TMP/asconf.txt")"
[ -s "$T_TMP/asconf.txt" ] || fail "no ASCONF reached the server"
ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/assoc.json"
note "sluice: $(jq -c '.[0] | {addrs_a, addrs_z, paths}' "$T_TMP/assoc.json")"
assert_eq "10.1.0.1,10.2.0.1,10.2.0.3" "$(jq -r '.[0].addrs_a | sort | join(",")' "$T_TMP/assoc.json")" \
	"the client's addresses in Z after the ASCONF"
note "the capture on the new path: $(cat "$T_TMP/z1.txt" "$T_TMP/z2.txt" | grep "10\.2\.0\.3\.")"
assert_eq "$(cat "$T_TMP/z1.txt" "$T_TMP/z2.txt" | grep -c '10\.2\.0\.3\.')" \
	"$(jq '[.[0].paths[] | select(.a == "10.2.0.3") | .packets] | add // 0' "$T_TMP/assoc.json")" \
	"packets on the new path (capture vs sluice)"
for c in drop_init drop_unknown_tag drop_not_admitted drop_stray_path drop_malformed; do
	assert_eq 0 "$(sctp_counter "$Z" "$c")" "$c in Z"
done
exit 0
