/* IGMP (v1, v2, v3), MLD (v1, v2) and PIM hello messages, for programs
 * that snoop multicast control traffic (bpf/mcast.bpf.c). It starts where
 * lib/parse.h stops: from a parsed frame (struct sl_pkt, status OK) it
 * tells which control message the frame carries, reads that message's
 * fixed header, and walks the group records of IGMPv3 / MLDv2 reports one
 * at a time. Everything is checked against the end of the IP datagram (the
 * IPv4 total length / the IPv6 payload length, not the end of the frame,
 * which may carry Ethernet padding) before it is read, and a message that
 * does not fit is reported as malformed rather than half-described.
 *
 * tc only: bytes are read with bpf_skb_load_bytes(), so a report that
 * continues into the paged part of an skb reads like a linear one, and the
 * offsets are plain numbers (no packet pointer arithmetic for the verifier
 * to follow through the record loop).
 *
 * What counts as well-formed follows the Linux bridge's own checks
 * (ip_mc_check_igmp(), ipv6_mc_check_mld()), except where noted:
 *   - the IGMP and ICMPv6 checksums are not verified (see below);
 *   - MLD is accepted with or without the Hop-by-Hop router alert the
 *     kernel requires before it calls a frame MLD at all;
 *   - IGMPv3 / MLDv2 records are walked by their full length, auxiliary
 *     data included (RFC 3376 4.2.6, RFC 3810 5.2.6); the kernel skips
 *     only the sources, which goes wrong for a record with aux data. */
#ifndef SLUICE_BPF_IGMP_H
#define SLUICE_BPF_IGMP_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sluice/packet.h"
#include "lib/compat.h"

/* IGMP message types (RFC 1112, 2236, 3376) */
#define SL_IGMP_QUERY       0x11
#define SL_IGMPV1_REPORT    0x12
#define SL_IGMPV2_REPORT    0x16
#define SL_IGMPV2_LEAVE     0x17
#define SL_IGMPV3_REPORT    0x22

/* MLD message types, ICMPv6 (RFC 2710, 3810) */
#define SL_MLD_QUERY        130
#define SL_MLDV1_REPORT     131
#define SL_MLDV1_DONE       132
#define SL_MLDV2_REPORT     143

/* IGMPv3 / MLDv2 group record types (the same numbers in both) */
#define SL_MC_MODE_IS_INCLUDE     1
#define SL_MC_MODE_IS_EXCLUDE     2
#define SL_MC_CHANGE_TO_INCLUDE   3
#define SL_MC_CHANGE_TO_EXCLUDE   4
#define SL_MC_ALLOW_NEW_SOURCES   5
#define SL_MC_BLOCK_OLD_SOURCES   6

#define SL_PIM_HELLO_BYTE   0x20    /* version 2 << 4 | type 0 (hello) */

#define SL_IGMP_HLEN        8       /* IGMPv1/v2 message, IGMPv3 report header */
#define SL_IGMPV3_QUERY_LEN 12      /* the shortest IGMPv3 query */
#define SL_MLD_HLEN         8       /* ICMPv6 header, MLDv2 report header */
#define SL_MLDV1_LEN        24      /* MLDv1 message: header + address */
#define SL_MLDV2_QUERY_LEN  28      /* the shortest MLDv2 query */
#define SL_IGMPV3_REC_HLEN  8       /* type, aux len, nsrc, group */
#define SL_MLDV2_REC_HLEN   20

/* What a frame carries, as far as snooping cares. */
enum sl_mc_kind {
	SL_MC_NONE = 0,        /* nothing to act on: data, other IGMP/ICMPv6 types */
	SL_MC_MALFORMED,       /* an IGMP/MLD message that does not parse */
	SL_MC_QUERY_GENERAL,   /* general query: a querier is behind this port */
	SL_MC_QUERY_GROUP,     /* group(-and-source)-specific query */
	SL_MC_JOIN,            /* IGMPv1/v2 report, MLDv1 report: m->group */
	SL_MC_LEAVE,           /* IGMPv2 leave, MLDv1 done: m->group */
	SL_MC_RECORDS,         /* IGMPv3 / MLDv2 report: m->nrec records from m->off */
	SL_MC_PIM_HELLO,       /* a PIM router is behind this port */
};

/* What to do with one group record (without source tracking, as the Linux
 * bridge does: br_ip4_multicast_igmp3_report()). */
