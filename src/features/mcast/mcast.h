/* The bridge multicast feature: on a Linux bridge, multicast to
 * unregistered groups only to router ports. It owns one program object per
 * bridge, two tc links per port, and the group and port maps. This header is
 * what its files share:
 *
 *   cmds.c    the grammar (mcast ...) with each command's handler, shared
 *             with sluicectl
 *   module.c  the module: state, stage, save, apply, release, and
 *             following ports (link events through the event loop)
 *   parse.c   `mcast bridge` / `mcast port` words into the state
 *   ports.c   a bridge's ports by rtnetlink (libmnl): list, watch
 *   links.c   programs per bridge, tc links per port, their pins
 *   fast.c    the fast path: a bridge's devmap, its ports' entries
 *   gsets.c   the fast path's per-group port sets and their generations
 *   undo.c    what an apply changed, to put it back if it fails
 *   query.c   groups, ports, status
 */
#ifndef SLUICE_FEATURES_MCAST_H
#define SLUICE_FEATURES_MCAST_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "lib/attach.h"
#include "sluice/mcast.h"

#define MC_NETNS_MAX 32
#define MC_DEV_MAX 16
#define MC_PORT_CFG_MAX 256
#define MC_BRIDGE_PORTS 64
/* an apply attaches the ports it finds before it detaches the ones that
 * left (only once nothing can fail): room for both at once */
#define MC_PORT_SLOTS (2 * MC_BRIDGE_PORTS)

/* --- configuration ------------------------------------------------------------ */

struct mcast_timers {
	uint32_t robustness;            /* 2 */
	uint32_t query_interval;        /* seconds, 125 */
	uint32_t response_interval;     /* seconds, 10 */
	uint32_t last_member_ms;        /* 1000 */
	uint32_t router_timeout;        /* seconds, 255 */
};

struct mcast_bridge_cfg {
	char netns[MC_NETNS_MAX];
	char name[MC_DEV_MAX];
	struct mcast_timers t;
	bool fast_path;                 /* fast-path on: XDP on the ports (devmap broadcast) */
};

struct mcast_port_cfg {
	char netns[MC_NETNS_MAX];
	char dev[MC_DEV_MAX];
	bool router_set, flood_set;
	uint8_t router;                 /* enum sl_mc_router */
	uint8_t flood;
};

struct mcast_state {
	int nbr;
	struct mcast_bridge_cfg br[SL_MC_BRIDGES];
	int nport;
	struct mcast_port_cfg port[MC_PORT_CFG_MAX];
};

void mcast_timers_default(struct mcast_timers *t);
/* `mcast bridge ...` / `mcast port ...` words onto a state */
int mcast_parse_bridge(struct mcast_state *s, int argc, char *const argv[], const int *cols, struct sl_error *err);
int mcast_parse_port(struct mcast_state *s, int argc, char *const argv[], const int *cols, struct sl_error *err);
void mcast_save_state(const struct mcast_state *s, FILE *out);
const struct mcast_port_cfg *mcast_port_cfg(const struct mcast_state *s, const char *netns, const char *dev);
const char *mcast_router_name(uint8_t router);

/* --- runtime -------------------------------------------------------------------- */

/* a port's attachments: tc ingress and egress (tcx links or legacy
 * filters, lib/attach.h), and with the fast path its XDP link */
enum mcast_side { MC_IN, MC_EG, MC_XDP, MC_SIDES };

struct mcast_port_rt {
	uint32_t ifindex;
	char name[MC_DEV_MAX];
	struct sl_att link[MC_SIDES];
};

/* a bridge's programs, one fd per side, and the fast path's devmap program */
struct mcast_progs {
	int fd[MC_SIDES];
	int dev;
};

struct mcast_bridge_rt {
	bool active;
	char netns[MC_NETNS_MAX];
	char name[MC_DEV_MAX];
	uint32_t ifindex;
	struct bpf_object *obj;         /* this bridge's programs (rodata: its index) */
	struct mcast_progs prog;
	bool fast;                      /* the fast path: XDP links, devmap entries */
	int dev_fd;                     /* its ports' devmap (in sl_mcdev_v1), else -1 */
	int nl_fd;                      /* link events in the bridge's namespace;
					 * in the event loop while open */
	uint32_t netns_ino;             /* that namespace, to notice it going away */
	uint32_t gsync_changes;         /* sl_mc_gen.changes when its port sets were built */
	bool gsync_due;                 /* its port sets to be built again at the next look */
	bool gsync_short;               /* some of its groups had no set of their own (said once) */
	bool waiting;                   /* its namespace or the bridge itself is gone:
					 * no ports, looked for again now and then */
	int nports;
	struct mcast_port_rt port[MC_PORT_SLOTS];
};

