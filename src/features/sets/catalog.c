/* ipset's commands on a catalog of sets, with ipset's answers. Each command
 * changes everything it names or nothing: adds are checked before the
 * first write and undone if the kernel refuses one midway. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "lib/setref.h"
#include "features/sets/sets.h"

struct sets_set *sets_find(const struct sets_catalog *c, const char *name)
{
	for (int i = 0; i < c->nsets; i++)
		if (!strcmp(c->set[i]->spec.name, name))
			return c->set[i];
	return NULL;
}

const struct sl_set_spec *sets_lookup_spec(const char *name, void *catalog)
{
	struct sets_set *s = sets_find(catalog, name);

	return s ? &s->spec : NULL;
}

int sets_no_set(const char *name, struct sl_error *err)
{
	return sl_fail(err, SL_E_USAGE, 0, "the set with the given name does not exist: %s", name);
}

/* the kernel compares the mask a set applies: netmask 24 is bitmask 255.255.255.0 */
static bool same_mask(const struct sl_set_spec *a, const struct sl_set_spec *b)
{
	uint8_t ma[16], mb[16];
	bool ha = sl_set_spec_mask(a, ma), hb = sl_set_spec_mask(b, mb);

	return ha == hb && !memcmp(ma, mb, sizeof(ma));
}

bool sets_specs_equal(const struct sl_set_spec *a, const struct sl_set_spec *b)
{
	unsigned mask = ~(unsigned)(SL_SET_F_EXIST | SL_SET_F_BUCKETSIZE | SL_SET_F_INITVAL | SL_SET_F_NETMASK |
				    SL_SET_F_BITMASK);

	/* the kernel's same_set: a hash set's family and hashsize are not
	 * compared (measured: `-exist create h hash:ip family inet6 hashsize
	 * 4096` on an inet hash:ip of 1024 succeeds, and the set stays) */
	return a->type == b->type && (a->flags & mask) == (b->flags & mask) &&
	       a->maxelem == b->maxelem && a->timeout == b->timeout &&
	       a->range_from == b->range_from && a->range_to == b->range_to && same_mask(a, b) &&
	       a->markmask == b->markmask;
}

int sets_cmd_create(struct sets_priv *p, struct sets_catalog *c, const struct sl_set_spec *spec, bool exist,
		    struct sl_error *err)
{
	struct sets_set *s = sets_find(c, spec->name);

	if (s) {
		/* ipset: -exist accepts a set that is already there, if it is the same */
		if (exist && sets_specs_equal(&s->spec, spec))
			return 0;
		return sl_fail(err, SL_E_USAGE, 0, "set cannot be created: set with the same name already exists: %s",
			       spec->name);
	}
	if (c->nsets == SL_SET_SLOTS)
		return sl_fail(err, SL_E_USAGE, 0, "set cannot be created: %d sets exist", SL_SET_SLOTS);
	if (sets_map_create(p, spec, &s, err))
		return -1;
	c->set[c->nsets++] = s;
	return 0;
}

/* what an add changed, so it can be undone */
struct undo {
	uint8_t key[SL_SET_KEY_MAX];
	bool had;                       /* the key was there (and was overwritten) */
	bool had_comment;
	struct sl_set_value old;
	struct sl_set_comment comment;  /* the side entry (comment, skbinfo) */
};

static bool in_range(const struct sets_set *s, const struct sl_set_elem *e)
{
	if (s->spec.type == SL_SET_BITMAP_PORT)
		return e->port >= s->spec.range_from && e->port <= s->spec.range_to;
	return sl_set_ip_in_range(&s->spec, e);
}

static int element_text_fail(const struct sets_set *s, const struct sl_set_elem *e, const char *what,
			     struct sl_error *err)
{
	char text[SL_SET_LINE_MAX];

