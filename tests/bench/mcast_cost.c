/* Per-packet cost of the bridge multicast programs (bpf/mcast.bpf.c) from
 * BPF_PROG_TEST_RUN: the kernel runs one frame `repeat` times and reports
 * the mean ns per run from its own timer. `make bench` builds this into
 * build/bench/mcast_cost and tests/bench/bench.sh turns its lines into
 * rows, one line per case on standard output:
 *
 *   mcast-cost case=egress-member prog=egress records=0 ns=41.0 min=40 max=47 samples=10 repeat=1000000
 *
 * One program object, loaded by the multicast fixtures (tests/bpf/mcast_fx.h)
 * on veth ports 7 and 9 of a private namespace. The maps hold group
 * 239.1.1.1 registered with a member on port 7, and records for ports 7
 * and 9 (router auto, nothing learned) and 1 (router on). 64 B UDP data
 * frames, and:
 *
 *   egress-linklocal   224.0.0.251 leaving by port 9: passed untouched, the
 *                      program's floor (parse, and out)
 *   egress-member      239.1.1.1 leaving by port 7: passed
 *   egress-nonmember   239.1.1.1 leaving by port 9: suppressed
 *   egress-unreg       239.2.2.2 (nobody joined) leaving by port 9, not a
 *                      router port: suppressed
 *   egress-router      239.1.1.1 leaving by the static router port 1: passed
 *   ingress-data       239.1.1.1 arriving on port 9: not IGMP, nothing to
 *                      snoop (what every data frame pays on its way in)
 *   ingress-v3-1       an IGMPv3 report with one record (TO_EX{} 239.3.0.1)
 *                      arriving on port 7
 *   ingress-v3-N       one with N records (TO_EX{} 239.3.0.1 .. N)
 *
 * Every case is first checked by the fixture runner (verdict, the whole of
 * the maps, every counter), then timed in the order 1 .. n n .. 1, ROUNDS
 * times, so a drift of the machine's speed hits every case alike; ns is
 * the median of the samples. Repeated reports refresh memberships the
 * first run made, which is what a report mostly does (hosts answer every
 * query): the cost of a refresh, not of map inserts. The same frame every
 * run keeps the lookups' paths in the cache.
 *
 * A Criterion binary, because the fixtures report through Criterion: run
 * it with --jobs 1. Environment: SLUICE_BENCH_REPEAT runs per sample
 * (default 1000000; the N-record report runs N/4 times fewer),
 * SLUICE_BENCH_ROUNDS (default 5), SLUICE_BENCH_MCAST_RECORDS N (default
 * 64, at most 64). Nothing asserts on timing. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf/mcast_fx.h"
#include "../bpf/fixture.h"
#include "../bpf/pkt.h"

#define TCX_NEXT ((__u32)-1)
#define TCX_DROP 2

#define MAX_SAMPLES 200
#define MAX_RECORDS 64
#define SPEC_MAX 4096

/* the data rows' state: 239.1.1.1 registered, a member on port 7; port 1
 * (the loopback device) a static router port */
#define STATE "g 239.1.1.1 live, m7 239.1.1.1 live, p7 auto, p9 auto, p1 on"
#define DATA4(g) "4 192.0.2.1>" g " udp"
#define V3 "4 192.0.2.10>224.0.0.22 ra v3"

struct cost {
	const char *name;
	bool egress;
	unsigned records;        /* ingress: records in the report */
	unsigned weight;         /* repeat / weight runs per sample */
	struct mfx_row row;
	char frame_words[SPEC_MAX];
	char after[SPEC_MAX * 2];
	char stats[64];
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

static void egress_case(struct cost *c, const char *name, __u32 port, const char *group, bool drop,
			const char *stats)
{
	c->name = name;
	c->egress = true;
	c->weight = 1;
	snprintf(c->frame_words, sizeof(c->frame_words), DATA4("%s"), group);
	c->row = (struct mfx_row){ .desc = name, .port = port, .frame = c->frame_words, .before = STATE,
				   .stats = stats, .drop = drop };
}

/* A report of n TO_EX{} records 239.3.0.1 .. n on port 7, from empty maps:
 * it joins all n, and the row says so. */
static void ingress_case(struct cost *c, const char *name, unsigned n)
{
	size_t fw, af = 0;

	c->name = name;
	c->egress = false;
	c->records = n;
	c->weight = n >= 8 ? n / 4 : 1;
	fw = (size_t)snprintf(c->frame_words, sizeof(c->frame_words), "%s", V3);
	for (unsigned i = 1; i <= n; i++) {
		fw += (size_t)snprintf(c->frame_words + fw, sizeof(c->frame_words) - fw, " rec=4/239.3.0.%u", i);
		af += (size_t)snprintf(c->after + af, sizeof(c->after) - af, "%sm7 239.3.0.%u join v3, g 239.3.0.%u join",
				       i > 1 ? ", " : "", i, i);
		cr_assert_lt(fw, sizeof(c->frame_words));
		cr_assert_lt(af, sizeof(c->after));
	}
	snprintf(c->stats, sizeof(c->stats), "7 reports=%u", n);
	c->row = (struct mfx_row){ .desc = name, .port = MFX_P7, .frame = c->frame_words, .before = "",
				   .after = c->after, .stats = c->stats };
}

static unsigned runs(const struct cost *c, unsigned repeat)
{
	return repeat / c->weight ? repeat / c->weight : 1;
}

static void sample(struct mfx *f, struct cost *c, unsigned repeat)
{
	struct __sk_buff skb = { .ifindex = c->row.port };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = c->frame, .data_size_in = (__u32)c->len, .ctx_in = &skb,
		    .ctx_size_in = sizeof(skb), .repeat = repeat);
	__u32 want = c->row.drop ? TCX_DROP : TCX_NEXT;

