/* ipset restore input into sluice's `set restore` lines (see ipset_run.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/grammar.h"
#include "ipset_run.h"

/* the specs of the sets the lines name: from the input's own create lines,
 * else from the daemon (asked once per name) */
struct spec_cache {
	int n;
	struct {
		char name[SL_SET_NAME_MAX + 1];
		bool found;
		struct sl_set_spec spec;
	} e[256];
};

static const struct sl_set_spec *lookup(struct spec_cache *c, const char *sock, const char *name)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, name))
			return c->e[i].found ? &c->e[i].spec : NULL;
	if (c->n == (int)(sizeof(c->e) / sizeof(c->e[0])))
		c->n = 0; /* a cache, not a record: start over */
	snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", name);
	c->e[c->n].found = !sl_ipset_set_spec(sock, name, &c->e[c->n].spec);
	return c->e[c->n].found ? &c->e[c->n++].spec : (c->n++, NULL);
}

static void remember(struct spec_cache *c, const struct sl_set_spec *spec)
{
	for (int i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].name, spec->name)) {
			c->e[i].found = true;
			c->e[i].spec = *spec;
			return;
		}
	if (c->n == (int)(sizeof(c->e) / sizeof(c->e[0])))
		c->n = 0;
	snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", spec->name);
	c->e[c->n].found = true;
	c->e[c->n++].spec = *spec;
}

static int refuse(const struct sl_ipset_req *outer, unsigned long line_no, const struct sl_error *err)
{
	if (!outer->quiet) {
		if (err->code == SL_IPSET_PARAM) /* ipset names no line for these */
			fprintf(stderr, "%s: %s\n%s\n", SL_IPSET_BANNER, err->msg, SL_IPSET_HINT);
		else
			fprintf(stderr, "%s: Error in line %lu: %s\n", SL_IPSET_BANNER, line_no, err->msg);
	}
	return err->code == SL_IPSET_PARAM ? SL_IPSET_PARAM : SL_IPSET_ERROR;
}

/* one line: its translation into out (a blank line keeps the numbering) */
static int translate(const char *sock, struct spec_cache *cache, const char *line, char *out, size_t size,
		     struct sl_ipset_req *req, struct sl_error *err)
{
	struct sl_tokens toks;
	char *argv[SL_MAX_TOKENS];
	struct sl_set_line cl;

	out[0] = '\0';
	if (sl_tokenize(line, &toks, err)) {
		err->code = SL_IPSET_ERROR;
		return -1;
	}
	if (toks.n == 0)
		return 0;
	if (!strcmp(toks.tok[0].text, "COMMIT")) {
		snprintf(out, size, "COMMIT");
		return 0;
	}
	for (int i = 0; i < toks.n; i++)
		argv[i] = (char *)toks.tok[i].text;
	if (sl_ipset_cli_parse(toks.n, argv, req, err))
		return -1;
	switch (req->cmd) {
	case SL_IPSET_ADD:
	case SL_IPSET_DEL:
	case SL_IPSET_TEST:
		if (sl_ipset_cli_check_elem(req, lookup(cache, sock, req->name), err))
			return -1;
		break;
	case SL_IPSET_CREATE:
	case SL_IPSET_FLUSH:
	case SL_IPSET_DESTROY:
	case SL_IPSET_RENAME:
	case SL_IPSET_SWAP:
		break;
	default: /* list, save, help... in a restore file: the daemon refuses them */
		snprintf(out, size, "%s", line);
		out[strcspn(out, "\r\n")] = '\0';
		return 0;
	}
	if (sl_join_words(req->nwords - 1, (char *const *)req->words + 1, out, size) < 0)
		return sl_fail(err, SL_IPSET_ERROR, 0, "line too long");
	if (req->cmd == SL_IPSET_CREATE && sl_set_line_parse(out, NULL, NULL, &cl, err) == 1)
		remember(cache, &cl.spec);
	return 0;
}

int sl_ipset_restore_input(const char *sock, int in_fd, const struct sl_ipset_req *outer, int *rc)
{
	struct spec_cache *cache = calloc(1, sizeof(*cache));
	struct sl_ipset_req *req = calloc(1, sizeof(*req));
	char out[SL_MAX_LINE + 1], *line = NULL;
	int fd = memfd_create("sluice-ipset-restore", MFD_CLOEXEC), in = dup(in_fd);
	FILE *f = in >= 0 ? fdopen(in, "r") : NULL;
	FILE *w = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	unsigned long line_no = 0;
	struct sl_error err;
	size_t cap = 0;

	*rc = SL_IPSET_ERROR;
	if (!cache || !req || !f || !w) {
		if (!outer->quiet)
			fprintf(stderr, "%s: cannot read the restore input\n", SL_IPSET_BANNER);
		goto fail;
	}
	while (getline(&line, &cap, f) >= 0) {
		line_no++;
		if (translate(sock, cache, line, out, sizeof(out), req, &err)) {
			*rc = refuse(outer, line_no, &err);
			goto fail;
		}
		fprintf(w, "%s\n", out);
	}
	if (fflush(w) || lseek(fd, 0, SEEK_SET) < 0)
		goto fail;
	fclose(w);
	fclose(f);
	free(line);
	free(req);
	free(cache);
	*rc = 0;
	return fd;
fail:
	if (w)
		fclose(w);
	if (f)
		fclose(f);
	else if (in >= 0)
		close(in);
	if (fd >= 0)
		close(fd);
	free(line);
	free(req);
	free(cache);
	return -1;
}
