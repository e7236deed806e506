/* TCP initial windows as policy: a new connection's initial congestion
 * window (initcwnd) and initial receive window (initrwnd), per network
 * namespace and remote prefix, set by one sockops program on the cgroup v2
 * root (bpf/tcp.bpf.c, include/sluice/tcp.h). It owns that program's
 * cgroup link (links/sl_tcp_root) and the maps sl_tcprules_v1,
 * sl_tcpcfg_v1 and sl_tcpstat_v1. This header is what its files share:
 *
 *   cmds.c    the grammar (tcp add|del|list) with each command's handler,
 *             shared with sluicectl
 *   rules.c   rules as config: from a parsed command, order, identity,
 *             config lines, the BPF rule they compile to (no kernel)
 *   module.c  the module: state, stage, save, apply (the link, the rule
 *             banks), release
 *   cc.c      sluice's own congestion control (bpf/tcp_cc.bpf.c), registered
 *             through struct_ops while a rule names it
 *   query.c   tcp list and status
 */
#ifndef SLUICE_FEATURES_TCP_H
#define SLUICE_FEATURES_TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "sluice/tcp.h"

/* The option slots of tcp add/del (cmds.c lays its table out by them; the
 * daemon reads cmd->opt[TCP_OPT_PRIO]). Keywords, as the issue writes them. */
enum tcp_rule_opt {
	TCP_OPT_NETNS,
	TCP_OPT_CGROUP,
	TCP_OPT_PRIO,
	TCP_OPT_DST,
	TCP_OPT_MATCH_SET,
	TCP_OPT_INITCWND,
	TCP_OPT_INITRWND,
	TCP_OPT_CC,
	TCP_RULE_NOPTS,
};

#define TCP_DEFAULT_PRIO 100
#define TCP_NETNS_MAX 32
#define TCP_CGROUP_MAX 256
/* programs attached at once: one per cgroup the rules name, and the root */
#define TCP_LINKS_MAX 16

struct tcp_rule_cfg {
	char netns[TCP_NETNS_MAX];      /* from `ip netns`; "" = the daemon's own */
	char cgroup[TCP_CGROUP_MAX];    /* "/a/b" below the cgroup v2 root; "" = any */
	uint32_t prio;
	bool has_dst;
	uint8_t family;                 /* SL_FAMILY_*, with has_dst */
	uint8_t prefix_len;
	uint8_t addr[16];               /* network order, host bits zero */
	char set[32];                   /* match-set SET dst; "": none */
	uint32_t initcwnd, initrwnd;    /* segments; 0: not set */
	char cc[SL_TCP_CC_MAX];         /* congestion control; "": not set */
	uint32_t seq;                   /* order added: ties in prio */
};

struct tcp_state {
	int n;
	uint32_t next_seq;
	struct tcp_rule_cfg rule[SL_TCP_RULES];
};

/* which of prio/initcwnd/initrwnd a command gave (tcp del checks them) */
enum { TCP_GIVEN_PRIO = 1, TCP_GIVEN_CWND = 2, TCP_GIVEN_RWND = 4, TCP_GIVEN_CC = 8 };

/* rules.c: a parsed tcp add/del into a rule; -1 with err at the word */
int tcp_rule_from_cmd(const struct sl_cmd *cmd, struct tcp_rule_cfg *r, unsigned *given, struct sl_error *err);
/* the same connections: netns, cgroup and dst (prio and windows are what
 * it does) */
bool tcp_rule_same_match(const struct tcp_rule_cfg *a, const struct tcp_rule_cfg *b);
/* add (refused when a rule of the same match exists, or the table is full)
 * and del (refused when none is, or a given prio/window differs) */
int tcp_state_add(struct tcp_state *s, const struct tcp_rule_cfg *r, int col, struct sl_error *err);
int tcp_state_del(struct tcp_state *s, const struct tcp_rule_cfg *r, unsigned given, int col,
		  struct sl_error *err);
/* the rules' indices in match order: prio, then the order added */
void tcp_state_order(const struct tcp_state *s, int order[SL_TCP_RULES]);
/* "netns blue prio 10 dst 10.0.0.0/8 initcwnd 10": the words after tcp add */
void tcp_rule_words(const struct tcp_rule_cfg *r, char *out, size_t size);
void tcp_save_state(const struct tcp_state *s, FILE *out);
/* the rule the program reads */
void tcp_rule_compile(const struct tcp_rule_cfg *r, uint64_t netns_cookie, uint32_t id, struct sl_tcp_rule *out);
/* `name` is in `available` (the kernel's list: names apart by blanks) */
bool tcp_cc_available(const char *available, const char *name);

/* the distinct cgroups of the rules ("" for rules without one), at most
 * max; their count, or -1 when there are more */
int tcp_state_cgroups(const struct tcp_state *s, char out[][TCP_CGROUP_MAX], int max);

/* --- the daemon's module (module.c, query.c) ------------------------------ */
/* the feature's maps, and the sets' directory and use map (lib/setref.h) */
enum tcp_map { TM_RULES, TM_CONFIG, TM_STATS, TM_MARK, TM_SETDIR, TM_SETUSE, TM_COUNT };
extern const char *const tcp_map_names[TM_COUNT];

/* the program on one cgroup: links/sl_tcp_cg_<id> */
struct tcp_link {
	char cgroup[TCP_CGROUP_MAX];    /* "" = the root */
	uint64_t id;
	int link_fd, prog_fd;
};

struct tcp_priv {
	struct bpf_object *base;        /* the pinned maps */
	int map_fd[TM_COUNT];
	int nlinks;
	struct tcp_link link[TCP_LINKS_MAX];
	char cgroup_root[256];          /* where cgroup v2 is mounted */
	int cc_fd;                      /* sluice's own cc: its link, or (6.1) its
					 * registered map; -1 when not registered */
	bool cc_link;
	/* the rule ids of the applied state, by rule index */
	uint32_t id[SL_TCP_RULES];
	struct tcp_state applied;
	bool has_applied;
};

/* cc.c: sluice's own congestion control registered (a reload replaces
 * it), or unregistered */
int tcp_cc_ensure(const struct sl_env *env, struct tcp_priv *p, bool replace, struct sl_error *err);
void tcp_cc_drop(const struct sl_env *env, struct tcp_priv *p);
/* a daemon (this one or one before) registered it under this pin root */
bool tcp_cc_pinned(const struct sl_env *env);

/* the kernel has what the feature needs; else NULL and why */
const char *tcp_kernel_off(void);

sl_stage_fn tcp_stage_add, tcp_stage_del;
sl_query_fn tcp_query_list;
json_object *tcp_status(const struct sl_env *env, void *priv, const void *state);

#endif
