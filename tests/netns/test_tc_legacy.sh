# Legacy tc (cls_bpf filters on clsact, for kernels without tcx links),
# forced on any kernel with SLUICE_KERNEL_LACKS=tcx:
# 1. the mcast, sets egress and xps steering suites run again in that mode;
# 2. what only legacy filters need: sluice's filter at its documented place
#    (pref 20942, handle 0x51ce0001) beside an operator's own filter; a
#    reload replaces it in place; a restart adopts it (no second one); an
#    apply that fails on its second device leaves no filter on the first;
#    --cleanup removes sluice's filters and leaves the operator's, and one
#    that now runs someone else's program at sluice's place.
. "$(dirname "$0")/lib.sh"
require tc bpftool nsenter
export SLUICE_KERNEL_LACKS=tcx

here=$(dirname "$0")
for t in ${TC_LEGACY_SUITES-test_mcast_bridge test_mcast_edges test_sets_rules test_sets_unparsed test_xps_steer}; do
	note "$t with legacy tc filters"
	sh "$here/$t.sh" >"$T_TMP/$t.out" 2>&1 || { tail -n 20 "$T_TMP/$t.out"; fail "$t with SLUICE_KERNEL_LACKS=tcx"; }
done

a=$(ns_new a)
b=$(ns_new b)
veth_pair "$a" "$b"
ip -n "$a" link add vc type veth peer name vd || fail "veth vc"
ip -n "$a" link set vc up
ip -n "$a" link set vd up
# op_filter add|replace DEV PREF HANDLE: an operator's own filter (classic
# BPF that matches nothing) on DEV egress in ns a
op_filter() { tc -n "$a" filter "$1" dev "$2" egress pref "$3" handle "$4" protocol all bpf bytecode '1,6 0 0 0,'; }
tc -n "$a" qdisc add dev va clsact || fail "clsact"
op_filter add va 1 1 || fail "the operator's filter"

# sluice's filters on DEV egress in ns a: "prio handle id" per line
ours() { tc -n "$a" -j filter show dev "$1" egress | jq -r '.[] | select(.options.handle != null) |
	select(.pref == 20942) | "\(.pref) \(.options.handle) \(.options.prog.id // "none") \(.options.bpf_name // "")"'; }
theirs() { tc -n "$a" -j filter show dev "$1" egress | jq -r '.[] | select(.options.handle == "0x1") | .pref'; }
drops() { ctl d -j rule list | jq '[.rules[] | .packets] | add'; }

conf=$T_TMP/d.conf
printf '%s\n' 'set create out hash:ip' 'set add out 10.99.0.2' \
	"rule add dev va netns $a egress match-set out dst action drop" >"$conf"
daemon_start d --config "$conf"
grep -q "acting as if the kernel lacked tcx" "$T_TMP/d.log" || fail "the daemon did not take SLUICE_KERNEL_LACKS=tcx"
assert_eq tc "$(ctl d -j rule list | jq -r '.hooks[0].mode')" "rule list's mode"

note "sluice's filter at its place, beside the operator's"
tc -n "$a" filter show dev va egress
assert_eq 1 "$(ours va | wc -l)" "sluice filters on va egress"
set -- $(ours va)
assert_eq "20942 0x51ce0001" "$1 $2" "pref and handle"
tc -n "$a" filter show dev va egress | grep -q "handle 0x51ce0001 .*direct-action" || fail "not direct-action"
id1=$3
assert_eq 1 "$(theirs va)" "the operator's filter"
n0=$(snmp "$b" Udp NoPorts)
ip netns exec "$a" "$GEN" send --dst 10.99.0.2 --port 7000 --count 50 >/dev/null || fail "send"
assert_eq "$n0" "$(snmp "$b" Udp NoPorts)" "egress drops never leave a"

note "a reload replaces the program in place"
echo "rule add dev va netns $a egress prio 5 match-set out dst action count" >>"$conf"
ctl d reload >/dev/null || fail "reload"
assert_eq 1 "$(ours va | wc -l)" "sluice filters after the reload"
set -- $(ours va)
assert_eq "20942 0x51ce0001" "$1 $2" "pref and handle after the reload"
assert_ne "$id1" "$3" "the program after the reload"
id2=$3

note "a restart adopts the filter"
daemon_stop d
assert_eq "$id2" "$(ours va | awk '{ print $3 }')" "the filter while no daemon runs"
daemon_start d --config "$conf"
assert_eq tc "$(ctl d -j rule list | jq -r '.hooks[0].mode')" "mode after the restart"
assert_eq 1 "$(ours va | wc -l)" "sluice filters after the restart"
assert_eq "$id2" "$(ours va | awk '{ print $3 }')" "the adopted filter's program"

note "an apply that fails on its second device leaves no filter on the first"
tc -n "$a" qdisc add dev vd clsact || fail "clsact on vd"
op_filter add vd 20942 0x51ce0001 || fail "a filter at sluice's place"
cp "$conf" "$T_TMP/good.conf"
printf '%s\n' "rule add dev vc netns $a egress match-set out dst action drop" \
	"rule add dev vd netns $a egress match-set out dst action drop" >>"$conf"
expect_exit 4 "$SLUICECTL" --socket "$(sock_path d)" reload
assert_eq "" "$(tc -n "$a" filter show dev vc egress)" "filters on vc after the failed reload"
assert_eq "$id2" "$(ours va | awk '{ print $3 }')" "va's filter after the failed reload"
tc -n "$a" filter show dev vd egress | grep -q "handle 0x51ce0001 .*bytecode" || fail "the planted filter on vd"
cp "$T_TMP/good.conf" "$conf"

note "--cleanup removes sluice's filters, and only them"
# kept for later: an eBPF program someone else runs at sluice's place
other=$(pin_root o)/progs/other
T_DAEMONS="$T_DAEMONS o" # its pin root goes on exit
mkdir -p "$(dirname "$other")"
bpftool prog pin id "$id2" "$other" || fail "pin program $id2"
daemon_stop d
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
assert_eq "" "$(ours va)" "sluice filters on va after --cleanup"
assert_eq 1 "$(theirs va)" "the operator's filter after --cleanup"
tc -n "$a" filter show dev vd egress | grep -q "handle 0x51ce0001 .*bytecode" || fail "vd's planted filter after --cleanup"

note "--cleanup leaves a filter someone else put at sluice's place"
daemon_start d --config "$conf"
assert_eq 1 "$(ours va | wc -l)" "sluice's filter again"
daemon_stop d
# nsenter, not tc -n: that remounts /sys, and bpffs with it
nsenter --net="/run/netns/$a" tc filter replace dev va egress pref 20942 handle 0x51ce0001 protocol all bpf da object-pinned "$other" ||
	fail "replace at sluice's place"
"$SLUICED" --cleanup --pin-root "$(pin_root d)" >/dev/null || fail "cleanup"
assert_eq "$id2" "$(ours va | awk '{ print $3 }')" "someone else's program at sluice's place after --cleanup"
note "ok"
