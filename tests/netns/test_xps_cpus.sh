#!/bin/sh
# xps cpus / xps del cpus: the kernel's XPS map of a tx queue, written in
# the device's namespace, the value it replaced recorded (maps/sl_netsys_v1)
# and put back by del, by --cleanup and by a daemon restarted after a kill;
# save prints it. The packets of the CPUs it names leave on its queue (the
# veth peer's per-queue counts); beside it, a steering rule for other CPUs
# holds (XPS set by sluice), and a rule its CPUs would take is refused.
. "$(dirname "$0")/lib.sh"
. "$SL_SRC/tests/netns/xps_lib.sh"
require bpftool ethtool

[ "$(nproc)" -ge 2 ] || skip "machine: fewer than 2 CPUs"
A=$(ns_new a)
Bn=$(ns_new b)
veth_pair "$A" "$Bn" 4
daemon_start d

xps() { ip netns exec "$A" cat "/sys/class/net/va/queues/tx-$1/xps_cpus"; }
xps_all() { echo "$(xps 0) $(xps 1) $(xps 2) $(xps 3)"; }
# someone else's map on queue 0: CPU 0
ip netns exec "$A" sh -c 'echo 1 > /sys/class/net/va/queues/tx-0/xps_cpus' || fail "write xps_cpus"
orig=$(xps_all)
note "before sluice: $orig"

ctl d xps cpus dev va netns "$A" queue 1 cpus 1 || fail "xps cpus queue 1"
assert_eq 2 "$(xps 1 | sed 's/^0*//')" "tx-1/xps_cpus: CPU 1"
steered "sluice's XPS: CPU 1's packets on queue 1" "0 $N 0 0" udp 10.99.0.2 5000 1
steered "someone else's XPS: CPU 0's packets on queue 0" "$N 0 0 0" udp fd99::2 5000 0
assert_eq "xps cpus dev va netns $A queue 1 cpus 1" "$(ctl d save | grep '^xps')" "save prints it"
assert_eq "0 2" "$(ctl d -j xps list | jq -r '.cpus[0] | "\(.replaced) \(.kernel | ltrimstr("0000000"))"')" \
	"list: the value replaced, the kernel's now"

# a rule that CPU 1's packets would reach: refused (exit 2: sluice's own
# map); one of CPU 0's: refused while someone else's map covers CPU 0
# (exit 4), taken once it is gone, and it holds beside sluice's map
before=$(ctl d save)
expect_exit 2 ctl d xps add dev va netns "$A" all queue 2
grep -q "xps cpus dev va netns $A queue 1 cpus 1" "$T_TMP/out" || fail "names the map: $(cat "$T_TMP/out")"
expect_exit 4 ctl d xps add dev va netns "$A" cpu 0 queue 2
expect_exit 2 ctl d xps add dev va netns "$A" cpu 0-1 queue 2
assert_eq "$before" "$(ctl d save)" "refused rules changed nothing"
ip netns exec "$A" sh -c 'echo 0 > /sys/class/net/va/queues/tx-0/xps_cpus'
ctl d xps add dev va netns "$A" cpu 0 queue 2 || fail "xps add cpu 0 beside sluice's XPS for CPU 1"
steered "XPS set by sluice (CPU 1), rule cpu 0 -> 2: CPU 0" "0 0 $N 0" udp 10.99.0.2 5000 0
steered "XPS set by sluice (CPU 1), rule cpu 0 -> 2: CPU 1" "0 $N 0 0" udp fd99::2 5000 1
# and a map over the rule's CPUs is refused in turn
expect_exit 2 ctl d xps cpus dev va netns "$A" queue 3 cpus 0
ip netns exec "$A" sh -c 'echo 1 > /sys/class/net/va/queues/tx-0/xps_cpus'
ctl d xps del dev va netns "$A" cpu 0 || fail "xps del cpu 0"

