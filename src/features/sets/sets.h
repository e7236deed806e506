/* The sets feature: ipset's sets as pinned BPF maps, and the rules that
 * match them on a device's XDP ingress or tc hooks. It owns the set and rule
 * maps, the hook programs and their links, under <pin root>/maps and /links.
 * This header is what its files share:
 *
 *   cmds.c          the grammar (set ..., rule ...) with each command's
 *                   handler, shared with sluicectl
 *   module.c        the module: config journal, apply, run, save
 *   txn.c           transactions: the one commit point of every change, and
 *                   the recovery a start runs (what a crash left, undone)
 *   maps.c          one set's BPF maps: create, flush, pin, adopt, free
 *   elem_codec.c    an element as key and value bytes, and back (no kernel)
 *   entries.c       a set's entries in its maps: lookups, test, comments, walks
 *   expiry.c        expired entries collected
 *   ptab.c          plain sets' bucket tables: place, find, move, walk
 *   catalog.c       ipset's commands on a catalog of sets, ipset's errors
 *   restore_body.c  set restore: a streamed input as one transaction
 *   stage.c         the entries a config's set lines leave, checked unapplied
 *   lists.c         list:set: members by name, in order, in the catalog's banks
 *   show.c          list / save output
 *   query.c         the read commands and status
 *   rules.c         rule syntax
 *   hooks.c         compiling rules into hook programs, attach, counters
 *   ipset/          the ipset language alone (types, elements, save lines):
 *                   no kernel, shared with the fuzzers and unit tests
 *
 * Sets live in the kernel (pinned maps); the daemon keeps their catalog
 * (names, specs, slots, fds) in sets_priv. */
#ifndef SLUICE_FEATURES_SETS_H
#define SLUICE_FEATURES_SETS_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

#include "core/feature.h"
#include "features/sets/ipset/ipset.h"
#include "lib/attach.h"
#include "lib/slots.h"
#include "sluice/sets.h"

/* --- one set ------------------------------------------------------------------- */

/* A plain set's bucket table (ptab.c), beside its map's fd. */
struct sets_ptab {
	uint8_t cls;                /* a plain class with buckets (sl_set_class_is_ptab) */
	uint32_t slots, words;      /* per bucket; per key */
	uint32_t bsize;             /* bytes per bucket */
	uint32_t nbuckets;          /* the map's max_entries */
	long count;                 /* entries; -1 until counted */
	uint8_t *mem;               /* held: the whole table, written at sync */
	uint8_t *dirty;             /* held: per bucket, changed since */
};

struct sets_set {
	struct sl_set_spec spec;    /* name inside */
	int slot;                   /* index in the class's outer map and the meta map */
	int map_fd;                 /* maps/SL_SET_SLOT_MAP_PREFIX<slot> */
	int cmt_fd;                 /* maps/SL_SET_CMT_MAP_PREFIX<slot> (comment or skbinfo sets), else -1 */
	uint8_t cls;                /* enum sl_set_class: plain classes are the compact layout */
	struct sets_ptab pt;        /* plain bucket tables: the table of map_fd */
	/* list:set (cls SL_CLASS_LIST): its members as the open transaction
	 * makes them, and as committed (an abort puts those back); NULL else */
	struct sl_set_list *list, *list_committed;
};

/* --- rules ----------------------------------------------------------------------- */

#define SL_NETNS_NAME_MAX 32
#define SL_DEV_NAME_MAX 16

/* the pinned numbers (enum sl_hook_dir), under the rules' own names */
enum rules_dir { RULES_INGRESS = SL_DIR_INGRESS, RULES_EGRESS = SL_DIR_EGRESS };

struct rules_rule {
	char netns[SL_NETNS_NAME_MAX];  /* "" = the daemon's own */
	char dev[SL_DEV_NAME_MAX];
	uint8_t dir;                    /* enum rules_dir */
	uint32_t prio;
	char set[SL_SET_NAME_MAX + 1];
	uint8_t ndirs;                  /* DIR words given, up to SL_SET_DIRS_MAX */
	uint8_t src_dims;               /* bit i: dimension i is src */
	bool invert;
	uint8_t action;                 /* enum sl_rule_action */
	uint8_t match;                  /* enum sl_rule_match; set is "" for SL_MATCH_UNPARSED */
	uint16_t id;                    /* counter slot; 0xffff until assigned */
};