enum sl_mc_action {
	SL_MC_SKIP = 0,
	SL_MC_DO_JOIN,
	SL_MC_DO_LEAVE,
};

struct sl_mc_msg {
	__u8 kind;             /* enum sl_mc_kind */
	__u8 version;          /* as struct sl_mc_member's: 1..3 IGMP, 0x11..0x12 MLD */
	__u16 nrec;            /* SL_MC_RECORDS: the record count the header claims */
	__u32 off;             /* SL_MC_RECORDS: the first record, from the frame start */
	__u32 end;             /* the end of the IP datagram, from the frame start */
	__u8 group[16];        /* JOIN, LEAVE, QUERY_GROUP; IPv4 in the first 4 bytes */
};

struct sl_mc_rec {
	__u8 type;             /* SL_MC_MODE_IS_INCLUDE ... */
	__u8 pad;
	__u16 nsrc;
	__u8 group[16];        /* IPv4 in the first 4 bytes, the rest zero */
};

/* The first 32 bits of an address, host order. Addresses here are always
 * 4-byte aligned (struct fields, stack buffers), and one word load keeps
 * the compiler from selecting between byte pointers, which it does with
 * bitwise ops the verifier refuses on pointers. */
static __always_inline __u32 sl_mc_addr_w0(const __u8 *a)
{
	return bpf_ntohl(*(const __u32 *)a);
}

/* 224.0.0.0/4, ff00::/8 */
static __always_inline bool sl_mc_addr_multicast(__u8 family, const __u8 *a)
{
	__u32 w = sl_mc_addr_w0(a);

	return family == SL_FAMILY_IPV4 ? (w >> 28) == 0xe : (w >> 24) == 0xff;
}

/* The link-local control groups, never snooped nor filtered: 224.0.0.0/24,
 * ff02::/16. */
static __always_inline bool sl_mc_addr_ll_control(__u8 family, const __u8 *a)
{
	__u32 w = sl_mc_addr_w0(a);

	return family == SL_FAMILY_IPV4 ? (w >> 8) == 0xe00000 : (w >> 16) == 0xff02;
}

static __always_inline bool sl_mc_addr_zero(__u8 family, const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return family == SL_FAMILY_IPV4 ? w[0] == 0 : (w[0] | w[1] | w[2] | w[3]) == 0;
}

/* The well-known link-local group 224.0.0.n (IPv4) or ff02::n (IPv6):
 * all-hosts / all-nodes (1), all PIM routers (13). */
static __always_inline bool sl_mc_addr_ll_group(__u8 family, const __u8 *a, __u32 n)
{
	const __u32 *w = (const __u32 *)a;

	if (family == SL_FAMILY_IPV4)
		return sl_mc_addr_w0(a) == (0xe0000000 | n);
	return sl_mc_addr_w0(a) == 0xff020000 && (w[1] | w[2]) == 0 && bpf_ntohl(w[3]) == n;
}

/* Whether the frame is an IGMP message (any type) or an MLD message of a
 * type snooping reads, from the parser's fields alone (it never reads the
 * frame): forwarding code uses it to leave control messages alone. */
static __always_inline bool sl_mc_is_igmp_mld(const struct sl_pkt *p)
{
	if (p->family == SL_FAMILY_IPV4)
		return p->l4_proto == IPPROTO_IGMP;
	if (p->l4_proto != IPPROTO_ICMPV6 || p->frag == SL_FRAG_LATER)
		return false;
	switch (p->icmp_type) {
	case SL_MLD_QUERY:
	case SL_MLDV1_REPORT:
	case SL_MLDV1_DONE:
	case SL_MLDV2_REPORT:
		return true;
	}
	return false;
}

/* PIM to all PIM routers (224.0.0.13, ff02::d): may be a hello */
static __always_inline bool sl_mc_is_pim(const struct sl_pkt *p)
{
	return p->l4_proto == IPPROTO_PIM && sl_mc_addr_ll_group(p->family, p->daddr, 13);
}

/* The end of the IP datagram (an offset from the frame start), or 0 when
 * the frame is shorter than the IP header says or the lengths make no
 * sense (IPv6 jumbograms, whose payload length is 0, included). */
