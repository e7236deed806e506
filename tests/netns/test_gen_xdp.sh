#!/bin/sh
# sluice-gen xdp: frames sent with BPF_PROG_RUN live frames out of va arrive
# at its peer vb as XDP frames, as many as sluice-gen says it sent. Oracles:
# the kernel's (vb's XDP program, tests/bpf/xdp_pass.bpf.c, counts UDP to
# ports 5000-5999 by rx queue; ethtool -S of va counts what it passed on),
# a capture on vb (tcpdump) for the addresses and ports of the ranges, and
# vb's own stack: a sink receives every frame to its address, so the
# checksums the program rewrites per frame are right (the kernel checks
# the IPv4 header's and both UDP ones). IPv4 and IPv6; --count exact with
# one thread and with two; --duration; a kernel without live frames
# (SLUICE_KERNEL_LACKS=xdp-live-frames) and bad options exit 2.
. "$(dirname "$0")/lib.sh"
require bpftool ethtool tcpdump

A=$(ns_new a)
Bn=$(ns_new b)
veth_pair "$A" "$Bn" 2

xdp() { ip netns exec "$A" "$GEN" xdp --dev va --json "$@"; }
# what vb's XDP program counted of the test's traffic, all queues
seen() { rxq_counts "$Bn" 2 | awk '{ for (i = 1; i <= NF; i++) s += $i } END { print s + 0 }'; }
# what va passed on to vb (veth's tx_queue_N_xdp_xmit), all queues
xmit() { ip netns exec "$A" ethtool -S va | awk '$1 ~ /^tx_queue_[0-9]+_xdp_xmit:$/ { s += $2 } END { print s + 0 }'; }
# what vb's full ring refused of it (veth's tx_queue_N_xdp_xmit_errors)
xmit_errors() { ip netns exec "$A" ethtool -S va | awk '$1 ~ /^tx_queue_[0-9]+_xdp_xmit_errors:$/ { s += $2 } END { print s + 0 }'; }

# sent CASE N ARGS...: sluice-gen's packets and errors make N (as --count
# counts: sent + errors), and are exactly what va passed on and what vb's
# full ring refused (its ethtool counters), and vb's program saw the
# packets. Unpaced senders can outrun vb's NAPI (two of them hold both
# CPUs: 10,036 of 100,001 refused in one run here), so how many are
# refused is not fixed; that each is accounted for is.
sent() {
	what=$1 n=$2
	shift 2
	s0=$(seen) x0=$(xmit) e0=$(xmit_errors)
	xdp "$@" >"$T_TMP/out.json" 2>"$T_TMP/err" || fail "$what: sluice-gen xdp $*: $(cat "$T_TMP/err")"
	got=$(jq .packets "$T_TMP/out.json")
	errs=$(jq .errors "$T_TMP/out.json")
	[ -z "$n" ] || assert_eq "$n" "$((got + errs))" "$what: packets + errors sluice-gen reports"
	assert_eq "$got" "$(($(xmit) - x0))" "$what: frames va passed to vb (ethtool)"
	assert_eq "$errs" "$(($(xmit_errors) - e0))" "$what: frames vb's ring refused (ethtool)"
	wait_until 5 test "$(($(seen) - s0))" = "$got"
	assert_eq "$got" "$(($(seen) - s0))" "$what: frames vb's XDP program counted"
}

# --- counts: one thread, two, a duration -----------------------------------
sent "IPv4, --count 1000" 1000 --src 10.99.0.1 --dst 10.99.0.2 --port 5000 --count 1000
sent "IPv6, --count 777, batch 7" 777 --src fd99::1 --dst fd99::2 --port 5000 --count 777 --batch 7
sent "IPv4, --count 100001 over CPUs 0,1" 100001 --src 10.99.0.1 --dst 10.99.0.2 --port 5000 \
	--count 100001 --cpu 0,1
assert_eq 2 "$(jq .threads "$T_TMP/out.json")" "threads of a --cpu 0,1 run"
sent "IPv4, --duration 0.5, --threads 2" "" --src 10.99.0.1 --dst 10.99.0.2 --port 5000 --duration 0.5 --threads 2
[ "$(jq .packets "$T_TMP/out.json")" -gt 0 ] || fail "a --duration run sent nothing"
sent "IPv4, --rate 20000 --count 2000" 2000 --src 10.99.0.1 --dst 10.99.0.2 --port 5000 --count 2000 --rate 20000

