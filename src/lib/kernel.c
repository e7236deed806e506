#include "lib/kernel.h"

#include <bpf/btf.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/log.h"

struct kcap {
	const char *name, *needs;
	bool (*probe)(const struct btf *btf);
};

/* the FUNC_PROTO behind a tp_btf typedef btf_trace_NAME; its first
 * parameter is the context, the tracepoint's own arguments follow */
static int tp_btf_args(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t = NULL;
	int id, ptr;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	ptr = id < 0 ? -1 : btf__resolve_type(btf, (__u32)id);
	if (ptr >= 0)
		t = btf__type_by_id(btf, (__u32)ptr);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) ? btf_vlen(t) - 1 : -1;
}

static bool enum_has(const struct btf *btf, const char *type, const char *value)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_ENUM);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(btf, (__u32)id);
	const struct btf_enum *e = t ? btf_enum(t) : NULL;

	for (int i = 0; t && i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), value))
			return true;
	return false;
}

/* an enumerator of any enum, named or not (uapi flags such as
 * BPF_F_BROADCAST live in anonymous enums) */
static bool enumerator_exists(const struct btf *btf, const char *value)
{
	__u32 n = btf__type_cnt(btf);

	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *e;

		if (!btf_is_enum(t))
			continue;
		e = btf_enum(t);
		for (int i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf__name_by_offset(btf, e[i].name_off), value))
				return true;
	}
	return false;
}

static bool probe_udpq_skb(const struct btf *btf)
{
	return tp_btf_args(btf, "udp_fail_queue_rcv_skb") >= 3; /* rc, sk, skb */
}

static bool probe_tcx(const struct btf *btf)
{
	return enum_has(btf, "bpf_attach_type", "BPF_TCX_INGRESS");
}

/* 6.4's struct_ops links (a map made with BPF_F_LINK) came with their own
 * link struct. Not the link type: BPF_LINK_TYPE_STRUCT_OPS is in 6.1
 * already (for trampolines), where a BPF_F_LINK map is refused (EINVAL,
 * seen in the 6.1 guest) */
static bool probe_struct_ops_link(const struct btf *btf)
{
	return btf__find_by_name_kind(btf, "bpf_struct_ops_link", BTF_KIND_STRUCT) > 0;
}

/* live frames came with the page pool of test runs and its per-page head */
static bool probe_xdp_live_frames(const struct btf *btf)
{
	return btf__find_by_name_kind(btf, "xdp_page_head", BTF_KIND_STRUCT) > 0;
}

static bool probe_devmap_broadcast(const struct btf *btf)
{
	return enumerator_exists(btf, "BPF_F_BROADCAST");
}

/* the helper's sockops flavour is a function of its own in the kernel */
static bool probe_sockops_netns(const struct btf *btf)
{
	return btf__find_by_name_kind(btf, "bpf_get_netns_cookie_sock_ops", BTF_KIND_FUNC) > 0;
}

static bool probe_bpf_loop(const struct btf *btf)
{
	return enum_has(btf, "bpf_func_id", "BPF_FUNC_loop");
}

static bool probe_xdp_load_bytes(const struct btf *btf)
{
	return enum_has(btf, "bpf_func_id", "BPF_FUNC_xdp_load_bytes");
}

static const struct kcap kcaps[SL_KCAP_COUNT] = {
	[SL_KCAP_UDPQ_SKB] = { "udpq-skb", "needs 6.10 for the skb argument",
			       probe_udpq_skb },
	[SL_KCAP_TCX] = { "tcx", "needs 6.6 for tcx links", probe_tcx },
	[SL_KCAP_STRUCT_OPS_LINK] = { "struct-ops-link", "needs 6.4 for struct_ops links",
				      probe_struct_ops_link },
	[SL_KCAP_XDP_LIVE_FRAMES] = { "xdp-live-frames", "needs 5.18 for XDP live frames",
				      probe_xdp_live_frames },
	[SL_KCAP_DEVMAP_BROADCAST] = { "devmap-broadcast", "needs 5.13 for devmap broadcast",
				       probe_devmap_broadcast },
	[SL_KCAP_SOCKOPS_NETNS] = { "sockops-netns-cookie",
				    "needs 5.15 for the network namespace cookie in sockops (tcp rules)",
				    probe_sockops_netns },
	[SL_KCAP_BPF_LOOP] = { "bpf-loop", "needs 5.17 for the bpf_loop helper (xps and tcp rules, sctp)",
			       probe_bpf_loop },
	[SL_KCAP_XDP_LOAD_BYTES] = { "xdp-load-bytes", "needs 5.18 for the bpf_xdp_load_bytes helper (sctp)",
				     probe_xdp_load_bytes },
};

bool sl_kcap_probe(enum sl_kcap c, const struct btf *btf)
{
	return kcaps[c].probe(btf);
}

/* the probes' answers, taken once; then the test hook's pretences */
static bool probed, has[SL_KCAP_COUNT];

static void pretend_lacks(void)
{
	const char *env = getenv("SLUICE_KERNEL_LACKS");
	char list[256], *save = NULL;

	if (!env || !*env)
		return;
	snprintf(list, sizeof(list), "%s", env);
	for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		int c;

		for (c = 0; c < SL_KCAP_COUNT && strcmp(kcaps[c].name, w); c++)
			;
		if (c == SL_KCAP_COUNT) {
			sl_warn("SLUICE_KERNEL_LACKS: no kernel capability '%s'; ignored", w);
			continue;
		}
		sl_warn("SLUICE_KERNEL_LACKS: acting as if the kernel lacked %s (a test hook)", w);
		has[c] = false;
	}
}

static void probe_all(void)
{
	struct btf *btf = btf__load_vmlinux_btf();

	for (int c = 0; c < SL_KCAP_COUNT; c++)
		has[c] = btf && sl_kcap_probe((enum sl_kcap)c, btf);
	if (!btf)
		sl_warn("kernel BTF unreadable: every optional kernel capability is taken as absent");
	btf__free(btf);
	pretend_lacks();
	probed = true;
}

bool sl_kernel_has(enum sl_kcap c)
{
	if (!probed)
		probe_all();
	return has[c];
}

const char *sl_kcap_name(enum sl_kcap c)
{
	return kcaps[c].name;
}

const char *sl_kcap_needs(enum sl_kcap c)
{
	return kcaps[c].needs;
}

json_object *sl_kernel_status(void)
{
	json_object *o = json_object_new_object(), *has = json_object_new_array(), *lacks = json_object_new_object();
	struct utsname u;

	json_object_object_add(o, "release", json_object_new_string(uname(&u) ? "unknown" : u.release));
	for (int c = 0; c < SL_KCAP_COUNT; c++) {
		if (sl_kernel_has((enum sl_kcap)c))
			json_object_array_add(has, json_object_new_string(kcaps[c].name));
		else
			json_object_object_add(lacks, kcaps[c].name, json_object_new_string(kcaps[c].needs));
	}
	json_object_object_add(o, "has", has);
	json_object_object_add(o, "lacks", lacks);
	return o;
}
