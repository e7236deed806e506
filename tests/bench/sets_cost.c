/* Per-packet cost of the set-matching XDP program (bpf/sets.bpf.c) by set
 * size, from BPF_PROG_TEST_RUN: the kernel runs one frame `repeat` times
 * and reports the mean ns per run from its own timer. `make bench` builds
 * this into build/bench/sets_cost and tests/bench/bench.sh turns its lines
 * into rows, one line per measurement on standard output:
 *
 *   sets-cost class=hash:ip entries=1000000 ns=41.0 min=40 max=47 samples=10 repeat=1000000
 *
 * Each test loads one program per set size through the set fixtures
 * (tests/bpf/sets_fx.h): one rule, `match-set SET src action drop`, on a
 * set that holds the frame's source among 1, 1000 or 1000000 entries, as
 * the daemon creates sets (BPF_F_NO_PREALLOC maps, max_entries = maxelem:
 * ipset's default 65536, and 2000000 for the million). Every program is
 * first checked on the frame by the fixture runner (it drops it and counts
 * the rule, the hook and the entry), then timed in the order 1 2 3 3 2 1,
 * ROUNDS times, so a drift of the machine's speed hits every size alike;
 * ns is the median of the samples. The same frame every run keeps the
 * lookup's path in the cache: this is the cost of the lookup itself, not
 * of cache misses over a large table.
 *
 *   hash:ip   the source among addresses from 100.64.0.0/10; "none" is the
 *             program without rules (parsing and the hook counter only)
 *   hash:net  a /32 for the source among random prefixes /8 to /32 (length
 *             uniform, a prefix already there drawn again), so the trie is
 *             deep where the source is
 *   hash:ip-plain  the same addresses in a plain set (no timeout, counters
 *             or comment: a bucket table sized for the same maxelem),
 *             timed beside hash:ip-valued, a million in the layout with
 *             values (hash:ip's, again)
 *
 * It is a Criterion binary because the fixtures report through Criterion:
 * run it with --jobs 1 (two tests timed side by side on two CPUs mean
 * little). Environment: SLUICE_BENCH_REPEAT runs per sample (default
 * 1000000), SLUICE_BENCH_ROUNDS (default 5). Nothing asserts on timing. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features/sets/sets.h" /* a plain set's table, filled as a restore fills it */
#include "../bpf/fixture.h"
#include "../bpf/pkt.h"
#include "../bpf/sets_fx.h"
#include "../lib/rng.h"

#define XDP_DROP 1
#define XDP_PASS 2

#define FRAME "4 10.201.0.1>10.201.0.2 udp 40000>5000"
#define NSIZES 3
#define MAX_SAMPLES 200

static const unsigned sizes[NSIZES] = { 1, 1000, 1000000 };