# replace, then del: the first value replaced comes back
ctl d xps cpus dev va netns "$A" queue 0 cpus 0-1 || fail "xps cpus queue 0"
ctl d xps cpus dev va netns "$A" queue 0 cpus 1 || fail "xps cpus queue 0 again"
assert_eq 2 "$(xps 0 | sed 's/^0*//')" "tx-0: the last value"
ctl d xps del cpus dev va netns "$A" queue 0 || fail "xps del cpus queue 0"
assert_eq "$(echo "$orig" | cut -d' ' -f1)" "$(xps 0)" "tx-0: someone else's value back"
expect_exit 2 ctl d xps del cpus dev va netns "$A" queue 0

# bad input: exit 2, nothing changed
now=$(xps_all)
expect_exit 2 ctl d xps cpus dev va netns "$A" queue 4 cpus 0
grep -q "dev va has 4 tx queues (0-3)" "$T_TMP/out" || fail "queue 4: $(cat "$T_TMP/out")"
expect_exit 2 ctl d xps cpus dev lo netns "$A" queue 0 cpus 0
expect_exit 2 ctl d xps cpus dev nosuch netns "$A" queue 0 cpus 0
expect_exit 2 ctl d xps cpus dev va netns "$A" queue 0 cpus "0-$(nproc)"
expect_exit 2 ctl d xps cpus dev va netns "$A" queue 0
assert_eq "$now" "$(xps_all)" "bad input changed no map"

# a daemon killed keeps the record: the next one puts the value back on del
ctl d xps cpus dev va netns "$A" queue 2 cpus 0 || fail "xps cpus queue 2"
daemon_stop d KILL
printf 'xps cpus dev va netns %s queue 1 cpus 1\nxps cpus dev va netns %s queue 2 cpus 0\n' "$A" "$A" >"$T_TMP/xps.conf"
daemon_start d --config "$T_TMP/xps.conf"
ctl d xps del cpus dev va netns "$A" queue 2 || fail "xps del cpus queue 2 (restarted daemon)"
assert_eq "$(echo "$orig" | cut -d' ' -f3)" "$(xps 2)" "tx-2: the original back, recorded by the daemon before"
# and one started without the lines puts every original back
daemon_stop d KILL
daemon_start d
assert_eq "$orig" "$(xps_all)" "a daemon without xps cpus lines: every original back"

# the device's queue count changes: the original comes back by itself
ctl d xps cpus dev va netns "$A" queue 1 cpus 0 || fail "xps cpus queue 1 (before the change)"
assert_eq 1 "$(xps 1 | sed 's/^0*//')" "tx-1: CPU 0"
ip netns exec "$A" ethtool -L va tx 3 || fail "ethtool -L va tx 3"
orig1=$(echo "$orig" | cut -d' ' -f2)
back1() { [ "$(xps 1)" = "$orig1" ]; }
wait_until 10 back1 || fail "tx-1 kept sluice's map after the queue count changed: $(xps 1)"
note "ok: tx-1: the original back once va has 3 tx queues"
ctl d -j xps list | jq -e --arg o "$orig1" '.cpus[] | select(.queue == 1) | .kernel == $o' >/dev/null \
	|| fail "list: the kernel's value"
ctl d xps del cpus dev va netns "$A" queue 1 || fail "xps del cpus queue 1 (after the change)"
ip netns exec "$A" ethtool -L va tx 4 || fail "ethtool -L va tx 4"

# a kernel without bpf_loop (before 5.17) runs xps cpus but no rule: said, exit 4
SLUICE_KERNEL_LACKS=bpf-loop daemon_start d2
expect_exit 4 ctl d2 xps add dev va netns "$A" cpu 0 queue 1
grep -q "needs 5.17 for the bpf_loop helper" "$T_TMP/out" || fail "the reason: $(cat "$T_TMP/out")"
ctl d2 -j status | jq -e '.kernel.lacks["bpf-loop"]' >/dev/null || fail "status: kernel.lacks bpf-loop"
assert_eq "" "$(ctl d2 save | grep '^xps')" "d2 kept no rule"
daemon_stop d2

# --cleanup puts them back too, and leaves no record
ctl d xps cpus dev va netns "$A" queue 3 cpus 0-1 || fail "xps cpus queue 3"
assert_ne "$(echo "$orig" | cut -d' ' -f4)" "$(xps 3)"
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null 2>&1 || fail "--cleanup"
assert_eq "$orig" "$(xps_all)" "--cleanup: every original back"
echo PASS
