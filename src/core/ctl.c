#include "core/ctl.h"

#include "common/reply.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"

uint64_t sl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sl_ctl_init(struct sl_ctl *ctl)
{
	memset(ctl, 0, sizeof(*ctl));
	ctl->listen_fd = -1;
	ctl->sweep_fd = -1;
	ctl->timeout_ms = SL_CTL_TIMEOUT_MS;
	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		ctl->c[i].fd = -1;
}

/* true when something accepts connections at `path` */
static int socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int alive;

	if (fd < 0)
		return 0;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

static int mkdir_parent(const char *path)
{
	char dir[108];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return mkdir(dir, 0755) && errno != EEXIST ? -1 : 0;
}

static void on_listener(void *arg, int fd, uint32_t events);
static void on_sweep(void *arg)
{
	sl_ctl_expire(arg);
}

int sl_ctl_open(struct sl_ctl *ctl, const char *path, struct sl_loop *loop, sl_ctl_handler h, void *ctx,
		struct sl_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	unsigned timeout_ms = ctl->timeout_ms; /* set since sl_ctl_init, or 0 */

	sl_ctl_init(ctl);
	if (timeout_ms)
		ctl->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(sa.sun_path))
		return sl_fail(err, SL_E_USAGE, 0, "socket path '%s' is longer than %zu bytes", path,
			       sizeof(sa.sun_path) - 1);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	if (mkdir_parent(path))
		return sl_fail(err, SL_E_KERNEL, 0, "cannot create the directory of '%s': %s", path,
			       strerror(errno));
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			return sl_fail(err, SL_E_USAGE, 0, "'%s' exists and is not a socket", path);
		if (socket_alive(&sa))
			return sl_fail(err, SL_E_NEGATIVE, 0, "another sluiced is listening on '%s'", path);
		unlink(path); /* stale, from a daemon that died */
	}
	ctl->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->listen_fd < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "socket: %s", strerror(errno));
	/* root only: the socket is created 0600 (umask) and checked again below */
	mode_t old = umask(0177);
	int rc = bind(ctl->listen_fd, (struct sockaddr *)&sa, sizeof(sa));

	umask(old);
	if (rc || chmod(path, 0600) || listen(ctl->listen_fd, 16)) {
		int e = errno;

		sl_ctl_close(ctl);
		return sl_fail(err, SL_E_KERNEL, 0, "cannot listen on '%s': %s", path, strerror(e));
	}
	ctl->loop = loop;
	ctl->handler = h;
	ctl->ctx = ctx;
	if (sl_loop_add_fd(loop, ctl->listen_fd, EPOLLIN, on_listener, ctl) ||
	    (ctl->sweep_fd = sl_loop_add_timer(loop, SL_CTL_SWEEP_MS, on_sweep, ctl)) < 0)
		return sl_fail(err, SL_E_KERNEL, 0, "event loop: %s", strerror(errno));
	return 0;
}