/* one program with its set, and its samples */
struct cost {
	const char *cls_name;
	unsigned entries;           /* 0: the program without rules */
	struct sl_rule rule;
	struct sfx_set set;
	const char *elems[2];
	struct sfx_row row;
	struct sfx_spec spec;
	struct sfx *f;
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

/* maxelem as a user would give it for this many entries */
static __u32 maxelem(unsigned entries)
{
	return entries <= 65536 ? 65536 : 2000000;
}

static void key_of(__u8 cls, __u32 addr, unsigned cidr, __u8 key[SL_SET_KEY_MAX])
{
	struct sl_set_tuple t = { .cidr = (__u8)cidr };
	__u32 be = htonl(addr);

	memcpy(t.addr, &be, 4);
	cr_assert_gt(sl_set_key_build(cls, &t, key), 0);
}

/* n more addresses from 100.64.0.0/10, all different (i * 526539 mod 2^22
 * is a bijection), in batches */
static void fill_ip4(int fd, unsigned n)
{
	enum { CHUNK = 65536 };
	struct sl_set_key_ip4 *keys = calloc(CHUNK, sizeof(*keys));
	struct sl_set_value *vals = calloc(CHUNK, sizeof(*vals));
	__u8 key[SL_SET_KEY_MAX];

	cr_assert(keys && vals);
	for (unsigned done = 0; done < n;) {
		__u32 k = n - done < CHUNK ? n - done : CHUNK, count = k;
		LIBBPF_OPTS(bpf_map_batch_opts, o); /* batches take no BPF_NOEXIST */

		for (__u32 i = 0; i < k; i++) {
			key_of(SL_CLASS_IP4, 0x64400000u + (__u32)((__u64)(done + i) * 526539u % (1u << 22)), 32, key);
			memcpy(&keys[i], key, sizeof(keys[i]));
		}
		cr_assert_eq(bpf_map_update_batch(fd, keys, vals, &count, &o), 0,
			     "filling hash:ip at %u of %u: %s", done, n, strerror(errno));
		done += k;
	}
	free(keys);
	free(vals);
}

/* the same addresses into a plain set's table: held in memory, written whole */
static void fill_ip4_plain(struct sets_ptab *t, int fd, unsigned n)
{
	__u8 *keys = calloc(n, 4), key[SL_SET_KEY_MAX];
	__u32 done;

	cr_assert(keys);
	for (unsigned i = 0; i < n; i++) {
		key_of(SL_CLASS_IP4_P, 0x64400000u + (__u32)((__u64)i * 526539u % (1u << 22)), 32, key);
		memcpy(keys + 4 * (size_t)i, key, 4);
	}
	cr_assert_eq(sets_ptab_hold(t, fd, false), 0, "%s", strerror(errno));
	cr_assert_eq(sets_ptab_insert_many(t, fd, keys, n, UINT32_MAX, &done), 0, "filling at %u of %u: %s", done, n,
		     strerror(errno));
	cr_assert_eq(sets_ptab_sync(t, fd), 0, "%s", strerror(errno));
	sets_ptab_release(t);
	free(keys);
}

static unsigned count_keys(int fd)
{
	__u8 key[SL_SET_KEY_MAX], next[SL_SET_KEY_MAX];
	unsigned n = 0;

	for (void *at = NULL; !bpf_map_get_next_key(fd, at, next); at = key, n++)
		memcpy(key, next, sizeof(key));
	return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static __u32 rng32(void) /* the same prefixes every run */
{
	return (__u32)(sl_test_rng(&rng_state) >> 32);
}

/* n more prefixes /8../32, all different, none the frame's /32 */
static void fill_net4(int fd, unsigned n)
{
	__u8 key[SL_SET_KEY_MAX];

	for (unsigned added = 0; added < n;) {
		unsigned cidr = 8 + rng32() % 25;
		__u32 mask = cidr == 32 ? ~0u : ~(~0u >> cidr);
		struct sl_set_value v = { .cidr = (__u8)cidr };

		key_of(SL_CLASS_NET4, rng32() & mask, cidr, key);
		if (!bpf_map_update_elem(fd, key, &v, BPF_NOEXIST))
			added++;
		else
			cr_assert_eq(errno, EEXIST, "filling hash:net at %u of %u: %s", added, n, strerror(errno));
	}
}

/* Load the program, build its set, fill it, check the frame on it. */
static void setup_cost(struct cost *c, const char *cls_name, __u8 cls, unsigned entries)
{
	bool net = cls == SL_CLASS_NET4, plain = sl_set_class_plain(cls);

	c->cls_name = cls_name;
	c->entries = entries;
	c->rule = (struct sl_rule)SFX_RULE(1, cls, 0, SL_FAMILY_IPV4, 1 /* src */, 0, SL_ACT_DROP);
	/* a plain entry has no counters: no label */
	c->elems[0] = net ? "10.201.0.1/32 #a" : plain ? "10.201.0.1" : "10.201.0.1 #a";
	c->elems[1] = NULL;
	c->set = (struct sfx_set){ .cls = cls, .slot = 0, .max_entries = maxelem(entries), .elems = c->elems };
	c->row = entries ? (struct sfx_row){ .desc = "source in the set: dropped", .frame = FRAME, .drop = true,
					     .rules = "1", .hits = plain ? "" : "a" }
			 : (struct sfx_row){ .desc = "no rule: passed", .frame = FRAME, .rules = "", .hits = "" };
	c->spec = (struct sfx_spec){ .rules = &c->rule, .nrules = entries ? 1 : 0, .sets = &c->set,
				     .nsets = entries ? 1 : 0, .rows = &c->row, .nrows = 1 };
	c->f = sfx_load(&c->spec);
	if (entries > 1 && plain)
		fill_ip4_plain(sfx_set_table(c->f, 0), sfx_set_fd(c->f, 0), entries - 1);
	else if (entries > 1)
		(net ? fill_net4 : fill_ip4)(sfx_set_fd(c->f, 0), entries - 1);
	if (entries && plain)
		cr_assert_eq(sets_ptab_count(sfx_set_table(c->f, 0), sfx_set_fd(c->f, 0)), entries, "%s: entries", cls_name);
	else if (entries)
		cr_assert_eq(count_keys(sfx_set_fd(c->f, 0)), entries, "%s: entries", cls_name);
	cr_assert_eq(sfx_run_rows_on(c->f, true), 0, "%s, %u entries: the frame's row fails", cls_name, entries);
}

static void sample(struct cost *c, const __u8 *frame, size_t len, unsigned repeat)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len, .repeat = repeat);

