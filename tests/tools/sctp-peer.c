/* A multihomed SCTP endpoint for tests, on libusrsctp over raw IP (root in
 * a network namespace: this kernel has no SCTP). It binds every address
 * given, exchanges N messages, prints one JSON line with what its own
 * stack says of the association (its state, local and peer addresses,
 * each peer address's path state, the primary path; the client's stack
 * (usrsctp 0.9.5) reports state 2, COOKIE_WAIT, however far it got, so
 * its "established" is not to be trusted), then closes the
 * association (SHUTDOWN) or, with --hold, keeps it open until killed.
 *
 *   sctp-peer server --port P --bind A1[,A2...] --count N [--hold] [--fast]
 *   sctp-peer client --port P --bind A1[,A2...] --peer Z1[,Z2...] --count N [--size S]
 *                    [--interval-us U] [--hold] [--fast] [--duration S] [--add-addr A]
 *
 * A stream for a benchmark: the client with --duration sends as fast as it
 * can for that many seconds (no count), the server with --count 0 receives
 * until the peer closes; "seconds" in the JSON line is the client's time
 * sending, the server's from its first message to its last.
 * --interval-us: a pause between messages (a flow that outlasts a path's
 * failure); --fast: a path fails after two lost retransmissions with an
 * RTO of 100-400 ms and heartbeats every 200 ms, so a failover takes about
 * a second instead of the defaults' half a minute. --add-addr: halfway
 * through, the client binds A too, which usrsctp announces to the peer
 * in an ASCONF (RFC 5061 add IP address).
 *
 * Addresses IPv4 or IPv6, mixed: with an IPv6 one the socket is AF_INET6,
 * which takes IPv4 addresses too, so one association spans both families
 * (usrsctp sends and receives each over its own raw socket). Exit 0 when
 * every message went through, 1 otherwise, 2 on usage. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <usrsctp.h>

#define MAX_ADDRS 8

/* An address list as usrsctp takes and gives it (bindx, connectx,
 * getladdrs): sockaddr_in and sockaddr_in6 packed one after the other. */
struct addrs {
	int n, len;                /* addresses, bytes of buf used */
	bool v6;                   /* one of them is IPv6: the socket must be AF_INET6 */
	_Alignas(struct sockaddr_in6) unsigned char buf[MAX_ADDRS * sizeof(struct sockaddr_in6)];
};

static socklen_t sa_len(const struct sockaddr *a)
{
	return a->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* the address of a sockaddr_in or sockaddr_in6 as text */
static const char *sa_text(const struct sockaddr *a, char t[INET6_ADDRSTRLEN])
{
	if (a->sa_family == AF_INET6)
		return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr, t, INET6_ADDRSTRLEN);
	if (a->sa_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, t, INET6_ADDRSTRLEN);
	return strcpy(t, "");
}

/* one address, IPv4 or IPv6, as a sockaddr at `at`; its length, 0 when bad */
static socklen_t parse_addr(const char *w, uint16_t port, unsigned char *at)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET6, w, &a6.sin6_addr) == 1) {
		memcpy(at, &a6, sizeof(a6));
		return sizeof(a6);
	}
	if (inet_pton(AF_INET, w, &a4.sin_addr) == 1) {
		memcpy(at, &a4, sizeof(a4));
		return sizeof(a4);
	}
	fprintf(stderr, "sctp-peer: '%s' is not an IPv4 or IPv6 address\n", w);
	return 0;
}

/* "A1,A2,..." into *out; its count, -1 on a bad address */
static int parse_addrs(const char *list, uint16_t port, struct addrs *out)
{
	char buf[512], *save;

	memset(out, 0, sizeof(*out));
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w && out->n < MAX_ADDRS; w = strtok_r(NULL, ",", &save)) {
		socklen_t len = parse_addr(w, port, out->buf + out->len);

		if (!len)
			return -1;
		out->v6 |= len == sizeof(struct sockaddr_in6);
		out->len += (int)len;
		out->n++;
	}
	return out->n;
}

static const char *path_state(int32_t s)
{
	if (s & SCTP_UNCONFIRMED)
		return "unconfirmed";
	if (s & SCTP_ACTIVE)
		return "active";
	if (s & SCTP_INACTIVE)
		return "inactive";
	return "unknown";
}

