#!/bin/sh
# sluice micro-benchmarks (`make bench`):  sh tests/bench/bench.sh BUILD_DIR
#
# Traffic runs between two network namespaces joined by a veth pair, never
# on the host's interfaces; sender and receiver are pinned to different
# CPUs. Every comparison is a ratio of two measurements taken close together
# in the same run (A B B A, means), because on a shared, noisy machine
# absolute numbers mean little. Nothing passes or fails on timing: the script
# prints one table (name, A, B, A/B, goal) and exits 0; it exits non-zero
# only when it cannot run at all (not root, missing binaries, setup failure).
#
#   1. sluice-gen send --batch 64 (sendmmsg) / --batch 1 (sendmsg), 64 B,
#      pps at the sender and at the sink; and again through a bridge with no
#      ports (no receive path), checked against the device's tx counter
#   2. UDP GSO (--gso 1400 --size 14000) / plain --size 1400, payload B/s
#   3. sluice-gen / iperf3 -u -b 0 -l 64, pps at the sender and receiver
#   4. drop storm to a closed port: NoPorts/s in the receiving namespace
#      with sluice drop tracing on / off, and whether sluice's NO_SOCKET
#      count equals the NoPorts delta ("exact")
#   5. the same storm with a bpftrace kfree_skb counter (drops.bt) on / off
#
# Environment:
#   SLUICE_BENCH_SECONDS  seconds per measurement (default 3)
#   SLUICE_BENCH_CPUS     "SENDER RECEIVER" CPUs (default "0 1")
#   SLUICE_BENCH_RPS=1    steer the receiving veth's packets to the receiver
#                         CPU (RPS); by default the receive path runs in
#                         softirq on the sender's CPU. Under RPS the kernel
#                         was seen to count a few tenths of a percent more
#                         Udp NoPorts than it emits skb:kfree_skb NO_SOCKET
#                         events (bpftrace agrees with sluice there), so
#                         "exact" can fail for reasons outside sluice.
# Everything created is removed on exit, interrupted or not.

set -u

