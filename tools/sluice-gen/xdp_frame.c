/* The template frame of xdp mode: Ethernet, IPv4 or IPv6, UDP, a zeroed
 * payload of --size bytes, with the first address and port of each range.
 * The BPF program (bpf/gen_xdp.bpf.c) rewrites addresses, ports and
 * checksums per frame, starting from the checksums computed here.
 */
#include "gen.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <string.h>

#include "sluice/gen_xdp.h"

/* one's complement sum of 16-bit words as they sit in memory */
static uint32_t sum16(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint16_t w;

	for (; len > 1; len -= 2, b += 2) {
		memcpy(&w, b, 2);
		sum += w;
	}
	if (len) {
		w = 0;
		memcpy(&w, b, 1); /* the odd byte, padded with a zero */
		sum += w;
	}
	return sum;
}

size_t gen_xdp_frame(const struct gen_opts *o, const uint8_t src_mac[6],
		     uint8_t *buf, size_t len, struct sl_gen_xdp_cfg *cfg)
{
	bool v6 = o->dst.family == AF_INET6;
	size_t ip_len = v6 ? SL_GEN_XDP_IP6_LEN : SL_GEN_XDP_IP4_LEN;
	size_t l4 = SL_GEN_XDP_ETH_LEN + ip_len;
	size_t total = l4 + SL_GEN_XDP_UDP_LEN + o->size;
	struct ethhdr *eth = (struct ethhdr *)buf;
	struct udphdr *udp = (struct udphdr *)(buf + l4);
	uint16_t udp_len = (uint16_t)(SL_GEN_XDP_UDP_LEN + o->size);

	if (total > len)
		return 0;
	memset(buf, 0, total);
	memset(cfg, 0, sizeof(*cfg));
	memcpy(eth->h_dest, o->xdp.dst_mac, ETH_ALEN);
	memcpy(eth->h_source, src_mac, ETH_ALEN);
	eth->h_proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	udp->source = htons(o->sport_lo);
	udp->dest = htons(o->xdp.dport_lo);
	udp->len = htons(udp_len);
	if (v6) {
		struct ipv6hdr *ip6 = (struct ipv6hdr *)(buf + SL_GEN_XDP_ETH_LEN);
		uint32_t sum = 0;

		ip6->version = 6;
		ip6->payload_len = htons(udp_len);
		ip6->nexthdr = IPPROTO_UDP;
		ip6->hop_limit = 64;
		ip6->saddr = ((const struct sockaddr_in6 *)&o->src.ss)->sin6_addr;
		ip6->daddr = ((const struct sockaddr_in6 *)&o->dst.ss)->sin6_addr;
		/* pseudo header: addresses, length, next header; then UDP and payload */
		sum = sum16(sum, &ip6->saddr, 32);
		sum += htons(udp_len) + htons(IPPROTO_UDP);
		sum = sum16(sum, udp, udp_len);
		udp->check = sl_csum_fold(sum) ?: 0xffff;
		cfg->family = SL_FAMILY_IPV6;
		cfg->udp_csum = udp->check;
	} else {
		struct iphdr *ip = (struct iphdr *)(buf + SL_GEN_XDP_ETH_LEN);

		ip->version = 4;
		ip->ihl = 5;
		ip->tot_len = htons((uint16_t)(ip_len + udp_len));
		ip->frag_off = htons(0x4000); /* DF */
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->saddr = ((const struct sockaddr_in *)&o->src.ss)->sin_addr.s_addr;
		ip->daddr = ((const struct sockaddr_in *)&o->dst.ss)->sin_addr.s_addr;
		ip->check = sl_csum_fold(sum16(0, ip, ip_len));
		cfg->family = SL_FAMILY_IPV4;
		cfg->ip_csum = ip->check;
	}
	cfg->src_n = o->xdp.src_n;
	cfg->dst_n = o->xdp.dst_n;
	cfg->src_lo = gen_addr_low32(&o->src);
	cfg->dst_lo = gen_addr_low32(&o->dst);
	cfg->sport_lo = o->sport_lo;
	cfg->sport_n = (uint32_t)(o->sport_hi - o->sport_lo) + 1;
	cfg->dport_lo = o->xdp.dport_lo;
	cfg->dport_n = (uint32_t)(o->xdp.dport_hi - o->xdp.dport_lo) + 1;
	return total;
}
