/* Matching one packet against ipset-like sets (bpf/sets.bpf.c): what
 * ipset's kernel side takes from a packet (ports, ICMP type/code, MACs),
 * the key tuple for one rule's directions, and the lookup rules for entry
 * values: timeouts, nomatch exceptions, counters, and the LPM fallback past
 * expired prefixes; and plain LPM tries, which have nomatch only (plain
 * bucket tables are looked up in bpf/sets.bpf.c, by a scan per class).
 * Knows no map by name: the program hands in the inner map of the rule's
 * set. */
#ifndef SLUICE_BPF_SETS_MATCH_H
#define SLUICE_BPF_SETS_MATCH_H

#include <bpf/bpf_helpers.h>
#include "sluice/sets.h"
#include "lib/compat.h"
#include "lib/parse.h"

#ifndef NEXTHDR_NONE
#define NEXTHDR_NONE 59 /* IPv6 "no next header" */
#endif

/* LPM lookups after an expired hit: one per shorter prefix there can be
 * (hash:net6 /128 down to /1, net,port6 likewise), plus one */
#define SL_SET_LPM_TRIES 129

/* The L4 part of a packet as ip_set_get_ip4_port()/ip_set_get_ip6_port()
 * see it (net/netfilter/ipset/ip_set_getport.c). */
struct sl_set_l4 {
	__u8 ok;        /* a port dimension can match (the port may be 0) */
	__u8 tcpudp;    /* TCP or UDP with ports: bitmap:port can match */
	__u8 proto;
	__u8 pad;
	__u16 sport, dport; /* host order; ICMP: type << 8 | code both ways */
	__u32 mark;     /* skb->mark at tc (hash:ip,mark); 0 at XDP, which has none */
	/* (12 bytes: what sl_sets_tc's 96-byte frame has room for) */
};

/* Fill *l4 from a parsed packet (status OK). UDP-Lite, which the shared
 * parser does not read, is read here from the frame; returns
 * SL_PARSE_TRUNCATED when its header is cut, else SL_PARSE_OK. */
static __always_inline int sl_set_l4_of(const struct sl_pkt *p, void *data, void *data_end,
					struct sl_set_l4 *l4)
{
	__u8 proto = p->l4_proto;

	l4->ok = 0;
	l4->tcpudp = 0;
	l4->proto = proto;
	l4->pad = 0;
	l4->sport = 0;
	l4->dport = 0;
	l4->mark = 0;
	if (p->family == SL_FAMILY_IPV4) {
		if (proto == 0)
			return SL_PARSE_OK; /* ipset: protocol <= 0, no match */
		if (p->frag == SL_FRAG_LATER) {
			switch (proto) {
			case IPPROTO_TCP:
			case IPPROTO_SCTP:
			case IPPROTO_UDP:
			case IPPROTO_UDPLITE:
			case IPPROTO_ICMP:
				return SL_PARSE_OK; /* their ports are in the first fragment */
			default:
				l4->ok = 1; /* no ports to miss: port 0 matches */
				return SL_PARSE_OK;
			}
		}
	} else if (p->frag == SL_FRAG_LATER || proto == NEXTHDR_NONE) {
		/* ipv6_skip_exthdr() stops at a later fragment and fails on "no
		 * next header": ipset matches no port there */
		return SL_PARSE_OK;
	}
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		l4->sport = p->sport;
		l4->dport = p->dport;
		l4->tcpudp = proto != IPPROTO_SCTP;
		break;
	case IPPROTO_UDPLITE: {
		__u32 off = p->l4_off;
		__u8 *h;

		if (off > 0x7ff) /* no real header chain is this long */
			return SL_PARSE_TRUNCATED;
		h = data + off;
		if ((void *)(h + 8) > data_end)
			return SL_PARSE_TRUNCATED;
		l4->sport = (h[0] << 8) | h[1];
		l4->dport = (h[2] << 8) | h[3];
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		l4->sport = l4->dport = (__u16)(p->icmp_type << 8 | p->icmp_code);
		break;
	}
	l4->ok = 1;
	return SL_PARSE_OK;
}

