/* ipset-like sets and rules: the daemon module.
 *
 * Sets live in the kernel as pinned maps, like ipset's sets: `set` and
 * `rule` commands at run time change them in place (sets_run()), each all
 * or nothing. A config file's set and rule lines are validated when staged
 * and kept as a journal; apply() replays the journal onto fresh maps in
 * free slots, then switches every hook's program over to them
 * (bpf_link_update) and only then frees the old sets. So a start or reload
 * makes the sets exactly what the config says, and no packet sees a set
 * half built. Each of these changes is one transaction (txn.c), with
 * one commit point a crash cannot split. `sluicectl save` prints the live
 * sets and rules, so saving and loading that reproduces them. */
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/pin.h"
#include "lib/bpf_obj.h"
#include "lib/hash.h"
#include "features/sets/sets.h"
#include "features/sets/stage.h"
#include "sets.skel.h"

#define GC_MS 200      /* expired entries are collected this often, */
#define GC_BUDGET 4096 /* looking at this many keys each time */

/* --- the config journal --------------------------------------------------------- */

static void state_init(void *st)
{
	memset(st, 0, sizeof(struct sets_state));
}

static void state_free(void *st)
{
	struct sets_state *s = st;

	free(s->journal);
	free(s->lineno);
	free(s->spec);
	free(s->rule);
	sets_stage_free(s->stage);
	memset(s, 0, sizeof(*s));
}

static int journal_add(struct sets_state *s, const char *line, int lineno, struct sl_error *err)
{
	size_t n = strlen(line) + 1;

	if (s->nlines == s->lines_cap) {
		size_t cap = s->lines_cap ? s->lines_cap * 2 : 256;
		int *l = realloc(s->lineno, cap * sizeof(*l));

		if (!l)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		s->lineno = l;
		s->lines_cap = cap;
	}
	s->lineno[s->nlines] = lineno;

	if (s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		char *j;

		while (cap < s->len + n)
			cap *= 2;
		j = realloc(s->journal, cap);
		if (!j)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		s->journal = j;
		s->cap = cap;
	}
	memcpy(s->journal + s->len, line, n);
	s->len += n;
	s->nlines++;
	/* over the lines and their ends */
	s->digest = sl_fnv1a(s->digest ? s->digest : SL_FNV1A_INIT, line, n);
	return 0;
}

static const struct sl_set_spec *stage_lookup(const char *name, void *ctx)
{
	const struct sets_state *s = ctx;

	for (int i = 0; i < s->nspecs; i++)
		if (!strcmp(s->spec[i].name, name))
			return &s->spec[i];
	return NULL;
}

static int stage_spec_index(const struct sets_state *s, const char *name)
{
	const struct sl_set_spec *spec = stage_lookup(name, (void *)s);

	return spec ? (int)(spec - s->spec) : -1;
}

/* the command's ipset words after `set VERB` */
int sets_cmd_words(const struct sl_cmd *cmd, char *argv[], int cols[], int *end_col)
{
	const struct sl_token *last = &cmd->toks.tok[cmd->toks.n - 1]; /* never empty */

	*end_col = last->col + (int)strlen(last->text) + 1;
	return sl_rest(cmd, argv, cols);
}

static int parse_set_cmd(const struct sl_cmd *cmd, sl_set_lookup_fn lookup, void *ctx, struct sl_set_line *l,
			 struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], end_col;
	int argc = sets_cmd_words(cmd, argv, cols, &end_col), col = cols[0];

	if (sl_set_args_parse((enum sl_set_cmd)cmd->spec->op, argc, argv, cols, end_col, lookup, ctx, l, err) < 0)
		return -1;
	if (l->cmd != SL_SETCMD_CREATE)
		return 0;
	for (int i = 2; i + 1 < argc; i++)
		if (!strcmp(argv[i], "maxelem"))
			col = cols[i + 1];
	return sets_spec_check(&l->spec, col, err);
}

