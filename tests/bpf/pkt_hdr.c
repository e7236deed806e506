/* Header layouts for the frame builder: one push per header. */
#include <arpa/inet.h>
#include <string.h>

#include "pkt_impl.h"

static const uint8_t default_dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t default_src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void put_addr(struct pkt *p, int af, const char *s, const char *fallback, uint8_t *to)
{
	if (inet_pton(af, s ? s : fallback, to) != 1)
		pkt_fail(p, af == AF_INET ? "bad IPv4 address" : "bad IPv6 address");
}

size_t pkt_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6])
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, PKT_ETH_HLEN, PKT_NONE, PKT_NONE);

	if (!h)
		return off;
	memcpy(h, dst ? dst : default_dst_mac, 6);
	memcpy(h + 6, src ? src : default_src_mac, 6);
	pkt_expect_next(p, PKT_NEXT_ETHERTYPE, off + 12);
	return off;
}

/* the TPID goes into the previous ethertype field; the tag carries its own */
size_t pkt_vlan(struct pkt *p, uint16_t tpid, uint16_t tci)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 4, tpid, PKT_NONE);

	if (!h)
		return off;
	pkt_put16(h, tci);
	pkt_expect_next(p, PKT_NEXT_ETHERTYPE, off + 2);
	return off;
}

size_t pkt_arp(struct pkt *p, uint16_t op, const char *sender_ip, const char *target_ip)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 28, PKT_ETH_P_ARP, PKT_NONE);

	if (!h)
		return off;
	pkt_put16(h, 1);              /* Ethernet */
	pkt_put16(h + 2, PKT_ETH_P_IP);
	h[4] = 6;
	h[5] = 4;
	pkt_put16(h + 6, op);
	memcpy(h + 8, default_src_mac, 6);
	put_addr(p, AF_INET, sender_ip, "192.0.2.1", h + 14);
	put_addr(p, AF_INET, target_ip, "198.51.100.2", h + 24);
	return off;
}

size_t pkt_ip4(struct pkt *p, const struct pkt_ip4 *o)
{
	static const struct pkt_ip4 defaults;
	size_t off = p->len, optlen, hlen;
	uint8_t *h;

	if (!o)
		o = &defaults;
	optlen = (o->opts_len + 3u) & ~3u;
	if (optlen > 40) {
		pkt_fail(p, "IPv4 options longer than 40 bytes");
		return off;
	}
	hlen = 20 + optlen;
	h = pkt_begin(p, hlen, PKT_ETH_P_IP, PKT_NH_IPIP);
	if (!h)
		return off;
	h[0] = o->ver_ihl ? o->ver_ihl : (uint8_t)(4 << 4 | hlen / 4);
	h[1] = o->tos;
	pkt_put16(h + 2, o->tot_len);
	pkt_put16(h + 4, o->id);
	pkt_put16(h + 6, (uint16_t)(o->flags | (o->frag & 0x1fff)));
	h[8] = o->ttl ? o->ttl : 64;
	h[9] = o->proto;
	put_addr(p, AF_INET, o->src, "192.0.2.1", h + 12);
	put_addr(p, AF_INET, o->dst, "198.51.100.2", h + 16);
	if (o->opts_len)
		memcpy(h + 20, o->opts, o->opts_len); /* the rest stays 0: EOL padding */
	pkt_add_layer(p, PKT_K_IP4, off, hlen, o->tot_len != 0);
	pkt_expect_next(p, PKT_NEXT_IPPROTO, off + 9);
	return off;
}

size_t pkt_ip6(struct pkt *p, const struct pkt_ip6 *o)
{
	static const struct pkt_ip6 defaults;
	size_t off = p->len;
	uint8_t *h;

	if (!o)
		o = &defaults;
	h = pkt_begin(p, 40, PKT_ETH_P_IPV6, PKT_NH_IPV6);
	if (!h)
		return off;
	pkt_put32(h, (uint32_t)(o->version ? o->version : 6) << 28 | (uint32_t)o->tclass << 20 |
		     (o->flow & 0xfffff));
	pkt_put16(h + 4, o->plen);
	h[6] = o->nexthdr;
	h[7] = o->hlim ? o->hlim : 64;
	put_addr(p, AF_INET6, o->src, "2001:db8::1", h + 8);
	put_addr(p, AF_INET6, o->dst, "2001:db8::2", h + 24);
	pkt_add_layer(p, PKT_K_IP6, off, 40, o->plen != 0);
	pkt_expect_next(p, PKT_NEXT_IPPROTO, off + 6);
	return off;
}

