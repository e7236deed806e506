/* The production drop-tracing programs (bpf/drops.bpf.c): the verifier
 * accepts them, and malformed tracepoint arguments count nothing.
 *
 * They are tp_btf (BPF_PROG_TYPE_TRACING, attach type BPF_TRACE_RAW_TP).
 * BPF_PROG_TEST_RUN for TRACING programs only knows fentry/fexit/fmod_ret:
 * every other attach type falls through to EFAULT (6.18; mainline at the
 * time of writing), so the programs cannot be run on fake arguments here.
 * Their parser runs through test_drops_parse instead. The malformed-input
 * test below skips on such kernels and asserts once a kernel runs them. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "drops.skel.h"
#include "fixture.h"
#include "sluice/drops.h"

#define ENOTSUPP 524 /* kernel-internal, leaks to userspace from test_run */

FX_SKELETON(drops)

TestSuite(drops_progs, .init = setup, .fini = teardown);

static void assert_loaded(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	cr_assert_geq(fd, 0, "%s has no fd", bpf_program__name(prog));
	memset(&info, 0, len);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	cr_assert_eq(info.type, BPF_PROG_TYPE_TRACING, "%s type %u", bpf_program__name(prog), info.type);
	cr_assert_gt(info.xlated_prog_len, 0);
}

Test(drops_progs, verifier_accepts_both)
{
	assert_loaded(skel->progs.sl_drops_kfree);
	assert_loaded(skel->progs.sl_drops_udpq);
	cr_assert_eq(bpf_program__expected_attach_type(skel->progs.sl_drops_kfree), BPF_TRACE_RAW_TP);
}

/* no per-CPU stat slot and no counter key may have moved */
static void assert_nothing_counted(void)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 vals[ncpu > 0 ? ncpu : 1];
	struct sl_drop_key key;

	cr_assert_gt(ncpu, 0);
	for (__u32 i = 0; i < SL_DSTAT_MAX; i++) {
		cr_assert_eq(bpf_map__lookup_elem(skel->maps.SL_DROPS_STATS_MAP, &i, sizeof(i), vals,
						  sizeof(vals), 0), 0);
		for (int c = 0; c < ncpu; c++)
			cr_expect_eq(vals[c], 0, "stat %u on cpu %d = %llu", i, c, (unsigned long long)vals[c]);
	}
	cr_expect_neq(bpf_map__get_next_key(skel->maps.SL_DROPS_COUNTERS_MAP, NULL, &key, sizeof(key)), 0,
		      "a drop was counted");
}

/* Run prog on raw tracepoint args: 0, or the error of a kernel that cannot
 * run it (any other error fails the test). */
static int run_args(struct bpf_program *prog, const __u64 *args, __u32 n)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = args, .ctx_size_in = n * sizeof(__u64));
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &o);

	if (err == -EFAULT || err == -ENOTSUPP || err == -EOPNOTSUPP)
		return err;
	cr_assert_eq(err, 0, "%s: test_run: %s", bpf_program__name(prog), strerror(-err));
	cr_expect_eq(o.retval, 0, "%s returned %u", bpf_program__name(prog), o.retval);
	return 0;
}

static void assert_ran(struct bpf_program *prog, const __u64 *args, __u32 n)
{
	int err = run_args(prog, args, n);

	cr_assert_eq(err, 0, "%s: test_run ran the first program but not this one: %s",
		     bpf_program__name(prog), strerror(-err));
}

/* NULL and junk pointers: the programs must bail out before counting. The
 * generation in the config map (0) matches sl_gen (0), so they are active.
 * A kernel whose test_run cannot run tp_btf skips it: nothing ran, so an
 * empty map would prove nothing. */
Test(drops_progs, malformed_args_count_nothing)
{
	/* kfree_skb(skb, location, reason, rx_sk); udp_fail_queue_rcv_skb(rc, sk, skb) */
	const __u64 kfree_null[4] = { 0, 0, 2, 0 };
	const __u64 kfree_junk[4] = { 0x10, 0x10, 2, 0x10 };
	const __u64 udpq_null[3] = { (__u64)-12, 0, 0 };
	int err = run_args(skel->progs.sl_drops_kfree, kfree_null, 4);

	if (err) {
		cr_assert_neq(run_args(skel->progs.sl_drops_udpq, udpq_null, 3), 0,
			      "test_run ran one tp_btf program but not the other");
		cr_skip_test("BPF_PROG_TEST_RUN cannot run tp_btf programs on this kernel (%s): "
			     "nothing to check (verifier_accepts_both still loads them)",
			     err == -EFAULT ? "EFAULT" : err == -ENOTSUPP ? "ENOTSUPP" : "EOPNOTSUPP");
	}
	assert_ran(skel->progs.sl_drops_kfree, kfree_junk, 4);
	assert_ran(skel->progs.sl_drops_udpq, udpq_null, 3);
	assert_nothing_counted();
}
