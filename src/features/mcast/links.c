/* One program object per bridge (its index in read-only data), two tc
 * attachments per port (tcx links, else legacy filters: lib/attach.h)
 * named sl_mc_<bridge>_<ifindex>_{in,eg}, the port's record in the port
 * map, and forgetting a bridge. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/bpf_info.h"
#include "core/log.h"
#include "core/pin.h"
#include "lib/bpf_obj.h"
#include "lib/place.h"
#include "features/mcast/mcast.h"
#include "mcast.skel.h"

static const char *const side_names[MC_SIDES] = { [MC_IN] = "in", [MC_EG] = "eg", [MC_XDP] = "xdp" };

static void link_name(int id, uint32_t ifindex, enum mcast_side side, char *out, size_t size)
{
	snprintf(out, size, "sl_mc_%d_%u_%s", id, ifindex, side_names[side]);
}

int mcast_meta_write(struct mcast_priv *p, int id)
{
	const struct mcast_bridge_rt *b = &p->br[id];
	struct sl_mc_bridge_meta m = { 0 };
	uint32_t key = (uint32_t)id;

	if (b->active) {
		sl_place_set(&m.bridge, b->netns, b->name, b->ifindex);
		m.used = 1;
	}
	return bpf_map_update_elem(p->map_fd[MM_BRIDGE], &key, &m, BPF_ANY);
}

int mcast_load_bridge_prog(struct mcast_priv *p, int id, bool fast, struct bpf_object **obj,
			   struct mcast_progs *prog, struct sl_error *err)
{
	struct mcast_bpf *skel = mcast_bpf__open();

	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: cannot open the BPF object: %s", strerror(errno));
	skel->rodata->sl_mc_bridge = (__u32)id;
	/* without the fast path, what it needs of the kernel (5.13) is not asked */
	bpf_program__set_autoload(skel->progs.sl_mc_xdp, fast);
	bpf_program__set_autoload(skel->progs.sl_mc_xdp_port, fast);
	if (sl_obj_load_instance(skel->obj, p->base, "mcast", "the programs do not load", err)) {
		mcast_bpf__destroy(skel);
		return -1;
	}
	prog->fd[MC_IN] = bpf_program__fd(skel->progs.sl_mc_ingress);
	prog->fd[MC_EG] = bpf_program__fd(skel->progs.sl_mc_egress);
	prog->fd[MC_XDP] = fast ? bpf_program__fd(skel->progs.sl_mc_xdp) : -1;
	prog->dev = fast ? bpf_program__fd(skel->progs.sl_mc_xdp_port) : -1;
	*obj = skel->obj;
	skel->obj = NULL;
	mcast_bpf__destroy(skel);
	return 0;
}

/* A new port's counters: it was spared none of the fast path's frames
 * redirected before it came (see sl_mc_port_stats.fast_in). */
static void stats_start(struct mcast_priv *p, int id, const struct sl_mc_port_key *key)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sl_mc_port_stats *v;
	struct sl_mc_fast_stats f;
	uint32_t bridge = (uint32_t)id;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return;
	SL_PERCPU_SUM(p->map_fd[MM_FAST], &bridge, &f);
	v[0].fast_in = f.redirected;
	bpf_map_update_elem(p->map_fd[MM_STATS], key, v, BPF_NOEXIST);
	free(v);
}

int mcast_port_record(struct mcast_priv *p, int id, uint32_t ifindex, const struct mcast_port_cfg *cfg,
		      struct sl_error *err)
{
	struct sl_mc_port_key key = { .bridge = (__u32)id, .ifindex = ifindex };
	struct sl_mc_port v = { 0 }, was;
	bool fresh = bpf_map_lookup_elem(p->map_fd[MM_PORT], &key, &v) != 0; /* keep router_until_ns */

