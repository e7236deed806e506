/* The one interface between the feature-blind core and a feature module.
 *
 * A feature keeps its configuration as a plain state struct. Config commands
 * are staged onto a copy of the state (pure validation, no kernel access);
 * apply() then makes the kernel match a state, all or nothing. Each command
 * names its own handlers (stage, run, query) in its spec, in the feature's
 * cmds.c (common/grammar.h); the core calls the ones of the spec the parser
 * chose. */
#ifndef SLUICE_FEATURE_H
#define SLUICE_FEATURE_H

#include <stdbool.h>
#include <stdio.h>
#include <json-c/json.h>

#include "common/grammar.h"

struct sl_body;
struct sl_loop;

struct sl_env {
	const char *pin_root;     /* e.g. /sys/fs/bpf/sluice */
	bool verbose;
	/* the daemon's event loop (core/loop.h), for the whole run: a feature
	 * adds the fds that tell it of work (a ring buffer, a netlink socket)
	 * with a callback when it opens them, and sl_loop_close_fd()s them */
	struct sl_loop *loop;
	struct sl_body *body;     /* during a query: the request's body (core/body.h) */
	/* apply() of one command at run time (not of a config at start or
	 * reload): what it names must be there now; a config waits for it */
	bool interactive;
};

/* Work that no fd announces, done every period_ms by the core's loop. */
struct sl_feature_timer {
	unsigned period_ms;
	void (*run)(void *priv);
};

struct sl_feature {
	const char *name;         /* the first word of its commands */
	const char *also;         /* another first word it owns, or NULL */
	size_t state_size;
	size_t priv_size;         /* runtime handles: fds, buffers */

	/* set priv (zeroed by the core) to "nothing open" */
	void (*priv_init)(void *priv);
	/* the state with the feature off, as when no config line mentions it */
	void (*state_init)(void *state);
	/* make the kernel match `state`. `replace` swaps programs even when the
	 * pinned ones came from this same build. On failure the dataplane is as
	 * it was before the call. */
	int (*apply)(const struct sl_env *env, void *priv, const void *state, bool replace,
		     struct sl_error *err);
	/* print the running state as config lines: `state`, plus what lives in
	 * the kernel only when priv is given (NULL: just the staged state) */
	void (*save)(void *priv, const void *state, FILE *out);
	/* optional: free what a state owns beyond its own state_size bytes
	 * (states that own memory have it, and must not be copied flat: their
	 * config commands each have a run handler) */
	void (*state_free)(void *state);
	/* one entry of `sluicectl status` */
	json_object *(*status)(const struct sl_env *env, void *priv, const void *state);
	/* truly periodic work (expiry sweeps), each at its own period; a
	 * list ended by a NULL run, or NULL. Whatever an fd can announce
	 * joins env->loop instead. */
	const struct sl_feature_timer *timers;
	/* close userspace handles; the pinned dataplane stays */
	void (*release)(void *priv);
};

#define SL_FEATURE(name) extern const struct sl_feature sl_##name##_feature;
#include "features/list.h"
#undef SL_FEATURE

extern const struct sl_feature *const sl_features[];

/* Every command of every feature in `tables` (sl_command_tables) names the
 * handlers the core calls for it (see sl_cmd_spec); -1 with err naming the
 * first that does not. The daemon checks this before it does anything else. */
int sl_features_check(const struct sl_cmd_spec *const tables[], struct sl_error *err);
extern const int sl_nfeatures;

#endif
