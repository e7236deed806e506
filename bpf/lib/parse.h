/* The one bounds-checked packet parser for XDP and tc programs: a cursor
 * over [data, data_end) through Ethernet, up to two VLAN tags, IPv4 (with
 * options and fragments) or IPv6 (with up to six extension headers), and
 * the TCP/UDP/SCTP ports or ICMP type and code. Every header is checked
 * against data_end before it is read; frames it cannot parse say why in
 * p->status and are never half-described. (Tracing programs, which see
 * kernel memory rather than packets, use lib/ip_copy.h.) */
#ifndef SLUICE_BPF_PARSE_H
#define SLUICE_BPF_PARSE_H

#include <bpf/bpf_endian.h>
#include "sluice/packet.h"
#include "lib/compat.h"

struct sl_cursor {
	void *pos;
	void *end;
};

/* the next `len` bytes, advancing past them; NULL when they run past the end */
#define SL_PULL(c, len) ({                                                  \
	void *__p = (c)->pos;                                               \
	void *__r = NULL;                                                   \
	if (__p + (len) <= (c)->end) {                                      \
		(c)->pos = __p + (len);                                     \
		__r = __p;                                                  \
	}                                                                   \
	__r;                                                                \
})

static __always_inline bool sl_is_vlan(__u16 proto_be)
{
	return proto_be == bpf_htons(ETH_P_8021Q) || proto_be == bpf_htons(ETH_P_8021AD);
}

static __always_inline int sl_parse_ip4(struct sl_cursor *c, struct sl_pkt *p)
{
	struct iphdr *ip = c->pos;
	__u16 frag;

	if ((void *)(ip + 1) > c->end)
		return SL_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return SL_PARSE_MALFORMED;
	/* the whole header, options included: ihl * 4 is at most 60, a bound
	 * the verifier sees (ihl - 5 would not be) */
	if (!SL_PULL(c, ip->ihl * 4))
		return SL_PARSE_TRUNCATED;
	p->family = SL_FAMILY_IPV4;
	p->l4_proto = ip->protocol;
	frag = bpf_ntohs(ip->frag_off);
	p->frag = frag & IP_OFFSET ? SL_FRAG_LATER : frag & IP_MF ? SL_FRAG_FIRST : SL_FRAG_NONE;
	__builtin_memcpy(p->saddr, &ip->saddr, 4);
	__builtin_memcpy(p->daddr, &ip->daddr, 4);
	return SL_PARSE_OK;
}

static __always_inline bool sl_ip6_ext(__u8 nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_DEST ||
	       nh == NEXTHDR_FRAGMENT || nh == NEXTHDR_AUTH;
}

static __always_inline int sl_parse_ip6(struct sl_cursor *c, struct sl_pkt *p)
{
	struct ipv6hdr *ip6 = SL_PULL(c, sizeof(*ip6));
	__u8 nh;

	if (!ip6)
		return SL_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return SL_PARSE_MALFORMED;
	p->family = SL_FAMILY_IPV6;
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	{
		void *base = c->pos;
		__u32 off = 0;

		for (int i = 0; i < SL_PARSE_MAX_IP6_EXT && sl_ip6_ext(nh); i++) {
			__u8 *h;
			__u32 len;

			off &= 0x3fff; /* 6 headers of at most 2048 bytes */
			h = base + off;
			if ((void *)(h + 8) > c->end)
				return SL_PARSE_TRUNCATED;
			if (nh == NEXTHDR_FRAGMENT) {
				__u16 fo = (h[2] << 8) | h[3];

				p->frag = fo & 0xfff8 ? SL_FRAG_LATER : fo & 1 ? SL_FRAG_FIRST : SL_FRAG_NONE;
				len = 8;
			} else if (nh == NEXTHDR_AUTH) {
				len = (h[1] + 2) * 4;
			} else {
				len = (h[1] + 1) * 8;
			}
			nh = h[0];
			off += len;
		}
		off &= 0x3fff;
		if (base + off > c->end)
			return SL_PARSE_TRUNCATED;
		c->pos = base + off;
	}
	if (sl_ip6_ext(nh))
		return SL_PARSE_MALFORMED; /* a chain longer than we follow */
	p->l4_proto = nh;
	return SL_PARSE_OK;
}

/* ports or ICMP type/code of the first (or only) fragment */
static __always_inline int sl_parse_l4(struct sl_cursor *c, struct sl_pkt *p)
{
	__u8 *h;

	if (p->frag == SL_FRAG_LATER)
		return SL_PARSE_OK; /* no L4 header in this fragment */
	switch (p->l4_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP: /* all three start with source and destination port */
		h = SL_PULL(c, p->l4_proto == IPPROTO_TCP ? 20 : p->l4_proto == IPPROTO_UDP ? 8 : 12);
		if (!h)
			return SL_PARSE_TRUNCATED;
		p->sport = (h[0] << 8) | h[1];
		p->dport = (h[2] << 8) | h[3];
		p->has_ports = 1;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		h = SL_PULL(c, 4);
		if (!h)
			return SL_PARSE_TRUNCATED;
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		break;
	}
	return SL_PARSE_OK;
}

/* Parse the frame in [data, data_end) into *p (zeroed first); returns and
 * stores p->status. */
static __always_inline int sl_parse(void *data, void *data_end, struct sl_pkt *p)
{
	struct sl_cursor c = { .pos = data, .end = data_end };
	struct ethhdr *eth = SL_PULL(&c, sizeof(*eth));
	__u16 proto;
	int rc;

	__builtin_memset(p, 0, sizeof(*p));
	if (!eth)
		return p->status = SL_PARSE_TRUNCATED;
	__builtin_memcpy(p->dmac, eth->h_dest, 6);
	__builtin_memcpy(p->smac, eth->h_source, 6);
	proto = eth->h_proto;
	for (int i = 0; i < SL_PARSE_MAX_VLANS && sl_is_vlan(proto); i++) {
		struct vlan_hdr *v = SL_PULL(&c, sizeof(*v));

		if (!v)
			return p->status = SL_PARSE_TRUNCATED;
		p->vlan_id[i] = bpf_ntohs(v->h_vlan_TCI) & 0x0fff;
		p->nvlan++;
		proto = v->h_vlan_encapsulated_proto;
	}
	if (sl_is_vlan(proto))
		return p->status = SL_PARSE_MALFORMED; /* more tags than QinQ */
	p->l3_off = c.pos - data;
	if (proto == bpf_htons(ETH_P_IP))
		rc = sl_parse_ip4(&c, p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		rc = sl_parse_ip6(&c, p);
	else
		return p->status = SL_PARSE_NOT_IP;
	if (rc == SL_PARSE_OK) {
		p->l4_off = c.pos - data;
		rc = sl_parse_l4(&c, p);
	}
	return p->status = rc;
}

#endif
