/* Records of the sysfs files the daemon wrote (src/lib/netsys.c): for each,
 * the value it replaced, so that a del, --cleanup or a restarted daemon
 * puts the original back. */
#ifndef SLUICE_NETSYS_H
#define SLUICE_NETSYS_H

#include "sluice/types.h"

#define SL_NETSYS_MAP       sl_netsys_v1 /* HASH struct sl_netsys_key -> struct sl_netsys_rec */
#define SL_NETSYS_RECS      1024
#define SL_NETSYS_FILE_MAX  44
#define SL_NETSYS_VALUE_MAX 128

struct sl_netsys_key {
	struct sl_dev_place dev;        /* netns and device name; ifindex 0 */
	char file[SL_NETSYS_FILE_MAX];  /* below /sys/class/net/<dev>/: "queues/tx-1/xps_cpus" */
};
SL_STATIC_ASSERT(sizeof(struct sl_netsys_key) == 96, "sl_netsys_key layout");

struct sl_netsys_rec {
	char orig[SL_NETSYS_VALUE_MAX]; /* what the file held before the daemon's first write */
	char set[SL_NETSYS_VALUE_MAX];  /* what the daemon wrote last */
	__u32 ntxq;                     /* the device's tx queues then */
	__u32 pad;
};
SL_STATIC_ASSERT(sizeof(struct sl_netsys_rec) == 264, "sl_netsys_rec layout");

#endif
