/* mcast groups, mcast ports, and the module's status entry. */
#include <bpf/bpf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/bpf_info.h"
#include "lib/addr.h"
#include "features/mcast/mcast.h"

static const char *port_name(const struct mcast_bridge_rt *b, uint32_t ifindex, char *buf, size_t size)
{
	for (int k = 0; k < b->nports; k++)
		if (b->port[k].ifindex == ifindex)
			return b->port[k].name;
	snprintf(buf, size, "if%u", ifindex);
	return buf;
}

/* memberships of one (bridge, group) next to each other */
static int cmp_member(const void *a, const void *b)
{
	const struct sl_mc_member_key *x = a, *y = b;

	if (x->bridge != y->bridge)
		return x->bridge < y->bridge ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->group, y->group, sizeof(x->group));
}

static bool same_group(const struct sl_mc_member_key *x, const struct sl_mc_member_key *y)
{
	return x->bridge == y->bridge && x->family == y->family && !memcmp(x->group, y->group, sizeof(x->group));
}

/* With the fast path, into the group's row (flat: a table's columns): its
 * own port set if one is current (built for the generations as they are
 * now; else null: its frames take the bridge's), and how many of its
 * frames took which. */
static void group_fast_json(struct mcast_priv *p, const struct mcast_bridge_rt *b, const struct sl_mc_member_key *m,
			    json_object *o)
{
	struct sl_mc_group_key gk = { .bridge = m->bridge, .family = m->family };
	struct sl_mc_gset_key k = { .bridge = m->bridge, .family = m->family };
	json_object *set = NULL;
	struct sl_mc_group_stats st;
	uint32_t ports[SL_MC_DEV_PORTS];
	struct sl_mc_group g;
	int n = -1;

	memcpy(gk.group, m->group, sizeof(gk.group));
	memcpy(k.group, m->group, sizeof(k.group));
	if (!bpf_map_lookup_elem(p->map_fd[MM_GROUP], &gk, &g)) {
		k.gen = g.gen;
		k.ports = mcast_ports_gen(p, (int)m->bridge);
		n = mcast_gset_ports(p, &k, ports, SL_MC_DEV_PORTS);
	}
	if (n >= 0) {
		char name[32];

		set = json_object_new_array();
		for (int i = 0; i < n; i++)
			json_object_array_add(set, json_object_new_string(port_name(b, ports[i], name, sizeof(name))));
	}
	SL_PERCPU_SUM(p->map_fd[MM_GSTAT], &gk, &st);
	json_object_object_add(o, "fast_set", set);
	json_object_object_add(o, "fast_redirected", json_object_new_uint64(st.redirected));
	json_object_object_add(o, "fast_fallback", json_object_new_uint64(st.fallback));
}

/* one row per (bridge, group): member ports, seconds left (the longest) */
static json_object *groups_json(struct mcast_priv *p)
{
	json_object *rows = json_object_new_array();
	uint64_t now = sl_ktime_ns();
	size_t n;
	struct sl_mc_member_key *keys = sl_map_keys(p->map_fd[MM_MEMBER], &n);

	if (keys)
		qsort(keys, n, sizeof(*keys), cmp_member);
	for (size_t i = 0; keys && i < n;) {
		const struct mcast_bridge_rt *b = keys[i].bridge < SL_MC_BRIDGES ? &p->br[keys[i].bridge] : NULL;
		char addr[64], name[32];
		json_object *ports = json_object_new_array();
		uint64_t last = 0;
		size_t j;

		for (j = i; j < n && same_group(&keys[i], &keys[j]); j++) {
			struct sl_mc_member m;

			if (!b || !b->active || bpf_map_lookup_elem(p->map_fd[MM_MEMBER], &keys[j], &m) ||
			    m.expires_ns <= now)
				continue;
			json_object_array_add(ports, json_object_new_string(port_name(b, keys[j].ifindex, name,
											 sizeof(name))));
			if (m.expires_ns > last)
				last = m.expires_ns;
		}
		if (json_object_array_length(ports)) {
			json_object *row = json_object_new_object();

			sl_addr_str(keys[i].family, keys[i].group, addr, sizeof(addr));
			json_object_object_add(row, "bridge", json_object_new_string(b->name));
			json_object_object_add(row, "netns", json_object_new_string(b->netns[0] ? b->netns : "host"));
			json_object_object_add(row, "group", json_object_new_string(addr));
			json_object_object_add(row, "ports", ports);
			json_object_object_add(row, "seconds_left",
					       json_object_new_int64((int64_t)((last - now + 999999999ull) / 1000000000ull)));
			if (b->fast)
				group_fast_json(p, b, &keys[i], row);
			json_object_array_add(rows, row);
		} else {
			json_object_put(ports);
		}
		i = j;
	}
	free(keys);
	return rows;
}