/* An IPv6 extension header of `size` bytes: a next-header byte, then a
 * length byte counting `unit`-byte units minus `bias`. */
static uint8_t *ip6_ext(struct pkt *p, uint8_t type, size_t size, size_t unit, size_t bias)
{
	size_t off = p->len;
	uint8_t *h;

	if (size < 8 || size % unit || size / unit - bias > 255) {
		pkt_fail(p, "IPv6 extension header size out of range");
		return NULL;
	}
	h = pkt_begin(p, size, PKT_NONE, type);
	if (!h)
		return NULL;
	h[1] = (uint8_t)(size / unit - bias);
	pkt_expect_next(p, PKT_NEXT_IPPROTO, off);
	return h;
}

/* hop-by-hop or destination options, filled with one PadN option */
size_t pkt_ip6_opts(struct pkt *p, uint8_t type, size_t size)
{
	size_t off = p->len;
	uint8_t *h = ip6_ext(p, type, size, 8, 1);

	if (h) {
		h[2] = 1;                     /* PadN */
		h[3] = (uint8_t)(size - 4);
	}
	return off;
}

/* routing header with naddrs addresses and no segments left */
size_t pkt_ip6_rh(struct pkt *p, uint8_t type, unsigned naddrs)
{
	size_t off = p->len;
	uint8_t *h = ip6_ext(p, PKT_NH_ROUTING, 8 + 16 * (size_t)naddrs, 8, 1);

	if (h)
		h[2] = type;
	return off;
}

size_t pkt_ip6_frag(struct pkt *p, uint16_t offset8, bool more, uint32_t id)
{
	size_t off = p->len;
	/* the length byte is reserved (0): 8 bytes in units of 8, minus 1 */
	uint8_t *h = ip6_ext(p, PKT_NH_FRAGMENT, 8, 8, 1);

	if (h) {
		pkt_put16(h + 2, (uint16_t)(offset8 << 3 | more));
		pkt_put32(h + 4, id);
	}
	return off;
}

/* authentication header: 12 fixed bytes plus the ICV; length in 4-byte
 * units minus 2 (RFC 4302) */
size_t pkt_ip6_ah(struct pkt *p, size_t icv_len)
{
	size_t off = p->len;
	uint8_t *h = ip6_ext(p, PKT_NH_AUTH, 12 + icv_len, 4, 2);

	if (h) {
		pkt_put32(h + 4, 0x100); /* SPI */
		pkt_put32(h + 8, 1);     /* sequence number */
	}
	return off;
}

size_t pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 8, PKT_NONE, PKT_NH_UDP);

	if (!h)
		return off;
	pkt_put16(h, sport);
	pkt_put16(h + 2, dport);
	pkt_add_layer(p, PKT_K_UDP, off, 8, false);
	return off;
}

size_t pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 20, PKT_NONE, PKT_NH_TCP);

	if (!h)
		return off;
	pkt_put16(h, sport);
	pkt_put16(h + 2, dport);
	pkt_put32(h + 4, 1);     /* sequence number */
	h[12] = 5 << 4;          /* data offset: no options */
	h[13] = flags;
	pkt_put16(h + 14, 65535);
	pkt_add_layer(p, PKT_K_TCP, off, 20, false);
	return off;
}

/* ICMP and ICMPv6 share the first 8 bytes: type, code, checksum, rest */
static size_t icmp(struct pkt *p, int proto, enum pkt_kind kind, uint8_t type, uint8_t code)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 8, PKT_NONE, proto);

	if (!h)
		return off;
	h[0] = type;
	h[1] = code;
	pkt_add_layer(p, kind, off, 8, false);
	return off;
}

size_t pkt_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	return icmp(p, PKT_NH_ICMP, PKT_K_ICMP, type, code);
}

size_t pkt_icmp6(struct pkt *p, uint8_t type, uint8_t code)
{
	return icmp(p, PKT_NH_ICMPV6, PKT_K_ICMP6, type, code);
}

/* IGMPv1/v2 message; push group records after it for v3 */
size_t pkt_igmp(struct pkt *p, uint8_t type, uint8_t max_resp, const char *group)
{
	size_t off = p->len;
	uint8_t *h = pkt_begin(p, 8, PKT_NONE, PKT_NH_IGMP);

	if (!h)
		return off;
	h[0] = type;
	h[1] = max_resp;
	put_addr(p, AF_INET, group, "0.0.0.0", h + 4);
	pkt_add_layer(p, PKT_K_IGMP, off, 8, false);
	return off;
}
