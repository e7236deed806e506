#!/bin/sh
# send add …: per-message policy on batched UDP sends, with real traffic,
# side by side with the same policy written as nftables OUTPUT rules.
#
# Two LANs (a bridge namespace each) with the same hosts and addresses:
# s (.1, the sender the rules name), o (.11, another sender), sinks a (.2,
# allowed), d (.3, denied), w (.4, where x's messages are rewritten to) and
# x (.5, rewritten away). On LAN 1 sluice holds the policy, on LAN 2 nft.
# s sends batches of 64 round-robin to a, d and x (sluice-gen --dst list),
# in IPv4 and IPv6; o sends to d. Oracles: each sink's count per source
# (sluice-gen sink) and the kernel's UDP InDatagrams in its namespace, the
# sender's OutDatagrams, sendmmsg's own returns (sent/failed per
# destination), and send list's counters; then both LANs must agree.
# Also: what sendmmsg returns when its 10th message is denied (ctypes, not
# sluice-gen), replies from a rewritten destination and getpeername (sendto and connect,
# both families), a cgroup rule, the host's own sockets, match-set rules
# (dst and dst,dst) following their sets, bad input, and a restart that
# adopts the links from the saved configuration.
. "$(dirname "$0")/lib.sh"
require nft bpftool
PY=/usr/bin/python3
TOOL="$SL_SRC/tests/netns/tools/send_batch.py"
P=5300      # the sinks' port
P2=5301     # the rewrite's new port
HP=5399     # a port on the host's loopback
COUNT=1920  # per family: 30 batches of 64, 22 + 21 + 21 a batch
HOSTS="s:1 o:11 a:2 d:3 w:4 x:5"

CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG2" ] || fail "no cgroup2 mount"
CG=/sluice-test-$T_ID
mkdir -p "$CG2$CG" || fail "mkdir $CG2$CG"
trap 't_cleanup; rmdir "$CG2$CG"' EXIT

n() { echo "$T_ID-$1"; } # the namespace of host $1 (e.g. s1: s on LAN 1)

# lan N: the bridge and its hosts; static neighbours between all of them
lan() {
	br=$(ns_new "br$1")
	ip -n "$br" link add br0 type bridge || fail "bridge"
	ip -n "$br" link set br0 up
	for h in $HOSTS; do
		ns=$(ns_new "${h%%:*}$1")
		ip -n "$ns" link add e0 type veth peer name "p${h%%:*}" netns "$br" || fail "veth"
		ip -n "$br" link set "p${h%%:*}" master br0 up
		ip -n "$ns" addr add "10.98.0.${h#*:}/24" dev e0
		ip -n "$ns" addr add "fd98::${h#*:}/64" dev e0 nodad
		ip -n "$ns" link set e0 up
	done
	for h in $HOSTS; do
		mac=$(ip -n "$(n "${h%%:*}$1")" -j link show e0 | jq -r '.[0].address')
		for g in $HOSTS; do
			[ "$g" = "$h" ] && continue
			ip -n "$(n "${g%%:*}$1")" neigh replace "10.98.0.${h#*:}" lladdr "$mac" dev e0 nud permanent
			ip -n "$(n "${g%%:*}$1")" neigh replace "fd98::${h#*:}" lladdr "$mac" dev e0 nud permanent
		done
	done
}
lan 1
lan 2

# --- the policy: sluice on LAN 1, nft on LAN 2 --------------------------------
daemon_start d
S1=$(n s1)
for r in "prio 10 dst 10.98.0.3:$P action deny" \
	"prio 20 dst 10.98.0.5:$P action rewrite 10.98.0.4:$P2" \
	"prio 30 dst 10.98.0.0/24 action count" \
	"prio 40 dst 10.98.0.2 action allow" \
	"prio 10 dst [fd98::3]:$P action deny" \
	"prio 20 dst [fd98::5]:$P action rewrite [fd98::4]:$P2" \
	"prio 30 dst fd98::/64 action count" \
	"prio 40 dst fd98::2 action allow" \
	"prio 10 dst 127.0.0.1:$HP action deny"; do
	# shellcheck disable=SC2086 # the rule's words
	ctl d send add netns "$S1" $r || fail "send add $r"
