/* Transactions: the one commit point of every change to the sets and rules,
 * and the recovery a start runs.
 *
 * On disk (pinned): the catalog of generation G (each set's record, with
 * the ids of its maps, and the rules as written) in bank G & 1 of the meta
 * and rule maps; the set maps; the hook links; and the commit record
 * (sl_setcfg: committed_gen, open_gen, the config digest).
 *
 * A change to the live catalog builds the next catalog beside the
 * committed one (new sets in free slots, flushed sets' empty maps staged
 * beside their pins), then: writes it to the other bank; marks its
 * generation open; switches the dataplane (flushed sets' outer map entries,
 * then each hook's program); commits with ONE write of the commit record
 * (committed_gen = open_gen, and the config digest of an apply); then frees
 * what the committed state no longer holds. A crash before the commit
 * leaves generation G whole on disk; after it, G + 1.
 *
 * A start re-derives everything else from the committed generation: each
 * set's map found by id and put back into its outer map; if a change was
 * open, every hook's program reloaded from the committed rules (and hooks
 * the committed rules lack detached); then every slot no committed set
 * holds freed. Only then does the daemon report ready. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/log.h"
#include "features/sets/sets.h"
#include "lib/bpf_info.h"

#define TXN_RECOVER SL_TXN_OP_COUNT /* a start's recovery: its own fault points */

/* The fault points' names, numbered 1, 2, ... per transaction (tests find
 * them by this line; "apply" is a start on a config other than the
 * committed one's, "recover" a start that found a change cut short):
 * sl_fault_point("reload"|"apply"|"restore"|"swap"|"rule"|"flush"|"destroy"|"create"|"rename"|"list"|"recover", k) */
static const char *const op_names[SL_TXN_OP_COUNT + 1] = {
	[SL_TXN_NONE] = "none", [SL_TXN_RELOAD] = "reload", [SL_TXN_APPLY] = "apply",
	[SL_TXN_RESTORE] = "restore", [SL_TXN_SWAP] = "swap", [SL_TXN_RULE] = "rule",
	[SL_TXN_FLUSH] = "flush", [SL_TXN_DESTROY] = "destroy", [SL_TXN_CREATE] = "create",
	[SL_TXN_RENAME] = "rename", [SL_TXN_LIST] = "list", [TXN_RECOVER] = "recover",
};

const char *sets_txn_op_name(enum sl_txn_op op)
{
	return (unsigned)op <= TXN_RECOVER ? op_names[op] : "unknown";
}

void sets_txn_point(struct sets_priv *p)
{
	if (p->txn.op != SL_TXN_NONE)
		sl_fault_point(op_names[p->txn.op], ++p->txn.step);
}

int sets_txn_begin(struct sets_priv *p, enum sl_txn_op op, struct sl_error *err)
{
	struct sets_txn *t = &p->txn;

	memset(t, 0, sizeof(*t));
	t->before = malloc(sizeof(*t->before));
	t->names = malloc(SL_SET_SLOTS * sizeof(*t->names));
	if (!t->before || !t->names) {
		free(t->before);
		free(t->names);
		t->before = NULL;
		t->names = NULL;
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	}
	*t->before = p->live;
	for (int i = 0; i < p->live.nsets; i++)
		snprintf(t->names[i], sizeof(t->names[i]), "%s", p->live.set[i]->spec.name);
	t->op = op;
	return 0;
}

static void txn_end(struct sets_priv *p)
{
	free(p->txn.before);
	free(p->txn.names);
	memset(&p->txn, 0, sizeof(p->txn));
}

static int created_index(const struct sets_txn *t, const struct sets_set *s)
{
	for (int i = 0; i < t->ncreated; i++)
		if (t->created[i] == s)
			return i;
	return -1;
}

void sets_txn_created(struct sets_priv *p, struct sets_set *s)
{
	struct sets_txn *t = &p->txn;

	if (t->op != SL_TXN_NONE && t->ncreated < SL_SET_SLOTS)
		t->created[t->ncreated++] = s;
}

bool sets_txn_committed(const struct sets_priv *p, const struct sets_set *s)
{
	return p->txn.op != SL_TXN_NONE && created_index(&p->txn, s) < 0;
}

void sets_txn_retire(struct sets_priv *p, struct sets_set *s)
{
	struct sets_txn *t = &p->txn;
	int i = created_index(t, s);

	if (t->op != SL_TXN_NONE && i < 0)
		return; /* committed: the commit frees it, an abort puts it back */
	if (i >= 0)
		t->created[i] = t->created[--t->ncreated];
	sets_map_free(p, s);
}

void sets_txn_flushed(struct sets_priv *p, struct sets_set *s, int fd, int cfd)
{
	struct sets_txn *t = &p->txn;

	t->flushed[t->nflushed++] = (struct sets_txn_flush){ .s = s, .fd = fd, .cfd = cfd };
}

