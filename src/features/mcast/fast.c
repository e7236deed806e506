/* The fast path's port set: per bridge, a DEVMAP_HASH of its ports (each
 * entry running the bridge's devmap program, sl_mc_xdp_port), held in
 * sl_mcdev_v1 at the bridge's index, where sl_mc_xdp finds it. The daemon
 * keeps an fd to it (b->dev_fd); a restarted daemon finds it there again. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "features/mcast/mcast.h"

_Static_assert(SL_MC_DEV_PORTS >= MC_PORT_SLOTS, "a bridge's port slots fit its devmap");

/* the same layout as the inner map in bpf/mcast.bpf.c (the kernel checks) */
static int dev_create(int id)
{
	char name[BPF_OBJ_NAME_LEN];

	snprintf(name, sizeof(name), "sl_mcdev_%d", id);
	return bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, name, sizeof(__u32), sizeof(struct bpf_devmap_val),
			      SL_MC_DEV_PORTS, NULL);
}

int mcast_dev_open(struct mcast_priv *p, int id, struct sl_error *err)
{
	struct mcast_bridge_rt *b = &p->br[id];
	uint32_t key = (uint32_t)id;
	int fd;

	if (b->dev_fd >= 0)
		return 0;
	fd = dev_create(id);
	if (fd < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: bridge %s: fast path port map: %s", b->name, strerror(errno));
	if (bpf_map_update_elem(p->map_fd[MM_DEV], &key, &fd, BPF_ANY)) {
		int e = errno;

		close(fd);
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: bridge %s: fast path port map into %s: %s", b->name,
			       SL_STR(SL_MC_DEV_MAP), strerror(e));
	}
	b->dev_fd = fd;
	return 0;
}

void mcast_dev_adopt(struct mcast_priv *p, int id)
{
	uint32_t key = (uint32_t)id, map_id;

	p->br[id].dev_fd = -1;
	if (!bpf_map_lookup_elem(p->map_fd[MM_DEV], &key, &map_id))
		p->br[id].dev_fd = bpf_map_get_fd_by_id(map_id);
}

int mcast_dev_port(struct mcast_priv *p, int id, uint32_t ifindex, struct sl_error *err)
{
	struct mcast_bridge_rt *b = &p->br[id];
	struct bpf_devmap_val v = { .ifindex = ifindex, .bpf_prog.fd = b->prog.dev };

	if (mcast_dev_open(p, id, err))
		return -1;
	/* in the bridge's namespace: the kernel takes the ifindex there */
	if (bpf_map_update_elem(b->dev_fd, &ifindex, &v, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "mcast: bridge %s: port %u into the fast path's port map: %s",
			       b->name, ifindex, strerror(errno));
	return 0;
}

bool mcast_dev_port_has(const struct mcast_priv *p, int id, uint32_t ifindex)
{
	struct bpf_devmap_val v;

	return p->br[id].dev_fd >= 0 && !bpf_map_lookup_elem(p->br[id].dev_fd, &ifindex, &v);
}

void mcast_dev_port_del(struct mcast_priv *p, int id, uint32_t ifindex)
{
	if (p->br[id].dev_fd >= 0)
		bpf_map_delete_elem(p->br[id].dev_fd, &ifindex);
}

void mcast_dev_close(struct mcast_priv *p, int id)
{
	uint32_t key = (uint32_t)id;

	bpf_map_delete_elem(p->map_fd[MM_DEV], &key);
	if (p->br[id].dev_fd >= 0)
		close(p->br[id].dev_fd);
	p->br[id].dev_fd = -1;
}

void mcast_fast_off(struct mcast_priv *p, int id)
{
	struct mcast_bridge_rt *b = &p->br[id];

	for (int k = 0; k < b->nports; k++)
		sl_att_detach(&b->port[k].link[MC_XDP]);
	mcast_gsets_forget(p, id);
	mcast_dev_close(p, id); /* the entries go with the map */
}