done
# rules for other destinations, before the ones above in the walk: 17 in
# all, so the programs remember each destination's walk (SL_SEND_MEMO_MIN)
for i in 1 2 3 4 5 6 7 8; do
	ctl d send add netns "$S1" prio 1 dst 10.97.$i.0/24 action deny || fail "send add (filler $i)"
done
ip netns exec "$(n s2)" nft -f - <<EOF || fail "nft on LAN 2's s"
add table inet sl
add chain inet sl out { type filter hook output priority 0; }
add rule inet sl out ip daddr 10.98.0.3 udp dport $P counter drop
add rule inet sl out ip6 daddr fd98::3 udp dport $P counter drop
add chain inet sl nat { type nat hook output priority -100; }
add rule inet sl nat ip daddr 10.98.0.5 udp dport $P counter dnat ip to 10.98.0.4:$P2
add rule inet sl nat ip6 daddr fd98::5 udp dport $P counter dnat ip6 to [fd98::4]:$P2
EOF
note "sluice on LAN 1 ($(ctl d send list | wc -l) lines of send list), nft OUTPUT on LAN 2"

# --- traffic ------------------------------------------------------------------
# in_dgrams NS: datagrams its sockets took (IPv4 and IPv6)
in_dgrams() { echo $(($(snmp "$1" Udp InDatagrams) + $(snmp "$1" snmp6 Udp6InDatagrams))); }
in_is() { [ "$(in_dgrams "$1")" = "$2" ]; }
out_dgrams() { echo $(($(snmp "$1" Udp OutDatagrams) + $(snmp "$1" snmp6 Udp6OutDatagrams))); }

# run N: the sinks, s's two batched runs, o's run; every sink's JSON in
# $T_TMP/sink-HOST-N.json, the senders' in $T_TMP/send-{4,6,o}-N.json
run() {
	pids=""
	for h in a:$P d:$P w:$P2 x:$P; do
		rm -f "$T_TMP/ready"
		spawn ip netns exec "$(n "${h%%:*}$1")" "$GEN" sink --port "${h#*:}" --duration 600 \
			--ready-file "$T_TMP/ready" --json >"$T_TMP/sink-${h%%:*}-$1.json"
		pids="$pids $LAST_SPAWN"
		wait_file "$T_TMP/ready"
	done
	out0=$(out_dgrams "$(n "s$1")")
	ip netns exec "$(n "s$1")" "$GEN" send --dst 10.98.0.2,10.98.0.3,10.98.0.5 --port $P --count $COUNT \
		--rate 20000 --json >"$T_TMP/send-4-$1.json" || fail "send (IPv4) on LAN $1"
	ip netns exec "$(n "s$1")" "$GEN" send --dst fd98::2,fd98::3,fd98::5 --port $P --count $COUNT \
		--rate 20000 --json >"$T_TMP/send-6-$1.json" || fail "send (IPv6) on LAN $1"
	ip netns exec "$(n "o$1")" "$GEN" send --dst 10.98.0.3 --port $P --count 100 --json \
		>"$T_TMP/send-o-$1.json" || fail "send from o on LAN $1"
	OUT_DELTA=$(($(out_dgrams "$(n "s$1")") - out0))
	# every datagram sent has reached a sink's socket and been read
	wait_until 20 in_is "$(n "a$1")" $((2 * 660)) || fail "a on LAN $1: $(in_dgrams "$(n "a$1")")"
	wait_until 20 in_is "$(n "w$1")" $((2 * 630)) || fail "w on LAN $1: $(in_dgrams "$(n "w$1")")"
	wait_until 20 in_is "$(n "d$1")" 100 || fail "d on LAN $1: $(in_dgrams "$(n "d$1")")"
	for p in $pids; do kill -INT "$p"; done
	for p in $pids; do wait "$p"; done
	assert_eq 0 "$(in_dgrams "$(n "x$1")")" "x on LAN $1 took nothing (kernel's count)"
}
run 1
OUT1=$OUT_DELTA
run 2
OUT2=$OUT_DELTA

