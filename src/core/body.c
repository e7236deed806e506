#include "core/body.h"

#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void sl_body_init(struct sl_body *b, int fd, const char *pre, size_t pre_len)
{
	b->fd = fd;
	b->pre = pre;
	b->pre_len = pre_len;
	b->pre_off = 0;
	b->len = b->off = 0;
	b->eof = fd < 0;
	b->complete = false;
	b->line_no = 0;
}

/* more bytes into buf: 1, 0 at EOF, -1 on error */
static int fill(struct sl_body *b, struct sl_error *err)
{
	ssize_t n;

	if (b->off) {
		memmove(b->buf, b->buf + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	if (b->pre_off < b->pre_len) {
		size_t k = b->pre_len - b->pre_off;

		if (k > sizeof(b->buf) - b->len)
			k = sizeof(b->buf) - b->len;
		memcpy(b->buf + b->len, b->pre + b->pre_off, k);
		b->pre_off += k;
		b->len += k;
		return 1;
	}
	if (b->eof)
		return 0;
	for (;;) {
		struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
		int r = poll(&pfd, 1, SL_BODY_TIMEOUT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return sl_fail(err, SL_E_USAGE, 0, "input stalled: nothing for %d s after line %lu",
				       SL_BODY_TIMEOUT_MS / 1000, b->line_no);
		n = read(b->fd, b->buf + b->len, sizeof(b->buf) - b->len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return sl_fail(err, SL_E_USAGE, 0, "reading the input: %s", strerror(errno));
		if (n == 0) {
			b->eof = true;
			return 0;
		}
		b->len += (size_t)n;
		return 1;
	}
}

int sl_body_line(struct sl_body *b, char *out, size_t size, struct sl_error *err)
{
	for (;;) {
		char *start = b->buf + b->off, *nl = memchr(start, '\n', b->len - b->off);
		size_t n = nl ? (size_t)(nl - start) : b->len - b->off;
		int r;

		if (nl || (b->eof && b->pre_off == b->pre_len && n)) {
			if (n > SL_MAX_LINE || n >= size)
				return sl_fail(err, SL_E_USAGE, 0, "line %lu: longer than %d bytes", b->line_no + 1,
					       SL_MAX_LINE);
			if (memchr(start, '\0', n))
				return sl_fail(err, SL_E_USAGE, 0, "line %lu: contains a NUL byte", b->line_no + 1);
			memcpy(out, start, n);
			out[n] = '\0';
			if (n && out[n - 1] == '\r')
				out[n - 1] = '\0';
			b->off += n + (nl != NULL);
			if (!strcmp(out, SL_BODY_END)) {
				b->complete = true;
				return 0;
			}
			b->line_no++;
			return 1;
		}
		if (b->len - b->off > SL_MAX_LINE)
			return sl_fail(err, SL_E_USAGE, 0, "line %lu: longer than %d bytes", b->line_no + 1, SL_MAX_LINE);
		r = fill(b, err);
		if (r < 0)
			return -1;
		if (r == 0 && b->off == b->len)
			return sl_fail(err, SL_E_USAGE, 0, "the input ended after line %lu without its end mark "
				       "(the client went away?)", b->line_no);
	}
}

void sl_body_drain(struct sl_body *b)
{
	struct sl_error err;

	while (!b->complete && !b->eof) {
		memset(&err, 0, sizeof(err));
		b->off = b->len; /* what is buffered goes unread */
		if (fill(b, &err) <= 0)
			break; /* the end, or a stalled client */
		/* the end line may be in what came */
		if (memmem(b->buf, b->len, "\n" SL_BODY_END "\n", 3))
			b->complete = true;
	}
}

void sl_body_progress(struct sl_body *b, const char *fmt, ...)
{
	json_object *o = json_object_new_object();
	char msg[256];
	const char *s;
	va_list ap;

	if (b->fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "progress", json_object_new_string(msg));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	/* best effort: a client that does not read loses progress, not the reply */
	if (send(b->fd, s, strlen(s), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
		send(b->fd, "\n", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	json_object_put(o);
}
