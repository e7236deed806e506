/* The send loop: batches of messages through sendmmsg (or sendmsg for
 * --batch 1), paced per batch, round-robin over the source-port sockets.
 * All messages share one payload buffer; only the last message of a
 * --count run is shortened so the datagram count comes out exact.
 */
#include "gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

struct tx {
	const struct gen_opts *o;
	struct gen_addr dst[GEN_MAX_DSTS]; /* msg_name must be non-const */
	uint32_t ndst;
	uint64_t sent[GEN_MAX_DSTS], failed[GEN_MAX_DSTS]; /* datagrams, per dst */
	int *fds;
	uint32_t nfds;
	struct mmsghdr *msgs;
	struct iovec *iov;
	unsigned char *payload;
	uint64_t per_msg;       /* datagrams in a full message */
	uint64_t packets, bytes, errors;
};

/* Failures that mean "this packet was not sent", not "stop": a full
 * qdisc/socket buffer, a port-unreachable reported back by ICMP, or a
 * policy's refusal of this one message (a cgroup sendmsg program or an
 * OUTPUT rule: EPERM, the batch's next call starts past it). */
static bool tolerated(int e)
{
	return e == ENOBUFS || e == EAGAIN || e == EWOULDBLOCK ||
	       e == ECONNREFUSED || e == EPERM;
}

static void fatal(const struct tx *t, const char *call, int e,
		  char *err, size_t n)
{
	bool gso_hint = t->o->gso && (e == EINVAL || e == EMSGSIZE);

	snprintf(err, n, "%s: %s: %s%s", GEN_NAME, call, strerror(e),
		 gso_hint ? " (--gso segment larger than the path MTU, or "
			    "more segments per message than the kernel allows)"
			  : "");
}

/* Send msgs[0..n). Returns 0 when done or stopped, -1 on a fatal error. */
static int send_batch(struct tx *t, int fd, uint32_t n, char *err, size_t len)
{
	bool single = t->o->batch == 1;
	uint32_t i = 0;

	while (i < n) {
		int r;

		if (single)
			r = sendmsg(fd, &t->msgs[i].msg_hdr, 0) < 0 ? -1 : 1;
		else
			r = sendmmsg(fd, t->msgs + i, n - i, 0);
		if (r > 0) {
			for (uint32_t k = i; k < i + (uint32_t)r; k++) {
				uint64_t segs = gen_segments(t->iov[k].iov_len, t->o->gso);

				t->packets += segs;
				t->sent[k % t->ndst] += segs;
				t->bytes += t->iov[k].iov_len;
			}
			i += (uint32_t)r;
		} else if (errno == EINTR) {
			if (gen_stopping())
				return 0;
		} else if (tolerated(errno)) {
			/* skip the refused message, carry on with the rest */
			uint64_t segs = gen_segments(t->iov[i].iov_len, t->o->gso);

			t->errors += segs;
			t->failed[i % t->ndst] += segs;
			i++;
		} else {
			fatal(t, single ? "sendmsg" : "sendmmsg", errno, err, len);
			return -1;
		}
	}
	return 0;
}

/* Lay out the next batch for `remaining` packets; returns its messages. */
static uint32_t fill_batch(struct tx *t, uint64_t remaining)
{
	uint64_t msgs = remaining / t->per_msg + (remaining % t->per_msg != 0);
	uint32_t n = msgs < t->o->batch ? (uint32_t)msgs : t->o->batch;

	for (uint32_t k = 0; k < n; k++)
		t->iov[k].iov_len = t->o->size;
	if (remaining < n * t->per_msg) {
		/* partial GSO super-buffer: just enough segments */
		uint64_t left = remaining - (uint64_t)(n - 1) * t->per_msg;
		t->iov[n - 1].iov_len = (size_t)(left * t->o->gso);
	}
	return n;
}

/* One fd per source port can exceed the default soft limit of 1024. */
static void raise_nofile(uint32_t need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need + 64)
		return;
	rl.rlim_cur = rl.rlim_max < need + 64 ? rl.rlim_max : need + 64;
	setrlimit(RLIMIT_NOFILE, &rl);  /* best effort; socket() reports EMFILE */
}

