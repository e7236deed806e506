// SPDX-License-Identifier: GPL-2.0
/* A tiny XDP program for the fixture runner's own test: it swaps the MAC
 * addresses of IPv4 frames and sends them back (XDP_TX), passes everything
 * else and drops runts, so verdicts, output frames and .bss checks all have
 * something to see. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP 0x0800

char LICENSE[] SEC("license") = "GPL";

__u32 fx_runs;

SEC("xdp")
int fx_xdp_swap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 mac[6];

	fx_runs++;
	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	__builtin_memcpy(mac, eth->h_dest, 6);
	__builtin_memcpy(eth->h_dest, eth->h_source, 6);
	__builtin_memcpy(eth->h_source, mac, 6);
	return XDP_TX;
}
