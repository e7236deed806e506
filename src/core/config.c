#include "core/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/feature.h"

#define SL_CONFIG_MAX (16 << 20)

int sl_states_new(struct sl_states *s)
{
	s->st = calloc((size_t)sl_nfeatures, sizeof(*s->st));
	if (!s->st)
		return -1;
	for (int i = 0; i < sl_nfeatures; i++) {
		s->st[i] = calloc(1, sl_features[i]->state_size);
		if (!s->st[i]) {
			sl_states_free(s);
			return -1;
		}
		sl_features[i]->state_init(s->st[i]);
	}
	return 0;
}

void sl_states_free(struct sl_states *s)
{
	for (int i = 0; s->st && i < sl_nfeatures; i++) {
		if (s->st[i] && sl_features[i]->state_free)
			sl_features[i]->state_free(s->st[i]);
		free(s->st[i]);
	}
	free(s->st);
	s->st = NULL;
}

int sl_feature_of(const struct sl_cmd_spec *spec)
{
	const char *w = spec->words;
	size_t len = strcspn(w, " ");

	for (int i = 0; i < sl_nfeatures; i++) {
		const char *also = sl_features[i]->also;

		if ((strlen(sl_features[i]->name) == len && !strncmp(sl_features[i]->name, w, len)) ||
		    (also && strlen(also) == len && !strncmp(also, w, len)))
			return i;
	}
	return -1;
}

int sl_config_stage(const char *text, struct sl_states *out, int *ncmds, struct sl_error *err)
{
	struct sl_states s;
	struct sl_cmd *cmd = malloc(sizeof(*cmd));
	const char *p = text;
	int line = 0, n = 0, rc = -1;

	if (!cmd || sl_states_new(&s)) {
		free(cmd);
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	}
	while (*p) {
		size_t len = strcspn(p, "\n");
		char buf[SL_MAX_LINE + 2];
		int f, r;

		line++;
		if (len > SL_MAX_LINE) {
			sl_fail(err, SL_E_USAGE, SL_MAX_LINE + 1, "line longer than %d bytes", SL_MAX_LINE);
			goto fail;
		}
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		r = sl_parse_line(buf, cmd, err);
		if (r < 0)
			goto fail;
		if (r == 0)
			continue;
		f = sl_feature_of(cmd->spec);
		if (!(cmd->spec->flags & SL_CMD_CONFIG) || f < 0) {
			sl_fail(err, SL_E_USAGE, cmd->toks.tok[0].col,
				"'%s' is not a configuration command (it does not describe running state)",
				cmd->spec->words);
			goto fail;
		}
		cmd->line = line;
		if (cmd->spec->stage(s.st[f], cmd, err))
			goto fail;
		n++;
	}
	sl_states_free(out);
	*out = s;
	if (ncmds)
		*ncmds = n;
	rc = 0;
	line = 0;
fail:
	if (rc) {
		err->line = line;
		sl_states_free(&s);
	}
	free(cmd);
	return rc;
}

char *sl_config_read(const char *path, struct sl_error *err)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;

	if (!f) {
		sl_fail(err, SL_E_USAGE, 0, "cannot read config '%s': %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(SL_CONFIG_MAX + 1);
	if (!text) {
		fclose(f);
		sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		return NULL;
	}
	n = fread(text, 1, SL_CONFIG_MAX + 1, f);
	if (ferror(f) || n > SL_CONFIG_MAX) {
		sl_fail(err, SL_E_USAGE, 0, "cannot read config '%s': %s", path,
			ferror(f) ? strerror(errno) : "larger than 16 MiB");
		free(text);
		fclose(f);
		return NULL;
	}
	fclose(f);
	text[n] = '\0';
	if (strlen(text) != n) {
		sl_fail(err, SL_E_USAGE, 0, "config '%s' contains a NUL byte", path);
		free(text);
		return NULL;
	}
	return text;
}

/* where `word` stands alone in `msg` ('quoted' if `quoted`), or NULL */
static const char *word_in(const char *msg, const char *word, bool quoted)
{
	size_t n = strlen(word);

	for (const char *p = strstr(msg, word); n && p; p = strstr(p + 1, word)) {
		char before = p > msg ? p[-1] : ' ', after = p[n] ? p[n] : ' ';

		if (quoted ? before == '\'' && after == '\'' :
			     strchr(" (,", before) && strchr(" ),:", after))
			return p;
	}
	return NULL;
}

void sl_config_locate(const char *text, struct sl_error *err)
{
	struct sl_cmd *cmd;
	struct sl_error e2 = { 0 };
	char buf[SL_MAX_LINE + 1], canon[SL_MAX_LINE + 1];
	const char *p = text, *msg = err->msg, *best = NULL;
	int skip = 1, col = 0;
	size_t len;

	if (err->line <= 0 || err->col > 0)
		return;
	for (int l = 1; l < err->line && *p; l++)
		p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
	len = strcspn(p, "\n");
	if (len > SL_MAX_LINE || !(cmd = malloc(sizeof(*cmd))))
		return;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (sl_parse_line(buf, cmd, &e2) != 1)
		goto out;
	/* a message may start with the line as the journal spells it */
	len = sl_cmd_format(cmd, false, canon, sizeof(canon)) > 0 ? strlen(canon) : 0;
	if (len && !strncmp(msg, canon, len) && msg[len] == ':')
		msg += len + 1;
	for (const char *w = cmd->spec->words; *w; w++)
		skip += *w == ' ';
	/* the word the message names, quoted first; else the command's object */
	for (int quoted = 1; quoted >= 0 && !best; quoted--)
		for (int k = skip; k < cmd->toks.n; k++) {
			const char *at = word_in(msg, cmd->toks.tok[k].text, quoted);

			if (at && (!best || at < best)) {
				best = at;
				col = cmd->toks.tok[k].col;
			}
		}
	err->col = best ? col : cmd->toks.tok[skip < cmd->toks.n ? skip : 0].col;
out:
	free(cmd);
}

void sl_config_print_error(FILE *out, const char *source, const char *text, const struct sl_error *err)
{
	const char *p = text;

	if (err->line <= 0) {
		fprintf(out, "%s: error: %s\n", source, err->msg);
		return;
	}
	fprintf(out, "%s:%d:%d: error: %s\n", source, err->line, err->col, err->msg);
	for (int l = 1; l < err->line && *p; l++)
		p += strcspn(p, "\n") + (p[strcspn(p, "\n")] == '\n');
	sl_print_caret(out, p, err->col);
}

void sl_config_save(const struct sl_states *s, void *const *priv, FILE *out)
{
	fprintf(out, "# sluice running configuration (sluicectl save)\n");
	for (int i = 0; i < sl_nfeatures; i++)
		sl_features[i]->save(priv ? priv[i] : NULL, s->st[i], out);
}