B=${1:-build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "bench: no build directory '${1:-build}'" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$B/sluice-gen
SLUICED=$B/sluiced
SLUICECTL=$B/sluicectl
DUR=${SLUICE_BENCH_SECONDS:-3}
RPS=${SLUICE_BENCH_RPS:-0}
set -- ${SLUICE_BENCH_CPUS:-0 1}
CPU_TX=$1
CPU_RX=${2:-$1}

ID=$$
NS_TX=slb-$ID-tx
NS_RX=slb-$ID-rx
IF_TX=slb-$ID-a
IF_RX=slb-$ID-b
IF_DUMMY=slb-$ID-d
DUMMY_NET=10.203.0       # behind a port-less bridge: every packet ends at transmit
A4=10.201.0.1
B4=10.201.0.2
A6=fd00:201::1
B6=fd00:201::2
PORT=5000               # the sink's port
IPERF_PORT=5201
CLOSED=9                # nothing listens here: every datagram is NO_SOCKET
PIN=/sys/fs/bpf/sluice-bench-$ID
SOCK=/tmp/sluice-bench-$ID.sock
TMP=""
PIDS=""                 # every background process we started
DAEMON_PID=""
MOUNTED=""              # filesystems we mounted and unmount again

say() { echo "-- $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, BPF)"
for t in ip jq taskset awk "$GEN" "$SLUICED" "$SLUICECTL"; do
	command -v "$t" >/dev/null 2>&1 || die "missing $t"
done
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] ||
	say "only one CPU online: sender and receiver share it"

# --- cleanup: always, on any exit ---------------------------------------------
stop_pid() { # PID [SIGNAL]: signal, wait up to 3 s, then SIGKILL; reap
	PIDS=$(echo " $PIDS " | sed "s/ $1 / /; s/^ *//; s/ *\$//")
	if kill -"${2:-TERM}" "$1" 2>/dev/null; then
		for _ in $(seq 30); do
			kill -0 "$1" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	return 0
}

cleanup() {
	set +e
	trap - EXIT INT TERM
	for p in $PIDS; do stop_pid "$p"; done
	# the daemon is stopped above; its programs stay attached until this
	"$SLUICED" --cleanup --pin-root "$PIN" >/dev/null 2>&1
	rm -f "$SOCK"
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	for m in $MOUNTED; do umount "$m" 2>/dev/null; done
	cd /
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

spawn() { # OUT command...: run in the background, output to OUT; sets LAST
	out=$1
	shift
	"$@" >"$out" 2>&1 &
	LAST=$!
	PIDS="$PIDS $LAST"
}

wait_for() { # SECONDS command...: poll until the command succeeds
	n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

TMP=$(mktemp -d "/tmp/sluice-bench-$ID.XXXXXX") || die "mktemp"
cd "$TMP" || die "cd $TMP"     # nothing we run drops files in the caller's directory

# --- namespaces ---------------------------------------------------------------
setup_netns() {
	ip netns add "$NS_TX" && ip netns add "$NS_RX" || return 1
	ip link add "$IF_TX" netns "$NS_TX" type veth peer name "$IF_RX" netns "$NS_RX" || return 1
	for side in TX RX; do
		eval "ns=\$NS_$side dev=\$IF_$side"
		case $side in TX) a4=$A4 a6=$A6 ;; *) a4=$B4 a6=$B6 ;; esac
		ip -n "$ns" link set lo up &&
		ip -n "$ns" addr add "$a4/24" dev "$dev" &&
		ip -n "$ns" addr add "$a6/64" dev "$dev" nodad &&
		ip -n "$ns" link set "$dev" up || return 1
	done
	# static neighbours: no ARP/ND resolution queueing the first packets
	mac_tx=$(ip -n "$NS_TX" -j link show "$IF_TX" | jq -r '.[0].address')
	mac_rx=$(ip -n "$NS_RX" -j link show "$IF_RX" | jq -r '.[0].address')
	ip -n "$NS_TX" neigh replace "$B4" lladdr "$mac_rx" dev "$IF_TX" nud permanent &&
	ip -n "$NS_TX" neigh replace "$B6" lladdr "$mac_rx" dev "$IF_TX" nud permanent &&
	ip -n "$NS_RX" neigh replace "$A4" lladdr "$mac_tx" dev "$IF_RX" nud permanent &&
	ip -n "$NS_RX" neigh replace "$A6" lladdr "$mac_tx" dev "$IF_RX" nud permanent || return 1
	# A bridge without ports frees every packet at transmit (it floods to
	# nobody): sends with no receive path behind them, to see what batching
	# saves on the send side alone. (This kernel has no dummy driver.) No
	# IPv6 on it, so none of its own control packets mix into its counters.
	ip -n "$NS_TX" link add "$IF_DUMMY" type bridge &&
	ip netns exec "$NS_TX" sysctl -qw "net.ipv6.conf.$IF_DUMMY.disable_ipv6=1" &&
	ip -n "$NS_TX" addr add "$DUMMY_NET.1/24" dev "$IF_DUMMY" &&
	ip -n "$NS_TX" link set "$IF_DUMMY" up &&
	ip -n "$NS_TX" neigh replace "$DUMMY_NET.2" lladdr 02:00:00:00:00:02 dev "$IF_DUMMY" nud permanent ||
		return 1
	if [ "$RPS" = 1 ]; then
		mask=$(printf '%x' $((1 << CPU_RX)))
		ip netns exec "$NS_RX" sh -c "echo $mask > /sys/class/net/$IF_RX/queues/rx-0/rps_cpus" || return 1
	fi
}
setup_netns || die "cannot set up namespaces $NS_TX/$NS_RX"
say "namespaces $NS_TX ($A4, $A6) <-> $NS_RX ($B4, $B6), sender on CPU $CPU_TX, receiver on CPU $CPU_RX, ${DUR}s per measurement"

# --- measurement helpers --------------------------------------------------------
# send OUT args...: sluice-gen send from the sender namespace, JSON in OUT
send() {
	out=$1
	shift
	ip netns exec "$NS_TX" "$GEN" send --dst "${DST:-$B4}" --cpu "$CPU_TX" --duration "$DUR" \
		--json "$@" >"$out" 2>"$out.err" || die "sluice-gen send $*: $(cat "$out.err")"
}

# sink_start OUT: sluice-gen sink in the receiver namespace, until sink_stop
sink_start() {
	rm -f "$TMP/ready"
	spawn "$1" ip netns exec "$NS_RX" taskset -c "$CPU_RX" "$GEN" sink --bind "$B4" \
		--port "$PORT" --json --ready-file "$TMP/ready"
	SINK_PID=$LAST
	wait_for 5 test -e "$TMP/ready" || die "sink did not bind: $(cat "$1")"
}

sink_stop() {
	sleep 0.2       # let the last packets in the socket queue be read
	stop_pid "$SINK_PID" INT
}

# pair TAG send-args...: sink + sender; TAG.send and TAG.sink hold the JSON
pair() {
	tag=$1
	shift
	sink_start "$TMP/$tag.sink"
	send "$TMP/$tag.send" --port "$PORT" "$@"
	sink_stop
}

jget() { jq -r "$1" "$2" 2>/dev/null; }

noports() { # the receiver namespace's Udp NoPorts counter
	ip netns exec "$NS_RX" awk '$1 == "Udp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Udp:" { print $c["NoPorts"] }' /proc/net/snmp
}

# storm TAG: closed-port traffic; STORM_PPS = NoPorts/s, STORM_DELTA
storm() {
	np0=$(noports)
	send "$TMP/$1.send" --port "$CLOSED"
	sleep 0.1       # packets still in a softirq backlog
	np1=$(noports)
	STORM_DELTA=$((np1 - np0))
	STORM_PPS=$(awk -v d="$STORM_DELTA" -v s="$(jget .seconds "$TMP/$1.send")" \
		'BEGIN { printf "%.1f", (s > 0 ? d / s : 0) }')
	say "  $1: $STORM_DELTA NO_SOCKET drops in $(jget .seconds "$TMP/$1.send")s"
}

ctl() { "$SLUICECTL" --socket "$SOCK" "$@"; }

daemon_start() {
	spawn "$TMP/sluiced.log" "$SLUICED" --pin-root "$PIN" --socket "$SOCK"
	DAEMON_PID=$LAST
	wait_for 20 ctl status || die "sluiced did not come up: $(cat "$TMP/sluiced.log")"
}

# stopping leaves the programs attached by design: --cleanup detaches them
daemon_stop() {
	stop_pid "$DAEMON_PID" TERM
	"$SLUICED" --cleanup --pin-root "$PIN" >>"$TMP/sluiced.log" 2>&1 ||
		die "sluiced --cleanup failed: $(cat "$TMP/sluiced.log")"
	rm -f "$SOCK"
}

# --- the table ----------------------------------------------------------------
ROWS=$TMP/rows
: >"$ROWS"
row() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; } # name A B ratio goal
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "n/a" }'; }
human() { # VALUE UNIT: 1234567 pps -> 1.23M pps
	awk -v v="$1" -v u="$2" 'BEGIN {
		if (v == "" || v == "null") { print "n/a"; exit }
		s = ""; if (v >= 1e9) { v /= 1e9; s = "G" } else if (v >= 1e6) { v /= 1e6; s = "M" } else if (v >= 1e3) { v /= 1e3; s = "k" }
		printf "%.2f%s %s", v, s, u }'
}
pair_row() { # NAME A B UNIT GOAL
	row "$1" "$(human "$2" "$4")" "$(human "$3" "$4")" "$(ratio "$2" "$3")" "$5"
}

