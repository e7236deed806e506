/* Parse UDP over IPv4/IPv6 from a *copy* of the network header.
 *
 * Tracing programs see packets as kernel memory, not as packet context, so
 * they copy the first bytes of the network header onto the stack with
 * bpf_probe_read_kernel and parse that copy here with offset arithmetic the
 * verifier can bound. (XDP/tc programs use direct packet access instead.) */
#ifndef SLUICE_BPF_IP_COPY_H
#define SLUICE_BPF_IP_COPY_H

#include "sluice/drops.h"
#include "lib/compat.h"

#define SL_IP6_MAX_EXT 6

/* Byte `i` of the copy. The mask makes every read provably inside the
 * buffer whatever the compiler does to the length checks (those still decide
 * what is valid); the empty asm stops LLVM from proving the mask redundant
 * and dropping it. SL_DROPS_HDR_COPY is a power of two. */
static __always_inline __u8 sl_at(const __u8 *buf, __u32 i)
{
	asm volatile("" : "+r"(i));
	return buf[i & (SL_DROPS_HDR_COPY - 1)];
}
#define SL_AT(buf, i) sl_at(buf, i)

static __always_inline bool sl_ip6_is_ext(__u32 nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	       nh == NEXTHDR_FRAGMENT || nh == NEXTHDR_AUTH;
}
_Static_assert((SL_DROPS_HDR_COPY & (SL_DROPS_HDR_COPY - 1)) == 0, "copy size is a power of two");

struct sl_udp_tuple {
	__u8  family;     /* enum sl_family */
	__u16 sport, dport;
	__u8  saddr[16], daddr[16];
};

/* `len` bytes of `buf` (size SL_DROPS_HDR_COPY) are valid, starting at the
 * IP header. Returns 0 and fills `t` for UDP, 1 for not-UDP (or a non-first
 * fragment, which carries no UDP header), -1 for a truncated or malformed
 * header. */
static __always_inline int sl_parse_udp_copy(const __u8 *buf, __u32 len, struct sl_udp_tuple *t)
{
	__u32 off, nh, i;

	if (len < 1 || len > SL_DROPS_HDR_COPY)
		return -1;
	switch (buf[0] >> 4) {
	case 4: {
		if (len < 20)
			return -1;
		off = (buf[0] & 0xf) * 4;
		if (off < 20 || off > len)
			return -1;
		if (buf[9] != IPPROTO_UDP)
			return 1;
		if (((buf[6] << 8) | buf[7]) & IP_OFFSET)
			return 1;
		t->family = SL_FAMILY_IPV4;
		__builtin_memcpy(t->saddr, buf + 12, 4);
		__builtin_memcpy(t->daddr, buf + 16, 4);
		break;
	}
	case 6:
		if (len < 40)
			return -1;
		nh = buf[6];
		off = 40;
		for (i = 0; i < SL_IP6_MAX_EXT; i++) {
			if (!sl_ip6_is_ext(nh))
				break;
			if (off > SL_DROPS_HDR_COPY - 8 || off + 8 > len)
				return -1;
			if (nh == NEXTHDR_FRAGMENT) {
				if (((SL_AT(buf, off + 2) << 8) | SL_AT(buf, off + 3)) & 0xfff8)
					return 1;
				nh = SL_AT(buf, off);
				off += 8;
			} else if (nh == NEXTHDR_AUTH) {
				nh = SL_AT(buf, off);
				off += (SL_AT(buf, off + 1) + 2) * 4;
			} else {
				nh = SL_AT(buf, off);
				off += (SL_AT(buf, off + 1) + 1) * 8;
			}
		}
		if (sl_ip6_is_ext(nh))
			return -1; /* chain longer than we follow */
		if (nh != IPPROTO_UDP)
			return 1;
		t->family = SL_FAMILY_IPV6;
		__builtin_memcpy(t->saddr, buf + 8, 16);
		__builtin_memcpy(t->daddr, buf + 24, 16);
		break;
	default:
		return -1;
	}
	if (off > SL_DROPS_HDR_COPY - 8 || off + 8 > len)
		return -1;
	t->sport = (SL_AT(buf, off) << 8) | SL_AT(buf, off + 1);
	t->dport = (SL_AT(buf, off + 2) << 8) | SL_AT(buf, off + 3);
	return 0;
}

#endif
