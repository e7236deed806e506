/* Addresses as the BPF side records them (16 bytes, family SL_FAMILY_*),
 * in text. */
#ifndef SLUICE_LIB_ADDR_H
#define SLUICE_LIB_ADDR_H

#include <stddef.h>
#include <stdint.h>

/* text form of `addr` of `family` (SL_FAMILY_IPV4: its first 4 bytes);
 * "?" when it has none */
void sl_addr_str(uint8_t family, const uint8_t addr[16], char *out, size_t size);

#endif
