/* UDP drop tracing: the daemon module.
 *
 * Running state lives in pins: maps under <root>/maps, the two tracepoint
 * links under <root>/links. The daemon only holds fds to them. Programs are
 * adopted when the pinned config says they came from this build; otherwise
 * (or on reload) new programs are attached next to the old ones, the config
 * word `active_gen` flips to them, and only then the old links go. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bpf_info.h"
#include "core/feature.h"
#include "core/log.h"
#include "core/netns.h"
#include "core/pin.h"
#include "drops.skel.h"
#include "features/drops.h"

#define DEFAULT_SAMPLE_RATE 100
#define DEFAULT_EVENT_COUNT 20

struct drops_state {
	int enabled;
	unsigned sample_rate;   /* events per second over all CPUs */
};

enum { M_COUNTERS, M_OTHER, M_QFAIL, M_STATS, M_CONFIG, M_LIMIT, M_LAST, M_EVENTS, NMAPS };
static const char *const map_names[NMAPS] = {
	SL_STR(SL_DROPS_COUNTERS_MAP), SL_STR(SL_DROPS_OTHER_MAP), SL_STR(SL_DROPS_QFAIL_MAP),
	SL_STR(SL_DROPS_STATS_MAP),    SL_STR(SL_DROPS_CONFIG_MAP), SL_STR(SL_DROPS_LIMIT_MAP),
	SL_STR(SL_DROPS_LAST_MAP),     SL_STR(SL_DROPS_EVENTS_MAP),
};

enum { L_KFREE, L_UDPQ, NLINKS };
static const struct {
	const char *prog, *pin, *attach;
} links[NLINKS] = {
	{ "sl_drops_kfree", "drops_kfree_skb", "tp_btf/kfree_skb" },
	{ "sl_drops_udpq", "drops_udp_fail_queue_rcv_skb", "tp_btf/udp_fail_queue_rcv_skb" },
};

static const char *const stat_names[SL_DSTAT_MAX] = {
	[SL_DSTAT_SEEN] = "udp_drops_seen",         [SL_DSTAT_KEYS_FULL] = "not_counted_map_full",
	[SL_DSTAT_UNPARSED] = "unparsed",           [SL_DSTAT_EV_SENT] = "events_sent",
	[SL_DSTAT_EV_LOST] = "events_lost",
	[SL_DSTAT_QFAIL_FULL] = "queue_fail_not_counted",
};

struct drops_priv {
	int map_fd[NMAPS];      /* -1 when not open */
	int link_fd[NLINKS];    /* -1 when not attached by us */
	int prog_fd[NLINKS];    /* the programs behind them, for recursion_misses */
	struct ring_buffer *rb;
	struct sl_enum_names reasons;
	int reasons_loaded;
	struct drops_recent recent;
};

static uint64_t this_object_id(void)
{
	size_t sz;
	const void *elf = drops_bpf__elf_bytes(&sz);

	return sl_object_id(elf, sz);
}

static void state_init(void *st)
{
	struct drops_state *s = st;

	s->enabled = 0;
	s->sample_rate = DEFAULT_SAMPLE_RATE;
}

static int stage(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct drops_state *s = st;

	(void)err;
	if (!strcmp(cmd->spec->words, "drops enable")) {
		const struct sl_value *rate = sl_opt(cmd, "--sample-rate");

		s->enabled = 1;
		s->sample_rate = rate->set ? (unsigned)rate->num : DEFAULT_SAMPLE_RATE;
	} else {
		s->enabled = 0;
	}
	return 0;
}

