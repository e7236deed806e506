/* Rule syntax: `rule add` words into a rule and back, the checks a rule
 * gets against its set, and the errors that name the offending word. */
#include <criterion/criterion.h>

#include <string.h>

#include "features/sets/sets.h"
#include "words.h"

static struct rules_rule rule;
static struct sl_error err;

/* parse the words of `line` (after "rule add") */
static int parse(const char *line)
{
	static struct words w;

	memset(&err, 0, sizeof(err));
	split(line, &w);
	return rules_parse(w.n, w.argv, w.cols, &rule, &err);
}

Test(rules, full_rule_and_defaults)
{
	cr_assert_eq(parse("dev veth0 netns blue egress prio 7 match-set web src,dst ! action count"), 0, "%s",
		     err.msg);
	cr_assert_str_eq(rule.dev, "veth0");
	cr_assert_str_eq(rule.netns, "blue");
	cr_assert_eq(rule.dir, RULES_EGRESS);
	cr_assert_eq(rule.prio, 7);
	cr_assert_str_eq(rule.set, "web");
	cr_assert_eq(rule.ndirs, 2);
	cr_assert_eq(rule.src_dims, 1, "first dimension src, second dst");
	cr_assert(rule.invert);
	cr_assert_eq(rule.action, SL_ACT_COUNT);
	cr_assert_eq(rule.id, RULES_ID_NONE);

	cr_assert_eq(parse("match-set bad dst action drop ingress dev eth1"), 0, "%s", err.msg);
	cr_assert_eq(rule.prio, RULES_DEFAULT_PRIO);
	cr_assert_str_eq(rule.netns, "");
	cr_assert_eq(rule.dir, RULES_INGRESS);
	cr_assert_eq(rule.src_dims, 0);
	cr_assert_not(rule.invert);
	cr_assert_eq(rule.action, SL_ACT_DROP);
}

Test(rules, format_round_trip)
{
	static const char *const lines[] = {
		"dev veth0 netns blue egress prio 7 match-set web src,dst,src ! action count",
		"dev eth1 ingress prio 100 match-set bad dst action drop",
		"dev lo ingress prio 0 match-set a src action pass",
		"dev v0 netns blue ingress prio 1 unparsed action drop",
	};
	char out[512];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct rules_rule first;

		cr_assert_eq(parse(lines[i]), 0, "%s: %s", lines[i], err.msg);
		first = rule;
		cr_assert_gt(rules_format(&rule, out, sizeof(out)), 0);
		cr_assert_str_eq(out, lines[i]);
		cr_assert_eq(parse(out), 0, "%s", err.msg);
		cr_assert(rules_same(&first, &rule));
	}
}

Test(rules, id_form_for_del)
{
	cr_assert_eq(parse("id 12"), 0, "%s", err.msg);
	cr_assert_eq(rule.id, 12);
	cr_assert_eq(parse("id 5000"), -1);
}

Test(rules, same_and_same_hook)
{
	struct rules_rule a, b;

	cr_assert_eq(parse("dev v0 ingress match-set s src action drop"), 0);
	a = rule;
	cr_assert_eq(parse("dev v0 ingress match-set s src action pass"), 0);
	b = rule;
	cr_assert(rules_same_hook(&a, &b));
	cr_assert_not(rules_same(&a, &b));
	cr_assert_eq(parse("dev v0 netns x ingress match-set s src action drop"), 0);
	cr_assert_not(rules_same_hook(&a, &rule), "another namespace is another hook");
	cr_assert_eq(parse("dev v0 egress match-set s src action drop"), 0);
	cr_assert_not(rules_same_hook(&a, &rule));
}

struct bad {
	const char *line;
	const char *msg;
	int col;
};

