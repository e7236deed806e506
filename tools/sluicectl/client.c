#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define REPLY_TIMEOUT_S 30

json_object *sl_client_request(const char *socket_path, const char *line, const char **why)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_S };
	size_t len = 0, cap = 65536;
	char *buf = NULL;
	json_object *reply = NULL;
	int fd;

	*why = NULL;
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		*why = "socket path too long";
		return NULL;
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
	shutdown(fd, SHUT_WR);
	buf = malloc(cap);
	for (;;) {
		ssize_t n;

		if (!buf) {
			*why = "out of memory";
			goto out;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = errno == EAGAIN ? "no reply (timed out)" : strerror(errno);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len + 1 == cap) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				free(buf);
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
