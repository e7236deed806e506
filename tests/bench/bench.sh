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
#      count equals the NoPorts delta ("exact"). Then sampled drop events
#      under the storm sent from both CPUs at once (so every CPU's event
#      budget is spent): events the daemon received per second and events
#      lost (ring buffer full) at the top --sample-rate, the ring read by
#      the event loop as events come / the old design, emulated on the same
#      daemon: --sample-rate 10000 as that design budgeted it (rate / ncpu
#      per CPU per 1 s window, spent in one burst as the storm begins,
#      written into sl_dcfg_v2) and the ring read only every 200 ms (the
#      daemon SIGSTOPped but for 5 ms every 200 ms). Order loop tick tick
#      loop. "events / sample rate" says what limits each: the loop
#      loses nothing and is held to the rate itself (each CPU's budget per
#      9.1 ms window; a window in which that CPU's sender was not running
#      goes unused, so on a busy machine it stays under 1.00), the tick
#      loses what the 3640-event ring cannot hold between two reads
#   5. the same storm with a bpftrace kfree_skb counter (drops.bt) on / off
#   6. per-packet cost of one set rule (match-set SET src, drop) in the XDP
#      program, from BPF_PROG_TEST_RUN (the kernel's own ns/packet over 1M
#      runs of one matching frame; build/bench/sets_cost, from
#      tests/bench/sets_cost.c): hash:ip with 1M / 1 entries (flat is the
#      goal) and 1000 / 1, hash:net of random /8-/32 prefixes likewise (an
#      LPM trie: the cost grows with its depth; the slope is per 10x
#      entries), and the program without rules for scale; a plain hash:ip
#      (no timeout, counters or comment: sluice's compact layout, a bucket
#      table) with 1M / 1 entries, and 1M plain / 1M with values
#   7. loading 1M hash:ip entries: `sluicectl set restore` / `ipset restore`
#      (in the receiving namespace) of one `ipset save` file, A B B A (the
#      set is plain, as its create line has no timeout, counters or
#      comment); the memory each reports for the set, sluice / ipset (goal
#      <= 2x): sluice's is the set's map as the kernel accounts it (fdinfo
#      memlock, bpftool's bytes_memlock: the whole preallocated table of
#      buckets for maxelem 2M), ipset's its `Size in memory`; and, once, the
#      same set with counters (the layout with a value per entry, a BPF hash)
#      for comparison; `nft -f` of the same elements as an nftables set,
#      timed once
#   8. set drop: the sender's address is in the 1M set, 64 B to the
#      receiving veth, dropped by one dataplane at a time: sluice's XDP rule
#      (`rule add dev ... ingress match-set SET src action drop`), iptables
#      raw PREROUTING `-m set --match-set SET src -j DROP` on ipset (the row
#      says iptables-nft or -legacy), or an nftables prerouting chain at
#      priority raw, `ip saddr @set counter drop`; run in the order sluice,
#      iptables, nft, nft, iptables, sluice. drops/s is the dataplane's own
#      counter delta over the sender's seconds, and "drops/s / sender pps"
#      says whether the dropper kept up (1.00x: the sender was the limit).
#      Where the work runs: without XDP the veth hands each packet to the
#      receive path in softirq on the sending CPU; with native XDP on the
#      receiving veth it queues the packet for that veth's NAPI, also
#      scheduled on the sending CPU. So by default sender and dropper share
#      one CPU, and one sender thread is the limit for every dataplane: the
#      drops/s ratio then says little about the droppers. What each costs
#      is "softirq CPU per drop" (all of a dropper's work runs in softirq,
#      none of the sender's): /proc/stat softirq time of all CPUs over the
#      drops, tick-sampled (a few % of noise). Under SLUICE_BENCH_RPS=1 the
#      netfilter drops move to the receiver CPU, the XDP drop does not (XDP
#      runs before RPS). The say lines show the CPUs each dropper ran on.
#      veth runs XDP on a page-pool copy of every skb sent from a local
#      socket (its headroom is under XDP's 256 B), a cost a NIC's native
#      XDP does not have. The daemon for 7 and 8 runs sets only (no drop
#      tracing); drop tracing programs of other sluice instances on the
#      machine tax every drop path (noted when there are any).
#   9. bridge multicast policy (bpf/mcast.bpf.c), per-packet cost from
#      BPF_PROG_TEST_RUN (build/bench/mcast_cost, from
#      tests/bench/mcast_cost.c; medians, cases timed 1..n n..1): the egress
#      decision for 64 B data of a registered group to a member port, to a
#      non-member port (suppressed), of an unregistered group to a non-router
#      port (suppressed), to a static router port, each against link-local
#      224.0.0.251 (passed untouched: the program's floor); ingress for a
#      data frame (nothing to snoop) and the snoop of a one-record and a
#      64-record IGMPv3 report (refreshing memberships; the slope is per
#      record)
#  10. multicast through a bridge: a bridge in its own namespace, four
#      hosts behind veth ports: h1 sends 64 B UDP to 239.1.1.1 (sluice-gen,
#      --batch 64, as fast as it can), h2 has joined it (a sluice-gen sink
#      bound to the group counts what arrives), h3 sits behind the router
#      port, h4 joins nothing. The same traffic through three bridges:
#      policy = mcast_snooping 0 + `sluicectl mcast bridge ... enable` and
#      `mcast port dev p3 ... router on`; flood = mcast_snooping 0 alone
#      (every port gets everything); kernel = mcast_snooping 1 with its
#      querier (switched on apart from snooping, its start-up waited out, as
#      tests/netns/test_mcast_bridge.sh does) and mcast_router 2 on p3. Run
#      in the order policy flood kernel kernel flood policy, each after the
#      join is seen by the bridge (sluice's groups or the kernel's mdb).
#      pps at the member (sink) and at the sender; what h4 received of the
#      group (nftables netdev ingress counter, below its IP stack; without
#      nft: every frame on its interface). The whole forwarding path (h1's
#      veth, the bridge, every port's veth and the hosts' receive paths)
#      runs in softirq on the sender's CPU: the sender's pps is the path's
#      cost. With mcast_snooping 0 the bridge copies every frame to every
#      port and up its own stack (br0, which drops it); sluice drops h4's
#      copy at p4's egress, after the bridge made it. The kernel's snooping
#      makes neither copy: "sender time per frame" is what that and the
#      programs cost (the programs' share: 9's "in + 3 out").
#
#  11. TCP connections per second between the two namespaces (a python
#      client connects and resets, a server accepts and closes, for the
#      measurement's seconds) with sluice's sockops program on the cgroup
#      root and a rule for each namespace (initcwnd 10 initrwnd 10) / with
#      no program, A B B A: what the program costs a connection
#  12. bulk TCP over the veth with sluice's own congestion control written
#      in BPF (iperf3 -C sluice_reno, registered through struct_ops by a
#      rule that names it) / the kernel's CUBIC (iperf3 -C cubic), and the
#      kernel's reno beside them (BPF implementation / algorithm), in the
#      order A B C C B A twice; each run's median cwnd and retransmissions
# 12b. round trips to deliver a response of 14,480 B (ten segments of MSS
#      1448: a whole IW10 flight), 15,000 B and 65,536 B with sluice's
#      rules initcwnd 3 initrwnd 3 (4 kB) / initcwnd 10 initrwnd 10 (15 kB)
#      in both namespaces (the client's initial window limits the server's
#      first flight as much as the server's IW does), order 3 10 10 3. veth
#      has no round trip and this kernel no netem, so a delay line makes
#      one: tests/tools/sl-delay holds what the client sends to the
#      response's port (an iptables NFQUEUE rule in its namespace) for
#      20 ms. The server (tests/netns/tcp_probe.py bulk-serve) writes the
#      response at accept; a capture on its device counts the rounds by the
#      ACK clock: a round begins with the first data segment sent after an
#      ACK of the previous round's first segment. Counts, not timings: the
#      two runs of each must agree, and the limit is the round trip
#
# Environment:
#  13. per-packet cost of the transmit steering program (bpf/xps.bpf.c) from
#      BPF_PROG_TEST_RUN (tests/bpf/test_xps_progs in perf mode,
#      SLUICE_FIXTURE_REPEAT=200000): the last of 1,000 rules matching /
#      one rule matching (the rules are scanned in order: the slope is the
#      per-rule cost); a match-set rule on a hash:ip set / an all rule (the
#      set found by name, then its lookup)
#  14. multi-flow TCP (iperf3 -P 4) over a veth with 4 tx and 4 rx queues:
#      with steering rules (cpu 0 -> queue 0, cpu 1 -> queue 1, as XPS would
#      map them) / without, A B B A. veth has no rings or interrupts, so this
#      shows what steering costs, not the locality a NIC gains from it
#  15. line rate set drop, the generator faster than the receiver: sluice-gen
#      xdp (BPF_PROG_RUN live frames: no socket, no skb; 64 B, each frame
#      from another source, all in a 1M hash:ip set) out of the sender's
#      veth on the sender CPU; the receiving veth takes the frames into its
#      NAPI (GRO on), threaded and pinned to the receiver CPU, so the
#      dropper has a CPU of its own. The generator and the NAPI thread run
#      SCHED_FIFO 1, so the machine's other work leaves no gaps. Dropped by
#      sluice's XDP rule / iptables raw -m set on ipset / an nftables set
#      (as 8), in the order s i n n i s; twice: 1M sources (every lookup a
#      cache miss in every dataplane's table) and 1000 (the table's lines in
#      cache: what the dataplanes themselves cost). drops/s is the
#      dataplane's counter over the generator's seconds; receiver CPU per
#      drop is the NAPI thread's CPU time (/proc/PID/stat) over the drops;
#      "offered" is what the generator sent, frames the veth ring had no
#      room for included. A dropper that drops clearly less than was
#      offered is limited by its CPU when its NAPI thread was busy all the
#      time (drops/s x CPU per drop); else by gaps in the generator's bursts
#      (CPU per drop is then the row to trust). sluice has no tc ingress
#      hook for set rules: that row says so
#  16. per-message send policy: sendmmsg(64) of 64 B to the port-less
#      bridge's neighbour (send path only, so the hook's share shows), with
#      100 `send` rules (the matching one last: every message walks all
#      100) / no policy (goal >= 0.9), / the same 100 rules as nftables
#      OUTPUT rules, 1 rule / none (what of the cost is the walk), and an
#      empty sendmsg hook (tests/tools/sl-hook-floor, no sluice), the floor
#      of any sendmsg policy (the kernel locks the socket for the hook on
#      each unconnected message). SEND_ROUNDS rounds of all five, the order
#      reversed every other round; ratios of the sender's packets per CPU
#      second taken inside each round, median and range; the last rule's
#      count checked against what was sent. The base rows 1 (sendmmsg /
#      sendmsg on the bridge) and 2 (GSO / no GSO; the sink receives with
#      recvmmsg and UDP_GRO) are the issue's other rows
#  17. the sink: recvmmsg(64) with UDP_GRO / recvmsg without GRO, pps
#      (datagrams) at the sink, the sender sending GSO buffers of 10
#      datagrams over the veth (which hands them on whole: a GRO socket
#      takes one, a plain one has the kernel cut it into 10), A B B A
#  18. per-packet cost of SCTP association tracking (bpf/sctp.bpf.c) from
#      BPF_PROG_TEST_RUN (build/bench/sctp_cost, from tests/bench/sctp_cost.c;
#      medians, cases timed 1..n n..1): a 100 B DATA chunk on an established
#      association (made by its own INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK
#      through the program) with 10,000 associations tracked / 1 (hash
#      lookups: flat is the goal), through the XDP and the tc program, to Z
#      (Z's index entry, then the record) and to A (the record)
#  19. SCTP DATA through a tracked device: tests/tools/sctp-peer (libusrsctp
#      over raw IP, this kernel has no SCTP) streams 1000 B messages (one
#      DATA chunk a packet) from the sender namespace as fast as it can for
#      the measurement's seconds; messages/s at the receiving server (its
#      own count over its first to last message), with `sctp track` on the
#      receiving veth (DATA at XDP ingress, SACKs at tc egress) / untracked
#      (goal >= 0.9), and with `sctp policy ... allow-set` (the sender's
#      address in the set), and with a bare XDP_PASS program on the veth
#      (tests/bpf/xdp_pass.bpf.c: native XDP on a veth sends every packet
#      through the veth's NAPI and a page copy, a cost of the veth's XDP
#      path, not of sluice's program); order track, none, policy, XDP_PASS,
#      XDP_PASS, policy, none, track.
#      The limit is said: the endpoint whose CPU (all its threads: user
#      space SCTP, its raw sockets, the veth's softirq on its CPU) was
#      busier; the receiving veth's packets per message (1.00: one a
#      packet); sluice's own count of SCTP packets tracked / seen
#
# Environment:
#   SLUICE_BENCH_ONLY     base (1-5), sets (6-8), mcast (9-10), tcp
#                         (11-12b), xps (13-14), linerate (15), send
#                         (16-17) or sctp (18-19); default: everything
#   SLUICE_BENCH_SECONDS  seconds per measurement (default 3)
#   SLUICE_BENCH_SEND_ROUNDS  rounds of section 16 (default 6)
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
DELAY=$B/tests/tools/sl-delay
SLUICED=$B/sluiced
SLUICECTL=$B/sluicectl
DUR=${SLUICE_BENCH_SECONDS:-3}
SEND_ROUNDS=${SLUICE_BENCH_SEND_ROUNDS:-6} # section 16's rounds of every configuration
ONLY=${SLUICE_BENCH_ONLY:-}
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
RTT_PORT=5402           # the round trip benchmark's responses (12b), behind the delay line
RTT_QUEUE=7             # its netfilter queue, in the sender namespace
RTT_MS=20               # the delay line's one-way delay: the connection's round trip
RTT_SIZES="14480 15000 65536" # 10 x MSS 1448 (a full IW10 flight), 15 kB, 64 kB
CLOSED=9                # nothing listens here: every datagram is NO_SOCKET
EV_MAX=100000           # the top --sample-rate (src/features/drops/cmds.c)
EV_OLD=10000            # the old design's top rate, its ring read every 200 ms
PIN=/sys/fs/bpf/sluice-bench-$ID
FLOOR_PIN=$PIN-floor    # the send section's empty hook, pinned while it runs
SOCK=/tmp/sluice-bench-$ID.sock
TMP=""
PIDS=""                 # every background process we started
DAEMON_PID=""
MOUNTED=""              # filesystems we mounted and unmount again
MC_NS=""                # the multicast bridge's namespaces (10), once made

