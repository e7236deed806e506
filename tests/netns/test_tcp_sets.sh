#!/bin/sh
# tcp add ... match-set SET dst: a rule selects the connections whose remote
# address a set of the sets feature holds (hash:ip, hash:net; either
# layout; IPv4 and IPv6), read from the set as it is at each connection
# (add and del change it without touching the rule), through a swap (the
# rule follows the name, as an iptables rule follows its set); a set a
# rule names cannot be destroyed or renamed (ipset's exit code and text);
# bad input changes nothing; save, a start on it, and a restart keep it.
# The oracle is each connection's own TCP_INFO (tcp_probe.py).
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/tcp_lib.sh"

tcp_pair a b 73
A=$a B=$b

base=$(tcp_conn "$B" 10.73.0.2 "$A")
iw=$(tcp_val "$base" c_cwnd)
assert_eq 10 "$iw" "the kernel's IW before any rule"

# cwnd IW NS: the client's IW from A to B at address IP, and B's passive IW
c_iw() { tcp_val "$(tcp_conn "$B" "$1" "$A")" c_cwnd; }
s_iw() { tcp_val "$(tcp_conn "$B" "$1" "$A")" s_cwnd; }

daemon_start d
ctl d set create near hash:ip || fail "set create near (plain layout)"
ctl d set add near 10.73.0.2 || fail "set add near"
ctl d set create near6 hash:net family inet6 timeout 600 || fail "set create near6 (entry values)"
ctl d set add near6 fd00:73::/64 || fail "set add near6"
ctl d set create other hash:ip || fail "set create other"
ctl d set create ports hash:ip,port || fail "set create ports"

ctl d tcp add netns "$A" match-set near dst initcwnd 17 || fail "tcp add match-set near dst (A)"
ctl d tcp add netns "$B" match-set near6 dst initcwnd 23 || fail "tcp add match-set near6 dst (B)"
assert_eq 17 "$(c_iw 10.73.0.2)" "A's connect to 10.73.0.2, in near: initcwnd 17"
assert_eq "$iw" "$(c_iw fd00:73::2)" "A's connect over IPv6 (near is IPv4): the kernel's IW"
assert_eq 23 "$(s_iw fd00:73::2)" "B's accept from fd00:73::1, in near6 (hash:net): initcwnd 23"
assert_eq "$iw" "$(s_iw 10.73.0.2)" "B's accept from 10.73.0.1 (near6 is IPv6): the kernel's IW"
# a set with netmask keeps and matches addresses masked, for tcp's lookups too
ctl d set create m24 hash:ip netmask 24 || fail "set create m24 netmask 24"
ctl d set add m24 10.73.0.77 || fail "set add m24"
ctl d tcp add netns "$B" match-set m24 dst initcwnd 19 || fail "tcp add match-set m24 dst (B)"
assert_eq 19 "$(s_iw 10.73.0.2)" "B's accept from 10.73.0.1: m24 holds 10.73.0.0/24 (netmask 24): initcwnd 19"
ctl d tcp del netns "$B" match-set m24 dst || fail "tcp del match-set m24"
ctl d set destroy m24 || fail "set destroy m24"
# gone from the sets' directory too: a rule can no longer name it
ctl d tcp add netns "$B" match-set m24 dst initcwnd 19 2>"$T_TMP/err"
assert_eq 2 $? "tcp add naming the destroyed set m24 ($(cat "$T_TMP/err"))"

list=$(ctl d -j tcp list) || fail "tcp list"
assert_eq "near true" "$(echo "$list" | jq -r --arg a "$A" '.[] | select(.netns == $a) | "\(.match_set) \(.set_found)"')" \
	"tcp list: A's rule names near, found"
assert_eq 3 "$(echo "$list" | jq -r --arg a "$A" '.[] | select(.netns == $a) | .active')" \
	"A's rule: three connects to 10.73.0.2 counted (two measured from B's side)"

