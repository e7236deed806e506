# A kernel without the skb argument of udp:udp_fail_queue_rcv_skb (before
# 6.10, e.g. Debian 12's 6.1) loses only that program: the daemon starts,
# kfree_skb counts drops exactly against /proc/net/snmp, status says which
# program is off and why, the command that needs it fails with that reason
# (exit 4), a restart adopts the reduced set, and a daemon on a kernel that
# has it again attaches both. The lack is made with the daemon's test hook
# SLUICE_KERNEL_LACKS (lib/kernel.h); on a real 6.1 kernel the probe finds
# it (tests/kernel/ runs the suite there).
. "$(dirname "$0")/lib.sh"
require bpftool

a=$(ns_new a)

# the tracepoint's own arguments in this kernel's BTF (after the context):
# 3 with the skb (6.10+), 2 before
udpq_args() {
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw |
		awk '/TYPEDEF .btf_trace_udp_fail_queue_rcv_skb./ { want = 1; next }
		     want && /FUNC_PROTO/ { sub(/.*vlen=/, ""); print $1 - 1; exit }'
}

# the drops tracing links this daemon's pin root holds, by program name
links_of() { # NAME
	ls "$(pin_root "$1")/links" 2>/dev/null | grep '^drops_' | sort | tr '\n' ' '
}

SLUICE_KERNEL_LACKS=udpq-skb daemon_start d
daemon_log d | grep -q "tp_btf/udp_fail_queue_rcv_skb left out: needs 6.10 for the skb argument; socket-side view off" || { daemon_log d; fail "no log line names the program left out"; }
assert_eq "drops_kfree_skb " "$(links_of d)" "only the kfree_skb link is pinned"
st=$(ctl d -j status)
assert_eq "needs 6.10 for the skb argument; socket-side view off (drops --by socket)" \
	"$(echo "$st" | jq -r '.. | objects | select(.program? == "sl_drops_udpq") | .off')" "status: the program is off, with the reason"
assert_eq 1 "$(echo "$st" | jq '[.. | objects | select(.program? == "sl_drops_kfree") | .link_id] | length')" \
	"status: kfree_skb runs"
assert_eq "needs 6.10 for the skb argument" "$(echo "$st" | jq -r '.kernel.lacks["udpq-skb"]')" \
	"status: the kernel lacks udpq-skb, and says which release brings it"

# what is left still counts exactly
np0=$(snmp "$a" Udp NoPorts)
ip netns exec "$a" "$GEN" send --dst 127.0.0.1 --port 9 --count 800 --size 32 >/dev/null || fail "send"
np1=$(snmp "$a" Udp NoPorts)
assert_eq "$((np1 - np0))" "$(ctl d -j drops --netns "$a" | jq '[.[] | select(.reason == "NO_SOCKET") | .packets] | add')" \
	"NO_SOCKET == NoPorts delta without the udp_fail_queue_rcv_skb program"

expect_exit 4 ctl d drops --by socket --netns "$a"
grep -q "socket-side view is off: needs 6.10" "$T_TMP/out" || { cat "$T_TMP/out"; fail "--by socket does not say why"; }

# a restart on the same kernel adopts what runs: same link, no reload
id0=$(bpftool -j link show pinned "$(pin_root d)/links/drops_kfree_skb" | jq .id)
daemon_stop d
SLUICE_KERNEL_LACKS=udpq-skb daemon_start d
assert_eq "$id0" "$(bpftool -j link show pinned "$(pin_root d)/links/drops_kfree_skb" | jq .id)" "restart adopts the kfree_skb link"
assert_eq "drops_kfree_skb " "$(links_of d)" "still one link after the restart"

# the hook lifted: on a kernel with the argument (6.10+) both programs run;
# on one without it (6.1, in tests/kernel's guest) the probe alone leaves
# the program out, as the hook did
daemon_stop d
daemon_start d
if [ "$(udpq_args)" -ge 3 ]; then
	assert_eq "drops_kfree_skb drops_udp_fail_queue_rcv_skb " "$(links_of d)" "both links once the kernel has the argument"
	assert_eq true "$(ctl d -j status | jq '.kernel.has | index("udpq-skb") != null')" "status: the kernel has udpq-skb"
	assert_eq 0 "$(ctl d -j status | jq '[.. | objects | select(has("off"))] | length')" "status: nothing off"
	ctl d drops --by socket --netns "$a" >/dev/null || fail "--by socket works with the program"
else
	note "this kernel's udp_fail_queue_rcv_skb has $(udpq_args) arguments: the probe must leave it out"
	assert_eq "drops_kfree_skb " "$(links_of d)" "the probe leaves the program out on this kernel"
	assert_eq "needs 6.10 for the skb argument" "$(ctl d -j status | jq -r '.kernel.lacks["udpq-skb"]')" \
		"status: this kernel lacks udpq-skb"
	expect_exit 4 ctl d drops --by socket --netns "$a"
fi

# and back: the daemon drops the program the kernel lacks (its pin goes too)
daemon_stop d
SLUICE_KERNEL_LACKS=udpq-skb daemon_start d
assert_eq "drops_kfree_skb " "$(links_of d)" "the udp_fail_queue_rcv_skb link is gone when the kernel lacks it"
[ -e "$(pin_root d)/progs/drops_udp_fail_queue_rcv_skb" ] && fail "its program pin stayed"
np0=$(snmp "$a" Udp NoPorts)
ctl d drops reset --netns "$a" >/dev/null
ip netns exec "$a" "$GEN" send --dst 127.0.0.1 --port 9 --count 300 --size 32 >/dev/null || fail "send"
np1=$(snmp "$a" Udp NoPorts)
assert_eq "$((np1 - np0))" "$(ctl d -j drops --netns "$a" | jq '[.[] | select(.reason == "NO_SOCKET") | .packets] | add')" \
	"NO_SOCKET == NoPorts delta after the switch"
echo PASS