#define RULES_DEFAULT_PRIO 100
#define RULES_MAX_TOTAL SL_RULES_TOTAL
#define RULES_ID_NONE 0xffff

/* `rule add`/`rule del` words (after those two words) into a rule; `id N`
 * gives a rule with only its id set. */
int rules_parse(int argc, char *const argv[], const int *cols, struct rules_rule *r, struct sl_error *err);
/* A rule names a direction for every dimension of its set. */
int rules_check_dims(const struct rules_rule *r, const struct sl_set_spec *spec, struct sl_error *err);
const char *rules_action_name(uint8_t action);
/* "src,dst,..." of a rule's directions */
void rules_dirs(const struct rules_rule *r, char *out, size_t size);
/* The words of a rule as `rule add` takes them. */
int rules_format(const struct rules_rule *r, char *out, size_t size);
bool rules_same(const struct rules_rule *a, const struct rules_rule *b); /* all but id */
bool rules_same_hook(const struct rules_rule *a, const struct rules_rule *b);

/* --- a catalog: the sets and rules of one state ---------------------------------- */

struct sets_catalog {
	struct sets_set *set[SL_SET_SLOTS];   /* by position, first nsets used */
	int nsets;
	struct rules_rule rule[RULES_MAX_TOTAL];
	int nrules;
};

struct sets_set *sets_find(const struct sets_catalog *c, const char *name);
/* ipset's "does not exist" for `name`; returns -1 */
int sets_no_set(const char *name, struct sl_error *err);
/* how many of `rules` match on the set `name` */
int sets_rules_using(const struct rules_rule *rules, int nrules, const char *name);
/* sl_set_lookup_fn over a catalog (ctx) */
const struct sl_set_spec *sets_lookup_spec(const char *name, void *catalog);

/* --- attached hooks ---------------------------------------------------------------- */

struct sets_hook {
	bool used;
	char netns[SL_NETNS_NAME_MAX];
	char dev[SL_DEV_NAME_MAX];
	uint8_t dir;
	uint32_t ifindex;
	struct sl_att att;              /* XDP link on ingress; tcx link or tc filter on egress */
	int prog_fd;                    /* the program it runs, when known; ours */
	struct sl_rule compiled[SL_RULES_MAX]; /* what prog_fd was loaded with */
	int ncompiled;                  /* -1: unknown (adopted) */
};

/* --- transactions (txn.c) ------------------------------------------------------ */

/* A committed set a flush in the open transaction replaces with empty maps:
 * the set holds the new fds (pinned beside the old as "<pin>__new") and
 * this keeps the committed ones until the commit. */
struct sets_txn_flush {
	struct sets_set *s;
	int fd, cfd;
};

/* The open transaction. Every change to the sets and rules of the live
 * catalog runs in one: sets it makes are freed if it fails; committed sets
 * the new catalog lacks are freed only after its commit. */
struct sets_txn {
	enum sl_txn_op op;              /* SL_TXN_NONE: none open */
	int step;                       /* the last fault point passed */
	struct sets_catalog *before;    /* the committed catalog, as it began */
	char (*names)[SL_SET_NAME_MAX + 1]; /* before's set names (rename and swap change them) */
	struct sets_set *created[SL_SET_SLOTS];
	int ncreated;
	struct sets_txn_flush flushed[SL_SET_SLOTS];
	int nflushed;
	bool opened;                    /* open_gen written: a crash from here is recovered */
	bool synced;                    /* the hooks run `next`'s rules */
	bool hooks_unsure;              /* a hook could not be switched back */
};

/* --- the module's runtime ------------------------------------------------------------- */

enum sets_shared_map { SM_META, SM_RSTAT, SM_HSTAT, SM_CFG, SM_HOOKS, SM_RULES, SM_DIR, SM_USE, SM_COUNT };

