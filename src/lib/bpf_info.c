#include "lib/bpf_info.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/hash.h"

uint64_t sl_object_id(const void *data, size_t len)
{
	return sl_fnv1a(SL_FNV1A_INIT, data, len);
}

void *sl_map_keys(int fd, size_t *n)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t cap = 64;
	char *keys, *prev = NULL;

	*n = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.key_size)
		return NULL;
	keys = malloc(cap * info.key_size);
	while (keys) {
		if (*n == cap) {
			char *k = realloc(keys, (cap *= 2) * info.key_size);

			if (!k)
				break;
			keys = k;
		}
		if (bpf_map_get_next_key(fd, prev, keys + *n * info.key_size))
			return keys; /* ENOENT: the end */
		prev = keys + *n * info.key_size;
		(*n)++;
	}
	free(keys);
	return NULL;
}

int sl_map_prune(int fd, bool (*keep)(const void *key, void *ctx), void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t n;
	char *keys;
	int rc = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !(keys = sl_map_keys(fd, &n)))
		return -1;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *k = keys + i * info.key_size;

		if (!keep(k, ctx) && bpf_map_delete_elem(fd, k) && errno != ENOENT)
			rc = -1;
	}
	free(keys);
	return rc;
}

long sl_map_count(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	size_t n;
	void *keys;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	if (info.type == BPF_MAP_TYPE_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_ARRAY)
		return info.max_entries;
	if (info.type == BPF_MAP_TYPE_RINGBUF)
		return 0;
	keys = sl_map_keys(fd, &n);
	free(keys);
	return keys ? (long)n : -1;
}

json_object *sl_map_status(int fd, const char *pin)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	json_object *o = json_object_new_object();

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		json_object_object_add(o, "error", json_object_new_string(strerror(errno)));
		return o;
	}
	json_object_object_add(o, "name", json_object_new_string(info.name));
	json_object_object_add(o, "id", json_object_new_int64(info.id));
	json_object_object_add(o, "type", json_object_new_string(libbpf_bpf_map_type_str(info.type)));
	json_object_object_add(o, "entries", json_object_new_int64(sl_map_count(fd)));
	json_object_object_add(o, "max_entries", json_object_new_int64(info.max_entries));
	json_object_object_add(o, "pin", json_object_new_string(pin));
	return o;
}

json_object *sl_maps_status(const char *pin_root, const char *const names[], const int fds[], int n)
{
	json_object *maps = json_object_new_array();
	char pin[512];

	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		sl_pin_path(pin, sizeof(pin), pin_root, SL_PIN_MAPS, names[i]);
		json_object_array_add(maps, sl_map_status(fds[i], pin));
	}
	return maps;
}

int sl_link_prog_fd(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(link_fd, &info, &len))
		return -1;
	return bpf_prog_get_fd_by_id(info.prog_id);
}

int64_t sl_prog_recursion_misses(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -1;
	return (int64_t)info.recursion_misses;
}

uint64_t sl_ktime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint32_t sl_link_ifindex(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	/* xdp.ifindex and (kernel 6.6+, past libbpf 1.1's headers) tcx.ifindex
	 * are both the first word of the union */
	return bpf_obj_get_info_by_fd(link_fd, &info, &len) ? 0 : info.xdp.ifindex;
}

uint32_t sl_link_id(int link_fd)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(link_fd, &info, &len) ? 0 : info.id;
}

uint32_t sl_prog_id(int prog_fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len) ? 0 : info.id;
}

/* per-CPU values are laid out 8-byte aligned, one per possible CPU */
static size_t percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

/* The number of possible CPUs when `fd` is a per-CPU map whose values take
 * `size` bytes per CPU; else -1 (errno EINVAL), logged: a reader that
 * disagrees with the map about its value is a bug, and reading on would
 * misplace every CPU's counters (or overrun the buffer). */
static int percpu_check(int fd, size_t size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int ncpu = libbpf_num_possible_cpus();

	if (ncpu <= 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	if (info.type != BPF_MAP_TYPE_PERCPU_HASH && info.type != BPF_MAP_TYPE_PERCPU_ARRAY &&
	    info.type != BPF_MAP_TYPE_LRU_PERCPU_HASH && info.type != BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE) {
		sl_err("map %s (id %u) is of type %s, not a per-CPU one; not read", info.name, info.id,
		       libbpf_bpf_map_type_str(info.type) ?: "?");
		errno = EINVAL;
		return -1;
	}
	/* exact: a struct that only covers the value rounded up would read
	 * the padding as part of a field */
	if (info.value_size != size) {
		sl_err("map %s (id %u): per-CPU value size %u, the reader expects %zu; not read", info.name, info.id,
		       info.value_size, size);
		errno = EINVAL;
		return -1;
	}
	return ncpu;
}

int sl_percpu_zero(int fd, const void *key, size_t value_size)
{
	int ncpu = percpu_check(fd, value_size);
	size_t stride = percpu_stride(value_size);
	void *zeros;
	int rc;

	if (ncpu <= 0)
		return -1;
	zeros = calloc((size_t)ncpu, stride);
	if (!zeros)
		return -1;
	rc = bpf_map_update_elem(fd, key, zeros, BPF_ANY);
	free(zeros);
	return rc;
}

int sl_percpu_add(int fd, const void *key, uint64_t value)
{
	int ncpu = percpu_check(fd, sizeof(value));
	uint64_t *vals;
	int rc;

	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -1;
	rc = bpf_map_lookup_elem(fd, key, vals);
	if (!rc) {
		vals[0] += value;
		rc = bpf_map_update_elem(fd, key, vals, BPF_EXIST);
	}
	free(vals);
	return rc;
}

json_object *sl_link_status(int fd, int prog_fd, const char *program, const char *attach, const char *pin)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "program", json_object_new_string(program));
	json_object_object_add(o, "attach", json_object_new_string(attach));
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		json_object_object_add(o, "error", json_object_new_string(strerror(errno)));
	} else {
		json_object_object_add(o, "prog_id", json_object_new_int64(info.prog_id));
		json_object_object_add(o, "link_id", json_object_new_int64(info.id));
	}
	json_object_object_add(o, "pin", json_object_new_string(pin));
	int64_t misses = sl_prog_recursion_misses(prog_fd);

	/* null: unknown (the program fd needs CAP_SYS_ADMIN after a restart) */
	json_object_object_add(o, "recursion_misses", misses < 0 ? NULL : json_object_new_int64(misses));
	return o;
}

json_object *sl_prog_off_status(const char *program, const char *attach, const char *why)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "program", json_object_new_string(program));
	json_object_object_add(o, "attach", json_object_new_string(attach));
	json_object_object_add(o, "off", json_object_new_string(why));
	return o;
}

int sl_percpu_sum_sized(int fd, const void *key, void *sum, size_t size)
{
	int ncpu = percpu_check(fd, size);
	uint64_t *vals, *out = sum;
	size_t nfields = size / sizeof(uint64_t);

	memset(sum, 0, size);
	if (size % sizeof(uint64_t)) {
		errno = EINVAL;
		return -1;
	}
	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu, size);
	if (!vals)
		return -1;
	if (bpf_map_lookup_elem(fd, key, vals)) {
		free(vals);
		return -1;
	}
	for (int c = 0; c < ncpu; c++)
		for (size_t f = 0; f < nfields; f++)
			out[f] += vals[(size_t)c * nfields + f];
	free(vals);
	return 0;
}
