/* Counter helpers shared by every program: per-CPU maps, so no atomics. */
#ifndef SLUICE_BPF_COUNTERS_H
#define SLUICE_BPF_COUNTERS_H

#include <bpf/bpf_helpers.h>
#include "lib/compat.h"

/* stats[idx] += 1 in a per-CPU array of __u64 */
static __always_inline void sl_stat_inc(void *stats_map, __u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(stats_map, &idx);

	if (v)
		*v += 1;
}

/* Add (packets, bytes) to `key` in a per-CPU hash of struct sl_drop_count
 * shape ({__u64 packets; __u64 bytes;}). Returns 0, or -E2BIG when the map
 * is full and the key is new (the caller counts that loss). */
static __always_inline int sl_pcpu_add(void *map, const void *key, __u64 packets, __u64 bytes)
{
	struct { __u64 packets, bytes; } *v, init = { packets, bytes };
	long err;

	v = bpf_map_lookup_elem(map, key);
	if (v) {
		v->packets += packets;
		v->bytes += bytes;
		return 0;
	}
	err = bpf_map_update_elem(map, key, &init, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* inserted meanwhile from another CPU: the per-CPU slot is ours */
		v = bpf_map_lookup_elem(map, key);
		if (v) {
			v->packets += packets;
			v->bytes += bytes;
		}
		return 0;
	}
	return err ? -E2BIG : 0;
}

/* This CPU's slot of `key` in a per-CPU hash, created from *init (zeroes,
 * of the map's value size) when missing: for counter structs of any shape,
 * where sl_pcpu_add() fits only {packets, bytes}. NULL when the map is full
 * and the key is new. */
static __always_inline void *sl_pcpu_slot(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	/* -EEXIST (another CPU inserted it meanwhile) is fine: look it up */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
