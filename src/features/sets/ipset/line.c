/* One line of `ipset save` output / `ipset restore` input. Words are split
 * by the project's tokenizer (double quotes hold a comment's blanks, '#'
 * starts a comment line), so errors carry the column of the word. */
#include "features/sets/ipset/ipset.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ipset's command words and its one-letter and -X aliases (COMMIT has no
 * alias and no lower-case form in ipset either) */
static const struct {
	enum sl_set_cmd cmd;
	const char *word[3];
	int min_names, max_names; /* set names after the word, for the simple ones */
} commands[] = {
	{ SL_SETCMD_CREATE, { "create", "n", "-N" }, 0, 0 },
	{ SL_SETCMD_ADD, { "add", "a", "-A" }, 0, 0 },
	{ SL_SETCMD_DEL, { "del", "d", "-D" }, 0, 0 },
	{ SL_SETCMD_TEST, { "test", "t", "-T" }, 0, 0 },
	{ SL_SETCMD_FLUSH, { "flush", "f", "-F" }, 0, 1 },
	{ SL_SETCMD_DESTROY, { "destroy", "x", "-X" }, 0, 1 },
	{ SL_SETCMD_RENAME, { "rename", "e", "-E" }, 2, 2 },
	{ SL_SETCMD_SWAP, { "swap", "w", "-W" }, 2, 2 },
	{ SL_SETCMD_COMMIT, { "COMMIT", NULL, NULL }, 0, 0 },
};

static int find_command(const char *word)
{
	for (size_t i = 0; i < N(commands); i++)
		for (int k = 0; k < 3 && commands[i].word[k]; k++)
			if (!strcmp(word, commands[i].word[k]))
				return (int)i;
	return -1;
}

static const char *cmd_name(enum sl_set_cmd cmd)
{
	for (size_t i = 0; i < N(commands); i++)
		if (commands[i].cmd == cmd)
			return commands[i].word[0];
	return "?";
}

struct words {
	int n;
	char *w[SL_MAX_TOKENS];
	int col[SL_MAX_TOKENS];
};

/* the tokens after the command word */
static void args_of(struct sl_tokens *toks, struct words *a)
{
	a->n = toks->n - 1;
	for (int i = 1; i < toks->n; i++) {
		a->w[i - 1] = (char *)toks->tok[i].text;
		a->col[i - 1] = toks->tok[i].col;
	}
}

/* ipset takes -exist anywhere: drop it from among the first `positional`
 * words (NAME TYPE, NAME ELEM), where the parsers after this expect none */
static bool drop_leading_exist(struct words *a, int positional)
{
	bool exist = false;
	int out = 0, seen = 0;

	for (int i = 0; i < a->n; i++) {
		if (seen < positional && (!strcmp(a->w[i], "-exist") || !strcmp(a->w[i], "-!"))) {
			exist = true;
			continue;
		}
		seen++;
		a->w[out] = a->w[i];
		a->col[out++] = a->col[i];
	}
	a->n = out;
	return exist;
}

/* flush, destroy, rename, swap, COMMIT: set names and -exist only */
static int parse_names(int cmd, const struct words *a, int end_col, struct sl_set_line *out, struct sl_error *err)
{
	const char *word = commands[cmd].word[0];
	int names = 0;

	for (int i = 0; i < a->n; i++) {
		char *dst = names == 0 ? out->name : out->name2;

		if (!strcmp(a->w[i], "-exist") || !strcmp(a->w[i], "-!")) {
			out->exist = true;
			continue;
		}
		if (names == commands[cmd].max_names)
			return sl_fail(err, SL_E_USAGE, a->col[i], "%s takes %s, got '%s'", word,
				       commands[cmd].max_names ? "no more set names" : "no arguments", a->w[i]);
		if (sl_set_name_check(a->w[i], a->col[i], err))
			return -1;
		snprintf(dst, SL_SET_NAME_MAX + 1, "%s", a->w[i]);
		names++;
	}
	if (names < commands[cmd].min_names)
		return sl_fail(err, SL_E_USAGE, end_col, "%s needs %d set names", word, commands[cmd].min_names);
	return 0;
}

