/* The command grammar: tokenizer (quotes, comments, columns, limits), the
 * parser over the real command tables (prefix match, options, value kinds,
 * validate hooks), quoting round trips, canonical formatting and help text. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "features/drops/drops.h"

static struct sl_tokens toks;
static struct sl_cmd cmd;
static struct sl_error err;

static int tokenize(const char *line)
{
	memset(&err, 0, sizeof(err));
	return sl_tokenize(line, &toks, &err);
}

static int parse(const char *line)
{
	memset(&err, 0, sizeof(err));
	return sl_parse_line(line, &cmd, &err);
}

/* a line of `n` copies of `c` (static buffer, big enough for the limits) */
static const char *repeat(char c, size_t n, const char *tail)
{
	static char buf[2 * SL_MAX_LINE];

	cr_assert_lt(n + strlen(tail), sizeof(buf));
	memset(buf, c, n);
	strcpy(buf + n, tail);
	return buf;
}

/* the spec whose words are exactly `words` */
static const struct sl_cmd_spec *spec_of(const char *words)
{
	int nwords;

	cr_assert_eq(tokenize(words), 0, "%s", err.msg);
	const struct sl_cmd_spec *s = sl_find_spec(&toks, &nwords);

	cr_assert_not_null(s, "no spec for '%s'", words);
	cr_assert_str_eq(s->words, words);
	return s;
}

/* everything a print function writes, as a malloc'd string */
#define CAPTURE(var, call) do {                                          \
	size_t len_;                                                    \
	FILE *out = open_memstream(&(var), &len_);                      \
	cr_assert_not_null(out);                                        \
	call;                                                           \
	cr_assert_eq(fclose(out), 0);                                   \
} while (0)

/* --- tokenizer ---------------------------------------------------------- */

#define MAXT 6
struct tok_case {
	const char *line;
	int n;
	const char *text[MAXT];
	int col[MAXT];
};

static void check_tokens(const struct tok_case *c)
{
	cr_assert_eq(tokenize(c->line), 0, "'%s': %s", c->line, err.msg);
	cr_assert_eq(toks.n, c->n, "'%s': %d tokens, expected %d", c->line, toks.n, c->n);
	for (int i = 0; i < c->n; i++) {
		cr_assert_str_eq(toks.tok[i].text, c->text[i], "'%s' token %d", c->line, i);
		cr_assert_eq(toks.tok[i].col, c->col[i], "'%s' token %d ('%s'): col %d, expected %d",
			     c->line, i, c->text[i], toks.tok[i].col, c->col[i]);
	}
}

