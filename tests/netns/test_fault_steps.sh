# Every numbered step of every operation killed (src/core/fault.h): for
# each fault point op in the tree and each step k = 1, 2, ... until the
# operation completes, a daemon armed with SLUICE_FAULT=op:k runs the
# operation under traffic and dies at step k; a daemon restarted on the same
# config must then hold the state from before or from after the operation
# (never a mix), b must have received 0 datagrams from the blocked source
# over the whole run, and a fresh burst of allowed datagrams after the
# restart must all arrive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

MAX_STEPS=40
fails=0
problem() { # WHAT: a failed check; the run goes on to print every one
	echo "PROBLEM: $*"
	fails=$((fails + 1))
}

# the operations that have fault points, as the source names them
ops=$(grep -rho 'sl_fault_point([^;]*' "$SL_SRC/src" --include='*.c' | grep -o '"[a-z_-]*"' | tr -d '"' | sort -u)
[ -n "$ops" ] || fail "no sl_fault_point in $SL_SRC/src"

# actions_of OP: the actions that run it (an op without one fails the test:
# give it a trigger here)
actions_of() {
	case $1 in
	start) echo "start-adopt start-fresh" ;;
	reload | reload-core) echo reload ;;
	rule) echo "rule-add rule-del" ;;
	restore | swap | flush | destroy | rename | create | add | del) echo "$1" ;;
	*) return 1 ;;
	esac
}

# check ACTION OP K: after the restart, the state is before or after, and
# a fresh allowed burst arrives whole
check() {
	save_of d >"$T_TMP/now"
	if ! cmp -s "$T_TMP/now" "$T_TMP/before.$1" && ! cmp -s "$T_TMP/now" "$T_TMP/after.$1"; then
		problem "$2:$3 ($1): after the restart, save is neither the state before nor after:"
		diff "$T_TMP/before.$1" "$T_TMP/now" | sed 's/^/    /'
	fi
	l=$(burst)
	[ "$l" = 0 ] || problem "$2:$3 ($1): $l of 200 allowed datagrams lost after the restart"
	lost=$((lost + l))
}

note "first start, on an empty pin root"
daemon_start d --config "$conf"
save_of d >"$T_TMP/ref"
miss=$(save_matches_conf "$T_TMP/ref") || { cat "$T_TMP/ref"; fail "the config's line '$miss' is not in save"; }
allowed_on
blocked_on
n0=$(snmp "$b" Udp NoPorts)
b0=$(nft_count blocked)
bursts=0
assert_eq 0 "$(burst)" "allowed datagrams lost before any fault"
bursts=$((bursts + 200))

note "each action once, unarmed: the state it produces"
for op in $ops; do
	acts=$(actions_of "$op") || fail "fault point op '$op' has no action in this test: give it one in actions_of"
	for act in $acts; do
		case $act in start-*) ;; *) learn "$act" ;; esac
	done
done
cp "$T_TMP/ref" "$T_TMP/before.start-adopt"
cp "$T_TMP/ref" "$T_TMP/after.start-adopt"

printf '%-12s %-12s %6s %6s %16s %22s\n' op action steps kills "blocked delivered" "allowed lost (restart)" >"$T_TMP/table"
total_kills=0
row() { # OP ACTION STEPS KILLS BLOCKED LOST
	printf '%-12s %-12s %6s %6s %16s %22s\n' "$@" >>"$T_TMP/table"
	total_kills=$((total_kills + $4))
}

