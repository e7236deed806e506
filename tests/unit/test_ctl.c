/* The control socket (src/core/ctl.c) without a daemon or privileges: a
 * real listener in a temporary directory, its events pumped by the test.
 * Slot exhaustion (eviction of the longest-silent client, the busy reply),
 * NUL bytes, over-long lines and the deadline. */
#include <criterion/criterion.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/ctl.h"
#include "core/loop.h"

#define NCLIENTS SL_CTL_MAX_CLIENTS

static char dir[] = "/tmp/sluice-ctl-XXXXXX";
static char path[sizeof(dir) + 16];
static struct sl_ctl ctl;
static struct sl_loop *loop;
static int calls;                 /* handler invocations */
static char last_line[SL_MAX_LINE + 2];
static size_t big_reply;          /* >0: the handler answers this many bytes */

static char *handler(void *ctx, const char *line, int fd, const char *rest, size_t rest_len)
{
	char *r;

	(void)ctx, (void)fd, (void)rest, (void)rest_len;
	calls++;
	snprintf(last_line, sizeof(last_line), "%s", line);
	if (big_reply) {
		r = malloc(big_reply + 1);
		memset(r, ' ', big_reply);
		r[big_reply] = '\0';
		return r;
	}
	return strdup("{\"status\":\"ok\",\"data\":{}}\n");
}

static void setup(void)
{
	struct sl_error err = { 0 };

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	loop = sl_loop_new();
	cr_assert_not_null(loop);
	cr_assert_eq(sl_ctl_open(&ctl, path, loop, handler, NULL, &err), 0, "%s", err.msg);
}

static void teardown(void)
{
	sl_ctl_close(&ctl);
	sl_loop_free(loop);
	rmdir(dir);
}

TestSuite(ctl, .init = setup, .fini = teardown);

/* run the daemon side until nothing happens for `ms` */
static void pump(int ms)
{
	while (sl_loop_run_once(loop, ms) > 0)
		;
	sl_ctl_expire(&ctl);
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0, "connect: %s", strerror(errno));
	return fd;
}

/* a connected client the daemon has accepted */
static int accepted_client(void)
{
	int fd = client();

	pump(0);
	return fd;
}

static void send_all(int fd, const void *buf, size_t len)
{
	cr_assert_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len, "send: %s", strerror(errno));
}

/* 1: EOF (the daemon closed), 0: still open and quiet; reads nothing else */
static int closed_by_daemon(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);

	cr_assert(n == 0 || (n < 0 && errno == EAGAIN), "unexpected read %zd (%s)", n, strerror(errno));
	return n == 0;
}

/* the whole reply to fd, pumping the daemon meanwhile; fails after 2 s */
static json_object *reply_of(int fd)
{
	static char buf[1 << 16];
	size_t len = 0;
	json_object *j;

	for (int i = 0; i < 200; i++) {
		ssize_t n;

		pump(10);
		while ((n = recv(fd, buf + len, sizeof(buf) - 1 - len, MSG_DONTWAIT)) > 0)
			len += (size_t)n;
		if (n == 0) {
			buf[len] = '\0';
			close(fd);
			j = json_tokener_parse(buf);
			cr_assert_not_null(j, "reply is not JSON: '%s'", buf);
			return j;
		}
		cr_assert(errno == EAGAIN, "recv: %s", strerror(errno));
	}
	cr_assert_fail("no reply within 2 s");
	return NULL;
}

static json_object *request(const void *bytes, size_t len)
{
	int fd = client();

	send_all(fd, bytes, len);
	shutdown(fd, SHUT_WR); /* as sluicectl does; ends a line without newline */
	return reply_of(fd);
}

static void assert_error(json_object *r, int code, const char *msg)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(r, "status", &v));
	cr_assert_str_eq(json_object_get_string(v), "error");
	cr_assert(json_object_object_get_ex(r, "code", &v));
	cr_assert_eq(json_object_get_int(v), code);
	cr_assert(json_object_object_get_ex(r, "error", &v));
	cr_assert_str_eq(json_object_get_string(v), msg);
	json_object_put(r);
}