enum mcast_map {
	MM_CONFIG, MM_PORT, MM_MEMBER, MM_GROUP, MM_STATS, MM_BRIDGE, MM_DEV, MM_FAST,
	MM_GEN, MM_GSET, MM_GSTAT, MM_COUNT
};

/* a group port set the daemon put in sl_mcgset_v1, and its ports (the
 * kernel gives an inner map's fd only to CAP_SYS_ADMIN, which the daemon
 * does not keep: its own record is what it compares with) */
struct mcast_gset {
	struct sl_mc_gset_key key;
	int n;
	uint32_t ports[MC_PORT_SLOTS];  /* sorted */
};

struct mcast_priv {
	bool loaded;
	struct mcast_gset *gset;        /* the sets put in, in no order */
	size_t ngset, gset_cap;
	struct bpf_object *base;        /* creates or reuses the pinned maps */
	int map_fd[MM_COUNT];
	struct mcast_bridge_rt br[SL_MC_BRIDGES];
	struct mcast_state applied;     /* the config applied last (ports found later need it) */
	const struct mcast_state *state; /* &applied once something was applied */
	char pin_root[256];
	struct sl_loop *loop;           /* where the bridges' nl_fd are watched */
};

/* ports.c: a port as rtnetlink lists it */
struct mcast_link {
	uint32_t ifindex;
	uint32_t master;
	char name[MC_DEV_MAX];
	bool is_bridge;
};

/* The bridge's ifindex and its ports, in the current namespace. */
int mcast_list_ports(const char *bridge, uint32_t *ifindex, struct mcast_link *ports, int max, int *n,
		     struct sl_error *err);
/* A non-blocking rtnetlink socket subscribed to link events (current ns). */
int mcast_watch_open(struct sl_error *err);
/* Drain link events; nonzero when there were any (or some were lost):
 * then the ports are listed again. */
int mcast_watch_drain(int fd);

/* What an apply changed, kept until it succeeds (undo.c). */
struct mcast_undo_link {        /* one side (ingress, egress, xdp) of a port */
	int prog;               /* moved to the new program: the one it ran (our fd), else -1 */
	struct sl_att old;      /* replaced (it had died): the one held before, else not held */
	bool created;           /* attached and pinned by this apply */
};

struct mcast_undo_port {
	int id;
	uint32_t ifindex;
	bool fresh;             /* not attached before: undone by detaching it */
	bool had_record;
	struct sl_mc_port record;       /* its port map record before */
	struct mcast_undo_link side[MC_SIDES];
	bool had_dev;                   /* it had an entry in the bridge's devmap */
};

struct mcast_undo {
	const struct mcast_state *state;        /* p->state before */
	bool saved[SL_MC_BRIDGES];
	struct mcast_bridge_rt br[SL_MC_BRIDGES]; /* runtimes before */
	struct sl_mc_config cfg[SL_MC_BRIDGES];
	struct sl_mc_bridge_meta meta[SL_MC_BRIDGES];
	int nport;
	struct mcast_undo_port port[SL_MC_BRIDGES * MC_BRIDGE_PORTS];
};

/* undo.c: begin (p->state becomes `next` for the ports' records),
 * save a bridge before its first change, put everything back, or keep it */
struct mcast_undo *mcast_undo_begin(struct mcast_priv *p, const struct mcast_state *next, struct sl_error *err);
void mcast_undo_bridge(struct mcast_undo *u, struct mcast_priv *p, int id);
void mcast_undo_rollback(struct mcast_undo *u, struct mcast_priv *p);
void mcast_undo_commit(struct mcast_undo *u);

/* links.c: the programs of bridge `id` (the fast path's only with `fast`) */
int mcast_load_bridge_prog(struct mcast_priv *p, int id, bool fast, struct bpf_object **obj,
			   struct mcast_progs *prog, struct sl_error *err);
