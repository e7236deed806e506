# The control socket against a real daemon: when silent clients hold every
# slot, newcomers evict the longest-silent one (oldest first, logged at
# debug) and are answered at once; a NUL byte in a request refuses it whole
# (nothing runs); sluicectl -j reports an unreachable daemon as JSON on
# stdout, exit 3. The deadline and busy reply: test_daemon_lifecycle and
# tests/unit/test_ctl.c. sluiced --client-timeout refuses what is not whole
# seconds from 1 to 3600.
. "$(dirname "$0")/lib.sh"
require socat ss timeout

# a deadline far longer than filling 32 slots takes, even under emulation
daemon_start c -v --client-timeout 600

note "a full house evicts the longest-silent client, oldest first"
# the first three one by one, so that their accept order is certain
for i in 1 2 3; do
	silent_client c "$T_TMP/eof.$i"
	wait_conns c $i
	sleep 0.01
done
for i in $(seq 4 32); do silent_client c "$T_TMP/eof.$i"; done
wait_conns c 32
# each status takes the slot of the longest silent client and frees it when
# answered; a fresh silent client then fills every slot again
for i in 33 34 35; do
	t=$(now_ms)
	expect_exit 0 timeout 2 "$SLUICECTL" --socket "$(sock_path c)" status
	note "status with 32 silent clients holding every slot: $(($(now_ms) - t)) ms"
	silent_client c "$T_TMP/eof.$i"
	wait_conns c 32
done
sleep 0.3 # for the evicted socats to notice EOF
for i in 1 2 3; do [ -s "$T_TMP/eof.$i" ] || fail "silent client $i (among the oldest) was not evicted"; done
for i in $(seq 4 35); do [ -e "$T_TMP/eof.$i" ] && fail "silent client $i was evicted, not one of the oldest"; done
assert_eq 3 "$(daemon_log c | grep -c 'control socket: 32 clients connected; dropping the one idle for')" \
	"evictions logged at debug"

note "--client-timeout takes whole seconds from 1 to 3600"
T_DAEMONS="$T_DAEMONS bad" # so that cleanup removes what a wrongly accepted one pinned
for bad in 0 3601 -1 5x "" 1.5; do
	expect_exit 2 timeout 20 "$SLUICED" --client-timeout "$bad" --socket "$T_TMP/bad.sock" --pin-root "$(pin_root bad)"
	grep -q "sluiced: --client-timeout '$bad': expected whole seconds from 1 to 3600" "$T_TMP/out" ||
		fail "--client-timeout '$bad': $(cat "$T_TMP/out")"
done
[ -e "$T_TMP/bad.sock" ] || [ -e "$(pin_root bad)" ] && fail "a refused --client-timeout created its socket or pin root"

note "a NUL byte refuses the whole request"
raw c 'drops stats\000garbage\n' >"$T_TMP/r" || fail "no reply"
jq -e '.status == "error" and .code == 2 and .error == "request contains a NUL byte"' "$T_TMP/r" >/dev/null ||
	fail "NUL request: $(cat "$T_TMP/r")"
raw c 'drops disable\000trailing' | jq -e '.code == 2' >/dev/null || fail "NUL request ended by EOF was not refused"
assert_eq true "$(ctl c -j status | jq '.features[0].enabled')" "'drops disable' before a NUL did not run"
raw c 'status\n\000after the line' | jq -e '.status == "ok"' >/dev/null || fail "bytes after the newline are not the request"

note "sluicectl -j: an unreachable daemon is a JSON error on stdout, exit 3"
nobody=$T_TMP/nobody.sock
"$SLUICECTL" -j --socket "$nobody" status >"$T_TMP/out" 2>"$T_TMP/err"
assert_eq 3 $? "exit code, no socket"
assert_eq "" "$(cat "$T_TMP/err")" "nothing on stderr"
assert_eq "error 3 cannot reach sluiced at $nobody: No such file or directory" \
	"$(jq -r '"\(.status) \(.code) \(.error)"' "$T_TMP/out")" "JSON error, no socket"
"$SLUICECTL" --socket "$nobody" status >"$T_TMP/out" 2>"$T_TMP/err"
assert_eq 3 $? "exit code without -j"
assert_eq "" "$(cat "$T_TMP/out")" "nothing on stdout without -j"
grep -q "cannot reach sluiced at $nobody" "$T_TMP/err" || fail "no message on stderr without -j"
expect_exit 2 ctl c -j drops --by nothing
jq -e '.status == "error" and .code == 2 and .column > 0' "$T_TMP/out" >/dev/null ||
	fail "usage error under -j: $(cat "$T_TMP/out")"
daemon_stop c KILL # the socket file stays, nobody listens on it
expect_exit 3 ctl c -j status
jq -e ".code == 3 and .error == \"cannot reach sluiced at $(sock_path c): Connection refused\"" "$T_TMP/out" >/dev/null ||
	fail "JSON error, stale socket: $(cat "$T_TMP/out")"

note "a daemon that never answers: the client gives up after --timeout (or \$SLUICE_TIMEOUT)"
PY=/usr/bin/python3 # Debian's interpreter, standard library only
spawn "$PY" -c 'import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); open(sys.argv[2], "w").close(); c = s.accept(); time.sleep(600)' \
	"$T_TMP/mute.sock" "$T_TMP/mute.ready"
wait_file "$T_TMP/mute.ready"
t0=$(now_ms)
# (a client that ignored --timeout would wait its default 30 s: timeout 10 ends it, exit 124)
expect_exit 3 timeout 10 "$SLUICECTL" --socket "$T_TMP/mute.sock" --timeout 1 status
grep -q "no reply (timed out)" "$T_TMP/out" || fail "a mute daemon: $(cat "$T_TMP/out")"
[ $(($(now_ms) - t0)) -ge 1000 ] || fail "gave up before its timeout of 1 s"
for bad in 0 86401 -1 1.5 "" x; do
	expect_exit 2 "$SLUICECTL" --socket "$T_TMP/mute.sock" --timeout "$bad" status
	grep -q "timeout is not a number of seconds in 1..86400" "$T_TMP/out" || fail "--timeout '$bad': $(cat "$T_TMP/out")"
	expect_exit 2 env SLUICE_TIMEOUT="$bad" "$SLUICECTL" --socket "$T_TMP/mute.sock" status
done
echo PASS
