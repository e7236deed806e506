/* sluice-gen sink on loopback (no privileges): --ready-file appears once
 * the socket is bound, --hold never reads so a burst overflows its small
 * buffer and the summary reports the kernel's drop count. The sink runs in
 * a thread; the test sends to it with the real send loop. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gen_loopback.h"

struct sink_job {
	struct gen_opts o;
	struct gen_result r;
	char err[GEN_ERRLEN];
	int rc;
};

static char dir[] = "/tmp/sluice-gen-sink-XXXXXX";
static char ready_path[sizeof(dir) + 16];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(ready_path, sizeof(ready_path), "%s/ready", dir);
}

static void teardown(void)
{
	unlink(ready_path);
	rmdir(dir);
}

/* A UDP port on 127.0.0.1 that was free a moment ago; if someone takes it
 * in between, the sink's bind fails and the test says so. */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		cr_skip_test("no loopback: %s", strerror(errno));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

static void sink_opts(struct gen_opts *o, uint16_t port)
{
	gen_loopback_opts(o, GEN_MODE_SINK, port);
	o->ready_file = ready_path;
}

static void *sink_thread(void *arg)
{
	struct sink_job *j = arg;

	j->rc = gen_sink_run(&j->o, &j->r, j->err, sizeof(j->err));
	return NULL;
}

