// SPDX-License-Identifier: GPL-2.0
/* No program: the map of sysfs writes the daemon made and the values they
 * replaced (sluice/netsys.h), in an object of its own so it is pinned with
 * BTF like every other map. src/lib/netsys.c loads it for its map alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sluice/netsys.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_NETSYS_RECS);
	__type(key, struct sl_netsys_key);
	__type(value, struct sl_netsys_rec);
} SL_NETSYS_MAP SEC(".maps");
