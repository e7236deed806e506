/* Send policy: rules as configuration, without the kernel. A rule is known
 * by what it matches (netns, cgroup, dst with its port); prio and action
 * are what it does. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/set_name.h"
#include "lib/cgroup.h"
#include "lib/netns.h"
#include "lib/order.h"
#include "lib/prefix.h"
#include "features/send/send.h"

const char *const send_action_names[] = {
	[SL_SEND_ALLOW] = "allow", [SL_SEND_DENY] = "deny", [SL_SEND_COUNT] = "count", [SL_SEND_REWRITE] = "rewrite",
};

/* ":53" after the address: 1..65535 */
static int parse_port(const char *text, int col, const char *what, const char *whole, uint16_t *port,
		      struct sl_error *err)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9')
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' has no port number after ':'", what, whole);
	v = strtoul(text, &end, 10);
	if (*end || v > 65535)
		return sl_fail(err, SL_E_USAGE, col, "%s: port '%s' is not in 1..65535", what, text);
	if (v == 0)
		return sl_fail(err, SL_E_USAGE, col, "%s: port 0 in '%s' (a port is 1..65535; leave it out for any)",
			       what, whole);
	*port = (uint16_t)v;
	return 0;
}

/* Split "ADDR[/LEN][:PORT]" or "[ADDR[/LEN]]:PORT" into the address part
 * (in buf) and the port text (NULL: none). */
static int split_port(const char *text, int col, const char *what, char *buf, size_t size, const char **port,
		      bool *bracket, struct sl_error *err)
{
	const char *colon;

	*port = NULL;
	*bracket = text[0] == '[';
	if (*bracket) {
		const char *close = strchr(text, ']');

		if (!close || (size_t)(close - text - 1) >= size)
			return sl_fail(err, SL_E_USAGE, col, "%s: '%s' has no closing ']'", what, text);
		memcpy(buf, text + 1, (size_t)(close - text - 1));
		buf[close - text - 1] = '\0';
		if (close[1] && close[1] != ':')
			return sl_fail(err, SL_E_USAGE, col, "%s: '%s': only ':PORT' may follow ']'", what, text);
		if (close[1])
			*port = close + 2;
		return 0;
	}
	if (strlen(text) >= size)
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not an address", what, text);
	snprintf(buf, size, "%s", text);
	colon = strchr(buf, ':');
	/* one ':' is IPv4's port; an IPv6 address has two or more, and its
	 * port needs the brackets */
	if (colon && !strchr(colon + 1, ':')) {
		*port = text + (colon - buf) + 1;
		buf[colon - buf] = '\0';
	}
	return 0;
}

int send_parse_dst(const char *text, bool prefix, int col, const char *what, uint8_t *family, uint8_t addr[16],
		   uint8_t *len, uint16_t *port, struct sl_error *err)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	const char *port_text;
	unsigned long n;
	bool bracket;
	int max;

	if (split_port(text, col, what, buf, sizeof(buf), &port_text, &bracket, err))
		return -1;
	slash = strchr(buf, '/');
	if (slash && !prefix)
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is a prefix; give one address", what, text);
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	if (!bracket && inet_pton(AF_INET, buf, addr) == 1)
		*family = SL_FAMILY_IPV4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = SL_FAMILY_IPV6;
	else
		return sl_fail(err, SL_E_USAGE, col, "%s: '%s' is not an IPv4 or IPv6 address%s", what, buf,
			       bracket ? " (brackets hold an IPv6 address)" : "");
	max = *family == SL_FAMILY_IPV4 ? 32 : 128;
	n = (unsigned long)max;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return sl_fail(err, SL_E_USAGE, col, "%s: '%s' has no prefix length after '/'", what, text);
		n = strtoul(slash + 1, &end, 10);
		if (*end || n > (unsigned long)max)
			return sl_fail(err, SL_E_USAGE, col, "%s: prefix length '%s' is not in 0..%d", what, slash + 1,
				       max);
	}
	for (int b = (int)n; b < max; b++)
		if (addr[b / 8] & (0x80 >> (b % 8)))
			return sl_fail(err, SL_E_USAGE, col, "%s: '%s' has host bits set beyond /%lu", what, text, n);
	*len = (uint8_t)n;
	*port = 0;
	return port_text ? parse_port(port_text, col, what, text, port, err) : 0;
}

