/* The production drop-tracing programs (bpf/drops.bpf.c): the verifier
 * accepts them, and, attached for real in a network namespace of the test's
 * own, they count exactly the UDP drops the kernel counts there.
 *
 * They are tp_btf (BPF_PROG_TYPE_TRACING, attach type BPF_TRACE_RAW_TP).
 * BPF_PROG_TEST_RUN for TRACING programs only knows fentry/fexit/fmod_ret
 * (EFAULT for tp_btf on 6.18), so they cannot be run on fake arguments: a
 * test that did so skipped on every run of the supported kernel and was
 * replaced by real_drops_match_snmp. Their parser runs through
 * test_drops_parse on crafted frames. */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/bpf_info.h"
#include "lib/btf_enum.h"
#include "lib/kernel.h"
#include "drops.skel.h"
#include "fixture.h"
#include "sluice/drops.h"

/* as the daemon does (features/drops/swap.c): a kernel without the skb
 * argument of udp_fail_queue_rcv_skb (before 6.10) runs kfree_skb alone */
static void leave_out_what_the_kernel_lacks(struct drops_bpf *s)
{
	if (!sl_kernel_has(SL_KCAP_UDPQ_SKB))
		bpf_program__set_autoload(s->progs.sl_drops_udpq, false);
}

FX_SKELETON_PREP(drops, leave_out_what_the_kernel_lacks)

TestSuite(drops_progs, .init = setup, .fini = teardown);

static void assert_loaded(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	cr_assert_geq(fd, 0, "%s has no fd", bpf_program__name(prog));
	memset(&info, 0, len);
	cr_assert_eq(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
	cr_assert_eq(info.type, BPF_PROG_TYPE_TRACING, "%s type %u", bpf_program__name(prog), info.type);
	cr_assert_gt(info.xlated_prog_len, 0);
}

Test(drops_progs, verifier_accepts_both)
{
	assert_loaded(skel->progs.sl_drops_kfree);
	if (sl_kernel_has(SL_KCAP_UDPQ_SKB))
		assert_loaded(skel->progs.sl_drops_udpq);
	else /* left out, and nothing else went with it */
		cr_assert_lt(bpf_program__fd(skel->progs.sl_drops_udpq), 0);
	cr_assert_eq(bpf_program__expected_attach_type(skel->progs.sl_drops_kfree), BPF_TRACE_RAW_TP);
}

/* A network namespace of this test's own (Criterion runs each test in a
 * forked worker, so the rest of the machine keeps its own), lo up. */
static __u32 private_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	struct stat st;
	int fd;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0, "lo up: %s", strerror(errno));
	close(fd);
	cr_assert_eq(stat("/proc/self/ns/net", &st), 0);
	return (__u32)st.st_ino;
}

/* A counter of this namespace's /proc/net/snmp ("Udp", "NoPorts") or
 * /proc/net/snmp6 (table NULL, "Udp6NoPorts"). */
static unsigned long long snmp(const char *table, const char *field)
{
	FILE *f = fopen(table ? "/proc/net/snmp" : "/proc/net/snmp6", "r");
	char names[1024], values[1024], *n, *v, *sn, *sv;
	unsigned long long val;
	size_t tl = table ? strlen(table) : 0;

	cr_assert(f);
	if (!table) {
		while (fscanf(f, "%1023s %llu", names, &val) == 2)
			if (!strcmp(names, field)) {
				fclose(f);
				return val;
			}
		cr_assert_fail("no %s in /proc/net/snmp6", field);
	}
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, table, tl) || names[tl] != ':')
			continue;
		for (n = strtok_r(names, " \n", &sn), v = strtok_r(values, " \n", &sv); n && v;
		     n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, field)) {
				fclose(f);
				return strtoull(v, NULL, 10);
			}
	}
	cr_assert_fail("no %s %s in /proc/net/snmp", table, field);
	return 0;
}

/* n datagrams of `size` bytes from an unbound socket to addr */
static void send_udp(const struct sockaddr *addr, socklen_t alen, int n, size_t size)
{
	char buf[2048] = { 0 };
	int fd = socket(addr->sa_family, SOCK_DGRAM, 0);

	cr_assert_geq(fd, 0);
	cr_assert_leq(size, sizeof(buf));
	for (int i = 0; i < n; i++)
		cr_assert_eq(sendto(fd, buf, size, 0, addr, alen), (ssize_t)size, "sendto: %s", strerror(errno));
	close(fd);
}

/* The packets of every row of a per-CPU drop-count map that `want` takes
 * (keys of key_size bytes, at most 64). */
static unsigned long long packets_where(struct bpf_map *map, size_t key_size,
					bool (*want)(const void *key, const void *ctx), const void *ctx)
{
	int fd = bpf_map__fd(map), ncpu = libbpf_num_possible_cpus();
	struct sl_drop_count vals[ncpu > 0 ? ncpu : 1];
	unsigned char key[64], next[64];
	unsigned long long sum = 0;
	void *prev = NULL;

	cr_assert_eq(bpf_map__key_size(map), key_size);
	cr_assert_leq(key_size, sizeof(key));
	cr_assert_eq(bpf_map__value_size(map), sizeof(vals[0]));
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (!want(key, ctx))
			continue;
		cr_assert_eq(bpf_map_lookup_elem(fd, key, vals), 0);
		for (int c = 0; c < ncpu; c++)
			sum += vals[c].packets;
	}
	return sum;
}