/* Poll for the ready file, at most two seconds. */
static bool wait_ready(void)
{
	struct timespec tick = { 0, 5000000 };
	struct stat st;

	for (int i = 0; i < 400; i++) {
		if (!stat(ready_path, &st))
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static void send_burst(uint16_t port, uint64_t count, uint32_t size)
{
	struct gen_opts o;
	struct gen_result r;
	char err[GEN_ERRLEN] = "";

	gen_opts_defaults(&o);
	o.mode = GEN_MODE_SEND;
	cr_assert_eq(gen_addr_parse("127.0.0.1", &o.dst), 0);
	o.has_dst = true;
	o.port = port;
	gen_addr_set_port(&o.dst, port);
	o.count = count;
	o.size = size;
	cr_assert_eq(gen_send_run(&o, &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.packets + r.errors, count);
}

Test(gen_sink, hold_never_reads_and_reports_drops, .init = setup, .fini = teardown)
{
	struct sink_job j = { .rc = -1 };
	pthread_t t;

	sink_opts(&j.o, free_port());
	j.o.hold = true;                /* rcvbuf 0: the --hold default, 4096 */
	j.o.duration_ns = 500000000;
	cr_assert_eq(pthread_create(&t, NULL, sink_thread, &j), 0);
	cr_assert(wait_ready(), "ready file never appeared");
	send_burst(j.o.port, 2000, 1000);
	pthread_join(t, NULL);
	cr_assert_eq(j.rc, 0, "%s", j.err);
	cr_assert_eq(j.r.mode, GEN_MODE_SINK);
	cr_assert_eq(j.r.packets, 0, "a holding sink reads nothing");
	cr_assert_eq(j.r.bytes, 0);
	cr_assert_gt(j.r.drops, 0, "a 4 KiB buffer cannot hold 2 MB");
	/* typically 1990+; not asserted: a loaded machine may defer softirq
	 * work and overflow the loopback backlog before the socket */
	cr_assert_leq(j.r.drops, 2000);
	cr_assert_geq(j.r.wall_seconds, 0.5, "ran until --duration");
}

Test(gen_sink, ready_file_then_count, .init = setup, .fini = teardown)
{
	struct sink_job j = { .rc = -1 };
	pthread_t t;

	sink_opts(&j.o, free_port());
	j.o.count = 10;
	j.o.duration_ns = 5000000000ull;        /* safety net */
	j.o.rcvbuf = 65536;
	cr_assert_eq(pthread_create(&t, NULL, sink_thread, &j), 0);
	cr_assert(wait_ready(), "ready file never appeared");
	send_burst(j.o.port, 10, 100);
	pthread_join(t, NULL);
	cr_assert_eq(j.rc, 0, "%s", j.err);
	cr_assert_eq(j.r.packets, 10);
	cr_assert_eq(j.r.bytes, 1000);
	cr_assert_eq(j.r.drops, 0);
}

Test(gen_sink, bind_failure_leaves_no_ready_file, .init = setup, .fini = teardown)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct sink_job j = { .rc = -1 };
	struct stat st;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	sink_opts(&j.o, ntohs(a.sin_port));
	j.o.hold = true;
	j.o.duration_ns = 100000000;
	cr_assert_eq(gen_sink_run(&j.o, &j.r, j.err, sizeof(j.err)), -1);
	cr_assert(strstr(j.err, "bind 127.0.0.1:") != NULL, "%s", j.err);
	cr_assert(strstr(j.err, strerror(EADDRINUSE)) != NULL, "%s", j.err);
	cr_assert_neq(stat(ready_path, &st), 0, "ready file created anyway");
	close(fd);
}

Test(gen_sink, unwritable_ready_file_is_a_runtime_error, .init = setup, .fini = teardown)
{
	struct sink_job j = { .rc = -1 };
	char bad[sizeof(dir) + 32];

	snprintf(bad, sizeof(bad), "%s/no-such-dir/ready", dir);
	sink_opts(&j.o, free_port());
	j.o.hold = true;
	j.o.duration_ns = 100000000;
	j.o.ready_file = bad;
	cr_assert_eq(gen_sink_run(&j.o, &j.r, j.err, sizeof(j.err)), -1);
	cr_assert(strstr(j.err, "--ready-file ") != NULL, "%s", j.err);
	cr_assert(strstr(j.err, strerror(ENOENT)) != NULL, "%s", j.err);
}

/* GSO batches (several datagrams a message) reach a UDP_GRO sink as
 * fewer, larger messages: it counts datagrams all the same, per source */
Test(gen_sink, gro_counts_datagrams_per_source, .init = setup, .fini = teardown)
{
	struct sink_job j = { .rc = -1 };
	struct gen_opts o;
	struct gen_result r;
	char err[GEN_ERRLEN] = "";
	pthread_t t;

	sink_opts(&j.o, free_port());
	j.o.count = 40;
	j.o.duration_ns = 5000000000ull;        /* safety net */
	cr_assert_eq(pthread_create(&t, NULL, sink_thread, &j), 0);
	cr_assert(wait_ready(), "ready file never appeared");
	gen_opts_defaults(&o);
	o.mode = GEN_MODE_SEND;
	cr_assert_eq(gen_addr_parse("127.0.0.1", &o.dst), 0);
	o.has_dst = true;
	o.port = j.o.port;
	gen_addr_set_port(&o.dst, o.port);
	o.count = 40;
	o.size = 1000;
	o.gso = 100;                            /* 10 datagrams a message */
	cr_assert_eq(gen_send_run(&o, &r, err, sizeof(err)), 0, "%s", err);
	pthread_join(t, NULL);
	cr_assert_eq(j.rc, 0, "%s", j.err);
	cr_assert_eq(j.r.packets, 40);
	cr_assert_eq(j.r.bytes, 4000);
	cr_assert_eq(j.r.npeers, 1);
	cr_assert_eq(j.r.peer[0].packets, 40);
	gen_addr_ip(&j.r.peer[0].a, err, sizeof(err));
	cr_assert_str_eq(err, "127.0.0.1");
}

/* --batch 1 --no-gro: recvmsg, each datagram its own message */
Test(gen_sink, recvmsg_without_gro, .init = setup, .fini = teardown)
{
	struct sink_job j = { .rc = -1 };
	pthread_t t;

	sink_opts(&j.o, free_port());
	j.o.count = 10;
	j.o.batch = 1;
	j.o.no_gro = true;
	j.o.duration_ns = 5000000000ull;        /* safety net */
	cr_assert_eq(pthread_create(&t, NULL, sink_thread, &j), 0);
	cr_assert(wait_ready(), "ready file never appeared");
	send_burst(j.o.port, 10, 100);
	pthread_join(t, NULL);
	cr_assert_eq(j.rc, 0, "%s", j.err);
	cr_assert_eq(j.r.packets, 10);
	cr_assert_eq(j.r.bytes, 1000);
	cr_assert_eq(j.r.peer[0].packets, 10);
}