static void addr_list(struct sockaddr *addrs, int n, FILE *out)
{
	char t[INET6_ADDRSTRLEN];
	unsigned char *a = (unsigned char *)addrs;

	for (int i = 0; i < n; a += sa_len((struct sockaddr *)a), i++)
		fprintf(out, "%s\"%s\"", i ? "," : "", sa_text((struct sockaddr *)a, t));
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* what the stack says of the association, as one JSON line */
static void report(struct socket *s, sctp_assoc_t id, const char *role, int messages, double seconds)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);
	struct sockaddr *addrs;
	char t[INET6_ADDRSTRLEN] = "";
	unsigned char *a;
	int n;

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = id;
	if (usrsctp_getsockopt(s, IPPROTO_SCTP, SCTP_STATUS, &st, &len))
		fprintf(stderr, "sctp-peer: SCTP_STATUS: %s\n", strerror(errno));
	sa_text((struct sockaddr *)&st.sstat_primary.spinfo_address, t);
	printf("{\"role\":\"%s\",\"messages\":%d,\"seconds\":%.3f,\"established\":%s,\"state\":%d,\"primary\":\"%s\","
	       "\"local\":[",
	       role, messages, seconds, st.sstat_state == SCTP_ESTABLISHED ? "true" : "false", st.sstat_state, t);
	n = usrsctp_getladdrs(s, id, &addrs);
	if (n > 0) {
		addr_list(addrs, n, stdout);
		usrsctp_freeladdrs(addrs);
	}
	printf("],\"peer\":[");
	n = usrsctp_getpaddrs(s, id, &addrs);
	a = (unsigned char *)addrs;
	for (int i = 0; i < n; a += sa_len((struct sockaddr *)a), i++) {
		struct sctp_paddrinfo pi;

		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.spinfo_address, a, sa_len((struct sockaddr *)a));
		pi.spinfo_assoc_id = id;
		len = sizeof(pi);
		usrsctp_getsockopt(s, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &len);
		sa_text((struct sockaddr *)a, t);
		printf("%s{\"addr\":\"%s\",\"state\":\"%s\"}", i ? "," : "", t, path_state(pi.spinfo_state));
	}
	if (n > 0)
		usrsctp_freepaddrs(addrs);
	printf("]}\n");
	fflush(stdout);
}

/* every message sent acknowledged by the peer */
static void drain(struct socket *s, sctp_assoc_t id)
{
	for (int i = 0; i < 500; i++) {
		struct sctp_status st;
		socklen_t len = sizeof(st);

		memset(&st, 0, sizeof(st));
		st.sstat_assoc_id = id;
		if (usrsctp_getsockopt(s, IPPROTO_SCTP, SCTP_STATUS, &st, &len) || !st.sstat_unackdata)
			return;
		usleep(10000);
	}
}

