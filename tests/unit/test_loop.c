/* The daemon's event loop (src/core/loop.c) on pipes and timers: callbacks
 * when readable and only then, removal (from outside, from inside the
 * callback, of another fd with its event already fetched), an fd closed
 * without removal, and timer periods (checked only against what a timerfd
 * guarantees: it never fires early). */
#include <criterion/criterion.h>

#include <errno.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"

static struct sl_loop *loop;

static void setup(void)
{
	loop = sl_loop_new();
	cr_assert_not_null(loop);
}

static void teardown(void)
{
	sl_loop_free(loop);
}

TestSuite(loop, .init = setup, .fini = teardown);

/* one registered pipe: its ends, the calls it got, what its callback does */
struct reg {
	int rd, wr;
	int calls;
	uint32_t events;
	void (*then)(struct reg *self);
	struct reg *other;
};

static void on_read(void *arg, int fd, uint32_t events)
{
	struct reg *r = arg;
	char buf[64];

	cr_assert_eq(fd, r->rd, "callback for fd %d got fd %d", r->rd, fd);
	r->calls++;
	r->events = events;
	if (read(fd, buf, sizeof(buf)) < 0)
		cr_assert_eq(errno, EAGAIN);
	if (r->then)
		r->then(r);
}

static void open_reg(struct reg *r)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	r->rd = p[0];
	r->wr = p[1];
	cr_assert_eq(sl_loop_add_fd(loop, r->rd, EPOLLIN, on_read, r), 0, "add: %s", strerror(errno));
}

static void poke(const struct reg *r)
{
	cr_assert_eq(write(r->wr, "x", 1), 1);
}

static void close_reg(struct reg *r)
{
	sl_loop_close_fd(loop, &r->rd);
	if (r->wr >= 0)
		close(r->wr);
	r->wr = -1;
}

Test(loop, callback_when_readable_and_only_then)
{
	struct reg a = { 0 };

	open_reg(&a);
	cr_assert_eq(sl_loop_run_once(loop, 0), 0, "a callback ran with nothing to read");
	poke(&a);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(a.calls, 1);
	cr_assert(a.events & EPOLLIN);
	cr_assert_eq(sl_loop_run_once(loop, 0), 0, "called again after the data was read");
	cr_assert_eq(a.calls, 1);
	close_reg(&a);
}

Test(loop, del_stops_callbacks)
{
	struct reg a = { 0 };

	open_reg(&a);
	poke(&a);
	sl_loop_del_fd(loop, a.rd);
	cr_assert_eq(sl_loop_run_once(loop, 50), 0);
	cr_assert_eq(a.calls, 0, "called after sl_loop_del_fd");
	sl_loop_del_fd(loop, a.rd); /* twice: no error, no effect */
	/* and it can be added again */
	cr_assert_eq(sl_loop_add_fd(loop, a.rd, EPOLLIN, on_read, &a), 0);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(a.calls, 1);
	close_reg(&a);
}

Test(loop, double_add_is_refused)
{
	struct reg a = { 0 };

	open_reg(&a);
	cr_assert_eq(sl_loop_add_fd(loop, a.rd, EPOLLIN, on_read, &a), -1);
	cr_assert_eq(errno, EEXIST);
	poke(&a);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1, "the first registration was harmed");
	close_reg(&a);
}

static void close_self(struct reg *r)
{
	close_reg(r);
}

/* a callback that removes and closes its own fd, with more data pending */
Test(loop, removing_itself_from_its_callback)
{
	struct reg a = { .then = close_self }, b = { 0 };

	open_reg(&a);
	poke(&a);
	poke(&a);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(a.rd, -1);
	cr_assert_eq(sl_loop_run_once(loop, 50), 0, "called after removing itself");
	/* its fd number, reused, is a new registration */
	open_reg(&b);
	poke(&b);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(a.calls, 1);
	cr_assert_eq(b.calls, 1);
	close_reg(&b);
}

