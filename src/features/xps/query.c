/* xps list, and the module's status entry. */
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>

#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/setref.h"
#include "features/xps/xps.h"

static json_object *rule_json(const struct xps_priv *p, int k, const __u64 cover[SL_XPS_CPU_WORDS])
{
	const struct xps_rule_cfg *r = &p->applied.rule[k];
	json_object *o = json_object_new_object();
	__u64 cpus[SL_XPS_CPU_WORDS];
	__u32 row = (__u32)p->slot[k] * SL_XPS_RULES + p->id[k];
	__u64 packets = 0;
	char words[512], list[512];

	SL_PERCPU_SUM(p->map_fd[XM_RSTATS], &row, &packets);
	xps_rule_words(r, words, sizeof(words));
	json_object_object_add(o, "rule", json_object_new_string(words));
	json_object_object_add(o, "netns", json_object_new_string(r->netns[0] ? r->netns : "host"));
	json_object_object_add(o, "dev", json_object_new_string(r->dev));
	json_object_object_add(o, "prio", json_object_new_int64(r->prio));
	json_object_object_add(o, "queue", json_object_new_int64(r->queue));
	json_object_object_add(o, "packets", json_object_new_uint64(packets));
	if (r->sel == SL_XPS_SEL_SET)
		sl_setref_json(o, p->map_fd[XM_SETDIR], r->set);
	/* kernel XPS set after the rule was added takes these CPUs' packets */
	xps_rule_cpus(r, cpus);
	for (int w = 0; w < SL_XPS_CPU_WORDS; w++)
		cpus[w] &= cover[w];
	xps_cpulist_format(cpus, list, sizeof(list));
	json_object_object_add(o, "holds", json_object_new_boolean(!list[0]));
	if (list[0])
		json_object_object_add(o, "kernel_xps_cpus", json_object_new_string(list));
	return o;
}

static json_object *device_json(const struct xps_priv *p, int slot, __u64 cover[SL_XPS_CPU_WORDS])
{
	const struct xps_dev *d = &p->dev[slot];
	json_object *o = json_object_new_object(), *queues = json_object_new_array();
	struct sl_error err;
	char what[512];

	json_object_object_add(o, "netns", json_object_new_string(d->netns[0] ? d->netns : "host"));
	json_object_object_add(o, "dev", json_object_new_string(d->dev));
	json_object_object_add(o, "mode", json_object_new_string(sl_attach_mode_name(d->att.mode)));
	json_object_object_add(o, "tx_queues", json_object_new_int(d->ntxq));
	for (__u32 q = 0; q < (__u32)d->ntxq && q < SL_XPS_QUEUES; q++) {
		__u32 row = (__u32)slot * SL_XPS_QUEUES + q;
		__u64 n = 0;

		SL_PERCPU_SUM(p->map_fd[XM_QSTATS], &row, &n);
		json_object_array_add(queues, json_object_new_uint64(n));
	}
	json_object_object_add(o, "steered", queues);
	if (xps_kernel_cover(d->netns, d->dev, d->ntxq, cover, what, sizeof(what), &err)) {
		memset(cover, 0, sizeof(__u64) * SL_XPS_CPU_WORDS);
		json_object_object_add(o, "error", json_object_new_string(err.msg));
	} else if (what[0]) {
		json_object_object_add(o, "kernel_xps", json_object_new_string(what));
	}
	return o;
}

int xps_query_list(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		   json_object **out, struct sl_error *err)
{
	struct xps_priv *p = priv;
	json_object *rules = json_object_new_array(), *devs = json_object_new_array();
	__u64 cover[SL_XPS_DEVS][SL_XPS_CPU_WORDS];
	int order[XPS_RULES_MAX];

	(void)state, (void)cmd, (void)err;
	*out = json_object_new_object();
	json_object_object_add(*out, "rules", rules);
	json_object_object_add(*out, "devices", devs);
	json_object_object_add(*out, "cpus", xps_maps_json(env, &p->applied));
	if (!p->base)
		return 0;
	for (int k = 0; k < SL_XPS_DEVS; k++)
		if (p->dev[k].used)
			json_object_array_add(devs, device_json(p, k, cover[k]));
	xps_state_order(&p->applied, order);
	for (int i = 0; i < p->applied.n; i++)
		json_object_array_add(rules, rule_json(p, order[i], cover[p->slot[order[i]]]));
	return 0;
}

json_object *xps_status(const struct sl_env *env, void *priv, const void *state)
{
	const struct xps_state *s = state;
	struct xps_priv *p = priv;
	json_object *o = json_object_new_object(), *links = json_object_new_array();
	char pin[512], name[32];

	json_object_object_add(o, "rules", json_object_new_int(s->n));
	for (int k = 0; k < SL_XPS_DEVS && p->base; k++) {
		const struct xps_dev *d = &p->dev[k];
		char attach[128];

		if (!d->used)
			continue;
		snprintf(name, sizeof(name), SL_XPS_LINK_PREFIX "%d", k);
		snprintf(attach, sizeof(attach), "%s egress %s%s", sl_attach_mode_name(d->att.mode), d->dev,
			 d->netns[0] ? " netns " : "");
		if (d->netns[0])
			snprintf(attach + strlen(attach), sizeof(attach) - strlen(attach), "%s", d->netns);
		sl_pin_path(pin, sizeof(pin), env->pin_root, SL_PIN_LINKS, name);
		json_object_array_add(links, sl_link_status(d->att.link_fd, d->prog_fd, "sl_xps_tc", attach, pin));
	}
	json_object_object_add(o, "links", links);
	json_object_object_add(o, "maps", sl_maps_status(env->pin_root, xps_map_names, p->map_fd, p->base ? XM_COUNT : 0));
	return o;
}
