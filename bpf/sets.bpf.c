// SPDX-License-Identifier: GPL-2.0
/* ipset-like sets matched by rules, at XDP (ingress) and tcx (egress or
 * ingress). A hook's rules are read-only data set before load: in order,
 * each looks its set up with the packet's fields in the rule's directions,
 * `!` inverts, and a matching rule counts the frame, then drops it, passes
 * it, or goes on (count). No matching rule: the frame passes. A frame that
 * does not parse is counted and seen only by the hook's `unparsed` rules
 * (fail-closed hooks drop it); with none, it passes.
 *
 * Sets live in inner maps of one ARRAY_OF_MAPS per key class (see
 * include/sluice/sets.h). The rules are constants set before load; each
 * is matched by one global function that handles every class. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sluice/sets.h"
#include "lib/compat.h"
#include "lib/parse.h"
#include "lib/sets_lookup.h"

char LICENSE[] SEC("license") = "GPL";

/* set by userspace before load */
const volatile __u32 sl_hook_id = 0;   /* this hook's row in sl_hstat_v1 */
const volatile __u32 sl_nrules = 0;
const volatile struct sl_rule sl_rules[SL_RULES_MAX] = {};

/* ---- maps (the sets' own outer maps: lib/sets_lookup.h) ---------------------- */

/* userspace's record of each slot; the program never reads it (declared
 * here so it has BTF and pins with the rest) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_CATALOG_BANKS * SL_SET_SLOTS);
	__type(key, __u32);
	__type(value, struct sl_set_meta);
} SL_SET_META_MAP SEC(".maps");

/* userspace's records of rules, hooks and the config they came from, also
 * never read here: for bpftool, and for a restarted daemon */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_CATALOG_BANKS * SL_RULES_TOTAL);
	__type(key, __u32);
	__type(value, struct sl_rule_meta);
} SL_RULE_META_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_HOOKS_MAX);
	__type(key, __u32);
	__type(value, struct sl_hook_meta);
} SL_HOOK_META_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sl_sets_config);
} SL_SET_CFG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_RULE_IDS);
	__type(key, __u32);
	__type(value, struct sl_rule_count);
} SL_RULE_STATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_HOOKS_MAX);
	__type(key, __u32);
	__type(value, struct sl_hook_count);
} SL_HOOK_STATS_MAP SEC(".maps");

/* ---- matching (a set's lookup: lib/sets_lookup.h) ------------------------------ */

/* Rule `i`'s own part of the tuple: on hash:net,iface its interface name
 * (0 when the rule's interface direction names none on this hook: ingress
 * has no outgoing interface, egress no incoming one; the kernel's -EINVAL,
 * not in the set); else its netmask/bitmask on the address, as the
 * kernel's hash:ip masks the packet's address before its lookup. A global
 * function: checked once, not on each rule's path. */
__noinline int sl_set_rule_key(struct sl_set_tuple *t, __u32 i)
{
	__u8 mask[16];
	__u64 at = i;
	__u8 cls;

	if (!t || at >= SL_RULES_MAX)
		return 0;
	asm volatile("" : "+r"(at));
	if (at >= SL_RULES_MAX)
		return 0;
	cls = sl_rules[at].cls;
	if (cls == SL_CLASS_IPMARK4 || cls == SL_CLASS_IPMARK6) {
		t->mark &= sl_rules[at].markmask;
		return 1;
	}
	if (cls == SL_CLASS_NETIFACE4 || cls == SL_CLASS_NETIFACE6) {
		t->iflags = 0;
		for (int b = 0; b < SL_IFACE_LEN; b++)
			t->iface[b] = sl_rules[at].iface[b];
		return sl_rules[at].has_iface;
	}
	for (int b = 0; b < 16; b++)
		mask[b] = sl_rules[at].mask[b];
	sl_set_mask_addr(t->addr, mask);
	return 1;
}

/* Whether rule `i`'s set matches the packet (before `!`). */
static __always_inline bool sl_set_matches(__u32 i, __u8 cls, __u16 slot, __u8 family, __u8 dims, bool masked,
					   const struct sl_pkt *p, const struct sl_set_l4 *l4, __u64 bytes)
{
	struct sl_set_tuple t;

	if (!sl_set_tuple_of(cls, family, dims, p, l4, &t))
		return false;
	/* only hash:ip's and hash:ip,port's classes take a mask (the daemon sets it on no other) */
	if (((masked && sl_set_class_maskable(cls)) || cls == SL_CLASS_NETIFACE4 || cls == SL_CLASS_NETIFACE6 ||
	     cls == SL_CLASS_IPMARK4 || cls == SL_CLASS_IPMARK6) &&
	    !sl_set_rule_key(&t, i))
		return false;
	return sl_set_lookup_tuple(cls, slot, &t, bytes, true);
}