static void save(const void *st, FILE *out)
{
	const struct drops_state *s = st;

	if (s->enabled)
		fprintf(out, "drops enable --sample-rate %u\n", s->sample_rate);
	else
		fprintf(out, "drops disable\n");
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_maps(struct drops_priv *p)
{
	ring_buffer__free(p->rb);
	p->rb = NULL;
	for (int i = 0; i < NMAPS; i++)
		close_fd(&p->map_fd[i]);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct drops_priv *p = ctx;

	if (size >= sizeof(struct sl_drop_event))
		drops_recent_push(&p->recent, data);
	return 0;
}

/* (Re)open every pinned map. Returns 0 when all are pinned. */
static int open_maps(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	close_maps(p);
	for (int i = 0; i < NMAPS; i++) {
		p->map_fd[i] = sl_pin_open(env->pin_root, SL_PIN_MAPS, map_names[i]);
		if (p->map_fd[i] < 0) {
			int e = errno;

			close_maps(p);
			return sl_fail(err, SL_E_KERNEL, 0, "cannot open pinned map %s: %s", map_names[i],
				       strerror(e));
		}
	}
	p->rb = ring_buffer__new(p->map_fd[M_EVENTS], on_event, p, NULL);
	if (!p->rb) {
		int e = errno;

		close_maps(p);
		return sl_fail(err, SL_E_KERNEL, 0, "cannot read event ring buffer: %s", strerror(e));
	}
	return 0;
}

static int read_config(const struct sl_env *env, struct drops_priv *p, struct sl_drops_config *cfg)
{
	__u32 zero = 0;
	int fd = p->map_fd[M_CONFIG] >= 0 ? p->map_fd[M_CONFIG]
					  : sl_pin_open(env->pin_root, SL_PIN_MAPS, map_names[M_CONFIG]);
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	if (fd < 0)
		return -1;
	rc = bpf_map_lookup_elem(fd, &zero, cfg);
	if (fd != p->map_fd[M_CONFIG])
		close(fd);
	return rc;
}

/* Spread `rate` events/s over the CPUs: rate/ncpu per CPU per second, or,
 * for rates below one per CPU, one per CPU per ncpu/rate seconds. */
static void event_budget_of(unsigned rate, struct sl_drops_config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (ncpu < 1)
		ncpu = 1;
	cfg->events_per_window = rate ? (rate >= ncpu ? rate / (unsigned)ncpu : 1) : 0;
	cfg->window_ns = rate && rate < ncpu ? 1000000000ULL * (unsigned long long)ncpu / rate : 1000000000ULL;
}

/* true when both links are pinned, came from this build, and are the ones
 * the config names as active (a daemon that died mid-swap leaves others) */
static int adoptable(const struct sl_env *env, struct drops_priv *p)
{
	struct sl_drops_config cfg;

	if (read_config(env, p, &cfg) || cfg.object_id != this_object_id())
		return 0;
	for (int i = 0; i < NLINKS; i++) {
		int fd = sl_pin_open(env->pin_root, SL_PIN_LINKS, links[i].pin);
		uint32_t id = fd >= 0 ? sl_link_id(fd) : 0;

		if (fd >= 0)
			close(fd);
		if (!id || id != cfg.link_id[i])
			return 0;
	}
	return 1;
}

static int adopt(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	if (p->map_fd[0] < 0 && open_maps(env, p, err))
		return -1;
	for (int i = 0; i < NLINKS; i++) {
		if (p->link_fd[i] >= 0)
			continue;
		p->link_fd[i] = sl_pin_open(env->pin_root, SL_PIN_LINKS, links[i].pin);
		if (p->link_fd[i] < 0)
			return sl_fail(err, SL_E_KERNEL, 0, "cannot open pinned link %s: %s", links[i].pin,
				       strerror(errno));
		close_fd(&p->prog_fd[i]);
		/* by id needs CAP_SYS_ADMIN (not kept under the systemd unit): the
		 * pinned program serves too */
		p->prog_fd[i] = sl_link_prog_fd(p->link_fd[i]);
		if (p->prog_fd[i] < 0)
			p->prog_fd[i] = sl_pin_open(env->pin_root, SL_PIN_PROGS, links[i].pin);
	}
	return 0;
}

static int write_config(struct drops_priv *p, const struct sl_drops_config *cfg, struct sl_error *err)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(p->map_fd[M_CONFIG], &zero, cfg, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot update drops config map: %s", strerror(errno));
	return 0;
}

/* Pin the program behind link `i` over the previous one's pin (which frees
 * that program once its link is gone). Only status reads it: a failure is
 * logged, the dataplane is unaffected. */
static void pin_prog(const struct sl_env *env, int prog_fd, int i)
{
	struct sl_error err = { 0 };
	char path[4096];

	sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_PROGS, links[i].pin);
	if (sl_pin_stage(prog_fd, path, &err) || sl_pin_commit(path, &err)) {
		sl_pin_unstage(path);
		sl_warn("drops: %s (recursion misses unknown after a restart)", err.msg);
	}
}