	cr_assert_eq(bpf_prog_test_run_opts(mfx_prog_fd(f, c->egress), &o), 0, "test_run %s: %s", c->name,
		     strerror(errno));
	cr_assert_eq(o.retval, want, "%s: returned %d, want %d", c->name, (int)o.retval, (int)want);
	cr_assert_lt(c->n, MAX_SAMPLES);
	c->ns[c->n++] = o.duration;
}

static void report(struct cost *c, unsigned repeat)
{
	double median = fx_median(c->ns, c->n); /* sorted now: min first, max last */
	printf("mcast-cost case=%s prog=%s records=%u ns=%.1f min=%u max=%u samples=%u repeat=%u\n", c->name,
	       c->egress ? "egress" : "ingress", c->records, median, c->ns[0], c->ns[c->n - 1], c->n, repeat);
	fflush(stdout);
}

static void no_fixture_repeat(void)
{
	unsetenv("SLUICE_FIXTURE_REPEAT"); /* the fixture check runs each frame once */
}

TestSuite(mcast_cost, .init = no_fixture_repeat);

Test(mcast_cost, egress_and_snoop)
{
	enum { NCASES = 8 };
	static struct cost c[NCASES];
	static char many[32];
	unsigned repeat = env_uint("SLUICE_BENCH_REPEAT", 1000000, 100000000);
	unsigned rounds = env_uint("SLUICE_BENCH_ROUNDS", 5, MAX_SAMPLES / 2);
	unsigned nrec = env_uint("SLUICE_BENCH_MCAST_RECORDS", 64, MAX_RECORDS);
	struct mfx *f;

	snprintf(many, sizeof(many), "ingress-v3-%u", nrec);
	egress_case(&c[0], "egress-linklocal", MFX_P9, "224.0.0.251", false, "");
	egress_case(&c[1], "egress-member", MFX_P7, "239.1.1.1", false, "7 passed=1");
	egress_case(&c[2], "egress-nonmember", MFX_P9, "239.1.1.1", true, "9 suppressed=1");
	egress_case(&c[3], "egress-unreg", MFX_P9, "239.2.2.2", true, "9 suppressed=1");
	egress_case(&c[4], "egress-router", 1, "239.1.1.1", false, "1 passed=1");
	egress_case(&c[5], "ingress-data", MFX_P9, "239.1.1.1", false, "");
	c[5].egress = false;
	ingress_case(&c[6], "ingress-v3-1", 1);
	ingress_case(&c[7], many, nrec);

	f = mfx_load();
	for (size_t i = 0; i < NCASES; i++) {
		c[i].len = mfx_frame(c[i].row.frame, c[i].frame, sizeof(c[i].frame));
		cr_assert_gt(c[i].len, 0, "building %s: %s", c[i].name, c[i].row.frame);
	}
	/* the checks: reports first, so the maps end in the data rows' state
	 * (which the reports, on other groups, do not change) */
	for (size_t i = NCASES; i-- > 0;)
		cr_assert_eq(mfx_run(f, c[i].egress, &c[i].row, 1), 0, "%s: the fixture row fails", c[i].name);

	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < NCASES; i++)
			sample(f, &c[i], runs(&c[i], repeat));
		for (size_t i = NCASES; i-- > 0;)
			sample(f, &c[i], runs(&c[i], repeat));
	}
	for (size_t i = 0; i < NCASES; i++)
		report(&c[i], runs(&c[i], repeat));
	mfx_free(f);
}
