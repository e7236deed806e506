/* The steering program (bpf/xps.bpf.c) on fixture frames, through
 * BPF_PROG_TEST_RUN: every selector (all, cpu, mark, cgroup, match-set), no match,
 * first match by bank order, an empty bank, the slot's own bank only,
 * truncated and non-IP frames (only match-set rules read headers), 1,000 rules.
 *
 * The test run's context out does not carry queue_mapping back
 * (convert_skb_to___skb copies mark, priority, cb, ...), so the queue the
 * program wrote is read from its per-queue counter, bumped in the same
 * branch with the same value, and the rule from its per-rule counter;
 * `steered` -1 means neither moved. The verdict is always TCX_NEXT. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "lib/cgroup.h"
#include "fixture.h"
#include "fx_set.h"
#include "sluice/xps.h"
#include "xps.skel.h"

#define SLOT 3 /* not 0: the program must read its own slot's bank */
#define TCX_NEXT_RET ((__u32)-1)

static void at_slot(struct xps_bpf *s)
{
	s->rodata->sl_xps_slot = SLOT;
}

FX_SKELETON_PREP(xps, at_slot)

TestSuite(xps_progs, .init = setup, .fini = teardown);

struct expect {
	int queue;              /* -1: not steered */
	int rule;               /* the rule id counted */
};

static int map_fd(struct bpf_map *m)
{
	return bpf_map__fd(m);
}

/* rules[] as bank `bank` of SLOT, live; another slot gets a rule that
 * would steer everything, which the program must not read */
static void load_rules(const struct sl_xps_rule *rules, __u32 n, __u32 bank, __u32 cg_levels)
{
	struct sl_xps_config cfg = { .bank = bank, .cg_levels = cg_levels };
	struct sl_xps_rule decoy = { .sel = SL_XPS_SEL_ALL, .queue = 7, .id = 1 };
	__u32 slot = SLOT, other = SLOT - 1, k;

	cfg.nrules[bank] = n;
	for (__u32 i = 0; i < n; i++) {
		k = (SLOT * 2 + bank) * SL_XPS_RULES + i;
		cr_assert_eq(bpf_map_update_elem(map_fd(skel->maps.sl_xpsrules_v1), &k, &rules[i], BPF_ANY), 0);
	}
	k = (SLOT * 2 + (bank ^ 1)) * SL_XPS_RULES; /* the bank not in use */
	cr_assert_eq(bpf_map_update_elem(map_fd(skel->maps.sl_xpsrules_v1), &k, &decoy, BPF_ANY), 0);
	cr_assert_eq(bpf_map_update_elem(map_fd(skel->maps.sl_xpscfg_v1), &slot, &cfg, BPF_ANY), 0);
	k = other * 2 * SL_XPS_RULES;
	cr_assert_eq(bpf_map_update_elem(map_fd(skel->maps.sl_xpsrules_v1), &k, &decoy, BPF_ANY), 0);
	cfg = (struct sl_xps_config){ .nrules = { 1, 0 } };
	cr_assert_eq(bpf_map_update_elem(map_fd(skel->maps.sl_xpscfg_v1), &other, &cfg, BPF_ANY), 0);
}

static void reset(void *ctx)
{
	(void)ctx;
	for (__u32 k = 0; k < SL_XPS_DEVS * SL_XPS_QUEUES; k++)
		sl_percpu_zero(map_fd(skel->maps.sl_xpsqstat_v1), &k, sizeof(__u64));
	for (__u32 k = 0; k < SL_XPS_DEVS * SL_XPS_RULES; k++)
		sl_percpu_zero(map_fd(skel->maps.sl_xpsrstat_v1), &k, sizeof(__u64));
}

static __u64 sum(int fd, __u32 key)
{
	__u64 v = 0;

	SL_PERCPU_SUM(fd, &key, &v);
	return v;
}

static bool check(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	const struct expect *e = c->arg;

	(void)ctx;
	for (int q = 0; q < SL_XPS_QUEUES; q++)
		for (int s = 0; s < SL_XPS_DEVS; s++) {
			__u64 n = sum(map_fd(skel->maps.sl_xpsqstat_v1), (__u32)(s * SL_XPS_QUEUES + q));
			/* perf mode runs each row fx_repeat() times */
			__u64 want = s == SLOT && q == e->queue ? fx_repeat() : 0;

			if (n != want)
				return fx_fail(why, "slot %d queue %d counted %llu, expected %llu", s, q,
					       (unsigned long long)n, (unsigned long long)want);
		}
	if (e->queue >= 0 && sum(map_fd(skel->maps.sl_xpsrstat_v1), SLOT * SL_XPS_RULES + (__u32)e->rule) != fx_repeat())
		return fx_fail(why, "rule %d not counted once a run", e->rule);
	return true;
}

