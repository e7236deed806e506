/* list:set, ipset's set of sets: its members by name, in order, kept in
 * memory while a transaction builds the next generation and written into
 * the bank of that generation by the commit (include/sluice/sets.h). A
 * rule on a list is compiled into one entry per member (hooks.c), so an
 * add or del on a list is a transaction that rebuilds the programs of its
 * rules. Every answer below was measured on the kernel's ipset (7.17, the
 * kernel's list:set revision 3): tests/netns/ipset_diff.cmds. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "features/sets/sets.h"

static bool member_live(const struct sl_set_lmember *m, uint64_t now)
{
	return !m->expires_ns || m->expires_ns > now;
}

/* Members that ran out leave the list (the kernel's set_cleanup_entries
 * before an add or del). */
static void drop_expired(struct sl_set_list *l)
{
	uint64_t now = sets_now_ns();
	uint32_t k = 0;

	for (uint32_t i = 0; i < l->n; i++)
		if (member_live(&l->m[i], now))
			l->m[k++] = l->m[i];
	l->n = k;
}

static int position(const struct sl_set_list *l, const char *name)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (!strncmp(l->m[i].name, name, sizeof(l->m[i].name)))
			return (int)i;
	return -1;
}

/* Whether the member at `pos` stands right before (before > 0) or right
 * after (before < 0) `ref`. */
static bool next_to(const struct sl_set_list *l, int pos, int8_t before, const char *ref)
{
	int at = pos + (before > 0 ? 1 : -1);

	return at >= 0 && (uint32_t)at < l->n && !strncmp(l->m[at].name, ref, sizeof(l->m[at].name));
}

int sets_list_alloc(struct sets_set *s)
{
	s->list = calloc(1, sizeof(*s->list));
	s->list_committed = calloc(1, sizeof(*s->list_committed));
	return s->list && s->list_committed ? 0 : -1;
}

void sets_list_free(struct sets_set *s)
{
	free(s->list);
	free(s->list_committed);
	s->list = s->list_committed = NULL;
}

bool sets_list_holds(const struct sl_set_list *l, const char *name)
{
	int pos = l ? position(l, name) : -1;

	return pos >= 0 && member_live(&l->m[pos], sets_now_ns());
}

int sets_list_holders(const struct sets_catalog *c, const char *name)
{
	int n = 0;

	for (int i = 0; i < c->nsets; i++)
		n += sets_list_holds(c->set[i]->list, name);
	return n;
}

static void member_put(const struct sl_set_spec *spec, struct sl_set_lmember *m, const struct sl_set_elem *e,
		       bool readd)
{
	struct sets_set s = { .spec = *spec }; /* what sets_entry_value reads */
	struct sl_set_value v;

	sets_entry_value(&s, e, &v);
	if (readd && !(e->flags & (SL_ELEM_F_PACKETS | SL_ELEM_F_BYTES))) {
		/* a re-add (-exist) keeps the counters, as the kernel does */
		v.packets = m->packets;
		v.bytes = m->bytes;
	}
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", e->setname);
	m->expires_ns = v.expires_ns;
	m->packets = v.packets;
	m->bytes = v.bytes;
	if (spec->flags & SL_SET_F_SKBINFO)
		m->skb = e->skb;
	if ((spec->flags & SL_SET_F_COMMENT) && (e->flags & SL_ELEM_F_COMMENT))
		snprintf(m->comment, sizeof(m->comment), "%s", e->comment);
}

static int ref_not_added(const struct sl_set_spec *s, const struct sl_set_elem *e, struct sl_error *err)
{
	return sl_fail(err, SL_E_USAGE, 0,
		       "the set to which you referred with 'before' or 'after' is not added to the set: %s (set %s)",
		       e->refname, s->name);
}

static int del_member(struct sl_set_list *l, const struct sl_set_spec *s, const struct sl_set_elem *e, bool exist,
		      struct sl_error *err)
{
	int pos = position(l, e->setname);

	if (pos < 0) {
		if (e->before) /* the kernel's check of the place comes first */
			return ref_not_added(s, e, err);
		return exist ? 0 : sl_fail(err, SL_E_USAGE, 0,
					   "element cannot be deleted from the set: it's not added: %s (set %s)",
					   e->setname, s->name);
	}
	if (e->before && !next_to(l, pos, e->before, e->refname))
		return ref_not_added(s, e, err);
	memmove(&l->m[pos], &l->m[pos + 1], (l->n - (uint32_t)pos - 1) * sizeof(l->m[0]));
	l->n--;
	return 0;
}

static int add_member(struct sl_set_list *l, const struct sl_set_spec *s, const struct sl_set_elem *e, bool exist,
		      struct sl_error *err)
{
	int pos = position(l, e->setname), ref = e->before ? position(l, e->refname) : -1;
	uint32_t at;

