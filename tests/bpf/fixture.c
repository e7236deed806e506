/* Fixture runner: feed each row's frame to a program with
 * bpf_prog_test_run_opts and compare verdict, output and state. */
#include <criterion/criterion.h>

#include <bpf/bpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

bool fx_fail(struct fx_why *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
	va_end(ap);
	return false;
}

unsigned fx_repeat(void)
{
	const char *s = getenv("SLUICE_FIXTURE_REPEAT");
	char *end;
	unsigned long n;

	if (!s || !*s)
		return 1;
	n = strtoul(s, &end, 10);
	return *end || n == 0 || n > 100000000 ? 1 : (unsigned)n;
}

/* the first bytes of a frame, for failure reports */
static const char *hex(const void *data, size_t n, char *buf, size_t size)
{
	const unsigned char *b = data;
	size_t fit = (size - 4) / 3, at = 0; /* "xx " per byte, room for "..." */

	buf[0] = 0;
	for (size_t i = 0; i < n && i < fit; i++)
		at += (size_t)snprintf(buf + at, size - at, "%02x%s", b[i], i % 4 == 3 ? " " : "");
	if (n > fit)
		snprintf(buf + at, size - at, "...");
	return buf;
}

/* Run and compare; false with why filled when the row fails. */
static bool run_row(const struct fx_target *t, const struct fx_case *c, const void *in, __u32 in_len,
		    struct fx_why *why)
{
	__u8 out[FX_OUT_MAX];
	unsigned repeat = fx_repeat();
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .data_in = in, .data_size_in = in_len,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = c->ctx_in, .ctx_size_in = c->ctx_size_in,
		    .repeat = repeat);
	int err;

	if (t->reset)
		t->reset(t->ctx);
	err = bpf_prog_test_run_opts(t->prog_fd, &o);
	if (c->err || err)
		return err == c->err ? true
		       : fx_fail(why, "test_run returned %d (%s), want %d", err, strerror(-err), c->err);
	if (repeat > 1) /* perf mode: a number to read, never an assertion */
		printf("fixture-perf prog=%s ns_per_pkt=%u repeat=%u row=\"%s\"\n",
		       t->name, o.duration, repeat, c->desc);
	if (o.retval != c->retval)
		return fx_fail(why, "returned %u, want %u", o.retval, c->retval);
	if (c->out_same || c->out) {
		const void *want = c->out_same ? in : c->out;
		__u32 want_len = c->out_same ? in_len : c->out_len;
		char h[100];

		if (o.data_size_out != want_len || memcmp(out, want, want_len))
			return fx_fail(why, "output frame differs (%u bytes, want %u): %s", o.data_size_out,
				       want_len, hex(out, o.data_size_out, h, sizeof(h)));
	}
	return c->check ? c->check(c, t->ctx, why) : true;
}

/* One line per row for tests/run.sh to count. One write each, flushed:
 * Criterion's workers (--jobs) share the log, and a worker that crashes
 * must not lose the rows it already ran. */
static void row_line(const char *result, const struct fx_target *t, const struct fx_case *c)
{
	printf("fixture-row: %s %s: %s\n", result, t->name ? t->name : "-", c->desc);
	fflush(stdout);
}

bool fx_run(const struct fx_target *t, const struct fx_case *c)
{
	__u8 built[PKT_MAX];
	struct fx_why why = { "" };
	const void *in = c->in;
	__u32 in_len = c->in_len;
	char h[100];

	if (!in && c->build) {
		struct pkt p;

		pkt_init(&p, built, sizeof(built));
		c->build(&p, c->build_arg);
		pkt_finish(&p);
		cr_assert(pkt_ok(&p), "%s: building the frame failed: %s", c->desc, p.error);
		in = built;
		in_len = (__u32)p.len;
	}
	if (run_row(t, c, in, in_len, &why)) {
		row_line("PASS", t, c);
		return true;
	}
	row_line("FAIL", t, c);
	cr_expect(false, "%s: %s\n    input (%u bytes): %s", c->desc, why.msg, in_len,
		  hex(in, in_len, h, sizeof(h)));
	return false;
}

size_t fx_run_table(const struct fx_target *t, const struct fx_case *rows, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += !fx_run(t, &rows[i]);
	if (failed)
		cr_log_error("%s: %zu of %zu fixture rows failed", t->name, failed, n);
	return failed;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

double fx_median(unsigned *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_unsigned);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}