Test(rules, errors_name_the_word)
{
	static const struct bad cases[] = {
		{ "ingress match-set s src action drop", "missing dev", 37 },
		{ "dev v0 match-set s src action drop", "missing ingress or egress", 36 },
		{ "dev v0 ingress action drop", "missing match-set SET DIR[,DIR...] (or unparsed)", 28 },
		{ "dev v0 ingress match-set s src", "missing action", 32 },
		{ "dev v0 ingress match-set s sideways action drop", "not src or dst", 28 },
		{ "dev v0 ingress match-set s src,dst,src,dst,src,dst,src action drop", "at most 6", 28 },
		{ "dev v0 ingress match-set s src, action drop", "DIR[,DIR...]", 28 },
		{ "dev v0 netns a netns b ingress match-set s src action drop", "netns given twice", 16 },
		{ "dev v0 ingress match-set s src action drop action pass", "action given twice", 44 },
		{ "dev v0 ingress match-set s src action reject", "not drop, pass or count", 39 },
		{ "dev v0 ingress egress match-set s src action drop", "once", 16 },
		{ "dev v0 ingress prio x match-set s src action drop", "expected a number", 21 },
		{ "dev v0 ingress prio 70000 match-set s src action drop", "0..65535", 21 },
		{ "dev averyveryverylongname ingress match-set s src action drop", "1..15", 5 },
		{ "dev a/b ingress match-set s src action drop", "'/'", 5 },
		{ "dev v0 ingress match-set s src action drop extra", "unexpected word 'extra'", 44 },
		{ "dev v0 ingress match-set s", "needs DIR", 28 },
		{ "dev", "needs a value", 5 },
		{ "dev v0 ! ! ingress match-set s src action drop", "twice", 10 },
		{ "dev v0 ingress unparsed unparsed action drop", "unparsed given twice", 25 },
		{ "dev v0 ingress unparsed match-set s src action drop", "not both", 25 },
		{ "dev v0 ingress ! unparsed action drop", "'!' does not go with unparsed", 16 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(cases[i].line), -1, "'%s' parsed", cases[i].line);
		cr_expect(strstr(err.msg, cases[i].msg), "'%s': '%s' lacks '%s'", cases[i].line, err.msg, cases[i].msg);
		cr_expect_eq(err.col, cases[i].col, "'%s': col %d, expected %d", cases[i].line, err.col, cases[i].col);
	}
}

Test(rules, directions_must_cover_the_set)
{
	struct sl_set_spec spec;

	sl_set_spec_init(&spec, "ipport", SL_SET_HASH_IP_PORT);
	cr_assert_eq(parse("dev v0 ingress match-set ipport src action drop"), 0);
	cr_assert_eq(rules_check_dims(&rule, &spec, &err), -1);
	cr_assert(strstr(err.msg, "2 dimensions, 1 direction given"), "%s", err.msg);
	cr_assert_eq(parse("dev v0 ingress match-set ipport src,dst,dst action drop"), 0);
	cr_assert_eq(rules_check_dims(&rule, &spec, &err), 0, "extra directions are ignored, as iptables does");
}

/* `unparsed` stands in for match-set: no set, no directions, and a rule
 * that differs from a set rule only in what it matches is another rule */
Test(rules, unparsed_rule)
{
	struct rules_rule set_rule;
	struct sl_set_spec spec;

	cr_assert_eq(parse("dev v0 ingress match-set s src action drop"), 0, "%s", err.msg);
	set_rule = rule;
	cr_assert_eq(set_rule.match, SL_MATCH_SET);
	cr_assert_eq(parse("action drop unparsed ingress dev v0"), 0, "%s", err.msg);
	cr_assert_eq(rule.match, SL_MATCH_UNPARSED);
	cr_assert_str_eq(rule.set, "");
	cr_assert_eq(rule.ndirs, 0);
	cr_assert(rules_same_hook(&set_rule, &rule));
	cr_assert_not(rules_same(&set_rule, &rule));
	sl_set_spec_init(&spec, "ipport", SL_SET_HASH_IP_PORT);
	cr_assert_eq(rules_check_dims(&rule, &spec, &err), 0, "an unparsed rule names no set dimensions");
}
