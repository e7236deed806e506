# Sampled drop events at the top --sample-rate: the limit is taken and one
# more is refused with nothing changed; a storm of a known count that fits
# the ring buffer (3640 events) loses no event even while the daemon reads
# nothing (stopped), and once it runs again the event loop takes every
# event from the ring by itself, with no query to drain it.
#
# The ring is the daemon's own, but its programs see every UDP drop on the
# machine: a storm elsewhere while the daemon is stopped could fill it too.
. "$(dirname "$0")/lib.sh"
require bpftool

MAX=100000
STORM=3000 # below the ring's 3640 events: none can be lost, however late it is read
ns=$(ns_new a)
conf=$T_TMP/sluice.conf
cfg_map() { bpftool -j map lookup pinned "$(pin_root d)/maps/sl_dcfg_v2" key 0 0 0 0 | jq -c .value; }
stat() { ctl d -j drops stats | jq ".$1"; }

echo "drops enable --sample-rate 100" >"$conf"
daemon_start d --config "$conf"

note "--sample-rate $MAX is taken, $((MAX + 1)) is refused and changes nothing"
expect_exit 0 ctl d drops enable --sample-rate "$MAX"
ctl d save | grep -qx "drops enable --sample-rate $MAX" || fail "save: $(ctl d save)"
before=$(cfg_map)
expect_exit 2 ctl d drops enable --sample-rate "$((MAX + 1))"
grep -q -- "--sample-rate" "$T_TMP/out" || fail "the error does not name the option: $(cat "$T_TMP/out")"
ctl d save | grep -qx "drops enable --sample-rate $MAX" || fail "save after the refusal: $(ctl d save)"
assert_eq "$before" "$(cfg_map)" "the programs' event budget after the refusal"
assert_eq "$MAX" "$(ctl d -j status | jq '.features[] | select(.name == "drops") | .sample_rate')" \
	"sample rate in status after the refusal"
echo "drops enable --sample-rate $((MAX + 1))" >"$T_TMP/bad.conf"
expect_exit 2 "$SLUICED" --check-config --config "$T_TMP/bad.conf"
grep -q "bad.conf:1:" "$T_TMP/out" || fail "--check-config does not point at the line: $(cat "$T_TMP/out")"

note "a storm of $STORM drops while the daemon reads nothing: no event lost"
sent0=$(stat events_sent) lost0=$(stat events_lost)
np0=$(snmp "$ns" Udp NoPorts)
pid=$(cat "$T_TMP/d.pid")
kill -STOP "$pid"
ip netns exec "$ns" "$GEN" send --dst 127.0.0.1 --port 9 --count "$STORM" >/dev/null
send_rc=$?
kill -CONT "$pid"
[ "$send_rc" = 0 ] || fail "sluice-gen send failed"
assert_eq "$STORM" "$(($(snmp "$ns" Udp NoPorts) - np0))" "NoPorts delta (every datagram dropped)"

note "the event loop reads the ring by itself"
# status reads no event from the ring (drops stats and events do): what it
# shows received is the loop's work alone
status_stats() { ctl d -j status | jq -c '.features[] | select(.name == "drops") | .stats'; }
sent=$(status_stats | jq .events_sent) # every event of the storm, at least
[ "$((sent - sent0))" -gt 0 ] || fail "no event was sent"
for _ in $(seq 100); do # generous: the loop reads them as soon as the daemon runs
	got=$(status_stats | jq .events_received)
	[ "$got" -ge "$sent" ] && break
	sleep 0.1
done
[ "$got" -ge "$sent" ] || fail "the event loop left events in the ring: received $got of $sent"
note "ok: the loop received $got of $sent events"
assert_eq 0 "$(($(stat events_lost) - lost0))" "events lost"
note "the storm: $STORM drops, $((sent - sent0)) events sent"
