/* Transmit steering: rules as configuration, without the kernel. A rule is
 * known by what it matches (netns, dev, selector); prio and queue are what
 * it does. */
#include <stdlib.h>
#include <string.h>

#include "common/set_name.h"
#include "lib/cgroup.h"
#include "lib/order.h"
#include "lib/netns.h"
#include "lib/place.h"
#include "features/xps/xps.h"

static void cpu_set(__u64 cpus[SL_XPS_CPU_WORDS], unsigned c)
{
	cpus[c / 64] |= 1ull << (c % 64);
}

int xps_cpulist_parse(const char *text, int ncpus, __u64 cpus[SL_XPS_CPU_WORDS], int col, struct sl_error *err)
{
	const char *p = text;

	memset(cpus, 0, sizeof(__u64) * SL_XPS_CPU_WORDS);
	if (!*p)
		return sl_fail(err, SL_E_USAGE, col, "cpu: an empty CPU list");
	while (*p) {
		unsigned long a, b;
		char *end;

		if (*p < '0' || *p > '9')
			return sl_fail(err, SL_E_USAGE, col, "cpu: '%s' is not a CPU list (0-3,8)", text);
		a = b = strtoul(p, &end, 10);
		if (*end == '-') {
			if (end[1] < '0' || end[1] > '9')
				return sl_fail(err, SL_E_USAGE, col, "cpu: '%s' is not a CPU list (0-3,8)", text);
			b = strtoul(end + 1, &end, 10);
		}
		if ((*end && *end != ',') || (*end == ',' && !end[1]) || b < a)
			return sl_fail(err, SL_E_USAGE, col, "cpu: '%s' is not a CPU list (0-3,8)", text);
		if (b >= (unsigned long)ncpus || b >= SL_XPS_CPUS)
			return sl_fail(err, SL_E_USAGE, col, "cpu: CPU %lu is beyond this machine's CPUs (0-%d)", b,
				       ncpus - 1);
		for (unsigned long c = a; c <= b; c++)
			cpu_set(cpus, (unsigned)c);
		p = *end ? end + 1 : end;
	}
	return 0;
}

void xps_cpulist_format(const __u64 cpus[SL_XPS_CPU_WORDS], char *out, size_t size)
{
	size_t len = 0;

	out[0] = '\0';
	for (unsigned c = 0; c < SL_XPS_CPUS; c++) {
		unsigned e = c;

		if (!sl_xps_cpu_in(cpus, c))
			continue;
		while (e + 1 < SL_XPS_CPUS && sl_xps_cpu_in(cpus, e + 1))
			e++;
		if (len < size)
			len += (size_t)snprintf(out + len, size - len, e > c ? "%s%u-%u" : "%s%u", len ? "," : "", c, e);
		c = e;
	}
}

int xps_cpumask_parse(const char *text, __u64 cpus[SL_XPS_CPU_WORDS])
{
	unsigned bit = 0;

	memset(cpus, 0, sizeof(__u64) * SL_XPS_CPU_WORDS);
	/* hex digits from the right, commas between groups of 32 bits */
	for (size_t i = strlen(text); i-- > 0;) {
		char ch = text[i];
		unsigned v;

		if (ch == ',')
			continue;
		if (ch >= '0' && ch <= '9')
			v = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		for (unsigned k = 0; k < 4; k++, bit++)
			if ((v >> k) & 1 && bit < SL_XPS_CPUS)
				cpu_set(cpus, bit);
	}
	return 0;
}

int xps_place_from(const struct sl_value *dev, const struct sl_value *netns, char out_dev[XPS_DEV_MAX],
		   char out_netns[XPS_NETNS_MAX], struct sl_error *err)
{
	return sl_place_from(dev, netns, out_dev, XPS_DEV_MAX, out_netns, XPS_NETNS_MAX, err);
}

int xps_rule_from_cmd(const struct sl_cmd *cmd, int ncpus, struct xps_rule_cfg *r, unsigned *given,
		      struct sl_error *err)
{
	const struct sl_value *o = cmd->opt;