# mean FILTER FILE...: the mean of a jq FILTER over the runs' JSON files
mean() {
	f=$1
	shift
	jq -s "map($f | numbers) | if length > 0 then add / length else \"n/a\" end" "$@" 2>/dev/null || echo n/a
}

# abba A-TAG "A-ARGS" B-TAG "B-ARGS": run A B B A, so a drift in the
# machine's speed during the four runs hits A and B alike; rows use means
abba() {
	pair "$1.1" $2
	pair "$3.1" $4
	pair "$3.2" $4
	pair "$1.2" $2
}

# --- 1. sendmmsg vs sendmsg --------------------------------------------------------
say "1/5 sendmmsg (--batch 64) vs sendmsg (--batch 1), 64 B"
abba mmsg "--batch 64 --size 64" msg "--batch 1 --size 64"
pair_row "send --batch 64 / --batch 1, 64 B (sender)" \
	"$(mean .pps "$TMP"/mmsg.?.send)" "$(mean .pps "$TMP"/msg.?.send)" pps ">= 1.20x"
pair_row "send --batch 64 / --batch 1, 64 B (sink)" \
	"$(mean .pps "$TMP"/mmsg.?.sink)" "$(mean .pps "$TMP"/msg.?.sink)" pps "-"

# the same through the port-less bridge, checked against its own tx counter
dummy_tx() { ip -n "$NS_TX" -s -j link show "$IF_DUMMY" | jq '.[0].stats64.tx.packets'; }
dummy_send() { # TAG ARGS...
	tag=$1
	shift
	t0=$(dummy_tx)
	DST=$DUMMY_NET.2
	send "$TMP/$tag.send" --port "$PORT" "$@"
	DST=
	echo $(($(dummy_tx) - t0)) >"$TMP/$tag.tx"
}
for t in dm.1 dmsg.1 dmsg.2 dm.2; do
	case $t in dm.*) dummy_send "$t" --batch 64 --size 64 ;; *) dummy_send "$t" --batch 1 --size 64 ;; esac
