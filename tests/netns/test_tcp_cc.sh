#!/bin/sh
# tcp add … cc sluice_reno: sluice's own congestion control, written in BPF
# (bpf/tcp_cc.bpf.c), is registered through struct_ops while a rule names
# it (a pinned struct_ops link on 6.4+), set on the connections the rule
# selects (ss -ti shows it), replaced in place on reload (the same link),
# moves data, and is unregistered when no rule names it and by --cleanup.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/tcp_lib.sh"

available() { tr ' ' '\n' </proc/sys/net/ipv4/tcp_available_congestion_control | grep -qx sluice_reno; }
available && fail "sluice_reno is registered before the test (another daemon's?)"
tcp_pair a b 75
A=$a B=$b
ip netns exec "$B" sysctl -qw net.ipv4.tcp_early_retrans=0 # no tail loss probe in the first flight
echo "tcp add netns $B cc sluice_reno initcwnd 10" >"$T_TMP/cc.conf"
daemon_start d --config "$T_TMP/cc.conf"
available || fail "sluice_reno not registered after a start on a config that names it"
note "ok: registered ($(cat /proc/sys/net/ipv4/tcp_available_congestion_control))"
# links where the kernel has them (6.4+); on 6.1 the registered map is pinned
if ctl d -j status | jq -e '.kernel.lacks["struct-ops-link"]' >/dev/null; then
	haslink=0
	note "the kernel lacks struct_ops links: the map is registered by update"
	[ -e "$(pin_root d)/maps/sl_tcpcc_v1_sluice_reno" ] || fail "the registered map is not pinned"
	[ -e "$(pin_root d)/links/sl_tcp_cc_sluice_reno" ] && fail "a link was pinned on a kernel without struct_ops links"
else
	haslink=1
	link=$(bpftool link show pinned "$(pin_root d)/links/sl_tcp_cc_sluice_reno" 2>/dev/null | head -n 1)
	case $link in *struct_ops*) note "ok: a struct_ops link: $link" ;; *) fail "no struct_ops link pinned: $link" ;; esac
	assert_eq "$(echo "$link" | cut -d: -f1)" "$(ctl d -j status | jq -r '.features[] | select(.name == "tcp") | .congestion_control.link_id')" \
		"status names the link"
fi

got=$(tcp_conn "$B" 10.75.0.2 "$A" --hold)
assert_eq "sluice_reno 10" "$(tcp_val "$got" s_cc) $(tcp_val "$got" s_flight)" "B's accept: sluice_reno, a first flight of 10"
# it carries data: 4 MB through it, the window grows past the IW
ip netns exec "$B" $PY "$PROBE" bulk-serve 10.75.0.2 5999 "$T_TMP/bulk.ready" 4194304 >"$T_TMP/bulk.out" &
bulk=$!
while [ ! -s "$T_TMP/bulk.ready" ]; do kill -0 $bulk 2>/dev/null || fail "bulk server"; sleep 0.02; done
n=$(ip netns exec "$A" $PY "$PROBE" bulk-recv 10.75.0.2 5999) || fail "bulk client"
n=$(tcp_val "$n" bytes)
wait $bulk || fail "bulk server"
assert_eq 4194304 "$n" "4 MB received through sluice_reno"
cw=$(sed -n 's/.*cwnd=\([0-9]*\).*/\1/p' "$T_TMP/bulk.out")
note "after 4 MB: $(cat "$T_TMP/bulk.out")"
grep -q "cc=sluice_reno" "$T_TMP/bulk.out" || fail "the bulk connection's cc: $(cat "$T_TMP/bulk.out")"
[ "$cw" -gt 10 ] || fail "the window did not grow past the IW: $cw"

