/* The sets as any program reaches them: the outer map of every class, the
 * lookup of a key in a set of any layout, and (for other features' rules)
 * the directory that finds a set by name. Included by bpf/sets.bpf.c and
 * by the programs of features whose rules name sets (`match-set SET dst`);
 * every object that includes it declares the same maps, so each reuses
 * the pins the first one made (include/sluice/sets.h). */
#ifndef SLUICE_BPF_SETS_LOOKUP_H
#define SLUICE_BPF_SETS_LOOKUP_H

#include <bpf/bpf_helpers.h>
#include "sluice/sets.h"
#include "lib/compat.h"
#include "lib/parse.h"
#include "lib/sets_match.h"

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
SL_SET_OUTER(sl_sc_ipmac4_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ip4);
SL_SET_OUTER(sl_sc_netif4_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netiface4);
SL_SET_OUTER(sl_sc_netif6_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netiface6);
SL_SET_OUTER(sl_sc_ipmark4_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipmark4);
SL_SET_OUTER(sl_sc_ipmark6_v1, BPF_MAP_TYPE_HASH, struct sl_set_key_ipmark6);
SL_SET_OUTER(sl_sc_netnet4_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netnet4);
SL_SET_OUTER(sl_sc_netnet6_v1, BPF_MAP_TYPE_LPM_TRIE, struct sl_set_key_netnet6);

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
	struct sl_set_key_netiface4 netiface4;
	struct sl_set_key_netiface6 netiface6;
	struct sl_set_key_ipmark4 ipmark4;
	struct sl_set_key_ipmark6 ipmark6;
	struct sl_set_key_netnet4 netnet4;
	struct sl_set_key_netnet6 netnet6;
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
	struct sl_set_list list[0];      /* a list:set's map value (no bytes: its BTF, not its 21 KB) */
} sl_set_btf_types = {};

/* other features' way to a set, by name, and their uses of it (userspace
 * reads these; declared here so every object has their BTF and pins) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_SET_SLOTS);
	__type(key, struct sl_set_name);
	__type(value, struct sl_set_dirent);
} SL_SET_DIR_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_SET_USERS);
	__type(key, struct sl_set_use_key);
	__type(value, __u32);
} SL_SET_USE_MAP SEC(".maps");


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

/* The lookups that walk a set in a bpf_loop() (hash:net,iface's
 * sl_set_lookup_netiface, hash:net,net's sl_set_lookup_netnet) as a global
 * function per class: the walk has a frame of its own, checked once. `w`
 * (a walk_ with the tuple's key and the set's map) is in scope of lookup_. */
#define SL_WALK_FN(cls_, name_, walk_, lookup_)                                                               \
	__noinline int name_(__u32 slot, const struct sl_set_tuple *t, __u64 bytes, __u32 count)             \
	{                                                                                                   \
		struct walk_ w;                                                                             \
                                                                                                            \
		if (!t)                                                                                     \
			return 0;                                                                           \
		w.inner = sl_set_map(cls_, slot);                                                           \
		if (!w.inner)                                                                               \
			return 0;                                                                           \
		sl_set_key_build(cls_, t, w.key);                                                           \
		return lookup_;                                                                             \
	}
SL_WALK_FN(SL_CLASS_NETIFACE4, sl_set_netiface4_has, sl_set_netiface_walk, sl_set_lookup_netiface(&w, t, bytes, count))
SL_WALK_FN(SL_CLASS_NETIFACE6, sl_set_netiface6_has, sl_set_netiface_walk, sl_set_lookup_netiface(&w, t, bytes, count))
SL_WALK_FN(SL_CLASS_NETNET4, sl_set_netnet4_has, sl_set_netnet_walk, sl_set_lookup_netnet(&w, t, 4, bytes, count))
SL_WALK_FN(SL_CLASS_NETNET6, sl_set_netnet6_has, sl_set_netnet_walk, sl_set_lookup_netnet(&w, t, 16, bytes, count))

