/* Bridge multicast flooding policy: the daemon module. The state is the
 * config (bridges with their timers, port settings); apply() loads one
 * program object per bridge, attaches it to every port (tcx links, else
 * legacy tc filters: lib/attach.h; updating those it finds pinned), and each bridge's rtnetlink socket in
 * the event loop follows ports that come and go. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "core/log.h"
#include "core/loop.h"
#include "lib/netns.h"
#include "core/pin.h"
#include "lib/bpf_obj.h"
#include "lib/kernel.h"
#include "lib/slots.h"
#include "lib/place.h"
#include "features/mcast/mcast.h"
#include "mcast.skel.h"

static const char *const map_names[MM_COUNT] = {
	[MM_CONFIG] = SL_STR(SL_MC_CONFIG_MAP), [MM_PORT] = SL_STR(SL_MC_PORT_MAP),
	[MM_MEMBER] = SL_STR(SL_MC_MEMBER_MAP), [MM_GROUP] = SL_STR(SL_MC_GROUP_MAP),
	[MM_STATS] = SL_STR(SL_MC_STATS_MAP),   [MM_BRIDGE] = SL_STR(SL_MC_BRIDGE_MAP),
	[MM_DEV] = SL_STR(SL_MC_DEV_MAP),       [MM_FAST] = SL_STR(SL_MC_FAST_MAP),
	[MM_GEN] = SL_STR(SL_MC_GEN_MAP),       [MM_GSET] = SL_STR(SL_MC_GSET_MAP),
	[MM_GSTAT] = SL_STR(SL_MC_GSTAT_MAP),
};

/* a bridge's runtime as when it was never enabled: nothing held */
static void bridge_rt_reset(struct mcast_bridge_rt *b)
{
	memset(b, 0, sizeof(*b));
	b->nl_fd = b->dev_fd = b->prog.dev = -1;
	for (int s = 0; s < MC_SIDES; s++)
		b->prog.fd[s] = -1;
	for (int k = 0; k < MC_PORT_SLOTS; k++)
		for (int s = 0; s < MC_SIDES; s++)
			sl_att_init(&b->port[k].link[s]);
}

static void state_init(void *st)
{
	memset(st, 0, sizeof(struct mcast_state));
}

/* mcast bridge BRIDGE [netns NAME] enable|disable [TIMERS] [fast-path on|off] */
int mcast_stage_bridge(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], argc = sl_rest(cmd, argv, cols);

	return mcast_parse_bridge(st, argc, argv, cols, err);
}

/* mcast port dev PORT [netns NAME] [router on|off|auto] [flood on|off] */
int mcast_stage_port(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], argc = sl_rest(cmd, argv, cols);

	return mcast_parse_port(st, argc, argv, cols, err);
}

static void save(void *priv, const void *st, FILE *out)
{
	(void)priv; /* what is learned (memberships, router ports) is not configuration */
	mcast_save_state(st, out);
}

/* --- the shared maps ------------------------------------------------------------ */

int mcast_ensure_loaded(const struct sl_env *env, struct mcast_priv *p, struct sl_error *err)
{
	struct mcast_bpf *skel;

	if (p->loaded)
		return 0;
	snprintf(p->pin_root, sizeof(p->pin_root), "%s", env->pin_root);
	p->loop = env->loop;
	skel = mcast_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: cannot open the BPF object: %s", strerror(errno));
	/* the maps only: each bridge loads its own programs */
	if (sl_obj_load_maps("mcast", skel->obj, env->pin_root, err)) {
		mcast_bpf__destroy(skel);
		return -1;
	}
	p->base = skel->obj;
	skel->obj = NULL; /* the skeleton wrapper goes; the object stays ours */
	mcast_bpf__destroy(skel);
	if (sl_obj_map_fds("mcast", p->base, map_names, MM_COUNT, p->map_fd, err))
		return -1;
	/* what a daemon before us left: bridges by index, their ports' links */
	for (uint32_t id = 0; id < SL_MC_BRIDGES; id++) {
		struct sl_mc_bridge_meta m;
		struct mcast_bridge_rt *b = &p->br[id];

		if (bpf_map_lookup_elem(p->map_fd[MM_BRIDGE], &id, &m) || !m.used)
			continue;
		b->active = true;
		sl_place_get(&m.bridge, b->netns, sizeof(b->netns), b->name, sizeof(b->name), &b->ifindex);
		mcast_links_adopt(p, (int)id);
		mcast_dev_adopt(p, (int)id);
	}
	p->loaded = true;
	return 0;
}