/* Recursion misses die with a program: keep those of the old generation
 * in a userspace-owned stats slot before it goes. */
static void keep_misses(struct drops_priv *p)
{
	__u32 slot = SL_DSTAT_PAST_MISSES;

	for (int i = 0; i < NLINKS; i++) {
		int64_t m = sl_prog_recursion_misses(p->prog_fd[i]);

		if (m > 0)
			sl_percpu_add(p->map_fd[M_STATS], &slot, (uint64_t)m);
	}
}

/* Load this build's programs and attach them beside whatever runs now.
 * Then switch in three steps that leave no tracepoint uncovered and no
 * half state behind: stage the new link pins, flip `active_gen` (with the
 * new link ids) in one map write, rename the staged pins over the old.
 * On any failure the old links keep their pins and the old generation its
 * flag. */
static int load_and_swap(const struct sl_env *env, struct drops_priv *p, const struct sl_drops_config *want,
			 struct sl_error *err)
{
	struct bpf_link *nl[NLINKS] = { 0 };
	int old_fd[NLINKS], rc = -1, staged = 0, committed = 0, flipped = 0;
	struct sl_drops_config cfg = *want, old_cfg;
	char path[NLINKS][4096];
	struct drops_bpf *skel;

	read_config(env, p, &old_cfg);
	for (int i = 0; i < NLINKS; i++) { /* hold the old links until the end */
		sl_pin_path(path[i], sizeof(path[i]), env->pin_root, SL_PIN_LINKS, links[i].pin);
		old_fd[i] = p->link_fd[i] >= 0 ? dup(p->link_fd[i]) : bpf_obj_get(path[i]);
	}
	skel = drops_bpf__open();
	if (!skel) {
		sl_fail(err, SL_E_KERNEL, 0, "cannot open drops BPF object: %s", strerror(errno));
		goto out;
	}
	if (sl_pin_maps(skel->obj, env->pin_root, err))
		goto out;
	skel->rodata->sl_gen = old_cfg.active_gen + 1;
	if (drops_bpf__load(skel)) {
		sl_fail(err, SL_E_KERNEL, 0, "cannot load drops programs: %s (run with -v for the verifier log)",
			strerror(errno));
		goto out;
	}
	struct bpf_program *progs[NLINKS] = { skel->progs.sl_drops_kfree, skel->progs.sl_drops_udpq };

	for (int i = 0; i < NLINKS; i++) {
		nl[i] = bpf_program__attach(progs[i]);
		if (!nl[i]) {
			sl_fail(err, SL_E_KERNEL, 0, "cannot attach %s to %s: %s", links[i].prog,
				links[i].attach, strerror(errno));
			goto out;
		}
		cfg.link_id[i] = sl_link_id(bpf_link__fd(nl[i]));
	}
	if (p->map_fd[0] < 0 && open_maps(env, p, err))
		goto out;
	/* Forget events seen before the new programs were attached: a CPU
	 * with no drop during the overlap would keep the old generation's
	 * record, and a recycled skb address could then pass for "already
	 * counted". Safe here: the new generation cannot count before the
	 * flip, and from now on every old record is followed by a new one.
	 * The pause first lets tracepoint calls that started before the attach
	 * (and so run the old program alone) finish: they take microseconds. */
	usleep(10000);
	for (__u32 slot = 0; slot < NLINKS; slot++)
		if (sl_percpu_zero(p->map_fd[M_LAST], &slot, sizeof(struct sl_drop_last))) {
			sl_fail(err, SL_E_KERNEL, 0, "cannot reset the last-event records: %s", strerror(errno));
			goto out;
		}
	for (; staged < NLINKS; staged++)
		if (sl_pin_stage(bpf_link__fd(nl[staged]), path[staged], err))
			goto out;
	cfg.active_gen = old_cfg.active_gen + 1;
	cfg.object_id = this_object_id();
	if (write_config(p, &cfg, err))
		goto out;
	flipped = 1;
	for (; committed < NLINKS; committed++)
		if (sl_pin_commit(path[committed], err))
			goto out;
	keep_misses(p);
	for (int i = 0; i < NLINKS; i++) {
		close_fd(&p->link_fd[i]);
		close_fd(&p->prog_fd[i]); /* the old program goes with its link */
		p->link_fd[i] = dup(bpf_link__fd(nl[i]));
		p->prog_fd[i] = dup(bpf_program__fd(progs[i]));
		pin_prog(env, p->prog_fd[i], i);
	}
	rc = 0;
	sl_info("drops: programs generation %u attached (%s, %s)", cfg.active_gen, links[0].attach,
		links[1].attach);
out:
	if (rc) {
		/* put back the old links' pins (or none, as before) and their flag */
		for (int i = 0; i < committed; i++)
			if (old_fd[i] < 0 ? unlink(path[i]) : sl_pin_stage(old_fd[i], path[i], NULL) ||
								  sl_pin_commit(path[i], NULL))
				sl_err("drops: could not restore %s; run sluicectl reload", path[i]);
		for (int i = 0; i < staged; i++)
			sl_pin_unstage(path[i]);
		if (flipped)
			write_config(p, &old_cfg, NULL);
	}
	for (int i = 0; i < NLINKS; i++) {
		bpf_link__destroy(nl[i]); /* pinned links stay attached */
		if (old_fd[i] >= 0)
			close(old_fd[i]);
	}
	drops_bpf__destroy(skel);
	return rc;
}