static __always_inline __u32 sl_mc_ip_end(struct __sk_buff *skb, const struct sl_pkt *p)
{
	__u16 len;
	__u32 end;

	/* total length at byte 2 of IPv4, payload length at byte 4 of IPv6 */
	if (bpf_skb_load_bytes(skb, p->l3_off + (p->family == SL_FAMILY_IPV4 ? 2 : 4), &len, sizeof(len)))
		return 0;
	end = p->l3_off + bpf_ntohs(len) + (p->family == SL_FAMILY_IPV4 ? 0 : 40);
	if (end > skb->len || end < p->l4_off || (p->family == SL_FAMILY_IPV6 && !len))
		return 0;
	return end;
}

/* IGMP at p->l4_off, tlen bytes up to m->end */
static __always_inline void sl_igmp_read(struct __sk_buff *skb, const struct sl_pkt *p, __u32 tlen,
					 struct sl_mc_msg *m)
{
	__u8 h[SL_IGMP_HLEN];

	if (tlen < SL_IGMP_HLEN || bpf_skb_load_bytes(skb, p->l4_off, h, sizeof(h)))
		return; /* malformed */
	__builtin_memcpy(m->group, h + 4, 4);
	switch (h[0]) {
	case SL_IGMP_QUERY:
		/* v1/v2 queries are 8 bytes, v3 ones at least 12 */
		if (tlen != SL_IGMP_HLEN && tlen < SL_IGMPV3_QUERY_LEN)
			return;
		if (!sl_mc_addr_zero(SL_FAMILY_IPV4, m->group)) {
			m->kind = SL_MC_QUERY_GROUP;
			return;
		}
		/* RFC 2236 / 3376: general queries go to all-hosts; the
		 * kernel bridge rejects any other as invalid */
		if (sl_mc_addr_ll_group(SL_FAMILY_IPV4, p->daddr, 1))
			m->kind = SL_MC_QUERY_GENERAL;
		return;
	case SL_IGMPV1_REPORT:
	case SL_IGMPV2_REPORT:
		m->kind = SL_MC_JOIN;
		m->version = h[0] == SL_IGMPV1_REPORT ? 1 : 2;
		return;
	case SL_IGMPV2_LEAVE:
		m->kind = SL_MC_LEAVE;
		m->version = 2;
		return;
	case SL_IGMPV3_REPORT:
		m->kind = SL_MC_RECORDS;
		m->version = 3;
		m->nrec = (__u16)(h[6] << 8 | h[7]);
		m->off = p->l4_off + SL_IGMP_HLEN;
		__builtin_memset(m->group, 0, 4);
		return;
	}
	m->kind = SL_MC_NONE; /* DVMRP, mtrace, ...: not ours */
}

/* MLD at p->l4_off (its type is p->icmp_type), tlen bytes */
static __always_inline void sl_mld_read(struct __sk_buff *skb, const struct sl_pkt *p, __u32 tlen,
					struct sl_mc_msg *m)
{
	__u8 h[SL_MLDV1_LEN];

	if (p->icmp_type == SL_MLDV2_REPORT) {
		if (tlen < SL_MLD_HLEN || bpf_skb_load_bytes(skb, p->l4_off, h, SL_MLD_HLEN))
			return;
		m->kind = SL_MC_RECORDS;
		m->version = 0x12;
		m->nrec = (__u16)(h[6] << 8 | h[7]);
		m->off = p->l4_off + SL_MLD_HLEN;
		return;
	}
	if (tlen < SL_MLDV1_LEN || bpf_skb_load_bytes(skb, p->l4_off, h, SL_MLDV1_LEN))
		return;
	__builtin_memcpy(m->group, h + 8, 16);
	switch (p->icmp_type) {
	case SL_MLD_QUERY:
		/* v1 queries are 24 bytes, v2 ones at least 28; queries come
		 * from link-local sources (RFC 2710 3, RFC 3810 5.1.14) */
		if (tlen != SL_MLDV1_LEN && tlen < SL_MLDV2_QUERY_LEN)
			return;
		if (p->saddr[0] != 0xfe || (p->saddr[1] & 0xc0) != 0x80)
			return;
		if (!sl_mc_addr_zero(SL_FAMILY_IPV6, m->group)) {
			m->kind = SL_MC_QUERY_GROUP;
			return;
		}
		if (sl_mc_addr_ll_group(SL_FAMILY_IPV6, p->daddr, 1))
			m->kind = SL_MC_QUERY_GENERAL;
		return;
	case SL_MLDV1_REPORT:
		m->kind = SL_MC_JOIN;
		m->version = 0x11;
		return;
	case SL_MLDV1_DONE:
		m->kind = SL_MC_LEAVE;
		m->version = 0x11;
		return;
	}
	m->kind = SL_MC_NONE;
}

