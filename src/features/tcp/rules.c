/* TCP initial windows: rules as configuration, without the kernel. A rule
 * is known by what it matches (netns, dst); prio and the windows are what
 * it does. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/set_name.h"
#include "lib/cgroup.h"
#include "lib/netns.h"
#include "lib/order.h"
#include "lib/prefix.h"
#include "features/tcp/tcp.h"

/* "10.0.0.0/8", "2001:db8::/32", or an address alone (/32, /128); host
 * bits must be zero, as `ip route` wants them */
static int parse_prefix(const char *text, int col, struct tcp_rule_cfg *r, struct sl_error *err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	int max;

	if (strlen(text) >= sizeof(buf))
		return sl_fail(err, SL_E_USAGE, col, "dst: '%s' is not a prefix", text);
	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(r->addr, 0, sizeof(r->addr));
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = SL_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = SL_FAMILY_IPV6;
	else
		return sl_fail(err, SL_E_USAGE, col, "dst: '%s' is not an IPv4 or IPv6 address", buf);
	max = r->family == SL_FAMILY_IPV4 ? 32 : 128;
	len = (unsigned long)max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return sl_fail(err, SL_E_USAGE, col, "dst: '%s' has no prefix length after '/'", text);
		len = strtoul(slash + 1, &end, 10);
		if (*end || len > (unsigned long)max)
			return sl_fail(err, SL_E_USAGE, col, "dst: prefix length '%s' is not in 0..%d", slash + 1, max);
	}
	for (int b = (int)len; b < max; b++)
		if (r->addr[b / 8] & (0x80 >> (b % 8)))
			return sl_fail(err, SL_E_USAGE, col, "dst: '%s' has host bits set beyond /%lu", text, len);
	r->prefix_len = (uint8_t)len;
	r->has_dst = true;
	return 0;
}