static __always_inline void sl_rule_count(__u16 id, __u64 bytes)
{
	__u32 key = id;
	struct sl_rule_count *c = bpf_map_lookup_elem(&SL_RULE_STATS_MAP, &key);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Whether set rule `i` matches the packet (`!` applied). A global function:
 * the verifier checks it once for every class, on its own, and the rule
 * loop sees only its 0 or 1. Inline, with each rule's class a constant, the
 * paths of 32 rules multiplied past the verifier's million instructions
 * (6.18.44). */
__noinline int sl_sets_rule_matches(__u32 i, const struct sl_pkt *p, const struct sl_set_l4 *l4, __u64 bytes)
{
	const volatile struct sl_rule *r;
	__u64 at = i;

	if (!p || !l4 || at >= SL_RULES_MAX)
		return 0;
	/* index with the register that was bounds-checked, not a copy made before */
	asm volatile("" : "+r"(at));
	if (at >= SL_RULES_MAX)
		return 0;
	r = &sl_rules[at];
	/* a list:set's member added with a timeout is gone once it runs out */
	if (r->expires_ns && bpf_ktime_get_ns() >= r->expires_ns)
		return 0;
	if (!sl_set_rule_applies(r->cls, r->family, p))
		return 0;
	/* each class as a constant, so that its path meets only its own maps */
	switch (r->cls) {
#define SL_MATCH_CASE(c, name, key)                                                                \
	case c:                                                                                      \
		return sl_set_matches(i, c, r->slot, r->family, r->src_dims, r->masked, p, l4, bytes) != (bool)r->invert;
	SL_SET_CLASSES(SL_MATCH_CASE)
	SL_SET_PLAIN_CLASSES(SL_MATCH_CASE, SL_MATCH_CASE)
#undef SL_MATCH_CASE
	}
	return 0;
}

/* this hook's counters on this CPU */
static __always_inline struct sl_hook_count *sl_hook_stats(void)
{
	__u32 hook = sl_hook_id;

	return bpf_map_lookup_elem(&SL_HOOK_STATS_MAP, &hook);
}

/* Count the frame on this hook and run the rules; true to drop. */
static __always_inline bool sl_sets_verdict(const struct sl_pkt *p, const struct sl_set_l4 *l4, int status,
					    __u64 bytes)
{
	struct sl_hook_count *hs = sl_hook_stats();

	if (hs)
		hs->packets++;
	if (status == SL_PARSE_NOT_IP) {
		if (hs)
			hs->not_ip++;
		return false;
	}
	if (status != SL_PARSE_OK && hs)
		hs->unparsed++;

	/* a list:set rule is one entry per member (`more` on all but its last):
	 * any member's match is the rule's, then its `!` */
	bool member_hit = false;

	for (__u32 i = 0; i < SL_RULES_MAX; i++) {
		if (i >= sl_nrules)
			break;
		/* an unparsed frame meets only `unparsed` rules, a parsed one only set rules */
		if ((sl_rules[i].match == SL_MATCH_UNPARSED) != (status != SL_PARSE_OK))
			continue;
		if (sl_rules[i].match == SL_MATCH_SET) {
			bool hit = member_hit || sl_sets_rule_matches(i, p, l4, bytes);

			if (sl_rules[i].more) {
				member_hit = hit;
				continue;
			}
			member_hit = false;
			if (hit == (bool)sl_rules[i].list_invert)
				continue;
		}
		sl_rule_count(sl_rules[i].id, bytes);
		switch (sl_rules[i].action) {
		case SL_ACT_DROP:
			/* looked up again, not kept across the rule calls: that
			 * pointer's stack slot is the one hash:ip,mark's mark took
			 * (sl_sets_tc's frame 96 bytes, 6.1's combined 512) */
			hs = sl_hook_stats();
			if (hs)
				hs->dropped++;
			return true;
		case SL_ACT_PASS:
			return false;
		}
	}
	return false;
}

/* ---- programs ------------------------------------------------------------------ */

SEC("xdp")
int sl_sets_xdp(struct xdp_md *ctx)
{
	struct sl_set_l4 l4;
	struct sl_pkt p;
	int status = sl_sets_parse_xdp(ctx, &p, &l4);

	return sl_sets_verdict(&p, &l4, status, ctx->data_end - ctx->data) ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int sl_sets_tc(struct __sk_buff *skb)
{
	struct sl_set_l4 l4;
	struct sl_pkt p;
	int status = sl_sets_parse_skb(skb, &p, &l4);

	return sl_sets_verdict(&p, &l4, status, skb->len) ? TCX_DROP : TCX_NEXT;
}
