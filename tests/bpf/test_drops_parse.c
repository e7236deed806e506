/* sl_parse_udp_copy() (bpf/lib/ip_copy.h), the parser behind drop tracing,
 * run in the kernel on fixture frames through the drops_parse tc harness.
 * Parser verdicts: 0 UDP (tuple filled), 1 not UDP or a non-first
 * fragment, -1 truncated or malformed. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drops_parse.h"
#include "drops_parse.skel.h"
#include "fixture.h"
#include "pkt.h"

#define TC_ACT_OK 0
#define SPORT 5353
#define DPORT 53
#define PAYLOAD 16
#define ETH_P_NEUTRAL 0x88b5 /* IEEE local experimental: test_run checks no L3 */

FX_SKELETON(drops_parse)

TestSuite(drops_parse, .init = setup, .fini = teardown);

/* ---- expectations --------------------------------------------------- */

struct want {
	int rc;
	__u8 family;       /* rc 0: the tuple must hold the default addresses of */
	__u16 sport, dport;  /* this family and these ports */
	bool check_len;
	__u32 len;         /* bytes the parser must have been given */
};

#define RC(x)  (&(const struct want){ .rc = (x) })
#define UDP4   (&(const struct want){ .rc = 0, .family = 4, .sport = SPORT, .dport = DPORT })
#define UDP6   (&(const struct want){ .rc = 0, .family = 6, .sport = SPORT, .dport = DPORT })

/* poison, so a row cannot pass on the previous row's result */
static void reset(void *ctx)
{
	struct dp_result *r = &((struct drops_parse_bpf *)ctx)->bss->dp_out;

	memset(r, 0xee, sizeof(*r));
	r->rc = DP_NOT_RUN;
	r->runs = 0;
}

static bool addr_is(const __u8 got[16], int family, const char *want_str)
{
	__u8 want[16] = { 0 };

	inet_pton(family == 4 ? AF_INET : AF_INET6, want_str, want);
	return memcmp(got, want, sizeof(want)) == 0;
}

static bool parsed(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	const struct dp_result *r = &((struct drops_parse_bpf *)ctx)->bss->dp_out;
	const struct want *w = c->arg;
	bool v4 = w->family == 4;

	if (r->runs != fx_repeat())
		return fx_fail(why, "program ran %u times, want %u", r->runs, fx_repeat());
	if (r->rc != w->rc)
		return fx_fail(why, "parser returned %d, want %d (%u bytes given)", r->rc, w->rc, r->len);
	if (w->check_len && r->len != w->len)
		return fx_fail(why, "parser was given %u bytes, want %u", r->len, w->len);
	if (w->rc != 0)
		return true;
	if (r->family != w->family || r->sport != w->sport || r->dport != w->dport)
		return fx_fail(why, "tuple family %u ports %u->%u, want %u %u->%u", r->family, r->sport,
			       r->dport, w->family, w->sport, w->dport);
	if (!addr_is(r->saddr, w->family, v4 ? "192.0.2.1" : "2001:db8::1") ||
	    !addr_is(r->daddr, w->family, v4 ? "198.51.100.2" : "2001:db8::2"))
		return fx_fail(why, "tuple addresses differ from the frame's");
	return true;
}

static struct fx_target target(void)
{
	return (struct fx_target){
		.name = "drops_parse", .prog_fd = bpf_program__fd(skel->progs.drops_parse),
		.reset = reset, .ctx = skel,
	};
}

/* The harness must never change a frame: out_same on every row. Tables
 * are automatic arrays because the compound literals in them are. */
#define ROW(d, b, barg, w) { .desc = (d), .build = (b), .build_arg = (barg), \
			     .retval = TC_ACT_OK, .out_same = true, .check = parsed, .arg = (w) }
#define N(rows) (sizeof(rows) / sizeof((rows)[0]))

/* ---- frames --------------------------------------------------------- */