static __always_inline bool sl_set_class_has_port(__u8 cls)
{
	__u8 k = sl_set_key_class(cls);

	return k == SL_CLASS_IPPORT4 || k == SL_CLASS_IPPORT6 || k == SL_CLASS_NETPORT4 || k == SL_CLASS_NETPORT6 ||
	       k == SL_CLASS_IPPORTIP4 || k == SL_CLASS_IPPORTIP6;
}

/* the family a class's keys hold; 0 for hash:mac and bitmap:port */
static __always_inline __u8 sl_set_class_family(__u8 cls)
{
	switch (sl_set_key_class(cls)) {
	case SL_CLASS_IP4:
	case SL_CLASS_NET4:
	case SL_CLASS_IPPORT4:
	case SL_CLASS_NETPORT4:
	case SL_CLASS_IPPORTIP4:
	case SL_CLASS_IPMAC4:
	case SL_CLASS_NETIFACE4:
	case SL_CLASS_IPMARK4:
	case SL_CLASS_NETNET4:
		return SL_FAMILY_IPV4;
	case SL_CLASS_IP6:
	case SL_CLASS_NET6:
	case SL_CLASS_IPPORT6:
	case SL_CLASS_NETPORT6:
	case SL_CLASS_IPPORTIP6:
	case SL_CLASS_NETIFACE6:
	case SL_CLASS_IPMARK6:
	case SL_CLASS_NETNET6:
		return SL_FAMILY_IPV6;
	}
	return 0;
}

/* Whether a rule on a set of class `cls` (and `family`) looks at a packet of
 * this family at all. As iptables and ip6tables keep apart, a rule on an
 * IPv4 set never sees IPv6 packets, not even inverted; hash:mac and
 * bitmap:port sets see both. */
static __always_inline bool sl_set_rule_applies(__u8 cls, __u8 family, const struct sl_pkt *p)
{
	__u8 cfam = sl_set_class_family(cls);

	return (!family || family == p->family) && (!cfam || cfam == p->family);
}

/* The tuple for a set of class `cls` matched in directions `dims` (bit i:
 * dimension i from the source). False when the set cannot match this
 * packet at all: the other family, no port where the class needs one,
 * bitmap:port on anything but TCP/UDP, a zero MAC (as ipset). */
static __always_inline bool sl_set_tuple_of(__u8 cls, __u8 family, __u8 dims, const struct sl_pkt *p,
					     const struct sl_set_l4 *l4, struct sl_set_tuple *t)
{
	__u8 cfam = sl_set_class_family(cls), k = sl_set_key_class(cls);

	if ((family && family != p->family) || (cfam && cfam != p->family))
		return false;
	__builtin_memset(t, 0, sizeof(*t));
	if (k == SL_CLASS_MAC) {
		const __u8 *m = dims & 1 ? p->smac : p->dmac;

		if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
			return false;
		__builtin_memcpy(t->mac, m, 6);
		return true;
	}
	if (k == SL_CLASS_IPMAC4) {
		/* bitmap_ipmac_kadt: the MAC of the second direction, refused when null */
		const __u8 *m = dims & 2 ? p->smac : p->dmac;

		if (!(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
			return false;
		__builtin_memcpy(t->mac, m, 6);
		__builtin_memcpy(t->addr, dims & 1 ? p->saddr : p->daddr, 4);
		return true;
	}
	if (k == SL_CLASS_PORT) {
		if (!l4->tcpudp)
			return false;
		t->port = dims & 1 ? l4->sport : l4->dport;
		return true;
	}
	__builtin_memcpy(t->addr, dims & 1 ? p->saddr : p->daddr, 16);
	t->cidr = cfam == SL_FAMILY_IPV4 ? 32 : 128; /* LPM lookups: the whole address */
	if (sl_set_class_has_port(cls)) {
		if (!l4->ok)
			return false;
		t->port = dims & 2 ? l4->sport : l4->dport;
		t->proto = l4->proto;
	}
	/* hash_ipmark4_kadt: the first direction's address and the packet's
	 * mark (the rule's markmask is applied by the caller) */
	if (k == SL_CLASS_IPMARK4 || k == SL_CLASS_IPMARK6)
		t->mark = l4->mark;
	if (k == SL_CLASS_IPPORTIP4 || k == SL_CLASS_IPPORTIP6)
		__builtin_memcpy(t->addr2, dims & 4 ? p->saddr : p->daddr, 16);
	/* hash_netnet4_kadt: the second net from the second direction, whole */
	if (k == SL_CLASS_NETNET4 || k == SL_CLASS_NETNET6) {
		__builtin_memcpy(t->addr2, dims & 2 ? p->saddr : p->daddr, 16);
		t->cidr2 = t->cidr;
	}
	return true;
}

/* An entry found: 1 it matches, 0 a nomatch exception (the set does not
 * match), -1 expired (absent). With `count`, counts the frame on a live
 * entry with counters, nomatch ones included: ipset updates an element's
 * counters before it looks at nomatch. */
static __always_inline int sl_set_hit(struct sl_set_value *v, __u64 bytes, bool count)
{
	__u64 expires = v->expires_ns;

	if (expires && expires <= bpf_ktime_get_ns())
		return -1;
	if (count && (v->flags & SL_SETV_COUNTERS)) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, bytes);
	}
	return !(v->flags & SL_SETV_NOMATCH);
}

