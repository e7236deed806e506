/* The frame builder every BPF fixture relies on: layouts, protocol
 * chaining, lengths and checksums against vectors computed independently
 * (RFC 791 example header; the rest by a separate Python script). Needs no
 * privileges. */
#include <criterion/criterion.h>

#include <string.h>

#include "pkt.h"

static uint8_t buf[PKT_MAX];
static struct pkt p;

static void setup(void)
{
	memset(buf, 0, sizeof(buf));
	pkt_init(&p, buf, sizeof(buf));
}

TestSuite(pkt, .init = setup);

static uint16_t at16(size_t off)
{
	return (uint16_t)(buf[off] << 8 | buf[off + 1]);
}

/* the default IPv4 UDP frame most drop fixtures use */
static void v4_udp(void)
{
	pkt_eth(&p, NULL, NULL);
	pkt_ip4(&p, NULL);
	pkt_udp(&p, 5353, 53);
	pkt_fill(&p, 0xab, 16);
	pkt_finish(&p);
	cr_assert(pkt_ok(&p), "%s", p.error);
}

Test(pkt, ipv4_header_matches_the_classic_example)
{
	/* 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 */
	static const uint8_t want[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0xb8, 0x61,
					  192, 168, 0, 1, 192, 168, 0, 199 };

	pkt_ip4(&p, &(const struct pkt_ip4){ .src = "192.168.0.1", .dst = "192.168.0.199",
					     .flags = PKT_IP4_DF });
	pkt_udp(&p, 1, 2);
	pkt_fill(&p, 0, 0x73 - 28);
	pkt_finish(&p);
	cr_assert(pkt_ok(&p));
	cr_assert_eq(p.len, 0x73);
	cr_assert_arr_eq(buf, want, sizeof(want));
}

Test(pkt, ipv4_udp_lengths_and_checksums)
{
	v4_udp();
	cr_assert_eq(p.len, 14 + 20 + 8 + 16);
	cr_assert_eq(at16(12), PKT_ETH_P_IP);
	cr_assert_eq(buf[14 + 9], PKT_NH_UDP);
	cr_assert_eq(at16(14 + 2), 44, "IPv4 total length");
	cr_assert_eq(at16(14 + 10), 0x8e8a, "IPv4 header checksum");
	cr_assert_eq(at16(34 + 4), 24, "UDP length");
	cr_assert_eq(at16(34 + 6), 0xa10b, "UDP checksum");
}

Test(pkt, tcp_and_igmp_checksums)
{
	pkt_ip4(&p, NULL);
	pkt_tcp(&p, 40000, 443, 0x02);
	pkt_finish(&p);
	cr_assert_eq(buf[9], PKT_NH_TCP);
	cr_assert_eq(at16(20 + 16), 0x25af, "TCP checksum");

	setup();
	pkt_ip4(&p, NULL);
	pkt_igmp(&p, 0x16, 0, "239.1.1.1");
	pkt_finish(&p);
	cr_assert_eq(buf[9], PKT_NH_IGMP);
	cr_assert_eq(at16(20 + 2), 0xf9fc, "IGMP checksum");
}

Test(pkt, ipv6_udp_and_icmpv6_checksums)
{
	pkt_eth(&p, NULL, NULL);
	pkt_ip6(&p, NULL);
	pkt_udp(&p, 5353, 53);
	pkt_fill(&p, 0xab, 16);
	pkt_finish(&p);
	cr_assert_eq(at16(12), PKT_ETH_P_IPV6);
	cr_assert_eq(buf[14] >> 4, 6);
	cr_assert_eq(buf[14 + 6], PKT_NH_UDP);
	cr_assert_eq(at16(14 + 4), 24, "payload length");
	cr_assert_eq(at16(54 + 6), 0x31ce, "UDP checksum");

	setup();
	pkt_ip6(&p, NULL);
	pkt_icmp6(&p, 128, 0);
	pkt_fill(&p, 0xab, 16);
	pkt_finish(&p);
	cr_assert_eq(buf[6], PKT_NH_ICMPV6);
	cr_assert_eq(at16(40 + 2), 0xc6da, "ICMPv6 checksum");
}