	/* the kernel's walk takes a member for itself before it takes it for the
	 * reference: `a before a` names no member */
	if (e->before && (ref < 0 || ref == pos))
		return ref_not_added(s, e, err);
	if (pos >= 0) { /* the member stays where it is */
		if (!exist)
			return sl_fail(err, SL_E_USAGE, 0, "element cannot be added to the set: it's already added: %s (set %s)",
				       e->setname, s->name);
		member_put(s, &l->m[pos], e, true);
		return 0;
	}
	if (l->n == SL_SET_LIST_MAX)
		return sl_fail(err, SL_E_USAGE, 0, "set %s: a list:set holds at most %d sets in sluice", s->name,
			       SL_SET_LIST_MAX);
	at = !e->before ? l->n : e->before > 0 ? (uint32_t)ref : (uint32_t)ref + 1;
	memmove(&l->m[at + 1], &l->m[at], (l->n - at) * sizeof(l->m[0]));
	l->n++;
	member_put(s, &l->m[at], e, false);
	return 0;
}

int sets_list_change(struct sl_set_list *l, const struct sl_set_spec *spec, sl_set_lookup_fn lookup, void *ctx,
		     enum sl_set_cmd cmd, const struct sl_set_elem *e, bool exist, struct sl_error *err)
{
	const struct sl_set_spec *m = lookup(e->setname, ctx);

	/* the kernel's order: the member, its type, the reference */
	if (!m)
		return sl_fail(err, SL_E_USAGE, 0, "set to be added/deleted/tested as element does not exist: %s",
			       e->setname);
	if (sl_set_types[m->type].list)
		return sl_fail(err, SL_E_USAGE, 0, "sets with list:set type cannot be added to the set: %s", e->setname);
	if (e->refname[0] && !lookup(e->refname, ctx))
		return sl_fail(err, SL_E_USAGE, 0,
			       "the set to which you referred with 'before' or 'after' does not exist: %s", e->refname);
	drop_expired(l);
	return cmd == SL_SETCMD_DEL ? del_member(l, spec, e, exist, err) : add_member(l, spec, e, exist, err);
}

int sets_list_adt(struct sets_catalog *c, struct sets_set *s, enum sl_set_cmd cmd, const struct sl_set_elem *e,
		  bool exist, struct sl_error *err)
{
	return sets_list_change(s->list, &s->spec, sets_lookup_spec, c, cmd, e, exist, err);
}

int sets_list_test(const struct sets_set *s, const struct sl_set_elem *e)
{
	struct sl_set_list live = { 0 };
	uint64_t now = sets_now_ns();
	int pos;

	for (uint32_t i = 0; i < s->list->n; i++)
		if (member_live(&s->list->m[i], now))
			live.m[live.n++] = s->list->m[i];
	pos = position(&live, e->setname);
	if (pos < 0)
		return 0;
	return !e->before || next_to(&live, pos, e->before, e->refname);
}

/* --- listing: members as entries (sets_map_walk) --------------------------------------- */

int sets_list_walk(const struct sets_set *s, sets_entry_fn fn, void *ctx)
{
	uint64_t now = sets_now_ns();
	int rc = 0;

	for (uint32_t i = 0; i < s->list->n && !rc; i++) {
		const struct sl_set_lmember *m = &s->list->m[i];
		struct sl_set_value v = { .expires_ns = m->expires_ns, .packets = m->packets, .bytes = m->bytes };

		if (member_live(m, now))
			rc = fn(s, m, &v, ctx);
	}
	return rc;
}

void sets_list_elem(const struct sl_set_lmember *m, struct sl_set_elem *e)
{
	snprintf(e->setname, sizeof(e->setname), "%s", m->name);
	snprintf(e->comment, sizeof(e->comment), "%s", m->comment);
	if (e->comment[0])
		e->flags |= SL_ELEM_F_COMMENT;
	e->skb = m->skb;
}

/* --- the banks ---------------------------------------------------------------------- */

int sets_list_store(const struct sets_set *s, int bank, struct sl_error *err)
{
	uint32_t key = (uint32_t)bank;

	if (bpf_map_update_elem(s->map_fd, &key, s->list, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "set %s: cannot write its members: %s", s->spec.name, strerror(errno));
	return 0;
}

int sets_list_load(struct sets_set *s, int bank)
{
	uint32_t key = (uint32_t)bank;

	if (bpf_map_lookup_elem(s->map_fd, &key, s->list))
		return -1;
	if (s->list->n > SL_SET_LIST_MAX)
		s->list->n = SL_SET_LIST_MAX;
	*s->list_committed = *s->list;
	return 0;
}

void sets_lists_settle(const struct sets_catalog *c, bool commit)
{
	for (int i = 0; i < c->nsets; i++) {
		struct sets_set *s = c->set[i];

		if (!s->list)
			continue;
		if (commit)
			*s->list_committed = *s->list;
		else
			*s->list = *s->list_committed;
	}
}
