/* SCTP chunk and parameter walks, after lib/parse.h found an SCTP header
 * (p->l4_proto == IPPROTO_SCTP at p->l4_off).
 *
 * Chunk and parameter offsets come from the packet, so every read goes
 * through bpf_xdp_load_bytes (5.18) or bpf_skb_load_bytes with a plain
 * offset, checked by the kernel at run time: the verifier tracks no packet
 * range per iteration. Chunks and parameters are walked by bpf_loop
 * (5.17): plain loops track every iteration's state, a million
 * instructions for 32 chunks already. `xdp` is a constant at every call site,
 * so each program keeps one of the two helpers.
 *
 * Defined results for bad input: the walk never reads past the end of the
 * IP datagram (trailing frame bytes are Ethernet padding) nor the frame; a
 * chunk length below 4 stops it there; a chunk running past the datagram
 * is the last one walked, and an INIT/INIT-ACK in it is clipped to what is
 * there (the first fragment of a long INIT gives its first addresses);
 * more than SL_SCTP_MAX_CHUNKS chunks leave the rest unread. Parameters the
 * same within their chunk. Each says why in its result. */
#ifndef SLUICE_BPF_SCTP_H
#define SLUICE_BPF_SCTP_H

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "sluice/packet.h"
#include "sluice/sctp.h"

static __always_inline long sl_sctp_load(void *ctx, bool xdp, __u32 off, void *buf, __u32 len)
{
	return xdp ? bpf_xdp_load_bytes(ctx, off, buf, len) : bpf_skb_load_bytes(ctx, off, buf, len);
}

static __always_inline __u32 sl_sctp_be32(const __u8 *b)
{
	return ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
}

/* The end of the IP datagram (its length field), clamped to the frame;
 * 0 when the length field cannot be read. */
static __always_inline __u32 sl_sctp_dgram_end(void *ctx, bool xdp, const struct sl_pkt *p, __u32 frame_len)
{
	__u8 b[2];
	__u32 end;

	if (p->family == SL_FAMILY_IPV4) {
		if (sl_sctp_load(ctx, xdp, p->l3_off + 2, b, 2))
			return 0;
		end = p->l3_off + ((b[0] << 8) | b[1]);
	} else {
		if (sl_sctp_load(ctx, xdp, p->l3_off + 4, b, 2))
			return 0;
		end = p->l3_off + 40 + ((b[0] << 8) | b[1]);
		if (!b[0] && !b[1])
			end = frame_len; /* a jumbogram: the frame's length */
	}
	return end < frame_len ? end : frame_len;
}

struct sl_sctp_cstate {
	void *ctx;                 /* the program's */
	struct sl_sctp_info *si;
	__u32 off, end;
};

/* one chunk at c->off; 1 ends the walk */
static __always_inline long sl_sctp_chunk(struct sl_sctp_cstate *cs, bool xdp)
{
	struct sl_sctp_info *si = cs->si;
	__u32 off = cs->off, end = cs->end, len, clen;
	__u8 c[8], type;

	if (off >= end)
		return 1; /* SL_SCTP_W_OK */
	if (off + 4 > end || sl_sctp_load(cs->ctx, xdp, off, c, 4)) {
		si->walk = SL_SCTP_W_TRAILING;
		return 1;
	}
	type = c[0];
	len = (c[2] << 8) | c[3];
	if (len < 4) {
		si->walk = SL_SCTP_W_CHUNK_LEN;
		return 1;
	}
	si->nchunks++;
	clen = off + len <= end ? len : end - off; /* what of it is there */
	if (type < 16)
		si->seen |= SL_SCTP_SEEN(type);
	else if (type == SL_SCTP_I_DATA)
		si->seen |= SL_SCTP_SEEN_I_DATA;
	else if (type == SL_SCTP_ASCONF)
		si->seen |= SL_SCTP_SEEN_ASCONF;
	else
		si->seen |= SL_SCTP_SEEN_OTHER;
	if ((type == SL_SCTP_ABORT || type == SL_SCTP_SHUTDOWN_COMPLETE) && (c[1] & 1))
		si->tbit = 1;
	if ((type == SL_SCTP_INIT || type == SL_SCTP_INIT_ACK) && !si->init_len && clen >= 8 &&
	    !sl_sctp_load(cs->ctx, xdp, off + 4, c + 4, 4)) {
		si->init_type = type;
		si->init_off = off;
		si->init_len = clen;
		si->init_tag = sl_sctp_be32(c + 4);
	}
	if (type == SL_SCTP_ASCONF && !si->asconf_len) {
		si->asconf_off = off;
		si->asconf_len = clen;
	}
	if (clen < len) {
		si->walk = SL_SCTP_W_PAST_END;
		return 1;
	}
	cs->off = off + ((len + 3) & ~3u); /* chunks are padded to 4 bytes */
	return 0;
}

