#include "core/bpf_info.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t sl_object_id(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
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

int sl_percpu_zero(int fd, const void *key, size_t value_size)
{
	int ncpu = libbpf_num_possible_cpus();
	size_t stride = (value_size + 7) & ~(size_t)7; /* per-CPU values are 8-byte aligned */
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
	int ncpu = libbpf_num_possible_cpus();
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

int sl_percpu_sum(int fd, const void *key, uint64_t *sum, int nfields)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;

	if (ncpu <= 0)
		return -1;
	vals = calloc((size_t)ncpu * (size_t)nfields, sizeof(*vals));
	if (!vals)
		return -1;
	memset(sum, 0, sizeof(*sum) * (size_t)nfields);
	if (bpf_map_lookup_elem(fd, key, vals)) {
		free(vals);
		return -1;
	}
	for (int c = 0; c < ncpu; c++)
		for (int f = 0; f < nfields; f++)
			sum[f] += vals[c * nfields + f];
	free(vals);
	return 0;
}