/* A lookup in one set: the key (built here) and, for the LPM classes, the
 * state of the fallback past expired prefixes. */
struct sl_set_lookup {
	union {
		__u8 key[SL_SET_KEY_MAX];   /* LPM keys start with __u32 prefixlen */
		__u32 prefixlen;
		__u64 align_;
	};
	void *inner;        /* the set's map */
	__u64 bytes;
	bool count;         /* a packet's lookup: entries' counters count it */
	__u32 next;         /* LPM: the prefix to try next */
	__u32 min;          /* LPM: the shortest prefix an entry can have */
	__u32 base;         /* LPM: bits before the address (net,port: proto and port) */
	int result;
};

/* One bpf_loop() step: look up the next shorter prefix; stop at a live
 * entry (match or nomatch), a miss, or the shortest prefix. */
static long sl_set_lpm_step(__u64 i, void *ctx)
{
	struct sl_set_lookup *l = ctx;
	struct sl_set_value *v;
	__u32 hit;
	int rc;

	if (l->next < l->min)
		return 1;
	l->prefixlen = l->next;
	v = bpf_map_lookup_elem(l->inner, l->key);
	if (!v)
		return 1;
	rc = sl_set_hit(v, l->bytes, l->count);
	if (rc >= 0) {
		l->result = rc;
		return 1;
	}
	/* expired: below its own prefix; always shorter than the last try */
	hit = l->base + v->cidr;
	if (hit > l->next)
		hit = l->next;
	if (hit <= l->min)
		return 1;
	l->next = hit - 1;
	return 0;
}

/* Look l->key up in `inner`; true when the set matches. */
static __always_inline bool sl_set_lookup_hash(struct sl_set_lookup *l, void *inner)
{
	struct sl_set_value *v = bpf_map_lookup_elem(inner, l->key);

	return v && sl_set_hit(v, l->bytes, l->count) > 0;
}

/* The same for an LPM class whose prefixes run from min_prefix up, the
 * address starting `base` bits into the key. The longest prefix wins; an
 * expired entry is skipped for the next shorter one, as ipset tries every
 * prefix length of the set from the most specific. */