_Static_assert(SL_SET_SLOTS <= SL_SLOTS_MAX && SL_HOOKS_MAX <= SL_SLOTS_MAX, "sets' slots fit lib/slots.h");

struct sets_priv {
	bool loaded;                    /* shared maps open, live catalog read from pins */
	bool applied;                   /* live_digest is a config's */
	bool reapply;                   /* a start found a config's apply cut short: apply it again */
	struct sl_sets_config cfg;      /* the commit record as last written */
	struct sets_txn txn;
	struct bpf_object *base;        /* loaded once: creates/reuses the shared maps, BTF */
	int outer_fd[SL_CLASS_COUNT];
	int shared_fd[SM_COUNT];
	int btf_fd;
	uint32_t key_type_id[SL_CLASS_COUNT], value_type_id[SL_CLASS_COUNT], comment_type_id;
	uint32_t list_key_type_id, list_type_id; /* a list:set's map: __u32 -> struct sl_set_list */
	struct sl_slots slot_busy;      /* across the live and a shadow catalog */
	struct sets_catalog live;
	struct sets_hook hook[SL_HOOKS_MAX];
	uint64_t live_digest;           /* of the config journal the live catalog came from */
	/* background collection of expired entries */
	int gc_pos;                     /* next position in live.set[] */
	uint8_t gc_key[SL_SET_KEY_MAX];
	bool gc_key_valid;
	char pin_root[256];
};

/* The feature's config state: the config's set and rule lines, validated,
 * replayed by apply() onto fresh maps. */
struct sets_state {
	char *journal;                  /* NUL-separated command lines */
	size_t len, cap;
	int *lineno;                    /* per journal line: its line in the config */
	size_t nlines, lines_cap;
	uint64_t digest;                /* FNV-1a of the journal */
	/* staging view: the sets and rules after the lines so far */
	struct sl_set_spec *spec;       /* nspecs entries */
	int nspecs;
	struct rules_rule *rule;
	int nrules;
	struct sets_stage *stage;       /* per spec: the entries staged (stage.h) */
};

/* --- maps.c: lifecycle ----------------------------------------------------------- */

/* The set's class: its key class, plain (compact layout) without timeout,
 * counters and comment */
uint8_t sets_class_of(const struct sl_set_spec *spec);
/* "plain" (the compact layout) or the layout with entry values, for messages */
const char *sets_layout_name(uint8_t cls);
/* The entries a set holds at most: maxelem, or a bitmap:port's range */
uint32_t sets_capacity(const struct sl_set_spec *spec);
/* Create the set's map (and comment map) in a free slot, pin them, put the
 * map into its outer map and write its meta. */
int sets_map_create(struct sets_priv *p, const struct sl_set_spec *spec, struct sets_set **out,
		    struct sl_error *err);
/* A fresh empty map in place of the set's (flush: one pointer swap for
 * the dataplane), at once: for a set no committed state holds. */
int sets_map_flush(struct sets_priv *p, struct sets_set *s, struct sl_error *err);
/* Unpin, drop from the outer map, close, free. */
void sets_map_free(struct sets_priv *p, struct sets_set *s);
/* The set's record as a catalog bank keeps it */
void sets_meta_of(const struct sets_set *s, struct sl_set_meta *m);
/* A slot's map name, which is also its pin's under maps/ (fits
 * BPF_OBJ_NAME_LEN): SL_SET_SLOT_MAP_PREFIX or, for comments,
 * SL_SET_CMT_MAP_PREFIX, then the slot. */
void sets_slot_name(int slot, bool comments, char out[16]);
/* Refuse per-set map pins of another layout version (core/pin.h), before
 * the load creates anything. */
int sets_maps_check_versions(const char *pin_root, struct sl_error *err);
/* Open every set of catalog bank `bank` into `c` (daemon start): each
 * record's map is found by its id (the pin, or a flush's staged pin, which
 * then takes the pin's place) and put back into its outer map, so the
 * dataplane reaches what the record names; a set map of another layout is
 * refused. */
