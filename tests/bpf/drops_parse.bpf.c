// SPDX-License-Identifier: GPL-2.0
/* Test harness for sl_parse_udp_copy(): a tc program that copies what
 * follows the Ethernet header into a stack buffer, as bpf/drops.bpf.c does
 * from a dropped skb, and leaves the parser's verdict in .bss. Fixtures
 * drive it through BPF_PROG_TEST_RUN with frames of any shape. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sluice/drops.h"
#include "lib/ip_copy.h"
#include "drops_parse.h"

#define ETH_HLEN  14
#define TC_ACT_OK 0

char LICENSE[] SEC("license") = "GPL";

struct dp_result dp_out;

SEC("tc")
int drops_parse(struct __sk_buff *skb)
{
	__u8 hdr[SL_DROPS_HDR_COPY] = {};
	struct sl_udp_tuple t = {};
	__u32 len = skb->len;

	dp_out.runs++;
	len = len > ETH_HLEN ? len - ETH_HLEN : 0;
	if (len > SL_DROPS_HDR_COPY)
		len = SL_DROPS_HDR_COPY;
	dp_out.len = len;
	/* The helper wants a provably non-zero, bounded length. A 6.1 verifier
	 * loses the lower bound that `len >= 1` gives (clang folds the two
	 * compares into one on a copy), so build the range it keeps: n - 1
	 * masked to [0, COPY - 1], plus one. The empty asm stops clang from
	 * seeing that this is len again. */
	_Static_assert((SL_DROPS_HDR_COPY & (SL_DROPS_HDR_COPY - 1)) == 0, "the mask needs a power of two");
	if (len) {
		__u32 n = len - 1;

		asm volatile("" : "+r"(n));
		n = (n & (SL_DROPS_HDR_COPY - 1)) + 1;
		if (bpf_skb_load_bytes(skb, ETH_HLEN, hdr, n)) {
			dp_out.rc = DP_LOAD_ERR;
			return TC_ACT_OK;
		}
	}
	dp_out.rc = sl_parse_udp_copy(hdr, len, &t);
	dp_out.family = t.family;
	dp_out.sport = t.sport;
	dp_out.dport = t.dport;
	__builtin_memcpy(dp_out.saddr, t.saddr, sizeof(dp_out.saddr));
	__builtin_memcpy(dp_out.daddr, t.daddr, sizeof(dp_out.daddr));
	return TC_ACT_OK;
}
