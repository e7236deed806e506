/* sl_parse() (bpf/lib/parse.h), the packet parser every XDP and tc
 * program shares, run in the kernel on fixture frames from both hooks:
 * VLAN/QinQ, IPv4 options and fragments, IPv6 extension headers and
 * fragments, TCP/UDP/SCTP ports, ICMP, and every truncation. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sluice/packet.h" /* before the skeleton, which uses struct sl_pkt */
#include "fixture.h"
#include "parse_harness.skel.h"
#include "pkt.h"

#define XDP_PASS 2
#define TC_ACT_OK 0
#define ANY 0xffff /* an offset the row does not check */

FX_SKELETON(parse_harness)

TestSuite(parse, .init = setup, .fini = teardown);

/* ---- frames ------------------------------------------------------------
 * One spec per frame: L2 tags, then '4' or '6', then IPv6 extension
 * headers, then the L4 letter; `cut` > 0 truncates the frame there.
 *   tags: q 802.1Q (VLAN 100)  a 802.1AD (VLAN 200)
 *   then the letters of pkt_push_letter() (pkt.h): extension headers, L4
 */
struct frame {
	const char *spec;
	const struct pkt_ip4 *ip4;
	size_t cut;
};

static void build(struct pkt *p, const void *arg)
{
	const struct frame *f = arg;
	static const struct pkt_ip4 plain = { 0 };
	const char *s = f->spec;

	pkt_eth(p, NULL, NULL);
	for (; *s == 'q' || *s == 'a'; s++)
		pkt_vlan(p, *s == 'q' ? 0x8100 : 0x88a8, *s == 'q' ? 100 : 200);
	if (*s == '4')
		pkt_ip4(p, f->ip4 ? f->ip4 : &plain);
	else if (*s == '6')
		pkt_ip6(p, &(struct pkt_ip6){ 0 });
	else if (*s == 'r')
		pkt_arp(p, 1, "192.0.2.1", "192.0.2.2");
	for (s++; *s; s++)
		if (!pkt_push_letter(p, *s))
			return;
	pkt_fill(p, 0xab, 16);
	if (f->cut)
		pkt_truncate(p, f->cut);
}

/* ---- expectations ------------------------------------------------------- */

struct want {
	__u8 status, family, l4, frag, nvlan, has_ports;
	__u16 vlan0, vlan1, sport, dport;
	__u8 icmp_type, icmp_code;
	__u16 l3_off, l4_off; /* ANY: not checked */
};

static void reset(void *ctx)
{
	struct parse_harness_bpf *s = ctx;

	memset(&s->bss->parse_out, 0xee, sizeof(s->bss->parse_out));
	s->bss->parse_runs = 0;
}

#define CHECK(field)                                                                       \
	if (r->field != w->field)                                                          \
		return fx_fail(why, #field " is %u, want %u", (unsigned)r->field, (unsigned)w->field)

static bool parsed(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	const struct parse_harness_bpf *s = ctx;
	const struct sl_pkt *r = &s->bss->parse_out;
	const struct want *w = c->arg;

	if (s->bss->parse_runs != fx_repeat())
		return fx_fail(why, "ran %u times, want %u", s->bss->parse_runs, fx_repeat());
	CHECK(status);
	if (w->status != SL_PARSE_OK)
		return true;
	CHECK(family);
	if (r->l4_proto != w->l4)
		return fx_fail(why, "l4_proto is %u, want %u", r->l4_proto, w->l4);
	CHECK(frag);
	CHECK(nvlan);
	if (r->vlan_id[0] != w->vlan0 || r->vlan_id[1] != w->vlan1)
		return fx_fail(why, "vlans %u/%u, want %u/%u", r->vlan_id[0], r->vlan_id[1], w->vlan0, w->vlan1);
	CHECK(has_ports);
	if (w->has_ports) {
		CHECK(sport);
		CHECK(dport);
	}
	CHECK(icmp_type);
	CHECK(icmp_code);
	if (w->l3_off != ANY)
		CHECK(l3_off);
	if (w->l4_off != ANY)
		CHECK(l4_off);
	return true;
}

#define OK4(...) (&(const struct want){ .status = SL_PARSE_OK, .family = 4, __VA_ARGS__ })
#define OK6(...) (&(const struct want){ .status = SL_PARSE_OK, .family = 6, __VA_ARGS__ })
#define ST(s)    (&(const struct want){ .status = (s) })
#define UDP      .l4 = 17, .has_ports = 1, .sport = 5353, .dport = 53
#define TCP      .l4 = 6, .has_ports = 1, .sport = 40000, .dport = 443
#define SCTP     .l4 = 132, .has_ports = 1, .sport = 2905, .dport = 2906
#define FR(sp, ...) (&(const struct frame){ .spec = (sp), __VA_ARGS__ })
#define ROW(d, f, w, v) { .desc = (d), .build = build, .build_arg = (f), .retval = (v), \
			  .out_same = true, .check = parsed, .arg = (w) }
