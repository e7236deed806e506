// SPDX-License-Identifier: GPL-2.0
/* TCP initial windows as policy (see include/sluice/tcp.h): a sockops
 * program, loaded once per cgroup it is attached to (its level and its
 * ancestors' ids in read-only data).
 *
 *   BPF_SOCK_OPS_RWND_INIT            the initial receive window, in reply
 *                                     (the kernel takes it where a route's
 *                                     initrwnd would be: tcp_connect_init()
 *                                     for connect, tcp_openreq_init_rwin()
 *                                     for a SYN a listener answers)
 *   BPF_SOCK_OPS_{ACTIVE,PASSIVE}_ESTABLISHED_CB
 *                                     the initial congestion window,
 *                                     bpf_setsockopt(TCP_BPF_IW), set after
 *                                     tcp_init_transfer() took the route's
 *                                     initcwnd and before any data; first
 *                                     the congestion control, when the rule
 *                                     names one (TCP_CONGESTION); the
 *                                     connection counts for its rule here
 *
 * A socket matches the first rule, in bank order, whose namespace cookie
 * is its own, whose cgroup (if any) is this program's cgroup or one of its
 * ancestors, and whose prefix (or set, found by name in the sets'
 * directory: lib/sets_lookup.h) holds its remote address; with no match it
 * is left as the kernel made it. With programs on nested cgroups (config
 * `nested`), the deepest decides and marks the op done for the ones above. Every other op returns at once. The
 * program always returns 1: it never refuses a connection. Must pass the
 * 6.1 verifier: one bounded loop, map lookups checked. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "sluice/tcp.h"
#include "lib/compat.h"
#include "lib/sets_lookup.h"

char LICENSE[] SEC("license") = "GPL";

/* set by userspace before load: the level below the root of the cgroup
 * this load is attached to, and the ids of that cgroup and its ancestors
 * by level (the root, level 0, is 1) */
const volatile __u32 sl_tcp_level = 0;
const volatile __u64 sl_tcp_cgroups[SL_TCP_CG_LEVELS + 1] = { 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * SL_TCP_RULES);
	__type(key, __u32);
	__type(value, struct sl_tcp_rule);
} SL_TCP_RULES_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_tcp_config);
} SL_TCP_CONFIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SL_TCP_MARKS);
	__type(key, struct sl_tcp_mark_key);
	__type(value, __u32);
} SL_TCP_MARK_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_TCP_RULES);
	__type(key, __u32);
	__type(value, struct sl_tcp_stat);
} SL_TCP_STATS_MAP SEC(".maps");

/* a context field read here, at its own offset: left to itself the
 * compiler may compute a pointer into the context and load through it
 * later (merging the IPv4 and IPv6 paths), which the verifier refuses
 * ("dereference of modified ctx ptr": seen with this function changed) */
#define CTX_READ(dst, expr) do { dst = (expr); asm volatile("" : "+r"(dst)); } while (0)

/* the remote address as rules hold it: an IPv4-mapped IPv6 address (a v4
 * connection on a dual-stack socket) is IPv4 */
static __always_inline __u8 remote_of(const struct bpf_sock_ops *skops, __u32 ip[4])
{
	__u32 family, v4, a, b, c, d;

	CTX_READ(family, skops->family);
	CTX_READ(v4, skops->remote_ip4);
	CTX_READ(a, skops->remote_ip6[0]);
	CTX_READ(b, skops->remote_ip6[1]);
	CTX_READ(c, skops->remote_ip6[2]);
	CTX_READ(d, skops->remote_ip6[3]);

	ip[1] = ip[2] = ip[3] = 0;
	if (family == AF_INET) {
		ip[0] = v4;
		return SL_FAMILY_IPV4;
	}
	if (family != AF_INET6)
		return 0;
	if (a == 0 && b == 0 && c == bpf_htonl(0xffff)) {
		ip[0] = d;
		return SL_FAMILY_IPV4;
	}
	ip[0] = a;
	ip[1] = b;
	ip[2] = c;
	ip[3] = d;
	return SL_FAMILY_IPV6;
}

