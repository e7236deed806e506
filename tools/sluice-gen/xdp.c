/* xdp mode: transmit the template frame from a device with BPF_PROG_RUN in
 * live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, 5.18). One thread per CPU,
 * each running the program (bpf/gen_xdp.bpf.c) `repeat` times per call on
 * its own CPU; the program varies addresses and ports per frame and returns
 * XDP_TX, which live mode turns into a transmit out of the device named in
 * the run's context. No socket, no skb on this side.
 *
 * What the program sent is its per-CPU counter, summed (exact even when a
 * run stops early). packets is what of that the device passed on, from its
 * ethtool counters; errors the rest (see sent_by_device).
 */
#include "gen.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "lib/kernel.h"
#include "sluice/gen_xdp.h" /* before the skeleton: its rodata is a struct of it */
#include "gen_xdp.skel.h"
#include "xdp_dev.h"

#define CHUNK 8192u             /* frames per BPF_PROG_RUN unpaced: ~1-2 ms */
#define PACE_SLICES 1000u       /* paced: one call per 1/1000 s of frames */

struct shared {
	const struct gen_opts *o;
	int prog_fd, ifindex;
	const uint8_t *frame;
	uint32_t frame_len;
	_Atomic uint64_t remaining;     /* frames not yet claimed; --count */
	uint64_t deadline;              /* --duration: absolute; 0 = none */
};

struct worker {
	struct shared *s;
	pthread_t tid;
	int cpu;                /* -1: not pinned */
	uint64_t rate;          /* this thread's share of --rate */
	uint64_t t0, t1;        /* first call's start, last call's end */
	int err;                /* errno of a failed call */
	const char *what;
};

/* up to `want` frames of the shared --count; 0 when none are left */
static uint64_t claim(struct shared *s, uint64_t want)
{
	uint64_t have = atomic_load(&s->remaining), take;

	do {
		take = have < want ? have : want;
		if (!take)
			return 0;
	} while (!atomic_compare_exchange_weak(&s->remaining, &have, have - take));
	return take;
}

static uint64_t chunk_of(uint64_t rate)
{
	uint64_t c = rate ? rate / PACE_SLICES : CHUNK;

	return c < 1 ? 1 : c > CHUNK ? CHUNK : c;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	/* the kernel wants the frame's extent in the context too */
	struct xdp_md md = { .data_end = s->frame_len, .ingress_ifindex = (__u32)s->ifindex };
	uint64_t done = 0, want = chunk_of(w->rate), got;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			w->err = errno;
			w->what = "sched_setaffinity";
			return NULL;
		}
	}
	w->t0 = gen_now_ns();
	while (!gen_stopping() && (!s->deadline || gen_now_ns() < s->deadline) &&
	       (got = claim(s, want))) {
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = s->frame, .data_size_in = s->frame_len,
			    .ctx_in = &md, .ctx_size_in = sizeof(md), .repeat = (__u32)got,
			    .batch_size = s->o->batch, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		if (w->rate && gen_sleep_until_ns(w->t0 + gen_pace_offset_ns(done, w->rate)) < 0)
			break;
		if (bpf_prog_test_run_opts(s->prog_fd, &run) < 0) {
			w->err = errno;
			w->what = "BPF_PROG_RUN (live frames)";
			break;
		}
		done += got;
	}
	w->t1 = gen_now_ns();
	return NULL;
}

/* the program's per-CPU counters, summed */
static int stats(int map_fd, struct sl_gen_xdp_stat *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct sl_gen_xdp_stat *v;
	__u32 key = 0;

	if (ncpu <= 0 || !(v = calloc((size_t)ncpu, sizeof(*v))))
		return -1;
	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(map_fd, &key, v) < 0) {
		free(v);
		return -1;
	}
	for (int i = 0; i < ncpu; i++) {
		sum->sent += v[i].sent;
		sum->short_frames += v[i].short_frames;
	}
	free(v);
	return 0;
}

/* Of `sent` frames, those the device passed on. veth counts them
 * (tx_queue_N_xdp_xmit); it refuses frames silently when its peer has no
 * NAPI (no XDP program, GRO off) and counts the frames its peer's full
 * ring refused (xdp_xmit_errors). Without the former, sent less the
 * latter. Another sender on the device during the run counts there too. */
static uint64_t sent_by_device(uint64_t sent, const struct gen_xdp_xmit *a, const struct gen_xdp_xmit *b)
{
	uint64_t d;

	if (a->has_sent && b->has_sent) {
		d = b->sent >= a->sent ? b->sent - a->sent : 0;
		return d < sent ? d : sent;
	}
	d = b->errors >= a->errors ? b->errors - a->errors : 0;
	return d < sent ? sent - d : 0;
}

