/* The fast path's per-group port sets: for each registered group of a
 * bridge with the fast path, a DEVMAP_HASH of the ports that are due its
 * frames when the set is built (live members, router ports, flood ports),
 * each entry running the bridge's devmap program, put in sl_mcgset_v1
 * under the group's and the bridge's generations as they were read
 * before the ports were. A join that makes a membership live, a port that
 * becomes a learned router port (BPF) or a port change here moves a
 * generation, so a set built before it is no longer found and sl_mc_xdp
 * uses the bridge's devmap (every port decides) until a set for the new
 * generations is in place. A port a set holds but that is no longer due
 * (a leave, an expiry) is still decided on by its entry's program; the
 * next rebuild leaves it out. Sets are only ever put in whole: a set is
 * built, filled, then inserted (or replaces one under the same key). The
 * daemon keeps a record of each set's ports (p->gset); after a restart it
 * has none, and builds every set again. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "lib/bpf_info.h"
#include "lib/netns.h"
#include "features/mcast/mcast.h"

static void group_of(const struct sl_mc_gset_key *k, struct sl_mc_group_key *g)
{
	*g = (struct sl_mc_group_key){ .bridge = k->bridge, .family = k->family };
	memcpy(g->group, k->group, sizeof(g->group));
}

uint32_t mcast_ports_gen(struct mcast_priv *p, int id)
{
	uint32_t key = (uint32_t)id;
	struct sl_mc_config c = { 0 };
	struct sl_mc_gen g = { 0 };

	bpf_map_lookup_elem(p->map_fd[MM_CONFIG], &key, &c);
	bpf_map_lookup_elem(p->map_fd[MM_GEN], &key, &g);
	return g.learned + c.ports_gen;
}

void mcast_ports_moved(struct mcast_priv *p, int id)
{
	uint32_t key = (uint32_t)id;
	struct sl_mc_config c;

	/* the config map is the daemon's alone: no other writer to race */
	if (bpf_map_lookup_elem(p->map_fd[MM_CONFIG], &key, &c) || !c.enabled)
		return;
	c.ports_gen++;
	if (bpf_map_update_elem(p->map_fd[MM_CONFIG], &key, &c, BPF_ANY))
		sl_warn("mcast: bridge %d: port generation: %s", id, strerror(errno));
	p->br[id].gsync_due = true;
}

static struct mcast_gset *rec_find(struct mcast_priv *p, const struct sl_mc_gset_key *k)
{
	for (size_t i = 0; i < p->ngset; i++)
		if (!memcmp(&p->gset[i].key, k, sizeof(*k)))
			return &p->gset[i];
	return NULL;
}

static void rec_del(struct mcast_priv *p, const struct sl_mc_gset_key *k)
{
	struct mcast_gset *r = rec_find(p, k);

	if (r)
		*r = p->gset[--p->ngset];
}

static void rec_put(struct mcast_priv *p, const struct sl_mc_gset_key *k, const uint32_t *ports, int n)
{
	struct mcast_gset *r = rec_find(p, k);

	if (!r) {
		if (p->ngset == p->gset_cap) {
			size_t cap = p->gset_cap ? 2 * p->gset_cap : 16;
			struct mcast_gset *g = realloc(p->gset, cap * sizeof(*g));

			if (!g)
				return; /* without a record the set is only built again */
			p->gset = g;
			p->gset_cap = cap;
		}
		r = &p->gset[p->ngset++];
		r->key = *k;
	}
	r->n = n;
	memcpy(r->ports, ports, (size_t)n * sizeof(*ports));
}

void mcast_gsets_free(struct mcast_priv *p)
{
	free(p->gset);
	p->gset = NULL;
	p->ngset = p->gset_cap = 0;
}

void mcast_gsets_forget(struct mcast_priv *p, int id)
{
	size_t n;
	struct sl_mc_gset_key *keys = sl_map_keys(p->map_fd[MM_GSET], &n);

	for (size_t i = 0; keys && i < n; i++)
		if (keys[i].bridge == (uint32_t)id) {
			bpf_map_delete_elem(p->map_fd[MM_GSET], &keys[i]);
			rec_del(p, &keys[i]);
		}
	free(keys);
}

