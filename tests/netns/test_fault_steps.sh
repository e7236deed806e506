# Every numbered step of every operation killed (src/core/fault.h): for
# each fault point op in the tree and each step k = 1, 2, ... until the
# operation completes, a daemon armed with SLUICE_FAULT=op:k runs the
# operation under traffic and dies at step k; a daemon restarted on the same
# config must then hold the state from before or from after the operation
# (never a mix), b must have received 0 datagrams from the blocked source
# over the whole run, and a fresh burst of allowed datagrams after the
# restart must all arrive. Ops a start runs: "start" (adopting, and on an
# empty pin root), "apply" (a start on another config), "recover" (a start
# after a reload killed at each of its steps).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

MAX_STEPS=40
fails=0
problem() { # WHAT: a failed check; the run goes on to print every one
	echo "PROBLEM: $*"
	fails=$((fails + 1))
}

# the operations that have fault points, as the source names them (a
# table of names is listed on a comment line that starts the same way)
ops=$(grep -rho 'sl_fault_point([^;]*' "$SL_SRC/src" --include='*.c' | grep -o '"[a-z_-]*"' | tr -d '"' | sort -u)
[ -n "$ops" ] || fail "no sl_fault_point in $SL_SRC/src"

# actions_of OP: the actions that run it (an op without one fails the test:
# give it a trigger here). start-* actions are starts, below.
actions_of() {
	case $1 in
	start) echo "start-adopt start-fresh" ;;
	apply | recover) echo "start-$1" ;;
	reload | reload-core) echo reload ;;
	rule) echo "rule-add rule-del" ;;
	restore | swap | flush | destroy | rename | create | add | del) echo "$1" ;;
	list) echo "list-add list-del" ;;
	*) return 1 ;;
	esac
}

# another config for "apply": one more set and one more blocked element
conf2=$T_TMP/fault2.conf
{ cat "$conf"; echo "set create extra2 hash:ip"; echo "set add blk 10.99.0.7"; } >"$conf2"

has_op() { case " $(echo $ops) " in *" $1 "*) ;; *) return 1 ;; esac; }

# check ACTION OP K: after_restart, the kill named by its op and step
check() { after_restart "$1" "$2:$3"; }

# armed_start OP K CONF: daemon d started on CONF, armed with OP:K. 0: it
# came up (step K is past the op's last); 1: it died at OP:K.
armed_start() {
	SLUICE_FAULT=$1:$2
	export SLUICE_FAULT
	daemon_launch d --config "$3"
	unset SLUICE_FAULT
	daemon_ready d 20 && return 0
	killed "$1" "$2"
	return 1
}

printf '%-12s %-13s %6s %6s %17s %22s\n' op action steps kills "blocked delivered" "allowed lost (restart)" >"$T_TMP/table"
total_kills=0
# row OP ACTION STEPS: one line of the table, from kills, lost and the
# blocked counter at the row's start (bb)
row() {
	printf '%-12s %-13s %6s %6s %17s %22s\n' "$1" "$2" "$3" "$kills" $(($(nft_count blocked) - bb)) "$lost" >>"$T_TMP/table"
	total_kills=$((total_kills + kills))
}
row_start() { kills=0 lost=0 bb=$(nft_count blocked); }

note "first start, on an empty pin root"
start_under_traffic
bprev=$b0
bursts=200
assert_eq 0 "$(burst)" "allowed datagrams lost before any fault"

note "each action once, unarmed: the state it produces"
for op in $ops; do
	acts=$(actions_of "$op") || fail "fault point op '$op' has no action in this test: give it one in actions_of"
	for act in $acts; do
		case $act in start-*) ;; *) learn "$act" ;; esac
	done
done
for act in start-adopt start-fresh start-recover; do
	cp "$T_TMP/ref" "$T_TMP/before.$act"
	cp "$T_TMP/ref" "$T_TMP/after.$act"
done
# a start on conf2 holds conf2's state, whatever the pins held before
daemon_stop d
daemon_start d --config "$conf2"
save_of d >"$T_TMP/after.start-apply"
cp "$T_TMP/after.start-apply" "$T_TMP/before.start-apply"
daemon_stop d
daemon_start d --config "$conf"
save_of d >"$T_TMP/now"
cmp -s "$T_TMP/now" "$T_TMP/ref" || { diff "$T_TMP/ref" "$T_TMP/now"; fail "a start on the config after conf2 is not the config's state"; }