static void udp4(struct pkt *p, const void *arg)
{
	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_ip4(p, &(struct pkt_ip4){ 0 });
	pkt_udp(p, 5353, 53);
}

/* cut inside the UDP header (the kernel's test run wants a whole IP header) */
static void udp4_cut(struct pkt *p, const void *arg)
{
	udp4(p, arg);
	pkt_truncate(p, 14 + 20 + 4);
}

static void tcp6(struct pkt *p, const void *arg)
{
	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_ip6(p, &(struct pkt_ip6){ 0 });
	pkt_tcp(p, 40000, 443, 0x02);
}

static const unsigned char arp_ish[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06 };

#define ROW(d, b, m, q, r)                                                                                  \
	{ .desc = (d), .build = (b), .retval = TCX_NEXT_RET, .check = check,                                \
	  .arg = &(const struct expect){ (q), (r) }, .ctx_in = &(const struct __sk_buff){ .mark = (m) },    \
	  .ctx_size_in = sizeof(struct __sk_buff) }
#define RAW(d, bytes, q, r)                                                                                 \
	{ .desc = (d), .in = (bytes), .in_len = sizeof(bytes), .retval = TCX_NEXT_RET, .check = check,      \
	  .arg = &(const struct expect){ (q), (r) } }

static void run(const struct fx_case *rows, size_t n)
{
	const struct fx_target t = { .name = "sl_xps_tc", .prog_fd = bpf_program__fd(skel->progs.sl_xps_tc),
				     .reset = reset };

	cr_assert_eq(fx_run_table(&t, rows, n), 0, "failing rows above");
}

/* this thread on one CPU: the program's bpf_get_smp_processor_id() */
static int pin_cpu(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0);
	return 0;
}

Test(xps_progs, all_and_no_rules)
{
	const struct sl_xps_rule all[] = { { .sel = SL_XPS_SEL_ALL, .queue = 2, .id = 5 } };
	const struct fx_case rows[] = {
		ROW("all: UDP/IPv4 to queue 2", udp4, 0, 2, 5),
		ROW("all: TCP/IPv6 to queue 2", tcp6, 0, 2, 5),
		ROW("all: a frame cut in its UDP header is steered: no header is read", udp4_cut, 0, 2, 5),
		RAW("all: not IP (ARP ethertype)", arp_ish, 2, 5),
	};
	const struct fx_case none[] = {
		ROW("an empty bank: left alone", udp4, 0, -1, 0),
		ROW("an empty bank, truncated: left alone", udp4_cut, 0, -1, 0),
	};

	load_rules(all, 1, 1, 0);
	run(rows, sizeof(rows) / sizeof(rows[0]));
	load_rules(all, 0, 0, 0);
	run(none, sizeof(none) / sizeof(none[0]));
}

Test(xps_progs, cpu_and_mark_first_match_wins)
{
	struct sl_xps_rule rules[] = {
		{ .sel = SL_XPS_SEL_MARK, .queue = 1, .id = 0, .mark = 0x7, .mark_mask = 0xf },
		{ .sel = SL_XPS_SEL_CPU, .queue = 3, .id = 1 },   /* CPU 1 only: not this one */
		{ .sel = SL_XPS_SEL_CPU, .queue = 2, .id = 2 },   /* CPU 0 */
		{ .sel = SL_XPS_SEL_ALL, .queue = 0, .id = 3 },   /* never reached from CPU 0 */
	};
	const struct fx_case rows[] = {
		ROW("mark 0x17 & 0xf == 7: the first rule", udp4, 0x17, 1, 0),
		ROW("mark 0x18: not the mark rule; CPU 0: the cpu 0 rule", udp4, 0x18, 2, 2),
		ROW("no mark, TCP/IPv6 from CPU 0: the cpu 0 rule", tcp6, 0, 2, 2),
	};

	rules[1].cpus[0] = 1ull << 1;
	rules[2].cpus[0] = 1ull << 0;
	pin_cpu();
	load_rules(rules, 4, 0, 0);
	run(rows, sizeof(rows) / sizeof(rows[0]));
	/* the cpu 0 rule gone: the all rule after it; CPU 200 in a high word */
	rules[2].cpus[0] = 0;
	rules[2].cpus[3] = 1ull << 8;
	load_rules(rules, 4, 1, 0);
	const struct fx_case rows2[] = {
		ROW("no cpu rule for CPU 0: the all rule last", udp4, 0, 0, 3),
	};
	run(rows2, 1);
	/* without the all rule: nothing matches */
	load_rules(rules, 3, 0, 0);
	const struct fx_case rows3[] = {
		ROW("no rule matches: left alone", udp4, 0x5, -1, 0),
	};
	run(rows3, 1);
}