/* the rule's cgroup is this program's or an ancestor of it */
static __always_inline bool cgroup_ok(const struct sl_tcp_rule *r)
{
	__u32 level = r->cgroup_level;

	if (r->cgroup_id == 0)
		return true;
	if (level > sl_tcp_level || level > SL_TCP_CG_LEVELS)
		return false;
	return sl_tcp_cgroups[level] == r->cgroup_id;
}

/* With programs on nested cgroups: a deeper program than this one decided
 * this op already (true: leave it); else mark it as this one's. */
static __always_inline bool decided_below(struct bpf_sock_ops *skops, const struct sl_tcp_config *cfg)
{
	struct sl_tcp_mark_key key = { .cookie = bpf_get_socket_cookie(skops), .op = skops->op };
	__u32 level = sl_tcp_level, *seen;

	if (!cfg->nested)
		return false;
	seen = bpf_map_lookup_elem(&SL_TCP_MARK_MAP, &key);
	if (seen && *seen > level)
		return true;
	if (level > 0) /* the root's program runs last: nothing above reads it */
		bpf_map_update_elem(&SL_TCP_MARK_MAP, &key, &level, BPF_ANY);
	return false;
}

/* the remote address, for a set's lookup */
struct sl_tcp_remote {
	__u8 ip[16];        /* network order, IPv4 in the first 4 bytes */
	__u8 family;
	__u8 pad[3];
};

/* Whether the set named `set` holds the remote address. A global
 * function: the verifier checks the lookup (every class a set of
 * addresses can have) once, not on each rule's path. */
__noinline int sl_tcp_in_set(const struct sl_set_name *set, const struct sl_tcp_remote *rem)
{
	struct sl_set_name name;

	if (!set || !rem)
		return 0;
	__builtin_memcpy(&name, set, sizeof(name));
	return sl_set_named_has_addr(&name, rem->family, rem->ip);
}

static __always_inline const struct sl_tcp_rule *first_match(struct bpf_sock_ops *skops)
{
	const struct sl_tcp_config *cfg;
	__u32 zero = 0, bank, n, ip[4];
	struct sl_tcp_remote rem = {};
	__u64 cookie;
	__u8 family;

	cfg = bpf_map_lookup_elem(&SL_TCP_CONFIG_MAP, &zero);
	if (!cfg)
		return NULL;
	if (decided_below(skops, cfg))
		return NULL;
	bank = cfg->bank & 1;
	n = cfg->nrules[bank];
	if (n == 0)
		return NULL;
	family = remote_of(skops, ip);
	if (!family)
		return NULL;
	rem.family = family;
	__builtin_memcpy(rem.ip, ip, sizeof(rem.ip));
	cookie = bpf_get_netns_cookie(skops);
	for (__u32 i = 0; i < SL_TCP_RULES; i++) {
		__u32 k = bank * SL_TCP_RULES + i;
		const struct sl_tcp_rule *r;

		if (i >= n)
			break;
		r = bpf_map_lookup_elem(&SL_TCP_RULES_MAP, &k);
		if (!r)
			break;
		if (r->netns_cookie != cookie || !cgroup_ok(r))
			continue;
		if (r->match == SL_TCP_MATCH_SET ? sl_tcp_in_set(&r->set, &rem) : sl_tcp_rule_addr_match(r, family, ip))
			return r;
	}
	return NULL;
}

/* The receive space as tcp_full_space() makes it of a socket's buffer:
 * scaling_ratio/256 of it since 6.5, else half (tcp_adv_win_scale 1, its
 * default) */
static __always_inline __u32 window_of_space(const struct tcp_sock *tp, __u32 rcvbuf)
{
	if (bpf_core_field_exists(tp->scaling_ratio))
		return (__u32)(((__u64)rcvbuf * BPF_CORE_READ(tp, scaling_ratio)) >> 8);
	return rcvbuf - (rcvbuf >> 1);
}

/* The initial receive window to answer for a route-like `initrwnd` of
 * `want` segments. The kernel clamps a route's window to the socket's
 * receive space (tcp_select_initial_window(): min(space rounded down to
 * the MSS, initrwnd x MSS)) but enlarges the space to a window sockops
 * gives. Answering min(want, space / MSS) keeps the product within the
 * space, so the kernel computes the route's window. The space and MSS are
 * tcp_connect_init()'s: the socket's receive buffer as a window, at most
 * window_clamp, and advmss less the timestamp option if a timestamp is
 * already known. */
