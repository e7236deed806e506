# The external commands a set of sh scripts call, one "FILE:LINE: WORD"
# per call. A rough lexer, not a shell: it knows quotes, $(...), ${...},
# $((...)), comments, heredocs and line continuations, then takes the
# first word of every simple command (after keywords, assignments and
# wrappers such as `ip netns exec NS`, `timeout N`, `env`), and every
# tool named by `command -v TOOL` or `require TOOL...`. Quoted text is
# data (awk, jq and sed programs), except after `sh -c` / `bash -c`, where
# it is code. Functions the scripts define are left out.
#
#   awk -f shell_calls.awk pass=1 FILES... pass=2 FILES...
# (two passes: the first collects function names)

BEGIN {
	# words that begin or glue commands rather than name one
	split("if then else elif fi do done while until ! { } time esac", k, " ")
	for (i in k) kw[k[i]] = 1
	# wrappers: how many arguments (after options) come before the command
	split("exec:0 command:0 env:0 nice:0 nohup:0 setsid:0 stdbuf:0 xargs:0 unshare:0 " \
	      "setpriv:0 spawn:0 timeout:1 taskset:1 flock:1 expect_exit:1 timed:1 wait_for:1", w, " ")
	for (i in w) { split(w[i], p, ":"); wrap[p[1]] = p[2] }
}

pass == 1 {
	if (match($0, /^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\(\)/)) {
		name = substr($0, RSTART, RLENGTH)
		gsub(/[ \t()]/, "", name)
		func_[name] = 1
	}
	next
}

# a new file: reset the lexer
FNR == 1 { depth = 0; mode[0] = "N"; pd[0] = 0; hd = ""; buf[0] = side = ""; cur_ln = 1; nout = 1 }

# a command held by absolute path in a variable (PY=/usr/bin/python3) is
# called through it: count the call, by that path, where it is named
pass == 2 && match($0, /^[ \t]*[A-Za-z_][A-Za-z0-9_]*=\/(usr\/)?s?bin\/[A-Za-z0-9_.+-]+/) {
	path = substr($0, RSTART, RLENGTH)
	sub(/^[^=]*=/, "", path)
	printf "%s:%d: %s\n", FILENAME, FNR, path
}

pass == 2 {
	if (hd != "") { # inside a heredoc body: data until the delimiter
		l = $0
		if (hd_tabs) sub(/^\t+/, "", l)
		if (l == hd) hd = ""
		cur_ln = FNR + 1
		next
	}
	lex(case_patterns_off($0))
	if (!cont && depth == 0)
		new_line()
	else if (!cont && code_level() == depth)
		emit(" ; ") # a line ends a command inside $(...) too
	if (pending_hd != "") { hd = pending_hd; pending_hd = "" }
}

END { flush() }

function new_line() {
	if (nout) { flush_line(buf[0]); flush_line(side) }
	buf[0] = side = ""
	cur_ln = FNR + 1
	nout = 1
}

function flush() { new_line(); nout = 0 }

# The innermost level that is code: text there is emitted into its buffer.
# $(...) and sh -c '...' are commands of their own, kept aside (side) and
# read after the line; the command around them sees one word, "_".
function code_level(    d) {
	for (d = depth; mode[d] == "S" || mode[d] == "D"; d--) ;
	return d
}

function emit(s,    d) { d = code_level(); buf[d] = buf[d] s }

# before the quote that starts here: does the text end in `sh -c `?
function sh_c() { return buf[code_level()] ~ /(^|[^A-Za-z0-9_])(ba)?sh[ \t]+-c[ \t]*$/ }

function push(m, q) { depth++; mode[depth] = m; pd[depth] = 0; qc[depth] = q; buf[depth] = "" }

function pop_code() { side = side " ; " buf[depth]; depth--; emit("_") }

# skip a balanced construct from s[i] (an opener at i); returns the index
# of its last character
function skip_balanced(s, i, op, cl,    n, c) {
	n = 0
	for (; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == op) n++
		else if (c == cl && --n == 0) return i
	}
	return length(s)
}