Test(pkt, vlan_tags_stack)
{
	pkt_eth(&p, NULL, NULL);
	pkt_vlan(&p, PKT_ETH_P_8021AD, 100);
	pkt_vlan(&p, PKT_ETH_P_8021Q, 200);
	pkt_ip4(&p, NULL);
	pkt_finish(&p);
	cr_assert_eq(at16(12), PKT_ETH_P_8021AD);
	cr_assert_eq(at16(14), 100);
	cr_assert_eq(at16(16), PKT_ETH_P_8021Q);
	cr_assert_eq(at16(18), 200);
	cr_assert_eq(at16(20), PKT_ETH_P_IP);
	cr_assert_eq(buf[22], 0x45);
}

Test(pkt, ipv6_extension_chain)
{
	size_t ip, hbh, dst, rh, frag, ah, udp;

	ip = pkt_ip6(&p, NULL);
	hbh = pkt_ip6_opts(&p, PKT_NH_HOP, 16);
	dst = pkt_ip6_opts(&p, PKT_NH_DEST, 8);
	rh = pkt_ip6_rh(&p, 2, 1);
	frag = pkt_ip6_frag(&p, 185, true, 0x01020304);
	ah = pkt_ip6_ah(&p, 4);
	udp = pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	cr_assert(pkt_ok(&p), "%s", p.error);
	cr_assert_eq(hbh, 40);
	cr_assert_eq(dst, 56);
	cr_assert_eq(rh, 64);
	cr_assert_eq(frag, 88);
	cr_assert_eq(ah, 96);
	cr_assert_eq(udp, 112);
	/* next-header chain */
	cr_assert_eq(buf[ip + 6], PKT_NH_HOP);
	cr_assert_eq(buf[hbh], PKT_NH_DEST);
	cr_assert_eq(buf[dst], PKT_NH_ROUTING);
	cr_assert_eq(buf[rh], PKT_NH_FRAGMENT);
	cr_assert_eq(buf[frag], PKT_NH_AUTH);
	cr_assert_eq(buf[ah], PKT_NH_UDP);
	/* length fields: 8-byte units - 1; AH 4-byte units - 2 */
	cr_assert_eq(buf[hbh + 1], 1);
	cr_assert_eq(buf[hbh + 2], 1, "PadN");
	cr_assert_eq(buf[hbh + 3], 12);
	cr_assert_eq(buf[dst + 1], 0);
	cr_assert_eq(buf[rh + 1], 2);
	cr_assert_eq(buf[rh + 2], 2, "routing type");
	cr_assert_eq(at16(frag + 2), 185 << 3 | 1, "offset and M");
	cr_assert_eq(buf[ah + 1], 2);
	cr_assert_eq(at16(ip + 4), 120 - 40, "payload length");
}

Test(pkt, ipv4_options_and_fragments)
{
	static const uint8_t ra[] = { 0x94, 4, 0, 0 };
	static const uint8_t three[] = { 1, 1, 1 };

	pkt_ip4(&p, &(const struct pkt_ip4){ .opts = ra, .opts_len = 4, .flags = PKT_IP4_MF,
					     .frag = 185, .id = 7 });
	pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	cr_assert_eq(buf[0], 0x46);
	cr_assert_arr_eq(buf + 20, ra, 4);
	cr_assert_eq(at16(4), 7);
	cr_assert_eq(at16(6), 0x2000 | 185);
	cr_assert_eq(buf[24 + 0], 0, "UDP after the options");
	cr_assert_eq(buf[24 + 1], 1);

	setup(); /* odd option length: padded with EOL to a 4-byte boundary */
	pkt_ip4(&p, &(const struct pkt_ip4){ .opts = three, .opts_len = 3 });
	cr_assert_eq(p.len, 24);
	cr_assert_eq(buf[0], 0x46);
	cr_assert_eq(buf[23], 0);
}