static int detach(const struct sl_env *env, struct drops_priv *p, struct sl_error *err)
{
	char path[4096];

	for (int i = 0; i < NLINKS; i++) {
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, links[i].pin);
		if (unlink(path) && errno != ENOENT)
			return sl_fail(err, SL_E_KERNEL, 0, "cannot unpin %s: %s", path, strerror(errno));
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_PROGS, links[i].pin);
		if (unlink(path) && errno != ENOENT)
			sl_warn("drops: cannot unpin %s: %s", path, strerror(errno));
		close_fd(&p->link_fd[i]);
		close_fd(&p->prog_fd[i]);
	}
	return 0;
}

static void load_reason_names(struct drops_priv *p)
{
	struct btf *btf;

	if (p->reasons_loaded)
		return;
	btf = btf__load_vmlinux_btf();
	if (!btf || sl_enum_names_load(&p->reasons, btf, "skb_drop_reason", "SKB_DROP_REASON_"))
		sl_warn("drops: kernel BTF has no enum skb_drop_reason; reasons show as numbers");
	btf__free(btf);
	p->reasons_loaded = 1;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct drops_state *s = st;
	struct drops_priv *p = priv;
	struct sl_drops_config cfg, want = { 0 };

	if (!s->enabled) {
		if (detach(env, p, err))
			return -1;
		/* counters stay pinned and readable until --cleanup */
		if (p->map_fd[0] < 0)
			open_maps(env, p, NULL);
		return 0;
	}
	load_reason_names(p);
	event_budget_of(s->sample_rate, &want);
	if (replace || !adoptable(env, p))
		return load_and_swap(env, p, &want, err);
	if (adopt(env, p, err) || read_config(env, p, &cfg))
		return -1;
	cfg.events_per_window = want.events_per_window;
	cfg.window_ns = want.window_ns;
	return write_config(p, &cfg, err);
}

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
		uint64_t sum[2];

		if ((netns && keys[i].netns != netns) || sl_percpu_sum(fd, &keys[i], sum, 2))
			continue; /* another namespace, or deleted meanwhile */
		r[*n].key = keys[i];
		r[*n].packets = sum[0];
		r[(*n)++].bytes = sum[1];
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
	const struct sl_value *name = sl_opt(cmd, "--netns");

	*netns = sl_netns_self();
	if (sl_opt(cmd, "--all")->set)
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
		uint64_t sum[2];
		json_object *o;

		if ((netns && keys[i].netns != netns) || sl_percpu_sum(fd, &keys[i], sum, 2))
			continue;
		o = json_object_new_object();
		sl_netns_name(keys[i].netns, ns, sizeof(ns));
		json_object_object_add(o, "netns", json_object_new_string(ns));
		json_object_object_add(o, "family", json_object_new_string(drops_family_name(keys[i].family)));
		json_object_object_add(o, "port", json_object_new_int(keys[i].port));
		json_object_object_add(o, "error", json_object_new_string(strerrorname_np(-keys[i].err) ?: "?"));
		json_object_object_add(o, "packets", json_object_new_uint64(sum[0]));
		json_object_object_add(o, "bytes", json_object_new_uint64(sum[1]));
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
			sl_percpu_sum(p->map_fd[M_STATS], &i, &v[i], 1);
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

