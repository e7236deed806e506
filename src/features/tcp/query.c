/* tcp list, and the module's status entry. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>

#include "lib/bpf_info.h"
#include "core/pin.h"
#include "lib/setref.h"
#include "features/tcp/tcp.h"

static json_object *rule_json(const struct tcp_priv *p, int k)
{
	const struct tcp_rule_cfg *r = &p->applied.rule[k];
	json_object *o = json_object_new_object();
	struct sl_tcp_stat st = { 0 };
	char dst[INET6_ADDRSTRLEN + 8] = "any";

	if (r->has_dst) {
		inet_ntop(r->family == SL_FAMILY_IPV4 ? AF_INET : AF_INET6, r->addr, dst, sizeof(dst));
		snprintf(dst + strlen(dst), sizeof(dst) - strlen(dst), "/%u", r->prefix_len);
	}
	if (p->map_fd[TM_STATS] >= 0)
		SL_PERCPU_SUM(p->map_fd[TM_STATS], &p->id[k], &st);
	json_object_object_add(o, "id", json_object_new_int64(p->id[k]));
	json_object_object_add(o, "netns", json_object_new_string(r->netns[0] ? r->netns : "host"));
	json_object_object_add(o, "cgroup", json_object_new_string(r->cgroup[0] ? r->cgroup : "/"));
	json_object_object_add(o, "prio", json_object_new_int64(r->prio));
	json_object_object_add(o, "dst", r->set[0] ? NULL : json_object_new_string(dst));
	if (r->set[0])
		sl_setref_json(o, p->map_fd[TM_SETDIR], r->set);
	json_object_object_add(o, "initcwnd", r->initcwnd ? json_object_new_int64(r->initcwnd) : NULL);
	json_object_object_add(o, "initrwnd", r->initrwnd ? json_object_new_int64(r->initrwnd) : NULL);
	json_object_object_add(o, "cc", r->cc[0] ? json_object_new_string(r->cc) : NULL);
	json_object_object_add(o, "active", json_object_new_uint64(st.active));
	json_object_object_add(o, "passive", json_object_new_uint64(st.passive));
	if (st.refused)
		json_object_object_add(o, "refused", json_object_new_uint64(st.refused));
	return o;
}

int tcp_query_list(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		   json_object **out, struct sl_error *err)
{
	struct tcp_priv *p = priv;
	int order[SL_TCP_RULES];

	(void)env, (void)state, (void)cmd, (void)err;
	*out = json_object_new_array();
	if (!p->has_applied)
		return 0;
	tcp_state_order(&p->applied, order);
	for (int i = 0; i < p->applied.n; i++)
		json_object_array_add(*out, rule_json(p, order[i]));
	return 0;
}

json_object *tcp_status(const struct sl_env *env, void *priv, const void *state)
{
	const struct tcp_state *s = state;
	struct tcp_priv *p = priv;
	json_object *o = json_object_new_object();
	const char *off = tcp_kernel_off();
	char pin[512];

	json_object_object_add(o, "rules", json_object_new_int(s->n));
	if (off) {
		json_object_object_add(o, "off", json_object_new_string(off));
	} else {
		json_object *links = json_object_new_array();

		for (int i = 0; i < p->nlinks; i++) {
			char name[64], attach[600];

			snprintf(name, sizeof(name), SL_TCP_LINK_PREFIX "%llu", (unsigned long long)p->link[i].id);
			snprintf(attach, sizeof(attach), "cgroup %s", p->link[i].cgroup[0] ? p->link[i].cgroup : "/");
			sl_pin_path(pin, sizeof(pin), env->pin_root, SL_PIN_LINKS, name);
			json_object_array_add(links, sl_link_status(p->link[i].link_fd, p->link[i].prog_fd,
								    "sl_tcp_sockops", attach, pin));
		}
		json_object_object_add(o, "links", links);
		json_object_object_add(o, "cgroup2", json_object_new_string(p->cgroup_root));
	}
	json_object_object_add(o, "maps", sl_maps_status(env->pin_root, tcp_map_names, p->map_fd, TM_COUNT));
	if (p->cc_off[0]) {
		json_object *cc = json_object_new_object();

		json_object_object_add(cc, "name", json_object_new_string(SL_TCP_OWN_CC));
		json_object_object_add(cc, "off", json_object_new_string(p->cc_off));
		json_object_object_add(o, "congestion_control", cc);
	} else if (p->cc_fd >= 0) {
		json_object *cc = json_object_new_object();

		json_object_object_add(cc, "name", json_object_new_string(SL_TCP_OWN_CC));
		json_object_object_add(cc, "registered", json_object_new_string(
			p->cc_link ? "struct_ops link" : "struct_ops map (no links before 6.4)"));
		if (p->cc_link)
			json_object_object_add(cc, "link_id", json_object_new_int64(sl_link_id(p->cc_fd)));
		sl_pin_path(pin, sizeof(pin), env->pin_root, p->cc_link ? SL_PIN_LINKS : SL_PIN_MAPS,
			    p->cc_link ? SL_TCP_CC_LINK : SL_TCP_CC_MAP);
		json_object_object_add(cc, "pin", json_object_new_string(pin));
		json_object_object_add(o, "congestion_control", cc);
	}
	return o;
}
