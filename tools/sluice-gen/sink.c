/* The sink: one UDP socket, recvmmsg in batches of 64, non-blocking while
 * traffic flows and ppoll when idle, so --duration and SIGINT are honoured
 * exactly instead of at the next packet or timeout tick. With UDP_GRO the
 * kernel may hand over several datagrams of one sender as one message: its
 * segment size (a control message) says how many it holds, so packets
 * count datagrams either way, per source address too.
 *
 * With --hold it binds a socket with a small receive buffer and never reads
 * it: once the buffer is full the kernel drops every further datagram
 * (UDP RcvbufErrors), and the summary reports the socket's drop counter.
 */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOT 65536u             /* fits any UDP payload: no truncation */

struct rx {
	struct mmsghdr msgs[GEN_SINK_BATCH];
	struct iovec iov[GEN_SINK_BATCH];
	struct sockaddr_storage from[GEN_SINK_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[GEN_SINK_BATCH];
	unsigned char *buf;
};

static int sys_fail(const char *what, char *err, size_t n)
{
	snprintf(err, n, "%s: %s: %s", GEN_NAME, what, strerror(errno));
	return -1;
}

static int join(int fd, const struct gen_addr *a, char *err, size_t n)
{
	if (a->family == AF_INET) {
		struct ip_mreqn m = {
			.imr_multiaddr = ((const struct sockaddr_in *)&a->ss)->sin_addr,
		};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) < 0)
			return sys_fail("setsockopt(IP_ADD_MEMBERSHIP)", err, n);
		return 0;
	}
	struct ipv6_mreq m = {
		.ipv6mr_multiaddr = ((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		.ipv6mr_interface = gen_addr_scope(a),
	};
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) < 0)
		return sys_fail("setsockopt(IPV6_JOIN_GROUP)", err, n);
	return 0;
}