/* Whether the set in `slot` of class `cls` holds the tuple (its fields as
 * the class's key takes them, masks applied). With `count`, a hit counts
 * `bytes` on entries with counters. */
static __always_inline bool sl_set_lookup_tuple(__u8 cls, __u32 slot, const struct sl_set_tuple *t, __u64 bytes,
						bool count)
{
	struct sl_set_lookup l;
	void *inner;
	int ksize;

	if (cls == SL_CLASS_NETIFACE4)
		return sl_set_netiface4_has(slot, t, bytes, count);
	if (cls == SL_CLASS_NETIFACE6)
		return sl_set_netiface6_has(slot, t, bytes, count);
	if (cls == SL_CLASS_NETNET4)
		return sl_set_netnet4_has(slot, t, bytes, count);
	if (cls == SL_CLASS_NETNET6)
		return sl_set_netnet6_has(slot, t, bytes, count);
	inner = sl_set_map(cls, slot);
	if (!inner)
		return false;
	ksize = sl_set_key_build(cls, t, l.key);
	l.bytes = bytes;
	l.count = count;
	if (sl_set_class_is_ptab(cls))
		return sl_set_lookup_ptab(&l, inner, cls, (__u32)ksize / 4);
	if (sl_set_class_plain(cls))
		return sl_set_lookup_lpm_plain(&l, inner);
	if (cls == SL_CLASS_IPMAC4)
		return sl_set_lookup_ipmac(&l, inner, t->mac);
	if (sl_set_class_is_lpm(cls))
		return sl_set_lookup_lpm(&l, inner, sl_set_lpm_base(cls));
	return sl_set_lookup_hash(&l, inner);
}

/* Whether the set called `name` holds address `ip` (network order, IPv4 in
 * the first 4 bytes) of `family` (proto 0), or the address and `port` (host
 * order) of protocol `proto`: for other features' rules, which match a
 * remote address against hash:ip and hash:net sets (`match-set SET dst`),
 * or an address and port against hash:ip,port and hash:net,port ones
 * (`dst,dst`). A set of another family, class or name holds nothing;
 * entries' counters are not touched (a lookup here is no packet of the
 * set's). */
static __always_inline bool sl_set_named_has(const struct sl_set_name *name, __u8 family, const __u8 ip[16],
					     __u8 proto, __u16 port)
{
	const struct sl_set_dirent *d = bpf_map_lookup_elem(&SL_SET_DIR_MAP, name);
	struct sl_set_tuple t = {};
	__u8 cls;
	__u32 slot;

	if (!d)
		return false;
	cls = d->cls;
	slot = d->slot;
	if (d->family != family)
		return false;
	__builtin_memcpy(t.addr, ip, 16);
	t.cidr = family == SL_FAMILY_IPV4 ? 32 : 128; /* LPM lookups: the whole address */
	if (d->masked)
		sl_set_mask_addr(t.addr, d->mask);
	t.proto = proto;
	t.port = port;
	/* each class as a constant, so that its path meets only its own map */
#define SL_ADDR_CASE(c) case c: return sl_set_lookup_tuple(c, slot, &t, 0, false);
	if (proto) {
		switch (cls) {
		SL_ADDR_CASE(SL_CLASS_IPPORT4) SL_ADDR_CASE(SL_CLASS_IPPORT6) SL_ADDR_CASE(SL_CLASS_NETPORT4)
		SL_ADDR_CASE(SL_CLASS_NETPORT6) SL_ADDR_CASE(SL_CLASS_IPPORT4_P) SL_ADDR_CASE(SL_CLASS_IPPORT6_P)
		SL_ADDR_CASE(SL_CLASS_NETPORT4_P) SL_ADDR_CASE(SL_CLASS_NETPORT6_P)
		}
		return false;
	}
	switch (cls) {
	SL_ADDR_CASE(SL_CLASS_IP4) SL_ADDR_CASE(SL_CLASS_IP6) SL_ADDR_CASE(SL_CLASS_NET4) SL_ADDR_CASE(SL_CLASS_NET6)
	SL_ADDR_CASE(SL_CLASS_IP4_P) SL_ADDR_CASE(SL_CLASS_IP6_P) SL_ADDR_CASE(SL_CLASS_NET4_P)
	SL_ADDR_CASE(SL_CLASS_NET6_P)
	}
#undef SL_ADDR_CASE
	return false;
}

