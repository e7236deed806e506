/* The control socket: unix stream, one request line in, one JSON reply out.
 * Clients are non-blocking with a deadline, so a slow or stuck client can
 * neither block the daemon nor hold a slot for ever. When every slot is
 * taken, a new client evicts the one silent longest (no full request yet);
 * if all are being answered, it gets a "daemon busy" error at once. */
#ifndef SLUICE_CTL_H
#define SLUICE_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"

struct sl_loop;

#define SL_CTL_MAX_CLIENTS 32
#define SL_CTL_TIMEOUT_MS  5000    /* the default deadline: --client-timeout */
#define SL_CTL_TIMEOUT_MAX_S 3600
#define SL_CTL_SWEEP_MS    500     /* how often deadlines are checked */

struct sl_ctl_client {
	int fd;                         /* -1 = free slot */
	char in[SL_MAX_LINE + 2];
	size_t in_len;
	char *out;                      /* reply being written */
	size_t out_len, out_off;
	uint64_t active_ms;             /* accepted, or last bytes received */
	uint64_t deadline_ms;
};

/* returns a malloc'ed JSON reply for one request line. A command that
 * reads a body goes on reading the client's socket `fd` after `rest`
 * (bytes that came in after the line). */
typedef char *(*sl_ctl_handler)(void *ctx, const char *line, int fd, const char *rest, size_t rest_len);

struct sl_ctl {
	int listen_fd;
	int sweep_fd;                   /* the deadline timer */
	struct sl_loop *loop;
	char path[108];
	struct sl_ctl_client c[SL_CTL_MAX_CLIENTS];
	sl_ctl_handler handler;
	void *ctx;
	unsigned refused;               /* busy replies since the last warning */
	uint64_t refused_warn_ms;
	unsigned long accepted;         /* connections taken, ever */
	unsigned timeout_ms;            /* a silent client's deadline */
};

/* an unopened control socket with the default deadline: safe to close */
void sl_ctl_init(struct sl_ctl *ctl);
/* Bind and listen at `path` (mode 0600), refusing a path another live
 * daemon listens on. Keeps a deadline set since sl_ctl_init
 * (0: the default). The listener, every client and a deadline sweep
 * (every SL_CTL_SWEEP_MS) join `loop`. */
int sl_ctl_open(struct sl_ctl *ctl, const char *path, struct sl_loop *loop, sl_ctl_handler h, void *ctx,
		struct sl_error *err);
/* drop clients past their deadline (the sweep's work) */
void sl_ctl_expire(struct sl_ctl *ctl);
void sl_ctl_close(struct sl_ctl *ctl);

uint64_t sl_now_ms(void);

#endif
