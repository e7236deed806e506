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
#include "lib/sets_match.h"

char LICENSE[] SEC("license") = "GPL";

/* set by userspace before load */
const volatile __u32 sl_hook_id = 0;   /* this hook's row in sl_hstat_v1 */
const volatile __u32 sl_nrules = 0;
const volatile struct sl_rule sl_rules[SL_RULES_MAX] = {};

/* ---- maps ------------------------------------------------------------------ */

/* One outer map per class. The inner template gives the kernel the layout
 * every set of the class must have (userspace creates the sets with any
 * max_entries) and puts the key and value types into this object's BTF. */
#define SL_SET_OUTER(name, inner_type, key_type)                               \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                      \
		__uint(max_entries, SL_SET_SLOTS);                             \
		__type(key, __u32);                                            \
		__array(values, struct {                                       \
			__uint(type, inner_type);                              \
			__uint(max_entries, 1);                                \
			__uint(map_flags, BPF_F_NO_PREALLOC);                  \
			__type(key, key_type);                                 \
			__type(value, struct sl_set_value);                    \
		});                                                            \
	} name SEC(".maps")

SL_SET_OUTER(sl_sc_ip4_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ip4);
SL_SET_OUTER(sl_sc_ip6_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ip6);
SL_SET_OUTER(sl_sc_net4_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_net4);
SL_SET_OUTER(sl_sc_net6_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_net6);
SL_SET_OUTER(sl_sc_ipp4_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipport4);
SL_SET_OUTER(sl_sc_ipp6_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipport6);
SL_SET_OUTER(sl_sc_netp4_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netport4);
SL_SET_OUTER(sl_sc_netp6_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netport6);
SL_SET_OUTER(sl_sc_ippi4_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipportip4);
SL_SET_OUTER(sl_sc_ippi6_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipportip6);
SL_SET_OUTER(sl_sc_mac_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_mac);
SL_SET_OUTER(sl_sc_port_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_port);

/* Plain sets (include/sluice/sets.h): bucket tables, ARRAY maps of any
 * size (BPF_F_INNER_MAP lets max_entries differ from the template's), and
 * LPM tries whose value is the 2-byte sl_set_nvalue. */
#define SL_SET_OUTER_PTAB(cls, name, bucket)                                   \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                      \
		__uint(max_entries, SL_SET_SLOTS);                             \
		__type(key, __u32);                                            \
		__array(values, struct {                                       \
			__uint(type, BPF_MAP_TYPE_ARRAY);                      \
			__uint(max_entries, 1);                                \
			__uint(map_flags, BPF_F_INNER_MAP);                    \
			__type(key, __u32);                                    \
			__type(value, struct bucket);                          \
		});                                                            \
	} name SEC(".maps");
#define SL_SET_OUTER_PLPM(cls, name, key_type)                                 \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);                      \
		__uint(max_entries, SL_SET_SLOTS);                             \
		__type(key, __u32);                                            \
		__array(values, struct {                                       \
			__uint(type, BPF_MAP_TYPE_LPM_TRIE);                   \
			__uint(max_entries, 1);                                \
			__uint(map_flags, BPF_F_NO_PREALLOC);                  \
			__type(key, struct key_type);                          \
			__type(value, struct sl_set_nvalue);                   \
		});                                                            \
	} name SEC(".maps");
SL_SET_PLAIN_CLASSES(SL_SET_OUTER_PTAB, SL_SET_OUTER_PLPM)

/* Never read: keeps the key and value structs whole in this object's BTF,
 * where userspace looks them up by name to give the sets it creates BTF.
 * (clang 14 emits a type reached only through an inner map template as a
 * forward declaration.) */
const volatile struct {
	struct sl_set_key_ip4 ip4;
	struct sl_set_key_ip6 ip6;
	struct sl_set_key_net4 net4;
	struct sl_set_key_net6 net6;
	struct sl_set_key_ipport4 ipport4;
	struct sl_set_key_ipport6 ipport6;
	struct sl_set_key_netport4 netport4;
	struct sl_set_key_netport6 netport6;
	struct sl_set_key_ipportip4 ipportip4;
	struct sl_set_key_ipportip6 ipportip6;
	struct sl_set_key_mac mac;
	struct sl_set_key_port port;
	struct sl_set_value value;
	struct sl_set_comment comment;   /* a comment map's value */
	struct sl_set_nvalue nvalue;     /* plain LPM tries' */
	struct sl_set_pbucket_ip4 pb_ip4; /* plain bucket tables' */
	struct sl_set_pbucket_ip6 pb_ip6;
	struct sl_set_pbucket_ipport4 pb_ipport4;
	struct sl_set_pbucket_ipport6 pb_ipport6;
	struct sl_set_pbucket_ipportip4 pb_ipportip4;
	struct sl_set_pbucket_ipportip6 pb_ipportip6;
	struct sl_set_pbucket_mac pb_mac;
	struct sl_set_pbucket_port pb_port;
	__u32 bucket_index;              /* their key */
} sl_set_btf_types = {};

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