/* Ethernet + IPv4 (options from the row, NULL = plain) + L4 named by `l4` */
static void v4_with(struct pkt *p, const struct pkt_ip4 *ip, char l4)
{
	pkt_eth(p, NULL, NULL);
	pkt_ip4(p, ip);
	switch (l4) {
	case 'u': pkt_udp(p, SPORT, DPORT); break;
	case 't': pkt_tcp(p, 40000, 443, 0x02); break;
	case 'i': pkt_icmp(p, 8, 0); break;
	case 'g': pkt_igmp(p, 0x16, 0, "239.1.1.1"); break;
	}
	pkt_fill(p, 0xab, PAYLOAD);
}

static void v4_udp(struct pkt *p, const void *ip) { v4_with(p, ip, 'u'); }
static void v4_tcp(struct pkt *p, const void *ip) { v4_with(p, ip, 't'); }
static void v4_icmp(struct pkt *p, const void *ip) { v4_with(p, ip, 'i'); }
static void v4_igmp(struct pkt *p, const void *ip) { v4_with(p, ip, 'g'); }

/* a full-size frame: the harness copies only the first 128 bytes */
static void v4_udp_1514(struct pkt *p, const void *arg)
{
	pkt_eth(p, NULL, NULL);
	pkt_ip4(p, arg);
	pkt_udp(p, SPORT, DPORT);
	pkt_fill(p, 0xab, 1514 - 42);
}

/* an IPv4 header behind the IPv6 ethertype: the parser trusts the version
 * nibble, as drops.bpf.c does once skb->protocol said "IP of some kind" */
static void v4_as_v6_ethertype(struct pkt *p, const void *arg)
{
	pkt_eth(p, NULL, NULL);
	pkt_set_next(p, PKT_ETH_P_IPV6);
	pkt_ip4(p, arg);
	pkt_udp(p, SPORT, DPORT);
	pkt_fill(p, 0xab, PAYLOAD);
}

/* IPv6 frames from a spec: one letter per extension header, then the L4
 * letter, then optionally "/N" to cut the frame N bytes into L3.
 *   H hop-by-hop (8)  D destination options (8)  R routing (24)
 *   F fragment, offset 0, more  f fragment, offset 800  o fragment, offset 8
 *   A AH (16)
 *   u UDP  t TCP  i ICMPv6  n no next header */
static void v6_spec(struct pkt *p, const void *arg)
{
	const char *s = arg;
	size_t l3;

	pkt_eth(p, NULL, NULL);
	l3 = pkt_ip6(p, NULL);
	for (; *s && *s != '/'; s++)
		if (!pkt_push_letter(p, *s))
			return;
	pkt_fill(p, 0xab, PAYLOAD);
	if (*s == '/')
		pkt_truncate(p, l3 + strtoul(s + 1, NULL, 10));
}

/* IPv6 + one hop-by-hop header of *arg bytes + UDP: where the UDP header
 * lands relative to the 128-byte copy */
static void v6_wide_hbh(struct pkt *p, const void *arg)
{
	pkt_eth(p, NULL, NULL);
	pkt_ip6(p, NULL);
	pkt_ip6_opts(p, PKT_NH_HOP, *(const size_t *)arg);
	pkt_udp(p, SPORT, DPORT);
	pkt_fill(p, 0xab, PAYLOAD);
}

/* a hop-by-hop header whose length byte claims 2048 bytes */
static void v6_hbh_liar(struct pkt *p, const void *arg)
{
	size_t hbh;

	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_ip6(p, NULL);
	hbh = pkt_ip6_opts(p, PKT_NH_HOP, 8);
	pkt_udp(p, SPORT, DPORT);
	pkt_fill(p, 0xab, PAYLOAD);
	p->buf[hbh + 1] = 255;
}

static void arp(struct pkt *p, const void *arg)
{
	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_arp(p, 1, "192.0.2.1", "192.0.2.254");
}