# per_dst N FAMILY: "sent/failed" to a, d and x by sendmmsg's returns
per_dst() { jq -r '[.destinations[] | "\(.sent)/\(.failed)"] | join(" ")' "$T_TMP/send-$2-$1.json"; }
# from N HOST: the sink's count per source, "SRC=N ..." sorted
from() { jq -r '[(.sources // [])[] | "\(.src)=\(.packets)"] | sort | join(" ")' "$T_TMP/sink-$2-$1.json"; }

for lan in 1 2; do
	what=$([ $lan = 1 ] && echo sluice || echo nft)
	assert_eq "660/0 0/630 630/0" "$(per_dst $lan 4)" "$what: IPv4 batches, sent/failed to a d x (sendmmsg's returns)"
	assert_eq "660/0 0/630 630/0" "$(per_dst $lan 6)" "$what: IPv6 batches, sent/failed to a d x"
	assert_eq $((2 * (660 + 630))) "$(eval echo \$OUT$lan)" "$what: s's OutDatagrams grew by what was sent"
	assert_eq "10.98.0.1=660 fd98::1=660" "$(from $lan a)" "$what: a got the allowed messages once, from s"
	assert_eq "10.98.0.1=630 fd98::1=630" "$(from $lan w)" "$what: w got the rewritten ones once, from s"
	assert_eq "10.98.0.11=100" "$(from $lan d)" "$what: d got o's (another namespace) and none of s's"
	assert_eq "" "$(from $lan x)" "$what: x got nothing"
	assert_eq 0 "$(jq '.drops' "$T_TMP/sink-a-$lan.json")" "$what: no receive-buffer drops at a"
done
for h in a d w x; do
	assert_eq "$(from 1 $h)" "$(from 2 $h)" "sink $h: sluice and nft deliver the same"
done

# send list's counters, rules in match order. A denied message is tried
# twice by a batched sender: the kernel runs the hook for it in the call
# that then returns the count before it, and again in the next call (which
# starts at it and fails with EPERM): deny rules count attempts, 2 x 630.
counts=$(ctl d -j send list | jq -r '[.[] | select(.prio > 1) | "\(.dst)=\(.messages)"] | join(" ")')
assert_eq "10.98.0.3/32:$P=1260 [fd98::3/128]:$P=1260 127.0.0.1/32:$HP=0 10.98.0.5/32:$P=630 [fd98::5/128]:$P=630 10.98.0.0/24=660 fd98::/64=660 10.98.0.2/32=660 fd98::2/128=660" \
	"$counts" "send list: what each rule matched equals what the sinks and sendmmsg saw"
memos=$(bpftool -j map dump pinned "$(pin_root d)/maps/sl_sendmemo_v1" |
	jq --arg c "$(ip netns exec "$S1" $PY -c 'import socket; print(int.from_bytes(socket.socket().getsockopt(socket.SOL_SOCKET, 71, 8), "little"))')" \
	'[.[] | select(.formatted.key.netns_cookie == ($c | tonumber))] | length')
[ "$memos" -ge 6 ] || fail "the walks of s's six destinations are remembered: $memos memos"
note "ok: $memos remembered walks for s's namespace (the counts above came through them)"
assert_eq "1260 1260" "$(ip netns exec "$(n s2)" nft -j list chain inet sl out | jq -r '[.nftables[].rule? | select(.) | .expr[] | .counter? | select(.) | .packets] | join(" ")')" \
	"nft's drop counters: the same attempts as sluice's deny rules (per family)"

