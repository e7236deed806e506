/* xps cpus in the kernel: each queue's xps_cpus written through
 * lib/netsys (which records the value it replaced), and the originals put
 * back for the maps the state no longer has. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "lib/netsys.h"
#include "lib/place.h"
#include "features/xps/xps.h"

#define XPS_FILE "queues/tx-%u/xps_cpus"

int xps_maps_check(const struct xps_state *s, struct sl_error *err)
{
	for (int k = 0; k < s->nmaps; k++) {
		const struct xps_map_cfg *m = &s->map[k];
		int ntxq = sl_netsys_txqueues(m->netns, m->dev, err);
		char words[256];

		if (ntxq < 0)
			return -1;
		xps_map_words(m, words, sizeof(words));
		if (ntxq < 2)
			return sl_fail(err, SL_E_USAGE, 0, "xps cpus %s: dev %s has a single tx queue: no XPS to set", words,
				       m->dev);
		if (m->queue >= (uint32_t)ntxq)
			return sl_fail(err, SL_E_USAGE, 0, "xps cpus %s: dev %s has %d tx queues (0-%d)", words, m->dev, ntxq,
				       ntxq - 1);
	}
	return 0;
}

/* the state's map for this record, or NULL */
static const struct xps_map_cfg *map_of(const struct xps_state *s, const char *netns, const char *dev,
					const char *file)
{
	for (int k = 0; k < s->nmaps; k++) {
		char f[SL_NETSYS_FILE_MAX];

		snprintf(f, sizeof(f), XPS_FILE, s->map[k].queue);
		if (!strcmp(s->map[k].netns, netns) && !strcmp(s->map[k].dev, dev) && !strcmp(f, file))
			return &s->map[k];
	}
	return NULL;
}

static bool is_xps_file(const char *file)
{
	unsigned q;
	char tail[16];

	return sscanf(file, "queues/tx-%u/%15s", &q, tail) == 2 && !strcmp(tail, "xps_cpus");
}

int xps_maps_apply(const struct sl_env *env, const struct xps_state *s, struct sl_error *err)
{
	static struct sl_netsys_key keys[SL_NETSYS_RECS];
	static struct sl_netsys_rec recs[SL_NETSYS_RECS];
	int n = sl_netsys_records(env->pin_root, keys, recs, SL_NETSYS_RECS);

	for (int k = 0; k < s->nmaps; k++) {
		const struct xps_map_cfg *m = &s->map[k];
		char file[SL_NETSYS_FILE_MAX], value[SL_NETSYS_VALUE_MAX];
		int ntxq = sl_netsys_txqueues(m->netns, m->dev, err), i;

		if (ntxq < 0)
			return -1;
		snprintf(file, sizeof(file), XPS_FILE, m->queue);
		xps_cpumask_format(m->cpus, value, sizeof(value));
		for (i = 0; i < n; i++) {
			char ns[64], dev[32];
			uint32_t ifindex;

			sl_place_get(&keys[i].dev, ns, sizeof(ns), dev, sizeof(dev), &ifindex);
			if (!strcmp(ns, m->netns) && !strcmp(dev, m->dev) && !strcmp(keys[i].file, file) &&
			    !strcmp(recs[i].set, value) && recs[i].ntxq == (__u32)ntxq)
				break; /* written already, on this queue count */
		}
		if (i == n && sl_netsys_set(env->pin_root, m->netns, m->dev, file, value, ntxq, err))
			return -1;
	}
	for (int i = 0; i < n; i++) {
		char ns[64], dev[32];
		uint32_t ifindex;

		keys[i].file[sizeof(keys[i].file) - 1] = '\0';
		sl_place_get(&keys[i].dev, ns, sizeof(ns), dev, sizeof(dev), &ifindex);
		if (is_xps_file(keys[i].file) && !map_of(s, ns, dev, keys[i].file) &&
		    sl_netsys_restore(env->pin_root, ns, dev, keys[i].file, err))
			return -1;
	}
	return 0;
}

json_object *xps_maps_json(const struct sl_env *env, const struct xps_state *s)
{
	static struct sl_netsys_key keys[SL_NETSYS_RECS];
	static struct sl_netsys_rec recs[SL_NETSYS_RECS];
	int n = sl_netsys_records(env->pin_root, keys, recs, SL_NETSYS_RECS);
	json_object *a = json_object_new_array();

	for (int k = 0; k < s->nmaps; k++) {
		const struct xps_map_cfg *m = &s->map[k];
		json_object *o = json_object_new_object();
		char file[SL_NETSYS_FILE_MAX], cpus[256], now[SL_NETSYS_VALUE_MAX] = "";
		struct sl_error e;

		snprintf(file, sizeof(file), XPS_FILE, m->queue);
		xps_cpulist_format(m->cpus, cpus, sizeof(cpus));
		json_object_object_add(o, "netns", json_object_new_string(m->netns[0] ? m->netns : "host"));
		json_object_object_add(o, "dev", json_object_new_string(m->dev));
		json_object_object_add(o, "queue", json_object_new_int64(m->queue));
		json_object_object_add(o, "cpus", json_object_new_string(cpus));
		for (int i = 0; i < n; i++) {
			char ns[64], dev[32];
			uint32_t ifindex;

			sl_place_get(&keys[i].dev, ns, sizeof(ns), dev, sizeof(dev), &ifindex);
			if (!strcmp(ns, m->netns) && !strcmp(dev, m->dev) && !strncmp(keys[i].file, file, sizeof(file))) {
				recs[i].orig[sizeof(recs[i].orig) - 1] = '\0';
				json_object_object_add(o, "replaced", json_object_new_string(recs[i].orig));
			}
		}
		if (sl_netsys_read(m->netns, m->dev, file, now, sizeof(now), &e))
			json_object_object_add(o, "error", json_object_new_string(e.msg));
		else
			json_object_object_add(o, "kernel", json_object_new_string(now));
		json_object_array_add(a, o);
	}
	return a;
}

/* Every second: a device whose tx queue count changed since sluice wrote
 * its maps gets every original back (the kernel resets XPS maps of queues
 * it removes, and a map meant for N queues is not one for M); an apply
 * writes the state's maps again. */
static void follow(void *priv)
{
	static struct sl_netsys_key keys[SL_NETSYS_RECS];
	static struct sl_netsys_rec recs[SL_NETSYS_RECS];
	struct xps_priv *p = priv;
	int n;

	if (!p->pin_root)
		return;
	n = sl_netsys_records(p->pin_root, keys, recs, SL_NETSYS_RECS);
	for (int i = 0; i < n; i++) {
		char ns[64], dev[32];
		uint32_t ifindex;
		struct sl_error err;
		int ntxq;

		keys[i].file[sizeof(keys[i].file) - 1] = '\0';
		if (!is_xps_file(keys[i].file))
			continue;
		sl_place_get(&keys[i].dev, ns, sizeof(ns), dev, sizeof(dev), &ifindex);
		ntxq = sl_netsys_txqueues(ns, dev, &err);
		if (ntxq == (int)recs[i].ntxq)
			continue;
		sl_warn("xps: dev %s: %d tx queues, %u when sluice set %s: the value it replaced is back", dev, ntxq,
			recs[i].ntxq, keys[i].file);
		if (sl_netsys_restore(p->pin_root, ns, dev, keys[i].file, &err))
			sl_warn("xps: dev %s: %s: %s", dev, keys[i].file, err.msg);
	}
}

const struct sl_feature_timer xps_timers[] = {
	{ .period_ms = 1000, .run = follow },
	{ 0 },
};