	memset(r, 0, sizeof(*r));
	*given = 0;
	r->prio = XPS_DEFAULT_PRIO;
	if (xps_place_from(&o[XPS_OPT_DEV], &o[XPS_OPT_NETNS], r->dev, r->netns, err))
		return -1;
	if (o[XPS_OPT_PRIO].set) {
		r->prio = (uint32_t)o[XPS_OPT_PRIO].num;
		*given |= XPS_GIVEN_PRIO;
	}
	if (o[XPS_OPT_QUEUE].set) {
		r->queue = (uint32_t)o[XPS_OPT_QUEUE].num;
		*given |= XPS_GIVEN_QUEUE;
	}
	if (o[XPS_OPT_ALL].set) {
		r->sel = SL_XPS_SEL_ALL;
	} else if (o[XPS_OPT_CPU].set) {
		r->sel = SL_XPS_SEL_CPU;
		return xps_cpulist_parse(o[XPS_OPT_CPU].str, ncpus, r->cpus, o[XPS_OPT_CPU].col, err);
	} else if (o[XPS_OPT_CGROUP].set) {
		r->sel = SL_XPS_SEL_CGROUP;
		if (sl_cgroup_canon(o[XPS_OPT_CGROUP].str, r->cgroup, sizeof(r->cgroup)))
			return sl_fail(err, SL_E_USAGE, o[XPS_OPT_CGROUP].col,
				       "cgroup: '%s' is not a cgroup path (/a/b below the cgroup v2 root, as "
				       "/proc/PID/cgroup names it; no '.', '..', '//', blank, quote, '#' or backslash)",
				       o[XPS_OPT_CGROUP].str);
	} else if (o[XPS_OPT_MATCH_SET].set) {
		r->sel = SL_XPS_SEL_SET;
		if (sl_set_name_check(o[XPS_OPT_MATCH_SET].str, o[XPS_OPT_MATCH_SET].col, err))
			return -1;
		snprintf(r->set, sizeof(r->set), "%s", o[XPS_OPT_MATCH_SET].str);
		return sl_set_dirs_parse(sl_then_word(cmd, XPS_OPT_MATCH_SET), sl_then_col(cmd, XPS_OPT_MATCH_SET),
					 &r->ndirs, &r->src_dims, err);
	} else if (o[XPS_OPT_MARK].set) {
		const char *m = o[XPS_OPT_MARK].str;
		unsigned long long v, mask = 0xffffffffull;
		char *end;

		r->sel = SL_XPS_SEL_MARK;
		v = strtoull(m, &end, 0);
		if (*end == '/')
			mask = strtoull(end + 1, &end, 0);
		if (*m < '0' || *m > '9' || *end || v > 0xffffffffull || mask > 0xffffffffull || (v & ~mask))
			return sl_fail(err, SL_E_USAGE, o[XPS_OPT_MARK].col,
				       "mark: '%s' is not V or V/M (32-bit numbers, no bit of V outside M)", m);
		r->mark = (uint32_t)v;
		r->mask = (uint32_t)mask;
	}
	return 0;
}

bool xps_rule_same_match(const struct xps_rule_cfg *a, const struct xps_rule_cfg *b)
{
	if (strcmp(a->netns, b->netns) || strcmp(a->dev, b->dev) || a->sel != b->sel)
		return false;
	switch (a->sel) {
	case SL_XPS_SEL_CPU:
		return !memcmp(a->cpus, b->cpus, sizeof(a->cpus));
	case SL_XPS_SEL_CGROUP:
		return !strcmp(a->cgroup, b->cgroup);
	case SL_XPS_SEL_MARK:
		return a->mark == b->mark && a->mask == b->mask;
	case SL_XPS_SEL_SET:
		return !strcmp(a->set, b->set) && a->ndirs == b->ndirs && a->src_dims == b->src_dims;
	default:
		return true;
	}
}

static int find(const struct xps_state *s, const struct xps_rule_cfg *r)
{
	for (int k = 0; k < s->n; k++)
		if (xps_rule_same_match(&s->rule[k], r))
			return k;
	return -1;
}

int xps_state_add(struct xps_state *s, const struct xps_rule_cfg *r, struct sl_error *err)
{
	char words[512];
	int k = find(s, r);

	if (k >= 0) {
		xps_rule_words(&s->rule[k], words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, 0, "xps add: a rule for these packets exists (xps add %s); xps del it first",
			       words);
	}
	if (s->n == XPS_RULES_MAX)
		return sl_fail(err, SL_E_USAGE, 0, "xps add: at most %d rules", XPS_RULES_MAX);
	if (xps_state_rule_clear(s, r, err))
		return -1;
	s->rule[s->n] = *r;
	s->rule[s->n].seq = s->next_seq++;
	s->n++;
	return 0;
}