int sets_maps_adopt(struct sets_priv *p, struct sets_catalog *c, int bank, struct sl_error *err);
/* Free every slot no set of the live catalog holds: out of its outer map,
 * pins gone. Returns how many had something left. */
int sets_maps_sweep(struct sets_priv *p);
/* A committed set's flush inside the open transaction: empty maps made and
 * staged, the set holds them; sets_txn_commit switches (sets_outer_put)
 * and pins them (sets_flush_pins_commit); an abort puts the committed maps
 * `fd`, `cfd` back (sets_flush_unstage). */
int sets_flush_stage(struct sets_priv *p, struct sets_set *s, struct sl_error *err);
int sets_outer_put(struct sets_priv *p, const struct sets_set *s, int fd, struct sl_error *err);
void sets_flush_pins_commit(struct sets_priv *p, const struct sets_set *s);
void sets_flush_unstage(struct sets_priv *p, struct sets_set *s, int fd, int cfd);

uint64_t sets_now_ns(void);
uint64_t sets_map_memory(const struct sets_set *s); /* bytes, from fdinfo memlock */

/* --- elem_codec.c: entries as bytes ---------------------------------------------- */

int sets_key_size(const struct sets_set *s);
/* Key bytes of one expanded element; returns the key size. */
int sets_elem_key(const struct sets_set *s, const struct sl_set_elem *e, void *key);
/* The value a new entry gets (timeout, counters, nomatch, cidr) */
void sets_entry_value(const struct sets_set *s, const struct sl_set_elem *e, struct sl_set_value *v);
/* A map's value bytes in the set's layout (class `cls`): their size (0:
 * none, a bucket table), and struct sl_set_value to and from them. */
uint32_t sets_value_size(uint8_t cls);
void sets_value_encode(uint8_t cls, const struct sl_set_value *v, void *raw);
void sets_value_decode(uint8_t cls, const void *raw, struct sl_set_value *v);
/* The element of a key and value (for printing). */
void sets_entry_elem(const struct sets_set *s, const void *key, const struct sl_set_value *v,
		     struct sl_set_elem *e);

/* --- entries.c: a set's entries in the kernel ------------------------------------ */

/* Keep (or drop, without one) the element's comment in a comment set */
void sets_comment_put(const struct sets_set *s, const void *key, const struct sl_set_elem *e);
/* Add or replace one entry (any layout); ipset's "hash is full" at maxelem
 * (expired entries collected first to make room) */
int sets_entry_put(struct sets_set *s, const void *key, const struct sl_set_value *v, struct sl_error *err);
/* n entries (keys of the set's key size, back to back) as one batch where
 * the layout has batches; *done: how many were written before a refusal */
int sets_entries_put(struct sets_set *s, const uint8_t *keys, const struct sl_set_value *vals, uint32_t n,
		     uint32_t *done, struct sl_error *err);
/* The entry and its comment gone (absent: nothing) */
void sets_entry_del(struct sets_set *s, const void *key);
/* Every live entry of `from` (and its comment) into `to`, any layouts */
int sets_entries_copy(const struct sets_set *from, struct sets_set *to, struct sl_error *err);
/* A set nothing reads yet, worked on in memory until synced (bucket tables;
 * nothing to do for the other layouts): `empty` when its map is new */
int sets_entries_hold(struct sets_set *s, bool empty, struct sl_error *err);
int sets_entries_sync(struct sets_set *s, struct sl_error *err);
/* Lookup: 1 live entry (value filled), 0 absent or expired. */
int sets_entry_exact(const struct sets_set *s, const void *key, struct sl_set_value *v); /* expired too */
int sets_entry_get(const struct sets_set *s, const void *key, struct sl_set_value *v);
/* ipset's test: 1 in the set, 0 not (nomatch and expiry as the dataplane). */
int sets_entry_test(const struct sets_set *s, const struct sl_set_elem *e);
/* The live entry ipset takes as e itself (add's "already added", del's
 * victim): e's key, or for hash:net,iface the entry whose name covers e's
 * (wildcard); 1 with its key in `key` (SL_SET_KEY_MAX bytes), 0 none. */
