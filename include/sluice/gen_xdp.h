/* sluice-gen xdp: what bpf/gen_xdp.bpf.c and tools/sluice-gen/xdp*.c share.
 *
 * Userspace builds one UDP frame (the template) with the first address and
 * port of each range and correct checksums, and runs the program on it with
 * BPF_PROG_RUN in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, 5.18). The
 * kernel keeps the frames in a page pool and does not restore what a run
 * wrote into them, so every run writes all varying fields anew: frame n of a
 * CPU (its per-CPU count) gets source index n % src_n, destination index
 * n % dst_n and likewise the ports, and checksums derived from the
 * template's (RFC 1624), never from what the page holds. Indexes add to the
 * low 32 bits of an address (IPv4: all of it). The program returns XDP_TX:
 * in live mode the kernel turns that into a redirect out of the device
 * named in the run's context, so the frame leaves it as an XDP frame.
 *
 * A test run with repeat > 1 puts its program into the kernel's XDP
 * dispatcher and takes it out again, each an RCU grace period (~15 ms
 * here), unless the program is there already because it is attached
 * somewhere. So sluice-gen attaches it (a bpf_link, gone with the process)
 * to the namespace's loopback, where it passes every frame untouched:
 * it acts only on frames of `ifindex`. */
#ifndef SLUICE_GEN_XDP_H
#define SLUICE_GEN_XDP_H

#include "sluice/types.h"

#define SL_GEN_XDP_STATS_MAP sl_gxstat_v1 /* PERCPU_ARRAY[1] of struct sl_gen_xdp_stat */

#define SL_GEN_XDP_ETH_LEN  14
#define SL_GEN_XDP_IP4_LEN  20
#define SL_GEN_XDP_IP6_LEN  40
#define SL_GEN_XDP_UDP_LEN  8

struct sl_gen_xdp_cfg {
	__u32 family;           /* 4 or 6 */
	__u32 src_n, dst_n;     /* addresses in each range, >= 1 */
	__u32 src_lo, dst_lo;   /* host order: the low 32 bits of the first */
	__u32 sport_n, dport_n; /* ports in each range, >= 1 */
	__u16 sport_lo, dport_lo;
	__u16 ip_csum;          /* IPv4 header checksum of the template, as in the header */
	__u16 udp_csum;         /* IPv6 UDP checksum of the template (IPv4: 0, none) */
	__u32 ifindex;          /* the device the frames leave; any other: XDP_PASS */
};
SL_STATIC_ASSERT(sizeof(struct sl_gen_xdp_cfg) == 40, "sl_gen_xdp_cfg layout");

struct sl_gen_xdp_stat {
	__u64 sent;             /* frames returned as XDP_TX; also the next frame's index */
	__u64 short_frames;     /* runs on a frame too short for the template: XDP_ABORTED */
};
SL_STATIC_ASSERT(sizeof(struct sl_gen_xdp_stat) == 16, "sl_gen_xdp_stat layout");

/* One's complement sums (RFC 1624): a checksum as it sits in the header
 * (read as a native __u16), updated for 32- and 16-bit fields changing from
 * `from` to `to`, both as they sit in the packet (network order, read as
 * native integers). The byte order of the words does not matter to the sum. */
static __always_inline __u32 sl_csum_add32(__u32 sum, __u32 from, __u32 to)
{
	return sum + (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
}

static __always_inline __u32 sl_csum_add16(__u32 sum, __u16 from, __u16 to)
{
	return sum + (~(__u32)from & 0xffff) + to;
}

static __always_inline __u16 sl_csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

#endif