/* add/del/test NAME ELEM [options] */
static int parse_adt(enum sl_set_cmd cmd, const struct words *a, int end_col, sl_set_lookup_fn lookup, void *ctx,
		     struct sl_set_line *out, struct sl_error *err)
{
	const struct sl_set_spec *spec;

	if (a->n < 1)
		return sl_fail(err, SL_E_USAGE, end_col, "%s needs a set name and an element", cmd_name(cmd));
	if (sl_set_name_check(a->w[0], a->col[0], err))
		return -1;
	snprintf(out->name, sizeof(out->name), "%s", a->w[0]);
	spec = lookup ? lookup(a->w[0], ctx) : NULL;
	if (!spec)
		return sl_fail(err, SL_E_USAGE, a->col[0], "set '%s' does not exist", a->w[0]);
	if (a->n < 2)
		return sl_fail(err, SL_E_USAGE, end_col, "%s needs %s", sl_set_types[spec->type].name,
			       sl_set_types[spec->type].metavar);
	if (sl_set_elem_parse(spec, cmd, a->n - 1, a->w + 1, a->col + 1, &out->elem, err))
		return -1;
	if (out->exist)
		out->elem.flags |= SL_ELEM_F_EXIST;
	out->exist = out->elem.flags & SL_ELEM_F_EXIST;
	return 0;
}

static int command_index(enum sl_set_cmd cmd)
{
	for (size_t i = 0; i < N(commands); i++)
		if (commands[i].cmd == cmd)
			return (int)i;
	return -1;
}

int sl_set_args_parse(enum sl_set_cmd cmd, int argc, char *const argv[], const int *cols, int end_col,
		      sl_set_lookup_fn lookup, void *ctx, struct sl_set_line *out, struct sl_error *err)
{
	int ci = command_index(cmd);
	struct words a;

	memset(out, 0, sizeof(*out));
	if (ci < 0 || cmd == SL_SETCMD_NONE)
		return sl_fail(err, SL_E_USAGE, 0, "unknown set command");
	if (argc > SL_MAX_TOKENS)
		return sl_fail(err, SL_E_USAGE, end_col, "too many words");
	out->cmd = cmd;
	a.n = argc;
	for (int i = 0; i < argc; i++) {
		a.w[i] = argv[i];
		a.col[i] = sl_set_word_col(argv, cols, i);
	}
	if (cmd == SL_SETCMD_CREATE || cmd == SL_SETCMD_ADD || cmd == SL_SETCMD_DEL || cmd == SL_SETCMD_TEST)
		out->exist = drop_leading_exist(&a, 2);
	switch (cmd) {
	case SL_SETCMD_CREATE:
		if (a.n < 1)
			return sl_fail(err, SL_E_USAGE, end_col, "create needs a set name and a type");
		if (sl_set_spec_parse(a.n, a.w, a.col, &out->spec, err))
			return -1;
		snprintf(out->name, sizeof(out->name), "%s", out->spec.name);
		if (out->exist)
			out->spec.flags |= SL_SET_F_EXIST;
		out->exist = out->spec.flags & SL_SET_F_EXIST;
		break;
	case SL_SETCMD_ADD:
	case SL_SETCMD_DEL:
	case SL_SETCMD_TEST:
		if (parse_adt(cmd, &a, end_col, lookup, ctx, out, err))
			return -1;
		break;
	default:
		if (parse_names(ci, &a, end_col, out, err))
			return -1;
	}
	return 1;
}

int sl_set_line_parse(const char *line, sl_set_lookup_fn lookup, void *ctx, struct sl_set_line *out,
		      struct sl_error *err)
{
	struct sl_tokens toks;
	struct words a;
	int cmd, end_col = (int)strcspn(line, "\r\n") + 1; /* after the last word */

	memset(out, 0, sizeof(*out));
	if (sl_tokenize(line, &toks, err))
		return -1;
	if (toks.n == 0)
		return 0;
	cmd = find_command(toks.tok[0].text);
	if (cmd < 0)
		return sl_fail(err, SL_E_USAGE, toks.tok[0].col, "unknown command '%s'", toks.tok[0].text);
	args_of(&toks, &a);
	return sl_set_args_parse(commands[cmd].cmd, a.n, a.w, a.col, end_col, lookup, ctx, out, err);
}