int xps_state_del(struct xps_state *s, const struct xps_rule_cfg *r, unsigned given, struct sl_error *err)
{
	int k = find(s, r);
	char words[512];

	if (k < 0)
		return sl_fail(err, SL_E_USAGE, 0, "xps del: no rule for these packets");
	if (((given & XPS_GIVEN_PRIO) && s->rule[k].prio != r->prio) ||
	    ((given & XPS_GIVEN_QUEUE) && s->rule[k].queue != r->queue)) {
		xps_rule_words(&s->rule[k], words, sizeof(words));
		return sl_fail(err, SL_E_USAGE, 0, "xps del: the rule for these packets is 'xps add %s'", words);
	}
	memmove(&s->rule[k], &s->rule[k + 1], (size_t)(s->n - k - 1) * sizeof(s->rule[0]));
	s->n--;
	return 0;
}

void xps_state_order(const struct xps_state *s, int order[XPS_RULES_MAX])
{
	uint32_t prio[XPS_RULES_MAX], seq[XPS_RULES_MAX];

	for (int k = 0; k < s->n; k++) {
		prio[k] = s->rule[k].prio;
		seq[k] = s->rule[k].seq;
	}
	sl_order_by_prio(s->n, prio, seq, order);
}

void xps_rule_words(const struct xps_rule_cfg *r, char *out, size_t size)
{
	char cpus[512], dirs[32];
	size_t len = 0;

#define PUT(...) (len += (size_t)snprintf(out + len, len < size ? size - len : 0, __VA_ARGS__))
	out[0] = '\0';
	PUT("dev %s", r->dev);
	if (r->netns[0])
		PUT(" netns %s", r->netns);
	if (r->prio != XPS_DEFAULT_PRIO)
		PUT(" prio %u", r->prio);
	switch (r->sel) {
	case SL_XPS_SEL_CPU:
		xps_cpulist_format(r->cpus, cpus, sizeof(cpus));
		PUT(" cpu %s", cpus);
		break;
	case SL_XPS_SEL_CGROUP:
		PUT(" cgroup %s", r->cgroup[0] ? r->cgroup : "/");
		break;
	case SL_XPS_SEL_MARK:
		if (r->mask == 0xffffffffu)
			PUT(" mark 0x%x", r->mark);
		else
			PUT(" mark 0x%x/0x%x", r->mark, r->mask);
		break;
	case SL_XPS_SEL_SET:
		sl_set_dirs_format(r->ndirs, r->src_dims, dirs, sizeof(dirs));
		PUT(" match-set %s %s", r->set, dirs);
		break;
	default:
		PUT(" all");
	}
	PUT(" queue %u", r->queue);
#undef PUT
}

void xps_save_state(const struct xps_state *s, FILE *out)
{
	int order[XPS_RULES_MAX];
	char words[512];

	/* maps first: a rule is checked against them when read back */
	for (int k = 0; k < s->nmaps; k++) {
		xps_map_words(&s->map[k], words, sizeof(words));
		fprintf(out, "xps cpus %s\n", words);
	}
	xps_state_order(s, order);
	for (int i = 0; i < s->n; i++) {
		xps_rule_words(&s->rule[order[i]], words, sizeof(words));
		fprintf(out, "xps add %s\n", words);
	}
}

void xps_rule_compile(const struct xps_rule_cfg *r, uint32_t id, struct sl_xps_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->sel = r->sel;
	out->queue = r->queue;
	out->id = id;
	out->mark = r->mark;
	out->mark_mask = r->mask;
	if (r->sel == SL_XPS_SEL_SET) {
		out->dims = r->src_dims;
		memcpy(out->set.name, r->set, strnlen(r->set, sizeof(out->set.name) - 1));
	} else {
		memcpy(out->cpus, r->cpus, sizeof(out->cpus));
	}
}

void xps_rule_cpus(const struct xps_rule_cfg *r, __u64 cpus[SL_XPS_CPU_WORDS])
{
	if (r->sel == SL_XPS_SEL_CPU)
		memcpy(cpus, r->cpus, sizeof(r->cpus));
	else
		memset(cpus, 0xff, sizeof(r->cpus));
}
