/* Transmit steering without the kernel: CPU lists and sysfs masks, the
 * keyword grammar of xps add/del (one selector, errors naming the word),
 * rules in a state (identity, refusals that change nothing, match order),
 * config lines that read back to the same state, and the BPF rule. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "features/xps/xps.h"

static struct sl_cmd cmd;
static struct sl_error err;

/* parse and turn into a rule, as the stage handlers do, with 4 CPUs */
static int rule_of(const char *line, struct xps_rule_cfg *r, unsigned *given)
{
	memset(&err, 0, sizeof(err));
	if (sl_parse_line(line, &cmd, &err) != 1)
		return -2;
	return xps_rule_from_cmd(&cmd, 4, r, given, &err);
}

static int stage(struct xps_state *s, const char *line)
{
	struct xps_rule_cfg r;
	unsigned given;

	if (rule_of(line, &r, &given))
		return -2;
	return !strncmp(line, "xps add", 7) ? xps_state_add(s, &r, &err) : xps_state_del(s, &r, given, &err);
}

Test(xps_cpus, lists_and_masks)
{
	__u64 c[SL_XPS_CPU_WORDS];
	char text[128];

	cr_assert_eq(xps_cpulist_parse("0-1,3", 4, c, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(c[0], 0xb);
	xps_cpulist_format(c, text, sizeof(text));
	cr_assert_str_eq(text, "0-1,3");
	cr_assert_eq(xps_cpulist_parse("200", 256, c, 1, &err), 0, "%s", err.msg);
	cr_assert_eq(c[3], 1ull << 8);
	cr_assert_eq(xps_cpumask_parse("00000001,00000003", c), 0);
	cr_assert_eq(c[0], 0x100000003ull);
	cr_assert_eq(xps_cpumask_parse("0", c), 0);
	cr_assert_eq(c[0], 0);
	cr_assert_eq(xps_cpumask_parse("zz", c), -1);
	static const char *const bad[] = { "", "a", "1-", "3-1", "1,", "-1", "0,,1", "4", "0-4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(xps_cpulist_parse(bad[i], 4, c, 7, &err), -1, "'%s' accepted", bad[i]);
		cr_assert_eq(err.code, SL_E_USAGE);
		cr_assert_eq(err.col, 7, "'%s'", bad[i]);
	}
	xps_cpulist_parse("9", 4, c, 1, &err);
	cr_assert_str_eq(err.msg, "cpu: CPU 9 is beyond this machine's CPUs (0-3)");
}

Test(xps_grammar, one_selector_and_a_queue)
{
	static const struct {
		const char *line;
		const char *msg;
	} cases[] = {
		{ "xps add dev eth0 queue 1", "xps add: give exactly one selector: cpu CPULIST, cgroup PATH, mark V[/M], match-set SET DIR[,DIR...] or all" },
		{ "xps add dev eth0 all cpu 0 queue 1",
		  "xps add: give exactly one selector: cpu CPULIST, cgroup PATH, mark V[/M], match-set SET DIR[,DIR...] or all" },
		{ "xps add dev eth0 all", "xps add: queue Q is required" },
		{ "xps add dev eth0 match-set near", "match-set near: missing DIR[,DIR...]" },
		{ "xps add all queue 1", "xps add: dev IFACE is required" },
		{ "xps add dev eth0 all queue 65535", "queue: 65535 is out of range 0..65534" },
		{ "xps del dev eth0", "xps del: give exactly one selector: cpu CPULIST, cgroup PATH, mark V[/M], match-set SET DIR[,DIR...] or all" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		cr_assert_eq(sl_parse_line(cases[i].line, &cmd, &err), -1, "'%s' parsed", cases[i].line);
		cr_assert_eq(err.code, SL_E_USAGE);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
	}
}

Test(xps_grammar, values_are_checked_at_their_word)
{
	static const struct {
		const char *line;
		int col;
		const char *msg;
	} cases[] = {
		{ "xps add dev eth0 mark 0x10/0xf queue 1", 23, "mark: '0x10/0xf' is not V or V/M (32-bit numbers, no bit of V outside M)" },
		{ "xps add dev eth0 mark x queue 1", 23, "mark: 'x' is not V or V/M (32-bit numbers, no bit of V outside M)" },
		{ "xps add dev eth0 mark 0x100000000 queue 1", 23,
		  "mark: '0x100000000' is not V or V/M (32-bit numbers, no bit of V outside M)" },
		{ "xps add dev eth0 cgroup a/b queue 1", 25, "cgroup: 'a/b' is not a cgroup path (/a/b below the cgroup v2 root, "
		  "as /proc/PID/cgroup names it; no '.', '..', '//', blank, quote, '#' or backslash)" },
		{ "xps add dev eth0 netns a/b all queue 1", 24, "netns: 'a/b' is not a namespace name (1..31 characters, no '/', "
		  "blank, quote, '#' or backslash)" },
		{ "xps add dev eth0/1 all queue 1", 13, "dev: 'eth0/1' is not a device name (1..15 characters)" },
		{ "xps add dev eth0 cpu 0-7 queue 1", 22, "cpu: CPU 7 is beyond this machine's CPUs (0-3)" },
		{ "xps add dev eth0 match-set near sideways queue 1", 33, "match-set: 'sideways' is not src or dst" },
		{ "xps add dev eth0 match-set near dst,,src queue 1", 33, "match-set: 'dst,,src' is not DIR[,DIR...]" },
		{ "xps add dev eth0 match-set near dst,src,dst,src,dst,src,dst queue 1", 33,
		  "match-set: at most 6 directions, got 'dst,src,dst,src,dst,src,dst'" },
		{ "xps add dev eth0 match-set -near dst queue 1", 28, "set name '-near' starts with '-'" },
	};
	struct xps_rule_cfg r;
	unsigned given;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(rule_of(cases[i].line, &r, &given), -1, "'%s' accepted", cases[i].line);
		cr_assert_eq(err.code, SL_E_USAGE);
		cr_assert_eq(err.col, cases[i].col, "'%s': col %d", cases[i].line, err.col);
		cr_assert_str_eq(err.msg, cases[i].msg, "'%s'", cases[i].line);
	}
}

Test(xps_state, identity_refusals_order_and_save)
{
	static struct xps_state s, copy;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cr_assert_eq(stage(&s, "xps add dev eth0 cpu 1,0 queue 2"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth0 prio 5 mark 7/0xff queue 1"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth0 netns blue all queue 3"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth1 cgroup /a/b/ queue 0"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth1 prio 7 match-set svc src,dst queue 1"), 0, "%s", err.msg);
	copy = s;
	/* a set is the same packets only with the same directions */
	cr_assert_eq(stage(&s, "xps add dev eth1 match-set svc src,dst queue 2"), -1);
	cr_assert_str_eq(err.msg, "xps add: a rule for these packets exists (xps add dev eth1 prio 7 match-set svc src,dst "
				  "queue 1); xps del it first");
	cr_assert_eq(stage(&s, "xps del dev eth1 match-set svc dst,dst"), -1);
	cr_assert_str_eq(err.msg, "xps del: no rule for these packets");
	/* the same packets twice; del of what is not there; del disagreeing */
	cr_assert_eq(stage(&s, "xps add dev eth0 cpu 0-1 queue 3"), -1);
	cr_assert_str_eq(err.msg, "xps add: a rule for these packets exists (xps add dev eth0 cpu 0-1 queue 2); xps del it first");
	cr_assert_eq(stage(&s, "xps del dev eth0 mark 7"), -1);
	cr_assert_str_eq(err.msg, "xps del: no rule for these packets");
	cr_assert_eq(stage(&s, "xps del dev eth0 cpu 0-1 queue 1"), -1);
	cr_assert_str_eq(err.msg, "xps del: the rule for these packets is 'xps add dev eth0 cpu 0-1 queue 2'");
	cr_assert_eq(memcmp(&s, &copy, sizeof(s)), 0, "a refusal changed the state");

	out = open_memstream(&text, &len);
	xps_save_state(&s, out);
	fclose(out);
	cr_assert_str_eq(text, "xps add dev eth0 prio 5 mark 0x7/0xff queue 1\n"
			       "xps add dev eth1 prio 7 match-set svc src,dst queue 1\n"
			       "xps add dev eth0 cpu 0-1 queue 2\n"
			       "xps add dev eth0 netns blue all queue 3\n"
			       "xps add dev eth1 cgroup /a/b queue 0\n");
	free(text);
	cr_assert_eq(stage(&s, "xps del dev eth0 cpu 0-1"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps del dev eth1 match-set svc src,dst"), 0, "%s", err.msg);
	cr_assert_eq(s.n, 3);
}

Test(xps_state, compiled_rule_matches_as_the_program_does)
{
	struct xps_rule_cfg r;
	struct sl_xps_rule b;
	__u64 cpus[SL_XPS_CPU_WORDS];
	unsigned given;

	cr_assert_eq(rule_of("xps add dev eth0 cpu 1,3 queue 2", &r, &given), 0, "%s", err.msg);
	xps_rule_compile(&r, 9, &b);
	cr_assert_eq(b.sel, SL_XPS_SEL_CPU);
	cr_assert_eq(b.queue, 2);
	cr_assert_eq(b.id, 9);
	cr_assert(sl_xps_cpu_in(b.cpus, 1) && sl_xps_cpu_in(b.cpus, 3));
	cr_assert(!sl_xps_cpu_in(b.cpus, 0) && !sl_xps_cpu_in(b.cpus, 2) && !sl_xps_cpu_in(b.cpus, 9999));
	cr_assert_eq(rule_of("xps add dev eth0 mark 0x10/0xf0 queue 1", &r, &given), 0, "%s", err.msg);
	xps_rule_compile(&r, 0, &b);
	cr_assert_eq(b.mark, 0x10);
	cr_assert_eq(b.mark_mask, 0xf0);
	/* what the kernel XPS check intersects: every CPU but for cpu rules */
	xps_rule_cpus(&r, cpus);
	cr_assert_eq(cpus[0], ~0ull);
	/* a set by name, bit i of dims for dimension i from the source */
	cr_assert_eq(rule_of("xps add dev eth0 match-set svc dst,src queue 3", &r, &given), 0, "%s", err.msg);
	xps_rule_compile(&r, 4, &b);
	cr_assert_eq(b.sel, SL_XPS_SEL_SET);
	cr_assert_str_eq(b.set.name, "svc");
	cr_assert_eq(b.dims, 2);
	xps_rule_cpus(&r, cpus);
	cr_assert_eq(cpus[0], ~0ull);
}

static int stage_map(struct xps_state *s, const char *line)
{
	struct xps_map_cfg m;

	memset(&err, 0, sizeof(err));
	if (sl_parse_line(line, &cmd, &err) != 1)
		return -2;
	if (xps_map_from_cmd(&cmd, 4, &m, &err))
		return -1;
	return !strncmp(line, "xps cpus", 8) ? xps_state_map_set(s, &m, &err) : xps_state_map_del(s, &m, &err);
}

Test(xps_cpus, sysfs_values)
{
	__u64 c[SL_XPS_CPU_WORDS] = { 0 };
	char text[128];

	xps_cpumask_format(c, text, sizeof(text));
	cr_assert_str_eq(text, "00000000");
	c[0] = 0x3;
	xps_cpumask_format(c, text, sizeof(text));
	cr_assert_str_eq(text, "00000003");
	c[0] = 0x100000001ull;
	xps_cpumask_format(c, text, sizeof(text));
	cr_assert_str_eq(text, "00000001,00000001");
	/* and back, as the kernel prints it */
	cr_assert_eq(xps_cpumask_parse(text, c), 0);
	cr_assert_eq(c[0], 0x100000001ull);
}

Test(xps_state, maps_and_rules_never_overlap)
{
	static struct xps_state s, copy;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cr_assert_eq(stage_map(&s, "xps cpus dev eth0 queue 1 cpus 1"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth0 cpu 0 queue 2"), 0, "%s", err.msg);
	cr_assert_eq(stage(&s, "xps add dev eth1 all queue 2"), 0, "another device: %s", err.msg);
	copy = s;
	cr_assert_eq(stage(&s, "xps add dev eth0 mark 7 queue 2"), -1, "a mark rule takes CPU 1's packets too");
	cr_assert_eq(err.code, SL_E_USAGE);
	cr_assert_str_eq(err.msg, "xps add dev eth0 mark 0x7 queue 2: the kernel's XPS map set by 'xps cpus dev eth0 "
				  "queue 1 cpus 1' takes the packets sent from CPU 1 before any tc program: the rule "
				  "would not hold for them; select other CPUs or xps del cpus first");
	cr_assert_eq(stage_map(&s, "xps cpus dev eth0 queue 3 cpus 0-1"), -1, "a map over the cpu 0 rule");
	cr_assert_str_eq(err.msg, "xps cpus dev eth0 queue 3 cpus 0-1: the kernel's XPS would take the packets sent "
				  "from CPU 0 before the rule 'xps add dev eth0 cpu 0 queue 2' sees them; xps del the "
				  "rule first");
	cr_assert_eq(stage_map(&s, "xps del cpus dev eth0 queue 2"), -1);
	cr_assert_str_eq(err.msg, "xps del cpus: sluice set no XPS map on queue 2 of dev eth0");
	cr_assert_eq(memcmp(&s, &copy, sizeof(s)), 0, "a refusal changed the state");
	/* a queue's map replaced in place; save puts maps before rules */
	cr_assert_eq(stage_map(&s, "xps cpus dev eth0 queue 1 cpus 1-3"), 0, "%s", err.msg);
	cr_assert_eq(s.nmaps, 1);
	out = open_memstream(&text, &len);
	xps_save_state(&s, out);
	fclose(out);
	cr_assert_str_eq(text, "xps cpus dev eth0 queue 1 cpus 1-3\n"
			       "xps add dev eth0 cpu 0 queue 2\n"
			       "xps add dev eth1 all queue 2\n");
	free(text);
	cr_assert_eq(stage_map(&s, "xps del cpus dev eth0 queue 1"), 0, "%s", err.msg);
	cr_assert_eq(s.nmaps, 0);
}
