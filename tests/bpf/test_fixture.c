/* The fixture runner on an XDP program (the drop-parser tests cover tc):
 * verdicts, expected output frames, .bss checks and test_run errors. */
#include <criterion/criterion.h>

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>

#include "fixture.h"
#include "fx_selftest.skel.h"
#include "pkt.h"

FX_SKELETON(fx_selftest)

TestSuite(fixture, .init = setup, .fini = teardown);

static void reset(void *ctx)
{
	((struct fx_selftest_bpf *)ctx)->bss->fx_runs = 0;
}

static bool ran_once_per_repeat(const struct fx_case *c, void *ctx, struct fx_why *why)
{
	__u32 runs = ((struct fx_selftest_bpf *)ctx)->bss->fx_runs;

	(void)c;
	return runs == fx_repeat() ? true : fx_fail(why, "program ran %u times, want %u", runs, fx_repeat());
}

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0xaa };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0xbb };

/* IPv4 UDP from *arg's MAC pair: {dst, src} */
static void v4_between(struct pkt *p, const void *arg)
{
	const uint8_t *const *macs = arg;

	pkt_eth(p, macs[0], macs[1]);
	pkt_ip4(p, NULL);
	pkt_udp(p, 1000, 2000);
	pkt_fill(p, 0x11, 8);
}

static void tagged(struct pkt *p, const void *arg)
{
	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_vlan(p, PKT_ETH_P_8021Q, 10);
	pkt_ip4(p, NULL);
	pkt_udp(p, 1000, 2000);
}

static void arp(struct pkt *p, const void *arg)
{
	(void)arg;
	pkt_eth(p, NULL, NULL);
	pkt_arp(p, 1, NULL, NULL);
}

Test(fixture, xdp_verdicts_and_output)
{
	const uint8_t *ab[2] = { mac_a, mac_b }, *ba[2] = { mac_b, mac_a };
	uint8_t swapped[PKT_MAX], runt[13] = { 0 };
	struct pkt want;

	pkt_init(&want, swapped, sizeof(swapped));
	v4_between(&want, ba);
	pkt_finish(&want);
	cr_assert(pkt_ok(&want));

	const struct fx_case rows[] = {
		{ .desc = "ipv4: MACs swapped, XDP_TX", .build = v4_between, .build_arg = ab,
		  .retval = XDP_TX, .out = swapped, .out_len = (__u32)want.len,
		  .check = ran_once_per_repeat },
		{ .desc = "vlan-tagged ipv4: XDP_PASS, untouched", .build = tagged,
		  .retval = XDP_PASS, .out_same = true, .check = ran_once_per_repeat },
		{ .desc = "arp: XDP_PASS, untouched", .build = arp, .retval = XDP_PASS, .out_same = true },
		/* XDP test_run wants at least an Ethernet header, like tc */
		{ .desc = "13-byte frame: EINVAL", .in = runt, .in_len = sizeof(runt), .err = -EINVAL },
	};
	struct fx_target t = { .name = "fx_xdp_swap", .prog_fd = bpf_program__fd(skel->progs.fx_xdp_swap),
			       .reset = reset, .ctx = skel };

	cr_assert_eq(fx_run_table(&t, rows, sizeof(rows) / sizeof(rows[0])), 0);
}
