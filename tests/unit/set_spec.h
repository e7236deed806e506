/* A set's spec from the words of its create line, failing the test when
 * they do not parse (tests of the ipset language and its oracle). */
#ifndef SLUICE_TEST_SET_SPEC_H
#define SLUICE_TEST_SET_SPEC_H

#include <stdio.h>
#include <string.h>

#include "features/sets/ipset/ipset.h"
#include "words.h"

static inline void spec_of(const char *create, struct sl_set_spec *spec)
{
	struct words w;
	struct sl_error err = { 0 };

	split(create, &w);
	cr_assert_eq(sl_set_spec_parse(w.n, w.argv, w.cols, spec, &err), 0, "create %s: %s", create, err.msg);
}

/* The entries `elem` adds to a set of `spec`, as `ipset list` prints
 * them, joined by blanks into got; the walk must give as many as it
 * counted first. */
static inline void entries_of(const struct sl_set_spec *spec, const char *elem, char *got, size_t size)
{
	struct sl_set_elem e, one;
	struct sl_set_iter it;
	struct sl_error err = { 0 };
	char *w[] = { (char *)elem }, text[64];
	uint64_t walked = 0;

	got[0] = '\0';
	cr_assert_eq(sl_set_elem_parse(spec, SL_SETCMD_ADD, 1, w, NULL, &e, &err), 0, "%s: %s", elem, err.msg);
	cr_assert_eq(sl_set_expand_init(&it, spec, &e, 0, &err), 0, "%s: %s", elem, err.msg);
	while (sl_set_expand_next(&it, &one)) {
		cr_assert_gt(sl_set_elem_format(spec, &one, text, sizeof(text)), 0);
		snprintf(got + strlen(got), size - strlen(got), "%s%s", *got ? " " : "", text);
		walked++;
	}
	cr_expect_eq(walked, it.count, "%s: counted %llu, walked %llu", elem, (unsigned long long)it.count,
		     (unsigned long long)walked);
}

#endif