int sets_entry_equal(const struct sets_set *s, const struct sl_set_elem *e, void *key, struct sl_set_value *v);
/* The entry's side map value (comment, skbinfo): 0, or -1 if it has none */
int sets_comment_get(const struct sets_set *s, const void *key, struct sl_set_comment *out);
/* Every live entry: the callback gets key and value; stops on nonzero. */
typedef int (*sets_entry_fn)(const struct sets_set *s, const void *key, const struct sl_set_value *v,
			     void *ctx);
int sets_map_walk(const struct sets_set *s, sets_entry_fn fn, void *ctx);
long sets_map_entries(const struct sets_set *s);   /* live ones */

/* --- ptab.c: plain sets' bucket tables (fd: the set's map) -------------------------- */

uint32_t sets_ptab_bucket_size(uint8_t cls);
/* buckets a table of class `cls` needs for `entries` */
uint32_t sets_ptab_buckets_for(uint8_t cls, uint32_t entries);
/* geometry of a table of `nbuckets`; count unknown, nothing held */
int sets_ptab_init(struct sets_ptab *t, uint8_t cls, uint32_t nbuckets);
/* a new map: bucket 0 says the table's size (before the dataplane sees it) */
int sets_ptab_format(const struct sets_ptab *t, int fd);
/* 1 there, 0 absent, -1 error */
int sets_ptab_find(const struct sets_ptab *t, int fd, const void *key);
/* 0 added or there already; -1 with errno: E2BIG at maxelem, ENOSPC no
 * room found in the key's buckets (never seen below maxelem), or the kernel's */
int sets_ptab_insert(struct sets_ptab *t, int fd, const void *key, uint32_t maxelem);
/* n keys back to back, as sets_ptab_insert each; *done: how many were */
int sets_ptab_insert_many(struct sets_ptab *t, int fd, const uint8_t *keys, uint32_t n, uint32_t maxelem,
			  uint32_t *done);
/* 1 deleted, 0 absent, -1 error */
int sets_ptab_delete(struct sets_ptab *t, int fd, const void *key);
long sets_ptab_count(const struct sets_ptab *t, int fd);
/* fn on every key; stops on nonzero (returned) */
int sets_ptab_walk(const struct sets_ptab *t, int fd, int (*fn)(const void *key, void *ctx), void *ctx);
/* every key of `from` into `to` */
int sets_ptab_copy_into(const struct sets_ptab *from, int ffd, struct sets_ptab *to, int tfd, uint32_t maxelem);
/* Work on the table in memory (a table nothing reads yet: `empty` when its
 * map is new), written to the map by sync; release drops it unwritten. */
int sets_ptab_hold(struct sets_ptab *t, int fd, bool empty);
int sets_ptab_sync(struct sets_ptab *t, int fd);
void sets_ptab_release(struct sets_ptab *t);
/* the table's map was replaced by a new empty one */
void sets_ptab_emptied(struct sets_ptab *t);

/* --- expiry.c ----------------------------------------------------------------------- */

bool sets_value_expired(const struct sl_set_value *v, uint64_t now);
/* Delete expired entries of one set, at most `budget` keys looked at,
 * continuing from *cursor; returns the keys looked at. */
long sets_map_collect(struct sets_set *s, void *cursor, bool *cursor_valid, long budget);
/* Delete every expired entry of the set now (a full set makes room). */
void sets_collect_all(struct sets_set *s);

/* --- lists.c: list:set ---------------------------------------------------------------- */

int sets_list_alloc(struct sets_set *s);
void sets_list_free(struct sets_set *s);
/* whether the list (NULL: none) holds the set `name`, and how many lists
 * of `c` do (the kernel's references) */
bool sets_list_holds(const struct sl_set_list *l, const char *name);
int sets_list_holders(const struct sets_catalog *c, const char *name);
/* add / del of a member in list `l` of `spec`, its sets found by `lookup`
 * (a catalog's, or a config's being staged) */
int sets_list_change(struct sl_set_list *l, const struct sl_set_spec *spec, sl_set_lookup_fn lookup, void *ctx,
		     enum sl_set_cmd cmd, const struct sl_set_elem *e, bool exist, struct sl_error *err);