#define N(rows) (sizeof(rows) / sizeof((rows)[0]))

static const uint8_t ip4_opts[8] = { 0x07, 0x07, 0x04, 0, 0, 0, 0, 0 }; /* record route + EOL */

/* complete frames: the same verdicts from XDP and from tc */
static size_t run_complete(const struct fx_target *t, __u32 verdict)
{
	const struct fx_case rows[] = {
		ROW("ipv4 udp", FR("4u"), OK4(UDP, .l3_off = 14, .l4_off = 34), verdict),
		ROW("ipv4 with options, tcp", FR("4t", .ip4 = &(struct pkt_ip4){ .opts = ip4_opts, .opts_len = 8 }),
		    OK4(TCP, .l3_off = 14, .l4_off = 42), verdict),
		ROW("ipv4 sctp", FR("4s"), OK4(SCTP, .l3_off = 14, .l4_off = 34), verdict),
		ROW("ipv4 icmp echo", FR("4i"), OK4(.l4 = 1, .icmp_type = 8, .l3_off = 14, .l4_off = 34), verdict),
		ROW("ipv4 igmp: no ports", FR("4g"), OK4(.l4 = 2, .l3_off = 14, .l4_off = ANY), verdict),
		ROW("ipv4 first fragment has its ports",
		    FR("4u", .ip4 = &(struct pkt_ip4){ .flags = PKT_IP4_MF }),
		    OK4(UDP, .frag = SL_FRAG_FIRST, .l3_off = 14, .l4_off = 34), verdict),
		ROW("ipv4 later fragment: no ports", FR("4u", .ip4 = &(struct pkt_ip4){ .frag = 10 }),
		    OK4(.l4 = 17, .frag = SL_FRAG_LATER, .l3_off = 14, .l4_off = 34), verdict),
		ROW("802.1Q ipv4 udp", FR("q4u"), OK4(UDP, .nvlan = 1, .vlan0 = 100, .l3_off = 18, .l4_off = 38),
		    verdict),
		ROW("QinQ ipv6 udp", FR("aq6u"),
		    OK6(UDP, .nvlan = 2, .vlan0 = 200, .vlan1 = 100, .l3_off = 22, .l4_off = 62), verdict),
		ROW("three tags: malformed", FR("aqq4u"), ST(SL_PARSE_MALFORMED), verdict),
		ROW("arp: not ip", FR("r"), ST(SL_PARSE_NOT_IP), verdict),
		ROW("ipv6 udp", FR("6u"), OK6(UDP, .l3_off = 14, .l4_off = 54), verdict),
		ROW("ipv6 sctp", FR("6s"), OK6(SCTP, .l3_off = 14, .l4_off = 54), verdict),
		ROW("ipv6 icmpv6 echo", FR("66"), OK6(.l4 = 58, .icmp_type = 128, .l3_off = 14, .l4_off = 54),
		    verdict),
		ROW("ipv6 hop, dest, routing, fragment 0, AH, tcp", FR("6HDRFAt"),
		    OK6(TCP, .frag = SL_FRAG_FIRST, .l3_off = 14, .l4_off = ANY), verdict),
		ROW("ipv6 later fragment: no ports", FR("6Hou"),
		    OK6(.l4 = 17, .frag = SL_FRAG_LATER, .l3_off = 14, .l4_off = 70), verdict),
		ROW("ipv6 six extension headers then udp", FR("6HDDDDDu"), OK6(UDP, .l3_off = 14, .l4_off = ANY),
		    verdict),
		ROW("ipv6 seven extension headers: malformed", FR("6HDDDDDDu"), ST(SL_PARSE_MALFORMED), verdict),
		ROW("ipv4 ihl 4: malformed", FR("4u", .ip4 = &(struct pkt_ip4){ .ver_ihl = 0x44 }),
		    ST(SL_PARSE_MALFORMED), verdict),
		ROW("ipv4 version 5: malformed", FR("4u", .ip4 = &(struct pkt_ip4){ .ver_ihl = 0x55 }),
		    ST(SL_PARSE_MALFORMED), verdict),
	};

	return fx_run_table(t, rows, N(rows));
}