/* the test's own cgroup, as the dummy socket of a test run has it */
static void own_cgroup(__u64 ids[SL_XPS_CG_LEVELS + 1], int *level)
{
	char root[256], path[600] = "";
	struct sl_error err;
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[600];

	cr_assert_not_null(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, sizeof(path), "%s", line + 3);
		}
	fclose(f);
	cr_assert_eq(sl_cgroup2_root(root, sizeof(root), &err), 0, "%s", err.msg);
	cr_assert_eq(sl_cgroup_resolve(root, path, SL_XPS_CG_LEVELS - 1, (uint64_t *)ids, level, &err), 0, "%s",
		     err.msg);
}

Test(xps_progs, cgroup)
{
	__u64 ids[SL_XPS_CG_LEVELS + 1];
	int level;

	own_cgroup(ids, &level);
	struct sl_xps_rule rules[] = {
		{ .sel = SL_XPS_SEL_CGROUP, .queue = 3, .id = 0, .cgroup_id = ids[level] + 1000000,
		  .cgroup_level = (__u32)level },                       /* not ours */
		{ .sel = SL_XPS_SEL_CGROUP, .queue = 1, .id = 1, .cgroup_id = ids[0], .cgroup_level = 0 },
	};
	const struct fx_case rows[] = {
		ROW("a socket below the root: the root's cgroup rule, not the other cgroup's", udp4, 0, 1, 1),
	};
	const struct fx_case deep[] = {
		ROW("its own cgroup at its level", udp4, 0, 3, 0),
	};

	load_rules(rules, 2, 0, (__u32)level + 1);
	run(rows, 1);
	rules[0].cgroup_id = ids[level];
	load_rules(rules, 2, 1, (__u32)level + 1);
	run(deep, 1);
	/* cg_levels 0 (the daemon writes the deepest level + 1): not looked up */
	load_rules(rules, 1, 0, 0);
	const struct fx_case off[] = { ROW("cgroup levels not read: no cgroup rule matches", udp4, 0, -1, 0) };
	run(off, 1);
}

Test(xps_progs, a_thousand_rules)
{
	static struct sl_xps_rule rules[1000];

	for (int i = 0; i < 1000; i++)
		rules[i] = (struct sl_xps_rule){ .sel = SL_XPS_SEL_MARK, .queue = 0, .id = (__u32)i,
						 .mark = (__u32)i + 1, .mark_mask = 0xffffffff };
	rules[999].queue = 3;
	load_rules(rules, 1000, 0, 0);
	const struct fx_case rows[] = {
		ROW("the last of 1,000 rules (mark 1000)", udp4, 1000, 3, 999),
		ROW("the first of 1,000 rules (mark 1)", udp4, 1, 0, 0),
		ROW("none of 1,000 rules", udp4, 5000, -1, 0),
	};
	run(rows, 3);
}

Test(xps_progs, match_set)
{
	struct sl_xps_rule rules[] = {
		{ .sel = SL_XPS_SEL_SET, .queue = 2, .id = 0, .set = { "near" } },        /* dst */
		{ .sel = SL_XPS_SEL_ALL, .queue = 1, .id = 1 },
	};
	const struct fx_case dst[] = {
		ROW("match-set near dst: UDP/IPv4 to 198.51.100.2 to queue 2", udp4, 0, 2, 0),
		ROW("an IPv4 set, TCP/IPv6: the next rule", tcp6, 0, 1, 1),
		ROW("cut in the UDP header: no set matches it, the next rule", udp4_cut, 0, 1, 1),
		RAW("not IP: the next rule", arp_ish, 1, 1),
	};
	const struct fx_case src[] = {
		ROW("match-set near src: the source 192.0.2.1 is not in near: the next rule", udp4, 0, 1, 1),
	};
	const struct fx_case gone[] = {
		ROW("a name not in the directory matches nothing: the next rule", udp4, 0, 1, 1),
	};
	static const char *const near[] = { "198.51.100.2", NULL }; /* the fixtures' IPv4 destination */
	int fd = fx_set_ip4(skel->obj, "near", 5, near);

	load_rules(rules, 2, 0, 0);
	run(dst, sizeof(dst) / sizeof(dst[0]));
	rules[0].dims = 1; /* dimension 0 from the source */
	load_rules(rules, 2, 1, 0);
	run(src, 1);
	rules[0].dims = 0;
	memcpy(rules[0].set.name, "far", 4);
	load_rules(rules, 2, 0, 0);
	run(gone, 1);
	close(fd);
}
