#include "core/request.h"

#include <stdlib.h>

#include "common/reply.h"
#include "core/body.h"
#include "core/config.h"
#include "core/log.h"

char *sl_request_answer(const struct sl_request_ops *ops, void *ctx, const char *line, int fd, const char *rest,
			size_t rest_len)
{
	struct sl_error err = { 0 };
	struct sl_cmd *cmd = malloc(sizeof(*cmd));
	json_object *data = NULL;
	char *reply;
	int rc, f;

	if (!cmd) {
		sl_fail(&err, SL_E_KERNEL, 0, "out of memory");
		return sl_reply_line(NULL, &err, NULL);
	}
	rc = sl_parse_line(line, cmd, &err);
	if (rc == 0)
		rc = sl_fail(&err, SL_E_USAGE, 0, "empty request");
	if (rc < 0)
		goto out;
	f = sl_feature_of(cmd->spec);
	sl_debug("request: %s", line);
	if (f < 0) {
		rc = ops->core(ctx, cmd, &data, &err);
	} else if (cmd->spec->flags & SL_CMD_CONFIG) {
		rc = ops->config(ctx, f, cmd, &err);
	} else {
		struct sl_body *body = malloc(sizeof(*body));

		if (!body) {
			rc = sl_fail(&err, SL_E_KERNEL, 0, "out of memory");
			goto out;
		}
		sl_body_init(body, fd, rest, rest_len);
		rc = ops->query(ctx, f, cmd, body, &data, &err);
		if (cmd->spec->flags & SL_CMD_BODY)
			sl_body_drain(body); /* a reply before the input ended (an error): read the rest */
		free(body);
	}
out:
	reply = sl_reply_line(data, rc ? &err : NULL, ops->source(ctx));
	free(cmd);
	return reply;
}
