// SPDX-License-Identifier: GPL-2.0
/* sluice-gen xdp's frame writer (see include/sluice/gen_xdp.h): run by
 * BPF_PROG_RUN in live-frames mode on the template frame, never attached.
 * Each run writes the frame's addresses, ports and checksums for this CPU's
 * next index and returns XDP_TX, which the kernel's live mode turns into a
 * transmit out of the run's ingress device. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sluice/gen_xdp.h"

char LICENSE[] SEC("license") = "GPL";

const volatile struct sl_gen_xdp_cfg sl_gen_cfg = { .family = 4, .src_n = 1, .dst_n = 1, .sport_n = 1, .dport_n = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_gen_xdp_stat);
} SL_GEN_XDP_STATS_MAP SEC(".maps");

/* where the template's fields sit: the IP header right after Ethernet */
#define IP_OFF SL_GEN_XDP_ETH_LEN

static __always_inline __u32 nth(__u64 n, __u32 count, __u32 lo)
{
	return count > 1 ? lo + (__u32)(n % count) : lo;
}

SEC("xdp")
int sl_gen_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	bool v6 = sl_gen_cfg.family == 6;
	__u32 ip_len = v6 ? SL_GEN_XDP_IP6_LEN : SL_GEN_XDP_IP4_LEN;
	__u32 key = 0, src_old, dst_old, src, dst, sum;
	struct sl_gen_xdp_stat *st = bpf_map_lookup_elem(&SL_GEN_XDP_STATS_MAP, &key);
	__u16 sport, dport;
	struct udphdr *udp;
	__u32 *saddr, *daddr;
	__u64 n;

	if (ctx->ingress_ifindex != sl_gen_cfg.ifindex)
		return XDP_PASS; /* attached to loopback only to stay in the dispatcher */
	if (!st)
		return XDP_ABORTED;
	udp = data + IP_OFF + ip_len;
	if ((void *)(udp + 1) > end) {
		st->short_frames++;
		return XDP_ABORTED;
	}
	n = st->sent++;
	src_old = bpf_htonl(sl_gen_cfg.src_lo);
	dst_old = bpf_htonl(sl_gen_cfg.dst_lo);
	src = bpf_htonl(nth(n, sl_gen_cfg.src_n, sl_gen_cfg.src_lo));
	dst = bpf_htonl(nth(n, sl_gen_cfg.dst_n, sl_gen_cfg.dst_lo));
	sport = bpf_htons((__u16)nth(n, sl_gen_cfg.sport_n, sl_gen_cfg.sport_lo));
	dport = bpf_htons((__u16)nth(n, sl_gen_cfg.dport_n, sl_gen_cfg.dport_lo));
	udp->source = sport;
	udp->dest = dport;
	if (v6) {
		struct ipv6hdr *ip6 = data + IP_OFF;

		/* the low 32 bits of each address vary */
		saddr = &ip6->saddr.in6_u.u6_addr32[3];
		daddr = &ip6->daddr.in6_u.u6_addr32[3];
		*saddr = src;
		*daddr = dst;
		sum = (__u16)~sl_gen_cfg.udp_csum;
		sum = sl_csum_add32(sum, src_old, src);
		sum = sl_csum_add32(sum, dst_old, dst);
		sum = sl_csum_add16(sum, bpf_htons(sl_gen_cfg.sport_lo), sport);
		sum = sl_csum_add16(sum, bpf_htons(sl_gen_cfg.dport_lo), dport);
		udp->check = sl_csum_fold(sum) ?: 0xffff; /* 0 means "none", not allowed over IPv6 */
	} else {
		struct iphdr *ip = data + IP_OFF;

		ip->saddr = src;
		ip->daddr = dst;
		sum = (__u16)~sl_gen_cfg.ip_csum;
		sum = sl_csum_add32(sum, src_old, src);
		sum = sl_csum_add32(sum, dst_old, dst);
		ip->check = sl_csum_fold(sum);
		udp->check = 0; /* none: optional over IPv4 */
	}
	return XDP_TX;
}