	cr_assert_eq(bpf_prog_test_run_opts(sfx_prog_fd(c->f, true), &o), 0, "test_run: %s", strerror(errno));
	cr_assert_eq(o.retval, c->entries ? XDP_DROP : XDP_PASS, "%s, %u entries: returned %u", c->cls_name,
		     c->entries, o.retval);
	cr_assert_lt(c->n, MAX_SAMPLES);
	c->ns[c->n++] = o.duration;
}

static void report(struct cost *c, unsigned repeat)
{
	double median = fx_median(c->ns, c->n); /* sorted now: min first, max last */
	printf("sets-cost class=%s entries=%u ns=%.1f min=%u max=%u samples=%u repeat=%u\n", c->cls_name, c->entries,
	       median, c->ns[0], c->ns[c->n - 1], c->n, repeat);
	fflush(stdout);
}

/* Time the programs in the order 0 1 .. n-1 n-1 .. 0, rounds times. */
static void run_costs(struct cost *c, size_t n)
{
	unsigned repeat = env_uint("SLUICE_BENCH_REPEAT", 1000000, 100000000);
	unsigned rounds = env_uint("SLUICE_BENCH_ROUNDS", 5, MAX_SAMPLES / 2);
	__u8 frame[PKT_MAX];
	size_t len = sfx_frame(FRAME, frame, sizeof(frame));

	cr_assert_gt(len, 0, "building " FRAME);
	for (unsigned r = 0; r < rounds; r++) {
		for (size_t i = 0; i < n; i++)
			sample(&c[i], frame, len, repeat);
		for (size_t i = n; i-- > 0;)
			sample(&c[i], frame, len, repeat);
	}
	for (size_t i = 0; i < n; i++) {
		report(&c[i], repeat);
		sfx_free(c[i].f);
	}
}

static void no_fixture_repeat(void)
{
	unsetenv("SLUICE_FIXTURE_REPEAT"); /* the fixture check runs each frame once */
}

TestSuite(sets_cost, .init = no_fixture_repeat);

Test(sets_cost, hash_ip)
{
	static struct cost c[NSIZES + 1];

	setup_cost(&c[0], "none", SL_CLASS_IP4, 0);
	for (size_t i = 0; i < NSIZES; i++)
		setup_cost(&c[i + 1], "hash:ip", SL_CLASS_IP4, sizes[i]);
	run_costs(c, NSIZES + 1);
}

Test(sets_cost, hash_net)
{
	static struct cost c[NSIZES];

	for (size_t i = 0; i < NSIZES; i++)
		setup_cost(&c[i], "hash:net", SL_CLASS_NET4, sizes[i]);
	run_costs(c, NSIZES);
}

/* a plain set by size, and the same million with values, timed together */
Test(sets_cost, hash_ip_plain)
{
	static struct cost c[NSIZES + 1];

	for (size_t i = 0; i < NSIZES; i++)
		setup_cost(&c[i], "hash:ip-plain", SL_CLASS_IP4_P, sizes[i]);
	setup_cost(&c[NSIZES], "hash:ip-valued", SL_CLASS_IP4, sizes[NSIZES - 1]);
	run_costs(c, NSIZES + 1);
}
