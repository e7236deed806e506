/* lib/kernel: the probes read what a kernel's BTF says, shaped as 6.1 and
 * as 6.10+ kernels shape it (BTF built here with libbpf's writer). */
#include <criterion/criterion.h>
#include <bpf/btf.h>

#include "lib/kernel.h"

/* typedef btf_trace_udp_fail_queue_rcv_skb: a pointer to a function of
 * (void *ctx, int rc, struct sock *sk[, struct sk_buff *skb]) */
static struct btf *udpq_btf(bool with_skb)
{
	struct btf *b = btf__new_empty();
	int i32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	int sock = btf__add_struct(b, "sock", 0);
	int skb = btf__add_struct(b, "sk_buff", 0);
	int vptr = btf__add_ptr(b, 0), sock_ptr = btf__add_ptr(b, sock), skb_ptr = btf__add_ptr(b, skb);
	/* the parameters must follow the prototype directly */
	int fn = btf__add_func_proto(b, 0);

	btf__add_func_param(b, "__data", vptr);
	btf__add_func_param(b, "rc", i32);
	btf__add_func_param(b, "sk", sock_ptr);
	if (with_skb)
		btf__add_func_param(b, "skb", skb_ptr);
	btf__add_typedef(b, "btf_trace_udp_fail_queue_rcv_skb", btf__add_ptr(b, fn));
	return b;
}

Test(kernel_caps, udpq_skb_from_the_tracepoint_arguments)
{
	struct btf *old = udpq_btf(false), *new = udpq_btf(true), *none = btf__new_empty();

	cr_assert_not(sl_kcap_probe(SL_KCAP_UDPQ_SKB, old), "6.1: (rc, sk) only");
	cr_assert(sl_kcap_probe(SL_KCAP_UDPQ_SKB, new), "6.10: (rc, sk, skb)");
	cr_assert_not(sl_kcap_probe(SL_KCAP_UDPQ_SKB, none), "no such tracepoint");
	btf__free(old);
	btf__free(new);
	btf__free(none);
}

static struct btf *attach_types(bool tcx)
{
	struct btf *b = btf__new_empty();

	btf__add_enum(b, "bpf_attach_type", 4);
	btf__add_enum_value(b, "BPF_CGROUP_INET_INGRESS", 0);
	btf__add_enum_value(b, "BPF_NETFILTER", 45);
	if (tcx)
		btf__add_enum_value(b, "BPF_TCX_INGRESS", 46);
	return b;
}

Test(kernel_caps, tcx_from_the_attach_types)
{
	struct btf *old = attach_types(false), *new = attach_types(true);

	cr_assert_not(sl_kcap_probe(SL_KCAP_TCX, old));
	cr_assert(sl_kcap_probe(SL_KCAP_TCX, new));
	btf__free(old);
	btf__free(new);
}

Test(kernel_caps, this_kernel_and_names)
{
	/* the machine the suite runs on is 6.18: both present (tests/kernel
	 * runs the suite on 6.1, where the probes say the opposite) */
	cr_assert_str_eq(sl_kcap_name(SL_KCAP_TCX), "tcx");
	cr_assert_str_eq(sl_kcap_name(SL_KCAP_UDPQ_SKB), "udpq-skb");
	cr_assert(strstr(sl_kcap_needs(SL_KCAP_UDPQ_SKB), "6.10"));
}
