/* The send policy's decision through BPF_PROG_TEST_RUN. The kernel runs
 * no cgroup sock_addr program in a test run (ENOTSUPP, checked below), so
 * tests/bpf/send_fx.bpf.c puts the very decision the six hooks call
 * (bpf/lib/send_policy.h) behind a raw tracepoint program: a message in, the
 * verdict, rule and new address out. Rules are compiled by the daemon's
 * own code (send_rule_from_cmd, send_rule_compile). What the hooks add on
 * top (reading and writing their context, v4-mapped addresses, TCP's
 * connect let be) is tested with real sockets in
 * tests/netns/test_send_policy.sh; here the hooks are loaded, so the
 * verifier passes each. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <string.h>

#include "common/grammar.h"
#include "features/send/send.h"
#include "fixture.h"
#include "lib/bpf_info.h"
#include "send.skel.h"
#include "send_fx.skel.h"

#define NETNS 0x1234ull
#define SOCK 77ull

/* the load sits at level 1 in cgroup 900 (below the root, 1) */
static void at_cgroup(struct send_fx_bpf *s)
{
	s->rodata->sl_send_level = 1;
	s->rodata->sl_send_cgroups[0] = 1;
	s->rodata->sl_send_cgroups[1] = 900;
}

FX_SKELETON_PREP(send_fx, at_cgroup)

TestSuite(send_progs, .init = setup, .fini = teardown);

static struct sl_send_rule rules[SL_SEND_RULES];
static int nrules;

/* one `send add` line, compiled as the daemon does, with id = its index */
static struct sl_send_rule *add(const char *line)
{
	struct send_rule_cfg r;
	struct sl_error err = { 0 };
	struct sl_cmd cmd;
	unsigned given;

	cr_assert_eq(sl_parse_line(line, &cmd, &err), 1, "%s: %s", line, err.msg);
	cr_assert_eq(send_rule_from_cmd(&cmd, &r, &given, &err), 0, "%s: %s", line, err.msg);
	send_rule_compile(&r, NETNS, (uint32_t)nrules, &rules[nrules]);
	return &rules[nrules++];
}

/* rules[] live in `bank`, a new generation, remembered as the daemon
 * would (SL_SEND_MEMO_MIN); the other bank holds a deny-everything decoy */
static void commit(__u32 bank, __u32 nested)
{
	static __u32 generation;
	struct sl_send_config cfg = { .bank = bank, .nested = nested, .gen = ++generation,
				      .memo = nrules >= SL_SEND_MEMO_MIN };
	struct sl_send_rule decoy = { .netns_cookie = NETNS, .action = SL_SEND_DENY, .match = SL_SEND_MATCH_PREFIX,
				      .family = SL_FAMILY_IPV4, .id = 5 };
	__u32 zero = 0, k = (bank ^ 1) * SL_SEND_RULES;

	cfg.nrules[bank] = (__u32)nrules;
	cfg.nrules[bank ^ 1] = 1;
	for (int i = 0; i < nrules; i++) {
		k = bank * SL_SEND_RULES + (__u32)i;
		cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sl_sendrules_v1), &k, &rules[i], BPF_ANY), 0);
	}
	k = (bank ^ 1) * SL_SEND_RULES;
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sl_sendrules_v1), &k, &decoy, BPF_ANY), 0);
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sl_sendcfg_v1), &zero, &cfg, BPF_ANY), 0);
}

static struct sl_send_msg msg(const char *addr, uint16_t port, __u8 hook)
{
	struct sl_send_msg m = { .sock_cookie = SOCK, .netns_cookie = NETNS, .port = htons(port), .hook = hook };

	m.family = SL_FAMILY_IPV4;
	if (inet_pton(AF_INET, addr, m.ip) != 1) {
		cr_assert_eq(inet_pton(AF_INET6, addr, m.ip), 1, "%s", addr);
		m.family = SL_FAMILY_IPV6;
	}
	return m;
}

static void run(struct sl_send_msg *m)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	skel->bss->sl_send_fx_msg = *m;
	cr_assert_eq(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.sl_send_fx), &o), 0, "test run: %s",
		     strerror(errno));
	*m = skel->bss->sl_send_fx_msg;
}

static struct sl_send_stat stat_of(__u32 id)
{
	struct sl_send_stat st;

	cr_assert_eq(SL_PERCPU_SUM(bpf_map__fd(skel->maps.sl_sendstat_v1), &id, &st), 0);
	return st;
}

static void expect_addr(const struct sl_send_msg *m, const char *addr, uint16_t port)
{
	struct sl_send_msg want = msg(addr, port, 0);

	cr_assert_eq(memcmp(m->ip, want.ip, sizeof(m->ip)), 0, "address is not %s", addr);
	cr_assert_eq(ntohs(m->port), port);
}