/* --- the banks and the commit record ------------------------------------------------- */

static int cfg_write(struct sets_priv *p, const struct sl_sets_config *cfg, struct sl_error *err)
{
	uint32_t key = 0;

	if (bpf_map_update_elem(p->shared_fd[SM_CFG], &key, cfg, BPF_ANY))
		return sl_fail(err, SL_E_KERNEL, 0, "sets: cannot write the commit record: %s", strerror(errno));
	return 0;
}

/* every slot's record of `c` into bank `bank` (free slots too: the bank
 * held an older generation) */
static int bank_write(struct sets_priv *p, const struct sets_catalog *c, int bank, struct sl_error *err)
{
	const struct sets_set *by_slot[SL_SET_SLOTS] = { 0 };

	for (int i = 0; i < c->nsets; i++)
		by_slot[c->set[i]->slot] = c->set[i];
	for (int slot = 0; slot < SL_SET_SLOTS; slot++) {
		struct sl_set_meta m = { 0 };
		uint32_t key = (uint32_t)(bank * SL_SET_SLOTS + slot);

		if (by_slot[slot])
			sets_meta_of(by_slot[slot], &m);
		if (bpf_map_update_elem(p->shared_fd[SM_META], &key, &m, BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "sets: cannot write the set records: %s", strerror(errno));
		/* a list's members belong to the generation, as its record */
		if (by_slot[slot] && by_slot[slot]->list && sets_list_store(by_slot[slot], bank, err))
			return -1;
	}
	return rules_store(p, c, bank, err);
}

/* The directory other features' programs find sets in (lib/setref.h):
 * every set of `c` by name, and no other name. */
static bool dir_keeps(const void *key, void *catalog)
{
	const struct sets_set *s = sets_find(catalog, ((const struct sl_set_name *)key)->name);

	return s && !s->list;
}

static int dir_write(struct sets_priv *p, const struct sets_catalog *c, struct sl_error *err)
{
	int fd = p->shared_fd[SM_DIR];
	struct sl_set_name k;

	for (int i = 0; i < c->nsets; i++) {
		const struct sets_set *s = c->set[i];
		struct sl_set_dirent d = { .slot = (__u32)s->slot, .cls = s->cls, .family = s->spec.family,
					   .type = s->spec.type };

		if (s->list) /* other features' programs look up keys: a list has none */
			continue;

		/* what the set's own rules apply (hooks.c): netmask/bitmask */
		d.masked = sl_set_types[s->spec.type].mask && sl_set_spec_mask(&s->spec, d.mask);

		memset(&k, 0, sizeof(k));
		snprintf(k.name, sizeof(k.name), "%s", s->spec.name);
		if (bpf_map_update_elem(fd, &k, &d, BPF_ANY))
			return sl_fail(err, SL_E_KERNEL, 0, "sets: cannot write the directory: %s", strerror(errno));
	}
	/* names gone */
	if (sl_map_prune(fd, dir_keeps, (void *)c))
		return sl_fail(err, SL_E_KERNEL, 0, "sets: cannot write the directory: %s", strerror(errno));
	return 0;
}

static bool holds(const struct sets_catalog *c, const struct sets_set *s)
{
	for (int i = 0; i < c->nsets; i++)
		if (c->set[i] == s)
			return true;
	return false;
}

int sets_txn_commit(struct sets_priv *p, struct sets_catalog *next, bool config, uint64_t digest,
		    struct sl_error *err)
{
	struct sets_txn *t = &p->txn;
	struct sl_sets_config cfg = p->cfg;
	uint64_t gen = cfg.committed_gen + 1;

	/* 1. the next generation beside the committed one: nothing reads it yet */
	if (bank_write(p, next, (int)(gen & 1), err))
		return -1;
	sets_txn_point(p);
	/* 2. open: from here a crash is rolled back by the next start */
	cfg.open_gen = gen;
	cfg.open_op = t->op;
	if (cfg_write(p, &cfg, err))
		return -1;
	t->opened = true;
	sets_txn_point(p);
	/* 3. the dataplane switches: flushed sets' maps, then the hooks */
	for (int i = 0; i < t->nflushed; i++) {
		if (sets_outer_put(p, t->flushed[i].s, t->flushed[i].s->map_fd, err))
			return -1;
		sets_txn_point(p);
	}
	if (rules_sync(p, next, err))
		return -1;
	t->synced = true;
	if (dir_write(p, next, err))
		return -1;
	/* 4. THE commit point */
	cfg.committed_gen = gen;
	cfg.open_op = SL_TXN_NONE;
	if (config) {
		cfg.config_digest = digest;
		cfg.applied = 1;
	}
	if (cfg_write(p, &cfg, err))
		return -1;
	p->cfg = cfg;
	sets_lists_settle(next, true);
	sets_txn_point(p);
	/* 5. clean up (a start finishes it if we die): flushed maps pinned in
	 * place of the old, sets the new generation lacks freed */
	for (int i = 0; i < t->nflushed; i++) {
		struct sets_txn_flush *f = &t->flushed[i];

		sets_flush_pins_commit(p, f->s);
		close(f->fd);
		if (f->cfd >= 0)
			close(f->cfd);
		sets_txn_point(p);
	}
	for (int i = 0; i < t->before->nsets; i++)
		if (!holds(next, t->before->set[i])) {
			sets_map_free(p, t->before->set[i]);
			sets_txn_point(p);
		}
	for (int i = 0; i < t->ncreated; i++)
		if (!holds(next, t->created[i]))
			sets_map_free(p, t->created[i]); /* made, then left out: nobody's */
	if (next != &p->live)
		p->live = *next;
	txn_end(p);
	return 0;
}

void sets_txn_abort(struct sets_priv *p, struct sets_catalog *next)
{
	struct sets_txn *t = &p->txn;
	struct sl_error e = { 0 };

	(void)next; /* what it made is in t->created, whichever catalog holds it */
	if (t->op == SL_TXN_NONE)
		return;
	/* the lists' members as committed, before the hooks are compiled from them */
	sets_lists_settle(t->before, false);
	if (t->synced && rules_sync(p, t->before, &e)) {
		sl_err("sets: cannot put the hooks back: %s", e.msg);
		t->hooks_unsure = true;
	}
	while (t->nflushed > 0) {
		struct sets_txn_flush *f = &t->flushed[--t->nflushed];

		sets_flush_unstage(p, f->s, f->fd, f->cfd);
	}
	while (t->ncreated > 0)
		sets_map_free(p, t->created[--t->ncreated]);
	p->live = *t->before;
	for (int i = 0; i < p->live.nsets; i++)
		snprintf(p->live.set[i]->spec.name, sizeof(p->live.set[i]->spec.name), "%s", t->names[i]);
	/* the names are the committed ones again: so is the directory */
	if (t->synced && dir_write(p, &p->live, &e))
		sl_err("%s", e.msg);
	/* closed again, unless a hook may still run the aborted rules: then the
	 * next start re-syncs every hook */
	if (t->opened && !t->hooks_unsure && cfg_write(p, &p->cfg, &e))
		sl_err("%s", e.msg);
	txn_end(p);
}

/* --- a start ---------------------------------------------------------------------------- */

int sets_txn_recover(struct sets_priv *p, struct sl_error *err)
{
	uint32_t key = 0;
	struct sl_sets_config *cfg = &p->cfg;
	bool open;
	int freed;

	if (bpf_map_lookup_elem(p->shared_fd[SM_CFG], &key, cfg))
		memset(cfg, 0, sizeof(*cfg));
	open = cfg->open_gen != cfg->committed_gen;
	if (sets_maps_adopt(p, &p->live, (int)(cfg->committed_gen & 1), err) ||
	    rules_adopt(p, &p->live, (int)(cfg->committed_gen & 1), err))
		return -1;
	p->txn.op = TXN_RECOVER;
	if (open) {
		/* the hooks may run the open generation's rules, some of them: every
		 * one reloaded from the committed rules (adopted hooks always reload) */
		sets_txn_point(p);
		if (rules_sync(p, &p->live, err)) {
			p->txn.op = SL_TXN_NONE;
			return -1;
		}
	}
	sets_txn_point(p);
	/* other features find the committed sets by name; then nothing
	 * reaches the other slots: free what a dead daemon left */
	if (dir_write(p, &p->live, err)) {
		p->txn.op = SL_TXN_NONE;
		return -1;
	}
	freed = sets_maps_sweep(p);
	p->txn.op = SL_TXN_NONE;
	if (open) {
		sl_info("sets: a %s cut short (generation %llu) rolled back to generation %llu: hooks re-synced, "
			"%d slots freed", sets_txn_op_name((enum sl_txn_op)cfg->open_op),
			(unsigned long long)cfg->open_gen, (unsigned long long)cfg->committed_gen, freed);
		/* an apply's config was never made: the start applies it again */
		p->reapply = cfg->open_op == SL_TXN_RELOAD || cfg->open_op == SL_TXN_APPLY;
		cfg->open_gen = cfg->committed_gen;
		cfg->open_op = SL_TXN_NONE;
		return cfg_write(p, cfg, err);
	}
	if (freed)
		sl_info("sets: generation %llu was committed; its cleanup finished now (%d slots freed)",
			(unsigned long long)cfg->committed_gen, freed);
	return 0;
}
