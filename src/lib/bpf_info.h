/* Read-only views of loaded BPF objects for status replies. */
#ifndef SLUICE_BPF_INFO_H
#define SLUICE_BPF_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* Identity of an embedded BPF object (FNV-1a of its ELF bytes): a daemon
 * adopts pinned programs only when they came from the same object. */
uint64_t sl_object_id(const void *data, size_t len);

/* Every key of a map, as one malloc'ed array of *n keys of the map's key
 * size (a snapshot: safe to delete from the map while walking it). NULL
 * on error; an empty map gives a valid pointer and *n == 0. */
void *sl_map_keys(int fd, size_t *n);
/* Delete every key of a map for which keep(key, ctx) is false, walking a
 * snapshot of the keys (sl_map_keys): a hash map's order may change under
 * a delete. 0, or -1 with errno (a key already gone is not an error). */
int sl_map_prune(int fd, bool (*keep)(const void *key, void *ctx), void *ctx);
/* Number of keys in a hash map. */
long sl_map_count(int fd);

/* {"name","id","pin","entries","max_entries"} for a map fd */
json_object *sl_map_status(int fd, const char *pin);
/* a feature's maps for its status entry: sl_map_status of each fds[i]
 * that is open, pinned as names[i] under pin_root's maps */
json_object *sl_maps_status(const char *pin_root, const char *const names[], const int fds[], int n);
/* {"program","prog_id","link_id","attach","pin","recursion_misses"} for a
 * link fd and its program's fd (-1 if not held) */
json_object *sl_link_status(int fd, int prog_fd, const char *program, const char *attach, const char *pin);
/* {"program","attach","off"}: a program the running kernel cannot run,
 * with why (lib/kernel.h's sl_kcap_needs) */
json_object *sl_prog_off_status(const char *program, const char *attach, const char *why);

/* fd of the program behind a link (needs CAP_SYS_ADMIN: call before
 * capabilities are dropped); -1 on failure */
int sl_link_prog_fd(int link_fd);
/* Runs the kernel skipped because the program was already running on that
 * CPU (a tracepoint hit again from an interrupt). -1 when unknown. */
int64_t sl_prog_recursion_misses(int prog_fd);

/* the device an XDP or tcx link is on; 0 once the device went away */
uint32_t sl_link_ifindex(int link_fd);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(), for expiry times */
uint64_t sl_ktime_ns(void);
/* id of a link, or 0 */
uint32_t sl_link_id(int link_fd);
/* id of a program, or 0 */
uint32_t sl_prog_id(int prog_fd);
/* Add `value` to CPU 0's slot of per-CPU __u64 `key` (userspace-owned
 * slots of a per-CPU stats array). */
int sl_percpu_add(int fd, const void *key, uint64_t value);

/* Zero `key` of a per-CPU map on every CPU (values of `value_size`). */
int sl_percpu_zero(int fd, const void *key, size_t value_size);

/* Sum over CPUs of the per-CPU value at `key`, a struct of `size` bytes
 * made only of __u64 counters, into `sum` (zeroed first). The map's value
 * size must be that struct's (rounded up to 8, as the kernel lays per-CPU
 * values out): anything else is refused (-1, errno EINVAL, logged with the
 * map's name), never read with the wrong stride. Use SL_PERCPU_SUM. */
int sl_percpu_sum_sized(int fd, const void *key, void *sum, size_t size);

/* SL_PERCPU_SUM(fd, &key, &value): value's own type gives the size, so no
 * caller spells a field count or an offset. */
#define SL_PERCPU_SUM(fd, key, sum)                                                          \
	((void)sizeof(struct {                                                               \
		_Static_assert(sizeof(*(sum)) % sizeof(uint64_t) == 0,                       \
			       "a per-CPU sum needs a struct of __u64 counters");            \
		int unused;                                                                  \
	}),                                                                                  \
	 sl_percpu_sum_sized((fd), (key), (sum), sizeof(*(sum))))

#endif