# run-time ops: the armed daemon adopts the pinned state, then runs the
# action and dies at step k
for op in $ops; do
	for act in $(actions_of "$op"); do
		case $act in start-*) continue ;; esac
		note "$op ($act)"
		row_start
		k=1
		while :; do
			[ $k -le $MAX_STEPS ] || fail "$op: still dying at step $MAX_STEPS"
			prepare "$act"
			daemon_stop d
			armed_start "$op" "$k" "$conf" ||
				{ tail -n 20 "$T_TMP/d.log"; fail "armed with $op:$k, the daemon died in its start"; }
			if run "$act" >"$T_TMP/out" 2>&1 && daemon_alive d; then
				# step k is past the last one: the action completed
				check "$act" "$op" "$k (none)"
				back_to_config
				break
			fi
			killed "$op" "$k"
			kills=$((kills + 1))
			restart "after $op:$k"
			check "$act" "$op" "$k"
			back_to_config
			k=$((k + 1))
		done
		echo $((k - 1)) >"$T_TMP/steps.$op"
		row "$op" "$act" $((k - 1))
	done
done

has_op start || fail "no start fault points in the tree"
note "start: killed at each step while adopting the pinned dataplane"
row_start
k=1
while :; do
	[ $k -le $MAX_STEPS ] || fail "start: still dying at step $MAX_STEPS"
	daemon_stop d
	if armed_start start "$k" "$conf"; then
		check start-adopt start "$k (none)"
		break
	fi
	kills=$((kills + 1))
	restart "after start:$k"
	check start-adopt start "$k"
	k=$((k + 1))
done
row start start-adopt $((k - 1))

if has_op apply; then
	note "apply: a start on another config, killed at each step, restarted on that config"
	row_start
	k=1
	while :; do
		[ $k -le $MAX_STEPS ] || fail "apply: still dying at step $MAX_STEPS"
		daemon_stop d
		if armed_start apply "$k" "$conf2"; then
			up=1
			check start-apply apply "$k (none)"
		else
			up=0
			kills=$((kills + 1))
			restart "after apply:$k" "$conf2"
			check start-apply apply "$k"
		fi
		daemon_stop d
		restart "back on the config" "$conf"
		save_of d >"$T_TMP/now"
		cmp -s "$T_TMP/now" "$T_TMP/ref" || problem "apply:$k: a start back on the config is not the config's state"
		[ $up = 1 ] && break
		k=$((k + 1))
	done
	row apply start-apply $((k - 1))
fi

if has_op recover; then
	[ -f "$T_TMP/steps.reload" ] || fail "recover: no reload fault points to cut a reload short with"
	note "recover: a reload killed at each of its $(cat "$T_TMP/steps.reload") steps, then the start after it killed at each step"
	row_start
	steps=0
	for j in $(seq "$(cat "$T_TMP/steps.reload")"); do
		k=1
		while :; do
			[ $k -le $MAX_STEPS ] || fail "recover: still dying at step $MAX_STEPS"
			daemon_stop d
			armed_start reload "$j" "$conf" || fail "armed with reload:$j, the daemon died in its start"
			! run reload >/dev/null 2>&1 || fail "reload:$j: the reload completed"
			killed reload "$j"
			if armed_start recover "$k" "$conf"; then
				check start-recover "recover after reload:$j" "$k (none)"
				break
			fi
			kills=$((kills + 1))
			restart "after reload:$j, recover:$k"
			check start-recover "recover after reload:$j" "$k"
			k=$((k + 1))
		done
		steps=$((steps + k - 1))
	done
	row recover "after reload" "$steps"
fi

note "start: killed at each step on an empty pin root (blocked traffic off until ready)"
blocked_off
burst >/dev/null # the blocked senders' last datagrams are through
bursts=$((bursts + 200))
sent=$(blocked_sent)
row_start
k=1
while :; do
	[ $k -le $MAX_STEPS ] || fail "start: still dying at step $MAX_STEPS"
	daemon_stop d
	"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup before start:$k"
	if armed_start start "$k" "$conf"; then
		blocked_burst
		check start-fresh start "$k (none)"
		break
	fi
	kills=$((kills + 1))
	restart "after start:$k on an empty pin root"
	blocked_burst
	check start-fresh start "$k"
	k=$((k + 1))
done
row start start-fresh $((k - 1))

blocked=$(($(nft_count blocked) - b0))
noports=$(($(snmp "$b" Udp NoPorts) - n0))
cat "$T_TMP/table"
echo "kills: $total_kills; blocked datagrams sent $sent (and $((200 * k)) in bursts after fresh starts), delivered to b: $blocked (nft); NoPorts grew by $noports for $bursts allowed burst datagrams"
[ "$sent" -ge 1000 ] || problem "only $sent blocked datagrams were sent: the check above proves little"
[ "$blocked" = 0 ] || problem "$blocked datagrams from the blocked source reached b"
[ "$noports" = "$bursts" ] || problem "b's Udp NoPorts grew by $noports, the bursts were $bursts: blocked datagrams reached its stack"
[ "$fails" = 0 ] || fail "$fails problems (above)"
note "ok: every step of every operation"