static __always_inline bool sl_set_lookup_lpm(struct sl_set_lookup *l, void *inner, __u32 base)
{
	struct sl_set_value *v = bpf_map_lookup_elem(inner, l->key);
	__u32 hit;
	int rc;

	if (!v)
		return false;
	rc = sl_set_hit(v, l->bytes, l->count);
	if (rc >= 0)
		return rc;
	hit = base + v->cidr;
	if (hit > l->prefixlen)
		hit = l->prefixlen;
	if (hit <= base + 1)
		return false; /* nothing shorter can be an entry */
	l->inner = inner;
	l->base = base;
	l->min = base + 1;
	l->next = hit - 1;
	l->result = 0;
	bpf_loop(SL_SET_LPM_TRIES, sl_set_lpm_step, l, 0);
	return l->result > 0;
}

/* flags, cidr and mac of a struct sl_set_value: one aligned 8-byte word */
union sl_set_vword {
	__u64 w;
	struct {
		__u8 flags, cidr, mac[6];
	};
};

/* bitmap:ip,mac (SL_CLASS_IPMAC4), as bitmap_ipmac_do_test and the
 * kernel's -EAGAIN path: the entry of the packet's address matches when
 * its MAC is the packet's. An entry without a MAC yet takes the MAC of the
 * first packet that meets it and matches; as the kernel re-adds it then,
 * its pending timeout starts, its counters become that packet, and its
 * comment and skbinfo go (SL_SETV_FILLED: userspace lists none). The new
 * word is one 8-byte store: a reader sees the entry before or after it.
 * (Two first packets with different MACs on two CPUs at once can both
 * match, the later's MAC staying; the kernel fills under its set lock.)
 * A lookup without `count` (another feature's) fills nothing. */
static __always_inline bool sl_set_lookup_ipmac(struct sl_set_lookup *l, void *inner, const __u8 mac[6])
{
	struct sl_set_value *v = bpf_map_lookup_elem(inner, l->key);
	union sl_set_vword nv;

	if (!v)
		return false;
	nv.w = *(volatile __u64 *)&v->flags;
	if (nv.flags & SL_SETV_MAC)
		return !((nv.mac[0] ^ mac[0]) | (nv.mac[1] ^ mac[1]) | (nv.mac[2] ^ mac[2]) | (nv.mac[3] ^ mac[3]) |
			 (nv.mac[4] ^ mac[4]) | (nv.mac[5] ^ mac[5])) &&
		       sl_set_hit(v, l->bytes, l->count) > 0;
	if (!l->count)
		return true;
	if (nv.flags & SL_SETV_PENDING)
		v->expires_ns += bpf_ktime_get_ns();
	if (nv.flags & SL_SETV_COUNTERS) {
		v->packets = 1;
		v->bytes = l->bytes;
	}
	nv.flags = (nv.flags & ~SL_SETV_PENDING) | SL_SETV_MAC | SL_SETV_FILLED;
	__builtin_memcpy(nv.mac, mac, 6);
	*(volatile __u64 *)&v->flags = nv.w;
	return true;
}

/* The walk over one rule's candidates (a bpf_loop() context): candidate 0
 * is the rule's interface name, candidate L + 1 a wildcard entry of its
 * first L characters. The key is changed in place from one to the next
 * (one byte a step: no branch on the name, so the verifier checks one
 * path), and each candidate falls back past expired prefixes in the same
 * loop (a bpf_loop() in a bpf_loop() callback takes one more stack frame,
 * past 6.1's 512 bytes of all frames). */
struct sl_set_netiface_walk {
	union {
		__u8 key[SL_SET_KEY_MAX];
		struct sl_set_key_netiface4 k; /* the name's place is the same in both keys */
		__u64 align_;
	};
	void *inner;        /* the set's map */
	__u8 best_name[1 + SL_IFACE_LEN]; /* the best entry's flags and name */
	char iface[SL_IFACE_LEN + 1];
	__u32 host;         /* the address's bits */
	__u32 n;            /* the candidate being looked up */
	int best;           /* the prefix of the best entry, -1: none yet */
	__u8 result;        /* its answer: 1 match, 0 nomatch */
	__u8 next;          /* the key is to move on to candidate n */
};

/* every (candidate, prefix) pair a walk can try */
#define SL_NETIFACE_STEPS ((SL_IFACE_LEN + 2) * (SL_SET_LPM_TRIES + 1))