/* Read the control message a parsed frame (status SL_PARSE_OK) carries into
 * *m; m->kind says what it is.
 *
 * The IGMP and ICMPv6 checksums are not verified: a message with a bad one
 * is read like any other. The Linux bridge checks them (ip_mc_check_igmp(),
 * ipv6_mc_check_mld()) only when its own snooping is on; here that would
 * cost a pass over the whole message (a 1500-byte report) on a path the
 * verifier has to follow byte by byte or through a helper, and a bad
 * checksum can do no more than a well-formed spoofed report from the same
 * port: change that port's memberships. */
static __always_inline void sl_mc_msg_read(struct __sk_buff *skb, const struct sl_pkt *p, struct sl_mc_msg *m)
{
	bool pim = sl_mc_is_pim(p);
	__u32 end;

	__builtin_memset(m, 0, sizeof(*m));
	if (!pim && !sl_mc_is_igmp_mld(p))
		return;
	if (p->frag != SL_FRAG_NONE) {
		/* a message cut into fragments is not one we can read */
		m->kind = pim ? SL_MC_NONE : SL_MC_MALFORMED;
		return;
	}
	end = sl_mc_ip_end(skb, p);
	m->end = end;
	m->kind = SL_MC_MALFORMED; /* until a reader says otherwise */
	if (!end) {
		if (pim)
			m->kind = SL_MC_NONE;
		return;
	}
	if (pim) {
		__u8 b;

		m->kind = end - p->l4_off >= 4 && !bpf_skb_load_bytes(skb, p->l4_off, &b, 1) &&
				  b == SL_PIM_HELLO_BYTE
			  ? SL_MC_PIM_HELLO
			  : SL_MC_NONE;
		return;
	}
	if (p->family == SL_FAMILY_IPV4)
		sl_igmp_read(skb, p, end - p->l4_off, m);
	else
		sl_mld_read(skb, p, end - p->l4_off, m);
}

/* The group record at *off (which must end by `end`) into *r, moving *off
 * past it, auxiliary data included. -1 when the record runs past the end:
 * the caller stops there. */
static __always_inline int sl_mc_rec_read(struct __sk_buff *skb, __u8 family, __u32 *off, __u32 end,
					  struct sl_mc_rec *r)
{
	__u8 h[SL_MLDV2_REC_HLEN];
	__u32 at = *off, hlen, len;

	hlen = family == SL_FAMILY_IPV4 ? SL_IGMPV3_REC_HLEN : SL_MLDV2_REC_HLEN;
	if (at > end || end - at < hlen)
		return -1;
	if (family == SL_FAMILY_IPV4) {
		if (bpf_skb_load_bytes(skb, at, h, SL_IGMPV3_REC_HLEN))
			return -1;
	} else if (bpf_skb_load_bytes(skb, at, h, SL_MLDV2_REC_HLEN)) {
		return -1;
	}
	r->type = h[0];
	r->pad = 0;
	r->nsrc = (__u16)(h[2] << 8 | h[3]);
	__builtin_memset(r->group, 0, sizeof(r->group));
	if (family == SL_FAMILY_IPV4)
		__builtin_memcpy(r->group, h + 4, 4);
	else
		__builtin_memcpy(r->group, h + 4, 16);
	/* at most 20 + 65535 * 16 + 255 * 4: no overflow */
	len = hlen + (__u32)r->nsrc * (family == SL_FAMILY_IPV4 ? 4 : 16) + (__u32)h[1] * 4;
	if (end - at < len)
		return -1;
	*off = at + len;
	return 0;
}

/* The Linux bridge's rule without source tracking: record types 1..6
 * only; an INCLUDE with no sources (MODE_IS_INCLUDE {}, TO_IN {}) is a
 * leave, any other record a join (BLOCK with sources included: the host
 * still wants the group from the others). */
static __always_inline int sl_mc_rec_action(const struct sl_mc_rec *r)
{
	if (r->type < SL_MC_MODE_IS_INCLUDE || r->type > SL_MC_BLOCK_OLD_SOURCES)
		return SL_MC_SKIP;
	if ((r->type == SL_MC_MODE_IS_INCLUDE || r->type == SL_MC_CHANGE_TO_INCLUDE) && r->nsrc == 0)
		return SL_MC_DO_LEAVE;
	return SL_MC_DO_JOIN;
}

#endif
