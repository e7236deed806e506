# Daemon lifecycle against bpftool's view: start, stop (dataplane stays),
# restart (adopts, no duplicate programs), reload (atomic swap, counters
# kept), bad config (nothing changes), coexistence, the control socket
# under silent and malformed clients, --cleanup (nothing left).
. "$(dirname "$0")/lib.sh"
require bpftool socat ss timeout

ns=$(ns_new a)
conf=$T_TMP/sluice.conf
echo "drops enable --sample-rate 10" >"$conf"

# prog id of a pinned link, as bpftool sees it
link_prog() { bpftool -j link show pinned "$(pin_root d)/links/$1" | jq .prog_id; }
status_prog() { ctl d -j status | jq ".features[0].programs[] | select(.program == \"$1\") | .prog_id"; }
prog_exists() { bpftool prog show id "$1" >/dev/null 2>&1; }
drops_v4() { ctl d -j drops --netns "$ns" | jq '[.[] | select(.reason == "NO_SOCKET") | .packets] | add // 0'; }
noports() { snmp "$ns" Udp NoPorts; }
send_closed() { ip netns exec "$ns" "$GEN" send --dst 127.0.0.1 --port 9 --count "$1" >/dev/null || fail "send"; }

daemon_start d --config "$conf"
p1=$(link_prog drops_kfree_skb)
q1=$(link_prog drops_udp_fail_queue_rcv_skb)
assert_eq "$p1" "$(status_prog sl_drops_kfree)" "status reports the pinned kfree_skb program"
assert_eq "$q1" "$(status_prog sl_drops_udpq)" "status reports the pinned udp_fail_queue program"
assert_eq 8 "$(ls "$(pin_root d)/maps" | grep -c -E '^sl_(d|udpq)')" "eight drops maps pinned"
bpftool map dump pinned "$(pin_root d)/maps/sl_dcfg_v2" | grep -q active_gen || fail "maps carry BTF field names"
n0=$(noports)
send_closed 100

note "stop: the pinned dataplane keeps counting"
daemon_stop d
prog_exists "$p1" || fail "program $p1 went away with the daemon"
send_closed 50

