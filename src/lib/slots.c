#include "lib/slots.h"

int sl_slot_lowest_free(const struct sl_slots *s, int n)
{
	for (int i = 0; i < n && i < SL_SLOTS_MAX; i++)
		if (!sl_slot_taken(s, i))
			return i;
	return -1;
}

int sl_slot_take(struct sl_slots *s, int n)
{
	int i = sl_slot_lowest_free(s, n);

	if (i >= 0)
		sl_slot_set(s, i, true);
	return i;
}