static void assert_ok(json_object *r)
{
	json_object *v;

	cr_assert(json_object_object_get_ex(r, "status", &v));
	cr_assert_str_eq(json_object_get_string(v), "ok", "%s", json_object_to_json_string(r));
	json_object_put(r);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

Test(ctl, one_line_one_reply)
{
	assert_ok(request("status\n", 7));
	cr_assert_str_eq(last_line, "status");
	assert_ok(request("drops stats", 11)); /* EOF ends a line too */
	cr_assert_str_eq(last_line, "drops stats");
}

Test(ctl, nul_byte_is_refused)
{
	static const char line[] = "drops stats\0garbage\n";

	assert_error(request(line, sizeof(line) - 1), 2, "request contains a NUL byte");
	assert_error(request("status\0", 7), 2, "request contains a NUL byte");
	cr_assert_eq(calls, 0, "the handler saw '%s'", last_line);
	assert_ok(request("status\n\0after the line is not part of it", 40));
}

Test(ctl, line_length_limit)
{
	static char line[SL_MAX_LINE + 2];
	char msg[64];

	memset(line, 'a', sizeof(line));
	line[SL_MAX_LINE] = '\n';
	assert_ok(request(line, SL_MAX_LINE + 1));
	cr_assert_eq(strlen(last_line), SL_MAX_LINE);
	snprintf(msg, sizeof(msg), "request longer than %d bytes", SL_MAX_LINE);
	line[SL_MAX_LINE] = 'a'; /* one byte over, and no newline */
	assert_error(request(line, SL_MAX_LINE + 1), 2, msg);
	cr_assert_eq(calls, 1);
}

/* 32 silent clients, then one more: the oldest silent one goes, the
 * newcomer is served, the rest stay */
Test(ctl, full_house_evicts_longest_silent)
{
	int fd[NCLIENTS];

	for (int i = 0; i < NCLIENTS; i++) {
		fd[i] = accepted_client();
		sleep_ms(2); /* distinct accept times */
	}
	/* client 0 sends part of a line: no longer the longest idle */
	send_all(fd[0], "sta", 3);
	pump(0);
	assert_ok(request("status\n", 7));
	cr_assert_not(closed_by_daemon(fd[0]), "a client that spoke recently was evicted");
	cr_assert(closed_by_daemon(fd[1]), "the longest-silent client was kept");
	for (int i = 2; i < NCLIENTS; i++)
		cr_assert_not(closed_by_daemon(fd[i]), "client %d was evicted too", i);
	/* client 0 can still finish its request */
	send_all(fd[0], "tus\n", 4);
	assert_ok(reply_of(fd[0]));
	for (int i = 1; i < NCLIENTS; i++)
		close(fd[i]);
}

/* 32 clients that do not read their (large) replies: nobody is silent, so
 * a newcomer gets the busy error at once and the others are untouched */
Test(ctl, all_answering_busy_reply)
{
	int fd[NCLIENTS];

	big_reply = 1 << 20; /* beyond a unix socket's buffer */
	for (int i = 0; i < NCLIENTS; i++) {
		fd[i] = client();
		send_all(fd[i], "status\n", 7);
		pump(0);
	}
	cr_assert_eq(calls, NCLIENTS);
	assert_error(request("status\n", 7), 3, "daemon busy: too many clients");
	cr_assert_eq(calls, NCLIENTS, "the refused request ran");
	for (int i = 0; i < NCLIENTS; i++)
		cr_assert(ctl.c[i].fd >= 0 && ctl.c[i].out, "slot %d no longer answering", i);
	for (int i = 0; i < NCLIENTS; i++)
		close(fd[i]);
}

/* the deadline (SL_CTL_TIMEOUT_MS, too long to sleep through here) */
Test(ctl, deadline_drops_silent_client)
{
	int fd = accepted_client();
	int n = 0;

	pump(0);
	cr_assert_not(closed_by_daemon(fd));
	for (int i = 0; i < NCLIENTS; i++)
		if (ctl.c[i].fd >= 0) {
			n++;
			cr_assert_leq(ctl.c[i].deadline_ms, sl_now_ms() + SL_CTL_TIMEOUT_MS);
			ctl.c[i].deadline_ms = sl_now_ms() - 1;
		}
	cr_assert_eq(n, 1);
	pump(0);
	cr_assert(closed_by_daemon(fd), "expired client still connected");
	close(fd);
}
