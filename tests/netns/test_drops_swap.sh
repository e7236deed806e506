# Program swaps never leave drop tracing dead or counting twice: a reload
# that fails midway changes nothing, a restart after a crash between the
# generation flip and the pin renames does not adopt the dead links, and
# counts stay exact across reloads under traffic. --cleanup only removes
# BPF objects on bpffs.
. "$(dirname "$0")/lib.sh"
require bpftool

ns=$(ns_new a)
links=$(pin_root d)/links
noports() { snmp "$ns" Udp NoPorts; }
counted() { ctl d -j drops --netns "$ns" | jq '[.[] | select(.reason == "NO_SOCKET") | .packets] | add // 0'; }
send_closed() { ip netns exec "$ns" "$GEN" send --dst 127.0.0.1 --port 9 "$@" >/dev/null || fail "send"; }
link_id() { bpftool -j link show pinned "$links/$1" | jq .id; }

daemon_start d
n0=$(noports)

note "a reload that fails while staging changes nothing"
k=$(link_id drops_kfree_skb)
u=$(link_id drops_udp_fail_queue_rcv_skb)
# staging the second link fails; on a kernel without the udp_fail_queue
# program (before 6.10) there is one link, and its staging fails
blocked=drops_udp_fail_queue_rcv_skb__new
[ -e "$links/drops_udp_fail_queue_rcv_skb" ] || blocked=drops_kfree_skb__new
mkdir "$links/$blocked"
ctl d reload
rc=$?
rmdir "$links/$blocked" # first: --cleanup leaves what is not sluice's
assert_eq 4 "$rc" "a reload whose staging fails: exit code"
assert_eq "$k" "$(link_id drops_kfree_skb)" "kfree_skb link unchanged"
assert_eq "$u" "$(link_id drops_udp_fail_queue_rcv_skb)" "udp_fail_queue link unchanged"
[ -e "$links/drops_kfree_skb__new" ] && fail "a staged pin was left behind"
send_closed --count 500
assert_eq "$(($(noports) - n0))" "$(counted)" "still counting after the failed reload"

note "a daemon that died between the flip and the renames is not adopted"
daemon_stop d KILL
cfg=$(pin_root d)/maps/sl_dcfg_v2
# What such a crash leaves: the config names the next generation and the
# new links (which died with the process), the pins still the old links.
# struct sl_drops_config: active_gen @0, link_id[0] @24 (little endian).
bpftool -j map lookup pinned "$cfg" key 0 0 0 0 | jq -r '.value | map(ltrimstr("0x")) | join(" ")' >"$T_TMP/cfg"
set -- $(cat "$T_TMP/cfg")
[ $# = 32 ] || fail "unexpected sl_drops_config size $#"
gen=$(printf '%02x' $(( (0x$1 + 1) & 255 )))
set -- $gen $(echo "$@" | cut -d' ' -f2-24) ff ff ff ff $(echo "$@" | cut -d' ' -f29-32)
bpftool map update pinned "$cfg" key 0 0 0 0 value hex "$@" || fail "map update"
send_closed --count 300 # nobody counts these: the pinned programs are inactive
n1=$(noports)
daemon_start d
c1=$(counted)
assert_ne "$k" "$(link_id drops_kfree_skb)" "restart replaced the inactive links"
send_closed --count 400
assert_eq "$((c1 + $(noports) - n1))" "$(counted)" "counting again after the restart"

note "counts stay exact across reloads under traffic"
n2=$(noports)
c2=$(counted)
spawn ip netns exec "$ns" "$GEN" send --dst 127.0.0.1 --port 9 --rate 100000 --duration 3 --json \
	--cpu 0 >"$T_TMP/storm.json" 2>&1
storm=$!
sleep 0.3
for _ in $(seq 10); do
	ctl d reload >/dev/null || fail "reload under traffic"
	sleep 0.15
done
wait "$storm"
sleep 0.2
sent=$(jq .packets "$T_TMP/storm.json")
[ "$sent" -gt 100000 ] || fail "the storm did not run: $(cat "$T_TMP/storm.json")"
assert_eq "$(($(noports) - n2))" "$(($(counted) - c2))" "drops during 10 reloads == NoPorts delta"

note "--cleanup refuses a root that is not on bpffs and touches nothing"
mkdir -p "$T_TMP/fake/links" "$T_TMP/fake/maps"
echo keep >"$T_TMP/fake/links/important"
expect_exit 1 "$SLUICED" --cleanup --pin-root "$T_TMP/fake"
[ -f "$T_TMP/fake/links/important" ] || fail "--cleanup deleted a file outside bpffs"
note "--cleanup leaves foreign files on bpffs alone"
daemon_stop d
mkdir "$(pin_root d)/maps/not-a-bpf-object"
expect_exit 1 "$SLUICED" --cleanup --pin-root "$(pin_root d)"
[ -d "$(pin_root d)/maps/not-a-bpf-object" ] || fail "--cleanup removed a foreign entry"
rmdir "$(pin_root d)/maps/not-a-bpf-object"
expect_exit 0 "$SLUICED" --cleanup --pin-root "$(pin_root d)"