say() { echo "-- $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

case $ONLY in
''|base|sets|mcast|tcp|xps|linerate|send|sctp) ;;
*) die "SLUICE_BENCH_ONLY: '$ONLY' is not base, sets, mcast, tcp, xps, linerate, send or sctp" ;;
esac
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; } # want SECTIONS: run them?

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
	rm -rf "$FLOOR_PIN"
	rm -f "$SOCK"
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	for n in $MC_NS; do ip netns del "$n" 2>/dev/null; done
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

# sink_start OUT [sink args...]: sluice-gen sink in the receiver namespace, until sink_stop
sink_start() {
	rm -f "$TMP/ready"
	out=$1
	shift
	spawn "$out" ip netns exec "$NS_RX" taskset -c "$CPU_RX" "$GEN" sink --bind "$B4" \
		--port "$PORT" --json --ready-file "$TMP/ready" "$@"
	SINK_PID=$LAST
	wait_for 5 test -e "$TMP/ready" || die "sink did not bind: $(cat "$out")"
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

need_bpffs() {
	mountpoint -q /sys/fs/bpf || { mount -t bpf bpf /sys/fs/bpf && MOUNTED="/sys/fs/bpf $MOUNTED"; } ||
		die "bpffs is not mounted at /sys/fs/bpf and cannot be mounted"
}

daemon_start() { # [sluiced options]: the embedded default config unless --config
	spawn "$TMP/sluiced.log" "$SLUICED" --pin-root "$PIN" --socket "$SOCK" "$@"
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

avg() { # FILE...: the mean of the numbers in the files
	cat "$@" 2>/dev/null | awk '{ s += $1; n++ } END { if (n) printf "%.3f", s / n; else print "n/a" }'
}

timed() { # OUT command...: run it (standard input passed on); wall seconds into OUT
	out=$1
	shift
	t0=$(date +%s.%N)
	"$@" || return 1
	awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }' >"$out"
}

# kv FILE TAG FIELD [KEY=VALUE...]: FIELD of the lines "TAG key=value ..."
# in FILE (what the cost benchmarks print) that have every KEY=VALUE given
kv() {
	kv_file=$1 kv_tag=$2 kv_field=$3
	shift 3
	awk -v tag="$kv_tag" -v k="$kv_field" -v want="$*" '$1 == tag {
		split("", f)
		for (i = 2; i <= NF; i++) { n = v = $i; sub(/=.*/, "", n); sub(/^[^=]*=/, "", v); f[n] = v }
		m = split(want, w, " ")
		for (j = 1; j <= m; j++) { n = v = w[j]; sub(/=.*/, "", n); sub(/^[^=]*=/, "", v); if (f[n] != v) next }
		print f[k] }' "$kv_file"
}

# tracers: other sluice instances' drop tracing programs attached now (on
# the kfree_skb tracepoint, every dropped packet of the machine pays them)
tracers() { bpftool prog show 2>/dev/null | grep -c ' name sl_drops_kfree '; }

# abba A-TAG "A-ARGS" B-TAG "B-ARGS": run A B B A, so a drift in the
# machine's speed during the four runs hits A and B alike; rows use means
abba() {
	pair "$1.1" $2
	pair "$3.1" $4
	pair "$3.2" $4
	pair "$1.2" $2
}

if want base; then
	# --- 1. sendmmsg vs sendmsg --------------------------------------------------------
	say "1/8 sendmmsg (--batch 64) vs sendmsg (--batch 1), 64 B"
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
	say "2/8 UDP GSO (--gso 1400 --size 14000) vs --size 1400"
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

	say "3/8 sluice-gen vs iperf3 -u -b 0 -l 64"
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
	say "4/8 drop storm to closed port $CLOSED: tracing off / sluice on / bpftrace on / off"
	others=$(tracers)
	[ "${others:-0}" -gt 0 ] &&
		say "note: $others sl_drops_kfree program(s) of other sluice instances are attached; 'off' includes them"
	need_bpffs

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

	# --- 4, continued: the event rate, at the top --sample-rate ---------------
	# The old design: the daemon read the ring every 200 ms, and each CPU
	# spent its budget (rate / ncpu per 1 s window) in one burst as a storm
	# began. It is emulated on this daemon: that budget written into the
	# config map, the daemon stopped but for a moment every 200 ms.
	say "4/8 sampled drop events, storm from both CPUs: --sample-rate $EV_MAX read by the event loop / $EV_OLD read every 200 ms (the old design, emulated)"
	ev_storm() { # TAG: the storm from the sender's and the receiver's CPU at once
		senders=""
		for c in "$CPU_TX" "$CPU_RX"; do
			ip netns exec "$NS_TX" "$GEN" send --dst "$B4" --port "$CLOSED" --cpu "$c" --duration "$DUR" \
				--json >"$TMP/$1.$c.send" 2>"$TMP/$1.$c.err" &
			senders="$senders $!"
		done
		for p in $senders; do wait "$p" || die "sluice-gen send: $(cat "$TMP/$1".*.err)"; done
		sleep 0.1       # packets still in a softirq backlog
	}
	old_budget() { # the old design's budget: rate / ncpu per CPU per 1 s window
		cfg=$PIN/maps/sl_dcfg_v2
		ncpu=$(getconf _NPROCESSORS_ONLN)
		# struct sl_drops_config: events_per_window @4 (u32), window_ns @8 (u64), little endian
		set -- $(bpftool -j map lookup pinned "$cfg" key 0 0 0 0 | jq -r '.value[] | ltrimstr("0x")')
		[ $# = 32 ] || die "unexpected sl_drops_config size $#"
		epw=$(printf '%08x' $((EV_OLD / ncpu)) | sed 's/\(..\)\(..\)\(..\)\(..\)/\4 \3 \2 \1/')
		bpftool map update pinned "$cfg" key 0 0 0 0 value hex $1 $2 $3 $4 $epw 00 ca 9a 3b 00 00 00 00 \
			$(echo "$@" | cut -d' ' -f17-32) || die "cannot write the old design's event budget"
	}
	ev_run() { # TAG loop|tick: events over one storm into TAG.ev: received/s lost seen/s
		if [ "$2" = tick ]; then
			ctl drops enable --sample-rate "$EV_OLD" >/dev/null && old_budget
		else
			ctl drops enable --sample-rate "$EV_MAX" >/dev/null
		fi || die "sluicectl drops enable failed"
		s0=$(ctl -j drops stats)
		if [ "$2" = tick ]; then
			spawn "$TMP/$1.tick" sh -c 'while kill -STOP "$1"; do sleep 0.2; kill -CONT "$1"; sleep 0.005; done' \
				tick "$DAEMON_PID"
			tick=$LAST
		fi
		ev_storm "$1"
		if [ "$2" = tick ]; then
			stop_pid "$tick"
			kill -CONT "$DAEMON_PID"
		fi
		s1=$(ctl -j drops stats) # reads what is left in the ring first
		secs=$(cat "$TMP/$1".*.send | jq -s 'map(.seconds) | max')
		printf '%s\n%s\n' "$s0" "$s1" | jq -s --argjson s "${secs:-0}" -r 'if $s > 0 then
			"\((.[1].events_received - .[0].events_received) / $s) \(.[1].events_lost - .[0].events_lost) \((.[1].udp_drops_seen - .[0].udp_drops_seen) / $s)"
			else "n/a n/a n/a" end' >"$TMP/$1.ev"
		how=$2
		set -- $(cat "$TMP/$1.ev")
		say "  $how: $(human "$1" /s) events received, $2 lost; drops $(human "$3" /s)"
	}
	ev_run evl.1 loop
	ev_run evt.1 tick
	ev_run evt.2 tick
	ev_run evl.2 loop
	daemon_stop

	say "5/8 the same storm with bpftrace (tests/bench/drops.bt)"
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
	ev_col() { cat "$TMP"/$1.?.ev 2>/dev/null | awk -v k="$2" '$k != "n/a" { s += $k; n++ } END { if (n) printf "%.1f", s / n; else print "n/a" }'; }
	evl=$(ev_col evl 1)
	evt=$(ev_col evt 1)
	pair_row "drop events/s, 2-CPU storm: loop at $EV_MAX / 200 ms tick at $EV_OLD" "$evl" "$evt" /s \
		"0 lost at the cap"
	row "  events lost per storm: loop / tick" "$(ev_col evl 2)" "$(ev_col evt 2)" "-" "0 / -"
	row "  events / sample rate: loop / tick" "$(awk -v a="$evl" -v r="$EV_MAX" 'BEGIN { if (a > 0) printf "%.2f", a / r; else print "n/a" }')" \
		"$(awk -v a="$evt" -v r="$EV_OLD" 'BEGIN { if (a > 0) printf "%.2f", a / r; else print "n/a" }')" "-" \
		"limit: loop the rate; tick the ring"
fi

# --- set drop, shared by 8 and 15: one dataplane at a time drops what is in
# the set SET (in sluice, the receiver's ipset and an nft table of that name)
SET=slbench
IPT_BACKEND=$(iptables -V 2>/dev/null | sed -n 's/.*(\(.*\)).*/\1/p') # nf_tables or legacy
case $IPT_BACKEND in
nf_tables) IPT=iptables-nft ;;
legacy) IPT=iptables-legacy ;;
*) IPT=iptables ;;
esac
RULE="dev $IF_RX netns $NS_RX ingress match-set $SET src action drop"
NFT_RULE="add rule ip $SET pre ip saddr @s counter name drops drop"
# dp_done DP TAG C0 C1: the run of DP is over: its rule goes (sluice's rule
# list kept in TAG.rules first); D = what it dropped, from its counter
# before (C0) and after (C1)
dp_done() {
	[ "$1" = sluice ] && ctl -j rule list >"$TMP/$2.rules" 2>&1
	dp_off "$1" || die "cannot remove the $1 drop rule"
	case $3$4 in *[!0-9]*|'') die "no $1 drop counter ('$3', '$4')" ;; esac
	D=$(($4 - $3))
	[ "$1" = nft ] && D=$4
	return 0
}
# sets_daemon: which other dataplanes are here (have_ipset, have_nft), and
# a daemon with sets only: no drop tracing, whose kfree_skb program would
# tax netfilter's drops
sets_daemon() {
	have_ipset="" have_nft=""
	command -v ipset >/dev/null 2>&1 && command -v iptables >/dev/null 2>&1 && have_ipset=1
	command -v nft >/dev/null 2>&1 && have_nft=1
	need_bpffs
	printf '# bench: sets and rules only\n' >"$TMP/sets.conf"
	daemon_start --config "$TMP/sets.conf"
}
# set_files PREFIX: PREFIX.addrs as ipset restore lines (PREFIX.ipset) and
# an nft table with a counter and the set (PREFIX.nft)
set_files() {
	{ echo "create $SET hash:ip family inet hashsize 1024 maxelem 2000000"
	  sed "s/^/add $SET /" "$1.addrs"; } >"$1.ipset"
	{ echo "table ip $SET {"
	  echo "	counter drops { }"
	  echo "	set s { type ipv4_addr; size 2000000; elements = {"
	  sed '$!s/$/,/' "$1.addrs"
	  echo "	} }"
	  echo "}"; } >"$1.nft"
}
dp_on() { # DP: one dataplane drops, alone
	case $1 in
	sluice) ctl rule add $RULE >/dev/null ;;
	ipt) ip netns exec "$NS_RX" iptables -t raw -A PREROUTING -m set --match-set "$SET" src -j DROP ;;
	nft) ip netns exec "$NS_RX" nft "add chain ip $SET pre { type filter hook prerouting priority raw; }; $NFT_RULE" ;;
	esac
}
dp_off() { # DP: and nothing of it stays on the packet path
	case $1 in
	sluice) ctl rule del $RULE >/dev/null ;;
	# iptables-nft keeps the raw table's base chain hooked in, even empty
	ipt) ip netns exec "$NS_RX" iptables -t raw -D PREROUTING -m set --match-set "$SET" src -j DROP &&
		{ [ "$IPT_BACKEND" != nf_tables ] || ip netns exec "$NS_RX" nft delete table ip raw; } ;;
	nft) ip netns exec "$NS_RX" nft delete chain ip "$SET" pre ;;
	esac
}
dp_count() { # DP: its drop counter; nft's since the last call (`nft reset counter`:
	# listing anything in a table with a 1M-element set takes nft seconds)
	case $1 in
	sluice) ctl -j rule list | jq --arg s "$SET" '[.rules[] | select(.set == $s) | .packets] | add // 0' ;;
	ipt) ip netns exec "$NS_RX" iptables -t raw -L PREROUTING -v -x -n | awk '/match-set/ { print $1; exit }' ;;
	nft) ip netns exec "$NS_RX" nft -j reset counter ip "$SET" drops |
		jq '.nftables[] | select(.counter) | .counter.packets' ;;
	esac
}