static int query(const struct sl_env *env, void *priv, const void *st, const struct sl_cmd *cmd,
		 json_object **out, struct sl_error *err)
{
	struct drops_priv *p = priv;
	const char *w = cmd->spec->words;
	uint32_t netns = 0;

	(void)st;
	if (p->map_fd[0] < 0 && open_maps(env, p, NULL))
		return sl_fail(err, SL_E_NEGATIVE, 0, "drop tracing has never been enabled (drops enable)");
	load_reason_names(p);
	if (!strcmp(w, "drops stats")) {
		*out = stats_json(p);
		return 0;
	}
	if (scope_of(cmd, &netns, err))
		return -1;
	if (!strcmp(w, "drops reset")) {
		reset(p, netns);
		*out = json_object_new_object();
		return 0;
	}
	if (!strcmp(w, "drops events")) {
		const struct sl_value *count = sl_opt(cmd, "--count");
		json_object *o = stats_json(p);

		json_object_object_add(o, "events",
				       drops_recent_json(&p->recent, netns, count->set ? (unsigned)count->num
										     : DEFAULT_EVENT_COUNT,
							 &p->reasons));
		*out = o;
		return 0;
	}
	/* "drops" */
	const struct sl_value *by = sl_opt(cmd, "--by");
	enum drops_by how = by->set ? (enum drops_by)by->num : DROPS_BY_PORT;
	struct drops_row *rows;
	size_t n;

	if (how == DROPS_BY_SOCKET) {
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

static json_object *status(const struct sl_env *env, void *priv, const void *st)
{
	const struct drops_state *s = st;
	struct drops_priv *p = priv;
	json_object *o = json_object_new_object(), *progs = json_object_new_array(),
		    *maps = json_object_new_array();
	char path[4096];

	json_object_object_add(o, "enabled", json_object_new_boolean(s->enabled));
	json_object_object_add(o, "sample_rate", json_object_new_int64(s->sample_rate));
	for (int i = 0; i < NLINKS; i++) {
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_LINKS, links[i].pin);
		if (p->link_fd[i] >= 0)
			json_object_array_add(progs, sl_link_status(p->link_fd[i], p->prog_fd[i],
								    links[i].prog, links[i].attach, path));
	}
	for (int i = 0; i < NMAPS; i++) {
		sl_pin_path(path, sizeof(path), env->pin_root, SL_PIN_MAPS, map_names[i]);
		if (p->map_fd[i] >= 0)
			json_object_array_add(maps, sl_map_status(p->map_fd[i], path));
	}
	json_object_object_add(o, "programs", progs);
	json_object_object_add(o, "maps", maps);
	json_object_object_add(o, "stats", stats_json(p));
	return o;
}

static void tick(void *priv)
{
	struct drops_priv *p = priv;

	if (p->rb)
		ring_buffer__consume(p->rb);
}

static void release(void *priv)
{
	struct drops_priv *p = priv;

	close_maps(p);
	for (int i = 0; i < NLINKS; i++) {
		close_fd(&p->link_fd[i]);
		close_fd(&p->prog_fd[i]);
	}
	sl_enum_names_free(&p->reasons);
	p->reasons_loaded = 0;
}

static void priv_init(void *priv)
{
	struct drops_priv *p = priv;

	for (int i = 0; i < NMAPS; i++)
		p->map_fd[i] = -1;
	for (int i = 0; i < NLINKS; i++)
		p->link_fd[i] = p->prog_fd[i] = -1;
}

const struct sl_feature sl_drops_feature = {
	.name = "drops",
	.state_size = sizeof(struct drops_state),
	.priv_size = sizeof(struct drops_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.stage = stage,
	.apply = apply,
	.save = save,
	.query = query,
	.status = status,
	.tick = tick,
	.release = release,
};