note "restart: adopts the pinned programs"
daemon_start d --config "$conf"
assert_eq "$p1" "$(link_prog drops_kfree_skb)" "same program after restart"
assert_eq "$p1" "$(status_prog sl_drops_kfree)" "status after restart"
assert_eq "$(($(noports) - n0))" "$(drops_v4)" "counts across stop and restart == NoPorts delta"
assert_eq 1 "$(bpftool -j prog show | jq "[.[] | select(.name == \"sl_drops_kfree\" and (.map_ids | index($(bpftool -j map show pinned "$(pin_root d)/maps/sl_drops_v1" | jq .id))))] | length")" \
	"exactly one kfree_skb program uses this daemon's counters"

note "reload: new programs swapped in, old ones gone, counters kept"
ctl d reload >/dev/null || fail "reload"
p2=$(link_prog drops_kfree_skb)
assert_ne "$p1" "$p2" "kfree_skb program replaced"
assert_eq "$p2" "$(status_prog sl_drops_kfree)" "status after reload"
wait_until 2 not prog_exists "$p1" || fail "old program $p1 still loaded after reload"
send_closed 70
assert_eq "$(($(noports) - n0))" "$(drops_v4)" "counts across reload == NoPorts delta"

note "SIGHUP reloads too"
kill -HUP "$(cat "$T_TMP/d.pid")"
for _ in $(seq 50); do [ "$(link_prog drops_kfree_skb)" != "$p2" ] && break; sleep 0.1; done
p3=$(link_prog drops_kfree_skb)
assert_ne "$p2" "$p3" "SIGHUP replaced the program"

note "a bad config changes nothing"
before=$(ctl d save)
printf 'drops enable --sample-rate 5\n# comment\ndrops enable --sample-rat 7\n' >"$conf"
expect_exit 2 ctl d reload
grep -q "sluice.conf:3:14: drops enable: unknown option '--sample-rat'" "$T_TMP/out" || { cat "$T_TMP/out"; fail "error names file:line:col"; }
assert_eq "$before" "$(ctl d save)" "running config unchanged"
assert_eq "$p3" "$(link_prog drops_kfree_skb)" "program unchanged"
expect_exit 2 "$SLUICED" --check-config --config "$conf"

note "runtime commands and save round trip"
ctl d drops enable --sample-rate 33 >/dev/null || fail "drops enable at run time"
ctl d save >"$conf"
grep -qx "drops enable --sample-rate 33" "$conf" || fail "save shows the runtime change"
expect_exit 0 "$SLUICED" --check-config --config "$conf"
ctl d drops disable >/dev/null || fail "drops disable"
bpftool link show pinned "$(pin_root d)/links/drops_kfree_skb" >/dev/null 2>&1 && fail "link still pinned after disable"
wait_until 2 not prog_exists "$p3" || fail "program still loaded after disable"
assert_eq "$(($(noports) - n0))" "$(drops_v4)" "counters readable while disabled"
ctl d reload >/dev/null || fail "reload from saved config"
assert_eq "$(status_prog sl_drops_kfree)" "$(link_prog drops_kfree_skb)" "saved config re-enables tracing"

note "usage errors and exit codes"
expect_exit 2 ctl d drops --by nothing
expect_exit 2 ctl d nosuchcommand
expect_exit 2 ctl d drops --netns no-such-ns-$T_ID
expect_exit 0 ctl d drops --help
expect_exit 3 "$SLUICECTL" --socket "$T_TMP/nobody.sock" status

note "a second daemon coexists; a third on the same pin root or socket is refused"
daemon_start e
assert_ne "$(link_prog drops_kfree_skb)" "$(bpftool -j link show pinned "$(pin_root e)/links/drops_kfree_skb" | jq .prog_id)" \
	"second daemon has its own programs"
expect_exit 1 "$SLUICED" --pin-root "$(pin_root d)" --socket "$T_TMP/other.sock"
expect_exit 1 "$SLUICED" --pin-root "$(pin_root d)-x" --socket "$(sock_path d)"
rmdir "$(pin_root d)-x/maps" "$(pin_root d)-x/links" "$(pin_root d)-x" 2>/dev/null
expect_exit 1 "$SLUICED" --cleanup --pin-root "$(pin_root d)"

note "a silent client is dropped at the deadline; garbage gets an error"
# (a full house of silent clients: test_ctl_socket, with a deadline long
# enough that filling it cannot race it)
t0=$(now_ms)
silent_client d "$T_TMP/eof"
wait_conns d 1
raw d 'status\000garbage\n' | jq -e '.code == 2 and .error == "request contains a NUL byte"' >/dev/null ||
	fail "a request with a NUL byte was not refused"
raw d '\001\002garbage\n' | jq -e '.status == "error"' >/dev/null ||
	fail "garbage request did not get an error reply"
head -c 9000 /dev/zero | tr '\0' a | socat - "UNIX-CONNECT:$(sock_path d)" 2>/dev/null |
	jq -e '.code == 2 and .error == "request longer than 4096 bytes"' >/dev/null ||
	fail "over-long request did not get an error reply"
wait_until 7 test -s "$T_TMP/eof" || fail "a silent client was still connected 7 s later"
dt=$(($(cat "$T_TMP/eof") - t0))
note "silent client dropped after $dt ms"
# not before the deadline (the sweep runs every 500 ms; how late the guard says)
[ "$dt" -ge 4500 ] || fail "silent client dropped after $dt ms, before the 5 s deadline"
wait_conns d 0
expect_exit 0 ctl d status

note "cleanup removes everything"
pe=$(bpftool -j link show pinned "$(pin_root e)/links/drops_kfree_skb" | jq .prog_id)
p4=$(link_prog drops_kfree_skb)
daemon_stop d
daemon_stop e
expect_exit 0 "$SLUICED" --cleanup --pin-root "$(pin_root d)"
expect_exit 0 "$SLUICED" --cleanup --pin-root "$(pin_root e)"
[ -e "$(pin_root d)" ] && fail "pin root left behind"
wait_until 2 not prog_exists "$p4" && wait_until 2 not prog_exists "$pe"
prog_exists "$p4" && fail "program $p4 left loaded after cleanup"
prog_exists "$pe" && fail "program $pe left loaded after cleanup"
note "nothing left"