function lex(s,    i, c, c2, m, word_start) {
	cont = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		c2 = substr(s, i, 2)
		m = mode[depth]
		if (m == "S") { if (c == "'") depth--; continue }
		if (m == "D") {
			if (c == "\\") { i++; continue }
			if (c == "\"") { depth--; continue }
			if (c2 == "${") { i = skip_balanced(s, i + 1, "{", "}"); continue }
			if (substr(s, i, 3) == "$((") { i = skip_balanced(s, i + 1, "(", ")"); continue }
			if (c2 == "$(") { push("N", ""); i++; continue }
			continue
		}
		# code: N (plain or inside $(...)) or C (quoted text run by sh -c)
		word_start = i == 1 || substr(s, i - 1, 1) ~ /[ \t;|&()]/
		if (c == "#" && word_start) break
		if (c == "\\") {
			if (i == length(s)) { cont = 1; emit(" ") } else { emit("_"); i++ }
			continue
		}
		if (m == "C" && c == qc[depth]) { pop_code(); continue }
		if (c == "'" || c == "\"") {
			if (sh_c()) push("C", c)
			else { push(c == "'" ? "S" : "D", ""); emit("_") }
			continue
		}
		if (c2 == "${") { i = skip_balanced(s, i + 1, "{", "}"); emit("_"); continue }
		if (substr(s, i, 3) == "$((") { i = skip_balanced(s, i + 1, "(", ")"); emit("_"); continue }
		if (c2 == "$(") { push("N", ""); i++; continue }
		if (c == "`") { emit(" ; "); continue }
		if (c2 == "<<" && match(substr(s, i), /^<<-?[ \t]*['"]?[A-Za-z_][A-Za-z0-9_]*/)) {
			pending_hd = substr(s, i, RLENGTH)
			hd_tabs = pending_hd ~ /^<<-/
			sub(/^<<-?[ \t]*['"]?/, "", pending_hd)
			i += RLENGTH - 1
			emit(" _")
			continue
		}
		if (c == "(" && depth > 0 && mode[depth] == "N") pd[depth]++
		if (c == ")" && depth > 0 && mode[depth] == "N" && qc[depth] == "") {
			if (pd[depth] == 0) { pop_code(); continue }
			pd[depth]--
		}
		emit(c)
	}
}

function flush_line(line,    n, st, j) {
	# redirections and their targets
	gsub(/[0-9]*(>>|>&|<&|>\||<>|>|<)[ \t]*[^ \t;|&()]*/, " ", line)
	# case patterns: "pat)" opening a line, after `in` or after ";;"
	sub(/^[ \t]*\(?[^ \t()]+\)/, " ; ", line)
	gsub(/;;[ \t]*\(?[^ \t();]+\)/, " ; ", line)
	if (line ~ /(^|[ \t;])case[ \t]/)
		sub(/[ \t]in[ \t]+\(?[^ \t();]+\)/, " in ; ", line)
	n = split(line, st, /[;|&()]/)
	for (j = 1; j <= n; j++)
		statement(st[j])
}

function report(word) {
	if (word ~ /^\/(usr\/)?s?bin\/[^\/]+$/) sub(/.*\//, "", word)
	if (word !~ /^[A-Za-z][A-Za-z0-9._+-]*$/ || word in func_) return
	print FILENAME ":" cur_ln ": " word
}

function statement(s,    w, n, i, k) {
	n = split(s, w, /[ \t]+/)
	i = 1
	if (w[1] == "") i = 2
	while (i <= n) {
		if (w[i] in kw || w[i] ~ /^[A-Za-z_][A-Za-z0-9_]*=/) { i++; continue }
		if (w[i] == "for" || w[i] == "case" || w[i] == "in") return
		if (w[i] == "command" && w[i + 1] == "-v") { report(w[i + 2]); return }
		if (w[i] == "require") { for (k = i + 1; k <= n; k++) report(w[k]); return }
		if (w[i] == "ip" && w[i + 1] == "netns" && w[i + 2] == "exec") {
			report("ip")
			i += 4 # and the namespace
			continue
		}
		if (w[i] in wrap) {
			k = wrap[w[i]]
			report(w[i])
			for (i++; i <= n && w[i] ~ /^-/; i++) ;
			i += k
			continue
		}
		report(w[i])
		return
	}
}

# A case pattern list ("reload | reload-core)", also after "case X in") is
# no pipeline: drop it, so its words are not taken for commands. (Step by
# step: mawk 1.3.4 mis-matches a repeated group with three alternatives.)
function case_patterns_off(line,    at) {
	if (match(line, /^[ \t]*case[ \t].*[ \t]in[ \t]/)) {
		at = RLENGTH
		return substr(line, 1, at) patterns_off(substr(line, at + 1))
	}
	return patterns_off(line)
}

function patterns_off(text,    pat, rest) {
	pat = "[A-Za-z0-9_.*?$\"'-]+"
	rest = text
	if (match(rest, /^[ \t]*\(?/))
		rest = substr(rest, RLENGTH + 1)
	while (match(rest, "^" pat "[ \t]*[|][ \t]*"))
		rest = substr(rest, RLENGTH + 1)
	if (match(rest, "^" pat "[ \t]*[)]"))
		return substr(rest, RLENGTH + 1)
	return text
}