int mcast_port_find(const struct mcast_bridge_rt *b, uint32_t ifindex);
/* attach (or switch to the bridge's current programs) one port; in the
 * bridge's namespace. Two passes over a bridge's ports: `upto` MC_EG: its
 * record, devmap entry (fast path) and tc links; then MC_XDP: its XDP link
 * (fast path, once every port has its entry). With `u`, what it changes is
 * recorded there and a failure leaves the undo to it; without, a port that
 * fails is detached. */
int mcast_port_attach(struct mcast_priv *p, int id, const struct mcast_link *l, enum mcast_side upto,
		      struct mcast_undo *u, struct sl_error *err);
/* one side of a port back to how `j` says it was */
void mcast_link_undo(struct sl_att *link, const struct mcast_undo_link *j);
/* programs off the port first, then its records and memberships, then its
 * pins: once the pins are gone, so is everything else of the port */
void mcast_port_detach(struct mcast_priv *p, int id, int k);
/* the port's map record, keeping what was learned */
int mcast_port_record(struct mcast_priv *p, int id, uint32_t ifindex, const struct mcast_port_cfg *cfg,
		      struct sl_error *err);
/* pinned links and recorded filters of bridge `id` into br[id].port[]
 * (daemon start) */
void mcast_links_adopt(struct mcast_priv *p, int id);
/* delete memberships and groups that expired before `now` (ns, monotonic):
 * how many */
int mcast_collect(struct mcast_priv *p, uint64_t now);
/* remove every map entry of bridge `id` */
void mcast_maps_forget(struct mcast_priv *p, int id);
int mcast_meta_write(struct mcast_priv *p, int id);

/* fast.c: the devmap of bridge `id` (made and put in sl_mcdev_v1 if
 * missing: b->dev_fd), a port's entry (running the bridge's devmap
 * program) written or deleted, the devmap taken out; and the devmap a
 * daemon before us left (b->dev_fd, or -1) */
int mcast_dev_open(struct mcast_priv *p, int id, struct sl_error *err);
int mcast_dev_port(struct mcast_priv *p, int id, uint32_t ifindex, struct sl_error *err);
void mcast_dev_port_del(struct mcast_priv *p, int id, uint32_t ifindex);
bool mcast_dev_port_has(const struct mcast_priv *p, int id, uint32_t ifindex);
void mcast_dev_close(struct mcast_priv *p, int id);
void mcast_dev_adopt(struct mcast_priv *p, int id);
/* the fast path off on every port of bridge `id` (XDP first, then entries) */
void mcast_fast_off(struct mcast_priv *p, int id);

/* gsets.c: the port sets' generation of bridge `id` as sl_mc_xdp reads it;
 * moved by the daemon (a port attached, detached or set: every set of
 * the bridge is stale until built again); the sets of bridge `id` deleted
 * (each change waits for a grace period: for turning a bridge off); the ports of the set under `k` (sorted, at most
 * `max`; -1 if none); the sets built where a generation moved (`all`:
 * every fast bridge's sets looked at; `shrink`: ports no longer due left
 * out of the sets that hold them) */
uint32_t mcast_ports_gen(struct mcast_priv *p, int id);
void mcast_ports_moved(struct mcast_priv *p, int id);
void mcast_gsets_forget(struct mcast_priv *p, int id);
/* the keys of sl_mcgset_v1, sorted (free them), and whether a group has a
 * set among them (of any generation) */
struct sl_mc_gset_key *mcast_gset_keys(struct mcast_priv *p, size_t *n);
bool mcast_gset_of(const struct sl_mc_gset_key *keys, size_t n, const struct sl_mc_group_key *g);
int mcast_gset_ports(struct mcast_priv *p, const struct sl_mc_gset_key *k, uint32_t *out, int max);
void mcast_gsets_sync(struct mcast_priv *p, bool all, bool shrink);
void mcast_gsets_free(struct mcast_priv *p);

/* module.c: the config commands' handlers (cmds.c) */
sl_stage_fn mcast_stage_bridge, mcast_stage_port;

/* query.c: the read commands' handlers (cmds.c), and status */
sl_query_fn mcast_query_groups, mcast_query_ports;
json_object *mcast_status(const struct sl_env *env, void *priv, const void *state);
int mcast_ensure_loaded(const struct sl_env *env, struct mcast_priv *p, struct sl_error *err);

#endif
