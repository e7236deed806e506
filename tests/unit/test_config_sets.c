/* A config's set lines staged with the entries they leave: what apply
 * would refuse (a duplicate add, a del of an absent element, more entries
 * than maxelem) is refused when staged, at the element's line and column,
 * with what ipset says; create options the kernel would refuse are parse
 * errors at their word. */
#include <criterion/criterion.h>

#include <string.h>

#include "common/grammar.h"
#include "core/config.h"

static struct sl_states st;
static struct sl_error err;

static void setup(void)
{
	cr_assert_eq(sl_states_new(&st), 0);
}

static void teardown(void)
{
	sl_states_free(&st);
}

TestSuite(config_sets, .init = setup, .fini = teardown);

static void assert_refused(const char *text, int line, int col, const char *msg_part)
{
	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_config_stage(text, &st, NULL, &err), -1, "accepted:\n%s", text);
	cr_assert_eq(err.code, SL_E_USAGE, "code %d: %s", err.code, err.msg);
	cr_assert_eq(err.line, line, "line %d, expected %d: %s", err.line, line, err.msg);
	cr_assert_eq(err.col, col, "col %d, expected %d: %s", err.col, col, err.msg);
	cr_assert(strstr(err.msg, msg_part), "'%s' lacks '%s'", err.msg, msg_part);
}

static void assert_valid(const char *text, int ncmds)
{
	int n = -1;

	memset(&err, 0, sizeof(err));
	cr_assert_eq(sl_config_stage(text, &st, &n, &err), 0, "refused: %s (line %d)", err.msg, err.line);
	cr_assert_eq(n, ncmds);
}

Test(config_sets, duplicate_add)
{
	assert_refused("set create s hash:ip\nset add s 10.0.0.1\nset add s 10.0.0.1\n", 3, 11,
		       "element cannot be added to the set: it's already added: 10.0.0.1 (set s)");
	/* inside a range added before */
	assert_refused("set create s hash:ip\nset add s 10.0.0.0/30\nset add s  10.0.0.2\n", 3, 12,
		       "already added: 10.0.0.2");
	assert_valid("set create s hash:ip\nset add s 10.0.0.1\nset add s 10.0.0.1 -exist\n", 3);
}

/* list:set: members staged as the kernel would take them */
Test(config_sets, list_members)
{
	static const struct {
		const char *lines;      /* after the three sets' create lines */
		int line, col;
		const char *msg;
	} bad[] = {
		{ "set add L a\nset add L a\n", 5, 11, "element cannot be added to the set: it's already added: a (set L)" },
		{ "set add L x\n", 4, 11, "set to be added/deleted/tested as element does not exist: x" },
		{ "set create M list:set\nset add L M\n", 5, 11, "sets with list:set type cannot be added to the set: M" },
		{ "set add L a\nset add L b before x\n", 5, 11, "'before' or 'after' does not exist: x" },
		{ "set add L a\nset del L b\n", 5, 11, "element cannot be deleted from the set: it's not added: b (set L)" },
		{ "set add L a\nset del L a before b\n", 5, 11, "'before' or 'after' is not added to the set: b (set L)" },
		/* a member stays while a list holds it */
		{ "set add L a\nset destroy a\n", 5, 0, "set cannot be destroyed: it is in use by a list:set: a" },
		{ "set add L a\nset destroy\n", 5, 0, "set cannot be destroyed: it is in use by a list:set: a" },
		{ "set add L a\nset rename a z\n", 5, 0, "set cannot be renamed: it is in use by a list:set: a" },
	};
	const char *sets = "set create a hash:ip\nset create b hash:net\nset create L list:set\n";
	char text[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", sets, bad[i].lines);
		assert_refused(text, bad[i].line, bad[i].col, bad[i].msg);
	}
	/* and goes once the list lets it go */
	snprintf(text, sizeof(text),
		 "%sset add L a\nset add L b before a\nset del L b before a\nset flush L\nset destroy a\n"
		 "set add L b -exist\nset add L b -exist\n", sets);
	assert_valid(text, 10);
}

Test(config_sets, del_of_absent)
{
	assert_refused("set create s hash:ip\nset add s 10.0.0.1\nset del s 10.0.0.1\nset del s 10.0.0.1\n", 4, 11,
		       "element cannot be deleted from the set: it's not added: 10.0.0.1");
	assert_valid("set create s hash:ip\nset del s 10.0.0.1 -exist\n", 2);
}

Test(config_sets, maxelem)
{
	/* one range larger than the set */
	assert_refused("set create s hash:ip maxelem 4\nset add s 10.0.0.0/29\n", 2, 11,
		       "set s: hash is full, cannot add more elements (maxelem 4)");
	/* adds whose total exceeds it; a del, a flush and a re-add with -exist make room or take none */
	assert_refused("set create s hash:ip maxelem 4\nset add s 10.0.0.0/30\nset add s 10.0.1.1\n", 3, 11,
		       "hash is full");
	assert_valid("set create s hash:ip maxelem 4\nset add s 10.0.0.0/30\nset del s 10.0.0.1\nset add s 10.0.1.1\n"
		     "set add s 10.0.0.2 -exist\n", 5);
	assert_valid("set create s hash:ip maxelem 4\nset add s 10.0.0.0/30\nset flush s\nset add s 10.0.1.0/30\n", 4);
	/* a net set counts prefixes, not hosts */
	assert_valid("set create n hash:net maxelem 2\nset add n 10.0.0.0/8\nset add n 10.1.0.0/16\n", 3);
}

Test(config_sets, sets_keep_their_own_entries)
{
	/* destroy, rename and swap move the staged entries with their set */
	assert_valid("set create a hash:ip\nset create b hash:ip\nset add b 10.0.0.1\nset destroy a\n"
		     "set add b 10.0.0.2\nset create a hash:ip\nset add a 10.0.0.1\n", 7);
	assert_refused("set create a hash:ip\nset create b hash:ip\nset add a 10.0.0.1\nset swap a b\n"
		       "set add b 10.0.0.1\n", 5, 11, "already added");
	assert_refused("set create a hash:ip\nset add a 10.0.0.1\nset rename a c\nset add c 10.0.0.1\n", 4, 11,
		       "already added");
}

Test(config_sets, create_options_the_kernel_refuses)
{
	assert_refused("set create s hash:ip maxelem 0\n", 1, 30, "maxelem 0: a set holds at least 1 element");
	assert_refused("set create s hash:ip maxelem 134217729\n", 1, 30, "holds at most 134217728");
	assert_valid("set create s hash:net maxelem 134217729\n", 1);
}
