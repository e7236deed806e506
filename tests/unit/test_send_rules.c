/* The send policy without the kernel: destinations with ports in both
 * families, refusals (port 0, a rewrite to the other family, overlapping
 * rules of one prio, duplicates) that change nothing, match order, del
 * by the same words, save lines that read back to the same state, and the
 * compiled rule through the match function the programs run. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/grammar.h"
#include "features/send/send.h"

static struct sl_cmd cmd;
static struct sl_error err;

/* stage one line onto s: the stage handler's return (-2: no parse) */
static int stage(struct send_state *s, const char *line)
{
	memset(&err, 0, sizeof(err));
	if (sl_parse_line(line, &cmd, &err) != 1)
		return -2;
	return !strncmp(line, "send add", 8) ? send_stage_add(s, &cmd, &err) : send_stage_del(s, &cmd, &err);
}

static struct send_state *fresh(void)
{
	static struct send_state s;

	memset(&s, 0, sizeof(s));
	return &s;
}

Test(send_rules, destinations_in_both_families)
{
	static const struct {
		const char *text, *back;
		uint16_t port;
	} ok[] = {
		{ "10.0.0.0/8", "10.0.0.0/8", 0 },
		{ "10.0.0.1:53", "10.0.0.1/32:53", 53 },
		{ "10.0.0.0/8:65535", "10.0.0.0/8:65535", 65535 },
		{ "2001:db8::/32", "2001:db8::/32", 0 },
		{ "[2001:db8::/32]:53", "[2001:db8::/32]:53", 53 },
		{ "[2001:db8::1]:53", "[2001:db8::1/128]:53", 53 },
		{ "[::ffff:10.0.0.1]", "::ffff:10.0.0.1/128", 0 },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t fam, addr[16], len;
		uint16_t port;
		char back[80];

		cr_assert_eq(send_parse_dst(ok[i].text, true, 1, "dst", &fam, addr, &len, &port, &err), 0, "%s: %s",
			     ok[i].text, err.msg);
		cr_assert_eq(port, ok[i].port, "%s", ok[i].text);
		send_dst_str(fam, addr, len, port, back, sizeof(back));
		cr_assert_str_eq(back, ok[i].back);
	}
}

Test(send_rules, bad_destinations_say_what)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "10.0.0.1:0", "dst: port 0 in '10.0.0.1:0' (a port is 1..65535; leave it out for any)" },
		{ "[2001:db8::1]:0", "dst: port 0 in '[2001:db8::1]:0' (a port is 1..65535; leave it out for any)" },
		{ "10.0.0.1:65536", "dst: port '65536' is not in 1..65535" },
		{ "10.0.0.1:", "dst: '10.0.0.1:' has no port number after ':'" },
		{ "10.0.0.1/8", "dst: '10.0.0.1/8' has host bits set beyond /8" },
		{ "10.0.0.0/33", "dst: prefix length '33' is not in 0..32" },
		{ "[2001:db8::1", "dst: '[2001:db8::1' has no closing ']'" },
		{ "[10.0.0.1]:53", "dst: '10.0.0.1' is not an IPv4 or IPv6 address (brackets hold an IPv6 address)" },
		{ "[2001:db8::1]53", "dst: '[2001:db8::1]53': only ':PORT' may follow ']'" },
		{ "example.org", "dst: 'example.org' is not an IPv4 or IPv6 address" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t fam, addr[16], len;
		uint16_t port;

		memset(&err, 0, sizeof(err));
		cr_assert_eq(send_parse_dst(bad[i].text, true, 7, "dst", &fam, addr, &len, &port, &err), -1, "%s",
			     bad[i].text);
		cr_assert_eq(err.code, SL_E_USAGE);
		cr_assert_eq(err.col, 7);
		cr_assert_str_eq(err.msg, bad[i].msg);
	}
}

