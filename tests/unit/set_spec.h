/* A set's spec from the words of its create line, failing the test when
 * they do not parse (tests of the ipset language and its oracle). */
#ifndef SLUICE_TEST_SET_SPEC_H
#define SLUICE_TEST_SET_SPEC_H

#include "features/sets/ipset/ipset.h"
#include "words.h"

static inline void spec_of(const char *create, struct sl_set_spec *spec)
{
	struct words w;
	struct sl_error err = { 0 };

	split(create, &w);
	cr_assert_eq(sl_set_spec_parse(w.n, w.argv, w.cols, spec, &err), 0, "create %s: %s", create, err.msg);
}

#endif