/* bpf_loop callbacks, one per hook: each program keeps its own helper */
static long sl_sctp_chunk_xdp(__u32 i, void *cs)
{
	return sl_sctp_chunk(cs, true);
}

static long sl_sctp_chunk_skb(__u32 i, void *cs)
{
	return sl_sctp_chunk(cs, false);
}

/* Walk the chunks of the SCTP packet at p->l4_off into *si (zeroed
 * first); returns si->walk. */
static __always_inline int sl_sctp_walk(void *ctx, bool xdp, const struct sl_pkt *p, __u32 frame_len,
					struct sl_sctp_info *si)
{
	struct sl_sctp_cstate cs = { .ctx = ctx, .si = si };
	__u8 h[12];
	__u32 end;

	__builtin_memset(si, 0, sizeof(*si));
	end = sl_sctp_dgram_end(ctx, xdp, p, frame_len);
	if (end > 0xffff)
		end = 0xffff;
	si->end = end;
	if (p->l4_off + 12 > end || sl_sctp_load(ctx, xdp, p->l4_off, h, 12))
		return si->walk = SL_SCTP_W_TRUNCATED;
	si->vtag = sl_sctp_be32(h + 4);
	cs.off = p->l4_off + 12;
	cs.end = end;
	bpf_loop(SL_SCTP_MAX_CHUNKS, xdp ? sl_sctp_chunk_xdp : sl_sctp_chunk_skb, &cs, 0);
	if (!si->walk && cs.off < end && si->nchunks >= SL_SCTP_MAX_CHUNKS)
		si->walk = SL_SCTP_W_TOO_MANY;
	return si->walk;
}

/* an address as the list functions take it */
struct sl_sctp_addr {
	__u8 ip[16];               /* IPv4 in the first 4 bytes */
	__u8 family;
	__u8 pad[3];
};

/* The list functions are global (non-static, not inlined): the verifier
 * checks each once, not on every path of every caller, which took it past
 * half a million instructions. */

/* the index of an address in a list; SL_SCTP_ADDRS when it has none */
__noinline int sl_sctp_addr_find(const struct sl_sctp_addrs *l, const struct sl_sctp_addr *a)
{
	__u32 n;

	if (!l || !a)
		return SL_SCTP_ADDRS;
	n = l->n;
	for (__u32 i = 0; i < SL_SCTP_ADDRS; i++) {
		const __u64 *x = (const __u64 *)l->addr[i], *y = (const __u64 *)a->ip;

		if (i < n && l->family[i] == a->family && x[0] == y[0] && x[1] == y[1])
			return (int)i;
	}
	return SL_SCTP_ADDRS;
}

/* Add an address to a list unless it has it; beyond SL_SCTP_ADDRS it is
 * counted as dropped. 1 when the list had no room. */
__noinline int sl_sctp_addr_put(struct sl_sctp_addrs *l, const struct sl_sctp_addr *a)
{
	__u32 n;

	if (!l || !a || sl_sctp_addr_find(l, a) < SL_SCTP_ADDRS)
		return 0;
	n = l->n;
	if (n >= SL_SCTP_ADDRS) {
		l->dropped++;
		return 1;
	}
	l->family[n] = a->family;
	__builtin_memcpy(l->addr[n], a->ip, 16);
	l->n = n + 1;
	return 0;
}

/* Remove an address (ASCONF delete IP); 1 when the list had it. The last
 * one takes its place. */
__noinline int sl_sctp_addr_remove(struct sl_sctp_addrs *l, const struct sl_sctp_addr *a)
{
	__u32 last, at;

	if (!l || !a)
		return 0;
	last = l->n - 1;
	at = (__u32)sl_sctp_addr_find(l, a);
	if (at >= SL_SCTP_ADDRS || last >= SL_SCTP_ADDRS)
		return 0;
	/* masks the compiler keeps (it would fold them into the checks above) */
	barrier_var(at);
	barrier_var(last);
	at &= SL_SCTP_ADDRS - 1;
	last &= SL_SCTP_ADDRS - 1;
	l->family[at] = l->family[last];
	__builtin_memcpy(l->addr[at], l->addr[last], 16);
	l->n = last;
	return 1;
}

static __always_inline struct sl_sctp_addr sl_sctp_addr_of(__u8 family, const __u8 *ip)
{
	struct sl_sctp_addr a = { .family = family };

	__builtin_memcpy(a.ip, ip, 16);
	return a;
}

static __always_inline __u32 sl_sctp_addr_index(const struct sl_sctp_addrs *l, __u8 family, const __u8 *ip)
{
	struct sl_sctp_addr a = sl_sctp_addr_of(family, ip);

	return (__u32)sl_sctp_addr_find(l, &a);
}

static __always_inline int sl_sctp_addr_add(struct sl_sctp_addrs *l, __u8 family, const __u8 *ip)
{
	struct sl_sctp_addr a = sl_sctp_addr_of(family, ip);

	return sl_sctp_addr_put(l, &a);
}

