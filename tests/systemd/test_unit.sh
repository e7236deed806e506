# The installed unit passes `systemd-analyze verify`, and its security
# exposure stays at the level the README records.
B=${SLUICE_BUILD:-build}
command -v systemd-analyze >/dev/null || { echo "SKIP: no systemd-analyze"; exit 77; }
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
