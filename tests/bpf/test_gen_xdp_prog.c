/* bpf/gen_xdp.bpf.c, sluice-gen xdp's frame writer, run as a plain
 * BPF_PROG_TEST_RUN (no live frames): frame n of a CPU (its counter, set
 * before each row) gets the n-th address and port of each range, and the
 * checksums of a frame built from scratch by the test's packet builder
 * (pkt.c computes them in full, an oracle independent of the program's
 * incremental update). A frame too short for the template is aborted and
 * counted; a frame of another device passes untouched. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pkt.h"
#include "sluice/gen_xdp.h"
#include "gen_xdp.skel.h"

#define LO 1 /* loopback's ifindex: a test run's default device */

struct frame {
	bool v6;
	const char *src, *dst;
	uint16_t sport, dport;
};

static void build(struct pkt *p, const void *arg)
{
	const struct frame *f = arg;

	pkt_eth(p, NULL, NULL);
	if (f->v6)
		pkt_ip6(p, &(struct pkt_ip6){ .src = f->src, .dst = f->dst });
	else
		pkt_ip4(p, &(struct pkt_ip4){ .src = f->src, .dst = f->dst, .flags = PKT_IP4_DF });
	pkt_udp(p, f->sport, f->dport);
	pkt_fill(p, 0, 64);
}

/* the frame as the program must write it: IPv4 without a UDP checksum */
static size_t frame(const struct frame *f, uint8_t *buf)
{
	size_t n = pkt_build(build, f, buf, PKT_MAX);

	cr_assert(n, "building a frame");
	if (!f->v6)
		memset(buf + PKT_ETH_HLEN + 20 + 6, 0, 2);
	return n;
}

static uint32_t low32(int family, const char *addr)
{
	uint8_t b[16];

	cr_assert_eq(inet_pton(family, addr, b), 1);
	return ntohl(*(uint32_t *)(b + (family == AF_INET ? 0 : 12)));
}

/* the program loaded for the template f, ranges of n addresses / ports */
static struct gen_xdp_bpf *load(const struct frame *f, uint32_t nsrc, uint32_t ndst, uint32_t nsport,
				__u32 ifindex, uint8_t *tmpl, size_t *len)
{
	struct gen_xdp_bpf *s;
	struct sl_gen_xdp_cfg *c;
	int fam = f->v6 ? AF_INET6 : AF_INET, err;

	fx_require_bpf();
	*len = frame(f, tmpl);
	s = gen_xdp_bpf__open();
	cr_assert_not_null(s, "opening gen_xdp: %s", strerror(errno));
	c = (struct sl_gen_xdp_cfg *)&s->rodata->sl_gen_cfg;
	*c = (struct sl_gen_xdp_cfg){ .family = f->v6 ? 6 : 4, .src_n = nsrc, .dst_n = ndst,
				      .src_lo = low32(fam, f->src), .dst_lo = low32(fam, f->dst),
				      .sport_n = nsport, .dport_n = 1, .sport_lo = f->sport, .dport_lo = f->dport,
				      .ifindex = ifindex };
	if (f->v6)
		memcpy(&c->udp_csum, tmpl + PKT_ETH_HLEN + 40 + 6, 2);
	else
		memcpy(&c->ip_csum, tmpl + PKT_ETH_HLEN + 10, 2);
	err = gen_xdp_bpf__load(s);
	if (err) {
		gen_xdp_bpf__destroy(s);
		fx_skip_on_eperm(err);
		cr_assert_fail("loading gen_xdp: %s", strerror(-err));
	}
	return s;
}

/* every CPU's counter: frame n comes next */
struct at {
	struct gen_xdp_bpf *skel;
	__u64 n;
};

static struct sl_gen_xdp_stat *stats(int fd, int *ncpu)
{
	struct sl_gen_xdp_stat *v;
	__u32 key = 0;

	*ncpu = libbpf_num_possible_cpus();
	v = calloc((size_t)*ncpu, sizeof(*v));
	cr_assert(v && bpf_map_lookup_elem(fd, &key, v) == 0);
	return v;
}

static void reset(void *ctx)
{
	struct at *a = ctx;
	int fd = bpf_map__fd(a->skel->maps.sl_gxstat_v1), ncpu;
	struct sl_gen_xdp_stat *v = stats(fd, &ncpu);
	__u32 key = 0;

	for (int i = 0; i < ncpu; i++)
		v[i] = (struct sl_gen_xdp_stat){ .sent = a->n };
	cr_assert_eq(bpf_map_update_elem(fd, &key, v, BPF_ANY), 0);
	free(v);
}

static __u64 short_frames(struct gen_xdp_bpf *skel)
{
	int ncpu;
	struct sl_gen_xdp_stat *v = stats(bpf_map__fd(skel->maps.sl_gxstat_v1), &ncpu);
	__u64 sum = 0;

	for (int i = 0; i < ncpu; i++)
		sum += v[i].short_frames;
	free(v);
	return sum;
}

