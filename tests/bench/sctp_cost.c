/* Per-packet cost of SCTP association tracking (bpf/sctp.bpf.c) by the
 * number of associations tracked, from BPF_PROG_TEST_RUN: the kernel runs
 * one frame `repeat` times and reports the mean ns per run from its own
 * timer. `make bench` builds this into build/bench/sctp_cost and
 * tests/bench/bench.sh turns its lines into rows, one line per measurement
 * on standard output:
 *
 *   sctp-cost prog=xdp assocs=10000 dir=to-z ns=146.0 min=140 max=160 samples=10 repeat=1000000
 *
 * The object the daemon loads (its skeleton), twice: one load tracks 1
 * association, the other 10,000. Each association is made by its own
 * packets driven through the XDP program, as on a device: INIT (tag 0,
 * announcing A's second address), INIT-ACK (announcing Z's), COOKIE-ECHO,
 * COOKIE-ACK, so the records and Z's index entries are the program's own;
 * associations differ by their tags. Then a DATA chunk of 100 B on the
 * last association made:
 *
 *   to-z   A to Z, with Z's tag: Z's index entry, then A's record (two
 *          lookups), what most DATA of a client's upload costs
 *   to-a   Z to A, with A's tag: A's record (one lookup)
 *
 * through the XDP program and the tc one (the same maps). Before timing,
 * each case is checked once: the program passes it and counts it on the
 * association's first path (the record's packets for that path go up by
 * one, its last DATA path is that path). Timed in the order 0 1 .. n-1
 * n-1 .. 0, ROUNDS times, so a drift of the machine's speed hits every case
 * alike; ns is the median of the samples. The same frame every run keeps
 * the lookups' paths in the cache: the cost of the lookups and the walk,
 * not of cache misses over a large table.
 *
 * A Criterion binary, as the other cost benchmarks: run it with --jobs 1.
 * Environment: SLUICE_BENCH_REPEAT runs per sample (default 1000000),
 * SLUICE_BENCH_ROUNDS (default 5), SLUICE_BENCH_SCTP_ASSOCS (default
 * 10000, at most SL_SCTP_ASSOCS). Nothing asserts on timing. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bpf_info.h"
#include "sluice/sctp.h"
#include "../bpf/fixture.h"
#include "../bpf/pkt.h"
#include "../bpf/sctp_fx.h"
#include "sctp.skel.h"

#define ZONE 1
#define XDP_PASS 2
#define TCX_NEXT ((__u32)-1)
#define MAX_SAMPLES 200

#define A1 "10.0.0.1"
#define A2 "10.0.1.1"
#define Z1 "10.0.0.2"
#define Z2 "10.0.1.2"
#define PA 5000
#define PZ 6000
#define TAG_A 0xa0000001u /* association i: A's tag TAG_A + i, Z's TAG_Z + i */
#define TAG_Z 0x20000001u

/* one load of the programs with its associations */
struct load {
	struct sctp_bpf *skel;
	unsigned assocs;
};

/* one timed case: a DATA frame through one program of one load */
struct cost {
	struct load *l;
	bool xdp, to_z;
	__u8 frame[PKT_MAX];
	size_t len;
	unsigned ns[MAX_SAMPLES];
	unsigned n;
};

static unsigned env_uint(const char *name, unsigned dflt, unsigned max)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (!s || !*s)
		return dflt;
	v = strtoul(s, &end, 10);
	return *end || v == 0 || v > max ? dflt : (unsigned)v;
}

static size_t frame(const struct sctpfx_frame *f, __u8 *buf)
{
	size_t len = pkt_build(sctpfx_build, f, buf, PKT_MAX);

	cr_assert_gt(len, 0, "building an SCTP frame");
	return len;
}

/* one frame through a program, once; its verdict checked */
static void run_once(const struct load *l, bool xdp, const __u8 *buf, size_t len)
{
	int fd = bpf_program__fd(xdp ? l->skel->progs.sl_sctp_xdp : l->skel->progs.sl_sctp_tc);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)len, .repeat = 1);

	cr_assert_eq(bpf_prog_test_run_opts(fd, &o), 0, "test_run: %s", strerror(errno));
	cr_assert_eq(o.retval, xdp ? XDP_PASS : TCX_NEXT, "the program returned %d", (int)o.retval);
}

/* association i by its own packets, through the XDP program */
static void associate(const struct load *l, __u32 i)
{
	const struct sctpfx_frame f[] = {
		{ .src = A1, .dst = Z1, .sport = PA, .dport = PZ, .vtag = 0,
		  .chunk = { { .type = SL_SCTP_INIT, .tag = TAG_A + i, .addrs = A2 } } },
		{ .src = Z1, .dst = A1, .sport = PZ, .dport = PA, .vtag = TAG_A + i,
		  .chunk = { { .type = SL_SCTP_INIT_ACK, .tag = TAG_Z + i, .addrs = Z2 } } },
		{ .src = A1, .dst = Z1, .sport = PA, .dport = PZ, .vtag = TAG_Z + i,
		  .chunk = { { .type = SL_SCTP_COOKIE_ECHO, .raw = (const __u8[32]){ 0 }, .raw_len = 32 } } },
		{ .src = Z1, .dst = A1, .sport = PZ, .dport = PA, .vtag = TAG_A + i,
		  .chunk = { { .type = SL_SCTP_COOKIE_ACK } } },
	};
	__u8 buf[PKT_MAX];

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		run_once(l, true, buf, frame(&f[k], buf));
}

static int count_keys(int fd)
{
	struct sl_sctp_key key, next;
	int n = 0;

	for (void *k = NULL; !bpf_map_get_next_key(fd, k, &next); k = &key, key = next)
		n++;
	return n;
}

