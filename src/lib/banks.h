/* Rules in two banks of a BPF array, as features whose programs walk a
 * rule list keep them (tcp, send): the daemon writes the bank the programs
 * do not read, then switches to it with one update of the config map, so
 * every program run sees the old rules or the new ones. A feature's config
 * struct starts with struct sl_bank_head (SL_BANK_HEAD_CHECK). */
#ifndef SLUICE_LIB_BANKS_H
#define SLUICE_LIB_BANKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/grammar.h"

struct sl_bank_head {
	uint32_t bank;          /* 0 or 1: the bank the programs read */
	uint32_t nrules[2];     /* rules in each bank */
};

#define SL_BANK_HEAD_CHECK(type)                                                                   \
	_Static_assert(offsetof(type, bank) == offsetof(struct sl_bank_head, bank) &&                 \
		       offsetof(type, nrules) == offsetof(struct sl_bank_head, nrules),               \
		       #type " starts as struct sl_bank_head")

/* One feature's maps: rules[2 * per_bank] of rule_size bytes, config[1]
 * of cfg_size bytes (a head first), per-CPU counters of stat_size bytes
 * by rule id; each rule's id is the __u32 at id_off. */
struct sl_banks {
	const char *feature;    /* prefixes errors */
	int rules_fd, cfg_fd, stats_fd;
	size_t rule_size, cfg_size, stat_size, id_off;
	int per_bank;
	/* the same rule (it keeps its id and counters) */
	bool (*same)(const void *a, const void *b);
};

/* the config (cfg_size bytes; zeroed first): 0, or -1 with errno */
int sl_banks_config(const struct sl_banks *b, void *cfg);

/* Rule ids for rules[0..n): a rule the live bank has (b->same) keeps its
 * id and counters, after a restart too; a new one takes the lowest free
 * id, its counters zeroed. */
void sl_banks_assign_ids(const struct sl_banks *b, void *rules, int n);

/* rules[0..n) into the bank not in use, then `cfg` (read with
 * sl_banks_config and edited by the caller beyond the head) switched to
 * it with one update */
int sl_banks_write(const struct sl_banks *b, void *cfg, const void *rules, int n, struct sl_error *err);

#endif
