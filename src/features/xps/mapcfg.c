/* xps cpus as configuration, without the kernel: a tx queue's XPS map,
 * one per (netns, dev, queue), and the rule against which it must not
 * take packets. */
#include <string.h>

#include "features/xps/xps.h"

int xps_map_from_cmd(const struct sl_cmd *cmd, int ncpus, struct xps_map_cfg *m, struct sl_error *err)
{
	const struct sl_value *o = cmd->opt;

	memset(m, 0, sizeof(*m));
	if (xps_place_from(&o[XPS_MOPT_DEV], &o[XPS_MOPT_NETNS], m->dev, m->netns, err))
		return -1;
	m->queue = (uint32_t)o[XPS_MOPT_QUEUE].num;
	if (o[XPS_MOPT_CPUS].set)
		return xps_cpulist_parse(o[XPS_MOPT_CPUS].str, ncpus, m->cpus, o[XPS_MOPT_CPUS].col, err);
	return 0;
}

static bool same_dev(const char *ns1, const char *d1, const char *ns2, const char *d2)
{
	return !strcmp(ns1, ns2) && !strcmp(d1, d2);
}

static int find_map(const struct xps_state *s, const struct xps_map_cfg *m)
{
	for (int k = 0; k < s->nmaps; k++)
		if (same_dev(s->map[k].netns, s->map[k].dev, m->netns, m->dev) && s->map[k].queue == m->queue)
			return k;
	return -1;
}

/* the first rule of m's device whose CPUs m covers; -1 */
static int rule_taken(const struct xps_state *s, const struct xps_map_cfg *m, char *cpus, size_t size)
{
	for (int k = 0; k < s->n; k++) {
		__u64 c[SL_XPS_CPU_WORDS];

		if (!same_dev(s->rule[k].netns, s->rule[k].dev, m->netns, m->dev))
			continue;
		xps_rule_cpus(&s->rule[k], c);
		for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
			c[w] &= m->cpus[w];
		xps_cpulist_format(c, cpus, size);
		if (cpus[0])
			return k;
	}
	return -1;
}

int xps_state_map_set(struct xps_state *s, const struct xps_map_cfg *m, struct sl_error *err)
{
	char words[512], mw[256], cpus[256];
	int k = rule_taken(s, m, cpus, sizeof(cpus)), at;

	if (k >= 0) {
		xps_rule_words(&s->rule[k], words, sizeof(words));
		xps_map_words(m, mw, sizeof(mw));
		return sl_fail(err, SL_E_USAGE, 0,
			       "xps cpus %s: the kernel's XPS would take the packets sent from CPU %s before the "
			       "rule 'xps add %s' sees them; xps del the rule first", mw, cpus, words);
	}
	at = find_map(s, m);
	if (at < 0) {
		if (s->nmaps == XPS_MAPS_MAX)
			return sl_fail(err, SL_E_USAGE, 0, "xps cpus: at most %d queues' maps", XPS_MAPS_MAX);
		at = s->nmaps++;
	}
	s->map[at] = *m;
	return 0;
}

int xps_state_map_del(struct xps_state *s, const struct xps_map_cfg *m, struct sl_error *err)
{
	int k = find_map(s, m);

	if (k < 0)
		return sl_fail(err, SL_E_USAGE, 0, "xps del cpus: sluice set no XPS map on queue %u of dev %s", m->queue,
			       m->dev);
	memmove(&s->map[k], &s->map[k + 1], (size_t)(s->nmaps - k - 1) * sizeof(s->map[0]));
	s->nmaps--;
	return 0;
}

int xps_state_rule_clear(const struct xps_state *s, const struct xps_rule_cfg *r, struct sl_error *err)
{
	for (int k = 0; k < s->nmaps; k++) {
		struct xps_state one = { .n = 1 };
		char words[512], mw[256], cpus[256];

		one.rule[0] = *r;
		if (rule_taken(&one, &s->map[k], cpus, sizeof(cpus)) < 0)
			continue;
		xps_rule_words(r, words, sizeof(words));
		xps_map_words(&s->map[k], mw, sizeof(mw));
		return sl_fail(err, SL_E_USAGE, 0,
			       "xps add %s: the kernel's XPS map set by 'xps cpus %s' takes the packets sent from CPU "
			       "%s before any tc program: the rule would not hold for them; select other CPUs or "
			       "xps del cpus first", words, mw, cpus);
	}
	return 0;
}

void xps_map_words(const struct xps_map_cfg *m, char *out, size_t size)
{
	char cpus[256];

	xps_cpulist_format(m->cpus, cpus, sizeof(cpus));
	snprintf(out, size, "dev %s%s%s queue %u cpus %s", m->dev, m->netns[0] ? " netns " : "", m->netns, m->queue,
		 cpus[0] ? cpus : "none");
}

void xps_cpumask_format(const __u64 cpus[SL_XPS_CPU_WORDS], char *out, size_t size)
{
	int top = 0;
	size_t len = 0;

	for (int g = 0; g < 2 * SL_XPS_CPU_WORDS; g++)
		if ((cpus[g / 2] >> (32 * (g % 2))) & 0xffffffffu)
			top = g;
	out[0] = '\0';
	for (int g = top; g >= 0 && len < size; g--)
		len += (size_t)snprintf(out + len, size - len, "%s%08x", g == top ? "" : ",",
					(unsigned)((cpus[g / 2] >> (32 * (g % 2))) & 0xffffffffu));
}