/* ---- matching ---------------------------------------------------------------- */

/* the set in `slot` of class `cls`, NULL when the slot is empty */
static __always_inline void *sl_set_map(__u8 cls, __u32 slot)
{
	switch (cls) {
#define SL_SET_CASE(c, name, key) case c: return bpf_map_lookup_elem(&name, &slot);
	SL_SET_CLASSES(SL_SET_CASE)
	SL_SET_PLAIN_CLASSES(SL_SET_CASE, SL_SET_CASE)
#undef SL_SET_CASE
	}
	return NULL;
}

/* A plain set's bucket tables: the scan of one bucket, as a global
 * function per class, so the verifier checks each scan once rather than
 * on every rule's path (a scan is 7-30 slots of 1-9 words). */
#define SL_PB_FIND(cls, name, bucket)                                                                \
	__noinline int sl_pb_find_##bucket(const struct bucket *b, const struct sl_set_lookup *l)      \
	{                                                                                            \
		if (!b || !l)                                                                        \
			return -1;                                                                   \
		return sl_set_pb_find((const __u32 *)b, l->key, sizeof(b->key[0]) / 4,               \
				      sizeof(b->key) / sizeof(b->key[0]));                           \
	}
#define SL_PB_NONE(cls, name, key)
SL_SET_PLAIN_CLASSES(SL_PB_FIND, SL_PB_NONE)

static __always_inline int sl_pb_find(__u8 cls, const void *b, const struct sl_set_lookup *l)
{
	switch (cls) {
#define SL_PB_CASE(c, name, bucket) case c: return sl_pb_find_##bucket(b, l);
	SL_SET_PLAIN_CLASSES(SL_PB_CASE, SL_PB_NONE)
#undef SL_PB_CASE
	}
	return -1;
}

/* The table's size is in bucket 0; then the key's two buckets are read. */
static __always_inline bool sl_set_lookup_ptab(const struct sl_set_lookup *l, void *inner, __u8 cls, __u32 words)
{
	__u32 zero = 0, b1, b2;
	const __u32 *b = bpf_map_lookup_elem(inner, &zero);

	if (!b || b[1] < 2)
		return false;
	sl_set_ptab_buckets(sl_set_ptab_hash(l->key, words), b[1], &b1, &b2);
	b = bpf_map_lookup_elem(inner, &b1);
	if (b && sl_pb_find(cls, b, l) >= 0)
		return true;
	b = bpf_map_lookup_elem(inner, &b2);
	return b && sl_pb_find(cls, b, l) >= 0;
}

/* netmask/bitmask: rule `i`'s mask on the tuple's address, as the kernel's
 * hash:ip masks the packet's address before its lookup. A global function:
 * checked once, not on each rule's path. */
__noinline int sl_set_mask_key(struct sl_set_tuple *t, __u32 i)
{
	__u8 mask[16];
	__u64 at = i;

	if (!t || at >= SL_RULES_MAX)
		return 0;
	asm volatile("" : "+r"(at));
	if (at >= SL_RULES_MAX)
		return 0;
	for (int b = 0; b < 16; b++)
		mask[b] = sl_rules[at].mask[b];
	sl_set_mask_addr(t->addr, mask);
	return 1;
}

