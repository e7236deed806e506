/* sluiced: lifecycle, request dispatch and the event loop. Knows features
 * only through the registry. */
#ifndef SLUICE_DAEMON_H
#define SLUICE_DAEMON_H

#include <stdbool.h>

#include "core/config.h"
#include "core/ctl.h"
#include "core/feature.h"

struct sl_daemon_timer;

struct sl_daemon {
	struct sl_env env;
	const char *config_path;   /* NULL: the embedded default */
	const char *socket_path;
	struct sl_states states;   /* what the kernel runs now */
	void **priv;
	int lock_fd;
	struct sl_loop *loop;      /* env.loop: what every fd and timer joins */
	int sigfd;
	struct sl_daemon_timer *timers; /* the features' periodic work; fd -1 ends it */
	struct sl_ctl ctl;
	bool started;              /* a config was applied: there is a state to roll back to */
};

/* text of the config in force: the file, or the embedded default */
char *sl_daemon_config_text(const struct sl_daemon *d, struct sl_error *err);
const char *sl_daemon_config_name(const struct sl_daemon *d);

/* Block SIGTERM/SIGINT/SIGHUP: call first thing, so a signal during start
 * waits for the event loop (signalfd) instead of killing a half-done swap. */
void sl_daemon_block_signals(void);
/* the event loop, the features' runtimes and their timers */
int sl_daemon_init(struct sl_daemon *d, struct sl_error *err);
/* make the kernel match `next` (all features); on failure roll back */
int sl_daemon_apply(struct sl_daemon *d, struct sl_states *next, bool replace, struct sl_error *err);
/* re-read and apply the config, replacing programs */
int sl_daemon_reload(struct sl_daemon *d, struct sl_error *err);
/* the handlers of the core's commands (core/cmds.c) */
sl_core_fn sl_core_status, sl_core_save, sl_core_reload;
/* one control request -> malloc'ed JSON reply */
char *sl_daemon_request(void *daemon, const char *line, int fd, const char *rest, size_t rest_len);
int sl_daemon_run(struct sl_daemon *d);
void sl_daemon_fini(struct sl_daemon *d);

#endif
