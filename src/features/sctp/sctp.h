/* SCTP multihoming: an XDP ingress and a tc egress program on each tracked
 * device (bpf/sctp.bpf.c, include/sluice/sctp.h) that follow associations
 * by their verification tags across every address they announce. It owns
 * the links links/sl_sctp_d<slot>i and ...e (or a legacy egress filter at
 * handle 0x51ce0004) and the maps sl_sctp_assoc_v1, sl_sctp_tag_v1,
 * sl_sctp_stat_v1, sl_sctp_dev_v1, sl_sctp_scr_v1, sl_sctp_pol_v1; a policy
 * names a set of the sets feature (lib/setref.c: its directory, and the use
 * map where sctp says which sets it names). This header is what its
 * files share:
 *
 *   cmds.c    the grammar (sctp track|untrack|policy|timeout|assoc), shared with sluicectl
 *   config.c  the state as config: devices, their policies, the idle timeout, save (no kernel)
 *   module.c  the module: device slots and zones, programs, apply, release,
 *             the idle sweep
 *   query.c   sctp assoc and status
 *   names.c   counter and state names (the one table)
 */
#ifndef SLUICE_FEATURES_SCTP_H
#define SLUICE_FEATURES_SCTP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "common/set_name.h"
#include "lib/attach.h"
#include "sluice/sctp.h"

/* option slots of sctp track / untrack / policy */
enum sctp_dev_opt { SCTP_OPT_DEV, SCTP_OPT_NETNS, SCTP_OPT_ALLOW_SET, SCTP_DEV_NOPTS };
/* of sctp assoc */
enum sctp_assoc_opt { SCTP_AOPT_NETNS, SCTP_ASSOC_NOPTS };

#define SCTP_NETNS_MAX       32
#define SCTP_DEV_MAX         16
#define SCTP_TIMEOUT_DEFAULT 300    /* seconds an association may stay idle */
#define SCTP_TIMEOUT_MAX     864000 /* ten days */

struct sctp_dev_cfg {
	char netns[SCTP_NETNS_MAX];     /* "" = the daemon's own */
	char dev[SCTP_DEV_MAX];
	char set[SL_SET_NAME_MAX + 1];  /* sctp policy ... allow-set SET; "" none */
};

struct sctp_state {
	int n;
	struct sctp_dev_cfg dev[SL_SCTP_DEVS];
	uint32_t timeout_s;
};

/* config.c */
int sctp_dev_from_cmd(const struct sl_cmd *cmd, struct sctp_dev_cfg *d, struct sl_error *err);
/* index of the device in the state; -1 */
int sctp_state_find(const struct sctp_state *s, const char *netns, const char *dev);
void sctp_state_init(void *st);
void sctp_save_state(const struct sctp_state *s, FILE *out);
sl_stage_fn sctp_stage_track, sctp_stage_untrack, sctp_stage_timeout, sctp_stage_policy, sctp_stage_policy_del;

/* --- the daemon's module (module.c, query.c) ------------------------------ */
enum sctp_map { SCM_ASSOC, SCM_TAG, SCM_STATS, SCM_DEV, SCM_POLICY, SCM_SETDIR, SCM_SETUSE, SCM_COUNT };

struct sctp_devp {
	bool used;
	char netns[SCTP_NETNS_MAX], dev[SCTP_DEV_MAX];
	uint32_t zone;
	uint32_t pol_ifindex;           /* its entry in sl_sctp_pol_v1; 0: none */
	struct sl_att xdp, tc;
};

/* one program load per network namespace: its zone in read-only data */
struct sctp_zone {
	int xdp_fd, tc_fd;              /* -1: not loaded by this daemon */
};

struct sctp_priv {
	struct bpf_object *base;        /* the pinned maps */
	int map_fd[SCM_COUNT];
	const char *pin_root;
	struct sctp_devp dev[SL_SCTP_DEVS];
	struct sctp_zone zone[SL_SCTP_ZONES];
	struct sctp_state applied;
};

extern const char *const sctp_map_names[SCM_COUNT];
/* links/sl_sctp_d<slot>i (XDP ingress) or ...e (tc egress) */
void sctp_link_name(int slot, bool egress, char *out, size_t size);
/* the zone of a namespace a device slot has; -1 */
int sctp_zone_of(const struct sctp_priv *p, const char *netns);
/* the namespace of a zone ("" the daemon's own); NULL when no slot has it */
const char *sctp_zone_netns(const struct sctp_priv *p, uint32_t zone);

sl_query_fn sctp_query_assoc;
json_object *sctp_status(const struct sl_env *env, void *priv, const void *state);

/* names.c: "unknown_tag"; "?" past the table */
const char *sctp_counter_name(unsigned c);
/* the counter a name names; -1 */
int sctp_counter_value(const char *name);
/* "established" */
const char *sctp_state_name(unsigned s);

#endif
