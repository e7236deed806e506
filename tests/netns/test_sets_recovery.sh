# Issue 17, findings 1 and 2: a daemon killed during a reload, then started
# again on the same config, must enforce the config before it answers: the
# blocked source's datagrams are dropped (b's Udp NoPorts does not count
# them) and `save` still has the config's set and rule, with sets created at
# run time beside them (they move the reload's new sets to other slots).
# The reload is killed at each of its numbered steps (SLUICE_FAULT=reload:k,
# src/core/fault.h) until it completes; after the kills at the switch, the
# recovery itself is killed (recover:k) and the next start must still
# converge. No restart log may say a configured set was "half-built" or a
# rule "dropped". Then run-time changes that a start on the same config
# keeps (rule del, set swap, set flush) are killed at each step: after the
# restart the dataplane must do what `save` says, before or after.
. "$(dirname "$0")/lib.sh"
require jq

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
ip -n "$a" addr add 10.99.0.3/24 dev va
ip -n "$b" neigh replace 10.99.0.3 lladdr "$ma" dev vb nud permanent

conf=$T_TMP/blk.conf
cat >"$conf" <<EOF
set create blk hash:ip
set add blk 10.99.0.1
set create empty hash:ip
rule add dev vb netns $b ingress match-set blk src action drop
EOF

# send SRC N: N datagrams from SRC to b's closed port 9
send() {
	ip netns exec "$a" "$GEN" send --src "$1" --dst 10.99.0.2 --port 9 --count "$2" --batch 16 \
		--rate 20000 >/dev/null || fail "send from $1"
}

# delivered WHAT N: 200 from the blocked source, then 200 from an allowed
# one; once N are counted (one veth queue: the blocked ones went through
# XDP before the allowed ones), b's NoPorts must have grown by exactly N
delivered() {
	n0=$(snmp "$b" Udp NoPorts)
	send 10.99.0.1 200
	send 10.99.0.3 200
	for _ in $(seq 40); do
		[ $(($(snmp "$b" Udp NoPorts) - n0)) -ge "$2" ] && break
		sleep 0.05
	done
	sleep 0.1
	got=$(($(snmp "$b" Udp NoPorts) - n0))
	[ "$got" = "$2" ] || fail "$1: b counted $got datagrams, expected $2 ($((got - 200)) of 200 from the blocked source)"
}
enforced() { delivered "$1" 200; }

# matches WHAT: the dataplane does what save says: the source is dropped
# if and only if blk has it and the rule is there
matches() {
	ctl d save >"$T_TMP/save" || fail "$1: save"
	if grep -q "^set add blk 10.99.0.1" "$T_TMP/save" && grep -q "^rule add .*match-set blk src action drop" "$T_TMP/save"; then
		delivered "$1 (save: blocked)" 200
	else
		delivered "$1 (save: not blocked)" 400
	fi
}

# has_config WHAT: save lists the config's set, entry and rule
has_config() {
	ctl d save >"$T_TMP/save" || fail "$1: save"
	for line in "set create blk hash:ip" "set add blk 10.99.0.1" \
		"rule add dev vb netns $b ingress prio 100 match-set blk src action drop"; do
		grep -q "^$line" "$T_TMP/save" || { cat "$T_TMP/save"; fail "$1: save lacks '$line'"; }
	done
	! grep -E "half-built|dropping the rule|pinned map missing" "$T_TMP/d.log" ||
		fail "$1: the restart lost part of the committed state"
}

# restart WHAT: the daemon on the same config, unarmed
restart() {
	: >"$T_TMP/d.log"
	daemon_launch d --config "$conf"
	daemon_ready d 20 || { cat "$T_TMP/d.log"; fail "$1: the daemon did not come up"; }
}

# armed OP:K: the daemon on the config, set to die at that fault point
armed() {
	: >"$T_TMP/d.log"
	SLUICE_FAULT=$1
	export SLUICE_FAULT
	daemon_launch d --config "$conf"
	unset SLUICE_FAULT
}