	was = v;
	v.router = cfg && cfg->router_set ? cfg->router : SL_MC_ROUTER_AUTO;
	v.flood = cfg && cfg->flood_set ? cfg->flood : 0;
	if (!fresh && v.router == was.router && v.flood == was.flood)
		return 0;
	/* a port the sets may lack from now on: every set stale before it is */
	mcast_ports_moved(p, id);
	if (bpf_map_update_elem(p->map_fd[MM_PORT], &key, &v, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: port %u record: %s", ifindex, strerror(errno));
	if (fresh)
		stats_start(p, id, &key);
	return 0;
}

int mcast_port_find(const struct mcast_bridge_rt *b, uint32_t ifindex)
{
	for (int k = 0; k < b->nports; k++)
		if (b->port[k].ifindex == ifindex)
			return k;
	return -1;
}

/* A link to the bridge's current program: update a held one, else create
 * and pin. With `j`, what it did is recorded there (`was`: the program the
 * link ran, when known) and a replaced link is kept for the undo. */
static int link_to(struct mcast_priv *p, int id, uint32_t ifindex, const char *dev, enum mcast_side side,
		   struct sl_att *link, struct mcast_undo_link *j, int was, struct sl_error *err)
{
	int prog = p->br[id].prog.fd[side];
	char name[SL_ATT_NAME_MAX];

	if (sl_att_held(link)) {
		/* the program to go back to, before the link moves off it */
		int back = !j ? -1 : was >= 0 ? dup(was) : sl_att_prog_fd(link);

		/* without it an undo could not move the link back: change nothing */
		if (j && back < 0)
			return sl_fail(err, SL_E_KERNEL, 0, "dev %s: cannot read the program its link runs now: %s", dev,
				       strerror(errno));
		if (!sl_att_replace(link, prog)) {
			if (j)
				j->prog = back;
			return 0;
		}
		if (back >= 0)
			close(back);
		/* the port was deleted and came back, or the link died: a new one */
		if (j)
			j->old = *link;
		else
			sl_att_release(link);
		sl_att_init(link);
	}
	link_name(id, ifindex, side, name, sizeof(name));
	if (side == MC_XDP ? sl_att_xdp(link, p->pin_root, name, prog, (int)ifindex, dev, err)
			   : sl_att_tc(link, p->pin_root, name, p->br[id].netns, (int)ifindex, side == MC_EG,
				       SL_TC_OWNER_MCAST, prog, dev, err))
		return -1;
	if (j)
		j->created = true;
	return 0;
}

void mcast_link_undo(struct sl_att *link, const struct mcast_undo_link *j)
{
	if (j->created && sl_att_held(link))
		sl_att_detach(link);
	if (sl_att_held(&j->old)) {
		*link = j->old;
		/* its pin or record went only when a new one took the name */
		if (j->created && sl_att_repin(link))
			sl_warn("mcast: undo: pin %s again: %s", link->name, strerror(errno));
	}
	if (j->prog >= 0 && sl_att_held(link) && sl_att_replace(link, j->prog))
		sl_warn("mcast: undo: %s back to its program: %s", link->name, strerror(errno));
}

/* a journal entry for the port, before anything of it changes */
static struct mcast_undo_port *journal(struct mcast_undo *u, struct mcast_priv *p, int id, uint32_t ifindex,
				       bool fresh)
{
	struct sl_mc_port_key key = { .bridge = (__u32)id, .ifindex = ifindex };
	struct mcast_undo_port *e = &u->port[u->nport++];

	*e = (struct mcast_undo_port){ .id = id, .ifindex = ifindex, .fresh = fresh };
	e->had_record = !bpf_map_lookup_elem(p->map_fd[MM_PORT], &key, &e->record);
	e->had_dev = mcast_dev_port_has(p, id, ifindex);
	for (int s = 0; s < MC_SIDES; s++) {
		e->side[s] = (struct mcast_undo_link){ .prog = -1 };
		sl_att_init(&e->side[s].old);
	}
	return e;
}

static bool port_held(const struct mcast_port_rt *pt)
{
	for (int s = 0; s < MC_SIDES; s++)
		if (sl_att_held(&pt->link[s]))
			return true;
	return false;
}

static struct mcast_port_rt *port_slot(struct mcast_bridge_rt *b, int k, uint32_t ifindex)
{
	b->port[k] = (struct mcast_port_rt){ .ifindex = ifindex };
	for (int s = 0; s < MC_SIDES; s++)
		sl_att_init(&b->port[k].link[s]);
	return &b->port[k];
}

int mcast_port_attach(struct mcast_priv *p, int id, const struct mcast_link *l, enum mcast_side upto,
		      struct mcast_undo *u, struct sl_error *err)
{
	struct mcast_bridge_rt *b = &p->br[id];
	int k = mcast_port_find(b, l->ifindex);
	struct mcast_undo_port *e = NULL;
	struct mcast_port_rt *pt;
	int rc = 0;

	if (k < 0) {
		if (b->nports == MC_PORT_SLOTS)
			return sl_fail(err, SL_E_USAGE, 0, "bridge %s: more than %d ports", b->name, MC_BRIDGE_PORTS);
		k = b->nports++;
		port_slot(b, k, l->ifindex);
	}
	pt = &b->port[k];
	if (u && upto != MC_XDP) /* room for all: an apply lists at most MC_BRIDGE_PORTS per bridge */
		e = journal(u, p, id, l->ifindex, !port_held(pt));
	else if (u) /* the XDP pass after the tc pass: the port's entry from then */
		for (int i = u->nport - 1; i >= 0 && !e; i--)
			if (u->port[i].id == id && u->port[i].ifindex == l->ifindex)
				e = &u->port[i];
	snprintf(pt->name, sizeof(pt->name), "%s", l->name);
	/* the record first: egress passes everything on a port without one;
	 * the devmap entry before the XDP link, which sends to it */
	if (upto != MC_XDP)
		rc = mcast_port_record(p, id, l->ifindex, mcast_port_cfg(p->state, b->netns, l->name), err);
	if (!rc && upto != MC_XDP && b->fast)
		rc = mcast_dev_port(p, id, l->ifindex, err);
	for (int s = upto == MC_XDP ? MC_XDP : MC_IN; !rc && s <= (int)upto; s++)
		if (s != MC_XDP || b->fast)
			rc = link_to(p, id, l->ifindex, l->name, (enum mcast_side)s, &pt->link[s],
				     e ? &e->side[s] : NULL, u ? u->br[id].prog.fd[s] : -1, err);
	if (rc && !u)
		mcast_port_detach(p, id, k);
	return rc;
}

static void forget_port_members(struct mcast_priv *p, int id, uint32_t ifindex)
{
	size_t n;
	struct sl_mc_member_key *keys = sl_map_keys(p->map_fd[MM_MEMBER], &n);

	for (size_t i = 0; keys && i < n; i++)
		if (keys[i].bridge == (uint32_t)id && keys[i].ifindex == ifindex)
			bpf_map_delete_elem(p->map_fd[MM_MEMBER], &keys[i]);
	free(keys);
}

void mcast_port_detach(struct mcast_priv *p, int id, int k)
{
	struct mcast_bridge_rt *b = &p->br[id];
	struct mcast_port_rt *pt = &b->port[k];
	struct sl_mc_port_key key = { .bridge = (__u32)id, .ifindex = pt->ifindex };

	/* off the port first: no snooping adds a membership after the flush,
	 * no frame is sent to the port's devmap entry once it is gone */
	for (int s = MC_SIDES - 1; s >= 0; s--)
		sl_att_off(&pt->link[s]);
	mcast_ports_moved(p, id); /* no group's set sends to it from now on */
	mcast_dev_port_del(p, id, pt->ifindex);
	bpf_map_delete_elem(p->map_fd[MM_PORT], &key);
	bpf_map_delete_elem(p->map_fd[MM_STATS], &key);
	forget_port_members(p, id, pt->ifindex); /* as the kernel's bridge flushes a removed port's groups */
	/* the pins (records) last: whoever sees them gone sees the port's state gone */
	for (int s = 0; s < MC_SIDES; s++)
		sl_att_detach(&pt->link[s]);
	memmove(pt, pt + 1, (size_t)(b->nports - k - 1) * sizeof(*pt));
	b->nports--;
}

void mcast_links_adopt(struct mcast_priv *p, int id)
{
	struct mcast_bridge_rt *b = &p->br[id];
	struct sl_tc_name names[MC_PORT_SLOTS * MC_SIDES];
	char prefix[32];
	int n;

	snprintf(prefix, sizeof(prefix), "sl_mc_%d_", id);
	n = sl_att_names(p->pin_root, prefix, names, MC_PORT_SLOTS * MC_SIDES);
	for (int i = 0; i < n; i++) {
		unsigned ifindex;
		char side[4];
		struct sl_att a;
		int k, s;

		if (sscanf(names[i].name + strlen(prefix), "%u_%3s", &ifindex, side) != 2)
			continue;
		for (s = 0; s < MC_SIDES && strcmp(side, side_names[s]); s++)
			;
		if (s == MC_SIDES || sl_att_adopt(&a, p->pin_root, names[i].name))
			continue;
		k = mcast_port_find(b, ifindex);
		if (k < 0 && b->nports < MC_PORT_SLOTS) {
			k = b->nports++;
			port_slot(b, k, ifindex);
		}
		if (k < 0) {
			sl_att_release(&a);
			continue;
		}
		b->port[k].link[s] = a;
	}
}

/* delete every key of `map` whose leading __u32 is the bridge index */
static void forget_in(int fd, size_t key_size, int id)
{
	size_t n;
	uint8_t *keys = sl_map_keys(fd, &n);

	for (size_t i = 0; keys && i < n; i++) {
		uint32_t bridge;

		memcpy(&bridge, keys + i * key_size, sizeof(bridge));
		if (bridge == (uint32_t)id)
			bpf_map_delete_elem(fd, keys + i * key_size);
	}
	free(keys);
}

int mcast_collect(struct mcast_priv *p, uint64_t now)
{
	int gone = 0;
	size_t n;
	struct sl_mc_member_key *mk = sl_map_keys(p->map_fd[MM_MEMBER], &n);
	struct sl_mc_group_key *gk;
	struct sl_mc_gset_key *sets;
	size_t nsets;

	/* the programs treat these as absent already; this makes room */
	for (size_t i = 0; mk && i < n; i++) {
		struct sl_mc_member m;

		if (!bpf_map_lookup_elem(p->map_fd[MM_MEMBER], &mk[i], &m) && m.expires_ns <= now)
			gone += !bpf_map_delete_elem(p->map_fd[MM_MEMBER], &mk[i]);
	}
	free(mk);
	gk = sl_map_keys(p->map_fd[MM_GROUP], &n);
	sets = mcast_gset_keys(p, &nsets); /* NULL: cannot tell, none deleted */
	for (size_t i = 0; gk && sets && i < n; i++) {
		struct sl_mc_group g;

		/* a group with port sets left waits for the next sweep (the
		 * daemon's look deletes them, a few at a time): made again, a
		 * group starts at generation 1, which no set left over may match */
		if (bpf_map_lookup_elem(p->map_fd[MM_GROUP], &gk[i], &g) || g.expires_ns > now ||
		    mcast_gset_of(sets, nsets, &gk[i]))
			continue;
		bpf_map_delete_elem(p->map_fd[MM_GSTAT], &gk[i]);
		gone += !bpf_map_delete_elem(p->map_fd[MM_GROUP], &gk[i]);
	}
	free(sets);
	free(gk);
	return gone;
}

void mcast_maps_forget(struct mcast_priv *p, int id)
{
	struct sl_mc_config off = { 0 };
	uint32_t key = (uint32_t)id;

	bpf_map_update_elem(p->map_fd[MM_CONFIG], &key, &off, BPF_ANY);
	bpf_map_delete_elem(p->map_fd[MM_DEV], &key);
	sl_percpu_zero(p->map_fd[MM_FAST], &key, sizeof(struct sl_mc_fast_stats));
	/* the sets before the groups and the generations they are keyed by */
	mcast_gsets_forget(p, id);
	forget_in(p->map_fd[MM_GSTAT], sizeof(struct sl_mc_group_key), id);
	forget_in(p->map_fd[MM_PORT], sizeof(struct sl_mc_port_key), id);
	forget_in(p->map_fd[MM_STATS], sizeof(struct sl_mc_port_key), id);
	forget_in(p->map_fd[MM_MEMBER], sizeof(struct sl_mc_member_key), id);
	forget_in(p->map_fd[MM_GROUP], sizeof(struct sl_mc_group_key), id);
	bpf_map_update_elem(p->map_fd[MM_GEN], &key, &(struct sl_mc_gen){ 0 }, BPF_ANY);
}
