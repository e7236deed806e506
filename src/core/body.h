/* A request's body: what a client streams after its request line (the
 * input of `set restore`), read line by line from the control socket, and
 * progress lines written back before the reply. */
#ifndef SLUICE_BODY_H
#define SLUICE_BODY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/grammar.h"

#define SL_BODY_TIMEOUT_MS 10000 /* silence from the client that ends a body */
/* (the body's end line, SL_BODY_END, is in common/grammar.h: the client
 * sends it) */

struct sl_body {
	int fd;                     /* the client's socket; -1: no body */
	const char *pre;            /* bytes that came in with the request line */
	size_t pre_len, pre_off;
	char buf[65536];
	size_t len, off;
	bool eof;
	bool complete;              /* the end line came */
	unsigned long line_no;      /* lines read so far */
};

void sl_body_init(struct sl_body *b, int fd, const char *pre, size_t pre_len);
/* The next line (no newline) into out: 1, 0 at the end line, -1 with err
 * set (a line of more than SL_MAX_LINE bytes, a NUL, a stalled client, the
 * input ending without its end line). */
int sl_body_line(struct sl_body *b, char *out, size_t size, struct sl_error *err);
/* Read and drop what is left of the body (up to its end line, EOF, or a
 * stall), so the client gets the reply rather than a reset. */
void sl_body_drain(struct sl_body *b);
/* {"progress": "..."} on a line of its own, ahead of the reply */
void sl_body_progress(struct sl_body *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
