#include "common/grammar.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

int sl_fail(struct sl_error *err, enum sl_code code, int col, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	sl_utf8_sanitize(err->msg); /* it quotes user input, maybe cut mid-character */
	return -1;
}

int sl_tokenize(const char *line, struct sl_tokens *out, struct sl_error *err)
{
	size_t len = strlen(line);
	char *w = out->buf;
	const char *p = line;

	out->n = 0;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > SL_MAX_LINE)
		return sl_fail(err, SL_E_USAGE, SL_MAX_LINE, "line longer than %d bytes", SL_MAX_LINE);
	while ((size_t)(p - line) < len) {
		char quote = 0;

		if (*p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		if (*p == '#')
			break;
		if (out->n == SL_MAX_TOKENS)
			return sl_fail(err, SL_E_USAGE, (int)(p - line) + 1, "more than %d words", SL_MAX_TOKENS);
		out->tok[out->n].text = w;
		out->tok[out->n].col = (int)(p - line) + 1;
		while ((size_t)(p - line) < len) {
			unsigned char c = (unsigned char)*p;

			if (!quote && (c == ' ' || c == '\t'))
				break;
			if ((c < 0x20 && c != '\t') || c == 0x7f) /* a tab here is quoted */
				return sl_fail(err, SL_E_USAGE, (int)(p - line) + 1,
					       "control character 0x%02x not allowed", c);
			/* words are UTF-8 (replies and pinned names are); quoted text
			 * may hold other bytes: ipset's save quotes comments, which it
			 * keeps byte for byte, and their reader converts them */
			if (c >= 0x80 && !quote) {
				size_t n = sl_utf8_char_len(p, len - (size_t)(p - line));

				if (!n)
					return sl_fail(err, SL_E_USAGE, (int)(p - line) + 1,
						       "byte 0x%02x is not valid UTF-8 (quote text in another encoding)",
						       c);
				memcpy(w, p, n);
				w += n;
				p += n;
				continue;
			}
			if (!quote && (c == '"' || c == '\'')) {
				quote = (char)c;
			} else if (quote && c == (unsigned char)quote) {
				quote = 0;
			} else if (quote == '"' && c == '\\' && (size_t)(p - line) + 1 < len &&
				   (p[1] == '"' || p[1] == '\\')) {
				*w++ = *++p;
			} else {
				*w++ = (char)c;
			}
			p++;
		}
		if (quote)
			return sl_fail(err, SL_E_USAGE, out->tok[out->n].col, "unterminated %c quote", quote);
		*w++ = '\0';
		out->n++;
	}
	return 0;
}