# the name is the machine's: a second daemon cannot register it too
daemon_start d2
ctl d2 tcp add netns "$B" cc sluice_reno 2>"$T_TMP/err"
assert_eq 4 $? "a second daemon's rule naming sluice_reno ($(cat "$T_TMP/err"))"
assert_eq "" "$(ctl d2 save | grep '^tcp')" "the second daemon kept nothing"
daemon_stop d2
# a config's rule naming it: the daemon starts, runs its rules without it
# and says why (as on a kernel that refuses the map), never fails whole
echo "tcp add netns $B cc sluice_reno initcwnd 12" >"$T_TMP/d2.conf"
daemon_start d2 --config "$T_TMP/d2.conf"
ctl d2 -j status | jq -e '.features[] | select(.name == "tcp") | .congestion_control.off | test("File exists")' >/dev/null ||
	fail "status of a config's sluice_reno it could not register: $(ctl d2 -j status | jq -c '.features[] | select(.name == "tcp")')"
assert_eq "tcp add netns $B initcwnd 12 cc sluice_reno" "$(ctl d2 save | grep '^tcp')" "the config's rule is kept"
daemon_stop d2
"$SLUICED" --cleanup --pin-root "$(pin_root d2)" >/dev/null || fail "cleanup d2" # its program off B's connections

cc_maps() { bpftool -j map show | jq -r '[.[] | select(.type == "struct_ops" and .name == "sl_reno") | .id] | sort | join(" ")'; }
maps_before=$(cc_maps)
ctl d reload || fail "reload"
maps_after=$(cc_maps)
[ -n "$maps_after" ] && [ "$maps_after" != "$maps_before" ] || fail "reload did not put a new map in ($maps_before -> $maps_after)"
note "ok: reload: struct_ops map $maps_before -> $maps_after"
if [ $haslink = 1 ]; then
	id_before=$(echo "$link" | cut -d: -f1)
	link=$(bpftool link show pinned "$(pin_root d)/links/sl_tcp_cc_sluice_reno" | head -n 1)
	assert_eq "$id_before" "$(echo "$link" | cut -d: -f1)" "reload: the same link (its map replaced in place)"
fi
available || fail "sluice_reno not registered after reload"
got=$(tcp_conn "$B" 10.75.0.2 "$A")
assert_eq sluice_reno "$(tcp_val "$got" s_cc)" "after reload"

ctl d tcp add netns "$A" initcwnd 11 || fail "tcp add (a rule without cc)"
ctl d tcp del netns "$B" || fail "tcp del"
available && fail "sluice_reno still registered with no rule naming it"
note "ok: unregistered with the last rule that names it"
ctl d tcp add netns "$B" cc sluice_reno || fail "tcp add again"
available || fail "not registered again"
daemon_stop d
available || fail "stopping the daemon unregistered it (the pinned link keeps it)"
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
available && fail "sluice_reno still registered after --cleanup"
note "ok: --cleanup unregistered it"

# a kernel without struct_ops links (Debian 12's 6.1), pretended here where
# the kernel has them: the map update registers it, the pinned map keeps it,
# and it is unregistered by hand
[ $haslink = 0 ] && echo PASS && exit 0
SLUICE_KERNEL_LACKS=struct-ops-link daemon_start d --config "$T_TMP/cc.conf"
available || fail "no links: not registered"
[ -e "$(pin_root d)/maps/sl_tcpcc_v1_sluice_reno" ] || fail "no links: the registered map is not pinned"
[ -e "$(pin_root d)/links/sl_tcp_cc_sluice_reno" ] && fail "no links: a link was pinned"
got=$(tcp_conn "$B" 10.75.0.2 "$A")
assert_eq sluice_reno "$(tcp_val "$got" s_cc)" "no links: B's accept"
maps_before=$(cc_maps)
ctl d reload || fail "no links: reload"
available || fail "no links: not registered after reload"
[ "$(cc_maps)" != "$maps_before" ] || fail "no links: reload kept the old map"
daemon_stop d
available || fail "no links: stopping the daemon unregistered it"
SLUICE_KERNEL_LACKS=struct-ops-link daemon_start d --config "$T_TMP/cc.conf"
ctl d tcp del netns "$B" || fail "no links: tcp del"
available && fail "no links: still registered with no rule naming it"
ctl d tcp add netns "$B" cc sluice_reno || fail "no links: tcp add again"
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "no links: cleanup"
available && fail "no links: still registered after --cleanup"
note "ok: without struct_ops links: registered, kept across a stop, replaced on reload, unregistered by del and --cleanup"
echo PASS
