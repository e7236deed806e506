/* `ipset -`: commands read from standard input, one a line, as ipset's
 * interactive mode reads them (measured on ipset 7.17, input a pipe or a
 * terminal alike): the prompt "ipset> " on standard output before every
 * read (twice for a blank or # line), each line run as a command line of
 * its own with its own messages, global options kept for the lines after
 * the one that gives them, `quit` or the end of input ends it, and the exit
 * code is always 0. A line with no known command says "No command
 * specified" on standard output; `restore` is refused there too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "ctl.h"
#include "ipset_run.h"

#define PROMPT "ipset> "

/* Global option words given so far (with their values): every later line
 * is run with them before its own words, so its own -o wins. */
struct sticky {
	char buf[SL_MAX_LINE + SL_IPSET_WORDS];
	size_t used;
	int n;
	char *word[SL_IPSET_WORDS];
};

static void keep(struct sticky *st, const char *w)
{
	size_t len = strlen(w) + 1;

	if (st->n == SL_IPSET_WORDS || st->used + len > sizeof(st->buf))
		return; /* past any real line: the later words are dropped */
	st->word[st->n++] = memcpy(st->buf + st->used, w, len);
	st->used += len;
}

static void keep_globals(struct sticky *st, int argc, char *const argv[])
{
	for (int i = 0; i < argc; i++) {
		int n = sl_ipset_global_words(argv[i]);

		for (int k = 0; k < n && i + k < argc; k++)
			keep(st, argv[i + k]);
		if (n)
			i += n - 1;
	}
}

/* One line's words: runs it; 1 once it says quit */
static int one_line(const char *sock, struct sticky *st, const struct sl_tokens *t)
{
	char *argv[2 * SL_IPSET_WORDS];
	struct sl_ipset_req *req = calloc(1, sizeof(*req));
	struct sl_error err;
	int argc = 0, quit = 0;

	if (!req)
		return 1;
	for (int i = 0; i < st->n; i++)
		argv[argc++] = st->word[i];
	for (int i = 0; i < t->n && argc < (int)(sizeof(argv) / sizeof(argv[0])); i++)
		argv[argc++] = (char *)t->tok[i].text;
	/* what ipset's interactive loop decides before it runs a line */
	if (sl_ipset_cli_parse(argc, argv, req, &err)) {
		if (!strncmp(err.msg, "No command specified", strlen("No command specified")))
			printf("No command specified\n");
		else
			sl_ipset_main(sock, argc, argv); /* prints the error as a command line would */
	} else if (req->cmd == SL_IPSET_BATCH) {
		printf("No command specified\n");
	} else if (req->cmd == SL_IPSET_RESTORE) {
		printf("Restore command is not supported in interactive mode\n");
	} else if (req->cmd == SL_IPSET_QUIT) {
		quit = 1;
	} else {
		sl_ipset_main(sock, argc, argv);
	}
	keep_globals(st, t->n, (char *const *)argv + st->n);
	free(req);
	fflush(stdout);
	return quit;
}

int sl_ipset_batch(const char *sock, int argc, char **argv)
{
	static struct sticky st;
	static struct sl_tokens t;
	char line[SL_MAX_LINE + 2];
	struct sl_error err;

	memset(&st, 0, sizeof(st));
	keep_globals(&st, argc, argv); /* `ipset -exist -`: for every line */
	for (;;) {
		printf(PROMPT);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			break;
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " \t\r\v\f")] == '\0' || line[strspn(line, " \t\r\v\f")] == '#') {
			printf(PROMPT); /* ipset prompts again for a line it skips */
			continue;
		}
		if (sl_tokenize(line, &t, &err)) {
			fprintf(stderr, "%s: %s\n", SL_IPSET_BANNER, err.msg);
			continue;
		}
		if (one_line(sock, &st, &t))
			break;
	}
	fflush(stdout);
	return 0;
}
