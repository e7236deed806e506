# Shared helpers for integration tests: namespaces, daemons, assertions.
# Source it from a test; everything it creates is removed on exit, pass or
# fail. Without root the test exits 77 (skipped) with the reason. A tool
# the test needs is `require`d (missing: the test fails); the only skips
# run as root are skip_kernel / skip_btf, which check what they claim.
#
#   . "$(dirname "$0")/lib.sh"
#   ns=$(ns_new a)          # unique namespace name, loopback up
#   daemon_start d1         # sluiced with its own pin root and socket
#   ctl d1 status           # sluicectl against that daemon

B=${SLUICE_BUILD:-build}
B=$(cd "$B" 2>/dev/null && pwd) || B=${SLUICE_BUILD:-build}
SLUICED=$B/sluiced
SLUICECTL=$B/sluicectl
GEN=$B/sluice-gen
T_ID="sl$$"
T_DAEMONS=""
T_PIDS=""

SL_SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SL_SRC/tests/machine.sh"

# A skip whose reason is not a "machine:" property (tests/machine.sh) is a
# failure when tests/run.sh runs as root.
skip() { echo "SKIP: $*"; exit 77; }
# a failure shows what each daemon of the test said last, before it goes
fail() {
	for d in $T_DAEMONS; do
		[ -s "$T_TMP/$d.log" ] || continue
		echo "   daemon $d's log, last lines:"
		tail -n 8 "$T_TMP/$d.log" | sed 's/^/   | /'
	done
	echo "FAIL: $*"
	exit 1
}
note() { echo "-- $*"; }

# skip_kernel CONFIG_X [WHY]: skip when the running kernel does not set
# CONFIG_X (its config read here: /proc/config.gz or /boot/config-RELEASE);
# go on when it does
skip_kernel() {
	kconfig_text >/dev/null 2>&1 || fail "skip_kernel $1: neither /proc/config.gz nor /boot/config-$(uname -r) is readable, cannot tell"
	kconfig_unset "$1" && skip "machine: $1 is not set (the kernel's config)${2:+: $2}"
	return 0
}

# skip_btf NAME [WHY]: skip when the kernel's BTF has no type NAME
skip_btf() {
	require bpftool
	btf_lacks "$1" && skip "machine: BTF has no $1${2:+: $2}"
	return 0
}

# tc_mode: how the daemons a test starts attach tc programs: "tcx" (links,
# 6.6+), or "tc" (cls_bpf filters on clsact) where the kernel has no tcx
# or the test pretends so (SLUICE_KERNEL_LACKS=tcx, inherited by daemons)
tc_mode() {
	case ",${SLUICE_KERNEL_LACKS:-}," in *,tcx,*) echo tc && return 0 ;; esac
	if grep -qa BPF_TCX_INGRESS /sys/kernel/btf/vmlinux 2>/dev/null; then echo tcx; else echo tc; fi
}

[ "$(id -u)" = 0 ] || skip "machine: not root (network namespaces, BPF)"
require ip jq
# a missing build is a failure, not a reason to skip
for bin in "$SLUICED" "$SLUICECTL" "$GEN"; do
	[ -x "$bin" ] || fail "$bin is not built (make all; SLUICE_BUILD=${SLUICE_BUILD:-build})"
done
mountpoint -q /sys/fs/bpf || skip "bpffs is not mounted at /sys/fs/bpf (make test mounts it)"
# after the checks: an early exit must not leave it behind
T_TMP=$(mktemp -d "/tmp/sluice-test-$T_ID.XXXXXX")