static int setup(struct tx *t, char *err, size_t n)
{
	const struct gen_opts *o = t->o;

	t->ndst = o->ndst ? o->ndst : 1;
	for (uint32_t i = 0; i < t->ndst; i++)
		t->dst[i] = o->ndst ? o->dsts[i] : o->dst;
	t->nfds = o->sport_lo ? (uint32_t)(o->sport_hi - o->sport_lo + 1) : 1;
	t->per_msg = gen_segments(o->size, o->gso);
	t->fds = calloc(t->nfds, sizeof(*t->fds));
	t->msgs = calloc(o->batch, sizeof(*t->msgs));
	t->iov = calloc(o->batch, sizeof(*t->iov));
	t->payload = malloc(o->size);
	if (!t->fds || !t->msgs || !t->iov || !t->payload) {
		snprintf(err, n, "%s: out of memory", GEN_NAME);
		return -1;
	}
	for (uint32_t i = 0; i < o->size; i++)
		t->payload[i] = (unsigned char)i;       /* counter pattern */
	for (uint32_t k = 0; k < o->batch; k++) {
		struct msghdr *h = &t->msgs[k].msg_hdr;

		t->iov[k].iov_base = t->payload;
		t->iov[k].iov_len = o->size;
		h->msg_name = &t->dst[k % t->ndst].ss;
		h->msg_namelen = t->dst[k % t->ndst].len;
		h->msg_iov = &t->iov[k];
		h->msg_iovlen = 1;
	}
	raise_nofile(t->nfds);
	if (gen_tx_open(o, t->fds, t->nfds, err, n) < 0) {
		free(t->fds);
		t->fds = NULL;
		return -1;
	}
	return 0;
}

static void teardown(struct tx *t)
{
	for (uint32_t i = 0; t->fds && i < t->nfds; i++)
		close(t->fds[i]);
	free(t->fds);
	free(t->msgs);
	free(t->iov);
	free(t->payload);
}

/* Sleep until `due` unless already past it. -1: interrupted by a signal. */
static int wait_for(uint64_t due)
{
	return due > gen_now_ns() ? gen_sleep_until_ns(due) : 0;
}

int gen_send_run(const struct gen_opts *o, struct gen_result *r,
		 char *err, size_t errlen)
{
	struct tx t = { .o = o };
	uint64_t start, end, cpu0, done = 0;
	uint32_t sock = 0;
	int rc = 0;

	if (setup(&t, err, errlen) < 0) {
		teardown(&t);
		return -1;
	}
	start = gen_now_ns();
	cpu0 = gen_thread_cpu_ns();
	end = o->duration_ns ? start + o->duration_ns : UINT64_MAX;
	while (!gen_stopping() && !(o->count && done >= o->count)) {
		if (o->rate) {
			uint64_t due = start + gen_pace_offset_ns(done, o->rate);

			if (due >= end) {
				wait_for(end);
				break;
			}
			if (wait_for(due) < 0)
				continue;       /* signal: re-check the flag */
		} else if (o->duration_ns && gen_now_ns() >= end) {
			break;
		}
		uint32_t n = fill_batch(&t, o->count ? o->count - done : UINT64_MAX);
		if (send_batch(&t, t.fds[sock], n, err, errlen) < 0) {
			rc = -1;
			break;
		}
		done = t.packets + t.errors;
		sock = sock + 1 == t.nfds ? 0 : sock + 1;
	}
	/* a paced run ends when its last batch's time slot does, so that
	 * seconds * rate == packets rather than one batch early */
	if (rc == 0 && o->rate && o->count && done >= o->count) {
		uint64_t due = start + gen_pace_offset_ns(done, o->rate);
		wait_for(due < end ? due : end);
	}

	memset(r, 0, sizeof(*r));
	r->mode = GEN_MODE_SEND;
	r->packets = t.packets;
	r->bytes = t.bytes;
	r->errors = t.errors;
	r->seconds = (double)(gen_now_ns() - start) / 1e9;
	r->cpu_seconds = (double)(gen_thread_cpu_ns() - cpu0) / 1e9;
	r->batch = o->batch;
	r->gso = o->gso;
	r->size = o->size;
	r->rate = o->rate;
	r->sockets = t.nfds;
	for (uint32_t i = 0; o->ndst > 1 && i < t.ndst; i++)
		r->peer[r->npeers++] = (struct gen_peer){ .a = t.dst[i], .packets = t.sent[i], .failed = t.failed[i] };
	teardown(&t);
	return rc;
}
