/* UDP drop tracing: read commands (drops, events, stats, reset) and status. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "core/log.h"
#include "lib/netns.h"
#include "core/pin.h"
#include "features/drops/drops.h"

static const char *const stat_names[SL_DSTAT_MAX] = {
	[SL_DSTAT_SEEN] = "udp_drops_seen",         [SL_DSTAT_KEYS_FULL] = "not_counted_map_full",
	[SL_DSTAT_UNPARSED] = "unparsed",           [SL_DSTAT_EV_SENT] = "events_sent",
	[SL_DSTAT_EV_LOST] = "events_lost",
	[SL_DSTAT_QFAIL_FULL] = "queue_fail_not_counted",
};

/* Append the rows of counter map `fd` of `netns` (0: all), summed over
 * CPUs, to *rows (of *n). Returns 0 or -1. */
static int add_rows(int fd, uint32_t netns, struct drops_row **rows, size_t *n)
{
	size_t nkeys;
	struct sl_drop_key *keys = sl_map_keys(fd, &nkeys);
	struct drops_row *r = keys ? realloc(*rows, (*n + nkeys + 1) * sizeof(**rows)) : NULL;

	if (!r) {
		free(keys);
		return -1;
	}
	*rows = r;
	for (size_t i = 0; i < nkeys; i++) {
		struct sl_drop_count sum;

		if ((netns && keys[i].netns != netns) || SL_PERCPU_SUM(fd, &keys[i], &sum))
			continue; /* another namespace, or deleted meanwhile */
		r[*n].key = keys[i];
		r[*n].packets = sum.packets;
		r[(*n)++].bytes = sum.bytes;
	}
	free(keys);
	return 0;
}

/* every drop row of `netns` (0: all): exact keys, then the "other" rows */
static struct drops_row *read_rows(const struct drops_priv *p, uint32_t netns, size_t *n, struct sl_error *err)
{
	struct drops_row *rows = NULL;

	*n = 0;
	if (add_rows(p->map_fd[M_COUNTERS], netns, &rows, n) || add_rows(p->map_fd[M_OTHER], netns, &rows, n)) {
		free(rows);
		sl_fail(err, SL_E_KERNEL, 0, "cannot read the drop counters: %s", strerror(errno));
		return NULL;
	}
	return rows;
}

/* --netns NAME / --all / default (the daemon's namespace); 0 = all */
static int scope_of(const struct sl_cmd *cmd, uint32_t *netns, struct sl_error *err)
{
	const struct sl_value *name = &cmd->opt[DROPS_OPT_NETNS];

	*netns = sl_netns_self();
	if (cmd->opt[DROPS_OPT_ALL].set)
		*netns = 0;
	else if (name->set && sl_netns_by_name(name->str, netns, err)) {
		err->col = name->col;
		return -1;
	}
	return 0;
}

static json_object *socket_rows_json(int fd, uint32_t netns)
{
	json_object *arr = json_object_new_array();
	size_t n;
	struct sl_qfail_key *keys = sl_map_keys(fd, &n);
	char ns[64];

	for (size_t i = 0; keys && i < n; i++) {
		struct sl_drop_count sum;
		json_object *o;

		if ((netns && keys[i].netns != netns) || SL_PERCPU_SUM(fd, &keys[i], &sum))
			continue;
		o = json_object_new_object();
		sl_netns_name(keys[i].netns, ns, sizeof(ns));
		json_object_object_add(o, "netns", json_object_new_string(ns));
		json_object_object_add(o, "family", json_object_new_string(drops_family_name(keys[i].family)));
		json_object_object_add(o, "port", json_object_new_int(keys[i].port));
		json_object_object_add(o, "error", json_object_new_string(strerrorname_np(-keys[i].err) ?: "?"));
		json_object_object_add(o, "packets", json_object_new_uint64(sum.packets));
		json_object_object_add(o, "bytes", json_object_new_uint64(sum.bytes));
		json_object_array_add(arr, o);
	}
	free(keys);
	return arr;
}

static json_object *stats_json(struct drops_priv *p)
{
	json_object *o = json_object_new_object();
	uint64_t v[SL_DSTAT_MAX] = { 0 };

	for (__u32 i = 0; i < SL_DSTAT_MAX; i++) {
		if (p->map_fd[M_STATS] >= 0)
			SL_PERCPU_SUM(p->map_fd[M_STATS], &i, &v[i]); /* one __u64 per stat */
		if (stat_names[i])
			json_object_object_add(o, stat_names[i], json_object_new_uint64(v[i]));
	}
	/* each seen drop was sent as an event, lost, or held back by the rate;
	 * `seen` was read first, so under load the others may be a little ahead */
	uint64_t out = v[SL_DSTAT_EV_SENT] + v[SL_DSTAT_EV_LOST];

	json_object_object_add(o, "events_rate_limited",
			       json_object_new_uint64(v[SL_DSTAT_SEEN] > out ? v[SL_DSTAT_SEEN] - out : 0));
	json_object_object_add(o, "events_received", json_object_new_uint64(p->recent.received));
	/* drops the kernel did not show us: the program was busy on that CPU.
	 * null when a running program's count cannot be read (after a restart
	 * without CAP_SYS_ADMIN; the next reload makes it readable again) */
	int64_t misses = (int64_t)v[SL_DSTAT_PAST_MISSES];

	for (int i = 0; i < NLINKS && misses >= 0; i++) {
		int64_t m = p->link_fd[i] >= 0 ? sl_prog_recursion_misses(p->prog_fd[i]) : 0;

		misses = m < 0 ? -1 : misses + m;
	}
	json_object_object_add(o, "recursion_misses", misses < 0 ? NULL : json_object_new_int64(misses));
	return o;
}

