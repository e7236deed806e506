/* How a program is attached, as pinned records (sl_hook_meta.mode) store
 * it, and the record of a legacy tc filter. Numbers are never reused. */
#ifndef SLUICE_ATTACH_MODE_H
#define SLUICE_ATTACH_MODE_H

#include "sluice/types.h"

enum sl_attach_mode {
	SL_ATTACH_NONE = 0,
	SL_ATTACH_XDP_NATIVE = 1,
	SL_ATTACH_XDP_GENERIC = 2,
	SL_ATTACH_TCX = 3,
	SL_ATTACH_TC = 4,       /* cls_bpf filter on a clsact qdisc (no tcx: before 6.6) */
};

/* Where sluice's legacy tc filters sit on a clsact hook (ingress or egress):
 * one priority ("pref" in `tc filter show`) for all of them, and a handle
 * per feature, so a feature's filter is found again at its place and two
 * features share a device's hook. Chosen far from what operators and tc
 * pick themselves (tc numbers filters added without `prio` from 49152
 * down; handles of cls_bpf filters added without one count up from 1). */
#define SL_TC_PRIORITY    0x51ce        /* pref 20942 */
#define SL_TC_HANDLE_BASE 0x51ce0000u
enum sl_tc_owner {
	SL_TC_OWNER_SETS = 1,   /* handle 0x51ce0001: sets egress rules */
	SL_TC_OWNER_MCAST = 2,  /* handle 0x51ce0002: bridge multicast, both hooks */
	SL_TC_OWNER_XPS = 3,    /* handle 0x51ce0003: transmit steering, egress */
	SL_TC_OWNER_SCTP = 4,   /* handle 0x51ce0004: SCTP association tracking, egress */
};

/* Map SL_TC_FILTERS_MAP (maps/sl_tc_filters_v1): every legacy filter the
 * daemon made, keyed by the name its link would be pinned under, so a
 * restart adopts it and --cleanup detaches exactly these (and only while
 * they still run the recorded program). */
#define SL_TC_FILTERS_MAP sl_tc_filters_v1
#define SL_TC_FILTERS_MAX 4096
#define SL_ATT_NAME_MAX   48

struct sl_tc_name {
	char name[SL_ATT_NAME_MAX];
};
SL_STATIC_ASSERT(sizeof(struct sl_tc_name) == 48, "sl_tc_name layout");

struct sl_tc_filter {
	struct sl_dev_place dev;        /* netns name, device, ifindex in that netns */
	__u32 handle;
	__u32 prog_id;                  /* the program the filter runs */
	__u16 priority;
	__u8 egress;
	__u8 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_tc_filter) == 64, "sl_tc_filter layout");

#endif
