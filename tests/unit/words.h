/* The words of a line with their columns, split by the project's
 * tokenizer: what a feature's own parser gets from an SL_REST argument. */
#ifndef SLUICE_TEST_WORDS_H
#define SLUICE_TEST_WORDS_H

#include <criterion/criterion.h>

#include "common/grammar.h"

struct words {
	struct sl_tokens toks;
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS];
	int n;
};

static inline void split(const char *line, struct words *w)
{
	struct sl_error err = { 0 };

	cr_assert_eq(sl_tokenize(line, &w->toks, &err), 0, "tokenize '%s': %s", line, err.msg);
	w->n = w->toks.n;
	for (int i = 0; i < w->n; i++) {
		w->argv[i] = (char *)w->toks.tok[i].text;
		w->cols[i] = w->toks.tok[i].col;
	}
}

#endif