/* Every per-namespace key starts with its netns, so one filter serves both maps. */
_Static_assert(offsetof(struct sl_drop_key, netns) == 0 && offsetof(struct sl_qfail_key, netns) == 0,
	       "keys start with netns");

static void reset(struct drops_priv *p, uint32_t netns)
{
	const int maps[] = { M_COUNTERS, M_OTHER, M_QFAIL };
	const size_t key_size[] = { sizeof(struct sl_drop_key), sizeof(struct sl_drop_key),
				    sizeof(struct sl_qfail_key) };

	for (int m = 0; m < 3; m++) {
		int fd = p->map_fd[maps[m]];
		size_t n;
		char *keys = sl_map_keys(fd, &n);

		for (size_t i = 0; keys && i < n; i++) {
			uint32_t key_netns;

			memcpy(&key_netns, keys + i * key_size[m], sizeof(key_netns));
			if (!netns || key_netns == netns)
				bpf_map_delete_elem(fd, keys + i * key_size[m]);
		}
		free(keys);
	}
}

/* what every read needs: the counter maps (pinned by an earlier enable)
 * and the kernel's reason names */
static int ready(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	if (p->map_fd[0] < 0 && drops_open_maps(env, p, NULL))
		return sl_fail(err, SL_E_NEGATIVE, 0, "drop tracing has never been enabled (drops enable)");
	drops_load_reason_names(p);
	drops_events_drain(p); /* what the loop has not read yet counts too */
	return 0;
}

/* drops stats */
int drops_query_stats(const struct sl_env *env, void *priv, const void *st, const struct sl_cmd *cmd,
		      json_object **out, struct sl_error *err)
{
	(void)st, (void)cmd;
	if (ready(env, priv, err))
		return -1;
	*out = stats_json(priv);
	return 0;
}

/* drops reset [--netns NAME | --all] */
int drops_query_reset(const struct sl_env *env, void *priv, const void *st, const struct sl_cmd *cmd,
		      json_object **out, struct sl_error *err)
{
	uint32_t netns = 0;

	(void)st;
	if (ready(env, priv, err) || scope_of(cmd, &netns, err))
		return -1;
	reset(priv, netns);
	*out = json_object_new_object();
	return 0;
}

/* drops events [--netns NAME | --all] [--count N] */
int drops_query_events(const struct sl_env *env, void *priv, const void *st, const struct sl_cmd *cmd,
		       json_object **out, struct sl_error *err)
{
	const struct sl_value *count = &cmd->opt[DROPS_OPT_COUNT];
	struct drops_priv *p = priv;
	uint32_t netns = 0;
	json_object *o;

	(void)st;
	if (ready(env, p, err) || scope_of(cmd, &netns, err))
		return -1;
	o = stats_json(p);
	json_object_object_add(o, "events",
			       drops_recent_json(&p->recent, netns,
						 count->set ? (unsigned)count->num : DROPS_DEFAULT_EVENT_COUNT,
						 &p->reasons));
	*out = o;
	return 0;
}

/* drops [--netns NAME | --all] [--by KEY] */
int drops_query_rows(const struct sl_env *env, void *priv, const void *st, const struct sl_cmd *cmd,
		     json_object **out, struct sl_error *err)
{
	const struct sl_value *by = &cmd->opt[DROPS_OPT_BY];
	enum drops_by how = by->set ? (enum drops_by)by->num : DROPS_BY_PORT;
	struct drops_priv *p = priv;
	struct drops_row *rows;
	uint32_t netns = 0;
	size_t n;

	(void)st;
	if (ready(env, p, err) || scope_of(cmd, &netns, err))
		return -1;
	if (how == DROPS_BY_SOCKET) {
		if (drops_link_off(L_UDPQ))
			return sl_fail(err, SL_E_KERNEL, by->col, "--by socket: the socket-side view is off: %s",
				       drops_link_off(L_UDPQ));
		*out = socket_rows_json(p->map_fd[M_QFAIL], netns);
		return 0;
	}
	rows = read_rows(p, netns, &n, err);
	if (!rows)
		return -1;
	n = drops_aggregate(rows, n, how);
	*out = drops_rows_json(rows, n, how, &p->reasons);
	free(rows);
	return 0;
}

json_object *drops_status(const struct sl_env *env, void *priv, const void *st)
{
	const struct drops_state *s = st;
	struct drops_priv *p = priv;
	json_object *o = json_object_new_object(), *progs = json_object_new_array();
	char path[4096];

	json_object_object_add(o, "enabled", json_object_new_boolean(s->enabled));
	json_object_object_add(o, "sample_rate", json_object_new_int64(s->sample_rate));
	for (int i = 0; i < NLINKS; i++) {
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, drops_links[i].pin);
		if (p->link_fd[i] >= 0)
			json_object_array_add(progs, sl_link_status(p->link_fd[i], p->prog_fd[i],
								    drops_links[i].prog, drops_links[i].attach, path));
		else if (s->enabled && drops_link_off(i))
			json_object_array_add(progs, sl_prog_off_status(drops_links[i].prog, drops_links[i].attach,
									drops_link_off(i)));
	}
	json_object_object_add(o, "programs", progs);
	json_object_object_add(o, "maps", sl_maps_status(env->pin_root, drops_map_names, p->map_fd, NMAPS));
	json_object_object_add(o, "stats", stats_json(p));
	return o;
}