/* Ethernet header then raw bytes: *arg is the fill byte, count PAYLOAD*2 */
static void garbage(struct pkt *p, const void *arg)
{
	pkt_eth(p, NULL, NULL);
	pkt_set_next(p, ETH_P_NEUTRAL);
	pkt_fill(p, *(const uint8_t *)arg, 2 * PAYLOAD);
}

static void v6_version5(struct pkt *p, const void *arg)
{
	pkt_eth(p, NULL, NULL);
	pkt_ip6(p, &(const struct pkt_ip6){ .version = 5 });
	pkt_udp(p, SPORT, DPORT);
	pkt_fill(p, 0xab, PAYLOAD);
	(void)arg;
}

/* ---- tables --------------------------------------------------------- */

#define IP4(...) (&(const struct pkt_ip4){ __VA_ARGS__ })

static const uint8_t router_alert[] = { 0x94, 4, 0, 0 };
static const uint8_t record_route[39] = { 7, 39, 4 }; /* + 1 EOL = IHL 15 */

Test(drops_parse, ipv4)
{
	const struct fx_case rows[] = {
		ROW("ipv4 udp", v4_udp, NULL, UDP4),
		ROW("ipv4 udp, DF", v4_udp, IP4(.flags = PKT_IP4_DF), UDP4),
		ROW("ipv4 udp, router alert option (IHL 6)", v4_udp,
		    IP4(.opts = router_alert, .opts_len = sizeof(router_alert)), UDP4),
		ROW("ipv4 udp, 40 option bytes (IHL 15)", v4_udp,
		    IP4(.opts = record_route, .opts_len = sizeof(record_route)), UDP4),
		ROW("ipv4 udp, first fragment (MF, offset 0)", v4_udp, IP4(.flags = PKT_IP4_MF), UDP4),
		ROW("ipv4 udp, middle fragment (MF, offset 185)", v4_udp,
		    IP4(.flags = PKT_IP4_MF, .frag = 185), RC(1)),
		ROW("ipv4 udp, last fragment (offset 185)", v4_udp, IP4(.frag = 185), RC(1)),
		ROW("ipv4 udp, fragment offset 1", v4_udp, IP4(.frag = 1), RC(1)),
		ROW("ipv4 udp, fragment offset 0x1fff, DF", v4_udp,
		    IP4(.flags = PKT_IP4_DF, .frag = 0x1fff), RC(1)),
		ROW("ipv4 tcp", v4_tcp, NULL, RC(1)),
		ROW("ipv4 tcp, fragment offset 185", v4_tcp, IP4(.frag = 185), RC(1)),
		ROW("ipv4 icmp", v4_icmp, NULL, RC(1)),
		ROW("ipv4 igmp", v4_igmp, NULL, RC(1)),
		ROW("ipv4 udp, IHL 4", v4_udp, IP4(.ver_ihl = 0x44), RC(-1)),
		ROW("ipv4 udp, IHL 0", v4_udp, IP4(.ver_ihl = 0x40), RC(-1)),
		ROW("ipv4 udp, IHL 15 without options (past the frame)", v4_udp, IP4(.ver_ihl = 0x4f), RC(-1)),
		ROW("ipv4 udp, total length 1000 (not the parser's business)", v4_udp,
		    IP4(.tot_len = 1000), UDP4),
		ROW("ipv4 udp, 1514-byte frame (copy capped at 128)", v4_udp_1514, NULL,
		    (&(const struct want){ .family = 4, .sport = SPORT, .dport = DPORT,
					   .check_len = true, .len = 128 })),
		ROW("ipv4 behind the IPv6 ethertype (version nibble decides)", v4_as_v6_ethertype, NULL, UDP4),
		ROW("version nibble 5", v4_udp, IP4(.ver_ihl = 0x55), RC(-1)),
		ROW("version nibble 0", v4_udp, IP4(.ver_ihl = 0x05), RC(-1)),
	};
	struct fx_target t = target();

	fx_run_table(&t, rows, N(rows));
}