/* whether port `ifindex` is due group `g`'s frames now */
static bool port_due(struct mcast_priv *p, int id, uint32_t ifindex, const struct sl_mc_group_key *g, uint64_t now)
{
	struct sl_mc_port_key pk = { .bridge = (uint32_t)id, .ifindex = ifindex };
	struct sl_mc_member_key mk = { .bridge = (uint32_t)id, .ifindex = ifindex, .family = g->family };
	struct sl_mc_port v;
	struct sl_mc_member m;

	if (bpf_map_lookup_elem(p->map_fd[MM_PORT], &pk, &v))
		return false; /* no record: no devmap entry either */
	if (v.flood || v.router == SL_MC_ROUTER_ON || (v.router == SL_MC_ROUTER_AUTO && v.router_until_ns > now))
		return true;
	memcpy(mk.group, g->group, sizeof(mk.group));
	return !bpf_map_lookup_elem(p->map_fd[MM_MEMBER], &mk, &m) && m.expires_ns > now;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int mcast_gset_ports(struct mcast_priv *p, const struct sl_mc_gset_key *k, uint32_t *out, int max)
{
	const struct mcast_gset *r = rec_find(p, k);
	uint32_t map_id;

	/* the daemon's record of a set the kernel has */
	if (!r || r->n > max || bpf_map_lookup_elem(p->map_fd[MM_GSET], k, &map_id))
		return -1;
	memcpy(out, r->ports, (size_t)r->n * sizeof(*out));
	return r->n;
}

/* a new set holding `ports` under `k` (replacing one there); in the
 * bridge's namespace, where the kernel takes the ifindexes */
static int gset_put(struct mcast_priv *p, int id, const struct sl_mc_gset_key *k, const uint32_t *ports, int n)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "sl_mcgset", sizeof(__u32), sizeof(struct bpf_devmap_val),
				SL_MC_DEV_PORTS, NULL);
	int rc = 0;

	if (fd < 0)
		return -1;
	for (int i = 0; i < n && !rc; i++) {
		struct bpf_devmap_val v = { .ifindex = ports[i], .bpf_prog.fd = p->br[id].prog.dev };

		rc = bpf_map_update_elem(fd, &ports[i], &v, BPF_ANY);
	}
	if (!rc)
		rc = bpf_map_update_elem(p->map_fd[MM_GSET], k, &fd, BPF_ANY);
	close(fd); /* the outer map holds it */
	if (!rc)
		rec_put(p, k, ports, n);
	return rc;
}

/* Each change to sl_mcgset_v1 from userspace waits for an RCU grace
 * period (the kernel makes sure no program still runs with the map it
 * replaced): some 8 ms each on a busy 2-CPU machine. A look makes at most
 * this many, so the event loop is never held long; the rest waits for the
 * next look (meanwhile those groups' frames take the bridge's devmap). */
#define GSET_OPS_PER_LOOK 8

static int cmp_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sl_mc_gset_key));
}

/* the group part of a set's key: bridge, family, pad, group */
#define GSET_GROUP_BYTES offsetof(struct sl_mc_gset_key, gen)

static int cmp_group(const void *a, const void *b)
{
	return memcmp(a, b, GSET_GROUP_BYTES);
}

struct sl_mc_gset_key *mcast_gset_keys(struct mcast_priv *p, size_t *n)
{
	struct sl_mc_gset_key *keys = sl_map_keys(p->map_fd[MM_GSET], n);

	if (keys)
		qsort(keys, *n, sizeof(*keys), cmp_key);
	return keys;
}

bool mcast_gset_of(const struct sl_mc_gset_key *keys, size_t n, const struct sl_mc_group_key *g)
{
	struct sl_mc_gset_key k = { .bridge = g->bridge, .family = g->family };

	_Static_assert(GSET_GROUP_BYTES == sizeof(struct sl_mc_group_key), "a set's key begins with its group's");
	memcpy(k.group, g->group, sizeof(k.group));
	return bsearch(&k, keys, n, sizeof(*keys), cmp_group) != NULL;
}

/* The sets of bridge `id` made current: one per registered group, under
 * the generations read before anything else. Sets under no current key
 * (a generation before, a group no longer registered) go first: they hold
 * room. A group whose current set is there keeps it unless `shrink`: then
 * its ports are worked out again, and a set holding ports no longer due is
 * replaced. Returns the sets it could not put in (the map full, or the
 * kernel refused): those groups' frames take the bridge's devmap (a set
 * already under the key stays: built for the same generations, it holds
 * every port due and maybe some no longer due, which its entries' program
 * holds back). */
