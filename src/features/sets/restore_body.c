/* `set restore`: ipset restore input, streamed as the request's body, as
 * one change (one transaction, txn.c). Sets the input creates are new
 * maps; a set that exists and is written to is first cloned into a new map,
 * and the clone is what the input changes. Nothing the dataplane reads
 * changes until the end, when the hooks switch to the clones
 * (bpf_link_update) and the old maps go; an error anywhere undoes the lot.
 * Adds to hash sets go to the kernel in batches (BPF_MAP_UPDATE_BATCH);
 * LPM tries have no batch operations; a plain set's bucket table, which
 * nothing reads before the commit, is built in memory and written whole
 * just before it. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/body.h"
#include "core/log.h"
#include "features/sets/sets.h"
#include "lib/hash.h"

#define BATCH 4096
#define PROGRESS_EVERY 100000

/* What this restore made (the transaction frees it if the restore fails,
 * and frees what the clones replace once it commits): kept to know which
 * sets it may write in place. */
enum txn_kind { T_CREATED, T_CLONED };

struct txn_rec {
	enum txn_kind kind;
	struct sets_set *set;           /* created, or the clone; NULL once destroyed again */
};

struct batch {
	struct sets_set *s;
	bool exist;
	uint32_t n;
	uint8_t keys[BATCH * SL_SET_KEY_MAX];
	struct sl_set_value vals[BATCH];
	unsigned long line[BATCH];      /* the input line that added each entry */
};

/* Fingerprints of the keys this restore added, so a duplicate add is
 * caught without a lookup per key (batch updates cannot refuse existing
 * keys). A fingerprint hit is confirmed against the batch and the map. */
struct seen {
	uint64_t *slot;
	size_t cap, n;
};

struct txn {
	struct sets_priv *p;
	struct seen seen;
	struct txn_rec *rec;
	size_t n, cap;
	bool exist_all;                 /* restore -exist */
	unsigned long entries;
	struct batch *b;
	unsigned long line;             /* the input line being read */
	unsigned long fail_line;        /* the line of the entry a batch update refused */
};

static int record(struct txn *t, enum txn_kind kind, struct sets_set *set, struct sl_error *err)
{
	struct txn_rec *r;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct txn_rec *n = realloc(t->rec, cap * sizeof(*n));

		if (!n)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		t->rec = n;
		t->cap = cap;
	}
	r = &t->rec[t->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->set = set;
	return 0;
}

static uint64_t fingerprint(const struct sets_set *s, const uint8_t *key, int ks)
{
	uint64_t h = sl_fnv1a(SL_FNV1A_INIT ^ (uint64_t)s->slot, key, (size_t)ks);

	return h ? h : 1;
}

/* true if the fingerprint was there already; adds it otherwise */
static int seen_add(struct seen *z, uint64_t fp, bool *was, struct sl_error *err)
{
	size_t i;

	if ((z->n + 1) * 2 > z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 1 << 16;
		uint64_t *n = calloc(cap, sizeof(*n));

		if (!n)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		for (size_t k = 0; k < z->cap; k++)
			if (z->slot[k])
				for (i = z->slot[k] & (cap - 1); n[i] || (n[i] = z->slot[k], 0); i = (i + 1) & (cap - 1))
					;
		free(z->slot);
		z->slot = n;
		z->cap = cap;
	}
	for (i = fp & (z->cap - 1); z->slot[i]; i = (i + 1) & (z->cap - 1))
		if (z->slot[i] == fp) {
			*was = true;
			return 0;
		}
	z->slot[i] = fp;
	z->n++;
	*was = false;
	return 0;
}

static bool created_here(const struct txn *t, const struct sets_set *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rec[i].kind == T_CREATED && t->rec[i].set == s)
			return true;
	return false;
}

static bool owned(const struct txn *t, const struct sets_set *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rec[i].set == s)
			return true;
	return false;
}

static int catalog_index(const struct sets_catalog *c, const struct sets_set *s)
{
	for (int i = 0; i < c->nsets; i++)
		if (c->set[i] == s)
			return i;
	return -1;
}