/* number of words in a spec's `words` string */
static int word_count(const char *words)
{
	int n = 0;

	for (const char *p = words; *p; n++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	return n;
}

static bool words_match(const char *words, const struct sl_tokens *toks, int n)
{
	const char *p = words;

	for (int i = 0; i < n; i++) {
		size_t l = strcspn(p, " ");

		if (i >= toks->n || strlen(toks->tok[i].text) != l || strncmp(p, toks->tok[i].text, l))
			return false;
		p += l;
		p += strspn(p, " ");
	}
	return true;
}

const struct sl_cmd_spec *sl_find_spec(const struct sl_tokens *toks, int *nwords)
{
	const struct sl_cmd_spec *best = NULL;
	int best_n = 0;

	for (int t = 0; sl_command_tables[t]; t++) {
		for (const struct sl_cmd_spec *s = sl_command_tables[t]; s->words; s++) {
			int n = word_count(s->words);

			if (n > best_n && words_match(s->words, toks, n)) {
				best = s;
				best_n = n;
			}
		}
	}
	if (nwords)
		*nwords = best_n;
	return best;
}

static int parse_value(enum sl_kind kind, const char *name, const char *text, int col,
		       unsigned long long min, unsigned long long max, const char *const *choices,
		       struct sl_value *v, struct sl_error *err)
{
	v->set = true;
	v->str = text;
	v->col = col;
	switch (kind) {
	case SL_FLAG:
	case SL_REST: /* parse_tokens() takes these */
	case SL_STRING:
		if (kind == SL_STRING && !*text)
			return sl_fail(err, SL_E_USAGE, col, "%s: empty value", name);
		if (kind == SL_STRING && sl_utf8_valid_len(text, strlen(text)) < strlen(text))
			return sl_fail(err, SL_E_USAGE, col, "%s: the value is not valid UTF-8", name);
		return 0;
	case SL_UINT: {
		char *end;

		if (!isdigit((unsigned char)text[0]))
			return sl_fail(err, SL_E_USAGE, col, "%s: expected a number, got '%s'", name, text);
		errno = 0;
		v->num = strtoull(text, &end, 10);
		if (*end)
			return sl_fail(err, SL_E_USAGE, col, "%s: expected a number, got '%s'", name, text);
		if (errno == ERANGE || v->num < min || v->num > max)
			return sl_fail(err, SL_E_USAGE, col, "%s: %s is out of range %llu..%llu", name,
				       text, min, max);
		return 0;
	}
	case SL_CHOICE: {
		char list[256] = "";

		for (int i = 0; choices[i]; i++) {
			if (!strcmp(text, choices[i])) {
				v->num = (unsigned long long)i;
				return 0;
			}
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", choices[i]);
		}
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not one of %s", name, text, list);
	}
	}
	return sl_fail(err, SL_E_USAGE, col, "%s: bad spec", name);
}

static bool spec_too_large(const struct sl_cmd_spec *spec)
{
	int o = 0, a = 0;

	while (spec->opts && spec->opts[o].name)
		o++;
	while (spec->args && spec->args[a].metavar)
		a++;
	return o > SL_MAX_OPTS || a > SL_MAX_ARGS;
}

/* an option named without dashes ("netns", "initcwnd") is a keyword: the
 * word itself, anywhere after the command's words, is the option */
static bool keyword_opt(const struct sl_cmd_spec *spec, const char *word)
{
	for (int k = 0; spec->opts && spec->opts[k].name; k++)
		if (spec->opts[k].name[0] != '-' && !strcmp(spec->opts[k].name, word))
			return true;
	return false;
}

/* the word after an option's value, one of o->then (tok[*i] is the value) */
static int parse_then(const struct sl_opt_spec *o, const struct sl_tokens *toks, int *i, struct sl_value *v,
		      struct sl_error *err)
{
	const struct sl_token *val = &toks->tok[*i];
	char list[128] = "";

	for (int c = 0; o->then[c]; c++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", c ? " or " : "", o->then[c]);
	if (*i + 1 >= toks->n)
		return sl_fail(err, SL_E_USAGE, val->col + (int)strlen(val->text) + 1, "%s %s: missing %s", o->name,
			       val->text, list);
	for (int c = 0; o->then[c]; c++)
		if (!strcmp(toks->tok[*i + 1].text, o->then[c])) {
			v->num = (unsigned long long)c;
			(*i)++;
			return 0;
		}
	return sl_fail(err, SL_E_USAGE, toks->tok[*i + 1].col, "%s %s: '%s' is not %s", o->name, val->text,
		       toks->tok[*i + 1].text, list);
}

static int parse_tokens(struct sl_cmd *cmd, struct sl_error *err)
{
	const struct sl_tokens *toks = &cmd->toks;
	const struct sl_cmd_spec *spec;
	int nwords, nargs = 0, i;

	memset(cmd->opt, 0, sizeof(cmd->opt));
	memset(cmd->arg, 0, sizeof(cmd->arg));
	spec = sl_find_spec(toks, &nwords);
	if (!spec)
		return sl_fail(err, SL_E_USAGE, toks->tok[0].col, "unknown command '%s'", toks->tok[0].text);
	if (spec_too_large(spec))
		abort(); /* a command table bug: cmd->opt/arg would overflow */
	cmd->spec = spec;
	for (i = nwords; i < toks->n; i++) {
		const struct sl_token *t = &toks->tok[i];

		if (spec->args && spec->args[nargs].metavar && spec->args[nargs].kind == SL_REST) {
			/* the feature parses these words itself: remember where they start */
			cmd->arg[nargs] = (struct sl_value){ .set = true, .str = t->text,
							     .num = (unsigned long long)i, .col = t->col };
			nargs++;
			break;
		}
		if ((t->text[0] == '-' && t->text[1] == '-') || keyword_opt(spec, t->text)) {
			const struct sl_opt_spec *o = NULL;
			int k;

			for (k = 0; spec->opts && spec->opts[k].name; k++)
				if (!strcmp(spec->opts[k].name, t->text)) {
					o = &spec->opts[k];
					break;
				}
			if (!o)
				return sl_fail(err, SL_E_USAGE, t->col, "%s: unknown option '%s'", spec->words,
					       t->text);
			if (cmd->opt[k].set)
				return sl_fail(err, SL_E_USAGE, t->col, "%s given twice", o->name);
			if (o->kind == SL_FLAG) {
				parse_value(SL_FLAG, o->name, t->text, t->col, 0, 0, NULL, &cmd->opt[k], err);
				continue;
			}
			if (i + 1 >= toks->n)
				return sl_fail(err, SL_E_USAGE, t->col, "%s: missing value %s", o->name,
					       o->metavar ? o->metavar : "");
			i++;
			if (parse_value(o->kind, o->name, toks->tok[i].text, toks->tok[i].col, o->min, o->max,
					o->choices, &cmd->opt[k], err))
				return -1;
			if (o->then && parse_then(o, toks, &i, &cmd->opt[k], err))
				return -1;
			if (o->then_any) {
				if (i + 1 >= toks->n)
					return sl_fail(err, SL_E_USAGE,
						       toks->tok[i].col + (int)strlen(toks->tok[i].text) + 1,
						       "%s %s: missing %s", o->name, toks->tok[i].text, o->then_any);
				cmd->opt[k].num = (unsigned long long)++i;
			}
			continue;
		}
		if (!spec->args || !spec->args[nargs].metavar)
			return sl_fail(err, SL_E_USAGE, t->col, "%s: unexpected argument '%s'", spec->words,
				       t->text);
		const struct sl_arg_spec *a = &spec->args[nargs];

		if (parse_value(a->kind, a->metavar, t->text, t->col, a->min, a->max, a->choices,
				&cmd->arg[nargs], err))
			return -1;
		nargs++;
	}
	if (spec->args && spec->args[nargs].metavar && !spec->args[nargs].optional) {
		const struct sl_token *last = &toks->tok[toks->n - 1];

		return sl_fail(err, SL_E_USAGE, last->col + (int)strlen(last->text) + 1,
			       "%s: missing %s", spec->words, spec->args[nargs].metavar);
	}
	if (spec->validate)
		return spec->validate(cmd, err);
	return 0;
}

int sl_parse_line(const char *line, struct sl_cmd *cmd, struct sl_error *err)
{
	cmd->line = 0;
	if (sl_tokenize(line, &cmd->toks, err))
		return -1;
	if (cmd->toks.n == 0)
		return 0;
	return parse_tokens(cmd, err) ? -1 : 1;
}

/* a word needs quotes when it holds blanks, quotes, '#', a backslash,
 * bytes that are not UTF-8 (only quoted text may), or nothing */
static bool needs_quotes(const char *s)
{
	return !*s || strpbrk(s, " \t\"'#\\") != NULL || sl_utf8_valid_len(s, strlen(s)) < strlen(s);
}

/* one byte, keeping room for the NUL; -1 when it does not fit */
static int put_char(char *out, size_t size, size_t *len, char c)
{
	if (*len + 1 >= size)
		return -1;
	out[(*len)++] = c;
	out[*len] = '\0';
	return 0;
}

static int append_word(char *out, size_t size, size_t *len, const char *word)
{
	bool q = needs_quotes(word);

	if (*len && put_char(out, size, len, ' '))
		return -1;
	if (q && put_char(out, size, len, '"'))
		return -1;
	for (const char *p = word; *p; p++) {
		if (q && (*p == '"' || *p == '\\') && put_char(out, size, len, '\\'))
			return -1;
		if (put_char(out, size, len, *p))
			return -1;
	}
	if (q && put_char(out, size, len, '"'))
		return -1;
	return 0;
}

int sl_join_words(int argc, char *const argv[], char *out, size_t size)
{
	size_t len = 0;

	if (!size)
		return -1;
	out[0] = '\0';
	for (int i = 0; i < argc; i++)
		if (append_word(out, size, &len, argv[i]))
			return -1;
	return (int)len;
}

int sl_parse_words(int argc, char *const argv[], struct sl_cmd *cmd, struct sl_error *err)
{
	char line[SL_MAX_LINE + 1];

	if (argc == 0)
		return sl_fail(err, SL_E_USAGE, 0, "no command given");
	if (sl_join_words(argc, argv, line, sizeof(line)) < 0)
		return sl_fail(err, SL_E_USAGE, 0, "command longer than %d bytes", SL_MAX_LINE);
	return sl_parse_line(line, cmd, err) == 1 ? 0 : -1;
}

const char *sl_then_word(const struct sl_cmd *cmd, int k)
{
	return cmd->toks.tok[cmd->opt[k].num].text;
}

int sl_then_col(const struct sl_cmd *cmd, int k)
{
	return cmd->toks.tok[cmd->opt[k].num].col;
}

int sl_rest(const struct sl_cmd *cmd, char *argv[], int cols[])
{
	const struct sl_value *v = NULL;
	int n = 0;

	for (int k = 0; cmd->spec->args && cmd->spec->args[k].metavar; k++)
		if (cmd->spec->args[k].kind == SL_REST)
			v = &cmd->arg[k];
	if (!v || !v->set)
		return 0;
	for (int i = (int)v->num; i < cmd->toks.n; i++, n++) {
		argv[n] = (char *)cmd->toks.tok[i].text;
		cols[n] = cmd->toks.tok[i].col;
	}
	return n;
}

int sl_cmd_format(const struct sl_cmd *cmd, bool with_client_only, char *out, size_t size)
{
	const struct sl_cmd_spec *spec = cmd->spec;
	size_t len = 0;
	char words[128];
	char *save = NULL, *w;

	out[0] = '\0';
	snprintf(words, sizeof(words), "%s", spec->words);
	for (w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (append_word(out, size, &len, w))
			return -1;
	for (int k = 0; spec->args && spec->args[k].metavar; k++) {
		if (!cmd->arg[k].set)
			continue;
		if (spec->args[k].kind != SL_REST) {
			if (append_word(out, size, &len, cmd->arg[k].str))
				return -1;
			continue;
		}
		for (int i = (int)cmd->arg[k].num; i < cmd->toks.n; i++)
			if (append_word(out, size, &len, cmd->toks.tok[i].text))
				return -1;
	}
	for (int k = 0; spec->opts && spec->opts[k].name; k++) {
		const struct sl_opt_spec *o = &spec->opts[k];

		if (!cmd->opt[k].set || (o->client_only && !with_client_only))
			continue;
		if (append_word(out, size, &len, o->name))
			return -1;
		if (o->kind != SL_FLAG && append_word(out, size, &len, cmd->opt[k].str))
			return -1;
		if (o->then && append_word(out, size, &len, o->then[cmd->opt[k].num]))
			return -1;
		if (o->then_any && append_word(out, size, &len, sl_then_word(cmd, k)))
			return -1;
	}
	return (int)len;
}

void sl_print_usage(const struct sl_cmd_spec *spec, FILE *out)
{
	fprintf(out, "%s", spec->words);
	for (int k = 0; spec->args && spec->args[k].metavar; k++)
		fprintf(out, spec->args[k].optional ? " [%s]" : " %s", spec->args[k].metavar);
	for (int k = 0; spec->opts && spec->opts[k].name; k++) {
		const struct sl_opt_spec *o = &spec->opts[k];

		if (o->kind == SL_FLAG)
			fprintf(out, " [%s]", o->name);
		else
			fprintf(out, " [%s %s]", o->name, o->metavar ? o->metavar : "VALUE");
	}
	fputc('\n', out);
}

void sl_print_help(const struct sl_cmd_spec *spec, FILE *out)
{
	fprintf(out, "usage: sluicectl [--socket PATH] [-j|--json] ");
	sl_print_usage(spec, out);
	fprintf(out, "\n%s\n", spec->summary);
	if (spec->help)
		fprintf(out, "\n%s\n", spec->help);
	if (spec->args && spec->args[0].metavar) {
		fprintf(out, "\narguments:\n");
		for (int k = 0; spec->args[k].metavar; k++)
			fprintf(out, "  %-22s %s\n", spec->args[k].metavar, spec->args[k].help);
	}
	if (spec->opts && spec->opts[0].name) {
		fprintf(out, "\noptions:\n");
		for (int k = 0; spec->opts[k].name; k++) {
			const struct sl_opt_spec *o = &spec->opts[k];
			char left[64];

			snprintf(left, sizeof(left), "%s%s%s", o->name, o->kind == SL_FLAG ? "" : " ",
				 o->kind == SL_FLAG ? "" : (o->metavar ? o->metavar : "VALUE"));
			fprintf(out, "  %-22s %s\n", left, o->help);
		}
	}
	fprintf(out, "\nin a config file: %s\n",
		spec->flags & SL_CMD_CONFIG ? "yes (it describes running state)" : "no");
}

void sl_print_command_list(FILE *out)
{
	for (int t = 0; sl_command_tables[t]; t++)
		for (const struct sl_cmd_spec *s = sl_command_tables[t]; s->words; s++)
			fprintf(out, "  %-22s %s\n", s->words, s->summary);
}

void sl_print_caret(FILE *out, const char *line, int col)
{
	size_t len = strcspn(line, "\n");

	fprintf(out, "  %.*s\n", (int)len, line);
	if (col < 1)
		return;
	fprintf(out, "  ");
	for (int i = 1; i < col; i++)
		fputc((size_t)(i - 1) < len && line[i - 1] == '\t' ? '\t' : ' ', out);
	fprintf(out, "^\n");
}
