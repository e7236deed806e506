/* libFuzzer target: the control socket's request path, from the bytes a
 * client writes to the reply it reads back. The daemon's own socket code
 * (core/ctl.c: framing, NUL and length checks) hands each request line to
 * the daemon's own request path (core/request.c: the grammar, routing,
 * the request body, the reply line), with handlers that stop short of the
 * kernel: a config command is staged onto a fresh copy of its feature's
 * state (the validation every run-time command gets first), a query that
 * takes a body reads it to the end, line by line. Every reply must be one
 * line of strictly valid JSON (UTF-8 checked) with a "status", whatever the
 * client sent. */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/body.h"
#include "core/config.h"
#include "core/ctl.h"
#include "core/feature.h"
#include "core/loop.h"
#include "core/request.h"

static struct sl_ctl ctl;
static struct sl_loop *loop;

static int core_cmd(void *ctx, const struct sl_cmd *cmd, json_object **data, struct sl_error *err)
{
	(void)ctx, (void)cmd, (void)err;
	*data = json_object_new_object();
	return 0;
}

static int config_cmd(void *ctx, int f, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sl_states copy;
	int rc;

	(void)ctx;
	/* fresh states: a feature's state may own memory */
	if (sl_states_new(&copy))
		abort();
	rc = cmd->spec->stage(copy.st[f], cmd, err);
	sl_states_free(&copy);
	return rc;
}

static int query_cmd(void *ctx, int f, const struct sl_cmd *cmd, struct sl_body *body, json_object **data,
		     struct sl_error *err)
{
	static char line[SL_MAX_LINE + 2];
	int got;

	(void)ctx, (void)f;
	if (!(cmd->spec->flags & SL_CMD_BODY))
		return 0;
	while ((got = sl_body_line(body, line, sizeof(line), err)) > 0)
		;
	if (got < 0)
		return -1;
	*data = json_object_new_object();
	json_object_object_add(*data, "lines", json_object_new_uint64(body->line_no));
	return 0;
}

static const char *source(void *ctx)
{
	(void)ctx;
	return "fuzz.conf";
}

static const struct sl_request_ops ops = {
	.core = core_cmd, .config = config_cmd, .query = query_cmd, .source = source,
};

static char *handle(void *ctx, const char *line, int fd, const char *rest, size_t rest_len)
{
	return sl_request_answer(&ops, ctx, line, fd, rest, rest_len);
}

static char sock_path[108];

/* libFuzzer ends the process with exit(): the socket file goes with it */
static void remove_sock(void)
{
	unlink(sock_path);
}

static void setup(void)
{
	struct sl_error err = { 0 };
	const char *path = sock_path;

	snprintf(sock_path, sizeof(sock_path), "/tmp/sluice-fuzz-ctl.%d.sock", (int)getpid());
	atexit(remove_sock);
	loop = sl_loop_new();
	sl_ctl_init(&ctl);
	if (!loop || sl_ctl_open(&ctl, path, loop, handle, NULL, &err)) {
		fprintf(stderr, "fuzz setup: %s\n", err.msg);
		abort();
	}
}

static bool clients_left(void)
{
	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		if (ctl.c[i].fd >= 0)
			return true;
	return false;
}

/* Run the daemon's side until it has accepted the client, answered it and
 * let it go (a reply written, or the client dropped). */
static void pump(void)
{
	unsigned long before = ctl.accepted;

	for (int rounds = 0; rounds < 1000 && (ctl.accepted == before || clients_left()); rounds++)
		if (sl_loop_run_once(loop, 1000) <= 0)
			abort(); /* the daemon's side stalled: a hang is a bug too */
}

static void check_reply(const char *reply, size_t len, const uint8_t *data, size_t size)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o, *status;

	if (!len || reply[len - 1] != '\n' || memchr(reply, '\n', len - 1)) {
		fprintf(stderr, "reply is not one line (%zu bytes) for a %zu-byte request\n", len, size);
		abort();
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, reply, (int)len - 1);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_object_get_ex(o, "status", &status)) {
		fprintf(stderr, "reply is not valid JSON (%s): %.*s\n",
			json_tokener_error_desc(json_tokener_get_error(tok)), (int)len, reply);
		abort();
	}
	(void)data;
	json_object_put(o);
	json_tokener_free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char reply[1 << 16];
	size_t got = 0;
	int fd;

	if (!loop)
		setup();
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	/* a request is at most one line: what fits the socket buffer is enough */
	if (size && send(fd, data, size > 60000 ? 60000 : size, MSG_NOSIGNAL) < 0)
		abort();
	shutdown(fd, SHUT_WR);
	pump();
	for (;;) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, MSG_DONTWAIT);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!size && !got)
		return 0; /* a client that sends nothing gets nothing */
	check_reply(reply, got, data, size);
	return 0;
}
