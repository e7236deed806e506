# sluice-ipset against the kernel's ipset, line by line (issue 10): every
# line of ipset_diff.cmds runs through `ipset` in a private namespace and
# through sluice-ipset against a test daemon, one after the other, and the
# two must agree on the exit code, standard output and standard error.
#
# Line format: the words of one ipset command line, split as sh splits them
# ("x y" is one word). `## LABEL` starts a group counted apart (per type).
# `<TEXT> WORDS`: TEXT (printf escapes: \n) is the command's standard input,
# or the file @FILE@ names if the words hold it. After the command, a file
# @FILE@ names is shown as part of standard output (list -file).
#
# Compared after one normalisation, applied to both sides alike; each item
# is a documented difference (README, "ipset drop-in"):
# - `Revision:` (<revision>): sluice's types have no kernel revision;
# - `Size in memory` (<memsize>): the BPF maps' memory, not the kernel's;
# - `bucketsize 12 initval 0x...` that the kernel adds to a create line it
#   was not given (random per set; sluice keeps them only when given);
# - an entry's seconds left (`timeout N` on members): the two are read at
#   different instants (`timeout 0`, a permanent entry, is compared as is);
# - the order of members in a listing without -sorted: ipset's is its hash
#   order, which depends on the random initval; so runs of members are
#   compared sorted unless the line asks for -sorted, or the set is a
#   bitmap or a list:set (the kernel lists a bitmap in order, a list in
#   its members' order, and so must sluice).
# Lines in ALLOWED below may differ otherwise; each has its reason (and is
# in the README's list of differences). None at present.
. "$(dirname "$0")/lib.sh"

require ipset
# IPSET_DIFF_CMDS=FILE runs the lines of FILE instead (while measuring a new
# case, or for a type only some kernels have: IPSET_DIFF_KCONFIG names its
# option, IPSET_DIFF_MIN the lines the file must at least compare)
cmds=${IPSET_DIFF_CMDS:-$(dirname "$0")/ipset_diff.cmds}
skip_kernel CONFIG_IP_SET "the kernel's ipset is the oracle"
[ -z "${IPSET_DIFF_KCONFIG:-}" ] || skip_kernel "$IPSET_DIFF_KCONFIG" "the kernel's own set type is the oracle"
ns=$(ns_new ipsdiff)
daemon_start d
SIPSET=$B/sluice-ipset
[ -x "$SIPSET" ] || fail "$SIPSET is not built (make all builds it)"

# Lines allowed to differ beyond the normalisation: one per line, exact.
# (Each is also in the README's list of differences.)
ALLOWED=""

# normalise FILE SORTED: the documented differences out (see the top);
# SORTED 1: the line asked for -sorted, so members keep their order
normalise() {
	sed -e '/^Revision: /d' -e '/^<revision>/d' \
	    -e 's/ bucketsize [0-9]* initval 0x[0-9a-f]*//' \
	    -e 's#<bucketsize>[0-9]*</bucketsize><initval>0x[0-9a-f]*</initval>##' \
	    -e 's/^Size in memory: .*/Size in memory: N/' -e 's#<memsize>[0-9]*</memsize>#<memsize>N</memsize>#' \
	    -e '/^add .* timeout [1-9]/s/ timeout [1-9][0-9]*/ timeout T/' \
	    -e 's#^\(<member>.*\)<timeout>[1-9][0-9]*</timeout>#\1<timeout>T</timeout>#' "$1" |
		awk -v sorted="$2" '
		function flush() { if (n) { if (!sorted && !bitmap) sort_run(); for (i = 1; i <= n; i++) print run[i]; n = 0 } }
		function sort_run(   i, j, t) { for (i = 2; i <= n; i++) { t = run[i]; for (j = i - 1; j >= 1 && run[j] > t; j--) run[j + 1] = run[j]; run[j + 1] = t } }
		# members: the lines after "Members:" up to a blank line (their
		# timeouts too), add lines, XML members
		# a bitmap or list:set set: its members keep their order (list, XML, save)
		/^Name: / || /^<ipset / { bitmap = 0 }
		/^Type: bitmap:/ || /^<type>bitmap:/ || /^Type: list:set$/ || /^<type>list:set</ { bitmap = 1 }
		/^create / { flush(); bitmap = ($3 ~ /^bitmap:/ || $3 == "list:set"); print; next }
		/^Members:$/ { flush(); print; inm = 1; next }
		/^$/ { flush(); inm = 0; print; next }
		inm { sub(/ timeout [1-9][0-9]*/, " timeout T"); run[++n] = $0; next }
		/^add / || /^<member>/ { run[++n] = $0; next }
		{ flush(); print }
		END { flush() }'
}

