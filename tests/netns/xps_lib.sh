# Helpers of the transmit steering tests (sourced after lib.sh): traffic
# from pinned CPUs through va (in $A) and the per-queue counts vb (in $Bn)
# took, from veth_pair ... 4.
N=2000
# counts NAME: the test traffic's per-queue counts (and ethtool's) now
counts() { rxq_counts "$Bn" 4 >"$T_TMP/$1"; rxq_ethtool "$Bn" >"$T_TMP/$1.eth"; }
# delta FROM TO: per-queue difference of two counts
delta() { paste -d' ' "$T_TMP/$1" "$T_TMP/$2" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), $(i + n) - $i; print "" }'; }
# udp DST PORT CPU: N datagrams from CPU, 64 flows
udp() {
	ip netns exec "$A" "$GEN" send --dst "$1" --port "$2" --count $N --cpu "$3" --sport-range 6000-6063 --batch 16 \
		>/dev/null || fail "sluice-gen to $1:$2 from CPU $3"
}
# sum_of "A B C": A+B+C
sum_of() { echo "$1" | awk '{ for (i = 1; i <= NF; i++) s += $i; print s + 0 }'; }
# arrived FROM SUM: the test traffic counted since counts FROM is SUM (veth
# delivers through the peer's NAPI, after the sender returned)
arrived() { counts now && [ "$(sum_of "$(delta "$1" now)")" -ge "$2" ]; }
# steered WHAT EXPECTED command...: the command's test traffic, per queue,
# is EXPECTED ("0 0 2000 0"), and ethtool saw at least that on each queue
steered() {
	what=$1 want=$2
	shift 2
	counts before
	"$@"
	wait_until 10 arrived before "$(sum_of "$want")" || fail "$what: not every packet arrived: $(delta before now)"
	counts after
	assert_eq "$want" "$(delta before after)" "$what: packets per tx queue"
	for q in 1 2 3 4; do
		e=$(delta before.eth after.eth | cut -d' ' -f$q)
		t=$(echo "$want" | cut -d' ' -f$q)
		[ "$e" -ge "$t" ] || fail "$what: ethtool counts $e on queue $((q - 1)), the XDP count $t"
	done
}
# spread WHAT command...: N packets of the command arrived, on 2 queues or
# more: the kernel's hash, not one forced queue
spread() {
	what=$1
	shift
	counts before
	"$@"
	wait_until 10 arrived before $N || fail "$what: not every packet arrived: $(delta before now)"
	counts after
	d=$(delta before after)
	assert_eq $N "$(sum_of "$d")" "$what: packets"
	used=$(echo "$d" | awk '{ for (i = 1; i <= NF; i++) n += ($i > 0); print n }')
	[ "$used" -ge 2 ] || fail "$what: all on one queue ($d): not the kernel's spread"
	note "ok: $what: spread by the kernel ($d)"
}