# the set as it is now: no apply, no program change
ctl d set del near 10.73.0.2 || fail "set del near"
assert_eq "$iw" "$(c_iw 10.73.0.2)" "after set del: A's connect has the kernel's IW"
ctl d set add near 10.73.0.0 || fail "set add near (another address)"
assert_eq "$iw" "$(c_iw 10.73.0.2)" "an address the set does not hold: the kernel's IW"
ctl d set add near 10.73.0.2 || fail "set add near again"
assert_eq 17 "$(c_iw 10.73.0.2)" "after set add: initcwnd 17 again"
ctl d set del near6 fd00:73::/64 || fail "set del near6"
ctl d set add near6 fd00:73::1 timeout 600 || fail "set add near6 (one address)"
assert_eq 23 "$(s_iw fd00:73::2)" "near6 holding fd00:73::1/128: B's accept from it, initcwnd 23"

# swap: the rule follows the name (near is now other's empty set), and back
ctl d set swap near other || fail "set swap near other"
assert_eq "$iw" "$(c_iw 10.73.0.2)" "after swap near other: near is empty, the kernel's IW"
ctl d set add near 10.73.0.2 || fail "set add near (after the swap)"
assert_eq 17 "$(c_iw 10.73.0.2)" "near after the swap, holding 10.73.0.2: initcwnd 17"
ctl d set swap near other || fail "set swap back"

# a set a rule names stays, under its name, as ipset keeps a set iptables holds
ctl d set destroy near 2>"$T_TMP/err"
assert_eq 1 $? "set destroy of a set a tcp rule names: ipset's exit code ($(cat "$T_TMP/err"))"
grep -q "Set cannot be destroyed: it is in use by a kernel component" "$T_TMP/err" || fail "ipset's text: $(cat "$T_TMP/err")"
ctl d set rename near far 2>"$T_TMP/err"
assert_eq 1 $? "set rename of a set a tcp rule names ($(cat "$T_TMP/err"))"
grep -q "Set cannot be renamed: it is in use by another system" "$T_TMP/err" || fail "ipset's text: $(cat "$T_TMP/err")"
ctl d set destroy 2>"$T_TMP/err"
assert_eq 1 $? "set destroy of every set, some named by tcp rules"
ctl d set list near >/dev/null || fail "near is still there"
ctl d set list ports >/dev/null || fail "ports is still there (destroy of all refused whole)"

# bad input: exit 2, nothing changes (entries' remaining timeouts aside,
# which run down meanwhile)
saved() { ctl d save | sed '/^set add /s/ timeout [0-9]*//'; }
before=$(saved)
for bad in "netns $A match-set nosuch dst initcwnd 5" "netns $A match-set ports dst initcwnd 5" \
	"netns $A match-set other src initcwnd 5" "netns $A match-set other initcwnd 5" \
	"netns $A dst 10.73.0.2 match-set other dst initcwnd 5" "netns $A match-set -x dst initcwnd 5" \
	"netns $A match-set other dst"; do
	# shellcheck disable=SC2086
	ctl d tcp add $bad 2>"$T_TMP/err"
	assert_eq 2 $? "tcp add $bad: exit code ($(cat "$T_TMP/err"))"
done
assert_eq "$before" "$(saved)" "refused commands changed nothing"

# save; a start on it (the sets come after tcp in a config's apply); a
# restart keeps the rule on the pinned sets
ctl d save >"$T_TMP/tcp.conf"
grep -qx "tcp add netns $A match-set near dst initcwnd 17" "$T_TMP/tcp.conf" || fail "save: $(grep '^tcp' "$T_TMP/tcp.conf")"
daemon_stop d
assert_eq 17 "$(c_iw 10.73.0.2)" "with the daemon stopped the rule and the set still hold"
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
assert_eq "$iw" "$(c_iw 10.73.0.2)" "after --cleanup: the kernel's IW"
daemon_start d --config "$T_TMP/tcp.conf"
assert_eq 17 "$(c_iw 10.73.0.2)" "a start on the saved config (sets and rule from it): initcwnd 17"
assert_eq 23 "$(s_iw fd00:73::2)" "and B's accept: initcwnd 23"
daemon_stop d
daemon_start d --config "$T_TMP/tcp.conf"
assert_eq 17 "$(c_iw 10.73.0.2)" "a restart on the same config, adopting what is pinned"

# the rule gone, the set is free again
ctl d tcp del netns "$A" match-set near dst || fail "tcp del match-set near dst"
assert_eq "$iw" "$(c_iw 10.73.0.2)" "after tcp del: the kernel's IW"
ctl d set rename near far || fail "set rename once no rule names it"
ctl d set destroy far || fail "set destroy once no rule names it"
echo PASS