/* Whether rule `i`'s set matches the packet (before `!`). */
static __always_inline bool sl_set_matches(__u32 i, __u8 cls, __u16 slot, __u8 family, __u8 dims, bool masked,
					   const struct sl_pkt *p, const struct sl_set_l4 *l4, __u64 bytes)
{
	struct sl_set_lookup l;
	struct sl_set_tuple t;
	void *inner;
	int ksize;

	if (!sl_set_tuple_of(cls, family, dims, p, l4, &t))
		return false;
	/* only hash:ip's and hash:ip,port's classes take a mask (the daemon sets it on no other) */
	if (masked && sl_set_class_maskable(cls) && !sl_set_mask_key(&t, i))
		return false;
	inner = sl_set_map(cls, slot);
	if (!inner)
		return false;
	ksize = sl_set_key_build(cls, &t, l.key);
	l.bytes = bytes;
	if (sl_set_class_is_ptab(cls))
		return sl_set_lookup_ptab(&l, inner, cls, (__u32)ksize / 4);
	if (sl_set_class_plain(cls))
		return sl_set_lookup_lpm_plain(&l, inner);
	if (sl_set_class_is_lpm(cls))
		return sl_set_lookup_lpm(&l, inner, sl_set_lpm_base(cls));
	return sl_set_lookup_hash(&l, inner);
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

/* Parse the frame and its L4 part as ipset sees it; an sl_parse status. */
static __always_inline int sl_sets_parse(void *data, void *data_end, struct sl_pkt *p, struct sl_set_l4 *l4)
{
	int status = sl_parse(data, data_end, p);

	return status == SL_PARSE_OK ? sl_set_l4_of(p, data, data_end, l4) : status;
}

/* The parser as global functions: the verifier checks a global function
 * once, on its own, and its callers see *p and *l4 as unknown bytes. Inline,
 * every path out of the parser (hundreds: VLAN tags times IPv6 extension
 * header chains) would carry its own constants into the rules and be
 * verified through them separately. (The parser alone is over 300k
 * verified instructions: its IPv6 extension header loop is walked once per
 * chain of header types.) */
__noinline int sl_sets_parse_xdp(struct xdp_md *ctx, struct sl_pkt *p, struct sl_set_l4 *l4)
{
	if (!p || !l4)
		return SL_PARSE_MALFORMED;
	__builtin_memset(l4, 0, sizeof(*l4));
	return sl_sets_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, p, l4);
}

__noinline int sl_sets_parse_tc(struct __sk_buff *skb, struct sl_pkt *p, struct sl_set_l4 *l4)
{
	if (!p || !l4)
		return SL_PARSE_MALFORMED;
	__builtin_memset(l4, 0, sizeof(*l4));
	return sl_sets_parse((void *)(long)skb->data, (void *)(long)skb->data_end, p, l4);
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

/* Count the frame on this hook and run the rules; true to drop. */
static __always_inline bool sl_sets_verdict(const struct sl_pkt *p, const struct sl_set_l4 *l4, int status,
					    __u64 bytes)
{
	__u32 hook = sl_hook_id;
	struct sl_hook_count *hs = bpf_map_lookup_elem(&SL_HOOK_STATS_MAP, &hook);

	if (hs)
		hs->packets++;
	if (status == SL_PARSE_NOT_IP) {
		if (hs)
			hs->not_ip++;
		return false;
	}
	if (status != SL_PARSE_OK && hs)
		hs->unparsed++;

	for (__u32 i = 0; i < SL_RULES_MAX; i++) {
		if (i >= sl_nrules)
			break;
		/* an unparsed frame meets only `unparsed` rules, a parsed one only set rules */
		if ((sl_rules[i].match == SL_MATCH_UNPARSED) != (status != SL_PARSE_OK))
			continue;
		if (sl_rules[i].match == SL_MATCH_SET && !sl_sets_rule_matches(i, p, l4, bytes))
			continue;
		sl_rule_count(sl_rules[i].id, bytes);
		switch (sl_rules[i].action) {
		case SL_ACT_DROP:
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

/* headers beyond the linear area are pulled in up to this much */
#define SL_SETS_PULL 256

SEC("tc")
int sl_sets_tc(struct __sk_buff *skb)
{
	struct sl_set_l4 l4;
	struct sl_pkt p;
	int status = sl_sets_parse_tc(skb, &p, &l4);
	__u32 len = skb->len, linear = skb->data_end - skb->data;

	if (status == SL_PARSE_TRUNCATED && len > linear && linear < SL_SETS_PULL &&
	    !bpf_skb_pull_data(skb, len < SL_SETS_PULL ? len : SL_SETS_PULL))
		status = sl_sets_parse_tc(skb, &p, &l4); /* headers were in the paged part */
	return sl_sets_verdict(&p, &l4, status, len) ? TCX_DROP : TCX_NEXT;
}