/* Tell a waiting script the socket is bound: create an empty file. */
static int ready(const char *path, char *err, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || close(fd) < 0) {
		snprintf(err, n, "%s: --ready-file %s: %s", GEN_NAME, path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* The listening address: --bind, else dual-stack ::, else 0.0.0.0 on a
 * host without IPv6. */
static int open_socket(const struct gen_opts *o, struct gen_addr *a)
{
	int fd;

	if (o->has_dst) {
		*a = o->dst;
		return socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	}
	gen_addr_parse("::", a);
	gen_addr_set_port(a, o->port);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd >= 0 || errno != EAFNOSUPPORT)
		return fd;
	gen_addr_parse("0.0.0.0", a);
	gen_addr_set_port(a, o->port);
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
}

static int open_sink(const struct gen_opts *o, char *err, size_t n)
{
	struct gen_addr a;
	char where[80];
	int fd = open_socket(o, &a), one = 1, zero = 0;
	/* options built without the parser leave rcvbuf 0: same defaults */
	int rcvbuf = (int)(o->rcvbuf ? o->rcvbuf :
			   o->hold ? GEN_HOLD_RCVBUF : GEN_DEF_RCVBUF);

	if (fd < 0)
		return sys_fail("socket", err, n);
	/* several sinks may share a group; unicast keeps EADDRINUSE */
	if (a.multicast &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail_opt;
	if (a.family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0)
		goto fail_opt;
	/* the kernel doubles the value (bookkeeping overhead), raises it to
	 * its minimum and caps it at net.core.rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		goto fail_opt;
	if (!o->hold && !o->no_gro && setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)) < 0)
		goto fail_opt;
	if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0) {
		gen_addr_format(&a, where, sizeof(where));
		snprintf(err, n, "%s: bind %s: %s", GEN_NAME, where,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (a.multicast && join(fd, &a, err, n) < 0) {
		close(fd);
		return -1;
	}
	if (o->ready_file && ready(o->ready_file, err, n) < 0) {
		close(fd);
		return -1;
	}
	return fd;
fail_opt:
	sys_fail("setsockopt", err, n);
	close(fd);
	return -1;
}

/* Block until readable, the deadline, or a signal; fd < 0 waits for the
 * deadline or a signal only. SIGINT/SIGTERM stay blocked between the flag
 * check and ppoll, which unblocks them atomically, so a signal cannot slip
 * in and leave us asleep. */
static int wait_readable(int fd, uint64_t end)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	nfds_t nfds = fd < 0 ? 0 : 1;
	struct timespec ts, *tp = NULL;
	sigset_t block, old;
	int rc = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (!gen_stopping()) {
		if (end != UINT64_MAX) {
			uint64_t now = gen_now_ns(), left = end > now ? end - now : 0;

			ts.tv_sec = (time_t)(left / 1000000000ull);
			ts.tv_nsec = (long)(left % 1000000000ull);
			tp = &ts;
		}
		if (ppoll(&p, nfds, tp, &old) < 0 && errno != EINTR)
			rc = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static uint64_t socket_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

struct gen_peer *gen_peer_of(struct gen_result *r, const struct sockaddr_storage *a)
{
	struct gen_addr key = { .ss = *a, .family = a->ss_family };
	struct sockaddr_in6 *in6 = (void *)&key.ss;

	if (key.family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		struct sockaddr_in in4 = { .sin_family = AF_INET };

		memcpy(&in4.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
		memset(&key.ss, 0, sizeof(key.ss));
		memcpy(&key.ss, &in4, sizeof(in4));
		key.family = AF_INET;
	}
	key.len = key.family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	gen_addr_set_port(&key, 0);
	for (uint32_t i = 0; i < r->npeers; i++)
		if (r->peer[i].a.family == key.family && !memcmp(&r->peer[i].a.ss, &key.ss, key.len))
			return &r->peer[i];
	if (r->npeers == GEN_MAX_PEERS)
		return NULL;
	r->peer[r->npeers] = (struct gen_peer){ .a = key };
	return &r->peer[r->npeers++];
}

/* the datagrams message k holds: its UDP_GRO segment size, if any, cuts it */
static uint64_t datagrams(const struct rx *x, int k)
{
	const struct msghdr *h = &x->msgs[k].msg_hdr;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR((struct msghdr *)h, c)) {
		int seg;

		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO)
			continue;
		memcpy(&seg, CMSG_DATA(c), sizeof(seg));
		if (seg > 0)
			return gen_segments(x->msgs[k].msg_len, (uint32_t)seg);
	}
	return 1;
}

static void rearm(struct rx *x)
{
	for (unsigned k = 0; k < GEN_SINK_BATCH; k++) {
		x->msgs[k].msg_hdr.msg_name = &x->from[k];
		x->msgs[k].msg_hdr.msg_namelen = sizeof(x->from[k]);
		x->msgs[k].msg_hdr.msg_control = x->ctl[k].buf;
		x->msgs[k].msg_hdr.msg_controllen = sizeof(x->ctl[k].buf);
	}
}

static int receive(int fd, const struct gen_opts *o, struct rx *x,
		   struct gen_result *r, char *err, size_t n)
{
	uint64_t start = gen_now_ns(), first = 0, last = 0;
	uint64_t end = o->duration_ns ? start + o->duration_ns : UINT64_MAX;

	while (!gen_stopping() && !(o->count && r->packets >= o->count) &&
	       gen_now_ns() < end) {
		/* --batch 1: recvmsg, one call a message (options built without
		 * the parser leave batch 0: the default) */
		unsigned batch = o->batch && o->batch < GEN_SINK_BATCH ? o->batch : GEN_SINK_BATCH;
		uint64_t want = o->count ? o->count - r->packets : batch;
		unsigned vlen = want < batch ? (unsigned)want : batch;
		int got;

		rearm(x);
		if (batch == 1) {
			ssize_t len = recvmsg(fd, &x->msgs[0].msg_hdr, MSG_DONTWAIT);

			got = len < 0 ? -1 : 1;
			x->msgs[0].msg_len = len < 0 ? 0 : (unsigned)len;
		} else {
			got = recvmmsg(fd, x->msgs, vlen, MSG_DONTWAIT, NULL);
		}
		if (got > 0) {
			last = gen_now_ns();
			if (!r->packets)
				first = last;
			for (int k = 0; k < got; k++) {
				uint64_t n = datagrams(x, k);
				struct gen_peer *p = gen_peer_of(r, &x->from[k]);

				r->bytes += x->msgs[k].msg_len;
				r->packets += n;
				if (p)
					p->packets += n;
			}
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_readable(fd, end) < 0)
				return sys_fail("ppoll", err, n);
		} else if (errno == ENOBUFS || errno == ENOMEM ||
			   errno == ECONNREFUSED) {
			r->errors++;    /* transient: keep counting */
		} else if (errno != EINTR) {
			return sys_fail("recvmmsg", err, n);
		}
	}
	r->seconds = (double)(last - first) / 1e9;
	r->wall_seconds = (double)(gen_now_ns() - start) / 1e9;
	return 0;
}

/* --hold: sleep until the deadline or a signal; the kernel does the rest. */
static int hold(const struct gen_opts *o, struct gen_result *r,
		char *err, size_t n)
{
	uint64_t start = gen_now_ns();
	uint64_t end = o->duration_ns ? start + o->duration_ns : UINT64_MAX;

	while (!gen_stopping() && gen_now_ns() < end)
		if (wait_readable(-1, end) < 0)
			return sys_fail("ppoll", err, n);
	r->wall_seconds = (double)(gen_now_ns() - start) / 1e9;
	return 0;
}

int gen_sink_run(const struct gen_opts *o, struct gen_result *r,
		 char *err, size_t errlen)
{
	struct rx *x;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	r->mode = GEN_MODE_SINK;
	if (o->hold) {
		fd = open_sink(o, err, errlen);
		if (fd < 0)
			return -1;
		rc = hold(o, r, err, errlen);
		r->drops = socket_drops(fd);
		close(fd);
		return rc;
	}
	x = calloc(1, sizeof(*x));
	if (!x || !(x->buf = malloc((size_t)GEN_SINK_BATCH * SLOT))) {
		free(x);
		snprintf(err, errlen, "%s: out of memory", GEN_NAME);
		return -1;
	}
	for (unsigned k = 0; k < GEN_SINK_BATCH; k++) {
		x->iov[k].iov_base = x->buf + (size_t)k * SLOT;
		x->iov[k].iov_len = SLOT;
		x->msgs[k].msg_hdr.msg_iov = &x->iov[k];
		x->msgs[k].msg_hdr.msg_iovlen = 1;
	}
	fd = open_sink(o, err, errlen);
	rc = fd < 0 ? -1 : receive(fd, o, x, r, err, errlen);
	if (fd >= 0) {
		r->drops = socket_drops(fd);
		close(fd);
	}
	free(x->buf);
	free(x);
	return rc;
}
