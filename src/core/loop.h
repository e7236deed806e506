/* The daemon's event loop: one epoll set that every source of work joins
 * with a callback (the signalfd, the control socket and its clients, a
 * feature's ring buffer or netlink socket), and timerfds for work that is
 * truly periodic.
 *
 * Callbacks may add and remove registrations, their own included, at any
 * time. A registration is told apart by a generation tag, not by its fd
 * number, so an event still queued for one that was removed (or whose fd
 * number was reused meanwhile) is dropped, never handed to the new owner.
 *
 * Remove an fd before closing it: sl_loop_close_fd() does both. An fd
 * closed without it is tolerated: epoll forgets a closed file by itself,
 * and adding a new fd under the same number replaces the stale entry. */
#ifndef SLUICE_LOOP_H
#define SLUICE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct sl_loop;

/* `events`: what epoll reported (EPOLLIN, EPOLLOUT, EPOLLHUP, ...) */
typedef void (*sl_loop_fd_cb)(void *arg, int fd, uint32_t events);
typedef void (*sl_loop_timer_cb)(void *arg);

struct sl_loop *sl_loop_new(void);
/* closes the timers the loop made; fds added by callers stay theirs */
void sl_loop_free(struct sl_loop *loop);

/* Call `cb(arg, fd, events)` while `fd` has any of `events`
 * (level-triggered). -1 with errno set (EEXIST: `fd` is already in). */
int sl_loop_add_fd(struct sl_loop *loop, int fd, uint32_t events, sl_loop_fd_cb cb, void *arg);
/* change the events `fd` waits for */
int sl_loop_mod_fd(struct sl_loop *loop, int fd, uint32_t events);
/* no more callbacks for `fd`, even for events already fetched; an fd that
 * is not in (or already closed) is no error */
void sl_loop_del_fd(struct sl_loop *loop, int fd);
/* sl_loop_del_fd, then close(*fd); *fd = -1. Safe on -1 and a NULL loop. */
void sl_loop_close_fd(struct sl_loop *loop, int *fd);

/* Call `cb(arg)` every `period_ms` (a timerfd; expirations missed while
 * busy are folded into one call). Returns the timer's id (its fd, for
 * sl_loop_close_fd) or -1. */
int sl_loop_add_timer(struct sl_loop *loop, unsigned period_ms, sl_loop_timer_cb cb, void *arg);

/* Wait up to `timeout_ms` (-1: for ever) and dispatch what is ready.
 * Returns the number of callbacks run, or -1 on an epoll error. */
int sl_loop_run_once(struct sl_loop *loop, int timeout_ms);
/* dispatch until sl_loop_stop(); 0, or -1 on an epoll error */
int sl_loop_run(struct sl_loop *loop);
void sl_loop_stop(struct sl_loop *loop);

#endif