static bool same_reason(const void *key, const void *ctx)
{
	const struct sl_drop_key *k = key, *want = ctx;

	return k->netns == want->netns && k->reason == want->reason && k->family == want->family;
}

/* packets this namespace's rows of the counter map hold for (reason, family) */
static unsigned long long counted(__u32 netns, __u32 reason, __u8 family)
{
	struct sl_drop_key want = { .netns = netns, .reason = reason, .family = family };

	return packets_where(skel->maps.SL_DROPS_COUNTERS_MAP, sizeof(want), same_reason, &want);
}

static bool same_port(const void *key, const void *ctx)
{
	const struct sl_qfail_key *k = key, *want = ctx;

	return k->netns == want->netns && k->port == want->port;
}

/* packets of this namespace's socket-view rows (udp_fail_queue_rcv_skb) */
static unsigned long long qfailed(__u32 netns, __u16 port)
{
	struct sl_qfail_key want = { .netns = netns, .port = port };

	return packets_where(skel->maps.SL_DROPS_QFAIL_MAP, sizeof(want), same_port, &want);
}

static __u32 reason_value(const char *name)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct sl_enum_names e = { 0 };
	int64_t v;

	cr_assert(btf, "kernel BTF: %s", strerror(errno));
	cr_assert_eq(sl_enum_names_load(&e, btf, "skb_drop_reason", "SKB_DROP_REASON_"), 0);
	cr_assert_eq(sl_enum_value(&e, name, &v), 0, "no drop reason %s", name);
	sl_enum_names_free(&e);
	btf__free(btf);
	return (__u32)v;
}

/* The kernel's count against the programs': equal, or short by no more
 * than the programs' recursion misses (a drop in an interrupt while the
 * program ran on that CPU: the one loss no tracer can avoid). */
static void assert_exact(const char *what, unsigned long long kernel, unsigned long long ours,
			 struct bpf_program *prog)
{
	int64_t misses = sl_prog_recursion_misses(bpf_program__fd(prog));

	cr_expect(ours == kernel || (ours < kernel && misses >= 0 && kernel - ours <= (uint64_t)misses),
		  "%s: the kernel counted %llu, the programs %llu (recursion misses %lld)", what, kernel, ours,
		  (long long)misses);
}

Test(drops_progs, real_drops_match_snmp)
{
	enum { N4 = 37, N6 = 23, FLOOD = 400 };
	__u32 netns = private_netns(), no_socket = reason_value("NO_SOCKET"),
	      rcvbuf = reason_value("SOCKET_RCVBUFF");
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in rx = { .sin_family = AF_INET };
	socklen_t rxlen = sizeof(rx);
	unsigned long long noports4 = snmp("Udp", "NoPorts"), noports6 = snmp(NULL, "Udp6NoPorts"),
			   rcvbuf4 = snmp("Udp", "RcvbufErrors");
	int small = 1, fd;

	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(drops_bpf__attach(skel), 0, "attach: %s", strerror(errno));

	/* to a port nobody listens on, both families */
	send_udp((struct sockaddr *)&a4, sizeof(a4), N4, 64);
	send_udp((struct sockaddr *)&a6, sizeof(a6), N6, 64);
	/* into a socket with the smallest receive buffer that is never read */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	cr_assert_geq(fd, 0);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&rx, sizeof(rx)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&rx, &rxlen), 0);
	send_udp((struct sockaddr *)&rx, sizeof(rx), FLOOD, 1000);

	noports4 = snmp("Udp", "NoPorts") - noports4;
	noports6 = snmp(NULL, "Udp6NoPorts") - noports6;
	rcvbuf4 = snmp("Udp", "RcvbufErrors") - rcvbuf4;
	close(fd);
	/* loopback delivers within sendto: the kernel saw every datagram */
	cr_assert_eq(noports4, N4, "Udp NoPorts grew by %llu", noports4);
	cr_assert_eq(noports6, N6, "Udp6NoPorts grew by %llu", noports6);
	cr_assert_gt(rcvbuf4, 0, "no receive buffer overflow from %d datagrams", FLOOD);

	assert_exact("NO_SOCKET, IPv4", noports4, counted(netns, no_socket, SL_FAMILY_IPV4),
		     skel->progs.sl_drops_kfree);
	assert_exact("NO_SOCKET, IPv6", noports6, counted(netns, no_socket, SL_FAMILY_IPV6),
		     skel->progs.sl_drops_kfree);
	assert_exact("SOCKET_RCVBUFF, IPv4", rcvbuf4, counted(netns, rcvbuf, SL_FAMILY_IPV4),
		     skel->progs.sl_drops_kfree);
	if (sl_kernel_has(SL_KCAP_UDPQ_SKB))
		assert_exact("udp_fail_queue_rcv_skb, the socket's port", rcvbuf4, qfailed(netns, ntohs(rx.sin_port)),
			     skel->progs.sl_drops_udpq);
	else
		cr_assert_eq(qfailed(netns, ntohs(rx.sin_port)), 0, "a program left out counted");
}
