# A failed start leaves the pinned dataplane exactly as it found it (issue
# 17, finding 3): a daemon runs with drop tracing, a set and an XDP rule and
# stops; then starts on configs that fail (refused when staged: a duplicate
# add, a range beyond maxelem, maxelem 0; refused while applied: a rule on a
# missing device) exit non-zero naming file:line:column with a caret, and
# bpftool shows the same link and program ids and the set's entries as
# before. --check-config finds the staged ones.
. "$(dirname "$0")/lib.sh"
require bpftool

a=$(ns_new a)
conf=$T_TMP/good.conf
cat >"$conf" <<CONF
drops enable --sample-rate 10
set create blk hash:ip
set add blk 10.99.0.1
rule add dev lo netns $a ingress match-set blk src action drop
CONF

daemon_start d --config "$conf"
ctl d -j set list -terse blk | jq -r '.sets[0].pin' >"$T_TMP/slot"
daemon_stop d
# every pinned link with its link and program id, and the set's entry count
before=$(
	for l in "$(pin_root d)"/links/*; do
		printf '%s ' "$(basename "$l")"
		bpftool -j link show pinned "$l" | jq -c '[.id, .prog_id]'
	done
	bpftool -j map dump pinned "$(pin_root d)/$(cat "$T_TMP/slot")" | jq -c 'length'
)
echo "$before" | grep -q '^drops_kfree_skb ' || fail "no drops link pinned: $before"
echo "$before" | grep -q '^sl_hook_' || fail "no rule hook pinned: $before"

unchanged() {
	now=$(
		for l in "$(pin_root d)"/links/*; do
			printf '%s ' "$(basename "$l")"
			bpftool -j link show pinned "$l" | jq -c '[.id, .prog_id]'
		done
		bpftool -j map dump pinned "$(pin_root d)/$(cat "$T_TMP/slot")" | jq -c 'length'
	)
	assert_eq "$before" "$now" "links, programs and set entries after: $1"
}

# fails FILE EXIT LINE:COL: start on FILE exits EXIT, naming FILE:LINE:COL with a caret
fails() {
	expect_exit "$2" "$SLUICED" --pin-root "$(pin_root d)" --socket "$(sock_path d)" --config "$1"
	grep -q "$(basename "$1"):$3: error: " "$T_TMP/out" || { cat "$T_TMP/out"; fail "error does not name $3"; }
	grep -q '^ *\^$' "$T_TMP/out" || { cat "$T_TMP/out"; fail "no caret under the word"; }
	unchanged "$(basename "$1")"
}

note "staged refusals: --check-config finds them, a start changes nothing"
printf 'set create s hash:ip\nset add s 10.0.0.1\nset add s 10.0.0.1\n' >"$T_TMP/dup.conf"
printf 'set create s hash:ip maxelem 4\nset add s 10.0.0.0/29\n' >"$T_TMP/max.conf"
printf 'set create s hash:ip maxelem 0\n' >"$T_TMP/zero.conf"
for c in dup:3:11 max:2:11 zero:1:30; do
	f=$T_TMP/${c%%:*}.conf
	expect_exit 2 "$SLUICED" --check-config --config "$f"
	grep -q "${c%%:*}.conf:${c#*:}: error: " "$T_TMP/out" || { cat "$T_TMP/out"; fail "check-config names ${c#*:}"; }
	fails "$f" 2 "${c#*:}"
done
expect_exit 2 "$SLUICED" --check-config --config "$T_TMP/dup.conf"
grep -q "it's already added: 10.0.0.1 (set s)" "$T_TMP/out" || fail "the duplicate is not named: $(cat "$T_TMP/out")"

note "refused while applied (a missing device): exit 1, the word's column, nothing changed"
printf 'set create s hash:ip\nset add s 10.0.0.1\nrule add dev nosuch0 netns %s ingress match-set s src action drop\n' \
	"$a" >"$T_TMP/nodev.conf"
expect_exit 0 "$SLUICED" --check-config --config "$T_TMP/nodev.conf"
fails "$T_TMP/nodev.conf" 1 3:14
grep -q "no device 'nosuch0'" "$T_TMP/out" || fail "the refusal does not say why: $(cat "$T_TMP/out")"

note "the next start on the good config adopts the same programs"
daemon_start d --config "$conf"
unchanged "a good start"
