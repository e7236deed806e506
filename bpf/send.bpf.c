// SPDX-License-Identifier: GPL-2.0
/* Per-message policy on sends (include/sluice/send.h): cgroup sock_addr
 * programs, loaded once per cgroup they are attached to, each a shim that
 * reads its context into a struct sl_send_msg, lets the policy decide
 * (lib/send_policy.h) and writes the result back.
 *
 *   cgroup/sendmsg4, sendmsg6   each message an unconnected UDP socket
 *                               sends (every message of a sendmmsg batch):
 *                               0 fails it with EPERM, a rewrite changes
 *                               its destination
 *   cgroup/connect4, connect6   connect(): the same rules (a connected
 *                               socket's sends do not pass sendmsg); UDP
 *                               sockets only, TCP's connect is let be
 *   cgroup/recvmsg4, recvmsg6   a received message's source, when the app
 *                               asks for it: a reply from a rewritten
 *                               destination shows the original (always 1)
 *   cgroup/getpeername4, 6      a UDP socket connected through a rewrite
 *                               shows the address it connected to
 *
 * An IPv4-mapped address on an IPv6 socket is IPv4, and stays mapped when
 * rewritten. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "lib/compat.h"
#include "lib/send_policy.h"

char LICENSE[] SEC("license") = "GPL";

/* connect() and getpeername() of UDP sockets only: TCP connections are
 * not this policy's */
static __always_inline bool not_udp(struct bpf_sock_addr *ctx, __u8 hook)
{
	return (hook == SL_SEND_HOOK_CONNECT || hook == SL_SEND_HOOK_PEERNAME) && ctx->type != SOCK_DGRAM;
}

static __always_inline void msg_of(struct bpf_sock_addr *ctx, __u8 hook, struct sl_send_msg *m)
{
	m->sock_cookie = bpf_get_socket_cookie(ctx);
	m->netns_cookie = bpf_get_netns_cookie(ctx);
	m->port = (__be16)ctx->user_port;
	m->hook = hook;
}

static __always_inline int run4(struct bpf_sock_addr *ctx, __u8 hook)
{
	struct sl_send_msg m = {};

	if (not_udp(ctx, hook))
		return 1;
	msg_of(ctx, hook, &m);
	m.family = SL_FAMILY_IPV4;
	m.ip[0] = ctx->user_ip4;
	if (sl_send_restores(hook))
		sl_send_restore(&m);
	else
		sl_send_decide(&m, hook == SL_SEND_HOOK_SENDMSG ? ctx->sk : NULL);
	if (m.changed) {
		ctx->user_ip4 = m.ip[0];
		ctx->user_port = m.port;
	}
	return m.verdict ? 1 : 0; /* the verifier wants 0 or 1 */
}

static __always_inline int run6(struct bpf_sock_addr *ctx, __u8 hook)
{
	struct sl_send_msg m = {};
	__u32 a = ctx->user_ip6[0], b = ctx->user_ip6[1], c = ctx->user_ip6[2], d = ctx->user_ip6[3];
	bool mapped = a == 0 && b == 0 && c == bpf_htonl(0xffff);

	if (not_udp(ctx, hook))
		return 1;
	msg_of(ctx, hook, &m);
	if (mapped) {
		m.family = SL_FAMILY_IPV4;
		m.ip[0] = d;
	} else {
		m.family = SL_FAMILY_IPV6;
		m.ip[0] = a;
		m.ip[1] = b;
		m.ip[2] = c;
		m.ip[3] = d;
	}
	if (sl_send_restores(hook))
		sl_send_restore(&m);
	else
		sl_send_decide(&m, hook == SL_SEND_HOOK_SENDMSG ? ctx->sk : NULL);
	if (!m.changed)
		return m.verdict ? 1 : 0; /* the verifier wants 0 or 1 */
	if (mapped) {
		ctx->user_ip6[3] = m.ip[0];
	} else {
		ctx->user_ip6[0] = m.ip[0];
		ctx->user_ip6[1] = m.ip[1];
		ctx->user_ip6[2] = m.ip[2];
		ctx->user_ip6[3] = m.ip[3];
	}
	ctx->user_port = m.port;
	return m.verdict ? 1 : 0; /* the verifier wants 0 or 1 */
}

SEC("cgroup/sendmsg4")
int sl_send_sendmsg4(struct bpf_sock_addr *ctx)
{
	return run4(ctx, SL_SEND_HOOK_SENDMSG);
}

SEC("cgroup/sendmsg6")
int sl_send_sendmsg6(struct bpf_sock_addr *ctx)
{
	return run6(ctx, SL_SEND_HOOK_SENDMSG);
}

SEC("cgroup/connect4")
int sl_send_connect4(struct bpf_sock_addr *ctx)
{
	return run4(ctx, SL_SEND_HOOK_CONNECT);
}

SEC("cgroup/connect6")
int sl_send_connect6(struct bpf_sock_addr *ctx)
{
	return run6(ctx, SL_SEND_HOOK_CONNECT);
}

SEC("cgroup/recvmsg4")
int sl_send_recvmsg4(struct bpf_sock_addr *ctx)
{
	run4(ctx, SL_SEND_HOOK_RECVMSG);
	return 1;
}

SEC("cgroup/recvmsg6")
int sl_send_recvmsg6(struct bpf_sock_addr *ctx)
{
	run6(ctx, SL_SEND_HOOK_RECVMSG);
	return 1;
}

SEC("cgroup/getpeername4")
int sl_send_getpeername4(struct bpf_sock_addr *ctx)
{
	run4(ctx, SL_SEND_HOOK_PEERNAME);
	return 1;
}

SEC("cgroup/getpeername6")
int sl_send_getpeername6(struct bpf_sock_addr *ctx)
{
	run6(ctx, SL_SEND_HOOK_PEERNAME);
	return 1;
}