/* One bpf_loop() step: one lookup of candidate n, or the move to it. */
static long sl_set_netiface_step(__u64 i, void *ctx)
{
	struct sl_set_netiface_walk *w = ctx;
	struct sl_set_value *v;
	__u32 c = (w->n - 2) & 15, hit;
	int rc;

	if (w->next) {
		if (w->n == 1) {
			w->k.iflags = SL_IFACE_WILDCARD;
			__builtin_memset(w->k.iface, 0, SL_IFACE_LEN);
		} else if (w->n >= 2) {
			if (w->n > SL_IFACE_LEN + 1 || c >= SL_IFACE_LEN || !w->iface[c])
				return 1;
			w->k.iface[c] = w->iface[c];
		}
		w->k.prefixlen = SL_NETIFACE_PREFIX + w->host;
		w->next = 0;
	}
	v = bpf_map_lookup_elem(w->inner, w->key);
	if (v) {
		rc = sl_set_hit(v, 0, false);
		if (rc >= 0 && (int)v->cidr > w->best) {
			w->best = v->cidr;
			w->result = (__u8)rc;
			__builtin_memcpy(w->best_name, &w->k.iflags, sizeof(w->best_name));
		}
		/* expired: below its own prefix, down to /0 */
		hit = SL_NETIFACE_PREFIX + v->cidr;
		if (hit > w->k.prefixlen)
			hit = w->k.prefixlen;
		if (rc < 0 && hit > SL_NETIFACE_PREFIX) {
			w->k.prefixlen = hit - 1;
			return 0;
		}
	}
	w->n++;
	w->next = 1;
	return 0;
}

/* hash:net,iface (SL_CLASS_NETIFACE4/6), as hash_netiface4_kadt: the
 * longest live prefix covering the address among the entries of the
 * rule's interface name and the wildcard entries whose names start it (a
 * tie: the name's own entry, then the shorter wildcard; the kernel takes
 * its bucket's first); its nomatch answers. physdev: entries are never
 * looked up (the hooks see their own device, not a bridge port through
 * br_netfilter). The winner alone counts the packet. The walk is a
 * bpf_loop(): checked once, whatever the name. `w` holds the tuple's key
 * (candidate 0) and the set's map. */
static __always_inline bool sl_set_lookup_netiface(struct sl_set_netiface_walk *w, const struct sl_set_tuple *t,
						   __u64 bytes, bool count)
{
	struct sl_set_value *v;

	__builtin_memcpy(w->iface, t->iface, SL_IFACE_LEN);
	w->iface[SL_IFACE_LEN] = 0;
	w->host = t->cidr;
	/* 6.1 checks a bpf_loop() callback once, with the caller's stack as it
	 * is at the call: a field set to a constant here is taken as that
	 * constant in every step, and the branches it decides as dead (the
	 * walk never left candidate 0 there). So the walk's state starts from
	 * the tuple's pad: zero, but unknown to the verifier (t is a global
	 * function's argument). */
	w->n = t->pad;
	w->next = (__u8)t->pad;
	w->best = (int)t->pad - 1;
	w->result = (__u8)t->pad;
	bpf_loop(SL_NETIFACE_STEPS, sl_set_netiface_step, w, 0);
	if (w->best < 0)
		return false;
	if (count) {
		/* the winner's name, and its own prefix, find it alone */
		__builtin_memcpy(&w->k.iflags, w->best_name, sizeof(w->best_name));
		w->k.prefixlen = SL_NETIFACE_PREFIX + ((__u32)w->best & 0xff);
		v = bpf_map_lookup_elem(w->inner, w->key);
		if (v)
			sl_set_hit(v, bytes, true);
	}
	return w->result;
}

