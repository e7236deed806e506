/* A device's sysfs files (/sys/class/net/DEV/...) in a named network
 * namespace. sysfs shows the devices of the namespace it was mounted in, so
 * each call forks a child that enters the namespace, mounts a sysfs of its
 * own in a private mount namespace, and does the one read or write there:
 * the daemon's own mounts and namespace never change.
 *
 * Writes that must be undone go through sl_netsys_set(): the value each
 * replaced is recorded first in the pinned map maps/sl_netsys_v1
 * (sluice/netsys.h), so sl_netsys_restore(), --cleanup and a restarted
 * daemon put the original back. */
#ifndef SLUICE_LIB_NETSYS_H
#define SLUICE_LIB_NETSYS_H

#include <stddef.h>

#include "common/grammar.h"
#include "sluice/netsys.h"

/* read /sys/class/net/<dev>/<rel> of `netns` ("" the daemon's own) into out
 * (its last newline cut); -1 with err naming the file (SL_E_USAGE when the
 * device is missing, SL_E_KERNEL otherwise) */
int sl_netsys_read(const char *netns, const char *dev, const char *rel, char *out, size_t size,
		   struct sl_error *err);
/* write `value` there; -1 with err carrying the kernel's errno text */
int sl_netsys_write(const char *netns, const char *dev, const char *rel, const char *value, struct sl_error *err);
/* the device's real tx queue count (its queues/tx-N directories); -1 with
 * err when the device is missing */
int sl_netsys_txqueues(const char *netns, const char *dev, struct sl_error *err);

/* Write `value`; the first write to a file records what it held (and the
 * device's tx queue count, ntxq) under pin_root before it changes it. */
int sl_netsys_set(const char *pin_root, const char *netns, const char *dev, const char *rel, const char *value,
		  int ntxq, struct sl_error *err);
/* Put the recorded original back and drop the record (also when the device
 * or its namespace is gone: nothing is left to restore); 0 without one. */
int sl_netsys_restore(const char *pin_root, const char *netns, const char *dev, const char *rel,
		      struct sl_error *err);
/* the records under pin_root, at most max; their count */
int sl_netsys_records(const char *pin_root, struct sl_netsys_key *keys, struct sl_netsys_rec *recs, int max);
/* --cleanup: every record restored and dropped */
int sl_netsys_cleanup(const char *pin_root, struct sl_error *err);

#endif
