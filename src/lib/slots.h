/* Numbered slots of a fixed table (bridges, hooks, sets): which are taken,
 * and the lowest free one. A feature's apply plans several new instances
 * before any is live, so it copies the live set and takes from the copy:
 * two plans of one apply can never get the same slot. */
#ifndef SLUICE_LIB_SLOTS_H
#define SLUICE_LIB_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

#define SL_SLOTS_MAX 256

struct sl_slots {
	uint64_t bits[SL_SLOTS_MAX / 64];
};

static inline bool sl_slot_taken(const struct sl_slots *s, int i)
{
	return s->bits[i / 64] >> (i % 64) & 1;
}

static inline void sl_slot_set(struct sl_slots *s, int i, bool taken)
{
	if (taken)
		s->bits[i / 64] |= 1ull << (i % 64);
	else
		s->bits[i / 64] &= ~(1ull << (i % 64));
}

/* The lowest free slot below n; -1 when all n are taken. */
int sl_slot_lowest_free(const struct sl_slots *s, int n);
/* The same, now taken. */
int sl_slot_take(struct sl_slots *s, int n);

#endif