Test(drops_parse, ipv6)
{
	const struct fx_case rows[] = {
		ROW("ipv6 udp", v6_spec, "u", UDP6),
		ROW("ipv6 hop-by-hop + udp", v6_spec, "Hu", UDP6),
		ROW("ipv6 routing header + udp", v6_spec, "Ru", UDP6),
		ROW("ipv6 fragment (offset 0, MF) + udp", v6_spec, "Fu", UDP6),
		ROW("ipv6 hop-by-hop, dest opts, fragment (offset 0), AH + udp", v6_spec, "HDFAu", UDP6),
		ROW("ipv6 6 extension headers + udp (the limit)", v6_spec, "HDRDFAu", UDP6),
		ROW("ipv6 7 extension headers + udp (chain too long)", v6_spec, "HDDDDDDu", RC(-1)),
		ROW("ipv6 fragment offset 800 + udp", v6_spec, "fu", RC(1)),
		ROW("ipv6 hop-by-hop, fragment offset 800 + udp", v6_spec, "Hfu", RC(1)),
		ROW("ipv6 fragment offset 8 (the lowest offset bit) + udp", v6_spec, "ou", RC(1)),
		ROW("ipv6 tcp", v6_spec, "t", RC(1)),
		ROW("ipv6 hop-by-hop + tcp", v6_spec, "Ht", RC(1)),
		ROW("ipv6 icmpv6", v6_spec, "6", RC(1)),
		ROW("ipv6 no next header", v6_spec, "n", RC(1)),
		ROW("ipv6 hop-by-hop + no next header", v6_spec, "Hn", RC(1)),
		/* Pins today's behaviour: exactly SL_IP6_MAX_EXT headers then a
		 * non-UDP protocol reads as "chain too long" (-1), not "not UDP"
		 * (1), because the loop ran out before it could break. */
		ROW("ipv6 6 extension headers + tcp", v6_spec, "HDRDFAt", RC(1)),
		ROW("ipv6 udp ending exactly at the 128-byte copy", v6_wide_hbh, &(const size_t){ 80 }, UDP6),
		ROW("ipv6 udp starting past the 128-byte copy", v6_wide_hbh, &(const size_t){ 88 }, RC(-1)),
		ROW("ipv6 hop-by-hop claiming 2048 bytes", v6_hbh_liar, NULL, RC(-1)),
		ROW("ipv6 truncated inside the hop-by-hop header", v6_spec, "HDFAu/44", RC(-1)),
		ROW("ipv6 truncated inside the AH header", v6_spec, "HDFAu/70", RC(-1)),
		ROW("ipv6 truncated inside udp", v6_spec, "HDFAu/85", RC(-1)),
		ROW("ipv6 cut right after the udp header", v6_spec, "HDFAu/88", UDP6),
		ROW("ipv6 header, version nibble 5", v6_version5, NULL, RC(-1)),
	};
	struct fx_target t = target();

	fx_run_table(&t, rows, N(rows));
}

Test(drops_parse, not_ip)
{
	const struct fx_case rows[] = {
		ROW("arp request", arp, NULL, RC(-1)),
		ROW("0x00 bytes (version 0)", garbage, &(const uint8_t){ 0x00 }, RC(-1)),
		ROW("0xff bytes (version 15)", garbage, &(const uint8_t){ 0xff }, RC(-1)),
		ROW("0x45 bytes (IPv4-shaped, protocol 0x45)", garbage, &(const uint8_t){ 0x45 }, RC(1)),
		ROW("0x60 bytes (IPv6-shaped, 32 bytes)", garbage, &(const uint8_t){ 0x60 }, RC(-1)),
	};
	struct fx_target t = target();

	fx_run_table(&t, rows, N(rows));
}

