/* The cgroup v2 hierarchy, where cgroup BPF programs attach. */
#ifndef SLUICE_LIB_CGROUP_H
#define SLUICE_LIB_CGROUP_H

#include <stddef.h>

#include "common/grammar.h"

/* Where the cgroup v2 root is mounted: /sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified beside v1 controllers (the first cgroup2 mount in
 * /proc/self/mounts). -1 with err when there is none. */
int sl_cgroup2_root(char *out, size_t size, struct sl_error *err);

#endif
