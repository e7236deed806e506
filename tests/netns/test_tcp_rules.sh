#!/bin/sh
# tcp add/del/list: rules set the initial windows of the connections in
# the namespaces and prefixes they name, both directions, and nothing
# else: the host's connections and those of another namespace with the
# same addresses keep the kernel's; bad input changes nothing; save and
# reload, a restart (adopting the pinned link) and --cleanup.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/tcp_lib.sh"

tcp_pair a b 71
A=$a B=$b
tcp_pair c d 71 # the same addresses in another pair of namespaces
C=$a D=$b

base=$(tcp_conn "$B" 10.71.0.2 "$A")
base6=$(tcp_conn "$B" fd00:71::2 "$A")
host=$(tcp_conn - 127.0.0.1 -)
note "defaults: $base; host: $host"
assert_eq 10 "$(tcp_val "$base" c_cwnd)" "the kernel's IW before any rule"

daemon_start d
ctl d tcp add netns "$B" initcwnd 20 initrwnd 40 || fail "tcp add (server's namespace)"
ctl d tcp add netns "$A" dst 10.71.0.2/32 initcwnd 30 initrwnd 7 || fail "tcp add (client's, a prefix)"
ctl d tcp add netns "$A" dst fd00:71::2 prio 50 initcwnd 4 || fail "tcp add (client's, IPv6)"

got=$(tcp_conn "$B" 10.71.0.2 "$A")
note "sluice, IPv4: $got"
assert_eq 30 "$(tcp_val "$got" c_cwnd)" "active open in A to 10.71.0.2: initcwnd 30"
assert_eq 20 "$(tcp_val "$got" s_cwnd)" "passive open in B: initcwnd 20"
assert_eq $((40 * 1448)) "$(tcp_val "$got" c_peer_wnd)" "SYN-ACK from B: initrwnd 40 x MSS 1448"
[ "$(tcp_val "$got" s_peer_wnd)" -ge $((7 * 1448)) ] && [ "$(tcp_val "$got" s_peer_wnd)" -lt $((8 * 1448)) ] ||
	fail "A's initial window as B holds it: expected 7 x 1448 rounded to its scale, got $(tcp_val "$got" s_peer_wnd)"
got6=$(tcp_conn "$B" fd00:71::2 "$A")
note "sluice, IPv6: $got6"
assert_eq 4 "$(tcp_val "$got6" c_cwnd)" "active open in A to fd00:71::2: initcwnd 4, rwnd left alone"
assert_eq "$(tcp_val "$base6" s_peer_wnd)" "$(tcp_val "$got6" s_peer_wnd)" "A's rwnd to fd00:71::2: the kernel's"
assert_eq 20 "$(tcp_val "$got6" s_cwnd)" "passive open in B over IPv6: initcwnd 20"

# the other way, B to A: B's rule has no dst; A's dst is the remote
# address in both directions, so A's accept from 10.71.0.2 matches it too
rev=$(tcp_conn "$A" 10.71.0.1 "$B")
assert_eq 20 "$(tcp_val "$rev" c_cwnd)" "active open in B (its rule has no dst)"
assert_eq 30 "$(tcp_val "$rev" s_cwnd)" "passive open in A from 10.71.0.2: dst is the remote address"
# a dual-stack listener: the accepted socket's remote address is
# ::ffff:10.71.0.2, which A's IPv4 prefix matches (and the SYN-ACK, made
# from the IPv4 request, too)
mapped=$(TCP_BIND="--bind ::" tcp_conn "$A" 10.71.0.1 "$B")
assert_eq "30 $((7 * 1448))" "$(tcp_val "$mapped" s_cwnd) $(tcp_val "$mapped" c_peer_wnd)" \
	"passive open in A on a dual-stack listener from 10.71.0.2: IW 30, SYN-ACK 7 x 1448"
