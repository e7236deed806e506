// SPDX-License-Identifier: GPL-2.0
/* Transmit steering (see include/sluice/xps.h): a tc egress program, loaded
 * once per device (its slot in read-only data). The first rule of the slot's
 * live bank that matches writes skb->queue_mapping = queue + 1 and counts;
 * no match leaves the kernel's choice alone. It never drops: it always
 * hands the packet on (TCX_NEXT), so the sets' egress rules run too. The
 * rules are scanned by bpf_loop (5.17), so the verifier checks one rule, not
 * SL_XPS_RULES of them. A `match-set` rule looks the packet up in a set of
 * the sets feature, found by name (lib/sets_lookup.h): the packet is parsed
 * once, before the scan. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sluice/xps.h"
#include "lib/sets_lookup.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 sl_xps_slot = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_XPS_DEVS * 2 * SL_XPS_RULES);
	__type(key, __u32);
	__type(value, struct sl_xps_rule);
} SL_XPS_RULES_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_XPS_DEVS);
	__type(key, __u32);
	__type(value, struct sl_xps_config);
} SL_XPS_CONFIG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_XPS_DEVS * SL_XPS_RULES);
	__type(key, __u32);
	__type(value, __u64);
} SL_XPS_RSTATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_XPS_DEVS * SL_XPS_QUEUES);
	__type(key, __u32);
	__type(value, __u64);
} SL_XPS_QSTATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_XPS_DEVS);
	__type(key, __u32);
	__type(value, struct sl_xps_dev);
} SL_XPS_DEV_MAP SEC(".maps");

/* what the rules are matched against, gathered once per packet */
struct scan {
	__u32 base;             /* the bank's first key */
	__u32 cpu, mark;
	__u32 cg_levels;        /* the scratch holds this many cgroup ancestors */
	bool parsed;            /* the scratch holds the packet (it parsed) */
	const struct sl_xps_rule *hit;
};

/* What the rules are matched against that is too large for the stack,
 * whose 512 bytes the set lookup's frames need (6.1 counts the callback
 * frames whole): the socket's cgroup's ancestors by level, the packet
 * parsed, a set's key tuple. Per CPU, and no program of
 * this object runs nested on a CPU while another uses it (a nested
 * transmit, as a tunnel's, starts after the outer program ended). */
struct xps_scratch {
	__u64 cg[SL_XPS_CG_LEVELS];
	struct sl_pkt pkt;
	struct sl_set_l4 l4;
	struct sl_set_tuple t;  /* a match-set rule's key, as built */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xps_scratch);
} SL_XPS_SCRATCH_MAP SEC(".maps");

static __always_inline struct xps_scratch *scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&SL_XPS_SCRATCH_MAP, &zero);
}

static __always_inline bool in_cgroup(const struct sl_xps_rule *r, __u32 levels)
{
	struct xps_scratch *x = scratch();
	__u32 l = r->cgroup_level;

	return x && l < levels && l < SL_XPS_CG_LEVELS && x->cg[l] == r->cgroup_id;
}

static __always_inline bool in_set(const struct sl_xps_rule *r)
{
	struct xps_scratch *x = scratch();

	return x && sl_set_named_matches(&r->set, r->dims, &x->pkt, &x->l4, &x->t);
}

static long match_one(__u32 i, struct scan *s)
{
	__u32 key = s->base + i;
	const struct sl_xps_rule *r = bpf_map_lookup_elem(&SL_XPS_RULES_MAP, &key);
	bool hit;

	if (!r)
		return 1;
	switch (r->sel) {
	case SL_XPS_SEL_ALL:
		hit = true;
		break;
	case SL_XPS_SEL_CPU:
		hit = sl_xps_cpu_in(r->cpus, s->cpu);
		break;
	case SL_XPS_SEL_CGROUP:
		hit = in_cgroup(r, s->cg_levels);
		break;
	case SL_XPS_SEL_MARK:
		hit = (s->mark & r->mark_mask) == r->mark;
		break;
	case SL_XPS_SEL_SET:
		hit = s->parsed && in_set(r);
		break;
	default:
		hit = false;
	}
	if (!hit)
		return 0;
	s->hit = r;
	return 1;
}

static __always_inline void count(void *map, __u32 key)
{
	__u64 *v = bpf_map_lookup_elem(map, &key);

	if (v)
		*v += 1;
}

SEC("tc")
int sl_xps_tc(struct __sk_buff *skb)
{
	__u32 slot = sl_xps_slot;
	const struct sl_xps_config *cfg = bpf_map_lookup_elem(&SL_XPS_CONFIG_MAP, &slot);
	struct scan s = {};
	struct xps_scratch *x;
	__u32 bank, n;

	if (!cfg || slot >= SL_XPS_DEVS)
		return TCX_NEXT;
	bank = cfg->bank & 1;
	n = cfg->nrules[bank];
	x = scratch();
	if (!n || !x)
		return TCX_NEXT;
	s.base = (slot * 2 + bank) * SL_XPS_RULES;
	s.cpu = bpf_get_smp_processor_id();
	s.mark = skb->mark;
	/* the ancestors only when a rule names a cgroup: up to 16 helper calls */
	s.cg_levels = cfg->cg_levels < SL_XPS_CG_LEVELS ? cfg->cg_levels : SL_XPS_CG_LEVELS;
	for (__u32 l = 0; l < SL_XPS_CG_LEVELS; l++) {
		if (l >= s.cg_levels)
			break;
		x->cg[l] = bpf_skb_ancestor_cgroup_id(skb, (int)l);
	}
	s.parsed = sl_sets_parse_skb(skb, &x->pkt, &x->l4) == SL_PARSE_OK;
	bpf_loop(n < SL_XPS_RULES ? n : SL_XPS_RULES, match_one, &s, 0);
	if (!s.hit)
		return TCX_NEXT;
	/* read by skb_tx_hash() as "received on queue - 1": it leaves on queue */
	skb->queue_mapping = s.hit->queue + 1;
	count(&SL_XPS_RSTATS_MAP, slot * SL_XPS_RULES + (s.hit->id % SL_XPS_RULES));
	count(&SL_XPS_QSTATS_MAP, slot * SL_XPS_QUEUES + (s.hit->queue % SL_XPS_QUEUES));
	return TCX_NEXT;
}
