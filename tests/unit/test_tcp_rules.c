/* TCP initial windows without the kernel: the keyword grammar of tcp
 * add/del (ranges, errors at their column), rules in a state (identity,
 * refusals that change nothing, match order), config lines that read back
 * to the same state, and the rule the program reads (masks, the match
 * function the program itself runs). */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "features/tcp/tcp.h"

static struct sl_cmd cmd;
static struct sl_error err;

static void compile(const char *line, struct sl_tcp_rule *out);

/* stage one line onto s; the stage handler's return */
static int stage(struct tcp_state *s, const char *line)
{
	memset(&err, 0, sizeof(err));
	if (sl_parse_line(line, &cmd, &err) != 1)
		return -2;
	return cmd.spec->stage == tcp_stage_add || !strncmp(line, "tcp add", 7) ? tcp_stage_add(s, &cmd, &err)
										   : tcp_stage_del(s, &cmd, &err);
}

Test(tcp_grammar, keywords_land_in_their_slots)
{
	cr_assert_eq(sl_parse_line("tcp add initrwnd 40 dst 10.0.0.0/8 netns blue prio 7 initcwnd 10", &cmd, &err), 1,
		     "%s", err.msg);
	cr_assert_str_eq(cmd.opt[TCP_OPT_NETNS].str, "blue");
	cr_assert_eq(cmd.opt[TCP_OPT_PRIO].num, 7);
	cr_assert_str_eq(cmd.opt[TCP_OPT_DST].str, "10.0.0.0/8");
	cr_assert_eq(cmd.opt[TCP_OPT_INITCWND].num, 10);
	cr_assert_eq(cmd.opt[TCP_OPT_INITRWND].num, 40);
	cr_assert_eq(cmd.opt[TCP_OPT_DST].col, 25);
}

Test(tcp_grammar, bad_input_is_a_usage_error_at_its_word)
{
	static const struct {
		const char *line;
		int col;
		const char *msg;
	} cases[] = {
		{ "tcp add initcwnd 0", 18, "initcwnd: 0 is out of range 1..65535" },
		{ "tcp add initrwnd 65536", 18, "initrwnd: 65536 is out of range 1..65535" },
		{ "tcp add initcwnd ten", 18, "initcwnd: expected a number, got 'ten'" },
		{ "tcp add dst 10.0.0.0/8", 0, "tcp add: give at least one of initcwnd N, initrwnd N, cc NAME" },
		{ "tcp add initcwnd 10 initcwnd 11", 21, "initcwnd given twice" },
		{ "tcp add initcwnd 10 window 3", 21, "tcp add: unexpected argument 'window'" },
		{ "tcp add initcwnd 10 cc", 21, "cc: missing value NAME" },
		{ "tcp add initcwnd", 9, "initcwnd: missing value N" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_parse_line(cases[i].line, &cmd, &err), -1, "'%s' parsed", cases[i].line);
		cr_assert_eq(err.code, SL_E_USAGE, "'%s'", cases[i].line);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
		cr_assert_eq(err.col, cases[i].col, "'%s': column", cases[i].line);
	}
}

Test(tcp_rules, prefixes_are_checked_and_change_nothing)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "tcp add dst 10.0.0.1/8 initcwnd 10", "dst: '10.0.0.1/8' has host bits set beyond /8" },
		{ "tcp add dst 10.0.0.0/33 initcwnd 10", "dst: prefix length '33' is not in 0..32" },
		{ "tcp add dst 2001:db8::/129 initcwnd 10", "dst: prefix length '129' is not in 0..128" },
		{ "tcp add dst 10.0.0/8 initcwnd 10", "dst: '10.0.0' is not an IPv4 or IPv6 address" },
		{ "tcp add dst 10.0.0.0/ initcwnd 10", "dst: '10.0.0.0/' has no prefix length after '/'" },
		{ "tcp add dst 10.0.0.0/8x initcwnd 10", "dst: prefix length '8x' is not in 0..32" },
		{ "tcp add cgroup a/b initcwnd 10",
		  "cgroup: 'a/b' is not a cgroup path (/a/b below the cgroup v2 root, as /proc/PID/cgroup names it; "
		  "no '.', '..', '//', blank, quote, '#' or backslash)" },
		{ "tcp add cgroup /a/../b initcwnd 10",
		  "cgroup: '/a/../b' is not a cgroup path (/a/b below the cgroup v2 root, as /proc/PID/cgroup names it; "
		  "no '.', '..', '//', blank, quote, '#' or backslash)" },
		{ "tcp add cgroup /a//b initcwnd 10",
		  "cgroup: '/a//b' is not a cgroup path (/a/b below the cgroup v2 root, as /proc/PID/cgroup names it; "
		  "no '.', '..', '//', blank, quote, '#' or backslash)" },
		{ "tcp add cgroup /a/.. initcwnd 10",
		  "cgroup: '/a/..' is not a cgroup path (/a/b below the cgroup v2 root, as /proc/PID/cgroup names it; "
		  "no '.', '..', '//', blank, quote, '#' or backslash)" },
		{ "tcp add cc Cubic", "cc: 'Cubic' is not a congestion control name (1..15 of a-z, 0-9, '_', '-')" },
		{ "tcp add cc abcdefghijklmnop", "cc: 'abcdefghijklmnop' is not a congestion control name (1..15 of a-z, 0-9, '_', '-')" },
		{ "tcp add netns a/b initcwnd 10",
		  "netns: 'a/b' is not a namespace name (1..31 characters, no '/', blank, quote, '#' or backslash)" },
	};
	struct tcp_state s = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(stage(&s, cases[i].line), -1, "'%s' staged", cases[i].line);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
		cr_assert_gt(err.col, 0, "'%s': a column", cases[i].line);
	}
	cr_assert_eq(s.n, 0);
}