static int stage_rule(struct sets_state *s, const struct sl_cmd *cmd, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], end_col;
	int argc = sets_cmd_words(cmd, argv, cols, &end_col);
	struct rules_rule r;
	const struct sl_set_spec *spec;

	if (rules_parse(argc, argv, cols, &r, err))
		return -1;
	if (r.id != RULES_ID_NONE)
		return sl_fail(err, SL_E_USAGE, cols[0], "a config file names rules by what they match, not by id");
	if (r.match == SL_MATCH_SET) {
		spec = stage_lookup(r.set, s);
		if (!spec)
			return sl_fail(err, SL_E_USAGE, 0, "rule: set '%s' does not exist (create it on an earlier line)",
				       r.set);
		if (rules_check_dims(&r, spec, err))
			return -1;
	}
	if (cmd->spec->op == SETS_OP_RULE_DEL) {
		for (int i = 0; i < s->nrules; i++)
			if (rules_same(&s->rule[i], &r)) {
				memmove(&s->rule[i], &s->rule[i + 1], (size_t)(s->nrules - i - 1) * sizeof(r));
				s->nrules--;
				return 0;
			}
		return sl_fail(err, SL_E_USAGE, 0, "rule del: no such rule on an earlier line");
	}
	if (s->nrules == RULES_MAX_TOTAL)
		return sl_fail(err, SL_E_USAGE, 0, "at most %d rules", RULES_MAX_TOTAL);
	if (!(s->nrules % 64)) {
		struct rules_rule *n = realloc(s->rule, (size_t)(s->nrules + 64) * sizeof(*n));

		if (!n)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		s->rule = n;
	}
	s->rule[s->nrules++] = r;
	return 0;
}

/* what a set line does to the staging view of names, specs and entries;
 * `col` is the element's column */
static int stage_set(struct sets_state *s, const struct sl_set_line *l, int col, struct sl_error *err)
{
	int i = stage_spec_index(s, l->name), j;

	switch (l->cmd) {
	case SL_SETCMD_CREATE:
		if (i >= 0 && l->exist && sets_specs_equal(&s->spec[i], &l->spec))
			return 0; /* -exist: the same set again is fine, as ipset has it */
		if (i >= 0)
			return sl_fail(err, SL_E_USAGE, 0, "set '%s' is created twice", l->name);
		if (s->nspecs == SL_SET_SLOTS / 2)
			return sl_fail(err, SL_E_USAGE, 0, "at most %d sets in a config file", SL_SET_SLOTS / 2);
		if (!(s->nspecs % 16)) {
			struct sl_set_spec *n = realloc(s->spec, (size_t)(s->nspecs + 16) * sizeof(*n));

			if (!n)
				return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
			s->spec = n;
		}
		if (sets_stage_created(&s->stage, s->nspecs))
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		s->spec[s->nspecs++] = l->spec;
		return 0;
	case SL_SETCMD_TEST:
		return sl_fail(err, SL_E_USAGE, 0, "set test is a question, not configuration");
	case SL_SETCMD_ADD:
	case SL_SETCMD_DEL:
		if (sl_set_types[s->spec[i].type].list) { /* its members, as the kernel would take them */
			if (!sets_stage_list_adt(s->stage, i, &s->spec[i], stage_lookup, s, l, err))
				return 0;
			err->col = err->col ? err->col : col; /* at the element */
			return -1;
		}
		/* the set exists (the parser looked it up): refuse what the kernel would */
		return sets_stage_adt(s->stage, i, &s->spec[i], l, col, err);
	case SL_SETCMD_FLUSH:
	case SL_SETCMD_DESTROY:
		if (*l->name && i < 0)
			return sets_no_set(l->name, err);
		if (l->cmd == SL_SETCMD_FLUSH) {
			for (int k = 0; k < s->nspecs; k++)
				if (!*l->name || k == i)
					sets_stage_flushed(s->stage, k);
			return 0;
		}
		/* destroying every set: refused while a list holds one, as the kernel */
		for (int k = 0; !*l->name && k < s->nspecs; k++)
			if (sets_stage_list_holds(s->stage, s->spec[k].name))
				return sl_fail(err, SL_E_USAGE, 0, "set cannot be destroyed: it is in use by a list:set: %s",
					       s->spec[k].name);
		for (int k = s->nspecs - 1; k >= 0; k--) {
			if (*l->name && k != i)
				continue;
			if (sets_rules_using(s->rule, s->nrules, s->spec[k].name))
				return sl_fail(err, SL_E_USAGE, 0, "set '%s' is used by a rule", s->spec[k].name);
			if (sets_stage_list_holds(s->stage, s->spec[k].name))
				return sl_fail(err, SL_E_USAGE, 0, "set cannot be destroyed: it is in use by a list:set: %s",
					       s->spec[k].name);
			memmove(&s->spec[k], &s->spec[k + 1], (size_t)(s->nspecs - k - 1) * sizeof(s->spec[0]));
			sets_stage_removed(s->stage, k);
			s->nspecs--;
		}
		return 0;
	case SL_SETCMD_RENAME:
	case SL_SETCMD_SWAP:
		j = stage_spec_index(s, l->name2);
		if (i < 0)
			return sets_no_set(l->name, err);
		if (l->cmd == SL_SETCMD_RENAME) {
			if (j >= 0)
				return sl_fail(err, SL_E_USAGE, 0, "set '%s' already exists", l->name2);
			if (sets_stage_list_holds(s->stage, l->name))
				return sl_fail(err, SL_E_USAGE, 0, "set cannot be renamed: it is in use by a list:set: %s",
					       l->name);
			for (int k = 0; k < s->nrules; k++)
				if (!strcmp(s->rule[k].set, l->name))
					snprintf(s->rule[k].set, sizeof(s->rule[k].set), "%s", l->name2);
			snprintf(s->spec[i].name, sizeof(s->spec[i].name), "%s", l->name2);
			return 0;
		}
		if (j < 0)
			return sets_no_set(l->name2, err);
		if (s->spec[i].type != s->spec[j].type || s->spec[i].family != s->spec[j].family ||
		    sets_class_of(&s->spec[i]) != sets_class_of(&s->spec[j]))
			return sl_fail(err, SL_E_USAGE, 0, "sets '%s' and '%s' differ in type (or layout: %s, %s)",
				       l->name, l->name2, sets_layout_name(sets_class_of(&s->spec[i])),
				       sets_layout_name(sets_class_of(&s->spec[j])));
		snprintf(s->spec[i].name, sizeof(s->spec[i].name), "%s", l->name2);
		snprintf(s->spec[j].name, sizeof(s->spec[j].name), "%s", l->name);
		return 0;
	default:
		return 0;
	}
}