static int sync_bridge(struct mcast_priv *p, int id, uint64_t now, bool shrink)
{
	struct mcast_bridge_rt *b = &p->br[id];
	uint32_t ports_gen = mcast_ports_gen(p, id);
	size_t n = 0, ncur = 0;
	struct sl_mc_group_key *groups = sl_map_keys(p->map_fd[MM_GROUP], &n);
	struct sl_mc_gset_key *cur = calloc(n ? n : 1, sizeof(*cur)), *old;
	int failed = 0, budget = GSET_OPS_PER_LOOK;

	for (size_t i = 0; groups && cur && i < n; i++) {
		struct sl_mc_group g;

		/* the group's generation before its memberships (see sl_mc_join) */
		if (groups[i].bridge != (uint32_t)id || bpf_map_lookup_elem(p->map_fd[MM_GROUP], &groups[i], &g) ||
		    g.expires_ns <= now)
			continue;
		cur[ncur] = (struct sl_mc_gset_key){ .bridge = (uint32_t)id, .family = groups[i].family,
						     .gen = g.gen, .ports = ports_gen };
		memcpy(cur[ncur++].group, groups[i].group, sizeof(groups[i].group));
	}
	free(groups);
	if (!cur)
		return 0;
	qsort(cur, ncur, sizeof(*cur), cmp_key);
	old = sl_map_keys(p->map_fd[MM_GSET], &n);
	for (size_t i = 0; old && i < n; i++) {
		if (old[i].bridge != (uint32_t)id || bsearch(&old[i], cur, ncur, sizeof(*cur), cmp_key))
			continue;
		if (budget-- <= 0) {
			b->gsync_due = true;
			break;
		}
		bpf_map_delete_elem(p->map_fd[MM_GSET], &old[i]);
		rec_del(p, &old[i]);
	}
	free(old);
	for (size_t i = 0; i < ncur; i++) {
		uint32_t want[MC_PORT_SLOTS], have[SL_MC_DEV_PORTS];
		struct sl_mc_group_key g;
		int nwant = 0, nhave;

		if (!shrink && rec_find(p, &cur[i]))
			continue;
		group_of(&cur[i], &g);
		for (int j = 0; j < b->nports; j++)
			if (mcast_dev_port_has(p, id, b->port[j].ifindex) && port_due(p, id, b->port[j].ifindex, &g, now))
				want[nwant++] = b->port[j].ifindex;
		qsort(want, (size_t)nwant, sizeof(*want), cmp_u32);
		nhave = mcast_gset_ports(p, &cur[i], have, SL_MC_DEV_PORTS);
		if (nhave == nwant && !memcmp(have, want, (size_t)nwant * sizeof(*want)))
			continue;
		if (budget-- <= 0) {
			b->gsync_due = true;
			break;
		}
		if (gset_put(p, id, &cur[i], want, nwant) && !failed++)
			sl_debug("mcast: bridge %s: a group's port set: %s", b->name, strerror(errno));
	}
	free(cur);
	return failed;
}

void mcast_gsets_sync(struct mcast_priv *p, bool all, bool shrink)
{
	for (int id = 0; id < SL_MC_BRIDGES; id++) {
		struct mcast_bridge_rt *b = &p->br[id];
		uint32_t key = (uint32_t)id;
		struct sl_mc_gen g = { 0 };
		struct sl_error err = { 0 };
		int self, short_of;

		if (!b->active || !b->fast || b->waiting || b->prog.dev < 0 || b->dev_fd < 0)
			continue;
		bpf_map_lookup_elem(p->map_fd[MM_GEN], &key, &g);
		if (!all && !b->gsync_due && g.changes == b->gsync_changes)
			continue;
		if (sl_netns_enter(b->netns, &self, &err)) {
			sl_warn("mcast: bridge %s: port sets: %s", b->name, err.msg);
			continue;
		}
		/* what moved from here on is seen at the next look */
		b->gsync_changes = g.changes;
		b->gsync_due = false;
		short_of = sync_bridge(p, id, sl_ktime_ns(), shrink);
		sl_netns_leave(self);
		/* said once when it begins, not at every look */
		if (short_of && !b->gsync_short)
			sl_info("mcast: bridge %s: %d groups without a port set of their own (%s full, or refused); "
				"their frames take the bridge's", b->name, short_of, SL_STR(SL_MC_GSET_MAP));
		b->gsync_short = short_of > 0;
	}
}
