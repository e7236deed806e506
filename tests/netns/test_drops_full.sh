# A port scan fills the counter map; drops to new ports are then counted
# under the namespace's "other" row, so the total still equals NoPorts.
. "$(dirname "$0")/lib.sh"
require bash # /dev/udp for the scan

ns=$(ns_new a)
daemon_start d
n0=$(snmp "$ns" Udp NoPorts)
# one datagram to each of 17000 closed ports: more keys than the map holds
ip netns exec "$ns" bash -c 'for p in $(seq 1 17000); do echo >/dev/udp/127.0.0.1/$p; done' 2>/dev/null
sleep 0.2
rows=$(ctl d -j drops --netns "$ns")
assert_eq "$(($(snmp "$ns" Udp NoPorts) - n0))" "$(echo "$rows" | jq '[.[].packets] | add')" \
	"total over all rows == NoPorts delta"
[ "$(echo "$rows" | jq '[.[] | select(.other)] | length')" = 1 ] || fail "no single 'other' row"
[ "$(echo "$rows" | jq '[.[] | select(.other) | .packets] | add')" -gt 0 ] || fail "'other' row is empty"
assert_eq 0 "$(ctl d -j drops stats | jq .not_counted_map_full)" "nothing went uncounted"
assert_eq "$(echo "$rows" | jq '[.[].packets] | add')" \
	"$(ctl d -j drops --netns "$ns" --by reason | jq '[.[].packets] | add')" "--by reason folds the other row in"