Test(send_rules, refusals_change_nothing)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "send add dst 10.0.0.0/8 action rewrite 2001:db8::1",
		  "rewrite: '2001:db8::1' is IPv6 and dst is IPv4: a message keeps its family" },
		{ "send add dst 10.0.0.0/8 action rewrite 10.1.1.1:0",
		  "rewrite: port 0 in '10.1.1.1:0' (a port is 1..65535; leave it out for any)" },
		{ "send add dst 10.0.0.0/8 action rewrite 10.1.1.0/24", "rewrite: '10.1.1.0/24' is a prefix; give one address" },
		{ "send add dst 10.0.0.0/8 action rewrite", "action rewrite: give ADDR[:PORT]" },
		{ "send add dst 10.0.0.0/8 action deny 10.1.1.1", "send add: '10.1.1.1': an address follows `action rewrite` only" },
		{ "send add dst 10.0.0.0/8", "send add: give action allow|deny|count|rewrite ADDR[:PORT]" },
		{ "send add action deny", "send add: give dst PREFIX[:PORT] or match-set SET dst[,dst]" },
		{ "send add dst 10.9.0.0/16 match-set s dst action deny",
		  "send add: give dst PREFIX[:PORT] or match-set SET dst[,dst], not both" },
		{ "send add match-set s dst action allow",
		  "send add: overlaps 'send add dst 10.0.0.0/8 action deny' at the same prio 100: give one of them another prio" },
		{ "send add dst 10.1.0.0/16:53 action allow",
		  "send add: overlaps 'send add dst 10.0.0.0/8 action deny' at the same prio 100: give one of them another prio" },
		{ "send add dst 10.0.0.0/8 action count",
		  "send add: a rule for these messages exists (send add dst 10.0.0.0/8 action deny); send del it first" },
		{ "send del dst 10.0.0.0/8 action allow", "send del: the rule for these messages is 'send add dst 10.0.0.0/8 action deny'" },
		{ "send del dst 10.0.0.0/9", "send del: no rule for these messages" },
	};
	struct send_state *s = fresh();
	struct send_state before;

	cr_assert_eq(stage(s, "send add dst 10.0.0.0/8 action deny"), 0, "%s", err.msg);
	before = *s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(stage(s, bad[i].line), -1, "%s", bad[i].line);
		cr_assert_eq(err.code, SL_E_USAGE);
		cr_assert_str_eq(err.msg, bad[i].msg, "%s", bad[i].line);
		cr_assert_eq(memcmp(s, &before, sizeof(before)), 0, "%s changed the state", bad[i].line);
	}
}

Test(send_rules, what_overlaps)
{
	struct send_state *s = fresh();

	cr_assert_eq(stage(s, "send add netns a cgroup /x dst 10.0.0.0/8:53 action deny"), 0, "%s", err.msg);
	/* another port, namespace, family, a sibling cgroup or prio: apart */
	cr_assert_eq(stage(s, "send add netns a cgroup /x dst 10.0.0.0/8:54 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns b cgroup /x dst 10.0.0.0/8:53 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns a cgroup /x dst [::/0]:53 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns a cgroup /xy dst 10.0.0.0/8:53 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns a cgroup /x prio 5 dst 10.1.0.0/16 action allow"), 0, "%s", err.msg);
	/* the root's rules and a child cgroup's meet; no port meets any */
	cr_assert_eq(stage(s, "send add netns a dst 10.2.0.0/16 action allow"), -1);
	cr_assert_eq(stage(s, "send add netns a cgroup /x/y dst 10.2.3.4 action allow"), -1);
	cr_assert_eq(s->n, 6);
}