/* bind more addresses on the open association: usrsctp sends an ASCONF */
static int add_addr(struct socket *s, const char *list, uint16_t port)
{
	struct addrs add;
	int n = parse_addrs(list, port, &add);

	if (n <= 0 || usrsctp_bindx(s, (struct sockaddr *)add.buf, n, SCTP_BINDX_ADD_ADDR)) {
		perror("sctp-peer: bindx add");
		return -1;
	}
	fprintf(stderr, "sctp-peer: added %s\n", list);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: sctp-peer server|client --port P --bind A1[,A2] [--peer Z1[,Z2]] --count N "
			"[--size S] [--interval-us U] [--hold] [--fast] [--duration S] [--add-addr A]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' }, { "bind", required_argument, NULL, 'b' },
		{ "peer", required_argument, NULL, 'z' }, { "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' }, { "hold", no_argument, NULL, 'h' },
		{ "interval-us", required_argument, NULL, 'i' }, { "fast", no_argument, NULL, 'f' },
		{ "duration", required_argument, NULL, 'd' }, { "add-addr", required_argument, NULL, 'a' },
		{ 0 },
	};
	struct addrs local, peer = { 0 };
	const char *bind_list = NULL, *peer_list = NULL, *add_list = NULL;
	int port = 0, count = 1, size = 100, nlocal, npeer = 0, opt, done = 0, interval = 0, duration = 0;
	double t0 = 0, t1 = 0;
	bool server, hold = false, fast = false;
	struct socket *s, *c;
	sctp_assoc_t id = 0;
	char buf[65536];

	if (argc < 2 || (strcmp(argv[1], "server") && strcmp(argv[1], "client")))
		usage();
	server = !strcmp(argv[1], "server");
	optind = 2;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'b': bind_list = optarg; break;
		case 'z': peer_list = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'h': hold = true; break;
		case 'i': interval = atoi(optarg); break;
		case 'f': fast = true; break;
		case 'd': duration = atoi(optarg); break;
		case 'a': add_list = optarg; break;
		default: usage();
		}
	}
	if (duration > 0 && !server)
		count = 0; /* until the time is up */
	/* count 0: the server until the peer closes, the client until --duration is up */
	if (port <= 0 || port > 65535 || !bind_list || (!server && !peer_list) || count < 0 ||
	    (!count && !server && !duration) || size < 1 || size > (int)sizeof(buf) || interval < 0 || duration < 0 ||
	    (duration && server))
		usage();
	nlocal = parse_addrs(bind_list, (uint16_t)port, &local);
	if (nlocal <= 0 || (!server && (npeer = parse_addrs(peer_list, (uint16_t)port, &peer)) <= 0))
		usage();
	usrsctp_init(0, NULL, NULL); /* port 0: SCTP over raw IP, no UDP encapsulation */
	usrsctp_sysctl_set_sctp_blackhole(2);
	if (fast) {
		usrsctp_sysctl_set_sctp_rto_min_default(100);
		usrsctp_sysctl_set_sctp_rto_max_default(400);
		usrsctp_sysctl_set_sctp_rto_initial_default(200);
		usrsctp_sysctl_set_sctp_path_rtx_max_default(2);
		usrsctp_sysctl_set_sctp_heartbeat_interval_default(200);
	}
	/* an IPv6 socket takes IPv4 addresses too (not IPV6_V6ONLY): one
	 * association over both families */
	s = usrsctp_socket(local.v6 || peer.v6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	if (!s || usrsctp_bindx(s, (struct sockaddr *)local.buf, nlocal, SCTP_BINDX_ADD_ADDR)) {
		perror("sctp-peer: socket/bindx");
		return 1;
	}
	if (server) {
		if (usrsctp_listen(s, 1)) {
			perror("sctp-peer: listen");
			return 1;
		}
		fprintf(stderr, "sctp-peer: listening\n"); /* a test starts its client now */
		if (!(c = usrsctp_accept(s, NULL, NULL))) {
			perror("sctp-peer: accept");
			return 1;
		}
		while (!count || done < count) {
			struct sctp_rcvinfo ri;
			socklen_t from_len = 0, info_len = sizeof(ri);
			unsigned info_type = 0;
			int flags = 0;
			ssize_t r = usrsctp_recvv(c, buf, sizeof(buf), NULL, &from_len, &ri, &info_len, &info_type, &flags);

			if (r <= 0)
				break;
			if (flags & MSG_EOR) {
				t1 = now_s();
				if (!done++)
					t0 = t1;
			}
		}
	} else {
		c = s;
		if (usrsctp_connectx(c, (struct sockaddr *)peer.buf, npeer, &id)) {
			perror("sctp-peer: connectx");
			return 1;
		}
		memset(buf, 'm', (size_t)size);
		t0 = t1 = now_s();
		for (; count ? done < count : (t1 = now_s()) < t0 + duration; done++) {
			if (usrsctp_sendv(c, buf, (size_t)size, NULL, 0, NULL, 0, SCTP_SENDV_NOINFO, 0) < 0) {
				perror("sctp-peer: sendv");
				break;
			}
			if (interval > 0)
				usleep((useconds_t)interval);
			if (add_list && done == count / 2 && add_addr(c, add_list, (uint16_t)port))
				break;
		}
		if (count)
			t1 = now_s();
		drain(c, id);
	}
	report(c, id, server ? "server" : "client", done, t1 - t0);
	while (hold)
		pause();
	usrsctp_close(c);
	if (c != s)
		usrsctp_close(s);
	while (usrsctp_finish())
		usleep(100000);
	return (count ? done == count : done > 0) ? 0 : 1;
}
