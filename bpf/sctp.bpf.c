// SPDX-License-Identifier: GPL-2.0
/* SCTP association tracking (see include/sluice/sctp.h): one XDP program
 * for a device's ingress and one tc program for its egress, loaded once
 * per zone (network namespace). Without a policy on the device both only
 * observe: every frame goes on (XDP_PASS, TCX_NEXT). With one (a set, in
 * sl_sctp_pol_v1 by zone and ifindex), an SCTP packet goes on only when it
 * belongs to an association the set admits, on addresses it announced;
 * the others are dropped, counted by reason. Non-SCTP frames always go on.
 *
 * An INIT (alone in its packet, tag 0) makes a record under A's side
 * unless the table is full (counted; existing records stay). Its INIT-ACK
 * (carrying A's tag) fills in Z's tag and addresses and the index entry of
 * Z's side. Any other packet is counted on its association's path, or
 * counted by why it has none. SHUTDOWN-COMPLETE and ABORT end it; the
 * daemon expires idle ones. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/parse.h"
#include "lib/sctp.h"
#include "lib/sets_lookup.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 sl_sctp_zone = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_SCTP_ASSOCS);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* ~2 KB a record: memory as used */
	__type(key, struct sl_sctp_key);
	__type(value, struct sl_sctp_assoc);
} SL_SCTP_ASSOC_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_SCTP_ASSOCS);
	__type(key, struct sl_sctp_key);
	__type(value, struct sl_sctp_key);
} SL_SCTP_TAG_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SL_SCTP_ZONES * SL_SCTP_C_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} SL_SCTP_STATS_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SL_SCTP_DEVS);
	__type(key, __u32);
	__type(value, struct sl_sctp_dev);
} SL_SCTP_DEV_MAP SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SL_SCTP_DEVS);
	__type(key, struct sl_sctp_pol_key);
	__type(value, struct sl_set_name);
} SL_SCTP_POLICY_MAP SEC(".maps");

/* a new record is built in [0]: it is too large for the stack; [1] stays
 * zero, to clear [0] with (too large for memset too) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct sl_sctp_assoc);
} SL_SCTP_SCRATCH_MAP SEC(".maps");

static __always_inline void count_n(__u32 c, __u64 n)
{
	__u32 key = (sl_sctp_zone % SL_SCTP_ZONES) * SL_SCTP_C_COUNT + c;
	__u64 *v = bpf_map_lookup_elem(&SL_SCTP_STATS_MAP, &key);

	if (v)
		*v += n;
}

static __always_inline void count(__u32 c)
{
	count_n(c, 1);
}

static __always_inline void count_walk(const struct sl_sctp_info *si)
{
	switch (si->walk) {
	case SL_SCTP_W_TRUNCATED:
		count(SL_SCTP_C_TRUNCATED);
		break;
	case SL_SCTP_W_CHUNK_LEN:
		count(SL_SCTP_C_CHUNK_LEN);
		break;
	case SL_SCTP_W_PAST_END:
		count(SL_SCTP_C_CHUNK_PAST_END);
		break;
	case SL_SCTP_W_TOO_MANY:
		count(SL_SCTP_C_CHUNKS_LIMIT);
		break;
	case SL_SCTP_W_TRAILING:
		count(SL_SCTP_C_TRAILING);
		break;
	}
}

static __always_inline void count_params(const struct sl_sctp_pres *r)
{
	if (r->walk == SL_SCTP_PW_LEN)
		count(SL_SCTP_C_PARAM_LEN);
	else if (r->walk == SL_SCTP_PW_PAST_END)
		count(SL_SCTP_C_PARAM_PAST_END);
	else if (r->walk == SL_SCTP_PW_TOO_MANY)
		count(SL_SCTP_C_PARAMS_LIMIT);
	if (r->bad_addr)
		count_n(SL_SCTP_C_ADDR_BAD, r->bad_addr);
	if (r->dropped)
		count_n(SL_SCTP_C_ADDRS_DROPPED, r->dropped);
}

/* INIT: a new record under A's side, its key given */
static __always_inline void on_init(void *ctx, bool xdp, const struct sl_pkt *p, const struct sl_sctp_info *si,
				    const struct sl_sctp_key *key)
{
	__u32 zero = 0, one = 1;
	struct sl_sctp_assoc *a, *clear = bpf_map_lookup_elem(&SL_SCTP_SCRATCH_MAP, &one);
	struct sl_sctp_pres r;
	__u64 now = bpf_ktime_get_ns();
	long err;

	if (!clear || bpf_map_update_elem(&SL_SCTP_SCRATCH_MAP, &zero, clear, BPF_ANY))
		return;
	a = bpf_map_lookup_elem(&SL_SCTP_SCRATCH_MAP, &zero);
	if (!a)
		return;
	a->tag[0] = si->init_tag;
	a->port[0] = p->sport;
	a->port[1] = p->dport;
	a->state = SL_SCTP_S_COOKIE_WAIT;
	a->last_data = SL_SCTP_NO_PATH;
	a->created = a->last_seen = now;
	sl_sctp_addr_add(&a->ep[0], p->family, p->saddr);
	sl_sctp_params(ctx, xdp, si->init_off, si->init_len, 20, false, &a->ep[0], &r);
	count_params(&r);
	sl_sctp_addr_add(&a->ep[1], p->family, p->daddr);
	/* the INIT's own path: A's first address to Z's */
	a->path[0][0].packets = 1;
	a->path[0][0].bytes = p->l4_off < si->end ? si->end - p->l4_off : 0;
	a->path[0][0].last_seen = now;
	err = bpf_map_update_elem(&SL_SCTP_ASSOC_MAP, key, a, BPF_NOEXIST);
	if (err == -EEXIST) {
		count(SL_SCTP_C_INIT_DUP);
		return;
	}
	if (err) {
		count(SL_SCTP_C_FULL);
		return;
	}
	count(SL_SCTP_C_NEW);
	count(SL_SCTP_C_TRACKED);
}