Test(send_rules, order_save_and_read_back)
{
	struct send_state *s = fresh(), *again;
	char *buf = NULL, line[512];
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int order[SL_SEND_RULES];

	cr_assert_eq(stage(s, "send add netns web dst 10.0.0.0/8 action count"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns web cgroup /app prio 5 dst [2001:db8::/32]:53 action rewrite [2001:db8::9]:5353"),
		     0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns web prio 5 dst 192.0.2.1:53 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(s, "send add netns web prio 7 match-set resolvers dst,dst action rewrite 10.0.0.53"), 0, "%s",
		     err.msg);
	send_state_order(s, order);
	cr_assert_eq(order[0], 1);
	cr_assert_eq(order[1], 2);
	cr_assert_eq(order[2], 3);
	cr_assert_eq(order[3], 0);
	send_save_state(s, f);
	fclose(f);
	cr_assert_str_eq(buf, "send add netns web cgroup /app prio 5 dst [2001:db8::/32]:53 action rewrite [2001:db8::9]:5353\n"
			      "send add netns web prio 5 dst 192.0.2.1/32:53 action deny\n"
			      "send add netns web prio 7 match-set resolvers dst,dst action rewrite 10.0.0.53\n"
			      "send add netns web dst 10.0.0.0/8 action count\n");
	again = calloc(1, sizeof(*again));
	f = fmemopen(buf, size, "r");
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		cr_assert_eq(stage(again, line), 0, "%s: %s", line, err.msg);
	}
	fclose(f);
	cr_assert_eq(again->n, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert(send_rule_same_match(&again->rule[i], &s->rule[order[i]]));
		cr_assert_eq(again->rule[i].action, s->rule[order[i]].action);
		cr_assert_eq(again->rule[i].to_port, s->rule[order[i]].to_port);
	}
	/* del by the same words, with or without what it does */
	cr_assert_eq(stage(again, "send del netns web prio 5 dst 192.0.2.1:53 action deny"), 0, "%s", err.msg);
	cr_assert_eq(stage(again, "send del netns web dst 10.0.0.0/8"), 0, "%s", err.msg);
	cr_assert_eq(stage(again, "send del netns web match-set resolvers dst"), -1, "dst is not dst,dst");
	cr_assert_eq(stage(again, "send del netns web match-set resolvers dst,dst"), 0, "%s", err.msg);
	cr_assert_eq(again->n, 1);
	free(again);
	free(buf);
}

Test(send_rules, compiled_rule_matches_as_the_program_does)
{
	struct send_state *s = fresh();
	struct sl_send_rule r;
	__u32 ip[4] = { 0 };

	cr_assert_eq(stage(s, "send add dst 10.1.0.0/16:53 action rewrite 10.9.9.9:5353"), 0, "%s", err.msg);
	send_rule_compile(&s->rule[0], 42, 3, &r);
	cr_assert_eq(r.netns_cookie, 42);
	cr_assert_eq(r.id, 3);
	cr_assert_eq(r.to_port, htons(5353));
	inet_pton(AF_INET, "10.1.200.7", ip);
	cr_assert(sl_send_rule_match(&r, SL_FAMILY_IPV4, ip, htons(53)));
	cr_assert_not(sl_send_rule_match(&r, SL_FAMILY_IPV4, ip, htons(54)));
	cr_assert_not(sl_send_rule_match(&r, SL_FAMILY_IPV6, ip, htons(53)));
	inet_pton(AF_INET, "10.2.0.1", ip);
	cr_assert_not(sl_send_rule_match(&r, SL_FAMILY_IPV4, ip, htons(53)));
	inet_pton(AF_INET, "10.9.9.9", ip);
	cr_assert_eq(r.to_addr[0], ip[0]);
	/* a set's rule: its name, the family of its rewrite only */
	cr_assert_eq(stage(s, "send add prio 9 match-set dns dst,dst action rewrite [2001:db8::1]:53"), 0, "%s", err.msg);
	send_rule_compile(&s->rule[1], 42, 4, &r);
	cr_assert_eq(r.match, SL_SEND_MATCH_SET_PORT);
	cr_assert_eq(r.family, SL_FAMILY_IPV6);
	cr_assert_str_eq(r.set.name, "dns");
	cr_assert_not(sl_send_rule_match(&r, SL_FAMILY_IPV6, ip, htons(53)), "the prefix match is not a set's");
	cr_assert_eq(stage(s, "send add prio 8 match-set dns dst action deny"), 0, "%s", err.msg);
	send_rule_compile(&s->rule[2], 42, 5, &r);
	cr_assert_eq(r.match, SL_SEND_MATCH_SET);
	cr_assert_eq(r.family, 0, "any family");
}
