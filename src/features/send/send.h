/* Per-message policy on sends: cgroup sock_addr programs (sendmsg4/6,
 * connect4/6, recvmsg4/6; bpf/send.bpf.c, include/sluice/send.h) that
 * allow, deny, count or rewrite each message by its destination, per
 * network namespace and cgroup. Files:
 *
 *   cmds.c    the grammar (send add|del|list) with each command's handler,
 *             shared with sluicectl
 *   rules.c   rules as config: from a parsed command, identity, overlap,
 *             order, config lines, the BPF rule they compile to (no kernel)
 *   module.c  the module: state, stage, save, apply (links, rule banks),
 *             release
 *   query.c   send list and status
 */
#ifndef SLUICE_FEATURES_SEND_H
#define SLUICE_FEATURES_SEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "sluice/send.h"

/* the option slots of send add/del (cmds.c lays its table out by them) */
enum send_rule_opt {
	SEND_OPT_NETNS,
	SEND_OPT_CGROUP,
	SEND_OPT_PRIO,
	SEND_OPT_DST,
	SEND_OPT_MATCH_SET,
	SEND_OPT_ACTION,
	SEND_RULE_NOPTS,
};
/* the positional slot: rewrite's ADDR[:PORT] after `action rewrite` */
enum { SEND_ARG_TO };

#define SEND_DEFAULT_PRIO 100
#define SEND_NETNS_MAX 32
#define SEND_CGROUP_MAX 256
/* cgroups the rules may name at once (the root included) */
#define SEND_CGROUPS_MAX 16
/* the hooks a cgroup gets, one program and link each */
#define SEND_HOOKS 8

struct send_rule_cfg {
	char netns[SEND_NETNS_MAX];     /* from `ip netns`; "" = the daemon's own */
	char cgroup[SEND_CGROUP_MAX];   /* "/a/b" below the cgroup v2 root; "" = any */
	uint32_t prio;
	uint8_t family;                 /* SL_FAMILY_* */
	uint8_t prefix_len;
	uint8_t action;                 /* enum sl_send_action */
	uint8_t addr[16];               /* network order, host bits zero */
	uint16_t port;                  /* host order; 0: any */
	char set[32];                   /* match-set SET ...: instead of a dst; "": none */
	bool set_port;                  /* ... dst,dst (address and port) */
	uint8_t to_addr[16];            /* rewrite: network order */
	uint16_t to_port;               /* rewrite: host order; 0: keep */
	uint32_t seq;                   /* order added: ties in prio */
};

struct send_state {
	int n;
	uint32_t next_seq;
	struct send_rule_cfg rule[SL_SEND_RULES];
};

/* which of prio/action a command gave (send del checks them) */
enum { SEND_GIVEN_PRIO = 1, SEND_GIVEN_ACTION = 2 };

/* rules.c */
/* "10.0.0.0/8", "10.0.0.1:53", "10.0.0.0/8:53", "2001:db8::/32",
 * "[2001:db8::/32]:53" (IPv6 with a port in brackets); host bits zero.
 * `prefix` false: an address alone (rewrite). -1 with err at col. */
int send_parse_dst(const char *text, bool prefix, int col, const char *what, uint8_t *family, uint8_t addr[16],
		   uint8_t *len, uint16_t *port, struct sl_error *err);
/* "10.0.0.0/8:53", "[2001:db8::/32]:53": the form send_parse_dst reads */
void send_dst_str(uint8_t family, const uint8_t addr[16], int len, uint16_t port, char *out, size_t size);
int send_rule_from_cmd(const struct sl_cmd *cmd, struct send_rule_cfg *r, unsigned *given, struct sl_error *err);
/* the same messages: netns, cgroup, dst (prefix and port) */
bool send_rule_same_match(const struct send_rule_cfg *a, const struct send_rule_cfg *b);
/* some message matches both, and which wins is only the order added */
bool send_rule_overlap(const struct send_rule_cfg *a, const struct send_rule_cfg *b);
int send_state_add(struct send_state *s, const struct send_rule_cfg *r, struct sl_error *err);
int send_state_del(struct send_state *s, const struct send_rule_cfg *r, unsigned given, struct sl_error *err);
void send_state_order(const struct send_state *s, int order[SL_SEND_RULES]);
void send_rule_words(const struct send_rule_cfg *r, char *out, size_t size);
void send_save_state(const struct send_state *s, FILE *out);
void send_rule_compile(const struct send_rule_cfg *r, uint64_t netns_cookie, uint32_t id, struct sl_send_rule *out);
/* the distinct cgroups of the rules ("" for rules without one), at most
 * max; their count, or -1 when there are more */
int send_state_cgroups(const struct send_state *s, char out[][SEND_CGROUP_MAX], int max);
extern const char *const send_action_names[];

/* --- the daemon's module (module.c, query.c) ------------------------------ */
/* the feature's maps, and the sets' directory and use map (lib/setref.h) */
enum send_map { SNDM_RULES, SNDM_CONFIG, SNDM_STATS, SNDM_MARK, SNDM_ORIG, SNDM_MEMO, SNDM_SETDIR, SNDM_SETUSE, SNDM_COUNT };
extern const char *const send_map_names[SNDM_COUNT];

/* one cgroup's programs: links/sl_send_cg_<hook>_<id> */
struct send_cg {
	char cgroup[SEND_CGROUP_MAX];   /* "" = the root */
	uint64_t id;
	int link_fd[SEND_HOOKS];
};

struct send_priv {
	struct bpf_object *base;        /* the pinned maps */
	int map_fd[SNDM_COUNT];
	int ncg;
	struct send_cg cg[SEND_CGROUPS_MAX];
	char cgroup_root[256];
	uint32_t id[SL_SEND_RULES];     /* rule ids of the applied state, by index */
	struct send_state applied;
	bool has_applied;
};

sl_stage_fn send_stage_add, send_stage_del;
sl_query_fn send_query_list;
json_object *send_status(const struct sl_env *env, void *priv, const void *state);
/* the hook names as links and status show them, by program index */
extern const char *const send_hook_names[SEND_HOOKS];

#endif
