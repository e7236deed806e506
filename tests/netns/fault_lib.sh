# Shared by test_fault_steps.sh and test_kill_loop.sh (source it after
# lib.sh): two namespaces, a config that blocks a's address 10.99.0.1 at
# b's XDP ingress, traffic from a, and b's own counters of what reached it.
#
#   blocked: 10.99.0.1 -> 10.99.0.2 ports 9 (closed) and 7000 (a sink)
#   allowed: 10.99.0.3 -> 7000 (the sink), bursts -> 7001 (closed)
# b's nft input hook (after XDP) counts every datagram from 10.99.0.1
# ("blocked", must stay 0) and the bursts ("burst"); b's Udp NoPorts must
# grow by the bursts alone.
require nft jq

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
ip -n "$a" addr add 10.99.0.3/24 dev va
ip -n "$b" neigh replace 10.99.0.3 lladdr "$ma" dev vb nud permanent
ip netns exec "$b" nft -f - <<EOF || fail "nft counters in b"
table inet fault {
	counter blocked {}
	counter burst {}
	chain input {
		type filter hook input priority 0; policy accept;
		ip saddr 10.99.0.1 counter name blocked
		ip saddr 10.99.0.3 udp dport 7001 counter name burst
	}
}
EOF

conf=$T_TMP/fault.conf
cat >"$conf" <<EOF
set create blk hash:ip
set add blk 10.99.0.1
# blk2 blocks the source too: a swap of the two never opens the dataplane
set create blk2 hash:ip
set add blk2 10.99.0.1
set add blk2 10.99.0.5
set create alw hash:ip
set add alw 10.99.0.3
set create spare hash:net
set add spare 10.97.0.0/16
# a list:set under a rule: an add or del on it rebuilds the rule's program
set create lst list:set
set add lst blk
rule add dev vb netns $b ingress prio 50 match-set alw src action pass
rule add dev vb netns $b ingress prio 95 match-set lst src action drop
rule add dev vb netns $b ingress prio 90 match-set blk2 src action drop
rule add dev vb netns $b ingress prio 100 match-set blk src action drop
EOF

# nft_count NAME: packets b's named counter has seen
nft_count() {
	ip netns exec "$b" nft -j list counter inet fault "$1" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

# save_of NAME: the daemon's running config, comments dropped, sorted
# (element order is the hash's)
save_of() { ctl "$1" save | grep -v '^#' | sort; }

# save_matches_conf FILE: every config line is in the save FILE (a create
# line as a prefix: save adds the defaults)
save_matches_conf() {
	grep -v -e '^#' -e '^$' "$conf" | while IFS= read -r line; do
		grep -qxF -e "$line" "$1" || grep -q "^$line " "$1" || { echo "$line"; return 1; }
	done
}

# the blocked senders; each prints what it sent when stopped (blocked_sent)
BLOCKED_PIDS=""
blocked_on() {
	for port in 9 7000; do
		spawn ip netns exec "$a" "$GEN" send --src 10.99.0.1 --dst 10.99.0.2 --port $port --rate 1000 \
			--json >"$T_TMP/blocked.$port.$(now_ms)"
		BLOCKED_PIDS="$BLOCKED_PIDS $LAST_SPAWN"
	done
}
blocked_off() {
	for p in $BLOCKED_PIDS; do
		kill -TERM "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	BLOCKED_PIDS=""
}
blocked_sent() { cat "$T_TMP"/blocked.* | jq -s 'map(.packets) | add // 0'; }
allowed_on() {
	spawn ip netns exec "$b" "$GEN" sink --port 7000 >/dev/null
	# bound before the first datagram: NoPorts counts the bursts alone
	for _ in $(seq 100); do
		ip netns exec "$b" ss -Huln 'sport = :7000' | grep -q . && break
		sleep 0.05
	done
	spawn ip netns exec "$a" "$GEN" send --src 10.99.0.3 --dst 10.99.0.2 --port 7000 --rate 1000 >/dev/null
}

# burst [N]: N (200) allowed datagrams now; waits (2 s at most) until b has
# them all. Prints how many never arrived. One veth queue, so once the
# burst is in, everything sent before it has been through XDP too.
burst() {
	n=${1:-200}
	c0=$(nft_count burst)
	ip netns exec "$a" "$GEN" send --src 10.99.0.3 --dst 10.99.0.2 --port 7001 --count "$n" \
		--batch 16 --rate 20000 >/dev/null || fail "burst send"
	for _ in $(seq 40); do
		got=$(($(nft_count burst) - c0))
		[ "$got" -ge "$n" ] && break
		sleep 0.05
	done
	echo $((n - got))
}

# blocked_burst: 200 datagrams from the blocked source, to the closed port
blocked_burst() {
	ip netns exec "$a" "$GEN" send --src 10.99.0.1 --dst 10.99.0.2 --port 9 --count 200 \
		--batch 16 --rate 20000 >/dev/null || fail "blocked burst send"
}

# --- the operations the tests kill, against daemon d -----------------------------------

# extra_rule add|del: the rule the rule actions add and remove
extra_rule() { ctl d rule "$1" dev vb netns "$b" ingress prio 20 match-set spare src action drop; }
seq 0 299 | awk '{ printf "add blk 10.98.%d.%d\n", $1 / 250, $1 % 250 + 1 }' >"$T_TMP/restore.body"
# the blocked element leaves and comes back inside one restore
{ echo "del blk 10.99.0.1"; cat "$T_TMP/restore.body"; echo "add blk 10.99.0.1"; } >"$T_TMP/restore.txt"

# run ACTION: the operation, against daemon d
run() {
	case $1 in
	reload) ctl d reload ;;
	restore) ctl d set restore <"$T_TMP/restore.txt" ;;
	swap) ctl d set swap blk blk2 ;;
	rule-add) extra_rule add ;;
	rule-del) extra_rule del ;;
	flush) ctl d set flush blk2 ;;
	destroy) ctl d set destroy spare ;;
	rename) ctl d set rename spare spare2 ;;
	create) ctl d set create extra hash:ip ;;
	add) ctl d set add blk2 10.99.0.9 ;;
	del) ctl d set del blk2 10.99.0.5 ;;
	list-add) ctl d set add lst spare before blk ;;
	list-del) ctl d set del lst blk ;;
	esac
}
# prepare ACTION: bring the config's state to the one the action starts from
prepare() {
	case $1 in
	rule-del) extra_rule add >/dev/null || fail "rule add before rule-del" ;;
	esac
}

