/* A set's entries in the kernel, in either layout (a map of values, or a
 * plain set's bucket table): lookups as the dataplane answers them (expiry,
 * nomatch, the longest live prefix), adds and deletes with ipset's "hash
 * is full", comments, walks, copies. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "features/sets/sets.h"

/* `key`'s entry as the map holds it, in any layout: 1 found, 0 not */
static int lookup(const struct sets_set *s, const void *key, struct sl_set_value *v)
{
	uint8_t raw[sizeof(struct sl_set_value)];

	if (sl_set_class_is_ptab(s->cls)) {
		memset(v, 0, sizeof(*v));
		return sets_ptab_find(&s->pt, s->map_fd, key) > 0;
	}
	if (bpf_map_lookup_elem(s->map_fd, key, raw))
		return 0;
	sets_value_decode(s->cls, raw, v);
	return 1;
}

int sets_entry_exact(const struct sets_set *s, const void *key, struct sl_set_value *v)
{
	if (!lookup(s, key, v))
		return 0;
	/* an LPM lookup answers the longest covering prefix: exact only if its own */
	return !sl_set_class_is_lpm(s->cls) || v->cidr + sl_set_lpm_base(s->cls) == *(const __u32 *)key;
}

int sets_entry_get(const struct sets_set *s, const void *key, struct sl_set_value *v)
{
	return sets_entry_exact(s, key, v) && !sets_value_expired(v, sets_now_ns());
}

/* The longest live prefix covering a host key, as the dataplane finds it:
 * expired entries are skipped for shorter ones. */
static int lpm_host_lookup(const struct sets_set *s, void *key, struct sl_set_value *v)
{
	__u32 *plen = key;
	uint64_t now = sets_now_ns();

	while (lookup(s, key, v)) {
		if (!sets_value_expired(v, now))
			return 1;
		if (v->cidr == 0)
			return 0;
		*plen = sl_set_lpm_base(s->cls) + v->cidr - 1u;
	}
	return 0;
}

static bool is_netiface(const struct sets_set *s)
{
	return s->cls == SL_CLASS_NETIFACE4 || s->cls == SL_CLASS_NETIFACE6;
}

/* hash:net,iface: the live entry the kernel takes as equal to e
 * (hash_netiface4_data_equal): the same net and physdev, and an entry
 * without wildcard of the same name or one with wildcard whose name starts
 * e's. With `walk` (a test of a host), the longest live prefix covering
 * e's address, as the kernel tries every prefix of the set; else e's own
 * prefix. An entry of the name itself wins a tie, then the longer
 * wildcard. Its key into key_out. */
static int netiface_find(const struct sets_set *s, const struct sl_set_elem *e, bool walk, uint8_t *key_out,
			 struct sl_set_value *v_out)
{
	size_t len = strnlen(e->iface, SL_IFACE_LEN);
	int best = -1;

	for (size_t n = len + 1; n-- > 0;) {
		for (int wild = n < len; wild < 2; wild++) { /* a shorter name: wildcards only */
			struct sl_set_elem c = *e;
			uint8_t key[SL_SET_KEY_MAX];
			struct sl_set_value v;

			c.flags = (c.flags & ~(unsigned)SL_ELEM_F_WILDCARD) | (wild ? SL_ELEM_F_WILDCARD : 0);
			memset(c.iface + n, 0, sizeof(c.iface) - n);
			sets_elem_key(s, &c, key);
			if (!(walk ? lpm_host_lookup(s, key, &v) : sets_entry_get(s, key, &v)) || (int)v.cidr <= best)
				continue;
			best = v.cidr;
			*v_out = v;
			c.cidr = v.cidr;
			sl_set_mask_cidr(c.addr, v.cidr);
			sets_elem_key(s, &c, key_out);
		}
	}
	return best >= 0;
}

/* hash:net,net, a test of two hosts (hash_netnet4's test of every size
 * pair): each first prefix, longest first, with the longest live second
 * net of its entries; the first found answers */