done
pair_row "  same, port-less bridge (no receive path)" \
	"$(mean .pps "$TMP"/dm.?.send)" "$(mean .pps "$TMP"/dmsg.?.send)" pps ">= 1.20x"
sent=$(jq -s 'map(.packets) | add' "$TMP"/dm.?.send "$TMP"/dmsg.?.send)
seen=$(cat "$TMP"/dm.?.tx "$TMP"/dmsg.?.tx | awk '{ s += $1 } END { print s }')
row "    sent vs the bridge's tx counter" "$sent" "$seen" "$([ "$sent" = "$seen" ] && echo exact || echo MISMATCH)" "exact"

# --- 2. GSO -------------------------------------------------------------------
say "2/5 UDP GSO (--gso 1400 --size 14000) vs --size 1400"
abba gso "--gso 1400 --size 14000" nogso "--size 1400"
for side in send sink; do
	pair_row "GSO 1400 x10 / no GSO, 1400 B ($side)" \
		"$(mean '.bps / 8' "$TMP"/gso.?.$side)" "$(mean '.bps / 8' "$TMP"/nogso.?.$side)" B/s "-"
done

# --- 3. sluice-gen vs iperf3 --------------------------------------------------------
# iperf3 TAG: one iperf3 -u run; the client's JSON (it has both sides) in TAG
iperf() {
	spawn "$TMP/$1.server" ip netns exec "$NS_RX" taskset -c "$CPU_RX" \
		iperf3 -s -1 -B "$B4" -p "$IPERF_PORT" -J
	srv=$LAST
	wait_for 5 sh -c "ip netns exec '$NS_RX' ss -Hltn 'sport = :$IPERF_PORT' | grep -q ." ||
		die "iperf3 server did not listen: $(cat "$TMP/$1.server")"
	ip netns exec "$NS_TX" taskset -c "$CPU_TX" iperf3 -c "$B4" -p "$IPERF_PORT" \
		-u -b 0 -l 64 -t "$DUR" -J >"$TMP/$1" 2>&1 ||
		say "iperf3 client failed: $(jget .error "$TMP/$1")"
	stop_pid "$srv" TERM
}

say "3/5 sluice-gen vs iperf3 -u -b 0 -l 64"
if command -v iperf3 >/dev/null 2>&1; then
	pair gen64.1 --size 64
	iperf iperf.1
	iperf iperf.2
	pair gen64.2 --size 64
	# sender: end.sum (the client's side); receiver: what the server got,
	# sent minus lost, over the server's interval
	ip_tx=$(mean '.end.sum | select(.seconds > 0) | .packets / .seconds' "$TMP"/iperf.?)
	ip_rx=$(mean '.end.sum_received | select(.seconds > 0) | (.packets - .lost_packets) / .seconds' "$TMP"/iperf.?)
	pair_row "sluice-gen / iperf3 -u, 64 B (sender)" \
		"$(mean .pps "$TMP"/gen64.?.send)" "$ip_tx" pps "-"
	pair_row "sluice-gen / iperf3 -u, 64 B (receiver)" \
		"$(mean .pps "$TMP"/gen64.?.sink)" "$ip_rx" pps "-"
else
	row "sluice-gen / iperf3 -u, 64 B" "-" "-" "skipped" "no iperf3"
fi

# --- 4. and 5. drop storm ---------------------------------------------------------
# bracketed: off, sluice on, bpftrace on, off; the baseline is the mean of
# the two off runs, and their ratio shows how noisy the machine is
say "4/5 drop storm to closed port $CLOSED: tracing off / sluice on / bpftrace on / off"
others=$(bpftool prog show 2>/dev/null | grep -c ' name sl_drops_kfree ')
[ "${others:-0}" -gt 0 ] &&
	say "note: $others sl_drops_kfree program(s) of other sluice instances are attached; 'off' includes them"