static struct fx_target target(bool xdp)
{
	return (struct fx_target){
		.name = xdp ? "parse_xdp" : "parse_tc",
		.prog_fd = bpf_program__fd(xdp ? skel->progs.parse_xdp : skel->progs.parse_tc),
		.reset = reset, .ctx = skel,
	};
}

Test(parse, complete_frames_xdp)
{
	struct fx_target t = target(true);

	cr_assert_eq(run_complete(&t, XDP_PASS), 0, "failing rows above");
}

Test(parse, complete_frames_tc)
{
	struct fx_target t = target(false);

	cr_assert_eq(run_complete(&t, TC_ACT_OK), 0, "failing rows above");
}

/* Every cut from the end of the Ethernet header to the end of what the
 * parser reads is TRUNCATED, never a half-described packet; `to` 0 means
 * up to the 16 payload bytes every frame ends with. (XDP: test_run refuses
 * frames shorter than an Ethernet header, and tc refuses IP frames cut
 * inside the IP header on current kernels.) */
static size_t sweep(const char *spec, const struct pkt_ip4 *ip4, size_t from, size_t to)
{
	struct fx_target t = target(true);
	size_t failed = 0;

	if (!to) {
		uint8_t buf[512];
		struct pkt p;

		pkt_init(&p, buf, sizeof(buf));
		build(&p, &(struct frame){ .spec = spec, .ip4 = ip4 });
		pkt_finish(&p);
		to = p.len - 16;
	}

	for (size_t cut = from; cut < to; cut++) {
		char desc[64];
		struct frame f = { .spec = spec, .ip4 = ip4, .cut = cut };
		struct fx_case row = ROW(desc, &f, ST(SL_PARSE_TRUNCATED), XDP_PASS);

		snprintf(desc, sizeof(desc), "%s cut to %zu bytes", spec, cut);
		failed += !fx_run(&t, &row);
	}
	return failed;
}

Test(parse, truncated_everywhere)
{
	size_t failed = 0;

	failed += sweep("4u", NULL, 14, 0);
	failed += sweep("4t", &(struct pkt_ip4){ .opts = ip4_opts, .opts_len = 8 }, 14, 0);
	failed += sweep("q4s", NULL, 14, 0);                 /* inside the tag, ip, sctp */
	failed += sweep("aq6u", NULL, 14, 0);                /* inside both tags, ipv6, udp */
	failed += sweep("6HDRFAt", NULL, 14, 0);             /* inside every extension header */
	failed += sweep("66", NULL, 14, 14 + 40 + 4);        /* the parser reads ICMP's first 4 bytes */
	cr_assert_eq(failed, 0, "%zu truncated frames were not reported as truncated", failed);
}
