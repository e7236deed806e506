/* list:set in the ipset language (its rows in types.c, elem.c, format.c):
 * create lines, elements with `before`/`after` and ipset's older
 * SET,before,REF, and the refusals ipset makes before the kernel sees the
 * line. Every expected value was measured on the kernel's ipset (7.17);
 * the whole command language is compared in tests/netns/ipset_diff.cmds. */
#include <criterion/criterion.h>

#include <string.h>

#include "features/sets/ipset/ipset.h"
#include "set_spec.h"
#include "words.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(list_set, type_row)
{
	enum sl_set_type type;
	const struct sl_set_type_info *ti = sl_set_type_find("setlist", &type);

	cr_assert_not_null(ti);
	cr_expect_eq(type, SL_SET_LIST_SET);
	cr_expect_str_eq(ti->name, "list:set");
	cr_expect(ti->list && !ti->family && !ti->bitmap);
	/* the numbers kept for types this build lacks have no name: not found */
	cr_expect_null(sl_set_type_find("", NULL));
}

Test(list_set, create_lines)
{
	static const struct {
		const char *words, *line;
	} ok[] = {
		{ "L list:set", "create L list:set size 8" },
		{ "L setlist size 1", "create L list:set size 4" },
		{ "L list:set size 0", "create L list:set size 4" },
		{ "L list:set size 4294967295", "create L list:set size 4294967295" },
		{ "L list:set --size 5 --timeout 3 counters comment skbinfo",
		  "create L list:set size 5 timeout 3 counters comment skbinfo" },
		{ "L list:set timeout 0", "create L list:set size 8 timeout 0" },
	};
	static const struct {
		const char *words, *error;
	} bad[] = {
		{ "L list:set size 5 size 6", "size already specified" },
		{ "L list:set size abc", "size 'abc' is not a number" },
		{ "L list:set hashsize 64", "option 'hashsize' is not for list:set" },
		{ "L list:set maxelem 8", "option 'maxelem' is not for list:set" },
		{ "L list:set family inet", "option 'family' is not for list:set" },
		{ "L list:set forceadd", "option 'forceadd' is not for list:set" },
		{ "L hash:ip size 8", "option 'size' is not for hash:ip" },
	};
	char line[256];

	for (size_t i = 0; i < N(ok); i++) {
		struct sl_set_spec spec;

		spec_of(ok[i].words, &spec);
		cr_assert_gt(sl_set_spec_format(&spec, line, sizeof(line)), 0);
		cr_expect_str_eq(line, ok[i].line, "create %s", ok[i].words);
	}
	for (size_t i = 0; i < N(bad); i++) {
		struct sl_set_spec spec;
		struct sl_error err = { 0 };
		struct words w;

		split(bad[i].words, &w);
		cr_expect_eq(sl_set_spec_parse(w.n, w.argv, w.cols, &spec, &err), -1, "create %s was taken", bad[i].words);
		cr_expect_str_eq(err.msg, bad[i].error, "create %s", bad[i].words);
	}
}

