/* The entries a config's set lines leave in each set, tracked while the
 * config is staged (no kernel), so that what apply() would refuse is
 * refused by --check-config and before a start or reload changes anything:
 * an add of an element already added (without -exist), a del of one not
 * added, a range or CIDR with more entries than the set's maxelem, adds
 * whose total exceeds it. One hash of keys per set (the keys the dataplane
 * uses: sets_elem_key), indexed like sets_state.spec. */
#ifndef SLUICE_FEATURES_SETS_STAGE_H
#define SLUICE_FEATURES_SETS_STAGE_H

#include "common/grammar.h"
#include "features/sets/ipset/ipset.h"

struct sets_stage;

/* A set appended at index `idx` (the new last spec); -1 out of memory. */
int sets_stage_created(struct sets_stage **st, int idx);
/* The set at `idx` destroyed: later ones move down, as the specs do. */
void sets_stage_removed(struct sets_stage *st, int idx);
/* The set at `idx` flushed: empty. */
void sets_stage_flushed(struct sets_stage *st, int idx);
/* An add or del line (l->cmd) on the set `spec` at `idx`, all or nothing:
 * refused as the kernel would refuse it, at column `col` (the element's). */
int sets_stage_adt(struct sets_stage *st, int idx, const struct sl_set_spec *spec, const struct sl_set_line *l,
		   int col, struct sl_error *err);
/* What ipset's language takes but a BPF map cannot hold, refused at
 * `col` (the maxelem word's) as a usage error rather than the kernel's
 * EINVAL/E2BIG: maxelem 0 (ipset makes the set and refuses every add),
 * and more than a BPF hash map holds (2^27: the kernel sizes its buckets in
 * 32 bits; hash:net* sets are LPM tries, but their comments are a hash). */
#define SL_SET_HASH_MAXELEM (1u << 27)
int sets_spec_check(const struct sl_set_spec *spec, int col, struct sl_error *err);
/* list:set: an add or del line on the list `spec` at `idx`, its member
 * and reference looked up among the sets staged; and whether a staged
 * list holds the set `name` (it cannot be destroyed or renamed) */
int sets_stage_list_adt(struct sets_stage *st, int idx, const struct sl_set_spec *spec, sl_set_lookup_fn lookup,
			void *ctx, const struct sl_set_line *l, struct sl_error *err);
bool sets_stage_list_holds(const struct sets_stage *st, const char *name);
/* Entries staged in the set at `idx` */
unsigned long sets_stage_count(const struct sets_stage *st, int idx);
void sets_stage_free(struct sets_stage *st);

#endif
