/* A set's entries in the kernel, in either layout (a map of values, or a
 * plain set's bucket table): lookups as the dataplane answers them (expiry,
 * nomatch, the longest live prefix), adds and deletes with ipset's "hash
 * is full", comments, walks, copies. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
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

int sets_entry_test(const struct sets_set *s, const struct sl_set_elem *e)
{
	uint8_t key[SL_SET_KEY_MAX];
	struct sl_set_value v;
	bool host = e->cidr == (e->family == SL_FAMILY_IPV6 ? 128 : 32);
	int hit;

	sets_elem_key(s, e, key);
	if (sl_set_class_is_lpm(s->cls) && host)
		hit = lpm_host_lookup(s, key, &v);
	else
		hit = sets_entry_get(s, key, &v);
	if (!hit)
		return 0;
	/* a nomatch entry answers "not in the set"; a test with nomatch asks
	 * the other question, as ipset's: is what matches a nomatch entry? */
	return !(v.flags & SL_SETV_NOMATCH) == !(e->flags & SL_ELEM_F_NOMATCH);
}

static int full_fail(const struct sets_set *s, struct sl_error *err)
{
	return sl_fail(err, SL_E_KERNEL, 0, "set %s: hash is full, cannot add more elements (maxelem %u)",
		       s->spec.name, s->spec.maxelem);
}

int sets_entry_put(struct sets_set *s, const void *key, const struct sl_set_value *v, struct sl_error *err)
{
	uint8_t raw[sizeof(struct sl_set_value)];

	if (sl_set_class_is_ptab(s->cls)) {
		if (!sets_ptab_insert(&s->pt, s->map_fd, key, sets_capacity(&s->spec)))
			return 0;
	} else {
		sets_value_encode(s->cls, v, raw);
		if (!bpf_map_update_elem(s->map_fd, key, raw, BPF_ANY))
			return 0;
		if (errno == E2BIG && (s->spec.flags & SL_SET_F_TIMEOUT)) {
			/* ipset makes room by collecting expired entries first */
			sets_collect_all(s);
			if (!bpf_map_update_elem(s->map_fd, key, raw, BPF_ANY))
				return 0;
		}
	}
	if (errno == E2BIG || errno == ENOSPC)
		return full_fail(s, err);
	return sl_fail(err, SL_E_KERNEL, 0, "set %s: %s", s->spec.name, strerror(errno));
}

int sets_entries_put(struct sets_set *s, const uint8_t *keys, const struct sl_set_value *vals, uint32_t n,
		     uint32_t *done, struct sl_error *err)
{
	size_t ks = (size_t)sets_key_size(s);
	bool collected = false;

	*done = 0;
	if (sl_set_class_is_lpm(s->cls)) {
		/* no batch operations on LPM tries: one at a time */
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

int sets_comment_get(const struct sets_set *s, const void *key, char *out, size_t size)
{
	struct sl_set_comment c;

	if (s->cmt_fd < 0 || bpf_map_lookup_elem(s->cmt_fd, key, &c))
		return -1;
	c.text[sizeof(c.text) - 1] = '\0';
	snprintf(out, size, "%s", c.text);
	return 0;
}

void sets_comment_put(const struct sets_set *s, const void *key, const struct sl_set_elem *e)
{
	char text[SL_SET_COMMENT_MAX + 1] = "";

	if (s->cmt_fd < 0)
		return;
	if (!(e->flags & SL_ELEM_F_COMMENT)) {
		bpf_map_delete_elem(s->cmt_fd, key);
		return;
	}
	snprintf(text, sizeof(text), "%s", e->comment);
	if (bpf_map_update_elem(s->cmt_fd, key, text, BPF_ANY))
		sl_warn("set %s: comment not kept: %s", s->spec.name, strerror(errno));
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
	char comment[SL_SET_COMMENT_MAX + 1];

	if (sets_entry_put(c->to, key, v, c->err))
		return -1;
	if (c->to->cmt_fd >= 0 && !sets_comment_get(from, key, comment, sizeof(comment)))
		bpf_map_update_elem(c->to->cmt_fd, key, comment, BPF_ANY);
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