# --- ranges: every address and port of each, in a capture --------------------
# capture CASE FILTER N ARGS...: run sluice-gen with a capture on vb; CASE.txt
# holds "src sport dst dport" per frame
capture() {
	what=$1 filter=$2 n=$3
	shift 3
	rm -f "$T_TMP/cap.pcap"
	spawn ip netns exec "$Bn" tcpdump -i vb -nn -U -w "$T_TMP/cap.pcap" -c "$n" "$filter" 2>"$T_TMP/tcpdump.err"
	cap=$LAST_SPAWN
	wait_until 5 grep -q listening "$T_TMP/tcpdump.err" || fail "tcpdump did not start: $(cat "$T_TMP/tcpdump.err")"
	sent "$what" "$n" "$@"
	wait_until 10 not kill -0 "$cap" 2>/dev/null || fail "$what: tcpdump captured fewer than $n frames"
	# "IP 10.99.1.7.1003 > 10.99.0.2.5001: UDP" / "IP6 fd99::1:7.1003 > ...": split address and port at the last dot
	ip netns exec "$Bn" tcpdump -nn -r "$T_TMP/cap.pcap" 2>/dev/null | awk '
		{ s = $3; d = $5; sub(/:$/, "", d)
		  sp = s; sub(/.*\./, "", sp); sub(/\.[0-9]+$/, "", s)
		  dp = d; sub(/.*\./, "", dp); sub(/\.[0-9]+$/, "", d)
		  print s, sp, d, dp }' >"$T_TMP/$what.txt"
	assert_eq "$n" "$(wc -l <"$T_TMP/$what.txt")" "$what: frames captured"
}
distinct() { # CASE FIELD: how many different values the capture holds
	awk -v f="$2" '{ print $f }' "$T_TMP/$1.txt" | sort -u | wc -l
}
has() { # CASE FIELD VALUE...: those of the values the capture holds
	c=$1 f=$2
	shift 2
	for v in "$@"; do awk -v f="$f" -v v="$v" '$f == v { print v; exit }' "$T_TMP/$c.txt"; done | tr '\n' ' ' | sed 's/ $//'
}
first_last() { # CASE FIELD: lowest and highest, as sort -V orders them
	awk -v f="$2" '{ print $f }' "$T_TMP/$1.txt" | sort -uV | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//'
}

# 1000 sources x 1 destination, 10 source ports, 4 destination ports:
# frame n has source n % 1000 and ports n % 10, n % 4
capture v4r "udp and dst portrange 5000-5003" 2000 --src 10.99.1.0-10.99.4.231 --dst 10.99.0.2 \
	--sport-range 1000-1009 --port 5000-5003 --count 2000
assert_eq 1000 "$(distinct v4r 1)" "IPv4: distinct sources (10.99.1.0-10.99.4.231)"
assert_eq "10.99.1.0 10.99.4.231" "$(first_last v4r 1)" "IPv4: first and last source"
assert_eq 10 "$(distinct v4r 2)" "IPv4: distinct source ports"
assert_eq 4 "$(distinct v4r 4)" "IPv4: distinct destination ports"
assert_eq "5000 5003" "$(first_last v4r 4)" "IPv4: destination port range"
mb=$(ip -n "$Bn" -j link show vb | jq -r '.[0].address')
capture v6r "udp and dst portrange 5000-5999" 600 --src fd99::1:ff00+300 --dst fd99::2:fffe+2 --dst-mac "$mb" \
	--sport-range 65530-65535 --port 5999 --count 600
assert_eq 300 "$(distinct v6r 1)" "IPv6: distinct sources (fd99::1:ff00+300, across a 16-bit word)"
assert_eq "fd99::1:ff00 fd99::2:2b" "$(has v6r 1 fd99::1:ff00 fd99::2:2b fd99::2:2c)" "IPv6: first and last source, none past it"
assert_eq "fd99::2:fffe fd99::2:ffff" "$(has v6r 3 fd99::2:fffd fd99::2:fffe fd99::2:ffff fd99::3:0)" "IPv6: the two destinations"
assert_eq 6 "$(distinct v6r 2)" "IPv6: distinct source ports"

# --- checksums: vb's stack takes every frame to its own address -------------
# A frame with a bad checksum never reaches the socket; one the sink was too
# slow for (a busy machine) is counted as its drop: received + dropped must
# be all of them
for fam in 4 6; do
	case $fam in 4) src=10.99.2.0+5000 dst=10.99.0.2 ;; *) src=fd99::3:ff00+5000 dst=fd99::2 ;; esac
	rm -f "$T_TMP/ready"
	ip netns exec "$Bn" "$GEN" sink --port 5001 --duration 120 --json \
		--ready-file "$T_TMP/ready" >"$T_TMP/sink$fam.json" 2>&1 &
	sink=$!
	wait_file "$T_TMP/ready"
	sent "IPv$fam to vb's sink, 5000 sources" 20000 --src "$src" --dst "$dst" --sport-range 1-40000 \
		--port 5001 --count 20000 --rate 20000
	sleep 0.5       # the last datagrams still in the socket's queue
	kill -INT "$sink"
	wait "$sink"
	assert_eq 20000 "$(jq '.packets + .drops' "$T_TMP/sink$fam.json")" \
		"IPv$fam: datagrams vb's sink received or had no room for (checksums good)"
done
assert_eq 0 "$(ip netns exec "$Bn" awk '$1 == "Udp:" && $8 ~ /^[0-9]+$/ { print $8 }' /proc/net/snmp)" \
	"UDP InCsumErrors at vb"

