/* sluice-gen send loop against a plain socket on loopback (no privileges):
 * the datagram count, sizes and GSO accounting must match what arrives. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gen_loopback.h"

/* A receiver on 127.0.0.1 with an ephemeral port, big enough a buffer to
 * hold the whole test burst. */
static int receiver(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), buf = 4 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		cr_skip_test("no loopback: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Drain without blocking; returns datagrams, adds their sizes to *bytes. */
static unsigned drain(int fd, uint64_t *bytes, int *first_len)
{
	static char buf[65536];
	unsigned n = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		if (!n && first_len)
			*first_len = (int)r;
		*bytes += (uint64_t)r;
		n++;
	}
	return n;
}

static void run_send(struct gen_opts *o, struct gen_result *r)
{
	char err[GEN_ERRLEN] = "";

	cr_assert_eq(gen_send_run(o, r, err, sizeof(err)), 0, "%s", err);
}

static void opts(struct gen_opts *o, uint16_t port)
{
	gen_loopback_opts(o, GEN_MODE_SEND, port);
}

Test(gen_send, count_with_sendmmsg_and_pattern)
{
	struct gen_opts o;
	struct gen_result r;
	uint64_t bytes = 0;
	int first = 0;
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.count = 100;          /* one batch of 64 and one of 36 */
	o.size = 200;
	run_send(&o, &r);
	cr_assert_eq(r.packets, 100);
	cr_assert_eq(r.bytes, 20000);
	cr_assert_eq(r.errors, 0);
	cr_assert_eq(r.sockets, 1);
	cr_assert_eq(drain(fd, &bytes, &first), 100);
	cr_assert_eq(bytes, 20000);
	cr_assert_eq(first, 200);
	close(fd);
}

Test(gen_send, batch_one_uses_sendmsg_path)
{
	struct gen_opts o;
	struct gen_result r;
	uint64_t bytes = 0;
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.count = 10;
	o.batch = 1;
	run_send(&o, &r);
	cr_assert_eq(r.packets, 10);
	cr_assert_eq(drain(fd, &bytes, NULL), 10);
	close(fd);
}

Test(gen_send, gso_counts_wire_datagrams)
{
	struct gen_opts o;
	struct gen_result r;
	uint64_t bytes = 0;
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.size = 14000;
	o.gso = 1400;
	o.count = 25;           /* 2 full messages of 10 + one cut to 5 */
	run_send(&o, &r);
	cr_assert_eq(r.packets, 25);
	cr_assert_eq(r.bytes, 25 * 1400);
	cr_assert_eq(drain(fd, &bytes, NULL), 25, "segments seen by receiver");
	cr_assert_eq(bytes, 25 * 1400);
	close(fd);
}

Test(gen_send, rate_paces_without_drift)
{
	struct gen_opts o;
	struct gen_result r;
	uint64_t bytes = 0;
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.count = 1000;
	o.batch = 10;
	o.rate = 10000;         /* 1000 packets: 0.1 s */
	run_send(&o, &r);
	cr_assert_eq(r.packets, 1000);
	/* not early; how late depends on the machine's load, so no upper
	 * bound here: the deadlines' arithmetic is gen_stats' pace tests */
	cr_assert_geq(r.seconds, 0.1, "finished early: %f", r.seconds);
	cr_assert_eq(drain(fd, &bytes, NULL), 1000);
	close(fd);
}

Test(gen_send, duration_stops_the_run)
{
	struct gen_opts o;
	struct gen_result r;
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.duration_ns = 100000000;      /* 0.1 s at 1000 pps: ~100 packets */
	o.rate = 1000;
	o.batch = 1;
	run_send(&o, &r);
	cr_assert_geq(r.seconds, 0.1);
	/* a late slot is still sent: the count does not depend on the load */
	cr_assert_eq(r.packets, 100, "slots 0..99 fall inside 0.1 s");
	/* the thread's own CPU time: a paced run sleeps between its sends */
	cr_assert_gt(r.cpu_seconds, 0.0);
	cr_assert_lt(r.cpu_seconds, r.seconds / 2, "cpu %f of %f s: not the thread's CPU time",
		     r.cpu_seconds, r.seconds);
	close(fd);
}

Test(gen_send, sport_range_one_socket_per_port)
{
	struct gen_opts o;
	struct gen_result r;
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	char buf[64];
	uint16_t port, seen[4] = { 0 };
	int fd = receiver(&port);

	opts(&o, port);
	o.count = 4;
	o.batch = 1;            /* one packet per batch: each from a new port */
	o.sport_lo = 40001;
	o.sport_hi = 40004;
	run_send(&o, &r);
	cr_assert_eq(r.sockets, 4);
	for (int i = 0; i < 4; i++) {
		cr_assert_geq(recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
				       (struct sockaddr *)&from, &len), 0);
		seen[i] = ntohs(from.sin_port);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_eq(seen[i], 40001 + i, "round-robin order");
	close(fd);
}

Test(gen_send, bind_failure_is_reported)
{
	struct gen_opts o;
	struct gen_result r;
	char err[GEN_ERRLEN] = "";
	uint16_t port;
	int fd = receiver(&port);

	opts(&o, port);
	o.count = 1;
	o.sport_lo = o.sport_hi = port;  /* already taken by the receiver */
	cr_assert_eq(gen_addr_parse("127.0.0.1", &o.src), 0);
	o.has_src = true;
	cr_assert_eq(gen_send_run(&o, &r, err, sizeof(err)), -1);
	cr_assert(strstr(err, "bind 127.0.0.1:") != NULL, "%s", err);
	cr_assert(strstr(err, strerror(EADDRINUSE)) != NULL, "%s", err);
	close(fd);
}

/* --dst A,B: message k of each batch to the k-th (mod 2), counted per
 * destination */
Test(gen_send, dst_list_round_robin_in_each_batch)
{
	struct gen_opts o;
	struct gen_result r;
	uint64_t bytes = 0;
	uint16_t port, port2;
	int a = receiver(&port), b;
	struct sockaddr_in at = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000002) };

	/* the second on 127.0.0.2, the same port */
	b = socket(AF_INET, SOCK_DGRAM, 0);
	at.sin_port = htons(port);
	cr_assert_eq(bind(b, (struct sockaddr *)&at, sizeof(at)), 0, "%s", strerror(errno));
	port2 = port;
	opts(&o, port);
	cr_assert_eq(gen_addr_parse("127.0.0.1", &o.dsts[0]), 0);
	cr_assert_eq(gen_addr_parse("127.0.0.2", &o.dsts[1]), 0);
	gen_addr_set_port(&o.dsts[0], port);
	gen_addr_set_port(&o.dsts[1], port2);
	o.ndst = 2;
	o.count = 101;          /* batches of 64 and 37: 33 + 19 to the first */
	run_send(&o, &r);
	cr_assert_eq(r.packets, 101);
	cr_assert_eq(r.npeers, 2);
	cr_assert_eq(r.peer[0].packets, 51);
	cr_assert_eq(r.peer[1].packets, 50);
	cr_assert_eq(r.peer[0].failed + r.peer[1].failed, 0);
	cr_assert_eq(drain(a, &bytes, NULL), 51);
	cr_assert_eq(drain(b, &bytes, NULL), 50);
	close(a);
	close(b);
}
