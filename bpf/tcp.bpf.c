// SPDX-License-Identifier: GPL-2.0
/* TCP initial windows as policy (see include/sluice/tcp.h): one sockops
 * program on the cgroup v2 root.
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
 *                                     initcwnd and before any data; the
 *                                     connection counts for its rule here
 *
 * A socket matches the first rule, in bank order, whose namespace cookie
 * is its own and whose prefix holds its remote address; with no match it
 * is left as the kernel made it. Every other op returns at once. The
 * program always returns 1: it never refuses a connection. Must pass the
 * 6.1 verifier: one bounded loop, map lookups checked. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "sluice/tcp.h"
#include "lib/compat.h"

char LICENSE[] SEC("license") = "GPL";

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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_TCP_RULES);
	__type(key, __u32);
	__type(value, struct sl_tcp_stat);
} SL_TCP_STATS_MAP SEC(".maps");

/* the remote address as rules hold it: an IPv4-mapped IPv6 address (a v4
 * connection on a dual-stack socket) is IPv4 */
static __always_inline __u8 remote_of(const struct bpf_sock_ops *skops, __u32 ip[4])
{
	__u32 family = skops->family;

	ip[1] = ip[2] = ip[3] = 0;
	if (family == AF_INET) {
		ip[0] = skops->remote_ip4;
		return SL_FAMILY_IPV4;
	}
	if (family != AF_INET6)
		return 0;
	ip[0] = skops->remote_ip6[0];
	ip[1] = skops->remote_ip6[1];
	ip[2] = skops->remote_ip6[2];
	ip[3] = skops->remote_ip6[3];
	if (ip[0] == 0 && ip[1] == 0 && ip[2] == bpf_htonl(0xffff)) {
		ip[0] = ip[3];
		ip[2] = ip[3] = 0;
		return SL_FAMILY_IPV4;
	}
	return SL_FAMILY_IPV6;
}

static __always_inline const struct sl_tcp_rule *first_match(struct bpf_sock_ops *skops)
{
	const struct sl_tcp_config *cfg;
	__u32 zero = 0, bank, n, ip[4];
	__u64 cookie;
	__u8 family;

	cfg = bpf_map_lookup_elem(&SL_TCP_CONFIG_MAP, &zero);
	if (!cfg)
		return NULL;
	bank = cfg->bank & 1;
	n = cfg->nrules[bank];
	if (n == 0)
		return NULL;
	family = remote_of(skops, ip);
	if (!family)
		return NULL;
	cookie = bpf_get_netns_cookie(skops);
	for (__u32 i = 0; i < SL_TCP_RULES; i++) {
		__u32 k = bank * SL_TCP_RULES + i;
		const struct sl_tcp_rule *r;

		if (i >= n)
			break;
		r = bpf_map_lookup_elem(&SL_TCP_RULES_MAP, &k);
		if (!r)
			break;
		if (r->netns_cookie == cookie && sl_tcp_rule_addr_match(r, family, ip))
			return r;
	}
	return NULL;
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
		if (r->initrwnd)
			skops->reply = r->initrwnd;
		return 1;
	}
	id = r->id;
	iw = (int)r->initcwnd;
	st = bpf_map_lookup_elem(&SL_TCP_STATS_MAP, &id);
	rc = iw ? bpf_setsockopt(skops, SOL_TCP, TCP_BPF_IW, &iw, sizeof(iw)) : 0;
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