/* add / del of a member (`before|after REF`), as the kernel's list:set */
int sets_list_adt(struct sets_catalog *c, struct sets_set *s, enum sl_set_cmd cmd, const struct sl_set_elem *e,
		  bool exist, struct sl_error *err);
/* 1 the member is there (at the place given), 0 not */
int sets_list_test(const struct sets_set *s, const struct sl_set_elem *e);
/* the live members as entries: key a struct sl_set_lmember */
int sets_list_walk(const struct sets_set *s, sets_entry_fn fn, void *ctx);
void sets_list_elem(const struct sl_set_lmember *m, struct sl_set_elem *e);
/* the members into (from) the list's map at catalog bank `bank` */
int sets_list_store(const struct sets_set *s, int bank, struct sl_error *err);
int sets_list_load(struct sets_set *s, int bank);
/* every list of `c`: its members committed, or back as committed */
void sets_lists_settle(const struct sets_catalog *c, bool commit);

/* --- catalog.c: ipset's commands ------------------------------------------------------ */

/* Equal as sets (the printing-only options aside) */
bool sets_specs_equal(const struct sl_set_spec *a, const struct sl_set_spec *b);
int sets_cmd_create(struct sets_priv *p, struct sets_catalog *c, const struct sl_set_spec *spec, bool exist,
		    struct sl_error *err);
/* add / del of an element pattern (expanded), all or nothing */
int sets_cmd_adt(struct sets_catalog *c, enum sl_set_cmd cmd, const char *name, const struct sl_set_elem *pat,
		 bool exist, struct sl_error *err);
/* 1 in the set, 0 not, -1 error */
int sets_cmd_test(struct sets_catalog *c, const char *name, const struct sl_set_elem *pat, struct sl_error *err);
/* the same as an answer: 0 in the set, -1 with SL_E_NEGATIVE (ipset's
 * words) when not, -1 with the error when the test could not be made */
int sets_cmd_test_answer(struct sets_catalog *c, const char *name, const struct sl_set_elem *pat,
			 struct sl_error *err);
int sets_cmd_flush(struct sets_priv *p, struct sets_catalog *c, const char *name, struct sl_error *err);
int sets_cmd_destroy(struct sets_priv *p, struct sets_catalog *c, const char *name, struct sl_error *err);
int sets_cmd_rename(struct sets_priv *p, struct sets_catalog *c, const char *from, const char *to,
		    struct sl_error *err);
int sets_cmd_swap(struct sets_catalog *c, const char *a, const char *b, struct sl_error *err);
/* One parsed ipset line onto a catalog. */
int sets_cmd_line(struct sets_priv *p, struct sets_catalog *c, const struct sl_set_line *l, struct sl_error *err);
/* Close the catalog's fds, leaving its sets pinned (daemon stop) */
void sets_catalog_close(struct sets_catalog *c);

/* --- show.c ------------------------------------------------------------------------------- */

/* `ipset save` text of one set (or all with name NULL or ""), each line
 * after `prefix` ("" for ipset, "set " for a config file) */
int sets_save_text(const struct sets_catalog *c, const char *name, const char *prefix, FILE *out,
		   struct sl_error *err);
json_object *sets_list_json(const struct sets_catalog *c, const char *name, bool terse, struct sl_error *err);

/* --- hooks.c ------------------------------------------------------------------------------ */

/* Make the attached hooks match the rules of `c`: load a program per hook
 * with its rules compiled in, swap it in (bpf_link_update) or attach it,
 * detach hooks without rules. All or nothing. A fault point of the open
 * transaction follows each switch. */
int rules_sync(struct sets_priv *p, const struct sets_catalog *c, struct sl_error *err);
/* Rules of catalog bank `bank` into `c`, hooks from the hook map and their
 * pins (a link pinned without a hook record is a dead daemon's: unpinned) */