Test(tcp_rules, one_rule_per_match_and_del_must_agree)
{
	struct tcp_state s = { 0 };

	cr_assert_eq(stage(&s, "tcp add netns a dst 10.1.0.0/16 initcwnd 10"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp add netns b dst 10.1.0.0/16 initcwnd 10"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp add netns a initrwnd 40"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp add netns a dst 10.1.0.0/16 initcwnd 20 prio 1"), -1);
	cr_assert_str_eq(err.msg, "tcp add: a rule for these connections exists (tcp netns a dst 10.1.0.0/16 "
				  "initcwnd 10); tcp del it first");
	cr_assert_eq(stage(&s, "tcp del netns a dst 10.1.0.0/16 initcwnd 11"), -1);
	cr_assert_str_eq(err.msg, "tcp del: the rule for these connections is 'tcp add netns a dst 10.1.0.0/16 "
				  "initcwnd 10'");
	cr_assert_eq(stage(&s, "tcp del netns c dst 10.1.0.0/16"), -1);
	cr_assert_str_eq(err.msg, "tcp del: no rule for these connections");
	cr_assert_eq(s.n, 3, "refusals change nothing");
	cr_assert_eq(stage(&s, "tcp del netns a dst 10.1.0.0/16 initcwnd 10 prio 100"), 0, "%s", err.msg);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.rule[0].netns, "b");
}

Test(tcp_rules, cgroups_are_canonical_and_part_of_the_match)
{
	struct tcp_state s = { 0 };
	char cgs[4][TCP_CGROUP_MAX];

	cr_assert_eq(stage(&s, "tcp add cgroup /a/b/ initcwnd 10"), 0, "%s", err.msg);
	cr_assert_str_eq(s.rule[0].cgroup, "/a/b", "a trailing / goes");
	cr_assert_eq(stage(&s, "tcp add cgroup /a/b initcwnd 11"), -1, "the same cgroup, the same match");
	cr_assert_eq(stage(&s, "tcp add cgroup /a initcwnd 11"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp add cgroup / initcwnd 12"), 0, "%s", err.msg);
	cr_assert_str_eq(s.rule[2].cgroup, "", "/ is the root: any socket");
	cr_assert_eq(stage(&s, "tcp add initcwnd 13"), -1, "no cgroup is the root's match");
	cr_assert_eq(tcp_state_cgroups(&s, cgs, 4), 3);
	cr_assert_str_eq(cgs[0], "/a/b");
	cr_assert_str_eq(cgs[1], "/a");
	cr_assert_str_eq(cgs[2], "");
	cr_assert_eq(tcp_state_cgroups(&s, cgs, 2), -1, "more than fit");
	cr_assert_eq(stage(&s, "tcp del cgroup /a/b"), 0, "%s", err.msg);
	cr_assert_eq(s.n, 2);
}

Test(tcp_rules, cc_names_against_the_kernels_list)
{
	struct tcp_state s = { 0 };
	struct sl_tcp_rule r;

	cr_assert(tcp_cc_available("reno bbr cubic\n", "cubic"));
	cr_assert(tcp_cc_available("reno bbr cubic", "reno"));
	cr_assert_not(tcp_cc_available("reno bbr cubic", "cub"), "a name is matched whole");
	cr_assert_not(tcp_cc_available("reno bbr cubic", "bbr2"));
	cr_assert_not(tcp_cc_available("", "reno"));
	cr_assert_eq(stage(&s, "tcp add netns a cc cubic"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp del netns a cc reno"), -1, "del with another cc");
	cr_assert_eq(s.n, 1);
	compile("tcp add cc bbr initcwnd 10", &r);
	cr_assert_str_eq(r.cc, "bbr");
}

Test(tcp_rules, table_full)
{
	struct tcp_state s = { 0 };
	char line[128];

	for (int i = 0; i < SL_TCP_RULES; i++) {
		snprintf(line, sizeof(line), "tcp add dst 10.0.%d.0/24 initcwnd 10", i);
		cr_assert_eq(stage(&s, line), 0, "%s", err.msg);
	}
	cr_assert_eq(stage(&s, "tcp add dst 10.1.0.0/24 initcwnd 10"), -1);
	cr_assert_str_eq(err.msg, "tcp add: at most 64 rules");
}

Test(tcp_rules, match_order_is_prio_then_order_added)
{
	struct tcp_state s = { 0 };
	int order[SL_TCP_RULES];

	cr_assert_eq(stage(&s, "tcp add dst 10.0.0.0/8 initcwnd 1"), 0);
	cr_assert_eq(stage(&s, "tcp add dst 10.1.0.0/16 initcwnd 2 prio 5"), 0);
	cr_assert_eq(stage(&s, "tcp add dst 10.2.0.0/16 initcwnd 3"), 0);
	cr_assert_eq(stage(&s, "tcp add dst 10.3.0.0/16 initcwnd 4 prio 5"), 0);
	tcp_state_order(&s, order);
	cr_assert_eq(s.rule[order[0]].initcwnd, 2);
	cr_assert_eq(s.rule[order[1]].initcwnd, 4);
	cr_assert_eq(s.rule[order[2]].initcwnd, 1);
	cr_assert_eq(s.rule[order[3]].initcwnd, 3);
}

Test(tcp_rules, save_reads_back_to_the_same_state)
{
	static const char *const lines[] = {
		"tcp add netns blue prio 7 dst 2001:db8::/32 initcwnd 20 initrwnd 64",
		"tcp add dst 192.0.2.1 initrwnd 40 cgroup /system.slice/web.service",
		"tcp add cc reno initcwnd 10",
		"tcp add netns blue dst 0.0.0.0/0 initcwnd 3 initrwnd 3",
		"tcp add netns red cc bbr",
	};
	static const char expect[] = "tcp add netns blue prio 7 dst 2001:db8::/32 initcwnd 20 initrwnd 64\n"
				     "tcp add cgroup /system.slice/web.service dst 192.0.2.1/32 initrwnd 40\n"
				     "tcp add initcwnd 10 cc reno\n"
				     "tcp add netns blue dst 0.0.0.0/0 initcwnd 3 initrwnd 3\n"
				     "tcp add netns red cc bbr\n";
	struct tcp_state s = { 0 }, again = { 0 };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *out;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		cr_assert_eq(stage(&s, lines[i]), 0, "'%s': %s", lines[i], err.msg);
	out = open_memstream(&text, &len);
	tcp_save_state(&s, out);
	fclose(out);
	cr_assert_str_eq(text, expect);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		cr_assert_eq(stage(&again, line), 0, "'%s': %s", line, err.msg);
	cr_assert_eq(again.n, s.n);
	for (int k = 0; k < s.n; k++) {
		cr_assert(tcp_rule_same_match(&s.rule[k], &again.rule[k]), "rule %d", k);
		cr_assert_eq(s.rule[k].prio, again.rule[k].prio);
		cr_assert_eq(s.rule[k].initcwnd, again.rule[k].initcwnd);
		cr_assert_eq(s.rule[k].initrwnd, again.rule[k].initrwnd);
		cr_assert_str_eq(s.rule[k].cc, again.rule[k].cc);
	}
	free(text);
}

/* the compiled rule, through the very function the program runs */
static bool matches(const struct sl_tcp_rule *r, const char *addr)
{
	__u32 ip[4] = { 0 };
	__u8 family = strchr(addr, ':') ? SL_FAMILY_IPV6 : SL_FAMILY_IPV4;

	cr_assert_eq(inet_pton(family == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, addr, ip), 1, "%s", addr);
	return sl_tcp_rule_addr_match(r, family, ip);
}

static void compile(const char *line, struct sl_tcp_rule *out)
{
	struct tcp_rule_cfg r;
	unsigned given;

	cr_assert_eq(sl_parse_line(line, &cmd, &err), 1, "%s", err.msg);
	cr_assert_eq(tcp_rule_from_cmd(&cmd, &r, &given, &err), 0, "%s", err.msg);
	tcp_rule_compile(&r, 0x1234, 9, out);
}

Test(tcp_compile, prefixes_match_as_routes_do)
{
	struct sl_tcp_rule r;

	compile("tcp add dst 10.1.0.0/16 initcwnd 10 initrwnd 40", &r);
	cr_assert_eq(r.netns_cookie, 0x1234);
	cr_assert_eq(r.id, 9);
	cr_assert_eq(r.initcwnd, 10);
	cr_assert_eq(r.initrwnd, 40);
	cr_assert_eq(r.mask[0], htonl(0xffff0000));
	cr_assert(matches(&r, "10.1.255.3"));
	cr_assert_not(matches(&r, "10.2.0.1"));
	cr_assert_not(matches(&r, "::a01:1"), "an IPv6 address never matches an IPv4 prefix");

	compile("tcp add dst 2001:db8:8000::/33 initcwnd 10", &r);
	cr_assert(matches(&r, "2001:db8:8000::1"));
	cr_assert(matches(&r, "2001:db8:ffff:ffff::1"));
	cr_assert_not(matches(&r, "2001:db8:7fff::1"));
	cr_assert_not(matches(&r, "10.0.0.1"));

	compile("tcp add dst 192.0.2.7 initcwnd 10", &r);
	cr_assert(matches(&r, "192.0.2.7"));
	cr_assert_not(matches(&r, "192.0.2.6"));

	compile("tcp add dst ::/0 initcwnd 10", &r);
	cr_assert(matches(&r, "2001:db8::1"));
	cr_assert_not(matches(&r, "10.0.0.1"));

	compile("tcp add initcwnd 10", &r);
	cr_assert_eq(r.match, SL_TCP_MATCH_ANY);
	cr_assert(matches(&r, "10.0.0.1"));
	cr_assert(matches(&r, "2001:db8::1"));
}

Test(tcp_sets, match_set_takes_a_set_and_dst)
{
	static const struct {
		const char *line;
		int col;
		const char *msg;
	} cases[] = {
		{ "tcp add match-set blocked src initcwnd 10", 27, "match-set blocked: 'src' is not dst" },
		{ "tcp add match-set blocked", 27, "match-set blocked: missing dst" },
		{ "tcp add initcwnd 10 match-set", 21, "match-set: missing value SET dst" },
		{ "tcp add match-set b dst dst 10.0.0.0/8 initcwnd 3", 19,
		  "tcp add: give dst PREFIX or match-set SET dst, not both" },
	};
	struct tcp_state s = { 0 };
	struct sl_tcp_rule r;
	char line[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_parse_line(cases[i].line, &cmd, &err), -1, "'%s' parsed", cases[i].line);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
		cr_assert_eq(err.col, cases[i].col, "'%s': column", cases[i].line);
	}
	cr_assert_eq(sl_parse_line("tcp add match-set blocked dst initcwnd 10", &cmd, &err), 1, "%s", err.msg);
	cr_assert_str_eq(cmd.opt[TCP_OPT_MATCH_SET].str, "blocked");
	cr_assert_eq(cmd.opt[TCP_OPT_INITCWND].num, 10, "the word after dst is the next option");
	/* the line a client sends: the set, then its direction */
	cr_assert_gt(sl_cmd_format(&cmd, false, line, sizeof(line)), 0);
	cr_assert_str_eq(line, "tcp add match-set blocked dst initcwnd 10");

	cr_assert_eq(stage(&s, "tcp add match-set -bad dst initcwnd 10"), -1, "a name ipset refuses");
	cr_assert_eq(stage(&s, "tcp add match-set a23456789012345678901234567890123 dst initcwnd 10"), -1,
		     "32 characters");
	cr_assert_eq(s.n, 0, "refused: nothing staged");
	cr_assert_eq(stage(&s, "tcp add match-set blocked dst initcwnd 10"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "tcp add match-set other dst initcwnd 10"), 0, "another set, another rule");
	cr_assert_eq(stage(&s, "tcp add match-set blocked dst initcwnd 12"), -1, "the same set, the same match");
	cr_assert_eq(stage(&s, "tcp add initcwnd 12"), 0, "no set and no dst is a match of its own");
	cr_assert_eq(stage(&s, "tcp del match-set blocked dst"), 0, "%s", err.msg);
	cr_assert_eq(s.n, 2);

	compile("tcp add match-set blocked dst initrwnd 40", &r);
	cr_assert_eq(r.match, SL_TCP_MATCH_SET);
	cr_assert_str_eq(r.set.name, "blocked");
	cr_assert_not(matches(&r, "10.0.0.1"), "the prefix match never takes a set rule");
}

Test(tcp_sets, match_set_saves_and_reads_back)
{
	struct tcp_state s = { 0 }, again = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cr_assert_eq(stage(&s, "tcp add initcwnd 20 netns blue match-set web6 dst prio 3"), 0, "%s", err.msg);
	out = open_memstream(&text, &len);
	tcp_save_state(&s, out);
	fclose(out);
	cr_assert_str_eq(text, "tcp add netns blue prio 3 match-set web6 dst initcwnd 20\n");
	text[strlen(text) - 1] = '\0';
	cr_assert_eq(stage(&again, text), 0, "%s", err.msg);
	cr_assert(tcp_rule_same_match(&s.rule[0], &again.rule[0]));
	free(text);
}
