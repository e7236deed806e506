/* Table-driven packet fixtures for XDP and tc programs, run through
 * BPF_PROG_TEST_RUN.
 *
 * A row is one frame and what must come of it: the program's return value
 * (the verdict), optionally the output frame, optionally a check of map or
 * global state. fx_run_table() runs every row and reports each failing row
 * by its description through Criterion (non-fatal), so one run lists all
 * broken rows. Every row run prints "fixture-row: PASS|FAIL PROG: DESC" on
 * stdout, which tests/run.sh counts.
 *
 * Perf mode: SLUICE_FIXTURE_REPEAT=N runs every row N times in the kernel
 * and prints one "fixture-perf" line per row with ns/packet from the
 * kernel's own timer. Informational only: nothing asserts on it. */
#ifndef SLUICE_TEST_FIXTURE_H
#define SLUICE_TEST_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "pkt.h"

#define FX_OUT_MAX 8192 /* output frame buffer: room for programs that grow frames */

/* Why a check failed: fx_fail() fills it, the runner prints it. */
struct fx_why {
	char msg[256];
};

struct fx_case;
/* State check after a run; true when fine, else fx_fail(why, ...). */
typedef bool (*fx_check_fn)(const struct fx_case *c, void *ctx, struct fx_why *why);

struct fx_case {
	const char *desc;              /* names the row in failure reports */
	/* the input frame: bytes, or (when in is NULL) a builder */
	const void *in;
	__u32 in_len;
	void (*build)(struct pkt *p, const void *build_arg); /* then pkt_finish() */
	const void *build_arg;
	/* expectations */
	__u32 retval;                  /* XDP_* / TC_ACT_* verdict */
	int err;                       /* negative errno test_run must fail with; 0 = must run */
	const void *out;               /* expected output frame; NULL = not compared */
	__u32 out_len;
	bool out_same;                 /* the output must equal the input */
	fx_check_fn check;
	const void *arg;               /* row data for check (expected values) */
	/* optional context: struct __sk_buff for tc, struct xdp_md for XDP */
	const void *ctx_in;
	__u32 ctx_size_in;
};

struct fx_target {
	const char *name;              /* for perf lines */
	int prog_fd;                   /* an XDP or SCHED_CLS program */
	void (*reset)(void *ctx);      /* before each row, so no row passes on the last one's state */
	void *ctx;                     /* handed to reset and check */
};

/* Run one row / every row; returns whether it passed / how many failed. */
bool fx_run(const struct fx_target *t, const struct fx_case *c);
size_t fx_run_table(const struct fx_target *t, const struct fx_case *rows, size_t n);

/* printf into why; returns false so a check can `return fx_fail(...)` */
bool fx_fail(struct fx_why *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* SLUICE_FIXTURE_REPEAT, or 1 */
unsigned fx_repeat(void);
/* The median of n timings (sorts them in place). */
double fx_median(unsigned *v, size_t n);

/* Skip the current Criterion test unless this process may load BPF
 * programs (root, or CAP_BPF + CAP_NET_ADMIN + CAP_PERFMON). */
void fx_require_bpf(void);
/* Skip when a load failed with EPERM (a sandbox that says no). Other
 * errors, the verifier's EACCES included, are real failures. */
void fx_skip_on_eperm(int err);

/* `static struct NAME_bpf *skel` plus Criterion setup()/teardown() that
 * load it (skipping without privileges; any other failure, the verifier's
 * included, fails the test) and destroy it. Use with
 * `Test(suite, name, .init = setup, .fini = teardown)`. */
#define FX_SKELETON(name) FX_SKELETON_PREP(name, (void))

/* The same, with prep(skel) between open and load (what the daemon leaves
 * out on a kernel that lacks it, say) */
#define FX_SKELETON_PREP(name, prep)                                              \
	static struct name##_bpf *skel;                                           \
	static void setup(void)                                                   \
	{                                                                         \
		int err;                                                          \
                                                                                  \
		fx_require_bpf();                                                 \
		skel = name##_bpf__open();                                        \
		cr_assert_not_null(skel, "opening " #name ": %s", strerror(errno)); \
		prep(skel);                                                       \
		err = name##_bpf__load(skel);                                     \
		if (err) {                                                        \
			name##_bpf__destroy(skel);                                \
			skel = NULL;                                              \
			fx_skip_on_eperm(err);                                    \
			cr_assert_fail("loading " #name ": %s", strerror(-err));  \
		}                                                                 \
	}                                                                         \
	static void teardown(void)                                                \
	{                                                                         \
		name##_bpf__destroy(skel); /* NULL-safe; closes every fd */       \
		skel = NULL;                                                      \
	}

#endif
