/* send list, and the module's status entry. */
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>

#include "core/pin.h"
#include "lib/bpf_info.h"
#include "lib/setref.h"
#include "features/send/send.h"

static json_object *rule_json(const struct send_priv *p, int k)
{
	const struct send_rule_cfg *r = &p->applied.rule[k];
	json_object *o = json_object_new_object();
	struct sl_send_stat st = { 0 };
	char dst[80], to[80];

	if (!r->set[0])
		send_dst_str(r->family, r->addr, r->prefix_len, r->port, dst, sizeof(dst));
	if (p->map_fd[SNDM_STATS] >= 0)
		SL_PERCPU_SUM(p->map_fd[SNDM_STATS], &p->id[k], &st);
	json_object_object_add(o, "id", json_object_new_int64(p->id[k]));
	json_object_object_add(o, "netns", json_object_new_string(r->netns[0] ? r->netns : "host"));
	json_object_object_add(o, "cgroup", json_object_new_string(r->cgroup[0] ? r->cgroup : "/"));
	json_object_object_add(o, "prio", json_object_new_int64(r->prio));
	json_object_object_add(o, "dst", r->set[0] ? NULL : json_object_new_string(dst));
	if (r->set[0]) {
		sl_setref_json(o, p->map_fd[SNDM_SETDIR], r->set);
		json_object_object_add(o, "match_dirs", json_object_new_string(r->set_port ? "dst,dst" : "dst"));
	}
	json_object_object_add(o, "action", json_object_new_string(send_action_names[r->action]));
	if (r->action == SL_SEND_REWRITE) {
		send_dst_str(r->family, r->to_addr, -1, r->to_port, to, sizeof(to));
		json_object_object_add(o, "to", json_object_new_string(to));
	}
	json_object_object_add(o, "messages", json_object_new_uint64(st.messages));
	json_object_object_add(o, "connects", json_object_new_uint64(st.connects));
	if (r->action == SL_SEND_REWRITE)
		json_object_object_add(o, "replies", json_object_new_uint64(st.replies));
	return o;
}

int send_query_list(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		    json_object **out, struct sl_error *err)
{
	struct send_priv *p = priv;
	int order[SL_SEND_RULES];

	(void)env, (void)state, (void)cmd, (void)err;
	*out = json_object_new_array();
	if (!p->has_applied)
		return 0;
	send_state_order(&p->applied, order);
	for (int i = 0; i < p->applied.n; i++)
		json_object_array_add(*out, rule_json(p, order[i]));
	return 0;
}

json_object *send_status(const struct sl_env *env, void *priv, const void *state)
{
	const struct send_state *s = state;
	struct send_priv *p = priv;
	json_object *o = json_object_new_object(), *links = json_object_new_array();
	char pin[512];

	json_object_object_add(o, "rules", json_object_new_int(s->n));
	for (int c = 0; c < p->ncg; c++)
		for (int h = 0; h < SEND_HOOKS; h++) {
			char name[64], attach[600], prog[32];

			snprintf(name, sizeof(name), SL_SEND_LINK_PREFIX "%s_%llu", send_hook_names[h],
				 (unsigned long long)p->cg[c].id);
			snprintf(attach, sizeof(attach), "cgroup %s %s", p->cg[c].cgroup[0] ? p->cg[c].cgroup : "/",
				 send_hook_names[h]);
			snprintf(prog, sizeof(prog), "sl_send_%s", send_hook_names[h]);
			sl_pin_path(pin, sizeof(pin), env->pin_root, SL_PIN_LINKS, name);
			json_object_array_add(links, sl_link_status(p->cg[c].link_fd[h], -1, prog, attach, pin));
		}
	json_object_object_add(o, "links", links);
	json_object_object_add(o, "cgroup2", json_object_new_string(p->cgroup_root));
	json_object_object_add(o, "maps", sl_maps_status(env->pin_root, send_map_names, p->map_fd, SNDM_COUNT));
	return o;
}
