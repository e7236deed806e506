/* Rules in match order, as the features with prio numbers keep them: by
 * prio, ties in the order they were added (seq). */
#ifndef SLUICE_LIB_ORDER_H
#define SLUICE_LIB_ORDER_H

#include <stdint.h>

/* order[0..n) = 0..n-1 sorted by (prio[i], seq[i]) */
void sl_order_by_prio(int n, const uint32_t prio[], const uint32_t seq[], int order[]);

#endif
