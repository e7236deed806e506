/* Transmit steering: a tc egress program per device (bpf/xps.bpf.c,
 * include/sluice/xps.h) that picks a packet's tx queue by rule. It owns the
 * links links/sl_xps_d<slot> (or legacy filters at handle 0x51ce0003) and
 * the maps sl_xpsrules_v1, sl_xpscfg_v1, sl_xpsrstat_v1, sl_xpsqstat_v1,
 * sl_xpsdev_v1, sl_xpspkt_v1, and names the sets its rules match in the
 * sets' use map (lib/setref.h). This header is what its files share:
 *
 *   cmds.c    the grammar (xps add|del|list), shared with sluicectl
 *   rules.c   rules as config: from a parsed command, CPU lists and masks,
 *             identity, order, config lines, the BPF rule (no kernel)
 *   module.c  the module: state, stage, save, apply (device slots, banks,
 *             links), release
 *   query.c   xps list and status
 */
#ifndef SLUICE_FEATURES_XPS_H
#define SLUICE_FEATURES_XPS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "lib/attach.h"
#include "sluice/xps.h"

/* the option slots of xps add/del (cmds.c lays its table out by them) */
enum xps_rule_opt {
	XPS_OPT_DEV,
	XPS_OPT_NETNS,
	XPS_OPT_PRIO,
	XPS_OPT_CPU,
	XPS_OPT_CGROUP,
	XPS_OPT_MARK,
	XPS_OPT_ALL,
	XPS_OPT_MATCH_SET,
	XPS_OPT_QUEUE,
	XPS_RULE_NOPTS,
};

/* the option slots of xps cpus / xps del cpus */
enum xps_map_opt { XPS_MOPT_DEV, XPS_MOPT_NETNS, XPS_MOPT_QUEUE, XPS_MOPT_CPUS, XPS_MAP_NOPTS };

#define XPS_DEFAULT_PRIO 100
#define XPS_NETNS_MAX    32
#define XPS_DEV_MAX      16
#define XPS_CGROUP_MAX   128
#define XPS_RULES_MAX    128    /* rules the daemon keeps, all devices */

struct xps_rule_cfg {
	char netns[XPS_NETNS_MAX];      /* "" = the daemon's own */
	char dev[XPS_DEV_MAX];
	uint32_t prio;
	uint8_t sel;                    /* enum sl_xps_sel */
	uint32_t queue;
	__u64 cpus[SL_XPS_CPU_WORDS];
	uint32_t mark, mask;
	char cgroup[XPS_CGROUP_MAX];    /* "/a/b"; "" the root */
	char set[32];                   /* match-set SET DIRS: the set */
	uint8_t ndirs, src_dims;        /* and its directions (common/set_name.h) */
	uint32_t seq;                   /* order added: ties in prio */
};

/* xps cpus: the kernel's XPS map of one tx queue */
#define XPS_MAPS_MAX 64
struct xps_map_cfg {
	char netns[XPS_NETNS_MAX];
	char dev[XPS_DEV_MAX];
	uint32_t queue;
	__u64 cpus[SL_XPS_CPU_WORDS];
};

struct xps_state {
	int n;
	uint32_t next_seq;
	struct xps_rule_cfg rule[XPS_RULES_MAX];
	int nmaps;
	struct xps_map_cfg map[XPS_MAPS_MAX];
};

enum { XPS_GIVEN_PRIO = 1, XPS_GIVEN_QUEUE = 2 };

/* rules.c. "0-3,8": CPUs below ncpus into cpus[]; -1 with err at col */
int xps_cpulist_parse(const char *text, int ncpus, __u64 cpus[SL_XPS_CPU_WORDS], int col, struct sl_error *err);
/* "0-3,8" back */
void xps_cpulist_format(const __u64 cpus[SL_XPS_CPU_WORDS], char *out, size_t size);
/* a sysfs CPU mask ("00000000,0000000f") into cpus[]; -1 when it is not one */
int xps_cpumask_parse(const char *text, __u64 cpus[SL_XPS_CPU_WORDS]);
/* dev IFACE [netns NAME], checked, into a rule's or a map's fields */
int xps_place_from(const struct sl_value *dev, const struct sl_value *netns, char out_dev[XPS_DEV_MAX],
		   char out_netns[XPS_NETNS_MAX], struct sl_error *err);
/* a parsed xps add/del into a rule (CPUs checked against ncpus); -1 with err */
int xps_rule_from_cmd(const struct sl_cmd *cmd, int ncpus, struct xps_rule_cfg *r, unsigned *given,
		      struct sl_error *err);
