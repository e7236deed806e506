/* lib/kernel: the probes read what a kernel's BTF says, shaped as 6.1 and
 * as 6.10+ kernels shape it (BTF built here with libbpf's writer). */
#include <criterion/criterion.h>
#include <bpf/btf.h>
#include <string.h>

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

/* struct_ops links: their link struct (6.1 has the link type already, and
 * refuses the links); devmap broadcast: an enumerator of an anonymous uapi
 * enum; live frames: the test runs' page head struct */
Test(kernel_caps, struct_ops_link_from_its_link_struct)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty();

	/* 6.1: the link type is there */
	btf__add_enum(old, "bpf_link_type", 4);
	btf__add_enum_value(old, "BPF_LINK_TYPE_STRUCT_OPS", 9);
	btf__add_enum(new, "bpf_link_type", 4);
	btf__add_enum_value(new, "BPF_LINK_TYPE_STRUCT_OPS", 9);
	btf__add_struct(new, "bpf_struct_ops_link", 120);
	cr_assert_not(sl_kcap_probe(SL_KCAP_STRUCT_OPS_LINK, old));
	cr_assert(sl_kcap_probe(SL_KCAP_STRUCT_OPS_LINK, new));
	btf__free(old);
	btf__free(new);
}

Test(kernel_caps, devmap_broadcast_from_an_anonymous_enum)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty(), *named = btf__new_empty();

	btf__add_enum(old, NULL, 4);
	btf__add_enum_value(old, "BPF_F_INGRESS", 1);
	btf__add_enum(new, NULL, 4);
	btf__add_enum_value(new, "BPF_F_INGRESS", 1);
	btf__add_enum(new, NULL, 4);
	btf__add_enum_value(new, "BPF_F_BROADCAST", 8);
	btf__add_enum(named, "other", 4);
	btf__add_enum_value(named, "BPF_F_BROADCAST_NOT", 8);
	cr_assert_not(sl_kcap_probe(SL_KCAP_DEVMAP_BROADCAST, old));
	cr_assert(sl_kcap_probe(SL_KCAP_DEVMAP_BROADCAST, new), "found in the second anonymous enum");
	cr_assert_not(sl_kcap_probe(SL_KCAP_DEVMAP_BROADCAST, named), "a name is matched whole");
	btf__free(old);
	btf__free(new);
	btf__free(named);
}

Test(kernel_caps, xdp_live_frames_from_the_page_head)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty();

	btf__add_struct(old, "xdp_buff", 0);
	btf__add_struct(new, "xdp_buff", 0);
	btf__add_struct(new, "xdp_page_head", 0);
	cr_assert_not(sl_kcap_probe(SL_KCAP_XDP_LIVE_FRAMES, old));
	cr_assert(sl_kcap_probe(SL_KCAP_XDP_LIVE_FRAMES, new));
	btf__free(old);
	btf__free(new);
}

/* the sockops flavour of bpf_get_netns_cookie is a function of its own
 * (5.15); the other flavours, or a struct of that name, do not count */
Test(kernel_caps, sockops_netns_cookie_from_its_function)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty();
	int proto;

	proto = btf__add_func_proto(old, 0);
	btf__add_func(old, "bpf_get_netns_cookie_sock", BTF_FUNC_STATIC, proto);
	btf__add_struct(old, "bpf_get_netns_cookie_sock_ops", 0);
	proto = btf__add_func_proto(new, 0);
	btf__add_func(new, "bpf_get_netns_cookie_sock", BTF_FUNC_STATIC, proto);
	btf__add_func(new, "bpf_get_netns_cookie_sock_ops", BTF_FUNC_STATIC, proto);
	cr_assert_not(sl_kcap_probe(SL_KCAP_SOCKOPS_NETNS, old));
	cr_assert(sl_kcap_probe(SL_KCAP_SOCKOPS_NETNS, new));
	cr_assert_str_eq(sl_kcap_name(SL_KCAP_SOCKOPS_NETNS), "sockops-netns-cookie");
	cr_assert(strstr(sl_kcap_needs(SL_KCAP_SOCKOPS_NETNS), "5.15"));
	btf__free(old);
	btf__free(new);
}

/* bpf_loop is an enumerator of enum bpf_func_id (5.17) */
Test(kernel_caps, bpf_loop_from_the_helper_ids)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty();
	int e;

	e = btf__add_enum(old, "bpf_func_id", 4);
	btf__add_enum_value(old, "BPF_FUNC_map_lookup_elem", 1);
	e = btf__add_enum(new, "bpf_func_id", 4);
	btf__add_enum_value(new, "BPF_FUNC_map_lookup_elem", 1);
	btf__add_enum_value(new, "BPF_FUNC_loop", 181);
	(void)e;
	cr_assert_not(sl_kcap_probe(SL_KCAP_BPF_LOOP, old));
	cr_assert(sl_kcap_probe(SL_KCAP_BPF_LOOP, new));
	cr_assert_str_eq(sl_kcap_name(SL_KCAP_BPF_LOOP), "bpf-loop");
	cr_assert(strstr(sl_kcap_needs(SL_KCAP_BPF_LOOP), "5.17"));
	btf__free(old);
	btf__free(new);
}

/* bpf_xdp_load_bytes is an enumerator of enum bpf_func_id (5.18); its skb
 * sibling (in every kernel sluice runs on) does not count */
Test(kernel_caps, xdp_load_bytes_from_the_helper_ids)
{
	struct btf *old = btf__new_empty(), *new = btf__new_empty();

	btf__add_enum(old, "bpf_func_id", 4);
	btf__add_enum_value(old, "BPF_FUNC_skb_load_bytes", 26);
	btf__add_enum_value(old, "BPF_FUNC_loop", 181);
	btf__add_enum(new, "bpf_func_id", 4);
	btf__add_enum_value(new, "BPF_FUNC_skb_load_bytes", 26);
	btf__add_enum_value(new, "BPF_FUNC_loop", 181);
	btf__add_enum_value(new, "BPF_FUNC_xdp_load_bytes", 189);
	cr_assert_not(sl_kcap_probe(SL_KCAP_XDP_LOAD_BYTES, old), "5.17: bpf_loop, no bpf_xdp_load_bytes");
	cr_assert(sl_kcap_probe(SL_KCAP_XDP_LOAD_BYTES, new));
	cr_assert_str_eq(sl_kcap_name(SL_KCAP_XDP_LOAD_BYTES), "xdp-load-bytes");
	cr_assert(strstr(sl_kcap_needs(SL_KCAP_XDP_LOAD_BYTES), "5.18"));
	btf__free(old);
	btf__free(new);
}

/* every capability has a name and a reason that names a release */
Test(kernel_caps, names_and_reasons)
{
	for (int c = 0; c < SL_KCAP_COUNT; c++) {
		cr_assert(sl_kcap_name((enum sl_kcap)c) && *sl_kcap_name((enum sl_kcap)c), "capability %d", c);
		cr_assert(strstr(sl_kcap_needs((enum sl_kcap)c), "needs "), "capability %d", c);
	}
}
