/* apply()'s switch as all or nothing: before a bridge's first change its
 * runtime and map records are saved, and each port's change is journalled
 * (mcast_port_attach); a failure puts the links, programs and records back
 * exactly, in reverse order. What cannot be put back (flushing the
 * memberships of ports that left, turning bridges off) runs only after
 * everything that can fail has succeeded. */
#include <bpf/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "lib/netns.h"
#include "features/mcast/mcast.h"

struct mcast_undo *mcast_undo_begin(struct mcast_priv *p, const struct mcast_state *next, struct sl_error *err)
{
	struct mcast_undo *u = calloc(1, sizeof(*u));

	if (!u) {
		sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		return NULL;
	}
	u->state = p->state;
	p->state = next; /* the ports' records are written from it */
	return u;
}

void mcast_undo_bridge(struct mcast_undo *u, struct mcast_priv *p, int id)
{
	uint32_t key = (uint32_t)id;

	if (u->saved[id])
		return;
	u->saved[id] = true;
	u->br[id] = p->br[id];
	bpf_map_lookup_elem(p->map_fd[MM_CONFIG], &key, &u->cfg[id]);
	bpf_map_lookup_elem(p->map_fd[MM_BRIDGE], &key, &u->meta[id]);
}

/* a port's devmap entry as it was: running the bridge's devmap program
 * from before (its object stays open until the apply commits) */
static void dev_back(struct mcast_priv *p, const struct mcast_undo *u, const struct mcast_undo_port *e)
{
	struct sl_error err = { 0 };
	struct mcast_progs now = p->br[e->id].prog;
	int self;

	if (!e->had_dev) {
		mcast_dev_port_del(p, e->id, e->ifindex);
		return;
	}
	p->br[e->id].prog = u->br[e->id].prog;
	/* the kernel takes the port's ifindex in the bridge's namespace */
	if (!sl_netns_enter(p->br[e->id].netns, &self, &err)) {
		mcast_dev_port(p, e->id, e->ifindex, &err);
		sl_netns_leave(self);
	}
	if (err.msg[0])
		sl_warn("mcast: undo: %s", err.msg);
	p->br[e->id].prog = now;
}

static void port_back(struct mcast_priv *p, const struct mcast_undo *u, const struct mcast_undo_port *e)
{
	struct mcast_bridge_rt *b = &p->br[e->id];
	struct sl_mc_port_key key = { .bridge = (__u32)e->id, .ifindex = e->ifindex };
	int k = mcast_port_find(b, e->ifindex);

	if (k < 0)
		return;
	if (e->fresh) { /* as if never attached: links, record, what it snooped meanwhile */
		mcast_port_detach(p, e->id, k);
		return;
	}
	/* the XDP link first: it sends to the devmap entries */
	for (int s = MC_SIDES - 1; s >= 0; s--)
		mcast_link_undo(&b->port[k].link[s], &e->side[s]);
	dev_back(p, u, e);
	if (e->had_record)
		bpf_map_update_elem(p->map_fd[MM_PORT], &key, &e->record, BPF_ANY);
	else
		bpf_map_delete_elem(p->map_fd[MM_PORT], &key);
}

/* the program fds the journal holds */
static void undo_free(struct mcast_undo *u)
{
	for (int i = 0; i < u->nport; i++)
		for (int s = 0; s < MC_SIDES; s++)
			if (u->port[i].side[s].prog >= 0)
				close(u->port[i].side[s].prog);
	free(u);
}

void mcast_undo_rollback(struct mcast_undo *u, struct mcast_priv *p)
{
	for (int i = u->nport - 1; i >= 0; i--)
		port_back(p, u, &u->port[i]);
	for (int id = 0; id < SL_MC_BRIDGES; id++) {
		uint32_t key = (uint32_t)id;

		if (!u->saved[id])
			continue;
		if (!u->br[id].active) /* a bridge this apply enabled: whatever it snooped */
			mcast_maps_forget(p, id);
		bpf_map_update_elem(p->map_fd[MM_CONFIG], &key, &u->cfg[id], BPF_ANY);
		bpf_map_update_elem(p->map_fd[MM_BRIDGE], &key, &u->meta[id], BPF_ANY);
		if (p->br[id].dev_fd != u->br[id].dev_fd) /* a devmap this apply made */
			mcast_dev_close(p, id);
		/* the links it held are the ones held again (replaced ones were put back) */
		p->br[id] = u->br[id];
	}
	p->state = u->state;
	undo_free(u);
}

void mcast_undo_commit(struct mcast_undo *u)
{
	/* links replaced because they had died go now */
	for (int i = 0; i < u->nport; i++)
		for (int s = 0; s < MC_SIDES; s++)
			sl_att_release(&u->port[i].side[s].old);
	undo_free(u);
}