static __always_inline int sl_sctp_addr_del(struct sl_sctp_addrs *l, __u8 family, const __u8 *ip)
{
	struct sl_sctp_addr a = sl_sctp_addr_of(family, ip);

	return sl_sctp_addr_remove(l, &a);
}

/* what a parameter walk did */
struct sl_sctp_pres {
	__u8  walk;                /* enum sl_sctp_pwalk */
	__u8  pad;
	__u16 nparams;
	__u32 added, dropped, deleted, bad_addr;
};

/* Read an address parameter (type 5 or 6, its length checked) at off into
 * family/addr; 0 when it is one. */
static __always_inline int sl_sctp_addr_param(void *ctx, bool xdp, __u32 off, __u32 type, __u32 len, __u8 *family,
					      __u8 addr[16])
{
	__builtin_memset(addr, 0, 16);
	if (type == SL_SCTP_P_IPV4 && len == 8) {
		*family = SL_FAMILY_IPV4;
		return sl_sctp_load(ctx, xdp, off + 4, addr, 4) ? -1 : 0;
	}
	if (type == SL_SCTP_P_IPV6 && len == 20) {
		*family = SL_FAMILY_IPV6;
		return sl_sctp_load(ctx, xdp, off + 4, addr, 16) ? -1 : 0;
	}
	return -1;
}

struct sl_sctp_pstate {
	void *ctx;                 /* the program's */
	struct sl_sctp_addrs *l;
	__u32 pos, end;
	bool asconf;
	struct sl_sctp_pres r;
};

/* one parameter at w->pos; 1 ends the walk */
static __always_inline long sl_sctp_param(struct sl_sctp_pstate *w, bool xdp)
{
	struct sl_sctp_pres *r = &w->r;
	__u8 h[4], family, addr[16];
	__u32 type, plen, pos = w->pos;

	if (pos + 4 > w->end)
		return 1; /* done: 0-3 bytes of padding at most */
	if (sl_sctp_load(w->ctx, xdp, pos, h, 4)) {
		r->walk = SL_SCTP_PW_PAST_END;
		return 1;
	}
	type = (h[0] << 8) | h[1];
	plen = (h[2] << 8) | h[3];
	if (plen < 4) {
		r->walk = SL_SCTP_PW_LEN;
		return 1;
	}
	if (pos + plen > w->end) {
		r->walk = SL_SCTP_PW_PAST_END;
		return 1;
	}
	r->nparams++;
	if (!w->asconf && (type == SL_SCTP_P_IPV4 || type == SL_SCTP_P_IPV6)) {
		if (sl_sctp_addr_param(w->ctx, xdp, pos, type, plen, &family, addr))
			r->bad_addr++;
		else if (sl_sctp_addr_add(w->l, family, addr))
			r->dropped++;
		else
			r->added++;
	} else if (w->asconf && (type == SL_SCTP_P_ADD_IP || type == SL_SCTP_P_DEL_IP) && plen >= 16) {
		/* correlation id, then the address parameter */
		__u8 a[4];

		if (sl_sctp_load(w->ctx, xdp, pos + 8, a, 4) ||
		    sl_sctp_addr_param(w->ctx, xdp, pos + 8, (a[0] << 8) | a[1], (a[2] << 8) | a[3], &family, addr) ||
		    8u + ((a[2] << 8) | a[3]) > plen)
			r->bad_addr++;
		else if (type == SL_SCTP_P_DEL_IP)
			r->deleted += sl_sctp_addr_del(w->l, family, addr);
		else if (sl_sctp_addr_add(w->l, family, addr))
			r->dropped++;
		else
			r->added++;
	}
	w->pos = pos + ((plen + 3) & ~3u);
	return 0;
}

static long sl_sctp_param_xdp(__u32 i, void *w)
{
	return sl_sctp_param(w, true);
}

static long sl_sctp_param_skb(__u32 i, void *w)
{
	return sl_sctp_param(w, false);
}

/* Walk the parameters of the chunk at [off, off + len) from its byte
 * `first` on (INIT, INIT-ACK: 20; ASCONF: 8 and its own address
 * parameter), adding IPv4/IPv6 address parameters to `l` (INIT, INIT-ACK)
 * or applying ASCONF add/delete IP to it (asconf). */
static __always_inline void sl_sctp_params(void *ctx, bool xdp, __u32 off, __u32 len, __u32 first, bool asconf,
					   struct sl_sctp_addrs *l, struct sl_sctp_pres *r)
{
	struct sl_sctp_pstate w = { .ctx = ctx, .l = l, .pos = off + first, .end = off + len, .asconf = asconf };
	long n = bpf_loop(SL_SCTP_MAX_PARAMS, xdp ? sl_sctp_param_xdp : sl_sctp_param_skb, &w, 0);

	*r = w.r;
	if (n >= SL_SCTP_MAX_PARAMS && !r->walk && w.pos + 4 <= w.end)
		r->walk = SL_SCTP_PW_TOO_MANY;
}

#endif
