/* A set's entries in the kernel: lookups as the dataplane answers them
 * (expiry, nomatch, the longest live prefix), comments, walks. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "features/sets/sets.h"

int sets_entry_exact(const struct sets_set *s, const void *key, struct sl_set_value *v)
{
	if (bpf_map_lookup_elem(s->map_fd, key, v))
		return 0;
	if (sl_set_class_is_lpm(s->cls)) {
		/* an LPM lookup answers the longest covering prefix: exact only if its own */
		const __u32 *plen = key;
		uint32_t own = v->cidr + (s->cls == SL_CLASS_NETPORT4 || s->cls == SL_CLASS_NETPORT6 ?
					  SL_NETPORT_PREFIX : 0);

		if (own != *plen)
			return 0;
	}
	return 1;
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
	uint32_t base = s->cls == SL_CLASS_NETPORT4 || s->cls == SL_CLASS_NETPORT6 ? SL_NETPORT_PREFIX : 0;
	uint64_t now = sets_now_ns();

	while (!bpf_map_lookup_elem(s->map_fd, key, v)) {
		if (!sets_value_expired(v, now))
			return 1;
		if (v->cidr == 0)
			return 0;
		*plen = base + v->cidr - 1u;
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
	/* a nomatch entry answers "not in the set", unless the test asks for it */
	return !(v.flags & SL_SETV_NOMATCH) || (e->flags & SL_ELEM_F_NOMATCH);
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

/* Walk keys from *cursor (or the start); fn on each. */
static long walk_keys(const struct sets_set *s, void *cursor, bool *valid, long budget,
		      int (*fn)(const struct sets_set *s, const void *key, void *ctx), void *ctx)
{
	uint8_t next[SL_SET_KEY_MAX];
	long n = 0;

	while (budget < 0 || n < budget) {
		if (bpf_map_get_next_key(s->map_fd, *valid ? cursor : NULL, next)) {
			*valid = false;
			break;
		}
		memcpy(cursor, next, sizeof(next));
		*valid = true;
		n++;
		if (fn(s, next, ctx))
			break;
	}
	return n;
}

struct walk_ctx {
	sets_entry_fn fn;
	void *ctx;
	uint64_t now;
	int rc;
};

static int walk_one(const struct sets_set *s, const void *key, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct sl_set_value v;

	if (bpf_map_lookup_elem(s->map_fd, key, &v) || sets_value_expired(&v, w->now))
		return 0;
	w->rc = w->fn(s, key, &v, w->ctx);
	return w->rc;
}

int sets_map_walk(const struct sets_set *s, sets_entry_fn fn, void *ctx)
{
	struct walk_ctx w = { .fn = fn, .ctx = ctx, .now = sets_now_ns() };
	uint8_t cursor[SL_SET_KEY_MAX];
	bool valid = false;

	walk_keys(s, cursor, &valid, -1, walk_one, &w);
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

	sets_map_walk(s, count_one, &n);
	return n;
}