/* closes the other registration; its number goes at once to a new pipe,
 * registered and readable, as a feature replacing a socket would */
static struct reg fresh;

static void close_other(struct reg *r)
{
	if (r->other->rd < 0)
		return;
	close_reg(r->other);
	open_reg(&fresh);
	poke(&fresh);
}

Test(loop, closing_another_fd_whose_event_is_fetched)
{
	struct reg a = { .then = close_other }, b = { .then = close_other };
	int b_fd;

	a.other = &b;
	b.other = &a;
	open_reg(&a);
	open_reg(&b);
	b_fd = b.rd;
	poke(&a);
	poke(&b);
	/* one epoll_wait fetches both events; whichever runs first closes the
	 * other, whose fetched event must then not run anything */
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(a.calls + b.calls, 1, "a: %d calls, b: %d", a.calls, b.calls);
	cr_assert_eq(fresh.calls, 0, "the stale event went to the fd number's new owner");
	if (a.calls)
		cr_assert_eq(fresh.rd, b_fd, "the number was not reused (test assumption)");
	/* the new registration gets its own event */
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(fresh.calls, 1);
	close_reg(&fresh);
	close_reg(a.rd >= 0 ? &a : &b);
}

Test(loop, fd_closed_without_del_is_replaced)
{
	struct reg a = { 0 }, b = { 0 };
	int a_fd;

	open_reg(&a);
	a_fd = a.rd;
	close(a.rd); /* the mistake: no sl_loop_del_fd */
	close(a.wr);
	open_reg(&b); /* takes a's number; must not be refused */
	cr_assert_eq(b.rd, a_fd, "the number was not reused (test assumption)");
	poke(&b);
	cr_assert_eq(sl_loop_run_once(loop, 1000), 1);
	cr_assert_eq(b.calls, 1);
	cr_assert_eq(a.calls, 0, "the closed fd's callback ran for its successor");
	close_reg(&b);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct ticks {
	int n;
	uint64_t at[8];
};

static void on_tick(void *arg)
{
	struct ticks *t = arg;

	if (t->n < 8)
		t->at[t->n] = now_ns();
	t->n++;
}

Test(loop, timer_period)
{
	struct ticks fast = { 0 }, slow = { 0 };
	uint64_t t0 = now_ns();
	int tfd = sl_loop_add_timer(loop, 30, on_tick, &fast);

	cr_assert_geq(tfd, 0);
	cr_assert_geq(sl_loop_add_timer(loop, 60 * 1000, on_tick, &slow), 0); /* freed with the loop */
	cr_assert_eq(sl_loop_run_once(loop, 0), 0, "a timer fired before its period");
	for (int i = 0; i < 500 && fast.n < 5; i++)
		sl_loop_run_once(loop, 1000);
	cr_assert_eq(fast.n, 5);
	/* a timerfd never fires early: the k-th call comes k periods or more in */
	for (int k = 0; k < 5; k++)
		cr_assert_geq(fast.at[k] - t0, (uint64_t)(k + 1) * 30000000ull, "call %d at %.1f ms", k + 1,
			      (double)(fast.at[k] - t0) / 1e6);
	cr_assert_eq(slow.n, 0, "the 60 s timer fired");
	sl_loop_close_fd(loop, &tfd);
	cr_assert_eq(tfd, -1);
	cr_assert_eq(sl_loop_run_once(loop, 100), 0, "a removed timer fired");
	cr_assert_eq(fast.n, 5);
	cr_assert_eq(sl_loop_add_timer(loop, 0, on_tick, &fast), -1, "a period of 0 is accepted");
}

static void stop_cb(void *arg)
{
	sl_loop_stop(arg);
}

Test(loop, run_until_stopped)
{
	cr_assert_geq(sl_loop_add_timer(loop, 10, stop_cb, loop), 0);
	cr_assert_eq(sl_loop_run(loop), 0);
}