int sets_stage(void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sets_state *s = st;
	char line[SL_MAX_LINE + 1];

	if (sets_op_is_rule(cmd->spec->op)) {
		if (stage_rule(s, cmd, err))
			return -1;
	} else {
		struct sl_set_line *l = malloc(sizeof(*l));
		char *argv[SL_MAX_TOKENS];
		int cols[SL_MAX_TOKENS], end_col, rc;

		if (!l)
			return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
		/* NAME ELEM ...: an entry's error points at the element */
		rc = sets_cmd_words(cmd, argv, cols, &end_col);
		rc = parse_set_cmd(cmd, stage_lookup, s, l, err) ||
		     stage_set(s, l, rc > 1 ? cols[1] : cmd->toks.tok[0].col, err);
		free(l);
		if (rc)
			return -1;
	}
	if (sl_cmd_format(cmd, false, line, sizeof(line)) < 0)
		return sl_fail(err, SL_E_USAGE, 0, "command too long");
	return journal_add(s, line, cmd->line, err);
}

/* --- the shared maps and BTF ----------------------------------------------------------- */

static const char *const class_map_names[SL_CLASS_COUNT] = {
#define X(cls, name, key) [cls] = SL_STR(name),
	SL_SET_CLASSES(X)
	SL_SET_PLAIN_CLASSES(X, X)
#undef X
};

/* each class's map key and value types, by their names in the object's BTF */
static const struct {
	const char *key, *value;
} class_types[SL_CLASS_COUNT] = {
#define X(cls, name, key) [cls] = { SL_STR(key), "sl_set_value" },
#define T(cls, name, bucket) [cls] = { "__u32", SL_STR(bucket) },
#define L(cls, name, key) [cls] = { SL_STR(key), "sl_set_nvalue" },
	SL_SET_CLASSES(X)
	SL_SET_PLAIN_CLASSES(T, L)
#undef X
#undef T
#undef L
};

static const char *const sets_shared_map_names[SM_COUNT] = {
	[SM_META] = SL_STR(SL_SET_META_MAP), [SM_RSTAT] = SL_STR(SL_RULE_STATS_MAP),
	[SM_HSTAT] = SL_STR(SL_HOOK_STATS_MAP), [SM_HOOKS] = SL_STR(SL_HOOK_META_MAP),
	[SM_RULES] = SL_STR(SL_RULE_META_MAP), [SM_CFG] = SL_STR(SL_SET_CFG_MAP),
	[SM_DIR] = SL_STR(SL_SET_DIR_MAP), [SM_USE] = SL_STR(SL_SET_USE_MAP),
};