static int netnet_host_find(const struct sets_set *s, const struct sl_set_elem *e, struct sl_set_value *v)
{
	int bits = e->family == SL_FAMILY_IPV6 ? 128 : 32;

	for (int c = bits; c >= 1; c--) {
		struct sl_set_elem k = *e;
		uint8_t key[SL_SET_KEY_MAX];

		k.cidr = (uint8_t)c;
		sl_set_mask_cidr(k.addr, c);
		sets_elem_key(s, &k, key);
		if (lpm_host_lookup(s, key, v))
			return 1;
	}
	return 0;
}

int sets_entry_equal(const struct sets_set *s, const struct sl_set_elem *e, void *key, struct sl_set_value *v)
{
	sets_elem_key(s, e, key);
	if (is_netiface(s))
		return netiface_find(s, e, false, key, v);
	return sets_entry_get(s, key, v);
}

int sets_entry_test(const struct sets_set *s, const struct sl_set_elem *e)
{
	uint8_t key[SL_SET_KEY_MAX];
	struct sl_set_value v;
	bool host = e->cidr == (e->family == SL_FAMILY_IPV6 ? 128 : 32);
	int hit;

	sets_elem_key(s, e, key);
	if (is_netiface(s))
		hit = netiface_find(s, e, host, key, &v);
	else if (s->spec.type == SL_SET_HASH_NET_NET) /* a net on either side: that entry only */
		hit = host && e->cidr2 == e->cidr ? netnet_host_find(s, e, &v) : sets_entry_get(s, key, &v);
	else if (sl_set_class_is_lpm(s->cls) && host)
		hit = lpm_host_lookup(s, key, &v);
	else
		hit = sets_entry_get(s, key, &v);
	if (!hit)
		return 0;
	/* bitmap:ip,mac: an address alone, or an entry without a MAC yet, is
	 * in (the kernel answers -EAGAIN, "in", to userspace) */
	if (s->cls == SL_CLASS_IPMAC4)
		return !(e->flags & SL_ELEM_F_MAC) || !(v.flags & SL_SETV_MAC) || !memcmp(v.mac, e->mac, sizeof(v.mac));
	/* a nomatch entry answers "not in the set"; a test with nomatch asks
	 * the other question, as ipset's: is what matches a nomatch entry? */
	return !(v.flags & SL_SETV_NOMATCH) == !(e->flags & SL_ELEM_F_NOMATCH);
}

static int full_fail(const struct sets_set *s, struct sl_error *err)
{
	return sl_fail(err, SL_E_KERNEL, 0, "set %s: hash is full, cannot add more elements (maxelem %u)",
		       s->spec.name, s->spec.maxelem);
}

/* forceadd's victim: the entry a walk meets after skipping a random
 * 0..63 (the last if there are fewer), so a choice costs at most 64 steps */
struct victim {
	long skip;
	size_t key_size;
	bool found;
	uint8_t key[SL_SET_KEY_MAX];
};

static int victim_one(const struct sets_set *s, const void *key, const struct sl_set_value *v, void *ctx)
{
	struct victim *vi = ctx;

	(void)s, (void)v;
	memcpy(vi->key, key, vi->key_size);
	vi->found = true;
	return vi->skip-- <= 0;
}

/* A full forceadd set makes room for a new entry, as ipset's hash types
 * do: an existing entry goes (and its comment). 0, or -1 if it is empty. */
static int evict_one(struct sets_set *s)
{
	struct victim vi = { .skip = random() % 64, .key_size = (size_t)sets_key_size(s) };

	sets_map_walk(s, victim_one, &vi);
	if (!vi.found)
		return -1;
	sets_entry_del(s, vi.key);
	return 0;
}

static int put_once(struct sets_set *s, const void *key, const struct sl_set_value *v)
{
	uint8_t raw[sizeof(struct sl_set_value)];

	if (sl_set_class_is_ptab(s->cls))
		return sets_ptab_insert(&s->pt, s->map_fd, key, sets_capacity(&s->spec));
	sets_value_encode(s->cls, v, raw);
	return bpf_map_update_elem(s->map_fd, key, raw, BPF_ANY);
}

