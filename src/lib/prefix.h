/* Address prefixes as rule programs match them: four network-order words
 * (IPv4 in the first), masked, and their masks. */
#ifndef SLUICE_LIB_PREFIX_H
#define SLUICE_LIB_PREFIX_H

#include <stdint.h>

/* addr/len (16 bytes, network order; SL_FAMILY_IPV4: the first 4) as
 * words: out_addr masked by out_mask; the words past the family's are 0 */
void sl_prefix_words(uint8_t family, uint8_t len, const uint8_t addr[16], uint32_t out_addr[4], uint32_t out_mask[4]);

#endif