static void type_ids(struct sets_priv *p)
{
	const struct btf *btf = bpf_object__btf(p->base);
	int id;

	bool all = btf;

	p->btf_fd = btf ? btf__fd(btf) : -1;
	for (int c = 0; btf && c < SL_CLASS_COUNT; c++) {
		const char *key = class_types[c].key;

		id = btf__find_by_name_kind(btf, key, strncmp(key, "sl_", 3) ? BTF_KIND_TYPEDEF : BTF_KIND_STRUCT);
		p->key_type_id[c] = id > 0 ? (uint32_t)id : 0;
		id = btf__find_by_name_kind(btf, class_types[c].value, BTF_KIND_STRUCT);
		p->value_type_id[c] = id > 0 ? (uint32_t)id : 0;
		all &= p->key_type_id[c] && p->value_type_id[c];
	}
	id = btf ? btf__find_by_name_kind(btf, "sl_set_comment", BTF_KIND_STRUCT) : -1;
	p->comment_type_id = id > 0 ? (uint32_t)id : 0;
	id = btf ? btf__find_by_name_kind(btf, "__u32", BTF_KIND_TYPEDEF) : -1;
	p->list_key_type_id = id > 0 ? (uint32_t)id : 0;
	id = btf ? btf__find_by_name_kind(btf, "sl_set_list", BTF_KIND_STRUCT) : -1;
	p->list_type_id = id > 0 ? (uint32_t)id : 0;
	all &= p->list_key_type_id && p->list_type_id;
	if (!all || !p->comment_type_id)
		sl_warn("sets: no BTF for the set types; bpftool shows set entries as hex");
}

/* Open (creating or reusing the pinned) shared maps, then what a daemon
 * before us left: the sets in the meta map, the hooks in the hook map. */
int sets_ensure_loaded(const struct sl_env *env, struct sets_priv *p, struct sl_error *err)
{
	struct sets_bpf *skel;

	if (p->loaded)
		return 0;
	snprintf(p->pin_root, sizeof(p->pin_root), "%s", env->pin_root);
	skel = sets_bpf__open();
	if (!skel)
		return sl_fail(err, SL_E_KERNEL, 0, "sets: cannot open the BPF object: %s", strerror(errno));
	/* the maps and the BTF only: each hook loads its own programs */
	if (sets_maps_check_versions(env->pin_root, err) || sl_obj_load_maps("sets", skel->obj, env->pin_root, err)) {
		sets_bpf__destroy(skel);
		return -1;
	}
	p->base = skel->obj;
	skel->obj = NULL; /* the skeleton wrapper goes; the object stays ours */
	sets_bpf__destroy(skel);
	if (sl_obj_map_fds("sets", p->base, class_map_names, SL_CLASS_COUNT, p->outer_fd, err) ||
	    sl_obj_map_fds("sets", p->base, sets_shared_map_names, SM_COUNT, p->shared_fd, err))
		return -1;
	type_ids(p);
	/* the committed state, whatever a dead daemon was doing */
	if (sets_txn_recover(p, err))
		return -1;
	p->loaded = true;
	return 0;
}

/* --- one command on a catalog ---------------------------------------------------------------- */

static int exec_rule(struct sets_priv *p, struct sets_catalog *c, const struct sl_cmd *cmd, struct sl_error *err)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], end_col;
	int argc = sets_cmd_words(cmd, argv, cols, &end_col);
	struct rules_rule r;

	if (rules_parse(argc, argv, cols, &r, err))
		return -1;
	if (cmd->spec->op == SETS_OP_RULE_DEL)
		return rules_del(c, &r, err);
	return rules_add(p, c, &r, err);
}

/* A config command onto catalog `c` (live, or a shadow being built). */
static int exec_cmd(struct sets_priv *p, struct sets_catalog *c, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sl_set_line *l;
	int rc;

	if (sets_op_is_rule(cmd->spec->op))
		return exec_rule(p, c, cmd, err);
	l = malloc(sizeof(*l));
	if (!l)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	rc = parse_set_cmd(cmd, sets_lookup_spec, c, l, err);
	if (!rc)
		rc = sets_cmd_line(p, c, l, err);
	free(l);
	return rc;
}