Test(tokenize, blanks_and_columns)
{
	static const struct tok_case cases[] = {
		{ "drops enable", 2, { "drops", "enable" }, { 1, 7 } },
		{ "  drops\tenable  --sample-rate 5  ", 4,
		  { "drops", "enable", "--sample-rate", "5" }, { 3, 9, 17, 31 } },
		{ "\t\tx", 1, { "x" }, { 3 } },
		{ "a b  c   d", 4, { "a", "b", "c", "d" }, { 1, 3, 6, 10 } },
		{ "drops\n", 1, { "drops" }, { 1 } },
		{ "drops  \r\n", 1, { "drops" }, { 1 } },
		{ "é x", 2, { "é", "x" }, { 1, 4 } }, /* bytes >= 0x80 are word bytes; columns count bytes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_tokens(&cases[i]);
}

Test(tokenize, blank_and_comment_lines_are_empty)
{
	static const char *const lines[] = {
		"", " ", "\t \t", "\n", "\r\n", "#", "# a comment", "   # indented comment",
		"\t#\"unterminated in a comment", "#\x01 control in a comment",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		toks.n = 99;
		cr_assert_eq(tokenize(lines[i]), 0, "'%s': %s", lines[i], err.msg);
		cr_assert_eq(toks.n, 0, "'%s' gave %d tokens", lines[i], toks.n);
	}
}

Test(tokenize, comments)
{
	static const struct tok_case cases[] = {
		{ "drops # trailing comment", 1, { "drops" }, { 1 } },
		{ "drops #", 1, { "drops" }, { 1 } },
		{ "drops\t#x y", 1, { "drops" }, { 1 } },
		{ "a#b c", 2, { "a#b", "c" }, { 1, 5 } },     /* '#' inside a word */
		{ "a# b", 2, { "a#", "b" }, { 1, 4 } },
		{ "\"#quoted\" x", 2, { "#quoted", "x" }, { 1, 11 } },
		{ "'#' #", 1, { "#" }, { 1 } },
		{ "x \"a\"#b", 2, { "x", "a#b" }, { 1, 3 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_tokens(&cases[i]);
}

Test(tokenize, quotes)
{
	static const struct tok_case cases[] = {
		{ "\"a b\" 'c d'", 2, { "a b", "c d" }, { 1, 7 } },
		{ "\"say \\\"hi\\\"\" x", 2, { "say \"hi\"", "x" }, { 1, 14 } },
		{ "\"back\\\\slash\"", 1, { "back\\slash" }, { 1 } },
		{ "\"a\\nb\"", 1, { "a\\nb" }, { 1 } },           /* other escapes stay literal */
		{ "\"trail\\\\\" z", 2, { "trail\\", "z" }, { 1, 11 } },
		{ "'no \\\"escape'", 1, { "no \\\"escape" }, { 1 } }, /* single quotes: literal */
		{ "'it\\'", 1, { "it\\" }, { 1 } },
		{ "\"it's\" 'say \"x\"'", 2, { "it's", "say \"x\"" }, { 1, 8 } },
		{ "ab\"cd ef\"gh", 1, { "abcd efgh" }, { 1 } },    /* quotes inside a word */
		{ "x\"\"y", 1, { "xy" }, { 1 } },
		{ "\"\" ''", 2, { "", "" }, { 1, 4 } },           /* empty words */
		{ "--netns \"my ns\"", 2, { "--netns", "my ns" }, { 1, 9 } },
		{ "\"tab\there\"", 1, { "tab\there" }, { 1 } },   /* a blank inside quotes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_tokens(&cases[i]);
}

struct tok_error {
	const char *line;
	int col;
	const char *msg;
};

static void check_tok_error(const struct tok_error *c)
{
	cr_assert_eq(tokenize(c->line), -1, "'%s' accepted", c->line);
	cr_assert_eq(err.code, SL_E_USAGE);
	cr_assert_str_eq(err.msg, c->msg, "'%s'", c->line);
	cr_assert_eq(err.col, c->col, "'%s': col %d, expected %d", c->line, err.col, c->col);
}

Test(tokenize, errors)
{
	static const struct tok_error cases[] = {
		{ "drops --netns \"abc", 15, "unterminated \" quote" },
		{ "a 'b", 3, "unterminated ' quote" },
		{ "x ab\"c d", 3, "unterminated \" quote" },    /* column of the word, not the quote */
		{ "\"a\\\"", 1, "unterminated \" quote" },       /* \" does not close */
		{ "ab\x01" "cd", 3, "control character 0x01 not allowed" },
		{ "a \x7f", 3, "control character 0x7f not allowed" },
		{ "\"a\rb\"", 3, "control character 0x0d not allowed" },
		{ "ok 'x\ny'", 6, "control character 0x0a not allowed" },
		{ "a\x1b[m", 2, "control character 0x1b not allowed" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_tok_error(&cases[i]);
}

Test(tokenize, line_length_limit)
{
	cr_assert_eq(tokenize(repeat('a', SL_MAX_LINE, "")), 0, "%s", err.msg);
	cr_assert_eq(toks.n, 1);
	cr_assert_eq(strlen(toks.tok[0].text), SL_MAX_LINE);

	/* the newline that ends a line does not count */
	cr_assert_eq(tokenize(repeat('a', SL_MAX_LINE, "\n")), 0, "%s", err.msg);
	cr_assert_eq(toks.n, 1);
	cr_assert_eq(strlen(toks.tok[0].text), SL_MAX_LINE);

	struct tok_error e = { repeat('a', SL_MAX_LINE + 1, ""), SL_MAX_LINE, "line longer than 4096 bytes" };

	check_tok_error(&e);
}

Test(tokenize, token_count_limit)
{
	char line[256] = "";

	for (int i = 0; i < SL_MAX_TOKENS; i++)
		strcat(line, i ? " w" : "w");
	cr_assert_eq(tokenize(line), 0, "%s", err.msg);
	cr_assert_eq(toks.n, SL_MAX_TOKENS);
	cr_assert_eq(toks.tok[SL_MAX_TOKENS - 1].col, 2 * SL_MAX_TOKENS - 1);

	strcat(line, " # the comment is not a word");
	cr_assert_eq(tokenize(line), 0, "%s", err.msg);
	cr_assert_eq(toks.n, SL_MAX_TOKENS);

	strcpy(line + 2 * SL_MAX_TOKENS - 1, " x");
	struct tok_error e = { line, 2 * SL_MAX_TOKENS + 1, "more than 64 words" };

	check_tok_error(&e);
}

/* --- parser ------------------------------------------------------------- */

Test(parse, blank_and_comment_lines)
{
	cr_assert_eq(parse(""), 0);
	cr_assert_eq(parse("  # drops enable"), 0);
	cr_assert_eq(parse("status"), 1, "%s", err.msg);
	cr_assert_str_eq(cmd.spec->words, "status");
}

Test(parse, longest_prefix_match)
{
	static const struct {
		const char *line;
		const char *words;
		int nwords;
	} cases[] = {
		{ "drops", "drops", 1 },
		{ "drops enable", "drops enable", 2 },
		{ "drops  disable", "drops disable", 2 },
		{ "drops reset --all", "drops reset", 2 },
		{ "drops events --count 3", "drops events", 2 },
		{ "drops stats", "drops stats", 2 },
		{ "drops --by reason", "drops", 1 },
		{ "status", "status", 1 },
		{ "save", "save", 1 },
		{ "reload", "reload", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int nwords = -1;

		cr_assert_eq(parse(cases[i].line), 1, "'%s': %s", cases[i].line, err.msg);
		cr_assert_str_eq(cmd.spec->words, cases[i].words, "'%s'", cases[i].line);
		cr_assert_eq(sl_find_spec(&cmd.toks, &nwords), cmd.spec);
		cr_assert_eq(nwords, cases[i].nwords, "'%s'", cases[i].line);
	}
}

Test(parse, find_spec_needs_whole_words)
{
	int nwords = -1;

	cr_assert_eq(tokenize("dropsenable"), 0);
	cr_assert_null(sl_find_spec(&toks, &nwords));
	cr_assert_eq(nwords, 0);
	cr_assert_eq(tokenize("drop enable"), 0);
	cr_assert_null(sl_find_spec(&toks, NULL));
	/* "drops enablex" is "drops" with a stray argument */
	cr_assert_eq(tokenize("drops enablex"), 0);
	cr_assert_str_eq(sl_find_spec(&toks, &nwords)->words, "drops");
	cr_assert_eq(nwords, 1);
}

Test(parse, options_values_and_columns)
{
	cr_assert_eq(parse("drops enable --sample-rate 250"), 1, "%s", err.msg);
	const struct sl_value *rate = &cmd.opt[DROPS_OPT_SAMPLE_RATE];

	cr_assert(rate->set);
	cr_assert_eq(rate->num, 250);
	cr_assert_str_eq(rate->str, "250");
	cr_assert_eq(rate->col, 28);

	cr_assert_eq(parse("drops enable"), 1, "%s", err.msg);
	cr_assert_not(cmd.opt[DROPS_OPT_SAMPLE_RATE].set);

	cr_assert_eq(parse("drops  --watch 2 --by addr --netns \"blue ns\""), 1, "%s", err.msg);
	const struct sl_value *by = &cmd.opt[DROPS_OPT_BY], *watch = &cmd.opt[DROPS_OPT_WATCH],
			      *netns = &cmd.opt[DROPS_OPT_NETNS], *all = &cmd.opt[DROPS_OPT_ALL];

	cr_assert(by->set);
	cr_assert_eq(by->num, DROPS_BY_ADDR, "index of 'addr' in the choices");
	cr_assert_str_eq(by->str, "addr");
	cr_assert_eq(by->col, 23);
	cr_assert(watch->set);
	cr_assert_eq(watch->num, 2);
	cr_assert_eq(watch->col, 16);
	cr_assert(netns->set);
	cr_assert_str_eq(netns->str, "blue ns");
	cr_assert_eq(netns->col, 36);
	cr_assert_not(all->set);

	cr_assert_eq(parse("drops reset --all"), 1, "%s", err.msg);
	cr_assert(cmd.opt[DROPS_OPT_ALL].set);
	cr_assert_eq(cmd.opt[DROPS_OPT_ALL].col, 13);
	cr_assert_not(cmd.opt[DROPS_OPT_NETNS].set);
}

Test(parse, uint_bounds_accepted)
{
	static const struct {
		const char *line;
		int opt;
		unsigned long long num;
	} cases[] = {
		{ "drops enable --sample-rate 0", DROPS_OPT_SAMPLE_RATE, 0 },
		{ "drops enable --sample-rate 100000", DROPS_OPT_SAMPLE_RATE, 100000 },
		{ "drops enable --sample-rate 007", DROPS_OPT_SAMPLE_RATE, 7 },
		{ "drops --watch 1", DROPS_OPT_WATCH, 1 },
		{ "drops --watch 3600", DROPS_OPT_WATCH, 3600 },
		{ "drops events --count 256", DROPS_OPT_COUNT, 256 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(cases[i].line), 1, "'%s': %s", cases[i].line, err.msg);
		cr_assert_eq(cmd.opt[cases[i].opt].num, cases[i].num, "'%s'", cases[i].line);
	}
}

/* the parser's rejections: exact message and column */
Test(parse, errors)
{
	static const struct tok_error cases[] = {
		{ "bogus", 1, "unknown command 'bogus'" },
		{ "  bogus drops", 3, "unknown command 'bogus'" },
		{ "\"\"", 1, "unknown command ''" },
		{ "enable drops", 1, "unknown command 'enable'" },
		{ "drops enable --rate 5", 14, "drops enable: unknown option '--rate'" },
		{ "drops --sample-rate 5", 7, "drops: unknown option '--sample-rate'" },
		{ "status --all", 8, "status: unknown option '--all'" },
		{ "drops --all --all", 13, "--all given twice" },
		{ "drops --by port --watch 1 --by addr", 27, "--by given twice" },
		{ "drops enable --sample-rate", 14, "--sample-rate: missing value N" },
		{ "drops --netns", 7, "--netns: missing value NAME" },
		{ "drops enable --sample-rate abc", 28, "--sample-rate: expected a number, got 'abc'" },
		{ "drops enable --sample-rate 12x", 28, "--sample-rate: expected a number, got '12x'" },
		{ "drops enable --sample-rate -1", 28, "--sample-rate: expected a number, got '-1'" },
		{ "drops enable --sample-rate +1", 28, "--sample-rate: expected a number, got '+1'" },
		{ "drops enable --sample-rate ''", 28, "--sample-rate: expected a number, got ''" },
		{ "drops enable --sample-rate 100001", 28,
		  "--sample-rate: 100001 is out of range 0..100000" },
		{ "drops enable --sample-rate 99999999999999999999999", 28,
		  "--sample-rate: 99999999999999999999999 is out of range 0..100000" },
		{ "drops --watch 0", 15, "--watch: 0 is out of range 1..3600" },
		{ "drops events --count 257", 22, "--count: 257 is out of range 1..256" },
		{ "drops --by color", 12, "--by: 'color' is not one of reason, port, addr, socket" },
		{ "drops --by Reason", 12, "--by: 'Reason' is not one of reason, port, addr, socket" },
		{ "drops --netns ''", 15, "--netns: empty value" },
		{ "status now", 8, "status: unexpected argument 'now'" },
		{ "drops enable 100", 14, "drops enable: unexpected argument '100'" },
		{ "drops bogus", 7, "drops: unexpected argument 'bogus'" },
		{ "drops -x", 7, "drops: unexpected argument '-x'" },
		{ "drops --netns blue --all", 20, "--all and --netns exclude each other" },
		{ "drops reset --all --netns blue", 13, "--all and --netns exclude each other" },
		{ "drops events --all --count 3 --netns x", 14, "--all and --netns exclude each other" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_parse_line(cases[i].line, &cmd, &err), -1, "'%s' accepted", cases[i].line);
		cr_assert_eq(err.code, SL_E_USAGE, "'%s'", cases[i].line);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
		cr_assert_eq(err.col, cases[i].col, "'%s': col %d, expected %d", cases[i].line, err.col,
			     cases[i].col);
	}
}

Test(parse, netns_and_all_apart_are_fine)
{
	cr_assert_eq(parse("drops --netns blue"), 1, "%s", err.msg);
	cr_assert_eq(parse("drops events --all --count 5"), 1, "%s", err.msg);
	cr_assert_eq(cmd.opt[DROPS_OPT_COUNT].num, 5);
}

Test(parse, option_value_may_look_like_a_word)
{
	/* a value is whatever word follows the option, even a command word */
	cr_assert_eq(parse("drops --netns enable"), 1, "%s", err.msg);
	cr_assert_str_eq(cmd.spec->words, "drops");
	cr_assert_str_eq(cmd.opt[DROPS_OPT_NETNS].str, "enable");
}

Test(parse, reparse_clears_old_values)
{
	cr_assert_eq(parse("drops --all --by port"), 1, "%s", err.msg);
	cr_assert_eq(parse("drops --watch 3"), 1, "%s", err.msg);
	cr_assert_not(cmd.opt[DROPS_OPT_ALL].set);
	cr_assert_not(cmd.opt[DROPS_OPT_BY].set);
	cr_assert(cmd.opt[DROPS_OPT_WATCH].set);
}

Test(parse, words)
{
	char *argv[] = { "drops", "--netns", "my ns", "--by", "port" };

	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_parse_words(5, argv, &cmd, &err), 0, "%s", err.msg);
	cr_assert_str_eq(cmd.spec->words, "drops");
	cr_assert_str_eq(cmd.opt[DROPS_OPT_NETNS].str, "my ns");
	/* columns of the joined line: drops --netns "my ns" --by port */
	cr_assert_eq(cmd.opt[DROPS_OPT_NETNS].col, 15);
	cr_assert_eq(cmd.opt[DROPS_OPT_BY].col, 28);

	char *bad[] = { "drops", "--by", "nope" };

	cr_assert_eq(sl_parse_words(3, bad, &cmd, &err), -1);
	cr_assert_str_eq(err.msg, "--by: 'nope' is not one of reason, port, addr, socket");
	cr_assert_eq(err.col, 12);

	/* a word that looks like a comment is quoted, so it is a word */
	char *hash[] = { "#status" };

	cr_assert_eq(sl_parse_words(1, hash, &cmd, &err), -1);
	cr_assert_str_eq(err.msg, "unknown command '#status'");

	cr_assert_eq(sl_parse_words(0, argv, &cmd, &err), -1);
	cr_assert_str_eq(err.msg, "no command given");
	cr_assert_eq(err.col, 0);

	char *huge[] = { "drops", "--netns", (char *)repeat('n', SL_MAX_LINE, "") };

	cr_assert_eq(sl_parse_words(3, huge, &cmd, &err), -1);
	cr_assert_str_eq(err.msg, "command longer than 4096 bytes");
}

Test(parse, words_of_exactly_the_line_limit)
{
	/* "drops --netns " is 14 bytes: the whole line is exactly SL_MAX_LINE */
	char *argv[] = { "drops", "--netns", (char *)repeat('n', SL_MAX_LINE - 14, "") };

	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_parse_words(3, argv, &cmd, &err), 0, "%s", err.msg);
	cr_assert_eq(strlen(cmd.opt[DROPS_OPT_NETNS].str), SL_MAX_LINE - 14);
}

/* --- quoting round trips ------------------------------------------------ */

struct words {
	int n;
	char *w[6];
	const char *joined;
};

Test(join, quoting_and_round_trip)
{
	static const struct words cases[] = {
		{ 2, { "drops", "enable" }, "drops enable" },
		{ 3, { "drops", "--netns", "my ns" }, "drops --netns \"my ns\"" },
		{ 1, { "" }, "\"\"" },
		{ 3, { "a", "", "b" }, "a \"\" b" },
		{ 1, { "say \"hi\"" }, "\"say \\\"hi\\\"\"" },
		{ 1, { "it's" }, "\"it's\"" },
		{ 1, { "#not-a-comment" }, "\"#not-a-comment\"" },
		{ 1, { "a#b" }, "\"a#b\"" },
		{ 1, { "back\\slash" }, "\"back\\\\slash\"" },
		{ 1, { "trailing\\" }, "\"trailing\\\\\"" },
		{ 1, { "tab\there" }, "\"tab\there\"" },
		{ 4, { "x", " lead", "trail ", "\\\"'#" }, "x \" lead\" \"trail \" \"\\\\\\\"'#\"" },
		{ 1, { "plain-word_1.2:3/4" }, "plain-word_1.2:3/4" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct words *c = &cases[i];
		char line[256];
		int len = sl_join_words(c->n, c->w, line, sizeof(line));

		cr_assert_str_eq(line, c->joined, "case %zu", i);
		cr_assert_eq(len, (int)strlen(c->joined), "case %zu", i);
		cr_assert_eq(tokenize(line), 0, "case %zu '%s': %s", i, line, err.msg);
		cr_assert_eq(toks.n, c->n, "case %zu '%s'", i, line);
		for (int k = 0; k < c->n; k++)
			cr_assert_str_eq(toks.tok[k].text, c->w[k], "case %zu word %d", i, k);
	}
}

Test(join, size_limits)
{
	char *argv[] = { "ab", "c d" };   /* ab "c d" : 8 bytes */
	char line[16];

	cr_assert_eq(sl_join_words(0, argv, line, sizeof(line)), 0);
	cr_assert_str_eq(line, "");
	cr_assert_eq(sl_join_words(2, argv, line, 9), 8, "exactly fits with its NUL");
	cr_assert_str_eq(line, "ab \"c d\"");
	cr_assert_eq(sl_join_words(2, argv, line, 8), -1);
	cr_assert_eq(sl_join_words(2, argv, line, 3), -1);
	cr_assert_eq(sl_join_words(1, argv, line, 3), 2);
	cr_assert_str_eq(line, "ab");
	cr_assert_eq(sl_join_words(1, argv, line, 2), -1);
	cr_assert_eq(sl_join_words(1, argv, line, 0), -1);
}

/* --- canonical form ----------------------------------------------------- */

static void check_format(const char *line, bool client, const char *expect)
{
	char out[SL_MAX_LINE + 1];
	struct sl_cmd again;

	cr_assert_eq(parse(line), 1, "'%s': %s", line, err.msg);
	cr_assert_eq(sl_cmd_format(&cmd, client, out, sizeof(out)), (int)strlen(expect), "'%s'", line);
	cr_assert_str_eq(out, expect, "'%s'", line);

	/* the canonical line parses to the same command */
	cr_assert_eq(sl_parse_line(out, &again, &err), 1, "'%s': %s", out, err.msg);
	cr_assert_eq(again.spec, cmd.spec);
	for (int k = 0; cmd.spec->opts[k].name; k++) {
		const struct sl_value *a = &cmd.opt[k], *b = &again.opt[k];
		bool dropped = cmd.spec->opts[k].client_only && !client;

		cr_assert_eq(b->set, a->set && !dropped, "'%s' %s", out, cmd.spec->opts[k].name);
		if (b->set) {
			cr_assert_str_eq(b->str, a->str);
			cr_assert_eq(b->num, a->num);
		}
	}
}

Test(format, canonical_lines)
{
	check_format("status", false, "status");
	check_format("  drops   enable  ", false, "drops enable");
	check_format("drops enable --sample-rate 0", false, "drops enable --sample-rate 0");
	/* options come out in spec order; client-only ones are dropped */
	check_format("drops --watch 2 --by addr --all", false, "drops --all --by addr");
	check_format("drops --watch 2 --by addr --all", true, "drops --all --by addr --watch 2");
	check_format("drops --watch 5", false, "drops");
	check_format("drops --netns 'blue ns' --by 'port'", false, "drops --netns \"blue ns\" --by port");
	check_format("drops --netns 'a\"b\\c'", false, "drops --netns \"a\\\"b\\\\c\"");
	check_format("drops events --count 7 --netns x", false, "drops events --netns x --count 7");
}

Test(format, too_small)
{
	char out[16];

	cr_assert_eq(parse("drops --all"), 1, "%s", err.msg);
	cr_assert_eq(sl_cmd_format(&cmd, false, out, 8), -1);
	cr_assert_eq(sl_cmd_format(&cmd, false, out, 11), -1);
	cr_assert_eq(sl_cmd_format(&cmd, false, out, 12), 11);
	cr_assert_str_eq(out, "drops --all");
}

/* --- help --------------------------------------------------------------- */

Test(help, usage_lines)
{
	static const struct {
		const char *words, *usage;
	} cases[] = {
		{ "drops", "drops [--netns NAME] [--all] [--by KEY] [--watch SECONDS]\n" },
		{ "drops enable", "drops enable [--sample-rate N]\n" },
		{ "drops disable", "drops disable\n" },
		{ "drops reset", "drops reset [--netns NAME] [--all]\n" },
		{ "drops events", "drops events [--netns NAME] [--all] [--count N]\n" },
		{ "status", "status\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		CAPTURE(text, sl_print_usage(spec_of(cases[i].words), out));
		cr_assert_str_eq(text, cases[i].usage);
		free(text);
	}
}

Test(help, help_names_every_option)
{
	static const char *const words[] = { "status", "save", "reload", "drops", "drops enable",
					     "drops disable", "drops reset", "drops events", "drops stats",
					     "set create", "set add", "set del", "set test", "set list",
					     "set save", "set restore", "set flush", "set destroy", "set rename",
					     "set swap", "rule add", "rule del", "rule list", "mcast bridge",
					     "mcast port", "mcast groups", "mcast ports", "tcp add",
					     "tcp del", "tcp list", "xps add", "xps del", "xps cpus",
					     "xps del cpus", "xps list", "send add", "send del", "send list",
					     "sctp track", "sctp untrack",
					     "sctp policy", "sctp policy del", "sctp timeout", "sctp assoc" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		const struct sl_cmd_spec *s = spec_of(words[i]);
		char *text, *usage, expect[256];

		CAPTURE(usage, sl_print_usage(s, out));
		CAPTURE(text, sl_print_help(s, out));
		snprintf(expect, sizeof(expect), "usage: sluicectl [--socket PATH] [-j|--json] %s", usage);
		cr_assert(!strncmp(text, expect, strlen(expect)), "help of '%s' starts:\n%s", words[i], text);
		cr_assert_not_null(strstr(text, s->summary), "%s", words[i]);
		if (s->help)
			cr_assert_not_null(strstr(text, s->help), "%s", words[i]);
		cr_assert_eq(strstr(text, "\noptions:\n") != NULL, s->opts[0].name != NULL, "%s", words[i]);
		for (int k = 0; s->opts[k].name; k++) {
			char item[128];

			snprintf(item, sizeof(item), "\n  %s", s->opts[k].name);
			cr_assert_not_null(strstr(text, item), "help of '%s' lacks %s", words[i], item);
			cr_assert_not_null(strstr(text, s->opts[k].help), "%s %s", words[i], s->opts[k].name);
		}
		cr_assert_not_null(strstr(text, s->flags & SL_CMD_CONFIG
						? "\nin a config file: yes (it describes running state)\n"
						: "\nin a config file: no\n"), "%s", words[i]);
		free(text);
		free(usage);
	}
}

Test(help, option_column_layout)
{
	char *text;

	CAPTURE(text, sl_print_help(spec_of("drops enable"), out));
	cr_assert_not_null(strstr(text, "\noptions:\n  --sample-rate N        sampled drop events"),
			   "%s", text);
	free(text);
	CAPTURE(text, sl_print_help(spec_of("drops"), out));
	cr_assert_not_null(strstr(text, "\n  --all                  every network namespace\n"), "%s", text);
	free(text);
}

Test(help, command_list)
{
	static const char *const words[] = { "status", "save", "reload", "drops", "drops enable",
					     "drops disable", "drops reset", "drops events", "drops stats",
					     "set create", "set add", "set del", "set test", "set list",
					     "set save", "set restore", "set flush", "set destroy", "set rename",
					     "set swap", "rule add", "rule del", "rule list", "mcast bridge",
					     "mcast port", "mcast groups", "mcast ports", "tcp add",
					     "tcp del", "tcp list", "xps add", "xps del", "xps cpus",
					     "xps del cpus", "xps list", "send add", "send del", "send list",
					     "sctp track", "sctp untrack",
					     "sctp policy", "sctp policy del", "sctp timeout", "sctp assoc" };
	char *text;
	int lines = 0;

	CAPTURE(text, sl_print_command_list(out));
	for (const char *p = text; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, (int)(sizeof(words) / sizeof(words[0])), "%s", text);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char item[128];

		snprintf(item, sizeof(item), "  %-22s %s\n", words[i], spec_of(words[i])->summary);
		cr_assert_not_null(strstr(text, item), "list lacks '%s':\n%s", words[i], text);
	}
	cr_assert(!strncmp(text, "  status ", 9), "core commands first:\n%s", text);
	free(text);
}

/* --- caret -------------------------------------------------------------- */

Test(caret, placement)
{
	static const struct {
		const char *line;
		int col;
		const char *expect;
	} cases[] = {
		{ "drops --by color", 12, "  drops --by color\n             ^\n" },
		{ "drops --by color", 1, "  drops --by color\n  ^\n" },
		{ "ab", 3, "  ab\n    ^\n" },                  /* just past the end */
		{ "ab", 6, "  ab\n       ^\n" },               /* well past the end */
		{ "ab", 0, "  ab\n" },                        /* no column: no caret */
		{ "\tx y", 4, "  \tx y\n  \t  ^\n" },          /* tabs copied so the caret lines up */
		{ "first\nsecond", 2, "  first\n   ^\n" },      /* only the first line */
		{ "", 1, "  \n  ^\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		CAPTURE(text, sl_print_caret(out, cases[i].line, cases[i].col));
		cr_assert_str_eq(text, cases[i].expect, "case %zu", i);
		free(text);
	}
}

Test(caret, under_the_error_column)
{
	const char *line = "drops enable --sample-rate 1000001";
	char *text;

	cr_assert_eq(parse(line), -1);
	CAPTURE(text, sl_print_caret(out, line, err.col));
	const char *caret = strchr(text, '\n') + 1;

	/* both lines are indented by two: the caret sits under the value's first byte */
	cr_assert_eq(strchr(caret, '^') - caret, 2 + (strstr(line, "1000001") - line));
	free(text);
}

Test(caret, fmemopen_buffer)
{
	char buf[64] = "";
	FILE *out = fmemopen(buf, sizeof(buf), "w");

	cr_assert_not_null(out);
	sl_print_caret(out, "save x", 6);
	fclose(out);
	cr_assert_str_eq(buf, "  save x\n       ^\n");
}

/* --- SL_REST: commands with a syntax of their own (ipset's) ------------- */

Test(rest, takes_every_remaining_word_with_columns)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS];

	cr_assert_eq(parse("set add  blocklist 10.0.0.1 --x -exist comment \"a b\""), 1, "%s", err.msg);
	cr_assert_str_eq(cmd.spec->words, "set add");
	cr_assert_eq(sl_rest(&cmd, argv, cols), 6);
	cr_assert_str_eq(argv[0], "blocklist");
	cr_assert_eq(cols[0], 10);
	cr_assert_str_eq(argv[2], "--x", "words that look like options are the feature's");
	cr_assert_str_eq(argv[5], "a b");
	cr_assert_eq(cols[5], 48);
}

Test(rest, optional_rest_may_be_empty_and_required_rest_may_not)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS];

	cr_assert_eq(parse("set list"), 1, "%s", err.msg);
	cr_assert_eq(sl_rest(&cmd, argv, cols), 0);
	cr_assert_eq(parse("set add"), -1);
	cr_assert(strstr(err.msg, "missing"), "%s", err.msg);
	cr_assert_eq(err.col, 9);
}

Test(rest, canonical_format_keeps_the_words_and_their_quoting)
{
	char out[SL_MAX_LINE];

	cr_assert_eq(parse("set   add blocklist 10.0.0.1   comment 'a \"b'"), 1, "%s", err.msg);
	cr_assert_gt(sl_cmd_format(&cmd, false, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "set add blocklist 10.0.0.1 comment \"a \\\"b\"");
	cr_assert_eq(parse(out), 1, "%s", err.msg);
	cr_assert_str_eq(cmd.toks.tok[5].text, "a \"b");
}

/* --- keyword options (tcp add ... initcwnd 10) ----------------------- */

Test(keyword, a_dashless_option_is_its_bare_word_and_formats_back)
{
	struct sl_cmd c;
	struct sl_error e = { 0 };
	char out[256];

	cr_assert_eq(sl_parse_line("tcp add initcwnd 10 netns blue", &c, &e), 1, "%s", e.msg);
	cr_assert(c.opt[0].set, "netns, slot 0");
	cr_assert_str_eq(c.opt[0].str, "blue");
	cr_assert_gt(sl_cmd_format(&c, false, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "tcp add netns blue initcwnd 10");
	/* a word that is no keyword of this command stays an error */
	cr_assert_eq(sl_parse_line("tcp add initcwnd 10 blue", &c, &e), -1);
	cr_assert_str_eq(e.msg, "tcp add: unexpected argument 'blue'");
	/* keywords belong to their command only: drops has none */
	cr_assert_eq(sl_parse_line("drops netns blue", &c, &e), -1);
}
