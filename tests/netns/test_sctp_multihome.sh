#!/bin/sh
# SCTP multihoming with real endpoints: two namespaces joined by two veth
# pairs (10.1.0.0/24 and 10.2.0.0/24), a libusrsctp client and server
# (tests/tools/sctp-peer) each bound to both of its addresses, `sctp track`
# on all four devices. Oracles: a tcpdump capture on both of the client's
# devices and the endpoints' own view.
#   - the association sluice shows in each namespace has exactly the
#     addresses each endpoint bound, and the tags of the capture's INIT and
#     INIT-ACK;
#   - its per-path packet counts equal the capture's per address pair, in
#     both namespaces (every packet leaves one and enters the other);
#   - a restarted daemon adopts links and records (the same association);
#   - SHUTDOWN-COMPLETE ends an association; an idle one expires after
#     `sctp timeout`, counted;
#   - a kernel without bpf-loop or xdp-load-bytes (SLUICE_KERNEL_LACKS)
#     refuses `sctp track` (exit 4, the release named) and attaches nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sctp_lib.sh"
require tcpdump
sctp_topology

conf=$T_TMP/sctp.conf
{
	for n in 1 2; do
		echo "sctp track dev a$n netns $A"
		echo "sctp track dev z$n netns $Z"
	done
} >"$conf"
daemon_start d1 --config "$conf"

# captures of SCTP on both of A's devices
for n in 1 2; do sctp_capture "$A" "a$n" 'ip proto 132'; done

# 200 messages, then both hold the association open (no SHUTDOWN) until killed
sctp_server server --port 7000 --bind 10.1.0.2,10.2.0.2 --count 200 --hold
server=$LAST_SPAWN
spawn ip netns exec "$A" "$PEER" client --port 7000 --bind 10.1.0.1,10.2.0.1 --peer 10.1.0.2,10.2.0.2 --count 200 \
	--hold >"$T_TMP/client.json"
client=$LAST_SPAWN
wait_until 30 test -s "$T_TMP/client.json" || fail "the client did not finish"
wait_until 30 test -s "$T_TMP/server.json" || fail "the server did not finish"
note "client: $(cat "$T_TMP/client.json")"
note "server: $(cat "$T_TMP/server.json")"
assert_eq true "$(jq -r .established "$T_TMP/server.json")" "the server's association is established"
assert_eq 200 "$(jq -r .messages "$T_TMP/server.json")" "messages the server received"
assert_eq "10.1.0.2,10.2.0.2" "$(jq -r '[.peer[].addr] | sort | join(",")' "$T_TMP/client.json")" \
	"the client's peer addresses"
# the second path is confirmed by its HEARTBEAT: wait for it, so it carried packets
wait_until 20 sh -c "ip netns exec $A tcpdump -r $T_TMP/a2.pcap -nn 2>/dev/null | grep -q 'HB ACK'" ||
	fail "no HEARTBEAT-ACK on the second path"
# then freeze: no endpoint sends again, so captures and counts are final
kill -KILL "$client" "$server" 2>/dev/null
sleep 0.5
for n in 1 2; do sctp_capture_stop "a$n"; done

# the capture's view: the INIT's and INIT-ACK's tags, packets per pair
# (usrsctp picks the INIT's source address; the INIT-ACK goes back to it, maybe on the other path)
sort "$T_TMP/a1.txt" "$T_TMP/a2.txt" >"$T_TMP/cap.txt"
tag_a=$(sed -n 's/.*\[INIT\] \[init tag: \([0-9]*\)\].*/\1/p' "$T_TMP/cap.txt" | head -n 1)
tag_z=$(sed -n 's/.*\[INIT ACK\] \[init tag: \([0-9]*\)\].*/\1/p' "$T_TMP/cap.txt" | head -n 1)
[ -n "$tag_a" ] && [ -n "$tag_z" ] || fail "no INIT and INIT-ACK in the capture: $(head -n 5 "$T_TMP/cap.txt")"
sctp_pairs 10.1.0.1,10.2.0.1 "$T_TMP/cap.txt" >"$T_TMP/cap.pairs"
note "capture: INIT tag $tag_a, INIT-ACK tag $tag_z; per pair: $(tr '\n' ';' <"$T_TMP/cap.pairs")"
[ "$(wc -l <"$T_TMP/cap.pairs")" -ge 2 ] || fail "the capture shows fewer than two paths"