void send_dst_str(uint8_t family, const uint8_t addr[16], int len, uint16_t port, char *out, size_t size)
{
	char a[INET6_ADDRSTRLEN], p[48] = "";
	bool v6 = family == SL_FAMILY_IPV6;

	inet_ntop(v6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	if (len >= 0)
		snprintf(p, sizeof(p), "/%d", len);
	if (!port)
		snprintf(out, size, "%s%s", a, p);
	else
		snprintf(out, size, "%s%s%s%s:%u", v6 ? "[" : "", a, p, v6 ? "]" : "", port);
}

int send_rule_from_cmd(const struct sl_cmd *cmd, struct send_rule_cfg *r, unsigned *given, struct sl_error *err)
{
	const struct sl_value *o = cmd->opt, *to = &cmd->arg[SEND_ARG_TO];

	memset(r, 0, sizeof(*r));
	*given = 0;
	r->prio = SEND_DEFAULT_PRIO;
	if (o[SEND_OPT_NETNS].set) {
		if (!sl_netns_name_ok(o[SEND_OPT_NETNS].str, sizeof(r->netns)))
			return sl_fail(err, SL_E_USAGE, o[SEND_OPT_NETNS].col,
				       "netns: '%s' is not a namespace name (1..%zu characters, no '/', blank, "
				       "quote, '#' or backslash)", o[SEND_OPT_NETNS].str, sizeof(r->netns) - 1);
		snprintf(r->netns, sizeof(r->netns), "%s", o[SEND_OPT_NETNS].str);
	}
	if (o[SEND_OPT_CGROUP].set && sl_cgroup_canon(o[SEND_OPT_CGROUP].str, r->cgroup, sizeof(r->cgroup)))
		return sl_fail(err, SL_E_USAGE, o[SEND_OPT_CGROUP].col,
			       "cgroup: '%s' is not a cgroup path (/a/b below the cgroup v2 root, as "
			       "/proc/PID/cgroup names it)", o[SEND_OPT_CGROUP].str);
	if (o[SEND_OPT_PRIO].set) {
		r->prio = (uint32_t)o[SEND_OPT_PRIO].num;
		*given |= SEND_GIVEN_PRIO;
	}
	if (o[SEND_OPT_DST].set == o[SEND_OPT_MATCH_SET].set)
		return sl_fail(err, SL_E_USAGE, o[SEND_OPT_MATCH_SET].col, "%s: give dst PREFIX[:PORT] or match-set SET "
			       "dst[,dst]%s", cmd->spec->words, o[SEND_OPT_DST].set ? ", not both" : "");
	if (o[SEND_OPT_DST].set && send_parse_dst(o[SEND_OPT_DST].str, true, o[SEND_OPT_DST].col, "dst", &r->family,
						  r->addr, &r->prefix_len, &r->port, err))
		return -1;
	if (o[SEND_OPT_MATCH_SET].set) {
		if (sl_set_name_check(o[SEND_OPT_MATCH_SET].str, o[SEND_OPT_MATCH_SET].col, err))
			return -1;
		snprintf(r->set, sizeof(r->set), "%s", o[SEND_OPT_MATCH_SET].str);
		r->set_port = o[SEND_OPT_MATCH_SET].num == 1;
	}
	if (o[SEND_OPT_ACTION].set) {
		r->action = (uint8_t)(o[SEND_OPT_ACTION].num + SL_SEND_ALLOW);
		*given |= SEND_GIVEN_ACTION;
	}
	if (to->set && r->action != SL_SEND_REWRITE)
		return sl_fail(err, SL_E_USAGE, to->col, "%s: '%s': an address follows `action rewrite` only",
			       cmd->spec->words, to->str);
	if (r->action == SL_SEND_REWRITE) {
		uint8_t fam, len;

		if (!to->set)
			return sl_fail(err, SL_E_USAGE, o[SEND_OPT_ACTION].col, "action rewrite: give ADDR[:PORT]");
		if (send_parse_dst(to->str, false, to->col, "rewrite", &fam, r->to_addr, &len, &r->to_port, err))
			return -1;
		if (r->set[0])
			r->family = fam; /* the set's family is checked when it is applied */
		else if (fam != r->family)
			return sl_fail(err, SL_E_USAGE, to->col,
				       "rewrite: '%s' is IPv%u and dst is IPv%u: a message keeps its family", to->str,
				       fam, r->family);
	}
	return 0;
}

bool send_rule_same_match(const struct send_rule_cfg *a, const struct send_rule_cfg *b)
{
	if (strcmp(a->netns, b->netns) || strcmp(a->cgroup, b->cgroup) || strcmp(a->set, b->set) ||
	    a->set_port != b->set_port)
		return false;
	return a->set[0] || (a->family == b->family && a->prefix_len == b->prefix_len && a->port == b->port &&
			     !memcmp(a->addr, b->addr, sizeof(a->addr)));
}

/* one cgroup is the other or below it: a socket can be in both */
static bool cgroups_meet(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	const char *longer = la > lb ? a : b;
	size_t l = la < lb ? la : lb;

	return !strncmp(a, b, l) && (longer[l] == '\0' || longer[l] == '/');
}

bool send_rule_overlap(const struct send_rule_cfg *a, const struct send_rule_cfg *b)
{
	int len = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;

	if (strcmp(a->netns, b->netns) || !cgroups_meet(a->cgroup, b->cgroup))
		return false;
	/* what a set holds is known only when a message comes: it may meet anything */
	if (a->set[0] || b->set[0])
		return true;
	if (a->family != b->family || (a->port && b->port && a->port != b->port))
		return false;
	for (int bit = 0; bit < len; bit++)
		if ((a->addr[bit / 8] ^ b->addr[bit / 8]) & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static int find(const struct send_state *s, const struct send_rule_cfg *r)
{
	for (int k = 0; k < s->n; k++)
		if (send_rule_same_match(&s->rule[k], r))
			return k;
	return -1;
}

int send_state_add(struct send_state *s, const struct send_rule_cfg *r, struct sl_error *err)
{
	char words[512];
	int k = find(s, r);

	if (!r->action)
		return sl_fail(err, SL_E_USAGE, 0, "send add: give action allow|deny|count|rewrite ADDR[:PORT]");
	if (k >= 0) {
		send_rule_words(&s->rule[k], words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, 0, "send add: a rule for these messages exists (send add %s); "
			       "send del it first", words);
	}
	for (k = 0; k < s->n; k++)
		if (s->rule[k].prio == r->prio && send_rule_overlap(&s->rule[k], r)) {
			send_rule_words(&s->rule[k], words, sizeof(words));
			return sl_fail(err, SL_E_USAGE, 0, "send add: overlaps 'send add %s' at the same prio %u: "
				       "give one of them another prio", words, r->prio);
		}
	if (s->n == SL_SEND_RULES)
		return sl_fail(err, SL_E_USAGE, 0, "send add: at most %d rules", SL_SEND_RULES);
	s->rule[s->n] = *r;
	s->rule[s->n].seq = s->next_seq++;
	s->n++;
	return 0;
}

int send_state_del(struct send_state *s, const struct send_rule_cfg *r, unsigned given, struct sl_error *err)
{
	int k = find(s, r);
	const struct send_rule_cfg *have;

	if (k < 0)
		return sl_fail(err, SL_E_USAGE, 0, "send del: no rule for these messages");
	have = &s->rule[k];
	if (((given & SEND_GIVEN_PRIO) && have->prio != r->prio) ||
	    ((given & SEND_GIVEN_ACTION) && (have->action != r->action || have->to_port != r->to_port ||
					      memcmp(have->to_addr, r->to_addr, sizeof(r->to_addr))))) {
		char words[512];

		send_rule_words(have, words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, 0, "send del: the rule for these messages is 'send add %s'", words);
	}
	memmove(&s->rule[k], &s->rule[k + 1], (size_t)(s->n - k - 1) * sizeof(s->rule[0]));
	s->n--;
	return 0;
}

void send_state_order(const struct send_state *s, int order[SL_SEND_RULES])
{
	uint32_t prio[SL_SEND_RULES], seq[SL_SEND_RULES];

	for (int k = 0; k < s->n; k++) {
		prio[k] = s->rule[k].prio;
		seq[k] = s->rule[k].seq;
	}
	sl_order_by_prio(s->n, prio, seq, order);
}

void send_rule_words(const struct send_rule_cfg *r, char *out, size_t size)
{
	char dst[80], to[80] = "";
	size_t len = 0;

	out[0] = '\0';
	if (r->set[0])
		snprintf(dst, sizeof(dst), "%s", r->set_port ? "dst,dst" : "dst");
	else
		send_dst_str(r->family, r->addr, r->prefix_len, r->port, dst, sizeof(dst));
	if (r->action == SL_SEND_REWRITE)
		send_dst_str(r->family, r->to_addr, -1, r->to_port, to, sizeof(to));
#define PUT(...) (len += (size_t)snprintf(out + len, len < size ? size - len : 0, __VA_ARGS__))
	if (r->netns[0])
		PUT("netns %s ", r->netns);
	if (r->cgroup[0])
		PUT("cgroup %s ", r->cgroup);
	if (r->prio != SEND_DEFAULT_PRIO)
		PUT("prio %u ", r->prio);
	if (r->set[0])
		PUT("match-set %s ", r->set);
	PUT("%s%s action %s", r->set[0] ? "" : "dst ", dst, r->action <= SL_SEND_REWRITE ? send_action_names[r->action] : "?");
	if (to[0])
		PUT(" %s", to);
#undef PUT
}

void send_save_state(const struct send_state *s, FILE *out)
{
	int order[SL_SEND_RULES];
	char words[512];

	send_state_order(s, order);
	for (int i = 0; i < s->n; i++) {
		send_rule_words(&s->rule[order[i]], words, sizeof(words));
		fprintf(out, "send add %s\n", words);
	}
}

void send_rule_compile(const struct send_rule_cfg *r, uint64_t netns_cookie, uint32_t id, struct sl_send_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->netns_cookie = netns_cookie;
	out->id = id;
	out->action = r->action;
	out->to_port = htons(r->to_port);
	memcpy(out->to_addr, r->to_addr, r->family == SL_FAMILY_IPV4 ? 4 : 16);
	if (r->set[0]) {
		out->match = r->set_port ? SL_SEND_MATCH_SET_PORT : SL_SEND_MATCH_SET;
		out->family = r->action == SL_SEND_REWRITE ? r->family : 0;
		memcpy(out->set.name, r->set, strlen(r->set));
		return;
	}
	out->match = SL_SEND_MATCH_PREFIX;
	out->family = r->family;
	out->prefix_len = r->prefix_len;
	out->port = htons(r->port);
	sl_prefix_words(r->family, r->prefix_len, r->addr, out->addr, out->mask);
}

int send_state_cgroups(const struct send_state *s, char out[][SEND_CGROUP_MAX], int max)
{
	return sl_cgroup_distinct(s->rule[0].cgroup, sizeof(s->rule[0]), s->n, out[0], SEND_CGROUP_MAX, max);
}
