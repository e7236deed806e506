// SPDX-License-Identifier: GPL-2.0
/* The send policy's decision (bpf/lib/send_policy.h, the code every
 * cgroup sock_addr program of bpf/send.bpf.c runs) behind a program type
 * BPF_PROG_TEST_RUN can run: the kernel has no test run for sock_addr
 * programs (ENOTSUPP); a raw tracepoint program runs on demand (attached to
 * nothing; a syscall program would be sleepable, and sleepable programs may
 * not reach the sets' LPM tries). The message is a global the test writes
 * and reads through the mmapped .bss, decided (or, for the recvmsg and
 * getpeername hooks, restored) in place. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/send_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct sl_send_msg sl_send_fx_msg;

SEC("raw_tp")
int sl_send_fx(void *ctx)
{
	struct sl_send_msg *m = &sl_send_fx_msg;

	if (sl_send_restores(m->hook))
		sl_send_restore(m);
	else
		sl_send_decide(m, NULL);
	return 0;
}