/* the record a packet belongs to; *to_a: the packet goes to A */
static __always_inline struct sl_sctp_assoc *find(const struct sl_pkt *p, const struct sl_sctp_info *si,
						  struct sl_sctp_key *akey, bool *to_a)
{
	struct sl_sctp_key k = { .zone = sl_sctp_zone, .tag = si->vtag, .rport = p->dport, .sport = p->sport };
	struct sl_sctp_assoc *a;
	struct sl_sctp_key *ak;

	if (si->tbit) {
		/* the sender's own tag (RFC 9260 8.5.1 (B), (C)) */
		k.rport = p->sport;
		k.sport = p->dport;
	}
	a = bpf_map_lookup_elem(&SL_SCTP_ASSOC_MAP, &k);
	if (a) {
		*akey = k;
		*to_a = !si->tbit; /* A's key: to A, or with the T bit from A */
		return a;
	}
	ak = bpf_map_lookup_elem(&SL_SCTP_TAG_MAP, &k);
	if (!ak)
		return NULL;
	*akey = *ak;
	*to_a = si->tbit;
	return bpf_map_lookup_elem(&SL_SCTP_ASSOC_MAP, akey);
}

/* INIT-ACK (to A, with A's tag): Z's tag and addresses, Z's index entry */
static __always_inline void on_init_ack(void *ctx, bool xdp, const struct sl_pkt *p, const struct sl_sctp_info *si,
					struct sl_sctp_assoc *a, const struct sl_sctp_key *akey)
{
	struct sl_sctp_key zkey = { .zone = sl_sctp_zone, .tag = si->init_tag, .rport = p->sport, .sport = p->dport };
	struct sl_sctp_pres r;

	if (!si->init_tag || (a->tag[1] && a->tag[1] != si->init_tag)) {
		count(SL_SCTP_C_INIT_ACK_BAD);
		return;
	}
	if (a->tag[1])
		return; /* a retransmission: all known */
	sl_sctp_addr_add(&a->ep[1], p->family, p->saddr);
	sl_sctp_params(ctx, xdp, si->init_off, si->init_len, 20, false, &a->ep[1], &r);
	count_params(&r);
	if (bpf_map_update_elem(&SL_SCTP_TAG_MAP, &zkey, akey, BPF_ANY)) {
		count(SL_SCTP_C_FULL);
		return;
	}
	a->tag[1] = si->init_tag;
	if (a->state < SL_SCTP_S_COOKIE_ECHOED)
		a->state = SL_SCTP_S_COOKIE_ECHOED;
}

