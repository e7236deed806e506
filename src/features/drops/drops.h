/* The drops feature: UDP drops counted per namespace, reason, family, port
 * and address from the skb:kfree_skb and udp:udp_fail_queue_rcv_skb
 * tracepoints, with sampled events through a ring buffer. Observe only: it
 * owns two tracepoint links and its counter maps, nothing on a packet path.
 * This header is what its files share:
 *
 *   cmds.c    the grammar (drops ...) with each command's handler, shared
 *             with sluicectl
 *   module.c  the module: state, stage, save, apply
 *   swap.c    pins, maps and programs: adopt, load, replace, detach
 *   rows.c    counter rows: aggregation and JSON (pure)
 *   events.c  the window of recent sampled events, fed by the event loop
 *   budget.c  --sample-rate as the programs' per-CPU event budget
 *   query.c   the read commands and status
 */
#ifndef SLUICE_FEATURES_DROPS_H
#define SLUICE_FEATURES_DROPS_H

#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "sluice/drops.h"
#include "lib/btf_enum.h"

/* --by: the order of its choices in cmds.c */
enum drops_by { DROPS_BY_REASON, DROPS_BY_PORT, DROPS_BY_ADDR, DROPS_BY_SOCKET };

/* The option slots of the drops commands: each table in cmds.c is laid out
 * by one of these (designated initializers), and the daemon reads
 * cmd->opt[DROPS_OPT_NETNS]. The scope options come first in every table
 * that has them, so `drops`, `drops reset` and `drops events` index them
 * alike; each *_NOPTS is its table's length. */
enum drops_scope_opt { DROPS_OPT_NETNS, DROPS_OPT_ALL, DROPS_SCOPE_NOPTS };
enum drops_show_opt { DROPS_OPT_BY = DROPS_SCOPE_NOPTS, DROPS_OPT_WATCH, DROPS_SHOW_NOPTS };
enum drops_events_opt { DROPS_OPT_COUNT = DROPS_SCOPE_NOPTS, DROPS_EVENTS_NOPTS };
enum drops_enable_opt { DROPS_OPT_SAMPLE_RATE, DROPS_ENABLE_NOPTS };

struct drops_row {
	struct sl_drop_key key;
	uint64_t packets, bytes;
};

/* Fold rows that agree on the fields `by` keeps (netns, reason, family,
 * plus port and/or address); sorts them. Returns the new row count. */
size_t drops_aggregate(struct drops_row *rows, size_t n, enum drops_by by);
/* JSON array of rows: netns, reason, family, [addr], [port], packets, bytes */
json_object *drops_rows_json(const struct drops_row *rows, size_t n, enum drops_by by,
			     const struct sl_enum_names *reasons);

/* "NO_SOCKET" from the kernel's BTF, or "REASON_<n>" when unnamed */
const char *drops_reason_name(const struct sl_enum_names *reasons, uint32_t reason, char *buf, size_t size);
const char *drops_family_name(uint8_t family);

/* The most recent sampled events, kept by the daemon. */
#define DROPS_RECENT 256
struct drops_recent {
	struct sl_drop_event ev[DROPS_RECENT];
	uint64_t received;  /* total taken from the ring buffer */
};

void drops_recent_push(struct drops_recent *r, const struct sl_drop_event *e);
/* up to `max` newest events of `netns` (0 = any), oldest first */
json_object *drops_recent_json(const struct drops_recent *r, uint32_t netns, unsigned max,
			       const struct sl_enum_names *reasons);

struct sl_drops_config;
/* the per-CPU event budget (events_per_window, window_ns) for `rate`
 * events/s over `ncpu` CPUs, its bursts within a quarter of the ring */
void drops_event_budget(unsigned rate, unsigned ncpu, struct sl_drops_config *cfg);
/* how many events the ring buffer holds */
unsigned drops_ring_events(void);

/* ---- the daemon module's shared internals (module.c, swap.c,
 * query.c) ---------------------------------------------------- */
#include <bpf/libbpf.h>
#include <stdbool.h>

#include "core/feature.h"

#define DROPS_DEFAULT_SAMPLE_RATE 100
#define DROPS_DEFAULT_EVENT_COUNT 20

struct drops_state {
	int enabled;
	unsigned sample_rate;   /* events per second over all CPUs */
};

enum { M_COUNTERS, M_OTHER, M_QFAIL, M_STATS, M_CONFIG, M_LIMIT, M_LAST, M_EVENTS, NMAPS };
extern const char *const drops_map_names[NMAPS];

enum { L_KFREE, L_UDPQ, NLINKS };
struct drops_link {
	const char *prog, *pin, *attach;
};
extern const struct drops_link drops_links[NLINKS];

struct drops_priv {
	int map_fd[NMAPS];      /* -1 when not open */
	int link_fd[NLINKS];    /* -1 when not attached by us */
	int prog_fd[NLINKS];    /* the programs behind them, for recursion_misses */
	struct ring_buffer *rb; /* its epoll fd is in `loop` while it is open */
	struct sl_loop *loop;
	struct sl_enum_names reasons;
	int reasons_loaded;
	struct drops_recent recent;
};

/* swap.c: pins, maps, programs */
void drops_close_fd(int *fd);
/* the ring buffer leaves the event loop before it closes */
void drops_close_maps(struct drops_priv *p);
/* every pinned map, and the ring buffer joined to env->loop */
int drops_open_maps(const struct sl_env *env, struct drops_priv *p, struct sl_error *err);
int drops_read_config(const struct sl_env *env, struct drops_priv *p, struct sl_drops_config *cfg);
int drops_write_config(struct drops_priv *p, const struct sl_drops_config *cfg, struct sl_error *err);
/* Refuse pins of another layout (core/pin.h) before anything reads them:
 * adopting reads the pinned maps without a load that would check them. */
int drops_check_pins(const struct sl_env *env, struct sl_error *err);
int drops_adoptable(const struct sl_env *env, struct drops_priv *p);
int drops_adopt(const struct sl_env *env, struct drops_priv *p, struct sl_error *err);
int drops_load_and_swap(const struct sl_env *env, struct drops_priv *p, const struct sl_drops_config *want,
			struct sl_error *err);
int drops_detach(const struct sl_env *env, struct drops_priv *p, struct sl_error *err);
/* NULL when link `i`'s program runs on this kernel, else why not */
const char *drops_link_off(int i);

/* module.c: the config commands' handlers (cmds.c), and what queries share */
sl_stage_fn drops_stage_enable, drops_stage_disable;
void drops_load_reason_names(struct drops_priv *p);
/* events.c: take every event the ring buffer holds now */
void drops_events_drain(struct drops_priv *p);
/* events.c: the ring buffer's callbacks (libbpf's, and the loop's) */
int drops_on_event(void *ctx, void *data, size_t size);
void drops_on_ring(void *arg, int fd, uint32_t events);

/* query.c: the handlers of the read commands and the reset (cmds.c), and status */
sl_query_fn drops_query_rows, drops_query_events, drops_query_stats, drops_query_reset;
json_object *drops_status(const struct sl_env *env, void *priv, const void *state);

#endif
