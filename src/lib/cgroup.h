/* The cgroup v2 hierarchy, where cgroup BPF programs attach. */
#ifndef SLUICE_LIB_CGROUP_H
#define SLUICE_LIB_CGROUP_H

#include <stddef.h>

#include "common/grammar.h"

/* Where the cgroup v2 root is mounted: /sys/fs/cgroup on a unified host,
 * /sys/fs/cgroup/unified beside v1 controllers (the first cgroup2 mount in
 * /proc/self/mounts). -1 with err when there is none. */
int sl_cgroup2_root(char *out, size_t size, struct sl_error *err);

/* A cgroup by its path as /proc/PID/cgroup names it ("/a/b", "" or "/"
 * for the root), under the v2 root mounted at `mount`: its id (the inode
 * number of its directory, as BPF's cgroup ids are) in ids[level], and the
 * ids of its ancestors in ids[0..level-1] (the root's is ids[0]); *level
 * is its depth below the root. At most `max_level` deep. -1 with err
 * (SL_E_USAGE) when it is missing or deeper. */
#include <stdint.h>
int sl_cgroup_resolve(const char *mount, const char *path, int max_level, uint64_t ids[], int *level,
		      struct sl_error *err);

/* A cgroup path as a rule names it, in one canonical form so that del and
 * save find it again: "/a/b", trailing slashes cut, "/" becomes "" (the
 * root). -1 when it is not one (no '/' first, '.', '..', '//', blanks,
 * quotes, '#', backslash, bad UTF-8) or does not fit in `size`. */
int sl_cgroup_canon(const char *path, char *out, size_t size);

/* The distinct cgroup paths of n rules, the first at `first` and each
 * `stride` bytes after the one before, into out[] (each `out_size`
 * bytes), at most max; their count, or -1 when there are more. */
int sl_cgroup_distinct(const char *first, size_t stride, int n, char *out, size_t out_size, int max);

#endif