	if (sl_set_elem_format(&s->spec, e, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	return sl_fail(err, SL_E_USAGE, 0, "%s: %s (set %s)", what, text, s->spec.name);
}

/* bitmap:ip,mac: an add with a MAC of an entry that has none fills it in
 * (bitmap_ipmac_do_add), which is no "already added" */
static bool fills_mac(const struct sets_set *s, const struct sl_set_value *old, const struct sl_set_elem *e)
{
	return s->cls == SL_CLASS_IPMAC4 && !(old->flags & SL_SETV_MAC) && (e->flags & SL_ELEM_F_MAC);
}

/* bitmap:ip,mac: what a re-add of a live entry keeps, as the kernel's:
 * its MAC when none is given, and when a MAC fills in a pending entry,
 * the timeout stored with it unless another one is given (the kernel
 * compares the value with the set's default) */
static void ipmac_readd(const struct sets_set *s, const struct sl_set_value *old, struct sl_set_elem *e)
{
	if (s->cls != SL_CLASS_IPMAC4)
		return;
	if (fills_mac(s, old, e) && (old->flags & SL_SETV_PENDING) &&
	    (!(e->flags & SL_ELEM_F_TIMEOUT) || e->timeout == s->spec.timeout)) {
		e->timeout = (uint32_t)(old->expires_ns / 1000000000ull);
		e->flags |= SL_ELEM_F_TIMEOUT;
	}
	if (!(e->flags & SL_ELEM_F_MAC) && (old->flags & SL_SETV_MAC)) {
		memcpy(e->mac, old->mac, sizeof(e->mac));
		e->flags |= SL_ELEM_F_MAC;
	}
}

/* The first pass of add (adding) and del: refuse before anything is
 * written. Without -exist, an add of a live entry and a del of an absent
 * one are refused, as ipset refuses them. */
static int check_entries(const struct sets_set *s, const struct sl_set_elem *pat, bool exist, bool adding,
			 struct sl_error *err)
{
	struct sl_set_iter it;
	struct sl_set_elem e;

	if (sl_set_expand_init(&it, &s->spec, pat, 0, err))
		return -1;
	while (sl_set_expand_next(&it, &e)) {
		uint8_t key[SL_SET_KEY_MAX];
		struct sl_set_value v;

		if (!in_range(s, &e))
			return element_text_fail(s, &e, "element is out of the range of the set", err);
		if (!exist && sets_entry_equal(s, &e, key, &v) == adding && !(adding && fills_mac(s, &v, &e)))
			return element_text_fail(s, &e,
						 adding ? "element cannot be added to the set: it's already added"
							: "element cannot be deleted from the set: it's not added",
						 err);
	}
	return 0;
}

static int add_entries(struct sets_set *s, const struct sl_set_elem *pat, bool exist, struct sl_error *err)
{
	struct sl_set_iter it;
	struct sl_set_elem e;
	struct undo *undo;
	size_t n = 0;
	int rc = -1;

	if (sl_set_expand_init(&it, &s->spec, pat, 0, err))
		return -1;
	if (check_entries(s, pat, exist, true, err))
		return -1;
	undo = calloc((size_t)it.count ? (size_t)it.count : 1, sizeof(*undo));
	if (!undo)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	sl_set_expand_init(&it, &s->spec, pat, 0, err);
	while (sl_set_expand_next(&it, &e)) {
		struct undo *u = &undo[n];
		struct sl_set_value v;

		/* the entry ipset takes as equal keeps its key (hash:net,iface: a
		 * wildcard's name), as the kernel overwrites its extensions only */
		if (!sets_entry_equal(s, &e, u->key, &v))
			sets_elem_key(s, &e, u->key);
		u->had = sets_entry_exact(s, u->key, &u->old);
		u->had_comment = !sets_comment_get(s, u->key, &u->comment);
		if (u->had && !sets_value_expired(&u->old, sets_now_ns()))
			ipmac_readd(s, &u->old, &e);
		sets_entry_value(s, &e, &v);
		if (u->had && !sets_value_expired(&u->old, sets_now_ns())) {
			/* a re-add (-exist) keeps each counter not given, as ipset does */
			if (!(e.flags & SL_ELEM_F_PACKETS))
				v.packets = u->old.packets;
			if (!(e.flags & SL_ELEM_F_BYTES))
				v.bytes = u->old.bytes;
		}
		if (sets_entry_put(s, u->key, &v, err))
			goto undo_all;
		n++;
		sets_comment_put(s, u->key, &e);
	}
	rc = 0;
	goto out;
undo_all:
	while (n-- > 0) {
		struct sl_error ignored = { 0 };

		if (undo[n].had)
			sets_entry_put(s, undo[n].key, &undo[n].old, &ignored);
		else
			sets_entry_del(s, undo[n].key);
		if (s->cmt_fd < 0)
			continue;
		if (undo[n].had_comment)
			bpf_map_update_elem(s->cmt_fd, undo[n].key, &undo[n].comment, BPF_ANY);
		else
			bpf_map_delete_elem(s->cmt_fd, undo[n].key);
	}
out:
	free(undo);
	return rc;
}

static int del_entries(struct sets_set *s, const struct sl_set_elem *pat, bool exist, struct sl_error *err)
{
	struct sl_set_iter it;
	struct sl_set_elem e;

	bool pending = false;

	if (check_entries(s, pat, exist, false, err))
		return -1;
	sl_set_expand_init(&it, &s->spec, pat, 0, err);
	while (sl_set_expand_next(&it, &e)) {
		uint8_t key[SL_SET_KEY_MAX];
		struct sl_set_value v;

		if (!sets_entry_equal(s, &e, key, &v))
			continue; /* -exist: absent */
		pending |= (v.flags & SL_SETV_PENDING) != 0;
		sets_entry_del(s, key);
	}
	/* bitmap:ip,mac: the kernel deletes an entry whose timeout has not
	 * started, then reads that timeout as expired and says so */
	if (pending && !exist)
		return element_text_fail(s, pat, "element cannot be deleted from the set: it's not added", err);
	return 0;
}

int sets_cmd_adt(struct sets_catalog *c, enum sl_set_cmd cmd, const char *name, const struct sl_set_elem *pat,
		 bool exist, struct sl_error *err)
{
	struct sets_set *s = sets_find(c, name);

	if (!s)
		return sets_no_set(name, err);
	if (s->list)
		return sets_list_adt(c, s, cmd, pat, exist, err);
	return cmd == SL_SETCMD_ADD ? add_entries(s, pat, exist, err) : del_entries(s, pat, exist, err);
}

int sets_cmd_test(struct sets_catalog *c, const char *name, const struct sl_set_elem *pat, struct sl_error *err)
{
	struct sets_set *s = sets_find(c, name);
	struct sl_set_iter it;
	struct sl_set_elem e;

	if (!s)
		return sets_no_set(name, err);
	if (s->list)
		return sets_list_test(s, pat);
	/* as the kernel: a range or CIDR of hosts tests its first entry */
	if (sl_set_expand_init(&it, &s->spec, pat, UINT64_MAX, err) || !sl_set_expand_next(&it, &e))
		return -1;
	if (!in_range(s, &e))
		return 0;
	return sets_entry_test(s, &e);
}

int sets_cmd_test_answer(struct sets_catalog *c, const char *name, const struct sl_set_elem *pat,
			 struct sl_error *err)
{
	int in = sets_cmd_test(c, name, pat, err);

	return in < 0 ? -1 : in ? 0 : sl_fail(err, SL_E_NEGATIVE, 0, "element is NOT in set %s", name);
}

int sets_cmd_flush(struct sets_priv *p, struct sets_catalog *c, const char *name, struct sl_error *err)
{
	struct sets_set *one[1];
	struct sets_set **sets = c->set;
	int n = c->nsets;

	if (*name) {
		one[0] = sets_find(c, name);
		if (!one[0])
			return sets_no_set(name, err);
		sets = one;
		n = 1;
	}
	/* a committed set's empty maps switch in at the commit, all of them or
	 * none (a failure aborts the transaction); a set the transaction made
	 * is nobody's yet: emptied at once */
	for (int i = 0; i < n; i++) {
		if (sets[i]->list) { /* its members are the transaction's, committed with it */
			sets[i]->list->n = 0;
			continue;
		}
		if (sets_txn_committed(p, sets[i]) ? sets_flush_stage(p, sets[i], err) : sets_map_flush(p, sets[i], err))
			return -1;
	}
	return 0;
}

int sets_rules_using(const struct rules_rule *rules, int nrules, const char *name)
{
	int n = 0;

	for (int i = 0; i < nrules; i++)
		n += !strcmp(rules[i].set, name);
	return n;
}

static void remove_at(struct sets_priv *p, struct sets_catalog *c, int i)
{
	sets_txn_retire(p, c->set[i]);
	memmove(&c->set[i], &c->set[i + 1], (size_t)(c->nsets - i - 1) * sizeof(c->set[0]));
	c->nsets--;
}

/* another feature's rules name the set (lib/setref.h): it stays, and keeps
 * its name, as the kernel's ipset keeps a set an iptables rule holds */
static int used_elsewhere(const struct sets_priv *p, const char *name, const char *what, struct sl_error *err)
{
	char user[16];

	if (!sl_setref_user(p->shared_fd[SM_USE], name, user))
		return 0;
	return sl_fail(err, SL_E_USAGE, 0, "set cannot be %s: it is in use by a rule of %s: %s (see `sluicectl %s list`)",
		       what, user, name, user);
}

int sets_cmd_destroy(struct sets_priv *p, struct sets_catalog *c, const char *name, struct sl_error *err)
{
	if (*name && !sets_find(c, name))
		return sets_no_set(name, err);
	for (int i = 0; i < c->nsets; i++)
		if ((!*name || !strcmp(c->set[i]->spec.name, name)) &&
		    used_elsewhere(p, c->set[i]->spec.name, "destroyed", err))
			return -1;
	/* ipset: a set in use is refused, and destroying all refuses if any is */
	for (int i = 0; i < c->nsets; i++)
		if ((!*name || !strcmp(c->set[i]->spec.name, name)) && sets_list_holders(c, c->set[i]->spec.name))
			return sl_fail(err, SL_E_USAGE, 0, "set cannot be destroyed: it is in use by a list:set: %s",
				       c->set[i]->spec.name);
	for (int i = 0; i < c->nsets; i++)
		if ((!*name || !strcmp(c->set[i]->spec.name, name)) && sets_rules_using(c->rule, c->nrules, c->set[i]->spec.name))
			return sl_fail(err, SL_E_USAGE, 0,
				       "set cannot be destroyed: it is in use by a rule: %s (see `sluicectl rule list`)",
				       c->set[i]->spec.name);
	for (int i = c->nsets - 1; i >= 0; i--)
		if (!*name || !strcmp(c->set[i]->spec.name, name))
			remove_at(p, c, i);
	return 0;
}

int sets_cmd_rename(struct sets_priv *p, struct sets_catalog *c, const char *from, const char *to,
		    struct sl_error *err)
{
	struct sets_set *s = sets_find(c, from);

	if (!s)
		return sets_no_set(from, err);
	if (used_elsewhere(p, from, "renamed", err))
		return -1;
	/* a list holds its members as the kernel holds them, by reference */
	if (sets_list_holders(c, from))
		return sl_fail(err, SL_E_USAGE, 0, "set cannot be renamed: it is in use by a list:set: %s", from);
	if (sets_find(c, to))
		return sl_fail(err, SL_E_USAGE, 0, "set cannot be renamed: a set with the new name already exists: %s",
			       to);
	/* rules follow the set, as iptables' rules follow the set's index */
	for (int i = 0; i < c->nrules; i++)
		if (!strcmp(c->rule[i].set, from))
			snprintf(c->rule[i].set, sizeof(c->rule[i].set), "%s", to);
	snprintf(s->spec.name, sizeof(s->spec.name), "%s", to);
	return 0;
}

int sets_cmd_swap(struct sets_catalog *c, const char *a, const char *b, struct sl_error *err)
{
	struct sets_set *sa = sets_find(c, a), *sb = sets_find(c, b);
	char tmp[SL_SET_NAME_MAX + 1];

	if (!sa)
		return sets_no_set(a, err);
	if (!sb)
		return sets_no_set(b, err);
	if (sa->spec.type != sb->spec.type || sa->spec.family != sb->spec.family)
		return sl_fail(err, SL_E_USAGE, 0, "the sets cannot be swapped: their type does not match (%s: %s, %s: %s)",
			       a, sl_set_types[sa->spec.type].name, b, sl_set_types[sb->spec.type].name);
	/* a rule reaches a set through its class's outer map: a swap keeps each
	 * set where it is and trades names, so the layouts must be the same */
	if (sa->cls != sb->cls)
		return sl_fail(err, SL_E_USAGE, 0,
			       "the sets cannot be swapped: their type does not match (%s: %s %s, %s: %s %s)", a,
			       sl_set_types[sa->spec.type].name, sets_layout_name(sa->cls), b,
			       sl_set_types[sb->spec.type].name, sets_layout_name(sb->cls));
	/* names trade places; rules keep naming theirs, so they now reach the
	 * other slot once their programs are rebuilt */
	snprintf(tmp, sizeof(tmp), "%s", sa->spec.name);
	snprintf(sa->spec.name, sizeof(sa->spec.name), "%s", sb->spec.name);
	snprintf(sb->spec.name, sizeof(sb->spec.name), "%s", tmp);
	/* and places in the catalog, so that a name keeps its place in
	 * listings, as the kernel's ipset keeps a name at its index */
	for (int i = 0; i < c->nsets; i++)
		if (c->set[i] == sa)
			c->set[i] = sb;
		else if (c->set[i] == sb)
			c->set[i] = sa;
	return 0;
}

int sets_cmd_line(struct sets_priv *p, struct sets_catalog *c, const struct sl_set_line *l, struct sl_error *err)
{
	switch (l->cmd) {
	case SL_SETCMD_CREATE:
		return sets_cmd_create(p, c, &l->spec, l->exist, err);
	case SL_SETCMD_ADD:
	case SL_SETCMD_DEL:
		return sets_cmd_adt(c, l->cmd, l->name, &l->elem, l->exist, err);
	case SL_SETCMD_FLUSH:
		return sets_cmd_flush(p, c, l->name, err);
	case SL_SETCMD_DESTROY:
		return sets_cmd_destroy(p, c, l->name, err);
	case SL_SETCMD_RENAME:
		return sets_cmd_rename(p, c, l->name, l->name2, err);
	case SL_SETCMD_SWAP:
		return sets_cmd_swap(c, l->name, l->name2, err);
	case SL_SETCMD_TEST:
		return sets_cmd_test_answer(c, l->name, &l->elem, err);
	case SL_SETCMD_NONE:
	case SL_SETCMD_COMMIT:
		return 0;
	}
	return sl_fail(err, SL_E_USAGE, 0, "unknown set command");
}

void sets_catalog_close(struct sets_catalog *c)
{
	for (int i = 0; i < c->nsets; i++) {
		if (c->set[i]->cmt_fd >= 0)
			close(c->set[i]->cmt_fd);
		close(c->set[i]->map_fd);
		sets_ptab_release(&c->set[i]->pt);
		sets_list_free(c->set[i]);
		free(c->set[i]);
	}
	c->nsets = 0;
	c->nrules = 0;
}
