#include "lib/order.h"

void sl_order_by_prio(int n, const uint32_t prio[], const uint32_t seq[], int order[])
{
	/* insertion sort: rule tables are small, and it needs no context
	 * pointer the way qsort's comparator would */
	for (int i = 0; i < n; i++) {
		int j = i;

		while (j > 0 && (prio[order[j - 1]] > prio[i] ||
				 (prio[order[j - 1]] == prio[i] && seq[order[j - 1]] > seq[i]))) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
}
