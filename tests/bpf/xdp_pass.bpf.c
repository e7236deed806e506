// SPDX-License-Identifier: GPL-2.0
/* Passes every frame. Attached to a veth peer by tests/netns/lib.sh
 * (veth_pair ... QUEUES) so that the kernel counts what each receive queue
 * took (ethtool -S: rx_queue_N_xdp_packets), the oracle of which tx queue
 * the other end sent a packet on (veth hands tx queue N to rx queue N).
 * Those counts hold every frame, the stack's own too (ND, MLD), so it also
 * counts by rx queue the test's traffic alone: TCP and UDP to ports
 * 5000-5999 (rxq_counts reads test_rxq[] from .bss). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/parse.h"

char LICENSE[] SEC("license") = "GPL";

#define TEST_QUEUES 64
__u64 test_rxq[TEST_QUEUES];

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	struct sl_pkt p = {};
	__u32 q = ctx->rx_queue_index;

	if (sl_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, &p) == SL_PARSE_OK &&
	    (p.l4_proto == IPPROTO_UDP || p.l4_proto == IPPROTO_TCP) && p.dport >= 5000 && p.dport <= 5999 &&
	    q < TEST_QUEUES)
		__sync_fetch_and_add(&test_rxq[q], 1);
	return XDP_PASS;
}