Test(list_set, elements)
{
	static const struct {
		enum sl_set_cmd cmd;
		const char *words;
		const char *set, *ref;
		int before;
		const char *text;       /* as ipset prints it (a reference: "after", whichever was given) */
	} ok[] = {
		{ SL_SETCMD_ADD, "a", "a", "", 0, "a" },
		{ SL_SETCMD_ADD, "a before b", "a", "b", 1, "a after b" },
		{ SL_SETCMD_DEL, "a after b", "a", "b", -1, "a after b" },
		{ SL_SETCMD_TEST, "a --before b", "a", "b", 1, "a after b" },
		{ SL_SETCMD_ADD, "a,before,b", "a", "b", 1, "a after b" },
		{ SL_SETCMD_ADD, "a,after,b,c", "a", "b,c", -1, "a after b,c" },
		/* a separator at either end is none: the word is the name */
		{ SL_SETCMD_ADD, ",before,a", ",before,a", "", 0, ",before,a" },
		{ SL_SETCMD_ADD, "a,", "a,", "", 0, "a," },
		{ SL_SETCMD_ADD, "a timeout 5 packets 1 bytes 2 comment x skbqueue 3", "a", "", 0, "a" },
	};
	static const struct {
		enum sl_set_cmd cmd;
		const char *words, *error;
	} bad[] = {
		{ SL_SETCMD_ADD, "a,b", "you must specify elements as setname,[before|after],setname" },
		{ SL_SETCMD_ADD, "a,after", "you must specify elements as setname,[before|after],setname" },
		{ SL_SETCMD_ADD, "a,foo,b", "you must specify elements as setname,[before|after],setname" },
		{ SL_SETCMD_ADD, "a before b after c", "after already specified" },
		{ SL_SETCMD_ADD, "a,after,b before b", "before already specified" },
		{ SL_SETCMD_ADD, "a after b after b", "after already specified" },
		{ SL_SETCMD_ADD, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "setname 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is longer than 31 characters" },
		{ SL_SETCMD_ADD, "a timeout 5", "timeout given but set 'L' was created without timeout" },
		{ SL_SETCMD_ADD, "a nomatch", "nomatch given but set 'L' is list:set (only hash:net types have it)" },
		{ SL_SETCMD_TEST, "a timeout 5", "test takes no option 'timeout'" },
	};
	struct sl_set_spec spec;
	char text[256];

	spec_of("L list:set", &spec);
	for (size_t i = 0; i < N(ok); i++) {
		struct sl_set_spec full;
		struct sl_set_elem e;
		struct sl_error err = { 0 };
		struct words w;

		spec_of("L list:set timeout 9 counters comment skbinfo", &full);
		split(ok[i].words, &w);
		cr_assert_eq(sl_set_elem_parse(&full, ok[i].cmd, w.n, w.argv, w.cols, &e, &err), 0, "%s: %s", ok[i].words,
			     err.msg);
		cr_expect_str_eq(e.setname, ok[i].set, "%s", ok[i].words);
		cr_expect_str_eq(e.refname, ok[i].ref, "%s", ok[i].words);
		cr_expect_eq(e.before, ok[i].before, "%s", ok[i].words);
		cr_assert_gt(sl_set_elem_format(&full, &e, text, sizeof(text)), 0);
		cr_expect_str_eq(text, ok[i].text, "%s", ok[i].words);
	}
	for (size_t i = 0; i < N(bad); i++) {
		struct sl_set_elem e;
		struct sl_error err = { 0 };
		struct words w;

		split(bad[i].words, &w);
		cr_expect_eq(sl_set_elem_parse(&spec, bad[i].cmd, w.n, w.argv, w.cols, &e, &err), -1, "%s was taken",
			     bad[i].words);
		cr_expect_str_eq(err.msg, bad[i].error, "%s", bad[i].words);
	}
}

Test(list_set, save_lines)
{
	struct sl_set_spec spec;
	struct sl_set_elem e = { 0 };
	char line[256];

	spec_of("L list:set timeout 100 counters comment skbinfo", &spec);
	snprintf(e.setname, sizeof(e.setname), "a");
	e.flags = SL_ELEM_F_TIMEOUT | SL_ELEM_F_PACKETS | SL_ELEM_F_BYTES | SL_ELEM_F_COMMENT;
	e.timeout = 9;
	e.packets = 5;
	e.bytes = 7;
	snprintf(e.comment, sizeof(e.comment), "hi there");
	e.skb = (struct sl_set_skbinfo){ .mark = 0x10, .mask = 0xffffffff, .prio = 1 << 16 | 2, .queue = 3 };
	cr_assert_gt(sl_set_add_format(&spec, &e, line, sizeof(line)), 0);
	cr_expect_str_eq(line, "add L a timeout 9 packets 5 bytes 7 comment \"hi there\" skbmark 0x10 skbprio 1:2 skbqueue 3");
}
