/* Transmit steering (XPS as BPF): what bpf/xps.bpf.c and the daemon's xps
 * module (src/features/xps/) share.
 *
 * A tc egress program on a device picks the first rule, in bank order
 * (prio, then the order added), whose selector matches the packet, and
 * writes skb->queue_mapping = queue + 1. On the kernels measured (6.18)
 * that is read by skb_tx_hash() as a recorded receive queue plus one, so
 * the packet leaves on tx queue `queue`, unless a kernel XPS map covers the
 * sending CPU or the socket keeps another queue cached (README, "Transmit
 * steering"). With no match, queue_mapping is left alone.
 *
 * One program load per device, its device slot in read-only data. Each
 * slot's rules live in two banks of SL_XPS_RULES; the daemon writes the bank
 * not in use, then flips `bank` in the slot's config with one update, so
 * every packet sees the old rules or the new ones. Counters are per CPU:
 * per rule id (a rule keeps its id across banks) and per tx queue. */
#ifndef SLUICE_XPS_H
#define SLUICE_XPS_H

#include "sluice/sets.h"
#include "sluice/types.h"

#define SL_XPS_DEVS       16    /* devices with rules at once */
#define SL_XPS_RULES      1024  /* rules per device (a bank) */
#define SL_XPS_QUEUES     64    /* tx queues counted per device */
#define SL_XPS_CPU_WORDS  4     /* CPUs a selector names: 0..255 */
#define SL_XPS_CPUS       (64 * SL_XPS_CPU_WORDS)
#define SL_XPS_CG_LEVELS  16    /* cgroup levels below the root a rule names */

#define SL_XPS_RULES_MAP   sl_xpsrules_v1 /* ARRAY[DEVS * 2 * RULES] of struct sl_xps_rule */
#define SL_XPS_CONFIG_MAP  sl_xpscfg_v1   /* ARRAY[DEVS] of struct sl_xps_config */
#define SL_XPS_RSTATS_MAP  sl_xpsrstat_v1 /* PERCPU_ARRAY[DEVS * RULES] of __u64 packets, by rule id */
#define SL_XPS_QSTATS_MAP  sl_xpsqstat_v1 /* PERCPU_ARRAY[DEVS * QUEUES] of __u64 packets steered */
#define SL_XPS_DEV_MAP     sl_xpsdev_v1   /* ARRAY[DEVS] of struct sl_xps_dev: where each slot is */
#define SL_XPS_SCRATCH_MAP sl_xpspkt_v1   /* PERCPU_ARRAY[1]: the packet parsed for match-set rules */

/* the program's link on slot N's device: links/<this>N */
#define SL_XPS_LINK_PREFIX "sl_xps_d"

enum sl_xps_sel {
	SL_XPS_SEL_ALL = 0,     /* every packet */
	SL_XPS_SEL_CPU = 1,     /* sent from a CPU in `cpus` */
	SL_XPS_SEL_CGROUP = 2,  /* its socket's cgroup v2 is `cgroup_id` or below it */
	SL_XPS_SEL_MARK = 3,    /* (skb->mark & mark_mask) == mark */
	SL_XPS_SEL_SET = 4,     /* the sets feature's set `set` matches it in directions `dims` */
};

struct sl_xps_rule {
	__u8 sel;               /* enum sl_xps_sel */
	__u8 dims;              /* SEL_SET: bit i, dimension i from the source (ipset's src,dst) */
	__u8 pad[2];
	__u32 queue;            /* the tx queue it leaves on */
	__u32 id;               /* its counter's row in the slot */
	__u32 cgroup_level;     /* SEL_CGROUP: the level of cgroup_id (root: 0) */
	__u64 cgroup_id;        /* SEL_CGROUP: the cgroup (its inode number) */
	__u32 mark, mark_mask;  /* SEL_MARK */
	union {
		__u64 cpus[SL_XPS_CPU_WORDS]; /* SEL_CPU: bit c of word c / 64 */
		struct sl_set_name set;       /* SEL_SET: found by name in the sets' directory */
	};
};
SL_STATIC_ASSERT(sizeof(struct sl_xps_rule) == 64, "sl_xps_rule layout");

struct sl_xps_config {
	__u32 bank;             /* 0 or 1: the bank the program reads */
	__u32 nrules[2];        /* rules in each bank */
	__u32 cg_levels;        /* deepest cgroup level a rule names, + 1 (0: none) */
};
SL_STATIC_ASSERT(sizeof(struct sl_xps_config) == 16, "sl_xps_config layout");

/* where a slot's program is attached, for a restarted daemon */
struct sl_xps_dev {
	struct sl_dev_place dev;
	__u32 used;
	__u32 ntxq;             /* the device's real tx queue count when attached */
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_xps_dev) == 64, "sl_xps_dev layout");

static __always_inline bool sl_xps_cpu_in(const __u64 cpus[SL_XPS_CPU_WORDS], __u32 cpu)
{
	if (cpu >= SL_XPS_CPUS)
		return false;
	return (cpus[cpu / 64] >> (cpu % 64)) & 1;
}

#endif
