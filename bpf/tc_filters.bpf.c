// SPDX-License-Identifier: GPL-2.0
/* No program: the map of the legacy tc filters the daemon made
 * (sluice/attach.h), in an object of its own so it is pinned with BTF
 * like every other map. src/lib/tc.c loads it for its map alone. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sluice/attach.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_TC_FILTERS_MAX);
	__type(key, struct sl_tc_name);
	__type(value, struct sl_tc_filter);
} SL_TC_FILTERS_MAP SEC(".maps");