/* ASCONF: the sender adds or deletes its own addresses (RFC 5061) */
static __always_inline void on_asconf(void *ctx, bool xdp, const struct sl_sctp_info *si, struct sl_sctp_addrs *l)
{
	struct sl_sctp_pres r;
	__u8 h[4];
	__u32 first;

	/* serial number, then the sender's address parameter */
	if (si->asconf_len < 12 || sl_sctp_load(ctx, xdp, si->asconf_off + 8, h, 4)) {
		count(SL_SCTP_C_PARAM_PAST_END);
		return;
	}
	first = 8 + ((((h[2] << 8) | h[3]) + 3) & ~3u);
	sl_sctp_params(ctx, xdp, si->asconf_off, si->asconf_len, first, true, l, &r);
	count_params(&r);
	if (r.added)
		count_n(SL_SCTP_C_ASCONF_ADD, r.added);
	if (r.deleted)
		count_n(SL_SCTP_C_ASCONF_DEL, r.deleted);
}

static __always_inline void end_assoc(const struct sl_sctp_assoc *a, const struct sl_sctp_key *akey, __u32 why)
{
	struct sl_sctp_key zkey = { .zone = akey->zone, .tag = a->tag[1], .rport = a->port[1], .sport = a->port[0] };

	if (a->tag[1])
		bpf_map_delete_elem(&SL_SCTP_TAG_MAP, &zkey);
	/* counted by the one program whose delete took it: two ends of one
	 * association (a SHUTDOWN-COMPLETE and the one an endpoint sends for a
	 * retransmitted SHUTDOWN-ACK) may meet on two CPUs at once */
	if (!bpf_map_delete_elem(&SL_SCTP_ASSOC_MAP, akey))
		count(why);
}

/* an address, for a set's lookup */
struct addr_ref {
	__u8 ip[16];
	__u8 family;
	__u8 pad[3];
};

/* Whether the set holds the address. A global function: the verifier
 * checks the lookup (every class a set of addresses can have) once. */
__noinline int sl_sctp_in_set(const struct sl_set_name *set, const struct addr_ref *ref)
{
	struct sl_set_name name;

	if (!set || !ref)
		return 0;
	__builtin_memcpy(&name, set, sizeof(name));
	return sl_set_named_has_addr(&name, ref->family, ref->ip);
}

static __always_inline bool in_set(const struct sl_set_name *set, __u8 family, const __u8 *ip)
{
	struct addr_ref ref = { .family = family };

	__builtin_memcpy(ref.ip, ip, 16);
	return sl_sctp_in_set(set, &ref);
}

