# What the daemon shows the host: it keeps only CAP_BPF, CAP_PERFMON and
# CAP_NET_ADMIN effective, CAP_SYS_ADMIN permitted (for setns) and nothing
# else (read from /proc, not from the daemon), tells systemd it is
# ready over $NOTIFY_SOCKET, and sluicectl --watch repeats with rates.
. "$(dirname "$0")/lib.sh"
require socat

ns=$(ns_new a)
notify=$T_TMP/notify.sock
spawn socat -u "UNIX-RECVFROM:$notify,fork" "OPEN:$T_TMP/notify.log,creat,append"
wait_until 3 test -S "$notify" || fail "the notify socket $notify did not appear"
NOTIFY_SOCKET=$notify daemon_start d
pid=$(cat "$T_TMP/d.pid")

note "capabilities after start, as the kernel reports them"
# CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;
# CAP_SYS_ADMIN is permitted, effective only around setns() into a netns
eff=$(printf '%016x' $(((1 << 12) | (1 << 38) | (1 << 39))))
prm=$(printf '%016x' $(((1 << 12) | (1 << 21) | (1 << 38) | (1 << 39))))
assert_eq "$eff" "$(awk '$1 == "CapEff:" { print $2 }' "/proc/$pid/status")" "CapEff"
for set in CapPrm CapBnd; do
	assert_eq "$prm" "$(awk -v s="$set:" '$1 == s { print $2 }' "/proc/$pid/status")" "$set"
done
assert_eq 0000000000000000 "$(awk '$1 == "CapInh:" { print $2 }' "/proc/$pid/status")" "CapInh"

note "systemd readiness"
wait_until 3 grep -qs READY=1 "$T_TMP/notify.log"
# (datagrams land in the log back to back, without separators)
grep -q 'READY=1' "$T_TMP/notify.log" || fail "no READY=1 on NOTIFY_SOCKET: $(cat "$T_TMP/notify.log" 2>&1)"
grep -q "^STATUS=running .*$(pin_root d)" "$T_TMP/notify.log" || fail "no STATUS= naming the pin root"
grep -q "MAINPID=$pid\([^0-9]\|\$\)" "$T_TMP/notify.log" || fail "MAINPID is not the daemon's pid"
note "ok: READY=1, STATUS=, MAINPID=$pid"
kill -HUP "$pid"
wait_until 3 grep -qs RELOADING=1 "$T_TMP/notify.log"
grep -q 'RELOADING=1' "$T_TMP/notify.log" || fail "no RELOADING=1 on SIGHUP"
note "ok: RELOADING=1 on SIGHUP"

note "--watch repeats every second with per-second rates"
spawn ip netns exec "$ns" "$GEN" send --dst 127.0.0.1 --port 9 --rate 2000 --duration 4 >/dev/null
timeout 3.5 "$SLUICECTL" --socket "$(sock_path d)" drops --netns "$ns" --watch 1 >"$T_TMP/watch" 2>&1
[ "$(grep -c '^--- ' "$T_TMP/watch")" -ge 3 ] || { cat "$T_TMP/watch"; fail "--watch did not repeat"; }
# the last sample's rate: 2000 pps sent, one-second interval
rate=$(awk '$2 == "NO_SOCKET" { r = $NF } END { print r + 0 }' "$T_TMP/watch")
[ "$rate" -ge 1500 ] && [ "$rate" -le 2500 ] || { cat "$T_TMP/watch"; fail "--watch rate $rate is not ~2000 pps"; }
note "ok: --watch shows ~$rate pps"

note "restarted without CAP_SYS_ADMIN (as under the unit), it adopts and still reads recursion misses"
require setpriv # the capped restart
ids=$(ctl d -j status | jq -c '[.features[0].programs[].prog_id]')
daemon_stop d
printf '#!/bin/sh\nexec setpriv --bounding-set=-all,+bpf,+perfmon,+net_admin --inh-caps=-all %s "$@"\n' \
	"$SLUICED" >"$T_TMP/sluiced-capped"
chmod +x "$T_TMP/sluiced-capped"
real=$SLUICED
SLUICED=$T_TMP/sluiced-capped
daemon_start d
SLUICED=$real
assert_eq "$ids" "$(ctl d -j status | jq -c '[.features[0].programs[].prog_id]')" "programs adopted, not replaced"
assert_eq number "$(ctl d -j drops stats | jq -r '.recursion_misses | type')" "recursion_misses is known"
# every program that runs (one this kernel cannot load is "off" and has no counters)
assert_eq '["number"]' "$(ctl d -j status | jq -c '[.features[0].programs[] | select(.off == null) | .recursion_misses | type] | unique')" \
	"per-program recursion_misses are known"