static __always_inline bool sl_set_named_has_addr(const struct sl_set_name *name, __u8 family, const __u8 ip[16])
{
	return sl_set_named_has(name, family, ip, 0, 0);
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

/* headers beyond the linear area are pulled in up to this much */
#define SL_SETS_PULL 256

/* A tc program's frame, parsed; headers in the paged part (a GSO packet's
 * from a local socket) pulled into the linear area first. */
static __always_inline int sl_sets_parse_skb(struct __sk_buff *skb, struct sl_pkt *p, struct sl_set_l4 *l4)
{
	int status = sl_sets_parse_tc(skb, p, l4);
	__u32 len = skb->len, linear = skb->data_end - skb->data;

	if (status == SL_PARSE_TRUNCATED && len > linear && linear < SL_SETS_PULL &&
	    !bpf_skb_pull_data(skb, len < SL_SETS_PULL ? len : SL_SETS_PULL))
		status = sl_sets_parse_tc(skb, p, l4);
	l4->mark = skb->mark;
	return status;
}

/* Whether the set called `name` matches a parsed packet in directions
 * `dims` (bit i: dimension i from the source), as ipset's match-set does:
 * for other features' rules on packets (xps). Any class; a set of the other
 * family, or absent, matches nothing; entries' counters are not touched.
 * The tuple is built in the caller's `t` (a per-CPU scratch: the set
 * lookup's frames leave 6.1's 512-byte stack no room for it). A global
 * function: the verifier checks every class's lookup once. */
__noinline int sl_set_named_matches(const struct sl_set_name *name, __u32 dims, const struct sl_pkt *p,
				    const struct sl_set_l4 *l4, struct sl_set_tuple *t)
{
	const struct sl_set_dirent *d;
	struct sl_set_name key; /* a map key from a global function's argument: 6.1 wants it on the stack */
	__u32 slot;
	__u8 cls;

	if (!name || !p || !l4 || !t)
		return 0;
	__builtin_memcpy(&key, name, sizeof(key));
	d = bpf_map_lookup_elem(&SL_SET_DIR_MAP, &key);
	if (!d)
		return 0;
	cls = d->cls;
	slot = d->slot;
	if (!sl_set_tuple_of(cls, d->family, (__u8)dims, p, l4, t))
		return 0;
	if (d->masked && sl_set_class_maskable(cls))
		sl_set_mask_addr(t->addr, d->mask);
	/* hash:net,iface's interface is a hook's device, which these rules have
	 * not (the daemon refuses them such sets): its walk stays out of their
	 * programs */
	if (cls == SL_CLASS_NETIFACE4 || cls == SL_CLASS_NETIFACE6)
		return 0;
	/* hash:ip,mark wants the rule's markmask, which these rules have not
	 * (the daemon refuses them such sets too) */
	if (cls == SL_CLASS_IPMARK4 || cls == SL_CLASS_IPMARK6)
		return 0;
	/* hash:net,net's walk has a frame of its own that these programs'
	 * stacks have no room for on 6.1 (the daemon refuses them such sets) */
	if (cls == SL_CLASS_NETNET4 || cls == SL_CLASS_NETNET6)
		return 0;
	/* each class as a constant, so that its path meets only its own map */
	switch (cls) {
#define SL_NAMED_CASE(c, map, k) case c: return sl_set_lookup_tuple(c, slot, t, 0, false);
	SL_SET_CLASSES(SL_NAMED_CASE)
	SL_SET_PLAIN_CLASSES(SL_NAMED_CASE, SL_NAMED_CASE)
#undef SL_NAMED_CASE
	}
	return 0;
}

#endif
