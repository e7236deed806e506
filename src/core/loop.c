#include "core/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/log.h"

#define BATCH 32 /* events fetched per epoll_wait */

struct entry {
	int fd;                  /* -1: a free slot */
	uint32_t gen;            /* this registration's tag; 0 when free */
	sl_loop_fd_cb cb;        /* an fd's callback, or */
	sl_loop_timer_cb tick;   /* a timer's (the loop owns its fd) */
	void *arg;
};

struct sl_loop {
	int epfd;
	bool stop;
	uint32_t next_gen;
	struct entry *e;
	int n, cap;
};

/* epoll hands back 64 bits per event: the slot and the registration's
 * generation, so a stale event can be told from a live one */
static uint64_t tag_of(int slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)slot;
}

struct sl_loop *sl_loop_new(void)
{
	struct sl_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->next_gen = 1;
	return l;
}

void sl_loop_free(struct sl_loop *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++)
		if (l->e[i].fd >= 0 && l->e[i].tick)
			close(l->e[i].fd);
	close(l->epfd);
	free(l->e);
	free(l);
}

/* the slot of `fd`, or with -1 a free slot; -1 when there is none */
static int find(const struct sl_loop *l, int fd)
{
	for (int i = 0; i < l->n; i++)
		if (l->e[i].fd == fd)
			return i;
	return -1;
}

static void forget(struct sl_loop *l, int slot)
{
	l->e[slot] = (struct entry){ .fd = -1 };
}

/* a slot for a new registration: the stale entry of the same fd number,
 * a free one, or a new one */
static int slot_for(struct sl_loop *l, int fd)
{
	int s = find(l, fd);

	if (s >= 0)
		return s;
	s = find(l, -1);
	if (s >= 0)
		return s;
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 16;
		struct entry *e = realloc(l->e, (size_t)cap * sizeof(*e));

		if (!e)
			return -1;
		l->e = e;
		l->cap = cap;
	}
	l->e[l->n].fd = -1;
	return l->n++;
}

static int add(struct sl_loop *l, int fd, uint32_t events, const struct entry *want)
{
	struct epoll_event ev = { .events = events };
	int slot;

	if (!l || fd < 0) {
		errno = EINVAL;
		return -1;
	}
	slot = slot_for(l, fd);
	if (slot < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (!++l->next_gen)
		l->next_gen = 1;
	ev.data.u64 = tag_of(slot, l->next_gen);
	/* EEXIST: this very file is in already. Success while the slot holds
	 * the same fd number: that fd was closed without sl_loop_del_fd (epoll
	 * dropped it with the file) and the number now names another file. */
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return -1;
	if (l->e[slot].fd == fd)
		sl_debug("event loop: fd %d was closed while registered; its entry is replaced", fd);
	l->e[slot] = *want;
	l->e[slot].fd = fd;
	l->e[slot].gen = l->next_gen;
	return 0;
}

int sl_loop_add_fd(struct sl_loop *l, int fd, uint32_t events, sl_loop_fd_cb cb, void *arg)
{
	return add(l, fd, events, &(struct entry){ .cb = cb, .arg = arg });
}

int sl_loop_mod_fd(struct sl_loop *l, int fd, uint32_t events)
{
	int slot = l && fd >= 0 ? find(l, fd) : -1;
	struct epoll_event ev = { .events = events };

	if (slot < 0) {
		errno = ENOENT;
		return -1;
	}
	ev.data.u64 = tag_of(slot, l->e[slot].gen);
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void sl_loop_del_fd(struct sl_loop *l, int fd)
{
	int slot = l && fd >= 0 ? find(l, fd) : -1;

	if (slot < 0)
		return;
	/* ENOENT or EBADF: closed already, and epoll forgot it with the file */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	forget(l, slot);
}

void sl_loop_close_fd(struct sl_loop *l, int *fd)
{
	if (*fd < 0)
		return;
	sl_loop_del_fd(l, *fd);
	close(*fd);
	*fd = -1;
}

int sl_loop_add_timer(struct sl_loop *l, unsigned period_ms, sl_loop_timer_cb cb, void *arg)
{
	struct timespec p = { .tv_sec = period_ms / 1000, .tv_nsec = (long)(period_ms % 1000) * 1000000L };
	struct itimerspec its = { .it_interval = p, .it_value = p };
	int fd;

	if (!period_ms) {
		errno = EINVAL;
		return -1;
	}
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (timerfd_settime(fd, 0, &its, NULL) || add(l, fd, EPOLLIN, &(struct entry){ .tick = cb, .arg = arg })) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static bool dispatch(struct sl_loop *l, uint64_t tag, uint32_t events)
{
	int slot = (int)(uint32_t)tag;
	uint32_t gen = (uint32_t)(tag >> 32);
	struct entry e;

	/* removed (or replaced) since epoll_wait returned: not ours to run */
	if (slot >= l->n || l->e[slot].fd < 0 || l->e[slot].gen != gen)
		return false;
	e = l->e[slot]; /* a callback may grow (move) the table */
	if (e.tick) {
		uint64_t expirations;

		if (read(e.fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
			sl_debug("event loop: timer %d: %s", e.fd, strerror(errno));
		e.tick(e.arg);
	} else {
		e.cb(e.arg, e.fd, events);
	}
	return true;
}

int sl_loop_run_once(struct sl_loop *l, int timeout_ms)
{
	struct epoll_event evs[BATCH];
	int n = epoll_wait(l->epfd, evs, BATCH, timeout_ms), ran = 0;

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++)
		ran += dispatch(l, evs[i].data.u64, evs[i].events);
	return ran;
}

int sl_loop_run(struct sl_loop *l)
{
	l->stop = false;
	while (!l->stop)
		if (sl_loop_run_once(l, -1) < 0)
			return -1;
	return 0;
}

void sl_loop_stop(struct sl_loop *l)
{
	l->stop = true;
}