/* from the first thread's start to the last one's end */
static double span(const struct worker *w, uint32_t n)
{
	uint64_t t0 = w[0].t0, t1 = w[0].t1;

	for (uint32_t i = 1; i < n; i++) {
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
	}
	return (double)(t1 - t0) / 1e9;
}

static int start_workers(struct shared *s, struct worker *w, uint32_t n, char *err, size_t errlen)
{
	const struct gen_opts *o = s->o;
	sigset_t block, old;
	uint32_t i;
	int rc = 0;

	/* SIGINT/SIGTERM go to the main thread: a worker's BPF_PROG_RUN is
	 * never cut short (its counter would still be exact, but not its time) */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (i = 0; i < n; i++) {
		w[i].s = s;
		w[i].cpu = o->xdp.ncpus ? o->xdp.cpus[i] : -1;
		w[i].rate = o->rate / n + (i < o->rate % n);
		rc = pthread_create(&w[i].tid, NULL, work, &w[i]);
		if (rc) {
			snprintf(err, errlen, "%s: pthread_create: %s", GEN_NAME, strerror(rc));
			atomic_store(&s->remaining, 0);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (uint32_t k = 0; k < i; k++)
		pthread_join(w[k].tid, NULL);
	return rc ? -1 : 0;
}

/* see include/sluice/gen_xdp.h: without it every call costs two RCU
 * grace periods. Loopback may have an XDP program of its own: then runs
 * are slower, not wrong. */
static void hold_dispatcher(struct gen_xdp_bpf *skel)
{
	skel->links.sl_gen_xdp = bpf_program__attach_xdp(skel->progs.sl_gen_xdp, (int)if_nametoindex("lo"));
	if (!skel->links.sl_gen_xdp) {
		fprintf(stderr, "%s: note: cannot attach to loopback (%s): each BPF_PROG_RUN call "
			"costs two RCU grace periods\n", GEN_NAME, strerror(errno));
	}
}

/* A multicast destination's MAC, as the IP stack maps it (RFC 1112
 * 01:00:5e + the group's low 23 bits, RFC 2464 33:33 + its low 32 bits):
 * true when dst is multicast. */
static bool multicast_mac(const struct gen_addr *dst, uint8_t mac[6])
{
	const struct sockaddr_in *in4 = (const void *)&dst->ss;
	const struct sockaddr_in6 *in6 = (const void *)&dst->ss;

	if (dst->family == AF_INET && IN_MULTICAST(ntohl(in4->sin_addr.s_addr))) {
		const uint8_t *g = (const uint8_t *)&in4->sin_addr;

		memcpy(mac, (const uint8_t[]){ 0x01, 0x00, 0x5e, g[1] & 0x7f, g[2], g[3] }, 6);
		return true;
	}
	if (dst->family == AF_INET6 && IN6_IS_ADDR_MULTICAST(&in6->sin6_addr)) {
		const uint8_t *g = in6->sin6_addr.s6_addr;

		memcpy(mac, (const uint8_t[]){ 0x33, 0x33, g[12], g[13], g[14], g[15] }, 6);
		return true;
	}
	return false;
}

static int resolve_mac(struct gen_opts *o, const struct gen_xdp_dev *dev, char *err, size_t errlen)
{
	const struct sockaddr_in *in4 = (const void *)&o->dst.ss;
	const struct sockaddr_in6 *in6 = (const void *)&o->dst.ss;
	char a[INET6_ADDRSTRLEN];

	if (o->xdp.has_dst_mac)
		return 0;
	if (multicast_mac(&o->dst, o->xdp.dst_mac)) {
		if (o->xdp.dst_n == 1)
			return 0;
		/* each group has its own MAC: one frame template holds one */
		snprintf(err, errlen, "%s: --dst: a range of multicast groups needs --dst-mac", GEN_NAME);
		return -1;
	}
	if (gen_xdp_neigh_mac(dev->ifindex, &o->dst, o->xdp.dst_mac) == 0)
		return 0;
	inet_ntop(o->dst.family, o->dst.family == AF_INET ? (const void *)&in4->sin_addr
							  : (const void *)&in6->sin6_addr, a, sizeof(a));
	snprintf(err, errlen, "%s: --dst-mac: missing, and the neighbour table has no entry for %s on %s",
		 GEN_NAME, a, o->xdp.dev);
	return -1;
}

int gen_xdp_run(const struct gen_opts *opts, struct gen_result *r, char *err, size_t errlen)
{
	struct gen_opts o = *opts;
	uint32_t nthreads = o.xdp.ncpus ? o.xdp.ncpus : o.xdp.threads ? o.xdp.threads : 1;
	struct shared s = { .o = &o, .remaining = o.count ? o.count : UINT64_MAX };
	struct sl_gen_xdp_stat before, after;
	struct gen_xdp_xmit x0, x1;
	struct gen_xdp_bpf *skel = NULL;
	struct worker *w = NULL;
	struct gen_xdp_dev dev;
	uint8_t frame[GEN_XDP_MTU + 64];
	int rc = -1;

	sl_log_set_name(GEN_NAME);
	sl_log_init(0); /* libbpf's chatter only with the daemon's -v: our errors say what failed */
	if (!sl_kernel_has(SL_KCAP_XDP_LIVE_FRAMES)) {
		snprintf(err, errlen, "%s: xdp: the kernel lacks XDP live frames (BPF_PROG_RUN with "
			 "BPF_F_TEST_XDP_LIVE_FRAMES): %s", GEN_NAME, sl_kcap_needs(SL_KCAP_XDP_LIVE_FRAMES));
		return GEN_XDP_UNSUPPORTED;
	}
	if (gen_xdp_dev_open(o.xdp.dev, &dev, err, errlen) < 0 || resolve_mac(&o, &dev, err, errlen) < 0)
		return -1;
	s.ifindex = dev.ifindex;
	if (!(skel = gen_xdp_bpf__open())) {
		snprintf(err, errlen, "%s: opening the BPF object: %s", GEN_NAME, strerror(errno));
		return -1;
	}
	s.frame_len = (uint32_t)gen_xdp_frame(&o, dev.mac, frame, sizeof(frame),
					      (struct sl_gen_xdp_cfg *)&skel->rodata->sl_gen_cfg);
	skel->rodata->sl_gen_cfg.ifindex = (__u32)dev.ifindex;
	if (s.frame_len - SL_GEN_XDP_ETH_LEN > dev.mtu) {
		snprintf(err, errlen, "%s: --size %u: the frame's %u bytes of IP exceed %s's MTU %u", GEN_NAME,
			 o.size, s.frame_len - SL_GEN_XDP_ETH_LEN, o.xdp.dev, dev.mtu);
		goto out;
	}
	if (gen_xdp_bpf__load(skel)) {
		snprintf(err, errlen, "%s: loading the XDP program: %s", GEN_NAME, strerror(errno));
		goto out;
	}
	s.prog_fd = bpf_program__fd(skel->progs.sl_gen_xdp);
	hold_dispatcher(skel);
	s.frame = frame;
	if (!(w = calloc(nthreads, sizeof(*w))) || stats(bpf_map__fd(skel->maps.SL_GEN_XDP_STATS_MAP), &before) < 0) {
		snprintf(err, errlen, "%s: reading the program's counters: %s", GEN_NAME, strerror(errno));
		goto out;
	}
	if (o.duration_ns)
		s.deadline = gen_now_ns() + o.duration_ns;
	gen_xdp_xmit_stats(o.xdp.dev, &x0);
	if (start_workers(&s, w, nthreads, err, errlen) < 0)
		goto out;
	gen_xdp_xmit_stats(o.xdp.dev, &x1);
	if (stats(bpf_map__fd(skel->maps.SL_GEN_XDP_STATS_MAP), &after) < 0) {
		snprintf(err, errlen, "%s: reading the program's counters: %s", GEN_NAME, strerror(errno));
		goto out;
	}
	memset(r, 0, sizeof(*r));
	r->mode = GEN_MODE_XDP;
	r->packets = sent_by_device(after.sent - before.sent, &x0, &x1);
	r->errors = after.sent - before.sent - r->packets;
	r->bytes = r->packets * o.size;
	r->batch = o.batch;
	r->size = o.size;
	r->rate = o.rate;
	r->threads = nthreads;
	r->seconds = span(w, nthreads);
	rc = 0;
	for (uint32_t i = 0; i < nthreads; i++) {
		if (w[i].err) {
			snprintf(err, errlen, "%s: %s on CPU %d: %s", GEN_NAME, w[i].what, w[i].cpu,
				 strerror(w[i].err));
			rc = -1;
		}
	}
	if (!rc && after.short_frames != before.short_frames) {
		snprintf(err, errlen, "%s: the XDP program saw frames shorter than the template", GEN_NAME);
		rc = -1;
	}
out:
	free(w);
	gen_xdp_bpf__destroy(skel);
	return rc;
}
