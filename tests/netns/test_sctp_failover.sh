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
# Then the comparison: the same topology and stream a second time with no
# sluice, the same policy as nft rules on the server using the kernel's
# conntrack (an INIT from the set as ct state new, then ct state
# established; the rest of SCTP dropped), every SCTP packet counted per
# path, direction and ct state. Asserted: it really ran through conntrack
# (entries made, the rules counted); printed: a table of what each
# delivered and dropped, and what conntrack made of the other path.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sctp_lib.sh"
require tcpdump
PY=/usr/bin/python3 # Debian's interpreter, standard library only
sctp_topology

sctp_policy_daemon d1

# data flows (the server's namespace has counted some) before path 1 goes down
flowing() {
	ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/before.json"
	[ "$(jq '[.[].packets] | add // 0' "$T_TMP/before.json")" -gt 200 ]
}
sctp_failover sluice flowing
note "path 1 went down after $(jq '.[0].packets' "$T_TMP/before.json") packets"
wait_until 60 test -s "$T_TMP/sluice-server.json" || fail "the server did not get every message: $(ctl d1 -j sctp assoc)"
note "server: $(cat "$T_TMP/sluice-server.json")"
assert_eq 1500 "$(jq -r .messages "$T_TMP/sluice-server.json")" "messages the server received across the failover"
assert_eq inactive "$(jq -r '.peer[] | select(.addr == "10.1.0.2") | .state' "$T_TMP/sluice-client.json")" \
	"the client's own status of path 1"

ctl d1 -j sctp assoc --netns "$Z" >"$T_TMP/after.json"
note "sluice after: $(jq -c '.[0] | {state, packets, last_data, paths}' "$T_TMP/after.json")"
assert_eq 1 "$(jq length "$T_TMP/after.json")" "associations in Z"
to_z2() { jq '[.[0].paths[] | select(.z == "10.2.0.2") | .packets] | add // 0' "$1"; }
[ "$(to_z2 "$T_TMP/after.json")" -gt "$(to_z2 "$T_TMP/before.json")" ] ||
	fail "no packets moved to the server's second address: $(to_z2 "$T_TMP/before.json") -> $(to_z2 "$T_TMP/after.json")"
case $(jq -r '.[0].last_data' "$T_TMP/after.json") in *'>10.2.0.2') ;; *) fail "the last data did not take path 2" ;; esac
sluice_drops=0
for c in drop_init drop_unknown_tag drop_not_admitted drop_stray_path drop_malformed; do
	assert_eq 0 "$(sctp_counter "$Z" "$c")" "$c in Z across the failover"
	sluice_drops=$((sluice_drops + $(sctp_counter "$Z" "$c")))
done

note "forged: an INIT from outside the set, DATA with a wrong tag"
ip -n "$A" addr add 10.2.0.99/24 dev a2
filter='ip proto 132 and (src host 10.2.0.99 or ip[24:4] = 0xdeadbeef)'
sctp_capture "$A" a2 "$filter"
sctp_capture "$Z" z2 "$filter"
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
wait_until 10 sh -c "[ \"\$(tcpdump -r $T_TMP/a2.pcap 2>/dev/null | wc -l)\" = 2 ]" ||
	fail "the forged packets did not leave A"
assert_eq "1 1" "$(sctp_counter "$Z" drop_init) $(sctp_counter "$Z" drop_unknown_tag)" "forged packets dropped in Z, by reason"
sctp_capture_stop a2
sctp_capture_stop z2
assert_eq 0 "$(wc -l <"$T_TMP/z2.txt")" "forged packets that reached Z's stack"
assert_eq 1 "$(ctl d1 -j sctp assoc --netns "$Z" | jq length)" "associations in Z after the forged packets"
kill -KILL "$FAILOVER_CLIENT" "$FAILOVER_SERVER" 2>/dev/null