rev6=$(tcp_conn "$A" fd00:71::1 "$B")
assert_eq 4 "$(tcp_val "$rev6" s_cwnd)" "passive open in A from fd00:71::2 (prio 50)"

other=$(tcp_conn "$D" 10.71.0.2 "$C")
assert_eq "$base" "$other" "another namespace pair with the same addresses: the kernel's windows"
host2=$(tcp_conn - 127.0.0.1 -)
assert_eq "$host" "$host2" "the host's own connections: untouched"

list=$(ctl d -j tcp list) || fail "tcp list"
assert_eq 2 "$(echo "$list" | jq -r --arg b "$B" '.[] | select(.netns == $b) | .passive')" "B's rule: two accepted connections"
assert_eq 3 "$(echo "$list" | jq -r --arg b "$B" '.[] | select(.netns == $b) | .active')" "B's rule: three connects"
assert_eq "1 2" "$(echo "$list" | jq -r '.[] | select(.dst == "10.71.0.2/32") | "\(.active) \(.passive)"')" "A's IPv4 rule: one connect, two accepts"
assert_eq "1 1" "$(echo "$list" | jq -r '.[] | select(.dst == "fd00:71::2/128") | "\(.active) \(.passive)"')" "A's IPv6 rule: one connect, one accept"
assert_eq "fd00:71::2/128" "$(echo "$list" | jq -r '.[0].dst')" "prio 50 lists first"

# cc NAME: the kernel's algorithm on the connections the rule selects;
# the others keep the namespace's default
def_cc=$(tcp_val "$base" c_cc)
other_cc=reno
[ "$def_cc" = reno ] && other_cc=cubic
ctl d tcp add netns "$B" dst 10.71.0.1/32 prio 1 cc $other_cc initcwnd 12 || fail "tcp add cc $other_cc"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq "$other_cc 12" "$(tcp_val "$got" s_cc) $(tcp_val "$got" s_cwnd)" "B's accept from A: cc $other_cc, IW 12"
assert_eq "$def_cc" "$(tcp_val "$got" c_cc)" "A's connect: the default cc ($def_cc)"
got6=$(tcp_conn "$B" fd00:71::2 "$A")
assert_eq "$def_cc" "$(tcp_val "$got6" s_cc)" "B's accept over IPv6 (outside the prefix): the default cc"
ip netns exec "$B" ss -tinH >/dev/null || fail "ss"
ctl d tcp del netns "$B" dst 10.71.0.1/32 || fail "tcp del (cc rule)"

# bad input: a usage error, nothing changes
before=$(ctl d save)
for bad in "initcwnd 0" "initrwnd 65536" "dst 10.71.0.1/8 initcwnd 3" "netns $B initcwnd 5" "netns nosuch-$T_ID initcwnd 5" \
	"netns $B dst 10.71.0.9/32 cc nosuchcc" "netns $B dst 10.71.0.9/32 cc Cubic"; do
	# shellcheck disable=SC2086
	ctl d tcp add $bad 2>"$T_TMP/err"
	rc=$?
	assert_eq 2 "$rc" "tcp add $bad: exit code ($(cat "$T_TMP/err"))"
done
ctl d tcp del netns "$B" initcwnd 21 2>/dev/null
assert_eq 2 $? "tcp del with another initcwnd"
assert_eq "$before" "$(ctl d save)" "refused commands changed nothing"

status_pins_agree d tcp

# save, then a daemon on that config; a restart adopts the pinned link
ctl d save >"$T_TMP/tcp.conf"
pb=$(ctl d -j tcp list | jq -r --arg b "$B" '.[] | select(.netns == $b) | .passive')
daemon_stop d
link_before=$(bpftool link show pinned "$(pin_root d)/links/sl_tcp_cg_1" | head -n 1 | cut -d: -f1)
[ -n "$link_before" ] || fail "the link stays pinned while the daemon is stopped"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq 30 "$(tcp_val "$got" c_cwnd)" "with the daemon stopped, the rules still hold"
daemon_start d --config "$T_TMP/tcp.conf"
assert_eq "$link_before" "$(bpftool link show pinned "$(pin_root d)/links/sl_tcp_cg_1" | head -n 1 | cut -d: -f1)" \
	"the restart adopted the link"