# --- 6. to 8. ipset-style sets --------------------------------------------------------
if want sets; then
	# --- 6. per-packet cost: BPF_PROG_TEST_RUN, set size 1 / 1000 / 1M
	say "6/8 per-packet cost of one set rule, XDP BPF_PROG_TEST_RUN (build/bench/sets_cost)"
	COST=$B/bench/sets_cost
	: >"$TMP/cost.out"
	if [ -x "$COST" ]; then
		# --jobs 1: its two tests timed side by side would share the CPUs
		"$COST" --jobs 1 >"$TMP/cost.out" 2>"$TMP/cost.log" ||
			say "sets_cost failed; its rows are n/a: $(grep -v '^\[====\]' "$TMP/cost.log" | tail -n 8)"
		sed 's/^/     /' "$TMP/cost.out" >&2
	fi
	cost_ns() { # CLASS ENTRIES: the median ns/packet sets_cost printed, or nothing
		kv "$TMP/cost.out" sets-cost ns "class=$1" "entries=$2"
	}
	if [ -s "$TMP/cost.out" ]; then
		ip1=$(cost_ns hash:ip 1)
		net1=$(cost_ns hash:net 1)
		net6=$(cost_ns hash:net 1000000)
		pair_row "set rule cost, hash:ip: 1M / 1 entry (ns/pkt)" "$(cost_ns hash:ip 1000000)" "$ip1" ns \
			"~1.00x (+-10%)"
		pair_row "  hash:ip: 1000 / 1 entry" "$(cost_ns hash:ip 1000)" "$ip1" ns "~1.00x (+-10%)"
		pair_row "  no rule at all / hash:ip 1 entry" "$(cost_ns none 0)" "$ip1" ns "-"
		pair_row "set rule cost, plain hash:ip: 1M / 1 entry" "$(cost_ns hash:ip-plain 1000000)" \
			"$(cost_ns hash:ip-plain 1)" ns "~1.00x (+-10%)"
		pair_row "  1M: plain / with values (hash:ip-valued)" "$(cost_ns hash:ip-plain 1000000)" \
			"$(cost_ns hash:ip-valued 1000000)" ns "-"
		pair_row "set rule cost, hash:net /8-/32: 1M / 1 entry" "$net6" "$net1" ns \
			"$(awk -v a="$net6" -v b="$net1" 'BEGIN { if (a > 0 && b > 0) printf "slope %+.1f ns per 10x", (a - b) / 6; else print "-" }')"
		pair_row "  hash:net: 1000 / 1 entry" "$(cost_ns hash:net 1000)" "$net1" ns "-"
	else
		row "set rule cost (BPF_PROG_TEST_RUN)" "-" "-" "skipped" \
			"$([ -x "$COST" ] && echo "sets_cost failed" || echo "no $COST (make bench builds it)")"
	fi

	# --- 7. loading 1M entries: sluicectl set restore, ipset restore, nft -f
	SET_N=1000000
	say "7/8 loading $SET_N hash:ip entries: sluicectl set restore / ipset restore (in $NS_RX), A B B A; nft -f once"
	sets_daemon
	# the sender's address among 999999 others from 100.64.0.0/10, all
	# different (i * 526539 mod 2^22 is a bijection)
	awk -v src="$A4" -v n="$SET_N" 'BEGIN {
		for (i = 0; i < n - 1; i++) {
			if (i == int(n / 2)) print src
			a = 1681915904 + (i * 526539) % 4194304
			printf "%d.%d.%d.%d\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256
		} }' >"$TMP/set.addrs"
	set_files "$TMP/set"

	sluice_restore() { # TAG
		ctl set destroy "$SET" >/dev/null 2>&1
		timed "$TMP/$1.secs" ctl set restore <"$TMP/set.ipset" >/dev/null 2>"$TMP/$1.progress" ||
			die "sluicectl set restore failed: $(tail -n 3 "$TMP/$1.progress")"
		say "  $1: sluicectl set restore $(cat "$TMP/$1.secs")s"
	}
	ipset_restore() { # TAG
		[ -n "$have_ipset" ] || return 0
		ip netns exec "$NS_RX" ipset destroy "$SET" >/dev/null 2>&1
		if timed "$TMP/$1.secs" ip netns exec "$NS_RX" ipset restore <"$TMP/set.ipset" 2>"$TMP/$1.err"; then
			say "  $1: ipset restore $(cat "$TMP/$1.secs")s"
		else
			say "ipset restore failed, ipset skipped: $(head -n 3 "$TMP/$1.err")"
			have_ipset=""
		fi
	}
	sluice_restore rs.1
	ipset_restore ri.1
	ipset_restore ri.2
	[ -n "$have_ipset" ] && sluice_restore rs.2
	if [ -n "$have_nft" ]; then
		timed "$TMP/nft.secs" ip netns exec "$NS_RX" nft -f "$TMP/set.nft" 2>"$TMP/nft.err" ||
			{ say "nft -f failed, nftables skipped: $(head -n 3 "$TMP/nft.err")"; have_nft=""; }
		[ -n "$have_nft" ] && say "  nft -f $(cat "$TMP/nft.secs")s"
	fi
	ctl -j set list -terse "$SET" >"$TMP/set.json" 2>&1
	s_entries=$(jget '.sets[0].entries' "$TMP/set.json")
	[ "$s_entries" = "$SET_N" ] || die "sluice's set holds ${s_entries:-nothing}, not $SET_N: $(cat "$TMP/set.json")"
	rs=$(avg "$TMP"/rs.?.secs)
	if [ -n "$have_ipset" ]; then
		ip netns exec "$NS_RX" ipset list -terse "$SET" >"$TMP/ipset.list" 2>&1
		i_entries=$(awk -F ': ' '$1 == "Number of entries" { print $2 }' "$TMP/ipset.list")
		[ "$i_entries" = "$SET_N" ] || die "ipset's set holds ${i_entries:-nothing}, not $SET_N: $(cat "$TMP/ipset.list")"
		pair_row "set restore, 1M hash:ip: sluicectl / ipset (s)" "$rs" "$(avg "$TMP"/ri.?.secs)" s "- (lower: faster)"
		imem=$(awk -F ': ' '$1 == "Size in memory" { print $2 }' "$TMP/ipset.list")
		pair_row "  memory, plain: sluice / ipset (as each reports)" "$(jget '.sets[0].memory' "$TMP/set.json")" \
			"$imem" B "<= 2.00x"
		# the same million with counters: the layout with a value per entry
		sed "1s/\$/ counters/; s/^\(create\|add\) $SET /\1 ${SET}_v /" "$TMP/set.ipset" |
			ctl set restore >/dev/null 2>"$TMP/rv.progress" || say "the counters set's restore failed: $(tail -n 2 "$TMP/rv.progress")"
		vmem=$(ctl -j set list -terse "${SET}_v" 2>/dev/null | jq '.sets[0].memory // empty')
		ctl set destroy "${SET}_v" >/dev/null 2>&1
		pair_row "  memory, with counters: sluice / ipset" "$vmem" "$imem" B "info"
	else
		row "set restore, 1M hash:ip: sluicectl / ipset" "$(human "$rs" s)" "-" "skipped" "no ipset/iptables"
	fi
	if [ -n "$have_nft" ]; then
		pair_row "  sluicectl restore / nft -f, 1M-element set (once)" "$rs" "$(cat "$TMP/nft.secs")" s "-"
	fi

	# --- 8. drops: sluice XDP, iptables + ipset, nftables set, on the same traffic
	say "8/8 drop $A4 (in the 1M set) at $IF_RX: sluice XDP, $IPT raw PREROUTING + ipset, nftables prerouting (raw) set, in the order s i n n i s"
	others=$(tracers)
	[ "${others:-0}" -gt 0 ] &&
		say "note: $others sl_drops_kfree program(s) of other sluice instances are attached; every drop below pays for them"

	veth_drops() { ip -n "$NS_TX" -s -j link show "$IF_TX" | jq '.[0].stats64.tx.dropped'; }
	# cpu_counts DP: "CPU COUNT" lines, packets the dropper saw on each CPU:
	# sluice's hook counters, else the kernel's per-CPU receive count
	# (softnet_stat, host-wide: other traffic on the machine adds to it)
	cpu_counts() {
		if [ "$1" = sluice ]; then
			bpftool -j map dump pinned "$PIN/maps/sl_hstat_v1" 2>/dev/null |
				jq -r '[.[].formatted.values[] | [.cpu, .value.packets]] | group_by(.[0])[] |
					"\(.[0][0]) \(map(.[1]) | add)"'
		else
			i=0
			while read -r processed _; do
				echo "$i $((0x$processed))"
				i=$((i + 1))
			done </proc/net/softnet_stat
		fi
	}
	# softirq time of every CPU, in USER_HZ ticks: the dropper's work all
	# runs in softirq (the veth's NAPI or backlog), the sender's does not
	softirq_ticks() { awk '$1 ~ /^cpu[0-9]+$/ { s += $8 } END { print s }' /proc/stat; }
	HZ_USER=$(getconf CLK_TCK)
	cpu_shares() { # BEFORE AFTER (cpu_counts files): "CPU0 97%, CPU1 3%"
		awk 'NR == FNR { b[$1] = $2; next } { d[$1] = $2 - b[$1]; t += d[$1] }
			END { for (c in d) if (t > 0 && d[c] * 100 >= t) s = s sprintf("%sCPU%s %.0f%%", s == "" ? "" : ", ", c, 100 * d[c] / t); print (s == "" ? "?" : s) }' "$1" "$2"
	}

	drop_run() { # DP TAG: TAG.send (sender JSON), TAG.drops, TAG.dpps
		dp_on "$1" || die "cannot put the $1 drop rule in place"
		c0=$(dp_count "$1")
		v0=$(veth_drops)
		cpu_counts "$1" >"$TMP/$2.cpu0"
		t0=$(softirq_ticks)
		send "$TMP/$2.send" --port "$PORT" --size 64
		sleep 0.1       # packets still in a softirq backlog or the veth ring
		t1=$(softirq_ticks)
		c1=$(dp_count "$1")
		v1=$(veth_drops)
		cpu_counts "$1" >"$TMP/$2.cpu1"
		dp_done "$1" "$2" "$c0" "$c1"
		d=$D
		secs=$(jget .seconds "$TMP/$2.send")
		echo "$d" >"$TMP/$2.drops"
		awk -v d="$d" -v s="$secs" 'BEGIN { printf "%.1f\n", (s > 0 ? d / s : 0) }' >"$TMP/$2.dpps"
		awk -v t=$((t1 - t0)) -v hz="$HZ_USER" -v d="$d" 'BEGIN { printf "%.1f\n", (d > 0 ? t * 1e9 / hz / d : 0) }' \
			>"$TMP/$2.sns"
		say "  $2: $1 dropped $d of $(jget .packets "$TMP/$2.send") sent in ${secs}s; the veth dropped $((v1 - v0));" \
			"dropper on $(cpu_shares "$TMP/$2.cpu0" "$TMP/$2.cpu1"); softirq $(cat "$TMP/$2.sns") ns/drop"
	}

	# the other dataplanes' rules can be made here (and are gone again)?
	if [ -n "$have_ipset" ] && ! { dp_on ipt && dp_off ipt; } >"$TMP/ipt.err" 2>&1; then
		say "$IPT cannot match the set, skipped: $(head -n 3 "$TMP/ipt.err")"
		have_ipset=""
	fi
	if [ -n "$have_nft" ] && ! { dp_on nft && dp_off nft; } >"$TMP/nftc.err" 2>&1; then
		say "nft cannot make the drop chain, skipped: $(head -n 3 "$TMP/nftc.err")"
		have_nft=""
	fi
	dps="sluice"
	[ -n "$have_ipset" ] && dps="$dps ipt"
	[ -n "$have_nft" ] && dps="$dps nft"
	for dp in $dps; do drop_run "$dp" "d$dp.1"; done
	for dp in $(echo "$dps" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }'); do drop_run "$dp" "d$dp.2"; done
	daemon_stop

	mode=$(jq -r '.hooks[0].mode // "?"' "$TMP/dsluice.1.rules" 2>/dev/null | tr '[:lower:]' '[:upper:]')
	dp_name() {
		case $1 in
		sluice) echo "sluice $mode" ;;
		ipt) echo "$IPT+ipset" ;;
		nft) echo "nftables set" ;;
		esac
	}
	drop_rows() { # A B GOAL: drops/s and softirq CPU per drop of two dataplanes that ran
		case " $dps " in *" $1 "*) ;; *) return ;; esac
		case " $dps " in *" $2 "*) ;; *) return ;; esac
		pair_row "set drop/s, 1M hash:ip: $(dp_name "$1") / $(dp_name "$2")" \
			"$(avg "$TMP/d$1".?.dpps)" "$(avg "$TMP/d$2".?.dpps)" pps "$3"
		# B / A: how many times less CPU A takes per drop
		pair_row "  softirq CPU per drop: $(dp_name "$2") / $(dp_name "$1")" \
			"$(avg "$TMP/d$2".?.sns)" "$(avg "$TMP/d$1".?.sns)" ns "$3"
	}
	drop_rows sluice ipt ">= 2.00x"
	drop_rows sluice nft "-"
	drop_rows ipt nft "-"
	for dp in $dps; do
		pair_row "  $(dp_name "$dp"): drops/s / sender pps" "$(avg "$TMP/d$dp".?.dpps)" \
			"$(mean .pps "$TMP/d$dp".?.send)" pps "1.00x: kept up"
	done
	[ -z "$have_ipset" ] && row "set drop: $IPT + ipset" "-" "-" "skipped" "no ipset/iptables"
	[ -z "$have_nft" ] && row "set drop: nftables" "-" "-" "skipped" "no nft"