# --- a peer that cannot take XDP frames: every one is an error ---------------
# veth takes them only into a NAPI: with no XDP program on the peer, GRO on.
# The oracle: the peer's UDP NoPorts (nothing listens there)
C=$(ns_new c)
D=$(ns_new d)
veth_pair "$C" "$D"
ip netns exec "$D" ethtool -K vb gro off || fail "GRO off on $D's vb"
gen_cd() { ip netns exec "$C" "$GEN" xdp --dev va --src 10.99.0.1 --dst 10.99.0.2 --port 5000 --json "$@"; }
np0=$(snmp "$D" Udp NoPorts)
gen_cd --count 500 >"$T_TMP/cd.json" || fail "sluice-gen xdp to a peer without NAPI"
assert_eq "0 500" "$(jq -r '"\(.packets) \(.errors)"' "$T_TMP/cd.json")" "packets and errors, peer without XDP or GRO"
assert_eq "$np0" "$(snmp "$D" Udp NoPorts)" "UDP NoPorts at the peer without NAPI"
ip netns exec "$D" ethtool -K vb gro on || fail "GRO on on $D's vb"
gen_cd --count 500 >"$T_TMP/cd.json" || fail "sluice-gen xdp to a peer with GRO on"
assert_eq "500 0" "$(jq -r '"\(.packets) \(.errors)"' "$T_TMP/cd.json")" "packets and errors, peer with GRO on"
wait_until 5 test "$(snmp "$D" Udp NoPorts)" = $((np0 + 500))
assert_eq $((np0 + 500)) "$(snmp "$D" Udp NoPorts)" "UDP NoPorts at the peer with GRO on"

# --- a kernel without live frames; bad options: exit 2, nothing sent ---------
x0=$(xmit)
SLUICE_KERNEL_LACKS=xdp-live-frames expect_exit 2 ip netns exec "$A" "$GEN" xdp --dev va \
	--src 10.99.0.1 --dst 10.99.0.2 --port 5000 --count 10
grep -q 'lacks XDP live frames.*5.18' "$T_TMP/out" || fail "no live-frames message: $(cat "$T_TMP/out")"
bad() { # MESSAGE ARGS...: exit 2, the message names the problem
	msg=$1
	shift
	expect_exit 2 ip netns exec "$A" "$GEN" xdp "$@"
	grep -q -- "$msg" "$T_TMP/out" || fail "'$*': expected '$msg', got: $(cat "$T_TMP/out")"
}
OK="--src 10.99.0.1 --dst 10.99.0.2 --port 5000 --count 10"
bad "--dev: missing" --src 10.99.0.1 --dst 10.99.0.2 --port 5000
bad "--src: missing" --dev va --dst 10.99.0.2 --port 5000
bad "--dst: missing" --dev va --src 10.99.0.1 --port 5000
bad "--src: 10.99.0.9-10.99.0.1 is not a range" --dev va --src 10.99.0.9-10.99.0.1 --dst 10.99.0.2 --port 5000
bad "--src: fd99::1-fd98::1 is not a range" --dev va --src fd99::1-fd98::1 --dst fd99::2 --port 5000
bad "--src: 255.255.255.250+7 is not a range" --dev va --src 255.255.255.250+7 --dst 10.99.0.2 --port 5000
bad "--src: address family does not match" --dev va --src fd99::1 --dst 10.99.0.2 --port 5000
bad "--port: 6000-5000 is not a port" --dev va $OK --port 6000-5000
bad "--batch: 257 is out of range" --dev va $OK --batch 257
bad "--size: 1453 does not fit" --dev va --src fd99::1 --dst fd99::2 --port 5000 --size 1453
bad "--cpu: 0,0" --dev va $OK --cpu 0,0
bad "--threads: 3 does not match" --dev va $OK --cpu 0,1 --threads 3
bad "--dst-mac: 02:00:00:00:00 is not a MAC" --dev va $OK --dst-mac 02:00:00:00:00
bad "--count: cannot be combined with --duration" --dev va $OK --duration 1
bad "--gso: unknown option" --dev va $OK --gso 100
# runtime refusals that are the user's: exit 1 with the reason
expect_exit 1 ip netns exec "$A" "$GEN" xdp --dev nosuch0 $OK
grep -q 'nosuch0: no such device' "$T_TMP/out" || fail "unknown device: $(cat "$T_TMP/out")"
expect_exit 1 ip netns exec "$A" "$GEN" xdp --dev va --src 10.99.0.1 --dst 10.99.0.77 --port 5000 --count 1
grep -q -- '--dst-mac: missing, and the neighbour table has no entry for 10.99.0.77' "$T_TMP/out" ||
	fail "no neighbour: $(cat "$T_TMP/out")"
assert_eq "$x0" "$(xmit)" "frames va passed on during the refused runs"

# nothing of sluice-gen stays behind: no program on loopback, no link
assert_eq null "$(ip -n "$A" -j link show lo | jq '.[0].xdp')" "XDP on the generator's loopback after the runs"
echo "PASS"