# --- sendmmsg when its 10th message is denied ---------------------------------
# nine to a, one to d (denied), ten to a, in one call
batch="$(printf '10.98.0.2 %.0s' 1 2 3 4 5 6 7 8 9) 10.98.0.3 $(printf '10.98.0.2 %.0s' 1 2 3 4 5 6 7 8 9 10)"
for lan in 1 2; do
	# shellcheck disable=SC2086 # the addresses
	got=$(ip netns exec "$(n "s$lan")" $PY "$TOOL" batch $P $batch) || fail "batch on LAN $lan"
	assert_eq '[[9,""],[-1,"EPERM"],[10,""]]' "$(echo "$got" | jq -c .calls)" \
		"LAN $lan: sendmmsg of 20 returns 9, the call from the 10th fails EPERM, the rest goes in one call"
done

# --- replies from the rewritten destination -----------------------------------
for lan in 1 2; do
	rm -f "$T_TMP/echo"
	spawn sh -c 'exec ip netns exec "$1" "$2" "$3" echo "$4" 4 >"$5"' - "$(n "w$lan")" $PY "$TOOL" $P2 "$T_TMP/echo"
	wait_until 5 grep -q ready "$T_TMP/echo" || fail "echo on w"
	for q in "10.98.0.5 sendto 10.98.0.5:$P" "10.98.0.5 connect 10.98.0.5:$P" "fd98::5 sendto [fd98::5]:$P" \
		"fd98::5 connect [fd98::5]:$P"; do
		set -- $q
		got=$(ip netns exec "$(n "s$lan")" $PY "$TOOL" ask "$1" $P "$2") || fail "ask $q"
		assert_eq "$3" "$(echo "$got" | jq -r .from)" \
			"LAN $lan: the reply to a $2 to $1 comes from the address the app used"
		[ "$2" = sendto ] ||
			assert_eq "$3" "$(echo "$got" | jq -r .peer)" "LAN $lan: getpeername() after a $2 to $1 gives it back"
	done
done
assert_eq "2 2" "$(ctl d -j send list | jq -r '[.[] | select(.action == "rewrite") | .replies] | join(" ")')" \
	"send list: the replies given back their original source, per rewrite rule"
assert_eq "1 1" "$(ctl d -j send list | jq -r '[.[] | select(.action == "rewrite") | .connects] | join(" ")')" \
	"send list: one connect() per family rewritten"

# --- the host's and the cgroup's ----------------------------------------------
assert_eq '[[1,""]]' "$($PY "$TOOL" batch $HP 127.0.0.1 | jq -c .calls)" "the host's socket is not touched"
assert_eq '[[-1,"EPERM"]]' "$(ip netns exec "$S1" $PY "$TOOL" batch $HP 127.0.0.1 | jq -c .calls)" \
	"the same destination from s is denied"
ctl d send add netns "$S1" cgroup "$CG" prio 5 dst 10.98.0.2:5302 action deny || fail "send add (cgroup)"
# shellcheck disable=SC2016 # $1.. are the inner shell's
in_cg=$(sh -c 'echo $$ > "$1/cgroup.procs" && exec ip netns exec "$2" "$3" "$4" batch 5302 10.98.0.2' - \
	"$CG2$CG" "$S1" $PY "$TOOL" | jq -c .calls)
assert_eq '[[-1,"EPERM"]]' "$in_cg" "a socket in cgroup $CG is denied"
assert_eq '[[1,""]]' "$(ip netns exec "$S1" $PY "$TOOL" batch 5302 10.98.0.2 | jq -c .calls)" \
	"a socket outside it is not"
assert_eq "/ $CG" "$(ctl d -j status | jq -r '[.features[] | select(.name == "send") | .links[].attach | sub("^cgroup "; "") | sub(" .*"; "")] | unique | join(" ")')" \
	"programs on the root and on $CG"
