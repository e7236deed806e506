/* Staged entries per set: see stage.h. */
#include "features/sets/stage.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/sets/sets.h"
#include "lib/hash.h"

enum { EMPTY, USED, GONE };

/* open addressing over the set's key bytes; GONE marks a deleted key */
struct keyset {
	uint8_t *keys;
	uint8_t *flag;
	size_t cap, live, gone;
	int ksize;
	struct sl_set_list *list;   /* a list:set's members instead (NULL: none yet) */
};

struct sets_stage {
	struct keyset *set;
	int n, cap;
};

/* the slot holding `key`, or the first free one on its probe path */
static size_t probe(const struct keyset *ks, const uint8_t *key, bool *found)
{
	size_t i = sl_fnv1a(SL_FNV1A_INIT, key, (size_t)ks->ksize) & (ks->cap - 1), free_at = SIZE_MAX;

	for (;; i = (i + 1) & (ks->cap - 1)) {
		if (ks->flag[i] == EMPTY) {
			*found = false;
			return free_at != SIZE_MAX ? free_at : i;
		}
		if (ks->flag[i] == GONE) {
			if (free_at == SIZE_MAX)
				free_at = i;
		} else if (!memcmp(ks->keys + i * (size_t)ks->ksize, key, (size_t)ks->ksize)) {
			*found = true;
			return i;
		}
	}
}

static bool contains(const struct keyset *ks, const uint8_t *key)
{
	bool found = false;

	if (ks->cap)
		probe(ks, key, &found);
	return found;
}

static int grow(struct keyset *ks, size_t want)
{
	struct keyset n = { .ksize = ks->ksize };

	for (n.cap = 64; n.cap < want * 2; n.cap *= 2)
		;
	n.keys = malloc(n.cap * (size_t)n.ksize);
	n.flag = calloc(n.cap, 1);
	if (!n.keys || !n.flag) {
		free(n.keys);
		free(n.flag);
		return -1;
	}
	for (size_t i = 0; i < ks->cap; i++) {
		bool found;
		size_t j;

		if (ks->flag[i] != USED)
			continue;
		j = probe(&n, ks->keys + i * (size_t)ks->ksize, &found);
		memcpy(n.keys + j * (size_t)n.ksize, ks->keys + i * (size_t)ks->ksize, (size_t)n.ksize);
		n.flag[j] = USED;
		n.live++;
	}
	free(ks->keys);
	free(ks->flag);
	*ks = n;
	return 0;
}

static int insert(struct keyset *ks, const uint8_t *key)
{
	bool found;
	size_t i;

	/* at most half full, counting deleted keys */
	if ((ks->live + ks->gone + 1) * 2 > ks->cap && grow(ks, ks->live + 1))
		return -1;
	i = probe(ks, key, &found);
	if (found)
		return 0;
	ks->gone -= ks->flag[i] == GONE;
	memcpy(ks->keys + i * (size_t)ks->ksize, key, (size_t)ks->ksize);
	ks->flag[i] = USED;
	ks->live++;
	return 0;
}

static void erase(struct keyset *ks, const uint8_t *key)
{
	bool found = false;
	size_t i = ks->cap ? probe(ks, key, &found) : 0;

	if (found) {
		ks->flag[i] = GONE;
		ks->live--;
		ks->gone++;
	}
}

static void keyset_free(struct keyset *ks)
{
	free(ks->keys);
	free(ks->flag);
	free(ks->list);
	memset(ks, 0, sizeof(*ks));
}

int sets_stage_list_adt(struct sets_stage *st, int idx, const struct sl_set_spec *spec, sl_set_lookup_fn lookup,
			void *ctx, const struct sl_set_line *l, struct sl_error *err)
{
	struct keyset *ks = &st->set[idx];

	if (!ks->list && !(ks->list = calloc(1, sizeof(*ks->list))))
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	return sets_list_change(ks->list, spec, lookup, ctx, l->cmd, &l->elem, l->exist, err);
}

bool sets_stage_list_holds(const struct sets_stage *st, const char *name)
{
	for (int i = 0; st && i < st->n; i++)
		if (sets_list_holds(st->set[i].list, name))
			return true;
	return false;
}