int rules_adopt(struct sets_priv *p, struct sets_catalog *c, int bank, struct sl_error *err);
/* Write the rules of `c` to catalog bank `bank` */
int rules_store(struct sets_priv *p, const struct sets_catalog *c, int bank, struct sl_error *err);
/* Add / remove a rule (r->id selects, when given) in catalog `c`; the hooks
 * follow when the transaction commits */
int rules_add(struct sets_priv *p, struct sets_catalog *c, struct rules_rule *r, struct sl_error *err);
int rules_del(struct sets_catalog *c, const struct rules_rule *r, struct sl_error *err);
json_object *rules_list_json(struct sets_priv *p, const struct sets_catalog *c);
json_object *rules_hooks_json(struct sets_priv *p);
void rules_release(struct sets_priv *p);

/* --- the command handlers (named in cmds.c) ------------------------------------------------ */

/* What a config command's spec tells sets_stage and sets_run (its .op): a
 * set command's ipset verb (enum sl_set_cmd), or one of these. */
enum sets_op {
	SETS_OP_RULE_ADD = SL_SETCMD_COMMIT + 1,
	SETS_OP_RULE_DEL,
};

static inline bool sets_op_is_rule(int op)
{
	return op == SETS_OP_RULE_ADD || op == SETS_OP_RULE_DEL;
}

/* module.c: every config command, set or rule: staged into the config
 * journal, or run on the live sets at run time */
sl_stage_fn sets_stage;
sl_run_fn sets_run;

/* query.c: the read commands, and `set restore` (restore_body.c) */
sl_query_fn sets_query_test, sets_query_list, sets_query_save, sets_query_restore, sets_query_rules;

/* --- query.c ------------------------------------------------------------------------------- */

json_object *sets_status(const struct sl_env *env, void *priv, const void *state);
/* `set restore`: ipset restore input from the request's body, as one change */
int sets_restore(const struct sl_env *env, struct sets_priv *p, const struct sl_cmd *cmd, json_object **out,
		 struct sl_error *err);
int sets_ensure_loaded(const struct sl_env *env, struct sets_priv *p, struct sl_error *err);

/* --- txn.c ------------------------------------------------------------------------------ */

/* Open a transaction on the live catalog. Its fault points are named by
 * sets_txn_op_name(op) ("reload", "restore", "swap", "rule", ...). */
int sets_txn_begin(struct sets_priv *p, enum sl_txn_op op, struct sl_error *err);
const char *sets_txn_op_name(enum sl_txn_op op);
/* The next numbered fault point of the open transaction (none open: none) */
void sets_txn_point(struct sets_priv *p);
/* A set the open transaction made (freed if it fails) */
void sets_txn_created(struct sets_priv *p, struct sets_set *s);
/* A set leaving the catalog: one the open transaction made goes now; a
 * committed one at the commit, so an abort can put it back. */
void sets_txn_retire(struct sets_priv *p, struct sets_set *s);
/* true for a set of the committed state while a transaction is open */
bool sets_txn_committed(const struct sets_priv *p, const struct sets_set *s);
/* Keep a committed set's maps that a flush replaces (see sets_flush_stage) */
void sets_txn_flushed(struct sets_priv *p, struct sets_set *s, int fd, int cfd);
/* Make `next` the live, committed state: write it to the other bank, mark
 * the generation open, switch the flushed sets' maps and the hooks, commit
 * (one write of the commit record, with `digest` when `config`), then
 * free what it replaced. On failure nothing changed (sets_txn_abort). */
int sets_txn_commit(struct sets_priv *p, struct sets_catalog *next, bool config, uint64_t digest,
		    struct sl_error *err);
/* Undo the open transaction: the live catalog back as it began, the sets
 * it made freed (`next`: the catalog it built, may be the live one) */
void sets_txn_abort(struct sets_priv *p, struct sets_catalog *next);
/* Daemon start: read the commit record, adopt the committed generation,
 * and if a change was cut short, put the hooks back on it; then free
 * whatever no committed set holds. */
int sets_txn_recover(struct sets_priv *p, struct sl_error *err);
/* The words of a `set VERB` / `rule VERB` command after its verb */
int sets_cmd_words(const struct sl_cmd *cmd, char *argv[], int cols[], int *end_col);

#endif
