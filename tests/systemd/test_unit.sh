# The installed unit passes `systemd-analyze verify`, and its security
# exposure stays at the level the README records.
B=${SLUICE_BUILD:-build}
SL_SRC=$(cd "$(dirname "$0")/../.." && pwd)
. "$SL_SRC/tests/machine.sh"
require systemd-analyze
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s install DESTDIR="$tmp" PREFIX=/usr B="$B" >/dev/null || { echo "FAIL: make install"; exit 1; }
unit=$tmp/usr/lib/systemd/system/sluiced.service
[ -f "$unit" ] && [ -x "$tmp/usr/sbin/sluiced" ] && [ -f "$tmp/etc/sluice/sluice.conf" ] ||
	{ echo "FAIL: install layout"; exit 1; }
"$tmp/usr/sbin/sluiced" --check-config --config "$tmp/etc/sluice/sluice.conf" || exit 1
# verify resolves ExecStart: point it at the staged binary
sed "s|/usr/sbin/sluiced|$tmp/usr/sbin/sluiced|" "$unit" >"$tmp/sluiced.service"
out=$(systemd-analyze verify --man=no "$tmp/sluiced.service" 2>&1)
echo "$out"
if echo "$out" | grep -v -e 'Failed to .*bus' -e 'Cannot add dependency' -e '^$' | grep -q .; then
	echo "FAIL: systemd-analyze verify reported problems"
	exit 1
fi
score=$(systemd-analyze security --offline=yes "$tmp/sluiced.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security exposure: ${score:-unknown}"
[ -n "$score" ] || { echo "FAIL: no exposure score"; exit 1; }
# README records 2.x; regressions above 3.0 fail
awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' || { echo "FAIL: exposure $score above 3.0"; exit 1; }

# The syscall filter, resolved the way systemd applies it (allow lines
# union, then "~" lines removed), must keep every syscall sluiced makes.
expand() { # NAMES...: syscall names, groups expanded recursively
	for item; do
		case $item in
		@*) systemd-analyze syscall-filter "$item" 2>/dev/null |
			awk 'NR > 1 && $1 !~ /^#/ { print $1 }' | while read -r sub; do expand "$sub"; done ;;
		*) echo "$item" ;;
		esac
	done
}
allow=$tmp/allow deny=$tmp/deny
: >"$allow"
: >"$deny"
sed -n 's/^SystemCallFilter=//p' "$unit" | while read -r line; do
	case $line in
	"~"*) expand ${line#\~} >>"$deny" ;;
	*) expand $line >>"$allow" ;;
	esac
done
sort -u -o "$allow" "$allow"
sort -u -o "$deny" "$deny"
[ "$(wc -l <"$allow")" -gt 50 ] || { echo "FAIL: could not resolve the syscall filter"; exit 1; }
for sc in bpf perf_event_open capset capget prctl flock rename renameat2 unlink unlinkat mkdir \
	epoll_wait epoll_ctl signalfd4 timerfd_create timerfd_settime accept4 bind listen socket \
	setsockopt sendmsg openat statfs setns poll; do
	if ! grep -qx "$sc" "$allow" || grep -qx "$sc" "$deny"; then
		echo "FAIL: the unit's SystemCallFilter blocks $sc, which sluiced needs"
		exit 1
	fi
done
echo "syscall filter keeps everything sluiced needs ($(wc -l <"$allow") allowed, $(wc -l <"$deny") denied)"