# sluice's view, per namespace
check_assoc() { # NS WHAT
	ctl d1 -j sctp assoc --netns "$1" >"$T_TMP/assoc.json" || fail "$2: sctp assoc --netns $1"
	assert_eq 1 "$(jq 'length' "$T_TMP/assoc.json")" "$2: associations in $1"
	assert_eq "$tag_a $tag_z" "$(jq -r '.[0] | "\(.tag_a) \(.tag_z)"' "$T_TMP/assoc.json")" "$2: tags in $1"
	assert_eq "10.1.0.1,10.2.0.1" "$(jq -r '.[0].addrs_a | sort | join(",")' "$T_TMP/assoc.json")" \
		"$2: the client's addresses in $1"
	assert_eq "10.1.0.2,10.2.0.2" "$(jq -r '.[0].addrs_z | sort | join(",")' "$T_TMP/assoc.json")" \
		"$2: the server's addresses in $1"
	assert_eq established "$(jq -r '.[0].state' "$T_TMP/assoc.json")" "$2: state in $1"
	jq -r '.[0].paths[] | "\(.a)>\(.z) \(.packets)"' "$T_TMP/assoc.json" | sort >"$T_TMP/sluice.pairs"
	cmp -s "$T_TMP/cap.pairs" "$T_TMP/sluice.pairs" || {
		note "sluice's counters in $1: $(ctl d1 -j status | jq -c --arg ns "$1" '.features[] | select(.name == "sctp") | .zones[] | select(.netns == $ns) | .counters | with_entries(select(.value > 0))')"
		note "the capture, packet by packet:"
		cat "$T_TMP/cap.txt"
	}
	assert_eq "$(cat "$T_TMP/cap.pairs")" "$(cat "$T_TMP/sluice.pairs")" "$2: packets per path in $1 (capture vs sluice)"
}
check_assoc "$A" "tracked"
check_assoc "$Z" "tracked"
last=$(jq -r '.[0].last_data' "$T_TMP/assoc.json")
case $last in 10.?.0.1\>10.?.0.2) ;; *) fail "last data path '$last'" ;; esac

status_pins_agree d1 sctp

note "a restarted daemon adopts the links and the records"
links_before=$(ctl d1 -j status | jq -c '[.features[] | select(.name == "sctp") | .links[].link_id]')
daemon_stop d1
daemon_start d1 --config "$conf"
assert_eq "$links_before" "$(ctl d1 -j status | jq -c '[.features[] | select(.name == "sctp") | .links[].link_id]')" \
	"link ids after the restart"
[ "$links_before" != "[]" ] || fail "status shows no sctp links"
check_assoc "$A" "after a restart"

note "an idle association expires after sctp timeout"
ctl d1 sctp timeout 1 || fail "sctp timeout 1"
wait_until 15 sh -c "[ \"\$('$SLUICECTL' --socket '$(sock_path d1)' -j sctp assoc | jq length)\" = 0 ]" ||
	fail "the idle associations did not expire"
assert_eq "1 1" "$(sctp_counter "$A" expired) $(sctp_counter "$Z" expired)" "associations expired in A and Z"
ctl d1 sctp timeout 300 || fail "sctp timeout 300"

note "SHUTDOWN-COMPLETE ends an association"
sctp_server server2 --port 7001 --bind 10.1.0.2,10.2.0.2 --count 20
ip netns exec "$A" "$PEER" client --port 7001 --bind 10.1.0.1,10.2.0.1 --peer 10.1.0.2,10.2.0.2 --count 20 \
	>"$T_TMP/client2.json" || fail "the second client: $(cat "$T_TMP/client2.json")"
wait_until 10 test -s "$T_TMP/server2.json" || fail "the second server did not finish"
wait_until 10 sh -c "[ \"\$('$SLUICECTL' --socket '$(sock_path d1)' -j sctp assoc | jq length)\" = 0 ]" ||
	fail "the association outlived its SHUTDOWN-COMPLETE: $(ctl d1 -j sctp assoc)"
assert_eq "1 1" "$(sctp_counter "$A" end_shutdown) $(sctp_counter "$Z" end_shutdown)" \
	"associations ended by SHUTDOWN-COMPLETE in A and Z"

note "untrack: the programs go, save says what is left"
for n in 1 2; do
	ctl d1 sctp untrack dev "z$n" netns "$Z" || fail "untrack z$n"
done
assert_eq "sctp track dev a1 netns $A
sctp track dev a2 netns $A" "$(ctl d1 save | grep '^sctp')" "saved sctp lines"
ip -n "$Z" link show z1 | grep -q xdp && fail "XDP left on z1 after untrack"
ctl d1 sctp untrack dev z1 netns "$Z" 2>/dev/null && fail "untrack of an untracked device succeeded"

note "a kernel without bpf_loop (5.17) or bpf_xdp_load_bytes (5.18) tracks nothing: said, exit 4"
for lack in bpf-loop:5.17 xdp-load-bytes:5.18; do
	cap=${lack%:*}
	SLUICE_KERNEL_LACKS=$cap daemon_start d2
	expect_exit 4 ctl d2 sctp track dev z1 netns "$Z"
	grep -q "needs ${lack#*:} for the bpf_" "$T_TMP/out" || fail "$cap: the reason: $(cat "$T_TMP/out")"
	ctl d2 -j status | jq -e --arg c "$cap" '.kernel.lacks[$c]' >/dev/null || fail "status: kernel.lacks $cap"
	assert_eq "" "$(ctl d2 save | grep '^sctp')" "$cap: d2 kept no sctp line"
	ip -n "$Z" link show z1 | grep -q xdp && fail "$cap: XDP on z1"
	daemon_stop d2
done
exit 0