static json_object *ports_json(struct mcast_priv *p)
{
	json_object *rows = json_object_new_array();
	uint64_t now = sl_ktime_ns();

	for (int id = 0; id < SL_MC_BRIDGES; id++) {
		const struct mcast_bridge_rt *b = &p->br[id];
		uint32_t bridge = (uint32_t)id;
		struct sl_mc_fast_stats fast;

		SL_PERCPU_SUM(p->map_fd[MM_FAST], &bridge, &fast);
		for (int k = 0; b->active && k < b->nports; k++) {
			struct sl_mc_port_key key = { .bridge = (__u32)id, .ifindex = b->port[k].ifindex };
			struct sl_mc_port v = { 0 };
			struct sl_mc_port_stats st;
			json_object *o = json_object_new_object();
			char router[48];

			bpf_map_lookup_elem(p->map_fd[MM_PORT], &key, &v);
			SL_PERCPU_SUM(p->map_fd[MM_STATS], &key, &st); /* zeroed if absent */
			if (v.router == SL_MC_ROUTER_AUTO && v.router_until_ns > now)
				snprintf(router, sizeof(router), "learned (%llus left)",
					 (unsigned long long)((v.router_until_ns - now) / 1000000000ull));
			else
				snprintf(router, sizeof(router), "%s", mcast_router_name(v.router));
			json_object_object_add(o, "bridge", json_object_new_string(b->name));
			json_object_object_add(o, "netns", json_object_new_string(b->netns[0] ? b->netns : "host"));
			json_object_object_add(o, "port", json_object_new_string(b->port[k].name));
			json_object_object_add(o, "attach", json_object_new_string(sl_attach_mode_name(b->port[k].link[MC_EG].mode)));
			/* the fast path's XDP link: "xdp" (native), "xdpgeneric", or "none" */
			json_object_object_add(o, "fast_path", json_object_new_string(
							       sl_attach_mode_name(b->port[k].link[MC_XDP].mode)));
			json_object_object_add(o, "router", json_object_new_string(router));
			json_object_object_add(o, "flood", json_object_new_boolean(v.flood));
			json_object_object_add(o, "passed", json_object_new_uint64(st.passed));
			/* and the fast path's frames it was spared: those its group's
			 * set left it out of (the sums are of per-CPU counts read
			 * one after the other: never below 0) */
			if (fast.redirected > st.fast_in + st.fast_offered)
				st.suppressed += fast.redirected - st.fast_in - st.fast_offered;
			json_object_object_add(o, "suppressed", json_object_new_uint64(st.suppressed));
			/* fast path copies made for it (its devmap entry decided on them) */
			json_object_object_add(o, "fast_offered", json_object_new_uint64(st.fast_offered));
			json_object_object_add(o, "reports", json_object_new_uint64(st.reports));
			json_object_object_add(o, "leaves", json_object_new_uint64(st.leaves));
			json_object_object_add(o, "queries", json_object_new_uint64(st.queries));
			json_object_object_add(o, "malformed", json_object_new_uint64(st.malformed));
			json_object_array_add(rows, o);
		}
	}
	return rows;
}