int sets_entry_put(struct sets_set *s, const void *key, const struct sl_set_value *v, struct sl_error *err)
{
	int e;

	if (!put_once(s, key, v))
		return 0;
	if (errno == E2BIG && (s->spec.flags & SL_SET_F_TIMEOUT) && !sl_set_class_is_ptab(s->cls)) {
		/* ipset makes room by collecting expired entries first */
		sets_collect_all(s);
		if (!put_once(s, key, v))
			return 0;
	}
	/* maxelem entries: E2BIG, or an LPM trie's ENOSPC (a bucket table's
	 * ENOSPC, a key it cannot place, is no full set: nothing to evict for) */
	if ((errno == E2BIG || (errno == ENOSPC && !sl_set_class_is_ptab(s->cls))) &&
	    (s->spec.flags & SL_SET_F_FORCEADD)) {
		e = errno;
		if (!evict_one(s) && !put_once(s, key, v))
			return 0;
		errno = e;
	}
	e = errno;
	if (e == E2BIG || e == ENOSPC)
		return full_fail(s, err);
	return sl_fail(err, SL_E_KERNEL, 0, "set %s: %s", s->spec.name, strerror(e));
}

int sets_entries_put(struct sets_set *s, const uint8_t *keys, const struct sl_set_value *vals, uint32_t n,
		     uint32_t *done, struct sl_error *err)
{
	size_t ks = (size_t)sets_key_size(s);
	bool collected = false;

	*done = 0;
	if (sl_set_class_is_lpm(s->cls) || (s->spec.flags & SL_SET_F_FORCEADD)) {
		/* no batch operations on LPM tries, and forceadd evicts per entry:
		 * one at a time */
		for (; *done < n; ++*done)
			if (sets_entry_put(s, keys + *done * ks, &vals[*done], err))
				return -1;
		return 0;
	}
	if (sl_set_class_is_ptab(s->cls)) {
		if (!sets_ptab_insert_many(&s->pt, s->map_fd, keys, n, sets_capacity(&s->spec), done))
			return 0;
		return errno == E2BIG || errno == ENOSPC ? full_fail(s, err)
			: sl_fail(err, SL_E_KERNEL, 0, "set %s: %s", s->spec.name, strerror(errno));
	}
	while (*done < n) {
		/* the values are struct sl_set_value, the layout of these maps */
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		uint32_t count = n - *done;
		int rc = bpf_map_update_batch(s->map_fd, keys + *done * ks, &vals[*done], &count, &o);

		*done += count; /* written before the refused one */
		if (!rc)
			break;
		if (errno == E2BIG && (s->spec.flags & SL_SET_F_TIMEOUT) && !collected) {
			sets_collect_all(s); /* make room, as ipset does */
			collected = true;
		} else if (errno == E2BIG || errno == ENOSPC) {
			return full_fail(s, err);
		} else {
			return sl_fail(err, SL_E_KERNEL, 0, "set %s: %s", s->spec.name, strerror(errno));
		}
	}
	return 0;
}

void sets_entry_del(struct sets_set *s, const void *key)
{
	if (sl_set_class_is_ptab(s->cls))
		sets_ptab_delete(&s->pt, s->map_fd, key);
	else
		bpf_map_delete_elem(s->map_fd, key);
	if (s->cmt_fd >= 0)
		bpf_map_delete_elem(s->cmt_fd, key);
}

int sets_comment_get(const struct sets_set *s, const void *key, struct sl_set_comment *out)
{
	if (s->cmt_fd < 0 || bpf_map_lookup_elem(s->cmt_fd, key, out))
		return -1;
	out->text[sizeof(out->text) - 1] = '\0';
	return 0;
}

void sets_comment_put(const struct sets_set *s, const void *key, const struct sl_set_elem *e)
{
	struct sl_set_comment c;

	if (s->cmt_fd < 0)
		return;
	memset(&c, 0, sizeof(c));
	if (e->flags & SL_ELEM_F_COMMENT)
		snprintf(c.text, sizeof(c.text), "%s", e->comment);
	if (s->spec.flags & SL_SET_F_SKBINFO)
		c.skb = e->skb;
	/* nothing to keep: no side entry, as for an entry never given one */
	if (!c.text[0] && !c.skb.mark && !c.skb.mask && !c.skb.prio && !c.skb.queue) {
		bpf_map_delete_elem(s->cmt_fd, key);
		return;
	}
	if (bpf_map_update_elem(s->cmt_fd, key, &c, BPF_ANY))
		sl_warn("set %s: comment or skbinfo not kept: %s", s->spec.name, strerror(errno));
}

