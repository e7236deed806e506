/* What the running kernel has, probed once from its BTF. A program or an
 * attach mode the kernel lacks is then left out, with a reason that names
 * the kernel release that brings it, instead of failing its whole feature
 * (or the daemon) at load time.
 *
 * Test hook, not a feature: SLUICE_KERNEL_LACKS="name,name" (names below)
 * makes the daemon act as if the kernel lacked them, so the degraded paths
 * run on any kernel; the daemon logs that it pretends. */
#ifndef SLUICE_LIB_KERNEL_H
#define SLUICE_LIB_KERNEL_H

#include <stdbool.h>

enum sl_kcap {
	SL_KCAP_UDPQ_SKB, /* udp:udp_fail_queue_rcv_skb passes the skb (6.10) */
	SL_KCAP_TCX,      /* tcx links on a device's tc hooks (6.6) */
	/* for the features to come (issues 11-15); status shows them now so an
	 * operator sees what the kernel offers before enabling them */
	SL_KCAP_STRUCT_OPS_LINK, /* struct_ops registered through a bpf_link (6.4) */
	SL_KCAP_XDP_LIVE_FRAMES, /* BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES (5.18) */
	SL_KCAP_DEVMAP_BROADCAST, /* bpf_redirect_map with BPF_F_BROADCAST (5.13) */
	SL_KCAP_SOCKOPS_NETNS,   /* bpf_get_netns_cookie() in sockops (5.15): tcp rules */
	SL_KCAP_BPF_LOOP,        /* the bpf_loop() helper (5.17): xps rules, tcp rules, sctp */
	SL_KCAP_XDP_LOAD_BYTES,  /* the bpf_xdp_load_bytes() helper (5.18): sctp */
	SL_KCAP_COUNT,
};

/* true when the running kernel has it (and no test pretends otherwise) */
bool sl_kernel_has(enum sl_kcap c);
/* the probe alone, against any BTF (a kernel's, or one built by a test) */
struct btf;
bool sl_kcap_probe(enum sl_kcap c, const struct btf *btf);
/* its name in SLUICE_KERNEL_LACKS and in status: "udpq-skb" */
const char *sl_kcap_name(enum sl_kcap c);
/* why it matters, with the release that brings it: "needs 6.10 for the skb argument" */
const char *sl_kcap_needs(enum sl_kcap c);

/* status's "kernel" object: the release, the capabilities it has by name,
 * and those it lacks with the release that brings each */
struct json_object;
struct json_object *sl_kernel_status(void);

#endif