/* frame n of the program's ranges must be `want` */
static void row(struct gen_xdp_bpf *skel, const char *desc, const uint8_t *tmpl, size_t len, __u64 n,
		const struct frame *want)
{
	uint8_t out[PKT_MAX];
	struct at a = { .skel = skel, .n = n };
	struct fx_target t = { .name = "sl_gen_xdp", .prog_fd = bpf_program__fd(skel->progs.sl_gen_xdp),
			       .reset = reset, .ctx = &a };
	size_t out_len = frame(want, out);
	struct fx_case c = { .desc = desc, .in = tmpl, .in_len = (__u32)len, .retval = XDP_TX,
			     .out = out, .out_len = (__u32)out_len };

	cr_expect(fx_run(&t, &c), "%s", desc);
}

/* the template cut to len bytes: aborted, untouched */
static void cut(struct gen_xdp_bpf *skel, const char *desc, const uint8_t *tmpl, __u32 len)
{
	struct at a = { .skel = skel };
	struct fx_target t = { .name = "sl_gen_xdp", .prog_fd = bpf_program__fd(skel->progs.sl_gen_xdp),
			       .reset = reset, .ctx = &a };
	struct fx_case c = { .desc = desc, .in = tmpl, .in_len = len, .retval = XDP_ABORTED, .out_same = true };

	cr_expect(fx_run(&t, &c), "%s", desc);
}

Test(gen_xdp, ipv4_ranges)
{
	const struct frame f = { false, "10.0.0.1", "10.9.0.1", 1000, 5000 };
	uint8_t tmpl[PKT_MAX];
	size_t len;
	struct gen_xdp_bpf *s = load(&f, 3, 2, 5, LO, tmpl, &len);

	row(s, "ipv4 frame 0: the template", tmpl, len, 0, &f);
	row(s, "ipv4 frame 7: source 7%3, destination 7%2, source port 7%5", tmpl, len, 7,
	    &(struct frame){ false, "10.0.0.2", "10.9.0.2", 1002, 5000 });
	/* 2^32 = 1 (mod 3), 0 (mod 2), 1 (mod 5) */
	row(s, "ipv4 frame 2^32+5: the counter's high bits count too", tmpl, len, (1ull << 32) + 5,
	    &(struct frame){ false, "10.0.0.1", "10.9.0.2", 1001, 5000 });

	cut(s, "ipv4 cut inside UDP: XDP_ABORTED", tmpl, PKT_ETH_HLEN + 20 + 7);
	cr_expect_eq(short_frames(s), 1, "short frames counted: %llu", (unsigned long long)short_frames(s));
	gen_xdp_bpf__destroy(s);
}

Test(gen_xdp, ipv6_ranges_and_checksum)
{
	const struct frame f = { true, "fd00::1:ff00", "fd00::2", 65533, 53 };
	uint8_t tmpl[PKT_MAX];
	size_t len;
	struct gen_xdp_bpf *s = load(&f, 1000, 1, 3, LO, tmpl, &len);

	row(s, "ipv6 frame 0: the template", tmpl, len, 0, &f);
	row(s, "ipv6 frame 300: the source past a 16-bit word, UDP checksum in full", tmpl, len, 300,
	    &(struct frame){ true, "fd00::2:2c", "fd00::2", 65533, 53 });
	row(s, "ipv6 frame 999: the last source", tmpl, len, 999,
	    &(struct frame){ true, "fd00::2:2e7", "fd00::2", 65533, 53 });
	row(s, "ipv6 frame 1001: the second source, the last port (65535)", tmpl, len, 1001,
	    &(struct frame){ true, "fd00::1:ff01", "fd00::2", 65535, 53 });

	cut(s, "ipv6 cut inside the IPv6 header: XDP_ABORTED", tmpl, PKT_ETH_HLEN + 30);
	cut(s, "ethernet only: XDP_ABORTED", tmpl, PKT_ETH_HLEN);
	gen_xdp_bpf__destroy(s);
}

Test(gen_xdp, other_device_passes)
{
	const struct frame f = { false, "10.0.0.1", "10.9.0.1", 1000, 5000 };
	uint8_t tmpl[PKT_MAX];
	size_t len;
	/* the test run's device is loopback; the program's is another one */
	struct gen_xdp_bpf *s = load(&f, 3, 2, 5, 0x7fffffff, tmpl, &len);
	struct at a = { .skel = s, .n = 7 };
	struct fx_target t = { .name = "sl_gen_xdp", .prog_fd = bpf_program__fd(s->progs.sl_gen_xdp),
			       .reset = reset, .ctx = &a };
	struct fx_case c = { .desc = "a frame of another device: XDP_PASS, untouched", .in = tmpl,
			     .in_len = (__u32)len, .retval = XDP_PASS, .out_same = true };

	cr_expect(fx_run(&t, &c), "other device");
	gen_xdp_bpf__destroy(s);
}