/* --- walks ------------------------------------------------------------------------------ */

struct walk_ctx {
	const struct sets_set *s;
	sets_entry_fn fn;
	void *ctx;
	uint64_t now;
	int rc;
};

static int walk_one(const void *key, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct sl_set_value v;

	if (!lookup(w->s, key, &v) || sets_value_expired(&v, w->now))
		return 0;
	w->rc = w->fn(w->s, key, &v, w->ctx);
	return w->rc;
}

static int ptab_one(const void *key, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct sl_set_value v = { 0 }; /* a plain entry has no value */

	w->rc = w->fn(w->s, key, &v, w->ctx);
	return w->rc;
}

int sets_map_walk(const struct sets_set *s, sets_entry_fn fn, void *ctx)
{
	struct walk_ctx w = { .s = s, .fn = fn, .ctx = ctx, .now = sets_now_ns() };
	uint8_t key[SL_SET_KEY_MAX], next[SL_SET_KEY_MAX];
	bool first = true;

	if (s->list)
		return sets_list_walk(s, fn, ctx);
	if (sl_set_class_is_ptab(s->cls)) {
		sets_ptab_walk(&s->pt, s->map_fd, ptab_one, &w);
		return w.rc;
	}
	while (!bpf_map_get_next_key(s->map_fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, sizeof(key));
		if (walk_one(key, &w))
			break;
	}
	return w.rc;
}

static int count_one(const struct sets_set *s, const void *key, const struct sl_set_value *v, void *ctx)
{
	(void)s, (void)key, (void)v;
	++*(long *)ctx;
	return 0;
}

long sets_map_entries(const struct sets_set *s)
{
	long n = 0;

	if (sl_set_class_is_ptab(s->cls))
		return sets_ptab_count(&s->pt, s->map_fd);
	sets_map_walk(s, count_one, &n);
	return n;
}

struct copy_ctx {
	struct sets_set *to;
	struct sl_error *err;
};

static int copy_one(const struct sets_set *from, const void *key, const struct sl_set_value *v, void *ctx)
{
	struct copy_ctx *c = ctx;
	struct sl_set_comment side;

	if (sets_entry_put(c->to, key, v, c->err))
		return -1;
	if (c->to->cmt_fd >= 0 && !sets_comment_get(from, key, &side))
		bpf_map_update_elem(c->to->cmt_fd, key, &side, BPF_ANY);
	return 0;
}

int sets_entries_copy(const struct sets_set *from, struct sets_set *to, struct sl_error *err)
{
	struct copy_ctx c = { to, err };

	if (sl_set_class_is_ptab(from->cls) && from->cls == to->cls) {
		if (sets_ptab_copy_into(&from->pt, from->map_fd, &to->pt, to->map_fd, sets_capacity(&to->spec)))
			return sl_fail(err, SL_E_KERNEL, 0, "set %s: copying: %s", from->spec.name, strerror(errno));
		return 0;
	}
	return sets_map_walk(from, copy_one, &c) ? -1 : 0;
}

int sets_entries_hold(struct sets_set *s, bool empty, struct sl_error *err)
{
	if (sl_set_class_is_ptab(s->cls) && sets_ptab_hold(&s->pt, s->map_fd, empty))
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: reading its table: %s", s->spec.name, strerror(errno));
	return 0;
}

int sets_entries_sync(struct sets_set *s, struct sl_error *err)
{
	if (!sl_set_class_is_ptab(s->cls) || !s->pt.mem)
		return 0;
	if (sets_ptab_sync(&s->pt, s->map_fd))
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: writing its table: %s", s->spec.name, strerror(errno));
	sets_ptab_release(&s->pt);
	return 0;
}