/* The set `name` as this restore may write it: created here, or a clone
 * (empty when `empty`, for a flush) standing in for the live one. */
static struct sets_set *writable(struct txn *t, const char *name, bool empty, struct sl_error *err)
{
	struct sets_catalog *c = &t->p->live;
	struct sets_set *s = sets_find(c, name), *clone;

	if (!s) {
		sets_no_set(name, err);
		return NULL;
	}
	if (owned(t, s))
		return s;
	if (sets_map_create(t->p, &s->spec, &clone, err))
		return NULL;
	if (sets_entries_hold(clone, true, err) || (!empty && sets_entries_copy(s, clone, err)) ||
	    record(t, T_CLONED, clone, err)) {
		sets_txn_retire(t->p, clone);
		return NULL;
	}
	/* the committed set stays until the commit frees it */
	c->set[catalog_index(c, s)] = clone;
	return clone;
}

/* --- batched adds ------------------------------------------------------------------------ */

static int entry_exists_fail(const struct sets_set *s, const void *key, const struct sl_set_value *v,
			     struct sl_error *err)
{
	struct sl_set_elem e;
	char text[SL_SET_LINE_MAX];

	sets_entry_elem(s, key, v, &e);
	if (sl_set_elem_format(&s->spec, &e, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	return sl_fail(err, SL_E_USAGE, 0, "element cannot be added to the set: it's already added: %s (set %s)", text,
		       s->spec.name);
}

static int flush_batch(struct txn *t, struct sl_error *err)
{
	struct batch *b = t->b;
	uint32_t done;

	if (!b->n)
		return 0;
	/* duplicates were refused before batching: the batch overwrites */
	if (sets_entries_put(b->s, b->keys, b->vals, b->n, &done, err)) {
		/* done: the entries written before the refused one */
		t->fail_line = b->line[done < b->n ? done : b->n - 1];
		return -1;
	}
	t->entries += b->n;
	b->n = 0;
	return 0;
}

/* An add without -exist of an entry there already: -1 with err set. */
static int is_duplicate(struct txn *t, struct sets_set *s, const uint8_t *key, struct sl_error *err)
{
	int ks = sets_key_size(s);
	struct sl_set_value v;
	bool was;

	if (seen_add(&t->seen, fingerprint(s, key, ks), &was, err))
		return -1;
	if (was) { /* added by this restore, or a fingerprint collision */
		for (uint32_t i = 0; i < t->b->n; i++)
			if (t->b->s == s && !memcmp(t->b->keys + (size_t)i * (size_t)ks, key, (size_t)ks))
				return entry_exists_fail(s, key, &t->b->vals[i], err);
	}
	/* a set that existed before has entries this restore did not add */
	if ((was || !created_here(t, s)) && sets_entry_get(s, key, &v))
		return entry_exists_fail(s, key, &v, err);
	return 0;
}

static int batch_add(struct txn *t, struct sets_set *s, const struct sl_set_elem *pat, bool exist,
		     struct sl_error *err)
{
	struct batch *b = t->b;
	struct sl_set_iter it;
	struct sl_set_elem e;

	if (b->s != s || b->exist != exist) {
		if (flush_batch(t, err))
			return -1;
		b->s = s;
		b->exist = exist;
	}
	if (sl_set_expand_init(&it, &s->spec, pat, 0, err))
		return -1;
	while (sl_set_expand_next(&it, &e)) {
		uint8_t *key = b->keys + (size_t)b->n * (size_t)sets_key_size(s);
		/* forceadd: an entry that evicts another must be in before its
		 * side values, which would not fit a full side map before */
		bool one = s->spec.flags & SL_SET_F_FORCEADD;

		if (s->spec.type == SL_SET_BITMAP_PORT && (e.port < s->spec.range_from || e.port > s->spec.range_to))
			return sl_fail(err, SL_E_USAGE, 0, "element is out of the range of the set: %u (set %s)", e.port,
				       s->spec.name);
		sets_elem_key(s, &e, key);
		if (!exist && is_duplicate(t, s, key, err))
			return -1;
		sets_entry_value(s, &e, &b->vals[b->n]);
		b->line[b->n] = t->line;
		if (s->cmt_fd >= 0 && !one)
			sets_comment_put(s, key, &e);
		if ((++b->n == BATCH || one) && flush_batch(t, err))
			return -1;
		if (s->cmt_fd >= 0 && one) /* the batch's key buffer still holds it */
			sets_comment_put(s, key, &e);
	}
	return 0;
}

/* --- one line ------------------------------------------------------------------------------- */

static int destroy(struct txn *t, const char *name, struct sl_error *err)
{
	struct sets_catalog *c = &t->p->live;

	for (int i = c->nsets - 1; i >= 0; i--) {
		struct sets_set *s = c->set[i];

		if (*name && strcmp(s->spec.name, name))
			continue;
		if (sets_rules_using(c->rule, c->nrules, s->spec.name))
			return sl_fail(err, SL_E_USAGE, 0, "set cannot be destroyed: it is in use by a rule: %s",
				       s->spec.name);
		if (sets_list_holders(c, s->spec.name))
			return sl_fail(err, SL_E_USAGE, 0, "set cannot be destroyed: it is in use by a list:set: %s",
				       s->spec.name);
		memmove(&c->set[i], &c->set[i + 1], (size_t)(c->nsets - i - 1) * sizeof(c->set[0]));
		c->nsets--;
		/* one this restore made is gone now: forget it, so a set made
		 * later at the same address is not taken for it */
		for (size_t k = 0; k < t->n; k++)
			if (t->rec[k].set == s)
				t->rec[k].set = NULL;
		sets_txn_retire(t->p, s);
	}
	return 0;
}

static int restore_line(struct txn *t, const struct sl_set_line *l, struct sl_error *err)
{
	struct sets_catalog *c = &t->p->live;
	struct sets_set *s;
	bool exist = l->exist || t->exist_all;

	if (l->cmd != SL_SETCMD_ADD && flush_batch(t, err))
		return -1;
	switch (l->cmd) {
	case SL_SETCMD_CREATE: {
		struct sl_set_spec spec = l->spec;
		int before = c->nsets;

		if (exist)
			spec.flags |= SL_SET_F_EXIST;
		if (sets_cmd_create(t->p, c, &spec, exist, err))
			return -1;
		if (c->nsets == before)
			return 0; /* -exist, and there */
		return record(t, T_CREATED, c->set[c->nsets - 1], err) ||
		       sets_entries_hold(c->set[c->nsets - 1], true, err) ? -1 : 0;
	}
	case SL_SETCMD_ADD:
	case SL_SETCMD_DEL:
		s = sets_find(c, l->name);
		/* a list's members are the transaction's: changed in place, put
		 * back by an abort */
		if (s && s->list)
			return sets_cmd_adt(c, l->cmd, l->name, &l->elem, exist, err);
		if (l->cmd == SL_SETCMD_DEL)
			return !writable(t, l->name, false, err) || sets_cmd_adt(c, l->cmd, l->name, &l->elem, exist, err);
		s = writable(t, l->name, false, err);
		if (!s)
			return -1;
		/* no batch operations on LPM tries; bitmap:ip,mac's adds depend on
		 * the entry there (a MAC fills one in) */
		if (sl_set_class_is_lpm(s->cls) || s->cls == SL_CLASS_IPMAC4)
			return flush_batch(t, err) || sets_cmd_adt(c, l->cmd, l->name, &l->elem, exist, err);
		return batch_add(t, s, &l->elem, exist, err);
	case SL_SETCMD_FLUSH:
		for (int i = 0; i < c->nsets; i++) {
			if (*l->name && strcmp(c->set[i]->spec.name, l->name))
				continue;
			if (c->set[i]->list) {
				c->set[i]->list->n = 0;
				continue;
			}
			if (owned(t, c->set[i]) ? sets_map_flush(t->p, c->set[i], err)
						: !writable(t, c->set[i]->spec.name, true, err))
				return -1;
		}
		if (*l->name && !sets_find(c, l->name))
			return sets_no_set(l->name, err);
		return 0;
	case SL_SETCMD_DESTROY:
		if (*l->name && !sets_find(c, l->name))
			return sets_no_set(l->name, err);
		return destroy(t, l->name, err);
	default: /* rename, swap, test: as outside a restore */
		return sets_cmd_line(t->p, c, l, err);
	}
}

/* --- commit ---------------------------------------------------------------------------------- */

/* the last adds, then the transaction's commit (a failure is undone by
 * sets_txn_abort: the live catalog as it was, what the restore made freed) */
static int commit(struct txn *t, struct sl_error *err)
{
	if (flush_batch(t, err))
		return -1;
	/* the tables built in memory into their maps, before any rule can reach them */
	for (size_t i = 0; i < t->n; i++)
		if (t->rec[i].set && sets_entries_sync(t->rec[i].set, err))
			return -1;
	return sets_txn_commit(t->p, &t->p->live, false, 0, err) ? -1 : 0;
}

int sets_restore(const struct sl_env *env, struct sets_priv *p, const struct sl_cmd *cmd, json_object **out,
		 struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS], *line = malloc(SL_MAX_LINE + 2);
	int cols[SL_MAX_TOKENS], end_col, argc = sets_cmd_words(cmd, argv, cols, &end_col), rc = -1, got;
	struct sl_set_line *l = malloc(sizeof(*l));
	struct txn t = { .p = p, .b = malloc(sizeof(struct batch)) };
	struct sl_body *body = env->body;

	if (!line || !l || !t.b) {
		sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		goto out;
	}
	t.b->n = 0;
	t.b->s = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-exist") && strcmp(argv[i], "-!")) {
			sl_fail(err, SL_E_USAGE, cols[i], "set restore: unexpected '%s' (the input comes on stdin)", argv[i]);
			goto out;
		}
		t.exist_all = true;
	}
	if (!body) {
		sl_fail(err, SL_E_USAGE, 0, "set restore reads its input from the request body");
		goto out;
	}
	/* what this restore makes is not live until the commit */
	if (sets_txn_begin(p, SL_TXN_RESTORE, err))
		goto out;
	while ((got = sl_body_line(body, line, SL_MAX_LINE + 2, err)) > 0) {
		int r = sl_set_line_parse(line, sets_lookup_spec, &p->live, l, err);

		t.line = body->line_no;
		if (r > 0)
			r = restore_line(&t, l, err) ? -1 : 0;
		if (r < 0) {
			char msg[sizeof(err->msg)];

			memcpy(msg, err->msg, sizeof(msg));
			/* a batch flushed here may have failed on an entry of an earlier line */
			snprintf(err->msg, sizeof(err->msg), "line %lu: %.440s; nothing was changed",
				 t.fail_line ? t.fail_line : body->line_no, msg);
			if (err->code == SL_E_NEGATIVE)
				err->code = SL_E_USAGE;
			break;
		}
		if (!(body->line_no % PROGRESS_EVERY))
			sl_body_progress(body, "set restore: %lu lines, %lu entries", body->line_no,
					 t.entries + t.b->n);
	}
	if (got == 0) {
		if (!commit(&t, err)) {
			rc = 0;
		} else {
			/* a batch of adds failed at the end of the input */
			char msg[sizeof(err->msg)];

			memcpy(msg, err->msg, sizeof(msg));
			if (t.fail_line) /* the batch flushed at the end: its entry's line */
				snprintf(err->msg, sizeof(err->msg), "line %lu: %.440s; nothing was changed", t.fail_line,
					 msg);
			else
				snprintf(err->msg, sizeof(err->msg),
					 "at the end of the input (%lu lines): %.400s; nothing was changed", body->line_no,
					 msg);
		}
	}
	if (rc) {
		sets_txn_abort(p, &p->live);
		goto out;
	}
	*out = json_object_new_object();
	json_object_object_add(*out, "lines", json_object_new_uint64(body->line_no));
	json_object_object_add(*out, "entries_batched", json_object_new_uint64(t.entries));
	json_object_object_add(*out, "sets", json_object_new_int(p->live.nsets));
out:
	free(t.rec);
	free(t.seen.slot);
	free(t.b);
	free(l);
	free(line);
	return rc;
}