ctl d send del netns "$S1" cgroup "$CG" dst 10.98.0.2:5302 || fail "send del (cgroup)"

# --- match-set: destinations a set holds ----------------------------------------
ctl d set create blocked hash:ip || fail "set create blocked"
ctl d set add blocked 10.98.0.2 || fail "set add blocked"
ctl d set create svc hash:ip,port || fail "set create svc"
ctl d set add svc 10.98.0.2,udp:5303 || fail "set add svc"
ctl d send add netns "$S1" prio 3 match-set blocked dst action deny || fail "send add match-set dst"
ctl d send add netns "$S1" prio 2 match-set svc dst,dst action allow || fail "send add match-set dst,dst"
assert_eq '[[-1,"EPERM"]]' "$(ip netns exec "$S1" $PY "$TOOL" batch 5302 10.98.0.2 | jq -c .calls)" \
	"match-set blocked dst: an address the set holds is denied"
assert_eq '[[1,""]]' "$(ip netns exec "$S1" $PY "$TOOL" batch 5303 10.98.0.2 | jq -c .calls)" \
	"match-set svc dst,dst: the address and port the set holds are allowed first (prio 2)"
expect_exit 1 ctl d set destroy blocked
ctl d set del blocked 10.98.0.2 || fail "set del blocked"
assert_eq '[[1,""]]' "$(ip netns exec "$S1" $PY "$TOOL" batch 5302 10.98.0.2 | jq -c .calls)" \
	"the address gone from the set: allowed at once"
assert_eq "1 1" "$(ctl d -j send list | jq -r '[.[] | select(.match_set) | .messages] | join(" ")')" \
	"send list: what the set rules matched"
expect_exit 2 ctl d send add netns "$S1" prio 4 match-set nosuch dst action deny
expect_exit 2 ctl d send add netns "$S1" prio 4 match-set blocked dst,dst action deny
expect_exit 2 ctl d send add netns "$S1" prio 4 match-set blocked dst action rewrite fd98::4
ctl d send del netns "$S1" match-set blocked dst && ctl d send del netns "$S1" match-set svc dst,dst ||
	fail "send del match-set"
ctl d set destroy blocked && ctl d set destroy svc || fail "set destroy once no rule names them"

# --- bad input changes nothing -------------------------------------------------
before=$(ctl d save)
expect_exit 2 ctl d send add netns "$S1" prio 40 dst 10.98.0.0/25 action deny
expect_exit 2 ctl d send add netns "$S1" dst 10.98.0.9 action rewrite fd98::9
expect_exit 2 ctl d send add netns "$S1" dst 10.98.0.9:0 action deny
expect_exit 2 ctl d send add netns "$S1" dst 10.98.0.9 action rewrite 10.98.0.10:0
expect_exit 2 ctl d send add netns "$S1" dst 10.98.0.9 action deny match-set blocked dst
expect_exit 2 ctl d send add netns "$S1" cgroup /nosuch-$T_ID dst 10.98.0.9 action deny
assert_eq "$before" "$(ctl d save)" "refused commands changed nothing"

status_pins_agree d send

# --- a restart on the saved configuration adopts the links --------------------
ctl d save >"$T_TMP/saved.conf"
links=$(ctl d -j status | jq -c '[.features[] | select(.name == "send") | .links[].link_id]')
daemon_stop d
daemon_start d --config "$T_TMP/saved.conf"
assert_eq "$before" "$(ctl d save)" "the saved configuration reads back to the same rules"
assert_eq "$links" "$(ctl d -j status | jq -c '[.features[] | select(.name == "send") | .links[].link_id]')" \
	"the restarted daemon adopted the eight links (same ids)"
assert_eq 1262 "$(ctl d -j send list | jq '.[] | select(.action == "deny" and .dst == "10.98.0.3/32:'$P'") | .messages')" \
	"the counters survived the restart (1260 batched, 2 in the 20-message calls)"
echo PASS