static __u64 counter(const struct load *l, enum sl_sctp_counter c)
{
	__u32 key = ZONE * SL_SCTP_C_COUNT + c;
	__u64 v = 0;

	SL_PERCPU_SUM(bpf_map__fd(l->skel->maps.sl_sctp_stat_v1), &key, &v);
	return v;
}

static void set_zone(struct sctp_bpf *s)
{
	s->rodata->sl_sctp_zone = ZONE;
}

static void load(struct load *l, unsigned assocs)
{
	int err;

	fx_require_bpf();
	l->assocs = assocs;
	l->skel = sctp_bpf__open();
	cr_assert_not_null(l->skel, "opening sctp: %s", strerror(errno));
	set_zone(l->skel);
	err = sctp_bpf__load(l->skel);
	if (err)
		fx_skip_on_eperm(err);
	cr_assert_eq(err, 0, "loading sctp: %s", strerror(-err));
	for (__u32 i = 0; i < assocs; i++)
		associate(l, i);
	cr_assert_eq(count_keys(bpf_map__fd(l->skel->maps.sl_sctp_assoc_v1)), (int)assocs, "records");
	cr_assert_eq(count_keys(bpf_map__fd(l->skel->maps.sl_sctp_tag_v1)), (int)assocs, "Z's index entries");
	cr_assert_eq(counter(l, SL_SCTP_C_NEW), assocs, "associations the INITs began");
	cr_assert_eq(counter(l, SL_SCTP_C_UNKNOWN_TAG), 0, "packets of no association");
}

/* the record of the association timed: the last one made */
static void record(const struct cost *c, struct sl_sctp_assoc *a)
{
	struct sl_sctp_key k = { .zone = ZONE, .tag = TAG_A + c->l->assocs - 1, .rport = PA, .sport = PZ };

	cr_assert_eq(bpf_map_lookup_elem(bpf_map__fd(c->l->skel->maps.sl_sctp_assoc_v1), &k, a), 0,
		     "no record of association %u", c->l->assocs - 1);
}

static void setup_cost(struct cost *c, struct load *l, bool xdp, bool to_z)
{
	__u32 i = l->assocs - 1;
	struct sctpfx_frame f = to_z ? (struct sctpfx_frame){ .src = A1, .dst = Z1, .sport = PA, .dport = PZ,
							      .vtag = TAG_Z + i }
				     : (struct sctpfx_frame){ .src = Z1, .dst = A1, .sport = PZ, .dport = PA,
							      .vtag = TAG_A + i };
	static struct sl_sctp_assoc before, after;

	f.chunk[0] = (struct sctpfx_chunk){ .type = SL_SCTP_DATA, .flags = 3, .data_len = 100 };
	c->l = l;
	c->xdp = xdp;
	c->to_z = to_z;
	c->len = frame(&f, c->frame);
	/* the check: passed, counted on the association's first path as DATA */
	record(c, &before);
	cr_assert_eq(before.state, SL_SCTP_S_ESTABLISHED, "association %u is not established", i);
	run_once(l, xdp, c->frame, c->len);
	record(c, &after);
	cr_assert_eq(after.path[0][0].packets, before.path[0][0].packets + 1, "%s, %s: not counted on its path",
		     xdp ? "xdp" : "tc", to_z ? "to Z" : "to A");
	cr_assert_eq(after.last_data, 0, "the last DATA path");
}

static void sample(struct cost *c, unsigned repeat)
{
	int fd = bpf_program__fd(c->xdp ? c->l->skel->progs.sl_sctp_xdp : c->l->skel->progs.sl_sctp_tc);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = c->frame, .data_size_in = (__u32)c->len, .repeat = repeat);

	cr_assert_eq(bpf_prog_test_run_opts(fd, &o), 0, "test_run: %s", strerror(errno));
	cr_assert_eq(o.retval, c->xdp ? XDP_PASS : TCX_NEXT, "returned %d", (int)o.retval);
	cr_assert_lt(c->n, MAX_SAMPLES);
	c->ns[c->n++] = o.duration;
}

static void report(struct cost *c, unsigned repeat)
{
	double median = fx_median(c->ns, c->n); /* sorted now: min first, max last */

	printf("sctp-cost prog=%s assocs=%u dir=%s ns=%.1f min=%u max=%u samples=%u repeat=%u\n", c->xdp ? "xdp" : "tc",
	       c->l->assocs, c->to_z ? "to-z" : "to-a", median, c->ns[0], c->ns[c->n - 1], c->n, repeat);
	fflush(stdout);
}

static void no_fixture_repeat(void)
{
	unsetenv("SLUICE_FIXTURE_REPEAT");
}

TestSuite(sctp_cost, .init = no_fixture_repeat);

Test(sctp_cost, data_by_associations)
{
	enum { NCASES = 8 };
	static struct load loads[2];
	static struct cost c[NCASES];
	unsigned repeat = env_uint("SLUICE_BENCH_REPEAT", 1000000, 100000000);
	unsigned rounds = env_uint("SLUICE_BENCH_ROUNDS", 5, MAX_SAMPLES / 2);
	unsigned many = env_uint("SLUICE_BENCH_SCTP_ASSOCS", 10000, SL_SCTP_ASSOCS);

	load(&loads[0], 1);
	load(&loads[1], many);
	for (int i = 0; i < NCASES; i++)
		setup_cost(&c[i], &loads[i & 1], i & 2, i & 4);
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < NCASES; i++)
			sample(&c[i], repeat);
		for (size_t i = NCASES; i-- > 0;)
			sample(&c[i], repeat);
	}
	for (size_t i = 0; i < NCASES; i++)
		report(&c[i], repeat);
	for (int i = 0; i < 2; i++)
		sctp_bpf__destroy(loads[i].skel);
}