# every op but start: the armed daemon adopts the pinned state, then runs
# the action and dies at step k
for op in $ops; do
	for act in $(actions_of "$op"); do
		case $act in start-*) continue ;; esac
		note "$op ($act)"
		kills=0 lost=0 bb=$(nft_count blocked) k=1
		while :; do
			[ $k -le $MAX_STEPS ] || fail "$op: still dying at step $MAX_STEPS"
			prepare "$act"
			daemon_stop d
			SLUICE_FAULT=$op:$k
			export SLUICE_FAULT
			daemon_launch d --config "$conf"
			unset SLUICE_FAULT
			daemon_ready d 20 || { tail -n 20 "$T_TMP/d.log"; fail "armed with $op:$k, the daemon died in its start"; }
			if run "$act" >"$T_TMP/out" 2>&1 && daemon_alive d; then
				# step k is past the last one: the action completed
				save_of d >"$T_TMP/now"
				cmp -s "$T_TMP/now" "$T_TMP/after.$act" || problem "$act, armed past its last step, left another state"
				bursts=$((bursts + 200))
				l=$(burst)
				lost=$((lost + l))
				back_to_config
				break
			fi
			killed "$op" "$k"
			kills=$((kills + 1))
			restart "after $op:$k"
			check "$act" "$op" "$k"
			bursts=$((bursts + 200))
			back_to_config
			k=$((k + 1))
		done
		row "$op" "$act" $((k - 1)) $kills $(($(nft_count blocked) - bb)) $lost
	done
done

note "start: killed at each step while adopting the pinned dataplane"
kills=0 lost=0 bb=$(nft_count blocked) k=1
while :; do
	[ $k -le $MAX_STEPS ] || fail "start: still dying at step $MAX_STEPS"
	daemon_stop d
	SLUICE_FAULT=start:$k
	export SLUICE_FAULT
	daemon_launch d --config "$conf"
	unset SLUICE_FAULT
	if daemon_ready d 20; then
		check start-adopt start "$k (none)"
		bursts=$((bursts + 200))
		break
	fi
	killed start "$k"
	kills=$((kills + 1))
	restart "after start:$k"
	check start-adopt start "$k"
	bursts=$((bursts + 200))
	k=$((k + 1))
done
row start start-adopt $((k - 1)) $kills $(($(nft_count blocked) - bb)) $lost

note "start: killed at each step on an empty pin root (blocked traffic off until ready)"
blocked_off
burst >/dev/null # the blocked senders' last datagrams are through
bursts=$((bursts + 200))
sent=$(blocked_sent)
cp "$T_TMP/ref" "$T_TMP/before.start-fresh"
cp "$T_TMP/ref" "$T_TMP/after.start-fresh"
kills=0 lost=0 bb=$(nft_count blocked) k=1
while :; do
	[ $k -le $MAX_STEPS ] || fail "start: still dying at step $MAX_STEPS"
	daemon_stop d
	"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup before start:$k"
	SLUICE_FAULT=start:$k
	export SLUICE_FAULT
	daemon_launch d --config "$conf"
	unset SLUICE_FAULT
	if daemon_ready d 20; then
		blocked_burst
		check start-fresh start "$k (none)"
		bursts=$((bursts + 200))
		break
	fi
	killed start "$k"
	kills=$((kills + 1))
	restart "after start:$k on an empty pin root"
	blocked_burst
	check start-fresh start "$k"
	bursts=$((bursts + 200))
	k=$((k + 1))
done
row start start-fresh $((k - 1)) $kills $(($(nft_count blocked) - bb)) $lost

blocked=$(($(nft_count blocked) - b0))
noports=$(($(snmp "$b" Udp NoPorts) - n0))
cat "$T_TMP/table"
echo "kills: $total_kills; blocked datagrams sent $sent (and $((200 * (k))) in bursts after fresh starts), delivered to b: $blocked (nft); NoPorts grew by $noports for $bursts allowed burst datagrams"
[ "$sent" -ge 1000 ] || problem "only $sent blocked datagrams were sent: the check above proves little"
[ "$blocked" = 0 ] || problem "$blocked datagrams from the blocked source reached b"
[ "$noports" = "$bursts" ] || problem "b's Udp NoPorts grew by $noports, the bursts were $bursts: blocked datagrams reached its stack"
[ "$fails" = 0 ] || fail "$fails problems (above)"
note "ok: every step of every operation"
