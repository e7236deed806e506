/* A device's sysfs files (/sys/class/net/DEV/...) in a named network
 * namespace. sysfs shows the devices of the namespace it was mounted in, so
 * each call forks a child that enters the namespace, mounts a sysfs of its
 * own in a private mount namespace, and does the one read or write there:
 * the daemon's own mounts and namespace never change. */
#ifndef SLUICE_LIB_NETSYS_H
#define SLUICE_LIB_NETSYS_H

#include <stddef.h>

#include "common/grammar.h"

#define SL_NETSYS_VALUE_MAX 256

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

#endif