Test(send_progs, sock_addr_programs_load_but_have_no_test_run)
{
	struct send_bpf *hooks = send_bpf__open_and_load();
	struct sl_send_msg m = msg("10.0.0.1", 53, SL_SEND_HOOK_SENDMSG);
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &m, .ctx_size_in = sizeof(m));

	cr_assert_not_null(hooks, "the six hooks pass the verifier: %s", strerror(errno));
	/* why the fixtures go through send_fx: 524 is the kernel's ENOTSUPP */
	cr_assert_neq(bpf_prog_test_run_opts(bpf_program__fd(hooks->progs.sl_send_sendmsg4), &o), 0);
	cr_assert(errno == 524 || errno == EINVAL, "errno %d", errno);
	send_bpf__destroy(hooks);
}

Test(send_progs, no_rules_let_everything_be)
{
	struct sl_send_msg m = msg("10.0.0.1", 53, SL_SEND_HOOK_SENDMSG);

	run(&m);
	cr_assert_eq(m.verdict, 1);
	cr_assert_eq(m.rule, SL_SEND_NO_RULE);
	cr_assert_eq(m.changed, 0);
}

Test(send_progs, deny_by_prefix_and_port)
{
	struct sl_send_msg m;

	add("send add dst 10.1.0.0/16:53 action deny");
	commit(0, 0);
	m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);
	run(&m);
	cr_assert_eq(m.verdict, 0);
	cr_assert_eq(m.rule, 0);
	m = msg("10.1.2.3", 54, SL_SEND_HOOK_SENDMSG); /* another port */
	run(&m);
	cr_assert_eq(m.verdict, 1);
	m = msg("10.2.2.3", 53, SL_SEND_HOOK_SENDMSG); /* outside the prefix */
	run(&m);
	cr_assert_eq(m.verdict, 1);
	cr_assert_eq(stat_of(0).messages, 1);
}

Test(send_progs, count_goes_on_and_first_terminal_rule_wins)
{
	struct sl_send_msg m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);

	add("send add prio 1 dst 10.0.0.0/8 action count");
	add("send add prio 2 dst 10.1.0.0/16 action allow");
	add("send add prio 3 dst 10.1.2.3 action deny");
	commit(1, 0);
	run(&m);
	cr_assert_eq(m.verdict, 1);
	cr_assert_eq(m.rule, 1);
	cr_assert_eq(stat_of(0).messages, 1);
	cr_assert_eq(stat_of(1).messages, 1);
	cr_assert_eq(stat_of(2).messages, 0, "the deny after the allow never runs");
}

Test(send_progs, connect_counts_as_connects)
{
	struct sl_send_msg m = msg("10.1.2.3", 53, SL_SEND_HOOK_CONNECT);

	add("send add dst 10.1.2.3:53 action deny");
	commit(0, 0);
	run(&m);
	cr_assert_eq(m.verdict, 0);
	cr_assert_eq(stat_of(0).connects, 1);
	cr_assert_eq(stat_of(0).messages, 0);
}

Test(send_progs, rewrite_and_the_reply_restored)
{
	struct sl_send_msg m = msg("10.9.0.1", 5000, SL_SEND_HOOK_SENDMSG), reply;

	add("send add dst 10.9.0.1:5000 action rewrite 10.8.0.2:6000");
	commit(0, 0);
	run(&m);
	cr_assert_eq(m.verdict, 1);
	cr_assert_eq(m.changed, 1);
	expect_addr(&m, "10.8.0.2", 6000);
	/* a reply from the new destination shows the original */
	reply = msg("10.8.0.2", 6000, SL_SEND_HOOK_RECVMSG);
	run(&reply);
	cr_assert_eq(reply.changed, 1);
	expect_addr(&reply, "10.9.0.1", 5000);
	cr_assert_eq(stat_of(0).replies, 1);
	/* getpeername of a socket connected there gives the original, and is
	 * no reply */
	reply = msg("10.8.0.2", 6000, SL_SEND_HOOK_PEERNAME);
	run(&reply);
	cr_assert_eq(reply.changed, 1);
	expect_addr(&reply, "10.9.0.1", 5000);
	cr_assert_eq(stat_of(0).replies, 1);
	/* another socket's reply from there is its own */
	reply = msg("10.8.0.2", 6000, SL_SEND_HOOK_RECVMSG);
	reply.sock_cookie = SOCK + 1;
	run(&reply);
	cr_assert_eq(reply.changed, 0);
	expect_addr(&reply, "10.8.0.2", 6000);
}

Test(send_progs, rewrite_without_port_keeps_it_ipv6)
{
	struct sl_send_msg m = msg("2001:db8::1", 53, SL_SEND_HOOK_SENDMSG), reply;

	add("send add dst 2001:db8::/64 action rewrite 2001:db8:1::2");
	commit(0, 0);
	run(&m);
	expect_addr(&m, "2001:db8:1::2", 53);
	reply = msg("2001:db8:1::2", 53, SL_SEND_HOOK_RECVMSG);
	run(&reply);
	expect_addr(&reply, "2001:db8::1", 53);
}

Test(send_progs, ipv6_port_rule_and_family_apart)
{
	struct sl_send_msg m = msg("2001:db8::53", 53, SL_SEND_HOOK_SENDMSG);

	add("send add dst [2001:db8::/64]:53 action deny");
	add("send add dst 0.0.0.0/0 action deny");
	commit(0, 0);
	run(&m);
	cr_assert_eq(m.verdict, 0);
	cr_assert_eq(m.rule, 0);
	m = msg("2001:db9::53", 53, SL_SEND_HOOK_SENDMSG); /* no IPv4 rule applies to IPv6 */
	run(&m);
	cr_assert_eq(m.verdict, 1);
}