note "the same failover under the kernel's conntrack and nft, no sluice"
skip_kernel CONFIG_NF_CT_PROTO_SCTP "the conntrack half of the comparison (the sluice half passed)"
require nft conntrack
sctp_topology ct
# the policy: an INIT from the set opens an association (ct state new),
# then what conntrack calls established passes; the rest of SCTP is
# dropped. Before any verdict, SCTP is counted per path, direction and ct
# state (rules named by their comment, "in 2 new": into 10.2.0.2).
{
	echo "table inet sctp_policy {"
	echo "	set clients { type ipv4_addr; elements = { 10.1.0.1, 10.2.0.1 } }"
	for dir in in out; do
		[ $dir = in ] && hook=input match=daddr || hook=output match=saddr
		echo "	chain sctp_$dir {"
		echo "		type filter hook $hook priority 0; policy accept;"
		echo "		meta l4proto != sctp accept"
		for p in 1 2; do
			for st in new established invalid; do
				echo "		ip $match 10.$p.0.2 ct state $st counter comment \"$dir $p $st\""
			done
		done
		echo "		ct state established,related counter accept comment \"$dir established\""
		[ $dir = in ] && echo "		ip saddr @clients sctp chunk init exists ct state new counter accept comment \"in init\""
		echo "		counter drop comment \"$dir drop\""
		echo "	}"
	done
	echo "}"
} >"$T_TMP/policy.nft"
ip netns exec "$Z" nft -f "$T_TMP/policy.nft" || fail "nft -f policy.nft"
nft_count() { # COMMENT: packets the rule of that comment counted
	ip netns exec "$Z" nft -j list table inet sctp_policy |
		jq --arg c "$1" '[.nftables[].rule | select(.comment? == $c) | .expr[] | .counter?.packets // empty] | add // 0'
}
ct_flowing() { [ "$(nft_count "in established")" -gt 200 ]; }
spawn ip netns exec "$Z" conntrack -E -p sctp -o id >"$T_TMP/ct-events.txt" 2>"$T_TMP/ct-events.err"
ct_events=$LAST_SPAWN
sctp_failover ct ct_flowing
wait_until 60 test -s "$T_TMP/ct-server.json" || note "the server did not report under conntrack"
ip netns exec "$Z" conntrack -L -p sctp >"$T_TMP/ct-list.txt" 2>/dev/null
kill -TERM "-$ct_events"
note "conntrack's entries at the end:"
cat "$T_TMP/ct-list.txt"
note "conntrack's events:"
cat "$T_TMP/ct-events.txt"
for dir in in out; do
	for p in 1 2; do
		note "$dir path $p (ct state): new $(nft_count "$dir $p new"), established $(nft_count "$dir $p established"), invalid $(nft_count "$dir $p invalid")"
	done
done
# it really ran through conntrack: entries were made, the policy's rules counted
[ "$(grep -c NEW "$T_TMP/ct-events.txt")" -ge 1 ] || fail "conntrack made no entry"
[ -s "$T_TMP/ct-list.txt" ] || fail "conntrack lists no SCTP entry"
[ "$(nft_count "in init")" -ge 1 ] && [ "$(nft_count "in established")" -gt 200 ] ||
	fail "nft's policy did not admit the association through conntrack"

# the side-by-side table: what each delivered and dropped
ct_delivered=$(jq -r .messages "$T_TMP/ct-server.json" 2>/dev/null || echo "?")
ct_drops=$(($(nft_count "in drop") + $(nft_count "out drop")))
z1_before_sluice=$(jq '[.[0].paths[] | select(.z == "10.1.0.2") | .packets] | add // 0' "$T_TMP/before.json")
z1_ct=$(($(nft_count "in 1 established") + $(nft_count "out 1 established")))
printf '%-22s %10s %10s %22s %8s\n' "" delivered dropped "path 1 before it fell" entries
printf '%-22s %5s/1500 %10s %15s packets %8s\n' "sluice sctp policy" 1500 "$sluice_drops" "$z1_before_sluice" 1
printf '%-22s %5s/1500 %10s %15s packets %8s\n' "conntrack + nft" "$ct_delivered" "$ct_drops" "$z1_ct" \
	"$(wc -l <"$T_TMP/ct-list.txt")"
kill -KILL "$FAILOVER_CLIENT" "$FAILOVER_SERVER" 2>/dev/null
exit 0
