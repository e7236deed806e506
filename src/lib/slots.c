#include "lib/slots.h"

int sl_slot_take(struct sl_slots *s, int n)
{
	for (int i = 0; i < n && i < SL_SLOTS_MAX; i++)
		if (!sl_slot_taken(s, i)) {
			sl_slot_set(s, i, true);
			return i;
		}
	return -1;
}
