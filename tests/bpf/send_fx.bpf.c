// SPDX-License-Identifier: GPL-2.0
/* The send policy's decision (bpf/lib/send_policy.h, the code every
 * cgroup sock_addr program of bpf/send.bpf.c runs) behind a program type
 * BPF_PROG_TEST_RUN can run: the kernel has no test run for sock_addr
 * programs (ENOTSUPP), a syscall program runs on demand. The message is a
 * global (the test writes and reads it through the mmapped .bss: the
 * verifier refuses the decision's writes through a syscall program's
 * context pointer), decided (or, for the recvmsg hook, restored) in place. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/send_policy.h"

char LICENSE[] SEC("license") = "GPL";

struct sl_send_msg sl_send_fx_msg;

SEC("syscall")
int sl_send_fx(void *ctx)
{
	struct sl_send_msg *m = &sl_send_fx_msg;

	if (m->hook == SL_SEND_HOOK_RECVMSG)
		sl_send_restore(m);
	else
		sl_send_decide(m);
	return 0;
}
