#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/grammar.h"
#include "ctl.h"

static bool show_progress = true;
static unsigned reply_timeout_s = SL_CLIENT_TIMEOUT_S;

int sl_client_timeout(const char *text, const char **why)
{
	char *end;
	unsigned long s;

	errno = 0;
	s = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end || errno || s < 1 || s > 86400) {
		*why = "the timeout is not a number of seconds in 1..86400";
		return 0;
	}
	reply_timeout_s = (unsigned)s;
	return 1;
}

void sl_client_progress(bool show)
{
	show_progress = show;
}

/* Print and drop complete {"progress": ...} lines at the start of buf;
 * returns the bytes consumed. */
static size_t take_progress(char *buf, size_t len)
{
	size_t done = 0;

	for (;;) {
		char *nl = memchr(buf + done, '\n', len - done);
		json_object *o, *p = NULL;

		if (!nl)
			return done;
		*nl = '\0';
		o = json_tokener_parse(buf + done);
		*nl = '\n';
		if (!o || !json_object_object_get_ex(o, "progress", &p)) {
			json_object_put(o);
			return done; /* the reply */
		}
		if (show_progress)
			fprintf(stderr, "sluicectl: %s\n", json_object_get_string(p));
		json_object_put(o);
		done = (size_t)(nl - buf) + 1;
	}
}

/* Send the body from body_fd while reading what comes back. */
static int stream_body(int fd, int body_fd, char **buf, size_t *len, size_t *cap, const char **why)
{
	char chunk[65536];
	size_t have = 0, off = 0;
	bool in_open = true;

	while (in_open || off < have) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN | (off < have ? POLLOUT : 0) },
					 { .fd = in_open && off == have ? body_fd : -1, .events = POLLIN } };

		if (poll(pfd, 2, (int)reply_timeout_s * 1000) <= 0) {
			*why = "no progress sending the input (timed out)";
			return -1;
		}
		if (pfd[1].revents) {
			ssize_t n = read(body_fd, chunk, sizeof(chunk));

			if (n < 0 && errno != EINTR) {
				*why = strerror(errno);
				return -1;
			}
			if (n == 0) {
				/* all sent: the end line tells the daemon the input is whole */
				static const char end[] = "\n" SL_BODY_END "\n";

				memcpy(chunk, end, sizeof(end) - 1);
				have = sizeof(end) - 1;
				off = 0;
				in_open = false;
			}
			if (n > 0) {
				have = (size_t)n;
				off = 0;
			}
		}
		if (pfd[0].revents & POLLOUT) {
			ssize_t n = send(fd, chunk + off, have - off, MSG_NOSIGNAL);

			if (n < 0 && errno != EINTR && errno != EAGAIN)
				return 0; /* the daemon stopped reading: its reply says why */
			if (n > 0)
				off += (size_t)n;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(fd, *buf + *len, *cap - *len - 1);

			if (n <= 0)
				return 0; /* replied early (an error): read what is there */
			*len += (size_t)n;
			size_t t = take_progress(*buf, *len);

			memmove(*buf, *buf + t, *len - t);
			*len -= t;
			if (*len && memchr(*buf, '\n', *len))
				return 0; /* the reply came before the input ended: stop sending */
			if (*len + 1 == *cap) {
				char *b = realloc(*buf, *cap *= 2);

				if (!b) {
					*why = "out of memory";
					return -1;
				}
				*buf = b;
			}
		}
	}
	return 0;
}

json_object *sl_client_request(const char *socket_path, const char *line, int body_fd, const char **why)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = reply_timeout_s };
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);
	json_object *reply = NULL;
	int fd = -1;

	*why = NULL;
	if (!buf) {
		*why = "out of memory";
		return NULL;
	}
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		*why = "socket path too long";
		goto out;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		*why = strerror(errno);
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* a daemon that refuses (busy) may close before our request is sent:
	 * its reply is still there to read, so only a failed read is fatal */
	if ((send(fd, line, strlen(line), MSG_NOSIGNAL) < 0 || send(fd, "\n", 1, MSG_NOSIGNAL) < 0) &&
	    errno != EPIPE && errno != ECONNRESET) {
		*why = strerror(errno);
		goto out;
	}
	if (body_fd >= 0 && stream_body(fd, body_fd, &buf, &len, &cap, why))
		goto out;
	shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ECONNRESET && len)
			break; /* the daemon closed with input unread: its reply is here */
		if (n < 0) {
			*why = errno == EAGAIN ? "no reply (timed out)" : strerror(errno);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (body_fd >= 0) {
			size_t t = take_progress(buf, len);

			memmove(buf, buf + t, len - t);
			len -= t;
		}
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b) {
				*why = "out of memory";
				goto out;
			}
			buf = b;
		}
	}
	buf[len] = '\0';
	reply = json_tokener_parse(buf);
	if (!reply)
		*why = "the daemon's reply is not JSON";
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return reply;
}
