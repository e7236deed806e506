// SPDX-License-Identifier: GPL-2.0
/* Fixture harness for bpf/lib/parse.h: the same parser from XDP and tc,
 * its result stored for the test to read. Never changes or drops a frame. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/parse.h"

char LICENSE[] SEC("license") = "GPL";

struct sl_pkt parse_out;
__u32 parse_runs;

SEC("xdp")
int parse_xdp(struct xdp_md *ctx)
{
	sl_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &parse_out);
	parse_runs++;
	return XDP_PASS;
}

SEC("tc")
int parse_tc(struct __sk_buff *skb)
{
	sl_parse((void *)(long)skb->data, (void *)(long)skb->data_end, &parse_out);
	parse_runs++;
	return 0; /* TC_ACT_OK */
}