# killed WHAT OP K: the armed daemon died by SIGKILL at fault point OP:K
killed() {
	daemon_reap d
	[ "$REAPED" = 137 ] || { cat "$T_TMP/d.log"; fail "$1: exited $REAPED, not by SIGKILL"; }
	grep -q "fault point $2:$3: killing myself" "$T_TMP/d.log" || { cat "$T_TMP/d.log"; fail "$1: not at $2:$3"; }
}

note "the config enforced on a fresh start"
daemon_start d --config "$conf"
enforced "fresh start"
has_config "fresh start"

k=1 kills=0 recovered=0
while :; do
	[ $k -le 40 ] || fail "reload: still dying at step 40"
	# run-time sets take the low free slots: the reload's new blk lands past them
	for i in 1 2 3; do
		ctl d set create "extra$k$i" hash:net >/dev/null || fail "create extra$k$i"
	done
	daemon_stop d
	armed reload:$k
	daemon_ready d 20 || { cat "$T_TMP/d.log"; fail "armed with reload:$k, died before ready"; }
	if ctl d reload >"$T_TMP/out" 2>&1 && daemon_alive d; then
		note "reload:$k is past the last step: the reload completed"
		enforced "reload completed"
		has_config "reload completed"
		break
	fi
	killed "reload:$k" reload "$k"
	kills=$((kills + 1))
	restart "after reload:$k"
	if grep -q "rolled back" "$T_TMP/d.log"; then
		recovered=$((recovered + 1))
		# the same kill again, and this time the recovery killed too
		daemon_stop d KILL
		armed reload:$k
		daemon_ready d 20 || fail "armed with reload:$k again, died before ready"
		ctl d reload >/dev/null 2>&1
		killed "reload:$k again" reload "$k"
		armed recover:1
		daemon_ready d 20 && fail "recover:1 after reload:$k: the start did not recover"
		killed "recover:1 after reload:$k" recover 1
		restart "after recover:1"
		grep -q "rolled back" "$T_TMP/d.log" || { cat "$T_TMP/d.log"; fail "a recovery killed was not redone"; }
	fi
	enforced "restart after reload:$k"
	has_config "restart after reload:$k"
	note "ok: reload:$k: blocked 200 of 200, config in save"
	k=$((k + 1))
done
note "reload: $kills kills, $recovered of them left a change open (recovery killed and redone too)"
[ "$kills" -ge 4 ] || fail "reload has only $kills steps"
[ "$recovered" -ge 1 ] || fail "no kill left a reload open: the test did not reach the switch"

# each run-time change killed at each step k; the restart keeps the
# committed state (same config), which must be the one enforced
for change in "rule:rule del dev vb netns $b ingress match-set blk src action drop" "swap:set swap blk empty" \
	"flush:set flush blk"; do
	op=${change%%:*} cmd=${change#*:}
	k=1 opened=0
	while :; do
		[ $k -le 40 ] || fail "$op: still dying at step 40"
		ctl d reload >/dev/null || fail "$op:$k: reload back to the config"
		daemon_stop d
		armed "$op:$k"
		daemon_ready d 20 || { cat "$T_TMP/d.log"; fail "armed with $op:$k, died before ready"; }
		# shellcheck disable=SC2086 # the command's words
		if ctl d $cmd >"$T_TMP/out" 2>&1 && daemon_alive d; then
			matches "$op completed"
			break
		fi
		killed "$op:$k" "$op" "$k"
		restart "after $op:$k"
		grep -q "rolled back" "$T_TMP/d.log" && opened=$((opened + 1))
		matches "restart after $op:$k"
		note "ok: $op:$k: the dataplane does what save says"
		k=$((k + 1))
	done
	[ "$opened" -ge 1 ] || fail "$op: no kill left the change open"
	note "$op: $((k - 1)) steps killed, $opened left open and were rolled back"
done
daemon_stop d