Test(send_progs, another_namespace_is_never_matched)
{
	struct sl_send_msg m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);

	add("send add dst 0.0.0.0/0 action deny");
	commit(0, 0);
	m.netns_cookie = NETNS + 1;
	run(&m);
	cr_assert_eq(m.verdict, 1);
	cr_assert_eq(m.rule, SL_SEND_NO_RULE);
}

Test(send_progs, cgroup_rules_match_this_load_and_its_ancestors_only)
{
	struct sl_send_msg m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);
	struct sl_send_rule *other = add("send add prio 1 dst 10.1.2.3 action deny");
	struct sl_send_rule *mine = add("send add prio 2 dst 10.1.2.3 action rewrite 10.5.5.5");

	other->cgroup_id = 901; /* a sibling cgroup at level 1 */
	other->cgroup_level = 1;
	mine->cgroup_id = 900;
	mine->cgroup_level = 1;
	commit(0, 0);
	run(&m);
	cr_assert_eq(m.rule, 1);
	expect_addr(&m, "10.5.5.5", 53);
}

Test(send_progs, nested_a_deeper_load_decided)
{
	struct sl_send_mark_key key = { .cookie = SOCK, .hook = SL_SEND_HOOK_SENDMSG };
	struct sl_send_msg m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);
	__u32 deeper = 2;

	add("send add dst 10.0.0.0/8 action deny");
	commit(0, 1);
	cr_assert_eq(bpf_map_update_elem(bpf_map__fd(skel->maps.sl_sendmark_v1), &key, &deeper, BPF_ANY), 0);
	run(&m);
	cr_assert_eq(m.verdict, 1, "a load on a cgroup below decided for this socket");
	cr_assert_eq(stat_of(0).messages, 0);
	key.cookie = SOCK + 1; /* another socket, no mark: this load decides and marks */
	m.sock_cookie = SOCK + 1;
	run(&m);
	cr_assert_eq(m.verdict, 0);
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sl_sendmark_v1), &key, &deeper), 0);
	cr_assert_eq(deeper, 1);
}

Test(send_progs, the_last_of_a_full_bank)
{
	struct sl_send_msg m = msg("10.200.0.1", 9, SL_SEND_HOOK_SENDMSG);
	char line[96];

	for (int i = 0; i < SL_SEND_RULES - 1; i++) {
		snprintf(line, sizeof(line), "send add dst 10.100.%d.0/24 action deny", i);
		add(line);
	}
	add("send add dst 10.200.0.1:9 action deny");
	commit(0, 0);
	run(&m);
	cr_assert_eq(m.verdict, 0);
	cr_assert_eq(m.rule, SL_SEND_RULES - 1);
}

Test(send_progs, remembered_walks_follow_the_generation)
{
	struct sl_send_msg m;
	char line[96];
	struct sl_send_memo_key key = { .netns_cookie = NETNS, .cgroup = 900, .port = htons(53),
					 .family = SL_FAMILY_IPV4, .hook = SL_SEND_HOOK_SENDMSG };
	struct sl_send_memo memo;

	for (int i = 0; i < SL_SEND_MEMO_MIN; i++) {
		snprintf(line, sizeof(line), "send add prio %d dst 10.100.%d.0/24 action deny", i, i);
		add(line);
	}
	add("send add prio 100 dst 10.0.0.0/8 action count");
	add("send add prio 101 dst 10.1.2.3 action allow");
	commit(0, 0);
	for (int round = 0; round < 2; round++) { /* walked, then replayed */
		m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);
		run(&m);
		cr_assert_eq(m.verdict, 1);
		cr_assert_eq(m.rule, SL_SEND_MEMO_MIN + 1);
	}
	cr_assert_eq(stat_of(SL_SEND_MEMO_MIN).messages, 2, "the count rule counted on the replay too");
	cr_assert_eq(stat_of(SL_SEND_MEMO_MIN + 1).messages, 2);
	inet_pton(AF_INET, "10.1.2.3", key.ip);
	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(skel->maps.sl_sendmemo_v1), &key, &memo), 0, "remembered");
	cr_assert_eq(memo.pos, SL_SEND_MEMO_MIN + 1);
	cr_assert_eq(memo.ncount, 1);
	/* the other bank, a new generation, the positions moved: a deny comes
	 * first (a stale memo would count it and apply the count rule) */
	nrules -= 2;
	add("send add prio 50 dst 10.1.2.3 action deny");
	add("send add prio 100 dst 10.0.0.0/8 action count");
	add("send add prio 101 dst 10.1.2.3 action allow");
	commit(1, 0);
	m = msg("10.1.2.3", 53, SL_SEND_HOOK_SENDMSG);
	run(&m);
	cr_assert_eq(m.verdict, 0, "a memo of the old generation is not replayed");
	cr_assert_eq(m.rule, SL_SEND_MEMO_MIN);
}
