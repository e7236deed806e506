/* lib/slots: the lowest free slot, and no slot handed out twice. */
#include <criterion/criterion.h>

#include "lib/slots.h"

Test(slots, takes_lowest_free_and_marks_it)
{
	struct sl_slots s = { 0 };

	sl_slot_set(&s, 0, true);
	sl_slot_set(&s, 2, true);
	cr_assert_eq(sl_slot_take(&s, 8), 1);
	cr_assert(sl_slot_taken(&s, 1));
	cr_assert_eq(sl_slot_take(&s, 8), 3);
	sl_slot_set(&s, 2, false);
	cr_assert_eq(sl_slot_take(&s, 8), 2);
}

Test(slots, full_below_n)
{
	struct sl_slots s = { 0 };

	for (int i = 0; i < 16; i++)
		cr_assert_eq(sl_slot_take(&s, 16), i);
	cr_assert_eq(sl_slot_take(&s, 16), -1);
	/* a larger table goes on past the first 16 */
	cr_assert_eq(sl_slot_take(&s, 17), 16);
}

Test(slots, across_words_up_to_the_max)
{
	struct sl_slots s = { 0 };

	for (int i = 0; i < SL_SLOTS_MAX; i++)
		if (i != 64 && i != SL_SLOTS_MAX - 1)
			sl_slot_set(&s, i, true);
	cr_assert_eq(sl_slot_take(&s, SL_SLOTS_MAX), 64);
	cr_assert_eq(sl_slot_take(&s, SL_SLOTS_MAX), SL_SLOTS_MAX - 1);
	cr_assert_eq(sl_slot_take(&s, SL_SLOTS_MAX), -1);
	/* asking for more than the bitmap holds never reads past it */
	cr_assert_eq(sl_slot_take(&s, SL_SLOTS_MAX + 10), -1);
}