static __always_inline __u32 rwnd_within_space(struct bpf_sock *sk, __u32 want)
{
	struct tcp_sock *tp;
	__u32 space, clamp, mss;

	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return want;
	space = window_of_space(tp, (__u32)tp->inet_conn.icsk_inet.sk.sk_rcvbuf);
	clamp = tp->window_clamp;
	if (clamp && clamp < space)
		space = clamp;
	mss = tp->advmss;
	if (tp->rx_opt.ts_recent_stamp && tp->tcp_header_len > sizeof(struct tcphdr))
		mss -= tp->tcp_header_len - sizeof(struct tcphdr);
	if (mss == 0 || (__u64)want * mss <= space)
		return want;
	return space / mss ? space / mss : 1;
}

/* The same for a SYN a listener answers (tcp_openreq_init_rwin()): the
 * socket is a request socket, which sockops does not expose (skops->sk is
 * NULL), so it is read from the program's context as the kernel passes it
 * (struct bpf_sock_ops_kern: its sk is the request) with
 * bpf_probe_read_kernel(). The space is the listener's, at most the
 * request's window clamp; the MSS less the timestamp option if the SYN
 * had one. Where the rule's window fits the space the answer is the rule's
 * (the kernel computes want x MSS, as for a route). Where it does not, a
 * route's window is the space rounded down to the MSS: the answer is then
 * 0, so the kernel computes that itself (no initrwnd: a route's, if the
 * namespace has one to this peer, applies). The MSS here is the SYN's (the
 * peer's), which decides only which of the two answers is given; the
 * route's advmss, which the kernel uses, is not reachable. */
static __always_inline __u32 rwnd_for_request(struct bpf_sock_ops *skops, __u32 want)
{
	struct inet_request_sock *ireq = NULL;
	struct tcp_sock *listener;
	__u32 space, clamp, mss;

	if (bpf_probe_read_kernel(&ireq, sizeof(ireq),
				  (char *)skops + bpf_core_field_offset(struct bpf_sock_ops_kern, sk)) ||
	    !ireq)
		return want;
	listener = (struct tcp_sock *)BPF_CORE_READ(ireq, req.__req_common.skc_listener);
	if (!listener)
		return want;
	space = window_of_space(listener, (__u32)BPF_CORE_READ(listener, inet_conn.icsk_inet.sk.sk_rcvbuf));
	clamp = BPF_CORE_READ(ireq, req.__req_common.skc_window_clamp);
	if (clamp && clamp < space)
		space = clamp;
	mss = BPF_CORE_READ(ireq, req.mss);
	if (BPF_CORE_READ_BITFIELD_PROBED(ireq, tstamp_ok) && mss > TCPOLEN_TSTAMP_ALIGNED)
		mss -= TCPOLEN_TSTAMP_ALIGNED;
	if (mss == 0 || (__u64)want * mss <= space)
		return want;
	return 0;
}

SEC("sockops")
int sl_tcp_sockops(struct bpf_sock_ops *skops)
{
	const struct sl_tcp_rule *r;
	struct sl_tcp_stat *st;
	__u32 op = skops->op, id;
	int iw, rc;

	if (op != BPF_SOCK_OPS_RWND_INIT && op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	r = first_match(skops);
	if (!r)
		return 1;
	if (op == BPF_SOCK_OPS_RWND_INIT) {
		struct bpf_sock *sk = skops->sk;

		if (r->initrwnd)
			skops->reply = sk ? rwnd_within_space(sk, r->initrwnd) : rwnd_for_request(skops, r->initrwnd);
		return 1;
	}
	id = r->id;
	iw = (int)r->initcwnd;
	st = bpf_map_lookup_elem(&SL_TCP_STATS_MAP, &id);
	rc = 0;
	if (r->cc[0])
		rc = bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, (void *)r->cc, sizeof(r->cc));
	if (iw && !rc)
		rc = bpf_setsockopt(skops, SOL_TCP, TCP_BPF_IW, &iw, sizeof(iw));
	if (!st)
		return 1;
	if (rc)
		st->refused++;
	else if (op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		st->active++;
	else
		st->passive++;
	return 1;
}