/* The transaction a run-time command is; SL_TXN_NONE for entries (add,
 * del, test), changed in place as ipset changes them. */
static enum sl_txn_op run_op(const struct sl_cmd *cmd)
{
	switch (cmd->spec->op) {
	case SL_SETCMD_CREATE: return SL_TXN_CREATE;
	case SL_SETCMD_FLUSH: return SL_TXN_FLUSH;
	case SL_SETCMD_DESTROY: return SL_TXN_DESTROY;
	case SL_SETCMD_RENAME: return SL_TXN_RENAME;
	case SL_SETCMD_SWAP: return SL_TXN_SWAP;
	case SETS_OP_RULE_ADD:
	case SETS_OP_RULE_DEL: return SL_TXN_RULE;
	default: return SL_TXN_NONE;
	}
}

/* add / del on a list:set: the programs of its rules are compiled from its
 * members, so the change is a transaction */
static bool names_list(const struct sets_priv *p, const struct sl_cmd *cmd)
{
	char *argv[SL_MAX_TOKENS];
	int cols[SL_MAX_TOKENS], end_col, argc = sets_cmd_words(cmd, argv, cols, &end_col);
	const struct sets_set *s = argc > 0 ? sets_find(&p->live, argv[0]) : NULL;

	return (cmd->spec->op == SL_SETCMD_ADD || cmd->spec->op == SL_SETCMD_DEL) && s && s->list;
}

int sets_run(const struct sl_env *env, void *priv, void *st, const struct sl_cmd *cmd, struct sl_error *err)
{
	struct sets_priv *p = priv;
	enum sl_txn_op op = run_op(cmd);

	(void)st; /* run-time changes live in the kernel; the journal is the config's */
	if (sets_ensure_loaded(env, p, err))
		return -1;
	if (op == SL_TXN_NONE && names_list(p, cmd))
		op = SL_TXN_LIST;
	if (op == SL_TXN_NONE)
		return exec_cmd(p, &p->live, cmd, err);
	/* the catalog changes in memory; the commit makes it the kernel's */
	if (sets_txn_begin(p, op, err))
		return -1;
	if (exec_cmd(p, &p->live, cmd, err) || sets_txn_commit(p, &p->live, false, 0, err)) {
		sets_txn_abort(p, &p->live);
		return -1;
	}
	return 0;
}

/* --- apply: replay the journal onto fresh sets, then switch ----------------------------------- */

static int replay(struct sets_priv *p, const struct sets_state *s, struct sets_catalog *shadow, struct sl_error *err)
{
	struct sl_cmd *cmd = malloc(sizeof(*cmd));
	const char *line = s->journal;
	int rc = 0;

	if (!cmd)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	for (size_t i = 0; i < s->nlines && !rc; i++, line += strlen(line) + 1) {
		if (sl_parse_line(line, cmd, err) != 1 || exec_cmd(p, shadow, cmd, err)) {
			char msg[sizeof(err->msg)];

			/* the journal line is the config's command, canonically spelled */
			memcpy(msg, err->msg, sizeof(msg));
			snprintf(err->msg, sizeof(err->msg), "%.200s: %.300s", line, msg);
			err->col = 0;
			err->line = s->lineno[i]; /* the config file's line (0 at run time) */
			rc = -1;
		}
	}
	free(cmd);
	return rc;
}

/* -1 with err set when the pin root holds sets pins of another layout
 * (refused even when no set is configured, as a load would refuse them) */
static int pins_of_another_layout(const char *root, struct sl_error *err)
{
	for (int m = 0; m < SM_COUNT; m++)
		if (sl_pin_check_family(root, sets_shared_map_names[m], err))
			return -1;
	for (int c = 0; c < SL_CLASS_COUNT; c++)
		if (sl_pin_check_family(root, class_map_names[c], err))
			return -1;
	return sl_pin_check_family(root, SL_SET_SLOT_MAP_PREFIX, err) ||
	       sl_pin_check_family(root, SL_SET_CMT_MAP_PREFIX, err) ? -1 : 0;
}