int tcp_rule_from_cmd(const struct sl_cmd *cmd, struct tcp_rule_cfg *r, unsigned *given, struct sl_error *err)
{
	const struct sl_value *o = cmd->opt;

	memset(r, 0, sizeof(*r));
	*given = 0;
	r->prio = TCP_DEFAULT_PRIO;
	if (o[TCP_OPT_NETNS].set) {
		const char *ns = o[TCP_OPT_NETNS].str;

		/* a name in /run/netns, printed back by save and in JSON */
		if (!sl_netns_name_ok(ns, sizeof(r->netns)))
			return sl_fail(err, SL_E_USAGE, o[TCP_OPT_NETNS].col,
				       "netns: '%s' is not a namespace name (1..%zu characters, no '/', blank, "
				       "quote, '#' or backslash)", ns, sizeof(r->netns) - 1);
		snprintf(r->netns, sizeof(r->netns), "%s", ns);
	}
	if (o[TCP_OPT_CGROUP].set && sl_cgroup_canon(o[TCP_OPT_CGROUP].str, r->cgroup, sizeof(r->cgroup)))
		return sl_fail(err, SL_E_USAGE, o[TCP_OPT_CGROUP].col,
			       "cgroup: '%s' is not a cgroup path (/a/b below the cgroup v2 root, as "
			       "/proc/PID/cgroup names it; no '.', '..', '//', blank, quote, '#' or backslash)",
			       o[TCP_OPT_CGROUP].str);
	if (o[TCP_OPT_PRIO].set) {
		r->prio = (uint32_t)o[TCP_OPT_PRIO].num;
		*given |= TCP_GIVEN_PRIO;
	}
	if (o[TCP_OPT_DST].set && o[TCP_OPT_MATCH_SET].set)
		return sl_fail(err, SL_E_USAGE, o[TCP_OPT_MATCH_SET].col, "give dst PREFIX or match-set SET dst, not both");
	if (o[TCP_OPT_DST].set && parse_prefix(o[TCP_OPT_DST].str, o[TCP_OPT_DST].col, r, err))
		return -1;
	if (o[TCP_OPT_MATCH_SET].set) {
		if (sl_set_name_check(o[TCP_OPT_MATCH_SET].str, o[TCP_OPT_MATCH_SET].col, err))
			return -1;
		snprintf(r->set, sizeof(r->set), "%s", o[TCP_OPT_MATCH_SET].str);
	}
	if (o[TCP_OPT_INITCWND].set) {
		r->initcwnd = (uint32_t)o[TCP_OPT_INITCWND].num;
		*given |= TCP_GIVEN_CWND;
	}
	if (o[TCP_OPT_CC].set) {
		const char *cc = o[TCP_OPT_CC].str;

		if (strlen(cc) >= sizeof(r->cc) || strspn(cc, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(cc))
			return sl_fail(err, SL_E_USAGE, o[TCP_OPT_CC].col,
				       "cc: '%s' is not a congestion control name (1..%zu of a-z, 0-9, '_', '-')", cc,
				       sizeof(r->cc) - 1);
		snprintf(r->cc, sizeof(r->cc), "%s", cc);
		*given |= TCP_GIVEN_CC;
	}
	if (o[TCP_OPT_INITRWND].set) {
		r->initrwnd = (uint32_t)o[TCP_OPT_INITRWND].num;
		*given |= TCP_GIVEN_RWND;
	}
	return 0;
}

bool tcp_rule_same_match(const struct tcp_rule_cfg *a, const struct tcp_rule_cfg *b)
{
	if (strcmp(a->netns, b->netns) || strcmp(a->cgroup, b->cgroup) || a->has_dst != b->has_dst ||
	    strcmp(a->set, b->set))
		return false;
	return !a->has_dst || (a->family == b->family && a->prefix_len == b->prefix_len &&
			       !memcmp(a->addr, b->addr, sizeof(a->addr)));
}

static int find(const struct tcp_state *s, const struct tcp_rule_cfg *r)
{
	for (int k = 0; k < s->n; k++)
		if (tcp_rule_same_match(&s->rule[k], r))
			return k;
	return -1;
}

int tcp_state_add(struct tcp_state *s, const struct tcp_rule_cfg *r, int col, struct sl_error *err)
{
	char words[512];

	if (find(s, r) >= 0) {
		tcp_rule_words(&s->rule[find(s, r)], words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, col, "tcp add: a rule for these connections exists (tcp %s); "
			       "tcp del it first", words);
	}
	if (s->n == SL_TCP_RULES)
		return sl_fail(err, SL_E_USAGE, col, "tcp add: at most %d rules", SL_TCP_RULES);
	s->rule[s->n] = *r;
	s->rule[s->n].seq = s->next_seq++;
	s->n++;
	return 0;
}

int tcp_state_del(struct tcp_state *s, const struct tcp_rule_cfg *r, unsigned given, int col,
		  struct sl_error *err)
{
	int k = find(s, r);
	const struct tcp_rule_cfg *have;

	if (k < 0)
		return sl_fail(err, SL_E_USAGE, col, "tcp del: no rule for these connections");
	have = &s->rule[k];
	if (((given & TCP_GIVEN_PRIO) && have->prio != r->prio) ||
	    ((given & TCP_GIVEN_CWND) && have->initcwnd != r->initcwnd) ||
	    ((given & TCP_GIVEN_RWND) && have->initrwnd != r->initrwnd) ||
	    ((given & TCP_GIVEN_CC) && strcmp(have->cc, r->cc))) {
		char words[512];

		tcp_rule_words(have, words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, col, "tcp del: the rule for these connections is 'tcp add %s'", words);
	}
	memmove(&s->rule[k], &s->rule[k + 1], (size_t)(s->n - k - 1) * sizeof(s->rule[0]));
	s->n--;
	return 0;
}

void tcp_state_order(const struct tcp_state *s, int order[SL_TCP_RULES])
{
	uint32_t prio[SL_TCP_RULES], seq[SL_TCP_RULES];

	for (int k = 0; k < s->n; k++) {
		prio[k] = s->rule[k].prio;
		seq[k] = s->rule[k].seq;
	}
	sl_order_by_prio(s->n, prio, seq, order);
}

void tcp_rule_words(const struct tcp_rule_cfg *r, char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
#define PUT(...) (len += (size_t)snprintf(out + len, len < size ? size - len : 0, __VA_ARGS__))
	if (r->netns[0])
		PUT("netns %s ", r->netns);
	if (r->cgroup[0])
		PUT("cgroup %s ", r->cgroup);
	if (r->prio != TCP_DEFAULT_PRIO)
		PUT("prio %u ", r->prio);
	if (r->has_dst) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(r->family == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, r->addr, a, sizeof(a));
		PUT("dst %s/%u ", a, r->prefix_len);
	}
	if (r->set[0])
		PUT("match-set %s dst ", r->set);
	if (r->initcwnd)
		PUT("initcwnd %u ", r->initcwnd);
	if (r->initrwnd)
		PUT("initrwnd %u ", r->initrwnd);
	if (r->cc[0])
		PUT("cc %s ", r->cc);
#undef PUT
	if (len && len <= size)
		out[len - 1] = '\0'; /* the last blank */
}

void tcp_save_state(const struct tcp_state *s, FILE *out)
{
	int order[SL_TCP_RULES];
	char words[512];

	tcp_state_order(s, order);
	for (int i = 0; i < s->n; i++) {
		tcp_rule_words(&s->rule[order[i]], words, sizeof(words));
		fprintf(out, "tcp add %s\n", words);
	}
}

void tcp_rule_compile(const struct tcp_rule_cfg *r, uint64_t netns_cookie, uint32_t id, struct sl_tcp_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->netns_cookie = netns_cookie;
	out->id = id;
	out->initcwnd = r->initcwnd;
	out->initrwnd = r->initrwnd;
	memcpy(out->cc, r->cc, sizeof(out->cc));
	if (r->set[0]) {
		out->match = SL_TCP_MATCH_SET;
		memcpy(out->set.name, r->set, strlen(r->set));
		return;
	}
	if (!r->has_dst)
		return;
	out->match = SL_TCP_MATCH_PREFIX;
	out->family = r->family;
	out->prefix_len = r->prefix_len;
	sl_prefix_words(r->family, r->prefix_len, r->addr, out->addr, out->mask);
}

int tcp_state_cgroups(const struct tcp_state *s, char out[][TCP_CGROUP_MAX], int max)
{
	return sl_cgroup_distinct(s->rule[0].cgroup, sizeof(s->rule[0]), s->n, out[0], TCP_CGROUP_MAX, max);
}

bool tcp_cc_available(const char *available, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = available; *p;) {
		size_t w;

		p += strspn(p, " \t\n");
		w = strcspn(p, " \t\n");
		if (w == len && !strncmp(p, name, len))
			return true;
		p += w;
	}
	return false;
}