/* mcast groups: an empty list while the policy was never enabled */
int mcast_query_groups(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		       json_object **out, struct sl_error *err)
{
	struct mcast_priv *p = priv;

	(void)env, (void)state, (void)cmd, (void)err;
	*out = p->loaded ? groups_json(p) : json_object_new_array();
	return 0;
}

/* mcast ports: as groups */
int mcast_query_ports(const struct sl_env *env, void *priv, const void *state, const struct sl_cmd *cmd,
		      json_object **out, struct sl_error *err)
{
	struct mcast_priv *p = priv;

	(void)env, (void)state, (void)cmd, (void)err;
	*out = p->loaded ? ports_json(p) : json_object_new_array();
	return 0;
}

/* the group port sets bridge `id` has now (current or not yet deleted) */
static int gsets_of(struct mcast_priv *p, int id)
{
	size_t n;
	struct sl_mc_gset_key *keys = sl_map_keys(p->map_fd[MM_GSET], &n);
	int c = 0;

	for (size_t i = 0; keys && i < n; i++)
		c += keys[i].bridge == (uint32_t)id;
	free(keys);
	return c;
}

/* the fast path of bridge `id`: on or off, and what its XDP program did */
static json_object *fast_json(struct mcast_priv *p, int id)
{
	static const struct { const char *name; size_t off; } ctrs[] = {
		{ "redirected", offsetof(struct sl_mc_fast_stats, redirected) },
		{ "not_multicast", offsetof(struct sl_mc_fast_stats, not_multicast) },
		{ "control", offsetof(struct sl_mc_fast_stats, control) },
		{ "unregistered", offsetof(struct sl_mc_fast_stats, unregistered) },
		{ "vlan", offsetof(struct sl_mc_fast_stats, vlan) },
		{ "unparsed", offsetof(struct sl_mc_fast_stats, unparsed) },
		{ "failed", offsetof(struct sl_mc_fast_stats, failed) },
	};
	json_object *o = json_object_new_object(), *passed = json_object_new_object();
	struct sl_mc_fast_stats st;
	uint32_t key = (uint32_t)id;

	SL_PERCPU_SUM(p->map_fd[MM_FAST], &key, &st);
	json_object_object_add(o, "on", json_object_new_boolean(p->br[id].fast));
	json_object_object_add(o, "redirected", json_object_new_uint64(st.redirected));
	/* what went to the bridge, by reason */
	for (size_t i = 1; i < sizeof(ctrs) / sizeof(ctrs[0]); i++)
		json_object_object_add(passed, ctrs[i].name,
				       json_object_new_uint64(*(const uint64_t *)((const char *)&st + ctrs[i].off)));
	json_object_object_add(o, "passed", passed);
	json_object_object_add(o, "group_sets", json_object_new_int(gsets_of(p, id)));
	return o;
}

json_object *mcast_status(const struct sl_env *env, void *priv, const void *state)
{
	struct mcast_priv *p = priv;
	const struct mcast_state *s = state;
	json_object *o = json_object_new_object(), *br = json_object_new_array();

	(void)env;
	for (int id = 0; p->loaded && id < SL_MC_BRIDGES; id++) {
		json_object *b;

		if (!p->br[id].active)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "bridge", json_object_new_string(p->br[id].name));
		json_object_object_add(b, "netns", json_object_new_string(p->br[id].netns[0] ? p->br[id].netns : "host"));
		json_object_object_add(b, "ports", json_object_new_int(p->br[id].nports));
		/* how its ports' programs are attached: "tcx", or "tc" (legacy) */
		json_object_object_add(b, "attach", json_object_new_string(sl_attach_mode_name(
							    p->br[id].nports ? p->br[id].port[0].link[MC_EG].mode : 0)));
		json_object_object_add(b, "fast_path", fast_json(p, id));
		json_object_array_add(br, b);
	}
	json_object_object_add(o, "bridges_configured", json_object_new_int(s->nbr));
	json_object_object_add(o, "bridges", br);
	return o;
}