Test(pkt, malformed_fields_survive_finish)
{
	pkt_ip4(&p, &(const struct pkt_ip4){ .ver_ihl = 0x44, .tot_len = 1000 });
	pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	cr_assert_eq(buf[0], 0x44);
	cr_assert_eq(at16(2), 1000);

	setup();
	pkt_ip6(&p, &(const struct pkt_ip6){ .version = 5, .plen = 9 });
	pkt_finish(&p);
	cr_assert_eq(buf[0] >> 4, 5);
	cr_assert_eq(at16(4), 9);
}

Test(pkt, tunnels_chain_ip_protocols)
{
	pkt_ip4(&p, NULL);
	pkt_ip4(&p, NULL);
	pkt_ip6(&p, NULL);
	pkt_finish(&p);
	cr_assert_eq(buf[9], PKT_NH_IPIP);
	cr_assert_eq(buf[20 + 9], PKT_NH_IPV6);
	cr_assert_eq(at16(2), 80);
	cr_assert_eq(at16(20 + 2), 60);
}

Test(pkt, arp_and_raw_ethertype)
{
	pkt_eth(&p, NULL, NULL);
	pkt_arp(&p, 1, "192.0.2.1", "192.0.2.254");
	cr_assert_eq(p.len, 14 + 28);
	cr_assert_eq(at16(12), PKT_ETH_P_ARP);
	cr_assert_eq(at16(14 + 6), 1);
	cr_assert_eq(buf[14 + 27], 254);

	setup();
	pkt_eth(&p, NULL, NULL);
	pkt_set_next(&p, 0x88b5);
	pkt_ip4(&p, NULL); /* the explicit ethertype stays */
	cr_assert_eq(at16(12), 0x88b5);
}

Test(pkt, truncate_keeps_the_claimed_lengths)
{
	v4_udp();
	pkt_truncate(&p, 14 + 10);
	cr_assert_eq(p.len, 24);
	cr_assert_eq(at16(14 + 2), 44);
	pkt_truncate(&p, 100); /* never grows */
	cr_assert_eq(p.len, 24);
}

Test(pkt, errors_are_kept_and_writes_bounded)
{
	uint8_t small[20 + 4];
	struct pkt q;

	memset(small, 0x5a, sizeof(small));
	pkt_init(&q, small, 20);
	pkt_eth(&q, NULL, NULL);
	pkt_ip4(&q, NULL);
	cr_assert_not(pkt_ok(&q));
	cr_assert_str_eq(q.error, "frame does not fit the buffer");
	cr_assert_eq(q.len, 14);
	cr_assert_eq(small[20], 0x5a, "wrote past the buffer");
	pkt_udp(&q, 1, 2); /* later pushes do nothing */
	cr_assert_eq(q.len, 14);

	pkt_ip4(&p, &(const struct pkt_ip4){ .src = "300.1.1.1" });
	cr_assert_str_eq(p.error, "bad IPv4 address");

	setup();
	pkt_set_next(&p, 1);
	cr_assert_not(pkt_ok(&p), "set_next with nothing pending");

	setup();
	pkt_udp(&p, 1, 2);
	pkt_finish(&p);
	pkt_fill(&p, 0, 1);
	cr_assert_str_eq(p.error, "push after pkt_finish");
}

Test(pkt, header_letters)
{
	uint8_t buf[256];
	struct pkt p;

	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, NULL, NULL);
	pkt_ip6(&p, NULL);
	for (const char *s = "HDFAu"; *s; s++)
		cr_assert(pkt_push_letter(&p, *s), "letter %c", *s);
	pkt_finish(&p);
	cr_assert(pkt_ok(&p));
	/* eth 14 + ipv6 40 + hop 8 + dest 8 + fragment 8 + AH 16 + udp 8 */
	cr_assert_eq(p.len, 14 + 40 + 8 + 8 + 8 + 16 + 8);
	cr_assert_eq(buf[14 + 6], 0 /* hop-by-hop */);

	pkt_init(&p, buf, sizeof(buf));
	pkt_eth(&p, NULL, NULL);
	cr_assert_not(pkt_push_letter(&p, 'Z'));
	cr_assert_not(pkt_ok(&p));
}