/* Since a 2026 syzbot fix (in 6.18.y stable), test_run refuses an skb whose
 * IPv4/IPv6 ethertype promises more L3 bytes than the frame has (EINVAL);
 * older kernels run it. The harness ignores the ethertype, so a frame cut
 * inside its IP header gets a neutral one: the parser sees the same bytes
 * on every kernel. */
static void neutral_if_short(uint8_t *frame, size_t l3_len)
{
	uint16_t type = (uint16_t)(frame[12] << 8 | frame[13]);

	if ((type == PKT_ETH_P_IP && l3_len < 20) || (type == PKT_ETH_P_IPV6 && l3_len < 40)) {
		frame[12] = ETH_P_NEUTRAL >> 8;
		frame[13] = ETH_P_NEUTRAL & 0xff;
	}
}

/* Rows cutting a built frame to every L3 length in [from, to]. */
static void sweep(const char *name, void (*build)(struct pkt *, const void *), const void *arg,
		  size_t from, size_t to, const struct want *w)
{
	struct fx_target t = target();
	uint8_t full[PKT_MAX], cut[PKT_MAX];
	struct pkt p;

	pkt_init(&p, full, sizeof(full));
	build(&p, arg);
	pkt_finish(&p);
	cr_assert(pkt_ok(&p) && to + 14 <= p.len, "%s: bad sweep frame", name);
	for (size_t n = from; n <= to; n++) {
		struct want wn = *w;
		char desc[96];

		memcpy(cut, full, 14 + n);
		neutral_if_short(cut, n);
		wn.check_len = true;
		wn.len = (__u32)n;
		snprintf(desc, sizeof(desc), "%s cut to %zu L3 bytes", name, n);
		fx_run(&t, &(const struct fx_case){
			.desc = desc, .in = cut, .in_len = (__u32)(14 + n), .retval = TC_ACT_OK,
			.out_same = true, .check = parsed, .arg = &wn,
		});
	}
}

Test(drops_parse, truncated)
{
	const struct pkt_ip4 ra = { .opts = router_alert, .opts_len = sizeof(router_alert) };

	sweep("ipv4 udp", v4_udp, NULL, 1, 27, RC(-1));
	sweep("ipv4 udp", v4_udp, NULL, 28, 28, UDP4); /* complete headers parse */
	sweep("ipv4+router alert udp", v4_udp, &ra, 1, 31, RC(-1));
	sweep("ipv4+router alert udp", v4_udp, &ra, 32, 32, UDP4);
	sweep("ipv6 udp", v6_spec, "u", 1, 47, RC(-1));
	sweep("ipv6 udp", v6_spec, "u", 48, 48, UDP6);
	sweep("ipv6 HDFA udp", v6_spec, "HDFAu", 1, 87, RC(-1));
	sweep("ipv6 HDFA udp", v6_spec, "HDFAu", 88, 88, UDP6);
}

/* BPF_PROG_TEST_RUN refuses skb input shorter than ETH_HLEN with EINVAL
 * (every kernel since test_run exists), so a tc program never sees it; the
 * shortest frame it runs on is a bare Ethernet header, whose empty L3 the
 * parser rejects. */
Test(drops_parse, shorter_than_ethernet)
{
	static const uint8_t frame[14] = { 0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1,
					   ETH_P_NEUTRAL >> 8, ETH_P_NEUTRAL & 0xff };
	struct fx_target t = target();
	char desc[14][48];

	for (__u32 n = 0; n < 14; n++) {
		snprintf(desc[n], sizeof(desc[n]), "%u-byte frame: test_run says EINVAL", n);
		fx_run(&t, &(const struct fx_case){ .desc = desc[n], .in = frame, .in_len = n, .err = -EINVAL });
	}
	fx_run(&t, &(const struct fx_case){
		.desc = "bare Ethernet header: empty L3", .in = frame, .in_len = 14, .retval = TC_ACT_OK,
		.out_same = true, .check = parsed,
		.arg = &(const struct want){ .rc = -1, .check_len = true, .len = 0 },
	});
}