int sets_stage_created(struct sets_stage **stp, int idx)
{
	struct sets_stage *st = *stp;

	if (!st && !(st = *stp = calloc(1, sizeof(*st))))
		return -1;
	if (idx >= st->cap) {
		int cap = st->cap ? st->cap * 2 : 16;
		struct keyset *n;

		while (cap <= idx)
			cap *= 2;
		n = realloc(st->set, (size_t)cap * sizeof(*n));
		if (!n)
			return -1;
		memset(n + st->cap, 0, (size_t)(cap - st->cap) * sizeof(*n));
		st->set = n;
		st->cap = cap;
	}
	keyset_free(&st->set[idx]);
	if (idx >= st->n)
		st->n = idx + 1;
	return 0;
}

void sets_stage_removed(struct sets_stage *st, int idx)
{
	if (!st || idx >= st->n)
		return;
	keyset_free(&st->set[idx]);
	memmove(&st->set[idx], &st->set[idx + 1], (size_t)(st->n - idx - 1) * sizeof(st->set[0]));
	memset(&st->set[--st->n], 0, sizeof(st->set[0]));
}

void sets_stage_flushed(struct sets_stage *st, int idx)
{
	if (st && idx < st->n)
		keyset_free(&st->set[idx]);
}

unsigned long sets_stage_count(const struct sets_stage *st, int idx)
{
	return st && idx < st->n ? (unsigned long)st->set[idx].live : 0;
}

void sets_stage_free(struct sets_stage *st)
{
	for (int i = 0; st && i < st->n; i++)
		keyset_free(&st->set[i]);
	if (st)
		free(st->set);
	free(st);
}

int sets_spec_check(const struct sl_set_spec *spec, int col, struct sl_error *err)
{
	const struct sl_set_type_info *ti = &sl_set_types[spec->type];
	bool net = ti->part[0] == SL_PART_NET;

	if (ti->bitmap || ti->list) /* a list's size is printed, never enforced */
		return 0;
	if (!spec->maxelem)
		return sl_fail(err, SL_E_USAGE, col, "maxelem 0: a set holds at least 1 element");
	if (spec->maxelem > SL_SET_HASH_MAXELEM && (!net || (spec->flags & SL_SET_F_COMMENT)))
		return sl_fail(err, SL_E_USAGE, col, "maxelem %u: a %s set%s holds at most %u elements", spec->maxelem,
			       ti->name, net ? " with comments" : "", SL_SET_HASH_MAXELEM);
	return 0;
}

/* ipset's refusal of one entry, worded as catalog.c words it */
static int entry_fail(const struct sl_set_spec *spec, const struct sl_set_elem *e, const char *what, int col,
		      struct sl_error *err)
{
	char text[SL_SET_LINE_MAX];

	if (sl_set_elem_format(spec, e, text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "?");
	return sl_fail(err, SL_E_USAGE, col, "%s: %s (set %s)", what, text, spec->name);
}

int sets_stage_adt(struct sets_stage *st, int idx, const struct sl_set_spec *spec, const struct sl_set_line *l,
		   int col, struct sl_error *err)
{
	struct sets_set s = { .spec = *spec, .cls = sets_class_of(spec) };
	bool adding = l->cmd == SL_SETCMD_ADD;
	struct keyset *ks = &st->set[idx];
	uint8_t key[SL_SET_KEY_MAX];
	struct sl_set_iter it;
	struct sl_set_elem e;
	unsigned long fresh = 0;

	if (sl_set_expand_init(&it, spec, &l->elem, 0, err)) {
		err->col = col;
		return -1;
	}
	/* first pass: refuse before anything is staged, as apply refuses */
	while (sl_set_expand_next(&it, &e)) {
		ks->ksize = sets_elem_key(&s, &e, key);
		if (contains(ks, key) == adding && !l->exist)
			return entry_fail(spec, &e, adding ? "element cannot be added to the set: it's already added"
							   : "element cannot be deleted from the set: it's not added",
					  col, err);
		fresh += adding && !contains(ks, key);
	}
	if (adding && spec->type != SL_SET_BITMAP_PORT && ks->live + fresh > spec->maxelem) {
		char text[SL_SET_LINE_MAX];

		if (sl_set_elem_format(spec, &l->elem, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		return sl_fail(err, SL_E_USAGE, col,
			       "set %s: hash is full, cannot add more elements (maxelem %u): %s adds %lu to the %zu "
			       "already added", spec->name, spec->maxelem, text, fresh, ks->live);
	}
	sl_set_expand_init(&it, spec, &l->elem, 0, err);
	while (sl_set_expand_next(&it, &e)) {
		sets_elem_key(&s, &e, key);
		if (!adding)
			erase(ks, key);
		else if (insert(ks, key))
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	}
	return 0;
}