assert_eq "$(cat "$T_TMP/tcp.conf" | grep '^tcp')" "$(ctl d save | grep '^tcp')" "save after a start on the saved config"
assert_eq $((pb + 1)) "$(ctl d -j tcp list | jq -r --arg b "$B" '.[] | select(.netns == $b) | .passive')" "counters kept across the restart (one more accept while stopped)"
ctl d reload || fail "reload"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq 30 "$(tcp_val "$got" c_cwnd)" "after a reload"

# del: back to the kernel's
ctl d tcp del netns "$A" dst 10.71.0.2/32 || fail "tcp del"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq 10 "$(tcp_val "$got" c_cwnd)" "after tcp del, A's connect has the kernel's IW"
ctl d tcp del netns "$B" || fail "tcp del (B)"
ctl d tcp del netns "$A" dst fd00:71::2/128 || fail "tcp del (A, IPv6)"
[ -e "$(pin_root d)/links/sl_tcp_cg_1" ] && fail "no rules left, the link is still pinned"
note "ok: no rules, no link"
ctl d tcp add netns "$B" initcwnd 15 || fail "tcp add again"
lid=$(bpftool link show pinned "$(pin_root d)/links/sl_tcp_cg_1" | head -n 1 | cut -d: -f1)
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq "$(tcp_val "$base" s_cwnd)" "$(tcp_val "$got" s_cwnd)" "after --cleanup, B's accept has the kernel's IW"
bpftool link show id "$lid" >/dev/null 2>&1 && fail "the sockops link $lid is still there after --cleanup"
note "ok: --cleanup took the program off (link $lid gone)"

# a kernel without the netns cookie in sockops: status says so, a config's
# rules are kept (saved) but not run, a command exits 4
echo "tcp add netns $B initcwnd 15" >"$T_TMP/lacks.conf"
SLUICE_KERNEL_LACKS=sockops-netns-cookie daemon_start d --config "$T_TMP/lacks.conf"
ctl d -j status | jq -e '.kernel.lacks["sockops-netns-cookie"]' >/dev/null || fail "status: kernel.lacks"
ctl d -j status | jq -e '.features[] | select(.name == "tcp") | .off | test("5.15")' >/dev/null ||
	fail "status: the tcp feature says why it is off"
assert_eq "tcp add netns $B initcwnd 15" "$(ctl d save | grep '^tcp')" "the config's rule is kept"
[ -z "$(ls "$(pin_root d)/links" 2>/dev/null | grep sl_tcp)" ] || fail "a program was attached on a kernel that lacks the helper"
got=$(tcp_conn "$B" 10.71.0.2 "$A")
assert_eq "$(tcp_val "$base" s_cwnd)" "$(tcp_val "$got" s_cwnd)" "not run: B's accept has the kernel's IW"
ctl d tcp add netns "$A" initcwnd 15 2>"$T_TMP/err"
assert_eq 4 $? "tcp add on a kernel that lacks it ($(cat "$T_TMP/err"))"

# nor without bpf_loop: the program reaches sets through a bpf_loop prefix
# lookup, so it loads whole or not at all
SLUICE_KERNEL_LACKS=bpf-loop daemon_start d2
ctl d2 -j status | jq -e '.features[] | select(.name == "tcp") | .off | test("5.17")' >/dev/null ||
	fail "status: without bpf_loop the tcp feature says why it is off"
ctl d2 tcp add netns "$A" initcwnd 15 2>"$T_TMP/err"
assert_eq 4 $? "tcp add on a kernel without bpf_loop ($(cat "$T_TMP/err"))"
echo PASS