/* --- apply ------------------------------------------------------------------------ */

struct plan {
	int id;
	const struct mcast_bridge_cfg *cfg;
	uint32_t ifindex, netns_ino;
	struct mcast_link ports[MC_BRIDGE_PORTS];
	int nports;
	int nl_fd;                      /* opened before the ports are listed */
	bool waiting;                   /* an enabled bridge that is gone for now */
	struct bpf_object *obj;
	struct mcast_progs prog;
};

_Static_assert(SL_MC_BRIDGES <= SL_SLOTS_MAX, "bridges fit lib/slots.h");

/* the slot of a bridge enabled before, else a free one from `taken` */
static int bridge_index(const struct mcast_priv *p, const struct mcast_bridge_cfg *c, struct sl_slots *taken)
{
	for (int id = 0; id < SL_MC_BRIDGES; id++)
		if (p->br[id].active && !strcmp(p->br[id].name, c->name) && !strcmp(p->br[id].netns, c->netns))
			return id;
	return sl_slot_take(taken, SL_MC_BRIDGES);
}

static int write_config(struct mcast_priv *p, int id, const struct mcast_timers *t, struct sl_error *err)
{
	struct sl_mc_config c = {
		.membership_ns = ((uint64_t)t->robustness * t->query_interval + t->response_interval) * 1000000000ull,
		.leave_ns = (uint64_t)t->robustness * t->last_member_ms * 1000000ull,
		.router_ns = (uint64_t)t->router_timeout * 1000000000ull,
		.enabled = 1,
	};
	uint32_t key = (uint32_t)id;
	struct sl_mc_config was;

	/* the port generation goes on from where it is (sets are keyed by it) */
	if (!bpf_map_lookup_elem(p->map_fd[MM_CONFIG], &key, &was))
		c.ports_gen = was.ports_gen;
	if (bpf_map_update_elem(p->map_fd[MM_CONFIG], &key, &c, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: bridge %d config: %s", id, strerror(errno));
	return 0;
}

static void on_link_event(void *arg, int fd, uint32_t events);

/* Make `fd` (or -1) the bridge's link event socket: the one before leaves
 * the event loop and is closed, the new one joins. The only place a
 * bridge's nl_fd changes, so none is closed while the loop watches it. */
static void bridge_listen(struct mcast_priv *p, int id, int fd)
{
	struct mcast_bridge_rt *b = &p->br[id];

	sl_loop_close_fd(p->loop, &b->nl_fd);
	b->nl_fd = fd;
	if (fd >= 0 && p->loop && sl_loop_add_fd(p->loop, fd, EPOLLIN, on_link_event, p))
		sl_warn("mcast: bridge %s: cannot watch link events (%s); ports that come and go are missed",
			b->name, strerror(errno));
}

/* detach the ports of bridge `id` that are not in the list */
static void drop_gone(struct mcast_priv *p, int id, const struct mcast_link *ports, int n)
{
	struct mcast_bridge_rt *b = &p->br[id];

	for (int k = b->nports - 1; k >= 0; k--) {
		bool still = false;

		for (int i = 0; i < n && !still; i++)
			still = ports[i].ifindex == b->port[k].ifindex;
		if (!still) {
			sl_info("mcast: %s left bridge %s; detached", b->port[k].name, b->name);
			mcast_port_detach(p, id, k);
		}
	}
}

/* In the bridge's namespace, following link events: attach every listed
 * port, detach the others; a port that fails is skipped (logged). */
static int sync_ports(struct mcast_priv *p, int id, const struct mcast_link *ports, int n, struct sl_error *err)
{
	int rc = 0;

	drop_gone(p, id, ports, n);
	for (int pass = MC_EG; pass <= MC_XDP; pass++) /* every port's devmap entry, then XDP */
		for (int i = 0; i < n; i++)
			if ((pass == MC_EG || mcast_port_find(&p->br[id], ports[i].ifindex) >= 0) &&
			    mcast_port_attach(p, id, &ports[i], (enum mcast_side)pass, NULL, err))
				rc = -1; /* go on: the other ports still get the policy */
	return rc;
}

static void bridge_off(struct mcast_priv *p, int id)
{
	struct mcast_bridge_rt *b = &p->br[id];

	while (b->nports > 0)
		mcast_port_detach(p, id, b->nports - 1);
	bridge_listen(p, id, -1);
	mcast_dev_close(p, id);
	bpf_object__close(b->obj);
	b->obj = NULL;
	mcast_maps_forget(p, id);
	sl_info("mcast: policy off on bridge %s", b->name);
	b->active = false;
	mcast_meta_write(p, id);
	bridge_rt_reset(b);
}

static void plans_free(struct plan *plans, int n)
{
	for (int i = 0; i < n; i++) {
		bpf_object__close(plans[i].obj);
		if (plans[i].nl_fd >= 0)
			close(plans[i].nl_fd);
	}
	free(plans);
}

/* In the bridge's namespace: hear link events first, then list the ports,
 * so a port added meanwhile is not missed. */
static int look(const char *netns, const char *bridge, struct plan *pl, struct sl_error *err)
{
	int self;

	pl->nl_fd = -1;
	pl->nports = 0;
	if (netns[0] && sl_netns_by_name(netns, &pl->netns_ino, err))
		return -1;
	if (sl_netns_enter(netns, &self, err))
		return -1;
	pl->nl_fd = mcast_watch_open(err);
	if (pl->nl_fd < 0 ||
	    mcast_list_ports(bridge, &pl->ifindex, pl->ports, MC_BRIDGE_PORTS, &pl->nports, err)) {
		sl_netns_leave(self);
		return -1;
	}
	sl_netns_leave(self);
	return 0;
}

/* The bridge's part of the switch that can fail, journalled in `u`: its
 * new programs, config and record, every listed port attached or moved to
 * the new programs. */
static int switch_bridge(struct mcast_priv *p, const struct plan *pl, struct mcast_undo *u, struct sl_error *err)
{
	struct mcast_bridge_rt *b = &p->br[pl->id];
	int self, rc = 0;

	mcast_undo_bridge(u, p, pl->id);
	if (!b->active) {
		bridge_rt_reset(b);
		b->active = true;
		snprintf(b->netns, sizeof(b->netns), "%s", pl->cfg->netns);
		snprintf(b->name, sizeof(b->name), "%s", pl->cfg->name);
	}
	b->prog = pl->prog;
	b->fast = pl->cfg->fast_path;
	if (!pl->waiting)
		b->ifindex = pl->ifindex;
	if (write_config(p, pl->id, &pl->cfg->t, err))
		return -1;
	if (mcast_meta_write(p, pl->id))
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: bridge %s record: %s", b->name, strerror(errno));
	if (pl->waiting)
		return 0; /* its ports go at commit */
	if (sl_netns_enter(b->netns, &self, err))
		return -1;
	/* every port's devmap entry before any port's XDP link sends to them */
	for (int pass = MC_EG; pass <= MC_XDP && !rc; pass++)
		for (int i = 0; i < pl->nports && !rc; i++)
			rc = mcast_port_attach(p, pl->id, &pl->ports[i], (enum mcast_side)pass, u, err);
	sl_netns_leave(self);
	return rc;
}

/* The bridge's part that cannot fail: the new programs' object and link
 * event socket kept, the old ones closed, ports that left detached. */
static void commit_bridge(struct mcast_priv *p, struct plan *pl)
{
	struct mcast_bridge_rt *b = &p->br[pl->id];

	if (!b->fast)
		mcast_fast_off(p, pl->id); /* XDP links of before, running the old object */
	else
		mcast_ports_moved(p, pl->id); /* port sets built again, on the new devmap program */
	bpf_object__close(b->obj); /* the links hold the new programs now */
	b->obj = pl->obj;
	pl->obj = NULL;
	bridge_listen(p, pl->id, pl->nl_fd);
	pl->nl_fd = -1;
	b->waiting = pl->waiting;
	if (!pl->waiting)
		b->netns_ino = pl->netns_ino;
	/* waiting: its devices are gone or no longer its ports */
	drop_gone(p, pl->id, pl->ports, pl->waiting ? 0 : pl->nports);
	sl_info("mcast: policy on bridge %s%s%s, %d ports%s", b->name, b->netns[0] ? " in " : "", b->netns, b->nports,
		b->waiting ? " (waiting for it)" : "");
}

/* Every bridge of `s` is there, each checked as apply checks it (used
 * before anything is loaded or pinned). */
static int look_all(const struct mcast_state *s, struct sl_error *err)
{
	for (int i = 0; i < s->nbr; i++) {
		const struct mcast_bridge_cfg *c = &s->br[i];
		struct sl_error why = { 0 };
		struct plan pl = { .nl_fd = -1 };
		int rc = look(c->netns, c->name, &pl, &why);

		if (pl.nl_fd >= 0)
			close(pl.nl_fd);
		if (rc) {
			snprintf(err->msg, sizeof(err->msg), "mcast bridge %s%s%s: %.400s", c->name,
				 c->netns[0] ? " netns " : "", c->netns, why.msg);
			err->code = why.code;
			err->col = 0;
			return -1;
		}
	}
	return 0;
}

/* A port setting given at run time names a device that is there (a typo
 * is refused, not kept in save); one from a config, or kept from before,
 * may wait for its port to come. */
static int ports_there(const struct mcast_priv *p, const struct mcast_state *s, struct sl_error *err)
{
	for (int i = 0; i < s->nport; i++) {
		const struct mcast_port_cfg *c = &s->port[i];
		const struct mcast_port_cfg *was = mcast_port_cfg(&p->applied, c->netns, c->dev);
		int self;
		bool there;

		if (was)
			continue;
		if (sl_netns_enter(c->netns, &self, err))
			return -1;
		there = if_nametoindex(c->dev) != 0;
		sl_netns_leave(self);
		if (!there)
			return sl_fail(err, SL_E_USAGE, 0, "mcast port: no device '%s'%s%s", c->dev,
				       c->netns[0] ? " in network namespace " : "", c->netns);
	}
	return 0;
}

/* the fast path needs devmap broadcast: refused before anything changes */
static int fast_path_there(const struct mcast_state *s, struct sl_error *err)
{
	for (int i = 0; i < s->nbr; i++)
		if (s->br[i].fast_path && !sl_kernel_has(SL_KCAP_DEVMAP_BROADCAST))
			return sl_fail(err, SL_E_KERNEL, 0, "mcast bridge %s: fast-path on: the kernel lacks %s (%s)",
				       s->br[i].name, sl_kcap_name(SL_KCAP_DEVMAP_BROADCAST),
				       sl_kcap_needs(SL_KCAP_DEVMAP_BROADCAST));
	return 0;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct mcast_state *s = st;
	struct mcast_priv *p = priv;
	struct mcast_undo *u;
	struct plan *plans;
	struct sl_slots taken = { 0 };
	int n = 0;

	(void)replace; /* every apply loads the programs afresh and updates the links */
	if (env->interactive && ports_there(p, s, err))
		return -1;
	if (fast_path_there(s, err))
		return -1;
	/* pins of another layout are refused even when nothing here uses them */
	for (int m = 0; m < MM_COUNT && !p->loaded; m++)
		if (sl_pin_check_family(env->pin_root, map_names[m], err))
			return -1;
	if (!p->loaded) {
		int fd = sl_pin_open(env->pin_root, SL_PIN_MAPS, SL_STR(SL_MC_BRIDGE_MAP));

		/* nothing left by an earlier daemon: nothing to load without a
		 * bridge to enable, and an enable of what is not there fails
		 * before anything is pinned */
		if (fd < 0 && (!s->nbr || look_all(s, err)))
			return s->nbr ? -1 : 0;
		if (fd >= 0)
			close(fd);
	}
	if (mcast_ensure_loaded(env, p, err))
		return -1;
	plans = calloc(SL_MC_BRIDGES, sizeof(*plans));
	if (!plans)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	for (int i = 0; i < SL_MC_BRIDGES; i++)
		plans[i].nl_fd = -1;
	for (int id = 0; id < SL_MC_BRIDGES; id++)
		sl_slot_set(&taken, id, p->br[id].active);
	/* 1. everything that can fail on bad input, before anything changes */
	for (int i = 0; i < s->nbr; i++, n++) {
		struct plan *pl = &plans[n];
		struct sl_error why = { 0 };

		pl->cfg = &s->br[i];
		pl->id = bridge_index(p, pl->cfg, &taken);
		if (pl->id < 0) {
			plans_free(plans, n);
			return sl_fail(err, SL_E_USAGE, 0, "at most %d bridges", SL_MC_BRIDGES);
		}
		if (look(pl->cfg->netns, pl->cfg->name, pl, &why)) {
			if (!p->br[pl->id].active) {
				/* a new enable of what is not there: say so */
				snprintf(err->msg, sizeof(err->msg), "mcast bridge %s%s%s: %.400s", pl->cfg->name,
					 pl->cfg->netns[0] ? " netns " : "", pl->cfg->netns, why.msg);
				err->code = why.code;
				err->col = 0;
				plans_free(plans, n + 1);
				return -1;
			}
			/* enabled before and gone now (a restart, a reload): it waits */
			sl_warn("mcast: bridge %s: %s; waiting for it", pl->cfg->name, why.msg);
			pl->waiting = true;
		}
		if (mcast_load_bridge_prog(p, pl->id, pl->cfg->fast_path, &pl->obj, &pl->prog, err)) {
			plans_free(plans, n + 1);
			return -1;
		}
	}
	/* 2. the switch, undone exactly if any part of it fails */
	u = mcast_undo_begin(p, s, err);
	if (!u) {
		plans_free(plans, n);
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (switch_bridge(p, &plans[i], u, err)) {
			mcast_undo_rollback(u, p);
			plans_free(plans, n);
			return -1;
		}
	/* 3. what cannot be undone, once nothing can fail */
	mcast_undo_commit(u);
	for (int i = 0; i < n; i++)
		commit_bridge(p, &plans[i]);
	for (int id = 0; id < SL_MC_BRIDGES; id++) {
		bool wanted = false;

		for (int i = 0; i < n && !wanted; i++)
			wanted = plans[i].id == id;
		if (p->br[id].active && !wanted)
			bridge_off(p, id);
	}
	p->applied = *s;
	p->state = &p->applied;
	plans_free(plans, n);
	return 0;
}

/* --- following ports ------------------------------------------------------------------ */

#define COLLECT_MS 5000 /* expired memberships and groups are deleted */
#define LOOK_MS 1000    /* a waiting bridge is looked for, namespaces checked */
#define GSETS_MS 100    /* a moved generation is looked for (one array lookup per bridge) */

/* its namespace is no longer the one we attached in (deleted, or a new one
 * under the same name) */
static bool netns_changed(const struct mcast_bridge_rt *b)
{
	struct sl_error err;
	uint32_t ino;

	return b->netns[0] && (sl_netns_by_name(b->netns, &ino, &err) || ino != b->netns_ino);
}

/* Look at the bridge again: attach new ports, detach gone ones; a bridge
 * or namespace that went away detaches everything and waits. */
static void resync(struct mcast_priv *p, int id)
{
	struct mcast_bridge_rt *b = &p->br[id];
	struct plan *pl = calloc(1, sizeof(*pl));
	struct sl_error err = { 0 };
	int self;

	if (!pl)
		return;
	if (look(b->netns, b->name, pl, &err)) {
		if (!b->waiting)
			sl_warn("mcast: bridge %s: %s; detached from its ports, waiting for it", b->name, err.msg);
		while (b->nports > 0)
			mcast_port_detach(p, id, b->nports - 1);
		bridge_listen(p, id, -1); /* it may hold a deleted namespace alive */
		b->waiting = true;
	} else {
		if (b->waiting)
			sl_info("mcast: bridge %s is back", b->name);
		bridge_listen(p, id, pl->nl_fd);
		pl->nl_fd = -1;
		b->waiting = false;
		b->ifindex = pl->ifindex;
		b->netns_ino = pl->netns_ino;
		mcast_meta_write(p, id);
		if (!sl_netns_enter(b->netns, &self, &err)) {
			if (sync_ports(p, id, pl->ports, pl->nports, &err))
				sl_warn("mcast: bridge %s: %s", b->name, err.msg);
			sl_netns_leave(self);
		}
	}
	plans_free(pl, 1);
}

/* A bridge's link event socket is readable: a port came, went, or
 * changed (or events were lost): look at the bridge again. */
static void on_link_event(void *arg, int fd, uint32_t events)
{
	struct mcast_priv *p = arg;

	(void)events;
	for (int id = 0; id < SL_MC_BRIDGES; id++)
		if (p->br[id].active && p->br[id].nl_fd == fd) {
			if (mcast_watch_drain(fd))
				resync(p, id); /* replaces this very fd */
			return;
		}
	/* no bridge's: left readable, it would wake the loop for ever */
	sl_warn("mcast: link events on fd %d, which no bridge holds; no longer watched", fd);
	sl_loop_del_fd(p->loop, fd);
}

/* What no event announces: a waiting bridge's namespace or device coming
 * back, and a namespace deleted (our socket keeps it alive, so it sends no
 * event of its own going). */
static void look_again(void *priv)
{
	struct mcast_priv *p = priv;

	for (int id = 0; p->loaded && id < SL_MC_BRIDGES; id++)
		if (p->br[id].active && (p->br[id].waiting || netns_changed(&p->br[id])))
			resync(p, id);
}

static void collect(void *priv)
{
	struct mcast_priv *p = priv;

	/* memberships ended: sets lose the ports no longer due (until then
	 * their entries' program holds those ports' copies back) */
	if (p->loaded)
		mcast_gsets_sync(p, true, mcast_collect(p, sl_ktime_ns()) > 0);
}

/* the fast path's port sets: built again soon after a generation moved */
static void gsets_look(void *priv)
{
	struct mcast_priv *p = priv;

	if (p->loaded)
		mcast_gsets_sync(p, false, false);
}

static const struct sl_feature_timer timers[] = {
	{ LOOK_MS, look_again },
	{ COLLECT_MS, collect },
	{ GSETS_MS, gsets_look },
	{ 0 },
};

static void priv_init(void *priv)
{
	struct mcast_priv *p = priv;

	for (int m = 0; m < MM_COUNT; m++)
		p->map_fd[m] = -1;
	for (int id = 0; id < SL_MC_BRIDGES; id++)
		bridge_rt_reset(&p->br[id]);
}

static void release(void *priv)
{
	struct mcast_priv *p = priv;

	for (int id = 0; id < SL_MC_BRIDGES; id++) {
		struct mcast_bridge_rt *b = &p->br[id];

		for (int k = 0; k < b->nports; k++)
			for (int s = 0; s < MC_SIDES; s++)
				sl_att_release(&b->port[k].link[s]);
		bridge_listen(p, id, -1);
		if (b->dev_fd >= 0)
			close(b->dev_fd); /* the devmap stays in sl_mcdev_v1 */
		bpf_object__close(b->obj);
		memset(b, 0, sizeof(*b));
	}
	mcast_gsets_free(p); /* the sets stay in sl_mcgset_v1 */
	bpf_object__close(p->base);
	memset(p, 0, sizeof(*p));
	priv_init(p);
}

const struct sl_feature sl_mcast_feature = {
	.name = "mcast",
	.state_size = sizeof(struct mcast_state),
	.priv_size = sizeof(struct mcast_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.apply = apply,
	.save = save,
	.status = mcast_status,
	.timers = timers,
	.release = release,
};