mountpoint -q /sys/fs/bpf || { mount -t bpf bpf /sys/fs/bpf && MOUNTED="/sys/fs/bpf $MOUNTED"; } ||
	die "bpffs is not mounted at /sys/fs/bpf and cannot be mounted"

storm off1
off1=$STORM_PPS

daemon_start
ctl drops reset --netns "$NS_RX" >/dev/null || die "sluicectl drops reset failed"
storm sluice
on_sluice=$STORM_PPS
noports_delta=$STORM_DELTA
ctl -j drops --netns "$NS_RX" >"$TMP/drops.json" 2>&1
counted=$(jq '[.[] | select(.reason == "NO_SOCKET") | .packets] | add // 0' "$TMP/drops.json" 2>/dev/null)
case $counted in
''|*[!0-9]*) exact="no answer"; counted=n/a ;;
*) if [ "$counted" = "$noports_delta" ]; then exact=exact
   else exact="MISMATCH $((counted - noports_delta))"; fi ;;
esac
if [ "$exact" != exact ]; then
	say "sluice's count is not exact; its view of every namespace and its own counters:"
	{ ctl drops --all; ctl drops stats; bpftool prog show name sl_drops_kfree; } 2>&1 | sed 's/^/     /' >&2
fi
daemon_stop

say "5/5 the same storm with bpftrace (tests/bench/drops.bt)"
on_bt=""
if command -v bpftrace >/dev/null 2>&1; then
	if ! mountpoint -q /sys/kernel/tracing; then
		mount -t tracefs nodev /sys/kernel/tracing && MOUNTED="/sys/kernel/tracing $MOUNTED"
	fi
	spawn "$TMP/bpftrace.out" bpftrace "$HERE/drops.bt"
	bt=$LAST
	if wait_for 60 grep -q Attaching "$TMP/bpftrace.out"; then
		sleep 1 # "Attaching" comes just before the attach itself
		storm bpftrace
		on_bt=$STORM_PPS
	else
		say "bpftrace did not attach: $(cat "$TMP/bpftrace.out")"
	fi
	stop_pid "$bt" INT
	say "  bpftrace's map (reason 3 = NO_SOCKET; every namespace, whole attach time):"
	grep '^@' "$TMP/bpftrace.out" | sed 's/^/     /' >&2
else
	say "no bpftrace: skipped"
fi

storm off2
off2=$STORM_PPS
off=$(awk -v a="$off1" -v b="$off2" 'BEGIN { printf "%.1f", (a + b) / 2 }')

pair_row "drop storm: sluice tracing on / off" "$on_sluice" "$off" pps ">= 0.95x"
row "  sluice NO_SOCKET rows vs NoPorts delta" "$counted" "$noports_delta" "$exact" "exact"
if [ -n "$on_bt" ]; then
	pair_row "drop storm: bpftrace on / off" "$on_bt" "$off" pps "(vs sluice)"
	pair_row "drop storm: sluice on / bpftrace on" "$on_sluice" "$on_bt" pps "-"
else
	row "drop storm: bpftrace on / off" "-" "-" "skipped" "no bpftrace"
fi
pair_row "  noise: storm off run 2 / run 1" "$off2" "$off1" pps "~1.00x"

# --- report ----------------------------------------------------------------------
echo
echo "sluice bench: ${DUR}s per measurement, sender CPU $CPU_TX, receiver CPU $CPU_RX$([ "$RPS" = 1 ] && echo " (RPS)"), $(uname -r)"
echo "rows 1-3: means of 2 runs each, in the order A B B A; drop storm: off, sluice, bpftrace, off"
awk -F '\t' '
	{ for (i = 1; i <= 5; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } }
	END {
		split("name A B A/B goal", h, " ")
		for (i = 1; i <= 5; i++) if (length(h[i]) > w[i]) w[i] = length(h[i])
		fmt = "%-" w[1] "s  %" w[2] "s  %" w[3] "s  %" w[4] "s  %-" w[5] "s\n"
		printf fmt, h[1], h[2], h[3], h[4], h[5]
		for (r = 1; r <= NR; r++) printf fmt, c[r, 1], c[r, 2], c[r, 3], c[r, 4], c[r, 5]
	}' "$ROWS"
echo "timing is informational only: ratios from this run, nothing passes or fails on them"
