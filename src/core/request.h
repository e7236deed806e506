/* One control-socket request, from its line to its reply line: parse it
 * with the one grammar, route it (a core command, a feature's config
 * command, a feature's query with the request's body), and build the JSON
 * reply. What each route does is the caller's: the daemon's handlers touch
 * the kernel; the fuzz target's only validate, so the rest of the path is
 * the daemon's own. */
#ifndef SLUICE_REQUEST_H
#define SLUICE_REQUEST_H

#include <stddef.h>
#include <json-c/json.h>

#include "common/grammar.h"

struct sl_body;

struct sl_request_ops {
	/* status, save, reload: commands no feature owns */
	int (*core)(void *ctx, const struct sl_cmd *cmd, json_object **data, struct sl_error *err);
	/* a config command of feature f at run time */
	int (*config)(void *ctx, int f, const struct sl_cmd *cmd, struct sl_error *err);
	/* a read command or action of feature f; body streams what the client
	 * sends after the line (set restore) */
	int (*query)(void *ctx, int f, const struct sl_cmd *cmd, struct sl_body *body, json_object **data,
		     struct sl_error *err);
	/* the config file's name, for errors that point into it */
	const char *(*source)(void *ctx);
};

/* The malloc'ed reply line to `line` (sl_ctl_handler's arguments). */
char *sl_request_answer(const struct sl_request_ops *ops, void *ctx, const char *line, int fd, const char *rest,
			size_t rest_len);

#endif