t_cleanup() {
	set +e
	for d in $T_DAEMONS; do
		pid=$(cat "$T_TMP/$d.pid" 2>/dev/null)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
		"$SLUICED" --cleanup --pin-root "$(pin_root "$d")" >/dev/null 2>&1
	done
	for p in $T_PIDS; do kill -TERM "-$p" 2>/dev/null || kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	# by prefix: ns_new runs in $(...) subshells, so no list of names survives
	for ns in $(ip netns list | awk -v p="$T_ID-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$ns"
	done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT
trap 'exit 1' INT TERM HUP

# ns_new SUFFIX: create a namespace with loopback up; prints its name
ns_new() {
	name="$T_ID-$1"
	ip netns add "$name" || fail "ip netns add $name"
	ip -n "$name" link set lo up
	echo "$name"
}

pin_root() { echo "/sys/fs/bpf/sluice-test-$T_ID-$1"; }
sock_path() { echo "$T_TMP/$1.sock"; }

# polls SECONDS: how many 50 ms polls a guard of SECONDS is. A guard only
# ends a wait that already went wrong, so a slow machine may stretch it:
# SLUICE_GUARD_SCALE (tests/kernel/guest.sh sets it for the emulated guest).
polls() { echo $(($1 * 20 * ${SLUICE_GUARD_SCALE:-1})); }
# sluicectl's wait for a reply, stretched the same way (a set restore that
# reloads dozens of rule programs takes minutes in the 6.1 guest)
export SLUICE_TIMEOUT=$((30 * ${SLUICE_GUARD_SCALE:-1}))

# wait_until SECONDS COMMAND...: until COMMAND (a shell function too)
# succeeds, polling every 50 ms; 1 when the guard of SECONDS ran out first
wait_until() {
	_n=$(polls "$1")
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		_n=$((_n - 1))
		sleep 0.05
	done
	"$@"
}

# not COMMAND...: succeeds when COMMAND fails (for wait_until)
not() { ! "$@"; }

# daemon_start NAME [sluiced args...]: start and wait until it answers
daemon_start() {
	daemon_launch "$@"
	d=$1
	for _ in $(seq "$(polls 5)"); do
		ctl "$d" status >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$T_TMP/$d.pid")" 2>/dev/null || break
		sleep 0.05
	done
	cat "$T_TMP/$d.log"
	fail "daemon $d did not come up"
}

# daemon_stop NAME [SIGNAL]: stop and wait; the pinned dataplane stays
daemon_stop() {
	pid=$(cat "$T_TMP/$1.pid")
	kill "-${2:-TERM}" "$pid"
	wait "$pid" 2>/dev/null
	rm -f "$T_TMP/$1.pid"
}

daemon_log() { cat "$T_TMP/$1.log"; }

ctl() {
	d=$1
	shift
	"$SLUICECTL" --socket "$(sock_path "$d")" "$@"
}

# snmp NS TABLE FIELD: a counter from the namespace's /proc/net/snmp
# (TABLE "Udp") or /proc/net/snmp6 (TABLE "snmp6", FIELD like Udp6NoPorts)
snmp() {
	if [ "$2" = snmp6 ]; then
		ip netns exec "$1" awk -v f="$3" '$1 == f { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$1" awk -v t="$2:" -v f="$3" '
			$1 == t && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
			$1 == t && hdr { print $col[f] }' /proc/net/snmp
	fi
}

assert_eq() { # EXPECTED ACTUAL WHAT
	[ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
	note "ok: $3 = $2"
}

# status_pins_agree D FEATURE: every map and link FEATURE's status names is
# pinned where status says, and is the same object there (bpftool's id), so
# an operator's bpftool finds what status shows
status_pins_agree() {
	ctl "$1" -j status | jq -r --arg f "$2" '.features[] | select(.name == $f) |
		(.maps[]? | "map \(.pin) \(.id)"), (.links[]? | "link \(.pin) \(.link_id)")' >"$T_TMP/pins.$2" ||
		fail "status of $2"
	[ -s "$T_TMP/pins.$2" ] || fail "status of $2 names no pin"
	while read -r kind pin id; do
		assert_eq "$id" "$(bpftool -j "$kind" show pinned "$pin" 2>/dev/null | jq .id)" "$2: the $kind pinned at $pin"
	done <"$T_TMP/pins.$2"
}

assert_ne() {
	[ "$1" != "$2" ] || fail "$3: both are '$1'"
	note "ok: $3 ($1 != $2)"
}

# expect_exit CODE command...: run and check the exit code
expect_exit() {
	want=$1
	shift
	"$@" >"$T_TMP/out" 2>&1
	got=$?
	[ "$got" = "$want" ] || { cat "$T_TMP/out"; fail "'$*' exited $got, expected $want"; }
	note "ok: '$*' exits $want"
}

# spawn command...: run in the background, killed at exit together with
# its children: setsid gives it a process group of its own (a background
# child of this shell leads no group, so setsid execs in place: $! is the
# group id)
spawn() {
	setsid "$@" &
	LAST_SPAWN=$!
	T_PIDS="$T_PIDS $!"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# silent_client NAME [EOF_FILE]: hold a connection to the daemon's control
# socket and never send a byte (stdin is a FIFO nobody writes). With
# EOF_FILE, the time (now_ms) the daemon closed it is written there.
silent_client() {
	[ -p "$T_TMP/silence" ] || mkfifo "$T_TMP/silence"
	spawn sh -c 'socat -t 0.1 - "UNIX-CONNECT:$1" <>"$2" >/dev/null 2>&1
		[ -z "$3" ] || echo $(($(date +%s%N) / 1000000)) >"$3"' \
		silent "$(sock_path "$1")" "$T_TMP/silence" "${2:-}"
}

# ctl_conns NAME: control connections the daemon has accepted and holds
ctl_conns() {
	ss -xHp state established src "$(sock_path "$1")" | grep -c "pid=$(cat "$T_TMP/$1.pid"),"
}

# wait_conns NAME N: until the daemon holds N control connections (5 s)
wait_conns() {
	for _ in $(seq "$(polls 5)"); do
		[ "$(ctl_conns "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "daemon $1 holds $(ctl_conns "$1") control connections, expected $2"
}

# raw NAME BYTES: send printf-style BYTES as one request; prints the reply
raw() {
	# shellcheck disable=SC2059
	printf "$2" | socat -t 2 - "UNIX-CONNECT:$(sock_path "$1")"
}

# wait_file PATH: for a --ready-file
wait_file() {
	for _ in $(seq "$(polls 5)"); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "timed out waiting for $1"
}

# veth_pair NS_A NS_B [QUEUES]: a veth between two namespaces, both ends up:
# va (10.99.0.1/24, fd99::1/64) in NS_A and vb (10.99.0.2, fd99::2) in NS_B.
# ARP/ND entries are static so the first packets are not held back. With
# QUEUES, each end has that many tx and rx queues and vb runs an XDP pass
# program, so that rxq_counts sees which tx queue of va each packet left on
# (veth hands tx queue N to the peer's rx queue N).
veth_pair() {
	_q=${3:+numtxqueues $3 numrxqueues $3}
	# shellcheck disable=SC2086 # _q is words
	ip -n "$1" link add va $_q type veth peer name vb netns "$2" $_q || fail "veth"
	if [ -n "${3:-}" ]; then
		[ -f "$B/bpf/xdp_pass.bpf.o" ] || fail "$B/bpf/xdp_pass.bpf.o is not built (make check-bpf)"
		ip -n "$2" link set vb xdpdrv obj "$B/bpf/xdp_pass.bpf.o" sec xdp || fail "XDP on vb"
	fi
	ip -n "$1" addr add 10.99.0.1/24 dev va
	ip -n "$2" addr add 10.99.0.2/24 dev vb
	ip -n "$1" addr add fd99::1/64 dev va nodad
	ip -n "$2" addr add fd99::2/64 dev vb nodad
	ip -n "$1" link set va up
	ip -n "$2" link set vb up
	ma=$(ip -n "$1" -j link show va | jq -r '.[0].address')
	mb=$(ip -n "$2" -j link show vb | jq -r '.[0].address')
	ip -n "$1" neigh replace 10.99.0.2 lladdr "$mb" dev va nud permanent
	ip -n "$2" neigh replace 10.99.0.1 lladdr "$ma" dev vb nud permanent
	ip -n "$1" neigh replace fd99::2 lladdr "$mb" dev va nud permanent
	ip -n "$2" neigh replace fd99::1 lladdr "$ma" dev vb nud permanent
}

# veth_addrs A B "X..." "Y..." "Z...": more addresses on veth_pair's link:
# sources 10.99.0.(100+X) and fd99::Y on A's va, destinations 10.99.0.Z on
# B's vb, with static neighbours as veth_pair's own, so no packet waits for
# ARP or ND
veth_addrs() {
	_mb=$(ip -n "$2" -j link show vb | jq -r '.[0].address')
	for _x in $3; do ip -n "$1" addr add "10.99.0.$((_x + 100))/24" dev va || fail "addr 10.99.0.$((_x + 100))"; done
	for _x in $4; do ip -n "$1" addr add "fd99::$_x/64" dev va nodad || fail "addr fd99::$_x"; done
	for _x in $5; do
		ip -n "$2" addr add "10.99.0.$_x/24" dev vb || fail "addr 10.99.0.$_x"
		ip -n "$1" neigh replace "10.99.0.$_x" lladdr "$_mb" dev va nud permanent || fail "neigh 10.99.0.$_x"
	done
}

# rxq_ethtool NS: what each rx queue of vb in NS took, "N0 N1 ...": the
# kernel's count of every frame (ethtool -S, while an XDP program runs)
rxq_ethtool() {
	ip netns exec "$1" ethtool -S vb | awk '
		match($1, /^rx_queue_[0-9]+_xdp_packets:$/) { q = substr($1, 10) + 0; n[q] = $2; if (q > m) m = q }
		END { for (i = 0; i <= m; i++) printf "%s%s", (i ? " " : ""), n[i] + 0; print "" }'
}

# rxq_counts NS QUEUES: the same for the test's own traffic alone (TCP and
# UDP to ports 5000-5999, counted by vb's XDP program by rx queue), so the
# stack's own frames (ND, MLD) cannot blur a count
rxq_counts() {
	_p=$(ip -n "$1" -j link show vb | jq '.[0].xdp.prog.id')
	for _m in $(bpftool prog show id "$_p" -j | jq '.map_ids[]'); do
		bpftool map show id "$_m" -j | jq -e '.name | endswith(".bss")' >/dev/null || continue
		bpftool map dump id "$_m" -j | jq -r --argjson n "$2" '.[0].formatted.value[".bss"][0].test_rxq[0:$n] | join(" ")'
		return 0
	done
	fail "no test_rxq on vb's XDP program"
}

# daemon_launch NAME [sluiced args...]: start sluiced in the background and
# return at once (daemon_ready waits for it). A SLUICE_FAULT in the
# environment arms a fault point (src/core/fault.h).
daemon_launch() {
	d=$1
	shift
	case " $T_DAEMONS " in *" $d "*) ;; *) T_DAEMONS="$T_DAEMONS $d" ;; esac
	"$SLUICED" --pin-root "$(pin_root "$d")" --socket "$(sock_path "$d")" "$@" \
		>>"$T_TMP/$d.log" 2>&1 &
	echo $! >"$T_TMP/$d.pid"
}

# daemon_alive NAME: its process runs (a killed child of this shell stays
# a zombie until reaped, and kill -0 still finds a zombie)
daemon_alive() {
	[ -f "$T_TMP/$1.pid" ] || return 1
	st=$(awk '{ print $3 }' "/proc/$(cat "$T_TMP/$1.pid")/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# daemon_ready NAME [SECONDS]: until the daemon answers (0) or its process
# has ended (1); fails when neither happens within SECONDS (10)
daemon_ready() {
	for _ in $(seq "$(polls "${2:-10}")"); do
		ctl "$1" status >/dev/null 2>&1 && return 0
		daemon_alive "$1" || return 1
		sleep 0.05
	done
	fail "daemon $1 neither answered nor ended within ${2:-10} s"
}

# daemon_reap NAME [SECONDS]: until the process has ended, then reap it;
# its exit status goes to REAPED (137: SIGKILL). Not in $(...): a subshell
# cannot wait for this shell's child. Fails when it still runs after
# SECONDS (10).
daemon_reap() {
	for _ in $(seq "$(polls "${2:-10}")"); do
		daemon_alive "$1" || break
		sleep 0.05
	done
	daemon_alive "$1" && fail "daemon $1 still runs after ${2:-10} s"
	wait "$(cat "$T_TMP/$1.pid")"
	REAPED=$?
	rm -f "$T_TMP/$1.pid"
}