/* the same packets: netns, dev and selector (prio and queue are what it does) */
bool xps_rule_same_match(const struct xps_rule_cfg *a, const struct xps_rule_cfg *b);
int xps_state_add(struct xps_state *s, const struct xps_rule_cfg *r, struct sl_error *err);
int xps_state_del(struct xps_state *s, const struct xps_rule_cfg *r, unsigned given, struct sl_error *err);
/* the rules' indices in match order: prio, then the order added */
void xps_state_order(const struct xps_state *s, int order[XPS_RULES_MAX]);
/* "dev veth0 netns blue prio 10 cpu 0-1 queue 2": the words after xps add */
void xps_rule_words(const struct xps_rule_cfg *r, char *out, size_t size);
void xps_save_state(const struct xps_state *s, FILE *out);
/* the rule the program reads (cgroup_id and level filled by the caller) */
void xps_rule_compile(const struct xps_rule_cfg *r, uint32_t id, struct sl_xps_rule *out);
/* the CPUs whose packets the rule may select (every CPU but for `cpu`) */
void xps_rule_cpus(const struct xps_rule_cfg *r, __u64 cpus[SL_XPS_CPU_WORDS]);

/* a parsed xps cpus / xps del cpus into a map entry; -1 with err */
int xps_map_from_cmd(const struct sl_cmd *cmd, int ncpus, struct xps_map_cfg *m, struct sl_error *err);
/* set (replacing the queue's entry) and del (refused when there is none);
 * a map whose CPUs a rule of the device selects is refused: the kernel
 * would take those packets from the rule */
int xps_state_map_set(struct xps_state *s, const struct xps_map_cfg *m, struct sl_error *err);
int xps_state_map_del(struct xps_state *s, const struct xps_map_cfg *m, struct sl_error *err);
/* a rule whose CPUs one of the device's maps covers is refused, for the same reason */
int xps_state_rule_clear(const struct xps_state *s, const struct xps_rule_cfg *r, struct sl_error *err);
/* "dev veth0 netns blue queue 1 cpus 0-1": the words after xps cpus */
void xps_map_words(const struct xps_map_cfg *m, char *out, size_t size);
/* the value for xps_cpus: "00000003" (32-bit groups, comma-separated) */
void xps_cpumask_format(const __u64 cpus[SL_XPS_CPU_WORDS], char *out, size_t size);

/* --- the daemon's module (module.c, query.c) ------------------------------ */
/* the feature's maps, and the sets' directory and use map (lib/setref.h) */
enum xps_map { XM_RULES, XM_CONFIG, XM_RSTATS, XM_QSTATS, XM_DEV, XM_SETDIR, XM_SETUSE, XM_COUNT };

struct xps_dev {
	bool used;
	char netns[XPS_NETNS_MAX], dev[XPS_DEV_MAX];
	int ntxq;
	struct sl_att att;
	int prog_fd;
};

struct xps_priv {
	struct bpf_object *base;        /* the pinned maps */
	int map_fd[XM_COUNT];
	const char *pin_root;
	struct xps_dev dev[SL_XPS_DEVS];
	uint32_t id[XPS_RULES_MAX];     /* the applied rules' ids, by rule index */
	int slot[XPS_RULES_MAX];        /* the applied rules' device slots */
	struct xps_state applied;
};

/* maps.c: the kernel's XPS maps as the state has them (sl_netsys_set), and
 * the originals back for those it no longer has; checked first */
int xps_maps_check(const struct xps_state *s, struct sl_error *err);
int xps_maps_apply(const struct sl_env *env, const struct xps_state *s, struct sl_error *err);
json_object *xps_maps_json(const struct sl_env *env, const struct xps_state *s);
/* the originals back on a device whose queue count changed, every second */
extern const char *const xps_map_names[XM_COUNT]; /* as pinned, by enum xps_map */
extern const struct sl_feature_timer xps_timers[];

/* the kernel's XPS on the device: the CPUs its xps_cpus maps cover (any
 * xps_rxqs map counts as all of them), and a description; -1 with err */
int xps_kernel_cover(const char *netns, const char *dev, int ntxq, __u64 cpus[SL_XPS_CPU_WORDS], char *what,
		     size_t size, struct sl_error *err);

sl_stage_fn xps_stage_add, xps_stage_del, xps_stage_cpus, xps_stage_del_cpus;
sl_query_fn xps_query_list;
json_object *xps_status(const struct sl_env *env, void *priv, const void *state);

#endif
