# SIGKILL at random moments: KILLS times (60) the daemon is killed 0-300 ms
# after an operation starts (reload, restore, swap, rule add, rule del,
# start, or none: plain run time), under continuous blocked traffic, and
# restarted on the same config. After each restart, save is the state
# before or after that operation and a fresh allowed burst arrives whole;
# over the whole run b receives 0 datagrams from the blocked source; at the
# end save is the config and --cleanup leaves no pin behind. The kill times
# are the only random part (printed, with the seed, for a rerun).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fault_lib.sh"

KILLS=${SLUICE_KILLS:-60}
SEED=${SLUICE_SEED:-$(($$ ^ $(date +%s)))}
ACTIONS="reload restore swap rule-add rule-del start runtime"
fails=0
problem() {
	echo "PROBLEM: $*"
	fails=$((fails + 1))
}

start_under_traffic
learn reload restore swap rule-add rule-del
for act in start runtime; do
	cp "$T_TMP/ref" "$T_TMP/before.$act"
	cp "$T_TMP/ref" "$T_TMP/after.$act"
done

# the plan: one action and one delay (ms) per kill, from the seed
awk -v n="$KILLS" -v seed="$SEED" -v acts="$ACTIONS" 'BEGIN {
	srand(seed); na = split(acts, a, " ")
	for (i = 1; i <= n; i++) printf "%s %d\n", a[int(rand() * na) + 1], int(rand() * 301)
}' >"$T_TMP/plan"
note "seed $SEED (SLUICE_SEED=$SEED reruns this plan)"

kills=0 lost=0 bursts=0 bprev=$b0
while read -r act ms; do
	prepare "$act"
	[ "$act" = start ] && daemon_stop d && daemon_launch d --config "$conf"
	case $act in start | runtime) ;; *) run "$act" >/dev/null 2>&1 & ;; esac
	client=$!
	sleep "$(awk -v ms="$ms" 'BEGIN { printf "%.3f", ms / 1000 }')"
	kill -KILL "$(cat "$T_TMP/d.pid")"
	daemon_reap d
	[ "$act" = start ] || [ "$act" = runtime ] || wait "$client"
	kills=$((kills + 1))
	echo "$act $ms" >>"$T_TMP/done"
	restart "after a kill $ms ms into $act"
	after_restart "$act" "kill $kills, $ms ms in"
	back_to_config
done <"$T_TMP/plan"

blocked_off
burst >/dev/null # the blocked senders' last datagrams are through
bursts=$((bursts + 200))
sent=$(blocked_sent)
blocked=$(($(nft_count blocked) - b0))
noports=$(($(snmp "$b" Udp NoPorts) - n0))
save_of d >"$T_TMP/now"
cmp -s "$T_TMP/now" "$T_TMP/ref" || { diff "$T_TMP/ref" "$T_TMP/now"; problem "at the end, save is not the config"; }
awk '{ n[$1]++; t[$1] += $2 } END { for (a in n) printf "  %-10s %3d kills, mean %3d ms in\n", a, n[a], t[a] / n[a] }' \
	"$T_TMP/done" | sort
echo "kills: $kills; blocked datagrams sent $sent, delivered to b: $blocked (nft); allowed lost after restarts: $lost; NoPorts grew by $noports for $bursts allowed burst datagrams"
[ "$kills" -ge 50 ] || problem "only $kills kills"
[ "$sent" -ge 1000 ] || problem "only $sent blocked datagrams were sent: the check above proves little"
[ "$blocked" = 0 ] || problem "$blocked datagrams from the blocked source reached b"
[ "$noports" = "$bursts" ] || problem "b's Udp NoPorts grew by $noports, the bursts were $bursts: blocked datagrams reached its stack"

daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || problem "--cleanup failed"
[ ! -e "$(pin_root d)" ] || problem "--cleanup left $(pin_root d): $(ls -R "$(pin_root d)")"
[ "$fails" = 0 ] || fail "$fails problems (above; seed $SEED)"
note "ok: $kills random kills, nothing open, nothing lost"