static void drop_client(struct sl_ctl *ctl, struct sl_ctl_client *c)
{
	if (c->fd < 0)
		return;
	sl_loop_close_fd(ctl->loop, &c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* A malloc'ed error reply line, in the shape of the daemon's own. */
static char *error_reply(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *error_reply(int code, const char *fmt, ...)
{
	struct sl_error err = { .code = code };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return sl_reply_line(NULL, &err, NULL);
}

static int free_slot(const struct sl_ctl *ctl)
{
	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd < 0)
			return i;
	return -1;
}

/* All slots taken: free the one whose client has been quiet longest without
 * completing a request, so silent connections cannot lock everyone out.
 * Clients being answered are kept: they did nothing wrong yet. */
static int evict_silent(struct sl_ctl *ctl)
{
	int victim = -1;

	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		if (!ctl->c[i].out && (victim < 0 || ctl->c[i].active_ms < ctl->c[victim].active_ms))
			victim = i;
	if (victim >= 0) {
		sl_debug("control socket: %d clients connected; dropping the one idle for %llu ms",
			 SL_CTL_MAX_CLIENTS, (unsigned long long)(sl_now_ms() - ctl->c[victim].active_ms));
		drop_client(ctl, &ctl->c[victim]);
	}
	return victim;
}

/* Every slot is busy sending a reply: refuse at once instead of queueing.
 * The request is drained first: closing a unix socket with unread data
 * resets the peer, which would lose this reply. The reply is small enough
 * for a fresh socket's buffer, so a single non-blocking send delivers it. */
static void refuse_busy(struct sl_ctl *ctl, int fd)
{
	char *reply = error_reply(SL_E_UNREACHABLE, "daemon busy: too many clients");
	char sink[512];
	uint64_t now = sl_now_ms();

	for (int i = 0; i < 16 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; i++)
		;
	if (reply && send(fd, reply, strlen(reply), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		sl_debug("control socket: busy reply: %s", strerror(errno));
	free(reply);
	close(fd);
	ctl->refused++;
	if (now - ctl->refused_warn_ms >= ctl->timeout_ms) { /* at most one line per period */
		sl_warn("control socket: all %d clients are being answered; refused %u connection(s)",
			SL_CTL_MAX_CLIENTS, ctl->refused);
		ctl->refused = 0;
		ctl->refused_warn_ms = now;
	}
}

static void on_client(void *arg, int fd, uint32_t events);

static void add_client(struct sl_ctl *ctl, int slot, int fd)
{
	struct sl_ctl_client *c = &ctl->c[slot];

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->active_ms = sl_now_ms();
	c->deadline_ms = c->active_ms + ctl->timeout_ms;
	ctl->accepted++;
	if (sl_loop_add_fd(ctl->loop, fd, EPOLLIN, on_client, ctl))
		drop_client(ctl, c);
}

static void accept_clients(struct sl_ctl *ctl)
{
	for (;;) {
		int fd = accept4(ctl->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		int slot;

		if (fd < 0)
			return;
		slot = free_slot(ctl);
		if (slot < 0)
			slot = evict_silent(ctl);
		if (slot < 0)
			refuse_busy(ctl, fd);
		else
			add_client(ctl, slot, fd);
	}
}

static void start_reply(struct sl_ctl *ctl, struct sl_ctl_client *c, char *reply)
{
	c->out = reply;
	c->out_len = reply ? strlen(reply) : 0;
	c->out_off = 0;
	if (!reply || sl_loop_mod_fd(ctl->loop, c->fd, EPOLLOUT))
		drop_client(ctl, c);
}

/* Answer the request in c->in[0, len). A NUL would silently cut it short
 * for the C-string handler, so such a request is refused whole. */
static void answer(struct sl_ctl *ctl, struct sl_ctl_client *c, size_t len)
{
	if (memchr(c->in, '\0', len)) {
		start_reply(ctl, c, error_reply(SL_E_USAGE, "request contains a NUL byte"));
		return;
	}
	c->in[len] = '\0';
	start_reply(ctl, c,
		    ctl->handler(ctl->ctx, c->in, c->fd, c->in + len + 1, c->in_len > len ? c->in_len - len - 1 : 0));
}

static void client_read(struct sl_ctl *ctl, struct sl_ctl_client *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
		char *nl;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0 || (n == 0 && !c->in_len)) {
			drop_client(ctl, c);
			return;
		}
		if (n == 0) { /* EOF: a request without its newline still counts */
			answer(ctl, c, c->in_len);
			return;
		}
		c->active_ms = sl_now_ms();
		c->in_len += (size_t)n;
		nl = memchr(c->in, '\n', c->in_len);
		if (nl) {
			answer(ctl, c, (size_t)(nl - c->in));
			return;
		}
		if (c->in_len >= sizeof(c->in) - 1) {
			start_reply(ctl, c,
				    error_reply(SL_E_USAGE, "request longer than %d bytes", SL_MAX_LINE));
			return;
		}
	}
}

static void client_write(struct sl_ctl *ctl, struct sl_ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	drop_client(ctl, c); /* done, or the client went away */
}

static void on_listener(void *arg, int fd, uint32_t events)
{
	(void)fd, (void)events;
	accept_clients(arg);
}

static void on_client(void *arg, int fd, uint32_t events)
{
	struct sl_ctl *ctl = arg;

	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++) {
		struct sl_ctl_client *c = &ctl->c[i];

		if (c->fd != fd)
			continue;
		if (c->out)
			client_write(ctl, c);
		else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			client_read(ctl, c);
		return;
	}
	sl_loop_del_fd(ctl->loop, fd); /* no client's: it would wake the loop for ever */
}

void sl_ctl_expire(struct sl_ctl *ctl)
{
	uint64_t now = sl_now_ms();

	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		if (ctl->c[i].fd >= 0 && now > ctl->c[i].deadline_ms) {
			sl_debug("control socket: client timed out");
			drop_client(ctl, &ctl->c[i]);
		}
}

void sl_ctl_close(struct sl_ctl *ctl)
{
	for (int i = 0; i < SL_CTL_MAX_CLIENTS; i++)
		drop_client(ctl, &ctl->c[i]);
	sl_loop_close_fd(ctl->loop, &ctl->sweep_fd);
	if (ctl->listen_fd >= 0) {
		sl_loop_close_fd(ctl->loop, &ctl->listen_fd);
		unlink(ctl->path);
	}
}