/* The walk of hash:net,net's lookup (a bpf_loop() context): for each
 * first prefix c from the longest down, one LPM lookup of (c, the first
 * address cut to c, the second address whole) finds the longest second
 * net among the entries of that first net; an expired one falls back to
 * the next shorter second prefix in the same loop (no bpf_loop() in a
 * callback: 6.1's 512 bytes), and none moves on to c - 1, clearing the
 * one address bit c had last (a byte a step: one verified path, where
 * masking the whole address per step took the verifier past its million
 * instructions). */
struct sl_set_netnet_walk {
	union {
		__u8 key[SL_SET_KEY_MAX];
		struct sl_set_key_netnet6 k; /* prefixlen, cidr and addr sit alike in both keys */
		__u64 align_;
	};
	void *inner;        /* the set's map */
	__u64 bytes;
	__u32 base;         /* SL_NETNET_PREFIX of the family */
	__u32 whole;        /* base + the address's bits: a lookup's prefix */
	__u32 c;            /* the first prefix being looked up */
	__u8 count;         /* a packet's lookup: the entry found counts it */
	__u8 next;          /* the key is to move on to prefix c - 1 */
	__u8 found;
	__u8 result;        /* the entry found: 1 match, 0 nomatch */
};

/* every (first prefix, second prefix) pair a walk can try */
#define SL_NETNET_STEPS (128 * (SL_SET_LPM_TRIES + 1))

/* One bpf_loop() step: one lookup, or the move to the next first prefix. */
static long sl_set_netnet_step(__u64 i, void *ctx)
{
	struct sl_set_netnet_walk *w = ctx;
	struct sl_set_value *v;
	__u32 hit, bit;
	int rc;

	if (w->next) {
		if (w->c <= 1)
			return 1; /* no first prefix left: /0 is never an entry */
		bit = w->c - 1;
		w->k.addr[(bit >> 3) & 15] &= (__u8)~(0x80 >> (bit & 7));
		w->c = bit;
		w->k.cidr = (__u8)bit;
		w->k.prefixlen = w->whole;
		w->next = 0;
	}
	v = bpf_map_lookup_elem(w->inner, w->key);
	if (v) {
		rc = sl_set_hit(v, w->bytes, w->count);
		if (rc >= 0) {
			w->found = 1;
			w->result = (__u8)rc;
			return 1;
		}
		/* expired: below its own second prefix, down to /1 */
		hit = w->base + v->cidr;
		if (hit > w->k.prefixlen)
			hit = w->k.prefixlen;
		if (hit > w->base + 1) {
			w->k.prefixlen = hit - 1;
			return 0;
		}
	}
	w->next = 1;
	return 0;
}

/* hash:net,net (SL_CLASS_NETNET4/6), as hash_netnet4_kadt and the
 * kernel's test of every size pair: the first live entry, first prefixes
 * longest first and, within one, second prefixes longest first, answers
 * (its nomatch: no match) and alone counts the packet. `w` holds the
 * tuple's key (both addresses whole) and the set's map. */
static __always_inline bool sl_set_lookup_netnet(struct sl_set_netnet_walk *w, const struct sl_set_tuple *t,
						  __u32 alen, __u64 bytes, bool count)
{
	w->bytes = bytes;
	w->count = count;
	w->base = SL_NETNET_PREFIX(alen);
	w->whole = w->base + 8 * alen;
	/* as the hash:net,iface walk: its state from the tuple (cidr: the
	 * whole address; pad: zero), unknown to 6.1's check of the callback,
	 * not from constants */
	w->c = t->cidr;
	w->next = (__u8)t->pad;
	w->found = (__u8)t->pad;
	w->result = (__u8)t->pad;
	bpf_loop(SL_NETNET_STEPS, sl_set_netnet_step, w, 0);
	return w->found && w->result;
}

/* A plain set's LPM trie: the longest prefix decides, nothing expires. */
static __always_inline bool sl_set_lookup_lpm_plain(const struct sl_set_lookup *l, void *inner)
{
	struct sl_set_nvalue *v = bpf_map_lookup_elem(inner, l->key);

	return v && !(v->flags & SL_SETV_NOMATCH);
}

#endif
