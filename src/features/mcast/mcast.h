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

struct mcast_port_rt {
	uint32_t ifindex;
	char name[MC_DEV_MAX];
	struct sl_att link_in, link_eg; /* tcx links or legacy tc filters (lib/attach.h) */
};

struct mcast_bridge_rt {
	bool active;
	char netns[MC_NETNS_MAX];
	char name[MC_DEV_MAX];
	uint32_t ifindex;
	struct bpf_object *obj;         /* this bridge's programs (rodata: its index) */
	int prog_in, prog_eg;
	int nl_fd;                      /* link events in the bridge's namespace;
					 * in the event loop while open */
	uint32_t netns_ino;             /* that namespace, to notice it going away */
	bool waiting;                   /* its namespace or the bridge itself is gone:
					 * no ports, looked for again now and then */
	int nports;
	struct mcast_port_rt port[MC_PORT_SLOTS];
};

enum mcast_map { MM_CONFIG, MM_PORT, MM_MEMBER, MM_GROUP, MM_STATS, MM_BRIDGE, MM_COUNT };

struct mcast_priv {
	bool loaded;
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
struct mcast_undo_link {        /* one side (ingress, egress) of a port */
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
	struct mcast_undo_link side[2]; /* ingress, egress */
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

/* links.c */
int mcast_load_bridge_prog(struct mcast_priv *p, int id, struct bpf_object **obj, int *prog_in, int *prog_eg,
			   struct sl_error *err);
int mcast_port_find(const struct mcast_bridge_rt *b, uint32_t ifindex);
/* attach (or switch to the bridge's current programs) one port; in the
 * bridge's namespace. With `u`, what it changes is recorded there and a
 * failure leaves the undo to it; without, a port that fails is detached. */
int mcast_port_attach(struct mcast_priv *p, int id, const struct mcast_link *l, struct mcast_undo *u,
		      struct sl_error *err);
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
/* delete memberships and groups that expired before `now` (ns, monotonic) */
void mcast_collect(struct mcast_priv *p, uint64_t now);
/* remove every map entry of bridge `id` */
void mcast_maps_forget(struct mcast_priv *p, int id);
int mcast_meta_write(struct mcast_priv *p, int id);

/* module.c: the config commands' handlers (cmds.c) */
sl_stage_fn mcast_stage_bridge, mcast_stage_port;

/* query.c: the read commands' handlers (cmds.c), and status */
sl_query_fn mcast_query_groups, mcast_query_ports;
json_object *mcast_status(const struct sl_env *env, void *priv, const void *state);
int mcast_ensure_loaded(const struct sl_env *env, struct mcast_priv *p, struct sl_error *err);

#endif