/* Track the packet; false: the device's policy drops it (counted). */
static __always_inline bool track(void *ctx, bool xdp, __u32 frame_len, __u32 ifindex)
{
	struct sl_sctp_pol_key pk = { .zone = sl_sctp_zone, .ifindex = ifindex };
	const struct sl_set_name *pol;
	struct sl_sctp_info si;
	struct sl_sctp_key akey;
	struct sl_sctp_assoc *a;
	struct sl_pkt p;
	__u32 ia, iz, bytes;
	__u64 now;
	bool to_a;

	if (xdp)
		sl_parse((void *)(long)((struct xdp_md *)ctx)->data, (void *)(long)((struct xdp_md *)ctx)->data_end, &p);
	else
		sl_parse((void *)(long)((struct __sk_buff *)ctx)->data,
			 (void *)(long)((struct __sk_buff *)ctx)->data_end, &p);
	if (p.l4_proto != IPPROTO_SCTP || (p.status != SL_PARSE_OK && p.status != SL_PARSE_TRUNCATED))
		return true;
	pol = bpf_map_lookup_elem(&SL_SCTP_POLICY_MAP, &pk);
	count(SL_SCTP_C_PACKETS);
	if (p.status == SL_PARSE_TRUNCATED) {
		count(SL_SCTP_C_TRUNCATED); /* cut in its IP or common header */
		goto malformed;
	}
	if (p.frag == SL_FRAG_LATER) {
		count(SL_SCTP_C_FRAGMENT);
		goto malformed;
	}
	sl_sctp_walk(ctx, xdp, &p, frame_len, &si);
	count_walk(&si);
	if (si.walk == SL_SCTP_W_TRUNCATED)
		goto malformed;
	if (si.init_len && si.init_type == SL_SCTP_INIT) {
		/* alone in its packet with tag 0 (RFC 9260 8.5.1), announcing a tag */
		if (si.vtag || !si.init_tag || si.nchunks != 1) {
			count(SL_SCTP_C_INIT_BAD);
			goto malformed;
		}
		if (pol && !in_set(pol, p.family, p.saddr)) {
			count(SL_SCTP_C_DROP_INIT);
			return false;
		}
		akey = (struct sl_sctp_key){ .zone = sl_sctp_zone, .tag = si.init_tag, .rport = p.sport, .sport = p.dport };
		a = bpf_map_lookup_elem(&SL_SCTP_ASSOC_MAP, &akey);
		if (!a) {
			on_init(ctx, xdp, &p, &si, &akey);
			return true;
		}
		/* a retransmission, counted on its path: it may leave from another
		 * of A's addresses or go to another of Z's (both are theirs) */
		count(SL_SCTP_C_INIT_DUP);
		sl_sctp_addr_add(&a->ep[0], p.family, p.saddr);
		sl_sctp_addr_add(&a->ep[1], p.family, p.daddr);
		to_a = false;
	} else {
		a = find(&p, &si, &akey, &to_a);
		if (!a) {
			count(SL_SCTP_C_UNKNOWN_TAG);
			if (pol) {
				count(SL_SCTP_C_DROP_UNKNOWN);
				return false;
			}
			return true;
		}
	}
	/* admitted: the set holds its INIT's source, A's first address */
	if (pol && (!a->ep[0].n || !in_set(pol, a->ep[0].family[0], a->ep[0].addr[0]))) {
		count(SL_SCTP_C_DROP_NOT_ADMITTED);
		return false;
	}
	if (si.init_len && si.init_type == SL_SCTP_INIT_ACK) {
		if (!to_a) {
			count(SL_SCTP_C_INIT_ACK_BAD);
			goto malformed;
		}
		on_init_ack(ctx, xdp, &p, &si, a, &akey);
	}
	if (si.seen & SL_SCTP_SEEN_ASCONF)
		on_asconf(ctx, xdp, &si, &a->ep[to_a ? 1 : 0]);
	/* the path: A's address and Z's, whichever way the packet goes */
	ia = sl_sctp_addr_index(&a->ep[0], p.family, to_a ? p.daddr : p.saddr);
	iz = sl_sctp_addr_index(&a->ep[1], p.family, to_a ? p.saddr : p.daddr);
	if ((ia >= SL_SCTP_ADDRS || iz >= SL_SCTP_ADDRS) && pol) {
		count(SL_SCTP_C_DROP_STRAY);
		return false;
	}
	now = bpf_ktime_get_ns();
	a->last_seen = now;
	count(SL_SCTP_C_TRACKED);
	bytes = p.l4_off < si.end ? si.end - p.l4_off : 0;
	if (ia < SL_SCTP_ADDRS && iz < SL_SCTP_ADDRS) {
		struct sl_sctp_path *path;

		/* masks the compiler keeps (it would fold them into the checks above) */
		barrier_var(ia);
		barrier_var(iz);
		path = &a->path[ia & (SL_SCTP_ADDRS - 1)][iz & (SL_SCTP_ADDRS - 1)];

		__sync_fetch_and_add(&path->packets, 1);
		__sync_fetch_and_add(&path->bytes, bytes);
		path->last_seen = now;
		if (si.seen & (SL_SCTP_SEEN(SL_SCTP_DATA) | SL_SCTP_SEEN_I_DATA))
			a->last_data = ia * SL_SCTP_ADDRS + iz;
	} else {
		__sync_fetch_and_add(&a->stray_packets, 1);
		count(SL_SCTP_C_STRAY_PATH);
	}
	if (si.seen & (SL_SCTP_SEEN(SL_SCTP_SHUTDOWN_COMPLETE) | SL_SCTP_SEEN(SL_SCTP_ABORT))) {
		end_assoc(a, &akey, si.seen & SL_SCTP_SEEN(SL_SCTP_ABORT) ? SL_SCTP_C_END_ABORT : SL_SCTP_C_END_SHUTDOWN);
		return true;
	}
	if (si.seen & (SL_SCTP_SEEN(SL_SCTP_SHUTDOWN) | SL_SCTP_SEEN(SL_SCTP_SHUTDOWN_ACK)))
		a->state = SL_SCTP_S_SHUTDOWN;
	else if ((si.seen & SL_SCTP_SEEN(SL_SCTP_COOKIE_ACK)) && a->state < SL_SCTP_S_ESTABLISHED)
		a->state = SL_SCTP_S_ESTABLISHED;
	return true;
malformed:
	if (pol)
		count(SL_SCTP_C_DROP_MALFORMED);
	return !pol;
}

SEC("xdp")
int sl_sctp_xdp(struct xdp_md *ctx)
{
	return track(ctx, true, ctx->data_end - ctx->data, ctx->ingress_ifindex) ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int sl_sctp_tc(struct __sk_buff *skb)
{
	return track(skb, false, skb->len, skb->ifindex) ? TCX_NEXT : TCX_DROP;
}