# side NAME WORDS...: run one line on side NAME (k: the kernel, s: sluice)
side() {
	s=$1
	shift
	f=$T_TMP/$s.file
	rm -f "$f"
	# the input: standard input, or the file @FILE@ names
	if [ -n "$input" ] && [ "$usefile" = 1 ]; then printf '%b' "$input" >"$f"; else printf '%b' "$input" >"$T_TMP/in"; fi
	if [ "$s" = k ]; then
		ip netns exec "$ns" ipset "$@" <"$T_TMP/in" >"$T_TMP/$s.out" 2>"$T_TMP/$s.err"
	else
		SLUICE_SOCKET=$(sock_path d) "$SIPSET" "$@" <"$T_TMP/in" >"$T_TMP/$s.out" 2>"$T_TMP/$s.err"
	fi
	eval "${s}_rc=$?"
	if [ "$usefile" = 1 ] && [ -z "$input" ] && [ -f "$f" ]; then
		echo "[file]" >>"$T_TMP/$s.out"
		cat "$f" >>"$T_TMP/$s.out"
	fi
}

label=general
agree=0 total=0 bad=0 allowed=0
: >"$T_TMP/labels"
: >"$T_TMP/report"
lineno=0
while IFS= read -r line; do
	lineno=$((lineno + 1))
	case $line in
	"## "*) label=${line#\#\# }; continue ;;
	""|"#"*) continue ;;
	esac
	input="" usefile=0 words=$line
	case $line in
	"<"*)
		input=${line#<}
		input=${input%%> *}
		words=${line#*> }
		;;
	esac
	case $words in *@FILE@*) usefile=1 ;; esac
	for s in k s; do
		w=$words
		[ "$usefile" = 0 ] || w=$(echo "$words" | sed "s#@FILE@#$T_TMP/$s.file#g")
		eval "side $s $w"
	done
	total=$((total + 1))
	# the same bytes agree after any normalisation: most lines stop here
	# (a line naming a file is normalised, each side's file name differs)
	if [ "$k_rc" = "$s_rc" ] && [ "$usefile" = 0 ] && cmp -s "$T_TMP/k.out" "$T_TMP/s.out" &&
		cmp -s "$T_TMP/k.err" "$T_TMP/s.err"; then
		agree=$((agree + 1))
		echo "$label 1" >>"$T_TMP/labels"
		continue
	fi
	sorted=0
	case " $words " in *" -s "*|*" -sorted "*|*" --sorted "*) sorted=1 ;; esac
	for s in k s; do
		normalise "$T_TMP/$s.out" "$sorted" | sed "s#$T_TMP/$s.file#@FILE@#g" >"$T_TMP/$s.nout"
		normalise "$T_TMP/$s.err" 0 | sed "s#$T_TMP/$s.file#@FILE@#g" >"$T_TMP/$s.nerr"
	done
	if [ "$k_rc" = "$s_rc" ] && cmp -s "$T_TMP/k.nout" "$T_TMP/s.nout" &&
		cmp -s "$T_TMP/k.nerr" "$T_TMP/s.nerr"; then
		agree=$((agree + 1))
		echo "$label 1" >>"$T_TMP/labels"
		continue
	fi
	echo "$label 0" >>"$T_TMP/labels"
	if printf '%s\n' "$ALLOWED" | grep -qxF -- "$line"; then
		allowed=$((allowed + 1))
		continue
	fi
	bad=$((bad + 1))
	{
		echo "DIFFER line $lineno [$label]: $line"
		echo "   exit: ipset $k_rc, sluice $s_rc"
		diff "$T_TMP/k.nout" "$T_TMP/s.nout" | sed -n '2,12s/^/   out /p'
		diff "$T_TMP/k.nerr" "$T_TMP/s.nerr" | sed -n '2,8s/^/   err /p'
	} >>"$T_TMP/report"
done <"$cmds"

awk '{ n[$1]++; a[$1] += $2; if (!($1 in o)) { o[$1] = ++k; l[k] = $1 } }
     END { for (i = 1; i <= k; i++) printf "-- %-18s %4d/%-4d agree\n", l[i], a[l[i]], n[l[i]] }' "$T_TMP/labels"
note "overall: $agree/$total lines agree; $allowed allowed differences; $bad other differences"
# IPSET_DIFF_REPORT=FILE keeps every difference found (the failure shows the first)
[ -n "${IPSET_DIFF_REPORT:-}" ] && cp "$T_TMP/report" "$IPSET_DIFF_REPORT"
[ "$bad" = 0 ] || { head -n 200 "$T_TMP/report"; fail "$bad lines differ from the kernel's ipset"; }
[ "$total" -ge "${IPSET_DIFF_MIN:-0}" ] || fail "only $total lines compared"
[ -n "${IPSET_DIFF_CMDS:-}" ] || [ "$total" -ge 300 ] || fail "only $total lines compared"