# back_to_config: a reload puts the config's state back after an action
back_to_config() {
	save_of d >"$T_TMP/now"
	cmp -s "$T_TMP/now" "$T_TMP/ref" && return 0
	ctl d reload >/dev/null || fail "reload back to the config"
	save_of d >"$T_TMP/now"
	cmp -s "$T_TMP/now" "$T_TMP/ref" || { diff "$T_TMP/ref" "$T_TMP/now"; fail "a reload did not restore the config's state"; }
}

# restart WHY [CONF]: the daemon on the same config (or CONF), unarmed,
# until it answers
restart() {
	daemon_launch d --config "${2:-$conf}"
	daemon_ready d 20 || { tail -n 20 "$T_TMP/d.log"; fail "restart $1: the daemon did not come up"; }
}

# learn ACTION...: run each once, unarmed, from the config's state: the
# saves before.ACTION and after.ACTION it is checked against
learn() {
	for act in "$@"; do
		[ -f "$T_TMP/after.$act" ] && continue
		prepare "$act"
		save_of d >"$T_TMP/before.$act"
		run "$act" >"$T_TMP/out" 2>&1 || { cat "$T_TMP/out"; fail "$act, unarmed, failed"; }
		save_of d >"$T_TMP/after.$act"
		back_to_config
	done
}

# killed OP K: the armed daemon died; it was SIGKILL at that fault point
killed() {
	daemon_reap d
	[ "$REAPED" = 137 ] || { tail -n 20 "$T_TMP/d.log"; fail "$1:$2: the daemon exited $REAPED, not by SIGKILL"; }
	grep -q "fault point $1:$2: killing myself" "$T_TMP/d.log" ||
		{ tail -n 20 "$T_TMP/d.log"; fail "$1:$2: killed, but not at its fault point"; }
}

# after_restart ACTION WHAT: after a restart, the state is the one before or
# after ACTION, a fresh allowed burst arrives whole, and no blocked datagram
# reached b since the call before (the burst is through, so is all sent
# before it). Counts into bursts, lost and bprev; WHAT names the kill.
after_restart() {
	save_of d >"$T_TMP/now"
	if ! cmp -s "$T_TMP/now" "$T_TMP/before.$1" && ! cmp -s "$T_TMP/now" "$T_TMP/after.$1"; then
		problem "$2 ($1): after the restart, save is neither the state before nor after:"
		diff "$T_TMP/before.$1" "$T_TMP/now" | sed 's/^/    /'
	fi
	l=$(burst)
	bursts=$((bursts + 200))
	[ "$l" = 0 ] || problem "$2 ($1): $l of 200 allowed datagrams lost after the restart"
	lost=$((lost + l))
	bn=$(nft_count blocked)
	if [ "$bn" != "$bprev" ]; then
		problem "$2 ($1): $((bn - bprev)) blocked datagrams reached b since the check before"
		# an open dataplane can look like the config: a reload closes it,
		# so the next kill is judged on its own
		ctl d reload >/dev/null || fail "reload after an open dataplane"
		burst >/dev/null
		bursts=$((bursts + 200))
		bn=$(nft_count blocked)
	fi
	bprev=$bn
}

# start_under_traffic: the daemon on the config (save must hold its lines),
# then both senders; n0 and b0 are b's NoPorts and blocked counts then
start_under_traffic() {
	daemon_start d --config "$conf"
	save_of d >"$T_TMP/ref"
	miss=$(save_matches_conf "$T_TMP/ref") || { cat "$T_TMP/ref"; fail "the config's line '$miss' is not in save"; }
	allowed_on
	blocked_on
	n0=$(snmp "$b" Udp NoPorts)
	b0=$(nft_count blocked)
}
