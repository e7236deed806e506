// SPDX-License-Identifier: GPL-2.0
/* sluice's own congestion control, written in BPF: "sluice_reno", NewReno
 * as RFC 5681 has it (and as the kernel's reno, net/ipv4/tcp_cong.c):
 * slow start below ssthresh, then one segment per window of ACKs; half the
 * window on loss; undo restores the window before the loss. Registered
 * through struct_ops (tcp_congestion_ops) by the tcp feature when a rule
 * names it (`tcp add … cc sluice_reno`), with a bpf_link where the kernel
 * has struct_ops links (6.4), else by the map update alone (6.1), and then
 * unregistered explicitly. The kernel's own helpers for the arithmetic
 * (tcp_slow_start, tcp_cong_avoid_ai) are kfuncs; the decisions are here.
 * Must pass the 6.1 verifier: straight-line code, no loops. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "sluice/tcp.h"

char LICENSE[] SEC("license") = "GPL";

extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;

static __always_inline struct tcp_sock *tcp_of(struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

/* the kernel's tcp_is_cwnd_limited() (since 5.19): grow while the window
 * limited the sender (is_cwnd_limited covers the last window, not only the
 * last send), and in slow start also up to twice the most that was in
 * flight. Testing only the second in slow start, as before 5.19, stalls
 * slow start whenever max_packets_out lags a window the sender filled. */
static __always_inline bool cwnd_limited(struct tcp_sock *tp)
{
	if (BPF_CORE_READ_BITFIELD(tp, is_cwnd_limited))
		return true;
	if (tp->snd_cwnd < tp->snd_ssthresh)
		return tp->snd_cwnd < 2 * tp->max_packets_out;
	return false;
}

SEC("struct_ops/sl_reno_ssthresh")
__u32 BPF_PROG(sl_reno_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tcp_of(sk);
	__u32 half = tp->snd_cwnd >> 1;

	return half > 2 ? half : 2;
}

SEC("struct_ops/sl_reno_cong_avoid")
void BPF_PROG(sl_reno_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_of(sk);

	if (!cwnd_limited(tp))
		return;
	if (tp->snd_cwnd < tp->snd_ssthresh) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	tcp_cong_avoid_ai(tp, tp->snd_cwnd, acked);
}

SEC("struct_ops/sl_reno_undo_cwnd")
__u32 BPF_PROG(sl_reno_undo_cwnd, struct sock *sk)
{
	struct tcp_sock *tp = tcp_of(sk);

	return tp->snd_cwnd > tp->prior_cwnd ? tp->snd_cwnd : tp->prior_cwnd;
}

SEC(".struct_ops")
struct tcp_congestion_ops sl_reno = {
	.ssthresh = (void *)sl_reno_ssthresh,
	.cong_avoid = (void *)sl_reno_cong_avoid,
	.undo_cwnd = (void *)sl_reno_undo_cwnd,
	.name = SL_TCP_OWN_CC,
};