fi

# --- 9. and 10. bridge multicast policy ----------------------------------------------
if want mcast; then
	# --- 9. per-packet cost: BPF_PROG_TEST_RUN of the egress and ingress programs
	say "9/10 bridge multicast policy, per-packet cost, tc BPF_PROG_TEST_RUN (build/bench/mcast_cost)"
	MCOST=$B/bench/mcast_cost
	: >"$TMP/mcost.out"
	if [ -x "$MCOST" ]; then
		"$MCOST" --jobs 1 >"$TMP/mcost.out" 2>"$TMP/mcost.log" ||
			say "mcast_cost failed; its rows are n/a: $(grep -v '^\[====\]' "$TMP/mcost.log" | tail -n 8)"
		sed 's/^/     /' "$TMP/mcost.out" >&2
	fi
	mc_cost() { # CASE [FIELD]: what mcast_cost printed for the case (ns by default);
		# CASE "many": the report with more than one record
		awk -v c="$1" -v k="${2:-ns}" '$1 == "mcast-cost" {
			for (i = 2; i <= NF; i++) { n = v = $i; sub(/=.*/, "", n); sub(/^[^=]*=/, "", v); f[n] = v }
			if (f["case"] == c || (c == "many" && f["prog"] == "ingress" && f["records"] > 1)) print f[k] }' \
			"$TMP/mcost.out"
	}
	if [ -s "$TMP/mcost.out" ]; then
		ll=$(mc_cost egress-linklocal)
		pair_row "mcast egress: registered, member port / link-local (ns/pkt)" "$(mc_cost egress-member)" "$ll" ns \
			"- (passed)"
		pair_row "  registered, non-member port / link-local" "$(mc_cost egress-nonmember)" "$ll" ns "- (suppressed)"
		pair_row "  unregistered, non-router port / link-local" "$(mc_cost egress-unreg)" "$ll" ns "- (suppressed)"
		pair_row "  static router port / link-local" "$(mc_cost egress-router)" "$ll" ns "- (passed)"
		row "  a data frame in (ingress, nothing to snoop)" "$(human "$(mc_cost ingress-data)" ns)" "-" "-" "-"
		one=$(mc_cost ingress-v3-1)
		many=$(mc_cost many)
		nrec=$(mc_cost many records)
		pair_row "mcast snoop: IGMPv3 report, $nrec records / 1 record" "$many" "$one" ns \
			"$(awk -v a="$many" -v b="$one" -v n="$nrec" 'BEGIN {
				if (a > 0 && b > 0 && n > 1) printf "slope %.1f ns per record", (a - b) / (n - 1); else print "-" }')"
		# what the programs add to one frame in 10's bridge: in at the
		# sender's port, out to the member, the router port and h4
		row "  one data frame through 10's bridge (in + 3 out)" "$(awk -v a="$(mc_cost ingress-data)" \
			-v b="$(mc_cost egress-member)" -v c="$(mc_cost egress-router)" -v d="$(mc_cost egress-nonmember)" \
			'BEGIN { if (a > 0 && b > 0 && c > 0 && d > 0) printf "%.0f ns", a + b + c + d; else print "n/a" }')" "-" "-" "-"
	else
		row "mcast policy cost (BPF_PROG_TEST_RUN)" "-" "-" "skipped" \
			"$([ -x "$MCOST" ] && echo "mcast_cost failed" || echo "no $MCOST (make bench builds it)")"
	fi

	# --- 10. multicast through a bridge: sluice policy, flood, kernel snooping
	MC_GROUP=239.1.1.1
	MC_NET=10.204.0         # hosts .1 to .4, the bridge .254
	MC_SW=slb-$ID-msw       # the bridge (br0) and its ports p1..p4
	MC_H1=slb-$ID-mh1       # the sender
	MC_H2=slb-$ID-mh2       # the member
	MC_H3=slb-$ID-mh3       # behind the router port
	MC_H4=slb-$ID-mh4       # joins nothing
	mc_nft=""
	command -v nft >/dev/null 2>&1 && mc_nft=1
	say "10/10 64 B multicast to a joined group through a bridge: sluice policy, flood, kernel snooping (p f k k f p)"
	need_bpffs
	# with mcast_snooping 0 every frame is dropped twice (up br0's stack, and
	# at h4 or by sluice at p4), with the kernel's snooping never
	mc_others=$(tracers)
	[ "${mc_others:-0}" -gt 0 ] &&
		say "note: $mc_others sl_drops_kfree program(s) of other sluice instances are attached; policy and flood pay for them twice per frame, kernel snooping not at all"
	mc_setup() {
		for ns in "$MC_SW" "$MC_H1" "$MC_H2" "$MC_H3" "$MC_H4"; do
			ip netns add "$ns" || return 1
			MC_NS="$MC_NS $ns"
			ip -n "$ns" link set lo up || return 1
			# IPv4 only: no MLD, router or neighbour solicitations in the counters
			ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
		done
		ip -n "$MC_SW" link add br0 type bridge mcast_snooping 0 || return 1
		for h in 1 2 3 4; do
			eval "ns=\$MC_H$h"
			ip -n "$ns" link add eth0 type veth peer name "p$h" netns "$MC_SW" &&
			ip -n "$ns" addr add "$MC_NET.$h/24" dev eth0 &&
			ip -n "$ns" link set eth0 up &&
			ip -n "$ns" route add 224.0.0.0/4 dev eth0 &&
			ip -n "$MC_SW" link set "p$h" master br0 &&
			ip -n "$MC_SW" link set "p$h" up || return 1
		done
		ip -n "$MC_SW" addr add "$MC_NET.254/24" dev br0 &&
		ip -n "$MC_SW" link set br0 up || return 1
		# what reaches h4 (and the member h2) of the group, below its IP stack
		for ns in "$MC_H4" "$MC_H2"; do
			[ -z "$mc_nft" ] || ip netns exec "$ns" nft -f - <<NFT || return 1
table netdev slbench {
	chain in {
		type filter hook ingress device eth0 priority 0;
		ip daddr $MC_GROUP udp dport $PORT counter
	}
}
NFT
		done
	}
	mc_setup || die "cannot set up the multicast bridge's namespaces"

	mc_rx() { ip -n "$1" -s -j link show "$2" | jq '.[0].stats64.rx.packets'; } # NS DEV
	mc_got() { # NS: what that host has received of the group on eth0 (without nft: every frame)
		if [ -n "$mc_nft" ]; then
			ip netns exec "$1" nft -j list chain netdev slbench in |
				jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add // 0'
		else
			mc_rx "$1" eth0
		fi
	}
	mc_h4() { mc_got "$MC_H4"; }
	mc_supp() { # PORT: sluice's suppressed counter there
		ctl -j mcast ports | jq --arg p "$1" --arg n "$MC_SW" \
			'[.[] | select(.port == $p and .netns == $n) | .suppressed] | add // 0'
	}
	mc_ports_on() { # sluice has all four ports, p3 a static router port
		ctl -j mcast ports | jq -e --arg n "$MC_SW" '[.[] | select(.netns == $n)] |
			length == 4 and any(.[]; .port == "p3" and (.router | startswith("on")))'
	}
	mc_joined() { # CONFIG: the bridge has seen h2 join (sluice's groups, the kernel's mdb)
		case $1 in
		policy | fast) ctl -j mcast groups | jq -e --arg g "$MC_GROUP" --arg n "$MC_SW" 'any(.[]; .group == $g and
			.netns == $n and .seconds_left > 0 and
			(.ports | if type == "string" then split(",") else . end | any(.[]; . == "p2")))' ;;
		kernel) ip netns exec "$MC_SW" bridge -j mdb show dev br0 | jq -e --arg g "$MC_GROUP" \
			'any(.. | objects | select(has("grp")); .grp == $g and .port == "p2")' ;;
		esac
	}

	mc_state() { # CONFIG: what the bridge knows, for a failure's message
		case $1 in
		policy | fast) ctl mcast groups 2>&1; ctl mcast ports 2>&1 ;;
		kernel) ip netns exec "$MC_SW" bridge mdb show dev br0 2>&1 ;;
		esac
	}

	MC_CFG=flood            # as made: mcast_snooping 0, no sluice
	mc_config() { # policy | flood | kernel: the bridge in that configuration
		[ "$1" = "$MC_CFG" ] && return 0
		case $MC_CFG in
		policy | fast) ctl mcast bridge br0 netns "$MC_SW" disable >/dev/null || die "sluicectl mcast bridge disable failed" ;;
		kernel) { ip -n "$MC_SW" link set br0 type bridge mcast_snooping 0 &&
			  ip -n "$MC_SW" link set br0 type bridge mcast_querier 0 &&
			  ip -n "$MC_SW" link set p3 type bridge_slave mcast_router 1; } ||
				die "cannot switch the bridge's snooping off" ;;
		esac
		case $1 in
		policy | fast)
			# fast: the fast path (XDP on the ports, devmap broadcast) as well
			{ ctl mcast bridge br0 netns "$MC_SW" enable $([ "$1" = fast ] && echo fast-path on) >/dev/null &&
			  ctl mcast port dev p3 netns "$MC_SW" router on >/dev/null; } ||
				die "sluicectl mcast bridge br0 netns $MC_SW enable failed"
			wait_for 5 mc_ports_on || die "sluice does not show the bridge's 4 ports: $(ctl mcast ports 2>&1)" ;;
		kernel)
			# as tests/netns/test_mcast_bridge.sh: the querier switched on
			# apart from snooping, once it runs (set together, the kernel never
			# counts its own querier as present and floods); until the
			# querier counts (a query response interval, here 1 s, after it
			# is switched on) the kernel floods: 3 s leaves room
			{ ip -n "$MC_SW" link set br0 type bridge mcast_snooping 1 mcast_query_response_interval 100 \
				mcast_startup_query_interval 100 &&
			  ip -n "$MC_SW" link set br0 type bridge mcast_querier 1 &&
			  ip -n "$MC_SW" link set p3 type bridge_slave mcast_router 2; } ||
				die "cannot switch the bridge's snooping on"
			sleep 3 ;;
		esac
		MC_CFG=$1
	}

	# mc_run CONFIG TAG: the member's sink joins, the bridge sees it, h1
	# sends; TAG.send and TAG.sink hold the JSON, TAG.h4 what h4 got
	# mc_sink_join CONFIG TAG: CONFIG on, the member's sink up and joined
	# (the bridge has seen it, but when flooding), h4's count before
	mc_sink_join() {
		mc_config "$1"
		rm -f "$TMP/mc.ready"
		spawn "$TMP/$2.sink" ip netns exec "$MC_H2" taskset -c "$CPU_RX" "$GEN" sink --bind "$MC_GROUP" \
			--port "$PORT" --json --ready-file "$TMP/mc.ready"
		mc_sink=$LAST
		wait_for 5 test -e "$TMP/mc.ready" || die "the member's sink did not join: $(cat "$TMP/$2.sink")"
		[ "$1" = flood ] || wait_for 10 mc_joined "$1" || die "$1: the bridge did not see h2 join $MC_GROUP: $(mc_state "$1")"
		mc_h4_0=$(mc_h4)
	}
	mc_run() {
		mc_sink_join "$1" "$2"
		mc_h3_0=$(mc_rx "$MC_H3" eth0)
		mc_br_0=$(mc_rx "$MC_SW" br0)
		mc_s0=0
		[ "$1" = policy ] && mc_s0=$(mc_supp p4)
		ip netns exec "$MC_H1" "$GEN" send --dst "$MC_GROUP" --port "$PORT" --src "$MC_NET.1" --size 64 \
			--batch 64 --cpu "$CPU_TX" --duration "$DUR" --json >"$TMP/$2.send" 2>"$TMP/$2.err" ||
			die "sluice-gen send to $MC_GROUP: $(cat "$TMP/$2.err")"
		sleep 0.2       # packets still in a softirq backlog or the socket queue
		echo $(($(mc_h4) - mc_h4_0)) >"$TMP/$2.h4"
		mc_h3=$(($(mc_rx "$MC_H3" eth0) - mc_h3_0))
		mc_br=$(($(mc_rx "$MC_SW" br0) - mc_br_0))
		mc_note=""
		[ "$1" = policy ] && mc_note="; sluice suppressed $(($(mc_supp p4) - mc_s0)) at p4"
		stop_pid "$mc_sink" INT
		say "  $2 $1: sent $(jget .packets "$TMP/$2.send") ($(human "$(jget .pps "$TMP/$2.send")" pps))," \
			"member got $(jget .packets "$TMP/$2.sink") ($(human "$(jget .pps "$TMP/$2.sink")" pps)," \
			"$(jget .drops "$TMP/$2.sink") socket drops), router host $mc_h3 frames, non-member" \
			"$(cat "$TMP/$2.h4"), br0 $mc_br$mc_note"
	}

	printf '# bench: bridge multicast only\n' >"$TMP/mcast.conf"
	daemon_start --config "$TMP/mcast.conf"
	mc_run policy mp.1
	mc_run flood mf.1
	mc_run kernel mk.1
	mc_run kernel mk.2
	mc_run flood mf.2
	mc_run policy mp.2
	mc_config flood
	daemon_stop
	[ "$(tracers)" = "${mc_others:-0}" ] ||
		say "note: $(tracers) sl_drops_kfree program(s) of other sluice instances at the end, $mc_others at the start"

	mp=$(mean .pps "$TMP"/mp.?.sink)
	pair_row "mcast 64 B through a bridge, member pps: policy / no policy" "$mp" "$(mean .pps "$TMP"/mf.?.sink)" \
		pps "-"
	pair_row "  member pps: policy / kernel snooping" "$mp" "$(mean .pps "$TMP"/mk.?.sink)" pps ">= 0.90x"
	mps=$(mean .pps "$TMP"/mp.?.send)
	pair_row "  sender pps: policy / no policy" "$mps" "$(mean .pps "$TMP"/mf.?.send)" pps "-"
	mks=$(mean .pps "$TMP"/mk.?.send)
	pair_row "  sender pps: policy / kernel snooping" "$mps" "$mks" pps "-"
	# the sender's CPU runs the whole path: what the policy's bridge costs
	# per frame more than the kernel's (its programs' share: 9's in + 3 out)
	row "  sender time per frame: policy - kernel snooping" "$(awk -v a="$mps" -v b="$mks" \
		'BEGIN { if (a > 0 && b > 0) printf "%.0f ns", 1e9 / a - 1e9 / b; else print "n/a" }')" "-" "-" \
		"vs 9: one frame (in + 3 out)"
	mc_got_row() { # TAG NAME GOAL: what h4 got of what was sent, both runs
		got=$(cat "$TMP/$1".*.h4 | awk '{ s += $1 } END { print s + 0 }')
		sent=$(jq -s 'map(.packets) | add' "$TMP/$1".*.send)
		row "  non-member got / sent$([ -z "$mc_nft" ] && echo " (all frames)"): $2" "$got" "$sent" \
			"$(awk -v a="$got" -v b="$sent" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')" "$3"
	}
	mc_got_row mp "policy" "0"
	mc_got_row mf "no policy" "1.00x (all)"
	mc_got_row mk "kernel snooping" "0"

	# The fast path against the kernel's snooping, h1 sending with
	# sluice-gen xdp (frames made in BPF: the sender is not what limits).
	# Every veth with NAPI (GRO on), so that each takes frames sent to it by
	# XDP, in both configurations: the same bridge, the same devices.
	MC_XRUNS=${SLUICE_BENCH_MCAST_RUNS:-3}
	say "10/10 fast path: 64 B multicast, sluice-gen xdp sender, every veth with GRO on ($MC_XRUNS pairs, x k k x ...)"
	for h in 1 2 3 4; do
		eval "ns=\$MC_H$h"
		ip netns exec "$ns" ethtool -K eth0 gro on >/dev/null &&
			ip netns exec "$MC_SW" ethtool -K "p$h" gro on >/dev/null || die "cannot turn GRO on for h$h/p$h"
	done
	mc_gset() { # the group's own port set is current (its frames take it, not the bridge's)
		ctl -j mcast groups | jq -e --arg g "$MC_GROUP" --arg n "$MC_SW" 'any(.[]; .group == $g and
			.netns == $n and (.fast_set // [] | index("p2")))' >/dev/null
	}
	mc_gcount() { # the group's frames by its own set and by the bridge's, p4's fast path copies
		echo "$(ctl -j mcast groups | jq --arg g "$MC_GROUP" --arg n "$MC_SW" -r \
			'[.[] | select(.group == $g and .netns == $n) | .fast_redirected, .fast_fallback] | join(" ")')" \
			"$(ctl -j mcast ports | jq --arg n "$MC_SW" '[.[] | select(.netns == $n and .port == "p4") | .fast_offered] | add // 0')"
	}
	mc_xrun() { # CONFIG TAG: as mc_run, the sender sluice-gen xdp
		mc_sink_join "$1" "$2"
		mc_g0="0 0 0"
		mc_h2_0=$(mc_got "$MC_H2")
		if [ "$1" = fast ]; then
			wait_for 10 mc_gset || die "fast: no current port set for $MC_GROUP: $(mc_state fast)"
			mc_g0=$(mc_gcount)
		fi
		ip netns exec "$MC_H1" "$GEN" xdp --dev eth0 --src "$MC_NET.1" --dst "$MC_GROUP" --port "$PORT" \
			--size 64 --duration "$DUR" --cpu "$CPU_TX" --json >"$TMP/$2.send" 2>"$TMP/$2.err" ||
			die "sluice-gen xdp to $MC_GROUP: $(cat "$TMP/$2.err")"
		sleep 0.2       # frames still in a veth ring or the socket queue
		echo $(($(mc_h4) - mc_h4_0)) >"$TMP/$2.h4"
		# the member's interface (below its socket, which drops what its
		# CPU cannot read) over the sender's seconds
		jq -n --argjson got $(($(mc_got "$MC_H2") - mc_h2_0)) --slurpfile s "$TMP/$2.send" \
			'{ pps: (if $s[0].seconds > 0 then $got / $s[0].seconds else 0 end), packets: $got }' \
			>"$TMP/$2.h2" || die "member's interface count"
		mc_gnote=""
		if [ "$1" = fast ]; then
			# by its own set, by the bridge's, copies made for p4
			echo "$mc_g0 $(mc_gcount)" | awk '{ print $4 - $1, $5 - $2, $6 - $3 }' >"$TMP/$2.gset"
			mc_gnote="; the group's own set $(cut -d' ' -f1 "$TMP/$2.gset"), the bridge's $(cut -d' ' -f2 "$TMP/$2.gset"), copies for p4 $(cut -d' ' -f3 "$TMP/$2.gset")"
		fi
		stop_pid "$mc_sink" INT
		say "  $2 $1: offered $(jget .packets "$TMP/$2.send") ($(human "$(jget .pps "$TMP/$2.send")" pps))," \
			"member's interface $(jget .packets "$TMP/$2.h2") ($(human "$(jget .pps "$TMP/$2.h2")" pps))," \
			"its socket $(jget .packets "$TMP/$2.sink") ($(human "$(jget .pps "$TMP/$2.sink")" pps)," \
			"$(jget .drops "$TMP/$2.sink") socket drops), non-member $(cat "$TMP/$2.h4")$mc_gnote"
	}
	daemon_start --config "$TMP/mcast.conf"
	# interleaved pairs, each pair's order the other's reverse: a drift in
	# the (shared, noisy) machine's speed hits both alike
	for i in $(seq "$MC_XRUNS"); do
		if [ $((i % 2)) = 1 ]; then
			mc_xrun fast "mx.$i"
			mc_xrun kernel "mkx.$i"
		else
			mc_xrun kernel "mkx.$i"
			mc_xrun fast "mx.$i"
		fi
	done
	mc_config flood
	daemon_stop
	mc_pairs() { # EXT: each pair's fast / kernel ratio of TAG.EXT's pps, one a line
		for i in $(seq "$MC_XRUNS"); do
			echo "$(ratio "$(jget .pps "$TMP/mx.$i.$1")" "$(jget .pps "$TMP/mkx.$i.$1")" | tr -d x)"
		done
	}
	mc_med() { # the median of the numbers on standard input, and their range: "M (lo-hi)"
		sort -g | awk '{ v[NR] = $1 } END { if (!NR) { print "n/a"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2fx (%.2f-%.2f, %d pairs)", m, v[1], v[NR], NR }'
	}
	mc_medpps() { # TAG EXT: the median pps over TAG's runs
		for f in "$TMP/$1".*."$2"; do jget .pps "$f"; done | sort -g |
			awk '{ v[NR] = $1 } END { if (NR) print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
	}
	# Both drop at the member's socket (more is offered than its CPU takes):
	# the member's interface counter is the path's figure. What limits the
	# fast path: p1's NAPI makes a full copy of the frame for each port of
	# the group's set but one (members and router ports only: the
	# non-member gets no copy while the set is current), each copy's devmap
	# program decides again (the safety net), and every receiving veth
	# turns XDP frames back into skbs; the sender, the ports' NAPI and the
	# sink share the machine's CPUs.
	row "  member pps at its interface, fast path / kernel snooping: median of the pairs' ratios (range) (limit: the sending CPU's softirq: p1's NAPI, a copy per member and router port, each veth turning it back into an skb)" \
		"$(human "$(mc_medpps mx h2)" pps)" "$(human "$(mc_medpps mkx h2)" pps)" \
		"$(mc_pairs h2 | mc_med)" ">= 1.20x"
	row "  member pps at its socket, fast path / kernel snooping (limit: the member's CPU reading, socket drops in both)" \
		"$(human "$(mc_medpps mx sink)" pps)" "$(human "$(mc_medpps mkx sink)" pps)" \
		"$(mc_pairs sink | mc_med)" "-"
	row "  fast path: the group's frames by its own port set / by the bridge's (limit: none, a count)" \
		"$(cat "$TMP"/mx.*.gset | awk '{ s += $1 } END { print s + 0 }')" \
		"$(cat "$TMP"/mx.*.gset | awk '{ s += $2 } END { print s + 0 }')" "-" "all by its own"
	row "  fast path: copies made for the non-member p4 (its devmap program's decisions)" \
		"$(cat "$TMP"/mx.*.gset | awk '{ s += $3 } END { print s + 0 }')" "-" "-" "0"
	pair_row "  sender offered pps, fast path / kernel snooping, means (limit: the sending CPU runs the whole path in its softirq)" \
		"$(mean .pps "$TMP"/mx.*.send)" "$(mean .pps "$TMP"/mkx.*.send)" pps "-"
	mc_got_row mx "fast path" "0"
	mc_got_row mkx "kernel snooping, xdp sender" "0"
fi

if want tcp; then
	command -v iperf3 >/dev/null 2>&1 || die "missing iperf3"
	PY=/usr/bin/python3
	need_bpffs
	# --- 11. sockops cost per connection -----------------------------------------------
	say "11/12 TCP connections/s: sluice's sockops program on / off"
	tcp_cps() { # TAG: connections/s for DUR seconds into TMP/TAG
		rm -f "$TMP/cps.ready"
		spawn "$TMP/cps.srv" ip netns exec "$NS_RX" taskset -c "$CPU_RX" $PY -c '
import socket, sys
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((sys.argv[1], 5400)); ls.listen(1024)
open(sys.argv[2], "w").write("ready\n")
while True:
    c, _ = ls.accept(); c.close()' "$B4" "$TMP/cps.ready"
		srv=$LAST
		wait_for 5 test -e "$TMP/cps.ready" || die "cps server: $(cat "$TMP/cps.srv")"
		ip netns exec "$NS_TX" taskset -c "$CPU_TX" $PY -c '
import socket, struct, sys, time
end = time.monotonic() + float(sys.argv[2]); n = 0; t0 = time.monotonic()
while time.monotonic() < end:
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect((sys.argv[1], 5400)); s.close(); n += 1
print("%.1f" % (n / (time.monotonic() - t0)))' "$B4" "$DUR" >"$TMP/$1" || die "cps client"
		stop_pid "$srv"
	}
	daemon_start
	tcp_rules() { # add|del INITCWND INITRWND: a rule for each namespace, so both ends of a connection
		ctl tcp "$1" netns "$NS_TX" initcwnd "$2" initrwnd "$3" >/dev/null &&
		ctl tcp "$1" netns "$NS_RX" initcwnd "$2" initrwnd "$3" >/dev/null || die "tcp $1: $(cat "$TMP/sluiced.log")"
	}
	tcp_rules add 10 10; tcp_cps cps_on.1
	tcp_rules del 10 10; tcp_cps cps_off.1
	tcp_cps cps_off.2
	tcp_rules add 10 10; tcp_cps cps_on.2
	tcp_rules del 10 10
	pair_row "TCP connections/s: sockops rules / no program" "$(avg "$TMP"/cps_on.?)" "$(avg "$TMP"/cps_off.?)" \
		"conn/s" ">= 0.95x"

	# --- 12. the BPF congestion control's bulk throughput ---------------------------------
	say "12/12 bulk TCP: sluice_reno (BPF, struct_ops) / the kernel's reno / cubic, A B C C B A twice"
	# a rule that names it registers it; its prefix matches no connection
	ctl tcp add netns "$NS_TX" dst 192.0.2.1/32 cc sluice_reno >/dev/null || die "tcp add cc sluice_reno: $(cat "$TMP/sluiced.log")"
	tx_dsack_segs() { # segments the receiver reported back as duplicates (D-SACK): spurious retransmissions
		ip netns exec "$NS_TX" nstat -asz TcpExtTCPDSACKRecvSegs | awk '$1 == "TcpExtTCPDSACKRecvSegs" { print $2 }'
	}
	tcp_bulk() { # TAG CC: TAG.bps, TAG.retr (segments retransmitted), TAG.dsack (of them spurious),
		# TAG.cwnd (median snd_cwnd of the seconds, bytes)
		rm -f "$TMP/$1.json"
		dsack0=$(tx_dsack_segs)
		spawn "$TMP/$1.srv" ip netns exec "$NS_RX" taskset -c "$CPU_RX" iperf3 -s -1 -B "$B4" -p "$IPERF_PORT" -J
		srv=$LAST
		wait_for 5 sh -c "ip netns exec '$NS_RX' ss -Hltn 'sport = :$IPERF_PORT' | grep -q ." ||
			die "iperf3 -s did not listen"
		ip netns exec "$NS_TX" taskset -c "$CPU_TX" iperf3 -c "$B4" -p "$IPERF_PORT" -C "$2" -t "$DUR" -J \
			>"$TMP/$1.json" 2>&1 || die "iperf3 -C $2: $(tail -n 3 "$TMP/$1.json")"
		stop_pid "$srv"
		jq -r '.end.sum_received.bits_per_second' "$TMP/$1.json" >"$TMP/$1.bps"
		jq -r '.end.sum_sent.retransmits' "$TMP/$1.json" >"$TMP/$1.retr"
		echo $(($(tx_dsack_segs) - dsack0)) >"$TMP/$1.dsack"
		jq -r '[.intervals[].streams[0].snd_cwnd] | sort | .[length / 2 | floor]' "$TMP/$1.json" >"$TMP/$1.cwnd"
		say "  $1: $(jq -r '.end.sender_tcp_congestion' "$TMP/$1.json") $(human "$(cat "$TMP/$1.bps")" bit/s)," \
			"$(cat "$TMP/$1.retr") retransmitted ($(cat "$TMP/$1.dsack") D-SACKed), cwnd $(human "$(cat "$TMP/$1.cwnd")" B) (median of the seconds)"
	}
	# The spread between runs of one algorithm (the CPU is the limit, and other load takes it) is
	# wider than the differences, and drifts: three algorithms interleaved, each run next to the
	# others. The kernel's own reno separates the BPF implementation from the algorithm.
	say "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	k=0
	for cc in sluice_reno reno cubic cubic reno sluice_reno sluice_reno reno cubic cubic reno sluice_reno; do
		k=$((k + 1))
		tcp_bulk "bulk-$cc.$k" "$cc"
	done
	say "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	pair_row "bulk TCP over veth: sluice_reno (BPF) / cubic (limit: the CPU both ends share)" \
		"$(avg "$TMP"/bulk-sluice_reno.*.bps)" "$(avg "$TMP"/bulk-cubic.*.bps)" "bit/s" ">= 0.95x"
	pair_row "  the same: sluice_reno / the kernel's reno (the BPF implementation's share)" \
		"$(avg "$TMP"/bulk-sluice_reno.*.bps)" "$(avg "$TMP"/bulk-reno.*.bps)" "bit/s" ">= 0.95x"
	pair_row "  the same: the kernel's reno / cubic (the algorithm's share)" \
		"$(avg "$TMP"/bulk-reno.*.bps)" "$(avg "$TMP"/bulk-cubic.*.bps)" "bit/s" "-"
	pair_row "  cwnd (each run's median), sluice_reno / cubic (after reordering's spurious losses, Reno regrows a segment per RTT, CUBIC by the clock)" \
		"$(avg "$TMP"/bulk-sluice_reno.*.cwnd)" "$(avg "$TMP"/bulk-cubic.*.cwnd)" B "-"
	spurious() { # CC: the share of its retransmissions the receiver reported as duplicates
		awk -v r="$(cat "$TMP"/bulk-"$1".*.retr | awk '{ s += $1 } END { print s }')" \
			-v d="$(cat "$TMP"/bulk-"$1".*.dsack | awk '{ s += $1 } END { print s }')" \
			'BEGIN { if (r > 0) printf "%.0f%%", 100 * d / r; else print "-" }'
	}
	pair_row "  segments retransmitted per run, sluice_reno / cubic (D-SACKed as spurious: $(spurious sluice_reno) / $(spurious cubic): reordering between the CPUs' backlogs)" \
		"$(avg "$TMP"/bulk-sluice_reno.*.retr)" "$(avg "$TMP"/bulk-cubic.*.retr)" "" "-"

	# --- 12b. round trips to deliver a response: IW3/rwnd 3 vs IW10/rwnd 10 --------------
	say "12b round trips for a response over a ${RTT_MS} ms delay line: IW3/rwnd 3 (4 kB) / IW10/rwnd 10 (15 kB)"
	for t in iptables tcpdump "$DELAY"; do command -v "$t" >/dev/null 2>&1 || die "missing $t (make bench builds sl-delay)"; done
	# what the client sends to the response's port waits RTT_MS in its
	# namespace's netfilter queue: the SYN, then every ACK
	spawn "$TMP/delay.out" ip netns exec "$NS_TX" "$DELAY" "$RTT_QUEUE" "$RTT_MS"
	delay_pid=$LAST
	wait_for 5 grep -q '^ready' "$TMP/delay.out" || die "sl-delay: $(cat "$TMP/delay.out")"
	ip netns exec "$NS_TX" iptables -A OUTPUT -p tcp -d "$B4" --dport "$RTT_PORT" -j NFQUEUE --queue-num "$RTT_QUEUE" ||
		die "iptables NFQUEUE"
	tcp_rounds() { # TAG SIZE: the server sends SIZE bytes at accept; TAG holds "ROUNDS BYTES-PER-ROUND..."
		rm -f "$TMP/rt.ready"
		spawn "$TMP/$1.cap" ip netns exec "$NS_RX" tcpdump -i "$IF_RX" -n -l --immediate-mode "tcp port $RTT_PORT"
		cap=$LAST
		wait_for 5 grep -q 'listening on' "$TMP/$1.cap" || die "tcpdump: $(cat "$TMP/$1.cap")"
		spawn "$TMP/$1.srv" ip netns exec "$NS_RX" $PY "$HERE/../netns/tcp_probe.py" bulk-serve "$B4" "$RTT_PORT" \
			"$TMP/rt.ready" "$2"
		srv=$LAST
		wait_for 5 test -s "$TMP/rt.ready" || die "tcp_probe bulk-serve: $(cat "$TMP/$1.srv")"
		ip netns exec "$NS_TX" $PY "$HERE/../netns/tcp_probe.py" bulk-recv "$B4" "$RTT_PORT" >"$TMP/$1.cli" ||
			die "tcp_probe bulk-recv: $(cat "$TMP/$1.cli")"
		wait_for 10 grep -q "^bytes=$2\$" "$TMP/$1.cli" || die "$1: the client read $(cat "$TMP/$1.cli"), not $2 bytes"
		stop_pid "$srv"
		wait_for 10 grep -q "$B4\.$RTT_PORT > .*Flags \[F" "$TMP/$1.cap" || die "$1: no FIN from the server in the capture"
		stop_pid "$cap" INT
		# A round begins with the first data segment the server sends after an
		# ACK of the previous round's first segment (the ACK clock, so pacing
		# that spreads a round out does not split it); tcpdump's sequence
		# numbers are relative to the connection's
		awk -v srv="$B4.$RTT_PORT" -v cli="$A4." '
			$3 == srv && match($0, / seq [0-9]+:[0-9]+/) {
				split(substr($0, RSTART + 5, RLENGTH - 5), q, ":")
				if (!n || ack_seen) { n++; first_end = q[2]; ack_seen = 0 }
				b[n] += q[2] - q[1]
			}
			index($3, cli) == 1 && match($0, / ack [0-9]+/) && n && substr($0, RSTART + 5, RLENGTH - 5) + 0 >= first_end { ack_seen = 1 }
			END { printf "%d", n; for (i = 1; i <= n; i++) printf " %d", b[i]; print "" }' "$TMP/$1.cap" >"$TMP/$1.rounds"
		say "  $1: $(cut -d' ' -f1 "$TMP/$1.rounds") rounds, bytes per round: $(cut -d' ' -f2- "$TMP/$1.rounds")"
	}
	for size in $RTT_SIZES; do
		tcp_rules add 3 3; tcp_rounds "iw3.$size.1" "$size"; tcp_rules del 3 3
		tcp_rules add 10 10; tcp_rounds "iw10.$size.1" "$size"; tcp_rounds "iw10.$size.2" "$size"; tcp_rules del 10 10
		tcp_rules add 3 3; tcp_rounds "iw3.$size.2" "$size"; tcp_rules del 3 3
		# the rounds are counts: both runs of a pair must agree (else a loss or a
		# retransmission made one)
		for iw in 3 10; do
			[ "$(cut -d' ' -f1 "$TMP/iw$iw.$size.1.rounds")" = "$(cut -d' ' -f1 "$TMP/iw$iw.$size.2.rounds")" ] ||
				say "  IW$iw, $size B: the two runs disagree"
		done
		row "round trips to deliver $size B over a ${RTT_MS} ms RTT: IW3/rwnd 3 / IW10/rwnd 10" \
			"$(cut -d' ' -f1 "$TMP/iw3.$size.1.rounds")" "$(cut -d' ' -f1 "$TMP/iw10.$size.1.rounds")" \
			"$(ratio "$(cut -d' ' -f1 "$TMP/iw3.$size.1.rounds")" "$(cut -d' ' -f1 "$TMP/iw10.$size.1.rounds")")" \
			"limit: the RTT; B per round $(cut -d' ' -f2- "$TMP/iw3.$size.1.rounds" | tr ' ' +) / $(cut -d' ' -f2- "$TMP/iw10.$size.1.rounds" | tr ' ' +)"
	done
	ip netns exec "$NS_TX" iptables -D OUTPUT -p tcp -d "$B4" --dport "$RTT_PORT" -j NFQUEUE --queue-num "$RTT_QUEUE"
	stop_pid "$delay_pid"
	say "  sl-delay: $(grep packets= "$TMP/delay.out")"
	daemon_stop
fi

if want xps; then
	command -v iperf3 >/dev/null 2>&1 || die "missing iperf3"
	need_bpffs
	# --- 13. the steering program's cost per packet --------------------------------------
	say "13/14 steering program cost: 1,000 rules / 1 rule (BPF_PROG_TEST_RUN)"
	[ -x "$B/tests/bpf/test_xps_progs" ] || die "$B/tests/bpf/test_xps_progs is not built (make bench builds it)"
	SLUICE_FIXTURE_REPEAT=200000 "$B/tests/bpf/test_xps_progs" --jobs 1 >"$TMP/xps_cost" 2>&1 ||
		die "test_xps_progs: $(tail -n 5 "$TMP/xps_cost")"
	xps_ns() { sed -n "s/^fixture-perf .*ns_per_pkt=\([0-9]*\) .*row=\"$1\"\$/\1/p" "$TMP/xps_cost" | head -n 1; }
	row "steering cost: the last of 1,000 rules / one rule" "$(xps_ns 'the last of 1,000 rules (mark 1000)') ns" \
		"$(xps_ns 'all: UDP\/IPv4 to queue 2') ns" \
		"$(ratio "$(xps_ns 'the last of 1,000 rules (mark 1000)')" "$(xps_ns 'all: UDP\/IPv4 to queue 2')")" "-"
	row "steering cost: a match-set rule (hash:ip, dst) / one all rule" \
		"$(xps_ns 'match-set near dst: UDP\/IPv4 to 198.51.100.2 to queue 2') ns" "$(xps_ns 'all: UDP\/IPv4 to queue 2') ns" \
		"$(ratio "$(xps_ns 'match-set near dst: UDP\/IPv4 to 198.51.100.2 to queue 2')" "$(xps_ns 'all: UDP\/IPv4 to queue 2')")" "-"

	# --- 14. multi-flow throughput over 4 queues, steered / not ----------------------------
	say "14/14 iperf3 -P 4 over a 4-queue veth: steering rules / none"
	ip -n "$NS_TX" link add "$IF_TX-q" numtxqueues 4 numrxqueues 4 type veth peer name "$IF_RX-q" netns "$NS_RX" \
		numtxqueues 4 numrxqueues 4 || die "4-queue veth"
	ip -n "$NS_TX" addr add 10.204.0.1/24 dev "$IF_TX-q" && ip -n "$NS_RX" addr add 10.204.0.2/24 dev "$IF_RX-q" &&
		ip -n "$NS_TX" link set "$IF_TX-q" up && ip -n "$NS_RX" link set "$IF_RX-q" up || die "4-queue veth up"
	daemon_start
	xps_bulk() { # TAG
		spawn "$TMP/$1.srv" ip netns exec "$NS_RX" iperf3 -s -1 -B 10.204.0.2 -p "$IPERF_PORT" -J
		srv=$LAST
		wait_for 5 sh -c "ip netns exec '$NS_RX' ss -Hltn 'sport = :$IPERF_PORT' | grep -q ." ||
			die "iperf3 -s did not listen"
		ip netns exec "$NS_TX" iperf3 -c 10.204.0.2 -p "$IPERF_PORT" -P 4 -t "$DUR" -J >"$TMP/$1.json" 2>&1 ||
			die "iperf3 -P 4: $(tail -n 3 "$TMP/$1.json")"
		stop_pid "$srv"
		jq -r '.end.sum_received.bits_per_second' "$TMP/$1.json" >"$TMP/$1.bps"
	}
	xps_rules() { # add|del
		ctl xps "$1" dev "$IF_TX-q" netns "$NS_TX" cpu 0 queue 0 >/dev/null &&
		ctl xps "$1" dev "$IF_TX-q" netns "$NS_TX" cpu 1 queue 1 >/dev/null || die "xps $1: $(cat "$TMP/sluiced.log")"
	}
	xps_rules add; xps_bulk steer.1
	xps_rules del; xps_bulk plain.1
	xps_bulk plain.2
	xps_rules add; xps_bulk steer.2
	xps_rules del
	pair_row "iperf3 -P 4, 4-queue veth: steered / not" "$(avg "$TMP"/steer.?.bps)" "$(avg "$TMP"/plain.?.bps)" \
		"bit/s" ">= 0.97x"
	daemon_stop
fi

if want send; then
	command -v nft >/dev/null 2>&1 || die "missing nft"
	need_bpffs
	# --- 16. per-message policy on sendmmsg batches ------------------------------------
	say "16/17 sendmmsg(64) to the port-less bridge: 100 send rules / none / 100 nft OUTPUT rules"
	{
		for i in $(seq 1 99); do echo "send add netns $NS_TX prio $i dst 10.210.$i.0/24 action deny"; done
		echo "send add netns $NS_TX prio 100 dst $DUMMY_NET.0/24 action allow"
	} >"$TMP/send.conf"
	echo "send add netns $NS_TX dst $DUMMY_NET.0/24 action allow" >"$TMP/send1.conf"
	{
		echo "add table ip slb"
		echo "add chain ip slb out { type filter hook output priority 0; }"
		for i in $(seq 1 99); do echo "add rule ip slb out ip daddr 10.210.$i.0/24 drop"; done
		echo "add rule ip slb out ip daddr $DUMMY_NET.0/24 accept"
	} >"$TMP/send.nft"
	bridge_send() { # TAG: sendmmsg(64) of 64 B to the bridge's static neighbour
		DST=$DUMMY_NET.2
		send "$TMP/$1.send" --port "$PORT" --batch 64 --size 64
		DST=
	}
	# an empty sendmsg hook (no sluice) at the same cgroup: what any policy pays
	CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	floor_send() { # TAG
		mkdir -p "$FLOOR_PIN" && "$B/tests/tools/sl-hook-floor" "$CG2" "$FLOOR_PIN" ||
			die "sl-hook-floor $CG2 (make bench builds it)"
		bridge_send "$1"
		rm -rf "$FLOOR_PIN"
	}
	# Rounds of every configuration, the order reversed each round, so a drift
	# in the machine's speed hits them alike; each ratio is taken inside a
	# round and the row shows the rounds' median and range. pps_per_cpu (the
	# sender thread's own CPU time) is what is compared: on this send-only
	# path the whole stack runs in the sender's system calls, so other load
	# taking the CPU away for part of a run does not count against it.
	send_run() { # CONFIG TAG
		tracers >"$TMP/$2.tracers"
		case $1 in
		none) bridge_send "$2" ;;
		floor) floor_send "$2" ;;
		one | pol)
			daemon_start --config "$TMP/$([ "$1" = one ] && echo send1 || echo send).conf"
			bridge_send "$2"
			[ "$1" = pol ] && ctl -j send list | jq '.[-1].messages' >"$TMP/$2.counted"
			daemon_stop ;;
		nft)
			ip netns exec "$NS_TX" nft -f "$TMP/send.nft" || die "nft -f send.nft"
			bridge_send "$2"
			ip netns exec "$NS_TX" nft delete table ip slb || die "nft delete table" ;;
		esac
	}
	SEND_CONFIGS="none floor one pol nft"
	SEND_REV="nft pol one floor none"
	r=1
	while [ "$r" -le "$SEND_ROUNDS" ]; do
		order=$SEND_CONFIGS
		[ $((r % 2)) = 0 ] && order=$SEND_REV
		for c in $order; do send_run "$c" "$c.$r"; done
		r=$((r + 1))
	done
	# round_row NAME FILTER A B UNIT GOAL: per-round A/B, their median and range
	round_row() {
		rr_ratios=$(r=1; while [ "$r" -le "$SEND_ROUNDS" ]; do
			printf '%s %s\n' "$(jget "$2" "$TMP/$3.$r.send")" "$(jget "$2" "$TMP/$4.$r.send")"
			r=$((r + 1)); done |
			awk '$1 + 0 > 0 && $2 + 0 > 0 { printf "%.4f\n", $1 / $2 }' | sort -n)
		rr_med=$(printf '%s\n' "$rr_ratios" | awk 'NF { v[n++] = $1 } END {
			if (!n) { print "n/a"; exit }
			printf "%.2fx (%.2f-%.2f, %d rounds)", n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0], v[n - 1], n }')
		row "$1" "$(human "$(mean "$2" "$TMP"/$3.*.send)" "$5")" "$(human "$(mean "$2" "$TMP"/$4.*.send)" "$5")" \
			"$rr_med" "$6"
	}
	round_row "sendmmsg(64), 100 send rules / no policy (per sender CPU s)" .pps_per_cpu pol none pps ">= 0.90x"
	round_row "  the same, wall-clock pps" .pps pol none pps "-"
	round_row "sendmmsg(64), 1 send rule / no policy" .pps_per_cpu one none pps "-"
	round_row "sendmmsg(64), empty sendmsg hook (the floor) / no policy" .pps_per_cpu floor none pps "-"
	round_row "sendmmsg(64), 100 send rules / empty sendmsg hook" .pps_per_cpu pol floor pps "-"
	round_row "sendmmsg(64), 100 send rules / 100 nft OUTPUT rules" .pps_per_cpu pol nft pps "-"
	counted=$(cat "$TMP/pol.$SEND_ROUNDS.counted")
	sent=$(jget .packets "$TMP/pol.$SEND_ROUNDS.send")
	row "    the last rule's count vs sent" "$counted" "$sent" "$([ "$counted" = "$sent" ] && echo exact || echo MISMATCH)" "exact"
	# every message ends in a kfree_skb at the port-less bridge: another
	# instance's drop tracing adds its cost to every configuration alike,
	# which pulls the ratios toward 1
	tainted=$(cat "$TMP"/*.tracers | awk '$1 > 0 { n++ } END { print n + 0 }')
	row "    runs with other instances' drop tracing attached" "$tainted" "$((SEND_ROUNDS * 5))" "-" "0 (else the ratios lean to 1)"

	# --- 17. the sink: recvmmsg with UDP_GRO / recvmsg without ---------------------------
	say "17/17 sink over veth, sender --gso 1400 --size 14000: recvmmsg + UDP_GRO / recvmsg"
	for t in gro.1 plain.1 plain.2 gro.2; do
		case $t in gro.*) sink_start "$TMP/$t.sink" ;; *) sink_start "$TMP/$t.sink" --batch 1 --no-gro ;; esac
		send "$TMP/$t.send" --port "$PORT" --gso 1400 --size 14000
		sink_stop
	done
	pair_row "sink recvmmsg + UDP_GRO / recvmsg, GSO sender (datagrams/s)" \
		"$(mean .pps "$TMP"/gro.?.sink)" "$(mean .pps "$TMP"/plain.?.sink)" pps "-"
	pair_row "  the sender meanwhile (GRO sink / recvmsg sink)" \
		"$(mean .pps "$TMP"/gro.?.send)" "$(mean .pps "$TMP"/plain.?.send)" pps "-"
fi

# --- 18. and 19. SCTP association tracking -------------------------------------------
if want sctp; then
	# --- 18. per-packet cost: BPF_PROG_TEST_RUN, 1 / 10,000 associations
	say "18/19 SCTP tracking cost of a DATA packet, XDP and tc BPF_PROG_TEST_RUN (build/bench/sctp_cost)"
	SCOST=$B/bench/sctp_cost
	: >"$TMP/scost.out"
	if [ -x "$SCOST" ]; then
		"$SCOST" --jobs 1 >"$TMP/scost.out" 2>"$TMP/scost.log" ||
			say "sctp_cost failed; its rows are n/a: $(grep -v '^\[====\]' "$TMP/scost.log" | tail -n 8)"
		sed 's/^/     /' "$TMP/scost.out" >&2
	fi
	sctp_ns() { kv "$TMP/scost.out" sctp-cost ns "prog=$1" "assocs=$2" "dir=$3"; } # PROG ASSOCS DIR
	if [ -s "$TMP/scost.out" ]; then
		many=$(kv "$TMP/scost.out" sctp-cost assocs prog=xdp dir=to-z | sort -n | tail -n 1)
		for p in xdp tc; do
			pair_row "sctp tracking, $p: DATA to Z, $many / 1 association (ns/pkt)" "$(sctp_ns $p "$many" to-z)" \
				"$(sctp_ns $p 1 to-z)" ns "~1.00x (+-10%)"
			pair_row "  $p: DATA to A, $many / 1 association" "$(sctp_ns $p "$many" to-a)" "$(sctp_ns $p 1 to-a)" ns \
				"~1.00x (+-10%)"
		done
		pair_row "  to Z (index, then record) / to A (record), xdp, $many" "$(sctp_ns xdp "$many" to-z)" \
			"$(sctp_ns xdp "$many" to-a)" ns "-"
	else
		row "sctp tracking cost (BPF_PROG_TEST_RUN)" "-" "-" "skipped" \
			"$([ -x "$SCOST" ] && echo "sctp_cost failed" || echo "no $SCOST (make bench builds it)")"
	fi

	# --- 19. SCTP DATA through a tracked device / untracked
	PEER=$B/tests/tools/sctp-peer
	[ -x "$PEER" ] || die "$PEER is not built (make bench builds it)"
	SCTP_SIZE=1000          # one DATA chunk a packet at MTU 1500
	say "19/19 SCTP DATA of $SCTP_SIZE B over the veth (sctp-peer, libusrsctp): sctp track on $IF_RX / none / sctp policy"
	need_bpffs
	{ echo "# bench: sctp"
	  echo "set create clients hash:ip"
	  echo "set add clients $A4"; } >"$TMP/sctp.conf"
	daemon_start --config "$TMP/sctp.conf"
	TICK=$(getconf CLK_TCK)
	# with_cpu OUT command...: run it; the CPU seconds it took (all its
	# threads, once reaped) into OUT
	with_cpu() {
		wc_out=$1
		shift
		sh -c 'o=$1 t=$2; shift 2; "$@"; r=$?
			awk -v t="$t" "{ printf \"%.3f\\n\", (\$16 + \$17) / t }" /proc/$$/stat >"$o"; exit $r' \
			sh "$wc_out" "$TICK" "$@"
	}
	cpu_of() { awk -v t="$TICK" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$1/stat"; } # PID: its CPU seconds
	rx_packets() { ip -n "$NS_RX" -s -j link show "$IF_RX" | jq '.[0].stats64.rx.packets'; }
	sctp_counters() { # the receiver namespace's sctp counters, as a JSON object
		ctl -j status | jq -c --arg ns "$NS_RX" \
			'[.features[] | select(.name == "sctp") | .zones[] | select(.netns == $ns) | .counters][0] // {}'
	}
	# sctp_stream TAG: the client streams for DUR seconds, the server
	# counts; TAG.srv (its JSON line), TAG.cli, TAG.rx (the veth's rx
	# packets), TAG.scpu and TAG.ccpu (CPU seconds of each)
	sctp_stream() {
		# --hold: the server stays, its CPU time readable, once it has reported
		spawn "$TMP/$1.srvout" ip netns exec "$NS_RX" taskset -c "$CPU_RX" \
			"$PEER" server --port 7000 --bind "$B4" --count 0 --hold
		srv=$LAST
		wait_for 10 grep -q listening "$TMP/$1.srvout" || die "sctp-peer server: $(cat "$TMP/$1.srvout")"
		rx0=$(rx_packets)
		with_cpu "$TMP/$1.ccpu" ip netns exec "$NS_TX" taskset -c "$CPU_TX" "$PEER" client --port 7000 \
			--bind "$A4" --peer "$B4" --duration "$DUR" --size "$SCTP_SIZE" >"$TMP/$1.cli" 2>"$TMP/$1.cli.err" ||
			die "sctp-peer client: $(cat "$TMP/$1.cli.err")"
		wait_for 10 grep -q '^{' "$TMP/$1.srvout" || die "the sctp-peer server did not report: $(cat "$TMP/$1.srvout")"
		cpu_of "$srv" >"$TMP/$1.scpu"
		stop_pid "$srv"
		echo $(($(rx_packets) - rx0)) >"$TMP/$1.rx"
		grep '^{' "$TMP/$1.srvout" >"$TMP/$1.srv"
		say "  $1: $(jget .messages "$TMP/$1.srv") messages in $(jget .seconds "$TMP/$1.srv")s at the server," \
			"$(cat "$TMP/$1.rx") packets in; CPU s: client $(cat "$TMP/$1.ccpu"), server $(cat "$TMP/$1.scpu")"
	}
	DEV="dev $IF_RX netns $NS_RX"
	XPASS=$B/bpf/xdp_pass.bpf.o
	[ -f "$XPASS" ] || die "$XPASS is not built (make bench builds it)"
	sctp_on() { # trk | pol | xp
		case $1 in
		xp) ip -n "$NS_RX" link set "$IF_RX" xdpdrv obj "$XPASS" sec xdp || die "XDP_PASS on $IF_RX" ;;
		*) ctl sctp track $DEV >/dev/null || die "sctp track: $(tail -n 3 "$TMP/sluiced.log")" ;;
		esac
		[ "$1" = pol ] && { ctl sctp policy $DEV allow-set clients >/dev/null || die "sctp policy"; }
		return 0
	}
	sctp_off() { # trk | pol | xp
		case $1 in
		xp) ip -n "$NS_RX" link set "$IF_RX" xdpdrv off || die "XDP_PASS off $IF_RX" ;;
		*) c1=$(sctp_counters); ctl sctp untrack $DEV >/dev/null || die "sctp untrack" ;;
		esac
	}
	for t in trk.1 none.1 pol.1 xp.1 xp.2 pol.2 none.2 trk.2; do
		v=${t%.*}
		[ "$v" = none ] || sctp_on "$v"
		sctp_stream "sc$t"
		[ "$v" = none ] || sctp_off "$v"
	done
	daemon_stop
	c_seen=$(echo "$c1" | jq '.packets // 0')
	c_tracked=$(echo "$c1" | jq '.tracked // 0')
	c_dropped=$(echo "$c1" | jq '[to_entries[] | select(.key | startswith("drop_")) | .value] | add // 0')
	say "  sctp counters in $NS_RX after the last tracked run: $c1"
	msgs() { mean '.messages / .seconds' "$@"; }
	# what limits the stream: the busier endpoint, by its CPU seconds over the run's
	limit() { # TAG...: "client 99%" or "server 60%"
		for t in "$@"; do
			echo "$(cat "$TMP/$t.ccpu") $(cat "$TMP/$t.scpu") $(jget .seconds "$TMP/$t.cli")"
		done | awk '{ c += $1; s += $2; d += $3 } END {
			if (d <= 0) { print "?"; exit }
			if (c >= s) printf "client CPU %.0f%%", 100 * c / d; else printf "server CPU %.0f%%", 100 * s / d }'
	}
	pair_row "SCTP DATA $SCTP_SIZE B at the receiver: sctp track / none (msg/s)" "$(msgs "$TMP"/sctrk.?.srv)" \
		"$(msgs "$TMP"/scnone.?.srv)" msg/s ">= 0.90x; limit: $(limit sctrk.1 sctrk.2) (libusrsctp)"
	pair_row "  sctp policy (allow-set) / none" "$(msgs "$TMP"/scpol.?.srv)" "$(msgs "$TMP"/scnone.?.srv)" msg/s \
		">= 0.90x; limit: $(limit scpol.1 scpol.2)"
	# native XDP on a veth takes every packet through its NAPI and a page
	# copy (a local socket's skb has less headroom than XDP's): not sluice's
	pair_row "  an XDP_PASS program alone (the veth's XDP path) / none" "$(msgs "$TMP"/scxp.?.srv)" \
		"$(msgs "$TMP"/scnone.?.srv)" msg/s "-; limit: $(limit scxp.1 scxp.2)"
	pair_row "  sctp track / the XDP_PASS program (sluice's own share)" "$(msgs "$TMP"/sctrk.?.srv)" \
		"$(msgs "$TMP"/scxp.?.srv)" msg/s ">= 0.90x"
	pair_row "  receiver's veth packets / messages, none" "$(avg "$TMP"/scnone.?.rx)" \
		"$(jq -s 'map(.messages) | add / length' "$TMP"/scnone.?.srv)" pkt "~1.00x: a message a packet"
	row "    sluice: SCTP packets tracked / seen, $NS_RX" "$c_tracked" "$c_seen" \
		"$([ "$c_tracked" = "$c_seen" ] && [ "$c_seen" -gt 0 ] && echo exact || echo MISMATCH)" "exact; none dropped: $c_dropped"
fi

# --- report ----------------------------------------------------------------------
echo
echo "sluice bench: ${DUR}s per measurement, sender CPU $CPU_TX, receiver CPU $CPU_RX$([ "$RPS" = 1 ] && echo " (RPS)"), $(uname -r)"
# --- 15. line rate: set drop fed by sluice-gen xdp ------------------------------------
if want linerate; then
	# The generator transmits with BPF_PROG_RUN live frames (no socket, no
	# skb) out of the sender's veth; the receiving veth takes them into its
	# NAPI (GRO on, so it has one without an XDP program), run threaded and
	# pinned to the receiver CPU, so sender and dropper no longer share a
	# CPU. Every frame has another source of the 1M set (100.64.0.0 +
	# 1,000,000, in the set in sluice, ipset and nft): the lookups walk the
	# whole table, not one cached entry.
	LR_BASE=1681915904      # 100.64.0.0
	LR_N=1000000
	say "15 line rate: sluice-gen xdp (CPU $CPU_TX) -> $IF_RX, its NAPI threaded on CPU $CPU_RX; $LR_N sources, then 1000, all in the set"
	sets_daemon
	awk -v b="$LR_BASE" -v n="$LR_N" 'BEGIN { for (i = 0; i < n; i++) { a = b + i
		printf "%d.%d.%d.%d\n", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256 } }' >"$TMP/lr.addrs"
	set_files "$TMP/lr"
	ctl set destroy "$SET" >/dev/null 2>&1
	ctl set restore <"$TMP/lr.ipset" >/dev/null 2>"$TMP/lr.err" || die "sluicectl set restore: $(tail -n 3 "$TMP/lr.err")"
	if [ -n "$have_ipset" ]; then
		ip netns exec "$NS_RX" ipset restore <"$TMP/lr.ipset" 2>"$TMP/lr.err" &&
			dp_on ipt 2>>"$TMP/lr.err" && dp_off ipt 2>>"$TMP/lr.err" ||
			{ say "ipset/$IPT cannot drop by the set, skipped: $(head -n 3 "$TMP/lr.err")"; have_ipset=""; }
	fi
	if [ -n "$have_nft" ]; then
		ip netns exec "$NS_RX" nft -f "$TMP/lr.nft" 2>"$TMP/lr.err" && dp_on nft 2>>"$TMP/lr.err" &&
			dp_off nft 2>>"$TMP/lr.err" ||
			{ say "nft cannot drop by the set, skipped: $(head -n 3 "$TMP/lr.err")"; have_nft=""; }
	fi
	ip netns exec "$NS_RX" ethtool -K "$IF_RX" gro on >/dev/null 2>&1 ||
		die "cannot switch GRO on at $IF_RX (veth takes XDP frames only into a NAPI)"
	ip netns exec "$NS_RX" sh -c "echo 1 > /sys/class/net/$IF_RX/threaded" || die "no threaded NAPI on $IF_RX"

	# the receiving veth's NAPI threads ("napi/<dev>-<id>", the name cut at
	# 15 characters); looked up at each run: an XDP attach may remake them
	napi_pids() { ps -eo pid=,comm= | awk -v c="$(printf 'napi/%s' "$IF_RX" | cut -c1-15)" 'index($2, c) == 1 { print $1 }'; }
	napi_ticks() { # CPU time of those threads, USER_HZ ticks (utime + stime)
		for p in $(napi_pids); do cut -d')' -f2 "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }'; done |
			awk '{ s += $1 } END { print s + 0 }'
	}
	lr_run() { # DP TAG SOURCES: TAG.gen (generator JSON), TAG.dpps, TAG.ns, TAG.offered
		dp_on "$1" || die "cannot put the $1 drop rule in place"
		# pinned, and first in line on its CPU: other work there (the machine
		# is shared) would otherwise set the drop rate, not the dropper
		for p in $(napi_pids); do
			taskset -pc "$CPU_RX" "$p" >/dev/null && chrt -f -p 1 "$p" || die "cannot pin napi thread $p"
		done
		[ -n "$(napi_pids)" ] || die "no NAPI thread of $IF_RX"
		c0=$(dp_count "$1")
		t0=$(napi_ticks)
		# the generator at SCHED_FIFO too: without it, other work on its CPU
		# leaves gaps in which the receiver idles (seen 37-87% busy)
		ip netns exec "$NS_TX" chrt -f 1 "$GEN" xdp --dev "$IF_TX" --src "100.64.0.0+$3" --dst "$B4" --port "$PORT" \
			--size 64 --duration "$DUR" --cpu "$CPU_TX" --json >"$TMP/$2.gen" 2>"$TMP/$2.err" ||
			die "sluice-gen xdp: $(cat "$TMP/$2.err")"
		sleep 0.2       # frames still in the veth ring
		t1=$(napi_ticks)
		c1=$(dp_count "$1")
		dp_done "$1" "$2" "$c0" "$c1"
		d=$D
		secs=$(jget .seconds "$TMP/$2.gen")
		awk -v d="$d" -v s="$secs" 'BEGIN { printf "%.1f\n", (s > 0 ? d / s : 0) }' >"$TMP/$2.dpps"
		awk -v t=$((t1 - t0)) -v hz="$HZ_USER" -v d="$d" 'BEGIN { printf "%.1f\n", (d > 0 ? t * 1e9 / hz / d : 0) }' \
			>"$TMP/$2.ns"
		# offered: what the program sent, the frames the veth ring had no room for included
		jq '(.packets + .errors) / .seconds' "$TMP/$2.gen" >"$TMP/$2.offered"
		say "  $2: $1 dropped $d in ${secs}s; the generator offered $(human "$(cat "$TMP/$2.offered")" pps)," \
			"$(jget .errors "$TMP/$2.gen") found the ring full; NAPI thread $(cat "$TMP/$2.ns") ns/drop"
	}
	HZ_USER=$(getconf CLK_TCK)
	lrs="sluice"
	[ -n "$have_ipset" ] && lrs="$lrs ipt"
	[ -n "$have_nft" ] && lrs="$lrs nft"
	for n in $LR_N 1000; do
		for dp in $lrs; do lr_run "$dp" "lr$n$dp.1" "$n"; done
		for dp in $(echo "$lrs" | awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }'); do lr_run "$dp" "lr$n$dp.2" "$n"; done
	done
	daemon_stop

	lr_mode=$(jq -r '.hooks[0].mode // "?"' "$TMP/lr${LR_N}sluice.1.rules" 2>/dev/null | tr '[:lower:]' '[:upper:]')
	lr_name() { case $1 in sluice) echo "sluice $lr_mode" ;; ipt) echo "$IPT+ipset" ;; nft) echo "nftables set" ;; esac; }
	lr_has() { case " $lrs " in *" $1 "*) return 0 ;; esac; return 1; }
	lr_pair() { # N A B GOAL: drops/s A / B, and the CPU per drop B / A, with N sources
		lr_has "$2" && lr_has "$3" || return 0
		pair_row "line rate set drop/s, $(human "$1" sources): $(lr_name "$2") / $(lr_name "$3")" \
			"$(avg "$TMP/lr$1$2".?.dpps)" "$(avg "$TMP/lr$1$3".?.dpps)" pps "$4"
		pair_row "  receiver CPU per drop: $(lr_name "$3") / $(lr_name "$2")" \
			"$(avg "$TMP/lr$1$3".?.ns)" "$(avg "$TMP/lr$1$2".?.ns)" ns "$4"
	}
	for n in $LR_N 1000; do
		lr_pair "$n" sluice ipt ">= 2.00x"
		lr_pair "$n" sluice nft "-"
		lr_pair "$n" ipt nft "-"
		for dp in $lrs; do
			dpps=$(avg "$TMP/lr$n$dp".?.dpps)
			off=$(avg "$TMP/lr$n$dp".?.offered)
			# the receiver's CPU is the limit when its NAPI thread was busy all
			# the time; else the frames came in bursts with gaps (the generator
			# shares its CPU with the machine's other work) and the ring
			# overflowed in the bursts
			busy=$(awk -v a="$dpps" -v c="$(avg "$TMP/lr$n$dp".?.ns)" 'BEGIN { printf "%.2f", a * c / 1e9 }')
			pair_row "  $(lr_name "$dp"): drops/s / generator offered" "$dpps" "$off" pps \
				"$(awk -v a="$dpps" -v b="$off" -v u="$busy" 'BEGIN {
					if (b > 0 && a / b >= 0.95) print "limit: generator"
					else if (u >= 0.9) printf "limit: receiver CPU (%.0f%% busy)\n", u * 100
					else printf "limit: bursts; receiver %.0f%% busy\n", u * 100 }')"
		done
		if lr_has ipt; then
			pair_row "  generator offered / $IPT+ipset drops/s" "$(avg "$TMP/lr${n}ipt".?.offered)" \
				"$(avg "$TMP/lr${n}ipt".?.dpps)" pps "> 1.00x: generator faster"
		fi
	done
	row "  sluice tc ingress" "-" "-" "n/a" "set rules hook ingress at XDP only"
	[ -z "$have_ipset" ] && row "line rate set drop: $IPT + ipset" "-" "-" "skipped" "no ipset/iptables"
	[ -z "$have_nft" ] && row "line rate set drop: nftables" "-" "-" "skipped" "no nft"
fi

want base && echo "rows 1-3: means of 2 runs each, in the order A B B A; drop storm: off, sluice, bpftrace, off"
want sets && echo "sets: rule cost = medians of BPF_PROG_TEST_RUN samples (sizes 1 2 3 3 2 1); restore: means, A B B A;" &&
	echo "      set drop: means of 2 runs, order sluice, iptables, nft, nft, iptables, sluice; sender and dropper CPU: see the header"
want tcp && echo "tcp: connections/s means of 2 runs each, A B B A; bulk means of 4 runs each, A B C C B A twice; round trips: counts of run 1 (run 2 must agree)"
want linerate && echo "linerate: means of 2 runs, order sluice, iptables, nft, nft, iptables, sluice; receiver CPU = its NAPI thread's"
want send && echo "send: $SEND_ROUNDS rounds of none, empty hook, 1 rule, 100 rules, nft (reversed every other round); ratios" &&
	echo "      per round, median (range); A and B columns: means over the rounds"
want sctp && echo "sctp: tracking cost = medians of BPF_PROG_TEST_RUN samples (cases 1..n n..1); DATA stream: means of 2 runs," &&
	echo "      order track, none, policy, XDP_PASS, XDP_PASS, policy, none, track"
want xps && echo "xps: cost from one BPF_PROG_TEST_RUN of 200k runs per row; throughput: means of 2 runs, A B B A"
want mcast && echo "mcast: policy cost = medians of BPF_PROG_TEST_RUN samples (cases 1..n n..1); through the bridge:" &&
	echo "       means of 2 runs, order policy, flood (no policy), kernel snooping, kernel, flood, policy"
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