static int apply(const struct sl_env *env, void *priv, const void *st, bool replace, struct sl_error *err)
{
	const struct sets_state *s = st;
	struct sets_priv *p = priv;
	struct sets_catalog *shadow;

	if (!p->loaded && !s->nlines) {
		/* no set or rule line, and none left by an earlier daemon (no
		 * commit record): nothing to load, nothing pinned */
		int fd = sl_pin_open(env->pin_root, SL_PIN_MAPS, SL_STR(SL_SET_CFG_MAP));

		if (fd < 0)
			return pins_of_another_layout(env->pin_root, err);
		close(fd);
	}
	if (sets_ensure_loaded(env, p, err))
		return -1;
	if (!replace && p->applied && p->live_digest == s->digest)
		return 0;
	/* (an empty config is never applied, so its sets are all run-time ones) */
	if (!replace && !p->applied && !p->reapply &&
	    (p->cfg.applied ? p->cfg.config_digest == s->digest : !s->nlines)) {
		/* a restart on the config the committed state came from: keep
		 * it, with what changed at run time */
		p->applied = true;
		p->live_digest = s->digest;
		return 0;
	}
	shadow = calloc(1, sizeof(*shadow));
	if (!shadow)
		return sl_fail(err, SL_E_KERNEL, 0, "out of memory");
	/* the new sets are built beside the old; the commit switches the hooks
	 * to them and then frees the old */
	if (sets_txn_begin(p, replace ? SL_TXN_RELOAD : SL_TXN_APPLY, err)) {
		free(shadow);
		return -1;
	}
	if (replay(p, s, shadow, err) || sets_txn_commit(p, shadow, true, s->digest, err)) {
		sets_txn_abort(p, shadow);
		free(shadow);
		return -1;
	}
	free(shadow);
	p->live_digest = s->digest;
	p->applied = true;
	p->reapply = false;
	return 0;
}

/* --- save, collect, release ----------------------------------------------------------------------------- */

static void save(void *priv, const void *st, FILE *out)
{
	const struct sets_state *s = st;
	struct sets_priv *p = priv;

	if (!p || !p->loaded) {
		const char *line = s->journal;

		for (size_t i = 0; i < s->nlines; i++, line += strlen(line) + 1)
			fprintf(out, "%s\n", line);
		return;
	}
	{
		struct sl_error e = { 0 };

		if (sets_save_text(&p->live, NULL, "set ", out, &e))
			fprintf(out, "# sets: %s\n", e.msg);
	}
	for (int i = 0; i < p->live.nrules; i++) {
		char words[SL_MAX_LINE];

		if (rules_format(&p->live.rule[i], words, sizeof(words)) >= 0)
			fprintf(out, "rule add %s\n", words);
	}
}

static void collect(void *priv)
{
	struct sets_priv *p = priv;
	long budget = GC_BUDGET;

	/* expired entries are already absent to the dataplane; this frees them */
	for (int n = 0; n < p->live.nsets && budget > 0; n++) {
		struct sets_set *s;

		if (p->gc_pos >= p->live.nsets)
			p->gc_pos = 0;
		s = p->live.set[p->gc_pos];
		/* (a list's expired members are left out wherever it is read) */
		if ((s->spec.flags & SL_SET_F_TIMEOUT) && !s->list)
			budget -= sets_map_collect(s, p->gc_key, &p->gc_key_valid, budget);
		else
			p->gc_key_valid = false;
		if (!p->gc_key_valid)
			p->gc_pos++;
		else
			break;
	}
}

static const struct sl_feature_timer timers[] = {
	{ GC_MS, collect },
	{ 0 },
};

static void priv_init(void *priv)
{
	struct sets_priv *p = priv;

	p->btf_fd = -1;
	for (int c = 0; c < SL_CLASS_COUNT; c++)
		p->outer_fd[c] = -1;
	for (int m = 0; m < SM_COUNT; m++)
		p->shared_fd[m] = -1;
	for (int h = 0; h < SL_HOOKS_MAX; h++) {
		p->hook[h].prog_fd = -1;
		sl_att_init(&p->hook[h].att);
	}
}

static void release(void *priv)
{
	struct sets_priv *p = priv;

	sets_catalog_close(&p->live);
	rules_release(p);
	bpf_object__close(p->base); /* closes the shared map fds too */
	p->base = NULL;
	p->loaded = false;
	priv_init(p);
}

const struct sl_feature sl_sets_feature = {
	.name = "set",
	.also = "rule",
	.state_size = sizeof(struct sets_state),
	.priv_size = sizeof(struct sets_priv),
	.priv_init = priv_init,
	.state_init = state_init,
	.state_free = state_free,
	.apply = apply,
	.save = save,
	.status = sets_status,
	.timers = timers,
	.release = release,
};
